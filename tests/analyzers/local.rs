//! Analyzers from the trust root's `.countersign/analyzers.toml`, run by
//! countersign on throw-away checkouts of the base and the head.

use std::path::Path;

use crate::{OLD_APP, change, cs, findings_of, fixture, repo_with, require};

/// The change adds `verify=False` (bandit B501, high) on line 11.
pub const NEW_APP: &str = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n\nimport requests\n\n\ndef fetch(url):\n    return requests.get(url, verify=False, timeout=5)\n";

fn bandit_only() -> String {
    fixture("analyzers.toml")
        .split("[[analyzer]]")
        .nth(1)
        .map(|s| format!("[[analyzer]]{s}"))
        .unwrap()
}

#[test]
fn a_finding_the_change_introduces_shows_on_its_line_with_the_tools_name() {
    require("bandit");
    let r = repo_with(&[
        (".countersign/analyzers.toml", &bandit_only()),
        ("app.py", OLD_APP),
    ]);
    let id = change(&r, "fetch", &[("app.py", NEW_APP)]);

    let show = cs(r.path(), &["show", &id, "--color", "never"]);
    let out = show.ok();
    // The mark sits right under the line that introduced it.
    let line = out
        .lines()
        .position(|l| l.contains("+    return requests.get(url, verify=False"))
        .unwrap_or_else(|| panic!("the added line is shown:\n{out}"));
    let mark = out.lines().nth(line + 1).unwrap();
    assert!(
        mark.contains("└─ high: bandit B501:"),
        "the finding is beside its line, named by tool and rule:\n{out}"
    );
    // The old B602 and B404 are not the change's.
    assert!(!out.contains("bandit B602"), "{out}");
    assert!(!out.contains("bandit B404"), "{out}");
    assert!(out.contains("bandit 1.9"), "which analyzer ran:\n{out}");

    let report = cs(r.path(), &["risk", &id, "--json"]).json();
    let found = findings_of(&report, "bandit ");
    assert_eq!(found.len(), 1, "{report:#}");
    assert_eq!(found[0]["rule"], "bandit B501");
    assert_eq!(found[0]["line"], 11);
    assert_eq!(found[0]["severity"], "high");
    assert!(
        report["level"] == "high" || report["level"] == "critical",
        "a high finding makes the change high: {report:#}"
    );
    let ran = &report["analyzers"]["ran"][0];
    assert_eq!(ran["tool"], "bandit");
    assert_eq!(ran["source"], "local");
    assert_eq!(ran["compared_with_base"], true);
    assert_eq!(
        ran["head"],
        r.git(&["rev-parse", "fetch"]).trim(),
        "the run names the head it analysed"
    );
    let hidden: Vec<&str> = report["analyzers"]["hidden"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(hidden.contains(&"bandit B602"), "{hidden:?}");

    // Shown on request, and a second look comes from the cache (same answer).
    let all = cs(r.path(), &["risk", &id, "--all-results"]);
    assert!(all.ok().contains("[bandit B602]"), "{}", all.stdout);
    let again = cs(r.path(), &["risk", &id, "--json"]).json();
    assert_eq!(again["findings"], report["findings"]);
}

#[test]
fn a_change_that_only_touches_a_file_with_old_findings_shows_none() {
    require("bandit");
    let r = repo_with(&[
        (".countersign/analyzers.toml", &bandit_only()),
        ("app.py", OLD_APP),
    ]);
    // Moves the old findings down and edits the line that carries one.
    let touched = format!(
        "\"\"\"Runs commands.\"\"\"\n{}",
        OLD_APP.replace("def run(cmd):", "def run(cmd):  # the old runner")
    );
    let id = change(&r, "docs", &[("app.py", &touched)]);
    let report = cs(r.path(), &["risk", &id, "--json"]).json();
    assert!(
        findings_of(&report, "bandit ").is_empty(),
        "old findings are not the change's: {report:#}"
    );
    assert_eq!(report["analyzers"]["ran"][0]["results"], 2, "{report:#}");
    assert_eq!(report["analyzers"]["ran"][0]["new"], 0);
    let show = cs(r.path(), &["show", &id, "--color", "never"]);
    assert!(!show.ok().contains("bandit B"), "{}", show.stdout);
    let all = cs(
        r.path(),
        &["show", &id, "--color", "never", "--all-results"],
    );
    assert!(all.ok().contains("bandit B602"), "{}", all.stdout);
}

#[test]
fn semgrep_runs_with_rules_from_the_trust_root() {
    require("semgrep");
    let r = repo_with(&[
        (".countersign/analyzers.toml", &fixture("analyzers.toml")),
        (".countersign/semgrep.yml", &fixture("semgrep.yml")),
        (
            "load.py",
            "import json\n\n\ndef load(b):\n    return json.loads(b)\n",
        ),
    ]);
    // The change also empties the rules file: the trust root's rules still apply.
    let id = change(
        &r,
        "pickle",
        &[
            (
                "load.py",
                "import pickle\n\n\ndef load(b):\n    return pickle.loads(b)\n",
            ),
            (".countersign/semgrep.yml", "rules: []\n"),
        ],
    );
    let report = cs(r.path(), &["risk", &id, "--json"]).json();
    let found = findings_of(&report, "semgrep ");
    assert_eq!(found.len(), 1, "{report:#}");
    assert_eq!(found[0]["rule"], "semgrep pickle-loads-untrusted");
    assert_eq!(found[0]["path"], "load.py");
    assert_eq!(found[0]["line"], 5);
    assert!(
        found[0]["severity"] == "high" || found[0]["severity"] == "critical",
        "{found:?}"
    );
}

#[test]
fn an_analyzers_file_inside_the_change_is_ignored() {
    let r = repo_with(&[("app.py", OLD_APP)]);
    let marker = r.path().join("ran-the-changes-command");
    let evil = format!(
        "[[analyzer]]\nname = \"evil\"\ncommand = [\"sh\", \"-c\", \"touch {}\"]\nversion = [\"true\"]\nfiles = [\"*\"]\n",
        marker.display()
    );
    let id = change(
        &r,
        "evil",
        &[
            (".countersign/analyzers.toml", &evil),
            ("app.py", &format!("{OLD_APP}\n# more\n")),
        ],
    );
    // In the work tree too (checked out but not committed at main).
    r.write(".countersign/analyzers.toml", &evil);
    for args in [
        vec!["risk", id.as_str(), "--json"],
        vec!["show", id.as_str()],
    ] {
        let out = cs(r.path(), &args);
        out.ok();
        assert!(
            !marker.exists(),
            "a command from the change or the work tree ran: {}",
            out.stdout
        );
    }
    let report = cs(r.path(), &["risk", &id, "--json"]).json();
    assert_eq!(report["analyzers"]["ran"], serde_json::json!([]));
    // The same file at the trust root does run (so the test can fail).
    r.git(&["add", ".countersign/analyzers.toml"]);
    r.commit_all("trust the evil analyzer");
    let out = cs(r.path(), &["risk", &id, "--json"]).json();
    assert!(marker.exists(), "the trust root's command runs: {out:#}");
}

#[test]
fn a_hanging_analyzer_is_cut_off_at_its_time_limit() {
    let r = repo_with(&[("app.py", OLD_APP)]);
    let pid_file = r.path().join("sleeper.pid");
    let hang = format!(
        "[[analyzer]]\nname = \"hang\"\ncommand = [\"sh\", \"-c\", \"sleep 100 & echo $! > {}; wait\"]\nversion = [\"true\"]\nfiles = [\"*.py\"]\ntimeout_secs = 1\n",
        pid_file.display()
    );
    r.write(".countersign/analyzers.toml", &hang);
    r.commit_all("a hanging analyzer");
    let id = change(&r, "more", &[("app.py", &format!("{OLD_APP}\n# more\n"))]);
    let report = cs(r.path(), &["risk", &id, "--json"]).json();
    let missing = report["analyzers"]["missing"].to_string();
    assert!(
        missing.contains("hang: cut off after its time limit of 1 s"),
        "{report:#}"
    );
    // The whole process group went, not only the shell.
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    let proc_dir = Path::new("/proc").join(pid.trim());
    let gone = |p: &Path| {
        std::fs::read_to_string(p.join("stat"))
            .map(|s| s.contains(") Z "))
            .unwrap_or(true)
    };
    let mut tries = 0;
    while !gone(&proc_dir) && tries < 500 {
        std::thread::sleep(std::time::Duration::from_millis(10));
        tries += 1;
    }
    assert!(gone(&proc_dir), "sleep {} still runs", pid.trim());
}

#[test]
fn a_missing_tool_is_one_line_in_the_report() {
    let r = repo_with(&[(
        ".countersign/analyzers.toml",
        "[[analyzer]]\nname = \"ghost\"\ncommand = [\"countersign-no-such-analyzer\", \"{files}\"]\nfiles = [\"*.py\"]\n",
    )]);
    let id = change(&r, "py", &[("a.py", "print(1)\n")]);
    let out = cs(r.path(), &["risk", &id]);
    assert!(
        out.ok()
            .contains("missing: ghost: `countersign-no-such-analyzer` is not installed"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_file_named_like_an_option_reaches_the_tool_as_a_path() {
    let r = repo_with(&[("app.py", OLD_APP)]);
    let log = r.path().join("args.log");
    let config = format!(
        "[[analyzer]]\nname = \"args\"\ncommand = [\"sh\", \"-c\", \"for a; do echo \\\"$a\\\" >> {}; done\", \"sh\", \"{{files}}\"]\nversion = [\"true\"]\nfiles = [\"*.py\"]\n",
        log.display()
    );
    r.write(".countersign/analyzers.toml", &config);
    r.commit_all("an analyzer that logs its arguments");
    let id = change(&r, "opt", &[("--output=x.py", "print(1)\n")]);
    cs(r.path(), &["risk", &id]).ok();
    let args = std::fs::read_to_string(&log).unwrap();
    assert!(
        args.lines().any(|l| l == "./--output=x.py"),
        "the file is passed as ./ path: {args:?}"
    );
    assert!(!args.lines().any(|l| l.starts_with('-')), "{args:?}");
}
