//! Ignore files that decide what ships: `.dockerignore` (the build context,
//! and so anything a `COPY . .` puts in the image), `.npmignore`,
//! `.gcloudignore`, `.vscodeignore`, `.helmignore`. A change that stops
//! excluding secret files from them (an `.env`, `master.key`, a private key,
//! cloud credentials) ships those secrets to whoever pulls the image or
//! installs the package.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// Ignore files whose patterns decide what leaves the repository.
fn ships(path: &str) -> Option<&'static str> {
    let name = path.rsplit('/').next().unwrap_or(path);
    match name {
        ".dockerignore" => Some("the image"),
        ".npmignore" => Some("the published package"),
        ".gcloudignore" => Some("the deployed app"),
        ".vscodeignore" => Some("the published extension"),
        ".helmignore" => Some("the packaged chart"),
        _ if name.ends_with(".dockerignore") => Some("the image"),
        _ => None,
    }
}

/// A pattern naming a file that holds secrets.
static SECRET_PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(^|/|\*)(\.env\b[^/]*|[^/]*\.(pem|key|p12|pfx|jks|keystore)|master\.key|credentials?(\.\w+)?|secrets?(\.\w+)?|id_(rsa|ed25519|ecdsa)[^/]*|\.npmrc|\.pypirc|\.netrc|\.aws|\.ssh|\.gnupg|service[-_]?account[^/]*\.json|[^/]*\.tfvars|\.?kubeconfig)/?\*?$").unwrap()
});

/// A pattern as it matches: leading `/` or `**/` and a trailing `/` or
/// `/*` do not change which secret files it names here.
fn normalised(p: &str) -> String {
    p.trim()
        .trim_start_matches('/')
        .trim_start_matches("**/")
        .trim_end_matches("/*")
        .trim_end_matches("/**")
        .trim_end_matches('/')
        .to_string()
}

/// Ship-ignore rules for one file.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let Some(what) = ships(f.path) else {
        return;
    };
    fn pattern(t: &str) -> Option<&str> {
        let t = t.trim();
        (!t.is_empty() && !t.starts_with('#')).then_some(t)
    }
    let kept: Vec<String> = f
        .new_text_or_hunks()
        .lines()
        .filter_map(pattern)
        .filter(|p| !p.starts_with('!'))
        .map(normalised)
        .collect();
    // A broader pattern still written (`*.key`, `config/`) covers the file.
    let covered = |p: &str| {
        kept.iter().any(|k| {
            k == p
                || k == "*"
                || p.starts_with(&format!("{k}/"))
                || k.strip_prefix('*')
                    .is_some_and(|suffix| !suffix.is_empty() && p.ends_with(suffix))
        })
    };
    for l in &f.removed {
        let Some(p) = pattern(l.text).filter(|p| !p.starts_with('!')) else {
            continue;
        };
        let n = normalised(p);
        if !SECRET_PATTERN.is_match(&n) || covered(&n) {
            continue;
        }
        out.push(Finding::removed(
            "secret-file-shipped",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "No longer excludes `{}`: a secret file there now goes into {what}, for whoever pulls or installs it.",
                quote(p)
            ),
        ));
        return;
    }
    for l in &f.added {
        let Some(p) = pattern(l.text).and_then(|p| p.strip_prefix('!')) else {
            continue;
        };
        let n = normalised(p);
        if SECRET_PATTERN.is_match(&n)
            && !n.ends_with(".example")
            && !n.ends_with(".sample")
            && !n.contains(".erb")
        {
            out.push(Finding::added(
                "secret-file-shipped",
                Severity::High,
                f.path,
                Some(l.no),
                format!(
                    "Re-includes `{}`: a secret file there now goes into {what}, for whoever pulls or installs it.",
                    quote(p)
                ),
            ));
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents;

    const OLD: &str = "/.git/\n/.bundle\n/.env*\n!/.env.example\n/config/master.key\n/config/credentials/*.key\n/log/*\n";

    #[test]
    fn secret_files_no_longer_excluded_from_what_ships_are_found() {
        let rule = "secret-file-shipped".to_string();
        let simplified = ".git\n.bundle\nlog/*\n";
        assert!(rules_hit_with_contents(".dockerignore", OLD, simplified).contains(&rule));
        assert!(rules_hit_with_contents(".npmignore", "*.pem\nsrc/\n", "src/\n").contains(&rule));
        // Re-included through a negation.
        assert!(
            rules_hit_with_contents(".dockerignore", OLD, &format!("{OLD}!/config/master.key\n"))
                .contains(&rule)
        );
    }

    #[test]
    fn the_same_exclusions_respelled_or_covered_ship_nothing() {
        let rule = "secret-file-shipped".to_string();
        let respelled = ".git/\n.bundle\n.env*\n!.env.example\nconfig/master.key\nconfig/credentials/*.key\nlog/*\n";
        assert!(!rules_hit_with_contents(".dockerignore", OLD, respelled).contains(&rule));
        let broader = ".git/\n.bundle\n.env*\n!.env.example\nconfig/\nlog/*\n";
        assert!(!rules_hit_with_contents(".dockerignore", OLD, broader).contains(&rule));
        // The same lines in a .gitignore decide nothing about what ships.
        assert!(!rules_hit_with_contents(".gitignore", OLD, ".git\n").contains(&rule));
    }
}
