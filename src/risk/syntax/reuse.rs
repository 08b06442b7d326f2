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
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use tree_sitter::{InputEdit, Node, Parser, Point, Tree};

use super::{Grammar, Outline, Span, SpanKey, Unit, finish, walk};

/// Files smaller than this are parsed afresh each time: there is little to
/// save, and nothing to keep.
pub const MIN_BASE_BYTES: usize = 16 * 1024;
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
    by_file: HashMap<(Grammar, String), Arc<Base>>,
    order: VecDeque<(Grammar, String)>,
    bytes: usize,
    /// The last versions of each file walked from its base, and their units
    /// (the new side of one change is often the old side of the next).
    recent: HashMap<(Grammar, String), VecDeque<Version>>,
}

/// A version of a file and its units as walked.
type Version = (Arc<str>, Arc<Vec<Unit>>);

/// Versions remembered per file besides the base.
const RECENT_VERSIONS: usize = 4;

static BASES: LazyLock<Mutex<Bases>> = LazyLock::new(Mutex::default);

thread_local! {
    /// One parser per grammar and thread (a parser keeps its allocations).
    static PARSERS: RefCell<HashMap<Grammar, Parser>> = RefCell::new(HashMap::new());
}

/// Parses `text`, incrementally from `old` (already edited) when given.
pub(super) fn parse(grammar: Grammar, text: &str, old: Option<&Tree>) -> Option<Tree> {
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
        let tree = parser.parse(text, old);
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
    let (base, seen) = {
        let b = BASES.lock().ok()?;
        let seen = b.recent.get(&key).and_then(|v| {
            v.iter()
                .find(|(t, _)| t.as_ref() == text)
                .map(|(_, u)| Arc::clone(u))
        });
        (b.by_file.get(&key).cloned(), seen)
    };
    if let Some(units) = seen {
        return Some(finish(units.as_ref().clone()));
    }
    if let Some(base) = base {
        if base.text == text {
            return Some(finish(base.units.clone()));
        }
        let Some(units) = from_base(grammar, &base, text) else {
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
    let (units, spans) = walk(&tree, text, None, true);
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
    if b.by_file.contains_key(&key) {
        return; // another thread kept one first
    }
    b.bytes += base.text.len();
    b.by_file.insert(key.clone(), Arc::new(base));
    b.order.push_back(key);
    while b.bytes > MAX_BASE_BYTES
        && b.order.len() > 1
        && let Some(old) = b.order.pop_front()
    {
        if let Some(gone) = b.by_file.remove(&old) {
            b.bytes -= gone.text.len();
        }
        if let Some(gone) = b.recent.remove(&old) {
            b.bytes -= gone.iter().map(|(t, _)| t.len()).sum::<usize>();
        }
    }
}

/// `text` parsed from `base`'s tree and walked replaying `base`'s spans
/// (names not yet made unique); `None` when the two differ too much to be
/// worth it.
fn from_base(grammar: Grammar, base: &Base, text: &str) -> Option<Vec<Unit>> {
    let edits = edits(&base.text, text)?;
    let mut edited = base.tree.clone();
    for e in &edits {
        edited.edit(e);
    }
    let tree = parse(grammar, text, Some(&edited))?;
    let from = Derived {
        base,
        edited,
        edits,
    };
    let (units, _) = walk(&tree, text, Some(&from), false);
    Some(units)
}

/// A version being walked from a base: the base, its tree edited into the
/// new version's coordinates, and the edits.
pub struct Derived<'a> {
    pub(super) base: &'a Base,
    edited: Tree,
    /// In order; each in the coordinates the ones before it left, so their
    /// new ranges are ranges of the new text.
    edits: Vec<InputEdit>,
}

impl Derived<'_> {
    /// What the base recorded for the node of the new tree `n`, when the base
    /// has the same node unchanged — tree-sitter's own test for a subtree
    /// it may reuse (`ts_tree_get_changed_ranges`): no edit touches it or
    /// the text its parse looked ahead at, and it has the same kind, extent
    /// and parse state.
    pub(super) fn unchanged(&self, n: Node<'_>) -> Option<&Span> {
        let (s, e) = (n.start_byte(), n.end_byte());
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
        let (s0, e0) = ((s as i64 - shift) as usize, (e as i64 - shift) as usize);
        self.base
            .spans
            .get(&SpanKey(s0, e0, n.kind_id()))
            .filter(|x| !x.ambiguous)
    }
}

/// The edits that turn `old` into `new`, line by line, as tree-sitter wants
/// them (each in the coordinates left by the ones before); `None` when more
/// than half the lines differ or the diff takes too long.
fn edits(old: &str, new: &str) -> Option<Vec<InputEdit>> {
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let deadline = Instant::now() + Duration::from_millis(50);
    let ops =
        similar::capture_diff_slices_deadline(similar::Algorithm::Myers, &a, &b, Some(deadline));
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
            similar::DiffOp::Equal { .. } => continue,
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
    (changed as f64 / lines as f64 <= MAX_CHANGED_SHARE).then_some(out)
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
                "class Svc{i}:\n    @login_required\n    def get(self, req):\n        if not req.user.is_admin:\n            abort(403)\n        try:\n            return fetch(req, timeout={i})\n        except IOError:\n            raise\n\n    def put(self, req, retries=3):\n        return store(req, verify=True)\n\n"
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
    fn most_of_a_version_is_replayed_not_walked() {
        let vs = versions();
        let key = (Grammar::Python, "reuse/test_c.py".to_string());
        let _ = outline(Grammar::Python, &key.1, &vs[0], 0).unwrap();
        let base = BASES.lock().unwrap().by_file.get(&key).cloned().unwrap();
        assert!(base.spans.len() > 40, "{}", base.spans.len());
        let edits = edits(&base.text, &vs[1]).unwrap();
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
        };
        // Every class but the edited one is unchanged since the base.
        let unchanged = tree
            .root_node()
            .children(&mut tree.walk())
            .filter(|c| c.kind() == "class_definition")
            .filter(|c| from.unchanged(*c).is_some())
            .count();
        assert_eq!(unchanged, 39);
    }
}
