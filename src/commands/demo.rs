//! `demo [--dir] [--no-tui]`: build the demo repository and open it.

use anyhow::Result;

use super::print_out;
use crate::cli::DemoArgs;

/// Builds the demo; prints its path (with `--no-tui`) or opens it.
pub fn run(args: &DemoArgs) -> Result<u8> {
    let dir = args.dir.clone().unwrap_or_else(crate::demo::default_dir);
    let demo = crate::demo::build(&dir)?;
    if args.no_tui {
        print_out(&format!("{}\n", demo.path.display()))?;
        return Ok(0);
    }
    eprintln!(
        "countersign: demo repository with {} pending changes at {}",
        demo.ids.len(),
        demo.path.display()
    );
    let user = crate::config::UserConfig::load()?;
    crate::ui::run(&demo.path, &user, None)?;
    Ok(0)
}
