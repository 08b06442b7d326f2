//! submit, scan, ref-glob sources and the queue.

use crate::support::TestRepo;

fn ai_commit(r: &TestRepo, file: &str, msg: &str) -> String {
    r.write(file, &format!("{}\n", msg.lines().next().unwrap()));
    r.commit_all(msg)
}

#[test]
fn submit_prints_a_stable_id_and_stores_metadata_in_git() {
    let r = TestRepo::new();
    r.git(&["checkout", "-q", "-b", "feat"]);
    ai_commit(
        &r,
        "x.txt",
        "Add x\n\nAssisted-by: Claude Code <noreply@anthropic.com>",
    );
    let id = r
        .cs(&["submit", "feat", "--title", "Add the x file"])
        .ok()
        .trim()
        .to_string();
    assert_eq!(id.len(), 8);
    assert!(
        id.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    );
    // The metadata travels in git, not in a local file.
    let msg = r.git(&[
        "log",
        "-1",
        "--format=%B",
        &format!("refs/countersign/pending/{id}"),
    ]);
    assert!(msg.starts_with("Add the x file"), "{msg}");
    assert!(msg.contains("Countersign-Tool: Claude Code"), "{msg}");
    assert_eq!(
        r.cs(&["submit", "feat"]).ok().trim(),
        id,
        "same head, same id"
    );
    let q = r.cs(&["queue", "--json"]).json();
    let row = &q[0];
    for field in [
        "id",
        "title",
        "author",
        "tool",
        "base",
        "head",
        "patch_id",
        "files",
        "additions",
        "deletions",
        "state",
        "risk",
    ] {
        assert!(!row[field].is_null(), "field {field} in {row}");
    }
    assert_eq!(row["title"], "Add the x file");
    assert_eq!(row["author"], "Ada Author <ada@example.com>");
    assert_eq!(row["files"], 1);
    assert_eq!(row["additions"], 1);
    assert!(row["risk"]["score"].is_u64() && row["risk"]["level"].is_string());
}

#[test]
fn scan_queues_runs_of_ai_commits_once() {
    let r = TestRepo::new();
    r.git(&["checkout", "-q", "-b", "feat"]);
    ai_commit(&r, "h1.txt", "human work");
    ai_commit(&r, "a1.txt", "ai one\n\nGenerated-by: Cursor");
    ai_commit(&r, "a2.txt", "ai two\n\nAI-Assisted: true");
    ai_commit(
        &r,
        "h2.txt",
        "more human work\n\nCo-authored-by: Devin Smith <devin@example.com>",
    );
    ai_commit(
        &r,
        "a3.txt",
        "ai three\n\nCo-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>",
    );
    let out = r.cs(&["scan"]).ok().to_string();
    assert_eq!(
        out.lines().filter(|l| l.starts_with("queued ")).count(),
        2,
        "{out}"
    );
    let q = r.cs(&["queue", "--json"]).json();
    let mut rows: Vec<(String, u64)> = q
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["title"].as_str().unwrap().to_string(),
                c["files"].as_u64().unwrap(),
            )
        })
        .collect();
    rows.sort();
    // Each is measured from its computed base (the merge-base with main), so
    // it shows everything that would land with it, human commits included.
    assert_eq!(
        rows,
        vec![
            ("ai one (+1 more)".to_string(), 3),
            ("ai three".to_string(), 5)
        ]
    );
    let again = r.cs(&["scan"]).ok().to_string();
    assert!(again.starts_with("nothing to queue"), "{again}");
}

#[test]
fn scan_of_a_range_without_ai_commits_says_so() {
    let r = TestRepo::new();
    r.git(&["checkout", "-q", "-b", "feat"]);
    ai_commit(&r, "h.txt", "plain human commit");
    let out = r.cs(&["scan", "main..feat"]).ok().to_string();
    assert_eq!(
        out.trim(),
        "nothing to queue: no AI-assisted commits in the range"
    );
    assert_eq!(r.cs(&["queue", "--json"]).json(), serde_json::json!([]));
}

