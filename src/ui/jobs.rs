//! Background jobs: what the model asks for ([`Request`]), what comes back
//! ([`Output`]) and how a request is carried out ([`execute`], blocking, shared by
//! the tokio runner and the synchronous test harness). Each kind of job has one
//! slot: a newer request replaces a pending one and results of superseded
//! requests are dropped (see `runner`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::change::Change;
use crate::diff::Diff;

use super::backend::{
    AuditRow, Backend, InterdiffView, QueueEvent, RiskView, SignOutcome, SignRequest, SignerInfo,
};
use super::hl::{Highlighter, LineHighlight};

/// Work the model wants done off the UI thread.
#[derive(Debug, Clone)]
pub enum Request {
    LoadQueue,
    /// The diff of a review (token names the review).
    LoadDiff {
        token: u64,
        base: String,
        head: String,
    },
    Risk {
        token: u64,
        change: Box<Change>,
        diff: Arc<Diff>,
    },
    /// Highlight the files of a diff, in the given order.
    Highlight {
        token: u64,
        diff: Arc<Diff>,
        order: Vec<usize>,
    },
    Signer {
        change_id: String,
    },
    Sign(SignRequest),
    Audit,
    /// The interdiff since the revision last decided on (token names the review).
    Interdiff {
        token: u64,
        change: Box<Change>,
    },
    /// The files marked viewed for a head.
    LoadViewed {
        token: u64,
        head: String,
    },
    /// Keep the files marked viewed for a head.
    SaveViewed {
        head: String,
        paths: Vec<String>,
    },
}

/// The slot a request occupies: one running job per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobKind {
    Queue,
    Diff,
    Risk,
    Highlight,
    Signer,
    Sign,
    Audit,
    Interdiff,
    Viewed,
    SaveViewed,
}

impl Request {
    pub fn kind(&self) -> JobKind {
        match self {
            Request::LoadQueue => JobKind::Queue,
            Request::LoadDiff { .. } => JobKind::Diff,
            Request::Risk { .. } => JobKind::Risk,
            Request::Highlight { .. } => JobKind::Highlight,
            Request::Signer { .. } => JobKind::Signer,
            Request::Sign(_) => JobKind::Sign,
            Request::Audit => JobKind::Audit,
            Request::Interdiff { .. } => JobKind::Interdiff,
            Request::LoadViewed { .. } => JobKind::Viewed,
            Request::SaveViewed { .. } => JobKind::SaveViewed,
        }
    }
}

/// Results, reported to the model.
#[derive(Debug, Clone)]
pub enum Output {
    Queue(QueueEvent),
    QueueDone(Result<(), String>),
    Diff {
        token: u64,
        result: Result<Arc<Diff>, String>,
    },
    Risk {
        token: u64,
        result: Result<RiskView, String>,
    },
    Highlight {
        token: u64,
        file: usize,
        hunks: Arc<Vec<Vec<LineHighlight>>>,
    },
    Signer(Result<SignerInfo, String>),
    Signed(Result<SignOutcome, String>),
    Audit(Result<Vec<AuditRow>, String>),
    Interdiff {
        token: u64,
        result: Result<Option<InterdiffView>, String>,
    },
    Viewed {
        token: u64,
        paths: Vec<String>,
    },
    /// A job failed unexpectedly (a bug): shown in the status line.
    Failed(String),
}

fn err(e: anyhow::Error) -> String {
    crate::sanitize::escape_line(&format!("{e:#}").replace('\n', " "))
}

/// Files above this many lines are highlighted hunk by hunk is still one call;
/// files above this size are left plain (the UI says so).
pub const HIGHLIGHT_MAX_LINES: usize = 200_000;

