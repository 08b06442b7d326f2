//! SARIF 2.1.0 in and out. In: a log parsed with `serde-sarif` (types made
//! from the standard's schema) and reduced to [`AnalysisResult`]s — the rule
//! (`ruleId`, else the rule the result points to), the level (the result's,
//! else its rule's default, else SARIF's default `warning`), the
//! `security-severity` property (of the result, else of its rule), the first
//! physical location, the message and the fingerprints. Out: the engine's
//! findings as a SARIF log for GitHub code scanning and other viewers.

use std::path::Path;

use anyhow::{Result, anyhow};
use serde_json::{Value, json};
use serde_sarif::sarif;

use super::AnalysisResult;
use crate::risk::{RiskReport, Severity, Side};

/// One run of one tool, as read from a SARIF log.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedRun {
    /// The driver's name, lowercase, first word (`Semgrep OSS` → `semgrep`).
    pub tool: String,
    pub version: String,
    pub results: Vec<AnalysisResult>,
}

/// At most this many results of one run are kept.
pub const MAX_RESULTS_PER_RUN: usize = 20_000;

/// Parses a SARIF 2.1.0 log. `root` is the directory the tool ran in: file
/// URIs under it become relative paths.
pub fn parse(bytes: &[u8], root: Option<&Path>) -> Result<Vec<ParsedRun>> {
    let log: sarif::Sarif = serde_json::from_slice(bytes).map_err(|e| anyhow!("{e}"))?;
    let version = serde_json::to_value(&log.version)?;
    if version.as_str() != Some("2.1.0") {
        return Err(anyhow!(
            "version {version} is not 2.1.0 (countersign reads SARIF 2.1.0)"
        ));
    }
    let mut out = Vec::new();
    for run in &log.runs {
        let driver = &run.tool.driver;
        let tool = tool_name(&driver.name);
        let version = driver
            .semantic_version
            .clone()
            .or_else(|| driver.version.clone())
            .unwrap_or_default();
        let rules = driver.rules.as_deref().unwrap_or(&[]);
        let mut results = Vec::new();
        for r in run
            .results
            .as_deref()
            .unwrap_or(&[])
            .iter()
            .take(MAX_RESULTS_PER_RUN)
        {
            let rule_desc = r
                .rule_index
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| rules.get(i))
                .or_else(|| {
                    let id = r.rule_id.as_deref()?;
                    rules.iter().find(|d| d.id == id)
                });
            let rule = r
                .rule_id
                .clone()
                .or_else(|| r.rule.as_ref().and_then(|x| x.id.clone()))
                .or_else(|| rule_desc.map(|d| d.id.clone()))
                .unwrap_or_else(|| "result".into());
            let level = r
                .level
                .as_ref()
                .and_then(|l| serde_json::to_value(l).ok())
                .or_else(|| {
                    rule_desc
                        .and_then(|d| d.default_configuration.as_ref())
                        .and_then(|c| c.level.as_ref())
                        .and_then(|l| serde_json::to_value(l).ok())
                })
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_else(|| "warning".into());
            let security_severity = security_severity(r.properties.as_ref())
                .or_else(|| rule_desc.and_then(|d| security_severity(d.properties.as_ref())));
            let physical = r
                .locations
                .as_deref()
                .unwrap_or(&[])
                .iter()
                .find_map(|l| l.physical_location.as_ref());
            let Some(uri) = physical
                .and_then(|p| p.artifact_location.as_ref())
                .and_then(|a| a.uri.as_deref())
            else {
                continue; // a result about no file has no line to stand beside
            };
            let line = physical
                .and_then(|p| p.region.as_ref())
                .and_then(|r| r.start_line)
                .and_then(|n| u32::try_from(n).ok())
                .filter(|n| *n > 0);
            let mut fingerprints: Vec<String> = Vec::new();
            for map in [&r.partial_fingerprints, &r.fingerprints]
                .into_iter()
                .flatten()
            {
                for (k, v) in map {
                    fingerprints.push(format!("{k}={v}"));
                }
            }
            let message = r
                .message
                .text
                .clone()
                .or_else(|| r.message.markdown.clone())
                .unwrap_or_default();
            results.push(AnalysisResult {
                rule,
                level,
                security_severity,
                path: repo_path(uri, root),
                line,
                message,
                fingerprints,
            });
        }
        out.push(ParsedRun {
            tool,
            version,
            results,
        });
    }
    Ok(out)
}

/// The `security-severity` property (a number, or a number in a string).
fn security_severity(bag: Option<&sarif::PropertyBag>) -> Option<f64> {
    let v = serde_json::to_value(bag?).ok()?;
    let s = v.get("security-severity")?;
    let n = match s {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }?;
    (0.0..=10.0).contains(&n).then_some(n)
}

/// `Semgrep OSS` → `semgrep`; a name without letters → `analyzer`.
fn tool_name(driver: &str) -> String {
    let first: String = driver
        .split_whitespace()
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect::<String>()
        .to_lowercase();
    if first.is_empty() {
        "analyzer".into()
    } else {
        first
    }
}

