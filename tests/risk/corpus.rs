//! The labelled corpus under tests/corpus/: one TOML file per change, with the
//! files before and after (or find/replace edits on the before text) and a
//! label. Each case becomes a real git repository (base commit on `main`, the
//! change on top), the engine analyses it, and the test reports recall on the
//! dangerous cases and the false-alarm rate on the harmless ones — "alarm"
//! meaning level high or critical — and holds them to ≥ 95 % and ≤ 10 %, and
//! case by case: each dangerous case alarms with the rule expected of it, each
//! harmless case stays quiet.
//!
//! Print the figures: `cargo test --test risk corpus -- --nocapture`.

use std::collections::BTreeMap;
use std::path::Path;

use countersign::git::Repo;
use countersign::git::build::Person;
use countersign::risk::{RiskReport, Severity, load_rules, report_for};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// `dangerous` or `harmless`.
    pub label: String,
    pub title: String,
    /// Why a senior would (or would not) stop at this change.
    pub why: String,
    #[serde(default)]
    pub files: BTreeMap<String, FileCase>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileCase {
    pub before: Option<String>,
    pub after: Option<String>,
    /// Find/replace pairs applied to `before` to get the new text.
    #[serde(default)]
    pub edits: Vec<[String; 2]>,
    /// The file is deleted by the change.
    #[serde(default)]
    pub delete: bool,
}

impl FileCase {
    fn new_text(&self, path: &str) -> Option<String> {
        if self.delete {
            return None;
        }
        if let Some(a) = &self.after {
            return Some(a.clone());
        }
        let mut t = self
            .before
            .clone()
            .unwrap_or_else(|| panic!("{path}: neither after nor before"));
        assert!(
            !self.edits.is_empty(),
            "{path}: no after, no edits, not deleted"
        );
        for [find, replace] in &self.edits {
            assert!(
                t.contains(find.as_str()),
                "{path}: edit target not found: {find:?}"
            );
            t = t.replacen(find.as_str(), replace, 1);
        }
        Some(t)
    }
}

/// Every case, by file name.
pub fn load_corpus() -> Vec<(String, Case)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut out = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    for p in names {
        if p.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        let case: Case = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        assert!(
            matches!(case.label.as_str(), "dangerous" | "harmless"),
            "{}",
            p.display()
        );
        out.push((p.file_stem().unwrap().to_string_lossy().into_owned(), case));
    }
    out
}

fn person(t: i64) -> Person {
    Person {
        name: "Dev".into(),
        email: "dev@example.com".into(),
        time: t,
    }
}

/// Builds the case's repository and returns the report of its change.
pub fn analyse(case: &Case, dir: &Path) -> RiskReport {
    let repo = Repo::init(dir, "main").unwrap();
    let mut base_files: Vec<(String, Option<Vec<u8>>)> =
        vec![("README.md".into(), Some(b"# service\n".to_vec()))];
    for (path, f) in &case.files {
        if let Some(b) = &f.before {
            base_files.push((path.clone(), Some(b.clone().into_bytes())));
        }
    }
    let base = repo
        .commit_files("main", None, &base_files, &person(1_700_000_000), "base")
        .unwrap();
    let edits: Vec<(String, Option<Vec<u8>>)> = case
        .files
        .iter()
        .map(|(p, f)| (p.clone(), f.new_text(p).map(String::into_bytes)))
        .collect();
    let head = repo
        .commit_files(
            "change",
            Some(&base),
            &edits,
            &person(1_700_000_100),
            &case.title,
        )
        .unwrap();
    let (rules, err) = load_rules(&repo, &base);
    assert!(err.is_none(), "{err:?}");
    let diff = repo.diff(&base, &head).unwrap().diff;
    report_for(&repo, &diff, &base, &head, &rules).unwrap()
}

fn alarm(r: &RiskReport) -> bool {
    r.level >= Severity::High
}

