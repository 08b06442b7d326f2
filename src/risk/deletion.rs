//! What a deleting command or statement deletes. A `find … -delete`, an
//! `rm -r`, an `aws s3 rm` or an `rsync --delete` that the change edits (not
//! adds) deletes something else now: the selection changed under a command
//! everyone had stopped reading. And a `DELETE … USING` / `UPDATE … FROM`
//! whose join condition is ORed with the filter instead of ANDed touches
//! every row that joins, not the rows the filter picks.

use std::sync::LazyLock;

use regex::Regex;

use super::lang::Lang;
use super::{FileView, Finding, Severity, quote};

/// Commands that delete what their arguments select.
static DELETING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(find\b[^|;&)]*\s(-delete\b|-exec\s+rm\b)|rm\s+-[a-zA-Z]*[rR][a-zA-Z]*\s|aws\s+s3\s+(rm|rb)\s|gsutil\s+(-m\s+)?rm\s|rsync\b[^|;&)]*\s--delete|rclone\s+(delete|purge)\s)").unwrap()
});

/// `${VAR}`, `${VAR:?message}`, `${VAR:-default}`: the variable's name.
static VAR_GUARD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\$\{(\w+)(:?[?\-=][^}]*)?\}").unwrap());

/// Flags that change how a command reports, not what it deletes.
const REPORTING_FLAGS: &[&str] = &["-print", "-v", "--verbose", "-print0", "--progress", "-q"];

/// The command's kind (`find`, `rm`, …) and the words that select what it
/// deletes, quotes and `${VAR:?…}` guards stripped.
fn selection(line: &str) -> Option<(String, Vec<String>)> {
    if !["rm ", "find", "aws", "gsutil", "rsync", "rclone"]
        .iter()
        .any(|w| line.contains(w))
    {
        return None;
    }
    let m = DELETING.find(line)?;
    let cmd = &line[m.start()..];
    let end = cmd
        .find(['|', ';', ')', '&', '#'])
        .filter(|&i| i > 0)
        .unwrap_or(cmd.len());
    let mut words = cmd[..end].split_whitespace();
    let kind = words.next()?.to_string();
    let words: Vec<String> = words
        .map(|w| {
            let w = VAR_GUARD.replace_all(w, "$$$1").replace(['"', '\''], "");
            // `./build/` and `build` select the same thing.
            let w = w.strip_prefix("./").unwrap_or(&w);
            let w = if w.len() > 1 {
                w.trim_end_matches('/')
            } else {
                w
            };
            w.to_string()
        })
        .filter(|w| !REPORTING_FLAGS.contains(&w.as_str()))
        .filter(|w| !(kind == "rm" && w.starts_with('-')))
        // A line continued on the next (`rm -rf /tmp/* \`).
        .filter(|w| w != "\\")
        .collect();
    Some((kind, words))
}

/// A setting that says how long data is kept (`backup_retention_period`,
/// `retention_days`, `keep_last`), with its value — written out or as the
/// default of an environment lookup (`env('AUDIT_RETENTION_DAYS', 2555)`).
static RETENTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)^\s*["']?(\w*(retention|retain|keep_(last|days|daily|weekly|monthly)|snapshot_?count|backup_?(days|period|count))\w*)["']?\s*(?:=>|[:=])\s*(?:\(\w+\)\s*|\w+\(\s*)?(?:["']?|(?:env|getenv|os\.getenv|ENV\.fetch|config)\s*\(\s*["'][\w.]+["']\s*,\s*["']?)(\d+)"#).unwrap()
});

/// A retention setting on a line, by name, with the number it keeps.
fn retention_setting(t: &str) -> Option<(String, f64)> {
    let lower = t.to_ascii_lowercase();
    if !["retain", "retention", "keep_", "snapshot", "backup"]
        .iter()
        .any(|w| lower.contains(w))
    {
        return None;
    }
    let c = RETENTION.captures(t)?;
    Some((c[1].to_ascii_lowercase(), c[5].parse().ok()?))
}

/// A retention written out (`retention_in_days = 2557`) that now follows a
/// Terraform variable (`= var.log_retention_days`) whose default, declared in
/// another file of the change, is half as long or less, and that no module
/// call in the change sets: the audit trail kept for seven years is kept for
/// a week, the moment it applies.
pub fn retention_via_variable(change: &super::ChangeView<'_>, out: &mut Vec<Finding>) {
    static FOLLOWS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*(\w+)\s*=\s*var\.(\w+)\s*$").unwrap());
    let defaults = super::infra::tf_variable_defaults(change);
    if defaults.is_empty() {
        return;
    }
    for f in change
        .files
        .iter()
        .filter(|f| f.path.ends_with(".tf") && f.class.production())
    {
        let before: Vec<(String, f64)> = f
            .removed_code()
            .filter_map(|l| retention_setting(l.text))
            .collect();
        if before.is_empty() {
            continue;
        }
        for l in f.added_code() {
            let Some(c) = FOLLOWS.captures(l.text) else {
                continue;
            };
            let Some(default) = defaults.get(&c[2]) else {
                continue;
            };
            let Some((key, now)) = retention_setting(&format!("{} = {default}", &c[1])) else {
                continue;
            };
            // The longest it kept under that name: one resource cut from
            // seven years to a week is the one that matters.
            let Some(was) = before
                .iter()
                .filter(|(k, _)| *k == key)
                .map(|(_, v)| *v)
                .reduce(f64::max)
            else {
                continue;
            };
            let passed = change.files.iter().any(|g| {
                g.added_code().any(|a| {
                    a.text
                        .split_once('=')
                        .is_some_and(|(k, _)| k.trim() == &c[2])
                })
            });
            if passed || !(now > 0.0 && now * 2.0 <= was) {
                continue;
            }
            out.push(Finding::added(
                "data-retention-shortened",
                Severity::High,
                f.path,
                Some(l.no),
                format!(
                    "Keeps `{}` for `var.{}`, whose default is {now}, where it kept it for {was}: whatever you would restore or audit older than that is gone once it applies.",
                    quote(&key),
                    quote(&c[2])
                ),
            ));
            return;
        }
    }
}

