//! Drawing the review screen: the summary at the top (risk, blast radius), the
//! files with badges on the left, the diff on the right (unified or side by side,
//! line numbers, syntax colours, changed words, findings in the gutter and under
//! their line). Only the visible rows are drawn.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::diff::{DiffLine, FileDiff, LineKind};

use super::backend::Severity;
use super::diff_rows::{Note, Row};
use super::hl::LineHighlight;
use super::queue_view::{level_label, spinner};
use super::review_model::ReviewModel;
use super::style::{Styles, severity_glyph};
use super::text::{SpanBuilder, clean, clean_fit};

pub fn draw(f: &mut Frame, area: Rect, r: &mut ReviewModel, st: &Styles, tick: u64) {
    let searching = r.search.is_some();
    // The finding under the cursor, in full, in a panel below the diff.
    // (on a finding's row, or on a line that carries findings: the worst).
    let detail = match r.layout.rows.get(r.cursor) {
        Some(Row::Finding { finding, .. }) => r.findings().get(*finding).cloned(),
        Some(row) => r.findings_on(*row).into_iter().next().cloned(),
        None => None,
    };
    let remark_h = if r.remark_input.is_some() { 5 } else { 0 };
    let [head, body, panel, remark_area, search] = Layout::vertical([
        Constraint::Length(if r.risk.as_ref().is_some_and(|k| k.blast.is_some()) {
            3
        } else {
            2
        }),
        Constraint::Fill(1),
        Constraint::Length(if detail.is_some() { 3 } else { 0 }),
        Constraint::Length(remark_h),
        Constraint::Length(u16::from(searching)),
    ])
    .areas(area);
    if let Some(fi) = &detail {
        let line = Line::from(vec![
            Span::styled(
                format!("{} {} ", severity_glyph(fi.severity), fi.severity.as_str()),
                st.severity(fi.severity),
            ),
            Span::styled(clean(&fi.rule), st.severity(fi.severity)),
            Span::styled(
                format!(
                    " {}{}: ",
                    clean(&fi.path),
                    fi.line.map_or(String::new(), |n| format!(":{n}"))
                ),
                st.muted,
            ),
            Span::styled(clean(&fi.message), st.text),
        ]);
        f.render_widget(
            Paragraph::new(line)
                .wrap(ratatui::widgets::Wrap { trim: true })
                .block(Block::new().borders(Borders::TOP).border_style(st.muted)),
            panel,
        );
    }
    draw_header(f, head, r, st, tick);
    if let Some(input) = r.remark_input.as_mut() {
        let title = format!(
            " remark on {}:{}{} ",
            clean_fit(&input.path, 40),
            if input.side == crate::decision::RemarkSide::Old {
                "old:"
            } else {
                ""
            },
            input.line
        );
        let status = match &input.error {
            Some(e) => Span::styled(format!(" {} ", clean(e)), st.error),
            None => Span::styled(
                " Enter saves · Alt-Enter new line · Esc cancels · empty removes ",
                st.muted,
            ),
        };
        input.text.set_block(
            Block::new()
                .borders(Borders::ALL)
                .border_style(st.accent)
                .title(Span::styled(title, st.accent))
                .title_bottom(status),
        );
        input.text.set_cursor_line_style(Style::new());
        f.render_widget(&input.text, remark_area);
    }

    if let Some(e) = &r.error {
        f.render_widget(
            Paragraph::new(Line::styled(
                format!(" could not load the diff: {e}"),
                st.error,
            )),
            body,
        );
        return;
    }
    let Some(diff) = r.diff.clone() else {
        f.render_widget(
            Paragraph::new(Line::styled(
                format!(" {} loading the diff…", spinner(tick)),
                st.muted,
            )),
            body,
        );
        return;
    };
    let files_w = (body.width / 4).clamp(20, 42);
    let [files, sep, diff_area] = Layout::horizontal([
        Constraint::Length(files_w),
        Constraint::Length(1),
        Constraint::Fill(1),
    ])
    .areas(body);
    draw_files(f, files, r, &diff.files, st);
    f.render_widget(
        Block::new().borders(Borders::LEFT).border_style(st.muted),
        sep,
    );
    r.height = diff_area.height.max(1) as usize;
    r.top = super::nav::keep_visible(r.top, r.cursor, r.height);
    draw_diff(f, diff_area, r, &diff.files, st);

    if let Some(s) = &r.search {
        let cursor = if s.editing { "▏" } else { "" };
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(" / ", st.accent),
                Span::styled(format!("{}{cursor}", clean(&s.input.text)), st.text),
                Span::styled(format!("   {} matches", s.matches.len()), st.muted),
            ])),
            search,
        );
    }
}

