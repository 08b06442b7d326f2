//! The gate over a repository: reads the policy and allowed signers at a
//! change's base, the decision records from notes, and judges changes with
//! `decision::gate::evaluate`. `check`, `approve`/`reject`, the queue's state
//! column and the TUI all go through here.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::cache::Cache;
use crate::change::Change;
use crate::config::RepoConfig;
use crate::decision::policy::{POLICY_PATH, SIGNERS_PATH};
use crate::decision::record::{ParsedRecord, now_rfc3339, parse_line};
use crate::decision::signers::match_pattern;
use crate::decision::{
    AllowedSigners, Candidate, ChangeFacts, Decision, NAMESPACE, Policy, RECORD_VERSION, Record,
    RiskField, Signer, Status, Verdict, Verified, evaluate, verify_signature,
};
use crate::git::Repo;
use crate::trailers::ai_tool;

/// The policy in force for changes on a given base.
#[derive(Debug, Clone)]
pub struct BasePolicy {
    pub policy: Policy,
    pub signers: AllowedSigners,
    /// The repository identity records must name.
    pub repo_id: String,
    /// Problems with the files (refused allowed_signers lines, missing files).
    pub problems: Vec<String>,
}

/// Reads the policy and allowed signers from the tree of `base` (never from a
/// change). Without `.countersign/allowed_signers` there, git's
/// `gpg.ssh.allowedSignersFile` is used. A malformed policy.toml is bad input.
pub fn base_policy(repo: &Repo, base: &str) -> Result<BasePolicy> {
    base_policy_with(repo, base, &mut HashMap::new())
}

/// The root commit reached from `rev` by first parents, remembering every
/// commit walked in `roots` so that many bases cost one walk.
pub fn root_of(repo: &Repo, rev: &str, roots: &mut HashMap<String, String>) -> Result<String> {
    let mut walked = Vec::new();
    let mut c = repo.resolve_commit(rev)?;
    let root = loop {
        if let Some(r) = roots.get(&c) {
            break r.clone();
        }
        match repo.first_parent(&c)? {
            Some(p) => walked.push(std::mem::replace(&mut c, p)),
            None => {
                let r = c.clone();
                walked.push(c);
                break r;
            }
        }
    };
    for w in walked {
        roots.insert(w, root.clone());
    }
    Ok(root)
}

/// Parsed policy files, keyed by their bytes (many bases share them).
pub type ParsedFiles = HashMap<(Option<Vec<u8>>, Option<Vec<u8>>), (Policy, AllowedSigners)>;

/// [`base_policy`] with a cache of root commits.
pub fn base_policy_with(
    repo: &Repo,
    base: &str,
    roots: &mut HashMap<String, String>,
) -> Result<BasePolicy> {
    base_policy_cached(repo, base, roots, &mut HashMap::new())
}

fn base_policy_cached(
    repo: &Repo,
    base: &str,
    roots: &mut HashMap<String, String>,
    parsed: &mut ParsedFiles,
) -> Result<BasePolicy> {
    let short = &base[..base.len().min(12)];
    let mut problems = Vec::new();
    let policy_bytes = repo.read_file_at(base, POLICY_PATH)?;
    let signers_bytes = repo.read_file_at(base, SIGNERS_PATH)?;
    let key = (policy_bytes, signers_bytes);
    if key.1.is_some()
        && let Some((policy, signers)) = parsed.get(&key)
    {
        problems.extend(signers.errors.iter().cloned());
        let repo_id = match &policy.repository {
            Some(r) => r.clone(),
            None => root_of(repo, base, roots)?,
        };
        return Ok(BasePolicy {
            policy: policy.clone(),
            signers: signers.clone(),
            repo_id,
            problems,
        });
    }
    let (policy_bytes, signers_bytes) = key.clone();
    let policy = match policy_bytes {
        Some(bytes) => Policy::parse(
            &String::from_utf8_lossy(&bytes),
            &format!("{POLICY_PATH} at {short}"),
        )?,
        None => Policy::default(),
    };
    let signers = match signers_bytes {
        Some(bytes) => AllowedSigners::parse(
            &String::from_utf8_lossy(&bytes),
            &format!("{SIGNERS_PATH} at {short}"),
        ),
        None => match repo.config_string("gpg.ssh.allowedSignersFile") {
            Some(path) => {
                let path = expand_home(&path);
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("reading gpg.ssh.allowedSignersFile {path}"))?;
                AllowedSigners::parse(&text, &path)
            }
            None => {
                problems.push(format!(
                    "no {SIGNERS_PATH} at base {short}: nobody may approve; run `countersign init --senior <principal>=<key.pub>` and commit .countersign/"
                ));
                AllowedSigners::default()
            }
        },
    };
    problems.extend(signers.errors.iter().cloned());
    if key.1.is_some() {
        parsed.insert(key, (policy.clone(), signers.clone()));
    }
    let repo_id = match &policy.repository {
        Some(r) => r.clone(),
        None => root_of(repo, base, roots)?,
    };
    Ok(BasePolicy {
        policy,
        signers,
        repo_id,
        problems,
    })
}

