//! Origins, hosts and redirect targets checked by a piece of their text:
//! `origin.endsWith('acme.com')` also lets `evil-acme.com` in,
//! `url.startsWith('https://acme.com')` lets `https://acme.com.evil.net` in,
//! `redirect.startsWith('/')` lets `//evil.net` in, and `host.includes('acme')`
//! lets anything in. A `postMessage` origin check, a CORS allow-list or a
//! login's `returnTo` written this way is open to any site that picks the
//! right name.

use std::sync::LazyLock;

use regex::Regex;

use super::{ChangeView, FileView, Finding, Severity, quote};

/// What the checked value must be about.
const SUBJECT: &str = r#"[\w.$\[\]'"]*(?i:origin|host|hostname|domain|referr?er|redirect\w*|return_?to|return_?url|next_?url|callback_?url|target_?url)\w*"#;

/// `value.endsWith(arg)` and its spellings in other languages.
static METHOD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&partial_call(SUBJECT)).expect("a valid regex"));

/// `subject.endsWith(arg)` and its spellings in other languages, for a
/// subject pattern: (subject, method, argument).
fn partial_call(subject: &str) -> String {
    format!(
        r"({subject})\s*\)?\s*\??\.\s*(endsWith|endswith|ends_with|end_with\?|EndsWith|includes|include\?|contains|Contains|indexOf|startsWith|startswith|starts_with|start_with\?|StartsWith)\s*\(\s*([^(),]+?)\s*[,)]"
    )
}
/// Go's `strings.HasSuffix(value, arg)`.
static GO_FUNC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"strings\.(HasSuffix|HasPrefix|Contains)\s*\(\s*({SUBJECT})\s*,\s*([^()]+?)\s*\)"
    ))
    .expect("a valid regex")
});
/// Python's `"acme.com" in origin`.
static PY_IN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r#"(["'][^"']+["'])\s+in\s+({SUBJECT})\b"#)).expect("a valid regex")
});

/// How a piece of text is compared.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Suffix,
    Prefix,
    Substring,
}

fn kind(method: &str) -> Kind {
    let m = method.to_ascii_lowercase();
    if m.contains("end") || m.contains("suffix") {
        Kind::Suffix
    } else if m.contains("start") || m.contains("prefix") {
        Kind::Prefix
    } else {
        Kind::Substring
    }
}

/// The text `arg` stands for: a string literal, or a name the file binds to
/// one (`const PAYMENTS_DOMAIN = 'acmepay.com'`). `None` for anything else
/// (a list searched for the value is a membership test, not this).
fn resolve(arg: &str, text: &str) -> Option<String> {
    let arg = arg.trim();
    let unquote = |s: &str| {
        let s = s.trim();
        let q = s.chars().next()?;
        (matches!(q, '"' | '\'' | '`') && s.len() >= 2 && s.ends_with(q))
            .then(|| s[1..s.len() - 1].to_string())
    };
    if let Some(v) = unquote(arg) {
        return (!v.contains("${")).then_some(v);
    }
    let name = arg.rsplit(['.', ':']).next().unwrap_or(arg);
    if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    let bind = Regex::new(&format!(
        r#"\b{}\b\s*(?::\s*[\w<>]+\s*)?(?::=|=)\s*(["'`][^"'`\n]*["'`])"#,
        regex::escape(name)
    ))
    .ok()?;
    let c = bind.captures(text)?;
    unquote(&c[1]).filter(|v| !v.contains("${"))
}

