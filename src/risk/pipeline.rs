//! CI pipelines read as job graphs (GitLab CI, GitHub Actions, CircleCI): which jobs a
//! deploy waits for before it runs, and which environment a job acts on.
//!
//! * `ci-deploy-ungated`: a deploy job that waited for test, lint or scan jobs
//!   (through `needs:`, or GitLab's stage order when it has no `needs:`) and
//!   no longer does: it can ship while they fail.
//! * `ci-approval-removed`: a production deploy that waited for a person
//!   (GitLab's `when: manual`, a GitHub environment, a CircleCI approval
//!   job) and no longer does, also when moved into a called workflow.
//! * A teardown command (`helm uninstall`, `kubectl delete namespace`, …) in a
//!   job bound to a per-branch review environment, whose target is named by
//!   that branch, is the environment's own clean-up: its finding drops to low.

use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

use regex::Regex;
use yaml_rust::Yaml;

use super::{ChangeView, FileView, Finding, Severity, quote};

/// Which CI system a file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum System {
    GitLab,
    GitHub,
    /// CircleCI: jobs wait for what their workflow entry `requires`.
    CircleCi,
}

/// One job, as far as these rules care.
#[derive(Debug, Clone, Default)]
struct Job {
    name: String,
    stage: Option<String>,
    /// `None` when the job does not say (GitLab then orders it by stage).
    needs: Option<Vec<String>>,
    environment: Option<String>,
    /// GitLab's `environment.action` (`stop` for a teardown job).
    env_action: Option<String>,
    /// Runs only when a person starts it: GitLab's `when: manual` (on the
    /// job or one of its `rules:`), CircleCI's `type: approval`.
    manual: bool,
    variables: HashMap<String, String>,
    /// Every string in the job (scripts, steps), for what it runs.
    text: String,
}

/// A pipeline: its jobs, stages and pipeline-wide variables.
#[derive(Debug, Clone)]
struct Pipeline {
    system: System,
    jobs: Vec<Job>,
    stages: Vec<String>,
    variables: HashMap<String, String>,
}

/// GitLab's top-level keys that are not jobs.
const GITLAB_KEYWORDS: &[&str] = &[
    "stages",
    "variables",
    "default",
    "include",
    "workflow",
    "image",
    "services",
    "before_script",
    "after_script",
    "cache",
    "types",
    "pages:deploy",
];

fn system_of(path: &str) -> Option<System> {
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".gitlab-ci.yml") || lower.starts_with(".gitlab/ci/") {
        Some(System::GitLab)
    } else if lower.starts_with(".github/workflows/") {
        Some(System::GitHub)
    } else if lower.starts_with(".circleci/") {
        Some(System::CircleCi)
    } else {
        None
    }
}

