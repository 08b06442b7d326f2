//! Record lookups that lost the scope their siblings keep: an endpoint that
//! loads an invoice by its id alone, where every other lookup of invoices in
//! the code it joins or replaces also names the caller's account, tenant or
//! user. That is how a refactor or a new route opens one customer's records
//! to every other (an insecure direct object reference), and no keyword in
//! the new line says so: what is missing is the scope.
//!
//! Lookups are read from text (`Invoice.objects.get(pk=…)`,
//! `repo.findById(req.params.id)`, `prisma.project.findMany({ where })`,
//! `current_user.invoices.find(params[:id])`), grouped by the kind of record
//! they read, and a lookup the change adds is held against the lookups of the
//! same kind that it sits beside or replaces.

use std::sync::LazyLock;

use regex::Regex;

use super::behaviour::{collapse, sides};
use super::code::{closing_bracket, opening_bracket};
use super::syntax::Grammar;
use super::{ChangeView, FileView, Finding, Severity, quote};
use std::collections::HashMap;

/// Methods that read, list or write stored records.
static LOOKUP_METHOD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(get|get_by\w*|getby\w*|find\w*|filter|filter_by|where|select\w*|query\w*|first\w*|fetch\w*|load\w*|lookup\w*|list\w*|exclude|one|search\w*|single\w*|delete\w*|update\w*|destroy\w*|remove\w*|count\w*|exists|scalars?|scalar_\w+|one_or_\w+|all|to_list\w*|select_related|prefetch_related|order_by|annotate)$").unwrap()
});

/// Methods whose name alone says they read records (`findById`,
/// `find_by`, `FirstOrDefaultAsync`), whatever they are called on.
static RECORD_METHOD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(find\w*|get_?by\w*|firstordefault\w*|singleordefault\w*|fetch_?one|fetch_?by\w*|load_?by\w*|lookup\w*|findmany|findunique\w*|findfirst\w*)$").unwrap()
});

/// A receiver chain that is a store of records: an ORM manager, a
/// repository, a database handle, a model class.
static STORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\bobjects\b|repo|repository|prisma|\bdb\b|_db\b|\bdao\b|store\b|_context\b|dbcontext|\bmodel|\btable\b|knex|\bsession\b|entitymanager|\bem\b|collection|supabase|\bquery\b)").unwrap()
});

/// Receivers that hold request data or settings, never records.
static NOT_A_STORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(environ|env|args|kwargs|headers|params|query_params|form|cookies|config|settings|options|opts|cache|map|dict|data|json|props|state|os|process|request|req|res|response|resp|ctx|http|client|axios|url|uri|path|self|this|metadata|meta|values|attrs|fields|item|row|result|results|payload|body)$").unwrap()
});

/// What ties a lookup to its caller: the tenant, organisation, account,
/// owner or user it belongs to.
pub(crate) static SCOPE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(tenant|\borg(anization|anisation)?s?(_?id)?\b|\w*orgid|org_|account|owner|member|customer|company|workspace|merchant|current_?user|current_\w+|\.user\b|\buser\b|user_?id|userid|principal|claims|for_?user|by_?user|scope)").unwrap()
});

/// A filter the model applies to every query of it: EF Core's
/// `HasQueryFilter`, Rails' `default_scope`, Laravel's `addGlobalScope`,
/// Hibernate's `@Filter`/`@Where`/`@SQLRestriction`, SQLAlchemy's
/// `with_loader_criteria`, a Django manager's filtered `get_queryset`, a
/// row-level security policy.
static MODEL_WIDE_FILTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\bHasQueryFilter\s*\(|\bdefault_scope\b|\baddGlobalScope\s*\(|#\[ScopedBy|@Filter(Def)?\s*\(|@Where\s*\(|@SQLRestriction\s*\(|\bwith_loader_criteria\s*\(|super\(\)\.get_queryset\(\)\.filter\(|\bcreate\s+policy\b.*\busing\b)").unwrap()
});

