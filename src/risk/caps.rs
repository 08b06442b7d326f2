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
                && new_text_clamps(new_text, &bound)
            || declares_bound(new_text, name)
            || bound_value(&removed_text(f), &bound).is_some_and(|v| declares_value(new_text, &v));
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

/// Whether the new text bounds `name` where it is declared: a Go binding or
/// validation tag (`Limit int `form:"limit" binding:"min=1,max=200"``),
/// Bean Validation's `@Max(200)` above the field, pydantic's or FastAPI's
/// `le=`, a zod or Joi `.max(`. The framework refuses a larger value before
/// the handler runs, which is the cap moved, not dropped.
fn declares_bound(text: &str, name: &str) -> bool {
    static TAG_MAX: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"(binding|validate):"[^"]*\b(max|lte)=\d+"#).unwrap());
    static ARG_MAX: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(\ble\s*=\s*\w+|\blt\s*=\s*\w+|\.max\(\s*\w+\s*\)|@(Max|DecimalMax|Range)\b|@Size\([^)]*\bmax\b)").unwrap()
    });
    let lower = name.to_ascii_lowercase();
    let names = |l: &str| {
        let l = l.to_ascii_lowercase();
        super::code::has_word(&l, &lower)
    };
    let lines: Vec<&str> = text.lines().collect();
    lines.iter().enumerate().any(|(i, l)| {
        if !names(l) {
            return false;
        }
        TAG_MAX.is_match(l)
            || ARG_MAX.is_match(l)
            || i > 0 && lines[i - 1].trim_start().starts_with('@') && ARG_MAX.is_match(lines[i - 1])
    })
}

/// The old text, or the lines the change removes when only hunks are known.
fn removed_text(f: &FileView<'_>) -> String {
    match f.old_text() {
        Some(t) => t.to_string(),
        None => f
            .removed
            .iter()
            .map(|l| l.text)
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// The number a named bound stood for in the old text (`maxOrdersLimit =
/// 200`), or the bound itself when it is a number.
fn bound_value(old: &str, bound: &str) -> Option<String> {
    if bound.parse::<u64>().is_ok() {
        return Some(bound.to_string());
    }
    let re = Regex::new(&format!(
        r"\b{}\s*(?::\s*\w+\s*)?:?=\s*(\d+)\b",
        regex::escape(bound)
    ))
    .ok()?;
    re.captures(old).map(|c| c[1].to_string())
}

/// Whether the new text declares that maximum for a request field: a tag's
/// `max=200`, `le=200`, `@Max(200)`, `.max(200)`.
fn declares_value(text: &str, value: &str) -> bool {
    let v = regex::escape(value);
    Regex::new(&format!(
        r#"((binding|validate):"[^"]*\b(max|lte)={v}\b|\ble\s*=\s*{v}\b|@Max\(\s*(value\s*=\s*)?{v}L?\s*\)|\.max\(\s*{v}\s*\))"#
    ))
    .is_ok_and(|re| re.is_match(text))
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
    fn a_cap_moved_into_the_request_type_s_declaration_is_quiet() {
        let go = "type Handler struct{}\n\nfunc (h *Handler) List(c *gin.Context) {\n\tlimit := 50\n\tif n, err := strconv.Atoi(c.Query(\"limit\")); err == nil {\n\t\tlimit = n\n\t}\n\tif limit > maxOrdersLimit {\n\t\tlimit = maxOrdersLimit\n\t}\n\th.store.List(limit)\n}\n";
        let bound = "type listQuery struct {\n\tLimit int `form:\"limit,default=50\" binding:\"min=1,max=200\"`\n}\n\nfunc (h *Handler) List(c *gin.Context) {\n\tvar q listQuery\n\tif err := c.ShouldBindQuery(&q); err != nil {\n\t\tc.JSON(400, gin.H{\"error\": err.Error()})\n\t\treturn\n\t}\n\th.store.List(q.Limit)\n}\n";
        assert!(!hit("internal/api/orders.go", go, bound));
        // The handler's own variable named otherwise (`n`), the bound a
        // constant the change removes: its value is the tag's maximum.
        let named = go
            .replace(
                "\tif limit > maxOrdersLimit {\n\t\tlimit = maxOrdersLimit\n\t}\n",
                "",
            )
            .replace(
                "\t\tlimit = n\n",
                "\t\tif n > maxOrdersLimit {\n\t\t\tn = maxOrdersLimit\n\t\t}\n\t\tlimit = n\n",
            );
        let named = format!("const maxOrdersLimit = 200\n\n{named}");
        let renamed = bound.replace("Limit int", "Count int");
        assert!(!hit("internal/api/orders.go", &named, &renamed));
        // A larger maximum than the cap was: the cap is gone.
        assert!(hit(
            "internal/api/orders.go",
            &named,
            &renamed.replace("max=200", "max=5000")
        ));
        // The tag without a maximum bounds nothing.
        let unbounded = bound.replace(" binding:\"min=1,max=200\"", " binding:\"min=1\"");
        assert!(hit("internal/api/orders.go", go, &unbounded));
        let py = "def list_events(request):\n    limit = min(int(request.GET.get('limit', 50)), MAX_PAGE_SIZE)\n    return Event.objects.all()[:limit]\n";
        let fastapi = "@router.get('/events')\ndef list_events(limit: int = Query(50, ge=1, le=MAX_PAGE_SIZE)):\n    return Event.objects.all()[:limit]\n";
        assert!(!hit("audit/views.py", py, fastapi));
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
