//! The gate: which commits are gated, and the verdict on each change, all
//! under one [`TrustRoot`]. A change's base is computed (merge-base of its
//! head with the trust root), its content (patch-id, risk under the trust
//! root's rules) is computed from that base, and the records that bear on it
//! are verified under the trust root's signers. `check` judges a range.

use std::collections::{BTreeMap, HashSet};

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::cache::Cache;
use crate::change::Change;
use crate::decision::policy::Scope;
use crate::decision::verify::commit_signer;
use crate::decision::{Candidate, ChangeFacts, Record, RiskField, Verdict, evaluate};
use crate::git::{CommitInfo, Repo};
use crate::record_index::{RecordIndex, short, verify_line};
use crate::trailers::ai_tool;
use crate::trust::{TrustRef, TrustRoot};

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

/// A change's content facts (patch-id, tree, risk) for `base..head`, cached
/// by commit ids and the trust root's rules.
///
/// The risk is the engine's report under the trust root's rules (never the
/// change's own). A change touching `.countersign/` is critical whatever the
/// engine says: it edits the rules it would be judged by.
pub fn content(repo: &Repo, trust: &TrustRoot, base: &str, head: &str) -> Result<Content> {
    let cache = Cache::new(&repo.git_dir(), "gate");
    let rules_key = crate::cache::key_of(trust.rules.as_deref().unwrap_or("").as_bytes());
    let key = format!("v3-{base}-{head}-{rules_key}");
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
    let report =
        crate::risk::analyse_under(repo, base, head, Some(&d.diff), trust.rules.as_deref())?;
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

/// Who wrote part of `base..head` (at most the 1,000 newest commits are
/// read): author and committer emails, the principals whose keys (in the
/// trust root's allowed_signers) made the SSH signatures of its commits, and
/// those keys' fingerprints. The submitter is not included: a senior who
/// queues an agent's branch may still review it.
pub fn contributors(
    repo: &Repo,
    trust: &TrustRoot,
    base: &str,
    head: &str,
) -> (Vec<String>, Vec<String>) {
    let mut people: Vec<String> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    for id in repo
        .commits_between(&[head], &[base])
        .unwrap_or_default()
        .iter()
        .take(1000)
    {
        if let Ok(c) = repo.commit_info(id) {
            people.push(c.author_email);
            people.push(c.committer_email);
        }
        if let Ok(Some((sig, data))) = repo.commit_signature(id)
            && let Some(key) = commit_signer(&sig, &data)
        {
            keys.push(key.fingerprint(ssh_key::HashAlg::Sha256).to_string());
            people.extend(
                trust
                    .signers
                    .principals_for(key.key_data())
                    .into_iter()
                    .filter(|p| !p.contains(['*', '?']) && !p.starts_with('!')),
            );
        }
    }
    people.sort();
    people.dedup();
    keys.sort();
    keys.dedup();
    (people, keys)
}

/// The facts of `change` as the gate sees them, with its computed `base`.
pub fn facts(
    repo: &Repo,
    trust: &TrustRoot,
    change: &Change,
    base: &str,
    patch_id: Option<String>,
    level: String,
) -> ChangeFacts {
    let (contributors, signer_keys) = contributors(repo, trust, base, &change.head);
    ChangeFacts {
        id: change.id.clone(),
        head: change.head.clone(),
        base: base.to_string(),
        patch_id,
        author_email: change.author_email.clone(),
        committer_email: change.committer_email.clone(),
        contributors,
        signer_keys,
        level,
    }
}

/// The verifier's clock, seconds since the epoch.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Judges one change under the trust root. The base is computed; the
/// change's declared base is ignored. `level_floor` raises the risk level
/// (the queue passes what it showed).
pub fn verdict(
    repo: &Repo,
    trust: &TrustRoot,
    index: &RecordIndex,
    change: &Change,
    level_floor: Option<&str>,
) -> Result<Verdict> {
    let Some(base) = trust.base_of(repo, &change.head)? else {
        if repo.is_shallow() {
            // The merge-base may be cut off, not absent: judging without it
            // would be guessing.
            return Err(crate::error::BadInput::new(format!(
                "{} shares no history with the trust root {} in this shallow clone; run `git fetch --unshallow` (or clone with full history) first",
                short(&change.head),
                trust.reference
            ))
            .into());
        }
        return Ok(unjudgeable(
            trust,
            change,
            format!(
                "{} shares no history with the trust root {} ({}): it cannot be approved; rebase it onto the target branch",
                short(&change.head),
                trust.reference,
                trust.short()
            ),
        ));
    };
    if base == change.head {
        return Ok(unjudgeable(
            trust,
            change,
            format!(
                "{} is already on the trust root {}: nothing to judge (see `countersign audit --landed`)",
                short(&change.head),
                trust.reference
            ),
        ));
    }
    let c = content(repo, trust, &base, &change.head)?;
    let level = match level_floor {
        Some(l) if level_rank(l) > level_rank(&c.risk.level) => l.to_string(),
        _ => c.risk.level.clone(),
    };
    let facts = facts(repo, trust, change, &base, c.patch_id.clone(), level);
    let now = now();
    let candidates: Vec<Candidate> = index
        .for_content(&change.id, &change.head, c.patch_id.as_deref())
        .into_iter()
        .filter_map(|l| verify_line(l, trust, now))
        .collect();
    let mut v = evaluate(&facts, &trust.repo_id, &trust.policy, &candidates);
    if !v.approved {
        v.reasons.extend(trust.problems.iter().cloned());
    }
    Ok(v)
}

/// A verdict for a change the gate cannot judge (not approved, one reason).
fn unjudgeable(trust: &TrustRoot, change: &Change, why: String) -> Verdict {
    Verdict {
        id: change.id.clone(),
        head: change.head.clone(),
        base: String::new(),
        approved: false,
        state: "pending".into(),
        approvals: 0,
        required: trust.policy.required("critical"),
        level: "critical".into(),
        approved_by: Vec::new(),
        rejected_by: Vec::new(),
        reasons: vec![why],
    }
}

/// Why a commit is gated, in words; `None` when it is not.
pub fn gated_why(trust: &TrustRoot, info: &CommitInfo) -> Option<String> {
    if trust.policy.gate.scope == Scope::All {
        return Some("scope = \"all\"".into());
    }
    if let Some(tool) = ai_tool(&info.message, &trust.config.ai) {
        return Some(format!("AI trailer: {tool}"));
    }
    for email in [&info.author_email, &info.committer_email] {
        if trust.policy.ai.is_agent(email) {
            return Some(format!("agent identity {email}"));
        }
    }
    None
}

/// The gated commits among `commits` (ids of a range, newest first), with why.
/// A commit with one parent (or none) is gated by [`gated_why`]; a merge
/// commit is gated when its tree differs from the automatic merge of its
/// parents and it is itself marked, the scope is `all`, or a gated commit is
/// among the commits it brings into the range.
pub fn gated_commits(
    repo: &Repo,
    trust: &TrustRoot,
    commits: &[String],
    hide: &[&str],
) -> Result<BTreeMap<String, (CommitInfo, String)>> {
    let mut out = BTreeMap::new();
    let mut merges = Vec::new();
    for id in commits {
        let info = repo.commit_info(id)?;
        if info.parents.len() > 1 {
            merges.push(info);
            continue;
        }
        if let Some(why) = gated_why(trust, &info) {
            out.insert(id.clone(), (info, why));
        }
    }
    let gated_plain: HashSet<String> = out.keys().cloned().collect();
    for info in merges {
        if !repo.merge_adds_content(&info.id)? {
            continue;
        }
        let why = match gated_why(trust, &info) {
            Some(w) => Some(format!("merge commit adding content ({w})")),
            None => repo
                .commits_between(&[info.id.as_str()], hide)?
                .iter()
                .any(|c| gated_plain.contains(c))
                .then(|| {
                    "merge commit whose tree differs from the automatic merge of its gated parents"
                        .to_string()
                }),
        };
        if let Some(why) = why {
            out.insert(info.id.clone(), (info, why));
        }
    }
    Ok(out)
}

/// The answer of `check`.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub ok: bool,
    /// The trust root every verdict was read from.
    pub trust: TrustRef,
    pub range: String,
    /// True when the revision is already on the trust root: there is nothing
    /// to judge (`audit --landed` tells whether it landed approved).
    pub nothing_to_judge: bool,
    pub changes: Vec<Verdict>,
}

