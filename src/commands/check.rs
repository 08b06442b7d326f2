//! `check <rev|range> [--trust R] [--json]`: the gate for CI and server
//! hooks. Exit 0 only when every gated change in the range is approved under
//! the trust root.

use anyhow::Result;

use super::{Ctx, print_out};
use crate::cli::CheckArgs;
use crate::sanitize::escape_line;

pub fn run(ctx: &Ctx, args: &CheckArgs) -> Result<u8> {
    let trust = ctx.trust(args.trust.as_deref())?;
    let report = crate::gate::check(&ctx.repo, &trust, &args.target)?;
    if args.json {
        print_out(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
    } else {
        let mut out = format!(
            "trust root: {} ({})\n",
            escape_line(&report.trust.reference),
            report.trust.commit
        );
        if report.nothing_to_judge {
            out.push_str(&format!(
                "nothing to judge: {} is already on the trust root; to find gated changes that landed without approval run `countersign audit --landed <range>`\n",
                escape_line(&report.range)
            ));
        } else if report.changes.is_empty() {
            out.push_str(&format!(
                "ok: no AI-assisted changes in {}\n",
                escape_line(&report.range)
            ));
        }
        for v in &report.changes {
            let who: Vec<String> = v
                .approved_by
                .iter()
                .map(|a| escape_line(&a.reviewer))
                .collect();
            out.push_str(&format!(
                "{} {} {} — {}/{} approvals at risk {}{}\n",
                if v.approved {
                    "approved"
                } else {
                    "NOT APPROVED"
                },
                escape_line(&v.id),
                escape_line(&v.head.chars().take(12).collect::<String>()),
                v.approvals,
                v.required,
                v.level,
                if who.is_empty() {
                    String::new()
                } else {
                    format!(" by {}", who.join(", "))
                }
            ));
            for r in &v.reasons {
                out.push_str(&format!("    {}\n", escape_line(r)));
            }
        }
        if !report.changes.is_empty() {
            let bad = report.changes.iter().filter(|v| !v.approved).count();
            out.push_str(&if bad == 0 {
                format!("ok: all {} change(s) approved\n", report.changes.len())
            } else {
                format!(
                    "refused: {bad} of {} change(s) not approved\n",
                    report.changes.len()
                )
            });
        }
        print_out(&out)?;
    }
    Ok(if report.ok { 0 } else { 1 })
}
