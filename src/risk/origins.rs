//! Allow-lists of origins, referrers and redirect targets written as regexes
//! (nginx `map $http_origin`, `allow_origin_regex`, `CORS_ALLOWED_ORIGIN_REGEXES`,
//! Envoy `safe_regex`, `new RegExp(…)`, JavaScript regex literals): a pattern
//! the change wrote with an unescaped dot in the domain (`acme.com` also
//! matches `acmeXcom`), no end anchor (`https://app.acme.com.evil.net`), or a
//! wildcard glued to the domain (`.*acme\.com` matches `evilacme.com`) lets an
//! attacker's site through — with credentials, when it is CORS.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// What a line must be about.
static CONTEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(origin|referr?er|redirect|return_?to|return_?url|callback|next_?url|allowed_?hosts?|cors|trusted_?hosts?)").unwrap()
});
/// A string the line hands to a regex engine (or names as a regex).
static REGEX_USE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(re\.(compile|match|search|fullmatch)\s*\(|Regex::new\s*\(|RegExp\s*\(|Pattern\.compile\s*\(|regexp\.(Must)?Compile(POSIX)?\s*\(|preg_match\s*\(|=~|regex\w*["']?\s*[:=(\[]|_re["']?\s*[:=]|patterns?["']?\s*[:=(\[])"#).unwrap()
});
static DOUBLE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#""((?:\\.|[^"\\])*)""#).unwrap());
static SINGLE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"'((?:\\.|[^'\\])*)'"#).unwrap());
static JS_LITERAL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?:^|[=(:,\[!&|?]\s*)/((?:\\.|[^/\\\n])+)/[a-z]*"#).unwrap());
/// Ruby's regex literals: `%r{…}`, `%r(…)`, `%r|…|`.
static RUBY_LITERAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"%r(?:\{((?:\\.|[^}\\])+)\}|\(((?:\\.|[^)\\])+)\)|\|((?:\\.|[^|\\])+)\|)[a-z]*")
        .unwrap()
});

/// The pattern of each Ruby regex literal in `text`.
fn ruby_literals(text: &str) -> impl Iterator<Item = String> + '_ {
    RUBY_LITERAL.captures_iter(text).filter_map(|c| {
        c.get(1)
            .or_else(|| c.get(2))
            .or_else(|| c.get(3))
            .map(|m| m.as_str().to_string())
    })
}

/// A domain inside a pattern: labels joined by `.` or `\.`, ending in a TLD.
static DOMAIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)[a-z0-9-]+(?:\\{0,2}\.[a-z0-9-]+)*\\{0,2}\.(?:[a-z]{2,24}\b|\((?:\?:)?[a-z]{2,24}(?:\|[a-z]{2,24})*\))").unwrap()
});

/// What is wrong with a host pattern, in words (empty when nothing is).
fn weaknesses(pattern: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    let p = pattern.trim();
    let Some(domain) = DOMAIN.find_iter(p).last() else {
        return out;
    };
    let d = domain.as_str();
    let bytes: Vec<char> = d.chars().collect();
    let unescaped_dot = bytes
        .iter()
        .enumerate()
        .any(|(i, c)| *c == '.' && (i == 0 || bytes[i - 1] != '\\'));
    if unescaped_dot {
        out.push("its dots are not escaped, so any character matches there");
    }
    let tail = &p[domain.end()..];
    // A slash right after the host (a port group aside) ends the host too.
    let head = tail.split('/').next().unwrap_or(tail);
    let by_slash = tail.contains('/') && !head.contains('.') && !head.contains('*');
    let anchored =
        by_slash || tail.ends_with('$') || tail.ends_with("\\z") || tail.ends_with("\\Z");
    if !anchored {
        out.push(
            "it has no end anchor, so the allowed name can be followed by the attacker's domain",
        );
    }
    let before = &p[..domain.start()];
    if before.ends_with(".*")
        || before.ends_with(".+")
        || before.ends_with("\\w*")
        || before.ends_with("\\w+")
    {
        out.push("a wildcard runs straight into the domain, so any name ending in it matches");
    }
    out
}

