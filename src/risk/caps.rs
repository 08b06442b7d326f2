//! Caps removed from the sizes a caller asks for. `if limit > maxPageSize {
//! limit = maxPageSize }`, `per_page = min(per_page, MAX_PER_PAGE)`,
//! `Math.min(req.query.limit, 100)`: the line that keeps one request from
//! reading a whole table. A change to pagination, streaming or batching
//! drops it as a detail, and the next request with `limit=0` or
//! `limit=10000000` runs an unbounded query and holds it in memory.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// A name that sizes a read: page size, limit, batch, count.
static SIZE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(\w*_)?(limit|page_?size|per_?page|size|count|batch_?size|take|top|first|max_?results|n|rows|num)$").unwrap()
});
/// `min(x, MAX)`, `Math.min(MAX, x)`.
static MIN_CALL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:min|Math\.min|math\.min|std::cmp::min|Min)\s*\(").unwrap());
/// `x.clamp(1, MAX)`, `x.coerceAtMost(MAX)`.
static CLAMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([\w.]+)\.(?:clamp|coerceAtMost|coerceIn|at_most)\s*\(([^()]*)\)").unwrap()
});
/// The name assigned on a line: `limit = …`, `limit := …`, `let limit = …`.
static ASSIGNED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:(?:let|const|var|val|auto|int|long)\s+)?(?:mut\s+)?([\w.]+)\s*(?::\s*\w+\s*)?:?=[^=]").unwrap()
});
/// `if limit > max_page_size` (the assignment of the bound follows).
static IF_OVER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bif\s*\(?\s*([\w.]+)\s*>=?\s*([\w.]+)\s*\)?").unwrap());

/// Caps on a size that the change removes without writing another.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !f.class.production() || f.class.ci || f.class.infra || f.class.migration {
        return;
    }
    let removed: Vec<_> = f.removed_code().collect();
    if removed.is_empty() {
        return;
    }
    let new_text = std::cell::OnceCell::new();
    for (i, l) in removed.iter().enumerate() {
        // Most lines cap nothing: a look for the few words a cap needs first.
        let t = l.text;
        if !(t.contains('>')
            || t.contains("min")
            || t.contains("Min")
            || t.contains("clamp")
            || t.contains("coerce")
            || t.contains("at_most"))
        {
            continue;
        }
        let Some((var, bound)) = cap_on(l.text, removed.get(i + 1).map(|n| n.text)) else {
            continue;
        };
        let name = var.rsplit('.').next().unwrap_or(&var);
        if !SIZE.is_match(name) || !bounded_name(&bound) {
            continue;
        }
        // Capped again somewhere in the new text (moved, or written another
        // way): not removed.
        let new_text: &str = new_text.get_or_init(|| f.new_text_or_hunks().into_owned());
        let capped_still = new_text
            .lines()
            .zip(new_text.lines().skip(1).chain(std::iter::once("")))
            .any(|(a, b)| cap_on(a, Some(b)).is_some_and(|(v, _)| same_var(&v, &var)))
            || new_text.contains(&bound)
                && new_text.contains(name)
                && new_text_clamps(new_text, &bound);
        if capped_still {
            continue;
        }
        out.push(Finding::removed(
            "limit-cap-removed",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "`{}` is no longer capped at `{}` (`{}` is gone): a request can ask for as many rows as it likes, and one with a huge or zero limit reads the whole table into memory.",
                quote(name),
                quote(&bound),
                quote(l.text.trim())
            ),
        ));
        return;
    }
}

