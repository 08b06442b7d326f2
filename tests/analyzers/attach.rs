//! `attach`: a CI job's SARIF stored for a change's head, shared by `sync`,
//! refused whole when malformed or huge; `risk --sarif` writes SARIF out.

use std::path::Path;
use std::process::Command;

use crate::support::git_in as git;
use crate::{OLD_APP, change, cs, findings_of, repo_with, require, tools_path};

/// Runs the real bandit on `file` in `dir` and returns its SARIF's path.
fn bandit_sarif(dir: &Path, file: &str, out: &Path) {
    let bandit = require("bandit");
    let st = Command::new(bandit)
        .current_dir(dir)
        .args(["-q", "-f", "sarif", "-o"])
        .arg(out)
        .args(["--exit-zero", file])
        .env("PATH", tools_path())
        .status()
        .unwrap();
    assert!(st.success(), "bandit ran");
}

const PICKLE_APP: &str = "import pickle\n\n\ndef load(b):\n    return pickle.loads(b)\n";

#[test]
fn sarif_attached_in_one_clone_arrives_in_another_by_sync() {
    let r = repo_with(&[("app.py", OLD_APP)]);
    let srv = tempfile::tempdir().unwrap();
    git(srv.path(), &["init", "-q", "--bare", "-b", "main", "."]);
    git(
        r.path(),
        &["remote", "add", "origin", srv.path().to_str().unwrap()],
    );
    let id = change(&r, "pickle", &[("load.py", PICKLE_APP)]);
    git(r.path(), &["push", "-q", "origin", "main", "pickle"]);

    // CI: bandit on the head's checkout, then attach.
    git(r.path(), &["checkout", "-q", "pickle"]);
    let ci = tempfile::tempdir().unwrap();
    let sarif = ci.path().join("bandit.sarif");
    bandit_sarif(r.path(), "load.py", &sarif);
    git(r.path(), &["checkout", "-q", "main"]);
    let out = cs(r.path(), &["attach", &id, sarif.to_str().unwrap()]);
    assert!(
        out.ok().contains("attached 1 run(s) (bandit)"),
        "{}",
        out.stdout
    );
    cs(r.path(), &["sync"]).ok();

    let two_dir = tempfile::tempdir().unwrap();
    let two = two_dir.path();
    git(two, &["clone", "-q", srv.path().to_str().unwrap(), "."]);
    let synced = cs(two, &["sync"]);
    assert!(
        synced.ok().contains("analyzer results fast-forward"),
        "{}",
        synced.stdout
    );
    let report = cs(two, &["risk", &id, "--json"]).json();
    let found = findings_of(&report, "bandit ");
    let rules: Vec<&str> = found.iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert!(rules.contains(&"bandit B301"), "pickle.loads: {report:#}");
    let b301 = found.iter().find(|f| f["rule"] == "bandit B301").unwrap();
    assert_eq!(b301["path"], "load.py");
    assert_eq!(b301["line"], 5);
    assert_eq!(report["analyzers"]["ran"][0]["source"], "attached");

    // Both clones attach more; a sync merges the two notes (cat_sort_uniq).
    let other = ci.path().join("other.sarif");
    std::fs::write(&other, semgrep_like_sarif("load.py", 1)).unwrap();
    cs(two, &["attach", &id, other.to_str().unwrap()]).ok();
    let third = ci.path().join("third.sarif");
    std::fs::write(&third, semgrep_like_sarif("load.py", 5).replace("R1", "R2")).unwrap();
    cs(r.path(), &["attach", &id, third.to_str().unwrap()]).ok();
    cs(two, &["sync"]).ok();
    let merged = cs(r.path(), &["sync"]);
    assert!(
        merged.ok().contains("analyzer results merged"),
        "{}",
        merged.stdout
    );
    let report = cs(r.path(), &["risk", &id, "--json", "--all-results"]).json();
    let tools: Vec<&str> = report["analyzers"]["ran"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["tool"].as_str().unwrap())
        .collect();
    assert_eq!(tools, ["bandit", "semgrep"], "{report:#}");
    let semgrep: Vec<String> = findings_of(&report, "semgrep ")
        .iter()
        .chain(report["analyzers"]["hidden"].as_array().unwrap())
        .filter(|f| f["rule"].as_str().unwrap().starts_with("semgrep"))
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect();
    assert!(
        semgrep.contains(&"semgrep R1".to_string()) && semgrep.contains(&"semgrep R2".to_string()),
        "both clones' runs are there: {semgrep:?}"
    );
}

/// A small SARIF log of a tool named `Semgrep OSS` with one result (rule R1,
/// level error) at `path:line`.
fn semgrep_like_sarif(path: &str, line: u32) -> String {
    serde_json::json!({
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "Semgrep OSS", "semanticVersion": "1.0.0",
                "rules": [{"id": "R1", "defaultConfiguration": {"level": "error"},
                           "properties": {"security-severity": "9.3"}}]}},
            "results": [{
                "ruleId": "R1",
                "message": {"text": "something bad"},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": format!("file:///ci/work/repo/{path}")},
                    "region": {"startLine": line}}}]
            }]
        }]
    })
    .to_string()
}