/// A retention variable with a default (`variable "backup_retention_days" {
/// default = 14 }`) that the change folds into a map and reads back with a
/// fallback of its own (`backup_retention_days = lookup(var.backup,
/// "retention_days", 0)`): every caller that does not set the new key gets
/// the fallback, and a backup kept for 0 days is no backup at all.
pub fn retention_fallback_cut(change: &super::ChangeView<'_>, out: &mut Vec<Finding>) {
    static FALLBACK: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^\s*(\w+)\s*=\s*(?:\w+\()?\s*(?:lookup|try|coalesce)\s*\(([^\n]*?),\s*"?(\d+)"?\s*\)\s*\)?\s*$"#).unwrap()
    });
    let old_defaults = super::infra::tf_old_variable_defaults(change);
    let new_defaults = super::infra::tf_variable_defaults(change);
    for f in change
        .files
        .iter()
        .filter(|f| f.path.ends_with(".tf") && f.class.production())
    {
        for l in f.added_code() {
            let Some(c) = FALLBACK.captures(l.text) else {
                continue;
            };
            let (name, now) = (&c[1], c[3].parse::<f64>().unwrap_or(f64::MAX));
            // The variable of that name is gone (or lost its default).
            let Some(was) = old_defaults
                .get(name)
                .filter(|_| !new_defaults.contains_key(name))
                .and_then(|v| v.trim_matches('"').parse::<f64>().ok())
            else {
                continue;
            };
            let Some((key, _)) = retention_setting(&format!("{name} = {was}")) else {
                continue;
            };
            // Zero keeps no backups; for logs it can mean "forever".
            let backups = ["backup", "snapshot", "pitr"]
                .iter()
                .any(|w| key.contains(w));
            let cut = now > 0.0 && now * 2.0 <= was || now == 0.0 && backups;
            if !cut || was <= 0.0 {
                continue;
            }
            out.push(Finding::added(
                "data-retention-shortened",
                Severity::High,
                f.path,
                Some(l.no),
                format!(
                    "`{}` now falls back to {now} when the key is not set (`{}`); before, `var.{}` kept it for {was} by default: a caller that does not set it {}.",
                    quote(name),
                    quote(l.text.trim()),
                    quote(name),
                    if now == 0.0 { "keeps no backups at all" } else { "keeps far less" }
                ),
            ));
            return;
        }
    }
}

/// Retention of backups, snapshots and logs cut by half or more: the data
/// that would restore from an incident is gone sooner.
fn retention_shortened(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let read = retention_setting;
    // A module variable's default (`variable "backup_retention_period" {
    // … default = 14`) reads as the setting of the same name: every caller
    // that does not pass it gets that value.
    static VARIABLE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"^\s*variable\s+"(\w+)""#).unwrap());
    static DEFAULT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*default\s*=\s*(\d+)\s*$").unwrap());
    let as_setting = |text: Option<&str>, no: u32, line: &str| -> String {
        let Some(d) = DEFAULT.captures(line) else {
            return line.to_string();
        };
        text.and_then(|t| {
            t.lines()
                .take(no as usize)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .find_map(|x| {
                    VARIABLE
                        .captures(x)
                        .map(|c| format!("{} = {}", &c[1], &d[1]))
                })
        })
        .unwrap_or_else(|| line.to_string())
    };
    let before: Vec<(String, f64)> = f
        .removed_code()
        .filter_map(|l| read(&as_setting(f.old_text(), l.no, l.text)))
        .collect();
    for l in f.added_code() {
        let Some((key, now)) = read(&as_setting(f.new_text(), l.no, l.text)) else {
            continue;
        };
        let Some((_, was)) = before.iter().find(|(k, _)| *k == key) else {
            continue;
        };
        if now > 0.0 && now * 2.0 <= *was {
            out.push(Finding::added(
                "data-retention-shortened",
                Severity::High,
                f.path,
                Some(l.no),
                format!(
                    "Keeps `{}` for {now} where it kept it for {was}: whatever you would restore after an incident older than that is gone.",
                    quote(&key)
                ),
            ));
            return;
        }
    }
}

/// An assignment of a time computed from now: `cutoff = now() - retention`.
static FROM_NOW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:(?:let|const|var|val|local|my)\s+)?\$?([A-Za-z_][\w.]*)\s*(?::\s*[\w.<>]+\s*)?:?=\s*(.*\b(?:now|utcnow|today|time\.time|Date\.now|Time\.(?:now|current)|Instant\.now|NOW|CURRENT_TIMESTAMP|current_date)\b.*)$").unwrap()
});

/// The sign of the first `+` or `-` after now in an expression, if any.
fn sign_after_now(expr: &str) -> Option<char> {
    let lower = expr.to_ascii_lowercase();
    let at = [
        "now",
        "today",
        "time.time",
        "current_timestamp",
        "current_date",
        "current",
    ]
    .iter()
    .filter_map(|w| lower.find(w).map(|i| i + w.len()))
    .min()?;
    expr[at..].chars().find(|c| matches!(c, '+' | '-'))
}

/// A time window computed from now whose sign the change flipped: a cutoff
/// of "30 days ago" that is now "30 days from now" selects every row a
/// purge or expiry looks at, not only the old ones.
fn cutoff_sign_flipped(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let before: Vec<(String, char)> = f
        .removed_code()
        .filter_map(|l| {
            let c = FROM_NOW.captures(l.text)?;
            Some((c[1].to_string(), sign_after_now(&c[2])?))
        })
        .collect();
    for l in f.added_code() {
        let Some(c) = FROM_NOW.captures(l.text) else {
            continue;
        };
        let Some(sign) = sign_after_now(&c[2]) else {
            continue;
        };
        if before
            .iter()
            .any(|(name, was)| *name == c[1] && *was != sign)
        {
            out.push(Finding::added(
                "time-window-sign-flipped",
                Severity::High,
                f.path,
                Some(l.no),
                format!(
                    "`{}` is now counted {} now, where it was counted {}: every comparison with it selects the other side of the window (a purge of old rows takes them all).",
                    quote(&c[1]),
                    if sign == '+' { "forward from" } else { "back from" },
                    if sign == '+' { "back" } else { "forward" }
                ),
            ));
            return;
        }
    }
}

/// A comparison between two names: `created_at < :cutoff`,
/// `raw_events.c.created_at >= cutoff`, `$row->expires_at <= $now`.
static COMPARISON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([A-Za-z_$][\w.$>-]*)\s*(<=|>=|<|>)\s*:?([A-Za-z_$][\w.$>-]*)").unwrap()
});
/// Words of code that deletes.
static DELETES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\bdelete\b|\.delete\w*\s*\(|\bdelete\s*\(|\bpurge|\bprune|\bdestroy|\bdelete_all\b|\bremove_expired|\bcleanup|\bevict|\bexpire)").unwrap()
});

/// Two names compared, in a fixed order, and which way: `a < b` and `b > a`
/// are both `(a, b, Less)`.
fn oriented(c: &regex::Captures<'_>) -> Option<(String, String, bool)> {
    let name = |s: &str| {
        s.rsplit(['.', '>', '$'])
            .next()
            .unwrap_or(s)
            .trim_start_matches(':')
            .to_ascii_lowercase()
    };
    let (a, b) = (name(&c[1]), name(&c[3]));
    if a.len() < 3 || b.len() < 3 || a == b {
        return None;
    }
    let less = c[2].starts_with('<');
    Some(if a < b { (a, b, less) } else { (b, a, !less) })
}

