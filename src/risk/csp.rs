//! A Content Security Policy that stops protecting. Its worth is in what
//! `script-src` (or `default-src`, `object-src`, `base-uri`) leaves out:
//! adding `'unsafe-inline'` or `'unsafe-eval'`, or a bare source like `https:`,
//! `data:` or `*` that every site on the web matches, voids the policy's
//! protection against injected script — often as one item of a list moved
//! into a helper, where nobody reads it as a policy change.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// A source that lets script in from anywhere, or inline.
static LOOSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)('unsafe-inline'|'unsafe-eval'|'unsafe-hashes'|(?:^|[\s'"`\[,])(\*|https?:|data:|blob:)(?:[\s'"`;,\]]|$))"#).expect("a valid regex")
});
/// A wildcard host source (`https://*.cloudfront.net`, `*.herokuapp.com`).
static WILD_HOST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:https?://)?\*\.([a-z0-9-]+(?:\.[a-z0-9-]+)+)").expect("a valid regex")
});

/// The source on a line that lets script in from anywhere: a keyword or
/// bare scheme, or a wildcard under a hosting provider's shared domain,
/// where anyone can get a name of their own and serve script from it.
fn loose_source(line: &str) -> Option<regex::Match<'_>> {
    if let Some(m) = LOOSE.captures(line) {
        return m.get(2).or(m.get(1));
    }
    WILD_HOST
        .captures_iter(line)
        .find(|c| super::host_match::shared_hosting(&c[1]))
        .and_then(|c| c.get(0))
}

/// The directive (or the name of a list standing for one) a source belongs to.
static DIRECTIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(script|default|object|base[-_]?uri|worker|frame[-_]?ancestors|form[-_]?action|style|img|image|font|media|connect|manifest|prefetch|frame[-_]?src|child)").expect("a valid regex")
});
/// A source added under a development-only condition.
static DEV_ONLY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\b(is_?)?(dev|development|local|test)\w*\s*(\?|&&)|NODE_ENV\s*[!=]==?\s*['\x22](development|test)['\x22]\s*(\?|&&))").expect("a valid regex")
});
/// A file that writes a policy.
static POLICY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(content[-_]security[-_]policy|contentSecurityPolicy|script[-_]src|scriptSrc|default[-_]src|defaultSrc)").expect("a valid regex")
});

/// Whether the directive named nearest before `at` in `lines[..=i]` guards
/// script (or everything, for `default-src`).
fn guards_script(lines: &[&str], i: usize, at: usize) -> bool {
    let own = &lines[i][..at];
    let found = DIRECTIVE.find_iter(own).last().or_else(|| {
        (i.saturating_sub(15)..i)
            .rev()
            .find_map(|j| DIRECTIVE.find_iter(lines[j]).last())
    });
    found.is_some_and(|m| {
        let w = m.as_str().to_ascii_lowercase();
        [
            "script", "default", "object", "base", "worker", "frame-a", "frame_a", "framea", "form",
        ]
        .iter()
        .any(|p| w.starts_with(p))
    })
}

/// A policy that was enforced now only reported: the header renamed to
/// `Content-Security-Policy-Report-Only` (or the meta tag, or a helmet
/// `reportOnly: true`), with no enforcing policy left in the file. Browsers
/// run every script the policy would have blocked, and send a report.
fn report_only(f: &FileView<'_>, out: &mut Vec<Finding>) {
    static ENFORCING: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)content-security-policy\b(?:[^-]|$)").unwrap());
    static REPORTING: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(content-security-policy-report-only|reportOnly\s*:\s*true|report_only\s*=\s*True)").unwrap()
    });
    let enforcing = |t: &str| ENFORCING.is_match(t) && !REPORTING.is_match(t);
    let (Some(old), Some(new)) = (f.old_text(), f.new_text()) else {
        return;
    };
    if !old.lines().any(enforcing) || new.lines().any(enforcing) {
        return;
    }
    if let Some(l) = f.added.iter().find(|l| REPORTING.is_match(l.text)) {
        out.push(Finding::added(
            "csp-report-only",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "The Content Security Policy is only reported now ({}), no longer enforced: browsers run every script it would have blocked.",
                quote(l.text.trim())
            ),
        ));
    }
}

