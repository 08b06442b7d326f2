//! A team around a test repository: seniors with real ssh-keygen keys, a
//! committed policy, AI-assisted changes in the queue, and ways to forge.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use countersign::decision::{Record, Signer};

use crate::support::{Run, TestRepo, bin};

pub struct Team {
    pub repo: TestRepo,
    pub keys: tempfile::TempDir,
}

/// `name@example.com`.
pub fn email(name: &str) -> String {
    format!("{name}@example.com")
}

/// Makes a key with ssh-keygen; returns the private key's path.
pub fn keygen(dir: &Path, name: &str, kind: &str, pass: &str) -> PathBuf {
    let path = dir.join(name);
    let mut args = vec!["-q", "-t", kind, "-N", pass, "-C", name, "-f"];
    let p = path.to_str().unwrap().to_string();
    args.push(&p);
    if kind == "rsa" {
        args.extend(["-b", "2048"]);
    }
    let st = Command::new("ssh-keygen").args(&args).status().unwrap();
    assert!(st.success());
    path
}

/// Runs a command with stdin, returning (code, stdout, stderr).
pub fn run_with_stdin(cmd: &mut Command, stdin: &[u8]) -> (i32, String, String) {
    use std::io::Write;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

impl Team {
    /// A repository whose main branch carries a policy naming `seniors`
    /// (ed25519 keys), made with `countersign init`.
    pub fn new(seniors: &[&str]) -> Team {
        Self::with_keys(
            seniors
                .iter()
                .map(|s| (*s, "ed25519"))
                .collect::<Vec<_>>()
                .as_slice(),
        )
    }

    /// Like `new` with a key type per senior.
    pub fn with_keys(seniors: &[(&str, &str)]) -> Team {
        let t = Team {
            repo: TestRepo::new(),
            keys: tempfile::tempdir().unwrap(),
        };
        let mut args = vec!["init".to_string()];
        for (s, kind) in seniors {
            let k = keygen(t.keys.path(), s, kind, "");
            args.push("--senior".into());
            args.push(format!("{}={}.pub", email(s), k.display()));
        }
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        t.repo.cs(&a).ok();
        t.repo.commit_all("countersign policy");
        t
    }

    pub fn key(&self, name: &str) -> PathBuf {
        self.keys.path().join(name)
    }

    /// A key that is not in allowed_signers.
    pub fn outsider(&self, name: &str) -> PathBuf {
        keygen(self.keys.path(), name, "ed25519", "")
    }

    /// Commits `content` to `file` on a new branch off main with an AI trailer,
    /// submits it and returns its id (back on main afterwards).
    pub fn ai_change(&self, branch: &str, file: &str, content: &str) -> String {
        self.repo.git(&["checkout", "-q", "-b", branch, "main"]);
        self.repo.write(file, content);
        self.repo.commit_all(&format!(
            "{branch}: change {file}\n\nAssisted-by: Claude Code"
        ));
        self.repo.git(&["checkout", "-q", "main"]);
        self.repo.cs(&["submit", branch]).ok().trim().to_string()
    }

    pub fn head(&self, rev: &str) -> String {
        self.repo.git(&["rev-parse", rev]).trim().to_string()
    }

    /// Runs countersign with extra environment variables.
    pub fn cs_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = Command::new(bin());
        cmd.current_dir(self.repo.path())
            .args(args)
            .env(
                "COUNTERSIGN_CONFIG",
                self.repo.path().join("no-user-config.toml"),
            )
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env_remove("COUNTERSIGN_KEY")
            .env_remove("COUNTERSIGN_PASSPHRASE")
            .stdin(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// `countersign --key <name's key> approve <id> -m ok`.
    pub fn approve(&self, who: &str, id: &str) -> Run {
        let k = self.key(who);
        self.cs_env(
            &[
                "--key",
                k.to_str().unwrap(),
                "approve",
                id,
                "-m",
                "looks right",
            ],
            &[],
        )
    }

    pub fn reject(&self, who: &str, id: &str, why: &str) -> Run {
        let k = self.key(who);
        self.cs_env(
            &["--key", k.to_str().unwrap(), "reject", id, "-m", why],
            &[],
        )
    }

    /// `countersign check <range>`.
    pub fn check(&self, range: &str) -> Run {
        self.cs_env(&["check", range], &[])
    }

    /// `check --json`, asserting the exit code matches `ok`.
    pub fn check_json(&self, range: &str) -> serde_json::Value {
        let r = self.cs_env(&["check", "--json", range], &[]);
        let v: serde_json::Value = serde_json::from_str(&r.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", r.stdout, r.stderr));
        assert_eq!(r.code, if v["ok"] == true { 0 } else { 1 }, "{}", r.stderr);
        v
    }

    /// `audit --json` with its exit code.
    pub fn audit(&self) -> (i32, serde_json::Value) {
        let r = self.cs_env(&["audit", "--json"], &[]);
        let v = serde_json::from_str(&r.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", r.stdout, r.stderr));
        (r.code, v)
    }

    /// The decision note of `rev` ("" when none).
    pub fn note(&self, rev: &str) -> String {
        let out = self
            .repo
            .git_output(&["notes", "--ref=countersign", "show", rev], None);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The records in the note of `rev`.
    pub fn records(&self, rev: &str) -> Vec<Record> {
        self.note(rev)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// Appends a raw line to the note of `rev` with the git CLI.
    pub fn append_line(&self, rev: &str, line: &str) {
        self.repo
            .git(&["notes", "--ref=countersign", "append", "-m", line, rev]);
    }

    /// Signs `rec` with the key file `key` (natively) and returns the note line.
    pub fn sign_with(&self, key: &Path, rec: &mut Record) -> String {
        let text = std::fs::read_to_string(key).unwrap();
        let pk = ssh_key::PrivateKey::from_openssh(&text).unwrap();
        let s = Signer::from_private_key(pk, "test");
        rec.key = s.fingerprint();
        rec.sig = s.sign(rec.payload().as_bytes()).unwrap();
        rec.to_line()
    }

    /// A record for change `id` at `head` as a genuine approval would be,
    /// taken from a real approval by `who`: we approve, read the record, and
    /// put the note back exactly as it was (removed when there was none), so
    /// the decisions already there survive.
    pub fn template(&self, who: &str, id: &str) -> Record {
        let change = self.change(id);
        let before = self.note(&change);
        self.approve(who, id).ok();
        let rec = self.records(&change).pop().unwrap();
        if before.is_empty() {
            self.repo
                .git(&["notes", "--ref=countersign", "remove", &change]);
        } else {
            let file = self.keys.path().join("note-before-template");
            std::fs::write(&file, &before).unwrap();
            self.repo.git(&[
                "notes",
                "--ref=countersign",
                "add",
                "-f",
                "-F",
                file.to_str().unwrap(),
                &change,
            ]);
        }
        assert_eq!(self.note(&change), before, "the note is restored");
        rec
    }

    /// The head commit of a queued change.
    pub fn change(&self, id: &str) -> String {
        let v: serde_json::Value =
            serde_json::from_str(self.repo.cs(&["queue", "--all", "--json"]).ok()).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("no change {id}"))["head"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

/// The reasons of the first change of a check report, joined.
pub fn reasons(v: &serde_json::Value) -> String {
    v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["reasons"].as_array().unwrap().iter())
        .map(|r| r.as_str().unwrap().to_string())
        .collect::<Vec<_>>()
        .join(" | ")
}

/// The statuses of an audit, sorted.
pub fn statuses(audit: &serde_json::Value) -> Vec<String> {
    let mut s: Vec<String> = audit["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["status"].as_str().unwrap().to_string())
        .collect();
    s.sort();
    s
}

impl Team {
    /// The id of the queued change on `branch`.
    pub fn change_id(&self, branch: &str) -> String {
        let head = self.head(branch);
        let v: serde_json::Value =
            serde_json::from_str(self.repo.cs(&["queue", "--all", "--json"]).ok()).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .find(|c| c["head"] == head.as_str())
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// How many lines of the note of `rev` parse as records.
    pub fn records_lenient(&self, rev: &str) -> usize {
        self.note(rev)
            .lines()
            .filter(|l| countersign::decision::parse_line(l).is_ok())
            .count()
    }
}
