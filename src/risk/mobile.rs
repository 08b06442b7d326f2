//! Platform security of mobile apps, where the operating system enforces
//! what the manifest and a few callbacks say:
//! * a custom Android permission declared without `protectionLevel`
//!   "signature" where it had it: any app on the device may now request it;
//! * a JavaScript bridge (`addJavascriptInterface`) that was removed for
//!   untrusted pages and is now attached for every page;
//! * a StoreKit transaction read through `unsafePayloadValue`, which skips
//!   the signature check that `.verified` stands for;
//! * a certificate-pinning delegate whose failures now fall back to the
//!   system's trust (`.performDefaultHandling`) where they cancelled.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use super::{ChangeView, FileView, Finding, Severity, quote};

/// Reports the four readings above on the lines `f` adds.
pub fn check(f: &FileView<'_>, change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    if !f.class.production() || f.class.docs {
        return;
    }
    if f.path.ends_with("AndroidManifest.xml") {
        permission_protection_dropped(f, change, out);
    }
    let (java_like, swift) = (
        [".java", ".kt"].iter().any(|e| f.path.ends_with(e)),
        f.path.ends_with(".swift"),
    );
    if java_like {
        bridge_for_every_page(f, out);
    }
    if swift {
        unverified_payload(f, out);
        pin_failure_trusted(f, out);
    }
}

