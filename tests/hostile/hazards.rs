//! An independent list of the characters that must never reach a terminal as
//! they are, written from the Unicode tables and not from `sanitize::hazard`,
//! so the sanitizer's tests do not use the code under test as their oracle.

/// What kind of hazard a character is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Unicode general category Cc (C0, DEL, C1): moves the cursor, starts escapes.
    Control,
    /// Bidirectional formatting characters (Trojan Source).
    Bidi,
    /// Zero-width, blank-looking or format characters that hide text.
    Invisible,
}

/// Named ranges (inclusive) of hazardous characters.
pub const HAZARDS: &[(char, char, Kind, &str)] = &[
    ('\u{0}', '\u{8}', Kind::Control, "C0 NUL..BS"),
    ('\u{a}', '\u{1f}', Kind::Control, "C0 LF..US (ESC, CR, ...)"),
    ('\u{7f}', '\u{7f}', Kind::Control, "DEL"),
    (
        '\u{80}',
        '\u{9f}',
        Kind::Control,
        "C1 (CSI U+009B, OSC U+009D, ...)",
    ),
    ('\u{61c}', '\u{61c}', Kind::Bidi, "ARABIC LETTER MARK"),
    ('\u{200e}', '\u{200f}', Kind::Bidi, "LRM, RLM"),
    (
        '\u{202a}',
        '\u{202e}',
        Kind::Bidi,
        "LRE, RLE, PDF, LRO, RLO",
    ),
    ('\u{2066}', '\u{2069}', Kind::Bidi, "LRI, RLI, FSI, PDI"),
    ('\u{ad}', '\u{ad}', Kind::Invisible, "SOFT HYPHEN"),
    (
        '\u{115f}',
        '\u{1160}',
        Kind::Invisible,
        "HANGUL CHOSEONG/JUNGSEONG FILLER",
    ),
    (
        '\u{180e}',
        '\u{180e}',
        Kind::Invisible,
        "MONGOLIAN VOWEL SEPARATOR",
    ),
    ('\u{200b}', '\u{200d}', Kind::Invisible, "ZWSP, ZWNJ, ZWJ"),
    (
        '\u{2028}',
        '\u{2029}',
        Kind::Invisible,
        "LINE/PARAGRAPH SEPARATOR",
    ),
    (
        '\u{2060}',
        '\u{2064}',
        Kind::Invisible,
        "WORD JOINER, invisible operators",
    ),
    ('\u{3164}', '\u{3164}', Kind::Invisible, "HANGUL FILLER"),
    (
        '\u{feff}',
        '\u{feff}',
        Kind::Invisible,
        "ZERO WIDTH NO-BREAK SPACE (BOM)",
    ),
    (
        '\u{ffa0}',
        '\u{ffa0}',
        Kind::Invisible,
        "HALFWIDTH HANGUL FILLER",
    ),
    (
        '\u{fff9}',
        '\u{fffb}',
        Kind::Invisible,
        "INTERLINEAR ANNOTATION",
    ),
    ('\u{e0000}', '\u{e007f}', Kind::Invisible, "TAG characters"),
];

/// The kind of `c` by the list above (tab is not a hazard: it is expanded).
pub fn kind(c: char) -> Option<Kind> {
    HAZARDS
        .iter()
        .find(|(lo, hi, _, _)| (*lo..=*hi).contains(&c))
        .map(|(_, _, k, _)| *k)
}

/// Every hazardous character of the list.
pub fn all() -> impl Iterator<Item = char> {
    HAZARDS.iter().flat_map(|(lo, hi, _, _)| *lo..=*hi)
}

/// How the sanitizer must show `c`: caret notation for C0 and DEL,
/// `<U+XXXX>` (four hex digits at least, upper case) for the rest.
pub fn shown_as(c: char) -> String {
    let n = c as u32;
    if n < 0x20 {
        format!("^{}", (b'@' + n as u8) as char)
    } else if n == 0x7f {
        "^?".to_string()
    } else {
        format!("<U+{n:04X}>")
    }
}
