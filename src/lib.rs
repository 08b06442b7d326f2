//! countersign: a terminal review console for senior approvers of AI-assisted
//! code changes. See DESIGN.md for the data flow; each module below is one concept.

pub mod audit; // query and verify past decisions
pub mod cache; // on-disk cache of pure results (diff stats, risk reports)
pub mod change; // a pending change and its id
pub mod cli; // the command line (clap)
pub mod commands; // running each command
pub mod config; // repository and user configuration
pub mod decision; // records, canonical form, SSHSIG, allowed_signers, policy, gate rules
pub mod demo;
pub mod diff; // the plain diff model (MinusPlus, FileDiff, Hunk, DiffLine)
pub mod error; // BadInput: the errors that exit 2
pub mod feedback; // what the agent reads before amending: decisions, remarks, findings
pub mod gate; // the gate over a repository: policy at base, records from notes, verdicts
pub mod git; // all git2 use: repos, queue sources, diffs, patch-ids, notes
pub mod highlight; // syntect highlighting of hunks, parse state carried across lines
pub mod interdiff; // the difference between two revisions' patches (as git range-diff)
pub mod intraline; // changed words within paired removed/added lines
pub mod queue; // the review queue: changes with stats, risk and state
pub mod remarks; // remarks on lines: --remark parsing, checks against the diff, context
pub mod revisions; // a change's revisions and the verified decisions on each
pub mod risk; // the risk engine: findings, blast radius, score
pub mod sanitize;
pub mod show; // rendering a change as text/ANSI for a pager or CI log
pub mod theme;
pub mod trailers; // recognising AI-assisted commits by their trailers // untrusted text made safe for a terminal // UI palettes + syntax theme names (themes/*.toml) // the built-in demo repository (assets/demo.toml)
pub mod ui; // the review console (TUI)