/// Code that deletes, whose selection compares the same two names the
/// other way round now (`created_at < cutoff` → `created_at >= cutoff`,
/// often while the query is rewritten for another library): it deletes
/// the rows it was meant to keep.
fn comparison_flipped(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !f
        .removed
        .iter()
        .chain(&f.added)
        .any(|l| DELETES.is_match(l.text))
    {
        return;
    }
    // All removed lines but comments: SQL in a triple-quoted string counts
    // as prose, a `-- redeemable while expires_at > now()` does not delete.
    let before: Vec<(String, String, bool)> = f
        .removed
        .iter()
        .filter(|l| !f.class.is_comment(l.text))
        .flat_map(|l| {
            COMPARISON
                .captures_iter(l.text)
                .filter_map(|c| oriented(&c))
                .collect::<Vec<_>>()
        })
        .collect();
    if before.is_empty() {
        return;
    }
    let after: Vec<(u32, String, (String, String, bool))> = f
        .added_code()
        .flat_map(|l| {
            COMPARISON
                .captures_iter(l.text)
                .filter_map(|c| Some((l.no, c[0].to_string(), oriented(&c)?)))
                .collect::<Vec<_>>()
        })
        .collect();
    for (no, text, (a, b, less)) in &after {
        // The way round it compares now was already written before: the
        // same selection, kept.
        let flipped = before.iter().any(|(x, y, l)| x == a && y == b && l != less)
            && !before.iter().any(|(x, y, l)| x == a && y == b && l == less);
        let kept = after
            .iter()
            .any(|(_, _, (x, y, l))| x == a && y == b && l != less);
        if flipped && !kept {
            out.push(Finding::added(
                "delete-selection-flipped",
                Severity::High,
                f.path,
                Some(*no),
                format!(
                    "Code that deletes compares `{a}` and `{b}` the other way round now (`{}`): it selects the rows it used to keep, and deletes them.",
                    quote(text)
                ),
            ));
            return;
        }
    }
}

/// The variables a shell or Make word expands: `$X`, `${X:?}`, `$(X)`.
fn variables_in(word: &str) -> Vec<&str> {
    word.split('$')
        .skip(1)
        .filter_map(|r| {
            let r = r.trim_start_matches(['{', '(']);
            let end = r
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(r.len());
            (end > 0).then(|| &r[..end])
        })
        .collect()
}

/// Whether every assignment of `var` in `text` (Make `VENV := .venv`,
/// shell `out=build`) sets it to a fixed path inside the work tree, and
/// there is at least one.
fn set_to_fixed_path(text: &str, var: &str) -> bool {
    let mut any = false;
    for l in text.lines() {
        let l = l.trim_start();
        let l = l.strip_prefix("export ").unwrap_or(l);
        let Some(rest) = l.strip_prefix(var) else {
            continue;
        };
        let rest = rest.trim_start();
        let Some(value) = ["::=", ":=", "?=", "="]
            .iter()
            .find_map(|op| rest.strip_prefix(op))
        else {
            continue;
        };
        let value = value.trim().trim_matches(['"', '\'']);
        let fixed = !value.is_empty()
            && !value.contains(['$', '*', '~', '`', ' '])
            && !value.starts_with('/')
            && !value.contains("..");
        if !fixed {
            return false;
        }
        any = true;
    }
    any
}

/// A `find` that selects a subset of what it selected: every word it had is
/// still there and the new ones only narrow (`-type f -name '*.log'`,
/// `-mindepth 1`), or it now deletes only empty directories.
fn find_narrowed(old: &[String], new: &[String]) -> bool {
    const NARROWING: &[&str] = &[
        "-type",
        "-name",
        "-iname",
        "-path",
        "-ipath",
        "-mindepth",
        "-maxdepth",
        "-user",
        "-group",
        "-size",
        "-newer",
        "-perm",
        "-regex",
    ];
    const FLAGS: &[&str] = &["-empty", "-print", "-print0", "-xdev", "-mount"];
    let norm = |w: &String| {
        w.trim_end_matches([',', ';', '"', '\'', ')'])
            .trim_start_matches(['"', '\''])
            .to_string()
    };
    let new: Vec<String> = new.iter().map(norm).collect();
    if new.iter().any(|w| w == "-empty") && new.windows(2).any(|p| p[0] == "-type" && p[1] == "d") {
        return true;
    }
    let old: Vec<String> = old.iter().map(norm).collect();
    if !old.iter().all(|w| new.contains(w)) {
        return false;
    }
    let mut i = 0;
    while i < new.len() {
        let w = new[i].as_str();
        if NARROWING.contains(&w) {
            i += 2;
        } else if FLAGS.contains(&w) || old.iter().any(|o| o == w) {
            i += 1;
        } else {
            return false;
        }
    }
    true
}

