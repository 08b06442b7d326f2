//! Syntax highlighting of diff hunks with syntect: the language from the file
//! name, then its first line; parse state carried through each hunk so
//! multi-line strings and comments colour correctly. Syntaxes load lazily once;
//! a `Highlighter` is Send + Sync, so files highlight in parallel.

use std::sync::OnceLock;

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use syntect::highlighting::{
    FontStyle, Highlighter as SynHighlighter, ScopeSelectors, Style, Theme as SynTheme,
};
use syntect::parsing::{
    BasicScopeStackOp, ParseState, Scope, ScopeStack, SyntaxReference, SyntaxSet,
};

use crate::diff::{FileDiff, Hunk, LineKind};
use crate::intraline::hunk_emphasis;
use crate::theme::{Rgb, Theme};

/// Lines longer than this are shown without syntax colours (parsing them is
/// slow and nobody reads a minified line for its colours).
pub const MAX_HIGHLIGHT_LINE: usize = 2000;

/// The style of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenStyle {
    pub fg: Rgb,
    pub bold: bool,
    pub italic: bool,
    pub underline: bool,
}

/// A coloured byte range of a line's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub start: u32,
    pub end: u32,
    pub style: TokenStyle,
}

/// The colours of one diff line: syntax tokens and changed-word ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineHighlight {
    pub tokens: Vec<Token>,
    /// Byte ranges of words changed within a paired line.
    pub emph: Vec<(u32, u32)>,
}

fn syntax_set() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(two_face::syntax::extra_newlines)
}

/// Finds a syntect theme by name among two-face's embedded themes.
fn syntect_theme(name: &str) -> SynTheme {
    let set = two_face::theme::extra();
    let found = two_face::theme::EmbeddedLazyThemeSet::theme_names()
        .iter()
        .find(|t| t.as_name().eq_ignore_ascii_case(name))
        .copied()
        .unwrap_or(two_face::theme::EmbeddedThemeName::MonokaiExtended);
    set.get(found).clone()
}

/// Highlights hunks for one theme.
pub struct Highlighter {
    inner: SynHighlighter<'static>,
    /// Identifies this highlighter in the per-thread style caches.
    id: usize,
}

thread_local! {
    /// Resolved styles by scope stack, per thread: resolving a stack scans every
    /// selector of the theme, and a file uses only a few hundred distinct stacks.
    static STYLES: RefCell<(usize, HashMap<Vec<Scope>, Style>)> = RefCell::new((0, HashMap::new()));
}

/// The parse state of one side of a hunk: syntect's parser, the scope stack and
/// the style of each level of it.
#[derive(Clone)]
struct SideState {
    parse: ParseState,
    stack: ScopeStack,
    styles: Vec<Style>,
}

