//! Queries that lost a condition. A repository method renamed or a query
//! "simplified" keeps reading the same table with fewer conditions: the one
//! that tied the rows to the caller's tenant or account (`where i.id = :id
//! and i.tenantId = :tenantId` → `where i.id = :id`), or, in a DELETE or
//! UPDATE, one that limited which rows change. Read from the SQL and JPQL
//! strings of each side of the change's code, paired by the table they read.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;

use super::behaviour::sides;
use super::scoping::SCOPE;
use super::{ChangeView, Finding, Severity, quote};

/// A string literal that holds a query.
static QUERY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)"""(.*?)"""|"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|`([^`]*)`"#).unwrap()
});
/// The statement and the table it reads or writes.
static TABLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(select\b.*?\bfrom|delete\s+from|update)\s+([A-Za-z_][\w.]*)").unwrap()
});
static WHERE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)\bwhere\b").unwrap());
/// Where the WHERE clause ends.
static CLAUSE_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(order\s+by|group\s+by|limit|offset|returning|for\s+update|having|union)\b")
        .unwrap()
});
static AND: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)\s+and\s+").unwrap());

/// One query of one side.
#[derive(Debug)]
struct Query {
    /// `select`, `delete`, `update`.
    verb: String,
    table: String,
    conditions: BTreeSet<String>,
    /// What each condition tests: the column or property it compares,
    /// lowercased (`i.tenantId = :tenantId` → `tenantid`).
    subjects: BTreeSet<String>,
    text: String,
}

/// Queries the change adds that read or write the same table as a query it
/// removes, with a strict subset of its conditions, where a lost condition
/// scoped the rows to their owner or the query deletes or updates.
pub fn check(change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    let mut old: Vec<Query> = Vec::new();
    let mut new: Vec<(&str, u32, Query)> = Vec::new();
    for f in &change.files {
        if f.class.test_like() || f.class.docs || f.class.vendored {
            continue;
        }
        // Only where the change touches a query: most changes touch none.
        let touches = f
            .added
            .iter()
            .chain(&f.removed)
            .any(|l| WHERE.is_match(l.text));
        if !touches {
            continue;
        }
        let (before, after, _) = sides(f);
        let was = before.as_deref().map(near_where).unwrap_or_default();
        let known: BTreeSet<String> = was.iter().map(|(_, q)| q.text.clone()).collect();
        for (line, q) in after.as_deref().map(near_where).unwrap_or_default() {
            if !known.contains(&q.text) {
                new.push((f.path, line, q));
            }
        }
        old.extend(was.into_iter().map(|(_, q)| q));
    }
    let still: BTreeSet<&str> = new.iter().map(|(_, _, q)| q.text.as_str()).collect();
    for (path, line, q) in &new {
        let lost = old
            .iter()
            .filter(|o| o.verb == q.verb && o.table.eq_ignore_ascii_case(&q.table))
            .filter(|o| !still.contains(o.text.as_str()))
            .filter(|o| {
                q.subjects.is_subset(&o.subjects) && q.subjects.len() < o.subjects.len()
                    || q.conditions.is_subset(&o.conditions)
                        && q.conditions.len() < o.conditions.len()
            })
            .find_map(|o| {
                let gone: Vec<&String> = if q.subjects.len() < o.subjects.len() {
                    o.subjects.difference(&q.subjects).collect()
                } else {
                    o.conditions.difference(&q.conditions).collect()
                };
                let scoped = gone.iter().any(|c| SCOPE.is_match(c));
                (scoped || q.verb != "select").then_some((gone, scoped))
            });
        let Some((gone, scoped)) = lost else {
            key_range_instead(&old, &still, path, *line, q, out);
            continue;
        };
        let gone = gone
            .iter()
            .map(|c| format!("`{}`", quote(c)))
            .collect::<Vec<_>>()
            .join(", ");
        let message = if scoped {
            format!(
                "The query on {} no longer has {gone} (`{}`): it reads rows of every owner, so a caller reaches another customer's records by id.",
                q.table,
                quote(&q.text)
            )
        } else {
            format!(
                "The {} on {} no longer has {gone} (`{}`): it now changes rows the old query left alone.",
                q.verb.to_ascii_uppercase(),
                q.table,
                quote(&q.text)
            )
        };
        out.push(Finding::added(
            if scoped {
                "authz-query-unscoped"
            } else {
                "sql-condition-dropped"
            },
            Severity::High,
            path,
            Some(*line),
            message,
        ));
    }
}

