//! Routes moved out from under the path the edge refuses. An app whose
//! maintenance router has no auth of its own relies on the proxy in front
//! (`location /internal/ { deny all; }`); when the change mounts that router
//! under a new prefix (`app.use('/api', apiRouter)` with
//! `apiRouter.use('/internal', internalRouter)`), the router now answers at
//! `/api/internal`, which the deny does not cover, and a catch-all
//! `location /api/` hands it to the app. Read across the change: the
//! proxy's config and the app's mounts (Express, Koa and Fastify style
//! `x.use('/path', …, router)`), old and new.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::{ChangeView, Finding, Severity, quote};

/// `location [^~] /path/ {`: a prefix location.
static LOCATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*location\s+(?:\^~\s+)?(/[^\s{]*)\s*\{").unwrap());
/// A location that refuses: `deny all;`, `return 403;`/`404`, `internal;`.
static REFUSES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(deny\s+all\s*;|return\s+40[34]\b|internal\s*;)").unwrap());
/// A location that hands requests to an upstream.
static PASSES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(proxy_pass|fastcgi_pass|grpc_pass|uwsgi_pass)\b").unwrap());
/// A mount: `parent.use('/path', …, child)` (the last argument is what is
/// mounted, the ones before it middleware).
static MOUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\b([A-Za-z_$][\w$]*)\.(?:use|register)\(\s*['"`](/[^'"`]*)['"`]\s*,\s*([^)]*?)\)\s*;?\s*$"#)
        .unwrap()
});

/// The prefix locations of nginx texts: (path, refuses, passes on).
fn locations(texts: &[&str]) -> Vec<(String, bool, bool)> {
    let mut out = Vec::new();
    for t in texts {
        let lines: Vec<&str> = t.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            let Some(c) = LOCATION.captures(l) else {
                continue;
            };
            let mut depth = 0i32;
            let (mut refuses, mut passes) = (false, false);
            for b in &lines[i..] {
                depth += b.matches('{').count() as i32 - b.matches('}').count() as i32;
                refuses |= REFUSES.is_match(b);
                passes |= PASSES.is_match(b);
                if depth <= 0 {
                    break;
                }
            }
            out.push((c[1].to_string(), refuses, passes));
        }
    }
    out
}

/// Where each mounted router answers: the mounts of every text composed
/// from the roots (a parent that is mounted nowhere) down.
fn mounted_at(texts: &[&str]) -> BTreeMap<String, String> {
    let mut edges: Vec<(String, String, String)> = Vec::new();
    for t in texts {
        for l in t.lines() {
            let Some(c) = MOUNT.captures(l) else { continue };
            let child = c[3]
                .rsplit(',')
                .next()
                .unwrap_or("")
                .trim()
                .trim_end_matches("()")
                .to_string();
            if child.is_empty()
                || !child
                    .chars()
                    .all(|x| x.is_alphanumeric() || x == '_' || x == '$')
            {
                continue;
            }
            edges.push((
                c[1].to_string(),
                c[2].trim_end_matches('/').to_string(),
                child,
            ));
        }
    }
    let children: Vec<&str> = edges.iter().map(|(_, _, c)| c.as_str()).collect();
    let mut at: BTreeMap<String, String> = BTreeMap::new();
    for (p, _, _) in &edges {
        if !children.contains(&p.as_str()) {
            at.insert(p.clone(), String::new());
        }
    }
    for _ in 0..5 {
        for (p, path, c) in &edges {
            if let Some(base) = at.get(p).cloned() {
                at.entry(c.clone())
                    .or_insert_with(|| format!("{base}{path}"));
            }
        }
    }
    at
}

/// `path` falls under location prefix `prefix` (`/internal/` covers
/// `/internal` and `/internal/x`).
fn under(path: &str, prefix: &str) -> bool {
    let p = format!("{}/", path.trim_end_matches('/'));
    p.starts_with(prefix) || prefix.trim_end_matches('/') == path.trim_end_matches('/')
}

/// Reports routers the change moves from a path the proxy refuses to one it
/// passes on.
pub fn check(change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    let nginx: Vec<_> = change
        .files
        .iter()
        .filter(|f| f.path.ends_with(".conf") || f.path.contains("nginx"))
        .filter(|f| f.new_text().is_some_and(|t| t.contains("location ")))
        .collect();
    if nginx.is_empty() {
        return;
    }
    let code = |f: &&super::FileView<'_>| {
        !(f.class.test_like() || f.class.docs || f.class.vendored)
            && [".js", ".ts", ".mjs", ".cjs"]
                .iter()
                .any(|e| f.path.ends_with(e))
    };
    let old_texts: Vec<&str> = change
        .files
        .iter()
        .filter(code)
        .filter_map(|f| f.old_text())
        .collect();
    let new_texts: Vec<&str> = change
        .files
        .iter()
        .filter(code)
        .filter_map(|f| f.new_text())
        .collect();
    if new_texts.is_empty() {
        return;
    }
    let (before, after) = (mounted_at(&old_texts), mounted_at(&new_texts));
    let edge: Vec<&str> = nginx.iter().filter_map(|f| f.new_text()).collect();
    let locs = locations(&edge);
    for (router, new_path) in &after {
        let Some(old_path) = before.get(router) else {
            continue;
        };
        if old_path == new_path || old_path.is_empty() {
            continue;
        }
        // The longest location that matches decides, as nginx does.
        let decides = |path: &str| {
            locs.iter()
                .filter(|(p, _, _)| under(path, p))
                .max_by_key(|(p, _, _)| p.len())
                .cloned()
        };
        let Some((denied, true, _)) = decides(old_path) else {
            continue;
        };
        let Some((passed, false, true)) = decides(new_path) else {
            continue;
        };
        // The file and line of the location that passes it on.
        let Some((f, line)) = nginx.iter().find_map(|f| {
            let at = f
                .new_text()?
                .lines()
                .position(|l| LOCATION.captures(l).is_some_and(|c| c[1] == passed))?;
            Some((f, Some(at as u32 + 1)))
        }) else {
            return;
        };
        out.push(Finding::added(
            "sec-edge-deny-bypassed",
            Severity::High,
            f.path,
            line,
            format!(
                "`{}` answered at `{}`, which the proxy refuses (`location {}`); the change mounts it at `{}`, which `location {}` passes to the app: whatever relied on the edge to keep it private is now public.",
                quote(router),
                quote(old_path),
                quote(&denied),
                quote(new_path),
                quote(&passed)
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::findings_of_change;

    const NGINX: &str = "server {\n    location /internal/ {\n        deny all;\n        return 404;\n    }\n    location /v1/ {\n        proxy_pass http://api;\n    }\n    location / {\n        return 404;\n    }\n}\n";

    fn hits(app_old: &str, app_new: &str, nginx_new: &str) -> bool {
        findings_of_change(
            &[
                ("src/app.ts", Some(app_old), Some(app_new)),
                ("deploy/nginx/api.conf", Some(NGINX), Some(nginx_new)),
            ],
            None,
        )
        .iter()
        .any(|x| x.rule == "sec-edge-deny-bypassed")
    }

    #[test]
    fn a_router_moved_from_a_denied_prefix_to_a_proxied_one_is_found() {
        let old = "const app = express();\napp.use('/internal', internalRouter);\napp.use('/v1/products', requireAuth, productsRouter);\n";
        let new = "const app = express();\napp.use('/api', apiRouter);\napiRouter.use('/internal', internalRouter);\napiRouter.use('/v1/products', requireAuth, productsRouter);\n";
        let catch_all = NGINX.replace(
            "    location / {\n",
            "    location /api/ {\n        proxy_pass http://api;\n    }\n    location / {\n",
        );
        assert!(hits(old, new, &catch_all));
        // The deny follows it.
        let follows = catch_all.replace("location /internal/ {", "location /api/internal/ {");
        assert!(!hits(old, new, &follows));
        // Nothing passes the new path on.
        assert!(!hits(old, new, NGINX));
        // The location that passes it on is in another file of the edge:
        // the finding points there.
        let api = "server {\n    location /api/ {\n        proxy_pass http://api;\n    }\n}\n";
        let at: Vec<String> = findings_of_change(
            &[
                ("src/app.ts", Some(old), Some(new)),
                ("deploy/nginx/api.conf", Some(NGINX), Some(NGINX)),
                ("deploy/nginx/spa.conf", None, Some(api)),
            ],
            None,
        )
        .into_iter()
        .filter(|x| x.rule == "sec-edge-deny-bypassed")
        .map(|x| x.path)
        .collect();
        assert_eq!(at, vec!["deploy/nginx/spa.conf".to_string()]);
    }
}
