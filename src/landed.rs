//! `audit --landed <range>`: the gated commits of a range of the target
//! branch (by the trust root's rules: trailers, agent identities, scope, merge
//! commits that add content) that landed without a valid approval at the time
//! they landed. A post-merge check can fail here, where `check` has nothing
//! left to judge.
//!
//! A commit landed with the first commit of the range's first-parent chain
//! that contains it. That commit's own date is not trusted (its maker wrote
//! it): it landed at the latest when the next step of the target was
//! committed, or now (see `landing_times`). It is approved when either
//! - the landing step itself (first parent `P` to `F`) has approvals whose
//!   patch-id is that of `P..F` (a squash or a reviewed merge), or
//! - records on a head `H` in the range name a base `B` (a hint) such that
//!   the patch-id of `B..H`, computed here, is the one they signed, and the
//!   commit is in `B..H` (what the reviewers saw contained it);
//!
//! counting under the trust root's policy and signers, and only records dated
//! at most 10 minutes after that latest landing time.

use std::collections::{BTreeMap, HashMap, HashSet};

use anyhow::Result;
use serde::Serialize;

use crate::decision::verify::MAX_CLOCK_SKEW;
use crate::decision::{Candidate, Status, evaluate};
use crate::gate::{change_for, content, facts, gated_commits};
use crate::git::Repo;
use crate::record_index::{RecordIndex, short, verify_line};
use crate::trust::{TrustRef, TrustRoot};

/// A gated commit that landed without approval.
#[derive(Debug, Clone, Serialize)]
pub struct Unapproved {
    pub commit: String,
    pub subject: String,
    pub author_email: String,
    /// Why the commit is gated.
    pub gated: String,
    /// The first-parent commit of the target it landed with.
    pub landed_in: String,
    /// The latest time it can have landed (RFC 3339): the committer time of
    /// the next step of the target, or the audit's time for the newest.
    pub landed_at: String,
    /// Why no approval counted, in words.
    pub reasons: Vec<String>,
}

/// The answer of `audit --landed`.
#[derive(Debug, Clone, Serialize)]
pub struct LandedReport {
    /// True when every gated commit landed approved.
    pub ok: bool,
    pub trust: TrustRef,
    pub range: String,
    /// How many gated commits the range holds.
    pub gated: usize,
    pub unapproved: Vec<Unapproved>,
}

/// Audits the range `A..B` (or a revision: its whole history) of the target.
pub fn landed(repo: &Repo, trust: &TrustRoot, range: &str) -> Result<LandedReport> {
    let (tip, from) = crate::gate::resolve_range(repo, range)?;
    let hide: Vec<String> = from.into_iter().collect();
    let hide_refs: Vec<&str> = hide.iter().map(String::as_str).collect();
    let commits = repo.commits_between(&[&tip], &hide_refs)?;
    let gated = gated_commits(repo, trust, &commits, &hide_refs)?;
    let mut report = LandedReport {
        ok: true,
        trust: trust.trust_ref(),
        range: range.to_string(),
        gated: gated.len(),
        unapproved: Vec::new(),
    };
    if gated.is_empty() {
        return Ok(report);
    }
    // When each commit landed: the first first-parent commit containing it.
    let mut chain = repo.first_parent_chain(&tip, hide_refs.first().copied())?;
    chain.reverse();
    let mut landed_in: HashMap<String, String> = HashMap::new();
    let mut introduced: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut prev: Option<String> = None;
    for f in &chain {
        let mut h = hide_refs.clone();
        if let Some(p) = &prev {
            h.push(p);
        }
        let new = repo.commits_between(&[f], &h)?;
        for c in &new {
            landed_in.insert(c.clone(), f.clone());
        }
        if new.iter().any(|c| gated.contains_key(c)) {
            introduced.insert(f.clone(), new);
        }
        prev = Some(f.clone());
    }
    let now = crate::gate::now();
    let (land_time, future) = landing_times(repo, &chain, now)?;
    let index = RecordIndex::load(repo)?;
    let mut covered: HashSet<String> = HashSet::new();
    let mut why_not: HashMap<String, Vec<String>> = HashMap::new();
    // 1. Each landing step as a whole (squash merges, reviewed merges).
    for (f, new) in &introduced {
        let Some(parent) = repo.first_parent(f)? else {
            continue;
        };
        let cutoff = land_time.get(f).copied().unwrap_or(i64::MIN);
        let (approved, reasons) = match future.get(f) {
            Some(why) => (false, vec![why.clone()]),
            None => judge(repo, trust, &index, &parent, f, cutoff, now, None)?,
        };
        if approved {
            covered.extend(new.iter().cloned());
        } else {
            for c in new {
                why_not
                    .entry(c.clone())
                    .or_default()
                    .extend(reasons.clone());
            }
        }
    }
    // 2. Reviewed heads in the range, each against the base its records name.
    let mut units: HashSet<(String, String)> = HashSet::new();
    for l in &index.lines {
        let Ok(p) = &l.parsed else { continue };
        let r = &p.record;
        if r.head == l.commit
            && landed_in.contains_key(&r.head)
            && crate::git::repo::is_full_id(&r.base)
            && repo.has_revision(&r.base)
            && r.base != r.head
            && repo.is_ancestor(&r.base, &r.head).unwrap_or(false)
        {
            units.insert((r.base.clone(), r.head.clone()));
        }
    }
    for (base, head) in units {
        let inside = repo.commits_between(&[&head], &[&base])?;
        if inside
            .iter()
            .all(|c| covered.contains(c) || !gated.contains_key(c))
        {
            continue;
        }
        let f = &landed_in[&head];
        let cutoff = land_time.get(f).copied().unwrap_or(i64::MIN);
        let (approved, reasons) = match future.get(f) {
            Some(why) => (false, vec![why.clone()]),
            None => judge(repo, trust, &index, &base, &head, cutoff, now, Some(&head))?,
        };
        if approved {
            covered.extend(inside);
        } else {
            for c in inside {
                why_not.entry(c).or_default().extend(reasons.clone());
            }
        }
    }
    for id in commits.iter().rev() {
        let Some((info, why)) = gated.get(id) else {
            continue;
        };
        if covered.contains(id) {
            continue;
        }
        let f = landed_in.get(id).cloned().unwrap_or_default();
        let mut reasons = why_not.remove(id).unwrap_or_default();
        reasons.dedup();
        if reasons.is_empty() {
            reasons.push("no decision records this content".into());
        }
        report.unapproved.push(Unapproved {
            commit: id.clone(),
            subject: info.subject().to_string(),
            author_email: info.author_email.clone(),
            gated: why.clone(),
            landed_at: land_time
                .get(&f)
                .map(|t| crate::decision::signers::fmt_time(*t))
                .unwrap_or_default(),
            landed_in: f,
            reasons,
        });
    }
    report.ok = report.unapproved.is_empty();
    Ok(report)
}

