//! Benchmarks of the review console (divan). Targets from issue 5:
//! - first frame of the queue with 2,000 pending changes: < 100 ms;
//! - opening a change of 100,000 changed lines to its first frame: < 100 ms;
//! - a keystroke to the next frame while scrolling that change: < 16 ms.
//!
//! Run: `cargo bench --bench tui`. Figures are in docs/tui-benchmarks.md.

use std::sync::Arc;

use countersign::change::{Change, ChangeSource};
use countersign::config::UserConfig;
use countersign::decision::{Remark, RemarkSide};
use countersign::diff::{Diff, DiffLine, FileDiff, FileStatus, Hunk, LineKind, MinusPlus};
use countersign::ui::app::App;
use countersign::ui::backend::{
    AuditRow, Backend, Identity, InterdiffView, QueueEvent, QueueRow, RiskView, SignOutcome,
    SignRequest, SignerInfo,
};
use countersign::ui::harness::Harness;
use countersign::ui::jobs::{Output, Request};
use countersign::ui::keys::{Input, Key, KeyCode};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn main() {
    divan::main();
}

const W: u16 = 120;
const H: u16 = 40;

/// A backend with synthetic data (no git): the benchmarks measure the UI.
struct Synthetic {
    changes: usize,
    diff: Arc<Diff>,
    /// The revision last decided on, for the interdiff (`diff` is the current one).
    earlier: Arc<Diff>,
}

fn change(i: usize) -> Change {
    Change {
        id: format!("c{i:07}"),
        title: format!("Change number {i}: refactor the payment gateway retry logic"),
        author: format!("Author {} <a{}@example.com>", i % 37, i % 37),
        author_email: format!("a{}@example.com", i % 37),
        committer_email: "ci@example.com".into(),
        tool: ["Claude", "Copilot", "Cursor", "Aider"][i % 4].into(),
        base: "0".repeat(40),
        head: format!("{i:040}"),
        target: "main".into(),
        source: ChangeSource::Submit,
        ref_name: format!("refs/countersign/pending/c{i:07}"),
        submitted_from: None,
        submitter: None,
        submitted_at: 1_700_000_000 + i as i64 * 60,
        authored_at: 1_700_000_000,
    }
}

impl Backend for Synthetic {
    fn identity(&self) -> Identity {
        Identity {
            repo: "bench".into(),
            reviewer: Some("sam@example.com".into()),
            key: None,
        }
    }
    fn load_queue(&self, emit: &mut dyn FnMut(QueueEvent)) -> anyhow::Result<()> {
        let rows = (0..self.changes)
            .map(|i| {
                let mut entry = countersign::queue::entry(
                    change(i),
                    Default::default(),
                    countersign::queue::size_risk(&Default::default()),
                );
                entry.additions = (i * 7 % 500) as u32;
                entry.deletions = (i * 3 % 200) as u32;
                entry.files = (i % 30) as u32 + 1;
                entry.risk.score = (i * 13 % 100) as u8;
                entry.risk.level = ["low", "medium", "high", "critical"][i % 4].into();
                QueueRow {
                    entry,
                    loaded: true,
                    approvals: Some((0, 1)),
                }
            })
            .collect();
        emit(QueueEvent::Listed(rows));
        Ok(())
    }
    fn load_diff(&self, _base: &str, _head: &str) -> anyhow::Result<Diff> {
        Ok((*self.diff).clone())
    }
    fn risk(&self, _c: &Change, _d: &Diff) -> anyhow::Result<RiskView> {
        anyhow::bail!("not in benchmarks")
    }
    fn signer(&self, _change_id: &str) -> anyhow::Result<SignerInfo> {
        anyhow::bail!("not in benchmarks")
    }
    fn sign(&self, _r: &SignRequest) -> anyhow::Result<SignOutcome> {
        anyhow::bail!("not in benchmarks")
    }
    fn audit(&self) -> anyhow::Result<Vec<AuditRow>> {
        Ok(Vec::new())
    }
    fn interdiff(&self, _c: &Change) -> anyhow::Result<Option<InterdiffView>> {
        let remarks = vec![Remark {
            path: "src/module_0.rs".into(),
            side: RemarkSide::New,
            line: 1001,
            text: "use the helper".into(),
        }];
        let i = countersign::interdiff::interdiff(&self.earlier, &self.diff, &remarks);
        Ok(Some(InterdiffView {
            diff: i.diff,
            since: "since 0000000000 (reject by sam@example.com)".into(),
            remarks: i.placed,
            unchanged: i.unchanged.len(),
        }))
    }
}

