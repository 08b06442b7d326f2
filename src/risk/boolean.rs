//! Conditions compared by what they decide, not how they are written.
//! `not (a or b)` and `not a and not b`, `x != ""` and `!(x == "")`,
//! `a > b` and `b < a`, `i <= n - 1` and `i < n`: a refactor rewrites a
//! condition into one of these and decides exactly what it decided before.
//! Each condition is read as a boolean formula over its comparisons and
//! calls (the atoms), and two conditions are the same when their truth
//! tables over the same atoms agree.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;

/// A condition read as a formula.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Formula {
    Atom(String),
    Not(Box<Formula>),
    And(Vec<Formula>),
    Or(Vec<Formula>),
}

/// Beyond this many atoms a truth table is not worth building: such
/// conditions are compared as text.
const MAX_ATOMS: usize = 10;

/// The truth table of a condition over its sorted atoms: conditions that
/// decide the same thing have the same form. `None` when the condition
/// cannot be read (unbalanced, too many atoms).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TruthTable {
    atoms: Vec<String>,
    rows: Vec<bool>,
}

impl TruthTable {
    /// Reads `cond` (Python, Ruby, PHP, shell words and C-family operators).
    pub fn of(cond: &str) -> Option<TruthTable> {
        let f = formula(cond)?;
        let mut atoms = BTreeSet::new();
        collect(&f, &mut atoms);
        if atoms.is_empty() || atoms.len() > MAX_ATOMS {
            return None;
        }
        let atoms: Vec<String> = atoms.into_iter().collect();
        let rows = (0..1u32 << atoms.len())
            .map(|bits| eval(&f, &atoms, bits))
            .collect();
        Some(TruthTable { atoms, rows })
    }

    /// The condition that holds exactly when this one does not.
    pub fn negated(&self) -> TruthTable {
        TruthTable {
            atoms: self.atoms.clone(),
            rows: self.rows.iter().map(|r| !r).collect(),
        }
    }
}

/// `cond` read as a formula, or `None` when it cannot be read.
fn formula(cond: &str) -> Option<Formula> {
    let tokens = tokenize(cond)?;
    let mut p = Parser { t: &tokens, i: 0 };
    let f = p.or()?;
    (p.i == tokens.len()).then_some(f)
}

/// Whether `new` holds only where `old` does, and not everywhere it does: a
/// guard that stops on `new` lets through some of what `old` stopped
/// (`not valid(sig)` → `sig and not valid(sig)`: a missing signature passes).
pub fn narrower(old: &str, new: &str) -> bool {
    let (Some(a), Some(b)) = (formula(old), formula(new)) else {
        return false;
    };
    let mut atoms = BTreeSet::new();
    collect(&a, &mut atoms);
    collect(&b, &mut atoms);
    if atoms.is_empty() || atoms.len() > MAX_ATOMS {
        return false;
    }
    let atoms: Vec<String> = atoms.into_iter().collect();
    let mut strictly = false;
    for bits in 0..1u32 << atoms.len() {
        let (o, n) = (eval(&a, &atoms, bits), eval(&b, &atoms, bits));
        if n && !o {
            return false;
        }
        strictly |= o && !n;
    }
    strictly
}

