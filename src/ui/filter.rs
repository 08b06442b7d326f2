//! Fuzzy filtering (nucleo-matcher) and the one-line text input used for filters
//! and searches.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::keys::{Key, KeyCode};

/// A fuzzy pattern ready to score many haystacks.
pub struct Fuzzy {
    pattern: Pattern,
    matcher: Matcher,
    buf: Vec<char>,
    empty: bool,
}

impl Fuzzy {
    pub fn new(query: &str) -> Fuzzy {
        Fuzzy {
            pattern: Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart),
            matcher: Matcher::new(Config::DEFAULT),
            buf: Vec::new(),
            empty: query.trim().is_empty(),
        }
    }

    /// The score of `haystack`, or `None` when it does not match.
    pub fn score(&mut self, haystack: &str) -> Option<u32> {
        if self.empty {
            return Some(0);
        }
        self.pattern
            .score(Utf32Str::new(haystack, &mut self.buf), &mut self.matcher)
    }
}

/// What a key did to a line input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEdit {
    /// The text changed.
    Changed,
    /// Enter: keep the text, stop editing.
    Done,
    /// Esc: drop the text, stop editing.
    Cancelled,
    /// Nothing happened.
    Ignored,
}

/// A one-line text input (filters, searches).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineInput {
    pub text: String,
}

impl LineInput {
    /// Applies a key.
    pub fn key(&mut self, key: Key) -> LineEdit {
        match key.code {
            KeyCode::Enter => LineEdit::Done,
            KeyCode::Esc => LineEdit::Cancelled,
            KeyCode::Backspace => {
                if self.text.pop().is_some() {
                    LineEdit::Changed
                } else {
                    LineEdit::Ignored
                }
            }
            KeyCode::Char('u') if key.ctrl => {
                self.text.clear();
                LineEdit::Changed
            }
            KeyCode::Char('w') if key.ctrl => {
                let t = self.text.trim_end();
                let cut = t.rfind(' ').map_or(0, |i| i + 1);
                self.text.truncate(cut);
                LineEdit::Changed
            }
            KeyCode::Char(c) if !key.ctrl && !key.alt && !c.is_control() => {
                self.text.push(c);
                LineEdit::Changed
            }
            _ => LineEdit::Ignored,
        }
    }

    /// Applies a key to a filter being typed: Enter keeps the text and stops
    /// editing, Esc clears it and stops. Returns whether the key was handled
    /// and whether the filtered list must be recomputed.
    pub fn filter_key(&mut self, key: Key, editing: &mut bool) -> (bool, bool) {
        match self.key(key) {
            LineEdit::Changed => (true, true),
            LineEdit::Done => {
                *editing = false;
                (true, false)
            }
            LineEdit::Cancelled => {
                *editing = false;
                self.text.clear();
                (true, true)
            }
            LineEdit::Ignored => (false, false),
        }
    }

    /// Pastes text (control characters dropped).
    pub fn paste(&mut self, text: &str) {
        self.text.extend(
            text.chars()
                .filter(|c| !c.is_control() && crate::sanitize::hazard(*c).is_none()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzzy_matches_subsequences() {
        let mut f = Fuzzy::new("adm");
        assert!(f.score("add admin endpoint").is_some());
        assert!(f.score("xyz").is_none());
        assert!(Fuzzy::new("").score("x").is_some());
    }

    #[test]
    fn line_input_edits() {
        let mut l = LineInput::default();
        assert_eq!(l.key(Key::char('a')), LineEdit::Changed);
        l.key(Key::char(' '));
        l.key(Key::char('b'));
        l.key(Key::ctrl('w'));
        assert_eq!(l.text, "a ");
        assert_eq!(l.key(Key::plain(KeyCode::Enter)), LineEdit::Done);
    }
}
