//! A list of what must be refused that comes back empty when it cannot be
//! read. `active_holds()`, `blocked_accounts()`, `revoked_tokens()` answer
//! "which of these must not go through"; when the service behind them is
//! down and the function now catches the failure and answers with an empty
//! set (or falls back to one: `return cache or frozenset()`), the caller
//! reads "nothing is held" and purges, pays out or lets in. An allow-list
//! that comes back empty fails closed and is not this.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// Words of names of lists whose members are refused, held or kept from
/// harm, read word by word (`active_holds`, `blockedAccounts`), so that a
/// `threshold` or an `urban_area` is none.
static DENIES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(hold|held|block|blocked|blocklist|blacklist|deny|denied|denylist|ban|banned|revoked|revocation|suspend|suspended|suspension|sanction|embargo|embargoed|quarantine|quarantined|excluded|exclusion|suppressed|suppression|optout|unsubscribed|frozen|fraud|restricted)$").unwrap()
});

/// Whether a function's name says it lists what must be refused or held.
fn names_denials(name: &str) -> bool {
    let words = super::behaviour::name_words(name);
    words.iter().any(|w| DENIES.is_match(w))
        || words.contains("opt") && words.contains("out")
        || words.contains("do") && words.contains("not")
}

/// A return of an empty collection, or a fallback to one.
static EMPTY_RETURN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*return\s+(([\w.]+\s+or\s+|[\w.]+\s*(\?\?|\|\|)\s*)?(set\(\)|frozenset\(\)|\[\]|\{\}|\(\)|new\s+(Set|Map)\(\)|new\s+\w*(Set|List)<[^>]*>\(\)|Collections\.empty\w*\(\)|(Set|List)\.of\(\)|emptySet\(\)|emptyList\(\)|setOf\(\)|listOf\(\)|Array\.Empty<\w+>\(\)))\s*;?\s*$").unwrap()
});

/// The start of an error handler.
static HANDLER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(except\b|\}?\s*catch\b|rescue\b)").unwrap());

/// A handler for "there is nothing", not for "we could not ask".
static NOT_FOUND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(NotFound|DoesNotExist|KeyError|FileNotFound|NoSuchKey|404|ENOENT|EmptyResult)")
        .unwrap()
});

/// What re-raises inside a handler.
static RERAISES: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*(raise\b|throw\b)").unwrap());

