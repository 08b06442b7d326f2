//! A held resource whose guaranteed release is gone. `defer rows.Close()`,
//! `defer mu.Unlock()`, `defer cancel()`, Python's `with lock:`, Java's
//! try-with-resources and C#'s `using` release on every path out of the
//! function, early returns and errors included. A refactor that drops the
//! guarantee but keeps acquiring — perhaps with one release at the end —
//! leaks a pooled connection, a lock or a context on each failure path, and
//! the service stalls once the pool or the lock is exhausted. Nothing in the
//! diff reads as wrong: the happy path still releases.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, lang::Lang, quote};

/// Go: `defer rows.Close()`, `defer s.mu.RUnlock()`, `defer cancel()`,
/// `defer tx.Rollback()`, `defer resp.Body.Close()`.
static GO_DEFERRED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*defer\s+(?:([\w.]+)\.(Close|Unlock|RUnlock|Release|Rollback|Stop)\(\)|(\w*[cC]ancel\w*)\(\))\s*(//.*)?$").unwrap()
});
/// Python: `with self._lock:`, `with pool.connection() as conn:`.
static PY_WITH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:async\s+)?with\s+(.+?)(?:\s+as\s+(\w+))?\s*:\s*(#.*)?$").unwrap()
});
/// Java's try-with-resources and C#'s `using`: the resource's name and the
/// expression that acquires it.
static SCOPED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:try\s*\(|using\s*\(|using\s+)(?:final\s+)?(?:[\w.<>\[\],? ]+\s+)?(\w+)\s*=\s*(.+?)[);]*\s*\{?\s*$").unwrap()
});
/// What a Python `with` must hold for its loss to matter: a lock, a
/// connection, a session, a transaction, a file handle or a semaphore.
static PY_HELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(lock|mutex|semaphore|connect|connection|conn\b|session|transaction|atomic|cursor|begin\(|acquire|pool|open\()").unwrap()
});

/// One guaranteed release in the old text.
struct Release {
    /// The name of the thing released (`rows`, `s.mu`, `cancel`).
    name: String,
    /// The call that releases it (`Close`, `Unlock`), empty for a bare call.
    method: String,
    line: u32,
    text: String,
}

/// Guaranteed releases the change removes while the new text still
/// acquires the same resource without one.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !f.class.production() || f.deleted() || f.created() {
        return;
    }
    if f.old_text().is_none() {
        return;
    }
    let Some(new) = f.new_text() else {
        return;
    };
    match f.class.lang {
        Lang::Go => go(f, new, out),
        Lang::Python => python(f, new, out),
        Lang::Jvm | Lang::CSharp => scoped(f, new, out),
        _ => {}
    }
}

fn go(f: &FileView<'_>, new: &str, out: &mut Vec<Finding>) {
    let removed: Vec<Release> = f
        .removed_code()
        .filter_map(|l| {
            let c = GO_DEFERRED.captures(l.text)?;
            let (name, method) = match c.get(1) {
                Some(n) => (n.as_str().to_string(), c[2].to_string()),
                None => (c[3].to_string(), String::new()),
            };
            Some(Release {
                name,
                method,
                line: l.no,
                text: l.text.trim().to_string(),
            })
        })
        .collect();
    if removed.is_empty() {
        return;
    }
    let lines: Vec<&str> = new.lines().collect();
    for r in removed {
        let Some(acquired) = go_acquired_at(&lines, &r) else {
            continue;
        };
        if go_still_deferred(&lines, &r) || go_handed_on(&lines, acquired, &r) {
            continue;
        }
        if !go_leaves_early(&lines, acquired, &r) {
            continue;
        }
        out.push(Finding::removed(
            "resource-release-removed",
            Severity::High,
            f.path,
            Some(r.line),
            format!(
                "`{}` is gone while `{}` is still acquired{}: every early return and error path now leaves it held — a leaked {} that exhausts the pool or blocks the next caller. Keep the release deferred.",
                quote(&r.text),
                quote(&r.name),
                if r.method.is_empty() { "" } else { " and released at most on the way out at the end" },
                what_leaks(&r),
            ),
        ));
    }
}

