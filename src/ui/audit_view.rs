//! Drawing the audit screen: every decision, newest first, with its status.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::audit_model::AuditModel;
use super::queue_view::spinner;
use super::style::Styles;
use super::text::{clean, clean_fit};

pub fn draw(f: &mut Frame, area: Rect, a: &mut AuditModel, st: &Styles, tick: u64) {
    let filter_line = a.filtering || !a.filter.text.is_empty();
    let [head, filter, body, detail] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(u16::from(filter_line)),
        Constraint::Fill(1),
        Constraint::Length(2),
    ])
    .areas(area);
    let (valid, invalid) = a.validity();
    let mut spans = vec![
        Span::styled(" countersign ", st.title),
        Span::styled("· audit   ", st.muted),
        Span::styled(format!("{} decisions  ", a.rows.len()), st.text),
        Span::styled(format!("✔ {valid} valid  "), st.low),
        Span::styled(
            format!("✘ {invalid} invalid  "),
            if invalid > 0 { st.critical } else { st.muted },
        ),
        Span::styled(format!("showing: {}", a.decision.name()), st.muted),
    ];
    if a.loading {
        spans.push(Span::styled(
            format!("  {} verifying…", spinner(tick)),
            st.accent,
        ));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), head);
    if filter_line {
        let cursor = if a.filtering { "▏" } else { "" };
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(" / ", st.accent),
                Span::styled(format!("{}{cursor}", clean(&a.filter.text)), st.text),
                Span::styled(format!("   {} shown", a.visible.len()), st.muted),
            ])),
            filter,
        );
    }
    let height = body.height.saturating_sub(1) as usize;
    a.height = height.max(1);
    a.top = super::nav::keep_visible(a.top, a.selected, a.height);
    if a.visible.is_empty() {
        let msg = match (&a.error, a.loading) {
            (Some(e), _) => Span::styled(format!(" {e}"), st.error),
            (None, true) => {
                Span::styled(format!(" {} loading decisions…", spinner(tick)), st.muted)
            }
            _ if !a.filter.text.is_empty() => Span::styled(" nothing matches the filter", st.muted),
            _ => Span::styled(" no decisions recorded yet", st.muted),
        };
        f.render_widget(Paragraph::new(vec![Line::raw(""), Line::from(msg)]), body);
        return;
    }
    let rows: Vec<Row> = a
        .visible
        .iter()
        .enumerate()
        .skip(a.top)
        .take(height)
        .map(|(vi, &i)| {
            let r = &a.rows[i];
            let status_style = if r.status == "valid" {
                st.low
            } else {
                st.critical
            };
            let decision_style = if r.decision == "approve" {
                st.low
            } else {
                st.high
            };
            let row = Row::new(vec![
                Cell::from(Span::styled(clean_fit(&r.at, 20), st.muted)),
                Cell::from(Span::styled(clean_fit(&r.change, 10), st.accent)),
                Cell::from(Span::styled(clean_fit(&r.decision, 8), decision_style)),
                Cell::from(Span::styled(clean_fit(&r.reviewer, 24), st.text)),
                Cell::from(Span::styled(
                    clean_fit(&r.risk_level, 8),
                    st.level(&r.risk_level),
                )),
                Cell::from(Span::styled(clean_fit(&r.status, 16), status_style)),
                Cell::from(Span::styled(clean_fit(&r.comment, 80), st.text)),
            ]);
            if vi == a.selected {
                row.style(st.selection)
            } else {
                row
            }
        })
        .collect();
    let header = Row::new(vec![
        "AT", "CHANGE", "DECISION", "REVIEWER", "RISK", "STATUS", "COMMENT",
    ])
    .style(st.muted.add_modifier(Modifier::BOLD));
    let table = Table::new(
        rows,
        [
            Constraint::Length(20),
            Constraint::Length(10),
            Constraint::Length(8),
            Constraint::Length(24),
            Constraint::Length(8),
            Constraint::Length(16),
            Constraint::Fill(1),
        ],
    )
    .header(header)
    .column_spacing(1);
    f.render_widget(table, body);
    if let Some(r) = a.selected_row() {
        let lines = vec![
            Line::from(vec![
                Span::styled(" detail: ", st.muted),
                Span::styled(clean(&r.detail), st.text),
            ]),
            Line::from(vec![
                Span::styled(" head ", st.muted),
                Span::styled(clean_fit(&r.head, 12), st.accent),
                Span::styled("  base ", st.muted),
                Span::styled(clean_fit(&r.base, 12), st.accent),
                Span::styled("  comment: ", st.muted),
                Span::styled(clean(&r.comment.replace('\n', " ")), st.text),
            ]),
        ];
        f.render_widget(Paragraph::new(lines), detail);
    }
}
