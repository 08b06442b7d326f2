//! A memo with no expiry put on a function whose answer depends on the
//! clock (`@lru_cache` over `get_rate(base, quote, on=None)` that falls back
//! to `date.today()`): the first answer is kept for the life of the process,
//! so a long-lived worker goes on using yesterday's rate, token or price.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// A memoising decorator without a lifetime of its own.
static MEMO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^\s*@(functools\.)?(lru_cache|cache)\b|^\s*@(cachetools\.)?cached\b|^\s*@memoize\b",
    )
    .unwrap()
});
/// Something in the decorator that makes entries expire.
static EXPIRES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(ttl|expire|timeout|max_age)").unwrap());
/// Reading the current date or time.
static CLOCK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(date\.today|datetime\.(now|utcnow|today)|timezone\.now|time\.time|time\.monotonic|arrow\.now|pendulum\.now|dt\.now)\s*\(").unwrap()
});

/// Reports the first memo the change adds over a function that reads the
/// clock (any of the memos it adds).
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs || f.class.vendored {
        return;
    }
    let memos: Vec<_> = f
        .added_code()
        .filter(|l| MEMO.is_match(l.text) && !EXPIRES.is_match(l.text))
        // A decorator that was there already is no new memo.
        .filter(|l| !f.removed_code().any(|r| r.text.trim() == l.text.trim()))
        .collect();
    if memos.is_empty() {
        return;
    }
    let Some(new) = f.new_text() else { return };
    let lines: Vec<&str> = new.lines().collect();
    for memo in memos {
        let at = (memo.no as usize).saturating_sub(1).min(lines.len());
        let Some(body) = super::code::decorated_function(&lines, at) else {
            continue;
        };
        let Some(clock) = lines[body.clone()].iter().find(|t| CLOCK.is_match(t)) else {
            continue;
        };
        out.push(Finding::added(
            "memo-clock-frozen",
            Severity::High,
            f.path,
            Some(memo.no),
            format!(
                "Memoises `{}` for the life of the process, and it reads the clock (`{}`): the first answer is kept on every later day, so a long-lived worker goes on with a stale date, rate or expiry. Key the memo by the date or give it a lifetime.",
                quote(lines[body.start].trim()),
                quote(clock.trim())
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents;

    const OLD: &str = "from datetime import date\n\ndef get_rate(base, quote, on=None):\n    on = on or date.today()\n    return fetch(base, quote, on)\n";

    #[test]
    fn a_memo_over_a_function_that_reads_the_clock_is_found() {
        let new = OLD.replace("def get_rate", "@lru_cache(maxsize=1024)\ndef get_rate");
        let hit = rules_hit_with_contents("billing/fx.py", OLD, &new);
        assert!(hit.contains(&"memo-clock-frozen".to_string()), "{hit:?}");
    }

    #[test]
    fn a_memo_with_a_lifetime_or_over_a_pure_function_is_not() {
        let ttl = OLD.replace(
            "def get_rate",
            "@cached(cache=TTLCache(maxsize=1024, ttl=3600))\ndef get_rate",
        );
        let hit = rules_hit_with_contents("billing/fx.py", OLD, &ttl);
        assert!(!hit.contains(&"memo-clock-frozen".to_string()), "{hit:?}");
        let pure = "def currency_exponent(code):\n    return EXPONENTS.get(code, 2)\n";
        let memo = pure.replace("def currency", "@lru_cache\ndef currency");
        let hit = rules_hit_with_contents("billing/fx.py", pure, &memo);
        assert!(!hit.contains(&"memo-clock-frozen".to_string()), "{hit:?}");
    }
}