/// A diff of `files` new Rust files with `lines` lines each.
fn big_diff(files: usize, lines: usize) -> Diff {
    let mut out = Diff::default();
    for f in 0..files {
        let hunk_lines: Vec<DiffLine> = (0..lines)
            .map(|i| DiffLine {
                kind: if i % 5 == 0 {
                    LineKind::Context
                } else if i % 5 == 1 {
                    LineKind::Removed
                } else {
                    LineKind::Added
                },
                old_no: Some(i as u32 + 1),
                new_no: Some(i as u32 + 1),
                content: format!(
                    "    let value_{i} = compute(\"{f}\", {i}) * factor; // a comment with words"
                ),
                no_newline: false,
                invalid_utf8: false,
            })
            .collect();
        out.files.push(FileDiff {
            path: MinusPlus::new(
                Some(format!("src/module_{f}.rs")),
                Some(format!("src/module_{f}.rs")),
            ),
            status: FileStatus::Modified,
            mode: MinusPlus::new(Some(0o100644), Some(0o100644)),
            blob: MinusPlus::new("a".repeat(40), "b".repeat(40)),
            similarity: None,
            binary: false,
            size: MinusPlus::new(lines as u64 * 70, lines as u64 * 70),
            additions: (lines * 3 / 5) as u32,
            deletions: (lines / 5) as u32,
            hunks: vec![Hunk {
                old_start: 1,
                old_lines: lines as u32,
                new_start: 1,
                new_lines: lines as u32,
                section: "impl Module".into(),
                lines: hunk_lines,
            }],
        });
    }
    out
}

fn harness(changes: usize, diff: Arc<Diff>) -> Harness {
    let backend = Arc::new(Synthetic {
        changes,
        earlier: diff.clone(),
        diff,
    });
    Harness::new(backend, &UserConfig::default(), W, H, 1_800_000_000)
}

/// The very first frame: drawn before any data arrives.
#[divan::bench]
fn queue_first_frame_empty(b: divan::Bencher) {
    b.bench_local(|| {
        let mut h = harness(0, Arc::new(Diff::default()));
        h.draw();
    });
}

/// 2,000 changes arrive and the queue is drawn (sort, counts, table).
#[divan::bench]
fn queue_2000_changes_to_frame(b: divan::Bencher) {
    let h = harness(2000, Arc::new(Diff::default()));
    let mut rows = Vec::new();
    h.backend
        .load_queue(&mut |e| rows.push(e))
        .expect("synthetic queue");
    b.with_inputs(|| {
        let mut app = h.app.clone();
        app.take_requests();
        (
            app,
            Terminal::new(TestBackend::new(W, H)).unwrap(),
            rows.clone(),
        )
    })
    .bench_local_values(|(mut app, mut term, rows)| {
        for e in rows {
            app.apply(Output::Queue(e));
        }
        app.apply(Output::QueueDone(Ok(())));
        term.draw(|f| countersign::ui::view::draw(f, &mut app, &h.styles))
            .unwrap();
        app
    });
}

/// Fuzzy filter over 2,000 changes: one keystroke to the frame.
#[divan::bench]
fn queue_2000_filter_keystroke(b: divan::Bencher) {
    let mut h = harness(2000, Arc::new(Diff::default()));
    h.settle();
    h.press("/");
    let mut term = Terminal::new(TestBackend::new(W, H)).unwrap();
    let mut n = 0;
    b.bench_local(|| {
        // Type and erase, so the query stays short.
        let k = if n % 2 == 0 {
            Key::char('a')
        } else {
            Key::plain(KeyCode::Backspace)
        };
        n += 1;
        h.app.handle(Input::Key(k));
        term.draw(|f| countersign::ui::view::draw(f, &mut h.app, &h.styles))
            .unwrap();
    });
}

