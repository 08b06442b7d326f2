//! A client's address taken from the first entry of `X-Forwarded-For`.
//! The client writes that entry itself (each proxy only appends the
//! address it saw), so whatever trusts the address — a rate limit, a
//! login throttle, an IP allow-list — can be walked around by sending the
//! header. The entry the nearest trusted proxy appended is the last one.

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
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs || f.class.infra || f.class.ci {
        return;
    }
    let text = f.new_text_or_hunks();
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
