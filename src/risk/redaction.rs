//! Redaction and filter lists: what keeps secrets out of logs, error
//! reports and responses (`filter_parameters`, `SENSITIVE_KEYS`, a logger's
//! redact paths, Sentry's scrub fields). A name taken out of one, and not
//! still covered by a shorter name the list keeps (`passw` covers
//! `password`), is written in clear from now on.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity};

/// Names of lists that keep things out of logs and reports.
static LIST_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(filter_?param|redact|mask|scrub|sensitive|sanitiz|obfuscat|deny_?list|block_?list|secret_?(keys|fields|params)|private_?(keys|fields)|hidden_?fields|do_?not_?log|exclude_?fields|strip_?fields|censor)").unwrap()
});
/// Names of values that must not be logged.
static SENSITIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(passw|secret|token|_key|apikey|api_key|ssn|card|cvv|cvc|auth|cookie|session|credential|\bpin\b|iban|account_?number|private|otp|signature)").unwrap()
});
static WORD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[A-Za-z_][A-Za-z0-9_\-]*").unwrap());

/// Logging that writes every header (or the whole body) of the requests a
/// service receives or sends: OkHttp's `HttpLoggingInterceptor` at `BODY`
/// or `HEADERS`, Spring's request logging filter with headers or payload,
/// ASP.NET's `HttpLoggingFields.All`, the header collection copied into a
/// log scope, Go's `httputil.DumpRequest(…, true)`, Python's `http.client`
/// debug level.
static HEADERS_LOGGED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(HttpLoggingInterceptor\.Level\.(BODY|HEADERS)|\blevel\s*=\s*(HttpLoggingInterceptor\.)?Level\.(BODY|HEADERS)\b|setInclude(Headers|Payload)\(\s*true\s*\)|HttpLoggingFields\.(All|RequestHeaders|RequestPropertiesAndHeaders|RequestBody)\b|Request\.Headers\.(ToDictionary|Select)\(|\bhttputil\.DumpRequest(Out)?\(\s*\w+\s*,\s*true\s*\)|HTTPConnection\.debuglevel\s*=\s*[1-9]|JSON\.stringify\(\s*(req|request|config)\.headers\s*\)|\bdict\(\s*request\.headers\s*\)|request\.headers\.to_h\b|\.\.\.(req|request)\.headers\b|log_?(request|headers)\w*\s*[:=]\s*(true|True)\b|response\s+:logger\b[^\n]*headers:\s*true|\bheaders\s*:\s*(req|request)\.headers\s*[,}]|setLog(Request|Response)(Body|Headers)\(\s*true\s*\)|(?i:\b(?:http\.wire|httpclient\.wire|http\.headers|client5\.http\.(?:wire|headers)|org\.apache\.http\.(?:wire|headers)|okhttp3\.logging|reactor\.netty\.http\.client)\b[^\n]*\b(?:DEBUG|TRACE|ALL)\b)|\blog_?(response|body|bodies|payload)\w*\s*[:=]\s*(true|True)\b)"#).unwrap()
});
/// Something nearby that keeps secrets out of what is logged.
static REDACTED_NEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(redact|mask|scrub|sanitiz|obfuscat|censor|param_?filter|filter_?param|parameterfilter|Authorization[^\n]{0,40}(!=|!==|Remove|except|exclude|delete)|(Remove|except|exclude|delete)[^\n]{0,40}Authorization)").unwrap()
});

/// A logging switch about bodies rather than headers.
static BODY_WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(body|bodies|payload)").unwrap());

/// A request's whole header set handed on as one value (`'headers' =>
/// $args['headers']`, `headers: req.headers`, `"headers": request.headers`).
static WHOLE_HEADERS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"['"]?headers['"]?\s*(=>|:|=)\s*\$?[\w.]*?\b(\w+\[['"]headers['"]\]|\w+(\.|->)(headers|getHeaders\(\)|getAllHeaders\(\)|Headers))\s*[,)}\]]?\s*$"#).unwrap()
});
/// A call to a logger: `$this->logger->exchange(`, `log.info(`, `Log::debug(`.
static LOGGER_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\b|\$|->|\.)_?(logger|log|audit_?log|debug_?log)\s*(->|\.|::)\s*\w+\s*\(")
        .unwrap()
});

