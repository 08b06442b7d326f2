//! The ordinary flow: init, approve, reject, check, queue state, audit, keys.

use crate::kit::{Team, email, keygen, reasons, statuses};

#[test]
fn approve_then_check_passes_and_the_record_has_every_field() {
    let t = Team::new(&["alice"]);
    let id = t.ai_change("feat", "src/lib.rs", "pub fn f() {}\n");
    let before = t.check_json("main..feat");
    assert_eq!(before["ok"], false);
    assert_eq!(before["changes"][0]["id"], id.as_str());
    assert_eq!(before["changes"][0]["approved"], false);
    assert_eq!(before["changes"][0]["required"], 1);
    assert!(reasons(&before).contains("needs 1 senior approval"));

    let out = t.approve("alice", &id);
    assert!(out.ok().contains("approved"), "{}", out.stdout);
    let head = t.head("feat");
    let note = t.note(&head);
    assert_eq!(note.lines().count(), 1, "{note}");
    let v: serde_json::Value = serde_json::from_str(note.lines().next().unwrap()).unwrap();
    for f in [
        "v", "repo", "change", "base", "head", "tree", "patch_id", "decision", "reviewer", "key",
        "at", "risk", "comment", "sig",
    ] {
        assert!(v.get(f).is_some(), "missing {f}: {v}");
    }
    assert_eq!(v["head"], head.as_str());
    assert_eq!(v["reviewer"], email("alice").as_str());
    assert_eq!(v["decision"], "approve");
    assert_eq!(
        v["repo"],
        t.head("main~1").as_str(),
        "root commit is the identity"
    );
    assert_eq!(
        v["patch_id"].as_str(),
        t.repo
            .git_patch_id(v["base"].as_str().unwrap(), &head)
            .as_deref()
    );
    assert!(
        v["sig"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN SSH SIGNATURE-----\n")
    );
    assert!(v["at"].as_str().unwrap().ends_with('Z'));

    let after = t.check_json("main..feat");
    assert_eq!(after["ok"], true, "{after}");
    assert_eq!(after["changes"][0]["approvals"], 1);
    assert_eq!(
        after["changes"][0]["approved_by"][0]["reviewer"],
        email("alice").as_str()
    );
    assert_eq!(t.check("feat").code, 0, "a revision means main..rev");
}

#[test]
fn check_of_a_range_without_ai_changes_is_ok() {
    let t = Team::new(&["alice"]);
    t.repo.git(&["checkout", "-q", "-b", "human", "main"]);
    t.repo.write("x.txt", "x\n");
    t.repo.commit_all("a human change");
    let r = t.check("main..human");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("no AI-assisted changes"), "{}", r.stdout);
}

#[test]
fn unqueued_ai_commits_are_found_by_trailers_and_refused() {
    let t = Team::new(&["alice"]);
    t.repo.git(&["checkout", "-q", "-b", "sneaky", "main"]);
    t.repo.write("a.py", "x = 1\n");
    t.repo
        .commit_all("add a\n\nCo-authored-by: Claude <noreply@anthropic.com>");
    let v = t.check_json("main..sneaky");
    assert_eq!(v["ok"], false);
    assert!(reasons(&v).contains("not in the queue"), "{v}");
}

