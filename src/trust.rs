//! The trust root: the one commit whose files decide every verdict. Policy,
//! allowed signers, risk rules, AI detection (trailers, tools, agent
//! identities), the target and the gate's scope are all read from it, once.
//! `check`, `approve`/`reject`, `audit` and the console take a [`TrustRoot`];
//! nothing in a work tree and nothing inside a change under judgement is read.
//!
//! Which commit: `--trust <rev>` when given; otherwise the repository's
//! default branch as the remote has it (`refs/remotes/origin/HEAD`), in a bare
//! repository (a server) its `HEAD` branch, else a local `main` or `master`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use serde::Serialize;

use crate::change::Change;
use crate::config::{REPO_CONFIG_PATH, RepoConfig};
use crate::decision::policy::{POLICY_PATH, SIGNERS_PATH};
use crate::decision::signers::match_pattern;
use crate::decision::{AllowedSigners, Policy};
use crate::error::BadInput;
use crate::git::Repo;
use crate::risk::RULES_PATH;

/// Where the trust root is, as `check --json` prints it (`trust: {ref, commit}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrustRef {
    /// The name it was found by (`refs/remotes/origin/main`, or the `--trust` argument).
    #[serde(rename = "ref")]
    pub reference: String,
    /// The commit id.
    pub commit: String,
}

/// Everything the gate trusts, read from one commit.
#[derive(Debug, Clone)]
pub struct TrustRoot {
    /// The name the trust root was found by.
    pub reference: String,
    /// The trust root's commit id.
    pub commit: String,
    /// `.countersign/policy.toml` at the trust root (defaults when absent).
    pub policy: Policy,
    /// `.countersign/allowed_signers` at the trust root, else the file named by
    /// git's `gpg.ssh.allowedSignersFile` on the machine running countersign.
    pub signers: AllowedSigners,
    /// `.countersign/config.toml` at the trust root merged over the defaults:
    /// the target, the queue's ref sources and the AI trailers and tools.
    pub config: RepoConfig,
    /// The text of `.countersign/rules.toml` at the trust root, if any.
    pub rules: Option<String>,
    /// The repository identity records must name: the policy's `repository`,
    /// else the root commit reached by first parents from the trust root.
    pub repo_id: String,
    /// Problems with the files (refused allowed_signers lines, missing files),
    /// in words, for verdicts that are not approved.
    pub problems: Vec<String>,
    git_dir: PathBuf,
}

impl TrustRoot {
    /// Loads the trust root named by `rev`, or the default one (see the module
    /// documentation). A malformed policy or config at the trust root is bad input.
    pub fn load(repo: &Repo, rev: Option<&str>) -> Result<TrustRoot> {
        let (reference, commit) = match rev {
            Some(r) => (r.to_string(), repo.resolve_commit(r)?),
            None => default_trust(repo)?,
        };
        Self::at(repo, &reference, &commit)
    }

    /// Reads the trust root at `commit` (found by the name `reference`).
    pub fn at(repo: &Repo, reference: &str, commit: &str) -> Result<TrustRoot> {
        let short: String = commit.chars().take(12).collect();
        let mut problems = Vec::new();
        let read = |path: &str| -> Result<Option<String>> {
            Ok(repo
                .read_file_at(commit, path)
                .with_context(|| format!("reading {path} at the trust root {short}"))?
                .map(|b| String::from_utf8_lossy(&b).into_owned()))
        };
        let policy = match read(POLICY_PATH)? {
            Some(text) => Policy::parse(&text, &format!("{POLICY_PATH} at {short}"))?,
            None => Policy::default(),
        };
        let signers = match read(SIGNERS_PATH)? {
            Some(text) => AllowedSigners::parse(&text, &format!("{SIGNERS_PATH} at {short}")),
            None => match repo.config_string("gpg.ssh.allowedSignersFile") {
                Some(path) => {
                    let path = expand_home(&path);
                    let text = std::fs::read_to_string(&path)
                        .with_context(|| format!("reading gpg.ssh.allowedSignersFile {path}"))?;
                    AllowedSigners::parse(&text, &path)
                }
                None => {
                    problems.push(format!(
                        "no {SIGNERS_PATH} at the trust root {reference} ({short}): nobody may approve; run `countersign init --senior <principal>=<key.pub>` and commit .countersign/ to the target branch"
                    ));
                    AllowedSigners::default()
                }
            },
        };
        problems.extend(signers.errors.iter().cloned());
        let config = match read(REPO_CONFIG_PATH)? {
            Some(text) => RepoConfig::parse(&text, &format!("{REPO_CONFIG_PATH} at {short}"))?,
            None => RepoConfig::defaults(),
        };
        let rules = read(RULES_PATH)?;
        let repo_id = match &policy.repository {
            Some(r) => r.clone(),
            None => repo.root_commit(commit)?,
        };
        Ok(TrustRoot {
            reference: reference.to_string(),
            commit: commit.to_string(),
            policy,
            signers,
            config,
            rules,
            repo_id,
            problems,
            git_dir: repo.git_dir(),
        })
    }

