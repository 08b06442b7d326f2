//! The review screen's layout: a diff flattened into display rows (file headers,
//! notes, hunk headers, lines or side-by-side pairs, findings under their line).
//! Building it is linear and cheap; rendering only touches the visible rows.

use std::collections::{HashMap, HashSet};

use crate::diff::{Diff, DiffLine, FileDiff, LineKind, Side};

use super::backend::FindingView;

/// Files above this size or line count are not shown until expanded.
pub const HUGE_BYTES: u64 = 16 * 1024 * 1024;
pub const HUGE_LINES: usize = 200_000;

/// Why a file shows a note instead of (or before) its lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    Binary,
    Huge,
    Collapsed,
    /// No content change (a rename, copy or mode change only).
    NoContent,
}

/// One display row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    FileHeader {
        file: usize,
    },
    Note {
        file: usize,
        note: Note,
    },
    Hunk {
        file: usize,
        hunk: usize,
    },
    Line {
        file: usize,
        hunk: usize,
        line: u32,
    },
    Pair {
        file: usize,
        hunk: usize,
        left: Option<u32>,
        right: Option<u32>,
    },
    Finding {
        file: usize,
        finding: usize,
    },
    /// A remark under its line (an index into the review's remarks).
    Remark {
        file: usize,
        remark: usize,
    },
    Spacer,
}

impl Row {
    /// The file a row belongs to.
    pub fn file(&self) -> Option<usize> {
        match *self {
            Row::FileHeader { file }
            | Row::Note { file, .. }
            | Row::Hunk { file, .. }
            | Row::Line { file, .. }
            | Row::Pair { file, .. }
            | Row::Finding { file, .. }
            | Row::Remark { file, .. } => Some(file),
            Row::Spacer => None,
        }
    }
}

/// The rows of a diff and indexes into them.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub rows: Vec<Row>,
    /// The header row of each file.
    pub file_rows: Vec<usize>,
    /// The header row of every hunk, in order.
    pub hunk_rows: Vec<usize>,
    /// The row of each finding shown, in row order.
    pub finding_rows: Vec<usize>,
}

/// True when a file is too big to show unless asked.
pub fn is_huge(f: &FileDiff) -> bool {
    f.size.minus.max(f.size.plus) > HUGE_BYTES
        || f.hunks.iter().map(|h| h.lines.len()).sum::<usize>() > HUGE_LINES
}

/// Where a finding is shown: a file, and a line on one side (`true`: the old
/// side, for removed lines; `None`: under the file's header).
pub type Spot = (usize, Option<(bool, u32)>);

/// The spot of a diff line: removed lines count on the old side.
pub fn line_spot(file: usize, l: &DiffLine) -> Option<Spot> {
    match l.kind {
        LineKind::Removed => l.old_no.map(|n| (file, Some((true, n)))),
        _ => l.new_no.map(|n| (file, Some((false, n)))),
    }
}

/// The findings of each spot → finding indices; findings whose line is not in
/// the diff go under their file's header.
pub fn place_findings(diff: &Diff, findings: &[FindingView]) -> HashMap<Spot, Vec<usize>> {
    let mut by_path: HashMap<&str, usize> = HashMap::new();
    for (i, f) in diff.files.iter().enumerate() {
        for p in [&f.path.plus, &f.path.minus].into_iter().flatten() {
            by_path.entry(p.as_str()).or_insert(i);
        }
    }
    let mut out: HashMap<Spot, Vec<usize>> = HashMap::new();
    for (i, finding) in findings.iter().enumerate() {
        let Some(&file) = by_path.get(finding.path.as_str()) else {
            continue;
        };
        let shown = finding
            .line
            .map(|n| (finding.side == Side::Minus, n))
            .filter(|spot| {
                diff.files[file].hunks.iter().any(|h| {
                    h.lines
                        .iter()
                        .any(|l| line_spot(file, l) == Some((file, Some(*spot))))
                })
            });
        out.entry((file, shown)).or_default().push(i);
    }
    out
}

/// What is shown under each spot (finding or remark indices).
pub type Placed = HashMap<Spot, Vec<usize>>;

