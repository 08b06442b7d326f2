//! `risk <id> [--json]` and the queue, run as a user runs them.

use crate::support::TestRepo;

/// A repository with a dangerous small change and a harmless large one queued.
fn repo_with_two_changes() -> (TestRepo, String, String) {
    let r = TestRepo::new();
    r.write(
        "infra/prod/db.tf",
        "resource \"aws_db_instance\" \"main\" {\n  engine = \"postgres\"\n\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n",
    );
    r.write("docs/guide.md", "# Guide\n");
    r.commit_all("base");
    r.git(&["checkout", "-q", "-b", "danger"]);
    r.write(
        "infra/prod/db.tf",
        "resource \"aws_db_instance\" \"main\" {\n  engine = \"postgres\"\n}\n",
    );
    r.commit_all("Tidy db module\n\nAssisted-by: Claude Code");
    let danger = r.cs(&["submit", "danger"]).ok().trim().to_string();
    r.git(&["checkout", "-q", "main"]);
    r.git(&["checkout", "-q", "-b", "docs"]);
    let long: String = (0..400)
        .map(|i| format!("Line {i} of the guide.\n"))
        .collect();
    r.write("docs/guide.md", &format!("# Guide\n{long}"));
    r.commit_all("Write the guide\n\nAssisted-by: Claude Code");
    let docs = r.cs(&["submit", "docs"]).ok().trim().to_string();
    (r, danger, docs)
}

#[test]
fn risk_json_has_score_level_findings_and_blast() {
    let (r, danger, docs) = repo_with_two_changes();
    let j = r.cs(&["risk", &danger, "--json"]).json();
    assert_eq!(j["level"], "critical", "{j}");
    assert!(j["score"].as_u64().unwrap() >= 90);
    let f = &j["findings"][0];
    assert_eq!(f["rule"], "tf-prevent-destroy-removed");
    assert_eq!(f["severity"], "critical");
    assert_eq!(f["path"], "infra/prod/db.tf");
    // The removed line, counted on the old side.
    assert_eq!(f["line"], 5);
    assert_eq!(f["side"], "old");
    assert!(f["message"].as_str().unwrap().contains("prevent_destroy"));
    assert_eq!(j["blast"]["files_changed"], 1);
    assert!(j["blast"]["summary"].as_str().unwrap().ends_with('.'));

    let j = r.cs(&["risk", &docs, "--json"]).json();
    assert_eq!(j["level"], "low", "size alone is not risk: {j}");
    assert_eq!(j["findings"].as_array().unwrap().len(), 0);
}

#[test]
fn risk_text_names_the_finding_and_its_line() {
    let (r, danger, _) = repo_with_two_changes();
    let out = r.cs(&["risk", &danger]).ok().to_string();
    assert!(out.starts_with("risk     critical (9"), "{out}");
    assert!(
        out.contains("CRITICAL  infra/prod/db.tf:5 (removed)  [tf-prevent-destroy-removed]"),
        "{out}"
    );
    assert!(out.contains("blast    Touches 1 file"), "{out}");
}

#[test]
fn unknown_change_is_bad_input() {
    let (r, _, _) = repo_with_two_changes();
    let e = r
        .cs(&["risk", "zzzzzzzz", "--json"])
        .bad_input()
        .to_string();
    assert!(
        e.contains("zzzzzzzz") && e.contains("countersign queue"),
        "{e}"
    );
}

#[test]
fn queue_puts_the_dangerous_change_first_whatever_its_size() {
    let (r, danger, docs) = repo_with_two_changes();
    let q = r.cs(&["queue", "--json"]).json();
    let rows = q.as_array().unwrap();
    assert_eq!(rows[0]["id"], danger.as_str());
    assert_eq!(rows[0]["risk"]["level"], "critical");
    assert_eq!(rows[1]["id"], docs.as_str());
    assert_eq!(rows[1]["risk"]["level"], "low");
    // The reports were cached in .git/countersign/cache/risk.log.
    let cached = std::fs::read_to_string(r.path().join(".git/countersign/cache/risk.log"))
        .unwrap()
        .lines()
        .count();
    assert_eq!(cached, 2);
    let table = r.cs(&["queue"]).ok().to_string();
    assert!(
        table.lines().nth(1).unwrap().starts_with("critical"),
        "{table}"
    );
}

#[test]
fn broken_rules_file_names_its_line_and_falls_back_to_builtins() {
    let r = TestRepo::new();
    r.write(".countersign/rules.toml", "critical_paths = [\"core/**\"]\n\n[[rule]]\nid = \"x\"\nseverity = \"severe\"\nmessage = \"m\"\n");
    r.write("app/client.py", "import requests\n");
    r.commit_all("base with a broken rules file");
    r.git(&["checkout", "-q", "-b", "tls"]);
    r.write(
        "app/client.py",
        "import requests\nrequests.get(URL, verify=False)\n",
    );
    r.commit_all("Skip TLS checks\n\nAssisted-by: Claude Code");
    let id = r.cs(&["submit", "tls"]).ok().trim().to_string();
    let run = r.cs(&["risk", &id, "--json"]);
    let j = run.json();
    assert_eq!(j["level"], "high", "built-in rules still apply: {j}");
    assert!(
        run.stderr.contains(".countersign/rules.toml line 5"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("severe"), "{}", run.stderr);
    assert_eq!(
        r.cs(&["queue", "--json"]).json().as_array().unwrap().len(),
        1,
        "never an empty queue"
    );
}

#[test]
fn the_demo_queue_is_ordered_the_way_a_senior_would_read_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    crate::support::run_in(
        tmp.path(),
        &["demo", "--no-tui", "--dir", dir.to_str().unwrap()],
    )
    .ok();
    let q = crate::support::run_in(&dir, &["queue", "--json"]).json();
    let level = |needle: &str| -> Option<String> {
        q.as_array()
            .unwrap()
            .iter()
            .find(|e| e["title"].as_str().unwrap_or("").contains(needle))
            .map(|e| e["risk"]["level"].as_str().unwrap().to_string())
    };
    for (title, want) in [
        ("Rename the orders database", "critical"),
        ("default gateway key", "critical"),
        ("support staff see payment", "critical"),
        ("admin middleware", "high"),
        ("Drop the legacy email column", "high"),
        ("not waiting for the test job", "high"),
        ("cookie signing helper", "high"),
        ("Fix typos", "low"),
        ("Add tests for discounts", "low"),
        ("Document restoring", "low"),
    ] {
        let got =
            level(title).unwrap_or_else(|| panic!("{title:?} is not in the demo queue: {q:#}"));
        assert_eq!(got, want, "{title}: {q:#}");
    }
    // Most risky first: levels never rise down the queue, and scores never
    // rise within a level.
    let rank = |l: &str| {
        ["low", "medium", "high", "critical"]
            .iter()
            .position(|x| *x == l)
    };
    let rows: Vec<(usize, u64)> = q
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                rank(e["risk"]["level"].as_str().unwrap()).unwrap(),
                e["risk"]["score"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(rows.len() >= 10, "{q:#}");
    assert!(rows.windows(2).all(|w| w[0] >= w[1]), "{rows:?}");
}
