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

/// An `if` that tests whether a check failed: `if err := v.validateClaims(c);
/// err != nil`, `if not verify_signature(body, sig):`, `if (!isValid(token))`.
static CHECK_FAILED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:\}\s*else\s+)?(?:if|unless)\b.*\b((?:validate|verify|check|authori[sz]e|authenticate|is_?valid|is_?authori[sz]ed|validate_?\w+|verify_?\w+|check_?(?:signature|token|claims|permission|access)\w*)\w*)\s*\(").unwrap()
});
/// A failure test on the same line: an error, a false, a not.
static FAILURE_TEST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(err\s*!=\s*nil|!\s*\w[\w.]*\s*\(|\bnot\s+\w|\bunless\b|==\s*false|is\s+False|!ok\b|\.is_err\(\)|\bErr\(|!\s*\()").unwrap()
});
/// What stops the request in a branch.
static STOPS_HERE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(return|raise|throw|abort|exit|panic|die|halt|deny|reject|forbid\w*|unauthori[sz]ed|redirect_to|render|head\s+:|next\s*\(\s*\w+|http\.Error|WriteHeader|status\s*\(\s*4\d\d|40[13]|continue|break|fail\w*|fatal\w*|Exit)\b").unwrap()
});
static LOG_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(log|logger|slog|logging|console|warn|warning|print|println|printf|Sentry|metrics|_logger|Log)\w*\s*[.(]").unwrap()
});

/// A catch-all opened on a line: Python's `except Exception:` or bare
/// `except:`, JavaScript's `catch (e) {` / `catch {`.
static BROAD_OPEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(except\s*:|except\s+\(?\s*(Exception|BaseException)\b[^:]*:|\}?\s*catch\s*(\(\s*\w+\s*(:\s*(unknown|any))?\s*\))?\s*\{)\s*(#.*|//.*)?$").unwrap()
});
/// A loop header.
static LOOP_HEAD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*((async\s+)?for\b|while\b|\w[\w.]*\.forEach\s*\()").unwrap());
/// A failure remembered in a collection: `failed.append(table)`,
/// `errors.push(e)`, `failures += 1`.
static COLLECTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^\s*(?:self\.|this\.)?(\w+)\s*(?:\.\s*(?:append|push|add|extend)\s*\(|\+=\s*(?:1\b|\[))",
    )
    .unwrap()
});
/// What makes a remembered failure fail the run after all.
static FAILS_RUN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(raise|throw|sys\.exit|process\.exit|exit\s*\(|abort|fail\w*\s*\(|AirflowException|reject\s*\()").unwrap()
});

/// A catch-all added inside a loop that only remembers the failure, in a
/// function whose loop had none: one item's failure used to fail the run
/// (a task, a job, a load), and now the run goes on and ends green with the
/// failures only logged — what runs after it (a report, a publish) uses
/// partial data and nobody is paged.
fn failures_collected_not_raised(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !matches!(f.class.lang, Lang::Python | Lang::JavaScript) {
        return;
    }
    if !f.added_code().any(|l| BROAD_OPEN.is_match(l.text)) {
        return;
    }
    let (Some(old), Some(new)) = (f.old_text(), f.new_text()) else {
        return;
    };
    if old.lines().any(|l| BROAD_OPEN.is_match(l)) {
        return;
    }
    let lines: Vec<&str> = new.lines().collect();
    for l in f.added_code() {
        if !BROAD_OPEN.is_match(l.text) {
            continue;
        }
        let at = l.no as usize - 1;
        let own = indent(l.text);
        // Inside a loop: a less indented loop header above.
        let Some(head) = (0..at)
            .rev()
            .map(|i| lines[i])
            .filter(|x| !x.trim().is_empty() && indent(x) < own)
            .take(4)
            .find(|x| LOOP_HEAD.is_match(x))
        else {
            continue;
        };
        let loop_indent = indent(head);
        // The handler's body: more indented than the handler line.
        let body: Vec<&str> = lines[at + 1..]
            .iter()
            .take_while(|x| x.trim().is_empty() || indent(x) > own)
            .copied()
            .collect();
        if body
            .iter()
            .any(|x| FAILS_RUN.is_match(x) || x.trim_start().starts_with("return"))
        {
            continue;
        }
        let Some(name) = body
            .iter()
            .find_map(|x| COLLECTED.captures(x).map(|c| c[1].to_string()))
        else {
            continue;
        };
        // After the loop, in the same function: the remembered failures make
        // nothing fail.
        let after: Vec<&str> = lines[at + 1 + body.len()..]
            .iter()
            .skip_while(|x| x.trim().is_empty() || indent(x) > loop_indent)
            .take_while(|x| x.trim().is_empty() || indent(x) >= loop_indent)
            .take(40)
            .copied()
            .collect();
        let Ok(mention) = Regex::new(&format!(r"\b{}\b", regex::escape(&name))) else {
            continue;
        };
        let mut failed_after = false;
        for (i, x) in after.iter().enumerate() {
            if !mention.is_match(x) {
                continue;
            }
            // The line and the block it opens (`if failed:` and its body).
            let block = after[i + 1..]
                .iter()
                .take_while(|y| y.trim().is_empty() || indent(y) > indent(x))
                .take(12);
            if FAILS_RUN.is_match(x) || block.clone().any(|y| FAILS_RUN.is_match(y)) {
                failed_after = true;
                break;
            }
            // Handed back to the caller, who may fail on it.
            if x.trim_start().starts_with("return") {
                failed_after = true;
                break;
            }
        }
        if failed_after {
            continue;
        }
        out.push(Finding::added(
            "err-swallowed",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "`{}` now catches every failure inside the loop and only remembers it in `{}`: where one failure used to fail the run, the run now finishes as a success with work missing, and nothing after it (a report, a publish, an alert) knows.",
                quote(l.text.trim()),
                quote(&name)
            ),
        ));
        return;
    }
}