/// Whether two conditions decide the same thing, however written.
pub fn equivalent(a: &str, b: &str) -> bool {
    match (TruthTable::of(a), TruthTable::of(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// Whether `b` holds exactly when `a` does not (a guard turned around, its
/// branches swapped: `if a && b { work } else { return }` → `if !a || !b {
/// return }`).
pub fn opposite(a: &str, b: &str) -> bool {
    match (TruthTable::of(a), TruthTable::of(b)) {
        (Some(x), Some(y)) => x.negated() == y,
        _ => false,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    And,
    Or,
    Not,
    Open,
    Close,
    /// Text between operators, whitespace kept for the atom reader.
    Text(String),
}

/// Splits a condition into boolean operators, grouping parentheses and the
/// text between them. A parenthesis right after a name is a call's and stays
/// in the text; strings are copied whole.
fn tokenize(s: &str) -> Option<Vec<Token>> {
    let chars: Vec<char> = s.chars().collect();
    let mut out: Vec<Token> = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    // Depth of call and index brackets inside the current text.
    let mut depth = 0i32;
    let flush = |text: &mut String, out: &mut Vec<Token>| {
        if !text.trim().is_empty() {
            out.push(Token::Text(text.trim().to_string()));
        }
        text.clear();
    };
    let word_at = |i: usize, w: &str| -> bool {
        let wc: Vec<char> = w.chars().collect();
        chars.len() >= i + wc.len()
            && chars[i..i + wc.len()] == wc[..]
            && (i == 0 || !is_word(chars[i - 1]))
            && chars.get(i + wc.len()).is_none_or(|c| !is_word(*c))
    };
    while i < chars.len() {
        let c = chars[i];
        if c == '"' || c == '\'' || c == '`' {
            let start = i;
            i += 1;
            while i < chars.len() && chars[i] != c {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            if i >= chars.len() {
                return None;
            }
            text.extend(&chars[start..=i]);
            i += 1;
            continue;
        }
        if depth > 0 {
            match c {
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                _ => {}
            }
            text.push(c);
            i += 1;
            continue;
        }
        let next = chars.get(i + 1).copied();
        if c == '&' && next == Some('&') || c == '|' && next == Some('|') {
            flush(&mut text, &mut out);
            out.push(if c == '&' { Token::And } else { Token::Or });
            i += 2;
            continue;
        }
        if text.trim().is_empty() && (word_at(i, "not") || c == '!' && next != Some('=')) {
            flush(&mut text, &mut out);
            out.push(Token::Not);
            i += if c == '!' { 1 } else { 3 };
            continue;
        }
        if word_at(i, "and") || word_at(i, "or") {
            // `x not in y`, `a is not b` keep their `not`; `and`/`or` split.
            flush(&mut text, &mut out);
            let and = chars[i] == 'a';
            out.push(if and { Token::And } else { Token::Or });
            i += if and { 3 } else { 2 };
            continue;
        }
        match c {
            '(' if text.trim().is_empty() => {
                flush(&mut text, &mut out);
                out.push(Token::Open);
            }
            ')' => {
                flush(&mut text, &mut out);
                out.push(Token::Close);
            }
            '(' | '[' | '{' => {
                depth += 1;
                text.push(c);
            }
            ']' | '}' => return None,
            _ => text.push(c),
        }
        i += 1;
    }
    if depth != 0 {
        return None;
    }
    flush(&mut text, &mut out);
    Some(out)
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$' || c == '.'
}

struct Parser<'t> {
    t: &'t [Token],
    i: usize,
}

impl Parser<'_> {
    fn or(&mut self) -> Option<Formula> {
        let mut parts = vec![self.and()?];
        while self.t.get(self.i) == Some(&Token::Or) {
            self.i += 1;
            parts.push(self.and()?);
        }
        Some(if parts.len() == 1 {
            parts.pop()?
        } else {
            Formula::Or(parts)
        })
    }

    fn and(&mut self) -> Option<Formula> {
        let mut parts = vec![self.not()?];
        while self.t.get(self.i) == Some(&Token::And) {
            self.i += 1;
            parts.push(self.not()?);
        }
        Some(if parts.len() == 1 {
            parts.pop()?
        } else {
            Formula::And(parts)
        })
    }

    fn not(&mut self) -> Option<Formula> {
        match self.t.get(self.i)? {
            Token::Not => {
                self.i += 1;
                Some(Formula::Not(Box::new(self.not()?)))
            }
            Token::Open => {
                self.i += 1;
                let inner = self.or()?;
                if self.t.get(self.i) != Some(&Token::Close) {
                    return None;
                }
                self.i += 1;
                // `(a == b) == false` and the like are not read.
                if matches!(self.t.get(self.i), Some(Token::Text(_))) {
                    return None;
                }
                Some(inner)
            }
            Token::Text(t) => {
                self.i += 1;
                Some(atom(t))
            }
            _ => None,
        }
    }
}

/// One comparison or call, in a canonical spelling: `a != b` is `!(a == b)`,
/// `a > b` is `b < a`, `a >= b` is `!(a < b)`, `x is None` is `x == null`,
/// `i <= n - 1` is `i < n`, `x == false` is `!x`.
fn atom(text: &str) -> Formula {
    let t: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    // Cheap tests first: atoms are read many times over.
    let maybe_empty = ["mpty", "len", "size", "ount", "ength", "\"\"", "''"]
        .iter()
        .any(|w| t.contains(w));
    let maybe_equal = ["ompare", "qual", "_eq"].iter().any(|w| t.contains(w));
    if let Some(f) = maybe_empty
        .then(|| emptiness(&t))
        .flatten()
        .or_else(|| maybe_equal.then(|| constant_time_equality(&t)).flatten())
        .or_else(|| maybe_equal.then(|| object_equality(&t)).flatten())
    {
        return f;
    }
    for (op, canon, swap, negate) in [
        (" not in ", " in ", false, true),
        (" is not ", "==", false, true),
        ("!==", "==", false, true),
        ("===", "==", false, false),
        ("!=", "==", false, true),
        ("==", "==", false, false),
        (" is ", "==", false, false),
        (">=", "<", false, true),
        ("<=", "<", true, true),
        (">", "<", true, false),
        ("<", "<", false, false),
        (" in ", " in ", false, false),
    ] {
        let Some(at) = top_level_find(&t, op) else {
            continue;
        };
        let (l, r) = (t[..at].trim(), t[at + op.len()..].trim());
        if l.is_empty() || r.is_empty() || l.ends_with(['-', '=', '<', '>']) {
            continue;
        }
        let (mut l, mut r) = (value(l), value(r));
        let mut negate = negate;
        if canon == "==" {
            // `x == true`, `x == false`.
            for (side, other) in [(&r, &l), (&l, &r)] {
                if side == "true" {
                    let f = Formula::Atom(other.clone());
                    return if negate { Formula::Not(Box::new(f)) } else { f };
                }
                if side == "false" {
                    let f = Formula::Atom(other.clone());
                    return if negate { f } else { Formula::Not(Box::new(f)) };
                }
            }
            if l > r {
                std::mem::swap(&mut l, &mut r);
            }
        }
        if swap {
            std::mem::swap(&mut l, &mut r);
        }
        if canon == "<" {
            // Integer bounds one apart: `i <= n - 1` (read as `!(n - 1 < i)`)
            // is `i < n`.
            if let Some(base) = l.strip_suffix("-1") {
                // `n-1 < i` is `!(i < n)`.
                let f = Formula::Atom(format!("{r}<{base}"));
                negate = !negate;
                return if negate { Formula::Not(Box::new(f)) } else { f };
            }
            if let Some(base) = r.strip_suffix("+1") {
                // `i < n + 1` is `!(n < i)`.
                let f = Formula::Atom(format!("{base}<{l}"));
                negate = !negate;
                return if negate { Formula::Not(Box::new(f)) } else { f };
            }
        }
        let f = Formula::Atom(format!("{l}{canon}{r}"));
        return if negate { Formula::Not(Box::new(f)) } else { f };
    }
    Formula::Atom(value(&t))
}

/// A test for emptiness in any of its spellings, read as one atom:
/// `x.is_empty()`, `x.isEmpty()`, `x.empty?`, `len(x) == 0`, `x.len() == 0`,
/// `x.length === 0`, `x.size() > 0` (negated), `x == ""`.
fn emptiness(t: &str) -> Option<Formula> {
    static METHOD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(.+?)\s*\.\s*(?:is_empty|isEmpty|IsEmpty|empty\?)\s*(?:\(\s*\))?$").unwrap()
    });
    static LENGTH: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:len\((.+)\)|(.+?)\s*\.\s*(?:len|size|count|length|Length|Count)\s*(?:\(\s*\))?)\s*(==|===|!=|!==|>|<=)\s*0$").unwrap()
    });
    static BLANK: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"^(.+?)\s*(==|===|!=|!==)\s*(?:""|'')$"#).unwrap());
    let atom = |x: &str, empty: bool| {
        let f = Formula::Atom(format!("empty({})", value(x)));
        if empty { f } else { Formula::Not(Box::new(f)) }
    };
    if let Some(c) = METHOD.captures(t) {
        return Some(atom(&c[1], true));
    }
    if let Some(c) = LENGTH.captures(t) {
        let x = c.get(1).or(c.get(2))?.as_str();
        return Some(atom(x, matches!(&c[3], "==" | "===" | "<=")));
    }
    if let Some(c) = BLANK.captures(t) {
        return Some(atom(&c[1], matches!(&c[2], "==" | "===")));
    }
    None
}