/// Why a suffix test against `arg` lets a stranger in when `arg` is a
/// wildcard pattern's domain with the `*.` cut off, dot and all (`const host
/// = pattern.slice(star + 2)` after `indexOf('*.')`, `strings.TrimPrefix(p,
/// "*.")`): `https://*.acme.com` then admits `https://evilacme.com`.
fn wildcard_without_dot(arg: &str, text: &str) -> Option<String> {
    let name = arg.trim().rsplit(['.', ':']).next().unwrap_or(arg);
    if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    if !text.contains("'*.'") && !text.contains("\"*.\"") && !text.contains("`*.`") {
        return None;
    }
    let bind = Regex::new(&format!(
        r#"\b{}\b\s*(?::\s*[\w<>]+\s*)?(?::=|=)\s*([^\n;]*?(?:(?:slice|substring|substr)\(\s*\w+\s*\+\s*2\s*\)|\[\s*\w+\s*\+\s*2\s*:\s*\]|(?:replace|TrimPrefix|removeprefix|lstrip|trimStart|strip_prefix|delete_prefix)\([^\n]*["'`]\*\.["'`]))"#,
        regex::escape(name)
    ))
    .ok()?;
    let c = bind.captures(text)?;
    Some(format!(
        "`{}` is a wildcard's domain with its dot cut off (`{}`): `*.acme.com` lets `evilacme.com` through",
        quote(name),
        quote(c[1].trim())
    ))
}

/// Why `kind` on `value` lets a stranger's name through, or `None`. The
/// value comes from the diff: it is quoted (escaped) where it is shown.
fn weakness(kind: Kind, value: &str) -> Option<String> {
    let shown = quote(value);
    if matches!(kind, Kind::Suffix | Kind::Substring) && shared_hosting(value) {
        return Some(format!(
            "anyone can put a site under `{shown}`: it is a hosting provider's domain, not yours"
        ));
    }
    match kind {
        Kind::Suffix => (!value.is_empty()
            && !value.starts_with('.')
            && !value.contains("://")
            && value.contains('.'))
        .then(|| format!("any name ending in `{shown}` passes, `evil-{shown}` too")),
        Kind::Prefix => {
            if value == "/" {
                Some("`//evil.example` starts with `/` too and is another site".into())
            } else {
                let host = value.split_once("://")?.1;
                (!host.is_empty() && !host.contains('/') && host.contains('.'))
                    .then(|| format!("`{shown}.evil.example` starts with `{shown}` too"))
            }
        }
        Kind::Substring => (value.len() >= 3 && !value.starts_with('/'))
            .then(|| format!("any name containing `{shown}` passes")),
    }
}

/// An entry of a list tested as the exact name or a suffix of it
/// (`host === p || host.endsWith(p)`): meant as "the host or a subdomain",
/// it lets in every name that ends in the entry's text, `evilacme.io` for
/// `acme.io`. `None` when the argument is not a plain name compared for
/// equality on the same line.
fn exact_or_suffix(kind: Kind, arg: &str, line: &str) -> Option<String> {
    let name = arg.trim();
    if kind != Kind::Suffix
        || name.is_empty()
        || !name.chars().all(|c| c.is_alphanumeric() || c == '_')
    {
        return None;
    }
    let equal = Regex::new(&format!(
        r"(==|\beq|\bequals\s*\()\s*{}\b",
        regex::escape(name)
    ))
    .ok()?;
    equal.is_match(line).then(|| {
        format!(
            "the entry or any name ending in its text passes: for `acme.io`, `evilacme.io` too (a subdomain test needs the dot: `'.' + {}`)",
            quote(name)
        )
    })
}

/// A domain under which a hosting provider gives anyone a name of their
/// own (`.vercel.app`, `.herokuapp.com`, `.github.io`): a suffix test on it
/// admits every customer of the provider.
pub(crate) fn shared_hosting(value: &str) -> bool {
    const SHARED: &[&str] = &[
        "vercel.app",
        "now.sh",
        "netlify.app",
        "herokuapp.com",
        "github.io",
        "gitlab.io",
        "pages.dev",
        "workers.dev",
        "web.app",
        "firebaseapp.com",
        "appspot.com",
        "run.app",
        "azurewebsites.net",
        "azurestaticapps.net",
        "cloudfront.net",
        "amazonaws.com",
        "onrender.com",
        "fly.dev",
        "railway.app",
        "deno.dev",
        "ngrok.io",
        "ngrok-free.app",
        "glitch.me",
        "surge.sh",
        "blogspot.com",
    ];
    let v = value.trim().trim_start_matches('.').to_ascii_lowercase();
    SHARED.iter().any(|d| v == *d)
}

