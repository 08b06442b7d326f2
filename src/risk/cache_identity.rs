//! A cache or idempotency key that loses whose data it holds: `document(tenant,
//! id)` → `document(id)`, `[@account.cache_key, …]` without the account,
//! `Key { merchant, key }` → `key`. Two tenants, accounts or users then share
//! one entry, and the second is served the first one's data (or their
//! stored response).

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// A line that builds, reads or writes a keyed cache entry.
static KEY_CONTEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(cache|\bkeys?\b|_key\b|key\s*[:=(]|\bKey\s*\{|memo|idempoten)").unwrap()
});
/// Whose data an entry is.
static IDENTITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b[@$]?(?:\w+\.)?(tenant|account|user|org|organization|customer|merchant|workspace|shop|store|owner|team|company|member)(_?id|Id|ID)?\b").unwrap()
});

/// Cache-identity rules for one file.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs || f.class.vendored || f.class.migration {
        return;
    }
    for (gone, came) in f.replacements() {
        if came.is_empty() || !came.iter().any(|l| KEY_CONTEXT.is_match(&l.content)) {
            continue;
        }
        let added: String = came
            .iter()
            .map(|l| l.content.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        let lost = gone
            .iter()
            .filter(|l| KEY_CONTEXT.is_match(&l.content) && !f.class.is_comment(&l.content))
            .find_map(|l| {
                IDENTITY
                    .captures_iter(&l.content)
                    .map(|c| c[1].to_ascii_lowercase())
                    .find(|w| !added.to_ascii_lowercase().contains(w.as_str()))
                    .map(|w| (l, w))
            });
        let Some((l, who)) = lost else { continue };
        let at = came
            .iter()
            .find(|a| KEY_CONTEXT.is_match(&a.content))
            .and_then(|a| a.new_no)
            .or(l.new_no);
        out.push(Finding::added(
        "cache-key-identity-lost",
        Severity::High,
        f.path,
        at,
        format!(
            "The key no longer includes the {who} (`{}` before): entries of one {who} are now shared with every other, and served to them.",
            quote(l.content.trim())
        ),
    ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit;

    #[test]
    fn a_cache_key_that_drops_the_tenant_is_found() {
        let rule = "cache-key-identity-lost".to_string();
        let old = "fn get(&self, tenant: &str, id: &str) {\n    let key = keys::document(tenant, id);\n    self.redis.get(key)\n}\n";
        let new = old.replace("keys::document(tenant, id)", "keys::document(id)");
        assert!(rules_hit("src/cache.rs", Some(old), Some(&new)).contains(&rule));
        let py = "def stats(account, user):\n    key = f\"stats:{account.id}:{user.role}\"\n    return cache.get(key)\n";
        let py_new = py.replace("{account.id}:", "");
        assert!(rules_hit("app/stats.py", Some(py), Some(&py_new)).contains(&rule));
    }

    #[test]
    fn a_key_respelled_with_its_owner_kept_is_not() {
        let rule = "cache-key-identity-lost".to_string();
        let old = "def stats(account, user):\n    key = f\"stats:{account.id}:{user.role}\"\n    return cache.get(key)\n";
        let new = old.replace(
            "f\"stats:{account.id}:{user.role}\"",
            "stats_key(account_id=account.id, role=user.role)",
        );
        assert!(!rules_hit("app/stats.py", Some(old), Some(&new)).contains(&rule));
        // A TTL changed next to the key is no key change.
        let ttl = "    key = f\"stats:{account.id}\"\n    cache.set(key, v, ttl=60)\n";
        let ttl_new = ttl.replace("ttl=60", "ttl=300");
        assert!(!rules_hit("app/stats.py", Some(ttl), Some(&ttl_new)).contains(&rule));
    }
}