/// Whether line `no` (1-based) sits in a branch taken only in development:
/// `if (isDev) {`, `if process.env.NODE_ENV === "development":`, the flag
/// itself defined by an exact comparison with a development name (an unset
/// environment is then not development).
fn in_development_branch(lines: &[&str], no: u32, text: &str) -> bool {
    static OPENER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*(?:\}\s*)?(?:else\s+)?if\s*\(?\s*(.+?)\s*\)?\s*(?:\{|:|then)?\s*$")
            .expect("a valid regex")
    });
    static DEV_NAME: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^(?:self\.|this\.|config\.|settings\.)?(?:is_?|in_?)?(?:dev|development|local)(?:_?mode|_?env)?$")
            .expect("a valid regex")
    });
    static DEV_TEST: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)^[\w.\[\]'"]*(?:node_env|env|environment|mode)\w*['"\]]*\s*===?\s*['"](?:development|dev|local)['"]$"#)
            .expect("a valid regex")
    });
    let at = (no as usize).saturating_sub(1);
    let Some(own) = lines.get(at) else {
        return false;
    };
    let indent = |l: &str| l.len() - l.trim_start().len();
    let Some(opener) = lines[..at]
        .iter()
        .rev()
        .filter(|l| !l.trim().is_empty())
        .find(|l| indent(l) < indent(own))
    else {
        return false;
    };
    let Some(cond) = OPENER.captures(opener).map(|c| c[1].trim().to_string()) else {
        return false;
    };
    if DEV_TEST.is_match(&cond) {
        return true;
    }
    if !DEV_NAME.is_match(&cond) {
        return false;
    }
    // The flag as the file defines it, when it does.
    let name = cond.rsplit('.').next().unwrap_or(&cond);
    let Ok(def) = Regex::new(&format!(r"\b{}\s*=\s*([^;\n]+)", regex::escape(name))) else {
        return false;
    };
    match def.captures(text) {
        Some(c) => DEV_TEST.is_match(c[1].trim()),
        None => true,
    }
}