#[test]
fn reject_needs_a_reason_and_vetoes_until_withdrawn() {
    let t = Team::new(&["alice", "bob"]);
    let id = t.ai_change("feat", "a.txt", "a\n");
    let k = t.key("bob");
    let r = t.cs_env(&["--key", k.to_str().unwrap(), "reject", &id], &[]);
    assert!(r.bad_input().contains("reason"));
    assert!(t.note("feat").is_empty(), "nothing written");

    t.approve("alice", &id).ok();
    t.reject("bob", &id, "breaks the build").ok();
    let v = t.check_json("main..feat");
    assert_eq!(v["ok"], false);
    assert!(
        reasons(&v).contains("rejected by bob@example.com: breaks the build"),
        "{v}"
    );
    let q = t.repo.cs(&["queue", "--all", "--json"]).json();
    assert_eq!(q[0]["state"], "rejected");

    // The same reviewer withdraws the veto with a later decision on the same
    // content. Records are dated to the second: make sure the approval is
    // later (two minutes: well inside the clock skew a verifier tolerates).
    let mut later = t.template("bob", &id);
    let note = t.note("feat");
    assert!(
        note.contains("\"decision\":\"reject\"") && note.contains("\"decision\":\"approve\""),
        "alice's approval and bob's reject are still there: {note}"
    );
    later.at = (chrono::Utc::now() + chrono::Duration::minutes(2))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let line = t.sign_with(&t.key("bob"), &mut later);
    // Before the later approval, the veto holds (the note was not wiped).
    assert_eq!(t.check_json("main..feat")["ok"], false);
    t.append_line("feat", &line);
    let v = t.check_json("main..feat");
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["changes"][0]["approvals"], 2, "alice's and bob's: {v}");
}

#[test]
fn queue_shows_state_and_approvals() {
    let t = Team::new(&["alice"]);
    let id = t.ai_change("feat", "a.txt", "a\n");
    let q = t.repo.cs(&["queue", "--json"]).json();
    assert_eq!(q[0]["state"], "pending");
    assert_eq!(q[0]["approvals"]["have"], 0);
    assert_eq!(q[0]["approvals"]["need"], 1);
    t.approve("alice", &id).ok();
    let q = t.repo.cs(&["queue", "--all", "--json"]).json();
    assert_eq!(q[0]["state"], "approved");
    assert_eq!(q[0]["approvals"]["have"], 1);
    let pending = t.repo.cs(&["queue", "--json"]).json();
    assert_eq!(
        pending.as_array().unwrap().len(),
        0,
        "approved leaves the queue"
    );
}

#[test]
fn amending_makes_an_approval_stale_but_a_clean_rebase_keeps_it() {
    let t = Team::new(&["alice"]);
    let id = t.ai_change("feat", "a.txt", "one\n");
    t.approve("alice", &id).ok();
    assert_eq!(t.check_json("main..feat")["ok"], true);

    // main moves on with an unrelated file; a clean rebase keeps the patch.
    t.repo.write("other.txt", "o\n");
    t.repo.commit_all("unrelated");
    t.repo.git(&["rebase", "-q", "main", "feat"]);
    t.repo.git(&["checkout", "-q", "main"]);
    assert_eq!(t.repo.cs(&["submit", "feat"]).ok().trim(), id);
    let v = t.check_json("main..feat");
    assert_eq!(v["ok"], true, "clean rebase keeps the approval: {v}");

    // An amend that changes one byte of whitespace makes it stale.
    t.repo.git(&["checkout", "-q", "feat"]);
    t.repo.write("a.txt", "one \n");
    t.repo.git(&["commit", "-q", "-a", "--amend", "--no-edit"]);
    t.repo.git(&["checkout", "-q", "main"]);
    assert_eq!(t.repo.cs(&["submit", "feat"]).ok().trim(), id);
    let v = t.check_json("main..feat");
    assert_eq!(v["ok"], false);
    assert!(reasons(&v).contains("stale"), "{v}");
    let q = t.repo.cs(&["queue", "--json"]).json();
    assert_eq!(q[0]["state"], "stale");
    let (code, audit) = t.audit();
    assert_eq!(code, 0, "stale is not invalid");
    assert_eq!(statuses(&audit), vec!["stale"]);
}