/// A DELETE or UPDATE that now picks its rows by a range of ids alone
/// (`WHERE id >= $1 AND id < $2`) where the query it replaces on the same
/// table picked them by what they are (`WHERE occurred_at < $1`, in the
/// query or its subquery): the range holds every row whose id falls in it,
/// and ids follow no one's clock or state.
fn key_range_instead(
    old: &[Query],
    still: &BTreeSet<&str>,
    path: &str,
    line: u32,
    q: &Query,
    out: &mut Vec<Finding>,
) {
    static RANGE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^(?:\w+\.)?id\s*(<=|>=|<|>|\bbetween\b)").unwrap());
    static COMPARED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)(?:\w+\.)?(\w+)\s*(?:=|<>|!=|<=|>=|<|>|\s+in\b|\s+is\b|\s+like\b|\s+between\b)",
        )
        .unwrap()
    });
    if q.verb == "select"
        || q.conditions.is_empty()
        || !q.conditions.iter().all(|c| RANGE.is_match(c))
    {
        return;
    }
    let criteria = |text: &str| -> BTreeSet<String> {
        WHERE
            .split(text)
            .skip(1)
            .flat_map(|w| COMPARED.captures_iter(w).map(|c| c[1].to_ascii_lowercase()))
            .filter(|c| c != "id" && !c.chars().all(|ch| ch.is_ascii_digit()))
            .collect()
    };
    let Some(was) = old
        .iter()
        .filter(|o| o.verb == q.verb && o.table.eq_ignore_ascii_case(&q.table))
        .filter(|o| !still.contains(o.text.as_str()))
        .map(|o| criteria(&o.text))
        .find(|c| !c.is_empty())
    else {
        return;
    };
    let was = was
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ");
    out.push(Finding::added(
        "sql-condition-dropped",
        Severity::High,
        path,
        Some(line),
        format!(
            "The {} on {} now picks its rows by a range of ids (`{}`), no longer by {was}: every row whose id falls in the range is changed, whatever its {was}.",
            q.verb.to_ascii_uppercase(),
            q.table,
            quote(&q.text)
        ),
    ));
}

/// A lambda used as a query predicate: `o => o.Id == id && o.CustomerId == cid`.
static LAMBDA: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\b|\(\s*)(\w+)\s*\)?\s*=>\s*((?:[^,()]|\([^()]*\))+)").unwrap()
});
/// A term that picks a record by its id: `o.Id == id`, `x.OrderId == orderId`.
static ID_TERM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\w+\.(\w*id)\s*===?\s*[\w.]+$").unwrap());

/// The terms of a lambda predicate, its parameter written `x`.
fn predicate_terms(param: &str, body: &str) -> Vec<String> {
    let prefix = format!("{param}.");
    body.split("&&")
        .map(|t| {
            let t = t.trim().trim_matches(['(', ')']).trim();
            // `o.Id` → `x.Id`, where `o` starts a name (not `foo.Id`).
            let mut out = String::with_capacity(t.len());
            let mut rest = t;
            while let Some(i) = rest.find(&prefix) {
                let starts = !rest[..i]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.');
                out.push_str(&rest[..i]);
                out.push_str(if starts { "x." } else { &prefix });
                rest = &rest[i + prefix.len()..];
            }
            out.push_str(rest);
            out
        })
        .filter(|t| !t.is_empty())
        .collect()
}

