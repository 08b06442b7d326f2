//! nginx's all-or-nothing inheritance of `add_header` and
//! `proxy_set_header`: a block inherits them from the level above only when
//! it sets none of its own. So a location given one header for caching
//! (`add_header Cache-Control "no-cache";`) silently drops every security
//! header the server set (Content-Security-Policy, HSTS, X-Frame-Options),
//! and a location given one proxy header drops the server's
//! `X-Forwarded-For` and `Host`. The new lines look harmless; what is lost
//! is written nowhere in the diff.

use std::collections::HashSet;

use super::{FileView, Finding, Severity, quote};

/// One block of an nginx configuration: its header (`server`,
/// `location = /index.html`), the directives written directly in it, and
/// the blocks inside it.
#[derive(Debug, Default)]
struct Block {
    header: String,
    directives: Vec<Directive>,
    children: Vec<Block>,
}

/// One statement: where it starts, its name, its first argument (a header's
/// name, lower-cased) and the whole statement, whitespace collapsed.
#[derive(Debug)]
struct Directive {
    line: u32,
    name: String,
    arg: String,
    text: String,
}

/// Security headers whose loss matters.
const SECURITY_HEADERS: &[&str] = &[
    "content-security-policy",
    "strict-transport-security",
    "x-frame-options",
    "x-content-type-options",
    "referrer-policy",
    "permissions-policy",
    "cross-origin-opener-policy",
    "cross-origin-embedder-policy",
    "cross-origin-resource-policy",
];

/// Words of proxy headers that tell the backend who the caller is: set
/// (or blanked) by the proxy, trusted by the backend.
const IDENTITY: &[&str] = &[
    "auth",
    "user",
    "role",
    "email",
    "identity",
    "principal",
    "group",
    "tenant",
    "jwt",
    "token",
    "ssl-client",
    "client-cert",
    "client-verify",
];

/// Reads a configuration into its tree of blocks (comments dropped; `{`,
/// `;` and `}` end statements wherever they are on a line).
fn parse(text: &str) -> Block {
    let mut stack: Vec<Block> = vec![Block::default()];
    let mut statement = String::new();
    let mut starts_at = 1u32;
    for (i, line) in text.lines().enumerate() {
        let no = i as u32 + 1;
        let code = line.split('#').next().unwrap_or("");
        for c in code.chars() {
            match c {
                '{' | ';' | '}' => {
                    let s = statement.split_whitespace().collect::<Vec<_>>().join(" ");
                    statement.clear();
                    if c == '{' {
                        stack.push(Block {
                            header: s,
                            ..Block::default()
                        });
                    } else {
                        if !s.is_empty() {
                            let mut words = s.splitn(3, ' ');
                            let name = words.next().unwrap_or("").to_string();
                            let arg = words.next().unwrap_or("").trim_matches(['"', '\'']);
                            let directive = Directive {
                                line: starts_at,
                                name,
                                arg: arg.to_ascii_lowercase(),
                                text: s,
                            };
                            if let Some(top) = stack.last_mut() {
                                top.directives.push(directive);
                            }
                        }
                        if c == '}' && stack.len() > 1 {
                            let done = stack.pop().expect("more than one block is open");
                            if let Some(parent) = stack.last_mut() {
                                parent.children.push(done);
                            }
                        }
                    }
                }
                c => {
                    if statement.trim().is_empty() {
                        starts_at = no;
                    }
                    statement.push(c);
                }
            }
        }
        statement.push(' ');
    }
    while stack.len() > 1 {
        let done = stack.pop().expect("more than one block is open");
        if let Some(parent) = stack.last_mut() {
            parent.children.push(done);
        }
    }
    stack.pop().unwrap_or_default()
}

impl Block {
    /// The values (first arguments) of this block's own `name` directives.
    fn own(&self, name: &str) -> Vec<&Directive> {
        self.directives.iter().filter(|d| d.name == name).collect()
    }

    /// Whether the block pulls in other files, which may set the headers.
    fn includes(&self) -> bool {
        self.directives.iter().any(|d| d.name == "include")
    }

