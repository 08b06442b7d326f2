//! Secrets and credentials: provider key formats (AWS, GitHub, Slack, Stripe,
//! Google, OpenAI, Anthropic, private keys, …), credentials in URLs, high-entropy
//! values assigned to names like `password` or `api_key`, and key files committed
//! whole. In tests and fixtures a real-looking key is still worth a look, but is
//! usually a fake: it is reported one level lower.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity};

struct Provider {
    name: &'static str,
    re: Regex,
}

static PROVIDERS: LazyLock<Vec<Provider>> = LazyLock::new(|| {
    let p = |name, re: &str| Provider {
        name,
        re: Regex::new(re).expect("provider regex"),
    };
    vec![
        p(
            "an AWS access key id",
            r"\b(AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b",
        ),
        p(
            "a GitHub token",
            r"\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b|\bgithub_pat_[A-Za-z0-9_]{60,}",
        ),
        p("a GitLab token", r"\bglpat-[A-Za-z0-9_-]{20}\b"),
        p("a Slack token", r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
        p(
            "a Slack webhook",
            r"hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{20,}",
        ),
        p("a Stripe live key", r"\b(sk|rk)_live_[A-Za-z0-9]{20,}"),
        p("a Google API key", r"\bAIza[0-9A-Za-z_-]{35}\b"),
        p("an Anthropic API key", r"\bsk-ant-[A-Za-z0-9_-]{30,}"),
        p(
            "an OpenAI API key",
            r"\bsk-(proj-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}|\bsk-proj-[A-Za-z0-9_-]{40,}",
        ),
        p(
            "a private key",
            r"-----BEGIN ((RSA|EC|DSA|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY( BLOCK)?-----",
        ),
        p("an npm token", r"\bnpm_[A-Za-z0-9]{36}\b"),
        p("a PyPI token", r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}"),
        p(
            "a SendGrid key",
            r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b",
        ),
        p("a Twilio key", r"\bSK[0-9a-f]{32}\b"),
        p("a Mailgun key", r"\bkey-[0-9a-f]{32}\b"),
        p(
            "a Google service account key",
            r#""private_key_id"\s*:\s*"[0-9a-f]{40}""#,
        ),
        p("a Shopify token", r"\bshp(at|ss|ca|pa)_[a-fA-F0-9]{32}\b"),
        p(
            "a Datadog/Heroku-style key",
            r#"(?i)(dd_api_key|heroku_api_key)\s*[:=]\s*["']?[0-9a-f]{32}"#,
        ),
        p(
            "a password inside a connection URL",
            r"\b[a-z][a-z0-9+.-]{1,20}://[^\s:/@'\x22]{1,64}:[^\s@/'\x22$<{]{3,128}@[\w.-]+",
        ),
    ]
});

static ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\b([a-z0-9_.-]*(secret|token|passw(or)?d|passwd|pwd|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret|auth[_-]?key|signing[_-]?key|credentials?)[a-z0-9_]*)["']?\s*(:=|=>|=|:)\s*["'`]([^"'`\s]{8,})["'`]"#,
    )
    .expect("assignment regex")
});

static UNQUOTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)^\s*(?:-\s*)?(?:export\s+)?([a-z0-9_.-]*(secret|token|passw(or)?d|passwd|pwd|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret|credentials?)[a-z0-9_.-]*)\s*[:=]\s*([^\s"'`#]{10,})\s*$"#,
    )
    .expect("unquoted assignment regex")
});

/// Config files where values are written without quotes.
fn unquoted_config(path: &str) -> bool {
    let n = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    [
        ".yml",
        ".yaml",
        ".properties",
        ".ini",
        ".cfg",
        ".conf",
        ".env",
    ]
    .iter()
    .any(|e| n.ends_with(e))
        || n.starts_with(".env")
}

/// Values that are obviously not real secrets.
fn placeholder(v: &str) -> bool {
    let l = v.to_ascii_lowercase();
    [
        "example",
        "changeme",
        "change_me",
        "change-me",
        "placeholder",
        "dummy",
        "sample",
        "xxxx",
        "****",
        "your_",
        "your-",
        "<",
        "${",
        "{{",
        "%(",
        "process.env",
        "os.environ",
        "env(",
        "getenv",
        "redacted",
        "notasecret",
        "not-a-secret",
        "test",
        "fake",
        "mock",
        "todo",
        "secret_key_base",
        "insecure",
        "localhost",
        "password123",
        "hunter2",
        "replace",
        "insert-",
        "insert_",
        "generate",
        "random",
        "required",
        "here",
    ]
    .iter()
    .any(|p| l.contains(p))
        || v.chars().all(|c| c == v.chars().next().unwrap_or('x'))
}

