//! The tokio event loop: terminal input on a reader thread, background jobs on
//! the blocking pool (one slot per kind: a newer request replaces a pending one,
//! results of superseded requests are dropped), and a redraw only when the state
//! changed (or a spinner turns).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Result;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use super::app::App;
use super::backend::Backend;
use super::commands::Keymap;
use super::hl::{Highlighter, Theme};
use super::jobs::{JobKind, Output, Request, Slots, Start, execute};
use super::style::Styles;
use super::{terminal, view};
use crate::config::UserConfig;

/// A message from a job.
enum JobMsg {
    Out(JobKind, u64, Output),
    Finished(JobKind),
}

/// The job slots and what jobs need.
struct Jobs {
    backend: Arc<dyn Backend>,
    highlighter: Arc<Highlighter>,
    tx: UnboundedSender<JobMsg>,
    slots: Slots,
}

impl Jobs {
    fn submit(&mut self, req: Request) {
        if let Some(start) = self.slots.submit(req) {
            self.spawn(start);
        }
    }

    fn spawn(&self, start: Start) {
        let Start {
            request,
            generation,
            cancel,
        } = start;
        let kind = request.kind();
        let (backend, hl, tx) = (
            self.backend.clone(),
            self.highlighter.clone(),
            self.tx.clone(),
        );
        tokio::task::spawn_blocking(move || {
            let run = std::panic::AssertUnwindSafe(|| {
                execute(request, &*backend, &hl, &cancel, &mut |o| {
                    let _ = tx.send(JobMsg::Out(kind, generation, o));
                })
            });
            if let Err(panic) = std::panic::catch_unwind(run) {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown error".into());
                let _ = tx.send(JobMsg::Out(
                    kind,
                    generation,
                    Output::Failed(format!("{kind:?} job failed: {what}")),
                ));
            }
            let _ = tx.send(JobMsg::Finished(kind));
        });
    }

    fn finished(&mut self, kind: JobKind) {
        if let Some(start) = self.slots.finished(kind) {
            self.spawn(start);
        }
    }
}

/// Runs the console on the real terminal until the user quits.
pub fn run(backend: Arc<dyn Backend>, user: &UserConfig) -> Result<()> {
    let theme = Theme::load(user.theme.as_deref())?;
    let (keymap, warnings) = Keymap::new(&user.keys);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()?;
    let result = rt.block_on(event_loop(backend, theme, keymap, warnings));
    // Do not wait for background work (a big file's highlighting) on the way out.
    rt.shutdown_background();
    result
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

async fn event_loop(
    backend: Arc<dyn Backend>,
    theme: Theme,
    keymap: Keymap,
    warnings: Vec<String>,
) -> Result<()> {
    let styles = Styles::from_theme(&theme);
    let highlighter = Arc::new(Highlighter::new(&theme));
    let mut app = App::new(keymap, backend.identity(), warnings);
    let (job_tx, mut job_rx) = unbounded_channel();
    let mut jobs = Jobs {
        backend,
        highlighter,
        tx: job_tx,
        slots: Slots::default(),
    };

    let (mut term, _guard) = terminal::setup()?;
    let (in_tx, mut in_rx) = unbounded_channel();
    let stop = Arc::new(AtomicBool::new(false));
    let reader_stop = stop.clone();
    let reader = std::thread::spawn(move || {
        while !reader_stop.load(Ordering::Relaxed) {
            match crossterm::event::poll(Duration::from_millis(50)) {
                Ok(true) => match crossterm::event::read() {
                    Ok(ev) => {
                        if in_tx.send(ev).is_err() {
                            break;
                        }
                    }
                    Err(_) => break,
                },
                Ok(false) => {}
                Err(_) => break,
            }
        }
    });

    let mut ticker = tokio::time::interval(Duration::from_millis(100));
    let mut dirty = true;
    let result = loop {
        for r in app.take_requests() {
            jobs.submit(r);
        }
        if app.quit {
            break Ok(());
        }
        if dirty {
            app.now = now();
            super::visible_hl::prepare(&mut app, &jobs.highlighter);
            if let Err(e) = term.draw(|f| view::draw(f, &mut app, &styles)) {
                break Err(e.into());
            }
            dirty = false;
        }
        tokio::select! {
            ev = in_rx.recv() => {
                let Some(ev) = ev else { break Ok(()) };
                dirty |= on_event(&mut app, ev);
                // Take whatever else is queued before drawing again.
                while let Ok(ev) = in_rx.try_recv() {
                    dirty |= on_event(&mut app, ev);
                }
            }
            msg = job_rx.recv() => {
                let Some(msg) = msg else { continue };
                dirty |= on_job(&mut app, &mut jobs, msg);
                while let Ok(msg) = job_rx.try_recv() {
                    dirty |= on_job(&mut app, &mut jobs, msg);
                }
            }
            _ = ticker.tick(), if app.busy() => {
                app.tick += 1;
                dirty = true;
            }
        }
    };
    stop.store(true, Ordering::Relaxed);
    let _ = reader.join();
    drop(term);
    result
}

fn on_event(app: &mut App, ev: crossterm::event::Event) -> bool {
    if let crossterm::event::Event::Resize(..) = ev {
        return true;
    }
    match terminal::to_input(ev) {
        Some(i) => app.handle(i),
        None => false,
    }
}

fn on_job(app: &mut App, jobs: &mut Jobs, msg: JobMsg) -> bool {
    match msg {
        JobMsg::Out(kind, generation, out) => {
            // Highlights stay valid even when superseded (keyed by review and file).
            if jobs.slots.current(kind, generation) || kind == JobKind::Highlight {
                app.apply(out)
            } else {
                false
            }
        }
        JobMsg::Finished(kind) => {
            jobs.finished(kind);
            false
        }
    }
}
