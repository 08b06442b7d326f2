//! Transactions a change makes commit what failed. Spring rolls a
//! `@Transactional` method back only when an exception leaves it: a
//! catch-all the change adds inside the method (to return a result object,
//! to log "in one place") turns every failure halfway through into a commit
//! of the half that ran, such as a debit without its credit. The method still
//! says `@Transactional`, so nothing about the change reads as dropping it.

use std::sync::LazyLock;

use regex::Regex;

use super::lang::Lang;
use super::{FileView, Finding, Severity, quote};

/// A catch of every failure (Java, Kotlin, Scala): `catch (RuntimeException
/// e)`, `catch (e: Exception)`, `catch { case e: Throwable =>`.
static CATCH_ALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bcatch\s*\(\s*(?:final\s+)?(?:(Exception|RuntimeException|Throwable|DataAccessException|PersistenceException)\s+\w+|\w+\s*:\s*(Exception|RuntimeException|Throwable))\s*\)").unwrap()
});
/// A transaction boundary that rolls back on exceptions only.
static TRANSACTIONAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*@(?:org\.springframework\.transaction\.annotation\.)?Transactional\b(.*)$")
        .unwrap()
});
/// What a catch block does that still rolls back.
static ROLLS_BACK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\bthrow\b|setRollbackOnly|\brollback\w*\s*\()").unwrap());

/// Any catch clause (Java, Kotlin, Scala).
static CATCH: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\bcatch\s*\(").unwrap());
/// A call that writes: to a repository, an entity, an account.
static WRITE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\.(save|saveAll|saveAndFlush|persist|merge|insert|update|delete|remove|debit|credit|withdraw|deposit|execute|executeUpdate|batchUpdate)\w*\s*\(").unwrap()
});

/// Whether the try block closed by the catch on line `no` writes something
/// and then makes another call, which may fail after the write.
fn writes_then_calls(lines: &[&str], no: u32) -> bool {
    let at = (no as usize).saturating_sub(1).min(lines.len());
    let Some(start) = lines[..at]
        .iter()
        .rposition(|l| l.trim_start().starts_with("try") && l.contains('{'))
    else {
        return false;
    };
    let body = &lines[start + 1..at];
    let Some(first_write) = body.iter().position(|l| WRITE.is_match(l)) else {
        return false;
    };
    body[first_write + 1..]
        .iter()
        .any(|l| l.contains('(') && !l.trim_start().starts_with("return"))
}

/// A catch-all the change adds inside a `@Transactional` method that does
/// not rethrow or mark the transaction for rollback; a transaction moved
/// onto a method only its own class calls.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !matches!(f.class.lang, Lang::Jvm) || !f.class.production() {
        return;
    }
    self_invoked(f, out);
    rollback_narrowed(f, out);
    let Some(text) = f.new_text() else {
        return;
    };
    let lines: Vec<&str> = text.lines().collect();
    // A catch of every failure, or of one thrown after the try block has
    // written something (`journal.save(…)` then `to.credit(…)`, which may
    // throw): either way what was written before the failure commits.
    // (A typed catch rewritten, `Exception` narrowed to `IdpException`,
    // catches less than before: not a new way to commit.)
    let rewritten = f.removed_code().any(|r| CATCH.is_match(r.text));
    let Some(catch) = f.added_code().find(|l| {
        CATCH_ALL.is_match(l.text)
            || !rewritten && CATCH.is_match(l.text) && writes_then_calls(&lines, l.no)
    }) else {
        return;
    };
    let at = (catch.no as usize).saturating_sub(1);
    if at >= lines.len() {
        return;
    }
    // The method the catch is in, and whether it (or its class) runs in a
    // read-write transaction.
    let Some(head) = lines[..at]
        .iter()
        .rposition(|l| super::code::starts_function(l))
    else {
        return;
    };
    let indent = |l: &str| l.len() - l.trim_start().len();
    let annotated = |from: usize, to: usize| {
        lines[from..to].iter().any(|l| {
            TRANSACTIONAL
                .captures(l)
                .is_some_and(|c| !c[1].contains("readOnly") && !c[1].contains("NOT_SUPPORTED"))
        })
    };
    let method = annotated(head.saturating_sub(6), head);
    let class = lines[..head].iter().enumerate().any(|(i, l)| {
        indent(l) < indent(lines[head])
            && TRANSACTIONAL
                .captures(l)
                .is_some_and(|c| !c[1].contains("readOnly"))
            && lines[i + 1..head]
                .iter()
                .any(|x| x.contains("class ") && indent(x) == indent(l))
    });
    if !method && !class {
        return;
    }
    // The catch block, up to its closing brace.
    let mut depth = 0i32;
    let mut block = Vec::new();
    for l in &lines[at..] {
        let after_catch = l.find("catch").map_or(*l, |i| &l[i..]);
        block.push(after_catch);
        depth += after_catch.matches('{').count() as i32 - after_catch.matches('}').count() as i32;
        if depth <= 0 && block.len() > 1 {
            break;
        }
    }
    if block.iter().any(|l| ROLLS_BACK.is_match(l)) {
        return;
    }
    let name = super::code::function_name(lines[head]).unwrap_or("this method");
    out.push(Finding::added(
        "db-transaction-commits-failure",
        Severity::High,
        f.path,
        Some(catch.no),
        format!(
            "`{}` runs in a transaction and now catches `{}` without rethrowing: the transaction rolls back only when an exception leaves the method, so a failure halfway commits the half that ran. Rethrow, or mark it rollback-only.",
            quote(name),
            quote(catch.text.trim().trim_start_matches('}').trim())
        ),
    ));
}

