//! Untrusted text to spans: every string from a repository (diff lines, paths,
//! titles, authors, comments) goes through `sanitize` here before it is drawn.
//! Escaped characters get the escape style; a span builder clips to a column
//! window for horizontal scrolling.

use ratatui::style::Style;
use ratatui::text::Span;
use unicode_width::UnicodeWidthChar;

use crate::sanitize::{Piece, pieces};

/// Builds spans for a window of columns `[skip, skip + width)`.
pub struct SpanBuilder {
    pub spans: Vec<Span<'static>>,
    skip: usize,
    width: usize,
    /// Display column reached (before clipping).
    col: usize,
    /// Sanitiser column (for tab stops).
    tab_col: usize,
    /// Hidden text (bidi, invisible) was seen.
    pub hazard: bool,
}

impl SpanBuilder {
    pub fn new(skip: usize, width: usize) -> SpanBuilder {
        SpanBuilder {
            spans: Vec::new(),
            skip,
            width,
            col: 0,
            tab_col: 0,
            hazard: false,
        }
    }

    /// Columns used so far, within the window.
    pub fn used(&self) -> usize {
        self.col.saturating_sub(self.skip).min(self.width)
    }

    fn full(&self) -> bool {
        self.col >= self.skip + self.width
    }

    /// Adds already-safe text (labels written by this program).
    pub fn raw(&mut self, text: &str, style: Style) {
        if self.full() {
            return;
        }
        let end = self.skip + self.width;
        let mut out = String::new();
        for c in text.chars() {
            let w = c.width().unwrap_or(0);
            if self.col + w > end {
                self.col = end;
                break;
            }
            if self.col >= self.skip {
                out.push(c);
            } else if self.col + w > self.skip {
                // A wide character cut by the left edge.
                out.push(' ');
            }
            self.col += w;
        }
        if !out.is_empty() {
            self.spans.push(Span::styled(out, style));
        }
    }

    /// Adds untrusted text, sanitised; escapes get `escape` style.
    pub fn untrusted(&mut self, text: &str, style: Style, escape: Style) {
        if self.full() {
            return;
        }
        let mut pending: Vec<(String, Style)> = Vec::new();
        let mut hazard = false;
        pieces(text, &mut self.tab_col, |p| match p {
            Piece::Text(t) => pending.push((t.to_string(), style)),
            Piece::Tab(n) => pending.push((" ".repeat(n), style)),
            Piece::Escaped(v, h) => {
                if h != crate::sanitize::Hazard::Control {
                    hazard = true;
                }
                pending.push((v, escape))
            }
        });
        self.hazard |= hazard;
        for (t, s) in pending {
            self.raw(&t, s);
        }
    }

    /// Pads with spaces in `style` to the window's width.
    pub fn fill(&mut self, style: Style) {
        let n = self.width - self.used();
        if n > 0 {
            self.spans.push(Span::styled(" ".repeat(n), style));
            self.col = self.skip + self.width;
        }
    }
}

/// One line of untrusted text, sanitised, as a plain string.
pub fn clean(text: &str) -> String {
    crate::sanitize::escape_line(text)
}

/// Untrusted text truncated to `width` columns with an ellipsis.
pub fn clean_fit(text: &str, width: usize) -> String {
    let s = clean(text);
    if unicode_width::UnicodeWidthStr::width(s.as_str()) <= width {
        return s;
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if w + cw + 1 > width {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(b: &SpanBuilder) -> String {
        b.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn clips_to_the_window_and_escapes() {
        let mut b = SpanBuilder::new(2, 6);
        b.untrusted("ab\x1b[31mcdef", Style::new(), Style::new());
        assert_eq!(text(&b), "^[[31m");
        let mut b = SpanBuilder::new(0, 20);
        b.untrusted("x\u{202e}y", Style::new(), Style::new());
        assert!(b.hazard);
        assert_eq!(text(&b), "x<U+202E>y");
    }

    #[test]
    fn fits_with_an_ellipsis() {
        assert_eq!(clean_fit("hello world", 6), "hello…");
        assert_eq!(clean_fit("a\rb", 10), "a^Mb");
    }
}
