//! The audit screen's state: every past decision, newest first, with its
//! verification status; filtered by text (reviewer, change, date, comment) and by
//! decision.

use super::backend::AuditRow;
use super::commands::Cmd;
use super::filter::{Fuzzy, LineInput};
use super::keys::Key;
use super::nav;

/// Which decisions are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionFilter {
    All,
    Approve,
    Reject,
}

impl DecisionFilter {
    pub fn name(self) -> &'static str {
        match self {
            DecisionFilter::All => "all",
            DecisionFilter::Approve => "approvals",
            DecisionFilter::Reject => "rejections",
        }
    }
}

/// The audit screen.
#[derive(Debug, Clone)]
pub struct AuditModel {
    pub rows: Vec<AuditRow>,
    pub loading: bool,
    pub error: Option<String>,
    pub filter: LineInput,
    pub filtering: bool,
    pub decision: DecisionFilter,
    pub visible: Vec<usize>,
    pub selected: usize,
    pub top: usize,
    pub height: usize,
}

impl Default for AuditModel {
    fn default() -> Self {
        AuditModel {
            rows: Vec::new(),
            loading: true,
            error: None,
            filter: LineInput::default(),
            filtering: false,
            decision: DecisionFilter::All,
            visible: Vec::new(),
            selected: 0,
            top: 0,
            height: 20,
        }
    }
}

impl AuditModel {
    /// The decisions arrived.
    pub fn set(&mut self, result: Result<Vec<AuditRow>, String>) {
        self.loading = false;
        match result {
            Ok(mut rows) => {
                rows.sort_by(|a, b| b.at.cmp(&a.at));
                self.rows = rows;
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
        self.refresh();
    }

    pub fn selected_row(&self) -> Option<&AuditRow> {
        self.visible.get(self.selected).map(|i| &self.rows[*i])
    }

    /// Counts by status: (valid, invalid).
    pub fn validity(&self) -> (usize, usize) {
        let valid = self.rows.iter().filter(|r| r.status == "valid").count();
        (valid, self.rows.len() - valid)
    }

    pub fn refresh(&mut self) {
        let mut fuzzy = Fuzzy::new(&self.filter.text);
        let d = self.decision;
        self.visible = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| match d {
                DecisionFilter::All => true,
                DecisionFilter::Approve => r.decision == "approve",
                DecisionFilter::Reject => r.decision == "reject",
            })
            .filter(|(_, r)| {
                let hay = format!(
                    "{} {} {} {} {} {}",
                    r.at, r.reviewer, r.change, r.decision, r.status, r.comment
                );
                fuzzy.score(&hay).is_some()
            })
            .map(|(i, _)| i)
            .collect();
        self.selected = self.selected.min(self.visible.len().saturating_sub(1));
        self.top = nav::keep_visible(self.top, self.selected, self.height);
    }

    pub fn filter_key(&mut self, key: Key) -> bool {
        let (handled, refresh) = self.filter.filter_key(key, &mut self.filtering);
        if refresh {
            self.refresh();
        }
        handled
    }

    pub fn command(&mut self, cmd: Cmd) -> bool {
        if let Some(n) = nav::moved(self.selected, self.visible.len(), cmd, self.height) {
            self.selected = n;
            self.top = nav::keep_visible(self.top, self.selected, self.height);
            return true;
        }
        match cmd {
            Cmd::Filter => self.filtering = true,
            Cmd::DecisionFilter => {
                self.decision = match self.decision {
                    DecisionFilter::All => DecisionFilter::Approve,
                    DecisionFilter::Approve => DecisionFilter::Reject,
                    DecisionFilter::Reject => DecisionFilter::All,
                };
                self.refresh();
            }
            _ => return false,
        }
        true
    }

    pub fn wheel(&mut self, delta: i32) {
        let n = self.selected as i64 + i64::from(delta);
        self.selected = n.clamp(0, self.visible.len().saturating_sub(1) as i64) as usize;
        self.top = nav::keep_visible(self.top, self.selected, self.height);
    }
}
