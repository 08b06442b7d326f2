//! A cache or idempotency key that loses whose data it holds: `document(tenant,
//! id)` → `document(id)`, `[@account.cache_key, …]` without the account,
//! `Key { merchant, key }` → `key`. Two tenants, accounts or users then share
//! one entry, and the second is served the first one's data (or their
//! stored response). The same happens when responses of per-user routes are
//! marked for shared caches (`Cache-Control: public, s-maxage=60` on
//! `/api/:path*`): the CDN keys them by URL alone.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// A line that builds, reads or writes a keyed cache entry.
static KEY_CONTEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(cache|\bkeys?\b|_key\b|key\s*[:=(]|\bKey\s*\{|memo|idempoten)").unwrap()
});
/// Whose data an entry is.
static IDENTITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b[@$]?(?:\w+\.)?(tenant|account|user|org|organization|customer|merchant|workspace|shop|store|owner|team|company|member)(_?id|Id|ID)?\b").unwrap()
});

/// A `Cache-Control` value that lets shared caches (a CDN, a proxy) keep a
/// response.
static SHARED_CACHEABLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\bpublic\b[^'\x22`\n]*\b(?:s-maxage|max-age)\s*=\s*[1-9]|\bs-maxage\s*=\s*([1-9]|\$\{|#\{|\{\w|['\x22`]\s*(\+|\.|%))",
    )
    .unwrap()
});
/// A route that answers differently for each signed-in user.
static PER_USER_ROUTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"["'`](?:/[\w-]+)*/(?:api|account|accounts|me|users?|profile|orders|graphql|dashboard|session|auth|checkout|cart|billing|settings)(?:[/:"'`?*]|\b)[^"'`]*["'`]"#).unwrap()
});
/// Routes whose answer is the same for everyone.
static PUBLIC_ROUTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)/(public|health\w*|status|og|static|assets|docs|openapi|version)\b").unwrap()
});
/// The response varies by who asks, so shared caches keep one per user.
static VARIES_BY_USER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)vary[^\n]*(cookie|authorization)").unwrap());

/// The first per-user route (not a public one) named in `texts`, unquoted.
fn per_user_route<'a>(mut texts: impl Iterator<Item = &'a str>) -> Option<String> {
    texts
        .find_map(|t| PER_USER_ROUTE.find(t))
        .map(|m| m.as_str().trim_matches(['"', '\'', '`']).to_string())
        .filter(|r| !PUBLIC_ROUTE.is_match(r))
}

/// Whether `line` lets shared caches keep a response (and does not also
/// say `private`).
fn shared_cacheable(line: &str) -> bool {
    SHARED_CACHEABLE.is_match(line) && !line.to_ascii_lowercase().contains("private")
}

/// The finding that responses of `route` are kept by shared caches because
/// of `line`, saying `how` the route gets them.
fn shared_cache_finding(f: &FileView<'_>, no: u32, line: &str, route: &str, how: &str) -> Finding {
    Finding::added(
        "cache-key-identity-lost",
        Severity::High,
        f.path,
        Some(no),
        format!(
            "Marks responses of `{}` cacheable by shared caches (`{}`){how}: a CDN keys them by URL alone, so one user's answer is served to the next.",
            quote(route),
            quote(SHARED_CACHEABLE.find(line).map_or("", |m| m.as_str()))
        ),
    )
}

/// Responses of per-user routes marked cacheable by shared caches.
fn shared_cache_on_user_routes(f: &FileView<'_>, out: &mut Vec<Finding>) {
    for l in f.added_code() {
        if !shared_cacheable(l.text) {
            continue;
        }
        // The route is on the line, or heads the block a few lines up
        // (`source: '/api/:path*'`, `location /api/`).
        let near: Vec<&str> = (l.no.saturating_sub(4)..=l.no + 4)
            .filter_map(|n| f.new_lines.get(&n).copied())
            .collect();
        if near.iter().any(|t| VARIES_BY_USER.is_match(t)) {
            continue;
        }
        let route = per_user_route(
            std::iter::once(l.text).chain(
                (l.no.saturating_sub(4)..l.no)
                    .rev()
                    .filter_map(|n| f.new_lines.get(&n).copied()),
            ),
        );
        let Some(route) = route else { continue };
        out.push(shared_cache_finding(f, l.no, l.text, &route, ""));
        return;
    }
}

/// A call that caches what a closure computes under a key: Laravel's
/// `Cache::remember(key, ttl, fn () => …)`, Django's `cache.get_or_set(key,
/// …)`, Rails' `Rails.cache.fetch(key) { … }`, a `memoize`-style helper.
static REMEMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:Cache::(?:remember|rememberForever|flexible)|cache\(\)->remember\w*|\bcache\.(?:get_or_set|fetch|remember|wrap|getOrSet)|Rails\.cache\.fetch)\s*\(").unwrap()
});
/// Whose request it is, read in the key itself.
static KEY_KNOWS_CALLER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(auth\(\)|Auth::|->user\(\)|request\.user|current_user|current_\w+|session|getUser|\buser\b|Current\.)").unwrap()
});

