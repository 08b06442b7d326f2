//! The risk engine: findings a senior engineer would point at, the blast radius
//! of a change, and a score from both. Plain data in, plain data out: the rule
//! modules read the `Diff` model and never touch git2 or the UI; `analyse_change`
//! is the one piece of glue that asks the `Repo` for what the engine needs.
//!
//! One module per concern: `infra` (Terraform, Kubernetes, CloudFormation),
//! `migrations` (SQL and ORM migrations), `security`, `secrets`, `errors`
//! (swallowed errors), `testing` (weakened tests), `delivery` (CI/CD, scripts,
//! timeouts and flags), `supply` (dependencies), `text` (Trojan Source, control
//! characters), `policy_files` (countersign's own files, CODEOWNERS, branch protection).
//! `rules` holds the data-driven pattern rules (built-in `assets/rules.toml` plus
//! the repository's `.countersign/rules.toml`), `score` turns it all into 0–100.

pub mod account_principals;
pub mod acknowledge;
pub mod alert_rules;
pub mod archive_paths;
pub mod behaviour;
pub mod blast;
pub mod boolean;
pub mod bulk_ownership;
pub mod cache_identity;
pub mod caller_skips;
pub mod caps;
pub mod client_address;
pub mod client_bundle;
pub mod code;
pub mod containers;
pub mod cookie_jars;
pub mod csp;
pub mod debug_mux;
pub mod default_environment;
pub mod default_overrides;
pub mod deletion;
pub mod delivery;
mod derived_defaults;
pub mod dry_run_default;
pub mod durability;
pub mod edge_denies;
pub mod empty_compare;
pub mod empty_denials;
pub mod enum_order;
pub mod error_details;
pub mod errors;
mod exit_skips_defers;
pub mod exposure;
mod field_lists;
pub mod filters;
pub mod firewall_ports;
pub mod frames;
pub mod frozen_filters;
mod guards_dropped;
pub mod helm_gated;
pub(crate) mod host_access;
mod host_links;
pub mod host_match;
pub mod infra;
pub mod ingress_auth;
pub mod isolation;
pub mod key_modes;
mod keyed_hashes;
pub mod lang;
mod late_binding;
pub mod layer_order;
pub mod lifecycle_scope;
pub mod lifetimes;
pub mod listeners;
pub mod lock_split;
pub mod make_loops;
mod mesh_policies;
mod method_exemptions;
pub mod middleware_continues;
pub mod migrations;
pub mod mobile;
mod network_policies;
pub mod nginx_alias;
mod nginx_inheritance;
pub mod nginx_locations;
pub mod off_when_unset;
pub mod open_firewall_source;
pub mod optional_fields;
mod or_conditions;
pub mod ordering;
pub mod origins;
pub mod overlay_promotion;
pub mod page_cursor;
pub mod path_matchers;
pub mod pipeline;
pub mod policy_files;
pub mod prefixes;
pub mod presence;
mod probes;
pub mod proxy_acls;
pub mod quantities;
pub mod query_conditions;
pub mod randomness;
pub mod readonly_transactions;
pub mod redaction;
mod releases;
mod restated;
pub mod retries;
#[cfg(test)]
mod round33_tests;
#[cfg(test)]
mod round41_tests;
#[cfg(test)]
mod round43_tests;
#[cfg(test)]
mod round44_tests;
#[cfg(test)]
mod round46_tests;
#[cfg(test)]
mod round47_tests;
pub mod row_security;
pub mod rules;
pub mod safe_defaults;
pub mod safekeeping;
pub mod sanitisers;
pub mod scan_scope;
pub mod schema_sync;
pub mod scoping;
pub mod score;
pub mod secrets;
pub mod security;
pub mod selectors;
pub mod sequence;
pub mod shell_vars;
pub mod ship_ignore;
pub mod soft_failures;
pub mod split_paths;
pub mod stale_memo;
pub mod structured;
pub mod supply;
pub mod syntax;
pub mod systemd;
pub mod telemetry_pipelines;
pub mod tenant_source;
pub mod testing;
pub mod text;
mod timeouts;
pub mod tls_reverify;
pub mod transactions;
mod tx_bypass;
pub mod unfiltered_when_absent;
pub mod uniqueness;
pub mod units;
pub mod upsert_updates;
pub mod vendor_payloads;
pub mod verification;
pub mod volumes;
mod waitgroups;
pub mod widening;
pub mod wire;
pub mod wire_names;
pub mod workflow_injection;
pub mod xtrace;
pub mod zero_value_conditions;

mod analyse;
mod autoescape;

pub use analyse::{
    RULES_PATH, analyse_change, analyse_diff, analyse_range, analyse_under, blast_for, load_rules,
    report_for,
};
pub use blast::Blast;
pub use rules::RuleSet;

use std::sync::LazyLock;

use regex::Regex;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::diff::{Diff, FileDiff, FileStatus, LineKind, MinusPlus};
use lang::FileClass;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// Parses `low`, `medium`, `high` or `critical`.
    pub fn parse(s: &str) -> Option<Severity> {
        match s.to_ascii_lowercase().as_str() {
            "low" | "info" => Some(Severity::Low),
            "medium" | "moderate" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// One step up (critical stays critical).
    pub fn raised(self) -> Severity {
        match self {
            Severity::Low => Severity::Medium,
            Severity::Medium => Severity::High,
            _ => Severity::Critical,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which side of the diff a finding's line counts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The new file (added and context lines).
    New,
    /// The old file (removed lines).
    Old,
}

impl Side {
    /// The same side in the diff model's terms.
    pub fn diff_side(self) -> crate::diff::Side {
        match self {
            Side::New => crate::diff::Side::Plus,
            Side::Old => crate::diff::Side::Minus,
        }
    }
}

/// One thing a senior would point at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The rule's id, e.g. `tf-prevent-destroy-removed`.
    pub rule: String,
    pub severity: Severity,
    pub path: String,
    /// The line on the new side (old side for removals); `None` for the whole file.
    pub line: Option<u32>,
    /// Which side `line` counts on: `new` or `old` (removals).
    pub side: Side,
    /// Why, in a sentence.
    pub message: String,
}

impl Finding {
    /// A finding on an added line (or the whole file when `line` is `None`).
    pub fn added(
        rule: &str,
        severity: Severity,
        path: &str,
        line: Option<u32>,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            rule: rule.to_string(),
            severity,
            path: path.to_string(),
            line,
            side: Side::New,
            message: message.into(),
        }
    }

    /// A finding on a removed line.
    pub fn removed(
        rule: &str,
        severity: Severity,
        path: &str,
        line: Option<u32>,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            side: Side::Old,
            ..Finding::added(rule, severity, path, line, message)
        }
    }
}

