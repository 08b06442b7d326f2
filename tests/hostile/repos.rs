//! Hostile repositories and records: duplicated, reordered, oversized and
//! malformed notes, a notes ref that is not a commit, shallow clones, a
//! detached HEAD, no `main`, and (script-only, `--ignored`) a 100 MB note and
//! 100,000 commits. Each ends in a clear message or the right verdict, never a
//! panic.

use std::process::Command;
use std::time::Instant;

use crate::kit::{Team, statuses};
use crate::support::{Run, TestRepo, run_in};

fn no_panic(r: &Run) {
    for s in [&r.stdout, &r.stderr] {
        assert!(!s.contains("panicked"), "panic: {s}");
        assert!(!s.contains("RUST_BACKTRACE"), "panic: {s}");
    }
    assert!(r.code >= 0, "killed by a signal: {}", r.stderr);
}

/// One line on stderr naming the problem.
fn clear_error(r: &Run, needle: &str) {
    no_panic(r);
    assert_eq!(r.code, 2, "stdout {} stderr {}", r.stdout, r.stderr);
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.to_lowercase().contains(needle),
        "{needle:?} not in {}",
        r.stderr
    );
}

#[test]
fn duplicated_and_reordered_records_count_once() {
    let t = Team::new(&["alice", "bob", "carol"]);
    // A critical change (touches .countersign/) needs two approvals.
    let id = t.ai_change("feat", ".countersign/rules.toml", "# none\n");
    t.approve("alice", &id).ok();
    let note = t.note("feat");
    let line = note.lines().next().unwrap().to_string();
    // alice's record three times: still one approval.
    t.append_line("feat", &line);
    t.append_line("feat", &line);
    let v = t.check_json("main..feat");
    assert_eq!(v["ok"], false, "{v}");
    assert_eq!(v["changes"][0]["approvals"], 1, "{v}");
    // bob approves; the note's lines are then reversed by hand.
    t.approve("bob", &id).ok();
    let note = t.note("feat");
    let mut lines: Vec<&str> = note.lines().collect();
    lines.reverse();
    let file = t.keys.path().join("reordered");
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let head = t.head("feat");
    t.repo.git(&[
        "notes",
        "--ref=countersign",
        "add",
        "-f",
        "-F",
        file.to_str().unwrap(),
        &head,
    ]);
    let v = t.check_json("main..feat");
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["changes"][0]["approvals"], 2, "{v}");
    let (code, audit) = t.audit();
    assert_eq!(code, 0, "{audit}");
    let s = statuses(&audit);
    assert!(!s.is_empty(), "the audit lists the decisions: {audit}");
    assert!(s.iter().all(|s| s == "valid"), "{audit}");
}

#[test]
fn malformed_note_bytes_hide_nothing() {
    let t = Team::new(&["alice"]);
    let id = t.ai_change("feat", "a.txt", "a\n");
    t.approve("alice", &id).ok();
    let good = t.note("feat");
    let mut bytes = b"\xff\xfe not utf8 \x00 nul\n{\"v\":1,\"sig\":7}\n\r\n{}\n[]\nnull\n".to_vec();
    bytes.extend_from_slice(good.as_bytes());
    bytes.extend_from_slice(b"{\"v\":1}\x1b[2J\n");
    let file = t.keys.path().join("bad-note");
    std::fs::write(&file, &bytes).unwrap();
    let head = t.head("feat");
    t.repo.git(&[
        "notes",
        "--ref=countersign",
        "add",
        "-f",
        "-F",
        file.to_str().unwrap(),
        &head,
    ]);
    let v = t.check_json("main..feat");
    assert_eq!(v["ok"], true, "the valid record still counts: {v}");
    let r = t.cs_env(&["audit"], &[]);
    no_panic(&r);
    assert_eq!(r.code, 1);
    assert!(!r.stdout.contains('\x1b'), "escape in audit: {}", r.stdout);
    assert!(!r.stdout.contains('\0'));
    let (_, audit) = t.audit();
    let s = statuses(&audit);
    assert_eq!(s.iter().filter(|x| *x == "valid").count(), 1, "{s:?}");
    assert!(s.iter().any(|x| x == "malformed"), "{s:?}");
}

