//! A whole record handed to an analytics or telemetry vendor: `...order`
//! spread into `analytics.track('Order Completed', {…})`, `mixpanel.track(
//! 'Signup', user)`, `asdict(customer)` as an event's properties. A record
//! carries names, emails, phone numbers and addresses, and whatever field
//! is added to it later; the vendor (and every destination it forwards to)
//! receives them all. Events list the fields they send, one by one.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// A call that sends an event, a user's traits or context to a vendor.
static SINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b(analytics|segment|mixpanel|amplitude|posthog|heap|rudder\w*|intercom|braze|appboy|hubspot|datadogRum|newrelic|fullstory|Sentry)\s*\.\s*(track|identify|capture|page|group|logEvent|people\.set|setUserProperties|addAction|addCustomAttributes?|setUser|setContext|setExtras?)\s*\(|\bgtag\s*\(|\bdataLayer\.push\s*\(|\btrack(Event)?\s*\(\s*["'`]"#).unwrap()
});
/// What a record is called: the people and what they bought.
static RECORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(user|customer|order|account|profile|member|patient|person|contact|address|billing|shipping|subscriber|lead|employee|client|buyer|guest|recipient|applicant)").unwrap()
});
/// A whole record written into an event: spread, dumped or passed as is.
static WHOLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*\.\.\.([\w.]+)\s*,?\s*$|\*\*([\w.]+)\b|\b(?:asdict|vars|model_to_dict|serialize)\(\s*([\w.]+)\s*\)|\b([\w.]+)\.(?:to_dict|dict|model_dump|as_json|to_h|toJSON|toObject|__dict__)\b|\btrack(?:Event)?\s*\(\s*["'`][^"'`]+["'`]\s*,\s*([\w.]+)\s*[,)]"#).unwrap()
});
/// Names that hold what was picked for the event, not a record.
static PICKED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(props|properties|options|opts|base\w*|common\w*|default\w*|context|ctx|meta\w*|extra\w*|params|attrs|attributes|traits|event\w*|payload|tracking\w*|analytics\w*|super\w*|standard\w*|shared\w*)$").unwrap()
});

/// The record a rest binding takes its fields from: `order` for
/// `const { items, ...orderFields } = order`.
fn rest_source<'a>(name: &str, text: &'a str) -> Option<&'a str> {
    let re = Regex::new(&format!(
        r"\.\.\.{}\s*\}}\s*=\s*([\w.]+)",
        regex::escape(name)
    ))
    .ok()?;
    re.captures(text).and_then(|c| c.get(1)).map(|m| m.as_str())
}

pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !f.class.production() || f.class.ci || f.class.infra || f.class.migration {
        return;
    }
    let Some(text) = f.new_text() else { return };
    for l in f.added_code() {
        let Some(c) = WHOLE.captures(l.text) else {
            continue;
        };
        let Some(name) = c.iter().skip(1).flatten().next().map(|m| m.as_str()) else {
            continue;
        };
        // Inside a vendor call: on the line, or opened a few lines up.
        if !(l.no.saturating_sub(6)..=l.no).any(|n| SINK.is_match(f.new_line(n))) {
            continue;
        }
        let last = name.rsplit('.').next().unwrap_or(name);
        let record = rest_source(last, text).unwrap_or(last);
        if PICKED.is_match(last) || !RECORD.is_match(record.rsplit('.').next().unwrap_or(record)) {
            continue;
        }
        // Sent whole before the change too.
        if f.removed_code().any(|r| r.text.contains(name)) {
            continue;
        }
        out.push(Finding::added(
            "privacy-record-sent-to-vendor",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "Sends the whole `{}` to an analytics or telemetry vendor (`{}`): names, emails, phone numbers and addresses go with it, and every field added to it later; list the fields the event needs.",
                quote(record),
                quote(l.text.trim())
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents;

    const RULE: &str = "privacy-record-sent-to-vendor";

    #[test]
    fn a_whole_record_in_an_analytics_event_is_found() {
        let old = "export function orderCompleted(order: Order) {\n  analytics.track('Order Completed', {\n    order_id: order.id,\n    total: order.total,\n  });\n}\n";
        let spread = "export function orderCompleted(order: Order) {\n  const { items, ...orderFields } = order;\n  analytics.track('Order Completed', {\n    ...orderFields,\n    order_id: order.id,\n    total: order.total,\n  });\n}\n";
        let p = "web/src/analytics/events.ts";
        assert!(rules_hit_with_contents(p, old, spread).contains(&RULE.to_string()));
        let whole =
            "export function signedUp(user: User) {\n  mixpanel.track('Signed Up', user);\n}\n";
        assert!(rules_hit_with_contents(p, "", whole).contains(&RULE.to_string()));
        let py = "def order_completed(order):\n    analytics.track(order.user_id, 'Order Completed', asdict(order))\n";
        assert!(rules_hit_with_contents("app/events.py", "", py).contains(&RULE.to_string()));
    }

    #[test]
    fn picked_fields_and_shared_properties_are_not() {
        let p = "web/src/analytics/events.ts";
        let old = "export function orderCompleted(order: Order) {\n  analytics.track('Order Completed', {\n    order_id: order.id,\n  });\n}\n";
        // The app's common properties spread in, the rest picked one by one.
        let common = "export function orderCompleted(order: Order) {\n  analytics.track('Order Completed', {\n    ...baseProperties,\n    order_id: order.id,\n    shipping_method: order.shippingMethod,\n  });\n}\n";
        assert!(!rules_hit_with_contents(p, old, common).contains(&RULE.to_string()));
        // A record spread somewhere that is not a vendor call.
        let local = "export function toRow(order: Order) {\n  return {\n    ...order,\n    total: format(order.total),\n  };\n}\n";
        assert!(!rules_hit_with_contents(p, "", local).contains(&RULE.to_string()));
        // A call that only shares a vendor's name (a heap, a segment).
        let heap =
            "export function enqueue(order: Order) {\n  heap(queue, {\n    ...order,\n  });\n}\n";
        assert!(!rules_hit_with_contents(p, "", heap).contains(&RULE.to_string()));
    }
}
