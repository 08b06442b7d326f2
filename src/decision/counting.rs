//! Counting decisions, as a plain function over plain data: given a change,
//! the repository's identity, the policy (from the trust root) and the records
//! that bear on the change (already verified under the trust root's
//! allowed_signers, dates included), decide whether it is approved and say why not.
//!
//! An approval counts only if its signature verifies, the signer is an allowed
//! senior valid at `at`, it names this repository, its verbatim patch-id is the
//! change's current one (computed against the computed base; a clean rebase
//! keeps it), and the reviewer is neither an author, a committer nor the signer
//! of a commit of the change (unless the policy allows self-approval). Each
//! reviewer's latest counting decision wins (records that do not count are
//! never ordered); a reject is a veto.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::policy::Policy;
use super::record::{Decision, Record};
use super::verify::{Status, Verified};

/// What the gate needs to know about a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeFacts {
    pub id: String,
    pub head: String,
    pub base: String,
    /// The current verbatim patch-id of `base..head`.
    pub patch_id: Option<String>,
    pub author_email: String,
    pub committer_email: String,
    /// Everyone else who wrote part of the change: the emails of the authors
    /// and committers of its other commits, and the principals whose keys
    /// signed any of its commits.
    pub contributors: Vec<String>,
    /// SHA256 fingerprints of the SSH keys that signed commits of the change.
    pub signer_keys: Vec<String>,
    /// The risk level the gate judges it at.
    pub level: String,
}

/// A record that may bear on a change, with its signature's verification.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub record: Record,
    pub verified: Verified,
}

/// A decision that counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Vote {
    pub reviewer: String,
    pub key: String,
    pub at: String,
    pub comment: String,
}

/// The gate's answer for one change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub id: String,
    pub head: String,
    /// The computed base (merge-base of the head with the trust root).
    pub base: String,
    pub approved: bool,
    /// `approved`, `rejected`, `stale` (only outdated decisions) or `pending`.
    pub state: String,
    /// How many approvals count.
    pub approvals: u32,
    /// How many the policy requires at this risk level.
    pub required: u32,
    pub level: String,
    pub approved_by: Vec<Vote>,
    pub rejected_by: Vec<Vote>,
    /// Why it is not approved, and why records did not count, in words.
    pub reasons: Vec<String>,
}

fn is_self(reviewer: &str, change: &ChangeFacts) -> Option<&'static str> {
    let r = reviewer.trim();
    if r.eq_ignore_ascii_case(change.author_email.trim()) {
        Some("author")
    } else if r.eq_ignore_ascii_case(change.committer_email.trim()) {
        Some("committer")
    } else if change
        .contributors
        .iter()
        .any(|c| r.eq_ignore_ascii_case(c.trim()))
    {
        Some("co-author")
    } else {
        None
    }
}

/// True when `reviewer` wrote, committed or submitted part of the change.
pub fn is_contributor(reviewer: &str, change: &ChangeFacts) -> bool {
    is_self(reviewer, change).is_some()
}

