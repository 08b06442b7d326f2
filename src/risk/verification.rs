//! Integrity checks made optional. A download, package or image that was
//! verified (a checksum list, a signature) and is now verified "softly" —
//! the failure logged and the script going on, or the check's status thrown
//! away with `|| true` — installs whatever the mirror serves, tampered or not.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// A command that verifies a checksum or a signature.
static VERIFY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\b(sha(1|224|256|384|512)sum|shasum|md5sum|b2sum)\b[^|;&]*\s(-c|--check)\b|\bgpg2?\b[^|;&]*\s--verify\b|\bcosign\s+verify|\bminisign\s+-V\b|\bopenssl\s+dgst\b[^|;&]*-verify|\bgit\s+verify-(commit|tag)\b|\bslsa-verifier\s+verify|\bsignify\s+-C\b|\brpm\s+(-K|--checksig)\b|\bGet-FileHash\b|\bcheck_sum\b|\bverify_checksum\b)").unwrap()
});
/// A failure's status thrown away on the same line.
static IGNORED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\|\|\s*(true\b|:|echo\b|log\w*\b|printf\b|warn\w*\b)|;\s*true\s*$").unwrap()
});
/// What stops a script on a failed check.
static STOPS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\bexit\s+[1-9]|\bexit\s*$|\breturn\s+[1-9]|^\s*(die|fail|abort|false|panic)\b|\braise\b|\bthrow\b)").unwrap()
});

/// A checksum or signature check that was enforced before the change and is
/// now only reported.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs || f.class.vendored {
        return;
    }
    if !f.removed.iter().any(|l| VERIFY.is_match(l.text)) {
        return; // nothing was verified before, or the check is unchanged
    }
    let added: Vec<_> = f.added_code().collect();
    // Checks dropped outright: fewer verifying commands than before, and
    // nothing on the new side that verifies in their place.
    let removed_checks: Vec<_> = f
        .removed_code()
        .filter(|l| VERIFY.is_match(l.text))
        .collect();
    let added_checks = added.iter().filter(|l| VERIFY.is_match(l.text)).count();
    let verifies_otherwise = added
        .iter()
        .any(|l| l.text.to_ascii_lowercase().contains("verif") || l.text.contains("checksum"));
    if let Some(first) = removed_checks.first()
        && added_checks == 0
        && !verifies_otherwise
        && f.new_text()
            .is_none_or(|t| t.lines().all(|x| !VERIFY.is_match(x)))
    {
        out.push(Finding::removed(
            "verification-removed",
            Severity::High,
            f.path,
            Some(first.no),
            format!(
                "No longer verifies what it downloads (`{}` is gone, and nothing checks in its place): whatever the server or a mirror serves is installed, tampered or not.",
                quote(first.text.trim())
            ),
        ));
        return;
    }
    for (i, l) in added.iter().enumerate() {
        if !VERIFY.is_match(l.text) {
            continue;
        }
        // A command continued over several lines (`gpg --verify … \` then
        // `|| log "…"`) is read whole.
        let mut whole = l.text.to_string();
        for next in &added[i + 1..] {
            if !whole.trim_end().ends_with('\\') {
                break;
            }
            whole.push(' ');
            whole.push_str(next.text);
        }
        let ignored = IGNORED.is_match(&whole);
        // `if ! verify; then log …; fi` with nothing in the branch that stops.
        let reported = l.text.trim_start().starts_with("if !") && l.text.contains("then") && {
            let branch: Vec<&str> = added[i + 1..]
                .iter()
                .map(|b| b.text)
                .take_while(|t| !t.trim_start().starts_with("fi"))
                .collect();
            !branch.is_empty() && !branch.iter().any(|t| STOPS.is_match(t))
        };
        if ignored || reported {
            out.push(Finding::added(
                "verification-made-optional",
                Severity::High,
                f.path,
                Some(l.no),
                format!(
                    "A failed integrity check no longer stops the script ({}): a tampered or corrupted download is installed anyway, where before it was refused.",
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

    const BEFORE: &str = "set -euo pipefail\ncurl -fsSLO \"$URL/agent.tar.gz\"\n(cd \"$dir\" && sha256sum -c SHA256SUMS)\ntar xzf agent.tar.gz\n";

    #[test]
    fn a_checksum_failure_only_logged_is_found() {
        let rule = "verification-made-optional".to_string();
        let warned = BEFORE.replace(
            "(cd \"$dir\" && sha256sum -c SHA256SUMS)\n",
            "if ! (cd \"$dir\" && sha256sum -c SHA256SUMS); then\n  log \"WARNING: checksum failed, continuing\"\nfi\n",
        );
        assert!(rules_hit("deploy/install.sh", Some(BEFORE), Some(&warned)).contains(&rule));
        let ignored = BEFORE.replace("SHA256SUMS)\n", "SHA256SUMS) || true\n");
        assert!(rules_hit("deploy/install.sh", Some(BEFORE), Some(&ignored)).contains(&rule));
        let gpg_before = "gpg --verify app.tar.gz.asc app.tar.gz\n";
        let gpg_after = "gpg --verify app.tar.gz.asc app.tar.gz || echo 'signature check failed'\n";
        assert!(rules_hit("scripts/fetch.sh", Some(gpg_before), Some(gpg_after)).contains(&rule));
        // The same over two lines, made conditional on gpg being there.
        let split = "if command -v gpg >/dev/null; then\n  gpg --verify app.tar.gz.asc app.tar.gz \\\n    || log 'WARNING: bad signature, continuing'\nfi\n";
        assert!(rules_hit("scripts/fetch.sh", Some(gpg_before), Some(split)).contains(&rule));
    }

    #[test]
    fn a_checksum_dropped_with_the_download_url_is_found() {
        let before = "RUN curl -fsSLo /usr/local/bin/kubectl \"https://dl.k8s.io/v1/kubectl\" \\\n && echo \"${KUBECTL_SHA256}  /usr/local/bin/kubectl\" | sha256sum -c - \\\n && chmod +x /usr/local/bin/kubectl\n";
        let after = "RUN curl -fsSLo /usr/local/bin/kubectl \"${MIRROR}/kubectl\" \\\n && chmod +x /usr/local/bin/kubectl\n";
        let rule = "verification-removed".to_string();
        assert!(rules_hit("docker/toolbox/Dockerfile", Some(before), Some(after)).contains(&rule));
        // Verified another way (a new helper): not removed.
        let helper = after.replace("chmod +x", "verify_checksum kubectl && chmod +x");
        assert!(
            !rules_hit("docker/toolbox/Dockerfile", Some(before), Some(&helper)).contains(&rule)
        );
    }

    #[test]
    fn a_checksum_failure_that_still_stops_is_quiet() {
        let rule = "verification-made-optional".to_string();
        let stops = BEFORE.replace(
            "(cd \"$dir\" && sha256sum -c SHA256SUMS)\n",
            "if ! (cd \"$dir\" && sha256sum -c SHA256SUMS); then\n  log \"checksum mismatch\"\n  exit 1\nfi\n",
        );
        assert!(!rules_hit("deploy/install.sh", Some(BEFORE), Some(&stops)).contains(&rule));
        // A new check added with a soft failure, where there was none: not a regression.
        let fresh = "curl -fsSLO \"$URL/x\"\n";
        let soft = "curl -fsSLO \"$URL/x\"\nsha256sum -c SUMS || echo skipped\n";
        assert!(!rules_hit("deploy/install.sh", Some(fresh), Some(soft)).contains(&rule));
    }
}