/// An equality tested in constant time, read as the equality it tests:
/// `subtle.ConstantTimeCompare([]byte(a), b) == 1`, `hmac.compare_digest(a,
/// b)`, `crypto.timingSafeEqual(…)`, `MessageDigest.isEqual(…)`,
/// `secure_compare(…)`, with byte conversions of the operands dropped.
fn constant_time_equality(t: &str) -> Option<Formula> {
    static CALL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:[\w:.]*\.)?(ConstantTimeCompare|compare_digest|Equal|timingSafeEqual|isEqual|secure_compare|FixedTimeEquals|constant_time_eq|ct_eq)\((.*)\)\s*(?:(==|!=)\s*1)?$").unwrap()
    });
    static BYTES: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^(?:\[\]byte\((.+)\)|Buffer\.from\((.+?)(?:,\s*["']\w+["'])?\)|(.+?)\.(?:encode\(\)|as_bytes\(\)|getBytes\([^)]*\)|to_bytes\(\)))$"#).unwrap()
    });
    let c = CALL.captures(t)?;
    if &c[1] == "ConstantTimeCompare" && c.get(3).is_none() {
        return None;
    }
    let args = super::code::top_level_args(&c[2]);
    if args.len() != 2 {
        return None;
    }
    let plain = |a: &str| -> String {
        let a = a.trim();
        BYTES
            .captures(a)
            .and_then(|b| b.get(1).or(b.get(2)).or(b.get(3)))
            .map_or_else(|| value(a), |m| value(m.as_str()))
    };
    Some(equality(
        plain(&args[0]),
        plain(&args[1]),
        c.get(3).is_some_and(|m| m.as_str() == "!="),
    ))
}

/// The atom `l == r`, its operands in one order whichever way they were
/// written, negated for `!=`.
fn equality(l: String, r: String, negated: bool) -> Formula {
    let (l, r) = if l > r { (r, l) } else { (l, r) };
    let f = Formula::Atom(format!("{l}=={r}"));
    if negated {
        Formula::Not(Box::new(f))
    } else {
        f
    }
}

/// Value equality of objects, read as `==`: `a.equals(b)`, `Objects.equals(a,
/// b)`, `a.compareTo(b) == 0` (`!= 0` negated), C#'s `a.Equals(b)`.
fn object_equality(t: &str) -> Option<Formula> {
    static METHOD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(.+?)\.(equals|Equals|compareTo|CompareTo)\((.+)\)\s*(?:(==|!=)\s*0)?$")
            .unwrap()
    });
    static STATIC: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:java\.util\.)?(?:Objects\.equals|Object\.Equals|Objects\.Equals)\((.+)\)$")
            .unwrap()
    });
    let (l, r, negated) = if let Some(c) = STATIC.captures(t) {
        let args = super::code::top_level_args(&c[1]);
        if args.len() != 2 {
            return None;
        }
        (value(&args[0]), value(&args[1]), false)
    } else {
        let c = METHOD.captures(t)?;
        let compares = c[2].eq_ignore_ascii_case("compareTo");
        // `compareTo` decides equality only against zero; `equals` never is.
        if compares != c.get(4).is_some() || !balanced(&c[3]) {
            return None;
        }
        let negated = c.get(4).is_some_and(|m| m.as_str() == "!=");
        (value(&c[1]), value(&c[3]), negated)
    };
    Some(equality(l, r, negated))
}

