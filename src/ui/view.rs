//! Drawing a frame: the screen on top of the stack, the popup layers above it,
//! the status bar, or a clear message when the terminal is too small.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::app::{App, Layer, View};
use super::style::Styles;
use super::text::clean_fit;
use super::{audit_view, dialog_view, help_view, queue_view, review_view};

/// The smallest terminal the console draws in.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 12;

/// Draws the whole UI.
pub fn draw(f: &mut Frame, app: &mut App, st: &Styles) {
    let area = f.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let msg = vec![
            Line::styled("terminal too small", st.error),
            Line::styled(
                format!(
                    "{}×{}; countersign needs at least {MIN_WIDTH}×{MIN_HEIGHT}",
                    area.width, area.height
                ),
                st.muted,
            ),
        ];
        f.render_widget(
            Paragraph::new(msg).wrap(ratatui::widgets::Wrap { trim: true }),
            area,
        );
        return;
    }
    let [main, status] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
    let tick = app.tick;
    match app.stack.last_mut() {
        None => queue_view::draw(f, main, app, st),
        Some(View::Review(r)) => review_view::draw(f, main, r, st, tick),
        Some(View::Audit(a)) => audit_view::draw(f, main, a, st, tick),
    }
    let keymap = app.keymap.clone();
    for layer in app.layers.iter_mut() {
        match layer {
            Layer::Help { screen, scroll } => {
                help_view::draw(f, main, *screen, *scroll, &keymap, st)
            }
            Layer::Dialog(d) => dialog_view::draw(f, main, d, &keymap, st, tick),
        }
    }
    draw_status(f, status, app, st);
}

fn draw_status(f: &mut Frame, area: Rect, app: &App, st: &Styles) {
    let id = &app.identity;
    let mut spans = vec![
        Span::styled(
            format!(" {} ", clean_fit(&id.repo, 24)),
            st.title.add_modifier(ratatui::style::Modifier::REVERSED),
        ),
        Span::styled(
            format!(
                " {} ",
                clean_fit(id.reviewer.as_deref().unwrap_or("no reviewer identity"), 32)
            ),
            st.text,
        ),
        Span::styled(
            format!(
                "key: {} ",
                clean_fit(id.key.as_deref().unwrap_or("none"), 40)
            ),
            st.muted,
        ),
        Span::styled("│ ", st.muted),
    ];
    match &app.status {
        Some(s) => spans.push(Span::styled(
            clean_fit(&s.text, area.width as usize),
            if s.error { st.error } else { st.accent },
        )),
        None => {
            let screen = match app.layers.last() {
                Some(Layer::Dialog(_)) => super::commands::Screen::Dialog,
                Some(Layer::Help { .. }) => super::commands::Screen::Help,
                None => app.screen(),
            };
            for (k, name) in app.keymap.hints(screen) {
                spans.push(Span::styled(k, st.accent));
                spans.push(Span::styled(
                    format!(" {} ", name.replace('_', " ")),
                    st.muted,
                ));
            }
        }
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
