//! Security checks that need more than a pattern: authentication and
//! authorization checks that were removed (and not added back elsewhere in the
//! same file), and whole auth modules deleted. Pattern-shaped security rules
//! (TLS verification off, eval, shell and SQL injection, permissive CORS, auth
//! switched off) are data in assets/rules.toml; secrets live in `secrets`.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// Drops the findings that a signature check is gone (`_verify_signature`
/// no longer called, its guard no longer stopping) where the file now has
/// the provider's SDK verify the same webhook: the check moved into the
/// call that parses the event.
pub fn verified_by_provider(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let removed_check = |x: &Finding| {
        matches!(
            x.rule.as_str(),
            "logic-check-removed" | "logic-guard-removed" | "sec-auth-check-removed"
        )
    };
    if !out.iter().any(removed_check) {
        return;
    }
    static ABOUT_SIGNATURE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)(signature|verif|hmac|compare_digest|digest)").unwrap());
    out.retain(|x| {
        !(removed_check(x)
            && ABOUT_SIGNATURE.is_match(&x.message)
            && x.line.is_some_and(|no| provider_verifier_near(f, no)))
    });
}

/// A framework helper that answers 401 by itself when its block finds no
/// one (Rails' `authenticate_or_request_with_http_token do |t| … end`): a
/// hand-written refusal it replaces is still made.
pub(crate) static REFUSING_HELPER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(authenticate_or_request_with_http_(token|basic|digest)|http_basic_authenticate_with|request_http_(token|basic)_authentication)\b").unwrap()
});

/// How far (in lines) the provider's verifier may be from the check it
/// replaces: the same handler, not a call written anywhere in the file.
const VERIFIER_REACH: u32 = 20;

/// The change brings in the provider's verifier near line `no`: the old text
/// had none (one that was there already and is now made conditional is no
/// replacement), and an added call to it is within a few lines.
fn provider_verifier_near(f: &FileView<'_>, no: u32) -> bool {
    f.added_code()
        .any(|a| PROVIDER_VERIFIER.is_match(a.text) && a.no.abs_diff(no) <= VERIFIER_REACH)
        && !f.old_text().is_some_and(|t| PROVIDER_VERIFIER.is_match(t))
        && !f.removed_code().any(|r| PROVIDER_VERIFIER.is_match(r.text))
}

/// A hand-written comparison of a signature or digest.
static SIGNATURE_COMPARE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(compare_digest|hmac\.Equal|timingSafeEqual|secure_compare|hash_equals|ConstantTimeCompare|FixedTimeEquals|MessageDigest\.isEqual)").unwrap()
});
/// A payment or messaging provider's SDK verifying a webhook signature.
static PROVIDER_VERIFIER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\bWebhook\.construct_event\s*\(|\bwebhooks\.constructEvent(Async)?\s*\(|Webhook::constructEvent\s*\(|\bEventUtility\.ConstructEvent\s*\(|\bwebhook\.ConstructEvent\w*\s*\(|\bWebhookSignature\.verify_header\s*\(|\bvalidateRequest(WithBody)?\s*\(|\bRequestValidator\b|\bnew\s+Webhook\([^)]*\)\.verify\s*\(|\bwh\.verify\s*\()").unwrap()
});

static AUTH_CHECK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(@login_required|@requires?_auth\w*|@auth_required|@permission_required|@admin_required|@jwt_required|@PreAuthorize|@Secured|@RolesAllowed|\[Authorize\b|before_action\s+:(authenticate\w*|require_\w+|authorize\w*|ensure_\w+)|\b(requireAuth|requireAdmin|requireRole|requireUser|requirePermission|ensureAuthenticated|ensureLoggedIn|isAuthenticated|is_authenticated|checkPermission|check_permission|has_permission|hasPermission|hasRole|has_role|require_role|verifyToken|verify_token|verifyJwt|verify_jwt|validateToken|validate_token|jwt\.verify|authMiddleware|auth_middleware|authenticate!?|authorize!?|ensure_admin|is_admin|isAdmin|is_superuser|permission_classes|IsAuthenticated|RequireAuthorization|RequireAuthenticatedUser|can_access|canAccess|authorizeRequest|policy_scope|verify_authorized|current_user_can|check_access|assert_owner|ensureOwner|requireScope|require_scope)\b|Depends\(\s*(get_current\w*|require\w*|verify\w*|auth\w*|check\w*|current_\w*user\w*)|\bauth\w*\.(Require|Middleware|Check|Verify|Authenticate|Authorize|Guard|Protect)\w*|@UseGuards\([^)]*\)|canActivate|\b(constructEvent|verify_signature|verifySignature|validate_signature|validateSignature|VerifySignature|ValidateSignature|compare_digest|timingSafeEqual|verify_webhook|verifyWebhook|CsrfViewMiddleware|AuthenticationMiddleware|csrf_protect|protect_from_forgery|VerifyCsrfToken|ValidateAntiForgeryToken|UseAuthentication|UseAuthorization)\b|(?i:\broles?\b[^\n]{0,40}["'](admin|superuser|owner|staff|root)["'])|(?i:\b(status|code|abort|HttpResponse|Response|res\.sendStatus|head)\s*\(?\s*:?\s*(401|403|forbidden|unauthorized)\b)|(?i:\bHTTP_?(401|403)\w*)|\b(StatusForbidden|StatusUnauthorized|PermissionDenied|AccessDenied\w*|Forbidden(Error|Exception)|Unauthorized(Error|Exception)|HttpStatus\.(FORBIDDEN|UNAUTHORIZED)|SC_(FORBIDDEN|UNAUTHORIZED)|NotAuthorized\w*|AuthorizationError|AuthenticationError)\b|(?i:\b(is|has)_?(admin|superuser|staff|owner|role|roles|permission|permissions|access|scope)\w*\b)|\b(helmet|csurf|csrfProtection|rateLimit|rateLimiter|RateLimiter)\b|(?i:\b(require|ensure|check|verify|assert|must|enforce)_?(admin|authn?|authenticated|authorized|role|roles|permissions?|login|logged_?in|owner|ownership|scopes?|staff|superuser|access|session|token|jwt|csrf)\w*\b)|\bmiddleware\(\s*\[?\s*['"](auth|can:|verified|role:|permission:|admin))"#,
    )
    .unwrap()
});

/// Whether `line` holds an authentication or authorization check: such a
/// check, removed, is judged by the security rules (which know where it
/// moved), not counted as a plain error check.
pub(crate) fn names_auth_check(line: &str) -> bool {
    AUTH_CHECK.is_match(line)
}

/// A quoted word: the role, scope or permission a check names.
static QUOTED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#""[\w:.-]+"|'[\w:.-]+'"#).unwrap());

static SQL_TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)["'`]\s*(select\s.+\sfrom\s|insert\s+into\s|update\s+[\w."`]+\s+set\s|delete\s+from\s)"#).unwrap()
});
static CONCAT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(["'`]\s*(\+|\.|\|\|)\s*[$@]?[A-Za-z_(]|[$@]?[A-Za-z_)\]]\s*(\+|\.)\s*["'`]|\$\{[^}]+\}|#\{[^}]+\}|["']\s*%\s*[\w(]|\.format\(|\$_(GET|POST|REQUEST|COOKIE)|\{\s*[a-z_][\w.]*\s*\})"#).unwrap()
});

/// A query builder's raw-SQL entry point given a string literal: Laravel's
/// `whereRaw`, `DB::raw`, Rails' `where("…")`/`order("…")`, SQLAlchemy's
/// `text(…)`, Django's `extra`/`RawSQL`, knex/sequelize `raw`/`literal`,
/// Arel's `sql`. What is pasted into these strings is SQL.
static RAW_SQL_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:\b|->|::|\.)(?:(?:or_?)?where|having|order|group|(?:where|orWhere|having|orHaving|orderBy|groupBy|select|join)Raw|raw|literal|Arel\.sql|RawSQL|text|extra|find_by_sql|execute|exec|query|sql)\s*\(\s*[fb]?["'`]"#).unwrap()
});

/// A raw fragment of a query builder that starts with a value, not a
/// literal, and pastes more onto it: `orderByRaw($sort . ' ' . $dir)`,
/// `Arel.sql(params[:order] + " DESC")`, `literal(col + " ASC")`.
static RAW_SQL_FROM_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:(?:where|orWhere|having|orHaving|orderBy|groupBy|select|join)Raw|DB::raw|\braw|\bliteral|Arel\.sql|RawSQL)\s*\(\s*[$@]?[A-Za-z_][\w.\[\]:'"]*\s*(\.|\+|\|\|)\s*["'`$@A-Za-z_]"#).unwrap()
});

/// A regular expression compiled from a value rather than a literal:
/// `new RegExp(`${domain}$`)`, `re.compile(host + "$")`,
/// `regexp.MustCompile(fmt.Sprintf(…))`, `Pattern.compile(x + …)`.
static DYNAMIC_REGEX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(new\s+RegExp|\bRegExp|re\.(compile|match|search|fullmatch)|regexp\.(MustCompile|Compile|MatchString)|Regexp\.new|Pattern\.(compile|matches)|new\s+Regex|Regex::new|preg_match)\s*\(\s*(`[^`]*\$\{|f["']|[A-Za-z_$][\w.$]*\s*(\+|,|\)|\.\s*['"])|[rb]?["'][^"']*["']\s*(\+|\.)\s*[A-Za-z_$]|fmt\.Sprintf|format!|String\.format|sprintf)"#).unwrap()
});
/// What an allow-list pattern guards: origins, hosts, redirects.
static ALLOW_CONTEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(origin|cors|host|domain|redirect|referr?er|return_?to|next_?url|callback|allow|trusted|whitelist|allowlist)").unwrap()
});

/// Making a private temporary file or directory.
static MAKES_TEMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(mktemp|tempfile\.|NamedTemporaryFile|TemporaryDirectory|mkdtemp|mkstemp|os\.CreateTemp|os\.MkdirTemp|ioutil\.Temp|Files\.createTemp|Path\.GetTempFileName|Dir::mktmpdir|Tempfile)").unwrap()
});
/// A fixed path under the shared temporary directory.
static FIXED_TMP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"["'`]?/(tmp|var/tmp|dev/shm)/[\w.${}-]+"#).unwrap());

/// A private temporary file (`mktemp`, `NamedTemporaryFile`) replaced by a
/// fixed path under /tmp: another user on the host can create it first,
/// read it, or point it somewhere else.
fn predictable_temp(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let made_private = f
        .removed_code()
        .filter(|l| MAKES_TEMP.is_match(l.text))
        .count();
    let still_private = f
        .added_code()
        .filter(|l| MAKES_TEMP.is_match(l.text))
        .count();
    if made_private == 0 || still_private >= made_private {
        return;
    }
    if let Some(l) = f.added_code().find(|l| FIXED_TMP.is_match(l.text)) {
        out.push(Finding::added(
            "sec-predictable-temp",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "Replaces a private temporary file with a fixed path ({}): on a shared host another user can create, read or redirect it first.",
                quote(l.text.trim())
            ),
        ));
    }
}

/// An allow-list pattern (origins, hosts, redirect targets) compiled from
/// values without escaping them: `.` matches any character, and without
/// `^` a look-alike (`evil-acme.com`) passes.
fn pattern_from_values(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let context = ALLOW_CONTEXT.is_match(f.path);
    for l in f.added_code() {
        if !["eg", "re.", "Pattern", "preg"]
            .iter()
            .any(|w| l.text.contains(w))
        {
            continue;
        }
        let Some(m) = DYNAMIC_REGEX.find(l.text) else {
            continue;
        };
        let lower = l.text.to_ascii_lowercase();
        if lower.contains("escape") || lower.contains("quotemeta") || lower.contains("quote(") {
            continue;
        }
        let near = f
            .added
            .iter()
            .filter(|x| x.no + 3 >= l.no && x.no <= l.no + 3)
            .any(|x| ALLOW_CONTEXT.is_match(x.text));
        if !(context || near) {
            continue;
        }
        out.push(Finding::added(
            "sec-allow-pattern-unescaped",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "Compiles an allow-list pattern from values without escaping them ({}): `.` matches any character and, unless both ends are anchored, a look-alike such as `evil-acme.com` passes.",
                quote(m.as_str())
            ),
        ));
        return;
    }
}

/// A quoted value pasted into a comparison: `region = '{region}'`,
/// `name LIKE '%${q}%'`, `id = '" + id + "'` — an SQL fragment built from a
/// value, whatever query it ends up in.
static SQL_FRAGMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b[a-z_][\w.]*\s*(=|<>|!=|<=|>=|\blike|\bin)\s*\(?'%?(\{[^}'"]+\}|\$\{[^}]+\}|#\{[^}]+\}|["`]\s*(\+|\.)\s*[$@]?[a-z_])"#).unwrap()
});
/// Lines that talk about values rather than query with them.
static NOT_A_QUERY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(log\w*|logger|print\w*|puts|raise|throw|assert\w*|console|warn|debug|info|error|message|msg|expect|describe|it)\b\s*[.(]").unwrap()
});

/// True when a line builds SQL text by pasting values into it.
pub fn sql_concatenation(line: &str) -> bool {
    // No quote, no SQL text: most lines stop here.
    if !line.contains(['"', '\'', '`']) {
        return false;
    }
    if RAW_SQL_FROM_VALUE.is_match(line) {
        return true;
    }
    (SQL_TEXT
        .find(line)
        .or_else(|| RAW_SQL_CALL.find(line))
        .is_some_and(|m| CONCAT.is_match(&line[m.start()..]))
        && !only_constants_pasted(line))
        || (SQL_FRAGMENT.is_match(line) || SQL_CLAUSE_FORMATTED.is_match(line))
            && !NOT_A_QUERY.is_match(line)
}

/// A clause of a query written as a format string with a value put in
/// (`sprintf(' ORDER BY %s %s', …)`, `f" AND region IN ({quoted})"`,
/// `f" AND day BETWEEN '{start}'"`).
static SQL_CLAUSE_FORMATTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)["'`]\s*(and\s+|or\s+)?[^"'`]*(\b(order\s+by|group\s+by|where|between|limit|offset)\s*'?|\b(in|values)\s*\(\s*'?)(%s|%v|\{[a-z_][\w.]*\}|\$\{[a-z_][^}]*\}|#\{[a-z_][^}]*\})"#).unwrap()
});

/// A quoted string literal, escapes and all.
static STRINGS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'"#).unwrap());

/// Whether every value pasted into a line's SQL text is a constant
/// (`'SELECT ' . self::COLUMNS . ' FROM customers'`): text the program
/// wrote, not a value that came in.
fn only_constants_pasted(line: &str) -> bool {
    static PASTED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\x00\s*(?:\.|\+)\s*([$@]?[\w:]+(?:(?:\.|->)\w+)*(?:\(\))?)|([$@]?[\w:]+(?:(?:\.|->)\w+)*(?:\(\))?)\s*(?:\.|\+)\s*\x00").unwrap()
    });
    static CONSTANT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^((self|static|[A-Z]\w*)::|[A-Za-z_]\w*\.)?[A-Z][A-Z0-9_]+$|^\d+$").unwrap()
    });
    // An f-string or template whose every interpolation is a constant.
    static INTERPOLATED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"[$#]?\{([^{}]*)\}").unwrap());
    let pasted: Vec<_> = INTERPOLATED.captures_iter(line).collect();
    if !pasted.is_empty()
        && !line.contains('%')
        && pasted.iter().all(|c| CONSTANT.is_match(c[1].trim()))
    {
        return true;
    }
    if line.contains("${") || line.contains("#{") || line.contains('%') || line.contains("format") {
        return false;
    }
    let bare = STRINGS.replace_all(line, "\x00");
    let mut any = false;
    for c in PASTED.captures_iter(&bare) {
        let Some(v) = c.get(1).or(c.get(2)) else {
            continue;
        };
        any = true;
        if !CONSTANT.is_match(v.as_str()) {
            return false;
        }
    }
    any
}

/// Functions that build a piece of a query: `orderClause`,
/// `_filter_clause`, `buildWhereSql`, `sort_expression`.
static CLAUSE_BUILDER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(order|sort|where|filter|group|having|search)_?(by_?)?(clause|sql|fragment|expr|expression)|(clause|sql)$|^_?(order|sort)_?by$").unwrap()
});
/// A value formatted into text: `fmt.Sprintf("%s %s", a, b)`,
/// `"{} {}".format(a, b)`, `f"{col} {dir}"`, `` `${col} ${dir}` ``.
static FORMATTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(sprintf|\.format|String\.format|format!)\s*\(\s*["'][^"']*(%s|%v|\{\}|\{\w*\})|\bf["'][^"']*\{[a-z_][\w.]*\}|`[^`]*\$\{[a-z_][^}]*\}"#).unwrap()
});

/// An `ORDER BY` (or `GROUP BY`) whose column is a format placeholder
/// (`ORDER BY s.%s DESC` in a query template, filled by `Sprintf` or
/// `format`): bind parameters cannot stand for a column, so whatever fills
/// it, often a `sort` parameter of the request, is pasted in as SQL. Quiet
/// when the file picks the column from an allow-list.
fn order_by_placeholder(f: &FileView<'_>, out: &mut Vec<Finding>) {
    static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(order|group)\s+by\s+[\w.]*(%[sv]|\{[a-z_]\w*\}|\{\}|\$\{[a-z_][^}]*\})")
            .unwrap()
    });
    static ALLOW_LIST: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)(allowed_?sort|sortable|allowed_?columns|valid_?sort|sort_?columns|white_?list|allow_?list|\bcase\s+["']\w+["']\s*:|\bin\s*\(\s*["']\w+["']\s*,|\bin\s*\{\s*["']\w+["']\s*,|\bin\s*\[\s*["']\w+["']\s*,|map\[string\]string\s*\{)"#).unwrap()
    });
    if f.class.lang == super::lang::Lang::Sql || f.class.migration {
        return;
    }
    let Some(l) = f.added_code().find(|l| PLACEHOLDER.is_match(l.text)) else {
        return;
    };
    if ALLOW_LIST.is_match(&f.new_text_or_hunks()) {
        return;
    }
    out.push(Finding::added(
        "sec-sql-string-building",
        Severity::High,
        f.path,
        Some(l.no),
        format!(
            "Pastes the sort column into the query text ({}): a bind parameter cannot stand for a column, so a `sort` value from the request becomes SQL. Pick the column from an allow-list.",
            quote(l.text.trim())
        ),
    ));
}

