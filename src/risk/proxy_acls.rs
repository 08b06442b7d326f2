//! A Squid proxy's access list, read as the proxy reads it: `http_access`
//! lines in order, the first whose ACLs all match decides. An `allow` made of
//! ACLs that only name where a request goes (ports, methods, destinations)
//! and none that names who sends it (a source network, a login) lets every
//! client that can reach the port through, ahead of the `deny all` below it:
//! `http_access allow CONNECT SSL_ports` makes an open tunnel to any host.

use std::collections::HashMap;

use super::{FileView, Finding, Severity, quote};

/// ACL types that name the client: its address, its login, its certificate.
const WHO: &[&str] = &[
    "src",
    "srcdomain",
    "srcdom_regex",
    "arp",
    "eui64",
    "proxy_auth",
    "proxy_auth_regex",
    "external",
    "ident",
    "ident_regex",
    "user_cert",
    "ext_user",
    "ext_user_regex",
    "max_user_ip",
    "client_connection_mark",
    "myportname",
    "myip",
    "localip",
    "localport",
    "myport",
    "note",
];

/// The ACL names a config defines, with their types.
fn acl_types(text: &str) -> HashMap<String, String> {
    text.lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            (w.next()? == "acl").then_some(())?;
            Some((w.next()?.to_string(), w.next()?.to_string()))
        })
        .collect()
}

/// An `http_access allow` line's ACLs (negated ones with their `!`).
fn allow_acls(line: &str) -> Option<Vec<&str>> {
    let mut w = line.split_whitespace();
    if w.next()? != "http_access" || w.next()? != "allow" {
        return None;
    }
    Some(w.take_while(|x| !x.starts_with('#')).collect())
}

/// Whether one of the ACLs names who the client is (a negated one counts
/// too: `!blocked_users` still reads the login).
fn names_client(acls: &[&str], types: &HashMap<String, String>) -> bool {
    acls.iter().any(|a| {
        let name = a.trim_start_matches('!');
        // `localhost` is built in, a source; `all` too, but it names
        // everyone. One defined nowhere in what was read may be anything:
        // it counts.
        match types.get(name) {
            Some(t) => WHO.contains(&t.as_str()),
            None => !matches!(name, "all" | "manager" | "to_localhost" | "to_linklocal"),
        }
    })
}

/// A Squid config: its full text is worth reading (ACLs are defined far
/// from where they are used).
pub fn wants_contents(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.starts_with("squid") && (name.ends_with(".conf") || name.ends_with(".conf.j2"))
}

/// Reports an `allow` the change adds that no client restriction limits,
/// in a Squid config whose allows all named their clients before.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !wants_contents(f.path) || f.class.docs {
        return;
    }
    let new = f.new_text_or_hunks();
    let types = acl_types(&new);
    let old_types = f.old_text().map(acl_types).unwrap_or_default();
    let before_open = f.old_text().is_some_and(|t| {
        t.lines()
            .filter_map(allow_acls)
            .any(|a| a.is_empty() || !names_client(&a, &old_types))
    });
    if before_open {
        return;
    }
    for l in f.added_code() {
        let Some(acls) = allow_acls(l.text) else {
            continue;
        };
        if acls == ["all"] || !acls.is_empty() && !names_client(&acls, &types) {
            out.push(Finding::added(
                "proxy-allows-any-client",
                Severity::High,
                f.path,
                Some(l.no),
                format!(
                    "`{}` names no client (no source network, no login): every client that can reach the proxy gets through on it, ahead of the rules below.",
                    quote(l.text.trim())
                ),
            ));
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::findings_of_change;

    const OLD: &str = "http_port 3128\nacl localnet src 10.0.0.0/8\nacl SSL_ports port 443\nacl CONNECT method CONNECT\nacl authenticated proxy_auth REQUIRED\nhttp_access deny CONNECT !SSL_ports\nhttp_access allow localnet\nhttp_access allow authenticated\nhttp_access deny all\n";

    fn hit(new: &str) -> bool {
        findings_of_change(&[("infra/proxy/squid.conf", Some(OLD), Some(new))], None)
            .iter()
            .any(|x| x.rule == "proxy-allows-any-client")
    }

    #[test]
    fn an_allow_that_names_no_client_is_found() {
        let open = OLD.replace(
            "http_access allow authenticated\n",
            "http_access allow CONNECT SSL_ports\nhttp_access allow authenticated\n",
        );
        assert!(hit(&open));
        // The same tunnel for a source network: limited.
        let runners = OLD
            .replace(
                "acl authenticated",
                "acl ci_runners src 203.0.113.0/24\nacl authenticated",
            )
            .replace(
                "http_access allow authenticated\n",
                "http_access allow ci_runners CONNECT SSL_ports\nhttp_access allow authenticated\n",
            );
        assert!(!hit(&runners));
        // A deny added: tighter.
        let deny = OLD.replace(
            "http_access allow localnet\n",
            "http_access deny CONNECT\nhttp_access allow localnet\n",
        );
        assert!(!hit(&deny));
    }
}
