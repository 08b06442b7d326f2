//! The glue between the engine and a repository: read the rules as of the
//! change's base (a change cannot relax the rules it is judged by), compute the
//! diff, load the few full files the rules want, measure the blast radius, score,
//! and cache the report by (head, base, rules hash). The lead's `show`, the TUI
//! and the queue call `analyse_change`.

use anyhow::Result;
use sha2::{Digest, Sha256};

use crate::cache::Cache;
use crate::change::Change;
use crate::config::RepoConfig;
use crate::diff::Diff;
use crate::git::Repo;

use super::blast::{self, BlastInput, CODEOWNERS_PATHS, Needles};
use super::rules::{RulesError, rules_hash};
use super::{
    Blast, Contents, RiskReport, RuleSet, behaviour, containers, findings_with_message,
    policy_files, report, structured, supply, syntax,
};

/// Where a repository's own rules live.
pub const RULES_PATH: &str = ".countersign/rules.toml";

/// How far back the blast radius looks for churn and fixes.
pub const HISTORY_DAYS: u32 = 90;
/// At most this many commits are walked for churn.
pub const HISTORY_COMMITS: usize = 2000;

/// The rules in force for changes based on `rev`: the built-ins merged with the
/// repository's `.countersign/rules.toml` as of `rev`. A broken file gives the
/// built-ins and the error (which names its line).
pub fn load_rules(repo: &Repo, rev: &str) -> (RuleSet, Option<RulesError>) {
    compile_rules(rules_text(repo, rev).as_deref())
}

/// The text of the repository's rules file as of `rev`, if there is one.
fn rules_text(repo: &Repo, rev: &str) -> Option<String> {
    match repo.read_file_at(rev, RULES_PATH) {
        Ok(Some(bytes)) => Some(String::from_utf8_lossy(&bytes).into_owned()),
        _ => None,
    }
}

/// Compiles the built-ins merged with a rules file's text.
fn compile_rules(text: Option<&str>) -> (RuleSet, Option<RulesError>) {
    let Some(text) = text else {
        return (RuleSet::builtin(), None);
    };
    match RuleSet::load(Some((text, RULES_PATH))) {
        Ok(r) => (r, None),
        Err(e) => (RuleSet::builtin(), Some(e)),
    }
}

/// The risk report of one change, from the cache when it is there.
pub fn analyse_change(repo: &Repo, _cfg: &RepoConfig, change: &Change) -> Result<RiskReport> {
    analyse_range(repo, &change.base, &change.head)
}

/// The risk report of `base..head` (two commit ids) under the rules as of
/// `base`, cached by (head, base, rules hash). For callers that have commits
/// rather than a queued change, such as the gate.
pub fn analyse_range(repo: &Repo, base: &str, head: &str) -> Result<RiskReport> {
    analyse_diff(repo, base, head, None)
}

/// Like [`analyse_range`], reusing `diff` (already computed for `base..head`)
/// when the report is not cached.
pub fn analyse_diff(
    repo: &Repo,
    base: &str,
    head: &str,
    diff: Option<&Diff>,
) -> Result<RiskReport> {
    analyse_under(repo, base, head, diff, rules_text(repo, base).as_deref())
}

/// The risk report of `base..head` under the rules file text `rules` (the
/// gate passes its trust root's `.countersign/rules.toml`, so neither a change
/// nor its base can relax them), cached by (head, base, rules hash).
pub fn analyse_under(
    repo: &Repo,
    base: &str,
    head: &str,
    diff: Option<&Diff>,
    rules: Option<&str>,
) -> Result<RiskReport> {
    // The key needs only the rules' text: a cached report (warnings about a
    // broken rules file included) is found without compiling any rule.
    let text = rules.map(str::to_string);
    let cache = Cache::new(&repo.git_dir(), "risk");
    let key = format!("{head}-{base}-{}", rules_hash(text.as_deref()));
    if let Some(r) = cache.get::<RiskReport>(&key) {
        return Ok(r);
    }
    let (rules, rules_error) = compile_rules(text.as_deref());
    let mut r = match diff {
        Some(d) => report_for(repo, d, base, head, &rules)?,
        None => report_for(repo, &repo.diff(base, head)?.diff, base, head, &rules)?,
    };
    r.warnings = rules_error.iter().map(|e| e.to_string()).collect();
    cache.put(&key, &r);
    Ok(r)
}

/// The report of a computed diff between two commits (no report cache; the blast
/// radius has its own).
pub fn report_for(
    repo: &Repo,
    diff: &Diff,
    base: &str,
    head: &str,
    rules: &RuleSet,
) -> Result<RiskReport> {
    let contents = load_contents(repo, diff, base, head);
    // What the change says it does, held against what it does.
    let message = repo.commit_info(head).ok().map(|c| c.message);
    let mut found = findings_with_message(diff, &contents, rules, message.as_deref());
    let blast = blast_for(repo, diff, base, rules, true)?;
    behaviour::apply_reach(&mut found, &blast);
    Ok(report(found, blast, diff.additions() + diff.deletions()))
}

