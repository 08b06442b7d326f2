//! Memory for a change of 100,000 lines, opened and fully highlighted (issue 5:
//! under 200 MB). The measurement runs in a test process of its own (the
//! resident size of a process shared with other tests would count theirs).

use std::sync::Arc;

use countersign::diff::{Diff, DiffLine, FileDiff, FileStatus, Hunk, LineKind, MinusPlus};
use countersign::ui::jobs::{Output, Request};
use countersign::ui::keys::{Input, Key, KeyCode};

use crate::support::{Script, repo, scripted};

/// The resident set size of this process; a failure (not 0) when it cannot be
/// read, so the limit below is never checked against nothing.
fn rss_kib() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").expect("reading /proc/self/status");
    s.lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .expect("VmRSS in /proc/self/status")
}

#[test]
fn memory_of_a_100k_line_change_is_under_200_mib() {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "memory::measure_a_100k_line_change",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("fully highlighted"),
        "the measurement ran: {text}"
    );
    assert!(text.contains("1 passed"), "{text}");
}

fn big_diff(files: usize, lines: usize) -> Diff {
    let mut out = Diff::default();
    for f in 0..files {
        let hunk_lines = (0..lines)
            .map(|i| DiffLine {
                kind: [LineKind::Context, LineKind::Removed, LineKind::Added][i % 3],
                old_no: Some(i as u32 + 1),
                new_no: Some(i as u32 + 1),
                content: format!("    let value_{i} = compute(\"{f}\", {i}) * factor; // words"),
                no_newline: false,
                invalid_utf8: false,
            })
            .collect();
        out.files.push(FileDiff {
            path: MinusPlus::new(Some(format!("src/m{f}.rs")), Some(format!("src/m{f}.rs"))),
            status: FileStatus::Modified,
            mode: MinusPlus::new(Some(0o100644), Some(0o100644)),
            blob: MinusPlus::new("a".repeat(40), "b".repeat(40)),
            similarity: None,
            binary: false,
            size: MinusPlus::new(0, 0),
            additions: (lines / 3) as u32,
            deletions: (lines / 3) as u32,
            hunks: vec![Hunk {
                old_start: 1,
                old_lines: lines as u32,
                new_start: 1,
                new_lines: lines as u32,
                section: String::new(),
                lines: hunk_lines,
            }],
        });
    }
    out
}

#[test]
#[ignore = "run in a process of its own by memory_of_a_100k_line_change_is_under_200_mib"]
fn measure_a_100k_line_change() {
    let (r, _) = repo();
    let mut h = scripted(&r, Script::default(), 120, 40);
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
        .unwrap();
    let before = rss_kib();
    let diff = Arc::new(big_diff(20, 5000));
    h.app.apply(Output::Diff {
        token,
        result: Ok(diff.clone()),
    });
    h.draw();
    let opened = rss_kib();
    for f in 0..diff.files.len() {
        let hunks = Arc::new(h.highlighter.highlight_file(&diff.files[f]));
        h.app.apply(Output::Highlight {
            token,
            file: f,
            hunks,
        });
    }
    h.app.take_requests();
    h.draw();
    let highlighted = rss_kib();
    println!(
        "RSS before {} MiB, opened {} MiB, fully highlighted {} MiB (growth {} MiB)",
        before / 1024,
        opened / 1024,
        highlighted / 1024,
        highlighted.saturating_sub(before) / 1024
    );
    assert!(highlighted > 0 && opened > 0, "RSS was read");
    assert!(highlighted < 200 * 1024, "{highlighted} KiB");
}
