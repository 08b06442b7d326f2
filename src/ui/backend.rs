//! The seam between the UI and the library: everything the console asks of git,
//! the risk engine, signing and the audit trail goes through [`Backend`]. Calls are
//! blocking and run on background jobs, never on the UI thread. [`GitBackend`] is
//! the real implementation; where the library does not offer a function yet it
//! returns a clear "not available yet" error that the UI shows in the status line.

use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow};

use crate::change::Change;
use crate::config::{RepoConfig, UserConfig};
use crate::diff::Diff;
use crate::git::Repo;
use crate::queue::QueueEntry;

/// A row of the queue as the UI holds it.
#[derive(Debug, Clone)]
pub struct QueueRow {
    pub entry: QueueEntry,
    /// False until its statistics (and risk) have been computed.
    pub loaded: bool,
    /// Approvals it has and needs under the policy, once decisions are known.
    pub approvals: Option<(u32, u32)>,
}

/// What a queue load reports as it goes.
#[derive(Debug, Clone)]
pub enum QueueEvent {
    /// Every change, before statistics: the table can show them at once.
    Listed(Vec<QueueRow>),
    /// One change with its statistics and risk.
    Row(Box<QueueRow>),
}

/// Severity of a finding: the risk engine's own type.
pub use crate::risk::Severity;

/// One finding of the risk engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingView {
    pub rule: String,
    pub severity: Severity,
    pub path: String,
    /// The line on `side`: the new file, or the old one for removed lines;
    /// `None` for the whole file.
    pub line: Option<u32>,
    pub side: crate::diff::Side,
    pub message: String,
}

/// A change's risk report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RiskView {
    pub score: u8,
    pub level: String,
    pub findings: Vec<FindingView>,
    /// The blast radius in one line ("12 files, 3 owners depend on what changed").
    pub blast: Option<String>,
    /// Analyzer results the change did not introduce: hidden unless the
    /// reviewer asks for every result (they never score).
    pub hidden_findings: Vec<FindingView>,
}

/// Who signs and with what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerInfo {
    /// The principal in allowed_signers.
    pub principal: String,
    /// The key's SHA256 fingerprint.
    pub fingerprint: String,
    pub key_path: Option<PathBuf>,
    pub needs_passphrase: bool,
}

/// Approve or reject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
}

impl Decision {
    pub fn verb(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Reject => "reject",
        }
    }
}

/// A decision to sign and record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignRequest {
    pub change_id: String,
    /// The head commit the reviewer was shown: if the change has moved since,
    /// nothing is signed.
    pub head: String,
    pub decision: Decision,
    pub comment: String,
    /// Remarks on lines, signed with the decision.
    pub remarks: Vec<crate::decision::Remark>,
    pub passphrase: Option<String>,
}

/// The start of the error a sign request gets when the change moved after
/// it was displayed (the dialog offers to reload).
pub const MOVED: &str = "the change moved";

/// What signing did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignOutcome {
    /// One line for the user: "approved abcd2345: recorded and verified".
    pub message: String,
}

/// A past decision with its verification status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    /// RFC 3339 UTC.
    pub at: String,
    pub reviewer: String,
    pub decision: String,
    pub change: String,
    pub base: String,
    pub head: String,
    pub risk_level: String,
    /// `valid`, `bad-signature`, `stale`, …
    pub status: String,
    pub detail: String,
    pub comment: String,
}

/// What changed since the revision last decided on (`show --since-review`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterdiffView {
    /// The interdiff of the two patches, as an ordinary diff.
    pub diff: Diff,
    /// In words: "since 1a2b3c4d5e (reject by alice at …)".
    pub since: String,
    /// The earlier revision's remarks on lines the interdiff shows.
    pub remarks: Vec<crate::decision::Remark>,
    /// How many earlier remarks are on lines not changed since.
    pub unchanged: usize,
}

/// Who is at the keyboard, for the status bar.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    pub repo: String,
    pub reviewer: Option<String>,
    pub key: Option<String>,
}