fn load_contents(repo: &Repo, diff: &Diff, base: &str, head: &str) -> Contents {
    let mut out = Contents::new();
    for f in &diff.files {
        let path = f.display_path();
        let wanted = supply::wants_contents(path)
            || syntax::Grammar::of(path).is_some()
            || structured::Format::of(path).is_some()
            || policy_files::wants_contents(path)
            || super::prefixes::wants_contents(path)
            || containers::wants_contents(path)
            || super::wire::wants_contents(path)
            || super::host_access::wants_contents(path)
            || super::proxy_acls::wants_contents(path)
            || super::firewall_ports::wants_contents(path)
            || super::make_loops::makefile(path)
            // Terraform: what a `local.` reference holds.
            || path.ends_with(".tf")
            // Earlier migrations, as the base held them (what they emptied).
            || super::lang::FileClass::of(path).migration;
        if !wanted || f.binary {
            continue;
        }
        let read = |rev: &str, p: Option<&String>| {
            p.and_then(|p| repo.read_file_at(rev, p).ok().flatten())
                .map(|b| String::from_utf8_lossy(&b).into_owned())
        };
        out.insert(
            path.to_string(),
            crate::diff::MinusPlus::new(
                read(base, f.path.minus.as_ref()),
                read(head, f.path.plus.as_ref()),
            ),
        );
    }
    out
}

/// Whether a blob (by id) uses a name (with its kind) as a reference.
type BlobNames = std::collections::HashMap<([u8; 20], String, u8), bool>;
static BLOB_NAMES: std::sync::LazyLock<std::sync::Mutex<BlobNames>> =
    std::sync::LazyLock::new(Default::default);
/// Entries remembered before the memo starts over (tens of MB at most).
const BLOB_NAMES_MAX: usize = 1_000_000;

/// The blast radius of a diff against the repository as of `base`; cached by
/// (base, changed paths, rules hash) when `use_cache`.
pub fn blast_for(
    repo: &Repo,
    diff: &Diff,
    base: &str,
    rules: &RuleSet,
    use_cache: bool,
) -> Result<Blast> {
    let changed: Vec<String> = diff
        .files
        .iter()
        .map(|f| f.display_path().to_string())
        .collect();
    let mut h = Sha256::new();
    for p in &changed {
        h.update(p.as_bytes());
        h.update([0]);
    }
    let digest = h.finalize();
    let key = format!(
        "{base}-{}-{}",
        digest[..10]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>(),
        rules.hash
    );
    let cache = Cache::new(&repo.git_dir(), "blast");
    if use_cache && let Some(b) = cache.get::<Blast>(&key) {
        return Ok(b);
    }
    // Files that exist at the base are the ones others can depend on.
    let existing: Vec<String> = diff
        .files
        .iter()
        .map(|f| f.path.minus.clone().unwrap_or_default())
        .collect();
    let needles = Needles::new(&existing);
    let (repo_files, references) = if needles.is_empty() {
        (0, Vec::new())
    } else {
        // What a blob references depends only on its content: remembered by
        // blob id and name across the changes of one process (a queue's
        // bases share most of their files).
        let keys: Vec<(String, u8)> = needles.keys().map(|(n, k)| (n.to_string(), k)).collect();
        let recall = |id: &[u8; 20]| -> Option<Vec<bool>> {
            let memo = BLOB_NAMES.lock().ok()?;
            keys.iter()
                .map(|(n, k)| memo.get(&(*id, n.clone(), *k)).copied())
                .collect()
        };
        repo.scan_files_at(
            base,
            blast::searchable,
            |path, id| {
                let found = recall(id)?;
                let hits = needles.files_of(path, &found);
                Some((!hits.is_empty()).then(|| (path.to_string(), hits)))
            },
            |path, id, data| {
                let found = needles.names_in(data);
                if let Ok(mut memo) = BLOB_NAMES.lock() {
                    if memo.len() > BLOB_NAMES_MAX {
                        memo.clear();
                    }
                    for ((n, k), hit) in keys.iter().zip(&found) {
                        memo.insert((*id, n.clone(), *k), *hit);
                    }
                }
                let hits = needles.files_of(path, &found);
                (!hits.is_empty()).then(|| (path.to_string(), hits))
            },
        )?
    };
    let codeowners = CODEOWNERS_PATHS
        .iter()
        .find_map(|p| repo.read_file_at(base, p).ok().flatten())
        .map(|b| String::from_utf8_lossy(&b).into_owned());
    let history = repo
        .path_history(
            base,
            &existing
                .iter()
                .filter(|p| !p.is_empty())
                .cloned()
                .collect::<Vec<_>>(),
            HISTORY_DAYS,
            HISTORY_COMMITS,
        )
        .unwrap_or_default();
    let b = blast::compute(&BlastInput {
        changed: &changed,
        references: &references,
        repo_files,
        codeowners: codeowners.as_deref(),
        history: &history,
        history_days: HISTORY_DAYS,
        rules,
    });
    if use_cache {
        cache.put(&key, &b);
    }
    Ok(b)
}
