//! What is gated is what lands: commits by the policy's agent identities
//! (author or committer) without any trailer, every commit under
//! `scope = "all"`, and merge commits that bring content of their own; and a
//! revision already on the trust root is not passed as "ok".

use crate::common::{BACKDOOR, commit_on, extend_policy_on_main, git_as, ok, refused, said};
use crate::kit::Team;

const BOTS: &str = "[ai]\nidentities = [\"*@bots.example\"]\n";

/// A commit on a new branch off main, by the given author and committer, with
/// no trailer; back on main; returns the head.
fn plain_commit(t: &Team, branch: &str, author: &str, committer: &str) -> String {
    let w = t.repo.path();
    t.repo.git(&["checkout", "-q", "-b", branch, "main"]);
    t.repo.write("deploy.sh", BACKDOOR);
    t.repo.git(&["add", "-A"]);
    ok(git_as(
        w,
        &["commit", "-q", "-m", "tidy the deploy script"],
        &[
            ("GIT_AUTHOR_NAME", "Helpful Dev"),
            ("GIT_AUTHOR_EMAIL", author),
            ("GIT_COMMITTER_NAME", "Helpful Dev"),
            ("GIT_COMMITTER_EMAIL", committer),
        ],
    ));
    t.repo.git(&["checkout", "-q", "main"]);
    t.head(branch)
}

