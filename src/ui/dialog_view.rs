//! Drawing the decision dialog: the change, the key and principal, the stage's
//! field (id confirmation, comment, passphrase), the error or the result.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

use super::backend::Decision;
use super::commands::{Cmd, Keymap, Screen};
use super::dialog::{DialogModel, Stage};
use super::queue_view::{level_label, spinner};
use super::style::Styles;
use super::text::{clean, clean_fit};

pub fn draw(f: &mut Frame, area: Rect, d: &mut DialogModel, keys: &Keymap, st: &Styles, tick: u64) {
    let shown_remarks = d.remarks.len().min(3) as u16;
    let remark_rows = if d.remarks.is_empty() {
        0
    } else {
        shown_remarks + 1 + u16::from(d.remarks.len() > 3)
    };
    let w = area.width.min(76);
    let h = area.height.min(16 + remark_rows);
    let rect = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    f.render_widget(Clear, rect);
    let (verb, verb_style) = match d.decision {
        Decision::Approve => ("Approve", st.low),
        Decision::Reject => ("Reject", st.high),
    };
    let block = Block::new()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(verb_style)
        .title(Span::styled(
            format!(" {verb} {} ", clean(&d.change_id)),
            verb_style.add_modifier(Modifier::BOLD),
        ));
    let inner = block.inner(rect);
    f.render_widget(block, rect);
    let (label, area_widget) = match &d.stage {
        Stage::Unseen(why) => (
            format!("{} Press y to go on, Esc to cancel.", clean(why)),
            None,
        ),
        Stage::ConfirmId => (
            format!(
                "This change is critical. Type its id ({}) to go on:",
                clean(&d.change_id)
            ),
            Some(&mut d.confirm),
        ),
        Stage::Comment => (
            match d.decision {
                Decision::Approve => "Comment (optional; Alt-Enter for a new line):".to_string(),
                Decision::Reject => {
                    "Why is it rejected? (required; Alt-Enter for a new line):".to_string()
                }
            },
            Some(&mut d.comment),
        ),
        Stage::Passphrase => (
            "The key is encrypted. Passphrase:".to_string(),
            Some(&mut d.passphrase),
        ),
        Stage::Signing => (format!("{} signing and recording…", spinner(tick)), None),
        Stage::Done(m) => (format!("✔ {}", clean(m)), None),
        Stage::Moved(m) => (format!("✖ {}", clean(m)), None),
    };
    // Every text wraps at the box's edge: the label (a result such as
    // "recorded and verified; now approved …") and the error take the lines
    // they need; the input field gets the rest.
    // One column of margin on the left, kept by every wrapped line.
    let width = inner.width.saturating_sub(1) as usize;
    let error = d.error.as_ref().map(|e| clean(e));
    let label_h = wrapped_height(&label, width);
    let error_h = error.as_deref().map_or(0, |e| wrapped_height(e, width));
    let [info, remarks_area, label_area, text_area, msg, hints] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Length(remark_rows),
        Constraint::Length(label_h),
        Constraint::Fill(1),
        Constraint::Length(error_h),
        Constraint::Length(1),
    ])
    .areas(inner);
    let signer = match &d.signer {
        None => Line::styled(
            format!(" {} looking up the signing key…", spinner(tick)),
            st.muted,
        ),
        Some(Ok(s)) => Line::from(vec![
            Span::styled(" signing as ", st.muted),
            Span::styled(
                clean_fit(&s.principal, (w as usize).saturating_sub(16)),
                st.text.add_modifier(Modifier::BOLD),
            ),
        ]),
        Some(Err(e)) => Line::styled(format!(" cannot sign: {e}"), st.error),
    };
    f.render_widget(
        Paragraph::new(vec![
            Line::from(vec![
                Span::styled(
                    format!(" {} ", level_label(&d.level)),
                    st.level(&d.level).add_modifier(Modifier::REVERSED),
                ),
                Span::raw(" "),
                Span::styled(
                    clean_fit(&d.title, (w as usize).saturating_sub(16)),
                    st.text,
                ),
            ]),
            signer,
            match &d.signer {
                Some(Ok(s)) => Line::from(vec![
                    Span::styled(" key ", st.muted),
                    Span::styled(
                        clean_fit(&s.fingerprint, (w as usize).saturating_sub(8)),
                        st.accent,
                    ),
                ]),
                _ => Line::raw(""),
            },
        ])
        .wrap(Wrap { trim: false }),
        info,
    );

    if !d.remarks.is_empty() {
        let mut lines = vec![Line::styled(
            format!(" {} remark(s) on lines, signed with it:", d.remarks.len()),
            st.muted,
        )];
        for r in d.remarks.iter().take(3) {
            let at = format!(
                "   {}:{}{} ",
                clean_fit(&r.path, 30),
                if r.side == crate::decision::RemarkSide::Old {
                    "old:"
                } else {
                    ""
                },
                r.line
            );
            let room = (w as usize).saturating_sub(at.chars().count() + 4);
            lines.push(Line::from(vec![
                Span::styled(at, st.accent),
                Span::styled(
                    clean_fit(r.text.lines().next().unwrap_or(""), room),
                    st.text,
                ),
            ]));
        }
        if d.remarks.len() > 3 {
            lines.push(Line::styled(
                format!("   … and {} more", d.remarks.len() - 3),
                st.muted,
            ));
        }
        f.render_widget(Paragraph::new(lines), remarks_area);
    }

    let label_style = if matches!(d.stage, Stage::Done(_)) {
        st.low
    } else {
        st.text
    };
    let unseen = matches!(d.stage, Stage::Unseen(_));
    f.render_widget(
        Paragraph::new(Line::styled(
            label,
            if unseen { st.high } else { label_style },
        ))
        .wrap(Wrap { trim: false }),
        margin(label_area),
    );
    if let Some(t) = area_widget {
        t.set_block(Block::new().borders(Borders::ALL).border_style(st.muted));
        t.set_cursor_line_style(ratatui::style::Style::new());
        f.render_widget(&*t, text_area);
    }
    if let Some(e) = error {
        f.render_widget(
            Paragraph::new(Line::styled(e, st.error)).wrap(Wrap { trim: false }),
            margin(msg),
        );
    }
    let hint = if matches!(d.stage, Stage::Done(_)) {
        " any key closes".to_string()
    } else if matches!(d.stage, Stage::Moved(_)) {
        " R reload the change · any other key closes".to_string()
    } else if unseen {
        format!(
            " y go on · {} cancel",
            keys.keys_label(Screen::Dialog, Cmd::Cancel)
        )
    } else {
        format!(
            " {} sign and record · {} cancel",
            keys.keys_label(Screen::Dialog, Cmd::Sign),
            keys.keys_label(Screen::Dialog, Cmd::Cancel)
        )
    };
    f.render_widget(Paragraph::new(Line::styled(hint, st.muted)), hints);
}