/// The full risk report of a change (`risk --json` prints it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskReport {
    pub score: u8,
    /// `low`, `medium`, `high` or `critical`.
    pub level: Severity,
    /// Most severe first.
    pub findings: Vec<Finding>,
    pub blast: Blast,
    /// How the score was made, term by term, for the curious reviewer.
    pub breakdown: score::Breakdown,
    /// Problems met on the way (e.g. a broken rules file), in words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl RiskReport {
    /// Findings of one file, for the review screen's gutter.
    pub fn findings_for<'a>(&'a self, path: &'a str) -> impl Iterator<Item = &'a Finding> + 'a {
        self.findings.iter().filter(move |f| f.path == path)
    }
}

/// One line of a file's diff, as the rules see it.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    /// The line number on its side.
    pub no: u32,
    pub text: &'a str,
}

/// Full contents of selected files (manifests, lockfiles), old and new side,
/// keyed by path; rules that need more than the hunks read them.
pub type Contents = HashMap<String, MinusPlus<Option<String>>>;

/// A changed file as the rules see it.
pub struct FileView<'a> {
    pub file: &'a FileDiff,
    /// The new path, else the old one.
    pub path: &'a str,
    pub class: FileClass,
    pub added: Vec<Line<'a>>,
    pub removed: Vec<Line<'a>>,
    /// The added lines, and the removed ones, joined by newlines: one search
    /// over them tells that no line matches a pattern.
    pub added_text: String,
    pub removed_text: String,
    /// The file is on a critical path (built-in or `critical_paths`).
    pub critical: bool,
    pub contents: Option<&'a MinusPlus<Option<String>>>,
    /// Every line the hunks show on the new side (context and added), by number.
    pub new_lines: HashMap<u32, &'a str>,
    /// Lines (new side, and old side for removals) inside an inline test
    /// module such as Rust's `#[cfg(test)] mod tests`.
    pub test_lines: std::collections::HashSet<(bool, u32)>,
    /// Lines (new side, old side) of prose inside code: Python docstrings
    /// and other triple-quoted blocks that open a line.
    pub prose_lines: std::collections::HashSet<(bool, u32)>,
    /// The first added line long enough to be minified output, in a file
    /// whose path does not say it is built: the other checks skip the file.
    pub minified: Option<u32>,
}

/// The line numbers (1-based) of `text` that lie in a triple-quoted string
/// opening a line (a docstring), delimiters included. Strings assigned to a
/// name (`sql = """…"""`) are code and not among them.
fn docstring_lines(text: &str) -> std::collections::HashSet<u32> {
    let mut out = std::collections::HashSet::new();
    // The delimiter of the string still open, and whether it is prose.
    let mut open: Option<(&str, bool)> = None;
    // The last line with text, before this one.
    let mut last_text = "";
    for (i, line) in text.lines().enumerate() {
        let no = i as u32 + 1;
        let previous = last_text;
        if !line.trim().is_empty() {
            last_text = line;
        }
        if let Some((d, prose)) = open {
            if prose {
                out.insert(no);
            }
            if line.contains(d) {
                open = None;
            }
            continue;
        }
        let first = ["\"\"\"", "'''"]
            .iter()
            .filter_map(|d| line.find(d).map(|at| (at, *d)))
            .min();
        let Some((at, d)) = first else { continue };
        let before = line[..at].trim_start();
        // A string that opens its own line after `op.execute(` or `sql =`
        // is an argument or a value (SQL in a migration), not a docstring.
        let continues = previous
            .trim_end()
            .ends_with(['(', ',', '=', '[', '{', '+']);
        let prose = !continues
            && before
                .chars()
                .all(|c| matches!(c, 'r' | 'b' | 'u' | 'f' | 'R' | 'B' | 'U' | 'F'));
        if prose {
            out.insert(no);
        }
        if line[at + 3..].matches(d).count() % 2 == 0 {
            open = Some((d, prose));
        }
    }
    out
}

/// Longer than any line a person writes: the mark of minified output.
const MINIFIED_LINE: usize = 3000;

impl<'a> FileView<'a> {
    /// Whether the change added line `no` (new side).
    pub fn added_at(&self, no: u32) -> bool {
        self.added.binary_search_by_key(&no, |l| l.no).is_ok()
    }

    /// Whether the change adds a line within `new` (new side's line numbers,
    /// inclusive) or removes one within `old` (old side's): a function outside
    /// both is one the change did not touch.
    pub fn touches(&self, old: (u32, u32), new: (u32, u32)) -> bool {
        let within = |lines: &[Line<'_>], (a, b): (u32, u32)| {
            let i = lines.partition_point(|l| l.no < a);
            lines.get(i).is_some_and(|l| l.no <= b)
        };
        within(&self.added, new) || within(&self.removed, old)
    }

    /// Each run of removed lines with the run of added lines that follows it
    /// in its hunk (empty when none does): what the change took out and what
    /// it wrote in its place, the unit renames and replaced keys are read in.
    pub fn replacements(&self) -> Vec<(&'a [crate::diff::DiffLine], &'a [crate::diff::DiffLine])> {
        let mut out = Vec::new();
        for h in &self.file.hunks {
            let ls = &h.lines;
            let mut i = 0;
            while i < ls.len() {
                if ls[i].kind != LineKind::Removed {
                    i += 1;
                    continue;
                }
                let mut j = i;
                while j < ls.len() && ls[j].kind == LineKind::Removed {
                    j += 1;
                }
                let mut k = j;
                while k < ls.len() && ls[k].kind == LineKind::Added {
                    k += 1;
                }
                out.push((&ls[i..j], &ls[j..k]));
                i = k;
            }
        }
        out
    }