/// Loosened script sources in a policy the change writes, and a policy no
/// longer enforced.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !f.class.production() || f.class.ci {
        return;
    }
    report_only(f, out);
    let text = f.new_text_or_hunks();
    if !POLICY.is_match(&text) {
        return;
    }
    let lines: Vec<&str> = text.lines().collect();
    for l in f.added_code() {
        let Some(token) = loose_source(l.text) else {
            continue;
        };
        // Only for development (`isDev ? " 'unsafe-eval'" : ""`), on the
        // line or in the branch around it (`if (isDev) { src.push(…) }`).
        if DEV_ONLY.is_match(l.text) || in_development_branch(&lines, l.no, &text) {
            continue;
        }
        let source = token.as_str();
        // There before, on a line the change only rewrote.
        if f.removed
            .iter()
            .any(|r| loose_source(r.text).is_some_and(|t| t.as_str() == source))
        {
            continue;
        }
        let i = (l.no as usize).saturating_sub(1);
        if lines.get(i).is_none_or(|t| t.trim() != l.text.trim())
            || !guards_script(&lines, i, token.start())
        {
            continue;
        }
        out.push(Finding::added(
            "csp-script-sources-loosened",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "Lets script in through the Content Security Policy (`{source}` in `{}`): injected script runs again, which is what the policy was there to stop.",
                quote(l.text.trim())
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents;

    const RULE: &str = "csp-script-sources-loosened";

    #[test]
    fn a_wildcard_on_a_shared_hosting_domain_is_found_and_one_on_your_own_is_not() {
        let old = "Rails.application.config.content_security_policy do |policy|\n  policy.script_src :self, \"https://d1q9v7ktx3m2ab.cloudfront.net\"\nend\n";
        let shared = old.replace("d1q9v7ktx3m2ab.cloudfront.net", "*.cloudfront.net");
        let hit = rules_hit_with_contents(
            "config/initializers/content_security_policy.rb",
            old,
            &shared,
        );
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
        let own = old.replace("d1q9v7ktx3m2ab.cloudfront.net", "*.cdn.acme.com");
        let hit =
            rules_hit_with_contents("config/initializers/content_security_policy.rb", old, &own);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
    }

    #[test]
    fn a_bare_scheme_in_a_script_source_list_is_found() {
        let hit = rules_hit_with_contents(
            "next.config.js",
            "const csp = [\n  \"default-src 'self'\",\n  \"script-src 'self' https://js.stripe.com\",\n].join('; ');\nmodule.exports = { headers: [{ key: 'Content-Security-Policy', value: csp }] };\n",
            "const scriptSources = [\n  \"'self'\",\n  'https://js.stripe.com',\n  'https:',\n];\nconst csp = [\n  \"default-src 'self'\",\n  `script-src ${scriptSources.join(' ')}`,\n].join('; ');\nmodule.exports = { headers: [{ key: 'Content-Security-Policy', value: csp }] };\n",
        );
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
    }

    #[test]
    fn a_source_only_for_development_is_not() {
        let hit = rules_hit_with_contents(
            "next.config.js",
            "const isDev = process.env.NODE_ENV !== 'production';\nconst csp = [\n  \"script-src 'self'\",\n].join('; ');\nmodule.exports = { csp };\n",
            "const isDev = process.env.NODE_ENV !== 'production';\nconst csp = [\n  `script-src 'self'${isDev ? \" 'unsafe-eval'\" : ''}`,\n].join('; ');\nmodule.exports = { csp };\n",
        );
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
    }

    #[test]
    fn a_source_pushed_in_a_development_branch_is_not_one_pushed_unless_production_is() {
        let old = "const helmet = require('helmet');\nconst isDev = process.env.NODE_ENV === 'development';\nfunction directives() {\n  const scriptSrc = [\"'self'\"];\n  return { scriptSrc };\n}\nmodule.exports = helmet({ contentSecurityPolicy: { directives: directives() } });\n";
        let new = old.replace(
            "  return { scriptSrc };",
            "  if (isDev) {\n    scriptSrc.push(\"'unsafe-eval'\");\n  }\n  return { scriptSrc };",
        );
        let hit = rules_hit_with_contents("server/middleware/securityHeaders.js", old, &new);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
        // Anything but production includes an unset NODE_ENV.
        let loose = |t: &str| t.replace("=== 'development'", "!== 'production'");
        let hit = rules_hit_with_contents(
            "server/middleware/securityHeaders.js",
            &loose(old),
            &loose(&new),
        );
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
    }

    #[test]
    fn unsafe_eval_in_helmet_is_found_and_unsafe_inline_styles_are_not() {
        let hit = rules_hit_with_contents(
            "src/server/security.ts",
            "app.use(helmet({ contentSecurityPolicy: { directives: {\n  scriptSrc: [\"'self'\"],\n  styleSrc: [\"'self'\"],\n} } }));\n",
            "app.use(helmet({ contentSecurityPolicy: { directives: {\n  scriptSrc: [\"'self'\", \"'unsafe-eval'\"],\n  styleSrc: [\"'self'\"],\n} } }));\n",
        );
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
        let hit = rules_hit_with_contents(
            "src/server/security.ts",
            "app.use(helmet({ contentSecurityPolicy: { directives: {\n  scriptSrc: [\"'self'\"],\n  styleSrc: [\"'self'\"],\n} } }));\n",
            "app.use(helmet({ contentSecurityPolicy: { directives: {\n  scriptSrc: [\"'self'\"],\n  styleSrc: [\"'self'\", \"'unsafe-inline'\"],\n  imgSrc: [\"'self'\", 'data:'],\n} } }));\n",
        );
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
    }
}

#[cfg(test)]
mod report_only_tests {
    use crate::risk::testkit::rules_hit_with_contents;

    #[test]
    fn an_enforced_policy_made_report_only_is_found() {
        let rule = "csp-report-only".to_string();
        let old = "const headers = [\n  { key: 'Content-Security-Policy', value: csp },\n];\n";
        let new = old.replace(
            "Content-Security-Policy'",
            "Content-Security-Policy-Report-Only'",
        );
        assert!(rules_hit_with_contents("next.config.js", old, &new).contains(&rule));
        // A report-only copy next to the enforced one: a trial of a stricter policy.
        let both = old.replace(
            "];",
            "  { key: 'Content-Security-Policy-Report-Only', value: stricter },\n];",
        );
        assert!(!rules_hit_with_contents("next.config.js", old, &both).contains(&rule));
    }
}
