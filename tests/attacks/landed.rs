//! `audit --landed <range>`: what landed on the target without a valid
//! approval, found by the same rules as the gate (trailers, agent identities,
//! merge commits with content of their own). Exit 1 when anything did.

use crate::common::{BACKDOOR, extend_policy_on_main, git_as, ok, said};
use crate::kit::Team;

/// `audit --landed <range>` (text) and `--json`: (code, text, json).
fn landed(t: &Team, range: &str) -> (i32, String, serde_json::Value) {
    let r = t.cs_env(&["audit", "--landed", range], &[]);
    let j = t.cs_env(&["audit", "--landed", range, "--json"], &[]);
    assert_eq!(
        r.code,
        j.code,
        "text and JSON agree: {} / {}",
        said(&r),
        said(&j)
    );
    let v =
        serde_json::from_str(&j.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", said(&j)));
    (r.code, said(&r), v)
}

#[test]
fn an_unapproved_change_fast_forwarded_onto_main_is_reported() {
    let t = Team::new(&["alice", "bob"]);
    let id = t.ai_change("feat", "deploy.sh", BACKDOOR);
    let before = t.head("main");
    t.repo.git(&["merge", "-q", "--ff-only", "feat"]);
    let head = t.head("feat");
    let (code, text, v) = landed(&t, &format!("{before}..main"));
    assert_eq!(code, 1, "{text}");
    assert!(text.contains(&head[..12]) || text.contains(&id), "{text}");
    assert!(v.to_string().contains(&head), "{v}");
}

#[test]
fn a_landing_commit_dated_in_the_future_does_not_date_later_approvals_before_it() {
    let t = Team::new(&["alice", "bob"]);
    let id = t.ai_change("feat", "a.txt", "a\n");
    // Approvals the seniors will sign later, from a stale view of the queue.
    let later: Vec<_> = ["alice", "bob"].map(|w| (w, t.template(w, &id))).into();
    t.repo.write("CHANGELOG.md", "changes\n");
    let before = t.repo.commit_all("changelog");
    // The agent lands its change with a merge commit it dates in 2099...
    ok(git_as(
        t.repo.path(),
        &["merge", "-q", "--no-ff", "--no-edit", "feat"],
        &[
            ("GIT_COMMITTER_DATE", "@4070908800 +0000"),
            ("GIT_AUTHOR_DATE", "@4070908800 +0000"),
        ],
    ));
    // ...and the seniors sign afterwards (in time as it really went).
    for (who, mut rec) in later {
        rec.at = crate::common::minutes_from_now(1);
        let line = t.sign_with(&t.key(who), &mut rec);
        t.append_line("feat", &line);
    }
    let (code, text, v) = landed(&t, &format!("{before}..main"));
    assert_eq!(code, 1, "approvals made after landing do not count: {text}");
    assert!(v.to_string().contains(&t.head("feat")), "{v}");
}

#[test]
fn an_approved_change_that_landed_is_not_reported() {
    let t = Team::new(&["alice", "bob"]);
    let id = t.ai_change("feat", "a.txt", "a\n");
    t.approve("alice", &id).ok();
    t.approve("bob", &id).ok();
    let before = t.head("main");
    t.repo.git(&["merge", "-q", "--ff-only", "feat"]);
    let (code, text, v) = landed(&t, &format!("{before}..main"));
    assert_eq!(code, 0, "{text} {v}");
    assert_eq!(v["gated"], 1, "the change is gated: {v}");
    assert_eq!(v["unapproved"], serde_json::json!([]), "{v}");
}

#[test]
fn a_change_landed_by_an_agent_identity_without_a_trailer_is_reported() {
    let t = Team::new(&["alice", "bob"]);
    extend_policy_on_main(&t, "[ai]\nidentities = [\"*@bots.example\"]\n");
    let before = t.head("main");
    t.repo.write("deploy.sh", BACKDOOR);
    t.repo.git(&["add", "-A"]);
    ok(git_as(
        t.repo.path(),
        &["commit", "-q", "-m", "tidy"],
        &[
            ("GIT_AUTHOR_NAME", "Helpful Dev"),
            ("GIT_AUTHOR_EMAIL", "agent@bots.example"),
        ],
    ));
    let head = t.head("main");
    let (code, text, v) = landed(&t, &format!("{before}..main"));
    assert_eq!(code, 1, "{text}");
    assert!(v.to_string().contains(&head), "{v}");
}

#[test]
fn an_evil_merge_that_landed_is_reported() {
    let t = Team::new(&["alice", "bob"]);
    let id = t.ai_change("feat", "a.txt", "a\n");
    t.approve("alice", &id).ok();
    t.approve("bob", &id).ok();
    t.repo.write("CHANGELOG.md", "changes\n");
    let before = t.repo.commit_all("changelog");
    t.repo
        .git(&["merge", "-q", "--no-ff", "--no-commit", "feat"]);
    t.repo.write("deploy.sh", BACKDOOR);
    t.repo.git(&["add", "-A"]);
    t.repo.git(&["commit", "-q", "-m", "Merge branch 'feat'"]);
    let merge = t.head("main");
    let (code, text, v) = landed(&t, &format!("{before}..main"));
    assert_eq!(code, 1, "{text}");
    assert!(
        v.to_string().contains(&merge),
        "the merge commit is named: {v}"
    );
}

#[test]
fn approvals_signed_after_a_later_step_of_the_target_do_not_count() {
    let t = Team::new(&["alice", "bob"]);
    let id = t.ai_change("feat", "a.txt", "a\n");
    // Approvals the seniors will sign later, from a view of the queue taken
    // before the change landed.
    let later: Vec<_> = ["alice", "bob"].map(|w| (w, t.template(w, &id))).into();
    let before = t.head("main");
    // The agent fast-forwards its change onto main, unapproved; a maintainer
    // commits on top of it; only then do the seniors sign.
    t.repo.git(&["merge", "-q", "--ff-only", "feat"]);
    t.repo.write("NOTES.md", "later\n");
    t.repo.commit_all("a later step of the target");
    for (who, mut rec) in later {
        rec.at = crate::common::minutes_from_now(0);
        let line = t.sign_with(&t.key(who), &mut rec);
        t.append_line("feat", &line);
    }
    let (code, text, v) = landed(&t, &format!("{before}..main"));
    assert_eq!(code, 1, "approved only after it had landed: {text}");
    let bad = v["unapproved"].as_array().expect("unapproved list");
    assert_eq!(bad.len(), 1, "{v}");
    assert_eq!(bad[0]["commit"], t.head("feat").as_str(), "{v}");
    assert!(
        v.to_string().contains("after the change landed"),
        "the reason names the late approvals: {v}"
    );
}
