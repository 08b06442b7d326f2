//! New, not old: which results on the head were absent at the base. Results
//! match by a SARIF fingerprint the two share, else by rule, file and the
//! text of the line (trimmed, so re-indenting or moving a line keeps its
//! match). Matching consumes: two equal results at the head against one at the
//! base leave one new. A fingerprint value that several different results of a
//! run share (semgrep writes `requires login` for every result without an
//! account) tells nothing and is ignored.

use std::collections::{HashMap, HashSet};

use super::AnalysisResult;

/// A result with the text of its line (on its own side), for matching.
#[derive(Debug, Clone, Copy)]
pub struct Placed<'a> {
    pub result: &'a AnalysisResult,
    /// The line's text, trimmed; `None` when the line could not be read.
    pub text: Option<&'a str>,
}

/// Where a result is: rule, path, line.
type Spot<'a> = (&'a str, &'a str, Option<u32>);

/// The fingerprints of a run that single out one result.
fn telling_fingerprints<'a>(run: &[Placed<'a>]) -> HashSet<&'a str> {
    let mut owners: HashMap<&'a str, HashSet<Spot<'a>>> = HashMap::new();
    for p in run {
        for f in &p.result.fingerprints {
            owners.entry(f.as_str()).or_default().insert((
                p.result.rule.as_str(),
                p.result.path.as_str(),
                p.result.line,
            ));
        }
    }
    owners
        .into_iter()
        .filter(|(_, who)| who.len() == 1)
        .map(|(f, _)| f)
        .collect()
}

/// For each head result, whether the change introduced it (no base result
/// matches it). Base paths must already be in head terms (renames mapped).
pub fn introduced(head: &[Placed<'_>], base: &[Placed<'_>]) -> Vec<bool> {
    let head_fp = telling_fingerprints(head);
    let base_fp = telling_fingerprints(base);
    let mut used = vec![false; base.len()];
    let mut out = vec![true; head.len()];
    // First by fingerprint, then by content: a fingerprint match is the
    // tool's own word and must not be taken by a looser content match.
    for (i, h) in head.iter().enumerate() {
        let fps: Vec<&str> = h
            .result
            .fingerprints
            .iter()
            .map(String::as_str)
            .filter(|f| head_fp.contains(f) && base_fp.contains(f))
            .collect();
        if fps.is_empty() {
            continue;
        }
        if let Some(j) = (0..base.len()).find(|&j| {
            !used[j]
                && base[j].result.rule == h.result.rule
                && base[j]
                    .result
                    .fingerprints
                    .iter()
                    .any(|f| fps.contains(&f.as_str()))
        }) {
            used[j] = true;
            out[i] = false;
        }
    }
    for (i, h) in head.iter().enumerate() {
        if !out[i] {
            continue;
        }
        if let Some(j) = (0..base.len()).find(|&j| !used[j] && same_place(h, &base[j])) {
            used[j] = true;
            out[i] = false;
        }
    }
    out
}

/// Same rule, same file, and the same line text (or, when a text is not
/// known, the same line number).
fn same_place(a: &Placed<'_>, b: &Placed<'_>) -> bool {
    if a.result.rule != b.result.rule || a.result.path != b.result.path {
        return false;
    }
    match (a.text, b.text) {
        (Some(x), Some(y)) => x == y,
        _ => a.result.line == b.result.line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(rule: &str, path: &str, line: u32, fps: &[&str]) -> AnalysisResult {
        AnalysisResult {
            rule: rule.into(),
            level: "error".into(),
            security_severity: None,
            path: path.into(),
            line: Some(line),
            message: String::new(),
            fingerprints: fps.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn a_moved_line_is_old_and_a_second_copy_is_new() {
        let base = [r("B602", "a.py", 3, &[])];
        let head = [r("B602", "a.py", 10, &[]), r("B602", "a.py", 11, &[])];
        let t = "subprocess.call(x, shell=True)";
        let b: Vec<_> = base
            .iter()
            .map(|r| Placed {
                result: r,
                text: Some(t),
            })
            .collect();
        let h: Vec<_> = head
            .iter()
            .map(|r| Placed {
                result: r,
                text: Some(t),
            })
            .collect();
        assert_eq!(introduced(&h, &b), vec![false, true]);
    }

    #[test]
    fn fingerprints_match_across_edits_but_shared_ones_are_ignored() {
        let base = [r("R1", "a.py", 3, &["id=1"]), r("R2", "a.py", 4, &["id=x"])];
        let head = [
            r("R1", "a.py", 30, &["id=1"]),
            r("R2", "a.py", 40, &["id=x"]),
            r("R2", "a.py", 41, &["id=x"]),
        ];
        let b: Vec<_> = base
            .iter()
            .map(|r| Placed {
                result: r,
                text: Some("old"),
            })
            .collect();
        let h: Vec<_> = head
            .iter()
            .map(|r| Placed {
                result: r,
                text: Some("new"),
            })
            .collect();
        // R1 keeps its fingerprint through an edit; `id=x` names two results
        // at the head, so it tells nothing and the changed texts decide.
        assert_eq!(introduced(&h, &b), vec![false, true, true]);
    }

    #[test]
    fn another_rule_or_file_is_new() {
        let base = [r("R1", "a.py", 3, &[])];
        let head = [r("R2", "a.py", 3, &[]), r("R1", "b.py", 3, &[])];
        let b: Vec<_> = base
            .iter()
            .map(|r| Placed {
                result: r,
                text: Some("x"),
            })
            .collect();
        let h: Vec<_> = head
            .iter()
            .map(|r| Placed {
                result: r,
                text: Some("x"),
            })
            .collect();
        assert_eq!(introduced(&h, &b), vec![true, true]);
    }
}
