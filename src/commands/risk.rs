//! `risk <id> [--json]`: a change's risk report — score, level, findings and
//! blast radius — as JSON for scripts or as text for a person. A broken
//! `.countersign/rules.toml` is reported on stderr (naming its line) and the
//! built-in rules are used, so the report is still there.

use anyhow::Result;

use super::{Ctx, print_out};
use crate::cli::RiskArgs;
use crate::risk::{RiskReport, Side};
use crate::sanitize::escape_line;

/// Prints the report.
pub fn run(ctx: &Ctx, args: &RiskArgs) -> Result<u8> {
    let change = ctx.find_change(&args.id)?;
    let report = crate::risk::analyse_change(&ctx.repo, &ctx.config, &change)?;
    for w in &report.warnings {
        eprintln!("countersign: warning: {}", escape_line(w));
    }
    if args.json {
        print_out(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
    } else {
        print_out(&text(&report))?;
    }
    Ok(0)
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
            f.rule,
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
