//! Protections that live in a type or a binding rather than in a call, and
//! go with a one-word edit: a Rust guard bound to `_` (dropped at once, so
//! the permit or lock it held is released before the work it was meant to
//! cover); a concurrent collection in a shared field swapped for a plain one
//! (`ConcurrentHashMap` → `HashMap`); a shell pipeline into `tee` that
//! hides the exit status of the command it logs when the script has
//! `set -e` but not `pipefail`.

use std::sync::LazyLock;

use regex::Regex;

use super::lang::Lang;
use super::{FileView, Finding, Severity, quote};

/// A Rust binding of something that guards by living: a permit, a lock
/// guard, a span entered, a transaction.
static RUST_GUARD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*let\s+(_\w*)\s*(?::[^=]+)?=\s*(.*\.(acquire\w*|lock|read|write|try_lock|enter|begin|guard|lock_owned|try_acquire\w*)\s*\(.*)$").unwrap()
});
/// A field typed or built as a concurrent collection, and its plain twin.
static CONCURRENT: &[(&str, &str)] = &[
    ("ConcurrentHashMap", "HashMap"),
    ("ConcurrentSkipListMap", "TreeMap"),
    ("CopyOnWriteArrayList", "ArrayList"),
    ("ConcurrentLinkedQueue", "LinkedList"),
    ("ConcurrentLinkedDeque", "ArrayDeque"),
    ("ConcurrentDictionary", "Dictionary"),
    ("ConcurrentBag", "List"),
    ("ConcurrentQueue", "Queue"),
    ("AtomicInteger", "int"),
    ("AtomicLong", "long"),
    ("AtomicBoolean", "boolean"),
    ("sync.Map", "map["),
    ("DashMap", "HashMap"),
];
/// A declaration that is a field (not a local): an access modifier, or a
/// Go struct field.
static FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(private|protected|public|internal|static|final|readonly|val|var)\b|^\s*\w+\s+\*?sync\.Map\b").unwrap()
});

/// Every check of this module for one file.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !f.class.production() {
        return;
    }
    match f.class.lang {
        Lang::Rust => guard_bound_to_underscore(f, out),
        Lang::Shell => tee_hides_status(f, out),
        _ => {}
    }
    concurrent_collection_made_plain(f, out);
}

/// `let _permit = sem.acquire().await?` → `let _ = sem.acquire().await?`:
/// `_` is not a binding, so the permit is dropped on that line.
fn guard_bound_to_underscore(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let named: Vec<String> = statements(&f.removed_code().collect::<Vec<_>>())
        .into_iter()
        .filter_map(|(_, t)| {
            let c = RUST_GUARD.captures(&t)?;
            (&c[1] != "_").then(|| acquisition(&c[2], &c[3]))
        })
        .collect();
    if named.is_empty() {
        return;
    }
    for (no, text) in statements(&f.added_code().collect::<Vec<_>>()) {
        let Some(c) = RUST_GUARD.captures(&text) else {
            continue;
        };
        // The same acquisition, once held by a name, now dropped at once.
        if &c[1] != "_" || !named.contains(&acquisition(&c[2], &c[3])) {
            continue;
        }
        out.push(Finding::added(
            "guard-dropped-at-once",
            Severity::High,
            f.path,
            Some(no),
            format!(
                "`{}` binds the guard to `_`, which drops it on this line: the permit or lock is released before the work it was meant to cover runs. Keep a named binding (`_permit`).",
                quote(text.trim())
            ),
        ));
        return;
    }
}

/// What a guard binding acquires, from the acquiring method on, spacing
/// dropped: `self.sem.acquire().await?` and `self.limiter.acquire().await?`
/// (the field renamed) are both `.acquire().await?`.
fn acquisition(rhs: &str, method: &str) -> String {
    let code = without_spaces(rhs);
    let at = code.rfind(&format!(".{method}(")).unwrap_or(0);
    code[at..].to_string()
}

