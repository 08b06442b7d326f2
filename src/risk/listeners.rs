//! Listeners moved off loopback: a `bind`, `listen`, `host`,
//! `listen_addresses`, `bindIp`… that said 127.0.0.1 or localhost and now
//! says every interface (`0.0.0.0`, `::`, `*`, `:8404`, a bare port), in any
//! configuration file or start command; and the access checks of a proxy's
//! listener removed (HAProxy `stats auth`, `http-request auth`, source ACLs;
//! Apache `Require`, `AuthType`). nginx has its own directive comparison in
//! `structured`.

use std::sync::LazyLock;

use regex::Regex;

use super::lang::Lang;
use super::{FileView, Finding, Line, Severity, quote};

static BIND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(?:^\s*(?:-\s*)?["']?|\s)(--bind|--host|--listen|--address|-b|bind|listen|host|bind_?address|bind_?addr|bind_?host|bind_?ip|bindip|listen_?address(?:es)?|listen_?addr|listen_?host|listenaddress|server\.host|http\.host|network\.host|address|addr)["']?(?:\s*[:=]\s*|\s+)["']?(\[[0-9a-f:.]*\](?::\d+)?|[^\s"',;#\]]+)"#).unwrap()
});
/// Where a listener matters most: admin, stats and debug endpoints.
static ADMIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(stats|admin|metrics|debug|pprof|management|actuator|console|dashboard|internal|jmx|rpc)").unwrap()
});
static DEV_PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(^|[/._-])(dev|development|local|test|testing|example|examples|sample|demo)([/._-]|$)").unwrap()
});
static PROXY_GUARD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(stats\s+auth\b|stats\s+http-request\s+auth\b|http-request\s+(auth|deny|reject)\b|tcp-request\s+(connection|content)\s+reject\b|acl\s+\S+\s+(src|http_auth\w*)\b|Require\s+(valid-user|ip|host|group|user|all\s+denied)\b|AuthType\s|AuthUserFile\s|Deny\s+from\b)").unwrap()
});

/// The host a bind value names: `Some("")` for every interface.
fn host_of(value: &str, key: &str) -> Option<String> {
    let v = value.trim().trim_matches(['"', '\'']);
    if let Some(rest) = v.strip_prefix('[') {
        return rest.split(']').next().map(str::to_string);
    }
    let port_only = v.chars().all(|c| c.is_ascii_digit());
    if port_only {
        let k = key.to_ascii_lowercase();
        return (k.contains("bind") || k.contains("listen")).then(String::new);
    }
    if v.matches(':').count() == 1 {
        return v.split(':').next().map(str::to_string);
    }
    Some(v.to_string())
}

fn loopback(host: &str) -> bool {
    let h = host.to_ascii_lowercase();
    h.starts_with("127.") || h == "localhost" || h == "::1" || h == "ip6-localhost"
}

fn everywhere(host: &str) -> bool {
    matches!(host, "" | "0.0.0.0" | "::" | "*" | "0")
}

fn binds<'a>(lines: impl Iterator<Item = &'a Line<'a>>) -> Vec<(u32, String, String, &'a str)> {
    lines
        .filter_map(|l| {
            let c = BIND.captures(l.text)?;
            let key = c[1].to_ascii_lowercase();
            let host = host_of(&c[2], &key)?;
            Some((l.no, key, host, l.text))
        })
        .collect()
}

fn proxy_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    [
        "haproxy", "nginx", "envoy", "traefik", "caddy", "httpd", "apache", "varnish", "squid",
    ]
    .iter()
    .any(|p| path.to_ascii_lowercase().contains(p))
        || name.ends_with(".cfg")
        || name == ".htaccess"
}