fn draw_header(f: &mut Frame, area: Rect, r: &ReviewModel, st: &Styles, tick: u64) {
    let (level, score) = match &r.risk {
        Some(k) => (k.level.clone(), k.score),
        None => (r.subject.level.clone(), r.subject.score),
    };
    let mut first = vec![
        Span::styled(
            format!(" {} {score} ", level_label(&level)),
            st.level(&level).add_modifier(Modifier::REVERSED),
        ),
        Span::raw(" "),
        Span::styled(clean(&r.subject.id), st.accent),
        Span::raw("  "),
        Span::styled(
            clean_fit(&r.subject.title, 60),
            st.text.add_modifier(Modifier::BOLD),
        ),
    ];
    if !r.subject.author.is_empty() {
        first.push(Span::styled(
            format!(
                "  by {}",
                clean_fit(r.subject.author.split(" <").next().unwrap_or(""), 30)
            ),
            st.muted,
        ));
    }
    if !r.subject.tool.is_empty() {
        first.push(Span::styled(
            format!(" · {}", clean_fit(&r.subject.tool, 16)),
            st.muted,
        ));
    }
    first.push(Span::styled(
        if r.split {
            "  [side by side]"
        } else {
            "  [unified]"
        },
        st.muted,
    ));
    if let Some(since) = &r.interdiff {
        first.push(Span::styled(
            format!("  [interdiff {}]", clean(since)),
            st.accent,
        ));
    }
    let mut second = vec![Span::raw(" ")];
    let mut third: Vec<Span> = Vec::new();
    if let Some(a) = &r.subject.as_reviewed {
        second.push(Span::styled(format!("{} · ", clean(a)), st.accent));
    }
    if let Some((state, approvals)) = &r.subject.state {
        let text = match approvals {
            Some((have, need)) => format!("{} {have}/{need} approvals · ", clean(state)),
            None => format!("{} · ", clean(state)),
        };
        second.push(Span::styled(text, st.text));
    }
    if r.diff.is_some() && r.interdiff.is_none() && r.subject.change.is_some() {
        let (seen, all) = r.viewed_progress();
        second.push(Span::styled(
            format!("{seen} of {all} files viewed · "),
            if seen == all { st.low } else { st.text },
        ));
    }
    if r.unchanged_remarks > 0 {
        second.push(Span::styled(
            format!(
                "{} earlier remark(s) on lines not changed since · ",
                r.unchanged_remarks
            ),
            st.muted,
        ));
    }
    if let Some(d) = &r.diff {
        second.push(Span::styled(format!("{} files  ", d.files.len()), st.muted));
        second.push(Span::styled(format!("+{}", d.additions()), st.low));
        second.push(Span::styled(format!(" −{}  ", d.deletions()), st.critical));
    }
    match (&r.risk, &r.risk_note) {
        (Some(k), _) => {
            let mut counts = [0usize; 4];
            for fi in &k.findings {
                counts[fi.severity as usize] += 1;
            }
            second.push(Span::styled(
                format!("{} findings ", k.findings.len()),
                st.text,
            ));
            for s in [
                Severity::Critical,
                Severity::High,
                Severity::Medium,
                Severity::Low,
            ] {
                if counts[s as usize] > 0 {
                    second.push(Span::styled(
                        format!("{}{} ", severity_glyph(s), counts[s as usize]),
                        st.severity(s),
                    ));
                }
            }
            if let Some(b) = &k.blast {
                third.push(Span::styled(" blast radius: ", st.muted));
                third.push(Span::styled(clean(b), st.text));
            }
        }
        (None, Some(note)) => {
            let prefix = if note.ends_with('…') {
                format!("{} ", spinner(tick))
            } else {
                String::new()
            };
            second.push(Span::styled(format!("{prefix}{}", clean(note)), st.muted));
        }
        (None, None) => {}
    }
    f.render_widget(
        Paragraph::new(vec![
            Line::from(first),
            Line::from(second),
            Line::from(third),
        ]),
        area,
    );
}

