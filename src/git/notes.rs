//! Decision notes: JSON lines in the note of a commit under
//! `refs/notes/countersign`. Writing is compare-and-swap: a new notes commit is
//! built without moving any ref, then the notes ref is moved only if it still
//! points where it did (`reference_matching`); on a race the write is redone on
//! top of the winner. A write happens whole or not at all, and parallel writers
//! never lose each other's lines. Merging with another notes history follows
//! git's `cat_sort_uniq` strategy. The same machinery serves other line-based
//! notes refs (the `_in` functions), such as analyzer results under
//! `refs/notes/countersign-analysis`.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use git2::{ErrorCode, Oid};

use crate::git::repo::{Repo, oid};

/// The notes ref holding decision records.
pub const NOTES_REF: &str = "refs/notes/countersign";

/// The notes ref holding analyzer results (SARIF runs, one JSON line each).
pub const ANALYSIS_NOTES_REF: &str = "refs/notes/countersign-analysis";

/// How many times a write is retried after losing a race.
const MAX_ATTEMPTS: u32 = 200;

/// A ref lock older than this is left over from a writer that died (killed,
/// power loss) and is removed. A live writer holds the lock only while it
/// compares and writes one object id (microseconds), so a lock this old has
/// no owner; without clearing it every later decision would fail until
/// someone deleted the file by hand.
pub(crate) const STALE_LOCK: Duration = Duration::from_secs(3);

/// What a notes merge did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeOutcome {
    /// The other side had nothing new.
    UpToDate,
    /// Local notes moved forward to the other side's.
    FastForward,
    /// Both sides had new notes; a merge commit unites them.
    Merged,
}

/// git's `cat_sort_uniq`: the lines of both notes, empty ones dropped, sorted
/// bytewise, duplicates removed, each ending in a newline.
pub fn cat_sort_uniq(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut lines: Vec<&[u8]> = a
        .split(|&c| c == b'\n')
        .chain(b.split(|&c| c == b'\n'))
        .filter(|l| !l.is_empty())
        .collect();
    lines.sort_unstable();
    lines.dedup();
    let mut out = Vec::with_capacity(a.len() + b.len());
    for l in lines {
        out.extend_from_slice(l);
        out.push(b'\n');
    }
    out
}

impl Repo {
    /// The commit the notes ref points to, if any.
    pub fn notes_tip(&self) -> Option<String> {
        self.notes_tip_in(NOTES_REF)
    }

    /// The commit the notes ref `notes_ref` points to, if any.
    pub fn notes_tip_in(&self, notes_ref: &str) -> Option<String> {
        self.git
            .find_reference(notes_ref)
            .ok()
            .and_then(|r| r.target())
            .map(|o| o.to_string())
    }

    /// The note of `commit` (raw bytes), if it has one.
    pub fn note_of(&self, commit: &str) -> Result<Option<Vec<u8>>> {
        self.note_in(NOTES_REF, commit)
    }

    /// The note of `commit` under the notes ref `notes_ref`, if it has one.
    pub fn note_in(&self, notes_ref: &str, commit: &str) -> Result<Option<Vec<u8>>> {
        match self.git.find_note(Some(notes_ref), oid(commit)?) {
            Ok(n) => Ok(Some(n.message_bytes().to_vec())),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
            Err(e) => {
                // A notes ref that is not a commit: say so, not libgit2's words.
                if let Some(tip) = self
                    .git
                    .find_reference(notes_ref)
                    .ok()
                    .and_then(|r| r.target())
                {
                    notes_commit(self, notes_ref, tip)?;
                }
                Err(anyhow!(e).context(format!("reading a note under {notes_ref}")))
            }
        }
    }

    /// Every note: (annotated commit, note bytes), in object-id order.
    pub fn all_notes(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let Some(tip) = self.notes_tip() else {
            return Ok(Vec::new());
        };
        let map = notes_map(self, NOTES_REF, Some(oid(&tip)?))?;
        let mut out = Vec::with_capacity(map.len());
        for (annotated, blob) in map {
            let b = self.git.find_blob(blob)?;
            out.push((annotated.to_string(), b.content().to_vec()));
        }
        Ok(out)
    }