/// A delete statement and the two lines after it (a `.where(...)` on the
/// next line): (its first line's number, the text).
fn delete_statements(text: &str) -> Vec<(u32, String)> {
    static DELETE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(\bdelete\s*\(|\.delete\b|\bdelete_all\b|\bdestroy_all\b|\bDELETE\s+FROM\b|\bRemoveRange\(|\bExecuteDelete(Async)?\(|\bdeleteMany\(|\bdeleteWhere\b)")
            .expect("a valid regex")
    });
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if DELETE.is_match(l) {
            let end = (i + 3).min(lines.len());
            out.push((i as u32 + 1, lines[i..end].join("\n")));
        }
    }
    out
}

/// Whether a delete statement is restricted to the rows the code already
/// handled, by their keys (`id.in_(ids)`, `id = ANY($1)`, `whereIn('id',
/// $ids)`, `ids.Contains(e.Id)`, `id__in=ids`).
fn deletes_listed_rows(stmt: &str) -> bool {
    static LISTED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(\.in_\(|\bIN\s*\(\s*[:$@?%]|\bIN\s+:\w+|=\s*ANY\s*\(|__in\s*=|\bwhereIn\(|\bids?\.Contains\(|\bid\s*:\s*\w*ids\b|\bIN\s*\(\s*SELECT\b)")
            .expect("a valid regex")
    });
    LISTED.is_match(stmt)
}

/// Whether a delete statement selects by a range (`created_at < cutoff`,
/// `created_at__lt=`), not by keys.
fn deletes_a_range(stmt: &str) -> bool {
    static RANGE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(\s[<>]=?\s|__(lt|lte|gt|gte)\s*=|\.(lt|lte|before)\(|\bolder_than\b)")
            .expect("a valid regex")
    });
    RANGE.is_match(stmt)
}

/// An archive or export job that deleted the rows it had just copied, by
/// their keys, and now deletes by the range it selected them from: the
/// copy is limited to a batch (`LIMIT 1000`) and the delete is not, so every
/// row in the range past the first batch is deleted without being copied.
fn delete_widened_past_batch(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let (Some(old), Some(new)) = (f.old_text(), f.new_text()) else {
        return;
    };
    if !f.removed_text.to_ascii_lowercase().contains("delete") {
        return;
    }
    let before = delete_statements(old);
    let after = delete_statements(new);
    if !before.iter().any(|(_, s)| deletes_listed_rows(s))
        || after.iter().any(|(_, s)| deletes_listed_rows(s))
    {
        return;
    }
    let Some((line, stmt)) = after.iter().find(|(no, s)| {
        deletes_a_range(s)
            && (f.added_at(*no) || f.added_at(no + 1) || f.added_at(no + 2))
            && !before.iter().any(|(_, b)| b == s)
    }) else {
        return;
    };
    let first = stmt.lines().next().unwrap_or("").trim();
    out.push(Finding::added(
        "delete-widened-past-batch",
        Severity::High,
        f.path,
        Some(*line),
        format!(
            "`{}` now deletes by the range the rows were selected from, where before it deleted only the rows it had handled, by their keys: rows in the range beyond the batch are deleted without being copied or processed.",
            quote(first)
        ),
    ));
}

/// Deleting commands whose selection the change edited, and SQL joins that
/// delete or update more than their filter picks.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs || f.class.vendored {
        return;
    }
    retention_shortened(f, out);
    delete_widened_past_batch(f, out);
    cutoff_sign_flipped(f, out);
    comparison_flipped(f, out);
    let before: Vec<(String, Vec<String>)> =
        f.removed_code().filter_map(|l| selection(l.text)).collect();
    // A removed line whose selection is still written on an added one
    // (`rm -rf /var/lib/apt/lists/*` now ends in `\`) was only rewrapped:
    // another `rm` beside it selects more, it does not replace it.
    let after: Vec<(String, Vec<String>)> =
        f.added_code().filter_map(|l| selection(l.text)).collect();
    for l in f.added_code() {
        let Some((kind, words)) = selection(l.text) else {
            continue;
        };
        let same_kind: Vec<&Vec<String>> = before
            .iter()
            .filter(|(k, w)| {
                *k == kind && (*w == words || !after.iter().any(|(k2, w2)| k2 == k && w2 == w))
            })
            .map(|(_, w)| w)
            .collect();
        if same_kind.is_empty() || same_kind.contains(&&words) {
            continue;
        }
        let old = same_kind[0];
        if kind == "find" && find_narrowed(old, &words) {
            continue;
        }
        let gone: Vec<&str> = old
            .iter()
            .filter(|w| !words.contains(w))
            .map(String::as_str)
            .collect();
        let came: Vec<&str> = words
            .iter()
            .filter(|w| !old.contains(w))
            .map(String::as_str)
            .collect();
        // Only more fixed paths of the work tree (`clean: rm -rf dist
        // coverage.out`): nothing that was selected moved.
        let fixed = |w: &&str| {
            !w.contains(['$', '*', '~', '`']) && !w.starts_with('/') && !w.contains("..")
        };
        // A variable the file sets to such a path (`VENV := .venv`) is one.
        let text_now = f.new_text_or_hunks();
        let fixed = |w: &&str| {
            fixed(w)
                || !w.starts_with('/')
                    && !w.contains(['*', '~', '`'])
                    && !w.contains("..")
                    && !variables_in(w).is_empty()
                    && variables_in(w)
                        .iter()
                        .all(|v| set_to_fixed_path(&text_now, v))
        };
        // A build file runs in the checkout: fixed paths there are build
        // output, whatever the line selected before.
        let build_file = f.class.ci
            || f.path.rsplit('/').next().is_some_and(|n| {
                n == "Makefile" || n == "GNUmakefile" || n.ends_with(".mk") || n == "justfile"
            });
        if (gone.is_empty() || build_file) && came.iter().all(fixed) {
            continue;
        }
        // Only variables renamed (`"$entry"` → `"${1:?}"`): the same kind of
        // argument under another name, not another selection.
        let variable = |w: &&str| w.starts_with('$') && !w.contains('/') && !w.contains('*');
        if !gone.is_empty() && gone.iter().all(variable) && came.iter().all(variable) {
            continue;
        }
        // Now only a directory the script made itself with mktemp: removing
        // it whole removes nothing anyone else had.
        let made_here = |w: &&str| {
            let name = w
                .trim_matches(['"', '\''])
                .trim_start_matches('$')
                .trim_start_matches('{')
                .split([':', '}', '/'])
                .next()
                .unwrap_or("");
            !name.is_empty()
                && w.starts_with(['$', '"'])
                && !w.contains('*')
                && f.new_text().is_some_and(|t| {
                    t.lines().any(|l| {
                        let l = l.trim_start().trim_start_matches("local ");
                        l.strip_prefix(name)
                            .and_then(|r| r.strip_prefix('='))
                            .is_some_and(|r| {
                                r.trim_start_matches(['"', '\'']).starts_with("$(mktemp")
                            })
                    })
                })
        };
        if !came.is_empty() && came.iter().all(made_here) {
            continue;
        }
        // `rm` of paths the script keeps in place: each word's variables
        // are checked before it runs, and a word that starts with one (the
        // variable is the whole path) needs more than "not empty": a place
        // the script picked (`./$(BUILD_DIR)` after `test -n "$(BUILD_DIR)"
        // || exit`; `"$target"` built from a `case`-checked root).
        let text = f.new_text_or_hunks();
        let safe = |w: &&str| {
            let w = w.trim_matches(['"', '\'']);
            let vars = variables_in(w);
            let needed = |at_start: bool| {
                if at_start {
                    super::shell_vars::Guard::Bounded
                } else {
                    super::shell_vars::Guard::NonEmpty
                }
            };
            !w.starts_with(['/', '~', '-'])
                && !w.contains("..")
                && !w.contains(':')
                && !w.contains("}*")
                && !w.contains(")*")
                && vars.iter().all(|v| {
                    super::shell_vars::guard(&text, v, f.class.ci, l.no)
                        .is_some_and(|g| g >= needed(w.starts_with('$')))
                })
        };
        if kind == "rm" && !came.is_empty() && came.iter().all(safe) {
            continue;
        }
        out.push(Finding::added(
            "destructive-selection-changed",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "This `{kind}` deletes a different selection now (`{}` instead of `{}`): check what it matches before it runs.",
                quote(&came.join(" ")),
                quote(&gone.join(" "))
            ),
        ));
    }
    if !(matches!(f.class.lang, Lang::Sql) || f.class.migration) {
        cascade_replaced_protection(f, out);
    }
    if matches!(f.class.lang, Lang::Sql) || f.class.migration {
        cascade_added(f, out);
        let code: Vec<_> = f.added_code().collect();
        for (line, stmt) in super::migrations::statements(code.into_iter()) {
            if let Some(pair) = both_copies_deleted(&stmt) {
                out.push(Finding::added(
                    "sql-dedupe-deletes-both",
                    Severity::Critical,
                    f.path,
                    Some(line),
                    format!(
                        "This de-duplication joins the table to itself on `{}`: every row of a duplicate group has another to match, so all copies are deleted, not all but one (keep one with `<` or `>`).",
                        quote(&pair)
                    ),
                ));
            }
            if let Some(join) = ored_join(&stmt) {
                out.push(Finding::added(
                    "sql-join-ored",
                    Severity::Critical,
                    f.path,
                    Some(line),
                    format!(
                        "The join condition `{}` is ORed with the filter, not ANDed: this statement hits every row that joins, not only those the filter picks.",
                        quote(&join)
                    ),
                ));
            }
        }
    }
}

/// A DELETE that joins a table to itself (`DELETE FROM t a USING t b`, or
/// MySQL's `DELETE a FROM t a JOIN t b`) and tells the two copies apart
/// with `<>`/`!=` on a key: both members of every pair match.
fn both_copies_deleted(stmt: &str) -> Option<String> {
    static SELF_JOIN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?is)\bdelete\s+(?:\w+\s+)?from\s+([\w.]+)\s+(?:as\s+)?(\w+)\s+(?:using|(?:inner\s+)?join)\s+([\w.]+)\s+(?:as\s+)?(\w+)").unwrap()
    });
    static DIFFERS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)\b(\w+)\.(\w+)\s*(<>|!=)\s*(\w+)\.(\w+)\b").unwrap());
    let c = SELF_JOIN.captures(stmt)?;
    if !c[1].eq_ignore_ascii_case(&c[3]) {
        return None;
    }
    let (a, b) = (&c[2], &c[4]);
    DIFFERS.captures_iter(stmt).find_map(|d| {
        let aliases = [&d[1], &d[4]];
        (aliases.contains(&a) && aliases.contains(&b) && d[2].eq_ignore_ascii_case(&d[5]))
            .then(|| d[0].to_string())
    })
}

