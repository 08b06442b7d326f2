//! An upsert turned into an insert that ignores conflicts. `ON CONFLICT …
//! DO UPDATE` (MySQL's `ON DUPLICATE KEY UPDATE`, SQLAlchemy's
//! `on_conflict_do_update`, knex's `.onConflict().merge()`, Django's `update_conflicts`,
//! TypeORM's `orUpdate`) keeps a copy current: a status, an amount or a
//! refund that changes upstream is written again. `DO NOTHING` (`INSERT
//! IGNORE`, `ignore_conflicts`, knex's `.ignore()`, `orIgnore`) keeps the first
//! version of every row forever, and nothing fails to say so. Often it comes
//! as "fix the deadlock" or "make the load idempotent".

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// A conflict resolved by writing the new values over the row.
static UPDATES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\bDO\s+UPDATE\b|\bON\s+DUPLICATE\s+KEY\s+UPDATE\b|\bon_conflict_do_update\b|\bon_duplicate_key_update\b|\.onConflict\([^)]*\)\s*\.merge\(|\bupdate_conflicts\s*=\s*True\b|\.orUpdate\(|\bupsert_all\b|\bWHEN\s+MATCHED\s+THEN\s+UPDATE\b)")
        .expect("a valid regex")
});

/// A conflict resolved by keeping the row as it is.
static IGNORES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\bDO\s+NOTHING\b|\bINSERT\s+IGNORE\b|\bon_conflict_do_nothing\b|\.onConflict\([^)]*\)\s*\.ignore\(\)|\bignore_conflicts\s*=\s*True\b|\.orIgnore\(|\binsert_all\b|\bINSERT\s+OR\s+IGNORE\b)")
        .expect("a valid regex")
});

/// Columns whose refresh only records that the row was seen again.
static BOOKKEEPING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(\w*_at|\w*_on|last_\w+|\w*seen\w*|\w*touched\w*|\w*timestamp\w*|_?synced\w*|version)$")
        .expect("a valid regex")
});

/// Columns a removed `DO UPDATE SET a = …, b = …` wrote, read from the
/// removed lines from the one that updates on.
fn columns_updated(f: &FileView<'_>, from: usize) -> Vec<String> {
    static SET: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)(?:\bSET\s+|^\s*,?\s*)([a-z_][\w.]*)\s*=\s*(EXCLUDED|VALUES|excluded|values)\b",
        )
        .expect("a valid regex")
    });
    f.removed[from..]
        .iter()
        .take(20)
        .flat_map(|l| {
            SET.captures_iter(l.text)
                .map(|c| c[1].rsplit('.').next().unwrap_or("").to_string())
        })
        .collect()
}

/// Looks for a file whose upsert stopped updating.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs || f.removed.is_empty() || f.added.is_empty() {
        return;
    }
    let Some(from) = f.removed.iter().position(|l| UPDATES.is_match(l.text)) else {
        return;
    };
    if f.added.iter().any(|l| UPDATES.is_match(l.text)) {
        return;
    }
    let Some(now) = f.added.iter().find(|l| IGNORES.is_match(l.text)) else {
        return;
    };
    let cols = columns_updated(f, from);
    if !cols.is_empty() && cols.iter().all(|c| BOOKKEEPING.is_match(c)) {
        return;
    }
    out.push(Finding::added(
        "upsert-stops-updating",
        Severity::High,
        f.path,
        Some(now.no),
        format!(
            "A conflicting row is now kept as it is ({}) where it was updated ({}): a status, amount or refund that changes after the first load is silently never written.",
            quote(now.text.trim()),
            quote(f.removed[from].text.trim())
        ),
    ));
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents;

    const RULE: &str = "upsert-stops-updating";
    const UPSERT: &str = "INSERT INTO warehouse.orders (order_id, status, total_minor, updated_at)\nVALUES (:order_id, :status, :total_minor, :updated_at)\nON CONFLICT (order_id) DO UPDATE SET\n    status      = EXCLUDED.status,\n    total_minor = EXCLUDED.total_minor,\n    updated_at  = EXCLUDED.updated_at\nWHERE warehouse.orders.updated_at < EXCLUDED.updated_at;\n";

    fn hit(path: &str, old: &str, new: &str) -> bool {
        rules_hit_with_contents(path, old, new).contains(&RULE.to_string())
    }

    #[test]
    fn an_upsert_that_now_ignores_conflicts_is_found_in_sql_and_in_code() {
        let ignore = "INSERT INTO warehouse.orders (order_id, status, total_minor, updated_at)\nVALUES (:order_id, :status, :total_minor, :updated_at)\nON CONFLICT (order_id) DO NOTHING;\n";
        assert!(hit("loader/sql/upsert_orders.sql", UPSERT, ignore));
        let py_old = "stmt = insert(Order).values(rows)\nstmt = stmt.on_conflict_do_update(\n    index_elements=[Order.id],\n    set_={\"status\": stmt.excluded.status},\n)\nsession.execute(stmt)\n";
        let py_new = "stmt = insert(Order).values(rows).on_conflict_do_nothing(index_elements=[Order.id])\nsession.execute(stmt)\n";
        assert!(hit("etl/load_orders.py", py_old, py_new));
        let mysql_old = "INSERT INTO balances (account_id, amount) VALUES (?, ?)\n  ON DUPLICATE KEY UPDATE amount = VALUES(amount);\n";
        assert!(hit(
            "db/balances.sql",
            mysql_old,
            "INSERT IGNORE INTO balances (account_id, amount) VALUES (?, ?);\n"
        ));
    }

    #[test]
    fn an_upsert_kept_or_one_that_only_touched_a_timestamp_is_not() {
        // Still updating, only the filter changed.
        let kept = UPSERT.replace(
            "WHERE warehouse.orders.updated_at < EXCLUDED.updated_at;",
            ";",
        );
        assert!(!hit("loader/sql/upsert_orders.sql", UPSERT, &kept));
        // What the update wrote was when the row was seen last.
        let seen = "INSERT INTO processed_events (event_id, last_seen_at) VALUES ($1, now())\nON CONFLICT (event_id) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at;\n";
        let nothing = "INSERT INTO processed_events (event_id, last_seen_at) VALUES ($1, now())\nON CONFLICT (event_id) DO NOTHING;\n";
        assert!(!hit("db/events.sql", seen, nothing));
        // A new ignoring insert beside an untouched upsert elsewhere.
        let more =
            format!("{UPSERT}\nINSERT INTO audit (id) VALUES (:id) ON CONFLICT DO NOTHING;\n");
        assert!(!hit("loader/sql/upsert_orders.sql", UPSERT, &more));
    }
}
