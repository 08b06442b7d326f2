//! `sync [<remote>]`: fetch, merge and push queue refs, decision notes and
//! analyzer results.

use anyhow::Result;

use super::{Ctx, print_out};
use crate::cli::SyncArgs;

pub fn run(ctx: &Ctx, args: &SyncArgs) -> Result<u8> {
    let remote = args.remote.as_deref().unwrap_or("origin");
    let r = crate::git::sync::sync(&ctx.repo, remote)?;
    let mut out = format!(
        "synced with {remote}: decisions {}; {} queue ref(s) taken; {} ref(s) pushed\n",
        r.notes.as_deref().unwrap_or("none on the remote"),
        r.queue_fetched.len(),
        r.pushed.len()
    );
    if let Some(a) = &r.analysis {
        out.push_str(&format!("  analyzer results {a}\n"));
    }
    for p in &r.pushed {
        out.push_str(&format!("  pushed {p}\n"));
    }
    print_out(&out)?;
    Ok(0)
}
