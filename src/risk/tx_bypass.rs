//! Writes moved out of the transaction they were in. Inside `tx, err :=
//! r.db.BeginTx(…)` … `tx.Commit()`, a statement that ran on `tx` and now
//! runs on `r.db` (often through a helper that takes the handle) commits on
//! its own: a failure later in the function rolls back the rest and leaves
//! this write behind, and a serializable transaction no longer covers it.

use std::sync::LazyLock;

use regex::Regex;

use super::lang::Lang;
use super::{FileView, Finding, Severity, quote};

/// A transaction begun, and the name it is bound to.
static BEGIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(\w+)\s*,\s*\w+\s*:?=\s*([\w.]+?)\.(?:BeginTx|Begin|BeginTxx|Beginx)\s*\(")
        .unwrap()
});

/// Added lines, between a `Begin` and its `Commit`, that hand the pool the
/// transaction was begun on to a call, where the removed lines used the
/// transaction.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.lang != Lang::Go || !f.class.production() {
        return;
    }
    let Some(new) = f.new_text() else { return };
    if !new.contains("Begin") {
        return;
    }
    let lines: Vec<&str> = new.lines().collect();
    let removed_on_tx = |tx: &str| {
        f.removed_code().any(|l| {
            l.text.contains(&format!("{tx}.Exec"))
                || l.text.contains(&format!("{tx}.Query"))
                || l.text.contains(&format!(", {tx},"))
                || l.text.contains(&format!("({tx},"))
        })
    };
    for (i, l) in lines.iter().enumerate() {
        let Some(c) = BEGIN.captures(l) else { continue };
        let (tx, pool) = (c[1].to_string(), c[2].to_string());
        if !removed_on_tx(&tx) {
            continue;
        }
        let Ok(on_pool) = Regex::new(&format!(
            r"(\(\s*(?:ctx\s*,\s*)?{p}\s*[,)]|,\s*{p}\s*[,)]|\b{p}\.(?:Exec|Query)\w*\()",
            p = regex::escape(&pool)
        )) else {
            continue;
        };
        for (j, x) in lines.iter().enumerate().skip(i + 1) {
            if x.contains(&format!("{tx}.Commit(")) || x.starts_with("func ") {
                break;
            }
            let no = j as u32 + 1;
            if f.added_at(no) && on_pool.is_match(x) {
                out.push(Finding::added(
                    "write-outside-transaction",
                    Severity::High,
                    f.path,
                    Some(no),
                    format!(
                        "`{}` runs on `{pool}`, not on the transaction `{tx}` begun above it: it commits on its own, so a later failure rolls back the rest and leaves this write behind.",
                        quote(x.trim())
                    ),
                ));
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents as rules;

    const OLD: &str = "func (r *Repo) Post(ctx context.Context, t Txn) error {\n\ttx, err := r.db.BeginTx(ctx, nil)\n\tif err != nil {\n\t\treturn err\n\t}\n\tdefer tx.Rollback()\n\tfor _, e := range t.Entries {\n\t\tif _, err := tx.ExecContext(ctx, insertEntrySQL, t.ID, e.Amount); err != nil {\n\t\t\treturn err\n\t\t}\n\t}\n\treturn tx.Commit()\n}\n";

    #[test]
    fn a_statement_moved_from_the_transaction_to_the_pool_is_found() {
        let new = OLD.replace(
            "if _, err := tx.ExecContext(ctx, insertEntrySQL, t.ID, e.Amount); err != nil {",
            "if err := insertEntry(ctx, r.db, t.ID, e); err != nil {",
        );
        assert!(
            rules("internal/ledger/repo.go", OLD, &new)
                .contains(&"write-outside-transaction".to_string())
        );
    }

    #[test]
    fn the_same_helper_given_the_transaction_is_not() {
        let new = OLD.replace(
            "if _, err := tx.ExecContext(ctx, insertEntrySQL, t.ID, e.Amount); err != nil {",
            "if err := insertEntry(ctx, tx, t.ID, e); err != nil {",
        );
        assert!(
            !rules("internal/ledger/repo.go", OLD, &new)
                .contains(&"write-outside-transaction".to_string())
        );
    }
}
