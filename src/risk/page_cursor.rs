//! A page's cursor taken from the row fetched only to look ahead. Keyset
//! pagination reads one row more than the page (`limit + 1`) to know whether
//! another page exists; the next cursor must be the last row *returned*. Taken
//! from the last row *fetched* (`rows[-1]` before `rows[:limit]`), it names
//! the look-ahead row, and the next page starts after it: every page skips
//! one record, and a sync that pages through an export silently loses one
//! contact or event per page.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// One row more than the page: `limit + 1`, `pageSize+1`, `per_page + 1`.
static LOOK_AHEAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b\w*(limit|size|per_?page|take|count|first)\w*\s*\+\s*1\b").unwrap()
});
/// A cursor given the last element of a list: `rows[-1]`, `rows.last`,
/// `rows.at(-1)`, `rows[len(rows)-1]`, `rows[rows.length - 1]`.
static CURSOR_FROM_LAST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b\w*cursor\w*\b\s*(?::[^=]*)?:?=.*?\b(\w+)\s*(?:\[\s*-1\s*\]|\.last\b|\.at\(\s*-1\s*\)|\.last\(\)|\[\s*len\(\s*(\w+)\s*\)\s*-\s*1\s*\]|\[\s*(\w+)\.(?:length|count|size)\s*-\s*1\s*\])").unwrap()
});

/// Flags a cursor taken from the last row fetched when one row more than
/// the page was fetched and the list was not cut to the page first.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !f.class.production() {
        return;
    }
    let Some(text) = f.new_text() else { return };
    let lines: Vec<&str> = text.lines().collect();
    const WINDOW: usize = 25;
    for l in f.added_code() {
        let Some(c) = CURSOR_FROM_LAST.captures(l.text) else {
            continue;
        };
        let list = c.get(1).map_or("", |m| m.as_str());
        if list.is_empty() || list.eq_ignore_ascii_case("cursor") {
            continue;
        }
        let at = (l.no as usize).saturating_sub(1).min(lines.len());
        let before = &lines[at.saturating_sub(WINDOW)..at];
        // Where the look-ahead fetch is, and whether anything after it cut
        // the list (or popped the extra row) before the cursor was read.
        let Some(fetched) = before.iter().rposition(|t| LOOK_AHEAD.is_match(t)) else {
            continue;
        };
        let Ok(cut) = Regex::new(&format!(
            r"\b{0}\s*=[^=]|\b{0}\s*\.\s*(pop|truncate|splice|slice!|take!|pop!|remove|removeLast|delete_at|resize|length\s*=)\b|\bdel\s+{0}\s*\[",
            regex::escape(list)
        )) else {
            continue;
        };
        // Assigned from the fetch itself (`rows = query.limit(limit + 1)`)
        // is not a cut.
        if before[fetched + 1..].iter().any(|t| cut.is_match(t)) {
            continue;
        }
        out.push(Finding::added(
            "pagination-cursor-past-page",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "Takes the next cursor from the last row fetched (`{}`) after fetching one row more than the page: that is the look-ahead row, not the last one returned, so each next page starts one record too late and skips it.",
                quote(l.text.trim())
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents;

    const RULE: &str = "pagination-cursor-past-page";

    fn hit(path: &str, body: &str) -> bool {
        rules_hit_with_contents(path, "# paging\n", &format!("# paging\n{body}"))
            .contains(&RULE.to_string())
    }

    #[test]
    fn a_cursor_from_the_look_ahead_row_is_flagged() {
        assert!(hit(
            "app/db/pagination.py",
            "def page(query, limit):\n    rows = query.limit(limit + 1).all()\n    next_cursor = getattr(rows[-1], 'id') if len(rows) > limit else None\n    return rows[:limit], next_cursor\n"
        ));
        assert!(hit(
            "src/api/page.ts",
            "export async function page(limit: number) {\n  const rows = await db.find({ take: limit + 1 });\n  const nextCursor = rows.length > limit ? rows[rows.length - 1].id : null;\n  return { items: rows.slice(0, limit), nextCursor };\n}\n"
        ));
        assert!(hit(
            "internal/page/page.go",
            "func Page(limit int) ([]Row, int64) {\n\trows := fetch(limit + 1)\n\tnextCursor := rows[len(rows)-1].ID\n\treturn rows[:limit], nextCursor\n}\n"
        ));
    }

    #[test]
    fn a_cursor_read_after_the_list_is_cut_to_the_page_is_not() {
        assert!(!hit(
            "app/db/pagination.py",
            "def page(query, limit):\n    rows = query.limit(limit + 1).all()\n    has_more = len(rows) > limit\n    rows = rows[:limit]\n    next_cursor = rows[-1].id if has_more else None\n    return rows, next_cursor\n"
        ));
        assert!(!hit(
            "src/api/page.ts",
            "export async function page(limit: number) {\n  const rows = await db.find({ take: limit + 1 });\n  const more = rows.length > limit;\n  if (more) rows.pop();\n  const nextCursor = more ? rows[rows.length - 1].id : null;\n  return { items: rows, nextCursor };\n}\n"
        ));
    }
}