/// Shannon entropy in bits per character.
pub fn entropy(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    let mut n = 0u32;
    for b in s.bytes() {
        counts[b as usize] += 1;
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / f64::from(n);
            -p * p.log2()
        })
        .sum()
}

fn looks_random(v: &str) -> bool {
    let classes = [
        v.chars().any(|c| c.is_ascii_lowercase()),
        v.chars().any(|c| c.is_ascii_uppercase()),
        v.chars().any(|c| c.is_ascii_digit()),
        v.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    // A dotted path of words (`services.stripe.webhook_secret`) names a
    // setting; it is not one.
    let setting_path = v.contains('.')
        && v.split(['.', '_', '-'])
            .all(|w| w.len() >= 2 && w.chars().all(|c| c.is_ascii_lowercase()));
    v.len() >= 12 && entropy(v) >= 3.3 && classes >= 2 && !v.contains(' ') && !setting_path
}

static JWT_LITERAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b(jwt|jsonwebtoken|jose|Jwts?)\.(sign|encode|verify|decode)\s*\([^,]+,\s*["']([^"']{6,})["']"#).unwrap()
});

/// Names of files that are themselves credentials.
fn secret_file(path: &str) -> Option<&'static str> {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    if matches!(
        name.as_str(),
        "id_rsa" | "id_ed25519" | "id_ecdsa" | "id_dsa"
    ) {
        return Some("a private SSH key");
    }
    if name == ".env"
        || (name.starts_with(".env.")
            && !name.ends_with(".example")
            && !name.ends_with(".sample")
            && !name.ends_with(".template")
            && !name.ends_with(".dist"))
    {
        return Some("an environment file with live settings");
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    match ext {
        "pem" | "key" | "p12" | "pfx" | "jks" | "keystore" | "ppk" => {
            Some("a key or certificate store")
        }
        _ if name == "credentials" || name == ".npmrc" || name == ".pypirc" || name == ".netrc" => {
            Some("a credentials file")
        }
        _ => None,
    }
}

/// Whether a line of an environment file sets something that is, or may
/// be, a credential: a name that says so (`API_KEY`, `DATABASE_URL`,
/// `SENTRY_DSN`) or a value shaped like one.
fn env_line_holds_secret(line: &str) -> bool {
    static SECRET_NAME: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(secret|token|passw|pwd|pass\b|key|credential|auth|dsn|_url|uri|private|salt|cert|session|cookie|signing)").unwrap()
    });
    let t = line.trim().trim_start_matches("export ").trim();
    if t.is_empty() || t.starts_with('#') {
        return false;
    }
    let Some((name, value)) = t.split_once('=') else {
        return true; // not a setting this reads: assume the worst
    };
    let value = value.trim().trim_matches(['"', '\'']);
    SECRET_NAME.is_match(name) && !value.is_empty() || looks_random(value)
}

/// Whether a line of a tool's rc file (`.npmrc`, `.pypirc`, `.netrc`) sets a
/// credential to a literal: `//registry.npmjs.org/:_authToken=npm_…`,
/// `password = hunter2`, `machine host login me password s3cret`. One read
/// from the environment (`${NPM_TOKEN}`) is not in the file.
fn rc_line_holds_secret(line: &str) -> bool {
    static CREDENTIAL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(_authtoken|_auth|_password|\bpassword|\bpasswd|\btoken|\bsecret|npmAuthToken|npmAuthIdent)\s*(=|:|\s)\s*[\x22']?(?P<v>[^\s\x22'#;]+)").unwrap()
    });
    let t = line.trim();
    if t.starts_with('#') || t.starts_with(';') {
        return false;
    }
    CREDENTIAL
        .captures_iter(t)
        .any(|c| c.name("v").is_some_and(|v| !v.as_str().starts_with('$')))
}