fn draw_files(f: &mut Frame, area: Rect, r: &ReviewModel, files: &[FileDiff], st: &Styles) {
    let h = area.height as usize;
    let current = r.current_file().unwrap_or(0);
    let sel = if r.focus_files { r.file_sel } else { current };
    let top = sel.saturating_sub(h.saturating_sub(1));
    let w = area.width as usize;
    let lines: Vec<Line> = files
        .iter()
        .enumerate()
        .skip(top)
        .take(h)
        .map(|(i, file)| {
            let badge = r.badges.get(i).cloned().unwrap_or_default();
            let mut spans = vec![match badge.worst {
                Some(s) => Span::styled(severity_glyph(s), st.severity(s)),
                None => Span::raw(" "),
            }];
            spans.push(if badge.hidden_text {
                Span::styled("!", st.escape)
            } else if r.viewed.contains(file.display_path()) {
                Span::styled("✓", st.low)
            } else {
                Span::raw(" ")
            });
            spans.push(Span::styled(format!("{} ", file.status.letter()), st.muted));
            let stat = if file.binary {
                "bin".to_string()
            } else {
                format!("+{} −{}", file.additions, file.deletions)
            };
            let name_w = w.saturating_sub(4 + stat.len() + 1);
            let name = clean_fit(&short_path(file.display_path(), name_w), name_w);
            let pad = name_w.saturating_sub(unicode_width::UnicodeWidthStr::width(name.as_str()));
            let mut name_style = st.text;
            if r.collapsed.contains(&i) {
                name_style = st.muted;
            }
            spans.push(Span::styled(name, name_style));
            spans.push(Span::raw(" ".repeat(pad + 1)));
            spans.push(Span::styled(stat, st.muted));
            let line = Line::from(spans);
            if i == sel {
                let s = if r.focus_files {
                    st.selection.add_modifier(Modifier::REVERSED)
                } else {
                    st.selection
                };
                line.style(s)
            } else {
                line
            }
        })
        .collect();
    f.render_widget(Paragraph::new(lines), area);
}

/// Shortens a path from the left so its file name stays visible.
fn short_path(p: &str, width: usize) -> String {
    let n = p.chars().count();
    if n <= width || width < 4 {
        return p.to_string();
    }
    let tail: String = p.chars().skip(n - (width - 1)).collect();
    format!("…{tail}")
}

fn digits(n: u32) -> usize {
    n.max(1).ilog10() as usize + 1
}

fn draw_diff(f: &mut Frame, area: Rect, r: &ReviewModel, files: &[FileDiff], st: &Styles) {
    let width = area.width as usize;
    let end = (r.top + r.height).min(r.layout.rows.len());
    let mut lines = Vec::with_capacity(r.height);
    for idx in r.top..end {
        let row = r.layout.rows[idx];
        let cursor = idx == r.cursor;
        let matched = r
            .search
            .as_ref()
            .is_some_and(|s| s.matches.binary_search(&idx).is_ok());
        lines.push(draw_row(r, files, row, width, cursor, matched, st));
    }
    f.render_widget(Paragraph::new(lines), area);
}

fn file_number_width(file: &FileDiff) -> usize {
    let max = file
        .hunks
        .iter()
        .map(|h| (h.old_start + h.old_lines).max(h.new_start + h.new_lines))
        .max()
        .unwrap_or(1);
    digits(max).max(3)
}