/// Lookups by id written as lambdas (LINQ, Kotlin, JavaScript `find`) that
/// named the owner before the change and do not after: `o.Id == id &&
/// o.CustomerId == CustomerId` in a controller becomes `o.Id == id` in the
/// repository it now calls.
pub fn lambda_lookups(change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    let mut old: Vec<Vec<String>> = Vec::new();
    for f in change.files.iter().filter(|f| f.class.production()) {
        for l in f.removed_code().filter(|l| l.text.contains("=>")) {
            for c in LAMBDA.captures_iter(l.text) {
                let terms = predicate_terms(&c[1], &c[2]);
                if terms.iter().any(|t| ID_TERM.is_match(t))
                    && terms.iter().any(|t| SCOPE.is_match(t))
                {
                    old.push(terms);
                }
            }
        }
    }
    if old.is_empty() {
        return;
    }
    for f in change.files.iter().filter(|f| f.class.production()) {
        for l in f.added_code().filter(|l| l.text.contains("=>")) {
            for c in LAMBDA.captures_iter(l.text) {
                let terms = predicate_terms(&c[1], &c[2]);
                if terms.iter().any(|t| SCOPE.is_match(t)) {
                    continue;
                }
                let Some(id) = terms.iter().find(|t| ID_TERM.is_match(t)) else {
                    continue;
                };
                let Some(was) = old.iter().find(|o| o.contains(id)) else {
                    continue;
                };
                let gone: Vec<&String> = was.iter().filter(|t| SCOPE.is_match(t)).collect();
                out.push(Finding::added(
                    "authz-query-unscoped",
                    Severity::High,
                    f.path,
                    Some(l.no),
                    format!(
                        "This lookup picks the record by `{}` alone; before the change it also required `{}`: a caller now reaches another owner's record by its id.",
                        quote(id),
                        quote(gone.first().map_or("", |s| s.as_str()))
                    ),
                ));
                return;
            }
        }
    }
}

/// Lines around a WHERE that a query string may span.
const QUERY_SPAN: usize = 15;

/// The queries of a side, read only around the lines that hold a WHERE (a
/// large file's other string literals are not scanned), and the queries
/// derived from repository method names.
fn near_where(text: &str) -> Vec<(u32, Query)> {
    let lines: Vec<&str> = text.lines().collect();
    let hits: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| WHERE.is_match(l))
        .map(|(i, _)| i)
        .collect();
    let mut out: Vec<(u32, Query)> = Vec::new();
    let mut covered = 0usize;
    for i in hits {
        if i < covered {
            continue;
        }
        let (from, to) = (
            i.saturating_sub(QUERY_SPAN),
            (i + QUERY_SPAN).min(lines.len()),
        );
        covered = to;
        let window = lines[from..to].join("\n");
        for (line, q) in queries(&window) {
            if !out.iter().any(|(_, o)| o.text == q.text) {
                out.push((line + from as u32, q));
            }
        }
    }
    if text.contains("Repository<") {
        out.extend(derived_queries(text));
    }
    out
}

/// The queries held in a text's string literals, with their lines.
fn queries(text: &str) -> Vec<(u32, Query)> {
    let mut out = Vec::new();
    for c in QUERY.captures_iter(text) {
        let Some(m) = (1..=4).find_map(|i| c.get(i)) else {
            continue;
        };
        let body = m.as_str();
        let Some(t) = TABLE.captures(body) else {
            continue;
        };
        let verb = t[1]
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let Some(w) = WHERE.find(body) else { continue };
        let rest = &body[w.end()..];
        let clause = CLAUSE_END.find(rest).map_or(rest, |e| &rest[..e.start()]);
        let conditions: BTreeSet<String> = AND
            .split(clause)
            .map(|x| {
                x.split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .trim_matches(|ch| ch == '(' || ch == ')' || ch == ';')
                    .to_ascii_lowercase()
            })
            .filter(|x| !x.is_empty())
            .collect();
        let line = text[..m.start()].matches('\n').count() as u32 + 1;
        let subjects = conditions.iter().filter_map(|c| subject(c)).collect();
        out.push((
            line,
            Query {
                verb,
                table: t[2].to_string(),
                conditions,
                subjects,
                text: body.split_whitespace().collect::<Vec<_>>().join(" "),
            },
        ));
    }
    out
}

