//! The engine on real repositories: repository rules (custom rules, critical
//! paths, silences) read from the base, the blast radius (references, owners,
//! churn and fixes from history), and the report cache.

use countersign::git::Repo;
use countersign::git::build::Person;
use countersign::risk::{Severity, analyse_change, blast_for, load_rules, report_for};

fn person(t: i64) -> Person {
    Person {
        name: "Dev".into(),
        email: "dev@example.com".into(),
        time: t,
    }
}

type Files<'a> = &'a [(&'a str, Option<&'a str>)];

fn edits(files: Files<'_>) -> Vec<(String, Option<Vec<u8>>)> {
    files
        .iter()
        .map(|(p, c)| (p.to_string(), c.map(|c| c.as_bytes().to_vec())))
        .collect()
}

/// A repository with `base` on main and `change` on top; returns (repo, base, head).
fn repo(dir: &std::path::Path, base: Files<'_>, change: Files<'_>) -> (Repo, String, String) {
    let r = Repo::init(dir, "main").unwrap();
    let b = r
        .commit_files("main", None, &edits(base), &person(1_700_000_000), "base")
        .unwrap();
    let h = r
        .commit_files(
            "change",
            Some(&b),
            &edits(change),
            &person(1_700_000_500),
            "change",
        )
        .unwrap();
    (r, b, h)
}

#[test]
fn repository_rules_add_rules_mark_critical_paths_and_silence_with_a_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let rules = r#"
critical_paths = ["ledger/**"]

[[rule]]
id = "no-float-money"
severity = "high"
paths = ["*.py"]
added = 'float\(\s*amount'
message = "Converts money to float ({match}): cents get lost in rounding."

[[silence]]
rule = "sec-eval"
paths = ["tools/repl/**"]
reason = "the REPL evaluates what the developer types, by design"
"#;
    let (r, b, h) = repo(
        tmp.path(),
        &[
            (".countersign/rules.toml", Some(rules)),
            (
                "ledger/post.py",
                Some("def post(amount):\n    return amount\n"),
            ),
        ],
        &[
            (
                "ledger/post.py",
                Some("def post(amount):\n    return float(amount)\n"),
            ),
            ("ledger/retry.py", Some("RETRIES = 3\n")),
            ("tools/repl/run.py", Some("print(eval(input()))\n")),
            ("web/run.py", Some("print(eval(input()))\n")),
        ],
    );
    let (rules, err) = load_rules(&r, &b);
    assert!(err.is_none());
    let diff = r.diff(&b, &h).unwrap().diff;
    let rep = report_for(&r, &diff, &b, &h, &rules).unwrap();
    let custom = rep
        .findings
        .iter()
        .find(|f| f.rule == "no-float-money")
        .expect("custom rule fires");
    assert_eq!((custom.severity, custom.line), (Severity::High, Some(2)));
    assert!(
        custom.message.contains("float(amount"),
        "{}",
        custom.message
    );
    let evals: Vec<&str> = rep
        .findings
        .iter()
        .filter(|f| f.rule == "sec-eval")
        .map(|f| f.path.as_str())
        .collect();
    assert_eq!(evals, vec!["web/run.py"], "silenced for tools/repl only");
    assert!(
        rep.blast
            .critical_paths
            .contains(&"ledger/post.py".to_string())
    );
    assert!(
        rep.blast
            .critical_paths
            .contains(&"ledger/retry.py".to_string())
    );
}

#[test]
fn a_change_cannot_relax_the_rules_it_is_judged_by() {
    let tmp = tempfile::tempdir().unwrap();
    let silence =
        "[[silence]]\nrule = \"sec-tls-verify-off\"\npaths = [\"**\"]\nreason = \"trust me\"\n";
    let (r, b, h) = repo(
        tmp.path(),
        &[("app/http.py", Some("import requests\n"))],
        &[
            (".countersign/rules.toml", Some(silence)),
            (
                "app/http.py",
                Some("import requests\nrequests.get(u, verify=False)\n"),
            ),
        ],
    );
    let (rules, _) = load_rules(&r, &b);
    let diff = r.diff(&b, &h).unwrap().diff;
    let rep = report_for(&r, &diff, &b, &h, &rules).unwrap();
    assert!(rep.findings.iter().any(|f| f.rule == "sec-tls-verify-off"));
    assert!(
        rep.findings
            .iter()
            .any(|f| f.rule == "gate-countersign" && f.severity == Severity::Critical)
    );
    assert_eq!(rep.level, Severity::Critical);
}

