//! Configuration: the repository's `.countersign/config.toml` merged over the
//! built-in defaults (`assets/config.toml`), and the user's own settings (key,
//! theme, key bindings) from the platform config dir, with git's settings as
//! defaults. Defaults are data, merged with the user's files (as yazi does).

use std::path::PathBuf;

use anyhow::{Context, Result};
use serde::Deserialize;

use crate::error::BadInput;

const DEFAULT_REPO_CONFIG: &str = include_str!("../assets/config.toml");

/// Where a repository's configuration lives, relative to its root.
pub const REPO_CONFIG_PATH: &str = ".countersign/config.toml";

/// The repository's configuration.
#[derive(Debug, Clone, Deserialize)]
pub struct RepoConfig {
    /// The branch changes are measured against.
    pub target: String,
    pub sources: Sources,
    pub ai: AiDetection,
}

/// Extra queue sources.
#[derive(Debug, Clone, Deserialize)]
pub struct Sources {
    /// Ref globs whose AI-assisted commits are pending changes.
    pub refs: Vec<String>,
}

/// How AI-assisted commits are recognised.
#[derive(Debug, Clone, Deserialize)]
pub struct AiDetection {
    pub trailers: Vec<String>,
    pub coauthor_trailers: Vec<String>,
    pub tools: Vec<String>,
    pub emails: Vec<String>,
}

impl RepoConfig {
    /// The built-in defaults.
    pub fn defaults() -> RepoConfig {
        Self::from_toml_str(None).expect("the built-in config parses")
    }

    /// Parses a repository file merged over the defaults. `origin` names the file
    /// in errors.
    pub fn parse(text: &str, origin: &str) -> Result<RepoConfig> {
        Self::from_toml_str(Some((text, origin)))
    }

    fn from_toml_str(user: Option<(&str, &str)>) -> Result<RepoConfig> {
        let mut base: toml::Table = toml::from_str(DEFAULT_REPO_CONFIG)?;
        if let Some((text, origin)) = user {
            let over: toml::Table = toml::from_str(text).map_err(|e| {
                BadInput::new(format!(
                    "{origin}: {}; fix the file or remove it",
                    one_line(&e.to_string())
                ))
            })?;
            merge_tables(&mut base, over);
        }
        toml::Value::Table(base)
            .try_into()
            .map_err(|e: toml::de::Error| {
                let origin = user.map_or("built-in config", |u| u.1);
                BadInput::new(format!("{origin}: {}", one_line(&e.to_string()))).into()
            })
    }
}

/// Merges `over` into `base`, table by table; other values are replaced.
pub fn merge_tables(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge_tables(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// Collapses a multi-line parser message into one line.
pub fn one_line(msg: &str) -> String {
    msg.split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.chars().all(|c| c == '|' || c == '^' || c == ' '))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The user's own settings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct UserConfig {
    /// Path to the private SSH key used to sign decisions.
    pub key: Option<PathBuf>,
    /// UI theme name (a file in `themes/`): "dark" or "light".
    pub theme: Option<String>,
    /// Key binding overrides: command name to key, e.g. `approve = "a"`.
    pub keys: std::collections::BTreeMap<String, String>,
}

impl UserConfig {
    /// The path of the user's config file.
    pub fn path() -> Option<PathBuf> {
        if let Some(p) = std::env::var_os("COUNTERSIGN_CONFIG") {
            return Some(PathBuf::from(p));
        }
        directories::ProjectDirs::from("", "", "countersign")
            .map(|d| d.config_dir().join("config.toml"))
    }

    /// Loads the user's config; a missing file gives the defaults.
    pub fn load() -> Result<UserConfig> {
        let Some(path) = Self::path() else {
            return Ok(UserConfig::default());
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(UserConfig::default());
            }
            Err(e) => {
                return Err(e).with_context(|| format!("reading {}", path.display()));
            }
        };
        toml::from_str(&text).map_err(|e| {
            BadInput::new(format!(
                "{}: {}; fix or remove the file",
                path.display(),
                one_line(&e.to_string())
            ))
            .into()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_file_overrides_defaults_key_by_key() {
        let c = RepoConfig::parse(
            "target = \"trunk\"\n[sources]\nrefs = [\"refs/x/*\"]\n",
            "t",
        )
        .unwrap();
        assert_eq!(c.target, "trunk");
        assert_eq!(c.sources.refs, vec!["refs/x/*"]);
        assert!(c.ai.tools.iter().any(|t| t == "Claude"));
    }

    #[test]
    fn broken_repo_file_names_itself() {
        let e = RepoConfig::parse("target = ", ".countersign/config.toml").unwrap_err();
        assert!(e.to_string().contains(".countersign/config.toml"), "{e}");
        assert!(!e.to_string().contains('\n'));
    }
}