fn human_size(n: u64) -> String {
    match n {
        0..1024 => format!("{n} B"),
        1024..1_048_576 => format!("{:.1} KiB", n as f64 / 1024.0),
        _ => format!("{:.1} MiB", n as f64 / 1_048_576.0),
    }
}

fn draw_row(
    r: &ReviewModel,
    files: &[FileDiff],
    row: Row,
    width: usize,
    cursor: bool,
    matched: bool,
    st: &Styles,
) -> Line<'static> {
    let cursor_style = |s: Style| {
        if cursor {
            s.bg(st.cursor_bg).add_modifier(Modifier::BOLD)
        } else {
            s
        }
    };
    match row {
        Row::Spacer => Line::raw(""),
        Row::FileHeader { file } => {
            let fd = &files[file];
            let mut b = SpanBuilder::new(0, width);
            b.raw(
                if cursor { "▶ " } else { "━ " },
                cursor_style(st.file_header),
            );
            b.raw(&format!("{} ", fd.status.letter()), st.file_header);
            b.untrusted(fd.display_path(), st.file_header, st.escape);
            if let (Some(old), true) = (
                &fd.path.minus,
                fd.path.minus != fd.path.plus && fd.path.plus.is_some(),
            ) {
                b.raw(" ← ", st.muted);
                b.untrusted(old, st.muted, st.escape);
                if let Some(s) = fd.similarity {
                    b.raw(&format!(" ({s}%)"), st.muted);
                }
            }
            if fd.mode_changed() {
                b.raw(
                    &format!(
                        "  mode {:o} → {:o}",
                        fd.mode.minus.unwrap_or(0),
                        fd.mode.plus.unwrap_or(0)
                    ),
                    st.high,
                );
            }
            b.raw(&format!("  +{} −{}", fd.additions, fd.deletions), st.muted);
            if r.badges.get(file).is_some_and(|b| b.hidden_text) {
                b.raw("  ⚠ hidden characters (bidi or invisible)", st.escape);
            }
            b.raw(" ", st.file_header);
            b.fill(st.muted.add_modifier(Modifier::UNDERLINED));
            Line::from(b.spans)
        }
        Row::Note { file, note } => {
            let fd = &files[file];
            let lines: usize = fd.hunks.iter().map(|h| h.lines.len()).sum();
            let text = match note {
                Note::Binary => format!(
                    "binary file, {} → {}: not shown",
                    human_size(fd.size.minus),
                    human_size(fd.size.plus)
                ),
                Note::Huge => format!(
                    "huge file: {lines} diff lines, {}: not shown (press z to show it)",
                    human_size(fd.size.minus.max(fd.size.plus))
                ),
                Note::Collapsed => format!("collapsed: {lines} lines (press z to expand)"),
                Note::NoContent => {
                    if fd.mode_changed() {
                        "mode change only".to_string()
                    } else {
                        "no content change".to_string()
                    }
                }
            };
            Line::from(vec![
                Span::styled(if cursor { "▶ " } else { "  " }, cursor_style(st.muted)),
                Span::styled(text, st.muted.add_modifier(Modifier::ITALIC)),
            ])
        }
        Row::Hunk { file, hunk } => {
            let h = &files[file].hunks[hunk];
            let mut b = SpanBuilder::new(0, width);
            b.raw(
                if cursor { "▶ " } else { "  " },
                cursor_style(st.hunk_header),
            );
            b.raw(
                &format!(
                    "@@ -{},{} +{},{} @@",
                    h.old_start, h.old_lines, h.new_start, h.new_lines
                ),
                st.hunk_header,
            );
            if !h.section.trim().is_empty() {
                b.raw(" ", st.hunk_header);
                b.untrusted(
                    h.section.trim(),
                    st.hunk_header.add_modifier(Modifier::ITALIC),
                    st.escape,
                );
            }
            Line::from(b.spans)
        }
        Row::Remark { remark, file } => {
            let Some(rr) = r.remarks.get(remark) else {
                return Line::raw("");
            };
            let nw = file_number_width(&files[file]);
            let indent = if r.split { nw + 3 } else { 2 * nw + 4 };
            let mut b = SpanBuilder::new(0, width);
            b.raw(&" ".repeat(indent.saturating_sub(2)), Style::new());
            b.raw(if cursor { "▶ " } else { "└ " }, cursor_style(st.accent));
            b.raw(
                if rr.draft {
                    "✎ your remark: "
                } else {
                    "✎ earlier remark: "
                },
                st.accent.add_modifier(Modifier::BOLD),
            );
            let mut lines = rr.remark.text.lines();
            b.untrusted(lines.next().unwrap_or(""), st.text, st.escape);
            if lines.next().is_some() {
                b.raw(" …", st.muted);
            }
            Line::from(b.spans)
        }
        Row::Finding { finding, file } => {
            let Some(fi) = r.findings().get(finding) else {
                return Line::raw("");
            };
            let nw = file_number_width(&files[file]);
            let indent = if r.split { nw + 3 } else { 2 * nw + 4 };
            let mut b = SpanBuilder::new(0, width);
            b.raw(&" ".repeat(indent.saturating_sub(2)), Style::new());
            b.raw(
                if cursor { "▶ " } else { "└ " },
                cursor_style(st.severity(fi.severity)),
            );
            b.raw(
                &format!("{} {} ", severity_glyph(fi.severity), fi.severity.as_str()),
                st.severity(fi.severity),
            );
            b.untrusted(&fi.rule, st.severity(fi.severity), st.escape);
            b.raw(": ", st.muted);
            b.untrusted(
                &fi.message,
                st.text.add_modifier(Modifier::ITALIC),
                st.escape,
            );
            Line::from(b.spans)
        }
        Row::Line { file, hunk, line } => {
            let fd = &files[file];
            let nw = file_number_width(fd);
            let dl = &fd.hunks[hunk].lines[line as usize];
            let hl = highlight(r, file, hunk, line);
            let mut spans = Vec::new();
            let no = |n: Option<u32>| n.map_or(" ".repeat(nw), |n| format!("{n:>nw$}"));
            let ln = cursor_style(st.line_number);
            spans.push(Span::styled(
                format!("{} {}", no(dl.old_no), no(dl.new_no)),
                ln,
            ));
            let content_w = width.saturating_sub(2 * nw + 3);
            spans.extend(side(r, file, dl, hl, r.hscroll, content_w, matched, st));
            Line::from(spans)
        }
        Row::Pair {
            file,
            hunk,
            left,
            right,
        } => {
            let fd = &files[file];
            let nw = file_number_width(fd);
            let half = width.saturating_sub(1) / 2;
            let content_w = half.saturating_sub(nw + 2);
            let ln = cursor_style(st.line_number);
            let mut spans = Vec::new();
            for (i, side_line) in [left, right].into_iter().enumerate() {
                if i == 1 {
                    spans.push(Span::styled("│", st.muted));
                }
                match side_line {
                    Some(l) => {
                        let dl = &fd.hunks[hunk].lines[l as usize];
                        let n = if i == 0 { dl.old_no } else { dl.new_no };
                        spans.push(Span::styled(
                            n.map_or(" ".repeat(nw), |n| format!("{n:>nw$}")),
                            ln,
                        ));
                        let hl = highlight(r, file, hunk, l);
                        spans.extend(side(r, file, dl, hl, r.hscroll, content_w, matched, st));
                    }
                    None => {
                        spans.push(Span::styled(
                            " ".repeat(half.min(nw + 2 + content_w)),
                            st.muted,
                        ));
                    }
                }
            }
            Line::from(spans)
        }
    }
}

