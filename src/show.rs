//! Rendering a change as text for a pager or a CI log (`countersign show`): a
//! header, the findings, then the diff with line numbers, syntax colours and
//! changed-word emphasis (ANSI truecolor), or plain text without colour. Every
//! piece of untrusted text goes through `sanitize`.

use std::fmt::Write as _;

use rayon::prelude::*;

use crate::diff::{FileDiff, FileStatus, Hunk, LineKind};
use crate::highlight::{Highlighter, LineHighlight};
use crate::sanitize::{Piece, pieces};
use crate::theme::{Rgb, Theme};

/// A line of a diff line longer than this is cut, with a note of how much.
pub const MAX_SHOWN_LINE: usize = 10_000;

/// A finding to mark in the gutter beside its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GutterMark {
    pub path: String,
    /// Line number on the new side, or on the old side when `old_side`.
    pub line: u32,
    /// The line counts on the old side (a finding about a removed line).
    pub old_side: bool,
    pub severity: String,
    pub message: String,
}

/// How to render.
pub struct RenderOptions<'a> {
    pub color: bool,
    pub theme: &'a Theme,
    pub highlighter: Option<&'a Highlighter>,
    pub marks: &'a [GutterMark],
}

/// The colours of every file: per file, per hunk, per line.
pub type FileHighlights = Vec<Vec<Vec<LineHighlight>>>;

/// Highlights every hunk of `files` in parallel. Each hunk carries its own
/// parse state, so hunks are independent work items and a large file does
/// not keep one core busy alone.
pub fn highlight_files(files: &[FileDiff], highlighter: &Highlighter) -> FileHighlights {
    let jobs: Vec<(usize, usize)> = files
        .iter()
        .enumerate()
        .filter(|(_, f)| !f.binary)
        .flat_map(|(fi, f)| (0..f.hunks.len()).map(move |hi| (fi, hi)))
        .collect();
    let mut highlighted: Vec<Vec<LineHighlight>> = jobs
        .par_iter()
        .with_min_len(4)
        .map(|&(fi, hi)| highlighter.highlight_hunk(&files[fi], &files[fi].hunks[hi]))
        .collect();
    let mut per_file: FileHighlights = vec![Vec::new(); files.len()];
    for (&(fi, _), h) in jobs.iter().zip(highlighted.drain(..)) {
        per_file[fi].push(h);
    }
    per_file
}

/// Renders the files of a diff: highlighted (when colouring) in parallel,
/// then rendered in parallel and joined in order.
pub fn render_files(files: &[FileDiff], opts: &RenderOptions<'_>) -> String {
    let highlights = match opts.highlighter.filter(|_| opts.color) {
        Some(h) => highlight_files(files, h),
        None => Vec::new(),
    };
    render_highlighted(files, &highlights, opts)
}

/// Renders files whose colours are already known (`highlights` may be empty
/// for plain output).
pub fn render_highlighted(
    files: &[FileDiff],
    highlights: &FileHighlights,
    opts: &RenderOptions<'_>,
) -> String {
    let none: Vec<Vec<LineHighlight>> = Vec::new();
    let parts: Vec<String> = files
        .par_iter()
        .enumerate()
        .map(|(i, f)| {
            let mut out = String::new();
            render_file(&mut out, f, highlights.get(i).unwrap_or(&none), opts);
            out
        })
        .collect();
    parts.concat()
}

struct Painter<'a> {
    color: bool,
    p: &'a crate::theme::Palette,
}

impl Painter<'_> {
    fn fg(&self, out: &mut String, c: Rgb) {
        if self.color {
            let _ = write!(out, "\x1b[38;2;{};{};{}m", c.0, c.1, c.2);
        }
    }
    fn bg(&self, out: &mut String, c: Rgb) {
        if self.color {
            let _ = write!(out, "\x1b[48;2;{};{};{}m", c.0, c.1, c.2);
        }
    }
    fn bold(&self, out: &mut String) {
        if self.color {
            out.push_str("\x1b[1m");
        }
    }
    fn reset(&self, out: &mut String) {
        if self.color {
            out.push_str("\x1b[0m");
        }
    }
}

/// Writes sanitised text; escapes are drawn in the escape colours.
fn put_text(out: &mut String, text: &str, col: &mut usize, paint: &Painter<'_>, restore: &str) {
    pieces(text, col, |piece| match piece {
        Piece::Text(t) => out.push_str(t),
        Piece::Tab(n) => out.extend(std::iter::repeat_n(' ', n)),
        Piece::Escaped(v, _) => {
            if paint.color {
                paint.fg(out, paint.p.escape_fg);
                paint.bg(out, paint.p.escape_bg);
                out.push_str(&v);
                out.push_str("\x1b[0m");
                out.push_str(restore);
            } else {
                out.push_str(&v);
            }
        }
    });
}

