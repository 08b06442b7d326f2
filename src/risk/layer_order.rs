//! Routes added after the layer that guards them. In axum (and tower
//! routers), `.route_layer(auth)` and `.layer(auth)` wrap only the routes
//! already on the router when they are called; a `.route(…)`, `.merge(…)`
//! or `.nest(…)` written after them in the same chain is served without
//! that middleware. A refactor that moves routes into modules and merges
//! them back one line too low publishes them without a session.

use std::sync::LazyLock;

use regex::Regex;

use super::lang::Lang;
use super::{FileView, Finding, Severity, quote};

static LAYER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*\.(route_layer|layer)\s*\(").expect("a valid regex"));
static AUTH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(auth|session|login|require|guard|jwt|token|permission|admin|acl)")
        .expect("a valid regex")
});
static ROUTES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*\.(route|merge|nest)\s*\(").expect("a valid regex"));
/// Routes meant to be open: the login page, health checks, public assets.
static OPEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(public|health|ready|live|login|logout|signin|signup|register|static|assets|metrics|webhook|open|unauth|anonymous)")
        .expect("a valid regex")
});

/// For each line of `text`: the route calls written after an auth layer
/// in the same chain, as (line number, trimmed text).
fn after_auth_layer(text: &str) -> Vec<(u32, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut guarded = false;
    for (i, l) in lines.iter().enumerate() {
        if LAYER.is_match(l) {
            let end = (i + 4).min(lines.len());
            if lines[i..end].iter().any(|x| AUTH.is_match(x)) {
                guarded = true;
            }
        } else if guarded && ROUTES.is_match(l) {
            out.push((i as u32 + 1, l.trim().to_string()));
        }
        if l.trim_end().ends_with(';') || l.trim().is_empty() {
            guarded = false;
        }
    }
    out
}

/// Layer-order rules for one file.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.lang != Lang::Rust || f.class.test_like() {
        return;
    }
    if !f.added_text.contains(".route")
        && !f.added_text.contains(".merge")
        && !f.added_text.contains(".nest")
    {
        return;
    }
    let (Some(old), Some(new)) = (f.old_text(), f.new_text()) else {
        return;
    };
    if !new.contains("layer(") {
        return;
    }
    let before: Vec<String> = after_auth_layer(old).into_iter().map(|(_, t)| t).collect();
    for (no, call) in after_auth_layer(new) {
        if !f.added_at(no) || before.contains(&call) || OPEN.is_match(&call) {
            continue;
        }
        out.push(Finding::added(
            "routes-after-auth-layer",
            Severity::High,
            f.path,
            Some(no),
            format!(
                "`{}` is added to the router after the layer that checks the session: a layer wraps only the routes already on the router, so these are served without it.",
                quote(&call)
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents;

    #[test]
    fn routes_merged_below_the_auth_layer_are_found() {
        let rule = "routes-after-auth-layer".to_string();
        let p = "src/routes/mod.rs";
        let old = "pub fn router(state: AppState) -> Router {\n    Router::new()\n        .route(\"/api/exports\", get(exports::list))\n        .route_layer(middleware::from_fn_with_state(\n            state.clone(),\n            require_session,\n        ))\n        .route(\"/api/login\", post(auth::login))\n        .with_state(state)\n}\n";
        let below = old
            .replace("        .route(\"/api/exports\", get(exports::list))\n", "")
            .replace(
                "        .route(\"/api/login\"",
                "        .merge(exports::routes())\n        .route(\"/api/login\"",
            );
        assert!(rules_hit_with_contents(p, old, &below).contains(&rule));
        // Merged above the layer: guarded.
        let above = old.replace(
            "        .route(\"/api/exports\", get(exports::list))\n",
            "        .merge(exports::routes())\n",
        );
        assert!(!rules_hit_with_contents(p, old, &above).contains(&rule));
        // Public routes below the layer are meant to be open.
        let public = old.replace(
            "        .route(\"/api/login\"",
            "        .merge(public_routes())\n        .route(\"/api/login\"",
        );
        assert!(!rules_hit_with_contents(p, old, &public).contains(&rule));
    }
}