fn s(y: &Yaml) -> Option<String> {
    match y {
        Yaml::String(v) | Yaml::Real(v) => Some(v.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

fn get<'a>(y: &'a Yaml, key: &str) -> Option<&'a Yaml> {
    y.as_hash()?.get(&Yaml::String(key.to_string()))
}

/// Every string under a node, one per line.
fn all_text(y: &Yaml, out: &mut String) {
    match y {
        Yaml::Hash(h) => {
            for (k, v) in h {
                if let Some(k) = s(k) {
                    out.push_str(&k);
                    out.push('\n');
                }
                all_text(v, out);
            }
        }
        Yaml::Array(a) => a.iter().for_each(|v| all_text(v, out)),
        v => {
            if let Some(t) = s(v) {
                out.push_str(&t);
                out.push('\n');
            }
        }
    }
}

fn variables(y: Option<&Yaml>) -> HashMap<String, String> {
    let mut out = HashMap::new();
    if let Some(h) = y.and_then(Yaml::as_hash) {
        for (k, v) in h {
            let value = s(v).or_else(|| get(v, "value").and_then(s));
            if let (Some(k), Some(v)) = (s(k), value) {
                out.insert(k, v);
            }
        }
    }
    out
}

fn needs_of(y: &Yaml) -> Vec<String> {
    match y {
        Yaml::Array(a) => a
            .iter()
            .filter_map(|n| s(n).or_else(|| get(n, "job").and_then(s)))
            .collect(),
        v => s(v).into_iter().collect(),
    }
}

/// The job's own keys merged over the templates it `extends` (GitLab).
fn merged<'a>(root: &'a Yaml, job: &'a Yaml, depth: u8) -> Vec<&'a Yaml> {
    let mut chain = vec![job];
    if depth > 5 {
        return chain;
    }
    let parents: Vec<String> = match get(job, "extends") {
        Some(Yaml::Array(a)) => a.iter().filter_map(s).collect(),
        Some(v) => s(v).into_iter().collect(),
        None => Vec::new(),
    };
    for p in parents.iter().rev() {
        if let Some(t) = get(root, p) {
            chain.extend(merged(root, t, depth + 1));
        }
    }
    chain
}

fn parse(path: &str, text: &str) -> Option<Pipeline> {
    parse_with(path, text, &[])
}

/// A pipeline read from its file and the files it includes (GitLab's
/// `include: local:`): their jobs, templates and stages join its own, the
/// including file's keys winning.
fn parse_with(path: &str, text: &str, included: &[&str]) -> Option<Pipeline> {
    let system = system_of(path)?;
    let docs = yaml_rust::YamlLoader::load_from_str(text).ok()?;
    let mut root = docs.into_iter().next()?;
    for t in included {
        let Some(Yaml::Hash(more)) = yaml_rust::YamlLoader::load_from_str(t)
            .ok()
            .and_then(|d| d.into_iter().next())
        else {
            continue;
        };
        if let Yaml::Hash(h) = &mut root {
            for (k, v) in more {
                h.entry(k).or_insert(v);
            }
        }
    }
    let root = root;
    let mut jobs = Vec::new();
    let (job_nodes, stages): (Vec<(String, &Yaml)>, Vec<String>) = match system {
        System::GitLab => {
            let stages = get(&root, "stages")
                .and_then(Yaml::as_vec)
                .map(|v| v.iter().filter_map(s).collect())
                .unwrap_or_else(|| {
                    [".pre", "build", "test", "deploy", ".post"]
                        .map(String::from)
                        .to_vec()
                });
            let jobs = root
                .as_hash()?
                .iter()
                .filter_map(|(k, v)| Some((s(k)?, v)))
                .filter(|(k, v)| {
                    !k.starts_with('.')
                        && !GITLAB_KEYWORDS.contains(&k.as_str())
                        && v.as_hash().is_some()
                })
                .collect();
            (jobs, stages)
        }
        System::GitHub => {
            let jobs = get(&root, "jobs")?
                .as_hash()?
                .iter()
                .filter_map(|(k, v)| Some((s(k)?, v)))
                .collect();
            (jobs, Vec::new())
        }
        System::CircleCi => {
            return Some(Pipeline {
                system,
                jobs: circleci_jobs(&root)?,
                stages: Vec::new(),
                variables: HashMap::new(),
            });
        }
    };
    for (name, node) in job_nodes {
        let chain = if system == System::GitLab {
            merged(&root, node, 0)
        } else {
            vec![node]
        };
        let first = |key: &str| chain.iter().find_map(|n| get(n, key));
        let env = first("environment");
        let mut text = String::new();
        for n in &chain {
            all_text(n, &mut text);
        }
        let mut vars = HashMap::new();
        for n in chain.iter().rev() {
            vars.extend(variables(get(n, "variables").or_else(|| get(n, "env"))));
        }
        jobs.push(Job {
            name,
            stage: first("stage").and_then(s),
            needs: first("needs").map(needs_of),
            environment: env.and_then(|e| s(e).or_else(|| get(e, "name").and_then(s))),
            env_action: env.and_then(|e| get(e, "action")).and_then(s),
            manual: first("when").and_then(s).as_deref() == Some("manual")
                || first("rules").and_then(Yaml::as_vec).is_some_and(|rules| {
                    rules
                        .iter()
                        .any(|r| get(r, "when").and_then(s).as_deref() == Some("manual"))
                }),
            variables: vars,
            text,
        });
    }
    let globals = variables(get(&root, "variables").or_else(|| get(&root, "env")));
    Some(Pipeline {
        system,
        jobs,
        stages,
        variables: globals,
    })
}

/// CircleCI's workflow entries as jobs named `workflow/job`, each waiting
/// for what it `requires`, with the text of the job it runs.
fn circleci_jobs(root: &Yaml) -> Option<Vec<Job>> {
    let defs = get(root, "jobs");
    let mut out = Vec::new();
    for (wf, w) in get(root, "workflows")?.as_hash()? {
        let (Some(wf), Some(entries)) = (s(wf), get(w, "jobs").and_then(Yaml::as_vec)) else {
            continue;
        };
        for e in entries {
            let (job, params) = match e {
                Yaml::Hash(h) => match h.iter().next() {
                    Some((k, v)) => (s(k), Some(v)),
                    None => (None, None),
                },
                v => (s(v), None),
            };
            let Some(job) = job else { continue };
            let alias = params.and_then(|p| get(p, "name")).and_then(s);
            let mut text = String::new();
            if let Some(d) = defs.and_then(|d| get(d, &job)) {
                all_text(d, &mut text);
            }
            if let Some(p) = params {
                all_text(p, &mut text);
            }
            let requires = params
                .and_then(|p| get(p, "requires"))
                .map(needs_of)
                .unwrap_or_default();
            out.push(Job {
                name: format!("{wf}/{}", alias.unwrap_or_else(|| job.clone())),
                manual: params.and_then(|p| get(p, "type")).and_then(s).as_deref()
                    == Some("approval"),
                needs: Some(requires.into_iter().map(|r| format!("{wf}/{r}")).collect()),
                text,
                ..Job::default()
            });
        }
    }
    Some(out)
}

impl Pipeline {
    fn job(&self, name: &str) -> Option<&Job> {
        self.jobs.iter().find(|j| j.name == name)
    }

    fn stage_index(&self, j: &Job) -> usize {
        let stage = j.stage.as_deref().unwrap_or("test");
        self.stages
            .iter()
            .position(|s| s == stage)
            .unwrap_or(usize::MAX / 2)
    }

    /// The jobs `j` waits for directly.
    fn direct(&self, j: &Job) -> Vec<String> {
        match (&j.needs, self.system) {
            (Some(n), _) => n.clone(),
            (None, System::GitHub | System::CircleCi) => Vec::new(),
            (None, System::GitLab) => {
                let mine = self.stage_index(j);
                self.jobs
                    .iter()
                    .filter(|o| self.stage_index(o) < mine)
                    .map(|o| o.name.clone())
                    .collect()
            }
        }
    }

    /// Whether job `j` runs only once a person approves it: it is manual,
    /// waits for a manual job (CircleCI's approval step), or, on GitHub,
    /// deploys through an environment, where required reviewers are set.
    fn approved(&self, j: &Job) -> bool {
        j.manual
            || (self.system == System::GitHub && j.environment.is_some())
            || self
                .waits_for(&j.name)
                .iter()
                .any(|n| self.job(n).is_some_and(|w| w.manual))
    }

    /// Every job `name` waits for, directly or through others.
    fn waits_for(&self, name: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![name.to_string()];
        while let Some(n) = todo.pop() {
            let Some(j) = self.job(&n) else { continue };
            for d in self.direct(j) {
                if seen.insert(d.clone()) {
                    todo.push(d);
                }
            }
        }
        seen
    }
}

static CHECK_JOB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(^|[-_:./ ])(tests?|spec|specs|lint\w*|checks?|verify|scan\w*|audit|sast|dast|security|e2e|integration|unit|qa|typecheck|vet|clippy|smoke)([-_:. ]|$)").unwrap()
});
static DEPLOY_JOB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(deploy|release|publish|promote|ship|rollout|go[-_]live)").unwrap()
});
static PRODUCTION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?im)(^|[-_/. ])(prod|production|prd|live)([-_/. ]|$)").unwrap());

fn is_check(j: &Job) -> bool {
    CHECK_JOB.is_match(&j.name) || super::delivery::runs_checks(&j.text)
}

fn is_deploy(j: &Job) -> bool {
    j.env_action.as_deref() != Some("stop")
        && (DEPLOY_JOB.is_match(&j.name) || j.environment.is_some())
}

fn is_production(j: &Job) -> bool {
    j.environment
        .as_deref()
        .is_some_and(|e| PRODUCTION.is_match(e))
        || PRODUCTION.is_match(&j.name)
}

/// The first and last line (1-based) of job `job` in a YAML text: its
/// header, the least indented `job:` line, and what is indented below it.
fn job_span(text: &str, job: &str) -> Option<(u32, u32)> {
    let lines: Vec<&str> = text.lines().collect();
    let indent = |t: &str| t.len() - t.trim_start().len();
    let header = |t: &str| {
        let k = t.trim().trim_end_matches(':');
        t.trim_end().ends_with(':') && k.trim_matches(['"', '\'']) == job
    };
    let start = (0..lines.len())
        .filter(|&i| header(lines[i]))
        .min_by_key(|&i| indent(lines[i]))?;
    let own = indent(lines[start]);
    let end = lines[start + 1..]
        .iter()
        .position(|t| !t.trim().is_empty() && !t.trim_start().starts_with('#') && indent(t) <= own)
        .map_or(lines.len(), |e| start + 1 + e);
    Some((start as u32 + 1, end as u32))
}

