//! Attached results: each tool run on a commit is one JSON line in that
//! commit's note under `refs/notes/countersign-analysis`, so several tools and
//! runs share a note, and two clones' attachments merge as decisions do (git's
//! `cat_sort_uniq`, which `sync` applies to this ref too). Whatever is in that
//! ref can be written by anyone who can push: it only ever adds findings.

use anyhow::Result;
use serde::{Deserialize, Serialize};

use super::{AnalysisResult, ToolRun};
use crate::git::Repo;

/// The notes ref holding attached analyzer results.
pub const ANALYSIS_REF: &str = crate::git::notes::ANALYSIS_NOTES_REF;

/// The stored form of one run (one note line).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct StoredRun {
    v: u32,
    tool: String,
    #[serde(default)]
    version: String,
    commit: String,
    /// When it was attached (RFC 3339 UTC).
    at: String,
    results: Vec<AnalysisResult>,
}

/// Stores runs of tools on `commit` (one notes commit for all, or nothing).
pub fn attach(repo: &Repo, commit: &str, runs: &[ToolRun]) -> Result<()> {
    let at = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut lines = Vec::with_capacity(runs.len());
    for r in runs {
        let stored = StoredRun {
            v: 1,
            tool: r.tool.clone(),
            version: r.version.clone(),
            commit: commit.to_string(),
            at: at.clone(),
            results: r.results.clone(),
        };
        lines.push((commit.to_string(), serde_json::to_string(&stored)?));
    }
    repo.append_note_lines_in(ANALYSIS_REF, &lines)
}

/// The runs attached to `commit`; lines that do not parse (or name another
/// commit) are skipped and counted in the second value.
pub fn attached(repo: &Repo, commit: &str) -> Result<(Vec<ToolRun>, usize)> {
    let Some(bytes) = repo.note_in(ANALYSIS_REF, commit)? else {
        return Ok((Vec::new(), 0));
    };
    let mut out = Vec::new();
    let mut skipped = 0;
    for line in bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        match serde_json::from_slice::<StoredRun>(line) {
            Ok(s) if s.commit == commit => out.push(ToolRun {
                tool: s.tool,
                version: s.version,
                commit: s.commit,
                source: "attached".into(),
                results: s.results,
            }),
            _ => skipped += 1,
        }
    }
    Ok((out, skipped))
}