/// Everything the console needs from the library. Implementations must be cheap
/// to share between threads; every method may block.
pub trait Backend: Send + Sync + 'static {
    /// The repository and reviewer, for the status bar (cheap).
    fn identity(&self) -> Identity;
    /// Lists the queue, reporting rows as they are computed.
    fn load_queue(&self, emit: &mut dyn FnMut(QueueEvent)) -> Result<()>;
    /// The diff of `base..head`.
    fn load_diff(&self, base: &str, head: &str) -> Result<Diff>;
    /// The risk report of a change.
    fn risk(&self, change: &Change, diff: &Diff) -> Result<RiskView>;
    /// The signing key, and the principal it signs as for a change.
    fn signer(&self, change_id: &str) -> Result<SignerInfo>;
    /// Signs and records a decision.
    fn sign(&self, request: &SignRequest) -> Result<SignOutcome>;
    /// Every past decision, newest first, verified.
    fn audit(&self) -> Result<Vec<AuditRow>>;
    /// The interdiff since the revision last decided on; `None` when no
    /// verified decision was made on an earlier revision.
    fn interdiff(&self, change: &Change) -> Result<Option<InterdiffView>> {
        let _ = change;
        Err(not_available("the interdiff"))
    }
    /// The files of `head` the reviewer marked viewed (kept across restarts).
    fn viewed(&self, head: &str) -> Result<Vec<String>> {
        let _ = head;
        Ok(Vec::new())
    }
    /// Keeps the files of `head` marked viewed.
    fn save_viewed(&self, head: &str, paths: &[String]) -> Result<()> {
        let _ = (head, paths);
        Ok(())
    }
}

/// The message shown for parts of the library that are not built yet.
pub fn not_available(what: &str) -> anyhow::Error {
    anyhow!("{what} is not available yet in this build")
}

/// Where the files marked viewed are kept, per head: countersign's cache in
/// the repository's git dir (never in refs: a reviewer's progress is theirs).
fn viewed_store(git_dir: &Path) -> crate::cache::Cache {
    crate::cache::Cache::new(git_dir, "viewed")
}

/// The real backend: the library on a git repository.
pub struct GitBackend {
    git_dir: PathBuf,
    config: RepoConfig,
    identity: Identity,
    /// The `--key` flag.
    key: Option<PathBuf>,
}

impl GitBackend {
    /// Opens the repository at (or above) `path`. `key` is the `--key` flag.
    pub fn open(path: &Path, user: &UserConfig, key: Option<PathBuf>) -> Result<GitBackend> {
        let repo = Repo::open(Some(path))?;
        let config = repo.load_config()?;
        let (_, email) = repo.user_identity();
        let shown_key = key
            .clone()
            .or_else(|| std::env::var_os(crate::decision::keys::KEY_ENV).map(PathBuf::from))
            .or_else(|| user.key.clone())
            .map(|k| k.display().to_string())
            .or_else(|| repo.config_string("user.signingkey"));
        let identity = Identity {
            repo: repo.display_name(),
            reviewer: (email != "unknown").then_some(email),
            key: shown_key,
        };
        Ok(GitBackend {
            git_dir: repo.git_dir(),
            config,
            identity,
            key,
        })
    }

    fn repo(&self) -> Result<Repo> {
        Repo::open_exact(&self.git_dir)
    }
}

impl Backend for GitBackend {
    fn identity(&self) -> Identity {
        self.identity.clone()
    }

