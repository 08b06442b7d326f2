//! The command line: every command with its flags (clap derive). Parsing
//! only; `commands` runs them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// A terminal review console for senior approvers of AI-assisted code changes.
#[derive(Debug, Parser)]
#[command(name = "countersign", version, about, propagate_version = true)]
pub struct Cli {
    /// Run as if started in <path> (like git -C).
    #[arg(short = 'C', global = true, value_name = "path")]
    pub dir: Option<PathBuf>,

    /// The private SSH key to sign with (else $COUNTERSIGN_KEY, the user config,
    /// then git's user.signingkey).
    #[arg(long, global = true, value_name = "file")]
    pub key: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorWhen {
    /// Colour when writing to a terminal and NO_COLOR is not set.
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the queue in the terminal UI (the default).
    Tui,
    /// Build a demo repository with pending changes and a demo key, and open it.
    Demo(DemoArgs),
    /// Put a change in the queue and print its id.
    Submit(SubmitArgs),
    /// Queue the AI-assisted commits found by their trailers.
    Scan(ScanArgs),
    /// List pending changes, most risky first.
    Queue(QueueArgs),
    /// Print a change: summary, findings and highlighted diff.
    Show(ShowArgs),
    /// Print a change's risk report.
    Risk(RiskArgs),
    /// Store analyzers' SARIF results for a change's head (what a CI job runs
    /// after its analyzers).
    Attach(AttachArgs),
    /// Sign and record an approval.
    Approve(DecideArgs),
    /// Sign and record a rejection (a reason is required).
    Reject(DecideArgs),
    /// The gate: is every gated change in a revision or range approved under the trust root?
    Check(CheckArgs),
    /// List every decision, each verified.
    Audit(AuditArgs),
    /// Fetch, merge and push queue refs and decision notes with a remote.
    Sync(SyncArgs),
    /// For the pre-receive hook: refuse an update of refs/notes/countersign
    /// that deletes it, is not a fast-forward, or drops a line (exit 1).
    #[command(hide = true, name = "hook-notes")]
    HookNotes(HookNotesArgs),
    /// Set up .countersign/ (policy and allowed signers) in this repository.
    Init(InitArgs),
    /// What the agent reads before amending: decisions, remarks, open findings.
    Feedback(FeedbackArgs),
    /// The revisions of a change and the decisions on each.
    History(HistoryArgs),
}

#[derive(Debug, Args)]
pub struct FeedbackArgs {
    /// The change's id.
    pub id: String,
    /// Print JSON instead of Markdown.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The change's id.
    pub id: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to build the demo (default: a new temporary directory).
    #[arg(long, value_name = "path")]
    pub dir: Option<PathBuf>,
    /// Print the demo's path and exit instead of opening the UI.
    #[arg(long)]
    pub no_tui: bool,
}

#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// The revision (usually a branch) holding the change.
    pub rev: String,
    /// Measure the change against this revision instead of the merge-base with the target.
    #[arg(long, value_name = "rev")]
    pub base: Option<String>,
    /// A title (default: the first commit's subject).
    #[arg(long, value_name = "text")]
    pub title: Option<String>,
    /// The AI tool that wrote it (default: from the commits' trailers).
    #[arg(long, value_name = "name")]
    pub tool: Option<String>,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// A range (A..B) or revision (target..rev); default: all local branches.
    pub range: Option<String>,
}

#[derive(Debug, Args)]
pub struct QueueArgs {
    /// Print JSON: an array of changes, most risky first.
    #[arg(long)]
    pub json: bool,
    /// Include approved and rejected changes, not only pending ones.
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The change's id.
    pub id: String,
    /// When to colour: auto (a terminal and no NO_COLOR), always, never.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, value_name = "when")]
    pub color: ColorWhen,
    /// Also show analyzer results the change did not introduce.
    #[arg(long)]
    pub all_results: bool,
    /// Show only what changed since the revision last decided on: the
    /// interdiff of the two patches, as `git range-diff` compares them.
    #[arg(long)]
    pub since_review: bool,
}

