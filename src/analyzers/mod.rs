//! Analyzers the team already runs (bandit, semgrep, checkov, CodeQL, …), read
//! as SARIF and shown beside the review's lines like the engine's own findings.
//!
//! Two ways in: `attach` stores a CI job's SARIF for a commit under a notes ref
//! of its own ([`store`]); `.countersign/analyzers.toml` at the trust root
//! ([`config`]) names commands countersign runs itself on throw-away checkouts
//! of the base and the head ([`local`], [`runner`]). [`sarif`] reads and writes
//! the format; [`matching`] decides which results the change introduced;
//! [`merge`] weighs them into the risk report.

pub mod config;
pub mod local;
pub mod matching;
pub mod merge;
pub mod runner;
pub mod sarif;
pub mod store;

pub use config::{ANALYZERS_PATH, AnalyzersConfig, trust_commit};
pub use merge::{AnalysisOptions, analysed_report};
pub use store::ANALYSIS_REF;

use serde::{Deserialize, Serialize};

use crate::risk::Severity;

/// One result of an analyzer, reduced to what review needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisResult {
    /// The tool's rule id (`B602`, `CKV_AWS_21`).
    pub rule: String,
    /// SARIF `level`: `error`, `warning`, `note` or `none`.
    pub level: String,
    /// `properties.security-severity` (0.0–10.0), of the result or its rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_severity: Option<f64>,
    /// Relative to the repository's root, `/`-separated.
    pub path: String,
    /// 1-based start line; `None` for the whole file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    pub message: String,
    /// `partialFingerprints` and `fingerprints` as `name=value`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fingerprints: Vec<String>,
}

impl AnalysisResult {
    /// The severity the result carries: `security-severity` when present (as
    /// GitHub code scanning maps it: ≥ 9 critical, ≥ 7 high, ≥ 4 medium, else
    /// low), else the level (`error` high, `warning` medium, else low).
    pub fn severity(&self) -> Severity {
        if let Some(s) = self.security_severity {
            return match s {
                s if s >= 9.0 => Severity::Critical,
                s if s >= 7.0 => Severity::High,
                s if s >= 4.0 => Severity::Medium,
                _ => Severity::Low,
            };
        }
        match self.level.as_str() {
            "error" => Severity::High,
            "warning" => Severity::Medium,
            _ => Severity::Low,
        }
    }
}

/// One run of one tool on one commit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolRun {
    /// The tool's name, lowercase, one word (`bandit`).
    pub tool: String,
    /// The version it reported.
    #[serde(default)]
    pub version: String,
    /// The commit it analysed.
    pub commit: String,
    /// `local` (run here) or `attached` (from the analysis notes).
    pub source: String,
    pub results: Vec<AnalysisResult>,
}

/// What the analyzers contributed to a report (`risk --json` prints it as
/// `analyzers`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AnalysisSummary {
    /// The runs on the head that were used.
    pub ran: Vec<RunSummary>,
    /// One line per analyzer that could not run (not installed, timed out,
    /// broken output).
    pub missing: Vec<String>,
    /// Results hidden by default: already there at the base, or on lines the
    /// change left alone (`--all-results` shows them). They do not score.
    pub hidden: Vec<crate::risk::Finding>,
}

/// One analyzer run in the summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunSummary {
    pub tool: String,
    pub version: String,
    /// The head commit it analysed.
    pub head: String,
    /// `local` or `attached`.
    pub source: String,
    /// Whether a run on the base was there to compare with.
    pub compared_with_base: bool,
    /// Results on the head, and how many of them the change introduced.
    pub results: usize,
    pub new: usize,
}
