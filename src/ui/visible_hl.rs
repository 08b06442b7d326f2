//! Highlighting what is on screen before the frame is drawn: when a file comes
//! into view before its background highlighting has finished, the visible part
//! of each hunk (from the hunk's start, so the parse state is right) is
//! highlighted at once (and extended while that stays cheap). The whole file follows from the background job.

use std::collections::BTreeMap;

use crate::diff::Hunk;

use super::app::{App, View};
use super::diff_rows::Row;
use super::hl::Highlighter;

/// Lines past a hunk's start beyond which the visible part is left to the
/// background job (highlighting from the hunk's start would take too long for
/// one frame).
pub const PREFIX_LIMIT: usize = 800;
/// Past this many lines, a hunk's highlighted start is not extended while
/// scrolling (the background job is about to deliver the whole file).
pub const EXTEND_LIMIT: usize = 300;
/// Extra lines highlighted below the visible ones.
const MARGIN: usize = 30;

/// Highlights the visible, not yet highlighted lines of the review on top.
pub fn prepare(app: &mut App, hl: &Highlighter) {
    let Some(View::Review(r)) = app.stack.last_mut() else {
        return;
    };
    let Some(diff) = r.diff.clone() else {
        return;
    };
    let start = r.top.min(r.layout.rows.len());
    let end = (r.top + r.height.max(50)).min(r.layout.rows.len());
    let mut need: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    for row in &r.layout.rows[start..end] {
        let (file, hunk, line) = match *row {
            Row::Line { file, hunk, line } => (file, hunk, line as usize),
            Row::Pair {
                file,
                hunk,
                left,
                right,
            } => (file, hunk, left.max(right).unwrap_or(0) as usize),
            _ => continue,
        };
        if r.highlights.contains_key(&file) {
            continue;
        }
        // Scrolled past the highlighted start: highlight further while cheap.
        if let Some(p) = r.partial.get(&(file, hunk))
            && (p.len() > line || line > EXTEND_LIMIT)
        {
            continue;
        }
        let e = need.entry((file, hunk)).or_default();
        *e = (*e).max(line);
    }
    for ((file, hunk), last) in need {
        if last > PREFIX_LIMIT {
            continue;
        }
        let fd = &diff.files[file];
        let h = &fd.hunks[hunk];
        let upto = (last + 1 + MARGIN).min(h.lines.len());
        let cut = Hunk {
            old_start: h.old_start,
            old_lines: h.old_lines,
            new_start: h.new_start,
            new_lines: h.new_lines,
            section: h.section.clone(),
            lines: h.lines[..upto].to_vec(),
        };
        r.partial.insert((file, hunk), hl.highlight_hunk(fd, &cut));
    }
}
