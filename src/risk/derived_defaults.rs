//! A hand-written `impl Default` replaced by `#[derive(Default)]`. The
//! derived impl gives every field its type's zero (`false`, `0`, `None`,
//! an empty string), so a field the old impl set otherwise (`verify: true`,
//! `max_retries: 3`) silently changes wherever the default is used: a
//! missing config table, `..Default::default()`, a test fixture.

use std::sync::LazyLock;

use regex::Regex;

use super::code::closing_bracket;
use super::{FileView, Finding, Severity, quote};

static IMPL_DEFAULT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)^\s*impl\s+Default\s+for\s+(\w+)\s*\{").unwrap());
static FIELD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)^\s*(\w+)\s*:\s*(.+?),?\s*$").unwrap());
/// A field whose zero value turns a protection off.
static PROTECTIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(verify|tls|ssl|secure|strict|check|validat|auth|enforce|https|sandbox|deny|reject|require)").unwrap()
});

/// A hand-written `impl Default`: the type, the fields it sets with their
/// values, and the line of the impl.
type HandWritten = (String, Vec<(String, String)>, u32);

/// The hand-written `impl Default` blocks of a text.
fn hand_written(text: &str) -> Vec<HandWritten> {
    let mut out = Vec::new();
    for c in IMPL_DEFAULT.captures_iter(text) {
        let whole = c.get(0).expect("match");
        let open = whole.end() - 1;
        let Some(close) = closing_bracket(text.as_bytes(), open) else {
            continue;
        };
        let body = &text[open + 1..close];
        let fields = FIELD
            .captures_iter(body)
            .map(|f| (f[1].to_string(), f[2].trim().to_string()))
            .filter(|(name, _)| name != "fn")
            .collect();
        let line = text[..whole.start()].matches('\n').count() as u32 + 1;
        out.push((c[1].to_string(), fields, line));
    }
    out
}

/// Whether `value` is what the type's own default gives.
fn zero(value: &str) -> bool {
    let v = value.trim_end_matches(',').trim();
    matches!(
        v,
        "false"
            | "0"
            | "0.0"
            | "None"
            | "String::new()"
            | "Vec::new()"
            | "HashMap::new()"
            | "Default::default()"
            | "\"\".into()"
            | "\"\".to_string()"
            | "String::default()"
    ) || v.ends_with("::default()")
}

/// Whether the new text derives `Default` for `name` (the derive above its
/// `struct` line).
fn derives_default(text: &str, name: &str) -> bool {
    let lines: Vec<&str> = text.lines().collect();
    let decl = Regex::new(&format!(
        r"^\s*(pub(\([^)]*\))?\s+)?struct\s+{}\b",
        regex::escape(name)
    ))
    .expect("an escaped name");
    lines.iter().enumerate().any(|(i, t)| {
        decl.is_match(t)
            && lines[i.saturating_sub(6)..i].iter().any(|a| {
                a.contains("derive(")
                    && a.split(|c: char| !c.is_alphanumeric())
                        .any(|w| w == "Default")
            })
    })
}

/// A field's own serde default (`#[serde(default = "default_true")]` over
/// `pub verify_tls: bool`) removed, where the function it named returned
/// something other than the type's zero, and the struct now fills missing
/// fields from a derived `Default` (`#[serde(default)]` with
/// `#[derive(Default)]`): a config file that leaves the field out, as the
/// production one did to get the default, now gets false or 0.
fn serde_default_fn_dropped(f: &FileView<'_>, old: &str, new: &str, out: &mut Vec<Finding>) {
    static DEFAULT_FN: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"#\[serde\(\s*default\s*=\s*"(\w+)"\s*\)\]"#).unwrap());
    static FIELD_DECL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*(?:pub(?:\([^)]*\))?\s+)?(\w+)\s*:\s*\w").unwrap());
    // What a function of the old text returns, when it is one literal.
    let returned = |name: &str| -> Option<String> {
        let lines: Vec<&str> = old.lines().collect();
        let at = lines
            .iter()
            .position(|l| l.trim_start().starts_with(&format!("fn {name}(")))?;
        let body: Vec<&str> = lines[at + 1..]
            .iter()
            .take_while(|l| l.trim() != "}")
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
            .collect();
        (body.len() == 1).then(|| body[0].trim_end_matches(';').to_string())
    };
    let old_lines: Vec<&str> = old.lines().collect();
    let mut changed: Vec<(String, String)> = Vec::new();
    for r in f.removed_code() {
        let Some(c) = DEFAULT_FN.captures(r.text) else {
            continue;
        };
        let Some(field) = old_lines
            .iter()
            .skip(r.no as usize)
            .take(4)
            .find_map(|l| FIELD_DECL.captures(l).map(|x| x[1].to_string()))
        else {
            continue;
        };
        let Some(value) = returned(&c[1]) else {
            continue;
        };
        // Still given a default of its own in the new text.
        let own = Regex::new(&format!(
            r"default\s*=\s*\S+[\s\S]{{0,120}}?\b{}\s*:",
            regex::escape(&field)
        ))
        .is_ok_and(|re| re.is_match(new));
        if zero(&value) || own || !new.contains("#[serde(default)]") {
            continue;
        }
        changed.push((field, value));
    }
    let Some((field, value)) = changed
        .iter()
        .find(|(n, _)| PROTECTIVE.is_match(n))
        .or(changed.first())
    else {
        return;
    };
    let protective = PROTECTIVE.is_match(field) && value == "true";
    let line = f
        .removed_code()
        .find(|r| DEFAULT_FN.is_match(r.text))
        .map(|r| r.no);
    out.push(Finding::removed(
        "derived-default-changed",
        if protective { Severity::High } else { Severity::Medium },
        f.path,
        line,
        format!(
            "`{}` loses its own serde default (`{}`) and now takes the derived `Default`'s zero: a config that leaves it out, relying on the default, gets false, 0 or empty{}.",
            quote(field),
            quote(value),
            if changed.len() > 1 {
                format!("; {} more fields change too", changed.len() - 1)
            } else {
                String::new()
            }
        ),
    ));
}

