//! A secret compared with what the request sent, where both may now be
//! empty. A constant-time compare (`hash_equals`, `compare_digest`,
//! `timingSafeEqual`) of an OAuth state, a CSRF token or a signature says
//! "equal" for two empty strings: a change that defaults the stored value
//! to `''` when it is missing (to stop a crash on an expired session) lets
//! a request that sends nothing through.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// A constant-time comparison and its two arguments.
static COMPARE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(hash_equals|compare_digest|timingSafeEqual|secure_compare|fixed_length_secure_compare|ConstantTimeCompare|constant_time_compare|MessageDigest\.isEqual|FixedTimeEquals|safeEqual)\s*\(\s*([^,()]+(?:\([^()]*\))?[^,()]*)\s*,\s*([^,()]+(?:\([^()]*\))?[^,()]*)\s*\)")
        .expect("a valid regex")
});

/// A value given the empty string when it is missing: `?? ''`, `|| ""`,
/// `or ''`, `.get('state', '')`, `getOrDefault(k, "")`, `?: ""`.
static EMPTY_DEFAULT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(\?\?|\|\||\bor\b|\?:)\s*(''|"")|,\s*(''|"")\s*\)"#).expect("a valid regex")
});

/// Words that are not the value compared: casts, encoders.
const NOT_A_VALUE: &[&str] = &[
    "string",
    "str",
    "bytes",
    "Buffer",
    "from",
    "encode",
    "utf8",
    "utf-8",
    "toString",
    "strval",
    "String",
    "trim",
    "new",
    "hmac",
    "digest",
    "hexdigest",
];

/// The variable an argument of the comparison reads.
fn value_name(arg: &str) -> Option<&str> {
    static IDENT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\$?[A-Za-z_][A-Za-z0-9_]*").expect("a valid regex"));
    IDENT
        .find_iter(arg)
        .map(|m| m.as_str())
        .find(|w| !NOT_A_VALUE.contains(&w.trim_start_matches('$')))
}

/// Whether `name` is tested for being empty in `text` (`if ($x === '')`,
/// `if not state`, `empty($x)`, `len(x) == 0`, `!x`).
fn emptiness_tested(text: &str, name: &str) -> bool {
    let n = regex::escape(name);
    // `\b` does not start a PHP variable: `$` is no word character.
    let b = r"(?:^|[^\w$])";
    let Ok(re) = Regex::new(&format!(
        r#"(empty\(\s*{n}\b|{b}{n}\s*[!=]==?\s*(''|""|null|nil|None)|(''|""|null|nil|None)\s*[!=]==?\s*{n}\b|\bnot\s+{n}\b|!\s*{n}\b|\b(strlen|len|count)\(\s*{n}\s*\)|{b}{n}\s*\.\s*(length|isEmpty|blank\?|empty\?|present\?)|{b}{n}\s+is\s+None|\bunless\s+{n}\b|\bif\s+{n}\s*:)"#
    )) else {
        return false;
    };
    re.is_match(text)
}

/// Whether one of `texts` assigns `name` a value that is the empty string
/// when missing (`$x = $_GET['state'] ?? ''`).
fn defaulted_in<'t>(name: &str, mut texts: impl Iterator<Item = &'t str>) -> bool {
    let n = regex::escape(name);
    Regex::new(&format!(r"(^|[^\w$]){n}\s*(:\s*\w+\s*)?=[^=]"))
        .is_ok_and(|assigned| texts.any(|l| assigned.is_match(l) && EMPTY_DEFAULT.is_match(l)))
}

/// A comparison whose two sides the change lets be empty together.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs || f.class.vendored {
        return;
    }
    let Some(new) = f.new_text() else {
        return;
    };
    if !COMPARE.is_match(new) || !f.added_code().any(|l| EMPTY_DEFAULT.is_match(l.text)) {
        return;
    }
    let lines: Vec<&str> = new.lines().collect();
    // Defaulted by the change's added lines (it made the default), and
    // in the file as it is now.
    let defaulted_here = |name: &str| defaulted_in(name, f.added_code().map(|l| l.text));
    let defaulted = |name: &str| defaulted_in(name, lines.iter().copied());
    for (i, l) in lines.iter().enumerate() {
        let Some(c) = COMPARE.captures(l) else {
            continue;
        };
        let (Some(a), Some(b)) = (value_name(&c[2]), value_name(&c[3])) else {
            continue;
        };
        if a == b || !(defaulted_here(a) || defaulted_here(b)) || !defaulted(a) || !defaulted(b) {
            continue;
        }
        let around = lines[i.saturating_sub(30)..lines.len().min(i + 3)].join("\n");
        if emptiness_tested(&around, a) || emptiness_tested(&around, b) {
            continue;
        }
        out.push(Finding::added(
            "secret-compare-empty",
            Severity::High,
            f.path,
            Some(i as u32 + 1),
            format!(
                "`{}` now compares two values that are both the empty string when missing (`{a}`, `{b}`): a request that sends nothing, in a session that holds nothing, matches.",
                quote(l.trim())
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents;

    const RULE: &str = "secret-compare-empty";

    #[test]
    fn a_state_and_its_expected_value_both_defaulted_to_empty_are_found() {
        let old = "<?php\nfinal class OAuth\n{\n    public static function consumeState(string $returned): bool\n    {\n        $expected = $_SESSION['oauth_state'];\n        unset($_SESSION['oauth_state']);\n        return hash_equals($expected, $returned);\n    }\n}\n";
        let new = "<?php\nfinal class OAuth\n{\n    public static function consumeState(): bool\n    {\n        $expected = (string) ($_SESSION['oauth_state'] ?? '');\n        $returned = (string) ($_GET['state'] ?? '');\n        unset($_SESSION['oauth_state']);\n        return hash_equals($expected, $returned);\n    }\n}\n";
        assert!(
            rules_hit_with_contents("lib/helpers/OAuth.php", old, new).contains(&RULE.to_string())
        );
        // Refused when the stored one is empty: fine.
        let refused = new.replace(
            "        unset(",
            "        if ($expected === '') {\n            return false;\n        }\n        unset(",
        );
        assert!(
            !rules_hit_with_contents("lib/helpers/OAuth.php", old, &refused)
                .contains(&RULE.to_string())
        );
    }

    #[test]
    fn python_session_and_query_defaults_are_found_a_configured_secret_is_not() {
        let old = "def callback(request):\n    expected = request.session.pop('oauth_state')\n    got = request.GET['state']\n    if not hmac.compare_digest(expected, got):\n        raise PermissionDenied\n";
        let new = "def callback(request):\n    expected = request.session.pop('oauth_state', '')\n    got = request.GET.get('state', '')\n    if not hmac.compare_digest(expected, got):\n        raise PermissionDenied\n";
        assert!(rules_hit_with_contents("accounts/views.py", old, new).contains(&RULE.to_string()));
        // Only what the request sent defaults to empty; the expected value
        // is always there.
        let one = new.replace(
            "request.session.pop('oauth_state', '')",
            "settings.STATE_SECRET",
        );
        assert!(
            !rules_hit_with_contents("accounts/views.py", old, &one).contains(&RULE.to_string())
        );
    }
}