/// The line (index) where the new text acquires what `r` released.
fn go_acquired_at(lines: &[&str], r: &Release) -> Option<usize> {
    let name = regex::escape(&r.name);
    let acquire = match r.method.as_str() {
        "Unlock" => Regex::new(&format!(r"\b{name}\.Lock\(\)")),
        "RUnlock" => Regex::new(&format!(r"\b{name}\.RLock\(\)")),
        _ if r.name.contains('.') => {
            // `resp.Body.Close()` — acquired where `resp` is.
            let root = regex::escape(r.name.split('.').next().unwrap_or(""));
            Regex::new(&format!(
                r"(^|[\s,(])({root})\s*(,\s*\w+\s*)?:?=\s*[\w.]+\("
            ))
        }
        _ => Regex::new(&format!(
            r"(^|[\s,])({name})\s*(,\s*\w+\s*)*(,\s*)?:?=\s*[\w.&]+[\w.]*[({{]"
        )),
    }
    .ok()?;
    lines
        .iter()
        .position(|l| !l.trim_start().starts_with("//") && acquire.is_match(l))
}

/// The new text still defers the release, perhaps inside a `defer func()`
/// or through a helper that is handed the resource.
fn go_still_deferred(lines: &[&str], r: &Release) -> bool {
    let name = regex::escape(&r.name);
    let Ok(mention) = Regex::new(&format!(r"\b{name}\b")) else {
        return true;
    };
    lines.iter().enumerate().any(|(i, l)| {
        let t = l.trim_start();
        if !t.starts_with("defer") {
            return false;
        }
        if mention.is_match(t) {
            return true;
        }
        // `defer func() { … rows.Close() … }()` over several lines.
        t.contains("func(")
            && lines[i + 1..]
                .iter()
                .take(6)
                .take_while(|l| !l.trim_start().starts_with("}()"))
                .any(|l| mention.is_match(l))
    })
}

/// The function now gives the resource to its caller (`return rows, nil`)
/// or to something that owns it from then on.
fn go_handed_on(lines: &[&str], acquired: usize, r: &Release) -> bool {
    let root = r.name.split('.').next().unwrap_or("");
    let Ok(handed) = Regex::new(&format!(
        r"^\s*return\s+(&?\w+\{{[^}}]*\b{0}\b|{0}\s*(,|$))|\bgo\s+.*\b{0}\b|\b{0}\s*\)\s*$",
        regex::escape(root)
    )) else {
        return true;
    };
    lines[acquired..]
        .iter()
        .take(80)
        .any(|l| handed.is_match(l))
}

/// Whether the function can leave, after acquiring, by a path that does not
/// release: a `return` before the first explicit release, other than the
/// check of the acquiring call's own error.
fn go_leaves_early(lines: &[&str], acquired: usize, r: &Release) -> bool {
    let release = if r.method.is_empty() {
        format!("{}(", r.name)
    } else {
        format!("{}.{}(", r.name, r.method)
    };
    let mut depth: i32 = 0;
    let mut i = acquired + 1;
    // Skip the acquiring call's own `if err != nil { … }`.
    if let Some(l) = lines.get(i)
        && l.trim_start().starts_with("if err != nil")
    {
        let mut d = 0;
        while let Some(l) = lines.get(i) {
            d += l.matches('{').count() as i32 - l.matches('}').count() as i32;
            i += 1;
            if d <= 0 {
                break;
            }
        }
    }
    while let Some(l) = lines.get(i) {
        let code = l.split("//").next().unwrap_or("");
        if code.contains(&release) {
            return false;
        }
        let t = code.trim_start();
        if t.starts_with("return") || t.starts_with("panic(") {
            return true;
        }
        depth += code.matches('{').count() as i32 - code.matches('}').count() as i32;
        if depth < 0 {
            // The function (or the block that acquired) ended unreleased.
            return true;
        }
        i += 1;
    }
    true
}

fn what_leaks(r: &Release) -> &'static str {
    match r.method.as_str() {
        "Unlock" | "RUnlock" => "lock",
        "Rollback" => "transaction (and its connection)",
        "" => "context and its timer",
        _ if r.name.contains("Body") || r.name.starts_with("resp") => {
            "response body (and its connection)"
        }
        _ if r.name.contains("rows") || r.name.contains("stmt") || r.name.contains("conn") => {
            "database connection"
        }
        _ => "handle",
    }
}

