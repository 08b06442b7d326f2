//! The queue's sources in git: `refs/countersign/pending/<id>` refs written by
//! `submit` and `scan`, and refs matched by configured globs (forges' review refs).
//!
//! A pending ref points at a small metadata commit whose first parent is the
//! change's head and whose tree is the head's tree; its message carries the title
//! and `Countersign-*` trailers (id, base, tool, submitter). Everything travels
//! with an ordinary `git fetch`/`push` of `refs/countersign/*`.

use anyhow::{Context, Result};
use git2::Oid;

use crate::change::{Change, ChangeSource, derive_id};
use crate::config::RepoConfig;
use crate::error::BadInput;
use crate::git::repo::{CommitInfo, Repo, commit_info, oid};
use crate::trailers::{ai_tool, parse_trailers};

/// The namespace of pending-change refs.
pub const PENDING_PREFIX: &str = "refs/countersign/pending/";

/// What `submit` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    pub id: String,
    /// False when the same head was already queued under this id.
    pub updated: bool,
}

/// Options of a submission.
#[derive(Debug, Clone, Default)]
pub struct SubmitRequest<'a> {
    pub rev: &'a str,
    pub base: Option<&'a str>,
    pub title: Option<&'a str>,
    pub tool: Option<&'a str>,
    /// When it was submitted (seconds since the epoch); default now. For
    /// importers and the demo, whose changes were queued in the past.
    pub at: Option<i64>,
}

/// Reads every pending change: submitted refs first, then configured ref globs,
/// de-duplicated by head.
pub fn list_changes(repo: &Repo, cfg: &RepoConfig) -> Result<Vec<Change>> {
    let mut out: Vec<Change> = Vec::new();
    let mut heads = std::collections::HashSet::new();
    for (name, _) in repo.refs_matching(&format!("{PENDING_PREFIX}*"))? {
        if let Some(change) = read_pending_ref(repo, cfg, &name)?
            && heads.insert(change.head.clone())
        {
            out.push(change);
        }
    }
    for glob in &cfg.sources.refs {
        for (name, head) in repo.refs_matching(glob)? {
            if heads.contains(&head) {
                continue;
            }
            if let Some(change) = change_from_forge_ref(repo, cfg, &name, &head)? {
                heads.insert(change.head.clone());
                out.push(change);
            }
        }
    }
    Ok(out)
}

