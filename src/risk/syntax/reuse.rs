//! Reuse across versions of a file. A queue of changes reads the same large
//! files again and again — both sides of one change, and the versions other
//! changes touch — and parsing and walking a 10,000-line file costs tens of
//! milliseconds each time. So the first version of a file read in this process
//! is kept as a *base*: its tree and the units and facts each of its subtrees
//! produced (`Span`s, by node id). Another version is parsed incrementally from
//! the base's tree, edited by a line diff between the two texts; tree-sitter
//! then shares every subtree that did not change with the base's tree, the
//! walker finds it by its id and adds what the base recorded for it instead of
//! walking it again. Plain data: text in, units out.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use tree_sitter::{InputEdit, Node, Parser, Point, Range, Tree};

use super::{Grammar, Outline, Span, SpanKey, Unit, finish, walk};

/// Files smaller than this are parsed afresh each time: there is little to
/// save, and nothing to keep.
pub const MIN_BASE_BYTES: usize = 8 * 1024;
/// The texts the kept bases and versions may hold in all (the bases' trees
/// take about ten times as much); the oldest files go first.
const MAX_BASE_BYTES: usize = 24 * 1024 * 1024;
/// A version that differs from the base in more than this share of its lines
/// is parsed afresh.
const MAX_CHANGED_SHARE: f64 = 0.5;

/// A version of a file kept to parse others from.
pub struct Base {
    text: String,
    tree: Tree,
    /// The units as walked (names not yet made unique).
    pub(super) units: Vec<Unit>,
    pub(super) spans: HashMap<SpanKey, Span>,
}

#[derive(Default)]
struct Bases {
    by_file: HashMap<(Grammar, String), Vec<Arc<Base>>>,
    order: VecDeque<(Grammar, String)>,
    bytes: usize,
    /// The last versions of each file walked from its base, and their units
    /// (the new side of one change is often the old side of the next).
    recent: HashMap<(Grammar, String), VecDeque<Version>>,
}

/// A version of a file and its units as walked.
type Version = (Arc<str>, Arc<Vec<Unit>>);

/// Versions remembered per file besides the bases.
const RECENT_VERSIONS: usize = 4;
/// Bases kept per file: a version more than `NEAR_LINES` lines away from
/// every base becomes one (the other side of its change is then near).
const BASES_PER_FILE: usize = 3;
const NEAR_LINES: usize = 200;

static BASES: LazyLock<Mutex<Bases>> = LazyLock::new(Mutex::default);

thread_local! {
    /// One parser per grammar and thread (a parser keeps its allocations).
    static PARSERS: RefCell<HashMap<Grammar, Parser>> = RefCell::new(HashMap::new());
}

/// Parses `text`, incrementally from `old` (already edited) when given.
pub(super) fn parse(grammar: Grammar, text: &str, old: Option<&Tree>) -> Option<Tree> {
    with_parser(grammar, |parser| parser.parse(text, old))
}

/// Runs `f` with this thread's parser for `grammar` (reset when it gives up).
fn with_parser(grammar: Grammar, f: impl FnOnce(&mut Parser) -> Option<Tree>) -> Option<Tree> {
    PARSERS.with(|p| {
        let mut parsers = p.borrow_mut();
        let parser = match parsers.entry(grammar) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let mut parser = Parser::new();
                parser.set_language(&grammar.language()).ok()?;
                e.insert(parser)
            }
        };
        let tree = f(parser);
        if tree.is_none() {
            parser.reset();
        }
        tree
    })
}

