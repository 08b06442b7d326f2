//! Data-driven rules: the built-in pattern rules (`assets/rules.toml`) merged with
//! the repository's `.countersign/rules.toml`, which adds rules (path globs,
//! regexes on added or removed lines, a severity and a message), marks critical
//! paths, and silences a built-in rule for some paths with a reason.
//!
//! A broken rules file is an error that names its line; callers then fall back to
//! the built-in rules (`RuleSet::builtin`), so the queue is never empty.

use std::collections::HashMap;

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use regex::Regex;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::Spanned;

use super::{FileView, Finding, Severity, quote};

/// The built-in rules and critical paths.
pub const BUILTIN_RULES: &str = include_str!("../../assets/rules.toml");

/// Bumped whenever the engine's code rules change, so cached reports are redone.
pub const ENGINE_VERSION: &str = "risk-engine-84";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default)]
    critical_paths: Vec<Spanned<String>>,
    #[serde(default, rename = "rule")]
    rules: Vec<Spanned<RuleDef>>,
    #[serde(default, rename = "silence")]
    silences: Vec<Spanned<SilenceDef>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleDef {
    id: String,
    severity: Spanned<String>,
    message: String,
    #[serde(default)]
    paths: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    added: Option<Spanned<String>>,
    removed: Option<Spanned<String>>,
    /// Also look in tests and fixtures.
    #[serde(default)]
    tests: bool,
    /// Also look in docs.
    #[serde(default)]
    docs: bool,
    /// Also look at comment lines.
    #[serde(default)]
    comments: bool,
    /// Stay quiet when this other rule already fired on the file.
    unless: Option<String>,
    /// Lines matching this regex are never reported (e.g. local or test targets).
    exclude_lines: Option<Spanned<String>>,
    /// Added lines are never reported when the statement they end (the lines
    /// above them, back to the previous statement) matches this regex: the
    /// call's first argument says what is set (`set_cookie(CSRF_COOKIE, …,
    /// httponly=False)`).
    exclude_before: Option<Spanned<String>>,
    /// An `added` match stays quiet when a later line of the new file
    /// matches this regex: what it switched on is switched off again
    /// (`set -x` … `set +x`), a window the author chose.
    closed_by: Option<Spanned<String>>,
    /// `removed` also fires in a file the change deletes (what the rule
    /// guards is destroyed with the file, e.g. `prevent_destroy`).
    #[serde(default)]
    deleted_files: bool,
    /// `removed` stays quiet in a file whose added lines match this regex:
    /// the same protection written another way (`issuer:` → `WithIssuer(`).
    kept: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SilenceDef {
    rule: String,
    paths: Vec<Spanned<String>>,
    reason: String,
}

/// One compiled pattern rule.
#[derive(Debug, Clone)]
pub struct PatternRule {
    pub id: String,
    pub severity: Severity,
    pub message: String,
    paths: Option<GlobSet>,
    exclude: Option<GlobSet>,
    added: Option<Regex>,
    removed: Option<Regex>,
    /// `added` and `removed` matching at any line of a file's lines joined
    /// by newlines: one search tells that no single line can match.
    added_anywhere: Option<Regex>,
    removed_anywhere: Option<Regex>,
    tests: bool,
    docs: bool,
    comments: bool,
    unless: Option<String>,
    exclude_lines: Option<Regex>,
    exclude_before: Option<Regex>,
    closed_by: Option<Regex>,
    deleted_files: bool,
    kept: Option<Regex>,
}

/// The lines above new line `no` that belong to the statement it is an
/// argument of: back through lines left open (ending in `(`, `,`, `[`,
/// `{`), eight lines at most. A line that stands alone (an `.env` entry)
/// has none.
fn statement_above<'a>(f: &'a super::FileView<'_>, no: u32) -> Vec<&'a str> {
    let mut out = Vec::new();
    for n in (no.saturating_sub(8).max(1)..no).rev() {
        let t = f.new_line(n).trim_end();
        if !t.ends_with(['(', ',', '[', '{']) {
            break;
        }
        out.push(t);
    }
    out
}

/// A Terraform setting (`deletion_protection = true`) that a module the
/// change writes now takes from a variable (`deletion_protection =
/// var.deletion_protection`) declared in the change with the same default,
/// which no added line overrides (`deletion_protection = false` in the
/// module's call): the resource moved into the module keeps it.
fn set_through_module_variable(
    change: &super::ChangeView<'_>,
    matched: &str,
    ext: Option<&str>,
) -> bool {
    static KEY_VALUE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
        Regex::new(r#"^\s*["']?(\w+)["']?\s*[:=]\s*["']?([\w.-]+)["']?\s*$"#).unwrap()
    });
    let Some(c) = KEY_VALUE.captures(matched) else {
        return false;
    };
    let (key, value) = (&c[1], &c[2]);
    let terraform_files = || {
        change
            .files
            .iter()
            .filter(move |g| !g.class.test_like() && g.path.rsplit_once('.').map(|(_, e)| e) == ext)
    };
    // `key = var.NAME`: the names of the variables the setting now reads.
    terraform_files()
        .flat_map(|g| g.added_code())
        .filter_map(|l| {
            let c = KEY_VALUE.captures(l.text)?;
            (&c[1] == key).then(|| c[2].strip_prefix("var.").map(str::to_string))?
        })
        .any(|name| {
            let declared = terraform_files()
                .any(|g| variable_default(&g.added_text, &name).is_some_and(|d| d == value));
            let overridden = terraform_files().flat_map(|g| g.added_code()).any(|l| {
                KEY_VALUE
                    .captures(l.text)
                    .is_some_and(|c| c[1] == name && c[2] != *value && !c[2].starts_with("var."))
            });
            declared && !overridden
        })
}

/// The default of Terraform variable `name` as written in `text`, if its
/// block declares one.
fn variable_default<'t>(text: &'t str, name: &str) -> Option<&'t str> {
    let start = text.find(&format!("variable \"{name}\""))?;
    let block = &text[start..];
    let block = &block[..block.find("\n}").unwrap_or(block.len())];
    block.lines().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim() == "default").then(|| v.trim().trim_matches('"'))
    })
}

/// False only when `anywhere` (a rule's pattern over joined lines) finds
/// nothing in `joined`: no line of it can match.
fn could_match(anywhere: &Option<Regex>, joined: &str) -> bool {
    anywhere.as_ref().is_none_or(|re| re.is_match(joined))
}

/// A silenced rule.
#[derive(Debug, Clone)]
pub struct Silence {
    pub rule: String,
    paths: GlobSet,
    pub reason: String,
}

/// Every data rule in force, the critical paths and the silences.
#[derive(Debug, Clone)]
pub struct RuleSet {
    /// Shared, so a clone keeps the compiled regexes and their match caches
    /// (a cloned `Regex` starts with a cold cache pool).
    pub patterns: std::sync::Arc<Vec<PatternRule>>,
    critical: GlobSet,
    pub critical_globs: Vec<String>,
    pub silences: Vec<Silence>,
    /// Hash of everything that shapes a report (engine version and rule texts).
    pub hash: String,
}

/// A problem in a rules file, with the line it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesError {
    pub origin: String,
    pub line: usize,
    pub message: String,
}

/// The hash of everything besides the commits that shapes a report: the
/// engine version, the built-in rules and the repository's rules file. Cheap
/// (no rule is compiled), so a cached report is found without loading rules.
pub fn rules_hash(repo_text: Option<&str>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(ENGINE_VERSION);
    hasher.update(BUILTIN_RULES);
    if let Some(text) = repo_text {
        hasher.update([0u8]);
        hasher.update(text);
    }
    hex(&hasher.finalize()[..12])
}

impl std::fmt::Display for RulesError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} line {}: {}; fix the file (the built-in rules are used until then)",
            self.origin, self.line, self.message
        )
    }
}

impl std::error::Error for RulesError {}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Compiles a repository glob: a pattern without `/` matches the file name at any
/// depth (as in .gitignore); otherwise it is anchored at the repository root.
pub fn glob(pattern: &str) -> Result<Glob, globset::Error> {
    let p = pattern.trim_start_matches('/');
    let p = if p.contains('/') {
        p.to_string()
    } else {
        format!("**/{p}")
    };
    let p = if p.ends_with('/') {
        format!("{p}**")
    } else {
        p
    };
    GlobBuilder::new(&p).literal_separator(true).build()
}

impl RuleSet {
    /// The built-in rules alone (compiled once per process).
    pub fn builtin() -> RuleSet {
        static BUILTIN: std::sync::LazyLock<RuleSet> =
            std::sync::LazyLock::new(|| RuleSet::load(None).expect("the built-in rules compile"));
        BUILTIN.clone()
    }

    /// The built-in rules merged with a repository's rules file (`(text, origin)`).
    pub fn load(repo: Option<(&str, &str)>) -> Result<RuleSet, RulesError> {
        let mut patterns = Vec::new();
        let mut critical = GlobSetBuilder::new();
        let mut critical_globs = Vec::new();
        let mut silences = Vec::new();
        let hash = rules_hash(repo.map(|(text, _)| text));
        let mut sources = vec![(BUILTIN_RULES, "built-in rules (assets/rules.toml)", true)];
        if let Some((text, origin)) = repo {
            sources.push((text, origin, false));
        }
        let mut ids: HashMap<String, usize> = HashMap::new();
        for (text, origin, builtin) in sources {
            let err = |offset: usize, message: String| RulesError {
                origin: origin.to_string(),
                line: line_of(text, offset),
                message,
            };
            let file: RulesFile = toml::from_str(text).map_err(|e| {
                let offset = e.span().map_or(0, |s| s.start);
                err(offset, crate::config::one_line(e.message()))
            })?;
            for g in &file.critical_paths {
                let compiled = glob(g.get_ref())
                    .map_err(|e| err(g.span().start, format!("bad glob '{}': {e}", g.get_ref())))?;
                critical.add(compiled);
                critical_globs.push(g.get_ref().clone());
            }
            for r in file.rules {
                let span = r.span();
                let r = r.into_inner();
                let severity = Severity::parse(r.severity.get_ref()).ok_or_else(|| {
                    err(
                        r.severity.span().start,
                        format!(
                            "severity '{}' is not one of low, medium, high, critical",
                            r.severity.get_ref()
                        ),
                    )
                })?;
                if r.id.trim().is_empty() {
                    return Err(err(span.start, "a rule needs a non-empty id".into()));
                }
                if let Some(prev) = ids.insert(r.id.clone(), line_of(text, span.start)) {
                    if builtin {
                        return Err(err(span.start, format!("rule id '{}' is used twice", r.id)));
                    }
                    let _ = prev;
                    return Err(err(
                        span.start,
                        format!("rule id '{}' is already a rule; pick another id", r.id),
                    ));
                }
                let regex = |s: &Option<Spanned<String>>| -> Result<Option<Regex>, RulesError> {
                    s.as_ref()
                        .map(|s| {
                            Regex::new(s.get_ref()).map_err(|e| {
                                err(
                                    s.span().start,
                                    format!(
                                        "bad regex in rule '{}': {}",
                                        r.id,
                                        crate::config::one_line(&e.to_string())
                                    ),
                                )
                            })
                        })
                        .transpose()
                };
                // `^` and `$` at every line: whatever matches one line alone
                // matches somewhere in the lines joined.
                let anywhere = |s: &Option<Spanned<String>>| {
                    s.as_ref().and_then(|s| {
                        regex::RegexBuilder::new(s.get_ref())
                            .multi_line(true)
                            .build()
                            .ok()
                    })
                };
                let globs = |gs: &[Spanned<String>]| -> Result<Option<GlobSet>, RulesError> {
                    if gs.is_empty() {
                        return Ok(None);
                    }
                    let mut b = GlobSetBuilder::new();
                    for g in gs {
                        b.add(glob(g.get_ref()).map_err(|e| {
                            err(g.span().start, format!("bad glob '{}': {e}", g.get_ref()))
                        })?);
                    }
                    Ok(Some(b.build().map_err(|e| err(span.start, e.to_string()))?))
                };
                let exclude_lines = regex(&r.exclude_lines)?;
                let exclude_before = regex(&r.exclude_before)?;
                let kept = regex(&r.kept)?;
                let closed_by = regex(&r.closed_by)?;
                patterns.push(PatternRule {
                    added: regex(&r.added)?,
                    removed: regex(&r.removed)?,
                    added_anywhere: anywhere(&r.added),
                    removed_anywhere: anywhere(&r.removed),
                    paths: globs(&r.paths)?,
                    exclude: globs(&r.exclude)?,
                    id: r.id,
                    severity,
                    message: r.message,
                    tests: r.tests,
                    docs: r.docs,
                    comments: r.comments,
                    unless: r.unless,
                    exclude_lines,
                    exclude_before,
                    closed_by,
                    deleted_files: r.deleted_files,
                    kept,
                });
            }
            for s in file.silences {
                let span = s.span();
                let s = s.into_inner();
                if s.reason.trim().is_empty() {
                    return Err(err(
                        span.start,
                        format!("silencing '{}' needs a reason", s.rule),
                    ));
                }
                if s.rule.starts_with("gate-") {
                    return Err(err(
                        span.start,
                        format!(
                            "'{}' guards the review gate itself and cannot be silenced",
                            s.rule
                        ),
                    ));
                }
                let mut b = GlobSetBuilder::new();
                for g in &s.paths {
                    b.add(glob(g.get_ref()).map_err(|e| {
                        err(g.span().start, format!("bad glob '{}': {e}", g.get_ref()))
                    })?);
                }
                silences.push(Silence {
                    rule: s.rule,
                    paths: b.build().map_err(|e| err(span.start, e.to_string()))?,
                    reason: s.reason,
                });
            }
        }
        Ok(RuleSet {
            patterns: std::sync::Arc::new(patterns),
            critical: critical.build().expect("globs were checked one by one"),
            critical_globs,
            silences,
            hash,
        })
    }

