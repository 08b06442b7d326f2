//! Blast radius: how far a change reaches beyond its own lines. For each changed
//! file, how many files of the repository reference it (imports, `mod`/`use`,
//! includes, module names: language-aware where that is cheap, a name search
//! otherwise), which owners (CODEOWNERS) and top-level components it touches, how
//! often it changed and was fixed recently, and whether it is on a critical path.
//! Summed up as numbers and one sentence.
//!
//! Plain data in, plain data out: `Needles` says what to look for, the caller
//! streams the repository's files through `Needles::scan` (in parallel, from
//! git), and `compute` turns the hits into a `Blast`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use aho_corasick::{AhoCorasick, MatchKind};
use globset::{GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};

use super::RuleSet;

/// The blast radius of a change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blast {
    pub files_changed: usize,
    /// Distinct files elsewhere in the repository that reference a changed file.
    pub dependents: usize,
    /// Top-level components those dependents live in.
    pub dependent_components: usize,
    /// Top-level components the change itself touches.
    pub components: Vec<String>,
    /// CODEOWNERS owners of the changed files.
    pub owners: Vec<String>,
    /// Commits that touched the changed files in the history window.
    pub churn: u32,
    /// Of those, commits whose subject says they fixed something.
    pub fix_commits: u32,
    pub history_days: u32,
    /// Changed files on a critical path.
    pub critical_paths: Vec<String>,
    /// Files in the repository (at the base) that were searched.
    pub repo_files: usize,
    /// Per changed file, most referenced first (at most 20).
    pub files: Vec<FileBlast>,
    /// One sentence.
    pub summary: String,
}

/// The blast radius of one changed file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileBlast {
    pub path: String,
    pub dependents: usize,
    /// How many components those dependents live in: what "imported from
    /// three or more components" is measured by.
    #[serde(default)]
    pub dependent_components: usize,
    pub owners: Vec<String>,
    pub churn: u32,
    pub fix_commits: u32,
    pub critical: bool,
}

/// History of one path, as the git layer reports it (defined there: the
/// risk engine depends on git, never the other way round).
pub use crate::git::history::PathHistory;

/// The top-level component of a path: the first directory, or the first two for
/// monorepo layouts (`services/billing`, `packages/ui`, `crates/core`, …).
pub fn component(path: &str) -> String {
    let segs: Vec<&str> = path.split('/').collect();
    if segs.len() == 1 {
        return "(root)".to_string();
    }
    const GROUPS: &[&str] = &[
        "services",
        "packages",
        "apps",
        "crates",
        "libs",
        "lib",
        "modules",
        "components",
        "cmd",
        "internal",
        "pkg",
        "plugins",
        "src",
        "projects",
        "tools",
        "infra",
        "deploy",
    ];
    if segs.len() >= 3 && GROUPS.contains(&segs[0]) {
        format!("{}/{}", segs[0], segs[1])
    } else {
        segs[0].to_string()
    }
}

const GENERIC_STEMS: &[&str] = &[
    "index", "mod", "__init__", "main", "lib", "init", "default", "app", "server", "setup",
];

