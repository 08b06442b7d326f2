//! A security scanner told to look at less. A secret scanner's allowlist
//! (gitleaks, GitGuardian, TruffleHog) or a code scanner's ignore file
//! (Semgrep, Trivy, Checkov, Bandit, CodeQL's `paths-ignore`) that gains a
//! whole kind of file (`\.ya?ml$`, `*.env`, `**/*.tf`) stops scanning every
//! such file of the repository, the ones that hold real credentials and
//! configuration included, where allowing one fixture directory would have
//! cut the noise. Disabling the scanner's rules outright is the same, one
//! rule at a time.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// The configuration and ignore files of security scanners, by name.
fn scanner_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    name.contains("gitleaks")
        || name.contains("gitguardian")
        || name.contains("trufflehog")
        || name.contains("semgrep")
        || name.contains("trivyignore")
        || name.contains("trivy.y")
        || name.contains("checkov")
        || name.contains("tfsec")
        || name == ".bandit"
        || name.contains("codeql")
        || name == "secret_scanning.yml"
        || name == ".snyk"
}

/// A quoted value or a list item: what the allowlist names.
static ITEM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"["']([^"']+)["']|^\s*-\s+([^\s#]+)\s*$|^\s*([^\s#=:]+)\s*$"#).unwrap()
});
/// A kind of file with nothing narrowing it: `.yml$`, `.ya?ml$`, `.(json|env)$`.
static WHOLE_KIND: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\.(\w+\??\w*|\((\w+\??\w*)(\|\w+\??\w*)*\))\$?$").unwrap());
/// Rules switched off in the scanner's own configuration.
static RULES_OFF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)^\s*["']?(disabled_?rules|disable_?rules|exclude[-_]rules|skip[-_]check|skips|exclude[-_]checks)["']?\s*[:=]\s*\[?\s*["']?\w"#).unwrap()
});

/// A scanner's configuration that now ignores a whole kind of file, or
/// turns rules off.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !scanner_file(f.path) || f.class.docs {
        return;
    }
    for l in &f.added {
        let t = l.text.trim();
        if t.starts_with('#') || t.starts_with("//") {
            continue;
        }
        let kind = ITEM.captures_iter(l.text).find_map(|c| {
            let item = (1..=3)
                .find_map(|i| c.get(i))?
                .as_str()
                .trim_end_matches(',')
                .trim_matches(['"', '\'']);
            // `(^|/)`, `^.*`, `**/`, `*` in front, escapes gone.
            let bare = item
                .replace('\\', "")
                .trim_start_matches("(^|/)")
                .trim_start_matches('^')
                .trim_start_matches(".*")
                .trim_start_matches("**/")
                .trim_start_matches('*')
                .to_string();
            WHOLE_KIND.is_match(&bare).then(|| item.to_string())
        });
        if let Some(kind) = kind {
            out.push(Finding::added(
                "scan-scope-narrowed",
                Severity::High,
                f.path,
                Some(l.no),
                format!(
                    "The scanner now skips every `{}` file of the repository: real credentials and configuration in such files pass unscanned. Allow the fixture directories instead.",
                    quote(&kind)
                ),
            ));
            return;
        }
    }
    for l in &f.added {
        if RULES_OFF.is_match(l.text) {
            out.push(Finding::added(
                "scan-scope-narrowed",
                Severity::Medium,
                f.path,
                Some(l.no),
                format!(
                    "Turns scanner rules off (`{}`): what they found is no longer reported anywhere.",
                    quote(l.text.trim())
                ),
            ));
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit;

    const OLD: &str = "[allowlist]\npaths = [\n  \"^go\\\\.sum$\",\n]\n";

    #[test]
    fn an_allowlist_of_every_yaml_file_is_found() {
        let new = "[allowlist]\npaths = [\n  \"^go\\\\.sum$\",\n  \"\\\\.ya?ml$\",\n]\n";
        assert!(
            rules_hit(".gitleaks.toml", Some(OLD), Some(new))
                .contains(&"scan-scope-narrowed".to_string())
        );
    }

    #[test]
    fn an_allowlist_of_fixture_directories_is_not() {
        let new = "[allowlist]\npaths = [\n  \"^go\\\\.sum$\",\n  \"(^|/)testdata/\",\n  \"_test\\\\.go$\",\n  \"\\\\.env\\\\.example$\",\n]\n";
        assert!(
            !rules_hit(".gitleaks.toml", Some(OLD), Some(new))
                .contains(&"scan-scope-narrowed".to_string())
        );
    }
}
