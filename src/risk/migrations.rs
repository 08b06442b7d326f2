//! Database migrations: statements that lose data (`DROP TABLE/COLUMN`,
//! `TRUNCATE`, `DELETE`/`UPDATE` without `WHERE`), that lock or fail on a live
//! table (`NOT NULL` without a default, index builds that are not concurrent,
//! type changes), that break the running code during a deploy (renames), and the
//! same operations in ORM migrations (Django, Rails, Alembic, Knex, Ecto, …).
//! Rollback (`down`) steps and tables created in the same change are expected to
//! be dropped or indexed freely. Test fixtures and docs are not migrations.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use super::lang::Lang;
use super::{ChangeView, FileView, Finding, Line, Severity, Side, quote};

static CREATE_TABLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\bcreate\s+(?:unlogged\s+|temp\s+|temporary\s+)?table\s+(?:if\s+not\s+exists\s+)?[`"\[]?(?:\w+[`"\]]?\.)?[`"\[]?(\w+)|create_table\s*\(?\s*[:"'](\w+)|op\.create_table\(\s*["'](\w+)|createTable\(\s*["'](\w+)|migrations\.CreateModel\(\s*name\s*=\s*["'](\w+)"#).unwrap()
});
static INDEX_ON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\bon\s+(?:only\s+)?[`"\[]?(?:\w+[`"\]]?\.)?[`"\[]?(\w+)"#).unwrap()
});
static ORM: LazyLock<Vec<(Regex, &'static str, Severity, &'static str)>> = LazyLock::new(|| {
    let r = |re: &str| Regex::new(re).unwrap();
    vec![
        (
            r(
                r"\b(migrations\.DeleteModel|drop_table|op\.drop_table|\.dropTable(IfExists)?\(|\bdrop\s+table\(|drop_collection|dropCollection|<dropTable\b|\.drop\(\s*\)|\bdb\.\w+\.drop\()",
            ),
            "migration-drop-table",
            Severity::Critical,
            "Drops a table ({m}): its rows are gone for good once this runs, and code still reading it breaks.",
        ),
        (
            r(
                r"\b(migrations\.RemoveField|remove_column|op\.drop_column|\.dropColumn\(|removeColumn\(|\bremove\s+:\w+|remove_columns|<dropColumn\b|\$unset\b)",
            ),
            "migration-drop-column",
            Severity::High,
            "Drops a column ({m}): its data is gone, and running instances that still select it fail until the deploy finishes.",
        ),
        (
            r(
                r"\b(migrations\.Rename(Field|Model)|rename_column|rename_table|op\.alter_column\([^)]*new_column_name|renameColumn\(|renameTable\(|\brename\s+table\()",
            ),
            "migration-rename",
            Severity::High,
            "Renames a column or table ({m}): the old code still running during the deploy uses the old name and fails.",
        ),
        (
            r(
                r"(change_column_null\s*\(?[^)]*,\s*false|op\.alter_column\([^)]*nullable\s*=\s*False|\.notNullable\(\)\.alter\(|null\s*:\s*false[^)]*\)\s*\.alter|allowNull\s*:\s*false.*changeColumn)",
            ),
            "migration-not-null",
            Severity::High,
            "Makes a column NOT NULL on an existing table ({m}): it fails if any row is null, and scans the table under a lock.",
        ),
        (
            r(
                r#"(?s)(op\.drop_constraint\(.*type_\s*=\s*["']unique|\bremove_index\b.*\bunique:\s*true|migrations\.RemoveConstraint\(.*(?i:uniq)|\.dropUnique\(|\bdropUniqueConstraint\b|(?i:\bdrop\s+constraint\s+(if\s+exists\s+)?[`"]?\w*(uq|unique|uniq|_key)\b)|(?i:\bdrop\s+index\s+(concurrently\s+)?(if\s+exists\s+)?[`"]?(\w+\.)?(uq|ux|unique|uniq)_\w*))"#,
            ),
            "migration-unique-dropped",
            Severity::High,
            "Drops a unique constraint ({m}): the database no longer refuses duplicates (the same payment posted twice, two accounts for one email), and nothing cleans them up afterwards.",
        ),
        (
            r(
                r"(?s)(op\.alter_column\(.*\btype_\s*=|\bchange_column\s*\(?\s*:\w+\s*,\s*:\w+\s*,\s*:\w+)",
            ),
            "migration-column-type-change",
            Severity::High,
            "Changes a column's type ({m}): the table is rewritten under an exclusive lock while every write waits, and values that do not convert fail the migration.",
        ),
    ]
});

/// Whether a table's name says it is derived (`thumbnail_cache`,
/// `tmp_totals`, `orders_scratch`): its rows can be rebuilt.
fn derived_table(name: &str) -> bool {
    static DERIVED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)(cache|^tmp_|_tmp$|^temp_|_temp$|scratch)").unwrap());
    DERIVED.is_match(name)
}

/// The path of a script the change deletes that created `table` (a
/// one-off backfill's scratch table): dropping the table finishes removing
/// the script's own working data.
fn created_by_deleted_script<'a>(change: &'a ChangeView<'_>, table: &str) -> Option<&'a str> {
    let table = table.trim_matches(['"', '`']);
    let bare = table.rsplit('.').next().unwrap_or(table);
    change
        .files
        .iter()
        .filter(|g| g.deleted())
        .find(|g| {
            g.old_text().is_some_and(|t| {
                t.to_ascii_uppercase().contains("CREATE TABLE") && super::code::has_word(t, bare)
            })
        })
        .map(|g| g.path)
}

fn is_down_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    name.contains(".down.")
        || name.starts_with("down.")
        || name.contains("_down.")
        || name.contains("rollback")
        || name.contains("revert")
        || name.starts_with("u__")
        || path.contains("/down/")
}

/// True for the lines of an added migration that sit inside its `down` step.
fn down_lines(f: &FileView<'_>) -> HashSet<u32> {
    let mut out = HashSet::new();
    let mut in_down = false;
    for l in &f.added {
        let t = l.text.trim_start();
        if t.starts_with("def ")
            || t.starts_with("async ")
            || t.starts_with("exports.")
            || t.starts_with("export ")
            || t.starts_with("public ")
            || t.starts_with("func ")
            || t.contains("down:")
            || t.starts_with("down(")
        {
            let lower = t.to_ascii_lowercase();
            in_down = lower.contains("down")
                || lower.contains("backwards")
                || lower.contains("rollback")
                || lower.contains("revert");
        } else if t.starts_with("-- +goose Down")
            || t.starts_with("-- +migrate Down")
            || t.starts_with("-- migrate:down")
        {
            in_down = true;
        } else if t.starts_with("-- +goose Up")
            || t.starts_with("-- +migrate Up")
            || t.starts_with("-- migrate:up")
        {
            in_down = false;
        }
        if in_down {
            out.insert(l.no);
        }
    }
    out
}

/// `text` with each run of whitespace (newlines too) one space.
fn collapse_ws(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first line with the lines after it that complete its call (an
/// `op.alter_column(` whose `type_=` comes three lines down), at most ten;
/// a line that opens nothing and ends without a comma is itself. Matched whole by the ORM rules, so
/// their matches stay one line when the call is.
fn call_text(lines: &[&Line<'_>]) -> String {
    let depth = |t: &str| t.matches('(').count() as i64 - t.matches(')').count() as i64;
    let mut open = depth(lines[0].text);
    let mut out = lines[0].text.to_string();
    for next in lines.iter().skip(1).take(10) {
        // Still open: a parenthesis, or an argument list without them
        // (Ruby's `add_index :t, [:c],` and the options on the next line).
        let continued = out.trim_end().ends_with(',');
        if open <= 0 && !continued
            || next.no != lines[0].no + (out.matches('\n').count() as u32) + 1
        {
            break;
        }
        out.push('\n');
        out.push_str(next.text);
        open += depth(next.text);
    }
    out
}

/// SQL statements in added lines, each with the line it starts on.
pub fn statements<'a>(lines: impl Iterator<Item = &'a Line<'a>>) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut start = 0;
    for l in lines {
        let text = l.text.split("--").next().unwrap_or("");
        for (i, part) in text.split(';').enumerate() {
            if i > 0 {
                if !cur.trim().is_empty() {
                    out.push((start, std::mem::take(&mut cur)));
                }
                cur.clear();
            }
            if cur.trim().is_empty() && !part.trim().is_empty() {
                start = l.no;
            }
            cur.push(' ');
            cur.push_str(part);
        }
    }
    if !cur.trim().is_empty() {
        out.push((start, cur));
    }
    out.into_iter()
        .map(|(n, s)| (n, s.split_whitespace().collect::<Vec<_>>().join(" ")))
        .collect()
}

/// Tables created anywhere in the change.
fn created_tables(change: &ChangeView<'_>) -> HashSet<String> {
    change
        .files
        .iter()
        .flat_map(|f| f.added.iter())
        .flat_map(|l| CREATE_TABLE.captures_iter(l.text))
        .filter_map(|c| {
            (1..=5)
                .find_map(|i| c.get(i))
                .map(|m| m.as_str().to_ascii_lowercase())
        })
        .collect()
}

static SQL_IN_CODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)["'`]\s*(drop\s+(table|schema|database)\b|truncate\s+(table\s+)?\w+|delete\s+from\s+[\w."`]+\s*;?\s*["'`]|update\s+[\w."`]+\s+set\s+[^"'`]*["'`])|\b(flushall|flushdb|FLUSHALL|FLUSHDB)\b|\.objects\.all\(\)\.(delete|update)\(|(?:^|[^\w.@:])(?-i:[A-Z]\w*)\.(delete_all|destroy_all|update_all)\b|\bdeleteMany\(\s*\{\s*\}\s*\)|\bupdateMany\(\s*\{\s*\}|\.truncate\(\s*\)|\.drop_all\(|dropDatabase\(|\bdb\.\w+\.drop\(\s*\)"#).unwrap()
});

static TABLE_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\btable\s+(?:if\s+exists\s+)?[`\x22]?(?:\w+\.)?(\w+)").unwrap()
});
static TRUNCATE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\bTRUNCATE\b").unwrap());
/// `TRUNCATE` named as a privilege (`REVOKE INSERT, TRUNCATE ON …`), not run.
static TRUNCATE_PRIVILEGE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b(GRANT|REVOKE)\b[^;]*\bTRUNCATE\b").unwrap());
/// Whether a statement empties a table with `TRUNCATE` (not one that
/// grants or revokes the privilege of that name).
fn truncates(stmt: &str) -> bool {
    TRUNCATE.is_match(stmt) && !TRUNCATE_PRIVILEGE.is_match(stmt)
}

