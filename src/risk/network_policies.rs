//! Kubernetes NetworkPolicy peers whose AND became an OR. In a `from:` (or
//! `to:`) list, one entry holding both a `namespaceSelector` and a
//! `podSelector` admits those pods in those namespaces; the same two
//! selectors as two entries admit every pod of those namespaces, and those
//! pods everywhere. "Flattening the peer list" reads as a tidy-up, and the
//! diff is one dash.

use yaml_rust::{Yaml, YamlLoader};

use super::{FileView, Finding, Severity, quote};

/// One peer of a rule: its namespace and pod selectors, as written.
#[derive(Debug, PartialEq)]
struct Peer {
    namespaces: Option<String>,
    pods: Option<String>,
}

fn get<'a>(y: &'a Yaml, key: &str) -> Option<&'a Yaml> {
    y.as_hash()?.get(&Yaml::String(key.to_string()))
}

/// A selector written out on one line, for comparing the two sides of one
/// file (the emitter keeps the keys in the order the file writes them).
fn shown(y: &Yaml) -> String {
    let mut s = String::new();
    let mut emitter = yaml_rust::YamlEmitter::new(&mut s);
    let _ = emitter.dump(y);
    s.trim_start_matches("---")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every peer of every ingress and egress rule of the policies in `text`,
/// keyed by policy name and direction.
fn peers(text: &str) -> Vec<(String, Peer)> {
    let Ok(docs) = YamlLoader::load_from_str(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for d in docs
        .iter()
        .filter(|d| get(d, "kind").and_then(Yaml::as_str) == Some("NetworkPolicy"))
    {
        let name = get(d, "metadata")
            .and_then(|m| get(m, "name"))
            .and_then(Yaml::as_str)
            .unwrap_or("")
            .to_string();
        let Some(spec) = get(d, "spec") else { continue };
        for (direction, list) in [("ingress", "from"), ("egress", "to")] {
            let rules = get(spec, direction).and_then(Yaml::as_vec);
            for rule in rules.into_iter().flatten() {
                for p in get(rule, list).and_then(Yaml::as_vec).into_iter().flatten() {
                    out.push((
                        format!("{name}/{direction}"),
                        Peer {
                            namespaces: get(p, "namespaceSelector").map(shown),
                            pods: get(p, "podSelector").map(shown),
                        },
                    ));
                }
            }
        }
    }
    out
}

/// The NetworkPolicy documents of `text` (none when it does not parse).
fn policies(text: &str) -> Vec<Yaml> {
    YamlLoader::load_from_str(text)
        .unwrap_or_default()
        .into_iter()
        .filter(|d| get(d, "kind").and_then(Yaml::as_str) == Some("NetworkPolicy"))
        .collect()
}

/// The directions a policy isolates: its `policyTypes`, or, when it names
/// none, ingress plus egress if it has egress rules (Kubernetes' default).
fn directions(policy: &Yaml) -> Vec<&'static str> {
    let Some(spec) = get(policy, "spec") else {
        return Vec::new();
    };
    let named: Vec<&str> = get(spec, "policyTypes")
        .and_then(Yaml::as_vec)
        .into_iter()
        .flatten()
        .filter_map(Yaml::as_str)
        .collect();
    let mut out = Vec::new();
    if named.is_empty() || named.contains(&"Ingress") {
        out.push("ingress");
    }
    if named.contains(&"Egress") || named.is_empty() && get(spec, "egress").is_some() {
        out.push("egress");
    }
    out
}

/// Whether the NetworkPolicies in `merged` admit nothing the ones in
/// `before` did not: every direction the old policies isolated is still
/// isolated, every rule still names its peers (a rule with no `from`/`to`
/// admits everyone), and every peer, its namespace and pod selectors
/// together, is one the old policies had.
pub fn admits_no_more(before: &str, merged: &str) -> bool {
    let (old_docs, new_docs) = (policies(before), policies(merged));
    if new_docs.is_empty() {
        return false;
    }
    let isolated: Vec<&str> = new_docs.iter().flat_map(directions).collect();
    if old_docs
        .iter()
        .flat_map(directions)
        .any(|d| !isolated.contains(&d))
    {
        return false;
    }
    for spec in new_docs.iter().filter_map(|d| get(d, "spec")) {
        for (direction, list) in [("ingress", "from"), ("egress", "to")] {
            for rule in get(spec, direction)
                .and_then(Yaml::as_vec)
                .into_iter()
                .flatten()
            {
                if get(rule, list)
                    .and_then(Yaml::as_vec)
                    .is_none_or(|v| v.is_empty())
                {
                    return false;
                }
            }
        }
    }
    let old: Vec<Peer> = peers(before).into_iter().map(|(_, p)| p).collect();
    peers(merged).iter().all(|(_, p)| old.contains(p))
}

/// Peers that admitted some pods of some namespaces and now admit a whole
/// namespace (the pod selector moved to an entry of its own).
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !matches!(f.class.lang, super::lang::Lang::Yaml) || f.class.test_like() || f.class.docs {
        return;
    }
    let (Some(old), Some(new)) = (f.old_text(), f.new_text()) else {
        return;
    };
    if !new.contains("NetworkPolicy") || !f.added_code().any(|l| l.text.contains("Selector")) {
        return;
    }
    let (before, after) = (peers(old), peers(new));
    for (key, was) in &before {
        let (Some(ns), Some(_)) = (&was.namespaces, &was.pods) else {
            continue;
        };
        if after.iter().any(|(k, p)| k == key && p == was) {
            continue;
        }
        let widened = after
            .iter()
            .any(|(k, p)| k == key && p.namespaces.as_ref() == Some(ns) && p.pods.is_none());
        if !widened {
            continue;
        }
        let line = f
            .added_code()
            .find(|l| l.text.trim_start().starts_with("- podSelector"))
            .or_else(|| f.added_code().find(|l| l.text.contains("Selector")))
            .map(|l| l.no);
        out.push(Finding::added(
            "k8s-netpol-peer-widened",
            Severity::High,
            f.path,
            line,
            format!(
                "In `{}`, the namespace selector (`{}`) and the pod selector that narrowed it are now separate peers: an OR, not an AND, so every pod of those namespaces is admitted, not only the selected ones.",
                quote(key),
                quote(ns)
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents as rules;

    const RULE: &str = "k8s-netpol-peer-widened";
    const OLD: &str = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ledger-postgres\nspec:\n  podSelector:\n    matchLabels:\n      app: ledger-postgres\n  ingress:\n    - from:\n        - namespaceSelector:\n            matchLabels:\n              env: production\n          podSelector:\n            matchLabels:\n              app: ledger-api\n      ports:\n        - port: 5432\n";

    #[test]
    fn selectors_split_into_two_peers_admit_the_whole_namespace() {
        let split = OLD.replace("          podSelector:\n", "        - podSelector:\n");
        assert!(rules("deploy/ledger/netpol.yaml", OLD, &split).contains(&RULE.to_string()));
        // Another pod added under the same namespace, still ANDed: fine.
        let more = OLD.replace(
            "      ports:\n",
            "        - namespaceSelector:\n            matchLabels:\n              env: production\n          podSelector:\n            matchLabels:\n              app: ledger-migrate\n      ports:\n",
        );
        assert!(!rules("deploy/ledger/netpol.yaml", OLD, &more).contains(&RULE.to_string()));
        // Only the pod's label changed.
        let relabelled = OLD.replace("app: ledger-api", "app.kubernetes.io/name: ledger-api");
        assert!(!rules("deploy/ledger/netpol.yaml", OLD, &relabelled).contains(&RULE.to_string()));
    }
}