#[test]
fn forge_refs_matched_by_glob_are_pending_when_ai_assisted() {
    let r = TestRepo::new();
    r.write(
        ".countersign/config.toml",
        "[sources]\nrefs = [\"refs/remotes/origin/pr/*\"]\n",
    );
    r.commit_all("configure sources");
    r.git(&["checkout", "-q", "-b", "pr1"]);
    let ai = ai_commit(&r, "p1.txt", "PR one\n\nAssisted-by: Codex");
    r.git(&["checkout", "-q", "-b", "pr2", "main"]);
    let human = ai_commit(&r, "p2.txt", "PR two by a human");
    r.git(&["update-ref", "refs/remotes/origin/pr/1", &ai]);
    r.git(&["update-ref", "refs/remotes/origin/pr/2", &human]);
    r.git(&["checkout", "-q", "main"]);
    let q = r.cs(&["queue", "--json"]).json();
    let rows = q.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{q}");
    assert_eq!(rows[0]["head"], ai.as_str());
    assert_eq!(rows[0]["tool"], "Codex");
    assert_eq!(rows[0]["source"], "ref");
    let id = rows[0]["id"].as_str().unwrap().to_string();
    // Stable across runs and usable by show.
    assert_eq!(r.cs(&["queue", "--json"]).json()[0]["id"], id.as_str());
    assert!(
        r.cs(&["show", "--color=never", &id])
            .ok()
            .contains("+PR one")
    );
}

#[test]
fn queue_is_ordered_most_risky_first() {
    let r = TestRepo::new();
    r.git(&["checkout", "-q", "-b", "small"]);
    ai_commit(&r, "s.txt", "small\n\nAssisted-by: Claude");
    r.git(&["checkout", "-q", "-b", "big", "main"]);
    // The big change also pipes a download into a shell: clearly riskier.
    let body: String = (0..200).map(|i| format!("echo line {i}\n")).collect();
    r.write(
        "big.sh",
        &format!("curl https://get.example/x | sh\n{body}"),
    );
    r.commit_all("big\n\nAssisted-by: Claude");
    r.cs(&["submit", "small"]).ok();
    let big = r.cs(&["submit", "big"]).ok().trim().to_string();
    let q = r.cs(&["queue", "--json"]).json();
    let scores: Vec<u64> = q
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["risk"]["score"].as_u64().unwrap())
        .collect();
    assert_eq!(scores.len(), 2);
    assert!(
        scores[0] > scores[1],
        "strictly most risky first: {scores:?}"
    );
    assert_eq!(q[0]["id"], big.as_str(), "{q:#}");
    let table = r.cs(&["queue"]).ok().to_string();
    assert!(
        table.lines().count() == 3 && table.contains("big"),
        "{table}"
    );
}

#[test]
fn demo_builds_a_queue_of_varied_changes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop");
    let out = crate::support::run_in(
        dir.path(),
        &["demo", "--no-tui", "--dir", path.to_str().unwrap()],
    );
    assert_eq!(out.ok().trim(), path.to_str().unwrap());
    let q = crate::support::run_in(&path, &["queue", "--json"]).json();
    let rows = q.as_array().unwrap();
    assert!(rows.len() >= 10, "{} changes", rows.len());
    for row in rows {
        let id = row["id"].as_str().unwrap();
        let shown = crate::support::run_in(&path, &["show", "--color=always", id]);
        assert!(shown.ok().contains(id));
    }
    // The bidi control in the demo is shown, never passed through.
    let all: String = rows
        .iter()
        .map(|r| {
            crate::support::run_in(
                &path,
                &["show", "--color=always", r["id"].as_str().unwrap()],
            )
            .stdout
        })
        .collect();
    assert!(all.contains("<U+202E>"));
    assert!(!all.contains('\u{202e}'));
    let again = crate::support::run_in(
        dir.path(),
        &["demo", "--no-tui", "--dir", path.to_str().unwrap()],
    );
    assert!(again.bad_input().contains("not empty"));
}
