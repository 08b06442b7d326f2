//! The queue screen's state: rows as they arrive, tabs by state, sorting, the
//! fuzzy filter and the selection (kept on the same change across reloads).

use std::cmp::Ordering;

use super::backend::{QueueEvent, QueueRow};
use super::commands::Cmd;
use super::filter::{Fuzzy, LineInput};
use super::keys::Key;
use super::nav;

/// The tabs of the queue, by decision state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Pending,
    Approved,
    Rejected,
    Stale,
}

impl Tab {
    pub const ALL: [Tab; 4] = [Tab::Pending, Tab::Approved, Tab::Rejected, Tab::Stale];

    pub fn state(self) -> &'static str {
        match self {
            Tab::Pending => "pending",
            Tab::Approved => "approved",
            Tab::Rejected => "rejected",
            Tab::Stale => "stale",
        }
    }

    fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
}

/// The columns the queue can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Risk,
    Age,
    Size,
    Files,
    Id,
    Title,
    Author,
    Tool,
}

impl SortKey {
    const ALL: [SortKey; 8] = [
        SortKey::Risk,
        SortKey::Age,
        SortKey::Size,
        SortKey::Files,
        SortKey::Id,
        SortKey::Title,
        SortKey::Author,
        SortKey::Tool,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SortKey::Risk => "risk",
            SortKey::Age => "age",
            SortKey::Size => "size",
            SortKey::Files => "files",
            SortKey::Id => "id",
            SortKey::Title => "title",
            SortKey::Author => "author",
            SortKey::Tool => "tool",
        }
    }
}

/// The queue screen.
#[derive(Debug, Clone)]
pub struct QueueModel {
    pub rows: Vec<QueueRow>,
    /// A load is running.
    pub loading: bool,
    pub error: Option<String>,
    pub tab: Tab,
    pub sort: SortKey,
    pub reverse: bool,
    pub filter: LineInput,
    pub filtering: bool,
    /// Indices into `rows` shown in the table, in order.
    pub visible: Vec<usize>,
    /// Index into `visible`.
    pub selected: usize,
    pub top: usize,
    /// Rows the table showed last time (set by the view).
    pub height: usize,
    /// The user picked a row: keep it selected as rows arrive and re-sort.
    pub picked: bool,
}

impl Default for QueueModel {
    fn default() -> Self {
        QueueModel {
            rows: Vec::new(),
            loading: true,
            error: None,
            tab: Tab::Pending,
            sort: SortKey::Risk,
            reverse: false,
            filter: LineInput::default(),
            filtering: false,
            visible: Vec::new(),
            selected: 0,
            top: 0,
            height: 20,
            picked: false,
        }
    }
}

impl QueueModel {
    /// The selected row.
    pub fn selected_row(&self) -> Option<&QueueRow> {
        self.visible.get(self.selected).map(|i| &self.rows[*i])
    }

    /// How many rows have finished loading.
    pub fn loaded(&self) -> usize {
        self.rows.iter().filter(|r| r.loaded).count()
    }

    /// Rows in a tab.
    pub fn tab_count(&self, tab: Tab) -> usize {
        self.rows
            .iter()
            .filter(|r| r.entry.state == tab.state())
            .count()
    }

    /// Rows of the current tab per risk level: critical, high, medium, low.
    pub fn level_counts(&self) -> [usize; 4] {
        let mut out = [0; 4];
        for r in self
            .rows
            .iter()
            .filter(|r| r.entry.state == self.tab.state())
        {
            match r.entry.risk.level.as_str() {
                "critical" => out[0] += 1,
                "high" => out[1] += 1,
                "medium" => out[2] += 1,
                _ => out[3] += 1,
            }
        }
        out
    }

    /// Applies a load event.
    pub fn apply(&mut self, ev: QueueEvent) {
        match ev {
            QueueEvent::Listed(rows) => {
                // Keep what a previous load knew until the new figures arrive.
                let old = std::mem::take(&mut self.rows);
                self.rows = rows
                    .into_iter()
                    .map(|mut r| {
                        if let Some(o) = old.iter().find(|o| o.entry.change.id == r.entry.change.id)
                            && o.entry.change.head == r.entry.change.head
                        {
                            r.entry = o.entry.clone();
                            r.approvals = o.approvals;
                        }
                        r
                    })
                    .collect();
            }
            QueueEvent::Row(row) => {
                match self
                    .rows
                    .iter_mut()
                    .find(|r| r.entry.change.id == row.entry.change.id)
                {
                    Some(r) => *r = *row,
                    None => self.rows.push(*row),
                }
            }
        }
        self.refresh();
    }

