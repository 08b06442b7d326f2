//! Go's own way to verify a peer differently: `InsecureSkipVerify: true`
//! only turns off the default chain and name check, and a
//! `VerifyConnection` or `VerifyPeerCertificate` callback that builds the
//! chain itself (`cert.Verify(x509.VerifyOptions{Roots: pool, …})`) puts
//! the check back, typically to match a SPIFFE ID instead of a host name.
//! Such a config still verifies; one whose callback verifies nothing (no
//! `Verify` against a pool of roots) does not, and stays reported.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity};

/// The callback and, in its body, a chain verified against chosen roots.
static CALLBACK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(VerifyConnection|VerifyPeerCertificate)\s*[:=]").expect("a valid regex")
});
static CHAIN_VERIFIED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\.Verify\(\s*(x509\.)?VerifyOptions\s*\{|\.Verify\(\s*\w*[oO]pts\b")
        .expect("a valid regex")
});
static ROOTS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bRoots\s*:").expect("a valid regex"));

/// Lowers a reported `InsecureSkipVerify: true` to a note when the same
/// file's config verifies the chain in its own callback.
pub fn keep_reverified(f: &FileView<'_>, local: &mut [Finding]) {
    if f.class.lang != super::lang::Lang::Go {
        return;
    }
    let Some(text) = f.new_text() else {
        return;
    };
    let Some(cb) = CALLBACK.find(text) else {
        return;
    };
    // The callback's body: up to the next top-level declaration.
    let body = &text[cb.end()..];
    let body = &body[..body.find("\nfunc ").unwrap_or(body.len())];
    // Or in a function of the file it calls (`return verifySVID(cs, roots,
    // id)`).
    static CALLED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b([A-Za-z_]\w*)\s*\(").expect("a valid regex"));
    let first = &body[..body.find("\n\t}").unwrap_or(body.len())];
    let helper = |name: &str| -> Option<&str> {
        let start = text.find(&format!("func {name}("))?;
        let rest = &text[start..];
        Some(&rest[..rest[1..].find("\nfunc ").map_or(rest.len(), |i| i + 1)])
    };
    let verifies =
        |b: &str| CHAIN_VERIFIED.is_match(b) && (ROOTS.is_match(b) || ROOTS.is_match(text));
    let verified = verifies(first)
        || CALLED
            .captures_iter(first)
            .filter_map(|c| helper(&c[1]))
            .any(verifies);
    if !verified {
        return;
    }
    for x in local
        .iter_mut()
        .filter(|x| x.rule == "sec-tls-verify-off" && x.message.contains("InsecureSkipVerify"))
    {
        x.severity = Severity::Low;
        x.message = format!(
            "Sets InsecureSkipVerify, and `{}` verifies the chain against chosen roots instead: confirm it checks the name or identity it expects.",
            cb.as_str().trim_end_matches([':', '=', ' '])
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::findings_of_change;

    const OLD: &str = "package agent\n\nimport (\n\t\"crypto/tls\"\n\t\"crypto/x509\"\n)\n\nfunc clientTLS(pool *x509.CertPool) *tls.Config {\n\treturn &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}\n}\n";

    fn level(new: &str) -> Option<crate::risk::Severity> {
        findings_of_change(
            &[("internal/agent/tlsconfig.go", Some(OLD), Some(new))],
            None,
        )
        .into_iter()
        .find(|f| f.rule == "sec-tls-verify-off")
        .map(|f| f.severity)
    }

    #[test]
    fn a_chain_verified_in_the_callback_is_still_verified() {
        let spiffe = "package agent\n\nimport (\n\t\"crypto/tls\"\n\t\"crypto/x509\"\n)\n\nfunc clientTLS(pool *x509.CertPool) *tls.Config {\n\treturn &tls.Config{\n\t\tInsecureSkipVerify: true,\n\t\tMinVersion: tls.VersionTLS12,\n\t\tVerifyConnection: func(cs tls.ConnectionState) error {\n\t\t\topts := x509.VerifyOptions{Roots: pool, Intermediates: x509.NewCertPool()}\n\t\t\t_, err := cs.PeerCertificates[0].Verify(opts)\n\t\t\treturn err\n\t\t},\n\t}\n}\n";
        assert_eq!(level(spiffe), Some(crate::risk::Severity::Low));
        // Through a helper of the file that does the verifying.
        let helper = "package agent\n\nimport (\n\t\"crypto/tls\"\n\t\"crypto/x509\"\n)\n\nfunc clientTLS(pool *x509.CertPool) *tls.Config {\n\treturn &tls.Config{\n\t\tInsecureSkipVerify: true,\n\t\tVerifyConnection: func(cs tls.ConnectionState) error {\n\t\t\treturn verifyID(cs, pool)\n\t\t},\n\t}\n}\n\nfunc verifyID(cs tls.ConnectionState, pool *x509.CertPool) error {\n\t_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{Roots: pool})\n\treturn err\n}\n";
        assert_eq!(level(helper), Some(crate::risk::Severity::Low));
        // A callback that verifies nothing leaves the connection open.
        let noop = "package agent\n\nimport (\n\t\"crypto/tls\"\n\t\"crypto/x509\"\n)\n\nfunc clientTLS(pool *x509.CertPool) *tls.Config {\n\treturn &tls.Config{\n\t\tInsecureSkipVerify: true,\n\t\tVerifyConnection: func(cs tls.ConnectionState) error {\n\t\t\treturn nil\n\t\t},\n\t}\n}\n";
        assert!(level(noop).is_some_and(|s| s >= crate::risk::Severity::High));
    }
}
