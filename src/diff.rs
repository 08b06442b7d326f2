//! Plain data model of a change's diff, produced by `git::diff` and read by the
//! risk engine, the highlighter, `show` and the TUI (none of which touch git2).

use serde::Serialize;

/// A pair of values for the old (minus) and new (plus) side of a diff, so code
/// that treats both sides alike is written once (delta's `MinusPlus`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MinusPlus<T> {
    pub minus: T,
    pub plus: T,
}

impl<T> MinusPlus<T> {
    pub fn new(minus: T, plus: T) -> Self {
        Self { minus, plus }
    }

    /// The value for one side.
    pub fn get(&self, side: Side) -> &T {
        match side {
            Side::Minus => &self.minus,
            Side::Plus => &self.plus,
        }
    }

    /// The value for one side, mutably.
    pub fn get_mut(&mut self, side: Side) -> &mut T {
        match side {
            Side::Minus => &mut self.minus,
            Side::Plus => &mut self.plus,
        }
    }

    /// Applies `f` to both sides.
    pub fn map<U>(self, mut f: impl FnMut(T) -> U) -> MinusPlus<U> {
        MinusPlus {
            minus: f(self.minus),
            plus: f(self.plus),
        }
    }
}

/// One side of a diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Minus,
    Plus,
}

/// What happened to a file in a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    Added,
    Deleted,
    Modified,
    Renamed,
    Copied,
    TypeChange,
}

impl FileStatus {
    /// One letter, as `git diff --name-status` prints it.
    pub fn letter(self) -> char {
        match self {
            FileStatus::Added => 'A',
            FileStatus::Deleted => 'D',
            FileStatus::Modified => 'M',
            FileStatus::Renamed => 'R',
            FileStatus::Copied => 'C',
            FileStatus::TypeChange => 'T',
        }
    }
}

/// The kind of a line inside a hunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LineKind {
    Context,
    Added,
    Removed,
}

/// One line of a hunk. `content` is the line without its newline, decoded as UTF-8
/// with invalid bytes replaced (`invalid_utf8` says so); it is untrusted text and
/// must be sanitised before it reaches a terminal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffLine {
    pub kind: LineKind,
    pub old_no: Option<u32>,
    pub new_no: Option<u32>,
    pub content: String,
    /// The line had no newline at the end of the file.
    pub no_newline: bool,
    pub invalid_utf8: bool,
}

/// A hunk: a run of changed lines with context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hunk {
    pub old_start: u32,
    pub old_lines: u32,
    pub new_start: u32,
    pub new_lines: u32,
    /// The text after the second `@@` (usually the enclosing function).
    pub section: String,
    pub lines: Vec<DiffLine>,
}

/// One file of a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileDiff {
    /// Paths on each side (`None` where the file does not exist), lossily decoded.
    pub path: MinusPlus<Option<String>>,
    pub status: FileStatus,
    /// File modes (e.g. 0o100644) on each side, where the file exists.
    pub mode: MinusPlus<Option<u32>>,
    /// Blob ids on each side (all zeros where the file does not exist).
    pub blob: MinusPlus<String>,
    /// Rename/copy similarity in percent.
    pub similarity: Option<u32>,
    pub binary: bool,
    /// Sizes of the blobs in bytes.
    pub size: MinusPlus<u64>,
    pub additions: u32,
    pub deletions: u32,
    pub hunks: Vec<Hunk>,
}

impl FileDiff {
    /// The path to show for this file: the new path, else the old one.
    pub fn display_path(&self) -> &str {
        self.path
            .plus
            .as_deref()
            .or(self.path.minus.as_deref())
            .unwrap_or("")
    }

    /// True when the mode changed (e.g. a file became executable).
    pub fn mode_changed(&self) -> bool {
        matches!((self.mode.minus, self.mode.plus), (Some(a), Some(b)) if a != b)
    }
}

/// The whole diff of a change: base..head.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Diff {
    pub files: Vec<FileDiff>,
}

impl Diff {
    /// Total added lines.
    pub fn additions(&self) -> u32 {
        self.files.iter().map(|f| f.additions).sum()
    }

    /// Total removed lines.
    pub fn deletions(&self) -> u32 {
        self.files.iter().map(|f| f.deletions).sum()
    }

    /// Total number of lines in all hunks.
    pub fn line_count(&self) -> usize {
        self.files
            .iter()
            .flat_map(|f| &f.hunks)
            .map(|h| h.lines.len())
            .sum()
    }
}