    /// Recomputes the visible rows (tab, filter, sort), keeping the selection.
    pub fn refresh(&mut self) {
        let keep = self
            .selected_row()
            .filter(|_| self.picked)
            .map(|r| r.entry.change.id.clone());
        let mut fuzzy = Fuzzy::new(&self.filter.text);
        let query = self.filter.text.trim().to_lowercase();
        let state = self.tab.state();
        let scored: Vec<(usize, (u8, u32))> = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.entry.state == state)
            .filter_map(|(i, r)| {
                let c = &r.entry.change;
                let hay = format!(
                    "{} {} {} {} {}",
                    c.id, c.title, c.author, c.tool, r.entry.risk.level
                );
                fuzzy
                    .score(&hay)
                    .map(|s| (i, (match_tier(&query, &c.id, &c.title), s)))
            })
            .collect();
        let rows = &self.rows;
        let (sort, reverse) = (self.sort, self.reverse);
        // With a filter the best match comes first (as in fzf, lazygit and
        // gitui), so the row an action applies to is the one the user typed
        // for; the chosen column orders equal matches.
        let mut scored = scored;
        scored.sort_by(|(a, sa), (b, sb)| {
            let column = compare(&rows[*a], &rows[*b], sort);
            let column = if reverse { column.reverse() } else { column };
            sb.cmp(sa)
                .then(column)
                .then_with(|| rows[*a].entry.change.id.cmp(&rows[*b].entry.change.id))
        });
        let visible: Vec<usize> = scored.into_iter().map(|(i, _)| i).collect();
        self.visible = visible;
        self.selected = keep
            .and_then(|id| {
                self.visible
                    .iter()
                    .position(|i| self.rows[*i].entry.change.id == id)
            })
            .unwrap_or(self.selected)
            .min(self.visible.len().saturating_sub(1));
        self.top = nav::keep_visible(self.top, self.selected, self.height);
    }

    /// Handles a key while the filter is being typed. Returns true when handled.
    pub fn filter_key(&mut self, key: Key) -> bool {
        let (handled, refresh) = self.filter.filter_key(key, &mut self.filtering);
        if refresh {
            self.show_best_match();
        }
        handled
    }

    /// The filter changed: select the best match and scroll it into view.
    fn show_best_match(&mut self) {
        self.picked = false;
        self.selected = 0;
        self.top = 0;
        self.refresh();
    }

    /// Esc on the queue: clears a kept filter. Returns false when there was
    /// none (Esc never quits; `q` does).
    pub fn clear_filter(&mut self) -> bool {
        if self.filter.text.is_empty() {
            return false;
        }
        self.filter.text.clear();
        self.filtering = false;
        self.show_best_match();
        true
    }

    /// Runs a screen command that only concerns the table. Returns true when it did.
    pub fn command(&mut self, cmd: Cmd) -> bool {
        if let Some(n) = nav::moved(self.selected, self.visible.len(), cmd, self.height) {
            self.selected = n;
            self.picked = true;
            self.top = nav::keep_visible(self.top, self.selected, self.height);
            return true;
        }
        match cmd {
            Cmd::Filter => self.filtering = true,
            Cmd::NextTab | Cmd::PrevTab => {
                let i = self.tab.index();
                let n = if cmd == Cmd::NextTab { i + 1 } else { i + 3 } % 4;
                self.tab = Tab::ALL[n % 4];
                self.selected = 0;
                self.top = 0;
                self.refresh();
            }
            Cmd::Sort => {
                let i = SortKey::ALL
                    .iter()
                    .position(|s| *s == self.sort)
                    .unwrap_or(0);
                self.sort = SortKey::ALL[(i + 1) % SortKey::ALL.len()];
                self.refresh();
            }
            Cmd::ReverseSort => {
                self.reverse = !self.reverse;
                self.refresh();
            }
            _ => return false,
        }
        true
    }

    /// Scrolls by the mouse wheel.
    pub fn wheel(&mut self, delta: i32) {
        let n = self.selected as i64 + i64::from(delta);
        self.selected = n.clamp(0, self.visible.len().saturating_sub(1) as i64) as usize;
        self.picked = true;
        self.top = nav::keep_visible(self.top, self.selected, self.height);
    }
}

/// How well a row's id or title matches the typed query, beyond the fuzzy
/// score: 3 for the whole id or title, 2 for its start, 1 for a part of it,
/// 0 for a scattered (fuzzy) match. Fuzzy scores are sums over the query's
/// words, so "fix the readme" scores "Fix the README" and "Fix the README
/// parser" alike; the user means the first.
fn match_tier(query: &str, id: &str, title: &str) -> u8 {
    if query.is_empty() {
        return 0;
    }
    let title = title.to_lowercase();
    let id = id.to_lowercase();
    if title == query || id == query {
        3
    } else if title.starts_with(query) || id.starts_with(query) {
        2
    } else if title.contains(query) {
        1
    } else {
        0
    }
}