/// Python: a `with` over a lock, a connection or a session turned into a
/// plain acquisition.
fn python(f: &FileView<'_>, new: &str, out: &mut Vec<Finding>) {
    for l in f.removed_code() {
        let Some(c) = PY_WITH.captures(l.text) else {
            continue;
        };
        let expr = c[1].trim();
        if !PY_HELD.is_match(expr) {
            continue;
        }
        let held = c.get(2).map(|m| m.as_str());
        // The new text acquires the same thing outside a `with`.
        let acquires = new.lines().any(|n| {
            let t = n.trim();
            match held {
                Some(name) => {
                    t == format!("{name} = {expr}") || t == format!("{name} = await {expr}")
                }
                None => t == format!("{expr}.acquire()") || t == format!("await {expr}.acquire()"),
            }
        });
        if !acquires || new.lines().any(|n| n.trim() == l.text.trim()) {
            continue;
        }
        let releaser = match held {
            Some(name) => format!("{name}.close()"),
            None => format!("{expr}.release()"),
        };
        if released_in_finally(new, &[releaser]) {
            continue;
        }
        out.push(Finding::removed(
            "resource-release-removed",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "`{}` is gone but `{}` is still acquired: an exception now leaves it held — a leaked lock or connection that blocks the next caller. Keep the `with`, or release in `finally:`.",
                quote(l.text.trim()),
                quote(expr),
            ),
        ));
    }
}

/// Whether `text` releases with one of `releasers` in a `finally` block (a
/// `finally:` or `} finally {` and the few lines after it).
fn released_in_finally(text: &str, releasers: &[String]) -> bool {
    let lines: Vec<&str> = text.lines().collect();
    lines.iter().enumerate().any(|(i, n)| {
        n.contains("finally")
            && lines[i..]
                .iter()
                .take(5)
                .any(|n| releasers.iter().any(|r| n.contains(r.as_str())))
    })
}