/// A cache the change adds around a computation over the caller's tenant,
/// team or user, under a key built without them (from the URL and its
/// filters): the first caller's numbers are served to every other one who
/// asks for the same URL.
fn new_cache_without_owner(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let Some(new) = f.new_text() else { return };
    for l in f.added_code() {
        let Some(m) = REMEMBER.find(l.text) else {
            continue;
        };
        // The call's `(` in the whole text (line endings counted as written,
        // `\r\n` included).
        let start = new
            .split_inclusive('\n')
            .take(l.no as usize - 1)
            .map(str::len)
            .sum::<usize>()
            + m.end()
            - 1;
        if new.as_bytes().get(start) != Some(&b'(') {
            continue;
        }
        let Some(end) = super::code::closing_bracket(new.as_bytes(), start) else {
            continue;
        };
        let args = super::code::top_level_args(&new[start + 1..end]);
        let key = args.first().map_or("", |a| a.trim());
        // The computation: the other arguments, or a Ruby block after the call.
        let mut computed = args[1..].join(",");
        if computed.trim().is_empty() {
            computed = new[end..].chars().take(600).collect();
        }
        if !IDENTITY.is_match(&computed) {
            continue;
        }
        // A key built by a helper of this file: read its body too.
        let mut key_text = key.to_string();
        if let Some(c) = HELPER_CALL.captures(key)
            && let Some(body) = function_body(new, &c[1])
        {
            key_text.push('\n');
            key_text.push_str(&body);
        }
        if IDENTITY.is_match(&key_text) || KEY_KNOWS_CALLER.is_match(&key_text) {
            continue;
        }
        let owner = IDENTITY.find(&computed).map_or("", |m| m.as_str());
        out.push(Finding::added(
            "cache-key-unscoped",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "Caches what is computed for `{}` under a key that does not name it (`{}`): the first caller's data is served to everyone who asks for the same key.",
                quote(owner),
                quote(key)
            ),
        ));
        return;
    }
}

/// A key made by a call to a helper: `$this->cacheKey($request)`,
/// `self._cache_key(request)`, `cache_key_for(params)`.
static HELPER_CALL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:\$this->|self\.|this\.)?(\w+)\s*\(").unwrap());

/// The text of the function named `name` in `text`, up to the next function.
fn function_body(text: &str, name: &str) -> Option<String> {
    let head = Regex::new(&format!(
        r"(?m)^\s*(?:(?:public|private|protected|static|async|export)\s+)*(?:function|def|func|fn)\s+{}\s*\(",
        regex::escape(name)
    ))
    .ok()?;
    let m = head.find(text)?;
    let rest = &text[m.end()..];
    let next = Regex::new(r"(?m)^\s*(?:(?:public|private|protected|static|async|export)\s+)*(?:function|def|func|fn)\s+\w+\s*\(")
        .ok()?;
    let stop = next.find(rest).map_or(rest.len(), |n| n.start());
    Some(rest[..stop].to_string())
}

/// A cache put on a whole handler or method by a decorator or attribute:
/// Flask-Caching's `@cache.cached`, Django's `@cache_page`, Spring's
/// `@Cacheable`, ASP.NET's `[OutputCache]` / `[ResponseCache]`.
static CACHE_DECORATOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:@(?:\w+\.)?(?:cached|cache_page|memoize)\s*\(|@Cacheable\b|\[(?:OutputCache|ResponseCache)\b)").unwrap()
});
/// A decorator that lets only a signed-in caller in: the handler answers
/// for whoever that is.
static CALLER_GATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*[@\[](?:\w+\.)?(?:jwt_required|login_required|auth_required|requires_auth|permission_required|Authorize|PreAuthorize|Secured|RolesAllowed|authenticated)\b").unwrap()
});
/// Code that reads who the caller is.
static READS_CALLER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:get_jwt_identity|current_user|g\.user|request\.user|session\[|session\.get|auth\(\)|Auth::|SecurityContextHolder|User\.Identity|HttpContext\.User|getUserPrincipal|[Tt]enantContext|[cC]urrentTenant|requireTenant|get_current_\w+)").unwrap()
});
/// A key or variation that separates callers: a key function, a vary on the
/// cookie or the authorization header.
static KEY_SEPARATES_CALLERS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(make_cache_key|key_prefix\s*=\s*[a-z_]\w*\s*[,)]|keyGenerator|vary_on_cookie|vary_on_headers|VaryByHeader|\bcookie\b|authorization)").unwrap()
});

