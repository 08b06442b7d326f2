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

/// `hook-notes <old> <new>`: exit 1 (with the reason on stderr) when the
/// update of the shared notes ref would lose a decision.
pub fn hook_notes(ctx: &Ctx, args: &crate::cli::HookNotesArgs) -> Result<u8> {
    match ctx.repo.notes_update_problem(&args.old, &args.new)? {
        None => Ok(0),
        Some(why) => {
            eprintln!(
                "countersign: refusing the update of {}: {}",
                crate::git::NOTES_REF,
                crate::sanitize::escape_line(&why)
            );
            Ok(1)
        }
    }
}