/// A check whose failure the change only logs: the branch taken when
/// validation or verification fails writes a warning and lets the request
/// carry on.
fn check_failure_logged(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let added: Vec<_> = f.added_code().collect();
    for l in &added {
        let Some(c) = CHECK_FAILED.captures(l.text) else {
            continue;
        };
        // A one-line `if …: return` stops on its own line.
        if !FAILURE_TEST.is_match(l.text)
            || STOPS_HERE.is_match(&l.text[c.get(1).map_or(0, |m| m.end())..])
        {
            continue;
        }
        let indent = l.text.len() - l.text.trim_start().len();
        // The branch: the lines right below, deeper than the `if`, until it
        // closes; the ones the change kept count too (a `return` it left in
        // place still stops).
        let mut branch: Vec<&str> = Vec::new();
        for no in l.no + 1.. {
            let Some(text) = f.new_lines.get(&no).copied() else {
                break;
            };
            let t = text.trim_start();
            if t.is_empty() {
                continue;
            }
            if text.len() - t.len() <= indent {
                break;
            }
            branch.push(text);
        }
        if branch.is_empty() || branch.len() > 8 {
            continue;
        }
        let logs = branch.iter().any(|t| LOG_CALL.is_match(t));
        let stops = branch.iter().any(|t| STOPS_HERE.is_match(t));
        if !logs || stops {
            continue;
        }
        out.push(Finding::added(
            "logic-check-failure-logged",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "When `{}` fails, this only logs it and carries on (`{}`): whatever it rejects is let through.",
                quote(c.get(1).map_or("", |m| m.as_str())),
                quote(l.text.trim())
            ),
        ));
        return;
    }
}

/// A line's indentation, in characters.
fn indent(l: &str) -> usize {
    l.len() - l.trim_start().len()
}

