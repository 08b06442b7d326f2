//! Row-level security: the policies that decide which rows a database
//! session sees are authorization, written in SQL. A policy whose condition
//! has a branch that lets rows through without the tenant or owner check
//! (`current_setting(…) IS NULL OR tenant_id = …`), a policy of `true`, a
//! policy dropped and not recreated, or row security switched off for a
//! table: each lets one tenant read another's rows.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use super::lang::Lang;
use super::{ChangeView, FileView, Finding, Severity, quote};

static POLICY_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\b(create|drop)\s+policy\s+(?:if\s+exists\s+)?["`]?(\w+)["`]?\s+on\s+["`]?([\w.]+)"#,
    )
    .unwrap()
});
static RLS_OFF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\balter\s+table\s+[\w.]+\s+(disable|no\s+force)\s+row\s+level\s+security")
        .unwrap()
});

/// Policies created anywhere in the change, as (name, table).
fn created_policies(change: &ChangeView<'_>) -> HashSet<(String, String)> {
    change
        .files
        .iter()
        .flat_map(|f| f.added.iter())
        .filter_map(|l| POLICY_NAME.captures(l.text))
        .filter(|c| c[1].eq_ignore_ascii_case("create"))
        .map(|c| (c[2].to_ascii_lowercase(), c[3].to_ascii_lowercase()))
        .collect()
}

/// A `CREATE POLICY` read whole: its table, the command it applies to
/// (`all` when it names none) and its conditions.
struct PolicyDef {
    name: String,
    table: String,
    command: String,
    conditions: Vec<String>,
}

/// The policies that the lines of one side of the change's SQL files create.
fn policy_defs(change: &ChangeView<'_>, added: bool) -> Vec<PolicyDef> {
    static FOR: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)\bfor\s+(all|select|insert|update|delete)\b").unwrap());
    let mut out = Vec::new();
    for f in change
        .files
        .iter()
        .filter(|f| matches!(f.class.lang, Lang::Sql) || f.class.migration)
    {
        let lines: Vec<_> = if added {
            f.added_code().collect()
        } else {
            f.removed_code().collect()
        };
        for (_, stmt) in super::migrations::statements(lines.into_iter()) {
            let Some(c) = POLICY_NAME.captures(&stmt) else {
                continue;
            };
            if !c[1].eq_ignore_ascii_case("create") {
                continue;
            }
            out.push(PolicyDef {
                name: c[2].to_ascii_lowercase(),
                table: c[3].to_ascii_lowercase(),
                command: FOR
                    .captures(&stmt)
                    .map_or("all".to_string(), |m| m[1].to_ascii_lowercase()),
                conditions: ["USING", "WITH CHECK"]
                    .iter()
                    .filter_map(|k| clause_expr(&stmt, k))
                    .map(|e| e.split_whitespace().collect::<Vec<_>>().join(" "))
                    .collect(),
            });
        }
    }
    out
}

/// Whether a policy the change creates on `table` takes over the dropped
/// `name`: it covers the dropped policy's command (`for all`, or the command
/// its name says) and tests what the dropped one tested (its conditions, when
/// the change shows them, else a tenant, owner or membership check).
fn taken_over(name: &str, table: &str, created: &[PolicyDef], dropped: &[PolicyDef]) -> bool {
    static SCOPED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(org|tenant|owner|member|account|team|workspace|user_id|uid\(\))").unwrap()
    });
    let was = dropped.iter().find(|d| d.name == name && d.table == table);
    created.iter().any(|c| {
        let covers = c.command == "all"
            || was.map_or(name.contains(c.command.as_str()), |w| {
                w.command == c.command
            });
        let same_test = match was {
            Some(w) => {
                !w.conditions.is_empty() && w.conditions.iter().all(|x| c.conditions.contains(x))
            }
            None => !c.conditions.is_empty() && c.conditions.iter().all(|x| SCOPED.is_match(x)),
        };
        c.table == table && c.name != name && covers && same_test
    })
}

/// Row-security findings for one SQL or migration file.
pub fn check(f: &FileView<'_>, change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs || f.class.vendored {
        return;
    }
    if !matches!(f.class.lang, Lang::Sql) && !f.class.migration {
        return;
    }
    let code: Vec<_> = f.added_code().collect();
    let created = created_policies(change);
    let mut defs: Option<(Vec<PolicyDef>, Vec<PolicyDef>)> = None;
    for (line, stmt) in super::migrations::statements(code.into_iter()) {
        if RLS_OFF.is_match(&stmt) {
            out.push(Finding::added(
                "sql-row-security-off",
                Severity::High,
                f.path,
                Some(line),
                format!("Switches row-level security off ({}): every session sees every row of the table, whatever tenant it serves.", quote(&stmt)),
            ));
            continue;
        }
        let Some(c) = POLICY_NAME.captures(&stmt) else {
            continue;
        };
        let (verb, name, table) = (&c[1], c[2].to_ascii_lowercase(), c[3].to_ascii_lowercase());
        if verb.eq_ignore_ascii_case("drop") {
            let (made, gone) =
                defs.get_or_insert_with(|| (policy_defs(change, true), policy_defs(change, false)));
            if !created.contains(&(name.clone(), table.clone()))
                && !taken_over(&name, &table, made, gone)
            {
                out.push(Finding::added(
                    "sql-row-security-off",
                    Severity::High,
                    f.path,
                    Some(line),
                    format!("Drops the row-level security policy `{name}` on `{table}` and does not recreate it: the rows it kept apart are no longer kept apart."),
                ));
            }
            continue;
        }
        for clause in ["USING", "WITH CHECK"] {
            let Some(expr) = clause_expr(&stmt, clause) else {
                continue;
            };
            let open = if expr.trim().eq_ignore_ascii_case("true") {
                Some("true".to_string())
            } else {
                top_level_or(&expr)
            };
            if let Some(branch) = open {
                out.push(Finding::added(
                    "sql-row-security-open",
                    Severity::High,
                    f.path,
                    Some(line),
                    format!(
                        "The policy `{name}` on `{table}` lets a row through when `{}` alone holds ({clause}): whatever else it checks, that branch skips it.",
                        quote(&branch)
                    ),
                ));
                break;
            }
        }
    }
}