#[test]
fn security_severity_and_absolute_paths_are_read() {
    let r = repo_with(&[("app.py", OLD_APP)]);
    let id = change(&r, "pickle", &[("load.py", PICKLE_APP)]);
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.sarif");
    std::fs::write(&f, semgrep_like_sarif("load.py", 5)).unwrap();
    cs(r.path(), &["attach", &id, f.to_str().unwrap()]).ok();
    let report = cs(r.path(), &["risk", &id, "--json"]).json();
    let found = findings_of(&report, "semgrep ");
    assert_eq!(found.len(), 1, "{report:#}");
    assert_eq!(
        found[0]["path"], "load.py",
        "the CI job's absolute path is the repository's"
    );
    assert_eq!(
        found[0]["severity"], "critical",
        "security-severity 9.3 is critical"
    );
    assert_eq!(report["level"], "critical");
}

#[test]
fn malformed_or_huge_sarif_is_bad_input_and_stores_nothing() {
    let r = repo_with(&[("app.py", OLD_APP)]);
    let id = change(&r, "pickle", &[("load.py", PICKLE_APP)]);
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.sarif");
    std::fs::write(&good, semgrep_like_sarif("load.py", 5)).unwrap();
    let cases: [(&str, Vec<u8>); 4] = [
        (
            "truncated.sarif",
            semgrep_like_sarif("load.py", 5).as_bytes()[..80].to_vec(),
        ),
        ("no-runs.sarif", br#"{"version": "2.1.0"}"#.to_vec()),
        ("v1.sarif", br#"{"version": "1.0.0", "runs": []}"#.to_vec()),
        ("binary.sarif", vec![0xff, 0xfe, 0, 1, 2]),
    ];
    for (name, bytes) in &cases {
        let bad = dir.path().join(name);
        std::fs::write(&bad, bytes).unwrap();
        // The good file first: it must not be stored either.
        let out = cs(
            r.path(),
            &["attach", &id, good.to_str().unwrap(), bad.to_str().unwrap()],
        );
        let err = out.bad_input();
        assert!(
            err.contains(name) && err.contains("not valid SARIF 2.1.0"),
            "{err}"
        );
    }
    let huge = dir.path().join("huge.sarif");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(33 * 1024 * 1024)
        .unwrap();
    let err = cs(r.path(), &["attach", &id, huge.to_str().unwrap()]);
    assert!(
        err.bad_input().contains("over the 32 MiB limit"),
        "{}",
        err.stderr
    );
    let missing = cs(r.path(), &["attach", &id, "/nonexistent/x.sarif"]);
    assert!(missing.bad_input().contains("cannot read"));
    let refs = r.git(&["for-each-ref", "refs/notes/"]);
    assert!(
        !refs.contains("countersign-analysis"),
        "nothing was stored: {refs}"
    );
    // And the good file alone is stored (so the test can fail).
    cs(r.path(), &["attach", &id, good.to_str().unwrap()]).ok();
    assert!(
        r.git(&["for-each-ref", "refs/notes/"])
            .contains("countersign-analysis")
    );
}

#[test]
fn risk_sarif_writes_the_engines_findings_as_valid_sarif() {
    let r = repo_with(&[("app.py", OLD_APP)]);
    let id = change(
        &r,
        "tls",
        &[(
            "client.py",
            "import requests\n\n\ndef get(u):\n    return requests.get(u, verify=False)\n",
        )],
    );
    let out = cs(r.path(), &["risk", &id, "--sarif"]);
    let log: serde_json::Value = serde_json::from_str(out.ok()).unwrap();
    // The schema's required fields, then a parse by types made from the schema.
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "countersign");
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty(), "{log:#}");
    for res in results {
        assert!(res["message"]["text"].is_string());
        assert!(res["ruleId"].is_string());
        let i = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(run["tool"]["driver"]["rules"][i]["id"], res["ruleId"]);
        let loc = &res["locations"][0]["physicalLocation"];
        assert!(loc["artifactLocation"]["uri"].is_string());
        assert!(["error", "warning", "note"].contains(&res["level"].as_str().unwrap()));
    }
    let tls = results
        .iter()
        .find(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "client.py")
        .expect("the TLS finding");
    assert_eq!(
        tls["locations"][0]["physicalLocation"]["region"]["startLine"],
        5
    );
    let typed: serde_sarif::sarif::Sarif = serde_json::from_str(out.ok()).unwrap();
    assert_eq!(typed.runs.len(), 1);
    // What we write, we read back.
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), out.ok()).unwrap();
    cs(r.path(), &["attach", &id, f.path().to_str().unwrap()]).ok();
}
