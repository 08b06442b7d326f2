//! An existing handler that gains a way out of a check the framework makes
//! by default: Nextcloud's `#[NoAdminRequired]`, `#[PublicPage]`,
//! `#[NoCSRFRequired]`, ASP.NET's `[AllowAnonymous]`, Jakarta's
//! `@PermitAll`, Django's `@csrf_exempt` and `@login_not_required`. A
//! migration from docblock annotations to attributes (or a copy-paste of
//! a neighbour's) that adds one to a method that did not have it opens
//! that method to every user, or to cross-site requests.

use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// Opt-outs, by the name written after `@`, `#[` or `[`.
const OPT_OUTS: &[&str] = &[
    "NoAdminRequired",
    "PublicPage",
    "NoCSRFRequired",
    "NoTwoFactorRequired",
    "AllowAnonymous",
    "PermitAll",
    "AnonymousAllowed",
    "IgnoreAntiforgeryToken",
    "csrf_exempt",
    "login_not_required",
    "SkipAuth",
    "NoAuth",
];

static METHOD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bfunction\s+(\w+)\s*\(|^\s*(?:async\s+)?def\s+(\w+)\s*\(|^\s*(?:public|private|protected|internal)\b[^=;(]*\s(\w+)\s*\(").unwrap()
});
/// Handlers anyone must reach: signing in, resetting a password, an
/// identity provider's metadata, a probe, a callback.
static PUBLIC_BY_NATURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(login|logout|sign_?in|sign_?up|register|forgot|reset|password|metadata|health|status|ping|callback|webhook|oauth|saml|\.?well_?known|unsubscribe|confirm|verify|public|landing|index)").unwrap()
});
static ANNOTATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:@|#\[|\[)\s*\\?(?:[\w\\]*\\)?(\w+)").unwrap());

/// Each method's opt-outs and the line (1-based) of its declaration.
fn opt_outs(text: &str) -> HashMap<String, (BTreeSet<&'static str>, u32)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = HashMap::new();
    for (i, t) in lines.iter().enumerate() {
        let Some(c) = METHOD.captures(t) else {
            continue;
        };
        let name = c
            .get(1)
            .or(c.get(2))
            .or(c.get(3))
            .map_or("", |m| m.as_str());
        let mut found = BTreeSet::new();
        for above in lines[..i].iter().rev() {
            let a = above.trim();
            let annotation = a.starts_with("#[")
                || a.starts_with('@')
                || a.starts_with('*')
                || a.starts_with("/**")
                || a.starts_with("///")
                || a.starts_with('[') && a.ends_with(']');
            if !annotation {
                break;
            }
            for m in ANNOTATION.captures_iter(a) {
                if let Some(o) = OPT_OUTS.iter().find(|o| **o == &m[1]) {
                    found.insert(*o);
                }
            }
        }
        out.entry(name.to_string()).or_insert((found, i as u32 + 1));
    }
    out
}

/// Reports an existing method that gains an opt-out.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs || f.class.vendored {
        return;
    }
    let (Some(old), Some(new)) = (f.old_text(), f.new_text()) else {
        return;
    };
    if !OPT_OUTS.iter().any(|o| new.contains(o)) {
        return;
    }
    let before = opt_outs(old);
    let mut after: Vec<(String, (BTreeSet<&str>, u32))> = opt_outs(new).into_iter().collect();
    after.sort_by_key(|(_, (_, line))| *line);
    for (name, (now, line)) in after {
        let Some((was, _)) = before.get(&name) else {
            continue;
        };
        let gained: Vec<&str> = now.difference(was).copied().collect();
        if gained.is_empty() {
            continue;
        }
        // Opened on purpose, most likely: worth a look, not an alarm.
        let public = PUBLIC_BY_NATURE.is_match(&name);
        out.push(Finding::added(
            "access-opt-out-added",
            if public { Severity::Medium } else { Severity::High },
            f.path,
            Some(line),
            format!(
                "`{}` now carries `{}`, which it did not before: the check the framework makes on every other handler (an admin, a signed-in user, a CSRF token) is skipped for it.",
                quote(&name),
                gained.join("`, `")
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents as rules;

    const OLD: &str = "<?php\nclass ConfigController extends Controller {\n    /**\n     * @NoAdminRequired\n     */\n    public function getAppConfig(): DataResponse {\n        return new DataResponse($this->config->all());\n    }\n\n    public function setAppConfig(array $values): DataResponse {\n        $this->config->set($values);\n        return new DataResponse([]);\n    }\n}\n";

    #[test]
    fn an_admin_only_method_given_no_admin_required_is_found() {
        let new = OLD
            .replace(
                "    /**\n     * @NoAdminRequired\n     */\n",
                "    #[NoAdminRequired]\n",
            )
            .replace(
                "    public function setAppConfig",
                "    #[NoAdminRequired]\n    public function setAppConfig",
            );
        assert!(
            rules("lib/Controller/ConfigController.php", OLD, &new)
                .contains(&"access-opt-out-added".to_string())
        );
    }

    #[test]
    fn docblocks_moved_to_attributes_as_they_were_are_not() {
        let new = OLD.replace(
            "    /**\n     * @NoAdminRequired\n     */\n",
            "    #[NoAdminRequired]\n",
        );
        assert!(
            !rules("lib/Controller/ConfigController.php", OLD, &new)
                .contains(&"access-opt-out-added".to_string())
        );
    }
}