/// An operand with spacing and redundant parentheses removed, the null
/// words made one.
fn value(s: &str) -> String {
    let mut v: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    while v.starts_with('(') && v.ends_with(')') && balanced(&v[1..v.len() - 1]) {
        v = v[1..v.len() - 1].to_string();
    }
    match v.as_str() {
        "None" | "nil" | "null" | "NULL" | "undefined" => "null".into(),
        "True" => "true".into(),
        "False" => "false".into(),
        _ => v,
    }
}

fn balanced(s: &str) -> bool {
    let mut d = 0i32;
    for c in s.chars() {
        match c {
            '(' => d += 1,
            ')' => d -= 1,
            _ => {}
        }
        if d < 0 {
            return false;
        }
    }
    d == 0
}

/// The parts of a condition joined by a top-level "or" (`a || b`, `a or
/// b`): a guard stops whenever any of them holds.
pub(crate) fn disjuncts(t: &str) -> Vec<&str> {
    split_top(t, &[("||", 2), (" or ", 4)])
}

/// The parts of a condition joined by a top-level "and" (`a && b`, `a and
/// b`): it holds only when all of them do.
pub(crate) fn conjuncts(t: &str) -> Vec<&str> {
    split_top(t, &[("&&", 2), (" and ", 5)])
}