/// An opt-out of authentication (`@Public()`, `[AllowAnonymous]`,
/// `@PermitAll`, `@SkipAuth`) put on a whole controller class that already
/// had handlers: every one of them, not only the new one, is served to
/// anyone without a token.
fn class_opened(f: &FileView<'_>, out: &mut Vec<Finding>) {
    static CLASS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*(export\s+)?(public\s+|abstract\s+|final\s+|open\s+|internal\s+|sealed\s+)*(class|object)\s+\w").unwrap()
    });
    static DECORATOR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*(@\w|\[\w)").unwrap());
    static HANDLER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*(@(Get|Post|Put|Patch|Delete|All)(Mapping)?\s*\(|@RequestMapping\s*\(|\[Http(Get|Post|Put|Patch|Delete)\b|\[Route\s*\()").unwrap()
    });
    let (Some(old), Some(new)) = (f.old_text(), f.new_text()) else {
        return;
    };
    let lines: Vec<&str> = new.lines().collect();
    for l in f
        .added_code()
        .filter(|l| OPT_OUT.is_match(l.text) && DECORATOR.is_match(l.text))
    {
        let at = l.no as usize;
        // The decorators that follow, then what they decorate.
        let Some(target) = lines.get(at..).and_then(|rest| {
            rest.iter()
                .find(|x| !x.trim().is_empty() && !DECORATOR.is_match(x))
        }) else {
            continue;
        };
        if !CLASS.is_match(target) {
            continue;
        }
        // Handlers the class had before this change: served openly now.
        let before = old.lines().filter(|x| HANDLER.is_match(x)).count();
        if before == 0 {
            continue;
        }
        out.push(Finding::added(
            "sec-auth-disabled",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "Puts `{}` on the whole class, which already had {before} handler{}: each of them is now served without authentication, not only a new one. Put it on the handler that needs it.",
                quote(l.text.trim()),
                if before == 1 { "" } else { "s" }
            ),
        ));
        return;
    }
}

/// SQL text formatted from values over several lines, which the one-line
/// pattern rule cannot see: a Go raw string handed to `fmt.Sprintf`, an
/// f-string split over lines inside `text(…)`, a template literal. The
/// values pasted in (`'%{q}%'`, `%s`) become SQL when they come from the
/// request; bind parameters would keep them values.
fn sql_formatted_across_lines(f: &FileView<'_>, out: &mut Vec<Finding>) {
    /// Where formatting starts, and the placeholder that kind of
    /// formatting pastes a value with: `%s`/`%v` for printf, `{name}` for
    /// f-strings and `.format`, `${name}` for template literals (a
    /// constant's `{TABLE}` is text the program wrote).
    static PRINTF: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(\bSprintf\s*\(|\bsprintf\s*\(|String\.format\s*\()").unwrap()
    });
    static PRINTF_VALUE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(%[sv]|%\[\d+\][sv])").unwrap());
    static FSTRING: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"(\bf["']|\.format\s*\()"#).unwrap());
    static FSTRING_VALUE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"(\{[a-z_][\w.\[\]'"]*\}|\{\})"#).unwrap());
    static TEMPLATE_VALUE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\$\{[a-z_][^}]*\}").unwrap());
    static SQL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?is)\b(select\s+.{1,200}?\s+from\s+\w|insert\s+into\s+\w|update\s+\w+\s+set\s|delete\s+from\s+\w)").unwrap()
    });
    static RUNS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(execute\w*|query\w*|exec\w*|raw|text|fetch\w*)\s*\(").unwrap()
    });
    if f.class.lang == super::lang::Lang::Sql
        || f.class.migration
        || out.iter().any(|x| x.rule == "sec-sql-string-building")
    {
        return;
    }
    let Some(text) = f.new_text() else { return };
    let lines: Vec<&str> = text.lines().collect();
    for l in f.added_code() {
        let placeholder: &Regex = if PRINTF.is_match(l.text) {
            &PRINTF_VALUE
        } else if FSTRING.is_match(l.text) {
            &FSTRING_VALUE
        } else if l.text.contains('`') {
            &TEMPLATE_VALUE
        } else {
            continue;
        };
        let at = (l.no as usize).saturating_sub(1);
        if at >= lines.len() {
            continue;
        }
        let mut window = lines[at..(at + 8).min(lines.len())].join("\n");
        // A template literal ends at its closing backtick: a template on a
        // later line (a link built from `${this.appUrl}`) is other text.
        if std::ptr::eq(placeholder, &*TEMPLATE_VALUE)
            && let Some(open) = window.find('`')
            && let Some(close) = window[open + 1..].find('`')
        {
            window.truncate(open + 1 + close);
        }
        let Some(sql) = SQL.find(&window) else {
            continue;
        };
        // The values pasted in after the SQL starts, in the formatted text.
        if !placeholder.is_match(&window[sql.start()..]) {
            continue;
        }
        // Run as a query near by (the statement, or the lines after it).
        let near = lines[at.saturating_sub(2)..(at + 14).min(lines.len())].join("\n");
        if !RUNS.is_match(&near) {
            continue;
        }
        out.push(Finding::added(
            "sec-sql-string-building",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "Builds SQL by pasting values into its text over several lines (from `{}`): use bind parameters, or this is an SQL injection.",
                quote(l.text.trim())
            ),
        ));
        return;
    }
}

/// An added line, in a function that builds a query clause, that formats
/// values into text (`return fmt.Sprintf("%s %s", p.Sort, dir)` in
/// `orderClause`), with that function's name.
fn clause_formatted_from_values<'f, 'a>(
    f: &'f FileView<'a>,
) -> Option<(&'f super::Line<'a>, String)> {
    let text = f.new_text()?;
    let lines: Vec<&str> = text.lines().collect();
    f.added_code().find_map(|l| {
        if !FORMATTED.is_match(l.text) || NOT_A_QUERY.is_match(l.text) {
            return None;
        }
        let i = (l.no as usize).checked_sub(1)?;
        let name = lines
            .get(i.saturating_sub(25)..i)?
            .iter()
            .rev()
            .find_map(|h| super::code::function_name(h))?;
        CLAUSE_BUILDER.is_match(name).then(|| (l, name.to_string()))
    })
}

/// Paths whose deletion removes a guard for everything behind it.
fn auth_module(path: &str) -> bool {
    let l = path.to_ascii_lowercase();
    [
        "auth",
        "permission",
        "guard",
        "policy",
        "policies",
        "acl",
        "rbac",
        "csrf",
        "session",
    ]
    .iter()
    .any(|m| l.rsplit('/').next().unwrap_or(&l).contains(m))
        && !l.contains("author")
}

/// A line that applies a guard to every route of an application or router:
/// Nest's `APP_GUARD` and `useGlobalGuards`, a router's `use(…)`, Django's
/// and DRF's defaults, Laravel's middleware groups, ASP.NET's fallback
/// policy, a Fastify hook that runs before every handler of its scope.
static GLOBAL_REGISTRATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\bAPP_GUARD\b|useGlobalGuards|\bpipe_through\b|^\s*plug\s+[A-Z]|\b\w+\.(use|Use)\s*\(|\bMIDDLEWARE\b|DEFAULT_(PERMISSION|AUTHENTICATION)_CLASSES|middlewareGroups|\$middleware\b|FallbackPolicy|DefaultPolicy|\bRequireAuthorization\s*\(\s*\)|\baddHook\s*\(\s*['"](onRequest|preParsing|preValidation|preHandler)['"]"#)
        .unwrap()
});
/// A route's way out of a guard applied globally.
pub(crate) static OPT_OUT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"@Public\b|\bAllowAnonymous\b|\bskip_before_action\b|\bAllowAny\b|withoutMiddleware|\bpermitAll\b|\bexclude\w*\s*\(|\bSkipAuth\w*|\bNoAuth\w*|\bIS_PUBLIC\w*")
        .unwrap()
});

/// Whether the guard a removed check names (`JwtAuthGuard` in
/// `@UseGuards(JwtAuthGuard)`, `login_required`) is registered for every
/// route by a line the change adds: moved up, not dropped.
pub(crate) fn applied_globally<'a>(check: &str, mut added: impl Iterator<Item = &'a str>) -> bool {
    const GENERIC: &[&str] = &[
        "UseGuards",
        "Depends",
        "before_action",
        "middleware",
        "auth",
        "Authorize",
        "permission_classes",
        "is_admin",
        "isAdmin",
    ];
    let names: Vec<&str> = check
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| w.len() > 4 && !GENERIC.contains(w))
        .collect();
    // The same name however it is written: `:require_admin` registered as
    // `plug MyAppWeb.Plugs.RequireAdmin`.
    let same_name = |a: &str, n: &str| {
        let words = super::behaviour::name_words(n);
        words.len() >= 2
            && a.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .any(|t| super::behaviour::name_words(t) == words)
    };
    !names.is_empty()
        && added.any(|a| {
            GLOBAL_REGISTRATION.is_match(a)
                && names
                    .iter()
                    .any(|n| super::code::has_word(a, n) || same_name(a, n))
        })
}

/// Whether a check removed from the handler `handler` (`GetInvoices`) now
/// runs on its route: an added line names the handler and applies a check
/// there, with the same permission or role as the removed line when that
/// one named any (`r.With(authz.Middleware("billing:read")).Get(…,
/// h.GetInvoices)` for `authz.CheckPerm(ctx, sub, "billing:read")`).
pub(crate) fn checked_on_route<'a>(
    handler: &str,
    removed: &'a str,
    mut added: impl Iterator<Item = &'a str>,
) -> bool {
    if handler.len() < 4 || handler == "<top>" {
        return false;
    }
    let quoted = |text: &'a str| {
        QUOTED
            .find_iter(text)
            .map(|m| m.as_str().trim_matches(['"', '\'']))
    };
    let scopes: Vec<&str> = quoted(removed).collect();
    added.any(|a| {
        super::code::has_word(a, handler)
            && AUTH_CHECK.is_match(a)
            && (scopes.is_empty() || quoted(a).any(|q| scopes.contains(&q)))
    })
}

/// Whether the change adds a way out of a global guard beside line `no`
/// (`@Public()` on the handler that lost its own guard).
pub(crate) fn opted_out_near(f: &FileView<'_>, no: u32) -> bool {
    f.added
        .iter()
        .any(|a| a.no + 2 >= no && a.no <= no + 2 && OPT_OUT.is_match(a.text))
}

/// Whether two matched checks are the same: the same text, or the same
/// refusal however the framework spells it (`res.status(401` in Express,
/// `reply.code(401` in Fastify, `StatusUnauthorized`).
fn same_check(a: &str, b: &str) -> bool {
    static REFUSAL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)(401|403|forbidden|unauthori[sz]ed)").unwrap());
    let refusal = |t: &str| {
        REFUSAL
            .find(t)
            .map(|m| match m.as_str().to_ascii_lowercase().as_str() {
                "401" | "unauthorized" | "unauthorised" => "401",
                _ => "403",
            })
    };
    a == b || refusal(a).is_some_and(|x| refusal(b) == Some(x))
}

/// The auth checks a change adds, change-wide, non-test files.
pub(crate) struct AddedAuth<'a> {
    /// Each check as matched: one added back anywhere in the change (moved to
    /// a router, another file, a base class) is not a removal.
    kept: Vec<String>,
    /// The whole lines: a check that names the same role or scope
    /// (`s.Role != "admin"` → `RequireRole("admin")` on the router) is the
    /// same check, moved.
    added_checks: Vec<&'a str>,
    /// Functions renamed by the change (defined under the old name only on
    /// the old side and under the new one only on the new side, one each in
    /// a file): a check that calls it by its new name is the same check.
    renamed: Vec<(String, String)>,
    /// Every added line, to find a check written again under a new name.
    added_lines: Vec<&'a str>,
}

fn added_auth<'c, 'a>(change: &'c super::ChangeView<'a>) -> &'c AddedAuth<'a> {
    change.added_auth.get_or_init(|| {
        let mut kept = Vec::new();
        let mut added_checks = Vec::new();
        for l in change
            .files
            .iter()
            .filter(|g| !g.class.test_like())
            // A check written in a comment checks nothing.
            .flat_map(|g| g.added.iter().filter(|l| !g.class.is_comment(l.text)))
        {
            let before = kept.len();
            kept.extend(AUTH_CHECK.find_iter(l.text).map(|m| m.as_str().to_string()));
            if kept.len() > before {
                added_checks.push(l.text);
            }
        }
        let mut renamed = Vec::new();
        let mut added_lines = Vec::new();
        for g in change.files.iter().filter(|g| !g.class.test_like()) {
            added_lines.extend(g.added.iter().map(|l| l.text));
            let defs = |lines: &[super::Line<'_>]| -> Vec<String> {
                lines
                    .iter()
                    .filter_map(|l| super::code::function_name(l.text).map(str::to_string))
                    .collect()
            };
            let (old, new) = (defs(&g.removed), defs(&g.added));
            let gone: Vec<&String> = old.iter().filter(|n| !new.contains(n)).collect();
            let came: Vec<&String> = new.iter().filter(|n| !old.contains(n)).collect();
            if let ([a], [b]) = (gone.as_slice(), came.as_slice()) {
                renamed.push(((*a).clone(), (*b).clone()));
            }
        }
        // A module moved and its function renamed on the way
        // (`middleware/requireAuth.ts` → `plugins/auth.ts`, `requireAuth` →
        // `authenticate`): one name gone from the whole change, one come.
        if renamed.is_empty() {
            let defs = |new: bool| -> Vec<String> {
                change
                    .files
                    .iter()
                    .filter(|g| !g.class.test_like())
                    .flat_map(|g| if new { &g.added } else { &g.removed })
                    .filter_map(|l| super::code::function_name(l.text).map(str::to_string))
                    .collect()
            };
            let (old, new) = (defs(false), defs(true));
            let gone: Vec<&String> = old.iter().filter(|n| !new.contains(n)).collect();
            let came: Vec<&String> = new.iter().filter(|n| !old.contains(n)).collect();
            if let ([a], [b]) = (gone.as_slice(), came.as_slice()) {
                renamed.push(((*a).clone(), (*b).clone()));
            }
        }
        AddedAuth {
            kept,
            added_checks,
            renamed,
            added_lines,
        }
    })
}

/// Whether `check` (a removed line) still stands, word for word, in a
/// function of the new file that the change's added lines call: the check
/// moved into a helper every caller goes through (`requireAdmin(w, r)`).
fn in_called_helper(f: &FileView<'_>, check: &str) -> bool {
    let Some(text) = f.new_text() else {
        return false;
    };
    let lines: Vec<&str> = text.lines().collect();
    lines.iter().enumerate().any(|(i, l)| {
        if l.trim() != check {
            return false;
        }
        let Some(name) = lines[..i]
            .iter()
            .rev()
            .take(12)
            .find_map(|h| super::code::function_name(h))
        else {
            return false;
        };
        let call = format!("{name}(");
        f.added
            .iter()
            .any(|a| a.text.contains(&call) && super::code::function_name(a.text) != Some(name))
    })
}

/// The name of the function that held old line `no` (a few lines up).
fn old_function_of<'a>(f: &'a FileView<'_>, no: u32) -> Option<&'a str> {
    let old = f.old_text()?;
    let lines: Vec<&str> = old.lines().take(no as usize).collect();
    lines
        .iter()
        .rev()
        .skip(1)
        .take(12)
        .find_map(|h| super::code::function_name(h))
}

/// Whether the function that held old line `no` carries the decorator
/// `@deco` on the new side.
fn now_decorated_with(f: &FileView<'_>, no: u32, deco: &str) -> bool {
    let (Some(old), Some(new)) = (f.old_text(), f.new_text()) else {
        return false;
    };
    let Some(name) = old
        .lines()
        .take(no as usize)
        .collect::<Vec<_>>()
        .iter()
        .rev()
        .find_map(|l| super::code::function_name(l))
    else {
        return false;
    };
    let lines: Vec<&str> = new.lines().collect();
    lines.iter().enumerate().any(|(i, l)| {
        super::code::function_name(l) == Some(name)
            && lines[..i]
                .iter()
                .rev()
                .take_while(|d| d.trim_start().starts_with('@'))
                .any(|d| d.trim_start()[1..].split('(').next() == Some(deco))
    })
}