/// Reports the fields whose default the derived impl changes.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !f.path.ends_with(".rs") || f.class.test_like() || f.class.vendored {
        return;
    }
    let (Some(old), Some(new)) = (f.old_text(), f.new_text()) else {
        return;
    };
    serde_default_fn_dropped(f, old, new, out);
    let still: Vec<String> = hand_written(new).into_iter().map(|(n, _, _)| n).collect();
    for (name, fields, line) in hand_written(old) {
        if still.contains(&name) || !derives_default(new, &name) {
            continue;
        }
        let changed: Vec<&(String, String)> = fields.iter().filter(|(_, v)| !zero(v)).collect();
        let Some((field, value)) = changed
            .iter()
            .find(|(n, _)| PROTECTIVE.is_match(n))
            .or(changed.first())
        else {
            continue;
        };
        let protective = PROTECTIVE.is_match(field) && value.trim_end_matches(',') == "true";
        out.push(Finding::removed(
            "derived-default-changed",
            if protective { Severity::High } else { Severity::Medium },
            f.path,
            Some(line),
            format!(
                "`{}`'s hand-written `Default` is replaced by `#[derive(Default)]`, which gives every field its type's zero: `{}` was `{}` and is now false, 0 or empty wherever the default is used (a missing config table, `..Default::default()`){}.",
                quote(&name),
                quote(field),
                quote(value.trim_end_matches(',')),
                if changed.len() > 1 {
                    format!("; {} more fields change too", changed.len() - 1)
                } else {
                    String::new()
                }
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents as rules;

    const OLD: &str = "#[derive(Debug, Clone, Deserialize)]\npub struct TlsConfig {\n    #[serde(default = \"default_true\")]\n    pub verify: bool,\n    pub ca_file: Option<PathBuf>,\n}\n\nimpl Default for TlsConfig {\n    fn default() -> Self {\n        Self {\n            verify: true,\n            ca_file: None,\n        }\n    }\n}\n";

    #[test]
    fn a_derived_default_that_turns_verification_off_is_found() {
        let new = OLD
            .replace("#[derive(Debug, Clone, Deserialize)]", "#[derive(Debug, Clone, Default, Deserialize)]")
            .replace("\nimpl Default for TlsConfig {\n    fn default() -> Self {\n        Self {\n            verify: true,\n            ca_file: None,\n        }\n    }\n}\n", "");
        assert!(rules("src/config.rs", OLD, &new).contains(&"derived-default-changed".to_string()));
    }

    #[test]
    fn a_derived_default_that_matches_the_old_one_is_not() {
        let old = OLD.replace("verify: true", "verify: false");
        let new = old
            .replace("#[derive(Debug, Clone, Deserialize)]", "#[derive(Debug, Clone, Default, Deserialize)]")
            .replace("\nimpl Default for TlsConfig {\n    fn default() -> Self {\n        Self {\n            verify: false,\n            ca_file: None,\n        }\n    }\n}\n", "");
        assert!(
            !rules("src/config.rs", &old, &new).contains(&"derived-default-changed".to_string())
        );
    }
}
