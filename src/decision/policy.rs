//! `.countersign/policy.toml`: who may approve (principals with the role
//! `senior`), how many approvals each risk level needs, whether authors may
//! approve their own changes, what is gated (`[gate] scope`), which identities
//! are agents (`[ai] identities`), and optionally the repository's identity.
//! The gate reads it from the trust root, never from a change or a work tree.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;

use super::signers::match_list;
use crate::error::BadInput;

/// Where the policy lives, relative to the repository root.
pub const POLICY_PATH: &str = ".countersign/policy.toml";
/// Where the allowed signers live, relative to the repository root.
pub const SIGNERS_PATH: &str = ".countersign/allowed_signers";

/// Approvals required per risk level.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Approvals {
    pub low: u32,
    pub medium: u32,
    pub high: u32,
    pub critical: u32,
}

impl Default for Approvals {
    fn default() -> Self {
        Approvals {
            low: 1,
            medium: 1,
            high: 1,
            critical: 2,
        }
    }
}

/// The policy.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// The repository's identity in records (default: its root commit id).
    pub repository: Option<String>,
    /// Whether the author or committer of a change may approve it.
    pub self_approval: bool,
    pub approvals: Approvals,
    /// Role name to principal patterns. Without a `senior` role, every principal
    /// in allowed_signers is a senior.
    pub roles: BTreeMap<String, Vec<String>>,
    /// What the gate judges (`[gate] scope`).
    pub gate: GatePolicy,
    /// Which identities are agents (`[ai] identities`).
    pub ai: AiPolicy,
}

/// Which commits the gate judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Commits marked as AI-assisted (trailers, agent identities) and merge
    /// commits that add content to them.
    #[default]
    Ai,
    /// Every commit that is not on the trust root.
    All,
}

/// `[gate]`: what is gated.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct GatePolicy {
    pub scope: Scope,
}

/// `[ai]`: identities of agents, whatever their commit messages say.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct AiPolicy {
    /// Globs (`*`, `?`) matched against commit author and committer emails.
    pub identities: Vec<String>,
}

impl AiPolicy {
    /// True when `email` matches one of the agent identities.
    pub fn is_agent(&self, email: &str) -> bool {
        let lower = email.trim().to_ascii_lowercase();
        self.identities.iter().any(|p| {
            super::signers::match_pattern(lower.as_bytes(), p.to_ascii_lowercase().as_bytes())
        })
    }
}

impl Policy {
    /// Parses policy.toml; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Policy> {
        toml::from_str(text).map_err(|e| {
            BadInput::new(format!(
                "{origin}: {}; fix the policy file",
                crate::config::one_line(&e.to_string())
            ))
            .into()
        })
    }

    /// Approvals a change of risk `level` needs (unknown levels count as critical).
    pub fn required(&self, level: &str) -> u32 {
        match level {
            "low" => self.approvals.low,
            "medium" => self.approvals.medium,
            "high" => self.approvals.high,
            _ => self.approvals.critical,
        }
    }

    /// True when `principal` has the role `senior`.
    pub fn is_senior(&self, principal: &str) -> bool {
        match self.roles.get("senior") {
            Some(patterns) => match_list(principal, patterns),
            None => true,
        }
    }
}

/// The text of a new policy.toml with commented defaults, naming `seniors`.
pub fn policy_template(seniors: &[&str]) -> String {
    let list = seniors
        .iter()
        .map(|s| format!("{s:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        r#"# countersign policy. The gate reads this file (and allowed_signers) from the
# TRUST ROOT (the protected target branch), never from a change or a work tree,
# so a change cannot loosen the rules it is judged by.

# The repository's identity, written into every decision so that a record cannot
# be replayed into another repository. Default: the id of the root commit.
# repository = "example.com/team/project"

# May the author or committer of a change approve it? (Gerrit's non_uploader.)
self_approval = false

[roles]
# Principals (as in allowed_signers; * and ? wildcards) whose approvals count.
senior = [{list}]

[approvals]
# Approvals needed per risk level. A reject by a senior blocks until the same
# senior decides again on the same content, or the change is amended.
low = 1
medium = 1
high = 1
critical = 2

[gate]
# What is gated: "ai" (commits with AI trailers or by the agent identities
# below, and merge commits that add content to them) or "all" (every commit).
scope = "ai"

[ai]
# Author or committer emails (globs) of agents, gated whatever their commits say.
identities = []
"#
    )
}

/// The text of an allowed_signers file for `seniors` (principal, public key line).
pub fn allowed_signers_text(seniors: &[(String, String)]) -> String {
    let mut out = String::from(
        "# Keys allowed to sign countersign decisions (git's allowed_signers format):\n\
         # <principal>[,<principal>...] [namespaces=\"countersign\",valid-after=YYYYMMDD,valid-before=YYYYMMDD] <key type> <key>\n",
    );
    for (principal, key) in seniors {
        out.push_str(&format!(
            "{principal} namespaces=\"countersign,git\" {}\n",
            key.trim()
        ));
    }
    out
}

/// Writes `.countersign/policy.toml` and `.countersign/allowed_signers` under
/// `root` for the given seniors (principal, public key line). Refuses to
/// overwrite an existing file unless `force`. Returns the paths written.
pub fn write_policy_files(
    root: &Path,
    seniors: &[(String, String)],
    force: bool,
) -> Result<Vec<PathBuf>> {
    let policy = root.join(POLICY_PATH);
    let signers = root.join(SIGNERS_PATH);
    if !force {
        for p in [&policy, &signers] {
            if p.exists() {
                return Err(BadInput::new(format!(
                    "{} already exists; pass --force to overwrite it",
                    p.display()
                ))
                .into());
            }
        }
    }
    for (principal, key) in seniors {
        if principal.is_empty() || principal.chars().any(|c| c.is_whitespace() || c == '"') {
            return Err(BadInput::new(format!(
                "{principal:?} is not a usable principal; use an email address without spaces"
            ))
            .into());
        }
        ssh_key::PublicKey::from_openssh(key.trim()).map_err(|e| {
            BadInput::new(format!(
                "the key for {principal} is not an SSH public key ({e}); give a .pub file"
            ))
        })?;
    }
    let dir = root.join(".countersign");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let names: Vec<&str> = seniors.iter().map(|(p, _)| p.as_str()).collect();
    std::fs::write(&policy, policy_template(&names))
        .with_context(|| format!("writing {}", policy.display()))?;
    std::fs::write(&signers, allowed_signers_text(seniors))
        .with_context(|| format!("writing {}", signers.display()))?;
    Ok(vec![policy, signers])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_one_and_two_for_critical_without_self_approval() {
        let p = Policy::parse("", "p").unwrap();
        assert_eq!(p.required("low"), 1);
        assert_eq!(p.required("critical"), 2);
        assert_eq!(p.required("???"), 2);
        assert!(!p.self_approval);
        assert!(p.is_senior("anyone"));
    }

    #[test]
    fn the_template_parses_back() {
        let p = Policy::parse(&policy_template(&["a@x", "*@ops.x"]), "p").unwrap();
        assert!(p.is_senior("a@x"));
        assert!(p.is_senior("z@ops.x"));
        assert!(!p.is_senior("b@x"));
        assert_eq!(p.approvals, Approvals::default());
    }

    #[test]
    fn unknown_keys_are_bad_input() {
        let e = Policy::parse("selfapproval = true", ".countersign/policy.toml").unwrap_err();
        assert!(e.to_string().contains("policy.toml"), "{e}");
    }
}