/// Finds a change by id (or a unique prefix of one, or its head commit).
pub fn find_change(repo: &Repo, cfg: &RepoConfig, id: &str) -> Result<Change> {
    let all = list_changes(repo, cfg)?;
    if let Some(c) = all.iter().find(|c| c.id == id) {
        return Ok(c.clone());
    }
    let matches: Vec<&Change> = all
        .iter()
        .filter(|c| {
            (id.len() >= 4 && c.id.starts_with(id)) || (id.len() >= 7 && c.head.starts_with(id))
        })
        .collect();
    match matches.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(BadInput::new(format!(
            "no pending change '{id}'; run 'countersign queue' to list the ids"
        ))
        .into()),
        many => Err(BadInput::new(format!(
            "'{id}' matches {} changes ({}); type more of the id",
            many.len(),
            many.iter()
                .map(|c| c.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .into()),
    }
}

fn read_pending_ref(repo: &Repo, cfg: &RepoConfig, name: &str) -> Result<Option<Change>> {
    let reference = repo.git.find_reference(name)?;
    let Ok(meta) = reference.peel_to_commit() else {
        return Ok(None);
    };
    let id_from_ref = name.trim_start_matches(PENDING_PREFIX).to_string();
    let meta_info = commit_info(&meta);
    let trailers = parse_trailers(&meta_info.message);
    let get = |k: &str| {
        trailers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.clone())
    };
    let Some(_) = get("Countersign-Change") else {
        // A ref pushed by hand straight at a head commit.
        return change_from_head(
            repo,
            cfg,
            name,
            &meta_info,
            &id_from_ref,
            ChangeSource::Submit,
        );
    };
    let head = meta
        .parent(0)
        .context("a pending ref's commit has no head parent")?;
    let head_info = commit_info(&head);
    let base = match get("Countersign-Base") {
        Some(b) if oid(&b).is_ok() => b,
        _ => match default_base(repo, cfg, &head_info.id)? {
            Some(b) => b,
            None => return Ok(None),
        },
    };
    let source = match get("Countersign-Source").as_deref() {
        Some("scan") => ChangeSource::Scan,
        _ => ChangeSource::Submit,
    };
    Ok(Some(Change {
        id: id_from_ref,
        title: meta_info.subject().to_string(),
        author: head_info.author(),
        author_email: head_info.author_email.clone(),
        committer_email: head_info.committer_email.clone(),
        tool: get("Countersign-Tool").unwrap_or_else(|| "unknown".into()),
        base,
        head: head_info.id.clone(),
        target: get("Countersign-Target").unwrap_or_else(|| cfg.target.clone()),
        source,
        ref_name: name.to_string(),
        submitted_from: get("Countersign-From"),
        submitter: Some(format!(
            "{} <{}>",
            meta_info.author_name, meta_info.author_email
        )),
        submitted_at: meta_info.time,
        authored_at: head_info.time,
    }))
}

/// A change for a ref that points straight at its head.
fn change_from_head(
    repo: &Repo,
    cfg: &RepoConfig,
    ref_name: &str,
    head: &CommitInfo,
    id: &str,
    source: ChangeSource,
) -> Result<Option<Change>> {
    let Some(base) = default_base(repo, cfg, &head.id)? else {
        return Ok(None);
    };
    if base == head.id {
        return Ok(None);
    }
    let tool = first_ai_tool(repo, cfg, &base, &head.id)?;
    if source == ChangeSource::Ref && tool.is_none() {
        return Ok(None);
    }
    Ok(Some(Change {
        id: id.to_string(),
        title: head.subject().to_string(),
        author: head.author(),
        author_email: head.author_email.clone(),
        committer_email: head.committer_email.clone(),
        tool: tool.unwrap_or_else(|| "unknown".into()),
        base,
        head: head.id.clone(),
        target: cfg.target.clone(),
        source,
        ref_name: ref_name.to_string(),
        submitted_from: Some(ref_name.to_string()),
        submitter: None,
        submitted_at: head.time,
        authored_at: head.time,
    }))
}

fn change_from_forge_ref(
    repo: &Repo,
    cfg: &RepoConfig,
    name: &str,
    head: &str,
) -> Result<Option<Change>> {
    let info = repo.commit_info(head)?;
    change_from_head(
        repo,
        cfg,
        name,
        &info,
        &derive_id(&format!("ref:{name}")),
        ChangeSource::Ref,
    )
}

/// The merge-base of `head` with the target branch, or `None` when the target
/// does not exist or shares no history.
fn default_base(repo: &Repo, cfg: &RepoConfig, head: &str) -> Result<Option<String>> {
    let Some(target) = resolve_target(repo, &cfg.target) else {
        return Ok(None);
    };
    repo.merge_base(&target, head)
}

/// Resolves the target branch: a local branch, else `origin/<target>`.
pub fn resolve_target(repo: &Repo, target: &str) -> Option<String> {
    [target.to_string(), format!("origin/{target}")]
        .iter()
        .find_map(|t| repo.resolve_commit(t).ok())
}

/// The AI tool named by the first AI-assisted commit of `base..head`.
fn first_ai_tool(repo: &Repo, cfg: &RepoConfig, base: &str, head: &str) -> Result<Option<String>> {
    let mut walk = repo.git.revwalk()?;
    walk.push(oid(head)?)?;
    walk.hide(oid(base)?)?;
    for id in walk.take(1000) {
        let c = repo.git.find_commit(id?)?;
        let msg = String::from_utf8_lossy(c.message_bytes());
        if let Some(t) = ai_tool(&msg, &cfg.ai) {
            return Ok(Some(t));
        }
    }
    Ok(None)
}

/// Puts a change in the queue (or moves an existing one to a new head) and
/// returns its id.
pub fn submit(repo: &Repo, cfg: &RepoConfig, req: &SubmitRequest<'_>) -> Result<Submitted> {
    let head = repo.resolve_commit(req.rev)?;
    let from = repo
        .git
        .revparse_ext(req.rev)
        .ok()
        .and_then(|(_, r)| r.and_then(|r| r.name().ok().map(str::to_string)));
    let base = match req.base {
        Some(b) => repo.resolve_commit(b)?,
        None => {
            let Some(target) = resolve_target(repo, &cfg.target) else {
                return Err(BadInput::new(format!(
                    "there is no branch '{}' to measure the change against; pass --base <rev> or set `target` in .countersign/config.toml",
                    cfg.target
                ))
                .into());
            };
            repo.merge_base(&target, &head)?.ok_or_else(|| {
                BadInput::new(format!(
                    "'{}' shares no history with '{}'; pass --base <rev>",
                    req.rev, cfg.target
                ))
            })?
        }
    };
    if base == head {
        return Err(BadInput::new(format!(
            "'{}' has nothing to review: it is already part of its base; pass --base <rev> to review earlier commits",
            req.rev
        ))
        .into());
    }
    let head_info = repo.commit_info(&head)?;
    let tool = match req.tool {
        Some(t) => Some(t.to_string()),
        None => first_ai_tool(repo, cfg, &base, &head)?,
    };
    let existing = list_changes(repo, cfg)?;
    // The same branch re-submitted keeps its id; the same head is already queued.
    let same_source = from
        .as_ref()
        .filter(|f| f.starts_with("refs/heads/") || f.starts_with("refs/remotes/"))
        .and_then(|f| {
            existing
                .iter()
                .find(|c| c.source != ChangeSource::Ref && c.submitted_from.as_deref() == Some(f))
        });
    let same_head = existing
        .iter()
        .find(|c| c.head == head && c.source != ChangeSource::Ref);
    let (id, updated) = match (same_source, same_head) {
        (Some(c), _) => (c.id.clone(), c.head != head || c.base != base),
        (None, Some(c)) => (c.id.clone(), c.base != base),
        (None, None) => (
            fresh_id(repo, &format!("{head}:{}", from.as_deref().unwrap_or(""))),
            true,
        ),
    };
    let title = match req.title {
        Some(t) => t.to_string(),
        None => default_title(repo, &base, &head_info)?,
    };
    if updated || req.title.is_some() {
        write_pending_ref(
            repo,
            &PendingMeta {
                id: &id,
                title: &title,
                base: &base,
                head: &head,
                target: &cfg.target,
                tool: tool.as_deref().unwrap_or("unknown"),
                from: from.as_deref(),
                source: "submit",
                at: req.at,
            },
        )?;
        let earlier = same_source
            .or(same_head)
            .map(|c| (c.head.as_str(), c.base.as_str(), c.submitted_at));
        super::revisions::record(repo, &id, &head, &base, req.at, earlier)?;
    }
    Ok(Submitted { id, updated })
}

/// A fresh id that no existing pending ref uses.
fn fresh_id(repo: &Repo, seed: &str) -> String {
    (0..)
        .map(|n| derive_id(&format!("{seed}:{n}")))
        .find(|id| {
            repo.git
                .find_reference(&format!("{PENDING_PREFIX}{id}"))
                .is_err()
        })
        .expect("ids are unbounded")
}

/// The subject of a one-commit change; for several commits, the first subject
/// and how many more follow.
fn default_title(repo: &Repo, base: &str, head: &CommitInfo) -> Result<String> {
    let mut walk = repo.git.revwalk()?;
    walk.push(oid(&head.id)?)?;
    walk.hide(oid(base)?)?;
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)?;
    let ids: Vec<Oid> = walk.take(10_001).collect::<Result<_, _>>()?;
    if ids.len() <= 1 {
        return Ok(head.subject().to_string());
    }
    let first = repo.git.find_commit(ids[0])?;
    Ok(format!(
        "{} (+{} more)",
        commit_info(&first).subject(),
        ids.len() - 1
    ))
}

