//! Computing a change's diff with libgit2: the plain `Diff` model for the rest of
//! the program, and the exact patch text (as `git diff base head` prints it) for
//! the verbatim patch-id.

use anyhow::{Context, Result};
use git2::{Delta, DiffFindOptions, DiffFormat, DiffOptions, Oid, Repository};

use crate::diff::{Diff, DiffLine, FileDiff, FileStatus, Hunk, LineKind, MinusPlus};
use crate::git::patch_id::verbatim_patch_id;
use crate::git::similarity::similarity_percent;

/// A computed diff together with its verbatim patch-id.
#[derive(Debug, Clone)]
pub struct ComputedDiff {
    pub diff: Diff,
    /// `None` when base and head have the same tree.
    pub patch_id: Option<String>,
}

/// Statistics of a diff, cheap to cache.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DiffStats {
    pub files: u32,
    pub additions: u32,
    pub deletions: u32,
    pub patch_id: Option<String>,
}

impl ComputedDiff {
    /// Its statistics.
    pub fn stats(&self) -> DiffStats {
        DiffStats {
            files: self.diff.files.len() as u32,
            additions: self.diff.additions(),
            deletions: self.diff.deletions(),
            patch_id: self.patch_id.clone(),
        }
    }
}

fn git_diff(repo: &Repository, base: Oid, head: Oid) -> Result<git2::Diff<'_>> {
    let base_tree = repo
        .find_commit(base)
        .and_then(|c| c.tree())
        .with_context(|| format!("reading base commit {base}"))?;
    let head_tree = repo
        .find_commit(head)
        .and_then(|c| c.tree())
        .with_context(|| format!("reading head commit {head}"))?;
    let mut opts = DiffOptions::new();
    // As `git diff --full-index` with git's defaults: 3 lines of context, the
    // indent heuristic (git's default since 2.14; it moves ambiguous hunks to
    // where a reader expects them, and with them the patch-id), full blob ids
    // on `index` lines (a binary file's patch-id binds its 40-hex ids).
    opts.context_lines(3)
        .interhunk_lines(0)
        .indent_heuristic(true)
        .id_abbrev(40);
    let mut diff = repo
        .diff_tree_to_tree(Some(&base_tree), Some(&head_tree), Some(&mut opts))
        .context("computing the diff")?;
    let mut find = DiffFindOptions::new();
    // git's defaults: renames (not copies), 50 % similarity, up to 1,000 files.
    find.renames(true).rename_threshold(50).rename_limit(1000);
    diff.find_similar(Some(&mut find))
        .context("detecting renames")?;
    Ok(diff)
}

/// Computes the diff of `base..head` (rename detection on, 3 lines of context,
/// as `git diff` does by default) and its verbatim patch-id.
pub fn compute(repo: &Repository, base: Oid, head: Oid) -> Result<ComputedDiff> {
    Ok(compute_with_patch(repo, base, head)?.0)
}

/// The diff model, its patch-id and the patch text, in one pass.
fn compute_with_patch(repo: &Repository, base: Oid, head: Oid) -> Result<(ComputedDiff, Vec<u8>)> {
    let diff = git_diff(repo, base, head)?;
    let mut files: Vec<FileDiff> = Vec::new();
    let mut patch: Vec<u8> = Vec::new();
    let mut current_delta: Option<usize> = None;
    let mut old_no = 0u32;
    let mut new_no = 0u32;

    diff.print(DiffFormat::Patch, |delta, hunk, line| {
        let origin = line.origin();
        match origin {
            '+' | '-' | ' ' => patch.push(origin as u8),
            _ => {}
        }
        let git_similarity = (origin == 'F')
            .then(|| git_similarity(repo, &delta))
            .flatten();
        match git_similarity {
            Some(pct) => patch.extend_from_slice(&with_similarity(line.content(), pct)),
            None => patch.extend_from_slice(line.content()),
        }

        // A new file starts with its header line ('F').
        if origin == 'F' || current_delta.is_none() {
            let mut file = file_from_delta(repo, &delta);
            if origin == 'F' {
                file.similarity = git_similarity.or_else(|| parse_similarity(line.content()));
            }
            files.push(file);
            current_delta = Some(files.len() - 1);
        }
        let file = files.last_mut().expect("a file was pushed");
        match origin {
            'H' => {
                if let Some(h) = hunk {
                    let header = String::from_utf8_lossy(h.header());
                    let section = header
                        .splitn(3, "@@")
                        .nth(2)
                        .unwrap_or("")
                        .trim()
                        .to_string();
                    file.hunks.push(Hunk {
                        old_start: h.old_start(),
                        old_lines: h.old_lines(),
                        new_start: h.new_start(),
                        new_lines: h.new_lines(),
                        section,
                        lines: Vec::new(),
                    });
                    old_no = h.old_start();
                    new_no = h.new_start();
                }
            }
            '+' | '-' | ' ' => {
                let raw = line.content();
                let raw = raw.strip_suffix(b"\n").unwrap_or(raw);
                let (content, invalid_utf8) = match std::str::from_utf8(raw) {
                    Ok(s) => (s.to_string(), false),
                    Err(_) => (String::from_utf8_lossy(raw).into_owned(), true),
                };
                let kind = match origin {
                    '+' => LineKind::Added,
                    '-' => LineKind::Removed,
                    _ => LineKind::Context,
                };
                let (o, n) = match kind {
                    LineKind::Added => {
                        file.additions += 1;
                        new_no += 1;
                        (None, Some(new_no - 1))
                    }
                    LineKind::Removed => {
                        file.deletions += 1;
                        old_no += 1;
                        (Some(old_no - 1), None)
                    }
                    LineKind::Context => {
                        old_no += 1;
                        new_no += 1;
                        (Some(old_no - 1), Some(new_no - 1))
                    }
                };
                if let Some(h) = file.hunks.last_mut() {
                    h.lines.push(DiffLine {
                        kind,
                        old_no: o,
                        new_no: n,
                        content,
                        no_newline: false,
                        invalid_utf8,
                    });
                }
            }
            // "\ No newline at end of file" after the previous line.
            '=' | '>' | '<' => {
                if let Some(l) = file.hunks.last_mut().and_then(|h| h.lines.last_mut()) {
                    l.no_newline = true;
                }
            }
            'B' => file.binary = true,
            _ => {}
        }
        true
    })
    .context("printing the diff")?;

    let patch_id = verbatim_patch_id(&patch);
    Ok((
        ComputedDiff {
            diff: Diff { files },
            patch_id,
        },
        patch,
    ))
}