/// Whether the file lists the header names it masks (`setOf("cookie",
/// "x-api-key")`) and `Authorization` is not among them.
fn masked_list_lacks_authorization(f: &FileView<'_>) -> bool {
    static MASK_LIST: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)\b\w*(mask|redact|sensitive|scrub|hidden|secret)\w*\s*(:\s*[\w<>\[\], ]+)?\s*=\s*[^\n]*["'](cookie|set-cookie|x-api-key|x-auth-token|proxy-authorization)["']"#).unwrap()
    });
    let Some(text) = f.new_text() else {
        return false;
    };
    let lists: Vec<&str> = text.lines().filter(|l| MASK_LIST.is_match(l)).collect();
    !lists.is_empty()
        && !lists
            .iter()
            .any(|l| l.to_ascii_lowercase().contains("\"authorization\""))
}

/// The line of an argument list that whole headers are put in, when the
/// call it belongs to is a logger's (opened at most ten lines above, the
/// statement not closed in between).
fn headers_passed_to_logger<'a>(f: &'a FileView<'_>) -> Option<&'a super::Line<'a>> {
    // The header set handed to a helper on the way (`kv("request_headers",
    // headerMap(request.headers))`).
    static HEADERS_ARGUMENT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"\(\s*(req|request|response|resp|res)\.(headers|getHeaders\(\)|allHeaders\(\))\s*\)",
        )
        .unwrap()
    });
    f.added_code().find(|l| {
        (WHOLE_HEADERS.is_match(l.text) || HEADERS_ARGUMENT.is_match(l.text))
            && (l.no.saturating_sub(10)..=l.no)
                .rev()
                .map_while(|n| {
                    let t = f.new_lines.get(&n)?;
                    let closed = n < l.no && t.trim_end().ends_with(';');
                    (!closed).then_some(t)
                })
                .any(|t| LOGGER_CALL.is_match(t))
    })
}

/// Logging of every request header or body that the change turns on.
fn headers_logged(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let Some(l) = f
        .added_code()
        .find(|l| HEADERS_LOGGED.is_match(l.text))
        .or_else(|| headers_passed_to_logger(f))
    else {
        return;
    };
    let near = (l.no.saturating_sub(12)..=l.no + 12)
        .filter_map(|n| f.new_lines.get(&n))
        .any(|t| REDACTED_NEAR.is_match(t));
    // A mask list of header names that leaves out `Authorization` masks the
    // cookies and lets the bearer token through.
    if near && !masked_list_lacks_authorization(f) {
        return;
    }
    out.push(Finding::added(
        "log-headers-dumped",
        Severity::High,
        f.path,
        Some(l.no),
        if BODY_WORD.is_match(l.text) {
            format!(
                "Logs whole request or response bodies (`{}`): the personal data, tokens and card numbers they carry go into the log store with them.",
                super::quote(l.text.trim())
            )
        } else {
            format!(
                "Logs whole requests, headers included (`{}`): Authorization bearer tokens, session cookies and API keys go into the log store with them.",
                super::quote(l.text.trim())
            )
        },
    ));
}

/// A hand-written printer that hid a secret (`impl fmt::Debug` writing
/// `"<redacted>"` for the password, a `__repr__` or `toString()` that masks
/// the token) removed, and nothing in its place hides it: a derived or
/// default printer writes the value itself wherever the type is logged.
fn redacting_printer_removed(f: &FileView<'_>, out: &mut Vec<Finding>) {
    static PRINTER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(impl(<[^>]*>)?\s+(std::)?(fmt::)?(Debug|Display)\s+for\s+\w+|def\s+__(repr|str)__\s*\(|\btoString\s*\(\s*\)\s*(:\s*String\s*)?\{|\bString\s+toString\s*\(|\btoJSON\s*\(|inspect\.custom|def\s+inspect\b|override\s+fun\s+toString)").unwrap()
    });
    static HIDES: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)(redact|\*\*\*|<hidden>|\[filtered\]|\bmask|censor|obfuscat|"\[secret\]"|"\[removed\]")"#).unwrap()
    });
    if f.deleted() {
        return;
    }
    let Some(l) = f.removed_code().find(|l| PRINTER.is_match(l.text)) else {
        return;
    };
    if !f.removed_code().any(|r| HIDES.is_match(r.text))
        || f.added_code()
            .any(|a| HIDES.is_match(a.text) || PRINTER.is_match(a.text))
    {
        return;
    }
    out.push(Finding::removed(
        "redacted-printer-removed",
        Severity::High,
        f.path,
        Some(l.no),
        format!(
            "Removes a printer that hid a secret (`{}`): the default or derived one that takes its place writes the value itself, into every log line or error that prints this type.",
            super::quote(l.text.trim())
        ),
    ));
}