/// The outline of `text`, the version of `path` at hand, reusing the base kept
/// for `path` (or keeping this version as the base when it is the first and
/// at least `min_bytes` long).
pub(super) fn outline(
    grammar: Grammar,
    path: &str,
    text: &str,
    min_bytes: usize,
) -> Option<Outline> {
    if text.len() < min_bytes {
        return super::outline(grammar, text);
    }
    let key = (grammar, path.to_string());
    let (bases, seen) = {
        let b = BASES.lock().ok()?;
        let seen = b.recent.get(&key).and_then(|v| {
            v.iter()
                .find(|(t, _)| t.as_ref() == text)
                .map(|(_, u)| Arc::clone(u))
        });
        (b.by_file.get(&key).cloned().unwrap_or_default(), seen)
    };
    if let Some(units) = seen {
        return Some(finish(units.as_ref().clone()));
    }
    if let Some(base) = bases.iter().find(|b| b.text == text) {
        return Some(finish(base.units.clone()));
    }
    // The nearest base, unless it is far and another may be kept.
    let nearest = bases
        .iter()
        .filter_map(|b| edits(&b.text, text).map(|(e, changed)| (b, e, changed)))
        .min_by_key(|x| x.2)
        .filter(|x| x.2 <= NEAR_LINES || bases.len() >= BASES_PER_FILE);
    if let Some((base, edits, _)) = nearest {
        let Some(units) = from_base(grammar, base, edits, text) else {
            return super::outline(grammar, text);
        };
        let out = finish(units.clone());
        if let Ok(mut b) = BASES.lock()
            && b.by_file.contains_key(&key)
        {
            let v = b.recent.entry(key).or_default();
            v.push_back((Arc::from(text), Arc::new(units)));
            let dropped = if v.len() > RECENT_VERSIONS {
                v.pop_front().map_or(0, |(t, _)| t.len())
            } else {
                0
            };
            b.bytes = b.bytes + text.len() - dropped;
        }
        return Some(out);
    }
    let tree = parse(grammar, text, None)?;
    let (units, spans) = walk(grammar, &tree, text, None, true)?;
    let out = finish(units.clone());
    keep(
        key,
        Base {
            text: text.to_string(),
            tree,
            units,
            spans,
        },
    );
    Some(out)
}

/// Keeps `base` for its file, dropping the oldest bases over the budget.
fn keep(key: (Grammar, String), base: Base) {
    let Ok(mut b) = BASES.lock() else { return };
    let kept = b.by_file.entry(key.clone()).or_default();
    if kept.len() >= BASES_PER_FILE || kept.iter().any(|k| k.text == base.text) {
        return; // other threads kept enough first
    }
    let len = base.text.len();
    kept.push(Arc::new(base));
    b.bytes += len;
    b.order.push_back(key);
    while b.bytes > MAX_BASE_BYTES
        && b.order.len() > 1
        && let Some(old) = b.order.pop_front()
    {
        // The file's oldest base goes, and with its last base its versions.
        let Some(kept) = b.by_file.get_mut(&old) else {
            continue;
        };
        let gone = if kept.is_empty() {
            0
        } else {
            kept.remove(0).text.len()
        };
        let mut freed = gone;
        if kept.is_empty() {
            b.by_file.remove(&old);
            if let Some(v) = b.recent.remove(&old) {
                freed += v.iter().map(|(t, _)| t.len()).sum::<usize>();
            }
        }
        b.bytes -= freed;
    }
}

/// `text` walked from `base`: parsed incrementally from the base's tree
/// (Python: parsed without the statements the edits leave alone, which the
/// walk puts back from the base), replaying the base's spans wherever the
/// tree is unchanged. Names not yet made unique; `None` when the two differ
/// too much to be worth it.
fn from_base(
    grammar: Grammar,
    base: &Base,
    edits: Vec<InputEdit>,
    text: &str,
) -> Option<Vec<Unit>> {
    let mut edited = base.tree.clone();
    for e in &edits {
        edited.edit(e);
    }
    let mut from = Derived {
        base,
        edited,
        edits,
        gaps: Vec::new(),
    };
    if grammar == Grammar::Python {
        // tree-sitter-python reuses little of an old tree (most statements
        // start in a state its external scanner may lex in), so the parser
        // is not shown the statements the edits leave alone at all.
        let mut gaps = Vec::new();
        from.plan(from.edited.root_node(), &mut gaps);
        if !gaps.is_empty() {
            from.gaps = gaps;
            let ranges = from.included();
            if let Some(tree) = parse_ranges(grammar, text, &ranges)
                && let Some((units, _)) = walk(grammar, &tree, text, Some(&from), false)
            {
                return Some(units);
            }
            from.gaps.clear();
        }
    }
    let tree = parse(grammar, text, Some(&from.edited))?;
    let (units, _) = walk(grammar, &tree, text, Some(&from), false)?;
    Some(units)
}

