//! A check-then-act split across two locks. Code that looked up a key and
//! recorded it under one exclusive lock (`seen.lock()`, then `get`, then
//! `insert`) now looks it up under a shared read lock and takes the write
//! lock afterwards to record it (`seen.read()` … `return false` … then
//! `seen.write().insert(…)`). Between the two, a second caller passes the
//! same check: both see "not there yet", both act — the duplicate message
//! is sent twice, the seat is sold twice. Double-checked locking (the check
//! asked again under the write lock) is the safe form and is not reported.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// Taking a shared (read) lock: Rust's `RwLock::read()`, Go's `RLock()`,
/// Java's `readLock().lock()`, .NET's `EnterReadLock()`.
static READ_LOCK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\.(read\(\)|RLock\(\)|readLock\(\)\.lock\(\)|EnterReadLock\(\)|read_lock\(\)|acquire_read\(\)|gen_rlock\(\))").unwrap()
});
/// Taking the exclusive (write) lock of the same kinds.
static WRITE_LOCK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\.(write\(\)|Lock\(\)|writeLock\(\)\.lock\(\)|EnterWriteLock\(\)|write_lock\(\)|acquire_write\(\)|gen_wlock\(\))").unwrap()
});
/// Taking any lock, exclusive or shared.
static ANY_LOCK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\.(lock|Lock|read|write|RLock|acquire|acquire_read|acquire_write|read_lock|write_lock|EnterReadLock|EnterWriteLock|EnterUpgradeableReadLock)\(\)|\bsynchronized\b|\block\s*\()").unwrap()
});
/// A conditional exit: the check whose answer the caller acts on.
static CHECK_EXIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:\}\s*)?(?:if\b|else\b|match\b|case\b|Some\(|None\b|\w+\s*=>|return\b)")
        .unwrap()
});
/// Asking again under the write lock: a lookup or a test.
static RECHECK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\bif\b|\.get\(|\.contains\w*\(|\.entry\(|\bexists\b|\bContainsKey\(|\bTryGetValue\(|\bok\s*:=|\bcontainsKey\(|\.putIfAbsent\(|\.TryAdd\(|\bcomputeIfAbsent\()").unwrap()
});
/// Recording the result: an insert, a put, an indexed assignment.
static RECORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\.insert\(|\.put\(|\.set\(|\.add\(|\.Add\(|\.Store\(|\w\]\s*=[^=]|\.push\()")
        .unwrap()
});

/// Lines a split takes at most: the read-locked check, the write.
const WINDOW: usize = 20;

/// Reports the first function where the change splits a check and the
/// write that depends on it across a read lock and a later write lock, in a
/// file that took no read lock before.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs || f.class.vendored {
        return;
    }
    let (Some(old), Some(new)) = (f.old_text(), f.new_text()) else {
        return;
    };
    if READ_LOCK.is_match(old) || !READ_LOCK.is_match(new) {
        return;
    }
    // A lock swapped for another kind takes as many locks as before: the
    // check and the write were apart already (`lock()` twice). A split
    // takes one more.
    let acquisitions = |t: &str| t.lines().filter(|l| ANY_LOCK.is_match(l)).count();
    if acquisitions(new) <= acquisitions(old) {
        return;
    }
    let lines: Vec<&str> = new.lines().collect();
    for l in f.added_code() {
        if !READ_LOCK.is_match(l.text) {
            continue;
        }
        let at = l.no as usize - 1;
        let end = (at + WINDOW).min(lines.len());
        // The check under the read lock, then the write lock, then the
        // record with nothing asked again in between.
        let Some(check_at) = (at + 1..end).find(|&i| {
            CHECK_EXIT.is_match(lines[i])
                && lines[i..end.min(i + 4)]
                    .iter()
                    .any(|t| t.contains("return"))
        }) else {
            continue;
        };
        let Some(write_at) = (check_at + 1..end).find(|&i| WRITE_LOCK.is_match(lines[i])) else {
            continue;
        };
        let after = &lines[write_at..(write_at + 6).min(lines.len())];
        let Some(record) = after.iter().position(|t| RECORD.is_match(t)) else {
            continue;
        };
        if after[..=record].iter().any(|t| RECHECK.is_match(t)) {
            continue;
        }
        out.push(Finding::added(
            "concurrency-check-then-act-split",
            Severity::High,
            f.path,
            Some(write_at as u32 + 1),
            format!(
                "Checks under a read lock (`{}`) and records under a write lock taken afterwards (`{}`), without checking again: two callers can both pass the check before either records, and both act (a duplicate sent twice, a slot taken twice). Check again under the write lock, or keep one exclusive lock.",
                quote(l.text.trim()),
                quote(lines[write_at].trim())
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents;

    const RULE: &str = "concurrency-check-then-act-split";

    #[test]
    fn a_lookup_under_a_read_lock_and_an_insert_under_a_later_write_lock_is_found() {
        let old = "use std::sync::Mutex;\n\nimpl Dedup {\n    pub fn first_seen(&self, id: &str) -> bool {\n        let mut seen = self.seen.lock().unwrap();\n        if seen.contains_key(id) {\n            return false;\n        }\n        seen.insert(id.to_owned(), Instant::now());\n        true\n    }\n}\n";
        let split = "use std::sync::RwLock;\n\nimpl Dedup {\n    pub fn first_seen(&self, id: &str) -> bool {\n        {\n            let seen = self.seen.read().unwrap();\n            if seen.contains_key(id) {\n                return false;\n            }\n        }\n        self.seen\n            .write()\n            .unwrap()\n            .insert(id.to_owned(), Instant::now());\n        true\n    }\n}\n";
        let hit = rules_hit_with_contents("src/dedup.rs", old, split);
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
        // Double-checked: asked again under the write lock.
        let rechecked = split.replace(
            "        self.seen\n            .write()\n            .unwrap()\n            .insert(id.to_owned(), Instant::now());\n",
            "        let mut seen = self.seen.write().unwrap();\n        if seen.contains_key(id) {\n            return false;\n        }\n        seen.insert(id.to_owned(), Instant::now());\n",
        );
        let hit = rules_hit_with_contents("src/dedup.rs", old, &rechecked);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
        // Apart before already (the load between the two locks): a Mutex
        // swapped for an RwLock splits nothing.
        let apart = "impl Cache {\n    pub fn get(&self, id: &str) -> Arc<V> {\n        {\n            let m = self.m.lock().unwrap();\n            if let Some(v) = m.get(id) {\n                return v.clone();\n            }\n        }\n        let v = Arc::new(load(id));\n        let mut m = self.m.lock().unwrap();\n        m.insert(id.to_string(), v.clone());\n        v\n    }\n}\n";
        let swapped = apart
            .replacen("self.m.lock()", "self.m.read()", 1)
            .replacen("self.m.lock()", "self.m.write()", 1);
        let hit = rules_hit_with_contents("src/cache.rs", apart, &swapped);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
    }

    #[test]
    fn go_rlock_then_lock_without_a_second_look_is_found() {
        let old = "func (c *Cache) Claim(k string) bool {\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\tif _, ok := c.m[k]; ok {\n\t\treturn false\n\t}\n\tc.m[k] = time.Now()\n\treturn true\n}\n";
        let split = "func (c *Cache) Claim(k string) bool {\n\tc.mu.RLock()\n\t_, ok := c.m[k]\n\tc.mu.RUnlock()\n\tif ok {\n\t\treturn false\n\t}\n\tc.mu.Lock()\n\tc.m[k] = time.Now()\n\tc.mu.Unlock()\n\treturn true\n}\n";
        let hit = rules_hit_with_contents("internal/cache/claim.go", old, split);
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
        // A read-only lookup under the read lock, nothing recorded after.
        let reads = "func (c *Cache) Has(k string) bool {\n\tc.mu.RLock()\n\tdefer c.mu.RUnlock()\n\t_, ok := c.m[k]\n\treturn ok\n}\n";
        let old_reads = reads.replace("RLock", "Lock").replace("RUnlock", "Unlock");
        let hit = rules_hit_with_contents("internal/cache/has.go", &old_reads, reads);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
    }
}
