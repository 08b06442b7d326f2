//! A check the caller can switch off. A signature, token or permission check
//! that ran on every request now runs only when a condition holds, and the
//! condition reads what the request says about itself: a header, a query
//! parameter, a field of the body (`before_action :verify_signature!,
//! unless: :ping?` where `ping?` reads `request.headers["X-Event-Type"]`).
//! Whoever sends the request writes that header, so whoever wants the check
//! skipped skips it. A condition on the deployment (`Rails.env.test?`, a
//! setting) is not the caller's and is left to other rules.

use std::sync::LazyLock;

use regex::Regex;

use super::{ChangeView, FileView, Finding, Severity, quote};

/// What a request says about itself.
static REQUEST_INPUT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\b(request\.(headers|params|query_params|query|get|post|args|form|body|json|data|META|GET|POST)|params\[|req\.(headers|query|body|params|get|header)|headers\.get|getHeader|get_header|Header\.Get|r\.Header|r\.URL\.Query|ctx\.(query|get|header|request)|c\.(Query|GetHeader|Param)|event\[|payload\[|body\[)"#,
    )
    .expect("a valid regex")
});

/// A call that verifies who sent a request or what it may do.
static VERIFYING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(verify|validate|authenticat|authoriz)\w*_?(signature|token|hmac|webhook|request|caller|user|session|jwt|csrf|auth)\w*|\bverify\w*signature\w*")
        .expect("a valid regex")
});

/// A condition attached to a line: Rails' `if:`/`unless:` options, a
/// statement modifier, a Python or JavaScript guard on the line before.
static ATTACHED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:,\s*(?:if|unless)\s*:|\s(?:if|unless)\s)\s*(.+)$").expect("a valid regex")
});
static GUARD_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:if|unless|elif|else\s+if)\b\s*\(?(.+?)\)?\s*(?::|\{|then)?\s*$")
        .expect("a valid regex")
});
/// A method named by a condition: `:connectivity_check?`, `is_ping()`.
static NAMED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[\s:!(])(?:self\.|this\.)?([A-Za-z_]\w*[?!]?)\s*(?:\(\s*\))?")
        .expect("a valid regex")
});

/// Checks the change makes conditional on what the caller sends.
pub fn check(f: &FileView<'_>, change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    if !f.class.production() || f.created() {
        return;
    }
    let removed: Vec<String> = f
        .removed
        .iter()
        .filter(|l| super::security::names_auth_check(l.text) || VERIFYING.is_match(l.text))
        .map(|l| l.text.trim().trim_end_matches([';', ',']).to_string())
        .filter(|t| t.len() >= 8)
        .collect();
    if removed.is_empty() {
        return;
    }
    for (i, a) in f.added.iter().enumerate() {
        let text = a.text.trim();
        let Some(was) = removed
            .iter()
            .find(|r| text.starts_with(r.as_str()) || text.ends_with(r.as_str()))
        else {
            continue;
        };
        // The condition: written on the line after the check, or on the
        // added line just above it.
        let condition = if text.len() > was.len() && text.starts_with(was.as_str()) {
            ATTACHED
                .captures(&text[was.len()..])
                .map(|c| c[1].to_string())
        } else {
            i.checked_sub(1)
                .and_then(|j| f.added.get(j))
                .filter(|p| p.no + 1 == a.no || p.no + 2 == a.no)
                .and_then(|p| GUARD_LINE.captures(p.text))
                .map(|c| c[1].to_string())
        };
        let Some(condition) = condition else {
            continue;
        };
        let Some(read) = reads_request(&condition, change) else {
            continue;
        };
        out.push(Finding::added(
            "check-skipped-by-caller",
            Severity::High,
            f.path,
            Some(a.no),
            format!(
                "`{}` now runs or not depending on `{}`, which reads what the request says (`{}`): whoever sends the request decides whether it is checked.",
                quote(was),
                quote(condition.trim()),
                quote(&read)
            ),
        ));
    }
}