#[test]
fn a_change_to_the_policy_is_critical_and_needs_two() {
    let t = Team::new(&["alice", "bob"]);
    let id = t.ai_change(
        "policy",
        ".countersign/policy.toml",
        "self_approval = true\n[approvals]\nlow = 0\nmedium = 0\nhigh = 0\ncritical = 0\n",
    );
    t.approve("alice", &id).ok();
    let v = t.check_json("main..policy");
    assert_eq!(v["ok"], false, "{v}");
    assert_eq!(v["changes"][0]["level"], "critical");
    assert_eq!(v["changes"][0]["required"], 2);
    t.approve("bob", &id).ok();
    assert_eq!(t.check_json("main..policy")["ok"], true);
}

#[test]
fn audit_lists_filters_and_summarises() {
    let t = Team::new(&["alice", "bob"]);
    let a = t.ai_change("a", "a.txt", "a\n");
    let b = t.ai_change("b", "b.txt", "b\n");
    t.approve("alice", &a).ok();
    t.reject("bob", &b, "no tests").ok();
    t.approve("alice", &b).ok();
    let (code, v) = t.audit();
    assert_eq!(code, 0);
    assert_eq!(v["summary"]["total"], 3);
    assert_eq!(v["summary"]["approvals"], 2);
    assert_eq!(v["summary"]["rejections"], 1);
    assert_eq!(
        v["summary"]["by_reviewer"]["alice@example.com"]["approve"],
        2
    );
    assert!(v["summary"]["median_seconds_to_decision"].as_i64().unwrap() >= 0);
    let d = &v["decisions"][0];
    assert_eq!(d["status"], "valid");
    assert!(d["detail"].as_str().unwrap().contains("signed by"));

    let only_bob = t.cs_env(&["audit", "--json", "--reviewer", "bob@example.com"], &[]);
    let ob: serde_json::Value = serde_json::from_str(only_bob.ok()).unwrap();
    assert_eq!(ob["decisions"].as_array().unwrap().len(), 1);
    let rejects = t.cs_env(&["audit", "--json", "--decision", "reject"], &[]);
    let rj: serde_json::Value = serde_json::from_str(rejects.ok()).unwrap();
    assert_eq!(rj["decisions"][0]["comment"], "no tests");
    let future = t.cs_env(&["audit", "--json", "--since", "2999-01-01"], &[]);
    let fu: serde_json::Value = serde_json::from_str(future.ok()).unwrap();
    assert_eq!(fu["decisions"].as_array().unwrap().len(), 0);
    let past = t.cs_env(&["audit", "--json", "--until", "2000-01-01T00:00:00Z"], &[]);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(past.ok()).unwrap()["decisions"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert!(
        t.cs_env(&["audit", "--since", "yesterday"], &[])
            .bad_input()
            .contains("--since")
    );

    let csv = t.cs_env(&["audit", "--csv"], &[]);
    let lines: Vec<&str> = csv.ok().lines().collect();
    assert!(lines[0].starts_with("status,at,decision,reviewer"));
    assert_eq!(lines.len(), 4);
    let text = t.cs_env(&["audit"], &[]);
    assert!(
        text.ok().contains("3 decision(s): 3 valid, 0 invalid"),
        "{}",
        text.stdout
    );
}

#[test]
fn keys_are_found_from_env_and_git_config_and_passphrases_work() {
    let t = Team::new(&["alice"]);
    // Replace alice's key by a passphrase-protected ECDSA key in a new policy.
    let locked = keygen(t.keys.path(), "alice-locked", "ecdsa", "s3cret");
    t.repo
        .cs(&[
            "init",
            "--force",
            "--senior",
            &format!("alice@example.com={}.pub", locked.display()),
        ])
        .ok();
    t.repo.commit_all("rotate alice's key");
    let id = t.ai_change("feat", "a.txt", "a\n");
    let lp = locked.to_str().unwrap();
    let r = t.cs_env(
        &["approve", &id],
        &[
            ("COUNTERSIGN_KEY", lp),
            ("COUNTERSIGN_PASSPHRASE", "s3cret"),
        ],
    );
    assert!(r.ok().contains("as alice@example.com"), "{}", r.stdout);
    assert_eq!(t.check_json("main..feat")["ok"], true);

    // git's user.signingkey as the last resort.
    let id2 = t.ai_change("feat2", "b.txt", "b\n");
    t.repo.git(&["config", "user.signingkey", lp]);
    let r = t.cs_env(&["approve", &id2], &[("COUNTERSIGN_PASSPHRASE", "s3cret")]);
    r.ok();
    assert_eq!(t.check_json("main..feat2")["ok"], true);
}

#[test]
fn no_key_anywhere_is_bad_input() {
    let t = Team::new(&["alice"]);
    let id = t.ai_change("feat", "a.txt", "a\n");
    let r = t.cs_env(&["approve", &id], &[]);
    assert!(r.bad_input().contains("no signing key"), "{}", r.stderr);
}

#[test]
fn init_refuses_to_overwrite_and_checks_keys() {
    let t = Team::new(&["alice"]);
    let e = t.repo.cs(&["init"]).bad_input().to_string();
    assert!(e.contains("--force"), "{e}");
    let e = t
        .repo
        .cs(&["init", "--force", "--senior", "alice"])
        .bad_input()
        .to_string();
    assert!(e.contains("<principal>=<public key file>"), "{e}");
    let e = t
        .repo
        .cs(&["init", "--force", "--senior", "a@x=/nonexistent.pub"])
        .bad_input()
        .to_string();
    assert!(e.contains("/nonexistent.pub"), "{e}");
    let junk = t.keys.path().join("junk.pub");
    std::fs::write(&junk, "not a key\n").unwrap();
    let e = t
        .repo
        .cs(&[
            "init",
            "--force",
            "--senior",
            &format!("a@x={}", junk.display()),
        ])
        .bad_input()
        .to_string();
    assert!(e.contains("not an SSH public key"), "{e}");
}

#[test]
fn parallel_approvals_from_many_processes_are_all_kept() {
    let names = ["p0", "p1", "p2", "p3", "p4", "p5"];
    let t = Team::new(&names);
    let id = t.ai_change("feat", "a.txt", "a\n");
    let kids: Vec<_> = names
        .iter()
        .map(|n| {
            std::process::Command::new(crate::support::bin())
                .current_dir(t.repo.path())
                .args(["--key", t.key(n).to_str().unwrap(), "approve", &id, "-m", n])
                .env("COUNTERSIGN_CONFIG", t.repo.path().join("none.toml"))
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut k in kids {
        assert!(k.wait().unwrap().success());
    }
    let recs = t.records("feat");
    assert_eq!(recs.len(), names.len(), "{:?}", t.note("feat"));
    let v = t.check_json("main..feat");
    assert_eq!(v["changes"][0]["approvals"], names.len());
}

#[test]
fn wildcard_principals_use_the_git_email_and_git_config_signers_file_works() {
    let t = Team::new(&["alice"]);
    // No allowed_signers in the repository: git's gpg.ssh.allowedSignersFile
    // is used, here with a wildcard principal.
    let k = keygen(t.keys.path(), "zed", "ed25519", "");
    let pubkey = std::fs::read_to_string(format!("{}.pub", k.display())).unwrap();
    let file = t.keys.path().join("allowed");
    std::fs::write(&file, format!("*@reviewers.example.com {pubkey}")).unwrap();
    t.repo.git(&["rm", "-q", ".countersign/allowed_signers"]);
    t.repo.write(
        ".countersign/policy.toml",
        "[roles]\nsenior = [\"*@reviewers.example.com\"]\n",
    );
    t.repo.commit_all("signers from git config");
    t.repo.git(&[
        "config",
        "gpg.ssh.allowedSignersFile",
        file.to_str().unwrap(),
    ]);
    let id = t.ai_change("feat", "a.txt", "a\n");
    let kp = k.to_str().unwrap();
    t.repo
        .git(&["config", "user.email", "zed@reviewers.example.com"]);
    let r = t.cs_env(&["--key", kp, "approve", &id], &[]);
    assert!(
        r.ok().contains("as zed@reviewers.example.com"),
        "{}",
        r.stdout
    );
    let v = t.check_json("main..feat");
    assert_eq!(v["ok"], true, "{v}");
    // Someone whose email does not match the pattern cannot use the key's line.
    let id2 = t.ai_change("feat2", "b.txt", "b\n");
    t.repo
        .git(&["config", "user.email", "zed@elsewhere.example.com"]);
    let r = t.cs_env(&["--key", kp, "approve", &id2], &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("zed@elsewhere.example.com") || r.stderr.contains("allowed_signers"),
        "the refusal names the identity or the file: {}",
        r.stderr
    );
    assert!(t.note("feat2").is_empty(), "nothing written");
    let v = t.check_json("main..feat2");
    assert_eq!(v["ok"], false, "{v}");
    assert_eq!(v["changes"][0]["approvals"], 0, "{v}");
}

#[test]
fn a_squash_merge_of_approved_content_keeps_its_approval() {
    let t = Team::new(&["alice"]);
    t.repo.git(&["checkout", "-q", "-b", "feat", "main"]);
    t.repo.write("a.txt", "a\n");
    t.repo.commit_all("one\n\nAssisted-by: Claude Code");
    t.repo.write("b.txt", "b\n");
    t.repo.commit_all("two\n\nAssisted-by: Claude Code");
    t.repo.git(&["checkout", "-q", "main"]);
    let id = t.repo.cs(&["submit", "feat"]).ok().trim().to_string();
    t.approve("alice", &id).ok();
    // The forge squashes the branch into one commit on main.
    t.repo.git(&["merge", "-q", "--squash", "feat"]);
    t.repo.commit_all("feat (#1)\n\nAssisted-by: Claude Code");
    // Judged as a push of main would be: the old tip is the trust root.
    let squash_check = || {
        let r = t.cs_env(
            &["check", "--json", "--trust", "main~1", "main~1..main"],
            &[],
        );
        serde_json::from_str::<serde_json::Value>(&r.stdout).unwrap()
    };
    let v = squash_check();
    assert_eq!(v["ok"], true, "{v}");
    // A squash that changes anything (here one more line) is not approved.
    t.repo.git(&["reset", "-q", "--hard", "main~1"]);
    t.repo.git(&["merge", "-q", "--squash", "feat"]);
    t.repo.write("c.txt", "extra\n");
    t.repo.commit_all("feat (#1)\n\nAssisted-by: Claude Code");
    assert_eq!(squash_check()["ok"], false);
}

#[test]
fn without_a_policy_nobody_can_approve_and_check_says_how_to_start() {
    let t = Team::new(&["alice"]);
    t.repo.git(&["rm", "-q", "-r", ".countersign"]);
    t.repo.commit_all("no policy");
    let id = t.ai_change("feat", "a.txt", "a\n");
    let r = t.approve("alice", &id);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("countersign init"), "{}", r.stderr);
    let v = t.check_json("main..feat");
    assert_eq!(v["ok"], false);
    assert!(reasons(&v).contains("run `countersign init"), "{v}");
    let (code, audit) = t.audit();
    assert_eq!(code, 0);
    assert_eq!(audit["decisions"].as_array().unwrap().len(), 0);
    assert!(
        t.cs_env(&["audit"], &[])
            .ok()
            .contains("no decisions recorded")
    );
}

#[test]
fn a_malformed_policy_at_the_base_is_bad_input() {
    let t = Team::new(&["alice"]);
    t.repo
        .write(".countersign/policy.toml", "[approvals]\nlow = \"one\"\n");
    t.repo.commit_all("broken policy");
    let _id = t.ai_change("feat", "a.txt", "a\n");
    let r = t.check("main..feat");
    let e = r.bad_input();
    assert!(e.contains(".countersign/policy.toml at "), "{e}");
}