/// A handler wrapped in something that named a privilege, now wrapped in
/// something that does not (`export default withAdmin(handler)` →
/// `withSession(handler)`, `@staff_required(view)` → `@login_required`):
/// every signed-in user reaches what only the privileged did.
fn privilege_wrapper_swapped(
    f: &FileView<'_>,
    change: &super::ChangeView<'_>,
    out: &mut Vec<Finding>,
) {
    static PRIVILEGED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(\w*(?i:admin|staff|superuser|owner|role|permission|privileged)\w*)\s*\(\s*([A-Za-z_]\w{2,})\s*[,)]").unwrap()
    });
    static WRAPPER: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b([A-Za-z_]\w*)\s*\(\s*([A-Za-z_]\w{2,})\s*[,)]").unwrap());
    static WRAPPER_NAME: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)^(with|require|ensure|only|must|protect|guard)|(required|only|guard|middleware)$",
        )
        .unwrap()
    });
    static PRIVILEGE_WORD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(admin|staff|superuser|owner|role|permission|privileged|authori[sz]e|can)")
            .unwrap()
    });
    let new_text = f.new_text_or_hunks();
    for r in f.removed_code() {
        for c in PRIVILEGED.captures_iter(r.text) {
            let (old, arg) = (&c[1], &c[2]);
            // A wrapper or a requirement, not any call naming a role
            // (`getOwner(account)`).
            if !WRAPPER_NAME.is_match(old) || super::code::has_word(&new_text, old) {
                continue;
            }
            let swapped = f.added_code().find_map(|a| {
                WRAPPER.captures_iter(a.text).find_map(|w| {
                    (w[2] == *arg && w[1] != *old && !PRIVILEGE_WORD.is_match(&w[1]))
                        .then(|| (a, w[1].to_string()))
                })
            });
            if let Some((a, new)) = swapped {
                if roles_declared_elsewhere(f, change, r.no, r.text) {
                    continue;
                }
                out.push(Finding::added(
                    "authz-wrapper-weakened",
                    Severity::High,
                    f.path,
                    Some(a.no),
                    format!(
                        "`{arg}` was wrapped in `{old}` and is wrapped in `{new}` now: the privilege the old wrapper named is no longer required, so any caller the new one lets in reaches it."
                    ),
                ));
                return;
            }
        }
    }
}

/// Whether the roles a removed requirement named (`requireRole(ctx,
/// 'BILLING_ADMIN', 'OWNER')`) are declared, every one of them, on the same
/// member in another file the change adds lines to: the check moved into a
/// declaration (a GraphQL `@auth(requires: [BILLING_ADMIN, OWNER])`, a route
/// table's `roles:`) that the framework enforces.
fn roles_declared_elsewhere(
    f: &FileView<'_>,
    change: &super::ChangeView<'_>,
    no: u32,
    removed: &str,
) -> bool {
    static ROLE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"["'`]([A-Za-z][\w:-]{1,40})["'`]"#).unwrap());
    static MEMBER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*(?:async\s+)?(\w+)\s*(?::\s*(?:async\s*)?(?:\(|function\b|\w+\s*=>)|\([^)]*\)\s*\{)")
            .unwrap()
    });
    let roles: Vec<&str> = ROLE
        .captures_iter(removed)
        .map(|c| c.get(1).map_or("", |m| m.as_str()))
        .collect();
    let Some(old) = f.old_text() else {
        return false;
    };
    let above: Vec<&str> = old.lines().take(no as usize).collect();
    let Some(member) = above.iter().rev().skip(1).take(12).find_map(|l| {
        super::code::function_name(l).or_else(|| {
            MEMBER
                .captures(l)
                .and_then(|c| c.get(1))
                .map(|m| m.as_str())
        })
    }) else {
        return false;
    };
    !roles.is_empty()
        && change
            .files
            .iter()
            .filter(|g| g.path != f.path && !g.class.test_like() && !g.class.docs)
            .flat_map(|g| g.added.iter())
            .any(|a| {
                super::code::has_word(a.text, member)
                    && roles.iter().all(|r| super::code::has_word(a.text, r))
            })
}

/// An allow-list of what a request may write (Rails `permit`, Laravel
/// `$fillable`, a serializer's `fields`, a list of permitted attributes)
/// that now names a role, an owner or a tenant: the client sets it on its
/// own record. Read-only and excluded lists say the opposite.
fn privileged_field_permitted(f: &FileView<'_>, out: &mut Vec<Finding>) {
    static WRITABLE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(\.permit\s*\(|\$fillable\b|\battr_accessible\b|^\s*fields\s*=|\w*(permitted|writable|allowed|updatable)_?(fields|params|attributes|keys)\w*\s*=|\w*_ATTRIBUTES\s*=|\w*_PARAMS\s*=)").unwrap()
    });
    static NOT_WRITABLE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)(read_?only|readonly|exclude|guarded|hidden|protected|blocked|forbidden|denied)",
        )
        .unwrap()
    });
    static WORD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[A-Za-z_]\w*").unwrap());
    let Some(text) = f.new_text() else {
        return;
    };
    let lines: Vec<&str> = text.lines().collect();
    let before: String = f
        .removed
        .iter()
        .map(|l| l.text)
        .collect::<Vec<_>>()
        .join("\n");
    for l in f.added_code() {
        let Some(field) = WORD.find_iter(l.text).map(|m| m.as_str()).find(|w| {
            super::structured::PRIVILEGED_FIELD.is_match(w) && !super::code::has_word(&before, w)
        }) else {
            continue;
        };
        // The list this line belongs to: opened on it or up to eight lines above.
        let at = (l.no as usize).saturating_sub(1);
        let Some(opener) = (at.saturating_sub(8)..=at)
            .rev()
            .filter_map(|i| lines.get(i))
            .find(|t| WRITABLE.is_match(t) || NOT_WRITABLE.is_match(t))
        else {
            continue;
        };
        if NOT_WRITABLE.is_match(opener) || !WRITABLE.is_match(opener) {
            continue;
        }
        out.push(Finding::added(
            "sec-mass-assignment",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "The fields a request may write now include `{field}` (`{}`): a client can set it on its own record (its role, its owner, its tenant).",
                quote(l.text.trim())
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod wrapper_tests {
    use crate::risk::testkit::rules_hit;

    #[test]
    fn a_privileged_wrapper_swapped_for_a_plain_one_is_found() {
        let hit = rules_hit(
            "pages/api/admin/users.ts",
            Some(
                "import { withAdmin } from '@/lib/withAdmin';\nexport default withAdmin(handler);\n",
            ),
            Some(
                "import { withSession } from '@/lib/withSession';\nexport default withSession(handler);\n",
            ),
        );
        assert!(
            hit.contains(&"authz-wrapper-weakened".to_string()),
            "{hit:?}"
        );
        // Another privileged wrapper, or a lookup that names an owner: not this.
        let hit = rules_hit(
            "pages/api/admin/users.ts",
            Some("export default withAdmin(handler);\nconst o = getOwner(account);\n"),
            Some("export default withRole('admin', handler);\nconst o = fetchAccount(account);\n"),
        );
        assert!(
            !hit.contains(&"authz-wrapper-weakened".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn a_role_added_to_permitted_params_is_found_and_to_read_only_fields_is_not() {
        use crate::risk::testkit::rules_hit_with_contents;
        let old = "class ProfilesController\n  def user_params\n    params.require(:user).permit(:name, :email)\n  end\nend\n";
        let new = "class ProfilesController\n  def user_params\n    params.require(:user).permit(:name, :email, :role)\n  end\nend\n";
        let hit = rules_hit_with_contents("app/controllers/profiles_controller.rb", old, new);
        assert!(hit.contains(&"sec-mass-assignment".to_string()), "{hit:?}");
        let old = "class S(serializers.ModelSerializer):\n    class Meta:\n        fields = [\"name\"]\n        read_only_fields = [\"id\"]\n";
        let new = "class S(serializers.ModelSerializer):\n    class Meta:\n        fields = [\"name\"]\n        read_only_fields = [\"id\", \"role\"]\n";
        let hit = rules_hit_with_contents("app/api/serializers.py", old, new);
        assert!(!hit.contains(&"sec-mass-assignment".to_string()), "{hit:?}");
    }
}

/// Whether the string on line `no` is the template of a composed query
/// (psycopg's `sql.SQL("… {table} …").format(table=sql.Identifier(t))`): its
/// placeholders are filled with quoted identifiers and literals, not pasted
/// text. The call may open a line or two above the string.
fn composed_sql(f: &FileView<'_>, no: u32) -> bool {
    static COMPOSED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"\bsql\.SQL\(\s*(?:["']|$)"#).unwrap());
    static F_STRING: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"\b[fF]["']"#).unwrap());
    let Some(text) = f.new_text() else {
        return false;
    };
    let lines: Vec<&str> = text.lines().collect();
    let at = (no as usize).saturating_sub(1);
    if at >= lines.len() {
        return false;
    }
    let from = at.saturating_sub(3);
    let window = &lines[from..=at];
    // The call opens in the window, and no line from there on is an
    // f-string (which would paste before `sql.SQL` ever sees it).
    window
        .iter()
        .rposition(|l| COMPOSED.is_match(l))
        .is_some_and(|i| !window[i..].iter().any(|l| F_STRING.is_match(l)))
}

/// Security rules for one file.
/// Endpoints a protocol needs reachable without credentials: health probes,
/// discovery documents (`.well-known`, OpenID configuration, JWKS), a SAML
/// service provider's or identity provider's metadata, robots.txt.
static OPEN_BY_PROTOCOL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(["'/]health(z|check)?\b|\bHealth(Check)?\s*\(|["'/](livez|readyz|liveness|readiness|ping)\b|\.well-known/|openid-configuration|\bjwks\b|robots\.txt)"#).unwrap()
});
/// A file that receives webhooks or signed callbacks.
static WEBHOOK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(webhook|hooks?/|callbacks?/|slack|stripe|twilio|sendgrid|github_?events)")
        .unwrap()
});
/// A sender's signature checked.
static SIGNATURE_VERIFIED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(before_action\s+:\w*(signature|hmac)\w*|verify_?\w*signature|valid_?signature|validate_?\w*signature|signature_?valid|compare_digest|secure_compare|timingSafeEqual|constructEvent|construct_event|hash_equals\s*\(|MessageDigest\.isEqual|ConstantTimeCompare|FixedTimeEquals)").unwrap()
});
/// A file named for an endpoint public by protocol.
static WELL_KNOWN_FILE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(well_?-?known|jwks|openid_?configuration)").unwrap());
/// Endpoints for people who are not signed in yet.
static SIGN_IN_FLOW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(password_?resets?|passwords_controller|forgot_?password|reset_?password|PasswordReset|ForgotPassword|sessions_controller|registrations_controller|confirmations_controller|unlocks_controller|omniauth_callbacks|\bsign_?(in|up)\b|SignIn|SignUp|\blogin\b|LoginController|login_controller)").unwrap()
});
/// A security configuration that keeps no server-side session.
static STATELESS_SESSIONS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(SessionCreationPolicy\.STATELESS|sessionCreationPolicy\s*\(\s*STATELESS|SESSION_ENGINE\s*=\s*None|session\s*:\s*false)").unwrap()
});
static METADATA: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)(["'/]metadata\b|\bMetadata\s*\()"#).unwrap());
static FEDERATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(saml|sso|federation|shibboleth)").unwrap());

/// An authentication check switched off for an endpoint that is public by
/// protocol (`[AllowAnonymous]` on a SAML SP's metadata action, `permitAll()`
/// for `/.well-known/jwks.json`): what it serves is meant for anyone, so the
/// finding is low. The handler is read from the line and the few below it
/// (the attributes and signature an annotation applies to).
/// The paths a constant named on `line` holds, when every one of them is
/// an endpoint its protocol needs open (`PROBE_PATHS = { "/actuator/health",
/// "/actuator/health/liveness" }`): the first of them.
fn protocol_paths_named(line: &str, lines: &[&str]) -> Option<String> {
    static CONSTANT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b[A-Z][A-Z0-9_]{2,}\b").unwrap());
    static QUOTED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#""([^"\n]*)"|'([^'\n]*)'"#).unwrap());
    for name in CONSTANT.find_iter(line).map(|m| m.as_str()) {
        let Some(at) = lines.iter().position(|t| {
            t.contains(name)
                && t.split_once(name).is_some_and(|(_, rest)| {
                    rest.trim_start().starts_with(['=', ':'])
                        || rest.trim_start().starts_with("[] =")
                })
        }) else {
            continue;
        };
        // The definition runs to the line that closes it.
        let mut body = String::new();
        for t in lines.iter().skip(at).take(12) {
            body.push_str(t);
            body.push('\n');
            if t.contains(';') || t.trim_start().starts_with(['}', ']', ')']) {
                break;
            }
        }
        let paths: Vec<String> = QUOTED
            .captures_iter(&body)
            .filter_map(|c| {
                c.get(1)
                    .or_else(|| c.get(2))
                    .map(|m| m.as_str().to_string())
            })
            .collect();
        if !paths.is_empty()
            && paths
                .iter()
                .all(|p| OPEN_BY_PROTOCOL.is_match(&format!("\"{p}")))
        {
            return Some(paths[0].clone());
        }
    }
    None
}

pub fn open_by_protocol(f: &FileView<'_>, change: &super::ChangeView<'_>, out: &mut [Finding]) {
    let text = f.new_text();
    // A webhook receiver of the change (its own file) that checks the
    // sender's signature: a security config opening its path leaves it
    // proven by that signature.
    let receiver_verifies = change.files.iter().any(|g| {
        g.path != f.path
            && WEBHOOK.is_match(g.path)
            && g.new_text().is_some_and(|t| SIGNATURE_VERIFIED.is_match(t))
    });
    let lines: Vec<&str> = text.map(|t| t.lines().collect()).unwrap_or_default();
    let line_at = |n: u32| -> Option<&str> {
        lines
            .get((n as usize).checked_sub(1)?)
            .copied()
            .or_else(|| f.new_lines.get(&n).copied())
    };
    for x in out.iter_mut() {
        if x.rule != "sec-auth-disabled" || x.side != super::Side::New {
            continue;
        }
        let Some(line) = x.line else { continue };
        let handler: Vec<&str> = (line..line + 6).map_while(line_at).collect();
        let handler = handler.join("\n");
        // The attributes and route just above it, and the file's own name
        // (`WellKnownController.cs`), say where it is mounted too.
        let above: Vec<&str> = (line.saturating_sub(4).max(1)..line)
            .filter_map(line_at)
            .filter(|t| {
                let t = t.trim_start();
                t.starts_with('[') || t.starts_with('@') || t.contains("Route")
            })
            .collect();
        let around = format!("{}\n{handler}", above.join("\n"));
        let file_name = f.path.rsplit('/').next().unwrap_or(f.path);
        // What was switched off: a CSRF check, or authentication.
        let csrf = line_at(line).is_some_and(|t| {
            let t = t.to_ascii_lowercase();
            t.contains("csrf") || t.contains("authenticity_token")
        });
        let what = OPEN_BY_PROTOCOL
            .find(&around)
            .or_else(|| WELL_KNOWN_FILE.find(file_name))
            .map(|m| m.as_str().to_string())
            .or_else(|| line_at(line).and_then(|t| protocol_paths_named(t, &lines)))
            .or_else(|| {
                let federated = FEDERATION.is_match(f.path) || FEDERATION.is_match(&handler);
                METADATA
                    .find(&handler)
                    .filter(|_| federated)
                    .map(|m| format!("{} (federation metadata)", m.as_str()))
            });
        if let Some(what) = what {
            x.severity = Severity::Low;
            x.message.push_str(&format!(
                " It opens {}, which its protocol needs reachable without credentials.",
                quote(what.trim_matches(['"', '\'', '/', '(']))
            ));
        } else if (WEBHOOK.is_match(f.path) || WEBHOOK.is_match(&around))
            && (text.is_some_and(|t| SIGNATURE_VERIFIED.is_match(t))
                || WEBHOOK.is_match(&around) && receiver_verifies)
        {
            // A webhook proves its sender with a signature, checked in this
            // file, instead of a session or a CSRF token.
            x.severity = Severity::Low;
            x.message.push_str(
                " It receives webhooks, whose sender this file checks by signature instead of a session or CSRF token.",
            );
        } else if !csrf && line_at(line).is_some_and(|t| opted_out_of_new_default(f, change, t)) {
            // Open before the change and open after it: the check this
            // route skips is one the change itself makes the default.
            x.severity = Severity::Low;
            x.message.push_str(
                " The check it skips is one this change makes the default elsewhere, and this file did not run it before: the route is as open as it was.",
            );
        } else if !csrf && (SIGN_IN_FLOW.is_match(file_name) || SIGN_IN_FLOW.is_match(&around)) {
            // Signing in, signing up and resetting a password serve people
            // who have no session yet: they cannot ask for one.
            x.severity = Severity::Low;
            x.message.push_str(
                " It serves people who are not signed in yet (signing in, signing up, resetting a password), who cannot prove who they are with a session.",
            );
        } else if csrf && text.is_some_and(|t| STATELESS_SESSIONS.is_match(t)) {
            // CSRF rides on a session cookie; a chain that keeps no session
            // and authenticates each request by its token has none to ride.
            x.severity = Severity::Low;
            x.message.push_str(
                " The same configuration keeps no session (stateless, token on every request), so there is no cookie for a forged request to ride on.",
            );
        }
    }
}

/// Whether `skip` (`skip_before_action :authenticate_user`,
/// `[AllowAnonymous]`) opts out of a check that the change makes the
/// default in another file (a base controller's `before_action`, a global
/// guard) that file did not have before, while this file's old text never
/// ran it: the route was open before and stays open.
fn opted_out_of_new_default(f: &FileView<'_>, change: &super::ChangeView<'_>, skip: &str) -> bool {
    static NAMED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"skip_before_action\s+:(\w+)|withoutMiddleware\(\s*\[?\s*['"]?([\w:\\]+)"#)
            .unwrap()
    });
    if !OPT_OUT.is_match(skip) {
        return false;
    }
    let Some(old) = f.old_text() else {
        return false;
    };
    let name = NAMED
        .captures(skip)
        .and_then(|c| c.get(1).or(c.get(2)))
        .map(|m| m.as_str());
    // This file ran no such check before the change.
    let ran_before = match name {
        Some(n) => old.contains(n),
        None => AUTH_CHECK.is_match(old),
    };
    if ran_before {
        return false;
    }
    change.files.iter().any(|g| {
        g.path != f.path
            && !g.class.test_like()
            && g.added_code().any(|a| {
                let default = GLOBAL_REGISTRATION.is_match(a.text)
                    || a.text.trim_start().starts_with("before_action");
                default
                    && match name {
                        Some(n) => a.text.contains(n),
                        None => AUTH_CHECK.is_match(a.text),
                    }
                    && !g.old_text().is_some_and(|t| t.contains(a.text.trim()))
            })
    })
}

