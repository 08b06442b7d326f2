//! Lifetimes of credentials stretched. A session, token, cookie or reset
//! link that lived fifteen minutes and now lives a year is a stolen
//! credential that keeps working for a year. The change edits a line that
//! sets such a lifetime; both sides are read as durations (`timedelta(days=
//! 365)`, `30 * 60 * 1000`, `'15m'`, `TimeSpan.FromMinutes(30)`) and compared.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Line, Severity, quote};

/// What a line must be about: the lifetime of something that grants access.
static ABOUT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(token|session|cookie|jwt|refresh|access|remember|reset|otp|magic.?link|invite|signed.?url|presign|credential|api.?key|password|login|auth|clock.?skew|leeway|clock.?tolerance|signature|webhook|replay|hmac|timestamp)").unwrap()
});
/// What remembers a delivery or a request so as not to handle it twice.
static DEDUPE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(dedup\w*|idempot\w*|replay|nonce|already_?(seen|processed)|processed_?(events|messages|ids))").unwrap()
});
/// And about how long it lives.
static HOW_LONG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(lifetime|ttl|expir|max.?age|valid|duration|timeout|age\b|lifespan|expires.?in|exp\b|skew|leeway|tolerance)").unwrap()
});
/// `days=365`, `minutes: 15`, `hours = 2`.
static NAMED_UNIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(weeks|days|hours|minutes|seconds|mins|secs)\s*[=:]\s*(\d+(?:\.\d+)?)")
        .unwrap()
});
/// `FromMinutes(30)`, `ofDays(7)`, `Duration::from_secs(900)`, `.minutes`.
static CALL_UNIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:from_?|of|_|::|\.)(days|hours|minutes|mins|seconds|secs|millis|milliseconds|weeks)\s*\(\s*(\d+(?:\.\d+)?)\s*\)|(\d+(?:\.\d+)?)\.(days|hours|minutes|seconds|weeks|years)\b").unwrap()
});
/// `'15m'`, `"365d"`, `"2h"`, `"30 days"`.
static SHORTHAND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(?:["']|:\s*)(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h|hr|d|w|y|seconds?|minutes?|hours?|days?|weeks?|years?)(?:["']|\s*(?:#.*)?$)"#).unwrap()
});
/// A product of numbers: `30 * 60 * 1000`, or one number.
static PRODUCT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:[:=(,]|\bto\b|\?\?|\|\||\bor\b)\s*(\d+(?:_\d+)*(?:\s*\*\s*\d+(?:_\d+)*)*)\s*(?:[,;)}\]]|$|//|#)")
        .unwrap()
});

fn unit_secs(u: &str) -> Option<f64> {
    let u = u.to_ascii_lowercase();
    Some(match u.as_str() {
        "ms" | "millis" | "milliseconds" => 0.001,
        "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        "h" | "hr" | "hour" | "hours" => 3600.0,
        "d" | "day" | "days" => 86_400.0,
        "w" | "week" | "weeks" => 604_800.0,
        "y" | "year" | "years" => 31_536_000.0,
        _ => return None,
    })
}

/// The duration a line sets: in seconds when it names its units, else the
/// bare number (compared only with another bare number).
fn duration(text: &str) -> Option<(f64, bool)> {
    let num = |s: &str| s.replace('_', "").parse::<f64>().ok();
    let mut named = 0.0;
    let mut any = false;
    for c in NAMED_UNIT.captures_iter(text) {
        named += num(&c[2])? * unit_secs(&c[1])?;
        any = true;
    }
    if any {
        return Some((named, true));
    }
    if let Some(c) = CALL_UNIT.captures(text) {
        return match (c.get(1), c.get(2), c.get(3), c.get(4)) {
            (Some(u), Some(n), _, _) | (_, _, Some(n), Some(u)) => {
                Some((num(n.as_str())? * unit_secs(u.as_str())?, true))
            }
            _ => None,
        };
    }
    if let Some(c) = SHORTHAND.captures(text) {
        return Some((num(&c[1])? * unit_secs(&c[2])?, true));
    }
    let c = PRODUCT.captures(text)?;
    let product = c[1]
        .split('*')
        .map(|p| num(p.trim()))
        .try_fold(1.0, |acc, n| n.map(|n| acc * n))?;
    Some((product, false))
}

/// What a line sets: its text up to the value (`"ACCESS_TOKEN_LIFETIME":`).
fn key_of(text: &str) -> String {
    let t = text.trim();
    let end = t.find(['=', ':']).unwrap_or(t.len());
    t[..end].trim().to_string()
}

fn human(secs: f64) -> String {
    let (n, u) = if secs >= 31_536_000.0 {
        (secs / 31_536_000.0, "years")
    } else if secs >= 86_400.0 {
        (secs / 86_400.0, "days")
    } else if secs >= 3600.0 {
        (secs / 3600.0, "hours")
    } else if secs >= 60.0 {
        (secs / 60.0, "minutes")
    } else {
        (secs, "seconds")
    };
    format!("{} {u}", (n * 10.0).round() / 10.0)
}

