//! Services published beyond their network: a Kubernetes Service (or a Helm
//! chart's `service.type`) turned into a cloud load balancer with no source
//! ranges and no internal annotation, or into a NodePort; a datastore's port
//! published on every interface of the host (docker compose `ports:`,
//! Kubernetes `hostPort`, `docker run -p`, podman Quadlet `PublishPort=`).
//! Read from the structured tree where there is one, so a label rename around
//! the line does not hide it.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use regex::Regex;

use super::structured::{Flat, Format, flatten};
use super::{FileView, Finding, Severity, quote};

/// Images of datastores and brokers: published to the world, they hand out
/// data to whoever connects (many ship without a password by default).
static DATASTORE_IMAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(^|/)(redis|valkey|keydb|postgres|postgresql|postgis|timescaledb|mysql|mariadb|percona|mongo|mongodb|memcached|elasticsearch|opensearch|rabbitmq|kafka|zookeeper|etcd|cassandra|scylla|clickhouse|influxdb|couchdb|couchbase|neo4j|minio|cockroach|nats|consul|vault)([:@/-]|$)").unwrap()
});
/// Their usual ports.
const DATASTORE_PORTS: &[u16] = &[
    6379, 6380, 5432, 3306, 27017, 27018, 11211, 9200, 9300, 5672, 15672, 9092, 2181, 2379, 2380,
    9042, 8123, 8086, 5984, 7474, 7687, 26257, 4222, 8500, 8200,
];
static PRODUCTION_PATH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(^|[/._-])(prod|production|prd|live)([/._-]|$)").unwrap());
static DEV_PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(^|[/._-])(dev|development|local|test|testing|ci|e2e|example|examples|sample|demo|override)([/._-]|$)").unwrap()
});
static INTERNAL_LB: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(internal|private|ilb)").unwrap());

/// How much a published service matters where this file is deployed:
/// `None` for development and test files.
fn exposure_severity(path: &str) -> Option<Severity> {
    if DEV_PATH.is_match(path) {
        None
    } else if PRODUCTION_PATH.is_match(path) {
        Some(Severity::High)
    } else {
        Some(Severity::Medium)
    }
}

/// A published port spec (`"6379:6379"`, `"127.0.0.1:5432:5432"`,
/// `"[::1]:6379:6379/tcp"`, `"6379"`): `(host ip, container port)`.
fn port_spec(spec: &str) -> Option<(Option<String>, u16)> {
    let spec = spec.trim().trim_matches(['"', '\'']);
    let spec = spec.split('/').next()?;
    let (host, rest) = match spec.strip_prefix('[') {
        Some(r) => {
            let (h, rest) = r.split_once(']')?;
            (
                Some(h.to_string()),
                rest.trim_start_matches(':').to_string(),
            )
        }
        None => {
            let parts: Vec<&str> = spec.split(':').collect();
            match parts.as_slice() {
                [ip, _, _] => (Some((*ip).to_string()), parts[1..].join(":")),
                _ => (None, spec.to_string()),
            }
        }
    };
    let container = rest.rsplit(':').next()?.split('-').next()?.parse().ok()?;
    Some((host, container))
}

/// True when a host address is every interface.
fn all_interfaces(host: Option<&str>) -> bool {
    host.is_none_or(|h| matches!(h.trim(), "" | "0.0.0.0" | "::" | "*"))
}

/// The values under `prefix.` in a flat tree.
fn under<'a>(flat: &'a Flat, prefix: &'a str) -> impl Iterator<Item = (&'a String, &'a String)> {
    let p = format!("{prefix}.");
    flat.range(p.clone()..)
        .take_while(move |(k, _)| k.starts_with(&p))
}

/// Where a key (and value) shows among the added lines.
fn line_of(f: &FileView<'_>, key: &str, value: &str) -> Option<u32> {
    f.added
        .iter()
        .find(|l| l.text.contains(key) && l.text.contains(value))
        .or_else(|| f.added.iter().find(|l| l.text.contains(value)))
        .map(|l| l.no)
}

