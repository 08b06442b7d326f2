//! Making untrusted text (diff lines, file names, commit messages, notes) safe
//! for a terminal: C0/C1 control characters are shown in caret or `<U+XXXX>`
//! form, Unicode bidi controls and invisible characters are shown as `<U+XXXX>`
//! (and reported, so callers can flag them), tabs are expanded. Nothing that
//! could move the cursor, change colours or reorder text reaches the terminal.

/// The width a tab expands to.
pub const TAB_WIDTH: usize = 4;

/// A piece of sanitised text: either text that is safe to print as it is, or
/// the visible stand-in for a character that was not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    /// Spaces standing for a tab.
    Tab(usize),
    /// The visible form of a control, bidi or invisible character.
    Escaped(String, Hazard),
}

/// Why a character was escaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hazard {
    /// A C0/C1 control character (ESC, CR, BEL, backspace, …).
    Control,
    /// A Unicode bidirectional control (Trojan Source).
    Bidi,
    /// A zero-width or otherwise invisible character.
    Invisible,
}

/// Classifies a character that must not reach the terminal as it is.
pub fn hazard(c: char) -> Option<Hazard> {
    match c {
        '\t' => None,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => Some(Hazard::Control),
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}' => {
            Some(Hazard::Bidi)
        }
        '\u{200b}'..='\u{200d}'
        | '\u{2060}'..='\u{2064}'
        | '\u{feff}'
        | '\u{ad}'
        | '\u{180e}'
        | '\u{2028}'
        | '\u{2029}'
        | '\u{115f}'
        | '\u{1160}'
        | '\u{3164}'
        | '\u{ffa0}'
        | '\u{fff9}'..='\u{fffb}'
        | '\u{e0000}'..='\u{e007f}' => Some(Hazard::Invisible),
        _ => None,
    }
}

/// The visible stand-in of a hazardous character: caret notation for C0 and
/// DEL (`^[` for ESC, `^M` for CR), `<U+XXXX>` for everything else.
pub fn visible_form(c: char) -> String {
    match c {
        '\u{0}'..='\u{1f}' => format!("^{}", char::from(c as u8 + 0x40)),
        '\u{7f}' => "^?".to_string(),
        _ => format!("<U+{:04X}>", c as u32),
    }
}

/// Walks `text` as safe pieces. `col` is the display column where the text
/// starts (for tab stops); it is advanced.
pub fn pieces<'a>(text: &'a str, col: &mut usize, mut f: impl FnMut(Piece<'a>)) {
    let mut start = 0;
    for (i, c) in text.char_indices() {
        let special = c == '\t' || hazard(c).is_some();
        if !special {
            continue;
        }
        if start < i {
            let t = &text[start..i];
            *col += unicode_width::UnicodeWidthStr::width(t);
            f(Piece::Text(t));
        }
        if c == '\t' {
            let n = TAB_WIDTH - (*col % TAB_WIDTH);
            *col += n;
            f(Piece::Tab(n));
        } else {
            let v = visible_form(c);
            *col += v.len();
            f(Piece::Escaped(v, hazard(c).expect("checked above")));
        }
        start = i + c.len_utf8();
    }
    if start < text.len() {
        let t = &text[start..];
        *col += unicode_width::UnicodeWidthStr::width(t);
        f(Piece::Text(t));
    }
}

/// Sanitises one line of text into a plain string (tabs expanded).
pub fn escape_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut col = 0;
    pieces(text, &mut col, |p| match p {
        Piece::Text(t) => out.push_str(t),
        Piece::Tab(n) => out.extend(std::iter::repeat_n(' ', n)),
        Piece::Escaped(v, _) => out.push_str(&v),
    });
    out
}

/// The hazards found in `text`, in order, with their character offsets.
pub fn hazards(text: &str) -> impl Iterator<Item = (usize, char, Hazard)> + '_ {
    text.char_indices()
        .filter_map(|(i, c)| hazard(c).map(|h| (i, c, h)))
}

/// True when `text` holds a bidi control or an invisible character.
pub fn has_hidden_text(text: &str) -> bool {
    hazards(text).any(|(_, _, h)| h != Hazard::Control)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_controls() {
        assert_eq!(escape_line("a\x1b[2Jb"), "a^[[2Jb");
        assert_eq!(escape_line("x\ry\x07"), "x^My^G");
        assert_eq!(escape_line("\u{9b}31m"), "<U+009B>31m");
        assert_eq!(escape_line("del\x7f"), "del^?");
    }

    #[test]
    fn makes_bidi_and_invisible_visible() {
        assert_eq!(escape_line("if admin\u{202e} {"), "if admin<U+202E> {");
        assert_eq!(escape_line("a\u{200b}b"), "a<U+200B>b");
        assert!(has_hidden_text("x\u{2066}y"));
        assert!(!has_hidden_text("x\ty\x1b"));
    }

    #[test]
    fn expands_tabs_to_stops() {
        assert_eq!(escape_line("\tx"), "    x");
        assert_eq!(escape_line("ab\tx"), "ab  x");
    }

    #[test]
    fn nothing_escaped_survives() {
        // The oracle is the standard library's Unicode category Cc and a few
        // characters named here, not `hazard` itself.
        let named = [
            '\u{61c}',
            '\u{200e}',
            '\u{200f}',
            '\u{202a}',
            '\u{202e}',
            '\u{2066}',
            '\u{2069}',
            '\u{200b}',
            '\u{200d}',
            '\u{2060}',
            '\u{feff}',
            '\u{ad}',
            '\u{2028}',
            '\u{e0041}',
        ];
        let nasty: String = (0u32..0x250)
            .filter_map(char::from_u32)
            .chain(named)
            .collect();
        let out = escape_line(&nasty);
        assert!(out.chars().all(|c| !c.is_control() && !named.contains(&c)));
        for c in (0u32..0x250).filter_map(char::from_u32).chain(named) {
            let one = escape_line(&c.to_string());
            if c.is_control() && c != '\t' || named.contains(&c) {
                assert!(
                    one.starts_with('^') || one.starts_with("<U+"),
                    "{c:?}: {one}"
                );
            } else if c != '\t' {
                assert_eq!(one, c.to_string(), "{c:?} is ordinary text");
            }
        }
    }
}
