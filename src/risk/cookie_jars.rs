//! A cookie that says who the visitor is, read through the signed or
//! encrypted jar before the change and through the plain one after
//! (`cookies.encrypted[:remember_user_id]` → `cookies[REMEMBER_COOKIE]`,
//! `req.signedCookies.uid` → `req.cookies.uid`): the client writes plain
//! cookies, so it can now claim to be anyone.

use std::sync::LazyLock;

use regex::Regex;

use super::{ChangeView, Finding, Severity, quote};

/// Access through a jar the server signs or encrypts.
static SIGNED_JAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(cookies\.(encrypted|signed)\b|\bsignedCookies\b|get_signed_cookie\s*\(|set_signed_cookie\s*\(|\bsigned\s*:\s*true\b|SignedCookie|EncryptedCookie|cookie_jar\.(signed|private)|\.signed\(|\.private\()")
        .unwrap()
});
/// Access through the plain jar.
static PLAIN_JAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(\bcookies(\.permanent)?\s*\[|\breq\.cookies\b|\brequest\.COOKIES\b|\brequest\.cookies\.get\s*\(|\bset_cookie\s*\(|\bres\.cookie\s*\(|\bcookies\(\)\.get\s*\(|\bCookies\[)"#).unwrap()
});
/// What the cookie holds: who the visitor is.
static IDENTITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(user|account|member|customer|admin|remember|login|auth|session|uid|principal|identity)").unwrap()
});

/// Reports the first plain-jar access the change adds where it removes
/// signed access to a cookie that identifies the visitor and writes none.
pub fn check_change(change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    let code = || {
        change
            .files
            .iter()
            .filter(|f| !(f.class.test_like() || f.class.docs || f.class.vendored))
    };
    let signed_identity_gone = code().any(|f| {
        f.removed_code()
            .any(|l| SIGNED_JAR.is_match(l.text) && IDENTITY.is_match(l.text))
    });
    if !signed_identity_gone || code().any(|f| f.added_code().any(|l| SIGNED_JAR.is_match(l.text)))
    {
        return;
    }
    let plain = code().find_map(|f| {
        f.added_code()
            .find(|l| PLAIN_JAR.is_match(l.text))
            .map(|l| (f, l))
    });
    if let Some((f, l)) = plain {
        out.push(Finding::added(
            "cookie-signing-dropped",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "Reads or writes the visitor's identity in a plain cookie (`{}`) where the change drops the signed or encrypted one: the client sets plain cookies as it likes, so it can claim any account.",
                quote(l.text.trim())
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::findings_of_change;

    fn found(old: &str, new: &str) -> bool {
        findings_of_change(
            &[(
                "app/controllers/application_controller.rb",
                Some(old),
                Some(new),
            )],
            Some("Extract remember-me handling"),
        )
        .iter()
        .any(|f| f.rule == "cookie-signing-dropped")
    }

    #[test]
    fn an_identity_cookie_moved_to_the_plain_jar_is_found() {
        let old = "  def user_from_cookie\n    id = cookies.encrypted[:remember_user_id]\n    User.find_by(id: id)\n  end\n";
        let new = "  def user_from_cookie\n    id = cookies[:remember_user_id]\n    User.find_by(id: id)\n  end\n";
        assert!(found(old, new));
        // Still signed under another spelling, or a cookie that names nobody.
        assert!(!found(old, &new.replace("cookies[", "cookies.signed[")));
        let theme = "  def theme\n    cookies.signed[:theme] || 'light'\n  end\n";
        assert!(!found(theme, &theme.replace("cookies.signed[", "cookies[")));
    }

    #[test]
    fn express_signed_cookies_given_up_are_found() {
        let old = "app.use((req, res, next) => {\n  req.userId = req.signedCookies.uid;\n  next();\n});\n";
        let new =
            "app.use((req, res, next) => {\n  req.userId = req.cookies.uid;\n  next();\n});\n";
        let hit = findings_of_change(&[("src/server.js", Some(old), Some(new))], None);
        assert!(
            hit.iter().any(|f| f.rule == "cookie-signing-dropped"),
            "{hit:?}"
        );
    }
}