/// A range `A..B` (or a revision `B`) resolved: the tip `B`, and `A` when given.
pub fn resolve_range(repo: &Repo, range: &str) -> Result<(String, Option<String>)> {
    let (from, to) = match range.split_once("..") {
        Some((a, b)) => (
            (!a.is_empty()).then(|| a.trim_start_matches('.')),
            if b.is_empty() { "HEAD" } else { b },
        ),
        None => (None, range),
    };
    let from = from.map(|a| repo.resolve_commit(a)).transpose()?;
    Ok((repo.resolve_commit(to)?, from))
}

/// The commits of `target` not on the trust root, newest first: `A..B` is
/// B's commits hidden from A and the trust root; a revision is its commits
/// hidden from the trust root. Also returns the tip and the hidden ids.
pub fn range_commits(
    repo: &Repo,
    trust: &TrustRoot,
    target: &str,
) -> Result<(Vec<String>, String, Vec<String>)> {
    let (tip, from) = resolve_range(repo, target)?;
    let hide: Vec<String> = std::iter::once(trust.commit.clone()).chain(from).collect();
    let hide_refs: Vec<&str> = hide.iter().map(String::as_str).collect();
    Ok((repo.commits_between(&[&tip], &hide_refs)?, tip, hide))
}

/// The gate: judges every gated change of `target` (a range `A..B`, or a
/// revision) that is not on the trust root: queued changes whose head is in
/// the range, changes named by records on commits in the range, and runs of
/// gated commits that neither covers (never approved).
pub fn check(repo: &Repo, trust: &TrustRoot, target: &str) -> Result<CheckReport> {
    let (commits, tip, hide) = range_commits(repo, trust, target)?;
    let mut report = CheckReport {
        ok: true,
        trust: trust.trust_ref(),
        range: target.to_string(),
        nothing_to_judge: false,
        changes: Vec::new(),
    };
    if commits.is_empty() {
        report.nothing_to_judge = trust.contains(repo, &tip);
        return Ok(report);
    }
    let hide_refs: Vec<&str> = hide.iter().map(String::as_str).collect();
    let in_range: HashSet<&str> = commits.iter().map(String::as_str).collect();
    let index = RecordIndex::load(repo)?;
    let mut considered: Vec<Change> = trust
        .changes(repo)?
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
            if considered.iter().any(|c| c.id == id && c.head == r.head) {
                continue;
            }
            considered.push(change_for(repo, &id, &r.head)?);
        }
    }
    // Commits covered by those changes (measured from their computed bases).
    let mut covered: HashSet<String> = HashSet::new();
    for c in &considered {
        let mut h = hide_refs.clone();
        let base = trust.base_of(repo, &c.head)?;
        if let Some(b) = &base {
            h.push(b);
        }
        covered.extend(repo.commits_between(&[&c.head], &h)?);
    }
    // Runs of uncovered gated commits, oldest first.
    let gated = gated_commits(repo, trust, &commits, &hide_refs)?;
    let mut runs: Vec<(String, String, String)> = Vec::new(); // (first parent, head, why)
    for id in commits.iter().rev() {
        let Some((info, why)) = gated.get(id) else {
            continue;
        };
        if covered.contains(id) {
            continue;
        }
        let parent = info.parents.first().cloned().unwrap_or_default();
        match runs
            .iter_mut()
            .find(|r| r.1 == parent && info.parents.len() == 1)
        {
            Some(run) => run.1 = id.clone(),
            None => runs.push((parent, id.clone(), why.clone())),
        }
    }
    let unqueued: BTreeMap<String, (String, String)> = runs
        .iter()
        .map(|(p, h, why)| (h.clone(), (p.clone(), why.clone())))
        .collect();
    for (_, head, _) in &runs {
        considered.push(change_for(repo, &short(head), head)?);
    }
    for c in &considered {
        let mut v = verdict(repo, trust, &index, c, None)?;
        if let Some((parent, why)) = unqueued.get(&c.head)
            && !v.approved
        {
            v.reasons.insert(
                0,
                format!(
                    "gated commits up to {} ({why}) are not in the queue: run `countersign submit {}` (or `countersign scan {}..{}`) and have a senior approve",
                    short(&c.head),
                    c.head,
                    parent,
                    c.head
                ),
            );
        }
        report.changes.push(v);
    }
    report.ok = report.changes.iter().all(|v| v.approved);
    Ok(report)
}

/// A change value for a head that is not (or no longer) queued; its base is
/// computed by [`verdict`].
pub fn change_for(repo: &Repo, id: &str, head: &str) -> Result<Change> {
    let info = repo.commit_info(head)?;
    Ok(Change {
        id: id.to_string(),
        title: info.subject().to_string(),
        author: info.author(),
        author_email: info.author_email.clone(),
        committer_email: info.committer_email.clone(),
        tool: "unknown".into(),
        base: String::new(),
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