/// Flags credentials on added lines and committed key files.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.docs && !f.path.ends_with(".env") {
        // Docs carry example keys; provider formats are still checked below.
    }
    let lname = f.path.to_ascii_lowercase();
    let template = [".example", ".sample", ".template", ".dist", ".tmpl"]
        .iter()
        .any(|e| lname.ends_with(e) || lname.contains(&format!("{e}.")));
    let lower_if_test = |s: Severity| {
        if f.class.test_like() || f.class.docs || f.class.vendored || template {
            match s {
                Severity::Critical => Severity::Medium,
                Severity::High => Severity::Low,
                s => s,
            }
        } else {
            s
        }
    };
    // The environment file of the test suite or CI (`.env.test`, `.env.ci`):
    // throwaway settings by convention; a real key in it is still found
    // line by line below.
    let test_env = {
        let name = lname.rsplit('/').next().unwrap_or(&lname);
        matches!(
            name,
            ".env.test" | ".env.testing" | ".env.ci" | ".env.e2e" | ".env.development" | ".env.dev"
        )
    };
    // A project's `.npmrc`, `.pypirc` or `.netrc` that only configures the
    // tool (`ignore-scripts=true`, a registry, a token read from
    // `${NPM_TOKEN}`) holds nothing secret: committing one is the usual way
    // to share settings.
    let settings_only = matches!(
        lname.rsplit('/').next().unwrap_or(&lname),
        ".npmrc" | ".pypirc" | ".netrc" | ".yarnrc" | ".yarnrc.yml"
    ) && f.added.iter().all(|l| !rc_line_holds_secret(l.text));
    if !f.deleted()
        && !settings_only
        && let Some(what) = f.file.path.plus.as_deref().and_then(secret_file)
    {
        // An environment file whose settings are all plain configuration
        // (`DJANGO_SETTINGS_MODULE=tests.settings`): nothing in it is a
        // credential yet, though the file is where one would go next.
        let env_file = what.starts_with("an environment file");
        let plain = env_file && f.added.iter().all(|l| !env_line_holds_secret(l.text));
        out.push(Finding::added(
                "secret-file",
                if plain || test_env { Severity::Medium } else { lower_if_test(Severity::High) },
                f.path,
                None,
                if plain {
                    format!("Commits {what}; none of the settings it adds is named or shaped like a credential, but this file is where one would go next: keep it out of the repository, or commit an example file instead.")
                } else {
                    format!("Commits {what}: anything in it is now readable by everyone with the repository, forever (history keeps it).")
                },
            ));
    }
    // Values encrypted for a key held elsewhere: a Bitnami SealedSecret's
    // `encryptedData`; SOPS values (`ENC[AES256_GCM,…]`) line by line below.
    let encrypted = f.class.lang == super::lang::Lang::Yaml && {
        let text = f.new_text_or_hunks();
        text.contains("kind: SealedSecret") && text.contains("encryptedData")
    };
    for l in &f.added {
        let inline_test = f.test_line(l.no);
        let lower_if_test = |s: Severity| {
            let s = lower_if_test(s);
            match (inline_test, s) {
                (true, Severity::Critical) => Severity::Medium,
                (true, Severity::High) => Severity::Low,
                (_, s) => s,
            }
        };
        let mut hit = false;
        for p in PROVIDERS.iter() {
            if let Some(m) = p.re.find(l.text) {
                let s = m.as_str();
                if placeholder(s) || s.contains("EXAMPLE") {
                    continue;
                }
                if p.name.starts_with("a password inside") {
                    // user:password@host: skip placeholders and variables.
                    let cred = s.split("://").nth(1).unwrap_or("");
                    let pass = cred
                        .split(':')
                        .nth(1)
                        .unwrap_or("")
                        .split('@')
                        .next()
                        .unwrap_or("");
                    if placeholder(pass)
                        || pass.len() < 4
                        || pass.starts_with('$')
                        || pass == "password"
                        || pass == "postgres"
                        || pass == "root"
                        || pass == "guest"
                    {
                        continue;
                    }
                }
                // A Firebase client configuration: its API key names the
                // project and ships inside every app build and web page;
                // access is held by the project's rules and key restrictions.
                if p.name == "a Google API key" && firebase_client_config(f) {
                    out.push(Finding::added(
                        "secret-provider-key",
                        Severity::Low,
                        f.path,
                        Some(l.no),
                        "Adds a Firebase client API key: it identifies the app and ships inside every build, so it is not a secret; check the key is restricted to the app (package, bundle id or referrer).",
                    ));
                    hit = true;
                    break;
                }
                out.push(Finding::added(
                    "secret-provider-key",
                    lower_if_test(Severity::Critical),
                    f.path,
                    Some(l.no),
                    format!(
                        "Adds what looks like {}: once pushed it must be treated as leaked and rotated, whatever happens to this change.",
                        p.name
                    ),
                ));
                hit = true;
                break;
            }
        }
        if hit || f.class.is_comment(l.text) {
            continue;
        }
        if let Some(c) = JWT_LITERAL.captures(l.text)
            && !placeholder(&c[3])
        {
            out.push(Finding::added(
                "secret-assignment",
                lower_if_test(Severity::High),
                f.path,
                Some(l.no),
                "Signs or checks tokens with a key written in the code: anyone with the repository can mint valid tokens.",
            ));
            continue;
        }
        let unquoted = unquoted_config(f.path)
            .then(|| UNQUOTED.captures(l.text))
            .flatten()
            .map(|c| {
                (
                    c.get(1).map_or("", |m| m.as_str()),
                    c.get(4).map_or("", |m| m.as_str()),
                )
            });
        let quoted = ASSIGNMENT.captures_iter(l.text).map(|c| {
            (
                c.get(1).map_or("", |m| m.as_str()),
                c.get(5).map_or("", |m| m.as_str()),
            )
        });
        for (name, value) in unquoted.into_iter().chain(quoted) {
            if encrypted || value.starts_with("ENC[") {
                // Ciphertext for the cluster's or the team's key: committing
                // it is how these tools are meant to be used.
                continue;
            }
            if value.starts_with('$')
                || value.starts_with('{')
                || value.starts_with('<')
                || value.starts_with('/')
            {
                continue;
            }
            if placeholder(value)
                || !looks_random(value)
                || names_itself(name, value)
                || names_a_secret(
                    name,
                    value,
                    unquoted_config(f.path)
                        || matches!(
                            f.class.lang,
                            super::lang::Lang::Toml
                                | super::lang::Lang::Json
                                | super::lang::Lang::Hcl
                        ),
                )
            {
                continue;
            }
            let lname = name.to_ascii_lowercase();
            if names_a_reference(name)
                || lname.contains("token_url")
                || lname.contains("endpoint")
                || lname.ends_with("_path")
                || lname.ends_with("_file")
                || lname.ends_with("name")
                || lname.ends_with("_id")
                // `existingSecret: checkout-db`, `secretRef`: the name of a
                // secret object held elsewhere, not its value.
                || lname.starts_with("existing")
                || lname.ends_with("ref")
                || lname.contains("header")
            {
                continue;
            }
            // A developer's own stack (`dev/docker-compose.yml`,
            // `.env.local`): a throwaway password for a local database, worth
            // a look, not an alarm. Staging is real infrastructure and stays.
            let local = local_only(f.path);
            out.push(Finding::added(
                "secret-assignment",
                if local {
                    Severity::Medium
                } else {
                    lower_if_test(Severity::High)
                },
                f.path,
                Some(l.no),
                format!(
                    "Assigns a random-looking literal to '{}': a credential in the code is a credential in every clone; read it from the secret store instead.{}",
                    crate::sanitize::escape_line(name),
                    if local { " (Only a local development file.)" } else { "" }
                ),
            ));
            break;
        }
    }
}

