//! The review console (ratatui + crossterm on a tokio event loop). The model
//! (`app` and the `*_model` files) knows nothing of the terminal; the `*_view`
//! files draw it; `backend` is the one seam to the library; `jobs` and `runner`
//! run slow work off the UI thread. Never imports git2.

pub mod app; // the application model: screens, layers, status, requests
pub mod audit_model; // the audit screen's state
pub mod audit_view; // drawing the audit screen
pub mod backend; // the seam to git, risk, signing and audit
pub mod commands; // the command registry per screen; keys and help come from it
pub mod dialog; // the decision dialog's state
pub mod dialog_view; // drawing the decision dialog
pub mod diff_rows; // a diff flattened into display rows
pub mod filter; // fuzzy filtering and one-line inputs
pub mod harness; // driving the console without a terminal (tests, benchmarks)
pub mod help_view; // drawing the help overlay
pub mod hl; // the highlighter and theme as the UI sees them
pub mod jobs; // background requests and their results
pub mod keys; // terminal-independent keys
pub mod nav; // cursor movement in lists
pub mod queue_model; // the queue screen's state
pub mod queue_view; // drawing the queue screen
pub mod remark_model; // remarks on lines in the review: drafts, earlier ones, the input
pub mod review_model; // the review screen's state
pub mod review_view; // drawing the review screen
pub mod runner; // the tokio event loop and job slots
pub mod style; // colours from the theme
pub mod terminal; // raw mode, alternate screen, restore on exit and panic
pub mod text; // untrusted text to sanitised spans
pub mod view; // drawing a frame: screen, layers, status bar
pub mod visible_hl; // highlighting what is on screen before drawing it

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Result;

use crate::config::UserConfig;

/// Opens the console on the repository at (or above) `repo_path`. `key` is the
/// `--key` flag (else `$COUNTERSIGN_KEY`, the user config, git's
/// `user.signingkey`). Returns when the user quits.
pub fn run(repo_path: &Path, user: &UserConfig, key: Option<PathBuf>) -> Result<()> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        crate::bad_input!(
            "the review console needs a terminal; run it in one, or use `countersign queue` and `countersign show <id>` (the demo: `countersign demo --no-tui`)"
        );
    }
    let backend = backend::GitBackend::open(repo_path, user, key)?;
    runner::run(Arc::new(backend), user)
}
