//! A change's revisions with the decisions on each, verified: what `history`,
//! `feedback`, `show --since-review` and the queue's `last_decided_head` read.
//!
//! Revision refs and records are written by anyone who can push; a decision
//! counts here only when its signature verifies against the allowed signers of
//! the target branch (the trust root), and the ones that do not are marked as
//! such, never mixed in.

use std::collections::HashSet;

use anyhow::Result;
use serde::Serialize;

use crate::cache::Cache;
use crate::change::Change;
use crate::decision::{Record, Status};
use crate::git::revisions::Revision;
use crate::git::{DiffStats, Repo};
use crate::record_index::{RecordIndex, verify_line};
use crate::trust::TrustRoot;

/// A decision record with the result of verifying it.
#[derive(Debug, Clone, Serialize)]
pub struct CheckedDecision {
    #[serde(flatten)]
    pub record: Record,
    /// True when the signature is by an allowed signer of the trust root and
    /// the record sits on the commit it names, in this repository.
    pub verified: bool,
    /// `valid`, `bad-signature`, `unknown-signer`, … (as in `audit`).
    pub status: String,
    /// Why, in words, when it does not verify.
    pub detail: String,
}

/// One revision of a change with the decisions made on it.
#[derive(Debug, Clone, Serialize)]
pub struct RevisionView {
    pub n: u32,
    pub head: String,
    /// The base it is measured against (for display).
    pub base: String,
    /// When it was submitted (RFC 3339 UTC).
    pub submitted_at: String,
    /// Verbatim patch-id of base..head (`None` for an empty diff or when the
    /// commits are missing here).
    pub patch_id: Option<String>,
    /// The revision the queue holds now.
    pub current: bool,
    /// Decisions on this revision, oldest first.
    pub decisions: Vec<CheckedDecision>,
}

/// A change's history.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeHistory {
    pub id: String,
    pub title: String,
    pub revisions: Vec<RevisionView>,
    /// Decisions naming the change on heads that are no revision of it.
    pub other_decisions: Vec<CheckedDecision>,
}

impl ChangeHistory {
    /// Every decision, on any revision, oldest first.
    pub fn decisions(&self) -> impl Iterator<Item = &CheckedDecision> {
        self.revisions
            .iter()
            .flat_map(|r| r.decisions.iter())
            .chain(self.other_decisions.iter())
    }

    /// The revision the queue holds now.
    pub fn current(&self) -> Option<&RevisionView> {
        self.revisions.iter().find(|r| r.current)
    }
}

/// The decisions in `index` on change `id` or on any of `heads`, verified
/// under the trust root, oldest first. Malformed lines are left out (`audit`
/// lists them).
pub fn checked_decisions(
    index: &RecordIndex,
    trust: &TrustRoot,
    id: &str,
    heads: &[&str],
) -> Vec<CheckedDecision> {
    let now = crate::gate::now();
    let mut seen = HashSet::new();
    let mut out: Vec<CheckedDecision> = heads
        .iter()
        .flat_map(|h| index.for_change(id, h))
        .filter(|l| seen.insert((l.commit.clone(), l.line)))
        .filter_map(|l| verify_line(l, trust, now))
        .map(|c| CheckedDecision {
            verified: c.verified.status == Status::Valid,
            status: c.verified.status.as_str().to_string(),
            detail: c.verified.detail,
            record: c.record,
        })
        .collect();
    out.sort_by(|a, b| a.record.at.cmp(&b.record.at));
    out
}

/// The newest verified decision, unless it is on the current revision (same
/// head, or the same patch after a clean rebase): the decision a re-review
/// starts from. `None` when nothing was decided or the newest decision is on
/// what the queue holds now.
pub fn last_decided<'a>(
    decisions: impl IntoIterator<Item = &'a CheckedDecision>,
    head: &str,
    patch_id: Option<&str>,
) -> Option<&'a CheckedDecision> {
    let on_current = |d: &CheckedDecision| {
        d.record.head == head || (patch_id.is_some() && d.record.patch_id.as_deref() == patch_id)
    };
    // `at` counts seconds: of decisions made in the same second, one on the
    // current revision is the newer (it can only follow the earlier revision's).
    let newest = decisions
        .into_iter()
        .filter(|d| d.verified)
        .max_by(|a, b| (&a.record.at, on_current(a)).cmp(&(&b.record.at, on_current(b))))?;
    (!on_current(newest)).then_some(newest)
}