#[test]
fn blast_radius_counts_importers_owners_and_fixes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let r = Repo::init(dir, "main").unwrap();
    let mut files: Vec<(String, Option<Vec<u8>>)> = vec![
        (
            "src/auth/session.ts".into(),
            Some(b"export function requireUser() {}\n".to_vec()),
        ),
        (
            "CODEOWNERS".into(),
            Some(b"* @acme/web\n/src/auth/ @acme/security\n".to_vec()),
        ),
        (
            "src/unrelated.ts".into(),
            Some(b"const session = 1; // not an import\n".to_vec()),
        ),
    ];
    for svc in ["billing", "orders", "search"] {
        for i in 0..4 {
            files.push((
                format!("services/{svc}/routes/r{i}.ts"),
                Some(format!("import {{ requireUser }} from \"../../../src/auth/session\";\nexport const r{i} = 1;\n").into_bytes()),
            ));
        }
    }
    let mut base = r
        .commit_files("main", None, &files, &person(1_700_000_000), "initial")
        .unwrap();
    for (i, subject) in ["Fix session expiry", "Add remember-me", "hotfix: null user"]
        .iter()
        .enumerate()
    {
        let content = format!("export function requireUser() {{ /* v{i} */ }}\n");
        base = r
            .commit_files(
                "main",
                Some(&base),
                &[("src/auth/session.ts".into(), Some(content.into_bytes()))],
                &person(1_700_000_100 + i as i64 * 100),
                subject,
            )
            .unwrap();
    }
    let head = r
        .commit_files(
            "change",
            Some(&base),
            &[(
                "src/auth/session.ts".into(),
                Some(b"export function requireUser() { return true; }\n".to_vec()),
            )],
            &person(1_700_001_000),
            "change",
        )
        .unwrap();
    let rules = countersign::risk::RuleSet::builtin();
    let diff = r.diff(&base, &head).unwrap().diff;
    let b = blast_for(&r, &diff, &base, &rules, false).unwrap();
    assert_eq!(b.dependents, 12, "{b:?}");
    assert_eq!(b.dependent_components, 3);
    assert_eq!(b.owners, vec!["@acme/security"]);
    assert_eq!((b.churn, b.fix_commits), (4, 2), "{b:?}");
    assert_eq!(b.critical_paths, vec!["src/auth/session.ts"]);
    assert!(b.summary.starts_with("Touches src/auth/session.ts, referenced by 12 files across 3 components; owned by @acme/security; changed 4 times"), "{}", b.summary);
    // Cached: the same answer from the cache.
    let first = blast_for(&r, &diff, &base, &rules, true).unwrap();
    let again = blast_for(&r, &diff, &base, &rules, true).unwrap();
    assert_eq!(first, again);
    let log = std::fs::read_to_string(dir.join(".git/countersign/cache/blast.log")).unwrap();
    assert_eq!(log.lines().count(), 1, "{log}");
}

#[test]
fn reports_are_cached_by_head_base_and_rules() {
    let tmp = tempfile::tempdir().unwrap();
    let (r, b, h) = repo(
        tmp.path(),
        &[(
            "deploy/k8s/api.yaml",
            Some("kind: Deployment\nspec:\n  replicas: 3\n"),
        )],
        &[(
            "deploy/k8s/api.yaml",
            Some("kind: Deployment\nspec:\n  replicas: 0\n"),
        )],
    );
    let change = countersign::change::Change {
        id: "abcdefgh".into(),
        title: "t".into(),
        author: "Dev <dev@example.com>".into(),
        author_email: "dev@example.com".into(),
        committer_email: "dev@example.com".into(),
        tool: "Claude".into(),
        base: b.clone(),
        head: h.clone(),
        target: "main".into(),
        source: countersign::change::ChangeSource::Submit,
        ref_name: "refs/countersign/pending/abcdefgh".into(),
        submitted_from: None,
        submitter: None,
        submitted_at: 0,
        authored_at: 0,
    };
    let cfg = countersign::config::RepoConfig::defaults();
    let first = analyse_change(&r, &cfg, &change).unwrap();
    assert_eq!(first.findings[0].rule, "k8s-replicas-zero");
    assert_eq!(first.level, Severity::High);
    let log = tmp.path().join(".git/countersign/cache/risk.log");
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "{text}");
    assert!(lines[0].starts_with(&format!("{h}-{b}-")), "{text}");
    // A doctored entry appended to the log is what comes back: the cache is
    // really read, and the last line for a key wins.
    let doctored = lines[0].replacen("\"score\":", "\"score\":7,\"x\":", 1);
    std::fs::write(&log, format!("{text}{doctored}\n")).unwrap();
    assert_eq!(analyse_change(&r, &cfg, &change).unwrap().score, 7);
}

#[test]
fn odd_changes_are_reported_without_panicking() {
    let tmp = tempfile::tempdir().unwrap();
    let png = [0x89u8, b'P', b'N', b'G', 0, 0, 0, 1, 2, 3];
    let r = Repo::init(tmp.path(), "main").unwrap();
    let base = r
        .commit_files(
            "main",
            None,
            &[
                ("assets/logo.png".into(), Some(png.to_vec())),
                (
                    "src/old_name.py".into(),
                    Some(b"def f():\n    return 1\n".repeat(20)),
                ),
                (
                    "latin1.txt".into(),
                    Some(vec![b'c', b'a', b'f', 0xe9, b'\n']),
                ),
            ],
            &person(1_700_000_000),
            "base",
        )
        .unwrap();
    let mut png2 = png.to_vec();
    png2.push(9);
    let head = r
        .commit_files(
            "change",
            Some(&base),
            &[
                ("assets/logo.png".into(), Some(png2)),
                ("src/old_name.py".into(), None),
                (
                    "src/new_name.py".into(),
                    Some(b"def f():\n    return 1\n".repeat(20)),
                ),
                (
                    "latin1.txt".into(),
                    Some(vec![b'c', b'a', b'f', 0xe9, b'!', b'\n']),
                ),
            ],
            &person(1_700_000_100),
            "odd",
        )
        .unwrap();
    let rules = countersign::risk::RuleSet::builtin();
    let diff = r.diff(&base, &head).unwrap().diff;
    let rep = report_for(&r, &diff, &base, &head, &rules).unwrap();
    assert_eq!(rep.level, Severity::Low, "{rep:?}");
    assert_eq!(rep.blast.files_changed, 3);
    // Nothing changed at all: an empty report, not an error.
    let rep = report_for(
        &r,
        &r.diff(&head, &head).unwrap().diff,
        &head,
        &head,
        &rules,
    )
    .unwrap();
    assert_eq!((rep.score, rep.findings.len()), (0, 0));
}
