//! The change's own configuration: `.countersign/config.toml`, `rules.toml`,
//! `policy.toml` and `allowed_signers` written inside the change (and checked
//! out in CI's work tree), or left uncommitted in the work tree, change no
//! verdict.

use crate::common::{BACKDOOR, LAX_POLICY, commit_on, refused, said};
use crate::kit::{Team, keygen, reasons};

/// AI detection switched off, as a config file can.
const NO_AI: &str = "[ai]\ntrailers = []\ncoauthor_trailers = []\ntools = []\nemails = []\n";

fn assert_gated(t: &Team, v: &serde_json::Value, head: &str) {
    let changes = v["changes"].as_array().unwrap();
    assert!(
        changes
            .iter()
            .any(|c| c["head"] == head && c["approved"] == false),
        "the change at {head} must be judged and refused: {v}"
    );
    assert_eq!(
        v["trust"]["commit"].as_str(),
        Some(t.head("main").as_str()),
        "{v}"
    );
}

#[test]
fn the_changes_config_checked_out_in_ci_does_not_turn_off_ai_detection() {
    let t = Team::new(&["alice", "bob"]);
    let head = commit_on(
        &t,
        "evil",
        &[(".countersign/config.toml", NO_AI), ("deploy.sh", BACKDOOR)],
        "tidy\n\nAssisted-by: Claude Code",
    );
    // CI checks the change out and asks the gate (the agent never submitted it).
    t.repo.git(&["checkout", "-q", "evil"]);
    let v = refused(&t, &["main..evil"]);
    assert_gated(&t, &v, &head);
    let r = t.check("main..evil");
    assert_eq!(r.code, 1, "{}", said(&r));
    assert!(!r.stdout.contains("no AI-assisted changes"), "{}", said(&r));
    // Also from a clean work tree on main.
    t.repo.git(&["checkout", "-q", "main"]);
    let v = refused(&t, &["main..evil"]);
    assert_gated(&t, &v, &head);
}

#[test]
fn a_target_named_in_the_changes_config_does_not_move_the_trust_root() {
    let t = Team::new(&["alice", "bob"]);
    let head = commit_on(
        &t,
        "evil",
        &[
            (".countersign/config.toml", "target = \"evil\"\n"),
            ("deploy.sh", BACKDOOR),
        ],
        "tidy\n\nAssisted-by: Claude Code",
    );
    t.repo.git(&["checkout", "-q", "evil"]);
    let v = refused(&t, &["main..evil"]);
    assert_gated(&t, &v, &head);
    // Asked about the branch alone (everything not on the trust root).
    let v = refused(&t, &["evil"]);
    assert_gated(&t, &v, &head);
}

#[test]
fn an_uncommitted_config_and_policy_in_the_work_tree_change_nothing() {
    let t = Team::new(&["alice", "bob"]);
    let head = commit_on(
        &t,
        "feat",
        &[("deploy.sh", BACKDOOR)],
        "tidy\n\nAssisted-by: Claude Code",
    );
    // A build step writes files into CI's work tree before the gate runs.
    t.repo.write(
        ".countersign/config.toml",
        &format!("target = \"feat\"\n{NO_AI}"),
    );
    t.repo.write(".countersign/policy.toml", LAX_POLICY);
    t.repo.write(
        ".countersign/rules.toml",
        "[[silence]]\nrule = \"*\"\npaths = [\"**\"]\nreason = \"trust me\"\n",
    );
    let v = refused(&t, &["main..feat"]);
    assert_gated(&t, &v, &head);
    assert!(v["changes"][0]["required"].as_u64().unwrap() >= 1, "{v}");
    assert_ne!(v["changes"][0]["level"], "low", "rules silenced: {v}");
}

#[test]
fn rules_inside_the_change_do_not_silence_its_risk() {
    let t = Team::new(&["alice", "bob"]);
    let head = commit_on(
        &t,
        "evil",
        &[
            (
                ".countersign/rules.toml",
                "[[silence]]\nrule = \"*\"\npaths = [\"**\"]\nreason = \"trust me\"\n",
            ),
            ("deploy.sh", BACKDOOR),
        ],
        "tidy\n\nAssisted-by: Claude Code",
    );
    let id = t.repo.cs(&["submit", "evil"]).ok().trim().to_string();
    t.repo.git(&["checkout", "-q", "evil"]);
    let v = refused(&t, &["main..evil"]);
    assert_gated(&t, &v, &head);
    // A change to .countersign/ is itself critical: two seniors.
    assert_eq!(v["changes"][0]["level"], "critical", "{v}");
    assert_eq!(v["changes"][0]["required"], 2, "{v}");
    let risk = t.repo.cs(&["risk", &id, "--json"]).json();
    assert!(
        !risk["findings"].as_array().unwrap().is_empty(),
        "the change silenced its own findings: {risk}"
    );
}

#[test]
fn signers_and_policy_added_inside_the_change_do_not_count() {
    let t = Team::new(&["alice", "bob"]);
    let mallory = keygen(t.keys.path(), "mallory", "ed25519", "");
    let pubkey = std::fs::read_to_string(format!("{}.pub", mallory.display())).unwrap();
    let signers = std::fs::read_to_string(t.repo.path().join(".countersign/allowed_signers"))
        .unwrap()
        + &format!("mallory@example.com {pubkey}");
    let head = commit_on(
        &t,
        "evil",
        &[
            (".countersign/allowed_signers", &signers),
            (".countersign/policy.toml", LAX_POLICY),
            ("deploy.sh", BACKDOOR),
        ],
        "tidy\n\nAssisted-by: Claude Code",
    );
    let id = t.repo.cs(&["submit", "evil"]).ok().trim().to_string();
    // The work tree is the change, as in CI.
    t.repo.git(&["checkout", "-q", "evil"]);
    let r = t.cs_env(
        &[
            "--key",
            mallory.to_str().unwrap(),
            "approve",
            &id,
            "-m",
            "ok",
        ],
        &[],
    );
    assert_eq!(r.code, 1, "mallory is not a senior on main: {}", said(&r));
    assert!(t.note("evil").is_empty(), "nothing written");
    // A record mallory signs by hand does not count.
    let mut rec = t.template("alice", &id);
    rec.reviewer = "mallory@example.com".into();
    let line = t.sign_with(&mallory, &mut rec);
    t.append_line("evil", &line);
    let v = refused(&t, &["main..evil"]);
    assert_gated(&t, &v, &head);
    assert_eq!(v["changes"][0]["required"], 2, "{v}");
    assert!(reasons(&v).contains("unknown-signer"), "{v}");
}
