//! Helpers: a temp repository driven by the real git CLI, and the binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct TestRepo {
    pub dir: tempfile::TempDir,
    tick: std::cell::Cell<i64>,
}

/// An environment that keeps the user's git config out and fixes dates, so
/// commit ids are the same on every run.
fn git_env(cmd: &mut Command, home: &Path, time: i64) {
    cmd.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("HOME", home)
        .env("GIT_AUTHOR_NAME", "Ada Author")
        .env("GIT_AUTHOR_EMAIL", "ada@example.com")
        .env("GIT_COMMITTER_NAME", "Ada Author")
        .env("GIT_COMMITTER_EMAIL", "ada@example.com")
        .env("GIT_AUTHOR_DATE", format!("@{time} +0000"))
        .env("GIT_COMMITTER_DATE", format!("@{time} +0000"));
}

impl TestRepo {
    /// A new repository with branch `main` and one commit.
    pub fn new() -> TestRepo {
        let r = Self::empty();
        r.write("README.md", "# project\n");
        r.commit_all("initial commit");
        r
    }

    /// A new repository with no commits.
    pub fn empty() -> TestRepo {
        let r = TestRepo {
            dir: tempfile::tempdir().unwrap(),
            tick: std::cell::Cell::new(1_700_000_000),
        };
        r.git(&["init", "-q", "-b", "main"]);
        r.git(&["config", "user.name", "Ada Author"]);
        r.git(&["config", "user.email", "ada@example.com"]);
        r
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs git and returns stdout; panics on failure.
    pub fn git(&self, args: &[&str]) -> String {
        let out = self.git_output(args, None);
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs git with optional stdin.
    pub fn git_output(&self, args: &[&str], stdin: Option<&[u8]>) -> Output {
        self.tick.set(self.tick.get() + 60);
        let mut cmd = Command::new("git");
        cmd.current_dir(self.path()).args(args);
        git_env(&mut cmd, self.path(), self.tick.get());
        if let Some(input) = stdin {
            use std::io::Write;
            cmd.stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            let mut child = cmd.spawn().unwrap();
            child.stdin.take().unwrap().write_all(input).unwrap();
            return child.wait_with_output().unwrap();
        }
        cmd.output().unwrap()
    }

    pub fn write(&self, path: &str, content: &str) {
        self.write_bytes(path, content.as_bytes());
    }

    pub fn write_bytes(&self, path: &str, content: &[u8]) {
        let p = self.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }

    pub fn commit_all(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"]).trim().to_string()
    }

    /// `git diff --full-index base head | git patch-id --verbatim`, the first field.
    pub fn git_patch_id(&self, base: &str, head: &str) -> Option<String> {
        let diff = self.git_output(&["diff", "--full-index", base, head], None);
        assert!(diff.status.success());
        let out = self.git_output(&["patch-id", "--verbatim"], Some(&diff.stdout));
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.split_whitespace().next().map(str::to_string)
    }

    /// Runs countersign in this repository.
    pub fn cs(&self, args: &[&str]) -> Run {
        run_in(self.path(), args)
    }
}

/// The result of running the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs git in `dir` (outside a `TestRepo`, e.g. a clone) without the
/// user's configuration; panics on failure, returns stdout. (Not every test
/// binary that includes this file needs it.)
#[allow(dead_code)]
pub fn git_in(dir: &Path, args: &[&str]) -> String {
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

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_countersign"))
}

/// Runs countersign in `dir` with a clean environment.
pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    run_in_env(dir, args, &[])
}

/// Like [`run_in`], with extra environment variables (e.g. a PATH).
pub fn run_in_env(dir: &Path, args: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> Run {
    let out = Command::new(bin())
        .current_dir(dir)
        .args(args)
        .env_remove("NO_COLOR")
        .env("COUNTERSIGN_CONFIG", dir.join("no-user-config.toml"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

impl Run {
    /// Asserts success and returns stdout.
    pub fn ok(&self) -> &str {
        assert_eq!(
            self.code, 0,
            "stderr: {}\nstdout: {}",
            self.stderr, self.stdout
        );
        &self.stdout
    }

    /// Asserts exit 2 with a one-line error, and returns it.
    pub fn bad_input(&self) -> &str {
        assert_eq!(
            self.code, 2,
            "stdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        assert_eq!(
            self.stderr.lines().count(),
            1,
            "one line: {:?}",
            self.stderr
        );
        assert!(self.stderr.starts_with("countersign: "), "{}", self.stderr);
        assert!(!self.stderr.contains("panicked"), "{}", self.stderr);
        self.stderr.trim_end()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.ok())
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }
}
