//! A liveness probe pointed at the same endpoint as the readiness probe.
//! Readiness answers "can this pod take traffic now?" and usually checks the
//! database and caches; liveness answers "is this process stuck?", and a
//! failure restarts the container. Sharing one endpoint means a short
//! database failover fails every pod's liveness at once and the kubelet
//! restarts them all together: a dependency's blip becomes an outage.

use super::{FileView, Finding, Severity, quote};

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
    if !(f.path.ends_with(".yaml") || f.path.ends_with(".yml")) || f.class.test_like() {
        return;
    }
    let (Some(old), Some(new)) = (f.old_text(), f.new_text()) else {
        return;
    };
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