    /// Builds the view of one file.
    pub fn new(file: &'a FileDiff, contents: &'a Contents, rules: &RuleSet) -> FileView<'a> {
        let path = file.display_path();
        let mut added = Vec::new();
        let mut removed = Vec::new();
        let mut new_lines = HashMap::new();
        let mut test_lines = std::collections::HashSet::new();
        if path.ends_with(".rs") {
            for h in &file.hunks {
                let mut in_test =
                    h.section.contains("mod tests") || h.section.contains("mod test ");
                for l in &h.lines {
                    let t = l.content.trim_start();
                    if t.starts_with("#[cfg(test)]") || t.starts_with("mod tests") {
                        in_test = true;
                    }
                    if in_test {
                        if let Some(n) = l.new_no {
                            test_lines.insert((true, n));
                        }
                        if l.kind == LineKind::Removed
                            && let Some(n) = l.old_no
                        {
                            test_lines.insert((false, n));
                        }
                    }
                }
            }
        }
        for l in file.hunks.iter().flat_map(|h| &h.lines) {
            if let Some(n) = l.new_no {
                new_lines.insert(n, l.content.as_str());
            }
            match l.kind {
                LineKind::Added => added.push(Line {
                    no: l.new_no.unwrap_or(0),
                    text: &l.content,
                }),
                LineKind::Removed => removed.push(Line {
                    no: l.old_no.unwrap_or(0),
                    text: &l.content,
                }),
                LineKind::Context => {}
            }
        }
        let file_contents = contents.get(path);
        let mut prose_lines = std::collections::HashSet::new();
        if path.ends_with(".py")
            && let Some(c) = file_contents
        {
            for (side, text) in [(true, &c.plus), (false, &c.minus)] {
                if let Some(t) = text {
                    prose_lines.extend(docstring_lines(t).into_iter().map(|n| (side, n)));
                }
            }
        }
        let mut class = FileClass::of(path);
        // A minified bundle or a source map is built, not written: one line
        // of thousands of characters is what a build tool emits.
        let long = |l: &&Line<'_>| l.text.len() > MINIFIED_LINE;
        let first_long = added.iter().find(long).map(|l| l.no);
        let minified = first_long.filter(|_| !class.vendored);
        if first_long.is_some() || removed.iter().any(|l| long(&l)) {
            class.vendored = true;
        }
        let joined = |lines: &[Line<'_>]| {
            let mut text = String::with_capacity(lines.iter().map(|l| l.text.len() + 1).sum());
            for l in lines {
                text.push_str(l.text);
                text.push('\n');
            }
            text
        };
        FileView {
            file,
            path,
            class,
            added_text: joined(&added),
            removed_text: joined(&removed),
            added,
            removed,
            critical: rules.is_critical(path)
                || file
                    .path
                    .minus
                    .as_deref()
                    .is_some_and(|p| rules.is_critical(p)),
            contents: file_contents,
            new_lines,
            test_lines,
            prose_lines,
            minified,
        }
    }

    /// True when an added line sits in an inline test module.
    pub fn test_line(&self, no: u32) -> bool {
        self.test_lines.contains(&(true, no))
    }

    /// True when a removed line sat in an inline test module.
    pub fn test_line_old(&self, no: u32) -> bool {
        self.test_lines.contains(&(false, no))
    }

    /// True when the whole file was deleted.
    pub fn deleted(&self) -> bool {
        self.file.status == FileStatus::Deleted
    }

    /// True when the whole file is new.
    pub fn created(&self) -> bool {
        self.file.status == FileStatus::Added
    }

    /// Added lines that are production code (not comments, not inline tests).
    pub fn added_code(&self) -> impl Iterator<Item = &Line<'a>> {
        self.added.iter().filter(|l| {
            !self.class.is_comment(l.text)
                && !self.test_line(l.no)
                && !self.prose_lines.contains(&(true, l.no))
        })
    }

    /// Removed lines that were production code (not comments, not inline tests).
    pub fn removed_code(&self) -> impl Iterator<Item = &Line<'a>> {
        self.removed.iter().filter(|l| {
            !self.class.is_comment(l.text)
                && !self.test_line_old(l.no)
                && !self.prose_lines.contains(&(false, l.no))
        })
    }

    /// The full new text, when it was loaded.
    pub fn new_text(&self) -> Option<&str> {
        self.contents.and_then(|c| c.plus.as_deref())
    }

    /// The full new text, or when it was not loaded the lines the hunks
    /// show, each on its own line number (blank lines between hunks), so
    /// that what is read by line number still lines up.
    pub fn new_text_or_hunks(&self) -> std::borrow::Cow<'_, str> {
        if let Some(t) = self.new_text() {
            return std::borrow::Cow::Borrowed(t);
        }
        let last = self.new_lines.keys().copied().max().unwrap_or(0);
        let lines: Vec<&str> = (1..=last)
            .map(|n| self.new_lines.get(&n).copied().unwrap_or(""))
            .collect();
        std::borrow::Cow::Owned(lines.join("\n"))
    }

    /// Line `no` (1-based) of the new side: from the hunks when they show
    /// it, else from the full text; empty when neither has it. Checks read
    /// a few lines around an added one (the handler it sits in, the call
    /// it is an argument of).
    pub fn new_line(&self, no: u32) -> &str {
        if let Some(t) = self.new_lines.get(&no) {
            return t;
        }
        self.new_text()
            .and_then(|t| t.lines().nth((no as usize).checked_sub(1)?))
            .unwrap_or("")
    }

    /// The full old text, when it was loaded.
    pub fn old_text(&self) -> Option<&str> {
        self.contents.and_then(|c| c.minus.as_deref())
    }
}

/// The whole change as the rules see it.
pub struct ChangeView<'a> {
    pub files: Vec<FileView<'a>>,
    /// The auth checks the change adds anywhere: the security rules ask for
    /// them once per file, so they are worked out once per change.
    pub(crate) added_auth: std::sync::OnceLock<security::AddedAuth<'a>>,
    /// Check functions the change deletes and writes out in a wrapper it
    /// applies, by name, with the decorator's name (empty for a mounted
    /// middleware); set by the behaviour rules, read by the security and
    /// intent rules that run after them.
    pub(crate) written_out: std::sync::OnceLock<std::collections::BTreeMap<String, String>>,
}

impl ChangeView<'_> {
    /// The paths the change takes away (deleted files, the old names of renamed
    /// ones) and the ones it brings in (created files, new names): a reference
    /// that follows a file's rename moves with it.
    pub(crate) fn moved_paths(&self) -> MinusPlus<Vec<&str>> {
        let mut gone = Vec::new();
        let mut came = Vec::new();
        for f in &self.files {
            let (old, new) = (f.file.path.minus.as_deref(), f.file.path.plus.as_deref());
            if old != new {
                gone.extend(old);
                came.extend(new);
            }
        }
        MinusPlus::new(gone, came)
    }

    /// True when `old` and `new` are references (a `require` path, a kustomize
    /// resource, an include) to a file the change moved: the old one names a
    /// path it takes away, the new one a path it brings in. Either may be
    /// absent (the other side of the pair already written under the new
    /// name), but the change must both take away and bring in a file.
    pub(crate) fn follows_moved_file(&self, old: Option<&str>, new: Option<&str>) -> bool {
        let moved = self.moved_paths();
        if old.is_none() && new.is_none() || moved.minus.is_empty() || moved.plus.is_empty() {
            return false;
        }
        old.is_none_or(|v| moved.minus.iter().any(|p| names_file(v, p)))
            && new.is_none_or(|v| moved.plus.iter().any(|p| names_file(v, p)))
    }
}

