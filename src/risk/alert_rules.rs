//! Alerting that stops paging without anyone deciding it should:
//! * a Prometheus `rate()` (or `increase()`, `irate()`…) over a window
//!   shorter than two scrapes: most windows hold one sample, the expression
//!   is empty, and the alert never fires;
//! * an Alertmanager inhibit rule whose `equal` names only cluster-wide
//!   labels (`[cluster]`) over targets matched by severity: one firing
//!   source alert silences every page of the whole cluster;
//! * an inhibit rule whose source is a quieter severity than its target
//!   (a warning muting the critical page of the same alert).

use std::sync::LazyLock;

use regex::Regex;

use super::{ChangeView, FileView, Finding, Severity, quote};

/// A duration as Prometheus writes it (`30s`, `1m`, `2h`), in seconds.
fn seconds(n: &str, unit: &str) -> Option<u64> {
    let n: u64 = n.parse().ok()?;
    Some(match unit {
        "ms" => return Some(0),
        "s" => n,
        "m" => n.saturating_mul(60),
        "h" => n.saturating_mul(3600),
        "d" => n.saturating_mul(86_400),
        _ => return None,
    })
}

/// The global scrape interval a Prometheus config of the change sets.
fn scrape_interval(change: &ChangeView<'_>) -> Option<u64> {
    static INTERVAL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?m)^\s{0,4}scrape_interval:\s*["']?(\d+)(ms|s|m|h)["']?\s*$"#).unwrap()
    });
    change.files.iter().find_map(|g| {
        let text = g.new_text_or_hunks();
        let c = INTERVAL.captures(&text)?;
        seconds(&c[1], &c[2])
    })
}

/// Reports the two readings above on the lines `f` adds.
pub fn check(f: &FileView<'_>, change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    if !(f.path.ends_with(".yml") || f.path.ends_with(".yaml")) || f.class.test_like() {
        return;
    }
    rate_window_too_short(f, change, out);
    inhibit_across_the_cluster(f, out);
    inhibit_upward(f, out);
}

/// How loud a severity label is: a lower one must not silence a higher.
fn loudness(severity: &str) -> Option<u8> {
    match severity
        .trim()
        .trim_matches(['"', '\''])
        .to_ascii_lowercase()
        .as_str()
    {
        "none" | "info" | "informational" | "notice" | "low" => Some(0),
        "warning" | "warn" | "minor" | "medium" => Some(1),
        "error" | "major" | "high" => Some(2),
        "critical" | "page" | "emergency" | "fatal" | "p1" => Some(3),
        _ => None,
    }
}

/// An Alertmanager inhibit rule the change writes whose source is a quieter
/// severity than its target (`source: warning`, `target: critical`): the
/// warning of a tiered alert fires whenever the critical one does, so the
/// page is silenced every time it matters.
fn inhibit_upward(f: &FileView<'_>, out: &mut Vec<Finding>) {
    static SEVERITY: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"severity["']?\s*(?::|=~?)\s*["']?([\w|]+)"#).unwrap());
    let Some(text) = f.new_text() else { return };
    if !text.contains("inhibit_rules") {
        return;
    }
    let added: std::collections::HashSet<u32> = f.added.iter().map(|l| l.no).collect();
    let lines: Vec<&str> = text.lines().collect();
    let Some(start) = lines
        .iter()
        .position(|l| l.trim_start().starts_with("inhibit_rules:"))
    else {
        return;
    };
    // Each rule: from its `- ` to the next one at the same indent.
    let mut rules: Vec<(usize, usize)> = Vec::new();
    let mut indent = None;
    for (i, l) in lines.iter().enumerate().skip(start + 1) {
        let t = l.trim_start();
        let own = l.len() - t.len();
        if !t.is_empty() && !t.starts_with('#') && own == 0 {
            break;
        }
        if t.starts_with("- ") && indent.is_none_or(|n| own == n) {
            indent = Some(own);
            if let Some(last) = rules.last_mut() {
                last.1 = i;
            }
            rules.push((i, lines.len()));
        }
    }
    if let Some(last) = rules.last_mut() {
        last.1 = last.1.min(lines.len());
    }
    for (from, to) in rules {
        let rule = &lines[from..to];
        let side = |prefix: &str| -> Option<u8> {
            let at = rule.iter().position(|l| l.contains(prefix))?;
            rule[at..]
                .iter()
                .take_while(|l| {
                    !l.contains(if prefix == "source" {
                        "target"
                    } else {
                        "equal"
                    }) || l.contains(prefix)
                })
                .filter_map(|l| SEVERITY.captures(l))
                .flat_map(|c| c[1].split('|').filter_map(loudness).collect::<Vec<_>>())
                .max()
        };
        let (Some(source), Some(target)) = (side("source"), side("target")) else {
            continue;
        };
        let touched = (from..to).any(|i| added.contains(&(i as u32 + 1)));
        if source < target && touched {
            out.push(Finding::added(
                "alert-inhibited-upward",
                Severity::High,
                f.path,
                Some(from as u32 + 1),
                "This inhibit rule lets a quieter severity silence a louder one: the warning of a tiered alert fires whenever its critical sibling does, so the page is muted every time it matters.".to_string(),
            ));
            return;
        }
    }
}