/// Carries out a request, blocking; reports through `emit`. `cancel` is set when
/// a newer request of the same kind replaced this one.
pub fn execute(
    request: Request,
    backend: &dyn Backend,
    highlighter: &Highlighter,
    cancel: &AtomicBool,
    emit: &mut dyn FnMut(Output),
) {
    match request {
        Request::LoadQueue => {
            let r = backend.load_queue(&mut |ev| {
                if !cancel.load(Ordering::Relaxed) {
                    emit(Output::Queue(ev))
                }
            });
            emit(Output::QueueDone(r.map_err(err)));
        }
        Request::LoadDiff { token, base, head } => {
            let result = backend.load_diff(&base, &head).map(Arc::new).map_err(err);
            emit(Output::Diff { token, result });
        }
        Request::Risk {
            token,
            change,
            diff,
        } => {
            let result = backend.risk(&change, &diff).map_err(err);
            emit(Output::Risk { token, result });
        }
        Request::Highlight { token, diff, order } => {
            for file in order {
                if cancel.load(Ordering::Relaxed) {
                    return;
                }
                let Some(f) = diff.files.get(file) else {
                    continue;
                };
                let lines: usize = f.hunks.iter().map(|h| h.lines.len()).sum();
                if f.binary || lines > HIGHLIGHT_MAX_LINES {
                    continue;
                }
                let hunks = Arc::new(highlighter.highlight_file(f));
                emit(Output::Highlight { token, file, hunks });
            }
        }
        Request::Signer { change_id } => {
            emit(Output::Signer(backend.signer(&change_id).map_err(err)))
        }
        Request::Sign(req) => emit(Output::Signed(backend.sign(&req).map_err(err))),
        Request::Audit => emit(Output::Audit(backend.audit().map_err(err))),
        Request::Interdiff { token, change } => {
            let result = backend.interdiff(&change).map_err(err);
            emit(Output::Interdiff { token, result });
        }
        Request::LoadViewed { token, head } => {
            // Nothing kept (or unreadable) is nothing viewed yet.
            let paths = backend.viewed(&head).unwrap_or_default();
            emit(Output::Viewed { token, paths });
        }
        Request::SaveViewed { head, paths } => {
            if let Err(e) = backend.save_viewed(&head, &paths) {
                emit(Output::Failed(format!(
                    "could not keep the viewed files: {}",
                    err(e)
                )));
            }
        }
    }
}

/// A job to start: the request, its generation and its cancel flag.
pub struct Start {
    pub request: Request,
    pub generation: u64,
    pub cancel: std::sync::Arc<AtomicBool>,
}

#[derive(Default)]
struct Slot {
    generation: u64,
    running: Option<std::sync::Arc<AtomicBool>>,
    pending: Option<Request>,
}

/// One slot per kind of job (as gitui's async jobs): at most one runs; a newer
/// request replaces a pending one and tells the running one to stop; results
/// of any but the newest request are stale.
#[derive(Default)]
pub struct Slots {
    slots: std::collections::HashMap<JobKind, Slot>,
}

impl Slots {
    /// Takes a request; returns it to start now, or `None` when it waits.
    pub fn submit(&mut self, request: Request) -> Option<Start> {
        let kind = request.kind();
        let slot = self.slots.entry(kind).or_default();
        slot.generation += 1;
        if let Some(cancel) = &slot.running {
            // Signing is never interrupted.
            if kind != JobKind::Sign {
                cancel.store(true, Ordering::Relaxed);
            }
            slot.pending = Some(request);
            return None;
        }
        Some(Self::start(slot, request))
    }

    fn start(slot: &mut Slot, request: Request) -> Start {
        let cancel = std::sync::Arc::new(AtomicBool::new(false));
        slot.running = Some(cancel.clone());
        Start {
            request,
            generation: slot.generation,
            cancel,
        }
    }

    /// True when a result of `generation` is from the newest request.
    pub fn current(&self, kind: JobKind, generation: u64) -> bool {
        self.slots
            .get(&kind)
            .is_some_and(|s| s.generation == generation)
    }

    /// A job ended; returns the waiting request to start, if any.
    pub fn finished(&mut self, kind: JobKind) -> Option<Start> {
        let slot = self.slots.entry(kind).or_default();
        slot.running = None;
        let next = slot.pending.take()?;
        Some(Self::start(slot, next))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latest_request_wins_and_old_results_are_stale() {
        let mut s = Slots::default();
        let first = s.submit(Request::LoadQueue).expect("starts at once");
        assert!(s.submit(Request::LoadQueue).is_none(), "waits");
        assert!(
            s.submit(Request::LoadQueue).is_none(),
            "replaces the waiting one"
        );
        assert!(
            first.cancel.load(Ordering::Relaxed),
            "the running one is told to stop"
        );
        assert!(!s.current(JobKind::Queue, first.generation));
        let next = s.finished(JobKind::Queue).expect("the newest starts");
        assert!(s.current(JobKind::Queue, next.generation));
        assert!(s.finished(JobKind::Queue).is_none(), "only one was waiting");
        // Other kinds are independent.
        assert!(s.submit(Request::Audit).is_some());
    }
}