/// The request input a condition reads, directly or through a method the
/// change's code defines (`connectivity_check?` → `request.headers[…]`).
fn reads_request(condition: &str, change: &ChangeView<'_>) -> Option<String> {
    if let Some(m) = REQUEST_INPUT.find(condition) {
        return Some(m.as_str().to_string());
    }
    for c in NAMED.captures_iter(condition) {
        let name = &c[1];
        if name.len() < 4 {
            continue;
        }
        let plain = name.trim_end_matches(['?', '!']);
        let def = Regex::new(&format!(
            r"(?m)^\s*(?:def|function|func|fn|private|protected|public|static|async|\s)*\s*{}\s*[?!]?\s*(\(|$|:|\{{)",
            regex::escape(plain)
        ))
        .ok()?;
        for g in &change.files {
            let Some(text) = g.new_text() else {
                continue;
            };
            let Some(m) = def.find(text) else {
                continue;
            };
            let body: String = text[m.end()..]
                .lines()
                .take(6)
                .collect::<Vec<_>>()
                .join("\n");
            if let Some(r) = REQUEST_INPUT.find(&body) {
                return Some(r.as_str().to_string());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::findings_of_change;

    const CONCERN: &str = "module SignedWebhook\n  extend ActiveSupport::Concern\n\n  included do\n    before_action :verify_webhook_signature!\n  end\n\n  private\n\n  def verify_webhook_signature!\n    head :unauthorized unless valid_signature?\n  end\nend\n";

    fn skipped(new: &str) -> bool {
        findings_of_change(
            &[(
                "app/controllers/concerns/signed_webhook.rb",
                Some(CONCERN),
                Some(new),
            )],
            Some("Accept the provider's unsigned ping"),
        )
        .iter()
        .any(|f| f.rule == "check-skipped-by-caller")
    }

    #[test]
    fn a_signature_check_the_caller_can_skip_with_a_header_is_found() {
        let ping = CONCERN
            .replace(
                "    before_action :verify_webhook_signature!\n",
                "    before_action :verify_webhook_signature!, unless: :connectivity_check?\n",
            )
            .replace(
                "  private\n",
                "  private\n\n  def connectivity_check?\n    request.headers[\"Paygate-Event-Type\"] == \"webhook.ping\"\n  end\n",
            );
        assert!(skipped(&ping));
        // Skipped in the test environment only: not the caller's choice.
        let test_env = CONCERN.replace(
            "    before_action :verify_webhook_signature!\n",
            "    before_action :verify_webhook_signature!, unless: -> { Rails.env.test? }\n",
        );
        assert!(!skipped(&test_env));
        // Still run on every request.
        let kept = CONCERN.replace(
            "    before_action :verify_webhook_signature!\n",
            "    before_action :verify_webhook_signature!, only: %i[create]\n",
        );
        assert!(!skipped(&kept));
    }

    #[test]
    fn a_check_put_under_a_guard_on_a_header_is_found() {
        let old = "def receive(request):\n    verify_signature(request.body, request.headers[\"X-Sig\"])\n    handle(json.loads(request.body))\n";
        let new = "def receive(request):\n    if request.headers.get(\"X-Event\") != \"ping\":\n        verify_signature(request.body, request.headers[\"X-Sig\"])\n    handle(json.loads(request.body))\n";
        let found = findings_of_change(&[("hooks/views.py", Some(old), Some(new))], None);
        assert!(
            found.iter().any(|f| f.rule == "check-skipped-by-caller"),
            "{found:?}"
        );
        let setting = new.replace(
            "request.headers.get(\"X-Event\") != \"ping\"",
            "settings.VERIFY_WEBHOOKS",
        );
        let found = findings_of_change(&[("hooks/views.py", Some(old), Some(&setting))], None);
        assert!(
            !found.iter().any(|f| f.rule == "check-skipped-by-caller"),
            "{found:?}"
        );
    }
}
