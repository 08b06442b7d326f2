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
    AuditRow, Backend, QueueEvent, RiskView, SignOutcome, SignRequest, SignerInfo,
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
    Signer,
    Sign(SignRequest),
    Audit,
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
}

impl Request {
    pub fn kind(&self) -> JobKind {
        match self {
            Request::LoadQueue => JobKind::Queue,
            Request::LoadDiff { .. } => JobKind::Diff,
            Request::Risk { .. } => JobKind::Risk,
            Request::Highlight { .. } => JobKind::Highlight,
            Request::Signer => JobKind::Signer,
            Request::Sign(_) => JobKind::Sign,
            Request::Audit => JobKind::Audit,
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
        Request::Signer => emit(Output::Signer(backend.signer().map_err(err))),
        Request::Sign(req) => emit(Output::Signed(backend.sign(&req).map_err(err))),
        Request::Audit => emit(Output::Audit(backend.audit().map_err(err))),
    }
}
