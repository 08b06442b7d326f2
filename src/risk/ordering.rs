//! Where order decides who may call: an Express-style app runs its
//! middleware in the order it was registered, so a route registered before
//! `app.use(requireAuth)` is served without it. A "tidy" that groups the
//! routes above the middleware, or a new route put first in a router that
//! authenticates the rest, opens that route to anyone, and every line of
//! the change looks harmless on its own.
//!
//! Spring Security's request matchers are the same trap in another form: the
//! first matcher that fits a request decides, so `/api/**` authenticated
//! listed above `/api/admin/**` with `hasRole("ADMIN")` lets every signed-in
//! user into the admin API.
//!
//! Read from text: registrations on one receiver (`app`, `router`), in file
//! order, each a route (`router.get("/:id", …)`, `app.use("/api/x",
//! xRouter)`) or an auth middleware (`app.use("/api", requireSession)`).

use std::sync::LazyLock;

use regex::Regex;

use super::code::closing_bracket;
use super::{FileView, Finding, Severity, quote};

/// A registration call at the start of a statement: `app.use(`,
/// `router.get(`.
static REGISTRATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^[ \t]*(\w+)\.(use|get|post|put|patch|delete|del|all|options|head|route)\s*\(")
        .unwrap()
});

/// Middleware that decides who may call (or how often).
static AUTH_MIDDLEWARE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(auth|session|jwt|passport|login|require\w*|protect|guard|verify|rate_?limit|ratelimit|limiter|throttle|csrf|acl|permission|role|bearer|apikey|api_key)").unwrap()
});

/// Paths meant to be reachable without a session.
static PUBLIC_PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(health|ready|live|alive|ping|status|version|metrics|login|logout|sign_?in|sign_?up|register|public|static|assets|favicon|robots|docs|openapi|swagger|webhook|callback|oauth|\.well-known|csrf|password|reset|verify|unsubscribe)").unwrap()
});

/// The path of a load balancer's or orchestrator's health probe.
static PROBE_PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^/(health|healthz|healthcheck|livez|readyz|live|ready|ping|_health)/?$")
        .unwrap()
});

/// One registration on a receiver.
#[derive(Debug, Clone)]
struct Registration {
    receiver: String,
    /// The path it is registered under ("" for every path).
    path: String,
    /// Auth middleware (else a route or a mounted router).
    auth: bool,
    /// The route names a guard of its own among its handlers.
    guarded: bool,
    line: u32,
}

fn registrations(text: &str) -> Vec<Registration> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    for c in REGISTRATION.captures_iter(text) {
        let whole = c.get(0).expect("match");
        let open = whole.end() - 1;
        let Some(close) = closing_bracket(b, open) else {
            continue;
        };
        let args = &text[open + 1..close];
        let method = &c[2];
        let (path, rest) = split_path(args);
        // A router named for what it serves (`authRouter`) guards nothing.
        let handlers_named_auth = rest
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| {
                let w = w.to_ascii_lowercase();
                !w.ends_with("router") && !w.ends_with("routes")
            })
            .any(|w| AUTH_MIDDLEWARE.is_match(w));
        let auth = method == "use" && handlers_named_auth && !rest.contains("Router");
        if method == "use" && !auth && path.is_none() {
            // `app.use(helmet())`, `app.use(express.json())`.
            continue;
        }
        out.push(Registration {
            receiver: c[1].to_string(),
            path: path.unwrap_or_default(),
            auth,
            guarded: !auth && handlers_named_auth,
            line: text[..whole.start()].matches('\n').count() as u32 + 1,
        });
    }
    out
}

/// The path literal an argument list starts with, and the rest.
fn split_path(args: &str) -> (Option<String>, &str) {
    let a = args.trim_start();
    let Some(q) = a.chars().next().filter(|c| matches!(c, '"' | '\'' | '`')) else {
        return (None, args);
    };
    match a[1..].find(q) {
        Some(end) => (Some(a[1..1 + end].to_string()), &a[end + 2..]),
        None => (None, args),
    }
}

