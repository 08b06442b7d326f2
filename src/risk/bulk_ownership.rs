//! Ownership checked for one of many. A bulk endpoint loads records by the
//! ids the caller sends, asks whether *any* of them belongs to the caller's
//! organisation (`.filter(organization=org).exists()`, `.some(r => r.orgId
//! === org)`), and then works on all of them. One id of your own opens the
//! rest: other tenants' invoices go into the export.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// "Does any of these belong to the caller?": the set's name and the test.
static ANY_OWNED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?P<set>\w+)\s*\.\s*(?:(?:filter|where)\s*\([^)]*\b(?:org\w*|tenant\w*|account\w*|owner\w*|company\w*|team\w*|workspace\w*|customer\w*)\b[^)]*\)\s*\.\s*(?:exists\s*\(\s*\)|exists\?|any\?|present\?)|some\s*\(\s*\(?\s*\w+\s*\)?\s*=>[^)]*\b(?:org\w*|tenant\w*|account\w*|owner\w*|company\w*|team\w*|workspace\w*)\b)")
        .expect("a valid regex")
});

/// A set loaded from ids the caller chose.
static BY_IDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(__in\s*=|\bid:\s*(params|ids)|\bIn\(|\.in\(|\bwhere\s*\(\s*\{?\s*id\s*:|\bIN\s*\(|\bids\b)")
        .expect("a valid regex")
});

/// Bulk code that gates on one owned record and then uses the whole set.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs || !BY_IDS.is_match(&f.added_text) {
        return;
    }
    for l in f.added_code() {
        let Some(c) = ANY_OWNED.captures(l.text) else {
            continue;
        };
        let set = &c["set"];
        // The whole set used after the gate: iterated, mapped, returned.
        let uses_all = Regex::new(&format!(
            r"(\bfor\s+\w+\s+(in|of)\s+{set}\b|\b{set}\s*\.\s*(each|map|forEach|find_each|iterator|all\(\)|update|delete|values)\b|\bin\s+{set}\s*[:)]|\b{set}\s*\)\s*$)"
        ))
        .expect("a valid regex");
        let after: Vec<&str> = f
            .added
            .iter()
            .filter(|x| x.no > l.no)
            .map(|x| x.text)
            .collect();
        if !after.iter().any(|x| uses_all.is_match(x)) {
            continue;
        }
        out.push(Finding::added(
            "ownership-checked-for-any",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "`{}` asks whether any of the requested records belongs to the caller, then `{}` is used whole: one id of the caller's own lets every other id through, other tenants' records included.",
                quote(l.text.trim()),
                quote(set)
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit;

    fn hit(body: &str) -> bool {
        let old = "def post(self, request):\n    pass\n";
        rules_hit("billing/views.py", Some(old), Some(body))
            .contains(&"ownership-checked-for-any".to_string())
    }

    #[test]
    fn a_gate_on_any_owned_record_before_using_all_is_found() {
        let gate = "def post(self, request):\n    invoices = Invoice.objects.filter(pk__in=ids)\n    if not invoices.filter(organization=request.organization).exists():\n        raise Http404()\n    for invoice in invoices:\n        archive.writestr(invoice.number, render(invoice))\n";
        assert!(hit(gate));
        // Scoping the set itself is the fix: quiet.
        let scoped = gate
            .replace(
                "filter(pk__in=ids)",
                "filter(pk__in=ids, organization=request.organization)",
            )
            .replace(
                "    if not invoices.filter(organization=request.organization).exists():\n        raise Http404()\n",
                "    if len(invoices) != len(ids):\n        raise Http404()\n",
            );
        assert!(!hit(&scoped));
    }
}