/// `area` without its first column.
fn margin(area: Rect) -> Rect {
    Rect {
        x: area.x.saturating_add(1),
        width: area.width.saturating_sub(1),
        ..area
    }
}

/// How many lines `text` takes when words wrap at `width` columns (as
/// ratatui's `Wrap` breaks them; a word longer than a line is cut), at least 1.
fn wrapped_height(text: &str, width: usize) -> u16 {
    use unicode_width::UnicodeWidthStr;
    if width == 0 {
        return 1;
    }
    let mut lines = 1usize;
    let mut used = 0usize;
    for word in text.split_inclusive(' ') {
        let w = word.trim_end_matches(' ').width();
        if used > 0 && used + w > width {
            lines += 1;
            used = 0;
        }
        if w > width {
            lines += (used + w - 1) / width;
            used = (used + w) % width;
        } else {
            used += word.width();
        }
    }
    lines.min(u16::MAX as usize) as u16
}

#[cfg(test)]
mod tests {
    use super::wrapped_height;

    #[test]
    fn wrapped_height_counts_word_wrapped_lines() {
        assert_eq!(wrapped_height("", 10), 1);
        assert_eq!(wrapped_height("short", 10), 1);
        assert_eq!(wrapped_height("one two three four", 10), 2);
        assert_eq!(wrapped_height(&"x".repeat(25), 10), 3);
    }
}
