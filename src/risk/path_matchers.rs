//! A path pattern that guarded a tree of routes made to guard one level of
//! it: Spring's `/api/admin/**` written `/api/admin/*` (and Ant-style
//! matchers elsewhere) matches `/api/admin/users` but not
//! `/api/admin/users/42/roles`, which falls through to the next, looser rule
//! (`/api/**` authenticated): any signed-in user reaches the nested admin
//! routes.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use super::{ChangeView, FileView, Finding, Severity, quote};

/// A quoted path pattern ending in `/**` or `/*`.
static PATTERN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"["'](/[\w/{}.-]*?)/(\*\*?)["']"#).unwrap());

/// Reports a path pattern the change writes with `/*` where the change
/// removes the same prefix with `/**`.
pub fn check(f: &FileView<'_>, change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    // Ant-style matchers are Spring's (Java, Kotlin); a servlet's URL
    // pattern (`addUrlPatterns("/api/*")`, `<url-pattern>`, `@WebFilter`)
    // and Express's `/*` match the whole tree.
    let spring = [".java", ".kt"].iter().any(|e| f.path.ends_with(e));
    if !f.class.production() || f.class.docs || !spring {
        return;
    }
    static SERVLET: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(url_?patterns?|@Web(Filter|Servlet)|addMapping|servlet)").unwrap()
    });
    let Some(l) = f.added_code().find(|l| {
        !SERVLET.is_match(l.text)
            && PATTERN
                .captures_iter(l.text)
                .any(|c| &c[2] == "*" && !c[1].is_empty())
    }) else {
        return;
    };
    let deep: HashSet<String> = change
        .files
        .iter()
        .flat_map(|g| g.removed_code())
        .flat_map(|r| PATTERN.captures_iter(r.text))
        .filter(|c| &c[2] == "**")
        .map(|c| c[1].to_string())
        .collect();
    if deep.is_empty() {
        return;
    }
    // The same prefix still written with `/**` on the new side: kept.
    let still_deep = |p: &str| {
        change
            .files
            .iter()
            .flat_map(|g| g.added_code())
            .any(|a| a.text.contains(&format!("{p}/**")))
    };
    for c in PATTERN.captures_iter(l.text) {
        let prefix = &c[1];
        if &c[2] != "*" || !deep.contains(prefix) || still_deep(prefix) {
            continue;
        }
        out.push(Finding::added(
            "path-matcher-narrowed",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "`{}/*` matches one level under `{}` where `{}/**` matched the whole tree: nested paths (`{}/users/42/roles`) fall through to the next, looser rule.",
                quote(prefix),
                quote(prefix),
                quote(prefix),
                quote(prefix)
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::findings_of_change;

    const CONFIG: &str = "http.authorizeHttpRequests(auth -> auth\n    .requestMatchers(\"/api/admin/**\").hasRole(\"ADMIN\")\n    .requestMatchers(\"/api/**\").authenticated());\n";

    fn narrowed(paths: &str) -> bool {
        let new = CONFIG.replace("\"/api/admin/**\"", "SecurityPaths.ADMIN");
        findings_of_change(
            &[
                (
                    "src/main/java/acme/SecurityConfig.java",
                    Some(CONFIG),
                    Some(&new),
                ),
                ("src/main/java/acme/SecurityPaths.java", None, Some(paths)),
            ],
            None,
        )
        .iter()
        .any(|f| f.rule == "path-matcher-narrowed")
    }

    #[test]
    fn a_tree_pattern_made_one_level_is_found() {
        assert!(narrowed(
            "public final class SecurityPaths {\n    public static final String ADMIN = \"/api/admin/*\";\n}\n"
        ));
        assert!(!narrowed(
            "public final class SecurityPaths {\n    public static final String ADMIN = \"/api/admin/**\";\n}\n"
        ));
    }
}