fn expand_home(p: &str) -> String {
    match (p.strip_prefix("~/"), std::env::var("HOME")) {
        (Some(rest), Ok(home)) => format!("{home}/{rest}"),
        _ => p.to_string(),
    }
}

/// Base policies, read once per base.
pub struct Policies<'r> {
    repo: &'r Repo,
    cache: HashMap<String, Arc<BasePolicy>>,
    roots: HashMap<String, String>,
    parsed: ParsedFiles,
}

impl<'r> Policies<'r> {
    pub fn new(repo: &'r Repo) -> Self {
        Policies {
            repo,
            cache: HashMap::new(),
            roots: HashMap::new(),
            parsed: HashMap::new(),
        }
    }

    /// The policy at `base`.
    pub fn at(&mut self, base: &str) -> Result<Arc<BasePolicy>> {
        if let Some(p) = self.cache.get(base) {
            return Ok(p.clone());
        }
        let p = Arc::new(base_policy_cached(
            self.repo,
            base,
            &mut self.roots,
            &mut self.parsed,
        )?);
        self.cache.insert(base.to_string(), p.clone());
        Ok(p)
    }
}

/// One line of a decision note.
#[derive(Debug, Clone)]
pub struct NoteLine {
    /// The commit the note is attached to.
    pub commit: String,
    /// 1-based line number in the note.
    pub line: usize,
    /// The record, or why the line is malformed.
    pub parsed: Result<ParsedRecord, String>,
    /// The start of the line (for malformed ones), escaped for display.
    pub excerpt: String,
}

/// How many malformed lines of one note are listed one by one.
pub const MAX_MALFORMED_PER_NOTE: usize = 100;

/// Every line of every decision note, indexed by change id and head.
#[derive(Debug, Clone, Default)]
pub struct RecordIndex {
    pub lines: Vec<NoteLine>,
    by_change: HashMap<String, Vec<usize>>,
    by_head: HashMap<String, Vec<usize>>,
    by_patch: HashMap<String, Vec<usize>>,
}

impl RecordIndex {
    /// Reads every note of the repository.
    pub fn load(repo: &Repo) -> Result<RecordIndex> {
        Ok(Self::from_notes(repo.all_notes()?))
    }

    /// Indexes notes given as (commit, bytes). Lines are parsed in parallel.
    pub fn from_notes(notes: Vec<(String, Vec<u8>)>) -> RecordIndex {
        use rayon::prelude::*;
        let parsed: Vec<Vec<NoteLine>> = notes
            .par_iter()
            .map(|(commit, bytes)| note_lines(commit, bytes))
            .collect();
        let mut idx = RecordIndex::default();
        for l in parsed.into_iter().flatten() {
            idx.push(l);
        }
        idx
    }

    fn push(&mut self, l: NoteLine) {
        let n = self.lines.len();
        self.by_head.entry(l.commit.clone()).or_default().push(n);
        if let Ok(p) = &l.parsed {
            self.by_change
                .entry(p.record.change.clone())
                .or_default()
                .push(n);
            if let Some(pid) = &p.record.patch_id {
                self.by_patch.entry(pid.clone()).or_default().push(n);
            }
            if p.record.head != l.commit {
                self.by_head
                    .entry(p.record.head.clone())
                    .or_default()
                    .push(n);
            }
        }
        self.lines.push(l);
    }

    /// Lines that may bear on a change: naming its id, or its head (in the
    /// record or as the commit carrying the note).
    pub fn for_change(&self, id: &str, head: &str) -> Vec<&NoteLine> {
        self.for_content(id, head, None)
    }