/// For each dangerous case, the rule that must fire on it (the reason a
/// senior stops there). A case missing here (a new one) must still alarm.
const EXPECTED_RULE: &[(&str, &str)] = &[
    (
        "d01-terraform-prevent-destroy-removed",
        "tf-prevent-destroy-removed",
    ),
    ("d02-terraform-bucket-renamed", "tf-resource-renamed"),
    ("d03-k8s-privileged-daemonset", "k8s-privileged"),
    ("d04-k8s-limits-removed", "k8s-limits-removed"),
    ("d05-sql-drop-column", "sql-drop-column"),
    ("d06-sql-index-not-concurrent", "sql-index-not-concurrent"),
    ("d07-alembic-not-null", "migration-not-null"),
    ("d08-python-tls-verify-off", "sec-tls-verify-off"),
    ("d09-express-cors-any-origin", "sec-cors-permissive"),
    ("d10-aws-key-in-settings", "secret-provider-key"),
    ("d11-go-ledger-swallowed-error", "err-check-removed"),
    ("d12-java-empty-catch-auth", "err-broadened-catch"),
    ("d13-python-billing-except-pass", "err-swallowed"),
    ("d14-jest-only", "test-focused"),
    ("d15-python-assertions-removed", "test-assertion-weakened"),
    ("d16-coverage-lowered", "test-coverage-lowered"),
    ("d17-ci-continue-on-error", "ci-ignore-failure"),
    ("d18-deploy-prod-auto-approve", "ci-deploys-to-production"),
    ("d19-shell-rm-rf-variable", "shell-rm-rf-variable"),
    ("d20-typosquat-requirement", "dep-look-alike"),
    ("d21-lockfile-foreign-registry", "dep-registry"),
    ("d22-bidi-in-access-check", "text-bidi-control"),
    ("d23-cyrillic-homoglyph", "text-mixed-script"),
    ("d24-countersign-policy", "gate-countersign"),
    ("d25-codeowners", "gate-codeowners"),
    ("d26-rust-admin-check-removed", "sec-auth-check-removed"),
    ("d27-rails-skip-auth", "sec-auth-disabled"),
    ("d28-delete-without-where", "sql-delete-without-where"),
    ("d29-jwt-no-verify", "sec-jwt-unverified"),
    ("d30-shell-injection", "sec-shell-injection"),
    ("d31-csharp-allow-anonymous", "sec-auth-disabled"),
    ("d32-php-sql-concat", "sec-sql-string-building"),
    ("d33-kotlin-trust-all", "sec-trust-all-certs"),
    ("d34-k8s-pvc-deleted", "k8s-object-deleted"),
    ("d35-django-delete-model", "migration-drop-table"),
    ("d36-test-skip-with-code-change", "test-skipped"),
    ("d37-curl-pipe-bash", "supply-pipe-to-shell"),
    ("d38-iam-wildcard", "iam-wildcard"),
    ("d39-ci-tests-removed", "ci-check-removed"),
    ("d40-compose-password", "secret-assignment"),
    ("d41-flag-default-prod", "config-flag-default-changed"),
    ("d42-tf-count-zero", "tf-count-zero"),
    ("d43-helm-replicas-zero", "k8s-replicas-zero"),
    ("d44-gha-pull-request-target", "ci-pull-request-target"),
    ("d45-security-group-ssh-open", "sec-public-network"),
    ("d46-tf-module-removed", "tf-resource-removed"),
    ("d47-java-jdbc-concat", "sec-sql-string-building"),
    ("d48-django-secret-key", "secret-assignment"),
    ("d49-rust-unwrap-default-payments", "err-swallowed"),
    ("d50-test-file-deleted", "test-deleted"),
    ("d51-cfn-deletion-policy", "cfn-deletion-policy"),
    ("d52-slack-webhook", "secret-provider-key"),
    ("d53-flask-admin-abort-removed", "sec-auth-check-removed"),
];

/// Cases allowed to miss (dangerous) or to alarm (harmless), each with why.
/// Empty today: every case is right, and must stay so.
const KNOWN_EXCEPTIONS: &[(&str, &str)] = &[];

