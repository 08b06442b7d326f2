//! The pre-receive hook on a real bare repository, pushed to with real
//! `git push`: decisions are append-only where they are shared (no deletion,
//! no non-fast-forward, no dropped or rewritten line), and a pushed branch is
//! judged under the old tip of the branch it updates.

use std::path::Path;

use crate::common::{BACKDOOR, LAX_POLICY, all_notes, commit_on, git_in, notes_tip, ok, server};
use crate::kit::{Team, keygen};

/// A team with a server: `feat` approved by alice and rejected by bob, the
/// notes pushed (a plain append passes the hook).
fn served() -> (Team, tempfile::TempDir, String) {
    let t = Team::new(&["alice", "bob", "carol"]);
    let srv = server();
    let w = t.repo.path();
    ok(git_in(
        w,
        &["remote", "add", "origin", srv.path().to_str().unwrap()],
    ));
    ok(git_in(w, &["push", "-q", "origin", "main"]));
    let id = t.ai_change("feat", "a.txt", "a\n");
    t.approve("alice", &id).ok();
    ok(git_in(
        w,
        &["push", "-q", "origin", "refs/notes/countersign"],
    ));
    t.reject("bob", &id, "unsafe: no tests").ok();
    // Appending a decision is a fast-forward that keeps every line: accepted.
    ok(git_in(
        w,
        &["push", "-q", "origin", "refs/notes/countersign"],
    ));
    assert_eq!(notes_tip(srv.path()), notes_tip(w));
    (t, srv, id)
}

/// Asserts a push was refused and the server's notes are as they were.
fn refused_push(out: std::process::Output, srv: &Path, tip: &str, notes: &str, what: &str) {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "{what} was accepted: {err}");
    assert!(
        err.contains("refs/notes/countersign"),
        "{what}: the refusal names the ref: {err}"
    );
    assert_eq!(notes_tip(srv), tip, "{what} moved the server's notes");
    assert_eq!(all_notes(srv), notes, "{what} changed the server's notes");
}

/// The reject still blocks feat on the server.
fn reject_still_blocks(t: &Team) {
    let out = git_in(t.repo.path(), &["push", "origin", "feat"]);
    assert!(
        !out.status.success(),
        "feat was accepted despite bob's reject"
    );
}

#[test]
fn deleting_the_notes_on_the_server_is_refused() {
    let (t, srv, _id) = served();
    let (tip, notes) = (notes_tip(srv.path()), all_notes(srv.path()));
    assert!(notes.contains("unsafe: no tests"), "{notes}");
    let out = git_in(
        t.repo.path(),
        &["push", "origin", ":refs/notes/countersign"],
    );
    refused_push(out, srv.path(), &tip, &notes, "deleting the notes");
    let out = git_in(
        t.repo.path(),
        &[
            "push",
            "--force",
            "--delete",
            "origin",
            "refs/notes/countersign",
        ],
    );
    refused_push(out, srv.path(), &tip, &notes, "a forced deletion");
    reject_still_blocks(&t);
}

#[test]
fn force_pushing_notes_that_drop_a_reject_is_refused() {
    let (t, srv, _id) = served();
    let (tip, notes) = (notes_tip(srv.path()), all_notes(srv.path()));
    // A fresh notes history with alice's approval only.
    let approval: String = t
        .note("feat")
        .lines()
        .find(|l| l.contains("\"decision\":\"approve\""))
        .unwrap()
        .to_string();
    t.repo.git(&["update-ref", "-d", "refs/notes/countersign"]);
    t.append_line("feat", &approval);
    let out = git_in(
        t.repo.path(),
        &["push", "--force", "origin", "refs/notes/countersign"],
    );
    refused_push(out, srv.path(), &tip, &notes, "a non-fast-forward");
    // Nor with the + refspec.
    let out = git_in(
        t.repo.path(),
        &[
            "push",
            "origin",
            "+refs/notes/countersign:refs/notes/countersign",
        ],
    );
    refused_push(out, srv.path(), &tip, &notes, "a + refspec");
    reject_still_blocks(&t);
}

#[test]
fn a_fast_forward_that_drops_one_line_is_refused() {
    let (t, srv, _id) = served();
    let (tip, notes) = (notes_tip(srv.path()), all_notes(srv.path()));
    let kept: Vec<String> = t
        .note("feat")
        .lines()
        .filter(|l| !l.contains("\"decision\":\"reject\""))
        .map(str::to_string)
        .collect();
    assert_eq!(kept.len(), 1);
    // A new notes commit on top of the old one: a fast-forward.
    t.repo.git(&[
        "notes",
        "--ref=countersign",
        "add",
        "-f",
        "-m",
        &kept[0],
        "feat",
    ]);
    let out = git_in(t.repo.path(), &["push", "origin", "refs/notes/countersign"]);
    refused_push(out, srv.path(), &tip, &notes, "dropping the reject");
    // Removing the whole note of the commit is no better.
    t.repo
        .git(&["notes", "--ref=countersign", "remove", "feat"]);
    let out = git_in(t.repo.path(), &["push", "origin", "refs/notes/countersign"]);
    refused_push(out, srv.path(), &tip, &notes, "removing the note");
    t.append_line("feat", &kept[0]);
    // Dropping the line and adding another in the same push is no better.
    let id = t.change_id("feat");
    t.approve("carol", &id).ok();
    let out = git_in(t.repo.path(), &["push", "origin", "refs/notes/countersign"]);
    refused_push(
        out,
        srv.path(),
        &tip,
        &notes,
        "dropping one line among additions",
    );
    reject_still_blocks(&t);
}

