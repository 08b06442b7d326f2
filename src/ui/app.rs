//! The application model: the screen stack (queue at the bottom, then reviews
//! and the audit screen), the popup layers above it (help, decision dialog),
//! the status line, and the requests for background work. Input and job results
//! go in; `changed` says whether a redraw is needed. Knows nothing of the
//! terminal.

use std::sync::Arc;

use super::audit_model::AuditModel;
use super::backend::{Decision, Identity};
use super::commands::{Cmd, Keymap, Screen};
use super::dialog::{DialogAction, DialogModel};
use super::jobs::{Output, Request};
use super::keys::{Input, Key};
use super::queue_model::QueueModel;
use super::review_model::{ReviewModel, Subject};

/// A screen of the stack above the queue.
#[derive(Debug, Clone)]
pub enum View {
    Review(Box<ReviewModel>),
    Audit(Box<AuditModel>),
}

/// A popup layer.
#[derive(Debug, Clone)]
pub enum Layer {
    /// The keys of a screen.
    Help {
        screen: Screen,
        scroll: usize,
    },
    Dialog(Box<DialogModel>),
}

/// A message in the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub error: bool,
}

/// The whole UI state.
#[derive(Debug, Clone)]
pub struct App {
    pub keymap: Keymap,
    pub identity: Identity,
    pub queue: QueueModel,
    pub stack: Vec<View>,
    pub layers: Vec<Layer>,
    pub status: Option<Status>,
    pub quit: bool,
    /// Seconds since the epoch, for ages (set by the runner; fixed in tests).
    pub now: i64,
    /// Animation frame of the progress spinner.
    pub tick: u64,
    /// Changes opened in a review this session, as `id:head`: `a` on the queue
    /// asks first for any other.
    pub opened: std::collections::HashSet<String>,
    /// Remarks written in a review that was closed before deciding, by change id.
    pub drafts: std::collections::HashMap<String, Vec<crate::decision::Remark>>,
    requests: Vec<Request>,
    next_token: u64,
}

impl App {
    /// A new app; it asks for the queue at once.
    pub fn new(keymap: Keymap, identity: Identity, warnings: Vec<String>) -> App {
        let mut app = App {
            keymap,
            identity,
            queue: QueueModel::default(),
            stack: Vec::new(),
            layers: Vec::new(),
            status: None,
            quit: false,
            now: 0,
            tick: 0,
            opened: Default::default(),
            drafts: Default::default(),
            requests: vec![Request::LoadQueue],
            next_token: 1,
        };
        if let Some(w) = warnings.into_iter().next() {
            app.error(w);
        }
        app
    }

    /// Requests made since the last call.
    pub fn take_requests(&mut self) -> Vec<Request> {
        std::mem::take(&mut self.requests)
    }

    /// True while something runs that the user sees progress of.
    pub fn busy(&self) -> bool {
        self.queue.loading
            || self.stack.iter().any(|v| match v {
                View::Review(r) => r.diff.is_none() && r.error.is_none(),
                View::Audit(a) => a.loading,
            })
            || self
                .layers
                .iter()
                .any(|l| matches!(l, Layer::Dialog(d) if d.stage == super::dialog::Stage::Signing))
    }

