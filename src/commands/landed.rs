//! `audit --landed <range> [--json]`: gated changes on the target that landed
//! without a valid approval at the time they landed. Exit 1 when any.

use anyhow::Result;

use super::{Ctx, print_out};
use crate::sanitize::escape_line;
use crate::trust::TrustRoot;

pub fn run(ctx: &Ctx, trust: &TrustRoot, range: &str, json: bool) -> Result<u8> {
    let report = crate::landed::landed(&ctx.repo, trust, range)?;
    if json {
        print_out(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
    } else {
        let mut out = format!(
            "trust root: {} ({})\n",
            escape_line(&report.trust.reference),
            report.trust.commit
        );
        for u in &report.unapproved {
            out.push_str(&format!(
                "LANDED UNAPPROVED {} {} — {} (landed with {} at {})\n",
                escape_line(&u.commit.chars().take(12).collect::<String>()),
                escape_line(&u.subject),
                escape_line(&u.gated),
                escape_line(&u.landed_in.chars().take(12).collect::<String>()),
                u.landed_at
            ));
            for r in &u.reasons {
                out.push_str(&format!("    {}\n", escape_line(r)));
            }
        }
        out.push_str(&if report.ok {
            format!(
                "ok: all {} gated commit(s) in {} landed approved\n",
                report.gated,
                escape_line(&report.range)
            )
        } else {
            format!(
                "{} of {} gated commit(s) in {} landed without approval\n",
                report.unapproved.len(),
                report.gated,
                escape_line(&report.range)
            )
        });
        print_out(&out)?;
    }
    Ok(if report.ok { 0 } else { 1 })
}