/// Orders two rows by a column; the natural direction is "most interesting first"
/// (riskiest, oldest, biggest), alphabetical for text.
fn compare(a: &QueueRow, b: &QueueRow, key: SortKey) -> Ordering {
    let (ea, eb) = (&a.entry, &b.entry);
    let size = |e: &crate::queue::QueueEntry| e.additions + e.deletions;
    match key {
        SortKey::Risk => eb
            .risk
            .score
            .cmp(&ea.risk.score)
            .then(size(eb).cmp(&size(ea))),
        SortKey::Age => ea.change.authored_at.cmp(&eb.change.authored_at),
        SortKey::Size => size(eb).cmp(&size(ea)),
        SortKey::Files => eb.files.cmp(&ea.files),
        SortKey::Id => ea.change.id.cmp(&eb.change.id),
        SortKey::Title => ea
            .change
            .title
            .to_lowercase()
            .cmp(&eb.change.title.to_lowercase()),
        SortKey::Author => ea
            .change
            .author
            .to_lowercase()
            .cmp(&eb.change.author.to_lowercase()),
        SortKey::Tool => ea
            .change
            .tool
            .to_lowercase()
            .cmp(&eb.change.tool.to_lowercase()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::{Change, ChangeSource};
    use crate::git::DiffStats;
    use crate::queue::{RiskSummary, entry};

    fn row(id: &str, title: &str, score: u8) -> QueueRow {
        let change = Change {
            id: id.into(),
            title: title.into(),
            author: "Ada <ada@example.com>".into(),
            author_email: "ada@example.com".into(),
            committer_email: "ada@example.com".into(),
            tool: "Claude".into(),
            base: "b".repeat(40),
            head: "h".repeat(40),
            target: "main".into(),
            source: ChangeSource::Submit,
            ref_name: format!("refs/countersign/pending/{id}"),
            submitted_from: None,
            submitter: None,
            submitted_at: 0,
            authored_at: 0,
        };
        let risk = RiskSummary {
            score,
            level: "low".into(),
        };
        QueueRow {
            entry: entry(change, DiffStats::default(), risk),
            loaded: true,
            approvals: None,
        }
    }

    fn model(rows: Vec<QueueRow>, height: usize) -> QueueModel {
        let mut m = QueueModel {
            height,
            ..QueueModel::default()
        };
        m.apply(QueueEvent::Listed(rows));
        m
    }

    fn typed(m: &mut QueueModel, text: &str) {
        m.command(Cmd::Filter);
        for c in text.chars() {
            m.filter_key(Key::char(c));
        }
    }

    #[test]
    fn the_filter_puts_the_best_match_first_and_selects_it() {
        let mut rows: Vec<QueueRow> = (0..30)
            .map(|i| {
                row(
                    &format!("r{i:02}"),
                    &format!("Fix retries in the README parser {i}"),
                    90,
                )
            })
            .collect();
        rows.push(row("exact", "Fix the README", 1));
        let mut m = model(rows, 5);
        // The user had moved far down before filtering.
        for _ in 0..20 {
            m.command(Cmd::Down);
        }
        typed(&mut m, "fix the readme");
        assert_eq!(
            m.selected_row().map(|r| r.entry.change.id.as_str()),
            Some("exact"),
            "the exact title is selected, whatever its risk"
        );
        assert_eq!((m.selected, m.top), (0, 0), "and shown");
        assert!(m.visible.len() > 1, "the other matches stay, below it");
        // Enter keeps the filter; the selection stays on what is shown.
        m.filter_key(Key::plain(crate::ui::keys::KeyCode::Enter));
        assert_eq!(
            m.selected_row().map(|r| r.entry.change.id.as_str()),
            Some("exact")
        );
        // Esc (on the queue) clears the kept filter; a second one has nothing
        // to clear.
        assert!(m.clear_filter());
        assert_eq!(m.visible.len(), 31);
        assert!(!m.clear_filter());
    }

    #[test]
    fn without_a_filter_the_column_decides() {
        let m = model(
            vec![
                row("aaaa", "low", 1),
                row("bbbb", "high", 80),
                row("cccc", "mid", 40),
            ],
            10,
        );
        let order: Vec<&str> = m
            .visible
            .iter()
            .map(|i| m.rows[*i].entry.change.id.as_str())
            .collect();
        assert_eq!(order, ["bbbb", "cccc", "aaaa"]);
    }
}