/// The scope names (`tenantid`, lower case, without underscores) that a
/// filter the change adds to a model applies to every query of it, with the
/// line that adds it. A lookup that dropped that scope is still scoped,
/// unless it opts out (`IgnoreQueryFilters`, `unscoped`).
pub(crate) fn model_wide_scopes(change: &ChangeView<'_>) -> Vec<(String, String)> {
    static NAME: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[A-Za-z_][A-Za-z0-9_]*").unwrap());
    let mut out = Vec::new();
    for f in change.files.iter().filter(|f| !f.class.test_like()) {
        for l in f.added_code() {
            if !MODEL_WIDE_FILTER.is_match(l.text) {
                continue;
            }
            for m in NAME.find_iter(l.text) {
                let word = m.as_str().replace('_', "").to_ascii_lowercase();
                let scope = SCOPE.is_match(m.as_str())
                    && word != "scope"
                    && !word.starts_with("current")
                    && word.len() > 3;
                if scope {
                    out.push((word, collapse(l.text)));
                }
            }
        }
    }
    out
}

/// Whether any added line opts a query out of the model's filters.
pub(crate) fn opts_out_of_model_filters(change: &ChangeView<'_>) -> bool {
    change
        .files
        .iter()
        .filter(|f| !f.class.test_like())
        .any(|f| {
            f.added.iter().any(|l| {
                let t = l.text;
                (t.contains("IgnoreQueryFilters(")
                    || t.contains(".unscoped")
                    || t.contains("withoutGlobalScope")
                    || t.contains("disableFilter("))
                    && !t.trim_start().starts_with(['/', '#', '*'])
            })
        })
}

/// Who is asking: the signed-in user, their session or claims.
static CALLER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(current_?\w+|request\.user|req\.user|\bsession\b|principal|claims|\bctx\.|\bg\.user|auth\w*\.(user|id|sub))").unwrap()
});

/// A check after the lookup that stands in for a scope in it
/// (`authorize(user, invoice)`, `check_object_permissions`, `if
/// order.account_id != user.account_id`).
static LATER_CHECK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(authori[sz]e|permission|polic(y|ies)|\bcan\?|\bcan\(|ensure\w*(owner|access|member)|require\w*(owner|access|member)|check\w*(owner|access|member))").unwrap()
});

/// Calls that load related records along with the ones read.
static EAGER_LOAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\.\s*(select_related|prefetch_related|includes?|joins|preload|eager_load|populate|with|theninclude|relations)\s*\([^()]*\)").unwrap()
});

/// Query-building segments of a chain, which say nothing of what is read.
const BUILDER: &[&str] = &[
    "objects",
    "select_related",
    "prefetch_related",
    "all",
    "filter",
    "where",
    "includes",
    "joins",
    "query",
    "session",
    "db",
    "_db",
    "this",
    "self",
    "prisma",
    "_context",
    "context",
    "dbcontext",
    "em",
    "asnotracking",
    "include",
    "unscoped",
    "with",
    "order_by",
    "orderby",
];

/// One lookup in one side of a file.
#[derive(Debug)]
struct Lookup {
    /// The kind of record read: `invoice`, `project`, `repo`.
    kind: String,
    /// The call with its receiver, whitespace collapsed.
    text: String,
    /// What ties it to the caller, if anything.
    scope: Option<String>,
    line: u32,
}

/// Lookups the change adds that read records by id alone, where the lookups
/// of the same records beside them or replaced by them are scoped to the
/// caller.
pub fn check(change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    cache_keys(change, out);
    let mut old: Vec<Lookup> = Vec::new();
    // New lookups per file, with whether the change adds them.
    let mut new: Vec<(&str, Lookup, bool)> = Vec::new();
    for f in &change.files {
        if f.class.test_like() || f.class.docs || f.class.vendored || Grammar::of(f.path).is_none()
        {
            continue;
        }
        let (before, after, _) = sides(f);
        let was = before.as_deref().map(lookups).unwrap_or_default();
        let known: Vec<&str> = was.iter().map(|l| l.text.as_str()).collect();
        for l in after.as_deref().map(lookups).unwrap_or_default() {
            let added = !known.contains(&l.text.as_str());
            new.push((f.path, l, added));
        }
        old.extend(was);
    }
    let mut reported = 0;
    for (path, l, _) in new
        .iter()
        .filter(|(_, l, added)| *added && l.scope.is_none())
    {
        let siblings: Vec<&Lookup> = old
            .iter()
            .chain(new.iter().filter(|(_, _, a)| !a).map(|(_, l, _)| l))
            .filter(|s| s.kind == l.kind)
            .collect();
        let Some(first) = siblings.first() else {
            continue;
        };
        if siblings.iter().any(|s| s.scope.is_none()) {
            continue;
        }
        let scope = first.scope.clone().unwrap_or_default();
        out.push(Finding::added(
            "authz-lookup-unscoped",
            Severity::High,
            path,
            Some(l.line),
            format!(
                "`{}` reads {} records without the scope that every other lookup of them here keeps (`{}`; {} of them): a signed-in user can reach another customer's record by its id.",
                quote(&l.text),
                l.kind,
                quote(&scope),
                siblings.len()
            ),
        ));
        reported += 1;
        if reported == 3 {
            break;
        }
    }
}