    /// Appends one line (a record, without newline) to the note of `commit`,
    /// by compare-and-swap with retry. A line already present is not repeated.
    pub fn append_note_line(&self, commit: &str, line: &str) -> Result<()> {
        self.append_note_lines(&[(commit.to_string(), line.to_string())])
    }

    /// Appends many lines at once (one notes commit), by compare-and-swap.
    pub fn append_note_lines(&self, items: &[(String, String)]) -> Result<()> {
        self.append_note_lines_in(NOTES_REF, items)
    }

    /// Appends lines to notes under `notes_ref` (one notes commit), by
    /// compare-and-swap; lines already present are not repeated.
    pub fn append_note_lines_in(&self, notes_ref: &str, items: &[(String, String)]) -> Result<()> {
        if items.iter().any(|(_, l)| l.contains('\n')) {
            return Err(anyhow!("a note line may not contain a newline"));
        }
        let mut by_commit: BTreeMap<Oid, Vec<&str>> = BTreeMap::new();
        for (c, l) in items {
            by_commit.entry(oid(c)?).or_default().push(l);
        }
        self.update_notes(
            notes_ref,
            "countersign: append note lines",
            |repo, map, _| {
                for (commit, lines) in &by_commit {
                    let mut text = match map.get(commit) {
                        Some(b) => repo.git.find_blob(*b)?.content().to_vec(),
                        None => Vec::new(),
                    };
                    let before = text.len();
                    for l in lines {
                        let present = text.split(|&c| c == b'\n').any(|x| x == l.as_bytes());
                        if present {
                            continue;
                        }
                        if !text.is_empty() && !text.ends_with(b"\n") {
                            text.push(b'\n');
                        }
                        text.extend_from_slice(l.as_bytes());
                        text.push(b'\n');
                    }
                    if text.len() != before {
                        map.insert(*commit, repo.git.blob(&text)?);
                    }
                }
                Ok(None)
            },
        )
    }

    /// Merges the notes history at `other` (a ref or commit id) into ours with
    /// `cat_sort_uniq`, by compare-and-swap.
    pub fn merge_notes(&self, other: &str) -> Result<MergeOutcome> {
        self.merge_notes_in(NOTES_REF, other)
    }

    /// Merges the notes history at `other` into the notes ref `notes_ref` with
    /// `cat_sort_uniq`, by compare-and-swap.
    pub fn merge_notes_in(&self, notes_ref: &str, other: &str) -> Result<MergeOutcome> {
        let theirs = self
            .git
            .revparse_single(other)
            .and_then(|o| o.peel_to_commit())
            .with_context(|| format!("reading notes at {other}"))?
            .id();
        let mut outcome = MergeOutcome::UpToDate;
        self.update_notes(
            notes_ref,
            "countersign: merge notes (cat_sort_uniq)",
            |repo, map, ours| {
                let Some(ours) = ours else {
                    outcome = MergeOutcome::FastForward;
                    return Ok(Some(UpdateTo::Commit(theirs)));
                };
                if ours == theirs || repo.git.graph_descendant_of(ours, theirs)? {
                    outcome = MergeOutcome::UpToDate;
                    return Ok(Some(UpdateTo::Nothing));
                }
                if repo.git.graph_descendant_of(theirs, ours)? {
                    outcome = MergeOutcome::FastForward;
                    return Ok(Some(UpdateTo::Commit(theirs)));
                }
                outcome = MergeOutcome::Merged;
                for (annotated, blob) in notes_map(repo, notes_ref, Some(theirs))? {
                    match map.get(&annotated) {
                        Some(mine) if *mine == blob => {}
                        Some(mine) => {
                            let a = repo.git.find_blob(*mine)?.content().to_vec();
                            let b = repo.git.find_blob(blob)?.content().to_vec();
                            map.insert(annotated, repo.git.blob(&cat_sort_uniq(&a, &b))?);
                        }
                        None => {
                            map.insert(annotated, blob);
                        }
                    }
                }
                Ok(Some(UpdateTo::MergeWith(theirs)))
            },
        )?;
        Ok(outcome)
    }

