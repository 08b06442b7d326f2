//! The UI's colours, from the theme's palette.

use ratatui::style::{Color, Modifier, Style};

use super::backend::Severity;
use super::hl::{Rgb, Theme, TokenStyle};

pub fn rgb(c: Rgb) -> Color {
    Color::Rgb(c.0, c.1, c.2)
}

/// Styles used across screens.
#[derive(Debug, Clone)]
pub struct Styles {
    pub text: Style,
    pub muted: Style,
    pub accent: Style,
    pub title: Style,
    pub selection: Style,
    pub line_number: Style,
    pub hunk_header: Style,
    pub file_header: Style,
    pub plus: Style,
    pub minus: Style,
    pub plus_emph: Style,
    pub minus_emph: Style,
    pub escape: Style,
    pub error: Style,
    pub critical: Style,
    pub high: Style,
    pub medium: Style,
    pub low: Style,
    pub cursor_bg: Color,
}

impl Styles {
    pub fn from_theme(theme: &Theme) -> Styles {
        let p = &theme.palette;
        let fg = |c| Style::new().fg(rgb(c));
        let bg = |c| Style::new().bg(rgb(c));
        Styles {
            text: fg(p.text),
            muted: fg(p.muted),
            accent: fg(p.accent),
            title: fg(p.accent).add_modifier(Modifier::BOLD),
            selection: bg(p.selection_bg).add_modifier(Modifier::BOLD),
            line_number: fg(p.line_number),
            hunk_header: fg(p.hunk_header),
            file_header: fg(p.file_header).add_modifier(Modifier::BOLD),
            plus: bg(p.plus_bg),
            minus: bg(p.minus_bg),
            plus_emph: bg(p.plus_emph_bg),
            minus_emph: bg(p.minus_emph_bg),
            escape: fg(p.escape_fg)
                .bg(rgb(p.escape_bg))
                .add_modifier(Modifier::BOLD),
            error: fg(p.critical).add_modifier(Modifier::BOLD),
            critical: fg(p.critical).add_modifier(Modifier::BOLD),
            high: fg(p.high).add_modifier(Modifier::BOLD),
            medium: fg(p.medium),
            low: fg(p.low),
            cursor_bg: rgb(p.selection_bg),
        }
    }

    /// The style of a risk level name.
    pub fn level(&self, level: &str) -> Style {
        self.severity(
            super::backend::Severity::parse(level).unwrap_or(super::backend::Severity::Low),
        )
    }

    pub fn severity(&self, s: Severity) -> Style {
        match s {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
        }
    }

    /// The style of a syntax token.
    pub fn token(&self, t: &TokenStyle) -> Style {
        let mut s = Style::new().fg(rgb(t.fg));
        if t.bold {
            s = s.add_modifier(Modifier::BOLD);
        }
        if t.italic {
            s = s.add_modifier(Modifier::ITALIC);
        }
        if t.underline {
            s = s.add_modifier(Modifier::UNDERLINED);
        }
        s
    }
}

/// The glyph for a severity in the gutter.
pub fn severity_glyph(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "■",
        Severity::High => "▲",
        Severity::Medium => "●",
        Severity::Low => "·",
    }
}