static CASCADE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(on\s+delete\s+cascade|on_delete\s*[:=]\s*:?cascade|on_delete\s*=\s*[\w.]*\bCASCADE\b|ondelete\s*=\s*["']CASCADE|onDelete\(\s*["']cascade|dependent:\s*:(destroy|delete_all))"#).unwrap()
});
static CREATES_TABLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(create\s+table|create_table|op\.create_table|CreateModel|createTable)")
        .unwrap()
});

/// A cascade added to the foreign key of an existing table: deleting one
/// parent row now deletes every row that points at it. (A table the change
/// creates starts out that way, which nobody relied on otherwise.)
fn cascade_added(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let code: Vec<_> = f.added_code().collect();
    if code.iter().any(|l| CREATES_TABLE.is_match(l.text)) {
        return;
    }
    // A Django migration that adds a field starts its relation that way; one
    // that alters a field changes what deleting the parent does.
    let django = code.iter().any(|l| l.text.contains("migrations."));
    if django && !code.iter().any(|l| l.text.contains("AlterField")) {
        return;
    }
    let had = f.removed_code().any(|l| CASCADE.is_match(l.text));
    if let Some(l) = code.iter().find(|l| CASCADE.is_match(l.text))
        && !had
    {
        out.push(Finding::added(
            "sql-cascade-delete-added",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "Makes deleting a parent row delete its children ({}): one delete now removes every row that points at it.",
                quote(l.text.trim())
            ),
        ));
    }
}

/// A relation that protected its rows from the parent's deletion
/// (`on_delete=models.PROTECT`, `ondelete="RESTRICT"`, `dependent:
/// :restrict_with_error`) made to cascade in the model: deleting a customer
/// now deletes their invoices and payments.
fn cascade_replaced_protection(f: &FileView<'_>, out: &mut Vec<Finding>) {
    static PROTECTS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)(on_delete\s*=\s*[\w.]*\b(PROTECT|RESTRICT|SET_NULL|DO_NOTHING|SET_DEFAULT)\b|ondelete\s*=\s*["'](RESTRICT|SET NULL|NO ACTION)|onDelete\(\s*["'](restrict|set null|no action)|dependent:\s*:(restrict_with_error|restrict_with_exception|nullify))"#).unwrap()
    });
    if !f.removed_code().any(|l| PROTECTS.is_match(l.text)) {
        return;
    }
    let cascaded_before = f
        .removed_code()
        .filter(|l| CASCADE.is_match(l.text))
        .count();
    let cascades: Vec<_> = f
        .added_code()
        .filter(|l| CASCADE.is_match(l.text))
        .collect();
    if cascades.len() <= cascaded_before {
        return;
    }
    let l = cascades[0];
    out.push(Finding::added(
        "sql-cascade-delete-added",
        Severity::High,
        f.path,
        Some(l.no),
        format!(
            "A relation that kept its rows when the parent was deleted now cascades ({}): deleting one parent deletes every record that points at it.",
            quote(l.text.trim())
        ),
    ));
}

/// `bytes` starts with the ASCII `word`, in any case (bytes, not chars: the
/// clause may hold any text, and only ASCII positions are sliced at).
fn starts_with_word(bytes: &[u8], word: &[u8]) -> bool {
    bytes.len() >= word.len() && bytes[..word.len()].eq_ignore_ascii_case(word)
}

static COLUMN_EQ: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\(?\s*(\w+)\.\w+\s*=\s*(\w+)\.\w+\s*\)?$").unwrap());