/// A file only a developer's machine reads: one `non_production` names for
/// development or a local stack (`dev/`, `.env.local`,
/// `docker-compose.dev.yml`), a dev container, or a compose override.
fn local_only(path: &str) -> bool {
    let name = super::lang::file_name(path);
    matches!(
        super::non_production(path).as_deref(),
        Some("dev" | "develop" | "development" | "local")
    ) || path.split('/').any(|seg| seg == ".devcontainer")
        || name.starts_with("docker-compose.override")
        || name.starts_with("compose.override")
}

/// True when the value is the key's own name (or a name built from it), as in
/// `GOOGLE_OAUTH_CLIENT_SECRET = 'google_oauth_client_secret'`: a setting's
/// name or an environment variable to read, not a credential.
fn names_itself(name: &str, value: &str) -> bool {
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let (n, v) = (squash(name), squash(value));
    !v.is_empty()
        && (n.contains(&v) || v.contains(&n))
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// A version word in a name: `v2`, `v10`.
fn is_version(w: &str) -> bool {
    w.strip_prefix(['v', 'V'])
        .is_some_and(|d| !d.is_empty() && d.len() <= 3 && d.bytes().all(|b| b.is_ascii_digit()))
}

/// What a secret-store reference points at, when the value is one: an ARN
/// of Secrets Manager, Parameter Store or KMS, or a store's scheme before a
/// path (`secretsmanager:prod/payouts/api-key`, `vault://kv/billing/stripe`,
/// `op://Payments/Stripe/credential`, `ref+vault://…`). The value names
/// where the secret lives; the secret itself is not in the code.
fn store_reference(value: &str) -> Option<&str> {
    static STORE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^(?:arn:aws[a-z-]*:(?:secretsmanager|ssm|kms):[a-z0-9-]*:\d{12}:(?:secret:|parameter/|key/|alias/)|(?:ref\+)?(?:secretsmanager|secrets-manager|awssm|aws-sm|ssm|vault|gcpsm|gcp-secret|sm|azkv|azure-keyvault|keyvault|op|doppler|infisical|sops)(?::|://))(.+)$").unwrap()
    });
    STORE
        .captures(value)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str())
        .filter(|rest| {
            rest.split(['/', ':', '#'])
                .filter(|s| !s.is_empty())
                .all(|s| {
                    s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                })
        })
}

