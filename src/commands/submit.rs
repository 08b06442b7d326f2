//! `submit` and `scan`: putting changes in the queue.

use anyhow::Result;

use super::{Ctx, print_out};
use crate::cli::{ScanArgs, SubmitArgs};
use crate::git::SubmitRequest;

/// `countersign submit <rev>`: prints the change's id.
pub fn submit(ctx: &Ctx, args: &SubmitArgs) -> Result<u8> {
    let done = crate::git::submit(
        &ctx.repo,
        &ctx.config,
        &SubmitRequest {
            rev: &args.rev,
            base: args.base.as_deref(),
            title: args.title.as_deref(),
            tool: args.tool.as_deref(),
            at: None,
        },
    )?;
    print_out(&format!("{}\n", done.id))?;
    Ok(0)
}

/// `countersign scan [<range>]`: prints one line per queued change.
pub fn scan(ctx: &Ctx, args: &ScanArgs) -> Result<u8> {
    let out = crate::git::scan(&ctx.repo, &ctx.config, args.range.as_deref())?;
    let mut text = String::new();
    for id in &out.queued {
        text.push_str(&format!("queued {id}\n"));
    }
    if out.queued.is_empty() {
        let looked_at = format!(
            "{} ({} commit{})",
            out.range,
            out.commits,
            if out.commits == 1 { "" } else { "s" }
        );
        if out.ai_commits == 0 {
            text.push_str(&format!(
                "nothing to queue: no AI-assisted commits in {looked_at}\n"
            ));
            if args.range.is_none() && out.commits == 0 {
                let t = &ctx.config.target;
                text.push_str(&format!(
                    "to look at commits already on {t}, name a range: countersign scan {t}~50..{t}\n"
                ));
            }
        } else {
            text.push_str(&format!(
                "nothing to queue: the {} AI-assisted commit(s) in {looked_at} are already queued\n",
                out.ai_commits
            ));
        }
    }
    print_out(&text)?;
    Ok(0)
}