    fn info(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            error: false,
        });
    }

    fn error(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            error: true,
        });
    }

    /// The screen that takes keys (ignoring popups).
    pub fn screen(&self) -> Screen {
        match self.stack.last() {
            None => Screen::Queue,
            Some(View::Review(_)) => Screen::Review,
            Some(View::Audit(_)) => Screen::Audit,
        }
    }

    /// Handles user input; returns true when the state changed.
    pub fn handle(&mut self, input: Input) -> bool {
        match input {
            Input::Key(k) => {
                if k.ctrl && k.code == super::keys::KeyCode::Char('c') {
                    self.quit = true;
                    return true;
                }
                self.key(k);
                true
            }
            Input::Wheel(d) => {
                match self.layers.last_mut() {
                    Some(Layer::Help { scroll, .. }) => {
                        *scroll = (*scroll as i64 + i64::from(d)).max(0) as usize;
                    }
                    Some(Layer::Dialog(_)) => return false,
                    None => match self.stack.last_mut() {
                        None => self.queue.wheel(d),
                        Some(View::Review(r)) => r.wheel(d),
                        Some(View::Audit(a)) => a.wheel(d),
                    },
                }
                true
            }
            Input::Paste(text) => {
                if let Some(Layer::Dialog(d)) = self.layers.last_mut() {
                    d.paste(&text);
                    return true;
                }
                if let Some(View::Review(r)) = self.stack.last_mut()
                    && let Some(input) = r.remark_input.as_mut()
                {
                    let clean: String = text
                        .chars()
                        .filter(|c| *c == '\n' || crate::sanitize::hazard(*c).is_none())
                        .collect();
                    input.text.insert_str(clean);
                    return true;
                }
                false
            }
        }
    }

    fn key(&mut self, k: Key) {
        // Popups first (a layer stack, as helix does).
        if let Some(layer) = self.layers.last_mut() {
            match layer {
                Layer::Help { scroll, .. } => match self.keymap.command(Screen::Help, k) {
                    Some(Cmd::Down) => *scroll += 1,
                    Some(Cmd::Up) => *scroll = scroll.saturating_sub(1),
                    _ => {
                        self.layers.pop();
                    }
                },
                Layer::Dialog(d) => {
                    let cmd = self.keymap.command(Screen::Dialog, k);
                    match d.key(k, cmd == Some(Cmd::Sign), cmd == Some(Cmd::Cancel)) {
                        DialogAction::None => {}
                        DialogAction::Close => {
                            let decided = matches!(d.stage, super::dialog::Stage::Done(_));
                            let id = d.change_id.clone();
                            self.layers.pop();
                            // A decision is made: back to the queue for the next one.
                            while decided
                                && matches!(self.stack.last(), Some(View::Review(r)) if r.subject.id == id)
                            {
                                self.stack.pop();
                            }
                        }
                        DialogAction::Sign(req) => self.requests.push(Request::Sign(req)),
                        DialogAction::Reload => {
                            let id = d.change_id.clone();
                            self.layers.pop();
                            if matches!(self.stack.last(), Some(View::Review(r)) if r.subject.id == id)
                            {
                                self.stack.pop();
                            }
                            self.queue.loading = true;
                            self.requests.push(Request::LoadQueue);
                            self.info(format!(
                                "reloading: {id} moved; open it again to review its new head"
                            ));
                        }
                    }
                }
            }
            return;
        }
        let screen = self.screen();
        // Text fields being typed take every key.
        match self.stack.last_mut() {
            None if self.queue.filtering => {
                self.queue.filter_key(k);
                return;
            }
            Some(View::Audit(a)) if a.filtering => {
                a.filter_key(k);
                return;
            }
            Some(View::Review(r)) if r.search.as_ref().is_some_and(|s| s.editing) => {
                if let Some(m) = r.search_key(k) {
                    self.info(m);
                }
                return;
            }
            Some(View::Review(r)) if r.remark_input.is_some() => {
                let cmd = self.keymap.command(Screen::Dialog, k);
                if let Some(m) = r.remark_key(k, cmd == Some(Cmd::Sign), cmd == Some(Cmd::Cancel)) {
                    self.info(m);
                }
                return;
            }
            _ => {}
        }
        let Some(cmd) = self.keymap.command(screen, k) else {
            self.info(format!("{k}: no command here; press ? for help"));
            return;
        };
        self.status = None;
        self.command(screen, cmd);
    }

    fn command(&mut self, screen: Screen, cmd: Cmd) {
        match cmd {
            Cmd::Help => {
                self.layers.push(Layer::Help { screen, scroll: 0 });
                return;
            }
            Cmd::Audit => {
                self.open_audit();
                return;
            }
            Cmd::Approve | Cmd::Reject => {
                let d = if cmd == Cmd::Approve {
                    Decision::Approve
                } else {
                    Decision::Reject
                };
                self.open_dialog(d);
                return;
            }
            Cmd::Interdiff => {
                self.open_interdiff();
                return;
            }
            _ => {}
        }
        match self.stack.last_mut() {
            None => match cmd {
                Cmd::Quit => self.quit = true,
                Cmd::Back => {
                    if self.queue.clear_filter() {
                        self.info("filter cleared");
                    } else {
                        let quit = self.keymap.keys_label(Screen::Queue, Cmd::Quit);
                        self.info(format!("press {quit} to quit"));
                    }
                }
                Cmd::Open => self.open_selected(),
                Cmd::Reload => {
                    self.queue.loading = true;
                    self.requests.push(Request::LoadQueue);
                }
                _ => {
                    self.queue.command(cmd);
                }
            },
            Some(View::Review(r)) => {
                if cmd == Cmd::Back {
                    if r.search.is_some() {
                        r.search = None;
                        self.info("search cleared");
                    } else if r.focus_files {
                        r.focus_files = false;
                    } else {
                        // Remarks not yet signed wait for the change's decision.
                        let drafts = r.drafts();
                        if r.interdiff.is_none() && r.subject.change.is_some() {
                            if drafts.is_empty() {
                                self.drafts.remove(&r.subject.id);
                            } else {
                                self.drafts.insert(r.subject.id.clone(), drafts);
                            }
                        }
                        self.stack.pop();
                    }
                    return;
                }
                if cmd == Cmd::Remark {
                    if let Some(m) = r.start_remark() {
                        self.info(m);
                    }
                    return;
                }
                if cmd == Cmd::Viewed {
                    match r.toggle_viewed() {
                        Ok((msg, paths)) => {
                            let head = r.subject.head.clone();
                            self.requests.push(Request::SaveViewed { head, paths });
                            self.info(msg);
                        }
                        Err(m) => self.info(m),
                    }
                    return;
                }
                let before = r.current_file();
                let msg = r.command(cmd);
                if r.current_file() != before && r.diff.is_some() {
                    let order = r.highlight_order();
                    if !order.is_empty() {
                        let (token, diff) = (r.token, r.diff.clone().expect("checked"));
                        self.requests
                            .push(Request::Highlight { token, diff, order });
                    }
                }
                if let Some(m) = msg {
                    self.info(m);
                }
            }
            Some(View::Audit(a)) => match cmd {
                Cmd::Back => {
                    self.stack.pop();
                }
                Cmd::Reload => {
                    a.loading = true;
                    self.requests.push(Request::Audit);
                }
                Cmd::Open => {
                    if let Some(row) = a.selected_row().cloned() {
                        let subject = Subject {
                            id: row.change.clone(),
                            title: format!("{} by {}", row.decision, row.reviewer),
                            author: String::new(),
                            tool: String::new(),
                            base: row.base.clone(),
                            head: row.head.clone(),
                            level: row.risk_level.clone(),
                            score: 0,
                            change: None,
                            as_reviewed: Some(format!(
                                "as reviewed by {} at {} ({}, {})",
                                row.reviewer, row.at, row.decision, row.status
                            )),
                            state: None,
                        };
                        self.open_review(subject);
                    }
                }
                _ => {
                    a.command(cmd);
                }
            },
        }
    }

    fn open_selected(&mut self) {
        let Some(row) = self.queue.selected_row() else {
            self.info("nothing to open");
            return;
        };
        self.open_review(row_subject(row));
    }

    fn open_review(&mut self, subject: Subject) {
        let token = self.next_token;
        self.next_token += 1;
        self.requests.push(Request::LoadDiff {
            token,
            base: subject.base.clone(),
            head: subject.head.clone(),
        });
        let mut review = ReviewModel::new(token, subject);
        if review.subject.change.is_some() {
            self.opened
                .insert(format!("{}:{}", review.subject.id, review.subject.head));
            if let Some(drafts) = self.drafts.get(&review.subject.id) {
                review.remarks = drafts
                    .iter()
                    .map(|r| super::remark_model::RemarkRow {
                        remark: r.clone(),
                        draft: true,
                    })
                    .collect();
            }
        }
        self.stack.push(View::Review(Box::new(review)));
    }

    /// `i`: the interdiff since the revision last decided on, of the change in
    /// review (or selected in the queue), as a review of its own.
    fn open_interdiff(&mut self) {
        let subject = match self.stack.last() {
            None => self.queue.selected_row().map(row_subject),
            Some(View::Review(r)) if r.interdiff.is_none() && r.subject.change.is_some() => {
                Some(r.subject.clone())
            }
            Some(View::Review(r)) if r.interdiff.is_some() => {
                self.info("this is the interdiff already; q goes back to the full diff");
                return;
            }
            _ => None,
        };
        let Some(subject) = subject else {
            self.info("select a pending change to see what changed since its last review");
            return;
        };
        let Some(change) = subject.change.clone() else {
            return;
        };
        let token = self.next_token;
        self.next_token += 1;
        self.requests.push(Request::Interdiff { token, change });
        let mut review = ReviewModel::new(token, subject);
        review.interdiff = Some("loading the interdiff…".into());
        review.risk_note = None;
        self.stack.push(View::Review(Box::new(review)));
    }

    fn open_audit(&mut self) {
        if let Some(i) = self.stack.iter().position(|v| matches!(v, View::Audit(_))) {
            self.stack.truncate(i + 1);
        } else {
            self.stack.push(View::Audit(Box::default()));
        }
        if let Some(View::Audit(a)) = self.stack.last_mut() {
            a.loading = true;
        }
        self.requests.push(Request::Audit);
    }

    fn open_dialog(&mut self, decision: Decision) {
        let approve = decision == Decision::Approve;
        let target = match self.stack.last() {
            None => self.queue.selected_row().map(|r| {
                let c = &r.entry.change;
                let opened = self.opened.contains(&format!("{}:{}", c.id, c.head));
                (
                    c.id.clone(),
                    c.head.clone(),
                    c.title.clone(),
                    r.entry.risk.level.clone(),
                    (approve && !opened).then(|| {
                        format!(
                            "You have not opened {} in the review: approve it without reading it?",
                            c.id
                        )
                    }),
                )
            }),
            Some(View::Review(r)) if r.subject.change.is_some() => {
                let (seen, all) = r.viewed_progress();
                let unseen = (approve && r.interdiff.is_none() && seen < all).then(|| {
                    format!(
                        "{} of {all} files are not marked viewed (v): approve anyway?",
                        all - seen
                    )
                });
                Some((
                    r.subject.id.clone(),
                    r.subject.head.clone(),
                    r.subject.title.clone(),
                    r.risk
                        .as_ref()
                        .map_or(r.subject.level.clone(), |k| k.level.clone()),
                    unseen,
                ))
            }
            _ => None,
        };
        let Some((id, head, title, level, unseen)) = target else {
            self.info("select a pending change to decide on");
            return;
        };
        // The remarks written on this change: in its open review, else kept
        // from a review closed before deciding.
        let remarks = self
            .stack
            .iter()
            .rev()
            .find_map(|v| match v {
                View::Review(r) if r.subject.id == id && r.interdiff.is_none() => Some(r.drafts()),
                _ => None,
            })
            .or_else(|| self.drafts.get(&id).cloned())
            .unwrap_or_default();
        // The dialog signs only the head on screen: if the change moved since
        // it was displayed, nothing is signed.
        let mut dialog = DialogModel::new(decision, &id, &title, &level).with_head(&head);
        dialog.remarks = remarks;
        if let Some(why) = unseen {
            dialog.ask_first(why);
        }
        self.layers.push(Layer::Dialog(Box::new(dialog)));
        self.requests.push(Request::Signer { change_id: id });
    }

    fn review_mut(&mut self, token: u64) -> Option<&mut ReviewModel> {
        self.stack.iter_mut().find_map(|v| match v {
            View::Review(r) if r.token == token => Some(&mut **r),
            _ => None,
        })
    }

    fn dialog_mut(&mut self) -> Option<&mut DialogModel> {
        self.layers.iter_mut().rev().find_map(|l| match l {
            Layer::Dialog(d) => Some(&mut **d),
            _ => None,
        })
    }

    /// Applies a job's result; returns true when the state changed. Results for
    /// screens that were closed are dropped.
    pub fn apply(&mut self, out: Output) -> bool {
        match out {
            Output::Queue(ev) => self.queue.apply(ev),
            Output::QueueDone(r) => {
                self.queue.loading = false;
                match r {
                    Ok(()) => self.queue.error = None,
                    Err(e) => {
                        self.queue.error = Some(e.clone());
                        self.error(e);
                    }
                }
            }
            Output::Diff { token, result } => {
                let Some(r) = self.review_mut(token) else {
                    return false;
                };
                match result {
                    Ok(diff) => {
                        r.set_diff(diff.clone());
                        let order = r.highlight_order();
                        let change = r.subject.change.clone();
                        if change.is_some() {
                            let head = r.subject.head.clone();
                            self.requests.push(Request::LoadViewed { token, head });
                        }
                        self.requests.push(Request::Highlight {
                            token,
                            diff: diff.clone(),
                            order,
                        });
                        match change {
                            Some(change) => self.requests.push(Request::Risk {
                                token,
                                change,
                                diff,
                            }),
                            None => {
                                if let Some(r) = self.review_mut(token) {
                                    r.risk_note = None;
                                }
                            }
                        }
                    }
                    Err(e) => {
                        r.error = Some(e.clone());
                        self.error(e);
                    }
                }
            }
            Output::Risk { token, result } => {
                let Some(r) = self.review_mut(token) else {
                    return false;
                };
                match result {
                    Ok(risk) => r.set_risk(risk),
                    Err(e) => {
                        r.risk_note = Some(e.clone());
                        self.info(e);
                    }
                }
            }
            Output::Highlight { token, file, hunks } => {
                let Some(r) = self.review_mut(token) else {
                    return false;
                };
                r.highlights.insert(file, hunks);
                r.partial.retain(|(f, _), _| *f != file);
                // Only a redraw if the file is on screen.
                let (top, h) = (r.top, r.height);
                let visible = r.layout.rows[top.min(r.layout.rows.len())..]
                    .iter()
                    .take(h)
                    .any(|row| row.file() == Some(file));
                return visible;
            }
            Output::Signer(r) => {
                let Some(d) = self.dialog_mut() else {
                    return false;
                };
                d.signer = Some(r);
            }
            Output::Signed(r) => {
                let msg = r.clone();
                let Some(d) = self.dialog_mut() else {
                    return false;
                };
                d.signed(r.map(|o| o.message));
                let id = d.change_id.clone();
                match msg {
                    Ok(o) => {
                        // The remarks went into the signed record.
                        self.drafts.remove(&id);
                        for v in &mut self.stack {
                            if let View::Review(r) = v
                                && r.subject.id == id
                            {
                                r.remarks.retain(|x| !x.draft);
                                r.relayout();
                            }
                        }
                        self.info(o.message);
                        self.queue.loading = true;
                        self.requests.push(Request::LoadQueue);
                    }
                    Err(e) => self.error(e),
                }
            }
            Output::Interdiff { token, result } => {
                let Some(r) = self.review_mut(token) else {
                    return false;
                };
                match result {
                    Ok(Some(view)) => {
                        r.interdiff = Some(view.since);
                        r.unchanged_remarks = view.unchanged;
                        r.remarks = view
                            .remarks
                            .into_iter()
                            .map(|remark| super::remark_model::RemarkRow {
                                remark,
                                draft: false,
                            })
                            .collect();
                        let empty = view.diff.files.is_empty();
                        r.set_diff(Arc::new(view.diff));
                        if empty {
                            self.info("the patch is the one decided on: only its base moved");
                        }
                    }
                    Ok(None) => {
                        self.stack
                            .retain(|v| !matches!(v, View::Review(r) if r.token == token));
                        self.info(
                            "no verified decision on an earlier revision: nothing to compare",
                        );
                    }
                    Err(e) => {
                        r.error = Some(e.clone());
                        self.error(e);
                    }
                }
            }
            Output::Viewed { token, paths } => {
                let Some(r) = self.review_mut(token) else {
                    return false;
                };
                r.viewed = paths.into_iter().collect();
            }
            Output::Failed(e) => {
                self.queue.loading = false;
                self.error(crate::sanitize::escape_line(&e));
            }
            Output::Audit(r) => {
                let Some(a) = self.stack.iter_mut().find_map(|v| match v {
                    View::Audit(a) => Some(a),
                    _ => None,
                }) else {
                    return false;
                };
                if let Err(e) = &r {
                    let e = e.clone();
                    a.set(r);
                    self.error(e);
                } else {
                    a.set(r);
                }
            }
        }
        true
    }

    /// The review on top, if any (for tests and benchmarks).
    pub fn review(&self) -> Option<&ReviewModel> {
        match self.stack.last() {
            Some(View::Review(r)) => Some(r),
            _ => None,
        }
    }

    /// Sets the highlights of a review (benchmarks).
    pub fn insert_highlight(
        &mut self,
        token: u64,
        file: usize,
        hunks: Arc<Vec<Vec<super::hl::LineHighlight>>>,
    ) {
        if let Some(r) = self.review_mut(token) {
            r.highlights.insert(file, hunks);
        }
    }
}

/// What a review shows of the queue row it was opened from.
fn row_subject(row: &super::backend::QueueRow) -> Subject {
    let (e, c) = (&row.entry, &row.entry.change);
    Subject {
        id: c.id.clone(),
        title: c.title.clone(),
        author: c.author.clone(),
        tool: c.tool.clone(),
        base: c.base.clone(),
        head: c.head.clone(),
        level: e.risk.level.clone(),
        score: e.risk.score,
        change: Some(Box::new(c.clone())),
        as_reviewed: None,
        state: Some((e.state.clone(), row.approvals)),
    }
}