/// Sensitive names a redaction list of this file lost, and headers logged
/// whole.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    // A lockfile's checksums spell words by chance (`go.sum`'s base64
    // hashes hold `apikeys` and `sessions`); it lists no redaction.
    if f.class.test_like() || f.class.docs || f.class.vendored || super::supply::lockfile(f.path) {
        return;
    }
    headers_logged(f, out);
    redacting_printer_removed(f, out);
    if f.removed.is_empty() {
        return;
    }
    let near_list = f
        .removed
        .iter()
        .map(|l| l.text)
        .chain(f.added.iter().map(|l| l.text))
        .chain(f.new_lines.values().copied())
        .any(|t| LIST_NAME.is_match(t));
    if !near_list {
        return;
    }
    let words = |t: &str| -> Vec<String> {
        WORD.find_iter(t)
            .map(|m| m.as_str().to_ascii_lowercase())
            .collect()
    };
    // Names still written in code; a comment that names one (a bare
    // `:token` also matched usage fields) keeps nothing out of the logs.
    let kept: HashSet<String> = f
        .added
        .iter()
        .map(|l| l.text)
        .chain(f.new_lines.values().copied())
        .chain(f.new_text().into_iter().flat_map(str::lines))
        .filter(|t| !f.class.is_comment(t))
        .flat_map(words)
        .filter(|w| SENSITIVE.is_match(w))
        .collect();
    // The removed line is in a list of that kind: the list's name is on it,
    // or on the line that opens the block it sits in (a multi-line array),
    // not anywhere in the file (a build argument removed from a workflow
    // that masks something else).
    let old_lines: Vec<&str> = f
        .old_text()
        .map(|t| t.lines().collect())
        .unwrap_or_default();
    let indent = |t: &str| t.len() - t.trim_start().len();
    let in_list = |no: u32| {
        let at = (no as usize).saturating_sub(1);
        let Some(here) = old_lines.get(at) else {
            return true;
        };
        LIST_NAME.is_match(here)
            || old_lines[..at]
                .iter()
                .rev()
                .find(|t| !t.trim().is_empty() && indent(t) < indent(here))
                .is_some_and(|t| LIST_NAME.is_match(t))
    };
    let mut lost: Vec<(String, u32)> = Vec::new();
    for l in f.removed_code().filter(|l| in_list(l.no)) {
        for w in words(l.text) {
            if !SENSITIVE.is_match(&w) || kept.contains(&w) || lost.iter().any(|(x, _)| *x == w) {
                continue;
            }
            // Partial matching: a kept `secret` still filters `client_secret`.
            if kept.iter().any(|k| k.len() >= 3 && w.contains(k.as_str())) {
                continue;
            }
            lost.push((w, l.no));
        }
    }
    let Some((first, _)) = lost.first() else {
        return;
    };
    let line = f.added.first().map(|l| l.no);
    let names: Vec<&str> = lost.iter().map(|(w, _)| w.as_str()).collect();
    out.push(Finding::added(
        "secret-filter-removed",
        Severity::High,
        f.path,
        line,
        format!(
            "`{first}` is no longer in the redaction list{}: values under {} now reach logs and error reports in clear.",
            if names.len() > 1 {
                format!(" (nor {})", names[1..].join(", "))
            } else {
                String::new()
            },
            if names.len() > 1 { "these names" } else { "that name" }
        ),
    ));
}

#[cfg(test)]
mod header_tests {
    use crate::risk::testkit::rules_hit;

    #[test]
    fn request_logging_with_every_header_is_found_unless_redacted() {
        let rule = "log-headers-dumped".to_string();
        let old = "val client = OkHttpClient.Builder()\n    .build()\n";
        let new = "val client = OkHttpClient.Builder()\n    .addNetworkInterceptor(HttpLoggingInterceptor { log.info(it) }.apply { level = HttpLoggingInterceptor.Level.BODY })\n    .build()\n";
        assert!(rules_hit("src/main/kotlin/Client.kt", Some(old), Some(new)).contains(&rule));
        let redacted = new.replace(
            ".build()",
            ".also { it.redactHeader(\"Authorization\") }\n    .build()",
        );
        assert!(
            !rules_hit("src/main/kotlin/Client.kt", Some(old), Some(&redacted)).contains(&rule)
        );
        let cs = "var scope = new Dictionary<string, object> {\n    [\"Headers\"] = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString()),\n};\n";
        assert!(rules_hit("src/Api/RequestLogging.cs", None, Some(cs)).contains(&rule));
        // In a test: quiet.
        assert!(!rules_hit("tests/client_test.kt", Some(old), Some(new)).contains(&rule));
    }