/// The regex strings of a line that allow hosts.
/// `around` is the line with the few lines above it (a list's key is often
/// on the line that opens it).
fn host_patterns(text: &str, around: &str, in_origin_map: bool) -> Vec<String> {
    let mut out = Vec::new();
    if !(CONTEXT.is_match(around) || in_origin_map) {
        return out;
    }
    let uses_regex = REGEX_USE.is_match(around);
    for c in DOUBLE.captures_iter(text).chain(SINGLE.captures_iter(text)) {
        let s = &c[1];
        if let Some(rx) = s.strip_prefix("~*").or_else(|| s.strip_prefix('~')) {
            out.push(rx.to_string());
        } else if uses_regex && (s.starts_with('^') || s.contains("\\.") || s.contains(".*")) {
            out.push(s.to_string());
        }
    }
    if out.is_empty() {
        out.extend(JS_LITERAL.captures_iter(text).map(|c| c[1].to_string()));
        out.extend(ruby_literals(text));
    }
    out.retain(|p| DOMAIN.is_match(p));
    out
}

/// Every quoted string and regex literal of a line, as written.
fn literals(text: &str) -> Vec<String> {
    DOUBLE
        .captures_iter(text)
        .chain(SINGLE.captures_iter(text))
        .chain(JS_LITERAL.captures_iter(text))
        .map(|c| c[1].to_string())
        .chain(ruby_literals(text))
        .collect()
}

/// True when line `no` of the new side sits in an nginx `map` on
/// `$http_origin` or `$http_referer`.
fn in_origin_map(lines: &[&str], no: u32) -> bool {
    for i in (0..(no as usize).saturating_sub(1).min(lines.len())).rev() {
        let t = lines[i].trim();
        if t.starts_with("map ") {
            let t = t.to_ascii_lowercase();
            return t.contains("$http_origin") || t.contains("$http_referer");
        }
        if t.starts_with('}') || t.ends_with('}') {
            return false;
        }
    }
    false
}

/// Origin-pattern rules for one file.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs || f.class.vendored {
        return;
    }
    let old: Vec<&'static str> = f
        .removed_code()
        .flat_map(|l| host_patterns(l.text, l.text, true))
        .flat_map(|p| weaknesses(&p))
        .collect();
    let removed_literals: Vec<String> = f.removed.iter().flat_map(|l| literals(l.text)).collect();
    let mut lines: Option<Vec<&str>> = None;
    for l in f.added_code() {
        // Most lines hold no domain at all: skip them before any work.
        if !DOMAIN.is_match(l.text) {
            continue;
        }
        // Only an nginx regex entry (`"~…"`) needs the map around it.
        let map = l.text.contains("\"~")
            && in_origin_map(
                lines.get_or_insert_with(|| {
                    f.new_text().map_or_else(Vec::new, |t| t.lines().collect())
                }),
                l.no,
            );
        let mut around: String = (l.no.saturating_sub(4)..=l.no)
            .filter_map(|n| f.new_lines.get(&n).copied())
            .collect::<Vec<_>>()
            .join("\n");
        // A file that is about origins (`cors.js`) makes every pattern in it one.
        if CONTEXT.is_match(f.path.rsplit('/').next().unwrap_or(f.path)) {
            around.push('\n');
            around.push_str(f.path);
        }
        for p in host_patterns(l.text, &around, map) {
            // The same pattern removed elsewhere in the file: moved, not written.
            if removed_literals
                .iter()
                .any(|r| r.trim_start_matches(['~', '*']) == p)
            {
                continue;
            }
            let new: Vec<&str> = weaknesses(&p)
                .into_iter()
                .filter(|w| !old.contains(w))
                .collect();
            if new.is_empty() {
                continue;
            }
            out.push(Finding::added(
                "origin-pattern-loose",
                Severity::High,
                f.path,
                Some(l.no),
                format!(
                    "The allowed-origin pattern `{}` matches an attacker's domain: {}.",
                    quote(&p),
                    new.join("; ")
                ),
            ));
            break;
        }
    }
}

