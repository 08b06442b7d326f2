//! Drawing the help overlay: every command of a screen with its keys, straight
//! from the command registry.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph};

use super::commands::{Keymap, Screen, registry};
use super::style::Styles;

pub fn draw(f: &mut Frame, area: Rect, screen: Screen, scroll: usize, keys: &Keymap, st: &Styles) {
    let mut lines = Vec::new();
    for s in [screen, Screen::Dialog] {
        if s == Screen::Dialog && screen == Screen::Dialog {
            continue;
        }
        lines.push(Line::styled(format!(" {}", s.title()), st.title));
        for c in registry(s) {
            lines.push(Line::from(vec![
                Span::styled(
                    format!("  {:<16}", keys.keys_label(s, c.cmd)),
                    st.accent.add_modifier(Modifier::BOLD),
                ),
                Span::styled(c.help, st.text),
            ]));
        }
        lines.push(Line::raw(""));
    }
    lines.push(Line::styled(
        " Ctrl-c quits from anywhere. Keys are set in the user config's [keys] table.",
        st.muted,
    ));
    let w = area.width.min(72);
    let h = area.height.min(lines.len() as u16 + 2);
    let rect = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    let max_scroll = lines.len().saturating_sub(h.saturating_sub(2) as usize);
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(lines)
            .scroll((scroll.min(max_scroll) as u16, 0))
            .block(
                Block::new()
                    .borders(Borders::ALL)
                    .border_type(BorderType::Rounded)
                    .border_style(st.accent)
                    .title(Span::styled(" Keys (Esc closes) ", st.title)),
            ),
        rect,
    );
}