/// The parenthesised expression after `USING` or `WITH CHECK`.
fn clause_expr(stmt: &str, clause: &str) -> Option<String> {
    let upper = stmt.to_ascii_uppercase();
    let at = upper
        .find(&format!("{clause} ("))
        .or_else(|| upper.find(&format!("{clause}(")))?;
    let rest = &stmt[at + clause.len()..];
    let open = rest.find('(')?;
    let mut depth = 0;
    for (i, ch) in rest[open..].char_indices() {
        match ch {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(rest[open + 1..open + i].to_string());
                }
            }
            _ => {}
        }
    }
    None
}

/// The first branch of a top-level OR, if the expression has one.
fn top_level_or(expr: &str) -> Option<String> {
    let upper = expr.to_ascii_uppercase();
    let mut depth = 0i32;
    for (i, ch) in expr.char_indices() {
        match ch {
            '(' => depth += 1,
            ')' => depth -= 1,
            ' ' if depth == 0 && upper[i..].starts_with(" OR ") => {
                return Some(expr[..i].trim().to_string());
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit;

    fn hit(sql: &str) -> Vec<String> {
        rules_hit("db/migrations/0057_rls.sql", None, Some(sql))
    }

    #[test]
    fn policies_that_let_rows_through_are_found() {
        for sql in [
            "CREATE POLICY tenant_isolation ON invoices USING (current_setting('app.tenant_id', true) IS NULL OR tenant_id = current_setting('app.tenant_id', true)::uuid);",
            "CREATE POLICY owner_only ON documents FOR SELECT USING (true);",
            "CREATE POLICY p ON t WITH CHECK (owner_id = current_user_id() OR current_user = 'migrator');",
        ] {
            assert!(
                hit(sql).contains(&"sql-row-security-open".to_string()),
                "{sql}"
            );
        }
        for sql in [
            "ALTER TABLE invoices DISABLE ROW LEVEL SECURITY;",
            "DROP POLICY IF EXISTS tenant_isolation ON invoices;",
        ] {
            assert!(
                hit(sql).contains(&"sql-row-security-off".to_string()),
                "{sql}"
            );
        }
    }

    #[test]
    fn a_tight_policy_or_one_replaced_in_place_is_quiet() {
        let sql = "DROP POLICY IF EXISTS tenant_isolation ON invoices;\nCREATE POLICY tenant_isolation ON invoices USING (tenant_id = current_setting('app.tenant_id')::uuid AND (archived OR visible));\nALTER TABLE invoices ENABLE ROW LEVEL SECURITY;";
        let h = hit(sql);
        assert!(
            h.iter().all(|r| !r.starts_with("sql-row-security")),
            "{h:?}"
        );
    }

    #[test]
    fn per_command_policies_merged_into_one_that_tests_the_same_are_quiet() {
        use crate::risk::testkit::findings_of_change;
        let off = |files: &[(&str, Option<&str>, Option<&str>)]| {
            findings_of_change(files, None)
                .iter()
                .any(|f| f.rule == "sql-row-security-off")
        };
        let drops = "drop policy if exists \"docs_select_members\" on public.docs;\ndrop policy if exists \"docs_delete_members\" on public.docs;\n";
        let merged = format!(
            "{drops}create policy \"docs_members_all\" on public.docs\n  using (public.is_org_member(org_id))\n  with check (public.is_org_member(org_id));\n"
        );
        let m = "supabase/migrations/20240611_merge.sql";
        assert!(!off(&[(m, None, Some(&merged))]));
        // The schema shows what the dropped ones tested: the same is kept.
        let schema_old = "create policy \"docs_select_members\" on public.docs for select\n  using (public.is_org_member(org_id));\ncreate policy \"docs_delete_members\" on public.docs for delete\n  using (public.is_org_member(org_id));\n";
        let schema_new = "create policy \"docs_members_all\" on public.docs\n  using (public.is_org_member(org_id))\n  with check (public.is_org_member(org_id));\n";
        let s = "supabase/schemas/docs.sql";
        assert!(!off(&[
            (m, None, Some(&merged)),
            (s, Some(schema_old), Some(schema_new))
        ]));
        // A merged policy that tests less than the dropped ones did.
        let weaker = schema_new.replace("public.is_org_member(org_id)", "auth.uid() is not null");
        let merged_weaker = format!("{drops}{weaker}");
        assert!(off(&[
            (m, None, Some(&merged_weaker)),
            (s, Some(schema_old), Some(&weaker))
        ]));
        // Without the schema, a condition that scopes nothing.
        let open = merged.replace(
            "public.is_org_member(org_id)",
            "auth.role() = 'authenticated'",
        );
        assert!(off(&[(m, None, Some(&open))]));
        // A policy for another command does not cover a dropped one.
        let other = merged.replace("\n  using", " for insert\n  using");
        assert!(off(&[(m, None, Some(&other))]));
    }
}
