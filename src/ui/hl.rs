//! The highlighter and theme as the UI sees them (re-exported from the
//! `highlight` and `theme` modules).

pub use crate::highlight::{Highlighter, LineHighlight, Token, TokenStyle};
pub use crate::theme::{Palette, Rgb, Theme};