fn file_title(f: &FileDiff) -> String {
    let old = f.path.minus.as_deref().unwrap_or("");
    let new = f.path.plus.as_deref().unwrap_or("");
    let mut t = match f.status {
        FileStatus::Renamed | FileStatus::Copied => format!("{old} → {new}"),
        _ => f.display_path().to_string(),
    };
    let mut notes = Vec::new();
    match f.status {
        FileStatus::Added => notes.push("new file".to_string()),
        FileStatus::Deleted => notes.push("deleted".to_string()),
        FileStatus::Renamed => {
            notes.push(format!("renamed, {}% similar", f.similarity.unwrap_or(0)))
        }
        FileStatus::Copied => notes.push("copied".to_string()),
        FileStatus::TypeChange => notes.push("type changed".to_string()),
        FileStatus::Modified => {}
    }
    if f.mode_changed() {
        notes.push(format!(
            "mode {:o} → {:o}",
            f.mode.minus.unwrap_or(0),
            f.mode.plus.unwrap_or(0)
        ));
    }
    if !notes.is_empty() {
        t.push_str(&format!(" ({})", notes.join(", ")));
    }
    t
}

/// Renders one file: its title bar, then each hunk.
pub fn render_file(
    out: &mut String,
    f: &FileDiff,
    hl: &[Vec<LineHighlight>],
    opts: &RenderOptions<'_>,
) {
    let paint = Painter {
        color: opts.color,
        p: &opts.theme.palette,
    };
    let rule = "─".repeat(72);
    paint.fg(out, paint.p.file_header);
    out.push_str(&rule);
    out.push('\n');
    paint.bold(out);
    let _ = write!(out, "{} ", f.status.letter());
    let mut col = 2;
    put_text(out, &file_title(f), &mut col, &paint, "");
    let _ = write!(out, "  +{} -{}", f.additions, f.deletions);
    paint.reset(out);
    out.push('\n');
    paint.fg(out, paint.p.file_header);
    out.push_str(&rule);
    paint.reset(out);
    out.push('\n');
    if f.binary {
        let sizes = match f.status {
            FileStatus::Added => format!("added, {} bytes", grouped(f.size.plus)),
            FileStatus::Deleted => format!("deleted, {} bytes", grouped(f.size.minus)),
            _ => format!("{} → {} bytes", grouped(f.size.minus), grouped(f.size.plus)),
        };
        let _ = writeln!(out, "  binary file, not shown ({sizes})");
        return;
    }
    if f.hunks.is_empty() && f.additions == 0 && f.deletions == 0 {
        out.push_str("  (no content change)\n");
    }
    let path = f.display_path();
    let marks: Vec<&GutterMark> = opts.marks.iter().filter(|m| m.path == path).collect();
    for (i, h) in f.hunks.iter().enumerate() {
        render_hunk(out, h, hl.get(i).map(Vec::as_slice), &marks, &paint);
    }
}

