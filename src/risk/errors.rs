//! Error handling that hides failure: empty `catch` blocks, `except: pass`,
//! `let _ =` on a fallible call, `unwrap_or_default()` and friends, Go errors
//! assigned to `_` or dropped, and catches broadened to catch everything. On
//! critical paths these become high (see `findings`).

use std::sync::LazyLock;

use regex::Regex;

use super::lang::Lang;
use super::{FileView, Finding, Severity, quote};

static EMPTY_CATCH_ONE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bcatch\s*(\([^)]*\))?\s*\{\s*(//[^\n]*)?\}|rescue(\s+\S+)?\s*(=>\s*\w+)?\s*;\s*end\b|\brescue\s+nil\b|rescue\s*=>\s*\w+\s*$|\.catch\(\s*\(\s*\w*\s*\)\s*=>\s*(\{\s*\}|null|undefined)\s*\)|\.catch\(\s*\(\)\s*=>\s*\{\s*\}\s*\)|except(\s+[\w.]+)?(\s+as\s+\w+)?\s*:\s*pass\b|on\s+error\s+resume\s+next|@\$\w+\s*=|\bcatch\s*\(\s*\.\.\.\s*\)\s*\{\s*\}")
        .unwrap()
});
static CATCH_OPEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\bcatch\s*(\([^)]*\))?\s*\{\s*$|^\s*except(\s+[\w.,() ]+)?(\s+as\s+\w+)?\s*:\s*$|^\s*rescue\b.*$)").unwrap()
});
static BROAD_CATCH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(^\s*except\s*:|except\s+(Exception|BaseException)\b|catch\s*\(\s*(final\s+)?(Exception|Throwable|RuntimeException|Error|std::exception|\.\.\.)\b|catch\s*\(\s*(Exception|Throwable)\s+\w+\s*\)|rescue\s+(Exception|StandardError)\b|catch\s*\{)").unwrap()
});
static RUST_SWALLOW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\blet\s+_\s*=\s*[\w:.&*]+.*\([^;]*\)\s*;|\.unwrap_or_default\(\)|\.ok\(\)\s*;|\.unwrap_or\(\s*(\(\)|false|0|None|String::new\(\)|Vec::new\(\))\s*\)|\.unwrap_or_else\(\s*\|_\|\s*(\(\)|\{\s*\}|Default::default\(\))\s*\))").unwrap()
});
static GO_SWALLOW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(^\s*_\s*=\s*\w[\w.]*\(|,\s*_\s*:?=\s*\w[\w.]*\(|^\s*_\s*,\s*_\s*=|if\s+err\s*!=\s*nil\s*\{\s*\}|if\s+err\s*!=\s*nil\s*\{\s*return\s+nil\s*\})").unwrap()
});
static RESULTY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(write|send|save|commit|flush|delete|remove|insert|update|exec|persist|publish|charge|refund|sync|lock|unlock|transfer|pay|rollback|create|store|put|post|fsync|set_permissions|kill|notify)").unwrap()
});
static PY_PASS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(pass|\.\.\.|return\s*(None)?|continue)\s*$").unwrap());

fn swallowed(f: &FileView<'_>, out: &mut Vec<Finding>, no: u32, what: &str) {
    out.push(Finding::added(
        "err-swallowed",
        Severity::Medium,
        f.path,
        Some(no),
        format!("Swallows an error ({what}): when this fails, nothing is logged or returned and the caller carries on as if it worked."),
    ));
}