#[test]
fn a_notes_ref_that_is_not_a_commit_is_a_clear_error() {
    let t = Team::new(&["alice"]);
    let id = t.ai_change("feat", "a.txt", "a\n");
    for what in ["blob", "tree"] {
        let oid = if what == "blob" {
            t.repo
                .git_output(&["hash-object", "-w", "--stdin"], Some(b"not a commit\n"))
                .stdout
        } else {
            t.repo
                .git_output(&["rev-parse", "main^{tree}"], None)
                .stdout
        };
        let oid = String::from_utf8(oid).unwrap().trim().to_string();
        t.repo
            .git(&["update-ref", "--no-deref", "refs/notes/countersign", &oid]);
        // What reads decisions refuses, naming the ref and the repair.
        for args in [vec!["check", "main..feat"], vec!["audit"]] {
            let r = t.cs_env(&args, &[]);
            clear_error(&r, "refs/notes/countersign");
            assert!(r.stderr.contains("update-ref"), "{}", r.stderr);
        }
        // The queue still lists the change, never as approved; show needs no
        // decisions.
        let r = t.cs_env(&["queue", "--all", "--json"], &[]);
        no_panic(&r);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let q: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(q.as_array().unwrap().len(), 1, "{q}");
        assert_eq!(q[0]["state"], "pending", "{q}");
        let r = t.cs_env(&["show", "--color=never", &id], &[]);
        no_panic(&r);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stdout.contains("+a"), "{}", r.stdout);
        let r = t.cs_env(&["check", "main..feat"], &[]);
        assert_ne!(r.code, 0, "a broken notes ref never approves");
        let r = t.approve("alice", &id);
        no_panic(&r);
        assert_ne!(r.code, 0, "{}", r.stdout);
        assert!(r.stderr.contains("refs/notes/countersign"), "{}", r.stderr);
    }
    // Repaired, everything works again.
    t.repo.git(&["update-ref", "-d", "refs/notes/countersign"]);
    t.approve("alice", &id).ok();
    assert_eq!(t.check_json("main..feat")["ok"], true);
}

#[test]
fn shallow_clone_detached_head_and_no_main() {
    let t = Team::new(&["alice"]);
    let id = t.ai_change("feat", "a.txt", "a\n");
    t.approve("alice", &id).ok();
    t.ai_change("other", "b.txt", "b\n");
    // Shallow clone of the change with the notes.
    let dir = tempfile::tempdir().unwrap();
    let url = format!("file://{}", t.repo.path().display());
    let clone = dir.path().join("shallow");
    let st = Command::new("git")
        .args(["clone", "-q", "--depth", "1", "--no-single-branch", &url])
        .arg(&clone)
        .status()
        .unwrap();
    assert!(st.success());
    let st = Command::new("git")
        .current_dir(&clone)
        .args([
            "fetch",
            "-q",
            "--depth",
            "1",
            "origin",
            "refs/notes/*:refs/notes/*",
            "refs/countersign/*:refs/countersign/*",
        ])
        .status()
        .unwrap();
    assert!(st.success());
    // The history the gate needs is missing: it never passes the unapproved
    // change, and what cannot work says the clone is shallow and how to fix it.
    let r = run_in(&clone, &["check", "origin/main..origin/other"]);
    no_panic(&r);
    assert_ne!(r.code, 0, "an unapproved change passed in a shallow clone");
    for args in [
        vec!["queue"],
        vec!["check", "origin/main..origin/feat"],
        vec!["check", "origin/main..origin/other"],
        vec!["show", &id],
    ] {
        let r = run_in(&clone, &args);
        if r.code != 0 {
            clear_error(&r, "shallow");
            assert!(r.stderr.contains("--unshallow"), "{}", r.stderr);
        }
    }
    // The audit still shows alice's decision, whatever it can verify.
    let r = run_in(&clone, &["audit", "--json"]);
    no_panic(&r);
    let audit: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(audit["decisions"].as_array().unwrap().len(), 1, "{audit}");
    assert_eq!(audit["decisions"][0]["change"], id.as_str(), "{audit}");
    // Detached HEAD: the queue and the gate work as before.
    let head = t.head("feat");
    t.repo.git(&["checkout", "-q", "--detach", &head]);
    let r = t.cs_env(&["queue", "--all", "--json"], &[]);
    no_panic(&r);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(t.check_json("main..HEAD")["ok"], true);
    // No `main`: commands that need it say so, the others work.
    t.repo.git(&["branch", "-m", "main", "trunk"]);
    let r = t.cs_env(&["submit", "HEAD"], &[]);
    clear_error(&r, "main");
    let r = t.cs_env(&["queue", "--all", "--json"], &[]);
    no_panic(&r);
    if r.code == 2 {
        clear_error(&r, "main");
    } else {
        assert_eq!(r.code, 0, "{}", r.stderr);
        let q: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        assert!(
            q.as_array().unwrap().iter().any(|c| c["id"] == id.as_str()),
            "the queued change is listed: {q}"
        );
    }
    // No default branch, no trust root: the gate and the audit say how to
    // name one, and judge under it when named.
    for args in [vec!["check", "trunk..feat"], vec!["audit"]] {
        let r = t.cs_env(&args, &[]);
        clear_error(&r, "--trust");
    }
    let r = t.cs_env(&["check", "--trust", "trunk", "trunk..feat"], &[]);
    assert_eq!(r.code, 0, "{} {}", r.stdout, r.stderr);
    let r = t.cs_env(&["check", "--trust", "trunk", "trunk..other"], &[]);
    assert_eq!(
        r.code, 1,
        "the unapproved change: {} {}",
        r.stdout, r.stderr
    );
    let r = t.cs_env(&["audit", "--trust", "trunk", "--json"], &[]);
    assert_eq!(r.code, 0, "{} {}", r.stdout, r.stderr);
    let audit: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(statuses(&audit), vec!["valid"], "{audit}");
}

