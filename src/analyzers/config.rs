//! `.countersign/analyzers.toml`: the analyzers a repository runs on every
//! change, read from the trust root only. A command named in a change would
//! run the change author's program on the reviewer's machine, so the file in
//! the change, and in the work tree, is never read.

use std::time::Duration;

use anyhow::Result;
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::git::Repo;
use crate::risk::Severity;

/// Where the analyzers are configured (at the trust root).
pub const ANALYZERS_PATH: &str = ".countersign/analyzers.toml";

/// The time limit of an analyzer that names none.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// The longest time limit a file may set (an hour); more is a typo.
const MAX_TIMEOUT_SECS: u64 = 3600;

/// The analyzers of a repository.
#[derive(Debug, Clone, Default)]
pub struct AnalyzersConfig {
    pub analyzers: Vec<Analyzer>,
    /// The commit the file was read from (`None`: no file there).
    pub read_at: Option<String>,
}

/// One analyzer: a command that writes SARIF, and where it applies.
#[derive(Debug, Clone)]
pub struct Analyzer {
    /// The tool's name, as findings are named (`bandit`, `semgrep`).
    pub name: String,
    /// Program and arguments, no shell. `{out}` is replaced by the SARIF file
    /// to write, `{files}` by the changed files it applies to (one argument
    /// each); without `{out}` the SARIF is read from standard output.
    pub command: Vec<String>,
    /// The command that prints the tool's version (default: `<program> --version`).
    pub version_command: Vec<String>,
    /// The file kinds it applies to (globs on the path); it runs only when the
    /// change touches one.
    pub files: GlobSet,
    /// The globs as written, for hashing and display.
    pub file_globs: Vec<String>,
    pub timeout: Duration,
    /// No finding of this tool is more severe than this.
    pub cap: Option<Severity>,
    /// Each finding of this tool is raised this many levels (before the cap).
    pub raise: u8,
}

impl Analyzer {
    /// True when the analyzer applies to `path`.
    pub fn applies_to(&self, path: &str) -> bool {
        self.files.is_match(path)
    }

    /// The severity of a finding of this tool after the file's weight.
    pub fn weigh(&self, s: Severity) -> Severity {
        let mut s = s;
        for _ in 0..self.raise {
            s = s.raised();
        }
        match self.cap {
            Some(c) if s > c => c,
            _ => s,
        }
    }