/// `@Transactional` added on a method that the class calls itself
/// (`return executeTransfer(cmd);` from `transfer`), or on a private one:
/// Spring's proxy sees only calls that come from outside the bean, so the
/// method runs with no transaction at all.
/// A `@Transactional` that no longer rolls back on checked exceptions
/// (`rollbackFor = Exception.class` dropped, `noRollbackFor` added) on a
/// method that declares one (`throws LedgerException`): Spring rolls back
/// only on unchecked ones, so when that exception is thrown after a write,
/// the write commits (a debit without its credit).
fn rollback_narrowed(f: &FileView<'_>, out: &mut Vec<Finding>) {
    static ROLLBACK_ALL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\brollback(For|On|ForClassName)\s*=").unwrap());
    static NO_ROLLBACK: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\bnoRollback(For|On|ForClassName)\s*=").unwrap());
    static THROWS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(\)\s*throws\s+([\w.]+(?:\s*,\s*[\w.]+)*)|@Throws\s*\(\s*([\w.]+)::class)")
            .unwrap()
    });
    let Some(text) = f.new_text() else { return };
    let lines: Vec<&str> = text.lines().collect();
    let dropped = f
        .removed_code()
        .any(|r| TRANSACTIONAL.is_match(r.text) && ROLLBACK_ALL.is_match(r.text));
    for l in f.added_code() {
        let Some(c) = TRANSACTIONAL.captures(l.text) else {
            continue;
        };
        let args = c.get(1).map_or("", |m| m.as_str());
        let narrowed = dropped && !ROLLBACK_ALL.is_match(args)
            || NO_ROLLBACK.is_match(args)
                && !f.removed_code().any(|r| NO_ROLLBACK.is_match(r.text));
        if !narrowed {
            continue;
        }
        // The method the annotation sits on, and what it declares it throws.
        let at = l.no as usize;
        let Some(thrown) = lines
            .iter()
            .skip(at.saturating_sub(2))
            .take(8)
            .find_map(|t| THROWS.captures(t))
            .and_then(|c| c.get(2).or(c.get(3)).map(|m| m.as_str().to_string()))
        else {
            continue;
        };
        let checked: Vec<&str> = thrown
            .split(',')
            .map(str::trim)
            .filter(|t| !t.ends_with("RuntimeException") && !t.ends_with("Error"))
            .collect();
        if checked.is_empty() {
            continue;
        }
        out.push(Finding::added(
            "db-transaction-rollback-narrowed",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "`{}` no longer rolls back on checked exceptions, and the method throws `{}`: Spring rolls back only on unchecked ones, so when it is thrown after a write, the write commits (a debit without its credit).",
                quote(l.text.trim()),
                quote(&checked.join(", "))
            ),
        ));
        return;
    }
}

