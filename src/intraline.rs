//! Intra-line emphasis: within a block of removed lines followed by added lines,
//! pair each removed line with its added counterpart and find the words that
//! changed, as delta does, so a one-word edit in a long line stands out.

use similar::{ChangeTag, TextDiff};

use crate::diff::{Hunk, LineKind};

/// Byte ranges within a line.
pub type Ranges = Vec<(u32, u32)>;

/// Lines longer than this are not word-diffed (cost grows with length).
const MAX_LINE: usize = 1000;
/// A pair is emphasised only when at most this share of it changed; beyond it
/// the lines are different lines, not an edit of one.
const MAX_CHANGED_SHARE: f64 = 0.6;

/// Changed byte ranges for every line of a hunk (empty where nothing is paired).
pub fn hunk_emphasis(hunk: &Hunk) -> Vec<Vec<(u32, u32)>> {
    let lines = &hunk.lines;
    let mut out = vec![Vec::new(); lines.len()];
    let mut i = 0;
    while i < lines.len() {
        if lines[i].kind != LineKind::Removed {
            i += 1;
            continue;
        }
        let minus_start = i;
        while i < lines.len() && lines[i].kind == LineKind::Removed {
            i += 1;
        }
        let plus_start = i;
        while i < lines.len() && lines[i].kind == LineKind::Added {
            i += 1;
        }
        let pairs = (plus_start - minus_start).min(i - plus_start);
        for k in 0..pairs {
            let (m, p) = (minus_start + k, plus_start + k);
            if let Some((a, b)) = changed_words(&lines[m].content, &lines[p].content) {
                out[m] = a;
                out[p] = b;
            }
        }
    }
    out
}

/// The changed byte ranges of an old and a new line, or `None` when the lines
/// are too different (or too long) to be shown as an edit.
pub fn changed_words(old: &str, new: &str) -> Option<(Ranges, Ranges)> {
    if old.len() > MAX_LINE || new.len() > MAX_LINE || old == new {
        return None;
    }
    let diff = TextDiff::configure().diff_unicode_words(old, new);
    let (mut minus, mut plus) = (Vec::new(), Vec::new());
    let (mut po, mut pn) = (0u32, 0u32);
    let (mut changed_old, mut changed_new) = (0usize, 0usize);
    for change in diff.iter_all_changes() {
        let len = change.value().len() as u32;
        match change.tag() {
            ChangeTag::Equal => {
                po += len;
                pn += len;
            }
            ChangeTag::Delete => {
                push_merged(&mut minus, po, po + len);
                changed_old += len as usize;
                po += len;
            }
            ChangeTag::Insert => {
                push_merged(&mut plus, pn, pn + len);
                changed_new += len as usize;
                pn += len;
            }
        }
    }
    let share = (changed_old + changed_new) as f64 / (old.len() + new.len()).max(1) as f64;
    (share <= MAX_CHANGED_SHARE).then_some((minus, plus))
}

fn push_merged(ranges: &mut Vec<(u32, u32)>, start: u32, end: u32) {
    match ranges.last_mut() {
        Some(last) if last.1 == start => last.1 = end,
        _ => ranges.push((start, end)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_word_edit_is_emphasised() {
        let (m, p) = changed_words("let timeout = 30;", "let timeout = 300;").unwrap();
        assert_eq!(m, vec![(14, 16)]);
        assert_eq!(p, vec![(14, 17)]);
    }

    #[test]
    fn unrelated_lines_are_not_paired() {
        assert!(changed_words("fn main() {}", "SELECT * FROM users;").is_none());
    }
}