/// What to search for: one name per changed file.
pub struct Needles {
    paths: Vec<String>,
    /// Per pattern: the name and the changed files it stands for.
    names: Vec<(String, Vec<usize>, NameKind)>,
    ac: Option<AhoCorasick>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameKind {
    /// Distinctive (CamelCase, snake_case, long): any whole-word use counts.
    Distinctive,
    /// Common word: only on an import-like line or in a qualified/path context.
    Plain,
    /// A Go package directory: only as the last segment of an import path.
    GoPackage,
}

fn stem_of(path: &str) -> (String, NameKind) {
    let segs: Vec<&str> = path.split('/').collect();
    let name = segs.last().copied().unwrap_or("");
    let parent = if segs.len() >= 2 {
        segs[segs.len() - 2]
    } else {
        ""
    };
    // A test file is its own module: its dependents are what imports it (a
    // shared helper, a conftest), not what imports the code it tests.
    let test = super::lang::FileClass::of(path).test;
    if name.ends_with(".go") && !parent.is_empty() && !test {
        return (parent.to_string(), NameKind::GoPackage);
    }
    let stem = if test {
        name.rsplit_once('.').map_or(name, |(s, _)| s)
    } else {
        name.split('.').next().unwrap_or(name)
    };
    let stem = if GENERIC_STEMS.contains(&stem) && !parent.is_empty() {
        parent
    } else {
        stem
    };
    let distinctive = stem.len() >= 6
        && (stem.contains('_')
            || stem.contains('-')
            || stem.chars().skip(1).any(|c| c.is_ascii_uppercase()));
    (
        stem.to_string(),
        if distinctive {
            NameKind::Distinctive
        } else {
            NameKind::Plain
        },
    )
}

const IMPORT_WORDS: &[&str] = &[
    "import", "from ", "require", "use ", "mod ", "include", "source", "load", "extends",
    "@import", "template", "uses:", "inherit", "depends", "module", "#[path", "using ", "open ",
    "link", "src=", "href=",
];

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl Needles {
    /// Names to look for, for these changed paths (files added by the change have
    /// no dependents yet and may be left out by the caller).
    pub fn new(paths: &[String]) -> Needles {
        let mut by_name: BTreeMap<(String, u8), Vec<usize>> = BTreeMap::new();
        let mut kinds: HashMap<(String, u8), NameKind> = HashMap::new();
        for (i, p) in paths.iter().enumerate() {
            let (stem, kind) = stem_of(p);
            if stem.len() < 3 {
                continue;
            }
            // `invoice_service.rb` is used as `InvoiceService` (Ruby, Python classes).
            if kind != NameKind::GoPackage && (stem.contains('_') || stem.contains('-')) {
                let camel: String = stem
                    .split(['_', '-'])
                    .map(|w| {
                        let mut c = w.chars();
                        c.next()
                            .map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
                    })
                    .collect();
                if camel != stem {
                    let key = (camel, NameKind::Distinctive as u8);
                    by_name.entry(key.clone()).or_default().push(i);
                    kinds.insert(key, NameKind::Distinctive);
                }
            }
            let key = (stem, kind as u8);
            by_name.entry(key.clone()).or_default().push(i);
            kinds.insert(key, kind);
        }
        let names: Vec<(String, Vec<usize>, NameKind)> = by_name
            .into_iter()
            .map(|(k, v)| {
                let kind = kinds[&k];
                (k.0, v, kind)
            })
            .collect();
        let ac = if names.is_empty() {
            None
        } else {
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .build(names.iter().map(|(n, _, _)| n.as_bytes()))
                .ok()
        };
        Needles {
            paths: paths.to_vec(),
            names,
            ac,
        }
    }

    /// True when there is nothing to look for.
    pub fn is_empty(&self) -> bool {
        self.ac.is_none()
    }

    /// The changed files that `content` (the file at `path`) references, as
    /// indexes into the paths given to `new`.
    pub fn scan(&self, path: &str, content: &[u8]) -> Vec<usize> {
        let found = self.names_in(content);
        self.files_of(path, &found)
    }

    /// The names (keys of [`Needles::keys`]) that `content` uses as a reference.
    pub fn names_in(&self, content: &[u8]) -> Vec<bool> {
        let mut found = vec![false; self.names.len()];
        let Some(ac) = &self.ac else {
            return found;
        };
        for m in ac.find_overlapping_iter(content) {
            let i = m.pattern().as_usize();
            if found[i] {
                continue;
            }
            let kind = self.names[i].2;
            let (s, e) = (m.start(), m.end());
            let before = if s > 0 { content[s - 1] } else { b'\n' };
            let after = content.get(e).copied().unwrap_or(b'\n');
            if is_word(before) || is_word(after) {
                continue;
            }
            found[i] = match kind {
                NameKind::GoPackage => before == b'/' && (after == b'"' || after == b'`'),
                NameKind::Distinctive => true,
                NameKind::Plain => {
                    let ls = content[..s]
                        .iter()
                        .rposition(|&b| b == b'\n')
                        .map_or(0, |i| i + 1);
                    // The import keyword must come before the name on its line.
                    let head = &content[ls.max(s.saturating_sub(400))..s];
                    let head = String::from_utf8_lossy(head);
                    let qualified = after == b':' && content.get(e + 1) == Some(&b':');
                    qualified || IMPORT_WORDS.iter().any(|w| head.contains(w))
                }
            };
        }
        found
    }

    /// The names looked for, each as (name, kind): with a file's blob id, the
    /// key of whether that file uses it (the same content gives the same answer).
    pub fn keys(&self) -> impl Iterator<Item = (&str, u8)> {
        self.names.iter().map(|(n, _, k)| (n.as_str(), *k as u8))
    }

    /// The changed files that names `found` stand for, but `path` itself.
    pub fn files_of(&self, path: &str, found: &[bool]) -> Vec<usize> {
        let mut hits: Vec<usize> = Vec::new();
        for (i, (_, files, _)) in self.names.iter().enumerate() {
            if !found.get(i).copied().unwrap_or(false) {
                continue;
            }
            for f in files {
                if self.paths[*f] != path && !hits.contains(f) {
                    hits.push(*f);
                }
            }
        }
        hits
    }
}

/// True for files worth searching for references (text source, config, docs).
pub fn searchable(path: &str, size: u64) -> bool {
    if size > 1_000_000 {
        return false;
    }
    let lower = path.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
    !matches!(
        ext,
        "png"
            | "jpg"
            | "jpeg"
            | "gif"
            | "ico"
            | "webp"
            | "bmp"
            | "pdf"
            | "zip"
            | "gz"
            | "tgz"
            | "bz2"
            | "xz"
            | "jar"
            | "war"
            | "class"
            | "woff"
            | "woff2"
            | "ttf"
            | "otf"
            | "eot"
            | "so"
            | "dylib"
            | "dll"
            | "exe"
            | "bin"
            | "lock"
            | "lockb"
            | "sum"
            | "mp3"
            | "mp4"
            | "mov"
            | "wav"
            | "svg"
            | "pyc"
            | "o"
            | "a"
            | "wasm"
            | "snap"
            | "map"
    ) && !lower.contains("node_modules/")
        && !lower.ends_with("package-lock.json")
        && !lower.ends_with(".min.js")
}

/// Parsed CODEOWNERS: patterns in file order (the last match wins).
pub struct CodeOwners {
    rules: Vec<(GlobSet, Vec<String>)>,
}

impl CodeOwners {
    /// Parses a CODEOWNERS file (GitHub/GitLab syntax; sections are ignored).
    pub fn parse(text: &str) -> CodeOwners {
        let mut rules = Vec::new();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() || line.starts_with('[') || line.starts_with('^') {
                continue;
            }
            let mut parts = line.split_whitespace();
            let Some(pat) = parts.next() else { continue };
            let owners: Vec<String> = parts.map(str::to_string).collect();
            let anchored = pat.starts_with('/') || pat.trim_end_matches('/').contains('/');
            let p = pat.trim_start_matches('/');
            let base = if anchored {
                p.to_string()
            } else {
                format!("**/{p}")
            };
            let mut b = GlobSetBuilder::new();
            let mut add = |g: &str| {
                if let Ok(g) = globset::GlobBuilder::new(g).literal_separator(true).build() {
                    b.add(g);
                }
            };
            if base.ends_with('/') {
                add(&format!("{base}**"));
            } else {
                add(&base);
                add(&format!("{base}/**"));
            }
            if p == "*" {
                add("**");
            }
            if let Ok(set) = b.build() {
                rules.push((set, owners));
            }
        }
        CodeOwners { rules }
    }

