//! A host firewall (nftables, iptables, ufw) read port by port. A port that
//! was let in only from a network (`ip saddr $PRIVATE_NET tcp dport 5432
//! accept`) and is now let in from anywhere (folded into `tcp dport {
//! 80, 443, 5432 } accept`, or `ufw allow 5432`) is reachable by whoever
//! reaches the host; so is a database or admin port opened with no source
//! at all. Sets and `define`d names are expanded, so a port moved into a
//! list is read where it ends up.

use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// Ports that serve a database, a cache, a cluster's control plane or an
/// admin interface: never meant for the whole internet.
const INTERNAL_PORTS: &[u32] = &[
    1433, 2049, 2375, 2376, 2379, 2380, 3306, 5432, 5601, 5984, 6379, 6432, 8086, 8500, 9042, 9092,
    9100, 9200, 9300, 10250, 11211, 15672, 2181, 27017, 5672, 4369, 8529, 7000, 7001,
];

/// `define NAME = value` (nftables).
static DEFINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*define\s+(\w+)\s*=\s*(.+)$").unwrap());
/// nftables: the port spec after `dport`.
static NFT_DPORT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bdport\s+(\{[^}]*\}|\$\w+|\d+(?:-\d+)?)").unwrap());
/// iptables: `--dport N`, `--dports a,b`.
static IPT_DPORT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"--dports?\s+([\d,:]+)").unwrap());
/// ufw: `ufw allow 5432`, `ufw allow 5432/tcp`, `ufw allow from X to any port N`.
static UFW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bufw\s+allow\s+(?:(from\s+\S+)\s+)?(?:(?:proto\s+\w+\s+)?to\s+\S+\s+port\s+)?(\d+(?:[,:]\d+)*)").unwrap()
});

/// The ports a rule lets in, and whether it names where the traffic comes
/// from (a source network or an inbound interface).
fn rule_ports(line: &str, defines: &HashMap<String, String>) -> Option<(BTreeSet<u32>, bool)> {
    let l = line.trim();
    if l.starts_with('#') {
        return None;
    }
    let (spec, restricted) = if let Some(c) = UFW.captures(l) {
        (c[2].to_string(), c.get(1).is_some())
    } else if l.contains("ACCEPT") && l.contains("-j") {
        let c = IPT_DPORT.captures(l)?;
        let restricted = [" -s ", "--source", "--src-range", " -i ", "--in-interface"]
            .iter()
            .any(|w| l.contains(w));
        (c[1].to_string(), restricted)
    } else if super::code::has_word(l, "accept") {
        let c = NFT_DPORT.captures(l)?;
        let mut spec = c[1].to_string();
        if let Some(name) = spec.strip_prefix('$') {
            spec = defines.get(name)?.clone();
        }
        let restricted = ["saddr", "iif", "iifname"]
            .iter()
            .any(|w| super::code::has_word(l, w));
        (spec, restricted)
    } else {
        return None;
    };
    let ports: BTreeSet<u32> = spec
        .split(|c: char| !c.is_ascii_digit() && c != '-' && c != ':')
        .filter_map(|p| p.split(['-', ':']).next()?.parse().ok())
        .collect();
    (!ports.is_empty()).then_some((ports, restricted))
}

/// The `define`s of a text.
fn defines(text: &str) -> HashMap<String, String> {
    text.lines()
        .filter_map(|l| {
            let c = DEFINE.captures(l)?;
            Some((c[1].to_string(), c[2].trim().to_string()))
        })
        .collect()
}

/// Ports let in from anywhere, and ports let in only from somewhere.
fn exposure(text: &str) -> (BTreeSet<u32>, BTreeSet<u32>) {
    let d = defines(text);
    let (mut open, mut limited) = (BTreeSet::new(), BTreeSet::new());
    for l in text.lines() {
        if let Some((ports, restricted)) = rule_ports(l, &d) {
            if restricted {
                limited.extend(ports);
            } else {
                open.extend(ports);
            }
        }
    }
    (open, limited)
}

/// A firewall's rules file: its `define`s and other rules are worth
/// reading whole.
pub fn wants_contents(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    ["nft", "iptables", "firewall", "ufw"]
        .iter()
        .any(|w| name.contains(w))
        || name.ends_with(".rules")
        || name.starts_with("rules.v")
}

