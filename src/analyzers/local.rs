//! Running the configured analyzers on a change: for each analyzer that applies
//! to a changed file, the files it applies to are written from the base and
//! from the head into throw-away directories (never the user's work tree), the
//! command runs on each with its time limit, and the parsed runs are cached by
//! (tool, version, command, commit, files), so a second look costs a file read.
//! The trust root's `.countersign/` is exported too, for `{trust}` in commands
//! (rules files such as semgrep's come from there, not from the change).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::Result;
use sha2::{Digest, Sha256};

use super::config::{Analyzer, AnalyzersConfig};
use super::runner::{self, RunOutcome};
use super::{ToolRun, sarif};
use crate::cache::Cache;
use crate::diff::Diff;
use crate::git::Repo;

/// What running the analyzers gave.
#[derive(Debug, Default)]
pub struct LocalRuns {
    /// (run on the head, run on the base when the base had files to analyse).
    pub runs: Vec<(ToolRun, Option<ToolRun>)>,
    /// One line per analyzer that could not run.
    pub missing: Vec<String>,
}

/// The version command is given this long.
const VERSION_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

/// Runs every configured analyzer that applies to the change `base..head`.
/// `trust` is the commit the configuration came from.
pub fn run_all(
    repo: &Repo,
    config: &AnalyzersConfig,
    trust: &str,
    diff: &Diff,
    base: &str,
    head: &str,
) -> LocalRuns {
    let mut out = LocalRuns::default();
    let cache = Cache::new(&repo.git_dir(), "analyzers");
    for a in &config.analyzers {
        let head_files = side_files(diff, a, true);
        let base_files = side_files(diff, a, false);
        if head_files.is_empty() && base_files.is_empty() {
            continue;
        }
        let Some(version) = version_of(a, &cache) else {
            out.missing.push(format!(
                "{}: `{}` is not installed (not found on PATH)",
                a.name, a.command[0]
            ));
            continue;
        };
        // Base and head at the same time: each is one process, mostly
        // waiting. A repository handle is not shared between threads, so the
        // base's thread opens its own.
        let git_dir = repo.git_dir();
        let (h, b) = std::thread::scope(|s| {
            let b = s.spawn(|| {
                if base_files.is_empty() {
                    return None;
                }
                Some(
                    Repo::open_exact(&git_dir)
                        .map_err(|e| format!("{e:#}"))
                        .and_then(|r| {
                            run_cached(&r, &cache, a, &version, trust, base, &base_files)
                        }),
                )
            });
            let h = run_cached(repo, &cache, a, &version, trust, head, &head_files);
            (h, b.join().unwrap_or(None))
        });
        match (h, b) {
            (Err(e), _) | (Ok(_), Some(Err(e))) => out.missing.push(format!("{}: {e}", a.name)),
            (Ok(h), b) => out.runs.push((h, b.and_then(Result::ok))),
        }
    }
    out
}

/// The changed files on one side that the analyzer applies to.
fn side_files(diff: &Diff, a: &Analyzer, head: bool) -> Vec<String> {
    let mut set = BTreeSet::new();
    for f in &diff.files {
        let p = if head { &f.path.plus } else { &f.path.minus };
        if let Some(p) = p
            && !f.binary
            && a.applies_to(p)
        {
            set.insert(p.clone());
        }
    }
    set.into_iter().collect()
}

/// The tool's version, from the cache when the program file has not changed
/// (keyed by its path, size and time); `None` when it is not installed.
fn version_of(a: &Analyzer, cache: &Cache) -> Option<String> {
    let program = find_program(&a.version_command[0])?;
    let meta = std::fs::metadata(&program).ok()?;
    let stamp = format!(
        "{}:{}:{:?}:{}",
        program.display(),
        meta.len(),
        meta.modified().ok(),
        a.version_command.join("\u{0}")
    );
    let key = format!("version-{}", short_hash(stamp.as_bytes()));
    if let Some(v) = cache.get::<String>(&key) {
        return Some(v);
    }
    let v = runner::tool_version(a, VERSION_TIMEOUT)?;
    cache.put(&key, &v);
    Some(v)
}