/// `(a && b)` → `a && b`: the brackets around the whole, when they match.
pub(crate) fn without_outer_parens(t: &str) -> &str {
    let mut t = t.trim();
    while t.starts_with('(') && t.ends_with(')') && balanced(&t[1..t.len() - 1]) {
        t = t[1..t.len() - 1].trim();
    }
    t
}

/// `t` split at each top-level occurrence of any of `ops` (with their lengths).
fn split_top<'a>(t: &'a str, ops: &[(&str, usize)]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = t;
    loop {
        let at = ops
            .iter()
            .filter_map(|(op, len)| top_level_find(rest, op).map(|i| (i, *len)))
            .min();
        match at {
            Some((i, len)) => {
                out.push(rest[..i].trim());
                rest = &rest[i + len..];
            }
            None => {
                out.push(rest.trim());
                return out;
            }
        }
    }
}

/// The first place `op` occurs outside brackets and strings.
fn top_level_find(t: &str, op: &str) -> Option<usize> {
    let b = t.as_bytes();
    let mut depth = 0i32;
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if let Some(q) = quote {
            if c == b'\\' {
                i += 1;
            } else if c == q {
                quote = None;
            }
        } else {
            match c {
                b'"' | b'\'' | b'`' => quote = Some(c),
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth -= 1,
                _ if depth == 0 && b[i..].starts_with(op.as_bytes()) => {
                    // `->`, `=>`, `<<`, `>>`, `<=`/`>=` read as longer operators.
                    let prev = i.checked_sub(1).map(|p| b[p]);
                    let next = b.get(i + op.len()).copied();
                    let arrow = op == ">" && matches!(prev, Some(b'-' | b'='));
                    let shift = (op == "<" || op == ">")
                        && (next == Some(c) || prev == Some(c) || next == Some(b'='));
                    let longer = (op == "==" || op == "!=") && next == Some(b'=');
                    let assign_part = op == "==" && matches!(prev, Some(b'=' | b'!'));
                    if !(arrow || shift || longer || assign_part) {
                        return Some(i);
                    }
                }
                _ => {}
            }
        }
        i += 1;
    }
    None
}

fn collect(f: &Formula, atoms: &mut BTreeSet<String>) {
    match f {
        Formula::Atom(a) => {
            atoms.insert(a.clone());
        }
        Formula::Not(x) => collect(x, atoms),
        Formula::And(xs) | Formula::Or(xs) => xs.iter().for_each(|x| collect(x, atoms)),
    }
}