fn names(v: &serde_json::Value, head: &str) {
    assert!(
        v["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["head"] == head && c["approved"] == false),
        "{head} is judged and not approved: {v}"
    );
}

#[test]
fn an_agent_identity_without_a_trailer_is_gated() {
    let t = Team::new(&["alice", "bob"]);
    extend_policy_on_main(&t, BOTS);
    let head = plain_commit(&t, "feat", "agent-7@bots.example", "ada@example.com");
    let v = refused(&t, &["main..feat"]);
    names(&v, &head);
    let r = t.check("main..feat");
    assert_eq!(r.code, 1, "{}", said(&r));
    assert!(r.stdout.contains("NOT APPROVED"), "{}", said(&r));
    // A human's commit in the same policy is not gated (scope "ai").
    commit_on(&t, "human", &[("notes.md", "hi\n")], "notes");
    let v = t.check_json("main..human");
    assert_eq!(v["ok"], true, "{v}");
    assert!(v["changes"].as_array().unwrap().is_empty(), "{v}");
    // The glob matches whole addresses: a look-alike domain is not an agent,
    // a sub-address of it is.
    let other = plain_commit(&t, "lookalike", "x@bots.example.org", "x@bots.example.org");
    let v = t.check_json("main..lookalike");
    assert!(
        !v["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["head"] == other),
        "{v}"
    );
}

#[test]
fn an_agent_identity_as_committer_only_is_gated() {
    let t = Team::new(&["alice", "bob"]);
    extend_policy_on_main(&t, BOTS);
    let head = plain_commit(&t, "feat", "ada@example.com", "ci-bot@bots.example");
    let v = refused(&t, &["main..feat"]);
    names(&v, &head);
}

#[test]
fn scope_all_gates_commits_without_any_marker() {
    let t = Team::new(&["alice", "bob"]);
    extend_policy_on_main(&t, "[gate]\nscope = \"all\"\n");
    let head = plain_commit(&t, "feat", "ada@example.com", "ada@example.com");
    let v = refused(&t, &["main..feat"]);
    names(&v, &head);
    let v = refused(&t, &["feat"]);
    names(&v, &head);
}

/// main with an approved AI change `feat` (alice and bob, whatever its level).
fn approved_feat() -> (Team, String) {
    let t = Team::new(&["alice", "bob"]);
    let id = t.ai_change("feat", "a.txt", "a\n");
    t.approve("alice", &id).ok();
    t.approve("bob", &id).ok();
    assert_eq!(t.check_json("main..feat")["ok"], true);
    // main moves on, so a merge is a real merge.
    t.repo.write("CHANGELOG.md", "changes\n");
    t.repo.commit_all("changelog");
    (t, id)
}

#[test]
fn an_evil_merge_of_an_approved_change_is_gated() {
    let (t, _id) = approved_feat();
    // A clean merge of the approved change passes.
    t.repo.git(&["checkout", "-q", "-b", "clean", "main"]);
    t.repo.git(&["merge", "-q", "--no-ff", "--no-edit", "feat"]);
    t.repo.git(&["checkout", "-q", "main"]);
    let v = t.check_json("main..clean");
    assert_eq!(v["ok"], true, "a clean merge of an approved change: {v}");
    // The same merge with a backdoor slipped into the merge commit.
    t.repo.git(&["checkout", "-q", "-b", "land", "main"]);
    t.repo
        .git(&["merge", "-q", "--no-ff", "--no-commit", "feat"]);
    t.repo.write("deploy.sh", BACKDOOR);
    t.repo.git(&["add", "-A"]);
    t.repo.git(&["commit", "-q", "-m", "Merge branch 'feat'"]);
    t.repo.git(&["checkout", "-q", "main"]);
    let head = t.head("land");
    let v = refused(&t, &["main..land"]);
    names(&v, &head);
    // Landing it on main is refused by the same check on the new tip.
    let v = refused(&t, &["land"]);
    names(&v, &head);
}

#[test]
fn a_merge_that_brings_an_unapproved_ai_commit_is_gated() {
    let t = Team::new(&["alice", "bob"]);
    t.ai_change("feat", "deploy.sh", BACKDOOR);
    t.repo.write("CHANGELOG.md", "changes\n");
    t.repo.commit_all("changelog");
    t.repo.git(&["checkout", "-q", "-b", "land", "main"]);
    t.repo.git(&["merge", "-q", "--no-ff", "--no-edit", "feat"]);
    t.repo.git(&["checkout", "-q", "main"]);
    let v = refused(&t, &["main..land"]);
    assert!(!v["changes"].as_array().unwrap().is_empty(), "{v}");
}

#[test]
fn scope_all_gates_a_merge_of_human_branches_that_adds_content() {
    let t = Team::new(&["alice", "bob"]);
    extend_policy_on_main(&t, "[gate]\nscope = \"all\"\n");
    commit_on(&t, "side", &[("side.txt", "side\n")], "side work");
    t.repo.write("CHANGELOG.md", "changes\n");
    t.repo.commit_all("changelog");
    t.repo.git(&["checkout", "-q", "-b", "land", "main"]);
    t.repo
        .git(&["merge", "-q", "--no-ff", "--no-commit", "side"]);
    t.repo.write("deploy.sh", BACKDOOR);
    t.repo.git(&["add", "-A"]);
    t.repo.git(&["commit", "-q", "-m", "Merge branch 'side'"]);
    t.repo.git(&["checkout", "-q", "main"]);
    let v = refused(&t, &["main..land"]);
    names(&v, &t.head("land"));
}

#[test]
fn check_on_a_revision_already_on_the_trust_root_says_there_is_nothing_to_judge() {
    let t = Team::new(&["alice", "bob"]);
    t.ai_change("feat", "deploy.sh", BACKDOOR);
    // The unapproved change lands on main (pushed past the gate somehow).
    t.repo.git(&["merge", "-q", "--ff-only", "feat"]);
    for rev in ["main", "feat", "HEAD~1..HEAD"] {
        let r = t.check(rev);
        let text = said(&r);
        assert!(
            !text.contains("ok: no AI-assisted changes"),
            "{rev}: a post-merge check must not pass it as ok: {text}"
        );
        assert!(text.contains("nothing to judge"), "{rev}: {text}");
        assert!(
            text.contains("audit --landed"),
            "{rev}: points to the audit: {text}"
        );
    }
}
