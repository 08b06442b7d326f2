//! Retries of calls that are not safe to repeat. A retry loop added around
//! the send of an HTTP client repeats whatever goes through it: a POST that
//! charged a card and timed out on the answer charges it again. A loop that
//! looks at the method, or sends an idempotency key, knows which requests it
//! may repeat; one that does not, repeats them all.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// Words of a retry loop.
static RETRY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(max_?retries|max_?attempts|retries|retry_?count|attempts?|backoff)\b")
        .unwrap()
});
/// A loop statement.
static LOOP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(for|while|loop|until|do)\b|\.times\b|\bretry\s*[({]").unwrap()
});
/// A request sent by an HTTP client.
static SEND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\.Do\(|\.RoundTrip\(|\.send\(|\.request\(|\bfetch\(|\baxios\(|\.execute\(|urlopen\(|\.urlopen\(|\bsession\.(request|send)\(|HttpClient|\.SendAsync\(|\.exchange\()").unwrap()
});
/// What tells a safe retry from an unsafe one: the method, an idempotency key.
static KNOWS_METHOD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(idempot|\.method\b|\bmethod\s*(==|===|!=|in\b)|"GET"|'GET'|MethodGet|HttpMethod\.Get|safe_methods|allowed_methods|retry_methods|retryable_methods|:get\b)"#).unwrap()
});

/// A retry loop the change adds around an HTTP send, in a file that never
/// looks at the method or an idempotency key.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs || f.class.vendored || f.class.ci || f.class.infra {
        return;
    }
    let added: Vec<_> = f.added_code().collect();
    let Some(send) = added.iter().find(|l| SEND.is_match(l.text)) else {
        return;
    };
    let near = |no: u32| {
        added
            .iter()
            .filter(move |l| l.no + 12 >= no && l.no <= no + 12)
    };
    let looped = near(send.no).any(|l| LOOP.is_match(l.text));
    let retrying = near(send.no).any(|l| RETRY.is_match(l.text));
    if !(looped && retrying) {
        return;
    }
    let whole = f
        .new_text()
        .map(str::to_string)
        .unwrap_or_else(|| added.iter().map(|l| l.text).collect::<Vec<_>>().join("\n"));
    if KNOWS_METHOD.is_match(&whole) {
        return;
    }
    out.push(Finding::added(
        "retry-not-idempotent",
        Severity::High,
        f.path,
        Some(send.no),
        format!(
            "Retries every request sent here ({}), whatever its method: a POST that succeeded but timed out on the answer runs again (a second charge, a second transfer). Retry only idempotent methods or send an idempotency key.",
            quote(send.text.trim())
        ),
    ));
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit;

    const BEFORE: &str = "package httpx\n\nfunc (c *Client) Do(req *http.Request) (*http.Response, error) {\n\treturn c.inner.Do(req)\n}\n";

    #[test]
    fn a_retry_loop_around_every_request_is_found() {
        let after = "package httpx\n\nconst maxRetries = 3\n\nfunc (c *Client) Do(req *http.Request) (*http.Response, error) {\n\tvar resp *http.Response\n\tvar err error\n\tfor attempt := 0; attempt <= maxRetries; attempt++ {\n\t\tresp, err = c.inner.Do(req)\n\t\tif err == nil {\n\t\t\treturn resp, nil\n\t\t}\n\t}\n\treturn resp, err\n}\n";
        let hit = rules_hit("pkg/httpx/client.go", Some(BEFORE), Some(after));
        assert!(hit.contains(&"retry-not-idempotent".to_string()), "{hit:?}");
        let py_before = "def send(session, req):\n    return session.send(req)\n";
        let py_after = "def send(session, req, retries=3):\n    for attempt in range(retries):\n        try:\n            return session.send(req)\n        except ConnectionError:\n            time.sleep(2 ** attempt)\n    raise Unavailable()\n";
        let hit = rules_hit("lib/http/client.py", Some(py_before), Some(py_after));
        assert!(hit.contains(&"retry-not-idempotent".to_string()), "{hit:?}");
        // Restricted to safe methods: quiet.
        let safe = py_after.replace(
            "    for attempt",
            "    if req.method not in ('GET', 'HEAD'):\n        return session.send(req)\n    for attempt",
        );
        let hit = rules_hit("lib/http/client.py", Some(py_before), Some(&safe));
        assert!(
            !hit.contains(&"retry-not-idempotent".to_string()),
            "{hit:?}"
        );
    }
}
