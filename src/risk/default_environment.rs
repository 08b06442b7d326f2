//! The environment a command falls back to, switched to production. `ENV ?=
//! dev` → `ENV ?= production` in a Makefile, `${STAGE:-staging}` →
//! `${STAGE:-prod}` in a script, `os.getenv("APP_ENV", "production")`: every
//! run that forgets to say where it runs (a `make reset-db` on a laptop, a
//! cron job without its variable) now acts on production.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// A name that says where a command runs.
const TARGET: &str = r"(?:[A-Z_]*_)?(?:ENV|ENVIRONMENT|STAGE|TARGET_ENV|DEPLOY_ENV|APP_ENV|RAILS_ENV|RACK_ENV|FLASK_ENV|DJANGO_ENV|PROFILE|SPRING_PROFILES_ACTIVE|WORKSPACE|CLUSTER|KUBE_CONTEXT|AWS_PROFILE|TIER)";

/// A default given to such a name, and the default itself.
static DEFAULTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r#"(?:^\s*(?:export\s+)?({TARGET})\s*(?:\?=|:=|=)\s*["']?\$\{{\w+:-([\w-]+)\}}["']?|^\s*({TARGET})\s*\?=\s*([\w-]+)|\$\{{({TARGET}):-([\w-]+)\}}|(?:getenv|environ\.get|ENV\.fetch|env\s*\()\s*\(?\s*["']({TARGET})["']\s*,\s*["']([\w-]+)["'])"#
    ))
    .expect("a valid regex")
});
static PRODUCTION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^(prod|production|live|prd)$").expect("a valid regex"));

/// Each defaulted name on the line, with its default.
fn defaults(line: &str) -> Vec<(String, String)> {
    DEFAULTED
        .captures_iter(line)
        .filter_map(|c| {
            let name = c.get(1).or(c.get(3)).or(c.get(5)).or(c.get(7))?;
            let value = c.get(2).or(c.get(4)).or(c.get(6)).or(c.get(8))?;
            Some((name.as_str().to_string(), value.as_str().to_string()))
        })
        .collect()
}

/// Defaults the change switches to production.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !f.class.production() || f.class.docs {
        return;
    }
    let before: Vec<(String, String)> = f.removed.iter().flat_map(|l| defaults(l.text)).collect();
    if before.is_empty() {
        return;
    }
    for l in &f.added {
        for (name, value) in defaults(l.text) {
            let was = before
                .iter()
                .find(|(n, v)| *n == name && !PRODUCTION.is_match(v));
            if let (Some((_, old)), true) = (was, PRODUCTION.is_match(&value)) {
                out.push(Finding::added(
                    "default-environment-production",
                    Severity::High,
                    f.path,
                    Some(l.no),
                    format!(
                        "`{name}` now defaults to {value} (before: {old}) in `{}`: every run that does not set it acts on production, the destructive targets too.",
                        quote(l.text.trim())
                    ),
                ));
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit;

    const RULE: &str = "default-environment-production";

    #[test]
    fn make_shell_and_python_defaults_switched_to_production_are_found() {
        for (path, old, new) in [
            ("Makefile", "ENV ?= dev\n", "ENV ?= production\n"),
            (
                "scripts/seed.sh",
                "STAGE=\"${STAGE:-staging}\"\n",
                "STAGE=\"${STAGE:-prod}\"\n",
            ),
            (
                "tools/reset.py",
                "env = os.getenv(\"APP_ENV\", \"local\")\n",
                "env = os.getenv(\"APP_ENV\", \"production\")\n",
            ),
        ] {
            let hit = rules_hit(path, Some(old), Some(new));
            assert!(hit.contains(&RULE.to_string()), "{path}: {hit:?}");
        }
    }

    #[test]
    fn production_to_staging_or_a_new_default_is_not() {
        let hit = rules_hit(
            "Makefile",
            Some("ENV ?= production\n"),
            Some("ENV ?= staging\n"),
        );
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
        let hit = rules_hit(
            "Makefile",
            Some("PORT ?= 80\n"),
            Some("PORT ?= 80\nENV ?= production\n"),
        );
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
    }
}