/// Parses only `ranges` of `text`.
fn parse_ranges(grammar: Grammar, text: &str, ranges: &[Range]) -> Option<Tree> {
    with_parser(grammar, |parser| {
        parser.set_included_ranges(ranges).ok()?;
        let tree = parser.parse(text, None);
        let _ = parser.set_included_ranges(&[]);
        tree
    })
}

/// A statement left out of the parse of a version: where it is now, what
/// it was in the base, and the kind of the node it is a statement of.
#[derive(Debug, Clone)]
pub struct Gap {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) row: usize,
    start_point: Point,
    end_point: Point,
    pub(super) key: SpanKey,
    pub(super) parent_kind: u16,
}

/// Statements smaller than this are parsed rather than left out.
const GAP_MIN_BYTES: usize = 256;

/// A version being walked from a base: the base, its tree edited into the
/// new version's coordinates, and the edits.
pub struct Derived<'a> {
    pub(super) base: &'a Base,
    edited: Tree,
    /// In order; each in the coordinates the ones before it left, so their
    /// new ranges are ranges of the new text.
    edits: Vec<InputEdit>,
    /// The statements left out of the parse, in order.
    pub(super) gaps: Vec<Gap>,
}

impl Derived<'_> {
    /// What the base recorded for the node of the new tree `n`, when the base
    /// has the same node unchanged — tree-sitter's own test for a subtree
    /// it may reuse (`ts_tree_get_changed_ranges`): no edit touches it or
    /// the text its parse looked ahead at, and it has the same kind, extent
    /// and parse state.
    pub(super) fn unchanged(&self, n: Node<'_>) -> Option<&Span> {
        let (s, e) = (n.start_byte(), n.end_byte());
        let (s0, e0) = self.old_range(s, e)?;
        let mut o = self.edited.root_node().descendant_for_byte_range(s, e)?;
        while o.kind_id() != n.kind_id() {
            o = o.parent()?;
            if o.start_byte() != s || o.end_byte() != e {
                return None;
            }
        }
        if o.start_byte() != s
            || o.end_byte() != e
            || o.has_changes()
            || o.parse_state() != n.parse_state()
        {
            return None;
        }
        self.base
            .spans
            .get(&SpanKey(s0, e0, n.kind_id()))
            .filter(|x| !x.ambiguous)
    }

    /// The base's bytes for the new bytes `s..e`, when no edit touches them.
    fn old_range(&self, s: usize, e: usize) -> Option<(usize, usize)> {
        let mut shift: i64 = 0;
        for x in &self.edits {
            if x.start_byte > e {
                break;
            }
            if x.new_end_byte < s {
                shift += x.new_end_byte as i64 - x.old_end_byte as i64;
                continue;
            }
            return None;
        }
        Some(((s as i64 - shift) as usize, (e as i64 - shift) as usize))
    }

    /// The statements of `n` (a node of the edited base tree) and its
    /// descendants that can be left out of the parse: those the edits leave
    /// alone and whose walk the base recorded, never the first or last
    /// statement of a module or block (so each gap stays between two
    /// statements the parser sees).
    fn plan(&self, n: Node<'_>, out: &mut Vec<Gap>) {
        let container = matches!(n.kind(), "module" | "block");
        let count = n.child_count();
        let mut c = n.walk();
        for (i, ch) in n.children(&mut c).enumerate() {
            let (s, e) = (ch.start_byte(), ch.end_byte());
            let old = if ch.has_changes() {
                None
            } else {
                self.old_range(s, e)
            };
            if container
                && i > 0
                && i + 1 < count
                && e - s >= GAP_MIN_BYTES
                && let Some((s0, e0)) = old
                && let key = SpanKey(s0, e0, ch.kind_id())
                && self.base.spans.get(&key).is_some_and(|x| !x.ambiguous)
            {
                out.push(Gap {
                    start: s,
                    end: e,
                    row: ch.start_position().row,
                    start_point: ch.start_position(),
                    end_point: ch.end_position(),
                    key,
                    parent_kind: n.kind_id(),
                });
                continue;
            }
            if old.is_none() || e - s >= GAP_MIN_BYTES * 4 {
                self.plan(ch, out);
            }
        }
    }

    /// The ranges of the text the parser is shown: all but the gaps.
    fn included(&self) -> Vec<Range> {
        let mut out = Vec::with_capacity(self.gaps.len() + 1);
        let (mut at, mut point) = (0, Point::new(0, 0));
        for g in &self.gaps {
            if g.start > at {
                out.push(Range {
                    start_byte: at,
                    end_byte: g.start,
                    start_point: point,
                    end_point: g.start_point,
                });
            }
            (at, point) = (g.end, g.end_point);
        }
        out.push(Range {
            start_byte: at,
            end_byte: u32::MAX as usize,
            start_point: point,
            end_point: Point::new(u32::MAX as usize, u32::MAX as usize),
        });
        out
    }
}