/// Listener rules for one file.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs || f.class.vendored || DEV_PATH.is_match(f.path) {
        return;
    }
    // Source code binds through the syntax rules; this reads configuration
    // and the commands that start services.
    let config = matches!(
        f.class.lang,
        Lang::Yaml
            | Lang::Json
            | Lang::Toml
            | Lang::Other
            | Lang::Dockerfile
            | Lang::Shell
            | Lang::Make
    );
    if !config {
        return;
    }
    let was = binds(f.removed_code());
    for (no, key, host, text) in binds(f.added_code()) {
        if !everywhere(&host) {
            continue;
        }
        let Some((_, _, old_host, _)) = was.iter().find(|(_, k, h, _)| *k == key && loopback(h))
        else {
            continue;
        };
        // Around the line: the section or service it belongs to.
        let around: String = (no.saturating_sub(6)..=no + 3)
            .filter_map(|n| f.new_lines.get(&n).copied())
            .collect::<Vec<_>>()
            .join("\n");
        let admin = ADMIN.is_match(&around);
        let severity = if admin || proxy_file(f.path) {
            Severity::High
        } else {
            Severity::Medium
        };
        out.push(Finding::added(
            "listener-opened",
            severity,
            f.path,
            Some(no),
            format!(
                "`{}` now listens on every interface (before: {}){}.",
                quote(text),
                quote(old_host),
                if admin {
                    ": an admin or stats endpoint is now reachable from the network"
                } else {
                    ": whatever can reach the host can now reach it"
                }
            ),
        ));
    }
    if proxy_file(f.path) && super::structured::Format::of(f.path).is_none() {
        super::structured::guards_removed(f, &PROXY_GUARD, "listener", out);
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit;

    #[test]
    fn listeners_moved_off_loopback_are_found() {
        let opened = |path: &str, old: &str, new: &str| {
            rules_hit(path, Some(old), Some(new)).contains(&"listener-opened".to_string())
        };
        assert!(opened(
            "etc/redis/redis.conf",
            "bind 127.0.0.1 -::1\n",
            "bind 0.0.0.0\n"
        ));
        assert!(opened(
            "ops/postgres/postgresql.conf",
            "listen_addresses = 'localhost'\n",
            "listen_addresses = '*'\n"
        ));
        assert!(opened(
            "ops/mongo/mongod.yaml",
            "net:\n  bindIp: 127.0.0.1\n",
            "net:\n  bindIp: 0.0.0.0\n"
        ));
        assert!(opened(
            "deploy/haproxy/haproxy.cfg",
            "listen admin\n    bind 127.0.0.1:9000\n",
            "listen admin\n    bind :9000\n"
        ));
        assert!(opened(
            "deploy/systemd/run-api.sh",
            "exec gunicorn --bind 127.0.0.1:8000 app:app\n",
            "exec gunicorn --bind 0.0.0.0:8000 app:app\n"
        ));
        // Envoy's admin listener, written flow-style.
        assert!(opened(
            "deploy/envoy/envoy.yaml",
            "admin:\n  address:\n    socket_address: { address: 127.0.0.1, port_value: 9901 }\n",
            "admin:\n  address:\n    socket_address: { address: 0.0.0.0, port_value: 9901 }\n"
        ));
        // Narrowing, a private address, and development settings are not.
        assert!(!opened(
            "etc/redis/redis.conf",
            "bind 0.0.0.0\n",
            "bind 127.0.0.1\n"
        ));
        assert!(!opened(
            "etc/redis/redis.conf",
            "bind 127.0.0.1\n",
            "bind 10.0.3.4\n"
        ));
        assert!(!opened(
            "config/development.yaml",
            "host: 127.0.0.1\n",
            "host: 0.0.0.0\n"
        ));
    }

    #[test]
    fn access_checks_removed_from_a_proxy_listener_are_found() {
        let old = "frontend admin\n    bind 10.0.0.5:8080\n    acl office src 10.1.0.0/16\n    http-request deny unless office\n    default_backend admin\n";
        let new = "frontend admin\n    bind 10.0.0.5:8080\n    default_backend admin\n";
        let h = rules_hit("deploy/lb/haproxy.cfg", Some(old), Some(new));
        assert!(h.contains(&"config-guard-removed".to_string()), "{h:?}");
        let old = "<Location /admin>\n    AuthType Basic\n    Require valid-user\n</Location>\n";
        let h = rules_hit(
            "deploy/apache/.htaccess",
            Some(old),
            Some("<Location /admin>\n</Location>\n"),
        );
        assert!(h.contains(&"config-guard-removed".to_string()), "{h:?}");
        // Moved, not removed.
        let old = "frontend admin\n    bind 10.0.0.5:8080\n    acl office src 10.1.0.0/16\n    http-request deny unless office\n    default_backend admin\n";
        let moved = "frontend admin\n    acl office src 10.1.0.0/16\n    http-request deny unless office\n    bind 10.0.0.5:8080\n    default_backend admin\n";
        assert!(
            rules_hit("deploy/lb/haproxy.cfg", Some(old), Some(moved))
                .iter()
                .all(|r| r != "config-guard-removed")
        );
        // Its values moved into a pattern file: the same ACL.
        let from_file = old.replace("src 10.1.0.0/16", "src -f /etc/haproxy/office.lst");
        assert!(
            rules_hit("deploy/lb/haproxy.cfg", Some(old), Some(&from_file))
                .iter()
                .all(|r| r != "config-guard-removed")
        );
        // Tested on something else now: not the same ACL.
        let other = old.replace(
            "src 10.1.0.0/16",
            "hdr(x-office) -f /etc/haproxy/office.lst",
        );
        assert!(
            rules_hit("deploy/lb/haproxy.cfg", Some(old), Some(&other))
                .iter()
                .any(|r| r == "config-guard-removed")
        );
    }
}