/// The variable and bound a line caps (with the next line, for an `if`
/// whose body assigns the bound).
fn cap_on(line: &str, next: Option<&str>) -> Option<(String, String)> {
    if let Some(c) = CLAMP.captures(line) {
        let bound = c[2].rsplit(',').next().unwrap_or("").trim().to_string();
        return Some((c[1].to_string(), bound));
    }
    if let Some(m) = MIN_CALL.find(line) {
        let open = m.end() - 1;
        let close = super::code::closing_bracket(line.as_bytes(), open)?;
        let args = top_level_args(&line[open + 1..close]);
        let bound = args.iter().find(|a| bounded_name(a))?.to_string();
        let var = ASSIGNED
            .captures(line)
            .map(|c| c[1].to_string())
            .or_else(|| args.iter().find(|a| **a != bound).map(|a| a.to_string()))?;
        return Some((var, bound));
    }
    let c = IF_OVER.captures(line)?;
    let (var, bound) = (c[1].to_string(), c[2].to_string());
    let body = format!("{line} {}", next.unwrap_or(""));
    let assigns = Regex::new(&format!(
        r"\b{}\s*:?=\s*{}\b",
        regex::escape(&var),
        regex::escape(&bound)
    ))
    .ok()?;
    assigns.is_match(&body).then_some((var, bound))
}

/// The arguments of a call, split at its own commas.
fn top_level_args(args: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, ch) in args.char_indices() {
        match ch {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(args[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(args[start..].trim());
    out
}

/// A bound: a constant or setting named as a maximum, or a number.
fn bounded_name(b: &str) -> bool {
    let last = b.rsplit('.').next().unwrap_or(b);
    static BOUND_WORD: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)(max|limit|cap|upper|ceiling)").unwrap());
    last.parse::<u64>().is_ok_and(|n| n >= 10) || BOUND_WORD.is_match(last)
}

fn same_var(a: &str, b: &str) -> bool {
    a.rsplit('.').next() == b.rsplit('.').next()
}

/// The new text still compares something against the bound.
fn new_text_clamps(text: &str, bound: &str) -> bool {
    text.lines().any(|l| {
        l.contains(bound)
            && (MIN_CALL.is_match(l)
                || CLAMP.is_match(l)
                || l.contains(" > ")
                || l.contains(" >= "))
    })
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit;

    fn hit(path: &str, old: &str, new: &str) -> bool {
        rules_hit(path, Some(old), Some(new)).contains(&"limit-cap-removed".to_string())
    }

    #[test]
    fn a_page_size_cap_dropped_is_found_in_its_usual_spellings() {
        let go = "func (h *Handler) List(w http.ResponseWriter, r *http.Request) {\n\tlimit, _ := strconv.Atoi(r.URL.Query().Get(\"limit\"))\n\tif limit > maxPageSize {\n\t\tlimit = maxPageSize\n\t}\n\tevents, err := h.Store.List(r.Context(), limit)\n}\n";
        let go_new = go.replace(
            "\tif limit > maxPageSize {\n\t\tlimit = maxPageSize\n\t}\n",
            "",
        );
        assert!(hit("internal/audit/handler.go", go, &go_new));
        let py = "def list_events(request):\n    limit = min(int(request.GET.get('limit', 50)), MAX_PAGE_SIZE)\n    return Event.objects.all()[:limit]\n";
        let py_new = py.replace(
            "min(int(request.GET.get('limit', 50)), MAX_PAGE_SIZE)",
            "int(request.GET.get('limit', 50))",
        );
        assert!(hit("audit/views.py", py, &py_new));
    }

    #[test]
    fn a_cap_kept_or_moved_is_quiet() {
        let py = "def list_events(request):\n    limit = min(int(request.GET.get('limit', 50)), MAX_PAGE_SIZE)\n    return Event.objects.all()[:limit]\n";
        // Written another way.
        let other = py.replace(
            "    limit = min(int(request.GET.get('limit', 50)), MAX_PAGE_SIZE)\n",
            "    limit = int(request.GET.get('limit', 50))\n    if limit > MAX_PAGE_SIZE:\n        limit = MAX_PAGE_SIZE\n",
        );
        assert!(!hit("audit/views.py", py, &other));
        // A retry count is not a page size.
        let retry = "def send(req):\n    attempts = min(req.attempts, MAX_ATTEMPTS)\n";
        assert!(!hit(
            "lib/send.py",
            retry,
            "def send(req):\n    attempts = req.attempts\n"
        ));
    }
}