#[derive(Debug, Args)]
pub struct RiskArgs {
    /// The change's id.
    pub id: String,
    /// Print the report as JSON.
    #[arg(long, conflicts_with = "sarif")]
    pub json: bool,
    /// Print the engine's findings as SARIF 2.1.0 (for GitHub code scanning).
    #[arg(long)]
    pub sarif: bool,
    /// Also list analyzer results the change did not introduce.
    #[arg(long)]
    pub all_results: bool,
}

#[derive(Debug, Args)]
pub struct AttachArgs {
    /// The change's id.
    pub id: String,
    /// SARIF 2.1.0 files, one or more (several tools and runs each).
    #[arg(required = true, value_name = "file.sarif")]
    pub files: Vec<PathBuf>,
    /// Store them for the change's base instead of its head (a run on the
    /// base lets review tell new results from old ones exactly).
    #[arg(long)]
    pub base: bool,
    /// Name the tool this way instead of by the SARIF's driver name.
    #[arg(long, value_name = "name")]
    pub tool: Option<String>,
}

#[derive(Debug, Args)]
pub struct DecideArgs {
    /// The change's id.
    pub id: String,
    /// The head commit you reviewed: if the change has moved since, nothing
    /// is signed (the console always passes the head it displayed).
    #[arg(long, value_name = "sha")]
    pub head: Option<String>,
    /// The trust root (default: origin/HEAD's branch, else main or master).
    #[arg(long, value_name = "rev")]
    pub trust: Option<String>,
    /// A comment (required to reject).
    #[arg(short = 'm', long = "message", value_name = "text")]
    pub message: Option<String>,
    /// A remark on a line of the diff: PATH:LINE:TEXT (PATH:old:LINE:TEXT for a
    /// removed line). Repeat for several; they are signed with the decision.
    #[arg(long = "remark", value_name = "path:line:text")]
    pub remarks: Vec<String>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A revision or range (A..B) whose gated changes must be approved.
    pub target: String,
    /// The trust root: the commit whose policy, signers, rules and AI settings
    /// decide (default: origin/HEAD's branch, else main or master). A server
    /// hook passes the branch's old tip; CI passes the pull request's base.
    #[arg(long, value_name = "rev")]
    pub trust: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// List the gated changes of this range (or revision) on the target that
    /// landed without a valid approval at the time they landed; exit 1 if any.
    #[arg(long, value_name = "range")]
    pub landed: Option<String>,
    /// The trust root (default: origin/HEAD's branch, else main or master).
    #[arg(long, value_name = "rev")]
    pub trust: Option<String>,
    /// Print JSON: {decisions, summary}.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV.
    #[arg(long)]
    pub csv: bool,
    /// Only this reviewer's decisions.
    #[arg(long, value_name = "principal")]
    pub reviewer: Option<String>,
    /// Only approvals or rejections.
    #[arg(long, value_name = "approve|reject")]
    pub decision: Option<String>,
    /// Only decisions at or after this time (RFC 3339 or YYYY-MM-DD).
    #[arg(long, value_name = "time")]
    pub since: Option<String>,
    /// Only decisions before this time (RFC 3339 or YYYY-MM-DD).
    #[arg(long, value_name = "time")]
    pub until: Option<String>,
}

#[derive(Debug, Args)]
pub struct HookNotesArgs {
    /// The ref's old value (all zeros when it is created).
    pub old: String,
    /// The ref's new value (all zeros when it is deleted).
    pub new: String,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The remote (default: origin).
    pub remote: Option<String>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// A senior reviewer: <principal>=<public key file>; repeat for each.
    #[arg(long = "senior", value_name = "principal=keyfile")]
    pub seniors: Vec<String>,
    /// Overwrite existing files.
    #[arg(long)]
    pub force: bool,
}
