//! The review screen's state: the change, its diff and risk report as they
//! arrive, the layout, the cursor, collapsed files, search and the highlighting
//! cache. Knows nothing of the terminal.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::change::Change;
use crate::diff::{Diff, LineKind};

use super::backend::{FindingView, RiskView, Severity};
use super::commands::Cmd;
use super::diff_rows::{self, Layout, Row};
use super::filter::{LineEdit, LineInput};
use super::hl::LineHighlight;
use super::keys::Key;
use super::nav;
use super::remark_model::{self, RemarkInput, RemarkRow};

/// What is being reviewed.
#[derive(Debug, Clone)]
pub struct Subject {
    /// The change's id.
    pub id: String,
    pub title: String,
    pub author: String,
    pub tool: String,
    pub base: String,
    pub head: String,
    /// The queue's risk (before the full report arrives).
    pub level: String,
    pub score: u8,
    /// The change as queued (absent when opened from the audit trail).
    pub change: Option<Box<Change>>,
    /// Opened from the audit trail: "as reviewed by … at …".
    pub as_reviewed: Option<String>,
    /// Decision state and approvals (have, need), when opened from the queue.
    pub state: Option<(String, Option<(u32, u32)>)>,
}

/// Search in the diff.
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub input: LineInput,
    pub editing: bool,
    /// Rows that match, in order.
    pub matches: Vec<usize>,
}

/// Per-file facts shown as badges in the file list.
#[derive(Debug, Clone, Default)]
pub struct FileBadge {
    /// The worst finding in the file.
    pub worst: Option<Severity>,
    pub findings: usize,
    /// The file holds bidi controls or invisible characters.
    pub hidden_text: bool,
}

/// The review screen.
#[derive(Debug, Clone)]
pub struct ReviewModel {
    pub token: u64,
    pub subject: Subject,
    pub diff: Option<Arc<Diff>>,
    pub error: Option<String>,
    pub risk: Option<RiskView>,
    /// Why there is no risk report (still running, or not available).
    pub risk_note: Option<String>,
    pub split: bool,
    /// Analyzer results the change did not introduce are shown too.
    pub all_results: bool,
    pub collapsed: HashSet<usize>,
    pub expanded: HashSet<usize>,
    placed: HashMap<diff_rows::Spot, Vec<usize>>,
    pub layout: Layout,
    pub badges: Vec<FileBadge>,
    pub cursor: usize,
    pub top: usize,
    pub hscroll: usize,
    /// Diff rows shown last time (set by the view).
    pub height: usize,
    pub focus_files: bool,
    pub file_sel: usize,
    pub search: Option<Search>,
    pub highlights: HashMap<usize, Arc<Vec<Vec<LineHighlight>>>>,
    /// Highlights of the first lines of hunks shown before their file was
    /// highlighted in the background (file, hunk) → lines.
    pub partial: HashMap<(usize, usize), Vec<LineHighlight>>,
    /// Remarks: drafts written here, and (in the interdiff) earlier ones.
    pub remarks: Vec<RemarkRow>,
    remark_spots: HashMap<diff_rows::Spot, Vec<usize>>,
    /// The remark being typed.
    pub remark_input: Option<RemarkInput>,
    /// Paths of the files marked viewed (kept per head by the backend).
    pub viewed: HashSet<String>,
    /// Showing the interdiff since the last decision: what it is since.
    pub interdiff: Option<String>,
    /// Earlier remarks on lines the interdiff does not show.
    pub unchanged_remarks: usize,
}

impl ReviewModel {
    pub fn new(token: u64, subject: Subject) -> ReviewModel {
        ReviewModel {
            token,
            subject,
            diff: None,
            error: None,
            risk: None,
            risk_note: Some("analysing risk…".into()),
            split: false,
            all_results: false,
            collapsed: HashSet::new(),
            expanded: HashSet::new(),
            placed: HashMap::new(),
            layout: Layout::default(),
            badges: Vec::new(),
            cursor: 0,
            top: 0,
            hscroll: 0,
            height: 20,
            focus_files: false,
            file_sel: 0,
            search: None,
            highlights: HashMap::new(),
            partial: HashMap::new(),
            remarks: Vec::new(),
            remark_spots: HashMap::new(),
            remark_input: None,
            viewed: HashSet::new(),
            interdiff: None,
            unchanged_remarks: 0,
        }
    }

    /// True when a remark is shown at a spot.
    pub fn remark_at(&self, spot: diff_rows::Spot) -> bool {
        self.remark_spots.contains_key(&spot)
    }

