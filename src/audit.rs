//! The audit: every decision in the repository, each verified under the
//! trust root (signers, repository identity, dates), with a summary (decisions per reviewer,
//! approvals and rejections, median time from submission to decision).

use std::collections::{BTreeMap, HashMap};

use anyhow::Result;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::decision::record::parse_time;
use crate::decision::{Record, Status, Verified};
use crate::gate::content;
use crate::git::Repo;
use crate::record_index::{NoteLine, RecordIndex, verify_line};
use crate::trust::TrustRoot;

/// One audited note line.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    /// The record (absent for malformed lines).
    pub record: Option<Record>,
    /// The commit whose note holds the line, and the line's number.
    pub note_commit: String,
    pub note_line: usize,
    pub status: Status,
    pub detail: String,
}

impl Serialize for AuditEntry {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut v = match &self.record {
            Some(r) => serde_json::to_value(r).map_err(serde::ser::Error::custom)?,
            None => Value::Object(Default::default()),
        };
        if let Value::Object(m) = &mut v {
            m.insert("status".into(), Value::from(self.status.as_str()));
            m.insert("detail".into(), Value::from(self.detail.clone()));
            m.insert("note_commit".into(), Value::from(self.note_commit.clone()));
            m.insert("note_line".into(), Value::from(self.note_line));
        }
        v.serialize(s)
    }
}

/// Filters of `audit`.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub reviewer: Option<String>,
    pub decision: Option<String>,
    /// Seconds since the epoch, inclusive.
    pub since: Option<i64>,
    /// Seconds since the epoch, exclusive.
    pub until: Option<i64>,
}

impl Filter {
    fn is_empty(&self) -> bool {
        self.reviewer.is_none()
            && self.decision.is_none()
            && self.since.is_none()
            && self.until.is_none()
    }

    fn keeps(&self, e: &AuditEntry) -> bool {
        let Some(r) = &e.record else {
            return self.is_empty();
        };
        let at = r.at_unix().unwrap_or(0);
        self.reviewer.as_ref().is_none_or(|x| *x == r.reviewer)
            && self
                .decision
                .as_ref()
                .is_none_or(|d| d == r.decision.as_str())
            && self.since.is_none_or(|s| at >= s)
            && self.until.is_none_or(|u| at < u)
    }
}

/// Counts of one reviewer.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReviewerCounts {
    pub approve: u32,
    pub reject: u32,
}

/// The summary of an audit.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub total: usize,
    pub valid: usize,
    pub invalid: usize,
    pub by_status: BTreeMap<String, usize>,
    pub approvals: usize,
    pub rejections: usize,
    pub by_reviewer: BTreeMap<String, ReviewerCounts>,
    /// Median seconds from a change's submission to a decision on it.
    pub median_seconds_to_decision: Option<i64>,
}

/// The audit's result.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Audit {
    pub decisions: Vec<AuditEntry>,
    pub summary: Summary,
}

/// Audits every decision note of `repo` under the trust root.
pub fn run(repo: &Repo, trust: &TrustRoot, filter: &Filter) -> Result<Audit> {
    let index = RecordIndex::load(repo)?;
    audit_index(repo, trust, &index, filter)
}

