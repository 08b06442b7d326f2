//! A liveness probe pointed at the same endpoint as the readiness probe.
//! Readiness answers "can this pod take traffic now?" and usually checks the
//! database and caches; liveness answers "is this process stuck?", and a
//! failure restarts the container. Sharing one endpoint means a short
//! database failover fails every pod's liveness at once and the kubelet
//! restarts them all together: a dependency's blip becomes an outage.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// A liveness endpoint registered with its handler, on one line:
/// `mux.HandleFunc("/livez", c.handler(false))`, `app.get('/healthz/live', live)`.
static LIVENESS_ROUTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"["'](/(?:[\w-]+/)?(?:livez|live|liveness|alive))["']\s*,\s*(?:[\w.]+\.)?([A-Za-z_]\w*)"#,
    )
    .unwrap()
});
/// A call that asks a dependency whether it is up.
static DEPENDENCY_CHECK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(\.ping(context)?\s*\(|\bdependencies\s*\(|select\s+1\b|\bcheck_?(db|database|redis|dependencies|upstreams?)\s*\(|\.health_?check\s*\()"#).unwrap()
});

/// The HTTP path of each `livenessProbe` and `readinessProbe` block, in
/// file order, with its line (1-based).
fn probe_paths(text: &str, probe: &str) -> Vec<(String, u32)> {
    let lines: Vec<&str> = text.lines().collect();
    let indent = |t: &str| t.len() - t.trim_start().len();
    let mut out = Vec::new();
    for (i, t) in lines.iter().enumerate() {
        if t.trim().strip_suffix(':') != Some(probe) {
            continue;
        }
        let own = indent(t);
        let path = lines[i + 1..]
            .iter()
            .enumerate()
            .take_while(|(_, x)| x.trim().is_empty() || indent(x) > own)
            .find_map(|(j, x)| {
                let v = x.trim().strip_prefix("path:")?;
                Some((
                    v.trim().trim_matches(['"', '\'']).to_string(),
                    (i + j) as u32 + 2,
                ))
            });
        if let Some(p) = path {
            out.push(p);
        }
    }
    out
}

/// Reports a liveness probe that now shares its readiness probe's path.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs {
        return;
    }
    let (Some(old), Some(new)) = (f.old_text(), f.new_text()) else {
        return;
    };
    if !(f.path.ends_with(".yaml") || f.path.ends_with(".yml")) {
        liveness_handler_checks_dependencies(f, old, new, out);
        return;
    }
    let pairs = |text: &str| {
        probe_paths(text, "livenessProbe")
            .into_iter()
            .zip(probe_paths(text, "readinessProbe"))
            .collect::<Vec<_>>()
    };
    let before = pairs(old);
    for (i, ((live, line), (ready, _))) in pairs(new).into_iter().enumerate() {
        // Liveness that had an endpoint of its own before: probes that were
        // TCP checks and became one HTTP endpoint are a different story.
        let apart_before = before.get(i).is_some_and(|((l, _), (r, _))| l != r);
        if live != ready || !apart_before || !f.added_at(line) {
            continue;
        }
        out.push(Finding::added(
            "liveness-probe-checks-dependencies",
            Severity::High,
            f.path,
            Some(line),
            format!(
                "The liveness probe now asks `{}`, the readiness probe's endpoint: when what readiness checks (a database, a cache) blips, every pod fails liveness at once and is restarted together. Give liveness an endpoint that checks only the process.",
                quote(&live)
            ),
        ));
    }
}

/// The body of the function `name` defined in `text` (its definition line
/// and the lines indented under it, or up to its closing brace).
fn body_of<'t>(text: &'t str, name: &str) -> Option<Vec<&'t str>> {
    let def = Regex::new(&format!(
        r"^\s*(?:func\s*(?:\([^)]*\)\s*)?|(?:async\s+)?def\s+|(?:export\s+)?(?:async\s+)?function\s+|(?:export\s+)?const\s+){}\b",
        regex::escape(name)
    ))
    .ok()?;
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().position(|l| def.is_match(l))?;
    let own = lines[at].len() - lines[at].trim_start().len();
    let mut body = vec![lines[at]];
    for l in &lines[at + 1..] {
        let indent = l.len() - l.trim_start().len();
        if !l.trim().is_empty() && indent <= own {
            break;
        }
        body.push(l);
    }
    Some(body)
}

/// A liveness endpoint whose handler now asks the dependencies (a database
/// ping, the readiness checks) where before it did not: the same blip that
/// takes pods out of rotation restarts them all.
fn liveness_handler_checks_dependencies(
    f: &FileView<'_>,
    old: &str,
    new: &str,
    out: &mut Vec<Finding>,
) {
    if !f.added_code().any(|l| l.text.contains("live")) || !DEPENDENCY_CHECK.is_match(new) {
        return;
    }
    let asks = |text: &str, handler: &str| {
        body_of(text, handler).is_some_and(|b| b.iter().any(|l| DEPENDENCY_CHECK.is_match(l)))
    };
    for l in f.added_code() {
        let Some(c) = LIVENESS_ROUTE.captures(l.text) else {
            continue;
        };
        if !asks(new, &c[2]) {
            continue;
        }
        // What the same path's handler did before.
        let before = LIVENESS_ROUTE
            .captures_iter(old)
            .find(|o| o[1] == c[1])
            .map(|o| o[2].to_string());
        if before.as_deref().is_none_or(|h| asks(old, h)) {
            continue;
        }
        out.push(Finding::added(
            "liveness-probe-checks-dependencies",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "The liveness endpoint `{}` now runs `{}`, which asks the dependencies (a database or cache ping): when one blips, every pod fails liveness at once and is restarted together. Keep liveness to the process itself.",
                quote(&c[1]),
                quote(&c[2])
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents as rules;

    const OLD: &str = "spec:\n  template:\n    spec:\n      containers:\n        - name: api\n          livenessProbe:\n            httpGet:\n              path: /livez\n              port: http\n          readinessProbe:\n            httpGet:\n              path: /readyz\n              port: http\n";

    #[test]
    fn liveness_moved_onto_the_readiness_endpoint_is_found() {
        let new = OLD.replace("path: /livez", "path: /readyz");
        assert!(
            rules("deploy/api.yaml", OLD, &new)
                .contains(&"liveness-probe-checks-dependencies".to_string())
        );
    }

    #[test]
    fn separate_endpoints_renamed_or_tcp_checks_made_http_are_not() {
        let tcp = "spec:\n  containers:\n    - name: api\n      livenessProbe:\n        tcpSocket:\n          port: http\n      readinessProbe:\n        tcpSocket:\n          port: http\n";
        let http = "spec:\n  containers:\n    - name: api\n      livenessProbe:\n        httpGet:\n          path: /healthz\n      readinessProbe:\n        httpGet:\n          path: /healthz\n";
        assert!(
            !rules("deploy/api.yaml", tcp, http)
                .contains(&"liveness-probe-checks-dependencies".to_string())
        );
        let new = OLD
            .replace("path: /livez", "path: /healthz/live")
            .replace("path: /readyz", "path: /healthz/ready");
        assert!(
            !rules("deploy/api.yaml", OLD, &new)
                .contains(&"liveness-probe-checks-dependencies".to_string())
        );
    }
}
