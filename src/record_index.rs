//! Every line of every decision note, parsed once and indexed by change id,
//! head and patch-id; and the verification of one line under the trust root
//! (signature, signer, placement, repository identity, date).

use std::collections::{HashMap, HashSet};

use crate::decision::record::{ParsedRecord, parse_line};
use crate::decision::verify::check_time;
use crate::decision::{Candidate, Status, Verified, verify_signature};
use crate::git::Repo;
use crate::trust::TrustRoot;

use anyhow::Result;

/// One line of a decision note.
#[derive(Debug, Clone)]
pub struct NoteLine {
    /// The commit the note is attached to.
    pub commit: String,
    /// 1-based line number in the note.
    pub line: usize,
    /// The record, or why the line is malformed.
    pub parsed: Result<ParsedRecord, String>,
    /// The start of the line (for malformed ones), escaped for display.
    pub excerpt: String,
}

/// How many malformed lines of one note are listed one by one.
pub const MAX_MALFORMED_PER_NOTE: usize = 100;

/// Every line of every decision note, indexed by change id and head.
#[derive(Debug, Clone, Default)]
pub struct RecordIndex {
    pub lines: Vec<NoteLine>,
    by_change: HashMap<String, Vec<usize>>,
    by_head: HashMap<String, Vec<usize>>,
    by_patch: HashMap<String, Vec<usize>>,
}

impl RecordIndex {
    /// Reads every note of the repository.
    pub fn load(repo: &Repo) -> Result<RecordIndex> {
        Ok(Self::from_notes(repo.all_notes()?))
    }

    /// Indexes notes given as (commit, bytes). Lines are parsed in parallel.
    pub fn from_notes(notes: Vec<(String, Vec<u8>)>) -> RecordIndex {
        use rayon::prelude::*;
        let parsed: Vec<Vec<NoteLine>> = notes
            .par_iter()
            .map(|(commit, bytes)| note_lines(commit, bytes))
            .collect();
        let mut idx = RecordIndex::default();
        for l in parsed.into_iter().flatten() {
            idx.push(l);
        }
        idx
    }

    fn push(&mut self, l: NoteLine) {
        let n = self.lines.len();
        self.by_head.entry(l.commit.clone()).or_default().push(n);
        if let Ok(p) = &l.parsed {
            self.by_change
                .entry(p.record.change.clone())
                .or_default()
                .push(n);
            if let Some(pid) = &p.record.patch_id {
                self.by_patch.entry(pid.clone()).or_default().push(n);
            }
            if p.record.head != l.commit {
                self.by_head
                    .entry(p.record.head.clone())
                    .or_default()
                    .push(n);
            }
        }
        self.lines.push(l);
    }

    /// Lines that may bear on a change: naming its id, or its head (in the
    /// record or as the commit carrying the note).
    pub fn for_change(&self, id: &str, head: &str) -> Vec<&NoteLine> {
        self.for_content(id, head, None)
    }

    /// Like [`for_change`](Self::for_change), plus records of exactly the same
    /// patch (same verbatim patch-id) under another id: a squash-merge or
    /// cherry-pick of approved content keeps its approvals, as a clean rebase
    /// does.
    pub fn for_content(&self, id: &str, head: &str, patch_id: Option<&str>) -> Vec<&NoteLine> {
        let mut seen = HashSet::new();
        self.by_change
            .get(id)
            .into_iter()
            .chain(self.by_head.get(head))
            .chain(patch_id.and_then(|p| self.by_patch.get(p)))
            .flatten()
            .filter(|i| seen.insert(**i))
            .map(|i| &self.lines[*i])
            .collect()
    }
}

/// The lines of one note: records, and malformed lines (the first
/// `MAX_MALFORMED_PER_NOTE` one by one, then one line counting the rest).
fn note_lines(commit: &str, bytes: &[u8]) -> Vec<NoteLine> {
    let mut out = Vec::new();
    let mut malformed = 0usize;
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let text = String::from_utf8_lossy(raw);
        let parsed = parse_line(&text);
        if parsed.is_err() {
            malformed += 1;
            if malformed > MAX_MALFORMED_PER_NOTE {
                continue;
            }
        }
        let excerpt: String = text.chars().take(80).collect();
        out.push(NoteLine {
            commit: commit.to_string(),
            line: i + 1,
            parsed,
            excerpt: crate::sanitize::escape_line(&excerpt),
        });
    }
    if malformed > MAX_MALFORMED_PER_NOTE {
        out.push(NoteLine {
            commit: commit.to_string(),
            line: 0,
            parsed: Err(format!(
                "{} more malformed lines in this note are not listed",
                malformed - MAX_MALFORMED_PER_NOTE
            )),
            excerpt: String::new(),
        });
    }
    out
}

/// Verifies a note line under the trust root: its signature and signer, that
/// it sits on the head it names, that it names this repository, and that it
/// is not dated more than 10 minutes after `now` (seconds since the epoch).
/// `None` for malformed lines.
pub fn verify_line(line: &NoteLine, trust: &TrustRoot, now: i64) -> Option<Candidate> {
    let parsed = line.parsed.as_ref().ok()?;
    let mut verified = verify_signature(parsed, &trust.signers);
    if verified.status == Status::Valid && parsed.record.head != line.commit {
        verified = Verified {
            status: Status::Replayed,
            detail: format!(
                "the record names head {} but is attached to commit {} (copied from another commit)",
                short(&parsed.record.head),
                short(&line.commit)
            ),
        };
    }
    if verified.status == Status::Valid && parsed.record.repo != trust.repo_id {
        verified = Verified {
            status: Status::WrongRepo,
            detail: format!(
                "the record names repository {:?}, this one is {:?} (copied from another repository)",
                parsed.record.repo, trust.repo_id
            ),
        };
    }
    if verified.status == Status::Valid
        && let Some(future) = check_time(parsed.record.at_unix().unwrap_or(i64::MIN), now)
    {
        verified = future;
    }
    Some(Candidate {
        record: parsed.record.clone(),
        verified,
    })
}

/// The first 12 characters of an id (never a byte slice: ids in records are
/// untrusted text).
pub fn short(id: &str) -> String {
    id.chars().take(12).collect()
}