/// How old a signed message may be before it is refused, beyond which a
/// captured one can be replayed for too long (an hour).
const REPLAY_WINDOW_SECS: f64 = 3600.0;

/// A tolerance for the age of a signed message or token (`tolerance`,
/// `clock skew`, `leeway`) set to more than an hour, where the file had no
/// such window that long: a captured request (a webhook saying a payment
/// succeeded) replays for as long. Often the value moves from a constant
/// into config in the same change, so the old value is in another file.
fn replay_window_wide(f: &FileView<'_>, out: &mut Vec<Finding>) {
    static WINDOW: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(tolerance|clock.?skew|leeway|replay.?window|max.?skew)").unwrap()
    });
    let wide = |l: &&Line<'_>| {
        WINDOW.is_match(l.text)
            && duration(l.text).is_some_and(|(d, units)| units && d > REPLAY_WINDOW_SECS)
    };
    if f.removed.iter().any(|l| wide(&l)) {
        return;
    }
    if let Some(l) = f.added.iter().find(wide) {
        let (d, _) = duration(l.text).expect("checked by wide");
        out.push(Finding::added(
            "replay-window-wide",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "Accepts signed messages up to {} old (`{}`): a captured request (a webhook, a signed link) can be replayed for that long. Minutes are the norm.",
                human(d),
                quote(l.text.trim())
            ),
        ));
    }
}

/// How much longer a lifetime must become to be flagged.
const STRETCH: f64 = 10.0;