/// A cache the change puts on a whole handler whose answer depends on the
/// caller (it reads the signed-in user, sits behind a login decorator, or
/// takes the tenant as a parameter), under a key that does not name them:
/// by URL path (`@cache.cached`, `@cache_page`) or by an explicit key
/// expression without the tenant (`@Cacheable(key = "#status + ':' + #page")`).
fn cached_handler_without_caller(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !f.added.iter().any(|l| CACHE_DECORATOR.is_match(l.text)) {
        return;
    }
    let new = f.new_text_or_hunks();
    let lines: Vec<&str> = new.lines().collect();
    for l in f.added_code() {
        let at = l.no as usize - 1;
        if !CACHE_DECORATOR.is_match(l.text) || at >= lines.len() {
            continue;
        }
        // The decorator's text up to its closing bracket (a few lines at most).
        let mut deco = String::new();
        let mut depth = 0i32;
        for t in lines.iter().skip(at).take(6) {
            deco.push_str(t);
            deco.push('\n');
            depth += t.matches(['(', '[']).count() as i32 - t.matches([')', ']']).count() as i32;
            if depth <= 0 {
                break;
            }
        }
        // The stack of decorators around it, and the signature below it.
        let mut first = at;
        while first > 0 && CACHE_STACK_LINE.is_match(lines[first - 1]) {
            first -= 1;
        }
        let Some(function) = super::code::decorated_function(&lines, at) else {
            continue;
        };
        let stack = &lines[first..function.start];
        let body = &lines[function.clone()];
        let signature = lines[function.start];
        let explicit_key = KEYED.is_match(&deco);
        let gated = stack.iter().any(|t| CALLER_GATE.is_match(t));
        let reads = body.iter().any(|t| READS_CALLER.is_match(t));
        // An explicit key over a method given its owner as a parameter.
        // Or the caller themself (`caller: CallerPrincipal`, `User user`),
        // when the key leaves that parameter out.
        let params = signature.split_once('(').map_or("", |(_, p)| p);
        let owner_param = explicit_key
            .then(|| {
                IDENTITY
                    .find(params)
                    .map(|m| m.as_str().to_string())
                    .or_else(|| {
                        CALLER_PARAM
                            .captures(params)
                            .map(|c| c[1].to_string())
                            .filter(|name| !deco.contains(&format!("#{name}")))
                    })
            })
            .flatten();
        if !(gated || reads || owner_param.is_some()) {
            continue;
        }
        let key_text = if explicit_key {
            KEYED.find(&deco).map_or("", |m| &deco[m.start()..])
        } else {
            deco.as_str()
        };
        if KEY_SEPARATES_CALLERS.is_match(key_text)
            || stack.iter().any(|t| KEY_SEPARATES_CALLERS.is_match(t))
            || (explicit_key
                && (IDENTITY.is_match(key_text) || KEY_KNOWS_CALLER.is_match(key_text)))
        {
            continue;
        }
        // Spring keys by every parameter unless told otherwise: enough when
        // the owner is one of them, not when the method reads the caller or
        // tenant from its context (`TenantContext`, `SecurityContextHolder`).
        if deco.contains("@Cacheable")
            && !explicit_key
            && !(reads && !IDENTITY.is_match(params) && !CALLER_PARAM.is_match(params))
        {
            continue;
        }
        let whose = owner_param.unwrap_or_else(|| "signed-in caller".into());
        out.push(Finding::added(
            "cache-key-unscoped",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "Caches the whole answer of `{}`, which depends on the {whose}, under a key that does not name them (`{}`): the first caller's data is served to the next.",
                quote(signature.trim().trim_end_matches([':', '{']).trim()),
                quote(deco.trim())
            ),
        ));
        return;
    }
}

