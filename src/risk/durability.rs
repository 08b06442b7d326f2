//! What a data store promises about writes it acknowledged. Postgres with
//! `fsync` or `full_page_writes` off, MySQL flushing its log once a second,
//! Redis without `appendfsync`, Elasticsearch with an async translog: a crash
//! loses or corrupts what the application was told is saved. And a store that
//! persists its data (Redis with `appendonly yes` or snapshots) told to evict
//! keys under memory pressure drops them silently instead of refusing writes.
//! These lines hide well among routine tuning of buffers and workers.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// A durability setting written in its unsafe position, in the spellings of
/// config files, Helm values and parameter groups.
static DURABILITY_OFF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)^\s*["']?(fsync|full_page_writes|innodb_doublewrite)["']?\s*[=:]?\s*["']?(off|false|0|no)["']?\s*(#.*)?$|^\s*["']?(innodb_flush_log_at_trx_commit)["']?\s*[=:]?\s*["']?[02]["']?\s*(#.*)?$|^\s*["']?sync_binlog["']?\s*[=:]?\s*["']?0["']?\s*(#.*)?$|^\s*appendfsync\s+no\b|^\s*["']?(index\.)?translog\.durability["']?\s*[=:]\s*["']?async|^\s*["']?unclean\.leader\.election\.enable["']?\s*[=:]\s*["']?true|^\s*["']?journal["']?\s*:\s*\{?\s*["']?enabled["']?\s*:\s*false"#).unwrap()
});
/// The setting's name, to tell a value changed from one that was already off.
static SETTING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^\s*["']?([\w.-]+)["']?"#).unwrap());
/// Redis evicting keys: any key (`allkeys-*`) or those with a TTL.
static EVICTS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)maxmemory[-_]policy["']?\s*[=:]?\s*["']?(allkeys-\w+|volatile-\w+)"#).unwrap()
});
/// Redis persisting its data: an append-only file or snapshots.
static PERSISTS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?im)^\s*["']?appendonly["']?\s*[=:]?\s*["']?yes|^\s*save\s+\d+\s+\d+"#).unwrap()
});

/// A chart's or stack's persistence switched off (`persistence: enabled:
/// false` where it was true): the store keeps its data on an `emptyDir`,
/// and every restart, drain or upgrade of its pod starts it empty.
fn persistence_disabled(f: &FileView<'_>, out: &mut Vec<Finding>) {
    static OFF: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"^\s*enabled\s*:\s*["']?false["']?\s*(#.*)?$"#).unwrap());
    static ON: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"^\s*enabled\s*:\s*["']?true["']?\s*(#.*)?$"#).unwrap());
    if !matches!(f.class.lang, super::lang::Lang::Yaml) || super::non_production(f.path).is_some() {
        return;
    }
    if !f.removed.iter().any(|l| ON.is_match(l.text)) {
        return;
    }
    let Some(new) = f.new_text() else { return };
    let lines: Vec<&str> = new.lines().collect();
    let indent = |l: &str| l.len() - l.trim_start().len();
    for l in f.added_code().filter(|l| OFF.is_match(l.text)) {
        let above = lines.get(..l.no as usize - 1).unwrap_or_default();
        let parent = above.iter().rev().find(|x| {
            !x.trim().is_empty() && !x.trim_start().starts_with('#') && indent(x) < indent(l.text)
        });
        if parent.is_none_or(|p| p.trim().trim_end_matches(':') != "persistence") {
            continue;
        }
        out.push(Finding::added(
            "persistence-disabled",
            Severity::High,
            f.path,
            Some(l.no),
            "Turns persistence off where it was on: the data lives in the pod's own scratch space, and every restart, node drain or upgrade starts the store empty.".to_string(),
        ));
        return;
    }
}

