//! `risk <id> [--json]`: a change's risk report — score, level, findings and
//! blast radius — as JSON for scripts or as text for a person. A broken
//! `.countersign/rules.toml` is reported on stderr (naming its line) and the
//! built-in rules are used, so the report is still there. The analyzers'
//! findings (attached, and those of `.countersign/analyzers.toml` at the trust
//! root, run here) are merged in; `--sarif` writes the engine's own findings
//! as SARIF 2.1.0 instead.

use anyhow::Result;

use super::{Ctx, print_out};
use crate::analyzers::AnalysisSummary;
use crate::cli::RiskArgs;
use crate::risk::{RiskReport, Side};
use crate::sanitize::escape_line;

/// Prints the report.
pub fn run(ctx: &Ctx, args: &RiskArgs) -> Result<u8> {
    let change = ctx.find_change(&args.id)?;
    if args.sarif {
        let report = crate::risk::analyse_change(&ctx.repo, &ctx.config, &change)?;
        for w in &report.warnings {
            eprintln!("countersign: warning: {}", escape_line(w));
        }
        let log = crate::analyzers::sarif::write(&report, env!("CARGO_PKG_VERSION"));
        print_out(&format!("{}\n", serde_json::to_string_pretty(&log)?))?;
        return Ok(0);
    }
    let diff = ctx.repo.diff(&change.base, &change.head)?.diff;
    let analysed = crate::analyzers::analysed_report(
        &ctx.repo,
        &change.base,
        &change.head,
        &diff,
        crate::analyzers::AnalysisOptions { run_local: true },
    )?;
    for w in &analysed.report.warnings {
        eprintln!("countersign: warning: {}", escape_line(w));
    }
    if args.json {
        print_out(&format!("{}\n", serde_json::to_string_pretty(&analysed)?))?;
    } else {
        let mut out = text(&analysed.report);
        out.push_str(&analyzers_text(&analysed.analyzers, args.all_results));
        print_out(&out)?;
    }
    Ok(0)
}

/// The analyzers' part of the readable report: which ran on which head, which
/// could not, and (with `--all-results`) the results the change did not
/// introduce.
pub fn analyzers_text(s: &AnalysisSummary, all_results: bool) -> String {
    let mut out = String::new();
    if s.ran.is_empty() && s.missing.is_empty() {
        return out;
    }
    out.push_str("\nanalyzers\n");
    for r in &s.ran {
        out.push_str(&format!(
            "  {} {} on {} ({}): {} new of {} result(s){}\n",
            escape_line(&r.tool),
            escape_line(&r.version),
            r.head.chars().take(10).collect::<String>(),
            r.source,
            r.new,
            r.results,
            if r.compared_with_base {
                ", compared with the base"
            } else {
                ", no run on the base: new means on a changed line"
            }
        ));
    }
    for m in &s.missing {
        out.push_str(&format!("  missing: {}\n", escape_line(m)));
    }
    if !s.hidden.is_empty() {
        if all_results {
            out.push_str(&format!(
                "\nresults the change did not introduce ({}, not scored)\n",
                s.hidden.len()
            ));
            for f in &s.hidden {
                out.push_str(&format!(
                    "{:<9} {}  [{}]\n          {}\n",
                    f.severity.as_str().to_uppercase(),
                    escape_line(&match f.line {
                        Some(n) => format!("{}:{n}", f.path),
                        None => f.path.clone(),
                    }),
                    escape_line(&f.rule),
                    escape_line(&f.message)
                ));
            }
        } else {
            out.push_str(&format!(
                "  {} result(s) the change did not introduce are hidden (--all-results shows them)\n",
                s.hidden.len()
            ));
        }
    }
    out
}

/// The readable form.
pub fn text(r: &RiskReport) -> String {
    let b = &r.breakdown;
    let mut out = format!(
        "risk     {} ({}/100)\nscore    findings {} + {}, blast radius {}, size {}\nblast    {}\n",
        r.level,
        r.score,
        b.findings_base,
        b.findings_extra,
        b.blast,
        b.size,
        escape_line(&r.blast.summary),
    );
    for f in r
        .blast
        .files
        .iter()
        .filter(|f| f.dependents > 0 || f.fix_commits > 0)
        .take(3)
    {
        out.push_str(&format!(
            "         {}: {} dependent{}{}{}\n",
            escape_line(&f.path),
            f.dependents,
            if f.dependents == 1 { "" } else { "s" },
            if f.owners.is_empty() {
                String::new()
            } else {
                format!(", owned by {}", escape_line(&f.owners.join(" ")))
            },
            if f.churn > 0 {
                format!(
                    ", {} commit{} ({} fix{}) in {} days",
                    f.churn,
                    if f.churn == 1 { "" } else { "s" },
                    f.fix_commits,
                    if f.fix_commits == 1 { "" } else { "es" },
                    r.blast.history_days
                )
            } else {
                String::new()
            },
        ));
    }
    if r.findings.is_empty() {
        out.push_str("\nno findings\n");
        return out;
    }
    out.push('\n');
    for f in &r.findings {
        let at = match (f.line, f.side) {
            (Some(n), Side::New) => format!("{}:{n}", f.path),
            (Some(n), Side::Old) => format!("{}:{n} (removed)", f.path),
            (None, _) => f.path.clone(),
        };
        out.push_str(&format!(
            "{:<9} {}  [{}]\n          {}\n",
            f.severity.as_str().to_uppercase(),
            escape_line(&at),
            escape_line(&f.rule),
            escape_line(&f.message)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::{Blast, Finding, Severity, report};

    #[test]
    fn text_follows_the_findings() {
        let r = report(
            vec![
                Finding::removed(
                    "tf-prevent-destroy-removed",
                    Severity::Critical,
                    "infra/db.tf",
                    Some(5),
                    "Removes `prevent_destroy`.",
                ),
                Finding::added(
                    "gate-codeowners",
                    Severity::Critical,
                    "CODEOWNERS",
                    None,
                    "Changes CODEOWNERS.",
                ),
            ],
            Blast::default(),
            3,
        );
        let t = text(&r);
        assert!(t.starts_with("risk     critical (9"), "{t}");
        assert!(
            t.contains("CRITICAL  infra/db.tf:5 (removed)  [tf-prevent-destroy-removed]"),
            "{t}"
        );
        assert!(t.contains("CRITICAL  CODEOWNERS  [gate-codeowners]"), "{t}");
    }
}
