//! A client's address taken from the first entry of `X-Forwarded-For`.
//! The client writes that entry itself (each proxy only appends the
//! address it saw), so whatever trusts the address — a rate limit, a
//! login throttle, an IP allow-list — can be walked around by sending the
//! header. The entry the nearest trusted proxy appended is the last one.
//! The same goes for the host a client says it asked for
//! (`X-Forwarded-Host`): links built from it (a password reset, a cached
//! page's absolute URLs) point wherever the client wants.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

static FORWARDED_FOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(x[-_]forwarded[-_]for|forwarded_for|HTTP_X_FORWARDED_FOR)").unwrap()
});
/// The first element of a comma split.
static FIRST_ENTRY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)split\s*\(\s*(?:\w+\s*,\s*)?["'],\s*["']\s*(?:,\s*1\s*)?\)\s*(\[\s*0\s*\]|\.next\(\)|\.first\(\)|\.shift\(\)|\.get\(0\)|\[0\]|\.nth\(0\))|\bSplitN?\s*\([^)]*,\s*","[^)]*\)\s*\[\s*0\s*\]"#).unwrap()
});
/// What would trust the address.
static TRUSTS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(rate_?limit|ratelimit|limiter|throttl|allow_?list|allowlist|whitelist|deny|block|\bban|brute|login|trusted|ip_?filter|acl\b)").unwrap()
});

/// Client-address rules for one file.
/// Absolute URLs built from the forwarded host, with no allow-list of hosts.
fn forwarded_host_in_links(f: &FileView<'_>, text: &str, out: &mut Vec<Finding>) {
    static FORWARDED_HOST: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(x[-_]forwarded[-_]host|forwarded_host|HTTP_X_FORWARDED_HOST)").unwrap()
    });
    static ABSOLUTE_URL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(https?://\$\{|https?://\{|https?://#\{|["'`]https?://["'`]\s*\+|%s://|\.origin\b|absolute_?ur[li]|build_absolute_uri|_external\s*=\s*True)"#).unwrap()
    });
    static HOST_ALLOW_LIST: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(allowed_?hosts|trusted_?hosts|allowedHosts|trustedHosts|host_?allow_?list|valid_?hosts)").unwrap()
    });
    let Some(l) = f.added_code().find(|l| FORWARDED_HOST.is_match(l.text)) else {
        return;
    };
    let builds_links = f.added_code().any(|a| ABSOLUTE_URL.is_match(a.text));
    if !builds_links || HOST_ALLOW_LIST.is_match(text) {
        return;
    }
    out.push(Finding::added(
        "client-address-spoofable",
        Severity::High,
        f.path,
        Some(l.no),
        format!(
            "Builds absolute URLs from `X-Forwarded-Host` ({}), which any client can send: links in pages, emails and cached responses can be made to point at another site.",
            quote(l.text.trim())
        ),
    ));
}

pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs || f.class.infra || f.class.ci {
        return;
    }
    let text = f.new_text_or_hunks();
    forwarded_host_in_links(f, &text, out);
    if !FORWARDED_FOR.is_match(&text) {
        return;
    }
    let lines: Vec<&str> = text.lines().collect();
    for l in f.added_code() {
        if !FORWARDED_FOR.is_match(l.text) {
            continue;
        }
        let at = (l.no as usize).saturating_sub(1);
        let window = lines[at.min(lines.len())..(at + 5).min(lines.len())].join(" ");
        if !FIRST_ENTRY.is_match(&window) {
            continue;
        }
        let trusted = TRUSTS.is_match(&text);
        out.push(Finding::added(
            "client-ip-spoofable",
            if trusted { Severity::High } else { Severity::Medium },
            f.path,
            Some(l.no),
            format!(
                "Takes the client's address from the first entry of X-Forwarded-For ({}), which the client writes itself: {}. The entry your own proxy added is the last one.",
                quote(l.text.trim()),
                if trusted {
                    "whatever limits or allows by address here can be walked around by sending the header"
                } else {
                    "anything that trusts this address can be told any address"
                }
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents;

    #[test]
    fn links_built_from_the_forwarded_host_are_found_unless_hosts_are_allow_listed() {
        use crate::risk::testkit::rules_hit_with_contents;
        let rule = "client-address-spoofable".to_string();
        let old = "export default {\n  async fetch(request) {\n    const url = new URL(request.url);\n    const origin = `https://${url.host}`;\n    return render(origin);\n  },\n};\n";
        let new = "function publicHost(request, url) {\n  const forwarded = request.headers.get(\"X-Forwarded-Host\");\n  return forwarded || url.host;\n}\n\nexport default {\n  async fetch(request) {\n    const url = new URL(request.url);\n    const origin = `https://${publicHost(request, url)}`;\n    return render(origin);\n  },\n};\n";
        assert!(rules_hit_with_contents("src/worker.ts", old, new).contains(&rule));
        let checked = new.replace(
            "  return forwarded || url.host;",
            "  return ALLOWED_HOSTS.includes(forwarded) ? forwarded : url.host;",
        );
        assert!(!rules_hit_with_contents("src/worker.ts", old, &checked).contains(&rule));
    }

    #[test]
    fn the_first_forwarded_entry_trusted_by_a_limiter_is_found() {
        let rule = "client-ip-spoofable".to_string();
        let old = "def limit_key(request):\n    return request.remote_addr\n\nlimiter = Limiter(key_func=limit_key)\n";
        let new = "def limit_key(request):\n    return request.headers.get(\"X-Forwarded-For\", request.remote_addr).split(\",\")[0].strip()\n\nlimiter = Limiter(key_func=limit_key)\n";
        assert!(rules_hit_with_contents("app/limits.py", old, new).contains(&rule));
        let rust = "fn client_ip(h: &HeaderMap) -> Option<IpAddr> {\n    h.get(\"x-forwarded-for\")\n        .and_then(|v| v.to_str().ok())\n        .and_then(|v| v.split(',').next())\n        .and_then(|ip| ip.trim().parse().ok())\n}\n// used by the rate limiter\n";
        assert!(rules_hit_with_contents("src/ratelimit.rs", "", rust).contains(&rule));
    }

    #[test]
    fn the_last_entry_or_the_socket_address_is_not_this() {
        let rule = "client-ip-spoofable".to_string();
        let old = "def limit_key(request):\n    return request.remote_addr\n\nlimiter = Limiter(key_func=limit_key)\n";
        let last = "def limit_key(request):\n    return request.headers.get(\"X-Forwarded-For\", \"\").split(\",\")[-1].strip()\n\nlimiter = Limiter(key_func=limit_key)\n";
        assert!(!rules_hit_with_contents("app/limits.py", old, last).contains(&rule));
    }
}