#[test]
fn a_fast_forward_that_rewrites_a_line_is_refused() {
    let (t, srv, _id) = served();
    let (tip, notes) = (notes_tip(srv.path()), all_notes(srv.path()));
    let note = t.note("feat");
    for (what, from, to) in [
        ("rewriting the comment", "unsafe: no tests", "fine"),
        (
            "flipping the decision",
            "\"decision\":\"reject\"",
            "\"decision\":\"approve\"",
        ),
    ] {
        let rewritten = note.replace(from, to);
        assert_ne!(rewritten, note);
        let file = t.keys.path().join("rewritten");
        std::fs::write(&file, &rewritten).unwrap();
        t.repo.git(&[
            "notes",
            "--ref=countersign",
            "add",
            "-f",
            "-F",
            file.to_str().unwrap(),
            "feat",
        ]);
        let out = git_in(t.repo.path(), &["push", "origin", "refs/notes/countersign"]);
        refused_push(out, srv.path(), &tip, &notes, what);
    }
    // Moving the reject to another commit's note drops it from feat's.
    let reject: String = note
        .lines()
        .find(|l| l.contains("\"decision\":\"reject\""))
        .unwrap()
        .to_string();
    let approval: String = note
        .lines()
        .find(|l| l.contains("\"decision\":\"approve\""))
        .unwrap()
        .to_string();
    t.repo.git(&[
        "notes",
        "--ref=countersign",
        "add",
        "-f",
        "-m",
        &approval,
        "feat",
    ]);
    t.append_line("main", &reject);
    let out = git_in(t.repo.path(), &["push", "origin", "refs/notes/countersign"]);
    refused_push(
        out,
        srv.path(),
        &tip,
        &notes,
        "moving a line to another commit",
    );
    reject_still_blocks(&t);
}

#[test]
fn a_push_that_relaxes_the_policy_is_judged_by_the_old_tip() {
    let t = Team::new(&["alice", "bob"]);
    let srv = server();
    let w = t.repo.path();
    ok(git_in(
        w,
        &["remote", "add", "origin", srv.path().to_str().unwrap()],
    ));
    ok(git_in(w, &["push", "-q", "origin", "main"]));
    let old_main = t.head("main");
    // The agent's branch makes itself a senior, needs nobody, and signs.
    let mallory = keygen(t.keys.path(), "mallory", "ed25519", "");
    let pubkey = std::fs::read_to_string(format!("{}.pub", mallory.display())).unwrap();
    let signers = std::fs::read_to_string(w.join(".countersign/allowed_signers")).unwrap()
        + &format!("mallory@example.com {pubkey}");
    commit_on(
        &t,
        "evil",
        &[
            (".countersign/allowed_signers", &signers),
            (".countersign/policy.toml", LAX_POLICY),
            ("deploy.sh", BACKDOOR),
        ],
        "tidy\n\nAssisted-by: Claude Code",
    );
    let id = t.repo.cs(&["submit", "evil"]).ok().trim().to_string();
    let mut rec = t.template("alice", &id);
    rec.reviewer = "mallory@example.com".into();
    let line = t.sign_with(&mallory, &mut rec);
    t.append_line("evil", &line);
    ok(git_in(
        w,
        &["push", "-q", "origin", "refs/notes/countersign"],
    ));
    for target in [
        "evil:main",
        "evil:refs/heads/evil",
        "evil:refs/heads/release",
    ] {
        let out = git_in(w, &["push", "origin", target]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{target} was accepted: {err}");
        assert!(err.contains("refused"), "{target}: {err}");
    }
    assert_eq!(
        ok(git_in(srv.path(), &["rev-parse", "main"])).trim(),
        old_main,
        "main must not move"
    );
    for b in ["evil", "release"] {
        let o = git_in(srv.path(), &["rev-parse", "--verify", "-q", b]);
        assert!(!o.status.success(), "{b} must not be created");
    }
}

#[test]
fn sync_never_rewrites_the_remotes_notes() {
    let t = Team::new(&["alice", "bob"]);
    // A plain bare remote without the hook: sync itself must not rewrite it.
    let srv = tempfile::tempdir().unwrap();
    ok(git_in(
        srv.path(),
        &["init", "-q", "--bare", "-b", "main", "."],
    ));
    let w = t.repo.path();
    ok(git_in(
        w,
        &["remote", "add", "origin", srv.path().to_str().unwrap()],
    ));
    ok(git_in(w, &["push", "-q", "origin", "main"]));
    let id = t.ai_change("feat", "a.txt", "a\n");
    t.approve("alice", &id).ok();
    t.reject("bob", &id, "unsafe: no tests").ok();
    t.cs_env(&["sync"], &[]).ok();
    let notes = all_notes(srv.path());
    assert!(notes.contains("unsafe: no tests"), "{notes}");
    // Locally, the reject is dropped by a history of its own.
    let approval: String = t
        .note("feat")
        .lines()
        .find(|l| l.contains("\"decision\":\"approve\""))
        .unwrap()
        .to_string();
    t.repo.git(&["update-ref", "-d", "refs/notes/countersign"]);
    t.append_line("feat", &approval);
    let r = t.cs_env(&["sync"], &[]);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    let after = all_notes(srv.path());
    for line in notes.lines().filter(|l| l.starts_with('{')) {
        assert!(
            after.contains(line),
            "sync dropped a line from the remote: {line}"
        );
    }
    // And the local clone gets the reject back from the remote.
    assert!(
        t.note("feat").contains("unsafe: no tests"),
        "{}",
        t.note("feat")
    );
}
