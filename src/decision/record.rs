//! The decision record: one JSON object per line in the git note of a change's
//! head commit. `sig` is an SSHSIG (armored, exactly as `ssh-keygen -Y sign`
//! writes it) over the canonical JSON of every other field of the line.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::canonical::canonical_json;

/// The longest note line countersign reads as a record; longer lines are
/// reported as malformed (a real record is a few kilobytes).
pub const MAX_LINE: usize = 64 * 1024;

/// Approve or reject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Approve,
    Reject,
}

impl Decision {
    /// `approve` or `reject`.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Reject => "reject",
        }
    }
}

/// The risk the reviewer saw when deciding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskField {
    pub level: String,
    pub score: u8,
}

/// Which side of a diff a remark's line number counts on: `new` for added and
/// unchanged lines (the head's file), `old` for removed lines (the base's file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum RemarkSide {
    Old,
    New,
}

impl RemarkSide {
    /// `old` or `new`.
    pub fn as_str(self) -> &'static str {
        match self {
            RemarkSide::Old => "old",
            RemarkSide::New => "new",
        }
    }
}

/// A reviewer's remark on one line of the change, signed with the decision
/// that carries it: what the agent should fix, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Hash)]
pub struct Remark {
    /// The file's path (its new path; the old one for a deleted file).
    pub path: String,
    pub side: RemarkSide,
    /// 1-based line number on `side`.
    pub line: u32,
    pub text: String,
}

/// A decision record (docs/RECORDS.md). Unknown fields in a stored line are
/// covered by its signature but not kept here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// Format version (1).
    pub v: u32,
    /// The repository's identity: policy.toml's `repository`, else its root commit id.
    pub repo: String,
    /// The change's id.
    pub change: String,
    pub base: String,
    pub head: String,
    /// The head's tree id.
    pub tree: String,
    /// Verbatim patch-id of `git diff base head` (null for an empty diff).
    pub patch_id: Option<String>,
    pub decision: Decision,
    /// The principal in allowed_signers.
    pub reviewer: String,
    /// SHA256 fingerprint of the signing key (`SHA256:...`).
    pub key: String,
    /// RFC 3339 UTC time of the decision.
    pub at: String,
    pub risk: RiskField,
    pub comment: String,
    /// Remarks on lines. Omitted from the JSON when empty, so records written
    /// before remarks existed keep their exact bytes and signatures.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remarks: Vec<Remark>,
    /// The armored SSHSIG over the canonical JSON of the other fields.
    #[serde(default)]
    pub sig: String,
}

impl Record {
    /// The record's fields without `sig`, as JSON.
    pub fn unsigned_value(&self) -> Value {
        let mut v = serde_json::to_value(self).expect("records serialize");
        if let Value::Object(m) = &mut v {
            m.remove("sig");
        }
        v
    }

    /// The bytes the signature covers: the canonical JSON of every field but `sig`.
    pub fn payload(&self) -> String {
        canonical_json(&self.unsigned_value())
    }

    /// The record as one note line (canonical JSON, without the newline).
    pub fn to_line(&self) -> String {
        canonical_json(&serde_json::to_value(self).expect("records serialize"))
    }

    /// Seconds since the epoch of `at`, if it parses.
    pub fn at_unix(&self) -> Option<i64> {
        parse_time(&self.at)
    }
}

/// Parses an RFC 3339 time to seconds since the epoch.
pub fn parse_time(s: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.timestamp())
}

/// The current time as RFC 3339 UTC with seconds (`2026-01-02T03:04:05Z`).
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A note line read back: the record and the exact bytes its signature covers
/// (computed from the line itself, so fields unknown to this build count too).
#[derive(Debug, Clone)]
pub struct ParsedRecord {
    pub record: Record,
    pub payload: String,
}