/// The edits that turn `old` into `new`, line by line, as tree-sitter wants
/// them (each in the coordinates left by the ones before), and how many lines
/// they change; `None` when more than half the lines differ or the diff
/// takes too long.
fn edits(old: &str, new: &str) -> Option<(Vec<InputEdit>, usize)> {
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    // Lines compared by hash (a diff compares each line many times); the
    // lines a hash calls equal are checked below.
    let hash = |l: &&str| {
        let mut h = std::hash::DefaultHasher::new();
        l.hash(&mut h);
        h.finish()
    };
    let (ha, hb): (Vec<u64>, Vec<u64>) =
        (a.iter().map(hash).collect(), b.iter().map(hash).collect());
    let deadline = Instant::now() + Duration::from_millis(10);
    let ops = similar::capture_diff_slices_deadline(
        similar::Algorithm::Histogram,
        &ha,
        &hb,
        Some(deadline),
    );
    let offsets = |lines: &[&str]| -> Vec<usize> {
        let mut out = Vec::with_capacity(lines.len() + 1);
        let mut at = 0;
        out.push(0);
        for l in lines {
            at += l.len();
            out.push(at);
        }
        out
    };
    let (oa, ob) = (offsets(&a), offsets(&b));
    let mut out = Vec::new();
    let mut changed = 0usize;
    for op in ops {
        let (oi, ol, ni, nl) = match op {
            similar::DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => {
                if a[old_index..old_index + len] != b[new_index..new_index + len] {
                    return None; // two lines with one hash
                }
                continue;
            }
            similar::DiffOp::Delete {
                old_index,
                old_len,
                new_index,
            } => (old_index, old_len, new_index, 0),
            similar::DiffOp::Insert {
                old_index,
                new_index,
                new_len,
            } => (old_index, 0, new_index, new_len),
            similar::DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => (old_index, old_len, new_index, new_len),
        };
        changed += ol.max(nl);
        let start_byte = ob[ni];
        let removed = &old[oa[oi]..oa[oi + ol]];
        let added = &new[ob[ni]..ob[ni + nl]];
        let start_position = Point::new(ni, 0);
        out.push(InputEdit {
            start_byte,
            old_end_byte: start_byte + removed.len(),
            new_end_byte: start_byte + added.len(),
            start_position,
            old_end_position: after(start_position, removed),
            new_end_position: after(start_position, added),
        });
    }
    let lines = a.len().max(b.len()).max(1);
    (changed as f64 / lines as f64 <= MAX_CHANGED_SHARE).then_some((out, changed))
}