    /// The owners of a path (empty when no rule matches).
    pub fn owners(&self, path: &str) -> Vec<String> {
        self.rules
            .iter()
            .rev()
            .find(|(g, _)| g.is_match(path))
            .map(|(_, o)| o.clone())
            .unwrap_or_default()
    }
}

/// Where CODEOWNERS may live.
pub const CODEOWNERS_PATHS: &[&str] = &[
    ".github/CODEOWNERS",
    "CODEOWNERS",
    "docs/CODEOWNERS",
    ".gitlab/CODEOWNERS",
];

/// Everything `compute` needs.
pub struct BlastInput<'a> {
    /// The changed paths (new path, else old).
    pub changed: &'a [String],
    /// For each searched file, the changed files (indexes) it references.
    pub references: &'a [(String, Vec<usize>)],
    pub repo_files: usize,
    pub codeowners: Option<&'a str>,
    pub history: &'a [PathHistory],
    pub history_days: u32,
    pub rules: &'a RuleSet,
}

/// Computes the blast radius.
pub fn compute(input: &BlastInput<'_>) -> Blast {
    let owners_db = input.codeowners.map(CodeOwners::parse);
    let mut per_file: Vec<FileBlast> = input
        .changed
        .iter()
        .map(|p| FileBlast {
            path: p.clone(),
            owners: owners_db.as_ref().map(|o| o.owners(p)).unwrap_or_default(),
            critical: input.rules.is_critical(p),
            ..FileBlast::default()
        })
        .collect();
    let changed_set: BTreeSet<&str> = input.changed.iter().map(String::as_str).collect();
    let mut dependents: BTreeSet<&str> = BTreeSet::new();
    let mut dep_components: BTreeSet<String> = BTreeSet::new();
    let mut file_components: Vec<BTreeSet<String>> = vec![BTreeSet::new(); per_file.len()];
    for (path, hits) in input.references {
        if hits.is_empty() || changed_set.contains(path.as_str()) {
            continue;
        }
        dependents.insert(path);
        let c = component(path);
        for &h in hits {
            if let Some(f) = per_file.get_mut(h) {
                f.dependents += 1;
                file_components[h].insert(c.clone());
            }
        }
        dep_components.insert(c);
    }
    for (f, c) in per_file.iter_mut().zip(&file_components) {
        f.dependent_components = c.len();
    }
    let mut churn_commits = 0;
    let mut fixes = 0;
    for h in input.history {
        if let Some(f) = per_file.iter_mut().find(|f| f.path == h.path) {
            f.churn = h.commits;
            f.fix_commits = h.fix_commits;
        }
        churn_commits = churn_commits.max(h.commits);
        fixes = fixes.max(h.fix_commits);
    }
    let components: BTreeSet<String> = input.changed.iter().map(|p| component(p)).collect();
    let owners: BTreeSet<String> = per_file
        .iter()
        .flat_map(|f| f.owners.iter().cloned())
        .collect();
    let critical: Vec<String> = per_file
        .iter()
        .filter(|f| f.critical)
        .map(|f| f.path.clone())
        .collect();
    // Code first: the summary names the code a change touches, not its
    // changelog or its docs.
    per_file.sort_by(|a, b| {
        prose(&a.path)
            .cmp(&prose(&b.path))
            .then(b.dependents.cmp(&a.dependents))
            .then(a.path.cmp(&b.path))
    });
    let mut blast = Blast {
        files_changed: input.changed.len(),
        dependents: dependents.len(),
        dependent_components: dep_components.len(),
        components: components.into_iter().collect(),
        owners: owners.into_iter().collect(),
        churn: churn_commits,
        fix_commits: fixes,
        history_days: input.history_days,
        critical_paths: critical,
        repo_files: input.repo_files,
        files: per_file.into_iter().take(20).collect(),
        summary: String::new(),
    };
    blast.summary = sentence(&blast);
    blast
}

