//! Sharing the queue and the decisions through an ordinary git remote: fetch
//! `refs/countersign/*` and `refs/notes/*` into a private namespace, merge
//! (notes with `cat_sort_uniq`, queue refs last-writer-wins), and push back
//! with leases so a concurrent push is never overwritten. The network part is
//! the `git` command (libgit2 is built here without transports), so ssh and
//! https remotes work as they do for git itself.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::error::BadInput;
use crate::git::notes::{MergeOutcome, NOTES_REF, STALE_LOCK};
use crate::git::repo::{Repo, oid};

/// How many fetch-merge-push rounds a sync tries before giving up.
const SYNC_ATTEMPTS: u32 = 10;

/// What `sync` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// The remote's notes were merged (`None` when it had none).
    pub notes: Option<String>,
    /// Queue refs taken from the remote (new or newer there).
    pub queue_fetched: Vec<String>,
    /// Refs pushed to the remote.
    pub pushed: Vec<String>,
}

fn git(git_dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.arg("--git-dir").arg(git_dir);
    c
}

fn run(mut cmd: Command, what: &str) -> Result<std::process::Output> {
    let out = cmd
        .output()
        .with_context(|| format!("running git to {what} (is git installed?)"))?;
    Ok(out)
}

/// A name usable inside a ref for `remote`.
fn ref_safe(remote: &str) -> String {
    remote
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Fetches, merges and pushes the queue refs and decision notes with `remote`.
pub fn sync(repo: &Repo, remote: &str) -> Result<SyncReport> {
    if remote.is_empty() || remote.starts_with('-') {
        return Err(BadInput::new(format!(
            "{remote:?} is not a remote; name a remote (git remote -v) or a URL"
        ))
        .into());
    }
    let mut last_err = None;
    // Each rejected push means another clone's push landed in between; with
    // several reviewers syncing at once a sync may lose a few races in a row.
    for _ in 0..SYNC_ATTEMPTS {
        match sync_once(repo, remote) {
            Ok(r) => return Ok(r),
            Err(SyncError::Rejected(e)) => last_err = Some(e),
            Err(SyncError::Other(e)) => return Err(e),
        }
    }
    Err(anyhow::anyhow!(
        "the remote kept changing while syncing ({}); run countersign sync again",
        last_err.unwrap_or_default()
    ))
}

enum SyncError {
    /// The push lost a race: fetch and merge again.
    Rejected(String),
    Other(anyhow::Error),
}

impl From<anyhow::Error> for SyncError {
    fn from(e: anyhow::Error) -> Self {
        SyncError::Other(e)
    }
}

fn sync_once(repo: &Repo, remote: &str) -> Result<SyncReport, SyncError> {
    let git_dir = repo.git_dir();
    let ns = format!("refs/countersign-sync/{}", ref_safe(remote));
    let mut fetch = git(&git_dir);
    fetch.args([
        "fetch",
        "--quiet",
        "--no-tags",
        "--prune",
        "--no-write-fetch-head",
    ]);
    fetch.arg(remote);
    fetch.arg(format!("+refs/notes/*:{ns}/notes/*"));
    fetch.arg(format!("+refs/countersign/*:{ns}/queue/*"));
    let fetch_args: Vec<std::ffi::OsString> = fetch.get_args().map(|a| a.to_owned()).collect();
    let mut out = run(fetch, "fetch")?;
    // A fetch killed mid-way (SIGKILL, power loss) leaves `<ref>.lock` files in
    // our private namespace, and git refuses every later fetch until they are
    // removed. Only countersign sync writes there and git holds such a lock
    // for milliseconds, so one older than STALE_LOCK is removed and the fetch
    // redone (a fresh one is waited out, a few seconds at most).
    let started = Instant::now();
    while !out.status.success()
        && String::from_utf8_lossy(&out.stderr).contains(".lock")
        && started.elapsed() < STALE_LOCK * 2
    {
        if clear_stale_locks(&repo.git.commondir().join(&ns)) == 0 {
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut again = Command::new("git");
        again.args(&fetch_args);
        out = run(again, "fetch")?;
    }
    if !out.status.success() {
        return Err(SyncError::Other(
            BadInput::new(format!(
                "git fetch {remote} failed: {}; check the remote's name and access",
                String::from_utf8_lossy(&out.stderr)
                    .trim()
                    .replace('\n', " ")
            ))
            .into(),
        ));
    }
    let mut report = SyncReport::default();
    // Notes: merge theirs into ours.
    let their_notes = repo
        .refs_matching(&format!("{ns}/notes/countersign"))?
        .into_iter()
        .next()
        .map(|(_, id)| id);
    if let Some(theirs) = &their_notes {
        let outcome = repo.merge_notes(theirs)?;
        report.notes = Some(
            match outcome {
                MergeOutcome::UpToDate => "up to date",
                MergeOutcome::FastForward => "fast-forward",
                MergeOutcome::Merged => "merged",
            }
            .to_string(),
        );
    }
    // Queue refs: take the remote's when new or newer here.
    let theirs_queue = list_refs(repo, &format!("{ns}/queue/"))?;
    for (rest, their_id) in &theirs_queue {
        let local = format!("refs/countersign/{rest}");
        match repo
            .git
            .find_reference(&local)
            .ok()
            .and_then(|r| r.target())
        {
            None => {
                repo.git
                    .reference(&local, oid(their_id)?, false, "countersign sync: new")
                    .map_err(anyhow::Error::from)?;
                report.queue_fetched.push(local);
            }
            Some(mine) if mine.to_string() == *their_id => {}
            Some(mine) => {
                if take_theirs(repo, &mine.to_string(), their_id)? {
                    repo.git
                        .reference_matching(
                            &local,
                            oid(their_id)?,
                            true,
                            mine,
                            "countersign sync: newer on the remote",
                        )
                        .map_err(anyhow::Error::from)?;
                    report.queue_fetched.push(local);
                }
            }
        }
    }
    // Push what the remote lacks, each ref leased at the value just fetched.
    let mut push = git(&git_dir);
    push.args(["push", "--quiet", "--porcelain"]);
    let mut specs = Vec::new();
    let mut leases = Vec::new();
    // Compared by what the refs hold (a tag object for revisions), not the
    // commit they peel to, as the remote's are.
    for (rest, id) in list_refs(repo, "refs/countersign/")? {
        let name = format!("refs/countersign/{rest}");
        let theirs = theirs_queue
            .iter()
            .find(|(r, _)| *r == rest)
            .map(|(_, i)| i);
        if theirs != Some(&id) {
            leases.push(format!(
                "--force-with-lease={name}:{}",
                theirs.map_or("", |s| s)
            ));
            specs.push(format!("+{name}:{name}"));
        }
    }
    if let Some(mine) = repo.notes_tip()
        && their_notes.as_ref() != Some(&mine)
    {
        leases.push(format!(
            "--force-with-lease={NOTES_REF}:{}",
            their_notes.as_deref().unwrap_or("")
        ));
        specs.push(format!("{NOTES_REF}:{NOTES_REF}"));
    }
    if specs.is_empty() {
        return Ok(report);
    }
    push.args(&leases);
    push.arg(remote);
    push.args(&specs);
    let out = run(push, "push")?;
    if !out.status.success() {
        let text = format!(
            "{} {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if text.contains("stale info") || text.contains("rejected") || text.contains("fetch first")
        {
            return Err(SyncError::Rejected(text.trim().replace('\n', " ")));
        }
        return Err(SyncError::Other(anyhow::anyhow!(
            "git push {remote} failed: {}",
            text.trim().replace('\n', " ")
        )));
    }
    report.pushed = specs
        .iter()
        .map(|s| {
            s.trim_start_matches('+')
                .split(':')
                .next()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    Ok(report)
}

/// Removes the `*.lock` files under `dir` older than [`STALE_LOCK`]; returns
/// how many.
fn clear_stale_locks(dir: &Path) -> usize {
    let mut removed = 0;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            removed += clear_stale_locks(&path);
        } else if path.extension().is_some_and(|x| x == "lock") {
            let stale = e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age >= STALE_LOCK);
            if stale && std::fs::remove_file(&path).is_ok() {
                removed += 1;
            }
        }
    }
    removed
}

/// Refs under `prefix`, as (name without the prefix, id).
fn list_refs(repo: &Repo, prefix: &str) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for r in repo.git.references_glob(&format!("{prefix}*"))? {
        let r = r?;
        if let (Ok(name), Some(target)) = (r.name(), r.target()) {
            out.push((
                name.trim_start_matches(prefix).to_string(),
                target.to_string(),
            ));
        }
    }
    Ok(out)
}

/// Whether the remote's version of a queue ref wins: it descends from ours, or
/// neither descends from the other and theirs was written later (last writer
/// wins; ties go to the larger commit id so every clone picks the same).
fn take_theirs(repo: &Repo, mine: &str, theirs: &str) -> Result<bool> {
    let (m, t) = (oid(mine)?, oid(theirs)?);
    if repo.git.graph_descendant_of(t, m).unwrap_or(false) {
        return Ok(true);
    }
    if repo.git.graph_descendant_of(m, t).unwrap_or(false) {
        return Ok(false);
    }
    let time = |o| {
        repo.git
            .find_commit(o)
            .map(|c| c.committer().when().seconds())
            .unwrap_or(0)
    };
    // Written in the same second: the larger id wins on both sides, so two
    // clones converge instead of swapping forever.
    Ok((time(t), t) > (time(m), m))
}