    /// The compare-and-swap loop: reads the notes at the current tip, lets `f`
    /// edit the map (annotated commit -> note blob), writes a notes commit on top
    /// without moving any ref, and moves the ref only if it has not moved.
    fn update_notes(
        &self,
        notes_ref: &str,
        message: &str,
        mut f: impl FnMut(&Repo, &mut BTreeMap<Oid, Oid>, Option<Oid>) -> Result<Option<UpdateTo>>,
    ) -> Result<()> {
        let sig = self
            .git
            .signature()
            .or_else(|_| git2::Signature::now("countersign", "countersign@localhost"))?;
        for attempt in 0..MAX_ATTEMPTS {
            let old = self
                .git
                .find_reference(notes_ref)
                .ok()
                .and_then(|r| r.target());
            let mut map = notes_map(self, notes_ref, old)?;
            let before = map.clone();
            let new = match f(self, &mut map, old)? {
                Some(UpdateTo::Nothing) => return Ok(()),
                Some(UpdateTo::Commit(c)) => c,
                other => {
                    if map == before && other.is_none() {
                        return Ok(());
                    }
                    let tree = write_flat_tree(self, &map)?;
                    let mut parents = Vec::new();
                    if let Some(o) = old {
                        parents.push(self.git.find_commit(o)?);
                    }
                    if let Some(UpdateTo::MergeWith(t)) = other {
                        parents.push(self.git.find_commit(t)?);
                    }
                    let refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
                    let tree = self.git.find_tree(tree)?;
                    self.git.commit(None, &sig, &sig, message, &tree, &refs)?
                }
            };
            let moved = match old {
                Some(o) => self
                    .git
                    .reference_matching(notes_ref, new, true, o, message)
                    .map(|_| ()),
                // Create only if still absent: libgit2 checks `force = false`
                // before taking the lock, so two first writers could both
                // pass; an expected zero id is compared under the lock.
                None => self
                    .git
                    .reference_matching(notes_ref, new, true, Oid::ZERO_SHA1, message)
                    .map(|_| ()),
            };
            match moved {
                Ok(()) => return Ok(()),
                Err(e)
                    if matches!(
                        e.code(),
                        ErrorCode::Modified | ErrorCode::Exists | ErrorCode::Locked
                    ) =>
                {
                    if e.code() == ErrorCode::Locked {
                        self.clear_stale_notes_lock(notes_ref);
                    }
                    // Lost a race: back off a little (jittered) and redo on top.
                    let jitter = (std::process::id() as u64 ^ (u64::from(attempt) * 7919)) % 7;
                    std::thread::sleep(Duration::from_millis(
                        1 + jitter + u64::from(attempt.min(20)),
                    ));
                }
                Err(e) => return Err(anyhow!(e).context(format!("moving {notes_ref}"))),
            }
        }
        Err(anyhow!(
            "could not update {notes_ref} after {MAX_ATTEMPTS} attempts: too many concurrent writers; try again"
        ))
    }
}

impl Repo {
    /// Removes `refs/notes/countersign.lock` if it is older than
    /// [`STALE_LOCK`]: its writer died before renaming it into place, so the
    /// ref still holds the value from before that write (whole or none).
    fn clear_stale_notes_lock(&self, notes_ref: &str) {
        let lock = self.git.commondir().join(format!("{notes_ref}.lock"));
        let stale = std::fs::metadata(&lock)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age >= STALE_LOCK);
        if stale {
            let _ = std::fs::remove_file(&lock);
        }
    }
}

/// What an update does with the ref.
enum UpdateTo {
    Nothing,
    Commit(Oid),
    MergeWith(Oid),
}