fn highlight(r: &ReviewModel, file: usize, hunk: usize, line: u32) -> Option<&LineHighlight> {
    match r.highlights.get(&file) {
        Some(h) => h.get(hunk).and_then(|h| h.get(line as usize)),
        None => r
            .partial
            .get(&(file, hunk))
            .and_then(|h| h.get(line as usize)),
    }
}

/// The marker column, sign and content of one diff line, `content_w` wide.
#[allow(clippy::too_many_arguments)]
fn side(
    r: &ReviewModel,
    file: usize,
    dl: &DiffLine,
    hl: Option<&LineHighlight>,
    hscroll: usize,
    content_w: usize,
    matched: bool,
    st: &Styles,
) -> Vec<Span<'static>> {
    let (sign, bg, emph) = match dl.kind {
        LineKind::Added => ("+", st.plus, st.plus_emph),
        LineKind::Removed => ("-", st.minus, st.minus_emph),
        LineKind::Context => (" ", Style::new(), Style::new()),
    };
    let mut b = SpanBuilder::new(hscroll, content_w);
    let query = r
        .search
        .as_ref()
        .map(|s| s.input.text.as_str())
        .filter(|_| matched);
    content_spans(&mut b, &dl.content, hl, bg.patch(st.text), emph, query, st);
    if dl.no_newline {
        b.raw(" ⏎̸ no newline at end", st.muted);
    }
    if dl.invalid_utf8 {
        b.raw(" (invalid UTF-8)", st.escape);
    }
    b.fill(bg);
    // The marker: the worst finding on this line, else a hidden-text flag, else
    // a search match.
    let worst = super::diff_rows::line_spot(file, dl).and_then(|s| r.worst_at(s));
    let remarked = super::diff_rows::line_spot(file, dl).is_some_and(|s| r.remark_at(s));
    let marker = match worst {
        Some(s) => Span::styled(severity_glyph(s), st.severity(s)),
        None if b.hazard => Span::styled("!", st.escape),
        None if remarked => Span::styled("✎", st.accent),
        None if matched => Span::styled("»", st.accent),
        None => Span::raw(" "),
    };
    let mut out = vec![
        marker,
        Span::styled(sign, bg.patch(st.text).add_modifier(Modifier::BOLD)),
    ];
    out.extend(b.spans);
    out
}

