//! The UI's view of the syntax highlighter and theme (a seam: the lead's
//! `highlight`/`theme` modules plug in here).
//! TEMPORARY stand-in until `src/highlight.rs` lands on main.

use crate::diff::{FileDiff, Hunk};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenStyle {
    pub fg: Rgb,
    pub bold: bool,
    pub italic: bool,
    pub underline: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub start: u32,
    pub end: u32,
    pub style: TokenStyle,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineHighlight {
    pub tokens: Vec<Token>,
    pub emph: Vec<(u32, u32)>,
}

#[derive(Debug, Clone)]
pub struct Palette {
    pub plus_bg: Rgb,
    pub minus_bg: Rgb,
    pub plus_emph_bg: Rgb,
    pub minus_emph_bg: Rgb,
    pub line_number: Rgb,
    pub hunk_header: Rgb,
    pub file_header: Rgb,
    pub accent: Rgb,
    pub muted: Rgb,
    pub selection_bg: Rgb,
    pub escape_fg: Rgb,
    pub escape_bg: Rgb,
    pub critical: Rgb,
    pub high: Rgb,
    pub medium: Rgb,
    pub low: Rgb,
    pub text: Rgb,
    pub background: Rgb,
}

#[derive(Debug, Clone)]
pub struct Theme {
    pub name: String,
    pub syntax_theme: String,
    pub palette: Palette,
}

impl Theme {
    pub fn load(_name: Option<&str>) -> anyhow::Result<Theme> {
        Ok(Theme {
            name: "dark".into(),
            syntax_theme: "none".into(),
            palette: Palette {
                plus_bg: Rgb(0x1d, 0x3b, 0x25),
                minus_bg: Rgb(0x4a, 0x1e, 0x22),
                plus_emph_bg: Rgb(0x2b, 0x6a, 0x3a),
                minus_emph_bg: Rgb(0x8a, 0x2a, 0x31),
                line_number: Rgb(0x6e, 0x76, 0x81),
                hunk_header: Rgb(0x79, 0xc0, 0xff),
                file_header: Rgb(0xd2, 0xa8, 0xff),
                accent: Rgb(0x58, 0xa6, 0xff),
                muted: Rgb(0x8b, 0x94, 0x9e),
                selection_bg: Rgb(0x2d, 0x33, 0x3b),
                escape_fg: Rgb(0xff, 0xff, 0xff),
                escape_bg: Rgb(0xb6, 0x23, 0x24),
                critical: Rgb(0xff, 0x4d, 0x4f),
                high: Rgb(0xff, 0x9e, 0x3d),
                medium: Rgb(0xe3, 0xc5, 0x3b),
                low: Rgb(0x56, 0xd3, 0x64),
                text: Rgb(0xe6, 0xed, 0xf3),
                background: Rgb(0x0d, 0x11, 0x17),
            },
        })
    }
}

#[derive(Debug)]
pub struct Highlighter;

impl Highlighter {
    pub fn new(_theme: &Theme) -> Highlighter {
        Highlighter
    }

    pub fn highlight_hunk(&self, _file: &FileDiff, hunk: &Hunk) -> Vec<LineHighlight> {
        vec![LineHighlight::default(); hunk.lines.len()]
    }

    pub fn highlight_file(&self, file: &FileDiff) -> Vec<Vec<LineHighlight>> {
        file.hunks
            .iter()
            .map(|h| self.highlight_hunk(file, h))
            .collect()
    }
}
