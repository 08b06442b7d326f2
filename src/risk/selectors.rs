//! Kubernetes selectors a change points at nothing. A Service (or a
//! PodDisruptionBudget) finds its pods by labels: when a relabelling changes
//! the selector to labels that no pod template carries (`name: payments`
//! where the pods say `name: payments-api`), the Service has no endpoints the
//! moment it is applied, and every manifest still validates. Read across the
//! change's YAML files, since the Service and the Deployment usually live in
//! two of them.

use std::collections::BTreeMap;

use yaml_rust::{Yaml, YamlLoader};

use super::lang::Lang;
use super::{ChangeView, Finding, Severity, quote};

/// Labels, or a selector's required labels.
type Labels = BTreeMap<String, String>;

/// Kinds whose pod template carries the pods' labels.
const WORKLOADS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Rollout",
    "Job",
];

/// A Service or PodDisruptionBudget selector, by kind and name.
struct Selector {
    kind: String,
    name: String,
    labels: Labels,
}

fn documents(text: &str) -> Vec<Yaml> {
    YamlLoader::load_from_str(text).unwrap_or_default()
}

fn string_map(y: &Yaml) -> Labels {
    y.as_hash()
        .map(|h| {
            h.iter()
                .filter_map(|(k, v)| {
                    let value = match v {
                        Yaml::String(s) => s.clone(),
                        Yaml::Integer(i) => i.to_string(),
                        Yaml::Boolean(b) => b.to_string(),
                        _ => return None,
                    };
                    Some((k.as_str()?.to_string(), value))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The labels of every pod template (and bare pod) in the texts, with the
/// name of the workload that carries them.
fn pod_labels<'a>(texts: impl Iterator<Item = &'a str>) -> Vec<(String, Labels)> {
    let mut out = Vec::new();
    for t in texts {
        for d in documents(t) {
            let kind = d["kind"].as_str().unwrap_or("");
            let labels = if kind == "Pod" {
                string_map(&d["metadata"]["labels"])
            } else if WORKLOADS.contains(&kind) {
                string_map(&d["spec"]["template"]["metadata"]["labels"])
            } else if kind == "CronJob" {
                string_map(&d["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"])
            } else {
                continue;
            };
            if !labels.is_empty() {
                let name = d["metadata"]["name"].as_str().unwrap_or("").to_string();
                out.push((name, labels));
            }
        }
    }
    out
}

/// The Services' and disruption budgets' selectors in a text.
fn selectors(text: &str) -> Vec<Selector> {
    documents(text)
        .iter()
        .filter_map(|d| {
            let kind = d["kind"].as_str()?;
            let labels = match kind {
                "Service" => string_map(&d["spec"]["selector"]),
                "PodDisruptionBudget" => string_map(&d["spec"]["selector"]["matchLabels"]),
                _ => return None,
            };
            Some(Selector {
                kind: kind.to_string(),
                name: d["metadata"]["name"].as_str().unwrap_or("").to_string(),
                labels,
            })
        })
        .filter(|s| !s.labels.is_empty())
        .collect()
}

fn selects(selector: &Labels, pod: &Labels) -> bool {
    selector.iter().all(|(k, v)| pod.get(k) == Some(v))
}

fn shown(l: &Labels) -> String {
    l.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A selector the change rewrites so that it now also matches the pods of
/// a workload it did not select before (`part-of: checkout, component:
/// server`, which the admin pods carry too): the Service sends its traffic
/// to that other application as well.
fn widened(
    f: &super::FileView<'_>,
    s: &Selector,
    was: &Labels,
    old_pods: &[(String, Labels)],
    new_pods: &[(String, Labels)],
    out: &mut Vec<Finding>,
) {
    if s.kind != "Service" {
        return;
    }
    let before: Vec<&str> = old_pods
        .iter()
        .filter(|p| selects(was, &p.1))
        .map(|p| p.0.as_str())
        .collect();
    let Some(other) = new_pods
        .iter()
        .filter(|p| selects(&s.labels, &p.1))
        .map(|p| p.0.as_str())
        .find(|n| !n.is_empty() && !before.contains(n) && *n != s.name)
    else {
        return;
    };
    let line = f
        .added_code()
        .find(|l| s.labels.keys().any(|k| l.text.contains(k.as_str())))
        .map(|l| l.no);
    out.push(Finding::added(
        "k8s-selector-matches-others",
        Severity::High,
        f.path,
        line,
        format!(
            "The {} `{}` now selects `{}`, which the pods of `{}` carry too (before it selected only `{}`): its traffic is now shared with that other workload.",
            s.kind,
            quote(&s.name),
            quote(&shown(&s.labels)),
            quote(other),
            quote(&before.join(", "))
        ),
    ));
}

/// A selector the change rewrites so that it matched a pod template before
/// and matches none of the change's pod templates now.
pub fn check_change(change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    let yaml: Vec<_> = change
        .files
        .iter()
        .filter(|f| f.class.lang == Lang::Yaml && !f.class.test_like())
        .filter(|f| {
            f.added_code()
                .chain(f.removed_code())
                .any(|l| l.text.contains(':'))
        })
        .collect();
    if !yaml.iter().any(|f| {
        f.new_text()
            .is_some_and(|t| t.contains("kind: Service") || t.contains("PodDisruptionBudget"))
    }) {
        return;
    }
    let new_pods = pod_labels(yaml.iter().filter_map(|f| f.new_text()));
    let old_pods = pod_labels(yaml.iter().filter_map(|f| f.old_text()));
    if new_pods.is_empty() {
        return; // the pods are defined elsewhere: nothing to compare with
    }
    for f in &yaml {
        let (Some(old), Some(new)) = (f.old_text(), f.new_text()) else {
            continue;
        };
        let before = selectors(old);
        for s in selectors(new) {
            let Some(was) = before.iter().find(|b| b.kind == s.kind && b.name == s.name) else {
                continue;
            };
            if was.labels == s.labels || !old_pods.iter().any(|p| selects(&was.labels, &p.1)) {
                continue;
            }
            if new_pods.iter().any(|p| selects(&s.labels, &p.1)) {
                widened(f, &s, &was.labels, &old_pods, &new_pods, out);
                continue;
            }
            let line = f
                .added_code()
                .find(|l| {
                    s.labels
                        .iter()
                        .any(|(k, v)| l.text.contains(k.as_str()) && l.text.contains(v.as_str()))
                })
                .map(|l| l.no);
            let closest = new_pods
                .iter()
                .max_by_key(|p| s.labels.keys().filter(|k| p.1.contains_key(*k)).count())
                .map(|p| shown(&p.1))
                .unwrap_or_default();
            out.push(Finding::added(
                "k8s-selector-matches-nothing",
                Severity::High,
                f.path,
                line,
                format!(
                    "The {} `{}` now selects `{}`, which no pod template in the change carries (the nearest has `{}`): it loses every pod the moment it is applied.",
                    s.kind,
                    quote(&s.name),
                    quote(&shown(&s.labels)),
                    quote(&closest)
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::findings_of_change;

    const RULE: &str = "k8s-selector-matches-nothing";

    fn deployment(labels: &str) -> String {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: payments-api\nspec:\n  selector:\n    matchLabels:\n      app: payments-api\n  template:\n    metadata:\n      labels:\n        app: payments-api\n{labels}    spec:\n      containers:\n        - name: api\n          image: payments:1\n"
        )
    }

    fn service(selector: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: payments-api\nspec:\n  selector:\n{selector}  ports:\n    - port: 80\n"
        )
    }

    fn rules(files: &[(&str, &str, &str)]) -> Vec<String> {
        let files: Vec<(&str, Option<&str>, Option<&str>)> = files
            .iter()
            .map(|(p, o, n)| (*p, Some(*o), Some(*n)))
            .collect();
        findings_of_change(&files, None)
            .into_iter()
            .map(|f| f.rule)
            .collect()
    }

    #[test]
    fn a_service_relabelled_away_from_its_pods_is_found() {
        let new_labels = "        app.kubernetes.io/name: payments-api\n";
        let old_dep = deployment("");
        let new_dep = deployment(new_labels);
        let old_svc = service("    app: payments-api\n");
        let wrong = service("    app.kubernetes.io/name: payments\n");
        let hit = rules(&[
            ("k8s/payments/deployment.yaml", &old_dep, &new_dep),
            ("k8s/payments/service.yaml", &old_svc, &wrong),
        ]);
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
        // The same relabelling, spelled the way the pods are labelled.
        let right = service("    app.kubernetes.io/name: payments-api\n");
        let hit = rules(&[
            ("k8s/payments/deployment.yaml", &old_dep, &new_dep),
            ("k8s/payments/service.yaml", &old_svc, &right),
        ]);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
        // Pods defined outside the change: nothing to compare with.
        let hit = rules(&[("k8s/payments/service.yaml", &old_svc, &wrong)]);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
    }
}