    #[test]
    fn an_http_wire_logger_at_debug_is_found() {
        let rule = "log-headers-dumped".to_string();
        let old = "<configuration>\n  <logger name=\"org.apache.hc.client5\" level=\"WARN\"/>\n</configuration>\n";
        let new = "<configuration>\n  <logger name=\"org.apache.hc.client5\" level=\"WARN\"/>\n  <logger name=\"org.apache.hc.client5.http.wire\" level=\"DEBUG\"/>\n</configuration>\n";
        assert!(rules_hit("src/main/resources/logback.xml", Some(old), Some(new)).contains(&rule));
        let quiet = new.replace("level=\"DEBUG\"", "level=\"WARN\"");
        assert!(
            !rules_hit("src/main/resources/logback.xml", Some(old), Some(&quiet)).contains(&rule)
        );
    }

    #[test]
    fn bodies_logged_by_a_client_switch_are_found_and_switched_off_are_not() {
        let rule = "log-headers-dumped".to_string();
        let old = "LoggingInterceptor logging = new LoggingInterceptor();\nlogging.setLogRequestSummary(true);\n";
        let on = "LoggingInterceptor logging = new LoggingInterceptor();\nlogging.setLogRequestSummary(true);\nlogging.setLogRequestBody(true);\n";
        let hit = crate::risk::testkit::findings_with_contents(
            "src/main/java/fhir/ClientConfig.java",
            old,
            on,
        );
        assert!(
            hit.iter()
                .any(|f| f.rule == rule && f.message.contains("bodies")),
            "{hit:?}"
        );
        let off = on.replace("setLogRequestBody(true)", "setLogRequestBody(false)");
        assert!(
            !rules_hit(
                "src/main/java/fhir/ClientConfig.java",
                Some(old),
                Some(&off)
            )
            .contains(&rule)
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit;

    #[test]
    fn a_name_taken_out_of_a_redaction_list_is_found() {
        let old = "Rails.application.config.filter_parameters += [\n  :passw,\n  :secret,\n  :token,\n  :ssn\n]\n";
        let new = "Rails.application.config.filter_parameters += %i[\n  passw secret ssn iban\n]\n";
        let hit = rules_hit(
            "config/initializers/filter_parameter_logging.rb",
            Some(old),
            Some(new),
        );
        assert!(
            hit.contains(&"secret-filter-removed".to_string()),
            "{hit:?}"
        );
        let old = "SENSITIVE_KEYS = {\"password\", \"authorization\", \"api_key\"}\n\ndef scrub(event):\n    return event\n";
        let new =
            "SENSITIVE_KEYS = {\"password\", \"api_key\"}\n\ndef scrub(event):\n    return event\n";
        let hit = rules_hit("app/logging/scrub.py", Some(old), Some(new));
        assert!(
            hit.contains(&"secret-filter-removed".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn a_sensitive_name_removed_far_from_any_list_is_not_a_list_entry() {
        use crate::risk::testkit::rules_hit_with_contents;
        let old = "jobs:\n  build:\n    steps:\n      - run: echo \"::add-mask::$DEPLOY_KEY\"\n      - run: npm test\n      - run: npm run lint\n      - run: npm run typecheck\n      - run: npm run e2e\n      - run: npm run docs\n      - run: npm run bundle\n      - run: npm run size\n      - run: npm run licenses\n      - run: npm run audit\n      - run: npm run sbom\n      - run: npm run pack\n      - run: npm run sign\n      - run: |\n          docker build --build-arg NPM_TOKEN=${{ secrets.NPM_TOKEN }} .\n";
        let new = old.replace(
            "--build-arg NPM_TOKEN=${{ secrets.NPM_TOKEN }}",
            "--secret id=npmrc,src=npmrc",
        );
        let hit = rules_hit_with_contents(".github/workflows/image.yml", old, &new);
        assert!(
            !hit.contains(&"secret-filter-removed".to_string()),
            "{hit:?}"
        );
        // Taken out of the masked names themselves: found.
        let unmasked = old.replace("      - run: echo \"::add-mask::$DEPLOY_KEY\"\n", "");
        let hit = rules_hit_with_contents(".github/workflows/image.yml", old, &unmasked);
        assert!(
            hit.contains(&"secret-filter-removed".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn a_name_dropped_and_only_named_in_a_comment_is_found() {
        let old =
            "Rails.application.config.filter_parameters += [\n  :passw, :secret, :token, :ssn\n]\n";
        let new = "Rails.application.config.filter_parameters += [\n  :passw, :secret, :ssn,\n  # a bare :token also matched max_tokens; list credential tokens instead\n  :access_token, :refresh_token\n]\n";
        let hit = rules_hit(
            "config/initializers/filter_parameter_logging.rb",
            Some(old),
            Some(new),
        );
        assert!(
            hit.contains(&"secret-filter-removed".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn a_redacting_debug_impl_replaced_by_a_derive_is_found() {
        let old = "#[derive(Deserialize)]\npub struct Db {\n    pub host: String,\n    pub password: String,\n}\n\nimpl fmt::Debug for Db {\n    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {\n        f.debug_struct(\"Db\")\n            .field(\"host\", &self.host)\n            .field(\"password\", &\"<redacted>\")\n            .finish()\n    }\n}\n";
        let new = "#[derive(Debug, Deserialize)]\npub struct Db {\n    pub host: String,\n    pub password: String,\n}\n";
        let hit = rules_hit("crates/config/src/model.rs", Some(old), Some(new));
        assert!(
            hit.contains(&"redacted-printer-removed".to_string()),
            "{hit:?}"
        );
        // The secret wrapped in a type that hides it: still hidden.
        let wrapped = new.replace("pub password: String", "pub password: Redacted<String>");
        let hit = rules_hit("crates/config/src/model.rs", Some(old), Some(&wrapped));
        assert!(
            !hit.contains(&"redacted-printer-removed".to_string()),
            "{hit:?}"
        );
        // A printer that hid nothing.
        let plain = old.replace("&\"<redacted>\"", "&self.password.len()");
        let hit = rules_hit("crates/config/src/model.rs", Some(&plain), Some(new));
        assert!(
            !hit.contains(&"redacted-printer-removed".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn a_reformatted_or_covered_list_is_quiet() {
        // Same names, another syntax; a longer name covered by a kept shorter one.
        let old = "Rails.application.config.filter_parameters += [\n  :passw,\n  :password,\n  :secret,\n  :client_secret\n]\n";
        let new = "Rails.application.config.filter_parameters += %i[\n  passw secret\n]\n";
        let hit = rules_hit(
            "config/initializers/filter_parameter_logging.rb",
            Some(old),
            Some(new),
        );
        assert!(
            !hit.contains(&"secret-filter-removed".to_string()),
            "{hit:?}"
        );
        // A token removed from code that is no redaction list: not this rule.
        let old = "def refresh(token):\n    return client.refresh(token)\n";
        let new = "def refresh(grant):\n    return client.refresh(grant)\n";
        let hit = rules_hit("app/oauth.py", Some(old), Some(new));
        assert!(
            !hit.contains(&"secret-filter-removed".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn checksums_of_a_lockfile_are_no_redaction_list() {
        use crate::risk::testkit::rules_hit_with_contents;
        // Base64 hashes spell `scrub` and `apikeys` by chance; one module's
        // line is bumped.
        let old = "github.com/a/b v1.0.0 h1:x9scrubQ0apikeysZ1sessions0Q/k=\ngithub.com/a/b v1.0.0/go.mod h1:q1w2e3r4t5y6u7i8o9p0=\n";
        let new = "github.com/a/b v1.1.0 h1:Zz9QmN0pL1kK2jJ3hH4gG5fF6dD=\ngithub.com/a/b v1.1.0/go.mod h1:q1w2e3r4t5y6u7i8o9p0=\n";
        let hit = rules_hit_with_contents("go.sum", old, new);
        assert!(
            !hit.contains(&"secret-filter-removed".to_string()),
            "{hit:?}"
        );
        // The same words in a real redaction list are found.
        let old = "SCRUB_FIELDS = [\n    \"apikeys\",\n    \"sessions\",\n]\n";
        let new = "SCRUB_FIELDS = [\n    \"sessions\",\n]\n";
        let hit = rules_hit_with_contents("app/logging.py", old, new);
        assert!(
            hit.contains(&"secret-filter-removed".to_string()),
            "{hit:?}"
        );
    }
}