    /// The remarks written here, to sign with the next decision.
    pub fn drafts(&self) -> Vec<crate::decision::Remark> {
        self.remarks
            .iter()
            .filter(|r| r.draft)
            .map(|r| r.remark.clone())
            .collect()
    }

    /// Files viewed and files in all (only files of this diff count).
    pub fn viewed_progress(&self) -> (usize, usize) {
        let Some(d) = &self.diff else {
            return (0, 0);
        };
        let seen = d
            .files
            .iter()
            .filter(|f| self.viewed.contains(f.display_path()))
            .count();
        (seen, d.files.len())
    }

    /// Marks the current file viewed, or not viewed again. Returns the message
    /// and the paths to keep, or why nothing changed.
    pub fn toggle_viewed(&mut self) -> Result<(String, Vec<String>), String> {
        if self.interdiff.is_some() {
            return Err("files are marked viewed in the full diff (q, then v)".into());
        }
        if self.subject.change.is_none() {
            return Err("this is a past review: nothing to mark".into());
        }
        let Some(path) = self.current_file().and_then(|f| {
            self.diff
                .as_ref()
                .and_then(|d| d.files.get(f))
                .map(|x| x.display_path().to_string())
        }) else {
            return Err("no file here".into());
        };
        let now = if self.viewed.remove(&path) {
            false
        } else {
            self.viewed.insert(path.clone());
            true
        };
        let (seen, all) = self.viewed_progress();
        let mut paths: Vec<String> = self.viewed.iter().cloned().collect();
        paths.sort();
        let msg = format!(
            "{} {}: {seen} of {all} files viewed",
            if now { "viewed" } else { "not viewed" },
            path
        );
        // The next file, once this one is done.
        if now {
            let rows = self.layout.file_rows.clone();
            self.next_in(&rows, true);
        }
        Ok((msg, paths))
    }

    /// `c`: opens the remark input on the line under the cursor (editing the
    /// draft already there). Returns a message when it cannot.
    pub fn start_remark(&mut self) -> Option<String> {
        if self.interdiff.is_some() {
            return Some("remarks go on the change's lines: press q for the full diff".into());
        }
        if self.subject.change.is_none() {
            return Some("this is a past review: remarks go with a new decision".into());
        }
        let diff = self.diff.as_ref()?;
        let row = *self.layout.rows.get(self.cursor)?;
        let Some((path, side, line)) = remark_model::target(diff, row) else {
            return Some("put the cursor on a diff line to write a remark".into());
        };
        let existing = self.remarks.iter().position(|r| {
            r.draft && r.remark.path == path && r.remark.side == side && r.remark.line == line
        });
        let text = existing.map(|i| (i, self.remarks[i].remark.text.as_str()));
        self.remark_input = Some(RemarkInput::new(path, side, line, text));
        None
    }

    /// A key while writing a remark: `save`/`cancel` say whether the key is
    /// bound to signing/cancelling in dialogs (Enter and Esc by default).
    pub fn remark_key(&mut self, key: Key, save: bool, cancel: bool) -> Option<String> {
        let input = self.remark_input.as_mut()?;
        if cancel {
            self.remark_input = None;
            return Some("remark not saved".into());
        }
        if key.code == super::keys::KeyCode::Enter && !save {
            input.text.insert_newline();
            return None;
        }
        if !save {
            input.text.input(key.to_textarea());
            input.error = None;
            return None;
        }
        let value = input.value();
        let (path, side, line, editing) =
            (input.path.clone(), input.side, input.line, input.editing);
        if value.trim().is_empty() {
            self.remark_input = None;
            if let Some(i) = editing {
                self.remarks.remove(i);
                self.relayout();
                return Some("remark removed".into());
            }
            return Some("remark not saved (it was empty)".into());
        }
        let text = match crate::remarks::check_text(&value) {
            Ok(t) => t,
            Err(e) => {
                if let Some(i) = self.remark_input.as_mut() {
                    i.error = Some(e);
                }
                return None;
            }
        };
        if editing.is_none() && self.drafts().len() >= crate::remarks::MAX_REMARKS {
            if let Some(i) = self.remark_input.as_mut() {
                i.error = Some(format!(
                    "a decision carries at most {} remarks",
                    crate::remarks::MAX_REMARKS
                ));
            }
            return None;
        }
        let remark = crate::decision::Remark {
            path,
            side,
            line,
            text,
        };
        match editing {
            Some(i) => self.remarks[i].remark = remark,
            None => self.remarks.push(RemarkRow {
                remark,
                draft: true,
            }),
        }
        self.remark_input = None;
        self.relayout();
        let n = self.drafts().len();
        Some(format!(
            "{n} remark(s): they are signed with your next decision (a / r)"
        ))
    }

