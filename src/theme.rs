//! Themes: a UI palette plus the name of a syntect theme, shipped as data in
//! `themes/*.toml` (dark and light built in); a user may point the config's
//! `theme` at a TOML file of the same shape.

use anyhow::{Context, Result};
use serde::Deserialize;

use crate::error::BadInput;

/// A colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl<'de> Deserialize<'de> for Rgb {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        parse_hex(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("'{s}' is not a #rrggbb colour")))
    }
}

fn parse_hex(s: &str) -> Option<Rgb> {
    let h = s.strip_prefix('#')?;
    if h.len() != 6 {
        return None;
    }
    let v = u32::from_str_radix(h, 16).ok()?;
    Some(Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8))
}

/// The colours of the UI and of `show`.
#[derive(Debug, Clone, Deserialize)]
pub struct Palette {
    pub text: Rgb,
    pub background: Rgb,
    pub muted: Rgb,
    pub accent: Rgb,
    pub selection_bg: Rgb,
    pub line_number: Rgb,
    pub hunk_header: Rgb,
    pub file_header: Rgb,
    pub plus_bg: Rgb,
    pub minus_bg: Rgb,
    pub plus_emph_bg: Rgb,
    pub minus_emph_bg: Rgb,
    pub escape_fg: Rgb,
    pub escape_bg: Rgb,
    pub critical: Rgb,
    pub high: Rgb,
    pub medium: Rgb,
    pub low: Rgb,
}

impl Palette {
    /// The colour of a risk level or severity name.
    pub fn level(&self, level: &str) -> Rgb {
        match level {
            "critical" => self.critical,
            "high" => self.high,
            "medium" => self.medium,
            _ => self.low,
        }
    }
}

/// A theme: UI palette and syntax theme.
#[derive(Debug, Clone, Deserialize)]
pub struct Theme {
    pub name: String,
    /// A theme name known to syntect/two-face (e.g. "Monokai Extended", "GitHub").
    pub syntax_theme: String,
    pub palette: Palette,
}

const DARK: &str = include_str!("../themes/dark.toml");
const LIGHT: &str = include_str!("../themes/light.toml");

impl Theme {
    /// Loads a built-in theme by name ("dark", "light"; default dark) or a
    /// theme file by path.
    pub fn load(name: Option<&str>) -> Result<Theme> {
        let (text, origin) = match name.unwrap_or("dark") {
            "dark" => (DARK.to_string(), "themes/dark.toml".to_string()),
            "light" => (LIGHT.to_string(), "themes/light.toml".to_string()),
            path => (
                std::fs::read_to_string(path).with_context(|| {
                    format!("reading theme '{path}' (built-in themes: dark, light)")
                })?,
                path.to_string(),
            ),
        };
        toml::from_str(&text).map_err(|e| {
            BadInput::new(format!(
                "{origin}: {}",
                crate::config::one_line(&e.to_string())
            ))
            .into()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_themes_load() {
        assert_eq!(Theme::load(None).unwrap().name, "dark");
        assert_eq!(
            Theme::load(Some("light")).unwrap().palette.background,
            Rgb(255, 255, 255)
        );
        assert!(Theme::load(Some("/nonexistent.toml")).is_err());
    }
}