/// The table a `TRUNCATE` empties, and the one a `DELETE` with no `WHERE`
/// empties.
static TRUNCATED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\bTRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?([\w."`]+)"#).unwrap()
});
static DELETE_ALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\bDELETE\s+FROM\s+(?:ONLY\s+)?([\w."`]+)\s*(?:;|$|["'`]\s*\)?\s*;?\s*$)"#)
        .unwrap()
});

/// A migration for a database whose index builds do not lock writes the way
/// Postgres's do, or that has no `CONCURRENTLY`: ClickHouse (a data-skipping
/// index, `ON CLUSTER`, `MergeTree`), by its path or its text.
fn not_postgres(f: &FileView<'_>) -> bool {
    static CLICKHOUSE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(\bENGINE\s*=\s*\w*MergeTree|\bON\s+CLUSTER\b|\bTYPE\s+(bloom_filter|minmax|set|tokenbf_v1|ngrambf_v1)\b|\bGRANULARITY\s+\d)").unwrap()
    });
    f.path.to_ascii_lowercase().contains("clickhouse")
        || CLICKHOUSE.is_match(&f.new_text_or_hunks())
}

/// A `TRUNCATE` in place of a `DELETE` of every row of the same table that
/// the change removes (a staging table emptied faster): the same rows go.
fn replaces_delete_of_all(f: &FileView<'_>, stmt: &str) -> Option<String> {
    let name = |t: &str| {
        t.trim_matches(['"', '`'])
            .replace(['"', '`'], "")
            .to_ascii_lowercase()
    };
    let table = name(&TRUNCATED.captures(stmt)?[1]);
    f.removed
        .iter()
        .any(|l| {
            DELETE_ALL
                .captures(l.text)
                .is_some_and(|c| name(&c[1]) == table)
        })
        .then_some(table)
}
static DROP_COLUMN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bDROP\s+(?:COLUMN\s+)?(?:IF\s+EXISTS\s+)?[`\x22]?\w+[`\x22]?\s*(,|$)").unwrap()
});
static DELETE_FROM: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*DELETE\s+FROM\b").unwrap());
/// MySQL's multi-table `DELETE t FROM t JOIN …`: the join is the selection.
static DELETE_JOINED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*DELETE\s+\w+(\s*,\s*\w+)*\s+FROM\b").unwrap());
static UPDATE_SET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*UPDATE\s+[\w.`\x22]+\s+SET\b").unwrap());
static CREATE_INDEX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*CREATE\s+(UNIQUE\s+)?INDEX\b").unwrap());

/// The table an ORM drop names: `drop_table :t`, `op.drop_table("t")`,
/// `dropTable('t')`.
static ORM_TABLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^[\w.$ ]*\(?\s*(?:(?:name|model_name|table_name)\s*=\s*)?[:"'`](\w+)"#).unwrap()
});

/// A guard that aborts when a table still has rows: `IF EXISTS (SELECT 1
/// FROM t) THEN RAISE`, `(SELECT count(*) FROM t) > 0 … RAISE`, `ASSERT
/// (SELECT count(*) FROM t) = 0`, `raise … if select_value("SELECT 1 FROM t")`.
static ABORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(raise|raiserror|signal\s+sqlstate|throw|abort|assert|fail)\b").unwrap()
});
static ROWS_PRESENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\bexists\s*\(\s*select\b|count\s*\(\s*[*1]\s*\)[^;]{0,80}?(>\s*0|<>\s*0|!=\s*0|>=\s*1)|\.exists\?|\.any\?|fetchone\(\)|select_value|select_one|first\s*\(|\bassert\b[^;]{0,80}?=\s*0)").unwrap()
});

/// True when the migration, before `line`, refuses to go on while `table`
/// still holds rows: a select from the table itself, a test that rows are
/// present (`NOT EXISTS` is the opposite test) and an abort, close together.
/// The names a table may go by: as written, and for an ORM model's name
/// (`LegacyApiToken`) the snake-case table names frameworks derive from it
/// (`legacy_api_token`, `legacy_api_tokens`).
fn table_names(name: &str) -> Vec<String> {
    let mut out = vec![name.to_string()];
    if name.chars().any(|c| c.is_ascii_uppercase()) {
        let mut snake = String::new();
        for (i, c) in name.chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                snake.push('_');
            }
            snake.push(c.to_ascii_lowercase());
        }
        out.push(format!("{snake}s"));
        out.push(format!("{snake}es"));
        out.push(snake);
    }
    out
}

/// True when the change also deletes the code that maps `table` (its model
/// class, or a `db_table`/`__tablename__` naming it) and no code outside
/// migrations that the change adds names it: nothing the change ships reads
/// the table it drops.
fn model_removed(change: &ChangeView<'_>, table: &str) -> bool {
    let names = table_names(table);
    let alt: Vec<String> = names.iter().map(|n| regex::escape(n)).collect();
    let Ok(maps) = Regex::new(&format!(
        r#"(?i)(\bclass\s+(?:{0})\b|(db_table|__tablename__|table_name|@Table\(name)\s*=\s*["'](?:{0})["'])"#,
        alt.join("|")
    )) else {
        return false;
    };
    let code = || {
        change
            .files
            .iter()
            .filter(|x| !x.path.contains("migrat") && !x.class.test_like() && !x.class.docs)
    };
    let mentions = |t: &str| names.iter().any(|n| t.contains(n.as_str()));
    code().any(|x| x.removed.iter().any(|l| maps.is_match(l.text)))
        && !code().any(|x| x.added.iter().any(|l| mentions(l.text)))
}

fn emptiness_guarded(f: &FileView<'_>, table: &str, line: u32) -> bool {
    let text: String = f
        .new_text()
        .map(|t| {
            t.lines()
                .take(line.saturating_sub(1) as usize)
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_else(|| {
            f.added
                .iter()
                .filter(|l| l.no < line)
                .map(|l| l.text)
                .collect::<Vec<_>>()
                .join("\n")
        });
    let names: Vec<String> = table_names(table)
        .iter()
        .map(|n| regex::escape(n))
        .collect();
    let from = Regex::new(&format!(
        r#"(?i)\bfrom\s+(?:only\s+)?[`"\[]?(?:\w+[`"\]]?\.)?[`"\[]?(?:{})\b"#,
        names.join("|")
    ))
    .expect("an escaped table name is a valid regex");
    let window = |from: usize, to: usize| {
        let mut a = from.min(text.len());
        while !text.is_char_boundary(a) {
            a -= 1;
        }
        let mut b = to.min(text.len());
        while !text.is_char_boundary(b) {
            b += 1;
        }
        &text[a..b]
    };
    from.find_iter(&text).any(|m| {
        let around = window(m.start().saturating_sub(160), m.end() + 200);
        let before = window(m.start().saturating_sub(160), m.start()).to_ascii_lowercase();
        let negated = before
            .rsplit_once("exists")
            .is_some_and(|(head, _)| head.trim_end().ends_with("not"));
        // `RAISE NOTICE` and its kin only print.
        let aborts = ABORT.find_iter(around).any(|a| {
            let next = around[a.end()..].trim_start().to_ascii_lowercase();
            !["notice", "warning", "info", "log", "debug"]
                .iter()
                .any(|w| next.starts_with(w))
        });
        aborts && ROWS_PRESENT.is_match(around) && !negated
    })
}

/// A comment that says a column is out of use.
static RETIRED_NOTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(deprecated|unused|no longer (read|used|written|mapped)|not (read|used) any ?more|scheduled for removal|to be dropped)").unwrap()
});

