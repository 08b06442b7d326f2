//! Wire names: the names a field is serialised under (`json:"order_id"`,
//! `@JsonProperty("order_id")`, `#[serde(rename = "order_id")]`,
//! `Field(alias="order_id")`) and the naming policy of a whole type
//! (`#[serde(rename_all = "camelCase")]`, `@JsonNaming`,
//! `PropertyNamingPolicy`). Changing them changes the payload every client,
//! consumer and stored message was written against: the old name arrives,
//! the new one is read, and the field is silently missing.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// A field's wire name: (how it is given, the name). Go's `xml` tags may
/// put a namespace before the name (`xml:"http://www.w3.org/XML/1998/namespace lang,attr"`):
/// the name is the word after it.
static NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\b(json|yaml|xml|bson|msgpack):"(?:[^",\s]+\s+)?([^",\s]+)|\b(JsonProperty|JsonPropertyName|SerializedName|JsonAlias|Json)\s*\(\s*(?:value\s*=\s*|name\s*=\s*)?"([^"\s]+)"|\b(alias|serialization_alias|rename)\s*=\s*"([^"\s]+)""#).unwrap()
});
/// A naming policy for every field of a type.
static POLICY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(rename_all\s*=\s*"[^"]*"|@JsonNaming\s*\([^)]*\)|PropertyNamingPolicy\s*=\s*[\w.]+|alias_generator\s*=\s*\w+|FieldNamingPolicy\.\w+|PropertyNamingStrategies?\.\w+)"#).unwrap()
});

/// Wire-name rules for one file.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs || f.class.vendored || f.created() || f.deleted() {
        return;
    }
    // Manifests and lockfiles name packages, not fields.
    if [".toml", ".json", ".lock", ".mod", ".sum", ".yaml", ".yml"]
        .iter()
        .any(|e| f.path.ends_with(e))
    {
        return;
    }
    // A naming policy added, changed or dropped on a type that was already
    // serialised.
    let policy = |l: &str| POLICY.find(l).map(|m| m.as_str().replace(' ', ""));
    let old: Vec<String> = f.removed.iter().filter_map(|l| policy(l.text)).collect();
    for l in &f.added {
        if let Some(p) = policy(l.text)
            && !old.contains(&p)
        {
            out.push(Finding::added(
                "wire-names-changed",
                Severity::High,
                f.path,
                Some(l.no),
                format!(
                    "Changes how every field of the type is named on the wire (`{}`): payloads written before it, and clients built before it, use the old names, so those fields read as missing.",
                    quote(&p)
                ),
            ));
            return;
        }
    }
    // One field's wire name changed within a replaced run of lines.
    let names = |run: &[crate::diff::DiffLine]| -> Vec<(String, String, Option<u32>)> {
        run.iter()
            .flat_map(|l| {
                NAME.captures_iter(&l.content)
                    .filter_map(|c| {
                        let kind = c.get(1).or(c.get(3)).or(c.get(5))?;
                        let name = c.get(2).or(c.get(4)).or(c.get(6))?;
                        Some((
                            kind.as_str().to_string(),
                            name.as_str().to_string(),
                            l.new_no,
                        ))
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    for (gone_run, came_run) in f.replacements() {
        let (was, now) = (names(gone_run), names(came_run));
        if was.is_empty() || was.len() != now.len() {
            continue;
        }
        let gone: Vec<&(String, String, Option<u32>)> = was
            .iter()
            .filter(|(kind, n, _)| !now.iter().any(|(k2, m, _)| k2 == kind && m == n))
            .collect();
        let Some((kind, name, _)) = gone.first() else {
            continue;
        };
        let Some((_, new, at)) = now
            .iter()
            .find(|(k2, m, _)| k2 == kind && !was.iter().any(|(_, n, _)| n == m))
        else {
            continue;
        };
        out.push(Finding::added(
            "wire-names-changed",
            Severity::High,
            f.path,
            *at,
            format!(
                "A field is now serialised as `{}` instead of `{}`: whatever was written or built against the old name reads it as missing.",
                quote(new),
                quote(name)
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit;

    #[test]
    fn a_serialised_name_or_naming_policy_changed_is_found() {
        let rule = "wire-names-changed".to_string();
        let go = "type Order struct {\n\tID string `json:\"order_id\"`\n\tTotal int64 `json:\"total_minor\"`\n}\n";
        let go_new = go.replace("json:\"order_id\"", "json:\"orderId\"");
        assert!(rules_hit("internal/api/order.go", Some(go), Some(&go_new)).contains(&rule));
        let rs = "#[derive(Serialize)]\npub struct OrderEvent {\n    pub order_id: Uuid,\n}\n";
        let rs_new = rs.replace(
            "#[derive(Serialize)]\n",
            "#[derive(Serialize)]\n#[serde(rename_all = \"camelCase\")]\n",
        );
        assert!(rules_hit("src/events.rs", Some(rs), Some(&rs_new)).contains(&rule));
    }

    #[test]
    fn a_new_field_or_a_new_type_names_nothing_old() {
        let rule = "wire-names-changed".to_string();
        let go = "type Order struct {\n\tID string `json:\"order_id\"`\n}\n";
        let added = go.replace("}\n", "\tNote string `json:\"note\"`\n}\n");
        assert!(!rules_hit("internal/api/order.go", Some(go), Some(&added)).contains(&rule));
        // The field renamed in code, its wire name kept.
        let renamed = go.replace("\tID string", "\tOrderID string");
        assert!(!rules_hit("internal/api/order.go", Some(go), Some(&renamed)).contains(&rule));
        // A namespace put before an XML name keeps the name.
        let xml = "type feed struct {\n\tLanguage string `xml:\"lang,attr\"`\n}\n";
        let qualified = xml.replace(
            "xml:\"lang,attr\"",
            "xml:\"http://www.w3.org/XML/1998/namespace lang,attr\"",
        );
        assert!(!rules_hit("internal/reader/atom.go", Some(xml), Some(&qualified)).contains(&rule));
        // A namespace added with another name still renames it.
        let other = xml.replace(
            "xml:\"lang,attr\"",
            "xml:\"http://www.w3.org/XML/1998/namespace language,attr\"",
        );
        assert!(rules_hit("internal/reader/atom.go", Some(xml), Some(&other)).contains(&rule));
        assert!(
            !rules_hit(
                "src/events.rs",
                None,
                Some("#[serde(rename_all = \"camelCase\")]\nstruct A;\n")
            )
            .contains(&rule)
        );
        // A dependency bumped in a manifest is no field.
        let cargo = "[dependencies]\nserde_json = \"1.0.122\"\n";
        assert!(
            !rules_hit(
                "Cargo.toml",
                Some(cargo),
                Some(&cargo.replace("122", "128"))
            )
            .contains(&rule)
        );
    }
}