    /// A name for the block among its parent's children that survives
    /// edits to its body: its header, and for a server its `server_name`.
    fn key(&self) -> String {
        let names: Vec<&str> = self
            .directives
            .iter()
            .filter(|d| d.name == "server_name" || d.name == "listen")
            .map(|d| d.text.as_str())
            .collect();
        format!("{} {}", self.header, names.join(" "))
    }
}

/// Blocks that start setting `add_header` or `proxy_set_header` of their
/// own, and so stop inheriting the security or proxy headers above them.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !super::nginx_alias::nginx(f.path) || f.class.docs || f.class.test_like() {
        return;
    }
    let (Some(old), Some(new)) = (f.old_text(), f.new_text()) else {
        return;
    };
    if !f
        .added_code()
        .any(|l| l.text.contains("add_header") || l.text.contains("proxy_set_header"))
    {
        return;
    }
    let added: HashSet<u32> = f.added.iter().map(|l| l.no).collect();
    let (old, new) = (parse(old), parse(new));
    walk(&new, Some(&old), &[], &added, f.path, out);
}

/// Visits `block` (new side) beside its old self, `inherited` holding what
/// each of the two directives carries down to it from above.
fn walk(
    block: &Block,
    old: Option<&Block>,
    inherited: &[(&str, Vec<String>)],
    added: &HashSet<u32>,
    path: &str,
    out: &mut Vec<Finding>,
) {
    let mut carried: Vec<(&str, Vec<String>)> = Vec::new();
    for name in ["add_header", "proxy_set_header"] {
        let own = block.own(name);
        let from_above = inherited
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let had_own = old.is_some_and(|o| !o.own(name).is_empty());
        let first_added = own.iter().find(|d| added.contains(&d.line));
        if let Some(first) = first_added
            && !had_own
            && !block.includes()
        {
            let mine: HashSet<&str> = own.iter().map(|d| d.arg.as_str()).collect();
            let lost: Vec<&String> = from_above
                .iter()
                .filter(|h| !mine.contains(h.as_str()))
                .filter(|h| name == "proxy_set_header" || SECURITY_HEADERS.contains(&h.as_str()))
                .collect();
            if !lost.is_empty() {
                let names = lost
                    .iter()
                    .map(|h| format!("`{}`", quote(h)))
                    .collect::<Vec<_>>()
                    .join(", ");
                let identity = lost.iter().any(|h| IDENTITY.iter().any(|w| h.contains(w)));
                let (severity, what) = if name == "add_header" {
                    (
                        Severity::High,
                        "so its responses go out without them: no content security policy, framing or HTTPS pinning there",
                    )
                } else if identity {
                    (
                        Severity::High,
                        "so the backend reads those identity headers as the client sent them: anyone can claim to be any user",
                    )
                } else {
                    (
                        Severity::Medium,
                        "so requests it proxies reach the backend without them (client address, original host)",
                    )
                };
                out.push(Finding::added(
                    "nginx-headers-not-inherited",
                    severity,
                    path,
                    Some(first.line),
                    format!(
                        "`{}` now sets a `{name}` of its own (`{}`), and nginx then stops inheriting the ones set above it: {names} no longer apply there, {what}.",
                        quote(&block.header),
                        quote(&first.arg)
                    ),
                ));
            }
        }
        let passes_on = if own.is_empty() {
            from_above
        } else {
            own.iter().map(|d| d.arg.clone()).collect()
        };
        carried.push((name, passes_on));
    }
    for (i, child) in block.children.iter().enumerate() {
        // The same block before: the one of the same name, the n-th of its
        // name when several share it.
        let key = child.key();
        let nth = block.children[..i]
            .iter()
            .filter(|c| c.key() == key)
            .count();
        let before = old.and_then(|o| o.children.iter().filter(|c| c.key() == key).nth(nth));
        // A block the change creates (`before` is `None`) had nothing of
        // its own.
        walk(child, before, &carried, added, path, out);
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::Finding;
    use crate::risk::testkit::findings_with_contents;

    const SERVER: &str = "server {\n    listen 443 ssl;\n    server_name app.example.com;\n    add_header Content-Security-Policy \"default-src 'self'\" always;\n    add_header Strict-Transport-Security \"max-age=63072000\" always;\n    add_header X-Frame-Options DENY always;\n\n    location / {\n        try_files $uri /index.html;\n    }\n}\n";

    /// This rule's findings for one file changed from `old` to `new`.
    fn rule_found(path: &str, old: &str, new: &str) -> Vec<Finding> {
        findings_with_contents(path, old, new)
            .into_iter()
            .filter(|f| f.rule == "nginx-headers-not-inherited")
            .collect()
    }

    /// What the server in `SERVER` loses, message by message.
    fn lost(new: &str) -> Vec<String> {
        rule_found("deploy/nginx/app.conf", SERVER, new)
            .into_iter()
            .map(|f| f.message)
            .collect()
    }

    #[test]
    fn a_location_given_its_own_header_loses_the_servers_security_headers() {
        let new = SERVER.replace(
            "    location / {\n",
            "    location = /index.html {\n        add_header Cache-Control \"no-cache\";\n    }\n\n    location / {\n",
        );
        let found = lost(&new);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("content-security-policy"), "{found:?}");
        // The same block restating the security headers keeps them.
        let restated = SERVER.replace(
            "    location / {\n",
            "    location = /index.html {\n        add_header Cache-Control \"no-cache\";\n        add_header Content-Security-Policy \"default-src 'self'\" always;\n        add_header Strict-Transport-Security \"max-age=63072000\" always;\n        add_header X-Frame-Options DENY always;\n    }\n\n    location / {\n",
        );
        assert!(lost(&restated).is_empty());
        // Or including a snippet that may.
        let included = SERVER.replace(
            "    location / {\n",
            "    location = /index.html {\n        include snippets/security-headers.conf;\n        add_header Cache-Control \"no-cache\";\n    }\n\n    location / {\n",
        );
        assert!(lost(&included).is_empty());
    }

    #[test]
    fn servers_of_the_same_name_are_told_apart_by_what_they_listen_on() {
        let two = format!(
            "server {{\n    listen 80;\n    server_name app.example.com;\n    return 301 https://$host$request_uri;\n}}\n\n{SERVER}"
        );
        let old = two.replace(
            "        try_files $uri /index.html;\n",
            "        try_files $uri /index.html;\n        add_header Cache-Control no-cache;\n",
        );
        let new = old.replace(
            "        add_header Cache-Control no-cache;\n",
            "        add_header Cache-Control no-cache;\n        add_header X-Frame-Options DENY always;\n",
        );
        let found = rule_found("deploy/nginx/app.conf", &old, &new);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn a_header_added_where_the_block_already_had_its_own_loses_nothing_new() {
        let old = SERVER.replace(
            "        try_files $uri /index.html;\n",
            "        try_files $uri /index.html;\n        add_header X-Robots-Tag noindex;\n",
        );
        let new = old.replace(
            "        add_header X-Robots-Tag noindex;\n",
            "        add_header X-Robots-Tag noindex;\n        add_header Cache-Control no-store;\n",
        );
        let found = rule_found("deploy/nginx/app.conf", &old, &new);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn a_location_given_one_proxy_header_drops_the_forwarded_ones() {
        let old = "server {\n    proxy_set_header Host $host;\n    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n    location /api/ {\n        proxy_pass http://api;\n    }\n}\n";
        let new = old.replace(
            "        proxy_pass http://api;\n",
            "        proxy_set_header Connection \"\";\n        proxy_pass http://api;\n",
        );
        let found = rule_found("nginx/site.conf", old, &new);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].severity, crate::risk::Severity::Medium);
        assert!(found[0].message.contains("x-forwarded-for"), "{found:?}");
        // Identity headers the proxy set from its auth check: high.
        let authed = old.replace(
            "    proxy_set_header Host $host;\n",
            "    proxy_set_header Host $host;\n    proxy_set_header X-Auth-User $auth_user;\n",
        );
        let new = authed.replace(
            "        proxy_pass http://api;\n",
            "        proxy_set_header X-Request-ID $request_id;\n        proxy_pass http://api;\n",
        );
        let found = rule_found("nginx/site.conf", &authed, &new);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].severity, crate::risk::Severity::High);
    }
}