/// True when a written value names the file at `path`: `./pruneUploads`,
/// `../jobs/prune.js`, `support-admin.yaml`, `app.jobs.prune` (a dotted module
/// path), extensions optional on either side.
pub(crate) fn names_file(value: &str, path: &str) -> bool {
    let v = value.trim().trim_matches(['"', '\'', '`']);
    let v = v.trim_start_matches("./");
    let v = v.trim_start_matches("../").trim_start_matches("@/");
    let stem = |s: &str| -> String {
        let name_at = s.rfind('/').map_or(0, |i| i + 1);
        match s[name_at..].rfind('.') {
            Some(dot) if dot > 0 => s[..name_at + dot].to_string(),
            _ => s.to_string(),
        }
    };
    if v.len() < 3 || !v.chars().any(|c| c.is_ascii_alphabetic()) || v.contains(char::is_whitespace)
    {
        return false;
    }
    let path_stem = stem(path);
    let at_boundary = |p: &str, tail: &str| {
        p == tail || p.ends_with(tail) && p.as_bytes()[p.len() - tail.len() - 1] == b'/'
    };
    at_boundary(path, v)
        || at_boundary(&path_stem, &stem(v))
        || !v.contains('/') && v.contains('.') && at_boundary(&path_stem, &v.replace('.', "/"))
}

/// A lookup that dropped its tenant or owner condition while the same
/// change puts that condition on the model for every query (EF Core's
/// `HasQueryFilter`, Rails' `default_scope`…) is still scoped: worth a look
/// that the filter covers it, not an alarm. Not when an added line opts out
/// of the model's filters.
fn model_wide_scope(change: &ChangeView<'_>, found: &mut [Finding]) {
    let unscoped = |x: &Finding| {
        matches!(
            x.rule.as_str(),
            "authz-query-unscoped" | "authz-lookup-unscoped"
        ) && x.severity > Severity::Medium
    };
    if !found.iter().any(unscoped) {
        return;
    }
    let scopes = scoping::model_wide_scopes(change);
    if scopes.is_empty() || scoping::opts_out_of_model_filters(change) {
        return;
    }
    for x in found.iter_mut().filter(|x| unscoped(x)) {
        let said = x.message.replace('_', "").to_ascii_lowercase();
        if let Some((_, line)) = scopes.iter().find(|(w, _)| said.contains(w.as_str())) {
            x.severity = Severity::Medium;
            x.message.push_str(&format!(
                " The change applies that condition to every query of the model (`{}`): check it covers this one.",
                quote(line)
            ));
        }
    }
}

/// Finds everything the rules find in a diff. `contents` holds full texts of the
/// files `wants_contents` asked for (it may be empty: those rules then work from
/// the hunks alone).
pub fn findings(diff: &Diff, contents: &Contents, rules: &RuleSet) -> Vec<Finding> {
    findings_with_message(diff, contents, rules, None)
}