/// The program as PATH finds it (or as given, when it names a path).
fn find_program(program: &str) -> Option<PathBuf> {
    if program.contains('/') {
        let p = PathBuf::from(program);
        return p.is_file().then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

fn short_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)[..10]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One analyzer on one commit, cached.
fn run_cached(
    repo: &Repo,
    cache: &Cache,
    a: &Analyzer,
    version: &str,
    trust: &str,
    commit: &str,
    files: &[String],
) -> Result<ToolRun, String> {
    let uses_trust = a.command.iter().any(|p| p.contains("{trust}"));
    let mut h = Sha256::new();
    for f in files {
        h.update(f.as_bytes());
        h.update([0]);
    }
    if uses_trust {
        h.update(trust.as_bytes());
    }
    let key = format!(
        "{}-{}-{}-{commit}-{}",
        a.name,
        a.digest(),
        short_hash(version.as_bytes()),
        Sha256::digest(h.finalize())[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    if let Some(r) = cache.get::<ToolRun>(&key) {
        return Ok(r);
    }
    let run = run_fresh(repo, a, version, trust, commit, files).map_err(|e| e.to_string())?;
    cache.put(&key, &run);
    Ok(run)
}

fn run_fresh(
    repo: &Repo,
    a: &Analyzer,
    version: &str,
    trust: &str,
    commit: &str,
    files: &[String],
) -> Result<ToolRun> {
    let dir = tempfile::Builder::new()
        .prefix("countersign-analyze-")
        .tempdir()?;
    let checkout = dir.path().join("src");
    let scratch = dir.path().join("out");
    let trust_dir = dir.path().join("trust");
    std::fs::create_dir_all(&checkout)?;
    std::fs::create_dir_all(&scratch)?;
    repo.export_files(commit, &checkout, |p| a.applies_to(p))?;
    let mut a = a.clone();
    if a.command.iter().any(|p| p.contains("{trust}")) {
        std::fs::create_dir_all(&trust_dir)?;
        repo.export_files(trust, &trust_dir, |p| p.starts_with(".countersign/"))?;
        let t = trust_dir.to_string_lossy().into_owned();
        for p in &mut a.command {
            *p = p.replace("{trust}", &t);
        }
    }
    match runner::run(&a, &checkout, files, &scratch) {
        RunOutcome::Sarif(bytes) => {
            let runs = sarif::parse(&bytes, Some(&canonical(&checkout)))
                .map_err(|e| anyhow::anyhow!("its output is not SARIF 2.1.0: {e:#}"))?;
            // Tools that name rules after the rules file's path (semgrep:
            // `tmp.x.trust..countersign.my-rule`) would name them after this
            // run's temporary directory: that part is removed.
            let temp_prefixes: Vec<String> =
                [&trust_dir.join(".countersign"), &trust_dir, &checkout]
                    .iter()
                    .flat_map(|d| [d.to_path_buf(), canonical(d)])
                    .map(|d| {
                        format!(
                            "{}.",
                            d.to_string_lossy()
                                .trim_start_matches('/')
                                .replace('/', ".")
                        )
                    })
                    .collect();
            let mut results = Vec::new();
            for r in runs {
                for mut x in r.results {
                    if let Some(rest) = temp_prefixes
                        .iter()
                        .find_map(|p| x.rule.strip_prefix(p.as_str()))
                    {
                        x.rule = rest.to_string();
                    }
                    results.push(x);
                }
            }
            Ok(ToolRun {
                tool: a.name.clone(),
                version: version.to_string(),
                commit: commit.to_string(),
                source: "local".into(),
                results,
            })
        }
        RunOutcome::Missing => Err(anyhow::anyhow!("`{}` is not installed", a.command[0])),
        RunOutcome::TimedOut(d) => Err(anyhow::anyhow!(
            "cut off after its time limit of {} s (timeout_secs in the analyzers file)",
            d.as_secs()
        )),
        RunOutcome::Failed(why) => Err(anyhow::anyhow!("{why}")),
    }
}

fn canonical(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
}
