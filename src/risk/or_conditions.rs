//! An OR put beside the condition that scopes a query to its owner, without
//! grouping. In a query builder, `->where('tenant_id', $id)->where('status',
//! 'paid')->orWhere('status', 'refunded')` reads as "this tenant's paid or
//! refunded orders" but runs as `tenant_id = ? AND status = 'paid' OR status
//! = 'refunded'`: every tenant's refunded orders. Eloquent, Knex, TypeORM,
//! Doctrine and Rails' `or_where`-style builders all join a bare `orWhere`
//! to the whole chain; the fix is a grouped `where(fn ($q) => …)`. The same
//! OR after two or more conditions of any kind escapes all of them: a prune
//! job's `->where('updated_at', '<', $cutoff)->where('status', 'draft')
//! ->orWhere('status', 'failed')` deletes every failed row, however new.

use std::sync::LazyLock;

use regex::Regex;

use super::scoping::SCOPE;
use super::{FileView, Finding, Severity, quote};

/// A chained OR condition: `->orWhere(`, `.orWhere(`, `.or_where(`.
static OR_WHERE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(->|\.)\s*(orWhere|or_where|orWhereIn|orWhereRaw|orWhereNull)\s*\(").unwrap()
});
/// A chained AND condition and the column it tests: `->where('tenant_id', …)`.
static AND_WHERE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:->|\.)\s*(?:where[A-Z]\w*|where|andWhere|filter_by)\s*\(\s*["'`]?([\w.]+)"#)
        .unwrap()
});
/// A line that opens a closure: the OR inside it is grouped.
static CLOSURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\bfunction\s*\(|\bfn\s*\(|=>\s*\{?\s*$|\bnew\s+Brackets\s*\()").unwrap()
});

/// Added `orWhere` lines on the same chain as a scoping `where`.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !f.class.production() {
        return;
    }
    let Some(new) = f.new_text() else { return };
    let lines: Vec<&str> = new.lines().collect();
    for l in f.added_code() {
        if !OR_WHERE.is_match(l.text) {
            continue;
        }
        let i = l.no as usize - 1;
        let indent = indent_of(l.text);
        // Walk up the chain: lines at the same indentation that continue it,
        // up to the line that starts the statement.
        let mut scoped: Option<String> = None;
        let mut escaped: Vec<String> = Vec::new();
        for prev in lines[..i].iter().rev().take(15) {
            let t = prev.trim_start();
            if t.is_empty() {
                break;
            }
            if CLOSURE.is_match(prev) && indent_of(prev) < indent {
                // The OR sits inside a grouping closure.
                scoped = None;
                escaped.clear();
                break;
            }
            if let Some(c) = AND_WHERE.captures(prev) {
                if SCOPE.is_match(&c[1]) {
                    scoped = Some(c[1].to_string());
                }
                escaped.push(c[1].to_string());
            }
            let continues = t.starts_with("->") || t.starts_with('.');
            if !continues && indent_of(prev) < indent {
                break;
            }
        }
        let Some(column) = scoped else {
            if escaped.len() >= 2 {
                escaped.reverse();
                let names: Vec<String> =
                    escaped.iter().map(|c| format!("`{}`", quote(c))).collect();
                out.push(Finding::added(
                    "query-or-escapes-scope",
                    Severity::High,
                    f.path,
                    Some(l.no),
                    format!(
                        "`{}` is ORed with the whole chain, so the {} conditions no longer apply to the rows it matches. Group the alternatives in one `where(fn ($q) => …)`.",
                        quote(l.text.trim()),
                        names.join(" and "),
                    ),
                ));
            }
            continue;
        };
        out.push(Finding::added(
            "query-or-escapes-scope",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "`{}` is ORed with the whole chain, including its `{}` condition: the query now also returns rows of every other owner that match the OR. Group the alternatives in one `where(fn ($q) => …)`.",
                quote(l.text.trim()),
                quote(&column),
            ),
        ));
    }
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents as rules;

    const RULE: &str = "query-or-escapes-scope";
    const OLD: &str = "<?php\nclass OrderReports\n{\n    public function paid(int $tenantId)\n    {\n        return Order::query()\n            ->where('tenant_id', $tenantId)\n            ->where('status', 'paid')\n            ->get();\n    }\n}\n";

    #[test]
    fn a_bare_or_where_after_a_tenant_condition_is_found() {
        let new = OLD.replace(
            "            ->where('status', 'paid')\n",
            "            ->where('status', 'paid')\n            ->orWhere('status', 'refunded')\n",
        );
        assert!(rules("app/Reports/OrderReports.php", OLD, &new).contains(&RULE.to_string()));
    }

    #[test]
    fn a_grouped_or_or_one_on_an_unscoped_query_is_not() {
        let grouped = OLD.replace(
            "            ->where('status', 'paid')\n",
            "            ->where(function ($q) {\n                $q->where('status', 'paid')\n                  ->orWhere('status', 'refunded');\n            })\n",
        );
        assert!(!rules("app/Reports/OrderReports.php", OLD, &grouped).contains(&RULE.to_string()));
        let unscoped = OLD
            .replace("            ->where('tenant_id', $tenantId)\n", "")
            .replace(
                "            ->where('status', 'paid')\n",
                "            ->where('status', 'paid')\n            ->orWhere('status', 'refunded')\n",
            );
        assert!(!rules("app/Reports/OrderReports.php", OLD, &unscoped).contains(&RULE.to_string()));
    }

    #[test]
    fn an_or_after_two_conditions_escapes_both() {
        let old = "<?php\nclass Prune\n{\n    public function handle($cutoff)\n    {\n        $query = Order::query()\n            ->where('updated_at', '<', $cutoff)\n            ->where('status', 'draft');\n        $query->delete();\n    }\n}\n";
        let new = old.replace(
            "            ->where('status', 'draft');\n",
            "            ->where('status', 'draft')\n            ->orWhere('status', 'payment_failed');\n",
        );
        assert!(rules("app/Console/Prune.php", old, &new).contains(&RULE.to_string()));
        // One condition and its alternative is a plain OR: email or username.
        let lookup_old = "<?php\nfunction find($login)\n{\n    return User::query()\n        ->where('email', $login)\n        ->first();\n}\n";
        let lookup_new = lookup_old.replace(
            "        ->where('email', $login)\n",
            "        ->where('email', $login)\n        ->orWhere('username', $login)\n",
        );
        assert!(!rules("app/Auth/find.php", lookup_old, &lookup_new).contains(&RULE.to_string()));
    }

    #[test]
    fn knex_chains_are_read_the_same_way() {
        let old = "export function visible(userId: string) {\n  return db('documents')\n    .where('owner_id', userId)\n    .where('archived', false);\n}\n";
        let new = old.replace(
            "    .where('archived', false);\n",
            "    .where('archived', false)\n    .orWhere('shared', true);\n",
        );
        assert!(rules("src/repo/documents.ts", old, &new).contains(&RULE.to_string()));
    }
}