fn without_spaces(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// `let` statements of consecutive lines, joined when rustfmt spread one
/// over several (`let _permit = self\n.sem\n.acquire()\n.await?;`), with
/// the number of their first line.
fn statements(lines: &[&super::Line<'_>]) -> Vec<(u32, String)> {
    let mut out: Vec<(u32, String)> = Vec::new();
    // The statement being joined: its first line, its last, its text.
    let mut open: Option<(u32, u32, String)> = None;
    for l in lines {
        if let Some((_, last, text)) = open.as_mut()
            && l.no == *last + 1
        {
            *last = l.no;
            text.push_str(l.text.trim());
            if l.text.trim_end().ends_with(';') {
                out.extend(open.take().map(|(first, _, t)| (first, t)));
            }
            continue;
        }
        out.extend(open.take().map(|(first, _, t)| (first, t)));
        let t = l.text.trim_start();
        if t.starts_with("let ") && !t.trim_end().ends_with(';') {
            open = Some((l.no, l.no, l.text.to_string()));
        } else {
            out.push((l.no, l.text.to_string()));
        }
    }
    out.extend(open.map(|(first, _, t)| (first, t)));
    out
}

/// A shared field's concurrent collection swapped for the plain one.
fn concurrent_collection_made_plain(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let removed: Vec<&str> = f
        .removed_code()
        .filter(|l| FIELD.is_match(l.text))
        .map(|l| l.text)
        .collect();
    if removed.is_empty() {
        return;
    }
    for l in f.added_code().filter(|l| FIELD.is_match(l.text)) {
        for (safe, plain) in CONCURRENT {
            if l.text.contains(safe) || !l.text.contains(plain) {
                continue;
            }
            // The same field, which was the concurrent kind.
            let name = field_name(l.text);
            let Some(was) = removed
                .iter()
                .find(|r| r.contains(safe) && name.is_some() && field_name(r) == name)
            else {
                continue;
            };
            out.push(Finding::added(
                "concurrent-collection-made-plain",
                Severity::High,
                f.path,
                Some(l.no),
                format!(
                    "A shared field that was a `{safe}` is now a `{}` (`{}`; before, `{}`): read and written from several threads, it can lose entries, return torn values or throw mid-iteration.",
                    plain.trim_end_matches('['),
                    quote(l.text.trim()),
                    quote(was.trim())
                ),
            ));
            return;
        }
    }
}

/// The name a field declaration declares: the word before ` =`, `;` or the
/// type in Go (`rates sync.Map`).
fn field_name(line: &str) -> Option<String> {
    static NAME: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(\w+)\s*(?::\s*[^=;]+)?\s*(=|;|$)|^\s*(\w+)\s+\*?(sync\.Map|map\[)").unwrap()
    });
    let c = NAME.captures(line.trim_end())?;
    c.get(3).or(c.get(1)).map(|m| m.as_str().to_string())
}

/// `cmd` → `cmd 2>&1 | tee log` in a script with `set -e` and no
/// `pipefail`: the pipeline's status is `tee`'s, so a failing `cmd` no
/// longer stops the script.
fn tee_hides_status(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let Some(new) = f.new_text() else { return };
    let errexit = new.lines().any(|l| {
        let t = l.trim();
        (t.starts_with("set -") && t.contains('e')) || t.starts_with("#!") && t.contains(" -e")
    });
    if !errexit || new.contains("pipefail") {
        return;
    }
    let removed: Vec<String> = f.removed_code().map(|l| without_spaces(l.text)).collect();
    for l in f.added_code() {
        let Some((cmd, _)) = l
            .text
            .split_once("| tee")
            .or_else(|| l.text.split_once("|tee"))
        else {
            continue;
        };
        let cmd = cmd.trim().trim_end_matches("2>&1").trim();
        if cmd.is_empty() || !removed.contains(&without_spaces(cmd)) {
            continue;
        }
        out.push(Finding::added(
            "pipe-hides-failure",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "`{}` now pipes into `tee`, and the script has `set -e` without `pipefail`: the pipeline's status is `tee`'s, so when `{}` fails the script carries on. Add `set -o pipefail`.",
                quote(l.text.trim()),
                quote(cmd)
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents as rules;

    #[test]
    fn a_permit_bound_to_underscore_is_found_but_a_renamed_binding_is_not() {
        let old = "impl Client {\n    pub async fn quote(&self) -> Result<Quote> {\n        let _permit = self.sem.acquire().await?;\n        self.http.get(URL).send().await?.json().await\n    }\n}\n";
        let dropped = old.replace(
            "let _permit = self.sem.acquire()",
            "let _ = self.limiter.acquire()",
        );
        assert!(
            rules("src/carrier.rs", old, &dropped).contains(&"guard-dropped-at-once".to_string())
        );
        // Another acquisition dropped at once is not the permit that was held.
        let other = old.replace(
            "let _permit = self.sem.acquire().await?;",
            "let _guard = self.limiter.acquire().await?;\n        let _ = self.cache.lock().await;",
        );
        assert!(
            !rules("src/carrier.rs", old, &other).contains(&"guard-dropped-at-once".to_string())
        );
        let renamed = old.replace(
            "let _permit = self.sem.acquire()",
            "let _guard = self.limiter.acquire()",
        );
        assert!(
            !rules("src/carrier.rs", old, &renamed).contains(&"guard-dropped-at-once".to_string())
        );
    }

    #[test]
    fn a_shared_concurrent_map_made_plain_is_found_but_a_local_is_not() {
        let rule = "concurrent-collection-made-plain".to_string();
        let old = "@Component\npublic class FxRateCache {\n    private final Map<String, BigDecimal> rates = new ConcurrentHashMap<>();\n}\n";
        let new = old.replace("ConcurrentHashMap", "HashMap");
        assert!(rules("src/main/java/fx/FxRateCache.java", old, &new).contains(&rule));
        let old = "class Report {\n    List<Row> build() {\n        Map<String, Row> rows = new ConcurrentHashMap<>();\n        return List.copyOf(rows.values());\n    }\n}\n";
        let new = old.replace("ConcurrentHashMap", "HashMap");
        assert!(!rules("src/main/java/fx/Report.java", old, &new).contains(&rule));
    }

    #[test]
    fn a_command_piped_into_tee_without_pipefail_is_found() {
        let rule = "pipe-hides-failure".to_string();
        let old = "#!/usr/bin/env bash\nset -eu\ngo test ./...\ngoreleaser release --clean\n";
        let new = old.replace("go test ./...", "go test ./... 2>&1 | tee test.log");
        assert!(rules("scripts/release.sh", old, &new).contains(&rule));
        let safe = new.replace("set -eu", "set -euo pipefail");
        assert!(!rules("scripts/release.sh", old, &safe).contains(&rule));
    }
}
