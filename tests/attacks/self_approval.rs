//! Self-approval: the reviewer is compared with the authors, the committers
//! and the signers of SSH-signed commits in the change.

use crate::common::{git_as, ok, refused, said};
use crate::kit::{Team, reasons};

/// A commit on a new branch `feat` with the given author, committer and extra
/// `git commit` options; submitted, back on main; returns the change id.
fn commit_as(t: &Team, author: (&str, &str), committer: (&str, &str), extra: &[&str]) -> String {
    let w = t.repo.path();
    t.repo.git(&["checkout", "-q", "-b", "feat", "main"]);
    t.repo.write("a.txt", "a\n");
    t.repo.git(&["add", "-A"]);
    let mut args = extra.to_vec();
    args.extend(["commit", "-q", "-m", "work\n\nAssisted-by: Claude Code"]);
    ok(git_as(
        w,
        &args,
        &[
            ("GIT_AUTHOR_NAME", author.0),
            ("GIT_AUTHOR_EMAIL", author.1),
            ("GIT_COMMITTER_NAME", committer.0),
            ("GIT_COMMITTER_EMAIL", committer.1),
        ],
    ));
    t.repo.git(&["checkout", "-q", "main"]);
    t.repo.cs(&["submit", "feat"]).ok().trim().to_string()
}

/// alice's approval by the CLI is refused as a self-approval and writes
/// nothing; one she signs by hand does not count.
fn alice_cannot_approve(t: &Team, id: &str) {
    let r = t.approve("alice", id);
    assert_eq!(r.code, 1, "{}", said(&r));
    assert!(r.stderr.contains("self-approval"), "{}", said(&r));
    assert!(t.note("feat").is_empty(), "nothing written");
    let mut rec = t.template("bob", id);
    rec.reviewer = "alice@example.com".into();
    let line = t.sign_with(&t.key("alice"), &mut rec);
    t.append_line("feat", &line);
    let v = refused(t, &["main..feat"]);
    assert!(reasons(&v).contains("self-approval"), "{v}");
    // bob's approval is what counts.
    t.approve("bob", id).ok();
    assert_eq!(t.check_json("main..feat")["ok"], true);
}

#[test]
fn the_signer_of_an_ssh_signed_commit_cannot_approve_it() {
    let t = Team::new(&["alice", "bob"]);
    // alice signs the commit with her key but writes someone else's name.
    let key = t.key("alice");
    let signing = format!("user.signingKey={}", key.display());
    let id = commit_as(
        &t,
        ("Robo Dev", "robo@example.com"),
        ("Robo Dev", "robo@example.com"),
        &[
            "-c",
            "gpg.format=ssh",
            "-c",
            &signing,
            "-c",
            "commit.gpgSign=true",
        ],
    );
    let raw = t.repo.git(&["cat-file", "commit", "feat"]);
    assert!(raw.contains("-----BEGIN SSH SIGNATURE-----"), "{raw}");
    alice_cannot_approve(&t, &id);
}

#[test]
fn the_committer_of_a_commit_cannot_approve_it() {
    let t = Team::new(&["alice", "bob"]);
    let id = commit_as(
        &t,
        ("Robo Dev", "robo@example.com"),
        ("Alice", "alice@example.com"),
        &[],
    );
    alice_cannot_approve(&t, &id);
}