    /// A digest of what decides the analyzer's output (command and globs), for
    /// cache keys: editing the entry invalidates its cached runs.
    pub fn digest(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for part in self.command.iter().chain(&self.file_globs) {
            h.update(part.as_bytes());
            h.update([0]);
        }
        h.finalize()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileToml {
    #[serde(default, rename = "analyzer")]
    analyzers: Vec<AnalyzerToml>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnalyzerToml {
    name: String,
    command: Vec<String>,
    #[serde(default)]
    version: Option<Vec<String>>,
    files: Vec<String>,
    #[serde(default)]
    timeout_secs: Option<u64>,
    #[serde(default)]
    cap: Option<String>,
    #[serde(default)]
    raise: Option<u8>,
}

impl AnalyzersConfig {
    /// Parses the file's text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<AnalyzersConfig> {
        let bad = |msg: String| -> anyhow::Error {
            crate::error::BadInput::new(format!(
                "{origin}: {}; fix the file at the trust root",
                crate::config::one_line(&msg)
            ))
            .into()
        };
        let file: FileToml = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        let mut out = Vec::new();
        for a in file.analyzers {
            let name = a.name.trim().to_string();
            if name.is_empty() || name.chars().any(|c| c.is_control() || c.is_whitespace()) {
                return Err(bad(format!(
                    "analyzer name {:?} must be one word without control characters",
                    a.name
                )));
            }
            if a.command.is_empty() || a.command[0].is_empty() {
                return Err(bad(format!("analyzer {name}: `command` names no program")));
            }
            if a.files.is_empty() {
                return Err(bad(format!(
                    "analyzer {name}: `files` needs at least one glob, e.g. [\"*.py\"]"
                )));
            }
            let mut set = GlobSetBuilder::new();
            for g in &a.files {
                // A glob without a slash matches in any directory, like .gitignore.
                let pattern = if g.contains('/') {
                    g.clone()
                } else {
                    format!("**/{g}")
                };
                set.add(
                    Glob::new(&pattern)
                        .map_err(|e| bad(format!("analyzer {name}: glob {g:?}: {e}")))?,
                );
            }
            let files = set
                .build()
                .map_err(|e| bad(format!("analyzer {name}: {e}")))?;
            let severity = |field: &str, v: &Option<String>| -> Result<Option<Severity>> {
                match v {
                    None => Ok(None),
                    Some(s) => Severity::parse(s).map(Some).ok_or_else(|| {
                        bad(format!(
                            "analyzer {name}: {field} = {s:?} is not low, medium, high or critical"
                        ))
                    }),
                }
            };
            let timeout_secs = a.timeout_secs.unwrap_or(DEFAULT_TIMEOUT.as_secs());
            if timeout_secs == 0 || timeout_secs > MAX_TIMEOUT_SECS {
                return Err(bad(format!(
                    "analyzer {name}: timeout_secs = {timeout_secs} must be 1 to {MAX_TIMEOUT_SECS}"
                )));
            }
            out.push(Analyzer {
                version_command: a
                    .version
                    .filter(|v| !v.is_empty())
                    .unwrap_or_else(|| vec![a.command[0].clone(), "--version".into()]),
                command: a.command,
                files,
                file_globs: a.files,
                timeout: Duration::from_secs(timeout_secs),
                cap: severity("cap", &a.cap)?,
                raise: a.raise.unwrap_or(0).min(3),
                name,
            });
        }
        Ok(AnalyzersConfig {
            analyzers: out,
            read_at: None,
        })
    }

    /// The analyzers configured at commit `trust_commit` (the trust root):
    /// none when the file is absent there; a broken file is bad input.
    pub fn load_at(repo: &Repo, trust_commit: &str) -> Result<AnalyzersConfig> {
        let Some(bytes) = repo.read_file_at(trust_commit, ANALYZERS_PATH)? else {
            return Ok(AnalyzersConfig::default());
        };
        let text = String::from_utf8_lossy(&bytes);
        let short: String = trust_commit.chars().take(10).collect();
        let mut c = AnalyzersConfig::parse(&text, &format!("{ANALYZERS_PATH} at {short}"))?;
        c.read_at = Some(trust_commit.to_string());
        Ok(c)
    }

    /// The analyzer named `tool`, if configured.
    pub fn get(&self, tool: &str) -> Option<&Analyzer> {
        self.analyzers.iter().find(|a| a.name == tool)
    }
}

/// The commit trusted configuration is read from: the default trust root
/// (the remote's default branch, else the local target branch), the same
/// commit the gate reads policy and signers from.
pub fn trust_commit(repo: &Repo) -> Result<String> {
    crate::trust::default_trust(repo).map(|(_, commit)| commit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_an_analyzer_with_weights() {
        let c = AnalyzersConfig::parse(
            r#"
[[analyzer]]
name = "bandit"
command = ["bandit", "-f", "sarif", "{files}"]
files = ["*.py"]
timeout_secs = 30
cap = "medium"
raise = 1
"#,
            "t",
        )
        .unwrap();
        let a = &c.analyzers[0];
        assert!(a.applies_to("src/app.py") && a.applies_to("app.py"));
        assert!(!a.applies_to("app.rs"));
        assert_eq!(a.weigh(Severity::Low), Severity::Medium);
        assert_eq!(a.weigh(Severity::High), Severity::Medium);
        assert_eq!(a.version_command, vec!["bandit", "--version"]);
        assert_eq!(a.timeout, Duration::from_secs(30));
    }

    #[test]
    fn broken_files_name_the_problem() {
        for (text, needle) in [
            (
                "[[analyzer]]\nname = \"x\"\ncommand = []\nfiles = [\"*\"]",
                "names no program",
            ),
            (
                "[[analyzer]]\nname = \"x\"\ncommand = [\"x\"]\nfiles = []",
                "at least one glob",
            ),
            (
                "[[analyzer]]\nname = \"x\"\ncommand = [\"x\"]\nfiles = [\"*\"]\ncap = \"huge\"",
                "not low, medium",
            ),
            (
                "[[analyzer]]\nname = \"x\"\ncommand = [\"x\"]\nfiles = [\"*\"]\nshell = true",
                "unknown field",
            ),
        ] {
            let e = AnalyzersConfig::parse(text, "t").unwrap_err().to_string();
            assert!(e.contains(needle), "{e}");
        }
    }
}