/// Finds a deny-list function that now answers with an empty list when
/// reading it fails.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !f.class.production() || f.class.test_like() {
        return;
    }
    let Some(text) = f.new_text() else {
        return;
    };
    if !f.added.iter().any(|l| EMPTY_RETURN.is_match(l.text)) {
        return;
    }
    let lines: Vec<&str> = text.lines().collect();
    let indent = |t: &str| t.len() - t.trim_start().len();
    for l in f.added.iter().filter(|l| EMPTY_RETURN.is_match(l.text)) {
        let at = (l.no as usize).saturating_sub(1);
        if at >= lines.len() {
            continue;
        }
        // The enclosing function: the nearest function head above, less
        // indented than the return.
        let Some(head) = (0..at).rev().find(|&i| {
            indent(lines[i]) < indent(lines[at]) && super::code::function_name(lines[i]).is_some()
        }) else {
            continue;
        };
        let name = super::code::function_name(lines[head]).unwrap_or_default();
        if !names_denials(name) {
            continue;
        }
        // The handler the return belongs to: the nearest handler head above,
        // less indented, inside the function; or, for a fallback after the
        // handler (`return cache or frozenset()`), a handler added that does
        // not re-raise.
        let handler_above = (head + 1..at)
            .rev()
            .find(|&i| indent(lines[i]) < indent(lines[at]) && !lines[i].trim().is_empty());
        let in_handler = handler_above.is_some_and(|i| HANDLER.is_match(lines[i]));
        let fallback = l.text.contains(" or ") || l.text.contains("??") || l.text.contains("||");
        let handler = if in_handler {
            handler_above
        } else if fallback {
            (head + 1..at).find(|&i| HANDLER.is_match(lines[i]) && f.added_at(i as u32 + 1))
        } else {
            None
        };
        let Some(h) = handler else { continue };
        if NOT_FOUND.is_match(lines[h]) {
            continue;
        }
        // A handler that re-raises lets the failure through.
        if lines[h + 1..]
            .iter()
            .take_while(|t| t.trim().is_empty() || indent(t) > indent(lines[h]))
            .any(|t| RERAISES.is_match(t))
        {
            continue;
        }
        // The same answer was there before: not new.
        if f.old_text()
            .is_some_and(|old| old.lines().any(|o| o.trim() == l.text.trim()))
        {
            continue;
        }
        out.push(Finding::added(
            "logic-denylist-empty-on-failure",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "When reading it fails, `{name}` now answers `{}`: an empty list of what must be refused or held, which the caller reads as nothing to refuse, and goes on.",
                quote(l.text.trim())
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::findings_with_contents;

    const OLD: &str = "import logging\n\nlog = logging.getLogger(__name__)\n\n\ndef active_holds(client, ids):\n    resp = client.post(\"/v1/holds/lookup\", json={\"ids\": ids}, timeout=15)\n    resp.raise_for_status()\n    return {h[\"id\"] for h in resp.json()[\"holds\"]}\n";

    fn found(path: &str, old: &str, new: &str) -> bool {
        findings_with_contents(path, old, new)
            .iter()
            .any(|f| f.rule == "logic-denylist-empty-on-failure")
    }

    fn caught(name: &str, catch: &str, answer: &str) -> String {
        OLD.replace("active_holds", name).replace(
            "    resp = client.post(\"/v1/holds/lookup\", json={\"ids\": ids}, timeout=15)\n    resp.raise_for_status()\n",
            &format!("    try:\n        resp = client.post(\"/v1/holds/lookup\", json={{\"ids\": ids}}, timeout=15)\n        resp.raise_for_status()\n    except {catch}:\n        log.exception(\"holds lookup failed\")\n        {answer}\n"),
        )
    }

    #[test]
    fn a_hold_list_that_comes_back_empty_on_failure_is_found() {
        let new = caught("active_holds", "requests.RequestException", "return set()");
        assert!(found("retention/purge.py", OLD, &new));
        // The cousin: a blocklist that falls back to an empty set after
        // the handler.
        let blocked_old = "def blocked_accounts(self):\n    resp = self.session.get(URL, timeout=5)\n    resp.raise_for_status()\n    return frozenset(resp.json()[\"ids\"])\n";
        let blocked_new = "def blocked_accounts(self):\n    try:\n        resp = self.session.get(URL, timeout=5)\n        resp.raise_for_status()\n        self._cache = frozenset(resp.json()[\"ids\"])\n    except requests.RequestException:\n        log.warning(\"refresh failed; serving cached copy\")\n    return self._cache or frozenset()\n";
        assert!(found("payouts/risk.py", blocked_old, blocked_new));
    }

    #[test]
    fn failing_closed_or_nothing_found_is_not() {
        // Re-raised: the failure still reaches the caller.
        let reraised = caught("active_holds", "requests.RequestException", "raise");
        assert!(!found("retention/purge.py", OLD, &reraised));
        // "No holds" from a 404 is an answer, not a failure.
        let not_found = caught("active_holds", "HoldsNotFound", "return set()");
        assert!(!found("retention/purge.py", OLD, &not_found));
        // An allow-list that comes back empty refuses everything.
        let allowed = caught(
            "allowed_accounts",
            "requests.RequestException",
            "return set()",
        );
        assert!(!found("payouts/risk.py", OLD, &allowed));
        // Recommendations are no list of refusals.
        let recs = caught(
            "recommended_items",
            "requests.RequestException",
            "return []",
        );
        assert!(!found("shop/recs.py", OLD, &recs));
        // Words that only hold a denial's letters: a threshold, an urban area.
        for name in ["alert_thresholds", "urban_areas"] {
            let other = caught(name, "requests.RequestException", "return []");
            assert!(!found("geo/areas.py", OLD, &other), "{name}");
        }
    }
}
