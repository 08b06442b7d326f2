//! Reading lines of code without a parser, for the rules that look at text:
//! where a function starts and what it is called, and whether a name stands
//! in a text as a whole word. One definition each, so the rules that ask
//! agree on the answer.

use std::sync::LazyLock;

use regex::Regex;

/// Modifiers before a function's keyword or return type.
const MODIFIERS: &str = r"pub(?:\([\w:]+\))?|export|default|static|async|override|private|public|protected|internal|final|suspend|open|unsafe";

/// The first line of a function: a keyword form (`func (s *S) name(`, `def
/// name(`, Ruby's `def self.name`, `function name(`, `fn name(`, `fun name(`) or a typed method with at
/// least one modifier (`public async Task<int> Name(`), with its name.
static FUNCTION_HEAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^\s*(?:(?:{MODIFIERS})\s+)*(?:func|def|function|fn|fun|sub)\s+(?:\([^)]*\)\s*)?(?:self\.)?(\w+)|^\s*(?:(?:{MODIFIERS})\s+)+[\w<>\[\],.? ]*?\s(\w+)\s*\("
    ))
    .expect("a valid regex")
});

/// The name of the function whose first line this is, if it is one.
pub fn function_name(line: &str) -> Option<&str> {
    let c = FUNCTION_HEAD.captures(line)?;
    c.get(1).or(c.get(2)).map(|m| m.as_str())
}

/// Whether a line starts a function.
pub fn starts_function(line: &str) -> bool {
    FUNCTION_HEAD.is_match(line)
}

/// The function a decorator or annotation at line index `at` of `lines`
/// applies to: the indices from its first line (within a few lines below,
/// past the rest of the decorator stack and the decorator's own arguments)
/// up to the next function or decorator, or the end.
pub fn decorated_function(lines: &[&str], at: usize) -> Option<std::ops::Range<usize>> {
    let sig = (at..lines.len().min(at + 12)).find(|&i| starts_function(lines[i]))?;
    let end = (sig + 1..lines.len())
        .find(|&i| starts_function(lines[i]) || lines[i].trim_start().starts_with('@'))
        .unwrap_or(lines.len());
    Some(sig..end)
}

/// Whether `word` stands in `text` whole: not inside a longer identifier.
pub fn has_word(text: &str, word: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    !word.is_empty()
        && text.match_indices(word).any(|(i, _)| {
            !text[..i].chars().next_back().is_some_and(ident)
                && !text[i + word.len()..].chars().next().is_some_and(ident)
        })
}

/// A call's argument text split at its top-level commas (not those inside
/// brackets or quotes): `a, f(b, c), "d,e"` → `a`, ` f(b, c)`, ` "d,e"`.
pub fn top_level_args(args: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for c in args.chars() {
        match (c, quote) {
            ('"' | '\'', None) => quote = Some(c),
            (q, Some(open)) if q == open => quote = None,
            ('(' | '[' | '{', None) => depth += 1,
            (')' | ']' | '}', None) => depth -= 1,
            (',', None) if depth == 0 => {
                out.push(String::new());
                continue;
            }
            _ => {}
        }
        out.last_mut().expect("one").push(c);
    }
    out
}

/// The bracket closing the one at `open` (any of `(`, `[`, `{`), within a
/// few thousand bytes; brackets inside strings are counted too.
pub fn closing_bracket(b: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, &c) in b.iter().enumerate().skip(open).take(4000) {
        match c {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// The bracket opening the one at `close` (any of `)`, `]`, `}`), within
/// a few thousand bytes before it.
pub fn opening_bracket(b: &[u8], close: usize) -> Option<usize> {
    let mut depth = 0usize;
    for i in (close.saturating_sub(4000)..=close).rev() {
        match b[i] {
            b')' | b']' | b'}' => depth += 1,
            b'(' | b'[' | b'{' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{function_name, has_word, starts_function, top_level_args};

    #[test]
    fn arguments_split_only_at_top_level_commas() {
        assert_eq!(
            top_level_args("a, f(b, c), \"d,e\", 'f,g', [1, 2]"),
            vec!["a", " f(b, c)", " \"d,e\"", " 'f,g'", " [1, 2]"]
        );
        assert_eq!(top_level_args(""), vec![""]);
    }

    #[test]
    fn function_heads_are_found_with_their_names() {
        assert_eq!(
            function_name("func (s *Server) Update(w http.ResponseWriter) {"),
            Some("Update")
        );
        assert_eq!(
            function_name("func requireAdmin(w http.ResponseWriter) *P {"),
            Some("requireAdmin")
        );
        assert_eq!(
            function_name("    async def issue_refund(order):"),
            Some("issue_refund")
        );
        assert_eq!(
            function_name("export async function load(req) {"),
            Some("load")
        );
        assert_eq!(
            function_name("pub(crate) fn post(&mut self) -> u32 {"),
            Some("post")
        );
        assert_eq!(
            function_name("    private fun createCharge(req: R): C {"),
            Some("createCharge")
        );
        assert_eq!(
            function_name("    public async Task<IActionResult> Refund(int id)"),
            Some("Refund")
        );
        // Calls and statements are not function heads.
        assert!(!starts_function("    return requireAdmin(w, r)"));
        assert!(!starts_function("    result = compute(x)"));
        assert!(!starts_function(
            "    if (problem is not null) return problem;"
        ));
    }

    #[test]
    fn whole_words_only() {
        assert!(has_word("x = TOKEN_TTL + 1", "TOKEN_TTL"));
        assert!(!has_word("x = TOKEN_TTL_MAX", "TOKEN_TTL"));
        assert!(!has_word("legacy_phone_verified_at", "legacy_phone"));
        assert!(has_word("é legacy_phone;", "legacy_phone"));
        assert!(!has_word("anything", ""));
    }
}
