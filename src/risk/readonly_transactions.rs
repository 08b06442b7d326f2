//! A write method left in a read-only transaction. Spring's
//! `@Transactional(readOnly = true)` on a class applies to every method that
//! does not say otherwise; with Hibernate it switches flushing off, so an
//! entity changed inside it (`user.setStatus(SUSPENDED)`) is never written,
//! and nothing fails. A tidy-up that hoists the annotation to the class and
//! drops a method's own `@Transactional` as "redundant" turns a write into a
//! silent no-op.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// `@Transactional(readOnly = true)` on the class: written at the left
/// margin, above the class.
static CLASS_READ_ONLY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^@(org\.springframework\.transaction\.annotation\.)?Transactional\s*\(\s*readOnly\s*=\s*true\s*\)")
        .expect("a valid regex")
});

/// A method's own `@Transactional` that allows writes.
static WRITE_TX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s+@(org\.springframework\.transaction\.annotation\.)?Transactional\b(\s*\((?P<args>[^)]*)\))?\s*$")
        .expect("a valid regex")
});

/// A method's declaration: its name before the parameters.
static METHOD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s+(?:(?:public|protected|private|internal|open|override|suspend|final|static|synchronized)\s+)*(?:fun\s+|[\w<>\[\],.? ]+\s+)(\w+)\s*\(")
        .expect("a valid regex")
});

/// The name a line declares as a method, if it declares one (a `return
/// load(id)` or `throw new …(…)` statement does not).
fn declared_method(line: &str) -> Option<String> {
    let t = line.trim_start();
    if ["return ", "throw ", "//", "*", "else ", "new "]
        .iter()
        .any(|p| t.starts_with(p))
    {
        return None;
    }
    METHOD.captures(line).map(|m| m[1].to_string())
}

/// What a method does that writes: an entity's setter, a repository's save
/// or delete, an update query.
static WRITES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\.(set[A-Z]\w*|save\w*|delete\w*|remove\w*|persist|merge|update\w*|increment\w*)\s*\(|\w+\.\w+\s*=[^=]")
        .expect("a valid regex")
});

/// Looks for a method whose own write transaction the change drops under a
/// class that is read-only.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let jvm = f.path.ends_with(".java") || f.path.ends_with(".kt");
    if !jvm || f.class.test_like() || f.removed.is_empty() {
        return;
    }
    let (Some(old), Some(new)) = (f.old_text(), f.new_text()) else {
        return;
    };
    if !CLASS_READ_ONLY.is_match(new) {
        return;
    }
    let old_lines: Vec<&str> = old.lines().collect();
    let new_lines: Vec<&str> = new.lines().collect();
    for r in &f.removed {
        let Some(c) = WRITE_TX.captures(r.text) else {
            continue;
        };
        if c.name("args")
            .is_some_and(|a| a.as_str().contains("readOnly"))
        {
            continue;
        }
        // The method the annotation stood on, in the old text.
        let Some(name) = old_lines
            .iter()
            .skip(r.no as usize)
            .take(4)
            .find_map(|l| declared_method(l))
        else {
            continue;
        };
        // The same method in the new text, its annotations and its body.
        let Some(at) = new_lines
            .iter()
            .position(|l| declared_method(l).is_some_and(|m| m == name))
        else {
            continue;
        };
        let own_tx = new_lines[at.saturating_sub(4)..at]
            .iter()
            .any(|l| l.trim_start().starts_with("@Transactional") || l.contains("@Transactional("));
        let body_writes = new_lines
            .iter()
            .skip(at + 1)
            .take_while(|l| declared_method(l).is_none())
            .take(60)
            .any(|l| WRITES.is_match(l));
        if own_tx || !body_writes {
            continue;
        }
        out.push(Finding::removed(
            "write-in-read-only-transaction",
            Severity::High,
            f.path,
            Some(r.no),
            format!(
                "`{}` lost its own `@Transactional` and now runs in the class's read-only transaction: with Hibernate nothing it changes is flushed, so its writes are silently dropped.",
                quote(&name)
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents;

    const RULE: &str = "write-in-read-only-transaction";
    const OLD: &str = "package com.acme.users;\n\nimport org.springframework.stereotype.Service;\nimport org.springframework.transaction.annotation.Transactional;\n\n@Service\npublic class UserAdminService {\n\n    @Transactional(readOnly = true)\n    public User getUser(UUID id) {\n        return load(id);\n    }\n\n    @Transactional\n    public User suspendUser(UUID id, String reason) {\n        User user = load(id);\n        user.setStatus(Status.SUSPENDED);\n        user.setSuspendedReason(reason);\n        return user;\n    }\n\n    @Transactional\n    public User reinstateUser(UUID id) {\n        User user = load(id);\n        user.setStatus(Status.ACTIVE);\n        return user;\n    }\n}\n";

    fn hit(new: &str) -> bool {
        rules_hit_with_contents(
            "src/main/java/com/acme/users/UserAdminService.java",
            OLD,
            new,
        )
        .contains(&RULE.to_string())
    }

    /// `text` with the read method's `readOnly` annotation hoisted to the
    /// class.
    fn hoisted(text: &str) -> String {
        text.replace(
            "@Service\npublic class",
            "@Service\n@Transactional(readOnly = true)\npublic class",
        )
        .replace(
            "    @Transactional(readOnly = true)\n    public User getUser",
            "    public User getUser",
        )
    }

    /// `text` without `suspendUser`'s own `@Transactional`.
    fn suspend_unannotated(text: &str) -> String {
        text.replace(
            "    @Transactional\n    public User suspendUser",
            "    public User suspendUser",
        )
    }

    #[test]
    fn a_write_method_left_under_a_read_only_class_is_found() {
        assert!(hit(&suspend_unannotated(&hoisted(OLD))));
    }

    #[test]
    fn a_write_method_that_keeps_its_own_transaction_or_a_read_is_not() {
        // Only the read's annotation hoisted; both writes keep theirs.
        assert!(!hit(&hoisted(OLD)));
        // No read-only class: the method's transaction is the default one.
        assert!(!hit(&suspend_unannotated(OLD)));
        // A method that writes nothing loses nothing.
        let quiet = OLD.replace(
            "        user.setStatus(Status.SUSPENDED);\n        user.setSuspendedReason(reason);\n",
            "",
        );
        assert!(
            !rules_hit_with_contents(
                "src/main/java/com/acme/users/UserAdminService.java",
                &quiet,
                &suspend_unannotated(&hoisted(&quiet)),
            )
            .contains(&RULE.to_string())
        );
    }
}
