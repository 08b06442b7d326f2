//! The score: 0–100 from findings, blast radius and size, and the level it maps
//! to. Written so a reviewer can predict it (the README explains it in words):
//!
//! * findings: the most severe finding sets the base — low 10, medium 30,
//!   high 60, critical 90 — and every further finding adds 4 (critical/high),
//!   2 (medium) or 1 (low), at most 10 in all;
//! * blast radius, at most 25: dependents 1–5 → 4, 6–25 → 8, 26–100 → 12,
//!   over 100 → 15; three or more components depending on it → +3; three or
//!   more fix commits on the changed files in the history window → +4; any
//!   changed file on a critical path → +8;
//! * size, at most 10: under 50 changed lines → 0, under 200 → 3, under 1,000
//!   → 6, else 10.
//!
//! The level follows the score — low 0–29, medium 30–59, high 60–89, critical
//! 90–100 — except that without a critical finding the score stops at 89: size
//! and reach alone never make a change critical, and one critical finding does.

use serde::{Deserialize, Serialize};

use super::{Blast, Finding, Severity};

/// The score, term by term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breakdown {
    /// From the most severe finding.
    pub findings_base: u8,
    /// From the other findings.
    pub findings_extra: u8,
    pub blast: u8,
    pub size: u8,
    pub total: u8,
    pub level: Severity,
}

/// Points of the most severe finding.
pub fn base_points(s: Option<Severity>) -> u8 {
    match s {
        None => 0,
        Some(Severity::Low) => 10,
        Some(Severity::Medium) => 30,
        Some(Severity::High) => 60,
        Some(Severity::Critical) => 90,
    }
}

/// Points of the blast radius.
pub fn blast_points(b: &Blast) -> u8 {
    let dep = match b.dependents {
        0 => 0,
        1..=5 => 4,
        6..=25 => 8,
        26..=100 => 12,
        _ => 15,
    };
    let comps = if b.dependent_components >= 3 { 3 } else { 0 };
    let fixes = if b.fix_commits >= 3 { 4 } else { 0 };
    let critical = if b.critical_paths.is_empty() { 0 } else { 8 };
    (dep + comps + fixes + critical).min(25)
}

/// Points of the change's size (added plus removed lines).
pub fn size_points(lines: u32) -> u8 {
    match lines {
        0..50 => 0,
        50..200 => 3,
        200..1000 => 6,
        _ => 10,
    }
}

/// The level of a score.
pub fn level_of(score: u8) -> Severity {
    match score {
        0..30 => Severity::Low,
        30..60 => Severity::Medium,
        60..90 => Severity::High,
        _ => Severity::Critical,
    }
}

/// Scores a change.
pub fn score(findings: &[Finding], blast: &Blast, lines_changed: u32) -> Breakdown {
    let top = findings.iter().map(|f| f.severity).max();
    let findings_base = base_points(top);
    let mut extra: u32 = 0;
    let mut skipped_top = false;
    for f in findings {
        if Some(f.severity) == top && !skipped_top {
            skipped_top = true;
            continue;
        }
        extra += match f.severity {
            Severity::Critical | Severity::High => 4,
            Severity::Medium => 2,
            Severity::Low => 1,
        };
    }
    let findings_extra = extra.min(10) as u8;
    let blast_pts = blast_points(blast);
    let size = size_points(lines_changed);
    let raw = u32::from(findings_base)
        + u32::from(findings_extra)
        + u32::from(blast_pts)
        + u32::from(size);
    let cap = if top == Some(Severity::Critical) {
        100
    } else {
        89
    };
    let total = raw.min(cap) as u8;
    Breakdown {
        findings_base,
        findings_extra,
        blast: blast_pts,
        size,
        total,
        level: level_of(total),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(s: Severity) -> Finding {
        Finding::added("r", s, "p", Some(1), "m")
    }

    #[test]
    fn size_and_reach_alone_never_make_critical() {
        let blast = Blast {
            dependents: 5000,
            dependent_components: 40,
            fix_commits: 30,
            critical_paths: vec!["auth/x.rs".into()],
            ..Blast::default()
        };
        let b = score(
            &[
                f(Severity::High),
                f(Severity::High),
                f(Severity::High),
                f(Severity::High),
            ],
            &blast,
            100_000,
        );
        assert_eq!(b.total, 89);
        assert_eq!(b.level, Severity::High);
        let b = score(&[], &blast, 100_000);
        assert_eq!(b.level, Severity::Medium);
    }

    #[test]
    fn one_critical_finding_is_critical() {
        let b = score(&[f(Severity::Critical)], &Blast::default(), 1);
        assert_eq!((b.total, b.level), (90, Severity::Critical));
    }

    #[test]
    fn a_medium_finding_with_wide_reach_becomes_high() {
        let blast = Blast {
            dependents: 150,
            dependent_components: 9,
            critical_paths: vec!["auth/mw.ts".into()],
            ..Blast::default()
        };
        let b = score(&[f(Severity::Medium)], &blast, 10);
        assert_eq!(b.blast, 25);
        assert_eq!(b.level, Severity::Medium);
        let b = score(&[f(Severity::Medium), f(Severity::Medium)], &blast, 300);
        assert_eq!(b.total, 30 + 2 + 25 + 6);
        assert_eq!(b.level, Severity::High);
    }

    #[test]
    fn nothing_found_is_low() {
        assert_eq!(score(&[], &Blast::default(), 20).level, Severity::Low);
    }
}
