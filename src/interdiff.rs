//! The interdiff between two revisions of a change, as `git range-diff` computes
//! it: each revision's patch is taken against its own base, and the two patches
//! are compared file by file, so a rebase onto a newer target does not show the
//! target's changes, and files whose patch did not change are left out.
//!
//! The result is an ordinary [`Diff`] so `show` and the console draw it as they
//! draw any diff: the outer sign says whether a patch line was dropped (`-`),
//! added (`+`) or kept (` `) by the new revision; the content starts with the
//! patch line's own sign. Line numbers are the file line numbers of the patch
//! line (old revision on the left, new revision on the right). Remarks made on
//! the earlier revision are moved beside the interdiff line that shows their
//! line, where it is still shown. Plain data; the caller computes both diffs.

use similar::{Algorithm, DiffTag};

use crate::decision::{Remark, RemarkSide};
use crate::diff::{Diff, DiffLine, FileDiff, FileStatus, Hunk, LineKind, MinusPlus};
use crate::remarks::line_side;

/// Lines of context around each change of the interdiff.
pub const CONTEXT: usize = 3;

/// The interdiff and the earlier revision's remarks, placed on it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Interdiff {
    pub diff: Diff,
    /// Remarks on lines the interdiff shows, addressed by the interdiff line's
    /// own number (`old` for a dropped line, `new` for a kept one).
    pub placed: Vec<Remark>,
    /// Remarks whose line the interdiff does not show (unchanged since, or in a
    /// file whose patch did not change), as they were made.
    pub unchanged: Vec<Remark>,
}

/// One line of a file's patch: its sign (`+`, `-`, ` `, or `@` for a hunk
/// boundary), its text and its number in the file on its own side.
#[derive(Debug, Clone, Copy)]
struct PatchLine<'a> {
    sign: char,
    text: &'a str,
    side: RemarkSide,
    no: Option<u32>,
}

impl<'a> PatchLine<'a> {
    /// What two patch lines are compared by.
    fn key(&self) -> (char, &'a str) {
        (self.sign, self.text)
    }
}

fn patch_lines(f: &FileDiff) -> Vec<PatchLine<'_>> {
    let mut out = Vec::with_capacity(f.hunks.iter().map(|h| h.lines.len() + 1).sum());
    for h in &f.hunks {
        // As range-diff does, hunk headers keep their section but not their
        // numbers, so a shifted hunk compares equal.
        out.push(PatchLine {
            sign: '@',
            text: h.section.trim(),
            side: RemarkSide::New,
            no: None,
        });
        for l in &h.lines {
            let side = line_side(l.kind);
            out.push(PatchLine {
                sign: match l.kind {
                    LineKind::Added => '+',
                    LineKind::Removed => '-',
                    LineKind::Context => ' ',
                },
                text: &l.content,
                side,
                no: match side {
                    RemarkSide::Old => l.old_no,
                    RemarkSide::New => l.new_no,
                },
            });
        }
    }
    out
}