/// The `if` blocks of a Go text: the condition line with the statement
/// before it (`claims, err := v.Verify(r)` / `if err != nil {`: one
/// `err != nil` is not another), its line number, and whether the block
/// leaves (`return`, `panic`, `continue`, `break`, `os.Exit`, `log.Fatal`)
/// before it closes.
fn go_if_blocks(text: &str) -> Vec<(String, u32, bool)> {
    static LEAVES: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^\s*(return\b|panic\(|continue\b|break\b|goto\b|os\.Exit\(|log\.Fatal|\w+\.Fatal)",
        )
        .unwrap()
    });
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim();
        if !(t.starts_with("if ") && t.ends_with('{')) {
            continue;
        }
        let own = indent(l);
        let body = lines[i + 1..]
            .iter()
            .take_while(|b| !(indent(b) == own && b.trim_start().starts_with('}')));
        let leaves = body
            .filter(|b| indent(b) == own + 1 || indent(b) > own && b.starts_with(' '))
            .any(|b| LEAVES.is_match(b));
        let before = lines[..i]
            .iter()
            .rev()
            .find(|b| !b.trim().is_empty())
            .map_or("", |b| b.trim());
        out.push((format!("{before}\n{t}"), i as u32 + 1, leaves));
    }
    out
}

/// A Go block that answered a failure and returned, now answering it
/// without returning (`http.Error(…); return` folded into a `reject(…)`
/// helper, the `return` lost): the handler writes the error and carries
/// on, into `next.ServeHTTP` or the work the failure should have stopped.
fn answer_no_longer_returns(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let (Some(old), Some(new)) = (f.old_text(), f.new_text()) else {
        return;
    };
    let before = go_if_blocks(old);
    let new_lines: Vec<&str> = new.lines().collect();
    for (cond, no, leaves) in go_if_blocks(new) {
        if leaves || !before.iter().any(|(c, _, l)| *c == cond && *l) {
            continue;
        }
        // The block was changed, and more follows it in the function.
        let own = indent(new_lines[(no - 1) as usize]);
        let end = new_lines[no as usize..]
            .iter()
            .position(|b| indent(b) == own && b.trim_start().starts_with('}'))
            .map_or(new_lines.len() as u32, |i| no + 1 + i as u32);
        if !f.added.iter().any(|l| l.no > no && l.no < end) {
            continue;
        }
        // It answers the failure (writes a response); a block that now only
        // logs is the error-path rule's business.
        static ANSWERS: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"(\(\s*w\s*,|http\.Error\(|WriteHeader\(|\.(JSON|String|Abort\w*)\(|\b(reject|respond|write_?[Ee]rror|render_?[Ee]rror|send_?[Ee]rror|fail)\w*\()").unwrap()
        });
        let answers = new_lines[no as usize..(end as usize).saturating_sub(1).max(no as usize)]
            .iter()
            .any(|b| ANSWERS.is_match(b));
        if !answers {
            continue;
        }
        let more = new_lines
            .get(end as usize..)
            .and_then(|rest| rest.iter().find(|b| !b.trim().is_empty()))
            .is_some_and(|b| indent(b) == own && !b.trim_start().starts_with('}'));
        if !more {
            continue;
        }
        out.push(Finding::added(
            "err-answer-no-return",
            Severity::High,
            f.path,
            Some(no),
            format!(
                "The block `{}` answered the failure and returned; now it answers and carries on: what follows (the next handler, the work the failure should stop) runs anyway.",
                quote(cond.rsplit('\n').next().unwrap_or(&cond))
            ),
        ));
        return;
    }
}

/// Error-handling rules for one file.
/// An Express-style error handler's parameter list: four parameters, the
/// first the error (`(err, req, res, next)`, typed or not).
static ERROR_HANDLER_4: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\(\s*_?err\w*\s*(?::\s*[\w<>|]+\s*)?,\s*_?req\w*\s*(?::\s*[\w<>]+\s*)?,\s*_?res\w*\s*(?::\s*[\w<>]+\s*)?,\s*_?next\w*\s*(?::\s*[\w<>]+\s*)?\)").unwrap()
});
static ERROR_HANDLER_3: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\(\s*_?err\w*\s*(?::\s*[\w<>|]+\s*)?,\s*_?req\w*\s*(?::\s*[\w<>]+\s*)?,\s*_?res\w*\s*(?::\s*[\w<>]+\s*)?\)").unwrap()
});