    /// Like [`for_change`](Self::for_change), plus records of exactly the same
    /// patch (same verbatim patch-id) under another id: a squash-merge or
    /// cherry-pick of approved content keeps its approvals, as a clean rebase
    /// does.
    pub fn for_content(&self, id: &str, head: &str, patch_id: Option<&str>) -> Vec<&NoteLine> {
        let mut seen = HashSet::new();
        self.by_change
            .get(id)
            .into_iter()
            .chain(self.by_head.get(head))
            .chain(patch_id.and_then(|p| self.by_patch.get(p)))
            .flatten()
            .filter(|i| seen.insert(**i))
            .map(|i| &self.lines[*i])
            .collect()
    }
}

/// The lines of one note: records, and malformed lines (the first
/// `MAX_MALFORMED_PER_NOTE` one by one, then one line counting the rest).
fn note_lines(commit: &str, bytes: &[u8]) -> Vec<NoteLine> {
    let mut out = Vec::new();
    let mut malformed = 0usize;
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let text = String::from_utf8_lossy(raw);
        let parsed = parse_line(&text);
        if parsed.is_err() {
            malformed += 1;
            if malformed > MAX_MALFORMED_PER_NOTE {
                continue;
            }
        }
        let excerpt: String = text.chars().take(80).collect();
        out.push(NoteLine {
            commit: commit.to_string(),
            line: i + 1,
            parsed,
            excerpt: crate::sanitize::escape_line(&excerpt),
        });
    }
    if malformed > MAX_MALFORMED_PER_NOTE {
        out.push(NoteLine {
            commit: commit.to_string(),
            line: 0,
            parsed: Err(format!(
                "{} more malformed lines in this note are not listed",
                malformed - MAX_MALFORMED_PER_NOTE
            )),
            excerpt: String::new(),
        });
    }
    out
}

/// Verifies a note line against a base policy, including its placement and
/// repository identity; `None` for malformed lines.
pub fn verify_line(line: &NoteLine, bp: &BasePolicy) -> Option<Candidate> {
    let parsed = line.parsed.as_ref().ok()?;
    let mut verified = verify_signature(parsed, &bp.signers);
    if verified.status == Status::Valid && parsed.record.head != line.commit {
        verified = Verified {
            status: Status::Replayed,
            detail: format!(
                "the record names head {} but is attached to commit {} (copied from another commit)",
                short(&parsed.record.head),
                short(&line.commit)
            ),
        };
    }
    if verified.status == Status::Valid && parsed.record.repo != bp.repo_id {
        verified = Verified {
            status: Status::WrongRepo,
            detail: format!(
                "the record names repository {:?}, this one is {:?} (copied from another repository)",
                parsed.record.repo, bp.repo_id
            ),
        };
    }
    Some(Candidate {
        record: parsed.record.clone(),
        verified,
    })
}

fn short(id: &str) -> &str {
    &id[..id.len().min(12)]
}

/// What the gate needs from a change's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Content {
    pub patch_id: Option<String>,
    pub tree: String,
    pub risk: RiskField,
}

/// The risk level order.
pub fn level_rank(level: &str) -> u8 {
    match level {
        "low" => 0,
        "medium" => 1,
        "high" => 2,
        _ => 3,
    }
}

/// A change's content facts (patch-id, tree, risk), cached by commit ids.
///
/// The risk is the risk engine's report under the rules as of the base (never
/// the change's own rules). A change touching `.countersign/` is critical
/// whatever the engine says: it edits the rules it would be judged by.
pub fn content(repo: &Repo, base: &str, head: &str) -> Result<Content> {
    let cache = Cache::new(&repo.git_dir(), "gate");
    let key = format!("v2-{base}-{head}");
    if let Some(c) = cache.get::<Content>(&key) {
        return Ok(c);
    }
    let d = repo.diff(base, head)?;
    let touches_policy = d.diff.files.iter().any(|f| {
        [&f.path.minus, &f.path.plus]
            .into_iter()
            .flatten()
            .any(|p| p.starts_with(".countersign/"))
    });
    let report = crate::risk::analyse_range(repo, base, head)?;
    let risk = if touches_policy {
        RiskField {
            level: "critical".into(),
            score: report.score.max(100),
        }
    } else {
        RiskField {
            level: report.level.as_str().into(),
            score: report.score,
        }
    };
    let c = Content {
        patch_id: d.patch_id,
        tree: repo.tree_of(head)?,
        risk,
    };
    cache.put(&key, &c);
    Ok(c)
}

