//! Drawing the queue screen: counts per level, tabs, the filter line and the
//! table of changes.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::app::App;
use super::queue_model::Tab;
use super::style::Styles;
use super::text::{clean, clean_fit};

const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

/// A spinner frame.
pub fn spinner(tick: u64) -> &'static str {
    SPINNER[(tick % SPINNER.len() as u64) as usize]
}

/// "3d", "5h", "12m", "now".
pub fn age(now: i64, then: i64) -> String {
    let s = (now - then).max(0);
    match s {
        0..60 => "now".into(),
        60..3600 => format!("{}m", s / 60),
        3600..86_400 => format!("{}h", s / 3600),
        86_400..31_536_000 => format!("{}d", s / 86_400),
        _ => format!("{}y", s / 31_536_000),
    }
}

/// The level as a short coloured label.
pub fn level_label(level: &str) -> &'static str {
    match level {
        "critical" => "CRITICAL",
        "high" => "HIGH",
        "medium" => "MEDIUM",
        "low" => "LOW",
        _ => "?",
    }
}

fn author_name(author: &str) -> &str {
    author.split(" <").next().unwrap_or(author)
}

pub fn draw(f: &mut Frame, area: Rect, app: &mut App, st: &Styles) {
    let q = &app.queue;
    let filter_line = q.filtering || !q.filter.text.is_empty();
    let [head, tabs, filter, body] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(u16::from(filter_line)),
        Constraint::Fill(1),
    ])
    .areas(area);

    // Header: title, counts per level, progress, sort.
    let [c, h, m, l] = q.level_counts();
    let mut spans = vec![
        Span::styled(" countersign ", st.title),
        Span::styled("· queue   ", st.muted),
        Span::styled(format!("■ {c} critical  "), st.critical),
        Span::styled(format!("▲ {h} high  "), st.high),
        Span::styled(format!("● {m} medium  "), st.medium),
        Span::styled(format!("· {l} low  "), st.low),
    ];
    if q.loading {
        let total = q.rows.len();
        let text = if total == 0 {
            format!("{} loading the queue…  ", spinner(app.tick))
        } else {
            format!("{} analysing {}/{}  ", spinner(app.tick), q.loaded(), total)
        };
        spans.push(Span::styled(text, st.accent));
    }
    spans.push(Span::styled(
        format!(
            "sort: {} {}",
            q.sort.name(),
            if q.reverse { "↑" } else { "↓" }
        ),
        st.muted,
    ));
    f.render_widget(Paragraph::new(Line::from(spans)), head);

    // Tabs.
    let mut tspans = vec![Span::raw(" ")];
    for (i, t) in Tab::ALL.iter().enumerate() {
        if i > 0 {
            tspans.push(Span::styled(" │ ", st.muted));
        }
        let label = format!(
            "{} {}",
            match t {
                Tab::Pending => "Pending",
                Tab::Approved => "Approved",
                Tab::Rejected => "Rejected",
                Tab::Stale => "Stale",
            },
            q.tab_count(*t)
        );
        let style = if *t == q.tab {
            st.title.add_modifier(Modifier::REVERSED)
        } else {
            st.muted
        };
        tspans.push(Span::styled(label, style));
    }
    f.render_widget(Paragraph::new(Line::from(tspans)), tabs);

    if filter_line {
        let cursor = if q.filtering { "▏" } else { "" };
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(" / ", st.accent),
                Span::styled(format!("{}{cursor}", clean(&q.filter.text)), st.text),
                Span::styled(format!("   {} shown", q.visible.len()), st.muted),
            ])),
            filter,
        );
    }

    // The table.
    let height = body.height.saturating_sub(1) as usize;
    let q = &mut app.queue;
    q.height = height.max(1);
    q.top = super::nav::keep_visible(q.top, q.selected, q.height);
    if q.visible.is_empty() {
        let msg = if let Some(e) = &q.error {
            Span::styled(format!(" could not load the queue: {e}"), st.error)
        } else if q.loading {
            Span::styled(
                format!(" {} loading the queue…", spinner(app.tick)),
                st.muted,
            )
        } else if !q.filter.text.is_empty() {
            Span::styled(" nothing matches the filter (Esc clears it)", st.muted)
        } else {
            Span::styled(format!(" no {} changes", q.tab.state()), st.muted)
        };
        f.render_widget(Paragraph::new(vec![Line::raw(""), Line::from(msg)]), body);
        return;
    }
    let fixed: [u16; 11] = [8, 5, 8, 14, 12, 4, 5, 11, 5, 8, 1];
    let title_w = body.width.saturating_sub(fixed.iter().sum::<u16>() + 11) as usize;
    let rows: Vec<Row> = q
        .visible
        .iter()
        .enumerate()
        .skip(q.top)
        .take(height)
        .map(|(vi, &i)| {
            let r = &q.rows[i];
            let e = &r.entry;
            let c = &e.change;
            let dim = if r.loaded { st.text } else { st.muted };
            let level = if r.loaded {
                Span::styled(level_label(&e.risk.level), st.level(&e.risk.level))
            } else {
                Span::styled("…", st.muted)
            };
            let row = Row::new(vec![
                Cell::from(level),
                Cell::from(Span::styled(
                    if r.loaded {
                        e.risk.score.to_string()
                    } else {
                        "…".into()
                    },
                    dim,
                )),
                Cell::from(Span::styled(clean(&c.id), st.accent)),
                Cell::from(Span::styled(clean_fit(&c.title, title_w.max(8)), st.text)),
                Cell::from(Span::styled(clean_fit(author_name(&c.author), 14), dim)),
                Cell::from(Span::styled(clean_fit(&c.tool, 12), dim)),
                Cell::from(Span::styled(age(app.now, c.authored_at), dim)),
                Cell::from(Span::styled(
                    if r.loaded {
                        e.files.to_string()
                    } else {
                        "…".into()
                    },
                    dim,
                )),
                Cell::from(Line::from(if r.loaded {
                    vec![
                        Span::styled(format!("+{}", e.additions), st.low),
                        Span::styled(format!(" −{}", e.deletions), st.critical),
                    ]
                } else {
                    vec![Span::styled("…", st.muted)]
                })),
                Cell::from(Span::styled(
                    r.approvals
                        .map_or("–".to_string(), |(h, n)| format!("{h}/{n}")),
                    dim,
                )),
                Cell::from(Span::styled(clean(&e.state), dim)),
                // Updated since the newest decision (made on an earlier revision).
                Cell::from(Span::styled(
                    if e.last_decided_head.is_some() {
                        "↻"
                    } else {
                        ""
                    },
                    st.accent,
                )),
            ]);
            if vi == q.selected {
                row.style(st.selection)
            } else {
                row
            }
        })
        .collect();
    let header = Row::new(vec![
        "RISK", "SCORE", "ID", "TITLE", "AUTHOR", "TOOL", "AGE", "FILES", "+/−", "APPR", "STATE",
        "↻",
    ])
    .style(st.muted.add_modifier(Modifier::BOLD));
    let table = Table::new(
        rows,
        [
            Constraint::Length(fixed[0]),
            Constraint::Length(fixed[1]),
            Constraint::Length(fixed[2]),
            Constraint::Fill(1),
            Constraint::Length(fixed[3]),
            Constraint::Length(fixed[4]),
            Constraint::Length(fixed[5]),
            Constraint::Length(fixed[6]),
            Constraint::Length(fixed[7]),
            Constraint::Length(fixed[8]),
            Constraint::Length(fixed[9]),
            Constraint::Length(fixed[10]),
        ],
    )
    .header(header)
    .column_spacing(1)
    .style(Style::new());
    f.render_widget(table, body);
}
