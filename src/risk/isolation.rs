//! Transactions given a weaker isolation level. `Serializable` →
//! `ReadCommitted` on a transaction that reads a balance and then debits it
//! lets two concurrent transfers both see the funds: the check still runs,
//! and no longer protects anything. The change reads as a performance tweak.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// An isolation level, however a language or SQL spells it.
static LEVEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(serializable|repeatable[_ ]?read|snapshot|read[_ ]?committed|read[_ ]?uncommitted)\b").expect("a valid regex")
});
/// The line is about isolation (not a word in a comment about reading).
static CONTEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(isolation|IsolationLevel|TRANSACTION)").expect("a valid regex")
});

/// Strength of a level: higher forbids more anomalies.
fn strength(level: &str) -> u8 {
    let l = level.to_ascii_lowercase().replace(['_', ' '], "");
    match l.as_str() {
        "serializable" => 4,
        "repeatableread" | "snapshot" => 3,
        "readcommitted" => 2,
        _ => 1,
    }
}

fn levels<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<(String, String)> {
    lines
        .filter(|t| CONTEXT.is_match(t))
        .flat_map(|t| {
            LEVEL
                .find_iter(t)
                .map(|m| (m.as_str().to_string(), t.trim().to_string()))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A transaction isolation level the change lowers.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !f.class.production() || f.class.docs {
        return;
    }
    let before = levels(f.removed_code().map(|l| l.text));
    if before.is_empty() {
        return;
    }
    let strongest_before = before.iter().map(|(l, _)| strength(l)).max().unwrap_or(0);
    for l in f.added_code() {
        if !CONTEXT.is_match(l.text) {
            continue;
        }
        let Some(m) = LEVEL.find(l.text) else {
            continue;
        };
        if strength(m.as_str()) >= strongest_before {
            continue;
        }
        let (old, _) = before
            .iter()
            .max_by_key(|(l, _)| strength(l))
            .expect("not empty");
        out.push(Finding::added(
            "db-isolation-lowered",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "Lowers a transaction's isolation from {old} to {} (`{}`): two concurrent runs can now both read the same state and both act on it (a balance checked twice, a slot taken twice).",
                m.as_str(),
                quote(l.text.trim())
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit;

    #[test]
    fn serializable_to_read_committed_is_found_and_the_reverse_is_not() {
        let old = "await using var tx = await db.BeginTransactionAsync(IsolationLevel.Serializable, ct);\n";
        let new = "await using var tx = await db.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);\n";
        let hit = rules_hit("src/Ledger/Transfers.cs", Some(old), Some(new));
        assert!(hit.contains(&"db-isolation-lowered".to_string()), "{hit:?}");
        let hit = rules_hit("src/Ledger/Transfers.cs", Some(new), Some(old));
        assert!(
            !hit.contains(&"db-isolation-lowered".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn spring_and_sql_spellings_are_found() {
        let hit = rules_hit(
            "src/main/java/com/acme/Wallet.java",
            Some("@Transactional(isolation = Isolation.REPEATABLE_READ)\n"),
            Some("@Transactional(isolation = Isolation.READ_COMMITTED)\n"),
        );
        assert!(hit.contains(&"db-isolation-lowered".to_string()), "{hit:?}");
        let hit = rules_hit(
            "app/ledger.py",
            Some("cur.execute(\"SET TRANSACTION ISOLATION LEVEL SERIALIZABLE\")\n"),
            Some("cur.execute(\"SET TRANSACTION ISOLATION LEVEL READ COMMITTED\")\n"),
        );
        assert!(hit.contains(&"db-isolation-lowered".to_string()), "{hit:?}");
    }
}
