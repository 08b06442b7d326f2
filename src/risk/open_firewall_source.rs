//! A Google Cloud firewall rule that lets traffic in and names no source.
//! GCP reads an ingress rule without `source_ranges`, `source_tags` or
//! `source_service_accounts` as coming from `0.0.0.0/0`: dropping the last
//! of them (say, `source_tags` removed because it cannot be combined with
//! `target_service_accounts`) opens the rule's ports to the internet.

use super::{FileView, Finding, Severity, quote};

/// The keys that name where a GCP firewall rule's traffic comes from.
const SOURCE_KEYS: &[&str] = &["source_ranges", "source_tags", "source_service_accounts"];

/// One `google_compute_firewall` resource: its name, the line it opens on
/// and its top-level body lines (nested blocks' lines included, trimmed).
struct Rule {
    name: String,
    line: u32,
    body: Vec<String>,
}

impl Rule {
    fn has_key(&self, key: &str) -> bool {
        self.body.iter().any(|l| {
            l.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
    }

    /// Whether the rule lets traffic in: an `allow` block, direction not
    /// `EGRESS`.
    fn admits(&self) -> bool {
        self.body
            .iter()
            .any(|l| l.starts_with("allow {") || l == "allow")
            && !self
                .body
                .iter()
                .any(|l| l.starts_with("direction") && l.contains("EGRESS"))
    }

    fn sourced(&self) -> bool {
        SOURCE_KEYS.iter().any(|k| self.has_key(k))
    }

    /// The ports its `allow` blocks name, as written.
    fn ports(&self) -> String {
        let ports: Vec<&str> = self
            .body
            .iter()
            .filter_map(|l| l.strip_prefix("ports"))
            .filter_map(|l| l.trim_start().strip_prefix('='))
            .map(str::trim)
            .collect();
        if ports.is_empty() {
            "every port".to_string()
        } else {
            ports.join(", ")
        }
    }
}

/// Every `google_compute_firewall` resource in a Terraform file.
fn rules(text: &str) -> Vec<Rule> {
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let head = lines[i].trim();
        let name = head
            .strip_prefix("resource \"google_compute_firewall\" \"")
            .and_then(|r| r.split('"').next());
        let Some(name) = name else {
            i += 1;
            continue;
        };
        let mut depth = head.matches('{').count() as i64 - head.matches('}').count() as i64;
        let mut body = Vec::new();
        let mut j = i + 1;
        while j < lines.len() && depth > 0 {
            let l = lines[j].split('#').next().unwrap_or("").trim();
            depth += l.matches('{').count() as i64 - l.matches('}').count() as i64;
            if !l.is_empty() && l != "}" {
                body.push(l.split_whitespace().collect::<Vec<_>>().join(" "));
            }
            j += 1;
        }
        out.push(Rule {
            name: name.to_string(),
            line: i as u32 + 1,
            body,
        });
        i = j.max(i + 1);
    }
    out
}

/// Reports an ingress rule that admits traffic with no source named, where
/// before it named one (or the rule is new).
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.docs || f.class.test_like() || f.class.vendored || !f.path.ends_with(".tf") {
        return;
    }
    let Some(new) = f.new_text() else {
        return;
    };
    if !new.contains("google_compute_firewall") {
        return;
    }
    let old = f.old_text().map(rules).unwrap_or_default();
    for rule in rules(new) {
        if !rule.admits() || rule.sourced() {
            continue;
        }
        let before = old.iter().find(|o| o.name == rule.name);
        if before.is_some_and(|o| o.admits() && !o.sourced()) {
            // It was open before; this change did not open it.
            continue;
        }
        let was = before
            .and_then(|o| {
                SOURCE_KEYS
                    .iter()
                    .find(|k| o.has_key(k))
                    .map(|k| format!("it named `{k}` before"))
            })
            .unwrap_or_else(|| "it is new".to_string());
        out.push(Finding::added(
            "net-firewall-source-missing",
            Severity::High,
            f.path,
            Some(rule.line),
            format!(
                "firewall rule `{}` lets in {} with no source ({was}): Google Cloud reads that as 0.0.0.0/0, the whole internet.",
                quote(&rule.name),
                quote(&rule.ports())
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents as hit;

    const OLD: &str = "resource \"google_compute_firewall\" \"pg\" {\n  name    = \"allow-pg\"\n  network = var.network\n\n  allow {\n    protocol = \"tcp\"\n    ports    = [\"5432\"]\n  }\n\n  source_tags = [\"api\"]\n  target_tags = [\"postgres\"]\n}\n";

    fn fires(new: &str) -> bool {
        hit("infra/network/firewall.tf", OLD, new)
            .contains(&"net-firewall-source-missing".to_string())
    }

    #[test]
    fn an_ingress_rule_left_without_a_source_is_open_to_the_internet() {
        let no_source = OLD.replace("  source_tags = [\"api\"]\n", "").replace(
            "target_tags = [\"postgres\"]",
            "target_service_accounts = [var.pg_sa]",
        );
        assert!(fires(&no_source));
        // The source restated another way is still a source.
        let by_account = no_source.replace(
            "  target_service_accounts",
            "  source_service_accounts = [var.api_sa]\n  target_service_accounts",
        );
        assert!(!fires(&by_account));
        let by_range = no_source.replace(
            "  target_service_accounts",
            "  source_ranges = [\"10.0.0.0/8\"]\n  target_service_accounts",
        );
        assert!(!fires(&by_range));
        // A deny rule or an egress rule with no source opens nothing.
        let deny = no_source.replace("  allow {", "  deny {");
        assert!(!fires(&deny));
        let egress = no_source.replace(
            "  network = var.network\n",
            "  network = var.network\n  direction = \"EGRESS\"\n",
        );
        assert!(!fires(&egress));
        // A source in a comment is no source.
        let commented = no_source.replace(
            "  target_service_accounts",
            "  # source_ranges = [\"10.0.0.0/8\"]\n  target_service_accounts",
        );
        assert!(fires(&commented));
    }
}
