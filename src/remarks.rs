//! Remarks on lines: parsing `--remark PATH:LINE:TEXT` (`PATH:old:LINE:TEXT` for
//! a removed line), checking that a remark points at a line the change's diff
//! shows, and the few lines of context an agent reads around it. Plain data: the
//! diff and file texts come from the caller.

use crate::decision::{Remark, RemarkSide};
use crate::diff::{Diff, LineKind};
use crate::error::BadInput;

/// The longest remark text, in characters (a record line must stay well under
/// `record::MAX_LINE`).
pub const MAX_TEXT_CHARS: usize = 2_000;

/// The most remarks one decision carries.
pub const MAX_REMARKS: usize = 20;

/// The side a diff line's number counts on for a remark: removed lines on the
/// old side, added and unchanged lines on the new side.
pub fn line_side(kind: LineKind) -> RemarkSide {
    match kind {
        LineKind::Removed => RemarkSide::Old,
        _ => RemarkSide::New,
    }
}

/// True when `diff` shows line `line` of `path` on `side` (a removed line for
/// the old side, an added or context line for the new side).
pub fn in_diff(diff: &Diff, path: &str, side: RemarkSide, line: u32) -> bool {
    diff.files
        .iter()
        .filter(|f| f.display_path() == path)
        .flat_map(|f| f.hunks.iter())
        .flat_map(|h| h.lines.iter())
        .any(|l| {
            line_side(l.kind) == side
                && match side {
                    RemarkSide::Old => l.old_no == Some(line),
                    RemarkSide::New => l.new_no == Some(line),
                }
        })
}

/// Checks a remark's text: not empty, not too long, no control characters but
/// newlines and tabs. Returns the trimmed text.
pub fn check_text(text: &str) -> Result<String, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("the remark's text is empty: say what to fix".into());
    }
    if t.chars().count() > MAX_TEXT_CHARS {
        return Err(format!(
            "the remark is longer than {MAX_TEXT_CHARS} characters: shorten it or put the rest in the comment"
        ));
    }
    if t.chars()
        .any(|c| c != '\n' && c != '\t' && crate::sanitize::hazard(c).is_some())
    {
        return Err("the remark holds control or hidden characters: remove them".into());
    }
    Ok(t.to_string())
}

/// Parses one `--remark` value against the change's diff. The path may itself
/// hold colons: of the ways to split the value, the one whose path is a file of
/// the diff is taken. Errors name the value and what to fix.
pub fn parse_spec(spec: &str, diff: &Diff) -> Result<Remark, BadInput> {
    let bad = |why: String| BadInput::new(format!("--remark {spec:?}: {why}"));
    let mut candidates = Vec::new();
    for (i, _) in spec.match_indices(':') {
        let (path, rest) = (&spec[..i], &spec[i + 1..]);
        if path.is_empty() {
            continue;
        }
        let (side, rest) = match rest.split_once(':') {
            Some(("old", r)) => (RemarkSide::Old, r),
            Some(("new", r)) => (RemarkSide::New, r),
            _ => (RemarkSide::New, rest),
        };
        let Some((num, text)) = rest.split_once(':') else {
            continue;
        };
        let Ok(line) = num.parse::<u32>() else {
            continue;
        };
        candidates.push((path, side, line, text));
    }
    if candidates.is_empty() {
        return Err(bad(
            "not PATH:LINE:TEXT (or PATH:old:LINE:TEXT for a removed line)".into(),
        ));
    }
    let known = |p: &str| diff.files.iter().any(|f| f.display_path() == p);
    let Some(&(path, side, line, text)) = candidates
        .iter()
        .find(|c| known(c.0))
        .or(candidates.first())
    else {
        unreachable!("candidates is not empty")
    };
    if !known(path) {
        return Err(bad(format!(
            "{path} is not a file of this change; `countersign show <id>` lists them"
        )));
    }
    if line == 0 || !in_diff(diff, path, side, line) {
        let hint = match side {
            RemarkSide::New => "PATH:old:LINE for a removed line",
            RemarkSide::Old => "PATH:LINE for an added or unchanged line",
        };
        return Err(bad(format!(
            "line {line} of the {} {path} is not in the change's diff; a remark goes on a line the diff shows ({hint})",
            side.as_str()
        )));
    }
    let text = check_text(text).map_err(bad)?;
    Ok(Remark {
        path: path.to_string(),
        side,
        line,
        text,
    })
}

/// Parses every `--remark` value; at most [`MAX_REMARKS`].
pub fn parse_specs(specs: &[String], diff: &Diff) -> Result<Vec<Remark>, BadInput> {
    if specs.len() > MAX_REMARKS {
        return Err(BadInput::new(format!(
            "{} remarks: a decision carries at most {MAX_REMARKS}; put the rest in the comment",
            specs.len()
        )));
    }
    specs.iter().map(|s| parse_spec(s, diff)).collect()
}