fn render_hunk(
    out: &mut String,
    h: &Hunk,
    hl: Option<&[LineHighlight]>,
    marks: &[&GutterMark],
    paint: &Painter<'_>,
) {
    paint.fg(out, paint.p.hunk_header);
    let _ = write!(
        out,
        "@@ -{},{} +{},{} @@",
        h.old_start, h.old_lines, h.new_start, h.new_lines
    );
    if !h.section.is_empty() {
        out.push(' ');
        let mut col = 0;
        put_text(out, &h.section, &mut col, paint, "");
    }
    paint.reset(out);
    out.push('\n');
    for (i, line) in h.lines.iter().enumerate() {
        let (sign, bg, emph_bg) = match line.kind {
            LineKind::Added => ('+', Some(paint.p.plus_bg), paint.p.plus_emph_bg),
            LineKind::Removed => ('-', Some(paint.p.minus_bg), paint.p.minus_emph_bg),
            LineKind::Context => (' ', None, paint.p.plus_emph_bg),
        };
        // Every finding on the line (the engine's and the analyzers'), worst first.
        let mut on_line: Vec<&&GutterMark> = marks
            .iter()
            .filter(|m| {
                let n = if m.old_side { line.old_no } else { line.new_no };
                Some(m.line) == n && (line.kind != LineKind::Context || !m.old_side)
            })
            .collect();
        on_line.sort_by_key(|m| std::cmp::Reverse(severity_rank(&m.severity)));
        let mark = on_line.first();
        // Gutter: old and new line numbers, then a finding marker.
        paint.fg(out, paint.p.line_number);
        let num = |n: Option<u32>| n.map_or_else(|| " ".repeat(5), |n| format!("{n:>5}"));
        let _ = write!(out, "{} {} ", num(line.old_no), num(line.new_no));
        match mark {
            Some(m) => {
                paint.fg(out, paint.p.level(&m.severity));
                paint.bold(out);
                out.push('▌');
                paint.reset(out);
            }
            None => out.push('│'),
        }
        paint.reset(out);
        let restore = bg.map(|c| ansi_bg(paint.color, c)).unwrap_or_default();
        out.push_str(&restore);
        out.push(sign);
        let text = cut(&line.content);
        let lh = hl.and_then(|v| v.get(i));
        render_content(out, text, lh, emph_bg, bg, paint);
        if text.len() < line.content.len() {
            let _ = write!(out, " … [{} more bytes]", line.content.len() - text.len());
        }
        paint.reset(out);
        if line.no_newline {
            paint.fg(out, paint.p.muted);
            out.push_str(" ⏎ no newline at end of file");
            paint.reset(out);
        }
        out.push('\n');
        for m in &on_line {
            paint.fg(out, paint.p.level(&m.severity));
            out.push_str("            └─ ");
            let mut col = 0;
            put_text(
                out,
                &format!("{}: {}", m.severity, m.message),
                &mut col,
                paint,
                "",
            );
            paint.reset(out);
            out.push('\n');
        }
    }
}

fn ansi_bg(color: bool, c: Rgb) -> String {
    if color {
        format!("\x1b[48;2;{};{};{}m", c.0, c.1, c.2)
    } else {
        String::new()
    }
}

fn severity_rank(s: &str) -> u8 {
    match s {
        "critical" => 4,
        "high" => 3,
        "medium" => 2,
        _ => 1,
    }
}

/// The first `MAX_SHOWN_LINE` bytes of a line, cut at a character boundary.
fn cut(s: &str) -> &str {
    if s.len() <= MAX_SHOWN_LINE {
        return s;
    }
    let mut end = MAX_SHOWN_LINE;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Writes a line's content in segments of constant style (syntax colour,
/// emphasis background), each sanitised; a colour sequence is written only
/// where the style changes.
fn render_content(
    out: &mut String,
    text: &str,
    lh: Option<&LineHighlight>,
    emph_bg: Rgb,
    line_bg: Option<Rgb>,
    paint: &Painter<'_>,
) {
    let mut col = 0usize;
    let Some(lh) = lh.filter(|_| paint.color) else {
        put_text(out, text, &mut col, paint, "");
        return;
    };
    let len = text.len() as u32;
    let (tokens, emph) = (&lh.tokens, &lh.emph);
    let (mut ti, mut ei, mut pos) = (0usize, 0usize, 0u32);
    // The line's background was written before the sign.
    let mut current: Option<(Option<Rgb>, Option<Rgb>)> = None;
    let mut restore = String::new();
    while pos < len {
        while tokens.get(ti).is_some_and(|t| t.end <= pos) {
            ti += 1;
        }
        while emph.get(ei).is_some_and(|e| e.1 <= pos) {
            ei += 1;
        }
        let mut end = len;
        let mut fg = None;
        if let Some(t) = tokens.get(ti) {
            if t.start <= pos {
                fg = Some(t.style.fg);
                end = end.min(t.end);
            } else {
                end = end.min(t.start);
            }
        }
        let mut bg = line_bg;
        if let Some(e) = emph.get(ei) {
            if e.0 <= pos {
                bg = Some(emph_bg);
                end = end.min(e.1);
            } else {
                end = end.min(e.0);
            }
        }
        while end < len && !text.is_char_boundary(end as usize) {
            end += 1;
        }
        if current != Some((fg, bg)) {
            restore.clear();
            match bg {
                Some(b) => {
                    let _ = write!(restore, "\x1b[48;2;{};{};{}m", b.0, b.1, b.2);
                }
                None => restore.push_str("\x1b[49m"),
            }
            if let Some(f) = fg {
                let _ = write!(restore, "\x1b[38;2;{};{};{}m", f.0, f.1, f.2);
            }
            out.push_str(&restore);
            current = Some((fg, bg));
        }
        put_text(
            out,
            &text[pos as usize..end as usize],
            &mut col,
            paint,
            &restore,
        );
        pos = end;
    }
}

/// A byte count with thousands separators (`77,803`), as a reader compares sizes.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