/// Error-handling rules for one file.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !f.class.production() {
        return;
    }
    let added = &f.added;
    for l in added {
        if f.class.is_comment(l.text) || f.test_line(l.no) {
            continue;
        }
        if let Some(m) = EMPTY_CATCH_ONE_LINE.find(l.text) {
            swallowed(f, out, l.no, &quote(m.as_str()));
            continue;
        }
        // A handler opened on this line whose next added line closes it or passes.
        if CATCH_OPEN.is_match(l.text)
            && let Some(next) = f.new_lines.get(&(l.no + 1))
        {
            let n = next.trim();
            let closes = n == "}" || n == "};" || n == "})" || n == "end";
            let passes = f.class.lang == Lang::Python && PY_PASS.is_match(next);
            let ruby_nil = f.class.lang == Lang::Ruby && (n == "nil" || n == "end");
            if closes || passes || ruby_nil {
                swallowed(f, out, l.no, &quote(l.text));
                continue;
            }
        }
        match f.class.lang {
            Lang::Rust => {
                if let Some(m) = RUST_SWALLOW.find(l.text) {
                    let s = m.as_str();
                    if s.starts_with("let _") && (!RESULTY.is_match(s) || s.contains("fs::remove"))
                    {
                        continue;
                    }
                    if s.starts_with(".ok()") && !RESULTY.is_match(l.text) {
                        continue;
                    }
                    swallowed(f, out, l.no, &quote(s));
                }
            }
            Lang::Go => {
                if let Some(m) = GO_SWALLOW.find(l.text)
                    && (m.as_str().contains("err") || RESULTY.is_match(l.text))
                {
                    swallowed(f, out, l.no, &quote(l.text));
                }
            }
            _ => {}
        }
    }
    // Go: error checks removed and not put back (the call now runs unchecked).
    // A deleted file's checks went with everything they guarded.
    if f.class.lang == Lang::Go && !f.deleted() {
        let checks = |ls: &mut dyn Iterator<Item = &super::Line<'_>>| {
            ls.filter(|l| l.text.contains("err != nil")).count()
        };
        let removed = checks(&mut f.removed_code());
        let added = checks(&mut f.added_code());
        if removed > added
            && let Some(l) = f.removed_code().find(|l| l.text.contains("err != nil"))
        {
            out.push(Finding::removed(
                "err-check-removed",
                Severity::Medium,
                f.path,
                Some(l.no),
                format!(
                    "Removes {} error check{} ({}) and does not add {} back: failures now pass silently.",
                    removed - added,
                    if removed - added == 1 { "" } else { "s" },
                    quote(l.text),
                    if removed - added == 1 { "it" } else { "them" }
                ),
            ));
        }
    }
    // Broadened catches: a catch-all added where a narrower one was removed.
    let removed_broad = f.removed.iter().any(|l| BROAD_CATCH.is_match(l.text));
    let removed_narrow = f
        .removed
        .iter()
        .any(|l| CATCH_OPEN.is_match(l.text) && !BROAD_CATCH.is_match(l.text));
    if removed_narrow
        && !removed_broad
        && let Some(l) = f.added_code().find(|l| BROAD_CATCH.is_match(l.text))
    {
        out.push(Finding::added(
                "err-broadened-catch",
                Severity::Medium,
                f.path,
                Some(l.no),
                format!("Widens an error handler to catch everything ({}): failures it was never meant to handle are now hidden too.", quote(l.text)),
            ));
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit;

    #[test]
    fn swallowed_errors_in_code_but_not_in_inline_tests() {
        let old = "fn save(db: &Db) -> Result<()> {\n    db.commit()?;\n    Ok(())\n}\n";
        let new = "fn save(db: &Db) -> Result<()> {\n    let _ = db.commit();\n    Ok(())\n}\n";
        assert_eq!(
            rules_hit("src/store.rs", Some(old), Some(new)),
            vec!["err-swallowed"]
        );
        let with_tests = format!("{old}\n#[cfg(test)]\nmod tests {{\n    fn t() {{\n    }}\n}}\n");
        let new_tests = with_tests.replace(
            "    fn t() {\n",
            "    fn t() {\n        let _ = db().commit();\n",
        );
        assert!(rules_hit("src/store.rs", Some(&with_tests), Some(&new_tests)).is_empty());
        let py_old = "def f():\n    try:\n        send()\n    except TimeoutError:\n        log.warning('late')\n";
        let py_new = "def f():\n    try:\n        send()\n    except Exception:\n        pass\n";
        let hit = rules_hit("app/jobs.py", Some(py_old), Some(py_new));
        assert!(hit.contains(&"err-swallowed".to_string()), "{hit:?}");
    }
}