/// Whether middleware under `scope` runs for requests to `path`, or to a
/// part of it (a rate limit on `/api/auth/login` for the router mounted on
/// `/api/auth`).
fn covers(scope: &str, path: &str) -> bool {
    scope.is_empty()
        || scope == "/"
        || path.starts_with(scope)
        || !path.is_empty() && scope.starts_with(&format!("{}/", path.trim_end_matches('/')))
}

/// Whether a registration is behind auth middleware registered before it
/// on the same receiver.
fn behind_auth(regs: &[Registration], i: usize) -> bool {
    let r = &regs[i];
    regs[..i]
        .iter()
        .any(|m| m.auth && m.receiver == r.receiver && covers(&m.path, &r.path))
}

/// A statement that hands the app to an installer: `applySecurity(app);`.
static INSTALLER_CALL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)^[ \t]*(?:await\s+)?(\w+)\((\w+)\)\s*;?\s*$").unwrap());

/// The registrations of `text`, with each call that hands the receiver to
/// a function of the change (`applySecurity(app)`) read as the middleware
/// that function registers on its parameter, at the call's line.
fn registrations_with_installers(text: &str, sources: &[&str]) -> Vec<Registration> {
    let mut regs = registrations(text);
    let calls: Vec<_> = INSTALLER_CALL.captures_iter(text).collect();
    if calls.is_empty() {
        return regs;
    }
    let functions: Vec<(&str, String, &str)> = sources.iter().flat_map(|t| functions(t)).collect();
    for c in calls {
        let (name, receiver) = (&c[1], &c[2]);
        let line = text[..c.get(0).expect("match").start()]
            .matches('\n')
            .count() as u32
            + 1;
        let Some((_, param, body)) = functions.iter().find(|(n, _, _)| *n == name) else {
            continue;
        };
        for mut r in registrations(body) {
            if r.receiver == *param && r.auth {
                r.receiver = receiver.to_string();
                r.line = line;
                regs.push(r);
            }
        }
    }
    regs.sort_by_key(|r| r.line);
    regs
}

/// The functions of `text` with their first parameter and body:
/// `function name(app: Express) {…}` or `const name = (app) => {…}`.
fn functions(text: &str) -> Vec<(&str, String, &str)> {
    static DEFINITION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:function\s+(\w+)|(?:const|let)\s+(\w+)\s*=\s*(?:async\s*)?)\s*\(\s*(\w+)")
            .unwrap()
    });
    DEFINITION
        .captures_iter(text)
        .filter_map(|c| {
            let name = c.get(1).or(c.get(2))?.as_str();
            let after = c.get(0)?.end();
            let open = after + text[after..].find('{')?;
            let close = closing_bracket(text.as_bytes(), open)?;
            Some((name, c[3].to_string(), &text[open + 1..close]))
        })
        .collect()
}

/// One request matcher with the rule it applies.
#[derive(Debug, Clone)]
struct Matcher {
    method: Option<String>,
    patterns: Vec<String>,
    /// How much the rule asks of a caller: 0 anyone, 1 signed in, 2 a role
    /// or authority, 3 nobody.
    strictness: u8,
    rule: String,
    /// The roles or authorities a role rule accepts (`hasAnyRole("A", "B")`).
    roles: Vec<String>,
    line: u32,
}

impl Matcher {
    /// This matcher, met first, lets in a caller that `later` would turn
    /// away: it asks less, or it accepts a role that `later` does not.
    fn weaker_than(&self, later: &Matcher) -> bool {
        self.strictness < later.strictness
            || self.strictness == 2
                && later.strictness == 2
                && !later.roles.is_empty()
                && self.roles.iter().any(|r| !later.roles.contains(r))
    }
}

static MATCHER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\.(?:requestMatchers|antMatchers|mvcMatchers|pathMatchers|regexMatchers)\s*\(|\bauthorize\s*\(")
        .unwrap()
});