    /// The trust root's name and commit, for reports.
    pub fn trust_ref(&self) -> TrustRef {
        TrustRef {
            reference: self.reference.clone(),
            commit: self.commit.clone(),
        }
    }

    /// The first 12 characters of the commit id, for messages.
    pub fn short(&self) -> String {
        self.commit.chars().take(12).collect()
    }

    /// The contents of any file at the trust root (`None` when absent), for
    /// settings that must not come from a change (e.g. analyzer configuration).
    pub fn read_file(&self, path: &str) -> Result<Option<Vec<u8>>> {
        let repo = Repo::open_exact(&self.git_dir)?;
        repo.read_file_at(&self.commit, path)
    }

    /// The base a change is judged against: the merge-base of `head` with the
    /// trust root, computed (never taken from a queue ref or a record).
    /// `None` when they share no history.
    pub fn base_of(&self, repo: &Repo, head: &str) -> Result<Option<String>> {
        repo.merge_base(head, &self.commit)
    }

    /// True when `commit` is already part of the trust root.
    pub fn contains(&self, repo: &Repo, commit: &str) -> bool {
        repo.is_ancestor(commit, &self.commit).unwrap_or(false)
    }

    /// The queued changes, each measured against its computed base (so what a
    /// reviewer is shown is what the gate judges). A change already on the
    /// trust root keeps its declared base for display.
    pub fn changes(&self, repo: &Repo) -> Result<Vec<Change>> {
        let mut changes = crate::git::list_changes(repo, &self.config)?;
        for c in &mut changes {
            self.rebase(repo, c);
        }
        Ok(changes)
    }

    /// Finds a queued change by id (or prefix, or head), measured against its
    /// computed base.
    pub fn find_change(&self, repo: &Repo, id: &str) -> Result<Change> {
        let mut c = crate::git::find_change(repo, &self.config, id)?;
        self.rebase(repo, &mut c);
        Ok(c)
    }

    /// Sets `change.base` to its computed base (when it has one and is not
    /// already on the trust root).
    pub fn rebase(&self, repo: &Repo, change: &mut Change) {
        if let Ok(Some(b)) = self.base_of(repo, &change.head)
            && b != change.head
        {
            change.base = b;
        }
    }

    /// The principal a key signs as under the trust root's allowed_signers: the
    /// listed principal equal to git's `user.email` if there are several, else
    /// the first concrete one, else `user.email` when a wildcard line admits it.
    pub fn principal_for(
        &self,
        key_data: &ssh_key::public::KeyData,
        user_email: &str,
    ) -> Option<String> {
        let patterns = self.signers.principals_for(key_data);
        let concrete: Vec<&String> = patterns
            .iter()
            .filter(|p| !p.contains(['*', '?']) && !p.starts_with('!'))
            .collect();
        concrete
            .iter()
            .find(|p| p.eq_ignore_ascii_case(user_email))
            .or(concrete.first())
            .map(|p| p.to_string())
            .or_else(|| {
                patterns
                    .iter()
                    .any(|p| match_pattern(user_email.as_bytes(), p.as_bytes()))
                    .then(|| user_email.to_string())
            })
    }
}

/// The default trust root: `origin/HEAD`'s branch, a bare repository's `HEAD`
/// branch, else a local `main` or `master`. Never the work tree's checkout nor
/// anything its files name.
pub fn default_trust(repo: &Repo) -> Result<(String, String)> {
    let mut candidates: Vec<String> = Vec::new();
    if let Some(t) = repo.symbolic_target("refs/remotes/origin/HEAD") {
        candidates.push(t);
    }
    if repo.is_bare()
        && let Some(t) = repo.symbolic_target("HEAD")
    {
        candidates.push(t);
    }
    candidates.push("refs/heads/main".into());
    candidates.push("refs/heads/master".into());
    for name in candidates {
        if let Ok(c) = repo.resolve_commit(&name) {
            return Ok((name, c));
        }
    }
    Err(BadInput::new(
        "no trust root: this repository has no origin/HEAD and no main or master branch; pass --trust <the protected target branch>",
    )
    .into())
}

fn expand_home(p: &str) -> String {
    match (p.strip_prefix("~/"), std::env::var("HOME")) {
        (Some(rest), Ok(home)) => format!("{home}/{rest}"),
        _ => p.to_string(),
    }
}
