//! A failure inside Express-style middleware that lets the request carry
//! on. A helper that wraps async middleware (`asyncMiddleware(fn)`) and, in
//! its catch, logs and calls `next()` without the error turns every check
//! that rejects by throwing (`throw new UnauthorizedError()` in
//! `authenticate`) into a pass: the request reaches the route handler. The
//! convention is `next(err)`, which hands the failure to the error handler.

use std::sync::LazyLock;

use regex::Regex;

use super::lang::Lang;
use super::{ChangeView, FileView, Finding, Severity};

/// The opening of a catch: `.catch((err) => {`, `catch (err) {`, `catch {`.
static CATCH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\.catch\(\s*(async\s+)?(\(?[^)]*\)?)\s*=>\s*\{|\bcatch\s*(\([^)]*\))?\s*\{)")
        .expect("a valid regex")
});

/// `next()` with nothing passed: the chain continues as if nothing failed.
static BARE_NEXT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bnext\(\s*\)").expect("a valid regex"));

/// What still stops the request: the error handed on, thrown, or answered.
static STOPS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bnext\(\s*[A-Za-z_]|\bthrow\b|\.status\(\s*[45]\d\d|\.sendStatus\(\s*[45]\d\d|\breject\(")
        .expect("a valid regex")
});

/// The name a helper is declared with (`function asyncMiddleware(`,
/// `const asyncMiddleware = (`, `export const wrap = `).
static DECLARED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:function\s+(\w+)\s*[<(]|(?:const|let|var)\s+(\w+)\s*(?::[^=]*)?=)")
        .expect("a valid regex")
});

/// Checks that reject by throwing: authentication, roles, permissions.
static CHECK_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(auth|role|permission|admin|session|token|csrf|signature|verify|require|ensure|guard|policy|tenant|member|owner|scope)")
        .expect("a valid regex")
});

/// How far a catch block is read.
const BLOCK: usize = 15;

/// Reports a catch the change adds that calls `next()` without the error.
pub fn check(f: &FileView<'_>, change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    if f.class.lang != Lang::JavaScript || !f.class.production() || f.class.test_like() {
        return;
    }
    if !f.added_text.contains("next(") || !f.added_text.contains("catch") {
        return;
    }
    let added: Vec<_> = f.added_code().collect();
    for (i, l) in added.iter().enumerate() {
        if !CATCH.is_match(l.text) {
            continue;
        }
        // The catch's block: added lines until its braces close.
        let mut depth = 0i32;
        let mut block = Vec::new();
        for b in added[i..].iter().take(BLOCK) {
            // Only the lines right after the catch's own, without a gap.
            if b.no != l.no + block.len() as u32 {
                break;
            }
            let from = if b.no == l.no {
                CATCH.find(b.text).map_or(0, |m| m.start())
            } else {
                0
            };
            let t = &b.text[from..];
            depth += t.matches('{').count() as i32 - t.matches('}').count() as i32;
            block.push(*b);
            if depth <= 0 {
                break;
            }
        }
        let Some(bare) = block.iter().find(|b| BARE_NEXT.is_match(b.text)) else {
            continue;
        };
        if block.iter().any(|b| STOPS.is_match(b.text)) {
            continue;
        }
        // Already so before the change: the same call in a removed catch.
        if f.removed_code().any(|r| BARE_NEXT.is_match(r.text))
            && f.removed_code().any(|r| CATCH.is_match(r.text))
        {
            continue;
        }
        let helper = added[..i]
            .iter()
            .rev()
            .find_map(|d| {
                DECLARED
                    .captures(d.text)
                    .and_then(|c| c.get(1).or(c.get(2)))
                    .map(|m| m.as_str().to_string())
            })
            .unwrap_or_default();
        // Checks the change now runs through the helper.
        let wrapped: Vec<String> = if helper.is_empty() {
            Vec::new()
        } else {
            let call = format!("{helper}(");
            change
                .files
                .iter()
                .filter(|g| !g.class.test_like())
                .flat_map(|g| g.added_code())
                .filter(|a| {
                    a.text.contains(&call)
                        && DECLARED
                            .captures(a.text)
                            .is_none_or(|c| c.get(1).is_none_or(|m| m.as_str() != helper))
                })
                .filter(|a| CHECK_NAME.is_match(a.text))
                .map(|a| a.text.trim().to_string())
                .collect()
        };
        let in_check = CHECK_NAME.is_match(&helper) && !helper.is_empty();
        let severity = if !wrapped.is_empty() || in_check {
            Severity::High
        } else {
            Severity::Medium
        };
        out.push(Finding::added(
            "middleware-error-continues",
            severity,
            f.path,
            Some(bare.no),
            format!(
                "A failure inside the middleware is caught and the request carries on (`next()` without the error){}: a check that rejects by throwing now lets the request through to the handler. Pass the error on (`next(err)`).",
                match wrapped.first() {
                    Some(w) => format!(", and the change runs checks through it (`{}`)", super::quote(w)),
                    None => String::new(),
                }
            ),
        ));
        return;
    }
}
