//! The queue's sources in git: `refs/countersign/pending/<id>` refs written by
//! `submit` and `scan`, and refs matched by configured globs (forges' review refs).
//!
//! A pending ref points at an annotated tag object whose target is the change's
//! head commit; the tag's message carries the title and `Countersign-*` lines
//! (id, base hint, target, tool, source, submitted-from) and its tagger the
//! submitter and the time. A tag adds no commit to `git log --all`, and it
//! travels with an ordinary `git fetch`/`push` of `refs/countersign/*`. The
//! older form, a metadata commit whose first parent is the head, is still read;
//! a ref pointing straight at a commit is read as a bare head.
//!
//! Only `refs/countersign/pending/<id>` (one level) is a pending change: other
//! refs under `refs/countersign/` (for example `revisions/<id>/<n>`) are not.

use std::collections::{HashMap, HashSet};

use anyhow::{Context, Result};
use git2::{ObjectType, Oid};

use crate::change::{Change, ChangeSource, derive_id};
use crate::config::RepoConfig;
use crate::error::BadInput;
use crate::git::repo::{CommitInfo, Repo, commit_info, oid};
use crate::trailers::{ai_tool, parse_trailers};

/// The namespace of pending-change refs.
pub const PENDING_PREFIX: &str = "refs/countersign/pending/";

/// The metadata of a pending ref, whichever form it has on disk.
struct PendingObject {
    /// The tag's (or old metadata commit's) message: title and `Countersign-*` lines.
    message: String,
    submitter: String,
    /// When it was written, seconds since the epoch.
    at: i64,
    /// The change's head commit.
    head: Oid,
    /// False for a ref that points straight at a commit (no metadata).
    has_metadata: bool,
}

/// Reads the object a pending ref points to: an annotated tag (the current
/// form), a metadata commit (the old form: `Countersign-Change` in its message,
/// head as first parent) or a bare head commit. `None` for anything else.
fn read_pending_object(repo: &Repo, target: Oid) -> Result<Option<PendingObject>> {
    let obj = repo
        .git
        .find_object(target, None)
        .with_context(|| format!("reading the object {target} of a pending ref"))?;
    match obj.kind() {
        Some(ObjectType::Tag) => {
            let tag = obj.as_tag().expect("a tag object");
            let Ok(head) = tag.target().and_then(|t| t.peel_to_commit()) else {
                return Ok(None);
            };
            let (submitter, at) = match tag.tagger() {
                Some(t) => (
                    format!(
                        "{} <{}>",
                        String::from_utf8_lossy(t.name_bytes()),
                        String::from_utf8_lossy(t.email_bytes())
                    ),
                    t.when().seconds(),
                ),
                None => ("unknown".to_string(), 0),
            };
            Ok(Some(PendingObject {
                message: String::from_utf8_lossy(tag.message_bytes().unwrap_or_default())
                    .into_owned(),
                submitter,
                at,
                head: head.id(),
                has_metadata: true,
            }))
        }
        Some(ObjectType::Commit) => {
            let commit = obj.as_commit().expect("a commit object");
            let info = commit_info(commit);
            let has_metadata = parse_trailers(&info.message)
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("Countersign-Change"));
            let head = if has_metadata {
                commit
                    .parent_id(0)
                    .context("a pending ref's metadata commit has no head parent")?
            } else {
                commit.id()
            };
            Ok(Some(PendingObject {
                submitter: format!("{} <{}>", info.author_name, info.author_email),
                at: info.time,
                message: info.message,
                head,
                has_metadata,
            }))
        }
        _ => Ok(None),
    }
}

/// The head commit a queue ref's object stands for (a tag's target, an old
/// metadata commit's first parent, or the commit itself) and when it was
/// written; for `sync`, which orders two versions of the same ref.
pub(crate) fn pending_head_and_time(repo: &Repo, target: Oid) -> Option<(Oid, i64)> {
    read_pending_object(repo, target)
        .ok()
        .flatten()
        .map(|p| (p.head, p.at))
}

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

