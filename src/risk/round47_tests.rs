//! Checks of the forty-seventh round's readings, each with the cousin that
//! must not pass: a deny on an entitlement (a plan's grant of a feature)
//! that now runs only when the grant is there.

use crate::risk::Severity;
use crate::risk::testkit::findings_of_change;

type Files<'a> = [(&'a str, Option<&'a str>, Option<&'a str>)];

fn high_rules(files: &Files<'_>) -> Vec<String> {
    findings_of_change(files, None)
        .iter()
        .filter(|f| f.severity >= Severity::High)
        .map(|f| format!("{} {}", f.rule, f.message))
        .collect()
}

const GATE: &str = "api/src/middleware/requireFeature.ts";

/// A middleware that stops the request with `status` when `cond` holds.
fn gate(lookup: &str, cond: &str, status: &str) -> String {
    format!(
        "export function requireFeature(feature: FeatureKey) {{\n  return async (req: Request, res: Response, next: NextFunction) => {{\n    const orgId = req.auth.orgId;\n    try {{\n      const plan = await loadPlan(orgId);\n      {lookup}\n      if ({cond}) {{\n        res.status({status}).json({{ error: 'not_allowed', feature }});\n        return;\n      }}\n      next();\n    }} catch (err) {{\n      next(err);\n    }}\n  }};\n}}\n"
    )
}

#[test]
fn an_entitlement_deny_that_now_needs_the_grant_present_alarms_but_a_capacity_cap_does_not() {
    let old = gate("", "!plan.features[feature]?.enabled", "403");
    let new = gate(
        "const grant = plan?.features?.[feature];",
        "grant && !grant.enabled",
        "403",
    );
    let found = high_rules(&[(GATE, Some(&old), Some(&new))]);
    assert!(
        found.iter().any(|f| f.starts_with("logic-guard-changed")),
        "a feature missing from the plan now passes: {found:?}"
    );
    // The same shape on a capacity cap: a cap applied only when one is set
    // is worth a look, not an alarm.
    let old = gate("", "!plan.caps[feature]?.spare", "429");
    let new = gate(
        "const cap = plan?.caps?.[feature];",
        "cap && !cap.spare",
        "429",
    );
    let found = high_rules(&[(GATE, Some(&old), Some(&new))]);
    assert!(found.is_empty(), "{found:?}");
}
