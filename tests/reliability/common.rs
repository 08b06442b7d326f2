//! Shared helpers: sizes from the environment, a seeded generator, running
//! countersign and git in any directory, fsck, note parsing.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::support::bin;

/// A size from `$name`, else `default` (the short version for `cargo test`).
pub fn size(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The seed of this run: `$CS_REL_SEED`, else the clock. Printed by callers.
pub fn seed(test: &str) -> u64 {
    let s = std::env::var("CS_REL_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    println!("{test}: seed {s} (replay with CS_REL_SEED={s})");
    s
}

/// SplitMix64: small, seedable, good enough to pick orders and delays.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub fn coin(&mut self) -> bool {
        self.next() & 1 == 1
    }

    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            v.swap(i, j);
        }
    }
}

fn env(cmd: &mut Command, dir: &Path) {
    cmd.current_dir(dir)
        .env("COUNTERSIGN_CONFIG", dir.join("no-user-config.toml"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("COUNTERSIGN_KEY")
        .env_remove("COUNTERSIGN_PASSPHRASE")
        .env_remove("NO_COLOR")
        .stdin(Stdio::null());
}

/// A countersign command in `dir`, not started.
pub fn cs_cmd(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(bin());
    cmd.args(args);
    env(&mut cmd, dir);
    cmd
}

/// Runs countersign in `dir`.
pub fn cs(dir: &Path, args: &[&str]) -> Output {
    cs_cmd(dir, args).output().unwrap()
}

/// `countersign --key <key> approve|reject <id> -m <comment>`.
pub fn decide(dir: &Path, key: &Path, approve: bool, id: &str, comment: &str) -> Output {
    let verb = if approve { "approve" } else { "reject" };
    cs(
        dir,
        &["--key", key.to_str().unwrap(), verb, id, "-m", comment],
    )
}

/// Asserts a command succeeded; returns stdout.
pub fn ok(out: &Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what}: exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs git in `dir` (a work tree or a bare repository).
pub fn git(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new("git");
    cmd.args(args);
    env(&mut cmd, dir);
    cmd.output().unwrap()
}

/// `git fsck --full --strict` in `dir`; panics with its output unless clean
/// (dangling objects are normal after races and kills and not errors).
pub fn fsck(dir: &Path, what: &str) {
    let out = git(dir, &["fsck", "--full", "--strict", "--no-progress"]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let bad: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with("dangling ") && !l.starts_with("notice: "))
        .collect();
    assert!(
        out.status.success() && bad.is_empty(),
        "git fsck in {what} ({}): {text}",
        dir.display()
    );
}

/// Every line of every decision note in `dir`: (annotated commit, line).
pub fn note_lines(dir: &Path) -> Vec<(String, String)> {
    let list = git(dir, &["notes", "--ref=countersign", "list"]);
    if !list.status.success() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for l in String::from_utf8_lossy(&list.stdout).lines() {
        let mut it = l.split_whitespace();
        let (Some(blob), Some(annotated)) = (it.next(), it.next()) else {
            continue;
        };
        let text = ok(&git(dir, &["cat-file", "blob", blob]), "reading a note");
        for line in text.lines().filter(|x| !x.is_empty()) {
            out.push((annotated.to_string(), line.to_string()));
        }
    }
    out
}

/// `audit --json` in `dir`: (exit code, decisions).
pub fn audit(dir: &Path) -> (i32, Vec<serde_json::Value>) {
    let out = cs(dir, &["audit", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "audit --json in {} is not JSON ({e}): {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (
        out.status.code().unwrap_or(-1),
        v["decisions"].as_array().cloned().unwrap_or_default(),
    )
}

/// Asserts the audit of `dir` has exactly `expected` decisions, all `valid`
/// (or `stale` when allowed), and exits 0.
pub fn audit_all_valid(dir: &Path, expected: usize, what: &str) {
    let (code, decisions) = audit(dir);
    let bad: Vec<String> = decisions
        .iter()
        .filter(|d| d["status"] != "valid")
        .map(|d| format!("{} {}: {}", d["change"], d["status"], d["detail"]))
        .collect();
    assert!(bad.is_empty(), "{what}: invalid decisions: {bad:#?}");
    assert_eq!(decisions.len(), expected, "{what}: decision count");
    assert_eq!(code, 0, "{what}: audit exit code");
}

/// Makes `n` AI-assisted changes in the team's repository, fast (no checkout):
/// each is a commit on its own branch `c<i>` off main, submitted to the queue.
/// Returns (id, branch) pairs.
pub fn changes(team: &crate::kit::Team, n: usize) -> Vec<(String, String)> {
    let repo = &team.repo;
    let main = team.head("main");
    let main_tree = repo.git(&["rev-parse", "main^{tree}"]).trim().to_string();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let branch = format!("c{i}");
        let blob = String::from_utf8_lossy(
            &repo
                .git_output(
                    &["hash-object", "-w", "--stdin"],
                    Some(format!("change {i}\n").as_bytes()),
                )
                .stdout,
        )
        .trim()
        .to_string();
        // A tree = main's tree plus one file.
        let ls = repo.git(&["ls-tree", &main_tree]);
        let mut listing = ls.clone();
        listing.push_str(&format!("100644 blob {blob}\tfile{i}.txt\n"));
        let tree = String::from_utf8_lossy(
            &repo
                .git_output(&["mktree"], Some(listing.as_bytes()))
                .stdout,
        )
        .trim()
        .to_string();
        let msg = format!("change {i}\n\nAssisted-by: Claude Code\n");
        let commit = String::from_utf8_lossy(
            &repo
                .git_output(&["commit-tree", &tree, "-p", &main], Some(msg.as_bytes()))
                .stdout,
        )
        .trim()
        .to_string();
        repo.git(&["update-ref", &format!("refs/heads/{branch}"), &commit]);
        let id = repo.cs(&["submit", &branch]).ok().trim().to_string();
        out.push((id, branch));
    }
    out
}
