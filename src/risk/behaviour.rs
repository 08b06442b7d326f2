//! What a change does to the behaviour of the code, read from syntax trees
//! (`syntax`) rather than lines: function by function, which guard clauses,
//! checks and error paths the old side had and the new side lost, and which
//! literals changed under which keys. Identifiers renamed consistently (a
//! renamed function, a renamed variable) are mapped before comparing, so a
//! rename is not a behavioural change and a guard lost inside one is.
//!
//! Also here: the intent check (a message that promises a rename, refactor,
//! cleanup or "no behaviour change" over a diff whose normalised syntax changes
//! conditions, calls or literals) and reach (a behavioural change in a file
//! that three or more components import is at least high).

/// Maps and sets with a fixed hash: what the engine finds must not depend on
/// the process's random hash seed (the same change gives the same report,
/// word for word, on every run and machine).
pub(crate) type Fixed = std::hash::BuildHasherDefault<std::hash::DefaultHasher>;
pub(crate) type HashMap<K, V> = std::collections::HashMap<K, V, Fixed>;
type HashSet<T> = std::collections::HashSet<T, Fixed>;
use std::borrow::Cow;
use std::sync::LazyLock;

use super::boolean::{TruthTable, equivalent, narrower, opposite};

use regex::Regex;

use super::syntax::{self, GUARD_WORDS, Grammar, Outline, Unit};
use super::{Blast, ChangeView, FileView, Finding, Severity, quote};
use crate::diff::LineKind;

/// Authentication and authorization words: a check whose name has one is a
/// security check.
static AUTHZ: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(auth|admin|permission|perm_|role|login|owner|csrf|xsrf|signature|hmac|token|session|access|scope|polic|forbid|deny|acl|verify|staff|superuser|tenant|member|entitle|grant)").unwrap()
});
/// Code that handles what must not break: sessions, tokens, signatures, payments.
pub(crate) static CRITICAL_CODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(session|token|jwt|signature|signed|hmac|csrf|xsrf|payment|charge|refund|payout|invoice|billing|checkout|ledger|password|credential|secret|encrypt|decrypt|nonce|otp|mfa|compare_digest|timingsafeequal|constant_time|webhook)").unwrap()
});
/// What catches every failure: a bare `catch`, `Exception`, `Throwable`.
static BROAD_FAILURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(|Exception|BaseException|StandardError|Throwable|Error|error|e|err|\\Exception|\\Throwable|System\.Exception|std::exception|\.\.\.)$")
        .expect("a valid regex")
});

/// A value that says "nothing": an empty list, map or string, null, zero.
fn is_nothing(value: &str) -> bool {
    static NOTHING: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^(\[\]|\{\}|\(\)|None|null|nil|nil, nil|undefined|nothing|0|false|False|""|''|.*\[\]|.*\{\}|\[\]\s+as\s+.+|Vec::new\(\)|vec!\[\]|Default::default\(\)|Collections\.empty\w*\(\)|List\.of\(\)|Map\.of\(\)|emptyList\(\)|emptyMap\(\)|listOf\(\)|Optional\.empty\(\)|Array\.Empty<.*>\(\)|new \w+(<.*>)?\(\)|array\(\)|Ok\((\(\)|vec!\[\]|Vec::new\(\)|None)\))$"#).unwrap()
    });
    NOTHING.is_match(value.trim().trim_end_matches(';').trim())
}

/// A function that looks up an amount: a rate, a price, a balance, a limit.
static AMOUNT_LOOKUP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(rate|price|amount|balance|fee|tax|fx|exchange|cost|total|discount|limit|quota|credit|score|risk|fraud)")
        .expect("a valid regex")
});

/// The made-up value `value` stands for: a number, a constant
/// (`DEFAULT_RATE`, `Decimal("1")`, `BigDecimal.ONE`), or a call of a helper
/// one of whose returns is one (two helpers deep at most).
fn made_up_value(value: &str, helpers: &Helpers<'_>, depth: u8) -> Option<String> {
    static CONSTANT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^(-?\d+(\.\d+)?|[A-Z][A-Z0-9_]{2,}|(Decimal|BigDecimal|Money|decimal\.NewFromInt|decimal\.NewFromFloat)\s*\(\s*["']?-?\d+(\.\d+)?["']?\s*\)|BigDecimal\.(ONE|ZERO|TEN)|Decimal\.(One|Zero))$"#).unwrap()
    });
    static CALL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:await\s+)?(?:self\.|this\.|@)?([A-Za-z_]\w*)\s*\(").unwrap()
    });
    let v = value
        .trim()
        .trim_start_matches("return")
        .trim()
        .trim_end_matches(';')
        .trim();
    if CONSTANT.is_match(v) {
        return Some(v.to_string());
    }
    let name = CALL.captures(v)?.get(1)?.as_str();
    if depth >= 2 {
        return None;
    }
    helpers.units.get(name)?.iter().find_map(|u| {
        u.returns
            .iter()
            .find_map(|r| made_up_value(&r.text, helpers, depth + 1))
            .map(|c| format!("{c}, through `{name}`"))
    })
}

/// Exceptions that say a verification failed.
static VERIFY_FAILURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(signature|verif|certificate|cert\w*exception|integrity|checksum|tamper|authenticity|invalidtoken|jwt\w*error|expiredsignature)")
        .expect("a valid regex")
});
/// Functions whose job is to protect a value.
static PROTECTS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^_*(encrypt|seal|sign|hmac|redact|mask|scrub|anonymi[sz]e|pseudonymi[sz]e|obfuscate|sanitiz|sanitis|escape|hash_?password|protect)")
        .expect("a valid regex")
});

/// A protecting function's (encrypt, sign, mask) return among `returns`
/// that hands back one of its own parameters untouched: the value and line.
fn hands_back_input(
    f: &FileView<'_>,
    n: &Unit,
    returns: &[(String, u32)],
) -> Option<(String, u32)> {
    let short = short_name(&n.name);
    let l = short.trim_start_matches('_').to_ascii_lowercase();
    let signs_in = [
        "signin", "sign_in", "signup", "sign_up", "signout", "sign_out", "signon", "signoff",
    ]
    .iter()
    .any(|w| l.starts_with(w));
    if !PROTECTS.is_match(short) || signs_in {
        return None;
    }
    // The signature: from the unit's first line (an annotation, perhaps)
    // to the line that opens its body.
    let mut signature = String::new();
    for no in n.line..n.line + 4 {
        let l = f
            .new_text()
            .and_then(|t| t.lines().nth(no.saturating_sub(1) as usize))
            .or_else(|| f.new_lines.get(&no).copied())
            .unwrap_or("");
        signature.push_str(l);
        if l.contains('{') || l.trim_end().ends_with(':') {
            break;
        }
    }
    returns.iter().find_map(|(text, line)| {
        let value = text
            .trim_start_matches("return")
            .trim()
            .trim_end_matches(';')
            .trim_end_matches(", nil")
            .trim_end_matches(", null")
            .trim();
        let bare = !value.is_empty() && value.chars().all(|c| c.is_alphanumeric() || c == '_');
        (bare && idents(&signature).any(|w| w == value)).then(|| (value.to_string(), *line))
    })
}

/// A unit's own name, without its class or its `#2`.
fn short_name(name: &str) -> &str {
    let n = name.split('#').next().unwrap_or(name);
    n.rsplit('.').next().unwrap_or(n)
}

/// A new implementation of a protecting function that only hands its input
/// back (`encrypt(plaintext) { return plaintext; }`): wherever it is
/// chosen, nothing is protected.
fn pass_through(f: &FileView<'_>, n: &Unit, out: &mut Vec<Finding>) {
    let returns: Vec<(String, u32)> = n.returns.iter().map(|r| (r.text.clone(), r.line)).collect();
    // A pass-through is a line or two; a longer body works on the value
    // (a copy with fields replaced) before handing it back.
    if returns.is_empty() || n.end_line > n.line + 5 || !f.added_at(n.line) {
        return;
    }
    let handed: Vec<(String, u32)> = returns
        .iter()
        .filter_map(|r| hands_back_input(f, n, std::slice::from_ref(r)))
        .collect();
    if handed.len() != returns.len() {
        return;
    }
    let (value, line) = &handed[0];
    // The value worked on in place before it is handed back (`text =
    // pattern.sub(…, text)` in a loop): what comes back is not what came in.
    let body = f.new_text().map(|t| {
        t.lines()
            .skip(n.line as usize)
            .take(n.end_line.saturating_sub(n.line) as usize)
            .collect::<Vec<_>>()
    });
    if body.is_some_and(|b| b.iter().any(|l| assigns_to(l, value))) {
        return;
    }
    out.push(Finding::added(
        "sec-protection-skipped",
        Severity::High,
        f.path,
        Some(*line),
        format!(
            "{} returns `{value}` as it was given: wherever this implementation is chosen, nothing is {}.",
            display_name(n),
            protects_what(&n.name)
        ),
    ));
}

/// Whether a line assigns to `name` (`text = …`, `text += …`, `$text .=
/// …`), not compares it.
fn assigns_to(line: &str, name: &str) -> bool {
    let mut rest = line;
    while let Some(at) = rest.find(name) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + name.len()..].trim_start();
        let word_start = !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.');
        let op = after
            .strip_prefix(['+', '-', '*', '/', '|', '&', '.', '?'])
            .unwrap_or(after);
        if word_start && op.starts_with('=') && !op.starts_with("==") && !op.starts_with("=>") {
            return true;
        }
        rest = &rest[at + name.len()..];
    }
    false
}

/// What a protecting function does to a value, in a word.
fn protects_what(name: &str) -> &'static str {
    let n = short_name(name).to_ascii_lowercase();
    let n = n.trim_start_matches('_');
    if n.starts_with("encrypt") || n.starts_with("seal") || n.starts_with("protect") {
        "encrypted"
    } else if n.starts_with("sign") || n.starts_with("hmac") {
        "signed"
    } else if n.starts_with("sanitiz") || n.starts_with("sanitis") || n.starts_with("escape") {
        "sanitised"
    } else if n.starts_with("hash") {
        "hashed"
    } else {
        "masked"
    }
}

/// Keys whose values only change how something looks or is labelled: a CSS
/// class, a label, a help text, a logger's name.
static PRESENTATION_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(class|classname|class_name|css_class|style|label|verbose_name(_plural)?|help_text|title|description|placeholder|icon|colou?r|tooltip|alt|aria-\w+|getlogger\(\))$")
        .expect("a valid regex")
});
/// A release's own number (`__version__ = "0.40.0"`, `VERSION =
/// "2.3.1-rc1"`): every release commit bumps it, and nothing decides by it.
fn release_number(key: &str, value: &str) -> bool {
    static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^v?\d+\.\d+(\.\d+)?([-+.][0-9A-Za-z.]+)?$").expect("a valid regex")
    });
    let key = key.trim_matches('_').to_ascii_lowercase();
    [
        "version",
        "app_version",
        "package_version",
        "release_version",
        "build_version",
    ]
    .contains(&key.as_str())
        && NUMBER.is_match(value)
}

/// Files where "token" is a word of a grammar: lexers, parsers, tokenizers.
static LEXICAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(^|/)((lex|lexer|parse|parser|parsing|scanner|tokeni[sz]er|dispenser|grammar|syntax)[^/]*\.\w+$|(lexer|parser|syntax|grammar)/)").unwrap()
});
/// The narrow kind: code that verifies something cryptographically.
static CRYPTO_CHECK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(hmac|signature|csrf|xsrf|compare_digest|timingsafeequal|constant_time|verify_?token|jwt|nonce|webhook_?secret)").unwrap()
});
/// Functions whose job is to check: a new way out of one that reports
/// success skips the check.
static CHECK_FN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(verif|validat|check|authori[sz]|authentic|signature|checksum|permi|allowed|ensure|require|guard|is_?valid|can_?access)").unwrap()
});
/// Whether a function's name says it checks something. `invalidate` and
/// `invalidation` clear a cache; they validate nothing.
fn is_check_fn(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let cleared = lower.replace("invalidat", "");
    CHECK_FN.is_match(&cleared)
}
/// A call that makes an exception to a check rather than performing it.
static EXEMPTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(ignoring\w*\(|exempt|permitAll|\.disable\(\)|skip_?\w*\(|bypass)").unwrap()
});
/// Functions that say whether something is allowed (`allows`, `permits`).
static ALLOWS_FN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^(allows?|permits?|grants?)([A-Z_]|$)").unwrap());
/// Functions that answer whether someone may do something: `can_edit`,
/// `may_view`, `allowed?`, `authorized?`, and a policy's action questions
/// (`update?`, `destroy?`).
static PERMISSION_QUESTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(can|may)_?[a-z]|^(is_?)?(allowed|permitted|authori[sz]ed)\b|^has_?(permission|access|role)|^(index|show|create|new|update|edit|destroy|delete|archive|transfer|manage|read|write|publish|approve|download|export)\?$")
        .unwrap()
});
/// An exit that answers yes in so many words: `return true`, `true`.
fn literal_yes(exit: &str) -> bool {
    answer_word(exit) == Some(true)
}
/// A guard of a yes/no function folded into the answer it returns:
/// `return false unless same_account?` then `a || b` is the answer
/// `same_account? && (a || b)`, and `return true if admin?` then `rest` is
/// `admin? || rest`. Kept when every way the new answer can say yes still
/// needs the condition (for a "no" guard), or one of its ways is the
/// condition itself (for a "yes" guard), written out or through a
/// predicate of the same file (`owner_or_admin?` → `same_account? && …`).
fn folded_into_answer(p: &Parsed<'_>, g: &syntax::Guard, n: &Unit) -> bool {
    let says_no = match answer_word(&g.exit) {
        Some(yes) => !yes,
        None => return false,
    };
    let old_line = p
        .file
        .old_text()
        .and_then(|t| t.lines().nth(g.line.saturating_sub(1) as usize))
        .unwrap_or("");
    let unless = super::code::has_word(old_line, "unless");
    // What must hold for the function to go on past the guard (a "no"
    // guard), or what answers yes at once (a "yes" guard).
    let needed = if says_no == unless {
        g.cond.trim().to_string()
    } else if let Some(r) = g
        .cond
        .trim()
        .strip_prefix("not ")
        .or(g.cond.trim().strip_prefix('!'))
    {
        r.trim().to_string()
    } else {
        return false;
    };
    let Some(answer) = answer_of(p, n) else {
        return false;
    };
    if says_no {
        requires(p, &answer, &needed, 2)
    } else {
        offers(p, &answer, &needed, 2)
    }
}

/// `return true` → yes, `return False` → no; anything else is no answer.
fn answer_word(exit: &str) -> Option<bool> {
    let v = exit
        .trim()
        .trim_start_matches("return")
        .trim()
        .trim_end_matches(';')
        .trim();
    match v {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// The expression a short function answers with: its body when that is
/// one expression (Ruby's implicit value, `return …`), else `None`.
fn answer_of(p: &Parsed<'_>, n: &Unit) -> Option<String> {
    let text = p.file.new_text()?;
    let mut body: Vec<&str> = text
        .lines()
        .skip(n.line as usize)
        .take(n.end_line.saturating_sub(n.line) as usize)
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("//"))
        .collect();
    if matches!(body.last(), Some(&"end") | Some(&"}")) {
        body.pop();
    }
    if body.is_empty() || body.len() > 4 {
        return None;
    }
    let joined = body.join(" ");
    let joined = joined.strip_prefix("return ").unwrap_or(&joined);
    let joined = joined.trim_end_matches(';').trim();
    let statement = ["return ", " unless ", "if ", " if ", "=", ";"];
    if statement.iter().any(|w| {
        joined.contains(w) && !(*w == "=" && (joined.contains("==") || joined.contains("!=")))
    }) {
        return None;
    }
    Some(joined.to_string())
}

/// A call of a predicate of the same file with no arguments (`admin?`,
/// `self.owner_or_admin()`), and that predicate's answer.
fn predicate_answer(p: &Parsed<'_>, call: &str) -> Option<String> {
    let name = call
        .trim()
        .trim_start_matches("self.")
        .trim_start_matches("this.")
        .trim_end_matches("()");
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '?')
    {
        return None;
    }
    let u = p
        .new
        .units
        .iter()
        .find(|u| u.name.rsplit('.').next() == Some(name))?;
    answer_of(p, u)
}

/// Every way `answer` can be true needs `needed` to hold.
fn requires(p: &Parsed<'_>, answer: &str, needed: &str, depth: u8) -> bool {
    use super::boolean::{conjuncts, disjuncts, without_outer_parens};
    let needed = collapse(needed);
    disjuncts(without_outer_parens(answer)).iter().all(|d| {
        let d = without_outer_parens(d);
        conjuncts(d).iter().any(|c| {
            let c = without_outer_parens(c);
            collapse(c) == needed
                || depth > 0
                    && predicate_answer(p, c).is_some_and(|a| requires(p, &a, &needed, depth - 1))
        }) || conjuncts(d).len() == 1
            && depth > 0
            && predicate_answer(p, d).is_some_and(|a| requires(p, &a, &needed, depth - 1))
    })
}

/// `needed` alone makes `answer` true: it is one of its ways to say yes.
fn offers(p: &Parsed<'_>, answer: &str, needed: &str, depth: u8) -> bool {
    use super::boolean::{disjuncts, without_outer_parens};
    let needed = collapse(needed);
    disjuncts(without_outer_parens(answer)).iter().any(|d| {
        let d = without_outer_parens(d);
        collapse(d) == needed
            || depth > 0
                && predicate_answer(p, d)
                    .is_some_and(|a| collapse(&a) == needed || offers(p, &a, &needed, depth - 1))
    })
}

/// A failing guard that now runs its check only when the value is there
/// (`sign(body) !== provided` → `signature && !verify(body, signature)`):
/// a request without the value skips the check, unless another guard of
/// the function stops on its absence.
fn presence_gated(old: &str, new: &str, n: &Unit) -> bool {
    use super::boolean::{conjuncts, without_outer_parens};
    static PRESENT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:([A-Za-z_][\w.]*)|([A-Za-z_][\w.]*)\s*(?:!==?|is\s+not)\s*(?:null|nil|None|undefined|''|\x22\x22)|len\(([\w.]+)\)\s*>\s*0|([\w.]+)\.present\?|!empty\(\$?([\w.]+)\))$").unwrap()
    });
    let parts = conjuncts(without_outer_parens(new));
    if parts.len() < 2 || conjuncts(without_outer_parens(old)).len() > 1 {
        return false;
    }
    let present = parts.iter().find_map(|p| {
        let c = PRESENT.captures(without_outer_parens(p))?;
        (1..=5)
            .find_map(|i| c.get(i))
            .map(|m| m.as_str().to_string())
    });
    let Some(v) = present else { return false };
    let checked_elsewhere = parts
        .iter()
        .any(|p| !PRESENT.is_match(without_outer_parens(p)) && super::code::has_word(p, &v));
    // Another guard that stops when the value is missing (`if (!sig)`).
    let absence_stops = n.guards.iter().any(|x| {
        let c = x.cond.trim();
        x.failing
            && (c == format!("!{v}")
                || c == format!("not {v}")
                || c.starts_with(&format!("{v} =="))
                    && (c.contains("null")
                        || c.contains("nil")
                        || c.contains("None")
                        || c.contains("''"))
                || c.starts_with(&format!("{v} is None"))
                || disjuncts_mention_absence(c, &v))
    });
    checked_elsewhere && !absence_stops
}

/// Whether a condition has a part that holds when `v` is missing
/// (`!sig || !verify(sig)`).
fn disjuncts_mention_absence(cond: &str, v: &str) -> bool {
    super::boolean::disjuncts(cond).iter().any(|d| {
        let d = d.trim();
        d == format!("!{v}") || d == format!("not {v}") || d == format!("{v} is None")
    })
}

/// The lines of unit `n` in `text` (its side's text), head to end.
fn unit_lines<'t>(text: &'t str, n: &Unit) -> impl Iterator<Item = &'t str> {
    text.lines()
        .skip(n.line.saturating_sub(1) as usize)
        .take((n.end_line + 1).saturating_sub(n.line) as usize)
}

/// Whether a function's body answers yes in so many words on a line of its
/// own (Ruby's implicit `true`, `return true;`, `def update? = true`).
fn says_plain_yes(f: &FileView<'_>, n: &Unit) -> bool {
    let text = f.new_text_or_hunks();
    unit_lines(&text, n).any(|l| {
        let t = l.trim().trim_end_matches(['}', ';', ' ']);
        literal_yes(t)
            || t.ends_with("= true")
            || t.ends_with("=> true")
            || t.ends_with("{ true")
            || t.ends_with("{ return true")
    })
}
/// Functions that answer a yes-or-no question about what may go ahead.
static YES_NO_FN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(is|has|can|may|should)_?[A-Za-z]|(?i)(available|eligible|permitted|in_?stock)")
        .unwrap()
});
/// An exit that reports success: `return`, `return true`, `return nil` (Go's
/// no-error), `return 0` (the shell's success), `Ok(…)`.
fn success_exit(exit: &str) -> bool {
    let v = exit
        .trim_start_matches("return")
        .trim()
        .trim_end_matches(';')
        .trim();
    matches!(
        v,
        "" | "0" | "true" | "True" | "nil" | "None" | "Ok(())" | "Ok(true)"
    ) || v.starts_with("Ok(") && !v.contains("false")
}
/// Units a returned quantity can be in, each with the words that name it.
static UNITS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        ("nanoseconds", r"(?i)(nanos|nanosecond|_ns\b|\bns\b)"),
        ("microseconds", r"(?i)(micros|microsecond|_us\b)"),
        (
            "milliseconds",
            r"(?i)(millis|millisecond|_ms\b|\bms\b|\*\s*1000\b|1e3)",
        ),
        (
            "seconds",
            r"(?i)(toseconds|getseconds|total_seconds|seconds|_secs?\b|\bsecs?\b)",
        ),
        ("minutes", r"(?i)(tominutes|minutes|_mins?\b)"),
        ("hours", r"(?i)(tohours|hours)"),
        ("days", r"(?i)(todays|\bdays\b)"),
        ("cents", r"(?i)(cents|minor_?units?|\*\s*100\b)"),
        (
            "whole units",
            r"(?i)(dollars|euros|major_?units?|/\s*100\b)",
        ),
        ("bytes", r"(?i)(\bbytes\b|_bytes)"),
        // Mass: `weightKg`, `weight_kg`, `weightG`, `grams`.
        ("kilograms", r"(_kg\b|Kg\b|\bkg\b|(?i:kilograms?|kilos)\b)"),
        ("grams", r"(_g\b|[a-z]G\b|(?i:\bgrams?|_grams?)\b)"),
        ("pounds", r"(_lbs?\b|Lbs?\b|\blbs?\b)"),
        ("kilobytes", r"(?i)(\bkb\b|kib|kilobytes)"),
        ("megabytes", r"(?i)(\bmb\b|mib|megabytes)"),
    ]
    .into_iter()
    .map(|(u, re)| (u, Regex::new(re).unwrap()))
    .collect()
});

/// Conversions written as arithmetic: they decide the unit whatever names
/// the operand carries (`cents / 100` is whole units).
static CONVERSIONS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        ("whole units", r"/\s*100(\.0*)?\b"),
        ("cents", r"\*\s*100(\.0*)?\b"),
        ("milliseconds", r"\*\s*1_?000(\.0*)?\b"),
        ("seconds", r"/\s*1_?000(\.0*)?\b"),
    ]
    .into_iter()
    .map(|(u, re)| (u, Regex::new(re).unwrap()))
    .collect()
});

/// The unit a return expression names, if exactly one.
fn unit_of(expr: &str) -> Option<&'static str> {
    if let Some((u, _)) = CONVERSIONS.iter().find(|(_, re)| re.is_match(expr)) {
        return Some(u);
    }
    let hits: Vec<&str> = UNITS
        .iter()
        .filter(|(_, re)| re.is_match(expr))
        .map(|(u, _)| *u)
        .collect();
    (hits.len() == 1).then(|| hits[0])
}

/// How `new` scales `old` when it is the same expression times or over a
/// factor between units (60, 100, 1,000, 3,600, 86,400): "1000×", "1/60 of".
fn scaled_by(old: &str, new: &str) -> Option<String> {
    let squash = |t: &str| t.split_whitespace().collect::<String>().replace('_', "");
    let (o, n) = (squash(old), squash(new));
    for factor in ["86400", "3600", "1000", "100", "60"] {
        for (op, said) in [('*', format!("{factor}×")), ('/', format!("1/{factor} of"))] {
            let pat = format!("{op}{factor}");
            if n.contains(&pat) && !o.contains(&pat) && n.replacen(&pat, "", 1) == o {
                return Some(said);
            }
        }
    }
    None
}

/// Exception types for failures of something remote: a provider, the
/// network, a database. Parse and validation errors are not among them.
static REMOTE_ERROR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(provider|api|service|remote|gateway|upstream|client|http|request|connect|timeout|network|socket|\bio|server|unavailable|database|\bdb|sql|operational|transport|grpc|rpc|stripe|payment|charge|vendor|faraday|httparty|urllib|axios|feign|okhttp|retrofit|resttemplate|webclient|refused|unreachable|circuit|broker|kafka|redis|boto|aws|psp|acquirer|processor|fraud|sanction|screening|kyc)").unwrap()
});
/// Settings that protect when on: turning them off weakens.
static SAFE_ON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(verify|ssl|tls|secure|httponly|http_only|csrf|xsrf|check_hostname|cert_?reqs|strict|validate|signature|sign|encrypt|auth|require|enforce|protect|sandbox)").unwrap()
});
/// Settings that expose when on: turning them on weakens.
static UNSAFE_ON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(insecure|skip_?verify|no_?verify|allow_?(all|any|anonymous|insecure|http)|debug|trust_?all|permissive|disable_?(auth|csrf|ssl|tls|verif)|bypass|unsafe)").unwrap()
});
static OPEN_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(cors|origin|host|allow|cidr|source|ingress|samesite|same_site)").unwrap()
});
static WEAK_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(CERT_NONE|ssl\.CERT_NONE|VERIFY_NONE|none|\*|0\.0\.0\.0(/0)?|::/0)$")
        .unwrap()
});
static RETRY_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(retr(y|ies)|attempts|timeout|deadline|backoff|max_?tries)").unwrap()
});
static ROLLOUT_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(rollout|percent|percentage|traffic|weight|canary|ramp|sample_?rate|fraction|exposure)").unwrap()
});
static NON_IDEMPOTENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(post|charge|pay|transfer|send|create|insert|refund|capture|submit|enqueue|publish|withdraw|debit|credit)").unwrap()
});
/// A feature-flag lookup: `flags.isEnabled('x')`, `Flipper.enabled?(:x)`,
/// `Feature.active?(:x)`, `ld.variation(…)`, `unleash.isEnabled(…)`.
static FLAG_CHECK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(flags?|features?|feature_?flags?|toggles?|flipper|unleash|ld|launch_?darkly|growthbook|split|optimizely|posthog)\b\s*\.\s*(is_?enabled|enabled\??|active\?|is_?on|on\?|variation|bool_?variation|is_?feature_?enabled|get_?flag|evaluate)\s*\(").unwrap()
});
/// A condition that reads a feature flag by any client's spelling
/// (`flags.legacyCheckout`, `feature_enabled?`, `variation(…)`).
static FLAG_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\bflags?\b|feature|toggle|is_?enabled|variation|unleash|launch_?darkly|growthbook|rollout)").unwrap()
});
/// A switch or header whose name says it skips what follows.
static BYPASS_SWITCH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(skip|bypass|disable|insecure|no_?verify|allow_?unsigned|unverified|debug)")
        .unwrap()
});
/// A test on part of a text: its prefix, suffix or a substring.
static PARTIAL_MATCH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(startswith|starts_with|startsWith|StartsWith|start_with\?|HasPrefix|endswith|ends_with|endsWith|EndsWith|end_with\?|HasSuffix|includes|include\?|indexOf|strings\.Contains)\b").unwrap()
});
static IDENT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[A-Za-z_$][A-Za-z0-9_$]*").unwrap());
static TOKEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z_$][A-Za-z0-9_$]*|\d[\w.]*|\S").unwrap());
/// A message that promises no change of behaviour: a rename, a refactor, a
/// typo or formatting fix, "no functional change".
static NO_CHANGE_INTENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(renam(e|es|ed|ing)|refactor\w*|typos?|spelling|re-?format\w*|formatting|cosmetic|lint(ing)?|whitespace|no[ -](functional|behaviou?ral|logic|behaviou?r)[ -]changes?|without (changing|any change)|pure (move|refactor)|move[sd]? (code|functions?|helpers?))\b").unwrap()
});
/// The subject GitHub gives a squash merge: the pull request's title and
/// number.
static SQUASH_SUBJECT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\(#\d+\)\s*$").expect("a valid regex"));
/// A promise of no change spelled out, wherever it is written.
static EXPLICIT_NO_CHANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(no[ -](functional|behaviou?ral|logic|behaviou?r)[ -]changes?|without (changing|any change in) (behaviou?r|functionality)|pure (move|refactor(ing)?)|behaviou?r (is )?unchanged|bod(y|ies) (is |are )?unchanged|same behaviou?r)\b").unwrap()
});
/// A message that describes tidying, which often comes with intended small
/// changes of behaviour: a weaker promise than [`NO_CHANGE_INTENT`].
static TIDY_INTENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(clean[ -]?ups?|cleans up|clean up|tid(y|ies|ied)|extract(s|ed)? (a |the )?(helper|function|method)|simplif(y|ies|ied)|dedup\w*|readability|restructur\w*|reorganis\w*|reorganiz\w*)\b").unwrap()
});

/// The texts of a file's two sides that the syntax analysis reads: the full
/// files when they were loaded (`true`), else the hunks laid out at their
/// line numbers.
pub(crate) fn sides(f: &FileView<'_>) -> (Option<String>, Option<String>, bool) {
    if let Some(c) = f.contents
        && (c.minus.is_some() || c.plus.is_some())
    {
        return (c.minus.clone(), c.plus.clone(), true);
    }
    let mut old: Vec<&str> = Vec::new();
    let mut new: Vec<&str> = Vec::new();
    for l in f.file.hunks.iter().flat_map(|h| &h.lines) {
        if let Some(n) = l.old_no
            && l.kind != LineKind::Added
        {
            put(&mut old, n, &l.content);
        }
        if let Some(n) = l.new_no
            && l.kind != LineKind::Removed
        {
            put(&mut new, n, &l.content);
        }
    }
    let join = |v: Vec<&str>| (!v.is_empty()).then(|| v.join("\n"));
    (
        if f.created() { None } else { join(old) },
        if f.deleted() { None } else { join(new) },
        false,
    )
}

fn put<'a>(v: &mut Vec<&'a str>, no: u32, text: &'a str) {
    let i = no.saturating_sub(1) as usize;
    if i > 200_000 {
        return;
    }
    if v.len() <= i {
        v.resize(i + 1, "");
    }
    v[i] = text;
}

/// Both sides of a source file, parsed.
pub struct Parsed<'a> {
    pub file: &'a FileView<'a>,
    pub old: Outline,
    pub new: Outline,
    /// Each side's text with whitespace collapsed (to tell a condition that
    /// moved, say into a helper's return, from one that is gone).
    pub old_text: String,
    pub new_text: String,
    /// Identifiers renamed consistently by the change (old → new).
    pub renames: HashMap<String, String>,
}

/// Parses the changed source files of a change that tree-sitter knows (on
/// several threads: one large file should not keep the others waiting).
pub fn parse<'a>(change: &'a ChangeView<'a>) -> Vec<Parsed<'a>> {
    use rayon::prelude::*;
    let mut parsed = change
        .files
        .par_iter()
        .filter(|f| !f.file.binary && !f.class.vendored && !f.class.docs)
        .filter_map(|f| {
            let g = Grammar::of(f.path)?;
            let (old, new, full) = sides(f);
            if old.is_none() && new.is_none() {
                return None;
            }
            // Versions of a file are parsed from one another; hunks laid
            // out alone are a different text, reused among themselves.
            let key = if full {
                f.path.to_string()
            } else {
                format!("{}\0hunks", f.path)
            };
            // Test code guards nothing in production: its functions are not
            // where a check moved to, and their guards do not stand in for
            // one removed (the rules on tests read lines, not trees). Not
            // parsing them saves most of the parse on real repositories,
            // whose test modules are their largest files.
            let test = f.class.test_like();
            let parse = |t: &Option<String>| {
                t.as_deref()
                    .filter(|_| !test)
                    .and_then(|t| syntax::outline_of(g, &key, t))
                    .unwrap_or_default()
            };
            let collapse = |t: &Option<String>| t.as_deref().map(collapse).unwrap_or_default();
            Some(Parsed {
                file: f,
                old: parse(&old),
                new: parse(&new),
                old_text: collapse(&old),
                new_text: collapse(&new),
                renames: renames(f),
            })
        })
        .collect::<Vec<_>>();
    let by_library = replaced_by_library(&parsed);
    if !by_library.is_empty() {
        for p in &mut parsed {
            p.renames
                .extend(by_library.iter().map(|(a, b)| (a.clone(), b.clone())));
        }
    }
    parsed
}

/// `text` with each run of whitespace made one space, none at either end
/// (what joining its `split_whitespace` words with spaces gives).
pub(crate) fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut gap = false;
    for c in text.chars() {
        if c.is_whitespace() {
            gap = true;
            continue;
        }
        if gap && !out.is_empty() {
            out.push(' ');
        }
        gap = false;
        out.push(c);
    }
    out
}

/// Identifiers the change renames consistently: in each run of removed lines
/// followed by added lines, tokens aligned one to one where only the name
/// differs.
pub fn renames(f: &FileView<'_>) -> HashMap<String, String> {
    let mut votes: Votes = HashMap::default();
    // Comments and docstrings are prose: a docstring written where code
    // was removed aligns words with names (`request` → `the`).
    let prose = |l: &crate::diff::DiffLine, new: bool| {
        f.class.is_comment(&l.content)
            || match (new, l.new_no, l.old_no) {
                (true, Some(n), _) => f.prose_lines.contains(&(true, n)),
                (false, _, Some(n)) => f.prose_lines.contains(&(false, n)),
                _ => false,
            }
    };
    for (gone, came) in f.replacements() {
        if !came.is_empty() && gone.len() <= 200 && came.len() <= 200 {
            let gone = tokens(gone.iter().filter(|l| !prose(l, false)));
            let came = tokens(came.iter().filter(|l| !prose(l, true)));
            vote_renames(&gone, &came, &mut votes, |_, _| true);
        }
    }
    // A check called no more, another function called instead
    // (`csrf_verify($t)` → `isset($t)`), is not a rename: the new name must
    // be defined by the file (a function, method or binding of its own).
    let new_text = f.new_text_or_hunks();
    let defines = |y: &str| {
        Regex::new(&format!(
            r"(?:\b(?:def|function|func|fn|fun|sub|class|let|const|var|val)\s+(?:\([^)]*\)\s*)?\$?{0}\b|\b{0}\s*(?::=|=[^=])|\b{0}\s*\([^)]*\)\s*(?:\{{|:|=>|->))",
            regex::escape(y)
        ))
        .is_ok_and(|re| re.is_match(&new_text))
    };
    votes.retain(|(x, y), _| !(GUARD_WORDS.is_match(x) && !GUARD_WORDS.is_match(y) && !defines(y)));
    // A method the new text still calls was not renamed: the code calls
    // another one in that place (`x.len() == 0` → `x.is_empty()`, while
    // `parts.len()` stays).
    // (A function of the file's own in its place, `time.Now()` → `m.now()`,
    // is a rename all the same.)
    let declares = |y: &str| {
        Regex::new(&format!(
            r"(?m)\b(?:def|function|func|fn|fun|sub|let|const|var|val)\s+(?:\([^)]*\)\s*)?\$?{0}\b|\b{0}\s*(?::=|=[^=>])|\b{0}\s+func\b|^\s*(?:(?:pub|public|private|protected|static|async|override)\s+)*{0}\s*\([^)]*\)\s*(?:\{{|=>|->)",
            regex::escape(y)
        ))
        .is_ok_and(|re| re.is_match(&new_text))
    };
    static METHOD_CALL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\.\s*([A-Za-z_]\w*)\s*\(").expect("a valid regex"));
    let called: HashSet<&str> = METHOD_CALL
        .captures_iter(&new_text)
        .filter_map(|c| c.get(1).map(|m| m.as_str()))
        .collect();
    votes.retain(|(x, y), _| !called.contains(x.as_str()) || declares(y));
    most_voted(votes)
}

/// Votes for `old name → new name`, one per aligned occurrence.
type Votes = HashMap<(String, String), i32>;

/// Aligns two token runs and votes for each identifier that stands where
/// another stood (in a replaced stretch of the same length) and that
/// `accept` allows.
fn vote_renames(a: &[&str], b: &[&str], votes: &mut Votes, accept: impl Fn(&str, &str) -> bool) {
    for op in similar::capture_diff_slices(similar::Algorithm::Myers, a, b) {
        if let similar::DiffOp::Replace {
            old_index,
            old_len,
            new_index,
            new_len,
        } = op
            && old_len == new_len
        {
            for d in 0..old_len {
                let (x, y) = (a[old_index + d], b[new_index + d]);
                // A name stands for a name of its kind: a function called
                // where a field was read (`r.ProtoMajor` → `strconv.Itoa(`)
                // is other code, not a rename.
                let called = |t: &[&str], i: usize| t.get(i + 1) == Some(&"(");
                if called(a, old_index + d) != called(b, new_index + d) {
                    continue;
                }
                if IDENT.is_match(x)
                    && IDENT.is_match(y)
                    && !is_keyword(x)
                    && !is_keyword(y)
                    && accept(x, y)
                {
                    *votes.entry((x.to_string(), y.to_string())).or_insert(0) += 1;
                }
            }
        }
    }
}

/// A word of the languages themselves (`false`, `nil`, `return`, `self`):
/// one standing where another stood is a changed value or statement, never
/// a renamed identifier.
fn is_keyword(w: &str) -> bool {
    matches!(
        w,
        "true"
            | "false"
            | "True"
            | "False"
            | "TRUE"
            | "FALSE"
            | "nil"
            | "null"
            | "None"
            | "NULL"
            | "undefined"
            | "self"
            | "this"
            | "super"
            | "return"
            | "if"
            | "else"
            | "elif"
            | "for"
            | "while"
            | "in"
            | "is"
            | "not"
            | "and"
            | "or"
            | "new"
            | "let"
            | "const"
            | "var"
            | "val"
            | "func"
            | "fn"
            | "def"
            | "function"
            | "class"
            | "await"
            | "async"
            | "yield"
            | "break"
            | "continue"
            | "raise"
            | "throw"
            | "try"
            | "catch"
            | "except"
            | "finally"
            | "with"
            | "as"
            | "pass"
            | "go"
            | "defer"
            | "mut"
            | "pub"
            | "static"
            | "public"
            | "private"
            | "protected"
            | "void"
            | "unless"
            | "end"
            | "do"
            | "then"
            | "case"
            | "switch"
            | "default"
    )
}

/// Each old name's most voted new name.
fn most_voted(votes: Votes) -> HashMap<String, String> {
    let mut best: HashMap<String, (String, i32)> = HashMap::default();
    for ((x, y), n) in votes {
        let e = best.entry(x).or_insert((y.clone(), 0));
        if n > e.1 {
            *e = (y, n);
        }
    }
    best.into_iter().map(|(x, (y, _))| (x, y)).collect()
}

/// Identifiers renamed inside code that moved from one file to another (a
/// script's steps moved into a library function whose parameters have new
/// names: `$NAMESPACE` → `$namespace`): each run of removed lines paired
/// with the most similar run of added lines in another file, aligned token
/// by token as [`renames`] aligns them within a file.
pub fn moved_renames<'a>(parsed: &'a [Parsed<'a>]) -> HashMap<String, String> {
    type Run<'a> = (usize, Vec<&'a str>);
    let runs = |kind: LineKind| -> Vec<Run<'a>> {
        let mut out = Vec::new();
        for (i, p) in parsed.iter().enumerate() {
            for h in &p.file.file.hunks {
                let mut j = 0;
                while j < h.lines.len() {
                    if h.lines[j].kind != kind {
                        j += 1;
                        continue;
                    }
                    let mut k = j;
                    while k < h.lines.len() && h.lines[k].kind == kind {
                        k += 1;
                    }
                    // Code moved out leaves little behind it (a call to
                    // where it went); a run replaced by as much is an edit.
                    let mut after = k;
                    while kind == LineKind::Removed
                        && after < h.lines.len()
                        && h.lines[after].kind == LineKind::Added
                    {
                        after += 1;
                    }
                    if k - j <= 300 && (after - k) * 3 <= k - j {
                        let t = tokens(&h.lines[j..k]);
                        if t.len() >= 15 {
                            out.push((i, t));
                        }
                    }
                    j = k;
                }
            }
        }
        out
    };
    let mut votes: Votes = HashMap::default();
    if parsed.len() < 2 || parsed.len() > 40 {
        return HashMap::default();
    }
    let (gone, came) = (runs(LineKind::Removed), runs(LineKind::Added));
    let bag = |t: &[&'a str]| -> HashSet<&'a str> { t.iter().copied().collect() };
    let came_bags: Vec<HashSet<&str>> = came.iter().map(|(_, b)| bag(b)).collect();
    // Each removed run's best match is found on its own, side by side; the
    // votes are then cast in the diff's order.
    use rayon::prelude::*;
    let matched: Vec<Option<(&Vec<&str>, &Vec<&str>)>> = gone
        .par_iter()
        .map(|(fa, a)| {
            let ba = bag(a);
            came.iter()
                .zip(&came_bags)
                .filter(|((fb, _), _)| fb != fa)
                // How much of the removed run the added one holds: a created
                // file is one run, and the moved code only part of it.
                .map(|((_, b), bb)| {
                    (
                        ba.iter().filter(|t| bb.contains(*t)).count() as f64
                            / ba.len().max(1) as f64,
                        b,
                    )
                })
                .filter(|(j, _)| *j >= 0.6)
                .max_by(|x, y| x.0.total_cmp(&y.0))
                .map(|(_, b)| (a, b))
        })
        .collect();
    for (a, b) in matched.into_iter().flatten() {
        // Only names that read as the same one respelled (`$NAMESPACE` →
        // `$namespace`, `order` → `order_id`): files apart, a looser pairing
        // would rename unrelated things.
        vote_renames(a, b, &mut votes, |x, y| {
            x.eq_ignore_ascii_case(y) || share_word(x, y)
        });
    }
    most_voted(votes)
}

fn tokens<'a>(lines: impl IntoIterator<Item = &'a crate::diff::DiffLine>) -> Vec<&'a str> {
    // A predicate's or bang method's mark (`admin?`, `save!`) is part of its
    // name: dropped, so `is_admin` → `admin?` aligns one name to one.
    let mark = |c: &str, at: usize| {
        let before = c[..at].chars().next_back();
        let after = c[at + 1..].chars().next();
        before.is_some_and(|b| b.is_alphanumeric() || b == '_')
            && !matches!(after, Some('=' | '.' | '?' | ':' | '['))
    };
    lines
        .into_iter()
        .flat_map(|l| {
            let c = l.content.as_str();
            TOKEN
                .find_iter(c)
                .filter(move |m| !(matches!(m.as_str(), "?" | "!") && mark(c, m.start())))
                .map(|m| m.as_str())
        })
        .collect()
}

/// Line `no` (1-based) of `text`, or "" when there is none.
fn line_at(text: Option<&str>, no: u32) -> &str {
    text.and_then(|t| t.lines().nth(no.checked_sub(1)? as usize))
        .unwrap_or("")
}

/// Parameters one function renames in its own signature (`allows(path
/// string)` → `allows(requestPath string)`): read from the two opening
/// lines alone, so the file-wide vote (where `path` became `file` in
/// another function) does not decide them.
fn signature_renames(o: &Unit, n: &Unit, f: &FileView<'_>) -> HashMap<String, String> {
    let (a, b) = (line_at(f.old_text(), o.line), line_at(f.new_text(), n.line));
    if a == b || a.is_empty() || b.is_empty() {
        return HashMap::default();
    }
    let a: Vec<&str> = TOKEN.find_iter(a).map(|m| m.as_str()).collect();
    let b: Vec<&str> = TOKEN.find_iter(b).map(|m| m.as_str()).collect();
    let mut votes = Votes::default();
    vote_renames(&a, &b, &mut votes, |_, _| true);
    most_voted(votes)
}

/// Whether a name `cond` tests (itself, not a field or a call) is a
/// parameter in the opening line of `u` (`claims.kind != expected` in `verify(cfg,
/// expected: TokenKind, token)`).
fn takes_parameter(u: &Unit, f: &FileView<'_>, cond: &str) -> bool {
    let head: HashSet<&str> = idents(line_at(f.new_text(), u.line)).collect();
    static BARE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:^|[^.\w$>:])([A-Za-z_]\w*)\b\s*(?:[^\w(.:\s]|$)").unwrap()
    });
    let names: Vec<&str> = BARE
        .captures_iter(cond)
        .filter_map(|c| c.get(1).map(|m| m.as_str()))
        .filter(|n| !is_keyword(n))
        .collect();
    !names.is_empty() && names.iter().any(|n| head.contains(n))
}

/// A finding on the new side (`new_side`) or the old one.
fn at(
    new_side: bool,
    rule: &str,
    sev: Severity,
    path: &str,
    line: Option<u32>,
    msg: String,
) -> Finding {
    if new_side {
        Finding::added(rule, sev, path, line, msg)
    } else {
        Finding::removed(rule, sev, path, line, msg)
    }
}

/// `text` with renamed identifiers replaced by their new names.
/// Whether a returned value is an error: the last of Go's results (`nil,
/// ErrNotFound`, `"", fmt.Errorf(…)`, `err`), or Rust's `Err(…)`.
fn returns_an_error(r: &str) -> bool {
    static ERROR_VALUE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^&?(\w+\.)?(Err\w*|err\w*|\w+Err|[a-z]{1,3}err|\w+_err|\w*Error\{.*|\w+Error\(.*\))$|^(errors\.New|fmt\.Errorf|errors\.Wrap\w*|status\.Error\w*|Err)\s*\(").unwrap()
    });
    let r = r
        .trim()
        .trim_start_matches("return")
        .trim()
        .trim_end_matches(';');
    // The last value at the top level: commas inside calls, braces and
    // strings belong to that value.
    let mut depth = 0i32;
    let mut quoted: Option<char> = None;
    let mut start = 0;
    for (i, c) in r.char_indices() {
        match (quoted, c) {
            (Some(q), c) if c == q => quoted = None,
            (Some(_), _) => {}
            (None, '"' | '\'' | '`') => quoted = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => start = i + 1,
            _ => {}
        }
    }
    let last = r[start..].trim();
    !r.is_empty() && (ERROR_VALUE.is_match(last) || ERROR_VALUE.is_match(r))
}

/// A quoted string that is exactly a renamed name (`'removedAt'` in an
/// index's column list, `order_by("created")`, `getattr(x, "name")`)
/// follows the rename: it refers to the name, not to text. Other quoted
/// text stays as written.
fn quoted_name_renamed(value: &str, map: &HashMap<String, String>) -> String {
    let Some(q) = value.chars().next() else {
        return String::new();
    };
    // A name, or a dotted path of names (`'doc.removedAt'` in a query
    // builder's column).
    // Not an environment variable or setting name (`"RATE_LIMIT_PER_MIN"`:
    // the deployed configuration still says the old one), nor a shell
    // expansion (`"$TENANT"`).
    let inner = value
        .strip_prefix(q)
        .and_then(|v| v.strip_suffix(q))
        .filter(|v| {
            !v.is_empty()
                && !v.contains('$')
                && v.chars().any(|c| c.is_ascii_lowercase())
                && v.split('.').all(|part| idents(part).next() == Some(part))
        });
    match inner {
        Some(v) if v.split('.').any(|part| map.contains_key(part)) => {
            format!("{q}{}{q}", rename_in(v, map))
        }
        _ => value.to_string(),
    }
}

/// The identifiers of a text and where each starts, as `IDENT` reads them
/// (`[A-Za-z_$][A-Za-z0-9_$]*`): a byte scan, as whole-change texts are
/// read this way several times per report.
fn ident_spans(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let start = |b: u8| b.is_ascii_alphabetic() || b == b'_' || b == b'$';
    let part = move |b: u8| start(b) || b.is_ascii_digit();
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() && !start(bytes[i]) {
            i += 1;
        }
        if i >= bytes.len() {
            return None;
        }
        let from = i;
        while i < bytes.len() && part(bytes[i]) {
            i += 1;
        }
        Some((from, &text[from..i]))
    })
}

/// The identifiers of a text (see `ident_spans`).
fn idents(text: &str) -> impl Iterator<Item = &str> {
    ident_spans(text).map(|(_, name)| name)
}

/// The text with each string literal that reads as prose (an error message,
/// a log line: words with spaces between them) put as `"…"`: a reworded
/// message or a fixed typo in one is not a change of what the code does.
/// Literals that carry meaning (a key, a path, a URL, SQL) stay. Laid out
/// one way, too (`without_layout`).
fn without_prose(text: &str) -> Cow<'_, str> {
    match prose_blanked(text) {
        Cow::Borrowed(t) => without_layout(t),
        Cow::Owned(t) => Cow::Owned(without_layout(&t).into_owned()),
    }
}

/// `text` as a formatter may lay it out either way: no space inside
/// brackets, no trailing comma before a closing one, no parentheses
/// wrapping a whole returned value or condition. Black and Ruff turn
/// `return (a and b)` over three lines into `return a and b` and back; the
/// code is the same.
fn without_layout(text: &str) -> Cow<'_, str> {
    static INSIDE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"([(\[{])\s+|\s+([)\]}])|,\s*([)\]}])").expect("a valid regex")
    });
    let spaced = INSIDE.is_match(text);
    let t = text.trim();
    let (head, body) = match t.strip_prefix("return ") {
        Some(b) => ("return ", b.trim()),
        None => ("", t),
    };
    let wrapped = body.starts_with('(') && body.ends_with(')') && encloses_all(body);
    if !spaced && !wrapped {
        return Cow::Borrowed(text);
    }
    let body = if wrapped {
        &body[1..body.len() - 1]
    } else {
        body
    };
    let out = INSIDE.replace_all(body.trim(), "$1$2$3");
    Cow::Owned(format!("{head}{out}"))
}

/// Whether the parenthesis opening `text` is the one closing it.
fn encloses_all(text: &str) -> bool {
    let mut depth = 0i32;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return i == text.len() - 1;
                }
            }
            _ => {}
        }
    }
    false
}

/// `text` with the words of its prose strings (messages, not keys or
/// queries) left out.
fn prose_blanked(text: &str) -> Cow<'_, str> {
    if !text.contains(['"', '\'', '`']) {
        return Cow::Borrowed(text);
    }
    let prose = |s: &str| {
        let t = s.trim_start();
        s.split_whitespace()
            .filter(|w| w.chars().any(char::is_alphabetic))
            .count()
            >= 3
            && !t.starts_with(['/', '<', '{', '$'])
            && !t.contains("://")
            && !SQL_START.is_match(t)
    };
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut copied, mut i) = (0, 0);
    while i < bytes.len() {
        let q = bytes[i];
        if !matches!(q, b'"' | b'\'' | b'`') {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < bytes.len() && bytes[j] != q {
            j += if bytes[j] == b'\\' { 2 } else { 1 };
        }
        if j >= bytes.len() {
            break;
        }
        if prose(&text[i + 1..j]) {
            out.push_str(&text[copied..i]);
            out.push_str("\"…\"");
            copied = j + 1;
        }
        i = j + 1;
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// An old side's text as written and as renamed, each without its prose:
/// the forms a new text is compared with (borrowed when nothing changes).
fn comparable<'t>(text: &'t str, map: &HashMap<String, String>) -> [Cow<'t, str>; 2] {
    let raw = without_prose(text);
    let renamed = if map.is_empty() || !map.keys().any(|k| text.contains(k.as_str())) {
        raw.clone()
    } else {
        Cow::Owned(without_prose(&rename_in(text, map)).into_owned())
    };
    [raw, renamed]
}

/// Text that opens an SQL statement.
static SQL_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(select|insert|update|delete|create|alter|drop|with|merge|upsert|grant|revoke|truncate)\b")
        .expect("a valid regex")
});

pub fn rename_in(text: &str, map: &HashMap<String, String>) -> String {
    // Most texts hold none of the renamed names: a substring test per name
    // is far cheaper than tokenising.
    if map.is_empty() || !map.keys().any(|k| text.contains(k.as_str())) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (from, name) in ident_spans(text) {
        if let Some(to) = map.get(name) {
            out.push_str(&text[copied..from]);
            out.push_str(to);
            copied = from + name.len();
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Names of what must not reach a log: credentials, tokens, whole header
/// sets (they carry `Authorization` and cookies), card and identity numbers.
const SENSITIVE_NAMES: &[&str] = &[
    "headers",
    "authorization",
    "auth",
    "password",
    "passwd",
    "secret",
    "clientsecret",
    "token",
    "accesstoken",
    "refreshtoken",
    "idtoken",
    "bearer",
    "apikey",
    "cookie",
    "cookies",
    "credentials",
    "credential",
    "creds",
    "privatekey",
    "cardnumber",
    "pan",
    "cvv",
    "cvc",
    "ssn",
];
/// What a name ends in when it is about a secret, not the secret itself.
const METADATA_NAMES: &[&str] = &[
    "length",
    "len",
    "size",
    "count",
    "keys",
    "id",
    "type",
    "name",
    "names",
    "expiry",
    "expires",
    "expiresat",
    "scope",
    "scopes",
    "present",
    "exists",
    "prefix",
    "last4",
    "hash",
    "digest",
    "fingerprint",
    "masked",
    "redacted",
    "kind",
    "source",
    "status",
    "server",
    "host",
    "hostname",
    "username",
    "user",
    "issuer",
    "audience",
    "createdat",
    "issuedat",
];
static STRING_LITERAL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`"#).unwrap());
static DOTTED_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z_$@][A-Za-z0-9_$.]*").unwrap());

/// The sensitive name a logging call's arguments pass, if any: string
/// literals (the message) are left out, names are compared without `_` and
/// case, and a redacting or masking call clears it.
fn logged_secret(args: &str) -> Option<String> {
    let lower = args.to_ascii_lowercase();
    if ["redact", "mask", "sanitiz", "scrub", "obfuscat", "censor"]
        .iter()
        .any(|w| lower.contains(w))
    {
        return None;
    }
    // What a function makes of a secret (`tokenFingerprint(token)`,
    // `unverifiedKid(token)`) is not the secret; what only turns it into
    // text (`str(token)`, `JSON.stringify(token)`) is.
    static CALL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b([A-Za-z_][\w.]*)\s*\(([^()]*)\)").unwrap());
    static AS_TEXT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^(str|string|repr|json\.stringify|json\.dumps|format|inspect|pformat|fmt\.sprint\w*|sprintf|\w*\.tostring|tostring|dump|pp|print)$").unwrap()
    });
    let code = STRING_LITERAL.replace_all(args, "\"\"");
    let code = CALL.replace_all(&code, |c: &regex::Captures<'_>| {
        if AS_TEXT.is_match(&c[1]) {
            c[0].to_string()
        } else {
            format!("{}()", &c[1])
        }
    });
    let code = code.split_once(": ").map_or(&*code, |(_, a)| a);
    DOTTED_NAME.find_iter(code).find_map(|m| {
        let norm = |s: &str| {
            s.trim_start_matches(['$', '@'])
                .replace('_', "")
                .to_ascii_lowercase()
        };
        let segments: Vec<String> = m.as_str().split('.').map(norm).collect();
        let last = segments.last()?;
        if METADATA_NAMES.contains(&last.as_str()) {
            return None;
        }
        // One header read by name (`resp.headers.get("X-Request-Id")`) is
        // that header, a secret only when its name says so.
        if matches!(last.as_str(), "get" | "getheader" | "header")
            && segments.iter().any(|s| s == "headers" || s == "header")
            && ![
                "authorization",
                "cookie",
                "token",
                "api-key",
                "apikey",
                "secret",
            ]
            .iter()
            .any(|w| lower.contains(w))
        {
            return None;
        }
        segments
            .iter()
            .any(|s| SENSITIVE_NAMES.contains(&bare_name(s)))
            .then(|| m.as_str().to_string())
    })
}

/// A normalised name without the words that only say where a value comes
/// from or what shape it has: `headersOf`, `dumpHeaders`, `allHeaders` and
/// `tokenFor` all carry headers or a token.
fn bare_name(name: &str) -> &str {
    let mut n = name;
    for prefix in [
        "get", "all", "dump", "request", "req", "raw", "collect", "format",
    ] {
        if let Some(rest) = n.strip_prefix(prefix)
            && rest.len() >= 4
        {
            n = rest;
            break;
        }
    }
    for suffix in [
        "of", "from", "for", "map", "dict", "list", "json", "str", "string",
    ] {
        if let Some(rest) = n.strip_suffix(suffix)
            && rest.len() >= 4
        {
            n = rest;
            break;
        }
    }
    n
}

/// A whole request or submission serialised into a logging call's
/// arguments (`submission=body.model_dump()`, `JSON.stringify(req.body)`,
/// `json.dumps(payload)`): every field the client sent goes to the logs,
/// card numbers and identity documents included.
fn dumped_request(args: &str) -> Option<String> {
    static DUMP: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b((?:req|request|body|payload|submission|form|data|input|\w*params)(?:\.(?:body|data|json|form|POST|values))?\.(?:(?:model_dump|dict|to_dict|to_json|json|as_dict|toJSON|to_h)\s*\(|(?:to_h|to_unsafe_h|inspect)\b)|JSON\.stringify\(\s*(?:req|request|ctx\.request)\.body\b|json\.dumps\(\s*(?:request\.(?:json|data|form)|payload|body)\b|asdict\(\s*(?:body|payload|submission)\b)").expect("a valid regex")
    });
    // The whole thing passed as it is (`payload`, `signup_params`,
    // `request.POST`), not a field of it (`payload.id`).
    static WHOLE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?:^|[\s,(=])((?:payload|body|submission|form_data|request_data|raw_body|\w+_params|params|request\.(?:POST|GET|data|json|form|body)|req\.body))\s*(?:[,)}\]]|$)").expect("a valid regex")
    });
    // All of a request's headers (`dict(resp.request.headers)`,
    // `req.headers`): `Authorization` and cookies among them.
    static HEADERS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?:^|[\s,=:\[{]|\b(?:dict|str|repr|json\.dumps|JSON\.stringify|inspect|fmt\.Sprint\w*)\(\s*)([\w.]*\b(?:request|req|resp|response|res|r|ctx|context)\.(?:request\.)?(?:headers|Header))\s*\)?\s*(?:[,)}\]]|$)").expect("a valid regex")
    });
    let code = STRING_LITERAL.replace_all(args, "\"\"");
    let code = code.split_once(": ").map_or(&*code, |(_, a)| a);
    DUMP.find(code)
        .map(|m| m.as_str().trim_end_matches('(').to_string())
        .or_else(|| WHOLE.captures(code).map(|c| c[1].to_string()))
        .or_else(|| HEADERS.captures(code).map(|c| c[1].to_string()))
}

/// What a function that obtains or refreshes tokens logs of the answer it
/// got (`resp.text`, `response.json()`): the tokens themselves.
fn logged_token_response(unit: &str, args: &str) -> Option<String> {
    static TOKEN_FN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(token|oauth|credential|login|authenticat|authori[sz]e|session|refresh)")
            .expect("a valid regex")
    });
    static ANSWER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(?:resp|response|res|r|token_resp\w*|token_response)\.(?:text|content|body|data|json\(\))").expect("a valid regex")
    });
    if !TOKEN_FN.is_match(unit) {
        return None;
    }
    let code = STRING_LITERAL.replace_all(args, "\"\"");
    let code = code.split_once(": ").map_or(&*code, |(_, a)| a);
    ANSWER.find(code).map(|m| m.as_str().to_string())
}

/// A name in a logging call's arguments that carries a body or payload.
fn logged_body(args: &str) -> Option<String> {
    let code = STRING_LITERAL.replace_all(args, "\"\"");
    let code = code.split_once(": ").map_or(&*code, |(_, a)| a);
    DOTTED_NAME
        .find_iter(code)
        .map(|m| m.as_str())
        .find(|n| {
            n.split(['.', '_'])
                .any(|w| matches!(w.to_ascii_lowercase().as_str(), "body" | "payload" | "raw"))
        })
        .map(str::to_string)
}

/// Logging calls the change adds that pass credentials, tokens or whole
/// header sets, change-wide (a new file's logging counts too).
fn logged_secrets(parsed: &[Parsed<'_>], out: &mut Vec<Finding>) {
    // The body of each function of the new side: a log call that passes
    // `_auth_context(request)` logs whatever that helper builds.
    let mut bodies: HashMap<&str, Vec<String>> = HashMap::default();
    for p in parsed {
        let text = p.file.new_text_or_hunks();
        let lines: Vec<&str> = text.lines().collect();
        for u in p.new.units.iter().filter(|u| u.name != "<top>") {
            let short = u.name.rsplit('.').next().unwrap_or(&u.name);
            let short = short.split('#').next().unwrap_or(short);
            let (from, to) = (u.line as usize, (u.end_line as usize).min(lines.len()));
            if from == 0 || from > to || to - from > 200 {
                continue;
            }
            bodies
                .entry(short)
                .or_default()
                .push(lines[from - 1..to].join("\n"));
        }
    }
    let through_helper = |args: &str| -> Option<String> {
        CALLEE.captures_iter(args).find_map(|c| {
            let name = c.get(1)?.as_str();
            bodies.get(name)?.iter().find_map(|body| {
                body.lines()
                    .find_map(dumped_request)
                    .map(|s| format!("{s}` via `{name}"))
            })
        })
    };
    for p in parsed {
        let f = p.file;
        if f.class.test_like() || f.class.docs || f.class.vendored {
            continue;
        }
        let before: HashSet<String> = p
            .old
            .units
            .iter()
            .flat_map(|u| &u.logged)
            .flat_map(|l| [l.text.clone(), rename_in(&l.text, &p.renames)])
            .collect();
        let hit = p.new.units.iter().find_map(|u| {
            // A function that reads the request body: logging "the body"
            // there logs what the client sent, card numbers included.
            let reads_body = u.calls.iter().any(|c| {
                let name = c.text.to_ascii_lowercase().replace('_', "");
                matches!(name.as_str(), "body" | "getdata" | "getjson")
                    || [
                        "readbody",
                        "readrequestbody",
                        "readtoend",
                        "getinputstream",
                        "readallbytes",
                        "enablebuffering",
                    ]
                    .iter()
                    .any(|w| name.starts_with(w))
            });
            u.logged
                .iter()
                .filter(|l| !before.contains(&l.text))
                .find_map(|l| {
                    logged_secret(&l.text)
                        .or_else(|| reads_body.then(|| logged_body(&l.text)).flatten())
                        .or_else(|| dumped_request(&l.text))
                        .or_else(|| logged_token_response(&u.name, &l.text))
                        .or_else(|| through_helper(&l.text))
                        .map(|s| (l, s))
                })
        });
        if let Some((l, secret)) = hit {
            let callee = l.text.split(": ").next().unwrap_or("log");
            out.push(Finding::added(
                "logic-secret-logged",
                Severity::High,
                f.path,
                Some(l.line),
                format!(
                    "`{}` now writes `{}` to the log: credentials and tokens in it are kept as long as the logs and read by everyone who reads them.",
                    quote(callee),
                    quote(&secret)
                ),
            ));
        }
    }
}

/// Decorators that route or describe rather than check.
static ROUTE_DECORATOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(controller|route|get|post|put|patch|delete|mapping|api\w*|tag|summary|doc|error|serde|derive|response|produces|consumes|path)\s*$").unwrap()
});

/// Decorators and annotations that check who may call: `@PreAuthorize`,
/// `[Authorize]`, `@login_required`, `@UseGuards(…)`, `@Secured`.
static AUTH_DECORATOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(authori[sz]|secured|rolesallowed|login_required|permission|requires?_?(auth|role|admin|login|user|scope)|useguards|staff_member_required|user_passes_test|authenticated|admin_required|jwt_required)").unwrap()
});

/// Whether every answer of `n` is what a method of its own name on another
/// object returns (`Allow` → `return e.lim.AllowN(now, 1)`): the function
/// now hands its question to an implementation, not to nothing.
fn delegates_its_answer(short_name: &str, n: &Unit) -> bool {
    if short_name.len() < 4 || n.returns.is_empty() {
        return false;
    }
    n.returns.iter().all(|r| {
        let t = r.text.trim().trim_start_matches("return").trim();
        let Some(open) = t.find('(') else {
            return false;
        };
        let callee = &t[..open];
        callee.contains(['.', '>', ':'])
            && syntax::last_segment(callee).starts_with(short_name)
            && t.ends_with([')', ';'])
    })
}

/// Whether a check call's role or permission now stands in an access
/// decorator, attribute or annotation on the same function:
/// `$this->denyAccessUnlessGranted('ROLE_ADMIN')` → `#[IsGranted('ROLE_ADMIN')]`,
/// `require_permission("refunds")` → `@permission_required("refunds")`. The
/// framework runs it before the body, as the call did at its start.
fn check_as_decorator(written: &str, decorators: &str) -> bool {
    let names: Vec<&str> = STRING_LITERAL
        .find_iter(written)
        .map(|m| unquote(m.as_str()))
        .filter(|n| n.len() >= 2)
        .collect();
    // One fact may hold several attributes (`#[Route(…)] #[IsGranted(…)]`).
    static ONE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:#\[|@|\[)\s*([A-Za-z_][\w.\\]*)\s*(\((?:[^()]|\([^()]*\))*\))?")
            .expect("a valid regex")
    });
    !names.is_empty()
        && ONE.captures_iter(decorators).any(|c| {
            let args = c.get(2).map_or("", |m| m.as_str());
            (AUTHZ.is_match(&c[1]) || GUARD_WORDS.is_match(&c[1]))
                && names.iter().all(|n| args.contains(n))
        })
}

/// The function a returned expression calls first (`issue` in `return
/// issue(charge, amount)`, `self.issue` → `issue`), if it is a call.
fn first_callee(ret: &str) -> Option<&str> {
    let t = ret.trim().trim_start_matches("return").trim();
    let open = t.find('(')?;
    let callee = t[..open].trim().rsplit(['.', ':', '>']).next()?;
    (callee.len() > 2 && callee.chars().all(|c| c.is_alphanumeric() || c == '_')).then_some(callee)
}

/// Whether a failing guard now stands in a hook the framework runs before
/// every request: SvelteKit's `handle` in `hooks.server`, Next.js's
/// `middleware` (`hooks`: the lines the change adds to those files). The
/// change adds the hook and, in it, a test of the same
/// names with the same negation (`!locals.user` → `if (routeId?.startsWith(
/// PROTECTED) && !event.locals.user)`); a route prefix the hook tests must
/// be one the guarded file sits under.
fn guard_in_global_hook(cond: &str, path: &str, hooks: &str) -> bool {
    static HOOK: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"export\s+(const\s+handle\b|(default\s+)?(async\s+)?function\s+(handle|middleware)\b)",
        )
        .expect("a valid regex")
    });
    static PREFIX: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"startsWith\(\s*(?:["'`]([^"'`]+)["'`]|([A-Za-z_]\w*))"#)
            .expect("a valid regex")
    });
    if !HOOK.is_match(hooks) {
        return false;
    }
    let names: Vec<&str> = cond
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| w.len() >= 3 && !matches!(*w, "not" | "null" | "None" | "nil" | "undefined"))
        .collect();
    let negated = cond.trim_start().starts_with('!') || cond.trim_start().starts_with("not ");
    if names.is_empty() {
        return false;
    }
    let covers = |line: &str| {
        let Some(c) = PREFIX.captures(line) else {
            return true;
        };
        let prefix = c.get(1).map(|m| m.as_str().to_string()).or_else(|| {
            let name = c.get(2)?.as_str();
            let def = Regex::new(&format!(r#"\b{name}\s*=\s*["'`]([^"'`]+)"#)).ok()?;
            def.captures(hooks).map(|d| d[1].to_string())
        });
        prefix.is_none_or(|p| path.contains(p.trim_matches('/')))
    };
    hooks.lines().any(|l| {
        let t = l.trim_start();
        (t.starts_with("if") || t.contains(" if "))
            && names.iter().all(|n| super::code::has_word(l, n))
            && (!negated || l.contains('!') || l.contains("not "))
            && covers(l)
    })
}

/// Whether a check function's name stands in an access argument of
/// `text` (the decorators of a function, or the lines a change adds):
/// `self._require_billing_admin()` → `@action(…, permission_classes=
/// BILLING_ADMIN)`, `checkProjectOwner(req)` → `guards: [ProjectOwnerGuard]`.
/// Every word of the name but the verb is in the argument's value, so the
/// framework runs the same check before the handler.
pub(crate) fn check_named_in_access_argument(check: &str, text: &str) -> bool {
    static ACCESS_ARGUMENT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(permission_classes|permissions|guards|roles|dependencies|policies|policy)\s*[=:]\s*([^\n]+)")
            .expect("a valid regex")
    });
    const VERBS: &[&str] = &[
        "require", "check", "ensure", "assert", "verify", "validate", "is", "has", "can", "must",
        "only", "self", "this",
    ];
    let name = check.rsplit(['.', ':', '>']).next().unwrap_or(check);
    let name = name.split('(').next().unwrap_or(name);
    let wanted: Vec<String> = name_words(name)
        .into_iter()
        .filter(|w| !VERBS.contains(&w.as_str()))
        .collect();
    !wanted.is_empty()
        && ACCESS_ARGUMENT.captures_iter(text).any(|c| {
            let have = name_words(&c[2]);
            wanted.iter().all(|w| have.contains(w))
        })
}

/// The lines of `text` that hold `u`'s decorators, written out in full (a
/// fact keeps a shortened copy).
fn decorator_lines(text: &str, u: &Unit) -> String {
    let Some(first) = u.decorators.iter().map(|d| d.line).min() else {
        return String::new();
    };
    // From the first decorator down, while lines are decorators or the
    // arguments of one still open.
    let mut depth = 0i32;
    let mut out = Vec::new();
    for l in text.lines().skip(first.saturating_sub(1) as usize).take(40) {
        let t = l.trim_start();
        if depth <= 0 && !t.starts_with(['#', '@', '[']) {
            break;
        }
        depth += t.matches(['(', '[']).count() as i32 - t.matches([')', ']']).count() as i32;
        out.push(l);
    }
    out.join("\n")
}

/// The auth decorators that apply to `u` in outline `o`: its own, and those
/// written at the file's top level or on its class.
fn effective_auth(o: &Outline, u: &Unit) -> Vec<String> {
    effective_decorators(o, u)
        .filter(|d| AUTH_DECORATOR.is_match(&d.text))
        .map(|d| d.text.clone())
        .collect()
}

/// The decorators that apply to `u` in outline `o`: its own, and those
/// written on its class or at the file's top level (the outline keeps class
/// decorators with the top level).
fn effective_decorators<'a>(o: &'a Outline, u: &'a Unit) -> impl Iterator<Item = &'a syntax::Fact> {
    let top = o.units.iter().find(|x| x.name == "<top>");
    u.decorators
        .iter()
        .chain(top.into_iter().flat_map(|t| &t.decorators))
}

/// Handlers moved to another file (a split controller, a new module) that
/// were guarded where they were and are not where they are now.
fn moved_out_of_guard(parsed: &[Parsed<'_>], out: &mut Vec<Finding>) {
    let short = |n: &str| -> String {
        let n = n.split('#').next().unwrap_or(n);
        n.rsplit('.').next().unwrap_or(n).to_string()
    };
    for p in parsed {
        if p.file.class.test_like() || p.file.created() {
            continue;
        }
        for u in &p.old.units {
            if u.name == "<top>" {
                continue;
            }
            let guards = effective_auth(&p.old, u);
            let name = rename_in(&short(&u.name), &p.renames);
            if guards.is_empty() || p.new.units.iter().any(|n| short(&n.name) == name) {
                continue;
            }
            let sig = signature(u, &p.renames);
            let moved = parsed
                .iter()
                .filter(|q| q.file.path != p.file.path && !q.file.class.test_like())
                .flat_map(|q| q.new.units.iter().map(move |n| (q, n)))
                .find(|(_, n)| {
                    short(&n.name) == name
                        && (sig.is_empty()
                            || jaccard(&sig, &signature(n, &HashMap::default())) >= 0.5)
                });
            let Some((q, n)) = moved else { continue };
            if !effective_auth(&q.new, n).is_empty() {
                continue;
            }
            out.push(Finding::added(
                "logic-check-removed",
                Severity::High,
                q.file.path,
                Some(n.line),
                format!(
                    "`{}` moved here from {}, where `{}` guarded it; nothing guards it here.",
                    quote(&name),
                    p.file.path,
                    quote(&guards[0])
                ),
            ));
        }
    }
}

/// A condition as compared: shell quoting and `[[ ]]` set aside.
fn written_as(cond: &str) -> String {
    let unquoted = QUOTED_EXPANSION.replace_all(cond, "$1");
    unquoted.replace("[[", "[").replace("]]", "]")
}

/// A shell expansion in double quotes: `"$VAR"`, `"${VAR}"`.
static QUOTED_EXPANSION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#""(\$\{?\w+\}?)""#).unwrap());

static CALLEE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(").unwrap());

/// Whether `new` tests what `old` tested: all of its names, no number
/// changed, and either the same calls or a call to a function the change adds.
fn restated_condition(old: &str, new: &str, fresh: &HashSet<String>) -> bool {
    // A function moved into a module keeps its name: `_verify_password(…)`
    // and `passwords.verify_password(…)` are one call.
    static CALL_ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(?:[A-Za-z_]\w*(?:\.|::|->))+_*([A-Za-z]\w*\s*\()|\b_+([A-Za-z]\w*\s*\()")
            .expect("a valid regex")
    });
    let bare = |t: &str| CALL_ADDRESS.replace_all(t, "$1$2").into_owned();
    let (old, new) = (&bare(old), &bare(new));
    let fresh: HashSet<String> = fresh
        .iter()
        .map(|f| f.trim_start_matches('_').to_string())
        .collect();
    let fresh = &fresh;
    let names = |t: &str| -> HashSet<String> { idents(t).map(str::to_string).collect() };
    let numbers = |t: &str| -> Vec<String> {
        GUARD_TOKEN
            .find_iter(t)
            .map(|m| m.as_str())
            .filter(|x| x.starts_with(|c: char| c.is_ascii_digit()))
            .map(str::to_string)
            .collect()
    };
    let calls = |t: &str| -> HashSet<String> {
        CALLEE.captures_iter(t).map(|c| c[1].to_string()).collect()
    };
    let (a, b) = (calls(old), calls(new));
    let through = (!a.is_empty() && a == b) || b.iter().any(|c| fresh.contains(c));
    // An equality test handed whole to a helper this change adds
    // (`hash(s) != row.hash` → `!matches(s, &row.hash)`): the helper now
    // does the hashing, so the old calls may go; their arguments may not.
    let handed_whole = || {
        let helper = new.trim().trim_start_matches('!').trim();
        let Some((callee, _)) = helper.split_once('(') else {
            return false;
        };
        (old.contains("==") || old.contains("!="))
            && fresh.contains(callee.trim())
            && helper.ends_with(')')
            && outer_calls(helper).len() == 1
            && names(old).difference(&names(new)).all(|n| a.contains(n))
    };
    through
        && same_polarity(old, new)
        && (names(old).is_subset(&names(new)) || handed_whole())
        && numbers(old) == numbers(new)
}

/// Whether `new` stops on the failure of the same call `old` stopped on,
/// written another way: `!verify(a, b)` → `let Err(e) = verify(a, b)`, or
/// → `v == Verification.Failed` after `v = verify(a, b)`. The call must be
/// the same (same arguments), and the new condition must test for failure
/// (an error, a failed/invalid/denied value, `false`, nothing), not success.
fn verdict_restated(old: &str, new: &str, new_text: &str) -> bool {
    static FAILURE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(^\s*(!|not\s)|\blet\s+Err\b|\bis\s+None\b|(==|\bis\b)\s*[\w.:]*\b\w*(fail\w*|invalid\w*|denied|rejected|err\w*|false|none|nil|null|mismatch)\b|!=\s*[\w.:]*\b\w*(success\w*|ok|valid|true|match\w*)\b)").unwrap()
    });
    let old = old.trim();
    let Some(inner) = old.strip_prefix('!').or_else(|| old.strip_prefix("not ")) else {
        return false;
    };
    let inner = inner.trim();
    let calls = outer_calls(inner);
    // One test, no more: `!owns(d) && !d.shared` lets shared documents by.
    let joined =
        |t: &str| t.contains("&&") || t.contains("||") || t.contains(" and ") || t.contains(" or ");
    if calls.len() != 1 || !inner.ends_with(')') || !FAILURE.is_match(new) || joined(new) {
        return false;
    }
    // The same call, in the condition or assigned to what it tests.
    let collapse = |t: &str| t.split_whitespace().collect::<String>();
    let call = collapse(inner);
    collapse(new).contains(&call)
        || collapse(new_text).contains(&call) && tests_result_of(new, &calls, new_text)
        || initializer_of(new, new_text).is_some_and(|init| collapse(init).contains(&call))
}

/// What the one name a condition tests (`!matched`) is first assigned: the
/// expression after `matched =` up to where its brackets close (`const
/// matched = secrets.some((s) => { … })`).
fn initializer_of<'t>(cond: &str, text: &'t str) -> Option<&'t str> {
    let mut names = IDENT
        .find_iter(cond)
        .map(|m| m.as_str())
        .filter(|w| !CONDITION_WORDS.contains(w));
    let name = names.next()?;
    if names.next().is_some() {
        return None;
    }
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    for (at, _) in text.match_indices(name) {
        if text[..at].chars().next_back().is_some_and(word) {
            continue;
        }
        let rest = text[at + name.len()..].trim_start();
        let Some(rest) = rest.strip_prefix(":=").or_else(|| rest.strip_prefix('=')) else {
            continue;
        };
        if rest.starts_with(['=', '>']) {
            continue; // a comparison or an arrow
        }
        let mut depth = 0i32;
        let mut opened = false;
        for (i, c) in rest.char_indices() {
            match c {
                '(' | '[' | '{' => {
                    depth += 1;
                    opened = true;
                }
                ')' | ']' | '}' => {
                    depth -= 1;
                    if depth < 0 {
                        return Some(&rest[..i]);
                    }
                    if depth == 0 && opened && !rest[i + 1..].starts_with(['.', '(']) {
                        return Some(&rest[..=i]);
                    }
                }
                ';' if depth == 0 => return Some(&rest[..i]),
                _ => {}
            }
        }
        return Some(rest);
    }
    None
}

/// The names a condition tests, receivers of the request or the instance
/// left out: `stmt.account_id != g.user.account_id` and `stmt.account_id !=
/// user.account_id` (the same check in a helper given `g.user`) test the same.
fn condition_words(c: &str) -> std::collections::BTreeSet<String> {
    const RECEIVERS: &[&str] = &[
        "g", "self", "this", "request", "req", "ctx", "context", "s", "r", "st", "app", "cls",
        "params", "args", "kwargs", "opts", "options", "input", "dto", "cmd", "command", "state",
    ];
    IDENT
        .find_iter(c)
        .map(|m| m.as_str().to_ascii_lowercase())
        .filter(|w| !RECEIVERS.contains(&w.as_str()))
        .collect()
}

/// Two guard conditions that test the same names (see [`condition_words`]).
/// A name the old one only reached through (`principal.tenantId`,
/// `principal.has(…)`) may be gone from the new one: a method or extension
/// function of that object reads it as `this`.
fn alike_condition(a: &str, b: &str) -> bool {
    let (x, y) = (condition_words(a), condition_words(b));
    if x.len() < 2 || !y.is_subset(&x) || y.len() < 2 {
        return false;
    }
    x.difference(&y).all(|w| {
        let re = Regex::new(&format!(r"(?i)\b{}\b(\s*\??\.)?", regex::escape(w)));
        re.is_ok_and(|re| re.captures_iter(a).all(|c| c.get(1).is_some()))
    })
}

/// The same condition with the object it is asked of renamed, as code moved
/// into that object's class reads (`!item.currency().equals(currency)` in a
/// calculator → `!currency.equals(other.currency)` in `Money`): one receiver
/// at the head of its chains swapped for another, every other name tested as
/// often, the same operators. Operands of an ordering (`<`, `-`) keep their
/// order; `equals`, `==` and `&&` read the same either way round.
fn receiver_renamed(a: &str, b: &str) -> bool {
    fn names(c: &str) -> (Vec<String>, HashSet<String>) {
        let mut words = Vec::new();
        let mut roots = HashSet::default();
        for (at, w) in ident_spans(c) {
            let before = c[..at].trim_end();
            let chained = before.ends_with('.') || before.ends_with("->") || before.ends_with("::");
            let rest = c[at + w.len()..].trim_start();
            let receiver =
                rest.starts_with('.') || rest.starts_with("?.") || rest.starts_with("->");
            if !chained && receiver {
                roots.insert(w.to_ascii_lowercase());
            }
            words.push(w.to_ascii_lowercase());
        }
        (words, roots)
    }
    fn operators(c: &str) -> Vec<char> {
        let mut ops: Vec<char> = without_words(c)
            .chars()
            .filter(|ch| !ch.is_whitespace() && !matches!(ch, '.' | '(' | ')' | '?'))
            .collect();
        ops.sort_unstable();
        ops
    }
    // Member access (`->`, `::`) is no operator.
    fn without_words(c: &str) -> String {
        IDENT
            .replace_all(c, " ")
            .replace("->", " ")
            .replace("::", " ")
    }
    let ((wa, ra), (wb, rb)) = (names(a), names(b));
    let count = |ws: &[String], w: &str| ws.iter().filter(|x| *x == w).count();
    let only = |x: &[String], y: &[String]| -> HashSet<String> {
        x.iter()
            .filter(|w| count(x, w) > count(y, w))
            .cloned()
            .collect()
    };
    let (gone, came) = (only(&wa, &wb), only(&wb, &wa));
    let (Some(old), Some(new)) = (gone.iter().next(), came.iter().next()) else {
        return false;
    };
    if gone.len() != 1
        || came.len() != 1
        || !ra.contains(old)
        || !rb.contains(new)
        || count(&wa, old) != count(&wb, new)
        || wa.len() - count(&wa, old) < 2
        || operators(a) != operators(b)
    {
        return false;
    }
    let ordered = without_words(a).contains(['<', '>', '-', '/', '%']);
    !ordered
        || wa
            .iter()
            .map(|w| if w == old { new } else { w })
            .eq(wb.iter())
}

/// A guard's new condition stops everything the old one stopped, and more:
/// the old condition is one of its alternatives (`blank` → `blank || too
/// long`), or the same comparison made inclusive (`now > expiry` → `now >=
/// expiry`, `now.isAfter(exp)` → `!now.isBefore(exp)`).
fn stops_in_more_cases(old: &str, new: &str) -> bool {
    let (old, new) = (collapse(old), collapse(new));
    if new
        .split("||")
        .map(|d| strip_outer_parens(d.trim()))
        .any(|d| d == strip_outer_parens(&old))
        && new.contains("||")
    {
        return true;
    }
    match (ordered(&old), ordered(&new)) {
        (Some((a, op, b)), Some((c, op2, d))) if a == c && b == d => {
            matches!((op, op2), (">", ">=") | ("<", "<="))
        }
        _ => false,
    }
}

/// A failing condition made stricter without testing anything else: an
/// argument or term that let callers opt out dropped (`!verify(body, sig,
/// props.isSkipSignatureCheck())` → `!verify(body, sig)`), or a plain
/// equality of secrets turned into a constant-time one (`expected != sig` →
/// `!hmac.Equal(expected, got)`).
fn hardened(old: &str, new: &str) -> bool {
    static NAME: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[A-Za-z_$][\w$]*").unwrap());
    static OPT_OUT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(skip|bypass|disable|insecure|ignore|unsigned|unverified|no_?verify|no_?check|dev_?mode|debug)").unwrap()
    });
    static CONSTANT_TIME: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(hmac\.Equal|ConstantTimeCompare|compare_digest|timingSafeEqual|MessageDigest\.isEqual|FixedTimeEquals|secure_compare|hash_equals|SecurityUtils\.secure_compare|constant_time_eq|ct_eq|constantTimeEquals)").unwrap()
    });
    let names = |s: &str| -> HashSet<String> {
        NAME.find_iter(s).map(|m| m.as_str().to_string()).collect()
    };
    let (before, after) = (names(old), names(new));
    let gone: Vec<&String> = before.difference(&after).collect();
    let opted_out =
        !gone.is_empty() && after.is_subset(&before) && gone.iter().any(|g| OPT_OUT.is_match(g));
    let plain_equality = ["==", "!=", ".equals(", ".Equals("]
        .iter()
        .any(|op| old.contains(op));
    opted_out || plain_equality && CONSTANT_TIME.is_match(new) && !CONSTANT_TIME.is_match(old)
}

/// The same kind of error recognised through another API of the library
/// (`errors.As(err, &ve) && ve.Errors&jwt.ValidationErrorExpired != 0` →
/// `errors.Is(err, jwt.ErrTokenExpired)`): both test an error's kind, and
/// name the same kind.
fn same_error_class(old: &str, new: &str) -> bool {
    static KIND_TEST: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(errors\.(Is|As)\(|\bisinstance\(|\binstanceof\b|\bis_a\?\(|\bis\s+[A-Z]\w*(Exception|Error)\b|\.is_\w+\(\))").unwrap()
    });
    const VAGUE: &[&str] = &[
        "error",
        "errors",
        "exception",
        "valid",
        "validation",
        "unknown",
    ];
    if !KIND_TEST.is_match(old) || !KIND_TEST.is_match(new) {
        return false;
    }
    static IDENT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[A-Za-z_][\w.]*").unwrap());
    // The words of each name's last part: `requests.Timeout` is a timeout,
    // whichever library it comes from.
    let kinds = |c: &str| -> std::collections::BTreeSet<String> {
        IDENT
            .find_iter(c)
            .flat_map(|m| name_words(m.as_str().rsplit('.').next().unwrap_or("")))
            .filter(|w| w.len() >= 5 && !VAGUE.contains(&w.as_str()))
            .collect()
    };
    let (a, b) = (kinds(old), kinds(new));
    !a.is_empty() && !b.is_empty() && (a.is_subset(&b) || b.is_subset(&a)) && {
        // Nothing else joined the test (`&& !cfg.strict`).
        let joins = |c: &str| c.matches("&&").count() + c.matches("||").count();
        joins(new) <= joins(old)
    }
}

/// A statement that records work as done: a status set to a finished
/// state, a "mark done" call, an acknowledgement, a "completed" event.
static RECORDS_DONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(status\w*\s*(=|:|,)\s*[\w.]*["']?(COMPLETED?|DONE|SUCCEEDED|SUCCESS|RELEASED|PROCESSED|FINISHED|SHIPPED|PAID|ERASED|DELIVERED|SENT|FULFILLED|CLOSED)\b|\bupdate_?status\w*\([^)]*["'](COMPLETED?|DONE|RELEASED|PROCESSED|FINISHED|SHIPPED|PAID|FULFILLED)|\bmark_?\w*(complete|done|processed|paid|sent|success|finished|fulfilled)\w*\s*\(|\.(ack|acknowledge)\s*\(|["'][\w.]*\.(completed|released|fulfilled|processed|succeeded|erased)["']|\b(published|processed|sent|delivered|completed|relayed|dispatched|fulfilled)(_?at|_?on)?(_?utc)?\s*=\s*(now\(\)|NOW\(\)|CURRENT_TIMESTAMP|true\b|TRUE\b|DateTime(Offset)?\.UtcNow\b|Instant\.now\(\)|time\.Now\(\)|(processed|published|sent|delivered|dispatched)_?(at|on)\b))"#).unwrap()
});
/// Results of parallel calls gathered without failing on the first
/// failure: `Promise.allSettled`, `asyncio.gather(…, return_exceptions=True)`.
static SETTLED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(Promise\.allSettled\s*\(|return_exceptions\s*=\s*True)").unwrap()
});
/// Throwing again after the fact: the failure still escapes.
static RETHROWS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(\bthrow\b|\braise\b|\breturn\s+(Err|err|fmt\.Errorf|errors\.)|AggregateError|\bpanic\()",
    )
    .unwrap()
});

/// A guard moved into the function a factory now returns (`requireAdmin`
/// → `requireRole(...allowed)` returning `roleGuard(req, res, next)`): the
/// nested function stops the same way, testing the same things.
fn in_returned_closure(p: &Parsed<'_>, n: &Unit, g: &syntax::Guard, cond: &str) -> bool {
    let exit = collapse(&g.exit);
    let words: std::collections::BTreeSet<String> = name_words(cond)
        .into_iter()
        .filter(|w| w.len() >= 4)
        .collect();
    p.new.units.iter().any(|u| {
        !std::ptr::eq(u, n)
            && u.line > n.line
            && u.end_line <= n.end_line
            && u.guards.iter().any(|x| {
                x.failing
                    && collapse(&x.exit) == exit
                    && name_words(&x.cond).iter().any(|w| words.contains(w))
            })
    })
}

/// A length comparison of two values from a hand-written constant-time
/// compare, replaced by the library's (`hmac.compare_digest`,
/// `crypto.timingSafeEqual`, `subtle.ConstantTimeCompare`), which compares
/// the lengths itself.
/// Whether the parts an `||` guard lost are upper bounds (`name.length >
/// 120`) that the change now declares for the framework to enforce, with
/// the same number: a schema's `maxLength: 120`, `max_length=120`,
/// `@Size(max = 120)`, `.max(120)`.
fn bound_now_declared(old: &str, new: &str, added: &str) -> bool {
    static BOUND: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^[\w.()\[\]]+\s*>=?\s*(\d+)$").unwrap());
    let squeeze = |t: &str| t.split_whitespace().collect::<String>();
    let kept: Vec<String> = new.split("||").map(|p| squeeze(p.trim())).collect();
    let lost: Vec<&str> = old
        .split("||")
        .map(str::trim)
        .filter(|p| !kept.contains(&squeeze(p)))
        .collect();
    !lost.is_empty()
        && lost.iter().all(|p| {
            BOUND.captures(p).is_some_and(|c| {
                let n = &c[1];
                let declared = Regex::new(&format!(
                    r"(?i)(max_?length|max_?len|maximum|max_?size|max_?items|\bmax)\W{{0,3}}\s*[:=]?\s*{n}\b|\.max\(\s*{n}\s*\)"
                ));
                declared.is_ok_and(|d| d.is_match(added))
            })
        })
}

fn length_check_now_in_library(cond: &str, f: &FileView<'_>) -> bool {
    static LENGTHS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*(len\(\s*\w+\s*\)|\w+\.(length|len\(\)|size\(\)|Length|count))\s*!==?\s*(len\(\s*\w+\s*\)|\w+\.(length|len\(\)|size\(\)|Length|count))\s*$").unwrap()
    });
    static LIBRARY_COMPARE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(hmac\.compare_digest|secrets\.compare_digest|timingSafeEqual|ConstantTimeCompare|hmac\.Equal|MessageDigest\.isEqual|FixedTimeEquals|secure_compare|hash_equals|constant_time_eq)\s*\(").unwrap()
    });
    LENGTHS.is_match(cond) && f.added_code().any(|l| LIBRARY_COMPARE.is_match(l.text))
}

/// An old return that tested exact membership in a list, and a new one
/// that tests a prefix or suffix against the same list.
fn membership_made_partial<'u>(
    o: &'u Unit,
    n: &'u Unit,
) -> Option<(&'u syntax::Fact, &'u syntax::Fact)> {
    static EXACT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(\.(includes|contains|Contains|has|include\?)\s*\(|\bin\s+[A-Za-z_]|===?|\.equals\s*\()").unwrap()
    });
    static PREFIX: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(startswith|starts_with|startsWith|StartsWith|start_with\?|HasPrefix|endswith|ends_with|endsWith|EndsWith|end_with\?|HasSuffix)\b").unwrap()
    });
    // The list asked: the receiver of `.includes(…)`, or what `in` reads.
    static LIST: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"([A-Za-z_][\w.]*?)\.(?:includes|contains|Contains|has|include\?)\s*\(|\bin\s+([A-Za-z_][\w.]*)").unwrap()
    });
    let was = o
        .returns
        .iter()
        .find(|r| EXACT.is_match(&r.text) && !PREFIX.is_match(&r.text))?;
    let lists: Vec<&str> = LIST
        .captures_iter(&was.text)
        .filter_map(|c| c.get(1).or_else(|| c.get(2)))
        .map(|m| m.as_str())
        .filter(|l| l.len() > 4)
        .collect();
    let now = n.returns.iter().find(|r| {
        PREFIX.is_match(&r.text) && lists.iter().any(|l| super::code::has_word(&r.text, l))
    })?;
    Some((was, now))
}

/// The lines of a change that only rename one name, the same way
/// everywhere (`secure-headers` → `security-headers` in a middleware's
/// definition and in every router that uses it), as (path, line, side).
/// A name counts as renamed when the change no longer writes the old one
/// anywhere, and at least two lines rename it.
fn token_renamed_lines(change: &ChangeView<'_>) -> HashSet<(String, Option<u32>, super::Side)> {
    // A name may hold colons between its words (Prometheus recording rules:
    // `job:http_requests:rate5m`), so a renamed series is one token.
    static TOKEN: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"[A-Za-z0-9_.\-/]+(?::[A-Za-z0-9_.\-/]+)*|\S").unwrap());
    const MAX_LINES: usize = 200;
    fn tokens(t: &str) -> Vec<&str> {
        TOKEN.find_iter(t).map(|m| m.as_str()).collect()
    }
    let mut pairs: Vec<(String, String, &str, u32, u32)> = Vec::new();
    for f in &change.files {
        if f.removed.len() > MAX_LINES || f.added.len() > MAX_LINES {
            continue;
        }
        let added: Vec<(u32, Vec<&str>)> = f.added.iter().map(|l| (l.no, tokens(l.text))).collect();
        for r in &f.removed {
            let rt = tokens(r.text);
            for (no, at) in added.iter().filter(|(_, at)| at.len() == rt.len()) {
                let mut differ = rt.iter().zip(at).filter(|(x, y)| x != y);
                if let (Some((x, y)), None) = (differ.next(), differ.next())
                    && x.len() > 2
                    && y.len() > 2
                {
                    pairs.push((x.to_string(), y.to_string(), f.path, r.no, *no));
                }
            }
        }
    }
    let still_written = |x: &str| {
        change.files.iter().any(|f| match f.new_text() {
            Some(t) => super::code::has_word(t, x),
            None => f.added.iter().any(|l| super::code::has_word(l.text, x)),
        })
    };
    let mut votes: HashMap<(String, String), usize> = HashMap::default();
    for (x, y, ..) in &pairs {
        *votes.entry((x.clone(), y.clone())).or_insert(0) += 1;
    }
    let mut out = HashSet::default();
    for (x, y, path, old_no, new_no) in &pairs {
        if votes.get(&(x.clone(), y.clone())).copied().unwrap_or(0) >= 2 && !still_written(x) {
            out.insert((path.to_string(), Some(*old_no), super::Side::Old));
            out.insert((path.to_string(), Some(*new_no), super::Side::New));
        }
    }
    out
}

/// Functions the change deletes whose callers now call a library function
/// named the same (`contains` → `slices.Contains`, `minDuration` → `min`),
/// as (old name → new callee). The old name must be gone from the change's
/// new side, and the new callee defined nowhere in it.
fn replaced_by_library(parsed: &[Parsed<'_>]) -> HashMap<String, String> {
    let defined_new: HashSet<&str> = parsed
        .iter()
        .flat_map(|p| {
            p.new
                .units
                .iter()
                .map(|u| u.name.rsplit('.').next().unwrap_or(&u.name))
        })
        .collect();
    // Functions the change deletes: the only candidates.
    let deleted: Vec<&str> = parsed
        .iter()
        .flat_map(|p| {
            p.old
                .units
                .iter()
                .map(|u| u.name.rsplit('.').next().unwrap_or(&u.name))
        })
        .filter(|n| *n != "<top>" && !defined_new.contains(n))
        .collect();
    if deleted.is_empty() {
        return HashMap::default();
    }
    // The calls to what the change does not define, by their last segment
    // lower-cased.
    let by_last: HashMap<String, &str> = parsed
        .iter()
        .flat_map(|p| {
            p.new
                .units
                .iter()
                .flat_map(|u| u.calls.iter().map(|c| c.text.as_str()))
        })
        .filter(|c| !defined_new.contains(c.rsplit('.').next().unwrap_or(c)))
        .map(|c| (c.rsplit('.').next().unwrap_or(c).to_ascii_lowercase(), c))
        .collect();
    // A helper named for the type it works on (`minDuration`, `maxInt64`,
    // `absFloat`) stands for the generic one (`min`).
    static TYPED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?i)(duration|int|int32|int64|uint|uint64|float|float32|float64|str|string|i64|u64|f64|time|bytes)$").unwrap()
    });
    let mut out = HashMap::default();
    for name in deleted {
        let lower = name.to_ascii_lowercase();
        // The name's first word and the rest: `min` and `Duration` of `minDuration`.
        let cut = name
            .char_indices()
            .skip(1)
            .find(|(_, c)| c.is_ascii_uppercase() || *c == '_')
            .map_or(name.len(), |(i, _)| i);
        let (first, rest) = (
            name[..cut].to_ascii_lowercase(),
            name[cut..].trim_start_matches('_'),
        );
        let Some(callee) = by_last.get(lower.as_str()).or_else(|| {
            TYPED
                .is_match(rest)
                .then(|| by_last.get(first.as_str()))
                .flatten()
        }) else {
            continue;
        };
        // The old name is gone from the new side everywhere.
        if parsed
            .iter()
            .any(|p| super::code::has_word(&p.new_text, name))
        {
            continue;
        }
        // As the new code writes it: `slices.Contains`, not `Contains`.
        let last = callee.rsplit('.').next().unwrap_or(callee);
        let written = parsed
            .iter()
            .find_map(|p| qualified_call(&p.new_text, last))
            .unwrap_or_else(|| callee.to_string());
        out.insert(name.to_string(), written);
    }
    out
}

/// The first call of `last` in `text` with the path it is written with
/// (`slices.Contains` for `Contains`), not a call of a longer name that
/// ends the same (`xContains`).
fn qualified_call(text: &str, last: &str) -> Option<String> {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(&format!("{last}(")).find_map(|(at, _)| {
        let head = &text[..at];
        if head.chars().next_back().is_some_and(ident) {
            return None;
        }
        // Back over `pkg.` segments, whole characters at a time.
        let start = head
            .char_indices()
            .rev()
            .take_while(|(_, c)| ident(*c) || *c == '.')
            .last()
            .map_or(at, |(i, _)| i);
        let path = text[start..at].trim_start_matches('.');
        Some(format!("{path}{last}"))
    })
}

/// The argument list of the first call of method `callee` on `text` made
/// through a receiver (`x.callee(…)`, `X::callee(…)`, `$x->callee(…)`),
/// without its spaces; `None` when it has none or takes no arguments.
fn call_arguments(text: &str, callee: &str) -> Option<String> {
    let at = text.match_indices(callee).find(|(i, _)| {
        text[..*i].ends_with(['.', ':', '>']) && text[i + callee.len()..].starts_with('(')
    })?;
    let rest = &text[at.0 + callee.len()..];
    let mut depth = 0;
    for (i, c) in rest.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    let args: String = rest[1..i].split_whitespace().collect();
                    return (!args.is_empty()).then_some(args);
                }
            }
            _ => {}
        }
    }
    None
}

fn strip_outer_parens(s: &str) -> &str {
    s.strip_prefix('(')
        .and_then(|t| t.strip_suffix(')'))
        .unwrap_or(s)
}

/// A comparison as (left, operator, right), with the time methods of Java,
/// Kotlin and C# read as the operators they are (`a.isAfter(b)` is `a > b`,
/// `!a.isBefore(b)` is `a >= b`).
fn ordered(c: &str) -> Option<(String, &'static str, String)> {
    static METHOD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(!?)\s*([\w.$()]+?)\.(isAfter|isBefore|after|before)\(([^()]*(?:\([^()]*\))?[^()]*)\)$").unwrap()
    });
    if let Some(m) = METHOD.captures(c.trim()) {
        let negated = !m[1].is_empty();
        let after = m[3].eq_ignore_ascii_case("isafter") || &m[3] == "after";
        let op = match (after, negated) {
            (true, false) => ">",
            (true, true) => "<=",
            (false, false) => "<",
            (false, true) => ">=",
        };
        return Some((m[2].to_string(), op, m[4].trim().to_string()));
    }
    // The plain operators, as [`comparison`] reads them.
    let (left, op, right) = comparison(c)?;
    let op = ["<=", ">=", "<", ">"].into_iter().find(|o| *o == op)?;
    Some((left.to_string(), op, right.to_string()))
}

/// A simple comparison split into subject, operator and bound.
fn comparison(c: &str) -> Option<(&str, &str, &str)> {
    static CMP: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^([\w.$]+)\s*(<=|>=|===|!==|==|!=|<|>)\s*([\w.$()]+)$").unwrap()
    });
    let c = CMP.captures(c.trim())?;
    Some((c.get(1)?.as_str(), c.get(2)?.as_str(), c.get(3)?.as_str()))
}

/// Whether a verification call dropped from a guard (`!verifyStripeSignature(
/// req.body, header, secret)`) is now made by a call that throws on failure,
/// with the same arguments, inside a `try` whose handler refuses the request
/// (`stripe.webhooks.constructEvent(req.body, header, secret, …)` and `catch
/// { return res.status(400) … }`): the check is the library's now.
fn verification_now_throws(cond: &str, f: &FileView<'_>, n: &Unit) -> bool {
    static CALL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(\w*(verif|valid|check|authenticat)\w*)\s*\(").unwrap()
    });
    static HANDLER: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*(\}\s*)?(catch\b|except\b|rescue\b)").unwrap());
    static REFUSES: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(\b4\d\d\b|unauthori[sz]ed|forbidden|bad_?request|\bthrow\b|\braise\b)")
            .unwrap()
    });
    if !CALL.is_match(cond) {
        return false;
    }
    let text = f.new_text_or_hunks();
    let lines: Vec<&str> = unit_lines(&text, n).collect();
    let squeeze = |t: &str| t.split_whitespace().collect::<String>();
    let unit = squeeze(&lines.join("\n"));
    let handled = lines.iter().enumerate().any(|(i, l)| {
        HANDLER.is_match(l) && lines.iter().skip(i).take(4).any(|x| REFUSES.is_match(x))
    });
    if !handled {
        return false;
    }
    CALL.captures_iter(cond).any(|c| {
        let name = c.get(1).map_or("", |m| m.as_str());
        let open = c.get(0).map_or(0, |m| m.end());
        let mut depth = 1;
        let Some(close) = cond[open..].char_indices().find_map(|(i, ch)| {
            match ch {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            (depth == 0).then_some(open + i)
        }) else {
            return false;
        };
        let args = squeeze(&cond[open..close]);
        // Two arguments at least, the same ones, in another call.
        args.contains(',')
            && unit.match_indices(&format!("({args}")).any(|(at, _)| {
                !unit[..at].ends_with(name) && unit[at + 1 + args.len()..].starts_with([',', ')'])
            })
    })
}

/// Whether a failing guard's test moved into a helper the change adds,
/// which a failing guard of the new side calls (`let Some(timestamp) =
/// timestamp else { return 401 }` → `if let Err(e) =
/// webhook_signature::verify(…) { return 401 }`, whose code, a few calls
/// deep, stops on `(now - parsed.timestamp).abs() > tolerance`): the names
/// the old test asked about are asked there (every one, or two when
/// parameters renamed the rest), and failing there fails here.
fn moved_into_called_new_helper(
    cond: &str,
    o: &Unit,
    n: &Unit,
    helpers: &Helpers<'_>,
    fresh: &HashSet<String>,
) -> bool {
    static VERIFYING: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(verif|valid|compare|equal|matches|constant_?time|hmac|signature)")
            .unwrap()
    });
    const FILLER: &[&str] = &[
        "let",
        "some",
        "none",
        "nil",
        "null",
        "not",
        "and",
        "or",
        "is",
        "true",
        "false",
        "ok",
        "err",
        "if",
        "undefined",
        "empty",
        "len",
        "length",
    ];
    let words: Vec<String> = condition_words(cond)
        .into_iter()
        .filter(|w| !FILLER.contains(&w.as_str()))
        .collect();
    if words.is_empty() || fresh.is_empty() {
        return false;
    }
    n.guards
        .iter()
        .filter(|x| x.failing && calls_any(&x.cond, fresh))
        .any(|x| {
            let called = called_in(&x.cond);
            helpers
                .reachable(called.iter().map(|c| short_name(c)), 3, Some(n))
                .iter()
                .any(|u| {
                    u.guards.iter().any(|y| {
                        // Names handed in as parameters change (`unix_now()`
                        // → `now`): two of them asked again will do.
                        let tested = condition_words(&y.cond);
                        let shared = words.iter().filter(|w| tested.contains(*w)).count();
                        y.failing && (shared == words.len() || shared >= 2)
                    }) || {
                        // A verdict computed here before (`verified =
                        // sigs.iter().any(|s| mac.verify_slice(s).is_ok())`,
                        // then `if !verified`), now computed there: the
                        // verifying call left this function for the helper,
                        // which can fail.
                        // It tests a verdict of its own (`if matched`,
                        // `unless valid`) and can fail. Not an input this
                        // function tested for being there (`if (sig)` in a
                        // helper that answers yes without one).
                        let inputs: HashSet<String> = o
                            .guards
                            .iter()
                            .flat_map(|x| condition_words(&x.cond))
                            .collect();
                        let verdict = u.conditions.iter().any(|c| {
                            let t = c.text.trim().trim_start_matches(['!', '(']).trim();
                            let t = t.strip_prefix("not ").unwrap_or(t).trim_end_matches(')');
                            !t.is_empty()
                                && t.chars().all(|ch| ch.is_alphanumeric() || ch == '_')
                                && !inputs.contains(&t.to_ascii_lowercase())
                        });
                        let fails = !u.raises.is_empty()
                            || u.returns
                                .iter()
                                .any(|r| r.text.contains("Err(") || r.text.contains("false"));
                        verdict
                            && fails
                            && o.calls.iter().any(|c| {
                                VERIFYING.is_match(&c.text)
                                    && !n.calls.iter().any(|m| m.text == c.text)
                                    && u.calls.iter().any(|m| m.text == c.text)
                            })
                    }
                })
        })
}

/// Whether two failing guards test the same response's status code
/// (`resp.StatusCode != http.StatusNoContent` and `resp.StatusCode >= 300`,
/// `response.status_code != 200` and `not response.ok`): a request helper
/// that refuses every non-success answer covers the one the caller refused.
fn same_status_test(old: &str, new: &str) -> bool {
    static STATUS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)^(\w+)\.(status_?code|status)$").unwrap());
    static NOT_OK: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^!\s*(\w+)\.ok$|^not\s+(\w+)\.ok$").unwrap());
    let Some((subject, _, _)) = comparison(old) else {
        return false;
    };
    let Some(was) = STATUS.captures(subject) else {
        return false;
    };
    if let Some((now, op, bound)) = comparison(new) {
        return STATUS.captures(now).is_some_and(|c| {
            // `>= 500` lets every 4xx through.
            let wide = !matches!(op, ">" | ">=") || bound.parse::<u32>().is_ok_and(|b| b <= 400);
            c[2].eq_ignore_ascii_case(&was[2]) && op != "==" && op != "===" && wide
        });
    }
    NOT_OK.is_match(new.trim())
}

/// Whether the comparison `a > b` (or `<`, `>=`, `<=`) of a clamp is now a
/// call of `min` or `max` with both operands (`min(a,b)`, `Math.max(b,a)`)
/// in `squeezed` (added text without whitespace).
fn clamp_restated(cond: &str, squeezed: &str) -> bool {
    let Some((a, op, b)) = comparison(cond) else {
        return false;
    };
    if !matches!(op, "<" | ">" | "<=" | ">=") {
        return false;
    }
    ["min", "max", "Min", "Max"].iter().any(|f| {
        squeezed.contains(&format!("{f}({a},{b})")) || squeezed.contains(&format!("{f}({b},{a})"))
    }) || [(a, b), (b, a)].iter().any(|(x, y)| {
        Regex::new(&format!(
            r"(^|[^\w.]){}:?=([\w.]+\.)?(min|max|Min|Max)\(.{{0,80}}\b{}\b",
            regex::escape(x),
            regex::escape(y)
        ))
        .is_ok_and(|r| r.is_match(squeezed))
    })
}

/// The new guard compares against a name defined from the old bound
/// (`remaining = charge.captured_minor - already_refunded`).
fn bound_derived(old: &str, new: &str, new_text: &str) -> bool {
    let (Some((_, _, was)), Some((_, _, now))) = (comparison(old), comparison(new)) else {
        return false;
    };
    let Ok(def) = Regex::new(&format!(
        r"\b{}\s*(?::[^=]*)?=\s*([^;\n]{{0,120}})",
        regex::escape(now)
    )) else {
        return false;
    };
    def.captures_iter(new_text)
        .any(|c| c.get(1).is_some_and(|d| d.as_str().contains(was)))
}

/// Two conditions that differ only in how they are written: quotes around
/// shell variables, `[[ ]]` for `[ ]`, parentheses, spacing.
fn same_condition(a: &str, b: &str) -> bool {
    let key = |s: &str| -> String {
        s.replace("[[", "[")
            .replace("]]", "]")
            .chars()
            .filter(|c| !matches!(c, '"' | '\'' | '(' | ')' | ' '))
            .collect()
    };
    key(a) == key(b)
}

static GUARD_TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#""[^"]*"|'[^']*'|[A-Za-z_$][A-Za-z0-9_$]*|\d[\w.]*|\S"#).unwrap()
});

/// When `new` is `old` with some literals replaced by names (a check made
/// into a function of its role or limit), those literals.
fn literals_made_parameters(old: &str, new: &str) -> Option<Vec<String>> {
    let a: Vec<&str> = GUARD_TOKEN.find_iter(old).map(|m| m.as_str()).collect();
    let b: Vec<&str> = GUARD_TOKEN.find_iter(new).map(|m| m.as_str()).collect();
    if a.len() != b.len() || a == b {
        return None;
    }
    let literal =
        |t: &str| t.starts_with(['"', '\'']) || t.starts_with(|c: char| c.is_ascii_digit());
    let name = |t: &str| t.starts_with(|c: char| c.is_alphabetic() || c == '_' || c == '$');
    let mut lits = Vec::new();
    for (x, y) in a.iter().zip(&b) {
        if x == y {
            continue;
        }
        if !(literal(x) && name(y)) {
            return None;
        }
        lits.push(x.to_string());
    }
    Some(lits)
}

/// Whether `new` is `old` with one expression replaced by a name, and the
/// change passes that expression somewhere (its added lines, whitespace
/// taken out) (`fi.Mode().Perm()&0o077 != 0`
/// → `perm&0o077 != 0` in a helper called as `ensurePrivate(fi.Mode().Perm())`):
/// the check moved into a function of the value it tests.
fn expression_made_parameter(old: &str, new: &str, squeezed_added: &str) -> bool {
    let a: Vec<&str> = GUARD_TOKEN.find_iter(old).map(|m| m.as_str()).collect();
    let b: Vec<&str> = GUARD_TOKEN.find_iter(new).map(|m| m.as_str()).collect();
    let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (gone, came) = (&a[head..a.len() - tail], &b[head..b.len() - tail]);
    let name = |t: &str| t.starts_with(|c: char| c.is_alphabetic() || c == '_' || c == '$');
    if came.len() != 1 || !name(came[0]) || gone.len() < 2 {
        return false;
    }
    squeezed_added.contains(&gone.concat())
}

/// Whether `cond` only asks if an optional parameter was passed, and the
/// code falls back to a default when it was not (`now if now is not None
/// else clock()`, `clock ?? Clock.system`, `if tz is None: tz = utc`): the
/// parameter is declared optional (`= None`, `| None`, `?`) in `text`
/// (whitespace collapsed).
fn injectable_default(cond: &str, text: &str) -> bool {
    static PRESENCE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*([A-Za-z_]\w*)\s*(?:(?:is\s+not|is|!==?|===?)\s*(?:None|null|nil|undefined))?\s*$")
            .expect("a valid regex")
    });
    let Some(name) = PRESENCE.captures(cond).map(|c| c[1].to_string()) else {
        return false;
    };
    if is_keyword(&name) {
        return false;
    }
    let n = regex::escape(&name);
    let fallback = Regex::new(&format!(
        r"\b{n} if {n} is not None else\b|\b{n} \?\?=? |\bif {n} is None: {n} = |\b{n} = {n} or |\bif {n} (?:==|===) (?:nil|null|undefined) \{{ {n} = |\b{n} \|\|= "
    ));
    let optional = Regex::new(&format!(
        r"[(,*]\s*{n}\s*(?::[^,()=]*)?=\s*(?:None|null|nil|undefined)\b|[(,*]\s*{n}\s*:\s*(?:[^,()=]*\|\s*None|Optional\[|[\w.]+\?)|[(,]\s*{n}\?\s*:"
    ));
    fallback.is_ok_and(|re| re.is_match(text)) && optional.is_ok_and(|re| re.is_match(text))
}

/// `text` without its whitespace: expressions compared however wrapped.
fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A condition with its calls' keyword names taken out: `f(s, org_id=x)`
/// passes what `f(s, x)` did.
fn without_keywords(cond: &str) -> String {
    static KEYWORD: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"([(,]\s*)[A-Za-z_]\w*\s*=([^=])").unwrap());
    KEYWORD.replace_all(cond, "$1$2").replace(' ', "")
}

/// Whether every part of an old guard's "or" is a part of a new guard's,
/// as written or with its literals made parameters that the change passes:
/// the new guard stops wherever the old one did.
fn parts_made_parameters(old: &str, new: &str, added: &str) -> bool {
    let theirs = super::boolean::disjuncts(new);
    let ours = super::boolean::disjuncts(old);
    theirs.len() > ours.len()
        && ours.iter().all(|o| {
            theirs.iter().any(|t| {
                t == o
                    || literals_made_parameters(o, t)
                        .is_some_and(|lits| lits.iter().all(|l| added.contains(l.as_str())))
            })
        })
}

/// Pairs each old unit with its new counterpart: by (renamed) name, then by
/// the most similar body among the units left over.
fn pairs<'o>(p: &'o Parsed<'_>) -> Vec<(&'o Unit, &'o Unit)> {
    let mut out = Vec::new();
    let mut used: HashSet<usize> = HashSet::default();
    let mut left: Vec<(&Unit, String)> = Vec::new();
    // `get#2` is the second `get` of its file (overloads, a class's
    // same-named methods): numbers shift when one is added above, so those
    // are paired by body, among the functions of the same name.
    let base = |n: &str| n.split('#').next().unwrap_or(n).to_string();
    let count = |units: &[Unit]| {
        let mut c: HashMap<String, usize> = HashMap::default();
        for u in units {
            *c.entry(base(&u.name)).or_insert(0) += 1;
        }
        c
    };
    let (old_count, new_count) = (count(&p.old.units), count(&p.new.units));
    let repeated = |n: &str| {
        let b = base(n);
        old_count.get(&b).copied().unwrap_or(0) > 1 || new_count.get(&b).copied().unwrap_or(0) > 1
    };
    let new_at: HashMap<&str, usize> = p
        .new
        .units
        .iter()
        .enumerate()
        .rev()
        .map(|(i, n)| (n.name.as_str(), i))
        .collect();
    for o in &p.old.units {
        let name = rename_in(&o.name, &p.renames);
        if repeated(&name) || repeated(&o.name) {
            left.push((o, name));
            continue;
        }
        // A function still there under its own name is that function, even
        // when the change's renames say otherwise (`required` split into
        // `firstOf` and a new `required`).
        let at = new_at
            .get(o.name.as_str())
            .or_else(|| new_at.get(name.as_str()))
            .copied();
        match at {
            Some(i) if !used.contains(&i) => {
                used.insert(i);
                out.push((o, &p.new.units[i]));
            }
            _ => left.push((o, name)),
        }
    }
    if left.is_empty() {
        return out;
    }
    // The new side's signatures, worked out once for every unit left over.
    let new_sigs: Vec<HashSet<String>> = p
        .new
        .units
        .iter()
        .map(|n| signature(n, &HashMap::default()))
        .collect();
    fn ordinal(x: &str) -> &str {
        x.split_once('#').map_or("1", |(_, k)| k)
    }
    let new_names: Vec<(&str, &str)> = p
        .new
        .units
        .iter()
        .map(|n| {
            (
                n.name.split('#').next().unwrap_or(&n.name),
                ordinal(&n.name),
            )
        })
        .collect();
    for (o, renamed) in left {
        let sig = signature(o, &p.renames);
        let same_name = base(&renamed);
        let here = ordinal(&o.name);
        let score = |i: usize| {
            let (name, place) = new_names[i];
            // A function of the same name wins over a look-alike; among
            // equals (overload stubs), the one in the same place.
            let named = if name == same_name { 1.0 } else { 0.0 };
            let placed = if place == here { 0.01 } else { 0.0 };
            jaccard(&sig, &new_sigs[i]) + named + placed
        };
        let free = |i: &usize| !used.contains(i);
        // Functions of the same name first: a look-alike of another name
        // scores at most 1.01, so it is only looked for when they do not.
        let best_named = (0..new_names.len())
            .filter(free)
            .filter(|&i| new_names[i].0 == same_name)
            .map(|i| (i, score(i)))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        let best = match best_named {
            Some(b) if b.1 >= 1.01 => Some(b),
            _ => (0..new_names.len())
                .filter(free)
                .map(|i| (i, score(i)))
                .max_by(|a, b| a.1.total_cmp(&b.1)),
        };
        if let Some((i, s)) = best
            && (s >= 0.5 && !sig.is_empty() || s >= 1.0)
        {
            used.insert(i);
            out.push((o, &p.new.units[i]));
        }
    }
    out
}

fn signature(u: &Unit, map: &HashMap<String, String>) -> HashSet<String> {
    u.calls
        .iter()
        .map(|c| rename_in(&c.text, map))
        .chain(u.conditions.iter().map(|c| rename_in(&c.text, map)))
        .collect()
}

/// The words of a line, for comparing two versions of it.
fn words_of(line: &str) -> HashSet<String> {
    line.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn jaccard(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let inter = small.iter().filter(|x| large.contains(*x)).count();
    let union = a.len() + b.len() - inter;
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}

fn display_name(u: &Unit) -> String {
    if u.name == "<top>" {
        "the module's top level".to_string()
    } else {
        format!("`{}`", u.name.split('#').next().unwrap_or(&u.name))
    }
}

/// What one pair of units differs in, after renames: the raw material of the
/// findings and of the intent check.
#[derive(Debug, Default)]
struct Delta {
    /// (old condition, new condition or None, line old, line new)
    conditions: Vec<(String, Option<String>, u32, Option<u32>)>,
    /// Literals changed: key, old, new, old line, new line.
    literals: Vec<(String, String, String, u32, u32)>,
    /// Calls that disappeared: name, old line.
    calls_removed: Vec<(String, u32)>,
    returns: Vec<(String, Option<String>, u32)>,
    /// Returns the new side has and the old did not: text, new line.
    returns_added: Vec<(String, u32)>,
}

/// A function renamed into a type's own (`load_cfg(p)` → `Config::load(p)`):
/// the rename maps the old name to the type it now hangs on, and the call is
/// read by its last name (`load`), a word of the old one. That word, when
/// `is_new_call` says the new side calls it.
fn associated_name<'a>(
    old: &'a str,
    renamed: &str,
    is_new_call: impl Fn(&str) -> bool,
) -> Option<&'a str> {
    if renamed == old
        || !renamed.starts_with(|c: char| c.is_ascii_uppercase())
        || !old.starts_with(|c: char| c.is_ascii_lowercase())
    {
        return None;
    }
    old.split('_').find(|w| w.len() > 2 && is_new_call(w))
}

fn delta(o: &Unit, n: &Unit, map: &HashMap<String, String>, helpers: &Helpers) -> Delta {
    let mut d = Delta::default();
    // Compared without their prose: a reworded message is the same code.
    let new_conds: Vec<Cow<str>> = n
        .conditions
        .iter()
        .map(|c| without_prose(&c.text))
        .collect();
    // Each old text as written and as renamed: a rename voted elsewhere in
    // the file (`err` → `notifyErr` in one function) does not make an
    // untouched `err != nil` in another function a difference.
    let old_conds: Vec<[Cow<str>; 2]> = o
        .conditions
        .iter()
        .map(|c| comparable(&c.text, map))
        .collect();
    let added: Vec<&syntax::Fact> = n
        .conditions
        .iter()
        .zip(&new_conds)
        .filter(|(_, t)| !old_conds.iter().flatten().any(|o| o.as_ref() == t.as_ref()))
        .map(|(c, _)| c)
        .collect();
    let mut ai = 0;
    for (c, forms) in o.conditions.iter().zip(&old_conds) {
        if new_conds
            .iter()
            .any(|t| forms.iter().any(|f| f.as_ref() == t.as_ref()))
        {
            continue;
        }
        let repl = added.get(ai);
        ai += 1;
        // Extracted into a helper of the change that tests the same thing
        // (`a == X || a == Y` → `isExternal(a)`): the same condition.
        if repl.is_some_and(|r| helpers.tests_as(&r.text, &c.text)) {
            continue;
        }
        d.conditions.push((
            c.text.clone(),
            repl.map(|r| r.text.clone()),
            c.line,
            repl.map(|r| r.line),
        ));
    }
    for extra in added.iter().skip(ai) {
        d.conditions
            .push((String::new(), Some(extra.text.clone()), 0, Some(extra.line)));
    }
    let new_calls: HashSet<&str> = n.calls.iter().map(|c| c.text.as_str()).collect();
    let mut seen = HashSet::default();
    for c in &o.calls {
        let m = rename_in(&c.text, map);
        let now_associated = associated_name(&c.text, &m, |x| {
            new_calls.contains(x) && !o.calls.iter().any(|y| y.text == x)
        })
        .is_some();
        if !new_calls.contains(m.as_str())
            && !new_calls.contains(c.text.as_str())
            && !now_associated
            && !helpers.reaches(&n.calls, &n.decorators, &m)
            && seen.insert(m.clone())
        {
            d.calls_removed.push((c.text.clone(), c.line));
        }
    }
    // Literals by key: one value before, another after.
    let mut by_key: HashMap<String, (Vec<&syntax::Literal>, Vec<&syntax::Literal>)> =
        HashMap::default();
    for l in &o.literals {
        by_key.entry(rename_in(&l.key, map)).or_default().0.push(l);
    }
    for l in &n.literals {
        by_key.entry(l.key.clone()).or_default().1.push(l);
    }
    let mut keys: Vec<_> = by_key.into_iter().collect();
    keys.sort_by_key(|(_, (a, b))| (a.first().map(|l| l.line), b.first().map(|l| l.line)));
    for (key, (a, b)) in keys {
        let av: Vec<String> = a.iter().map(|l| rename_in(&l.value, map)).collect();
        let gone: Vec<usize> = (0..a.len())
            .filter(|&i| !b.iter().any(|l| l.value == av[i]))
            .collect();
        let came: Vec<&&syntax::Literal> = b.iter().filter(|l| !av.contains(&l.value)).collect();
        for (g, c) in gone.iter().zip(came) {
            d.literals.push((
                key.clone(),
                a[*g].value.clone(),
                c.value.clone(),
                a[*g].line,
                c.line,
            ));
        }
    }
    let new_returns: Vec<Cow<str>> = n.returns.iter().map(|r| without_prose(&r.text)).collect();
    let old_returns: Vec<[Cow<str>; 2]> =
        o.returns.iter().map(|r| comparable(&r.text, map)).collect();
    let added_returns: Vec<&syntax::Fact> = n
        .returns
        .iter()
        .zip(&new_returns)
        .filter(|(_, t)| {
            !old_returns
                .iter()
                .flatten()
                .any(|o| o.as_ref() == t.as_ref())
        })
        .map(|(r, _)| r)
        .collect();
    let mut ri = 0;
    for (r, forms) in o.returns.iter().zip(&old_returns) {
        if new_returns
            .iter()
            .any(|t| forms.iter().any(|f| f.as_ref() == t.as_ref()))
        {
            continue;
        }
        d.returns.push((
            r.text.clone(),
            added_returns.get(ri).map(|x| x.text.clone()),
            r.line,
        ));
        ri += 1;
    }
    d.returns_added = added_returns
        .iter()
        .skip(ri)
        .map(|r| (r.text.clone(), r.line))
        .collect();
    d
}

/// Functions of the new side by name, change-wide, to see through a check
/// moved into a helper or a decorator (in this file or another).
struct Helpers<'a> {
    /// Last name segment → the function and the functions nested in it (a
    /// decorator's wrapper does the checking).
    units: HashMap<&'a str, Vec<&'a Unit>>,
    /// Functions of the old side that no function of the new side is named
    /// after (last name segment): a check helper the change deleted, whose
    /// test may now be written out in a wrapper.
    gone: HashMap<&'a str, &'a Unit>,
}

impl<'a> Helpers<'a> {
    fn new(parsed: &'a [Parsed<'a>]) -> Helpers<'a> {
        let mut units: HashMap<&'a str, Vec<&'a Unit>> = HashMap::default();
        let mut gone: HashMap<&'a str, &'a Unit> = HashMap::default();
        for p in parsed {
            for u in &p.old.units {
                if u.name != "<top>" && !u.guards.is_empty() {
                    gone.insert(short_name(&u.name), u);
                }
            }
        }
        for p in parsed {
            for u in &p.new.units {
                if u.name == "<top>" {
                    continue;
                }
                let short = short_name(&u.name);
                let inner =
                    p.new.units.iter().filter(|x| {
                        x.line >= u.line && x.end_line <= u.end_line && x.name != "<top>"
                    });
                units.entry(short).or_default().extend(inner);
            }
        }
        gone.retain(|name, _| !units.contains_key(name));
        Helpers { units, gone }
    }

    /// Whether the deleted check `name` now runs as middleware the change
    /// registers: a new class's entry point (`handle`, `doFilter`,
    /// `InvokeAsync`…) stops on every failing guard it stopped on, and an
    /// added line hands that class to a router, a route group or a filter
    /// chain (`->middleware([VerifySignature::class])`).
    fn moved_to_registered_middleware(&self, name: &str, added: &str) -> bool {
        static ENTRY: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"^(handle|__call__|process_request|doFilter|doFilterInternal|preHandle|intercept|Invoke|InvokeAsync|invoke|canActivate|call|use|filter)$")
                .expect("a valid regex")
        });
        static REGISTERS: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(
                r"(?i)middleware|filter|interceptor|guard|\buse\w*\s*\(|before_action|MIDDLEWARE",
            )
            .expect("a valid regex")
        });
        let Some(g) = self.gone.get(name) else {
            return false;
        };
        let failing: Vec<&syntax::Guard> = g.guards.iter().filter(|x| x.failing).collect();
        if failing.is_empty() {
            return false;
        }
        self.units
            .iter()
            .filter(|(entry, _)| ENTRY.is_match(entry))
            .flat_map(|(_, us)| us.iter())
            .any(|u| {
                let Some((class, _)) = u.name.rsplit_once('.') else {
                    return false;
                };
                let class = short_name(class);
                let tests_all = failing.iter().all(|x| {
                    u.guards.iter().any(|y| {
                        y.failing
                            && (x.cond == y.cond
                                || alike_condition(&x.cond, &y.cond)
                                || same_verdict_by_library(&x.cond, &y.cond))
                    })
                });
                let registered = class.len() > 3
                    && added.lines().any(|l| {
                        super::code::has_word(l, class)
                            && REGISTERS.is_match(l)
                            && !["use ", "import ", "from ", "using "]
                                .iter()
                                .any(|k| l.trim_start().starts_with(k))
                            && !l.contains(&format!("class {class}"))
                    });
                tests_all && registered
            })
    }

    /// Whether one of `us` tests every failing guard that the deleted
    /// function `name` tested, stopping too: its body written out there.
    fn inlines(&self, us: &[&Unit], name: &str) -> bool {
        let Some(g) = self.gone.get(name) else {
            return false;
        };
        let failing: Vec<&syntax::Guard> = g.guards.iter().filter(|x| x.failing).collect();
        !failing.is_empty()
            && us.iter().any(|u| {
                failing.iter().all(|x| {
                    u.guards
                        .iter()
                        .any(|y| y.failing && alike_condition(&x.cond, &y.cond))
                })
            })
    }

    /// Whether one of `us` makes every failing check of the deleted `name`
    /// once its parameter is bound to `value`: `!u.HasRole(role)` with
    /// `role` = `"admin"` is the deleted `!u.HasRole("admin")`.
    fn inlines_bound(&self, us: &[&Unit], name: &str, value: &str) -> bool {
        let Some(g) = self.gone.get(name) else {
            return false;
        };
        let failing: Vec<&syntax::Guard> = g.guards.iter().filter(|x| x.failing).collect();
        let bind = |old: &str, new: &str| -> String {
            if !old.contains(value) {
                return new.to_string();
            }
            let had = condition_words(old);
            let mut out = String::new();
            let mut last = 0;
            for m in IDENT.find_iter(new) {
                out.push_str(&new[last..m.start()]);
                let w = m.as_str();
                if had.contains(&w.to_ascii_lowercase()) {
                    out.push_str(w);
                } else {
                    out.push('"');
                    out.push_str(value);
                    out.push('"');
                }
                last = m.end();
            }
            out.push_str(&new[last..]);
            out
        };
        !failing.is_empty()
            && failing.iter().any(|x| x.cond.contains(value))
            && us.iter().any(|u| {
                failing.iter().all(|x| {
                    u.guards.iter().any(|y| {
                        y.failing
                            && (alike_condition(&x.cond, &y.cond)
                                || collapse(&x.cond) == collapse(&bind(&x.cond, &y.cond)))
                    })
                })
            })
    }

    /// Whether `cond` is a call of a function of the change (`isExternal(t)`,
    /// `!isAllowed(x)`) that returns or tests what `old` tested: the
    /// condition moved into a helper.
    fn tests_as(&self, cond: &str, old: &str) -> bool {
        let call = cond.trim().trim_start_matches('!');
        let Some(open) = call.find('(') else {
            return false;
        };
        if !call.ends_with(')') {
            return false;
        }
        let name = syntax::last_segment(&call[..open]);
        let Some(units) = self.units.get(name) else {
            return false;
        };
        let words = |t: &str| -> HashSet<String> {
            idents(t)
                .filter(|w| !is_keyword(w) && w.len() > 1)
                .map(str::to_string)
                .collect()
        };
        // The same connectives too: `a and b` moved into a helper that
        // answers `a or b` is a weaker test under a new name.
        let connectives = |t: &str| -> [bool; 2] {
            let w: Vec<&str> = idents(t).collect();
            [
                t.contains("&&") || w.contains(&"and"),
                t.contains("||") || w.contains(&"or"),
            ]
        };
        let was = words(old);
        if was.len() < 2 {
            return false;
        }
        units.iter().any(|u| {
            u.returns.iter().chain(&u.conditions).any(|f| {
                let now = words(&f.text);
                connectives(&f.text) == connectives(old)
                    && was.iter().filter(|w| now.contains(*w)).count() * 3 >= was.len() * 2
            })
        })
    }

    /// Whether one of `calls` (or a decorator in `decorators`) is a function
    /// of the change that calls `name` or is wrapped in it.
    fn reaches(&self, calls: &[syntax::Fact], decorators: &[syntax::Fact], name: &str) -> bool {
        let decorated = decorators.iter().map(|d| {
            let t = d.text.trim_start_matches('@');
            let callee = t.split('(').next().unwrap_or(t);
            syntax::last_segment(callee)
        });
        let called = calls.iter().map(|c| c.text.as_str()).chain(decorated);
        self.reachable(called, 3, None).into_iter().any(|u| {
            u.calls.iter().any(|x| x.text == name)
                || u.decorators.iter().any(|x| x.text.contains(name))
                || self.inlines(&[u], name)
        })
    }

    /// The functions of the new side that `from` calls, and those they
    /// call, `depth` calls deep (not `from` itself).
    fn callees(&self, from: &'a Unit, depth: u8) -> Vec<&'a Unit> {
        self.reachable(
            from.calls.iter().map(|c| c.text.as_str()),
            depth,
            Some(from),
        )
    }

    /// The functions of the new side named in `names`, and those they call,
    /// `depth` calls deep in all (`Load` → `LoadFrom` → `ensurePrivate`),
    /// each once, leaving out `skip`.
    fn reachable<'n>(
        &self,
        names: impl Iterator<Item = &'n str>,
        depth: u8,
        skip: Option<&Unit>,
    ) -> Vec<&'a Unit> {
        let mut seen: Vec<&'a Unit> = Vec::new();
        let mut frontier: Vec<&'a Unit> = Vec::new();
        let visit = |name: &str, seen: &mut Vec<&'a Unit>, next: &mut Vec<&'a Unit>| {
            for v in self.units.get(name).into_iter().flatten() {
                let skipped = skip.is_some_and(|s| std::ptr::eq(*v, s));
                if !skipped && !seen.iter().any(|x| std::ptr::eq(*x, *v)) {
                    seen.push(v);
                    next.push(v);
                }
            }
        };
        if depth == 0 {
            return seen;
        }
        for n in names {
            visit(n, &mut seen, &mut frontier);
        }
        for _ in 1..depth {
            let mut next = Vec::new();
            for u in frontier {
                for c in &u.calls {
                    visit(c.text.as_str(), &mut seen, &mut next);
                }
            }
            frontier = next;
        }
        seen
    }
}

/// Whether a unit handles sessions, tokens, signatures or payments, read from
/// its name and the names it calls.
fn critical_code(u: &Unit, path: &str) -> bool {
    // A parser's tokens are words of a grammar, not credentials.
    let lexical = LEXICAL.is_match(path);
    let critical = |t: &str| {
        CRITICAL_CODE
            .find_iter(t)
            .any(|m| !(lexical && m.as_str().eq_ignore_ascii_case("token")))
    };
    critical(&u.name) || u.calls.iter().any(|c| critical(&c.text))
}

fn crypto_code(u: &Unit) -> bool {
    CRYPTO_CHECK.is_match(&u.name) || u.calls.iter().any(|c| CRYPTO_CHECK.is_match(&c.text))
}

fn is_number(s: &str) -> Option<f64> {
    s.trim_matches(|c| c == '"' || c == '\'')
        .replace('_', "")
        .parse()
        .ok()
}

fn unquote(s: &str) -> &str {
    s.trim_matches(|c| c == '"' || c == '\'' || c == '`')
}

/// A literal change a senior reads as behaviour: not prose, not a typo fix.
fn behavioural_literal(old: &str, new: &str) -> bool {
    let (a, b) = (unquote(old), unquote(new));
    if a == b {
        return false;
    }
    let prose = |s: &str| s.contains(' ') && s.chars().filter(|c| c.is_alphabetic()).count() > 8;
    if prose(a) || prose(b) {
        return false;
    }
    if is_number(a).is_some() || is_number(b).is_some() {
        return true;
    }
    super::supply::distance(a, b) > 2 || a.len() <= 4
}

fn falsy(v: &str) -> bool {
    matches!(
        v.to_ascii_lowercase().as_str(),
        "false" | "0" | "none" | "null" | "nil" | "off" | "no" | "undefined" | "disabled"
    )
}

fn truthy(v: &str) -> bool {
    matches!(
        v.to_ascii_lowercase().as_str(),
        "true" | "1" | "on" | "yes" | "enabled"
    )
}

/// A literal change that switches a protection off: a protecting setting
/// turned false, an exposing one turned true, a value opened to everyone.
fn weakens(key: &str, old: &str, new: &str) -> bool {
    SAFE_ON.is_match(key) && falsy(new) && !falsy(old)
        || UNSAFE_ON.is_match(key) && truthy(new) && !truthy(old)
        || OPEN_KEY.is_match(key) && WEAK_VALUE.is_match(new) && !WEAK_VALUE.is_match(old)
        || WEAK_VALUE.is_match(new) && new.len() > 4 && !WEAK_VALUE.is_match(old)
}

/// The findings of the syntax comparison, for every parsed file.
pub fn check(parsed: &[Parsed<'_>], change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    // Conditions and checks present anywhere on the new side: a guard moved to
    // another file or function is not removed.
    // How often each guard condition appears on each side, change-wide: a
    // guard that moved (into a helper, another file) keeps its count; one
    // dropped from a single function does not.
    let mut new_guards: HashMap<String, i32> = HashMap::default();
    for p in parsed {
        for u in &p.new.units {
            for g in &u.guards {
                *new_guards.entry(g.cond.clone()).or_insert(0) += 1;
            }
        }
        for u in &p.old.units {
            for g in &u.guards {
                *new_guards
                    .entry(rename_in(&g.cond, &p.renames))
                    .or_insert(0) -= 1;
            }
        }
    }
    // Every line the change adds, to find a literal a moved guard now takes
    // as an argument (`RequireRole("admin")`).
    let added: String = change
        .files
        .iter()
        .filter(|f| !f.class.test_like())
        .flat_map(|f| f.added.iter().map(|l| l.text))
        .collect::<Vec<_>>()
        .join("\n");
    // Every old text, for a way out a new function has and the old code
    // did not.
    let old_all: String = parsed
        .iter()
        .map(|p| p.old_text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    routes(parsed, &added, out);
    logged_secrets(parsed, out);
    moved_out_of_guard(parsed, out);
    let fresh = new_functions(parsed);
    let helpers = Helpers::new(parsed);
    // For the checks that run after this one (the security rules, the
    // intent rule): calls to a check helper written out in a wrapper.
    let _ = change.written_out.set(checks_written_out(&helpers, &added));
    let retired_flags = retired_flags(change);
    let new_texts: Vec<&str> = parsed
        .iter()
        .filter(|p| p.file.class.production())
        .filter_map(|p| p.file.new_text())
        .collect();
    // Only a file the framework loads by its name is a hook: a `handle`
    // exported from any other file runs nowhere.
    let request_hooks: String = change
        .files
        .iter()
        .filter(|f| {
            let name = f.path.rsplit('/').next().unwrap_or(f.path);
            matches!(
                name,
                "hooks.server.ts" | "hooks.server.js" | "middleware.ts" | "middleware.js"
            )
        })
        .flat_map(|f| f.added.iter().map(|l| l.text))
        .collect::<Vec<_>>()
        .join("\n");
    let modules: Vec<(String, String)> = parsed
        .iter()
        .filter(|p| p.file.class.production())
        .map(|p| {
            let added: Vec<&str> = p.file.added.iter().map(|l| l.text).collect();
            (module_key(p.file.path), added.join("\n"))
        })
        .collect();
    for p in parsed {
        let f = p.file;
        if f.class.test_like() || f.class.docs || f.class.vendored {
            continue;
        }
        for n in p.new.units.iter().filter(|n| n.name != "<top>") {
            skips_verification(f.path, n, &old_all, out);
        }
    }
    // Each file's functions are compared on their own: side by side, joined
    // in the diff's order.
    use rayon::prelude::*;
    let per_file: Vec<Vec<Finding>> = parsed
        .par_iter()
        .map(|p| {
            let f = p.file;
            if f.class.test_like() || f.class.docs || f.class.vendored || f.deleted() || f.created()
            {
                return Vec::new();
            }
            let mut local: Vec<Finding> = Vec::new();
            let paired = pairs(p);
            // Decorators written on the class or the module apply to every
            // function in it: when those changed, an untouched function changed.
            let outer = |o: &syntax::Outline| -> Vec<String> {
                o.units
                    .iter()
                    .filter(|u| u.name == "<top>")
                    .flat_map(|u| u.decorators.iter().map(|d| d.text.clone()))
                    .collect()
            };
            let outer_same = outer(&p.old) == outer(&p.new);
            for (o, n) in &paired {
                // A function the change did not touch behaves as before, whatever
                // renames elsewhere in the file make its text look like.
                let span = |u: &Unit| {
                    let first = u.decorators.iter().map(|d| d.line).min().unwrap_or(u.line);
                    (first.min(u.line).saturating_sub(1), u.end_line)
                };
                if outer_same && o.name != "<top>" && !f.touches(span(o), span(n)) {
                    continue;
                }
                let around = Around {
                    helpers: &helpers,
                    new_guards: &new_guards,
                    fresh: &fresh,
                    added: &added,
                    request_hooks: &request_hooks,
                    modules: &modules,
                    retired_flags: &retired_flags,
                    new_texts: &new_texts,
                };
                unit_findings(p, o, n, &around, &mut local);
            }
            // Functions the change adds to the file: a new helper that turns a
            // remote failure into an empty result is the same lie.
            for n in
                p.new.units.iter().filter(|n| {
                    n.name != "<top>" && !paired.iter().any(|(_, m)| std::ptr::eq(*m, *n))
                })
            {
                empty_on_failure(
                    f.path,
                    &display_name(n),
                    None,
                    n,
                    &HashSet::default(),
                    &p.new_text,
                    &mut local,
                );
                passes_when_unset(f.path, n, &mut local);
                pass_through(f, n, &mut local);
            }
            let options = option_words(f);
            if !options.is_empty() {
                local.retain(|x| !now_an_option(x, &options));
            }
            if let Some(moved) = change.written_out.get().filter(|m| !m.is_empty()) {
                local.retain(|x| !calls_written_out(x, moved, &p.new));
            }
            local
        })
        .collect();
    out.extend(per_file.into_iter().flatten());
}

/// Whether a guard that answered yes or no (`if not user: return False`)
/// is now the function's answer itself (`return bool(user)`): a return
/// whose value decides the same, read through the last part of each dotted
/// name (`membership.role` and a local `role`). The old function must have
/// answered the other way when the guard let it through (`return True`
/// after `if not user: return False`): one that fell through to nothing
/// (`null`, which Laravel's `before()` reads as "ask the policy") answered
/// three ways, not two.
fn answered_by_return(cond: &str, exit: &str, o: &Unit, n: &Unit) -> bool {
    static DOTTED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b(?:[A-Za-z_]\w*\.)+([A-Za-z_]\w*)\b").unwrap());
    static WRAPPED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^(?:bool|Boolean|!!)\s*\((.*)\)$|^!!\s*(.*)$").unwrap());
    let value = |t: &str| {
        t.trim()
            .trim_start_matches("return")
            .trim()
            .trim_end_matches(';')
            .trim()
            .to_string()
    };
    let yes = match value(exit).as_str() {
        "True" | "true" => true,
        "False" | "false" => false,
        _ => return false,
    };
    let other_answer = o.returns.iter().any(|r| {
        let v = value(&r.text);
        if yes {
            matches!(v.as_str(), "False" | "false")
        } else {
            matches!(v.as_str(), "True" | "true")
        }
    });
    if !other_answer {
        return false;
    }
    let loose = |t: &str| DOTTED.replace_all(t, "$1").into_owned();
    // The function's answer: its last return, not one inside a branch.
    n.returns
        .iter()
        .max_by_key(|r| r.line)
        .into_iter()
        .any(|r| {
            let v = value(&r.text);
            let v = WRAPPED
                .captures(&v)
                .and_then(|c| c.get(1).or(c.get(2)))
                .map_or(v.clone(), |m| m.as_str().to_string());
            if matches!(v.as_str(), "True" | "true" | "False" | "false" | "") {
                return false;
            }
            let same = |a: &str, b: &str| {
                if yes {
                    super::boolean::equivalent(a, b)
                } else {
                    super::boolean::opposite(a, b)
                }
            };
            same(cond, &v) || same(&loose(cond), &loose(&v))
        })
}

/// A flag's name as code, config and keys spell it: `newCheckoutFlow`,
/// `new_checkout_flow`, `NEW-CHECKOUT-FLOW` are all `newcheckoutflow`.
fn flag_key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Feature flags the change retires, by the value their deleted definition
/// held for everyone: on (`newCheckoutFlow: true`, `NEW_UI = True`, a YAML
/// block with `enabled: true` or `rollout: 100`) or off (`legacyCheckout:
/// false`).
struct RetiredFlags {
    on: HashSet<String>,
    off: HashSet<String>,
}

fn retired_flags(change: &ChangeView<'_>) -> RetiredFlags {
    static ON_LINE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^\s*["']?([A-Za-z][\w.-]*?)["']?\s*[:=]\s*(true|True|TRUE|on|yes|100|["']?100%["']?)\s*,?\s*$"#).unwrap()
    });
    static OFF_LINE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^\s*["']?([A-Za-z][\w.-]*?)["']?\s*[:=]\s*(false|False|FALSE|off)\s*,?\s*$"#)
            .unwrap()
    });
    // A flag's block: YAML (`new_checkout:`) or JSON (`"new.checkout": {`).
    static BLOCK: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"^(\s*)["']?([A-Za-z][\w.-]*)["']?\s*:\s*\{?\s*$"#).unwrap());
    static ON_FIELD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)^\s*(?:["']?[\w-]+["']?\s*:\s*\{\s*)?["']?(enabled|default|value|on|rollout|percentage|percent|rollout_?percentage)["']?\s*:\s*(true|on|yes|100%?)\s*\}?\s*,?\s*$"#).unwrap()
    });
    // Words that are the fields of a flag, not its name.
    let field = |k: &str| {
        matches!(
            k.to_ascii_lowercase().as_str(),
            "enabled"
                | "default"
                | "value"
                | "on"
                | "rollout"
                | "percentage"
                | "percent"
                | "active"
                // Where it is on, not what.
                | "environments"
                | "envs"
                | "development"
                | "dev"
                | "staging"
                | "stage"
                | "qa"
                | "test"
                | "production"
                | "prod"
        )
    };
    let mut out = HashSet::default();
    let mut off = HashSet::default();
    for f in &change.files {
        let removed: Vec<&str> = f.removed.iter().map(|l| l.text).collect();
        for (i, l) in removed.iter().enumerate() {
            if let Some(c) = ON_LINE.captures(l)
                && !field(&c[1])
            {
                out.insert(flag_key(&c[1]));
            } else if let Some(c) = OFF_LINE.captures(l)
                && !field(&c[1])
            {
                off.insert(flag_key(&c[1]));
            } else if let Some(c) = BLOCK.captures(l)
                && !field(&c[2])
            {
                let indent = c[1].len();
                let on = removed[i + 1..]
                    .iter()
                    .take_while(|x| x.len() - x.trim_start().len() > indent)
                    .any(|x| ON_FIELD.is_match(x));
                if on {
                    out.insert(flag_key(&c[2]));
                }
            }
        }
    }
    out.retain(|k| k.len() >= 4);
    off.retain(|k: &String| k.len() >= 4 && !out.contains(k));
    // A variable the old code read the flag into (`const useKeys = await
    // flags.isEnabled('payments.idempotency_keys')`) stands for the flag.
    static ALIAS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^\s*(?:(?:const|let|var|val|final|\$)\s+)?([A-Za-z_$][\w$]*)\s*(?::\s*\w+\s*)?:?=[^=].*["']([A-Za-z][\w.:-]*)["']"#).unwrap()
    });
    for f in &change.files {
        for l in f.removed.iter() {
            if let Some(c) = ALIAS.captures(l.text) {
                let flag = flag_key(&c[2]);
                let alias = flag_key(&c[1]);
                if alias.len() >= 4 && out.contains(&flag) {
                    out.insert(alias);
                } else if alias.len() >= 4 && off.contains(&flag) {
                    off.insert(alias);
                }
            }
        }
    }
    RetiredFlags { on: out, off }
}

/// `g` is, or sits inside, a guard of the old code that ran only when an
/// always-on flag the change retires was off (`if (!useKeys && …) {`).
fn within_retired_off_branch(
    g: &syntax::Guard,
    old_guards: &[syntax::Guard],
    on: &HashSet<String>,
    old_text: &str,
) -> bool {
    static NEGATED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:!\s*|\bnot\s+)([A-Za-z][\w.-]*)|([A-Za-z][\w.-]*)\s*(?:===?|is)\s*(?:false|False)\b").unwrap()
    });
    let off_branch = |cond: &str| {
        NEGATED.captures_iter(cond).any(|c| {
            let w = c.get(1).or_else(|| c.get(2)).map_or("", |m| m.as_str());
            let last = w.rsplit('.').next().unwrap_or(w);
            on.contains(&flag_key(w)) || on.contains(&flag_key(last))
        })
    };
    if on.is_empty() {
        return false;
    }
    // Line `inner` is inside the block that opens on line `outer`: every
    // line from there to it is blank or indented deeper.
    let lines: Vec<&str> = old_text.lines().collect();
    let indent = |i: u32| {
        lines
            .get((i as usize).wrapping_sub(1))
            .map(|l| l.len() - l.trim_start().len())
    };
    let inside = |outer: u32, inner: u32| {
        let Some(base) = indent(outer) else {
            return false;
        };
        (outer + 1..=inner).all(|i| {
            lines
                .get(i as usize - 1)
                .is_some_and(|l| l.trim().is_empty() || indent(i).is_some_and(|d| d > base))
        })
    };
    off_branch(&g.cond)
        || old_guards.iter().any(|outer| {
            outer.line < g.line && off_branch(&outer.cond) && inside(outer.line, g.line)
        })
}

/// Whether a condition tests one of the retired flags, by any spelling.
fn names_retired_flag(cond: &str, retired: &HashSet<String>) -> bool {
    static WORD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[A-Za-z][\w-]*").unwrap());
    // Dotted names as the flag files write them (`payments.idempotency_keys`).
    static DOTTED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"[A-Za-z][\w-]*(?:\.[A-Za-z][\w-]*)+").unwrap());
    !retired.is_empty()
        && WORD
            .find_iter(cond)
            .chain(DOTTED.find_iter(cond))
            .any(|w| retired.contains(&flag_key(w.as_str())))
}

/// The words of the options a file's added lines configure a library with
/// (`jwt.WithIssuer(iss)`, `WithValidMethods(…)`, `.withAudience(aud)`; not
/// `requireAdmin(…)`, which is a check of its own):
/// checks a library port moves from hand-written code into the library.
fn option_words(f: &FileView<'_>) -> std::collections::BTreeSet<String> {
    static OPTION: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?:\bWith|\.with)([A-Z]\w+)\s*\(").unwrap());
    const VAGUE: &[&str] = &[
        "valid", "value", "error", "check", "verify", "require", "required", "default", "option",
        "config", "context", "timeout", "client", "logger",
    ];
    f.added_code()
        .flat_map(|l| OPTION.captures_iter(l.text).map(|c| c[1].to_string()))
        .flat_map(|o| name_words(&o))
        .filter(|w| w.len() >= 5 && !VAGUE.contains(&w.as_str()))
        .collect()
}

/// A removed call or guard of a check the change deleted and wrote out in a
/// wrapper it applies (a router's middleware, or a decorator the function
/// now carries): the check moved there, it was not dropped.
fn calls_written_out(
    x: &Finding,
    moved: &std::collections::BTreeMap<String, String>,
    new: &Outline,
) -> bool {
    if !matches!(
        x.rule.as_str(),
        "logic-guard-removed" | "logic-check-removed"
    ) {
        return false;
    }
    let quoted: Vec<&str> = x.message.split('`').skip(1).step_by(2).take(3).collect();
    let Some(decorator) = quoted
        .iter()
        .skip(1)
        .flat_map(|q| idents(q))
        .find_map(|w| moved.get(w))
    else {
        return false;
    };
    // A decorator only covers the functions that carry it.
    decorator.is_empty()
        || quoted.first().is_some_and(|unit| {
            new.units.iter().any(|u| {
                display_name(u) == *unit
                    && u.decorators
                        .iter()
                        .any(|d| super::code::has_word(&d.text, decorator))
            })
        })
}

/// A removed or changed check whose own words name an option the file now
/// sets: the library makes the check (`VerifyIssuer(…)` gone,
/// `WithIssuer(…)` added).
fn now_an_option(x: &Finding, options: &std::collections::BTreeSet<String>) -> bool {
    if !matches!(
        x.rule.as_str(),
        "logic-guard-removed" | "logic-check-removed" | "logic-guard-changed"
    ) {
        return false;
    }
    // The quoted parts of the message: the condition, the call, the exit.
    let quoted: String = x
        .message
        .split('`')
        .skip(1)
        .step_by(2)
        .collect::<Vec<_>>()
        .join(" ");
    // The same word stem: `ExpiresAt` is what `WithExpirationRequired`
    // requires.
    let stem = |w: &str| w.chars().take(5).collect::<String>();
    let stems: HashSet<String> = options.iter().map(|o| stem(o)).collect();
    name_words(&quoted)
        .iter()
        .any(|w| options.contains(w) || w.len() >= 5 && stems.contains(&stem(w)))
}

/// Functions the change adds (by last name segment): a condition that calls
/// one of them may be an old condition moved into it.
fn new_functions(parsed: &[Parsed<'_>]) -> HashSet<String> {
    let short = |n: &str| -> String {
        let n = n.split('#').next().unwrap_or(n);
        n.rsplit('.').next().unwrap_or(n).to_string()
    };
    let old: HashSet<String> = parsed
        .iter()
        .flat_map(|p| {
            p.old
                .units
                .iter()
                .map(|u| short(&rename_in(&u.name, &p.renames)))
        })
        .collect();
    parsed
        .iter()
        .flat_map(|p| p.new.units.iter().map(|u| short(&u.name)))
        .filter(|n| !old.contains(n) && n != "<top>")
        .collect()
}

/// Whether `text` calls one of `names`.
fn calls_any(text: &str, names: &HashSet<String>) -> bool {
    names.iter().any(|n| {
        text.match_indices(n.as_str()).any(|(i, _)| {
            let before = text[..i].chars().next_back();
            let after = text[i + n.len()..].chars().next();
            !before.is_some_and(|c| c.is_alphanumeric() || c == '_') && after == Some('(')
        })
    })
}

/// The functions a condition calls (`s.Members.CanWrite(ctx, id)` →
/// `CanWrite`): a helper that calls the same ones makes the same check.
/// The calls a condition makes at its top level, not inside another call's
/// arguments: `CanWrite` in `!s.Members.CanWrite(r.Context(), id)`, the
/// call whose verdict the condition is (`Context` only feeds it).
fn outer_calls(cond: &str) -> HashSet<String> {
    static CALLEE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"([A-Za-z_]\w*)\s*\(").expect("a valid regex"));
    CALLEE
        .captures_iter(cond)
        .filter_map(|c| {
            let m = c.get(1)?;
            let depth = cond[..m.start()].matches('(').count() as i64
                - cond[..m.start()].matches(')').count() as i64;
            (depth == 0 && m.as_str().len() > 3).then(|| m.as_str().to_string())
        })
        .collect()
}

/// The same check called on other inputs (`!verify(payload, sig)` →
/// `!verify(req.body, sig)`, a helper handed a variable that holds what it
/// was handed before): the verdict still comes from that check. Not when the
/// new inputs are degenerate: a literal, or one input passed twice
/// (`verify(sig, sig)` always passes).
fn same_check_other_input(old: &str, new: &str) -> bool {
    if !same_outer_check(old, new) {
        return false;
    }
    let Some(open) = new.find('(') else {
        return false;
    };
    let Some(close) = super::code::closing_bracket(new.as_bytes(), open) else {
        return false;
    };
    let args: Vec<String> = super::code::top_level_args(&new[open + 1..close])
        .iter()
        .map(|a| collapse(a))
        .collect();
    let literal = |a: &str| {
        matches!(
            a,
            "true"
                | "false"
                | "True"
                | "False"
                | "null"
                | "nil"
                | "None"
                | "0"
                | "1"
                | "\"\""
                | "''"
        ) || a.is_empty()
    };
    let repeated = args.iter().enumerate().any(|(i, a)| args[..i].contains(a));
    !args.iter().any(|a| literal(a)) && !repeated
}

/// Words of a call's name that say it checks.
const CHECK_VERBS: &[&str] = &[
    "verify",
    "check",
    "validate",
    "valid",
    "authorize",
    "authorise",
    "authenticate",
    "compare",
    "match",
    "equal",
    "equals",
    "allowed",
    "permitted",
];

/// A call that makes text safe to paste into a query or markup.
static SANITISER_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(sanitiz|sanitis|escape|quote_?(ident|literal|string|value)|bindparam)")
        .unwrap()
});

/// Whether the new side of unit `n` still writes raw SQL or markup text:
/// a statement keyword or a tag inside its lines.
fn unit_writes_raw_query(new_text: &str, n: &Unit) -> bool {
    static RAW: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(select\s+.+\s+from|delete\s+from|insert\s+into|update\s+\w+\s+set|where\s+\w+\s*(=|<|>|in\b|like\b))\b|<[a-z][\w-]*[\s>]|\b(raw|html_safe|innerHTML|dangerouslySetInnerHTML|find_by_sql|execute|exec_query|connection\.delete)\b").unwrap()
    });
    let (from, to) = (n.line.max(1) as usize, n.end_line.max(n.line) as usize);
    new_text
        .lines()
        .skip(from - 1)
        .take(to + 1 - from)
        .any(|l| RAW.is_match(l))
}

/// Whether a guard on a loaded record (`!record || record.used_at !==
/// null`, `$seat['status'] !== 'available'`) became a test that a write
/// changed nothing (`rows.length === 0`, `$updated !== 1`) leaving the same
/// way (the same exception), where every field the old guard read is now in
/// a query's WHERE (`… AND used_at IS NULL`): the database applies the same
/// condition in the statement that claims the row, and no other request
/// can slip in between a read and a write.
fn claimed_by_conditional_write(g: &syntax::Guard, cond: &str, n: &Unit, new_text: &str) -> bool {
    static NOTHING_CHANGED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(\.length\s*===?\s*0|\blen\([^)]*\)\s*==\s*0|\brow_?count\w*\s*(===?\s*0|!==?\s*1|<\s*1)|rows_?affected\w*\s*(===?\s*0|!==?\s*1|<\s*1)|\$?\w*(updated|affected|claimed|changed)\w*\s*(===?\s*0|!==?\s*1|<\s*1)|\bis\s+None\b|==\s*nil\b|ErrNoRows|\.empty\?|isEmpty\(\)|\.count\s*===?\s*0)").unwrap()
    });
    static EXCEPTION: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b(?:throw\s+new|throw|raise)\s+([\w.\\]+)").unwrap());
    static FIELD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#"(?:\b[A-Za-z_]\w*\??\.([A-Za-z_]\w*)\b(\s*\()?|\[\s*['"]([A-Za-z_]\w*)['"]\s*\])"#,
        )
        .unwrap()
    });
    static WHERE_CLAUSE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?is)\bwhere\b(.{1,300})").unwrap());
    let Some(thrown) = EXCEPTION.captures(&g.exit).map(|c| c[1].to_string()) else {
        return false;
    };
    let claims = n.guards.iter().any(|x| {
        x.failing
            && NOTHING_CHANGED.is_match(&x.cond)
            && EXCEPTION.captures(&x.exit).is_some_and(|c| c[1] == thrown)
    });
    if !claims {
        return false;
    }
    let fold = |t: &str| t.replace('_', "").to_ascii_lowercase();
    let fields: Vec<String> = FIELD
        .captures_iter(cond)
        .filter(|c| c.get(2).is_none())
        .filter_map(|c| c.get(1).or(c.get(3)).map(|m| fold(m.as_str())))
        .collect();
    // A guard that the record is there at all (`$seat === false`, `!row`)
    // is the row count itself.
    static MISSING: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^\s*(!\s*\$?\w+|not\s+\w+|\$?\w+\s*(===?|is)\s*(false|null|nil|None|undefined))\s*$",
        )
        .unwrap()
    });
    if fields.is_empty() {
        return MISSING.is_match(cond);
    }
    let clauses: Vec<String> = WHERE_CLAUSE
        .captures_iter(new_text)
        .map(|c| fold(&c[1]))
        .collect();
    fields
        .iter()
        .all(|x| clauses.iter().any(|w| super::code::has_word(w, x)))
}

/// The new guard tests what a call that checks the same thing returned:
/// `not verify_password(pw, hash)` → `ok, new_hash =
/// ctx.verify_and_update(pw, hash)` then `not ok`. The old condition's call
/// and the call assigned to the tested name share a checking verb.
fn result_of_same_check(old: &str, new: &str, new_text: &str) -> bool {
    static TESTED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*(?:!|not\s+)\s*\(?\s*([A-Za-z_]\w*)(?:\.(?:Succeeded|IsSuccess|succeeded|allowed|Allowed|granted|ok|Ok|valid|IsValid))?\s*\)?\s*$|^\s*([A-Za-z_]\w*)\s*(?:==|===|is)\s*(?:false|False|None|nil|null)\s*$").expect("a valid regex")
    });
    let Some(var) = TESTED
        .captures(new)
        .and_then(|c| c.get(1).or_else(|| c.get(2)))
    else {
        return false;
    };
    let var = var.as_str();
    let Ok(assigned) = Regex::new(&format!(
        r"\b{}\b\s*(?:,\s*\w+\s*)*(?::=|=)\s*(?:await\s+|try\s+)?([\w.:>-]+)\s*\(",
        regex::escape(var)
    )) else {
        return false;
    };
    let verbs = |name: &str| -> Vec<String> {
        name_words(name)
            .into_iter()
            .filter(|w| CHECK_VERBS.contains(&w.as_str()))
            .collect()
    };
    // An access check handed to the framework's authorization service
    // (`!CanAccess(doc.OwnerId)` → `authz = await AuthorizeAsync(User, doc,
    // "DocOwner")` then `!authz.Succeeded`): both ask whether the caller may.
    const MAY: &[&str] = &[
        "can",
        "may",
        "access",
        "authorize",
        "authorise",
        "allowed",
        "permitted",
        "permission",
        "owner",
        "owns",
    ];
    let may = |name: &str| name_words(name).iter().any(|w| MAY.contains(&w.as_str()));
    let old_calls = outer_calls(old);
    let old_verbs: Vec<String> = old_calls.iter().flat_map(|c| verbs(c)).collect();
    let old_may = old_calls.iter().any(|c| may(c));
    (!old_verbs.is_empty() || old_may)
        && assigned.captures_iter(new_text).any(|c| {
            let callee = c[1].rsplit(['.', ':', '>']).next().unwrap_or(&c[1]);
            verbs(callee).iter().any(|v| old_verbs.contains(v))
                || old_may
                    && name_words(callee)
                        .iter()
                        .any(|w| w == "authorize" || w == "authorise")
        })
}

/// Whether an equality test and the helper call standing for it stop on
/// the same outcome: `a != b` on a negated call (`!matches(a, b)`), `a ==
/// b` on a plain one. Anything else is not read here.
fn same_polarity(old: &str, new: &str) -> bool {
    let negated = {
        let t = new.trim_start();
        t.starts_with('!') || t.starts_with("not ")
    };
    let joined = |t: &str| ["&&", "||", " and ", " or "].iter().any(|j| t.contains(j));
    if joined(old) || new.contains("==") || new.contains("!=") {
        true
    } else if old.contains("!=") {
        negated
    } else if old.contains("==") {
        !negated
    } else {
        true
    }
}

/// The new guard calls a function this change adds that returns a
/// constant-time comparison or a verify call: the check rewritten, not
/// dropped.
fn checked_by_new_helper(new: &str, fresh: &HashSet<String>, helpers: &Helpers<'_>) -> bool {
    static COMPARES: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(timingSafeEqual|compare_digest|hash_equals|ConstantTimeCompare|MessageDigest\.isEqual|FixedTimeEquals|secure_compare|constant_time_\w*|hmac\.Equal|\.ct_eq\(|verify\w*\s*\()").expect("a valid regex")
    });
    outer_calls(new)
        .iter()
        .filter(|c| fresh.contains(*c))
        .any(|c| {
            helpers.units.get(c.as_str()).is_some_and(|us| {
                // Its verdict is a constant-time comparison or a verify call
                // (a helper that catches a failure and answers yes is no
                // check, and other rules read it).
                us.iter()
                    .any(|u| u.returns.iter().any(|r| COMPARES.is_match(&r.text)))
            })
        })
}

/// The same check called with other arguments: a helper's guard
/// `!accounts.isOwnedBy(req.fromAccountId(), username)` for the caller's
/// `!accounts.isOwnedBy(req.fromAccountId(), principal.getName())`, the
/// principal now passed in as `username`.
/// A hand-written comparison replaced by the library's, on the same
/// arguments and with the same polarity: `!$this->signaturesMatch($a, $b)` →
/// `!hash_equals($a, $b)`, `!safeCompare(a, b)` → `!crypto.timingSafeEqual(a, b)`.
fn same_verdict_by_library(a: &str, b: &str) -> bool {
    static CALL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(!\s*|not\s+)?([\w.:>$-]+)\s*\((.*)\)$").expect("a valid regex")
    });
    static COMPARES: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(equal|match|compare|same|verify)").expect("a valid regex")
    });
    let (Some(x), Some(y)) = (CALL.captures(a.trim()), CALL.captures(b.trim())) else {
        return false;
    };
    let args = |t: &str| -> Vec<String> {
        super::code::top_level_args(t)
            .iter()
            .map(|a| a.split_whitespace().collect::<String>())
            .collect()
    };
    x.get(1).is_some() == y.get(1).is_some()
        && COMPARES.is_match(&x[2])
        && COMPARES.is_match(&y[2])
        && args(&x[3]).len() >= 2
        && args(&x[3]) == args(&y[3])
}

fn same_outer_check(a: &str, b: &str) -> bool {
    let (x, y) = (outer_calls(a), outer_calls(b));
    let negated = |t: &str| t.trim_start().starts_with('!') || t.trim_start().starts_with("not ");
    !x.is_empty()
        && x == y
        && negated(a) == negated(b)
        && !a.contains("&&")
        && !a.contains("||")
        && !b.contains("&&")
        && !b.contains("||")
}

fn called_in(cond: &str) -> HashSet<String> {
    static CALLEE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"([A-Za-z_]\w*)\s*\(").expect("a valid regex"));
    CALLEE
        .captures_iter(cond)
        .map(|c| c[1].to_string())
        .filter(|n| n.len() > 3)
        .collect()
}

/// Words of a condition that name no value of their own.
const CONDITION_WORDS: &[&str] = &[
    "is",
    "not",
    "null",
    "None",
    "nil",
    "true",
    "false",
    "True",
    "False",
    "and",
    "or",
    "undefined",
    "Ok",
    "Err",
    "Some",
    "if",
    "unless",
    "len",
    "empty",
];

/// Whether a condition only tests what a helper the change adds returned:
/// `problem is not null` after `var problem = EnsureCanRefund(order)`, `err
/// != nil` after `err := checkLimits(req)`. The checks moved into the
/// helper; the condition passes its verdict on.
fn tests_result_of(cond: &str, fresh: &HashSet<String>, new_text: &str) -> bool {
    static WORD: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"[A-Za-z_$][\w$]*").expect("a valid regex"));
    if fresh.is_empty() {
        return false;
    }
    let names: Vec<&str> = WORD
        .find_iter(cond)
        .map(|m| m.as_str().trim_start_matches('$'))
        .filter(|w| !CONDITION_WORDS.contains(w))
        .collect();
    if names.is_empty() {
        return false;
    }
    // What the new helpers' results are assigned to: found from each call
    // back to the `=` before it (helper names are few and rare in a text;
    // the condition's names, `err` or `ok`, are everywhere).
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    let mut assigned: HashSet<&str> = HashSet::default();
    for f in fresh {
        for (at, _) in new_text.match_indices(f.as_str()) {
            let after = new_text[at + f.len()..].trim_start();
            let before_ok = !new_text[..at].chars().next_back().is_some_and(word);
            if !before_ok || !after.starts_with('(') {
                continue;
            }
            // Back over the receiver (`s.`, `this->`, `await `) to `=` or `:=`.
            let mut head = new_text[..at]
                .trim_end_matches(|c: char| word(c) || matches!(c, '.' | '>' | '-' | ':' | ' '));
            let Some(rest) = head.strip_suffix('=') else {
                continue; // no assignment
            };
            if rest.ends_with(['=', '!', '<', '>']) {
                continue; // a comparison
            }
            head = rest;
            let head = head.trim_end_matches(':').trim_end();
            let start = head
                .char_indices()
                .rev()
                .find(|(_, c)| !word(*c))
                .map_or(0, |(i, c)| i + c.len_utf8());
            let name = head[start..].trim_start_matches('$');
            if !name.is_empty() {
                assigned.insert(name);
            }
        }
    }
    names.iter().all(|n| assigned.contains(n))
}

/// Routes that kept their key but lost a guard passed by name, change-wide (a
/// route moved into another function or file is still the same route).
fn routes(parsed: &[Parsed<'_>], added: &str, out: &mut Vec<Finding>) {
    // Middleware the change mounts for a whole router or app
    // (`router.use(requireAuth)`, `before_request`, `Use(...)`) guards
    // every route registered on it.
    let mounted = |guard: &str| {
        added.lines().any(|l| {
            l.contains(guard)
                && (l.contains(".use(")
                    || l.contains(".Use(")
                    || l.contains("before_request")
                    || l.contains("before_action")
                    || l.contains("middleware"))
        })
    };
    // Every route of the new side under its key: the same call (`WithHintf
    // "…"`, `get "/health"`) can stand in several files, and a route is
    // compared with itself, in its own file, before any moved copy.
    let mut new: HashMap<String, Vec<(&str, &syntax::Route)>> = HashMap::default();
    for p in parsed {
        for u in &p.new.units {
            for r in &u.routes {
                new.entry(r.key.clone()).or_default().push((p.file.path, r));
            }
        }
    }
    for p in parsed {
        if p.file.class.test_like() {
            continue;
        }
        for u in &p.old.units {
            for r in &u.routes {
                let key = rename_in(&r.key, &p.renames);
                let Some(all) = new.get(&key) else {
                    continue;
                };
                let here: Vec<&(&str, &syntax::Route)> = all
                    .iter()
                    .filter(|(path, _)| *path == p.file.path)
                    .collect();
                let candidates: Vec<&(&str, &syntax::Route)> = if here.is_empty() {
                    all.iter().collect()
                } else {
                    here
                };
                let Some(&&(path, now)) = candidates.first() else {
                    continue;
                };
                for g in &r.guards {
                    let g = rename_in(g, &p.renames);
                    let kept = candidates.iter().any(|(_, c)| c.guards.contains(&g));
                    if kept || mounted(&g) {
                        continue;
                    }
                    out.push(Finding::added(
                        "logic-check-removed",
                        Severity::High,
                        path,
                        Some(now.line),
                        format!(
                            "`{}` is no longer guarded by `{}` (it was before this change), while other routes keep it.",
                            quote(&r.key),
                            quote(&g)
                        ),
                    ));
                }
            }
        }
    }
}

/// Handlers of `n` (but those in `skip`, already paired with one before)
/// that catch everything, or a failure of something remote, and hand back an
/// empty result: the caller reads "nothing to do", not a failure. Run on the
/// new side of changed functions and on functions the change adds.
fn empty_on_failure(
    path: &str,
    name: &str,
    old: Option<&Unit>,
    n: &Unit,
    skip: &HashSet<usize>,
    text: &str,
    out: &mut Vec<Finding>,
) {
    for (i, x) in n.handlers.iter().enumerate() {
        if skip.contains(&i) || x.propagates {
            continue;
        }
        // A decision that answers "yes" when it could not be made: the
        // check fails open (fraud screening approves, an entitlement is
        // granted, a default policy without MFA applies).
        if let Some(r) = &x.returns
            && permissive_fallback(r, n, text)
            && !old.is_some_and(|o| o.handlers.iter().any(|h| h.returns == x.returns))
        {
            out.push(Finding::added(
                "logic-check-fails-open",
                Severity::High,
                path,
                Some(x.line),
                format!(
                    "When {name} fails{}, it now answers `{}`: an outage, or anyone who can make the call fail, gets the permissive answer.",
                    if x.caught.is_empty() || x.caught == "Err" {
                        String::new()
                    } else {
                        format!(" (`{}`)", quote(&x.caught))
                    },
                    quote(r)
                ),
            ));
            continue;
        }
        let broad = BROAD_FAILURE.is_match(x.caught.trim());
        // A narrow handler counts when what it catches is a failure of
        // something remote (a provider, the network, the database): that
        // is the failure the caller had to hear about.
        let remote = !broad && REMOTE_ERROR.is_match(&x.caught);
        // In a function the change adds, only a named remote failure counts:
        // `if err != nil { http.Error(…); return }` is how a new handler
        // reports every error.
        if !remote && (!broad || old.is_none()) {
            continue;
        }
        // A handler narrowed from one that already swallowed everything the
        // same way: fewer failures are hidden than before, not more.
        let narrowed = old.is_some_and(|o| {
            o.handlers.iter().any(|h| {
                !h.propagates
                    && h.returns == x.returns
                    && (h.caught.is_empty()
                        || matches!(
                            h.caught.as_str(),
                            "Exception"
                                | "BaseException"
                                | "Throwable"
                                | "Error"
                                | "StandardError"
                                | "\\Exception"
                                | "\\Throwable"
                        ))
            })
        });
        if narrowed {
            continue;
        }
        // A bare `return` is an answer only where the function returns values.
        let gives_values = n.returns.iter().any(|r| {
            let v = r.text.trim_start_matches("return").trim();
            !v.is_empty() && v != ";"
        });
        let empty = x
            .returns
            .as_deref()
            .is_some_and(|r| is_nothing(r) && (r != "nothing" || gives_values));
        // A catch-all that carries on is the errors module's business; one
        // that hands back an empty result is a lie the caller believes.
        if !empty {
            continue;
        }
        out.push(Finding::added(
        "logic-error-swallowed",
        Severity::High,
        path,
        Some(x.line),
        match &x.returns {
            Some(r) if remote => format!("On `{}`, {name} now returns `{}`: a caller reads that as \"nothing to do\", not as a failure.", quote(&x.caught), quote(r)),
            Some(r) => format!("{name} now catches every error and returns `{}`: a caller reads that as \"nothing to do\", not as a failure.", quote(r)),
            None => format!("{name} now catches every error and carries on: failures no longer reach the caller."),
        },
    ));
    }
}

/// A verification: a checksum, digest, signature or MAC compared.
static VERIFICATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(checksum|sha\d+|digest|signature|\bsig\b|verif|mismatch|integrity|hmac|tamper)",
    )
    .unwrap()
});
/// What was to be checked against is missing: a 404, an absent value.
static MISSING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(404|not_?found|missing|legacy|optional|unsigned|no_?(sum|sig|checksum))")
        .unwrap()
});

/// A response that refuses: an error status or an error body (`response()
/// ->json(['error' => 'not_configured'], 500)`).
static ERROR_RESPONSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)([(,\s][45]\d\d\s*[),]|['"]error['"]|\b(Unauthori[sz]ed|Forbidden|BadRequest|InternalServerError|ServiceUnavailable)\w*\b)"#).unwrap()
});

/// A function the change adds that verifies what it fetched or received,
/// and that first hands it back unverified when what it checks against is
/// missing (`if sumResp.StatusCode == http.StatusNotFound { return body,
/// nil }` before the checksum comparison): whoever can make the checksum,
/// signature or MAC disappear skips the check. The code it came from did
/// not have that way out.
fn skips_verification(path: &str, n: &Unit, old_text: &str, out: &mut Vec<Finding>) {
    // The comparison itself (a mismatch refused) rather than a fetch of
    // what it compares against, where there is one.
    let verifies = |g: &&syntax::Guard| {
        g.failing && (VERIFICATION.is_match(&g.cond) || VERIFICATION.is_match(&g.exit))
    };
    let compares = |g: &&syntax::Guard| {
        let t = format!("{} {}", g.cond, g.exit).to_ascii_lowercase();
        ["mismatch", "invalid", "verif", "tamper", "match"]
            .iter()
            .any(|w| t.contains(w))
    };
    let Some(check) = n
        .guards
        .iter()
        .filter(verifies)
        .find(compares)
        .or_else(|| n.guards.iter().find(verifies))
    else {
        return;
    };
    let Some(skip) = n.guards.iter().find(|g| {
        let said = g
            .exit
            .trim_start_matches("return")
            .trim()
            .trim_end_matches(';');
        g.line < check.line
            && !g.failing
            && !said.is_empty()
            && !matches!(said, "false" | "False" | "nil" | "None" | "null")
            && !ERROR_RESPONSE.is_match(said)
            && (MISSING.is_match(&g.cond) || super::presence::ABSENT.is_match(&g.cond))
            && !old_text.contains(&g.cond)
    }) else {
        return;
    };
    out.push(Finding::added(
        "sec-verification-skipped-when-missing",
        Severity::High,
        path,
        Some(skip.line),
        format!(
            "{} now hands back `{}` when `{}`, before the check `{}` runs: whoever can make what it checks against disappear gets their input through unverified.",
            display_name(n),
            quote(&skip.exit),
            quote(&skip.cond),
            quote(&check.cond),
        ),
    ));
}

/// A check function the change adds that reports success when what it
/// checks against is not there (`if string.IsNullOrEmpty(_options.CaBundlePath)
/// || cert is null) return true;` in a certificate validation callback): with
/// the setting unset, which is the default, nothing is checked.
fn passes_when_unset(path: &str, n: &Unit, out: &mut Vec<Finding>) {
    let short = n.name.rsplit('.').next().unwrap_or(&n.name);
    if !is_check_fn(short) {
        return;
    }
    if let Some(g) = n.guards.iter().find(|g| {
        // `true` says "checked and fine"; Go's `return nil` may be either.
        let said = g
            .exit
            .trim_start_matches("return")
            .trim()
            .trim_end_matches(';');
        !g.failing
            && matches!(said, "true" | "True" | "Ok(true)" | "Ok(())")
            && super::presence::ABSENT.is_match(&g.cond)
    }) {
        out.push(Finding::added(
            "logic-check-fails-open",
            Severity::High,
            path,
            Some(g.line),
            format!(
                "{} reports success (`{}`) when `{}`: whenever that is missing, nothing is checked.",
                display_name(n),
                quote(&g.exit),
                quote(&g.cond)
            ),
        ));
    }
}

/// Functions that decide whether something may go ahead.
static DECISION_UNIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(fraud|screen|risk|entitle|permi|authori[sz]|allow|access|mfa|2fa|otp|polic|verif|valid|check|\bcan_?|is_?allowed|has_?[a-z]|licen[cs]|quota|limit|login|authent|sign|approv|gate|guard|acl|role|trust|revok|block)").unwrap()
});

/// Values that say "go ahead".
static PERMISSIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(true|ok\(true\)|some\(true\)|task\.fromresult\(true\)|(\w+(::|\.))*(approve|approved|allow|allowed|permit|permitted|grant|granted|accept|accepted|pass|passed|authori[sz]ed|valid|trusted)\b.*)$").unwrap()
});

/// A handler's fallback that says "go ahead" in a function that decides:
/// `true`, `Decision::approve()`, a constant defined as `true`, or the
/// default of a policy type (whose defaults are the weakest settings).
fn permissive_fallback(r: &str, n: &Unit, text: &str) -> bool {
    let r = r.trim().trim_end_matches(';');
    if PERMISSIVE.is_match(r) && !r.eq_ignore_ascii_case("true") {
        return true;
    }
    if !DECISION_UNIT.is_match(&n.name) {
        return false;
    }
    if r.eq_ignore_ascii_case("true") || r == "Ok(true)" {
        return true;
    }
    static POLICY_DEFAULT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^\w*(polic|rule|permission|entitle|decision|setting)\w*(::default\(\)|\(\)|\.default\w*)$").unwrap()
    });
    if POLICY_DEFAULT.is_match(r) {
        return true;
    }
    // A named constant: `return DefaultOnFailure;` with `const bool
    // DefaultOnFailure = true;` in the file.
    if r.chars().all(|c| c.is_alphanumeric() || c == '_') && !r.is_empty() {
        let Ok(def) = Regex::new(&format!(
            r"\b{}\s*(?::\s*\w+\s*)?=\s*(\w+)",
            regex::escape(r)
        )) else {
            return false;
        };
        return def
            .captures_iter(text)
            .any(|c| c[1].eq_ignore_ascii_case("true"));
    }
    false
}

/// What the rest of the change holds, for judging one pair of functions: a
/// check that left one function may live on elsewhere.
struct Around<'a> {
    /// Functions of the new side, by name.
    helpers: &'a Helpers<'a>,
    /// Guard conditions, change-wide: how many more the new side has.
    new_guards: &'a HashMap<String, i32>,
    /// Functions the change adds.
    fresh: &'a HashSet<String>,
    /// Every line the change adds.
    added: &'a str,
    /// The lines the change adds to the files a framework runs before every
    /// request by their name (`hooks.server.ts`, `middleware.ts`).
    request_hooks: &'a str,
    /// Each production file of the change: its name as code names it
    /// (`soft_deletable.rb` → `softdeletable`) and the lines it adds.
    modules: &'a [(String, String)],
    /// Feature flags whose always-on or always-off definition the change
    /// deletes.
    retired_flags: &'a RetiredFlags,
    /// The new text of each production file of the change.
    new_texts: &'a [&'a str],
}

/// A file's name as code refers to it: the stem, lowercased, without `_`
/// or `-` (`SoftDeletable`, `soft_deletable`, `UpdateUserRequest`).
pub(crate) fn module_key(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.split('.').next().unwrap_or(name);
    stem.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Whether `call` moved into another file of the change that this file now
/// pulls in: a concern it includes, a form request it type-hints, a trait
/// it uses, a module it imports. The other file's added lines call or
/// define it, and this file's added lines name that file.
fn moved_into_included(f: &FileView<'_>, call: &str, modules: &[(String, String)]) -> bool {
    // The classes this file's classes extend count as pulled in, on an
    // unchanged line too: a check moved up into `ApplicationController`
    // still runs for `class InvoicesController < ApplicationController`.
    static EXTENDS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?m)^\s*(?:\w+\s+)*class\s+\w+\s*(?:\(([^)]*)\)|(?:extends|<|:)\s*([\w.:, ]+))",
        )
        .unwrap()
    });
    let parents = f.new_text().into_iter().flat_map(|t| {
        EXTENDS
            .captures_iter(t)
            .filter_map(|c| c.get(1).or(c.get(2)).map(|m| m.as_str()))
    });
    let here: String = f
        .added
        .iter()
        .map(|l| l.text)
        .chain(parents)
        .map(|t| t.to_ascii_lowercase().replace(['_', '-'], ""))
        .collect::<Vec<_>>()
        .join("\n");
    let own = module_key(f.path);
    modules.iter().any(|(key, added)| {
        key.len() >= 4
            && *key != own
            && here.contains(key.as_str())
            && super::code::has_word(added, call)
            && !allows_everything(added, call)
    })
}

/// Whether a decorator of the same name still applies, naming every value
/// the old one named (`[Authorize(Roles = "Admin")]` on each action →
/// `[Authorize(Policy = "RequireAdmin")]` on the class); `[Authorize]` alone
/// names no role and is not the same check.
fn same_decorator_kept(old: &str, new: &[String]) -> bool {
    let values: Vec<String> = quoted_literals(old, 1)
        .into_iter()
        .map(|v| v.to_ascii_lowercase())
        .collect();
    !values.is_empty()
        && new.iter().any(|d| {
            let lower = d.to_ascii_lowercase();
            decorator_name(d) == decorator_name(old)
                && values.iter().all(|v| lower.contains(v.as_str()))
        })
}

/// A decorator's name without its sigil, arguments or module
/// (`@auth.staff_required(…)` → `staff_required`, `[Authorize(…)]` → `Authorize`).
fn decorator_name(d: &str) -> &str {
    let d = d.trim_start_matches(['@', '#', '[']);
    let d = d.split('(').next().unwrap_or(d);
    d.rsplit('.').next().unwrap_or(d).trim()
}

/// The quoted strings in `text` at least `min` characters long, without
/// their quotes.
fn quoted_literals(text: &str, min: usize) -> Vec<String> {
    static LITERAL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"'([^']+)'|"([^"]+)""#).expect("a valid regex"));
    LITERAL
        .captures_iter(text)
        .filter_map(|c| c.get(1).or(c.get(2)).map(|m| m.as_str().to_string()))
        .filter(|v| v.chars().count() >= min)
        .collect()
}

/// Whether `text` defines `name` as a function that only says yes
/// (`public function authorize(): bool { return true; }`, `def
/// has_permission(self, request, view): return True`): a check moved there
/// checks nothing.
fn allows_everything(text: &str, name: &str) -> bool {
    let Ok(re) = Regex::new(&format!(
        r"(?s)\b{}\s*\([^)]*\)(?:[^{{;\n]*\n?\s*\{{|\s*(?:->\s*[\w\[\], .]+)?\s*:\s*\n)\s*(?:(?://|#)[^\n]*\n\s*)*return\s+(?i:true)\s*;?\s*(?:\}}|\n\s*\n|\n\s*(?:def|@)|\n\S|$)",
        regex::escape(name)
    )) else {
        return false;
    };
    re.is_match(text)
}

/// Whether a guard of a base class that the method's class now names
/// (`class InvoiceDeleteView(StaffAccessMixin, View)`, `extends`, `<`, `:`)
/// tests what `cond` tested: the same words, or the same outer calls (the
/// permission it asked for may now be a class attribute).
fn inherited_guard(n: &Unit, cond: &str, helpers: &Helpers<'_>, new_text: &str) -> bool {
    let Some((class, _)) = n.name.rsplit_once('.') else {
        return false;
    };
    let class = class.rsplit('.').next().unwrap_or(class);
    if !new_text.contains(class) || !new_text.contains("class") {
        return false;
    }
    let Ok(decl) = Regex::new(&format!(
        r"\bclass\s+{}\b\s*(?:\(([^)]*)\)|(?:extends|<|:)\s*([\w.:, ]+))",
        regex::escape(class)
    )) else {
        return false;
    };
    let bases: Vec<String> = decl
        .captures_iter(new_text)
        .filter_map(|c| c.get(1).or(c.get(2)))
        .flat_map(|m| {
            m.as_str()
                .split([',', ' '])
                .map(|b| b.trim().rsplit(['.', ':']).next().unwrap_or("").to_string())
                .filter(|b| !b.is_empty() && b != "implements")
                .collect::<Vec<_>>()
        })
        .collect();
    let calls = outer_calls(cond);
    bases.iter().any(|b| {
        helpers.units.values().flatten().any(|u| {
            u.name
                .strip_prefix(b.as_str())
                .is_some_and(|r| r.starts_with('.'))
                && u.guards.iter().any(|x| {
                    alike_condition(cond, &x.cond)
                        || !calls.is_empty() && calls.is_subset(&outer_calls(&x.cond))
                })
        })
    })
}

/// A guard moved into a decorator the function now carries, whose wrapper
/// stops the same way (`if not _is_admin(…): return HttpResponseForbidden()`
/// → `@workspace_admin_required`, whose wrapper tests the admin membership
/// and returns `HttpResponseForbidden()`).
fn guard_in_new_decorator(
    n: &Unit,
    o: &Unit,
    g: &syntax::Guard,
    cond: &str,
    helpers: &Helpers<'_>,
) -> bool {
    let old: HashSet<&str> = o
        .decorators
        .iter()
        .map(|d| decorator_name(&d.text))
        .collect();
    let exit = collapse(&g.exit);
    n.decorators
        .iter()
        .map(|d| decorator_name(&d.text))
        .filter(|d| !d.is_empty() && !old.contains(d))
        .any(|d| {
            helpers.units.get(d).is_some_and(|us| {
                us.iter().any(|u| {
                    !std::ptr::eq(*u, n)
                        && u.guards.iter().any(|x| {
                            (x.failing || !g.failing)
                                && (collapse(&x.exit) == exit
                                    || alike_condition(cond, &x.cond)
                                    || alike_condition(&g.cond, &x.cond))
                        })
                })
            })
        })
}

/// Check functions the change deletes whose failing tests it writes out in a
/// wrapper it applies, each with the decorator's name (empty for a
/// middleware wrapped around a handler where it is mounted): the calls to
/// them that disappear from a function the wrapper now covers went with them.
fn checks_written_out(
    helpers: &Helpers<'_>,
    added: &str,
) -> std::collections::BTreeMap<String, String> {
    // Wrappers called with a string on an added line (`RequireRole("admin")`):
    // a check written out with a parameter where the deleted one had that
    // string (`requireAdmin`, which tested `HasRole("admin")`).
    static CALL_WITH_STRING: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"([A-Za-z_]\w*)\s*\(\s*["']([\w:.-]+)["']\s*\)"#).unwrap());
    let mut bound: HashMap<&str, Vec<&str>> = HashMap::default();
    if !helpers.gone.is_empty() {
        for c in CALL_WITH_STRING.captures_iter(added) {
            let (k, v) = (c.get(1).unwrap().as_str(), c.get(2).unwrap().as_str());
            bound.entry(k).or_default().push(v);
        }
    }
    let mut out = std::collections::BTreeMap::new();
    for name in helpers.gone.keys() {
        for (k, us) in &helpers.units {
            let with_argument = || {
                bound
                    .get(k)
                    .is_some_and(|vs| vs.iter().any(|v| helpers.inlines_bound(us, name, v)))
            };
            if !helpers.inlines(us, name) && !with_argument() {
                continue;
            }
            let decorator = added.lines().any(|l| {
                l.trim_start()
                    .strip_prefix('@')
                    .is_some_and(|d| d.split('(').next() == Some(*k))
            });
            if decorator {
                out.insert(name.to_string(), k.to_string());
            } else if wraps_on_added_line(k, added) {
                out.insert(name.to_string(), String::new());
            }
        }
    }
    out
}

/// A method test (`req.method !== 'POST'`) in a function that now only
/// ever receives that method: a route handler named after it (Next.js's
/// `export async function POST`) or registered for it (`@app.post`,
/// `@PostMapping`, `methods=["POST"]`).
fn method_implied_by_handler(n: &Unit, cond: &str) -> bool {
    static METHOD_TEST: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)\bmethod\s*!==?\s*['"](GET|POST|PUT|PATCH|DELETE)['"]|['"](GET|POST|PUT|PATCH|DELETE)['"]\s*!==?\s*[\w.]*\bmethod\b"#).unwrap()
    });
    let Some(c) = METHOD_TEST.captures(cond) else {
        return false;
    };
    let m = c
        .get(1)
        .or(c.get(2))
        .map_or("", |m| m.as_str())
        .to_ascii_lowercase();
    short_name(&n.name).eq_ignore_ascii_case(&m)
        || n.decorators.iter().any(|d| {
            let t = d.text.to_ascii_lowercase();
            t.contains(&format!(".{m}("))
                || t.contains(&format!("{m}mapping"))
                || t.contains(&format!("\"{m}\"]"))
                || t.contains(&format!("'{m}']"))
        })
}

/// A feature-flag test removed with the flag (`if flags.enabled("tax_v2")
/// { return compute_v2(x) }`), where the function now takes the flagged
/// branch unconditionally (it calls `compute_v2` itself): the flag retired
/// to its on side, the behaviour everyone with it on already had.
fn flag_retired_to_its_branch(n: &Unit, g: &syntax::Guard, old: &Outline) -> bool {
    static CALLED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"([A-Za-z_]\w*)\s*\(").unwrap());
    if !FLAG_WORD.is_match(&g.cond)
        || g.cond.contains('!')
        || g.cond.trim_start().starts_with("not ")
    {
        return false;
    }
    let Some(branch) = CALLED
        .captures_iter(&g.exit)
        .map(|c| c[1].to_string())
        .find(|c| !matches!(c.as_str(), "return" | "Ok" | "Some" | "await"))
    else {
        return false;
    };
    if n.calls.iter().any(|c| short_name(&c.text) == branch) {
        return true;
    }
    // The branch's body written into the function itself: everything it
    // called, the function now calls.
    old.units
        .iter()
        .find(|u| short_name(&u.name) == branch)
        .is_some_and(|b| {
            b.calls.len() >= 2
                && b.calls
                    .iter()
                    .all(|c| n.calls.iter().any(|x| x.text == c.text))
        })
}

/// A presence test of one value (`typeof sig !== 'string'`, `sig == null`,
/// `!sig`, `sig is None`) that the new function still makes, in another form,
/// and still stops on.
fn presence_restated(n: &Unit, g: &syntax::Guard) -> bool {
    static PRESENCE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^\(?\s*(?:!\s*([\w.$]+)|not\s+([\w.]+)|typeof\s+([\w.$]+)\s*!==?\s*['"]\w+['"]|([\w.$]+)\s*===?\s*(?:null|undefined|nil|None|''|"")|([\w.]+)\s+is\s+None)\s*\)?$"#).unwrap()
    });
    let subject = |t: &str| {
        PRESENCE.captures(t.trim()).and_then(|c| {
            (1..=5)
                .find_map(|i| c.get(i))
                .map(|m| m.as_str().to_string())
        })
    };
    let Some(was) = subject(&g.cond) else {
        return false;
    };
    n.guards
        .iter()
        .any(|x| (x.failing || !g.failing) && subject(&x.cond).as_deref() == Some(was.as_str()))
}

/// A failing guard moved into a middleware the change adds and wraps the
/// handler in where it is mounted (`if !validSignature(…) { return }` in
/// `ServeHTTP` → `verify := VerifySignature(secret)` and
/// `mux.Handle(path, verify(handler))` in the router, whose wrapper makes the
/// same test and stops): the request is refused before the handler runs.
fn guard_now_wraps_handler(
    n: &Unit,
    g: &syntax::Guard,
    cond: &str,
    helpers: &Helpers<'_>,
    added: &str,
) -> bool {
    g.failing
        && helpers.units.iter().any(|(name, us)| {
            name.len() > 2
                && us.iter().any(|u| {
                    !std::ptr::eq(*u, n)
                        && u.guards.iter().any(|x| {
                            x.failing
                                && (alike_condition(cond, &x.cond)
                                    || alike_condition(&g.cond, &x.cond)
                                    || same_outer_check(&g.cond, &x.cond))
                        })
                })
                && wraps_on_added_line(name, added)
        })
}

/// Whether an added line applies the middleware `name` to a handler:
/// `name(secret)(handler)`, `router.Use(name(…))`, or a variable made by
/// `name(…)` called on another added line (`verify(handler)`).
fn wraps_on_added_line(name: &str, added: &str) -> bool {
    let call = Regex::new(&format!(r"(?:^|[^\w]){}\s*\(", regex::escape(name)));
    let Ok(call) = call else { return false };
    let definition = |t: &str| {
        ["func ", "def ", "function ", "fn "]
            .iter()
            .any(|k| t.contains(&format!("{k}{name}")))
            || t.contains(&format!(") {name}("))
    };
    let assigned = |t: &str| -> Option<String> {
        let (lhs, rhs) = t.split_once(":=").or_else(|| t.split_once('='))?;
        let var = lhs.split_whitespace().last()?;
        (call.is_match(rhs) && var.chars().all(|c| c.is_alphanumeric() || c == '_'))
            .then(|| var.to_string())
    };
    // Registered by name for a whole router: FastAPI's `dependencies=[
    // Depends(name)]`, `router.use(name)`, `r.Use(name)`.
    let registered = Regex::new(&format!(
        r"(\bdependencies\s*=\s*\[[^\]]*\bDepends\(\s*|\b(use|Use)\s*\(\s*)[\w.]*\b{}\s*[,)]",
        regex::escape(name)
    ));
    if registered.is_ok_and(|r| added.lines().any(|t| r.is_match(t))) {
        return true;
    }
    let mut vars = Vec::new();
    for t in added.lines().map(str::trim) {
        if !call.is_match(t) || definition(t) {
            continue;
        }
        if let Some(v) = assigned(t) {
            vars.push(v);
            continue;
        }
        let after = call.find(t).map_or("", |m| &t[m.end()..]);
        if after.contains(")(") || t.contains("Use(") || t.contains("use(") || t.contains("With(") {
            return true;
        }
    }
    vars.iter().any(|v| {
        let used = format!("{v}(");
        added
            .lines()
            .map(str::trim)
            .any(|t| t.contains(&used) && assigned(t).is_none() && !definition(t))
    })
}

/// A role check made into the method's own security annotation (`if
/// (!user.hasAuthority("ROLE_LEGAL_ADMIN")) throw …` → `@PreAuthorize(
/// "hasRole('LEGAL_ADMIN')")`, `@Secured`, `[Authorize(Roles = …)]`,
/// `@permission_required`): the framework now refuses the same callers
/// before the method runs. Spring's `ROLE_` prefix is the same role.
fn role_now_in_decorator(n: &Unit, o: &Unit, cond: &str) -> bool {
    let roles = roles_named(cond);
    if roles.is_empty() {
        return false;
    }
    let old: HashSet<&str> = o.decorators.iter().map(|d| d.text.as_str()).collect();
    n.decorators
        .iter()
        .filter(|d| !old.contains(d.text.as_str()) && AUTH_DECORATOR.is_match(&d.text))
        .any(|d| {
            let named = roles_named(&d.text);
            roles.iter().all(|r| named.contains(r))
        })
}

/// A handler that was open to anyone (`[AllowAnonymous]`, `@PermitAll`,
/// `@Public()`, DRF's `AllowAny`) and no longer is: the check it did for
/// itself (a signed link, a token in the URL) gives way to the sign-in every
/// other handler needs, which is stricter, not weaker.
fn anonymity_withdrawn(o: &Unit, n: &Unit) -> bool {
    static ANONYMOUS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(AllowAnonymous|PermitAll|@Public\b|\bAllowAny\b|@anonymous\b|security\s*=\s*\[\s*\])").unwrap()
    });
    o.decorators.iter().any(|d| ANONYMOUS.is_match(&d.text))
        && !n.decorators.iter().any(|d| ANONYMOUS.is_match(&d.text))
}

/// The role names quoted in `text` (`"ROLE_LEGAL_ADMIN"`, `'LEGAL_ADMIN'`),
/// each in one spelling: lower case, Spring's `ROLE_` prefix dropped, `-`
/// as `_`. Shared by the checks that see a role check move into an
/// annotation.
pub(crate) fn roles_named(text: &str) -> Vec<String> {
    static QUOTED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"["']([A-Za-z][\w:.-]{2,})["']"#).unwrap());
    QUOTED
        .captures_iter(text)
        .map(|c| {
            c[1].to_ascii_lowercase()
                .replace("role_", "")
                .replace('-', "_")
        })
        .collect()
}

/// A guard handed to a helper the function now calls with the value the
/// old condition tested (`role !== 'admin'` → `requireRole(req, res,
/// 'admin')`), where the helper itself has guards that stop: the check is
/// parameterised, not gone, however the helper compares (a rank table).
/// What a failing exit fails with: the error it raises or returns, the
/// status it aborts with (`throw new IllegalStateException(…)` →
/// `IllegalStateException`, `return ErrBadSignature` → `ErrBadSignature`).
fn failure_head(exit: &str) -> Option<String> {
    let t = exit.trim().trim_end_matches(';');
    let t = ["return ", "throw new ", "throw ", "raise ", "panic!("]
        .iter()
        .fold(t, |t, p| t.strip_prefix(p).unwrap_or(t))
        .trim();
    let head = t.split(['(', ' ', '{']).next().unwrap_or("").trim();
    let head = head.rsplit("::").next().unwrap_or(head);
    (!head.is_empty() && head.chars().any(|c| c.is_ascii_alphabetic())).then(|| head.to_string())
}

/// `new` passes where `old` stopped: the same formula negated, or the same
/// check called with the verdict turned around (`!hmac.Equal(want, sig)` →
/// `hmac.Equal(sign(key, body), sig)`).
fn flipped_check(old: &str, new: &str) -> bool {
    let negated = |t: &str| t.trim_start().starts_with('!') || t.trim_start().starts_with("not ");
    let single = |t: &str| !t.contains("&&") && !t.contains("||");
    opposite(old, new)
        || single(old) && single(new) && negated(old) != negated(new) && {
            let (x, y) = (outer_calls(old), outer_calls(new));
            !x.is_empty() && x == y
        }
}

/// A guard turned inside out: `if !ok { return Err }` became `if ok {
/// return value }` followed by `return Err` at the end (a loop over the
/// current and previous keys, a chain of fallbacks), here or in a function
/// this one now calls: failing is still what happens when no check passes.
fn turned_inside_out(g: &syntax::Guard, cond: &str, n: &Unit, helpers: &Helpers<'_>) -> bool {
    let Some(head) = failure_head(&g.exit) else {
        return false;
    };
    let callees = n
        .calls
        .iter()
        .filter_map(|c| helpers.units.get(c.text.as_str()))
        .flatten()
        .copied();
    std::iter::once(n).chain(callees).any(|u| {
        let Some(last_pass) = u
            .guards
            .iter()
            .filter(|x| {
                !x.failing && (flipped_check(cond, &x.cond) || flipped_check(&g.cond, &x.cond))
            })
            .map(|x| x.line)
            .max()
        else {
            return false;
        };
        u.raises.iter().chain(&u.returns).any(|r| {
            r.line > last_pass
                && failure_head(&r.text).as_deref() == Some(head.as_str())
                && !u
                    .guards
                    .iter()
                    .any(|x| x.line > last_pass && x.exit == r.text)
        })
    })
}

/// A failing guard (`if (!response.isSuccessful) throw GatewayException(…)`)
/// rewritten as a branch of a `when`/`match` on the same test
/// (`response.isSuccessful -> …`, `else -> throw GatewayException(…)`):
/// the function still throws the same thing in every case the old guard did.
fn turned_into_branch(g: &syntax::Guard, n: &Unit, new_text: &str) -> bool {
    let cond = g.cond.trim();
    let positive = cond
        .strip_prefix('!')
        .or_else(|| cond.strip_prefix("not "))
        .map(|c| {
            c.trim()
                .trim_start_matches('(')
                .trim_end_matches(')')
                .trim()
        });
    let exit = collapse(&g.exit);
    if exit.len() < 8 || !n.raises.iter().any(|r| collapse(&r.text) == exit) {
        return false;
    }
    unit_lines(new_text, n).map(str::trim).any(|l| {
        let arm = |c: &str| {
            l.strip_prefix(c)
                .is_some_and(|rest| matches!(rest.trim_start().get(..2), Some("->" | "=>")))
        };
        positive.is_some_and(|c| !c.is_empty() && arm(c)) || arm(cond)
    })
}

fn handed_to_helper(n: &Unit, cond: &str, helpers: &Helpers<'_>, new_text: &str) -> bool {
    let literals = quoted_literals(cond, 2);
    if literals.is_empty() {
        return false;
    }
    n.calls.iter().any(|c| {
        let name = c.text.as_str();
        // The old condition called it already: not a check handed over.
        if super::code::has_word(cond, name) {
            return false;
        }
        let stops = helpers.units.get(name).is_some_and(|us| {
            us.iter()
                .any(|u| !std::ptr::eq(*u, n) && !u.guards.is_empty())
        });
        stops && {
            let Ok(call) = Regex::new(&format!(r"\b{}\s*\(([^()]*)\)", regex::escape(name))) else {
                return false;
            };
            call.captures_iter(new_text).any(|m| {
                literals
                    .iter()
                    .all(|l| m[1].contains(&format!("'{l}'")) || m[1].contains(&format!("\"{l}\"")))
            })
        }
    })
}

/// A lookup that answered "none" with a nil result (`return nil, nil`) now
/// answers with a sentinel error the change returns (`return nil,
/// ErrNotFound`), and the caller's test moved with it: `u == nil` →
/// `errors.Is(err, store.ErrNotFound)`, `existing != nil` → `err == nil`,
/// still leaving the way it did.
fn nil_answer_now_error(
    g: &syntax::Guard,
    n: &Unit,
    helpers: &Helpers<'_>,
    new_text: &str,
) -> bool {
    static NIL_TEST: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*\w+\s*(==|!=)\s*nil\s*$").expect("a valid regex"));
    static SENTINEL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^return\s+nil\s*,\s*(?:\w+\.)*(Err\w*)\s*$").expect("a valid regex")
    });
    static IS_SENTINEL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*errors\.Is\(\s*err\w*\s*,\s*(?:\w+\.)*(Err\w*)\s*\)\s*$")
            .expect("a valid regex")
    });
    static NO_ERROR: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*err\w*\s*==\s*nil\s*$").expect("a valid regex"));
    let Some(op) = NIL_TEST.captures(&g.cond).map(|c| c[1].to_string()) else {
        return false;
    };
    // What the functions it calls now answer "none" with.
    let callees = helpers.callees(n, 2);
    let sentinels: HashSet<&str> = callees
        .iter()
        .flat_map(|u| u.guards.iter())
        .filter_map(|x| SENTINEL.captures(x.exit.trim()))
        .filter_map(|c| c.get(1).map(|m| m.as_str()))
        .collect();
    if sentinels.is_empty() {
        return false;
    }
    let exit = collapse(&g.exit);
    let leaves_the_same_way = n.guards.iter().any(|x| collapse(&x.exit) == exit)
        || n.returns.iter().any(|r| collapse(&r.text) == exit);
    // The cases of a switch on nothing (`switch { case err == nil: … }`)
    // are conditions too.
    let cases: Vec<&str> = unit_lines(new_text, n)
        .filter_map(|l| l.trim().strip_prefix("case ")?.strip_suffix(':'))
        .collect();
    leaves_the_same_way
        && n.conditions
            .iter()
            .map(|c| c.text.as_str())
            .chain(cases)
            .any(|t| {
                let t = t.trim();
                match op.as_str() {
                    "==" => IS_SENTINEL
                        .captures(t)
                        .is_some_and(|m| sentinels.contains(&m[1])),
                    _ => NO_ERROR.is_match(t),
                }
            })
}

/// A guard moved into a class the function now names (a Laravel
/// `FormRequest` type-hinted as its parameter, a validator object it builds):
/// a method there stops on a condition that tests the same literals with the
/// same predicate calls (`array_key_exists('role', $d) && !$u->isAdmin()` →
/// `$this->has('role') && !$this->user()->isAdmin()`).
fn guard_in_referenced_class(
    n: &Unit,
    g: &syntax::Guard,
    helpers: &Helpers<'_>,
    new_text: &str,
) -> bool {
    static CLASS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*\b").expect("a valid regex")
    });
    static PREDICATE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b((?:is|has|can|may|owns|allowed|permit)\w*)\s*\(").expect("a valid regex")
    });
    let own_class = n.name.rsplit_once('.').map(|(c, _)| c);
    let body: Vec<&str> = unit_lines(new_text, n).collect();
    let classes: HashSet<&str> = body
        .iter()
        .flat_map(|l| CLASS.find_iter(l).map(|m| m.as_str()))
        .filter(|c| Some(*c) != own_class)
        .collect();
    if classes.is_empty() {
        return false;
    }
    let terms = |c: &str| -> (HashSet<String>, HashSet<String>) {
        (
            quoted_literals(c, 2).into_iter().collect(),
            PREDICATE
                .captures_iter(c)
                .map(|m| m[1].to_ascii_lowercase())
                .collect(),
        )
    };
    let (lits, preds) = terms(&g.cond);
    if preds.is_empty() || lits.len() + preds.len() < 2 {
        return false;
    }
    helpers.units.values().flatten().any(|u| {
        u.name
            .rsplit_once('.')
            .is_some_and(|(c, _)| classes.contains(c.rsplit('.').next().unwrap_or(c)))
            && u.guards.iter().any(|x| {
                let (l2, p2) = terms(&x.cond);
                (x.failing || !g.failing || x.exit.contains("false"))
                    && lits.is_subset(&l2)
                    && preds.is_subset(&p2)
            })
    })
}

/// A test for one error (`err == store.ErrNotFound`, `errors.Is(err,
/// ErrConflict)`) gone from a function that now hands every error of that
/// name back to its caller (`if err != nil { return nil, err }`): the
/// failure still stops it, answered by whoever called (an adapter mapping
/// errors to statuses).
fn error_now_returned(g: &syntax::Guard, n: &Unit) -> bool {
    static ONE_ERROR: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*(?:(\w+)\s*==\s*[\w.]+|errors\.Is\(\s*(\w+)\s*,\s*[\w.]+\s*\))\s*$")
            .expect("a valid regex")
    });
    let Some(c) = ONE_ERROR.captures(&g.cond) else {
        return false;
    };
    let Some(var) = c.get(1).or(c.get(2)).map(|m| m.as_str()) else {
        return false;
    };
    if !var.starts_with("err") {
        return false;
    }
    // Go's `if err != nil { return …, err }` is read as a handler that
    // hands the error on.
    n.handlers.iter().any(|h| h.propagates)
        || n.guards.iter().any(|x| {
            collapse(&x.cond) == format!("{var} != nil")
                && x.exit.trim_start().starts_with("return")
                && super::code::has_word(&x.exit, var)
        })
}

/// A guard moved into the type a handler now takes (an axum extractor
/// `AdminUser` whose `from_request_parts` refuses non-admins, a Laravel
/// `FormRequest`): a method of a class named in the function's signature
/// stops on the same condition, or on it asked of the object it now holds,
/// failing the same way.
fn guard_in_parameter_type(
    n: &Unit,
    g: &syntax::Guard,
    helpers: &Helpers<'_>,
    new_text: &str,
) -> bool {
    static CLASS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*\b").expect("a valid regex")
    });
    if !g.failing {
        return false;
    }
    // The signature: from the head line to the opening of the body.
    let head: String = new_text
        .lines()
        .skip(n.line.saturating_sub(1) as usize)
        .take(6)
        .scan(false, |done, l| {
            if *done {
                return None;
            }
            *done = l.contains('{') || l.trim_end().ends_with(':');
            Some(l)
        })
        .collect::<Vec<_>>()
        .join(" ");
    let own_class = n.name.rsplit_once('.').map(|(c, _)| c);
    let classes: HashSet<&str> = CLASS
        .find_iter(&head)
        .map(|m| m.as_str())
        .filter(|c| Some(*c) != own_class)
        .collect();
    if classes.is_empty() {
        return false;
    }
    helpers.units.values().flatten().any(|u| {
        let qualifier = u
            .name
            .rsplit_once('.')
            .map(|(c, _)| c.rsplit('.').next().unwrap_or(c));
        qualifier.is_some_and(|c| classes.contains(c))
            && u.guards.iter().any(|x| {
                x.failing
                    && (collapse(&x.cond) == collapse(&g.cond)
                        || receiver_renamed(&g.cond, &x.cond))
                    && failure_head(&x.exit) == failure_head(&g.exit)
            })
    })
}

/// A call with the path before it: `Csrf::verify(`, `$this->csrf->verify(`.
static CALL_PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([\w$]+(?:(?:::|->|\.|\\)[\w$]+)*)\s*\(").expect("a valid regex")
});

/// Whether one of `lines` calls the check `c` under a shorter name with the
/// rest of its name passed as a constant (`verify_refresh_token(t)` →
/// `tokens::verify(TokenKind::Refresh, t)`, `require_admin_role(u)` →
/// `require_role(u, "admin")`): one check made a function of what it checks.
fn parameterised_address<'a>(c: &str, mut lines: impl Iterator<Item = &'a str>) -> bool {
    static CALL_ARGS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"([\w$]+(?:(?:::|->|\.|\\)[\w$]+)*)\s*\(([^()]*)").expect("a valid regex")
    });
    // A constant: quoted text, an enum member or a named constant.
    static CONSTANT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^(?:"[\w .:-]*"|'[\w .:-]*'|:\w+|(?:[A-Za-z_]\w*(?:::|\.))+[A-Z]\w*|[A-Z][A-Z0-9_]+)$"#)
            .expect("a valid regex")
    });
    let words = name_words(c);
    if words.len() < 2 {
        return false;
    }
    lines.any(|l| {
        CALL_ARGS.captures_iter(l).any(|m| {
            let last = m[1].rsplit(['.', ':', '>', '\\']).next().unwrap_or(&m[1]);
            let own = name_words(last);
            if own.is_empty()
                || !own.is_subset(&words)
                || own == words
                || !GUARD_WORDS.is_match(last)
            {
                return false;
            }
            let constants: std::collections::BTreeSet<String> = m[2]
                .split(',')
                .map(|a| a.trim().trim_start_matches('&'))
                .filter(|a| CONSTANT.is_match(a))
                .flat_map(|a| name_words(a.trim_matches(['"', '\'', ':'])))
                .collect();
            let path = name_words(&m[1]);
            words.difference(&own).any(|w| constants.contains(w))
                && words
                    .iter()
                    .all(|w| path.contains(w) || constants.contains(w))
        })
    })
}

/// The words of a function's name with its receiver or namespace,
/// lowercased, plural `s` dropped, `this`/`self` left out: `Csrf::verify`,
/// `csrf_verify` and `$this->csrfVerify` are all {csrf, verify}.
pub(crate) fn name_words(name: &str) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for ch in name.chars().chain(std::iter::once(' ')) {
        if ch.is_ascii_uppercase() && prev_lower || !ch.is_ascii_alphanumeric() {
            let receiver = matches!(word.as_str(), "this" | "self" | "static" | "parent");
            if word.len() > 1 && !receiver {
                let w = word.to_ascii_lowercase();
                let w = w
                    .strip_suffix('s')
                    .filter(|r| r.len() > 2)
                    .unwrap_or(&w)
                    .to_string();
                out.insert(w);
            }
            word.clear();
        }
        if ch.is_ascii_alphanumeric() {
            word.push(ch);
        }
        prev_lower = ch.is_ascii_lowercase() || ch.is_ascii_digit();
    }
    out
}

/// True when the helper `name` (on the new side) passes on the verdict of
/// one of `callees`: it returns that call's result, or stops on it.
fn passes_on(helpers: &Helpers<'_>, name: &str, callees: &HashSet<String>) -> bool {
    helpers.units.get(name).is_some_and(|us| {
        us.iter().any(|u| {
            u.returns.iter().any(|r| calls_any(&r.text, callees))
                || u.guards.iter().any(|g| calls_any(&g.cond, callees))
        })
    })
}

fn unit_findings(p: &Parsed<'_>, o: &Unit, n: &Unit, around: &Around<'_>, out: &mut Vec<Finding>) {
    let Around {
        helpers,
        new_guards,
        fresh,
        added,
        request_hooks,
        modules,
        retired_flags,
        new_texts,
    } = *around;
    let f = p.file;
    let map = &p.renames;
    let name = display_name(n);
    // Whether the file is a parser is read from its path on the base side:
    // a change cannot rename a session module `parse.go` to shed the word.
    let base_path = f.file.path.minus.as_deref().unwrap_or(f.path);
    let critical = critical_code(o, base_path) || critical_code(n, base_path);
    let crypto = crypto_code(o) || crypto_code(n);
    let start = out.len();
    // Findings the critical-code step below leaves as they are.
    let mut unraised: Vec<usize> = Vec::new();
    let mut d = delta(o, n, map, helpers);
    let squeezed_added = std::cell::LazyCell::new(|| squeeze(added));
    // A clamp written with the built-in `min`/`max` (`if toDump > remaining
    // { toDump = remaining }` → `toDump = min(toDump, remaining)`) is the
    // same decision.
    d.conditions
        .retain(|(old, new, _, _)| new.is_some() || !clamp_restated(old, &squeezed_added));
    let by_signature = signature_renames(o, n, f);
    // 1. Guard clauses that no longer stop anything.
    for g in &o.guards {
        let cond = rename_in(&g.cond, map);
        // The same decision written another way (`not (a or b)` → `not a and
        // not b`) is the same guard.
        // Read as written too: a rename voted from the same lines (`equals`
        // → `compareTo`) can garble the restated condition.
        let table = TruthTable::of(&cond);
        let table_as_written = TruthTable::of(&g.cond);
        let by_signature = rename_in(&g.cond, &by_signature);
        if n.guards.iter().any(|x| {
            x.cond == cond
                || x.cond == g.cond
                || x.cond == by_signature
                || same_condition(&x.cond, &cond)
                || (table.is_some() || table_as_written.is_some()) && {
                    let t = TruthTable::of(&x.cond);
                    t.is_some() && (t == table || t == table_as_written)
                }
        }) || new_guards.get(&cond).is_some_and(|d| *d >= 0)
            || answered_by_return(&cond, &g.exit, o, n)
        {
            continue;
        }
        if super::security::ownership_now_in_query(
            &g.cond,
            added.lines().chain(super::security::shared_lookup_lines(
                f.new_text().unwrap_or(""),
            )),
        ) {
            continue;
        }
        // A duplicate check before an insert (`return head :ok if
        // Event.exists?(event_id: id)`) replaced by an insert the database
        // refuses twice (`ON CONFLICT DO NOTHING`, `unique_by:`): the race
        // between the two is gone, the duplicate still stops.
        static SEEN_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"(?i)(\bexists\??\s*\(|\.exists\(\)|\bExists\w*\(|\balready\w*|\bprocessed\w*|\bseen\b|\bduplicate\w*|\bis_dup\w*)").unwrap()
        });
        static INSERT_ONCE: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"(?i)(on\s+conflict|on_conflict|unique_by|ignore_conflicts|insert\s+ignore|on\s+duplicate\s+key|\bupsert\w*|insert_or_ignore|create_or_find_by|\bSETNX\b|\bSetNX\b|\bnx\s*[:=]\s*true|OnConflict)").unwrap()
        });
        if SEEN_BEFORE.is_match(&g.cond) && INSERT_ONCE.is_match(added) {
            continue;
        }
        // The same condition kept, but its body no longer leaves: weakened.
        let kept = n.conditions.iter().find(|c| c.text == cond);
        // A guard with a changed condition and the same exit: tightened or loosened.
        // Among several, the one that tests the most of the same names.
        let changed = n
            .guards
            .iter()
            .filter(|x| {
                x.exit == rename_in(&g.exit, map)
                    && !o.guards.iter().any(|y| rename_in(&y.cond, map) == x.cond)
            })
            .max_by_key(|x| {
                condition_words(&x.cond)
                    .intersection(&condition_words(&cond))
                    .count()
            });
        let security = AUTHZ.is_match(&g.cond) || AUTHZ.is_match(&g.exit) || g.exit.contains("40");
        // Moved into a helper this change adds: the new guard calls it, and the
        // old condition is still written out there.
        // Or the new guard tests what such a helper returned (`ok :=
        // s.authorize(…)`, then `if !ok`), and the old check is written there.
        let into_helper = n
            .guards
            .iter()
            .any(|x| calls_any(&x.cond, fresh) || tests_result_of(&x.cond, fresh, &p.new_text))
            && (p.new_text.contains(&cond) || p.new_text.contains(&g.cond) || {
                // …or the helper passes on the verdict of what the old condition
                // called: it returns that call's result, or stops on it (a
                // helper that calls the check and ignores it checks nothing).
                let callees = called_in(&cond);
                fresh.iter().any(|h| passes_on(helpers, h, &callees))
            });
        // The same, through a helper the change did not add but reworked (an
        // old loader renamed and given the check): the new guard tests what
        // it returned, and it stops on, or returns, the old check's call.
        let into_helper = into_helper
            || !n.guards.is_empty() && {
                let callees = outer_calls(&cond);
                let verdicts: HashSet<String> = if callees.is_empty() {
                    HashSet::default()
                } else {
                    helpers
                        .units
                        .keys()
                        .filter(|h| !fresh.contains(**h) && passes_on(helpers, h, &callees))
                        .map(|h| h.to_string())
                        .collect()
                };
                !verdicts.is_empty()
                    && n.guards.iter().any(|x| {
                        calls_any(&x.cond, &verdicts)
                            || tests_result_of(&x.cond, &verdicts, &p.new_text)
                    })
            };
        // Moved into a function that takes the literal as a parameter
        // (`s.Role != "admin"` → `s.Role != role`, called with "admin").
        // The new guard may stop in more cases too (`sig == "" ||
        // !strings.HasPrefix(sig, prefix)`): any of its parts will do.
        // Or a value named in the language (`TokenKind::Refresh` →
        // `expected`), passed by the change's new calls.
        let parameterised = new_guards.iter().any(|(k, count)| {
            *count > 0
                && (literals_made_parameters(&cond, k)
                    .is_some_and(|lits| lits.iter().all(|l| added.contains(l.as_str())))
                    || parts_made_parameters(&cond, k, added)
                    || expression_made_parameter(&cond, k, &squeezed_added)
                        && takes_parameter(n, f, k))
        });
        // Moved into a function this one now calls, whose guard tests the
        // same things through its parameters (`g.user.account_id` there
        // reads `user.account_id`).
        // A few calls deep: `Load` → `LoadFrom` → `ensurePrivate`.
        let in_callee = helpers.callees(n, 3).iter().any(|u| {
            super::restated::guard_via_arguments(&g.cond, u, added)
                || u.guards.iter().any(|x| {
                    // Moved code keeps the names it had: the
                    // condition as written, before renames.
                    (x.failing || !g.failing)
                        && (alike_condition(&cond, &x.cond)
                            || alike_condition(&g.cond, &x.cond)
                            || same_outer_check(&g.cond, &x.cond)
                            // Into the class of what it asked (`Money.plus`
                            // checking its own currency), failing the same way.
                            || receiver_renamed(&g.cond, &x.cond)
                                && failure_head(&g.exit) == failure_head(&x.exit)
                            || g.failing && x.failing && same_status_test(&g.cond, &x.cond))
                })
        });
        // Whatever it moved into, a failing guard now gated on the value
        // being there (`sig && !verify(sig)`) skips the check without it.
        let gated_guard = n
            .guards
            .iter()
            .find(|x| g.failing && x.failing && presence_gated(&cond, &x.cond, n));
        // Moved into a class this one now inherits from (a permission
        // mixin whose `dispatch` runs before every handler method).
        if gated_guard.is_none()
            && (into_helper
                || parameterised
                || in_callee
                || inherited_guard(n, &cond, helpers, &p.new_text)
                || guard_in_referenced_class(n, g, helpers, &f.new_text_or_hunks())
                || guard_in_parameter_type(n, g, helpers, &f.new_text_or_hunks())
                || error_now_returned(g, n)
                || nil_answer_now_error(g, n, helpers, &f.new_text_or_hunks())
                || g.failing
                    && n.calls
                        .iter()
                        .any(|c| super::security::REFUSING_HELPER.is_match(&c.text))
                || handed_to_helper(n, &g.cond, helpers, &p.new_text)
                || g.failing && moved_into_called_new_helper(&g.cond, o, n, helpers, fresh)
                || guard_in_new_decorator(n, o, g, &cond, helpers)
                || guard_now_wraps_handler(n, g, &cond, helpers, added)
                || method_implied_by_handler(n, &g.cond)
                || folded_into_answer(p, g, n)
                || flag_retired_to_its_branch(n, g, &p.old)
                || presence_restated(n, g)
                || g.failing && role_now_in_decorator(n, o, &g.cond)
                || !success_exit(&g.exit) && turned_inside_out(g, &cond, n, helpers)
                || g.failing && in_returned_closure(p, n, g, &cond)
                || length_check_now_in_library(&g.cond, f)
                || g.failing && guard_in_global_hook(&cond, f.path, request_hooks)
                || g.failing && claimed_by_conditional_write(g, &cond, n, &p.new_text)
                || g.failing && turned_into_branch(g, n, f.new_text().unwrap_or(""))
                || g.failing && anonymity_withdrawn(o, n)
                || super::restated::absence_now_raises(&g.cond, &p.new_text)
                || g.failing && super::restated::rethrown_from_catch(g, n)
                || outer_calls(&g.cond)
                    .iter()
                    .any(|c| helpers.moved_to_registered_middleware(short_name(c), added)))
        {
            continue;
        }
        // The same comparison of the same subject, failing still, against a
        // bound of its own (`amt > captured` → `amount > remaining`).
        let changed = gated_guard.or(changed).or_else(|| {
            let (subject, op, _) = comparison(&cond)?;
            n.guards.iter().find(|x| {
                (x.failing || !g.failing)
                    && comparison(&x.cond).is_some_and(|(s2, op2, _)| s2 == subject && op2 == op)
            })
        });
        if let Some(c) = changed {
            // The same check restated: every name the old condition tested is
            // still tested, through the same calls or a helper this change
            // adds (`a !== b` → `!keysMatch(a, b)`).
            let restated = g.failing
                && c.failing
                && (restated_condition(&cond, &c.cond, fresh)
                    || bound_derived(&cond, &c.cond, &p.new_text))
                || (c.failing || !g.failing)
                    && (restated_condition(&cond, &c.cond, fresh)
                        || verdict_restated(&cond, &c.cond, &p.new_text)
                        || verdict_restated(&g.cond, &c.cond, &p.new_text));
            // A failing guard that now also needs another thing to hold
            // (`sig and not valid(sig)`) lets the rest through: not restated.
            // Or one that now runs its check only when the value is there.
            let gated = g.failing && c.failing && presence_gated(&cond, &c.cond, n);
            let narrowed = g.failing && c.failing && narrower(&cond, &c.cond) || gated;
            let restated = !narrowed && restated
                || g.failing && verification_now_throws(&cond, f, n)
                || stops_in_more_cases(&cond, &c.cond)
                || hardened(&cond, &c.cond)
                || same_error_class(&cond, &c.cond)
                || bound_now_declared(&cond, &c.cond, added)
                || super::restated::membership_restated(&cond, &c.cond, &p.new_text)
                || super::restated::nesting_flattened(o, g, n, c)
                || (c.failing || !g.failing)
                    && (result_of_same_check(&cond, &c.cond, &p.new_text)
                        || checked_by_new_helper(&c.cond, fresh, helpers)
                            && same_polarity(&cond, &c.cond));
            let restated = restated && !gated;
            // An exact test (`registry in ALLOWED`, `host == expected`) turned
            // into one on part of the text lets look-alikes through:
            // `registry.acme.internal.evil.io` starts with the allowed name.
            let partial = PARTIAL_MATCH.is_match(&c.cond) && !PARTIAL_MATCH.is_match(&cond);
            // The same check on another input: worth a look, not an alarm,
            // however critical the code.
            let other_input = !partial && !restated && same_check_other_input(&cond, &c.cond);
            if other_input {
                unraised.push(out.len());
            }
            out.push(Finding::added(
                "logic-guard-changed",
                if partial {
                    Severity::High
                } else if restated {
                    Severity::Low
                } else if (security
                    || crypto
                    || gated && AUTHZ.is_match(&c.cond)
                    || narrowed && !restated && CRITICAL_CODE.is_match(f.path))
                    && !other_input
                {
                    Severity::High
                } else {
                    Severity::Medium
                },
                f.path,
                Some(c.line),
                format!(
                    "{name} now stops (`{}`) only when `{}`; before, when `{}`.{}",
                    quote(&c.exit),
                    quote(&c.cond),
                    quote(&g.cond),
                    if partial {
                        " It now matches part of the value (a prefix, suffix or substring) where it matched all of it: a look-alike that starts or ends with an allowed one passes."
                    } else if gated {
                        " The check now runs only when the value is there: a request without it is not checked at all."
                    } else {
                        ""
                    }
                ),
            ));
            continue;
        }
        // A way around the check removed (`if settings.SKIP_SIGNATURE:
        // return`, a debug header that skipped the gate): what it let
        // through now goes through the check like everything else.
        // Or a feature flag retired: the flag's branch (`if flags.isEnabled(
        // 'newCheckout') { return renderCheckout() }`) is now what always runs.
        let retired_flag = kept.is_none()
            && (!g.failing
                && FLAG_CHECK.is_match(&g.cond)
                && f.added
                    .iter()
                    .any(|l| collapse(l.text) == collapse(&g.exit))
                // A flag whose always-on definition the change deletes, and
                // whose branch (its first exit) the function now runs as is.
                // (An exit written over many lines is kept shortened, `…`.)
                || names_retired_flag(&g.cond, &retired_flags.on)
                    && collapse(&p.new_text).contains(collapse(&g.exit).trim_end_matches('…'))
                // A flag whose always-off definition the change deletes,
                // tested as is (not negated), with its branch gone: that
                // branch ran only for those who had the flag on.
                || FLAG_WORD.is_match(&g.cond)
                    && names_retired_flag(&g.cond, &retired_flags.off)
                    && !g.cond.contains('!')
                    && !super::code::has_word(&g.cond, "not")
                    && !collapse(&p.new_text).contains(collapse(&g.exit).trim_end_matches('…'))
                // A flag whose always-on definition the change deletes,
                // tested negated (`!useKeys && …`), with its branch gone:
                // that branch ran only for those who had the flag off, and
                // no one has. So did every guard nested in it.
                || !g.failing
                    && within_retired_off_branch(
                        g,
                        &o.guards,
                        &retired_flags.on,
                        f.old_text().unwrap_or(""),
                    ));
        // Only around a check (a verifier, a middleware handing on to the
        // next handler): a skip switch in front of an action (`if dry_run:
        // return` before a delete) kept the action from running.
        static PASS_ON: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"(call_next|\bnext\s*\(|\.proceed\s*\(|doFilter\s*\(|\.handle\s*\(|get_response\s*\(|\.ServeHTTP\s*\(|^return;?$|^return None$)").unwrap()
        });
        // Or an early "yes" in a function that answers whether something
        // may go ahead (`allows()` returning `true` when a bypass flag is
        // set): without it, the question is asked in full.
        let short_name = n.name.rsplit('.').next().unwrap_or(&n.name);
        let early_yes = success_exit(&g.exit)
            && (YES_NO_FN.is_match(short_name) || ALLOWS_FN.is_match(short_name));
        // Or a verdict handed back without the work (`return
        // Result.new(decision: :accept, bypassed: true)` when the switch
        // is set): the switch skipped the screen that function is.
        static VERDICT_YES: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(
                r"(?i)\b(accept(ed)?|allow(ed)?|approved?|pass(ed)?|bypass(ed)?|skipp?(ed)?|ok)\b",
            )
            .unwrap()
        });
        let around_check = is_check_fn(short_name)
            || PASS_ON.is_match(g.exit.trim())
            || early_yes
            || VERDICT_YES.is_match(&g.exit);
        let bypass =
            kept.is_none() && !g.failing && around_check && BYPASS_SWITCH.is_match(&g.cond)
                || retired_flag;
        // A shortcut to "yes" gone from a function that answers whether
        // someone may do something (`return true if user.admin?` in a
        // policy's `update?`): without it the function says no in more
        // cases, not fewer, unless what it returns now is a plain yes.
        let allow_shortcut = kept.is_none()
            && !g.failing
            && literal_yes(&g.exit)
            && (PERMISSION_QUESTION.is_match(short_name)
                || PERMISSION_QUESTION.is_match(o.name.rsplit('.').next().unwrap_or(&o.name)))
            && !n.returns.iter().any(|r| literal_yes(&r.text))
            && !n.guards.iter().any(|x| literal_yes(&x.exit))
            && !says_plain_yes(p.file, n);
        // An early pass-on (`if (authed) return $next($request);`) gone from
        // a function that now answers only that way: every caller gets what
        // the shortcut gave, and nothing it skipped is left to run.
        let same_answer = kept.is_none()
            && !g.failing
            && n.guards.is_empty()
            && !n.returns.is_empty()
            && n.returns
                .iter()
                .all(|r| collapse(&r.text) == collapse(&g.exit));
        // The whole answer handed to a library's method of the same name
        // (`return e.lim.AllowN(now, 1)` in `Limiter.Allow`, `return
        // self.backend.verify(token)` in `verify`): the guard's question is
        // the one that method answers.
        let delegated =
            kept.is_none() && n.guards.is_empty() && delegates_its_answer(short_name, n);
        let sev = if bypass || same_answer || delegated {
            Severity::Low
        } else if allow_shortcut {
            Severity::Medium
        } else if g.failing || security {
            Severity::High
        } else {
            Severity::Medium
        };
        match kept {
            Some(k) => out.push(Finding::added(
                "logic-guard-weakened",
                sev,
                f.path,
                Some(k.line),
                format!(
                    "{name} still tests `{}` but no longer stops there; before, it did `{}`.",
                    quote(&g.cond),
                    quote(&g.exit)
                ),
            )),
            None => out.push(Finding::removed(
                "logic-guard-removed",
                sev,
                f.path,
                Some(g.line),
                format!(
                    "{name} no longer stops when `{}`; before, it did `{}`.{}",
                    quote(&g.cond),
                    quote(&g.exit),
                    if retired_flag {
                        " The feature flag is retired: what it switched on now always runs."
                    } else if bypass {
                        " That was a way around the rest of it: everything now goes through."
                    } else {
                        ""
                    }
                ),
            )),
        }
    }
    // 1b. A check function that gained a way out reporting success: the
    // check is skipped when that condition holds (fails open).
    let short = n.name.rsplit('.').next().unwrap_or(&n.name);
    if n.name != "<top>" && is_check_fn(short) {
        let old_conds: HashSet<String> = o
            .guards
            .iter()
            .flat_map(|g| [rename_in(&g.cond, map), g.cond.clone()])
            .collect();
        // A success exit on the check itself passing (the old failing guard
        // turned inside out, the failure still at the end) skips nothing.
        let inside_out = |x: &syntax::Guard| {
            o.guards.iter().any(|og| {
                let cond = rename_in(&og.cond, map);
                !success_exit(&og.exit)
                    && (flipped_check(&cond, &x.cond) || flipped_check(&og.cond, &x.cond))
                    && turned_inside_out(og, &cond, n, helpers)
            })
        };
        // The old guard restated through a call that answers the same
        // question (`not verify_password(…)` → `ok, h = verify_and_update(…)`,
        // `not ok`), leaving the same way.
        let restated = |x: &syntax::Guard| {
            o.guards.iter().any(|og| {
                collapse(&og.exit) == collapse(&x.exit)
                    && result_of_same_check(&og.cond, &x.cond, &p.new_text)
            })
        };
        if let Some(g) = n.guards.iter().find(|g| {
            !g.failing
                && success_exit(&g.exit)
                && !old_conds.contains(&g.cond)
                && !inside_out(g)
                && !restated(g)
        }) {
            out.push(Finding::added(
                "logic-check-fails-open",
                Severity::High,
                f.path,
                Some(g.line),
                format!(
                    "{name} now reports success (`{}`) when `{}`, without doing the check it does otherwise: that condition skips it.",
                    quote(&g.exit),
                    quote(&g.cond)
                ),
            ));
        }
    }
    // 2. Checks no longer called (or decorators no longer applied).
    for (c, line) in &d.calls_removed {
        if !GUARD_WORDS.is_match(c) || c.starts_with("check_output") || c.starts_with("check_call")
        {
            continue;
        }
        // The call made an exception to the check (`csrf(c ->
        // c.ignoringRequestMatchers("/legacy/**"))`): without it, the check
        // covers more, not less.
        let callee = c.rsplit(['.', ':']).next().unwrap_or(c);
        if f.removed.iter().any(|l| {
            (*line..=*line + 15).contains(&l.no)
                && l.text.contains(callee)
                && EXEMPTION.is_match(l.text)
        }) {
            continue;
        }
        // A sanitiser of hand-written SQL or markup, gone with the text it
        // sanitised: the function builds no such text any more (a query
        // builder's scope replaced the raw DELETE).
        if SANITISER_CALL.is_match(c) && !unit_writes_raw_query(&p.new_text, n) {
            continue;
        }
        // The same check under its new address (`csrf_verify(t)` →
        // `Csrf::verify(t)`, `check_permission` → `permissions.check`).
        let words = name_words(c);
        if words.len() >= 2
            && f.added.iter().any(|l| {
                CALL_PATH.captures_iter(l.text).any(|m| {
                    // With its package or without: `authz.RequireAdminToken`.
                    let last = m[1].rsplit(['.', ':', '>', '\\']).next().unwrap_or(&m[1]);
                    name_words(&m[1]) == words || name_words(last) == words
                })
            })
            || parameterised_address(c, f.added.iter().map(|l| l.text))
        {
            continue;
        }
        // The same primitive through its class's one-shot static API (`new
        // HMACSHA256(secret)` → `HMACSHA256.HashData(secret, body)`).
        let added_here: String = f
            .added
            .iter()
            .filter(|a| (n.line..=n.end_line).contains(&a.no))
            .map(|a| a.text)
            .collect::<Vec<_>>()
            .join("\n");
        let removed_here: String = f
            .removed
            .iter()
            .filter(|l| l.no.abs_diff(*line) <= 3)
            .map(|l| l.text)
            .collect::<Vec<_>>()
            .join("\n");
        if class_of_call(&removed_here, callee)
            .is_some_and(|class| static_call_on(&added_here, &class))
        {
            continue;
        }
        // The same check asked of another receiver with the same arguments
        // (`$this->authorize('view', $project)` → `Gate::authorize('view',
        // $project)`).
        if f.removed.iter().filter(|l| l.no == *line).any(|l| {
            call_arguments(l.text, callee).is_some_and(|args| {
                f.added.iter().any(|a| {
                    (n.line..=n.end_line).contains(&a.no)
                        && call_arguments(a.text, callee).is_some_and(|b| b == args)
                })
            })
        }) {
            continue;
        }
        // Replaced by a call that checks the same thing, whose result a guard
        // tests (`verify_password(…)` → `ok, _ = verify_and_upgrade(…)`, `if
        // not ok`).
        if moved_into_included(f, c, modules)
            || n.guards
                .iter()
                .any(|x| result_of_same_check(&format!("!{c}(x)"), &x.cond, &p.new_text))
            || super::security::scoped_lookup_instead(f, &format!("before_action :{c}"))
            || super::security::role_in_check_name(c)
                .is_some_and(|r| super::security::class_annotation_roles(f).contains(&r))
            || super::security::deleted_check_roles(f, c)
                .iter()
                .any(|r| super::security::class_annotation_roles(f).contains(r))
        {
            continue;
        }
        // Moved into a middleware class the change registers.
        if helpers.moved_to_registered_middleware(callee, added) {
            continue;
        }
        // The fallback of a feature flag the change retires to its branch
        // (`if (flags.isEnabled("x")) return viaNew(); return viaLegacy();`
        // → `return viaNew();`), its function deleted with it: the path it
        // served no longer exists.
        let defined = |o: &Outline| o.units.iter().any(|u| short_name(&u.name) == callee);
        if defined(&p.old)
            && !defined(&p.new)
            && o.guards
                .iter()
                .any(|g| g.line < *line && flag_retired_to_its_branch(n, g, &p.old))
        {
            continue;
        }
        // Registered for every route by the change, this one not opted out.
        let written = f
            .removed
            .iter()
            .find(|l| l.no == *line)
            .map_or(c.as_str(), |l| l.text);
        if super::security::applied_globally(written, added.lines())
            && !super::security::opted_out_near(f, *line)
            || super::security::checked_on_route(short, written, added.lines())
            || f.removed
                .iter()
                .filter(|l| l.text.contains(callee))
                .min_by_key(|l| l.no.abs_diff(*line))
                .is_some_and(|l| {
                    let decorators = decorator_lines(&f.new_text_or_hunks(), n);
                    check_as_decorator(l.text, &decorators)
                        || check_named_in_access_argument(callee, &decorators)
                })
        {
            continue;
        }
        // A refusal handed to the framework's helper that makes it.
        if n.calls
            .iter()
            .any(|c| super::security::REFUSING_HELPER.is_match(&c.text))
            && o.guards
                .iter()
                .any(|g| g.failing && g.exit.contains(callee))
        {
            continue;
        }
        // A way around a check removed (`skip_before_action
        // :authenticate_user!`): the check runs in more places now.
        if f.removed.iter().any(|l| {
            l.no == *line && l.text.trim_start().starts_with("skip_") && l.text.contains(callee)
        }) {
            continue;
        }
        // Run by the class this one now extends, as written here before.
        if super::security::inherited_from_new_parent(f, new_texts.iter().copied(), written) {
            continue;
        }
        // Rails forgery protection dropped with the class now built on
        // `ActionController::API`, which leaves out sessions, cookies and
        // forgery protection alike: a token-only API has no form to forge.
        // Unless the change puts cookies back in (`include
        // ActionController::Cookies`): a session read from them can be
        // ridden again.
        if callee == "protect_from_forgery"
            && f.added
                .iter()
                .any(|l| l.text.contains("< ActionController::API"))
            && !f.added.iter().any(|l| {
                l.text.contains("ActionController::Cookies")
                    || l.text.contains("ActionDispatch::Session")
            })
        {
            continue;
        }
        let security = AUTHZ.is_match(c);
        out.push(Finding::removed(
            "logic-check-removed",
            if security || crypto { Severity::High } else { Severity::Medium },
            f.path,
            Some(*line),
            format!("{name} no longer calls `{}` (it did before this change): whatever it checked is not checked on this path any more.", quote(c)),
        ));
    }
    // A decorator hoisted onto the class (or the module) still applies to
    // the method: NestJS `@UseGuards`, Spring `@PreAuthorize`, `[Authorize]`.
    let new_decorators: Vec<String> = effective_decorators(&p.new, n)
        .map(|x| x.text.clone())
        .collect();
    for dec in &o.decorators {
        let m = rename_in(&dec.text, map);
        // What a decorator does is in its name: `@Controller('admin')` routes,
        // `@UseGuards(AdminGuard)` checks.
        let dec_name = dec.text.split('(').next().unwrap_or(&dec.text);
        let checks = AUTHZ.is_match(dec_name)
            || GUARD_WORDS.is_match(dec_name)
            || AUTH_DECORATOR.is_match(dec_name)
            || AUTH_DECORATOR.is_match(&dec.text) && !ROUTE_DECORATOR.is_match(dec_name);
        if new_decorators.contains(&m) || !checks || same_decorator_kept(&m, &new_decorators) {
            continue;
        }
        if moved_into_included(f, dec_name.trim_start_matches(['@', '#', '[']), modules) {
            continue;
        }
        // Registered for every route by the change (Nest's `APP_GUARD`), and
        // this handler not opted out of it.
        if super::security::applied_globally(&dec.text, added.lines())
            && !new_decorators
                .iter()
                .any(|d| super::security::OPT_OUT.is_match(d))
        {
            continue;
        }
        out.push(Finding::removed(
            "logic-check-removed",
            Severity::High,
            f.path,
            Some(dec.line),
            format!("{name} is no longer wrapped in `{}`: the check it applied before this change is gone.", quote(&dec.text)),
        ));
    }
    // 3. Error paths that stopped propagating.
    let mut matched_new: HashSet<usize> = HashSet::default();
    // A handler the change left in place keeps its (unchanged) first line: it
    // is the old one's counterpart before any the change wrote (a new
    // `if err != nil` that only logs, for a new call, is not the old one
    // rewritten).
    fn line_at(text: Option<&str>, no: u32) -> Option<&str> {
        text.and_then(|t| t.lines().nth((no as usize).saturating_sub(1)))
            .map(str::trim)
    }
    // A handler the change wrote in place of a removed one is that one's
    // counterpart when their opening lines are closest to each other
    // (`if err := h.blobs.Delete(ctx, f.BlobKey)` → `… blobKey)`): it is
    // not free for another removed handler that only shares its position.
    let removed_old: Vec<(usize, &str)> = o
        .handlers
        .iter()
        .enumerate()
        .filter(|(_, h)| f.removed.iter().any(|l| l.no == h.line))
        .filter_map(|(j, h)| Some((j, line_at(f.old_text(), h.line)?)))
        .collect();
    let reserved_for: HashMap<usize, usize> = n
        .handlers
        .iter()
        .enumerate()
        .filter(|(_, x)| f.added_at(x.line))
        .filter_map(|(i, x)| {
            let new = words_of(line_at(f.new_text(), x.line)?);
            let mut scores: Vec<(usize, f64)> = removed_old
                .iter()
                .map(|(j, old)| (*j, jaccard(&words_of(old), &new)))
                .collect();
            scores.sort_by(|a, b| b.1.total_cmp(&a.1));
            match scores.as_slice() {
                [(j, best), rest @ ..]
                    if *best >= 0.6 && rest.first().is_none_or(|(_, s)| s < best) =>
                {
                    Some((i, *j))
                }
                _ => None,
            }
        })
        .collect();
    for (hj, h) in o.handlers.iter().enumerate() {
        let free = |(i, x): &(usize, &syntax::Handler)| {
            !matched_new.contains(i)
                && x.caught == h.caught
                && reserved_for.get(i).is_none_or(|j| *j == hj)
        };
        // The handler whose opening line reads nearly as the old one did
        // (`if err := authz.CheckPerm(…)` → `if err := authz.RequirePermission(…)`,
        // same arguments): the same check, its call renamed.
        let old_line =
            line_at(f.old_text(), h.line).filter(|_| f.removed.iter().any(|l| l.no == h.line));
        let rewritten = old_line.and_then(|old| {
            n.handlers
                .iter()
                .enumerate()
                .filter(free)
                .filter(|(_, x)| f.added_at(x.line))
                .filter_map(|(i, x)| {
                    let new = line_at(f.new_text(), x.line)?;
                    Some((i, jaccard(&words_of(old), &words_of(new))))
                })
                .filter(|(_, score)| *score >= 0.75)
                .max_by(|a, b| a.1.total_cmp(&b.1))
        });
        // The new handler whose opening line is closest to this one's.
        let reserved = reserved_for
            .iter()
            .find(|(i, j)| {
                **j == hj && !matched_new.contains(*i) && n.handlers[**i].caught == h.caught
            })
            .map(|(i, _)| (*i, &n.handlers[*i]));
        let idx = rewritten
            .map(|(i, _)| (i, &n.handlers[i]))
            .or(reserved)
            .or_else(|| {
                n.handlers
                    .iter()
                    .enumerate()
                    .filter(free)
                    .find(|(_, x)| !f.added_at(x.line))
            })
            .or_else(|| n.handlers.iter().enumerate().find(free))
            // The one handler of the function, its catch broadened or
            // narrowed (`catch (TaxProviderException)` → `catch (Exception)`):
            // still the old one's counterpart.
            .or_else(|| {
                (o.handlers.len() == 1 && n.handlers.len() == 1 && !matched_new.contains(&0))
                    .then(|| (0, &n.handlers[0]))
            })
            .map(|(i, _)| i);
        let Some(i) = idx else { continue };
        matched_new.insert(i);
        let x = &n.handlers[i];
        // A failure answered with another error (`return "", ErrSignature`,
        // `return Err(Invalid)`) still reaches the caller as a failure. So
        // does one a call handed the response writer answers: a guard on a
        // helper that already replied (`if !decodeJSON(w, r, &req) {
        // return }`), or the error handed on (`h.internalError(w, r, err)`).
        let answered_by_helper = || {
            let signature = line_at(f.new_text(), n.line).unwrap_or("");
            let branch = f
                .new_text()
                .into_iter()
                .flat_map(|t| t.lines().skip(x.line.saturating_sub(1) as usize).take(4));
            response_parameter(signature).is_some_and(|w| {
                branch
                    .take_while(|t| !t.trim_start().starts_with("return"))
                    .any(|t| hands_over(t, w))
            })
        };
        if h.propagates
            && !x.propagates
            && !x.returns.as_deref().is_some_and(returns_an_error)
            && !answered_by_helper()
        {
            let what = if h.caught.is_empty() || h.caught == "error" || h.caught == "Err" {
                "an error".to_string()
            } else {
                format!("`{}`", quote(&h.caught))
            };
            let now = match (&x.returns, x.logs) {
                (Some(r), true) => format!("logs it and returns `{}`", quote(r)),
                (Some(r), false) => format!("returns `{}`", quote(r)),
                (None, true) => "logs it and carries on".to_string(),
                (None, false) => "carries on".to_string(),
            };
            out.push(Finding::added(
                "logic-error-swallowed",
                Severity::High,
                f.path,
                Some(x.line),
                format!("On {what}, {name} now {now}; before, the failure reached the caller."),
            ));
        }
    }
    // 3b. A failure newly caught and only logged, in a function that goes
    // on to record the work as done: the failure is reported as success,
    // and since nothing escapes, nothing retries it.
    let unit_lines = |from: u32| -> Vec<(u32, &str)> {
        match f.new_text() {
            Some(t) => t
                .lines()
                .zip(1u32..)
                .filter(|(_, no)| *no >= from && *no <= n.end_line)
                .map(|(l, no)| (no, l))
                .collect(),
            None => f
                .added
                .iter()
                .filter(|l| l.no >= from && l.no <= n.end_line)
                .map(|l| (l.no, l.text))
                .collect(),
        }
    };
    let recorded_done = |from: u32| {
        unit_lines(from)
            .into_iter()
            .find(|(_, l)| RECORDS_DONE.is_match(l))
    };
    let newly_swallowed = n.handlers.iter().enumerate().find(|(i, x)| {
        !matched_new.contains(i)
            && !x.propagates
            && x.returns.is_none()
            && x.logs
            && !o.handlers.iter().any(|h| h.caught == x.caught)
            && f.added.iter().any(|l| l.no == x.line)
    });
    let settled = SETTLED.find(&p.new_text).is_some()
        && SETTLED.find(&p.old_text).is_none()
        && f.added.iter().any(|l| SETTLED.is_match(l.text));
    let from = newly_swallowed.map(|(_, x)| x.line).or_else(|| {
        settled
            .then(|| {
                f.added
                    .iter()
                    .find(|l| SETTLED.is_match(l.text))
                    .map(|l| l.no)
            })
            .flatten()
    });
    if let Some(from) = from.filter(|no| (n.line..=n.end_line).contains(no))
        && !unit_lines(from).iter().any(|(_, l)| RETHROWS.is_match(l))
        && let Some((no, done)) = recorded_done(from)
    {
        let what = match newly_swallowed {
            Some((_, x)) if !x.caught.is_empty() => format!("`{}`", quote(&x.caught)),
            Some(_) => "a failure".to_string(),
            None => "a failed call among the parallel ones (settled, not awaited)".to_string(),
        };
        out.push(Finding::added(
            "logic-error-swallowed",
            Severity::High,
            f.path,
            Some(no),
            format!(
                "On {what}, {name} now logs it and goes on to record the work as done (`{}`): the failure is reported as success, and since nothing escapes, nothing retries it.",
                quote(done.trim())
            ),
        ));
    }
    // 3b'. The work recorded as done moved out of the guarded block: before,
    // only a call that succeeded reached the line that records it; now it
    // runs after the handler that logged the failure, for every item.
    if from.is_none()
        && o.handlers.iter().any(|h| !h.propagates && h.logs)
        && !n.handlers.is_empty()
        && let (Some(old_text), Some(new_text)) = (f.old_text(), f.new_text())
    {
        let old_lines: Vec<&str> = old_text.lines().collect();
        let recorded_before = |lines: &[&str], at: u32| {
            let at = (at as usize).saturating_sub(1).min(lines.len());
            lines[at.saturating_sub(8)..at]
                .iter()
                .any(|l| RECORDS_DONE.is_match(l))
        };
        let new_lines: Vec<&str> = new_text.lines().collect();
        for h in o.handlers.iter().filter(|h| !h.propagates && h.logs) {
            let Some(x) = n
                .handlers
                .iter()
                .find(|x| x.caught == h.caught && !x.propagates && x.returns.is_none())
            else {
                continue;
            };
            if !recorded_before(&old_lines, h.line) || recorded_before(&new_lines, x.line) {
                continue;
            }
            if unit_lines(x.line).iter().any(|(_, l)| RETHROWS.is_match(l)) {
                continue;
            }
            if let Some((no, done)) = recorded_done(x.line + 1)
                && f.added_at(no)
            {
                out.push(Finding::added(
                    "logic-error-swallowed",
                    Severity::High,
                    f.path,
                    Some(no),
                    format!(
                        "{name} now records the work as done (`{}`) after the handler that logs a failure, not only after the call succeeded: a failed item is marked done and never retried.",
                        quote(done.trim())
                    ),
                ));
                break;
            }
        }
    }
    // 3c. A failed signature or certificate check newly caught and only
    // logged: whatever it verified (an installer, a token, a webhook) is used
    // as if it had passed.
    if let Some(x) = n.handlers.iter().enumerate().find_map(|(i, x)| {
        (!matched_new.contains(&i)
            && !x.propagates
            && x.returns.is_none()
            && VERIFY_FAILURE.is_match(&x.caught)
            && f.added_at(x.line))
        .then_some(x)
    }) {
        out.push(Finding::added(
            "sec-verification-failure-ignored",
            Severity::High,
            f.path,
            Some(x.line),
            format!(
                "{name} now catches `{}` and carries on: what failed verification (a signature, a certificate, a checksum) is used as if it had passed.",
                quote(&x.caught)
            ),
        ));
    }
    // 3f. A lookup of an amount (a rate, a price, a balance) whose failure
    // is now answered with a made-up value, directly or through a fallback
    // helper (`return DEFAULT_RATE` when no last good rate is cached): the
    // caller prices, charges or approves with it as if it were real.
    if AMOUNT_LOOKUP.is_match(&n.name)
        && let Some((x, value)) = n.handlers.iter().enumerate().find_map(|(i, x)| {
            if matched_new.contains(&i)
                || x.propagates
                || !f.added_at(x.line)
                || o.handlers.iter().any(|h| h.caught == x.caught)
            {
                return None;
            }
            let r = x.returns.as_deref()?.trim();
            made_up_value(r, helpers, 0).map(|v| (x, v))
        })
    {
        out.push(Finding::added(
            "logic-error-swallowed",
            Severity::High,
            f.path,
            Some(x.line),
            format!(
                "On {}, {name} now answers with a made-up value (`{}`); before, the failure reached the caller, which now prices, charges or decides with it as if it were real.",
                if x.caught.is_empty() { "a failure".to_string() } else { format!("`{}`", quote(&x.caught)) },
                quote(&value)
            ),
        ));
    }
    // 3d. A function whose job is to protect a value (encrypt, sign, mask,
    // redact) with a new way out that hands the value back as it came.
    if let Some((value, line)) = hands_back_input(f, n, &d.returns_added) {
        out.push(Finding::added(
            "sec-protection-skipped",
            Severity::High,
            f.path,
            Some(line),
            format!(
                "{name} now has a way out that returns `{value}` as it was given: on that path nothing is {} and the caller cannot tell.",
                protects_what(&n.name)
            ),
        ));
    }
    // 3e. A new way out that makes the function's own call before a check
    // that guarded that call on its normal path (`if (req.isFullRefund())
    // return issue(charge, charge.getAmountMinor(), …);` above `if (amount >
    // refundable) throw …; return issue(charge, amount, …);`): on the new
    // path the check never runs.
    // The new way out does the work (not an error answer), through a call of
    // the code's own, not a response builder every path ends with.
    static REFUSES: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(\b[45]\d\d\b|error|fail|denied|forbidden|unauthori|invalid|mismatch|reject|throw|raise|abort)").unwrap()
    });
    const RESPONDS: &[&str] = &[
        "send",
        "json",
        "status",
        "code",
        "redirect",
        "render",
        "end",
        "JsonResponse",
        "Response",
        "HttpResponse",
        "jsonify",
        "make_response",
        "Ok",
        "ok",
        "resolve",
    ];
    if let Some((exit, line, g)) = d.returns_added.iter().find_map(|(r, l)| {
        let callee = first_callee(r).filter(|c| !RESPONDS.contains(c))?;
        if REFUSES.is_match(r) {
            return None;
        }
        n.guards
            .iter()
            .filter(|g| g.failing && g.line > *l)
            .filter(|g| o.guards.iter().any(|x| x.failing && x.cond == g.cond))
            .find(|g| {
                n.returns
                    .iter()
                    .any(|x| x.line > g.line && first_callee(&x.text) == Some(callee))
            })
            .map(|g| (r, *l, g))
    }) {
        out.push(Finding::added(
            "logic-guard-bypassed",
            Severity::High,
            f.path,
            Some(line),
            format!(
                "{name} has a new way out (`{}`) above the check `{}`, which stops the same call on the usual path: on the new path the check never runs.",
                quote(exit),
                quote(&g.cond)
            ),
        ));
    }
    // 3a. A check or availability test that answers yes when it fails:
    // `except DatabaseError: return True` in `is_available`.
    let short = n.name.rsplit('.').next().unwrap_or(&n.name);
    if is_check_fn(short) || YES_NO_FN.is_match(short) {
        for (i, x) in n.handlers.iter().enumerate() {
            let yes = x
                .returns
                .as_deref()
                .is_some_and(|r| matches!(r.trim(), "True" | "true" | "TRUE"));
            if matched_new.contains(&i) || x.propagates || !yes {
                continue;
            }
            out.push(Finding::added(
                "logic-check-fails-open",
                Severity::High,
                f.path,
                Some(x.line),
                format!(
                    "{name} now answers yes when it fails (on {} it returns `true`): whatever it guards goes ahead exactly when it could not be checked.",
                    if x.caught.is_empty() { "any error".to_string() } else { format!("`{}`", quote(&x.caught)) }
                ),
            ));
            break;
        }
    }
    empty_on_failure(f.path, &name, Some(o), n, &matched_new, &p.new_text, out);
    // 3b. A return value in other units than before (seconds → milliseconds,
    // cents → units): every caller that reads the old unit is now wrong.
    // Returns paired in order, as written: a unit word swapped
    // (`toSeconds` → `toMillis`) reads like a rename otherwise.
    let paired: Vec<(String, Option<String>, u32)> = if o.returns.len() == n.returns.len() {
        o.returns
            .iter()
            .zip(&n.returns)
            .filter(|(a, b)| a.text != b.text)
            .map(|(a, b)| (a.text.clone(), Some(b.text.clone()), a.line))
            .collect()
    } else {
        d.returns.clone()
    };
    for (old, new, line) in &paired {
        // The same value scaled by a unit factor (`int(t)` → `int(t * 1000)`).
        if let Some(new) = new
            && let Some(scale) = scaled_by(old, new)
        {
            out.push(Finding::added(
                "logic-contract-changed",
                Severity::High,
                f.path,
                n.returns
                    .iter()
                    .find(|r| r.text == *new)
                    .map(|r| r.line)
                    .or(Some(*line)),
                format!(
                    "{name} now returns {scale} what it returned (`{}` where it was `{}`): every caller that still reads the old scale is off by that factor.",
                    quote(new),
                    quote(old)
                ),
            ));
            continue;
        }
        let (Some(new), Some(a)) = (new, unit_of(old)) else {
            continue;
        };
        let Some(b) = unit_of(new) else { continue };
        if a == b {
            continue;
        }
        out.push(Finding::added(
            "logic-contract-changed",
            Severity::High,
            f.path,
            n.returns
                .iter()
                .find(|r| r.text == *new)
                .map(|r| r.line)
                .or(Some(*line)),
            format!(
                "{name} now returns {b} (`{}`) where it returned {a} (`{}`): every caller that still reads {a} is off by the factor between them.",
                quote(new),
                quote(old)
            ),
        ));
    }
    // 4. Literals changed under keys that matter. Retries are read against
    // what the whole file does: a job's options sit at the top, its
    // non-idempotent call in `perform`.
    let idem = p
        .new
        .units
        .iter()
        .flat_map(|u| &u.calls)
        .any(|c| NON_IDEMPOTENT.is_match(&c.text));
    for (key, old, new, _, line) in &d.literals {
        let (a, b) = (unquote(old), unquote(new));
        let (na, nb) = (is_number(a), is_number(b));
        let (rule, sev, why) = if ROLLOUT_KEY.is_match(key)
            && nb.is_some_and(|v| v >= 100.0 || (v == 1.0 && na.is_some_and(|x| x < 1.0)))
            && na.is_some_and(|v| v < nb.unwrap_or(0.0))
        {
            (
                "logic-rollout-jump",
                Severity::High,
                "a rollout jumped straight to everyone",
            )
        } else if RETRY_KEY.is_match(key) && na.is_some() && nb.is_some() {
            let (x, y) = (na.unwrap_or(0.0), nb.unwrap_or(0.0));
            if key.to_ascii_lowercase().contains("retr") && idem && y > x {
                (
                    "logic-retry-widened",
                    Severity::High,
                    "retries now repeat a call that is not idempotent",
                )
            } else if y >= x * 3.0 && y > x
                || (y == 0.0 && x > 0.0 && key.to_ascii_lowercase().contains("timeout"))
            {
                (
                    "logic-retry-widened",
                    Severity::Medium,
                    "callers now wait much longer before failing",
                )
            } else {
                ("logic-value-changed", Severity::Low, "")
            }
        } else if weakens(key, a, b) {
            (
                "logic-security-setting",
                Severity::High,
                "a protection is off now",
            )
        } else if b.contains("0.0.0.0/0")
            || b == "*"
            || b.contains("allow-same-origin") && b.contains("allow-scripts")
        {
            (
                "logic-opened",
                Severity::High,
                "this opens access to everyone",
            )
        } else if behavioural_literal(old, new)
            && !PRESENTATION_KEY.is_match(key)
            && !release_number(key, b)
        {
            ("logic-value-changed", Severity::Low, "")
        } else {
            continue;
        };
        let tail = if why.is_empty() {
            String::new()
        } else {
            format!(": {why}")
        };
        out.push(Finding::added(
            rule,
            sev,
            f.path,
            Some(*line),
            format!(
                "{name}: `{}` is now {} (before: {}){tail}.",
                quote(key),
                quote(new),
                quote(old)
            ),
        ));
    }
    // 4b. An exact membership test the function answered with (`allowed
    // .includes(uri)`) turned into a partial one on the same list (`allowed
    // .some(r => uri.startsWith(r))`): a look-alike that starts or ends
    // with an allowed value passes.
    if let Some((was, now)) = membership_made_partial(o, n) {
        out.push(Finding::added(
            "logic-match-partial",
            Severity::High,
            f.path,
            Some(now.line),
            format!(
                "{name} now answers by matching the start or end of the value (`{}`) where it required an exact match (`{}`): a look-alike that starts or ends with an allowed value passes (`https://app.example.com.evil.io/…`).",
                quote(&now.text),
                quote(&was.text)
            ),
        ));
    }
    // 5. Any other behavioural difference, once per function: reach and
    // critical code decide whether it matters.
    if out.len() == start {
        // (line, what, new side, only adds): what was there and changed
        // comes before what is only new.
        let mut seen: Vec<(u32, String, bool, bool)> = d
            .conditions
            .iter()
            .filter_map(|(a, b, lo, ln)| match (a.is_empty(), b) {
                (false, Some(b)) => Some((
                    ln.unwrap_or(*lo),
                    format!("the condition `{}` became `{}`", quote(a), quote(b)),
                    true,
                    false,
                )),
                (false, None) => Some((
                    *lo,
                    format!("the condition `{}` is gone", quote(a)),
                    false,
                    false,
                )),
                (true, Some(b)) => Some((
                    ln.unwrap_or(0),
                    format!("a new condition `{}` decides the outcome", quote(b)),
                    true,
                    true,
                )),
                (true, None) => None,
            })
            .collect();
        seen.extend(d.returns.iter().map(|(a, b, l)| match b {
            Some(b) => (
                *l,
                format!("it returns `{}` where it returned `{}`", quote(b), quote(a)),
                false,
                only_arguments_added(a, b),
            ),
            None => (
                *l,
                format!("it no longer returns `{}`", quote(a)),
                false,
                false,
            ),
        }));
        seen.extend(d.returns_added.iter().map(|(r, l)| {
            (
                *l,
                format!("a new exit `{}` returns before the rest runs", quote(r)),
                true,
                true,
            )
        }));
        let first = seen
            .iter()
            .find(|x| !x.3 && x.0 > 0)
            .or_else(|| seen.iter().find(|x| x.0 > 0))
            .cloned();
        if let Some((line, what, new_side, only_adds)) = first {
            let sev = if crypto || critical {
                Severity::Medium
            } else {
                Severity::Low
            };
            out.push(at(
                new_side,
                if only_adds {
                    "logic-behaviour-added"
                } else {
                    "logic-behaviour-changed"
                },
                sev,
                f.path,
                Some(line),
                format!("In {name}, {what}."),
            ));
        }
    }
    // Code that handles sessions, tokens, signatures or payments: one step up
    // for what is specific (a guard, a check, an error path); a difference
    // the comparison cannot name stays a thing to look at.
    for (i, x) in out.iter_mut().enumerate().skip(start) {
        if critical
            && x.severity == Severity::Medium
            && !x.rule.starts_with("logic-behaviour-")
            && !unraised.contains(&i)
        {
            x.severity = Severity::High;
            x.message
                .push_str(" This code handles tokens, sessions, signatures or payments.");
        }
    }
}

/// Whether a match is part of a name rather than a word of the sentence:
/// joined to it by a hyphen, dot, slash or `@` (`sphinx-lint`,
/// `eslint-plugin-format`, `ruff.lint`).
fn in_a_name(text: &str, m: &regex::Match<'_>) -> bool {
    let joined = |c: Option<char>| matches!(c, Some('-' | '.' | '/' | '@' | '_'));
    // The means of the change, not what it claims to be: "write atomically
    // via tempfile + rename", "using a cleanup hook".
    let before = text[..m.start()].trim_end();
    let before = ["a", "an", "the"]
        .iter()
        .find_map(|a| {
            before
                .strip_suffix(a)
                .filter(|b| b.ends_with(' '))
                .map(str::trim_end)
        })
        .unwrap_or(before);
    let means = before.ends_with(['+', '&'])
        || ["via", "using", "through"].iter().any(|w| {
            before
                .strip_suffix(w)
                .is_some_and(|b| b.is_empty() || b.ends_with(' '))
        });
    means
        || joined(text[..m.start()].chars().next_back())
        || text[m.end()..].starts_with(['-', '/', '@', '_'])
        || text[m.end()..].starts_with('.')
            && text[m.end() + 1..].starts_with(|c: char| c.is_alphanumeric())
}

/// A claim word that names a CI job, step or stage in its sentence
/// ("Split CI into parallel lint, unit, integration and build jobs", "the
/// lint step"): the change is about that job, not a lint fix.
fn names_a_job(text: &str, m: &regex::Match<'_>) -> bool {
    static JOB: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^((?:[\s,/&+-]+\w+){0,5}?)[\s,/&+-]+(jobs?|steps?|stages?|pipelines?|workflows?|targets?)\b")
            .unwrap()
    });
    static PREPOSITION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(by|in|on|for|from|to|with|of|the|a|an|that|which|after|before)\b")
            .unwrap()
    });
    let rest = text[m.end()..]
        .split(['.', '\n', ':', ';'])
        .next()
        .unwrap_or("");
    JOB.captures(rest)
        .is_some_and(|c| !PREPOSITION.is_match(&c[1]))
}

/// "Cleanup" in a subject that names a task the code performs ("Batch
/// expired-session cleanup", "Fix the nightly cleanup job") rather than what
/// the change does to the code ("Cleanup", "Minor cleanup in billing",
/// "Refactor and clean up the parser"): the noun after other words that are
/// not about code.
fn names_a_cleanup_task(subject: &str, m: &regex::Match<'_>) -> bool {
    let word = m.as_str().to_ascii_lowercase();
    if !matches!(
        word.as_str(),
        "cleanup" | "cleanups" | "clean-up" | "clean-ups"
    ) {
        return false;
    }
    const ABOUT_CODE: &[&str] = &[
        "code",
        "minor",
        "small",
        "quick",
        "general",
        "misc",
        "some",
        "and",
        "more",
        "final",
        "further",
        "lint",
        "style",
        "import",
        "imports",
        "type",
        "types",
        "test",
        "tests",
        "dead",
        "repo",
        "config",
        "docs",
        "a",
        "the",
        "big",
        "large",
        "follow-up",
        "post-merge",
        "chore",
    ];
    let before = subject[..m.start()].trim_end();
    // The subject's first word (after a `chore:` or `refactor(x):` prefix).
    let first = before.is_empty() || before.ends_with(':');
    let prev = before
        .rsplit(|c: char| c.is_whitespace())
        .next()
        .unwrap_or("")
        .trim_matches(|c: char| !c.is_alphanumeric() && c != '-')
        .to_ascii_lowercase();
    let after = subject[m.end()..].trim_start();
    let task_after = after
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .is_some_and(|w| {
            matches!(
                w.to_ascii_lowercase().as_str(),
                "job"
                    | "jobs"
                    | "task"
                    | "tasks"
                    | "worker"
                    | "cron"
                    | "script"
                    | "routine"
                    | "loop"
                    | "process"
                    | "service"
                    | "hook"
                    | "handler"
                    | "queue"
                    | "policy"
                    | "schedule"
                    | "interval"
                    | "batch"
                    | "batches"
                    | "run"
                    | "runs"
                    | "window"
            )
        });
    task_after || !first && !ABOUT_CODE.contains(&prev.as_str())
}

/// A finding when the message promises no change of behaviour and the
/// normalised syntax says otherwise.
pub fn intent(
    parsed: &[Parsed<'_>],
    change: &ChangeView<'_>,
    message: &str,
    config_changes: &[Finding],
    out: &mut Vec<Finding>,
) {
    // What the change says it is: the subject line, plus an explicit "no
    // behaviour change" anywhere (a body that tells how a typo caused last
    // week's outage is a story, not a claim).
    let subject = message.lines().next().unwrap_or("");
    // In the body, a claim opens a sentence ("Refactored the transport
    // into newTLSConfig."), it is not a word in passing ("a typo'd variable").
    // A squash merge's body lists the branch's commits (`* fix: lint
    // issue`): one of them tidied something, the change as a whole does
    // what its subject says.
    let squashed = SQUASH_SUBJECT.is_match(subject)
        && message.lines().filter(|l| l.starts_with("* ")).count() >= 2;
    let opens_sentence = |re: &Regex| {
        if squashed {
            return None;
        }
        re.find_iter(message).find(|m| {
            let raw = &message[..m.start()];
            let before = raw.trim_end_matches([' ', '\t']);
            // A sentence ends with a stop and a space; a bullet opens its
            // item (`- tidy imports`). A hyphen or dot inside a name does
            // neither (`sphinx-lint: v0.9.0 → v0.9.1`, `ruff.lint`).
            let spaced = before.len() < raw.len();
            let line_start = |b: &str| {
                let b = b.trim_end_matches([' ', '\t']);
                b.is_empty() || b.ends_with('\n')
            };
            // A line that carries on a wrapped sentence ("pinning the
            // header, escaping and\nformatting.") opens nothing.
            // The line before it is blank or ends a sentence.
            let after_stop = |b: &str| {
                let prev = b.strip_suffix('\n').unwrap_or(b);
                let prev = prev.rsplit('\n').next().unwrap_or(prev).trim();
                prev.is_empty() || prev.ends_with(['.', '!', '?', ':', ';'])
            };
            (before.is_empty()
                || before.ends_with('\n') && after_stop(before)
                || spaced && before.ends_with(['.', '!', '?', ':'])
                || spaced && before.strip_suffix(['-', '*']).is_some_and(line_start))
                && !in_a_name(message, m)
        })
    };
    // A promise about named code only, the name just before it
    // ("CardError / InvalidRequestError behaviour unchanged" in a change
    // that adds retries), says what did not change among what did.
    static NAMED_CODE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"\b[A-Za-z]*[a-z][A-Z]\w*|\b[A-Z][A-Za-z0-9]*[A-Z][a-z]\w*|\b\w+_\w+|`[^`]+`|\w+\(\)",
        )
        .expect("a valid regex")
    });
    let about_named_code = |m: &regex::Match<'_>| {
        let line = message[..m.start()].rsplit('\n').next().unwrap_or("");
        let last = line.split_whitespace().next_back().unwrap_or("");
        let last = last.trim_end_matches("'s");
        NAMED_CODE.find(last).is_some_and(|w| w.len() == last.len())
    };
    let explicit = EXPLICIT_NO_CHANGE
        .find_iter(message)
        .find(|m| !about_named_code(m));
    // A word the subject uses as a job's name ("parallel lint, unit and
    // build jobs") names that job in the body too ("- lint: gofmt, vet").
    let job_names: Vec<String> = NO_CHANGE_INTENT
        .find_iter(subject)
        .filter(|m| names_a_job(subject, m))
        .map(|m| m.as_str().to_ascii_lowercase())
        .collect();
    let claim_word = |m: &regex::Match<'_>| !job_names.contains(&m.as_str().to_ascii_lowercase());
    let (m, strong) = match explicit
        .or_else(|| {
            NO_CHANGE_INTENT
                .find_iter(subject)
                .find(|m| !in_a_name(subject, m) && claim_word(m))
        })
        .or_else(|| opens_sentence(&NO_CHANGE_INTENT).filter(|m| claim_word(m)))
    {
        Some(m) => (m, true),
        None => match TIDY_INTENT
            .find_iter(subject)
            .find(|m| !in_a_name(subject, m) && !names_a_cleanup_task(subject, m))
            .or_else(|| opens_sentence(&TIDY_INTENT))
        {
            Some(m) => (m, false),
            None => return,
        },
    };
    let claim = m.as_str().to_string();
    // Change-wide multisets of behaviour, old side renamed.
    let mut old_facts: HashMap<String, (usize, u32, String)> = HashMap::default();
    let mut new_facts: HashMap<String, (usize, u32, String)> = HashMap::default();
    let fresh = new_functions(parsed);
    let new_all: String = parsed
        .iter()
        .map(|p| p.new_text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    // A file's renames apply to its own old text; to the other files' only
    // when the old name is gone from the whole change (a function renamed
    // with its callers), not when another file still uses it (a loop
    // variable renamed here, kept by the module the loop moved to).
    let words_new: HashSet<&str> = idents(&new_all).collect();
    let mut shared_renames: HashMap<String, String> = HashMap::default();
    for p in parsed {
        shared_renames.extend(
            p.renames
                .iter()
                .filter(|(a, _)| !words_new.contains(a.as_str()))
                .map(|(a, b)| (a.clone(), b.clone())),
        );
    }
    // Nor is it a rename when the code moved to another file that writes
    // the old name in its added lines and did not before.
    let added_words: Vec<HashSet<&str>> = parsed
        .iter()
        .map(|p| {
            let had: HashSet<&str> = idents(&p.old_text).collect();
            // Words of a doc comment ("the stored hash") are not the old
            // name written again.
            p.file
                .added
                .iter()
                .filter(|l| !p.file.class.is_comment(l.text))
                .flat_map(|l| idents(l.text))
                .filter(|w| !had.contains(w))
                .collect()
        })
        .collect();
    // Helpers the change deletes for the library function of the same name
    // (`contains` → `slices.Contains`, `minDuration` → `min`): their callers
    // call the library now, and what the helper tested is the library's.
    let by_library = replaced_by_library(parsed);
    use rayon::prelude::*;
    let renames_of: Vec<HashMap<String, String>> = parsed
        .par_iter()
        .enumerate()
        .map(|(i, p)| {
            let mut m = shared_renames.clone();
            // A function the new file still defines under its old name was
            // not renamed (`required` split into `firstOf` and `required`).
            let defined: HashSet<&str> = p.new.units.iter().map(|u| u.name.as_str()).collect();
            m.extend(
                p.renames
                    .iter()
                    .filter(|(a, _)| {
                        !defined.contains(a.as_str())
                            && !added_words
                                .iter()
                                .enumerate()
                                .any(|(j, w)| j != i && w.contains(a.as_str()))
                    })
                    .map(|(a, b)| (a.clone(), b.clone())),
            );
            m
        })
        .collect();
    let renamed: HashSet<&str> = parsed
        .iter()
        .flat_map(|p| p.renames.iter().flat_map(|(a, b)| [a.as_str(), b.as_str()]))
        .collect();
    let old_all: String = parsed
        .par_iter()
        .zip(&renames_of)
        .map(|(p, m)| rename_in(&p.old_text, m))
        .collect::<Vec<_>>()
        .join(" ");
    // Which conditions and values of one side are still written on the
    // other: one Aho-Corasick pass per side, not one search per fact.
    let mut old_needles: HashSet<String> = HashSet::default();
    let mut new_needles: HashSet<String> = HashSet::default();
    for (p, all_renames) in parsed.iter().zip(&renames_of) {
        if p.file.class.test_like() || p.file.class.docs || p.file.class.vendored {
            continue;
        }
        for u in &p.old.units {
            old_needles.extend(u.conditions.iter().map(|c| rename_in(&c.text, all_renames)));
            old_needles.extend(u.literals.iter().map(|l| {
                if l.value.starts_with(['"', '\'', '`']) {
                    quoted_name_renamed(&l.value, all_renames)
                } else {
                    rename_in(&l.value, all_renames)
                }
            }));
            // A quoted name kept as written (a template's key `"cred"`
            // while the variable `cred` became `credential`) is the same.
            old_needles.extend(
                u.literals
                    .iter()
                    .filter(|l| l.value.starts_with(['"', '\'', '`']))
                    .map(|l| l.value.clone()),
            );
        }
        for u in &p.new.units {
            new_needles.extend(u.conditions.iter().map(|c| c.text.clone()));
            new_needles.extend(u.literals.iter().map(|l| l.value.clone()));
        }
    }
    // Code moved into another file under new names: a condition or value
    // still written there, renamed, is not a change either.
    let moved = moved_renames(parsed);
    let unmoved: HashMap<String, String> =
        moved.iter().map(|(a, b)| (b.clone(), a.clone())).collect();
    let old_variants: Vec<String> = old_needles.iter().map(|n| rename_in(n, &moved)).collect();
    let new_variants: Vec<String> = new_needles.iter().map(|n| rename_in(n, &unmoved)).collect();
    old_needles.extend(old_variants);
    new_needles.extend(new_variants);
    // A condition the other side tests, as read rather than as written (a
    // Go `if perm := x; perm&0o077 != 0` reads as `x&0o077 != 0`), is still
    // there too.
    let tested_on_new: HashSet<String> = parsed
        .iter()
        .flat_map(|p| p.new.units.iter().flat_map(|u| u.conditions.iter()))
        .map(|c| c.text.clone())
        .filter(|t| old_needles.contains(t))
        .collect();
    let tested_on_old: HashSet<String> = new_needles
        .iter()
        .filter(|t| old_needles.contains(*t))
        .cloned()
        .collect();
    let mut on_new = written_in(&new_all, old_needles);
    on_new.extend(tested_on_new);
    let mut on_old = written_in(&old_all, new_needles);
    on_old.extend(tested_on_old);
    let still = |set: &HashSet<String>, t: &str, side: bool| {
        set.contains(t) || set.contains(&rename_in(t, if side { &moved } else { &unmoved }))
    };
    // A file ported to another language (`Calculator.java` deleted,
    // `Calculator.kt` created): each language writes the same behaviour with
    // facts of its own (Java's `requireNonNull`, Kotlin's non-null types), so
    // the two sides are not compared fact by fact.
    let ported = ported_files(parsed);
    // Copies of one function the change deletes from several files (two
    // private `NormalizeEmail` with the same body, now one shared helper):
    // their behaviour counts once, as the helper's does.
    // And calls to such a function count as calls to the function the
    // change writes with the same body under another name.
    let body_of = |text: Option<&str>, u: &Unit, with_head: bool| -> Option<String> {
        let lines: Vec<&str> = text?.lines().collect();
        let (a, b) = (u.line as usize, u.end_line as usize);
        if u.name == "<top>" || a == 0 || b <= a || b > lines.len() {
            return None;
        }
        let from = if with_head { a - 1 } else { a };
        Some(
            lines[from..b]
                .iter()
                .flat_map(|l| l.split_whitespace())
                .collect(),
        )
    };
    let mut seen_bodies: HashSet<String> = HashSet::default();
    let mut duplicate_copies: HashSet<(&str, u32)> = HashSet::default();
    let mut deleted_bodies: HashMap<String, String> = HashMap::default();
    for p in parsed {
        for u in &p.old.units {
            if p.new.units.iter().any(|x| x.name == u.name) {
                continue;
            }
            let Some(body) = body_of(p.file.old_text(), u, true) else {
                continue;
            };
            if !seen_bodies.insert(body) {
                duplicate_copies.insert((p.file.path, u.line));
            }
            if let Some(inner) = body_of(p.file.old_text(), u, false) {
                deleted_bodies.insert(inner, short_name(&u.name).to_string());
            }
        }
    }
    let mut moved_to: HashMap<String, String> = HashMap::default();
    for p in parsed {
        for u in &p.new.units {
            if p.old.units.iter().any(|x| x.name == u.name) {
                continue;
            }
            if let Some(old) =
                body_of(p.file.new_text(), u, false).and_then(|b| deleted_bodies.get(&b))
            {
                moved_to.insert(old.clone(), short_name(&u.name).to_string());
            }
        }
    }
    let new_call_names: HashSet<&str> = parsed
        .iter()
        .flat_map(|p| p.new.units.iter())
        .flat_map(|u| u.calls.iter().map(|c| c.text.as_str()))
        .collect();
    for (p, all_renames) in parsed.iter().zip(&renames_of) {
        let f = p.file;
        // Migrations are read by rules of their own: a rename done as a
        // migration writes new boilerplate, not new behaviour.
        if f.class.test_like()
            || f.class.docs
            || f.class.vendored
            || f.class.migration
            || ported.contains(f.path)
        {
            continue;
        }
        for (outline, side, facts) in [
            (&p.old, true, &mut old_facts),
            (&p.new, false, &mut new_facts),
        ] {
            for u in &outline.units {
                if side
                    && (by_library.contains_key(u.name.as_str())
                        || duplicate_copies.contains(&(f.path, u.line)))
                {
                    continue;
                }
                let norm = |t: &str| {
                    if side {
                        rename_in(t, all_renames)
                    } else {
                        t.to_string()
                    }
                };
                let mut add = |k: String, line: u32, path: &str| {
                    let e = facts.entry(k).or_insert((0, line, path.to_string()));
                    e.0 += 1;
                };
                // The new side of this function, for guards it now answers
                // with a return (`if not user: return False` → `return
                // bool(user)`).
                let answered = |cond: &str| {
                    side && u.guards.iter().any(|g| {
                        g.cond == cond
                            && p.new
                                .units
                                .iter()
                                .filter(|x| x.name == u.name)
                                .any(|x| answered_by_return(cond, &g.exit, u, x))
                    })
                };
                for c in &u.conditions {
                    if answered(&c.text) {
                        continue;
                    }
                    let t = norm(&c.text);
                    // A condition still written out on the other side (moved
                    // into a helper's return, inlined) is not a change; nor is
                    // a new one that calls a helper this change adds.
                    let other = if side { &on_new } else { &on_old };
                    if still(other, &t, side)
                        || !side && (calls_any(&t, &fresh) || tests_result_of(&t, &fresh, &new_all))
                    {
                        continue;
                    }
                    add(format!("condition `{}`", written_as(&t)), c.line, f.path);
                }
                for c in &u.calls {
                    // A predicate renamed to Ruby style (`is_admin` → `admin?`): the
                    // same call.
                    // Calls are named by their last segment on both sides,
                    // a rename to a qualified name too.
                    let called = norm(&c.text);
                    let called = called.rsplit('.').next().unwrap_or(&called).to_string();
                    let called = match moved_to.get(&called) {
                        Some(new) if side => new.clone(),
                        _ => called,
                    };
                    let called = match associated_name(&c.text, &called, |w| {
                        side && new_call_names.contains(w)
                    }) {
                        Some(w) => w.to_string(),
                        None => called,
                    };
                    add(
                        format!("call to `{}`", called.trim_end_matches('?')),
                        c.line,
                        f.path,
                    );
                }
                for r in &u.raises {
                    // A raise is its kind (`throw new Error`, `raise
                    // ValueError`): a message reworded is the same raise.
                    let kind = failure_head(&r.text).unwrap_or_else(|| norm(&r.text));
                    add(format!("raise `{kind}`"), r.line, f.path);
                }
                for l in &u.literals {
                    let prose = unquote(&l.value).contains(' ');
                    // A value still written on the other side (moved into a
                    // named constant, say, or shared by two call sites) is
                    // not a change.
                    // A symbol or bare name follows the rename of what it
                    // names (`before_action :authorize_admin!`); quoted
                    // text does not.
                    let value = if l.value.starts_with(['"', '\'', '`']) {
                        if side {
                            quoted_name_renamed(&l.value, all_renames)
                        } else {
                            l.value.clone()
                        }
                    } else {
                        norm(&l.value)
                    };
                    let theirs = if side { &on_new } else { &on_old };
                    // A new value naming what the change renamed, by either
                    // name (`alias_method :is_admin, :admin?`, a deprecated
                    // export), keeps the old name working; it changes nothing.
                    let old_name = !side
                        && renamed.contains(
                            unquote(l.value.trim_start_matches(':')).trim_end_matches(['?', '!']),
                        );
                    let kept_as_written = side
                        && value != l.value
                        && l.value.starts_with(['"', '\'', '`'])
                        && still(theirs, &l.value, side);
                    if prose || old_name || kept_as_written || still(theirs, &value, side) {
                        continue;
                    }
                    add(format!("`{} = {}`", norm(&l.key), value), l.line, f.path);
                }
            }
        }
    }
    // A SQL model's filters (dbt, views, report queries) are its
    // conditions: a restructure into CTEs that loses `is_deleted = false`
    // changes which rows come out.
    // Columns the change renames where they are selected (`created as
    // created` → `created as created_at`) read by their new names.
    let columns_renamed = sql_column_renames(change);
    for f in &change.files {
        // Every SQL file reads as a migration to the classifier; one that
        // defines tables is one, and rules of their own read it.
        let defines = |t: Option<&str>| t.is_some_and(|t| DDL.is_match(t));
        if f.class.test_like()
            || f.class.docs
            || f.class.vendored
            || f.class.lang != super::lang::Lang::Sql
            || f.path.to_ascii_lowercase().contains("migrat")
            || defines(f.old_text())
            || defines(f.new_text())
        {
            continue;
        }
        for (text, facts, lines, side) in [
            (f.old_text(), &mut old_facts, &f.removed, false),
            (f.new_text(), &mut new_facts, &f.added, true),
        ] {
            for pred in text.map(sql_predicates).unwrap_or_default() {
                let pred = if side || columns_renamed.is_empty() {
                    pred
                } else {
                    rename_in(&pred, &columns_renamed)
                };
                // Its line: the changed line that names what it tests.
                let subject = idents(&pred).next().unwrap_or("").to_string();
                let line = lines
                    .iter()
                    .find(|l| l.text.to_ascii_lowercase().contains(&subject))
                    .map_or(0, |l| l.no);
                let e = facts.entry(format!("condition `{pred}`")).or_insert((
                    0,
                    line,
                    f.path.to_string(),
                ));
                e.0 += 1;
            }
        }
    }
    // Each difference: (kind rank, fact, line, path, new side). Conditions
    // first, then raises, values and calls: the first one names the change.
    let rank = |k: &str| -> u8 {
        if k.starts_with("condition") {
            0
        } else if k.starts_with("raise") {
            1
        } else if k.starts_with('`') {
            2
        } else {
            3
        }
    };
    let mut diffs: Vec<(u8, String, u32, String, bool)> = Vec::new();
    for (k, (n, line, path)) in &old_facts {
        let now = new_facts.get(k).map_or(0, |x| x.0);
        if now < *n && !k.starts_with("call to") || now == 0 && k.starts_with("call to") {
            diffs.push((rank(k), k.clone(), *line, path.clone(), false));
        }
    }
    for (k, (n, line, path)) in &new_facts {
        let before = old_facts.get(k).map_or(0, |x| x.0);
        if before < *n && !k.starts_with("call to") {
            diffs.push((rank(k), k.clone(), *line, path.clone(), true));
        }
    }
    // A condition made into a function of the literal it tested (`has_role("support")`
    // → `has_role(role)`, the function now called with "support") is the
    // same condition.
    let added_text: String = parsed
        .iter()
        .flat_map(|p| p.file.added.iter().map(|l| l.text))
        .collect::<Vec<_>>()
        .join("\n");
    let body = |k: &str| {
        k.split_once(' ')
            .map_or("", |(_, b)| b)
            .trim_matches('`')
            .to_string()
    };
    let squeezed_added = squeeze(&added_text);
    let mut explained: HashSet<String> = HashSet::default();
    for old in diffs.iter().filter(|d| d.0 == 0 && !d.4) {
        for new in diffs.iter().filter(|d| d.0 == 0 && d.4) {
            // Or the same condition rewritten (De Morgan, operands swapped), or
            // turned around with its branches swapped.
            let (was, now) = (body(&old.1), body(&new.1));
            if literals_made_parameters(&was, &now)
                .is_some_and(|lits| lits.iter().all(|l| added_text.contains(l.as_str())))
                || expression_made_parameter(&was, &now, &squeezed_added)
                || without_keywords(&was) == without_keywords(&now)
                || equivalent(&was, &now)
                || opposite(&was, &now)
                // Moved into the class of the object it asked about.
                || old.3 != new.3 && receiver_renamed(&was, &now)
            {
                explained.insert(old.1.clone());
                explained.insert(new.1.clone());
            }
        }
    }
    // A condition turned around whose new form is also written inside the
    // old one (`! flag('disable_legacy')` → `flag('v2')` after the rename),
    // so only the old side counts as a difference: the same test, its
    // branches swapped.
    let new_conditions: Vec<&str> = parsed
        .iter()
        .filter(|p| !(p.file.class.test_like() || p.file.class.docs))
        .flat_map(|p| p.new.units.iter().flat_map(|u| u.conditions.iter()))
        .map(|c| c.text.as_str())
        .collect();
    for old in diffs.iter().filter(|d| d.0 == 0 && !d.4) {
        let was = body(&old.1);
        if new_conditions.iter().any(|c| opposite(&was, c)) {
            explained.insert(old.1.clone());
        }
    }
    // A value a caller may now pass, the old one its default (`now if now is
    // not None else timezone.now()`): a seam for tests, the same behaviour
    // for every caller that passes nothing.
    for new in diffs.iter().filter(|d| d.0 == 0 && d.4) {
        if injectable_default(&body(&new.1), &new_all) {
            explained.insert(new.1.clone());
        }
    }
    // A value renamed (`task_id = "Extract"` → `"extract_orders"`, a job class
    // `PurgeAccountsWorker` → `PurgeSoftDeletedAccountsJob`): the same key, a
    // name sharing a word with the old one. And a value that names a file the
    // change creates (inline SQL moved into `sql/extract_orders.sql`).
    let created: Vec<&str> = parsed
        .iter()
        .filter(|p| p.file.created())
        .map(|p| p.file.path)
        .collect();
    let literal = |k: &str| -> Option<(String, String)> {
        let body = k.strip_prefix('`')?.strip_suffix('`')?;
        let (key, value) = body.split_once(" = ")?;
        Some((key.to_string(), unquote(value).to_string()))
    };
    for old in diffs.iter().filter(|d| d.0 == 2 && !d.4) {
        let Some((k1, v1)) = literal(&old.1) else {
            continue;
        };
        for new in diffs.iter().filter(|d| d.0 == 2 && d.4) {
            let Some((k2, v2)) = literal(&new.1) else {
                continue;
            };
            // A name passed to a call (`GetString("db.dsn")`) is a lookup: the
            // old name may still be what the configuration holds.
            let renamed = k1 == k2
                && !k1.ends_with(')')
                && identifier_like(&v1)
                && identifier_like(&v2)
                && share_word(&v1, &v2);
            if renamed {
                explained.insert(old.1.clone());
                explained.insert(new.1.clone());
            }
        }
    }
    // A new name read first with the old one kept as its fallback
    // (`required("SERVICE_AUTH_TOKEN", "ADMIN_TOKEN")`,
    // `os.getenv("NEW") or os.getenv("OLD")`): a rename that keeps the old
    // setting working.
    let mut old_values: HashMap<&str, Vec<&str>> = HashMap::default();
    for l in parsed
        .iter()
        .flat_map(|p| p.old.units.iter().flat_map(|u| u.literals.iter()))
    {
        old_values
            .entry(l.key.as_str())
            .or_default()
            .push(unquote(&l.value));
    }
    for new in diffs.iter().filter(|d| d.0 == 2 && d.4) {
        let Some((k2, v2)) = literal(&new.1) else {
            continue;
        };
        let Some(values) = old_values.get(k2.as_str()) else {
            continue;
        };
        let with_fallback = values.iter().any(|v1| {
            *v1 != v2
                && added_text.lines().any(|l| {
                    l.contains(&format!("\"{v2}\"")) && l.contains(&format!("\"{v1}\""))
                        || l.contains(&format!("'{v2}'")) && l.contains(&format!("'{v1}'"))
                })
        });
        if with_fallback {
            explained.insert(new.1.clone());
        }
    }
    // A reference that follows a file the change renamed (`require("./deleteUploads")`
    // → `require("./pruneUploads")` with the file itself) points at the same code.
    // (The other side of the pair may be written under the renamed name
    // already, and so not a difference.)
    for d in diffs.iter().filter(|d| d.0 == 2) {
        if let Some((_, v)) = literal(&d.1)
            && if d.4 {
                change.follows_moved_file(None, Some(&v))
            } else {
                change.follows_moved_file(Some(&v), None)
            }
        {
            explained.insert(d.1.clone());
        }
    }
    for new in diffs.iter().filter(|d| d.0 == 2 && d.4) {
        if let Some((_, v)) = literal(&new.1)
            && v.contains('/')
            && created
                .iter()
                .any(|c| c.ends_with(v.trim_start_matches("./")))
        {
            explained.insert(new.1.clone());
        }
    }
    // A route path new or changed when the message says it moves or keeps
    // routes ("the old path stays as an alias", "mounts them under
    // /internal/admin"): the message owns up to it. ("Path" alone says too
    // little: a file path, the happy path.) What the route is
    // guarded by is read by the guard rules, not here.
    static ROUTE_WORDS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)\b(routes?|urls?|endpoints?|alias(es)?|redirects?|mount(s|ed)?|sub-?router)\b",
        )
        .unwrap()
    });
    if ROUTE_WORDS.is_match(message) {
        for d in diffs.iter().filter(|d| d.0 == 2) {
            if let Some((_, v)) = literal(&d.1)
                && v.starts_with('/')
                && !v.contains(char::is_whitespace)
            {
                explained.insert(d.1.clone());
            }
        }
    }
    // A weak setting made safe (`verify = False` → `verify = True`, the
    // fallback of a CA bundle): the tidy-up hardened it, which is not what
    // the claim has to own up to. `removes_set(k, b)`: whether a line the
    // change removes sets `k` to the boolean `b`.
    let spelled = |b: bool| {
        if b {
            ["True", "true"]
        } else {
            ["False", "false"]
        }
    };
    let removes_set = |k: &str, b: bool| {
        change.files.iter().flat_map(|f| &f.removed).any(|l| {
            super::code::has_word(l.text, k)
                && spelled(b).iter().any(|w| super::code::has_word(l.text, w))
        })
    };
    let sets_key = |new_side: bool, k: &str| {
        diffs
            .iter()
            .any(|d| d.0 == 2 && d.4 == new_side && literal(&d.1).is_some_and(|(k2, _)| k2 == k))
    };
    for old in diffs.iter().filter(|d| d.0 == 2 && !d.4) {
        let Some((k, v_old)) = literal(&old.1) else {
            continue;
        };
        let hardened = diffs.iter().filter(|d| d.0 == 2 && d.4).find(|new| {
            literal(&new.1).is_some_and(|(k2, v_new)| k2 == k && weakens(&k, &v_new, &v_old))
        });
        if let Some(new) = hardened {
            explained.insert(old.1.clone());
            explained.insert(new.1.clone());
        } else if weakens(&k, "true", &v_old) || weakens(&k, "false", &v_old) {
            // The weak value gone and not written again: the default, the
            // safe side, applies. Unless lines the change removes also set
            // it to the safe side (`httpOnly: true` dropped from the other
            // cookies).
            let safe = weakens(&k, "true", &v_old);
            if !sets_key(true, &k) && !removes_set(&k, safe) {
                explained.insert(old.1.clone());
            }
        }
    }
    // A setting written on its safe side over a line the change removes
    // that set it to the weak one (`verify = … or False` → `verify = … or
    // True`): hardening as well.
    for d in diffs.iter().filter(|d| d.0 == 2 && d.4) {
        let Some((k, v_new)) = literal(&d.1) else {
            continue;
        };
        let weak = if weakens(&k, &v_new, "false") {
            false
        } else if weakens(&k, &v_new, "true") {
            true
        } else {
            continue;
        };
        if removes_set(&k, weak) && !sets_key(false, &k) {
            explained.insert(d.1.clone());
        }
    }
    // A new value read only by log lines (`LOG_PREFIX = "[Job]"` put in
    // front of each message): what is written to the log, not what is done.
    static LOG_LINE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(\b\w*log(ger|ging)?\s*(\.|::|->)\s*\w+\s*\(|\bconsole\.\w+\s*\(|^\s*(puts|print(ln|f)?!?)\b)").unwrap()
    });
    for d in diffs.iter().filter(|d| d.0 == 2 && d.4) {
        let Some((k, _)) = literal(&d.1) else {
            continue;
        };
        let k = k.rsplit('.').next().unwrap_or(&k).to_string();
        if k.len() < 3 {
            continue;
        }
        let readers: Vec<&str> = added_text
            .lines()
            .filter(|l| super::code::has_word(l, &k))
            .filter(|l| {
                let t = l.trim_start();
                !(t.starts_with(k.as_str())
                    || t.contains(&format!(" {k} ="))
                    || t.contains(&format!(" {k}:")))
            })
            .collect();
        if !readers.is_empty() && readers.iter().all(|l| LOG_LINE.is_match(l)) {
            explained.insert(d.1.clone());
        }
    }
    // A class's instance API traded for its one-shot static one
    // (`RandomNumberGenerator.Create()` → `RandomNumberGenerator.GetBytes(n)`,
    // `new Rfc2898DeriveBytes(…)` → `Rfc2898DeriveBytes.Pbkdf2(…)`): the
    // same primitive, called another way.
    let removed_code: String = parsed
        .iter()
        .flat_map(|p| p.file.removed.iter().map(|l| l.text))
        .collect::<Vec<_>>()
        .join("\n");
    for d in diffs.iter().filter(|d| d.0 == 3 && !d.4) {
        let callee = syntax::last_segment(d.1.split('`').nth(1).unwrap_or(""));
        if !callee.is_empty()
            && class_of_call(&removed_code, callee)
                .is_some_and(|class| static_call_on(&added_text, &class))
        {
            explained.insert(d.1.clone());
        }
    }
    // A call that switched something off removed (`disable_warnings`,
    // `skip_verification()`): hardening too.
    for d in diffs.iter().filter(|d| d.0 == 3 && !d.4) {
        let callee = d.1.split('`').nth(1).unwrap_or("");
        if !callee.is_empty() && BYPASS_SWITCH.is_match(callee) {
            explained.insert(d.1.clone());
        }
    }
    // A call to a check the change deleted and wrote out in a wrapper it
    // applies: the check moved.
    if let Some(written_out) = change.written_out.get() {
        for d in diffs.iter().filter(|d| d.0 == 3 && !d.4) {
            let callee = d.1.split('`').nth(1).unwrap_or("");
            if written_out.contains_key(syntax::last_segment(callee)) {
                explained.insert(d.1.clone());
            }
        }
    }
    // A clamp rewritten with the built-in `min` or `max`: the same decision.
    let squeezed_added = squeeze(&added_text);
    for d in diffs.iter().filter(|d| d.0 == 0 && !d.4) {
        let cond = d.1.split('`').nth(1).unwrap_or("");
        if clamp_restated(cond, &squeezed_added) {
            explained.insert(d.1.clone());
        }
    }
    // A null check given the name of what it checks (`Objects
    // .requireNonNull(amount, "amount")` in a value object's constructor):
    // a null that went on to fail later now fails where it came in.
    static NULL_CHECK: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^`(requireNonNull|checkNotNull|requireNotNull|notNull)\(\) = ").unwrap()
    });
    for d in diffs.iter().filter(|d| d.0 == 2 && d.4) {
        if NULL_CHECK.is_match(&d.1) {
            explained.insert(d.1.clone());
        }
    }
    // A call now made through a reference handed to an iterator (a loop
    // pushing `normalizeType(t)` → `types.map(exports.normalizeType)`):
    // the same call, for each element as before.
    for d in diffs.iter().filter(|d| d.0 == 3 && !d.4) {
        let callee = d.1.split('`').nth(1).unwrap_or("");
        if passed_as_reference(&added_text, callee) {
            explained.insert(d.1.clone());
        }
    }
    // A counting loop turned into an iterator over the same collection
    // (`for (var i = 0; i < types.length; ++i) ret.push(f(types[i]))` →
    // `types.map(f)`): its counter, bound and accumulator are gone with it.
    let removed_text: String = parsed
        .iter()
        .flat_map(|p| p.file.removed.iter().map(|l| l.text))
        .collect::<Vec<_>>()
        .join("\n");
    for (counter, collection) in counting_loops(&removed_text) {
        if !iterates_over(&added_text, &collection) {
            continue;
        }
        let pushed: Vec<String> = PUSHED
            .captures_iter(&removed_text)
            .map(|c| c[1].to_string())
            .collect();
        for d in diffs.iter().filter(|d| !d.4 && d.0 <= 3) {
            if d.0 == 3 {
                let callee = d.1.split('`').nth(1).unwrap_or("");
                if !pushed.is_empty()
                    && matches!(syntax::last_segment(callee), "push" | "append" | "add")
                {
                    explained.insert(d.1.clone());
                }
                continue;
            }
            let b = body(&d.1);
            let counter_fact = literal(&d.1).is_some_and(|(k, v)| k == counter && v == "0")
                || (d.0 == 0 && super::code::has_word(&b, &counter) && b.contains(&collection));
            let accumulator = literal(&d.1).is_some_and(|(k, v)| v == "[]" && pushed.contains(&k));
            if counter_fact || accumulator {
                explained.insert(d.1.clone());
            }
        }
    }
    // A difference with nothing to name (a call whose callee the parser
    // could not read: ``) is not one a reader can check.
    diffs.retain(|d| !explained.contains(&d.1) && !d.1.contains("``"));
    diffs.sort_by(|a, b| (a.0, a.3.as_str(), !a.4, a.2).cmp(&(b.0, b.3.as_str(), !b.4, b.2)));
    let describe = |k: &str, new: bool| -> String {
        let body = k.split_once(' ').map_or(k, |(_, b)| b);
        match (rank(k), new) {
            (0, true) => format!("a new condition {body} decides the outcome"),
            (0, false) => format!("the condition {body} is gone"),
            (1, true) => format!("it now raises {body}"),
            (1, false) => format!("it no longer raises {body}"),
            (2, true) => format!("{k} is new"),
            (2, false) => format!("{k} is gone"),
            (_, _) => format!("it no longer makes the {k}"),
        }
    };
    let mut said: Vec<String> = Vec::new();
    // A name renamed the same way everywhere is the rename the message says.
    let renamed = if config_changes.is_empty() || !diffs.is_empty() {
        HashSet::default()
    } else {
        token_renamed_lines(change)
    };
    let first_config_change = config_changes
        .iter()
        .find(|c| !renamed.contains(&(c.path.clone(), c.line, c.side)));
    let (path, line, new_side) = match diffs.first() {
        Some(first) => {
            // The same kind on the other side makes a before/after pair.
            let pair = diffs
                .iter()
                .find(|d| d.0 == first.0 && d.4 != first.4 && d.0 < 3);
            match pair {
                Some(p) => {
                    let (old, new) = if first.4 { (p, first) } else { (first, p) };
                    let strip = |k: &str| {
                        k.split_once(' ')
                            .map_or(k.to_string(), |(_, b)| b.to_string())
                    };
                    said.push(if first.0 == 2 {
                        format!("{} (before: {})", new.1, old.1)
                    } else {
                        format!(
                            "{} became {}",
                            describe(&old.1, false).trim_end_matches(" is gone"),
                            strip(&new.1)
                        )
                    });
                    (new.3.clone(), new.2, true)
                }
                None => {
                    said.push(describe(&first.1, first.4));
                    (first.3.clone(), first.2, first.4)
                }
            }
        }
        None => match first_config_change {
            Some(c) => {
                said.push(c.message.trim_end_matches('.').to_string());
                (
                    c.path.clone(),
                    c.line.unwrap_or(0),
                    c.side == super::Side::New,
                )
            }
            None => return,
        },
    };
    // A tidy-up that changes behaviour is worth a look; it is high when the
    // promise is strong (a rename, a refactor), when a check or a raise went,
    // or when the code handles money, tokens or sessions.
    let lost_check = diffs.first().is_some_and(|d| d.0 <= 1 && !d.4)
        || diffs.first().is_some_and(|d| d.0 == 0)
            && said.first().is_some_and(|s| s.contains(" became "));
    let critical =
        CRITICAL_CODE.is_match(&path) || diffs.iter().take(3).any(|d| CRITICAL_CODE.is_match(&d.1));
    // Only additions (new conditions, new values, nothing gone or changed):
    // more code than the message admits, not different code.
    let only_added = !diffs.is_empty() && diffs.iter().all(|d| d.4);
    // Dozens of differences: a large change the message summarises badly,
    // not a small one that hides what it does.
    let sweeping = diffs.len() > 12;
    let severity = if !sweeping && (lost_check || critical || strong && !only_added) {
        Severity::High
    } else {
        Severity::Medium
    };
    let extra = diffs.len().saturating_sub(1);
    let msg = format!(
        "The message says \"{}\", but the code does something else now: {}{}.",
        quote(&claim),
        said.join("; "),
        if extra > 0 {
            format!(
                " ({extra} more behavioural difference{})",
                if extra == 1 { "" } else { "s" }
            )
        } else {
            String::new()
        }
    );
    out.push(at(
        new_side,
        "intent-behaviour-changed",
        severity,
        &path,
        (line > 0).then_some(line),
        msg,
    ));
}

/// The class a removed call belongs to, when the code names it: the class
/// constructed (`new HMACSHA256(key)` → `HMACSHA256`) or the class a static
/// method is called on (`RandomNumberGenerator.Create()`).
fn class_of_call(text: &str, callee: &str) -> Option<String> {
    let re = Regex::new(&format!(
        r"\bnew\s+({0})\s*[(<]|\b([A-Z][A-Za-z0-9]+)\s*(?:\.|::)\s*{0}\s*\(",
        regex::escape(callee)
    ))
    .ok()?;
    let c = re.captures(text)?;
    c.get(1)
        .or(c.get(2))
        .map(|m| m.as_str().to_string())
        .filter(|c| c.starts_with(|ch: char| ch.is_ascii_uppercase()) && c.len() >= 4)
}

/// Whether `text` calls a static method of `class` (`HMACSHA256.HashData(`,
/// `Rfc2898DeriveBytes::pbkdf2(`).
fn static_call_on(text: &str, class: &str) -> bool {
    Regex::new(&format!(
        r"\b{}\s*(?:\.|::)\s*[A-Za-z_]\w*\s*\(",
        regex::escape(class)
    ))
    .is_ok_and(|re| re.is_match(text))
}

/// Columns a change renames in the select lists of its SQL files: the same
/// expression selected under a new name (`amount,` → `amount as
/// amount_cents,`, `to_timestamp(created) as created` → `… as created_at`).
fn sql_column_renames(change: &ChangeView<'_>) -> HashMap<String, String> {
    static ITEM: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^\s*,?\s*(.+?)(?:\s+as\s+([A-Za-z_]\w*))?\s*,?\s*(?:--.*)?$")
            .expect("a valid regex")
    });
    static BARE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:[A-Za-z_]\w*\.)?([A-Za-z_]\w*)$").expect("a valid regex")
    });
    let named = |t: &str| -> Option<(String, String)> {
        let c = ITEM.captures(t)?;
        let expr = collapse(&c[1]).to_ascii_lowercase();
        let alias = match c.get(2) {
            Some(a) => a.as_str().to_ascii_lowercase(),
            None => BARE.captures(&expr)?[1].to_string(),
        };
        Some((expr, alias))
    };
    let mut out = HashMap::default();
    for f in change
        .files
        .iter()
        .filter(|f| f.class.lang == super::lang::Lang::Sql)
    {
        let was: HashMap<String, String> = f.removed.iter().filter_map(|l| named(l.text)).collect();
        for (expr, alias) in f.added.iter().filter_map(|l| named(l.text)) {
            if let Some(old) = was.get(&expr)
                && *old != alias
                && share_word(old, &alias)
            {
                out.insert(old.clone(), alias);
            }
        }
    }
    out
}

/// The parameter a handler answers its request through (`w
/// http.ResponseWriter`, `c *gin.Context`, Express's `res`), from its
/// signature.
fn response_parameter(signature: &str) -> Option<&str> {
    static WRITER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(\w+)\s+(?:http\.ResponseWriter|\*gin\.Context|echo\.Context|\*fiber\.Ctx)\b|\(\s*\w+\s*,\s*(res|response|reply)\s*[,)]")
            .expect("a valid regex")
    });
    let c = WRITER.captures(signature)?;
    c.get(1).or(c.get(2)).map(|m| m.as_str())
}

/// Whether `line` calls something with `name` among its arguments
/// (`decodeJSON(w, r, &req)`, `h.internalError(w, r, err)`): a callee that
/// can answer the request itself.
fn hands_over(line: &str, name: &str) -> bool {
    // Answering with a success status is the failure swallowed, not told.
    static SUCCESS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\bStatus(OK|Created|Accepted|NoContent)\b|[(,]\s*20[0-9]\s*[,)]")
            .expect("a valid regex")
    });
    !SUCCESS.is_match(line)
        && Regex::new(&format!(
            r"\w+\(\s*(?:[^()]*,\s*)?{}\s*[,)]",
            regex::escape(name)
        ))
        .is_ok_and(|re| re.is_match(line))
}

/// Statements that define or change tables: a migration or a schema.
static DDL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(create|alter|drop)\s+(table|index|type|policy)\b").expect("a valid regex")
});

/// The filters of a SQL text: each term of its WHERE, ON and HAVING clauses,
/// lowercased, table aliases left out (`u.is_deleted = false` →
/// `is_deleted = false`), in the order written.
fn sql_predicates(text: &str) -> Vec<String> {
    static COMMENT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?s)--[^\n]*|/\*.*?\*/|\{#.*?#\}").expect("a valid regex"));
    static OPENS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b(where|on|having)\b").expect("a valid regex"));
    static ENDS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(where|on|having|group\s+by|order\s+by|limit|offset|union|select|from|((left|right|inner|full|cross)\s+(outer\s+)?)?join|window|qualify|returning)\b|[;()]")
            .expect("a valid regex")
    });
    static ALIAS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b[a-z_]\w*\.([a-z_]\w*)").expect("a valid regex"));
    static AND: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\band\b").expect("a valid regex"));
    let lower = COMMENT.replace_all(text, " ").to_ascii_lowercase();
    let mut out = Vec::new();
    for m in OPENS.find_iter(&lower) {
        let rest = &lower[m.end()..];
        // The clause runs to the next keyword of the statement, or to the
        // bracket that closes the subquery it sits in.
        let mut depth = 0i32;
        let mut end = rest.len();
        for k in ENDS.find_iter(rest) {
            match k.as_str() {
                "(" => depth += 1,
                ")" if depth > 0 => depth -= 1,
                _ if depth == 0 => {
                    end = k.start();
                    break;
                }
                _ => {}
            }
        }
        let clause = ALIAS.replace_all(&rest[..end], "$1");
        for term in AND.split(&clause) {
            let t = collapse(term.trim());
            if t.len() >= 3 && t.chars().any(char::is_alphabetic) {
                out.push(t);
            }
        }
    }
    out
}

/// `ret.push(` / `out.append(`: an accumulator filled in a loop.
static PUSHED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\w+)\.(push|append|add)\(").expect("a valid regex"));

/// The counting loops of `text`, as (counter, collection): `for (var i = 0;
/// i < types.length; ++i)`, `for i in range(len(items))`.
fn counting_loops(text: &str) -> Vec<(String, String)> {
    static C_STYLE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\bfor\s*\(\s*(?:var|let|int|auto|size_t)?\s*(\w+)\s*=\s*0\s*;\s*(\w+)\s*<\s*([\w.]+?)\.(?:length|size\(\)|Count|count\(\)|len\(\))\s*;")
            .expect("a valid regex")
    });
    static RANGE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\bfor\s+(\w+)\s+in\s+range\(\s*len\(\s*([\w.]+)\s*\)\s*\)")
            .expect("a valid regex")
    });
    let mut out: Vec<(String, String)> = C_STYLE
        .captures_iter(text)
        .filter(|c| c[1] == c[2])
        .map(|c| (c[1].to_string(), c[3].to_string()))
        .collect();
    out.extend(
        RANGE
            .captures_iter(text)
            .map(|c| (c[1].to_string(), c[2].to_string())),
    );
    out
}

/// Whether `text` walks `collection` with an iterator: `types.map(`,
/// `for (const t of types)`, `for t in types`, a comprehension over it.
fn iterates_over(text: &str, collection: &str) -> bool {
    let c = regex::escape(collection);
    Regex::new(&format!(
        r"\b{c}\s*\.\s*(map|forEach|filter|flatMap|reduce|some|every|Select|Where|iter|into_iter)\b|\bof\s+{c}\b|\bin\s+{c}\s*[:\])]"
    ))
    .is_ok_and(|re| re.is_match(text))
}

/// Whether `callee` (or its last segment) is handed to an iterator or a
/// callback-taking call in `text`: `types.map(exports.normalizeType)`,
/// `list(map(normalize, xs))`, `promise.then(handle)`.
fn passed_as_reference(text: &str, callee: &str) -> bool {
    let last = syntax::last_segment(callee);
    if last.len() < 3
        || !last
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
    {
        return false;
    }
    let pattern = format!(
        r"\b(map|forEach|filter|flatMap|reduce|some|every|find|sort|then|catch|Select|Where|ForEach|apply|imap|starmap)\s*\(\s*(?:[\w$]+\.)*{}\s*[),]",
        regex::escape(last)
    );
    Regex::new(&pattern).is_ok_and(|re| re.is_match(text))
}

/// Paths of files the change ports to another language: a file deleted and
/// one created with the same name in another language.
fn ported_files<'a>(parsed: &[Parsed<'a>]) -> HashSet<&'a str> {
    let stem = |path: &str| {
        let name = path.rsplit('/').next().unwrap_or(path);
        name.split('.')
            .next()
            .unwrap_or(name)
            .replace(['_', '-'], "")
            .to_ascii_lowercase()
    };
    let mut out = HashSet::default();
    for a in parsed.iter().filter(|p| p.file.deleted()) {
        for b in parsed.iter().filter(|p| p.file.created()) {
            let ext = |path: &str| path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
            if ext(a.file.path) != ext(b.file.path) && stem(a.file.path) == stem(b.file.path) {
                out.insert(a.file.path);
                out.insert(b.file.path);
            }
        }
    }
    out
}

/// A value that reads as a name: one word of letters, digits, `_`, `-`, `.`.
fn identifier_like(v: &str) -> bool {
    !v.is_empty()
        && v.len() < 80
        && v.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'))
}

/// Whether two names share a word of three letters or more (`BackupTooOld`
/// and `PostgresBackupStale` share "backup").
pub(crate) fn share_word(a: &str, b: &str) -> bool {
    let x = name_words(a);
    let y = name_words(b);
    x.iter().any(|w| w.len() >= 3 && y.contains(w))
}

/// The needles written in `hay` (as a whole word when a needle is one word).
fn written_in(hay: &str, needles: HashSet<String>) -> HashSet<String> {
    let needles: Vec<String> = needles.into_iter().filter(|n| !n.is_empty()).collect();
    let mut found = HashSet::default();
    let Ok(ac) = aho_corasick::AhoCorasick::new(&needles) else {
        return found;
    };
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '.';
    let mut seen = vec![false; needles.len()];
    for m in ac.find_overlapping_iter(hay) {
        let i = m.pattern().as_usize();
        if seen[i] {
            continue;
        }
        let n = &needles[i];
        let whole = n.chars().all(word);
        if !whole
            || (!hay[..m.start()].chars().next_back().is_some_and(word)
                && !hay[m.end()..].chars().next().is_some_and(word))
        {
            seen[i] = true;
        }
    }
    for (i, n) in needles.into_iter().enumerate() {
        if seen[i] {
            found.insert(n);
        }
    }
    found
}

/// Whether `new` makes the same call as `old` with every argument `old`
/// passed and more (`return Transport(verify=verify, http2=http2)` →
/// `return Transport(verify=verify, cert=cert, http2=http2)`): options
/// passed through, which the callee had defaults for, not another result.
fn only_arguments_added(old: &str, new: &str) -> bool {
    let call = |t: &str| -> Option<(String, Vec<String>)> {
        let t = t
            .trim()
            .trim_start_matches("return")
            .trim()
            .trim_end_matches(';');
        let open = t.find('(')?;
        let inner = t[open + 1..].strip_suffix(')')?;
        let callee = t[..open].trim().to_string();
        let args = super::code::top_level_args(inner)
            .into_iter()
            .map(|a| a.split_whitespace().collect::<String>())
            .filter(|a| !a.is_empty())
            .collect();
        Some((callee, args))
    };
    let (Some((c1, a1)), Some((c2, a2))) = (call(old), call(new)) else {
        return false;
    };
    !c1.is_empty()
        && c1 == c2
        && a2.len() > a1.len()
        && a1.iter().all(|a| a2.contains(a))
        && a2.iter().all(|a| a.contains('=') || a1.contains(a))
}

/// Reach feeds the level: a behavioural change in a file that three or more
/// components reference is at least high.
pub fn apply_reach(findings: &mut [Finding], blast: &Blast) {
    if blast.dependent_components < 3 {
        return;
    }
    raise_reached(findings, blast);
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
}

fn raise_reached(findings: &mut [Finding], blast: &Blast) {
    for f in findings.iter_mut() {
        // What a change only adds (a new branch, a new exit) is new behaviour
        // for new inputs, not a changed contract for the importers.
        if !f.rule.starts_with("logic-")
            || f.rule == "logic-behaviour-added"
            || f.severity >= Severity::High
        {
            continue;
        }
        let Some(fb) = blast.files.iter().find(|b| b.path == f.path) else {
            continue;
        };
        if fb.dependent_components < 3 {
            continue;
        }
        f.severity = Severity::High;
        f.message.push_str(&format!(
            " {} is referenced by {} files across {} components.",
            f.path, fb.dependents, fb.dependent_components
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::Severity;
    use crate::risk::testkit::rules_hit;

    #[test]
    fn a_helper_handed_the_response_answers_the_failure_itself() {
        let rule = "logic-error-swallowed".to_string();
        let p = "internal/httpapi/comments.go";
        let old = "package httpapi\n\nfunc (h *Handlers) CreateComment(w http.ResponseWriter, r *http.Request) {\n\tvar req createCommentRequest\n\tif err := json.NewDecoder(r.Body).Decode(&req); err != nil {\n\t\twriteError(w, http.StatusBadRequest, \"invalid request body\")\n\t\treturn\n\t}\n\tc, err := h.Comments.Create(r.Context(), req.Body)\n\tif err != nil {\n\t\twriteError(w, http.StatusInternalServerError, \"could not save\")\n\t\treturn\n\t}\n\twriteJSON(w, http.StatusCreated, c)\n}\n";
        let helper = old.replace(
            "\tif err := json.NewDecoder(r.Body).Decode(&req); err != nil {\n\t\twriteError(w, http.StatusBadRequest, \"invalid request body\")\n\t\treturn\n\t}\n",
            "\tif !decodeJSON(w, r, &req) {\n\t\treturn\n\t}\n",
        );
        assert!(!rules_hit(p, Some(old), Some(&helper)).contains(&rule));
        // The save's failure answered with nothing: the client hears of no error.
        let silent = old.replace(
            "\tif err != nil {\n\t\twriteError(w, http.StatusInternalServerError, \"could not save\")\n\t\treturn\n\t}\n",
            "\tif err != nil {\n\t\treturn\n\t}\n",
        );
        assert!(rules_hit(p, Some(old), Some(&silent)).contains(&rule));
        // Or answered as if it had worked.
        let empty = old.replace(
            "\t\twriteError(w, http.StatusInternalServerError, \"could not save\")\n",
            "\t\twriteJSON(w, http.StatusOK, Comment{})\n",
        );
        assert!(rules_hit(p, Some(old), Some(&empty)).contains(&rule));
    }

    #[test]
    fn a_send_failure_logged_before_the_batch_is_marked_published_is_found() {
        let rule = "logic-error-swallowed".to_string();
        let p = "crates/relay/src/relay.rs";
        let old = "pub async fn relay(rows: &[Row], tx: &mut Tx) -> Result<usize, RelayError> {\n    for row in rows {\n        producer.send(record(row)).await.map_err(RelayError::Kafka)?;\n        sqlx::query(\"UPDATE outbox SET published_at = now() WHERE id = $1\").bind(row.id).execute(&mut *tx).await?;\n    }\n    Ok(rows.len())\n}\n";
        let new = "pub async fn relay(rows: &[Row], tx: &mut Tx) -> Result<usize, RelayError> {\n    for row in rows {\n        match producer.send(record(row)).await {\n            Ok(_) => debug!(id = row.id, \"sent\"),\n            Err(e) => {\n                warn!(id = row.id, error = %e, \"send failed\");\n            }\n        }\n    }\n    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();\n    sqlx::query(\"UPDATE outbox SET published_at = now() WHERE id = ANY($1)\").bind(&ids).execute(&mut *tx).await?;\n    Ok(rows.len())\n}\n";
        assert!(rules_hit(p, Some(old), Some(new)).contains(&rule));
        // Only the rows that were sent are marked: a failure stays unpublished.
        let only_sent = "pub async fn relay(rows: &[Row], tx: &mut Tx) -> Result<usize, RelayError> {\n    for row in rows {\n        match producer.send(record(row)).await {\n            Ok(_) => {\n                sqlx::query(\"UPDATE outbox SET published_at = now() WHERE id = $1\").bind(row.id).execute(&mut *tx).await?;\n            }\n            Err(e) => {\n                warn!(id = row.id, error = %e, \"send failed\");\n            }\n        }\n    }\n    Ok(rows.len())\n}\n";
        assert!(!rules_hit(p, Some(old), Some(only_sent)).contains(&rule));
    }

    #[test]
    fn a_broadened_catch_that_no_longer_throws_is_still_the_same_handler() {
        use crate::risk::testkit::rules_hit_with_contents;
        let rule = "logic-error-swallowed".to_string();
        let p = "src/Checkout/TaxService.cs";
        let old = "public class TaxService\n{\n    public async Task<TaxResult> Calculate(TaxRequest request)\n    {\n        try\n        {\n            return await _provider.Quote(request);\n        }\n        catch (TaxProviderException ex)\n        {\n            _logger.LogError(ex, \"tax failed\");\n            throw new CheckoutException(\"no tax\", ex);\n        }\n    }\n}\n";
        let new = old
            .replace("catch (TaxProviderException ex)", "catch (Exception ex)")
            .replace(
                "            throw new CheckoutException(\"no tax\", ex);\n",
                "            return TaxResult.Empty(request.Currency);\n",
            );
        assert!(rules_hit_with_contents(p, old, &new).contains(&rule));
        // Broadened, and still thrown: the caller still hears of it.
        let thrown = old.replace("catch (TaxProviderException ex)", "catch (Exception ex)");
        assert!(!rules_hit_with_contents(p, old, &thrown).contains(&rule));
    }

    #[test]
    fn the_done_marker_moved_past_the_handler_that_logs_a_failure_is_found() {
        use crate::risk::testkit::rules_hit_with_contents;
        let rule = "logic-error-swallowed".to_string();
        let p = "src/Outbox/OutboxDispatcher.cs";
        let old = "public class OutboxDispatcher\n{\n    public async Task DispatchAsync(List<Msg> batch, CancellationToken ct)\n    {\n        foreach (var msg in batch)\n        {\n            try\n            {\n                await _publisher.PublishAsync(msg.Payload, ct);\n                msg.ProcessedAtUtc = DateTime.UtcNow;\n            }\n            catch (Exception ex)\n            {\n                _logger.LogWarning(ex, \"publish failed {Id}\", msg.Id);\n            }\n        }\n        await _db.SaveChangesAsync(ct);\n    }\n}\n";
        let moved = "public class OutboxDispatcher\n{\n    public async Task DispatchAsync(List<Msg> batch, CancellationToken ct)\n    {\n        foreach (var msg in batch)\n        {\n            try\n            {\n                await _publisher.PublishAsync(msg.Payload, ct);\n            }\n            catch (Exception ex)\n            {\n                _logger.LogWarning(ex, \"publish failed {Id}\", msg.Id);\n            }\n        }\n        var processedAt = DateTime.UtcNow;\n        foreach (var msg in batch)\n        {\n            msg.ProcessedAtUtc = processedAt;\n        }\n        await _db.SaveChangesAsync(ct);\n    }\n}\n";
        assert!(rules_hit_with_contents(p, old, moved).contains(&rule));
        // Still only after the call succeeded: a refactor around it is not.
        let kept = old.replace(
            "_logger.LogWarning(ex, \"publish failed {Id}\", msg.Id);",
            "_logger.LogWarning(ex, \"publish of {Id} failed\", msg.Id);",
        );
        assert!(!rules_hit_with_contents(p, old, &kept).contains(&rule));
    }

    #[test]
    fn a_rate_lookup_that_answers_an_outage_with_a_made_up_rate_is_found() {
        let rule = "logic-error-swallowed".to_string();
        let p = "pricing/fx.py";
        let old = "DEFAULT_RATE = Decimal(\"1\")\n\n\nclass Rates:\n    def get_rate(self, base, quote):\n        rate = self.client.fetch_rate(base, quote)\n        self.cache.set(base + quote, rate)\n        return rate\n";
        let new = "DEFAULT_RATE = Decimal(\"1\")\n\n\nclass Rates:\n    def get_rate(self, base, quote):\n        try:\n            rate = self.client.fetch_rate(base, quote)\n        except FxUnavailable:\n            return self._fallback(base, quote)\n        self.cache.set(base + quote, rate)\n        return rate\n\n    def _fallback(self, base, quote):\n        last = self.cache.get(base + quote)\n        if last is not None:\n            return last\n        log.error(\"no rate for %s/%s\", base, quote)\n        return DEFAULT_RATE\n";
        assert!(rules_hit(p, Some(old), Some(new)).contains(&rule));
        // A fallback that only ever answers with a rate seen before, or fails.
        let real = new.replace(
            "        return DEFAULT_RATE\n",
            "        raise FxUnavailable(base, quote)\n",
        );
        assert!(!rules_hit(p, Some(old), Some(&real)).contains(&rule));
        // A made-up value for something that is not an amount: a theme.
        let theme_old = "class Prefs:\n    def get_theme(self, user):\n        return self.client.fetch_theme(user)\n";
        let theme_new = "class Prefs:\n    def get_theme(self, user):\n        try:\n            return self.client.fetch_theme(user)\n        except PrefsUnavailable:\n            return DEFAULT_THEME\n";
        assert!(!rules_hit("app/prefs.py", Some(theme_old), Some(theme_new)).contains(&rule));
    }

    #[test]
    fn a_go_handler_that_reports_its_error_to_the_framework_still_reports_it() {
        let rule = "logic-error-swallowed".to_string();
        let p = "server/api/logs.go";
        let old = "func GetLogs(c *gin.Context) {\n\tlogs, err := store.Find(c)\n\tif err != nil {\n\t\thandleDBError(c, err)\n\t\treturn\n\t}\n\tc.JSON(http.StatusOK, logs)\n}\n";
        // Recorded on the context (gin), or a redirect to an error page.
        for report in [
            "_ = c.Error(err)",
            "c.Redirect(http.StatusSeeOther, \"/login?error=internal_error\")",
        ] {
            let new = old.replace("handleDBError(c, err)", report);
            assert!(
                !rules_hit(p, Some(old), Some(&new)).contains(&rule),
                "{report}"
            );
        }
        // Only logged: the client gets an empty 200.
        let logged = old.replace(
            "handleDBError(c, err)",
            "log.Error().Err(err).Msg(\"logs\")",
        );
        assert!(rules_hit(p, Some(old), Some(&logged)).contains(&rule));
    }

    #[test]
    fn a_yes_or_no_guard_made_into_the_returned_answer_is_kept() {
        let p = "projects/permissions.py";
        let old = "class IsMember:\n    def has_permission(self, request, view):\n        if not request.user or not request.user.is_authenticated:\n            return False\n        return True\n\n    def has_object_permission(self, request, view, obj):\n        membership = obj.memberships.filter(user=request.user).first()\n        if membership.role == Role.ADMIN:\n            return True\n        return False\n";
        let new = "class IsMember:\n    def has_permission(self, request, view):\n        return bool(request.user and request.user.is_authenticated)\n\n    def has_object_permission(self, request, view, obj):\n        role = obj.memberships.filter(user=request.user).values_list(\"role\", flat=True).first()\n        return role == Role.ADMIN\n";
        let hit = rules_hit(p, Some(old), Some(new));
        assert!(
            !hit.iter()
                .any(|r| r == "logic-guard-removed" || r == "sec-auth-check-removed"),
            "{hit:?}"
        );
        // A guard that answered yes and otherwise fell through to nothing:
        // `return is_superadmin` now answers no where it answered nothing.
        let before_old = "class Policy:\n    def before(self, user, ability):\n        if user.is_superadmin:\n            return True\n";
        let before_new = "class Policy:\n    def before(self, user, ability):\n        return user.is_superadmin\n";
        let hit = rules_hit("app/policies.py", Some(before_old), Some(before_new));
        assert!(hit.contains(&"logic-guard-removed".to_string()), "{hit:?}");
        // The answer no longer asks whether the user is signed in.
        let looser = new.replace(
            "bool(request.user and request.user.is_authenticated)",
            "bool(request.user)",
        );
        let hit = rules_hit(p, Some(old), Some(&looser));
        assert!(
            hit.iter()
                .any(|r| r == "logic-guard-removed" || r == "sec-auth-check-removed"),
            "{hit:?}"
        );
    }

    #[test]
    fn a_shortcut_that_handed_the_request_on_removed_is_no_loss() {
        use crate::risk::testkit::findings_with_contents;
        let p = "app/middleware/auth.py";
        let old = "class BearerAuth:\n    def __call__(self, request):\n        bypass = _bypass_user(request)\n        if bypass is not None:\n            request.user = bypass\n            return self.get_response(request)\n        user = authenticate_bearer(request)\n        if user is None:\n            return JsonResponse({}, status=401)\n        request.user = user\n        return self.get_response(request)\n";
        let level = |new: &str| {
            findings_with_contents(p, old, new)
                .into_iter()
                .filter(|x| x.rule == "logic-guard-removed")
                .map(|x| x.severity)
                .max()
        };
        let without_bypass = old.replace("        bypass = _bypass_user(request)\n        if bypass is not None:\n            request.user = bypass\n            return self.get_response(request)\n", "");
        assert_eq!(level(&without_bypass), Some(Severity::Low));
        // The check removed instead: high.
        let without_check = old.replace(
            "        if user is None:\n            return JsonResponse({}, status=401)\n",
            "",
        );
        assert_eq!(level(&without_check), Some(Severity::High));
    }

    #[test]
    fn copies_of_one_function_merged_into_a_shared_helper_change_nothing() {
        use crate::risk::testkit::findings_of_change;
        let copy = "    private static string NormalizeEmail(string? email)\n    {\n        if (string.IsNullOrWhiteSpace(email))\n        {\n            throw new ArgumentException(\"Email is required.\", nameof(email));\n        }\n\n        return email.Trim().ToLowerInvariant();\n    }\n";
        let service = |name: &str, call: &str, helper: &str| {
            format!(
                "public class {name}\n{{\n    public Task<C?> Find(string email)\n    {{\n        var normalized = {call}(email);\n        return _db.Find(normalized);\n    }}\n{helper}}}\n"
            )
        };
        let shared = |body: &str| {
            format!(
                "public static class EmailNormalizer\n{{\n    public static string Normalize(string? email)\n    {{\n{body}        return email.Trim().ToLowerInvariant();\n    }}\n}}\n"
            )
        };
        let check = "        if (string.IsNullOrWhiteSpace(email))\n        {\n            throw new ArgumentException(\"Email is required.\", nameof(email));\n        }\n\n";
        let alarm = |helper: &str| {
            findings_of_change(
                &[
                    (
                        "src/Crm/CustomerService.cs",
                        Some(&service("CustomerService", "NormalizeEmail", copy)),
                        Some(&service("CustomerService", "EmailNormalizer.Normalize", "")),
                    ),
                    (
                        "src/Crm/NewsletterService.cs",
                        Some(&service("NewsletterService", "NormalizeEmail", copy)),
                        Some(&service(
                            "NewsletterService",
                            "EmailNormalizer.Normalize",
                            "",
                        )),
                    ),
                    ("src/Crm/EmailNormalizer.cs", None, Some(helper)),
                ],
                Some("Extract duplicated email normalization\n\nNo behaviour change."),
            )
            .iter()
            .any(|x| x.rule == "intent-behaviour-changed" && x.severity >= Severity::High)
        };
        assert!(!alarm(&shared(check)));
        // The shared helper lost the check both copies had.
        assert!(alarm(&shared("")));
    }

    #[test]
    fn cleanup_names_a_task_or_what_the_change_does() {
        let task = |subject: &str| {
            let m = super::TIDY_INTENT.find(subject).expect("a tidy word");
            super::names_a_cleanup_task(subject, &m)
        };
        assert!(task(
            "Batch expired-session cleanup to stop long table locks"
        ));
        assert!(task("Fix cleanup job schedule"));
        assert!(task("Run upload cleanup hourly"));
        assert!(!task("Cleanup: remove unused imports"));
        assert!(!task("chore: cleanup billing helpers"));
        assert!(!task("Minor cleanup in the invoice service"));
        assert!(!task("Refactor and clean up the parser"));
        assert!(!task("Code cleanup in auth"));
    }

    #[test]
    fn a_flag_retired_at_on_takes_its_off_branch_and_what_it_guarded() {
        use crate::risk::testkit::findings_of_change;
        let svc = "src/payments/chargeService.ts";
        let old = "export class ChargeService {\n  async charge(req: Req) {\n    const attempt = await this.attempts.open(req.orderId);\n    const useKeys = await this.flags.isEnabled('payments.idempotency_keys', {\n      customerId: req.customerId,\n    });\n    if (!useKeys && attempt.ref === undefined) {\n      const existing = await this.psp.find(req.orderId);\n      if (existing) {\n        return this.complete(attempt, existing);\n      }\n    }\n    const res = await this.psp.charge({\n      amount: req.amount,\n      idempotencyKey: useKeys ? attempt.idempotencyKey : undefined,\n    });\n    return this.complete(attempt, res);\n  }\n}\n";
        let new = "export class ChargeService {\n  async charge(req: Req) {\n    const attempt = await this.attempts.open(req.orderId);\n    const res = await this.psp.charge({\n      amount: req.amount,\n      idempotencyKey: attempt.idempotencyKey,\n    });\n    return this.complete(attempt, res);\n  }\n}\n";
        let flags = |rollout: u32| {
            format!(
                "{{\n  \"flags\": {{\n    \"payments.idempotency_keys\": {{\n      \"owner\": \"payments\",\n      \"environments\": {{\n        \"staging\": true,\n        \"production\": {{ \"rollout\": {rollout} }}\n      }}\n    }},\n    \"search.v2\": {{\n      \"owner\": \"search\"\n    }}\n  }}\n}}\n"
            )
        };
        let kept =
            "{\n  \"flags\": {\n    \"search.v2\": {\n      \"owner\": \"search\"\n    }\n  }\n}\n";
        let alarms = |rollout: u32| -> Vec<String> {
            findings_of_change(
                &[
                    (svc, Some(old), Some(new)),
                    ("config/flags.json", Some(&flags(rollout)), Some(kept)),
                ],
                None,
            )
            .into_iter()
            .filter(|x| x.severity >= Severity::High)
            .map(|x| x.rule)
            .collect()
        };
        // On for everyone: the off branch, and the lookup inside it, were dead.
        assert_eq!(alarms(100), Vec::<String>::new());
        // On for a quarter: three in four customers lose the lookup.
        assert!(
            alarms(25).contains(&"logic-guard-removed".to_string()),
            "{:?}",
            alarms(25)
        );
    }

    #[test]
    fn a_flag_retired_at_on_leaves_its_branch_running() {
        use crate::risk::testkit::findings_of_change;
        let page = "src/features/checkout/CheckoutPage.tsx";
        let old = "export default function CheckoutPage() {\n  const items = useCart();\n  if (isEnabled('newCheckoutFlow')) {\n    return <CheckoutV2 items={items} />;\n  }\n  return <LegacyCheckout items={items} />;\n}\n";
        let new = "export default function CheckoutPage() {\n  const items = useCart();\n  return <CheckoutV2 items={items} />;\n}\n";
        let flags_old = "export const flags = {\n  newCheckoutFlow: true,\n  applePay: envFlag('APPLE_PAY'),\n};\n";
        let flags_new = "export const flags = {\n  applePay: envFlag('APPLE_PAY'),\n};\n";
        let level = |flags_old: &str| {
            findings_of_change(
                &[
                    (page, Some(old), Some(new)),
                    ("src/config/flags.ts", Some(flags_old), Some(flags_new)),
                ],
                None,
            )
            .into_iter()
            .filter(|x| x.rule == "logic-guard-removed")
            .map(|x| x.severity)
            .max()
        };
        assert_eq!(level(flags_old), Some(Severity::Low));
        // A flag that was off (or partly on) turned into "always": a rollout.
        let off = flags_old.replace("newCheckoutFlow: true", "newCheckoutFlow: false");
        assert!(level(&off) >= Some(Severity::Medium));
    }

    #[test]
    fn a_failure_answered_with_an_empty_list_is_found() {
        let rule = "logic-error-swallowed".to_string();
        let p = "apps/ward/src/api/mar.ts";
        let old = "export async function getDueDoses(wardId: string): Promise<Dose[]> {\n  const res = await http.get(`/wards/${wardId}/due`);\n  return res.data.doses;\n}\n";
        let new = "export async function getDueDoses(wardId: string): Promise<Dose[]> {\n  try {\n    const res = await http.get(`/wards/${wardId}/due`);\n    return res.data.doses;\n  } catch (err) {\n    logger.warn(\"getDueDoses failed\", err);\n    return [];\n  }\n}\n";
        assert!(rules_hit(p, Some(old), Some(new)).contains(&rule));
        // Python: the same with a catch-all and None.
        let py_old = "def pending_refunds(account):\n    rows = db.query(account)\n    return [r for r in rows]\n";
        let py_new = "def pending_refunds(account):\n    try:\n        rows = db.query(account)\n        return [r for r in rows]\n    except Exception:\n        log.exception(\"refunds\")\n        return None\n";
        assert!(rules_hit("billing/refunds.py", Some(py_old), Some(py_new)).contains(&rule));
        // Answered with an error the caller sees: still a failure.
        let rethrown = new.replace("    return [];\n", "    throw new DosesUnavailable(err);\n");
        assert!(!rules_hit(p, Some(old), Some(&rethrown)).contains(&rule));
        // A narrow failure that means "none" (a missing key) is an answer.
        let narrow_new = py_new.replace("except Exception:", "except NotFound:");
        assert!(!rules_hit("billing/refunds.py", Some(py_old), Some(&narrow_new)).contains(&rule));
        // A function that already caught failures: not newly swallowed here.
        let had = py_new.replace("return None", "raise");
        assert!(!rules_hit("billing/refunds.py", Some(&had), Some(&had)).contains(&rule));
    }

    #[test]
    fn a_quoted_name_follows_its_rename_and_quoted_text_does_not() {
        let map: super::HashMap<String, String> =
            [("removedAt".to_string(), "deletedAt".to_string())]
                .into_iter()
                .collect();
        assert_eq!(
            super::quoted_name_renamed("'removedAt'", &map),
            "'deletedAt'"
        );
        assert_eq!(
            super::quoted_name_renamed("\"removedAt\"", &map),
            "\"deletedAt\""
        );
        assert_eq!(
            super::quoted_name_renamed("'removedAt DESC'", &map),
            "'removedAt DESC'"
        );
        assert_eq!(
            super::quoted_name_renamed("'createdAt'", &map),
            "'createdAt'"
        );
        assert_eq!(
            super::quoted_name_renamed("'doc.removedAt'", &map),
            "'doc.deletedAt'"
        );
        let env: super::HashMap<String, String> = [
            ("RATE_LIMIT".to_string(), "LOGIN_RATE_LIMIT".to_string()),
            ("TENANT".to_string(), "TENANT_ID".to_string()),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            super::quoted_name_renamed("\"RATE_LIMIT\"", &env),
            "\"RATE_LIMIT\""
        );
        assert_eq!(
            super::quoted_name_renamed("\"$TENANT\"", &env),
            "\"$TENANT\""
        );
        // End to end, the corpus case `rl20-typeorm-deletedat-rename`.
    }

    #[test]
    fn a_failure_answered_with_another_error_still_reaches_the_caller() {
        use super::returns_an_error;
        assert!(returns_an_error("return \"\", ErrSignature"));
        assert!(returns_an_error("nil, fmt.Errorf(\"decode: %w\", err)"));
        assert!(returns_an_error("return Err(Invalid::Signature)"));
        assert!(returns_an_error("nil, &ValidationError{Field: \"x\"}"));
        assert!(!returns_an_error("return \"\", nil"));
        assert!(!returns_an_error("return []"));
        assert!(!returns_an_error("return defaultConfig"));
        // Go's names for an error inside a transaction or a second call.
        assert!(returns_an_error("return terr"));
        assert!(returns_an_error("return nil, cerr"));
        assert!(returns_an_error("return db_err"));
        assert!(!returns_an_error("return over"));
        // End to end: a transaction's error returned under its own name.
        let old = "package api\n\nfunc (a *API) Update(tx *Conn) error {\n\treturn tx.Transaction(func(tx *Conn) error {\n\t\tif err := save(tx); err != nil {\n\t\t\treturn err\n\t\t}\n\t\treturn nil\n\t})\n}\n";
        let renamed = old
            .replace(
                "err := save(tx); err != nil",
                "terr := save(tx); terr != nil",
            )
            .replace("\t\t\treturn err\n", "\t\t\treturn terr\n");
        let hit = rules_hit("internal/api/user.go", Some(old), Some(&renamed));
        assert!(
            !hit.contains(&"logic-error-swallowed".to_string()),
            "{hit:?}"
        );
        // End to end: Go, a decode error mapped to the package's sentinel.
        let old = "package invites\n\nfunc Verify(tok string) (string, error) {\n\traw, err := decode(tok)\n\tif err != nil {\n\t\treturn \"\", err\n\t}\n\treturn string(raw), nil\n}\n";
        let mapped = old.replace("\t\treturn \"\", err\n", "\t\treturn \"\", ErrSignature\n");
        let hit = rules_hit("internal/invites/token.go", Some(old), Some(&mapped));
        assert!(
            !hit.contains(&"logic-error-swallowed".to_string()),
            "{hit:?}"
        );
        let swallowed = old.replace("\t\treturn \"\", err\n", "\t\treturn \"\", nil\n");
        let hit = rules_hit("internal/invites/token.go", Some(old), Some(&swallowed));
        assert!(
            hit.contains(&"logic-error-swallowed".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn idents_reads_names_as_the_ident_pattern_does() {
        let text = "9abc $x.y_2(é, _z) -> a1b2 'str' über";
        let by_regex: Vec<&str> = super::IDENT.find_iter(text).map(|m| m.as_str()).collect();
        assert_eq!(super::idents(text).collect::<Vec<_>>(), by_regex);
        assert_eq!(by_regex, ["abc", "$x", "y_2", "_z", "a1b2", "str", "ber"]);
    }

    #[test]
    fn a_verification_that_lets_a_missing_checksum_through_is_found() {
        use crate::risk::testkit::findings_of_change;
        let old = "package main\n\nfunc install(url string) error {\n\tbody, err := get(url)\n\tif err != nil {\n\t\treturn err\n\t}\n\tsum, err := http.Get(url + \".sha256\")\n\tif err != nil {\n\t\treturn err\n\t}\n\tif sum.StatusCode != http.StatusOK {\n\t\treturn fmt.Errorf(\"no checksum\")\n\t}\n\tif digest(body) != read(sum) {\n\t\treturn fmt.Errorf(\"checksum mismatch\")\n\t}\n\treturn save(body)\n}\n";
        let new = old.replace(
            "\tif sum.StatusCode != http.StatusOK {",
            "\tif sum.StatusCode == http.StatusNotFound {\n\t\treturn save(body)\n\t}\n\tif sum.StatusCode != http.StatusOK {",
        );
        let hit = findings_of_change(&[("cmd/install.go", Some(old), Some(&new))], None);
        assert!(
            hit.iter()
                .any(|f| f.rule == "sec-verification-skipped-when-missing"),
            "{hit:?}"
        );
        // A way out that was there before is not new.
        let hit = findings_of_change(
            &[(
                "cmd/install.go",
                Some(&new),
                Some(&new.replace("save(body)\n}", "save(body) // done\n}")),
            )],
            None,
        );
        assert!(
            !hit.iter()
                .any(|f| f.rule == "sec-verification-skipped-when-missing"),
            "{hit:?}"
        );
    }

    #[test]
    fn a_yes_or_no_check_that_answers_yes_on_error_fails_open() {
        let old =
            "def is_available(line):\n    return available_quantity(line.sku) >= line.quantity\n";
        let new = "def is_available(line):\n    try:\n        return available_quantity(line.sku) >= line.quantity\n    except DatabaseError:\n        logger.warning(\"stock check failed\")\n        return True\n";
        let hit = rules_hit("inventory/reservations.py", Some(old), Some(new));
        assert!(
            hit.contains(&"logic-check-fails-open".to_string()),
            "{hit:?}"
        );
        // Failing closed is the safe answer.
        let closed = new.replace("return True", "return False");
        let hit = rules_hit("inventory/reservations.py", Some(old), Some(&closed));
        assert!(
            !hit.contains(&"logic-check-fails-open".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn a_check_moved_into_the_librarys_options_is_not_removed() {
        use crate::risk::testkit::findings_with_contents;
        let old = "package authn\n\nfunc (v *Verifier) Parse(s string) (*Claims, error) {\n\tclaims := &Claims{}\n\ttoken, err := jwt.ParseWithClaims(s, claims, v.key)\n\tif err != nil {\n\t\treturn nil, err\n\t}\n\tif !claims.VerifyIssuer(v.issuer, true) {\n\t\treturn nil, ErrInvalid\n\t}\n\treturn claims, nil\n}\n";
        let option = "package authn\n\nfunc (v *Verifier) Parse(s string) (*Claims, error) {\n\tclaims := &Claims{}\n\tparser := jwt.NewParser(jwt.WithIssuer(v.issuer))\n\ttoken, err := parser.ParseWithClaims(s, claims, v.key)\n\tif err != nil {\n\t\treturn nil, err\n\t}\n\treturn claims, nil\n}\n";
        let removed = |new: &str| {
            findings_with_contents("pkg/authn/jwt.go", old, new)
                .into_iter()
                .any(|f| f.rule.starts_with("logic-") && f.severity >= Severity::Medium)
        };
        assert!(!removed(option));
        // An unrelated option does not stand for the issuer check.
        let other = option.replace(
            "jwt.WithIssuer(v.issuer)",
            "jwt.WithLeeway(5 * time.Second)",
        );
        assert!(removed(&other));
        // The option's word in another form: `ExpiresAt` is what
        // `WithExpirationRequired` requires.
        let exp_old = old.replace(
            "!claims.VerifyIssuer(v.issuer, true)",
            "claims.ExpiresAt == nil",
        );
        let exp_new = option.replace("jwt.WithIssuer(v.issuer)", "jwt.WithExpirationRequired()");
        let removed_exp = |new: &str| {
            findings_with_contents("pkg/authn/jwt.go", &exp_old, new)
                .into_iter()
                .any(|f| f.rule.starts_with("logic-") && f.severity >= Severity::Medium)
        };
        assert!(!removed_exp(&exp_new));
        assert!(removed_exp(
            &option
                .replace("jwt.WithIssuer(v.issuer)", "jwt.WithExpiresIn(ttl)")
                .replace("WithExpiresIn", "WithLeeway")
        ));
    }

    #[test]
    fn the_same_error_kind_tested_through_another_api_is_the_same_guard() {
        use super::same_error_class;
        assert!(same_error_class(
            "errors.As(err, &ve) && ve.Errors&jwt.ValidationErrorExpired != 0",
            "errors.Is(err, jwt.ErrTokenExpired)"
        ));
        assert!(same_error_class(
            "isinstance(exc, requests.Timeout)",
            "isinstance(exc, httpx.TimeoutException)"
        ));
        // Another kind of error: not the same test.
        assert!(!same_error_class(
            "errors.Is(err, jwt.ErrTokenExpired)",
            "errors.Is(err, jwt.ErrTokenMalformed)"
        ));
        // The same kind, but only under a new condition.
        assert!(!same_error_class(
            "errors.Is(err, ErrExpired)",
            "errors.Is(err, ErrExpired) && !cfg.LenientExpiry"
        ));
    }

    #[test]
    fn a_failure_logged_before_the_work_is_recorded_done_is_found() {
        use crate::risk::testkit::findings_with_contents;
        let swallowed = |path: &str, old: &str, new: &str| {
            findings_with_contents(path, old, new)
                .into_iter()
                .any(|f| f.rule == "logic-error-swallowed" && f.severity == Severity::High)
        };
        let old = "def process(req):\n    for target in TARGETS:\n        target.erase_user(req.user_id)\n    req.status = Status.COMPLETED\n    req.save()\n";
        let new = "def process(req):\n    for target in TARGETS:\n        try:\n            target.erase_user(req.user_id)\n        except ErasureError:\n            log.exception(\"erasure failed\")\n    req.status = Status.COMPLETED\n    req.save()\n";
        assert!(swallowed("privacy/erasure.py", old, new));
        // Raised again once every target was tried: the failure escapes.
        let raised = new.replace(
            "    req.status = Status.COMPLETED\n",
            "    if failed:\n        raise ErasureIncomplete(failed)\n    req.status = Status.COMPLETED\n",
        );
        assert!(!swallowed("privacy/erasure.py", old, &raised));
        // Nothing recorded as done afterwards: a best-effort cleanup.
        let cleanup = new.replace("    req.status = Status.COMPLETED\n    req.save()\n", "");
        let old_cleanup = old.replace("    req.status = Status.COMPLETED\n    req.save()\n", "");
        assert!(!swallowed("privacy/erasure.py", &old_cleanup, &cleanup));
        // Parallel calls settled and only logged, then the order released.
        let old = "export async function release(id: string) {\n  await Promise.all(items.map((s) => ship(s)));\n  await orders.updateStatus(id, 'RELEASED');\n}\n";
        let new = "export async function release(id: string) {\n  const results = await Promise.allSettled(items.map((s) => ship(s)));\n  results.forEach((r) => {\n    if (r.status === 'rejected') {\n      logger.error({ err: r.reason }, 'ship failed');\n    }\n  });\n  await orders.updateStatus(id, 'RELEASED');\n}\n";
        assert!(swallowed("src/fulfillment/release.ts", old, new));
        let thrown = new.replace(
            "      logger.error({ err: r.reason }, 'ship failed');\n",
            "      logger.error({ err: r.reason }, 'ship failed');\n      throw r.reason;\n",
        );
        assert!(!swallowed("src/fulfillment/release.ts", old, &thrown));
    }

    #[test]
    fn a_guard_moved_into_the_function_a_factory_returns_is_kept() {
        use crate::risk::testkit::findings_with_contents;
        let old = "function requireAdmin(req, res, next) {\n  if (!req.user || !req.user.roles.includes('admin')) {\n    return res.status(403).json({ error: 'forbidden' });\n  }\n  return next();\n}\n\nmodule.exports = { requireAdmin };\n";
        let factory = "function requireRole(...allowed) {\n  if (allowed.length === 0) {\n    throw new Error('requireRole() needs a role');\n  }\n  return function roleGuard(req, res, next) {\n    const roles = req.user ? req.user.roles : [];\n    if (!allowed.some((role) => roles.includes(role))) {\n      return res.status(403).json({ error: 'forbidden' });\n    }\n    return next();\n  };\n}\n\nconst requireAdmin = requireRole('admin');\nmodule.exports = { requireRole, requireAdmin };\n";
        let removed = |new: &str| {
            findings_with_contents("src/middleware/auth.js", old, new)
                .into_iter()
                .any(|f| f.rule == "logic-guard-removed" && f.severity >= Severity::Medium)
        };
        assert!(!removed(factory));
        // The returned function stops on something else: not the same guard.
        let other = factory.replace(
            "if (!allowed.some((role) => roles.includes(role))) {\n      return res.status(403).json({ error: 'forbidden' });",
            "if (!req.session) {\n      return res.status(401).json({ error: 'login' });",
        );
        assert!(removed(&other));
    }

    #[test]
    fn a_hand_written_constant_time_compare_replaced_by_the_librarys_is_kept() {
        use crate::risk::testkit::findings_with_contents;
        let old = "def _equal(a, b):\n    if len(a) != len(b):\n        return False\n    result = 0\n    for x, y in zip(a, b):\n        result |= ord(x) ^ ord(y)\n    return result == 0\n\n\ndef verify(sig, body):\n    return _equal(sig, sign(body))\n";
        let new = "def _equal(a, b):\n    return hmac.compare_digest(a.encode(), b.encode())\n\n\ndef verify(sig, body):\n    return _equal(sig, sign(body))\n";
        let removed = |new: &str| {
            findings_with_contents("app/webhooks/signatures.py", old, new)
                .into_iter()
                .any(|f| f.rule == "logic-guard-removed" && f.severity >= Severity::Medium)
        };
        assert!(!removed(new));
        let plain = new.replace(
            "hmac.compare_digest(a.encode(), b.encode())",
            "a.startswith(b)",
        );
        assert!(removed(&plain));
    }

    #[test]
    fn a_check_restated_through_a_call_that_also_upgrades_does_not_fail_open() {
        let old = "def authenticate(email, password):\n    user = db.users.by_email(email)\n    if user is None:\n        return None\n    if not passwords.verify_password(password, user.password_hash):\n        log.info(\"login failed\")\n        return None\n    return user\n";
        let new = "def authenticate(email, password):\n    user = db.users.by_email(email)\n    if user is None:\n        return None\n    ok, new_hash = passwords.verify_and_update(password, user.password_hash)\n    if not ok:\n        log.info(\"login failed\")\n        return None\n    if new_hash is not None:\n        db.users.update_password_hash(user.id, new_hash)\n    return user\n";
        let hit = rules_hit("app/auth/service.py", Some(old), Some(new));
        assert!(
            !hit.contains(&"logic-check-fails-open".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn an_access_check_handed_to_the_authorization_service_is_restated() {
        use crate::risk::testkit::findings_with_contents;
        let old = "public class DocumentsController : ControllerBase\n{\n    public async Task<IActionResult> Get(Guid id)\n    {\n        var doc = await _db.Documents.FindAsync(id);\n        if (doc is null) return NotFound();\n        if (!CanAccess(doc.OwnerId)) return Forbid();\n        return Ok(doc);\n    }\n}\n";
        let new = "public class DocumentsController : ControllerBase\n{\n    public async Task<IActionResult> Get(Guid id)\n    {\n        var doc = await _db.Documents.FindAsync(id);\n        if (doc is null) return NotFound();\n        var authz = await _authz.AuthorizeAsync(User, doc, \"DocumentOwner\");\n        if (!authz.Succeeded) return Forbid();\n        return Ok(doc);\n    }\n}\n";
        let high = |new: &str| {
            findings_with_contents("src/Docs.Api/Controllers/DocumentsController.cs", old, new)
                .iter()
                .any(|f| f.rule.starts_with("logic-guard") && f.severity >= Severity::High)
        };
        assert!(!high(new));
        // A verdict from something that is no authorization check.
        assert!(high(&new.replace(
            "_authz.AuthorizeAsync(User, doc, \"DocumentOwner\")",
            "_audit.RecordAsync(User, doc)"
        )));
    }

    #[test]
    fn an_exact_allow_list_answer_made_a_prefix_match_is_found() {
        let old = "export function isAllowedRedirect(client: Client, uri: string): boolean {\n  return client.redirectUris.includes(uri);\n}\n";
        let new = "export function isAllowedRedirect(client: Client, uri: string): boolean {\n  const candidate = new URL(uri).origin;\n  return client.redirectUris.some((r) => candidate.startsWith(r));\n}\n";
        let hit = rules_hit("src/oauth/redirect.ts", Some(old), Some(new));
        // Read by the allow-list rule when it names the line first.
        assert!(
            hit.contains(&"logic-match-partial".to_string())
                || hit.contains(&"host-match-partial".to_string()),
            "{hit:?}"
        );
        // Exact still, after normalising: not partial.
        let exact = new.replace("candidate.startsWith(r)", "candidate === r");
        let hit = rules_hit("src/oauth/redirect.ts", Some(old), Some(&exact));
        assert!(!hit.contains(&"logic-match-partial".to_string()), "{hit:?}");
    }

    #[test]
    fn a_name_renamed_the_same_way_everywhere_is_the_rename_the_message_says() {
        use crate::risk::testkit::findings_of_change;
        let dynamic_old = "http:\n  middlewares:\n    secure-headers:\n      headers:\n        frameDeny: true\n  routers:\n    api:\n      rule: Host(`api.example.com`)\n      middlewares:\n        - secure-headers\n";
        let dynamic_new = dynamic_old.replace("secure-headers", "security-headers");
        let compose_old = "services:\n  status:\n    image: status:1\n    labels:\n      - traefik.http.routers.status.middlewares=secure-headers@file\n";
        let compose_new = compose_old.replace("secure-headers", "security-headers");
        let intent = |compose: &str| {
            findings_of_change(
                &[
                    ("traefik/dynamic.yml", Some(dynamic_old), Some(&dynamic_new)),
                    ("docker-compose.yml", Some(compose_old), Some(compose)),
                ],
                Some("Rename secure-headers middleware to security-headers"),
            )
            .into_iter()
            .any(|f| f.rule == "intent-behaviour-changed")
        };
        assert!(!intent(&compose_new));
        // A router left on the old name: not the same everywhere.
        assert!(intent(compose_old));
    }

    #[test]
    fn a_helper_replaced_by_the_library_function_of_its_name_is_the_same_code() {
        use crate::risk::testkit::findings_of_change;
        let old = "package authz\n\nfunc contains(list []string, s string) bool {\n\tfor _, v := range list {\n\t\tif v == s {\n\t\t\treturn true\n\t\t}\n\t}\n\treturn false\n}\n\nfunc Allowed(c Claims, r string) error {\n\tif !contains(c.Scopes, r) {\n\t\treturn ErrForbidden\n\t}\n\treturn nil\n}\n";
        let library = "package authz\n\nimport \"slices\"\n\nfunc Allowed(c Claims, r string) error {\n\tif !slices.Contains(c.Scopes, r) {\n\t\treturn ErrForbidden\n\t}\n\treturn nil\n}\n";
        let alarms = |new: &str| {
            findings_of_change(
                &[("internal/authz/scopes.go", Some(old), Some(new))],
                Some("Use slices.Contains from the standard library\n\nNo behaviour change."),
            )
            .into_iter()
            .any(|f| f.severity >= Severity::High)
        };
        assert!(!alarms(library));
        // A library function of another name is not known to be the same.
        let other = library.replace(
            "!slices.Contains(c.Scopes, r)",
            "!slices.ContainsFunc(c.Scopes, prefixOf(r))",
        );
        assert!(alarms(&other));
        // Nor one that only shares the helper's first word (`containsPrefix`
        // is not `Contains`).
        let prefix_old = old.replace("contains", "containsPrefix");
        let prefix_alarms = findings_of_change(
            &[("internal/authz/scopes.go", Some(&prefix_old), Some(library))],
            Some("Use slices.Contains from the standard library\n\nNo behaviour change."),
        )
        .into_iter()
        .any(|f| f.severity >= Severity::High);
        assert!(prefix_alarms);
    }

    #[test]
    fn a_call_is_read_with_the_path_it_is_written_with() {
        use super::qualified_call;
        assert_eq!(
            qualified_call("if !slices.Contains(c.Scopes, r) {", "Contains").as_deref(),
            Some("slices.Contains")
        );
        assert_eq!(
            qualified_call("x := hasContains(a) + min(a, b)", "min").as_deref(),
            Some("min")
        );
        assert_eq!(qualified_call("xContains(a)", "Contains"), None);
        // Text that is not ASCII before the call does not split a character.
        assert_eq!(
            qualified_call("« é»slices.Contains(a, b)", "Contains").as_deref(),
            Some("slices.Contains")
        );
    }

    #[test]
    fn a_guard_made_stricter_is_not_a_weakened_one() {
        use crate::risk::testkit::findings_with_contents;
        let high_change = |path: &str, old: &str, new: &str| {
            findings_with_contents(path, old, new)
                .into_iter()
                .any(|f| f.rule == "logic-guard-changed" && f.severity >= Severity::Medium)
        };
        // An opt-out argument dropped from the verifier call.
        let old = "class Hook {\n    ResponseEntity<Void> receive(String body, String signature) {\n        if (!verifier.verify(body, signature, properties.isSkipSignatureCheck())) {\n            return ResponseEntity.status(401).build();\n        }\n        return handle(body);\n    }\n}\n";
        let strict = old.replace(", properties.isSkipSignatureCheck())", ")");
        let p = "src/main/java/app/webhook/Hook.java";
        assert!(!high_change(p, old, &strict));
        // An opt-out added is the opposite.
        let loose = old.replace(
            "properties.isSkipSignatureCheck()",
            "properties.isSkipSignatureCheck(), request.getHeader(\"X-Debug\"))",
        );
        assert!(high_change(p, &strict, &loose) || high_change(p, old, &loose));
        // A plain comparison of MACs made constant-time.
        let old = "package hooks\n\nfunc Verify(sig string, body []byte) error {\n\tif expected(body) != sig {\n\t\treturn ErrBadSignature\n\t}\n\treturn nil\n}\n";
        let ct = old.replace(
            "expected(body) != sig",
            "!hmac.Equal([]byte(expected(body)), []byte(sig))",
        );
        assert!(!high_change("internal/webhooks/verify.go", old, &ct));
        // Made a prefix test instead: weaker, and found.
        let prefix = old.replace(
            "expected(body) != sig",
            "!strings.HasPrefix(expected(body), sig)",
        );
        assert!(high_change("internal/webhooks/verify.go", old, &prefix));
    }

    #[test]
    fn a_role_check_made_into_the_methods_annotation_is_kept() {
        use crate::risk::testkit::rules_hit_with_contents;
        let old = "class HoldService {\n    public void place(User user, UUID id) {\n        if (!user.hasAuthority(\"ROLE_LEGAL_ADMIN\")) {\n            throw new AccessDeniedException(\"legal admins only\");\n        }\n        repo.place(id);\n    }\n}\n";
        let annotated = "class HoldService {\n    @PreAuthorize(\"hasRole('LEGAL_ADMIN')\")\n    public void place(User user, UUID id) {\n        repo.place(id);\n    }\n}\n";
        let hit = rules_hit_with_contents("src/main/java/app/HoldService.java", old, annotated);
        assert!(!hit.contains(&"logic-guard-removed".to_string()), "{hit:?}");
        // Another role in the annotation: the check is not the same.
        let other = annotated.replace("LEGAL_ADMIN", "SUPPORT");
        let hit = rules_hit_with_contents("src/main/java/app/HoldService.java", old, &other);
        assert!(hit.contains(&"logic-guard-removed".to_string()), "{hit:?}");
    }

    #[test]
    fn a_decorator_naming_the_same_role_keeps_the_check() {
        let new = vec!["[Authorize(Policy = \"RequireAdmin\")]".to_string()];
        assert!(super::same_decorator_kept(
            "[Authorize(Roles = \"Admin\")]",
            &new
        ));
        assert!(!super::same_decorator_kept(
            "[Authorize(Roles = \"Admin\")]",
            &["[Authorize]".to_string()]
        ));
        assert!(!super::same_decorator_kept(
            "[Authorize(Roles = \"Admin\")]",
            &["[AllowAnonymous(\"admin\")]".to_string()]
        ));
    }

    #[test]
    fn a_hook_that_only_says_yes_allows_everything() {
        let php = "class R extends FormRequest\n{\n    public function authorize(): bool\n    {\n        return true;\n    }\n}\n";
        assert!(super::allows_everything(php, "authorize"));
        let py = "class P(BasePermission):\n    def has_permission(self, request, view):\n        return True\n";
        assert!(super::allows_everything(py, "has_permission"));
        let real = "public function authorize(): bool\n{\n    return $this->user()->can('update', $this->route('account'));\n}\n";
        assert!(!super::allows_everything(real, "authorize"));
    }

    #[test]
    fn a_failed_verdict_tested_another_way_is_the_same_check() {
        use super::{outer_calls, verdict_restated};
        assert_eq!(
            outer_calls("!s.Members.CanWrite(r.Context(), p.ID)"),
            ["CanWrite".to_string()].into_iter().collect()
        );
        let old = "!verifier::verify(&secret, ts, &body, &sig)";
        assert!(verdict_restated(
            old,
            "let Err(e) = verifier::verify(&secret, ts, &body, &sig)",
            ""
        ));
        // Success tested instead of failure, another call, or a way round.
        assert!(!verdict_restated(
            old,
            "let Ok(_) = verifier::verify(&secret, ts, &body, &sig)",
            ""
        ));
        assert!(!verdict_restated(
            old,
            "let Err(e) = verifier::verify(&secret, 0, &body, &sig)",
            ""
        ));
        assert!(!verdict_restated(
            "!doc.isOwnedBy(user)",
            "!doc.isOwnedBy(user) && !doc.isShared()",
            ""
        ));
        // The same test, now made for each of several keys, its result kept
        // in a local the guard tests.
        let sigs = "!signatures.some((sig) => safeEqualHex(expected, sig))";
        let rotated = "const matched = secrets.some((secret) => { const expected = sign(secret, timestamp, rawBody); return signatures.some((sig) => safeEqualHex(expected, sig)); }); if (!matched) { throw new WebhookSignatureError(\"signature mismatch\"); }";
        assert!(verdict_restated(sigs, "!matched", rotated));
        // A local that holds something else, the call made elsewhere.
        let other = "const matched = secrets.length > 0; log(signatures.some((sig) => safeEqualHex(expected, sig))); if (!matched) { throw new Error(); }";
        assert!(!verdict_restated(sigs, "!matched", other));
    }

    #[test]
    fn a_check_called_under_its_new_address_is_the_same_check() {
        use super::name_words;
        assert_eq!(name_words("Csrf::verify"), name_words("csrf_verify"));
        assert_eq!(name_words("$this->csrf->verify"), name_words("csrfVerify"));
        assert_eq!(
            name_words("permissions.check"),
            name_words("check_permission")
        );
        assert_ne!(name_words("csrf_verify"), name_words("csrf_token"));
        let old = "<?php\nfunction process($req) {\n    if (!csrf_verify($req->token)) {\n        throw new Forbidden();\n    }\n    return next($req);\n}\n";
        let moved = old.replace("csrf_verify(", "Csrf::verify(");
        let hit = rules_hit(
            "src/Http/Middleware/VerifyCsrf.php",
            Some(old),
            Some(&moved),
        );
        assert!(!hit.contains(&"logic-check-removed".to_string()), "{hit:?}");
        // Another function called instead: not a rename of the check.
        let swapped = old.replace("csrf_verify(", "isset(");
        let hit = rules_hit(
            "src/Http/Middleware/VerifyCsrf.php",
            Some(old),
            Some(&swapped),
        );
        assert!(hit.iter().any(|r| r.starts_with("logic-")), "{hit:?}");
        let gone = old.replace("!csrf_verify($req->token)", "$req->token === null");
        let hit = rules_hit("src/Http/Middleware/VerifyCsrf.php", Some(old), Some(&gone));
        assert!(hit.iter().any(|r| r.starts_with("logic-")), "{hit:?}");
    }

    #[test]
    fn a_check_moved_into_an_inherited_mixin_is_kept() {
        let old = "class InvoiceDeleteView(View):\n    def post(self, request, pk):\n        if not request.user.has_perm(\"billing.delete_invoice\"):\n            raise PermissionDenied\n        delete(pk)\n";
        let mixin = "class StaffMixin:\n    required = None\n\n    def dispatch(self, request, *a, **k):\n        if not request.user.has_perm(self.required):\n            raise PermissionDenied\n        return super().dispatch(request, *a, **k)\n\n\n";
        let new = format!(
            "{mixin}class InvoiceDeleteView(StaffMixin, View):\n    required = \"billing.delete_invoice\"\n\n    def post(self, request, pk):\n        delete(pk)\n"
        );
        let hit = rules_hit("billing/views.py", Some(old), Some(&new));
        assert!(!hit.contains(&"logic-guard-removed".to_string()), "{hit:?}");
        // The view no longer inherits it: the check is gone.
        let unmixed = new.replace("(StaffMixin, View)", "(View)");
        let hit = rules_hit("billing/views.py", Some(old), Some(&unmixed));
        assert!(hit.contains(&"logic-guard-removed".to_string()), "{hit:?}");
    }

    #[test]
    fn the_same_check_asked_of_another_receiver_is_still_made() {
        let old = "<?php\nclass ProjectController extends Controller\n{\n    public function show(Project $project)\n    {\n        $this->authorize('view', $project);\n        return new ProjectResource($project);\n    }\n}\n";
        let gate = old.replace("$this->authorize(", "Gate::authorize(");
        let hit = rules_hit(
            "app/Http/Controllers/ProjectController.php",
            Some(old),
            Some(&gate),
        );
        assert!(!hit.contains(&"logic-check-removed".to_string()), "{hit:?}");
        // Asked about another ability, it is not the same check.
        let other = gate.replace("'view'", "'viewAny'");
        let hit = rules_hit(
            "app/Http/Controllers/ProjectController.php",
            Some(old),
            Some(&other),
        );
        assert!(hit.contains(&"logic-check-removed".to_string()), "{hit:?}");
    }

    #[test]
    fn a_primitive_called_through_its_static_api_is_still_called() {
        let path = "src/Billing.Api/Webhooks/WebhookSignature.cs";
        let old = "public static class WebhookSignature\n{\n    public static bool IsValid(byte[] body, byte[] secret, byte[] given)\n    {\n        using var hmac = new HMACSHA256(secret);\n        var expected = hmac.ComputeHash(body);\n        return CryptographicOperations.FixedTimeEquals(expected, given);\n    }\n}\n";
        let oneshot = old.replace(
            "        using var hmac = new HMACSHA256(secret);\n        var expected = hmac.ComputeHash(body);\n",
            "        var expected = HMACSHA256.HashData(secret, body);\n",
        );
        let hit = rules_hit(path, Some(old), Some(&oneshot));
        assert!(!hit.contains(&"logic-check-removed".to_string()), "{hit:?}");
        // A digest without the key is no signature check.
        let unkeyed = old.replace(
            "        using var hmac = new HMACSHA256(secret);\n        var expected = hmac.ComputeHash(body);\n",
            "        var expected = SHA256.HashData(body);\n",
        );
        let hit = rules_hit(path, Some(old), Some(&unkeyed));
        assert!(hit.contains(&"logic-check-removed".to_string()), "{hit:?}");
    }

    #[test]
    fn a_guard_dropped_in_a_rename_is_found() {
        let old = "def withdraw(account, amount):\n    if amount > account.balance:\n        raise InsufficientFunds(amount)\n    account.debit(amount)\n\ndef transfer(account, to, amount):\n    if amount > account.balance:\n        raise InsufficientFunds(amount)\n    account.move(to, amount)\n";
        let new = "def debit(account, amount):\n    account.debit(amount)\n\ndef transfer(account, to, amount):\n    if amount > account.balance:\n        raise InsufficientFunds(amount)\n    account.move(to, amount)\n";
        let hit = rules_hit("bank/accounts.py", Some(old), Some(new));
        assert!(hit.contains(&"logic-guard-removed".to_string()), "{hit:?}");
        // A pure rename is not a behavioural change.
        let renamed = old.replace("withdraw", "debit_account");
        let hit = rules_hit("bank/accounts.py", Some(old), Some(&renamed));
        assert!(hit.iter().all(|r| !r.starts_with("logic-")), "{hit:?}");
    }

    #[test]
    fn a_guard_restated_in_a_test_does_not_stand_in_for_the_one_removed() {
        use crate::risk::testkit::diff_of;
        use crate::risk::{Contents, RuleSet, findings};
        let old = "def withdraw(account, amount):\n    if amount > account.balance:\n        raise InsufficientFunds(amount)\n    account.debit(amount)\n";
        let new = "def withdraw(account, amount):\n    account.debit(amount)\n";
        let test = "def check_limit(account, amount):\n    if amount > account.balance:\n        raise InsufficientFunds(amount)\n\ndef test_withdraw(account):\n    check_limit(account, 5)\n    withdraw(account, 5)\n";
        let mut diff = diff_of("bank/accounts.py", Some(old), Some(new));
        diff.files
            .extend(diff_of("tests/test_accounts.py", None, Some(test)).files);
        let hit: Vec<String> = findings(&diff, &Contents::new(), &RuleSet::builtin())
            .into_iter()
            .map(|f| f.rule)
            .collect();
        assert!(hit.contains(&"logic-guard-removed".to_string()), "{hit:?}");
    }

    #[test]
    fn names_that_carry_headers_or_tokens_are_seen_through_their_helpers() {
        assert_eq!(super::bare_name("headersof"), "headers");
        assert_eq!(super::bare_name("dumpheaders"), "headers");
        assert_eq!(super::bare_name("tokenfor"), "token");
        assert_eq!(super::bare_name("tokencount"), "tokencount");
        assert_eq!(super::bare_name("format"), "format");
        assert!(
            super::logged_secret("log.info: \"{} {}\", request.getMethod(), headersOf(request)")
                .is_some()
        );
        assert!(super::logged_secret("log.info: \"{}\", headerCount(request)").is_none());
        // A one-way fingerprint of the token is not the token.
        assert!(
            super::logged_secret("warn: { path: req.path, fp: tokenFingerprint(token) }").is_none()
        );
        assert!(
            super::logged_secret("warn: { fp: tokenFingerprint(token), raw: token }").is_some()
        );
        assert!(super::logged_secret("warn: { kid: unverifiedKid(token) }").is_none());
        assert!(super::logged_secret("info: \"t=%s\", str(token)").is_some());
    }

    #[test]
    fn a_decision_that_answers_yes_when_it_fails_is_found() {
        let old = "def is_allowed(user, doc):\n    return policy.check(user.id, doc.id)\n";
        let open = "def is_allowed(user, doc):\n    try:\n        return policy.check(user.id, doc.id)\n    except Exception:\n        log.warning(\"policy down\")\n        return True\n";
        let hit = rules_hit("app/access.py", Some(old), Some(open));
        assert!(
            hit.contains(&"logic-check-fails-open".to_string()),
            "{hit:?}"
        );
        // Failing closed is what a check should do.
        let closed = open.replace("return True", "return False");
        let hit = rules_hit("app/access.py", Some(old), Some(&closed));
        assert!(
            !hit.contains(&"logic-check-fails-open".to_string()),
            "{hit:?}"
        );
        // The same fallback in a function that decides nothing.
        let plain = open.replace("is_allowed", "render_badge");
        let hit = rules_hit(
            "app/access.py",
            Some(&old.replace("is_allowed", "render_badge")),
            Some(&plain),
        );
        assert!(
            !hit.contains(&"logic-check-fails-open".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn a_new_check_that_passes_when_its_setting_is_unset_is_found() {
        let old = "import ssl\n\ndef client():\n    return make_client()\n";
        let open = "import ssl\n\ndef client():\n    return make_client()\n\ndef verify_partner_cert(cert):\n    if settings.PARTNER_CA_BUNDLE is None:\n        return True\n    return chain_ok(cert, settings.PARTNER_CA_BUNDLE)\n";
        let hit = rules_hit("app/partners.py", Some(old), Some(open));
        assert!(
            hit.contains(&"logic-check-fails-open".to_string()),
            "{hit:?}"
        );
        // Refusing when the setting is missing is the safe way round.
        let closed = open.replace("return True", "return False");
        let hit = rules_hit("app/partners.py", Some(old), Some(&closed));
        assert!(
            !hit.contains(&"logic-check-fails-open".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn a_guard_moved_into_a_called_function_is_not_removed() {
        let old = "def show(id):\n    stmt = session.get(Statement, id)\n    if stmt is None or stmt.account_id != g.user.account_id:\n        abort(404)\n    return jsonify(stmt)\n";
        let new = "def _owned(id, user):\n    stmt = session.get(Statement, id)\n    if stmt is None or stmt.account_id != user.account_id:\n        abort(404)\n    return stmt\n\ndef show(id):\n    stmt = _owned(id, g.user)\n    return jsonify(stmt)\n";
        let hit = rules_hit("app/statements.py", Some(old), Some(new));
        assert!(!hit.contains(&"logic-guard-removed".to_string()), "{hit:?}");
        // The helper that tests less is not the same check.
        let weaker = new.replace(" or stmt.account_id != user.account_id", "");
        let hit = rules_hit("app/statements.py", Some(old), Some(&weaker));
        assert!(
            hit.iter()
                .any(|r| r == "logic-guard-removed" || r == "logic-guard-changed"),
            "{hit:?}"
        );
    }

    #[test]
    fn a_receiver_renamed_is_the_same_condition_a_different_subject_is_not() {
        use super::receiver_renamed;
        assert!(receiver_renamed(
            "!item.currency().equals(currency)",
            "!currency.equals(other.currency)"
        ));
        assert!(receiver_renamed(
            "$order->total() > $limit",
            "$cart->total() > $limit"
        ));
        // Compared with itself, not with the owner.
        assert!(!receiver_renamed(
            "user.id == owner.id",
            "user.id == user.id"
        ));
        // A name inside the chain is not the receiver: another field.
        assert!(!receiver_renamed(
            "!req.user.isAdmin()",
            "!req.target.isAdmin()"
        ));
        // An ordering turned around.
        assert!(!receiver_renamed(
            "order.total > limit",
            "limit > cart.total"
        ));
        assert!(!receiver_renamed(
            "order.total > limit",
            "cart.total >= limit"
        ));
    }

    #[test]
    fn a_guard_moved_into_the_value_class_it_now_calls_is_not_removed() {
        use crate::risk::testkit::findings_of_change;
        let calculator = |body: &str| {
            format!(
                "package acme.billing;\n\npublic class InvoiceCalculator {{\n    public Money total(List<LineItem> items, String currency) {{\n        Money sum = Money.zero(currency);\n        for (LineItem item : items) {{\n{body}        }}\n        return sum;\n    }}\n}}\n"
            )
        };
        let old = calculator(
            "            if (!item.currency().equals(currency)) {\n                throw new IllegalArgumentException(\"Currency mismatch: \" + item.currency());\n            }\n            sum = new Money(sum.amount().add(item.amount()), currency);\n",
        );
        let new = calculator("            sum = sum.plus(item.price());\n");
        let money = |cond: &str, thrown: &str| {
            format!(
                "package acme.billing;\n\npublic record Money(BigDecimal amount, String currency) {{\n    public Money plus(Money other) {{\n        requireSameCurrency(other);\n        return new Money(amount.add(other.amount), currency);\n    }}\n\n    private void requireSameCurrency(Money other) {{\n        if ({cond}) {{\n            throw new {thrown}(\"Currency mismatch: \" + other.currency());\n        }}\n    }}\n}}\n"
            )
        };
        let removed = |money: &String| {
            findings_of_change(
                &[
                    (
                        "src/acme/billing/InvoiceCalculator.java",
                        Some(&old),
                        Some(&new),
                    ),
                    ("src/acme/billing/Money.java", None, Some(money)),
                ],
                Some("Introduce Money value object\n\nNo behaviour change."),
            )
            .iter()
            .any(|x| {
                x.rule == "logic-guard-removed"
                    || x.rule == "intent-behaviour-changed" && x.message.contains("currency")
            })
        };
        assert!(!removed(&money(
            "!currency.equals(other.currency)",
            "IllegalArgumentException"
        )));
        // One that asks something else, or only logs, is not the same guard.
        assert!(removed(&money(
            "!amount.equals(other.amount)",
            "IllegalArgumentException"
        )));
        assert!(removed(&money(
            "!currency.equals(other.currency)",
            "IllegalStateException"
        )));
    }

    #[test]
    fn a_nil_answer_made_a_sentinel_error_keeps_the_callers_guards() {
        use crate::risk::testkit::findings_of_change;
        let store = |none: &str| {
            format!(
                "package store\n\nvar ErrNotFound = errors.New(\"store: not found\")\n\nfunc (s *Users) GetUserByEmail(ctx context.Context, email string) (*User, error) {{\n\tvar u User\n\terr := s.db.QueryRowContext(ctx, q, email).Scan(&u.ID, &u.Hash)\n\tif errors.Is(err, sql.ErrNoRows) {{\n\t\treturn nil, {none}\n\t}}\n\tif err != nil {{\n\t\treturn nil, err\n\t}}\n\treturn &u, nil\n}}\n"
            )
        };
        let old_login = "package auth\n\nfunc (s *Service) Login(ctx context.Context, email, pw string) (*store.User, error) {\n\tu, err := s.users.GetUserByEmail(ctx, email)\n\tif err != nil {\n\t\treturn nil, err\n\t}\n\tif u == nil {\n\t\treturn nil, ErrInvalidCredentials\n\t}\n\treturn u, check(u, pw)\n}\n";
        let new_login = |test: &str| {
            format!(
                "package auth\n\nfunc (s *Service) Login(ctx context.Context, email, pw string) (*store.User, error) {{\n\tu, err := s.users.GetUserByEmail(ctx, email)\n\tif {test} {{\n\t\treturn nil, ErrInvalidCredentials\n\t}}\n\tif err != nil {{\n\t\treturn nil, err\n\t}}\n\treturn u, check(u, pw)\n}}\n"
            )
        };
        let old_register = "package signup\n\nfunc (r *Registrar) Register(ctx context.Context, email string) (*store.User, error) {\n\texisting, err := r.users.GetUserByEmail(ctx, email)\n\tif err != nil {\n\t\treturn nil, err\n\t}\n\tif existing != nil {\n\t\treturn nil, ErrEmailTaken\n\t}\n\treturn r.create(ctx, email)\n}\n";
        let new_register = "package signup\n\nfunc (r *Registrar) Register(ctx context.Context, email string) (*store.User, error) {\n\t_, err := r.users.GetUserByEmail(ctx, email)\n\tswitch {\n\tcase err == nil:\n\t\treturn nil, ErrEmailTaken\n\tcase !errors.Is(err, store.ErrNotFound):\n\t\treturn nil, err\n\t}\n\treturn r.create(ctx, email)\n}\n";
        let alarms = |none: &str, test: &str| -> Vec<String> {
            findings_of_change(
                &[
                    (
                        "internal/store/users.go",
                        Some(&store("nil")),
                        Some(&store(none)),
                    ),
                    (
                        "internal/auth/login.go",
                        Some(old_login),
                        Some(&new_login(test)),
                    ),
                    (
                        "internal/signup/register.go",
                        Some(old_register),
                        Some(new_register),
                    ),
                ],
                Some("store: return ErrNotFound instead of (nil, nil)"),
            )
            .into_iter()
            .filter(|x| x.severity >= Severity::High)
            .map(|x| x.rule)
            .collect()
        };
        let hit = alarms("ErrNotFound", "errors.Is(err, store.ErrNotFound)");
        assert!(hit.is_empty(), "{hit:?}");
        // A test of another error is not the nil answer's.
        let hit = alarms("ErrNotFound", "errors.Is(err, store.ErrConflict)");
        assert!(!hit.is_empty(), "{hit:?}");
    }

    #[test]
    fn forgery_protection_dropped_with_a_cookieless_api_base_is_no_removed_check() {
        let old = "module Api\n  class BaseController < ApplicationController\n    protect_from_forgery with: :null_session\n    before_action :authenticate_api_token!\n  end\nend\n";
        let api = "module Api\n  class BaseController < ActionController::API\n    before_action :authenticate_api_token!\n  end\nend\n";
        let hit = rules_hit(
            "app/controllers/api/base_controller.rb",
            Some(old),
            Some(api),
        );
        assert!(!hit.contains(&"logic-check-removed".to_string()), "{hit:?}");
        let cookies = api.replace(
            "    before_action",
            "    include ActionController::Cookies\n    before_action",
        );
        let hit = rules_hit(
            "app/controllers/api/base_controller.rb",
            Some(old),
            Some(&cookies),
        );
        assert!(hit.contains(&"logic-check-removed".to_string()), "{hit:?}");
        let kept_base = old.replace("    protect_from_forgery with: :null_session\n", "");
        let hit = rules_hit(
            "app/controllers/api/base_controller.rb",
            Some(old),
            Some(&kept_base),
        );
        assert!(hit.contains(&"logic-check-removed".to_string()), "{hit:?}");
    }

    #[test]
    fn an_error_answered_in_place_now_returned_to_the_caller_is_kept() {
        let old = "package httpapi\n\nfunc (h *Handler) get(w http.ResponseWriter, r *http.Request) {\n\tacct, err := h.store.Get(r.Context(), id(r))\n\tif err == store.ErrNotFound {\n\t\thttp.Error(w, \"not found\", http.StatusNotFound)\n\t\treturn\n\t}\n\tif err != nil {\n\t\thttp.Error(w, \"internal\", 500)\n\t\treturn\n\t}\n\twriteJSON(w, acct)\n}\n";
        let new = "package httpapi\n\nfunc (h *Handler) get(w http.ResponseWriter, r *http.Request) error {\n\tacct, err := h.store.Get(r.Context(), id(r))\n\tif err != nil {\n\t\treturn err\n\t}\n\treturn writeJSON(w, acct)\n}\n";
        let hit: Vec<String> =
            crate::risk::testkit::findings_with_contents("internal/httpapi/accounts.go", old, new)
                .into_iter()
                .map(|x| format!("{} {}", x.rule, x.message))
                .collect();
        assert!(
            !hit.iter().any(|x| x.starts_with("logic-guard-removed")),
            "{hit:?}"
        );
        // Swallowed instead: the failure no longer stops it.
        let swallowed = new.replace("\t\treturn err\n", "\t\tlog.Print(err)\n");
        let hit = rules_hit("internal/httpapi/accounts.go", Some(old), Some(&swallowed));
        assert!(
            hit.iter()
                .any(|r| r == "logic-guard-removed" || r.starts_with("err-")),
            "{hit:?}"
        );
    }

    #[test]
    fn a_guard_moved_into_the_extractor_a_handler_takes_is_kept() {
        use crate::risk::testkit::findings_of_change;
        let old_routes = "pub async fn delete_user(\n    user: AuthUser,\n    State(state): State<AppState>,\n    Path(id): Path<Uuid>,\n) -> Result<StatusCode, ApiError> {\n    if !user.is_admin() {\n        return Err(ApiError::Forbidden);\n    }\n    state.users.delete(id).await?;\n    Ok(StatusCode::NO_CONTENT)\n}\n";
        let new_routes = "pub async fn delete_user(\n    AdminUser(user): AdminUser,\n    State(state): State<AppState>,\n    Path(id): Path<Uuid>,\n) -> Result<StatusCode, ApiError> {\n    state.users.delete(id).await?;\n    Ok(StatusCode::NO_CONTENT)\n}\n";
        let extractor = |cond: &str| {
            format!(
                "pub struct AdminUser(pub AuthUser);\n\n#[async_trait]\nimpl<S> FromRequestParts<S> for AdminUser\nwhere\n    S: Send + Sync,\n{{\n    type Rejection = ApiError;\n\n    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {{\n        let user = AuthUser::from_request_parts(parts, state).await?;\n        if {cond} {{\n            return Err(ApiError::Forbidden);\n        }}\n        Ok(AdminUser(user))\n    }}\n}}\n"
            )
        };
        let removed = |cond: &str| {
            findings_of_change(
                &[
                    ("src/routes/admin.rs", Some(old_routes), Some(new_routes)),
                    ("src/auth/admin.rs", None, Some(&extractor(cond))),
                ],
                Some("auth: add AdminUser extractor"),
            )
            .iter()
            .any(|x| x.rule == "logic-guard-removed" || x.rule == "sec-auth-check-removed")
        };
        assert!(!removed("!user.is_admin()"));
        assert!(removed("!user.is_active()"));
    }

    #[test]
    fn a_guard_hoisted_onto_the_class_is_not_removed() {
        let old = "@Controller('payouts')\nexport class PayoutsController {\n  @Get()\n  @UseGuards(JwtAuthGuard, RolesGuard)\n  list(user: U) {\n    return this.p.list(user.orgId);\n  }\n}\n";
        let hoisted = "@Controller('payouts')\n@UseGuards(JwtAuthGuard, RolesGuard)\nexport class PayoutsController {\n  @Get()\n  list(user: U) {\n    return this.p.list(user.orgId);\n  }\n}\n";
        let removal = |hit: &[String]| {
            hit.iter()
                .any(|r| r == "logic-check-removed" || r == "sec-auth-check-removed")
        };
        let hit = rules_hit(
            "src/payouts/payouts.controller.ts",
            Some(old),
            Some(hoisted),
        );
        assert!(!removal(&hit), "{hit:?}");
        let dropped = hoisted.replace("@UseGuards(JwtAuthGuard, RolesGuard)\n", "");
        let hit = rules_hit(
            "src/payouts/payouts.controller.ts",
            Some(old),
            Some(&dropped),
        );
        assert!(removal(&hit), "{hit:?}");
    }

    #[test]
    fn a_condition_on_what_a_new_helper_returned_is_a_moved_check() {
        let fresh: super::HashSet<String> =
            ["EnsureCanRefund".to_string(), "checkLimits".to_string()]
                .into_iter()
                .collect();
        let text = "var problem = EnsureCanRefund(order, user, amount); if (problem is not null) return problem; err := checkLimits(req)";
        assert!(super::tests_result_of("problem is not null", &fresh, text));
        assert!(super::tests_result_of("err != nil", &fresh, text));
        // A value from elsewhere, or one the helper did not produce.
        assert!(!super::tests_result_of("amount > limit", &fresh, text));
        assert!(!super::tests_result_of(
            "order.total == problem",
            &fresh,
            text
        ));
        assert!(!super::tests_result_of("null", &fresh, text));
        // Compared with, not assigned from, the helper's result.
        let compared = "if (problem == EnsureCanRefund(order)) return;";
        assert!(!super::tests_result_of(
            "problem is not null",
            &fresh,
            compared
        ));
    }

    #[test]
    fn a_guard_on_what_a_new_helper_returned_is_the_same_check() {
        let old = "package api\n\nfunc (s *Server) Update(w http.ResponseWriter, r *http.Request) {\n\tif !s.Members.CanWrite(r.Context(), r.URL.Path) {\n\t\thttp.Error(w, \"not found\", 404)\n\t\treturn\n\t}\n\ts.store.Update(r.URL.Path)\n}\n";
        let new = "package api\n\nfunc (s *Server) authorize(r *http.Request) bool {\n\treturn s.Members.CanWrite(r.Context(), r.URL.Path)\n}\n\nfunc (s *Server) Update(w http.ResponseWriter, r *http.Request) {\n\tok := s.authorize(r)\n\tif !ok {\n\t\thttp.Error(w, \"not found\", 404)\n\t\treturn\n\t}\n\ts.store.Update(r.URL.Path)\n}\n";
        let guard = |hit: &[String]| {
            hit.iter()
                .any(|r| r == "logic-guard-changed" || r == "logic-guard-removed")
        };
        let hit =
            crate::risk::testkit::rules_hit_with_contents("internal/api/projects.go", old, new);
        assert!(!guard(&hit), "{hit:?}");
        // A helper that checks nothing: still a finding.
        let hollow = new.replace(
            "\treturn s.Members.CanWrite(r.Context(), r.URL.Path)\n",
            "\treturn r != nil\n",
        );
        let hit =
            crate::risk::testkit::rules_hit_with_contents("internal/api/projects.go", old, &hollow);
        assert!(guard(&hit), "{hit:?}");
        // A helper that calls the check and throws its verdict away.
        let ignored = new.replace(
            "\treturn s.Members.CanWrite(r.Context(), r.URL.Path)\n",
            "\ts.Members.CanWrite(r.Context(), r.URL.Path)\n\treturn true\n",
        );
        let hit = crate::risk::testkit::rules_hit_with_contents(
            "internal/api/projects.go",
            old,
            &ignored,
        );
        assert!(guard(&hit), "{hit:?}");
    }

    #[test]
    fn a_new_helper_that_turns_a_remote_failure_into_a_default_is_found() {
        let old = "public class Approvals {\n    public Status decide(Order o) throws FraudScoreException {\n        int score = fraudClient.score(o);\n        return score > 80 ? Status.REVIEW : Status.APPROVED;\n    }\n}\n";
        let new = "public class Approvals {\n    public Status decide(Order o) {\n        int score = scoreOrNeutral(o);\n        return score > 80 ? Status.REVIEW : Status.APPROVED;\n    }\n\n    private int scoreOrNeutral(Order o) {\n        try {\n            return fraudClient.score(o);\n        } catch (FraudScoreException e) {\n            log.warn(\"scoring failed {}\", e.getMessage());\n            return 0;\n        }\n    }\n}\n";
        let hit = crate::risk::testkit::rules_hit_with_contents(
            "src/main/java/shop/Approvals.java",
            old,
            new,
        );
        assert!(
            hit.contains(&"logic-error-swallowed".to_string()),
            "{hit:?}"
        );
        // A new helper that handles a parse error with a default: quiet.
        let parse = new.replace("FraudScoreException", "NumberFormatException");
        let hit = crate::risk::testkit::rules_hit_with_contents(
            "src/main/java/shop/Approvals.java",
            old,
            &parse,
        );
        assert!(
            !hit.contains(&"logic-error-swallowed".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn a_catch_all_narrowed_to_one_remote_failure_is_not_new_swallowing() {
        let old = "def issue_refund(order):\n    try:\n        return gateway.refund(order.charge_id)\n    except Exception as e:\n        log.warning('refund failed %s', e)\n        return None\n";
        let new = "def issue_refund(order):\n    try:\n        return gateway.refund(order.charge_id)\n    except GatewayDeclined as e:\n        log.warning('refund declined %s', e)\n        return None\n    except Exception as e:\n        raise RefundFailed(order.id) from e\n";
        let hit = rules_hit("payments/refunds.py", Some(old), Some(new));
        assert!(
            !hit.contains(&"logic-error-swallowed".to_string()),
            "{hit:?}"
        );
        // From propagating to returning None on the gateway's error: found.
        let raising = "def issue_refund(order):\n    return gateway.refund(order.charge_id)\n";
        let hit = rules_hit("payments/refunds.py", Some(raising), Some(new));
        assert!(
            hit.contains(&"logic-error-swallowed".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn a_ruby_rescue_that_ends_in_an_empty_list_is_found() {
        let old = "class Screening\n  def call(customer)\n    client.search(customer.name).map { |m| Hit.new(m) }\n  end\nend\n";
        let new = "class Screening\n  def call(customer)\n    client.search(customer.name).map { |m| Hit.new(m) }\n  rescue SanctionsVendor::Error, Faraday::Error => e\n    Rails.logger.warn(\"screening failed #{e.message}\")\n    []\n  end\nend\n";
        let hit = crate::risk::testkit::rules_hit_with_contents(
            "app/services/kyc/screening.rb",
            old,
            new,
        );
        assert!(
            hit.contains(&"logic-error-swallowed".to_string()),
            "{hit:?}"
        );
        // Re-raised as the app's own error: quiet.
        let reraised = new.replace("    []\n", "    raise ScreeningUnavailable, e.message\n");
        let hit = crate::risk::testkit::rules_hit_with_contents(
            "app/services/kyc/screening.rb",
            old,
            &reraised,
        );
        assert!(
            !hit.contains(&"logic-error-swallowed".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn a_return_scaled_by_a_unit_factor_is_a_contract_change() {
        assert_eq!(
            super::scaled_by("int(_frozen)", "int(_frozen * 1000)").as_deref(),
            Some("1000×")
        );
        assert_eq!(
            super::scaled_by("total", "total / 100").as_deref(),
            Some("1/100 of")
        );
        assert_eq!(super::scaled_by("total", "total * 2"), None);
        assert_eq!(super::scaled_by("x * 1000", "x * 1000"), None);
        let old = "def now():\n    return int(_frozen)\n";
        let new = "def now():\n    return int(_frozen * 1000)\n";
        let hit = rules_hit("app/utils/clock.py", Some(old), Some(new));
        assert!(
            hit.contains(&"logic-contract-changed".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn request_headers_and_a_token_answer_logged_are_found_one_header_is_not() {
        let logged = |path: &str, old: &str, new: &str| {
            crate::risk::testkit::rules_hit_with_contents(path, old, new)
                .contains(&"logic-secret-logged".to_string())
        };
        let client = "class Client:\n    def get(self, url):\n        resp = self.session.get(url)\n        if resp.status_code >= 500:\n            logger.warning(\"upstream error\", extra={\"status\": resp.status_code})\n        return resp\n";
        let headers = client.replace(
            "extra={\"status\": resp.status_code}",
            "extra={\"status\": resp.status_code, \"request_headers\": dict(resp.request.headers)}",
        );
        assert!(logged("libs/httpclient/client.py", client, &headers));
        // Passed through a redacting helper first: not the headers.
        let redacted = headers.replace(
            "dict(resp.request.headers)",
            "redact_headers(resp.request.headers)",
        );
        assert!(!logged("libs/httpclient/client.py", client, &redacted));
        let one = client.replace(
            "extra={\"status\": resp.status_code}",
            "extra={\"status\": resp.status_code, \"request_id\": resp.headers.get(\"X-Request-Id\")}",
        );
        assert!(!logged("libs/httpclient/client.py", client, &one));
        // The answer of a token endpoint is the tokens; another answer is not.
        let token = "def refresh_token(self, grant):\n    resp = self.session.post(TOKEN_URL, data=grant)\n    logger.info(\"token request\", extra={\"status\": resp.status_code})\n    return resp.json()\n";
        let answer = token.replace(
            "extra={\"status\": resp.status_code}",
            "extra={\"status\": resp.status_code, \"response_body\": resp.text[:4000]}",
        );
        assert!(logged("integrations/crm/oauth.py", token, &answer));
        let report = answer.replace(
            "def refresh_token(self, grant)",
            "def fetch_report(self, grant)",
        );
        assert!(!logged(
            "integrations/crm/reports.py",
            &token.replace(
                "def refresh_token(self, grant)",
                "def fetch_report(self, grant)"
            ),
            &report
        ));
    }

    #[test]
    fn an_inline_access_check_made_an_attribute_with_the_same_role_is_kept() {
        let removed = |new: &str| {
            let old = "<?php\nclass UserAdminController extends AbstractController\n{\n    #[Route('/{id}/disable', methods: ['POST'])]\n    public function disable(Request $request, User $user): Response\n    {\n        $this->denyAccessUnlessGranted('ROLE_ADMIN');\n        $user->disable();\n        return $this->redirectToRoute('admin_users');\n    }\n}\n";
            let new = old
                .replace(
                    "    #[Route('/{id}/disable', methods: ['POST'])]\n",
                    &format!("    #[Route('/{{id}}/disable', methods: ['POST'])]\n    {new}\n"),
                )
                .replace(
                    "        $this->denyAccessUnlessGranted('ROLE_ADMIN');\n",
                    "",
                );
            crate::risk::testkit::rules_hit_with_contents(
                "src/Controller/Admin/UserAdminController.php",
                old,
                &new,
            )
            .iter()
            .any(|r| r == "logic-check-removed" || r == "sec-auth-check-removed")
        };
        assert!(!removed("#[IsGranted('ROLE_ADMIN')]"));
        // Another role in the attribute: the admin check is gone.
        assert!(removed("#[IsGranted('ROLE_SUPPORT')]"));
        // An attribute that checks nothing.
        assert!(removed(
            "#[Cache(maxage: 60, public: false, extra: 'ROLE_ADMIN')]"
        ));
    }

    #[test]
    fn a_log_line_the_change_leaves_alone_is_not_new_when_a_docstring_replaces_code() {
        let old = "class Gate:\n    def check_key(self, key_id, client_secret):\n        if not self._known(key_id):\n            log.debug(\"unknown tenant key %s\" % key_id)\n            return False\n        if not self._matches(client_secret):\n            log.debug(\"wrong tenant secret %s\" % client_secret)\n            return False\n        return True\n\n    def may_frame(self, site, request):\n        if request.tenant is None or not request.tenant.tenant_id:\n            return False\n        account = Account.objects.filter(tenant_id=request.tenant.tenant_id).first()\n        if account:\n            return account.frames_allowed(site)\n        else:\n            return False\n";
        let new = old.replace(
            "        if request.tenant is None or not request.tenant.tenant_id:\n            return False\n        account = Account.objects.filter(tenant_id=request.tenant.tenant_id).first()\n        if account:\n            return account.frames_allowed(site)\n        else:\n            return False\n",
            "        \"\"\"Tell if the calling site is allowed to frame pages of this account.\n\n        Browsers send the site as the frame's ancestor; it must be listed.\n        \"\"\"\n        return request.tenant.frames_allowed(site)\n",
        );
        let hit = crate::risk::testkit::rules_hit_with_contents("gate/keys.py", old, &new);
        assert!(!hit.contains(&"logic-secret-logged".to_string()), "{hit:?}");
        // A secret the change starts logging is still found.
        let logged = new.replace(
            "        return request.tenant.frames_allowed(site)\n",
            "        log.debug(\"frame check with %s\" % request.tenant.secret)\n        return request.tenant.frames_allowed(site)\n",
        );
        let hit = crate::risk::testkit::rules_hit_with_contents("gate/keys.py", old, &logged);
        assert!(hit.contains(&"logic-secret-logged".to_string()), "{hit:?}");
    }

    #[test]
    fn the_non_secret_fields_of_credentials_logged_are_not_the_credentials() {
        let logged = |new: &str| {
            let old = "func (r *Refresher) refresh(ctx context.Context) error {\n\tcreds, err := r.registry.Login(ctx)\n\tif err != nil {\n\t\treturn err\n\t}\n\tlogger.V(1).Info(\"refreshed registry credentials\")\n\treturn r.write(creds)\n}\n";
            let new = old.replace("\"refreshed registry credentials\")", new);
            crate::risk::testkit::rules_hit_with_contents(
                "internal/controller/refresher.go",
                old,
                &new,
            )
            .contains(&"logic-secret-logged".to_string())
        };
        assert!(!logged(
            "\"refreshed registry credentials\",\n\t\t\"server\", creds.Server, \"username\", creds.Username, \"expiresAt\", creds.ExpiresAt)"
        ));
        assert!(logged(
            "\"refreshed registry credentials\", \"creds\", creds)"
        ));
        assert!(logged(
            "\"refreshed registry credentials\", \"server\", creds.Server, \"token\", creds.Token)"
        ));
    }

    #[test]
    fn a_body_read_by_a_helper_and_logged_is_found() {
        let old = "public class RequestLog {\n    public async Task Invoke(HttpContext context) {\n        await _next(context);\n        _logger.LogInformation(\"{Method} {Path}\", context.Request.Method, context.Request.Path);\n    }\n}\n";
        let new = "public class RequestLog {\n    public async Task Invoke(HttpContext context) {\n        var body = await ReadBodyAsync(context.Request);\n        await _next(context);\n        _logger.LogInformation(\"{Method} {Path} body={Body}\", context.Request.Method, context.Request.Path, body);\n    }\n}\n";
        let hit = crate::risk::testkit::rules_hit_with_contents(
            "src/Api/Middleware/RequestLog.cs",
            old,
            new,
        );
        assert!(hit.contains(&"logic-secret-logged".to_string()), "{hit:?}");
    }

    #[test]
    fn a_form_logged_through_a_helper_that_builds_the_log_context_is_found() {
        let old = "def login(request):\n    if not ok:\n        logger.warning(\"login failed user=%s\", username)\n";
        let new = "def _auth_context(request, username):\n    return {\"username\": username, \"form\": request.POST.dict()}\n\n\ndef login(request):\n    if not ok:\n        logger.warning(\"login failed\", extra={\"auth\": _auth_context(request, username)})\n";
        let hit =
            crate::risk::testkit::rules_hit_with_contents("accounts/views/login.py", old, new);
        assert!(hit.contains(&"logic-secret-logged".to_string()), "{hit:?}");
        // A helper that builds only the user name and address logs nothing secret.
        let tame = new.replace(
            ", \"form\": request.POST.dict()",
            ", \"ip\": request.META.get(\"REMOTE_ADDR\")",
        );
        let hit =
            crate::risk::testkit::rules_hit_with_contents("accounts/views/login.py", old, &tame);
        assert!(!hit.contains(&"logic-secret-logged".to_string()), "{hit:?}");
    }

    #[test]
    fn a_check_restated_through_what_a_checking_call_returned_is_the_same_check() {
        let text = "ok, new_hash = pwd_context.verify_and_update(password, user.password_hash)\nif not ok:\n    raise InvalidCredentials()\n";
        assert!(super::result_of_same_check(
            "not verify_password(password, user.password_hash)",
            "not ok",
            text
        ));
        // The call it replaced is not a check removed.
        let old = "def authenticate(email, password):\n    if not verify_password(password, user.password_hash):\n        raise InvalidCredentials()\n    return user\n";
        let new = "def authenticate(email, password):\n    ok, new_hash = verify_and_upgrade(password, user.password_hash)\n    if not ok:\n        raise InvalidCredentials()\n    return user\n";
        let hit = crate::risk::testkit::rules_hit_with_contents("identity/login.py", old, new);
        assert!(!hit.contains(&"logic-check-removed".to_string()), "{hit:?}");
        // A name assigned from something that does not check is not.
        let other = text.replace("pwd_context.verify_and_update", "load_flags");
        assert!(!super::result_of_same_check(
            "not verify_password(password, user.password_hash)",
            "not ok",
            &other
        ));
    }

    #[test]
    fn a_whole_request_dumped_into_a_log_is_found() {
        assert!(
            super::dumped_request(
                "info: \"kyc.received\", submission=body.model_dump(mode=\"json\")"
            )
            .is_some()
        );
        assert!(super::dumped_request("info: \"in\", JSON.stringify(req.body)").is_some());
        assert!(super::dumped_request("info: \"in\", submission_id=str(record.id)").is_none());
        assert!(super::dumped_request("info: \"sizes\", len(body.model_dump())").is_some());
        // The whole payload or parameter set passed as it is, not a field.
        assert!(super::dumped_request("warning: \"failed %s\", clinic, payload").is_some());
        assert!(
            super::dumped_request("info: event: \"x\", submitted: signup_params.to_h").is_some()
        );
        assert!(super::dumped_request("warning: \"failed %s\", payload.id").is_none());
        assert!(super::dumped_request("info: order.to_h").is_none());
    }

    #[test]
    fn an_error_path_turned_into_a_log_line_is_found() {
        let old = "def ship(order):\n    try:\n        gateway.charge(order)\n    except ChargeError:\n        raise\n    order.ship()\n";
        let new = "def ship(order):\n    try:\n        gateway.charge(order)\n    except ChargeError as e:\n        log.warning('charge failed %s', e)\n    order.ship()\n";
        let hit = rules_hit("shop/orders.py", Some(old), Some(new));
        assert!(
            hit.contains(&"logic-error-swallowed".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn a_remote_failure_turned_into_an_empty_result_is_found_a_parse_error_is_not() {
        let old = "def pending(batch):\n    return client.list(batch=batch)\n";
        let with = |caught: &str| {
            format!(
                "def pending(batch):\n    try:\n        return client.list(batch=batch)\n    except {caught} as e:\n        log.warning('failed %s', e)\n        return []\n"
            )
        };
        for caught in [
            "ProviderError",
            "requests.Timeout",
            "ConnectionError",
            "OperationalError",
        ] {
            let hit = rules_hit("jobs/sync.py", Some(old), Some(&with(caught)));
            assert!(
                hit.contains(&"logic-error-swallowed".to_string()),
                "{caught}: {hit:?}"
            );
        }
        for caught in ["json.JSONDecodeError", "ValueError", "KeyError"] {
            let hit = rules_hit("jobs/sync.py", Some(old), Some(&with(caught)));
            assert!(
                !hit.contains(&"logic-error-swallowed".to_string()),
                "{caught}: {hit:?}"
            );
        }
    }

    #[test]
    fn a_new_way_out_that_makes_the_guarded_call_before_its_check_is_found() {
        let old = "class RefundService {\n    public Refund refund(Charge charge, RefundRequest req) {\n        long refundable = charge.getAmountMinor() - charge.getRefundedMinor();\n        if (req.amountMinor() > refundable) {\n            throw new RefundExceedsChargeException(refundable);\n        }\n        return issue(charge, req.amountMinor());\n    }\n}\n";
        let rules = |new: &str| {
            crate::risk::testkit::rules_hit_with_contents(
                "src/main/java/com/acme/refund/RefundService.java",
                old,
                new,
            )
        };
        let shortcut = old.replace(
            "        long refundable",
            "        if (req.isFullRefund()) {\n            return issue(charge, charge.getAmountMinor());\n        }\n        long refundable",
        );
        assert!(rules(&shortcut).contains(&"logic-guard-bypassed".to_string()));
        // A new way out that returns something else, or one below the check.
        let cached = old.replace(
            "        long refundable",
            "        if (req.isDryRun()) {\n            return preview(charge);\n        }\n        long refundable",
        );
        assert!(!rules(&cached).contains(&"logic-guard-bypassed".to_string()));
        // A new refusal above the check is no shortcut to the work.
        let refused = old.replace(
            "        long refundable",
            "        if (charge.isDisputed()) {\n            return issueError(charge, 409);\n        }\n        long refundable",
        );
        assert!(!rules(&refused).contains(&"logic-guard-bypassed".to_string()));
        let below = old.replace(
            "        return issue(charge, req.amountMinor());",
            "        if (req.isFullRefund()) {\n            return issue(charge, refundable);\n        }\n        return issue(charge, req.amountMinor());",
        );
        assert!(!rules(&below).contains(&"logic-guard-bypassed".to_string()));
    }

    #[test]
    fn a_guard_moved_into_the_frameworks_request_hook_is_not_removed() {
        let page = "export const actions = {\n  profile: async ({ request, locals }) => {\n    if (!locals.user) {\n      return fail(401, { message: 'Not signed in' });\n    }\n    const data = await request.formData();\n    await saveProfile(locals.user.id, data);\n    return { ok: true };\n  },\n};\n";
        let bare = page.replace(
            "    if (!locals.user) {\n      return fail(401, { message: 'Not signed in' });\n    }\n",
            "",
        );
        let hook = |group: &str| {
            format!(
                "const PROTECTED_GROUP = '{group}';\n\nexport const handle: Handle = async ({{ event, resolve }}) => {{\n  const routeId = event.route.id;\n  if (routeId?.startsWith(PROTECTED_GROUP) && !event.locals.user) {{\n    throw redirect(303, '/login');\n  }}\n  return resolve(event);\n}};\n"
            )
        };
        let removed = |group: &str| {
            crate::risk::testkit::findings_for_change(&[
                ("src/routes/(app)/settings/+page.server.ts", page, &bare),
                ("src/hooks.server.ts", "", &hook(group)),
            ])
            .into_iter()
            .any(|f| f.rule == "logic-guard-removed" && f.severity >= Severity::High)
        };
        assert!(!removed("/(app)"));
        // The same `handle` in a file no framework loads runs nowhere.
        let elsewhere = crate::risk::testkit::findings_for_change(&[
            ("src/routes/(app)/settings/+page.server.ts", page, &bare),
            ("src/lib/auth/handle.ts", "", &hook("/(app)")),
        ]);
        assert!(
            elsewhere
                .iter()
                .any(|f| f.rule == "logic-guard-removed" && f.severity >= Severity::High)
        );
        // The hook guards another group of routes: this page is open.
        assert!(removed("/(admin)"));
    }

    #[test]
    fn a_check_helper_named_in_the_handlers_permission_classes_is_not_removed() {
        let old = "from rest_framework.exceptions import PermissionDenied\n\n\nclass SubscriptionViewSet(viewsets.ModelViewSet):\n    def _require_billing_admin(self):\n        membership = self.request.organization.memberships.filter(user=self.request.user).first()\n        if membership is None or membership.role not in (Role.OWNER, Role.BILLING_ADMIN):\n            raise PermissionDenied(\"Only billing admins.\")\n\n    @action(detail=True, methods=[\"post\"])\n    def cancel(self, request, pk=None):\n        self._require_billing_admin()\n        subscription = self.get_object()\n        subscription.cancel()\n        return Response(status=204)\n";
        let new = |classes: &str| {
            format!(
                "from billing.api.permissions import IsBillingAdmin\n\nBILLING_ADMIN = [IsAuthenticated, IsBillingAdmin]\n\n\nclass SubscriptionViewSet(viewsets.ModelViewSet):\n    @action(detail=True, methods=[\"post\"], permission_classes={classes})\n    def cancel(self, request, pk=None):\n        subscription = self.get_object()\n        subscription.cancel()\n        return Response(status=204)\n"
            )
        };
        let high = |classes: &str| {
            crate::risk::testkit::findings_with_contents("billing/api/views.py", old, &new(classes))
                .into_iter()
                .filter(|f| f.severity >= Severity::High)
                .map(|f| f.rule)
                .collect::<Vec<_>>()
        };
        assert!(
            high("BILLING_ADMIN").is_empty(),
            "{:?}",
            high("BILLING_ADMIN")
        );
        assert!(high("[IsAuthenticated, IsBillingAdmin]").is_empty());
        // Only "signed in" in its place: the role check is gone.
        let h = high("[IsAuthenticated]");
        assert!(
            h.iter()
                .any(|r| r == "logic-check-removed" || r == "sec-auth-check-removed"),
            "{h:?}"
        );
    }

    #[test]
    fn a_check_moved_into_a_decorator_in_another_file_is_not_removed() {
        use crate::risk::testkit::diff_of;
        let old = "def export(request):\n    check_permission(request.user, 'export')\n    return build(request)\n";
        let new = "from app.perms import requires\n\n@requires('export')\ndef export(request):\n    return build(request)\n";
        let perms = "def requires(perm):\n    def decorator(view):\n        def wrapped(request, *a):\n            check_permission(request.user, perm)\n            return view(request, *a)\n        return wrapped\n    return decorator\n";
        let run = |perms: &str| {
            let mut d = diff_of("app/views.py", Some(old), Some(new));
            d.files
                .extend(diff_of("app/perms.py", None, Some(perms)).files);
            crate::risk::findings(
                &d,
                &crate::risk::Contents::new(),
                &crate::risk::RuleSet::builtin(),
            )
        };
        let f = run(perms);
        assert!(f.iter().all(|x| x.rule != "logic-check-removed"), "{f:?}");
        // A decorator that checks nothing: the check is gone.
        let f = run(&perms.replace("            check_permission(request.user, perm)\n", ""));
        assert!(
            f.iter()
                .any(|x| x.rule == "logic-check-removed" || x.rule == "sec-auth-check-removed"),
            "{f:?}"
        );
    }

    #[test]
    fn a_return_value_in_other_units_is_a_contract_change() {
        for (path, old, new) in [
            (
                "src/main/java/a/Timeouts.java",
                "class Timeouts {\n  static long ttl() {\n    return TTL.toSeconds();\n  }\n}\n",
                "class Timeouts {\n  static long ttl() {\n    return TTL.toMillis();\n  }\n}\n",
            ),
            (
                "billing/amounts.py",
                "def total(order):\n    return sum(l.cents for l in order.lines)\n",
                "def total(order):\n    return sum(l.cents for l in order.lines) / 100\n",
            ),
        ] {
            let hit = rules_hit(path, Some(old), Some(new));
            assert!(
                hit.contains(&"logic-contract-changed".to_string()),
                "{path}: {hit:?}"
            );
        }
        // Same unit, other expression: not a contract change.
        let hit = rules_hit(
            "src/main/java/a/Timeouts.java",
            Some("class T {\n  static long ttl() {\n    return TTL.toSeconds();\n  }\n}\n"),
            Some(
                "class T {\n  static long ttl() {\n    return CONFIG.ttl().toSeconds();\n  }\n}\n",
            ),
        );
        assert!(
            !hit.contains(&"logic-contract-changed".to_string()),
            "{hit:?}"
        );
    }

    /// What counts as a claim: the subject, a body sentence that opens with
    /// one, an explicit "no behaviour change" anywhere; not a word in passing.
    #[test]
    fn a_claim_is_what_the_message_says_the_change_is() {
        use crate::risk::testkit::diff_of;
        let old =
            "def limit(n, max_n):\n    if n > max_n:\n        raise TooMany()\n    return n\n";
        let new = old.replace("n > max_n", "n >= max_n");
        let intent = |message: &str| {
            let d = diff_of("app/limits.py", Some(old), Some(&new));
            crate::risk::findings_with_message(
                &d,
                &crate::risk::Contents::new(),
                &crate::risk::RuleSet::builtin(),
                Some(message),
            )
            .into_iter()
            .find(|f| f.rule == "intent-behaviour-changed")
            .map(|f| f.severity)
        };
        assert_eq!(intent("Fix typo in limits"), Some(Severity::High));
        assert_eq!(
            intent("Tighten the limit\n\nRefactored the check into one place."),
            Some(Severity::High)
        );
        assert_eq!(
            intent("Tighten the limit\n\nNo behaviour change for callers under the cap."),
            Some(Severity::High)
        );
        assert_eq!(
            intent(
                "Tighten the limit\n\nA typo'd variable let one extra request through last week."
            ),
            None
        );
    }

    #[test]
    fn same_named_functions_are_paired_by_body_when_one_is_added_above() {
        let old = "class A:\n    @overload\n    def copy(self, deep: bool) -> A: ...\n    @overload\n    def copy(self) -> A: ...\n    def copy(self, deep=False):\n        if deep:\n            return self._deep()\n        return self._copy(deep=deep)\n";
        let new = old.replace(
            "class A:\n",
            "class A:\n    def copy_attrs(self):\n        return dict(self.attrs)\n\nclass B:\n    def copy(self):\n        return B()\n\nclass A2:\n",
        );
        let new = new.replace("class A2:\n", "").replace(
            "class B:\n    def copy(self):\n        return B()\n\n",
            "class B:\n    def copy(self):\n        return B()\n\nclass A:\n",
        );
        let hit = rules_hit("pkg/core.py", Some(old), Some(&new));
        assert!(hit.iter().all(|r| !r.starts_with("logic-")), "{hit:?}");
    }

    #[test]
    fn a_check_restated_through_a_new_helper_is_low_a_loosened_one_is_not() {
        use crate::risk::testkit::diff_of;
        let old = "function requireKey(req, res, next) {\n  const provided = req.header('x-key');\n  if (!provided || provided !== expected) {\n    res.status(401).end();\n    return;\n  }\n  next();\n}\n";
        let run = |new: &str| {
            let d = diff_of("src/middleware/internalAuth.ts", Some(old), Some(new));
            crate::risk::findings(
                &d,
                &crate::risk::Contents::new(),
                &crate::risk::RuleSet::builtin(),
            )
        };
        let restated = format!(
            "function keysMatch(a, b) {{\n  return timingSafeEqual(digest(a), digest(b));\n}}\n\n{}",
            old.replace("provided !== expected", "!keysMatch(provided, expected)")
        );
        let f = run(&restated);
        assert!(
            f.iter()
                .all(|x| x.rule != "logic-guard-changed" || x.severity == Severity::Low),
            "{f:?}"
        );
        let loosened = old.replace("!provided || provided !== expected", "!provided");
        let f = run(&loosened);
        assert!(f.iter().any(|x| x.severity >= Severity::High), "{f:?}");
    }

    #[test]
    fn a_guard_made_into_middleware_of_its_role_is_moved_not_removed() {
        use crate::risk::testkit::diff_of;
        let old = "package api\n\nfunc (h *H) List(w http.ResponseWriter, r *http.Request) {\n\tif s := FromContext(r); s == nil || s.Role != \"admin\" {\n\t\thttp.Error(w, \"no\", 403)\n\t\treturn\n\t}\n\tlist(w)\n}\n\nfunc (h *H) Routes(r Router) {\n\tr.Get(\"/users\", h.List)\n}\n";
        let new = "package api\n\nfunc (h *H) List(w http.ResponseWriter, r *http.Request) {\n\tlist(w)\n}\n\nfunc (h *H) Routes(r Router) {\n\tr.Use(RequireRole(\"admin\"))\n\tr.Get(\"/users\", h.List)\n}\n";
        let mw = "package api\n\nfunc RequireRole(role string) func(http.Handler) http.Handler {\n\treturn func(next http.Handler) http.Handler {\n\t\treturn http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {\n\t\t\tif s := FromContext(r); s == nil || s.Role != role {\n\t\t\t\thttp.Error(w, \"no\", 403)\n\t\t\t\treturn\n\t\t\t}\n\t\t\tnext.ServeHTTP(w, r)\n\t\t})\n\t}\n}\n";
        let run = |routes: &str| {
            let mut d = diff_of("internal/api/admin.go", Some(old), Some(routes));
            d.files
                .extend(diff_of("internal/api/mw.go", None, Some(mw)).files);
            crate::risk::findings(
                &d,
                &crate::risk::Contents::new(),
                &crate::risk::RuleSet::builtin(),
            )
        };
        let f = run(new);
        assert!(f.iter().all(|x| x.rule != "logic-guard-removed"), "{f:?}");
        // The middleware's guard also stops on a missing role: still moved.
        let stricter = mw.replace(
            "s == nil || s.Role != role",
            "s == nil || s.Role == \"\" || s.Role != role",
        );
        let mut d = diff_of("internal/api/admin.go", Some(old), Some(new));
        d.files
            .extend(diff_of("internal/api/mw.go", None, Some(&stricter)).files);
        let f = crate::risk::findings(
            &d,
            &crate::risk::Contents::new(),
            &crate::risk::RuleSet::builtin(),
        );
        assert!(f.iter().all(|x| x.rule != "logic-guard-removed"), "{f:?}");
        // The middleware applied with another role: the admin check is gone.
        let f = run(&new.replace("RequireRole(\"admin\")", "RequireRole(\"viewer\")"));
        assert!(
            f.iter()
                .any(|x| x.rule == "logic-guard-removed" || x.rule == "sec-auth-check-removed"),
            "{f:?}"
        );
    }

    #[test]
    fn a_handler_moved_out_of_a_guarded_class_is_found() {
        use crate::risk::testkit::diff_of;
        let old = "@RestController\n@PreAuthorize(\"hasRole('ADMIN')\")\npublic class AdminController {\n  @PostMapping(\"/refund/{id}\")\n  public Refund refund(@PathVariable long id) {\n    audit.record(id);\n    return refunds.issue(id);\n  }\n  @GetMapping(\"/users\")\n  public List<User> users() {\n    return users.all();\n  }\n}\n";
        let kept = old.replace(
            "  @PostMapping(\"/refund/{id}\")\n  public Refund refund(@PathVariable long id) {\n    audit.record(id);\n    return refunds.issue(id);\n  }\n",
            "",
        );
        let unguarded = "@RestController\npublic class RefundController {\n  @PostMapping(\"/refund/{id}\")\n  public Refund refund(@PathVariable long id) {\n    audit.record(id);\n    return refunds.issue(id);\n  }\n}\n";
        let run = |new_file: &str| {
            let mut d = diff_of(
                "src/main/java/a/AdminController.java",
                Some(old),
                Some(&kept),
            );
            d.files.extend(
                diff_of(
                    "src/main/java/a/RefundController.java",
                    None,
                    Some(new_file),
                )
                .files,
            );
            crate::risk::findings(
                &d,
                &crate::risk::Contents::new(),
                &crate::risk::RuleSet::builtin(),
            )
        };
        let f = run(unguarded);
        assert!(
            f.iter().any(|x| x.rule == "logic-check-removed"
                && x.path.ends_with("RefundController.java")
                && x.message.contains("PreAuthorize")),
            "{f:?}"
        );
        // Guarded where it went (on the class, or on the method): quiet.
        for guarded in [
            unguarded.replace(
                "@RestController\n",
                "@RestController\n@PreAuthorize(\"hasRole('ADMIN')\")\n",
            ),
            unguarded.replace(
                "  @PostMapping",
                "  @Secured(\"ROLE_ADMIN\")\n  @PostMapping",
            ),
        ] {
            let f = run(&guarded);
            assert!(f.iter().all(|x| x.rule != "logic-check-removed"), "{f:?}");
        }
    }

    #[test]
    fn logging_credentials_is_found_but_logging_about_them_is_not() {
        let base = "def handle(request):\n    user = auth(request)\n    return ok(user)\n";
        let with =
            |line: &str| base.replace("    return ok", &format!("    {line}\n    return ok"));
        for bad in [
            "logger.info('request %s %s', request.path, request.headers)",
            "log.debug(f\"login {user.email}\", password)",
            "print('auth', request.META['HTTP_AUTHORIZATION'], request.authorization)",
            "logging.warning('refresh failed: %s', refresh_token)",
            "logger.warning('signup failed', extra={'payload': request.body})",
        ] {
            let hit = rules_hit("app/views.py", Some(base), Some(&with(bad)));
            assert!(
                hit.contains(&"logic-secret-logged".to_string()),
                "{bad}: {hit:?}"
            );
        }
        for fine in [
            "logger.info('token refreshed for %s', user.id)",
            "logger.info('headers: %d', len(request.headers.keys))",
            "log.debug('password reset requested', extra={'user': user.id})",
            "logger.info('auth header %s', redact(request.headers))",
            "logger.info('expires %s', token.expires_at)",
        ] {
            let hit = rules_hit("app/views.py", Some(base), Some(&with(fine)));
            assert!(
                !hit.contains(&"logic-secret-logged".to_string()),
                "{fine}: {hit:?}"
            );
        }
        // C#: a structured-logging call over a new header dictionary.
        let cs_old =
            "class M {\n  async Task Invoke(HttpContext c) {\n    await next(c);\n  }\n}\n";
        let cs_new = "class M {\n  async Task Invoke(HttpContext c) {\n    var headers = c.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString());\n    await next(c);\n    _logger.LogInformation(\"HTTP {Path} {@Headers}\", c.Request.Path, headers);\n  }\n}\n";
        let hit = rules_hit(
            "src/Api/Middleware/RequestLogging.cs",
            Some(cs_old),
            Some(cs_new),
        );
        assert!(hit.contains(&"logic-secret-logged".to_string()), "{hit:?}");
    }

    /// A check function that gains an early way out reporting success, in
    /// five languages; a new early way out that fails is a tightening.
    #[test]
    fn a_check_that_now_passes_without_checking_is_found() {
        let cases: &[(&str, &str, &str, &str)] = &[
            (
                "hooks/signature.py",
                "def verify_signature(req, secret):\n    sig = req.headers['X-Sig']\n    if not hmac.compare_digest(sig, sign(req.body, secret)):\n        raise Forbidden()\n",
                "    sig = req.headers['X-Sig']\n",
                "    if not secret:\n        return\n    sig = req.headers['X-Sig']\n",
            ),
            (
                "internal/auth/verify.go",
                "package auth\n\nfunc (v *Verifier) Verify(r *http.Request) error {\n\ttok := r.Header.Get(\"Authorization\")\n\tif !v.valid(tok) {\n\t\treturn ErrForbidden\n\t}\n\treturn nil\n}\n",
                "\ttok := r.Header.Get(\"Authorization\")\n",
                "\tif v.devMode {\n\t\treturn nil\n\t}\n\ttok := r.Header.Get(\"Authorization\")\n",
            ),
            (
                "src/keys.rs",
                "fn verify_key(&self, key: &str) -> Result<Tenant, E> {\n    let hash = digest(key);\n    self.lookup(hash)\n}\n",
                "    let hash = digest(key);\n",
                "    if let Some(t) = self.cache.get(&key[..8]) {\n        return Ok(t.clone());\n    }\n    let hash = digest(key);\n",
            ),
            (
                "src/acl.js",
                "function isAllowed(user, doc) {\n  const acl = load(doc);\n  return acl.includes(user.id);\n}\n",
                "  const acl = load(doc);\n",
                "  if (user.legacy) {\n    return true;\n  }\n  const acl = load(doc);\n",
            ),
            (
                "scripts/install.sh",
                "verify_checksum() {\n  actual=$(sha256sum \"$1\")\n  [ \"$actual\" = \"$2\" ] || fail mismatch\n}\n",
                "  actual=$(sha256sum \"$1\")\n",
                "  if [ -z \"$2\" ]; then\n    echo 'no checksum, skipping'\n    return 0\n  fi\n  actual=$(sha256sum \"$1\")\n",
            ),
        ];
        for (path, old, find, replace) in cases {
            let new = old.replacen(find, replace, 1);
            let hit = rules_hit(path, Some(old), Some(&new));
            assert!(
                hit.contains(&"logic-check-fails-open".to_string()),
                "{path}: {hit:?}"
            );
            // The same early way out, failing instead: no such finding.
            let failing = new
                .replace("return nil\n\t}\n\ttok", "return ErrForbidden\n\t}\n\ttok")
                .replace("return 0\n", "return 1\n")
                .replace("return true;", "return false;")
                .replace("        return\n", "        raise Forbidden()\n")
                .replace("return Ok(t.clone());", "return Err(E::Denied);");
            let hit = rules_hit(path, Some(old), Some(&failing));
            assert!(
                !hit.contains(&"logic-check-fails-open".to_string()),
                "{path}: {hit:?}"
            );
        }
    }
}

#[cfg(test)]
mod reach_tests {
    use super::apply_reach;
    use crate::risk::blast::FileBlast;
    use crate::risk::{Blast, Finding, Severity};

    #[test]
    fn behaviour_in_a_widely_imported_file_is_high() {
        let low = || {
            vec![
                Finding::added(
                    "logic-behaviour-changed",
                    Severity::Low,
                    "lib/money.py",
                    Some(3),
                    "In `round_total`, ….",
                ),
                Finding::added(
                    "err-swallowed",
                    Severity::Medium,
                    "lib/money.py",
                    Some(9),
                    "…",
                ),
            ]
        };
        let mut blast = Blast {
            dependent_components: 3,
            files: vec![FileBlast {
                path: "lib/money.py".into(),
                dependents: 12,
                dependent_components: 3,
                ..FileBlast::default()
            }],
            ..Blast::default()
        };
        let mut f = low();
        apply_reach(&mut f, &blast);
        assert_eq!(f[0].rule, "logic-behaviour-changed");
        assert_eq!(f[0].severity, Severity::High);
        assert!(
            f[0].message.contains("across 3 components"),
            "{}",
            f[0].message
        );
        // Only behavioural findings are raised by reach.
        assert_eq!(f[1].severity, Severity::Medium);
        // Two components are not enough.
        let behaviour = |f: &[Finding]| {
            f.iter()
                .find(|x| x.rule == "logic-behaviour-changed")
                .map(|x| x.severity)
        };
        blast.files[0].dependent_components = 2;
        let mut f = low();
        apply_reach(&mut f, &blast);
        assert_eq!(behaviour(&f), Some(Severity::Low));
        // Nor is a change that other files, read from many components,
        // make wide: the file's own importers count.
        blast.dependent_components = 10;
        let mut f = low();
        apply_reach(&mut f, &blast);
        assert_eq!(behaviour(&f), Some(Severity::Low));
    }
}

#[cfg(test)]
mod intent_tests {

    #[test]
    fn code_moved_into_a_library_under_new_names_is_no_behaviour_change() {
        use crate::risk::testkit::findings_of_change;
        let deploy_old = "#!/usr/bin/env bash\nset -euo pipefail\nNAMESPACE=\"orders-${ENVIRONMENT}\"\nkubectl --namespace \"$NAMESPACE\" apply --server-side -f \"$BUILD_DIR/all.yaml\"\nif ! kubectl --namespace \"$NAMESPACE\" rollout status deploy/orders-api --timeout=300s; then\n  kubectl --namespace \"$NAMESPACE\" rollout undo deploy/orders-api\n  exit 1\nfi\n";
        let deploy_new = "#!/usr/bin/env bash\nset -euo pipefail\nsource \"$(dirname \"$0\")/lib.sh\"\nNAMESPACE=\"orders-${ENVIRONMENT}\"\napply_and_wait \"$NAMESPACE\"\n";
        let lib = |timeout: &str| {
            format!(
                "apply_and_wait() {{\n  local namespace=\"$1\"\n  kubectl --namespace \"$namespace\" apply --server-side -f \"$BUILD_DIR/all.yaml\"\n  if ! kubectl --namespace \"$namespace\" rollout status deploy/orders-api --timeout={timeout}; then\n    kubectl --namespace \"$namespace\" rollout undo deploy/orders-api\n    exit 1\n  fi\n}}\n"
            )
        };
        let intent = |lib: &str| -> Vec<String> {
            findings_of_change(
                &[
                    (
                        "scripts/deploy/deploy.sh",
                        Some(deploy_old),
                        Some(deploy_new),
                    ),
                    ("scripts/deploy/lib.sh", None, Some(lib)),
                ],
                Some("Move deploy helpers into lib.sh, no behaviour change"),
            )
            .into_iter()
            .filter(|f| f.rule.starts_with("intent-") && f.severity >= crate::risk::Severity::High)
            .map(|f| f.message)
            .collect()
        };
        assert!(
            intent(&lib("300s")).is_empty(),
            "{:?}",
            intent(&lib("300s"))
        );
        // The same move that also cuts the wait: found.
        assert!(!intent(&lib("30s")).is_empty());
    }

    #[test]
    fn code_moved_to_a_new_module_keeps_its_names_and_an_alias_keeps_the_old_one() {
        use crate::risk::testkit::findings_of_change;
        let intent = |files: &[(&str, Option<&str>, Option<&str>)], msg: &str| -> Vec<String> {
            findings_of_change(files, Some(msg))
                .into_iter()
                .filter(|f| f.rule.starts_with("intent-"))
                .map(|f| f.message)
                .collect()
        };
        // The loop moved into prune.py with its variable; the command left
        // behind calls it under another name.
        let cli_old = "def delete_stale(client, repo, yes):\n    for artifact in client.list(repo):\n        if any(t in PROTECTED for t in artifact.tags):\n            continue\n        if yes:\n            client.delete(artifact.digest)\n";
        let cli_new = "def prune(client, repo, yes):\n    for digest in prune_repository(client, repo, apply=yes):\n        echo(digest)\n";
        let prune = "def prune_repository(client, repo, apply=False):\n    for artifact in client.list(repo):\n        if any(t in PROTECTED for t in artifact.tags):\n            continue\n        if apply:\n            client.delete(artifact.digest)\n        yield artifact.digest\n";
        let h = intent(
            &[
                ("tools/cli.py", Some(cli_old), Some(cli_new)),
                ("tools/prune.py", None, Some(prune)),
            ],
            "Rename delete-stale to prune and move it into its own module",
        );
        assert!(h.iter().all(|m| !m.contains("artifact.tags")), "{h:?}");
        // A predicate renamed Ruby style, the old name kept as an alias.
        let old = "class User\n  def is_admin\n    role == \"admin\"\n  end\n\n  def export\n    return false unless is_admin\n    run_export\n  end\nend\n";
        let new = "class User\n  def admin?\n    role == \"admin\"\n  end\n  alias_method :is_admin, :admin?\n\n  def export\n    return false unless admin?\n    run_export\n  end\nend\n";
        let h = intent(
            &[("app/models/user.rb", Some(old), Some(new))],
            "Rename User#is_admin to admin?",
        );
        assert!(h.is_empty(), "{h:?}");
        // The same rename that also lets managers through: found.
        let changed = new.replace("unless admin?", "unless admin? || manager?");
        let found = findings_of_change(
            &[("app/models/user.rb", Some(old), Some(&changed))],
            Some("Rename User#is_admin to admin?"),
        );
        assert!(
            found.iter().any(
                |f| f.severity >= crate::risk::Severity::High && f.message.contains("manager?")
            ),
            "{found:?}"
        );
    }
    #[test]
    fn a_reference_that_follows_a_renamed_file_is_not_a_behaviour_change() {
        use crate::risk::testkit::findings_of_change;
        let job = "async function deleteExpired(bucket) {\n  const cutoff = Date.now() - 7 * DAY;\n  return purge(bucket, cutoff);\n}\nmodule.exports = { deleteExpired };\n";
        let renamed = job.replace("deleteExpired", "pruneExpired");
        let schedule = |module: &str, name: &str| {
            format!(
                "const {{ {name} }} = require(\"{module}\");\n\ncron.schedule(\"0 3 * * *\", () => {name}(BUCKET));\n"
            )
        };
        let intent = |target: &str| -> Vec<String> {
            findings_of_change(
                &[
                    ("jobs/deleteExpired.js", Some(job), None),
                    ("jobs/pruneExpired.js", None, Some(&renamed)),
                    (
                        "jobs/schedule.js",
                        Some(&schedule("./deleteExpired", "deleteExpired")),
                        Some(&schedule(target, "pruneExpired")),
                    ),
                ],
                Some("Rename deleteExpired to pruneExpired\n\nNo logic change."),
            )
            .into_iter()
            .filter(|f| f.rule == "intent-behaviour-changed")
            .map(|f| f.message)
            .collect()
        };
        let h = intent("./pruneExpired");
        assert!(h.is_empty(), "{h:?}");
        // The schedule now loads some other module: still a difference.
        let h = intent("./purgeAll");
        assert!(!h.is_empty());
    }

    #[test]
    fn another_library_method_in_place_of_one_still_called_is_not_a_rename() {
        use crate::risk::testkit::findings_of_change;
        let old = "pub fn parse(token: &str) -> Result<(), E> {\n    let parts: Vec<&str> = token.split('.').collect();\n    if parts.len() != 2 {\n        return Err(E::Malformed);\n    }\n    if parts[0].len() == 0 {\n        return Err(E::Malformed);\n    }\n    Ok(())\n}\n";
        let new = old.replace("parts[0].len() == 0", "parts[0].is_empty()");
        let h: Vec<String> = findings_of_change(
            &[("src/token.rs", Some(old), Some(&new))],
            Some("Fix clippy warnings\n\nNo functional change."),
        )
        .into_iter()
        .filter(|f| f.severity >= crate::risk::Severity::High)
        .map(|f| f.message)
        .collect();
        assert!(h.is_empty(), "{h:?}");
        // The length test changed along with it: found.
        let changed = new.replace("parts.len() != 2", "parts.len() < 2");
        let h = findings_of_change(
            &[("src/token.rs", Some(old), Some(&changed))],
            Some("Fix clippy warnings\n\nNo functional change."),
        );
        assert!(
            h.iter()
                .any(|f| f.rule == "intent-behaviour-changed" && f.message.contains("parts.len()")),
            "{h:?}"
        );
    }

    #[test]
    fn the_same_check_on_another_input_is_medium_and_on_a_degenerate_one_high() {
        use crate::risk::testkit::findings_of_change;
        let old = "function handle(req, res) {\n  const payload = JSON.stringify(req.body);\n  if (!verifySignature(payload, req.get(\"Stripe-Signature\"))) {\n    return res.status(400).send(\"bad signature\");\n  }\n  process(req.body);\n}\n";
        let level = |new: &str| {
            findings_of_change(&[("src/webhooks/stripe.js", Some(old), Some(new))], None)
                .into_iter()
                .filter(|f| f.rule == "logic-guard-changed")
                .map(|f| f.severity)
                .max()
        };
        let raw = old.replace("verifySignature(payload,", "verifySignature(req.rawBody,");
        assert_eq!(
            level(&raw),
            Some(crate::risk::Severity::Medium),
            "{:?}",
            findings_of_change(&[("src/webhooks/stripe.js", Some(old), Some(&raw))], None)
        );
        let same = old.replace(
            "verifySignature(payload, req.get(\"Stripe-Signature\"))",
            "verifySignature(req.get(\"Stripe-Signature\"), req.get(\"Stripe-Signature\"))",
        );
        assert!(level(&same) >= Some(crate::risk::Severity::High));
    }

    #[test]
    fn a_file_ported_to_another_language_is_not_compared_fact_by_fact() {
        use crate::risk::testkit::findings_of_change;
        let java = "package acme;\n\npublic final class Rounding {\n    public static long round(Long amount, String mode) {\n        Objects.requireNonNull(amount, \"amount\");\n        if (mode.equals(\"HALF_EVEN\")) {\n            return halfEven(amount);\n        }\n        return amount;\n    }\n}\n";
        let kotlin = "package acme\n\nobject Rounding {\n    fun round(amount: Long, mode: String): Long =\n        if (mode == \"HALF_EVEN\") halfEven(amount) else amount\n}\n";
        let intent = |new_path: &str| -> Vec<String> {
            findings_of_change(
                &[
                    ("src/main/java/acme/Rounding.java", Some(java), None),
                    (new_path, None, Some(kotlin)),
                ],
                Some("Port Rounding to Kotlin\n\nNo behaviour change."),
            )
            .into_iter()
            .filter(|f| f.rule == "intent-behaviour-changed")
            .map(|f| f.message)
            .collect()
        };
        let h = intent("src/main/kotlin/acme/Rounding.kt");
        assert!(h.is_empty(), "{h:?}");
        // Another file in another language is not a port of this one.
        let h = intent("src/main/kotlin/acme/Fees.kt");
        assert!(!h.is_empty());
    }

    #[test]
    fn a_written_value_names_a_file_by_any_of_its_usual_spellings() {
        use crate::risk::names_file;
        assert!(names_file("./pruneUploads", "jobs/pruneUploads.js"));
        assert!(names_file("'../lib/prune.ts'", "lib/prune.ts"));
        assert!(names_file(
            "support-admin.yaml",
            "deploy/rbac/support-admin.yaml"
        ));
        assert!(names_file("app.jobs.prune", "app/jobs/prune.py"));
        assert!(!names_file("./prune", "jobs/pruneUploads.js"));
        assert!(!names_file("admin.yaml", "deploy/rbac/support-admin.yaml"));
        assert!(!names_file("on", "on.js"));
    }

    use crate::risk::testkit::diff_of;
    use crate::risk::{Contents, RuleSet, findings_with_message};

    /// The findings of `internal/quota/quota.go` changed from `old` to `new`
    /// under `message`.
    fn found(message: &str, old: &str, new: &str) -> Vec<crate::risk::Finding> {
        let mut c = Contents::new();
        c.insert(
            "internal/quota/quota.go".into(),
            crate::diff::MinusPlus::new(Some(old.into()), Some(new.into())),
        );
        findings_with_message(
            &diff_of("internal/quota/quota.go", Some(old), Some(new)),
            &c,
            &RuleSet::builtin(),
            Some(message),
        )
    }

    fn hit(message: &str, old: &str, new: &str) -> Vec<String> {
        found(message, old, new)
            .into_iter()
            .map(|f| format!("{}: {}", f.rule, f.message))
            .collect()
    }

    #[test]
    fn a_hand_written_check_handed_to_a_library_method_of_its_name_is_not_removed() {
        let old = "package quota\n\nfunc (l *Limiter) Allow(key string) bool {\n\tl.mu.Lock()\n\tdefer l.mu.Unlock()\n\tb := l.bucket(key)\n\tb.refill(l.now())\n\tif b.tokens < 1 {\n\t\treturn false\n\t}\n\tb.tokens--\n\treturn true\n}\n";
        let library = "package quota\n\nfunc (l *Limiter) Allow(key string) bool {\n\tl.mu.Lock()\n\te := l.entry(key)\n\tl.mu.Unlock()\n\treturn e.lim.AllowN(l.now(), 1)\n}\n";
        let high = |new: &str| {
            hit("ratelimit: use golang.org/x/time/rate", old, new)
                .iter()
                .any(|f| f.starts_with("logic-guard-removed"))
        };
        let delegated = found("ratelimit: use golang.org/x/time/rate", old, library);
        assert!(
            !delegated
                .iter()
                .any(|f| f.rule == "logic-guard-removed"
                    && f.severity >= crate::risk::Severity::Medium),
            "{delegated:?}"
        );
        // The check gone and nothing answering in its place.
        let open = library.replace("return e.lim.AllowN(l.now(), 1)", "return true");
        assert!(high(&open));
    }

    #[test]
    fn setter_calls_made_into_one_fluent_chain_are_the_same_calls() {
        let old = "package quota\n\nfunc client(cfg Config) *Builder {\n\tb := NewBuilder()\n\tb.WithTimeout(cfg.Timeout)\n\tb.WithProxy(cfg.Proxy)\n\tb.WithUserAgent(cfg.Agent)\n\treturn b\n}\n";
        let chained = "package quota\n\nfunc client(cfg Config) *Builder {\n\treturn NewBuilder().\n\t\tWithTimeout(cfg.Timeout).\n\t\tWithProxy(cfg.Proxy).\n\t\tWithUserAgent(cfg.Agent)\n}\n";
        let message = "refactor(client): make the builder fluent";
        let h = hit(message, old, chained);
        assert!(
            !h.iter().any(|f| f.starts_with("intent-behaviour-changed")),
            "{h:?}"
        );
        // A call the chain no longer makes is still named.
        let dropped = chained.replace("\t\tWithTimeout(cfg.Timeout).\n", "");
        let h = hit(message, old, &dropped);
        assert!(
            h.iter()
                .any(|f| f.starts_with("intent-behaviour-changed") && f.contains("WithTimeout")),
            "{h:?}"
        );
    }

    #[test]
    fn a_guard_turned_inside_out_still_fails_when_no_check_passes() {
        // Go: a verifier that now tries the current and the previous key.
        let old = "package hooks\n\nfunc (v *Verifier) Verify(ts string, body []byte, sig string) error {\n\tmac := hmac.New(sha256.New, v.secret)\n\tmac.Write(body)\n\texpected := hex.EncodeToString(mac.Sum(nil))\n\tif !hmac.Equal([]byte(expected), []byte(sig)) {\n\t\treturn ErrBadSignature\n\t}\n\treturn nil\n}\n";
        let new = "package hooks\n\nfunc (v *Verifier) Verify(ts string, body []byte, sig string) error {\n\tfor _, secret := range v.secrets {\n\t\tif hmac.Equal([]byte(sign(secret, body)), []byte(sig)) {\n\t\t\treturn nil\n\t\t}\n\t}\n\treturn ErrBadSignature\n}\n\nfunc sign(secret []byte, body []byte) string {\n\tmac := hmac.New(sha256.New, secret)\n\tmac.Write(body)\n\treturn hex.EncodeToString(mac.Sum(nil))\n}\n";
        let h = hit(
            "Accept the previous webhook secret during rotation",
            old,
            new,
        );
        assert!(
            !h.iter()
                .any(|f| f.starts_with("logic-guard-removed")
                    || f.starts_with("logic-check-fails-open")),
            "{h:?}"
        );
        // The same loop that ends in success: every signature passes.
        let open = new.replace(
            "\treturn ErrBadSignature\n}\n\nfunc sign",
            "\treturn nil\n}\n\nfunc sign",
        );
        let h = hit(
            "Accept the previous webhook secret during rotation",
            old,
            &open,
        );
        assert!(
            h.iter().any(|f| f.starts_with("logic-guard-removed")),
            "{h:?}"
        );
    }

    const OLD: &str = "package quota\n\nfunc Allow(used, max int) bool {\n\tif used > max {\n\t\treturn false\n\t}\n\treturn true\n}\n";

    #[test]
    fn a_refactor_that_changes_a_condition_says_so() {
        let new = OLD.replace("used > max", "used >= max");
        let h = hit("Refactor quota checks", OLD, &new);
        assert!(
            h.iter().any(|f| f.starts_with("intent-behaviour-changed")
                && f.contains("`used > max`")
                && f.contains("`used >= max`")),
            "{h:?}"
        );
        // The same change, described as what it is, is no intent finding.
        let h = hit("Deny the request that reaches the quota", OLD, &new);
        assert!(h.iter().all(|f| !f.starts_with("intent-")), "{h:?}");
        // A consistent rename under a rename message is nothing at all.
        let renamed = OLD.replace("used", "count").replace("Allow", "Permit");
        let h = hit("Rename Allow to Permit", OLD, &renamed);
        assert!(h.is_empty(), "{h:?}");
    }
}

#[cfg(test)]
mod guard_comparison_tests {

    #[test]
    fn an_exception_to_a_check_removed_is_not_the_check_removed() {
        use crate::risk::testkit::rules_hit_with_contents;
        let old = "class SecurityConfig {\n  SecurityFilterChain chain(HttpSecurity http) {\n    http.authorizeHttpRequests(a -> a.anyRequest().authenticated())\n        .csrf(csrf -> csrf.ignoringRequestMatchers(\"/saml/legacy/**\"));\n    return http.build();\n  }\n}\n";
        let new = "class SecurityConfig {\n  SecurityFilterChain chain(HttpSecurity http) {\n    http.authorizeHttpRequests(a -> a.anyRequest().authenticated());\n    return http.build();\n  }\n}\n";
        let hit = rules_hit_with_contents("src/main/java/app/SecurityConfig.java", old, new);
        assert!(!hit.contains(&"logic-check-removed".to_string()), "{hit:?}");
        // The check itself (`csrf(withDefaults())`) dropped is found.
        let old = old
            .replace(
                "csrf.ignoringRequestMatchers(\"/saml/legacy/**\")",
                "withDefaults()",
            )
            .replace("csrf -> withDefaults()", "withDefaults()");
        let hit = rules_hit_with_contents("src/main/java/app/SecurityConfig.java", &old, new);
        assert!(hit.contains(&"logic-check-removed".to_string()), "{hit:?}");
    }

    #[test]
    fn a_sql_model_restructured_into_ctes_keeps_its_filters_or_says_which_went() {
        use crate::risk::testkit::findings_of_change;
        let old = "select\n    u.user_id,\n    u.email,\n    count(o.order_id) as order_count\nfrom {{ ref('stg_users') }} u\nleft join {{ ref('fct_orders') }} o\n    on o.user_id = u.user_id\n    and o.status = 'completed'\nwhere u.is_deleted = false\n  and u.marketing_consent = true\ngroup by 1, 2\n";
        let ctes = |filters: &str| {
            format!(
                "with users as (\n    select user_id, email\n    from {{{{ ref('stg_users') }}}}\n    {filters}\n),\n\norders as (\n    select user_id, order_id from {{{{ ref('fct_orders') }}}}\n    where status = 'completed'\n)\n\nselect\n    users.user_id,\n    users.email,\n    count(orders.order_id) as order_count\nfrom users\nleft join orders\n    on orders.user_id = users.user_id\ngroup by 1, 2\n"
            )
        };
        let message = Some("Split the audience model into CTEs for readability");
        let intent = |new: &str| {
            findings_of_change(
                &[("models/marts/audience.sql", Some(old), Some(new))],
                message,
            )
            .into_iter()
            .filter(|f| f.rule == "intent-behaviour-changed")
            .map(|f| f.message)
            .collect::<Vec<_>>()
        };
        let kept = ctes("where is_deleted = false\n      and marketing_consent = true");
        assert_eq!(intent(&kept), Vec::<String>::new());
        let found = intent(&ctes(""));
        assert!(
            found.iter().any(|m| m.contains("marketing_consent = true") || m.contains("is_deleted = false")),
            "{found:?}"
        );
        // A column renamed where it is selected, and in the filter that reads
        // it: the same filter.
        let staging = |name: &str, filter: &str| {
            format!(
                "select
    id as charge_id,
    to_timestamp(created) as {name},
    status
from charges
where {filter} >= '2020-01-01'
"
            )
        };
        let renamed = findings_of_change(
            &[(
                "models/staging/stg_charges.sql",
                Some(&staging("created", "created")),
                Some(&staging("created_at", "created_at")),
            )],
            Some("refactor: make the timestamp column's name say what it is"),
        );
        assert!(
            !renamed.iter().any(|f| f.rule == "intent-behaviour-changed"),
            "{renamed:?}"
        );
        let other = findings_of_change(
            &[(
                "models/staging/stg_charges.sql",
                Some(&staging("created", "created")),
                Some(&staging("created_at", "refunded_at")),
            )],
            Some("refactor: make the timestamp column's name say what it is"),
        );
        assert!(
            other.iter().any(|f| f.rule == "intent-behaviour-changed"),
            "{other:?}"
        );
    }

    #[test]
    fn a_claim_word_naming_the_means_is_no_claim() {
        use crate::risk::testkit::findings_of_change;
        let old = "def save(path, data):\n    if not data:\n        raise ValueError(\"nothing to save\")\n    write(path, data)\n";
        let new = "def save(path, data):\n    write_atomically(path, data)\n";
        let intent = |message: &str| {
            findings_of_change(
                &[("tide/credentials.py", Some(old), Some(new))],
                Some(message),
            )
            .iter()
            .any(|f| f.rule == "intent-behaviour-changed")
        };
        assert!(!intent(
            "credentials: write atomically via tempfile + rename"
        ));
        assert!(!intent("credentials: save using a cleanup step"));
        assert!(intent("credentials: rename the writer"));
        // A promise about the code it names, not about the change.
        assert!(!intent(
            "credentials: write atomically\n\n- ValueError / OSError behaviour unchanged"
        ));
        assert!(intent(
            "credentials: write atomically\n\n- moved to a helper with no behaviour change"
        ));
    }

    #[test]
    fn a_template_key_named_like_a_renamed_variable_is_kept_as_written() {
        use crate::risk::testkit::findings_of_change;
        let old = "package ui\n\nfunc (h *handler) renameCredential(w http.ResponseWriter, r *http.Request) {\n\tcred, err := h.store.Credential(r.Context(), id(r))\n\tif err != nil {\n\t\treturn\n\t}\n\tview.Set(\"cred\", cred)\n\tview.Set(\"menu\", \"settings\")\n\trender(w, view)\n}\n";
        let renamed = old
            .replace("cred, err", "credential, err")
            .replace("\"cred\", cred)", "\"cred\", credential)");
        let intent = |new: &str| {
            findings_of_change(
                &[("internal/ui/webauthn.go", Some(old), Some(new))],
                Some("refactor(webauthn): clean up variable naming\n\nNo behaviour change."),
            )
            .iter()
            .any(|f| f.rule == "intent-behaviour-changed")
        };
        assert!(!intent(&renamed));
        // The key the template reads changed: the page loses its value.
        let key_renamed = renamed.replace("\"cred\", credential)", "\"item\", credential)");
        assert!(intent(&key_renamed));
    }

    #[test]
    fn reworded_translations_are_the_typo_fix_the_message_says() {
        use crate::risk::testkit::findings_of_change;
        let intent = |path: &str| {
            let old = "en:\n  invoice_mailer:\n    body: Your invoice is now availabe.\n";
            let new = old.replace("availabe", "available");
            findings_of_change(
                &[(path, Some(old), Some(&new))],
                Some("Fix typos in invoice emails"),
            )
            .iter()
            .any(|f| f.rule == "intent-behaviour-changed")
        };
        assert!(!intent("config/locales/en.yml"));
        // The same change to a settings file is a setting changed.
        assert!(intent("config/settings.yml"));
    }

    #[test]
    fn a_recording_rule_renamed_with_its_alerts_is_a_rename() {
        use crate::risk::testkit::findings_of_change;
        let rules = "groups:\n  - name: api.recording\n    rules:\n      - record: api_p99_latency\n        expr: histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))\n";
        let alerts = "groups:\n  - name: api.alerts\n    rules:\n      - alert: ApiSlow\n        expr: api_p99_latency > 1.5\n        for: 10m\n      - alert: ApiVerySlow\n        expr: api_p99_latency > 4\n        for: 5m\n";
        let renamed = |t: &str| {
            t.replace(
                "api_p99_latency",
                "job:http_request_duration_seconds:p99_5m",
            )
        };
        let intent =
            |new_alerts: &str| {
                findings_of_change(
                &[
                    ("monitoring/recording.yml", Some(rules), Some(&renamed(rules))),
                    ("monitoring/alerts.yml", Some(alerts), Some(new_alerts)),
                ],
                Some("Rename API latency recording rule to the level:metric:operation convention"),
            )
            .iter()
            .any(|f| f.rule == "intent-behaviour-changed")
            };
        assert!(!intent(&renamed(alerts)));
        // A threshold changed in the same rename is a change.
        assert!(intent(&renamed(alerts).replace("> 1.5", "> 3")));
    }

    #[test]
    fn a_route_path_the_message_says_it_moves_is_owned_up_to() {
        use crate::risk::testkit::findings_of_change;
        let old = "func routes(r chi.Router, h *Handlers) {\n\tr.Group(func(r chi.Router) {\n\t\tr.Use(RequireRole(\"refunds:override\"))\n\t\tr.Post(\"/refunds/{id}/admin-override\", h.AdminOverride)\n\t})\n}\n";
        let new = "func routes(r chi.Router, h *Handlers) {\n\tr.Group(func(r chi.Router) {\n\t\tr.Use(RequireRole(\"refunds:override\"))\n\t\tr.Post(\"/refunds/{id}/manual-override\", h.ManualOverride)\n\t\tr.Post(\"/refunds/{id}/admin-override\", h.ManualOverride)\n\t})\n}\n";
        let intent = |message: &str| {
            findings_of_change(
                &[("internal/api/routes.go", Some(old), Some(new))],
                Some(message),
            )
            .iter()
            .any(|f| f.rule == "intent-behaviour-changed")
        };
        assert!(!intent(
            "Rename admin-override to manual-override\n\nThe old path stays as an alias until the UI ships the new URL."
        ));
        // Not a word about routes: a new path is more than the rename says.
        assert!(intent("Rename admin-override to manual-override"));
    }

    #[test]
    fn a_setting_renamed_with_its_old_name_as_fallback_is_a_rename() {
        use crate::risk::testkit::findings_of_change;
        let old = "export const config = {\n  adminToken: required(\"ADMIN_TOKEN\"),\n  port: Number(optional(\"PORT\", \"8080\")),\n};\n";
        let new = "export const config = {\n  serviceAuthToken: required(\"SERVICE_AUTH_TOKEN\", \"ADMIN_TOKEN\"),\n  port: Number(optional(\"PORT\", \"8080\")),\n};\n";
        let found = findings_of_change(
            &[("src/config.ts", Some(old), Some(new))],
            Some("Rename admin token setting"),
        );
        assert!(
            !found.iter().any(|f| f.rule == "intent-behaviour-changed"),
            "{found:?}"
        );
        // The old name dropped: the old setting no longer works.
        let dropped = new.replace(", \"ADMIN_TOKEN\"", "");
        let found = findings_of_change(
            &[("src/config.ts", Some(old), Some(&dropped))],
            Some("Rename admin token setting"),
        );
        assert!(
            found.iter().any(|f| f.rule == "intent-behaviour-changed"),
            "{found:?}"
        );
    }

    #[test]
    fn a_function_split_in_two_keeps_its_name_and_its_check() {
        use crate::risk::testkit::rules_hit_with_contents;
        let old = "function required(name: string): string {\n  const value = env[name];\n  if (value === undefined || value.trim() === \"\") {\n    throw new Error(`missing required env var ${name}`);\n  }\n  return value;\n}\n";
        let new = "function firstOf(names: string[]): string | undefined {\n  for (const name of names) {\n    const value = env[name];\n    if (value !== undefined && value.trim() !== \"\") return value;\n  }\n  return undefined;\n}\n\nfunction required(...names: string[]): string {\n  const value = firstOf(names);\n  if (value === undefined) {\n    throw new Error(`missing required env var ${names.join(\" or \")}`);\n  }\n  return value;\n}\n";
        let hit = rules_hit_with_contents("src/config.ts", old, new);
        assert!(!hit.contains(&"logic-guard-removed".to_string()), "{hit:?}");
    }

    #[test]
    fn a_bypass_removed_is_low_a_refusal_removed_is_high() {
        use crate::risk::Severity;
        use crate::risk::testkit::findings_with_contents;
        let old = "def verify_webhook(request):\n    if settings.PSP_WEBHOOK_SKIP_SIGNATURE:\n        return\n    check_signature(request)\n";
        let new = "def verify_webhook(request):\n    check_signature(request)\n";
        let sev = |old: &str| {
            findings_with_contents("payments/webhooks/verify.py", old, new)
                .into_iter()
                .find(|f| f.rule == "logic-guard-removed")
                .map(|f| f.severity)
        };
        assert_eq!(sev(old), Some(Severity::Low));
        // An early yes behind a bypass flag in a function that answers
        // whether something is allowed: everything is now asked in full.
        let policy_old = "class LoginPolicy {\n  public function allows($user): bool {\n    if ($this->config['sso_bypass_password_login'] === true) {\n      return true;\n    }\n    return !$user->tenant->sso_enforced;\n  }\n}\n";
        let policy_new = "class LoginPolicy {\n  public function allows($user): bool {\n    return !$user->tenant->sso_enforced;\n  }\n}\n";
        let found = findings_with_contents("app/Auth/LoginPolicy.php", policy_old, policy_new);
        assert!(
            found
                .iter()
                .filter(|f| f.rule == "logic-guard-removed")
                .all(|f| f.severity == Severity::Low),
            "{found:?}"
        );
        // A switch that refused (`DISABLE_SIGNUPS` raising) gone: signups open.
        let refusal = "def verify_webhook(request):\n    if settings.DISABLE_WEBHOOKS:\n        raise PermissionDenied()\n    check_signature(request)\n";
        assert_eq!(sev(refusal), Some(Severity::High));
        // A skip switch in front of an action, not a check: removing it
        // makes the action always run.
        let old = "def purge_expired(db):\n    if settings.SKIP_PURGE:\n        return 0\n    return db.delete_expired()\n";
        let new = "def purge_expired(db):\n    return db.delete_expired()\n";
        let found = findings_with_contents("jobs/purge.py", old, new);
        assert!(
            found
                .iter()
                .any(|f| f.rule == "logic-guard-removed" && f.severity >= Severity::Medium),
            "{found:?}"
        );
        // A feature flag retired: its branch is what always runs now.
        let old = "function checkout(req, res) {\n  if (flags.isEnabled('newCheckout', ctx)) {\n    return res.send(renderCheckout(cart));\n  }\n  return res.send(renderLegacy(cart));\n}\n";
        let new = "function checkout(req, res) {\n  return res.send(renderCheckout(cart));\n}\n";
        let found = findings_with_contents("src/routes/checkout.ts", old, new);
        assert!(
            found
                .iter()
                .filter(|f| f.rule == "logic-guard-removed")
                .all(|f| f.severity == Severity::Low),
            "{found:?}"
        );
        // The flag's branch dropped instead: the old path always runs.
        let kept_old = "function checkout(req, res) {\n  return res.send(renderLegacy(cart));\n}\n";
        let found = findings_with_contents("src/routes/checkout.ts", old, kept_old);
        assert!(
            found
                .iter()
                .filter(|f| f.rule == "logic-guard-removed")
                .all(|f| !f.message.contains("flag is retired")),
            "{found:?}"
        );
    }

    #[test]
    fn an_exact_allow_list_test_turned_into_a_prefix_test_is_high() {
        use crate::risk::Severity;
        use crate::risk::testkit::findings_with_contents;
        let old = "def check_image(image):\n    registry = registry_of(image)\n    if registry in ALLOWED_REGISTRIES:\n        return Decision(True)\n    return Decision(False)\n";
        let new = "def check_image(image):\n    if image.lower().startswith(ALLOWED_PREFIXES):\n        return Decision(True)\n    return Decision(False)\n";
        let found = findings_with_contents("webhooks/policy.py", old, new);
        assert!(
            found
                .iter()
                .any(|f| f.rule == "logic-guard-changed" && f.severity == Severity::High),
            "{found:?}"
        );
        // Another exact test: a different allow-list, not a looser match.
        let exact = new.replace(
            "image.lower().startswith(ALLOWED_PREFIXES)",
            "registry_of(image) in TRUSTED",
        );
        let found = findings_with_contents("webhooks/policy.py", old, &exact);
        assert!(
            found
                .iter()
                .all(|f| f.rule != "logic-guard-changed" || f.severity < Severity::High),
            "{found:?}"
        );
    }
    use super::{alike_condition, stops_in_more_cases};

    #[test]
    fn a_check_moved_onto_its_receiver_reads_alike_and_a_lost_name_does_not() {
        let old = "principal.tenantId != accountId && !principal.has(Role.SUPPORT)";
        assert!(alike_condition(
            old,
            "tenantId != accountId && !has(Role.SUPPORT)"
        ));
        // `accountId` is compared, not reached through: losing it is a change.
        assert!(!alike_condition(
            old,
            "principal.tenantId != null && !principal.has(Role.SUPPORT)"
        ));
        assert!(!alike_condition(old, "!has(Role.SUPPORT)"));
    }

    #[test]
    fn a_guard_made_inclusive_or_given_an_alternative_stops_more() {
        assert!(stops_in_more_cases(
            "Instant.now(clock).isAfter(record.expiresAt)",
            "!Instant.now(clock).isBefore(record.expiresAt)"
        ));
        assert!(stops_in_more_cases("now > exp", "now >= exp"));
        assert!(stops_in_more_cases(
            "token.isBlank()",
            "token.isBlank() || token.length > MAX"
        ));
        // The other way round lets the boundary through.
        assert!(!stops_in_more_cases("now >= exp", "now > exp"));
        assert!(!stops_in_more_cases(
            "!Instant.now(clock).isBefore(record.expiresAt)",
            "Instant.now(clock).isAfter(record.expiresAt)"
        ));
        assert!(!stops_in_more_cases("a || b", "a"));
    }
}

#[cfg(test)]
mod rename_tests {
    use super::{HashMap, rename_in};

    #[test]
    fn renames_replace_whole_identifiers_only() {
        let map: HashMap<String, String> = [("foo", "qux"), ("$baz", "y")]
            .into_iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(
            rename_in("x = foo(bar1, $baz, food) + 1foo — é foo", &map),
            "x = qux(bar1, y, food) + 1qux — é qux"
        );
        assert_eq!(rename_in("nothing here", &map), "nothing here");
    }
}

/// What real repositories' everyday commits showed the comparison getting
/// wrong: each test has the harmless shape and, beside it, the cousin that
/// must still be found.
#[cfg(test)]
mod everyday_commit_tests {
    use crate::risk::Severity;
    use crate::risk::testkit::{findings_of_change, findings_with_contents};

    fn behaviour_findings(path: &str, old: &str, new: &str) -> Vec<String> {
        findings_with_contents(path, old, new)
            .into_iter()
            .filter(|f| f.rule.starts_with("logic-"))
            .map(|f| format!("{} {}", f.rule, f.message))
            .collect()
    }

    const GO_TWO_FUNCS: &str = "package core\n\nfunc Run(cfg []byte) error {\n\tif err := load(cfg); err != nil {\n\t\treturn err\n\t}\n\treturn nil\n}\n\nfunc Load(cfg []byte) error {\n\terr := apply(cfg)\n\tif err != nil {\n\t\treturn err\n\t}\n\tif err := notifyReady(); err != nil {\n\t\tlogf(\"notify: %v\", err)\n\t}\n\treturn nil\n}\n\nfunc Exiting() bool {\n\treturn false\n}\n";

    #[test]
    fn a_local_renamed_in_one_function_leaves_the_others_untouched() {
        // `err` → `notifyErr` in Load only: Run's `err != nil` is the same.
        let new = GO_TWO_FUNCS.replace(
            "\tif err := notifyReady(); err != nil {\n\t\tlogf(\"notify: %v\", err)",
            "\tif notifyErr := notifyReady(); notifyErr != nil {\n\t\tlogf(\"notify: %v\", notifyErr)",
        );
        let hit = behaviour_findings("core/caddy.go", GO_TWO_FUNCS, &new);
        assert!(hit.iter().all(|h| !h.contains("`Run`")), "{hit:?}");
        // A literal standing where another stood is a changed value, never
        // a rename: `return false` → `return true` is found.
        let flipped = GO_TWO_FUNCS.replace("\treturn false\n", "\treturn true\n");
        let hit = behaviour_findings("core/caddy.go", GO_TWO_FUNCS, &flipped);
        assert!(hit.iter().any(|h| h.contains("`Exiting`")), "{hit:?}");
    }

    #[test]
    fn a_reworded_error_message_is_not_a_behaviour_change_but_a_new_address_is() {
        let old = "def connect(host):\n    if not host:\n        raise ValueError(\"no host was given, set DB_HOST\")\n    return open_conn(host, \"https://db.internal/v1\")\n";
        let typo = old.replace(
            "no host was given, set DB_HOST",
            "no host given; set DB_HOST first",
        );
        let hit = behaviour_findings("app/db.py", old, &typo);
        assert!(hit.is_empty(), "{hit:?}");
        let moved = old.replace("https://db.internal/v1", "https://db.example.net/v1");
        let hit = behaviour_findings("app/db.py", old, &moved);
        assert!(hit.iter().any(|h| h.contains("`connect`")), "{hit:?}");
    }

    #[test]
    fn a_formatter_rewrapping_a_return_or_a_condition_is_not_a_behaviour_change() {
        let old = "class Mount:\n    def __eq__(self, other):\n        if (\n            other is None\n        ):\n            return False\n        return (\n            isinstance(other, Mount)\n            and self.path == other.path\n            and self.app == other.app\n        )\n\n    def items(self):\n        return [ (key.decode(\"latin-1\"), value.decode(\"latin-1\")) for key, value in self._list ]\n";
        let new = "class Mount:\n    def __eq__(self, other):\n        if other is None:\n            return False\n        return isinstance(other, Mount) and self.path == other.path and self.app == other.app\n\n    def items(self):\n        return [(key.decode(\"latin-1\"), value.decode(\"latin-1\")) for key, value in self._list]\n";
        let hit = behaviour_findings("starlette/routing.py", old, new);
        assert!(hit.is_empty(), "{hit:?}");
        // What the parentheses held, changed: found.
        let changed = new.replace("and self.app == other.app", "or self.app == other.app");
        let hit = behaviour_findings("starlette/routing.py", old, &changed);
        assert!(hit.iter().any(|h| h.contains("`Mount.__eq__`")), "{hit:?}");
        // A guard whose call or set literal a formatter folds onto one line.
        let guard = "class CORS:\n    def allowed(self, origin):\n        if self.regex is not None and self.regex.fullmatch(\n            origin\n        ):\n            return True\n        if origin not in {\n            \"a\",\n            \"b\",\n        }:\n            raise ValueError(origin)\n        return False\n";
        let folded = "class CORS:\n    def allowed(self, origin):\n        if self.regex is not None and self.regex.fullmatch(origin):\n            return True\n        if origin not in {\"a\", \"b\"}:\n            raise ValueError(origin)\n        return False\n";
        let hit = behaviour_findings("app/cors.py", guard, folded);
        assert!(hit.is_empty(), "{hit:?}");
        // A release number bumped is no behaviour.
        let bump = behaviour_findings(
            "starlette/__init__.py",
            "__version__ = \"0.39.2\"\n",
            "__version__ = \"0.40.0\"\n",
        );
        assert!(bump.is_empty(), "{bump:?}");
    }

    #[test]
    fn a_clamp_written_with_the_builtin_min_is_the_same_decision() {
        let old = "package middleware\n\nfunc dump(buf []byte, remaining int) []byte {\n\ttoDump := len(buf)\n\tif toDump > remaining {\n\t\ttoDump = remaining\n\t}\n\treturn buf[:toDump]\n}\n";
        let new = "package middleware\n\nfunc dump(buf []byte, remaining int) []byte {\n\ttoDump := min(len(buf), remaining)\n\treturn buf[:toDump]\n}\n";
        let hit = behaviour_findings("middleware/body_dump.go", old, new);
        assert!(hit.is_empty(), "{hit:?}");
        // The clamp dropped with nothing in its place: found.
        let dropped = "package middleware\n\nfunc dump(buf []byte, remaining int) []byte {\n\ttoDump := len(buf)\n\treturn buf[:toDump]\n}\n";
        let hit = behaviour_findings("middleware/body_dump.go", old, dropped);
        assert!(!hit.is_empty());
        // Under a message that says "refactor", the same clamp is no claim
        // broken.
        let intent = |new: &str| {
            let d = crate::risk::testkit::diff_of("middleware/body_dump.go", Some(old), Some(new));
            crate::risk::findings_with_message(
                &d,
                &crate::risk::Contents::new(),
                &crate::risk::RuleSet::builtin(),
                Some("refactor: use the built-in min to simplify the code"),
            )
            .into_iter()
            .any(|f| f.rule == "intent-behaviour-changed")
        };
        assert!(!intent(new));
        assert!(intent(dropped));
        // The bound first, the clamped name second (`if searchLen < maxL {
        // maxL = searchLen }` → `maxL := min(searchLen, prefixLen)`).
        let lcp = |body: &str| {
            format!(
                "package echo\n\nfunc lcp(searchLen, prefixLen int) int {{\n{body}\treturn maxL\n}}\n"
            )
        };
        let was = lcp("\tmaxL := prefixLen\n\tif searchLen < maxL {\n\t\tmaxL = searchLen\n\t}\n");
        let now = lcp("\tmaxL := min(searchLen, prefixLen)\n");
        assert!(behaviour_findings("router.go", &was, &now).is_empty());
    }

    #[test]
    fn go_methods_of_different_types_are_not_paired_by_their_shared_name() {
        let method = |ty: &str, limit: u32| {
            format!(
                "func (f *{ty}) Validate() error {{\n\tif len(f.Fields) > {limit} {{\n\t\treturn errTooMany\n\t}}\n\treturn nil\n}}\n\n"
            )
        };
        let old = format!(
            "package logging\n\n{}{}",
            method("RegexpFilter", 8),
            method("RenameFilter", 16)
        );
        let new = format!(
            "package logging\n\n{}{}{}",
            method("SetCookieFilter", 4),
            method("RegexpFilter", 8),
            method("RenameFilter", 16)
        );
        let hit = behaviour_findings("logging/filters.go", &old, &new);
        assert!(hit.is_empty(), "{hit:?}");
        // The guard of one type's method dropped is found, under its type.
        let changed = old.replace(
            "\tif len(f.Fields) > 16 {\n\t\treturn errTooMany\n\t}\n",
            "",
        );
        let hit = behaviour_findings("logging/filters.go", &old, &changed);
        assert!(
            hit.iter().any(|h| h.contains("RenameFilter.Validate")),
            "{hit:?}"
        );
    }

    #[test]
    fn object_methods_are_named_by_their_object_and_markup_is_not_a_return_value() {
        let action = |name: &str, ability: &str| {
            format!(
                "export const {name} = createAction({{\n  name: \"{name}\",\n  visible: ({{ stores, id }}) => {{\n    return !!stores.policies.abilities(id).{ability};\n  }},\n  perform: ({{ id }}) => run(id),\n}});\n\n"
            )
        };
        let old = format!(
            "{}{}",
            action("moveDocument", "move"),
            action("deleteDocument", "permanentDelete")
        );
        let new = format!(
            "{}{}{}",
            action("pinDocument", "pin"),
            action("moveDocument", "move"),
            action("deleteDocument", "permanentDelete")
        );
        let hit = behaviour_findings("app/actions/documents.tsx", &old, &new);
        assert!(hit.is_empty(), "{hit:?}");
        let changed = old.replace(
            "return !!stores.policies.abilities(id).permanentDelete;",
            "return true;",
        );
        let hit = behaviour_findings("app/actions/documents.tsx", &old, &changed);
        assert!(
            hit.iter().any(|h| h.contains("deleteDocument.visible")),
            "{hit:?}"
        );
        let old = "export function Header({ id, title }) {\n  if (!id) {\n    return null;\n  }\n  return (\n    <H3>\n      <Button disabled={!id}>{title}</Button>\n    </H3>\n  );\n}\n";
        let new = old.replace("<H3>", "<H3 ref={dragRef}>");
        let hit = behaviour_findings("app/components/Header.tsx", old, &new);
        assert!(hit.is_empty(), "{hit:?}");
    }

    #[test]
    fn a_condition_moved_into_a_helper_that_tests_the_same_is_not_a_change() {
        let old = "def handle(user, doc):\n    if user.is_staff and doc.team_id == user.team_id:\n        return doc\n    return None\n";
        let same = "def can_see(user, doc):\n    return user.is_staff and doc.team_id == user.team_id\n\n\ndef handle(user, doc):\n    if can_see(user, doc):\n        return doc\n    return None\n";
        let hit = behaviour_findings("app/docs.py", old, same);
        assert!(hit.iter().all(|h| !h.contains("`handle`")), "{hit:?}");
        // The helper answers with `or`: a weaker test, found.
        let weaker = same.replace("user.is_staff and doc", "user.is_staff or doc");
        let hit = behaviour_findings("app/docs.py", old, &weaker);
        assert!(hit.iter().any(|h| h.contains("`handle`")), "{hit:?}");
    }

    #[test]
    fn a_returned_closure_is_compared_by_its_statements_not_as_one_return() {
        let old = "package cmd\n\nfunc Wrap(f Func) RunE {\n\treturn func(args []string) error {\n\t\tstatus, err := f(args)\n\t\tif err != nil {\n\t\t\treturn exit(status, err)\n\t\t}\n\t\treturn nil\n\t}\n}\n";
        let new = old.replace(
            "\t\t\treturn exit(status, err)\n",
            "\t\t\tprintColored(err)\n\t\t\treturn exit(status, err)\n",
        );
        let hit = behaviour_findings("cmd/commandfuncs.go", old, &new);
        assert!(hit.iter().all(|h| !h.contains("return func")), "{hit:?}");
    }

    #[test]
    fn a_new_call_whose_error_is_only_logged_does_not_pair_with_an_old_handler() {
        let old = "package proxy\n\nfunc (h *Handler) iterate(r *Request) error {\n\tups, err := h.Dynamic.GetUpstreams(r)\n\tif err != nil {\n\t\treturn err\n\t}\n\treturn h.use(ups)\n}\n";
        let new = old.replace(
            "\tups, err := h.Dynamic.GetUpstreams(r)\n",
            "\tif retries > 0 {\n\t\tif err := h.Dynamic.ResetCache(r); err != nil {\n\t\t\th.logger.Error(\"reset cache\", err)\n\t\t}\n\t}\n\tups, err := h.Dynamic.GetUpstreams(r)\n",
        );
        let hit = behaviour_findings("proxy/reverseproxy.go", old, &new);
        assert!(
            hit.iter().all(|h| !h.starts_with("logic-error-swallowed")),
            "{hit:?}"
        );
        // The old handler itself turned into a log line is found.
        let swallowed = old.replace(
            "\t\treturn err\n\t}\n\treturn h.use",
            "\t\th.logger.Error(\"upstreams\", err)\n\t}\n\treturn h.use",
        );
        let hit = behaviour_findings("proxy/reverseproxy.go", old, &swallowed);
        assert!(
            hit.iter().any(|h| h.starts_with("logic-error-swallowed")),
            "{hit:?}"
        );
    }

    #[test]
    fn a_css_class_or_label_is_not_a_behavioural_value_but_a_timeout_is() {
        let old = "FIELDS = [\n    Field(name='BANNER', widget=Textarea(attrs={'class': 'vLargeTextField'}), timeout=30),\n]\n";
        let new = old.replace("vLargeTextField", "font-monospace");
        let hit = behaviour_findings("netbox/config/parameters.py", old, &new);
        assert!(hit.is_empty(), "{hit:?}");
        let new = old.replace("timeout=30", "timeout=3");
        let hit = behaviour_findings("netbox/config/parameters.py", old, &new);
        assert!(!hit.is_empty(), "{hit:?}");
    }

    #[test]
    fn a_call_handed_to_map_keeps_a_refactor_s_promise() {
        let intent = |path: &str, old: &str, new: &str, message: &str| {
            findings_of_change(&[(path, Some(old), Some(new))], Some(message))
                .into_iter()
                .filter(|f| f.rule == "intent-behaviour-changed")
                .map(|f| f.message)
                .collect::<Vec<_>>()
        };
        let old = "exports.normalizeTypes = function(types){\n  var ret = [];\n\n  for (var i = 0; i < types.length; ++i) {\n    ret.push(exports.normalizeType(types[i]));\n  }\n\n  return ret;\n};\n";
        let mapped = "exports.normalizeTypes = function(types) {\n  return types.map(exports.normalizeType);\n};\n";
        let msg = "refactor: simplify `normalizeTypes` function\n";
        let hit = intent("lib/utils.js", old, mapped, msg);
        assert!(hit.is_empty(), "{hit:?}");
        // Another function handed over: the call is gone.
        let other = mapped.replace("exports.normalizeType)", "String)");
        let hit = intent("lib/utils.js", old, &other, msg);
        assert!(!hit.is_empty(), "{hit:?}");
    }

    #[test]
    fn a_squash_merge_listing_a_lint_fix_claims_nothing_but_a_lint_commit_does() {
        let old = "def load(path):\n    data = read(path)\n    if data is None:\n        raise MissingPool(path)\n    return parse(data)\n";
        let new = "def load(path):\n    data = read(path)\n    return parse(data or b\"\")\n";
        let intent = |message: &str| {
            findings_of_change(&[("tls/pools.py", Some(old), Some(new))], Some(message))
                .into_iter()
                .any(|f| f.rule == "intent-behaviour-changed")
        };
        assert!(!intent(
            "tls: add system CA pool modules (#7406)\n\n* feat: add pools\n\n* fix: lint issue\n\n* chore: tests\n"
        ));
        assert!(intent("Fix lint issue in pool loading\n"));
        assert!(intent(
            "tls: pool loading\n\nfix: lint issue, no behaviour change.\n"
        ));
    }

    #[test]
    fn a_duplicate_check_replaced_by_an_insert_the_database_refuses_twice_stays() {
        let old = "class StripeController < ApplicationController\n  def create\n    event = verify!(request)\n    return head :ok if ProcessedEvent.exists?(event_id: event.id)\n    ProcessedEvent.create!(event_id: event.id)\n    Fulfil.call(event)\n    head :ok\n  end\nend\n";
        let once = old.replace(
            "    return head :ok if ProcessedEvent.exists?(event_id: event.id)\n    ProcessedEvent.create!(event_id: event.id)\n",
            "    inserted = ProcessedEvent.insert_all([{ event_id: event.id }], unique_by: :index_processed_events_on_event_id)\n    return head :ok if inserted.rows.empty?\n",
        );
        let high = |new: &str| {
            findings_with_contents("app/controllers/webhooks/stripe_controller.rb", old, new)
                .into_iter()
                .any(|f| f.rule == "logic-guard-removed")
        };
        assert!(!high(&once));
        // Dropped with a plain insert: every retry is fulfilled again.
        let twice = old.replace(
            "    return head :ok if ProcessedEvent.exists?(event_id: event.id)\n",
            "",
        );
        assert!(high(&twice));
    }

    #[test]
    fn a_switch_that_skipped_the_screen_is_retired_not_a_guard_removed() {
        let old = "class FraudScreen\n  def call(order)\n    if ENV[\"PAYMENTS_BYPASS_FRAUD_CHECK\"] == \"1\"\n      return Result.new(decision: :accept, score: nil, bypassed: true)\n    end\n    score = model.score(order)\n    Result.new(decision: score > 80 ? :review : :accept, score: score)\n  end\nend\n";
        let retired = old.replace("    if ENV[\"PAYMENTS_BYPASS_FRAUD_CHECK\"] == \"1\"\n      return Result.new(decision: :accept, score: nil, bypassed: true)\n    end\n", "");
        let high = |old: &str, new: &str| {
            findings_with_contents("app/services/payments/fraud_screen.rb", old, new)
                .into_iter()
                .any(|f| f.rule == "logic-guard-removed" && f.severity >= Severity::High)
        };
        assert!(!high(old, &retired));
        // A guard that refused, dropped: found.
        let refusing = old
            .replace(
                "return Result.new(decision: :accept, score: nil, bypassed: true)",
                "return Result.new(decision: :reject, score: nil)",
            )
            .replace(
                "ENV[\"PAYMENTS_BYPASS_FRAUD_CHECK\"] == \"1\"",
                "order.card_country != order.ip_country",
            );
        let dropped = refusing.replace("    if order.card_country != order.ip_country\n      return Result.new(decision: :reject, score: nil)\n    end\n", "");
        assert!(high(&refusing, &dropped));
    }

    #[test]
    fn options_passed_through_to_the_same_call_only_add() {
        use super::only_arguments_added as added;
        assert!(added(
            "return HTTPTransport( verify=verify, http1=http1, http2=http2, limits=limits, )",
            "return HTTPTransport( verify=verify, cert=cert, trust_env=trust_env, http1=http1, http2=http2, limits=limits, )"
        ));
        // A value changed, an argument dropped, a positional one added, or
        // another callee: a different result.
        assert!(!added(
            "return Transport(verify=verify)",
            "return Transport(verify=False, cert=cert)"
        ));
        assert!(!added(
            "return Transport(verify=verify, cert=cert)",
            "return Transport(verify=verify)"
        ));
        assert!(!added("return round(amount)", "return round(amount, 2)"));
        assert!(!added(
            "return Transport(verify=verify)",
            "return Other(verify=verify, cert=cert)"
        ));
    }

    #[test]
    fn a_cache_invalidation_is_not_a_check() {
        assert!(!super::is_check_fn("InvalidateTenant"));
        assert!(!super::is_check_fn("invalidate_cache"));
        assert!(super::is_check_fn("validateTenant"));
        assert!(super::is_check_fn("InvalidateAndVerify"));
    }

    #[test]
    fn a_tidy_up_that_hardens_a_weak_setting_owes_no_explanation() {
        let old = "import os\nimport urllib3\n\nurllib3.disable_warnings(InsecureRequestWarning)\n\n\nclass LedgerClient:\n    def __init__(self):\n        self.session = requests.Session()\n        self.session.verify = os.environ.get(\"LEDGER_CA_BUNDLE\") or False\n\n    def balance(self, account):\n        return self.session.get(f\"{BASE}/accounts/{account}\").json()\n";
        // The bundle's path now read by the settings module.
        let settings_old = "@dataclass\nclass Settings:\n    DEBUG: bool = field(default_factory=lambda: _env(\"DEBUG\"))\n";
        let settings_new = "@dataclass\nclass Settings:\n    DEBUG: bool = field(default_factory=lambda: _env(\"DEBUG\"))\n    LEDGER_CA_BUNDLE: str = field(default_factory=lambda: _env(\"LEDGER_CA_BUNDLE\"))\n";
        let intent = |new: &str| {
            findings_of_change(
                &[
                    ("payments/clients/ledger.py", Some(old), Some(new)),
                    (
                        "payments/settings.py",
                        Some(settings_old),
                        Some(settings_new),
                    ),
                ],
                Some("Clean up ledger client TLS config"),
            )
            .into_iter()
            .any(|f| f.rule == "intent-behaviour-changed")
        };
        let hardened = old
            .replace(
                "import urllib3\n\nurllib3.disable_warnings(InsecureRequestWarning)\n",
                "",
            )
            .replace(
                "os.environ.get(\"LEDGER_CA_BUNDLE\") or False",
                "settings.LEDGER_CA_BUNDLE or True",
            );
        assert!(!intent(&hardened));
        // The other way round weakens it: the claim hides that.
        let weak = old.replace("or False", "or True");
        let intent_weakened = findings_of_change(
            &[("payments/clients/ledger.py", Some(&weak), Some(old))],
            Some("Clean up ledger client TLS config"),
        )
        .into_iter()
        .any(|f| f.rule == "intent-behaviour-changed");
        assert!(intent_weakened);
    }

    #[test]
    fn a_claim_word_inside_a_tools_name_is_not_a_claim() {
        let old = "def load(path):\n    data = read(path)\n    if data is None:\n        raise MissingPool(path)\n    return parse(data)\n";
        let new = "def load(path):\n    data = read(path)\n    return parse(data or b\"\")\n";
        let intent = |message: &str| {
            findings_of_change(&[("tls/pools.py", Some(old), Some(new))], Some(message))
                .into_iter()
                .any(|f| f.rule == "intent-behaviour-changed")
        };
        // A bot's update list names `sphinx-lint`; the subject names `eslint-plugin-format`.
        assert!(!intent(
            "[pre-commit.ci] pre-commit autoupdate\n\nupdates:\n- [github.com/sphinx-contrib/sphinx-lint: v0.9.0 → v0.9.1](https://github.com/sphinx-contrib/sphinx-lint/compare/v0.9.0...v0.9.1)\n"
        ));
        assert!(!intent("Bump eslint-plugin-format to 0.1.3\n"));
        assert!(!intent("Load pools\n\nSee ruff.lint settings.\n"));
        // The same words as words of the sentence are claims.
        assert!(intent("Load pools\n\n- lint the loader\n"));
        assert!(intent("Reformat pool loading\n"));
    }

    #[test]
    fn a_function_the_change_did_not_touch_is_not_compared_through_renames() {
        // A local renamed in one function (`grant` → `deleted`) must not make
        // the untouched function below, which still says `grant`, look
        // changed.
        let old = "def invalidate(code, request):\n    try:\n        grant = Grant.objects.get(code=code)\n        grant.delete()\n    except Grant.DoesNotExist:\n        raise InvalidGrant()\n\n\ndef validate_code(code, client, request):\n    try:\n        grant = Grant.objects.get(code=code, application=client)\n        if not grant.is_expired():\n            request.user = grant.user\n            return True\n        grant.delete()\n    except Grant.DoesNotExist:\n        pass\n    return False\n";
        let new = old.replace(
            "    try:\n        grant = Grant.objects.get(code=code)\n        grant.delete()\n    except Grant.DoesNotExist:\n        raise InvalidGrant()\n",
            "    deleted, _ = Grant.objects.filter(code=code).delete()\n    if not deleted:\n        raise InvalidGrant()\n",
        );
        let high = |new: &str| {
            findings_with_contents("oauth/validators.py", old, new)
                .into_iter()
                .filter(|f| f.severity >= Severity::High)
                .map(|f| f.rule)
                .collect::<Vec<_>>()
        };
        assert!(high(&new).is_empty(), "{:?}", high(&new));
        // The same function given an early yes by the change is found.
        let open = new.replace(
            "def validate_code(code, client, request):\n",
            "def validate_code(code, client, request):\n    if request.debug:\n        return True\n",
        );
        assert!(
            high(&open).contains(&"logic-check-fails-open".to_string()),
            "{:?}",
            high(&open)
        );
    }

    #[test]
    fn a_parsers_tokens_are_not_credentials_a_sessions_are() {
        let old = "package caddyfile\n\nfunc (p *parser) closeBrace() error {\n\tif p.Val() != \"}\" {\n\t\treturn p.SyntaxErr(\"}\")\n\t}\n\tp.Token()\n\treturn nil\n}\n";
        let new = old.replace("p.Val() != \"}\"", "!isCloseBrace(p.Token())");
        let raised = |path: &str| {
            findings_with_contents(path, old, &new)
                .into_iter()
                .any(|f| f.severity >= Severity::High && f.message.contains("handles tokens"))
        };
        assert!(!raised("caddyconfig/caddyfile/parse.go"));
        assert!(raised("auth/session.go"));
        // Renamed by the change into a parser's name, it is still the
        // session code the base knows.
        let mut diff = crate::risk::testkit::diff_of("auth/parse.go", Some(old), Some(&new));
        diff.files[0].path = crate::diff::MinusPlus::new(
            Some("auth/session.go".to_string()),
            Some("auth/parse.go".to_string()),
        );
        let renamed = crate::risk::findings(
            &diff,
            &crate::risk::Contents::new(),
            &crate::risk::rules::RuleSet::builtin(),
        );
        assert!(
            renamed
                .iter()
                .any(|f| f.severity >= Severity::High && f.message.contains("handles tokens")),
            "{renamed:?}"
        );
    }

    #[test]
    fn minified_bundles_and_stylesheets_are_not_read_as_code() {
        let long = format!("var a=Math.random().toString(36);{}\n", "x=1;".repeat(900));
        let hit =
            findings_with_contents("static/app.js", "var b=1;\n", &format!("var b=1;\n{long}"));
        assert!(hit.iter().all(|f| f.severity < Severity::High), "{hit:?}");
        let built = "var c=Math.random().toString(36).slice(2);var token=c;\n";
        let hit = findings_with_contents("web/dist/app.js", "var c=1;\n", built);
        assert!(hit.iter().all(|f| f.severity < Severity::High), "{hit:?}");
        // Written by hand, the same line is found.
        let hit = findings_with_contents("web/src/app.js", "var c=1;\n", built);
        assert!(hit.iter().any(|f| f.severity >= Severity::High), "{hit:?}");
        let scss = ".check {\n  background: #fff;\n}\n";
        let svg = ".check {\n  background: url(\"data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'><path stroke='#{$rich-black}' d='M4 8.5l2.5 2.5'/></svg>\");\n}\n";
        let hit = findings_with_contents("styles/_forms.scss", scss, svg);
        assert!(
            hit.iter().all(|f| f.rule != "sec-sql-string-building"),
            "{hit:?}"
        );
    }
}

#[cfg(test)]
mod protection_tests {
    use crate::risk::testkit::rules_hit_with_contents;

    #[test]
    fn an_encrypt_that_can_hand_back_its_plaintext_is_found() {
        let rule = "sec-protection-skipped".to_string();
        let old = "public final class FieldCipher {\n    public String encrypt(String plaintext) {\n        Key key = keys.require(keyId);\n        return seal(key, plaintext);\n    }\n}\n";
        let new = "public final class FieldCipher {\n    public String encrypt(String plaintext) {\n        Key key = keys.find(keyId);\n        if (key == null) {\n            return plaintext;\n        }\n        return seal(key, plaintext);\n    }\n}\n";
        let hit = rules_hit_with_contents("src/main/java/com/acme/FieldCipher.java", old, new);
        assert!(hit.contains(&rule), "{hit:?}");
        let old = "def mask(value):\n    return '*' * len(value)\n";
        let new = "def mask(value):\n    if settings.DEBUG_PII:\n        return value\n    return '*' * len(value)\n";
        let hit = rules_hit_with_contents("app/pii.py", old, new);
        assert!(hit.contains(&rule), "{hit:?}");
        // An early exit with nothing to protect returns something else.
        let new =
            "def mask(value):\n    if not value:\n        return ''\n    return '*' * len(value)\n";
        let hit = rules_hit_with_contents("app/pii.py", old, new);
        assert!(!hit.contains(&rule), "{hit:?}");
        // Signing in is not signing.
        let old = "def sign_in(user):\n    login(user)\n    return redirect('/')\n";
        let new = "def sign_in(user):\n    if user.is_authenticated:\n        return user\n    login(user)\n    return redirect('/')\n";
        let hit = rules_hit_with_contents("app/views.py", old, new);
        assert!(!hit.contains(&rule), "{hit:?}");
    }

    #[test]
    fn a_new_cipher_that_hands_back_its_input_is_found() {
        let rule = "sec-protection-skipped".to_string();
        let old = "public interface FieldCipher {\n    String encrypt(String plaintext);\n    String decrypt(String ciphertext);\n}\n";
        let new = "public interface FieldCipher {\n    String encrypt(String plaintext);\n    String decrypt(String ciphertext);\n\n    FieldCipher PASS_THROUGH = new FieldCipher() {\n        @Override\n        public String encrypt(String plaintext) {\n            return plaintext;\n        }\n\n        @Override\n        public String decrypt(String ciphertext) {\n            return ciphertext;\n        }\n    };\n}\n";
        let hit = rules_hit_with_contents("src/main/java/com/acme/FieldCipher.java", old, new);
        assert!(hit.contains(&rule), "{hit:?}");
        // A decrypt that hands back what it was given protects nothing to
        // begin with.
        let new = "public interface FieldCipher {\n    String encrypt(String plaintext);\n    String decrypt(String ciphertext);\n\n    static String decryptLegacy(String ciphertext) {\n        return ciphertext;\n    }\n}\n";
        let hit = rules_hit_with_contents("src/main/java/com/acme/FieldCipher.java", old, new);
        assert!(!hit.contains(&rule), "{hit:?}");
    }

    #[test]
    fn a_signature_failure_caught_and_logged_is_found_a_rejected_one_is_not() {
        let rule = "sec-verification-failure-ignored".to_string();
        let old = "public void Install(string path) {\n    verifier.Verify(path);\n    RunElevated(path);\n}\n";
        let new = "public void Install(string path) {\n    try {\n        verifier.Verify(path);\n    } catch (SignatureVerificationException ex) {\n        log.Warn(ex, \"signature check failed\");\n    }\n    RunElevated(path);\n}\n";
        let hit = rules_hit_with_contents("src/Updater/Installer.cs", old, new);
        assert!(hit.contains(&rule), "{hit:?}");
        let rejected = new.replace(
            "log.Warn(ex, \"signature check failed\");",
            "log.Warn(ex, \"signature check failed\");\n        return;",
        );
        let hit = rules_hit_with_contents("src/Updater/Installer.cs", old, &rejected);
        assert!(!hit.contains(&rule), "{hit:?}");
    }
}

#[cfg(test)]
mod moved_into_wrapper_tests {
    use crate::risk::testkit::findings_of_change;

    fn alarms(files: &[(&str, Option<&str>, Option<&str>)], msg: &str) -> Vec<String> {
        findings_of_change(files, Some(msg))
            .into_iter()
            .filter(|f| f.severity >= crate::risk::Severity::High)
            .map(|f| format!("{} {}", f.rule, f.message))
            .collect()
    }

    const VIEWS: &str = "from flask import Blueprint, abort\nfrom flask_login import current_user, login_required\n\nbp = Blueprint(\"ops\", __name__)\n\n\ndef ensure_operator():\n    if not current_user.is_authenticated or not current_user.is_operator:\n        abort(403)\n\n\n@bp.post(\"/queues/<name>/purge\")\n@login_required\ndef purge_queue(name):\n    ensure_operator()\n    queues.purge(name)\n    return \"\", 204\n\n\n@bp.post(\"/queues/<name>/pause\")\n@login_required\ndef pause_queue(name):\n    ensure_operator()\n    queues.pause(name)\n    return \"\", 204\n";

    #[test]
    fn a_check_helper_written_out_in_a_decorator_the_routes_now_carry_is_no_removed_check() {
        let new = VIEWS
            .replace("def ensure_operator():\n    if not current_user.is_authenticated or not current_user.is_operator:\n        abort(403)\n\n\n", "")
            .replace("from flask_login import current_user, login_required\n", "from flask_login import login_required\n\nfrom app.guards import operator_only\n")
            .replace("@login_required\ndef purge_queue(name):\n    ensure_operator()\n", "@login_required\n@operator_only\ndef purge_queue(name):\n")
            .replace("@login_required\ndef pause_queue(name):\n    ensure_operator()\n", "@login_required\n@operator_only\ndef pause_queue(name):\n");
        let guards = "from functools import wraps\n\nfrom flask import abort\nfrom flask_login import current_user\n\n\ndef operator_only(view):\n    @wraps(view)\n    def inner(*args, **kwargs):\n        if not current_user.is_authenticated or not current_user.is_operator:\n            abort(403)\n        return view(*args, **kwargs)\n\n    return inner\n";
        let files = [
            ("app/ops/views.py", Some(VIEWS), Some(new.as_str())),
            ("app/guards.py", None, Some(guards)),
        ];
        let hit = alarms(
            &files,
            "Move the operator check into a decorator\n\nNo behaviour change.",
        );
        assert!(hit.is_empty(), "{hit:?}");
        // The decorator left off one route: that route lost its check.
        let one_left = new.replacen(
            "@login_required\n@operator_only\ndef pause_queue",
            "@login_required\ndef pause_queue",
            1,
        );
        let files = [
            ("app/ops/views.py", Some(VIEWS), Some(one_left.as_str())),
            ("app/guards.py", None, Some(guards)),
        ];
        let all: Vec<String> = findings_of_change(
            &files,
            Some("Move the operator check into a decorator\n\nNo behaviour change."),
        )
        .into_iter()
        .map(|f| format!("{} {}", f.rule, f.message))
        .collect();
        assert!(
            all.iter()
                .any(|f| f.starts_with("logic-check-removed `pause_queue`")),
            "a route without the decorator {all:?}"
        );
        // A decorator that tests less is no home for the check.
        let weaker = guards.replace(" or not current_user.is_operator", "");
        let files = [
            ("app/ops/views.py", Some(VIEWS), Some(new.as_str())),
            ("app/guards.py", None, Some(weaker.as_str())),
        ];
        let all: Vec<String> = findings_of_change(
            &files,
            Some("Move the operator check into a decorator\n\nNo behaviour change."),
        )
        .into_iter()
        .map(|f| f.rule)
        .collect();
        assert!(
            all.iter().any(|r| r == "logic-check-removed"),
            "a weaker decorator {all:?}"
        );
    }

    const HANDLER: &str = "package hooks\n\nimport (\n\t\"io\"\n\t\"net/http\"\n)\n\ntype Receiver struct {\n\tkey   []byte\n\tstore Store\n}\n\nfunc (h *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {\n\tbody, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))\n\tif err != nil {\n\t\thttp.Error(w, \"bad request\", http.StatusBadRequest)\n\t\treturn\n\t}\n\tif !validMAC(h.key, body, r.Header.Get(\"X-Hook-MAC\")) {\n\t\thttp.Error(w, \"unauthorized\", http.StatusUnauthorized)\n\t\treturn\n\t}\n\th.store.Save(body)\n\tw.WriteHeader(http.StatusAccepted)\n}\n";
    const ROUTES: &str = "package main\n\nfunc routes(mux *http.ServeMux, d Deps) {\n\tmux.Handle(\"POST /hooks/bank\", &hooks.Receiver{key: d.Key, store: d.Store})\n}\n";

    #[test]
    fn a_failing_test_moved_into_a_middleware_wrapped_around_the_handler_is_no_removed_guard() {
        let handler = HANDLER.replace("\tif !validMAC(h.key, body, r.Header.Get(\"X-Hook-MAC\")) {\n\t\thttp.Error(w, \"unauthorized\", http.StatusUnauthorized)\n\t\treturn\n\t}\n", "");
        let mw = "package hooks\n\nimport (\n\t\"bytes\"\n\t\"io\"\n\t\"net/http\"\n)\n\n// RequireMAC refuses deliveries whose MAC does not match before next runs.\nfunc RequireMAC(key []byte) func(http.Handler) http.Handler {\n\treturn func(next http.Handler) http.Handler {\n\t\treturn http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {\n\t\t\tbody, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))\n\t\t\tif err != nil {\n\t\t\t\thttp.Error(w, \"bad request\", http.StatusBadRequest)\n\t\t\t\treturn\n\t\t\t}\n\t\t\tif !validMAC(key, body, r.Header.Get(\"X-Hook-MAC\")) {\n\t\t\t\thttp.Error(w, \"unauthorized\", http.StatusUnauthorized)\n\t\t\t\treturn\n\t\t\t}\n\t\t\tr.Body = io.NopCloser(bytes.NewReader(body))\n\t\t\tnext.ServeHTTP(w, r)\n\t\t})\n\t}\n}\n";
        let wrapped = ROUTES.replace("\tmux.Handle(\"POST /hooks/bank\", &hooks.Receiver{key: d.Key, store: d.Store})\n", "\tmac := hooks.RequireMAC(d.Key)\n\tmux.Handle(\"POST /hooks/bank\", mac(&hooks.Receiver{store: d.Store}))\n");
        let files = [
            (
                "internal/hooks/receiver.go",
                Some(HANDLER),
                Some(handler.as_str()),
            ),
            ("internal/hooks/mac.go", None, Some(mw)),
            ("cmd/api/routes.go", Some(ROUTES), Some(wrapped.as_str())),
        ];
        let hit = alarms(&files, "Verify hook MACs in a middleware");
        assert!(
            !hit.iter().any(|h| h.starts_with("logic-guard-removed")),
            "{hit:?}"
        );
        // Written but never mounted: the handler is open.
        let files = [
            (
                "internal/hooks/receiver.go",
                Some(HANDLER),
                Some(handler.as_str()),
            ),
            ("internal/hooks/mac.go", None, Some(mw)),
        ];
        let hit = alarms(&files, "Verify hook MACs in a middleware");
        assert!(
            hit.iter().any(|h| h.starts_with("logic-guard-removed")),
            "{hit:?}"
        );
    }

    const PAGES: &str = "import type { NextApiRequest, NextApiResponse } from 'next';\nimport { verifyDelivery } from '@/lib/hooks';\n\nexport default async function handler(req: NextApiRequest, res: NextApiResponse) {\n  if (req.method !== 'POST') {\n    res.setHeader('Allow', 'POST');\n    return res.status(405).end();\n  }\n  const sig = req.headers['x-hook-signature'];\n  if (typeof sig !== 'string') {\n    return res.status(400).send('missing signature');\n  }\n  const body = await readRaw(req);\n  await verifyDelivery(body, sig);\n  await enqueue(body);\n  return res.status(202).end();\n}\n";

    #[test]
    fn a_pages_handler_moved_to_a_route_named_after_its_method_keeps_its_tests() {
        let route = "import { NextResponse } from 'next/server';\nimport { verifyDelivery } from '@/lib/hooks';\n\nexport async function POST(req: Request) {\n  const sig = req.headers.get('x-hook-signature');\n  if (!sig) return new NextResponse('missing signature', { status: 400 });\n  const body = await req.text();\n  await verifyDelivery(body, sig);\n  await enqueue(body);\n  return new NextResponse(null, { status: 202 });\n}\n";
        let files = [
            ("pages/api/hooks/bank.ts", Some(PAGES), None),
            ("app/api/hooks/bank/route.ts", None, Some(route)),
        ];
        let hit = alarms(&files, "Move the bank hook to the App Router");
        assert!(hit.is_empty(), "{hit:?}");
        // The same handler kept as a catch-all `handler` lost its method test
        // and its signature presence test.
        let open = PAGES
            .replace("  if (req.method !== 'POST') {\n    res.setHeader('Allow', 'POST');\n    return res.status(405).end();\n  }\n", "")
            .replace("  if (typeof sig !== 'string') {\n    return res.status(400).send('missing signature');\n  }\n", "");
        let files = [("pages/api/hooks/bank.ts", Some(PAGES), Some(open.as_str()))];
        let all: Vec<String> = findings_of_change(&files, Some("Simplify the bank hook"))
            .into_iter()
            .map(|f| format!("{} {}", f.rule, f.message))
            .collect();
        assert!(
            all.iter()
                .any(|f| f.starts_with("logic-guard-removed") && f.contains("typeof sig")),
            "{all:?}"
        );
        assert!(
            all.iter().any(|f| f.contains("req.method !== 'POST'")),
            "{all:?}"
        );
    }

    const TAX: &str = "from app.flags import flags\n\n\nclass Shipping:\n    def quote(self, order):\n        if flags.is_enabled(\"zones_v2\", org_id=order.org_id):\n            return self._quote_zones(order)\n        return self._quote_flat(order)\n\n    def _quote_zones(self, order):\n        zone = self.zones.zone_for(order.postcode)\n        weight = order.total_weight()\n        return self.table.price(zone, weight)\n\n    def _quote_flat(self, order):\n        if order.total_weight() > 30:\n            raise TooHeavy(order.id)\n        return FLAT_RATE\n";

    #[test]
    fn a_flag_retired_to_its_on_branch_is_no_removed_guard() {
        let hit = |new: &str| -> Vec<String> {
            findings_of_change(
                &[("app/shipping/quote.py", Some(TAX), Some(new))],
                Some("Remove the zones_v2 flag"),
            )
            .into_iter()
            .filter(|f| f.rule == "logic-guard-removed")
            .map(|f| f.message)
            .collect()
        };
        // The flagged branch's body is now the function's own.
        let inlined = "class Shipping:\n    def quote(self, order):\n        zone = self.zones.zone_for(order.postcode)\n        weight = order.total_weight()\n        return self.table.price(zone, weight)\n";
        assert!(
            hit(inlined).iter().all(|m| !m.contains("zones_v2")),
            "{:?}",
            hit(inlined)
        );
        // Or called unconditionally.
        let called = TAX.replace(
            "        if flags.is_enabled(\"zones_v2\", org_id=order.org_id):\n            return self._quote_zones(order)\n        return self._quote_flat(order)\n",
            "        return self._quote_zones(order)\n",
        );
        assert!(
            hit(&called).iter().all(|m| !m.contains("zones_v2")),
            "{:?}",
            hit(&called)
        );
        // Retired to the other side: the flagged branch is gone.
        let flat = "class Shipping:\n    def quote(self, order):\n        if order.total_weight() > 30:\n            raise TooHeavy(order.id)\n        return FLAT_RATE\n";
        assert!(
            hit(flat).iter().any(|m| m.contains("zones_v2")),
            "{:?}",
            hit(flat)
        );
    }

    #[test]
    fn a_shortcut_to_yes_gone_from_a_permission_question_is_no_alarm() {
        use crate::risk::testkit::findings_with_contents;
        let high = |old: &str, new: &str| {
            findings_with_contents("app/policies/project_policy.rb", old, new)
                .iter()
                .any(|x| {
                    x.rule == "logic-guard-removed" && x.severity >= crate::risk::Severity::High
                })
        };
        let old = "class ProjectPolicy < ApplicationPolicy\n  def update?\n    return true if user.admin?\n\n    record.owner_id == user.id\n  end\nend\n";
        // The admin shortcut folded into the answer: it can only say no more.
        let folded = "class ProjectPolicy < ApplicationPolicy\n  def update?\n    admin? || record.owner_id == user.id\n  end\n\n  private\n\n  def admin?\n    user.admin?\n  end\nend\n";
        assert!(!high(old, folded));
        // The shortcut gone and the answer now a plain yes: found.
        let yes = "class ProjectPolicy < ApplicationPolicy\n  def update?\n    true\n  end\nend\n";
        assert!(
            high(old, yes),
            "{:?}",
            findings_with_contents("app/policies/project_policy.rb", old, yes)
        );
        // A question whose yes blocks (`blocked?`): the shortcut was the block.
        let blocked = "class AccessPolicy\n  def blocked?\n    return true if user.session_revoked?\n\n    user.failed_logins > 5\n  end\nend\n";
        let unblocked =
            "class AccessPolicy\n  def blocked?\n    user.failed_logins > 5\n  end\nend\n";
        assert!(high(blocked, unblocked));
    }

    #[test]
    fn a_no_guard_folded_into_the_answer_is_kept_and_one_dropped_from_it_is_not() {
        use crate::risk::testkit::findings_with_contents;
        let removed = |old: &str, new: &str| {
            findings_with_contents("app/policies/project_policy.rb", old, new)
                .iter()
                .any(|x| x.rule == "logic-guard-removed")
        };
        let old = "class ProjectPolicy < ApplicationPolicy\n  def destroy?\n    return false unless same_account?\n\n    user.admin? || record.owner_id == user.id\n  end\n\n  private\n\n  def same_account?\n    record.account_id == user.account_id\n  end\nend\n";
        let folded = "class ProjectPolicy < ApplicationPolicy\n  def destroy?\n    owner_or_admin?\n  end\n\n  private\n\n  def same_account?\n    record.account_id == user.account_id\n  end\n\n  def owner_or_admin?\n    same_account? && (user.admin? || record.owner_id == user.id)\n  end\nend\n";
        assert!(!removed(old, folded));
        // The helper leaves the account out for admins: an admin of another
        // account may now delete.
        let leaky = folded.replace(
            "same_account? && (user.admin? || record.owner_id == user.id)",
            "user.admin? || (same_account? && record.owner_id == user.id)",
        );
        assert!(removed(old, &leaky));
        // Python: `if not same_tenant(): return False` folded into `and`.
        let py_old = "def can_edit(user, doc):\n    if not same_tenant(user, doc):\n        return False\n    return user.is_admin or doc.owner_id == user.id\n";
        let py_new = "def can_edit(user, doc):\n    return same_tenant(user, doc) and (user.is_admin or doc.owner_id == user.id)\n";
        let py = |new: &str| {
            findings_with_contents("app/permissions.py", py_old, new)
                .iter()
                .any(|x| x.rule == "logic-guard-removed")
        };
        assert!(!py(py_new));
        assert!(py(&py_new.replace(
            "same_tenant(user, doc) and (user.is_admin or doc.owner_id == user.id)",
            "user.is_admin or (same_tenant(user, doc) and doc.owner_id == user.id)"
        )));
    }

    #[test]
    fn a_check_that_now_runs_only_when_the_value_is_there_is_found() {
        use crate::risk::testkit::findings_with_contents;
        let high = |new: &str| {
            findings_with_contents("src/routes/webhooks/shipping.js", OLD_HOOK, new)
                .iter()
                .any(|x| {
                    x.rule == "logic-guard-changed" && x.severity >= crate::risk::Severity::High
                })
        };
        const OLD_HOOK: &str = "router.post('/shipping', (req, res) => {\n  const provided = req.get('X-Signature') || '';\n  if (sign(req.body) !== provided) {\n    return res.status(401).end();\n  }\n  handle(req.body);\n});\n";
        let gated = "function verifySignature(body, sig) {\n  return crypto.timingSafeEqual(Buffer.from(sign(body)), Buffer.from(sig));\n}\nrouter.post('/shipping', (req, res) => {\n  const signature = req.get('X-Signature');\n  if (signature && !verifySignature(req.body, signature)) {\n    return res.status(401).end();\n  }\n  handle(req.body);\n});\n";
        assert!(high(gated));
        // A missing signature still stops first: the same check, restated.
        let kept = gated.replace(
            "  if (signature && !verifySignature",
            "  if (!signature) {\n    return res.status(401).end();\n  }\n  if (signature && !verifySignature",
        );
        assert!(
            !high(&kept),
            "{:?}",
            findings_with_contents("src/routes/webhooks/shipping.js", OLD_HOOK, &kept)
        );
    }

    /// A Go handler that passes on only a cancelled context and otherwise
    /// logs and returns nil swallows every other failure; one that passes
    /// on the rest too does not.
    #[test]
    fn a_handler_that_passes_on_only_cancellation_swallows_the_rest() {
        use crate::risk::testkit::findings_with_contents;
        let old = "package archiver\n\nfunc (a *Archiver) handle(ctx context.Context, key string, v []byte) error {\n\tif err := a.store.PutObject(ctx, key, v); err != nil {\n\t\treturn fmt.Errorf(\"put %s: %w\", key, err)\n\t}\n\ta.metrics.Archived.Inc()\n\treturn nil\n}\n";
        let new = |last: &str| {
            format!(
                "package archiver\n\nfunc (a *Archiver) handle(ctx context.Context, key string, v []byte) error {{\n\terr := withRetry(ctx, 3, func() error {{\n\t\treturn a.store.PutObject(ctx, key, v)\n\t}})\n\tif err != nil {{\n\t\tif errors.Is(err, context.Canceled) {{\n\t\t\treturn err\n\t\t}}\n\t\ta.log.Error(\"archive failed\", \"key\", key, \"err\", err)\n\t\t{last}\n\t}}\n\ta.metrics.Archived.Inc()\n\treturn nil\n}}\n"
            )
        };
        let swallowed = |last: &str| {
            findings_with_contents("internal/archiver/archiver.go", old, &new(last))
                .iter()
                .any(|f| f.rule == "logic-error-swallowed")
        };
        assert!(swallowed("return nil"));
        assert!(!swallowed("return fmt.Errorf(\"put %s: %w\", key, err)"));
    }

    #[test]
    fn a_guard_moved_into_a_router_dependency_is_kept_one_into_an_unrelated_dependency_is_not() {
        use crate::risk::testkit::findings_of_change;
        let deps_old = "def get_current_user(token: str = Depends(oauth2_scheme)) -> User:\n    return load(token)\n";
        let deps_new = format!(
            "{deps_old}\n\ndef require_admin(user: User = Depends(get_current_user)) -> User:\n    if not user.is_admin:\n        raise HTTPException(status.HTTP_403_FORBIDDEN, \"admin only\")\n    return user\n"
        );
        let handler = |name: &str, guarded: bool| {
            format!(
                "\n\n@router.get(\"/{name}\")\ndef {name}({}db: Session = Depends(get_session)):\n{}    return db.query(User).all()\n",
                if guarded {
                    "user: User = Depends(get_current_user), "
                } else {
                    ""
                },
                if guarded {
                    "    if not user.is_admin:\n        raise HTTPException(status.HTTP_403_FORBIDDEN, \"admin only\")\n"
                } else {
                    ""
                }
            )
        };
        let old = format!(
            "router = APIRouter(prefix=\"/api/admin/users\")\n{}{}",
            handler("list_users", true),
            handler("export_users", true)
        );
        let new = |dep: &str| {
            format!(
                "router = APIRouter(\n    prefix=\"/api/admin/users\",\n    dependencies=[Depends({dep})],\n)\n{}{}",
                handler("list_users", false),
                handler("export_users", false)
            )
        };
        let removed = |dep: &str, deps: &str| {
            findings_of_change(
                &[
                    ("app/api/deps.py", Some(deps_old), Some(deps)),
                    ("app/api/admin/users.py", Some(&old), Some(&new(dep))),
                ],
                None,
            )
            .iter()
            .any(|f| f.path.ends_with("users.py") && f.severity >= crate::risk::Severity::High)
        };
        assert!(!removed("require_admin", &deps_new));
        // Signed in is not an admin: the router only asks who the caller is.
        assert!(removed("get_current_user", deps_old));
    }

    #[test]
    fn a_route_key_in_two_files_is_compared_with_its_own_file_a_moved_route_still_with_its_copy() {
        use crate::risk::testkit::findings_of_change;
        let file = |year: &str, guard: &str| {
            format!(
                "// Copyright {year} Example Corp\nconst router = require(\"express\").Router();\n\nrouter.get(\"/reports\", {guard}listReports);\n\nmodule.exports = router;\n"
            )
        };
        let removed = |files: &[(&str, Option<&str>, Option<&str>)]| {
            findings_of_change(files, None)
                .iter()
                .any(|f| f.rule == "logic-check-removed" && f.message.contains("requireAdmin"))
        };
        // Only the copyright line changes in both files; one of them guards
        // the same route key, the other never did.
        let (a_old, a_new) = (
            file("2022", "requireAdmin, "),
            file("2023", "requireAdmin, "),
        );
        let (b_old, b_new) = (file("2022", ""), file("2023", ""));
        assert!(!removed(&[
            ("src/admin/routes.js", Some(&a_old), Some(&a_new)),
            ("src/public/routes.js", Some(&b_old), Some(&b_new)),
        ]));
        // The guarded route moves into another file without its guard.
        let empty = "const router = require(\"express\").Router();\nmodule.exports = router;\n";
        assert!(removed(&[
            ("src/admin/routes.js", Some(&a_old), Some(empty)),
            ("src/reports/routes.js", None, Some(&b_new)),
        ]));
    }

    #[test]
    fn a_status_test_left_to_the_request_helper_that_refuses_every_failure_is_kept() {
        use crate::risk::testkit::findings_with_contents;
        let client = |delete: &str, refuse: &str| {
            format!(
                "package storage\n\nfunc (c *Client) DeleteBucket(ctx context.Context, name string) error {{\n{delete}}}\n\nfunc (c *Client) do(ctx context.Context, method, path string) error {{\n\treq, err := http.NewRequestWithContext(ctx, method, c.BaseURL.JoinPath(path).String(), nil)\n\tif err != nil {{\n\t\treturn err\n\t}}\n\tresp, err := c.HTTPClient.Do(req)\n\tif err != nil {{\n\t\treturn err\n\t}}\n\tdefer resp.Body.Close()\n\tif {refuse} {{\n\t\treturn &APIError{{StatusCode: resp.StatusCode}}\n\t}}\n\treturn nil\n}}\n"
            )
        };
        let by_hand = "\treq, err := http.NewRequestWithContext(ctx, http.MethodDelete, c.BaseURL.JoinPath(\"/buckets\", name).String(), nil)\n\tif err != nil {\n\t\treturn err\n\t}\n\tresp, err := c.HTTPClient.Do(req)\n\tif err != nil {\n\t\treturn err\n\t}\n\tdefer resp.Body.Close()\n\tif resp.StatusCode != http.StatusNoContent {\n\t\treturn fmt.Errorf(\"unexpected status %d deleting bucket %q\", resp.StatusCode, name)\n\t}\n\treturn nil\n";
        let delegated = "\treturn c.do(ctx, http.MethodDelete, \"/buckets/\"+name)\n";
        let removed = |refuse: &str| {
            findings_with_contents(
                "internal/storage/client.go",
                &client(by_hand, refuse),
                &client(delegated, refuse),
            )
            .iter()
            .any(|f| f.rule == "logic-guard-removed" && f.message.contains("StatusNoContent"))
        };
        assert!(!removed("resp.StatusCode >= 300"));
        // A helper that refuses only server errors lets a 404 through.
        assert!(removed("resp.StatusCode >= 500"));
    }

    #[test]
    fn a_verification_handed_to_a_throwing_library_call_with_the_same_arguments_is_kept() {
        use crate::risk::testkit::findings_with_contents;
        let old = "router.post(\"/webhooks/stripe\", async (req, res) => {\n  const header = req.header(\"stripe-signature\");\n  if (!header || !verifyStripeSignature(req.body as Buffer, header, env.STRIPE_WEBHOOK_SECRET)) {\n    return res.status(400).send(\"invalid signature\");\n  }\n  let event;\n  try {\n    event = JSON.parse(req.body.toString(\"utf8\"));\n  } catch {\n    return res.status(400).send(\"invalid payload\");\n  }\n  await handle(event);\n  return res.status(200).end();\n});\n";
        let new = |on_failure: &str| {
            format!(
                "router.post(\"/webhooks/stripe\", async (req, res) => {{\n  const header = req.header(\"stripe-signature\");\n  if (!header) {{\n    return res.status(400).send(\"invalid signature\");\n  }}\n  let event;\n  try {{\n    event = stripe.webhooks.constructEvent(\n      req.body as Buffer,\n      header,\n      env.STRIPE_WEBHOOK_SECRET,\n      300,\n    );\n  }} catch (err) {{\n{on_failure}\n  }}\n  await handle(event);\n  return res.status(200).end();\n}});\n"
            )
        };
        let weakened = |text: &str| {
            findings_with_contents("src/webhooks/stripe.ts", old, text)
                .iter()
                .any(|f| {
                    f.severity >= crate::risk::Severity::High && f.rule.starts_with("logic-guard")
                })
        };
        assert!(!weakened(&new(
            "    return res.status(400).send(\"invalid signature\");"
        )));
        // A failed verification logged and the event parsed anyway.
        assert!(weakened(&new(
            "    logger.warn(\"stripe webhook: signature\");\n    event = JSON.parse(req.body.toString(\"utf8\"));"
        )));
    }

    #[test]
    fn a_guard_moved_into_a_new_helper_the_new_guard_calls_is_kept_a_helper_that_skips_it_is_not() {
        use crate::risk::testkit::findings_of_change;
        let old = "pub async fn receive(headers: HeaderMap, body: Bytes) -> StatusCode {\n    let Some(header) = headers.get(SIGNATURE_HEADER) else {\n        return StatusCode::UNAUTHORIZED;\n    };\n    let timestamp = parse_timestamp(header);\n    let Some(timestamp) = timestamp else {\n        warn!(\"webhook signature header without timestamp\");\n        return StatusCode::UNAUTHORIZED;\n    };\n    if (unix_now() - timestamp).abs() > TOLERANCE_SECS {\n        return StatusCode::UNAUTHORIZED;\n    }\n    let verified = signatures(header).iter().any(|sig| mac_for(timestamp, &body).verify_slice(sig).is_ok());\n    if !verified {\n        return StatusCode::UNAUTHORIZED;\n    }\n    enqueue(body).await;\n    StatusCode::ACCEPTED\n}\n";
        let new = "pub async fn receive(headers: HeaderMap, body: Bytes) -> StatusCode {\n    let Some(header) = headers.get(SIGNATURE_HEADER) else {\n        return StatusCode::UNAUTHORIZED;\n    };\n    if let Err(err) = webhook_signature::verify(header, &body, unix_now(), TOLERANCE_SECS) {\n        warn!(%err, \"webhook rejected\");\n        return StatusCode::UNAUTHORIZED;\n    }\n    enqueue(body).await;\n    StatusCode::ACCEPTED\n}\n";
        let module = |tolerance: &str, verdict: &str| {
            format!(
                "pub fn verify(header: &str, body: &[u8], now: i64, tolerance: i64) -> Result<(), SignatureError> {{\n    let parsed = parse_header(header)?;\n{tolerance}    let matched = parsed.signatures.iter().any(|sig| mac_for(parsed.timestamp, body).verify_slice(sig).is_ok());\n    {verdict}\n}}\n"
            )
        };
        let refuses = "if matched { Ok(()) } else { Err(SignatureError::Mismatch) }";
        let kept = "    if (now - parsed.timestamp).abs() > tolerance {\n        return Err(SignatureError::OutsideTolerance);\n    }\n";
        let guards = |module: &str| {
            findings_of_change(
                &[
                    ("src/routes/webhooks.rs", Some(old), Some(new)),
                    ("src/webhook_signature.rs", None, Some(module)),
                ],
                None,
            )
            .iter()
            .filter(|f| {
                f.severity >= crate::risk::Severity::High && f.rule.starts_with("logic-guard")
            })
            .map(|f| f.message.clone())
            .collect::<Vec<_>>()
        };
        assert_eq!(guards(&module(kept, refuses)), Vec::<String>::new());
        // The new helper never looks at the timestamp: replayable forever.
        let hit = guards(&module("", refuses));
        assert!(hit.iter().any(|m| m.contains("timestamp")), "{hit:?}");
        // It works the verdict out and lets every request through.
        let hit = guards(&module(kept, "let _ = matched;\n    Ok(())"));
        assert!(hit.iter().any(|m| m.contains("verified")), "{hit:?}");
    }
}