/// The column among `names` that the code, before this change, already
/// treated as gone: listed in Rails' `ignored_columns`, or declared under a
/// comment saying it is deprecated or no longer read. Read from the base side
/// of the change (what the protected branch held), never from its message.
fn retired_in_base<'n>(change: &ChangeView<'_>, names: &'n [String]) -> Option<&'n str> {
    names.iter().map(String::as_str).find(|name| {
        change.files.iter().any(|g| {
            // Listed in `ignored_columns` on the base side, kept or not.
            let ignored = g.old_text().is_some_and(|t| {
                t.lines()
                    .any(|l| l.contains("ignored_columns") && super::code::has_word(l, name))
            });
            if ignored {
                return true;
            }
            let removed = &g.removed;
            removed.iter().enumerate().any(|(i, l)| {
                if !super::code::has_word(l.text, name) {
                    return false;
                }
                l.text.contains("ignored_columns")
                    || removed[i.saturating_sub(2)..i].iter().any(|c| {
                        c.no + 2 >= l.no
                            && g.class.is_comment(c.text)
                            && RETIRED_NOTE.is_match(c.text)
                    })
            })
        })
    })
}

/// The file of an earlier migration, as the base branch held it, that
/// empties `table` (`TRUNCATE`, `DELETE FROM` with no `WHERE`): a table
/// dropped after it loses no rows it had then. Only files of the change are
/// read, on their base side.
fn emptied_in_base(change: &ChangeView<'_>, table: &str) -> Option<String> {
    let table = table.to_ascii_lowercase();
    change.files.iter().find_map(|g| {
        if !g.class.migration || g.created() {
            return None;
        }
        let old = g.old_text()?;
        let code: String = old
            .lines()
            .filter(|l| !l.trim_start().starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n");
        code.split(';')
            .any(|stmt| {
                let s = stmt
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_ascii_lowercase();
                let names = |rest: &str| {
                    rest.trim_start_matches("table ")
                        .trim_start_matches("only ")
                        .split([' ', ',', ';'])
                        .next()
                        .map(|t| {
                            t.trim_matches(['"', '`'])
                                .rsplit('.')
                                .next()
                                .unwrap_or("")
                                .to_string()
                        })
                };
                s.strip_prefix("truncate ").and_then(names).as_deref() == Some(table.as_str())
                    || s.strip_prefix("delete from ").is_some_and(|r| {
                        !r.contains(" where ") && names(r).as_deref() == Some(table.as_str())
                    })
            })
            .then(|| g.path.to_string())
    })
}

/// Identifiers of a statement that may name the dropped column.
fn column_candidates(text: &str) -> Vec<String> {
    static IDENT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"[A-Za-z_][A-Za-z0-9_]{2,}").unwrap());
    IDENT
        .find_iter(text)
        .map(|m| m.as_str().to_string())
        .filter(|w| {
            !matches!(
                w.to_ascii_lowercase().as_str(),
                "alter"
                    | "table"
                    | "drop"
                    | "column"
                    | "exists"
                    | "remove_column"
                    | "removefield"
                    | "migrations"
                    | "model_name"
                    | "name"
                    | "op"
                    | "drop_column"
            )
        })
        .collect()
}

/// Records saved one by one (`m.update!(…)`, `obj.save()`, a model's own
/// bang method such as `refund.settle!(…)`) turned into one
/// bulk statement (`scope.update_all(…)`, `qs.update(…)`): the model's
/// validations and callbacks (a last-owner guard, an audit version, a
/// notification) no longer run for them.
fn callbacks_skipped(f: &FileView<'_>, change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    static BULK: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(\.(update_all|delete_all|update_columns?|insert_all!?|upsert_all)\b|\.filter\([^)]*\)\.update\(|\.bulk_update\(|\.exclude\([^)]*\)\.update\()").unwrap()
    });
    static ONE_BY_ONE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(\.(update!?|save!?|destroy!?|[a-z]\w*!)(\s|\(|$)|\.save\(\s*(update_fields\s*=[^)]*)?\)|\.destroy\(\s*\))").unwrap()
    });
    if !matches!(f.class.lang, Lang::Ruby | Lang::Python) {
        return;
    }
    let Some(l) = f.added_code().find(|l| BULK.is_match(l.text)) else {
        return;
    };
    if !f.removed_code().any(|r| ONE_BY_ONE.is_match(r.text))
        || f.removed_code().any(|r| BULK.is_match(r.text))
    {
        return;
    }
    // The model the change shows, read in full, has nothing that would
    // have run: no callbacks, validations, dependents or audit hooks.
    static HOOKS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(before_\w+|after_\w+|around_\w+|validates?\w*|validate\b|has_many|has_one|dependent:|counter_cache|has_paper_trail|audited|def save|post_save|pre_save|receiver\()").unwrap()
    });
    let models: Vec<&str> = change
        .files
        .iter()
        .filter(|g| g.path.contains("/models/") || g.path.ends_with("models.py"))
        .filter_map(|g| g.new_text())
        .collect();
    // A bulk delete skips only what runs on destroy; validations run on
    // saves alone.
    static DESTROY_HOOKS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(before_destroy|after_destroy|around_destroy|after_commit|after_\w*_commit|dependent:|counter_cache|has_paper_trail|audited|def delete|def destroy|post_delete|pre_delete)").unwrap()
    });
    let hooks: &Regex = if l.text.contains("delete") {
        &DESTROY_HOOKS
    } else {
        &HOOKS
    };
    let bare_models = !models.is_empty() && models.iter().all(|t| !hooks.is_match(t));
    out.push(Finding::added(
        "orm-callbacks-skipped",
        if bare_models { Severity::Medium } else { Severity::High },
        f.path,
        Some(l.no),
        format!(
            "Records that were saved one by one are now changed in one bulk statement ({}): the model's validations and callbacks (guards, audit versions, notifications) no longer run for them.",
            quote(l.text.trim())
        ),
    ));
}