/// A parameter that is the caller: `caller: CallerPrincipal`, `Principal
/// principal`, `requester`, `viewer`, `actor`.
static CALLER_PARAM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(caller|principal|requester|viewer|actor|currentUser|current_user|authUser|auth_user)\b\s*[:,)]").unwrap()
});

/// A line of a decorator or attribute stack.
static CACHE_STACK_LINE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*(?:@|\[\w)").unwrap());
/// An explicit key in a cache decorator.
static KEYED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:key|key_prefix|VaryByQueryKeys)\s*=").unwrap());

/// A caching strategy a service worker puts on API routes: Workbox's
/// `StaleWhileRevalidate`, `CacheFirst`, `CacheOnly`.
static SW_CACHING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bnew\s+(?:StaleWhileRevalidate|CacheFirst|CacheOnly)\s*\(").unwrap()
});
/// An edge worker told to cache every response whatever the origin says
/// (Cloudflare's `cacheEverything`).
static EDGE_CACHE_ALL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bcacheEverything\s*:\s*true\b").unwrap());

/// Responses of per-user routes kept in a cache keyed by URL alone: a
/// service worker serving the signed-in user's API answers from Cache
/// Storage (to the next user of the browser, after logout too), or an edge
/// worker caching every page whatever the origin's `Cache-Control` says.
fn url_keyed_cache_of_user_pages(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let sw = f.added.iter().any(|l| SW_CACHING.is_match(l.text));
    let edge = f.added.iter().any(|l| EDGE_CACHE_ALL.is_match(l.text));
    if !sw && !edge {
        return;
    }
    let new = f.new_text_or_hunks();
    let lines: Vec<&str> = new.lines().collect();
    for l in f.added_code() {
        let at = l.no as usize - 1;
        if at >= lines.len() {
            continue;
        }
        if sw && SW_CACHING.is_match(l.text) {
            // The route it serves: on the line or in the few above.
            let route = per_user_route(lines[at.saturating_sub(4)..=at].iter().rev().copied());
            let Some(route) = route else { continue };
            out.push(Finding::added(
                "cache-key-identity-lost",
                Severity::High,
                f.path,
                Some(l.no),
                format!(
                    "The service worker now answers `{}` from its cache (`{}`): Cache Storage is keyed by URL, so one user's answers are shown to the next user of the browser, after logout too.",
                    quote(&route),
                    quote(l.text.trim())
                ),
            ));
            return;
        }
        if edge && EDGE_CACHE_ALL.is_match(l.text) {
            // A request that carries a session is let through uncached.
            let near = lines[at.saturating_sub(30)..lines.len().min(at + 10)].join("\n");
            if near.to_ascii_lowercase().contains("cookie")
                || near.to_ascii_lowercase().contains("authorization")
            {
                continue;
            }
            out.push(Finding::added(
                "cache-key-identity-lost",
                Severity::High,
                f.path,
                Some(l.no),
                format!(
                    "Caches every response at the edge whatever the origin's `Cache-Control` says (`{}`), with no look at the session cookie: a signed-in user's page is served to the next visitor of the URL.",
                    quote(l.text.trim())
                ),
            ));
            return;
        }
    }
}

/// A middleware of the change that marks responses cacheable by shared
/// caches, mounted by another file of the change on per-user routes
/// (`app.use('/api', cdnCache({ sMaxAge: 60 }))`).
fn shared_cache_mounted_on_user_routes(
    f: &FileView<'_>,
    change: &super::ChangeView<'_>,
    out: &mut Vec<Finding>,
) {
    let Some(l) = f.added_code().find(|l| shared_cacheable(l.text)) else {
        return;
    };
    if f.new_text().is_some_and(|t| VARIES_BY_USER.is_match(t)) {
        return;
    }
    let key = super::behaviour::module_key(f.path);
    if key.len() < 4 {
        return;
    }
    let mounted = change
        .files
        .iter()
        .filter(|g| g.path != f.path && g.class.production())
        .flat_map(|g| g.added_code())
        .find_map(|a| {
            a.text
                .to_ascii_lowercase()
                .replace(['_', '-'], "")
                .contains(&key)
                .then(|| per_user_route(std::iter::once(a.text)))
                .flatten()
        });
    let Some(route) = mounted else { return };
    out.push(shared_cache_finding(
        f,
        l.no,
        l.text,
        &route,
        ", in a middleware the change mounts there",
    ));
}

