//! The team's analyzers beside the review's lines: real bandit and semgrep
//! (from PyPI by `.ci/analyzers`, which the tests run when they are missing) run by countersign on real repositories,
//! SARIF attached and synced between clones, the trust boundary around
//! `.countersign/analyzers.toml`, time limits and bad input. One binary.

#[allow(dead_code)]
#[path = "../foundation/support.rs"]
mod support;

mod attach;
mod console;
mod local;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use support::{Run, TestRepo};

/// Where `.ci/run` installs the analyzers (a Python venv), besides PATH.
fn venv_bin() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/analyzers/bin")
}

/// PATH with the analyzers' venv in front.
fn tools_path() -> OsString {
    let mut dirs = vec![venv_bin()];
    if let Some(p) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&p));
    }
    std::env::join_paths(dirs).unwrap()
}

/// Installs the pinned analyzers once per test run when they are missing
/// (`.ci/analyzers`: a venv under target/, from PyPI), so `cargo test` on a
/// fresh clone needs no step of its own.
fn install_once() {
    static DONE: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    DONE.get_or_init(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/analyzers");
        let out = std::process::Command::new("bash").arg(&script).output();
        if let Ok(o) = &out
            && !o.status.success()
        {
            eprintln!(
                ".ci/analyzers failed: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
    });
}

/// Fails (never skips) when an analyzer the test needs cannot be installed.
fn require(tool: &str) -> PathBuf {
    let find = || {
        std::env::split_paths(&tools_path())
            .map(|d| d.join(tool))
            .find(|p| p.is_file())
    };
    if let Some(p) = find() {
        return p;
    }
    install_once();
    find().unwrap_or_else(|| {
        panic!(
            "{tool} is not installed and .ci/analyzers could not install it (it needs python3 with venv and PyPI)"
        )
    })
}

/// Runs countersign in `dir` with the analyzers on PATH (and no colour).
fn cs(dir: &Path, args: &[&str]) -> Run {
    let path = tools_path();
    support::run_in_env(
        dir,
        args,
        &[("PATH", path.as_os_str()), ("NO_COLOR", "1".as_ref())],
    )
}

/// The test fixture `name`.
fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/analyzers/fixtures")
            .join(name),
    )
    .unwrap()
}

/// A repository whose main branch holds `files` (the trust root).
fn repo_with(files: &[(&str, &str)]) -> TestRepo {
    let r = TestRepo::new();
    for (p, c) in files {
        r.write(p, c);
    }
    r.commit_all("main: code and analyzers");
    r
}

/// Commits `files` on a new branch off main with an AI trailer, submits it,
/// and returns its id (back on main afterwards).
fn change(r: &TestRepo, branch: &str, files: &[(&str, &str)]) -> String {
    r.git(&["checkout", "-q", "-b", branch, "main"]);
    for (p, c) in files {
        r.write(p, c);
    }
    r.commit_all(&format!("{branch}\n\nAssisted-by: Claude Code"));
    r.git(&["checkout", "-q", "main"]);
    r.cs(&["submit", branch]).ok().trim().to_string()
}

/// The findings of `risk --json` whose rule starts with `prefix`.
fn findings_of(report: &serde_json::Value, prefix: &str) -> Vec<serde_json::Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().unwrap().starts_with(prefix))
        .cloned()
        .collect()
}

/// Python with findings bandit reports from its first version on: B602
/// (`shell=True`) on line 5, B404 (`import subprocess`) on line 1.
const OLD_APP: &str =
    "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n";