/// A line of literal text only, joined to the literal that opens the next
/// line (`"UPDATE users SET a = NULL, " +` then `"b = NULL WHERE id = :id"`):
/// one string written over two lines, nothing pasted in.
fn joined_to_next_literal(f: &FileView<'_>, no: u32, line: &str) -> bool {
    let bare = STRINGS.replace_all(line, "");
    let bare = bare.trim();
    (bare == "+" || bare == ".")
        && f.new_lines
            .get(&(no + 1))
            .is_some_and(|next| next.trim_start().starts_with(['"', '\'']))
}

/// In a shell script, a line is SQL only when it hands a statement to a
/// database client or writes one out (`psql -c "DELETE FROM … $id"`);
/// `kubectl get -o jsonpath='{…}'` in a loop is not.
fn shell_sql(f: &FileView<'_>, line: &str) -> bool {
    static SQL_IN_SHELL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(psql|mysql|mariadb|sqlite3|sqlcmd|clickhouse-client|snowsql|cqlsh|duckdb|bq\s+query)\b|\bselect\s.+\sfrom\b|\binsert\s+into\b|\bupdate\s+\w+\s+set\b|\bdelete\s+from\b").unwrap()
    });
    f.class.lang != super::lang::Lang::Shell || SQL_IN_SHELL.is_match(line)
}

pub fn check(f: &FileView<'_>, change: &super::ChangeView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs || f.class.vendored {
        return;
    }
    if f.deleted() {
        if auth_module(f.path) && f.removed.iter().any(|l| AUTH_CHECK.is_match(l.text)) {
            out.push(Finding::removed(
                "sec-auth-module-deleted",
                Severity::High,
                f.path,
                None,
                "Deletes a module that performs authentication or authorization checks: make sure every route it guarded is still guarded.",
            ));
        }
        return;
    }
    if !matches!(
        f.class.lang,
        super::lang::Lang::Sql
            | super::lang::Lang::Markdown
            | super::lang::Lang::Yaml
            | super::lang::Lang::Json
    ) && !super::lang::stylesheet(f.path)
        && let Some(l) = f.added_code().find(|l| {
            sql_concatenation(l.text)
                && !composed_sql(f, l.no)
                && shell_sql(f, l.text)
                && !joined_to_next_literal(f, l.no, l.text)
        })
    {
        out.push(Finding::added(
                "sec-sql-string-building",
                Severity::High,
                f.path,
                Some(l.no),
                format!("Builds SQL by pasting values into the string ({}): use bind parameters, or this is an SQL injection.", quote(l.text)),
            ));
    }
    privilege_wrapper_swapped(f, change, out);
    privileged_field_permitted(f, out);
    order_by_placeholder(f, out);
    sql_formatted_across_lines(f, out);
    class_opened(f, out);
    if let Some((l, name)) = clause_formatted_from_values(f) {
        out.push(Finding::added(
            "sec-sql-string-building",
            Severity::High,
            f.path,
            Some(l.no),
            format!("`{name}` builds a piece of SQL by formatting values into it ({}): a sort or filter value from a request becomes SQL; pick it from an allow-list or bind it.", quote(l.text.trim())),
        ));
    }
    if !matches!(
        f.class.lang,
        super::lang::Lang::Markdown | super::lang::Lang::Yaml | super::lang::Lang::Json
    ) {
        pattern_from_values(f, out);
    }
    predictable_temp(f, out);
    let AddedAuth {
        kept,
        added_checks,
        renamed,
        added_lines,
    } = added_auth(change);
    let renamed_functions = renamed;
    // The same check calling a function the change renamed.
    let written_renamed = |line: &str| {
        let t = line.trim();
        renamed.iter().any(|(a, b)| {
            super::code::has_word(t, a) && {
                let again = t.replace(a.as_str(), b);
                added_lines.iter().any(|x| x.trim() == again)
            }
        })
    };
    let names_same = |text: &str| {
        QUOTED
            .find_iter(text)
            .any(|q| q.as_str().len() > 3 && added_checks.iter().any(|a| a.contains(q.as_str())))
    };
    // A guard block goes as a whole: when one of its removed lines names a
    // check added elsewhere, its `403` and `return` went with it.
    let mut moved_runs: Vec<(u32, u32)> = Vec::new();
    let mut run: Option<(u32, u32, bool)> = None;
    for l in &f.removed {
        let same = AUTH_CHECK.is_match(l.text) && names_same(l.text);
        run = match run {
            Some((a, b, s)) if l.no == b + 1 => Some((a, l.no, s || same)),
            Some((a, b, s)) => {
                if s {
                    moved_runs.push((a, b));
                }
                Some((l.no, l.no, same))
            }
            None => Some((l.no, l.no, same)),
        };
    }
    if let Some((a, b, true)) = run {
        moved_runs.push((a, b));
    }
    // Roles the change names in method security annotations it adds
    // (`@PreAuthorize("hasRole('LEGAL_ADMIN')")`, `@Secured`,
    // `@RolesAllowed`, `[Authorize(Roles = …)]`): an inline check of one of
    // them, removed beside it, moved into the annotation.
    let annotated_roles: Vec<String> = f
        .added_code()
        .filter(|l| METHOD_SECURITY_ANNOTATION.is_match(l.text))
        .flat_map(|l| super::behaviour::roles_named(l.text))
        .collect();
    // Roles the change names in an annotation it adds on a class (which
    // covers each of its methods): `requireAdmin(principal)` removed from
    // each handler under a new class-level `@PreAuthorize("hasRole('ADMIN')")`
    // moved there, the role being in the check's name.
    let class_roles = class_annotation_roles(f);
    let moved_into_annotation = |no: u32| {
        f.removed
            .iter()
            .filter(|r| r.no + 2 >= no && r.no <= no)
            .flat_map(|r| super::behaviour::roles_named(r.text))
            .any(|r| annotated_roles.contains(&r))
    };
    let lookup = f.new_text().map(shared_lookup_lines).unwrap_or_default();
    let mut flagged = 0;
    for l in f.removed_code() {
        let Some(m) = AUTH_CHECK.find(l.text) else {
            continue;
        };
        if kept.iter().any(|k| same_check(k, m.as_str())) || written_renamed(l.text) {
            continue;
        }
        if in_called_helper(f, l.text.trim())
            || change.written_out.get().is_some_and(|w| {
                w.iter().any(|(n, k)| {
                    super::code::has_word(l.text, n)
                        && (k.is_empty() || now_decorated_with(f, l.no, k))
                })
            })
        {
            continue;
        }
        // A hand-written signature comparison replaced by the provider's own
        // verifier (`stripe.Webhook.construct_event(payload, sig, secret)`).
        if SIGNATURE_COMPARE.is_match(m.as_str()) && provider_verifier_near(f, l.no) {
            continue;
        }
        // A hand-written 401 replaced by the framework's helper that answers
        // 401 itself when its block finds no one
        // (`authenticate_or_request_with_http_token do |t| … end`).
        if f.added_code()
            .any(|a| a.no.abs_diff(l.no) <= 8 && REFUSING_HELPER.is_match(a.text))
        {
            continue;
        }
        if moved_runs.iter().any(|(a, b)| (*a..=*b).contains(&l.no)) {
            continue;
        }
        // A renamed check: the same line with another name in its place.
        let (before, after) = (&l.text[..m.start()], &l.text[m.end()..]);
        let renamed = f.added.iter().any(|a| {
            a.text.len() > before.len() + after.len()
                && a.text.starts_with(before)
                && a.text.ends_with(after)
                && a.text[before.len()..a.text.len() - after.len()]
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | ':' | '!' | '@'))
        });
        if renamed {
            continue;
        }
        // `isAdmin` in a removed log line is not a check; require check-like syntax.
        let t = l.text.trim();
        // A way around the check removed (`skip_before_action
        // :authenticate_user!`, `[AllowAnonymous]`): the check now runs in
        // more places, not fewer.
        if t.starts_with("skip_before_action")
            || t.starts_with("skip_around_action")
            || t.starts_with("[AllowAnonymous")
            || t.starts_with("@AllowAnonymous")
        {
            continue;
        }
        if ["use ", "import ", "from ", "#include", "require ", "using "]
            .iter()
            .any(|p| t.starts_with(p))
        {
            continue; // an import, not a check
        }
        let checky = t.starts_with('@')
            || t.starts_with('[')
            || t.starts_with("before_action")
            || t.starts_with("plug ")
            || t.contains("if ")
            || t.contains("unless ")
            || t.contains("guard ")
            || t.contains("!")
            || t.contains("return")
            || t.contains("raise")
            || t.contains("throw")
            || t.contains("permission_classes")
            || t.contains(".use(")
            || t.contains("Depends(")
            || t.contains("middleware")
            || t.contains("assert")
            || t.contains("await ")
            || t.contains("abort")
            || t.ends_with(',')
            || t.ends_with(';')
            || t.ends_with(')');
        // A name in a list of names (`"HTTP_401_UNAUTHORIZED",` in
        // `__all__`) is an export, not a check.
        let entry = t.trim_end_matches(',');
        let only_a_string = entry.len() > 2
            && entry.starts_with(['"', '\''])
            && entry.ends_with(['"', '\''])
            && entry[1..entry.len() - 1]
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_');
        if !checky || only_a_string {
            continue;
        }
        // A method's annotation that repeated the one its class still has
        // (`@PreAuthorize("hasRole('X')")` on the class and on each handler):
        // the class-level one covers the method.
        let indent = |x: &str| x.len() - x.trim_start().len();
        let on_enclosing = (t.starts_with('@') || t.starts_with('['))
            && f.new_text().is_some_and(|n| {
                n.lines()
                    .any(|x| x.trim() == t && indent(x) < indent(l.text))
            });
        if on_enclosing
            || !annotated_roles.is_empty() && moved_into_annotation(l.no)
            || role_in_check_name(m.as_str()).is_some_and(|r| class_roles.contains(&r))
            || !class_roles.is_empty()
                && deleted_check_roles(f, m.as_str())
                    .iter()
                    .any(|r| class_roles.contains(r))
            // Inside such a helper's deleted body (its `throw new
            // AccessDeniedException(…)`).
            || !class_roles.is_empty()
                && f.removed_code()
                    .filter(|r| r.no <= l.no && l.no - r.no <= 20)
                    .filter_map(|r| super::code::function_name(r.text))
                    .last()
                    .is_some_and(|name| {
                        deleted_check_roles(f, name)
                            .iter()
                            .any(|r| class_roles.contains(r))
                    })
            || old_function_of(f, l.no)
                .and_then(role_in_check_name)
                .is_some_and(|r| class_roles.contains(&r))
            || old_function_of(f, l.no).is_some_and(|name| {
                // A check helper deleted and named in the access arguments
                // the change adds (`permission_classes=BILLING_ADMIN`).
                !f.new_text_or_hunks()
                    .lines()
                    .any(|x| super::code::function_name(x) == Some(name))
                    && super::behaviour::check_named_in_access_argument(name, &f.added_text)
            })
        {
            continue;
        }
        if in_enclosing_group(f, l.text) || scoped_lookup_instead(f, t) {
            continue;
        }
        // Under the name the change gave it (`checkAuth` → `requireSession`,
        // now `router.use(requireSession)`).
        let renamed_check = renamed_functions
            .iter()
            .find(|(a, _)| super::code::has_word(m.as_str(), a))
            .map(|(a, b)| m.as_str().replace(a.as_str(), b));
        if (applied_globally(m.as_str(), added_lines.iter().copied())
            || renamed_check
                .is_some_and(|r| applied_globally(r.as_str(), added_lines.iter().copied())))
            && !opted_out_near(f, l.no)
        {
            continue;
        }
        // The ownership test this answered (`if note.OwnerID != user.ID {`
        // just above) is now the query's.
        if f.removed.iter().any(|r| {
            r.no + 3 >= l.no
                && r.no <= l.no
                && ownership_now_in_query(r.text, added_lines.iter().chain(&lookup).copied())
        }) {
            continue;
        }
        if guarded_only_deleted_routes(change, l.text)
            || inherited_from_new_parent(
                f,
                change
                    .files
                    .iter()
                    .filter(|g| g.class.production())
                    .filter_map(|g| g.new_text()),
                t,
            )
        {
            continue;
        }
        flagged += 1;
        if flagged > 3 {
            break;
        }
        out.push(Finding::removed(
            "sec-auth-check-removed",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "Removes an authentication or authorization check (`{}`) and does not add it back: confirm the caller is still checked somewhere else.",
                quote(m.as_str())
            ),
        ));
    }
}

/// Roles named by the method-security annotations the change adds on a
/// class (`@PreAuthorize("hasRole('ADMIN')")`, `[Authorize(Roles =
/// "Admin")]`): they cover each of its methods.
pub(crate) fn class_annotation_roles(f: &FileView<'_>) -> Vec<String> {
    let Some(t) = f.new_text() else {
        return Vec::new();
    };
    let lines: Vec<&str> = t.lines().collect();
    f.added_code()
        .filter(|l| METHOD_SECURITY_ANNOTATION.is_match(l.text))
        .filter(|l| annotates_class(&lines, l.no))
        .flat_map(|l| super::behaviour::roles_named(l.text))
        .collect()
}

/// The roles a check helper the change deletes tested: quoted in its body,
/// or held by a constant its body names (`PAYOUTS_ADMIN.equals(…)` with
/// `PAYOUTS_ADMIN = "PAYOUTS_ADMIN"` removed too), lowercased as
/// [`super::behaviour::roles_named`] gives them.
pub(crate) fn deleted_check_roles(f: &FileView<'_>, check: &str) -> Vec<String> {
    static CONSTANT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b[A-Z][A-Z0-9_]{2,}\b").unwrap());
    let name: String = check
        .chars()
        .skip_while(|c| !(c.is_alphanumeric() || *c == '_'))
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if name.is_empty() {
        return Vec::new();
    }
    let removed: Vec<&super::Line<'_>> = f.removed_code().collect();
    let Some(start) = removed
        .iter()
        .position(|l| super::code::function_name(l.text) == Some(name.as_str()))
    else {
        return Vec::new();
    };
    let body: Vec<&str> = removed[start..]
        .iter()
        .take(20)
        .enumerate()
        .take_while(|(i, l)| *i == 0 || !super::code::starts_function(l.text))
        .map(|(_, l)| l.text)
        .collect();
    let mut roles: Vec<String> = body
        .iter()
        .flat_map(|l| super::behaviour::roles_named(l))
        .collect();
    for c in body.iter().flat_map(|l| CONSTANT.find_iter(l)) {
        roles.extend(
            removed
                .iter()
                .filter(|l| l.text.contains(&format!("{} =", c.as_str())))
                .flat_map(|l| super::behaviour::roles_named(l.text)),
        );
    }
    roles
}

/// Method security annotations: `@PreAuthorize`, `@Secured`,
/// `@RolesAllowed`, `[Authorize(Roles = …)]`, Django's `permission_required`.
static METHOD_SECURITY_ANNOTATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*[@\[](PreAuthorize|Secured|RolesAllowed|Authorize|permission_required|requires_role|roles_required)\b").unwrap()
});

/// The annotation on new-side line `no` (1-based) is on a class: the first
/// line below it that is not another annotation declares one.
fn annotates_class(lines: &[&str], no: u32) -> bool {
    lines
        .iter()
        .skip(no as usize)
        .map(|l| l.trim())
        .find(|l| !l.is_empty() && !l.starts_with('@') && !l.starts_with('['))
        .is_some_and(|l| {
            l.split(|c: char| !c.is_alphanumeric())
                .any(|w| w == "class")
        })
}

/// The role a check names in its own name (`requireAdmin` → `admin`,
/// `ensure_staff` → `staff`); none for checks of a session or of any
/// permission (`requireAuth`, `checkPermission`).
pub(crate) fn role_in_check_name(check: &str) -> Option<String> {
    let name = check.rsplit(['.', ':']).next().unwrap_or(check);
    let lower = name.to_ascii_lowercase().replace('_', "");
    let rest = [
        "require", "ensure", "check", "verify", "assert", "mustbe", "must", "enforce",
    ]
    .iter()
    .find_map(|p| lower.strip_prefix(p))?;
    let generic = [
        "",
        "auth",
        "authn",
        "authz",
        "authenticated",
        "authorized",
        "login",
        "loggedin",
        "session",
        "token",
        "jwt",
        "csrf",
        "permission",
        "permissions",
        "role",
        "roles",
        "access",
        "user",
        "scope",
        "scopes",
    ];
    (!generic.contains(&rest) && rest.chars().all(|c| c.is_ascii_alphanumeric()))
        .then(|| rest.to_string())
}

/// A route's own middleware that repeated its group's: `->middleware('auth')`
/// dropped from a route inside `Route::middleware(['auth', 'verified'])
/// ->group(…)`, which still applies it.
fn in_enclosing_group(f: &FileView<'_>, removed: &str) -> bool {
    static OWN: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"middleware\(\s*\[?([^)\]]*)").unwrap());
    static NAME: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"["']([\w:.,-]+)["']"#).unwrap());
    let Some(own) = OWN.captures(removed) else {
        return false;
    };
    let quoted =
        |x: &str, n: &str| x.contains(&format!("'{n}'")) || x.contains(&format!("\"{n}\""));
    // The names the route loses: those no added line still names (`['auth',
    // 'can:view,team']` → `'can:view,team'` loses `auth`).
    let names: Vec<&str> = NAME
        .captures_iter(own.get(1).map_or("", |m| m.as_str()))
        .map(|c| c.get(1).map_or("", |m| m.as_str()))
        .filter(|n| !f.added_code().any(|a| quoted(a.text, n)))
        .collect();
    let Some(new) = f.new_text() else {
        return false;
    };
    let indent = |x: &str| x.len() - x.trim_start().len();
    !names.is_empty()
        && new.lines().any(|x| {
            let t = x.trim_start();
            !(t.starts_with("//") || t.starts_with('#') || t.starts_with('*'))
                && x.contains("group")
                && x.contains("middleware")
                && indent(x) < indent(removed)
                && names.iter().all(|n| quoted(x, n))
        })
}