/// The column or property a condition compares, lowercased, without its
/// alias (`i.tenant_id = :t` → `tenantid`).
fn subject(condition: &str) -> Option<String> {
    static LEFT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*(?:\w+\.)?(\w+)\s*(=|<>|!=|<=|>=|<|>|\bin\b|\bis\b|\blike\b)").unwrap()
    });
    let c = LEFT.captures(condition)?;
    Some(c[1].replace('_', "").to_ascii_lowercase())
}

/// Queries Spring Data derives from a repository method's name
/// (`findByIdAndTenantId` reads by `id` and `tenantid`), on the entity the
/// repository names (`JpaRepository<Invoice, UUID>`).
fn derived_queries(text: &str) -> Vec<(u32, Query)> {
    static ENTITY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(?:Jpa|Crud|PagingAndSorting|ListCrud|Mongo|Reactive\w*|R2dbc)?Repository<\s*([A-Z]\w*)").unwrap()
    });
    static METHOD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(find|get|read|query|search|stream|count|exists|delete|remove)(?:[A-Z]\w*?)?By([A-Z]\w*?)(?:OrderBy\w+)?\s*\(").unwrap()
    });
    static PART: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?:And|Or)([A-Z])").unwrap());
    static SUFFIX: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(IgnoreCase|IsNotNull|IsNull|NotNull|Null|NotIn|In|Between|LessThanEqual|LessThan|GreaterThanEqual|GreaterThan|Before|After|NotLike|Like|Containing|StartingWith|EndingWith|IsTrue|IsFalse|True|False|Not|Is|Equals)$").unwrap()
    });
    let Some(entity) = ENTITY.captures(text).map(|c| c[1].to_string()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for c in METHOD.captures_iter(text) {
        let verb = match &c[1] {
            "delete" | "remove" => "delete",
            _ => "select",
        };
        let spaced = PART.replace_all(&c[2], "\u{0}$1");
        let subjects: BTreeSet<String> = spaced
            .split('\u{0}')
            .map(|p| SUFFIX.replace(p, "").to_ascii_lowercase())
            .filter(|p| !p.is_empty())
            .collect();
        let whole = c.get(0).expect("a match");
        let name = whole.as_str().trim_end_matches('(').trim().to_string();
        out.push((
            text[..whole.start()].matches('\n').count() as u32 + 1,
            Query {
                verb: verb.to_string(),
                table: entity.clone(),
                conditions: subjects.clone(),
                subjects,
                text: name,
            },
        ));
    }
    out
}

#[cfg(test)]
mod lambda_tests {
    use crate::risk::testkit::findings_for_change;

    fn hit(files: &[(&str, &str, &str)]) -> bool {
        findings_for_change(files)
            .iter()
            .any(|f| f.rule == "authz-query-unscoped")
    }