/// Parses one note line. The error says, in words, why the line is malformed.
pub fn parse_line(line: &str) -> Result<ParsedRecord, String> {
    if line.len() > MAX_LINE {
        return Err(format!(
            "line of {} bytes is longer than the {MAX_LINE} a record may be",
            line.len()
        ));
    }
    let value: Value = serde_json::from_str(line).map_err(|e| format!("not a JSON record: {e}"))?;
    let Value::Object(mut map) = value else {
        return Err("not a JSON object".to_string());
    };
    let sig = match map.remove("sig") {
        Some(Value::String(s)) => s,
        Some(_) => return Err("`sig` is not a string".to_string()),
        None => return Err("no `sig` field: the record is unsigned".to_string()),
    };
    let payload = canonical_json(&Value::Object(map.clone()));
    map.insert("sig".into(), Value::String(sig));
    let record: Record = serde_json::from_value(Value::Object(map))
        .map_err(|e| format!("missing or wrong field: {e}"))?;
    if record.v != super::RECORD_VERSION {
        return Err(format!(
            "record version {} is not known to this countersign",
            record.v
        ));
    }
    if record.at_unix().is_none() {
        return Err(format!("`at` is not an RFC 3339 time: {:?}", record.at));
    }
    Ok(ParsedRecord { record, payload })
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample() -> Record {
        Record {
            v: 1,
            repo: "r".into(),
            change: "abcdefgh".into(),
            base: "b".repeat(40),
            head: "h".repeat(40),
            tree: "t".repeat(40),
            patch_id: Some("p".repeat(40)),
            decision: Decision::Approve,
            reviewer: "alice@example.com".into(),
            key: "SHA256:x".into(),
            at: "2026-01-02T03:04:05Z".into(),
            risk: RiskField {
                level: "low".into(),
                score: 3,
            },
            comment: "looks \"fine\"\nto me".into(),
            remarks: Vec::new(),
            sig: "-----BEGIN SSH SIGNATURE-----\nabc\n-----END SSH SIGNATURE-----\n".into(),
        }
    }

    #[test]
    fn a_record_is_one_line_and_round_trips() {
        let r = sample();
        let line = r.to_line();
        assert!(!line.contains('\n'));
        let back = parse_line(&line).unwrap();
        assert_eq!(back.record, r);
        assert_eq!(back.payload, r.payload());
        assert!(!back.payload.contains("sig"));
    }

    #[test]
    fn unknown_fields_are_covered_by_the_payload() {
        let r = sample();
        let mut v = serde_json::to_value(&r).unwrap();
        v["extra"] = Value::from("x");
        let back = parse_line(&canonical_json(&v)).unwrap();
        assert!(back.payload.contains("\"extra\":\"x\""));
        assert_ne!(back.payload, r.payload());
    }

    #[test]
    fn empty_remarks_leave_the_payload_as_before_and_remarks_are_signed() {
        let r = sample();
        assert!(!r.payload().contains("remarks"), "{}", r.payload());
        let mut with = r.clone();
        with.remarks.push(Remark {
            path: "src/a.rs".into(),
            side: RemarkSide::Old,
            line: 7,
            text: "keep the check".into(),
        });
        let p = with.payload();
        assert!(
            p.contains(
                r#""remarks":[{"line":7,"path":"src/a.rs","side":"old","text":"keep the check"}]"#
            ),
            "{p}"
        );
        let back = parse_line(&with.to_line()).unwrap();
        assert_eq!(back.record.remarks, with.remarks);
        assert_eq!(back.payload, p);
    }

    #[test]
    fn malformed_lines_say_why() {
        assert!(parse_line("{\"v\":1").unwrap_err().contains("not a JSON"));
        assert!(parse_line("[1]").unwrap_err().contains("object"));
        assert!(parse_line("{\"v\":1}").unwrap_err().contains("unsigned"));
        let long = "x".repeat(MAX_LINE + 1);
        assert!(parse_line(&long).unwrap_err().contains("longer"));
    }
}