/// Whether an ownership comparison (`note.OwnerID != user.ID`) the change
/// removes is now made by the query that loads the record: a line it adds
/// filters on the owner's column (`WHERE id = $1 AND owner_id = $2`,
/// `filter(owner=…)`) and one passes the owner compared against
/// (`GetNote(ctx, user.ID, id)`). A record of another owner is not found,
/// which is the check.
pub(crate) fn ownership_now_in_query<'a>(
    cond: &str,
    added: impl Iterator<Item = &'a str> + Clone,
) -> bool {
    static COMPARED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"([\w.]+(?:\(\))?)\s*(?:!==?|===?|<>)\s*([\w.]+(?:\(\))?)").unwrap()
    });
    static OWNER_FIELD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^(owner|user|tenant|org|organization|account|team|workspace|company|customer|author|created_?by)_?(id)?$").unwrap()
    });
    let Some(c) = COMPARED.captures(cond) else {
        return false;
    };
    let last = |x: &str| -> String {
        x.trim_end_matches("()")
            .rsplit('.')
            .next()
            .unwrap_or(x)
            .to_string()
    };
    let (field, other) = if OWNER_FIELD.is_match(&last(&c[1])) && c[1].contains('.') {
        (last(&c[1]), c[2].to_string())
    } else if OWNER_FIELD.is_match(&last(&c[2])) && c[2].contains('.') {
        (last(&c[2]), c[1].to_string())
    } else {
        return false;
    };
    // `OwnerID`, `ownerId`, `owner_id` → `owner_id`; and `owner`.
    let mut column = String::new();
    let mut previous: Option<char> = None;
    for ch in field.chars() {
        let after_upper = previous.take().is_some_and(|p| p.is_ascii_uppercase());
        previous = Some(ch);
        if ch.is_ascii_uppercase() && !column.is_empty() && !column.ends_with('_') && !after_upper {
            column.push('_');
        }
        column.push(ch.to_ascii_lowercase());
    }
    let bare = column.trim_end_matches("_id").to_string();
    let filter = Regex::new(&format!(
        r"(?i)\b({}|{})\b\s*(=|==|:|=>|__exact\s*=)\s*[$?:@%\w(]",
        regex::escape(&column),
        regex::escape(&bare)
    ));
    let Ok(filter) = filter else { return false };
    let passed = |a: &str| {
        a.find(other.as_str()).is_some_and(|i| {
            let after = a[i + other.len()..].trim_start();
            (after.starts_with(',') || after.starts_with(')')) && a[..i].contains('(')
        })
    };
    // Who the record must belong to (`self.request.user.id` →
    // `request.user`): a filter that names them makes the check itself
    // (`filter(owner=self.request.user)`).
    let principal = {
        let p = other
            .trim_start_matches("self.")
            .trim_start_matches("this.");
        let p = ["id", "ID", "Id", "pk", "id()"]
            .iter()
            .find_map(|s| p.strip_suffix(s).and_then(|q| q.strip_suffix('.')))
            .unwrap_or(p);
        p.to_string()
    };
    let names_principal = |a: &str| {
        filter
            .find(a)
            .is_some_and(|m| principal.len() > 3 && a[m.start()..].contains(principal.as_str()))
    };
    added.clone().any(names_principal)
        || added.clone().any(|a| filter.is_match(a)) && added.into_iter().any(passed)
}

/// The lines of a file that every action's lookup goes through: Django REST
/// framework's `queryset = …` and the bodies of `get_queryset` and
/// `get_object`. A filter there scopes every action of the view; one in
/// another function of the file scopes only that function.
pub(crate) fn shared_lookup_lines(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    // The indentation of the lookup method whose body is being read.
    let mut body: Option<usize> = None;
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        if let Some(d) = body {
            if line.trim().is_empty() || indent > d {
                out.push(line);
                continue;
            }
            body = None;
        }
        let t = line.trim_start();
        if t.starts_with("def get_queryset") || t.starts_with("def get_object") {
            body = Some(indent);
        } else if t.starts_with("queryset =") || t.starts_with("queryset=") {
            out.push(line);
        }
    }
    out
}

/// Whether a removed rule guarded a path (`authorize("/internal/impersonate/**",
/// hasRole("SUPPORT_ADMIN"))`) that the change stops serving: the code that
/// served it is removed and nothing left in the change names it. A rule for
/// a route that no longer exists guards nothing.
/// The classes a text declares with the class each extends: Ruby `class A <
/// Base`, Python `class A(Base)`, `class A extends Base`, C# and Kotlin
/// `class A : Base`. Namespaces are dropped (`Admin::Base` → `Base`).
fn class_parents(text: &str) -> Vec<(String, String)> {
    static CLASS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^\s*(?:[\w\s]*\s)?class\s+(\w+)(?:<[^>\n]*>)?(?:\([^)\n]*\))?\s*(?:<|extends|:|\()\s*([\w:.]+)")
            .unwrap()
    });
    let last = |n: &str| n.rsplit([':', '.']).next().unwrap_or(n).to_string();
    CLASS
        .captures_iter(text)
        .map(|c| (c[1].to_string(), last(&c[2])))
        .collect()
}

/// A check the change deletes from a class that it now makes extend a class
/// which runs the same check (`before_action :authenticate_user!` in
/// `Admin::BaseController`, one of `texts`, the change's new production
/// files: a fixture or a doc declaring the class runs nothing):
/// inherited, not removed.
pub(crate) fn inherited_from_new_parent<'t>(
    f: &FileView<'_>,
    texts: impl IntoIterator<Item = &'t str>,
    check: &str,
) -> bool {
    static CLASS_NAME: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\bclass\s+(\w+)").unwrap());
    // Only a change to a class's declaration can give it a new parent.
    if !f.added.iter().any(|l| l.text.contains("class ")) {
        return false;
    }
    let (Some(old), Some(new)) = (f.old_text(), f.new_text()) else {
        return false;
    };
    let before = class_parents(old);
    let gained: Vec<String> = class_parents(new)
        .into_iter()
        .filter(|(class, parent)| !before.iter().any(|(c, p)| c == class && p == parent))
        .map(|(_, parent)| parent)
        .collect();
    if gained.is_empty() {
        return false;
    }
    let check = check.trim();
    texts.into_iter().any(|text| {
        CLASS_NAME
            .captures_iter(text)
            .any(|c| gained.iter().any(|p| *p == c[1]))
            && text.lines().any(|x| x.trim() == check)
    })
}

fn guarded_only_deleted_routes(change: &super::ChangeView<'_>, removed: &str) -> bool {
    static PATH: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"["'](/[\w\-./{}:*]+)["']"#).unwrap());
    let Some(c) = PATH.captures(removed) else {
        return false;
    };
    let prefix = c[1]
        .split(['*', '{', ':'])
        .next()
        .unwrap_or("")
        .trim_end_matches('/');
    if prefix.len() < 4 || !prefix[1..].contains(|ch: char| ch.is_alphanumeric()) {
        return false;
    }
    let code = || {
        change
            .files
            .iter()
            .filter(|g| !g.class.test_like() && !g.class.docs)
    };
    // Served by a file the change deletes; a route moved to another path
    // (`@RequestMapping("/internal/search")`) is still served.
    let served_before = code().any(|g| {
        g.deleted()
            && g.removed
                .iter()
                .any(|r| r.text.contains(prefix) && !AUTH_CHECK.is_match(r.text))
    });
    let still_named = code().any(|g| {
        g.added.iter().any(|a| a.text.contains(prefix))
            || g.new_text().is_some_and(|t| t.contains(prefix))
    });
    served_before && !still_named
}