struct PendingMeta<'a> {
    id: &'a str,
    title: &'a str,
    base: &'a str,
    head: &'a str,
    target: &'a str,
    tool: &'a str,
    from: Option<&'a str>,
    source: &'a str,
    at: Option<i64>,
}

fn write_pending_ref(repo: &Repo, meta: &PendingMeta<'_>) -> Result<()> {
    let head = repo.git.find_commit(oid(meta.head)?)?;
    let tree = head.tree()?;
    let mut sig = repo
        .git
        .signature()
        .or_else(|_| git2::Signature::now("countersign", "countersign@localhost"))?;
    if let Some(at) = meta.at {
        sig = git2::Signature::new(
            sig.name().unwrap_or("countersign"),
            sig.email().unwrap_or("countersign@localhost"),
            &git2::Time::new(at, 0),
        )?;
    }
    let title = meta.title.replace(['\n', '\r'], " ");
    let mut msg = format!(
        "{title}\n\nCountersign-Change: {}\nCountersign-Base: {}\nCountersign-Target: {}\nCountersign-Tool: {}\nCountersign-Source: {}\n",
        meta.id,
        meta.base,
        meta.target,
        meta.tool.replace(['\n', '\r'], " "),
        meta.source
    );
    if let Some(f) = meta.from {
        msg.push_str(&format!("Countersign-From: {f}\n"));
    }
    let commit = repo
        .git
        .commit(None, &sig, &sig, &msg, &tree, &[&head])
        .context("writing the change's metadata commit")?;
    repo.git
        .reference(
            &format!("{PENDING_PREFIX}{}", meta.id),
            commit,
            true,
            &format!("countersign: queue {}", meta.head),
        )
        .context("updating the pending ref")?;
    Ok(())
}