/// Judges a change. `candidates` are the records that bear on it (naming its
/// id or head, or attached to its head); a copied record must come with a
/// non-valid status (`Replayed`), which the caller sets from where it found it.
pub fn evaluate(
    change: &ChangeFacts,
    repo_id: &str,
    policy: &Policy,
    candidates: &[Candidate],
) -> Verdict {
    let mut reasons = Vec::new();
    let mut stale_seen = false;
    // reviewer -> (time, is_reject, record)
    let mut latest: BTreeMap<&str, (i64, bool, &Record)> = BTreeMap::new();
    for c in candidates {
        let r = &c.record;
        let what = format!("{} by {}", r.decision.as_str(), r.reviewer);
        if c.verified.status != Status::Valid {
            reasons.push(format!(
                "{what} does not count: {}: {}",
                c.verified.status.as_str(),
                c.verified.detail
            ));
            continue;
        }
        if r.repo != repo_id {
            reasons.push(format!(
                "{what} does not count: it names repository {:?}, this is {repo_id:?} (copied from another repository)",
                r.repo
            ));
            continue;
        }
        if !policy.is_senior(&r.reviewer) {
            reasons.push(format!(
                "{what} does not count: {} is not a senior in the trust root's policy.toml",
                r.reviewer
            ));
            continue;
        }
        if r.patch_id != change.patch_id {
            stale_seen = true;
            reasons.push(format!(
                "{what} is stale: the change was amended after it (patch-id {} then, {} now)",
                short(r.patch_id.as_deref()),
                short(change.patch_id.as_deref())
            ));
            continue;
        }
        if r.decision == Decision::Approve
            && !policy.self_approval
            && let Some(role) = is_self(&r.reviewer, change).or_else(|| {
                change
                    .signer_keys
                    .iter()
                    .any(|k| k == &r.key)
                    .then_some("commit signer")
            })
        {
            reasons.push(format!(
                    "{what} does not count: the reviewer is the change's {role} and the policy forbids self-approval"
                ));
            continue;
        }
        let t = r.at_unix().unwrap_or(i64::MIN);
        let reject = r.decision == Decision::Reject;
        let newer = match latest.get(r.reviewer.as_str()) {
            None => true,
            Some((pt, preject, _)) => (t, reject) > (*pt, *preject),
        };
        if newer {
            latest.insert(&r.reviewer, (t, reject, r));
        }
    }
    let vote = |r: &Record| Vote {
        reviewer: r.reviewer.clone(),
        key: r.key.clone(),
        at: r.at.clone(),
        comment: r.comment.clone(),
    };
    let mut approved_by = Vec::new();
    let mut rejected_by = Vec::new();
    let mut keys = BTreeSet::new();
    for (_, (_, reject, r)) in latest {
        if reject {
            rejected_by.push(vote(r));
        } else if keys.insert(r.key.clone()) {
            approved_by.push(vote(r));
        }
    }
    let required = policy.required(&change.level);
    let approvals = approved_by.len() as u32;
    for v in &rejected_by {
        reasons.push(format!(
            "rejected by {}: {} (blocks until {} decides again or the change is amended)",
            v.reviewer, v.comment, v.reviewer
        ));
    }
    if approvals < required {
        let who = if approved_by.is_empty() {
            String::new()
        } else {
            format!(
                " ({})",
                approved_by
                    .iter()
                    .map(|v| v.reviewer.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        reasons.push(format!(
            "needs {required} senior approval(s) at risk {}, has {approvals}{who}",
            change.level
        ));
    }
    let approved = rejected_by.is_empty() && approvals >= required;
    let state = if approved {
        "approved"
    } else if !rejected_by.is_empty() {
        "rejected"
    } else if stale_seen && approved_by.is_empty() {
        "stale"
    } else {
        "pending"
    };
    if approved {
        reasons.retain(|r| !r.starts_with("needs "));
    }
    Verdict {
        id: change.id.clone(),
        head: change.head.clone(),
        base: change.base.clone(),
        approved,
        state: state.to_string(),
        approvals,
        required,
        level: change.level.clone(),
        approved_by,
        rejected_by,
        reasons,
    }
}

fn short(p: Option<&str>) -> String {
    p.map_or_else(|| "none".to_string(), |s| s.chars().take(12).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::record::RiskField;

    fn change() -> ChangeFacts {
        ChangeFacts {
            id: "c1".into(),
            head: "h1".into(),
            base: "b1".into(),
            patch_id: Some("p1".into()),
            author_email: "dev@x".into(),
            committer_email: "dev@x".into(),
            contributors: vec!["sub@x".into()],
            signer_keys: vec!["ksigner".into()],
            level: "low".into(),
        }
    }

    fn rec(reviewer: &str, key: &str, d: Decision, at: &str, patch: &str) -> Candidate {
        Candidate {
            record: Record {
                v: 1,
                repo: "R".into(),
                change: "c1".into(),
                base: "b1".into(),
                head: "h1".into(),
                tree: "t".into(),
                patch_id: Some(patch.into()),
                decision: d,
                reviewer: reviewer.into(),
                key: key.into(),
                at: at.into(),
                risk: RiskField {
                    level: "low".into(),
                    score: 1,
                },
                comment: "c".into(),
                remarks: Vec::new(),
                sig: String::new(),
            },
            verified: Verified {
                status: Status::Valid,
                detail: String::new(),
            },
        }
    }

    const T1: &str = "2026-01-01T00:00:00Z";
    const T2: &str = "2026-01-02T00:00:00Z";

    #[test]
    fn one_valid_approval_approves_a_low_change() {
        let v = evaluate(
            &change(),
            "R",
            &Policy::default(),
            &[rec("a@x", "k1", Decision::Approve, T1, "p1")],
        );
        assert!(v.approved, "{v:?}");
        assert_eq!(v.state, "approved");
        assert!(v.reasons.is_empty());
    }

    #[test]
    fn critical_needs_two_distinct_keys() {
        let mut c = change();
        c.level = "critical".into();
        let p = Policy::default();
        let same_key = [
            rec("a@x", "k1", Decision::Approve, T1, "p1"),
            rec("b@x", "k1", Decision::Approve, T1, "p1"),
        ];
        assert!(!evaluate(&c, "R", &p, &same_key).approved);
        let two = [
            rec("a@x", "k1", Decision::Approve, T1, "p1"),
            rec("b@x", "k2", Decision::Approve, T1, "p1"),
        ];
        assert!(evaluate(&c, "R", &p, &two).approved);
    }

    #[test]
    fn a_reject_vetoes_until_the_same_reviewer_decides_again() {
        let p = Policy::default();
        let veto = [
            rec("a@x", "k1", Decision::Approve, T1, "p1"),
            rec("b@x", "k2", Decision::Reject, T1, "p1"),
        ];
        let v = evaluate(&change(), "R", &p, &veto);
        assert!(!v.approved);
        assert_eq!(v.state, "rejected");
        let withdrawn = [
            veto[0].clone(),
            veto[1].clone(),
            rec("b@x", "k2", Decision::Approve, T2, "p1"),
        ];
        assert!(evaluate(&change(), "R", &p, &withdrawn).approved);
        // A reject of older content does not block the amended change.
        let old = [
            rec("a@x", "k1", Decision::Approve, T2, "p1"),
            rec("b@x", "k2", Decision::Reject, T1, "p0"),
        ];
        assert!(evaluate(&change(), "R", &p, &old).approved);
    }

    #[test]
    fn stale_wrong_repo_self_and_invalid_records_do_not_count() {
        let p = Policy::default();
        let v = evaluate(
            &change(),
            "R",
            &p,
            &[rec("a@x", "k1", Decision::Approve, T1, "p0")],
        );
        assert_eq!(v.state, "stale");
        assert!(v.reasons[0].contains("stale"), "{:?}", v.reasons);
        let v = evaluate(
            &change(),
            "OTHER",
            &p,
            &[rec("a@x", "k1", Decision::Approve, T1, "p1")],
        );
        assert!(!v.approved && v.reasons[0].contains("another repository"));
        let v = evaluate(
            &change(),
            "R",
            &p,
            &[rec("DEV@x", "k1", Decision::Approve, T1, "p1")],
        );
        assert!(!v.approved && v.reasons[0].contains("self-approval"));
        let v = evaluate(
            &change(),
            "R",
            &p,
            &[rec("sub@x", "k1", Decision::Approve, T1, "p1")],
        );
        assert!(!v.approved && v.reasons[0].contains("co-author"));
        let v = evaluate(
            &change(),
            "R",
            &p,
            &[rec("a@x", "ksigner", Decision::Approve, T1, "p1")],
        );
        assert!(!v.approved && v.reasons[0].contains("commit signer"));
        let mut bad = rec("a@x", "k1", Decision::Approve, T1, "p1");
        bad.verified.status = Status::UnknownSigner;
        let v = evaluate(&change(), "R", &p, &[bad]);
        assert!(!v.approved && v.reasons[0].contains("unknown-signer"));
    }

    #[test]
    fn only_seniors_count() {
        let p = Policy::parse("[roles]\nsenior = [\"a@x\"]\n", "p").unwrap();
        let v = evaluate(
            &change(),
            "R",
            &p,
            &[rec("b@x", "k1", Decision::Approve, T1, "p1")],
        );
        assert!(!v.approved && v.reasons[0].contains("not a senior"));
    }
}
