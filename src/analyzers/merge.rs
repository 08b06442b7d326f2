//! Weighing analyzer results into a change's risk report: the engine's report,
//! plus, per tool, the results on the head that the change introduced (see
//! [`super::matching`]) as findings named `<tool> <rule>`, with the SARIF
//! level or `security-severity` mapped to low–critical and the repository's
//! weight (cap/raise) applied; they score like the engine's own. Results that
//! were already there, or that sit on lines the change left alone when no run
//! on the base is known, are kept aside (`hidden`) and do not score.

use std::collections::{BTreeMap, HashMap, HashSet};

use anyhow::Result;
use serde::Serialize;

use super::config::{AnalyzersConfig, trust_commit};
use super::matching::{Placed, introduced};
use super::{AnalysisResult, AnalysisSummary, RunSummary, ToolRun, local, store};
use crate::diff::{Diff, LineKind};
use crate::git::Repo;
use crate::risk::{Finding, RiskReport, Side};

/// What to do besides reading attached results.
#[derive(Debug, Clone, Copy, Default)]
pub struct AnalysisOptions {
    /// Run the analyzers configured at the trust root (cached).
    pub run_local: bool,
}

/// A risk report with the analyzers' part (`risk --json` prints this: the
/// report's fields plus `analyzers`).
#[derive(Debug, Clone, Serialize)]
pub struct AnalysedReport {
    #[serde(flatten)]
    pub report: RiskReport,
    pub analyzers: AnalysisSummary,
}

/// At most this many hidden results are kept in a report (worst first).
const MAX_HIDDEN: usize = 500;

/// A finding's message is cut to this many characters.
const MAX_MESSAGE: usize = 300;

/// The risk report of `base..head` with analyzer findings merged in.
pub fn analysed_report(
    repo: &Repo,
    base: &str,
    head: &str,
    diff: &Diff,
    opts: AnalysisOptions,
) -> Result<AnalysedReport> {
    let mut report = crate::risk::analyse_diff(repo, base, head, Some(diff))?;
    let mut summary = AnalysisSummary::default();
    let (config, trust) = match trust_commit(repo) {
        Ok(t) => match AnalyzersConfig::load_at(repo, &t) {
            Ok(c) => (c, t),
            Err(e) => {
                report.warnings.push(format!("{e:#}"));
                (AnalyzersConfig::default(), t)
            }
        },
        Err(_) => (AnalyzersConfig::default(), String::new()),
    };
    let local = if opts.run_local && !config.analyzers.is_empty() {
        local::run_all(repo, &config, &trust, diff, base, head)
    } else {
        local::LocalRuns::default()
    };
    summary.missing = local.missing;
    let mut groups: Vec<(Vec<ToolRun>, Option<Vec<ToolRun>>)> = Vec::new();
    let mut local_tools = HashSet::new();
    for (h, b) in local.runs {
        local_tools.insert(h.tool.clone());
        groups.push((vec![h], b.map(|b| vec![b])));
    }
    let (head_attached, skipped) = store::attached(repo, head)?;
    let (base_attached, _) = if base == head {
        (Vec::new(), 0)
    } else {
        store::attached(repo, base)?
    };
    if skipped > 0 {
        report.warnings.push(format!(
            "{skipped} attached analyzer run(s) on {} could not be read and were skipped",
            short(head)
        ));
    }
    let mut by_tool: BTreeMap<String, Vec<ToolRun>> = BTreeMap::new();
    for r in head_attached {
        if !local_tools.contains(&r.tool) {
            by_tool.entry(r.tool.clone()).or_default().push(r);
        }
    }
    for (tool, runs) in by_tool {
        let base_runs: Vec<ToolRun> = base_attached
            .iter()
            .filter(|r| r.tool == tool)
            .cloned()
            .collect();
        groups.push((runs, (!base_runs.is_empty()).then_some(base_runs)));
    }
    let view = DiffView::new(diff);
    let mut texts = LineTexts::new(repo, &view);
    let mut found = Vec::new();
    for (head_runs, base_runs) in &groups {
        let tool = head_runs[0].tool.clone();
        let head_results = results_of(head_runs, &view, false);
        let base_results = base_runs.as_ref().map(|b| results_of(b, &view, true));
        let head_texts: Vec<Option<String>> = head_results
            .iter()
            .map(|r| texts.get(head, &r.path, r.line))
            .collect();
        let is_new = match &base_results {
            Some(b) => {
                let base_texts: Vec<Option<String>> = b
                    .iter()
                    .map(|r| {
                        let at_base = view.base_path(&r.path).unwrap_or(&r.path).to_string();
                        texts.get(base, &at_base, r.line)
                    })
                    .collect();
                let hp = placed(&head_results, &head_texts);
                let bp = placed(b, &base_texts);
                introduced(&hp, &bp)
            }
            None => head_results
                .iter()
                .map(|r| r.line.is_some_and(|l| view.added(&r.path, l)))
                .collect(),
        };
        let weigh = |s: crate::risk::Severity| config.get(&tool).map_or(s, |a| a.weigh(s));
        let mut new_count = 0;
        for (r, new) in head_results.iter().zip(&is_new) {
            let f = Finding {
                rule: format!("{tool} {}", r.rule),
                severity: weigh(r.severity()),
                path: r.path.clone(),
                line: r.line,
                side: Side::New,
                message: message_of(r),
            };
            if *new {
                new_count += 1;
                found.push(f);
            } else {
                summary.hidden.push(f);
            }
        }
        summary.ran.push(RunSummary {
            tool: tool.clone(),
            version: head_runs[0].version.clone(),
            head: head.to_string(),
            source: head_runs[0].source.clone(),
            compared_with_base: base_results.is_some(),
            results: head_results.len(),
            new: new_count,
        });
    }
    // A repository's backlog can run to thousands: the worst are kept.
    summary.hidden.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.path.cmp(&b.path))
    });
    summary.hidden.truncate(MAX_HIDDEN);
    crate::risk::add_findings(&mut report, found, diff.additions() + diff.deletions());
    Ok(AnalysedReport {
        report,
        analyzers: summary,
    })
}