    fn load_queue(&self, emit: &mut dyn FnMut(QueueEvent)) -> Result<()> {
        use rayon::prelude::*;
        let repo = self.repo()?;
        let (trust, changes) = crate::queue::list(&repo, &self.config)?;
        emit(QueueEvent::Listed(
            changes
                .iter()
                .map(|c| QueueRow {
                    entry: crate::queue::entry(
                        c.clone(),
                        Default::default(),
                        crate::queue::size_risk(&Default::default()),
                    ),
                    loaded: false,
                    approvals: None,
                })
                .collect(),
        ));
        let cache = crate::cache::Cache::new(&self.git_dir, "stats");
        let (tx, rx) = std::sync::mpsc::channel::<QueueRow>();
        let mut entries = Vec::new();
        let git_dir = self.git_dir.clone();
        std::thread::scope(|s| {
            s.spawn(move || {
                changes.into_par_iter().for_each_with(tx, |tx, change| {
                    let (stats, risk) = match Repo::open_exact(&git_dir) {
                        Ok(r) => crate::queue::change_facts(&r, &cache, &change),
                        Err(_) => (
                            Default::default(),
                            crate::queue::size_risk(&Default::default()),
                        ),
                    };
                    let _ = tx.send(QueueRow {
                        entry: crate::queue::entry(change, stats, risk),
                        loaded: true,
                        approvals: None,
                    });
                });
            });
            for row in rx {
                entries.push(row.entry.clone());
                emit(QueueEvent::Row(Box::new(row)));
            }
        });
        // Decision states and approvals, from the notes, once every row is in.
        if let Some(trust) = &trust {
            crate::queue::fill_queue_state(&repo, trust, &mut entries);
            if let Ok(index) = crate::record_index::RecordIndex::load(&repo) {
                crate::revisions::fill_last_decided(trust, &index, &mut entries);
            }
        }
        for entry in entries {
            let approvals = Some((entry.approvals.have, entry.approvals.need));
            emit(QueueEvent::Row(Box::new(QueueRow {
                entry,
                loaded: true,
                approvals,
            })));
        }
        Ok(())
    }

    fn load_diff(&self, base: &str, head: &str) -> Result<Diff> {
        Ok(self.repo()?.diff(base, head)?.diff)
    }

    fn risk(&self, change: &Change, diff: &Diff) -> Result<RiskView> {
        let repo = self.repo()?;
        // The review already has the diff: the engine reuses it on a cache
        // miss; the analyzers of the trust root run here, off the UI thread.
        let analysed = crate::analyzers::analysed_report(
            &repo,
            &change.base,
            &change.head,
            diff,
            crate::analyzers::AnalysisOptions { run_local: true },
        )?;
        let report = &analysed.report;
        let view = |f: &crate::risk::Finding| FindingView {
            rule: f.rule.clone(),
            severity: f.severity,
            path: f.path.clone(),
            line: f.line,
            side: f.side.diff_side(),
            message: f.message.clone(),
        };
        Ok(RiskView {
            score: report.score,
            level: report.level.as_str().to_string(),
            findings: report.findings.iter().map(view).collect(),
            blast: (!report.blast.summary.is_empty()).then(|| report.blast.summary.clone()),
            hidden_findings: analysed.analyzers.hidden.iter().map(view).collect(),
        })
    }

    fn signer(&self, change_id: &str) -> Result<SignerInfo> {
        let repo = self.repo()?;
        let trust = crate::trust::TrustRoot::load(&repo, None)?;
        let loc = crate::deciding::user_key_location(&repo, self.key.as_deref())?;
        let encrypted = crate::decision::keys::needs_passphrase(&loc);
        let env_pass = std::env::var(crate::decision::keys::PASSPHRASE_ENV).ok();
        let public = match (&loc.path, encrypted) {
            (Some(path), true) => {
                let text = std::fs::read(path)?;
                ssh_key::PrivateKey::from_openssh(text)?
                    .public_key()
                    .clone()
            }
            _ => crate::decision::keys::load_signer_with(&loc, &|p: &Path| {
                Err(anyhow!("{} needs a passphrase", p.display()))
            })?
            .public_key()
            .clone(),
        };
        let fingerprint = public.fingerprint(ssh_key::HashAlg::Sha256).to_string();
        let _ = change_id;
        let patterns = trust.signers.principals_for(public.key_data());
        if patterns.is_empty() {
            return Err(anyhow!(
                "your key {fingerprint} is not in .countersign/allowed_signers at the trust root {} ({}); ask a maintainer to add it",
                trust.reference,
                trust.short()
            ));
        }
        let (_, email) = repo.user_identity();
        let principal = trust
            .principal_for(public.key_data(), &email)
            .unwrap_or(email);
        Ok(SignerInfo {
            principal,
            fingerprint,
            key_path: loc.path.clone(),
            needs_passphrase: encrypted && env_pass.is_none(),
        })
    }

