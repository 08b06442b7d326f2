//! A path routed past the gateway's sign-in. Teams often run two Ingress
//! objects for one host: one whose every request the auth service checks
//! first (`nginx.ingress.kubernetes.io/auth-url`), which then hands the
//! caller's identity to the back end in headers (`auth-response-headers:
//! X-Auth-Account-Id`), and a public one for webhooks and login. A new path
//! added to the public one reaches the back end unchecked, and when the
//! code behind it reads the identity header, any caller can send that
//! header and act as any account.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;
use yaml_rust::YamlLoader;

use super::lang::Lang;
use super::{ChangeView, Finding, Severity, quote};

/// Annotations that make the controller authenticate each request.
static GATED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(auth-url|auth-type|auth-signin|auth-tls-verify-client|konghq\.com/plugins|auth\.idp|oauth2?-proxy)").unwrap()
});

/// One Ingress object: its name, whether it authenticates, the identity
/// headers it hands on, and its `host path` routes.
struct Ingress {
    name: String,
    gated: bool,
    identity_headers: Vec<String>,
    routes: BTreeSet<String>,
}

fn ingresses(text: &str) -> Vec<Ingress> {
    let docs = YamlLoader::load_from_str(text).unwrap_or_default();
    docs.iter()
        .filter(|d| d["kind"].as_str() == Some("Ingress"))
        .map(|d| {
            let annotations: Vec<(String, String)> = d["metadata"]["annotations"]
                .as_hash()
                .map(|h| {
                    h.iter()
                        .map(|(k, v)| {
                            (
                                k.as_str().unwrap_or("").to_string(),
                                v.as_str().unwrap_or("").to_string(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let gated = annotations.iter().any(|(k, _)| GATED.is_match(k));
            let identity_headers = annotations
                .iter()
                .filter(|(k, _)| k.ends_with("auth-response-headers"))
                .flat_map(|(_, v)| v.split(',').map(|h| h.trim().to_string()))
                .filter(|h| !h.is_empty())
                .collect();
            let mut routes = BTreeSet::new();
            for rule in d["spec"]["rules"]
                .as_vec()
                .map_or(&[][..], |v| v.as_slice())
            {
                let host = rule["host"].as_str().unwrap_or("*");
                for p in rule["http"]["paths"]
                    .as_vec()
                    .map_or(&[][..], |v| v.as_slice())
                {
                    if let Some(path) = p["path"].as_str() {
                        routes.insert(format!("{host} {path}"));
                    }
                }
            }
            Ingress {
                name: d["metadata"]["name"].as_str().unwrap_or("").to_string(),
                gated,
                identity_headers,
                routes,
            }
        })
        .collect()
}

fn host_of(route: &str) -> &str {
    route.split_once(' ').map_or("", |(h, _)| h)
}

/// Flags a route the change adds to an Ingress without authentication,
/// for a host another Ingress serves behind authentication.
pub fn check(change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    let yaml: Vec<_> = change
        .files
        .iter()
        .filter(|f| f.class.lang == Lang::Yaml && f.class.production())
        .filter(|f| f.new_text().is_some_and(|t| t.contains("kind: Ingress")))
        .collect();
    if yaml.is_empty() {
        return;
    }
    let all_new: Vec<Ingress> = yaml
        .iter()
        .filter_map(|f| f.new_text())
        .flat_map(ingresses)
        .collect();
    // Header names the code this change adds reads (`"X-Auth-Account-Id"`).
    let added_code: Vec<&str> = change
        .files
        .iter()
        .filter(|f| f.class.production() && f.class.lang != Lang::Yaml)
        .flat_map(|f| f.added_code().map(|l| l.text))
        .collect();
    for f in &yaml {
        let old = f.old_text().map(ingresses).unwrap_or_default();
        for ing in ingresses(f.new_text().unwrap_or("")) {
            if ing.gated {
                continue;
            }
            let before = old.iter().find(|o| o.name == ing.name);
            for route in &ing.routes {
                if before.is_some_and(|b| b.routes.contains(route)) {
                    continue;
                }
                let Some(gate) = all_new
                    .iter()
                    .find(|g| g.gated && g.routes.iter().any(|r| host_of(r) == host_of(route)))
                else {
                    continue;
                };
                let path = route.split_once(' ').map_or(route.as_str(), |(_, p)| p);
                let trusted = gate.identity_headers.iter().find(|h| {
                    added_code
                        .iter()
                        .any(|l| l.to_ascii_lowercase().contains(&h.to_ascii_lowercase()))
                });
                let line = f.added_code().find(|l| l.text.contains(path)).map(|l| l.no);
                out.push(Finding::added(
                    "ingress-path-unauthenticated",
                    if trusted.is_some() { Severity::High } else { Severity::Medium },
                    f.path,
                    line,
                    match trusted {
                        Some(h) => format!(
                            "Routes `{}` through the Ingress `{}`, which does not authenticate, where `{}` checks every request and hands the caller's identity on in `{}`: the code this change adds reads that header, so any caller can send it and act as any account.",
                            quote(path),
                            quote(&ing.name),
                            quote(&gate.name),
                            quote(h)
                        ),
                        None => format!(
                            "Routes `{}` through the Ingress `{}`, which does not authenticate, where `{}` checks every request for the same host: whatever answers there must check its callers itself.",
                            quote(path),
                            quote(&ing.name),
                            quote(&gate.name)
                        ),
                    },
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::Severity;
    use crate::risk::testkit::findings_of_change;

    const RULE: &str = "ingress-path-unauthenticated";

    fn ingress(public_paths: &[&str]) -> String {
        let route = |p: &str| {
            format!(
                "          - path: {p}\n            pathType: Prefix\n            backend:\n              service:\n                name: api\n                port:\n                  number: 8080\n"
            )
        };
        let public: String = public_paths.iter().map(|p| route(p)).collect();
        format!(
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: api-public\nspec:\n  rules:\n    - host: api.example.io\n      http:\n        paths:\n{public}---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: api\n  annotations:\n    nginx.ingress.kubernetes.io/auth-url: \"http://authz/verify\"\n    nginx.ingress.kubernetes.io/auth-response-headers: \"X-Auth-Account-Id\"\nspec:\n  rules:\n    - host: api.example.io\n      http:\n        paths:\n{}",
            route("/v1/accounts")
        )
    }

    fn severity(new_paths: &[&str], code: &str) -> Option<Severity> {
        let (old, new) = (ingress(&["/v1/webhooks"]), ingress(new_paths));
        findings_of_change(
            &[
                (
                    "deploy/ingress.yaml",
                    Some(old.as_str()),
                    Some(new.as_str()),
                ),
                ("src/payouts.py", None, Some(code)),
            ],
            None,
        )
        .iter()
        .find(|f| f.rule == RULE)
        .map(|f| f.severity)
    }

    #[test]
    fn a_public_path_whose_code_reads_the_gateways_identity_header_is_high() {
        let code = "def list_payouts(request):\n    account = request.headers['X-Auth-Account-Id']\n    return payouts_for(account)\n";
        assert_eq!(
            severity(&["/v1/webhooks", "/v1/payouts"], code),
            Some(Severity::High)
        );
    }

    #[test]
    fn a_public_path_alone_is_worth_a_look_and_an_unchanged_one_is_not_flagged() {
        let code = "def hook(request):\n    return verify_signature(request)\n";
        assert_eq!(
            severity(&["/v1/webhooks", "/v1/hooks2"], code),
            Some(Severity::Medium)
        );
        assert_eq!(severity(&["/v1/webhooks"], code), None);
    }
}
