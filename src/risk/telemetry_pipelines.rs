//! An OpenTelemetry collector pipeline that sends data somewhere new
//! without the redaction its sibling applies: a `traces/vendor` pipeline
//! fed by the same receivers as `traces`, but without the `attributes/scrub`
//! or `transform/redact` processor, ships the headers, emails and tokens the
//! first one strips to a third party.

use std::collections::BTreeSet;

use yaml_rust::Yaml;

use super::{FileView, Finding, Severity, quote};

/// Processor names that remove or mask data.
fn redacts(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "redact",
        "scrub",
        "mask",
        "attributes",
        "transform",
        "filter",
        "pii",
        "sanitiz",
        "sanitis",
    ]
    .iter()
    .any(|w| n.contains(w))
}

/// Each pipeline of a collector config: (name, receivers, processors).
fn pipelines(text: &str) -> Vec<(String, BTreeSet<String>, BTreeSet<String>)> {
    let docs = yaml_rust::YamlLoader::load_from_str(text).unwrap_or_default();
    let list = |y: &Yaml| -> BTreeSet<String> {
        y.as_vec()
            .map(|v| {
                v.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for d in &docs {
        let Some(p) = d["service"]["pipelines"].as_hash() else {
            continue;
        };
        for (name, body) in p {
            let Some(name) = name.as_str() else { continue };
            out.push((
                name.to_string(),
                list(&body["receivers"]),
                list(&body["processors"]),
            ));
        }
    }
    out
}

/// Reports a pipeline the change adds that skips a redacting processor its
/// sibling (same signal, a receiver in common) applies.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !(f.path.ends_with(".yaml") || f.path.ends_with(".yml"))
        || f.class.test_like()
        || !f.added.iter().any(|l| l.text.contains("processors"))
    {
        return;
    }
    let Some(new) = f.new_text() else { return };
    if !new.contains("pipelines:") {
        return;
    }
    let before: BTreeSet<String> = f
        .old_text()
        .map(|o| pipelines(o).into_iter().map(|p| p.0).collect())
        .unwrap_or_default();
    let now = pipelines(new);
    let signal = |n: &str| n.split('/').next().unwrap_or(n).to_string();
    for (name, receivers, processors) in now.iter().filter(|p| !before.contains(&p.0)) {
        let skipped = now
            .iter()
            .filter(|(other, r, _)| {
                other != name && signal(other) == signal(name) && !r.is_disjoint(receivers)
            })
            .flat_map(|(_, _, ps)| ps.iter())
            .find(|p| redacts(p) && !processors.contains(*p));
        let Some(skipped) = skipped else { continue };
        let line = f
            .added
            .iter()
            .find(|l| l.text.trim_start().starts_with(&format!("{name}:")))
            .map(|l| l.no);
        out.push(Finding::added(
            "telemetry-pipeline-skips-redaction",
            Severity::High,
            f.path,
            line,
            format!(
                "The new pipeline `{}` reads the same receivers as its sibling but without `{}`: what that processor strips or masks (headers, emails, tokens) is exported as it arrives.",
                quote(name),
                quote(skipped)
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents;

    const OLD: &str = "processors:\n  batch: {}\n  attributes/scrub:\n    actions:\n      - key: http.request.header.authorization\n        action: delete\nexporters:\n  otlp/tempo:\n    endpoint: tempo:4317\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      processors: [attributes/scrub, batch]\n      exporters: [otlp/tempo]\n";

    #[test]
    fn a_new_pipeline_without_its_siblings_scrubbing_is_found() {
        let rule = "telemetry-pipeline-skips-redaction".to_string();
        let new = format!(
            "{OLD}    traces/vendor:\n      receivers: [otlp]\n      processors: [batch]\n      exporters: [otlp/vendor]\n"
        );
        assert!(rules_hit_with_contents("deploy/otel/collector.yaml", OLD, &new).contains(&rule));
        let scrubbed = new.replace(
            "      processors: [batch]\n      exporters: [otlp/vendor]",
            "      processors: [attributes/scrub, batch]\n      exporters: [otlp/vendor]",
        );
        assert!(
            !rules_hit_with_contents("deploy/otel/collector.yaml", OLD, &scrubbed).contains(&rule)
        );
    }
}