/// A line that builds a cache key: its literal prefix (`"pricelist:`,
/// `"summary:%s`), whatever the formatting.
static KEY_PREFIX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"["'`]([A-Za-z_][\w.-]*):(?:%|\$\{|\{|["'`]|\w)"#).unwrap());
/// What marks a line as building a key from values.
static KEY_BUILT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)(key|cache|redis|memcache|etag)"#).unwrap());
static INTERPOLATES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(%[sdv]|\$\{|\{[\w.]*\}|\+\s*\w|\.join\(|\.format\()"#).unwrap()
});

/// Cache keys that lost the tenant: a key the change removes that named
/// the caller's tenant, account or user, replaced by keys of the same
/// prefix that name none (`pricelist:v2:${tenantId}:${catalogId}` →
/// `pricelist:${KEY_VERSION}:${catalogId}`): one customer is served what
/// was cached for another.
fn cache_keys(change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    // Old keys are told by a key word on the line or on the line above (the
    // builder's signature: `func profileKey(…)`); new ones by sharing an old
    // key's prefix (the builder's `return` names no key), written out or
    // passed to a key helper (`cachekey.For("profile", userID)`).
    static PREFIX_ARGUMENT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"\(\s*["'`]([A-Za-z_][\w.-]*)["'`]\s*,"#).unwrap());
    let old_keys = |f: &FileView<'_>| -> Vec<(String, String, u32)> {
        let old_text: Vec<&str> = f
            .old_text()
            .map(|t| t.lines().collect())
            .unwrap_or_default();
        let removed: HashMap<u32, &str> = f.removed.iter().map(|l| (l.no, l.text)).collect();
        f.removed_code()
            .filter(|l| {
                let above = (l.no > 1)
                    .then(|| {
                        removed
                            .get(&(l.no - 1))
                            .copied()
                            .or_else(|| old_text.get(l.no as usize - 2).copied())
                    })
                    .flatten()
                    .unwrap_or("");
                (KEY_BUILT.is_match(l.text) || KEY_BUILT.is_match(above))
                    && INTERPOLATES.is_match(l.text)
            })
            .filter_map(|l| {
                let p = KEY_PREFIX.captures(l.text)?;
                Some((p[1].to_ascii_lowercase(), l.text.to_string(), l.no))
            })
            .collect()
    };
    let new_keys = |f: &FileView<'_>| -> Vec<(String, String, u32)> {
        f.added_code()
            .filter_map(|l| {
                if INTERPOLATES.is_match(l.text)
                    && let Some(p) = KEY_PREFIX.captures(l.text)
                {
                    return Some((p[1].to_ascii_lowercase(), l.text.to_string(), l.no));
                }
                let p = PREFIX_ARGUMENT
                    .captures(l.text)
                    .filter(|_| KEY_BUILT.is_match(l.text))?;
                Some((p[1].to_ascii_lowercase(), l.text.to_string(), l.no))
            })
            .collect()
    };
    let code = || {
        change
            .files
            .iter()
            .filter(|f| f.class.production() && Grammar::of(f.path).is_some())
    };
    let mut old: Vec<(String, String, u32)> = Vec::new();
    let mut new: Vec<(&str, (String, String, u32))> = Vec::new();
    for f in code() {
        old.extend(old_keys(f));
        new.extend(new_keys(f).into_iter().map(|k| (f.path, k)));
    }
    // The kinds of scope a key names: `tenantID` and `userID` are two.
    let scopes = |t: &str| -> Vec<String> {
        SCOPE
            .find_iter(t)
            .map(|m| {
                let w: String = m
                    .as_str()
                    .to_ascii_lowercase()
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric())
                    .collect();
                let w = w.strip_suffix("id").unwrap_or(&w);
                w.strip_suffix('s').unwrap_or(w).to_string()
            })
            .filter(|w| !w.is_empty())
            .collect()
    };
    for (prefix, was, _) in old.iter().filter(|(_, t, _)| SCOPE.is_match(t)) {
        let same: Vec<&(&str, (String, String, u32))> =
            new.iter().filter(|(_, (p, _, _))| p == prefix).collect();
        let kept = |t: &str| {
            let now = scopes(t);
            scopes(was).iter().all(|s| now.contains(s))
        };
        if same.is_empty() || same.iter().any(|(_, (_, t, _))| kept(t)) {
            continue;
        }
        let (path, (_, now, line)) = same[0];
        let now_scopes = scopes(&same[0].1.1);
        let scope = SCOPE
            .find_iter(was)
            .zip(scopes(was))
            .find(|(_, s)| !now_scopes.contains(s))
            .map_or("", |(m, _)| m.as_str());
        out.push(Finding::added(
            "cache-key-unscoped",
            Severity::High,
            path,
            Some(*line),
            format!(
                "The `{prefix}:` cache key no longer includes `{}` (`{}`; before, `{}`): one customer can be served what was cached for another.",
                quote(scope),
                quote(now.trim()),
                quote(was.trim())
            ),
        ));
        return;
    }
}

