//! The review queue: every pending change with its statistics, risk and
//! decision state, most dangerous first, each measured against its computed
//! base under the trust root. Slow parts (diffs) are cached by commit ids and
//! computed in parallel.

use anyhow::Result;
use rayon::prelude::*;
use serde::Serialize;

use crate::cache::Cache;
use crate::change::Change;
use crate::config::RepoConfig;
use crate::git::{DiffStats, Repo};
use crate::record_index::RecordIndex;
use crate::trust::TrustRoot;

/// Approvals of a queue row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct ApprovalCount {
    pub have: u32,
    pub need: u32,
}

/// Risk as the queue shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct RiskSummary {
    pub score: u8,
    pub level: String,
}

/// One row of the queue (`queue --json` prints an array of these).
#[derive(Debug, Clone, Serialize)]
pub struct QueueEntry {
    #[serde(flatten)]
    pub change: Change,
    pub patch_id: Option<String>,
    pub files: u32,
    pub additions: u32,
    pub deletions: u32,
    /// `pending`, `approved`, `rejected` or `stale`.
    pub state: String,
    /// Approvals that count, and how many the policy needs.
    pub approvals: ApprovalCount,
    pub risk: RiskSummary,
    /// The head of the newest verified decision when it was made on an earlier
    /// revision (the change was updated since), else `None`.
    pub last_decided_head: Option<String>,
}

/// The queued changes and the trust root they are measured against: each
/// change's base is computed under the default trust root. Without one (a
/// repository with no origin/HEAD, main or master) the declared bases are
/// kept and nothing can be approved.
pub fn list(repo: &Repo, cfg: &RepoConfig) -> Result<(Option<TrustRoot>, Vec<Change>)> {
    match TrustRoot::load(repo, None) {
        Ok(trust) => {
            let changes = trust.changes(repo)?;
            Ok((Some(trust), changes))
        }
        Err(_) => Ok((None, crate::git::list_changes(repo, cfg)?)),
    }
}

/// Builds the queue of `repo`, most risky first.
pub fn load(repo: &Repo, cfg: &RepoConfig) -> Result<Vec<QueueEntry>> {
    load_with_progress(repo, cfg, &|_, _| {})
}

/// [`load`], calling `progress(done, total)` once the changes are listed and
/// after each change is analysed (from worker threads), for a progress bar.
pub fn load_with_progress(
    repo: &Repo,
    cfg: &RepoConfig,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<QueueEntry>> {
    let (trust, changes) = list(repo, cfg)?;
    let total = changes.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    progress(0, total);
    let git_dir = repo.git_dir();
    let stats_cache = Cache::new(&git_dir, "stats");
    // One repository handle per chunk of work (opening one reads its config
    // files), a few chunks per thread so the threads stay busy.
    let chunk = changes
        .len()
        .div_ceil(rayon::current_num_threads() * 4)
        .max(1);
    let mut entries: Vec<QueueEntry> = changes
        .par_chunks(chunk)
        .flat_map_iter(|part| {
            let thread_repo = Repo::open_exact(&git_dir);
            part.iter()
                .map(|change| {
                    let (stats, risk) = match &thread_repo {
                        Ok(r) => change_facts(r, &stats_cache, change),
                        Err(_) => (DiffStats::default(), size_risk(&DiffStats::default())),
                    };
                    let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    progress(n, total);
                    entry(change.clone(), stats, risk)
                })
                .collect::<Vec<_>>()
        })
        .collect();
    if let Some(trust) = &trust {
        fill_queue_state(repo, trust, &mut entries);
        if let Ok(index) = crate::record_index::RecordIndex::load(repo) {
            crate::revisions::fill_last_decided(trust, &index, &mut entries);
        }
    }
    sort_most_risky_first(&mut entries);
    Ok(entries)
}

/// A change's statistics and risk, each from its cache; on a miss the diff is
/// computed once and serves both.
pub fn change_facts(repo: &Repo, cache: &Cache, change: &Change) -> (DiffStats, RiskSummary) {
    let key = format!("{}-{}", change.base, change.head);
    let (stats, diff) = match cache.get::<DiffStats>(&key) {
        Some(s) => (s, None),
        None => match repo.diff(&change.base, &change.head) {
            Ok(d) => {
                let s = d.stats();
                cache.put(&key, &s);
                (s, Some(d.diff))
            }
            Err(_) => (DiffStats::default(), None),
        },
    };
    let risk = match crate::risk::analyse_diff(repo, &change.base, &change.head, diff.as_ref()) {
        Ok(r) => RiskSummary {
            score: r.score,
            level: r.level.as_str().to_string(),
        },
        Err(_) => size_risk(&stats),
    };
    (stats, risk)
}

/// Diff statistics of a change, from the cache or computed (and cached).
pub fn change_stats(repo: &Repo, cache: &Cache, change: &Change) -> DiffStats {
    let key = format!("{}-{}", change.base, change.head);
    if let Some(s) = cache.get::<DiffStats>(&key) {
        return s;
    }
    match repo.diff(&change.base, &change.head) {
        Ok(d) => {
            let s = d.stats();
            cache.put(&key, &s);
            s
        }
        Err(_) => DiffStats::default(),
    }
}

/// A queue row from a change, its statistics and its risk.
pub fn entry(change: Change, stats: DiffStats, risk: RiskSummary) -> QueueEntry {
    QueueEntry {
        change,
        patch_id: stats.patch_id,
        files: stats.files,
        additions: stats.additions,
        deletions: stats.deletions,
        state: "pending".to_string(),
        approvals: ApprovalCount::default(),
        risk,
        last_decided_head: None,
    }
}

/// When the risk engine cannot score a change (or has not yet), its size
/// orders the queue.
pub fn size_risk(stats: &DiffStats) -> RiskSummary {
    let lines = stats.additions + stats.deletions;
    let score = ((lines as f64).ln_1p() * 6.0).min(40.0) as u8;
    RiskSummary {
        score,
        level: if score >= 25 { "medium" } else { "low" }.to_string(),
    }
}

/// Orders by score (highest first), then by size, then by id for stability.
pub fn sort_most_risky_first(entries: &mut [QueueEntry]) {
    entries.sort_by(|a, b| {
        b.risk
            .score
            .cmp(&a.risk.score)
            .then((b.additions + b.deletions).cmp(&(a.additions + a.deletions)))
            .then(a.change.id.cmp(&b.change.id))
    });
}

/// Fills the `state` and `approvals` of queue rows under the trust root.
/// Errors leave a row pending.
pub fn fill_queue_state(repo: &Repo, trust: &TrustRoot, entries: &mut [QueueEntry]) {
    let Ok(index) = RecordIndex::load(repo) else {
        return;
    };
    for e in entries.iter_mut() {
        // Without any record for its id, head or patch the change is pending:
        // only the policy's count is needed, not the change's content again.
        let records = index.for_content(&e.change.id, &e.change.head, e.patch_id.as_deref());
        if records.is_empty() {
            e.state = "pending".into();
            e.approvals = ApprovalCount {
                have: 0,
                need: trust.policy.required(&e.risk.level),
            };
            continue;
        }
        if let Ok(v) = crate::gate::verdict(repo, trust, &index, &e.change, Some(&e.risk.level)) {
            e.state = v.state.clone();
            e.approvals = ApprovalCount {
                have: v.approvals,
                need: v.required,
            };
        }
    }
}