/// In a `DELETE … USING`/`UPDATE … FROM`, a join equality (`a.x = b.y`)
/// that is one branch of a top-level OR in the WHERE clause.
fn ored_join(stmt: &str) -> Option<String> {
    let upper = stmt.to_ascii_uppercase();
    let joined = upper.contains("DELETE ") && upper.contains(" USING ")
        || upper.contains("UPDATE ") && upper.contains(" FROM ");
    if !joined {
        return None;
    }
    let at = upper.find(" WHERE ")? + " WHERE ".len();
    let clause = &stmt[at..];
    let mut branches = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    let bytes = clause.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth < 0 {
                    break;
                }
            }
            _ if depth == 0 && starts_with_word(&bytes[i..], b" OR ") => {
                branches.push(&clause[start..i]);
                start = i + 4;
                i += 3;
            }
            _ if depth == 0 && starts_with_word(&bytes[i..], b" RETURNING ") => {
                break;
            }
            _ => {}
        }
        i += 1;
    }
    if branches.is_empty() {
        return None;
    }
    branches.push(&clause[start..i.min(clause.len())]);
    branches.iter().find_map(|b| {
        let b = b.trim();
        let c = COLUMN_EQ.captures(b)?;
        (c[1] != c[2]).then(|| b.to_string())
    })
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit;

    #[test]
    fn a_comment_that_states_the_opposite_comparison_flips_nothing() {
        let rule = "delete-selection-flipped".to_string();
        let p = "deploy/cronjobs/sql/purge_tokens.sql";
        let old = "-- A token is redeemable only while expires_at > now().\nDELETE FROM reset_tokens\nWHERE expires_at < now() - interval '7 days';\n";
        let new = "-- Tokens past expiry or consumed are dead.\nDELETE FROM reset_tokens\nWHERE expires_at  < now() - interval '1 day'\n   OR consumed_at < now() - interval '1 day';\n";
        assert!(!rules_hit(p, Some(old), Some(new)).contains(&rule));
        // The delete itself turned round is still found.
        let flipped = old.replace("WHERE expires_at < now()", "WHERE expires_at > now()");
        assert!(rules_hit(p, Some(old), Some(&flipped)).contains(&rule));
    }

    #[test]
    fn a_delete_of_the_copied_rows_widened_to_the_whole_range_is_found() {
        let rule = "delete-widened-past-batch".to_string();
        let p = "app/jobs/archive_events.py";
        let old = "def archive_batch(conn, cutoff):\n    rows = conn.execute(\n        sa.select(events).where(events.c.created_at < cutoff).limit(BATCH)\n    ).all()\n    conn.execute(sa.insert(archive), [dict(r) for r in rows])\n    ids = [r.id for r in rows]\n    conn.execute(sa.delete(events).where(events.c.id.in_(ids)))\n    return len(rows)\n";
        let widened = old.replace(
            "    ids = [r.id for r in rows]\n    conn.execute(sa.delete(events).where(events.c.id.in_(ids)))\n",
            "    conn.execute(\n        sa.delete(events).where(events.c.created_at < cutoff)\n    )\n",
        );
        assert!(crate::risk::testkit::rules_hit_with_contents(p, old, &widened).contains(&rule));
        // SQL: `DELETE ... WHERE id = ANY($1)` → `DELETE ... WHERE created_at < $1`.
        let go = "func purge(ctx context.Context, tx pgx.Tx, ids []int64) error {\n\t_, err := tx.Exec(ctx, `DELETE FROM sessions WHERE id = ANY($1)`, ids)\n\treturn err\n}\n";
        let go_new = go.replace("id = ANY($1)`, ids)", "created_at < $1`, cutoff)");
        assert!(
            crate::risk::testkit::rules_hit_with_contents("internal/jobs/purge.go", go, &go_new)
                .contains(&rule)
        );
        // Still by the keys, only written another way.
        let kept = old.replace(
            "events.c.id.in_(ids)",
            "events.c.id.in_([r.id for r in rows])",
        );
        assert!(!crate::risk::testkit::rules_hit_with_contents(p, old, &kept).contains(&rule));
        // A purge that always deleted by range, its cutoff renamed.
        let range = "def purge(conn, cutoff):\n    conn.execute(sa.delete(tokens).where(tokens.c.expires_at < cutoff))\n";
        let renamed = range.replace("cutoff", "expired_before");
        assert!(!rules_hit(p, Some(range), Some(&renamed)).contains(&rule));
    }

    #[test]
    fn a_purge_whose_cutoff_comparison_turned_round_is_found() {
        let old = "def purge(conn, cutoff):\n    conn.execute(text(\"DELETE FROM events WHERE created_at < :cutoff\"), {\"cutoff\": cutoff})\n";
        let new = "def purge(conn, cutoff):\n    conn.execute(delete(events).where(events.c.created_at >= cutoff))\n";
        let hit = rules_hit("etl/purge.py", Some(old), Some(new));
        assert!(
            hit.contains(&"delete-selection-flipped".to_string()),
            "{hit:?}"
        );
        // The same direction, rewritten: not flipped.
        let same = new.replace(">= cutoff", "< cutoff");
        let hit = rules_hit("etl/purge.py", Some(old), Some(&same));
        assert!(
            !hit.contains(&"delete-selection-flipped".to_string()),
            "{hit:?}"
        );
        // A comparison turned round in code that deletes nothing.
        let hit = rules_hit(
            "app/report.py",
            Some("rows = [r for r in rows if r.created_at < cutoff]\n"),
            Some("rows = [r for r in rows if r.created_at >= cutoff]\n"),
        );
        assert!(
            !hit.contains(&"delete-selection-flipped".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn a_find_that_only_narrows_what_it_deletes_is_quiet() {
        let rule = "destructive-selection-changed".to_string();
        let old = "find \"$LOGS\" -mtime +30 -delete\n";
        let narrowed =
            "find \"$LOGS\" -mindepth 1 -type f -name '*.log' -mtime +30 -print -delete\n";
        assert!(!rules_hit("ops/cleanup.sh", Some(old), Some(narrowed)).contains(&rule));
        let empty_dirs = "find \"$LOGS\" -mindepth 1 -type d -empty -mtime +1 -delete\n";
        assert!(!rules_hit("ops/cleanup.sh", Some(old), Some(empty_dirs)).contains(&rule));
        // A shorter age, or no age at all, is another selection.
        let younger = "find \"$LOGS\" -type f -mtime +1 -delete\n";
        assert!(rules_hit("ops/cleanup.sh", Some(old), Some(younger)).contains(&rule));
        let any_age = "find \"$LOGS\" -type f -delete\n";
        assert!(rules_hit("ops/cleanup.sh", Some(old), Some(any_age)).contains(&rule));
    }

    #[test]
    fn a_make_variable_set_to_a_work_tree_path_is_a_fixed_selection() {
        let old = "VENV := .venv\n\nclean:\n\trm -rf build dist\n";
        let new = "VENV := .venv\n\nclean:\n\trm -rf build dist $(VENV)\n";
        let rule = "destructive-selection-changed".to_string();
        assert!(!rules_hit("Makefile", Some(old), Some(new)).contains(&rule));
        // The same variable taken from the caller's environment is not.
        let loose = new.replace("VENV := .venv", "VENV ?= $(HOME)/venvs/app");
        let old_loose = old.replace("VENV := .venv", "VENV ?= $(HOME)/venvs/app");
        assert!(rules_hit("Makefile", Some(&old_loose), Some(&loose)).contains(&rule));
    }

    #[test]
    fn a_dedupe_that_deletes_every_copy_is_found_and_one_that_keeps_one_is_not() {
        let sql = "DELETE FROM patient_contacts a\nUSING patient_contacts b\nWHERE lower(a.email) = lower(b.email)\n  AND a.id <> b.id;\n";
        let hit = rules_hit("db/migrations/0042_dedupe.sql", None, Some(sql));
        assert!(
            hit.contains(&"sql-dedupe-deletes-both".to_string()),
            "{hit:?}"
        );
        let keep = sql.replace("a.id <> b.id", "a.id < b.id");
        let hit = rules_hit("db/migrations/0042_dedupe.sql", None, Some(&keep));
        assert!(
            !hit.contains(&"sql-dedupe-deletes-both".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn a_cutoff_counted_the_other_way_from_now_is_found() {
        let rule = "time-window-sign-flipped".to_string();
        let old = "def purge():\n    cutoff = timezone.now() - timedelta(days=30)\n    User.objects.filter(deactivated_at__lt=cutoff).delete()\n";
        let flipped = old.replace(
            "timezone.now() - timedelta(days=30)",
            "timezone.now() + _retention()",
        );
        assert!(rules_hit("accounts/tasks.py", Some(old), Some(&flipped)).contains(&rule));
        let js_old = "const cutoff = Date.now() - RETENTION_MS;\n";
        let js_new = "const cutoff = Date.now() + RETENTION_MS;\n";
        assert!(rules_hit("jobs/purge.js", Some(js_old), Some(js_new)).contains(&rule));
        // The same direction, another amount: not this rule.
        let longer = old.replace("days=30", "days=90");
        assert!(!rules_hit("accounts/tasks.py", Some(old), Some(&longer)).contains(&rule));
    }

    #[test]
    fn removing_a_directory_the_script_made_with_mktemp_is_quiet() {
        let old = "WORK_DIR=/var/tmp/backup\nmkdir -p $WORK_DIR\nrm -rf $WORK_DIR/*\n";
        let new = "WORK_DIR=\"$(mktemp -d /var/tmp/backup.XXXXXX)\"\ncleanup() { rm -rf -- \"${WORK_DIR:?}\"; }\ntrap cleanup EXIT\n";
        let hit = crate::risk::testkit::rules_hit_with_contents("ops/backup.sh", old, new);
        assert!(
            !hit.contains(&"destructive-selection-changed".to_string()),
            "{hit:?}"
        );
        // The same directory assigned from an argument: still a finding.
        let from_arg = new.replace("$(mktemp -d /var/tmp/backup.XXXXXX)", "$1");
        let hit = crate::risk::testkit::rules_hit_with_contents("ops/backup.sh", old, &from_arg);
        assert!(
            hit.contains(&"destructive-selection-changed".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn an_edited_deleting_command_that_selects_something_else_is_found() {
        let script = |cmd: &str| format!("#!/bin/sh\nset -eu\nlog start\n{cmd}\nlog done\n");
        for (old, new) in [
            (
                r#"find "$DIR" -name 'app-*.dump' -mtime +"$DAYS" -delete"#,
                r#"n=$(find "$DIR" -name 'app-*.dump' -mmin +"$DAYS" -print -delete | wc -l)"#,
            ),
            (r#"rm -rf "$CACHE/tmp""#, r#"rm -rf "$CACHE"/"#),
            (
                "aws s3 rm s3://backups/daily/ --recursive",
                "aws s3 rm s3://backups/ --recursive",
            ),
            (
                "rsync -a --delete build/ /srv/www/app/",
                "rsync -a --delete build/ /srv/www/",
            ),
        ] {
            let hit = rules_hit("ops/prune.sh", Some(&script(old)), Some(&script(new)));
            assert!(
                hit.contains(&"destructive-selection-changed".to_string()),
                "{new}: {hit:?}"
            );
        }
        // Hardened or more talkative, deleting the same: quiet.
        for (old, new) in [
            ("rm -rf $TMP", r#"rm -rf "${TMP:?}""#),
            (
                "find /var/cache/app -mtime +7 -delete",
                "find /var/cache/app -mtime +7 -print -delete",
            ),
            ("rm -r build", "rm -rf build"),
            ("rm -rf dist/", "rm -rf dist/ coverage.out coverage.html"),
        ] {
            let hit = rules_hit("ops/prune.sh", Some(&script(old)), Some(&script(new)));
            assert!(
                !hit.contains(&"destructive-selection-changed".to_string()),
                "{new}: {hit:?}"
            );
        }
    }

    #[test]
    fn retention_cut_by_half_or_more_is_found() {
        let tf = |n: u32| {
            format!(
                "resource \"aws_db_instance\" \"main\" {{\n  backup_retention_period = {n}\n}}\n"
            )
        };
        assert!(
            rules_hit("infra/rds.tf", Some(&tf(14)), Some(&tf(1)))
                .contains(&"data-retention-shortened".to_string())
        );
        assert!(
            !rules_hit("infra/rds.tf", Some(&tf(14)), Some(&tf(10)))
                .contains(&"data-retention-shortened".to_string())
        );
        let yaml =
            |n: u32| format!("velero:\n  schedules:\n    daily:\n      retention_days: {n}\n");
        assert!(
            rules_hit(
                "deploy/velero/values-prod.yaml",
                Some(&yaml(30)),
                Some(&yaml(7))
            )
            .contains(&"data-retention-shortened".to_string())
        );
    }

    #[test]
    fn retention_lowered_in_a_module_variables_default_is_found() {
        let vars = |n: u32| {
            format!(
                "variable \"name\" {{\n  type = string\n}}\n\nvariable \"backup_retention_period\" {{\n  description = \"Days to keep automated backups.\"\n  type        = number\n  default     = {n}\n}}\n\nvariable \"port\" {{\n  default = 5432\n}}\n"
            )
        };
        let hit = |a: u32, b: u32| {
            crate::risk::testkit::rules_hit_with_contents(
                "infra/modules/rds/variables.tf",
                &vars(a),
                &vars(b),
            )
            .contains(&"data-retention-shortened".to_string())
        };
        assert!(hit(14, 1));
        assert!(!hit(7, 14), "a longer retention keeps more");
        let port = vars(14).replace("default = 5432", "default = 5433");
        assert!(
            !crate::risk::testkit::rules_hit_with_contents(
                "infra/modules/rds/variables.tf",
                &vars(14),
                &port
            )
            .contains(&"data-retention-shortened".to_string())
        );
    }

    #[test]
    fn retention_read_from_an_environment_default_is_compared_too() {
        let php = |n: u32| {
            format!(
                "<?php\nreturn [\n    'retention_days' => (int) env('AUDIT_RETENTION_DAYS', {n}),\n    'chunk' => 500,\n];\n"
            )
        };
        let hit = |old: u32, new: u32| {
            rules_hit("config/audit.php", Some(&php(old)), Some(&php(new)))
                .contains(&"data-retention-shortened".to_string())
        };
        assert!(hit(2555, 30));
        assert!(!hit(30, 2555), "a longer retention keeps more");
        assert!(!hit(90, 60), "a cut by less than half is a judgement call");
        let py = |n: u32| {
            format!("LOG_RETENTION_DAYS = int(os.getenv(\"LOG_RETENTION_DAYS\", \"{n}\"))\n")
        };
        assert!(
            rules_hit("app/settings.py", Some(&py(365)), Some(&py(14)))
                .contains(&"data-retention-shortened".to_string())
        );
    }

    #[test]
    fn a_model_relation_made_to_cascade_is_found() {
        let rule = "sql-cascade-delete-added".to_string();
        let model = |on: &str| {
            format!(
                "class Invoice(models.Model):\n    customer = models.ForeignKey(Customer, on_delete=models.{on}, related_name=\"invoices\")\n    total = models.DecimalField(max_digits=12, decimal_places=2)\n"
            )
        };
        let hit = rules_hit(
            "billing/models.py",
            Some(&model("PROTECT")),
            Some(&model("CASCADE")),
        );
        assert!(hit.contains(&rule), "{hit:?}");
        // A new model with a cascading relation, or one that was cascading already.
        let hit = rules_hit("billing/models.py", None, Some(&model("CASCADE")));
        assert!(!hit.contains(&rule), "{hit:?}");
        let hit = rules_hit(
            "billing/models.py",
            Some(&model("CASCADE")),
            Some(&model("CASCADE").replace("invoices", "customer_invoices")),
        );
        assert!(!hit.contains(&rule), "{hit:?}");
        // The Django migration that alters the field says the same; one that
        // adds a new field does not.
        let alter = "from django.db import migrations, models\nimport django.db.models.deletion\n\nclass Migration(migrations.Migration):\n    operations = [\n        migrations.AlterField(\n            model_name=\"invoice\",\n            name=\"customer\",\n            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to=\"billing.customer\"),\n        ),\n    ]\n";
        let hit = rules_hit("billing/migrations/0042_cascade.py", None, Some(alter));
        assert!(hit.contains(&rule), "{hit:?}");
        let add = alter.replace("AlterField", "AddField");
        let hit = rules_hit("billing/migrations/0042_cascade.py", None, Some(&add));
        assert!(!hit.contains(&rule), "{hit:?}");
    }

    #[test]
    fn a_cascade_added_to_an_existing_foreign_key_is_found() {
        let alter = "ALTER TABLE invoices DROP CONSTRAINT invoices_customer_id_fkey;\nALTER TABLE invoices ADD CONSTRAINT invoices_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers(id) ON DELETE CASCADE;\n";
        let hit = rules_hit("db/migrations/0090_fk.sql", None, Some(alter));
        assert!(
            hit.contains(&"sql-cascade-delete-added".to_string()),
            "{hit:?}"
        );
        let create = "CREATE TABLE notes (\n  id bigserial primary key,\n  invoice_id bigint REFERENCES invoices(id) ON DELETE CASCADE\n);\n";
        let hit = rules_hit("db/migrations/0091_notes.sql", None, Some(create));
        assert!(
            !hit.contains(&"sql-cascade-delete-added".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn a_join_condition_ored_into_a_delete_or_update_is_found() {
        let bad = [
            "DELETE FROM payment_methods pm USING customers c WHERE pm.customer_id = c.id OR (c.status = 'closed' AND c.closed_at < now());",
            "WITH gone AS (DELETE FROM carts ca USING users u WHERE u.deleted AND ca.expired OR ca.user_id = u.id RETURNING ca.id) SELECT count(*) FROM gone;",
            "UPDATE orders o SET status = 'void' FROM accounts a WHERE o.account_id = a.id OR a.closed;",
        ];
        for sql in bad {
            let hit = rules_hit("db/migrations/0042_purge.sql", None, Some(sql));
            assert!(hit.contains(&"sql-join-ored".to_string()), "{sql}: {hit:?}");
        }
        // Text outside ASCII in the clause (a comment, a name) is read, not sliced.
        let accented = "DELETE FROM clientèle cl USING comptes co WHERE cl.compte_id = co.id OR co.état = 'fermé';";
        let hit = rules_hit("db/migrations/0043_purge.sql", None, Some(accented));
        assert!(hit.contains(&"sql-join-ored".to_string()), "{hit:?}");
        let fine = [
            "DELETE FROM payment_methods pm USING customers c WHERE pm.customer_id = c.id AND (c.status = 'closed' OR c.closed_at < now());",
            "DELETE FROM sessions WHERE expires_at < now() OR revoked;",
        ];
        for sql in fine {
            let hit = rules_hit("db/migrations/0042_purge.sql", None, Some(sql));
            assert!(
                !hit.contains(&"sql-join-ored".to_string()),
                "{sql}: {hit:?}"
            );
        }
    }

    #[test]
    fn a_retention_variable_folded_into_a_map_with_a_fallback_of_zero_is_found() {
        use crate::risk::testkit::findings_of_change;
        let vars_old =
            "variable \"backup_retention_days\" {\n  type    = number\n  default = 14\n}\n";
        let vars_new = "variable \"backup\" {\n  type    = map(string)\n  default = {}\n}\n";
        let main_old = "resource \"aws_db_instance\" \"this\" {\n  backup_retention_period = var.backup_retention_days\n}\n";
        let main_new = |fallback: &str| {
            format!(
                "locals {{\n  backup_retention_days = tonumber(lookup(var.backup, \"retention_days\", {fallback}))\n}}\n\nresource \"aws_db_instance\" \"this\" {{\n  backup_retention_period = local.backup_retention_days\n}}\n"
            )
        };
        let cut = |fallback: &str| {
            findings_of_change(
                &[
                    ("modules/db/variables.tf", Some(vars_old), Some(vars_new)),
                    (
                        "modules/db/main.tf",
                        Some(main_old),
                        Some(&main_new(fallback)),
                    ),
                ],
                None,
            )
            .iter()
            .any(|f| f.rule == "data-retention-shortened")
        };
        assert!(cut("0"));
        assert!(cut("3"));
        assert!(!cut("14"));
    }
}