/// Migration rules for one file.
pub fn check(f: &FileView<'_>, change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs || f.class.vendored {
        return;
    }
    if !f.class.migration {
        // SQL pasted into application code.
        if f.class.lang != Lang::Markdown {
            for l in f.added_code() {
                if let Some(m) = SQL_IN_CODE
                    .find(l.text)
                    .filter(|m| !m.as_str().to_ascii_lowercase().contains(" where "))
                    // Moved from another place of the change (a controller's
                    // body into a service object): not new.
                    .filter(|m| {
                        !change
                            .files
                            .iter()
                            .flat_map(|g| g.removed.iter())
                            .any(|r| r.text.contains(m.as_str()))
                    })
                    // A cache or scratch table holds nothing that cannot be
                    // made again.
                    .filter(|m| {
                        !TABLE_NAME
                            .captures(&l.text[m.start()..])
                            .is_some_and(|c| derived_table(&c[1]))
                    })
                {
                    out.push(Finding::added(
                        "sql-destructive-in-code",
                        Severity::High,
                        f.path,
                        Some(l.no),
                        format!("Runs destructive SQL from application code ({}): one call deletes data with no migration review or backup step.", quote(m.as_str())),
                    ));
                }
            }
        }
        callbacks_skipped(f, change, out);
        return;
    }
    let down_file = is_down_file(f.path);
    let down = down_lines(f);
    let created = created_tables(change);
    let relaxed = |line: u32| down_file || down.contains(&line);
    let push = |out: &mut Vec<Finding>, rule: &str, sev: Severity, line: u32, msg: String| {
        let sev = if relaxed(line) { Severity::Low } else { sev };
        let msg = if relaxed(line) {
            format!("{msg} (In a rollback step, where this is expected.)")
        } else {
            msg
        };
        out.push(Finding::added(rule, sev, f.path, Some(line), msg));
    };
    let code: Vec<&Line<'_>> = f
        .added
        .iter()
        .filter(|l| !l.text.trim_start().starts_with("--"))
        // A migration's docstring names what it does in words.
        .filter(|l| !f.prose_lines.contains(&(true, l.no)))
        .collect();
    // Read once per file, and only when a statement asks.
    let not_pg = std::cell::OnceCell::new();
    for (line, stmt) in statements(code.iter().copied()) {
        let s = stmt.to_ascii_uppercase();
        let table_created = |s: &str| {
            INDEX_ON
                .captures(s)
                .or_else(|| TABLE_NAME.captures(s))
                .and_then(|c| c.get(1))
                .is_some_and(|t| created.contains(&t.as_str().to_ascii_lowercase()))
        };
        let q = quote(&stmt);
        let has = |needle: &str| s.contains(needle);
        if has("DROP TABLE") || has("DROP SCHEMA") || has("DROP DATABASE") {
            let dropped: Option<String> = has("DROP TABLE")
                .then(|| TABLE_NAME.captures(&stmt))
                .flatten()
                .map(|c| c[1].to_string());
            let guarded = dropped.clone().filter(|t| emptiness_guarded(f, t, line));
            if let Some(table) = guarded {
                let (sev, reads) = if model_removed(change, &table) {
                    (Severity::Low, "the change removes its model too")
                } else {
                    (Severity::Medium, "code still reading it breaks")
                };
                push(
                    out,
                    "sql-drop-table",
                    sev,
                    line,
                    format!(
                        "Drops {table} ({q}), but only after the migration checks it is empty and aborts otherwise: no rows are lost, and {reads}."
                    ),
                );
            } else if let Some((table, by)) = dropped
                .as_ref()
                .and_then(|t| emptied_in_base(change, t).map(|by| (t, by)))
            {
                push(
                    out,
                    "sql-drop-table",
                    Severity::Low,
                    line,
                    format!(
                        "Drops {table} ({q}), which an earlier migration on the base branch already emptied ({}): rows written since would go, and code still reading it breaks.",
                        quote(&by)
                    ),
                );
            } else if let Some((table, script)) = dropped
                .as_ref()
                .and_then(|t| created_by_deleted_script(change, t).map(|p| (t, p)))
            {
                push(
                    out,
                    "sql-drop-table",
                    Severity::Low,
                    line,
                    format!(
                        "Drops {table} ({q}), the working table of `{}`, which this change deletes and which created it: check nothing else reads it.",
                        quote(script)
                    ),
                );
            } else if !table_created(&stmt) && dropped.as_deref().is_some_and(derived_table) {
                push(
                    out,
                    "sql-drop-table",
                    Severity::Medium,
                    line,
                    format!(
                        "Drops a cache or scratch table ({q}): what it held can be made again, but check nothing still reads it."
                    ),
                );
            } else if !table_created(&stmt) {
                push(
                    out,
                    "sql-drop-table",
                    Severity::Critical,
                    line,
                    format!(
                        "Drops a table ({q}): every row in it is gone once this runs, and there is no undo."
                    ),
                );
            }
        } else if let Some(table) = (has("TRUNCATE") && truncates(&s))
            .then(|| replaces_delete_of_all(f, &stmt))
            .flatten()
        {
            push(
                out,
                "sql-truncate",
                Severity::Low,
                line,
                format!(
                    "Empties {table} with TRUNCATE ({q}) where it deleted every row of it: the same rows go, faster, and TRUNCATE takes an exclusive lock and skips DELETE triggers."
                ),
            );
        } else if has("TRUNCATE") && truncates(&s) {
            push(
                out,
                "sql-truncate",
                Severity::Critical,
                line,
                format!(
                    "Empties a table ({q}): every row is deleted, and TRUNCATE cannot be rolled back by most tools."
                ),
            );
        } else if has("DROP COLUMN")
            || (has("ALTER TABLE")
                && DROP_COLUMN.is_match(&s)
                && !has("DROP CONSTRAINT")
                && !has("DROP INDEX")
                && !has("DROP DEFAULT")
                && !has("DROP NOT NULL"))
        {
            let candidates = column_candidates(&stmt);
            match retired_in_base(change, &candidates) {
                Some(column) => push(
                    out,
                    "sql-drop-column",
                    Severity::Low,
                    line,
                    format!(
                        "Drops the column {column} ({q}), which the code already treated as gone before this change (ignored or marked deprecated): its data goes, nothing running reads it."
                    ),
                ),
                None => push(
                    out,
                    "sql-drop-column",
                    Severity::High,
                    line,
                    format!(
                        "Drops a column ({q}): its data is gone, and running instances that still read it fail until the deploy finishes."
                    ),
                ),
            }
        }
        if DELETE_JOINED.is_match(&s) && !has(" WHERE ") && !table_created(&stmt) {
            push(
                out,
                "sql-delete-joined",
                Severity::High,
                line,
                format!(
                    "Deletes whatever rows a join picks ({q}) in a migration: every row the join matches goes, with no undo. Check the selection on a copy of production first, or keep the rows and mark them."
                ),
            );
        }
        if DELETE_FROM.is_match(&s) && !has(" WHERE ") && !s.ends_with(" WHERE") {
            push(
                out,
                "sql-delete-without-where",
                Severity::Critical,
                line,
                format!("Deletes every row of the table ({q}): there is no WHERE clause."),
            );
        }
        if UPDATE_SET.is_match(&s) && !has(" WHERE ") {
            push(
                out,
                "sql-update-without-where",
                Severity::Critical,
                line,
                format!("Updates every row of the table ({q}): there is no WHERE clause."),
            );
        }
        if (has("ADD COLUMN")
            || (has("ALTER TABLE") && has(" ADD ") && !has("CONSTRAINT") && !has("INDEX")))
            && has("NOT NULL")
            && !has("DEFAULT")
            && !table_created(&stmt)
        {
            push(
                out,
                "sql-not-null-without-default",
                Severity::High,
                line,
                format!(
                    "Adds a NOT NULL column without a default ({q}): it fails on a table that has rows, or locks it while rewriting."
                ),
            );
        }
        if has("SET NOT NULL") && !table_created(&stmt) {
            not_null_set(f, line, &q, &mut |sev, msg| {
                push(out, "sql-not-null-without-default", sev, line, msg)
            });
        }
        // MySQL's online DDL, however it is spaced (`LOCK = NONE`).
        let online = {
            static ONLINE: LazyLock<Regex> = LazyLock::new(|| {
                Regex::new(r"(?i)\b(LOCK\s*=?\s*NONE|ALGORITHM\s*=?\s*(INPLACE|INSTANT))\b")
                    .unwrap()
            });
            ONLINE.is_match(&s) || *not_pg.get_or_init(|| not_postgres(f))
        };
        if CREATE_INDEX.is_match(&s) && !has("CONCURRENTLY") && !online && !table_created(&stmt) {
            push(
                out,
                "sql-index-not-concurrent",
                Severity::High,
                line,
                format!(
                    "Builds an index without CONCURRENTLY ({q}): writes to the table block until the build finishes, which on a large table is an outage."
                ),
            );
        }
        if has("ALTER TABLE")
            && (has(" ADD INDEX") || has(" ADD UNIQUE") || has(" ADD KEY"))
            && !online
            && !table_created(&stmt)
        {
            push(
                out,
                "sql-index-not-concurrent",
                Severity::High,
                line,
                format!(
                    "Adds an index with a table lock ({q}): use ALGORITHM=INPLACE, LOCK=NONE or an online schema change tool."
                ),
            );
        }
        if (has("RENAME COLUMN") || (has("ALTER TABLE") && has(" RENAME TO ")))
            && !table_created(&stmt)
        {
            push(
                out,
                "sql-rename",
                Severity::High,
                line,
                format!(
                    "Renames a column or table ({q}): the old code still running during the deploy uses the old name and fails."
                ),
            );
        }
        if has("ALTER COLUMN") && (has(" TYPE ") || has("SET DATA TYPE")) && !table_created(&stmt) {
            // To a string type with no conversion: widening a varchar (or
            // making it text) changes only the catalog; a narrowing checks
            // every row and fails the migration, in its transaction, on the
            // first that does not fit: loud, and nothing is lost.
            static TO_STRING: LazyLock<Regex> = LazyLock::new(|| {
                Regex::new(r"(?i)\bTYPE\s+(varchar|character\s+varying|text|citext)\b\s*(\(\s*\d+\s*\))?\s*;?\s*$").unwrap()
            });
            if TO_STRING.is_match(stmt.trim()) {
                push(
                    out,
                    "sql-column-type-change",
                    Severity::Low,
                    line,
                    format!(
                        "Changes a column to a string type ({q}): widening a varchar is only a catalog change, but a shorter limit than the data's checks every row under an exclusive lock and fails on the first that does not fit."
                    ),
                );
            } else {
                push(
                    out,
                    "sql-column-type-change",
                    Severity::High,
                    line,
                    format!(
                        "Changes a column's type ({q}): the table is rewritten under an exclusive lock, and values that do not convert fail the migration."
                    ),
                );
            }
        }
    }
    let added_code: Vec<&Line<'_>> = f.added_code().collect();
    // Django's `SeparateDatabaseAndState(state_operations=[…])`: what is
    // listed there changes the models' state only, never a table (a field
    // renamed in Python with `db_column` keeping the column).
    let text = f.new_text_or_hunks();
    let lines: Vec<&str> = text.lines().collect();
    let state_only = |no: u32| {
        text.contains("SeparateDatabaseAndState")
            && lines
                .iter()
                .take(no as usize)
                .rev()
                .find_map(|t| {
                    if t.contains("state_operations") {
                        Some(true)
                    } else if t.contains("database_operations")
                        || t.contains("SeparateDatabaseAndState")
                    {
                        Some(false)
                    } else {
                        None
                    }
                })
                .unwrap_or(false)
    };
    for (i, l) in added_code.iter().enumerate() {
        if state_only(l.no) {
            continue;
        }
        let call = call_text(&added_code[i..]);
        for (re, rule, sev, msg) in ORM.iter() {
            // A match is the first line's: the lines after get their own turn.
            if let Some(m) = re.find(&call).filter(|m| m.start() < l.text.len()) {
                let name_is_created = CREATE_TABLE.is_match(l.text)
                    || created.iter().any(|t| {
                        l.text.to_ascii_lowercase().contains(&format!("\"{t}\""))
                            || l.text.contains(&format!(":{t}"))
                            || l.text.to_ascii_lowercase().contains(&format!("'{t}'"))
                    });
                if *rule == "migration-drop-table" && name_is_created && !relaxed(l.no) {
                    continue;
                }
                let guarded = (*rule == "migration-drop-table")
                    .then(|| ORM_TABLE.captures(&call[m.start()..]))
                    .flatten()
                    .map(|c| c[1].to_string())
                    .filter(|t| emptiness_guarded(f, t, l.no));
                if let Some(table) = guarded {
                    let (sev, reads) = if model_removed(change, &table) {
                        (Severity::Low, "the change removes its model too")
                    } else {
                        (Severity::Medium, "code still reading it breaks")
                    };
                    push(
                        out,
                        rule,
                        sev,
                        l.no,
                        format!(
                            "Drops {table} ({}), but only after the migration checks it is empty and aborts otherwise: no rows are lost, and {reads}.",
                            quote(m.as_str())
                        ),
                    );
                    continue;
                }
                // A unique index dropped with the column it covers, in the
                // same migration: nothing is left for it to keep unique.
                if *rule == "migration-unique-dropped" {
                    let indexed = column_candidates(l.text);
                    let drop_column = &ORM[1].0;
                    // What a drop-column line drops: its names after the
                    // table (`remove_column :users, :token`, `drop_column("users", "token")`).
                    if f.added.iter().any(|a| {
                        a.no != l.no
                            && drop_column.is_match(a.text)
                            && column_candidates(a.text)
                                .iter()
                                .skip(1)
                                .any(|c| indexed.contains(c))
                    }) {
                        continue;
                    }
                }
                if *rule == "migration-drop-column" {
                    // The column is named on this line or the next few.
                    let window: String = f
                        .added
                        .iter()
                        .filter(|a| a.no >= l.no && a.no <= l.no + 3)
                        .map(|a| a.text)
                        .collect::<Vec<_>>()
                        .join(" ");
                    let candidates = column_candidates(&window);
                    // Replaced by its hash in the same migration (`token` →
                    // `token_hash`): the plain value is dropped on purpose.
                    let hashed = candidates.iter().find(|c| {
                        let forms = [
                            format!("{c}_hash"),
                            format!("{c}_digest"),
                            format!("hashed_{c}"),
                        ];
                        f.added.iter().any(|a| {
                            a.no != l.no && forms.iter().any(|x| super::code::has_word(a.text, x))
                        })
                    });
                    // Dropped on purpose: replaced by its hash, or already
                    // treated as gone by the code.
                    let on_purpose = hashed
                        .map(|c| (c.clone(), format!(" for a hash of it added in the same migration: the plain values are gone on purpose, and code still reading {c} breaks")))
                        .or_else(|| {
                            retired_in_base(change, &candidates).map(|c| (c.to_string(), ", which the code already treated as gone before this change (ignored or marked deprecated): its data goes, nothing running reads it".to_string()))
                        });
                    if let Some((column, why)) = on_purpose {
                        push(
                            out,
                            rule,
                            Severity::Low,
                            l.no,
                            format!("Drops the column {column} ({}){why}.", quote(m.as_str())),
                        );
                        continue;
                    }
                }
                if *rule == "migration-not-null" {
                    let q = quote(&collapse_ws(m.as_str()));
                    not_null_set(f, l.no, &q, &mut |sev, text| {
                        push(out, rule, sev, l.no, text)
                    });
                    continue;
                }
                push(
                    out,
                    rule,
                    *sev,
                    l.no,
                    msg.replace("{m}", &quote(&collapse_ws(m.as_str()))),
                );
            }
        }
        if (l.text.contains("add_index") && !call.contains("algorithm: :concurrently"))
            || (l.text.contains("op.create_index(")
                && !call.contains("postgresql_concurrently=True"))
            || l.text.contains("migrations.AddIndex(")
        {
            let table = created.iter().any(|t| l.text.contains(t.as_str()));
            if !table {
                push(out, "migration-index-not-concurrent", Severity::Medium, l.no, "Builds an index in a migration without asking for a concurrent build: writes to the table block while it runs.".to_string());
            }
        }
    }
}