fn rate_window_too_short(f: &FileView<'_>, change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    static RANGE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(rate|irate|increase|delta|idelta|deriv)\s*\([^\[\]]*\[(\d+)(ms|s|m|h|d)\]")
            .unwrap()
    });
    let Some(l) = f.added_code().find(|l| RANGE.is_match(l.text)) else {
        return;
    };
    let Some(interval) = scrape_interval(change) else {
        return;
    };
    for l in std::iter::once(l).chain(f.added_code().filter(|x| x.no > l.no)) {
        let Some((c, window)) = RANGE
            .captures_iter(l.text)
            .filter_map(|c| {
                let w = seconds(&c[2], &c[3])?;
                Some((c, w))
            })
            .find(|(_, w)| *w < interval.saturating_mul(2))
        else {
            continue;
        };
        out.push(Finding::added(
            "alert-rate-window-too-short",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "`{}(…[{}{}])` spans {window}s with a scrape every {interval}s: most windows hold one sample, so the expression is empty and the alert does not fire. Use at least four scrape intervals.",
                quote(&c[1]),
                quote(&c[2]),
                quote(&c[3])
            ),
        ));
        return;
    }
}

fn inhibit_across_the_cluster(f: &FileView<'_>, out: &mut Vec<Finding>) {
    static EQUAL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*-?\s*equal:\s*\[([^\]]*)\]").unwrap());
    const WIDE: &[&str] = &[
        "cluster",
        "region",
        "env",
        "environment",
        "datacenter",
        "dc",
        "zone",
        "account",
        "prometheus",
        "tenant",
    ];
    let added: Vec<_> = f.added_code().collect();
    for (i, l) in added.iter().enumerate() {
        let Some(c) = EQUAL.captures(l.text) else {
            continue;
        };
        let labels: Vec<String> = c[1]
            .split(',')
            .map(|x| x.trim().trim_matches(['"', '\'']).to_string())
            .filter(|x| !x.is_empty())
            .collect();
        if labels.is_empty() || !labels.iter().all(|x| WIDE.contains(&x.as_str())) {
            continue;
        }
        // The targets it silences: matched by severity, within the rule.
        let rule = &added[i.saturating_sub(8)..i];
        let by_severity = rule.iter().any(|x| x.text.contains("severity"))
            && rule.iter().any(|x| x.text.contains("target_match"));
        if !by_severity {
            continue;
        }
        out.push(Finding::added(
            "alert-inhibited-cluster-wide",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "This inhibit rule only asks for the same `{}` (`{}`): while its source alert fires anywhere, every matching warning and critical alert of the whole {} is silenced, pages that have nothing to do with it included.",
                quote(&labels.join(", ")),
                quote(l.text.trim()),
                quote(&labels[0])
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::findings_of_change;

    fn rules(files: &[(&str, Option<&str>, Option<&str>)]) -> Vec<String> {
        findings_of_change(files, None)
            .into_iter()
            .map(|f| f.rule)
            .collect()
    }

    #[test]
    fn a_rate_over_one_scrape_is_found() {
        let prom = "global:\n  scrape_interval: 1m\n";
        let old = "groups:\n  - name: a\n    rules:\n      - alert: Errors\n        expr: sum(rate(errors_total[5m])) > 1\n";
        let new = old.replace("[5m]", "[1m]");
        let rule = "alert-rate-window-too-short".to_string();
        let files = |new: &str, prom: &str| {
            rules(&[
                ("monitoring/rules/a.rules.yml", Some(old), Some(new)),
                ("monitoring/prometheus.yml", Some(prom), Some(prom)),
            ])
        };
        assert!(files(&new, prom).contains(&rule));
        // Scraped every 15 seconds: four samples.
        assert!(!files(&new, "global:\n  scrape_interval: 15s\n").contains(&rule));
        // Durations too large for a number of seconds read as very long.
        let huge = old.replace("[5m]", "[99999999999999999d]");
        assert!(!files(&huge, prom).contains(&rule));
    }

    #[test]
    fn an_inhibit_rule_equal_on_the_cluster_alone_is_found() {
        let old = "inhibit_rules:\n  - source_matchers:\n      - severity = critical\n    target_matchers:\n      - severity = info\n    equal: [alertname, namespace]\n";
        let wide = format!(
            "{old}  - source_matchers:\n      - alertname = KubeNodeNotReady\n    target_matchers:\n      - severity =~ \"warning|critical\"\n    equal: [cluster]\n"
        );
        let rule = "alert-inhibited-cluster-wide".to_string();
        assert!(rules(&[("monitoring/alertmanager.yml", Some(old), Some(&wide))]).contains(&rule));
        let narrow = wide.replace("equal: [cluster]", "equal: [cluster, node]");
        assert!(
            !rules(&[("monitoring/alertmanager.yml", Some(old), Some(&narrow))]).contains(&rule)
        );
    }
}