/// The matchers of a security configuration, in order, with constants
/// (`private static final String ADMIN_API = "/api/admin/**"`) resolved.
fn matchers(text: &str) -> Vec<Matcher> {
    static CONSTANT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?:String(?:\[\])?|val|var|const val)\s+([A-Z_][A-Z0-9_]*)\s*(?::\s*[\w<>\[\]]+\s*)?=\s*(\{[^}]*\}|"[^"]*"|arrayOf\([^)]*\))"#).unwrap()
    });
    static STRING: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#""([^"]*)""#).unwrap());
    static RULE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*\.\s*(\w+)").unwrap());
    let constants: std::collections::HashMap<&str, Vec<String>> = CONSTANT
        .captures_iter(text)
        .map(|c| {
            let name = c.get(1).expect("group").as_str();
            let values = STRING
                .captures_iter(c.get(2).expect("group").as_str())
                .map(|v| v[1].to_string())
                .collect();
            (name, values)
        })
        .collect();
    let b = text.as_bytes();
    let mut out = Vec::new();
    for m in MATCHER.find_iter(text) {
        let open = m.end() - 1;
        let Some(close) = closing_bracket(b, open) else {
            continue;
        };
        let mut method = None;
        let mut patterns = Vec::new();
        let args = &text[open + 1..close];
        // Kotlin's DSL: `authorize("/internal/**", hasRole("OPS"))`, the
        // rule the last argument; the chained form: `.antMatchers(…).hasRole(…)`.
        let dsl = m.as_str().trim_start().starts_with("authorize");
        let (matched, rule_text) = if dsl {
            let last = super::code::top_level_args(args).pop().unwrap_or_default();
            let rest = args[..args.len() - last.len()]
                .trim_end()
                .trim_end_matches(',');
            (rest.to_string(), format!(".{}", last.trim()))
        } else {
            (args.to_string(), text[close + 1..].to_string())
        };
        for arg in matched.split(',') {
            let arg = arg.trim();
            if let Some(v) = arg.strip_prefix("HttpMethod.") {
                method = Some(v.to_string());
            } else if let Some(v) = STRING.captures(arg) {
                patterns.push(v[1].to_string());
            } else if let Some(vs) = constants.get(arg) {
                patterns.extend(vs.iter().cloned());
            }
        }
        let Some(rule) = RULE.captures(&rule_text).map(|c| c[1].to_string()) else {
            continue;
        };
        if dsl && patterns.is_empty() {
            continue; // `authorize(anyRequest, authenticated)`
        }
        // The roles in the rule's own parentheses.
        let roles: Vec<String> = rule_text
            .find('(')
            .filter(|i| rule_text[..*i].trim() == format!(".{rule}"))
            .and_then(|i| closing_bracket(rule_text.as_bytes(), i).map(|c| &rule_text[i + 1..c]))
            .map(|inner| {
                STRING
                    .captures_iter(inner)
                    .map(|c| c[1].to_string())
                    .collect()
            })
            .unwrap_or_default();
        let strictness = match rule.as_str() {
            "permitAll" | "anonymous" => 0,
            "authenticated" | "fullyAuthenticated" | "rememberMe" => 1,
            "denyAll" => 3,
            _ => 2,
        };
        out.push(Matcher {
            method,
            patterns,
            strictness,
            rule,
            roles,
            line: text[..m.start()].matches('\n').count() as u32 + 1,
        });
    }
    out
}

/// A protected `prefix/**` that became `prefix/*`: Ant's single star stops
/// at one path segment, so deeper paths fall through to a later, weaker
/// rule. (old pattern, new pattern, the new matcher).
fn narrowed<'a>(old: &[Matcher], new: &'a [Matcher]) -> Option<(String, String, &'a Matcher)> {
    for o in old.iter().filter(|o| o.strictness >= 2) {
        for p in &o.patterns {
            let Some(prefix) = p.strip_suffix("/**") else {
                continue;
            };
            let single = format!("{prefix}/*");
            let still_deep = new.iter().any(|n| n.patterns.contains(p));
            if still_deep {
                continue;
            }
            if let Some(n) = new
                .iter()
                .find(|n| n.rule == o.rule && n.patterns.contains(&single))
            {
                return Some((p.clone(), single, n));
            }
        }
    }
    None
}

