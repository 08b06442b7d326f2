//! The revisions of a change: each head a change was (re)submitted with, kept as
//! `refs/countersign/revisions/<id>/<n>` (n = 1, 2, …), each an annotated tag on
//! that revision's head whose message carries the submit time and the base it
//! was measured against (a hint for display). They travel with the queue refs
//! (`refs/countersign/*`) to every clone and add no commits to `git log --all`.
//!
//! Whatever is under `refs/countersign/` can be written by a change's author:
//! revisions are history for people to read, never evidence for the gate.

use anyhow::{Context, Result};

use crate::git::repo::{Repo, oid};
use crate::trailers::parse_trailers;

/// The namespace of revision refs.
pub const REVISIONS_PREFIX: &str = "refs/countersign/revisions/";

/// One revision of a change.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Revision {
    /// 1 for the first submission, then 2, 3, …
    pub n: u32,
    pub head: String,
    /// The base it was submitted against (a hint; `None` when not recorded).
    pub base_hint: Option<String>,
    /// When it was submitted, seconds since the epoch.
    pub at: i64,
}

/// The revisions of change `id`, oldest first. Refs that do not peel to a
/// commit, or whose last component is not a number, are skipped.
pub fn list(repo: &Repo, id: &str) -> Result<Vec<Revision>> {
    let mut out = Vec::new();
    for r in repo
        .git
        .references_glob(&format!("{REVISIONS_PREFIX}{id}/*"))?
    {
        let r = r?;
        let Some(n) = r
            .name()
            .ok()
            .and_then(|name| name.strip_prefix(&format!("{REVISIONS_PREFIX}{id}/")))
            .and_then(|rest| rest.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(commit) = r.peel_to_commit() else {
            continue;
        };
        let (base_hint, at) = match r.peel_to_tag() {
            Ok(tag) => {
                let msg = String::from_utf8_lossy(tag.message_bytes().unwrap_or_default());
                let trailers = parse_trailers(&msg);
                let get = |k: &str| {
                    trailers
                        .iter()
                        .find(|(key, _)| key.eq_ignore_ascii_case(k))
                        .map(|(_, v)| v.clone())
                };
                let at = tag
                    .tagger()
                    .map(|t| t.when().seconds())
                    .unwrap_or_else(|| commit.time().seconds());
                (get("Countersign-Base").filter(|b| oid(b).is_ok()), at)
            }
            Err(_) => (None, commit.time().seconds()),
        };
        out.push(Revision {
            n,
            head: commit.id().to_string(),
            base_hint,
            at,
        });
    }
    out.sort_by_key(|r| r.n);
    Ok(out)
}

/// Records `head` as the newest revision of change `id` unless it already is.
/// `earlier` is the revision the queue held before (head, base, submit time):
/// a change queued before revisions were kept gets it as revision 1 first.
/// Returns the revision's number.
pub fn record(
    repo: &Repo,
    id: &str,
    head: &str,
    base: &str,
    at: Option<i64>,
    earlier: Option<(&str, &str, i64)>,
) -> Result<u32> {
    let existing = list(repo, id)?;
    if let Some(last) = existing.last()
        && last.head == head
    {
        return Ok(last.n);
    }
    let mut next = existing.last().map_or(1, |r| r.n + 1);
    if existing.is_empty()
        && let Some((h, b, t)) = earlier
        && h != head
    {
        write(repo, id, next, h, b, t)?;
        next += 1;
    }
    let at = at.unwrap_or_else(|| chrono::Utc::now().timestamp());
    // Another process may take a number at the same time: try the next one.
    for n in next..next + 16 {
        match write(repo, id, n, head, base, at) {
            Ok(()) => return Ok(n),
            Err(e) if is_exists(&e) => continue,
            Err(e) => return Err(e),
        }
    }
    anyhow::bail!("could not record a revision of {id}: every number was taken; run it again")
}

fn is_exists(e: &anyhow::Error) -> bool {
    e.downcast_ref::<git2::Error>()
        .is_some_and(|g| g.code() == git2::ErrorCode::Exists)
}

fn write(repo: &Repo, id: &str, n: u32, head: &str, base: &str, at: i64) -> Result<()> {
    let target = repo
        .git
        .find_object(oid(head)?, Some(git2::ObjectType::Commit))?;
    let sig = repo
        .git
        .signature()
        .or_else(|_| git2::Signature::now("countersign", "countersign@localhost"))?;
    let sig = git2::Signature::new(
        sig.name().unwrap_or("countersign"),
        sig.email().unwrap_or("countersign@localhost"),
        &git2::Time::new(at, 0),
    )?;
    let msg = format!(
        "countersign: revision {n} of {id}\n\nCountersign-Change: {id}\nCountersign-Revision: {n}\nCountersign-Base: {base}\n"
    );
    let tag = repo
        .git
        .tag_annotation_create(&format!("{id}-{n}"), &target, &sig, &msg)
        .context("writing a revision's tag object")?;
    repo.git
        .reference(
            &format!("{REVISIONS_PREFIX}{id}/{n}"),
            tag,
            false,
            &format!("countersign: revision {n} of {id}"),
        )
        .map_err(anyhow::Error::from)?;
    Ok(())
}