/// The lookups in one side of a file.
fn lookups(text: &str) -> Vec<Lookup> {
    static CALL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\.\s*([A-Za-z_]\w*)\s*[(<]").unwrap());
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    for c in CALL.captures_iter(text) {
        let (whole, name) = (c.get(0).unwrap(), c.get(1).unwrap());
        let method = name.as_str();
        if !LOOKUP_METHOD.is_match(method) {
            continue;
        }
        let Some(open) = text[whole.start()..].find('(').map(|i| whole.start() + i) else {
            continue;
        };
        let Some(close) = closing_bracket(bytes, open) else {
            continue;
        };
        // Only the last call of a chain is the lookup: the ones before it
        // build the query it runs.
        if text[close + 1..].trim_start().starts_with('.') {
            continue;
        }
        let start = chain_start(bytes, whole.start());
        let chain = &text[start..whole.start()];
        let segments: Vec<String> = segments(chain);
        let root = segments.first().map(String::as_str).unwrap_or("");
        if NOT_A_STORE.is_match(root) && segments.len() == 1 {
            continue;
        }
        let class_root = root.chars().next().is_some_and(char::is_uppercase);
        if !RECORD_METHOD.is_match(method) && !STORE.is_match(chain) && !class_root {
            continue;
        }
        let Some(kind) = kind_of(&segments).or_else(|| model_argument(&text[start..=close])) else {
            continue;
        };
        // A queryset ending in the related records it loads along
        // (`Invoice.objects.prefetch_related("lines")`) reads what its chain
        // reads: those names narrow nothing.
        let args = if EAGER_LOAD.is_match(&text[whole.start()..=close]) {
            ""
        } else {
            &text[open + 1..close]
        };
        let line = text[..start].matches('\n').count() as u32 + 1;
        let call = collapse(&text[start..=close]);
        // Related records loaded along (`select_related("account")`) do
        // not narrow what is read.
        let narrowing = EAGER_LOAD.replace_all(chain, "");
        let mut scoped_text = format!("{narrowing} {method} {args}");
        for v in identifiers(args) {
            if let Some(rhs) = assigned(text, &v, start) {
                scoped_text.push(' ');
                scoped_text.push_str(&rhs);
            }
        }
        // A join through memberships scopes nothing unless the membership
        // is the caller's (`memberships: { source: "scim" }` reads every
        // organisation's members).
        let scope = SCOPE
            .find_iter(&scoped_text)
            .find(|m| {
                // The model itself (`User.find`) is what is read, not a scope.
                !(class_root && m.as_str().eq_ignore_ascii_case(root))
                    && (!m.as_str().to_ascii_lowercase().starts_with("member")
                        || CALLER.is_match(&scoped_text))
            })
            .map(|m| around(&scoped_text, m.start(), m.end()))
            .or_else(|| checked_later(text, close));
        out.push(Lookup {
            kind,
            text: call.chars().take(120).collect(),
            scope,
            line,
        });
    }
    out
}

/// The segment of the receiver chain that names the records: the last one
/// that is not query building (`current_user.invoices` → `invoice`,
/// `Invoice.objects.select_related(…)` → `invoice`).
fn kind_of(segments: &[String]) -> Option<String> {
    // A model class names the records whatever scopes follow it
    // (`Document.visible.find` reads documents).
    let class = segments
        .iter()
        .rev()
        .find(|s| s.starts_with(|c: char| c.is_ascii_uppercase()) && s.len() > 1);
    let s = class.or_else(|| {
        segments
            .iter()
            .rev()
            .find(|s| !BUILDER.contains(&s.to_ascii_lowercase().as_str()))
    })?;
    // `ExpenseReport` and `expense_reports` name the same records.
    let s = s
        .trim_start_matches('_')
        .to_ascii_lowercase()
        .replace('_', "");
    let s = s.strip_suffix("ies").map_or_else(
        || s.strip_suffix('s').unwrap_or(&s).to_string(),
        |b| format!("{b}y"),
    );
    (s.len() >= 2 && !NOT_A_STORE.is_match(&s)).then_some(s)
}

/// The model a query names as its argument (`db.query(Document)`,
/// `session.get(Statement, id)`, `context.Set<Order>()`).
fn model_argument(call: &str) -> Option<String> {
    static MODEL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:query|select|Set|get|find|findOne|getRepository)\s*[(<]\s*([A-Z]\w*)")
            .unwrap()
    });
    kind_of(&[MODEL.captures(call)?[1].to_string()])
}