#[test]
fn corpus_recall_and_false_alarms() {
    let corpus = load_corpus();
    let tmp = tempfile::tempdir().unwrap();
    let (mut dangerous, mut caught, mut harmless, mut alarms) = (0, 0, 0, 0);
    let mut misses = Vec::new();
    let mut languages = std::collections::BTreeSet::new();
    use rayon::prelude::*;
    let reports: Vec<RiskReport> = corpus
        .par_iter()
        .enumerate()
        .map(|(i, (_, case))| analyse(case, &tmp.path().join(i.to_string())))
        .collect();
    let verdicts = reports;
    for ((name, case), r) in corpus.iter().zip(verdicts.iter()) {
        for p in case.files.keys() {
            languages.insert(
                p.rsplit_once('.')
                    .map_or(p.as_str(), |(_, e)| e)
                    .to_string(),
            );
        }
        let top = r
            .findings
            .first()
            .map(|f| format!("{} {} {}:{:?}", f.severity, f.rule, f.path, f.line))
            .unwrap_or_else(|| "no findings".into());
        let rules: Vec<String> = r
            .findings
            .iter()
            .map(|f| format!("{}:{}", f.rule, f.severity))
            .collect();
        println!(
            "{:<48} {:<9} {:<8} {:>3}  {}",
            name,
            case.label,
            r.level.as_str(),
            r.score,
            rules.join(" ")
        );
        if case.label == "dangerous" {
            dangerous += 1;
            if alarm(r) {
                caught += 1;
            } else {
                misses.push(format!(
                    "MISSED  {name} ({} {}): {top} — {}",
                    r.level, r.score, case.why
                ));
            }
        } else {
            harmless += 1;
            if alarm(r) {
                alarms += 1;
                misses.push(format!(
                    "FALSE   {name} ({} {}): {top} — {}",
                    r.level, r.score, case.why
                ));
            }
        }
    }
    let recall = 100.0 * f64::from(caught) / f64::from(dangerous.max(1));
    let false_rate = 100.0 * f64::from(alarms) / f64::from(harmless.max(1));
    println!(
        "corpus: {} cases ({dangerous} dangerous, {harmless} harmless), {} file kinds",
        corpus.len(),
        languages.len()
    );
    println!("recall on dangerous: {caught}/{dangerous} = {recall:.1} %");
    println!("false alarms on harmless: {alarms}/{harmless} = {false_rate:.1} %");
    for m in &misses {
        println!("{m}");
    }
    // Case by case: the aggregate thresholds below would let a few regress.
    let mut wrong = Vec::new();
    for ((name, case), r) in corpus.iter().zip(&verdicts) {
        let excused = KNOWN_EXCEPTIONS.iter().any(|(n, _)| n == name);
        let dangerous = case.label == "dangerous";
        if alarm(r) != dangerous && !excused {
            wrong.push(format!("{name}: {} {} ({})", r.level, r.score, case.why));
        }
        if dangerous
            && let Some((_, rule)) = EXPECTED_RULE.iter().find(|(n, _)| n == name)
            && !r.findings.iter().any(|f| f.rule == *rule)
        {
            let fired: Vec<&str> = r.findings.iter().map(|f| f.rule.as_str()).collect();
            wrong.push(format!("{name}: {rule} did not fire (fired: {fired:?})"));
        }
    }
    for (n, _) in EXPECTED_RULE {
        assert!(corpus.iter().any(|(c, _)| c == n), "{n}: no such case");
    }
    assert!(
        wrong.is_empty(),
        "cases that regressed:\n{}",
        wrong.join("\n")
    );
    assert!(corpus.len() >= 40, "the corpus needs at least 40 cases");
    assert!(dangerous >= 20 && harmless >= 20);
    assert!(recall >= 95.0, "recall {recall:.1} % < 95 %: {misses:#?}");
    assert!(
        false_rate <= 10.0,
        "false alarms {false_rate:.1} % > 10 %: {misses:#?}"
    );
}