/// A result's URI as a path relative to the repository: `file://` and
/// percent-escapes undone, `root` (where the tool ran) and `./` removed.
fn repo_path(uri: &str, root: Option<&Path>) -> String {
    let raw = uri.strip_prefix("file://").unwrap_or(uri);
    let decoded = percent_decode(raw);
    let mut p = decoded.as_str();
    if let Some(root) = root {
        let root = root.to_string_lossy();
        if let Some(rest) = p.strip_prefix(root.as_ref()) {
            p = rest.trim_start_matches('/');
        }
    }
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    p.to_string()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// The SARIF level of a severity.
fn level_of(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// A `security-severity` that maps back to the same severity.
fn security_severity_of(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "2.0",
    }
}

/// The report's findings as a SARIF 2.1.0 log with one run of countersign.
/// Findings on removed lines point at the old file's line and say so; a
/// finding about a whole file points at the file.
pub fn write(report: &RiskReport, version: &str) -> Value {
    let mut rule_ids: Vec<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
    rule_ids.sort_unstable();
    rule_ids.dedup();
    let rules: Vec<Value> = rule_ids
        .iter()
        .map(|id| {
            let worst = report
                .findings
                .iter()
                .filter(|f| f.rule == *id)
                .map(|f| f.severity)
                .max()
                .unwrap_or(Severity::Low);
            json!({
                "id": id,
                "name": id,
                "shortDescription": {"text": format!("countersign rule {id}")},
                "defaultConfiguration": {"level": level_of(worst)},
                "properties": {"security-severity": security_severity_of(worst)},
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let mut region = serde_json::Map::new();
            if let Some(n) = f.line {
                region.insert("startLine".into(), json!(n));
            }
            let mut physical = json!({"artifactLocation": {"uri": uri_of(&f.path)}});
            if !region.is_empty() {
                physical["region"] = Value::Object(region);
            }
            let text = if f.side == Side::Old && f.line.is_some() {
                format!("{} (a removed line, numbered in the old file)", f.message)
            } else {
                f.message.clone()
            };
            json!({
                "ruleId": f.rule,
                "ruleIndex": rule_ids.iter().position(|r| *r == f.rule),
                "level": level_of(f.severity),
                "message": {"text": text},
                "locations": [{"physicalLocation": physical}],
                "properties": {
                    "severity": f.severity.as_str(),
                    "security-severity": security_severity_of(f.severity),
                },
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "countersign",
                "version": version,
                "semanticVersion": version,
                "informationUri": "https://github.com/countersign/countersign",
                "rules": rules,
            }},
            "results": results,
            "properties": {"score": report.score, "level": report.level.as_str()},
        }],
    })
}

/// A repository path as a relative URI reference (spaces and other
/// characters outside the URI grammar percent-escaped).
fn uri_of(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_repository_relative() {
        let root = Path::new("/tmp/x/src");
        assert_eq!(
            repo_path("file:///tmp/x/src/a%20b.py", Some(root)),
            "a b.py"
        );
        assert_eq!(repo_path("./pkg/m.py", None), "pkg/m.py");
        assert_eq!(repo_path("pkg/m.py", Some(root)), "pkg/m.py");
        assert_eq!(repo_path("%E2%82", None), "\u{FFFD}");
    }

    #[test]
    fn reads_real_bandit_and_semgrep_output() {
        let bandit = parse(
            include_bytes!("../../tests/analyzers/fixtures/bandit-1.9.4.sarif"),
            None,
        )
        .unwrap();
        assert_eq!(bandit.len(), 1);
        assert_eq!(
            (bandit[0].tool.as_str(), bandit[0].version.as_str()),
            ("bandit", "1.9.4")
        );
        let r: Vec<(&str, &str, Option<u32>, &str)> = bandit[0]
            .results
            .iter()
            .map(|r| (r.rule.as_str(), r.level.as_str(), r.line, r.path.as_str()))
            .collect();
        assert!(r.contains(&("B501", "error", Some(4), "app.py")), "{r:?}");
        // No level on the result or its rule: SARIF's default.
        assert!(r.contains(&("B113", "warning", Some(4), "app.py")), "{r:?}");
        let b501 = bandit[0].results.iter().find(|r| r.rule == "B501").unwrap();
        assert_eq!(b501.severity(), Severity::High);

        let semgrep = parse(
            include_bytes!("../../tests/analyzers/fixtures/semgrep-1.185.0.sarif"),
            None,
        )
        .unwrap();
        let r = &semgrep[0].results[0];
        assert_eq!(semgrep[0].tool, "semgrep");
        assert_eq!(r.level, "error", "from the rule's defaultConfiguration");
        assert_eq!(r.fingerprints, vec!["matchBasedId/v1=requires login"]);
    }

    #[test]
    fn malformed_logs_are_refused() {
        for bad in [
            &b"{"[..],
            br#"{"version":"2.1.0"}"#,
            br#"{"version":"2.0.0","runs":[]}"#,
            br#"{"version":"2.1.0","runs":[{"results":[]}]}"#,
        ] {
            assert!(
                parse(bad, None).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn security_severity_wins_over_the_level() {
        let log = br#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"CodeQL",
            "rules":[{"id":"js/sql","properties":{"security-severity":"8.8"}}]}},
            "results":[{"ruleId":"js/sql","ruleIndex":0,"level":"note","message":{"text":"m"},
            "locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.js"},"region":{"startLine":3}}}]}]}]}"#;
        let runs = parse(log, None).unwrap();
        assert_eq!(runs[0].results[0].security_severity, Some(8.8));
        assert_eq!(runs[0].results[0].severity(), Severity::High);
    }

    #[test]
    fn tool_names_are_one_lowercase_word() {
        assert_eq!(tool_name("Semgrep OSS"), "semgrep");
        assert_eq!(tool_name("Bandit"), "bandit");
        assert_eq!(tool_name("\u{1b}[31m"), "31m");
        assert_eq!(tool_name(""), "analyzer");
    }
}