/// The revisions of `change` with their decisions. A change queued before
/// revisions were kept shows its current head as its only revision.
pub fn history(
    repo: &Repo,
    trust: &TrustRoot,
    index: &RecordIndex,
    change: &Change,
) -> Result<ChangeHistory> {
    let mut revs = crate::git::revisions::list(repo, &change.id)?;
    if revs.last().is_none_or(|r| r.head != change.head) {
        revs.push(Revision {
            n: revs.last().map_or(1, |r| r.n + 1),
            head: change.head.clone(),
            base_hint: Some(change.base.clone()),
            at: change.submitted_at,
        });
    }
    let heads: Vec<&str> = revs.iter().map(|r| r.head.as_str()).collect();
    let mut decisions = checked_decisions(index, trust, &change.id, &heads);
    let stats = Cache::new(&repo.git_dir(), "stats");
    let mut revisions = Vec::new();
    for r in &revs {
        let current = r.head == change.head && r.n == revs.last().map_or(0, |l| l.n);
        let base = if current {
            change.base.clone()
        } else {
            match &r.base_hint {
                Some(b) if repo.has_revision(b) => b.clone(),
                _ => trust
                    .base_of(repo, &r.head)
                    .ok()
                    .flatten()
                    .unwrap_or_default(),
            }
        };
        let patch_id = patch_id_of(repo, &stats, &base, &r.head);
        let (mine, rest): (Vec<_>, Vec<_>) =
            decisions.into_iter().partition(|d| d.record.head == r.head);
        decisions = rest;
        revisions.push(RevisionView {
            n: r.n,
            head: r.head.clone(),
            base,
            submitted_at: rfc3339(r.at),
            patch_id,
            current,
            decisions: mine,
        });
    }
    Ok(ChangeHistory {
        id: change.id.clone(),
        title: change.title.clone(),
        revisions,
        other_decisions: decisions,
    })
}

/// The verbatim patch-id of base..head, from the statistics cache the queue
/// fills, else computed (and cached).
fn patch_id_of(repo: &Repo, cache: &Cache, base: &str, head: &str) -> Option<String> {
    if base.is_empty() || !repo.has_revision(head) {
        return None;
    }
    let key = format!("{base}-{head}");
    if let Some(s) = cache.get::<DiffStats>(&key) {
        return s.patch_id;
    }
    let d = repo.diff(base, head).ok()?;
    let s = d.stats();
    cache.put(&key, &s);
    s.patch_id
}

/// Seconds since the epoch as RFC 3339 UTC.
pub fn rfc3339(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// Fills `last_decided_head` of queue rows: the head of the newest verified
/// decision when it was made on an earlier revision. Rows with no record on
/// another head cost nothing beyond the index lookup.
pub fn fill_last_decided(
    trust: &TrustRoot,
    index: &RecordIndex,
    entries: &mut [crate::queue::QueueEntry],
) {
    for e in entries.iter_mut() {
        let c = &e.change;
        let lines = index.for_change(&c.id, &c.head);
        let elsewhere = lines.iter().any(|l| {
            l.parsed
                .as_ref()
                .is_ok_and(|p| p.record.head != c.head && p.record.change == c.id)
        });
        if !elsewhere {
            continue;
        }
        let decisions = checked_decisions(index, trust, &c.id, &[&c.head]);
        e.last_decided_head =
            last_decided(&decisions, &c.head, e.patch_id.as_deref()).map(|d| d.record.head.clone());
    }
}

/// What changed since the revision last decided on.
#[derive(Debug, Clone)]
pub struct SinceReview {
    /// The newest verified decision on an earlier revision.
    pub decision: CheckedDecision,
    /// The remarks of every verified decision on that revision.
    pub remarks: Vec<crate::decision::Remark>,
    pub interdiff: crate::interdiff::Interdiff,
}

/// The interdiff between the revision last decided on and the current one;
/// `None` when nothing was decided, or the newest decision is on the current
/// revision. The earlier side is the decision's own signed base and head.
pub fn since_review(
    repo: &Repo,
    trust: &TrustRoot,
    change: &Change,
) -> Result<Option<SinceReview>> {
    let index = RecordIndex::load(repo)?;
    let revs = crate::git::revisions::list(repo, &change.id)?;
    let mut heads: Vec<&str> = revs.iter().map(|r| r.head.as_str()).collect();
    heads.push(&change.head);
    let decisions = checked_decisions(&index, trust, &change.id, &heads);
    let new = repo.diff(&change.base, &change.head)?;
    let Some(last) = last_decided(&decisions, &change.head, new.patch_id.as_deref()) else {
        return Ok(None);
    };
    let rec = &last.record;
    for (what, id) in [("base", &rec.base), ("head", &rec.head)] {
        if !repo.has_revision(id) {
            crate::bad_input!(
                "the revision last decided on ({what} {}) is not in this repository; run `countersign sync` or fetch it",
                crate::record_index::short(id)
            );
        }
    }
    let old = repo.diff(&rec.base, &rec.head)?;
    let mut remarks: Vec<crate::decision::Remark> = Vec::new();
    for d in decisions
        .iter()
        .filter(|d| d.verified && d.record.head == rec.head)
    {
        for r in &d.record.remarks {
            if !remarks.contains(r) {
                remarks.push(r.clone());
            }
        }
    }
    let interdiff = crate::interdiff::interdiff(&old.diff, &new.diff, &remarks);
    Ok(Some(SinceReview {
        decision: last.clone(),
        remarks,
        interdiff,
    }))
}