/// The emails of everyone who authored or committed part of a change (at most
/// the 1,000 newest commits are read). The submitter is not included: a senior
/// who queues an agent's branch (`submit`, `scan`) may still review it.
pub fn contributors(repo: &Repo, change: &Change) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let range = format!("{}..{}", change.base, change.head);
    for id in repo
        .commits_in_range(&range, "")
        .unwrap_or_default()
        .iter()
        .take(1000)
    {
        if let Ok(c) = repo.commit_info(id) {
            out.push(c.author_email);
            out.push(c.committer_email);
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Judges one change.
pub fn verdict(
    repo: &Repo,
    policies: &mut Policies<'_>,
    index: &RecordIndex,
    change: &Change,
    level_floor: Option<&str>,
) -> Result<Verdict> {
    let bp = policies.at(&change.base)?;
    let c = content(repo, &change.base, &change.head)?;
    let level = match level_floor {
        Some(l) if level_rank(l) > level_rank(&c.risk.level) => l.to_string(),
        _ => c.risk.level.clone(),
    };
    let facts = ChangeFacts {
        id: change.id.clone(),
        head: change.head.clone(),
        base: change.base.clone(),
        patch_id: c.patch_id.clone(),
        author_email: change.author_email.clone(),
        committer_email: change.committer_email.clone(),
        contributors: contributors(repo, change),
        level,
    };
    let candidates: Vec<Candidate> = index
        .for_content(&change.id, &change.head, c.patch_id.as_deref())
        .into_iter()
        .filter_map(|l| verify_line(l, &bp))
        .collect();
    let mut v = evaluate(&facts, &bp.repo_id, &bp.policy, &candidates);
    if !v.approved {
        v.reasons.extend(bp.problems.iter().cloned());
    }
    Ok(v)
}

/// The answer of `check`.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub ok: bool,
    pub range: String,
    pub changes: Vec<Verdict>,
}

/// The gate: judges every AI-assisted change in `target` (a range `A..B`, or a
/// revision meaning `<target branch>..rev`): queued changes whose head is in the
/// range, changes named by records on commits in the range, and runs of
/// AI-assisted commits that neither covers (never approved).
pub fn check(repo: &Repo, cfg: &RepoConfig, target: &str) -> Result<CheckReport> {
    let commits = repo.commits_in_range(target, &cfg.target)?;
    let in_range: HashSet<&str> = commits.iter().map(String::as_str).collect();
    let index = RecordIndex::load(repo)?;
    let mut considered: Vec<Change> = crate::git::list_changes(repo, cfg)?
        .into_iter()
        .filter(|c| in_range.contains(c.head.as_str()))
        .collect();
    // Changes known only from records (e.g. on a server without queue refs).
    let mut from_records: BTreeMap<String, Vec<&Record>> = BTreeMap::new();
    for l in &index.lines {
        let Ok(p) = &l.parsed else { continue };
        let r = &p.record;
        if in_range.contains(r.head.as_str())
            && r.head == l.commit
            && !considered
                .iter()
                .any(|c| c.id == r.change || c.head == r.head)
        {
            from_records.entry(r.change.clone()).or_default().push(r);
        }
    }
    for (id, recs) in from_records {
        let heads: HashSet<&str> = recs.iter().map(|r| r.head.as_str()).collect();
        for r in recs.iter().filter(|r| {
            // Only the newest head of a change (not an ancestor of another).
            !heads
                .iter()
                .any(|h| *h != r.head && repo.is_ancestor(&r.head, h).unwrap_or(false))
        }) {
            if considered.iter().any(|c| c.id == id && c.head == r.head)
                || !repo.has_revision(&r.base)
            {
                continue;
            }
            considered.push(change_for(repo, &id, &r.base, &r.head, "")?);
        }
    }
    // Commits covered by those changes.
    let mut covered: HashSet<String> = HashSet::new();
    for c in &considered {
        covered.extend(repo.commits_in_range(&format!("{}..{}", c.base, c.head), "")?);
    }
    // Runs of uncovered AI-assisted commits, oldest first.
    let mut runs: Vec<(String, String)> = Vec::new(); // (base, head)
    for id in commits.iter().rev() {
        if covered.contains(id) {
            continue;
        }
        let info = repo.commit_info(id)?;
        if info.parents.len() != 1 || ai_tool(&info.message, &cfg.ai).is_none() {
            continue;
        }
        let parent = &info.parents[0];
        if let Some(run) = runs.iter_mut().find(|r| &r.1 == parent) {
            run.1 = id.clone();
        } else {
            runs.push((parent.clone(), id.clone()));
        }
    }
    let unqueued: HashSet<String> = runs.iter().map(|r| r.1.clone()).collect();
    for (base, head) in &runs {
        considered.push(change_for(repo, &head[..12], base, head, "")?);
    }
    let mut policies = Policies::new(repo);
    let mut changes = Vec::new();
    for c in &considered {
        let mut v = verdict(repo, &mut policies, &index, c, None)?;
        if unqueued.contains(&c.head) && !v.approved {
            v.reasons.insert(
                0,
                format!(
                    "AI-assisted commits {}..{} are not in the queue: run `countersign scan {}..{}` and have a senior approve",
                    short(&c.base),
                    short(&c.head),
                    c.base,
                    c.head
                ),
            );
        }
        changes.push(v);
    }
    Ok(CheckReport {
        ok: changes.iter().all(|v| v.approved),
        range: target.to_string(),
        changes,
    })
}

/// A change value for a base..head that is not (or no longer) queued.
fn change_for(repo: &Repo, id: &str, base: &str, head: &str, title: &str) -> Result<Change> {
    let info = repo.commit_info(head)?;
    Ok(Change {
        id: id.to_string(),
        title: if title.is_empty() {
            info.subject().to_string()
        } else {
            title.to_string()
        },
        author: info.author(),
        author_email: info.author_email.clone(),
        committer_email: info.committer_email.clone(),
        tool: "unknown".into(),
        base: base.to_string(),
        head: head.to_string(),
        target: String::new(),
        source: crate::change::ChangeSource::Scan,
        ref_name: String::new(),
        submitted_from: None,
        submitter: None,
        submitted_at: info.time,
        authored_at: info.time,
    })
}

/// Approvals of a queue row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct ApprovalCount {
    pub have: u32,
    pub need: u32,
}