/// True when a setting's name says its value points at a secret rather than
/// holding one: its last word is an id, name, reference, ARN, path or file
/// (`credentialsId`, `tls_secret_name`, `secretRef`, `SIGNING_KEY_ARN`).
fn names_a_reference(name: &str) -> bool {
    let last = name
        .rsplit(|c: char| !c.is_ascii_alphanumeric())
        .find(|w| !w.is_empty())
        .unwrap_or("");
    // The last camelCase word: `credentialsId` → `Id`.
    let start = last
        .char_indices()
        .rev()
        .find(|&(i, c)| {
            i > 0
                && c.is_ascii_uppercase()
                && last[..i]
                    .chars()
                    .last()
                    .is_some_and(|p| p.is_ascii_lowercase())
        })
        .map_or(0, |(i, _)| i);
    matches!(
        last[start..].to_ascii_lowercase().as_str(),
        "id" | "ids" | "name" | "names" | "ref" | "arn" | "path" | "file" | "uri" | "location"
    )
}

/// True when the value is the name of a secret kept elsewhere, not the
/// secret: an environment variable (`STRIPE_SECRET_KEY`), or, in a config
/// file, a key of a secret store named for what it holds (`stripe-api-key`,
/// `database-url`, `smtp-password`). Words joined by separators in one case
/// are how names are written; keys and tokens mix case and digits. A
/// password-like setting's value is never taken for a name (a passphrase is
/// words too).
fn names_a_secret(name: &str, value: &str, config_file: bool) -> bool {
    let lname = name.to_ascii_lowercase();
    let password_like = ["password", "passwd", "pwd", "passphrase"]
        .iter()
        .any(|p| lname.ends_with(p));
    if let Some(rest) = store_reference(value) {
        return names_a_secret(name, rest, true) || rest.matches('/').count() >= 1;
    }
    // A trailing version (`-v2`) is part of a name, not of a key.
    let words: Vec<&str> = value
        .split(['_', '-', '.', '/'])
        .filter(|w| !is_version(w))
        .collect();
    let wordlike = |w: &&str| {
        let letters = w.trim_end_matches(|c: char| c.is_ascii_digit());
        (2..=16).contains(&letters.len())
            && w.len() - letters.len() <= 2
            && letters.chars().all(|c| c.is_ascii_alphabetic())
            // One case per word: `wJalrXUtnFEMI` is a key, not a word.
            && (letters.chars().all(|c| c.is_ascii_lowercase())
                || letters.chars().all(|c| c.is_ascii_uppercase()))
    };
    if words.len() < 2 || !words.iter().all(wordlike) {
        return false;
    }
    if value.chars().all(|c| !c.is_ascii_lowercase()) && !value.contains(['-', '/']) {
        return !password_like; // SCREAMING_SNAKE: an environment variable
    }
    if config_file && value.matches('/').count() >= 2 && !password_like {
        return true; // a resource path: `projects/acme/secrets/twilio-sid/versions/latest`
    }
    const HOLDS: &[&str] = &[
        "key",
        "secret",
        "token",
        "password",
        "url",
        "uri",
        "dsn",
        "credentials",
        "cert",
        "pem",
        "passphrase",
        "apikey",
        "creds",
        "auth",
    ];
    config_file
        && value.chars().all(|c| !c.is_ascii_uppercase())
        && words.last().is_some_and(|w| HOLDS.contains(w))
}

