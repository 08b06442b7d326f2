//! Service-mesh policy read as data: who may call what (Istio's
//! `AuthorizationPolicy`) and which calls the proxy replays (Linkerd's
//! `ServiceProfile`, Istio's `VirtualService` retries).
//!
//! In an ALLOW policy each rule pairs sources (`from`) with operations
//! (`to`); a rule that leaves one out matches every source or every
//! operation, so `from` and `to` written as two list items instead of one
//! let anyone in the mesh do the operation and the source do anything.
//! A proxy that retries a POST on a 5xx replays a charge the upstream may
//! already have made.

use yaml_rust::Yaml;

use super::{FileView, Finding, Severity, quote};

fn docs(text: &str) -> Vec<Yaml> {
    yaml_rust::YamlLoader::load_from_str(text).unwrap_or_default()
}

fn kind(doc: &Yaml) -> &str {
    doc["kind"].as_str().unwrap_or("")
}

fn name(doc: &Yaml) -> String {
    doc["metadata"]["name"].as_str().unwrap_or("").to_string()
}

/// A rule as text, to tell an added rule from one that was there.
fn dump(y: &Yaml) -> String {
    let mut s = String::new();
    let mut e = yaml_rust::YamlEmitter::new(&mut s);
    let _ = e.dump(y);
    s
}

/// The line (1-based) of the first added line at or after text `needle`.
fn added_line(f: &FileView<'_>, needle: &str) -> Option<u32> {
    let new = f.new_text()?;
    let at = new.find(needle)?;
    let from = new[..at].matches('\n').count() as u32 + 1;
    f.added_code().map(|l| l.no).find(|&n| n >= from)
}

/// Reports rules and retries the change adds that open or replay too much.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !(f.path.ends_with(".yaml") || f.path.ends_with(".yml")) || f.class.test_like() {
        return;
    }
    let (Some(old), Some(new)) = (f.old_text(), f.new_text()) else {
        return;
    };
    if !new.contains("AuthorizationPolicy") && !new.contains("ServiceProfile") {
        return;
    }
    let before = docs(old);
    for doc in docs(new) {
        let was = before
            .iter()
            .find(|d| kind(d) == kind(&doc) && name(d) == name(&doc));
        match kind(&doc) {
            "AuthorizationPolicy" => rules_split(f, &doc, was, out),
            "ServiceProfile" => replayed_writes(f, &doc, was, out),
            _ => {}
        }
    }
}

/// An ALLOW rule added without sources or without operations, in a policy
/// whose rules all named both.
fn rules_split(f: &FileView<'_>, doc: &Yaml, was: Option<&Yaml>, out: &mut Vec<Finding>) {
    let spec = &doc["spec"];
    if spec["action"].as_str().is_some_and(|a| a != "ALLOW") {
        return;
    }
    let Some(old_rules) = was.and_then(|w| w["spec"]["rules"].as_vec()) else {
        return;
    };
    let has = |r: &Yaml, k: &str| !r[k].is_badvalue() && !r[k].is_null();
    let paired = !old_rules.is_empty() && old_rules.iter().all(|r| has(r, "from") && has(r, "to"));
    if !paired {
        return;
    }
    let old_dumps: Vec<String> = old_rules.iter().map(dump).collect();
    for r in spec["rules"].as_vec().into_iter().flatten() {
        if old_dumps.contains(&dump(r)) {
            continue;
        }
        let (what, needle) = match (has(r, "from"), has(r, "to")) {
            (true, false) => ("lets its sources perform every operation", "from:"),
            (false, true) => (
                "lets every caller in the mesh perform its operations",
                "to:",
            ),
            _ => continue,
        };
        // What the rule names: its first principal, namespace or path.
        let text = dump(r);
        let lines: Vec<&str> = text.lines().collect();
        let first = lines
            .iter()
            .position(|l| {
                ["principals", "namespaces", "paths"]
                    .iter()
                    .any(|k| l.contains(k))
            })
            .map(|i| {
                let l = lines[i].trim();
                if l.ends_with(':') {
                    lines
                        .get(i + 1)
                        .map_or(l, |n| n.trim().trim_start_matches("- "))
                } else {
                    l
                }
            })
            .unwrap_or(needle);
        out.push(Finding::added(
            "mesh-policy-rule-unpaired",
            Severity::High,
            f.path,
            added_line(f, needle),
            format!(
                "A rule of the ALLOW policy `{}` has no `{}`, so it {what}: every other rule pairs a source with what it may do. It names `{}`. Put `from` and `to` in one rule.",
                quote(&name(doc)),
                if needle == "from:" { "to" } else { "from" },
                quote(first)
            ),
        ));
        return;
    }
}