/// Java try-with-resources and C# `using` turned into a plain declaration.
fn scoped(f: &FileView<'_>, new: &str, out: &mut Vec<Finding>) {
    for l in f.removed_code() {
        let Some(c) = SCOPED.captures(l.text) else {
            continue;
        };
        let (name, expr) = (&c[1], c[2].trim());
        if expr.len() < 4 {
            continue;
        }
        let plain = new.lines().any(|n| {
            let t = n.trim();
            !t.starts_with("try")
                && !t.starts_with("using")
                && t.contains(&format!("{name} = {expr}"))
        });
        if !plain {
            continue;
        }
        let closers = [
            format!("{name}.close()"),
            format!("{name}.Dispose()"),
            format!("{name}?.Dispose()"),
        ];
        if released_in_finally(new, &closers) {
            continue;
        }
        out.push(Finding::removed(
            "resource-release-removed",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "`{}` no longer releases `{}`: it is now opened by a plain declaration, so an exception leaves the connection, stream or lock held until the pool runs dry. Keep the try-with-resources / `using`.",
                quote(l.text.trim()),
                quote(name),
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents as rules;

    const RULE: &str = "resource-release-removed";

    const GO_OLD: &str = "package store\n\nfunc (s *Store) List(ctx context.Context, org string) ([]Account, error) {\n\trows, err := s.db.QueryContext(ctx, listSQL, org)\n\tif err != nil {\n\t\treturn nil, err\n\t}\n\tdefer rows.Close()\n\n\tvar out []Account\n\tfor rows.Next() {\n\t\tvar a Account\n\t\tif err := rows.Scan(&a.ID); err != nil {\n\t\t\treturn nil, err\n\t\t}\n\t\tout = append(out, a)\n\t}\n\treturn out, rows.Err()\n}\n";

    #[test]
    fn a_deferred_close_dropped_while_rows_are_still_read_is_found() {
        let new = GO_OLD
            .replace("\tdefer rows.Close()\n", "")
            .replace("return out, rows.Err()", "if err := rows.Err(); err != nil {\n\t\treturn nil, err\n\t}\n\treturn out, rows.Close()");
        assert!(rules("internal/store/accounts.go", GO_OLD, &new).contains(&RULE.to_string()));
    }

    #[test]
    fn rows_handed_to_the_caller_or_closed_in_a_deferred_func_are_not() {
        let handed = "package store\n\nfunc (s *Store) List(ctx context.Context, org string) (*sql.Rows, error) {\n\trows, err := s.db.QueryContext(ctx, listSQL, org)\n\tif err != nil {\n\t\treturn nil, err\n\t}\n\treturn rows, nil\n}\n";
        assert!(!rules("internal/store/accounts.go", GO_OLD, handed).contains(&RULE.to_string()));
        let deferred_func = GO_OLD.replace(
            "\tdefer rows.Close()\n",
            "\tdefer func() {\n\t\tif cerr := rows.Close(); cerr != nil && err == nil {\n\t\t\terr = cerr\n\t\t}\n\t}()\n",
        );
        assert!(
            !rules("internal/store/accounts.go", GO_OLD, &deferred_func)
                .contains(&RULE.to_string())
        );
    }

    const LOCK_OLD: &str = "package cache\n\nfunc (c *Cache) Get(key string) (Item, error) {\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\titem, ok := c.items[key]\n\tif !ok {\n\t\treturn Item{}, ErrMiss\n\t}\n\tc.hits++\n\treturn item, nil\n}\n";

    #[test]
    fn an_unlock_moved_to_the_end_past_an_early_return_is_found() {
        let new = LOCK_OLD
            .replace("\tdefer c.mu.Unlock()\n", "")
            .replace("\tc.hits++\n", "\tc.hits++\n\tc.mu.Unlock()\n");
        assert!(rules("internal/cache/cache.go", LOCK_OLD, &new).contains(&RULE.to_string()));
    }

    #[test]
    fn a_narrowed_critical_section_that_unlocks_before_any_return_is_not() {
        let new = LOCK_OLD.replace(
            "\tdefer c.mu.Unlock()\n\titem, ok := c.items[key]\n",
            "\titem, ok := c.items[key]\n\tc.mu.Unlock()\n",
        );
        assert!(!rules("internal/cache/cache.go", LOCK_OLD, &new).contains(&RULE.to_string()));
    }

    #[test]
    fn a_dropped_defer_cancel_is_found_unless_something_else_cancels() {
        let old = "package client\n\nfunc (c *Client) Fetch(ctx context.Context, id string) (*Doc, error) {\n\tctx, cancel := context.WithTimeout(ctx, c.timeout)\n\tdefer cancel()\n\treq, err := c.newRequest(ctx, id)\n\tif err != nil {\n\t\treturn nil, err\n\t}\n\treturn c.do(req)\n}\n";
        let dropped = old.replace("\tdefer cancel()\n", "");
        assert!(rules("pkg/client/fetch.go", old, &dropped).contains(&RULE.to_string()));
        let kept = old.replace(
            "\tdefer cancel()\n",
            "\tdefer func() {\n\t\tc.metrics.Done()\n\t\tcancel()\n\t}()\n",
        );
        assert!(!rules("pkg/client/fetch.go", old, &kept).contains(&RULE.to_string()));
    }

    #[test]
    fn a_python_with_lock_turned_into_acquire_is_found_but_try_finally_is_not() {
        let old = "class Ledger:\n    def post(self, entry):\n        with self._lock:\n            if entry.id in self._seen:\n                raise DuplicateEntry(entry.id)\n            self._seen.add(entry.id)\n            self._entries.append(entry)\n";
        let plain = "class Ledger:\n    def post(self, entry):\n        self._lock.acquire()\n        if entry.id in self._seen:\n            raise DuplicateEntry(entry.id)\n        self._seen.add(entry.id)\n        self._entries.append(entry)\n        self._lock.release()\n";
        assert!(rules("ledger/book.py", old, plain).contains(&RULE.to_string()));
        let finally = "class Ledger:\n    def post(self, entry):\n        self._lock.acquire()\n        try:\n            if entry.id in self._seen:\n                raise DuplicateEntry(entry.id)\n            self._seen.add(entry.id)\n            self._entries.append(entry)\n        finally:\n            self._lock.release()\n";
        assert!(!rules("ledger/book.py", old, finally).contains(&RULE.to_string()));
    }

    #[test]
    fn try_with_resources_unwrapped_is_found_and_a_finally_close_is_not() {
        let old = "class Repo {\n    List<Order> open() throws SQLException {\n        try (Connection conn = dataSource.getConnection()) {\n            return query(conn);\n        }\n    }\n}\n";
        let plain = "class Repo {\n    List<Order> open() throws SQLException {\n        Connection conn = dataSource.getConnection();\n        return query(conn);\n    }\n}\n";
        assert!(rules("src/main/java/shop/Repo.java", old, plain).contains(&RULE.to_string()));
        let finally = "class Repo {\n    List<Order> open() throws SQLException {\n        Connection conn = dataSource.getConnection();\n        try {\n            return query(conn);\n        } finally {\n            conn.close();\n        }\n    }\n}\n";
        assert!(!rules("src/main/java/shop/Repo.java", old, finally).contains(&RULE.to_string()));
    }
}