fn services(f: &FileView<'_>, old: &Flat, new: &Flat, out: &mut Vec<Finding>) {
    for (path, value) in new {
        let Some(object) = path
            .strip_suffix(".type")
            .or_else(|| (path == "type").then_some(""))
        else {
            continue;
        };
        let kind = value.trim();
        if kind != "LoadBalancer" && kind != "NodePort" {
            continue;
        }
        if old.get(path).is_some_and(|v| v.trim() == kind) {
            continue;
        }
        let object = if object == "spec" {
            ""
        } else {
            object.strip_suffix(".spec").unwrap_or(object)
        };
        // A brand-new Service is a decision of its own (an ingress controller
        // is meant to be public); an existing one made public is the surprise.
        let existed = under(old, object).next().is_some() || object.is_empty() && !old.is_empty();
        let scoped = |k: &str, v: &str| {
            k.contains("SourceRanges")
                || k.contains("sourceRanges")
                || k.contains("source_ranges")
                || k.contains("annotations") && (INTERNAL_LB.is_match(k) || INTERNAL_LB.is_match(v))
        };
        let mut keys: Vec<(&String, &String)> = if object.is_empty() {
            new.iter().collect()
        } else {
            under(new, object).collect()
        };
        keys.retain(|(k, v)| scoped(k, v) && !v.contains("0.0.0.0/0") && !v.contains("::/0"));
        if !keys.is_empty() {
            continue;
        }
        let line = line_of(f, "type", kind);
        let name = if object.is_empty() {
            "this Service"
        } else {
            object
        };
        if kind == "LoadBalancer" {
            out.push(Finding::added(
                "k8s-service-public",
                if existed { Severity::High } else { Severity::Medium },
                f.path,
                line,
                format!(
                    "`{}` becomes a cloud load balancer with no `loadBalancerSourceRanges` and no internal annotation: it is reachable from the internet.",
                    quote(name)
                ),
            ));
        } else if existed {
            out.push(Finding::added(
                "k8s-service-public",
                Severity::Medium,
                f.path,
                line,
                format!(
                    "`{}` becomes a NodePort: it listens on every node's address, outside the cluster network's policies.",
                    quote(name)
                ),
            ));
        }
    }
}

/// Keys that list the addresses allowed to connect.
static SOURCE_RANGES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(loadBalancerSourceRanges|source_?ranges|(whitelist|allowlist)-source-range|allowed_?(cidrs|ips|source_?ranges)|ip_?allow_?list|ipAllowList\.sourceRange)$").unwrap()
});

/// An address allow-list that the change removes without a replacement: the
/// service it guarded now takes connections from anywhere its type allows.
fn ranges_removed(f: &FileView<'_>, old: &Flat, new: &Flat, out: &mut Vec<Finding>) {
    let Some(sev) = exposure_severity(f.path) else {
        return;
    };
    let base = |k: &str| k.split('[').next().unwrap_or(k).to_string();
    let mut gone: Vec<(String, String)> = Vec::new();
    for (k, v) in old {
        let b = base(k);
        let last = b.rsplit('.').next().unwrap_or(&b);
        if !SOURCE_RANGES.is_match(last) || gone.iter().any(|(g, _)| *g == b) {
            continue;
        }
        if !new.keys().any(|n| base(n) == b) {
            gone.push((b, v.clone()));
        }
    }
    for (key, value) in gone {
        let last = key.rsplit('.').next().unwrap_or(&key).to_string();
        out.push(Finding::removed(
            "source-ranges-removed",
            sev,
            f.path,
            f.removed
                .iter()
                .find(|l| l.text.contains(last.as_str()))
                .map(|l| l.no),
            format!(
                "`{}` (was {}) is gone: nothing limits which addresses may connect any more.",
                quote(&key),
                quote(&value)
            ),
        ));
    }
}

/// The image a compose service or Kubernetes container under `owner` runs.
fn image_of<'a>(flat: &'a Flat, owner: &str) -> Option<&'a String> {
    flat.get(&format!("{owner}.image"))
}

