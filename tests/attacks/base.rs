//! Declared bases: the base written in a queue ref (or a record) is the
//! agent's; the policy that judges a change comes from the trust root and its
//! base is computed (merge-base with the trust root).

use crate::common::{
    BACKDOOR, LAX_POLICY, commit_on, forge_pending_ref, git_in, ok, refused, said,
};
use crate::kit::{Team, keygen, reasons};
use crate::support::run_in;

/// A change `feat` off main carrying a backdoor, submitted; returns its id.
fn backdoor_change(t: &Team, branch: &str) -> String {
    commit_on(
        t,
        branch,
        &[("deploy.sh", BACKDOOR)],
        "tidy the deploy script\n\nAssisted-by: Claude Code",
    );
    t.repo.cs(&["submit", branch]).ok().trim().to_string()
}

/// The required count, approvals and trust commit of the first change.
fn assert_judged_by_main(t: &Team, v: &serde_json::Value) {
    let c = &v["changes"][0];
    assert!(
        c["required"].as_u64().unwrap_or(0) >= 1,
        "the trust root's policy requires approvals: {v}"
    );
    assert_eq!(c["approvals"], 0, "{v}");
    assert_eq!(c["approved"], false, "{v}");
    assert_eq!(
        v["trust"]["commit"].as_str(),
        Some(t.head("main").as_str()),
        "the trust root is main's tip: {v}"
    );
}

#[test]
fn a_declared_orphan_base_with_a_zero_policy_does_not_open_the_gate() {
    let t = Team::new(&["alice", "bob"]);
    // An orphan commit whose policy asks for nobody.
    t.repo.git(&["checkout", "-q", "--orphan", "nowhere"]);
    t.repo.write(".countersign/policy.toml", LAX_POLICY);
    let orphan = t.repo.commit_all("a policy of my own");
    t.repo.git(&["checkout", "-q", "-f", "main"]);
    t.repo.git(&["branch", "-q", "-D", "nowhere"]);
    let id = backdoor_change(&t, "feat");
    // The agent pushes a queue ref that names the orphan as the base.
    forge_pending_ref(&t, &id, &t.head("feat"), &orphan);

    let v = refused(&t, &["main..feat"]);
    assert_judged_by_main(&t, &v);
    let text = t.check("main..feat");
    assert_eq!(text.code, 1, "{}", said(&text));
    assert!(text.stdout.contains("NOT APPROVED"), "{}", said(&text));
    assert!(!text.stdout.contains("0/0"), "{}", said(&text));
    // The whole feat branch, asked for as one revision, is refused too.
    let v = refused(&t, &["feat"]);
    assert_judged_by_main(&t, &v);
    // Genuine approvals against the computed base open it.
    t.approve("alice", &id).ok();
    t.approve("bob", &id).ok();
    assert_eq!(t.check_json("main..feat")["ok"], true);
}

#[test]
fn an_older_base_on_main_with_a_laxer_policy_does_not_apply() {
    let t = Team::new(&["alice", "bob"]);
    // main once had a lax policy, then tightened it again.
    let policy = t.repo.path().join(".countersign/policy.toml");
    let strict = std::fs::read_to_string(&policy).unwrap();
    std::fs::write(&policy, LAX_POLICY).unwrap();
    let lax = t.repo.commit_all("policy: relax for the migration");
    // The agent branches off the lax commit (truly based on it)...
    t.repo.git(&["checkout", "-q", "-b", "feat", &lax]);
    t.repo.write("deploy.sh", BACKDOOR);
    t.repo
        .commit_all("tidy the deploy script\n\nAssisted-by: Claude Code");
    t.repo.git(&["checkout", "-q", "main"]);
    std::fs::write(&policy, &strict).unwrap();
    t.repo.commit_all("policy: strict again");
    let id = t.repo.cs(&["submit", "feat"]).ok().trim().to_string();
    let v = refused(&t, &["main..feat"]);
    assert_judged_by_main(&t, &v);
    // ...or declares it as the base of a change made on today's main.
    let id2 = backdoor_change(&t, "feat2");
    forge_pending_ref(&t, &id2, &t.head("feat2"), &lax);
    let v = refused(&t, &["main..feat2"]);
    assert_judged_by_main(&t, &v);
    // The range's own left side does not choose the policy either.
    let v = refused(&t, &[&format!("{lax}..feat")]);
    assert_eq!(v["trust"]["commit"].as_str(), Some(t.head("main").as_str()));
    t.approve("alice", &id).ok();
    t.approve("bob", &id).ok();
    assert_eq!(t.check_json("main..feat")["ok"], true);
}

