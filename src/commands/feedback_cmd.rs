//! `feedback <id> [--json]`: what the agent reads before amending a change.

use anyhow::Result;

use super::{Ctx, print_out};
use crate::cli::FeedbackArgs;

/// Prints the feedback as Markdown, or JSON with `--json`.
pub fn run(ctx: &Ctx, args: &FeedbackArgs) -> Result<u8> {
    let trust = ctx.trust(None)?;
    let change = trust.find_change(&ctx.repo, &args.id)?;
    let f = crate::feedback::build(&ctx.repo, &trust, &change)?;
    if args.json {
        print_out(&format!("{}\n", serde_json::to_string_pretty(&f)?))?;
    } else {
        print_out(&crate::feedback::markdown(&f))?;
    }
    Ok(0)
}