/// A hosting provider's shared domain written into a list of trusted
/// origins, hosts or redirect targets (`AllowedOriginSuffixes:
/// []string{".vercel.app"}`, `CORS_ORIGINS=https://*.netlify.app`): every
/// site its customers deploy is trusted with it.
fn shared_domain_trusted(f: &FileView<'_>, out: &mut Vec<Finding>) {
    static TRUST_CONTEXT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(origin|cors|allowed_?hosts?|trusted|redirect|callback|frame_?ancestors|allow_?list|whitelist)").unwrap()
    });
    static WILD_DOMAIN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"["'\s,=\[(](?:https?://)?\*?\.([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,})\b"#)
            .unwrap()
    });
    if f.class.test_like() || f.class.docs {
        return;
    }
    for l in f.added_code() {
        if !TRUST_CONTEXT.is_match(l.text) {
            continue;
        }
        if let Some(d) = WILD_DOMAIN
            .captures_iter(l.text)
            .map(|c| c[1].to_string())
            .find(|d| shared_hosting(d))
        {
            out.push(Finding::added(
                "host-match-partial",
                Severity::High,
                f.path,
                Some(l.no),
                format!(
                    "Trusts every site under `.{}`: it is a hosting provider's domain, where anyone can deploy a site and call this with the trust it grants.",
                    quote(&d)
                ),
            ));
            return;
        }
    }
}

/// Host and origin checks the change writes as a suffix, prefix or
/// substring match that a stranger's name also passes.
/// The partial-match calls on names that hold a host under another name
/// (`val normalized = host?.lowercase()`, `const h = new URL(u).hostname`):
/// `normalized.endsWith(ROOT)` tests the host all the same.
fn aliases(text: &str) -> Option<Regex> {
    static ASSIGN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(&format!(
            r"^\s*(?:(?:val|var|let|const|final|auto|String|string)\s+)?([A-Za-z_]\w*)\s*(?::\s*[\w?<>]+)?\s*:?=\s*[^=].*\b{SUBJECT}"
        ))
        .expect("a valid regex")
    });
    static SUBJECT_WORD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(origin|host|domain|referr?er|redirect|return_?to|return_?url|next_?url|callback_?url|target_?url)").expect("a valid regex")
    });
    let names: Vec<String> = text
        .lines()
        .filter(|l| l.contains('=') && SUBJECT_WORD.is_match(l))
        .filter_map(|l| ASSIGN.captures(l))
        .map(|c| regex::escape(&c[1]))
        .filter(|n| n.len() > 1)
        .collect();
    if names.is_empty() {
        return None;
    }
    Regex::new(&format!(r"\b{}", partial_call(&names.join("|")))).ok()
}

/// The value a setting of the change gives the name `arg` stands for
/// (`_previewDomain` and `"PreviewDomain": "shop-preview.app"` in an
/// `appsettings.json`, `PREVIEW_DOMAIN=…` in an env file): the name
/// compared without case, underscores or a `this.`/`_` in front.
fn configured(arg: &str, change: &ChangeView<'_>) -> Option<String> {
    static SETTING: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"["']?([A-Za-z_][\w.-]*)["']?\s*[:=]\s*["']?([A-Za-z0-9][\w.:/-]*[\w/])["']?\s*,?\s*$"#).unwrap()
    });
    let key = |s: &str| -> String {
        s.rsplit(['.', ':'])
            .next()
            .unwrap_or(s)
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase()
    };
    let wanted = key(arg.trim());
    if wanted.len() < 6
        || !arg
            .trim()
            .chars()
            .all(|c| c.is_alphanumeric() || "_.$".contains(c))
    {
        return None;
    }
    change
        .files
        .iter()
        .filter(|g| !g.class.test_like() && !g.class.docs)
        .filter(|g| !g.path.to_ascii_lowercase().contains("development"))
        .flat_map(|g| g.added.iter())
        .filter_map(|l| SETTING.captures(l.text.trim()))
        .find(|c| key(&c[1]) == wanted)
        .map(|c| c[2].to_string())
}