fn published_ports(f: &FileView<'_>, old: &Flat, new: &Flat, out: &mut Vec<Finding>) {
    let Some(sev) = exposure_severity(f.path) else {
        return;
    };
    let datastore = |image: Option<&String>, port: u16| {
        image.is_some_and(|i| DATASTORE_IMAGE.is_match(i)) || DATASTORE_PORTS.contains(&port)
    };
    let mut seen = BTreeMap::new();
    for (path, value) in new {
        if old.get(path) == Some(value) {
            continue;
        }
        // Compose, short syntax: `services.redis.ports[6379:6379]`.
        if let Some((owner, _)) = path.split_once(".ports[")
            && path.ends_with(']')
            && !path.contains("].")
            && let Some((host, port)) = port_spec(value)
            && all_interfaces(host.as_deref())
            && datastore(image_of(new, owner), port)
        {
            seen.entry(owner.to_string())
                .or_insert((value.clone(), port));
            continue;
        }
        // Compose long syntax (`published`, `host_ip`) and Kubernetes `hostPort`.
        let Some((owner_and_port, key)) = path.rsplit_once('.') else {
            continue;
        };
        if key != "published" && key != "hostPort" {
            continue;
        }
        let Some((owner, _)) = owner_and_port.rsplit_once(".ports[") else {
            continue;
        };
        let host = new
            .get(&format!("{owner_and_port}.host_ip"))
            .or_else(|| new.get(&format!("{owner_and_port}.hostIP")));
        let port = new
            .get(&format!("{owner_and_port}.target"))
            .or_else(|| new.get(&format!("{owner_and_port}.containerPort")))
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        if all_interfaces(host.map(String::as_str)) && datastore(image_of(new, owner), port) {
            seen.entry(owner.to_string())
                .or_insert((value.clone(), port));
        }
    }
    for (owner, (value, port)) in seen {
        let name = owner
            .rsplit(['.', '['])
            .next()
            .unwrap_or(&owner)
            .trim_end_matches(']');
        // The same port was published on the loopback interface only: the
        // change opened it on purpose, wherever the file is used.
        let was_loopback = old.iter().any(|(p, v)| {
            p.starts_with(&format!("{owner}.ports["))
                && port_spec(v).is_some_and(|(h, was)| {
                    was == port
                        && h.as_deref()
                            .is_some_and(|h| matches!(h, "127.0.0.1" | "localhost" | "::1"))
                })
        });
        out.push(Finding::added(
            "datastore-port-public",
            if was_loopback { Severity::High } else { sev },
            f.path,
            line_of(f, &value, &value),
            format!(
                "Publishes `{}`'s port {port} on every interface of the host ({}{}): anyone who can reach the machine can talk to it directly (Docker's own firewall rules bypass ufw).",
                quote(name),
                quote(&value),
                if was_loopback { "; it was bound to the loopback interface" } else { "" }
            ),
        ));
    }
}

static RUN_PUBLISH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(\b(docker|podman|nerdctl)\s+(container\s+)?(run|create)\b.*?(-p|--publish)[\s=]+["']?([\[\]\w.:/-]+)|^\s*PublishPort\s*=\s*["']?([\[\]\w.:/-]+))"#).unwrap()
});

/// `docker run -p 6379:6379 redis` in scripts, `PublishPort=` in Quadlet units.
fn run_commands(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let Some(sev) = exposure_severity(f.path) else {
        return;
    };
    let quadlet = f.path.ends_with(".container") || f.path.ends_with(".pod");
    let image = f
        .new_text()
        .filter(|_| quadlet)
        .and_then(|t| t.lines().find(|l| l.trim_start().starts_with("Image=")))
        .unwrap_or("");
    for l in f.added_code() {
        if !(l.text.contains("run") || l.text.contains("create") || l.text.contains("PublishPort"))
        {
            continue;
        }
        let Some(c) = RUN_PUBLISH.captures(l.text) else {
            continue;
        };
        let spec = c.get(6).or(c.get(7)).map_or("", |m| m.as_str());
        let Some((host, port)) = port_spec(spec) else {
            continue;
        };
        let ds = DATASTORE_PORTS.contains(&port)
            || l.text
                .split_whitespace()
                .any(|w| DATASTORE_IMAGE.is_match(w))
            || DATASTORE_IMAGE.is_match(image.trim_start_matches("Image="));
        if !all_interfaces(host.as_deref()) || !ds {
            continue;
        }
        out.push(Finding::added(
            "datastore-port-public",
            sev,
            f.path,
            Some(l.no),
            format!(
                "Publishes a datastore's port {port} on every interface of the host ({}): anyone who can reach the machine can talk to it directly.",
                quote(spec)
            ),
        ));
    }
}

