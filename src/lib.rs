//! countersign: a terminal review console for senior approvers of AI-assisted
//! code changes. docs/ARCHITECTURE.md describes the data flow and the layers;
//! each module below is one concept.

pub mod analyzers; // the team's analyzers: SARIF in and out, runs on checkouts, new-vs-old, merged into risk
pub mod audit; // query and verify past decisions
pub mod cache; // on-disk cache of pure results (diff stats, risk reports)
pub mod change; // a pending change and its id
pub mod cli; // the command line (clap)
pub mod commands; // running each command
pub mod config; // repository and user configuration
pub mod deciding; // signing and recording a decision on what the reviewer saw
pub mod decision; // records, canonical form, SSHSIG, allowed_signers, policy, counting
pub mod demo; // the built-in demo repository (assets/demo.toml)
pub mod diff; // the plain diff model (MinusPlus, FileDiff, Hunk, DiffLine)
pub mod error; // BadInput: the errors that exit 2
pub mod feedback; // what the agent reads before amending: decisions, remarks, findings
pub mod gate; // the gate: gated commits, computed bases, verdicts, check
pub mod git; // all git2 use: repos, queue sources, diffs, patch-ids, notes
pub mod highlight; // syntect highlighting of hunks, parse state carried across lines
pub mod interdiff; // the difference between two revisions' patches (as git range-diff)
pub mod intraline; // changed words within paired removed/added lines
pub mod landed; // audit --landed: gated changes that landed without approval
pub mod queue; // the review queue: changes with stats, risk and state
pub mod record_index; // every decision note line, indexed; verifying one under the trust root
pub mod remarks; // remarks on lines: --remark parsing, checks against the diff, context
pub mod revisions; // a change's revisions and the verified decisions on each
pub mod risk; // the risk engine: findings, blast radius, score
pub mod sanitize; // untrusted text made safe for a terminal
pub mod show; // rendering a change as text/ANSI for a pager or CI log
pub mod theme; // UI palettes + syntax theme names (themes/*.toml)
pub mod trailers; // recognising AI-assisted commits by their trailers
pub mod trust; // the trust root: policy, signers, rules and detection from one commit
pub mod ui; // the review console (TUI)