/// The position after `text` written at `start`.
fn after(start: Point, text: &str) -> Point {
    match text.rfind('\n') {
        Some(i) => Point::new(
            start.row + text.bytes().filter(|&c| c == b'\n').count(),
            text.len() - i - 1,
        ),
        None => Point::new(start.row, start.column + text.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Versions of a file: a change inside one function, a function added, a
    /// decorator and a class renamed, lines removed at the top.
    fn versions() -> Vec<String> {
        let mut base = String::from("import os\n\nTIMEOUT = 5\n\n");
        for i in 0..40 {
            base.push_str(&format!(
                "class Svc{i}:\n    @login_required\n    def get(self, req):\n        if not req.user.is_admin:\n            abort(403)\n        try:\n            return fetch(req, timeout={i})\n        except IOError:\n            raise\n\n    def put(self, req, retries=3):\n        logger.info(\"put %s\", req.headers)\n        return store(req, verify=True)\n\n"
            ));
        }
        let v1 = base.replace(
            "timeout=7)",
            "timeout=70)\n        except ValueError:\n            return None",
        );
        let v2 = base.replacen("    @login_required\n", "", 3);
        let v3 = base.replace("class Svc20:", "class Service20:");
        let v4 = base.replacen("import os\n\nTIMEOUT = 5\n\n", "", 1);
        let v5 = base.replace(
            "class Svc9:",
            "def helper(x):\n    if x > 3:\n        raise ValueError(x)\n\nclass Svc9:",
        );
        let v6 = base.replace("fetch(req, timeout=3", "fetch(req, timeout=300");
        vec![base, v1, v2, v3, v4, v5, v6]
    }

    #[test]
    fn a_version_parsed_from_a_base_has_the_outline_of_a_fresh_parse() {
        let vs = versions();
        for (i, v) in vs.iter().enumerate() {
            let fresh = super::super::outline(Grammar::Python, v).unwrap();
            // The first version is kept as the base, the others reuse it.
            let got = outline(Grammar::Python, "reuse/test_a.py", v, 0).unwrap();
            assert_eq!(got.units, fresh.units, "version {i}");
        }
        // And the other way round: each version a base for the first.
        for (i, v) in vs.iter().enumerate().skip(1) {
            let path = format!("reuse/test_b{i}.py");
            let _ = outline(Grammar::Python, &path, v, 0).unwrap();
            let got = outline(Grammar::Python, &path, &vs[0], 0).unwrap();
            let fresh = super::super::outline(Grammar::Python, &vs[0]).unwrap();
            assert_eq!(got.units, fresh.units, "base version {i}");
        }
    }

    #[test]
    fn javascript_versions_parsed_incrementally_have_the_outline_of_a_fresh_parse() {
        let mut base = String::from(
            "const express = require('express');\nconst router = express.Router();\n\n",
        );
        for i in 0..30 {
            base.push_str(&format!(
                "router.post('/orders/{i}', requireAdmin, async (req, res) => {{\n  if (!req.user) {{\n    return res.status(401).end();\n  }}\n  try {{\n    await charge(req.body, {{ timeout: {i}, retries: 2 }});\n  }} catch (e) {{\n    throw e;\n  }}\n}});\n\nfunction helper{i}(x) {{\n  return x > {i} ? verify(x) : null;\n}}\n\n"
            ));
        }
        let versions = [
            base.replace("retries: 2 }", "retries: 9 }"),
            base.replacen("requireAdmin, ", "", 2),
            base.replace("    throw e;\n", "    console.log(e);\n"),
            base.replace(
                "function helper7(x) {",
                "// moved\nfunction helper7(x) {\n  if (!x) return;",
            ),
            base.clone(),
        ];
        let _ = outline(Grammar::JavaScript, "reuse/test_d.js", &base, 0).unwrap();
        for (i, v) in versions.iter().enumerate() {
            let fresh = super::super::outline(Grammar::JavaScript, v).unwrap();
            let got = outline(Grammar::JavaScript, "reuse/test_d.js", v, 0).unwrap();
            assert_eq!(got.units, fresh.units, "version {i}");
        }
    }

    #[test]
    fn most_of_a_version_is_replayed_not_walked() {
        let vs = versions();
        let key = (Grammar::Python, "reuse/test_c.py".to_string());
        let _ = outline(Grammar::Python, &key.1, &vs[0], 0).unwrap();
        let base = BASES.lock().unwrap().by_file.get(&key).cloned().unwrap()[0].clone();
        assert!(base.spans.len() > 40, "{}", base.spans.len());
        let (edits, _) = edits(&base.text, &vs[1]).unwrap();
        assert_eq!(edits.len(), 1, "{edits:?}");
        let mut edited = base.tree.clone();
        for e in &edits {
            edited.edit(e);
        }
        let tree = parse(Grammar::Python, &vs[1], Some(&edited)).unwrap();
        let from = Derived {
            base: &base,
            edited,
            edits,
            gaps: Vec::new(),
        };
        // The parser is not shown the classes the edit leaves alone...
        let mut gaps = Vec::new();
        from.plan(from.edited.root_node(), &mut gaps);
        assert!(gaps.len() >= 36, "{}", gaps.len());
        // ... and in a full parse, every class but the edited one is
        // unchanged since the base.
        let unchanged = tree
            .root_node()
            .children(&mut tree.walk())
            .filter(|c| c.kind() == "class_definition")
            .filter(|c| from.unchanged(*c).is_some())
            .count();
        assert_eq!(unchanged, 39);
    }
}