/// A response cache of the change keyed by the URL alone (`key :=
/// r.Method + " " + r.URL.RequestURI()`), mounted as a middleware in a
/// router scope that also loads the session: every route behind it answers
/// per user, and the first user's answer is served to the next one who asks
/// for the same URL.
fn url_keyed_cache_after_session(
    f: &FileView<'_>,
    change: &super::ChangeView<'_>,
    out: &mut Vec<Finding>,
) {
    static KEY_FROM_URL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b\w*key\w*\s*:?=\s*[^\n]*(RequestURI|URL\.Path|URL\.String\(\)|\.originalUrl|\breq\.url\b|\brequest\.url\b|\brequest\.path\b|full_path|get_full_path|\brequest\.uri\b)").unwrap()
    });
    static CACHE_MOUNT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)\.(use|Use|With)\s*\(\s*[\w.]*cache\w*").unwrap());
    static SESSION_MOUNT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)\.(use|Use|With)\s*\([^)\n]*(session|auth|login|jwt|current_?user|identity)",
        )
        .unwrap()
    });
    let Some(text) = f.new_text() else { return };
    let lines: Vec<&str> = text.lines().collect();
    let Some(key) = f.added_code().find(|l| {
        KEY_FROM_URL.is_match(l.text) && {
            let at = (l.no as usize).saturating_sub(1);
            let Some(near) = lines.get(at.saturating_sub(3)..lines.len().min(at + 4)) else {
                return false;
            };
            let near = near.join("\n");
            !IDENTITY.is_match(&near)
                && !near.to_ascii_lowercase().contains("cookie")
                && !near.to_ascii_lowercase().contains("authorization")
        }
    }) else {
        return;
    };
    let mounted = change
        .files
        .iter()
        .filter(|g| g.class.production())
        .find_map(|g| {
            let text = g.new_text()?;
            let lines: Vec<&str> = text.lines().collect();
            g.added_code().find_map(|a| {
                let at = (a.no as usize).saturating_sub(1);
                (CACHE_MOUNT.is_match(a.text)
                    && lines
                        .get(at.saturating_sub(10)..at)
                        .is_some_and(|above| above.iter().any(|x| SESSION_MOUNT.is_match(x))))
                .then(|| a.text.trim().to_string())
            })
        });
    let Some(mount) = mounted else { return };
    out.push(Finding::added(
        "cache-key-identity-lost",
        Severity::High,
        f.path,
        Some(key.no),
        format!(
            "Caches responses under the URL alone (`{}`), mounted after the session is loaded (`{}`): a signed-in user's answer is served to the next one who asks for the same URL.",
            quote(key.text.trim()),
            quote(&mount)
        ),
    ));
}