/// Reads every pending change: submitted refs first (each ref its own change,
/// in the order of their names), then configured ref globs whose heads no
/// pending ref holds. Pending refs are never merged by head: a second ref
/// forged onto the same commits must not hide the change it copies, whatever
/// order the refs are read in, so both are listed.
pub fn list_changes(repo: &Repo, cfg: &RepoConfig) -> Result<Vec<Change>> {
    let mut out: Vec<Change> = Vec::new();
    let mut heads = std::collections::HashSet::new();
    let mut refs = pending_refs(repo)?;
    refs.sort();
    for (name, target) in refs {
        if let Some(change) = read_pending_ref(repo, cfg, &name, target)? {
            heads.insert(change.head.clone());
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

/// The pending refs, `refs/countersign/pending/<id>` exactly (deeper names
/// are other kinds of queue refs), with the object each points to.
fn pending_refs(repo: &Repo) -> Result<Vec<(String, Oid)>> {
    let mut out = Vec::new();
    for r in repo.git.references_glob(&format!("{PENDING_PREFIX}*"))? {
        let r = r?;
        let (Ok(name), Some(target)) = (r.name(), r.target()) else {
            continue;
        };
        let id = &name[PENDING_PREFIX.len()..];
        if !id.is_empty() && !id.contains('/') {
            out.push((name.to_string(), target));
        }
    }
    Ok(out)
}

fn read_pending_ref(
    repo: &Repo,
    cfg: &RepoConfig,
    name: &str,
    target: Oid,
) -> Result<Option<Change>> {
    let Some(pending) = read_pending_object(repo, target)? else {
        return Ok(None);
    };
    let id_from_ref = name.trim_start_matches(PENDING_PREFIX).to_string();
    let head = match repo.git.find_commit(pending.head) {
        Ok(h) => h,
        // A shallow clone cut the queue ref from its head: say so and how to
        // fix it, not libgit2's "object not found".
        Err(_) if repo.git.is_shallow() => {
            return Err(BadInput::new(format!(
                "{name}: this clone is shallow and lacks the change's commits; run `git fetch --unshallow` (or clone with full history) first"
            ))
            .into());
        }
        Err(e) => {
            return Err(e).with_context(|| format!("reading the head {} of {name}", pending.head));
        }
    };
    let head_info = commit_info(&head);
    if !pending.has_metadata {
        // A ref pushed by hand straight at a head commit.
        return change_from_head(
            repo,
            cfg,
            name,
            &head_info,
            &id_from_ref,
            ChangeSource::Submit,
        );
    }
    let trailers = parse_trailers(&pending.message);
    let get = |k: &str| {
        trailers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.clone())
    };
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
    let title = pending
        .message
        .lines()
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    Ok(Some(Change {
        id: id_from_ref,
        title,
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
        submitter: Some(pending.submitter),
        submitted_at: pending.at,
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

/// Writes the change's annotated tag object (metadata in its message, the head
/// as its target) and points `refs/countersign/pending/<id>` at it. No commit
/// is created, so `git log --all` shows nothing new.
fn write_pending_ref(repo: &Repo, meta: &PendingMeta<'_>) -> Result<()> {
    let head = repo
        .git
        .find_object(oid(meta.head)?, Some(ObjectType::Commit))?;
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
    let one_line = |s: &str| s.replace(['\n', '\r'], " ");
    let mut msg = format!(
        "{}\n\nCountersign-Change: {}\nCountersign-Base: {}\nCountersign-Target: {}\nCountersign-Tool: {}\nCountersign-Source: {}\n",
        one_line(meta.title),
        meta.id,
        meta.base,
        meta.target,
        one_line(meta.tool),
        meta.source
    );
    if let Some(f) = meta.from {
        msg.push_str(&format!("Countersign-From: {f}\n"));
    }
    let tag = repo
        .git
        .tag_annotation_create(
            &format!("countersign/pending/{}", meta.id),
            &head,
            &sig,
            &msg,
        )
        .context("writing the change's metadata tag")?;
    repo.git
        .reference(
            &format!("{PENDING_PREFIX}{}", meta.id),
            tag,
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
    /// The range looked at, as a user would type it (`main..HEAD`), or a
    /// description for the default (every local branch not on the target).
    pub range: String,
    /// How many commits the range held.
    pub commits: usize,
}

/// Finds the AI-assisted commits of `range` (default: every local branch's
/// commits not on the target) and queues each run of consecutive ones.
///
/// Time grows with the commits of the range and the new runs, not with the
/// queue: already-queued runs are found in a set of queued heads, and the
/// ranges of queued changes are walked once, only when a run is new.
pub fn scan(repo: &Repo, cfg: &RepoConfig, range: Option<&str>) -> Result<ScanOutcome> {
    let ids = match range {
        Some(r) => repo.commit_oids_in_range(r, &cfg.target)?,
        None => repo.commit_oids_off_target(&cfg.target)?,
    };
    let mut outcome = ScanOutcome {
        range: describe_range(repo, range, &cfg.target),
        commits: ids.len(),
        ..ScanOutcome::default()
    };
    // Oldest first, so a run grows from its base; a run is found by its
    // current head in `run_by_head`.
    let mut runs: Vec<Run> = Vec::new();
    let mut run_by_head: HashMap<Oid, usize> = HashMap::new();
    for id in ids.iter().rev() {
        let commit = repo.git.find_commit(*id)?;
        if commit.parent_count() != 1 {
            continue;
        }
        let message = String::from_utf8_lossy(commit.message_bytes());
        let Some(tool) = ai_tool(&message, &cfg.ai) else {
            continue;
        };
        outcome.ai_commits += 1;
        let parent = commit.parent_id(0)?;
        if let Some(i) = run_by_head.remove(&parent) {
            runs[i].head = id.to_string();
            runs[i].count += 1;
            run_by_head.insert(*id, i);
        } else {
            run_by_head.insert(*id, runs.len());
            runs.push(Run {
                base: parent.to_string(),
                head: id.to_string(),
                first_subject: commit_info(&commit).subject().to_string(),
                count: 1,
                tool,
            });
        }
    }
    let existing = list_changes(repo, cfg)?;
    let queued_heads: HashSet<&str> = existing.iter().map(|c| c.head.as_str()).collect();
    let mut queued_ranges: Option<HashMap<String, Vec<usize>>> = None;
    for run in runs {
        if queued_heads.contains(run.head.as_str()) {
            outcome.already_queued += 1;
            continue;
        }
        // A run inside a larger queued change (a submitted branch) is covered.
        let ranges = match &mut queued_ranges {
            Some(r) => r,
            None => queued_ranges.insert(commits_by_change(repo, &existing)?),
        };
        let covered = ranges.get(&run.head).is_some_and(|owners| {
            owners.iter().any(|&i| {
                existing[i].base == run.base
                    || ranges
                        .get(&run.base)
                        .is_some_and(|base_owners| base_owners.contains(&i))
            })
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

/// Every commit of each queued change's range (`base..head`), with the
/// indices of the changes whose range holds it: one walk per change.
fn commits_by_change(repo: &Repo, changes: &[Change]) -> Result<HashMap<String, Vec<usize>>> {
    let mut out: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, c) in changes.iter().enumerate() {
        let mut walk = repo.git.revwalk()?;
        walk.push(oid(&c.head)?)?;
        walk.hide(oid(&c.base)?)?;
        for id in walk {
            out.entry(id?.to_string()).or_default().push(i);
        }
    }
    Ok(out)
}

/// The range a scan looks at, as the user would write it.
fn describe_range(repo: &Repo, range: Option<&str>, target: &str) -> String {
    let has_target = repo.has_revision(target);
    match range {
        Some(r) => match r.split_once("..") {
            Some((from, "")) => format!("{from}..HEAD"),
            Some(_) => r.to_string(),
            None if has_target => format!("{target}..{r}"),
            None => r.to_string(),
        },
        None if has_target => format!("the local branches not on {target}"),
        None => format!("the local branches (no '{target}' here)"),
    }
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
