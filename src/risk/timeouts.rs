//! A client's timeout taken away. An HTTP or database client without one
//! (`http.Client{}` after `http.Client{Timeout: 30 * time.Second}`, a
//! `requests` call without `timeout=`) waits forever on a stalled server or
//! a half-open connection: every caller blocks, workers and connections
//! pile up, and one slow dependency takes the service down with it.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// A timeout being set.
static TIMEOUT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\b(read|connect|write|request|response|socket|call|idle|dial)?_?timeout(_?(ms|secs?|seconds|millis))?\s*[:=]|\.(connect|read|write|call|response|request)?timeout\s*\(|set(connect|read|write|socket|response|connectionrequest)?timeout\s*\(|\bwithtimeout\s*\(|\bdeadline\s*[:=]|context\.withtimeout)")
        .expect("a valid regex")
});
/// Code that talks to another service.
static CLIENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\bhttp\.Client\b|\bhttp\.Transport\b|\brequests\.|\bhttpx\.|\baxios\b|\bfetch\(|\bHttpClient\b|\bOkHttpClient\b|\bRestTemplate\b|\bRestClient\b|\bWebClient\b|\bFaraday\b|\bNet::HTTP\b|\burllib3\b|\baiohttp\b|\bgot\(|\breqwest\b|\bgrpc\.Dial|\bsql\.Open\b|\bcreatePool\b|\bRedis\()")
        .expect("a valid regex")
});

/// Every timeout a client had, removed, with none set anywhere in the new
/// text of the file, or the client rebuilt in place without one.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !f.class.production() || f.class.ci || f.class.infra || f.deleted() || f.created() {
        return;
    }
    let (Some(old), Some(new)) = (f.old_text(), f.new_text()) else {
        return;
    };
    if !CLIENT.is_match(old) {
        return;
    }
    let gone = if TIMEOUT.is_match(new) {
        // A timeout is still set somewhere (an opt-in option, another
        // client): the client built where it was built is what counts.
        rebuilt_without_timeout(f)
    } else {
        f.removed_code()
            .find(|l| TIMEOUT.is_match(l.text))
            .map(|l| (l.text, Some(l.no)))
    };
    let Some((gone, no)) = gone else {
        return;
    };
    out.push(Finding::removed(
        "client-timeout-removed",
        Severity::High,
        f.path,
        no,
        format!(
            "The client loses its timeout (`{}`) and none is set where it is built: a stalled server or a half-open connection now blocks every caller forever, and workers and connections pile up behind it.",
            quote(gone.trim())
        ),
    ));
}

/// A line that built a client with a timeout, replaced by lines that build
/// the same client without one (`&http.Client{Timeout: t}` →
/// `&http.Client{Transport: tr}`, `requests.get(u, timeout=5)` →
/// `requests.get(u)`): the removed line and its number.
fn rebuilt_without_timeout<'a>(f: &FileView<'a>) -> Option<(&'a str, Option<u32>)> {
    f.replacements().into_iter().find_map(|(gone, came)| {
        let line = gone.iter().find(|l| {
            TIMEOUT.is_match(&l.content)
                && CLIENT.is_match(&l.content)
                && !f.class.is_comment(&l.content)
        })?;
        let client = CLIENT.find(&line.content)?.as_str();
        let rebuilt = came.iter().any(|l| l.content.contains(client))
            && !came.iter().any(|l| TIMEOUT.is_match(&l.content));
        rebuilt.then_some((line.content.as_str(), line.old_no))
    })
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents;

    const RULE: &str = "client-timeout-removed";

    #[test]
    fn a_clients_only_timeout_removed_is_found() {
        let old = "func NewClient() *Client {\n\treturn &Client{http: &http.Client{\n\t\tTimeout: 30 * time.Second,\n\t}}\n}\n";
        let new = "func NewClient(t *http.Transport) *Client {\n\treturn &Client{http: &http.Client{Transport: t}}\n}\n";
        let hit = rules_hit_with_contents("client/client.go", old, new);
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
        let old = "def fetch(url):\n    return requests.get(url, timeout=10).json()\n";
        let new = "def fetch(url):\n    return requests.get(url).json()\n";
        let hit = rules_hit_with_contents("app/partner.py", old, new);
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
        // Rebuilt without it, with a timeout only for callers who opt in.
        let old = "func New() *Client {\n\treturn &Client{http: &http.Client{Timeout: 30 * time.Second}}\n}\n";
        let new = "func WithTimeout(d time.Duration) Option {\n\treturn func(c *Client) { c.http.Timeout = d }\n}\n\nfunc New() *Client {\n\treturn &Client{http: &http.Client{Transport: tuned()}}\n}\n";
        let hit = rules_hit_with_contents("client/client.go", old, new);
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
        // A RestTemplate built with timeouts, migrated to a RestClient without.
        let old = "this.rest = builder\n    .rootUri(props.baseUrl())\n    .setConnectTimeout(Duration.ofMillis(500))\n    .setReadTimeout(Duration.ofMillis(1500))\n    .build(); // RestTemplate\n";
        let new =
            "this.rest = builder\n    .baseUrl(props.baseUrl())\n    .build(); // RestClient\n";
        let hit = rules_hit_with_contents("src/main/java/acme/FraudClient.java", old, new);
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
        let kept = "this.rest = builder\n    .baseUrl(props.baseUrl())\n    .requestFactory(factory)\n    .build(); // RestClient\nfactory.setConnectTimeout(Duration.ofMillis(500));\n";
        let hit = rules_hit_with_contents("src/main/java/acme/FraudClient.java", old, kept);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
    }

    #[test]
    fn a_timeout_moved_into_configuration_is_not() {
        let old = "func NewClient() *Client {\n\treturn &Client{http: &http.Client{\n\t\tTimeout: 30 * time.Second,\n\t}}\n}\n";
        let new = "func NewClient(cfg Config) *Client {\n\treturn &Client{http: &http.Client{\n\t\tTimeout: cfg.Timeout,\n\t}}\n}\n";
        let hit = rules_hit_with_contents("client/client.go", old, new);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
        // A timeout removed from code that calls nobody is not a client's.
        let old = "def render(t):\n    timeout = 5\n    return t.format()\n";
        let new = "def render(t):\n    return t.format()\n";
        let hit = rules_hit_with_contents("app/views.py", old, new);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
    }
}