/// Whether an Ant-style pattern matches every path another one matches.
fn pattern_covers(wide: &str, narrow: &str) -> bool {
    match wide.strip_suffix("/**") {
        Some(prefix) => narrow == prefix || narrow.starts_with(&format!("{prefix}/")),
        None => wide == narrow,
    }
}

/// Matchers shadowed by an earlier, weaker one: (the shadowed, the one
/// that decides instead).
fn shadowed(ms: &[Matcher]) -> Vec<(&Matcher, &Matcher, String)> {
    let mut out = Vec::new();
    for (j, m) in ms.iter().enumerate() {
        for p in &m.patterns {
            let first = ms[..j].iter().find(|e| {
                (e.method.is_none() || e.method == m.method)
                    && e.patterns.iter().any(|w| pattern_covers(w, p))
            });
            if let Some(e) = first
                && e.weaker_than(m)
            {
                out.push((m, e, p.clone()));
            }
        }
    }
    out
}

/// Request matchers the change puts behind a weaker one that matches first.
fn check_matchers(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let Some(new_text) = f.new_text() else {
        return;
    };
    if !MATCHER.is_match(new_text) {
        return;
    }
    let old = f.old_text().map(matchers).unwrap_or_default();
    let was: Vec<String> = shadowed(&old).into_iter().map(|(_, _, p)| p).collect();
    let new = matchers(new_text);
    if let Some((deep, single, n)) = narrowed(&old, &new) {
        out.push(Finding::added(
            "auth-matcher-narrowed",
            Severity::High,
            f.path,
            Some(n.line),
            format!(
                "`{}` became `{}`: a single `*` matches one path segment only, so deeper paths under it no longer get `{}` and fall through to the rules after it.",
                quote(&deep),
                quote(&single),
                n.rule
            ),
        ));
    }
    if let Some((m, e, p)) = shadowed(&new)
        .into_iter()
        .find(|(_, _, p)| !was.contains(p))
    {
        out.push(Finding::added(
            "auth-matcher-shadowed",
            Severity::High,
            f.path,
            Some(m.line),
            format!(
                "`{}` asks for `{}`, but the matcher on line {} comes first and lets it through with `{}`: the first matcher that fits a request decides.",
                quote(&p),
                m.rule,
                e.line,
                e.rule
            ),
        ));
    }
}

/// Whether the registration on `line` (and the lines it runs on to) serves
/// static files: `express.static(…)`, `serveStatic(…)`, `sirv(…)`.
fn serves_files(text: &str, line: u32) -> bool {
    static STATIC: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"\b(express\.static|serveStatic|sirv|fastifyStatic|koaStatic|serve_static)\s*\(",
        )
        .unwrap()
    });
    text.lines()
        .skip((line as usize).saturating_sub(1))
        .take(4)
        .any(|l| STATIC.is_match(l))
}

/// A webhook path, and a signature check of the request somewhere in the
/// change's new code (`stripe.webhooks.constructEvent`, an HMAC compared in
/// constant time): the sender proves itself without a session.
fn signed_webhook(path: &str, change: &super::ChangeView<'_>) -> bool {
    static SIGNED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(constructEvent|construct_event|verifyWebhook|verify_webhook|validateRequest|timingSafeEqual|compare_digest|hmac\.Equal|verifySignature|verify_signature)\s*\(").unwrap()
    });
    path.to_ascii_lowercase().contains("webhook")
        && change
            .files
            .iter()
            .filter(|g| !g.class.test_like())
            .any(|g| SIGNED.is_match(&g.new_text_or_hunks()))
}