/// Reports a port the change lets in from anywhere that was let in only
/// from a network before, or an internal service port opened to all.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.docs || f.class.test_like() || f.class.vendored {
        return;
    }
    // A rule or a `define` among the added lines (a C `#define` is neither).
    if !f
        .added_code()
        .any(|l| l.text.contains("dport") || l.text.contains("ufw ") || DEFINE.is_match(l.text))
    {
        return;
    }
    let new = f.new_text_or_hunks();
    let (open_old, limited_old) = f.old_text().map(exposure).unwrap_or_default();
    let d = defines(&new);
    for l in f.added_code() {
        // A `define` the change edits counts where it is used.
        let used: Vec<(u32, BTreeSet<u32>)> = match rule_ports(l.text, &d) {
            Some((ports, false)) => vec![(l.no, ports)],
            Some((_, true)) => continue,
            None => match DEFINE.captures(l.text) {
                Some(c) => new
                    .lines()
                    .enumerate()
                    .filter(|(_, u)| u.contains(&format!("${}", &c[1])))
                    .filter_map(|(i, u)| match rule_ports(u, &d) {
                        Some((p, false)) => Some((i as u32 + 1, p)),
                        _ => None,
                    })
                    .collect(),
                None => continue,
            },
        };
        for (_, ports) in used {
            let newly: Vec<u32> = ports
                .iter()
                .copied()
                .filter(|p| !open_old.contains(p))
                .filter(|p| limited_old.contains(p) || INTERNAL_PORTS.contains(p))
                .collect();
            if let Some(p) = newly.first() {
                let was = if limited_old.contains(p) {
                    "before, only from the network its rule named"
                } else {
                    "a port that serves a database or an admin interface"
                };
                out.push(Finding::added(
                    "firewall-port-opened-to-all",
                    Severity::High,
                    f.path,
                    Some(l.no),
                    format!(
                        "Port {p} is now let in from any address (`{}`); {was}.",
                        quote(l.text.trim())
                    ),
                ));
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::findings_of_change;

    fn hit(path: &str, old: &str, new: &str) -> bool {
        findings_of_change(&[(path, Some(old), Some(new))], None)
            .iter()
            .any(|x| x.rule == "firewall-port-opened-to-all")
    }

    const NFT: &str = "define PRIVATE_NET = 10.40.0.0/16\ntable inet filter {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    tcp dport 80 accept\n    tcp dport 443 accept\n    ip saddr $PRIVATE_NET tcp dport 5432 accept\n  }\n}\n";

    #[test]
    fn a_port_folded_into_an_open_set_is_found() {
        let folded = NFT
            .replace("define PRIVATE_NET = 10.40.0.0/16\n", "define PRIVATE_NET = 10.40.0.0/16\ndefine TCP_SERVICES = { 80, 443, 5432 }\n")
            .replace("    tcp dport 80 accept\n    tcp dport 443 accept\n    ip saddr $PRIVATE_NET tcp dport 5432 accept\n", "    tcp dport $TCP_SERVICES accept\n");
        assert!(hit(
            "ansible/roles/firewall/templates/nftables.conf.j2",
            NFT,
            &folded
        ));
        // Web ports folded, the database still behind its source: nothing.
        let web = NFT.replace(
            "    tcp dport 80 accept\n    tcp dport 443 accept\n",
            "    tcp dport { 80, 443 } accept\n",
        );
        assert!(!hit(
            "ansible/roles/firewall/templates/nftables.conf.j2",
            NFT,
            &web
        ));
    }

    #[test]
    fn iptables_and_ufw_read_the_same_way() {
        let old = "#!/bin/sh\niptables -A INPUT -p tcp --dport 443 -j ACCEPT\niptables -A INPUT -p tcp -s 10.0.0.0/8 --dport 6379 -j ACCEPT\n";
        let new = old.replace("-s 10.0.0.0/8 --dport 6379", "--dport 6379");
        assert!(hit("scripts/firewall.sh", old, &new));
        let ufw_old = "#!/bin/sh\nufw allow 443/tcp\n";
        assert!(hit(
            "scripts/firewall.sh",
            ufw_old,
            "#!/bin/sh\nufw allow 443/tcp\nufw allow 5432/tcp\n"
        ));
        assert!(!hit(
            "scripts/firewall.sh",
            ufw_old,
            "#!/bin/sh\nufw allow 443/tcp\nufw allow from 10.0.0.0/8 to any port 5432\n"
        ));
        assert!(!hit(
            "scripts/firewall.sh",
            ufw_old,
            "#!/bin/sh\nufw allow 443/tcp\nufw allow 8443/tcp\n"
        ));
    }
}