/// A column made NOT NULL at line `no` (`q`, quoted): a table scan under an
/// exclusive lock, unless the migration validated a `CHECK (… IS NOT NULL)`
/// constraint before it (PostgreSQL 12 and later then skip the scan, and
/// the validation itself lets reads and writes go on).
fn not_null_set(f: &FileView<'_>, no: u32, q: &str, push: &mut dyn FnMut(Severity, String)) {
    static VALIDATED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)\bVALIDATE\s+CONSTRAINT\b|\bvalidate_check_constraint\b|\bvalidate_constraint\b",
        )
        .unwrap()
    });
    // The column made NOT NULL: `ALTER COLUMN tenant_id SET NOT NULL`, or the
    // second name of an ORM call (`op.alter_column("orders", "tenant_id", …)`,
    // `change_column_null :orders, :tenant_id, false`).
    static SQL_COLUMN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)\bALTER\s+COLUMN\s+["`]?(\w+)["`]?\s+SET\s+NOT\s+NULL"#).unwrap()
    });
    static NAMES: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"["':](\w+)["']?"#).unwrap());
    let column = SQL_COLUMN
        .captures(q)
        .or_else(|| NAMES.captures_iter(q).nth(1))
        .map(|c| c[1].to_ascii_lowercase());
    // A validation of a check on that column (its constraint named after
    // it, `orders_tenant_id_not_null`), not of any constraint.
    let proven = column.is_some_and(|col| {
        f.added_code().any(|l| {
            l.no < no && VALIDATED.is_match(l.text) && l.text.to_ascii_lowercase().contains(&col)
        })
    });
    if proven {
        push(
            Severity::Low,
            format!(
                "Makes a column NOT NULL ({q}) after validating a check constraint: PostgreSQL 12 and later take the check as proof and skip the scan; the validation ran without blocking writes."
            ),
        );
    } else {
        push(
            Severity::High,
            format!(
                "Makes an existing column NOT NULL ({q}): it scans the table under an exclusive lock and fails if any row is null."
            ),
        );
    }
}

/// A view's column list replaced by every column of its table (`SELECT c.*`,
/// `SELECT *`): whatever the table holds or gains later (a password hash, a
/// national id) reaches everyone who may read the view, which is usually
/// why the view exists.
pub fn view_selects_every_column(f: &FileView<'_>, out: &mut Vec<Finding>) {
    static VIEW: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:MATERIALIZED\s+)?VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?([\w.\x22`]+)").unwrap()
    });
    static STAR: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?:\bSELECT\s+|^\s*|,\s*)((?:\w+\.)?\*)\s*(?:,|$|\bFROM\b)").unwrap()
    });
    if f.class.test_like() || f.class.docs || !f.path.to_ascii_lowercase().ends_with(".sql") {
        return;
    }
    let Some(star_line) = f.added_code().find(|l| STAR.is_match(l.text)) else {
        return;
    };
    let Some(new) = f.new_text() else { return };
    let star_of = |s: &str| {
        let select = &s[s.to_ascii_uppercase().find(" AS ").unwrap_or(0)..];
        STAR.captures(select).map(|c| c[1].to_string())
    };
    for (line, stmt) in statements_with_lines(new) {
        let Some(view) = VIEW.captures(&stmt).map(|c| c[1].to_string()) else {
            continue;
        };
        let Some(star) = star_of(&stmt) else { continue };
        if star_line.no < line {
            continue;
        }
        // Listed column by column before this change.
        let listed_before = f.old_text().is_some_and(|old| {
            statements_with_lines(old).iter().any(|(_, s)| {
                VIEW.captures(s).is_some_and(|c| c[1] == view) && star_of(s).is_none()
            })
        });
        let (sev, before) = if listed_before {
            (Severity::High, " where it listed its columns one by one")
        } else {
            (Severity::Medium, "")
        };
        out.push(Finding::added(
            "sql-view-selects-every-column",
            sev,
            f.path,
            Some(star_line.no),
            format!(
                "The view {} now selects `{}`{before}: every column the table has or gains later (password hashes, personal data) reaches whoever may read the view.",
                quote(&view),
                quote(&star)
            ),
        ));
        return;
    }
}

/// The statements of a whole text with the line each starts on, as
/// [`statements`] reads added lines.
fn statements_with_lines(text: &str) -> Vec<(u32, String)> {
    let lines: Vec<Line<'_>> = text
        .lines()
        .enumerate()
        .map(|(i, t)| Line {
            no: i as u32 + 1,
            text: t,
        })
        .collect();
    statements(lines.iter())
}

/// A grant's object kind and grantee: `GRANT SELECT ON ALL TABLES IN SCHEMA
/// public TO reporting_ro` is (`TABLES`, `reporting_ro`), as is the
/// default-privileges form.
static PRIVILEGE_TARGET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)\bGRANT\b[^;]*?\bON\s+(?:ALL\s+)?(TABLES|SEQUENCES|FUNCTIONS)\b[^;]*?\bTO\s+"?(\w+)"?"#).unwrap()
});