/// The line of `key:` inside job `job` (else the job's header line).
fn job_line(text: &str, job: &str, key: &str) -> Option<u32> {
    let (start, end) = job_span(text, job)?;
    let found = text
        .lines()
        .enumerate()
        .skip(start as usize - 1)
        .take((end - start + 1) as usize)
        .find(|(_, t)| t.trim_start().starts_with(&format!("{key}:")))
        .map(|(i, _)| i as u32 + 1);
    Some(found.unwrap_or(start))
}

/// A pipeline's deploy jobs compared before and after, the file parsed
/// once: deploys that stopped waiting for checks, and production deploys
/// that stopped waiting for a person.
pub fn check(f: &FileView<'_>, change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    if f.class.docs || f.class.test_like() {
        return;
    }
    let (Some(old), Some(new)) = (f.old_text(), f.new_text()) else {
        return;
    };
    // GitLab files of the change that this one includes, or that include
    // it: one pipeline. Each file reports the jobs written in it.
    let (old_parts, new_parts) = gitlab_companions(f, change);
    let (Some(a), Some(b)) = (
        parse_with(f.path, old, &old_parts),
        parse_with(f.path, new, &new_parts),
    ) else {
        return;
    };
    let mut found = Vec::new();
    ungated(f, &a, &b, new, &mut found);
    if !new_parts.is_empty() {
        found.retain_mut(|x| {
            let Some(job) = x.message.split('`').nth(1).map(str::to_string) else {
                return false;
            };
            if job_span(new, &job).is_some() {
                return true;
            }
            // Written in an included file that is not read as a pipeline of
            // its own (`ci/deploy.yml`): reported there.
            let home = change.files.iter().find(|g| {
                system_of(g.path).is_none()
                    && g.new_text().is_some_and(|t| job_span(t, &job).is_some())
            });
            match home {
                Some(g) => {
                    x.path = g.path.to_string();
                    x.line = g.new_text().and_then(|t| job_line(t, &job, "needs"));
                    true
                }
                None => false,
            }
        });
    }
    out.extend(found);
    approval_removed(f, change, &a, &b, new, out);
    cancelled_midway(f, old, &b, new, out);
}

/// The old and new texts of the change's other GitLab files that `f`
/// includes (`include: - local: ci/deploy.yml`) or that include `f`.
fn gitlab_companions<'a>(
    f: &FileView<'_>,
    change: &'a ChangeView<'_>,
) -> (Vec<&'a str>, Vec<&'a str>) {
    if system_of(f.path) != Some(System::GitLab) {
        return (Vec::new(), Vec::new());
    }
    let includes = |text: Option<&str>, path: &str| {
        text.is_some_and(|t| {
            t.lines().any(|l| {
                let v = l
                    .trim()
                    .trim_start_matches("- ")
                    .trim_start_matches("local:")
                    .trim()
                    .trim_matches(['"', '\'']);
                v.trim_start_matches('/') == path
            })
        })
    };
    let mut old = Vec::new();
    let mut new = Vec::new();
    for g in change.files.iter().filter(|g| g.path != f.path) {
        let related = includes(f.new_text(), g.path)
            || includes(f.old_text(), g.path)
            || includes(g.new_text(), f.path)
            || includes(g.old_text(), f.path);
        if !related {
            continue;
        }
        old.extend(g.old_text());
        new.extend(g.new_text());
    }
    (old, new)
}

/// A command that changes live infrastructure or data, which must not be
/// killed halfway: an apply, a rollout, a migration.
static MUTATES_LIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(terraform|terragrunt|tofu)\s+(apply|destroy)\b|\bpulumi\s+(up|destroy)\b|\bcdk\s+deploy\b|\bkubectl\s+(apply|rollout|replace|delete)\b|\bhelm\s+(upgrade|install)\b|\b(serverless|sls)\s+deploy\b|\bdb:migrate\b|\bmanage\.py\s+migrate\b|\b(flyway|liquibase|alembic)\b.*\b(migrate|upgrade|update)\b|\baws\s+(cloudformation|ecs)\s+(deploy|update-service)\b")
        .unwrap()
});
/// A run that may be cancelled when the next one starts: GitHub's
/// `cancel-in-progress: true`, GitLab's `interruptible: true`.
static CANCELLABLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(cancel-in-progress|interruptible)\s*:\s*true\s*(#.*)?$").unwrap()
});

/// A run made cancellable by the next one, where the runs it covers change
/// production: a second merge kills the first in the middle of an apply or
/// a migration, leaving it half done and its lock held.
fn cancelled_midway(f: &FileView<'_>, old: &str, b: &Pipeline, new: &str, out: &mut Vec<Finding>) {
    if old.lines().any(|t| CANCELLABLE.is_match(t)) {
        return;
    }
    let Some(l) = f.added.iter().find(|l| CANCELLABLE.is_match(l.text)) else {
        return;
    };
    // A group keyed by the run or the commit (`github.head_ref ||
    // github.run_id`) puts every push in a group of its own: only reruns of
    // one pull request's branch cancel each other.
    let lines: Vec<&str> = new.lines().collect();
    let at = l.no as usize - 1;
    if at >= lines.len() {
        return;
    }
    let indent = |t: &str| t.len() - t.trim_start().len();
    let own = indent(l.text);
    let siblings = lines[..at]
        .iter()
        .rev()
        .take_while(|t| t.trim().is_empty() || indent(t) >= own)
        .chain(
            lines[at + 1..]
                .iter()
                .take_while(|t| t.trim().is_empty() || indent(t) >= own),
        );
    if siblings.into_iter().any(|t| {
        t.trim_start().starts_with("group:")
            && (t.contains("run_id") || t.contains("run_number") || t.contains("github.sha"))
    }) {
        return;
    }
    let risky = |j: &Job| {
        j.env_action.as_deref() != Some("stop")
            && (MUTATES_LIVE.is_match(&j.text) || is_deploy(j) && is_production(j))
    };
    // Inside one job, it covers that job; at the top, every job.
    let covered = b
        .jobs
        .iter()
        .find(|j| job_span(new, &j.name).is_some_and(|(start, end)| (start..=end).contains(&l.no)));
    let hit = match covered {
        Some(j) => risky(j).then_some(j),
        None => b.jobs.iter().find(|j| risky(j)),
    };
    let Some(job) = hit else { return };
    out.push(Finding::added(
        "ci-deploy-cancelled-midway",
        Severity::High,
        f.path,
        Some(l.no),
        format!(
            "`{}` lets a newer run cancel one in progress, and job `{}` changes production: a second merge kills it halfway through an apply, rollout or migration, leaving it half done with its lock held. Cancel only runs that check, or queue deploys instead (`cancel-in-progress: false`).",
            quote(l.text.trim()),
            quote(&job.name),
        ),
    ));
}

