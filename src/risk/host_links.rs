//! Mailed links built through a helper that reads the request's host. The
//! pattern rule `link-from-request-host` sees `request.base_url` and
//! `/reset-password?token=` on one line; a refactor that moves the host into
//! `_public_url(request, path)` splits them, and each line alone is
//! innocent. The Host header is the client's to choose, so a reset link
//! mailed to a victim points at the attacker's host with the token in it.

use std::sync::LazyLock;

use regex::Regex;

use super::{ChangeView, FileView, Finding, Severity, quote};

/// Reading the host the client sent.
static REQUEST_HOST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(getSchemeAndHttpHost\(\)|getHttpHost\(\)|\bhost_url\b|\burl_root\b|request\.base_url|headers\.host\b|headers\[\s*['"]host['"]\s*\]|\.get\(\s*['"]host['"]\s*\)|\breq\.hostname\b|\bRequest\.Host\b|\br\.Host\b|\brequest\.host\b|req\.get\(\s*['"]host['"]\s*\)|\breq\.protocol\b)"#).unwrap()
});
/// A function definition and its name.
static DEFINES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:(?:export|public|private|protected|static|async)\s+)*(?:def|function|func|fn)\s+(\w+)\s*\(|^\s*(?:export\s+)?(?:const|let)\s+(\w+)\s*=\s*(?:async\s*)?\(").unwrap()
});
/// What a link in a mail carries.
static MAILED_LINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(reset|password|verif|confirm|invit|magic|activat|unsubscribe|token=)")
        .unwrap()
});

/// Calls, on lines the change adds, to a helper of the change (in this file
/// or another it touches, `lib/origin.js`) that builds a URL from the
/// request's host, with a path a mailed link has.
pub fn check(f: &FileView<'_>, change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    if !f.class.production() {
        return;
    }
    // Only a change that writes a mailed link's path in a call can have one.
    if !f
        .added_code()
        .any(|l| l.text.contains('(') && MAILED_LINK.is_match(l.text))
    {
        return;
    }
    // Each helper that reads the host, with the pattern of a call to it.
    let mut helpers: Vec<(String, Regex)> = Vec::new();
    for g in change.files.iter().filter(|g| g.class.production()) {
        let Some(new) = g.new_text() else { continue };
        if !REQUEST_HOST.is_match(new) {
            continue;
        }
        let lines: Vec<&str> = new.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            let Some(c) = DEFINES.captures(l) else {
                continue;
            };
            let name = c.get(1).or(c.get(2)).map_or("", |m| m.as_str());
            let own = l.len() - l.trim_start().len();
            let body = lines[i + 1..]
                .iter()
                .take_while(|b| {
                    b.trim().is_empty() || b.len() - b.trim_start().len() > own || b.trim() == "}"
                })
                .take(8);
            if (REQUEST_HOST.is_match(l) || body.clone().any(|b| REQUEST_HOST.is_match(b)))
                && let Ok(call) = Regex::new(&format!(r"\b{}\s*\(", regex::escape(name)))
            {
                helpers.push((name.to_string(), call));
            }
        }
    }
    if helpers.is_empty() {
        return;
    }
    for l in f.added_code() {
        if DEFINES.is_match(l.text) || !MAILED_LINK.is_match(l.text) {
            continue;
        }
        let Some((h, _)) = helpers.iter().find(|(_, call)| call.is_match(l.text)) else {
            continue;
        };
        out.push(Finding::added(
            "link-from-request-host",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "Builds a mailed link through `{}`, which takes the host from the request (`{}`): the client chooses that header, so the link can point at an attacker's host with the token in it. Use the configured public URL.",
                quote(h),
                quote(l.text.trim())
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents as rules;

    #[test]
    fn a_reset_link_built_by_a_helper_that_reads_the_host_is_found() {
        let rule = "link-from-request-host".to_string();
        let old = "async def forgot(request: Request, email: str):\n    token = make_token(email)\n    link = f\"{settings.public_base_url}/reset-password?token={token}\"\n    await send_reset(email, link)\n";
        let new = "def _public_url(request: Request, path: str) -> str:\n    return f\"{str(request.base_url).rstrip('/')}{path}\"\n\n\nasync def forgot(request: Request, email: str):\n    token = make_token(email)\n    link = _public_url(request, f\"/reset-password?token={token}\")\n    await send_reset(email, link)\n";
        assert!(rules("app/routes/auth.py", old, new).contains(&rule));
        // A helper that uses the configured URL.
        let configured = new.replace("str(request.base_url)", "settings.public_base_url");
        assert!(!rules("app/routes/auth.py", old, &configured).contains(&rule));
    }
}