/// Durability switched off, and eviction switched on for a store that
/// persists.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs || f.class.vendored {
        return;
    }
    persistence_disabled(f, out);
    let was_off: Vec<String> = f
        .removed
        .iter()
        .filter(|l| DURABILITY_OFF.is_match(l.text))
        .filter_map(|l| SETTING.captures(l.text).map(|c| c[1].to_ascii_lowercase()))
        .collect();
    // Elasticsearch's setting written nested (`"translog": { "durability":
    // "async" }`): the key is the block's, a few lines up.
    static NESTED_ASYNC: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)^\s*["']?durability["']?\s*[=:]\s*["']?async"#).unwrap()
    });
    let in_translog = |no: u32| {
        (no.saturating_sub(3)..no)
            .filter_map(|n| f.new_lines.get(&n))
            .any(|t| t.to_ascii_lowercase().contains("translog"))
    };
    for l in f.added_code() {
        let nested = NESTED_ASYNC.is_match(l.text) && in_translog(l.no);
        if !(DURABILITY_OFF.is_match(l.text) || nested) {
            continue;
        }
        let name = SETTING
            .captures(l.text)
            .map(|c| c[1].to_ascii_lowercase())
            .unwrap_or_default();
        if was_off.contains(&name) {
            continue;
        }
        out.push(Finding::added(
            "db-durability-off",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "Turns off a data store's durability ({}): after a crash or a power loss, writes it acknowledged are lost or pages are left torn, and recovery or failover can no longer repair them.",
                quote(l.text.trim())
            ),
        ));
    }
    let Some(l) = f.added_code().find(|l| EVICTS.is_match(l.text)) else {
        return;
    };
    // Evicting before, too: not a change of kind.
    if f.removed.iter().any(|r| EVICTS.is_match(r.text))
        || f.old_text().is_some_and(|t| EVICTS.is_match(t))
    {
        return;
    }
    let persists = f.new_text().is_some_and(|t| PERSISTS.is_match(t));
    out.push(Finding::added(
        "db-eviction-on",
        if persists {
            Severity::High
        } else {
            Severity::Medium
        },
        f.path,
        Some(l.no),
        if persists {
            format!(
                "Lets Redis evict keys under memory pressure ({}) where it refused writes before, on an instance that persists its data (append-only file or snapshots): a store, not a cache, now drops data silently when it fills up.",
                quote(l.text.trim())
            )
        } else {
            format!(
                "Lets Redis evict keys under memory pressure ({}) where it refused writes before: fine for a cache, data loss for anything kept only there.",
                quote(l.text.trim())
            )
        },
    ));
}

#[cfg(test)]
mod tests {
    use crate::risk::Severity;
    use crate::risk::testkit::findings_with_contents;

    fn level(path: &str, old: &str, new: &str, rule: &str) -> Option<Severity> {
        findings_with_contents(path, old, new)
            .into_iter()
            .find(|f| f.rule == rule)
            .map(|f| f.severity)
    }

    #[test]
    fn persistence_switched_off_outside_throwaway_environments_is_found() {
        use crate::risk::testkit::rules_hit_with_contents;
        let rule = "persistence-disabled".to_string();
        let old = "postgresql:\n  auth:\n    database: ledger\n  primary:\n    persistence:\n      enabled: true\n      size: 200Gi\n    metrics:\n      enabled: true\n";
        let off = old.replace(
            "      enabled: true\n      size",
            "      enabled: false\n      size",
        );
        let hit = |p: &str, o: &str, n: &str| rules_hit_with_contents(p, o, n);
        assert!(hit("deploy/helm/ledger/values-production.yaml", old, &off).contains(&rule));
        assert!(!hit("deploy/helm/ledger/values-dev.yaml", old, &off).contains(&rule));
        // Metrics off is not persistence off.
        let metrics = old.replace(
            "    metrics:\n      enabled: true\n",
            "    metrics:\n      enabled: false\n",
        );
        assert!(!hit("deploy/helm/ledger/values-production.yaml", old, &metrics).contains(&rule));
    }