/// Deploy jobs that stopped waiting for check jobs.
fn ungated(f: &FileView<'_>, a: &Pipeline, b: &Pipeline, new: &str, out: &mut Vec<Finding>) {
    let production = |j: &Job| is_production(j) || PRODUCTION.is_match(&j.text);
    for job in b.jobs.iter().filter(|j| is_deploy(j)) {
        // A job under a new name that deploys to production takes the place
        // of the production deploy the change removes (two per-environment
        // jobs folded into one matrix job).
        let Some(was) = a.job(&job.name).or_else(|| {
            production(job)
                .then(|| {
                    a.jobs
                        .iter()
                        .find(|o| is_deploy(o) && production(o) && b.job(&o.name).is_none())
                })
                .flatten()
        }) else {
            continue;
        };
        let before = a.waits_for(&was.name);
        let after = b.waits_for(&job.name);
        // A check renamed (the same steps under another name) that the
        // deploy still waits for is not lost.
        let renamed_and_kept = |n: &String| {
            a.job(n).is_some_and(|old| {
                b.jobs
                    .iter()
                    .any(|j| j.text == old.text && after.contains(&j.name))
            })
        };
        let lost: Vec<&String> = before
            .iter()
            .filter(|n| !after.contains(*n))
            .filter(|n| a.job(n).is_some_and(is_check))
            .filter(|n| !renamed_and_kept(n))
            .collect();
        if lost.is_empty() {
            continue;
        }
        let prod = is_production(job) || PRODUCTION.is_match(&job.text);
        let names = lost
            .iter()
            .map(|n| format!("`{}`", quote(n)))
            .collect::<Vec<_>>()
            .join(", ");
        let short = job.name.rsplit('/').next().unwrap_or(&job.name);
        let line = job_line(new, &job.name, "needs").or_else(|| {
            let no = new.lines().position(|l| {
                let t = l.trim().trim_start_matches("- ").trim_end_matches(':');
                t == short
            })?;
            Some(no as u32 + 1)
        });
        out.push(Finding::added(
            "ci-deploy-ungated",
            if prod {
                Severity::High
            } else {
                Severity::Medium
            },
            f.path,
            line,
            format!(
                "`{}` no longer waits for {names}: it can deploy{} while they fail.",
                quote(&job.name),
                if prod { " to production" } else { "" }
            ),
        ));
    }
}

/// Production deploys that waited for a person and no longer do: the manual
/// approval is what stood between a green build and users.
fn approval_removed(
    f: &FileView<'_>,
    change: &ChangeView<'_>,
    a: &Pipeline,
    b: &Pipeline,
    new: &str,
    out: &mut Vec<Finding>,
) {
    let production = |j: &Job| is_deploy(j) && (is_production(j) || PRODUCTION.is_match(&j.text));
    // The job a workflow calls (`uses: ./.github/workflows/rollout.yml`)
    // approves when a job of the called workflow deploys through an
    // environment; a called workflow the change does not show is not judged.
    let called_approves = |j: &Job| -> Option<bool> {
        let path = j.text.lines().find_map(|l| {
            l.trim()
                .strip_prefix("./")
                .filter(|p| p.starts_with(".github/workflows/"))
        })?;
        let called = change.files.iter().find(|g| g.path == path)?;
        let p = parse(path, called.new_text()?)?;
        Some(p.jobs.iter().any(|c| p.approved(c)))
    };
    let added: Vec<&Job> = b.jobs.iter().filter(|j| a.job(&j.name).is_none()).collect();
    for was in a.jobs.iter().filter(|j| production(j) && a.approved(j)) {
        // The same job, or the one production deploy that replaced it.
        let now = b.job(&was.name).or_else(|| {
            let mut like = added.iter().filter(|j| {
                (is_production(j) || PRODUCTION.is_match(&j.text))
                    && (is_deploy(j) || called_approves(j).is_some())
            });
            match (like.next(), like.next()) {
                (Some(j), None) => Some(*j),
                _ => None,
            }
        });
        let Some(now) = now else { continue };
        if b.approved(now) {
            continue;
        }
        match called_approves(now) {
            Some(true) => continue,
            None if !production(now) => continue,
            _ => {}
        }
        let how = if was.manual {
            "a manual start (`when: manual`)".to_string()
        } else if let Some(env) = &was.environment {
            format!("the `{}` environment's reviewers", quote(env))
        } else {
            "an approval step".to_string()
        };
        out.push(Finding::added(
            "ci-approval-removed",
            Severity::High,
            f.path,
            job_line(new, &now.name, "environment")
                .or_else(|| job_line(new, &now.name, "uses")),
            format!(
                "`{}` deployed to production only after {how}; `{}` no longer waits for anyone: every build that reaches it ships.",
                quote(&was.name),
                quote(&now.name)
            ),
        ));
    }
}

/// Variables that name the branch, merge request or pull request a pipeline
/// runs for: what they name exists only for that branch.
static PER_BRANCH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\$\{?CI_(COMMIT_REF_SLUG|COMMIT_REF_NAME|COMMIT_BRANCH|MERGE_REQUEST_IID|MERGE_REQUEST_ID|MERGE_REQUEST_SOURCE_BRANCH_NAME|ENVIRONMENT_SLUG|ENVIRONMENT_NAME)\b|\$\{\{\s*(github\.(head_ref|event\.number|event\.pull_request\.number|event\.pull_request\.head\.ref)|env\.\w+)\s*\}\})").unwrap()
});
static EPHEMERAL_ENV: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(review|preview|pr|mr|ephemeral|feature|temp|tmp)[-/]").unwrap()
});
static SHARED_ENV_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(^|[-_/. ])(prod|production|prd|live|staging|stage|stg|main|master|shared)([-_/. ]|$)").unwrap()
});
static VAR_REF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?|\$\{\{\s*env\.(\w+)\s*\}\}").unwrap()
});

/// True when `line` names its target through the branch: a per-branch
/// variable, or a variable defined from one (one level deep).
fn scoped_to_branch(line: &str, job: &Job, p: &Pipeline) -> bool {
    let per_branch = |t: &str| PER_BRANCH.is_match(t) && !t.contains("${{ env.");
    if per_branch(line) {
        return true;
    }
    VAR_REF.captures_iter(line).any(|c| {
        let name = c.get(1).or(c.get(2)).map_or("", |m| m.as_str());
        job.variables
            .get(name)
            .or_else(|| p.variables.get(name))
            .is_some_and(|v| per_branch(v) && !SHARED_ENV_WORD.is_match(v))
    })
}

/// Lowers teardown findings in jobs that clean up their own per-branch
/// review environment (GitLab `environment: {name: review/$CI_COMMIT_REF_SLUG,
/// action: stop}`, a GitHub job bound to `pr-${{ github.event.number }}`).
///
/// Also, from the same job graph: a failure allowed in a stop job (a teardown
/// that cannot clean up should not fail the pipeline) is low, and "changes a
/// pipeline that deploys to production" is low when every added line sits in
/// a job that never mentions production.
/// What checks out or runs a pull request's own code.
static PR_HEAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(github\.event\.pull_request\.head\.|github\.head_ref|refs/pull/|pull/\$\{\{|gh pr checkout|merge_commit_sha)").unwrap()
});