/// Cache-identity rules for one file; `change` shows where its middleware
/// is mounted.
pub fn check(f: &FileView<'_>, change: &super::ChangeView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs || f.class.vendored || f.class.migration {
        return;
    }
    let before = out.len();
    shared_cache_on_user_routes(f, out);
    if out.len() == before {
        shared_cache_mounted_on_user_routes(f, change, out);
    }
    new_cache_without_owner(f, out);
    cached_handler_without_caller(f, out);
    url_keyed_cache_of_user_pages(f, out);
    url_keyed_cache_after_session(f, change, out);
    for (gone, came) in f.replacements() {
        if came.is_empty() || !came.iter().any(|l| KEY_CONTEXT.is_match(&l.content)) {
            continue;
        }
        let added: String = came
            .iter()
            .map(|l| l.content.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        // A feature-flag check evaluated per merchant (`flags.is_enabled(
        // "idempotent_capture_v2", merchant_id=…)`) keys nothing.
        static FLAG_CHECK: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(
                r"(?i)(is_?enabled|is_?active|feature_?(on|enabled)|\bflags?\.|\bvariation)\s*\(",
            )
            .unwrap()
        });
        let lost = gone
            .iter()
            .filter(|l| {
                KEY_CONTEXT.is_match(&l.content)
                    && !f.class.is_comment(&l.content)
                    && !FLAG_CHECK.is_match(&l.content)
            })
            .find_map(|l| {
                IDENTITY
                    .captures_iter(&l.content)
                    .map(|c| c[1].to_ascii_lowercase())
                    .find(|w| !added.to_ascii_lowercase().contains(w.as_str()))
                    .map(|w| (l, w))
            });
        let Some((l, who)) = lost else { continue };
        let at = came
            .iter()
            .find(|a| KEY_CONTEXT.is_match(&a.content))
            .and_then(|a| a.new_no)
            .or(l.new_no);
        out.push(Finding::added(
        "cache-key-identity-lost",
        Severity::High,
        f.path,
        at,
        format!(
            "The key no longer includes the {who} (`{}` before): entries of one {who} are now shared with every other, and served to them.",
            quote(l.content.trim())
        ),
    ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit;

    #[test]
    fn a_new_cache_of_team_data_keyed_by_the_url_alone_is_found() {
        use crate::risk::testkit::rules_hit_with_contents;
        let rule = "cache-key-unscoped".to_string();
        let p = "app/Http/Controllers/DashboardController.php";
        let old = "<?php\nclass DashboardController extends Controller\n{\n    public function index(DashboardFilterRequest $request): View\n    {\n        $team = $request->user()->currentTeam;\n        $stats = [\n            'revenue' => $this->stats->revenue($team),\n        ];\n        return view('dashboard', ['stats' => $stats]);\n    }\n}\n";
        let cached = |key: &str| {
            old.replace(
                "        $stats = [\n            'revenue' => $this->stats->revenue($team),\n        ];\n",
                &format!("        $stats = Cache::remember(\n            {key},\n            now()->addMinutes(10),\n            fn () => ['revenue' => $this->stats->revenue($team)]\n        );\n"),
            )
            .replace(
                "        return view('dashboard', ['stats' => $stats]);\n    }\n",
                "        return view('dashboard', ['stats' => $stats]);\n    }\n\n    private function cacheKey($request): string\n    {\n        return 'dashboard:'.sha1($request->fullUrl());\n    }\n",
            )
        };
        assert!(
            rules_hit_with_contents(p, old, &cached("$this->cacheKey($request)")).contains(&rule)
        );
        assert!(
            !rules_hit_with_contents(
                p,
                old,
                &cached("'dashboard:'.$team->id.':'.$this->cacheKey($request)")
            )
            .contains(&rule)
        );
        // Data that is nobody's in particular may be cached by URL.
        let global = cached("$this->cacheKey($request)").replace(
            "$this->stats->revenue($team)",
            "$this->stats->publicStatus()",
        );
        assert!(!rules_hit_with_contents(p, old, &global).contains(&rule));
        // Windows line endings and text of several bytes before the call.
        let crlf = format!("// Übersicht — ç\n{}", cached("$this->cacheKey($request)"))
            .replace('\n', "\r\n");
        let old_crlf = format!("// Übersicht — ç\n{old}").replace('\n', "\r\n");
        assert!(rules_hit_with_contents(p, &old_crlf, &crlf).contains(&rule));
    }

    #[test]
    fn per_user_routes_made_cacheable_by_a_cdn_are_found() {
        let rule = "cache-key-identity-lost".to_string();
        let old = "const cacheRules = [\n  ['/_next/static/:path*', IMMUTABLE],\n];\n";
        let new = "const cacheRules = [\n  ['/_next/static/:path*', IMMUTABLE],\n  ['/api/:path*', 'public, s-maxage=60, stale-while-revalidate=300'],\n];\n";
        assert!(rules_hit("next.config.js", Some(old), Some(new)).contains(&rule));
        let block = "headers: [\n  {\n    source: '/account/:path*',\n    headers: [{ key: 'Cache-Control', value: 'public, max-age=300' }],\n  },\n]\n";
        assert!(rules_hit("next.config.js", Some("headers: []\n"), Some(block)).contains(&rule));
    }

    #[test]
    fn public_routes_private_caching_or_a_vary_on_the_user_are_not() {
        let rule = "cache-key-identity-lost".to_string();
        let old = "const cacheRules = [];\n";
        for line in [
            "  ['/api/public/:path*', 'public, s-maxage=60'],",
            "  ['/api/:path*', 'private, max-age=60'],",
            "  ['/fonts/:path*', 'public, max-age=31536000, immutable'],",
            "  ['/api/:path*', 'public, s-maxage=60'], { key: 'Vary', value: 'Cookie' },",
        ] {
            let new = format!("const cacheRules = [\n{line}\n];\n");
            assert!(
                !rules_hit("next.config.js", Some(old), Some(&new)).contains(&rule),
                "{line}"
            );
        }
    }

    #[test]
    fn a_cache_key_that_drops_the_tenant_is_found() {
        let rule = "cache-key-identity-lost".to_string();
        let old = "fn get(&self, tenant: &str, id: &str) {\n    let key = keys::document(tenant, id);\n    self.redis.get(key)\n}\n";
        let new = old.replace("keys::document(tenant, id)", "keys::document(id)");
        assert!(rules_hit("src/cache.rs", Some(old), Some(&new)).contains(&rule));
        let py = "def stats(account, user):\n    key = f\"stats:{account.id}:{user.role}\"\n    return cache.get(key)\n";
        let py_new = py.replace("{account.id}:", "");
        assert!(rules_hit("app/stats.py", Some(py), Some(&py_new)).contains(&rule));
    }

    #[test]
    fn a_key_respelled_with_its_owner_kept_is_not() {
        let rule = "cache-key-identity-lost".to_string();
        let old = "def stats(account, user):\n    key = f\"stats:{account.id}:{user.role}\"\n    return cache.get(key)\n";
        let new = old.replace(
            "f\"stats:{account.id}:{user.role}\"",
            "stats_key(account_id=account.id, role=user.role)",
        );
        assert!(!rules_hit("app/stats.py", Some(old), Some(&new)).contains(&rule));
        // A TTL changed next to the key is no key change.
        let ttl = "    key = f\"stats:{account.id}\"\n    cache.set(key, v, ttl=60)\n";
        let ttl_new = ttl.replace("ttl=60", "ttl=300");
        assert!(!rules_hit("app/stats.py", Some(ttl), Some(&ttl_new)).contains(&rule));
    }

    #[test]
    fn a_handler_cached_whole_under_a_key_without_the_caller_is_found() {
        use crate::risk::testkit::rules_hit_with_contents;
        let rule = "cache-key-unscoped".to_string();
        let view = "@bp.get(\"/balance\")\n@jwt_required()\ndef balance():\n    owner = get_jwt_identity()\n    return jsonify(ledger.balance_of(owner))\n";
        let cached =
            |deco: &str| view.replace("@jwt_required()\n", &format!("@jwt_required()\n{deco}\n"));
        let hit = |new: &str| rules_hit_with_contents("app/api/wallet.py", view, new);
        assert!(hit(&cached("@cache.cached(timeout=60)")).contains(&rule));
        // A key function separates callers.
        assert!(
            !hit(&cached(
                "@cache.cached(timeout=60, make_cache_key=per_user_key)"
            ))
            .contains(&rule)
        );
        // A handler whose answer is the same for everyone may be cached by URL.
        let public = "@bp.get(\"/rates\")\ndef rates():\n    return jsonify(fx.latest())\n";
        let public_cached = public.replace("def rates", "@cache.cached(timeout=60)\ndef rates");
        assert!(!rules_hit_with_contents("app/api/fx.py", public, &public_cached).contains(&rule));

        let java = "public class OrderQueries {\n    @Transactional(readOnly = true)\n    public OrderPage list(UUID tenantId, int page) {\n        return repo.findByTenantId(tenantId, PageRequest.of(page, 50));\n    }\n}\n";
        let keyed = |key: &str| {
            java.replace(
                "    @Transactional(readOnly = true)\n",
                &format!("    @Cacheable(cacheNames = \"orders\", key = \"{key}\")\n    @Transactional(readOnly = true)\n"),
            )
        };
        let hit = |new: &str| rules_hit_with_contents("src/main/java/OrderQueries.java", java, new);
        assert!(hit(&keyed("#page")).contains(&rule));
        assert!(!hit(&keyed("#tenantId + ':' + #page")).contains(&rule));
        // Spring's own key is every parameter, the tenant among them.
        let default_key = java.replace(
            "    @Transactional(readOnly = true)\n",
            "    @Cacheable(\"orders\")\n    @Transactional(readOnly = true)\n",
        );
        assert!(!hit(&default_key).contains(&rule));
        // Not when the tenant is read inside from its context: the key is the
        // page alone.
        let from_context = default_key
            .replace("list(UUID tenantId, int page)", "list(int page)")
            .replace(
                "        return repo",
                "        UUID tenantId = tenantContext.requireTenantId();\n        return repo",
            );
        assert!(hit(&from_context).contains(&rule));
        // Kotlin, the caller a parameter the key leaves out.
        let kt = "class DocumentService {\n    @Transactional(readOnly = true)\n    fun getDocument(documentId: UUID, caller: CallerPrincipal): DocumentDto {\n        val doc = documents.findByIdAndTenantId(documentId, caller.tenantId)\n        acl.check(caller, doc)\n        return doc.toDto()\n    }\n}\n";
        let kt_keyed = |key: &str| {
            kt.replace(
                "    @Transactional(readOnly = true)\n",
                &format!("    @Cacheable(\n        cacheNames = [DOCUMENTS],\n        key = \"{key}\",\n    )\n    @Transactional(readOnly = true)\n"),
            )
        };
        let hit =
            |new: &str| rules_hit_with_contents("src/main/kotlin/DocumentService.kt", kt, new);
        assert!(hit(&kt_keyed("#documentId")).contains(&rule));
        assert!(!hit(&kt_keyed("#caller.tenantId + ':' + #documentId")).contains(&rule));
    }

    #[test]
    fn service_and_edge_workers_caching_user_pages_by_url_are_found() {
        use crate::risk::testkit::rules_hit_with_contents;
        let rule = "cache-key-identity-lost".to_string();
        let sw =
            "registerRoute(({ url }) => url.pathname.startsWith('/api/'), new NetworkOnly());\n";
        let hit = |old: &str, new: &str| rules_hit_with_contents("src/sw.ts", old, new);
        assert!(
            hit(
                sw,
                &sw.replace("new NetworkOnly()", "new CacheFirst({ cacheName: 'api' })")
            )
            .contains(&rule)
        );
        let fonts = sw.replace("/api/", "/fonts/");
        assert!(
            !hit(
                &fonts,
                &fonts.replace(
                    "new NetworkOnly()",
                    "new CacheFirst({ cacheName: 'fonts' })"
                )
            )
            .contains(&rule)
        );

        let edge =
            "export default {\n  async fetch(request) {\n    return fetch(request);\n  },\n};\n";
        let all = edge.replace(
            "fetch(request);",
            "fetch(request, { cf: { cacheEverything: true, cacheTtl: 300 } });",
        );
        assert!(rules_hit_with_contents("workers/edge.ts", edge, &all).contains(&rule));
        // Requests that carry a session go through uncached.
        let bypass = all.replace(
            "    return fetch(request, {",
            "    if (request.headers.get('Cookie')?.includes('session=')) return fetch(request);\n    return fetch(request, {",
        );
        assert!(!rules_hit_with_contents("workers/edge.ts", edge, &bypass).contains(&rule));
    }

    #[test]
    fn a_shared_cache_middleware_mounted_on_user_routes_by_another_file_is_found() {
        use crate::risk::testkit::findings_of_change;
        let mw = "function cdnCache({ sMaxAge }) {\n  const value = ['public', 'max-age=0', `s-maxage=${sMaxAge}`].join(', ');\n  return (req, res, next) => {\n    res.setHeader('Cache-Control', value);\n    next();\n  };\n}\nmodule.exports = { cdnCache };\n";
        let app_old = "const app = express();\napp.use('/api/me', requireUser, meRouter);\n";
        let hit = |mount: &str, mw: &str| {
            let app_new = format!("{app_old}{mount}\n");
            findings_of_change(
                &[
                    ("src/middleware/cdnCache.js", None, Some(mw)),
                    ("src/app.js", Some(app_old), Some(&app_new)),
                ],
                None,
            )
            .iter()
            .any(|f| f.rule == "cache-key-identity-lost")
        };
        assert!(hit("app.use('/api', cdnCache({ sMaxAge: 60 }));", mw));
        // Mounted on public assets only.
        assert!(!hit("app.use('/static', cdnCache({ sMaxAge: 60 }));", mw));
        // Keyed by the session cookie: each user has an entry of their own.
        let varied = mw.replace(
            "    next();",
            "    res.setHeader('Vary', 'Cookie');\n    next();",
        );
        assert!(!hit("app.use('/api', cdnCache({ sMaxAge: 60 }));", &varied));
    }
}