/// An allow-list's entries matched by part of their text, through the
/// element a search binds (`redirectUris.any { r -> requested.startsWith(r) }`,
/// `Object.values(APP_HOSTS).some((h) => url.startsWith(h))`, `any(u.startswith(p)
/// for p in ALLOWED_ORIGINS)`): an entry `https://app.acme.com` lets
/// `https://app.acme.com.evil.net` in, `acme.com` lets `evilacme.com` in.
fn list_entries_matched_by_part(f: &FileView<'_>, out: &mut Vec<Finding>) {
    static SEARCH: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"([\w.$()\[\]]+?)\)?\s*\.\s*(?:some|any|Any|find|filter|exists|First|FirstOrDefault|anyMatch|stream\(\)\.anyMatch)\s*[({]\s*\(?\s*(\w+)\s*(?::\s*\w+\s*)?\)?\s*(?:=>|->)").unwrap()
    });
    static PY_ANY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\.(?:startswith|endswith)\(\s*(\w+)\s*\)\s+for\s+(\w+)\s+in\s+([\w.]+)")
            .unwrap()
    });
    static LIST_NAME: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(redirect|origin|host|domain|url|uri|callback|return_?to)").unwrap()
    });
    for l in f.added_code() {
        let t = l.text;
        let mut found: Option<(Kind, String)> = None;
        if let Some(c) = SEARCH.captures(t)
            && LIST_NAME.is_match(&c[1])
        {
            let p = regex::escape(&c[2]);
            let partial = Regex::new(&format!(
                r"\.\s*(startsWith|startswith|StartsWith|starts_with|endsWith|EndsWith|ends_with|endswith)\s*\(\s*{p}\s*[,)]"
            ));
            if let Ok(re) = partial
                && let Some(m) = re.captures(&t[c.get(0).unwrap().end()..])
            {
                // The list's own name: `APP_HOSTS` of `Object.values(APP_HOSTS`.
                let list = c[1].rsplit('(').next().unwrap_or(&c[1]);
                found = Some((kind(&m[1]), list.to_string()));
            }
        }
        if found.is_none()
            && let Some(c) = PY_ANY.captures(t)
            && c[1] == c[2]
            && LIST_NAME.is_match(&c[3])
        {
            let k = if t.contains(".endswith(") {
                Kind::Suffix
            } else {
                Kind::Prefix
            };
            found = Some((k, c[3].to_string()));
        }
        let Some((kind, list)) = found else { continue };
        if f.removed.iter().any(|r| r.text.trim() == t.trim()) {
            continue;
        }
        let why = match kind {
            Kind::Prefix => {
                "an entry `https://app.example.com` also admits `https://app.example.com.evil.net` and `https://app.example.com@evil.net`"
            }
            _ => "an entry `example.com` also admits `evilexample.com`",
        };
        out.push(Finding::added(
            "host-match-partial",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "Matches the entries of `{}` by part of their text (`{}`): {why}. Compare whole origins, or parse the URL and compare its scheme, host and port.",
                quote(list.trim()),
                quote(t.trim())
            ),
        ));
        return;
    }
}