/// The interdiff of `old` (the earlier revision's diff against its base) and
/// `new` (the current one's against its base). `remarks` were made on `old`.
pub fn interdiff(old: &Diff, new: &Diff, remarks: &[Remark]) -> Interdiff {
    let mut out = Interdiff::default();
    let mut paths: Vec<(&str, Option<&FileDiff>, Option<&FileDiff>)> = Vec::new();
    for f in &new.files {
        let p = f.display_path();
        paths.push((p, old.files.iter().find(|o| o.display_path() == p), Some(f)));
    }
    for f in &old.files {
        let p = f.display_path();
        if !new.files.iter().any(|n| n.display_path() == p) {
            paths.push((p, Some(f), None));
        }
    }
    let mut placed_ids = vec![false; remarks.len()];
    let hasher = std::collections::hash_map::RandomState::new();
    for (path, o, n) in paths {
        let a = o.map(patch_lines).unwrap_or_default();
        let b = n.map(patch_lines).unwrap_or_default();
        let same_meta = match (o, n) {
            (Some(o), Some(n)) => o.mode == n.mode && o.status == n.status && o.binary == n.binary,
            _ => false,
        };
        if same_meta && a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| x.key() == y.key()) {
            continue;
        }
        let ops = compare(&a, &b, &hasher);
        let mut hunks = Vec::new();
        let (mut adds, mut dels) = (0, 0);
        for group in similar::group_diff_ops(ops, CONTEXT) {
            let (mut lines, mut os, mut ns, mut oc, mut nc) = (Vec::new(), None, None, 0, 0);
            for op in &group {
                let (tag, ar, br) = op.as_tag_tuple();
                os.get_or_insert(ar.start as u32 + 1);
                ns.get_or_insert(br.start as u32 + 1);
                match tag {
                    DiffTag::Equal => {
                        for (i, j) in ar.clone().zip(br.clone()) {
                            lines.push(line(LineKind::Context, Some(&a[i]), Some(&b[j])));
                            place(
                                remarks,
                                &mut placed_ids,
                                &mut out.placed,
                                path,
                                &a[i],
                                || (RemarkSide::New, b[j].no),
                            );
                        }
                        oc += ar.len() as u32;
                        nc += br.len() as u32;
                    }
                    DiffTag::Delete | DiffTag::Replace | DiffTag::Insert => {
                        for i in ar.clone() {
                            lines.push(line(LineKind::Removed, Some(&a[i]), None));
                            place(
                                remarks,
                                &mut placed_ids,
                                &mut out.placed,
                                path,
                                &a[i],
                                || (RemarkSide::Old, a[i].no),
                            );
                        }
                        for j in br.clone() {
                            lines.push(line(LineKind::Added, None, Some(&b[j])));
                        }
                        dels += ar.len() as u32;
                        adds += br.len() as u32;
                        oc += ar.len() as u32;
                        nc += br.len() as u32;
                    }
                }
            }
            hunks.push(Hunk {
                old_start: os.unwrap_or(1),
                old_lines: oc,
                new_start: ns.unwrap_or(1),
                new_lines: nc,
                section: "patch lines".into(),
                lines,
            });
        }
        let base = n.or(o).expect("one side exists");
        out.diff.files.push(FileDiff {
            path: MinusPlus::new(
                o.map(|f| f.display_path().to_string()),
                n.map(|f| f.display_path().to_string()),
            ),
            status: match (o, n) {
                (None, _) => FileStatus::Added,
                (_, None) => FileStatus::Deleted,
                _ => FileStatus::Modified,
            },
            mode: MinusPlus::new(
                o.and_then(|f| f.mode.plus.or(f.mode.minus)),
                n.and_then(|f| f.mode.plus.or(f.mode.minus)),
            ),
            blob: MinusPlus::new(
                o.map(|f| f.blob.plus.clone()).unwrap_or_default(),
                n.map(|f| f.blob.plus.clone()).unwrap_or_default(),
            ),
            similarity: None,
            binary: base.binary && hunks.is_empty(),
            size: MinusPlus::new(o.map_or(0, |f| f.size.plus), n.map_or(0, |f| f.size.plus)),
            additions: adds,
            deletions: dels,
            hunks,
        });
    }
    out.unchanged = remarks
        .iter()
        .zip(&placed_ids)
        .filter(|(_, p)| !**p)
        .map(|(r, _)| r.clone())
        .collect();
    out
}

