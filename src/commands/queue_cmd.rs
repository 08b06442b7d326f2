//! `queue [--json]`: the pending changes, most risky first.

use anyhow::Result;

use super::{Ctx, print_out};
use crate::cli::QueueArgs;
use crate::sanitize::escape_line;

/// Prints the queue as a table or JSON.
pub fn run(ctx: &Ctx, args: &QueueArgs) -> Result<u8> {
    let bar = progress_bar(args.json);
    let mut entries = crate::queue::load_with_progress(&ctx.repo, &ctx.config, &|done, total| {
        if let Some(b) = &bar {
            b.set_length(total as u64);
            b.set_position(done as u64);
        }
    })?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if !args.all {
        entries.retain(|e| e.state == "pending" || e.state == "stale");
    }
    if args.json {
        print_out(&format!("{}\n", serde_json::to_string_pretty(&entries)?))?;
        return Ok(0);
    }
    if entries.is_empty() {
        print_out("nothing pending: the queue is empty\n")?;
        return Ok(0);
    }
    let mut out = String::new();
    out.push_str(&format!(
        "{:<9} {:>5}  {:<8}  {:<9} {:<8} {:>5} {:>7} {:>7}  {:<14} {}\n",
        "LEVEL", "SCORE", "ID", "STATE", "SINCE", "FILES", "+", "-", "TOOL", "TITLE"
    ));
    for e in &entries {
        out.push_str(&format!(
            "{:<9} {:>5}  {:<8}  {:<9} {:<8} {:>5} {:>7} {:>7}  {:<14} {}\n",
            e.risk.level,
            e.risk.score,
            e.change.id,
            e.state,
            // Updated since the newest decision, made on an earlier revision.
            if e.last_decided_head.is_some() {
                "updated"
            } else {
                "-"
            },
            e.files,
            format!("+{}", e.additions),
            format!("-{}", e.deletions),
            truncate(&escape_line(&e.change.tool), 14),
            escape_line(&e.change.title),
        ));
    }
    print_out(&out)?;
    Ok(0)
}

/// A progress bar on stderr while changes are analysed, only when stderr is a
/// terminal and the output is not JSON (scripts and pipes see nothing).
fn progress_bar(json: bool) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if json || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(0),
        indicatif::ProgressDrawTarget::stderr_with_hz(10),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} analysing changes {pos}/{len} {wide_bar} {elapsed}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(100));
    Some(bar)
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}
