//! A field made optional that a reader still takes as always there. An
//! event or API schema drops a field from its `required` list (the producer
//! now leaves it out for some messages) while a consumer in the same change
//! still reads it strictly (`int(payload["tax_cents"])`,
//! `event.fetch("tax_cents")`): the first message without it raises, and a
//! consumer that stops on errors without committing wedges its partition.

use std::sync::LazyLock;

use regex::Regex;

use super::{ChangeView, FileView, Finding, Severity, quote};

/// A list item naming a field: `"tax_cents",` in JSON, `- tax_cents` in YAML.
static ITEM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^\s*(?:-\s+)?["']?([A-Za-z_][\w-]*)["']?\s*,?\s*$"#).unwrap());
/// The start of a `required` list.
static REQUIRED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"["']?required["']?\s*:\s*\[?\s*$"#).unwrap());

/// Fields a schema file's change takes out of a `required` list.
fn dropped_from_required(f: &FileView<'_>) -> Vec<(String, u32)> {
    let Some(old) = f.old_text() else {
        return Vec::new();
    };
    let lines: Vec<&str> = old.lines().collect();
    let mut out = Vec::new();
    for r in f.removed_code() {
        let Some(c) = ITEM.captures(r.text) else {
            continue;
        };
        let at = (r.no as usize).saturating_sub(1).min(lines.len());
        // Walk up the list this item is in to the key that opens it.
        let opened = lines[..at]
            .iter()
            .rev()
            .take(40)
            .find(|t| !ITEM.is_match(t))
            .is_some_and(|t| REQUIRED.is_match(t));
        if !opened {
            continue;
        }
        let name = c[1].to_string();
        // Still a property of the schema: optional now, not gone.
        if f.new_text()
            .is_some_and(|t| t.contains(&format!("\"{name}\"")) || t.contains(&format!("{name}:")))
        {
            out.push((name, r.no));
        }
    }
    out
}

/// A strict read of `name`: a subscript that raises when it is missing
/// (Python's `payload["x"]`), Ruby's `fetch`, a JSON object's typed getter.
fn strict_read(line: &str, name: &str) -> bool {
    let n = regex::escape(name);
    let Ok(re) = Regex::new(&format!(
        r#"(\[\s*["']{n}["']\s*\](\s*[^\s=\[]|\s*==|\s*$)|\.fetch\(\s*[:"']{n}\b|\.get(Long|Int|String|Double|Boolean)\(\s*"{n}"\))"#
    )) else {
        return false;
    };
    re.is_match(line)
}

/// Flags a field dropped from a schema's `required` list that a reader in
/// the change still takes as always there.
pub fn check(change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    let schemas: Vec<_> = change
        .files
        .iter()
        .filter(|f| {
            let p = f.path.to_ascii_lowercase();
            !f.class.test_like()
                && (p.ends_with(".json") || p.ends_with(".yaml") || p.ends_with(".yml"))
                && (p.contains("schema")
                    || p.contains("event")
                    || p.contains("openapi")
                    || p.contains("asyncapi"))
        })
        .collect();
    for s in schemas {
        for (name, no) in dropped_from_required(s) {
            let reader = change
                .files
                .iter()
                .filter(|g| g.class.production() && !std::ptr::eq(*g, s))
                .find_map(|g| {
                    let text = g.new_text()?;
                    let (i, l) = text
                        .lines()
                        .enumerate()
                        .find(|(_, l)| !l.trim_start().starts_with('#') && strict_read(l, &name))?;
                    Some((g, i as u32 + 1, l.trim().to_string()))
                });
            let Some((g, line, text)) = reader else {
                continue;
            };
            out.push(Finding::removed(
                "schema-field-optional-read-strictly",
                Severity::High,
                s.path,
                Some(no),
                format!(
                    "Makes `{}` optional, but {}:{line} still reads it as always there (`{}`): the first message without it raises there.",
                    quote(&name),
                    g.path,
                    quote(&text)
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::findings_of_change;

    const RULE: &str = "schema-field-optional-read-strictly";

    fn hit(consumer: &str) -> bool {
        let old = "{\n  \"required\": [\n    \"order_id\",\n    \"tax_cents\",\n    \"total_cents\"\n  ],\n  \"properties\": {\n    \"tax_cents\": { \"type\": \"integer\" }\n  }\n}\n";
        let new = old.replace("    \"tax_cents\",\n", "");
        findings_of_change(
            &[
                (
                    "schemas/events/order_placed.json",
                    Some(old),
                    Some(new.as_str()),
                ),
                ("ledger/consumer.py", Some("# consumer\n"), Some(consumer)),
            ],
            None,
        )
        .iter()
        .any(|f| f.rule == RULE)
    }

    #[test]
    fn a_field_made_optional_that_a_consumer_subscripts_is_flagged() {
        assert!(hit(
            "# consumer\ndef handle(payload):\n    tax = int(payload[\"tax_cents\"])\n"
        ));
        assert!(hit(
            "# consumer\ndef handle(event)\n  tax = event.fetch(\"tax_cents\")\nend\n"
        ));
    }

    #[test]
    fn a_consumer_that_reads_it_with_a_default_is_not() {
        assert!(!hit(
            "# consumer\ndef handle(payload):\n    tax = int(payload.get(\"tax_cents\", 0))\n"
        ));
        assert!(!hit(
            "# consumer\ndef handle(payload):\n    payload[\"tax_cents\"] = 0\n"
        ));
    }
}