    /// The findings, if the report arrived.
    pub fn findings(&self) -> &[FindingView] {
        self.risk.as_ref().map_or(&[], |r| r.findings.as_slice())
    }

    /// The worst finding shown at a spot.
    pub fn worst_at(&self, spot: diff_rows::Spot) -> Option<Severity> {
        let findings = self.findings();
        self.placed
            .get(&spot)?
            .iter()
            .filter_map(|i| findings.get(*i))
            .map(|f| f.severity)
            .max()
    }

    /// The findings on a diff row's line(s), worst first.
    pub fn findings_on(&self, row: Row) -> Vec<&FindingView> {
        let Some(diff) = &self.diff else {
            return Vec::new();
        };
        let lines: Vec<(usize, usize, u32)> = match row {
            Row::Line { file, hunk, line } => vec![(file, hunk, line)],
            Row::Pair {
                file,
                hunk,
                left,
                right,
            } => [left, right]
                .into_iter()
                .flatten()
                .map(|l| (file, hunk, l))
                .collect(),
            _ => Vec::new(),
        };
        let all = self.findings();
        let mut out: Vec<&FindingView> = lines
            .into_iter()
            .filter_map(|(f, h, l)| {
                diff_rows::line_spot(f, &diff.files[f].hunks[h].lines[l as usize])
            })
            .filter_map(|spot| self.placed.get(&spot))
            .flatten()
            .filter_map(|i| all.get(*i))
            .collect();
        out.sort_by_key(|f| std::cmp::Reverse(f.severity));
        out.dedup();
        out
    }

    /// The diff arrived.
    pub fn set_diff(&mut self, diff: Arc<Diff>) {
        self.badges = diff
            .files
            .iter()
            .map(|f| FileBadge {
                worst: None,
                findings: 0,
                hidden_text: f.hunks.iter().any(|h| {
                    h.lines.iter().any(|l| {
                        // Bidi and invisible characters are never ASCII: the
                        // fast check skips almost every line.
                        l.kind != LineKind::Context
                            && !l.content.is_ascii()
                            && crate::sanitize::has_hidden_text(&l.content)
                    })
                }),
            })
            .collect();
        self.diff = Some(diff);
        self.relayout();
    }

    /// The risk report arrived.
    pub fn set_risk(&mut self, mut risk: RiskView) {
        if self.all_results {
            risk.findings.extend(risk.hidden_findings.iter().cloned());
        }
        self.risk = Some(risk);
        self.risk_note = None;
        self.relayout();
    }

    /// Rebuilds the rows (after a toggle, a collapse or new findings), keeping
    /// the cursor on the same file.
    pub fn relayout(&mut self) {
        let Some(diff) = self.diff.clone() else {
            return;
        };
        let keep = self.current_file();
        let findings = self.risk.as_ref().map_or(&[][..], |r| &r.findings[..]);
        self.placed = diff_rows::place_findings(&diff, findings);
        self.remark_spots = remark_model::place(&diff, &self.remarks);
        for b in &mut self.badges {
            b.worst = None;
            b.findings = 0;
        }
        for ((file, _), list) in &self.placed {
            if let Some(b) = self.badges.get_mut(*file) {
                b.findings += list.len();
                for i in list {
                    let s = findings[*i].severity;
                    b.worst = Some(b.worst.map_or(s, |w| w.max(s)));
                }
            }
        }
        let old_cursor_row = self.layout.rows.get(self.cursor).copied();
        self.layout = diff_rows::build(
            &diff,
            &self.placed,
            &self.remark_spots,
            self.split,
            &self.collapsed,
            &self.expanded,
        );
        // Stay where we were: the same line if it is still shown, else the file.
        let same = old_cursor_row.and_then(|r| self.find_equivalent(r));
        self.cursor = match (same, keep) {
            (Some(row), _) => row,
            (None, Some(f)) => self.layout.file_rows.get(f).copied().unwrap_or(0),
            _ => 0,
        };
        self.clamp();
        if let Some(s) = &mut self.search {
            s.matches = find_matches(&diff, &self.layout, &s.input.text);
        }
    }

