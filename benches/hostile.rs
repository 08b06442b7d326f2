//! Speed under hostile input, measured here rather than asserted in tests:
//! - `check` and `audit` with a 4 MB note of junk beside the valid record
//!   (was a 120 s bound in tests/hostile/repos.rs);
//! - `approve` when a killed writer left a stale notes lock (was a 3 s bound in
//!   tests/reliability/crash.rs);
//! - `show --color=always` of a change with a 10 MB single-line file and every
//!   terminal escape (was a 60 s bound in tests/hostile/screen.rs).
//!
//! Run: `cargo bench --bench hostile`. Figures: BENCHMARKS.md.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

fn main() {
    divan::main();
}

const BIN: &str = env!("CARGO_BIN_EXE_countersign");

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Ada")
        .env("GIT_AUTHOR_EMAIL", "ada@example.com")
        .env("GIT_COMMITTER_NAME", "Ada")
        .env("GIT_COMMITTER_EMAIL", "ada@example.com")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn cs(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .current_dir(dir)
        .args(args)
        .env("COUNTERSIGN_CONFIG", dir.join("no-user-config.toml"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap()
}

/// A repository with a policy for one senior (alice), one AI change `feat`
/// approved by her; returns (dir, alice's key, change id).
fn team() -> (tempfile::TempDir, PathBuf, String) {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    git(p, &["init", "-q", "-b", "main"]);
    git(p, &["config", "user.email", "ada@example.com"]);
    git(p, &["config", "user.name", "Ada"]);
    std::fs::write(p.join("README.md"), "# bench\n").unwrap();
    git(p, &["add", "-A"]);
    git(p, &["commit", "-qm", "initial"]);
    let key = p.join(".git/alice");
    let st = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "alice", "-f"])
        .arg(&key)
        .status()
        .unwrap();
    assert!(st.success());
    let senior = format!("alice@example.com={}.pub", key.display());
    assert!(cs(p, &["init", "--senior", &senior]).status.success());
    git(p, &["add", "-A"]);
    git(p, &["commit", "-qm", "policy"]);
    git(p, &["checkout", "-q", "-b", "feat"]);
    std::fs::write(p.join("a.txt"), "a\n").unwrap();
    git(p, &["add", "-A"]);
    git(p, &["commit", "-qm", "a\n\nAssisted-by: Claude Code"]);
    git(p, &["checkout", "-q", "main"]);
    let id = String::from_utf8_lossy(&cs(p, &["submit", "feat"]).stdout)
        .trim()
        .to_string();
    let k = key.to_str().unwrap();
    assert!(
        cs(p, &["--key", k, "approve", &id, "-m", "ok"])
            .status
            .success()
    );
    (d, key, id)
}

static NOTE_4MB: LazyLock<tempfile::TempDir> = LazyLock::new(|| {
    let (d, _, _) = team();
    let p = d.path();
    let good = git(p, &["notes", "--ref=countersign", "show", "feat"]);
    let mut huge = "{\"v\":1,".repeat((4 << 20) / 7);
    huge.push('\n');
    huge.push_str(&good);
    let file = p.join(".git/huge-note");
    std::fs::write(&file, huge).unwrap();
    git(
        p,
        &[
            "notes",
            "--ref=countersign",
            "add",
            "-f",
            "-F",
            file.to_str().unwrap(),
            "feat",
        ],
    );
    d
});

#[divan::bench(sample_count = 5)]
fn check_and_audit_with_a_4mb_note(b: divan::Bencher) {
    let p = NOTE_4MB.path();
    b.bench(|| {
        assert!(cs(p, &["check", "main..feat"]).status.success());
        assert_eq!(cs(p, &["audit", "--json"]).status.code(), Some(1));
    });
}

static LOCKED: LazyLock<(tempfile::TempDir, PathBuf, String)> = LazyLock::new(team);

#[divan::bench(sample_count = 5)]
fn approve_past_a_stale_notes_lock(b: divan::Bencher) {
    let (d, key, id) = &*LOCKED;
    let p = d.path();
    let lock = p.join(".git/refs/notes/countersign.lock");
    b.with_inputs(|| {
        let f = std::fs::File::create(&lock).unwrap();
        f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(60))
            .unwrap();
    })
    .bench_values(|()| {
        let k = key.to_str().unwrap();
        assert!(
            cs(p, &["--key", k, "approve", id, "-m", "again"])
                .status
                .success()
        );
    });
}

static HOSTILE: LazyLock<(tempfile::TempDir, String)> = LazyLock::new(|| {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    git(p, &["init", "-q", "-b", "main"]);
    std::fs::write(p.join("README.md"), "# bench\n").unwrap();
    git(p, &["add", "-A"]);
    git(p, &["commit", "-qm", "initial"]);
    git(p, &["checkout", "-q", "-b", "evil"]);
    std::fs::write(
        p.join("evil.txt"),
        "clear\x1b[2J title\x1b]0;PWNED\x07 clip \x1b]52;c;ZXZpbA==\x07 bidi\u{202e}txt zw\u{200b}j\n",
    )
    .unwrap();
    std::fs::write(
        p.join("big.min.js"),
        "var a=1;".repeat(10 * 1024 * 1024 / 8),
    )
    .unwrap();
    git(p, &["add", "-A"]);
    git(p, &["commit", "-qm", "evil\n\nAssisted-by: Claude"]);
    git(p, &["checkout", "-q", "main"]);
    let id = String::from_utf8_lossy(&cs(p, &["submit", "evil"]).stdout)
        .trim()
        .to_string();
    (d, id)
});

#[divan::bench(sample_count = 3)]
fn show_a_10mb_line_and_every_escape(b: divan::Bencher) {
    let (d, id) = &*HOSTILE;
    b.bench(|| {
        assert!(
            cs(d.path(), &["show", "--color=always", id])
                .status
                .success()
        );
    });
}