/// Fills the `state` and `approvals` of queue rows. Errors leave a row pending.
pub fn fill_queue_state(repo: &Repo, entries: &mut [crate::queue::QueueEntry]) {
    let Ok(index) = RecordIndex::load(repo) else {
        return;
    };
    let mut policies = Policies::new(repo);
    for e in entries.iter_mut() {
        // Without any record for its id, head or patch the change is pending:
        // only the policy's count is needed, not the change's content again.
        let records = index.for_content(&e.change.id, &e.change.head, e.patch_id.as_deref());
        if records.is_empty() {
            if let Ok(bp) = policies.at(&e.change.base) {
                e.state = "pending".into();
                e.approvals = ApprovalCount {
                    have: 0,
                    need: bp.policy.required(&e.risk.level),
                };
            }
            continue;
        }
        if let Ok(v) = verdict(repo, &mut policies, &index, &e.change, Some(&e.risk.level)) {
            e.state = v.state.clone();
            e.approvals = ApprovalCount {
                have: v.approvals,
                need: v.required,
            };
        }
    }
}

/// The principal a key signs as under a base's allowed_signers: the listed
/// principal equal to git's `user.email` if there are several, else the first
/// concrete one, else `user.email` when a wildcard line admits it.
pub fn principal_for(
    bp: &BasePolicy,
    key_data: &ssh_key::public::KeyData,
    user_email: &str,
) -> Option<String> {
    let patterns = bp.signers.principals_for(key_data);
    let concrete: Vec<&String> = patterns
        .iter()
        .filter(|p| !p.contains(['*', '?']) && !p.starts_with('!'))
        .collect();
    concrete
        .iter()
        .find(|p| p.eq_ignore_ascii_case(user_email))
        .or(concrete.first())
        .map(|p| p.to_string())
        .or_else(|| {
            patterns
                .iter()
                .any(|p| match_pattern(user_email.as_bytes(), p.as_bytes()))
                .then(|| user_email.to_string())
        })
}

/// The result of `decide`.
#[derive(Debug, Clone)]
pub enum Decided {
    /// The record was written to the note of the change's head.
    Recorded {
        record: Box<Record>,
        verdict: Box<Verdict>,
    },
    /// Nothing was written, and why.
    Refused(String),
}