    fn find_equivalent(&self, row: Row) -> Option<usize> {
        let (file, hunk, line) = match row {
            Row::Line { file, hunk, line } => (file, hunk, Some(line)),
            Row::Pair {
                file,
                hunk,
                left,
                right,
            } => (file, hunk, right.or(left)),
            Row::Hunk { file, hunk } => (file, hunk, None),
            _ => return None,
        };
        let start = *self.layout.file_rows.get(file)?;
        self.layout.rows[start..]
            .iter()
            .take_while(|r| r.file().is_none_or(|f| f == file))
            .position(|r| match (*r, line) {
                (
                    Row::Line {
                        hunk: h, line: l, ..
                    },
                    Some(n),
                ) => h == hunk && l == n,
                (
                    Row::Pair {
                        hunk: h,
                        left,
                        right,
                        ..
                    },
                    Some(n),
                ) => h == hunk && (left == Some(n) || right == Some(n)),
                (Row::Hunk { hunk: h, .. }, None) => h == hunk,
                _ => false,
            })
            .map(|p| p + start)
    }

    /// The file under the cursor.
    pub fn current_file(&self) -> Option<usize> {
        let rows = &self.layout.rows;
        rows.get(self.cursor).and_then(|r| r.file()).or_else(|| {
            // A spacer: the file below it.
            rows.get(self.cursor + 1).and_then(|r| r.file())
        })
    }

    fn clamp(&mut self) {
        self.cursor = self.cursor.min(self.layout.rows.len().saturating_sub(1));
        self.top = nav::keep_visible(self.top, self.cursor, self.height);
        if let Some(f) = self.current_file() {
            self.file_sel = f;
        }
    }

    fn go(&mut self, row: usize) {
        self.cursor = row;
        // Jumps put the target near the top, with a little context above.
        if row < self.top || row >= self.top + self.height {
            self.top = row.saturating_sub(2);
        }
        self.clamp();
    }

    fn next_in(&mut self, list: &[usize], forward: bool) -> bool {
        let target = if forward {
            list.iter().find(|r| **r > self.cursor).copied()
        } else {
            list.iter().rev().find(|r| **r < self.cursor).copied()
        };
        match target {
            Some(r) => {
                self.go(r);
                true
            }
            None => false,
        }
    }

    /// Runs a review command; returns a message for the status line if any.
    pub fn command(&mut self, cmd: Cmd) -> Option<String> {
        if self.focus_files {
            let n = self.diff.as_ref().map_or(0, |d| d.files.len());
            if let Some(m) = nav::moved(self.file_sel, n, cmd, self.height) {
                self.file_sel = m;
                return None;
            }
            if cmd == Cmd::Open {
                if let Some(r) = self.layout.file_rows.get(self.file_sel).copied() {
                    self.go(r);
                    self.file_sel = self.current_file().unwrap_or(0);
                }
                self.focus_files = false;
                return None;
            }
        }
        if let Some(n) = nav::moved(self.cursor, self.layout.rows.len(), cmd, self.height) {
            self.cursor = n;
            self.clamp();
            return None;
        }
        match cmd {
            Cmd::NextFile | Cmd::PrevFile => {
                let rows = self.layout.file_rows.clone();
                if !self.next_in(&rows, cmd == Cmd::NextFile) {
                    return Some(
                        if cmd == Cmd::NextFile {
                            "last file"
                        } else {
                            "first file"
                        }
                        .into(),
                    );
                }
            }
            Cmd::NextHunk | Cmd::PrevHunk => {
                let rows = self.layout.hunk_rows.clone();
                if !self.next_in(&rows, cmd == Cmd::NextHunk) {
                    return Some(
                        if cmd == Cmd::NextHunk {
                            "last hunk"
                        } else {
                            "first hunk"
                        }
                        .into(),
                    );
                }
            }
            Cmd::NextFinding | Cmd::PrevFinding => {
                let forward = cmd == Cmd::NextFinding;
                if let Some(s) = self.search.as_ref().filter(|s| !s.input.text.is_empty()) {
                    let list = s.matches.clone();
                    if list.is_empty() {
                        return Some(format!("no match for '{}'", s.input.text));
                    }
                    if !self.next_in(&list, forward) {
                        self.go(if forward {
                            list[0]
                        } else {
                            list[list.len() - 1]
                        });
                        return Some("search wrapped".into());
                    }
                    let at = list.iter().position(|r| *r == self.cursor).unwrap_or(0);
                    return Some(format!("match {}/{}", at + 1, list.len()));
                }
                let list = self.layout.finding_rows.clone();
                if list.is_empty() {
                    return Some(match &self.risk {
                        Some(_) => "no findings in the diff".into(),
                        None => self
                            .risk_note
                            .clone()
                            .unwrap_or_else(|| "no risk report".into()),
                    });
                }
                if !self.next_in(&list, forward) {
                    return Some(
                        if forward {
                            "last finding"
                        } else {
                            "first finding"
                        }
                        .into(),
                    );
                }
                let at = list.iter().position(|r| *r == self.cursor).unwrap_or(0);
                return Some(format!("finding {}/{}", at + 1, list.len()));
            }
            Cmd::ToggleAllResults => {
                self.all_results = !self.all_results;
                let Some(r) = &mut self.risk else {
                    return Some("the risk report is not there yet".into());
                };
                let hidden = r.hidden_findings.len();
                if self.all_results {
                    r.findings.extend(r.hidden_findings.iter().cloned());
                } else {
                    let keep = r.findings.len().saturating_sub(hidden);
                    r.findings.truncate(keep);
                }
                self.relayout();
                return Some(if self.all_results {
                    format!("showing every analyzer result ({hidden} not introduced by the change)")
                } else {
                    "showing only what the change introduced".into()
                });
            }
            Cmd::ToggleSplit => {
                self.split = !self.split;
                self.relayout();
                return Some(
                    if self.split {
                        "side by side"
                    } else {
                        "unified"
                    }
                    .into(),
                );
            }
            Cmd::Collapse => {
                let f = self.current_file()?;
                let huge = self
                    .diff
                    .as_ref()
                    .is_some_and(|d| diff_rows::is_huge(&d.files[f]));
                if huge && !self.expanded.contains(&f) {
                    self.expanded.insert(f);
                } else if !self.collapsed.remove(&f) {
                    self.collapsed.insert(f);
                }
                self.relayout();
                if let Some(r) = self.layout.file_rows.get(f).copied() {
                    self.go(r);
                }
            }
            Cmd::Left => self.hscroll = self.hscroll.saturating_sub(8),
            Cmd::Right => self.hscroll = (self.hscroll + 8).min(10_000),
            Cmd::Focus => {
                self.focus_files = !self.focus_files;
                if let Some(f) = self.current_file() {
                    self.file_sel = f;
                }
            }
            Cmd::Filter => {
                self.search = Some(Search {
                    editing: true,
                    ..Search::default()
                });
            }
            _ => {}
        }
        None
    }