/// A Firebase client configuration file (`google-services.json`,
/// `GoogleService-Info.plist`) or web config object (`apiKey` beside
/// `authDomain` or `messagingSenderId`).
fn firebase_client_config(f: &FileView<'_>) -> bool {
    let name = f.path.rsplit('/').next().unwrap_or(f.path);
    if matches!(name, "google-services.json" | "GoogleService-Info.plist") {
        return true;
    }
    f.new_text().is_some_and(|t| {
        t.contains("apiKey") && (t.contains("authDomain") || t.contains("messagingSenderId"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_firebase_client_key_is_low_and_the_same_key_in_server_code_critical() {
        use crate::risk::testkit::findings_with_contents;
        let key = "AIzaSyBx7Kq2mN4pR8sT1vW3yZ5aC6dE9fGhJkL";
        let level = |path: &str, new: &str| {
            findings_with_contents(path, "", new)
                .into_iter()
                .find(|f| f.rule == "secret-provider-key")
                .map(|f| f.severity)
        };
        let services = format!(
            "{{\n  \"client\": [{{\n    \"api_key\": [{{ \"current_key\": \"{key}\" }}]\n  }}]\n}}\n"
        );
        assert_eq!(
            level("android/app/google-services.json", &services),
            Some(Severity::Low)
        );
        let web = format!(
            "const firebaseConfig = {{\n  apiKey: \"{key}\",\n  authDomain: \"shop.firebaseapp.com\",\n}};\n"
        );
        assert_eq!(level("web/src/firebase.ts", &web), Some(Severity::Low));
        let server = format!("GEOCODER = GoogleMaps(key=\"{key}\")\n");
        assert_eq!(level("app/geo.py", &server), Some(Severity::Critical));
    }

    #[test]
    fn local_development_files_are_told_apart() {
        assert!(local_only("dev/docker-compose.yml"));
        assert!(local_only("deploy/docker-compose.dev.yml"));
        assert!(local_only(".env.local"));
        assert!(!local_only("deploy/staging/values.yaml"));
        assert!(!local_only("config/production.yml"));
        assert!(!local_only("src/devices/config.py"));
    }

    #[test]
    fn the_name_of_a_secret_is_not_a_secret() {
        assert!(names_a_secret("secretKey", "STRIPE_SECRET_KEY", false));
        assert!(names_a_secret(
            "client_secret_env",
            "HELPDESK_OIDC_CLIENT_SECRET",
            true
        ));
        assert!(names_a_secret("secretKey", "stripe-webhook-secret", true));
        assert!(names_a_secret("key", "billing/prod/database-url", true));
        assert!(names_a_secret(
            "TWILIO_ACCOUNT_SID_SECRET",
            "projects/acme-prod/secrets/twilio-account-sid/versions/latest",
            true
        ));
        // Secrets themselves: mixed case and digits, or a passphrase.
        assert!(!names_a_secret(
            "secretKey",
            "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
            true
        ));
        assert!(!names_a_secret("api_key", "AKIAZ7Q3M4XK2P9LWV5R", false));
        assert!(!names_a_secret(
            "db_password",
            "correct-horse-battery-staple",
            true
        ));
        assert!(!names_a_secret("PASSWORD", "CORRECT_HORSE_BATTERY", false));
        // In code, a kebab value is not taken for a store key.
        assert!(!names_a_secret("jwt_secret", "my-signing-secret", false));
        assert!(!names_a_secret("token", "ab-cd-ef", true));
        // Versions and store references.
        assert!(names_a_secret(
            "opensearchCredentialsSecret",
            "opensearch-staging-creds-v2",
            true
        ));
        assert!(names_a_secret(
            "api_key",
            "secretsmanager:prod/payouts/wise/api-key",
            true
        ));
        assert!(names_a_secret(
            "signing_key",
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/hooks/signing-Ab12Cd",
            false
        ));
        assert!(names_a_secret(
            "token",
            "op://Payments/Stripe/credential",
            false
        ));
        assert!(!names_a_secret("token", "vault:Qv8rT2mLx9Wk4pZs+/=", true));
        assert!(!names_a_secret("secret", "sk-9aZq-xY7w-v2", true));
        assert!(names_a_reference("credentialsId"));
        assert!(names_a_reference("TLS_SECRET_NAME"));
        assert!(names_a_reference("signingKeyArn"));
        assert!(!names_a_reference("clientSecret"));
        assert!(!names_a_reference("api_key"));
        assert!(!names_a_reference("PASSWORD"));
        assert!(!names_a_secret(
            "secret",
            "wJalrXUtnFEMI/KbMDENGb/PxRfiCYEXAMPLEKEY",
            true
        ));
    }

    #[test]
    fn a_tool_rc_file_is_a_secret_file_only_when_it_holds_a_credential() {
        use crate::risk::testkit::rules_hit;
        let hit = |path: &str, new: &str| {
            rules_hit(path, Some("package-lock=false\n"), Some(new))
                .contains(&"secret-file".to_string())
        };
        let settings = "package-lock=false\nmin-release-age=7\nignore-scripts=true\n";
        assert!(!hit(".npmrc", settings));
        let from_env = "package-lock=false\n//npm.pkg.github.com/:_authToken=${NODE_AUTH_TOKEN}\n";
        assert!(!hit(".npmrc", from_env));
        let literal =
            "package-lock=false\n//registry.npmjs.org/:_authToken=npm_a1B2c3D4e5F6g7H8i9J0\n";
        assert!(hit(".npmrc", literal));
        assert!(hit(
            ".netrc",
            "machine api.example.com login deploy password s3cretPass\n"
        ));
        assert!(hit(
            ".pypirc",
            "[pypi]\nusername = __token__\npassword = pypi-AgEIcHlwaS5vcmc\n"
        ));
        assert!(!hit(".pypirc", "[distutils]\nindex-servers =\n    pypi\n"));
    }

    #[test]
    fn a_key_named_after_itself_is_no_secret() {
        assert!(names_itself(
            "GOOGLE_OAUTH_CLIENT_SECRET",
            "google_oauth_client_secret"
        ));
        assert!(names_itself("settings.STRIPE_API_KEY", "STRIPE_API_KEY"));
        assert!(!names_itself("STRIPE_API_KEY", "q8Zr2LkP0vX7mN4tB9wE"));
    }

    #[test]
    fn an_environment_file_of_plain_settings_is_worth_a_look_one_with_keys_an_alarm() {
        use crate::risk::Severity;
        let sev = |text: &str| {
            crate::risk::testkit::findings_of_change(&[(".env", None, Some(text))], None)
                .into_iter()
                .find(|f| f.rule == "secret-file")
                .map(|f| f.severity)
        };
        assert_eq!(
            sev("# for the editor's test runner\nDJANGO_SETTINGS_MODULE=tests.settings\n"),
            Some(Severity::Medium)
        );
        assert_eq!(
            sev("DJANGO_SETTINGS_MODULE=tests.settings\nSTRIPE_API_KEY=abc\n"),
            Some(Severity::High)
        );
        assert_eq!(
            sev("DATABASE_URL=postgres://app:app@db/app\n"),
            Some(Severity::High)
        );
        assert_eq!(sev("FEATURE=q8Zt3LmN0vXr7Kp2Wd9s\n"), Some(Severity::High));
    }

    #[test]
    fn ciphertext_for_a_key_held_elsewhere_is_not_a_credential() {
        use crate::risk::testkit::rules_hit;
        let value = "AgBvK3c1pQ0c8nJ6yF2m7Xk3wR9tL5sH0dE4aZ1uV8bN6qT2yC7xM3kP9wJ5rD1fG4hS8lA0eU6iO2zB7nV3cX5mQ1tY9wK4jR8pL2sD6fH0gA3zE5xC7vB9nM1qW4e==";
        let sealed = format!(
            "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: payments-adyen\nspec:\n  encryptedData:\n    api-key: {value}\n"
        );
        let hit = rules_hit("deploy/k8s/sealedsecret-adyen.yaml", None, Some(&sealed));
        assert!(!hit.contains(&"secret-assignment".to_string()), "{hit:?}");
        let sops = "db:\n  password: ENC[AES256_GCM,data:Zm9vYmFyYmF6cXV4cXV1eA==,iv:abcdEFGH1234,tag:xyz==,type:str]\n";
        let hit = rules_hit("deploy/secrets.enc.yaml", None, Some(sops));
        assert!(!hit.contains(&"secret-assignment".to_string()), "{hit:?}");
        // The same value in a plain Secret's stringData is a credential.
        let plain = format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: payments-adyen\nstringData:\n  api-key: {value}\n"
        );
        let hit = rules_hit("deploy/k8s/secret-adyen.yaml", None, Some(&plain));
        assert!(hit.contains(&"secret-assignment".to_string()), "{hit:?}");
    }

    #[test]
    fn entropy_separates_keys_from_words() {
        assert!(looks_random("q8Zr2LkP0vX7mN4tB9wE"));
        assert!(!looks_random("correcthorsebattery"));
        assert!(placeholder("changeme-please"));
        assert!(placeholder("${DB_PASSWORD}"));
    }

    #[test]
    fn key_formats_are_recognised() {
        let hit = |s: &str| PROVIDERS.iter().any(|p| p.re.is_match(s));
        assert!(hit("aws_access_key_id = AKIAZ7Q3M4XK2P9LWV5R"));
        assert!(hit("-----BEGIN OPENSSH PRIVATE KEY-----"));
        assert!(hit(
            "url = \"postgres://svc:Vx9!kq2Lm@db.internal:5432/app\""
        ));
        assert!(!hit("let url = \"https://example.com/path\";"));
    }
}

#[cfg(test)]
mod more_tests {

    #[test]
    fn the_test_suites_env_file_is_a_look_a_production_one_an_alarm() {
        use crate::risk::Severity;
        use crate::risk::testkit::findings_with_contents;
        let env = "DATABASE_URL=postgresql://localhost:5432/app_test\nSESSION_SECRET=test-only\n";
        let sev = |path: &str| {
            findings_with_contents(path, "", env)
                .into_iter()
                .find(|f| f.rule == "secret-file")
                .map(|f| f.severity)
        };
        assert_eq!(sev(".env.test"), Some(Severity::Medium));
        assert_eq!(sev(".env.production"), Some(Severity::High));
        assert_eq!(sev(".env"), Some(Severity::High));
    }
    use crate::risk::testkit::rules_hit;

    #[test]
    fn secrets_in_code_config_and_tests() {
        assert_eq!(
            rules_hit(
                "app/config.py",
                None,
                Some("API_KEY = \"q8Zr2LkP0vX7mN4tB9wE\"\n")
            ),
            vec!["secret-assignment"]
        );
        assert!(
            rules_hit(
                "app/config.py",
                None,
                Some("API_KEY = os.environ[\"API_KEY\"]\n")
            )
            .is_empty()
        );
        assert_eq!(
            rules_hit(
                "deploy/app.yaml",
                None,
                Some("  DB_PASSWORD: Qv8rT2mLx9Wk4pZs\n")
            ),
            vec!["secret-assignment"]
        );
        assert!(
            rules_hit(
                "deploy/app.yaml",
                None,
                Some("  DB_PASSWORD: ${DB_PASSWORD}\n")
            )
            .is_empty()
        );
        // Names of secret objects kept elsewhere are not secrets.
        for line in [
            "    existingSecret: payments-db-credentials-v2\n",
            "    tlsSecretName: wildcard-acme-io-tls-2024\n",
            "    secretRef: orders-api-signing-keys\n",
        ] {
            assert!(rules_hit("deploy/helm/values.yaml", None, Some(line)).is_empty());
        }
        assert_eq!(
            rules_hit(
                "deploy/helm/values.yaml",
                None,
                Some("    secretValue: Qv8rT2mLx9Wk4pZs\n")
            ),
            vec!["secret-assignment"]
        );
        assert_eq!(
            rules_hit(
                ".env.example",
                None,
                Some("SECRET_KEY=replace-with-50-random-characters\n")
            ),
            Vec::<String>::new()
        );
        assert_eq!(
            rules_hit(
                "certs/server.key",
                None,
                Some("-----BEGIN PRIVATE KEY-----\n")
            ),
            vec!["secret-provider-key", "secret-file"]
        );
    }
}