/// Routes the change leaves in front of the auth middleware that covers
/// them: they lost it (they were behind it before), or they are new and
/// their neighbours on the same receiver are behind it.
pub fn check(f: &FileView<'_>, change: &super::ChangeView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs || f.class.vendored {
        return;
    }
    let ext = f.path.rsplit('.').next().unwrap_or("");
    if matches!(ext, "java" | "kt") {
        return check_matchers(f, out);
    }
    if !matches!(ext, "js" | "ts" | "mjs" | "cjs" | "jsx" | "tsx") {
        return;
    }
    let Some(new_text) = f.new_text() else {
        return;
    };
    let sources: Vec<&str> = change.files.iter().filter_map(|x| x.new_text()).collect();
    let new = registrations_with_installers(new_text, &sources);
    if !new.iter().any(|r| r.auth) {
        return;
    }
    let old = f.old_text().map(registrations).unwrap_or_default();
    let old_behind = |r: &Registration| -> Option<bool> {
        let i = old
            .iter()
            .position(|o| !o.auth && o.receiver == r.receiver && o.path == r.path)?;
        Some(behind_auth(&old, i))
    };
    for (i, r) in new.iter().enumerate() {
        if r.auth || r.guarded || behind_auth(&new, i) {
            continue;
        }
        // The auth middleware that comes too late for it.
        let Some(late) = new[i + 1..]
            .iter()
            .find(|m| m.auth && m.receiver == r.receiver && covers(&m.path, &r.path))
        else {
            continue;
        };
        // Build output served as files, and a webhook that proves its
        // sender with a signature the change checks: in front of the
        // session on purpose, the way their frameworks document it.
        if PUBLIC_PATH.is_match(&r.path)
            && (serves_files(new_text, r.line) || signed_webhook(&r.path, change))
        {
            continue;
        }
        let lost = match old_behind(r) {
            Some(was) => was,
            None => {
                !PUBLIC_PATH.is_match(&r.path)
                    && new.iter().enumerate().any(|(j, o)| {
                        j > i && !o.auth && o.receiver == r.receiver && behind_auth(&new, j)
                    })
            }
        };
        if !lost {
            continue;
        }
        // A load balancer's probe (`/healthz`, `/livez`) is answered before
        // the session check on purpose: the prober has no credentials.
        let probe = PROBE_PATH.is_match(&r.path);
        out.push(Finding::added(
            "auth-middleware-order",
            if probe { Severity::Low } else { Severity::High },
            f.path,
            Some(r.line),
            format!(
                "`{}` is registered on `{}` before the middleware that checks callers (line {}): requests to it never pass through that check.{}",
                quote(if r.path.is_empty() { "(every path)" } else { &r.path }),
                r.receiver,
                late.line,
                if probe {
                    " It is a health probe, which has to answer without credentials: make sure it returns nothing more than its status."
                } else {
                    ""
                }
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn build_output_and_signed_webhooks_in_front_of_the_session_are_by_design() {
        use crate::risk::testkit::{findings_of_change, rules_hit_with_contents};
        let rule = "auth-middleware-order".to_string();
        let old = "app.use(session(opts));\napp.use(requireUser);\napp.use('/assets', express.static(dist));\napp.use('/api/orders', orders);\n";
        let assets = "app.use('/assets', express.static(dist));\napp.use(session(opts));\napp.use(requireUser);\napp.use('/api/orders', orders);\n";
        assert!(!rules_hit_with_contents("src/server.ts", old, assets).contains(&rule));
        // A router of handlers moved in front: it lost the check.
        let orders = "app.use('/api/orders', orders);\napp.use(session(opts));\napp.use(requireUser);\napp.use('/assets', express.static(dist));\n";
        assert!(rules_hit_with_contents("src/server.ts", old, orders).contains(&rule));
        // A health probe moved in front of the check: low, with a word on
        // what it may return.
        let old_probe = "app.use(session(opts));\napp.use(requireUser);\napp.get('/healthz', health);\napp.use('/api/orders', orders);\n";
        let probe_first = "app.get('/healthz', health);\napp.use(session(opts));\napp.use(requireUser);\napp.use('/api/orders', orders);\n";
        let found =
            crate::risk::testkit::findings_with_contents("src/server.ts", old_probe, probe_first);
        assert!(
            found
                .iter()
                .filter(|f| f.rule == rule)
                .all(|f| f.severity == crate::risk::Severity::Low),
            "{found:?}"
        );
        let old = "app.use(session(opts));\napp.use(requireUser);\napp.use('/api/webhooks/stripe', stripeHook);\napp.use('/api/orders', orders);\n";
        let moved = "app.use('/api/webhooks/stripe', express.raw(), stripeHook);\napp.use(session(opts));\napp.use(requireUser);\napp.use('/api/orders', orders);\n";
        let handler = "export function stripeHook(req, res) {\n  const event = stripe.webhooks.constructEvent(req.body, req.headers['stripe-signature'], secret);\n  res.sendStatus(200);\n}\n";
        let rules = |files: &[(&str, Option<&str>, Option<&str>)]| -> Vec<String> {
            findings_of_change(files, None)
                .into_iter()
                .map(|f| f.rule)
                .collect()
        };
        assert!(
            !rules(&[
                ("src/app.ts", Some(old), Some(moved)),
                ("src/hooks/stripe.ts", None, Some(handler))
            ])
            .contains(&rule)
        );
        // The same webhook with nothing that checks its signature: found.
        let unsigned = handler.replace(
            "stripe.webhooks.constructEvent(req.body, req.headers['stripe-signature'], secret)",
            "JSON.parse(req.body)",
        );
        assert!(
            rules(&[
                ("src/app.ts", Some(old), Some(moved)),
                ("src/hooks/stripe.ts", None, Some(&unsigned))
            ])
            .contains(&rule)
        );
    }
    use super::{behind_auth, matchers, registrations, shadowed};

    #[test]
    fn a_wide_matcher_above_a_strict_one_shadows_it() {
        let t = "private static final String API = \"/api/**\";\nprivate static final String ADMIN_API = \"/api/admin/**\";\n  .requestMatchers(HttpMethod.GET, \"/api/public/**\").permitAll()\n  .requestMatchers(API).authenticated()\n  .requestMatchers(ADMIN_API).hasRole(\"ADMIN\")\n  .anyRequest().denyAll()\n";
        let m = matchers(t);
        assert_eq!(m.len(), 3, "{m:?}");
        let s = shadowed(&m);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].2, "/api/admin/**");
        // In the safe order nothing is shadowed: the public GET matcher
        // is narrower than the ones after it.
        let safe = "  .requestMatchers(\"/api/admin/**\").hasRole(\"ADMIN\")\n  .requestMatchers(\"/api/**\").authenticated()\n";
        assert!(shadowed(&matchers(safe)).is_empty());
    }

    #[test]
    fn kotlin_dsl_matchers_and_role_sets_are_read() {
        let t = "authorizeHttpRequests {\n    authorize(\"/health/**\", permitAll)\n    authorize(\"/internal/**\", hasAnyRole(\"SERVICE\", \"OPS\"))\n    authorize(\"/internal/dlq/**\", hasRole(\"OPS\"))\n    authorize(anyRequest, authenticated)\n}\n";
        let m = matchers(t);
        assert_eq!(m.len(), 3, "{m:?}");
        assert_eq!(m[1].roles, vec!["SERVICE", "OPS"]);
        // A service token reaches the ops-only DLQ endpoints first.
        let s = shadowed(&m);
        assert_eq!(s.len(), 1, "{s:?}");
        assert_eq!(s[0].2, "/internal/dlq/**");
        // The strict one first: nothing shadowed. A wider rule that accepts
        // only roles the later one accepts lets in nobody new.
        let safe = t.replace("    authorize(\"/internal/**\", hasAnyRole(\"SERVICE\", \"OPS\"))\n    authorize(\"/internal/dlq/**\", hasRole(\"OPS\"))\n", "    authorize(\"/internal/dlq/**\", hasRole(\"OPS\"))\n    authorize(\"/internal/**\", hasAnyRole(\"SERVICE\", \"OPS\"))\n");
        assert!(shadowed(&matchers(&safe)).is_empty());
        let same = t.replace("hasAnyRole(\"SERVICE\", \"OPS\")", "hasRole(\"OPS\")");
        assert!(shadowed(&matchers(&same)).is_empty());
    }

    #[test]
    fn a_protected_double_star_cut_to_one_segment_is_found() {
        use crate::risk::testkit::rules_hit_with_contents;
        let old = "http.authorizeRequests()\n    .antMatchers(\"/internal/support/**\").hasRole(\"SUPPORT\")\n    .anyRequest().authenticated();\n";
        let new = "http.authorizeHttpRequests(a -> a\n    .requestMatchers(\"/internal/support/*\").hasRole(\"SUPPORT\")\n    .anyRequest().authenticated());\n";
        let hit = rules_hit_with_contents("src/main/java/acme/SecurityConfig.java", old, new);
        assert!(
            hit.contains(&"auth-matcher-narrowed".to_string()),
            "{hit:?}"
        );
        let kept = new.replace("support/*\"", "support/**\"");
        let hit = rules_hit_with_contents("src/main/java/acme/SecurityConfig.java", old, &kept);
        assert!(
            !hit.contains(&"auth-matcher-narrowed".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn registrations_are_read_in_order_with_their_paths() {
        let t = "  app.use(helmet());\n  app.get(\"/healthz\", h);\n  app.use(\n    \"/api\",\n    rateLimit({ windowMs: 60_000 }),\n  );\n  app.use(\"/api\", requireSession);\n  app.use(\"/api/accounts\", accountsRouter);\n";
        let r = registrations(t);
        assert_eq!(r.len(), 4, "{r:?}");
        assert_eq!(r[0].path, "/healthz");
        assert!(r[1].auth && r[2].auth && !r[3].auth);
        assert_eq!(r[3].line, 8);
        assert!(behind_auth(&r, 3));
        assert!(!behind_auth(&r, 0));
    }

    #[test]
    fn a_route_with_its_own_guard_is_guarded() {
        let t = "router.get(\"/:id/audit\", requireRole(\"support\"), audit);\nrouter.use(requireAuth);\n";
        let r = registrations(t);
        assert!(r[0].guarded);
    }

    #[test]
    fn a_router_mounted_before_the_installer_that_limits_it_is_found() {
        use crate::risk::testkit::findings_of_change;
        let old = "export function createServer() {\n  const app = express();\n  app.use(\"/api/auth/login\", loginLimiter);\n  app.use(\"/api/auth\", authRouter);\n  return app;\n}\n";
        let new = "export function createServer() {\n  const app = express();\n  app.use(\"/api/auth\", authRouter);\n  applySecurity(app);\n  return app;\n}\n";
        let installer = "export function applySecurity(app: Express): void {\n  app.use(helmet());\n  const limiter = loginLimiter();\n  app.use(\"/api/auth/login\", limiter);\n}\n";
        let late = findings_of_change(
            &[
                ("src/server.ts", Some(old), Some(new)),
                ("src/middleware/index.ts", None, Some(installer)),
            ],
            None,
        );
        assert!(
            late.iter().any(|f| f.rule == "auth-middleware-order"),
            "{late:?}"
        );
        let first = new.replace(
            "  app.use(\"/api/auth\", authRouter);\n  applySecurity(app);\n",
            "  applySecurity(app);\n  app.use(\"/api/auth\", authRouter);\n",
        );
        let kept = findings_of_change(
            &[
                ("src/server.ts", Some(old), Some(&first)),
                ("src/middleware/index.ts", None, Some(installer)),
            ],
            None,
        );
        assert!(
            !kept.iter().any(|f| f.rule == "auth-middleware-order"),
            "{kept:?}"
        );
    }
}
