//! Time: a record dated more than 10 minutes after the verifier's clock does
//! not count (audit status `future`), and "latest decision per reviewer"
//! orders counting records only.

use crate::common::{minutes_from_now, record_at, refused};
use crate::kit::{Team, reasons, statuses};

fn change(t: &Team) -> String {
    t.ai_change("feat", "a.txt", "a\n")
}

fn future_details(audit: &serde_json::Value) -> Vec<String> {
    audit["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["status"] == "future")
        .map(|d| d["detail"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn a_far_future_approval_does_not_outlive_the_same_reviewers_later_reject() {
    let t = Team::new(&["alice", "bob"]);
    let id = change(&t);
    let line = record_at(&t, "alice", &id, "approve", "2099-01-01T00:00:00Z");
    t.append_line("feat", &line);
    // Later (by the clock), alice rejects.
    t.reject("alice", &id, "on second thought: unsafe").ok();
    let v = refused(&t, &["main..feat"]);
    assert_eq!(v["changes"][0]["approvals"], 0, "{v}");
    assert!(reasons(&v).contains("reject"), "{v}");
    let (code, audit) = t.audit();
    assert_eq!(code, 1, "a future record is not valid: {audit}");
    assert_eq!(statuses(&audit), vec!["future", "valid"], "{audit}");
    let d = future_details(&audit);
    assert!(
        d.iter().all(|d| d.contains("2099")),
        "the detail names the date: {d:?}"
    );
}

#[test]
fn an_approval_dated_twenty_minutes_ahead_does_not_count() {
    let t = Team::new(&["alice", "bob"]);
    let id = change(&t);
    let line = record_at(&t, "alice", &id, "approve", &minutes_from_now(20));
    t.append_line("feat", &line);
    let v = refused(&t, &["main..feat"]);
    assert_eq!(v["changes"][0]["approvals"], 0, "{v}");
    assert!(reasons(&v).contains("future"), "{v}");
    let (code, audit) = t.audit();
    assert_eq!(code, 1);
    assert_eq!(statuses(&audit), vec!["future"], "{audit}");
    // A second future approval (bob's) does not add up either.
    let line = record_at(&t, "bob", &id, "approve", "2031-06-01T00:00:00Z");
    t.append_line("feat", &line);
    let v = refused(&t, &["main..feat"]);
    assert_eq!(v["changes"][0]["approvals"], 0, "{v}");
}

#[test]
fn clock_skew_within_ten_minutes_still_counts() {
    let t = Team::new(&["alice", "bob"]);
    let id = change(&t);
    let line = record_at(&t, "alice", &id, "approve", &minutes_from_now(5));
    t.append_line("feat", &line);
    let v = t.check_json("main..feat");
    assert_eq!(v["ok"], true, "five minutes of skew is tolerated: {v}");
    let (code, audit) = t.audit();
    assert_eq!(code, 0);
    assert_eq!(statuses(&audit), vec!["valid"], "{audit}");
}

#[test]
fn a_future_approval_on_a_landed_change_does_not_count_in_the_landed_audit() {
    let t = Team::new(&["alice", "bob"]);
    let id = change(&t);
    let before = t.head("main");
    let line = record_at(&t, "alice", &id, "approve", "2099-01-01T00:00:00Z");
    t.append_line("feat", &line);
    t.repo.git(&["merge", "-q", "--ff-only", "feat"]);
    let r = t.cs_env(
        &["audit", "--landed", &format!("{before}..main"), "--json"],
        &[],
    );
    assert_eq!(r.code, 1, "{} {}", r.stdout, r.stderr);
    assert!(r.stdout.contains(&t.head("feat")), "{}", r.stdout);
}