pub fn check(f: &FileView<'_>, change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    shared_domain_trusted(f, out);
    if !f.class.production() || f.class.ci || f.class.infra || f.class.migration {
        return;
    }
    list_entries_matched_by_part(f, out);
    let text = f.new_text_or_hunks();
    let aliased = aliases(&text);
    for l in f.added_code() {
        let t = l.text;
        let mut hits: Vec<(String, Kind, String)> = Vec::new();
        for re in std::iter::once(&*METHOD).chain(aliased.as_ref()) {
            for c in re.captures_iter(t) {
                hits.push((c[0].to_string(), kind(&c[2]), c[3].to_string()));
            }
        }
        for c in GO_FUNC.captures_iter(t) {
            hits.push((c[0].to_string(), kind(&c[1]), c[3].to_string()));
        }
        for c in PY_IN.captures_iter(t) {
            hits.push((c[0].to_string(), Kind::Substring, c[1].to_string()));
        }
        for (call, kind, arg) in hits {
            // Already there before the change (a line reformatted).
            if f.removed.iter().any(|r| r.text.contains(call.trim())) {
                continue;
            }
            let why = match resolve(&arg, &text).or_else(|| configured(&arg, change)) {
                Some(value) => weakness(kind, &value),
                None => exact_or_suffix(kind, &arg, t),
            };
            let why = why.or_else(|| {
                (kind == Kind::Suffix)
                    .then(|| wildcard_without_dot(&arg, &text))
                    .flatten()
            });
            let Some(why) = why else {
                continue;
            };
            out.push(Finding::added(
                "host-match-partial",
                Severity::High,
                f.path,
                Some(l.no),
                format!(
                    "Checks a host or origin by part of its text (`{}`): {why}. Compare the whole origin, or a suffix that starts with a dot.",
                    quote(call.trim())
                ),
            ));
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents;

    const RULE: &str = "host-match-partial";

    #[test]
    fn a_suffix_without_a_dot_through_a_constant_is_found() {
        let hit = rules_hit_with_contents(
            "src/checkout/frame.ts",
            "function ok(o: string) {\n  return o === PAYMENTS_ORIGIN;\n}\n",
            "const PAYMENTS_DOMAIN = 'acmepay.com';\nfunction ok(o: string) {\n  return origin.startsWith('https://') && origin.endsWith(PAYMENTS_DOMAIN);\n}\n",
        );
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
    }

    #[test]
    fn a_suffix_test_on_the_host_under_another_name_is_found() {
        let old = "fun trusted(host: String?): Boolean = host in TRUSTED\n";
        let new = "fun trusted(host: String?): Boolean {\n    val normalized = host?.lowercase() ?: return false\n    return normalized == ROOT || normalized.endsWith(ROOT)\n}\nconst val ROOT = \"fooapp.io\"\n";
        let hit = rules_hit_with_contents("app/src/main/java/io/foo/DeepLinks.kt", old, new);
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
        // With the dot: a subdomain, nothing else.
        let dotted = new.replace("endsWith(ROOT)", "endsWith(\".$ROOT\")");
        let hit = rules_hit_with_contents("app/src/main/java/io/foo/DeepLinks.kt", old, &dotted);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
    }

    #[test]
    fn an_entry_matched_exactly_or_as_a_suffix_without_a_dot_is_found() {
        let old = "export function ok(host: string, hosts: string[]): boolean {\n  return hosts.some((h) => host === h || host.endsWith('.' + h));\n}\n";
        let new = "export function ok(host: string, hosts: string[]): boolean {\n  return hosts.some((p) => host === p || host.endsWith(p));\n}\n";
        let hit = rules_hit_with_contents("packages/web/src/redirect.ts", old, new);
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
        // Python and Go spell it the same way.
        let py =
            "def ok(host, hosts):\n    return any(host == d or host.endswith(d) for d in hosts)\n";
        let hit = rules_hit_with_contents(
            "app/redirects.py",
            "def ok(host, hosts):\n    return host in hosts\n",
            py,
        );
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
        // The dot kept, or no equality beside it: nothing to say.
        let dotted = new.replace("host.endsWith(p)", "host.endsWith('.' + p)");
        let hit = rules_hit_with_contents("packages/web/src/redirect.ts", old, &dotted);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
        let path = "export function isImage(name: string, ext: string): boolean {\n  return name.endsWith(ext);\n}\n";
        let hit = rules_hit_with_contents("packages/web/src/files.ts", "", path);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
    }

    #[test]
    fn go_has_suffix_and_python_in_are_found() {
        let go = rules_hit_with_contents(
            "internal/cors/cors.go",
            "package cors\n\nfunc allowed(origin string) bool {\n\treturn origin == \"https://app.acme.io\"\n}\n",
            "package cors\n\nimport \"strings\"\n\nfunc allowed(origin string) bool {\n\treturn strings.HasSuffix(origin, \"acme.io\")\n}\n",
        );
        assert!(go.contains(&RULE.to_string()), "{go:?}");
        let py = rules_hit_with_contents(
            "app/auth/redirects.py",
            "def safe(next_url):\n    return next_url == '/home'\n",
            "def safe(next_url):\n    return 'acme.com' in next_url\n",
        );
        assert!(py.contains(&RULE.to_string()), "{py:?}");
    }

    #[test]
    fn a_dotted_suffix_a_list_and_a_path_prefix_are_not() {
        let hit = rules_hit_with_contents(
            "src/cors.js",
            "function ok(origin) {\n  return false;\n}\n",
            "const ALLOWED = ['https://a.acme.com'];\nfunction ok(origin) {\n  return origin.endsWith('.acme.com') || ALLOWED.includes(origin) || redirect.startsWith('/app/');\n}\n",
        );
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
    }

    #[test]
    fn a_check_only_reformatted_is_not_new() {
        let hit = rules_hit_with_contents(
            "src/cors.js",
            "function ok(origin) {\n  return origin.endsWith('acme.com')\n}\n",
            "function ok(origin) {\n  return origin.endsWith('acme.com');\n}\n",
        );
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
    }
}

#[cfg(test)]
mod shared_hosting_tests {
    use crate::risk::testkit::rules_hit;

    #[test]
    fn a_hosting_providers_domain_trusted_as_a_suffix_is_found() {
        let rule = "host-match-partial".to_string();
        let old = "cfg := Config{\n\tAllowedOrigins: origins,\n}\n";
        let new = "cfg := Config{\n\tAllowedOrigins: origins,\n\tAllowedOriginSuffixes: []string{\".vercel.app\"},\n}\n";
        assert!(rules_hit("cmd/bff/main.go", Some(old), Some(new)).contains(&rule));
        let ours = new.replace(".vercel.app", ".preview.acme.com");
        assert!(!rules_hit("cmd/bff/main.go", Some(old), Some(&ours)).contains(&rule));
        let js = "if (origin.endsWith('.netlify.app')) return cb(null, true);\n";
        assert!(rules_hit("src/cors.js", Some(""), Some(js)).contains(&rule));
    }

    #[test]
    fn a_suffix_test_against_a_wildcard_with_its_dot_cut_off_is_found() {
        use crate::risk::testkit::rules_hit_with_contents;
        const RULE: &str = "host-match-partial";
        let old = "export function compile(pattern: string) {\n  return (o: string) => o === pattern\n}\n";
        let new = |cut: &str| {
            format!(
                "export function compile(pattern: string) {{\n  const star = pattern.indexOf('*.')\n  if (star === -1) {{\n    return (o: string) => o === pattern\n  }}\n  const scheme = pattern.slice(0, star)\n  const host = {cut}\n  return (requestOrigin: string) => requestOrigin.startsWith(scheme) && requestOrigin.endsWith(host)\n}}\n"
            )
        };
        let hit = rules_hit_with_contents("src/cors.ts", old, &new("pattern.slice(star + 2)"));
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
        // The dot kept: a subdomain and nothing else.
        let hit = rules_hit_with_contents("src/cors.ts", old, &new("pattern.slice(star + 1)"));
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
    }
}
