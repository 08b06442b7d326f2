//! A real temporary git repository with pending changes (driven by the git CLI,
//! fixed dates), and a backend for UI flows that the library does not offer yet
//! (risk findings, signing, audit) wrapped around the real `GitBackend`.

use std::process::Command;
use std::sync::{Arc, Mutex};

use countersign::change::Change;
use countersign::config::UserConfig;
use countersign::diff::Diff;
use countersign::ui::backend::{
    AuditRow, Backend, Decision, FindingView, GitBackend, Identity, QueueEvent, RiskView, Severity,
    SignOutcome, SignRequest, SignerInfo,
};
use countersign::ui::harness::Harness;

pub struct TestRepo {
    pub dir: tempfile::TempDir,
    tick: std::cell::Cell<i64>,
}

impl TestRepo {
    /// The work tree: `<tmp>/shop`, so its name is the same on every run.
    pub fn path(&self) -> std::path::PathBuf {
        self.dir.path().join("shop")
    }

    pub fn git(&self, args: &[&str]) -> String {
        self.tick.set(self.tick.get() + 60);
        let t = self.tick.get();
        let out = Command::new("git")
            .current_dir(self.path())
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("HOME", self.path())
            .env("GIT_AUTHOR_DATE", format!("@{t} +0000"))
            .env("GIT_COMMITTER_DATE", format!("@{t} +0000"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn write(&self, path: &str, content: &[u8]) {
        let p = self.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }

    fn commit(&self, msg: &str, author: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--author", author, "-m", msg]);
    }

    fn submit(&self, branch: &str, title: &str) -> String {
        let repo = countersign::git::Repo::open(Some(&self.path())).unwrap();
        let cfg = repo.load_config().unwrap();
        countersign::git::submit(
            &repo,
            &cfg,
            &countersign::git::SubmitRequest {
                rev: branch,
                title: Some(title),
                ..Default::default()
            },
        )
        .unwrap()
        .id
    }
}

pub const AUTH_RS: &str = "use std::collections::HashMap;

/// Checks a session token.
pub fn check(token: &str, sessions: &HashMap<String, u32>) -> bool {
    sessions.contains_key(token)
}

pub fn is_admin(user: u32) -> bool {
    user == 1
}
";

pub const AUTH_RS_NEW: &str = "use std::collections::HashMap;

/// Checks a session token.
pub fn check(token: &str, sessions: &HashMap<String, u32>) -> bool {
    if token == \"debug-override\" {
        return true; // TODO remove
    }
    sessions.contains_key(token)
}

pub fn is_admin(user: u32) -> bool {
    user == 1 || user == 42 /* \u{202e} } \u{2066} */
}
";

/// A repository with three pending changes: a risky auth change (with a bidi
/// control, a binary file and a file with an escape sequence), a big new file,
/// and a one-line docs fix.
pub fn repo() -> (TestRepo, Vec<String>) {
    let r = TestRepo {
        dir: tempfile::tempdir().unwrap(),
        tick: std::cell::Cell::new(1_700_000_000),
    };
    std::fs::create_dir_all(r.path()).unwrap();
    r.git(&["init", "-q", "-b", "main"]);
    r.git(&["config", "user.name", "Sam Senior"]);
    r.git(&["config", "user.email", "sam@example.com"]);
    r.write("README.md", b"# shop\n\nA web shop.\n");
    r.write("src/auth.rs", AUTH_RS.as_bytes());
    r.commit("initial commit", "Ada Author <ada@example.com>");

    r.git(&["checkout", "-q", "-b", "auth"]);
    r.write("src/auth.rs", AUTH_RS_NEW.as_bytes());
    r.write(
        "assets/logo.png",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01",
    );
    r.write(
        "notes/term.txt",
        b"look:\x1b[2J\x1b]0;pwned\x07 done\n\tindented\n",
    );
    r.commit(
        "Let the debug token through\n\nAssisted-by: Claude",
        "Ada Author <ada@example.com>",
    );

    r.git(&["checkout", "-q", "main"]);
    r.git(&["checkout", "-q", "-b", "billing"]);
    let mut billing =
        String::from("//! Billing.\n\npub struct Invoice {\n    pub cents: u64,\n}\n\n");
    for i in 0..30 {
        billing.push_str(&format!(
            "pub fn rule_{i}(inv: &Invoice) -> u64 {{\n    inv.cents * {i} / 100\n}}\n\n"
        ));
    }
    r.write("src/billing.rs", billing.as_bytes());
    r.commit(
        "Add billing rules\n\nGenerated-by: Cursor",
        "Bob Builder <bob@example.com>",
    );

    r.git(&["checkout", "-q", "main"]);
    r.git(&["checkout", "-q", "-b", "docs"]);
    r.write("README.md", b"# shop\n\nA small web shop.\n");
    r.commit(
        "Fix the README\n\nAssisted-by: Copilot",
        "Cy Writer <cy@example.com>",
    );
    r.git(&["checkout", "-q", "main"]);

    let ids = vec![
        r.submit("auth", "Let the debug token through"),
        r.submit("billing", "Add billing rules"),
        r.submit("docs", "Fix the README"),
    ];
    (r, ids)
}

/// What the scripted backend should do beyond the real one.
#[derive(Default)]
pub struct Script {
    pub findings: Vec<FindingView>,
    pub level: Option<String>,
    pub signer: Option<SignerInfo>,
    pub wrong_passphrase: bool,
    /// Every request the dialog signed (clone the `Arc` before handing the
    /// script over, to read it after).
    pub recorded: Arc<Mutex<Vec<SignRequest>>>,
    /// How many times the queue was loaded.
    pub loads: Arc<std::sync::atomic::AtomicUsize>,
    /// The result message of a signing, instead of the short default.
    pub outcome: Option<String>,
}

/// The real backend, with risk, signing and audit scripted by the test (or
/// the real ones when `script` is `None`), and a fixed identity so snapshots do
/// not depend on the machine's git config.
pub struct Scripted {
    pub real: GitBackend,
    pub script: Option<Script>,
}

impl Backend for Scripted {
    fn identity(&self) -> Identity {
        Identity {
            repo: "shop".into(),
            reviewer: Some("sam@example.com".into()),
            key: None,
        }
    }
    fn load_queue(&self, emit: &mut dyn FnMut(QueueEvent)) -> anyhow::Result<()> {
        if let Some(script) = &self.script {
            script
                .loads
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        self.real.load_queue(emit)
    }
    fn load_diff(&self, base: &str, head: &str) -> anyhow::Result<Diff> {
        self.real.load_diff(base, head)
    }
    fn risk(&self, change: &Change, diff: &Diff) -> anyhow::Result<RiskView> {
        let Some(script) = &self.script else {
            return self.real.risk(change, diff);
        };
        Ok(RiskView {
            score: 91,
            level: script.level.clone().unwrap_or("critical".into()),
            findings: script.findings.clone(),
            blast: Some("3 files, 2 owners depend on what changed".into()),
            hidden_findings: Vec::new(),
        })
    }
    fn signer(&self, change_id: &str) -> anyhow::Result<SignerInfo> {
        let Some(script) = &self.script else {
            return self.real.signer(change_id);
        };
        script
            .signer
            .clone()
            .ok_or_else(|| anyhow::anyhow!("no signing key: pass --key"))
    }
    fn sign(&self, req: &SignRequest) -> anyhow::Result<SignOutcome> {
        let Some(script) = &self.script else {
            return self.real.sign(req);
        };
        if script.wrong_passphrase && req.passphrase.as_deref() != Some("right") {
            anyhow::bail!("wrong passphrase for the key");
        }
        script.recorded.lock().unwrap().push(req.clone());
        if let Some(message) = &script.outcome {
            return Ok(SignOutcome {
                message: message.clone(),
            });
        }
        Ok(SignOutcome {
            message: format!(
                "{} {}: recorded and verified",
                match req.decision {
                    Decision::Approve => "approved",
                    Decision::Reject => "rejected",
                },
                req.change_id
            ),
        })
    }
    fn interdiff(
        &self,
        change: &Change,
    ) -> anyhow::Result<Option<countersign::ui::backend::InterdiffView>> {
        self.real.interdiff(change)
    }
    fn viewed(&self, head: &str) -> anyhow::Result<Vec<String>> {
        self.real.viewed(head)
    }
    fn save_viewed(&self, head: &str, paths: &[String]) -> anyhow::Result<()> {
        self.real.save_viewed(head, paths)
    }
    fn audit(&self) -> anyhow::Result<Vec<AuditRow>> {
        if self.script.is_none() {
            return self.real.audit();
        }
        let row = |at: &str, who: &str, d: &str, status: &str, comment: &str| AuditRow {
            at: at.into(),
            reviewer: who.into(),
            decision: d.into(),
            change: "abcd2345".into(),
            base: String::new(),
            head: String::new(),
            risk_level: "high".into(),
            status: status.into(),
            detail: format!("{status}: checked against allowed_signers"),
            comment: comment.into(),
        };
        Ok(vec![
            row(
                "2026-01-02T10:00:00Z",
                "sam@example.com",
                "approve",
                "valid",
                "looks fine",
            ),
            row(
                "2026-01-03T09:30:00Z",
                "lee@example.com",
                "reject",
                "bad-signature",
                "no\x1b[31m tests",
            ),
            row(
                "2026-01-01T08:00:00Z",
                "sam@example.com",
                "approve",
                "stale",
                "ok",
            ),
        ])
    }
}

pub fn findings() -> Vec<FindingView> {
    vec![
        FindingView {
            rule: "auth-bypass".into(),
            severity: Severity::Critical,
            path: "src/auth.rs".into(),
            line: Some(5),
            side: countersign::diff::Side::Plus,
            message:
                "A hard-coded token skips the session check: anyone who knows it is logged in."
                    .into(),
        },
        FindingView {
            rule: "bidi-control".into(),
            severity: Severity::High,
            path: "src/auth.rs".into(),
            line: Some(12),
            side: countersign::diff::Side::Plus,
            message: "A right-to-left override hides what this line really compares.".into(),
        },
        FindingView {
            rule: "admin-check-changed".into(),
            severity: Severity::High,
            path: "src/auth.rs".into(),
            line: Some(9),
            side: countersign::diff::Side::Minus,
            message: "The old admin check is removed.".into(),
        },
        FindingView {
            rule: "binary-file".into(),
            severity: Severity::Medium,
            path: "assets/logo.png".into(),
            line: None,
            side: countersign::diff::Side::Plus,
            message: "A binary file cannot be reviewed as text.".into(),
        },
    ]
}

pub fn user() -> UserConfig {
    UserConfig::default()
}

/// A harness on the real backend.
pub fn real(repo: &TestRepo, w: u16, h: u16) -> Harness {
    let real = GitBackend::open(&repo.path(), &user(), None).unwrap();
    Harness::new(Arc::new(Scripted { real, script: None }), &user(), w, h, 0)
}

/// A harness on the scripted backend.
pub fn scripted(repo: &TestRepo, script: Script, w: u16, h: u16) -> Harness {
    let real = GitBackend::open(&repo.path(), &user(), None).unwrap();
    Harness::new(
        Arc::new(Scripted {
            real,
            script: Some(script),
        }),
        &user(),
        w,
        h,
        0,
    )
}

/// Selects the queue row of change `id` (tests do not depend on the order,
/// which the risk engine decides).
pub fn select(h: &mut Harness, id: &str) {
    h.settle();
    let row = h
        .app
        .queue
        .visible
        .iter()
        .position(|i| h.app.queue.rows[*i].entry.change.id == id)
        .unwrap_or_else(|| panic!("{id} is in the queue"));
    h.press("g");
    for _ in 0..row {
        h.press("j");
    }
}

pub fn signer(needs_passphrase: bool) -> Option<SignerInfo> {
    Some(SignerInfo {
        principal: "sam@example.com".into(),
        fingerprint: "SHA256:3fJv0cJt5Qm0x3mV8C8o2b7Y2i3t9dKx4qH1Rr0Zl1E".into(),
        key_path: None,
        needs_passphrase,
    })
}