/// An app with the queue loaded and a review opened, waiting for its diff.
fn review_waiting(h: &mut Harness) -> (App, u64) {
    h.settle();
    h.app.handle(Input::Key(Key::plain(KeyCode::Enter)));
    let token = h
        .app
        .take_requests()
        .into_iter()
        .find_map(|r| match r {
            Request::LoadDiff { token, .. } => Some(token),
            _ => None,
        })
        .expect("a diff request");
    (h.app.clone(), token)
}

/// Opening a change of 100,000 lines (20 files × 5,000): the diff arrives, the
/// rows are laid out and the first frame is drawn (highlighting follows in the
/// background, visible file first).
#[divan::bench(args = [(20, 5000), (1, 100_000)])]
fn open_100k_line_change_to_first_frame(b: divan::Bencher, (files, lines): (usize, usize)) {
    let diff = Arc::new(big_diff(files, lines));
    let mut h = harness(10, diff.clone());
    let (app, token) = review_waiting(&mut h);
    b.with_inputs(|| (app.clone(), Terminal::new(TestBackend::new(W, H)).unwrap()))
        .bench_local_values(|(mut app, mut term)| {
            app.apply(Output::Diff {
                token,
                result: Ok(diff.clone()),
            });
            countersign::ui::visible_hl::prepare(&mut app, &h.highlighter);
            term.draw(|f| countersign::ui::view::draw(f, &mut app, &h.styles))
                .unwrap();
            app
        });
}

/// The agent amended every 1,000th line of that change: the revision decided
/// on and the current one.
fn amended(files: usize, lines: usize) -> (Diff, Diff) {
    let earlier = big_diff(files, lines);
    let mut now = earlier.clone();
    for f in &mut now.files {
        for (i, l) in f.hunks[0].lines.iter_mut().enumerate() {
            if i % 1000 == 2 {
                l.content.push_str(" + amended");
            }
        }
    }
    (earlier, now)
}

/// Re-review: `i` on a change of 100,000 lines whose agent amended 100 of
/// them. Measured from the request to the first frame: both revisions' patches
/// compared file by file (the interdiff), laid out with the earlier remark
/// beside its line, and drawn.
#[divan::bench(args = [(20, 5000), (1, 100_000)])]
fn open_100k_line_interdiff_to_first_frame(b: divan::Bencher, (files, lines): (usize, usize)) {
    let (earlier, now) = amended(files, lines);
    let backend = Arc::new(Synthetic {
        changes: 10,
        diff: Arc::new(now),
        earlier: Arc::new(earlier),
    });
    let mut h = Harness::new(backend.clone(), &UserConfig::default(), W, H, 1_800_000_000);
    h.settle();
    h.app.handle(Input::Key(Key::char('i')));
    let (token, change) = h
        .app
        .take_requests()
        .into_iter()
        .find_map(|r| match r {
            Request::Interdiff { token, change } => Some((token, change)),
            _ => None,
        })
        .expect("an interdiff request");
    let app = h.app.clone();
    b.with_inputs(|| (app.clone(), Terminal::new(TestBackend::new(W, H)).unwrap()))
        .bench_local_values(|(mut app, mut term)| {
            let result = backend.interdiff(&change).map_err(|e| e.to_string());
            app.apply(Output::Interdiff { token, result });
            countersign::ui::visible_hl::prepare(&mut app, &h.highlighter);
            term.draw(|f| countersign::ui::view::draw(f, &mut app, &h.styles))
                .unwrap();
            app
        });
}

/// Highlighting the first (visible) file of that change, off the UI thread:
/// how long until the plain first frame gets its colours.
#[divan::bench(args = [5000])]
fn highlight_visible_file(b: divan::Bencher, lines: usize) {
    let diff = big_diff(1, lines);
    let h = harness(0, Arc::new(Diff::default()));
    b.bench_local(|| h.highlighter.highlight_file(&diff.files[0]));
}