fn self_invoked(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let Some(text) = f.new_text() else {
        return;
    };
    let lines: Vec<&str> = text.lines().collect();
    for a in f.added_code().filter(|l| {
        TRANSACTIONAL
            .captures(l.text)
            .is_some_and(|c| !c[1].contains("readOnly"))
    }) {
        // The method the annotation stands on: the next line that starts one.
        let at = a.no as usize;
        let Some(head) = lines
            .iter()
            .skip(at)
            .take(4)
            .find(|l| super::code::starts_function(l))
        else {
            continue;
        };
        let Some(name) = super::code::function_name(head) else {
            continue;
        };
        let private = head.trim_start().starts_with("private ");
        let call = format!("{name}(");
        let self_call = lines.iter().any(|l| {
            !super::code::starts_function(l)
                && l.contains(&call)
                && !l.contains(&format!(".{call}"))
                || l.contains(&format!("this.{call}"))
        });
        if !(private || self_call) {
            continue;
        }
        out.push(Finding::added(
            "db-transaction-bypassed",
            Severity::High,
            f.path,
            Some(a.no),
            format!(
                "`@Transactional` now stands on `{}`, {}: Spring applies it only to calls that come through the bean's proxy, so the method runs with no transaction and a failure halfway leaves the writes it made.",
                quote(name),
                if private {
                    "a private method"
                } else {
                    "which the class calls itself"
                }
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents;

    const RULE: &str = "db-transaction-commits-failure";

    fn service(body: &str, annotation: &str) -> String {
        format!(
            "package app;\n\n@Service\npublic class TransferService {{\n\n    {annotation}\n    public Result transfer(Command cmd) {{\n{body}    }}\n}}\n"
        )
    }

    #[test]
    fn a_transaction_moved_onto_a_method_the_class_calls_itself_is_found() {
        let rule = "db-transaction-bypassed".to_string();
        let old = "package app;\n\n@Service\npublic class TransferService {\n\n    @Transactional\n    public Result transfer(Command cmd) {\n        validate(cmd);\n        from.debit(cmd.amount());\n        return Result.ok();\n    }\n}\n";
        let moved = "package app;\n\n@Service\npublic class TransferService {\n\n    public Result transfer(Command cmd) {\n        validate(cmd);\n        return executeTransfer(cmd);\n    }\n\n    @Transactional\n    protected Result executeTransfer(Command cmd) {\n        from.debit(cmd.amount());\n        return Result.ok();\n    }\n}\n";
        let p = "src/main/java/app/TransferService.java";
        assert!(rules_hit_with_contents(p, old, moved).contains(&rule));
        // Called through another bean: the proxy applies.
        let other = moved.replace(
            "return executeTransfer(cmd);",
            "return executor.executeTransfer(cmd);",
        );
        assert!(!rules_hit_with_contents(p, old, &other).contains(&rule));
    }

    #[test]
    fn a_catch_all_inside_a_transactional_method_is_found() {
        let old = service(
            "        from.debit(cmd.amount());\n        to.credit(cmd.amount());\n        return Result.completed();\n",
            "@Transactional",
        );
        let new = service(
            "        try {\n            from.debit(cmd.amount());\n            to.credit(cmd.amount());\n            return Result.completed();\n        } catch (RuntimeException e) {\n            log.error(\"transfer failed\", e);\n            return Result.failed();\n        }\n",
            "@Transactional",
        );
        let p = "src/main/java/app/TransferService.java";
        let hit = rules_hit_with_contents(p, &old, &new);
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
        // Rethrown, or marked for rollback: the transaction still rolls back.
        let rethrown = new.replace("return Result.failed();", "throw new TransferFailed(e);");
        assert!(!rules_hit_with_contents(p, &old, &rethrown).contains(&RULE.to_string()));
        let marked = new.replace(
            "return Result.failed();",
            "TransactionAspectSupport.currentTransactionStatus().setRollbackOnly();\n            return Result.failed();",
        );
        assert!(!rules_hit_with_contents(p, &old, &marked).contains(&RULE.to_string()));
        // No transaction, or a read-only one: nothing half-written to commit.
        let plain = new.replace("@Transactional", "@Timed");
        let old_plain = old.replace("@Transactional", "@Timed");
        assert!(!rules_hit_with_contents(p, &old_plain, &plain).contains(&RULE.to_string()));
        let read_only = new.replace("@Transactional", "@Transactional(readOnly = true)");
        let old_ro = old.replace("@Transactional", "@Transactional(readOnly = true)");
        assert!(!rules_hit_with_contents(p, &old_ro, &read_only).contains(&RULE.to_string()));
    }

    #[test]
    fn a_domain_failure_caught_after_a_write_is_found() {
        let old = service(
            "        from.debit(cmd.amount());\n        journal.save(Entry.debit(cmd));\n        to.credit(cmd.amount());\n        return Result.completed();\n",
            "@Transactional",
        );
        let new = service(
            "        try {\n            from.debit(cmd.amount());\n            journal.save(Entry.debit(cmd));\n            to.credit(cmd.amount());\n            return Result.completed();\n        } catch (AccountFrozenException e) {\n            log.info(\"rejected\", e);\n            return Result.failed(e.getCode());\n        }\n",
            "@Transactional",
        );
        let p = "src/main/java/app/TransferService.java";
        let hit = rules_hit_with_contents(p, &old, &new);
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
        // The same failure caught around a lookup, before anything is written.
        let lookup = service(
            "        Account to;\n        try {\n            to = accounts.lockById(cmd.to());\n        } catch (AccountNotFoundException e) {\n            return Result.failed(e.getCode());\n        }\n        from.debit(cmd.amount());\n        to.credit(cmd.amount());\n        return Result.completed();\n",
            "@Transactional",
        );
        let hit = rules_hit_with_contents(p, &old, &lookup);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
    }
}