/// A run of consecutive AI-assisted commits found by `scan`.
#[derive(Debug, Clone)]
struct Run {
    base: String,
    head: String,
    first_subject: String,
    count: usize,
    tool: String,
}

/// Result of a scan.
#[derive(Debug, Clone, Default)]
pub struct ScanOutcome {
    /// Ids of the changes queued by this scan.
    pub queued: Vec<String>,
    /// How many AI-assisted commits the range held.
    pub ai_commits: usize,
    /// Runs skipped because they were already queued.
    pub already_queued: usize,
}

/// Finds the AI-assisted commits of `range` (default: every local branch's
/// commits not on the target) and queues each run of consecutive ones.
pub fn scan(repo: &Repo, cfg: &RepoConfig, range: Option<&str>) -> Result<ScanOutcome> {
    let ids = match range {
        Some(r) => repo.commits_in_range(r, &cfg.target)?,
        None => repo.commits_off_target(&cfg.target)?,
    };
    // Oldest first, so a run grows from its base.
    let mut runs: Vec<Run> = Vec::new();
    let mut outcome = ScanOutcome::default();
    for id in ids.iter().rev() {
        let info = repo.commit_info(id)?;
        if info.parents.len() != 1 {
            continue;
        }
        let Some(tool) = ai_tool(&info.message, &cfg.ai) else {
            continue;
        };
        outcome.ai_commits += 1;
        let parent = &info.parents[0];
        if let Some(run) = runs.iter_mut().find(|r| &r.head == parent) {
            run.head = id.clone();
            run.count += 1;
        } else {
            runs.push(Run {
                base: parent.clone(),
                head: id.clone(),
                first_subject: info.subject().to_string(),
                count: 1,
                tool,
            });
        }
    }
    let existing = list_changes(repo, cfg)?;
    for run in runs {
        let covered = existing.iter().any(|c| {
            c.head == run.head
                || (repo.is_ancestor(&run.head, &c.head).unwrap_or(false)
                    && repo.is_ancestor(&c.base, &run.base).unwrap_or(false))
        });
        if covered {
            outcome.already_queued += 1;
            continue;
        }
        let id = fresh_id(repo, &format!("{}:scan", run.head));
        let title = if run.count > 1 {
            format!("{} (+{} more)", run.first_subject, run.count - 1)
        } else {
            run.first_subject.clone()
        };
        write_pending_ref(
            repo,
            &PendingMeta {
                id: &id,
                title: &title,
                base: &run.base,
                head: &run.head,
                target: &cfg.target,
                tool: &run.tool,
                from: None,
                source: "scan",
                at: None,
            },
        )?;
        super::revisions::record(repo, &id, &run.head, &run.base, None, None)?;
        outcome.queued.push(id);
    }
    Ok(outcome)
}

/// Removes a change from the queue (its pending ref). Decisions stay in notes.
pub fn drop_change(repo: &Repo, id: &str) -> Result<bool> {
    match repo.git.find_reference(&format!("{PENDING_PREFIX}{id}")) {
        Ok(mut r) => {
            r.delete()?;
            Ok(true)
        }
        Err(_) => Ok(false),
    }
}