/// Audits the lines of `index` under the trust root.
pub fn audit_index(
    repo: &Repo,
    trust: &TrustRoot,
    index: &RecordIndex,
    filter: &Filter,
) -> Result<Audit> {
    let now = crate::gate::now();
    // The queue, for staleness and submission times.
    let queue = trust.changes(repo).unwrap_or_default();
    let mut current: HashMap<&str, Option<String>> = HashMap::new();
    let mut submitted: HashMap<&str, i64> = HashMap::new();
    for c in &queue {
        if let Ok(Some(base)) = trust.base_of(repo, &c.head)
            && base != c.head
            && let Ok(ct) = content(repo, trust, &base, &c.head)
        {
            current.insert(&c.id, ct.patch_id);
        }
        submitted.insert(&c.id, c.submitted_at);
        submitted.insert(&c.head, c.submitted_at);
    }
    let verify = |l: &NoteLine| -> AuditEntry {
        let parsed = match &l.parsed {
            Ok(p) => p,
            Err(why) => {
                return AuditEntry {
                    record: None,
                    note_commit: l.commit.clone(),
                    note_line: l.line,
                    status: Status::Malformed,
                    detail: if l.excerpt.is_empty() {
                        why.clone()
                    } else {
                        format!("line {}: {why}: {}", l.line, l.excerpt)
                    },
                };
            }
        };
        let mut v = verify_line(l, trust, now)
            .map(|c| c.verified)
            .unwrap_or(Verified {
                status: Status::Malformed,
                detail: "unreadable".into(),
            });
        if v.status == Status::Valid
            && let Some(now) = current.get(parsed.record.change.as_str())
            && *now != parsed.record.patch_id
        {
            v = Verified {
                status: Status::Stale,
                detail: "the change was amended after this decision (its patch-id changed)".into(),
            };
        }
        AuditEntry {
            record: Some(parsed.record.clone()),
            note_commit: l.commit.clone(),
            note_line: l.line,
            status: v.status,
            detail: v.detail,
        }
    };
    let mut decisions: Vec<AuditEntry> = index
        .lines
        .par_iter()
        .map(verify)
        .filter(|e| filter.keeps(e))
        .collect();
    decisions.sort_by(|a, b| {
        let at = |e: &AuditEntry| e.record.as_ref().map(|r| r.at.clone()).unwrap_or_default();
        at(a)
            .cmp(&at(b))
            .then(a.note_commit.cmp(&b.note_commit))
            .then(a.note_line.cmp(&b.note_line))
    });
    let summary = summarize(repo, &decisions, &submitted);
    Ok(Audit { decisions, summary })
}

fn summarize(repo: &Repo, decisions: &[AuditEntry], submitted: &HashMap<&str, i64>) -> Summary {
    let mut s = Summary {
        total: decisions.len(),
        ..Default::default()
    };
    let mut waits = Vec::new();
    let mut head_times: HashMap<String, Option<i64>> = HashMap::new();
    for e in decisions {
        *s.by_status
            .entry(e.status.as_str().to_string())
            .or_default() += 1;
        if e.status.is_invalid() {
            s.invalid += 1;
            continue;
        }
        s.valid += 1;
        let Some(r) = &e.record else { continue };
        let counts = s.by_reviewer.entry(r.reviewer.clone()).or_default();
        match r.decision {
            crate::decision::Decision::Approve => {
                counts.approve += 1;
                s.approvals += 1;
            }
            crate::decision::Decision::Reject => {
                counts.reject += 1;
                s.rejections += 1;
            }
        }
        let start = submitted.get(r.change.as_str()).copied().or_else(|| {
            *head_times
                .entry(r.head.clone())
                .or_insert_with(|| repo.commit_info(&r.head).ok().map(|c| c.time))
        });
        if let (Some(start), Some(at)) = (start, parse_time(&r.at)) {
            waits.push((at - start).max(0));
        }
    }
    if !waits.is_empty() {
        waits.sort_unstable();
        let n = waits.len();
        s.median_seconds_to_decision = Some(if n % 2 == 1 {
            waits[n / 2]
        } else {
            (waits[n / 2 - 1] + waits[n / 2]) / 2
        });
    }
    s
}

/// Parses a filter time: RFC 3339, or `YYYY-MM-DD` (midnight UTC).
pub fn parse_filter_time(s: &str) -> Option<i64> {
    parse_time(s).or_else(|| {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc().timestamp())
    })
}

/// A duration in words (`3h 12m`, `2d 4h`).
pub fn human_duration(secs: i64) -> String {
    let (d, h, m) = (secs / 86400, secs % 86400 / 3600, secs % 3600 / 60);
    if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else if m > 0 {
        format!("{m}m")
    } else {
        format!("{secs}s")
    }
}

/// One CSV field: quoted when needed, and defused against spreadsheet formulas.
pub fn csv_field(s: &str) -> String {
    let mut s = s.to_string();
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        s.insert(0, '\'');
    }
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}