fn short(id: &str) -> String {
    id.chars().take(10).collect()
}

/// The results of a tool's runs, paths put in the diff's terms, exact
/// repeats (the same run attached twice) removed.
fn results_of(runs: &[ToolRun], view: &DiffView, base: bool) -> Vec<AnalysisResult> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for run in runs {
        for r in &run.results {
            let mut r = r.clone();
            r.path = view.resolve(&r.path, base);
            let key = (r.rule.clone(), r.path.clone(), r.line, r.message.clone());
            if seen.insert(key) {
                out.push(r);
            }
        }
    }
    out
}

fn placed<'a>(results: &'a [AnalysisResult], texts: &'a [Option<String>]) -> Vec<Placed<'a>> {
    results
        .iter()
        .zip(texts)
        .map(|(r, t)| Placed {
            result: r,
            text: t.as_deref(),
        })
        .collect()
}

/// The tool's message on one line, cut to [`MAX_MESSAGE`] characters.
fn message_of(r: &AnalysisResult) -> String {
    let one: String = r.message.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut m: String = one.chars().take(MAX_MESSAGE).collect();
    if one.chars().count() > MAX_MESSAGE {
        m.push('…');
    }
    if m.is_empty() {
        m = format!("{} reported {}.", "The analyzer", r.rule);
    }
    m
}

/// What the merge needs to know of the diff: the changed paths (for putting
/// a CI job's absolute paths in repository terms), renames, added lines.
struct DiffView {
    /// New paths, and old paths of deleted files.
    paths: Vec<String>,
    /// Old path → new path of renamed files.
    renamed: HashMap<String, String>,
    added: HashSet<(String, u32)>,
}

impl DiffView {
    fn new(diff: &Diff) -> DiffView {
        let mut paths = Vec::new();
        let mut renamed = HashMap::new();
        let mut added = HashSet::new();
        for f in &diff.files {
            paths.push(f.display_path().to_string());
            if let (Some(a), Some(b)) = (&f.path.minus, &f.path.plus)
                && a != b
            {
                renamed.insert(a.clone(), b.clone());
            }
            for l in f.hunks.iter().flat_map(|h| &h.lines) {
                if l.kind == LineKind::Added
                    && let Some(n) = l.new_no
                {
                    added.insert((f.display_path().to_string(), n));
                }
            }
        }
        DiffView {
            paths,
            renamed,
            added,
        }
    }

    /// `path` in repository terms: a path the diff knows as it is; an
    /// absolute or prefixed path that ends in one the diff knows, as that
    /// one; a base path through its rename.
    fn resolve(&self, path: &str, base: bool) -> String {
        let path = path.trim_start_matches("./");
        let known = |p: &str| self.paths.iter().any(|x| x == p) || self.renamed.contains_key(p);
        let resolved = if known(path) {
            path.to_string()
        } else {
            self.paths
                .iter()
                .chain(self.renamed.keys())
                .filter(|p| path.ends_with(&format!("/{p}")))
                .max_by_key(|p| p.len())
                .cloned()
                .unwrap_or_else(|| path.to_string())
        };
        if base {
            self.renamed.get(&resolved).cloned().unwrap_or(resolved)
        } else {
            resolved
        }
    }

    /// The base path of a head path (through a rename), if renamed.
    fn base_path(&self, head_path: &str) -> Option<&str> {
        self.renamed
            .iter()
            .find(|(_, new)| *new == head_path)
            .map(|(old, _)| old.as_str())
    }

    fn added(&self, path: &str, line: u32) -> bool {
        self.added.contains(&(path.to_string(), line))
    }
}

/// Line texts of files in the diff, read once per (commit, path).
struct LineTexts<'r> {
    repo: &'r Repo,
    wanted: HashSet<String>,
    files: HashMap<(String, String), Option<Vec<String>>>,
}

impl<'r> LineTexts<'r> {
    fn new(repo: &'r Repo, view: &DiffView) -> LineTexts<'r> {
        let mut wanted: HashSet<String> = view.paths.iter().cloned().collect();
        wanted.extend(view.renamed.keys().cloned());
        LineTexts {
            repo,
            wanted,
            files: HashMap::new(),
        }
    }

    /// The trimmed text of `line` of `path` at `commit`; `None` for files the
    /// change did not touch (their lines are where they were) or unreadable.
    fn get(&mut self, commit: &str, path: &str, line: Option<u32>) -> Option<String> {
        let line = line?;
        if !self.wanted.contains(path) {
            return None;
        }
        let repo = self.repo;
        let lines = self
            .files
            .entry((commit.to_string(), path.to_string()))
            .or_insert_with(|| {
                repo.read_file_at(commit, path).ok().flatten().map(|b| {
                    String::from_utf8_lossy(&b)
                        .lines()
                        .map(|l| l.trim().to_string())
                        .collect()
                })
            });
        lines.as_ref()?.get(line.checked_sub(1)? as usize).cloned()
    }
}