/// Schema-wide grants that narrow what the role had (the change removes a
/// grant of the same kind to the same role: read-only made of read-write),
/// not a role given every table. A `REVOKE` alone proves nothing: it may
/// take away what the role never had.
pub fn narrowed_grants(f: &FileView<'_>, change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    if !out.iter().any(|x| x.rule == "sql-grant-schema-wide") {
        return;
    }
    let targets = |lines: &mut dyn Iterator<Item = &str>| {
        let text: String = lines.collect::<Vec<_>>().join("\n");
        PRIVILEGE_TARGET
            .captures_iter(&text)
            .map(|c| (c[1].to_ascii_uppercase(), c[2].to_ascii_lowercase()))
            .collect::<HashSet<_>>()
    };
    let narrowing: HashSet<(String, String)> = change
        .files
        .iter()
        .flat_map(|g| targets(&mut g.removed.iter().map(|l| l.text)))
        .collect();
    if narrowing.is_empty() {
        return;
    }
    out.retain(|x| {
        if x.rule != "sql-grant-schema-wide" || x.side != Side::New {
            return true;
        }
        let Some(no) = x.line else { return true };
        // The statement from its line to its semicolon.
        let stmt: Vec<&str> = (no..no + 6)
            .map_while(|n| f.new_lines.get(&n).copied())
            .scan(false, |done, l| {
                if *done {
                    return None;
                }
                *done = l.contains(';');
                Some(l)
            })
            .collect();
        let own = targets(&mut stmt.into_iter());
        own.is_empty() || !own.iter().all(|t| narrowing.contains(t))
    });
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_rename_of_the_models_state_only_is_not_a_column_renamed() {
        let state = "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = [(\"billing\", \"0027\")]\n\n    operations = [\n        migrations.SeparateDatabaseAndState(\n            state_operations=[\n                migrations.RenameField(\n                    model_name=\"invoice\",\n                    old_name=\"total\",\n                    new_name=\"amount_due\",\n                ),\n            ],\n            database_operations=[],\n        ),\n    ]\n";
        let hit = |text: &str| {
            crate::risk::testkit::rules_hit("billing/migrations/0028_rename.py", None, Some(text))
                .contains(&"migration-rename".to_string())
        };
        assert!(!hit(state));
        // Listed among the database's operations, it renames the column.
        let db = state
            .replace(
                "state_operations=[",
                "state_operations=[],\n            database_operations=[",
            )
            .replace("            database_operations=[],\n", "");
        assert!(hit(&db));
        let plain = "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    operations = [\n        migrations.RenameField(model_name=\"invoice\", old_name=\"total\", new_name=\"amount_due\"),\n    ]\n";
        assert!(hit(plain));
    }

    #[test]
    fn records_saved_one_by_one_turned_into_a_bulk_update_skip_callbacks() {
        use crate::risk::testkit::rules_hit_with_contents as rules;
        let rule = "orm-callbacks-skipped".to_string();
        let old = "class Memberships\n  def update_roles(scope, role)\n    scope.find_each { |m| m.update!(role: role) }\n  end\nend\n";
        let new = "class Memberships\n  def update_roles(scope, role)\n    scope.update_all(role: role, updated_at: Time.current)\n  end\nend\n";
        let hit = rules("app/services/memberships.rb", old, new);
        assert!(hit.contains(&rule), "{hit:?}");
        // Django: a save loop made a queryset update.
        let old = "def archive(ids):\n    for d in Document.objects.filter(id__in=ids):\n        d.archived = True\n        d.save()\n";
        let new =
            "def archive(ids):\n    Document.objects.filter(id__in=ids).update(archived=True)\n";
        assert!(rules("docs/services.py", old, new).contains(&rule));
        // A model's own bang method written past in bulk.
        let old = "def call(ids)\n  Refund.where(id: ids).find_each do |refund|\n    refund.settle!(on: Date.current)\n  end\nend\n";
        let new = "def call(ids)\n  Refund.where(id: ids).update_all(status: \"settled\")\nend\n";
        assert!(rules("app/services/settle.rb", old, new).contains(&rule));
        // A bulk statement that was already one: not new.
        let old = "def touch(scope)\n  scope.update_all(seen_at: nil)\nend\n";
        let new = "def touch(scope)\n  scope.update_all(seen_at: Time.current)\nend\n";
        assert!(!rules("app/services/touch.rb", old, new).contains(&rule));
        // The change shows the model, and it has no callbacks: a look only.
        use crate::risk::Severity;
        use crate::risk::testkit::findings_of_change;
        let job_old = "def perform\n  Notice.read.find_each { |n| n.destroy }\nend\n";
        let job_new = "def perform\n  Notice.read.in_batches { |b| b.delete_all }\nend\n";
        let model = |body: &str| {
            format!(
                "class Notice < ApplicationRecord\n{body}  scope :read, -> {{ where.not(read_at: nil) }}\nend\n"
            )
        };
        let level = |body: &str| {
            let m = model(body);
            findings_of_change(
                &[
                    ("app/jobs/prune.rb", Some(job_old), Some(job_new)),
                    ("app/models/notice.rb", Some(&m), Some(&format!("{m}\n"))),
                ],
                Some("Use delete_all in the prune job"),
            )
            .into_iter()
            .filter(|f| f.rule == "orm-callbacks-skipped")
            .map(|f| f.severity)
            .max()
        };
        assert_eq!(level(""), Some(Severity::Medium));
        // Validations do not run on destroy: still nothing skipped.
        assert_eq!(
            level("  validates :title, presence: true\n"),
            Some(Severity::Medium)
        );
        assert_eq!(
            level("  after_destroy :forget_cache\n"),
            Some(Severity::High)
        );
    }

    #[test]
    fn a_whole_table_wiped_from_code_is_found_and_a_scoped_one_is_not() {
        use crate::risk::testkit::rules_hit_with_contents as rules;
        let rule = "sql-destructive-in-code".to_string();
        let old = "class ResetsController < ApplicationController\n  def update\n    @user.update!(password: params[:password])\n  end\nend\n";
        let wipe = old.replace(
            "    @user.update!(password: params[:password])\n",
            "    @user.update!(password: params[:password])\n    Session.destroy_all\n",
        );
        assert!(rules("app/controllers/resets_controller.rb", old, &wipe).contains(&rule));
        // The user's own sessions, through the association: scoped.
        let scoped = wipe.replace("Session.destroy_all", "@user.sessions.destroy_all");
        assert!(!rules("app/controllers/resets_controller.rb", old, &scoped).contains(&rule));
        let chained = wipe.replace(
            "Session.destroy_all",
            "Session.where(user: @user).destroy_all",
        );
        assert!(!rules("app/controllers/resets_controller.rb", old, &chained).contains(&rule));
    }
    use super::*;

    #[test]
    fn a_unique_index_dropped_with_its_column_is_not_a_uniqueness_lost() {
        use crate::risk::testkit::rules_hit;
        let rule = "migration-unique-dropped".to_string();
        let both = "class RemoveLegacyToken < ActiveRecord::Migration[7.1]\n  def change\n    remove_index :admin_users, :legacy_api_token, unique: true, if_exists: true\n    remove_column :admin_users, :legacy_api_token, :string\n  end\nend\n";
        assert!(
            !rules_hit(
                "db/migrate/20240611_remove_legacy_token.rb",
                None,
                Some(both)
            )
            .contains(&rule)
        );
        // Another column of the same table dropped: the index still guards one.
        let other = both.replace(
            "remove_column :admin_users, :legacy_api_token",
            "remove_column :admin_users, :nickname",
        );
        assert!(
            rules_hit(
                "db/migrate/20240611_remove_legacy_token.rb",
                None,
                Some(&other)
            )
            .contains(&rule)
        );
    }

    #[test]
    fn a_table_an_earlier_migration_emptied_is_dropped_at_low() {
        use crate::risk::{RuleSet, findings};
        let earlier = "-- grace period over\nTRUNCATE legacy_sessions;\n";
        let drop = "DROP TABLE IF EXISTS legacy_sessions;\n";
        let level = |earlier_new: &str, drop: &str| {
            let mut c = crate::risk::Contents::new();
            let p = "migrations/0193_truncate_legacy_sessions.sql";
            c.insert(
                p.to_string(),
                crate::diff::MinusPlus::new(
                    Some(earlier.to_string()),
                    Some(earlier_new.to_string()),
                ),
            );
            let mut d = crate::risk::testkit::diff_of(p, Some(earlier), Some(earlier_new));
            d.files.extend(
                crate::risk::testkit::diff_of(
                    "migrations/0201_drop_legacy_sessions.sql",
                    None,
                    Some(drop),
                )
                .files,
            );
            findings(&d, &c, &RuleSet::builtin())
                .into_iter()
                .filter(|f| f.rule == "sql-drop-table")
                .map(|f| f.severity)
                .max()
        };
        let noted = format!("{earlier}-- dropped in 0201\n");
        assert_eq!(level(&noted, drop), Some(Severity::Low));
        // Another table than the one emptied: critical.
        assert_eq!(
            level(&noted, "DROP TABLE sessions;\n"),
            Some(Severity::Critical)
        );
        // Emptied only with a WHERE: critical.
        let partial =
            "DELETE FROM legacy_sessions WHERE created_at < now() - interval '30 days';\n";
        let mut c2 = crate::risk::Contents::new();
        let p = "migrations/0193_prune.sql";
        c2.insert(
            p.to_string(),
            crate::diff::MinusPlus::new(
                Some(partial.to_string()),
                Some(format!("{partial}-- x\n")),
            ),
        );
        let mut d =
            crate::risk::testkit::diff_of(p, Some(partial), Some(&format!("{partial}-- x\n")));
        d.files.extend(
            crate::risk::testkit::diff_of("migrations/0201_drop.sql", None, Some(drop)).files,
        );
        let sev = findings(&d, &c2, &RuleSet::builtin())
            .into_iter()
            .filter(|f| f.rule == "sql-drop-table")
            .map(|f| f.severity)
            .max();
        assert_eq!(sev, Some(Severity::Critical));
    }

    #[test]
    fn a_cache_table_dropped_is_not_data_lost() {
        use crate::risk::Severity;
        use crate::risk::testkit::findings_of_change;
        for (name, derived) in [
            ("thumbnail_cache", true),
            ("tmp_order_totals", true),
            ("orders_scratch", true),
            ("invoices", false),
            ("templates", false),
            ("attempts", false),
        ] {
            assert_eq!(super::derived_table(name), derived, "{name}");
        }
        let level = |path: &str, text: &str| {
            findings_of_change(&[(path, None, Some(text))], None)
                .into_iter()
                .filter(|f| f.rule.starts_with("sql-"))
                .map(|f| f.severity)
                .max()
        };
        let migration = "db/migrations/20240301_drop.sql";
        assert_eq!(
            level(migration, "DROP TABLE IF EXISTS thumbnail_cache;\n"),
            Some(Severity::Medium)
        );
        assert_eq!(
            level(migration, "DROP TABLE IF EXISTS invoices;\n"),
            Some(Severity::Critical)
        );
        // In application code (a device database's migration object).
        let code = "app/src/main/java/app/data/Migrations.kt";
        assert_eq!(
            level(
                code,
                "        db.execSQL(\"DROP TABLE IF EXISTS `image_cache`\")\n"
            ),
            None
        );
        assert_eq!(
            level(
                code,
                "        db.execSQL(\"DROP TABLE IF EXISTS `notes`\")\n"
            ),
            Some(Severity::High)
        );
    }

    #[test]
    fn a_scratch_table_dropped_with_the_script_that_made_it_is_low() {
        use crate::risk::Severity;
        use crate::risk::testkit::findings_of_change;
        let script = "SCRATCH = \"order_totals_backfill\"\n\ndef compute(conn):\n    conn.execute(f\"CREATE TABLE IF NOT EXISTS {SCRATCH} (order_id bigint)\")\n";
        let drop = "DROP TABLE IF EXISTS order_totals_backfill;\n";
        let level = |files: &[(&str, Option<&str>, Option<&str>)]| {
            findings_of_change(files, None)
                .into_iter()
                .filter(|f| f.rule == "sql-drop-table")
                .map(|f| f.severity)
                .max()
        };
        let with_script = level(&[
            ("db/migrations/20240325_drop_tmp.sql", None, Some(drop)),
            ("scripts/backfill_totals.py", Some(script), None),
        ]);
        assert_eq!(with_script, Some(Severity::Low));
        // The script stays, or made another table: the drop is what it is.
        let alone = level(&[("db/migrations/20240325_drop_tmp.sql", None, Some(drop))]);
        assert_eq!(alone, Some(Severity::Critical));
        let other = script.replace("order_totals_backfill", "other_backfill");
        let unrelated = level(&[
            ("db/migrations/20240325_drop_tmp.sql", None, Some(drop)),
            ("scripts/backfill_totals.py", Some(&other), None),
        ]);
        assert_eq!(unrelated, Some(Severity::Critical));
    }

    #[test]
    fn a_model_dropped_after_its_table_is_checked_empty_loses_no_rows() {
        use crate::risk::testkit::diff_of;
        use crate::risk::{Contents, RuleSet, findings};
        let level = |check: &str, model_after: Option<&str>| {
            let m = format!(
                "from django.db import migrations\n\n\ndef check(apps, schema_editor):\n    with schema_editor.connection.cursor() as c:\n        c.execute(\"SELECT count(*) FROM {check}\")\n        (n,) = c.fetchone()\n    if n:\n        raise RuntimeError(\"rows left\")\n\n\nclass Migration(migrations.Migration):\n    operations = [\n        migrations.RunPython(check, migrations.RunPython.noop),\n        migrations.DeleteModel(name=\"LegacyApiToken\"),\n    ]\n"
            );
            let mut d = diff_of("platform/auth/migrations/0045_drop.py", None, Some(&m));
            if let Some(after) = model_after {
                let before = "from django.db import models\n\n\nclass ApiKey(models.Model):\n    prefix = models.CharField(max_length=8)\n\n\nclass LegacyApiToken(models.Model):\n    key = models.CharField(max_length=40)\n";
                d.files
                    .extend(diff_of("platform/auth/models.py", Some(before), Some(after)).files);
            }
            findings(&d, &Contents::new(), &RuleSet::builtin())
                .into_iter()
                .filter(|f| f.rule == "migration-drop-table")
                .map(|f| f.severity)
                .max()
        };
        // On a critical path (auth), so one step up from medium.
        assert_eq!(level("legacy_api_tokens", None), Some(Severity::High));
        assert_eq!(
            level("auth_legacy_api_token", None),
            Some(Severity::Critical)
        );
        assert_eq!(level("api_tokens", None), Some(Severity::Critical));
        // The model goes in the same change: nothing shipped reads the table.
        let gone = "from django.db import models\n\n\nclass ApiKey(models.Model):\n    prefix = models.CharField(max_length=8)\n";
        assert_eq!(level("legacy_api_tokens", Some(gone)), Some(Severity::Low));
        // Still named by code the change adds: as before.
        let still =
            format!("{gone}\n\ndef legacy(k):\n    return LegacyApiToken.objects.get(key=k)\n");
        assert_eq!(
            level("legacy_api_tokens", Some(&still)),
            Some(Severity::High)
        );
        assert_eq!(level("api_tokens", Some(gone)), Some(Severity::Critical));
    }

    #[test]
    fn a_column_the_base_already_retired_is_dropped_at_low() {
        use crate::risk::testkit::diff_of;
        use crate::risk::{Contents, RuleSet, findings};
        let level = |model_old: &str, model_new: &str, migration: &str, path: &str| {
            let mut d = diff_of("app/models/user.rb", Some(model_old), Some(model_new));
            d.files.extend(diff_of(path, None, Some(migration)).files);
            findings(&d, &Contents::new(), &RuleSet::builtin())
                .into_iter()
                .filter(|f| f.rule.ends_with("drop-column"))
                .map(|f| f.severity)
                .max()
        };
        let ignored = "class User < ApplicationRecord\n  self.ignored_columns += [\"legacy_sha1_password\"]\n  has_secure_password\nend\n";
        let plain = "class User < ApplicationRecord\n  has_secure_password\nend\n";
        let rails = "class DropLegacyPassword < ActiveRecord::Migration[7.1]\n  def change\n    remove_column :users, :legacy_sha1_password, :string\n  end\nend\n";
        let rails_path = "db/migrate/20261130_drop_legacy_password.rb";
        // Low, not medium: a critical path (passwords here) raises medium.
        assert_eq!(
            level(ignored, plain, rails, rails_path),
            Some(Severity::Low)
        );
        // Nothing in the base said so: high.
        assert_eq!(level(plain, plain, rails, rails_path), Some(Severity::High));
        // Another column than the one ignored: high.
        let other = rails.replace("legacy_sha1_password", "email");
        assert_eq!(
            level(ignored, plain, &other, rails_path),
            Some(Severity::High)
        );
        // SQL, with the model's deprecation comment removed with the field.
        let commented = "class User < ApplicationRecord\n  # DEPRECATED: no longer read or written\n  attribute :fax_number\n  has_secure_password\nend\n";
        let sql = "ALTER TABLE users DROP COLUMN fax_number;\n";
        assert_eq!(
            level(commented, plain, sql, "db/migrations/0031_drop_fax.sql"),
            Some(Severity::Low)
        );
        // The model keeps its `ignored_columns` line through the deploy: low.
        let kept = ignored.replace(
            "  has_secure_password\n",
            "  # dropped by 20261130_drop_legacy_password\n  has_secure_password\n",
        );
        let found = crate::risk::testkit::findings_of_change(
            &[
                ("app/models/user.rb", Some(ignored), Some(&kept)),
                (rails_path, None, Some(rails)),
            ],
            None,
        );
        assert!(
            found
                .iter()
                .filter(|f| f.rule.ends_with("drop-column"))
                .all(|f| f.severity == Severity::Low),
            "{found:?}"
        );
    }

    #[test]
    fn statements_span_lines_and_split_on_semicolons() {
        let lines = [
            Line {
                no: 3,
                text: "DELETE FROM sessions",
            },
            Line {
                no: 4,
                text: "  WHERE expires_at < now(); UPDATE users",
            },
            Line {
                no: 5,
                text: "SET active = false;",
            },
        ];
        let s = statements(lines.iter());
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].0, 3);
        assert!(s[0].1.contains("WHERE"));
        assert_eq!(s[1].0, 4);
        assert_eq!(s[1].1, "UPDATE users SET active = false");
    }

    #[test]
    fn down_files_are_rollbacks() {
        assert!(is_down_file("db/migrations/0042_orders.down.sql"));
        assert!(!is_down_file("db/migrations/0042_orders.up.sql"));
    }
}