/// Exposure rules for one file.
pub fn check(f: &FileView<'_>, change: &super::ChangeView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs || f.class.vendored {
        return;
    }
    if !f.added.is_empty() {
        run_commands(f, out);
    }
    if f.class.lang == super::lang::Lang::Hcl {
        open_variable_default(f, out);
        open_through_locals(f, change, out);
    }
    let Some(format @ (Format::Yaml | Format::Json)) = Format::of(f.path) else {
        return;
    };
    let (Some(old), Some(new)) = (f.old_text(), f.new_text()) else {
        return;
    };
    let (Some(a), Some(b)) = (flatten(format, old), flatten(format, new)) else {
        return;
    };
    services(f, &a, &b, out);
    published_ports(f, &a, &b, out);
    ranges_removed(f, &a, &b, out);
}

/// A Terraform variable whose default is the whole internet: every stack
/// that does not set it opens what the variable guards to everyone, and
/// nothing in the stack's own files says so.
fn open_variable_default(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let lines: Vec<&str> = f
        .new_text()
        .map(|t| t.lines().collect())
        .unwrap_or_default();
    for l in &f.added {
        let t = l.text.trim_start();
        if !(t.starts_with("default") && (t.contains("\"0.0.0.0/0\"") || t.contains("\"::/0\""))) {
            continue;
        }
        // The block the line sits in: the nearest `variable "…" {` above it
        // with no block closed at the top level in between.
        let above = lines
            .get(..(l.no as usize).saturating_sub(1))
            .unwrap_or(&[]);
        let variable = above
            .iter()
            .rev()
            .take_while(|x| !x.starts_with('}'))
            .find_map(|x| {
                x.trim_start()
                    .strip_prefix("variable")
                    .and_then(|r| r.trim().strip_prefix('"'))
                    .and_then(|r| r.split('"').next())
            });
        let Some(name) = variable.or_else(|| lines.is_empty().then_some("?")) else {
            continue;
        };
        if name.to_ascii_lowercase().contains("egress") {
            continue; // where traffic may go, not who may come in
        }
        out.push(Finding::added(
            "exposure-open-default",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "The variable `{}` now defaults to every address on the internet: each stack that does not set it is open to the world, and nothing in that stack's files shows it.",
                crate::sanitize::escape_line(name)
            ),
        ));
        return;
    }
}

/// The values of a Terraform file's `locals` (each name's text, lists
/// spanning lines joined).
fn hcl_locals(text: &str) -> HashMap<String, String> {
    static ASSIGN: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*([A-Za-z_][\w-]*)\s*=\s*(.*)$").unwrap());
    let mut out = HashMap::new();
    let mut inside = false;
    let mut depth = 0i32;
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i];
        if !inside {
            inside = l.trim_start().starts_with("locals") && l.contains('{');
            depth = 1;
            i += 1;
            continue;
        }
        if depth == 1
            && let Some(c) = ASSIGN.captures(l)
        {
            let mut value = c[2].to_string();
            let mut open = value.matches(['[', '(', '{']).count() as i32
                - value.matches([']', ')', '}']).count() as i32;
            while open > 0 && i + 1 < lines.len() {
                i += 1;
                value.push(' ');
                value.push_str(lines[i].trim());
                open += lines[i].matches(['[', '(', '{']).count() as i32
                    - lines[i].matches([']', ')', '}']).count() as i32;
            }
            out.insert(c[1].to_string(), value);
        } else {
            depth += l.matches('{').count() as i32 - l.matches('}').count() as i32;
            if depth <= 0 {
                inside = false;
            }
        }
        i += 1;
    }
    out
}

/// `value` with `local.name` references replaced by what they hold, a few
/// levels deep.
fn resolve_locals(value: &str, locals: &HashMap<String, String>) -> String {
    static REF: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\blocal\.([A-Za-z_][\w-]*)").unwrap());
    let mut v = value.to_string();
    for _ in 0..4 {
        if !REF.is_match(&v) {
            break;
        }
        v = REF
            .replace_all(&v, |c: &regex::Captures<'_>| {
                locals.get(&c[1]).cloned().unwrap_or_default()
            })
            .into_owned();
    }
    v
}