/// Whether every production deploy of the new pipeline is one the old
/// pipeline had: the same steps (job names aside, as a rename moves them)
/// and at least as many checks waited for.
fn production_deploys_unchanged(f: &FileView<'_>) -> bool {
    let (Some(old), Some(new)) = (f.old_text(), f.new_text()) else {
        return false;
    };
    let (Some(a), Some(b)) = (parse(f.path, old), parse(f.path, new)) else {
        return false;
    };
    let mut names: Vec<&str> = a
        .jobs
        .iter()
        .chain(&b.jobs)
        .map(|j| j.name.as_str())
        .filter(|n| n.len() > 2)
        .collect();
    // Longest first: `build` taken out of `build2` would leave a `2` behind.
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    let steps = |j: &Job| {
        let mut t = j.text.clone();
        for n in &names {
            t = t.replace(n, "");
        }
        t.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let checks = |p: &Pipeline, name: &str| {
        p.waits_for(name)
            .iter()
            .filter(|n| p.job(n).is_some_and(is_check))
            .count()
    };
    let production = |j: &Job| is_production(j) || PRODUCTION.is_match(&j.text);
    b.jobs
        .iter()
        .filter(|j| is_deploy(j) && production(j))
        .all(|j| {
            a.jobs.iter().any(|o| {
                steps(o) == steps(j)
                    && o.environment == j.environment
                    && checks(&a, &o.name) <= checks(&b, &j.name)
            })
        })
}

/// A workflow that now runs a pull request's own code under
/// `pull_request_target` (its trigger and the checkout of the head both in
/// the new file, not both in the old one), when the trigger line itself
/// was not reported (moved here from a workflow that never ran the code).
fn pr_code_run_with_secrets(f: &FileView<'_>, text: &str, out: &mut Vec<Finding>) {
    static TRIGGER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^\s*(pull_request_target\s*:|-\s*pull_request_target\s*$|on:\s*\[?[^\n]*\bpull_request_target\b)").unwrap()
    });
    if !f.class.ci
        || out.iter().any(|x| x.rule == "ci-pull-request-target")
        || !TRIGGER.is_match(text)
        || !PR_HEAD.is_match(text)
    {
        return;
    }
    if f.old_text()
        .is_some_and(|old| TRIGGER.is_match(old) && PR_HEAD.is_match(old))
    {
        return;
    }
    let line = f
        .added_code()
        .find(|l| PR_HEAD.is_match(l.text))
        .map(|l| l.no);
    out.push(Finding::added(
        "ci-pull-request-target",
        Severity::High,
        f.path,
        line,
        "Runs the pull request's own code (its head is checked out) in a workflow triggered by pull_request_target, with the repository's secrets and a write token: a pull request from a fork can steal them.",
    ));
}

/// `ci-action-unpinned` raised to high where the action was pinned to a
/// commit before and the step hands it secrets: a deploy key or a token now
/// goes to whatever the action's branch holds next.
pub fn unpinned_action_with_secrets(f: &FileView<'_>, out: &mut [Finding]) {
    if !out.iter().any(|x| x.rule == "ci-action-unpinned") {
        return;
    }
    let Some(new) = f.new_text() else { return };
    let lines: Vec<&str> = new.lines().collect();
    for x in out.iter_mut().filter(|x| x.rule == "ci-action-unpinned") {
        let Some(at) = x
            .line
            .and_then(|n| (n as usize).checked_sub(1))
            .filter(|&i| i < lines.len())
        else {
            continue;
        };
        let uses = lines[at].trim().trim_start_matches("- ").trim();
        let Some(action) = uses
            .strip_prefix("uses:")
            .and_then(|u| u.trim().trim_matches(['"', '\'']).split('@').next())
        else {
            continue;
        };
        let pinned_before = f.removed_code().any(|l| {
            l.text.contains(&format!("{action}@"))
                && l.text.split('@').nth(1).is_some_and(|v| {
                    v.trim().len() >= 40 && v.trim().chars().take(40).all(|c| c.is_ascii_hexdigit())
                })
        });
        let indent = |l: &str| l.len() - l.trim_start().len();
        let own = indent(lines[at]);
        let step_start = (0..=at)
            .rev()
            .find(|&i| lines[i].trim_start().starts_with("- "))
            .unwrap_or(at);
        let step_indent = indent(lines[step_start]);
        let secrets = lines[step_start..]
            .iter()
            .enumerate()
            .take_while(|(i, l)| *i == 0 || l.trim().is_empty() || indent(l) > step_indent)
            .take(30)
            .any(|(_, l)| l.contains("secrets."));
        if pinned_before && secrets && own > 0 {
            x.severity = Severity::High;
            x.message
                .push_str(" It was pinned to a commit before, and this step hands it secrets.");
        }
    }
}