    #[test]
    fn an_async_translog_written_nested_is_found() {
        use crate::risk::testkit::rules_hit;
        let rule = "db-durability-off".to_string();
        let old = "{\n  \"settings\": {\n    \"index\": {\n      \"translog\": {\n        \"durability\": \"request\"\n      }\n    }\n  }\n}\n";
        let new = old.replace("\"request\"", "\"async\"");
        assert!(rules_hit("search/templates/products.json", Some(old), Some(&new)).contains(&rule));
        // Another block's `durability` is not the translog's.
        let other = "{\n  \"backup\": {\n    \"durability\": \"async\"\n  }\n}\n";
        assert!(!rules_hit("search/templates/products.json", None, Some(other)).contains(&rule));
    }

    #[test]
    fn durability_switched_off_among_tuning_is_found() {
        let pg =
            "shared_buffers = 16GB\nwork_mem = 32MB\nfull_page_writes = on\nmax_wal_size = 8GB\n";
        let tuned = pg
            .replace("16GB", "32GB")
            .replace("full_page_writes = on", "full_page_writes = off");
        assert_eq!(
            level(
                "deploy/postgres/postgresql.conf",
                pg,
                &tuned,
                "db-durability-off"
            ),
            Some(Severity::High)
        );
        let my = "[mysqld]\ninnodb_buffer_pool_size = 8G\ninnodb_flush_log_at_trx_commit = 1\n";
        let fast = my.replace("trx_commit = 1", "trx_commit = 2");
        assert!(level("deploy/mysql/my.cnf", my, &fast, "db-durability-off").is_some());
        let redis = "appendonly yes\nappendfsync everysec\n";
        let never = redis.replace("everysec", "no");
        assert!(
            level(
                "deploy/redis/redis.conf",
                redis,
                &never,
                "db-durability-off"
            )
            .is_some()
        );
    }

    #[test]
    fn durability_kept_or_already_off_is_not() {
        let pg = "shared_buffers = 16GB\nfull_page_writes = on\n";
        let tuned = pg.replace("16GB", "32GB");
        assert_eq!(
            level(
                "deploy/postgres/postgresql.conf",
                pg,
                &tuned,
                "db-durability-off"
            ),
            None
        );
        // A scratch database that already ran without fsync, reindented.
        let scratch = "fsync = off\nshared_buffers = 1GB\n";
        let moved = "shared_buffers = 2GB\nfsync = off # scratch only\n";
        assert_eq!(
            level(
                "deploy/ci-db/postgresql.conf",
                scratch,
                moved,
                "db-durability-off"
            ),
            None
        );
        // Turned back on.
        assert_eq!(
            level(
                "deploy/postgres/postgresql.conf",
                "fsync = off\n",
                "fsync = on\n",
                "db-durability-off"
            ),
            None
        );
    }

    #[test]
    fn eviction_on_a_store_that_persists_is_high_and_on_a_cache_medium() {
        let store = "appendonly yes\nmaxmemory 8gb\nmaxmemory-policy noeviction\n";
        let evicting = store.replace("noeviction", "allkeys-lru");
        assert_eq!(
            level(
                "deploy/redis/leaderboard.conf",
                store,
                &evicting,
                "db-eviction-on"
            ),
            Some(Severity::High)
        );
        let cache = "maxmemory 8gb\nmaxmemory-policy noeviction\n";
        let lru = cache.replace("noeviction", "allkeys-lru");
        assert_eq!(
            level("deploy/redis/cache.conf", cache, &lru, "db-eviction-on"),
            Some(Severity::Medium)
        );
        // One eviction policy for another: not a change of kind.
        let lfu = lru.replace("allkeys-lru", "allkeys-lfu");
        assert_eq!(
            level("deploy/redis/cache.conf", &lru, &lfu, "db-eviction-on"),
            None
        );
    }
}