    #[test]
    fn an_owner_term_lost_when_a_lookup_moves_into_a_repository_is_found() {
        let old = "var order = await _db.Orders\n    .Where(o => o.Id == id && o.CustomerId == CustomerId)\n    .SingleOrDefaultAsync(ct);\n";
        let new = "var order = await _orders.GetAsync(id, ct);\n";
        let repo = "public Task<Order?> GetAsync(Guid id, CancellationToken ct) =>\n    _db.Orders.SingleOrDefaultAsync(o => o.Id == id, ct);\n";
        assert!(hit(&[
            ("src/Api/Controllers/OrdersController.cs", old, new),
            ("src/Api/Data/OrderRepository.cs", "", repo),
        ]));
        let scoped = repo.replace(
            "o => o.Id == id",
            "o => o.Id == id && o.CustomerId == customerId",
        );
        assert!(!hit(&[
            ("src/Api/Controllers/OrdersController.cs", old, new),
            ("src/Api/Data/OrderRepository.cs", "", &scoped),
        ]));
        // JavaScript's find, the same loss.
        let js_old = "const doc = docs.find((d) => d.id === id && d.ownerId === user.id);\n";
        let js_new = "const doc = docs.find((d) => d.id === id);\n";
        assert!(hit(&[("src/documents/service.ts", js_old, js_new)]));
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::findings_with_contents;

    fn rules(path: &str, old: &str, new: &str) -> Vec<String> {
        findings_with_contents(path, old, new)
            .into_iter()
            .filter(|f| f.rule == "authz-query-unscoped" || f.rule == "sql-condition-dropped")
            .map(|f| format!("{} {}", f.rule, f.message))
            .collect()
    }

    const REPO: &str = "public interface InvoiceRepository extends JpaRepository<Invoice, UUID> {\n    @Query(\"select i from Invoice i where i.id = :id and i.tenantId = :tenantId\")\n    Optional<Invoice> findByIdAndTenantId(@Param(\"id\") UUID id, @Param(\"tenantId\") UUID tenantId);\n}\n";

    #[test]
    fn a_query_that_lost_its_tenant_condition_is_named() {
        let new = REPO
            .replace(" and i.tenantId = :tenantId", "")
            .replace("findByIdAndTenantId", "findInvoice");
        let hit = rules("src/main/java/InvoiceRepository.java", REPO, &new);
        assert_eq!(hit.len(), 1, "{hit:?}");
        assert!(hit[0].contains("`tenantid`"), "{hit:?}");
        // Renamed with every condition kept, or a condition added: quiet.
        let renamed = REPO.replace("findByIdAndTenantId", "findInvoice");
        assert!(rules("src/main/java/InvoiceRepository.java", REPO, &renamed).is_empty());
        let stricter = REPO.replace(":tenantId\"", ":tenantId and i.deletedAt is null\"");
        assert!(rules("src/main/java/InvoiceRepository.java", REPO, &stricter).is_empty());
    }

    #[test]
    fn a_derived_query_replaced_by_one_without_its_tenant_is_named() {
        let old = "public interface InvoiceRepository extends JpaRepository<Invoice, UUID> {\n    Optional<Invoice> findByIdAndTenantId(UUID id, UUID tenantId);\n}\n";
        let new = "public interface InvoiceRepository extends JpaRepository<Invoice, UUID> {\n    @Query(\"select i from Invoice i where i.id = :id\")\n    Optional<Invoice> findInvoice(@Param(\"id\") UUID id, @Param(\"tenantId\") UUID tenantId);\n}\n";
        let hit = rules("src/main/java/InvoiceRepository.java", old, new);
        assert_eq!(hit.len(), 1, "{hit:?}");
        assert!(hit[0].contains("`tenantid`"), "{hit:?}");
        let kept = new.replace("i.id = :id", "i.id = :id and i.tenantId = :tenantId");
        assert!(rules("src/main/java/InvoiceRepository.java", old, &kept).is_empty());
    }

    #[test]
    fn a_delete_that_lost_a_condition_is_named_and_a_select_that_did_is_not() {
        let old = "def purge(cur, cutoff):\n    cur.execute(\"DELETE FROM accounts_archive WHERE deleted_at IS NOT NULL AND deleted_at < %s\", (cutoff,))\n";
        let new = old.replace("deleted_at IS NOT NULL AND ", "");
        let hit = rules("jobs/purge.py", old, &new);
        assert_eq!(hit.len(), 1, "{hit:?}");
        assert!(hit[0].starts_with("sql-condition-dropped"), "{hit:?}");
        let sel_old = "rows = db.execute(\"SELECT id FROM reports WHERE status = 'ready' AND kind = %s\", (k,))\n";
        let sel_new = sel_old.replace("status = 'ready' AND ", "");
        assert!(rules("jobs/report.py", sel_old, &sel_new).is_empty());
    }
}