fn scrolling(b: divan::Bencher, key: Key) {
    let diff = Arc::new(big_diff(20, 5000));
    let mut h = harness(10, diff.clone());
    let (mut app, token) = review_waiting(&mut h);
    app.apply(Output::Diff {
        token,
        result: Ok(diff.clone()),
    });
    // The visible file is highlighted, as it is a moment after opening.
    app.insert_highlight(
        token,
        0,
        Arc::new(h.highlighter.highlight_file(&diff.files[0])),
    );
    let mut term = Terminal::new(TestBackend::new(W, H)).unwrap();
    term.draw(|f| countersign::ui::view::draw(f, &mut app, &h.styles))
        .unwrap();
    b.bench_local(|| {
        app.handle(Input::Key(key));
        app.take_requests();
        countersign::ui::visible_hl::prepare(&mut app, &h.highlighter);
        term.draw(|f| countersign::ui::view::draw(f, &mut app, &h.styles))
            .unwrap();
    });
}

/// One keystroke (`j`) to the next frame while scrolling the 100,000-line change.
#[divan::bench]
fn keystroke_to_frame_scroll_line(b: divan::Bencher) {
    scrolling(b, Key::char('j'));
}

/// Half a page (`Ctrl-d`) to the next frame.
#[divan::bench]
fn keystroke_to_frame_half_page(b: divan::Bencher) {
    scrolling(b, Key::ctrl('d'));
}

/// Toggling side by side (`t`) on the 100,000-line change: a full relayout.
#[divan::bench]
fn keystroke_to_frame_toggle_split(b: divan::Bencher) {
    scrolling(b, Key::char('t'));
}

/// A real repository with `n` pending changes (refs straight at head commits,
/// each one file changed), built with `git fast-import`.
fn real_repo(n: usize) -> tempfile::TempDir {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let st = Command::new("git")
            .current_dir(dir.path())
            .args(args)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .status()
            .unwrap();
        assert!(st.success());
    };
    git(&["init", "-q", "-b", "main"]);
    let mut s = String::new();
    let base = "fn main() {}\n".repeat(20);
    s.push_str(&format!(
        "commit refs/heads/main\nmark :1\ncommitter A <a@example.com> 1700000000 +0000\ndata 4\ninit\nM 644 inline src/lib.rs\ndata {}\n{base}\n",
        base.len()
    ));
    for i in 0..n {
        let content = format!("{base}fn change_{i}() {{ let x = {i}; }}\n");
        let msg = format!("Change {i}\n\nAssisted-by: Claude\n");
        s.push_str(&format!(
            "commit refs/countersign/pending/c{i:07}\ncommitter A <a@example.com> {} +0000\ndata {}\n{msg}from :1\nM 644 inline src/lib.rs\ndata {}\n{content}\n",
            1_700_000_100 + i,
            msg.len(),
            content.len()
        ));
    }
    let mut child = Command::new("git")
        .current_dir(dir.path())
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
    dir
}

/// The real backend on 2,000 pending changes: the whole load with statistics
/// (rows fill in as they come; the statistics cache is warm after the first
/// run, as on a second start).
#[divan::bench(sample_count = 10)]
fn queue_2000_real_git_full_load(b: divan::Bencher) {
    let dir = real_repo(2000);
    let backend =
        countersign::ui::backend::GitBackend::open(dir.path(), &UserConfig::default(), None)
            .unwrap();
    b.bench_local(|| {
        let mut rows = 0;
        backend
            .load_queue(&mut |e| {
                if let QueueEvent::Row(_) = e {
                    rows += 1;
                }
            })
            .unwrap();
        // Each row twice: with its statistics and risk, then with its decision state.
        assert_eq!(rows, 4000);
    });
}

/// Listing alone (what the first full table waits for).
#[divan::bench(sample_count = 10)]
fn queue_2000_real_git_listing_only(b: divan::Bencher) {
    let dir = real_repo(2000);
    let repo = countersign::git::Repo::open(Some(dir.path())).unwrap();
    let cfg = repo.load_config().unwrap();
    b.bench_local(|| {
        let changes = countersign::git::list_changes(&repo, &cfg).unwrap();
        assert_eq!(changes.len(), 2000);
    });
}