impl Highlighter {
    /// A highlighter for `theme`'s syntax theme.
    pub fn new(theme: &Theme) -> Highlighter {
        let syn: &'static SynTheme = Box::leak(Box::new(syntect_theme(&theme.syntax_theme)));
        static NEXT_ID: AtomicUsize = AtomicUsize::new(1);
        Highlighter {
            inner: SynHighlighter::new(syn),
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// The syntax for a file: by name/extension, then by its first line.
    fn syntax_for(&self, file: &FileDiff) -> Option<&'static SyntaxReference> {
        let ss = syntax_set();
        let path = file.display_path();
        let name = path.rsplit('/').next().unwrap_or(path);
        let by_name = ss.find_syntax_by_extension(name).or_else(|| {
            name.rsplit_once('.')
                .and_then(|(_, ext)| ss.find_syntax_by_extension(ext))
        });
        let syntax = by_name.or_else(|| {
            let first = file
                .hunks
                .first()?
                .lines
                .iter()
                .find(|l| l.new_no == Some(1) || l.old_no == Some(1))?;
            ss.find_syntax_by_first_line(&first.content)
        })?;
        (syntax.name != "Plain Text").then_some(syntax)
    }

    /// Highlights every hunk of a file: per hunk, one entry per line.
    pub fn highlight_file(&self, file: &FileDiff) -> Vec<Vec<LineHighlight>> {
        let syntax = if file.binary {
            None
        } else {
            self.syntax_for(file)
        };
        file.hunks
            .iter()
            .map(|h| self.highlight_hunk_with(syntax, h))
            .collect()
    }

    /// Highlights one hunk of `file`.
    pub fn highlight_hunk(&self, file: &FileDiff, hunk: &Hunk) -> Vec<LineHighlight> {
        self.highlight_hunk_with(self.syntax_for(file), hunk)
    }

    fn highlight_hunk_with(
        &self,
        syntax: Option<&'static SyntaxReference>,
        hunk: &Hunk,
    ) -> Vec<LineHighlight> {
        let emph = hunk_emphasis(hunk);
        let mut out: Vec<LineHighlight> = emph
            .into_iter()
            .map(|emph| LineHighlight {
                tokens: Vec::new(),
                emph,
            })
            .collect();
        let Some(syntax) = syntax else {
            return out;
        };
        let ss = syntax_set();
        // The new side's state runs through context and added lines; a block of
        // removed lines starts from a copy of the state before it.
        let default = self.inner.get_default();
        let mut plus = SideState {
            parse: ParseState::new(syntax),
            stack: ScopeStack::new(),
            styles: vec![default],
        };
        let mut minus: Option<SideState> = None;
        let mut buf = String::new();
        STYLES.with(|cache| {
            let mut cache = cache.borrow_mut();
            if cache.0 != self.id {
                *cache = (self.id, HashMap::new());
            }
            let styles = &mut cache.1;
            for (line, hl) in hunk.lines.iter().zip(out.iter_mut()) {
                if line.content.len() > MAX_HIGHLIGHT_LINE {
                    continue;
                }
                let state = if line.kind == LineKind::Removed {
                    minus.get_or_insert_with(|| plus.clone())
                } else {
                    minus = None;
                    &mut plus
                };
                buf.clear();
                buf.push_str(&line.content);
                buf.push('\n');
                let Ok(ops) = state.parse.parse_line(&buf, ss) else {
                    // A syntax error in syntect's own grammar: leave the rest plain.
                    return;
                };
                let len = line.content.len() as u32;
                let mut pos = 0u32;
                for (at, op) in &ops {
                    let at = (*at as u32).min(len);
                    push_token(&mut hl.tokens, pos, at, state.styles.last().copied());
                    pos = pos.max(at);
                    let (stack_styles, highlighter) = (&mut state.styles, &self.inner);
                    let _ = state
                        .stack
                        .apply_with_hook(op, |basic, scopes| match basic {
                            BasicScopeStackOp::Push(_) => {
                                let style = match styles.get(scopes) {
                                    Some(s) => *s,
                                    None => {
                                        let s = highlighter.style_for_stack(scopes);
                                        styles.insert(scopes.to_vec(), s);
                                        s
                                    }
                                };
                                stack_styles.push(style);
                            }
                            BasicScopeStackOp::Pop => {
                                if stack_styles.len() > 1 {
                                    stack_styles.pop();
                                }
                            }
                        });
                }
                push_token(&mut hl.tokens, pos, len, state.styles.last().copied());
            }
        });
        out
    }
}

/// Appends a token for `start..end`, merged with the previous one when the
/// style is the same.
fn push_token(tokens: &mut Vec<Token>, start: u32, end: u32, style: Option<Style>) {
    let Some(style) = style.filter(|_| start < end) else {
        return;
    };
    let style = TokenStyle {
        fg: Rgb(style.foreground.r, style.foreground.g, style.foreground.b),
        bold: style.font_style.contains(FontStyle::BOLD),
        italic: style.font_style.contains(FontStyle::ITALIC),
        underline: style.font_style.contains(FontStyle::UNDERLINE),
    };
    match tokens.last_mut() {
        Some(last) if last.end == start && last.style == style => last.end = end,
        _ => tokens.push(Token { start, end, style }),
    }
}

/// Forces the lazy syntax set to load (e.g. on a background thread at start-up).
pub fn warm_up() {
    let _ = syntax_set();
    let _ = ScopeSelectors::default();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{DiffLine, FileStatus, MinusPlus};

    fn file(path: &str, lines: &[(LineKind, &str)]) -> FileDiff {
        let mut n = 0;
        FileDiff {
            path: MinusPlus::new(Some(path.into()), Some(path.into())),
            status: FileStatus::Modified,
            mode: MinusPlus::default(),
            blob: MinusPlus::default(),
            similarity: None,
            binary: false,
            size: MinusPlus::default(),
            additions: 0,
            deletions: 0,
            hunks: vec![Hunk {
                old_start: 1,
                old_lines: 0,
                new_start: 1,
                new_lines: 0,
                section: String::new(),
                lines: lines
                    .iter()
                    .map(|(k, c)| {
                        n += 1;
                        DiffLine {
                            kind: *k,
                            old_no: Some(n),
                            new_no: Some(n),
                            content: c.to_string(),
                            no_newline: false,
                            invalid_utf8: false,
                        }
                    })
                    .collect(),
            }],
        }
    }

    #[test]
    fn multi_line_comment_colours_carry_across_lines() {
        let h = Highlighter::new(&Theme::load(None).unwrap());
        let f = file(
            "a.rs",
            &[
                (LineKind::Context, "/* start of a comment"),
                (LineKind::Added, "let x = 1; still comment"),
                (LineKind::Context, "*/ let y = 2;"),
            ],
        );
        let out = h.highlight_file(&f);
        let comment = out[0][0].tokens[0].style;
        let inside = &out[0][1].tokens;
        assert!(
            inside.iter().all(|t| t.style == comment),
            "a line inside a block comment is coloured as comment: {inside:?}"
        );
        let after = &out[0][2].tokens;
        assert!(
            after.iter().any(|t| t.style != comment),
            "after */ code colours return"
        );
    }

    #[test]
    fn unknown_files_stay_plain() {
        let h = Highlighter::new(&Theme::load(None).unwrap());
        let f = file("notes.unknownext", &[(LineKind::Added, "hello")]);
        assert!(h.highlight_file(&f)[0][0].tokens.is_empty());
    }
}
