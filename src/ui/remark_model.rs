//! Remarks in the review: the reviewer's drafts (signed with the next decision)
//! and the earlier revision's remarks shown in the interdiff, where each goes
//! in the layout, and the small text input `c` opens on a diff line. Knows
//! nothing of the terminal.

use std::collections::HashMap;

use ratatui_textarea::TextArea;

use crate::decision::{Remark, RemarkSide};
use crate::diff::Diff;
use crate::remarks::line_side;

use super::diff_rows::{Row, Spot};

/// A remark as the review shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemarkRow {
    pub remark: Remark,
    /// Written in this review, not signed yet (else: from an earlier decision).
    pub draft: bool,
}

/// Where each remark goes: the spot of its line → indices into the remarks.
/// Remarks on lines the diff does not show are left out (the caller says so).
pub fn place(diff: &Diff, remarks: &[RemarkRow]) -> HashMap<Spot, Vec<usize>> {
    let mut out: HashMap<Spot, Vec<usize>> = HashMap::new();
    for (i, r) in remarks.iter().enumerate() {
        let Some(file) = diff
            .files
            .iter()
            .position(|f| f.display_path() == r.remark.path)
        else {
            continue;
        };
        out.entry((
            file,
            Some((r.remark.side == RemarkSide::Old, r.remark.line)),
        ))
        .or_default()
        .push(i);
    }
    out
}

/// The line a remark written on `row` goes on: the file's path, the side and
/// the line number. On a side-by-side pair, the new side wins when it has a
/// line. `None` on rows that are no diff line.
pub fn target(diff: &Diff, row: Row) -> Option<(String, RemarkSide, u32)> {
    let (file, hunk, line) = match row {
        Row::Line { file, hunk, line } => (file, hunk, line),
        Row::Pair {
            file,
            hunk,
            left,
            right,
        } => (file, hunk, right.or(left)?),
        _ => return None,
    };
    let f = diff.files.get(file)?;
    let l = f.hunks.get(hunk)?.lines.get(line as usize)?;
    let side = line_side(l.kind);
    let no = match side {
        RemarkSide::Old => l.old_no,
        RemarkSide::New => l.new_no,
    }?;
    Some((f.display_path().to_string(), side, no))
}

/// The text input for a remark on one line.
#[derive(Debug, Clone)]
pub struct RemarkInput {
    pub path: String,
    pub side: RemarkSide,
    pub line: u32,
    pub text: TextArea<'static>,
    /// The draft being edited, if the line had one.
    pub editing: Option<usize>,
    pub error: Option<String>,
}

impl RemarkInput {
    /// An input for a line, holding `existing` text when editing a draft.
    pub fn new(
        path: String,
        side: RemarkSide,
        line: u32,
        existing: Option<(usize, &str)>,
    ) -> RemarkInput {
        let mut text = match existing {
            Some((_, t)) => TextArea::new(t.lines().map(str::to_string).collect()),
            None => TextArea::default(),
        };
        text.set_placeholder_text("what should change here? (Enter saves, Esc cancels)");
        text.move_cursor(ratatui_textarea::CursorMove::Bottom);
        text.move_cursor(ratatui_textarea::CursorMove::End);
        RemarkInput {
            path,
            side,
            line,
            text,
            editing: existing.map(|(i, _)| i),
            error: None,
        }
    }

    /// The text as typed.
    pub fn value(&self) -> String {
        self.text.lines().join("\n")
    }
}