/// The edit script from patch `a` to patch `b`. The common prefix and suffix
/// are taken as they are (compared exactly); the middle is compared by 64-bit
/// hashes of the lines (SipHash with a random key, so no one can craft a
/// collision) with similar's Patience algorithm, which anchors on lines unique
/// to both (most patch lines are) and falls back to Myers between anchors: a
/// 100,000-line patch with a few amended lines is compared in near-linear time.
fn compare(
    a: &[PatchLine<'_>],
    b: &[PatchLine<'_>],
    hasher: &std::collections::hash_map::RandomState,
) -> Vec<similar::DiffOp> {
    use std::hash::BuildHasher;
    let pre = a
        .iter()
        .zip(b)
        .take_while(|(x, y)| x.key() == y.key())
        .count();
    let suf = a[pre..]
        .iter()
        .rev()
        .zip(b[pre..].iter().rev())
        .take_while(|(x, y)| x.key() == y.key())
        .count();
    let ha: Vec<u64> = a.iter().map(|l| hasher.hash_one(l.key())).collect();
    let hb: Vec<u64> = b.iter().map(|l| hasher.hash_one(l.key())).collect();
    let mut ops = Vec::new();
    if pre > 0 {
        ops.push(similar::DiffOp::Equal {
            old_index: 0,
            new_index: 0,
            len: pre,
        });
    }
    ops.extend(similar::capture_diff_deadline(
        Algorithm::Patience,
        &ha[..],
        pre..a.len() - suf,
        &hb[..],
        pre..b.len() - suf,
        None,
    ));
    if suf > 0 {
        ops.push(similar::DiffOp::Equal {
            old_index: a.len() - suf,
            new_index: b.len() - suf,
            len: suf,
        });
    }
    ops
}

/// An interdiff line for a patch line of the old (`a`) or new (`b`) patch.
fn line(kind: LineKind, a: Option<&PatchLine>, b: Option<&PatchLine>) -> DiffLine {
    let src = b.or(a).expect("a line has a side");
    let content = if src.sign == '@' {
        format!("@@ {}", src.text).trim_end().to_string()
    } else {
        format!("{}{}", src.sign, src.text)
    };
    DiffLine {
        kind,
        old_no: a.and_then(|l| l.no),
        new_no: b.and_then(|l| l.no),
        content,
        no_newline: false,
        invalid_utf8: false,
    }
}

/// Moves the remarks made on old patch line `l` of `path` beside the interdiff
/// line that shows it; `at` gives that line's side and number.
fn place(
    remarks: &[Remark],
    done: &mut [bool],
    placed: &mut Vec<Remark>,
    path: &str,
    l: &PatchLine,
    at: impl Fn() -> (RemarkSide, Option<u32>),
) {
    let Some(no) = l.no else { return };
    for (i, r) in remarks.iter().enumerate() {
        if done[i] || r.path != path || r.side != l.side || r.line != no {
            continue;
        }
        if let (side, Some(line)) = at() {
            done[i] = true;
            placed.push(Remark {
                path: r.path.clone(),
                side,
                line,
                text: r.text.clone(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dl(kind: LineKind, old: Option<u32>, new: Option<u32>, text: &str) -> DiffLine {
        DiffLine {
            kind,
            old_no: old,
            new_no: new,
            content: text.into(),
            no_newline: false,
            invalid_utf8: false,
        }
    }

    fn file(path: &str, old_start: u32, lines: Vec<DiffLine>) -> FileDiff {
        FileDiff {
            path: MinusPlus::new(Some(path.into()), Some(path.into())),
            status: FileStatus::Modified,
            mode: MinusPlus::new(Some(0o100644), Some(0o100644)),
            blob: MinusPlus::default(),
            similarity: None,
            binary: false,
            size: MinusPlus::default(),
            additions: 1,
            deletions: 1,
            hunks: vec![Hunk {
                old_start,
                old_lines: 3,
                new_start: old_start,
                new_lines: 3,
                section: "fn f()".into(),
                lines,
            }],
        }
    }

    /// `a.rs` changes line 2 of three; `b.rs` is the same in both revisions
    /// but shifted by ten lines (the base moved).
    fn rev(new_text: &str, shift: u32) -> Diff {
        let s = shift;
        Diff {
            files: vec![
                file(
                    "a.rs",
                    1,
                    vec![
                        dl(LineKind::Context, Some(1), Some(1), "one"),
                        dl(LineKind::Removed, Some(2), None, "two"),
                        dl(LineKind::Added, None, Some(2), new_text),
                        dl(LineKind::Context, Some(3), Some(3), "three"),
                    ],
                ),
                file(
                    "b.rs",
                    1 + s,
                    vec![
                        dl(LineKind::Context, Some(1 + s), Some(1 + s), "x"),
                        dl(LineKind::Added, None, Some(2 + s), "y"),
                    ],
                ),
            ],
        }
    }

    #[test]
    fn only_the_amended_line_shows_and_a_moved_base_does_not() {
        let old = rev("TWO", 0);
        let new = rev("Two!", 10);
        let remarks = vec![
            Remark {
                path: "a.rs".into(),
                side: RemarkSide::New,
                line: 2,
                text: "not shouting".into(),
            },
            Remark {
                path: "b.rs".into(),
                side: RemarkSide::New,
                line: 2,
                text: "fine".into(),
            },
        ];
        let i = interdiff(&old, &new, &remarks);
        assert_eq!(i.diff.files.len(), 1, "b.rs's patch is unchanged");
        let f = &i.diff.files[0];
        assert_eq!(f.display_path(), "a.rs");
        let lines: Vec<(LineKind, &str)> = f.hunks[0]
            .lines
            .iter()
            .map(|l| (l.kind, l.content.as_str()))
            .collect();
        assert!(lines.contains(&(LineKind::Removed, "+TWO")), "{lines:?}");
        assert!(lines.contains(&(LineKind::Added, "+Two!")), "{lines:?}");
        assert!(lines.contains(&(LineKind::Context, "-two")), "{lines:?}");
        assert_eq!((f.additions, f.deletions), (1, 1));
        // The remark on the amended line stays beside the dropped line; the one
        // on the unchanged file is listed as unchanged.
        assert_eq!(i.placed.len(), 1);
        assert_eq!((i.placed[0].side, i.placed[0].line), (RemarkSide::Old, 2));
        assert_eq!(i.unchanged.len(), 1);
        assert_eq!(i.unchanged[0].path, "b.rs");
    }

    #[test]
    fn identical_patches_give_an_empty_interdiff() {
        let i = interdiff(&rev("TWO", 0), &rev("TWO", 5), &[]);
        assert!(i.diff.files.is_empty());
    }

    #[test]
    fn a_file_new_in_the_second_revision_is_all_added() {
        let old = Diff {
            files: vec![rev("TWO", 0).files.remove(0)],
        };
        let i = interdiff(&old, &rev("TWO", 0), &[]);
        assert_eq!(i.diff.files.len(), 1);
        assert_eq!(i.diff.files[0].status, FileStatus::Added);
        assert!(
            i.diff.files[0].hunks[0]
                .lines
                .iter()
                .all(|l| l.kind == LineKind::Added)
        );
    }
}