#[cfg(test)]
mod more_tests {
    use crate::risk::testkit::rules_hit;

    #[test]
    fn a_clickhouse_skip_index_is_not_a_postgres_index_build() {
        const RULE: &str = "sql-index-not-concurrent";
        let ch = "ALTER TABLE analytics.events_local ON CLUSTER '{cluster}'\n    ADD INDEX IF NOT EXISTS idx_session session_id\n    TYPE bloom_filter(0.01) GRANULARITY 4;\n";
        let hit = rules_hit("migrations/0042_session.up.sql", None, Some(ch));
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
        let pg = "CREATE INDEX idx_events_session ON events (session_id);\n";
        let hit = rules_hit("migrations/0042_session.up.sql", None, Some(pg));
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
    }

    #[test]
    fn truncate_in_place_of_deleting_every_row_of_the_same_table_loses_nothing_more() {
        use crate::risk::testkit::findings_of_change;
        let old = "BEGIN;\nDELETE FROM staging.orders_load;\n\\copy staging.orders_load FROM 'o.csv'\nCOMMIT;\n";
        let level = |new: &str| {
            findings_of_change(&[("sql/load_orders.sql", Some(old), Some(new))], None)
                .into_iter()
                .find(|f| f.rule == "sql-truncate")
                .map(|f| f.severity)
        };
        let same = old.replace(
            "DELETE FROM staging.orders_load;",
            "TRUNCATE TABLE staging.orders_load;",
        );
        assert_eq!(level(&same), Some(crate::risk::Severity::Low));
        // Another table emptied: every row of it goes.
        let other = old.replace(
            "DELETE FROM staging.orders_load;",
            "TRUNCATE TABLE public.orders;",
        );
        assert_eq!(level(&other), Some(crate::risk::Severity::Critical));
        // A DELETE that kept some rows was not the same.
        let old = old.replace(
            "orders_load;",
            "orders_load WHERE loaded_at < now() - interval '1 day';",
        );
        let some = old.replace(
            "DELETE FROM staging.orders_load WHERE loaded_at < now() - interval '1 day';",
            "TRUNCATE staging.orders_load;",
        );
        let got = findings_of_change(&[("sql/load_orders.sql", Some(&old), Some(&some))], None);
        assert!(
            got.iter()
                .any(|f| f.rule == "sql-truncate" && f.severity == crate::risk::Severity::Critical),
            "{got:?}"
        );
    }