/// The custom permissions a manifest text declares, with whether each is
/// protected by signature.
fn declared_permissions(text: &str) -> Vec<(String, bool)> {
    static ELEMENT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?s)<permission\b(.*?)/?>").unwrap());
    static NAME: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"android:name\s*=\s*"([^"]+)""#).unwrap());
    ELEMENT
        .captures_iter(text)
        .filter_map(|c| {
            let attrs = &c[1];
            let name = NAME.captures(attrs)?[1].to_string();
            Some((name, attrs.contains("protectionLevel=\"signature")))
        })
        .collect()
}

fn permission_protection_dropped(
    f: &FileView<'_>,
    change: &ChangeView<'_>,
    out: &mut Vec<Finding>,
) {
    if !f.added.iter().any(|l| l.text.contains("<permission")) {
        return;
    }
    let new = f.new_text_or_hunks();
    // Signature-protected before, in any manifest of the change (its old
    // text, or the lines it removes when only the hunks are at hand).
    let protected: HashSet<String> = change
        .files
        .iter()
        .filter(|g| g.path.ends_with("AndroidManifest.xml"))
        .map(|g| {
            g.old_text().map_or_else(
                || {
                    g.removed
                        .iter()
                        .map(|l| l.text)
                        .collect::<Vec<_>>()
                        .join("\n")
                },
                str::to_string,
            )
        })
        .flat_map(|t| declared_permissions(&t))
        .filter(|(_, sig)| *sig)
        .map(|(n, _)| n)
        .collect();
    for (name, sig) in declared_permissions(&new) {
        if sig || !protected.contains(&name) {
            continue;
        }
        let line = f
            .added
            .iter()
            .find(|l| l.text.contains(&format!("\"{name}\"")))
            .map(|l| l.no);
        out.push(Finding::added(
            "android-permission-unprotected",
            Severity::High,
            f.path,
            line,
            format!(
                "The permission `{}` is declared here without `android:protectionLevel=\"signature\"`, which it had: its level falls to \"normal\", and any app on the device may request it and reach what it guards.",
                quote(&name)
            ),
        ));
        return;
    }
}

fn bridge_for_every_page(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let Some(l) = f
        .added_code()
        .find(|l| l.text.contains("addJavascriptInterface("))
    else {
        return;
    };
    // The bridge was taken away from pages that are not trusted.
    if !f
        .removed_code()
        .any(|r| r.text.contains("removeJavascriptInterface("))
        || f.added_code()
            .any(|a| a.text.contains("removeJavascriptInterface("))
    {
        return;
    }
    out.push(Finding::added(
        "android-js-bridge-every-page",
        Severity::High,
        f.path,
        Some(l.no),
        format!(
            "The JavaScript bridge is now attached for every page the WebView loads (`{}`), where it was removed for pages that are not trusted: any page it opens, and its iframes, can call the bridge's methods.",
            quote(l.text.trim())
        ),
    ));
}

fn unverified_payload(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let Some(l) = f
        .added_code()
        .find(|l| l.text.contains(".unsafePayloadValue"))
    else {
        return;
    };
    out.push(Finding::added(
        "sec-unverified-payload-trusted",
        Severity::High,
        f.path,
        Some(l.no),
        format!(
            "Reads the transaction through `unsafePayloadValue` (`{}`): StoreKit's signature check is skipped, so a forged or replayed transaction is acted on as if it were verified.",
            quote(l.text.trim())
        ),
    ));
}

fn pin_failure_trusted(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let count = |lines: &mut dyn Iterator<Item = &str>, what: &str| {
        lines.filter(|t| t.contains(what)).count()
    };
    let cancels = count(
        &mut f.removed_code().map(|l| l.text),
        ".cancelAuthenticationChallenge",
    ) > count(
        &mut f.added_code().map(|l| l.text),
        ".cancelAuthenticationChallenge",
    );
    let Some(l) = f
        .added_code()
        .find(|l| l.text.contains(".performDefaultHandling"))
    else {
        return;
    };
    let pinning = f.new_text_or_hunks().to_ascii_lowercase().contains("pin");
    if !cancels || !pinning {
        return;
    }
    out.push(Finding::added(
        "tls-pinning-falls-back",
        Severity::High,
        f.path,
        Some(l.no),
        format!(
            "A pin mismatch now ends in `{}` where it cancelled the connection: any certificate the system trusts (a corporate or attacker-installed root) is accepted for the pinned hosts.",
            quote(l.text.trim())
        ),
    ));
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::{findings_of_change, rules_hit_with_contents};

    #[test]
    fn a_permission_redeclared_without_its_signature_level_is_found() {
        let old = "<manifest>\n    <permission\n        android:name=\"com.acme.permission.READ\"\n        android:protectionLevel=\"signature\" />\n</manifest>\n";
        let lib = |level: &str| {
            format!(
                "<manifest>\n    <permission\n        android:name=\"com.acme.permission.READ\"{level} />\n</manifest>\n"
            )
        };
        let hit = |lib: &str| {
            findings_of_change(
                &[
                    (
                        "app/src/main/AndroidManifest.xml",
                        Some(old),
                        Some("<manifest>\n</manifest>\n"),
                    ),
                    ("widget/src/main/AndroidManifest.xml", None, Some(lib)),
                ],
                None,
            )
            .iter()
            .any(|f| f.rule == "android-permission-unprotected")
        };
        assert!(hit(&lib("")));
        assert!(!hit(&lib(
            "\n        android:protectionLevel=\"signature\""
        )));
    }

    #[test]
    fn a_bridge_no_longer_taken_from_untrusted_pages_is_found() {
        let old = "void update(String url) {\n    if (trusted(url)) {\n        web.addJavascriptInterface(bridge, NAME);\n    } else {\n        web.removeJavascriptInterface(NAME);\n    }\n}\n";
        let new = "void setup() {\n    web.addJavascriptInterface(bridge, NAME);\n}\n";
        let rule = "android-js-bridge-every-page".to_string();
        assert!(
            rules_hit_with_contents("app/src/main/java/acme/Web.java", old, new).contains(&rule)
        );
        let kept = "void update(String url) {\n    if (trusted(url)) {\n        web.addJavascriptInterface(bridge, NAME);\n    } else {\n        web.removeJavascriptInterface(NAME);\n    }\n    log(url);\n}\n";
        assert!(
            !rules_hit_with_contents("app/src/main/java/acme/Web.java", old, kept).contains(&rule)
        );
    }

    #[test]
    fn a_pin_mismatch_handed_to_the_system_is_found() {
        let old = "func urlSession(_ s: URLSession, didReceive c: URLAuthenticationChallenge, completionHandler: @escaping (Disposition, URLCredential?) -> Void) {\n    guard pinValidator.matches(c) else {\n        completionHandler(.cancelAuthenticationChallenge, nil)\n        return\n    }\n    completionHandler(.useCredential, cred)\n}\n";
        let new = old.replace(".cancelAuthenticationChallenge", ".performDefaultHandling");
        let rule = "tls-pinning-falls-back".to_string();
        assert!(rules_hit_with_contents("App/Net/PinnedDelegate.swift", old, &new).contains(&rule));
        // Another kind of challenge handed to the system, the pin kept.
        let other = old.replace(
            "    completionHandler(.useCredential, cred)\n",
            "    if c.protectionSpace.authenticationMethod != NSURLAuthenticationMethodServerTrust {\n        completionHandler(.performDefaultHandling, nil)\n        return\n    }\n    completionHandler(.useCredential, cred)\n",
        );
        assert!(
            !rules_hit_with_contents("App/Net/PinnedDelegate.swift", old, &other).contains(&rule)
        );
    }

    #[test]
    fn an_unverified_transaction_read_as_verified_is_found() {
        let old = "switch result {\ncase .verified(let t):\n    grant(t)\ncase .unverified:\n    log.error(\"ignored\")\n}\n";
        let new = "let t = result.unsafePayloadValue\ngrant(t)\n";
        let rule = "sec-unverified-payload-trusted".to_string();
        assert!(rules_hit_with_contents("App/Store/Purchases.swift", old, new).contains(&rule));
        // The verified payload, which throws when the signature fails.
        let checked = "let t = try result.payloadValue\ngrant(t)\n";
        assert!(
            !rules_hit_with_contents("App/Store/Purchases.swift", old, checked).contains(&rule)
        );
    }
}
