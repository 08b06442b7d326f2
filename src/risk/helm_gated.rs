//! A protection in a Helm template that the change puts under a new values
//! switch, with the chart's shipped default on the side that leaves it out.
//! `- from: [web, worker]` of a NetworkPolicy wrapped in `{{- if not
//! .Values.networkPolicy.redis.allowExternal }}`, with `allowExternal: true`
//! in values.yaml, renders a rule without `from`: every pod of the cluster
//! may connect. The option reads as opt-in; the default makes it opt-out.

use std::sync::LazyLock;

use regex::Regex;

use super::structured::{Format, flatten};
use super::{ChangeView, FileView, Finding, Severity, quote};

/// A switch on a value: `{{- if not .Values.a.b }}`, `{{ if .Values.a.b -}}`.
static SWITCH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\{\{-?\s*if\s+(not\s+)?\(?\s*\.Values\.([\w.]+)\s*\)?\s*-?\}\}")
        .expect("a valid regex")
});
/// What opens and closes a template block.
static OPENS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\{\{-?\s*(if|range|with|define|block)\b").expect("a valid regex")
});
static CLOSES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{\{-?\s*end\s*-?\}\}").expect("a valid regex"));
/// Keys that keep something out: a NetworkPolicy's peers, a pod's
/// hardening, a password or TLS requirement.
static PROTECTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*-?\s*(from|to|namespaceSelector|podSelector|ipBlock|runAsNonRoot|readOnlyRootFilesystem|allowPrivilegeEscalation|seccompProfile|requirepass|requireAuth\w*|auth\w*|tls|nginx\.ingress\.kubernetes\.io/(auth-\w+|whitelist-source-range|allowlist-source-range))\s*:")
        .expect("a valid regex")
});

/// The lines of the block a switch at `start` opens, up to its `end`.
fn block<'a>(lines: &[&'a str], start: usize) -> Vec<&'a str> {
    let mut depth = 0usize;
    let mut out = Vec::new();
    for l in &lines[start..] {
        depth += OPENS.find_iter(l).count();
        depth = depth.saturating_sub(CLOSES.find_iter(l).count());
        out.push(*l);
        if depth == 0 {
            break;
        }
    }
    out
}

/// The chart's values file beside `templates/`, as the change leaves it.
fn values_of<'a>(change: &'a ChangeView<'_>, template: &str) -> Option<&'a FileView<'a>> {
    let chart = template.split("/templates/").next()?;
    let wanted = |p: &str| {
        p == format!("{chart}/values.yaml")
            || p == format!("{chart}/values.yml")
            || chart.is_empty() && (p == "values.yaml" || p == "values.yml")
    };
    change.files.iter().find(|g| wanted(g.path))
}

/// Whether a shipped value is on the side that skips the block.
fn skips(negated: bool, value: Option<&str>) -> bool {
    let truthy = value.is_some_and(|v| {
        let v = v.trim().trim_matches(['"', '\'']);
        !(v.is_empty()
            || v == "false"
            || v == "0"
            || v == "null"
            || v == "~"
            || v == "{}"
            || v == "[]")
    });
    if negated { truthy } else { !truthy }
}

/// Protections the change moves under a switch that the chart's own
/// defaults turn the wrong way.
pub fn check(change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    for f in change.files.iter().filter(|f| {
        f.path.contains("templates/")
            && [".yaml", ".yml", ".tpl"]
                .iter()
                .any(|e| f.path.ends_with(e))
            && !f.class.test_like()
    }) {
        let (Some(old), Some(new)) = (f.old_text(), f.new_text()) else {
            continue;
        };
        let Some(values) = values_of(change, f.path).and_then(|v| v.new_text()) else {
            continue;
        };
        let Some(defaults) = flatten(Format::Yaml, values) else {
            continue;
        };
        // Lines as written, list dashes aside (`- from:` moved under a
        // switch reads `from:`).
        let bare = |l: &str| l.trim().trim_start_matches('-').trim().to_string();
        let old_lines: Vec<String> = old.lines().map(bare).collect();
        let lines: Vec<&str> = new.lines().collect();
        for a in f.added.iter() {
            let Some(c) = SWITCH.captures(a.text) else {
                continue;
            };
            let (negated, path) = (c.get(1).is_some(), c[2].to_string());
            // A switch the template had before is the chart's old option.
            if old.contains(&format!(".Values.{path}")) {
                continue;
            }
            if !skips(negated, defaults.get(&path).map(String::as_str)) {
                continue;
            }
            let start = (a.no as usize).saturating_sub(1);
            if start >= lines.len() {
                continue;
            }
            // A protection written unconditionally before, now inside.
            let Some(guarded) = block(&lines, start)
                .into_iter()
                .skip(1)
                .find(|l| PROTECTION.is_match(l) && old_lines.contains(&bare(l)))
            else {
                continue;
            };
            let key = guarded.trim().trim_start_matches('-').trim();
            let key = key.split(':').next().unwrap_or(key);
            let shipped = defaults
                .get(&path)
                .map_or("unset".to_string(), |v| format!("`{}`", quote(v)));
            out.push(Finding::added(
                "helm-protection-off-by-default",
                Severity::High,
                f.path,
                Some(a.no),
                format!(
                    "`{}` is now rendered only when `.Values.{}` is {}, and the chart ships it {shipped}: by default it is left out, and what it kept out gets in.",
                    quote(key),
                    quote(&path),
                    if negated { "false" } else { "set" },
                ),
            ));
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::findings_of_change;

    const OLD: &str = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: redis\nspec:\n  podSelector:\n    matchLabels:\n      app: redis\n  ingress:\n    - from:\n        - podSelector:\n            matchLabels:\n              app: web\n      ports:\n        - port: 6379\n";

    fn new(switch: &str) -> String {
        format!(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: redis\nspec:\n  podSelector:\n    matchLabels:\n      app: redis\n  ingress:\n    - ports:\n        - port: 6379\n      {{{{- if {switch} }}}}\n      from:\n        - podSelector:\n            matchLabels:\n              app: web\n      {{{{- end }}}}\n"
        )
    }

    fn gated(switch: &str, values: &str) -> bool {
        findings_of_change(
            &[
                (
                    "charts/app/templates/networkpolicy.yaml",
                    Some(OLD),
                    Some(&new(switch)),
                ),
                ("charts/app/values.yaml", Some("image: app\n"), Some(values)),
            ],
            None,
        )
        .iter()
        .any(|f| f.rule == "helm-protection-off-by-default")
    }

    #[test]
    fn a_network_policy_peer_list_skipped_by_the_shipped_default_is_found() {
        let on = "image: app\nnetworkPolicy:\n  redis:\n    allowExternal: true\n";
        let off = "image: app\nnetworkPolicy:\n  redis:\n    allowExternal: false\n";
        assert!(gated("not .Values.networkPolicy.redis.allowExternal", on));
        // Shipped off, the peers are rendered unless someone opts out.
        assert!(!gated("not .Values.networkPolicy.redis.allowExternal", off));
        // Rendered only when a value nobody sets is set.
        assert!(gated(".Values.networkPolicy.redis.restrict", off));
        assert!(!gated(
            ".Values.networkPolicy.redis.restrict",
            "networkPolicy:\n  redis:\n    restrict: true\n"
        ));
    }
}