#[test]
fn a_declared_base_on_another_branch_with_its_own_signers_does_not_apply() {
    let t = Team::new(&["alice", "bob"]);
    let mallory = keygen(t.keys.path(), "mallory", "ed25519", "");
    let pubkey = std::fs::read_to_string(format!("{}.pub", mallory.display())).unwrap();
    // The agent's own branch: a lax policy and mallory as a senior.
    let signers = std::fs::read_to_string(t.repo.path().join(".countersign/allowed_signers"))
        .unwrap()
        + &format!("mallory@example.com {pubkey}");
    let lax = commit_on(
        &t,
        "lax",
        &[
            (".countersign/policy.toml", LAX_POLICY),
            (".countersign/allowed_signers", &signers),
        ],
        "housekeeping",
    );
    let id = backdoor_change(&t, "feat");
    forge_pending_ref(&t, &id, &t.head("feat"), &lax);
    // mallory signs an approval that names the declared base and its patch-id.
    let mut rec = t.template("alice", &id);
    rec.reviewer = "mallory@example.com".into();
    rec.base = lax.clone();
    rec.patch_id = t.repo.git_patch_id(&lax, "feat");
    let line = t.sign_with(&mallory, &mut rec);
    t.append_line("feat", &line);
    let v = refused(&t, &["main..feat"]);
    assert_judged_by_main(&t, &v);
    assert!(reasons(&v).contains("unknown-signer"), "{v}");
    // mallory cannot sign through the CLI either.
    let before = t.note("feat");
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
    assert_eq!(r.code, 1, "{}", said(&r));
    assert_eq!(t.note("feat"), before, "nothing written");
}

#[test]
fn tightening_the_policy_on_main_applies_at_once_to_pending_changes() {
    let t = Team::new(&["alice", "bob"]);
    commit_on(
        &t,
        "feat",
        &[("a.txt", "a\n")],
        "small change\n\nAssisted-by: Claude Code",
    );
    let id = t.repo.cs(&["submit", "feat"]).ok().trim().to_string();
    t.approve("alice", &id).ok();
    assert_eq!(t.check_json("main..feat")["ok"], true);
    // alice's key is revoked on main; feat is still based on the old main.
    let signers = t.repo.path().join(".countersign/allowed_signers");
    let kept: String = std::fs::read_to_string(&signers)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("alice@example.com "))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&signers, kept).unwrap();
    t.repo.commit_all("revoke alice");
    let v = refused(&t, &["main..feat"]);
    assert_eq!(v["changes"][0]["approvals"], 0, "{v}");
    assert!(reasons(&v).contains("unknown-signer"), "{v}");
    // Even when asked about the old base explicitly.
    let base = t.repo.git(&["merge-base", "main", "feat"]);
    let v = refused(&t, &[&format!("{}..feat", base.trim())]);
    assert_eq!(v["trust"]["commit"].as_str(), Some(t.head("main").as_str()));
}