/// Lines around a remark in the file it was made on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Context {
    /// The 1-based number of the first line.
    pub first: u32,
    /// The lines, without newlines (lossily decoded).
    pub lines: Vec<String>,
}

/// Up to `radius` lines either side of 1-based `line` of `text`; `None` when
/// the file has no such line.
pub fn context(text: &str, line: u32, radius: u32) -> Option<Context> {
    let all: Vec<&str> = text.lines().collect();
    let at = line.checked_sub(1)? as usize;
    if at >= all.len() {
        return None;
    }
    let first = at.saturating_sub(radius as usize);
    let last = (at + radius as usize).min(all.len() - 1);
    Some(Context {
        first: first as u32 + 1,
        lines: all[first..=last].iter().map(|s| s.to_string()).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{DiffLine, FileDiff, FileStatus, Hunk, MinusPlus};

    fn line(kind: LineKind, old: Option<u32>, new: Option<u32>, text: &str) -> DiffLine {
        DiffLine {
            kind,
            old_no: old,
            new_no: new,
            content: text.into(),
            no_newline: false,
            invalid_utf8: false,
        }
    }

    fn diff() -> Diff {
        let file = |path: &str| FileDiff {
            path: MinusPlus::new(Some(path.into()), Some(path.into())),
            status: FileStatus::Modified,
            mode: MinusPlus::new(Some(0o100644), Some(0o100644)),
            blob: MinusPlus::default(),
            similarity: None,
            binary: false,
            size: MinusPlus::default(),
            additions: 1,
            deletions: 1,
            hunks: vec![Hunk {
                old_start: 1,
                old_lines: 2,
                new_start: 1,
                new_lines: 2,
                section: String::new(),
                lines: vec![
                    line(LineKind::Context, Some(1), Some(1), "a"),
                    line(LineKind::Removed, Some(2), None, "b"),
                    line(LineKind::Added, None, Some(2), "B"),
                ],
            }],
        };
        Diff {
            files: vec![file("src/a.rs"), file("odd:3:name")],
        }
    }

    #[test]
    fn specs_name_new_and_old_lines() {
        let d = diff();
        let r = parse_spec("src/a.rs:2:use the helper", &d).unwrap();
        assert_eq!(
            (r.side, r.line, r.text.as_str()),
            (RemarkSide::New, 2, "use the helper")
        );
        let r = parse_spec("src/a.rs:old:2:keep: this", &d).unwrap();
        assert_eq!(
            (r.side, r.line, r.text.as_str()),
            (RemarkSide::Old, 2, "keep: this")
        );
        // Context lines count on the new side.
        assert!(parse_spec("src/a.rs:1:x", &d).is_ok());
        // A path with colons: the split that names a file wins.
        let r = parse_spec("odd:3:name:1:ok", &d).unwrap();
        assert_eq!((r.path.as_str(), r.line), ("odd:3:name", 1));
    }

    #[test]
    fn bad_specs_say_what_is_wrong() {
        let d = diff();
        let e = |s: &str| parse_spec(s, &d).unwrap_err().to_string();
        assert!(
            e("src/a.rs").contains("not PATH:LINE:TEXT"),
            "{}",
            e("src/a.rs")
        );
        assert!(e("src/a.rs:x:y").contains("not PATH:LINE:TEXT"));
        assert!(e("nope.rs:1:x").contains("nope.rs is not a file"));
        assert!(
            e("src/a.rs:9:x").contains("line 9 of the new src/a.rs is not in the change's diff")
        );
        // A removed line is on the old side only; an added line on the new side only.
        assert!(e("src/a.rs:old:1:x").contains("not in the change's diff"));
        assert!(e("src/a.rs:old:3:x").contains("old src/a.rs"));
        assert!(e("src/a.rs:2: ").contains("empty"));
        assert!(e("src/a.rs:2:a\u{202e}b").contains("hidden"));
        let many: Vec<String> = (0..=MAX_REMARKS).map(|_| "src/a.rs:2:x".into()).collect();
        assert!(
            parse_specs(&many, &d)
                .unwrap_err()
                .to_string()
                .contains("at most")
        );
    }

    #[test]
    fn context_is_clamped_to_the_file() {
        let text = "1\n2\n3\n4\n5\n";
        assert_eq!(
            context(text, 1, 2).unwrap(),
            Context {
                first: 1,
                lines: vec!["1".into(), "2".into(), "3".into()]
            }
        );
        assert_eq!(context(text, 5, 1).unwrap().lines, vec!["4", "5"]);
        assert!(context(text, 6, 1).is_none());
        assert!(context(text, 0, 1).is_none());
    }
}