    #[test]
    fn unique_constraints_dropped_and_types_changed_over_several_lines_are_found() {
        let hit = |path: &str, new: &str| rules_hit(path, None, Some(new));
        let upgrade = "def upgrade():\n    op.drop_constraint(\n        \"uq_entries_ref\",\n        \"ledger_entries\",\n        type_=\"unique\",\n    )\n";
        let got = hit("migrations/versions/0042_ref.py", upgrade);
        assert!(
            got.contains(&"migration-unique-dropped".to_string()),
            "{got:?}"
        );
        // The same call in the rollback step undoes what upgrade made: low.
        let down = format!("def downgrade():\n{}", &upgrade["def upgrade():\n".len()..]);
        let got = crate::risk::testkit::findings_for_change(&[(
            "migrations/versions/0042_ref.py",
            "",
            &down,
        )])
        .into_iter()
        .filter(|f| f.rule == "migration-unique-dropped")
        .map(|f| f.severity)
        .collect::<Vec<_>>();
        assert!(
            got.iter().all(|s| *s == crate::risk::Severity::Low),
            "{got:?}"
        );
        let widen = "def upgrade():\n    op.alter_column(\n        \"events\",\n        \"id\",\n        type_=sa.BigInteger(),\n    )\n";
        let got = hit("migrations/versions/0043_id.py", widen);
        assert!(
            got.contains(&"migration-column-type-change".to_string()),
            "{got:?}"
        );
        let nullable_only = widen.replace("type_=sa.BigInteger()", "nullable=True");
        let got = hit("migrations/versions/0043_id.py", &nullable_only);
        assert!(
            !got.contains(&"migration-column-type-change".to_string()),
            "{got:?}"
        );
    }

    #[test]
    fn a_delete_selected_by_a_join_is_found_and_a_schema_dump_is_no_migration() {
        let joined = "DELETE u_new\nFROM users AS u_new\nJOIN users AS u_old ON u_new.email = u_old.email AND u_new.id > u_old.id;\n";
        let got = rules_hit("db/migrations/V7__dedupe_users.sql", None, Some(joined));
        assert!(got.contains(&"sql-delete-joined".to_string()), "{got:?}");
        let dump =
            "CREATE INDEX index_orders_on_seller_id ON public.orders USING btree (seller_id);\n";
        let got = rules_hit("db/structure.sql", None, Some(dump));
        assert!(
            !got.contains(&"sql-index-not-concurrent".to_string()),
            "{got:?}"
        );
        let got = rules_hit("db/migrations/V8__orders_index.sql", None, Some(dump));
        assert!(
            got.contains(&"sql-index-not-concurrent".to_string()),
            "{got:?}"
        );
    }

    #[test]
    fn destructive_statements_in_migrations() {
        let hit = |sql: &str| rules_hit("db/migrations/0001_x.sql", None, Some(sql));
        assert_eq!(hit("DROP TABLE orders;"), vec!["sql-drop-table"]);
        // A drop guarded by an emptiness check is medium, in its cousins' forms.
        let severity = |sql: &str| {
            crate::risk::findings(
                &crate::risk::testkit::diff_of("db/migrations/0002_drop.sql", None, Some(sql)),
                &crate::risk::Contents::new(),
                &crate::risk::RuleSet::builtin(),
            )
            .into_iter()
            .find(|f| f.rule == "sql-drop-table")
            .map(|f| f.severity)
        };
        use crate::risk::Severity::{Critical, Medium};
        for guard in [
            "DO $$ BEGIN IF (SELECT count(*) FROM old_orders) > 0 THEN\n  RAISE EXCEPTION 'not empty';\nEND IF; END $$;",
            "IF EXISTS (SELECT TOP 1 1 FROM dbo.old_orders)\n  THROW 50000, 'old_orders still has rows', 1;",
            "DO $$ BEGIN ASSERT (SELECT count(*) FROM old_orders) = 0, 'rows left'; END $$;",
        ] {
            assert_eq!(
                severity(&format!("{guard}\nDROP TABLE old_orders;\n")),
                Some(Medium),
                "{guard}"
            );
        }
        // Checks that do not prove the table empty leave it critical.
        for weak in [
            // only that the table exists
            "IF EXISTS (SELECT 1 FROM information_schema.tables WHERE table_name = 'old_orders') THEN RAISE NOTICE 'dropping'; END IF;",
            // rows of another table
            "IF EXISTS (SELECT 1 FROM orders) THEN RAISE EXCEPTION 'x'; END IF;",
            // prints and goes on
            "IF EXISTS (SELECT 1 FROM old_orders) THEN RAISE NOTICE 'dropping rows'; END IF;",
            // aborts when the table is empty, not when it has rows
            "IF NOT EXISTS (SELECT 1 FROM old_orders) THEN RAISE EXCEPTION 'nothing to drop'; END IF;",
        ] {
            assert_eq!(
                severity(&format!("{weak}\nDROP TABLE old_orders;\n")),
                Some(Critical),
                "{weak}"
            );
        }
        // The same guard in a Rails migration.
        let rails = "class DropOldOrders < ActiveRecord::Migration[7.1]\n  def up\n    raise \"old_orders is not empty\" if select_value(\"SELECT 1 FROM old_orders LIMIT 1\")\n    drop_table :old_orders\n  end\nend\n";
        let rb = |text: &str| {
            crate::risk::findings(
                &crate::risk::testkit::diff_of(
                    "db/migrate/20240101_drop_old_orders.rb",
                    None,
                    Some(text),
                ),
                &crate::risk::Contents::new(),
                &crate::risk::RuleSet::builtin(),
            )
            .into_iter()
            .find(|f| f.rule == "migration-drop-table")
            .map(|f| f.severity)
        };
        assert_eq!(rb(rails), Some(Medium));
        assert_eq!(
            rb(&rails.replace("FROM old_orders", "FROM orders")),
            Some(Critical)
        );
        // A guard after the drop guards nothing.
        assert_eq!(
            severity(
                "DROP TABLE old_orders;\nDO $$ BEGIN IF EXISTS (SELECT 1 FROM old_orders) THEN RAISE EXCEPTION 'x'; END IF; END $$;\n"
            ),
            Some(Critical)
        );
        assert_eq!(
            hit("ALTER TABLE users DROP COLUMN ssn;"),
            vec!["sql-drop-column"]
        );
        assert_eq!(
            hit("DELETE FROM sessions;"),
            vec!["sql-delete-without-where"]
        );
        assert!(hit("DELETE FROM sessions WHERE expires_at < now();").is_empty());
        assert_eq!(
            hit("ALTER TABLE users ADD COLUMN plan TEXT NOT NULL;"),
            vec!["sql-not-null-without-default"]
        );
        assert!(hit("ALTER TABLE users ADD COLUMN plan TEXT NOT NULL DEFAULT 'free';").is_empty());
        assert_eq!(
            hit("CREATE INDEX users_email ON users (email);"),
            vec!["sql-index-not-concurrent"]
        );
        assert!(hit("CREATE INDEX CONCURRENTLY users_email ON users (email);").is_empty());
        assert!(hit("CREATE TABLE t (id int);\nCREATE INDEX t_id ON t (id);").is_empty());
        // Fixtures and rollbacks are expected to drop things.
        assert!(rules_hit("tests/fixtures/reset.sql", None, Some("DROP TABLE orders;")).is_empty());
        let f = crate::risk::findings(
            &crate::risk::testkit::diff_of(
                "db/migrations/0001_x.down.sql",
                None,
                Some("DROP TABLE orders;"),
            ),
            &crate::risk::Contents::new(),
            &crate::risk::RuleSet::builtin(),
        );
        assert_eq!(f[0].severity, crate::risk::Severity::Low);
    }
}