#[test]
fn an_empty_repository_and_a_non_repository_are_clear_errors() {
    let r = TestRepo::empty();
    // Nothing to list or scan; nothing to check or audit without a trust
    // root, said clearly.
    for (args, says) in [
        (vec!["queue"], "the queue is empty"),
        (vec!["scan"], "nothing to queue"),
    ] {
        let out = r.cs(&args);
        no_panic(&out);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        assert!(out.stdout.contains(says), "{args:?}: {}", out.stdout);
    }
    for args in [vec!["check", "HEAD"], vec!["audit"]] {
        let out = r.cs(&args);
        clear_error(&out, "--trust");
    }
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), &["queue"]);
    clear_error(&out, "not in a git repository");
}

/// A note of `mb` megabytes: junk lines, one huge line, the valid record last.
fn oversized_note(mb: usize) {
    let t = Team::new(&["alice"]);
    let id = t.ai_change("feat", "a.txt", "a\n");
    t.approve("alice", &id).ok();
    let good = t.note("feat");
    let mut huge = String::with_capacity(mb << 20);
    huge.push_str(&"{\"v\":1,".repeat((mb << 20) / 7));
    huge.push('\n');
    huge.push_str(&good);
    let file = t.keys.path().join("huge");
    std::fs::write(&file, &huge).unwrap();
    drop(huge);
    let head = t.head("feat");
    t.repo.git(&[
        "notes",
        "--ref=countersign",
        "add",
        "-f",
        "-F",
        file.to_str().unwrap(),
        &head,
    ]);
    let started = Instant::now();
    let v = t.check_json("main..feat");
    assert_eq!(v["ok"], true, "{v}");
    let (code, audit) = t.audit();
    assert_eq!(code, 1);
    let s = statuses(&audit);
    assert_eq!(s, vec!["malformed", "valid"], "{s:?}");
    let elapsed = started.elapsed();
    // A figure for the log; the speed itself is measured in benches/, not
    // asserted here.
    eprintln!(
        "{mb} MB note ({} bytes): check + audit in {elapsed:?}",
        std::fs::metadata(&file).map_or(0, |m| m.len())
    );
}

#[test]
fn a_few_megabyte_note_is_handled() {
    oversized_note(4);
}

#[test]
#[ignore = "script-only: scripts/fuzz.sh (100 MB note)"]
fn a_100_megabyte_note_is_handled() {
    oversized_note(100);
}

#[test]
#[ignore = "script-only: scripts/fuzz.sh (100,000 commits)"]
fn a_repository_with_100000_commits() {
    let n: usize = std::env::var("HOSTILE_COMMITS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let t = Team::new(&["alice"]);
    // n commits on a branch `long`, made with git fast-import, the last one AI-assisted.
    let main = t.head("main");
    let mut stream = String::with_capacity(n * 200);
    for i in 0..n {
        let msg = if i + 1 == n {
            "last\n\nAssisted-by: Claude Code\n".to_string()
        } else {
            format!("commit {i}\n")
        };
        stream.push_str("commit refs/heads/long\n");
        stream.push_str(&format!(
            "committer Ada Author <ada@example.com> {} +0000\n",
            1_700_000_000 + i
        ));
        stream.push_str(&format!("data {}\n{msg}", msg.len()));
        if i == 0 {
            stream.push_str(&format!("from {main}\n"));
        }
        let content = format!("{i}\n");
        stream.push_str(&format!(
            "M 100644 inline f{}.txt\ndata {}\n{content}\n",
            i % 100,
            content.len()
        ));
    }
    let out = t
        .repo
        .git_output(&["fast-import", "--quiet"], Some(stream.as_bytes()));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let started = Instant::now();
    let r = t.cs_env(&["scan", "main..long"], &[]);
    no_panic(&r);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let scan = started.elapsed();
    let r = t.cs_env(&["check", "main..long"], &[]);
    no_panic(&r);
    assert_eq!(
        r.code, 1,
        "the AI-assisted commit is not approved: {}",
        r.stdout
    );
    let r = t.cs_env(&["queue", "--json"], &[]);
    no_panic(&r);
    assert_eq!(r.code, 0, "{}", r.stderr);
    eprintln!(
        "{n} commits: scan {scan:?}, scan+check+queue {:?}",
        started.elapsed()
    );
}