/// Like [`findings`], also holding the change's commit message against what the
/// change does (a "refactor" that changes behaviour is a finding of its own).
pub fn findings_with_message(
    diff: &Diff,
    contents: &Contents,
    rules: &RuleSet,
    message: Option<&str>,
) -> Vec<Finding> {
    let files: Vec<FileView<'_>> = diff
        .files
        .iter()
        .map(|f| FileView::new(f, contents, rules))
        .collect();
    let change = ChangeView {
        files,
        added_auth: std::sync::OnceLock::new(),
        written_out: std::sync::OnceLock::new(),
    };
    let mut out = Vec::new();
    let parsed = behaviour::parse(&change);
    let mut config_changes = Vec::new();
    let mut by_file: HashMap<&str, Vec<Finding>> = HashMap::new();
    {
        let mut syntax_found = Vec::new();
        behaviour::check(&parsed, &change, &mut syntax_found);
        sequence::check(&parsed, &mut syntax_found);
        scoping::check(&change, &mut syntax_found);
        query_conditions::check(&change, &mut syntax_found);
        query_conditions::lambda_lookups(&change, &mut syntax_found);
        prefixes::check(&change, &mut syntax_found);
        model_wide_scope(&change, &mut syntax_found);
        for x in syntax_found {
            by_file
                .entry(change_path(&change, &x.path))
                .or_default()
                .push(x);
        }
    }
    // Each file's own checks read nothing another file's checks write: they
    // run side by side, and their findings are joined in the diff's order.
    let seeded: Vec<(&FileView<'_>, Vec<Finding>)> = change
        .files
        .iter()
        .map(|f| (f, by_file.remove(f.path).unwrap_or_default()))
        .collect();
    let per_file: Vec<(Vec<Finding>, Vec<Finding>)> = {
        use rayon::prelude::*;
        seeded
            .into_par_iter()
            .map(|(f, local)| file_findings(f, &change, rules, local))
            .collect()
    };
    for (local, configs) in per_file {
        out.extend(local);
        config_changes.extend(configs);
    }
    testing::check_change(&change, &mut out);
    supply::check_change(&change, &mut out);
    retries::check_change(&change, &mut out);
    cookie_jars::check_change(&change, &mut out);
    quantities::check_change(&change, &mut out);
    selectors::check_change(&change, &mut out);
    edge_denies::check(&change, &mut out);
    field_lists::check_change(&change, &mut out);
    field_lists::schema_permits(&change, &mut out);
    tenant_source::check(&change, &mut out);
    off_when_unset::terraform_default_off(&change, &mut out);
    deletion::retention_via_variable(&change, &mut out);
    deletion::retention_fallback_cut(&change, &mut out);
    ingress_auth::check(&change, &mut out);
    optional_fields::check(&change, &mut out);
    overlay_promotion::check(&change, &mut out);
    unfiltered_when_absent::check(&change, &mut out);
    helm_gated::check(&change, &mut out);
    if let Some(m) = message {
        // Translations are words shown to people: a reworded string in a
        // locale file is the typo fix or rewording the message says.
        config_changes.retain(|c: &Finding| !lang::translation_file(&c.path));
        behaviour::intent(&parsed, &change, m, &config_changes, &mut out);
    }
    rules.apply_silences(&mut out);
    tidy(&mut out);
    one_reading_per_line(&mut out);
    out
}

/// The checks that read one file of the change (with the whole change at
/// hand for context), and the severity adjustments that depend on where the
/// file sits; returns its findings and the structured-config differences the
/// intent check reads.
fn file_findings<'a>(
    f: &FileView<'a>,
    change: &ChangeView<'a>,
    rules: &RuleSet,
    mut local: Vec<Finding>,
) -> (Vec<Finding>, Vec<Finding>) {
    let mut config_changes = Vec::new();
    if !f.file.binary {
        structured::check(f, change, &mut local, &mut config_changes);
    }
    policy_files::check(f, change, &mut local);
    text::check(f, &mut local);
    if !f.file.binary {
        infra::check(f, change, &mut local);
        infra::grants_widened(f, &mut local);
        infra::condition_widened(f, &mut local);
        containers::check(f, change, &mut local);
        exposure::check(f, change, &mut local);
        listeners::check(f, &mut local);
        origins::check(f, &mut local);
        host_match::check(f, change, &mut local);
        csp::check(f, &mut local);
        randomness::check(f, change, &mut local);
        isolation::check(f, &mut local);
        default_environment::check(f, &mut local);
        ordering::check(f, change, &mut local);
        migrations::check(f, change, &mut local);
        deletion::check(f, &mut local);
        split_paths::check(f, &mut local);
        soft_failures::check(f, &mut local);
        empty_denials::check(f, &mut local);
        proxy_acls::check(f, &mut local);
        firewall_ports::check(f, &mut local);
        open_firewall_source::check(f, &mut local);
        zero_value_conditions::check(f, &mut local);
        dry_run_default::check(f, change, &mut local);
        middleware_continues::check(f, change, &mut local);
        lifecycle_scope::check(f, &mut local);
        enum_order::check(f, &mut local);
        key_modes::check(f, &mut local);
        caller_skips::check(f, change, &mut local);
        debug_mux::check(f, change, &mut local);
        upsert_updates::check(f, &mut local);
        readonly_transactions::check(f, &mut local);
        account_principals::check(f, change, &mut local);
        archive_paths::check(f, &mut local);
        empty_compare::check(f, &mut local);
        default_overrides::check(f, change, &mut local);
        bulk_ownership::check(f, &mut local);
        frozen_filters::check(f, &mut local);
        layer_order::check(f, &mut local);
        retries::check(f, &mut local);
        acknowledge::check(f, &mut local);
        durability::check(f, &mut local);
        volumes::check(f, &mut local);
        nginx_locations::check(f, &mut local);
        safe_defaults::check(f, &mut local);
        verification::check(f, &mut local);
        presence::check(f, &mut local);
        lifetimes::check(f, &mut local);
        stale_memo::check(f, &mut local);
        lock_split::check(f, &mut local);
        derived_defaults::check(f, &mut local);
        probes::check(f, &mut local);
        schema_sync::check(f, &mut local);
        scan_scope::check(f, &mut local);
        widening::check(f, &mut local);
        page_cursor::check(f, &mut local);
        mesh_policies::check(f, &mut local);
        autoescape::check(f, change, &mut local);
        late_binding::check(f, &mut local);
        exit_skips_defers::check(f, &mut local);
        method_exemptions::check(f, &mut local);
        xtrace::check(f, &mut local);
        caps::check(f, &mut local);
        off_when_unset::check(f, &mut local);
        systemd::check(f, change, &mut local);
        filters::check(f, &mut local);
        units::check(f, &mut local);
        redaction::check(f, &mut local);
        safekeeping::check(f, &mut local);
        sanitisers::check(f, change, &mut local);
        transactions::check(f, &mut local);
        error_details::check(f, &mut local);
        ship_ignore::check(f, &mut local);
        workflow_injection::check(f, &mut local);
        client_address::check(f, &mut local);
        client_bundle::check(f, &mut local);
        vendor_payloads::check(f, &mut local);
        uniqueness::check(f, &mut local);
        nginx_alias::check(f, &mut local);
        make_loops::check(f, &mut local);
        nginx_inheritance::check(f, &mut local);
        waitgroups::check(f, &mut local);
        releases::check(f, &mut local);
        or_conditions::check(f, &mut local);
        guards_dropped::check(f, &mut local);
        host_links::check(f, change, &mut local);
        host_access::check(f, &mut local);
        field_lists::check(f, &mut local);
        tx_bypass::check(f, &mut local);
        network_policies::check(f, &mut local);
        keyed_hashes::check(f, &mut local);
        timeouts::check(f, &mut local);
        cache_identity::check(f, change, &mut local);
        wire_names::check(f, &mut local);
        wire::check(f, &mut local);
        row_security::check(f, change, &mut local);
        security::check(f, change, &mut local);
        secrets::check(f, &mut local);
        errors::check(f, change, &mut local);
        testing::check(f, change, &mut local);
        delivery::check(f, change, &mut local);
        pipeline::check(f, change, &mut local);
        rules.check_patterns(f, change, &mut local);
        tls_reverify::keep_reverified(f, &mut local);
        migrations::narrowed_grants(f, change, &mut local);
        migrations::view_selects_every_column(f, &mut local);
        path_matchers::check(f, change, &mut local);
        mobile::check(f, change, &mut local);
        alert_rules::check(f, change, &mut local);
        telemetry_pipelines::check(f, &mut local);
        security::open_by_protocol(f, change, &mut local);
        origins::uncredentialed_wildcard(f, &mut local);
        infra::empty_filter_without_object_action(f, &mut local);
        infra::variable_defaults(f, change, rules, &mut local);
        drop_grants_in_deny_statements(f, &mut local);
        containers::capabilities_dropped(f, &mut local);
        frames::assembled_sandbox(f, &mut local);
        frames::first_sandbox(f, change, &mut local);
        pipeline::relax_ephemeral_teardown(f, change, &mut local);
        pipeline::unpinned_action_with_secrets(f, &mut local);
        security::verified_by_provider(f, &mut local);
    }
    supply::check(f, change, &mut local);
    infra::drop_settings_of_removed_resources(f, &mut local);
    // A section of a production file that configures another
    // environment (`class TestingConfig(Config):`, a `test:` block).
    for x in &mut local {
        let scoped = ENVIRONMENT_SCOPED.iter().any(|p| x.rule.starts_with(p));
        if scoped
            && x.severity > Severity::Medium
            && x.side == Side::New
            && let Some(env) = x.line.and_then(|l| environment_section(f, l))
        {
            x.severity = Severity::Medium;
            x.message
                .push_str(&format!(" Only the {env} configuration is affected."));
        }
    }
    if f.class.ci {
        // A pipeline's service containers (`services:` of a job) are
        // throwaway databases and search clusters for its tests: their
        // demo passwords and switched-off security plugins protect nothing.
        for x in &mut local {
            let throwaway = matches!(
                x.rule.as_str(),
                "config-safety-off"
                    | "config-protection-off"
                    | "secret-assignment"
                    | "datastore-port-public"
            );
            if throwaway
                && x.side == Side::New
                && x.severity > Severity::Low
                && x.line.is_some_and(|l| ci_service_container(f, l))
            {
                x.severity = Severity::Low;
                x.message.push_str(
                    " It configures a service container the pipeline starts for its own tests.",
                );
            }
        }
    }
    if let Some(env) = non_production(f.path) {
        // Capacity, rollout and infrastructure settings of staging or a
        // dev stack: worth a look, not an alarm.
        for x in &mut local {
            let scoped = ENVIRONMENT_SCOPED.iter().any(|p| x.rule.starts_with(p));
            if scoped && x.severity > Severity::Medium {
                x.severity = Severity::Medium;
                x.message
                    .push_str(&format!(" Only the {env} environment is affected."));
            }
        }
    }
    if f.critical {
        // On a path the repository marks critical, what would be worth a look
        // elsewhere is worth a senior's attention.
        for x in &mut local {
            // Settings knobs, differences the engine can only point at
            // (not name as a weakening), access taken away (which breaks
            // loudly and exposes nothing) and a production pipeline
            // edited (its specific rules say what is wrong) stay as they
            // are.
            let knob = [
                "tf-access-removed",
                "ci-deploys-to-production",
                "config-",
                "dep-",
                "image-",
                "logic-behaviour-",
                "logic-value-changed",
                "intent-",
            ]
            .iter()
            .any(|p| x.rule.starts_with(p));
            if x.severity == Severity::Medium && !knob {
                x.severity = Severity::High;
                x.message.push_str(" This file is on a critical path.");
            }
        }
    }
    (local, config_changes)
}

