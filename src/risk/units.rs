//! Units crossed: a value whose name says its unit handed to something that
//! reads another (`time.Duration(cfg.SessionTTLMinutes) * time.Hour`,
//! `timedelta(seconds=timeout_ms)`, axios' `timeout: upstreamTimeoutSeconds`,
//! which axios reads as milliseconds). Every caller is then off by the factor
//! between the two, usually sixty or a thousand.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// A unit as written in a name or an API: normalised.
fn unit(word: &str) -> Option<&'static str> {
    Some(match word.to_ascii_lowercase().as_str() {
        "day" | "days" => "days",
        "hour" | "hours" | "hrs" => "hours",
        "minute" | "minutes" | "mins" | "min" => "minutes",
        "second" | "seconds" | "secs" | "sec" => "seconds",
        "millisecond" | "milliseconds" | "millis" | "ms" => "milliseconds",
        _ => return None,
    })
}

/// The unit a name carries at its end: `SessionTTLMinutes`, `timeout_ms`,
/// `retentionDays`.
fn unit_of_name(name: &str) -> Option<&'static str> {
    let last = name.rsplit('.').next().unwrap_or(name);
    let snake = last.rsplit('_').next().unwrap_or(last);
    if snake != last {
        return unit(snake);
    }
    // CamelCase: the last capitalised word.
    let at = last.rfind(|c: char| c.is_ascii_uppercase())?;
    unit(&last[at..])
}

/// Where a value is read in a unit: (the API's unit, the value's expression).
static READS: LazyLock<Vec<(Regex, Option<&'static str>)>> = LazyLock::new(|| {
    let r = |s: &str| Regex::new(s).expect("a valid regex");
    vec![
        // Go: time.Duration(x) * time.Hour, x * time.Second
        (
            r(
                r"(?:time\.Duration\(\s*)?([A-Za-z_][\w.]*)\s*\)?\s*\*\s*time\.(Hour|Minute|Second|Millisecond)\b",
            ),
            None,
        ),
        // Python: timedelta(seconds=x)
        (
            r(
                r"timedelta\(\s*(days|hours|minutes|seconds|milliseconds)\s*=\s*([A-Za-z_][\w.]*)\s*\)",
            ),
            None,
        ),
        // Java/Kotlin: Duration.ofMinutes(x); C#: TimeSpan.FromSeconds(x)
        (
            r(
                r"(?:Duration\.of|TimeSpan\.From)(Days|Hours|Minutes|Seconds|Millis|Milliseconds)\(\s*([A-Za-z_][\w.]*)\s*\)",
            ),
            None,
        ),
        // JavaScript: axios/fetch timeouts, setTimeout, cookie maxAge are ms.
        (
            r(r"\b(?:timeout|maxAge|setTimeout\([^,]+,)\s*:?\s*([A-Za-z_][\w.]*)\s*[,})\n]"),
            Some("milliseconds"),
        ),
    ]
});

/// A value read in another unit than its name says, on a line the change adds.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs || f.class.vendored {
        return;
    }
    let js = f.path.ends_with(".js")
        || f.path.ends_with(".ts")
        || f.path.ends_with(".mjs")
        || f.path.ends_with(".cjs");
    for l in f.added_code() {
        for (i, (re, fixed)) in READS.iter().enumerate() {
            if fixed.is_some() && !js {
                continue;
            }
            for c in re.captures_iter(l.text) {
                let (api, name) = match (i, fixed) {
                    (0, _) => (unit(&c[2]), &c[1]),
                    (_, Some(u)) => (Some(*u), &c[1]),
                    _ => (unit(&c[1]), &c[2]),
                };
                let (Some(api), Some(named)) = (api, unit_of_name(name)) else {
                    continue;
                };
                if api == named {
                    continue;
                }
                out.push(Finding::added(
                    "unit-mismatch",
                    Severity::High,
                    f.path,
                    Some(l.no),
                    format!(
                        "`{}` is in {named} by its name, but is read as {api} here ({}): every use is off by the factor between them.",
                        quote(name),
                        quote(c.get(0).map_or("", |m| m.as_str()).trim())
                    ),
                ));
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::unit_of_name;
    use crate::risk::testkit::rules_hit;

    #[test]
    fn names_carry_their_units() {
        assert_eq!(unit_of_name("cfg.SessionTTLMinutes"), Some("minutes"));
        assert_eq!(unit_of_name("timeout_ms"), Some("milliseconds"));
        assert_eq!(
            unit_of_name("config.upstreamTimeoutSeconds"),
            Some("seconds")
        );
        assert_eq!(unit_of_name("retentionDays"), Some("days"));
        assert_eq!(unit_of_name("timeout"), None);
        assert_eq!(unit_of_name("items"), None);
    }

    #[test]
    fn a_value_read_in_another_unit_is_found() {
        let rule = "unit-mismatch".to_string();
        let go = |expr: &str| {
            rules_hit(
                "internal/session/session.go",
                Some("package session\n"),
                Some(&format!("package session\n\nvar ttl = {expr}\n")),
            )
        };
        assert!(go("time.Duration(cfg.SessionTTLMinutes) * time.Hour").contains(&rule));
        assert!(!go("time.Duration(cfg.SessionTTLMinutes) * time.Minute").contains(&rule));
        let py = |expr: &str| {
            rules_hit(
                "app/jobs.py",
                Some("x = 1\n"),
                Some(&format!("x = 1\nttl = {expr}\n")),
            )
        };
        assert!(py("timedelta(seconds=settings.timeout_ms)").contains(&rule));
        assert!(!py("timedelta(milliseconds=settings.timeout_ms)").contains(&rule));
        let ts = |expr: &str| {
            rules_hit(
                "packages/http/index.ts",
                Some("const a = 1;\n"),
                Some(&format!(
                    "const a = 1;\nconst c = axios.create({{ timeout: {expr} }});\n"
                )),
            )
        };
        assert!(ts("config.upstreamTimeoutSeconds").contains(&rule));
        assert!(!ts("config.upstreamTimeoutMs").contains(&rule));
        let cs = |expr: &str| {
            rules_hit(
                "src/Api/Startup.cs",
                Some("class A {}\n"),
                Some(&format!(
                    "class A {{}}\nvar t = TimeSpan.FromSeconds({expr});\n"
                )),
            )
        };
        assert!(cs("options.RetryDelayMs").contains(&rule));
        assert!(!cs("options.RetryDelaySeconds").contains(&rule));
    }
}
