//! `show <id>`: a change for a pager or a CI log.

use std::io::IsTerminal;

use anyhow::Result;

use super::{Ctx, print_out};
use crate::change::Change;
use crate::cli::{ColorWhen, ShowArgs};
use crate::git::ComputedDiff;
use crate::highlight::Highlighter;
use crate::sanitize::escape_line;
use crate::show::{GutterMark, RenderOptions, render_files};
use crate::theme::Theme;

/// Whether to colour, given `--color` and the environment.
pub fn use_color(when: ColorWhen) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// Prints the header and the highlighted diff.
pub fn run(ctx: &Ctx, args: &ShowArgs) -> Result<u8> {
    let change = crate::git::find_change(&ctx.repo, &ctx.config, &args.id)?;
    let computed = ctx.repo.diff(&change.base, &change.head)?;
    let color = use_color(args.color);
    let user = crate::config::UserConfig::load().unwrap_or_default();
    let theme = Theme::load(user.theme.as_deref())?;
    let highlighter = color.then(|| Highlighter::new(&theme));
    let marks: Vec<GutterMark> = Vec::new();
    let mut out = header(&change, &computed);
    out.push('\n');
    out.push_str(&render_files(
        &computed.diff.files,
        &RenderOptions {
            color,
            theme: &theme,
            highlighter: highlighter.as_ref(),
            marks: &marks,
        },
    ));
    print_out(&out)?;
    Ok(0)
}

/// The summary lines above the diff.
fn header(change: &Change, computed: &ComputedDiff) -> String {
    let short = |s: &str| s.chars().take(10).collect::<String>();
    let d = &computed.diff;
    format!(
        "change   {}  {}\nauthor   {}\ntool     {}\nrange    {}..{}  (against {})\nsize     {} file(s), +{} -{}\npatch-id {}\n",
        change.id,
        escape_line(&change.title),
        escape_line(&change.author),
        escape_line(&change.tool),
        short(&change.base),
        short(&change.head),
        escape_line(&change.target),
        d.files.len(),
        d.additions(),
        d.deletions(),
        computed.patch_id.as_deref().unwrap_or("(empty diff)"),
    )
}