/// Where a rule and the syntax comparison (`logic-*`) name the same line,
/// the more severe reading stays; on a tie the rule's, which says more
/// precisely what is wrong.
fn one_reading_per_line(out: &mut Vec<Finding>) {
    type Key = (String, Option<u32>, Side);
    let key = |f: &Finding| -> Key { (f.path.clone(), f.line, f.side) };
    let logic = |f: &Finding| f.rule.starts_with("logic-");
    let mut rules: HashMap<Key, Severity> = HashMap::new();
    for f in out.iter().filter(|f| !logic(f) && f.line.is_some()) {
        let s = rules.entry(key(f)).or_insert(f.severity);
        *s = (*s).max(f.severity);
    }
    out.retain(|f| !logic(f) || rules.get(&key(f)).is_none_or(|s| f.severity > *s));
    let mut kept: HashMap<Key, Severity> = HashMap::new();
    for f in out.iter().filter(|f| logic(f) && f.line.is_some()) {
        let s = kept.entry(key(f)).or_insert(f.severity);
        *s = (*s).max(f.severity);
    }
    out.retain(|f| logic(f) || kept.get(&key(f)).is_none_or(|s| f.severity >= *s));
}

static EFFECT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(?:["']?(?:effect|action|rule_action|access)["']?\s*[:=]\s*["']?(allow|deny)\b|^\s*(allow|deny)\s*\{)"#).unwrap()
});

/// Wildcards and public principals inside a policy statement or firewall
/// rule that denies (`effect = "Deny"`, `"Effect": "Deny"`, a GCP `deny {}`
/// block, a NACL's `rule_action = "deny"`, an NSG's `access = "Deny"`): a
/// deny for everyone takes
/// rights away, it grants none.
fn drop_grants_in_deny_statements(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let grants = ["iam-wildcard", "sec-public-network"];
    out.retain(|x| {
        if !grants.contains(&x.rule.as_str()) || x.side != Side::New {
            return true;
        }
        let Some(line) = x.line else { return true };
        // The statement's effect: the nearest one written within a few
        // lines (before or after, as JSON and HCL put it either way).
        let effect = (0..=12u32)
            .flat_map(|d| [line.checked_sub(d), line.checked_add(d)])
            .flatten()
            .find_map(|n| f.new_lines.get(&n).and_then(|t| EFFECT.captures(t)));
        !effect.is_some_and(|c| {
            c.get(1)
                .or(c.get(2))
                .is_some_and(|m| m.as_str().eq_ignore_ascii_case("deny"))
        })
    });
}

/// Rules about capacity, rollout and infrastructure settings, whose weight
/// depends on the environment they configure. Security and data rules are
/// not among them: a leaked key or a dropped table matters anywhere.
const ENVIRONMENT_SCOPED: &[&str] = &[
    "k8s-",
    "tf-",
    "config-",
    "cfn-",
    "image-",
    "infra-",
    "db-",
    "logic-rollout-jump",
    "logic-value-changed",
    "data-retention-shortened",
    "logic-retry-widened",
    "sec-public-network",
    "sec-debug-in-prod",
    "sec-cookie-flags-off",
    "sec-cookie-secure-optional",
    "sec-auth-disabled",
    "sec-cors-permissive",
    "sec-tls-verify-off",
    "docker-root-user",
    "actuator-",
];

/// The non-production environment that the section holding `line`
/// configures: a settings class (`class TestingConfig(Config):`,
/// `class DevelopmentSettings`), or a top-level block of a YAML or TOML file
/// keyed by environment (`test:`, `[development]`).
/// Whether `line` of a CI file sits under a job's `services:` (the
/// containers the pipeline starts beside its job).
fn ci_service_container(f: &FileView<'_>, line: u32) -> bool {
    let text = f.new_text_or_hunks();
    let lines: Vec<&str> = text.lines().collect();
    let Some(here) = (line as usize).checked_sub(1).and_then(|at| lines.get(at)) else {
        return false;
    };
    let mut indent = here.len() - here.trim_start().len();
    for l in lines[..line as usize - 1].iter().rev() {
        let t = l.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let i = l.len() - t.len();
        if i >= indent {
            continue;
        }
        indent = i;
        if t.trim_end() == "services:" {
            return true;
        }
        if i == 0 {
            return false;
        }
    }
    false
}

fn environment_section(f: &FileView<'_>, line: u32) -> Option<String> {
    static SECTION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:class\s+(\w+)|\[([\w.-]+)\]\s*$|([\w-]+):\s*(?:#.*)?$)").unwrap()
    });
    static ENV_WORD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?i)(test|testing|tests|dev|develop|development|local|ci|e2e)(config|configuration|settings|env|environment)?$|^(?i)(test|testing|dev|development|local)[_-]?(config|configuration|settings)$|^(Test|Testing|Dev|Development|Local)(Config|Configuration|Settings)$").unwrap()
    });
    let text = f.new_text_or_hunks();
    let lines: Vec<&str> = text.lines().collect();
    let at = (line as usize).checked_sub(1)?;
    let here = lines.get(at)?;
    let mut indent = here.len() - here.trim_start().len();
    for l in lines[..at].iter().rev() {
        if l.trim().is_empty() || l.trim_start().starts_with('#') {
            continue;
        }
        let i = l.len() - l.trim_start().len();
        if i >= indent && !(i == 0 && l.starts_with('[')) {
            continue;
        }
        indent = i;
        if let Some(c) = SECTION.captures(l.trim_start()) {
            let name = c.get(1).or(c.get(2)).or(c.get(3))?.as_str();
            let last = name.rsplit('.').next().unwrap_or(name);
            return ENV_WORD.is_match(last).then(|| last.to_string());
        }
        if i == 0 {
            return None;
        }
    }
    None
}

static NON_PRODUCTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|[/._-])(dev|develop|development|staging|stage|stg|qa|sandbox|preview|review|local|demo|e2e|kind|minikube|k3d|microk8s|devcontainer)(?:[/._-]|$)").unwrap()
});

