//! nginx's location precedence: a request goes to the longest matching
//! prefix location only when no regex location (`~`, `~*`) matches it too
//! (or the prefix is marked `^~`). So a regex location added for caching
//! or headers (`location ~* ^/hls/.+\.ts$`) takes its requests away from
//! the prefix location that checked them (`location /hls/ { secure_link … }`),
//! and whatever access control lived there no longer runs for them.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

static LOCATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*location\s+(=|\^~|~\*?)?\s*([^\s{]+)\s*\{").unwrap());
/// Directives that decide who may have a response.
static ACCESS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(secure_link\w*|auth_request|auth_basic|auth_jwt\w*|allow|deny|satisfy|access_by_lua\w*|limit_except|valid_referers|if\s*\(\s*\$(secure_link|invalid_referer|http_authorization|cookie_)\w*)\b").unwrap()
});

/// One location block: its modifier, its pattern, the line it opens on and
/// the access directives inside it.
struct Location {
    modifier: String,
    pattern: String,
    line: u32,
    access: Vec<String>,
}

/// Every location of a text, with what its body (nested blocks included)
/// says about access.
fn locations(text: &str) -> Vec<Location> {
    let mut out: Vec<Location> = Vec::new();
    // Open locations: (index in `out`, depth the block opened at).
    let mut open: Vec<(usize, i32)> = Vec::new();
    let mut depth = 0i32;
    for (i, l) in text.lines().enumerate() {
        let code = l.split('#').next().unwrap_or("");
        if let Some(c) = LOCATION.captures(code) {
            out.push(Location {
                modifier: c.get(1).map_or("", |m| m.as_str()).to_string(),
                pattern: c[2].to_string(),
                line: i as u32 + 1,
                access: Vec::new(),
            });
            open.push((out.len() - 1, depth));
        } else if let Some(m) = ACCESS.find(code)
            && let Some((at, _)) = open.last()
        {
            let directive = m.as_str().trim().to_string();
            // `auth_basic off` and `allow all` open rather than check.
            let opens = code.contains(" off") || code.trim_end().ends_with("allow all;");
            if !opens {
                out[*at].access.push(directive);
            }
        }
        depth += code.matches('{').count() as i32 - code.matches('}').count() as i32;
        while open.last().is_some_and(|(_, d)| depth <= *d) {
            open.pop();
        }
    }
    out
}

/// The literal start of a regex: what every URI it matches begins with
/// (`^/hls/.+\.ts$` → `/hls/`), or `None` when it is not anchored.
fn literal_start(pattern: &str) -> Option<String> {
    let p = pattern.trim_matches('"').strip_prefix('^')?;
    let mut out = String::new();
    let mut chars = p.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e) if !e.is_ascii_alphanumeric() => out.push(e),
                _ => break,
            },
            '.' | '*' | '+' | '?' | '(' | '[' | '{' | '|' | '$' => {
                // A quantifier makes the character before it optional.
                if matches!(c, '*' | '?' | '{') {
                    out.pop();
                }
                break;
            }
            _ => out.push(c),
        }
    }
    Some(out)
}

/// Regex locations the change adds that take requests from a prefix location
/// checking access, without that check.
/// The body of the block opening on line `line` (1-based) of `text`, up to
/// its closing brace.
fn block_body(text: &str, line: u32) -> String {
    let mut depth = 0i32;
    let mut body = String::new();
    for l in text.lines().skip(line as usize - 1) {
        let code = l.split('#').next().unwrap_or("");
        depth += code.matches('{').count() as i32 - code.matches('}').count() as i32;
        body.push_str(code);
        body.push('\n');
        if depth <= 0 {
            break;
        }
    }
    body
}

/// A location the change adds or rewrites that now serves the app's entry
/// documents (`.html`, the service worker) with a year-long immutable
/// cache: browsers keep the old `index.html` and never load a new release
/// (or a fix) until the cache expires.
fn entry_documents_cached_forever(f: &FileView<'_>, text: &str, out: &mut Vec<Finding>) {
    static ENTRY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(\bhtml?\b|sw\.js|service-?worker|^/$|^/index)").unwrap()
    });
    static FOREVER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(\bimmutable\b|max-age\s*=\s*(3153600\d|[4-9]\d{7}|\d{9,})|^\s*expires\s+(max|1y|365d|[4-9]\d\dd|\d{4,}d)\s*;)").unwrap()
    });
    let added: Vec<u32> = f.added.iter().map(|l| l.no).collect();
    for loc in locations(text).iter().filter(|l| added.contains(&l.line)) {
        if !ENTRY.is_match(&loc.pattern) {
            continue;
        }
        let body = block_body(text, loc.line);
        if !body.lines().any(|l| FOREVER.is_match(l))
            || body.contains("no-cache")
            || body.contains("no-store")
        {
            continue;
        }
        out.push(Finding::added(
            "cache-entry-document-forever",
            Severity::High,
            f.path,
            Some(loc.line),
            format!(
                "`location {}` now serves the app's entry documents (HTML or the service worker) with a year-long immutable cache: browsers keep the old page and never load a new release, or a fix, until it expires.",
                quote(&loc.pattern)
            ),
        ));
        return;
    }
}

pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !super::nginx_alias::nginx(f.path) || f.class.docs || f.class.test_like() {
        return;
    }
    let Some(text) = f.new_text() else { return };
    entry_documents_cached_forever(f, text, out);
    let all = locations(text);
    let added: Vec<u32> = f.added.iter().map(|l| l.no).collect();
    for r in all
        .iter()
        .filter(|r| r.modifier.starts_with('~') && added.contains(&r.line))
    {
        // Unanchored, a regex can match anywhere: any prefix location may lose requests.
        let start = literal_start(&r.pattern).unwrap_or_default();
        let Some(p) = all.iter().find(|p| {
            p.modifier.is_empty()
                && !p.access.is_empty()
                && (start.starts_with(&p.pattern) || p.pattern.starts_with(&start))
                && !p.access.iter().all(|a| r.access.contains(a))
        }) else {
            continue;
        };
        let missing: Vec<&str> = p
            .access
            .iter()
            .filter(|a| !r.access.contains(a))
            .map(String::as_str)
            .collect();
        out.push(Finding::added(
            "nginx-location-bypass",
            Severity::High,
            f.path,
            Some(r.line),
            format!(
                "The new `location {} {}` takes requests under {} away from the prefix location there (nginx prefers a matching regex location), and it does not have that location's {}: those requests are no longer checked.",
                quote(&r.modifier),
                quote(&r.pattern),
                quote(&p.pattern),
                quote(&missing.join(", "))
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents;

    const RULE: &str = "nginx-location-bypass";
    const CONF: &str = "server {\n    location /hls/ {\n        secure_link $arg_md5,$arg_expires;\n        secure_link_md5 \"$secure_link_expires$uri secret\";\n        if ($secure_link = \"\") { return 403; }\n        proxy_pass http://packager;\n    }\n}\n";

    #[test]
    fn html_served_with_a_year_long_immutable_cache_is_found_hashed_assets_are_not() {
        use crate::risk::testkit::rules_hit_with_contents;
        let rule = "cache-entry-document-forever".to_string();
        let old = "server {\n    location /assets/ {\n        add_header Cache-Control \"public, max-age=31536000, immutable\";\n    }\n    location = /index.html {\n        add_header Cache-Control \"no-cache\";\n    }\n}\n";
        let widened = "server {\n    location ~* \\.(?:html|js|css|png)$ {\n        add_header Cache-Control \"public, max-age=31536000, immutable\";\n    }\n}\n";
        assert!(rules_hit_with_contents("deploy/nginx/app.conf", old, widened).contains(&rule));
        let assets = "server {\n    location ~* \\.(?:js|css|png|woff2)$ {\n        add_header Cache-Control \"public, max-age=31536000, immutable\";\n    }\n    location = /index.html {\n        add_header Cache-Control \"no-cache\";\n    }\n}\n";
        assert!(!rules_hit_with_contents("deploy/nginx/app.conf", old, assets).contains(&rule));
    }

    #[test]
    fn a_regex_location_that_takes_requests_from_a_checked_prefix_is_found() {
        let cached = CONF.replace(
            "    }\n}\n",
            "    }\n\n    location ~* ^/hls/.+\\.(ts|m4s)$ {\n        proxy_cache hls;\n        proxy_pass http://packager;\n    }\n}\n",
        );
        let hit = rules_hit_with_contents("deploy/nginx/conf.d/edge.conf", CONF, &cached);
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
    }

    #[test]
    fn a_regex_location_that_checks_the_same_or_serves_elsewhere_is_not() {
        let checked = CONF.replace(
            "    }\n}\n",
            "    }\n\n    location ~* ^/hls/.+\\.ts$ {\n        secure_link $arg_md5,$arg_expires;\n        secure_link_md5 \"$secure_link_expires$uri secret\";\n        if ($secure_link = \"\") { return 403; }\n        proxy_cache hls;\n    }\n}\n",
        );
        let hit = rules_hit_with_contents("deploy/nginx/conf.d/edge.conf", CONF, &checked);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
        let elsewhere = CONF.replace(
            "    }\n}\n",
            "    }\n\n    location ~* ^/static/.+\\.css$ {\n        expires 1d;\n    }\n}\n",
        );
        let hit = rules_hit_with_contents("deploy/nginx/conf.d/edge.conf", CONF, &elsewhere);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
        // A `^~` prefix wins over regexes: nothing is taken from it.
        let pinned = CONF.replace("location /hls/ {", "location ^~ /hls/ {");
        let cached = pinned.replace(
            "    }\n}\n",
            "    }\n\n    location ~* ^/hls/.+\\.ts$ {\n        proxy_cache hls;\n    }\n}\n",
        );
        let hit = rules_hit_with_contents("deploy/nginx/conf.d/edge.conf", &pinned, &cached);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
    }

    #[test]
    fn the_literal_start_of_a_regex_is_read() {
        assert_eq!(
            super::literal_start("^/hls/.+\\.ts$").as_deref(),
            Some("/hls/")
        );
        assert_eq!(
            super::literal_start("^/api/v1?/x").as_deref(),
            Some("/api/v")
        );
        assert_eq!(super::literal_start("\\.php$"), None);
    }

    #[test]
    fn an_unanchored_regex_takes_from_every_prefix() {
        let php = CONF.replace(
            "    }\n}\n",
            "    }\n\n    location ~ \\.m3u8$ {\n        add_header Cache-Control no-cache;\n    }\n}\n",
        );
        let hit = rules_hit_with_contents("deploy/nginx/conf.d/edge.conf", CONF, &php);
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
    }
}
