//! Running the commands of the command line. Each command is a module with a
//! `run` function returning its exit code; errors become one line and exit 2.

pub mod attach;
pub mod audit_cmd;
pub mod check;
pub mod decide;
pub mod demo;
pub mod feedback_cmd;
pub mod history_cmd;
pub mod init;
pub mod landed;
pub mod queue_cmd;
pub mod risk;
pub mod show;
pub mod submit;
pub mod sync_cmd;

use std::io::Write;

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::config::RepoConfig;
use crate::git::Repo;

/// What most commands need: the repository and its configuration.
pub struct Ctx {
    pub repo: Repo,
    pub config: RepoConfig,
    pub cli_key: Option<std::path::PathBuf>,
}

impl Ctx {
    /// Opens the repository named by `-C` (or discovered) and reads its config.
    pub fn open(cli: &Cli) -> Result<Ctx> {
        let repo = Repo::open(cli.dir.as_deref())?;
        let config = repo.load_config()?;
        Ok(Ctx {
            repo,
            config,
            cli_key: cli.key.clone(),
        })
    }
}

impl Ctx {
    /// The trust root named by `rev`, or the default one.
    pub fn trust(&self, rev: Option<&str>) -> Result<crate::trust::TrustRoot> {
        crate::trust::TrustRoot::load(&self.repo, rev)
    }

    /// Finds a queued change, measured against its computed base when there is
    /// a trust root (what the gate judges is what is shown).
    pub fn find_change(&self, id: &str) -> Result<crate::change::Change> {
        match self.trust(None) {
            Ok(t) => t.find_change(&self.repo, id),
            Err(_) => crate::git::find_change(&self.repo, &self.config, id),
        }
    }
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<u8> {
    match &cli.command {
        None | Some(Command::Tui) => tui(&cli),
        Some(Command::Demo(a)) => demo::run(a),
        Some(Command::Submit(a)) => submit::submit(&Ctx::open(&cli)?, a),
        Some(Command::Scan(a)) => submit::scan(&Ctx::open(&cli)?, a),
        Some(Command::Queue(a)) => queue_cmd::run(&Ctx::open(&cli)?, a),
        Some(Command::Show(a)) => show::run(&Ctx::open(&cli)?, a),
        Some(Command::Risk(a)) => risk::run(&Ctx::open(&cli)?, a),
        Some(Command::Attach(a)) => attach::run(&Ctx::open(&cli)?, a),
        Some(Command::Approve(a)) => {
            decide::run(&Ctx::open(&cli)?, a, crate::decision::Decision::Approve)
        }
        Some(Command::Reject(a)) => {
            decide::run(&Ctx::open(&cli)?, a, crate::decision::Decision::Reject)
        }
        Some(Command::Check(a)) => check::run(&Ctx::open(&cli)?, a),
        Some(Command::Audit(a)) => audit_cmd::run(&Ctx::open(&cli)?, a),
        Some(Command::Sync(a)) => sync_cmd::run(&Ctx::open(&cli)?, a),
        Some(Command::HookNotes(a)) => sync_cmd::hook_notes(&Ctx::open(&cli)?, a),
        Some(Command::Init(a)) => init::run(&Ctx::open(&cli)?, a),
        Some(Command::Feedback(a)) => feedback_cmd::run(&Ctx::open(&cli)?, a),
        Some(Command::History(a)) => history_cmd::run(&Ctx::open(&cli)?, a),
    }
}

/// Opens the review console on the repository named by `-C` (or discovered).
fn tui(cli: &Cli) -> Result<u8> {
    let dir = match &cli.dir {
        Some(d) => d.clone(),
        None => std::env::current_dir()?,
    };
    let user = crate::config::UserConfig::load()?;
    crate::ui::run(&dir, &user, cli.key.clone())?;
    Ok(0)
}

/// One line for an error: the chain of contexts joined, newlines removed.
pub fn error_line(e: &anyhow::Error) -> String {
    let msg = if let Some(b) = e.downcast_ref::<crate::error::BadInput>() {
        b.to_string()
    } else {
        format!("{e:#}")
    };
    crate::sanitize::escape_line(&msg.replace('\n', " "))
}

/// Writes to stdout; a closed pipe (e.g. `| head`) ends quietly.
pub fn print_out(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => Ok(r?),
    }
}