/// The content of a line: syntax colours from `hl`, changed words on `emph`,
/// matches of the search reversed.
fn content_spans(
    b: &mut SpanBuilder,
    content: &str,
    hl: Option<&LineHighlight>,
    base: Style,
    emph: Style,
    query: Option<&str>,
    st: &Styles,
) {
    let found = query.map(|q| search_ranges(content, q)).unwrap_or_default();
    let empty = LineHighlight::default();
    let hl = hl.unwrap_or(&empty);
    if hl.tokens.is_empty() && hl.emph.is_empty() && found.is_empty() {
        b.untrusted(content, base, st.escape);
        return;
    }
    let len = content.len();
    let mut cuts: Vec<usize> = vec![0, len];
    for t in &hl.tokens {
        cuts.push((t.start as usize).min(len));
        cuts.push((t.end as usize).min(len));
    }
    for (s, e) in hl.emph.iter().chain(found.iter()) {
        cuts.push((*s as usize).min(len));
        cuts.push((*e as usize).min(len));
    }
    cuts.retain(|c| content.is_char_boundary(*c));
    cuts.sort_unstable();
    cuts.dedup();
    let inside = |ranges: &[(u32, u32)], a: usize| {
        ranges
            .iter()
            .any(|(s, e)| (*s as usize) <= a && a < *e as usize)
    };
    for w in cuts.windows(2) {
        let (a, z) = (w[0], w[1]);
        let mut style = base;
        if let Some(t) = hl
            .tokens
            .iter()
            .find(|t| (t.start as usize) <= a && a < t.end as usize)
        {
            style = style.patch(st.token(&t.style));
        }
        if inside(&hl.emph, a) {
            style = style.patch(emph);
        }
        if inside(&found, a) {
            style = style.add_modifier(Modifier::REVERSED);
        }
        b.untrusted(&content[a..z], style, st.escape);
    }
}

/// Byte ranges of `query` in `content`, ignoring ASCII case.
fn search_ranges(content: &str, query: &str) -> Vec<(u32, u32)> {
    if query.is_empty() {
        return Vec::new();
    }
    let hay = content.to_ascii_lowercase();
    let needle = query.to_ascii_lowercase();
    hay.match_indices(&needle)
        .map(|(i, m)| (i as u32, (i + m.len()) as u32))
        .collect()
}