/// The latest time each step of the first-parent `chain` (oldest first) can
/// have landed, and the steps whose own committer time is in the future.
///
/// A commit's own date is written by whoever made it (an agent can date a
/// merge in 2099, and a fast-forwarded commit carries its authoring time,
/// before any review), so it is never trusted as the landing time. What
/// bounds a step is what came after it: the committer time of the later
/// steps of the target (they were made after it landed; one dated before the
/// step itself had a wrong clock and is ignored) and the verifier's clock.
/// A step dated beyond the clock's skew cannot be placed in time at all:
/// nothing can be shown to predate it, so it is reported.
fn landing_times(
    repo: &Repo,
    chain: &[String],
    now: i64,
) -> Result<(HashMap<String, i64>, HashMap<String, String>)> {
    // Committer times of the steps after the one at hand, newest first.
    let mut later: std::collections::BTreeSet<i64> = std::collections::BTreeSet::new();
    let mut times = HashMap::new();
    let mut future = HashMap::new();
    for f in chain.iter().rev() {
        let t = repo.committer_time(f)?;
        if t > now.saturating_add(MAX_CLOCK_SKEW) {
            future.insert(
                f.clone(),
                format!(
                    "it landed with {}, dated {} (in the future): when it landed cannot be told, so no approval can be shown to predate it",
                    short(f),
                    crate::decision::signers::fmt_time(t)
                ),
            );
            times.insert(f.clone(), now);
            continue;
        }
        // The earliest later step dated after this one bounds it; a later
        // step dated before it had a wrong clock and bounds nothing.
        let bound = later.range(t..).next().copied().unwrap_or(now).min(now);
        times.insert(f.clone(), bound);
        later.insert(t);
    }
    Ok((times, future))
}

/// Whether `base..head` had the approvals its content needs, counting only
/// records dated at most [`MAX_CLOCK_SKEW`] after `cutoff`. `record_head`
/// limits the records to those on that head (else any record of the same
/// content counts, as for a squash).
#[allow(clippy::too_many_arguments)]
fn judge(
    repo: &Repo,
    trust: &TrustRoot,
    index: &RecordIndex,
    base: &str,
    head: &str,
    cutoff: i64,
    now: i64,
    record_head: Option<&str>,
) -> Result<(bool, Vec<String>)> {
    let c = content(repo, trust, base, head)?;
    let change = change_for(repo, &short(head), head)?;
    let f = facts(repo, trust, &change, base, c.patch_id.clone(), c.risk.level);
    let mut late = Vec::new();
    let candidates: Vec<Candidate> = index
        .for_content("", head, c.patch_id.as_deref())
        .into_iter()
        .filter(|l| record_head.is_none_or(|h| l.commit == h))
        .filter_map(|l| verify_line(l, trust, now))
        .filter(|cand| {
            let at = cand.record.at_unix().unwrap_or(i64::MAX);
            let in_time = at <= cutoff.saturating_add(MAX_CLOCK_SKEW);
            if !in_time && cand.verified.status == Status::Valid {
                late.push(format!(
                    "{} by {} was recorded at {}, after the change landed",
                    cand.record.decision.as_str(),
                    cand.record.reviewer,
                    cand.record.at
                ));
            }
            in_time
        })
        .collect();
    let mut v = evaluate(&f, &trust.repo_id, &trust.policy, &candidates);
    v.reasons.extend(late);
    Ok((v.approved, v.reasons))
}
