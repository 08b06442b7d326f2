//! Keys as the model sees them: a terminal-independent key type, parsed from and
//! shown as the names used in the user config (`ctrl-d`, `G`, `enter`, `space`).

use std::fmt;

/// A key without its modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyCode {
    Char(char),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
    F(u8),
}

/// A key press. Shift is part of the character (`G`), not a flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    /// A key without modifiers.
    pub const fn plain(code: KeyCode) -> Key {
        Key {
            code,
            ctrl: false,
            alt: false,
        }
    }

    /// A character key.
    pub const fn char(c: char) -> Key {
        Key::plain(KeyCode::Char(c))
    }

    /// A character with Ctrl.
    pub const fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            ctrl: true,
            alt: false,
        }
    }

    /// Parses a key name as written in the user config: `j`, `G`, `ctrl-d`,
    /// `alt-x`, `enter`, `esc`, `tab`, `backtab`, `space`, `up`, `pagedown`, `f1`.
    pub fn parse(s: &str) -> Option<Key> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            if rest.len() > 2 && (lower.starts_with("ctrl-") || lower.starts_with("ctrl+")) {
                ctrl = true;
                rest = &rest[5..];
            } else if rest.len() > 2 && (lower.starts_with("c-")) {
                ctrl = true;
                rest = &rest[2..];
            } else if rest.len() > 2 && (lower.starts_with("alt-") || lower.starts_with("alt+")) {
                alt = true;
                rest = &rest[4..];
            } else if rest.len() > 2 && (lower.starts_with("m-")) {
                alt = true;
                rest = &rest[2..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" | "cr" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" => KeyCode::Tab,
                "backtab" | "shift-tab" | "s-tab" => KeyCode::BackTab,
                "backspace" | "bs" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                "space" => KeyCode::Char(' '),
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "pageup" | "pgup" => KeyCode::PageUp,
                "pagedown" | "pgdn" | "pgdown" => KeyCode::PageDown,
                f if f.starts_with('f') => KeyCode::F(f[1..].parse().ok().filter(|n| *n >= 1)?),
                _ => return None,
            },
        };
        Some(Key { code, ctrl, alt })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl-")?;
        }
        if self.alt {
            f.write_str("Alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Delete"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::F(n) => write!(f, "F{n}"),
        }
    }
}

/// Something the user did, as the model sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Key(Key),
    /// Mouse wheel: positive scrolls down.
    Wheel(i32),
    /// Text pasted in one piece.
    Paste(String),
}

impl Key {
    /// The key as ratatui-textarea's input (for text fields).
    pub fn to_textarea(self) -> ratatui_textarea::Input {
        use ratatui_textarea::Key as T;
        let key = match self.code {
            KeyCode::Char(c) => T::Char(c),
            KeyCode::Enter => T::Enter,
            KeyCode::Esc => T::Esc,
            KeyCode::Tab | KeyCode::BackTab => T::Tab,
            KeyCode::Backspace => T::Backspace,
            KeyCode::Delete => T::Delete,
            KeyCode::Up => T::Up,
            KeyCode::Down => T::Down,
            KeyCode::Left => T::Left,
            KeyCode::Right => T::Right,
            KeyCode::Home => T::Home,
            KeyCode::End => T::End,
            KeyCode::PageUp => T::PageUp,
            KeyCode::PageDown => T::PageDown,
            KeyCode::F(n) => T::F(n),
        };
        ratatui_textarea::Input {
            key,
            ctrl: self.ctrl,
            alt: self.alt,
            shift: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_config_names() {
        assert_eq!(Key::parse("j"), Some(Key::char('j')));
        assert_eq!(Key::parse("G"), Some(Key::char('G')));
        assert_eq!(Key::parse("ctrl-d"), Some(Key::ctrl('d')));
        assert_eq!(Key::parse("C-u"), Some(Key::ctrl('u')));
        assert_eq!(Key::parse("enter"), Some(Key::plain(KeyCode::Enter)));
        assert_eq!(Key::parse("space"), Some(Key::char(' ')));
        assert_eq!(Key::parse("f2"), Some(Key::plain(KeyCode::F(2))));
        assert_eq!(Key::parse("nonsense"), None);
        assert_eq!(Key::parse(""), None);
    }

    #[test]
    fn shows_keys_readably() {
        assert_eq!(Key::ctrl('d').to_string(), "Ctrl-d");
        assert_eq!(Key::plain(KeyCode::Esc).to_string(), "Esc");
        assert_eq!(Key::char('?').to_string(), "?");
    }
}