    /// A key while typing a search. Returns true when handled.
    pub fn search_key(&mut self, key: Key) -> Option<String> {
        let diff = self.diff.clone()?;
        let s = self.search.as_mut()?;
        match s.input.key(key) {
            LineEdit::Changed => {
                s.matches = find_matches(&diff, &self.layout, &s.input.text);
                // Jump to the first match at or after the cursor as you type.
                let cur = self.cursor;
                if let Some(r) = s.matches.iter().find(|r| **r >= cur).or(s.matches.first()) {
                    let r = *r;
                    self.go(r);
                }
                None
            }
            LineEdit::Done => {
                s.editing = false;
                let n = s.matches.len();
                if s.input.text.is_empty() {
                    self.search = None;
                    return None;
                }
                Some(format!("{n} matches; n/N to move, Esc to clear"))
            }
            LineEdit::Cancelled => {
                self.search = None;
                None
            }
            LineEdit::Ignored => None,
        }
    }

    /// Scrolls by the mouse wheel (the cursor follows).
    pub fn wheel(&mut self, delta: i32) {
        let max = self.layout.rows.len().saturating_sub(1) as i64;
        let top = (self.top as i64 + i64::from(delta)).clamp(0, max);
        self.top = top as usize;
        let c = (self.cursor as i64 + i64::from(delta)).clamp(0, max);
        self.cursor = c as usize;
        self.clamp();
    }

    /// The order to highlight files in: the visible one first, then the rest.
    pub fn highlight_order(&self) -> Vec<usize> {
        let Some(diff) = &self.diff else {
            return Vec::new();
        };
        let first = self.current_file().unwrap_or(0);
        let n = diff.files.len();
        (0..n)
            .map(|i| (first + i) % n)
            .filter(|f| !self.highlights.contains_key(f))
            .collect()
    }
}

/// Rows whose text contains `query` (case-insensitive).
fn find_matches(diff: &Diff, layout: &Layout, query: &str) -> Vec<usize> {
    if query.is_empty() {
        return Vec::new();
    }
    let q = query.to_lowercase();
    let hit = |file: usize, hunk: usize, line: Option<u32>| {
        line.is_some_and(|l| {
            diff.files[file].hunks[hunk].lines[l as usize]
                .content
                .to_lowercase()
                .contains(&q)
        })
    };
    layout
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| match **r {
            Row::Line { file, hunk, line } => hit(file, hunk, Some(line)),
            Row::Pair {
                file,
                hunk,
                left,
                right,
            } => hit(file, hunk, left) || hit(file, hunk, right),
            Row::FileHeader { file } => diff.files[file].display_path().to_lowercase().contains(&q),
            _ => false,
        })
        .map(|(i, _)| i)
        .collect()
}