#[test]
fn the_trust_root_is_the_remotes_default_branch_not_a_local_one() {
    let t = Team::new(&["alice", "bob"]);
    let srv = tempfile::tempdir().unwrap();
    ok(git_in(
        srv.path(),
        &["init", "-q", "--bare", "-b", "main", "."],
    ));
    let w = t.repo.path();
    ok(git_in(
        w,
        &["remote", "add", "origin", srv.path().to_str().unwrap()],
    ));
    backdoor_change(&t, "feat");
    ok(git_in(w, &["push", "-q", "origin", "main", "feat"]));
    // CI's clone: its local main carries a lax policy nobody pushed.
    let ci = tempfile::tempdir().unwrap();
    ok(git_in(
        ci.path(),
        &["clone", "-q", srv.path().to_str().unwrap(), "."],
    ));
    std::fs::write(ci.path().join(".countersign/policy.toml"), LAX_POLICY).unwrap();
    ok(git_in(ci.path(), &["commit", "-qam", "relax"]));
    let origin_main = ok(git_in(ci.path(), &["rev-parse", "origin/main"]))
        .trim()
        .to_string();
    let r = run_in(ci.path(), &["check", "--json", "origin/feat"]);
    assert_eq!(r.code, 1, "{}", said(&r));
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        v["trust"]["commit"].as_str(),
        Some(origin_main.as_str()),
        "{v}"
    );
    assert!(
        v["trust"]["ref"].as_str().unwrap_or("").contains("origin"),
        "{v}"
    );
    // The text output names the trust root too.
    let r = run_in(ci.path(), &["check", "origin/feat"]);
    assert_eq!(r.code, 1, "{}", said(&r));
    assert!(r.stdout.contains(&origin_main[..12]), "{}", said(&r));
    // Only an explicit --trust picks another root, and the report says which.
    let local = ok(git_in(ci.path(), &["rev-parse", "main"]))
        .trim()
        .to_string();
    let r = run_in(
        ci.path(),
        &["check", "--json", "--trust", "main", "origin/feat"],
    );
    let v: serde_json::Value =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", said(&r)));
    assert_eq!(v["trust"]["commit"].as_str(), Some(local.as_str()), "{v}");
}

#[test]
fn a_change_based_before_init_is_judged_by_the_trust_root_and_can_be_approved() {
    let t = Team::new(&["alice"]);
    t.repo.git(&["checkout", "-q", "-b", "old", "main~1"]);
    t.repo.write("a.txt", "a\n");
    t.repo.commit_all("old work\n\nAssisted-by: Claude Code");
    t.repo.git(&["checkout", "-q", "main"]);
    let id = t.repo.cs(&["submit", "old"]).ok().trim().to_string();
    let v = refused(&t, &["main..old"]);
    assert_judged_by_main(&t, &v);
    let r = t.approve("alice", &id);
    assert_eq!(r.code, 0, "{}", said(&r));
    let v = t.check_json("main..old");
    assert_eq!(v["ok"], true, "{v}");
}

/// A queue ref forged onto the commits of a submitted change, with an id that
/// sorts before or after the real one: the real change is still listed and
/// found by its id (the queue used to keep whichever ref it read first for a
/// head, and the order of loose refs on disk is not fixed).
#[test]
fn a_forged_queue_ref_on_the_same_commits_does_not_hide_the_change() {
    let t = Team::new(&["alice"]);
    let id = backdoor_change(&t, "feat");
    let head = t.head("feat");
    let base = t.head("main");
    for forged in ["0000forged", "zzzzforged"] {
        forge_pending_ref(&t, forged, &head, &base);
        let q = t.repo.cs(&["queue", "--json"]);
        let v: serde_json::Value = serde_json::from_str(q.ok()).unwrap();
        let ids: Vec<&str> = v
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c["id"].as_str())
            .collect();
        assert!(ids.contains(&id.as_str()), "{forged}: {ids:?}");
        assert!(
            ids.contains(&forged),
            "the forged ref is shown too: {ids:?}"
        );
        // Its id still finds it.
        let shown = t.repo.cs(&["show", &id]);
        assert!(shown.ok().contains("deploy.sh"), "{}", shown.stdout);
        t.repo.git(&[
            "update-ref",
            "-d",
            &format!("refs/countersign/pending/{forged}"),
        ]);
    }
}