/// Signs and records a decision on `change` with `signer`. Refuses (writing
/// nothing) when the key is not an allowed senior at the change's base or the
/// reviewer would approve their own change against the policy.
pub fn decide(
    repo: &Repo,
    change: &Change,
    decision: Decision,
    comment: &str,
    remarks: &[crate::decision::Remark],
    signer: &Signer,
) -> Result<Decided> {
    let bp = base_policy(repo, &change.base)?;
    let key_data = signer.public_key().key_data();
    let fp = signer.fingerprint();
    let (_, user_email) = repo.user_identity();
    let principal = principal_for(&bp, key_data, &user_email);
    let base_short = short(&change.base);
    let Some(principal) = principal else {
        return Ok(Decided::Refused(format!(
            "your key {fp} is not in {SIGNERS_PATH} at the change's base {base_short}; ask a maintainer to add it (countersign init --senior <you>=<key.pub>) and commit it to the target branch"
        )));
    };
    let now = chrono::Utc::now().timestamp();
    if let Err(p) = bp.signers.check(&principal, key_data, NAMESPACE, now) {
        let why = match p {
            crate::decision::signers::SignerProblem::Unknown(w)
            | crate::decision::signers::SignerProblem::Expired(w) => w,
        };
        return Ok(Decided::Refused(format!(
            "your key {fp} may not sign decisions as {principal} now: {why}"
        )));
    }
    if !bp.policy.is_senior(&principal) {
        return Ok(Decided::Refused(format!(
            "{principal} is not a senior in {POLICY_PATH} at the change's base {base_short}; only seniors decide"
        )));
    }
    let facts = ChangeFacts {
        id: change.id.clone(),
        head: change.head.clone(),
        base: change.base.clone(),
        patch_id: None,
        author_email: change.author_email.clone(),
        committer_email: change.committer_email.clone(),
        contributors: contributors(repo, change),
        level: String::new(),
    };
    if decision == Decision::Approve
        && !bp.policy.self_approval
        && crate::decision::gate::is_contributor(&principal, &facts)
    {
        return Ok(Decided::Refused(format!(
            "{principal} wrote this change and the policy forbids self-approval; ask another senior"
        )));
    }
    let c = content(repo, &change.base, &change.head)?;
    let mut record = Record {
        v: RECORD_VERSION,
        repo: bp.repo_id.clone(),
        change: change.id.clone(),
        base: change.base.clone(),
        head: change.head.clone(),
        tree: c.tree.clone(),
        patch_id: c.patch_id.clone(),
        decision,
        reviewer: principal,
        key: fp,
        at: now_rfc3339(),
        risk: c.risk.clone(),
        comment: comment.to_string(),
        remarks: remarks.to_vec(),
        sig: String::new(),
    };
    record.sig = signer.sign(record.payload().as_bytes())?;
    let line = record.to_line();
    // Never write what we could not read back as valid.
    let parsed = parse_line(&line).map_err(|e| anyhow::anyhow!("internal: {e}"))?;
    let check = verify_signature(&parsed, &bp.signers);
    if check.status != Status::Valid {
        return Ok(Decided::Refused(format!(
            "the signature did not verify ({}: {}); nothing was recorded",
            check.status.as_str(),
            check.detail
        )));
    }
    repo.append_note_line(&change.head, &line)?;
    let all = RecordIndex::load(repo)?;
    let mut policies = Policies::new(repo);
    let verdict = verdict(repo, &mut policies, &all, change, None)?;
    Ok(Decided::Recorded {
        record: Box::new(record),
        verdict: Box::new(verdict),
    })
}

/// Where the user's signing key is, in the documented order: `cli_key`
/// (`--key`), `$COUNTERSIGN_KEY`, the user config's `key`, then git's
/// `user.signingkey`. Nothing is read or unlocked yet: a UI calls
/// `decision::keys::load_signer_with` with its own passphrase prompt.
pub fn user_key_location(
    repo: &Repo,
    cli_key: Option<&std::path::Path>,
) -> Result<crate::decision::keys::KeyLocation> {
    let user = crate::config::UserConfig::load()?;
    let env = std::env::var(crate::decision::keys::KEY_ENV).ok();
    let git_key = repo.config_string("user.signingkey");
    crate::decision::locate_key(
        cli_key,
        env.as_deref(),
        user.key.as_deref(),
        git_key.as_deref(),
    )
}