/// The names in a receiver chain, calls and indexing left out
/// (`Invoice.objects.select_related("account")` → Invoice, objects,
/// select_related).
fn segments(chain: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    for ch in chain.chars() {
        match ch {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ if depth > 0 => {}
            '.' | ':' | '>' if !cur.is_empty() => out.push(std::mem::take(&mut cur)),
            c if c.is_alphanumeric() || c == '_' => cur.push(c),
            _ => {}
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Where the receiver chain ending at `end` (the `.` before the method)
/// starts: back over names, dots, calls and indexing, and across line breaks
/// before a dot (`Model.objects\n    .filter(…)\n    .get(…)`).
fn chain_start(b: &[u8], end: usize) -> usize {
    let mut i = end;
    while i > 0 {
        let c = b[i - 1];
        if c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'$' | b'@' | b'?' | b'!') {
            i -= 1;
        } else if matches!(c, b')' | b']') {
            match opening_bracket(b, i - 1) {
                Some(o) => i = o,
                None => break,
            }
        } else if i >= 2 && matches!((b[i - 2], c), (b'-', b'>') | (b':', b':')) {
            i -= 2;
        } else if c.is_ascii_whitespace() && b.get(i) == Some(&b'.') {
            // A chain continued on the next line.
            let mut j = i;
            while j > 0 && b[j - 1].is_ascii_whitespace() {
                j -= 1;
            }
            if j > 0 && (b[j - 1].is_ascii_alphanumeric() || matches!(b[j - 1], b')' | b']')) {
                i = j;
            } else {
                break;
            }
        } else {
            break;
        }
    }
    i
}

/// The plain names an argument list passes (`where`, `filters`), which may
/// be built above the call.
fn identifiers(args: &str) -> Vec<String> {
    static NAME: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?:^|[\s,({])([A-Za-z_]\w*)\s*(?:[,)}]|$)").unwrap());
    let mut out: Vec<String> = NAME.captures_iter(args).map(|c| c[1].to_string()).collect();
    out.dedup();
    out.truncate(8);
    out
}

/// What `name` was last assigned before `at` (the rest of that statement,
/// brackets balanced, at most a few hundred characters), if it was.
fn assigned(text: &str, name: &str, at: usize) -> Option<String> {
    let re = Regex::new(&format!(
        r"\b{}\s*(?::\s*[\w.<>\[\]]+\s*)?(?::=|=)",
        regex::escape(name)
    ))
    .ok()?;
    // `==` compares; it does not assign.
    let m = re
        .find_iter(&text[..at])
        .filter(|m| !text[m.end()..].starts_with('='))
        .last()?;
    let mut depth = 0i32;
    let rhs: String = text[m.end()..]
        .chars()
        .take(600)
        .take_while(|&c| {
            match c {
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                '\n' | ';' if depth <= 0 => return false,
                _ => {}
            }
            true
        })
        .collect();
    Some(rhs)
}

/// A check within the lines after a lookup that ties the record to the
/// caller (an authorisation call, or a condition naming the owner).
fn checked_later(text: &str, from: usize) -> Option<String> {
    text[from..]
        .lines()
        .skip(1)
        .take(10)
        .find(|l| {
            let t = l.trim_start();
            LATER_CHECK.is_match(t)
                || ((t.starts_with("if") || t.starts_with("unless") || t.starts_with("assert"))
                    && SCOPE.is_match(t))
        })
        .map(|l| collapse(l).chars().take(60).collect())
}

/// The words around a match, for the message.
fn around(text: &str, start: usize, end: usize) -> String {
    let b = text.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.');
    let mut s = start;
    while s > 0 && word(b[s - 1]) {
        s -= 1;
    }
    let mut e = end;
    while e < b.len() && word(b[e]) {
        e += 1;
    }
    text[s..e].to_string()
}

#[cfg(test)]
mod cache_key_tests {
    use crate::risk::testkit::findings_for_change;

    fn hit(files: &[(&str, &str, &str)]) -> bool {
        findings_for_change(files)
            .iter()
            .any(|f| f.rule == "cache-key-unscoped")
    }

    #[test]
    fn a_cache_key_that_lost_its_tenant_is_found() {
        let old = "async function get(tenantId: string, catalogId: string) {\n  const key = `pricelist:v2:${tenantId}:${catalogId}`;\n  return cache.get(key);\n}\n";
        let new = "export function priceListKey(catalogId: string): string {\n  return `pricelist:v3:${catalogId}`;\n}\nasync function get(tenantId: string, catalogId: string) {\n  const key = priceListKey(catalogId);\n  return cache.get(key);\n}\n";
        assert!(hit(&[("src/pricing/service.ts", old, new)]));
        let kept = new
            .replace(
                "(catalogId: string): string",
                "(tenantId: string, catalogId: string): string",
            )
            .replace(
                "`pricelist:v3:${catalogId}`",
                "`pricelist:v3:${tenantId}:${catalogId}`",
            );
        assert!(!hit(&[("src/pricing/service.ts", old, &kept)]));
        // The same in Python, the key moved into a helper of another file.
        let py_old = "def summary(tenant_id, report_id):\n    key = f\"summary:{tenant_id}:{report_id}\"\n    return cache.get(key)\n";
        let py_new =
            "def summary(tenant_id, report_id):\n    return cache.get(summary_key(report_id))\n";
        let helper = "def summary_key(report_id):\n    return f\"summary:{report_id}\"\n";
        assert!(hit(&[
            ("reports/views.py", py_old, py_new),
            ("reports/keys.py", "", helper)
        ]));
    }

    #[test]
    fn a_key_built_by_a_named_builder_and_handed_to_a_shared_helper_is_read() {
        let old = "func profileKey(tenantID, userID int64) string {\n\treturn fmt.Sprintf(\"profile:%d:%d\", tenantID, userID)\n}\n";
        let new = "func profileKey(_ int64, userID int64) string {\n\treturn cachekey.For(\"profile\", userID)\n}\n";
        assert!(hit(&[("internal/profiles/cache.go", old, new)]));
        let scoped = new.replace(
            "cachekey.For(\"profile\", userID)",
            "cachekey.ForTenant(\"profile\", tenantID, userID)",
        );
        assert!(!hit(&[("internal/profiles/cache.go", old, &scoped)]));
    }
}

#[cfg(test)]
mod tests {
    use super::lookups;

    #[test]
    fn lookups_are_read_with_their_kind_and_scope() {
        let py = "def f(request, invoice_id):\n    invoice = Invoice.objects.select_related(\"account\").get(\n        pk=invoice_id,\n        account__members=request.user,\n    )\n";
        let l = lookups(py);
        assert_eq!(l.len(), 1, "{l:?}");
        assert_eq!(l[0].kind, "invoice");
        assert_eq!(l[0].line, 2);
        assert!(l[0].scope.as_deref().unwrap().contains("account__members"));

        let ts = "const invoice = await repo.findById(req.params.id);\nconst other = await repo.findForOrg(orgId, req.params.id);\n";
        let l = lookups(ts);
        assert_eq!(l.len(), 2, "{l:?}");
        assert_eq!(l[0].kind, "repo");
        assert!(l[0].scope.is_none());
        assert!(l[1].scope.is_some());

        let rb = "@invoice = current_user.invoices.find(params[:id])\n";
        let l = lookups(rb);
        assert_eq!(l[0].kind, "invoice");
        assert!(l[0].scope.is_some());
    }

    #[test]
    fn a_join_through_memberships_scopes_only_when_they_are_the_callers() {
        let rb = "@user = User\n  .joins(:memberships)\n  .where(memberships: { source: \"scim\" })\n  .distinct\n  .find(params[:id])\n";
        let l = lookups(rb);
        assert_eq!(l.len(), 1, "{l:?}");
        assert_eq!(l[0].kind, "user");
        assert!(l[0].scope.is_none(), "{l:?}");
        let mine = rb.replace(
            "source: \"scim\"",
            "organization_id: current_organization.id",
        );
        assert!(lookups(&mine)[0].scope.is_some());
    }

    #[test]
    fn a_filter_built_above_the_call_is_read_with_it() {
        let ts = "const where = buildFilter({ archived, tenantId });\nconst rows = await prisma.project.findMany({ where, orderBy });\n";
        let l = lookups(ts);
        assert_eq!(l[0].kind, "project");
        assert!(l[0].scope.is_some(), "{l:?}");
        let ts = "const where = buildFilter({ archived });\nconst rows = await prisma.project.findMany({ where, orderBy });\n";
        assert!(lookups(ts)[0].scope.is_none());
    }

    #[test]
    fn a_model_named_in_the_query_is_the_kind() {
        let py = "    def get(self, doc_id):\n        return self.db.query(Document).filter(Document.id == doc_id).one_or_none()\n";
        let l = lookups(py);
        assert_eq!(l.len(), 1, "{l:?}");
        assert_eq!(l[0].kind, "document");
        assert!(l[0].scope.is_none());
        let py = "    return (\n        db.query(Document)\n        .filter(Document.owner_id == user.id)\n        .all()\n    )\n";
        let l = lookups(py);
        assert_eq!(l[0].kind, "document");
        assert!(l[0].scope.is_some(), "{l:?}");
    }

    #[test]
    fn text_that_is_not_ascii_around_an_assignment_is_read_whole() {
        // A filter assigned from non-ASCII text, longer than what is read.
        let long = "é".repeat(700);
        let ts = format!(
            "const where ={long};\nconst rows = await prisma.project.findMany({{ where }});\n"
        );
        let l = lookups(&ts);
        assert_eq!(l[0].kind, "project");
        assert!(l[0].scope.is_none());
        let ts = "if (where == tenantId) log();\nconst rows = await prisma.project.findMany({ where });\n";
        assert!(
            lookups(ts)[0].scope.is_none(),
            "a comparison is not an assignment"
        );
    }

    #[test]
    fn request_data_and_settings_are_not_lookups() {
        let py = "x = request.args.get(\"page\")\ny = os.environ.get(\"HOME\")\nz = settings.get(\"a\")\n";
        assert!(lookups(py).is_empty(), "{:?}", lookups(py));
    }
}