/// A lifetime of something that grants access, made ten times longer or more.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs || f.class.vendored {
        return;
    }
    // A file about tokens or sessions (`tokens.rs`) makes every lifetime in
    // it one of theirs.
    let file_name = f.path.rsplit('/').next().unwrap_or(f.path);
    let file_about = ABOUT.is_match(file_name);
    // What remembers a delivery to refuse it the second time: a window that
    // becomes much shorter lets the provider's retries through again.
    let file_dedupes = DEDUPE.is_match(file_name);
    let dedupes =
        |l: &Line<'_>| (file_dedupes || DEDUPE.is_match(l.text)) && HOW_LONG.is_match(l.text);
    let about = |l: &&Line<'_>| {
        (file_about || ABOUT.is_match(l.text)) && HOW_LONG.is_match(l.text) || dedupes(l)
    };
    // Names the change defines with a duration (`const TOKEN_TTL: Duration =
    // Duration::days(365);`): a line that now reads one reads its value.
    let defined: Vec<(String, (f64, bool))> = f
        .added
        .iter()
        .filter_map(|l| {
            let t = l.text.trim_start();
            let t = t
                .trim_start_matches("pub ")
                .trim_start_matches("const ")
                .trim_start_matches("static ")
                .trim_start_matches("final ")
                .trim_start_matches("val ")
                .trim_start_matches("var ")
                .trim_start_matches("let ");
            let name: String = t
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            (name.len() >= 3 && name.chars().any(|c| c.is_ascii_uppercase()))
                .then(|| duration(l.text).map(|d| (name, d)))
                .flatten()
        })
        .collect();
    // `TimeSpan.FromMinutes(skewMinutes)` with `skewMinutes` defined by the
    // change as a bare number: that number in those units.
    static CALL_NAME: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?:from_?|of|_|::|\.)(days|hours|minutes|mins|seconds|secs|millis|milliseconds|weeks)\s*\(\s*([A-Za-z_]\w*)\s*\)").unwrap()
    });
    let duration_of = |text: &str| {
        duration(text)
            .or_else(|| {
                let c = CALL_NAME.captures(text)?;
                let (n, has_units) = defined.iter().find(|(name, _)| *name == c[2])?.1;
                (!has_units).then_some(())?;
                Some((n * unit_secs(&c[1])?, true))
            })
            .or_else(|| {
                defined
                    .iter()
                    .find(|(name, _)| super::code::has_word(text, name))
                    .map(|(_, d)| *d)
            })
    };
    replay_window_wide(f, out);
    let before: Vec<(String, f64, bool)> = f
        .removed
        .iter()
        .filter(about)
        .filter_map(|l| duration(l.text).map(|(d, u)| (key_of(l.text), d, u)))
        .collect();
    if before.is_empty() {
        return;
    }
    for l in f.added.iter().filter(about) {
        let Some((now, units)) = duration_of(l.text) else {
            continue;
        };
        let key = key_of(l.text);
        let Some((_, was, _)) = before.iter().find(|(k, _, u)| *k == key && *u == units) else {
            continue;
        };
        if dedupes(l) && now > 0.0 && was / now >= STRETCH {
            let span = if units {
                format!("{} → {}", human(*was), human(now))
            } else {
                format!("{was} → {now}")
            };
            out.push(Finding::added(
                "dedupe-window-shortened",
                Severity::High,
                f.path,
                Some(l.no),
                format!(
                    "`{}` now remembers a delivery {:.0}× less long ({span}): a retry or replay that comes after it is processed a second time.",
                    quote(&key),
                    was / now
                ),
            ));
            return;
        }
        // A dedupe window made longer remembers more: no credential lives longer.
        let credential = file_about || ABOUT.is_match(l.text);
        if credential && *was > 0.0 && now / was >= STRETCH {
            let span = if units {
                format!("{} → {}", human(*was), human(now))
            } else {
                format!("{was} → {now}")
            };
            out.push(Finding::added(
                "credential-lifetime-stretched",
                Severity::High,
                f.path,
                Some(l.no),
                format!(
                    "`{}` now lives {:.0}× longer ({span}): a stolen token, cookie or link keeps working that much longer.",
                    quote(&key),
                    now / was
                ),
            ));
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::duration;
    use crate::risk::testkit::rules_hit;

    #[test]
    fn a_replay_window_of_days_is_found_and_one_of_minutes_is_not() {
        let hit = |v: &str| {
            rules_hit(
                "src/main/resources/application.yml",
                Some("webhooks:\n  secret: ${WEBHOOK_SECRET}\n"),
                Some(&format!(
                    "webhooks:\n  secret: ${{WEBHOOK_SECRET}}\n  timestamp-tolerance: {v}\n"
                )),
            )
            .contains(&"replay-window-wide".to_string())
        };
        assert!(hit("30d"));
        assert!(!hit("5m"));
    }

    #[test]
    fn a_replay_window_widened_and_a_dedupe_window_shortened_are_found() {
        let old = "class SignatureVerifier\n  TOLERANCE_SECONDS = 300\nend\n";
        let new = "class SignatureVerifier\n  TOLERANCE_SECONDS = Integer(ENV.fetch(\"WEBHOOK_TOLERANCE_SECONDS\", 30 * 24 * 3600))\nend\n";
        let hit = rules_hit(
            "app/services/webhooks/signature_verifier.rb",
            Some(old),
            Some(new),
        );
        assert!(
            hit.contains(&"credential-lifetime-stretched".to_string()),
            "{hit:?}"
        );
        let old = "final class Deduplicator\n{\n    private const TTL_SECONDS = 604800;\n}\n";
        let new = old.replace("604800", "60");
        let hit = rules_hit("src/Webhook/Deduplicator.php", Some(old), Some(&new));
        assert!(
            hit.contains(&"dedupe-window-shortened".to_string()),
            "{hit:?}"
        );
        // Longer is safer for a dedupe window.
        let longer = old.replace("604800", "2592000");
        let hit = rules_hit("src/Webhook/Deduplicator.php", Some(old), Some(&longer));
        assert!(hit.is_empty(), "{hit:?}");
    }

    #[test]
    fn durations_are_read_in_their_units() {
        assert_eq!(
            duration("    \"ACCESS_TOKEN_LIFETIME\": timedelta(minutes=15),"),
            Some((900.0, true))
        );
        assert_eq!(duration("  expiresIn: '365d',"), Some((31_536_000.0, true)));
        assert_eq!(
            duration("options.ExpireTimeSpan = TimeSpan.FromMinutes(30);"),
            Some((1800.0, true))
        );
        assert_eq!(
            duration("  cookie: { maxAge: 30 * 60 * 1000 },"),
            Some((1_800_000.0, false))
        );
        assert_eq!(
            duration("config.remember_for = 2.weeks"),
            Some((1_209_600.0, true))
        );
    }

    #[test]
    fn a_token_lifetime_stretched_to_a_year_is_found() {
        let rule = "credential-lifetime-stretched".to_string();
        let old = "SIMPLE_JWT = {\n    \"ACCESS_TOKEN_LIFETIME\": timedelta(minutes=15),\n}\n";
        let new = old.replace("minutes=15", "days=365");
        assert!(rules_hit("api/settings/base.py", Some(old), Some(&new)).contains(&rule));
        let cookie = "  cookie: { httpOnly: true, maxAge: 30 * 60 * 1000 },\n";
        let year = cookie.replace("30 * 60 * 1000", "365 * 24 * 60 * 60 * 1000");
        assert!(rules_hit("web/server/session.ts", Some(cookie), Some(&year)).contains(&rule));
        // Shorter, or a little longer, or not about access: quiet.
        let shorter = old.replace("minutes=15", "minutes=5");
        assert!(!rules_hit("api/settings/base.py", Some(old), Some(&shorter)).contains(&rule));
        let doubled = old.replace("minutes=15", "minutes=30");
        assert!(!rules_hit("api/settings/base.py", Some(old), Some(&doubled)).contains(&rule));
        // The value moved into a constant the change defines.
        let rust_old = "pub fn issue(now: DateTime) -> Token {\n    Token { expires_at: now + Duration::hours(1) }\n}\n";
        let rust_new = "pub const TOKEN_TTL: Duration = Duration::days(365);\n\npub fn issue(now: DateTime) -> Token {\n    Token { expires_at: now + TOKEN_TTL }\n}\n";
        assert!(
            rules_hit(
                "crates/accounts/src/tokens.rs",
                Some(rust_old),
                Some(rust_new)
            )
            .contains(&rule)
        );
        let cache = "CACHE_TTL = timedelta(minutes=5)\n";
        let long_cache = "CACHE_TTL = timedelta(days=7)\n";
        assert!(!rules_hit("api/settings/base.py", Some(cache), Some(long_cache)).contains(&rule));
    }
}