    fn sign(&self, request: &SignRequest) -> Result<SignOutcome> {
        use crate::deciding::Decided;
        let repo = self.repo()?;
        let trust = crate::trust::TrustRoot::load(&repo, None)?;
        let change = trust.find_change(&repo, &request.change_id)?;
        let loc = crate::deciding::user_key_location(&repo, self.key.as_deref())?;
        let typed = request.passphrase.clone();
        let signer = crate::decision::keys::load_signer_with(&loc, &|p: &Path| {
            typed
                .clone()
                .or_else(|| std::env::var(crate::decision::keys::PASSPHRASE_ENV).ok())
                .ok_or_else(|| anyhow!("{} needs its passphrase", p.display()))
        })?;
        let decision = match request.decision {
            Decision::Approve => crate::decision::Decision::Approve,
            Decision::Reject => crate::decision::Decision::Reject,
        };
        match crate::deciding::decide(
            &repo,
            &trust,
            &change,
            Some(&request.head),
            crate::deciding::Judgement {
                decision,
                comment: &request.comment,
                remarks: &request.remarks,
            },
            &signer,
        )? {
            Decided::Refused(why) => Err(anyhow!(why)),
            Decided::Moved { seen, now } => Err(anyhow!(
                "{}: {} has moved since you opened it (you saw {}, its head is now {}); nothing was signed. Press R to reload it",
                MOVED,
                change.id,
                seen.chars().take(12).collect::<String>(),
                now.chars().take(12).collect::<String>()
            )),
            Decided::Recorded { record, verdict } => Ok(SignOutcome {
                message: format!(
                    "{} {} as {}: recorded and verified; now {} ({} of {} approvals)",
                    match request.decision {
                        Decision::Approve => "approved",
                        Decision::Reject => "rejected",
                    },
                    change.id,
                    record.reviewer,
                    verdict.state,
                    verdict.approvals,
                    verdict.required
                ),
            }),
        }
    }

    fn interdiff(&self, change: &Change) -> Result<Option<InterdiffView>> {
        let repo = self.repo()?;
        let trust = crate::trust::TrustRoot::load(&repo, None)?;
        let Some(s) = crate::revisions::since_review(&repo, &trust, change)? else {
            return Ok(None);
        };
        let r = &s.decision.record;
        Ok(Some(InterdiffView {
            since: format!(
                "since {} ({} by {} at {})",
                r.head.chars().take(10).collect::<String>(),
                r.decision.as_str(),
                r.reviewer,
                r.at
            ),
            diff: s.interdiff.diff,
            remarks: s.interdiff.placed,
            unchanged: s.interdiff.unchanged.len(),
        }))
    }

    fn viewed(&self, head: &str) -> Result<Vec<String>> {
        Ok(viewed_store(&self.git_dir).get(head).unwrap_or_default())
    }

    fn save_viewed(&self, head: &str, paths: &[String]) -> Result<()> {
        viewed_store(&self.git_dir).put(head, &paths);
        Ok(())
    }

    fn audit(&self) -> Result<Vec<AuditRow>> {
        let repo = self.repo()?;
        let trust = crate::trust::TrustRoot::load(&repo, None)?;
        let audit = crate::audit::run(&repo, &trust, &crate::audit::Filter::default())?;
        Ok(audit
            .decisions
            .into_iter()
            .map(|e| {
                let status = e.status.as_str().to_string();
                match e.record {
                    Some(r) => AuditRow {
                        at: r.at,
                        reviewer: r.reviewer,
                        decision: r.decision.as_str().to_string(),
                        change: r.change,
                        base: r.base,
                        head: r.head,
                        risk_level: r.risk.level,
                        status,
                        detail: e.detail,
                        comment: r.comment,
                    },
                    None => AuditRow {
                        at: String::new(),
                        reviewer: String::new(),
                        decision: String::new(),
                        change: String::new(),
                        base: String::new(),
                        head: String::new(),
                        risk_level: String::new(),
                        status,
                        detail: format!(
                            "{} (note {}, line {})",
                            e.detail, e.note_commit, e.note_line
                        ),
                        comment: String::new(),
                    },
                }
            })
            .collect())
    }
}