/// A route for a method that is not idempotent made retryable.
fn replayed_writes(f: &FileView<'_>, doc: &Yaml, was: Option<&Yaml>, out: &mut Vec<Finding>) {
    let retryable = |r: &Yaml| r["isRetryable"].as_bool() == Some(true);
    let old_routes: Vec<&Yaml> = was
        .and_then(|w| w["spec"]["routes"].as_vec())
        .map(|v| v.iter().collect())
        .unwrap_or_default();
    for r in doc["spec"]["routes"].as_vec().into_iter().flatten() {
        let method = r["condition"]["method"].as_str().unwrap_or("");
        if !matches!(method, "POST" | "PATCH") || !retryable(r) {
            continue;
        }
        let route = r["name"].as_str().unwrap_or(method);
        if old_routes
            .iter()
            .any(|o| o["name"].as_str() == Some(route) && retryable(o))
        {
            continue;
        }
        out.push(Finding::added(
            "retry-not-idempotent",
            Severity::High,
            f.path,
            added_line(f, &format!("name: {route}")),
            format!(
                "Route `{}` is now retryable: the proxy replays a {method} that failed with a 5xx, including one the upstream already carried out (a second charge, a second refund). Retry only idempotent routes, or have the caller send an idempotency key.",
                quote(route)
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents as rules;

    const POLICY: &str = "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: api-allow\nspec:\n  action: ALLOW\n  rules:\n    - from:\n        - source:\n            principals: [\"cluster.local/ns/web/sa/web\"]\n      to:\n        - operation:\n            methods: [\"POST\"]\n            paths: [\"/v1/charges\"]\n";

    #[test]
    fn a_source_and_its_operations_split_into_two_rules_is_found() {
        let split = format!(
            "{POLICY}    - from:\n        - source:\n            principals: [\"cluster.local/ns/ledger/sa/sync\"]\n    - to:\n        - operation:\n            methods: [\"GET\"]\n            paths: [\"/v1/charges*\"]\n"
        );
        assert!(
            rules("deploy/policy.yaml", POLICY, &split)
                .contains(&"mesh-policy-rule-unpaired".to_string())
        );
        let paired = format!(
            "{POLICY}    - from:\n        - source:\n            principals: [\"cluster.local/ns/ledger/sa/sync\"]\n      to:\n        - operation:\n            methods: [\"GET\"]\n            paths: [\"/v1/charges*\"]\n"
        );
        assert!(
            !rules("deploy/policy.yaml", POLICY, &paired)
                .contains(&"mesh-policy-rule-unpaired".to_string())
        );
    }

    #[test]
    fn a_retryable_post_route_is_found_and_a_get_is_not() {
        let old = "apiVersion: linkerd.io/v1alpha2\nkind: ServiceProfile\nmetadata:\n  name: pay.svc\nspec:\n  routes:\n    - name: POST /v1/charges\n      condition:\n        method: POST\n        pathRegex: /v1/charges\n    - name: GET /v1/charges/{id}\n      condition:\n        method: GET\n        pathRegex: /v1/charges/[^/]+\n";
        let post = old.replace(
            "        pathRegex: /v1/charges\n",
            "        pathRegex: /v1/charges\n      isRetryable: true\n",
        );
        assert!(
            rules("deploy/profile.yaml", old, &post).contains(&"retry-not-idempotent".to_string())
        );
        let get = old.replace(
            "        pathRegex: /v1/charges/[^/]+\n",
            "        pathRegex: /v1/charges/[^/]+\n      isRetryable: true\n",
        );
        assert!(
            !rules("deploy/profile.yaml", old, &get).contains(&"retry-not-idempotent".to_string())
        );
    }
}