/// An ingress range that is now a `local` holding the whole internet
/// (`cidr_blocks = [local.any_ipv4]` with `any_ipv4 = "0.0.0.0/0"`): the
/// line the change adds names no address at all.
fn open_through_locals(f: &FileView<'_>, change: &super::ChangeView<'_>, out: &mut Vec<Finding>) {
    let Some(new) = f.new_text() else {
        return;
    };
    if !new.contains("local.") {
        return;
    }
    // Locals are shared by every file of a module: read them from all the
    // Terraform files the change holds.
    let side = |old: bool| -> HashMap<String, String> {
        change
            .files
            .iter()
            .filter(|g| g.class.lang == super::lang::Lang::Hcl)
            .filter_map(|g| if old { g.old_text() } else { g.new_text() })
            .flat_map(hcl_locals)
            .collect()
    };
    let locals = side(false);
    let old_locals = side(true);
    let lines: Vec<&str> = new.lines().collect();
    let world = |v: &str| v.contains("\"0.0.0.0/0\"") || v.contains("\"::/0\"");
    // The block a line sits in (the nearest line above that opens one).
    let block = |lines: &[&str], upto: usize| -> String {
        lines[..upto.min(lines.len())]
            .iter()
            .rev()
            .find(|x| x.trim_end().ends_with('{'))
            .map(|x| x.trim().to_string())
            .unwrap_or_default()
    };
    // The resource a line sits in (the nearest `resource "…" "…" {` above).
    let resource = |lines: &[&str], upto: usize| -> String {
        lines[..upto.min(lines.len())]
            .iter()
            .rev()
            .find(|x| x.starts_with("resource ") || x.starts_with("module "))
            .map(|x| x.trim().to_string())
            .unwrap_or_default()
    };
    // Resources that were open to the world before: a range written as a
    // local now is the same range.
    let was_open: Vec<String> = f
        .old_text()
        .map(|o| {
            let ls: Vec<&str> = o.lines().collect();
            ls.iter()
                .enumerate()
                .filter(|(i, x)| {
                    world(&resolve_locals(x, &old_locals)) && !block(&ls, *i).contains("egress")
                })
                .map(|(i, _)| resource(&ls, i))
                .collect()
        })
        .unwrap_or_default();
    for l in f.added_code() {
        let t = l.text.trim();
        let Some((key, value)) = t.split_once('=') else {
            continue;
        };
        let key = key.trim();
        if !(key.ends_with("cidr_blocks") || key == "source_ranges" || key == "cidr_ipv4")
            || !value.contains("local.")
        {
            continue;
        }
        // Only ranges that let traffic in: not inside an `egress` block.
        if block(&lines, (l.no as usize).saturating_sub(1)).contains("egress") {
            continue;
        }
        let now = resolve_locals(value, &locals);
        if !world(&now) || was_open.contains(&resource(&lines, l.no as usize)) {
            continue;
        }
        out.push(Finding::added(
            "sec-public-network",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "`{}` now lets in every address on the internet: `{}` holds {}.",
                crate::sanitize::escape_line(key),
                crate::sanitize::escape_line(value.trim()),
                crate::sanitize::escape_line(now.trim())
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod locals_tests {
    use super::{hcl_locals, resolve_locals};

    #[test]
    fn locals_resolve_through_each_other() {
        let t = "locals {\n  public_cidrs = [\"0.0.0.0/0\"]\n  ingress_cidrs = concat(\n    local.public_cidrs,\n    [var.vpc_cidr],\n  )\n  pg_port = 5432\n}\nresource \"x\" \"y\" {\n  a = 1\n}\n";
        let l = hcl_locals(t);
        assert_eq!(l.len(), 3, "{l:?}");
        assert!(resolve_locals("local.ingress_cidrs", &l).contains("\"0.0.0.0/0\""));
        assert_eq!(resolve_locals("[local.pg_port]", &l), "[5432]");
    }

    #[test]
    fn an_ingress_opened_through_a_local_is_found_and_a_rename_is_not() {
        let old = "resource \"aws_security_group\" \"db\" {\n  ingress {\n    from_port = 5432\n    cidr_blocks = [var.vpc_cidr]\n  }\n}\nresource \"aws_security_group\" \"alb\" {\n  ingress {\n    from_port = 443\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n";
        let locals = "locals {\n  any_ipv4 = \"0.0.0.0/0\"\n}\n";
        let opened = format!(
            "{locals}{}",
            old.replace("[var.vpc_cidr]", "[local.any_ipv4]")
        );
        let hit = |new: &str| {
            crate::risk::testkit::findings_with_contents("infra/sg.tf", old, new)
                .into_iter()
                .any(|f| f.rule == "sec-public-network")
        };
        assert!(hit(&opened));
        // The public load balancer's range written as the same local.
        let renamed = format!(
            "{locals}{}",
            old.replace("[\"0.0.0.0/0\"]", "[local.any_ipv4]")
        );
        assert!(!hit(&renamed));
    }
}

#[cfg(test)]
mod tests {
    use super::port_spec;

    #[test]
    fn a_variable_that_defaults_to_the_internet_is_found() {
        let before = "variable \"tags\" {\n  type = map(string)\n}\n";
        let after = "variable \"admin_ingress_cidrs\" {\n  type    = list(string)\n  default = [\"0.0.0.0/0\"]\n}\nvariable \"tags\" {\n  type = map(string)\n}\n";
        assert!(
            hit("infra/modules/alb/variables.tf", before, after)
                .contains(&"exposure-open-default".to_string())
        );
        let egress = after.replace("admin_ingress_cidrs", "egress_cidrs");
        assert!(
            !hit("infra/modules/alb/variables.tf", before, &egress)
                .contains(&"exposure-open-default".to_string())
        );
        let private = after.replace("0.0.0.0/0", "10.0.0.0/8");
        assert!(
            !hit("infra/modules/alb/variables.tf", before, &private)
                .contains(&"exposure-open-default".to_string())
        );
    }
    use crate::risk::testkit::rules_hit_with_contents as hit;

    #[test]
    fn port_specs_are_read_with_their_host_address() {
        assert_eq!(port_spec("6379:6379"), Some((None, 6379)));
        assert_eq!(
            port_spec("\"127.0.0.1:5432:5432\""),
            Some((Some("127.0.0.1".into()), 5432))
        );
        assert_eq!(
            port_spec("[::1]:6379:6379/tcp"),
            Some((Some("::1".into()), 6379))
        );
        assert_eq!(port_spec("27017"), Some((None, 27017)));
    }

    #[test]
    fn a_service_made_public_is_found_in_manifests_and_chart_values() {
        let public = "k8s-service-public".to_string();
        let svc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: admin\nspec:\n  type: ClusterIP\n  ports:\n    - port: 80\n";
        let lb = svc.replace("ClusterIP", "LoadBalancer");
        assert!(hit("deploy/k8s/admin.yaml", svc, &lb).contains(&public));
        // Helm values of a chart.
        let old = "service:\n  type: ClusterIP\n  port: 80\n";
        let new = old.replace("ClusterIP", "LoadBalancer");
        assert!(hit("charts/admin/values.yaml", old, &new).contains(&public));
        // NodePort too (medium, but found).
        assert!(
            hit(
                "deploy/k8s/admin.yaml",
                svc,
                &svc.replace("ClusterIP", "NodePort")
            )
            .contains(&public)
        );
        // Source ranges or an internal load balancer keep it private.
        let ranged = lb.replace(
            "  ports:",
            "  loadBalancerSourceRanges:\n    - 10.0.0.0/8\n  ports:",
        );
        assert!(!hit("deploy/k8s/admin.yaml", svc, &ranged).contains(&public));
        let internal = lb.replace(
            "  name: admin\n",
            "  name: admin\n  annotations:\n    service.beta.kubernetes.io/aws-load-balancer-internal: \"true\"\n",
        );
        assert!(!hit("deploy/k8s/admin.yaml", svc, &internal).contains(&public));
        let gke = lb.replace(
            "  name: admin\n",
            "  name: admin\n  annotations:\n    networking.gke.io/load-balancer-type: Internal\n",
        );
        assert!(!hit("deploy/k8s/admin.yaml", svc, &gke).contains(&public));
        // A range of 0.0.0.0/0 is no range.
        let world = lb.replace(
            "  ports:",
            "  loadBalancerSourceRanges: [0.0.0.0/0]\n  ports:",
        );
        assert!(hit("deploy/k8s/admin.yaml", svc, &world).contains(&public));
    }

    #[test]
    fn address_allow_lists_removed_are_found() {
        let gone = "source-ranges-removed".to_string();
        // An internal Ingress loses its allow-list annotation.
        let old = "kind: Ingress\nmetadata:\n  name: admin\n  annotations:\n    nginx.ingress.kubernetes.io/whitelist-source-range: 10.0.0.0/8\nspec:\n  ingressClassName: nginx\n";
        let new = old.replace(
            "    nginx.ingress.kubernetes.io/whitelist-source-range: 10.0.0.0/8\n",
            "    app.kubernetes.io/part-of: ops\n",
        );
        assert!(hit("deploy/k8s/admin-ingress.yaml", old, &new).contains(&gone));
        // A load balancer's ranges in chart values.
        let old =
            "service:\n  type: LoadBalancer\n  loadBalancerSourceRanges:\n    - 203.0.113.0/24\n";
        assert!(
            hit(
                "charts/api/values-prod.yaml",
                old,
                "service:\n  type: LoadBalancer\n"
            )
            .contains(&gone)
        );
        // Changed ranges, or a development file: not this rule.
        let other = old.replace("203.0.113.0/24", "198.51.100.0/24");
        assert!(!hit("charts/api/values-prod.yaml", old, &other).contains(&gone));
        assert!(
            !hit(
                "charts/api/values-dev.yaml",
                old,
                "service:\n  type: LoadBalancer\n"
            )
            .contains(&gone)
        );
    }

    #[test]
    fn a_datastore_port_moved_off_the_loopback_interface_is_high_wherever_it_is() {
        use crate::risk::{Severity, testkit::findings_with_contents};
        let old = "services:\n  redis:\n    image: redis:7\n    ports:\n      - \"127.0.0.1:6379:6379\"\n";
        let new = old.replace("127.0.0.1:6379:6379", "6379:6379");
        let sev = |o: &str, n: &str| {
            findings_with_contents("deploy/host-01/docker-compose.yml", o, n)
                .into_iter()
                .find(|f| f.rule == "datastore-port-public")
                .map(|f| f.severity)
        };
        assert_eq!(sev(old, &new), Some(Severity::High));
        // Published anew, with no narrower binding before: medium outside
        // production paths, as before.
        let fresh = "services:\n  redis:\n    image: redis:7\n";
        assert_eq!(sev(fresh, &new), Some(Severity::Medium));
    }

    #[test]
    fn a_datastore_published_on_every_interface_is_found() {
        let public = "datastore-port-public".to_string();
        let old = "services:\n  db:\n    image: postgres:16\n  api:\n    image: acme/api:1.2\n    ports:\n      - \"8000:8000\"\n";
        // Compose, short syntax, in a production stack.
        let new = old.replace(
            "    image: postgres:16\n",
            "    image: postgres:16\n    ports:\n      - \"5432:5432\"\n",
        );
        assert!(hit("deploy/compose.prod.yml", old, &new).contains(&public));
        // Long syntax; a port known as a datastore's even under another image name.
        let long = old.replace(
            "    image: postgres:16\n",
            "    image: acme/cache:3\n    ports:\n      - target: 6379\n        published: 6379\n",
        );
        assert!(hit("ops/stack/production.yml", old, &long).contains(&public));
        // Kubernetes hostPort on a Redis container.
        let pod = "spec:\n  containers:\n    - name: cache\n      image: redis:7\n      ports:\n        - containerPort: 6379\n";
        let host = pod.replace(
            "containerPort: 6379\n",
            "containerPort: 6379\n          hostPort: 6379\n",
        );
        assert!(hit("deploy/prod/cache.yaml", pod, &host).contains(&public));
        // docker run in a deploy script, Quadlet unit.
        let sh = "#!/bin/sh\nset -e\n";
        let run = format!("{sh}docker run -d --name cache -p 6379:6379 redis:7\n");
        assert!(hit("deploy/prod/start.sh", sh, &run).contains(&public));
        // Loopback, a development stack, or an API port: not this rule.
        let local = old.replace(
            "    image: postgres:16\n",
            "    image: postgres:16\n    ports:\n      - \"127.0.0.1:5432:5432\"\n",
        );
        assert!(!hit("deploy/compose.prod.yml", old, &local).contains(&public));
        assert!(!hit("docker-compose.dev.yml", old, &new).contains(&public));
        let api = old.replace("\"8000:8000\"", "\"8080:8000\"");
        assert!(!hit("deploy/compose.prod.yml", old, &api).contains(&public));
    }
}