/// The non-production environment a configuration file is for, read from
/// its path (`overlays/staging/`, `values-dev.yaml`, `docker-compose.local.yml`,
/// a local cluster's `deploy/kind/`);
/// `None` for anything that may reach production.
pub fn non_production(path: &str) -> Option<String> {
    // A production word anywhere wins (`staging-to-prod/`); `live` only
    // names production when no other environment is named (Terragrunt's
    // `live/preview/…` is the preview environment of the live tree).
    let lower = path.to_ascii_lowercase();
    if lower
        .split(['/', '.', '_', '-'])
        .any(|w| w.starts_with("prod") || w == "prd")
    {
        return None;
    }
    NON_PRODUCTION
        .captures(path)
        .map(|c| c[1].to_ascii_lowercase())
}

/// The path of `change` equal to `p` (a borrow that outlives the finding).
fn change_path<'a>(change: &'a ChangeView<'a>, p: &str) -> &'a str {
    change
        .files
        .iter()
        .find(|f| f.path == p)
        .map_or("", |f| f.path)
}

/// At most this many findings of one rule in one file are kept.
const PER_RULE_AND_FILE: usize = 8;

/// Sorts (most severe first, then by path and line), removes duplicates and caps
/// repeats of one rule in one file.
fn tidy(out: &mut Vec<Finding>) {
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.path.cmp(&b.path))
            .then_with(|| a.line.cmp(&b.line))
            .then_with(|| a.rule.cmp(&b.rule))
    });
    out.dedup_by(|a, b| {
        a.rule == b.rule && a.path == b.path && a.line == b.line && a.side == b.side
    });
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    out.retain(|f| {
        let n = seen.entry((f.rule.clone(), f.path.clone())).or_insert(0);
        *n += 1;
        *n <= PER_RULE_AND_FILE
    });
}

/// Scores findings and blast radius into a report.
pub fn report(findings: Vec<Finding>, blast: Blast, lines_changed: u32) -> RiskReport {
    let breakdown = score::score(&findings, &blast, lines_changed);
    RiskReport {
        score: breakdown.total,
        level: breakdown.level,
        findings,
        blast,
        breakdown,
        warnings: Vec::new(),
    }
}

/// Adds findings from outside the engine (the team's analyzers) to a report
/// and scores it again, as if the engine had found them.
pub fn add_findings(report: &mut RiskReport, extra: Vec<Finding>, lines_changed: u32) {
    if extra.is_empty() {
        return;
    }
    report.findings.extend(extra);
    tidy(&mut report.findings);
    report.breakdown = score::score(&report.findings, &report.blast, lines_changed);
    report.score = report.breakdown.total;
    report.level = report.breakdown.level;
}

/// Shortens a line for quoting inside a message.
pub(crate) fn quote(text: &str) -> String {
    let t = text.trim();
    let mut s: String = t.chars().take(80).collect();
    if t.chars().count() > 80 {
        s.push('…');
    }
    crate::sanitize::escape_line(&s)
}

/// Test helpers: a one-file diff made with `similar`, and the findings on it.
#[cfg(test)]
mod docstring_tests {
    use super::docstring_lines;

    #[test]
    fn docstrings_are_prose_and_assigned_strings_are_code() {
        let text = "def f():\n    \"\"\"Fetch it.\n\n    Tests pass verify=False.\n    \"\"\"\n    sql = \"\"\"\n    DELETE FROM t\n    \"\"\"\n    '''one line'''\n    return requests.get(u, verify=False)\n";
        let mut got: Vec<u32> = docstring_lines(text).into_iter().collect();
        got.sort();
        assert_eq!(got, vec![2, 3, 4, 5, 9]);
    }

    #[test]
    fn a_string_opening_its_own_line_as_an_argument_is_code() {
        let text = "def upgrade():\n    \"\"\"Drop duplicates.\"\"\"\n    op.execute(\n        \"\"\"\n        DELETE FROM t a USING t b WHERE a.k = b.k AND a.id <> b.id\n        \"\"\"\n    )\n";
        let mut got: Vec<u32> = docstring_lines(text).into_iter().collect();
        got.sort();
        assert_eq!(got, vec![2]);
    }
}

#[cfg(test)]
mod environment_tests {
    use super::non_production;

    #[test]
    fn a_pipelines_service_container_is_a_throwaway_its_job_is_not() {
        use crate::risk::Severity;
        use crate::risk::testkit::findings_with_contents;
        let old =
            "jobs:\n  integration:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make it\n";
        let new = "jobs:\n  integration:\n    runs-on: ubuntu-latest\n    services:\n      opensearch:\n        image: opensearchproject/opensearch:2.13.0\n        env:\n          DISABLE_SECURITY_PLUGIN: \"true\"\n    steps:\n      - run: make it\n";
        let worst = |new: &str| {
            findings_with_contents(".github/workflows/integration.yml", old, new)
                .into_iter()
                .filter(|f| f.rule == "config-safety-off")
                .map(|f| f.severity)
                .max()
        };
        assert_eq!(worst(new), Some(Severity::Low));
        // The same switch in the job's own environment stays as it is.
        let job_env = "jobs:\n  integration:\n    runs-on: ubuntu-latest\n    env:\n      DISABLE_SECURITY_PLUGIN: \"true\"\n    steps:\n      - run: make it\n";
        assert_eq!(worst(job_env), Some(Severity::High));
    }

    #[test]
    fn a_setting_inside_a_test_or_dev_section_is_scoped_to_it() {
        let level = |old: &str, new: &str| {
            super::testkit::findings_with_contents("app/config.py", old, new)
                .into_iter()
                .find(|f| f.rule == "sec-auth-disabled")
                .map(|f| f.severity)
        };
        let old = "class Config:\n    SECRET_KEY = os.environ['SECRET_KEY']\n\n\nclass TestingConfig(Config):\n    TESTING = True\n";
        let test_only = old.replace(
            "    TESTING = True\n",
            "    TESTING = True\n    WTF_CSRF_ENABLED = False\n",
        );
        assert_eq!(level(old, &test_only), Some(super::Severity::Medium));
        // The same line in the base class reaches production.
        let base = old.replace(
            "    SECRET_KEY = os.environ['SECRET_KEY']\n",
            "    SECRET_KEY = os.environ['SECRET_KEY']\n    WTF_CSRF_ENABLED = False\n",
        );
        assert_eq!(level(old, &base), Some(super::Severity::High));
    }