/// Reads a notes tree (with or without fanout directories) into a map from
/// annotated object to note blob.
/// The commit `refs/notes/countersign` points to; bad input (exit 2, one
/// line saying how to repair it) when it points to anything else.
impl Repo {
    /// Why moving the shared notes ref from `old` to `new` (object ids; all
    /// zeros for "absent") would lose decisions, or `None` when it keeps
    /// them all: deleting the ref, a non-fast-forward update, or an update
    /// whose notes drop a line the old notes had. A server's pre-receive hook
    /// refuses such pushes, so decisions are append-only where they are shared.
    pub fn notes_update_problem(&self, old: &str, new: &str) -> Result<Option<String>> {
        let zero = |s: &str| s.bytes().all(|b| b == b'0');
        if zero(new) {
            return Ok(Some(format!(
                "deleting {NOTES_REF} would erase every recorded decision"
            )));
        }
        if zero(old) {
            return Ok(None);
        }
        let (o, n) = (oid(old)?, oid(new)?);
        if o == n {
            return Ok(None);
        }
        if !self.git.graph_descendant_of(n, o)? {
            return Ok(Some(format!(
                "{new} does not descend from {old}: a non-fast-forward update of {NOTES_REF} could drop decisions; merge the remote's notes first (countersign sync)"
            )));
        }
        let before = notes_map(self, NOTES_REF, Some(o))?;
        let after = notes_map(self, NOTES_REF, Some(n))?;
        for (commit, blob) in &before {
            let kept = after.get(commit);
            if kept == Some(blob) {
                continue;
            }
            let old_text = self.git.find_blob(*blob)?.content().to_vec();
            let new_text = match kept {
                Some(b) => self.git.find_blob(*b)?.content().to_vec(),
                None => Vec::new(),
            };
            let have: std::collections::HashSet<&[u8]> =
                new_text.split(|&c| c == b'\n').map(trim_cr).collect();
            if let Some(lost) = old_text
                .split(|&c| c == b'\n')
                .map(trim_cr)
                .find(|l| !l.iter().all(u8::is_ascii_whitespace) && !have.contains(l))
            {
                let excerpt: String = String::from_utf8_lossy(lost).chars().take(60).collect();
                return Ok(Some(format!(
                    "the update drops a line from the decision note of {commit}: {}",
                    crate::sanitize::escape_line(&excerpt)
                )));
            }
        }
        Ok(None)
    }
}

fn trim_cr(l: &[u8]) -> &[u8] {
    l.strip_suffix(b"\r").unwrap_or(l)
}

fn notes_commit<'r>(repo: &'r Repo, notes_ref: &str, tip: Oid) -> Result<git2::Commit<'r>> {
    match repo.git.find_object(tip, None) {
        Ok(obj) => obj.into_commit().map_err(|obj| {
            let kind = obj.kind().map_or("unknown object", |k| k.str());
            crate::error::BadInput::new(format!(
                "{notes_ref} points to a {kind} ({tip}), not a commit; repair it with `git update-ref {notes_ref} <notes commit>` or remove it with `git update-ref -d {notes_ref}`"
            ))
            .into()
        }),
        Err(e) => Err(crate::error::BadInput::new(format!(
            "{notes_ref} points to {tip}, which cannot be read ({}); repair or remove the ref with `git update-ref`",
            e.message()
        ))
        .into()),
    }
}

fn notes_map(repo: &Repo, notes_ref: &str, tip: Option<Oid>) -> Result<BTreeMap<Oid, Oid>> {
    let mut map = BTreeMap::new();
    let Some(tip) = tip else {
        return Ok(map);
    };
    let tree = notes_commit(repo, notes_ref, tip)?.tree()?;
    // Files that are not named by an object id are ignored, as git does.
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        if entry.kind() == Some(git2::ObjectType::Blob) {
            let name = format!(
                "{}{}",
                dir.replace('/', ""),
                String::from_utf8_lossy(entry.name_bytes())
            );
            if let (Ok(o), 40 | 64) = (Oid::from_str(&name), name.len()) {
                map.insert(o, entry.id());
            }
        }
        git2::TreeWalkResult::Ok
    })?;
    Ok(map)
}

/// Writes a flat notes tree (no fanout; git and libgit2 read both layouts).
fn write_flat_tree(repo: &Repo, map: &BTreeMap<Oid, Oid>) -> Result<Oid> {
    let mut tb = repo.git.treebuilder(None)?;
    for (annotated, blob) in map {
        tb.insert(annotated.to_string(), *blob, 0o100644)?;
    }
    Ok(tb.write()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cat_sort_uniq_unions_sorted_lines() {
        assert_eq!(cat_sort_uniq(b"b\na\n", b"c\na\n\n"), b"a\nb\nc\n".to_vec());
        assert_eq!(cat_sort_uniq(b"", b""), Vec::<u8>::new());
    }
}