fn eval(f: &Formula, atoms: &[String], bits: u32) -> bool {
    match f {
        Formula::Atom(a) => {
            let i = atoms.iter().position(|x| x == a).unwrap_or(0);
            bits >> i & 1 == 1
        }
        Formula::Not(x) => !eval(x, atoms, bits),
        Formula::And(xs) => xs.iter().all(|x| eval(x, atoms, bits)),
        Formula::Or(xs) => xs.iter().any(|x| eval(x, atoms, bits)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_with_characters_of_several_bytes_are_read_without_panicking() {
        // A condition shortened for display ends in `…` (three bytes).
        assert!(equivalent(
            "addr.is_unspecifi… or ok",
            "ok or addr.is_unspecifi…"
        ));
        assert!(!equivalent("naïve == 1 and ok", "naïve == 2 and ok"));
    }

    #[test]
    fn emptiness_and_constant_time_equality_are_read_in_any_spelling() {
        assert!(equivalent("user_id.len() == 0", "user_id.is_empty()"));
        assert!(equivalent("len(tok) == 0", "tok == \"\""));
        assert!(equivalent("items.length > 0", "!items.isEmpty()"));
        assert!(!equivalent("items.length > 0", "items.isEmpty()"));
        assert!(equivalent(
            "a.token == \"\" || got != a.token",
            "len(a.token) == 0 || subtle.ConstantTimeCompare([]byte(got), a.token) != 1"
        ));
        assert!(equivalent(
            "hmac.compare_digest(sig, expected)",
            "expected == sig"
        ));
        assert!(opposite(
            "crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b))",
            "a !== b"
        ));
        // Another operand is another test.
        assert!(!equivalent(
            "got != a.token",
            "subtle.ConstantTimeCompare([]byte(got), a.other) != 1"
        ));
    }

    #[test]
    fn object_equality_is_read_in_any_spelling() {
        assert!(equivalent(
            "done.signum() == 0 && requested.equals(payment.getCaptured())",
            "done.signum() == 0 && requested.compareTo(payment.getCaptured()) == 0"
        ));
        assert!(equivalent("!a.equals(b)", "a.compareTo(b) != 0"));
        assert!(equivalent(
            "alreadyRefunded.signum() == 0 && requested.equals(payment.getCapturedAmount())",
            "alreadyRefunded.signum() == 0 && requested.compareTo(payment.getCapturedAmount()) == 0"
        ));
        assert!(equivalent("Objects.equals(a, b)", "b.equals(a)"));
        assert!(equivalent("a.Equals(b)", "a == b"));
        // An ordering is not an equality.
        assert!(!equivalent("a.equals(b)", "a.compareTo(b) > 0"));
        assert!(!equivalent("a.equals(b)", "a.equals(c)"));
    }

    #[test]
    fn de_morgan_in_every_spelling_is_the_same_condition() {
        for (a, b) in [
            (
                "not (user.is_staff or user.is_superuser)",
                "not user.is_staff and not user.is_superuser",
            ),
            (
                "!(t.Before(cutoff) || t.Equal(cutoff))",
                "!t.Before(cutoff) && !t.Equal(cutoff)",
            ),
            ("!(a && b)", "!a || !b"),
            ("x != \"\" && y != \"\"", "!(x == \"\" || y == \"\")"),
            ("a > b", "b < a"),
            ("a >= b", "!(a < b)"),
            ("i <= len(items) - 1", "i < len(items)"),
            (
                "user is not None and user.active",
                "user.active and not user is None",
            ),
            ("flag == false", "!flag"),
            ("$a === $b", "$b == $a"),
        ] {
            assert!(equivalent(a, b), "{a} ≡ {b}");
        }
    }

    #[test]
    fn a_changed_decision_is_not_the_same_condition() {
        for (a, b) in [
            (
                "not (user.is_staff or user.is_superuser)",
                "not user.is_staff or not user.is_superuser",
            ),
            ("a > b", "a >= b"),
            ("a && b", "a"),
            ("x != \"\"", "x == \"\""),
            ("amount > limit", "amount > limit * 2"),
            ("user.role == \"admin\"", "user.role == \"support\""),
            ("a < b", "a << b"),
        ] {
            assert!(!equivalent(a, b), "{a} vs {b}");
        }
    }

    #[test]
    fn a_guard_turned_around_is_the_opposite_condition() {
        assert!(opposite(
            "tsHeader != \"\" && sigHeader != \"\"",
            "tsHeader == \"\" || sigHeader == \"\""
        ));
        assert!(opposite("now.before(exp)", "!now.before(exp)"));
        assert!(!opposite("a && b", "!a && !b"));
    }

    #[test]
    fn what_cannot_be_read_is_not_called_equivalent() {
        assert!(!equivalent("(a", "(a"));
        assert!(TruthTable::of("a ] b").is_none());
        let many = (0..12)
            .map(|i| format!("x{i}"))
            .collect::<Vec<_>>()
            .join(" && ");
        assert!(TruthTable::of(&many).is_none());
        assert!(!equivalent("", ""));
    }

    #[test]
    fn a_condition_given_a_way_out_is_narrower() {
        assert!(narrower(
            "not hmac.compare_digest(sig, expected)",
            "sig and not hmac.compare_digest(sig, expected)"
        ));
        assert!(narrower("!ok", "!ok && !isAdmin"));
        // Wider, the same, or unrelated: not narrower.
        assert!(!narrower("!ok && !isAdmin", "!ok"));
        assert!(!narrower("!ok", "!(ok)"));
        assert!(!narrower("a", "b"));
    }
}