    #[test]
    fn non_production_paths_are_told_from_production_ones() {
        for (path, env) in [
            ("deploy/k8s/overlays/staging/worker.yaml", Some("staging")),
            ("helm/api/values-dev.yaml", Some("dev")),
            ("docker-compose.local.yml", Some("local")),
            ("infra/envs/qa/main.tf", Some("qa")),
            ("deploy/k8s/overlays/production/worker.yaml", None),
            ("helm/api/values-prod.yaml", None),
            ("helm/api/values.yaml", None),
            ("src/developer/tools.py", None),
            ("infra/staging-to-prod/promote.tf", None),
            ("live/preview/pr-env/rds/terragrunt.hcl", Some("preview")),
            ("live/prod/rds/terragrunt.hcl", None),
            ("deploy/delivery/staging/api.yaml", Some("staging")),
            ("overlays/live/api.yaml", None),
            ("helm/values-production.yaml", None),
            // Local clusters: kind, minikube, k3d.
            ("deploy/kind/values-kind.yaml", Some("kind")),
            ("charts/api/values-minikube.yaml", Some("minikube")),
            ("deploy/kinder/values.yaml", None),
        ] {
            assert_eq!(non_production(path).as_deref(), env, "{path}");
        }
    }
}

#[cfg(test)]
pub(crate) mod testkit {
    use super::*;
    use crate::diff::{DiffLine, Hunk};

    /// The diff of one file from `old` to `new` (`None` = absent on that side).
    pub fn diff_of(path: &str, old: Option<&str>, new: Option<&str>) -> Diff {
        let (a, b) = (old.unwrap_or(""), new.unwrap_or(""));
        let text = similar::TextDiff::from_lines(a, b);
        let mut lines = Vec::new();
        let (mut adds, mut dels) = (0, 0);
        for c in text.iter_all_changes() {
            let kind = match c.tag() {
                similar::ChangeTag::Equal => LineKind::Context,
                similar::ChangeTag::Insert => LineKind::Added,
                similar::ChangeTag::Delete => LineKind::Removed,
            };
            adds += u32::from(kind == LineKind::Added);
            dels += u32::from(kind == LineKind::Removed);
            lines.push(DiffLine {
                kind,
                old_no: c.old_index().map(|i| i as u32 + 1),
                new_no: c.new_index().map(|i| i as u32 + 1),
                content: c.value().trim_end_matches('\n').to_string(),
                no_newline: false,
                invalid_utf8: false,
            });
        }
        let status = match (old, new) {
            (None, _) => FileStatus::Added,
            (_, None) => FileStatus::Deleted,
            _ => FileStatus::Modified,
        };
        Diff {
            files: vec![FileDiff {
                path: MinusPlus::new(old.map(|_| path.to_string()), new.map(|_| path.to_string())),
                status,
                mode: MinusPlus::new(old.map(|_| 0o100644), new.map(|_| 0o100644)),
                blob: MinusPlus::default(),
                similarity: None,
                binary: false,
                size: MinusPlus::default(),
                additions: adds,
                deletions: dels,
                hunks: vec![Hunk {
                    old_start: 1,
                    old_lines: dels,
                    new_start: 1,
                    new_lines: adds,
                    section: String::new(),
                    lines,
                }],
            }],
        }
    }

    /// The findings when `path` changes from `old` to `new`, with both full
    /// texts given to the engine (as `analyse_change` loads them).
    pub fn findings_with_contents(path: &str, old: &str, new: &str) -> Vec<Finding> {
        let mut c = Contents::new();
        c.insert(
            path.to_string(),
            MinusPlus::new(Some(old.to_string()), Some(new.to_string())),
        );
        findings(
            &diff_of(path, Some(old), Some(new)),
            &c,
            &RuleSet::builtin(),
        )
    }

    /// The findings of one change of several files: `(path, old, new)`, an
    /// empty `old` for a file the change creates.
    pub fn findings_for_change(files: &[(&str, &str, &str)]) -> Vec<Finding> {
        let mut diff = Diff { files: Vec::new() };
        for (path, old, new) in files {
            let old = (!old.is_empty()).then_some(*old);
            diff.files.extend(diff_of(path, old, Some(new)).files);
        }
        findings(&diff, &Contents::new(), &RuleSet::builtin())
    }

    /// The findings of one change of several files, `(path, old, new)` with
    /// `None` for a side where the file is absent, their full texts loaded
    /// and the commit message given, as a real analysis sees them.
    pub fn findings_of_change(
        files: &[(&str, Option<&str>, Option<&str>)],
        message: Option<&str>,
    ) -> Vec<Finding> {
        let mut diff = Diff { files: Vec::new() };
        let mut c = Contents::new();
        for (path, old, new) in files {
            diff.files.extend(diff_of(path, *old, *new).files);
            c.insert(
                path.to_string(),
                MinusPlus::new(old.map(str::to_string), new.map(str::to_string)),
            );
        }
        findings_with_message(&diff, &c, &RuleSet::builtin(), message)
    }

    /// The rule and message of every high or critical finding of
    /// [`findings_of_change`], without a commit message.
    pub fn high_rules(files: &[(&str, Option<&str>, Option<&str>)]) -> Vec<String> {
        findings_of_change(files, None)
            .iter()
            .filter(|f| f.severity >= Severity::High)
            .map(|f| format!("{} {}", f.rule, f.message))
            .collect()
    }

    /// The rule ids of [`findings_for_change`].
    pub fn rules_for_change(files: &[(&str, &str, &str)]) -> Vec<String> {
        findings_for_change(files)
            .into_iter()
            .map(|f| f.rule)
            .collect()
    }

    /// The rule ids of [`findings_with_contents`].
    pub fn rules_hit_with_contents(path: &str, old: &str, new: &str) -> Vec<String> {
        findings_with_contents(path, old, new)
            .into_iter()
            .map(|f| f.rule)
            .collect()
    }

    /// The rule ids found when `path` changes from `old` to `new`.
    pub fn rules_hit(path: &str, old: Option<&str>, new: Option<&str>) -> Vec<String> {
        findings(
            &diff_of(path, old, new),
            &Contents::new(),
            &RuleSet::builtin(),
        )
        .into_iter()
        .map(|f| f.rule)
        .collect()
    }
}
#[cfg(test)]
mod cases;

#[cfg(test)]
mod source_hygiene {
    /// A `\b` written through a non-raw string in a generator becomes a
    /// backspace byte, and the regex it was meant for silently stops
    /// matching at word boundaries. No source file holds control bytes.
    #[test]
    fn no_source_file_holds_a_backspace_or_other_control_byte() {
        fn walk(dir: &std::path::Path, bad: &mut Vec<String>) {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, bad);
                } else if p.extension().is_some_and(|x| x == "rs" || x == "toml") {
                    let bytes = std::fs::read(&p).unwrap();
                    if bytes
                        .iter()
                        .any(|b| *b < 0x20 && !matches!(b, b'\n' | b'\t' | b'\r'))
                    {
                        bad.push(p.display().to_string());
                    }
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut bad = Vec::new();
        for d in ["src", "assets", "benches"] {
            walk(&root.join(d), &mut bad);
        }
        assert!(bad.is_empty(), "control bytes in {bad:?}");
    }
}
