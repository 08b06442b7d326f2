//! `history <id> [--json]`: each revision of a change (head, when, patch-id) and
//! the decisions on it, each marked verified or not.

use anyhow::Result;

use super::{Ctx, print_out};
use crate::cli::HistoryArgs;
use crate::record_index::RecordIndex;
use crate::sanitize::escape_line;

/// Prints the history as text or JSON.
pub fn run(ctx: &Ctx, args: &HistoryArgs) -> Result<u8> {
    let trust = ctx.trust(None)?;
    let change = trust.find_change(&ctx.repo, &args.id)?;
    let index = RecordIndex::load(&ctx.repo)?;
    let h = crate::revisions::history(&ctx.repo, &trust, &index, &change)?;
    if args.json {
        print_out(&format!("{}\n", serde_json::to_string_pretty(&h)?))?;
        return Ok(0);
    }
    let short = |s: &str| s.chars().take(12).collect::<String>();
    let mut out = format!("change {}  {}\n", escape_line(&h.id), escape_line(&h.title));
    for r in h.revisions.iter().rev() {
        out.push_str(&format!(
            "\nrevision {}{}  head {}  submitted {}\n  patch-id {}\n",
            r.n,
            if r.current { " (current)" } else { "" },
            short(&r.head),
            r.submitted_at,
            r.patch_id.as_deref().unwrap_or("(none)"),
        ));
        if r.decisions.is_empty() {
            out.push_str("  no decisions\n");
        }
        for d in &r.decisions {
            out.push_str(&decision_line(d));
        }
    }
    if !h.other_decisions.is_empty() {
        out.push_str("\ndecisions on heads that are no revision of this change\n");
        for d in &h.other_decisions {
            out.push_str(&decision_line(d));
        }
    }
    print_out(&out)?;
    Ok(0)
}

fn decision_line(d: &crate::revisions::CheckedDecision) -> String {
    let r = &d.record;
    let mut s = format!(
        "  {} {} by {} at {}{}",
        if d.verified { "✔" } else { "✘" },
        r.decision.as_str(),
        escape_line(&r.reviewer),
        escape_line(&r.at),
        if r.remarks.is_empty() {
            String::new()
        } else {
            format!(", {} remark(s)", r.remarks.len())
        }
    );
    if !d.verified {
        s.push_str(&format!(
            "  [UNVERIFIED: {}: {}]",
            d.status,
            escape_line(&d.detail)
        ));
    }
    s.push('\n');
    if !r.comment.is_empty() {
        s.push_str(&format!("      {}\n", escape_line(&r.comment)));
    }
    s
}
