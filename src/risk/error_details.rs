//! Internal error details a change starts sending to callers. An
//! exception's message or stack trace in a response tells whoever triggers
//! it what the database said (table and constraint names, row values), which
//! host did not answer, which file and library version threw. Error handlers
//! keep them behind a development check (`IsDevelopment()`, `DEBUG`,
//! `NODE_ENV !== 'production'`); a change that makes the errors "richer" for
//! integrators drops the check and sends the details everywhere.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// A check for a development environment.
static DEV_CHECK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(IsDevelopment\(\)|IsEnvironment\(\s*"Development"|\bsettings\.DEBUG\b|\bapp\.debug\b|\bcurrent_app\.debug\b|config\[["']DEBUG["']\]|NODE_ENV\s*(!==?|===?)\s*["'](production|development)["']|Rails\.env\.(development|production)\?|\bis_dev\w*|\bisDev\w*|\bdebug_?mode\b|\bDEBUG\s*(==|&&|\|\||\)|:)|\benv\s*==\s*["']dev)"#).unwrap()
});
/// A setting that turns detailed errors on (`IncludeExceptionDetails`,
/// `show_error_details`, `exposeStack`): off in production, like a
/// development check.
static DETAILS_SWITCH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b\w*(include|show|expose|detailed|verbose)_?(exception|error|internal)?_?(details|errors|stack(trace)?|exceptions)\b").unwrap()
});
/// An exception's own text: its message, its string form, its stack.
static EXCEPTION_TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(ex|exc|exception|err|error|e|cause|inner)\??\.(Message|ToString\(\)|StackTrace|InnerException\??\.Message|message|stack|getMessage\(\)|getLocalizedMessage\(\)|getCause\(\)|Error\(\)|backtrace|full_message)|\bstr\(\s*(e|exc|ex|err|error|exception)\s*\)|\brepr\(\s*(e|exc|ex|err|error)\s*\)|traceback\.format_exc\(\)|getStackTrace|printStackTrace\(\s*\w+\s*\)").unwrap()
});
/// A stack trace, which never belongs in a response.
static STACK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(ex|exc|exception|err|error|e)\??\.(StackTrace|stack|backtrace|getStackTrace\(\))\b|traceback\.format_exc\(\)|\b(ex|exception|e)\.ToString\(\)").unwrap()
});
/// Writing into what the caller receives: a response body, a problem
/// document, a JSON error.
static INTO_RESPONSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(\bDetail\s*=|\bExtensions\[|\.(json|send|status\(\s*\d+\s*\)\.json|write|body|setDetail|forStatusAndDetail|WriteAsJsonAsync|WriteAsync)\s*\(|\bjsonify\(|\bJSONResponse\(|\bHTTPException\(|\bResponse\(|\brender\s+json:|["']?(detail|message|error|cause|stack|trace|exception|errorMessage)["']?\s*[:=]>?\s*)"#).unwrap()
});
/// Logging calls: the details may go there.
static LOGS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\blog(ger)?\.|_logger\.|\blogging\.|console\.(log|error|warn)|\bLog(Error|Warning|Information|Debug)\(|Sentry|capture_?exception|\breport\()").unwrap()
});

/// Exception text written into a response where a development check that
/// guarded it is gone, and stack traces written into a response anywhere.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !f.class.production() || f.class.ci || f.class.infra || f.class.migration {
        return;
    }
    let before = out.len();
    outside_development(f, out);
    if out.len() == before {
        database_text_to_caller(f, out);
    }
}

/// Exception text sent to callers once the development check that kept it
/// there is gone, and stack traces sent anywhere.
fn outside_development(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let exposes =
        |t: &str| EXCEPTION_TEXT.is_match(t) && INTO_RESPONSE.is_match(t) && !LOGS.is_match(t);
    let guard = |t: &str| DEV_CHECK.is_match(t) || DETAILS_SWITCH.is_match(t);
    // A stack trace the removed code did not send is the line to report
    // (unless a development check a few lines up keeps it there); else the
    // first exception text sent.
    let stack_before = f
        .removed_code()
        .any(|r| exposes(r.text) && STACK.is_match(r.text));
    let guarded = |no: u32| (no.saturating_sub(4)..no).any(|n| guard(f.new_line(n)));
    let Some(l) = f
        .added_code()
        .find(|l| exposes(l.text) && STACK.is_match(l.text) && !stack_before && !guarded(l.no))
        .or_else(|| f.added_code().find(|l| exposes(l.text)))
    else {
        return;
    };
    let stack = STACK.is_match(l.text) && !guarded(l.no);
    // Already sent before the change (the line only edited).
    let was_exposed = f.removed_code().any(|r| {
        exposes(r.text) && !DEV_CHECK.is_match(r.text) && (!stack || STACK.is_match(r.text))
    });
    let dev_check_dropped = f.removed_code().any(|r| guard(r.text))
        && !f.added_code().any(|a| guard(a.text))
        && !f.new_text().is_some_and(guard);
    // A removed exposure sat under the dropped check: not sent everywhere before.
    let sent_before = was_exposed && !dev_check_dropped;
    if sent_before || !dev_check_dropped && !stack {
        return;
    }
    out.push(Finding::added(
        "error-details-exposed",
        Severity::High,
        f.path,
        Some(l.no),
        format!(
            "Sends the exception's {} to the caller (`{}`){}: database messages, internal hosts and library internals reach whoever triggers the error. Log them and return a trace id.",
            if stack { "stack trace" } else { "own text" },
            quote(l.text.trim()),
            if dev_check_dropped {
                ", and the development-only check that kept it from production is gone"
            } else {
                ""
            }
        ),
    ));
}

/// The new line `no` continues a logging call opened on a line or two
/// above it and not yet closed (`_logger.LogWarning("… {Message}",` then
/// `exception.Message);`): what it reads goes to the log.
fn continues_log_call(f: &FileView<'_>, no: u32) -> bool {
    let mut open = 0i32;
    for n in (no.saturating_sub(3)..no).rev() {
        let t = f.new_line(n);
        open += t.matches('(').count() as i32 - t.matches(')').count() as i32;
        if LOGS.is_match(t) {
            return open > 0;
        }
    }
    false
}

/// A database exception: its message quotes the statement, the constraint
/// and the values of the row, other customers' included.
static DATABASE_ERROR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(DataIntegrityViolation\w*|\w*SQLException|PSQLException|IntegrityError|OperationalError|PDOException|QueryFailedError|DbUpdate\w*Exception|SqlException|UniqueViolation|\w*ConstraintViolation\w*|PgError|pq\.Error|ActiveRecord::\w+|Prisma\w*Error|getMostSpecificCause|getRootCause)\b").unwrap()
});

/// A database exception's text the change starts handing to the caller,
/// development check or not: read in a handler of that exception (within a
/// few lines of its name) and sent by a response the change writes nearby,
/// directly or through the helper that reads it.
fn database_text_to_caller(f: &FileView<'_>, out: &mut Vec<Finding>) {
    const REACH: u32 = 12;
    let read = f.added_code().find(|l| {
        EXCEPTION_TEXT.is_match(l.text)
            && !LOGS.is_match(l.text)
            && !continues_log_call(f, l.no)
            && (l.no.saturating_sub(REACH)..=l.no).any(|n| DATABASE_ERROR.is_match(f.new_line(n)))
    });
    let Some(l) = read else { return };
    let already = f
        .removed_code()
        .any(|r| EXCEPTION_TEXT.is_match(r.text) && !LOGS.is_match(r.text));
    let sent = f.added_code().any(|a| {
        INTO_RESPONSE.is_match(a.text) && a.no.abs_diff(l.no) <= 3 * REACH && !LOGS.is_match(a.text)
    });
    if already || !sent {
        return;
    }
    out.push(Finding::added(
        "error-details-exposed",
        Severity::High,
        f.path,
        Some(l.no),
        format!(
            "Sends a database error's own text to the caller (`{}`): it names tables and constraints and quotes the values of the row, another customer's included. Log it and return a fixed message.",
            quote(l.text.trim())
        ),
    ));
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents;

    const RULE: &str = "error-details-exposed";

    #[test]
    fn details_sent_everywhere_once_the_development_check_is_gone_are_found() {
        let old = "class Handler\n{\n    public async Task Write(HttpContext ctx, Exception ex)\n    {\n        var problem = new ProblemDetails { Status = 500, Title = \"Unexpected error\" };\n        if (_env.IsDevelopment())\n        {\n            problem.Detail = ex.ToString();\n        }\n        await ctx.Response.WriteAsJsonAsync(problem);\n    }\n}\n";
        let new = "class Handler\n{\n    public async Task Write(HttpContext ctx, Exception ex)\n    {\n        var problem = new ProblemDetails { Status = 500, Title = \"Unexpected error\" };\n        problem.Detail = ex.Message;\n        await ctx.Response.WriteAsJsonAsync(problem);\n    }\n}\n";
        let p = "src/Api/Middleware/ErrorHandler.cs";
        assert!(rules_hit_with_contents(p, old, new).contains(&RULE.to_string()));
        // The check kept: details only in development.
        let kept = old.replace(
            "problem.Detail = ex.ToString();",
            "problem.Detail = ex.Message;",
        );
        assert!(!rules_hit_with_contents(p, old, &kept).contains(&RULE.to_string()));
        // Logged, not sent.
        let logged = new.replace(
            "problem.Detail = ex.Message;",
            "_logger.LogError(ex, \"failed: {Message}\", ex.Message);",
        );
        assert!(!rules_hit_with_contents(p, old, &logged).contains(&RULE.to_string()));
    }

    #[test]
    fn details_sent_everywhere_once_their_setting_is_gone_are_found() {
        let old = "class Handler\n{\n    public async Task Write(HttpContext ctx, Exception ex)\n    {\n        var problem = new ProblemDetails { Status = 500, Title = \"Unexpected error\" };\n        if (_options.IncludeExceptionDetails)\n        {\n            problem.Detail = ex.Message;\n        }\n        await ctx.Response.WriteAsJsonAsync(problem);\n    }\n}\n";
        let p = "src/Api/Middleware/ErrorHandler.cs";
        let everywhere = old
            .replace(
                "        if (_options.IncludeExceptionDetails)\n        {\n",
                "",
            )
            .replace(
                "            problem.Detail = ex.Message;\n        }\n",
                "        problem.Detail = ex.Message;\n",
            );
        assert!(rules_hit_with_contents(p, old, &everywhere).contains(&RULE.to_string()));
        // The setting kept, the detail reworded under it: still only where
        // it is turned on.
        let kept = old.replace(
            "            problem.Detail = ex.Message;\n",
            "            problem.Detail = $\"{ex.GetType().Name}: {ex.Message}\";\n",
        );
        assert!(!rules_hit_with_contents(p, old, &kept).contains(&RULE.to_string()));
        // A stack trace kept behind the setting goes nowhere else either.
        let stack_kept = old.replace(
            "            problem.Detail = ex.Message;\n",
            "            problem.Detail = ex.Message;\n            problem.Extensions[\"stack\"] = ex.StackTrace;\n",
        );
        assert!(!rules_hit_with_contents(p, old, &stack_kept).contains(&RULE.to_string()));
    }

    #[test]
    fn a_stack_trace_in_a_response_is_found_anywhere() {
        let old = "app.use((err, req, res, next) => {\n  res.status(500).json({ error: 'internal' });\n});\n";
        let new = "app.use((err, req, res, next) => {\n  res.status(500).json({ error: 'internal', stack: err.stack });\n});\n";
        assert!(rules_hit_with_contents("src/server.js", old, new).contains(&RULE.to_string()));
        // A validation message in a 400 is what the caller needs.
        let fine = "app.use((err, req, res, next) => {\n  res.status(400).json({ error: err.message });\n});\n";
        assert!(!rules_hit_with_contents("src/server.js", old, fine).contains(&RULE.to_string()));
    }

    #[test]
    fn a_database_error_text_sent_to_the_caller_is_found_without_a_development_check() {
        let old = "class Handler {\n    @ExceptionHandler(DataIntegrityViolationException.class)\n    ResponseEntity<ApiError> handleConflict(DataIntegrityViolationException ex) {\n        log.warn(\"conflict\", ex);\n        return ResponseEntity.status(HttpStatus.CONFLICT)\n                .body(ApiError.of(\"conflict\", \"The request conflicts with existing data\"));\n    }\n}\n";
        let new = old.replace(
            "\"The request conflicts with existing data\"));\n    }\n",
            "describe(ex)));\n    }\n\n    private static String describe(DataIntegrityViolationException ex) {\n        Throwable cause = ex.getMostSpecificCause();\n        return cause.getMessage();\n    }\n",
        );
        let p = "src/main/java/app/web/Handler.java";
        assert!(rules_hit_with_contents(p, old, &new).contains(&RULE.to_string()));
        // Only logged: the caller still gets the fixed message.
        let logged = old.replace(
            "log.warn(\"conflict\", ex);",
            "log.warn(\"conflict: {}\", ex.getMostSpecificCause().getMessage());",
        );
        assert!(!rules_hit_with_contents(p, old, &logged).contains(&RULE.to_string()));
        // A validation exception's message, far from any database error.
        let validation = "class Handler {\n    @ExceptionHandler(InvalidInput.class)\n    ResponseEntity<ApiError> handleInvalid(InvalidInput ex) {\n        return ResponseEntity.badRequest().body(ApiError.of(\"invalid\", ex.getMessage()));\n    }\n}\n";
        let before = "class Handler {\n}\n";
        assert!(!rules_hit_with_contents(p, before, validation).contains(&RULE.to_string()));
    }
}