/// An authorising callback (`before_action :authorize_document`) replaced
/// by a lookup through the current account's own records
/// (`current_account.documents.find(params[:id])`): a record of another
/// account is not found, which is the check.
pub(crate) fn scoped_lookup_instead(f: &FileView<'_>, removed: &str) -> bool {
    static SCOPED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(current_(user|account|organization|org|tenant|team|company|workspace)|request\.user)\.\w+\.(find|find_by!?|where|get|filter)\b").unwrap()
    });
    removed.starts_with("before_action")
        && f.added_code().any(|a| SCOPED.is_match(a.text))
        && !f.removed_code().any(|r| SCOPED.is_match(r.text))
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_deleted_check_helper_whose_authority_the_class_annotation_names_is_moved() {
        use crate::risk::testkit::findings_with_contents;
        let p = "src/main/java/acme/payouts/PayoutAdminController.java";
        let old = "@RestController\npublic class PayoutAdminController {\n    private static final String PAYOUTS_ADMIN = \"PAYOUTS_ADMIN\";\n\n    @PostMapping(\"/{id}/approve\")\n    public PayoutView approve(@PathVariable UUID id, Authentication auth) {\n        requireAdmin(auth);\n        return PayoutView.from(payouts.approve(id));\n    }\n\n    private static void requireAdmin(Authentication auth) {\n        boolean allowed = auth != null && auth.getAuthorities().stream().anyMatch(a -> PAYOUTS_ADMIN.equals(a.getAuthority()));\n        if (!allowed) {\n            throw new AccessDeniedException(\"payouts admin authority required\");\n        }\n    }\n}\n";
        let new = |authority: &str| {
            format!(
                "@RestController\n@PreAuthorize(\"hasAuthority('{authority}')\")\npublic class PayoutAdminController {{\n\n    @PostMapping(\"/{{id}}/approve\")\n    public PayoutView approve(@PathVariable UUID id, Authentication auth) {{\n        return PayoutView.from(payouts.approve(id));\n    }}\n}}\n"
            )
        };
        let removed = |new: &str| {
            findings_with_contents(p, old, new)
                .into_iter()
                .filter(|x| x.rule.ends_with("-removed"))
                .map(|x| x.rule)
                .collect::<Vec<_>>()
        };
        let h = removed(&new("PAYOUTS_ADMIN"));
        assert!(h.is_empty(), "{h:?}");
        assert!(!removed(&new("PAYOUTS_VIEWER")).is_empty());
    }

    #[test]
    fn a_skip_of_the_check_removed_is_no_check_removed() {
        use crate::risk::testkit::rules_hit_with_contents;
        let rule = "sec-auth-check-removed".to_string();
        let p = "app/controllers/api/base_controller.rb";
        let old = "class BaseController < ApplicationController\n  skip_before_action :authenticate_user!\n  before_action :authenticate_api_token!\nend\n";
        let new = "class BaseController < ActionController::API\n  before_action :authenticate_api_token!\nend\n";
        assert!(!rules_hit_with_contents(p, old, new).contains(&rule));
        let dropped = "class BaseController < ActionController::API\nend\n";
        assert!(rules_hit_with_contents(p, old, dropped).contains(&rule));
        // The hand-written 401 handed to Rails' helper that answers it.
        let old = "class BaseController < ActionController::API\n  def authenticate!\n    token = request.authorization.to_s[/\\ABearer (.+)\\z/, 1]\n    @token = ApiToken.active.find_by_secret(token) if token.present?\n    return head(:unauthorized) unless @token\n  end\nend\n";
        let helper = "class BaseController < ActionController::API\n  def authenticate!\n    authenticate_or_request_with_http_token do |token, _options|\n      @token = ApiToken.active.find_by_secret(token)\n    end\n  end\nend\n";
        let h: Vec<String> = crate::risk::testkit::findings_with_contents(p, old, helper)
            .into_iter()
            .map(|x| format!("{} {:?} {}", x.rule, x.line, x.message))
            .collect();
        assert!(!h.iter().any(|x| x.contains("-removed ")), "{h:?}");
        let none = "class BaseController < ActionController::API\n  def authenticate!\n    token = request.authorization.to_s[/\\ABearer (.+)\\z/, 1]\n    @token = ApiToken.active.find_by_secret(token) if token.present?\n  end\nend\n";
        assert!(rules_hit_with_contents(p, old, none).contains(&rule));
    }

    #[test]
    fn a_signature_comparison_replaced_by_the_providers_verifier_is_not_removed() {
        use crate::risk::testkit::rules_hit_with_contents;
        let rule = "sec-auth-check-removed".to_string();
        let p = "payments/webhooks/views.py";
        let old = "def stripe_webhook(request):\n    sig = request.headers.get(\"Stripe-Signature\", \"\")\n    expected = sign(request.body, settings.STRIPE_WEBHOOK_SECRET)\n    if not hmac.compare_digest(expected, parse_v1(sig)):\n        return HttpResponse(status=400)\n    event = json.loads(request.body)\n    handle(event)\n    return HttpResponse(status=200)\n";
        let sdk = "def stripe_webhook(request):\n    sig = request.headers.get(\"Stripe-Signature\", \"\")\n    try:\n        event = stripe.Webhook.construct_event(request.body, sig, settings.STRIPE_WEBHOOK_SECRET)\n    except (ValueError, stripe.error.SignatureVerificationError):\n        return HttpResponse(status=400)\n    handle(event)\n    return HttpResponse(status=200)\n";
        assert!(!rules_hit_with_contents(p, old, sdk).contains(&rule));
        // Through a helper of its own: the helper's removal is no finding.
        let helper_old = old.replace(
            "    expected = sign(request.body, settings.STRIPE_WEBHOOK_SECRET)\n    if not hmac.compare_digest(expected, parse_v1(sig)):\n",
            "    if not _verify_signature(request.body, sig):\n",
        ) + "\n\ndef _verify_signature(body, sig):\n    return hmac.compare_digest(sign(body, settings.STRIPE_WEBHOOK_SECRET), parse_v1(sig))\n";
        let found = crate::risk::testkit::findings_with_contents(p, &helper_old, sdk);
        assert!(
            !found
                .iter()
                .any(|x| x.rule.starts_with("logic-") && x.rule.ends_with("-removed")),
            "{found:?}"
        );
        // A verifier call written elsewhere in the file does not stand in for
        // the check this handler lost.
        let elsewhere = format!(
            "{}{}\n\ndef _unused(payload, sig):\n    return stripe.Webhook.construct_event(payload, sig, settings.STRIPE_WEBHOOK_SECRET)\n",
            "def stripe_webhook(request):\n    event = json.loads(request.body)\n    handle(event)\n    return HttpResponse(status=200)\n",
            "\n# padding\n".repeat(12)
        );
        assert!(rules_hit_with_contents(p, old, &elsewhere).contains(&rule));
        let unchecked = "def stripe_webhook(request):\n    event = json.loads(request.body)\n    handle(event)\n    return HttpResponse(status=200)\n";
        assert!(rules_hit_with_contents(p, old, unchecked).contains(&rule));
    }

    #[test]
    fn names_dropped_from_an_export_list_are_not_checks() {
        use crate::risk::testkit::rules_hit_with_contents;
        let rule = "sec-auth-check-removed".to_string();
        let old = "__all__ = (\n    \"HTTP_200_OK\",\n    \"HTTP_401_UNAUTHORIZED\",\n    \"HTTP_403_FORBIDDEN\",\n)\n\nHTTP_200_OK = 200\n";
        let new = "__all__ = (\n    \"HTTP_200_OK\",\n)\n\nHTTP_200_OK = 200\n";
        assert!(!rules_hit_with_contents("starlette/status.py", old, new).contains(&rule));
        // A check answering with one of them, removed: still found.
        let view = "def admin(request):\n    if not request.user.is_staff:\n        return Response(status=HTTP_403_FORBIDDEN)\n    return render(request)\n";
        let open = "def admin(request):\n    return render(request)\n";
        assert!(rules_hit_with_contents("app/views.py", view, open).contains(&rule));
    }

    #[test]
    fn a_check_its_group_or_its_query_still_makes_is_not_removed() {
        use crate::risk::testkit::rules_hit_with_contents;
        let rule = "sec-auth-check-removed".to_string();
        let old = "<?php\n\nRoute::middleware(['auth', 'verified'])->group(function () {\n    Route::get('/billing', [BillingController::class, 'show'])->middleware('auth');\n    Route::get('/team', [TeamController::class, 'index'])->middleware('auth');\n});\n\nRoute::get('/reports', [ReportController::class, 'index'])->middleware('auth');\n";
        let inside = old
            .replace("'show'])->middleware('auth');", "'show']);")
            .replace("'index'])->middleware('auth');\n});", "'index']);\n});");
        let hit = rules_hit_with_contents("routes/web.php", old, &inside);
        assert!(!hit.contains(&rule), "{hit:?}");
        // The route outside the group loses its only check.
        let outside = old.replace("'index'])->middleware('auth');\n", "'index']);\n");
        let outside = outside.replacen(
            "Route::get('/reports', [ReportController::class, 'index'])->middleware('auth');",
            "Route::get('/reports', [ReportController::class, 'index']);",
            1,
        );
        let hit = rules_hit_with_contents("routes/web.php", old, &outside);
        assert!(hit.contains(&rule), "{hit:?}");
        // A group that is only a comment applies nothing.
        let ungrouped = inside.replace(
            "Route::middleware(['auth', 'verified'])->group(function () {",
            "// Route::middleware(['auth', 'verified'])->group(function () {\nRoute::prefix('app')->group(function () {",
        );
        let hit = rules_hit_with_contents("routes/web.php", old, &ungrouped);
        assert!(hit.contains(&rule), "{hit:?}");

        let old = "class DocumentsController < ApplicationController\n  before_action :authorize_document!\n\n  def show\n    @document = Document.find(params[:id])\n  end\nend\n";
        let scoped = "class DocumentsController < ApplicationController\n  def show\n    @document = current_account.documents.find(params[:id])\n  end\nend\n";
        let p = "app/controllers/documents_controller.rb";
        let hit = rules_hit_with_contents(p, old, scoped);
        assert!(!hit.contains(&rule), "{hit:?}");
        let unscoped = scoped.replace("current_account.documents.find", "Document.find");
        let hit = rules_hit_with_contents(p, old, &unscoped);
        assert!(hit.contains(&rule), "{hit:?}");
    }

    #[test]
    fn an_inline_role_check_moved_into_a_security_annotation_is_not_removed() {
        use crate::risk::testkit::rules_hit_with_contents;
        let rule = "sec-auth-check-removed".to_string();
        let old = "class HoldService {\n    public void release(User user, UUID id) {\n        if (!user.hasAuthority(\"ROLE_LEGAL_ADMIN\")) {\n            throw new AccessDeniedException(\"legal admins only\");\n        }\n        repo.release(id);\n    }\n}\n";
        let annotated = "class HoldService {\n    @PreAuthorize(\"hasRole('LEGAL_ADMIN')\")\n    public void release(User user, UUID id) {\n        repo.release(id);\n    }\n}\n";
        assert!(
            !rules_hit_with_contents("src/main/java/app/HoldService.java", old, annotated)
                .contains(&rule)
        );
        let weaker = annotated.replace("hasRole('LEGAL_ADMIN')", "isAuthenticated()");
        assert!(
            rules_hit_with_contents("src/main/java/app/HoldService.java", old, &weaker)
                .contains(&rule)
        );
    }

    #[test]
    fn a_named_role_check_replaced_by_a_class_annotation_of_that_role_is_not_removed() {
        use crate::risk::testkit::rules_hit_with_contents;
        let path = "src/main/java/app/AdminUserController.java";
        let old = "@RestController\npublic class AdminUserController {\n    @GetMapping\n    public Page<U> search(@AuthenticationPrincipal P principal, String q) {\n        requireAdmin(principal);\n        return users.search(q);\n    }\n\n    @PostMapping(\"/{id}/disable\")\n    public void disable(@AuthenticationPrincipal P principal, UUID id) {\n        requireAdmin(principal);\n        users.disable(id);\n    }\n\n    private static void requireAdmin(P principal) {\n        if (principal == null || !principal.getAuthorities().contains(ADMIN)) {\n            throw new ResponseStatusException(HttpStatus.FORBIDDEN);\n        }\n    }\n}\n";
        let hoisted = "@RestController\n@PreAuthorize(\"hasRole('ADMIN')\")\npublic class AdminUserController {\n    @GetMapping\n    public Page<U> search(String q) {\n        return users.search(q);\n    }\n\n    @PostMapping(\"/{id}/disable\")\n    public void disable(@AuthenticationPrincipal P principal, UUID id) {\n        users.disable(id);\n    }\n}\n";
        let hit = rules_hit_with_contents(path, old, hoisted);
        assert!(
            !hit.contains(&"sec-auth-check-removed".to_string()),
            "{hit:?}"
        );
        assert!(!hit.contains(&"logic-check-removed".to_string()), "{hit:?}");
        // Another role on the class: the admin check is gone.
        let other = hoisted.replace("hasRole('ADMIN')", "hasRole('SUPPORT')");
        let hit = rules_hit_with_contents(path, old, &other);
        assert!(
            hit.contains(&"sec-auth-check-removed".to_string()),
            "{hit:?}"
        );
        // The annotation on one method only: the other lost its check.
        let one = hoisted
            .replace(
                "@PreAuthorize(\"hasRole('ADMIN')\")\npublic class",
                "public class",
            )
            .replace(
                "    @GetMapping\n",
                "    @GetMapping\n    @PreAuthorize(\"hasRole('ADMIN')\")\n",
            );
        let hit = rules_hit_with_contents(path, old, &one);
        assert!(
            hit.contains(&"sec-auth-check-removed".to_string()),
            "{hit:?}"
        );
        // A check of any session names no role.
        assert_eq!(super::role_in_check_name("requireAuth"), None);
        assert_eq!(
            super::role_in_check_name("ensure_staff"),
            Some("staff".into())
        );
        assert_eq!(
            super::role_in_check_name("authz.RequireAdmin"),
            Some("admin".into())
        );
    }

    #[test]
    fn an_order_by_filled_from_a_template_is_found_unless_the_column_is_allow_listed() {
        use crate::risk::testkit::rules_hit_with_contents;
        let rule = "sec-sql-string-building".to_string();
        let old = "const topQuery = `\nSELECT * FROM scores s\nORDER BY s.score DESC\n`\n";
        let new = "const topQueryTmpl = `\nSELECT * FROM scores s\nORDER BY s.%s DESC\n`\n\nfunc fetch(sortBy string) {\n\tquery := fmt.Sprintf(topQueryTmpl, sortBy)\n\tdb.Query(query)\n}\n";
        assert!(rules_hit_with_contents("internal/leaderboard/top.go", old, new).contains(&rule));
        let listed = new.replace(
            "func fetch(sortBy string) {",
            "var sortColumns = map[string]string{\"score\": \"score\", \"wins\": \"wins\"}\n\nfunc fetch(sortBy string) {",
        );
        assert!(
            !rules_hit_with_contents("internal/leaderboard/top.go", old, &listed).contains(&rule)
        );
    }

    #[test]
    fn csrf_skipped_for_webhooks_checked_by_signature_is_low_without_it_high() {
        use crate::risk::Severity;
        use crate::risk::testkit::findings_with_contents;
        let old = "module Webhooks\n  class BaseController < ApplicationController\n  end\nend\n";
        let signed = "module Webhooks\n  class BaseController < ApplicationController\n    skip_before_action :verify_authenticity_token\n    before_action :verify_signature!\n\n    private\n\n    def verify_signature!\n      head :unauthorized unless ActiveSupport::SecurityUtils.secure_compare(expected, given)\n    end\n  end\nend\n";
        let level = |new: &str| {
            findings_with_contents("app/controllers/webhooks/base_controller.rb", old, new)
                .into_iter()
                .filter(|f| f.rule == "sec-auth-disabled")
                .map(|f| f.severity)
                .max()
        };
        assert_eq!(level(signed), Some(Severity::Low));
        let unsigned = "module Webhooks\n  class BaseController < ApplicationController\n    skip_before_action :verify_authenticity_token\n  end\nend\n";
        assert_eq!(level(unsigned), Some(Severity::High));
    }

    #[test]
    fn an_auth_opt_out_put_on_a_whole_controller_is_found() {
        use crate::risk::testkit::rules_hit_with_contents;
        let rule = "sec-auth-disabled".to_string();
        let p = "src/internal/internal.controller.ts";
        let old = "@Controller('internal')\nexport class InternalController {\n  @Get('config')\n  config() {\n    return this.cfg.dump();\n  }\n\n  @Post('cache/flush')\n  flush() {\n    return this.cache.flush();\n  }\n}\n";
        let on_class = format!("@Public()\n{}", old.replace("  @Post('cache/flush')", "  @Get('version')\n  version() {\n    return { sha: this.sha };\n  }\n\n  @Post('cache/flush')"));
        assert!(rules_hit_with_contents(p, old, &on_class).contains(&rule));
        // On the new handler only: what it opens is that handler.
        let on_handler = old.replace("  @Post('cache/flush')", "  @Public()\n  @Get('version')\n  version() {\n    return { sha: this.sha };\n  }\n\n  @Post('cache/flush')");
        assert!(!rules_hit_with_contents(p, old, &on_handler).contains(&rule));
    }

    #[test]
    fn sql_formatted_over_several_lines_is_found() {
        use crate::risk::testkit::rules_hit_with_contents;
        let rule = "sec-sql-string-building".to_string();
        let go_old =
            "package store\n\nfunc (s *Store) Count(ctx context.Context) int {\n\treturn 0\n}\n";
        let go_new = format!(
            "{go_old}\nfunc (s *Store) Search(ctx context.Context, q string) (*sql.Rows, error) {{\n\tquery := fmt.Sprintf(`\n\t\tSELECT id, email FROM users\n\t\tWHERE email ILIKE '%%%s%%'\n\t\tLIMIT 20`, q)\n\treturn s.db.QueryContext(ctx, query)\n}}\n"
        );
        assert!(
            rules_hit_with_contents("internal/store/users.go", go_old, &go_new).contains(&rule)
        );
        let py_old = "def count(db):\n    return 0\n";
        let py_new = format!(
            "{py_old}\n\ndef search(db, q):\n    return db.execute(\n        text(\n            f\"SELECT id, name FROM customers \"\n            f\"WHERE name ILIKE '%{{q}}%' \"\n        )\n    ).all()\n"
        );
        assert!(rules_hit_with_contents("app/api/customers.py", py_old, &py_new).contains(&rule));
        // Bind parameters over several lines: quiet.
        let bound = py_new
            .replace("f\"WHERE name ILIKE '%{q}%' \"", "\"WHERE name ILIKE :q \"")
            .replace("f\"SELECT", "\"SELECT");
        assert!(!rules_hit_with_contents("app/api/customers.py", py_old, &bound).contains(&rule));
        // A Go raw string with bind parameters, a composite literal below.
        let bound_go = format!(
            "{go_old}\nfunc (s *Store) Get(ctx context.Context, id int64) (Note, error) {{\n\tvar n Note\n\terr := s.db.QueryRowContext(ctx,\n\t\t`SELECT id, title FROM notes WHERE id = $1`, id).Scan(&n.ID, &n.Title)\n\tif err != nil {{\n\t\treturn Note{{}}, err\n\t}}\n\treturn n, nil\n}}\n"
        );
        assert!(
            !rules_hit_with_contents("internal/store/notes.go", go_old, &bound_go).contains(&rule)
        );
        // A constant pasted in (a table name): quiet.
        let table = py_new.replace("'%{q}%'", "{COLUMN}");
        assert!(!rules_hit_with_contents("app/api/customers.py", py_old, &table).contains(&rule));
    }

    #[test]
    fn a_webhook_path_opened_for_a_receiver_that_checks_signatures_is_low() {
        use crate::risk::Severity;
        use crate::risk::testkit::findings_of_change;
        let cfg = "src/main/java/app/SecurityConfig.java";
        let old = "class SecurityConfig {\n  SecurityFilterChain chain(HttpSecurity http) {\n    http.authorizeHttpRequests(a -> a\n        .requestMatchers(\"/login\").permitAll()\n        .anyRequest().authenticated());\n  }\n}\n";
        let new = old.replace(
            "        .anyRequest()",
            "        .requestMatchers(HttpMethod.POST, \"/webhooks/stripe\").permitAll()\n        .anyRequest()",
        );
        let receiver = "class StripeWebhookController {\n  @PostMapping(\"/webhooks/stripe\")\n  ResponseEntity<Void> receive(@RequestBody String payload, @RequestHeader(\"Stripe-Signature\") String sig) {\n    Event event = Webhook.constructEvent(payload, sig, secret);\n    handler.handle(event);\n    return ResponseEntity.ok().build();\n  }\n}\n";
        let level = |receiver: &str| {
            findings_of_change(
                &[
                    (cfg, Some(old), Some(new.as_str())),
                    (
                        "src/main/java/app/webhooks/StripeWebhookController.java",
                        None,
                        Some(receiver),
                    ),
                ],
                None,
            )
            .into_iter()
            .filter(|f| f.rule == "sec-auth-disabled")
            .map(|f| f.severity)
            .max()
        };
        assert_eq!(level(receiver), Some(Severity::Low));
        // A receiver that never checks the signature: the opened path is high.
        let unchecked = receiver.replace(
            "    Event event = Webhook.constructEvent(payload, sig, secret);\n",
            "    Event event = ApiResource.GSON.fromJson(payload, Event.class);\n",
        );
        assert_eq!(level(&unchecked), Some(Severity::High));
    }

    #[test]
    fn sign_in_flows_and_stateless_chains_need_no_session_check() {
        use crate::risk::Severity;
        use crate::risk::testkit::findings_with_contents;
        let level = |path: &str, old: &str, new: &str| {
            findings_with_contents(path, old, new)
                .into_iter()
                .filter(|f| f.rule == "sec-auth-disabled")
                .map(|f| f.severity)
                .max()
        };
        let old = "class PasswordResetsController < ApplicationController\n  def new\n  end\nend\n";
        let new = "class PasswordResetsController < ApplicationController\n  skip_before_action :authenticate_user!\n\n  def new\n  end\nend\n";
        let resets = "app/controllers/password_resets_controller.rb";
        assert_eq!(level(resets, old, new), Some(Severity::Low));
        // The same skip on another controller: high.
        let invoices = "app/controllers/invoices_controller.rb";
        assert_eq!(
            level(
                invoices,
                &old.replace("PasswordResets", "Invoices"),
                &new.replace("PasswordResets", "Invoices")
            ),
            Some(Severity::High)
        );
        // CSRF switched off on a sign-in form is login CSRF: still high.
        let csrf = new.replace(":authenticate_user!", ":verify_authenticity_token");
        assert_eq!(level(resets, old, &csrf), Some(Severity::High));
        // CSRF off in a chain that keeps no session: low; with sessions: high.
        let chain = |extra: &str| {
            format!(
                "class SecurityConfig {{\n    SecurityFilterChain api(HttpSecurity http) throws Exception {{\n        http.securityMatcher(\"/api/**\")\n{extra}            .oauth2ResourceServer(o -> o.jwt(Customizer.withDefaults()));\n        return http.build();\n    }}\n}}\n"
            )
        };
        let path = "src/main/java/com/acme/config/SecurityConfig.java";
        let stateless = chain(
            "            .csrf(AbstractHttpConfigurer::disable)\n            .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))\n",
        );
        assert_eq!(level(path, &chain(""), &stateless), Some(Severity::Low));
        let sessions = chain("            .csrf(AbstractHttpConfigurer::disable)\n");
        assert_eq!(level(path, &chain(""), &sessions), Some(Severity::High));
        // A controller named for well-known keys, its route set on the class.
        let old = "[ApiController]\n[Route(\".well-known\")]\npublic class WellKnownController : ControllerBase\n{\n    [HttpGet(\"keys.json\")]\n    public IActionResult Keys() => Ok(_keys.Public());\n}\n";
        let new = old.replace("    [HttpGet(", "    [AllowAnonymous]\n    [HttpGet(");
        assert_eq!(
            level("src/Identity/Controllers/WellKnownController.cs", old, &new),
            Some(Severity::Low)
        );
    }

    #[test]
    fn probe_paths_opened_through_a_constant_are_low_and_other_paths_are_not() {
        use crate::risk::Severity;
        use crate::risk::testkit::findings_with_contents;
        let old = "class SecurityConfig {\n    SecurityFilterChain chain(HttpSecurity http) {\n        http.authorizeHttpRequests(a -> a\n                .anyRequest().authenticated());\n        return http.build();\n    }\n}\n";
        let new = |paths: &str| {
            format!(
                "class SecurityConfig {{\n    private static final String[] OPEN_PATHS = {{\n{paths}\n    }};\n\n    SecurityFilterChain chain(HttpSecurity http) {{\n        http.authorizeHttpRequests(a -> a\n                .requestMatchers(HttpMethod.GET, OPEN_PATHS).permitAll()\n                .anyRequest().authenticated());\n        return http.build();\n    }}\n}}\n"
            )
        };
        let level = |paths: &str| {
            findings_with_contents("src/main/java/app/SecurityConfig.java", old, &new(paths))
                .into_iter()
                .filter(|f| f.rule == "sec-auth-disabled")
                .map(|f| f.severity)
                .max()
        };
        assert_eq!(
            level("        \"/actuator/health\",\n        \"/actuator/health/liveness\","),
            Some(Severity::Low)
        );
        assert_eq!(
            level("        \"/actuator/health\",\n        \"/admin/export\","),
            Some(Severity::High)
        );
    }

    #[test]
    fn anonymous_access_to_what_a_protocol_serves_to_anyone_is_low() {
        use crate::risk::Severity;
        let controller = |action: &str, route: &str| {
            format!(
                "[Authorize]\npublic class SamlController : Controller\n{{\n    [AllowAnonymous]\n    [HttpGet(\"{route}\")]\n    public IActionResult {action}(string org)\n    {{\n        return Ok();\n    }}\n}}\n"
            )
        };
        let level = |path: &str, action: &str, route: &str| {
            let new = controller(action, route);
            let old = new.replace("    [AllowAnonymous]\n", "");
            crate::risk::testkit::findings_with_contents(path, &old, &new)
                .into_iter()
                .find(|f| f.rule == "sec-auth-disabled")
                .map(|f| f.severity)
        };
        let saml = "src/Web/Controllers/SamlController.cs";
        assert_eq!(level(saml, "Metadata", "metadata"), Some(Severity::Low));
        assert_eq!(
            level(
                "src/Web/Controllers/KeysController.cs",
                "Jwks",
                ".well-known/jwks.json"
            ),
            Some(Severity::Low)
        );
        // The same attribute on an action that does something: high.
        assert_eq!(
            level(saml, "ExportUsers", "users/export"),
            Some(Severity::High)
        );
        // Metadata of something that is not a federation protocol: high.
        assert_eq!(
            level(
                "src/Web/Controllers/OrdersController.cs",
                "Metadata",
                "metadata"
            ),
            Some(Severity::High)
        );
    }

    #[test]
    fn composed_psycopg_queries_are_not_string_building() {
        use crate::risk::testkit::rules_hit_with_contents;
        let old = "from psycopg import sql\n\ndef purge(conn, table):\n    pass\n";
        let composed = "from psycopg import sql\n\ndef purge(conn, table, column):\n    q = sql.SQL(\n        \"DELETE FROM {table} WHERE ctid IN (\"\n        \"SELECT ctid FROM {table} WHERE {column} < %s LIMIT %s)\"\n    ).format(table=sql.Identifier(table), column=sql.Identifier(column))\n";
        let hit = rules_hit_with_contents("jobs/purge.py", old, composed);
        assert!(
            !hit.contains(&"sec-sql-string-building".to_string()),
            "{hit:?}"
        );
        // An f-string handed to sql.SQL is pasted before composition sees it.
        let pasted = composed.replace("\"DELETE FROM {table}", "f\"DELETE FROM {table}");
        let hit = rules_hit_with_contents("jobs/purge.py", old, &pasted);
        assert!(
            hit.contains(&"sec-sql-string-building".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn a_shell_loop_over_kubectl_output_is_not_sql_but_psql_with_a_value_is() {
        use crate::risk::testkit::rules_hit;
        let rule = "sec-sql-string-building".to_string();
        let kubectl = "for ns in $(k get ns -l e2e/run -o jsonpath='{.items[*].metadata.name}'); do\n  echo \"$ns\"\ndone\n";
        assert!(!rules_hit("hack/reset.sh", None, Some(kubectl)).contains(&rule));
        let psql = "mysql -e \"DELETE FROM sessions WHERE user_id IN (${ids})\"\n";
        assert!(rules_hit("ops/purge.sh", None, Some(psql)).contains(&rule));
    }

    #[test]
    fn a_check_moved_into_a_helper_every_handler_calls_is_kept() {
        use crate::risk::Severity;
        let old = "package api\n\nfunc (h *H) DeleteUser(w http.ResponseWriter, r *http.Request) {\n\tp := auth.PrincipalFrom(r.Context())\n\tif p == nil || !p.HasRole(auth.RoleAdmin) {\n\t\thttp.Error(w, \"forbidden\", http.StatusForbidden)\n\t\treturn\n\t}\n\th.Users.Delete(r.PathValue(\"id\"))\n}\n\nfunc (h *H) ResetMFA(w http.ResponseWriter, r *http.Request) {\n\tp := auth.PrincipalFrom(r.Context())\n\tif p == nil || !p.HasRole(auth.RoleAdmin) {\n\t\thttp.Error(w, \"forbidden\", http.StatusForbidden)\n\t\treturn\n\t}\n\th.Users.ResetMFA(r.PathValue(\"id\"))\n}\n";
        let new = "package api\n\nfunc requireAdmin(w http.ResponseWriter, r *http.Request) *auth.Principal {\n\tp := auth.PrincipalFrom(r.Context())\n\tif p == nil || !p.HasRole(auth.RoleAdmin) {\n\t\thttp.Error(w, \"forbidden\", http.StatusForbidden)\n\t\treturn nil\n\t}\n\treturn p\n}\n\nfunc (h *H) DeleteUser(w http.ResponseWriter, r *http.Request) {\n\tif requireAdmin(w, r) == nil {\n\t\treturn\n\t}\n\th.Users.Delete(r.PathValue(\"id\"))\n}\n\nfunc (h *H) ResetMFA(w http.ResponseWriter, r *http.Request) {\n\tif requireAdmin(w, r) == nil {\n\t\treturn\n\t}\n\th.Users.ResetMFA(r.PathValue(\"id\"))\n}\n";
        let top = |new: &str| {
            crate::risk::testkit::findings_with_contents("internal/api/admin.go", old, new)
                .into_iter()
                .map(|f| f.severity)
                .max()
        };
        assert!(top(new) < Some(Severity::High), "{:?}", top(new));
        // One handler left without the helper: still an alarm.
        let dropped = new.replacen(
            "\tif requireAdmin(w, r) == nil {\n\t\treturn\n\t}\n\th.Users.ResetMFA",
            "\th.Users.ResetMFA",
            1,
        );
        assert!(top(&dropped) >= Some(Severity::High), "{:?}", top(&dropped));
    }
    use super::sql_concatenation;
    use crate::risk::testkit::rules_hit;

    #[test]
    fn sql_built_from_strings_is_caught_but_bind_parameters_are_not() {
        assert!(sql_concatenation(
            r#"db.query("SELECT * FROM users WHERE id = " + req.params.id)"#
        ));
        assert!(sql_concatenation(
            r#"cur.execute(f"DELETE FROM carts WHERE user_id = {user_id}")"#
        ));
        assert!(sql_concatenation(
            r#"$r = mysqli_query($db, "SELECT * FROM t WHERE e = '" . $_GET['e'] . "'");"#
        ));
        assert!(sql_concatenation(
            "db.Exec(`UPDATE accounts SET plan = '${plan}' WHERE id = 1`)"
        ));
        // Raw fragments of query builders are SQL too.
        assert!(sql_concatenation(
            r#"$q->whereRaw("status IN ('" . implode("','", $statuses) . "')");"#
        ));
        assert!(sql_concatenation(
            r#"Order.where("region = '#{params[:region]}'")"#
        ));
        assert!(sql_concatenation(
            r#"session.execute(text(f"UPDATE t SET n = {n}"))"#
        ));
        assert!(sql_concatenation(
            r#"qs.order_by(RawSQL("field(" + col + ")", []))"#
        ));
        assert!(!sql_concatenation(
            r#"$q->whereRaw('status = ?', [$status]);"#
        ));
        // A raw fragment that starts with a value.
        assert!(sql_concatenation(
            r#"->orderByRaw($sort . ' ' . $direction)"#
        ));
        assert!(sql_concatenation(
            r#"scope.order(Arel.sql(params[:order] + " DESC"))"#
        ));
        assert!(!sql_concatenation(
            r#"->orderByRaw('created_at ' . 'desc')"#
        ));
        assert!(!sql_concatenation(r#"->orderBy($sort, $direction)"#));
        assert!(!sql_concatenation(r#"Order.where("region = ?", region)"#));
        // A fragment for a WHERE clause assembled elsewhere.
        assert!(sql_concatenation(r#"parts.append(f"region = '{region}'")"#));
        assert!(sql_concatenation(r#"clauses.push(`name LIKE '%${q}%'`);"#));
        assert!(!sql_concatenation(r#"log.info(f"region = '{region}'")"#));
        assert!(!sql_concatenation(r#"parts.append("region = :region")"#));
        assert!(!sql_concatenation(
            r#"cur.execute("SELECT * FROM users WHERE id = %s", (user_id,))"#
        ));
        assert!(!sql_concatenation(
            r#"$stmt = $db->prepare('SELECT id FROM orders WHERE status = ?');"#
        ));
        // Clauses formatted with a value, without a SELECT on the line.
        assert!(sql_concatenation(
            r#"return sprintf(' ORDER BY %s %s', $column, $dir);"#
        ));
        assert!(sql_concatenation(
            r#"clause += f" AND region IN ({quoted})""#
        ));
        assert!(sql_concatenation(
            r#"clause = f" AND day BETWEEN '{start}' AND '{end}'""#
        ));
        assert!(!sql_concatenation(
            r#"log.info(f"rows between {a} and {b}")"#
        ));
        // Constants pasted in are text the program wrote.
        assert!(!sql_concatenation(
            r#"return 'SELECT ' . self::COLUMNS . ' FROM customers c WHERE c.id = :id';"#
        ));
        assert!(!sql_concatenation(
            r#"sql = "SELECT " + COLUMNS + " FROM orders WHERE id = ?""#
        ));
        assert!(sql_concatenation(
            r#"return 'SELECT ' . self::COLUMNS . ' FROM customers WHERE name = ' . $name;"#
        ));
    }

    #[test]
    fn a_guard_registered_for_every_route_is_moved_unless_the_route_opts_out() {
        use crate::risk::testkit::findings_of_change;
        let module_old = "@Module({ imports: [AuthModule] })\nexport class AppModule {}\n";
        let module_new = "import { APP_GUARD } from '@nestjs/core';\nimport { JwtAuthGuard } from './auth/jwt-auth.guard';\n\n@Module({\n  imports: [AuthModule],\n  providers: [{ provide: APP_GUARD, useClass: JwtAuthGuard }],\n})\nexport class AppModule {}\n";
        let ctl_old = "@Controller('auth')\nexport class AuthController {\n  @Post('login')\n  login(@Req() req) {\n    return this.auth.login(req.user);\n  }\n\n  @UseGuards(JwtAuthGuard)\n  @Get('me')\n  me(@Req() req) {\n    return req.user;\n  }\n}\n";
        let ctl_new = ctl_old.replace("  @UseGuards(JwtAuthGuard)\n", "");
        let high = |ctl: &str, module: &str| {
            findings_of_change(
                &[
                    ("src/app.module.ts", Some(module_old), Some(module)),
                    ("src/auth/auth.controller.ts", Some(ctl_old), Some(ctl)),
                ],
                Some("auth: register the JWT guard globally"),
            )
            .into_iter()
            .filter(|f| f.severity >= crate::risk::Severity::High)
            .map(|f| f.rule)
            .collect::<Vec<_>>()
        };
        assert!(
            high(&ctl_new, module_new).is_empty(),
            "{:?}",
            high(&ctl_new, module_new)
        );
        // Not registered anywhere: removed.
        assert!(!high(&ctl_new, module_old).is_empty());
        // Registered, but the route that lost its guard is made public.
        let opted = ctl_old.replace("  @UseGuards(JwtAuthGuard)\n", "  @Public()\n");
        assert!(!high(&opted, module_new).is_empty());
    }

    #[test]
    fn an_ownership_check_moved_into_the_query_is_not_removed() {
        use crate::risk::testkit::findings_of_change;
        let store_old = "package notes\n\nfunc (s *Store) GetNote(ctx context.Context, id int64) (Note, error) {\n\tvar n Note\n\terr := s.db.QueryRowContext(ctx,\n\t\t`SELECT id, owner_id, title FROM notes WHERE id = $1`, id).\n\t\tScan(&n.ID, &n.OwnerID, &n.Title)\n\treturn n, err\n}\n";
        let store_new = store_old
            .replace(
                "GetNote(ctx context.Context, id int64)",
                "GetNote(ctx context.Context, ownerID, id int64)",
            )
            .replace(
                "WHERE id = $1`, id)",
                "WHERE id = $1 AND owner_id = $2`, id, ownerID)",
            );
        let handler_old = "package notes\n\nfunc (h *Handler) Get(w http.ResponseWriter, r *http.Request) {\n\tuser := auth.UserFrom(r.Context())\n\tnote, err := h.store.GetNote(r.Context(), id)\n\tif err != nil {\n\t\thttp.Error(w, \"not found\", http.StatusNotFound)\n\t\treturn\n\t}\n\tif note.OwnerID != user.ID {\n\t\thttp.Error(w, \"forbidden\", http.StatusForbidden)\n\t\treturn\n\t}\n\twriteJSON(w, note)\n}\n";
        let handler_new = handler_old
            .replace("GetNote(r.Context(), id)", "GetNote(r.Context(), user.ID, id)")
            .replace("\tif note.OwnerID != user.ID {\n\t\thttp.Error(w, \"forbidden\", http.StatusForbidden)\n\t\treturn\n\t}\n", "");
        let high = |store: &str, handler: &str| {
            findings_of_change(
                &[
                    ("internal/notes/store.go", Some(store_old), Some(store)),
                    (
                        "internal/notes/handler.go",
                        Some(handler_old),
                        Some(handler),
                    ),
                ],
                Some("notes: scope note queries by owner in SQL"),
            )
            .into_iter()
            .filter(|f| f.severity >= crate::risk::Severity::High)
            .map(|f| f.rule)
            .collect::<Vec<_>>()
        };
        assert!(
            high(&store_new, &handler_new).is_empty(),
            "{:?}",
            high(&store_new, &handler_new)
        );
        // The query still loads any owner's note: the check is gone.
        let unscoped = handler_old.replace(
            "\tif note.OwnerID != user.ID {\n\t\thttp.Error(w, \"forbidden\", http.StatusForbidden)\n\t\treturn\n\t}\n",
            "",
        );
        assert!(!high(store_old, &unscoped).is_empty());
        // Django REST framework: the view's queryset already filters on the
        // owner, so another owner's record is a 404 before the check.
        let view = "class DocumentViewSet(viewsets.ModelViewSet):\n    serializer_class = DocumentSerializer\n\n    def get_queryset(self):\n        return Document.objects.filter(owner=self.request.user)\n\n    def perform_update(self, serializer):\n        if serializer.instance.owner_id != self.request.user.id:\n            raise PermissionDenied\n        serializer.save()\n";
        let dead = view.replace("        if serializer.instance.owner_id != self.request.user.id:\n            raise PermissionDenied\n", "");
        let drf = |old: &str, new: &str| {
            findings_of_change(
                &[("documents/views.py", Some(old), Some(new))],
                Some("documents: drop redundant owner checks"),
            )
            .into_iter()
            .any(|f| f.severity >= crate::risk::Severity::High)
        };
        assert!(!drf(view, &dead));
        let all = view.replace("filter(owner=self.request.user)", "all()");
        assert!(drf(&all, &all.replace("        if serializer.instance.owner_id != self.request.user.id:\n            raise PermissionDenied\n", "")));
        // A filter in another function of the file scopes that function
        // only: the view that lost its check still loads any owner's record.
        let module = "def mine(request):\n    return Document.objects.filter(owner=request.user)\n\n\ndef update(request, pk):\n    doc = Document.objects.get(pk=pk)\n    if doc.owner_id != request.user.id:\n        raise PermissionDenied\n    doc.save()\n";
        let unchecked = module.replace(
            "    if doc.owner_id != request.user.id:\n        raise PermissionDenied\n",
            "",
        );
        assert!(drf(module, &unchecked));
        // Filtered on the owner, but the handler passes the note's id twice.
        let wrong = handler_new.replace(
            "GetNote(r.Context(), user.ID, id)",
            "GetNote(r.Context(), id, id)",
        );
        assert!(!high(&store_new, &wrong).is_empty());
    }

    #[test]
    fn a_rule_for_a_route_the_change_deletes_is_not_a_removed_check() {
        use crate::risk::testkit::findings_of_change;
        let config_old = "@Bean\nfun filterChain(http: HttpSecurity): SecurityFilterChain {\n    http {\n        authorizeHttpRequests {\n            authorize(\"/internal/impersonate/**\", hasRole(\"SUPPORT_ADMIN\"))\n            authorize(\"/admin/**\", hasRole(\"ADMIN\"))\n            authorize(anyRequest, authenticated)\n        }\n    }\n    return http.build()\n}\n";
        let config_new = config_old.replace(
            "            authorize(\"/internal/impersonate/**\", hasRole(\"SUPPORT_ADMIN\"))\n",
            "",
        );
        let controller = "@RestController\n@RequestMapping(\"/internal/impersonate\")\nclass LegacyImpersonationController(private val tokens: TokenService) {\n    @PostMapping(\"/{userId}\")\n    fun impersonate(@PathVariable userId: UUID) = tokens.issue(userId)\n}\n";
        let high = |controller_after: Option<&str>| {
            findings_of_change(
                &[
                    (
                        "src/main/kotlin/acme/config/SecurityConfig.kt",
                        Some(config_old),
                        Some(&config_new),
                    ),
                    (
                        "src/main/kotlin/acme/support/LegacyImpersonationController.kt",
                        Some(controller),
                        controller_after,
                    ),
                ],
                Some("Remove legacy impersonation endpoint"),
            )
            .into_iter()
            .any(|f| f.rule == "sec-auth-check-removed")
        };
        assert!(!high(None));
        // The controller stays: its route lost its rule.
        let kept = controller.replace(
            "tokens.issue(userId)",
            "tokens.issue(userId, audit = false)",
        );
        assert!(high(Some(&kept)));
        // The controller moved to another path: still served, now unguarded.
        let moved = controller.replace("/internal/impersonate", "/public/impersonate");
        assert!(high(Some(&moved)));
    }

    #[test]
    fn removed_checks_count_only_when_not_added_back() {
        let old = "@login_required\ndef export(request):\n    return build(request)\n";
        let gone = "def export(request):\n    return build(request)\n";
        assert_eq!(
            rules_hit("app/views.py", Some(old), Some(gone)),
            vec!["sec-auth-check-removed"]
        );
        let moved = "def export(request):\n    return build(request)\n\n@login_required\ndef export_v2(request):\n    return build(request)\n";
        // The pattern rule sees the decorator added back and stays quiet; the
        // syntax comparison sees that `export` itself lost it.
        assert_eq!(
            rules_hit("app/views.py", Some(old), Some(moved)),
            vec!["logic-check-removed"]
        );
        // A renamed check is still a check.
        let renamed = old.replace("@login_required", "@session_required");
        assert!(rules_hit("app/views.py", Some(old), Some(&renamed)).is_empty());
        // Tests may drop checks freely.
        assert!(rules_hit("tests/test_views.py", Some(old), Some(gone)).is_empty());
    }

    #[test]
    fn a_private_temp_file_made_a_fixed_path_is_found() {
        let old = "#!/bin/sh\nCFG=\"$(mktemp)\"\nfetch > \"$CFG\"\n";
        let new = "#!/bin/sh\nCFG=\"/tmp/kubeconfig-$CLUSTER\"\nfetch > \"$CFG\"\n";
        assert!(
            rules_hit("scripts/deploy.sh", Some(old), Some(new))
                .contains(&"sec-predictable-temp".to_string())
        );
        let kept = "#!/bin/sh\nCFG=\"$(mktemp /tmp/kubeconfig.XXXXXX)\"\nfetch > \"$CFG\"\n";
        assert!(
            !rules_hit("scripts/deploy.sh", Some(old), Some(kept))
                .contains(&"sec-predictable-temp".to_string())
        );
    }

    #[test]
    fn allow_list_patterns_compiled_from_values_are_found_unless_escaped() {
        for (path, line) in [
            (
                "src/middleware/cors.ts",
                "const PATTERNS = domains.map((d) => new RegExp(`${d}$`));",
            ),
            (
                "app/redirects.py",
                "ALLOWED = re.compile(r\"https://\" + host + \"/.*\")",
            ),
            (
                "internal/web/origin.go",
                "var allowed = regexp.MustCompile(fmt.Sprintf(\"%s$\", domain))",
            ),
            (
                "src/Security/Hosts.php",
                "if (preg_match('/' . $trusted . '$/', $host)) {",
            ),
        ] {
            let hit = rules_hit(
                path,
                Some("// header\n"),
                Some(&format!("// header\n{line}\n")),
            );
            assert!(
                hit.contains(&"sec-allow-pattern-unescaped".to_string()),
                "{line}: {hit:?}"
            );
        }
        for (path, line) in [
            (
                "src/middleware/cors.ts",
                "const PATTERNS = domains.map((d) => new RegExp(`^https://${escapeRegExp(d)}$`));",
            ),
            (
                "app/redirects.py",
                "ALLOWED = re.compile(\"^https://\" + re.escape(host) + \"/\")",
            ),
            (
                "src/util/slug.ts",
                "const SLUG = new RegExp(`^[a-z0-9-]{1,${max}}$`);",
            ),
        ] {
            let hit = rules_hit(
                path,
                Some("// header\n"),
                Some(&format!("// header\n{line}\n")),
            );
            assert!(
                !hit.contains(&"sec-allow-pattern-unescaped".to_string()),
                "{line}: {hit:?}"
            );
        }
    }

    #[test]
    fn a_method_annotation_that_repeats_its_class_annotation_is_not_a_check_removed() {
        use crate::risk::testkit::rules_hit_with_contents;
        let class = "@RestController\n@PreAuthorize(\"hasRole('REPORTS')\")\npublic class ReportController {\n\n    @PreAuthorize(\"hasRole('REPORTS')\")\n    @GetMapping(\"/reports\")\n    public List<Report> list() {\n        return service.list();\n    }\n}\n";
        let path = "src/main/java/acme/web/ReportController.java";
        let deduped = class.replacen("    @PreAuthorize(\"hasRole('REPORTS')\")\n", "", 1);
        let hit = rules_hit_with_contents(path, class, &deduped);
        assert!(
            !hit.contains(&"sec-auth-check-removed".to_string()),
            "{hit:?}"
        );
        // The class-level one removed: found.
        let open = class.replacen(
            "@PreAuthorize(\"hasRole('REPORTS')\")\npublic class",
            "public class",
            1,
        );
        let hit = rules_hit_with_contents(path, class, &open);
        assert!(
            hit.contains(&"sec-auth-check-removed".to_string()),
            "{hit:?}"
        );
        // A stricter method-level check removed, the class's is another: found.
        let strict = class.replacen(
            "    @PreAuthorize(\"hasRole('REPORTS')\")",
            "    @PreAuthorize(\"hasRole('APPROVER')\")",
            1,
        );
        let dropped = strict.replacen("    @PreAuthorize(\"hasRole('APPROVER')\")\n", "", 1);
        let hit = rules_hit_with_contents(path, &strict, &dropped);
        assert!(
            hit.contains(&"sec-auth-check-removed".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn a_role_check_moved_into_router_middleware_is_not_removed() {
        let old = "func (h *H) List(w http.ResponseWriter, r *http.Request) {\n\tif s := auth.FromContext(r.Context()); s == nil || s.Role != \"admin\" {\n\t\thttp.Error(w, \"forbidden\", http.StatusForbidden)\n\t\treturn\n\t}\n\tlist(w)\n}\n\nfunc (h *H) Routes() {\n\tr.Get(\"/users\", h.List)\n}\n";
        let moved = "func (h *H) List(w http.ResponseWriter, r *http.Request) {\n\tlist(w)\n}\n\nfunc (h *H) Routes() {\n\tr.Use(auth.RequireRole(\"admin\"))\n\tr.Get(\"/users\", h.List)\n}\n";
        let hit = rules_hit("internal/api/admin.go", Some(old), Some(moved));
        assert!(
            !hit.contains(&"sec-auth-check-removed".to_string()),
            "{hit:?}"
        );
        // Another role on the router is not the same check.
        let other = moved.replace("RequireRole(\"admin\")", "RequireRole(\"member\")");
        let hit = rules_hit("internal/api/admin.go", Some(old), Some(&other));
        assert!(
            hit.contains(&"sec-auth-check-removed".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn a_check_moved_to_another_file_is_not_removed() {
        let mut d = crate::risk::testkit::diff_of(
            "api/orders.js",
            Some("router.get('/orders', requireAuth, list);\n"),
            Some("router.get('/orders', list);\n"),
        );
        let other = crate::risk::testkit::diff_of(
            "api/index.js",
            Some("app.use(router);\n"),
            Some("app.use('/api', requireAuth, router);\n"),
        );
        d.files.extend(other.files);
        let f = crate::risk::findings(
            &d,
            &crate::risk::Contents::new(),
            &crate::risk::RuleSet::builtin(),
        );
        assert!(
            f.iter().all(|f| f.rule != "sec-auth-check-removed"),
            "{f:?}"
        );
    }

    /// A handler's permission check moved onto its route, naming the same
    /// permission, is no check lost; onto a route naming a weaker one, or
    /// onto none, it is. The renamed check in the other handler keeps its
    /// error handling (no error swallowed).
    #[test]
    fn a_permission_check_moved_onto_the_handlers_route_is_kept() {
        use crate::risk::testkit::findings_of_change;
        let handler_old = "package api\n\nfunc (h *BillingHandler) GetInvoices(w http.ResponseWriter, r *http.Request) {\n\tsub, ok := auth.SubjectFrom(r.Context())\n\tif !ok {\n\t\thttp.Error(w, \"unauthenticated\", http.StatusUnauthorized)\n\t\treturn\n\t}\n\tif err := authz.CheckPerm(r.Context(), sub, \"billing:read\"); err != nil {\n\t\twriteAuthzError(w, err)\n\t\treturn\n\t}\n\tlist, err := h.svc.Invoices(r.Context(), sub.OrgID)\n\tif err != nil {\n\t\thttp.Error(w, \"internal error\", http.StatusInternalServerError)\n\t\treturn\n\t}\n\twriteJSON(w, http.StatusOK, list)\n}\n\nfunc (h *BillingHandler) Refund(w http.ResponseWriter, r *http.Request) {\n\tsub, _ := auth.SubjectFrom(r.Context())\n\tif err := authz.CheckPerm(r.Context(), sub, \"billing:write\"); err != nil {\n\t\twriteAuthzError(w, err)\n\t\treturn\n\t}\n\tif err := json.NewDecoder(r.Body).Decode(&in); err != nil {\n\t\thttp.Error(w, \"bad request\", http.StatusBadRequest)\n\t\treturn\n\t}\n\th.svc.Refund(r.Context(), in)\n}\n";
        let handler_new = handler_old
            .replace("\tif err := authz.CheckPerm(r.Context(), sub, \"billing:read\"); err != nil {\n\t\twriteAuthzError(w, err)\n\t\treturn\n\t}\n", "")
            .replace("authz.CheckPerm(r.Context(), sub, \"billing:write\")", "authz.RequirePermission(r.Context(), sub, \"billing:write\")");
        let routes_old = "package api\n\nfunc routes(r chi.Router, billing *BillingHandler) {\n\tr.Get(\"/billing/invoices\", billing.GetInvoices)\n\tr.Post(\"/billing/refund\", billing.Refund)\n}\n";
        let routes = |perm: &str, handler: &str| {
            routes_old.replace(
                "\tr.Get(\"/billing/invoices\", billing.GetInvoices)",
                &format!("\tr.With(authz.Middleware(\"{perm}\")).Get(\"/billing/invoices\", billing.{handler})"),
            )
        };
        let high = |routes_new: &str| -> Vec<String> {
            findings_of_change(
                &[
                    (
                        "internal/api/billing.go",
                        Some(handler_old),
                        Some(&handler_new),
                    ),
                    ("internal/api/routes.go", Some(routes_old), Some(routes_new)),
                ],
                Some("api: billing permissions on the routes"),
            )
            .into_iter()
            .filter(|f| f.severity >= crate::risk::Severity::High)
            .map(|f| format!("{} {}", f.rule, f.message))
            .collect()
        };
        let moved = high(&routes("billing:read", "GetInvoices"));
        assert!(moved.is_empty(), "{moved:?}");
        // The route now asks for a permission every member holds.
        let weaker = high(&routes("projects:read", "GetInvoices"));
        assert!(!weaker.is_empty(), "{weaker:?}");
        // Nothing on the route: the check is simply gone.
        let gone = high(routes_old);
        assert!(!gone.is_empty(), "{gone:?}");
    }

    /// A route check renamed by the change and now registered once for the
    /// whole router is kept (nothing high); renamed but with some other
    /// middleware registered, it is gone.
    #[test]
    fn a_renamed_check_registered_for_the_router_is_kept() {
        use crate::risk::testkit::findings_of_change;
        let mw_old = "export async function checkAuth(req, res, next) {\n  if (!req.session) {\n    return res.status(401).end();\n  }\n  return next();\n}\n";
        let mw_new = mw_old.replace("checkAuth", "requireSession");
        let routes_old = "import { checkAuth } from \"../middleware/auth\";\n\nexport const projects = Router();\n\nprojects.get(\"/\", checkAuth, async (req, res) => {\n  res.json(await list(req.userId));\n});\n\nprojects.delete(\"/:id\", checkAuth, async (req, res) => {\n  await remove(req.params.id);\n  res.status(204).end();\n});\n";
        let routes_new = |registered: &str| {
            routes_old
                .replace("import { checkAuth }", "import { requireSession }")
                .replace(", checkAuth, async", ", async")
                .replace(
                    "export const projects = Router();\n",
                    &format!("export const projects = Router();\n\nprojects.use({registered});\n"),
                )
        };
        let removed = |registered: &str| {
            findings_of_change(
                &[
                    ("src/middleware/auth.ts", Some(mw_old), Some(&mw_new)),
                    (
                        "src/routes/projects.ts",
                        Some(routes_old),
                        Some(&routes_new(registered)),
                    ),
                ],
                Some("Rename checkAuth to requireSession"),
            )
            .into_iter()
            .any(|f| f.severity >= crate::risk::Severity::High)
        };
        assert!(!removed("requireSession"));
        assert!(removed("requestLogger"));
    }

    /// A Phoenix controller's `plug :require_admin` moved into the router's
    /// pipeline as the module plug of the same name is kept; a pipeline
    /// plugging something else is no replacement.
    #[test]
    fn a_controller_plug_moved_into_a_router_pipeline_is_kept() {
        use crate::risk::testkit::findings_of_change;
        let ctl_old = "defmodule MyAppWeb.Admin.PlanController do\n  use MyAppWeb, :controller\n\n  plug :require_admin\n\n  def index(conn, _params) do\n    render(conn, :index)\n  end\nend\n";
        let ctl_new = ctl_old.replace("  plug :require_admin\n\n", "");
        let router_old = "defmodule MyAppWeb.Router do\n  pipeline :browser do\n    plug :fetch_session\n  end\n\n  scope \"/admin\", MyAppWeb.Admin do\n    pipe_through [:browser]\n    resources \"/plans\", PlanController\n  end\nend\n";
        let router_new = |plug: &str| {
            router_old
                .replace(
                    "  scope \"/admin\"",
                    &format!("  pipeline :admin do\n    plug {plug}\n  end\n\n  scope \"/admin\""),
                )
                .replace("pipe_through [:browser]", "pipe_through [:browser, :admin]")
        };
        let removed = |plug: &str| {
            findings_of_change(
                &[
                    (
                        "lib/my_app_web/controllers/admin/plan_controller.ex",
                        Some(ctl_old),
                        Some(&ctl_new),
                    ),
                    (
                        "lib/my_app_web/router.ex",
                        Some(router_old),
                        Some(&router_new(plug)),
                    ),
                ],
                Some("Move the admin check into a router pipeline"),
            )
            .into_iter()
            .any(|f| f.rule == "sec-auth-check-removed")
        };
        assert!(!removed("MyAppWeb.Plugs.RequireAdmin"));
        assert!(removed("MyAppWeb.Plugs.PutLayout"));
    }

    #[test]
    fn a_check_made_the_default_in_the_base_controller_is_kept_and_old_open_routes_may_skip_it() {
        use crate::risk::Severity;
        use crate::risk::testkit::findings_of_change;
        let base_old = "class ApplicationController < ActionController::Base\nend\n";
        let base_new = "class ApplicationController < ActionController::Base\n  before_action :authenticate_user!\nend\n";
        let invoices_old = "class InvoicesController < ApplicationController\n  before_action :authenticate_user!\n\n  def index\n    render json: current_user.invoices\n  end\nend\n";
        let invoices_new = "class InvoicesController < ApplicationController\n  def index\n    render json: current_user.invoices\n  end\nend\n";
        let health_old = "class HealthController < ApplicationController\n  def show\n    head :ok\n  end\nend\n";
        let health_new = "class HealthController < ApplicationController\n  skip_before_action :authenticate_user!\n\n  def show\n    head :ok\n  end\nend\n";
        let run = |base: &str, health: (&str, &str), invoices_parent: &str| {
            let inv_old = invoices_old.replace("ApplicationController", invoices_parent);
            let inv_new = invoices_new.replace("ApplicationController", invoices_parent);
            findings_of_change(
                &[
                    (
                        "app/controllers/application_controller.rb",
                        Some(base_old),
                        Some(base),
                    ),
                    (
                        "app/controllers/invoices_controller.rb",
                        Some(&inv_old),
                        Some(&inv_new),
                    ),
                    (
                        "app/controllers/health_controller.rb",
                        Some(health.0),
                        Some(health.1),
                    ),
                ],
                None,
            )
        };
        let worst = |f: &[crate::risk::Finding], path: &str| {
            f.iter()
                .filter(|x| x.path.ends_with(path))
                .map(|x| x.severity)
                .max()
        };
        let f = run(base_new, (health_old, health_new), "ApplicationController");
        assert_eq!(worst(&f, "invoices_controller.rb"), None, "{f:?}");
        assert_eq!(
            worst(&f, "health_controller.rb"),
            Some(Severity::Low),
            "{f:?}"
        );
        // A controller that does not extend the base loses its check.
        let f = run(base_new, (health_old, health_new), "ActionController::Base");
        assert_eq!(
            worst(&f, "invoices_controller.rb"),
            Some(Severity::High),
            "{f:?}"
        );
        // A route that ran the check before and now skips it is opened.
        let guarded = health_old.replace(
            "ApplicationController\n",
            "ApplicationController\n  before_action :authenticate_user!\n",
        );
        let f = run(base_new, (&guarded, health_new), "ApplicationController");
        assert_eq!(
            worst(&f, "health_controller.rb"),
            Some(Severity::High),
            "{f:?}"
        );
        // So is one whose base already ran it: the default is not new.
        let f = run(base_new, (health_old, health_new), "ApplicationController");
        let already = findings_of_change(
            &[
                (
                    "app/controllers/application_controller.rb",
                    Some(base_new),
                    Some(&base_new.replace("end\n", "  helper_method :current_user\nend\n")),
                ),
                (
                    "app/controllers/health_controller.rb",
                    Some(health_old),
                    Some(health_new),
                ),
            ],
            None,
        );
        assert_eq!(worst(&f, "health_controller.rb"), Some(Severity::Low));
        assert_eq!(
            worst(&already, "health_controller.rb"),
            Some(Severity::High),
            "{already:?}"
        );
    }

    #[test]
    fn a_check_the_new_parent_class_runs_is_inherited_not_removed() {
        use crate::risk::testkit::findings_of_change;
        let old = "module Admin\n  class ReportsController < ApplicationController\n    before_action :authenticate_user!\n    before_action :require_staff!\n\n    def index\n      @reports = Report.unresolved\n    end\n  end\nend\n";
        let new = "module Admin\n  class ReportsController < BaseController\n    def index\n      @reports = Report.unresolved\n    end\n  end\nend\n";
        let base = |checks: &str, helper: &str| {
            format!(
                "module Admin\n  class BaseController < ApplicationController\n{checks}\n    layout 'admin'\n{helper}\n  end\nend\n"
            )
        };
        let both = "    before_action :authenticate_user!\n    before_action :require_staff!\n";
        let removed = |base_old: &str, base_new: &str| {
            findings_of_change(
                &[
                    (
                        "app/controllers/admin/reports_controller.rb",
                        Some(old),
                        Some(new),
                    ),
                    (
                        "app/controllers/admin/base_controller.rb",
                        Some(base_old),
                        Some(base_new),
                    ),
                ],
                None,
            )
            .iter()
            .filter(|f| f.rule == "sec-auth-check-removed" || f.rule == "logic-check-removed")
            .map(|f| f.message.clone())
            .collect::<Vec<_>>()
        };
        let helper = "\n    def open_reports_count\n      Report.unresolved.count\n    end\n";
        assert_eq!(
            removed(&base(both, ""), &base(both, helper)),
            Vec::<String>::new()
        );
        // The parent with the checks written only in a test fixture: the
        // real one is not shown, nothing says it runs them.
        let fixture = findings_of_change(
            &[
                (
                    "app/controllers/admin/reports_controller.rb",
                    Some(old),
                    Some(new),
                ),
                (
                    "spec/fixtures/admin/base_controller.rb",
                    None,
                    Some(&base(both, "")),
                ),
            ],
            None,
        );
        assert!(
            fixture
                .iter()
                .any(|f| f.rule == "sec-auth-check-removed" || f.rule == "logic-check-removed"),
            "{fixture:?}"
        );
        // A parent that signs users in but never asks for staff.
        let signed_in = "    before_action :authenticate_user!\n";
        let hit = removed(&base(signed_in, ""), &base(signed_in, helper));
        assert!(hit.iter().any(|m| m.contains("require_staff")), "{hit:?}");
        assert!(
            !hit.iter().any(|m| m.contains("authenticate_user")),
            "{hit:?}"
        );
    }
}