pub fn relax_ephemeral_teardown(
    f: &FileView<'_>,
    change: &super::ChangeView<'_>,
    out: &mut Vec<Finding>,
) {
    // `pull_request_target` runs with secrets, which is only a hole when the
    // workflow then runs the pull request's code (checks out its head),
    // itself or in a reusable workflow of the change it calls
    // (`uses: ./.github/workflows/lint.yml`).
    let text = f.new_text_or_hunks();
    pr_code_run_with_secrets(f, &text, out);
    let called_checks_out_head = || {
        change.files.iter().any(|g| {
            g.path != f.path
                && text.contains(&format!("./{}", g.path))
                && PR_HEAD.is_match(&g.new_text_or_hunks())
        })
    };
    if out.iter().any(|x| x.rule == "ci-pull-request-target")
        && !PR_HEAD.is_match(&text)
        && !called_checks_out_head()
    {
        for x in out
            .iter_mut()
            .filter(|x| x.rule == "ci-pull-request-target")
        {
            x.severity = Severity::Medium;
            x.message = "Runs on pull_request_target, with the repository's secrets, but never checks out the pull request's code: keep it that way (no `ref: ${{ github.event.pull_request.head.sha }}`).".to_string();
        }
    }
    if out
        .iter()
        .any(|x| x.rule == "ci-deploys-to-production" || x.rule == "ci-gate-dependency-removed")
        && (production_deploys_unchanged(f) || super::structured::only_cosmetic(f))
    {
        for x in out.iter_mut() {
            if x.rule == "ci-deploys-to-production" || x.rule == "ci-gate-dependency-removed" {
                x.severity = Severity::Low;
                x.message = "Changes a pipeline that deploys to production, but every production deploy keeps its steps and waits for at least the checks it waited for (jobs renamed or moved).".to_string();
            }
        }
    }
    const TEARDOWN: &[&str] = &["infra-teardown-command", "infra-auto-approve"];
    const RELAXED: &[&str] = &[
        "infra-teardown-command",
        "infra-auto-approve",
        "ci-ignore-failure",
        "ci-deploys-to-production",
    ];
    if !out.iter().any(|x| RELAXED.contains(&x.rule.as_str())) {
        return;
    }
    let Some(text) = f.new_text() else { return };
    let Some(p) = parse(f.path, text) else { return };
    let lines: Vec<&str> = text.lines().collect();
    let job_at = |no: u32| {
        p.jobs
            .iter()
            .find(|j| job_span(text, &j.name).is_some_and(|(start, end)| start <= no && no <= end))
    };
    let production = |j: &Job| is_production(j) || PRODUCTION.is_match(&j.text);
    let only_other_jobs = f
        .added_code()
        .all(|l| job_at(l.no).is_some_and(|j| !production(j)));
    for x in out.iter_mut() {
        if x.rule == "ci-deploys-to-production" && only_other_jobs {
            x.severity = Severity::Low;
            x.message = "Changes only jobs of a pipeline that deploy elsewhere than production: the production deploy runs as before.".to_string();
            continue;
        }
        if x.rule == "ci-ignore-failure"
            && let Some(j) = x.line.and_then(job_at)
            && j.env_action.as_deref() == Some("stop")
        {
            x.severity = Severity::Low;
            x.message = format!(
                "Lets the teardown job `{}` fail without failing the pipeline: fine, as long as nothing waits for the environment to be gone.",
                quote(&j.name)
            );
            continue;
        }
        if !TEARDOWN.contains(&x.rule.as_str()) || x.side != super::Side::New {
            continue;
        }
        let Some(no) = x.line else { continue };
        let Some(line) = lines.get(no as usize - 1) else {
            continue;
        };
        if SHARED_ENV_WORD.is_match(line) {
            continue;
        }
        let Some(job) = job_at(no) else { continue };
        let Some(env) = job.environment.as_deref() else {
            continue;
        };
        let ephemeral = (EPHEMERAL_ENV.is_match(env) || PER_BRANCH.is_match(env))
            && !SHARED_ENV_WORD.is_match(env);
        if !ephemeral || !scoped_to_branch(line, job, &p) {
            continue;
        }
        x.severity = Severity::Low;
        x.message = format!(
            "Tears down what this branch deployed ({}) from `{}`, bound to the per-branch environment `{}`: it cannot reach a shared one.",
            quote(line),
            quote(&job.name),
            quote(env)
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents as hit;

    #[test]
    fn an_action_unpinned_from_a_commit_while_handed_secrets_is_high() {
        use crate::risk::Severity;
        use crate::risk::testkit::findings_with_contents;
        let p = ".github/workflows/deploy.yml";
        let old = "jobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: appleboy/ssh-action@029f5b4aeeeb58fdfe1410a5d17f967dacf36262\n        with:\n          key: ${{ secrets.PROD_SSH_KEY }}\n";
        let level = |new: &str| {
            findings_with_contents(p, old, new)
                .into_iter()
                .find(|f| f.rule == "ci-action-unpinned")
                .map(|f| f.severity)
        };
        let moved = old.replace("@029f5b4aeeeb58fdfe1410a5d17f967dacf36262", "@master");
        assert_eq!(level(&moved), Some(Severity::High));
        let no_secrets = moved.replace("${{ secrets.PROD_SSH_KEY }}", "deploy");
        let old_plain = old.replace("${{ secrets.PROD_SSH_KEY }}", "deploy");
        let plain = findings_with_contents(p, &old_plain, &no_secrets)
            .into_iter()
            .find(|f| f.rule == "ci-action-unpinned")
            .map(|f| f.severity);
        assert_eq!(plain, Some(Severity::Medium));
    }

    #[test]
    fn a_production_deploy_that_stops_waiting_for_a_person_is_high() {
        let approval = |path: &str, old: &str, new: &str| {
            hit(path, old, new).contains(&"ci-approval-removed".to_string())
        };
        // GitLab: `when: manual` dropped from the production job.
        let gitlab = "stages: [test, deploy]\nunit:\n  stage: test\n  script: [make test]\nproduction:\n  stage: deploy\n  environment: production\n  when: manual\n  script: [./deploy.sh production]\n";
        assert!(approval(
            ".gitlab-ci.yml",
            gitlab,
            &gitlab.replace("  when: manual\n", "")
        ));
        // Or from the rule that gated it.
        let ruled = gitlab.replace(
            "  when: manual\n",
            "  rules:\n    - if: $CI_COMMIT_BRANCH == \"main\"\n      when: manual\n",
        );
        assert!(approval(
            ".gitlab-ci.yml",
            &ruled,
            &ruled.replace("      when: manual\n", "")
        ));
        // GitHub: the job no longer deploys through its environment.
        let gha = "on: push\njobs:\n  deploy-prod:\n    runs-on: ubuntu-latest\n    environment: production\n    steps:\n      - run: ./deploy.sh prod\n";
        assert!(approval(
            ".github/workflows/deploy.yml",
            gha,
            &gha.replace("    environment: production\n", "")
        ));
        // Look-alikes: a staging job losing its gate, a manual job renamed
        // but still manual, a job only reformatted.
        let staging = gitlab.replace("production", "staging");
        assert!(!approval(
            ".gitlab-ci.yml",
            &staging,
            &staging.replace("  when: manual\n", "")
        ));
        assert!(!approval(
            ".gitlab-ci.yml",
            gitlab,
            &gitlab.replace("production:\n", "deploy-production:\n")
        ));
        assert!(!approval(
            ".github/workflows/deploy.yml",
            gha,
            &gha.replace("./deploy.sh prod", "./scripts/deploy.sh prod")
        ));
    }

    #[test]
    fn a_deploy_moved_into_a_called_workflow_is_judged_by_what_that_workflow_does() {
        use crate::risk::testkit::findings_of_change;
        let old = "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    environment: production\n    steps:\n      - run: ./deploy.sh production\n";
        let caller = "on: push\njobs:\n  deploy:\n    uses: ./.github/workflows/rollout.yml\n    secrets: inherit\n";
        let called = |env: &str| {
            format!(
                "on:\n  workflow_call:\njobs:\n  rollout:\n    runs-on: ubuntu-latest\n{env}    steps:\n      - run: ./deploy.sh production\n"
            )
        };
        let flagged = |called: &str| {
            findings_of_change(
                &[
                    (".github/workflows/deploy.yml", Some(old), Some(caller)),
                    (".github/workflows/rollout.yml", None, Some(called)),
                ],
                Some("ci: extract rollout into a reusable workflow"),
            )
            .iter()
            .any(|f| f.rule == "ci-approval-removed")
        };
        assert!(flagged(&called("")));
        assert!(!flagged(&called("    environment: production\n")));
    }

    #[test]
    fn a_jenkins_input_step_removed_is_high_and_one_moved_is_not() {
        let old = "pipeline {\n  agent any\n  stages {\n    stage('Deploy prod') {\n      steps {\n        input message: 'Ship to production?'\n        sh './deploy.sh prod'\n      }\n    }\n  }\n}\n";
        let removed = old.replace("        input message: 'Ship to production?'\n", "");
        assert!(hit("Jenkinsfile", old, &removed).contains(&"ci-approval-removed".to_string()));
        let moved = old
            .replace(
                "        input message: 'Ship to production?'\n        sh './deploy.sh prod'\n",
                "        sh './deploy.sh prod'\n",
            )
            .replace(
                "      steps {\n",
                "      input {\n        message 'Ship to production?'\n      }\n      steps {\n",
            );
        assert!(!hit("Jenkinsfile", old, &moved).contains(&"ci-approval-removed".to_string()));
    }

    #[test]
    fn a_trigger_moved_into_a_workflow_that_runs_the_pull_requests_code_is_high() {
        use crate::risk::Severity;
        use crate::risk::testkit::findings_of_change;
        let labeler = "on:\n  pull_request_target:\njobs:\n  label:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/labeler@v5\n";
        let merged = "on:\n  pull_request_target:\njobs:\n  label:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/labeler@v5\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - run: npm ci && npm test\n";
        let found = findings_of_change(
            &[
                (".github/workflows/labeler.yml", Some(labeler), None),
                (".github/workflows/pr.yml", None, Some(merged)),
            ],
            Some("ci: merge PR workflows"),
        );
        assert!(
            found
                .iter()
                .any(|f| f.rule == "ci-pull-request-target" && f.severity == Severity::High),
            "{found:?}"
        );
        // Moved as it was, without checking out the pull request: not high.
        let found = findings_of_change(
            &[
                (".github/workflows/labeler.yml", Some(labeler), None),
                (".github/workflows/pr.yml", None, Some(labeler)),
            ],
            Some("ci: rename the labeler workflow"),
        );
        assert!(
            !found
                .iter()
                .any(|f| f.rule == "ci-pull-request-target" && f.severity == Severity::High),
            "{found:?}"
        );
    }

    #[test]
    fn pull_request_target_calling_a_workflow_that_runs_the_pull_requests_code_is_high() {
        use crate::risk::Severity;
        use crate::risk::testkit::findings_of_change;
        let caller = |on: &str| {
            format!(
                "on:\n  {on}:\njobs:\n  lint:\n    uses: ./.github/workflows/lint-reusable.yml\n    secrets: inherit\n"
            )
        };
        let reusable = |checkout: &str| {
            format!(
                "on: workflow_call\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n{checkout}      - run: npm ci && npm run lint\n"
            )
        };
        let head = "        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n";
        let level = |checkout: &str| {
            findings_of_change(
                &[
                    (
                        ".github/workflows/lint.yml",
                        Some(&caller("pull_request")),
                        Some(&caller("pull_request_target")),
                    ),
                    (
                        ".github/workflows/lint-reusable.yml",
                        Some(&reusable("")),
                        Some(&reusable(checkout)),
                    ),
                ],
                None,
            )
            .into_iter()
            .find(|f| f.rule == "ci-pull-request-target")
            .map(|f| f.severity)
        };
        assert_eq!(level(head), Some(Severity::High));
        // The called workflow checks out the base: secrets never meet the fork's code.
        assert_eq!(level(""), Some(Severity::Medium));
    }

    #[test]
    fn a_deploy_that_stops_waiting_for_its_checks_is_found() {
        // GitHub Actions: the deploy drops the test job from its needs.
        let old = "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: go test ./...\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make image\n  ship:\n    needs: [build, test]\n    environment: production\n    runs-on: ubuntu-latest\n    steps:\n      - run: ./ship.sh\n";
        let new = old.replace("needs: [build, test]", "needs: build");
        assert!(
            hit(".github/workflows/main.yml", old, &new).contains(&"ci-deploy-ungated".to_string())
        );
        // Waiting through another job is still waiting.
        let chained = new.replace(
            "  build:\n    runs-on",
            "  build:\n    needs: test\n    runs-on",
        );
        let chained_old = old.replace(
            "  build:\n    runs-on",
            "  build:\n    needs: test\n    runs-on",
        );
        assert!(
            !hit(".github/workflows/main.yml", &chained_old, &chained)
                .contains(&"ci-deploy-ungated".to_string())
        );
        // GitLab: stage order is the implicit gate; `needs:` with only the
        // build drops it, through a template the job extends.
        let old = "stages: [build, test, deploy]\n.deploy:\n  stage: deploy\nbuild:\n  stage: build\n  script: [make]\nrspec:\n  stage: test\n  script: [bundle exec rspec]\nrelease:\n  extends: .deploy\n  environment: production\n  script: [cap production deploy]\n";
        let new = old.replace(
            ".deploy:\n  stage: deploy\n",
            ".deploy:\n  stage: deploy\n  needs: [build]\n",
        );
        assert!(hit(".gitlab-ci.yml", old, &new).contains(&"ci-deploy-ungated".to_string()));
        // CircleCI: the deploy entry stops requiring the test job.
        let old_cc = "version: 2.1\njobs:\n  test:\n    docker: [{image: cimg/node:20.11}]\n    steps: [checkout, {run: npm test}]\n  build:\n    docker: [{image: cimg/node:20.11}]\n    steps: [checkout, {run: npm run build}]\n  deploy:\n    docker: [{image: cimg/base:2024.01}]\n    steps: [{run: ./deploy.sh production}]\nworkflows:\n  main:\n    jobs:\n      - test\n      - build\n      - deploy:\n          requires: [test, build]\n";
        let new_cc = old_cc.replace("requires: [test, build]", "requires: [build]");
        assert!(
            hit(".circleci/config.yml", old_cc, &new_cc).contains(&"ci-deploy-ungated".to_string())
        );
        assert!(
            !hit(
                ".circleci/config.yml",
                old_cc,
                &old_cc.replace("[test, build]", "[build, test]")
            )
            .contains(&"ci-deploy-ungated".to_string())
        );
        // Adding needs that keep the checks is not an alarm.
        let keeps = old.replace(
            ".deploy:\n  stage: deploy\n",
            ".deploy:\n  stage: deploy\n  needs: [build, rspec]\n",
        );
        assert!(!hit(".gitlab-ci.yml", old, &keeps).contains(&"ci-deploy-ungated".to_string()));
    }

    #[test]
    fn a_deploy_in_an_included_file_that_stops_waiting_for_the_tests_is_found() {
        use crate::risk::testkit::findings_of_change;
        let root = "stages: [build, test, package, deploy]\ninclude:\n  - local: ci/deploy.yml\nbuild:\n  stage: build\n  script: [make]\nunit-tests:\n  stage: test\n  script: [go test ./...]\ndocker-image:\n  stage: package\n  script: [docker build .]\n";
        let deploy = "deploy-production:\n  stage: deploy\n  environment: production\n  when: manual\n  script: [helm upgrade app chart]\n";
        let dag = deploy.replace(
            "  stage: deploy\n",
            "  stage: deploy\n  needs: [docker-image]\n",
        );
        let root_dag = root.replace(
            "docker-image:\n  stage: package\n",
            "docker-image:\n  stage: package\n  needs: [build]\n",
        );
        let ungated = |deploy_new: &str, root_new: &str| {
            findings_of_change(
                &[
                    (".gitlab-ci.yml", Some(root), Some(root_new)),
                    ("ci/deploy.yml", Some(deploy), Some(deploy_new)),
                ],
                None,
            )
            .into_iter()
            .filter(|x| x.rule == "ci-deploy-ungated")
            .map(|x| x.path)
            .collect::<Vec<_>>()
        };
        // The deploy waits for the image, the image for the build: the
        // tests no longer stand in the way.
        assert_eq!(ungated(&dag, &root_dag), vec!["ci/deploy.yml".to_string()]);
        // Still through the tests: the image waits for them.
        let through = root.replace(
            "docker-image:\n  stage: package\n",
            "docker-image:\n  stage: package\n  needs: [build, unit-tests]\n",
        );
        assert!(ungated(&dag, &through).is_empty());
    }

    #[test]
    fn tearing_down_a_review_environment_from_its_stop_job_is_low() {
        let base = "stages: [review]\nvariables:\n  NS: review-$CI_COMMIT_REF_SLUG\n  PROD_NS: shop-prod\ndeploy_review:\n  stage: review\n  environment:\n    name: review/$CI_COMMIT_REF_SLUG\n    on_stop: stop_review\n  script:\n    - helm upgrade --install shop ./chart -n \"$NS\"\n";
        let stop = |env: &str, cmd: &str| {
            format!(
                "{base}stop_review:\n  stage: review\n  when: manual\n  environment:\n    name: {env}\n    action: stop\n  script:\n    - {cmd}\n"
            )
        };
        let severity = |new: &str| {
            crate::risk::testkit::findings_with_contents(".gitlab-ci.yml", base, new)
                .into_iter()
                .find(|f| f.rule == "infra-teardown-command")
                .map(|f| f.severity)
        };
        use crate::risk::Severity::{Critical, Low};
        let review = "review/$CI_COMMIT_REF_SLUG";
        assert_eq!(
            severity(&stop(review, "kubectl delete namespace \"$NS\"")),
            Some(Low)
        );
        assert_eq!(
            severity(&stop(
                review,
                "helm uninstall shop -n review-$CI_COMMIT_REF_SLUG"
            )),
            Some(Low)
        );
        // The same command on a shared namespace, or from a production job, stays critical.
        assert_eq!(
            severity(&stop(review, "kubectl delete namespace \"$PROD_NS\"")),
            Some(Critical)
        );
        assert_eq!(
            severity(&stop(review, "helm uninstall shop -n shop")),
            Some(Critical)
        );
        assert_eq!(
            severity(&stop("production", "kubectl delete namespace \"$NS\"")),
            Some(Critical)
        );
    }

    #[test]
    fn review_jobs_beside_a_production_deploy_are_not_production_changes() {
        let old = "stages: [review, deploy]\nreview:\n  stage: review\n  environment:\n    name: review/$CI_COMMIT_REF_SLUG\n  script:\n    - ./deploy.sh review-$CI_COMMIT_REF_SLUG\nproduction:\n  stage: deploy\n  environment: production\n  when: manual\n  script:\n    - ./deploy.sh production\n";
        let top = |new: &str| {
            crate::risk::testkit::findings_with_contents(".gitlab-ci.yml", old, new)
                .into_iter()
                .map(|f| f.severity)
                .max()
        };
        use crate::risk::Severity::{High, Low, Medium};
        // A stop job for the review app, allowed to fail: nothing above low.
        let stop = old.replace(
            "production:\n",
            "stop_review:\n  stage: review\n  allow_failure: true\n  environment:\n    name: review/$CI_COMMIT_REF_SLUG\n    action: stop\n  script:\n    - kubectl delete namespace review-$CI_COMMIT_REF_SLUG || true\nproduction:\n",
        );
        assert_eq!(top(&stop), Some(Low));
        // The same edit to the production job is a production change.
        let prod = old.replace(
            "    - ./deploy.sh production\n",
            "    - ./deploy.sh production --no-smoke\n",
        );
        assert_eq!(top(&prod), Some(Medium));
        // allow_failure on a job that is not a stop job stays high.
        let soft = old.replace(
            "  stage: review\n",
            "  stage: review\n  allow_failure: true\n",
        );
        assert!(top(&soft) >= Some(High));
    }

    #[test]
    fn github_pull_request_previews_are_their_own_to_tear_down() {
        let old = "on:\n  pull_request:\n    types: [closed]\njobs:\n  noop:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n";
        let new = format!(
            "{old}  teardown:\n    runs-on: ubuntu-latest\n    environment: pr-${{{{ github.event.number }}}}\n    steps:\n      - run: helm uninstall web-pr-${{{{ github.event.number }}}} -n apps\n"
        );
        let rules = hit(".github/workflows/pr-closed.yml", old, &new);
        assert!(
            rules.contains(&"infra-teardown-command".to_string()),
            "{rules:?}"
        );
        let f = {
            crate::risk::testkit::findings_with_contents(
                ".github/workflows/pr-closed.yml",
                old,
                &new,
            )
        };
        assert_eq!(f[0].severity, crate::risk::Severity::Low, "{f:?}");
    }

    #[test]
    fn cancelling_runs_that_apply_is_found_and_runs_that_test_are_not() {
        let old = "name: infra\non:\n  push:\n    branches: [main]\n  pull_request:\njobs:\n  plan:\n    runs-on: ubuntu-latest\n    steps:\n      - run: terraform plan\n  apply:\n    if: github.ref == 'refs/heads/main'\n    needs: plan\n    runs-on: ubuntu-latest\n    steps:\n      - run: terraform apply -auto-approve\n";
        let new = old.replace(
            "jobs:\n",
            "concurrency:\n  group: infra-${{ github.ref }}\n  cancel-in-progress: true\njobs:\n",
        );
        let hit =
            crate::risk::testkit::rules_hit_with_contents(".github/workflows/infra.yml", old, &new);
        assert!(
            hit.contains(&"ci-deploy-cancelled-midway".to_string()),
            "{hit:?}"
        );
        let tests_only = "name: ci\non: [pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo test\n";
        let cancelled = tests_only.replace(
            "jobs:\n",
            "concurrency:\n  group: ci-${{ github.ref }}\n  cancel-in-progress: true\njobs:\n",
        );
        let hit = crate::risk::testkit::rules_hit_with_contents(
            ".github/workflows/ci.yml",
            tests_only,
            &cancelled,
        );
        assert!(
            !hit.contains(&"ci-deploy-cancelled-midway".to_string()),
            "{hit:?}"
        );
    }
}