    /// True when `path` is on a critical path.
    pub fn is_critical(&self, path: &str) -> bool {
        self.critical.is_match(path)
    }

    /// Runs the pattern rules on one file.
    pub fn check_patterns(
        &self,
        f: &FileView<'_>,
        change: &super::ChangeView<'_>,
        out: &mut Vec<Finding>,
    ) {
        for r in self.patterns.iter() {
            if (f.class.test_like() && !r.tests) || (f.class.docs && !r.docs) || f.class.vendored {
                continue;
            }
            let path_ok = |p: &str| {
                r.paths.as_ref().is_none_or(|g| g.is_match(p))
                    && !r.exclude.as_ref().is_some_and(|g| g.is_match(p))
            };
            if !path_ok(f.path) {
                continue;
            }
            if let Some(other) = &r.unless
                && out.iter().any(|x| &x.rule == other && x.path == f.path)
            {
                continue;
            }
            if r.added.is_none() && r.removed.is_none() {
                // A path rule: any change to these files.
                out.push(Finding::added(
                    &r.id,
                    r.severity,
                    f.path,
                    None,
                    r.message.clone(),
                ));
                continue;
            }
            let code = |t: &str| {
                (r.comments || !f.class.is_comment(t))
                    && !r.exclude_lines.as_ref().is_some_and(|x| x.is_match(t))
            };
            // Inline tests are skipped unless the rule asks for them; prose
            // inside code (docstrings) with comments.
            let tested = |l: &&super::Line<'_>, new: bool| {
                let prose = !r.comments && f.prose_lines.contains(&(new, l.no));
                prose
                    || !r.tests
                        && if new {
                            f.test_line(l.no)
                        } else {
                            f.test_line_old(l.no)
                        }
            };
            if let Some(re) = r
                .added
                .as_ref()
                .filter(|_| could_match(&r.added_anywhere, &f.added_text))
            {
                // Text that was already there (on a line the change only edited)
                // is not something the change introduced.
                // Worked out only once a line matches: most rules match none.
                let was: std::cell::OnceCell<Vec<String>> = std::cell::OnceCell::new();
                let was = || {
                    was.get_or_init(|| {
                        f.removed
                            .iter()
                            .filter(|l| code(l.text))
                            .filter_map(|l| re.find(l.text).map(|m| normalise(m.as_str())))
                            .collect()
                    })
                };
                // Nor is a whole line the change takes, as it was, out of
                // another file: the same decorator or setting moved into a
                // new module.
                let moved_here = |line: &str| {
                    let line = normalise(line);
                    change
                        .files
                        .iter()
                        .filter(|g| g.path != f.path && !g.class.test_like())
                        .flat_map(|g| g.removed.iter())
                        .any(|l| normalise(l.text) == line)
                };
                let said_before = |no: u32| {
                    r.exclude_before
                        .as_ref()
                        .is_some_and(|x| statement_above(f, no).iter().any(|t| x.is_match(t)))
                };
                let closed_after = |no: u32| {
                    r.closed_by.as_ref().is_some_and(|x| match f.new_text() {
                        Some(t) => t.lines().skip(no as usize).any(|t| x.is_match(t)),
                        None => f.added.iter().any(|a| a.no > no && x.is_match(a.text)),
                    })
                };
                for l in f.added.iter().filter(|l| code(l.text) && !tested(l, true)) {
                    if let Some(m) = re.find(l.text) {
                        if was().contains(&normalise(m.as_str()))
                            || moved_here(l.text)
                            || said_before(l.no)
                            || closed_after(l.no)
                        {
                            continue;
                        }
                        out.push(Finding::added(
                            &r.id,
                            r.severity,
                            f.path,
                            Some(l.no),
                            r.message.replace("{match}", &quote(m.as_str())),
                        ));
                    }
                }
            }
            // A setting dropped from a file the change deletes went with what
            // it set (a DAG deleted with its `catchup=False`), unless the
            // rule guards against that very deletion.
            let written_anew = |k: &Regex| f.added_code().any(|l| k.is_match(l.text));
            if let Some(re) = r
                .removed
                .as_ref()
                .filter(|_| could_match(&r.removed_anywhere, &f.removed_text))
                .filter(|_| !f.deleted() || r.deleted_files)
                .filter(|_| !r.kept.as_ref().is_some_and(written_anew))
            {
                // Text the change writes back is not gone; nor is a whole
                // line it moves, as it was, into another file.
                let still: std::cell::OnceCell<Vec<String>> = std::cell::OnceCell::new();
                let still = || {
                    still.get_or_init(|| {
                        f.added
                            .iter()
                            .filter_map(|l| re.find(l.text).map(|m| normalise(m.as_str())))
                            .collect()
                    })
                };
                // Moved into another file: the whole line as it was, or,
                // between Terraform files, the setting written again (a
                // resource moved into a module, its
                // `final_snapshot_identifier` now built from a variable).
                // Elsewhere a key alone (`issuer:`) says too little.
                let ext = f.path.rsplit_once('.').map(|(_, e)| e);
                let terraform = matches!(ext, Some("tf" | "hcl"));
                let moved_away = |line: &str, matched: &str| {
                    let (line, matched) = (normalise(line), normalise(matched));
                    change
                        .files
                        .iter()
                        .filter(|g| g.path != f.path && !g.class.test_like())
                        .flat_map(|g| g.added.iter().map(move |l| (g, l)))
                        .any(|(g, l)| {
                            normalise(l.text) == line
                                || terraform
                                    && g.path.rsplit_once('.').map(|(_, e)| e) == ext
                                    && re
                                        .find(l.text)
                                        .is_some_and(|x| normalise(x.as_str()) == matched)
                        })
                        || terraform && set_through_module_variable(change, &matched, ext)
                };
                for l in f
                    .removed
                    .iter()
                    .filter(|l| code(l.text) && !tested(l, false))
                {
                    if let Some(m) = re.find(l.text) {
                        if still().contains(&normalise(m.as_str()))
                            || moved_away(l.text, m.as_str())
                        {
                            continue; // moved, not removed
                        }
                        out.push(Finding::removed(
                            &r.id,
                            r.severity,
                            f.path,
                            Some(l.no),
                            r.message.replace("{match}", &quote(m.as_str())),
                        ));
                    }
                }
            }
        }
    }

    /// The added-text rules that `text` would trip in a file at `path`, as
    /// (rule, severity, message): for a line as it reads once a variable is
    /// replaced by what it holds.
    pub fn added_matches(&self, path: &str, text: &str) -> Vec<(String, Severity, String)> {
        self.patterns
            .iter()
            .filter(|r| {
                r.paths.as_ref().is_none_or(|g| g.is_match(path))
                    && !r.exclude.as_ref().is_some_and(|g| g.is_match(path))
                    && !r.exclude_lines.as_ref().is_some_and(|x| x.is_match(text))
            })
            .filter_map(|r| {
                let m = r.added.as_ref()?.find(text)?;
                Some((
                    r.id.clone(),
                    r.severity,
                    r.message.replace("{match}", &quote(m.as_str())),
                ))
            })
            .collect()
    }

    /// Drops findings silenced for their path (the gate's own rules excepted).
    pub fn apply_silences(&self, out: &mut Vec<Finding>) {
        if self.silences.is_empty() {
            return;
        }
        out.retain(|f| {
            f.rule.starts_with("gate-")
                || !self
                    .silences
                    .iter()
                    .any(|s| s.rule == f.rule && s.paths.is_match(&f.path))
        });
    }
}

/// Whitespace-, quote- and bracket-insensitive form of a matched snippet (to
/// tell moves and reformatting from removals).
pub fn normalise(s: &str) -> String {
    s.replace(['[', ']', '"', '\''], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_compile() {
        let r = RuleSet::builtin();
        assert!(r.patterns.len() > 10);
        assert!(r.is_critical("services/payments/ledger.go"));
        assert!(!r.is_critical("web/src/components/Button.tsx"));
    }

    #[test]
    fn anchored_patterns_match_any_line_of_a_file_not_only_its_first() {
        // The one-search test over a file's joined lines must not hide a
        // match that `^`/`$` find on a line of its own.
        let text = "[[rule]]\nid = \"team-shell\"\nseverity = \"high\"\nmessage = \"m\"\nadded = '^\\s*sh -c$'\nremoved = '^keep$'\n";
        let rules = RuleSet::load(Some((text, "r.toml"))).unwrap();
        let hit = |old: &str, new: &str| -> Vec<(String, Option<u32>)> {
            crate::risk::findings(
                &crate::risk::testkit::diff_of("deploy/run.sh", Some(old), Some(new)),
                &crate::risk::Contents::new(),
                &rules,
            )
            .into_iter()
            .filter(|f| f.rule == "team-shell")
            .map(|f| (f.rule, f.line))
            .collect()
        };
        let found = hit("a\nkeep\nb\n", "a\nb\n  sh -c\nc\n");
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.iter().any(|(_, l)| *l == Some(3)), "{found:?}");
        assert!(
            hit("a\n", "a\n  sh -c x\nb\n").is_empty(),
            "`$` still ends the line"
        );
    }

    #[test]
    fn broken_rules_name_their_line() {
        let text = "critical_paths = [\"billing/**\"]\n\n[[rule]]\nid = \"x\"\nseverity = \"high\"\nmessage = \"m\"\nadded = '(unclosed'\n";
        let e = RuleSet::load(Some((text, ".countersign/rules.toml"))).unwrap_err();
        assert_eq!(e.line, 7, "{e}");
        assert!(e.to_string().contains(".countersign/rules.toml line 7"));
        let e = RuleSet::load(Some(("[[rule]\n", "r.toml"))).unwrap_err();
        assert_eq!(e.line, 1);
        let e = RuleSet::load(Some((
            "\n[[rule]]\nid = \"y\"\nseverity = \"urgent\"\nmessage = \"m\"\n",
            "r.toml",
        )))
        .unwrap_err();
        assert_eq!(e.line, 4, "{e}");
    }

    #[test]
    fn silences_need_reasons_and_spare_the_gate() {
        let e = RuleSet::load(Some((
            "[[silence]]\nrule = \"sql-drop-table\"\npaths = [\"x/**\"]\nreason = \"\"\n",
            "r",
        )))
        .unwrap_err();
        assert!(e.message.contains("reason"));
        let e = RuleSet::load(Some((
            "[[silence]]\nrule = \"gate-countersign\"\npaths = [\"**\"]\nreason = \"no\"\n",
            "r",
        )))
        .unwrap_err();
        assert!(e.message.contains("cannot be silenced"));
    }

    #[test]
    fn repo_rules_change_the_hash() {
        let a = RuleSet::builtin().hash;
        let b = RuleSet::load(Some(("critical_paths = [\"x/**\"]", "r"))).unwrap();
        assert_ne!(a, b.hash);
        assert!(b.is_critical("x/y.rs"));
    }
}

#[cfg(test)]
mod builtin_tests {