/// Docs, changelogs and tests: never the main file of a change that has code.
fn prose(path: &str) -> bool {
    let c = super::lang::FileClass::of(path);
    c.docs || c.test_like()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The one-sentence summary.
pub fn sentence(b: &Blast) -> String {
    let mut s = String::new();
    match b.files.first() {
        Some(top) if top.dependents > 0 || !prose(&top.path) && b.dependents > 0 => {
            s.push_str(&format!(
                "Touches {}{}, referenced by {} across {}",
                top.path,
                if b.files_changed > 1 {
                    format!(
                        " and {}",
                        plural(b.files_changed - 1, "other file", "other files")
                    )
                } else {
                    String::new()
                },
                plural(b.dependents, "file", "files"),
                plural(b.dependent_components.max(1), "component", "components"),
            ));
        }
        _ => {
            s.push_str(&format!(
                "Touches {} in {}; nothing else in the repository references {}",
                plural(b.files_changed, "file", "files"),
                plural(b.components.len(), "component", "components"),
                if b.files_changed == 1 { "it" } else { "them" }
            ));
        }
    }
    if !b.owners.is_empty() {
        let shown: Vec<&str> = b.owners.iter().take(3).map(String::as_str).collect();
        s.push_str(&format!(
            "; owned by {}{}",
            shown.join(", "),
            if b.owners.len() > 3 {
                format!(" and {} more", b.owners.len() - 3)
            } else {
                String::new()
            }
        ));
    }
    if b.churn > 0 {
        s.push_str(&format!(
            "; changed {} in the last {} days{}",
            plural(b.churn as usize, "time", "times"),
            b.history_days,
            if b.fix_commits > 0 {
                format!(", {} of them fixes", b.fix_commits)
            } else {
                String::new()
            }
        ));
    }
    if !b.critical_paths.is_empty() {
        s.push_str(&format!("; on a critical path ({})", b.critical_paths[0]));
    }
    s.push('.');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_file_is_not_credited_with_its_subjects_dependents() {
        let n = Needles::new(&["pkg/ledger/post_test.go".to_string()]);
        assert!(
            n.scan(
                "cmd/api/main.go",
                b"import (\n\t\"github.com/acme/shop/pkg/ledger\"\n)\n"
            )
            .is_empty()
        );
        let n = Needles::new(&["web/src/Cart.test.tsx".to_string()]);
        assert!(
            n.scan("web/src/App.tsx", b"import { Cart } from './Cart';\n")
                .is_empty()
        );
    }

    #[test]
    fn references_are_found_by_import_and_name() {
        let changed = vec![
            "src/auth/middleware.ts".to_string(),
            "internal/ledger/post.go".to_string(),
            "app/PaymentGateway.java".to_string(),
        ];
        let n = Needles::new(&changed);
        assert_eq!(
            n.scan(
                "src/routes/a.ts",
                b"import { requireUser } from '../auth/middleware';\n"
            ),
            vec![0]
        );
        // A plain word without an import is not a reference.
        assert!(n.scan("src/x.ts", b"const middleware = [];\n").is_empty());
        assert_eq!(
            n.scan(
                "cmd/api/main.go",
                b"import (\n\t\"github.com/acme/shop/internal/ledger\"\n)\n"
            ),
            vec![1]
        );
        assert!(
            n.scan("cmd/api/main.go", b"// the ledger team\n")
                .is_empty()
        );
        assert_eq!(
            n.scan("app/Checkout.java", b"  private final PaymentGateway gw;\n"),
            vec![2]
        );
        let ruby = Needles::new(&["app/services/invoice_service.rb".to_string()]);
        assert_eq!(
            ruby.scan(
                "app/jobs/bill.rb",
                b"    InvoiceService.new(account).call\n"
            ),
            vec![0]
        );
        // A file does not depend on itself.
        assert!(
            n.scan("src/auth/middleware.ts", b"import x from './middleware'")
                .is_empty()
        );
    }

    #[test]
    fn codeowners_last_match_wins() {
        let o = CodeOwners::parse(
            "* @acme/all\n/services/billing/ @acme/billing\n*.tf @acme/platform # infra\n",
        );
        assert_eq!(o.owners("README.md"), vec!["@acme/all"]);
        assert_eq!(
            o.owners("services/billing/invoice.py"),
            vec!["@acme/billing"]
        );
        assert_eq!(o.owners("services/billing/main.tf"), vec!["@acme/platform"]);
    }

    #[test]
    fn components_group_monorepos() {
        assert_eq!(component("services/billing/app/x.py"), "services/billing");
        assert_eq!(component("web/src/a.ts"), "web");
        assert_eq!(component("Makefile"), "(root)");
    }

    #[test]
    fn the_sentence_has_the_numbers() {
        let rules = RuleSet::builtin();
        let changed = vec!["src/auth/middleware.ts".to_string()];
        let refs: Vec<(String, Vec<usize>)> = (0..143)
            .map(|i| (format!("services/s{}/r{i}.ts", i % 9), vec![0]))
            .collect();
        let b = compute(&BlastInput {
            changed: &changed,
            references: &refs,
            repo_files: 1000,
            codeowners: Some("/src/auth/ @acme/security\n"),
            history: &[PathHistory {
                path: changed[0].clone(),
                commits: 14,
                fix_commits: 5,
            }],
            history_days: 90,
            rules: &rules,
        });
        assert_eq!(b.dependents, 143);
        assert_eq!(b.dependent_components, 9);
        assert_eq!(b.owners, vec!["@acme/security"]);
        assert_eq!(
            b.summary,
            "Touches src/auth/middleware.ts, referenced by 143 files across 9 components; owned by @acme/security; changed 14 times in the last 90 days, 5 of them fixes; on a critical path (src/auth/middleware.ts)."
        );
    }

    #[test]
    fn each_file_counts_the_components_of_its_own_dependents() {
        let rules = RuleSet::builtin();
        let changed = vec![
            "core/server.go".to_string(),
            "core/body/limit.go".to_string(),
        ];
        // server.go is read from nine components, limit.go from one file.
        let mut refs: Vec<(String, Vec<usize>)> = (0..9)
            .map(|i| (format!("mod{i}/use.go"), vec![0]))
            .collect();
        refs.push(("mod0/limits.go".to_string(), vec![1]));
        let b = compute(&BlastInput {
            changed: &changed,
            references: &refs,
            repo_files: 100,
            codeowners: None,
            history: &[],
            history_days: 90,
            rules: &rules,
        });
        assert_eq!(b.dependent_components, 9);
        let of = |p: &str| {
            b.files
                .iter()
                .find(|f| f.path == p)
                .map(|f| f.dependent_components)
        };
        assert_eq!(of("core/server.go"), Some(9));
        assert_eq!(of("core/body/limit.go"), Some(1));
    }
}
