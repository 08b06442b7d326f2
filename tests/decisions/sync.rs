//! `sync`: two reviewers on two clones share the queue and never lose each
//! other's decisions.

use std::path::Path;
use std::process::Command;

use crate::kit::Team;
use crate::support::{bin, run_in};

fn git(dir: &Path, args: &[&str]) -> String {
    let o = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn two_clones_sync_queue_and_decisions_without_losing_any() {
    let t = Team::new(&["alice", "bob"]);
    let srv = tempfile::tempdir().unwrap();
    git(srv.path(), &["init", "-q", "--bare", "-b", "main", "."]);
    let one = t.repo.path();
    git(
        one,
        &["remote", "add", "origin", srv.path().to_str().unwrap()],
    );
    let id = t.ai_change("feat", "a.txt", "a\n");
    git(one, &["push", "-q", "origin", "main", "feat"]);
    let out = t.cs_env(&["sync"], &[]);
    assert!(
        out.ok().contains("pushed refs/countersign/pending/"),
        "{}",
        out.stdout
    );

    let two_dir = tempfile::tempdir().unwrap();
    let two = two_dir.path();
    git(two, &["clone", "-q", srv.path().to_str().unwrap(), "."]);
    git(two, &["config", "user.email", "carl@example.com"]);
    git(two, &["config", "user.name", "Carl"]);
    run_in(two, &["sync"]).ok();
    let q: serde_json::Value =
        serde_json::from_str(run_in(two, &["queue", "--json"]).ok()).unwrap();
    assert_eq!(q[0]["id"], id.as_str(), "the queue travelled");

    // Both decide before seeing each other's decision.
    t.approve("alice", &id).ok();
    let bob = t.key("bob");
    run_in(
        two,
        &["--key", bob.to_str().unwrap(), "approve", &id, "-m", "ok"],
    )
    .ok();
    t.cs_env(&["sync"], &[]).ok();
    let merged = run_in(two, &["sync"]);
    assert!(
        merged.ok().contains("decisions merged"),
        "{}",
        merged.stdout
    );
    let ff = t.cs_env(&["sync"], &[]);
    assert!(ff.ok().contains("fast-forward"), "{}", ff.stdout);

    let head = t.head("feat");
    for dir in [one, two] {
        let note = git(dir, &["notes", "--ref=countersign", "show", &head]);
        assert_eq!(note.lines().count(), 2, "{note}");
        assert!(note.contains("alice@example.com") && note.contains("bob@example.com"));
        let a = Command::new(bin())
            .current_dir(dir)
            .args(["audit", "--json"])
            .env("COUNTERSIGN_CONFIG", dir.join("none.toml"))
            .output()
            .unwrap();
        assert!(a.status.success());
        let v: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
        assert_eq!(v["summary"]["valid"], 2);
    }
    // A queue ref rewritten on one side (a new title): the clones converge on
    // one version (the last written; same-second ties by commit id).
    run_in(two, &["submit", "origin/feat", "--title", "retitled"]).ok();
    run_in(two, &["sync"]).ok();
    t.cs_env(&["sync"], &[]).ok();
    run_in(two, &["sync"]).ok();
    let pending = |dir: &Path| git(dir, &["for-each-ref", "refs/countersign/"]);
    assert_eq!(pending(one), pending(two));
    assert_eq!(
        pending(one),
        git(srv.path(), &["for-each-ref", "refs/countersign/"])
    );
    let settled = t.cs_env(&["sync"], &[]);
    assert!(
        settled.ok().contains("0 ref(s) pushed"),
        "{}",
        settled.stdout
    );
    // A sync with nothing new changes nothing.
    let again = run_in(two, &["sync"]);
    assert!(again.ok().contains("0 ref(s) pushed"), "{}", again.stdout);
    // git itself can merge the same notes with cat_sort_uniq afterwards.
    git(
        two,
        &[
            "fetch",
            "-q",
            "origin",
            "refs/notes/countersign:refs/notes/theirs",
        ],
    );
    git(
        two,
        &[
            "notes",
            "--ref=countersign",
            "merge",
            "-s",
            "cat_sort_uniq",
            "refs/notes/theirs",
        ],
    );
}

#[test]
fn sync_with_an_unknown_remote_is_bad_input() {
    let t = Team::new(&["alice"]);
    let r = t.cs_env(&["sync", "nowhere"], &[]);
    assert!(r.bad_input().contains("nowhere"), "{}", r.stderr);
    let r = t.cs_env(&["sync", "--", "-x"], &[]);
    assert_eq!(r.code, 2);
}