/// Builds the rows. `expanded` lists huge files the user asked to see;
/// `collapsed` files show a note only.
pub fn build(
    diff: &Diff,
    findings: &HashMap<Spot, Vec<usize>>,
    remarks: &HashMap<Spot, Vec<usize>>,
    split: bool,
    collapsed: &HashSet<usize>,
    expanded: &HashSet<usize>,
) -> Layout {
    let mut l = Layout::default();
    for (fi, f) in diff.files.iter().enumerate() {
        if fi > 0 {
            l.rows.push(Row::Spacer);
        }
        l.file_rows.push(l.rows.len());
        l.rows.push(Row::FileHeader { file: fi });
        push_findings(&mut l, findings, Some((fi, None)));
        if f.binary {
            l.rows.push(Row::Note {
                file: fi,
                note: Note::Binary,
            });
            continue;
        }
        if collapsed.contains(&fi) {
            l.rows.push(Row::Note {
                file: fi,
                note: Note::Collapsed,
            });
            continue;
        }
        if is_huge(f) && !expanded.contains(&fi) {
            l.rows.push(Row::Note {
                file: fi,
                note: Note::Huge,
            });
            continue;
        }
        if f.hunks.is_empty() {
            l.rows.push(Row::Note {
                file: fi,
                note: Note::NoContent,
            });
            continue;
        }
        for (hi, h) in f.hunks.iter().enumerate() {
            l.hunk_rows.push(l.rows.len());
            l.rows.push(Row::Hunk { file: fi, hunk: hi });
            if split {
                push_pairs(&mut l, (findings, remarks), fi, hi, f);
            } else {
                for (li, line) in h.lines.iter().enumerate() {
                    l.rows.push(Row::Line {
                        file: fi,
                        hunk: hi,
                        line: li as u32,
                    });
                    push_findings(&mut l, findings, line_spot(fi, line));
                    push_remarks(&mut l, remarks, line_spot(fi, line));
                }
            }
        }
    }
    l
}

fn push_findings(l: &mut Layout, findings: &HashMap<Spot, Vec<usize>>, spot: Option<Spot>) {
    let Some(spot) = spot else {
        return;
    };
    let file = spot.0;
    if let Some(list) = findings.get(&spot) {
        for &finding in list {
            l.finding_rows.push(l.rows.len());
            l.rows.push(Row::Finding { file, finding });
        }
    }
}

/// The remarks on a line, under it.
fn push_remarks(l: &mut Layout, remarks: &HashMap<Spot, Vec<usize>>, spot: Option<Spot>) {
    if let Some(list) = spot.and_then(|s| remarks.get(&s)) {
        let file = spot.map_or(0, |s| s.0);
        for &remark in list {
            l.rows.push(Row::Remark { file, remark });
        }
    }
}

/// Side by side: context lines on both sides; a run of removed lines beside the
/// run of added lines that follows it.
fn push_pairs(
    l: &mut Layout,
    (findings, remarks): (&Placed, &Placed),
    fi: usize,
    hi: usize,
    f: &FileDiff,
) {
    let lines = &f.hunks[hi].lines;
    let mut i = 0;
    while i < lines.len() {
        match lines[i].kind {
            LineKind::Context => {
                l.rows.push(Row::Pair {
                    file: fi,
                    hunk: hi,
                    left: Some(i as u32),
                    right: Some(i as u32),
                });
                push_findings(l, findings, line_spot(fi, &lines[i]));
                push_remarks(l, remarks, line_spot(fi, &lines[i]));
                i += 1;
            }
            _ => {
                let start = i;
                while i < lines.len() && lines[i].kind == LineKind::Removed {
                    i += 1;
                }
                let removed: Vec<u32> = (start..i).map(|n| n as u32).collect();
                let astart = i;
                while i < lines.len() && lines[i].kind == LineKind::Added {
                    i += 1;
                }
                let added: Vec<u32> = (astart..i).map(|n| n as u32).collect();
                for k in 0..removed.len().max(added.len()) {
                    let right = added.get(k).copied();
                    l.rows.push(Row::Pair {
                        file: fi,
                        hunk: hi,
                        left: removed.get(k).copied(),
                        right,
                    });
                    if let Some(left) = removed.get(k) {
                        push_findings(l, findings, line_spot(fi, &lines[*left as usize]));
                        push_remarks(l, remarks, line_spot(fi, &lines[*left as usize]));
                    }
                    if let Some(r) = right {
                        push_findings(l, findings, line_spot(fi, &lines[r as usize]));
                        push_remarks(l, remarks, line_spot(fi, &lines[r as usize]));
                    }
                }
            }
        }
    }
}