/// The exact patch text of `base..head`, as `git diff base head` prints it.
pub fn patch_text(repo: &Repository, base: Oid, head: Oid) -> Result<Vec<u8>> {
    Ok(compute_with_patch(repo, base, head)?.1)
}

/// git's similarity for a renamed or copied file (see `similarity`).
fn git_similarity(repo: &Repository, delta: &git2::DiffDelta<'_>) -> Option<u32> {
    if !matches!(delta.status(), Delta::Renamed | Delta::Copied) {
        return None;
    }
    let old = repo.find_blob(delta.old_file().id()).ok()?;
    let new = repo.find_blob(delta.new_file().id()).ok()?;
    Some(similarity_percent(old.content(), new.content()))
}

/// The header with its `similarity index` line set to `pct`.
fn with_similarity(header: &[u8], pct: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(header.len());
    for line in header.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(b"similarity index ") {
            out.extend_from_slice(format!("similarity index {pct}%\n").as_bytes());
        } else {
            out.extend_from_slice(line);
        }
    }
    out
}

/// Reads `similarity index N%` from a file header.
fn parse_similarity(header: &[u8]) -> Option<u32> {
    let header = String::from_utf8_lossy(header);
    header
        .lines()
        .find_map(|l| l.strip_prefix("similarity index "))
        .and_then(|v| v.trim_end_matches('%').parse().ok())
}

/// The size of a side's blob: libgit2 reports 0 for blobs it did not load
/// (binary files, tree-to-tree diffs), so it is read from the object header.
fn blob_size(repo: &Repository, f: &git2::DiffFile<'_>) -> u64 {
    if f.size() > 0 || f.id().is_zero() {
        return f.size();
    }
    repo.odb()
        .and_then(|odb| odb.read_header(f.id()))
        .map(|(size, _)| size as u64)
        .unwrap_or(0)
}

fn file_from_delta(repo: &Repository, delta: &git2::DiffDelta<'_>) -> FileDiff {
    let status = match delta.status() {
        Delta::Added => FileStatus::Added,
        Delta::Deleted => FileStatus::Deleted,
        Delta::Renamed => FileStatus::Renamed,
        Delta::Copied => FileStatus::Copied,
        Delta::Typechange => FileStatus::TypeChange,
        _ => FileStatus::Modified,
    };
    let side = |f: git2::DiffFile<'_>, exists: bool| {
        let path = exists.then(|| {
            f.path_bytes()
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .unwrap_or_default()
        });
        let mode = exists.then(|| u32::from(f.mode()));
        let size = if exists { blob_size(repo, &f) } else { 0 };
        (path, mode, f.id().to_string(), size)
    };
    let (old_path, old_mode, old_id, old_size) =
        side(delta.old_file(), status != FileStatus::Added);
    let (new_path, new_mode, new_id, new_size) =
        side(delta.new_file(), status != FileStatus::Deleted);
    FileDiff {
        path: MinusPlus::new(old_path, new_path),
        status,
        mode: MinusPlus::new(old_mode, new_mode),
        blob: MinusPlus::new(old_id, new_id),
        similarity: None,
        binary: delta.flags().is_binary(),
        size: MinusPlus::new(old_size, new_size),
        additions: 0,
        deletions: 0,
        hunks: Vec::new(),
    }
}