    #[test]
    fn optional_tokens_unmanaged_keys_and_regex_labels_compared_with_equals_are_found() {
        use crate::risk::testkit::rules_hit;
        let envoy = "providers:\n  partner: {}\nrules:\n  - match: { prefix: /api }\n    requires:\n      provider_name: partner\n";
        let optional = envoy.replace("      provider_name: partner\n", "      requires_any:\n        requirements:\n          - provider_name: partner\n          - allow_missing: {}\n");
        let hit = rules_hit("deploy/envoy/jwt.yaml", Some(envoy), Some(&optional));
        assert!(hit.contains(&"envoy-jwt-optional".to_string()), "{hit:?}");
        let keys = "- name: deploy keys\n  authorized_key:\n    user: deploy\n    key: \"{{ keys }}\"\n    exclusive: true\n";
        let hit = rules_hit(
            "ansible/roles/users/tasks/main.yml",
            Some(keys),
            Some(&keys.replace("    exclusive: true\n", "")),
        );
        assert!(
            hit.contains(&"ssh-keys-not-exclusive".to_string()),
            "{hit:?}"
        );
        let rule = "expr: sum(rate(http_requests_total{job=\"api\", status=~\"5..\"}[5m]))\n";
        let hit = rules_hit(
            "monitoring/rules/api.rules.yml",
            Some(rule),
            Some(&rule.replace("=~", "=")),
        );
        assert!(
            hit.contains(&"promql-regex-as-equality".to_string()),
            "{hit:?}"
        );
        let hit = rules_hit(
            "monitoring/rules/api.rules.yml",
            Some(rule),
            Some(&rule.replace("5..", "500")),
        );
        assert!(
            !hit.contains(&"promql-regex-as-equality".to_string()),
            "{hit:?}"
        );
        // A lockfile's inline table with a version marker is no matcher.
        let lock = "[[package]]\nname = \"flask\"\ndependencies = [\n]\n";
        let hit = rules_hit(
            "uv.lock",
            Some(lock),
            Some(&lock.replace(
                "dependencies = [\n",
                "dependencies = [\n    { name = \"tomli\", marker = \"python_full_version == '3.10.*'\" },\n",
            )),
        );
        assert!(
            !hit.contains(&"promql-regex-as-equality".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn raw_blade_output_of_an_escaped_value_is_not_an_xss_sink() {
        let rule = "sec-xss-sink".to_string();
        let p = "resources/views/emails/ticket.blade.php";
        let old = "<p>{{ $ticket->body }}</p>\n";
        let escaped = "<p>{!! nl2br(e($ticket->body)) !!}</p>\n";
        assert!(!rules_hit(p, Some(old), Some(escaped)).contains(&rule));
        let raw = "<p>{!! nl2br($ticket->body) !!}</p>\n";
        assert!(rules_hit(p, Some(old), Some(raw)).contains(&rule));
        // Escaped first, then something else wraps it raw again: still found.
        let markdown = "<p>{!! Str::markdown($ticket->body) !!}</p>\n";
        assert!(rules_hit(p, Some(old), Some(markdown)).contains(&rule));
    }

    #[test]
    fn password_ssh_logins_and_public_databases_are_found() {
        let ssh = "ssh-password-login".to_string();
        let old =
            "#cloud-config\nssh_pwauth: false\nusers:\n  - name: ops\n    lock_passwd: true\n";
        let new = old
            .replace("ssh_pwauth: false", "ssh_pwauth: true")
            .replace("lock_passwd: true", "lock_passwd: false");
        assert!(rules_hit("infra/bastion/cloud-init.yaml", Some(old), Some(&new)).contains(&ssh));
        let sshd = "Port 22\nPasswordAuthentication no\n";
        let yes = "Port 22\nPasswordAuthentication yes\n";
        assert!(
            rules_hit("ansible/roles/ssh/files/sshd_config", Some(sshd), Some(yes)).contains(&ssh)
        );
        assert!(
            !rules_hit("ansible/roles/ssh/files/sshd_config", Some(yes), Some(sshd)).contains(&ssh)
        );
        let public = "sec-public-network".to_string();
        let cdk = "    const db = new rds.DatabaseInstance(this, 'Db', {\n      publiclyAccessible: false,\n    });\n";
        assert!(
            rules_hit(
                "infra/lib/db-stack.ts",
                Some(cdk),
                Some(&cdk.replace("false", "true"))
            )
            .contains(&public)
        );
        let sg = "    sg.addIngressRule(props.appSg, ec2.Port.tcp(5432));\n";
        let any = "    sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(5432));\n";
        assert!(rules_hit("infra/lib/db-stack.ts", Some(sg), Some(any)).contains(&public));
        let readers =
            "variable \"readers\" {\n  default = [\n    \"group:partners@acme.com\",\n  ]\n}\n";
        let everyone = readers.replace(
            "\"group:partners@acme.com\",",
            "\"group:partners@acme.com\",\n    \"allAuthenticatedUsers\",",
        );
        assert!(
            rules_hit("infra/gcp/variables.tf", Some(readers), Some(&everyone)).contains(&public)
        );
    }

    #[test]
    fn a_scheduled_job_that_loses_its_single_run_lock_is_found() {
        let rule = "job-single-run-lock-removed".to_string();
        let kt = "src/main/kotlin/billing/MonthlyInvoiceJob.kt";
        let old = "class MonthlyInvoiceJob {\n    @Scheduled(cron = \"0 0 2 1 * *\")\n    @SchedulerLock(name = \"monthlyInvoiceJob\", lockAtMostFor = \"PT2H\")\n    fun run() {\n        billing.invoiceAll()\n    }\n}\n";
        let new = old.replace(
            "    @SchedulerLock(name = \"monthlyInvoiceJob\", lockAtMostFor = \"PT2H\")\n",
            "",
        );
        assert!(rules_hit(kt, Some(old), Some(&new)).contains(&rule));
        // Renamed, still locked.
        let renamed = old.replace("monthlyInvoiceJob", "monthly-invoices");
        assert!(!rules_hit(kt, Some(old), Some(&renamed)).contains(&rule));
        let php = "app/Console/Kernel.php";
        let old = "$schedule->command('invoices:charge')->dailyAt('02:00')->onOneServer();\n";
        let new = "$schedule->command('invoices:charge')->dailyAt('03:00');\n";
        assert!(rules_hit(php, Some(old), Some(new)).contains(&rule));
        let kept = "$schedule->command('invoices:charge')->dailyAt('03:00')->onOneServer();\n";
        assert!(!rules_hit(php, Some(old), Some(kept)).contains(&rule));
    }

    #[test]
    fn a_package_made_publishable_and_a_secret_regenerated_per_upgrade_are_found() {
        let rule = "package-made-publishable".to_string();
        let old = "{\n  \"name\": \"@acme/dashboard\",\n  \"private\": true,\n  \"version\": \"0.0.0\"\n}\n";
        let new = old.replace("  \"private\": true,\n", "");
        assert!(rules_hit("apps/dashboard/package.json", Some(old), Some(&new)).contains(&rule));
        assert!(!rules_hit("apps/dashboard/package.json", Some(&new), Some(old)).contains(&rule));
        let rule = "helm-secret-regenerated".to_string();
        let p = "charts/api/templates/session-secret.yaml";
        let new = "data:\n  SESSION_SECRET: {{ .Values.session.secret | default (randAlphaNum 64) | b64enc | quote }}\n";
        assert!(rules_hit(p, None, Some(new)).contains(&rule));
        let looked_up = "data:\n  SESSION_SECRET: {{ (lookup \"v1\" \"Secret\" .Release.Namespace \"s\").data.SESSION_SECRET | default (randAlphaNum 64 | b64enc) }}\n";
        assert!(!rules_hit(p, None, Some(looked_up)).contains(&rule));
    }

    #[test]
    fn auto_acknowledged_queues_and_loose_hash_comparisons_are_found() {
        let rule = "queue-auto-ack".to_string();
        let cs = "src/Worker/OrderConsumer.cs";
        let old = "_channel.BasicConsume(queue: QueueName, autoAck: false, consumer: consumer);\n";
        assert!(rules_hit(cs, Some(old), Some(&old.replace("false", "true"))).contains(&rule));
        assert!(!rules_hit(cs, Some(&old.replace("false", "true")), Some(old)).contains(&rule));
        let py =
            "channel.basic_consume(queue='orders', on_message_callback=handle, auto_ack=True)\n";
        assert!(rules_hit("worker/consume.py", None, Some(py)).contains(&rule));
        let rule = "php-loose-hash-compare".to_string();
        let php = "app/Auth/LegacyProvider.php";
        let loose = "return md5($salt . $plain) == $user->legacy_password_hash;\n";
        assert!(rules_hit(php, None, Some(loose)).contains(&rule));
        let strict = "return hash_equals($user->legacy_password_hash, md5($salt . $plain));\n";
        assert!(!rules_hit(php, None, Some(strict)).contains(&rule));
        let via = "if ($candidate != strtolower($user->legacy_password_hash)) {\n";
        assert!(rules_hit(php, None, Some(via)).contains(&rule));
        let identical = "return md5($salt . $plain) === $user->legacy_password_hash;\n";
        assert!(!rules_hit(php, None, Some(identical)).contains(&rule));
        let jwt = "sec-jwt-unverified".to_string();
        let go = "verifier := provider.Verifier(&oidc.Config{SkipClientIDCheck: true})\n";
        assert!(rules_hit("internal/auth/oidc.go", None, Some(go)).contains(&jwt));
    }

    #[test]
    fn sudo_grants_of_shell_escaping_programs_and_unescaped_cron_percents_are_found() {
        let rule = "sudo-shell-escape".to_string();
        let p = "roles/support/templates/sudoers-support.j2";
        let old = "%support ALL=(root) NOPASSWD: /usr/bin/journalctl --no-pager -u app.service, \\\n    /usr/bin/tail -n 200 /var/log/app/app.log\n";
        let pager = old.replace(
            "/usr/bin/tail -n 200 /var/log/app/app.log\n",
            "/usr/bin/tail -n 200 /var/log/app/app.log, \\\n    /usr/bin/less /var/log/app/*\n",
        );
        assert!(rules_hit(p, Some(old), Some(&pager)).contains(&rule));
        let vim = "deploy ALL=(root) NOPASSWD: /usr/bin/vim /etc/app/config.yml\n";
        assert!(rules_hit("etc/sudoers.d/deploy", None, Some(vim)).contains(&rule));
        // A fixed command that cannot start a shell, or a pager told not to page.
        let restart = "deploy ALL=(root) NOPASSWD: /bin/systemctl restart app.service\n";
        assert!(!rules_hit("etc/sudoers.d/deploy", None, Some(restart)).contains(&rule));
        assert!(!rules_hit(p, None, Some(old)).contains(&rule));
        // Not a sudoers file.
        assert!(!rules_hit("docs/runbook.sh", None, Some(vim)).contains(&rule));

        let rule = "cron-percent-unescaped".to_string();
        let cron = "ops/cron.d/backup";
        let bad = "15 2 * * * postgres /usr/local/bin/backup.sh >> /var/log/backup-$(date +%F).log 2>&1\n";
        assert!(rules_hit(cron, None, Some(bad)).contains(&rule));
        let daily = "@daily root tar czf /srv/archive/etc-$(date +%Y%m%d).tgz /etc\n";
        assert!(rules_hit(cron, None, Some(daily)).contains(&rule));
        let escaped = bad.replace("+%F", "+\\%F");
        assert!(!rules_hit(cron, None, Some(&escaped)).contains(&rule));
        let plain = "15 2 * * * postgres /usr/local/bin/backup.sh >> /var/log/backup.log 2>&1\n";
        assert!(!rules_hit(cron, None, Some(plain)).contains(&rule));
        // A shell script may use `%` freely.
        assert!(!rules_hit("scripts/backup.sh", None, Some(bad)).contains(&rule));
    }

    #[test]
    fn a_cache_hash_without_the_host_is_found() {
        let rule = "cache-hash-host-dropped".to_string();
        let fastly = "sub vcl_hash {\n  set req.hash += req.url;\n  set req.hash += req.http.host;\n#FASTLY hash\n  return(hash);\n}\n";
        let url_only = fastly.replace("  set req.hash += req.http.host;\n", "");
        assert!(rules_hit("edge/main.vcl", Some(fastly), Some(&url_only)).contains(&rule));
        let varnish = "sub vcl_hash {\n    hash_data(req.url);\n    hash_data(req.http.host);\n    return (lookup);\n}\n";
        let gone = varnish.replace("    hash_data(req.http.host);\n", "");
        assert!(rules_hit("varnish/default.vcl", Some(varnish), Some(&gone)).contains(&rule));
        // Moved, not dropped: the host is still hashed.
        let reordered = "sub vcl_hash {\n    hash_data(req.http.host);\n    hash_data(req.url);\n    return (lookup);\n}\n";
        assert!(!rules_hit("varnish/default.vcl", Some(varnish), Some(reordered)).contains(&rule));
    }

    #[test]
    fn a_force_push_of_generated_pages_is_not_a_forced_overwrite() {
        let rule = "ci-force".to_string();
        let p = "scripts/deploy-docs.sh";
        let pages = "git push --force origin HEAD:gh-pages\n";
        assert!(!rules_hit(p, None, Some(pages)).contains(&rule));
        let main = "git push --force origin HEAD:main\n";
        assert!(rules_hit(p, None, Some(main)).contains(&rule));
    }

    #[test]
    fn a_database_row_lock_removed_with_none_in_its_place_is_found() {
        let rule = "db-row-lock-removed".to_string();
        let p = "shop/inventory/services.py";
        let old = "def reserve(sku, qty):\n    with transaction.atomic():\n        item = Stock.objects.select_for_update().get(sku=sku)\n        if item.available < qty:\n            raise OutOfStock(sku)\n        item.available -= qty\n        item.save()\n";
        let unlocked = old.replace(".select_for_update()", "");
        assert!(rules_hit(p, Some(old), Some(&unlocked)).contains(&rule));
        // The check made part of one conditional update: no race left.
        let atomic = "def reserve(sku, qty):\n    updated = Stock.objects.filter(sku=sku, available__gte=qty).update(available=F(\"available\") - qty)\n    if not updated:\n        raise OutOfStock(sku)\n";
        assert!(!rules_hit(p, Some(old), Some(atomic)).contains(&rule));
        // A claim query written over several lines, its lock on a line of its own.
        let java = "interface JobRepository {\n    @Query(value = \"\"\"\n            SELECT * FROM jobs\n            WHERE status = 'PENDING'\n            LIMIT :limit\n            FOR UPDATE SKIP LOCKED\n            \"\"\", nativeQuery = true)\n    List<Job> claim(@Param(\"limit\") int limit);\n}\n";
        let derived =
            "interface JobRepository {\n    List<Job> findTop50ByStatus(JobStatus status);\n}\n";
        let jp = "src/main/java/com/acme/jobs/JobRepository.java";
        assert!(rules_hit(jp, Some(java), Some(derived)).contains(&rule));
        // The lock kept, the query reworded around it.
        let kept = java.replace("LIMIT :limit", "ORDER BY run_at LIMIT :limit");
        assert!(!rules_hit(jp, Some(java), Some(&kept)).contains(&rule));
    }

    #[test]
    fn a_query_that_turns_off_global_filters_is_found() {
        let rule = "authz-query-filters-bypassed".to_string();
        let cs = "src/Api/OrderHistoryQuery.cs";
        let old = "public Task<List<Order>> Run(Guid customerId) =>\n    _db.Orders.AsNoTracking().Where(o => o.CustomerId == customerId).ToListAsync();\n";
        let new = old.replace(
            "_db.Orders.AsNoTracking()",
            "_db.Orders.IgnoreQueryFilters().AsNoTracking()",
        );
        assert!(rules_hit(cs, Some(old), Some(&new)).contains(&rule));
        let rb = "app/controllers/invoices_controller.rb";
        let old = "def show\n  @invoice = Invoice.find(params[:id])\nend\n";
        assert!(
            rules_hit(
                rb,
                Some(old),
                Some(&old.replace("Invoice.find", "Invoice.unscoped.find"))
            )
            .contains(&rule)
        );
        let php = "app/Http/Controllers/ReportController.php";
        let old = "$orders = Order::query()->where('status', 'paid')->get();\n";
        let new = old.replace(
            "Order::query()",
            "Order::withoutGlobalScope(TenantScope::class)",
        );
        assert!(rules_hit(php, Some(old), Some(&new)).contains(&rule));
        // A filter the query keeps, or a scope merely named, is not.
        let kept = old.replace(
            "->where('status', 'paid')",
            "->where('status', 'paid')->withoutTrashed()",
        );
        assert!(!rules_hit(php, Some(old), Some(&kept)).contains(&rule));
        let scoped =
            "def show\n  @invoice = current_account.invoices.scoped.find(params[:id])\nend\n";
        assert!(!rules_hit(rb, Some("def show\nend\n"), Some(scoped)).contains(&rule));
    }

    #[test]
    fn a_request_body_written_to_the_database_as_is_is_mass_assignment() {
        let rule = "sec-mass-assignment".to_string();
        let p = "src/routes/profile.ts";
        let old = "router.patch('/me', async (req, res) => {\n  const { name, bio } = req.body;\n  const user = await prisma.user.update({ where: { id: req.user.id }, data: { name, bio } });\n  res.json(user);\n});\n";
        for raw in ["data: req.body", "data: { ...req.body }"] {
            let new = old.replace("data: { name, bio }", raw);
            assert!(rules_hit(p, Some(old), Some(&new)).contains(&rule), "{raw}");
        }
        let sequelize = old.replace(
            "await prisma.user.update({ where: { id: req.user.id }, data: { name, bio } })",
            "await User.update(req.body, { where: { id: req.user.id } })",
        );
        assert!(rules_hit(p, Some(old), Some(&sequelize)).contains(&rule));
        let mongoose = old.replace(
            "await prisma.user.update({ where: { id: req.user.id }, data: { name, bio } })",
            "await User.findByIdAndUpdate(req.user.id, req.body, { new: true })",
        );
        assert!(rules_hit(p, Some(old), Some(&mongoose)).contains(&rule));
        // The body parsed by a schema first: only what it allows is written.
        let parsed = old
            .replace(
                "  const { name, bio } = req.body;\n",
                "  const data = profileSchema.parse(req.body);\n",
            )
            .replace("data: { name, bio }", "data");
        assert!(!rules_hit(p, Some(old), Some(&parsed)).contains(&rule));
    }

    #[test]
    fn a_secret_logged_through_a_mask_is_no_leak() {
        use crate::risk::testkit::rules_hit;
        let rule = "log-secret".to_string();
        let hit = rules_hit(
            "src/auth.kt",
            Some("x\n"),
            Some("x\nlog.info(\"refreshed {}\", refreshToken)\n"),
        );
        assert!(hit.contains(&rule), "{hit:?}");
        let hit = rules_hit(
            "src/auth.kt",
            Some("x\n"),
            Some("x\nlog.info(\"refreshed {}\", fingerprint(refreshToken))\n"),
        );
        assert!(!hit.contains(&rule), "{hit:?}");
    }

    #[test]
    fn a_proxy_that_stops_clearing_identity_headers_is_found() {
        use crate::risk::testkit::{findings_of_change, rules_hit};
        const RULE: &str = "proxy-identity-header-passed";
        let conf = "location / {\n    proxy_pass http://app;\n    proxy_set_header Host $host;\n    proxy_set_header X-Auth-User-Id \"\";\n}\n";
        let path = "deploy/nginx/conf.d/app.conf";
        let dropped = conf.replace("    proxy_set_header X-Auth-User-Id \"\";\n", "");
        assert!(rules_hit(path, Some(conf), Some(&dropped)).contains(&RULE.to_string()));
        // Moved, as it was, into a snippet the location includes: kept.
        let include = conf.replace(
            "    proxy_set_header X-Auth-User-Id \"\";\n",
            "    include snippets/identity.conf;\n",
        );
        let moved = findings_of_change(
            &[
                (path, Some(conf), Some(&include)),
                (
                    "deploy/nginx/snippets/identity.conf",
                    None,
                    Some("    proxy_set_header X-Auth-User-Id \"\";\n"),
                ),
            ],
            None,
        );
        assert!(moved.iter().all(|f| f.rule != RULE), "{moved:?}");
        // Other headers cleared or dropped: not identity.
        let conn = "location / {\n    proxy_set_header Connection \"\";\n}\n";
        assert!(
            !rules_hit(path, Some(conn), Some("location / {\n}\n")).contains(&RULE.to_string())
        );
    }

    #[test]
    fn a_ci_identity_trusted_on_any_ref_is_found() {
        use crate::risk::testkit::rules_hit;
        const RULE: &str = "iam-oidc-subject-wildcard";
        let old =
            "  subjects = [for r in var.repos : \"repo:${var.org}/${r}:ref:refs/heads/main\"]\n";
        let any = "  subjects = [for r in var.repos : \"repo:${var.org}/${r}:*\"]\n";
        assert!(rules_hit("infra/oidc.tf", Some(old), Some(any)).contains(&RULE.to_string()));
        let org = "  \"token.actions.githubusercontent.com:sub\": \"repo:acme/*\"\n";
        assert!(rules_hit("infra/trust.json", None, Some(org)).contains(&RULE.to_string()));
        // An environment or a protected branch named exactly: not this.
        let env = "  subjects = [\"repo:acme/api:environment:production\"]\n";
        assert!(!rules_hit("infra/oidc.tf", Some(old), Some(env)).contains(&RULE.to_string()));
        // Any environment, whoever declares it: the repository variable
        // holding owner and name.
        let any_env =
            "      values = [\n        \"repo:${local.github_repo}:environment:*\",\n      ]\n";
        assert!(rules_hit("infra/oidc.tf", Some(old), Some(any_env)).contains(&RULE.to_string()));
    }

    #[test]
    fn an_ansible_play_that_runs_on_every_host_at_once_is_found() {
        use crate::risk::testkit::rules_hit;
        const RULE: &str = "rollout-all-at-once";
        let play = "- hosts: edge\n  serial: 1\n  max_fail_percentage: 0\n  tasks:\n    - name: reload\n      service: name=haproxy state=reloaded\n";
        let path = "ansible/playbooks/edge.yml";
        let free = play.replace("  serial: 1\n", "  strategy: free\n");
        assert!(rules_hit(path, Some(play), Some(&free)).contains(&RULE.to_string()));
        let all = play.replace("serial: 1", "serial: \"100%\"");
        assert!(rules_hit(path, Some(play), Some(&all)).contains(&RULE.to_string()));
        // A larger batch keeps the rolling: not this.
        let two = play.replace("serial: 1", "serial: 2");
        assert!(!rules_hit(path, Some(play), Some(&two)).contains(&RULE.to_string()));
        // `serial` in an application's YAML is not a play.
        let app = "device:\n  serial: ABC123\n";
        assert!(
            !rules_hit("config/devices.yml", Some(app), Some("device: {}\n"))
                .contains(&RULE.to_string())
        );
    }

    #[test]
    fn a_token_link_from_the_request_host_is_found_one_from_configuration_is_not() {
        use crate::risk::testkit::rules_hit;
        const RULE: &str = "link-from-request-host";
        let hit = |line: &str| {
            let code = format!(
                "<?php\nfinal class ResetMailer\n{{\n    public function send(Request $request, string $token): void\n    {{\n        {line}\n        $this->mailer->send($link);\n    }}\n}}\n"
            );
            rules_hit("src/Auth/ResetMailer.php", None, Some(&code)).contains(&RULE.to_string())
        };
        assert!(hit(
            "$link = $request->getSchemeAndHttpHost() . '/reset-password?token=' . urlencode($token);"
        ));
        assert!(!hit(
            "$link = rtrim($this->appUrl, '/') . '/reset-password?token=' . urlencode($token);"
        ));
        // The host of a request used for something else: not a token link.
        assert!(!hit(
            "$link = $request->getSchemeAndHttpHost() . '/docs/' . $page;"
        ));
        let py = "def send_verification(user):\n    url = request.host_url + 'verify-email?token=' + user.token\n";
        assert!(rules_hit("accounts/emails.py", None, Some(py)).contains(&RULE.to_string()));
        // Django checks the host against ALLOWED_HOSTS before it builds one.
        let django = "def send_verification(request, user):\n    url = request.build_absolute_uri(reverse('verify-email', args=[user.token]))\n";
        assert!(!rules_hit("accounts/emails.py", None, Some(django)).contains(&RULE.to_string()));
    }

    #[test]
    fn redis_keys_in_code_is_found_scan_is_not() {
        use crate::risk::testkit::rules_hit;
        const RULE: &str = "redis-keys-in-code";
        let old = "package cache\n\nfunc (c *Cache) Drop(ctx context.Context, id int64) error {\n\treturn c.rdb.Del(ctx, key(id)).Err()\n}\n";
        let keys = old.replace("return c.rdb.Del(ctx, key(id)).Err()", "keys, err := c.rdb.Keys(ctx, pattern(id)).Result()\n\tif err != nil {\n\t\treturn err\n\t}\n\treturn c.rdb.Del(ctx, keys...).Err()");
        assert!(
            rules_hit("internal/cache/cache.go", Some(old), Some(&keys))
                .contains(&RULE.to_string())
        );
        let scan = old.replace("return c.rdb.Del(ctx, key(id)).Err()", "iter := c.rdb.Scan(ctx, 0, pattern(id), 500).Iterator()\n\tfor iter.Next(ctx) {\n\t\tc.rdb.Unlink(ctx, iter.Val())\n\t}\n\treturn iter.Err()");
        assert!(
            !rules_hit("internal/cache/cache.go", Some(old), Some(&scan))
                .contains(&RULE.to_string())
        );
        let py = "def purge(user_id):\n    for k in redis_client.keys(f\"session:{user_id}:*\"):\n        redis_client.delete(k)\n";
        assert!(rules_hit("app/sessions.py", None, Some(py)).contains(&RULE.to_string()));
        // A dictionary's or a map's keys are not Redis's.
        let dict = "def names(cache):\n    return sorted(cache.keys())\n";
        assert!(!rules_hit("app/settings.py", None, Some(dict)).contains(&RULE.to_string()));
    }

    #[test]
    fn a_secret_written_to_a_file_for_a_tool_is_not_printed() {
        use crate::risk::testkit::rules_hit;
        const RULE: &str = "ci-secrets-exposed";
        let job = |line: &str| {
            format!("deploy:\n  script:\n    - {line}\n    - aws s3 sync public/ s3://site\n")
        };
        let hit = |line: &str| {
            rules_hit(".gitlab-ci.yml", Some(&job("true")), Some(&job(line)))
                .contains(&RULE.to_string())
        };
        assert!(!hit(
            "echo \"$AWS_ID_TOKEN\" > \"$CI_BUILDS_DIR/.aws-web-identity-token\""
        ));
        assert!(!hit("echo \"$NPM_TOKEN\" > ~/.npmrc-token"));
        assert!(hit("echo \"$AWS_ID_TOKEN\""));
        assert!(hit("echo \"token=$DEPLOY_TOKEN\" >> \"$GITHUB_OUTPUT\""));
        assert!(hit("echo \"$DEPLOY_TOKEN\" >&2"));
    }

    #[test]
    fn a_safety_setting_moved_into_a_module_is_kept_and_one_dropped_is_not() {
        use crate::risk::testkit::findings_of_change;
        const RULE: &str = "tf-protection-removed";
        let db = "resource \"aws_db_instance\" \"orders\" {\n  identifier                = \"orders-prod\"\n  skip_final_snapshot       = false\n  final_snapshot_identifier = \"orders-prod-final\"\n}\n";
        let call = "module \"orders_db\" {\n  source     = \"../modules/postgres\"\n  identifier = \"orders-prod\"\n}\n";
        let module = "resource \"aws_db_instance\" \"this\" {\n  identifier                = var.identifier\n  skip_final_snapshot       = false\n  final_snapshot_identifier = \"${var.identifier}-final\"\n}\n";
        let hit = |module_text: &str| {
            findings_of_change(
                &[
                    ("infra/prod/database.tf", Some(db), Some(call)),
                    ("infra/modules/postgres/main.tf", None, Some(module_text)),
                ],
                Some("Move the orders database into the postgres module"),
            )
            .into_iter()
            .any(|f| f.rule == RULE)
        };
        assert!(!hit(module));
        // The module forgets the final snapshot: dropped.
        let forgetful = module.replace(
            "  final_snapshot_identifier = \"${var.identifier}-final\"\n",
            "",
        );
        assert!(hit(&forgetful));
    }

    #[test]
    fn pipeline_settings_whose_default_is_the_dangerous_side_are_found() {
        use crate::risk::testkit::rules_hit;
        let dag =
            "with DAG(\"invoices\", schedule=\"@daily\", catchup=False) as dag:\n    load()\n";
        let hit = rules_hit(
            "dags/invoices.py",
            Some(dag),
            Some(&dag.replace(", catchup=False", "")),
        );
        assert!(hit.contains(&"pipeline-catchup-on".to_string()), "{hit:?}");
        // The DAG deleted with its setting: nothing left to catch up.
        let hit = rules_hit("dags/invoices.py", Some(dag), None);
        assert!(!hit.contains(&"pipeline-catchup-on".to_string()), "{hit:?}");
        // A protection deleted with its resource is still reported.
        let tf = "resource \"aws_db_instance\" \"main\" {\n  engine = \"postgres\"\n  deletion_protection = true\n}\n";
        let hit = rules_hit("infra/logs.tf", Some(tf), None);
        assert!(
            hit.contains(&"tf-protection-removed".to_string()),
            "{hit:?}"
        );
        let hit = rules_hit(
            "dags/invoices.py",
            Some(dag),
            Some(&dag.replace("\"@daily\"", "\"@hourly\"")),
        );
        assert!(!hit.contains(&"pipeline-catchup-on".to_string()), "{hit:?}");
        let args = "default_args = {\n    \"owner\": \"finance\",\n}\n";
        let all_done = args.replace("\n}", "\n    \"trigger_rule\": TriggerRule.ALL_DONE,\n}");
        let hit = rules_hit("dags/revenue.py", Some(args), Some(&all_done));
        assert!(
            hit.contains(&"pipeline-trigger-rule-for-every-task".to_string()),
            "{hit:?}"
        );
        // On one cleanup task, as a keyword: what the rule is for.
        let hit = rules_hit(
            "dags/revenue.py",
            Some(args),
            Some(&format!(
                "{args}cleanup = BashOperator(task_id=\"c\", trigger_rule=TriggerRule.ALL_DONE)\n"
            )),
        );
        assert!(
            !hit.contains(&"pipeline-trigger-rule-for-every-task".to_string()),
            "{hit:?}"
        );
        let spark = "spark = (SparkSession.builder\n    .config(\"spark.sql.sources.partitionOverwriteMode\", \"dynamic\")\n    .getOrCreate())\n";
        let hit = rules_hit("jobs/load.py", Some(spark), Some("spark = get_spark()\n"));
        assert!(
            hit.contains(&"pipeline-overwrite-all-partitions".to_string()),
            "{hit:?}"
        );
        let sink = "{\n  \"errors.tolerance\": \"all\",\n  \"errors.deadletterqueue.topic.name\": \"dlq.ledger\"\n}\n";
        let hit = rules_hit(
            "connect/sink.json",
            Some(sink),
            Some("{\n  \"errors.tolerance\": \"all\"\n}\n"),
        );
        assert!(
            hit.contains(&"pipeline-dead-letter-dropped".to_string()),
            "{hit:?}"
        );
        let drain = "kubectl drain \"$node\" \\\n  --ignore-daemonsets \\\n  --timeout=5m\n";
        let hit = rules_hit(
            "scripts/rotate.sh",
            Some(drain),
            Some(&drain.replace("--timeout", "--disable-eviction \\\n  --timeout")),
        );
        assert!(
            hit.contains(&"k8s-eviction-bypassed".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn objects_uploaded_public_through_an_sdk_are_found() {
        use crate::risk::testkit::rules_hit;
        let rule = "sec-public-network".to_string();
        for line in [
            "    object.put(body: body, acl: \"public-read\")\n",
            "    s3.put_object(Bucket=b, Key=k, Body=data, ACL='public-read')\n",
            "    await s3.send(new PutObjectCommand({ Bucket, Key, ACL: \"public-read\" }));\n",
            "    .acl(ObjectCannedACL.PUBLIC_READ)\n",
        ] {
            let hit = rules_hit(
                "app/export.rb",
                Some("x = 1\n"),
                Some(&format!("x = 1\n{line}")),
            );
            assert!(hit.contains(&rule), "{line}: {hit:?}");
        }
        let hit = rules_hit(
            "app/export.rb",
            Some("x = 1\n"),
            Some("x = 1\n    object.put(body: body, acl: \"private\")\n"),
        );
        assert!(!hit.contains(&rule), "{hit:?}");
    }

    #[test]
    fn a_line_moved_whole_into_another_file_is_neither_added_nor_removed() {
        use crate::risk::testkit::findings_of_change;
        let view_old =
            "@csrf_exempt\n@require_POST\ndef hook(request):\n    return handle(request)\n";
        let view_new = "@signed\ndef hook(request):\n    return handle(request)\n";
        let deco = "def signed(view):\n    @csrf_exempt\n    @require_POST\n    def wrapper(request):\n        return view(request)\n    return wrapper\n";
        let rules: Vec<String> = findings_of_change(
            &[
                ("billing/views.py", Some(view_old), Some(view_new)),
                ("billing/webhooks.py", None, Some(deco)),
            ],
            None,
        )
        .into_iter()
        .map(|f| f.rule)
        .collect();
        assert!(
            !rules.contains(&"sec-auth-disabled".to_string()),
            "{rules:?}"
        );
        // Added to a file with nothing taken out elsewhere: found.
        let rules: Vec<String> =
            findings_of_change(&[("billing/webhooks.py", None, Some(deco))], None)
                .into_iter()
                .map(|f| f.rule)
                .collect();
        assert!(
            rules.contains(&"sec-auth-disabled".to_string()),
            "{rules:?}"
        );
        // A removed check whose words reappear elsewhere only in part
        // (`issuer:` in a type) is still gone.
        let old = "const opts = {\n  issuer: config.issuer,\n  audience: config.audience,\n};\n";
        let rules: Vec<String> = findings_of_change(
            &[
                ("src/auth/verify.ts", Some(old), Some("const opts = {};\n")),
                (
                    "src/auth/tenant.ts",
                    None,
                    Some("interface T {\n  issuer: string;\n}\n"),
                ),
            ],
            None,
        )
        .into_iter()
        .map(|f| f.rule)
        .collect();
        assert!(
            rules.contains(&"sec-jwt-claims-unchecked".to_string()),
            "{rules:?}"
        );
    }
    use crate::risk::testkit::rules_hit;

    #[test]
    fn a_firewall_rule_that_denies_the_world_opens_nothing() {
        let deny = "resource \"google_compute_firewall\" \"deny_ssh\" {\n  name     = \"deny-world-ssh\"\n  network  = var.network\n  priority = 900\n\n  deny {\n    protocol = \"tcp\"\n    ports    = [\"22\"]\n  }\n\n  source_ranges = [\"0.0.0.0/0\"]\n}\n";
        let hit = rules_hit("infra/terraform/gcp/firewall.tf", None, Some(deny));
        assert!(!hit.contains(&"sec-public-network".to_string()), "{hit:?}");
        let allow = deny.replace("  deny {", "  allow {");
        let hit = rules_hit("infra/terraform/gcp/firewall.tf", None, Some(&allow));
        assert!(hit.contains(&"sec-public-network".to_string()), "{hit:?}");
    }

    #[test]
    fn a_csrf_cookie_readable_by_scripts_is_the_pattern_a_session_cookie_is_not() {
        let old = "def login(response):\n    pass\n";
        let call = |name: &str| {
            format!(
                "def login(response):\n    response.set_cookie(\n        {name},\n        token,\n        httponly=False,\n        secure=True,\n    )\n"
            )
        };
        let hit = |new: &str| {
            crate::risk::testkit::rules_hit("app/api/auth.py", Some(old), Some(new))
                .contains(&"sec-cookie-flags-off".to_string())
        };
        assert!(!hit(&call("CSRF_COOKIE")));
        assert!(hit(&call("SESSION_COOKIE")));
        // A session cookie set after a CSRF one: its own statement decides.
        let both = format!(
            "{}    response.set_cookie(\n        SESSION_COOKIE,\n        token,\n        httponly=False,\n    )\n",
            call("CSRF_COOKIE").replace("httponly=False", "httponly=True")
        );
        assert!(hit(&both));
    }

    #[test]
    fn a_session_cookie_made_insecure_alarms_outside_development() {
        use crate::risk::testkit::diff_of;
        use crate::risk::{Contents, RuleSet, Severity, findings};
        let old = "server:\n  servlet:\n    session:\n      cookie:\n        secure: true\n";
        let new = old.replace("secure: true", "secure: false");
        let level = |path: &str| {
            findings(
                &diff_of(path, Some(old), Some(&new)),
                &Contents::new(),
                &RuleSet::builtin(),
            )
            .into_iter()
            .filter(|f| f.rule == "sec-cookie-flags-off")
            .map(|f| f.severity)
            .max()
        };
        assert_eq!(
            level("src/main/resources/application.yml"),
            Some(Severity::High)
        );
        assert_eq!(
            level("src/main/resources/application-dev.yml"),
            Some(Severity::Medium)
        );
    }

    #[test]
    fn plain_http_repositories_and_piped_installers_are_found() {
        let hit = rules_hit(
            "pom.xml",
            None,
            Some("<repository>\n  <url>http://nexus.corp.example/repo</url>\n</repository>\n"),
        );
        assert!(
            hit.contains(&"dep-repository-plain-http".to_string()),
            "{hit:?}"
        );
        let local = rules_hit(
            "pom.xml",
            None,
            Some("<repository>\n  <url>http://localhost:8081/repo</url>\n</repository>\n"),
        );
        assert!(
            !local.contains(&"dep-repository-plain-http".to_string()),
            "{local:?}"
        );
        let hit = rules_hit(
            "docker/Dockerfile",
            None,
            Some(
                "RUN curl -fsSL https://get.example.sh/install \\\n    | VERIFY_CHECKSUM=false sh\n",
            ),
        );
        assert!(hit.contains(&"supply-pipe-to-shell".to_string()), "{hit:?}");
    }

    #[test]
    fn authoritative_iam_public_storage_and_pickled_uploads_are_found() {
        for (path, line, rule) in [
            (
                "infra/iam.tf",
                "resource \"google_project_iam_binding\" \"deployers\" {",
                "iam-authoritative-resource",
            ),
            (
                "infra/iam.tf",
                "resource \"aws_iam_policy_attachment\" \"ci\" {",
                "iam-authoritative-resource",
            ),
            (
                "infra/gcp/iam.go",
                "\t_, err = projects.NewIAMBinding(ctx, name, &projects.IAMBindingArgs{",
                "iam-authoritative-resource",
            ),
            (
                "app/Jobs/ExportCustomers.php",
                "        Storage::disk('public')->put($path, $stream);",
                "storage-written-public",
            ),
            (
                "app/upload.py",
                "    arrays = np.load(io.BytesIO(blob), allow_pickle=True)",
                "sec-unsafe-deserialize",
            ),
            (
                "infra/storage.tf",
                "    default_action = \"Allow\"",
                "sec-public-network",
            ),
        ] {
            let hit = rules_hit(path, None, Some(&format!("{line}\n")));
            assert!(hit.contains(&rule.to_string()), "{line}: {hit:?}");
        }
        for (path, line) in [
            (
                "infra/iam.tf",
                "resource \"google_project_iam_member\" \"deployer\" {",
            ),
            (
                "infra/gcp/iam.go",
                "\t_, err = projects.NewIAMMember(ctx, name, &projects.IAMMemberArgs{",
            ),
            (
                "app/Jobs/ExportCustomers.php",
                "        Storage::disk('exports')->put($path, $stream);",
            ),
            (
                "app/upload.py",
                "    arrays = np.load(io.BytesIO(blob), allow_pickle=False)",
            ),
            ("infra/storage.tf", "    default_action = \"Deny\""),
        ] {
            assert!(
                rules_hit(path, None, Some(&format!("{line}\n"))).is_empty(),
                "{line}"
            );
        }
    }

    #[test]
    fn output_escaping_switched_off_is_found_and_escaped_output_is_not() {
        use crate::risk::testkit::rules_hit;
        let rule = "sec-xss-sink".to_string();
        for (path, line) in [
            (
                "src/email/render.ts",
                "  return hbs.compile(source, { strict: true, noEscape: true });",
            ),
            (
                "app/templating.py",
                "env = Environment(loader=FileSystemLoader(root), autoescape=False)",
            ),
            ("templates/invoice.html", "{% autoescape off %}"),
            (
                "resources/views/profile.blade.php",
                "<p class=\"bio\">{!! $user->bio !!}</p>",
            ),
            (
                "src/main/resources/templates/note.html",
                "<div th:utext=\"${note.body}\"></div>",
            ),
            (
                "src/app/comment.component.html",
                "<div [innerHTML]=\"comment.body\"></div>",
            ),
            (
                "templates/post.html.twig",
                "<div>{{ post.body | raw }}</div>",
            ),
            (
                "web/views/report.py",
                "    return Markup(f\"<b>{row.name}</b>\")",
            ),
            (
                "web/markdown.js",
                "marked.setOptions({ gfm: true, sanitize: false });",
            ),
            (
                "reports/export.py",
                "    html = df.to_html(index=False, escape=False)",
            ),
        ] {
            let hit = rules_hit(path, None, Some(&format!("{line}\n")));
            assert!(hit.contains(&rule), "{line}: {hit:?}");
        }
        for (path, line) in [
            (
                "src/email/render.ts",
                "  return hbs.compile(source, { strict: true, noEscape: false });",
            ),
            (
                "app/templating.py",
                "env = Environment(loader=FileSystemLoader(root), autoescape=True)",
            ),
            ("templates/invoice.html", "{% autoescape on %}"),
            (
                "resources/views/profile.blade.php",
                "<p class=\"bio\">{{ $user->bio }}</p>",
            ),
            (
                "src/main/resources/templates/note.html",
                "<div th:text=\"${note.body}\"></div>",
            ),
            ("templates/post.html.twig", "<div>{{ post.body }}</div>"),
            ("web/views/report.py", "    return Markup(\"<br>\")"),
            (
                "web/markdown.js",
                "marked.setOptions({ gfm: true, sanitize: true });",
            ),
            ("reports/export.py", "    html = df.to_html(index=False)"),
        ] {
            let hit = rules_hit(path, None, Some(&format!("{line}\n")));
            assert!(!hit.contains(&rule), "{line}: {hit:?}");
        }
    }

    #[test]
    fn a_claim_check_written_as_a_parser_option_is_kept() {
        use crate::risk::testkit::rules_hit;
        let rule = "sec-jwt-claims-unchecked".to_string();
        let old = "func newVerifier(key []byte) *Verifier {\n\treturn &Verifier{key: key, issuer: cfg.Issuer}\n}\n";
        let options = "func newVerifier(key []byte) *Verifier {\n\treturn &Verifier{key: key, parser: jwt.NewParser(jwt.WithIssuer(cfg.Issuer))}\n}\n";
        let hit = rules_hit("pkg/authn/jwt.go", Some(old), Some(options));
        assert!(!hit.contains(&rule), "{hit:?}");
        let dropped = "func newVerifier(key []byte) *Verifier {\n\treturn &Verifier{key: key, parser: jwt.NewParser()}\n}\n";
        let hit = rules_hit("pkg/authn/jwt.go", Some(old), Some(dropped));
        assert!(hit.contains(&rule), "{hit:?}");
        // A comment that names the option configures nothing.
        let commented = dropped.replace(
            "}\n}\n",
            "}\n\t// jwt.WithIssuer(cfg.Issuer) is applied elsewhere\n}\n",
        );
        let hit = rules_hit("pkg/authn/jwt.go", Some(old), Some(&commented));
        assert!(hit.contains(&rule), "{hit:?}");
    }

    #[test]
    fn a_request_schema_that_keeps_unknown_fields_is_found() {
        use crate::risk::testkit::rules_hit;
        let rule = "sec-mass-assignment".to_string();
        for (path, line) in [
            (
                "src/schemas/profile.ts",
                "export const ProfilePatch = z.object({ name: z.string() }).passthrough();",
            ),
            (
                "src/validation/user.js",
                "const schema = Joi.object({ email: Joi.string() }).unknown(true);",
            ),
            (
                "app/schemas/user.py",
                "    model_config = ConfigDict(extra=\"allow\")",
            ),
            (
                "src/main.ts",
                "  app.useGlobalPipes(new ValidationPipe({ whitelist: false }));",
            ),
        ] {
            let hit = rules_hit(path, None, Some(&format!("{line}\n")));
            assert!(hit.contains(&rule), "{line}: {hit:?}");
        }
        for (path, line) in [
            (
                "src/schemas/profile.ts",
                "export const ProfilePatch = z.object({ name: z.string() }).strict();",
            ),
            (
                "app/schemas/user.py",
                "    model_config = ConfigDict(extra=\"forbid\")",
            ),
            (
                "src/main.ts",
                "  app.useGlobalPipes(new ValidationPipe({ whitelist: true }));",
            ),
        ] {
            let hit = rules_hit(path, None, Some(&format!("{line}\n")));
            assert!(!hit.contains(&rule), "{line}: {hit:?}");
        }
    }

    #[test]
    fn a_secret_with_a_fallback_in_the_code_is_found() {
        use crate::risk::testkit::rules_hit;
        let rule = "secret-built-in-default".to_string();
        for (path, line) in [
            (
                "src/main/kotlin/acme/auth/JwtKeys.kt",
                "    @Value(\"\\${auth.jwt.local-secret:local-dev-signing-key-0123}\") private val localSecret: String,",
            ),
            (
                "app/settings.py",
                "SECRET_KEY = os.environ.get(\"DJANGO_SECRET_KEY\", \"insecure-change-me\")",
            ),
            (
                "src/config.ts",
                "export const jwtSecret = process.env.JWT_SECRET || 'supersecret123';",
            ),
            (
                "config/initializers/tokens.rb",
                "SIGNING = ENV.fetch(\"TOKEN_SIGNING_KEY\", \"dev-signing-key\")",
            ),
        ] {
            let hit = rules_hit(path, None, Some(&format!("{line}\n")));
            assert!(hit.contains(&rule), "{line}: {hit:?}");
        }
        for (path, line) in [
            // No fallback: missing means failing.
            (
                "app/settings.py",
                "SECRET_KEY = os.environ[\"DJANGO_SECRET_KEY\"]",
            ),
            // A fallback for something that is not a secret.
            (
                "app/settings.py",
                "REGION = os.environ.get(\"AWS_REGION\", \"eu-west-1\")",
            ),
            // The development settings may keep one.
            (
                "config/settings/development.py",
                "SECRET_KEY = os.environ.get(\"DJANGO_SECRET_KEY\", \"insecure-change-me\")",
            ),
            // An empty default is no key.
            (
                "src/config.ts",
                "export const jwtSecret = process.env.JWT_SECRET ?? '';",
            ),
            // Where the secrets are, not what they are.
            (
                "oncall_bot/config.py",
                "SECRETS_DIR = os.environ.get(\"SECRETS_DIR\", \"/var/run/secrets/oncall-bot\")",
            ),
            // What a key is called or how long a token lives, not the key.
            (
                "app/settings.py",
                "API_KEY_HEADER = os.getenv(\"API_KEY_HEADER\", \"X-Api-Key\")",
            ),
            (
                "src/main/java/app/TokenConfig.java",
                "    @Value(\"${auth.token.ttl:PT15M}\") private Duration ttl;",
            ),
        ] {
            let hit = rules_hit(path, None, Some(&format!("{line}\n")));
            assert!(!hit.contains(&rule), "{line}: {hit:?}");
        }
    }

    #[test]
    fn async_callbacks_from_for_each_and_quantities_without_units_are_found() {
        use crate::risk::testkit::rules_hit;
        let rule = "async-callback-not-awaited".to_string();
        let hit = rules_hit(
            "src/imports/orders.ts",
            None,
            Some("  rows.forEach(async (row) => {\n    await reserve(row);\n  });\n"),
        );
        assert!(hit.contains(&rule), "{hit:?}");
        let hit = rules_hit(
            "src/imports/orders.ts",
            None,
            Some(
                "  await Promise.all(rows.map(async (row) => reserve(row)));\n  rows.forEach((row) => count(row));\n",
            ),
        );
        assert!(!hit.contains(&rule), "{hit:?}");
        let rule = "sql-grant-schema-wide".to_string();
        for line in [
            "GRANT SELECT ON ALL TABLES IN SCHEMA partner_exports TO partner_acme;",
            "ALTER DEFAULT PRIVILEGES IN SCHEMA partner_exports GRANT SELECT ON TABLES TO partner_acme;",
        ] {
            let hit = rules_hit(
                "db/migrations/V42__grants.sql",
                None,
                Some(&format!("{line}\n")),
            );
            assert!(hit.contains(&rule), "{line}: {hit:?}");
        }
        let hit = rules_hit(
            "db/migrations/V42__grants.sql",
            None,
            Some("GRANT SELECT ON partner_exports.acme_members TO partner_acme;\n"),
        );
        assert!(!hit.contains(&rule), "{hit:?}");
        let rule = "db-destructive-migration-fallback".to_string();
        let hit = rules_hit(
            "app/src/main/java/app/data/AppDatabase.kt",
            None,
            Some("    .fallbackToDestructiveMigration()\n"),
        );
        assert!(hit.contains(&rule), "{hit:?}");
        let hit = rules_hit(
            "app/src/main/java/app/data/AppDatabase.kt",
            None,
            Some("    .addMigrations(MIGRATION_6_7)\n"),
        );
        assert!(!hit.contains(&rule), "{hit:?}");
        let rule = "k8s-cronjob-overlap".to_string();
        let old = "spec:\n  schedule: \"0 * * * *\"\n  concurrencyPolicy: Forbid\n";
        let hit = rules_hit(
            "deploy/cron.yaml",
            Some(old),
            Some("spec:\n  schedule: \"0 * * * *\"\n"),
        );
        assert!(hit.contains(&rule), "{hit:?}");
        let hit = rules_hit(
            "deploy/cron.yaml",
            Some(old),
            Some("spec:\n  schedule: \"0 * * * *\"\n  concurrencyPolicy: Replace\n"),
        );
        assert!(!hit.contains(&rule), "{hit:?}");
        let rule = "shell-pipefail-dropped".to_string();
        let old = "#!/usr/bin/env bash\nset -euo pipefail\nmysqldump \"$DB\" | gzip -c | aws s3 cp - \"$URL\"\n";
        let hit = rules_hit(
            "ops/backup.sh",
            Some(old),
            Some(&old.replace("set -euo pipefail", "set -eu")),
        );
        assert!(hit.contains(&rule), "{hit:?}");
        let hit = rules_hit(
            "ops/backup.sh",
            Some(old),
            Some(&old.replace("set -euo pipefail", "set -eu\nset -o pipefail")),
        );
        assert!(!hit.contains(&rule), "{hit:?}");
        let rule = "k8s-quantity-without-unit".to_string();
        for line in [
            "          averageValue: \"1400\"",
            "            cpu: 500",
            "            memory: \"512\"",
        ] {
            let hit = rules_hit("k8s/search/hpa.yaml", None, Some(&format!("{line}\n")));
            assert!(hit.contains(&rule), "{line}: {hit:?}");
        }
        for line in [
            "          averageValue: \"1400m\"",
            "            cpu: 2",
            "            cpu: \"1.5\"",
            "            memory: 512Mi",
            "            memory: \"1073741824\"",
        ] {
            let hit = rules_hit("k8s/search/hpa.yaml", None, Some(&format!("{line}\n")));
            assert!(!hit.contains(&rule), "{line}: {hit:?}");
        }
    }

    #[test]
    fn a_secret_parameter_echoed_and_a_lock_that_overwrites_are_found() {
        let rule = "cfn-secret-parameter-echoed".to_string();
        let old = "Parameters:\n  DBMasterPassword:\n    Type: String\n    NoEcho: true\n    MinLength: 12\n";
        let tidied = "Parameters:\n  DBMasterPassword:\n    Type: String\n    MinLength: 12\n    Description: master password\n";
        assert!(rules_hit("stack/db.yaml", Some(old), Some(tidied)).contains(&rule));
        // Reordered, NoEcho kept.
        let reordered = "Parameters:\n  DBMasterPassword:\n    NoEcho: true\n    Type: String\n    MinLength: 12\n";
        assert!(!rules_hit("stack/db.yaml", Some(old), Some(reordered)).contains(&rule));
        // JSON templates too.
        let json =
            "{\"Parameters\": {\"Key\": {\n  \"Type\": \"String\",\n  \"NoEcho\": \"true\"\n}}}\n";
        let gone = "{\"Parameters\": {\"Key\": {\n  \"Type\": \"String\"\n}}}\n";
        assert!(rules_hit("stack/db.json", Some(json), Some(gone)).contains(&rule));
        let rule = "lock-not-exclusive".to_string();
        let old = "    def acquire(self):\n        return bool(self.client.set(self.key, self.token, nx=True, ex=self.ttl))\n";
        let new = "    def acquire(self):\n        return bool(self.client.setex(self.key, self.ttl, self.token))\n";
        assert!(rules_hit("billing/locks.py", Some(old), Some(new)).contains(&rule));
        let go_old = "\tok, err := rdb.SetNX(ctx, key, owner, ttl).Result()\n";
        let go_new = "\terr := rdb.Set(ctx, key, owner, ttl).Err()\n\tok := err == nil\n";
        assert!(rules_hit("internal/lock/lock.go", Some(go_old), Some(go_new)).contains(&rule));
        // Only the ttl changes: still exclusive.
        let longer = old.replace("ex=self.ttl", "ex=self.ttl * 2");
        assert!(!rules_hit("billing/locks.py", Some(old), Some(&longer)).contains(&rule));
    }

    #[test]
    fn redirects_followed_wire_strings_dropped_and_parent_cascades_are_found() {
        let rule = "ssrf-redirects-followed".to_string();
        let old = "def deliver(url, body):\n    check_public(url)\n    return requests.post(url, json=body, timeout=5, allow_redirects=False)\n";
        let new = "def deliver(url, body):\n    check_public(url)\n    return session.post(url, json=body, timeout=5)\n";
        assert!(rules_hit("app/webhooks/deliver.py", Some(old), Some(new)).contains(&rule));
        let kept = new.replace("timeout=5)", "timeout=5, allow_redirects=False)");
        assert!(!rules_hit("app/webhooks/deliver.py", Some(old), Some(&kept)).contains(&rule));
        let rule = "wire-json-string-option-dropped".to_string();
        let old = "type Order struct {\n\tID int64 `json:\"id,string\"`\n\tTotal int64 `json:\"total\"`\n}\n";
        let new =
            "type Order struct {\n\tID    int64 `json:\"id\"`\n\tTotal int64 `json:\"total\"`\n}\n";
        assert!(rules_hit("internal/api/order.go", Some(old), Some(new)).contains(&rule));
        let aligned = "type Order struct {\n\tID    int64 `json:\"id,string\"`\n\tTotal int64 `json:\"total\"`\n}\n";
        assert!(!rules_hit("internal/api/order.go", Some(old), Some(aligned)).contains(&rule));
        let rule = "orm-cascade-to-parent".to_string();
        let new = "    @ManyToOne(fetch = FetchType.LAZY, cascade = CascadeType.ALL)\n    private Customer customer;\n";
        assert!(rules_hit("src/main/java/Invoice.java", None, Some(new)).contains(&rule));
        let child = "    @OneToMany(mappedBy = \"invoice\", cascade = CascadeType.ALL, orphanRemoval = true)\n    private List<Line> lines;\n";
        assert!(!rules_hit("src/main/java/Invoice.java", None, Some(child)).contains(&rule));
    }

    #[test]
    fn the_aspnet_fallback_policy_dropped_is_found() {
        let rule = "auth-fallback-policy-dropped".to_string();
        let old = "builder.Services.AddAuthorization(o =>\n{\n    o.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();\n});\n";
        let new = "builder.Services.AddAuthorization(o =>\n{\n    o.DefaultPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireClaim(\"scope\", \"patients\").Build();\n});\n";
        assert!(rules_hit("src/Api/Program.cs", Some(old), Some(new)).contains(&rule));
        // Rewritten with another requirement: still a fallback.
        let kept = old.replace(
            ".Build();",
            ".RequireClaim(\"scope\", \"patients\").Build();",
        );
        assert!(!rules_hit("src/Api/Program.cs", Some(old), Some(&kept)).contains(&rule));
    }

    #[test]
    fn actuator_endpoints_that_give_away_memory_or_control_are_found() {
        let rule = "actuator-sensitive-exposed".to_string();
        let yml = |list: &str| {
            format!(
                "management:\n  endpoints:\n    web:\n      exposure:\n        include: {list}\n"
            )
        };
        let old = yml("health,info,prometheus");
        let hit = rules_hit(
            "svc/src/main/resources/application.yml",
            Some(&old),
            Some(&yml("health,info,prometheus,heapdump,loggers")),
        );
        assert!(hit.contains(&rule), "{hit:?}");
        let props = "management.endpoints.web.exposure.include=health,env\n";
        let hit = rules_hit(
            "src/main/resources/application-prod.properties",
            None,
            Some(props),
        );
        assert!(hit.contains(&rule), "{hit:?}");
        // Metrics only, or the same list reordered.
        let hit = rules_hit(
            "svc/src/main/resources/application.yml",
            Some(&old),
            Some(&yml("health,info,prometheus,metrics")),
        );
        assert!(!hit.contains(&rule), "{hit:?}");
    }

    #[test]
    fn a_package_repository_allowed_over_plain_http_is_found() {
        let rule = "supply-signature-check-off".to_string();
        for line in [
            "            isAllowInsecureProtocol = true",
            "        allowInsecureProtocol true",
        ] {
            let hit = rules_hit("settings.gradle.kts", None, Some(&format!("{line}\n")));
            assert!(hit.contains(&rule), "{line}: {hit:?}");
        }
        let hit = rules_hit(
            "settings.gradle.kts",
            None,
            Some("            isAllowInsecureProtocol = false\n"),
        );
        assert!(!hit.contains(&rule), "{hit:?}");
    }

    #[test]
    fn an_environment_switch_read_by_truthiness_is_found_when_it_guards_something() {
        let rule = "config-env-string-truthy".to_string();
        for (path, line) in [
            (
                "config/settings.py",
                "DEBUG = bool(os.environ.get('DJANGO_DEBUG', False))",
            ),
            (
                "src/config.ts",
                "  skipTlsVerify: Boolean(process.env.SKIP_TLS_VERIFY),",
            ),
            (
                "src/config.js",
                "const allowInsecure = !!process.env.ALLOW_INSECURE;",
            ),
            (
                "config/initializers/auth.rb",
                "BYPASS_AUTH = !!ENV['BYPASS_AUTH']",
            ),
            (
                "packages/config/src/env.ts",
                "  AUTH_DISABLED: z.coerce.boolean().default(false),",
            ),
        ] {
            let hit = rules_hit(path, None, Some(&format!("{line}\n")));
            assert!(hit.contains(&rule), "{line}: {hit:?}");
        }
        for line in [
            "DEBUG = env.bool('DJANGO_DEBUG', default=False)",
            "DEBUG = os.environ.get('DJANGO_DEBUG', 'false').lower() == 'true'",
            "SHOW_BANNER = bool(os.environ.get('SHOW_BANNER'))",
            "  SHOW_BANNER: z.coerce.boolean().default(false),",
        ] {
            let hit = rules_hit("config/settings.py", None, Some(&format!("{line}\n")));
            assert!(!hit.contains(&rule), "{line}: {hit:?}");
        }
    }

    #[test]
    fn host_hardening_removed_is_found_and_kept_hardening_is_not() {
        let removed = |rule: &str, path: &str, old: &str, new: &str, want: bool| {
            let hit = rules_hit(path, Some(old), Some(new));
            assert_eq!(
                hit.contains(&rule.to_string()),
                want,
                "{rule} {path}: {hit:?}"
            );
        };
        let sshd = "Port 22\nPasswordAuthentication no\nPubkeyAuthentication yes\n";
        removed(
            "ssh-password-login-default",
            "roles/ssh/templates/sshd_config.j2",
            sshd,
            "Port 22\n{% for k, v in sshd_settings.items() %}\n{{ k }} {{ v }}\n{% endfor %}\n",
            true,
        );
        removed(
            "ssh-password-login-default",
            "roles/ssh/templates/sshd_config.j2",
            sshd,
            "Port 2222\nPasswordAuthentication no\n",
            false,
        );
        let pam = "auth required pam_env.so\nauth sufficient pam_unix.so\nauth requisite pam_deny.so\nauth required pam_permit.so\n";
        removed(
            "pam-auth-falls-through",
            "files/pam.d/common-auth",
            pam,
            &pam.replace(
                "auth requisite pam_deny.so\n",
                "auth optional pam_faillock.so authfail\n",
            ),
            true,
        );
        removed(
            "pam-auth-falls-through",
            "files/pam.d/common-auth",
            pam,
            &pam.replace("auth required pam_env.so\n", ""),
            false,
        );
        removed(
            "nftables-ipv6-unfiltered",
            "files/nftables.conf",
            "table inet filter {\n}\n",
            "table ip host_filter {\n}\n",
            true,
        );
        removed(
            "nftables-ipv6-unfiltered",
            "files/nftables.conf",
            "table inet filter {\n}\n",
            "table inet host_filter {\n}\n",
            false,
        );
        let task = "- name: secrets\n  copy:\n    dest: /etc/app/secrets.env\n    mode: '0600'\n";
        removed(
            "file-mode-restriction-dropped",
            "roles/app/tasks/main.yml",
            task,
            &task.replace("    mode: '0600'\n", ""),
            true,
        );
        removed(
            "file-mode-restriction-dropped",
            "roles/app/tasks/main.yml",
            task,
            &task.replace("'0600'", "'0640'"),
            false,
        );
        removed(
            "file-mode-restriction-dropped",
            "roles/app/tasks/main.yml",
            "    mode: '0644'\n",
            "",
            false,
        );
        for (rule, path, line, want) in [
            (
                "pam-permit-sufficient",
                "pam.d/sshd",
                "auth sufficient pam_permit.so",
                true,
            ),
            (
                "sudo-wildcard-arguments",
                "roles/deploy/templates/sudoers.j2",
                "deploy ALL=(root) NOPASSWD: /usr/bin/systemctl * orders-api",
                true,
            ),
            (
                "sudo-wildcard-arguments",
                "roles/deploy/templates/sudoers.j2",
                "deploy ALL=(root) NOPASSWD: /usr/bin/systemctl restart orders-api",
                false,
            ),
            (
                "logrotate-rotates-archives",
                "roles/logs/files/logrotate.d/api",
                "/var/log/api/* {",
                true,
            ),
            (
                "logrotate-rotates-archives",
                "roles/logs/files/logrotate.d/api",
                "/var/log/api/*.log {",
                false,
            ),
            (
                "money-truncated-before-scaling",
                "src/Gateway.php",
                "        $cents = (int) $amount * 100;",
                true,
            ),
            (
                "money-truncated-before-scaling",
                "src/Gateway.php",
                "        $cents = (int) round($amount * 100);",
                false,
            ),
            (
                "money-truncated-before-scaling",
                "app/billing.py",
                "    cents = int(order.total) * 100",
                true,
            ),
            (
                "money-truncated-before-scaling",
                "app/billing.py",
                "    cents = int(round(order.total * 100))",
                false,
            ),
        ] {
            let hit = rules_hit(path, None, Some(&format!("{line}\n")));
            assert_eq!(
                hit.contains(&rule.to_string()),
                want,
                "{rule} {line}: {hit:?}"
            );
        }
    }

    #[test]
    fn a_proxy_trusted_through_a_configuration_key_is_found() {
        let rule = "sec-trusted-proxy-everyone".to_string();
        for (path, line) in [
            ("src/config/server.ts", "  trustProxy: true,"),
            ("config/app.yaml", "trust_proxy: true"),
            (
                "config/environments/production.rb",
                "  config.action_dispatch.trusted_proxies = [IPAddr.new(\"0.0.0.0/0\")]",
            ),
        ] {
            let hit = rules_hit(path, None, Some(&format!("{line}\n")));
            assert!(hit.contains(&rule), "{line}: {hit:?}");
        }
        for line in [
            "  trustProxy: 2,",
            "  trustProxy: ['10.0.0.0/8'],",
            "trust_proxy: false",
        ] {
            let hit = rules_hit("src/config/server.ts", None, Some(&format!("{line}\n")));
            assert!(!hit.contains(&rule), "{line}: {hit:?}");
        }
    }

    #[test]
    fn a_schema_recreated_at_start_is_found_outside_a_developer_profile() {
        let rule = "schema-recreated-on-start".to_string();
        for (path, line) in [
            (
                "src/main/resources/application.yml",
                "      ddl-auto: create",
            ),
            (
                "config/application.properties",
                "spring.jpa.hibernate.ddl-auto=create-drop",
            ),
            (
                "src/data-source.ts",
                "  synchronize: false, dropSchema: true,",
            ),
            (
                "src/db.js",
                "await sequelize.sync({ alter: false, force: true });",
            ),
            ("scripts/deploy.sh", "npx prisma db push --accept-data-loss"),
        ] {
            let hit = rules_hit(path, None, Some(&format!("{line}\n")));
            assert!(hit.contains(&rule), "{line}: {hit:?}");
        }
        for (path, line) in [
            (
                "src/main/resources/application.yml",
                "      ddl-auto: validate",
            ),
            (
                "src/main/resources/application-local.yml",
                "      ddl-auto: create-drop",
            ),
            (
                "src/test/resources/application.yml",
                "      ddl-auto: create-drop",
            ),
        ] {
            let hit = rules_hit(path, None, Some(&format!("{line}\n")));
            assert!(!hit.contains(&rule), "{path}: {hit:?}");
        }
    }

    #[test]
    fn raw_query_builders_fed_interpolated_strings_are_injection() {
        let rule = "sec-sql-string-building".to_string();
        for (path, line) in [
            (
                "app/Http/Controllers/CustomerController.php",
                "->orderByRaw(\"{$sort} IS NULL, {$sort} {$dir}\")",
            ),
            (
                "app/Models/Report.php",
                "$rows = DB::select(\"SELECT * FROM t WHERE id = $id\");",
            ),
            (
                "src/db/search.ts",
                "const rows = await knex.raw(`select * from t order by ${col}`);",
            ),
            (
                "app/models/order.rb",
                "Order.where(\"status = '#{params[:status]}'\")",
            ),
        ] {
            let hit = rules_hit(path, None, Some(&format!("{line}\n")));
            assert!(hit.contains(&rule), "{line}: {hit:?}");
        }
        for quiet in [
            "->orderByRaw('name IS NULL, name asc')",
            "->orderByRaw('? IS NULL', [$sort])",
            "Order.where(\"status = ?\", params[:status])",
        ] {
            let hit = rules_hit("app/x.php", None, Some(&format!("{quiet}\n")));
            assert!(!hit.contains(&rule), "{quiet}: {hit:?}");
        }
    }

    #[test]
    fn loaders_that_build_arbitrary_types_are_unsafe_in_every_language() {
        let rule = "sec-unsafe-deserialize".to_string();
        for (path, line) in [
            ("lintkit/config.py", "class IncludeLoader(yaml.Loader):"),
            (
                "src/main/java/com/acme/Json.java",
                "mapper.activateDefaultTyping(ptv, DefaultTyping.NON_FINAL);",
            ),
            (
                "src/main/java/com/acme/Json.java",
                "@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS)",
            ),
            (
                "src/main/java/com/acme/Xml.java",
                "XStream x = new XStream();",
            ),
            (
                "src/Acme/Cache.cs",
                "var f = new NetDataContractSerializer();",
            ),
            ("app/cache.py", "state = jsonpickle.decode(request.data)"),
            (
                "app/model.py",
                "model = torch.load(path, weights_only=False)",
            ),
            ("lib/import.rb", "data = YAML.unsafe_load(params[:doc])"),
            (
                "src/session.js",
                "const obj = serialize.unserialize(req.cookies.profile);",
            ),
        ] {
            let hit = rules_hit(path, None, Some(&format!("{line}\n")));
            assert!(hit.contains(&rule), "{line}: {hit:?}");
        }
        for quiet in [
            "mapper.deactivateDefaultTyping();",
            "@JsonTypeInfo(use = JsonTypeInfo.Id.NAME)",
            "model = torch.load(path, weights_only=True)",
            "data = YAML.safe_load(params[:doc])",
            "class IncludeLoader(yaml.SafeLoader):",
        ] {
            let hit = rules_hit("src/x.java", None, Some(&format!("{quiet}\n")));
            assert!(!hit.contains(&rule), "{quiet}: {hit:?}");
        }
    }

    #[test]
    fn a_secret_piped_into_a_login_is_not_printed() {
        let hit = |line: &str| rules_hit("Jenkinsfile", None, Some(&format!("{line}\n")));
        for quiet in [
            r#"sh 'echo "$REG_PASSWORD" | docker login -u "$REG_USER" --password-stdin "$REGISTRY"'"#,
            r#"printf '%s' "$GH_TOKEN" | gh auth login --with-token"#,
        ] {
            assert!(
                !hit(quiet).contains(&"ci-secrets-exposed".to_string()),
                "{quiet}"
            );
        }
        for loud in [
            r#"sh 'echo "$REG_PASSWORD"'"#,
            r#"echo "$REG_PASSWORD" | tee login.txt | docker login --password-stdin"#,
            r#"echo "$API_TOKEN" | base64"#,
        ] {
            assert!(
                hit(loud).contains(&"ci-secrets-exposed".to_string()),
                "{loud}"
            );
        }
    }

    /// Silencing urllib3's warning for unverified HTTPS, and a database
    /// connection whose TLS became optional, are found in production
    /// files; a developer's compose file and the line taken away are not.
    #[test]
    fn tls_quietly_optional_is_found() {
        use crate::risk::testkit::rules_hit;
        let py_old = "import urllib3\n\nsession.verify = CA_BUNDLE\n";
        let py_new = "import urllib3\n\nurllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)\nsession.verify = ca_or_false()\n";
        let rule = "sec-tls-warning-silenced".to_string();
        assert!(rules_hit("billing/ledger/http.py", Some(py_old), Some(py_new)).contains(&rule));
        assert!(!rules_hit("billing/ledger/http.py", Some(py_new), Some(py_old)).contains(&rule));
        let cfg =
            |mode: &str| format!("data:\n  DATABASE_SSLMODE: {mode}\n  DATABASE_HOST: orders-db\n");
        let rule = "db-tls-optional".to_string();
        let weakened = cfg("{{ .Values.database.tls.mode | default \"prefer\" | quote }}");
        assert!(
            rules_hit(
                "charts/orders/templates/configmap.yaml",
                Some(&cfg("\"verify-full\"")),
                Some(&weakened)
            )
            .contains(&rule)
        );
        let url = "DATABASE_URL=postgres://app@db.internal:5432/orders?sslmode=disable\n";
        assert!(rules_hit("deploy/prod.env", Some(""), Some(url)).contains(&rule));
        // Stricter, a developer's compose file, a local host: not.
        assert!(
            !rules_hit(
                "charts/orders/templates/configmap.yaml",
                Some(&weakened),
                Some(&cfg("\"verify-full\""))
            )
            .contains(&rule)
        );
        assert!(!rules_hit("docker-compose.yml", Some(""), Some(url)).contains(&rule));
        let local = url.replace("db.internal", "localhost");
        assert!(!rules_hit("deploy/prod.env", Some(""), Some(&local)).contains(&rule));
    }

    #[test]
    fn credentials_in_access_logs_personal_metric_labels_profilers_and_wide_leeway_are_found() {
        let hit = |rule: &str, path: &str, line: &str| {
            rules_hit(path, Some(""), Some(&format!("{line}\n"))).contains(&rule.to_string())
        };
        let rule = "log-request-credentials";
        assert!(hit(
            rule,
            "src/logger.js",
            "  serializers: { req: pino.stdSerializers.req },"
        ));
        assert!(hit(
            rule,
            "deploy/nginx/app.conf",
            "                 '\"uri\":\"$request_uri\",'"
        ));
        assert!(hit(
            rule,
            "deploy/nginx/app.conf",
            "log_format main '$remote_addr $http_authorization';"
        ));
        // A redirect that keeps the path and query is not a log.
        assert!(!hit(
            rule,
            "deploy/nginx/app.conf",
            "    return 301 https://$host$request_uri;"
        ));
        assert!(!hit(
            rule,
            "deploy/nginx/app.conf",
            "log_format main '$remote_addr $uri $status';"
        ));

        let rule = "metric-label-personal";
        assert!(hit(
            rule,
            "app/metrics.py",
            "    REQUESTS.labels(request.method, endpoint, customer).inc()"
        ));
        assert!(hit(
            rule,
            "internal/metrics.go",
            "\tlogins.WithLabelValues(r.Method, user.Email).Inc()"
        ));
        // The route template and the status: bounded, not personal.
        assert!(!hit(
            rule,
            "internal/metrics.go",
            "\treqs.WithLabelValues(r.Method, route, code).Inc()"
        ));
        assert!(!hit(
            rule,
            "app/metrics.py",
            "    REQUESTS.labels(request.method, customer_tier).inc()"
        ));

        let rule = "locals-in-error-reports";
        assert!(hit(
            rule,
            "app/logging.py",
            "        structlog.processors.ExceptionRenderer(ExceptionDictTransformer(show_locals=True)),"
        ));
        assert!(hit(
            rule,
            "worker/errors.py",
            "    tb = traceback.TracebackException.from_exception(exc, capture_locals=True)"
        ));
        assert!(!hit(
            rule,
            "app/logging.py",
            "    rich.traceback.install(show_locals=False)"
        ));
        assert!(!hit(
            rule,
            "tests/test_logging.py",
            "    rich.traceback.install(show_locals=True)"
        ));

        let rule = "profiler-exposed";
        assert!(hit(rule, "cmd/api/main.go", "\t_ \"net/http/pprof\""));
        assert!(hit(
            rule,
            "Dockerfile",
            "CMD [\"node\", \"--inspect=0.0.0.0:9229\", \"server.js\"]"
        ));
        assert!(!hit(
            rule,
            "Dockerfile",
            "CMD [\"node\", \"--inspect=127.0.0.1:9229\", \"server.js\"]"
        ));
        assert!(!hit(rule, "cmd/api/main.go", "\t\"runtime/pprof\""));

        let rule = "token-expiry-leeway-wide";
        assert!(hit(
            rule,
            "src/Api/appsettings.json",
            "    \"ClockSkewSeconds\": 86400"
        ));
        assert!(hit(
            rule,
            "app/auth.py",
            "    claims = jwt.decode(token, key, algorithms=[\"RS256\"], leeway=3600)"
        ));
        assert!(hit(
            rule,
            "src/Api/Auth.cs",
            "        ClockSkew = TimeSpan.FromHours(1),"
        ));
        // A few seconds, or the library's five minutes: not a wide leeway.
        assert!(!hit(
            rule,
            "app/auth.py",
            "    claims = jwt.decode(token, key, algorithms=[\"RS256\"], leeway=30)"
        ));
        assert!(!hit(
            rule,
            "src/Api/Auth.cs",
            "        ClockSkew = TimeSpan.FromMinutes(5),"
        ));
    }

    #[test]
    fn certificate_renewal_removed_and_durations_in_the_wrong_unit_are_found() {
        let rule = "tls-renewal-removed".to_string();
        let tasks = "- name: Renew certificates nightly\n  ansible.builtin.cron:\n    name: certbot-renew\n    job: \"certbot renew --quiet --webroot -w /var/www/acme\"\n- name: Install nginx\n  ansible.builtin.apt:\n    name: nginx\n";
        let gone = "- name: Install nginx\n  ansible.builtin.apt:\n    name: nginx\n";
        let path = "ansible/roles/web/tasks/main.yml";
        assert!(rules_hit(path, Some(tasks), Some(gone)).contains(&rule));
        // The job reworded, still renewing.
        let kept = tasks.replace(
            "--quiet --webroot",
            "--quiet --no-random-sleep-on-renew --webroot",
        );
        assert!(!rules_hit(path, Some(tasks), Some(&kept)).contains(&rule));

        let rule = "duration-unit-mismatch".to_string();
        let hit = |path: &str, line: &str| {
            rules_hit(path, Some(""), Some(&format!("{line}\n"))).contains(&rule)
        };
        assert!(hit(
            "internal/config/config.go",
            "\tcfg.Retention = time.Duration(days) * time.Hour"
        ));
        assert!(hit(
            "internal/config/config.go",
            "\ttimeout := time.Duration(timeoutMinutes) * time.Second"
        ));
        assert!(hit(
            "app/retention.py",
            "    cutoff = now - timedelta(hours=retention_days)"
        ));
        // Each unit times itself.
        assert!(!hit(
            "internal/config/config.go",
            "\tcfg.Retention = time.Duration(days) * 24 * time.Hour"
        ));
        assert!(!hit(
            "internal/config/config.go",
            "\ttimeout := time.Duration(timeoutSeconds) * time.Second"
        ));
        assert!(!hit(
            "internal/config/config.go",
            "\twait := time.Duration(items) * time.Second"
        ));
        assert!(!hit(
            "app/retention.py",
            "    cutoff = now - timedelta(days=retention_days)"
        ));
    }
}