/// A wildcard origin (`Access-Control-Allow-Origin: *`, `origin: '*'`) with
/// no credentials allowed anywhere in the file: browsers send no cookies or
/// auth headers with such requests, so another site reads only what anyone
/// could. An origin echoed back (`origin: true`) or credentials allowed stay
/// as the rule says.
pub fn uncredentialed_wildcard(f: &FileView<'_>, found: &mut [Finding]) {
    static CREDENTIALS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)(credentials["']?\s*[:=]\s*["']?(true|include)|allow_?credentials\s*[:=(]\s*["']?true|AllowCredentials\s*\(|Access-Control-Allow-Credentials|supports_?credentials\s*=\s*true|CORS_ALLOW_CREDENTIALS\s*=\s*True)"#).unwrap()
    });
    let text = f.new_text_or_hunks();
    if CREDENTIALS.is_match(&text) {
        return;
    }
    // A structured config's wildcard origin is reported as a network opened
    // (`headers[…Access-Control-Allow-Origin].value` is now *): the same
    // wildcard, read the same way.
    let cors_key = |x: &Finding| {
        let m = x.message.to_ascii_lowercase();
        x.rule == "config-open-network"
            && (m.contains("access-control-allow-origin") || m.contains("cors"))
    };
    for x in found.iter_mut().filter(|x| {
        (x.rule == "sec-cors-permissive" || cors_key(x)) && x.severity > Severity::Medium
    }) {
        let line = x
            .line
            .and_then(|n| text.lines().nth((n as usize).saturating_sub(1)))
            .unwrap_or("");
        if line.contains('*') && !line.contains("true") {
            x.severity = Severity::Medium;
            x.message = format!(
                "Allows cross-origin reads from any site ({}), without credentials: browsers send no cookies with them, so make sure the response is public.",
                quote(line.trim())
            );
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_wildcard_origin_without_credentials_is_a_look_with_them_an_alarm() {
        use crate::risk::Severity;
        use crate::risk::testkit::findings_with_contents;
        let old = "router.get('/.well-known/jwks.json', handler);\n";
        let new = "const publicCors = cors({ origin: '*', methods: ['GET'] });\nrouter.get('/.well-known/jwks.json', publicCors, handler);\n";
        let sev = |new: &str| {
            findings_with_contents("src/routes/keys.ts", old, new)
                .into_iter()
                .find(|f| f.rule == "sec-cors-permissive")
                .map(|f| f.severity)
        };
        assert_eq!(sev(new), Some(Severity::Medium));
        let credentialed = new.replace("methods: ['GET']", "credentials: true");
        assert_eq!(sev(&credentialed), Some(Severity::High));
        let reflected = new.replace("origin: '*'", "origin: true");
        assert_eq!(sev(&reflected), Some(Severity::High));
        // The same wildcard as a header in a platform's JSON config.
        let old = "{\n  \"headers\": [\n    { \"source\": \"/\", \"headers\": [] }\n  ]\n}\n";
        let new = "{\n  \"headers\": [\n    { \"source\": \"/\", \"headers\": [] },\n    {\n      \"source\": \"/api/public/status\",\n      \"headers\": [\n        { \"key\": \"Access-Control-Allow-Origin\", \"value\": \"*\" }\n      ]\n    }\n  ]\n}\n";
        let worst = findings_with_contents("vercel.json", old, new)
            .into_iter()
            .map(|f| f.severity)
            .max();
        assert_eq!(worst, Some(Severity::Medium));
        let credentialed = new.replace(
            "{ \"key\": \"Access-Control-Allow-Origin\", \"value\": \"*\" }",
            "{ \"key\": \"Access-Control-Allow-Origin\", \"value\": \"*\" },\n        { \"key\": \"Access-Control-Allow-Credentials\", \"value\": \"true\" }",
        );
        let worst = findings_with_contents("vercel.json", old, &credentialed)
            .into_iter()
            .map(|f| f.severity)
            .max();
        assert_eq!(worst, Some(Severity::High));
    }
    use super::weaknesses;
    use crate::risk::testkit::rules_hit_with_contents as hit;

    #[test]
    fn host_patterns_are_judged_by_dots_anchors_and_wildcards() {
        assert!(weaknesses(r"^https://([a-z0-9-]+\.)*acme\.com$").is_empty());
        assert_eq!(weaknesses(r"^https://app\.acme\.com").len(), 1);
        assert_eq!(weaknesses(r"^https://.*acme.com").len(), 3);
        assert_eq!(weaknesses(r"^https://app.acme\.com$").len(), 1);
        // A group of top-level domains is a domain too.
        assert!(weaknesses(r"^https://([a-z0-9-]+\.)*acme\.(com|app)$").is_empty());
        assert_eq!(
            weaknesses(r"^https://([a-z0-9-]+\.)*acme\.(com|app)").len(),
            1
        );
    }

    #[test]
    fn ruby_regex_literals_are_origin_patterns_too() {
        let loose = "origin-pattern-loose".to_string();
        let old = "Rails.application.config.middleware.insert_before 0, Rack::Cors do\n  allow do\n    origins \"https://app.acme.com\"\n  end\nend\n";
        let unanchored = old.replace(
            "origins \"https://app.acme.com\"",
            "origins \"https://app.acme.com\", %r{https://acme-web-[a-z0-9-]+\\.vercel\\.app}",
        );
        assert!(hit("config/initializers/cors.rb", old, &unanchored).contains(&loose));
        let anchored = old.replace(
            "origins \"https://app.acme.com\"",
            "origins \"https://app.acme.com\", %r{\\Ahttps://acme-web-[a-z0-9-]+\\.vercel\\.app\\z}",
        );
        assert!(!hit("config/initializers/cors.rb", old, &anchored).contains(&loose));
    }

    #[test]
    fn a_pattern_in_a_file_about_origins_is_an_origin_pattern() {
        let loose = "origin-pattern-loose".to_string();
        let old = "const SUBDOMAINS = /^https:\\/\\/([a-z0-9-]+\\.)?acme\\.com$/;\n";
        let new = "const SUBDOMAINS = /^https:\\/\\/([a-z0-9-]+\\.)*acme\\.(com|app)/;\n";
        assert!(hit("src/config/cors.js", old, new).contains(&loose));
        assert!(!hit("src/lib/links.js", old, new).contains(&loose));
    }

    #[test]
    fn loosened_origin_patterns_are_found_in_config_and_code() {
        let loose = "origin-pattern-loose".to_string();
        // Django CORS settings.
        let old = "CORS_ALLOWED_ORIGIN_REGEXES = [\n    r\"^https://\\w+\\.acme\\.com$\",\n]\n";
        let new = old.replace("\\.acme\\.com$", "\\.acme\\.com");
        assert!(hit("app/settings/production.py", old, &new).contains(&loose));
        // An Envoy CORS policy.
        let old = "cors:\n  allow_origin_string_match:\n    - safe_regex:\n        regex: \"^https://[a-z]+\\\\.acme\\\\.com$\"\n";
        let new = "cors:\n  allow_origin_string_match:\n    - safe_regex:\n        regex: \"https://.*acme.com\"\n";
        assert!(hit("deploy/envoy/cors.yaml", old, new).contains(&loose));
        // A JavaScript redirect allow-list.
        let old = "const SAFE_REDIRECT = /^https:\\/\\/app\\.acme\\.com\\//;\n";
        let new = "const SAFE_REDIRECT = /^https:\\/\\/.*acme.com/;\n";
        assert!(hit("src/auth/redirect.ts", old, new).contains(&loose));
        // Moved to another line as it was: not what this change wrote (even
        // where the old line alone did not show it was a regex).
        let listed = "CORS_ALLOWED_ORIGIN_REGEXES = [\n    r\"^https://\\w+\\.acme\\.com\",\n]\n";
        let inline = "CORS_ALLOWED_ORIGIN_REGEXES = [r\"^https://\\w+\\.acme\\.com\"]\n";
        assert!(!hit("app/settings/production.py", listed, inline).contains(&loose));
        let moved = new.replace(
            "const SAFE_REDIRECT =",
            "export const SAFE_REDIRECT_TARGET =",
        );
        assert!(!hit("src/auth/redirect.ts", new, &moved).contains(&loose));
        // Tightening a pattern, or exact origins, are not alarms.
        let tight = "const SAFE_REDIRECT = /^https:\\/\\/([a-z0-9-]+\\.)*acme\\.com(\\/|$)/;\n";
        assert!(!hit("src/auth/redirect.ts", new, tight).contains(&loose));
        let exact = "ALLOWED_ORIGINS = [\"https://app.acme.com\", \"https://admin.acme.com\"]\n";
        assert!(
            !hit(
                "app/settings/production.py",
                "ALLOWED_ORIGINS = []\n",
                exact
            )
            .contains(&loose)
        );
        // nginx: exact map entries are strings, `~` entries are regexes.
        let map = "map $http_origin $cors {\n    default \"\";\n    \"https://app.acme.com\" $http_origin;\n}\n";
        let added = map.replace(
            "    default \"\";\n",
            "    default \"\";\n    \"https://admin.acme.com\" $http_origin;\n",
        );
        assert!(!hit("deploy/nginx/cors.conf", map, &added).contains(&loose));
        let rx = map.replace(
            "    default \"\";\n",
            "    default \"\";\n    \"~^https://.+\\.acme\\.com\" $http_origin;\n",
        );
        assert!(hit("deploy/nginx/cors.conf", map, &rx).contains(&loose));
    }
}