/// An Express error handler that lost its fourth parameter (a lint fix that
/// drops the unused `next`): Express tells error handlers from other
/// middleware by their four parameters, so with three it is never called
/// for an error, and errors reach the default handler (a stack trace in
/// development, a bare 500 with no logging of ours).
fn error_handler_arity(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.lang != Lang::JavaScript || f.class.test_like() {
        return;
    }
    if !f.removed.iter().any(|l| ERROR_HANDLER_4.is_match(l.text))
        || f.added.iter().any(|l| ERROR_HANDLER_4.is_match(l.text))
    {
        return;
    }
    if let Some(l) = f.added_code().find(|l| ERROR_HANDLER_3.is_match(l.text)) {
        out.push(Finding::added(
            "error-handler-not-registered",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "An error handler now takes three parameters (`{}`): Express recognises error handlers by their four, so this one is never called for an error and failures go to the default handler.",
                quote(l.text.trim())
            ),
        ));
    }
}

pub fn check(f: &FileView<'_>, change: &super::ChangeView<'_>, out: &mut Vec<Finding>) {
    error_handler_arity(f, out);
    if !f.class.production() {
        return;
    }
    check_failure_logged(f, out);
    failures_collected_not_raised(f, out);
    if f.class.lang == Lang::Go {
        answer_no_longer_returns(f, out);
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
        // An authorization check's error (`if err := authz.CheckPerm(…); err
        // != nil`) is the security rules' to judge: they know where it moved.
        // Other errors handed back past one that is expected (`if
        // !errors.Is(err, ErrNotFound) { return err }`) are checked too.
        let error_check = |t: &str| {
            (t.contains("err != nil") || t.contains("!errors.Is(err"))
                && !super::security::names_auth_check(t)
        };
        let checks = |ls: &mut dyn Iterator<Item = &super::Line<'_>>| {
            ls.filter(|l| error_check(l.text)).count()
        };
        // Checks inside a function the change deletes went with the code
        // they guarded: nothing runs unchecked.
        let old_lines: Vec<&str> = f
            .old_text()
            .map(|t| t.lines().collect())
            .unwrap_or_default();
        let new_funcs: std::collections::HashSet<&str> = f
            .new_text()
            .map(|t| t.lines().filter_map(super::code::function_name).collect())
            .unwrap_or_default();
        let in_deleted_function = |no: u32| {
            !new_funcs.is_empty()
                && old_lines
                    .get(..(no as usize).min(old_lines.len()))
                    .and_then(|above| {
                        above
                            .iter()
                            .rev()
                            .find_map(|l| super::code::function_name(l))
                    })
                    .is_some_and(|name| !new_funcs.contains(name))
        };
        let removed = f
            .removed_code()
            .filter(|l| error_check(l.text) && !in_deleted_function(l.no))
            .count();
        // Checks that moved with their code into another Go file of the
        // change (a store, a repository) are still checks.
        let added = change
            .files
            .iter()
            .filter(|g| g.class.lang == Lang::Go && g.class.production())
            .map(|g| checks(&mut g.added_code()))
            .sum::<usize>()
            .saturating_sub(
                change
                    .files
                    .iter()
                    .filter(|g| {
                        g.path != f.path && g.class.lang == Lang::Go && g.class.production()
                    })
                    .map(|g| checks(&mut g.removed_code()))
                    .sum::<usize>(),
            );
        if removed > added
            && let Some(l) = f
                .removed_code()
                .find(|l| error_check(l.text) && !in_deleted_function(l.no))
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
    fn a_loop_that_now_only_remembers_its_failures_is_found() {
        use crate::risk::Severity;
        use crate::risk::testkit::findings_with_contents;
        let p = "dags/finance/ledger_load.py";
        let old = "def load_tables(ds, **_):\n    hook = Hook()\n    for table in TABLES:\n        merge(hook, table, ds)\n    log.info(\"done\")\n";
        let new = "def load_tables(ds, **_):\n    hook = Hook()\n    failed = []\n    for table in TABLES:\n        try:\n            merge(hook, table, ds)\n        except Exception:\n            log.exception(\"failed %s\", table)\n            failed.append(table)\n    if failed:\n        log.warning(\"finished with failures: %s\", failed)\n";
        let high = |new: &str| {
            findings_with_contents(p, old, new)
                .iter()
                .any(|x| x.rule == "err-swallowed" && x.severity == Severity::High)
        };
        assert!(high(new));
        // The failures fail the run at the end: every table is tried first.
        let raised = new.replace(
            "        log.warning(\"finished with failures: %s\", failed)\n",
            "        raise AirflowException(f\"failed: {failed}\")\n",
        );
        assert!(!high(&raised));
        // Handed back to the caller, who decides.
        let returned = new.replace(
            "    if failed:\n        log.warning(\"finished with failures: %s\", failed)\n",
            "    return failed\n",
        );
        assert!(!high(&returned));
        // JavaScript: the same loop with a catch that pushes.
        let js_old = "async function syncAll(accounts) {\n  for (const a of accounts) {\n    await sync(a);\n  }\n}\n";
        let js_new = "async function syncAll(accounts) {\n  const errors = [];\n  for (const a of accounts) {\n    try {\n      await sync(a);\n    } catch (err) {\n      logger.error(err);\n      errors.push(a.id);\n    }\n  }\n  logger.info(`synced with ${errors.length} errors`);\n}\n";
        assert!(
            findings_with_contents("src/jobs/sync.ts", js_old, js_new)
                .iter()
                .any(|x| x.rule == "err-swallowed" && x.severity == Severity::High)
        );
    }

    #[test]
    fn an_express_error_handler_cut_to_three_parameters_is_found() {
        const RULE: &str = "error-handler-not-registered";
        let old = "export function errorHandler(err: unknown, req: Request, res: Response, next: NextFunction) {\n  log.error(err);\n  res.status(500).json({ error: \"internal\" });\n}\n";
        let three = old.replace(", next: NextFunction)", ")");
        assert!(
            rules_hit("src/middleware/errors.ts", Some(old), Some(&three))
                .contains(&RULE.to_string())
        );
        // The unused parameter renamed, the four kept: quiet.
        let kept = old.replace("next: NextFunction", "_next: NextFunction");
        assert!(
            !rules_hit("src/middleware/errors.ts", Some(old), Some(&kept))
                .contains(&RULE.to_string())
        );
        // A three-parameter callback that never was an error handler.
        let cb = "function onDone(err, req, res) {\n  done();\n}\n";
        assert!(
            !rules_hit("src/jobs.js", Some("// start\n"), Some(cb)).contains(&RULE.to_string())
        );
    }

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

#[cfg(test)]
mod check_failure_tests {
    use crate::risk::testkit::rules_hit;

    fn hit(path: &str, new: &str) -> bool {
        rules_hit(path, Some("\n"), Some(&format!("\n{new}")))
            .contains(&"logic-check-failure-logged".to_string())
    }

    #[test]
    fn a_stop_the_change_kept_below_a_new_check_still_stops() {
        let old = "func handle(env Envelope) {\n\tif env.Tenant == \"\" {\n\t\tlog.Warn(\"no tenant\")\n\t\tmsg.Term()\n\t\treturn\n\t}\n\tapply(env)\n}\n";
        let new = "func handle(env Envelope) {\n\tif err := validateEnvelope(env); err != nil {\n\t\tlog.Warn(\"rejecting\", \"err\", err)\n\t\tmsg.Term()\n\t\treturn\n\t}\n\tapply(env)\n}\n";
        let hit = rules_hit("internal/orders/consumer.go", Some(old), Some(new));
        assert!(
            !hit.contains(&"logic-check-failure-logged".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn a_failed_validation_that_is_only_logged_is_found() {
        assert!(hit(
            "internal/auth/middleware.go",
            "\t\tif err := v.validateClaims(claims); err != nil {\n\t\t\tslog.WarnContext(r.Context(), \"token claims invalid\", \"err\", err)\n\t\t}\n\t\tnext.ServeHTTP(w, r)\n"
        ));
        assert!(hit(
            "app/webhooks.py",
            "    if not verify_signature(body, sig):\n        logger.warning(\"bad signature from %s\", ip)\n    process(body)\n"
        ));
    }

    #[test]
    fn a_failed_validation_that_still_stops_is_quiet() {
        assert!(!hit(
            "internal/auth/middleware.go",
            "\t\tif err := v.validateClaims(claims); err != nil {\n\t\t\tslog.WarnContext(r.Context(), \"token claims invalid\", \"err\", err)\n\t\t\thttp.Error(w, \"unauthorized\", 401)\n\t\t\treturn\n\t\t}\n"
        ));
        assert!(!hit(
            "app/webhooks.py",
            "    if not verify_signature(body, sig):\n        logger.warning(\"bad signature\")\n        raise PermissionDenied()\n"
        ));
        // Logging a check that passed is not a failure let through.
        assert!(!hit(
            "app/webhooks.py",
            "    if verify_signature(body, sig):\n        logger.info(\"signature ok\")\n"
        ));
    }
}

#[cfg(test)]
mod moved_error_check_tests {
    use crate::risk::testkit::findings_for_change;

    #[test]
    fn error_checks_of_a_deleted_function_went_with_it() {
        use crate::risk::testkit::findings_of_change;
        let old = "package tax\n\nfunc (t *Calc) For(c Cart) (int64, error) {\n\tif t.flags.On(\"per_line\") {\n\t\treturn t.perLine(c)\n\t}\n\treturn t.legacy(c)\n}\n\nfunc (t *Calc) perLine(c Cart) (int64, error) {\n\tvar sum int64\n\tfor _, l := range c.Lines {\n\t\tr, err := t.rates.For(l.Category)\n\t\tif err != nil {\n\t\t\treturn 0, err\n\t\t}\n\t\tsum += l.Cents * r / 100\n\t}\n\treturn sum, nil\n}\n\nfunc (t *Calc) legacy(c Cart) (int64, error) {\n\tr, err := t.rates.For(\"standard\")\n\tif err != nil {\n\t\treturn 0, err\n\t}\n\treturn c.Total() * r / 100, nil\n}\n";
        let rules = |new: &str| -> Vec<String> {
            findings_of_change(&[("internal/tax/calc.go", Some(old), Some(new))], None)
                .into_iter()
                .map(|f| f.rule)
                .collect()
        };
        let retired = old
            .replace("\tif t.flags.On(\"per_line\") {\n\t\treturn t.perLine(c)\n\t}\n\treturn t.legacy(c)\n", "\treturn t.perLine(c)\n")
            .replace("\n\nfunc (t *Calc) legacy(c Cart) (int64, error) {\n\tr, err := t.rates.For(\"standard\")\n\tif err != nil {\n\t\treturn 0, err\n\t}\n\treturn c.Total() * r / 100, nil\n}\n", "\n");
        assert!(
            !rules(&retired).contains(&"err-check-removed".to_string()),
            "{:?}",
            rules(&retired)
        );
        // The same check dropped from a function that stays is reported.
        let unchecked = old.replace("\t\tr, err := t.rates.For(l.Category)\n\t\tif err != nil {\n\t\t\treturn 0, err\n\t\t}\n", "\t\tr, _ := t.rates.For(l.Category)\n");
        assert!(
            rules(&unchecked).contains(&"err-check-removed".to_string()),
            "{:?}",
            rules(&unchecked)
        );
    }

    #[test]
    fn error_checks_that_move_with_their_query_into_a_store_are_kept() {
        let old = "func logout(w http.ResponseWriter, r *http.Request) {\n\t_, err := db.Exec(\"DELETE FROM sessions WHERE id = $1\", id)\n\tif err != nil {\n\t\thttp.Error(w, \"failed\", 500)\n\t\treturn\n\t}\n}\n";
        let new = "func logout(w http.ResponseWriter, r *http.Request) {\n\tstore.Delete(id)\n}\n";
        let store = "func (s *Store) Delete(id string) error {\n\t_, err := s.db.Exec(\"DELETE FROM sessions WHERE id = $1\", id)\n\tif err != nil {\n\t\treturn err\n\t}\n\treturn nil\n}\n";
        let rules = |files: &[(&str, &str, &str)]| -> Vec<String> {
            findings_for_change(files)
                .into_iter()
                .map(|f| f.rule)
                .collect()
        };
        let alone = rules(&[("internal/auth/handlers.go", old, new)]);
        assert!(
            alone.contains(&"err-check-removed".to_string()),
            "{alone:?}"
        );
        let moved = rules(&[
            ("internal/auth/handlers.go", old, new),
            ("internal/auth/store.go", "", store),
        ]);
        assert!(
            !moved.contains(&"err-check-removed".to_string()),
            "{moved:?}"
        );
    }
}

#[cfg(test)]
mod answer_tests {
    use crate::risk::testkit::rules_hit_with_contents;

    #[test]
    fn a_go_block_that_answers_a_failure_and_no_longer_returns_is_found() {
        let rule = "err-answer-no-return".to_string();
        let p = "internal/middleware/auth.go";
        let old = "func (a *Auth) Wrap(next http.Handler) http.Handler {\n\treturn http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {\n\t\tclaims, err := a.verifier.Verify(r)\n\t\tif err != nil {\n\t\t\ta.logger.Printf(\"rejected: %v\", err)\n\t\t\thttp.Error(w, \"unauthorized\", http.StatusUnauthorized)\n\t\t\treturn\n\t\t}\n\t\tnext.ServeHTTP(w, r.WithContext(withClaims(r.Context(), claims)))\n\t})\n}\n";
        let new = old.replace(
            "\t\t\ta.logger.Printf(\"rejected: %v\", err)\n\t\t\thttp.Error(w, \"unauthorized\", http.StatusUnauthorized)\n\t\t\treturn\n",
            "\t\t\ta.reject(w, r, err)\n",
        );
        assert!(rules_hit_with_contents(p, old, &new).contains(&rule));
        // The helper called, the return kept: quiet.
        let kept = old.replace(
            "\t\t\ta.logger.Printf(\"rejected: %v\", err)\n\t\t\thttp.Error(w, \"unauthorized\", http.StatusUnauthorized)\n",
            "\t\t\ta.reject(w, r, err)\n",
        );
        assert!(!rules_hit_with_contents(p, old, &kept).contains(&rule));
        // The block is the function's last statement: nothing follows it.
        let last_old = "func save(w http.ResponseWriter, err error) {\n\tif err != nil {\n\t\thttp.Error(w, \"failed\", 500)\n\t\treturn\n\t}\n}\n";
        let last_new = "func save(w http.ResponseWriter, err error) {\n\tif err != nil {\n\t\twriteError(w, err)\n\t}\n}\n";
        assert!(
            !rules_hit_with_contents("internal/api/save.go", last_old, last_new).contains(&rule)
        );
        // A new call whose error is logged: not an old block that lost its return.
        let added_call = old.replace(
            "\t\tnext.ServeHTTP",
            "\t\t_, err = a.audit.Record(r.Context(), claims)\n\t\tif err != nil {\n\t\t\ta.logger.Printf(\"audit: %v\", err)\n\t\t}\n\t\tnext.ServeHTTP",
        );
        assert!(!rules_hit_with_contents(p, old, &added_call).contains(&rule));
    }
}
