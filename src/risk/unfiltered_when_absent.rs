//! A filter that now hands back everything when it is given nothing to
//! filter by, feeding a delete or an update. `filter_by_ids(qs, ids)`
//! restricted a query to the ids a request sent; a change that makes it
//! return the query as is when `ids` is missing ("no filter requested")
//! turns a bulk delete sent without ids from deleting nothing into deleting
//! every row the query could reach.

use std::sync::LazyLock;

use regex::Regex;

use super::{ChangeView, Finding, Severity, quote};

/// A function whose name says it narrows what it is given.
static FILTER_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(filter|restrict|scope|where|only|limit_?to|narrow|select_?by|by_?ids?|by_?keys?|matching)")
        .expect("a valid regex")
});

/// A test that a value is absent or empty, naming the value.
static ABSENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:if|unless)?\s*\(?\s*(?:not\s+(\w+)|!\s*(\w+)|(\w+)\s+is\s+None|(\w+)\s*={2,3}\s*(?:nil|null|undefined|None)|len\((\w+)\)\s*==\s*0|(\w+)\.length\s*={2,3}\s*0|(\w+)\.(?:nil|blank|empty)\?|empty\(\s*\$?(\w+)\s*\))\s*\)?\s*(?::|\{|then)?\s*(?:return\s+\$?(\w+)\s*;?\s*\}?)?\s*$")
        .expect("a valid regex")
});

/// `return qs` alone on its line: what the function was given.
static RETURN_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*return\s+\$?(\w+)\s*;?\s*$").expect("a valid regex"));

/// What deletes or rewrites the rows a query selects.
static DESTRUCTIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\.(delete|destroy|destroy_all|delete_all|update_all|purge|remove|bulk_delete|Delete|DeleteMany|RemoveRange|ExecuteDelete|ExecuteDeleteAsync|ExecuteUpdate|ExecuteUpdateAsync)\s*\(|\.update\s*\(")
        .expect("a valid regex")
});

/// Filters of the change that now return their input when the filter value
/// is absent, each with its name, the test and the line, and the file.
fn widened_filters<'a>(change: &'a ChangeView<'_>) -> Vec<(String, String, u32, &'a str)> {
    let mut out = Vec::new();
    for f in &change.files {
        if !f.class.production() {
            continue;
        }
        let Some(new) = f.new_text() else { continue };
        let lines: Vec<&str> = new.lines().collect();
        for l in f.added_code() {
            let Some(c) = ABSENT.captures(l.text) else {
                continue;
            };
            let Some(value) = (1..=8).find_map(|i| c.get(i)).map(|m| m.as_str()) else {
                continue;
            };
            let at = l.no as usize;
            // The return on the line, or on the next one.
            let returned = c.get(9).map(|m| m.as_str()).or_else(|| {
                lines
                    .get(at..at + 2)?
                    .iter()
                    .find(|x| !x.trim().is_empty())
                    .and_then(|x| RETURN_NAME.captures(x))
                    .and_then(|r| r.get(1))
                    .map(|m| m.as_str())
            });
            let Some(returned) = returned else { continue };
            // The function it sits in takes both, and is named a filter.
            let Some(head) = lines[..at.saturating_sub(1).min(lines.len())]
                .iter()
                .rev()
                .take(12)
                .find(|x| super::code::starts_function(x))
            else {
                continue;
            };
            let Some(name) = super::code::function_name(head) else {
                continue;
            };
            if !FILTER_NAME.is_match(name)
                || !super::code::has_word(head, value)
                || !super::code::has_word(head, returned)
                || returned == value
            {
                continue;
            }
            // The test as a reader says it: `ids is None`, not `if ids is None:`.
            let test = l.text.trim();
            let test = test
                .strip_prefix("if")
                .or_else(|| test.strip_prefix("unless"))
                .unwrap_or(test);
            let test = test.split("return").next().unwrap_or(test);
            let test = test.trim().trim_end_matches(['{', ':']).trim();
            let test = test
                .strip_prefix('(')
                .and_then(|t| t.strip_suffix(')'))
                .unwrap_or(test);
            out.push((name.to_string(), test.trim().to_string(), l.no, f.path));
        }
    }
    out
}

/// A widened filter whose result the change's code deletes or rewrites.
pub fn check(change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    let widened = widened_filters(change);
    if widened.is_empty() {
        return;
    }
    for (name, test, line, path) in &widened {
        let Ok(call) = Regex::new(&format!(r"(?:^|[^\w.]|\.)({})\s*\(", regex::escape(name)))
        else {
            continue;
        };
        let destructive = change
            .files
            .iter()
            .filter(|f| f.class.production())
            .find_map(|f| {
                let lines: Vec<&str> = f.new_text()?.lines().collect();
                lines.iter().enumerate().find_map(|(i, l)| {
                    if !call.is_match(l) || super::code::starts_function(l) {
                        return None;
                    }
                    lines[i..(i + 6).min(lines.len())]
                        .iter()
                        .find(|x| DESTRUCTIVE.is_match(x))
                        .map(|x| x.trim().to_string())
                })
            });
        let Some(destructive) = destructive else {
            continue;
        };
        out.push(Finding::added(
            "filter-absent-means-all",
            Severity::High,
            path,
            Some(*line),
            format!(
                "`{}` now hands back everything it was given when `{}`; a caller deletes or rewrites what it returns (`{}`): a request without the filter now reaches every row, where before it reached none.",
                quote(name),
                quote(test),
                quote(&destructive)
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::findings_of_change;

    const RULE: &str = "filter-absent-means-all";

    fn hit(view: &str) -> bool {
        let old = "def filter_by_ids(qs, ids):\n    return qs.filter(pk__in=ids)\n";
        let new = "def filter_by_ids(qs, ids):\n    if ids is None:\n        return qs\n    return qs.filter(pk__in=ids)\n";
        findings_of_change(
            &[
                ("core/utils/querysets.py", Some(old), Some(new)),
                ("attachments/views.py", Some(view), Some(view)),
            ],
            Some("core: filter_by_ids treats None as no filter"),
        )
        .iter()
        .any(|f| f.rule == RULE && f.message.contains("when `ids is None`;"))
    }

    #[test]
    fn a_filter_that_now_passes_everything_into_a_delete_is_found() {
        let view = "class BulkDelete(APIView):\n    def post(self, request, project_id):\n        ids = parse_id_list(request.data.get(\"ids\"))\n        qs = filter_by_ids(Attachment.objects.filter(project=project_id), ids)\n        deleted, _ = qs.delete()\n        return Response({\"deleted\": deleted})\n";
        assert!(hit(view));
        // Only read: an export of everything is what "no ids" asks for.
        let export = view.replace("deleted, _ = qs.delete()", "job = export.delay(list(qs))");
        assert!(!hit(&export));
    }
}
