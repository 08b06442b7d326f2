//! Randomness that can be guessed where a secret is made. A generator seeded
//! with the clock (`StdRng::seed_from_u64(now_ms)`, `rand.NewSource(time.Now()
//! .UnixNano())`, `new Random(System.currentTimeMillis())`) replays the same
//! stream for anyone who knows roughly when a token was made, and a
//! general-purpose generator (`Math.random()`, Python's `random`, PHP's
//! `mt_rand`, Rust's `fastrand`, Java's `ThreadLocalRandom`) is predictable from its output. Either one replacing the
//! operating system's generator (`OsRng`, `crypto/rand`, `secrets`,
//! `SecureRandom`, `randomBytes`), or producing a token, password, nonce or
//! code, makes those secrets guessable.

use std::sync::LazyLock;

use regex::Regex;

use super::code::function_name;
use super::{ChangeView, FileView, Finding, Severity, quote};

/// Cryptographically secure sources.
static SECURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(OsRng|getrandom|crypto/rand|crypto\.randomBytes|randomBytes|randomInt|randomUUID|getRandomValues|secrets\.|SecureRandom|RandomNumberGenerator|random_bytes|random_int|SystemRandom|urandom|RAND_bytes|rand_core::OsRng)").expect("a valid regex")
});
/// Generators whose output can be predicted.
static WEAK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\bseed_from_u64\s*\(|\bStdRng::from_seed|\bSmallRng\b|\bSeedableRng\b|rand\.NewSource\s*\(|rand\.New\s*\(|rand\.Seed\s*\(|\bMath\.random\s*\(|(^|[^\w.])random\.(random|randint|choice|choices|getrandbits|randrange|sample)\s*\(|\bnew\s+Random\s*\(|\bmt_rand\s*\(|(^|[^\w.>])rand\s*\(\s*\d*\s*,?\s*\d*\s*\)|\bsrand\s*\(|\brandom\.seed\s*\(|\bfastrand::\w+|\bWyRand\b|\bThreadLocalRandom\b|\bXorShift\w*|\bXoshiro\w*|\bPcg(32|64)\w*|\bRandom\.(Default\.)?next(Int|Long|Bytes)\s*\()").expect("a valid regex")
});
/// A seeding call.
static SEEDING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(seed\w*\s*\(|NewSource\s*\(|new\s+Random\s*\(\s*\w)").expect("a valid regex")
});
/// The clock.
static CLOCK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(SystemTime::now|Instant::now|time\.Now\(\)|Date\.now\(\)|new Date\(\)|currentTimeMillis|nanoTime|DateTime\.(Now|UtcNow)|Environment\.TickCount|time\.time\(\)|time\.time_ns\(\)|\bmicrotime\(|\btime\(\))").expect("a valid regex")
});
/// What a secret is called.
static SECRET_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(token|secret|nonce|otp|password|passwd|salt|api_?key|reset|invite|session|csrf|verification_?code|auth_?code|one_?time)").expect("a valid regex")
});

/// Predictable randomness the change brings in where secrets are made.
/// A value that must be new for every request, session or message.
static PER_USE_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(nonce|csrf|xsrf|\bstate\b|_state\b|\biv\b|salt|otp|challenge|verifier)")
        .expect("a valid regex")
});

/// A nonce, salt or CSRF value that used to be drawn inside a function (per
/// request) and is now drawn once, at the top of the module: every request
/// the process serves gets the same value, and anyone who reads it from one
/// response can reuse it.
fn drawn_once(f: &FileView<'_>, change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    let indented = |t: &str| t.starts_with([' ', '\t']);
    let drawn = |t: &str| SECURE.is_match(t) || WEAK.is_match(t);
    let Some(l) = f.added_code().find(|l| {
        !indented(l.text) && drawn(l.text) && PER_USE_NAME.is_match(l.text) && l.text.contains('=')
    }) else {
        return;
    };
    // Drawn per call before, in this file or one the change moves it out of
    // (a middleware whose nonce now comes from a new module).
    if !change
        .files
        .iter()
        .filter(|g| g.class.production())
        .any(|g| {
            g.removed_code()
                .any(|l| indented(l.text) && drawn(l.text) && PER_USE_NAME.is_match(l.text))
        })
    {
        return;
    }
    out.push(Finding::added(
        "secret-drawn-once",
        Severity::High,
        f.path,
        Some(l.no),
        format!(
            "`{}` is now drawn once, when the module loads, where it was drawn per call: every request shares the value, so one read from any response can be reused.",
            quote(l.text.trim())
        ),
    ));
}

/// Whether line `no` of `text` is in a helper that a function named for a
/// secret calls (`_random_string` called by `generate_otp`): the helper
/// makes that secret, whatever it is called.
fn helper_of_secrets(text: &str, no: u32) -> bool {
    let lines: Vec<&str> = text.lines().collect();
    let Some(helper) = lines
        .get(..(no as usize).min(lines.len()))
        .and_then(|above| above.iter().rev().find_map(|l| function_name(l)))
    else {
        return false;
    };
    if SECRET_WORD.is_match(helper) {
        return true;
    }
    let call = format!("{helper}(");
    let mut in_secret_fn = false;
    for l in &lines {
        if let Some(name) = function_name(l) {
            in_secret_fn = name != helper && SECRET_WORD.is_match(name);
            continue;
        }
        if in_secret_fn && l.contains(&call) {
            return true;
        }
    }
    false
}

pub fn check(f: &FileView<'_>, change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    if !f.class.production() || f.class.ci || f.class.infra || f.class.migration {
        return;
    }
    drawn_once(f, change, out);
    let Some(first) = f.added_code().find(|l| WEAK.is_match(l.text)) else {
        return;
    };
    let text = f.new_text_or_hunks();
    let secure_dropped =
        f.removed_code().any(|l| SECURE.is_match(l.text)) && !SECURE.is_match(&text);
    let seeded_by_clock = f.added_code().any(|l| SEEDING.is_match(l.text))
        && f.added_code().any(|l| CLOCK.is_match(l.text));
    let for_secrets = f
        .added_code()
        .filter(|l| WEAK.is_match(l.text))
        .find(|l| SECRET_WORD.is_match(l.text) || helper_of_secrets(&text, l.no));
    let (line, why) = if seeded_by_clock {
        (
            first,
            "it is seeded with the clock, so anyone who knows roughly when a value was made can replay the generator",
        )
    } else if secure_dropped {
        (
            first,
            "it replaces the operating system's secure generator, and its output can be predicted from what it produced before",
        )
    } else if let Some(l) = for_secrets {
        (
            l,
            "a general-purpose generator makes this secret, and its output can be predicted from what it produced before",
        )
    } else {
        return;
    };
    out.push(Finding::added(
        "sec-predictable-random",
        Severity::High,
        f.path,
        Some(line.no),
        format!(
            "Makes values with a predictable generator (`{}`): {why}. Use the operating system's generator for tokens, ids that grant access, and codes.",
            quote(line.text.trim())
        ),
    ));
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents;

    const RULE: &str = "sec-predictable-random";

    #[test]
    fn a_nonce_moved_from_the_request_to_the_module_is_found() {
        let rule = "secret-drawn-once".to_string();
        let old = "export function middleware(req) {\n  const nonce = Buffer.from(crypto.randomUUID()).toString('base64');\n  res.headers.set('x-nonce', nonce);\n}\n";
        let new = "const NONCE = Buffer.from(crypto.randomUUID()).toString('base64');\n\nexport function middleware(req) {\n  res.headers.set('x-nonce', NONCE);\n}\n";
        let hit = crate::risk::testkit::rules_hit_with_contents("middleware.ts", old, new);
        assert!(hit.contains(&rule), "{hit:?}");
        // A request id drawn once at start-up is a process id, not a secret.
        let old = "function handler(req) {\n  const requestId = crypto.randomUUID();\n}\n";
        let new = "const instanceId = crypto.randomUUID();\n\nfunction handler(req) {\n  log(instanceId);\n}\n";
        let hit = crate::risk::testkit::rules_hit_with_contents("server.ts", old, new);
        assert!(!hit.contains(&rule), "{hit:?}");
    }

    #[test]
    fn a_nonce_moved_out_of_the_request_into_a_new_module_is_found() {
        use crate::risk::testkit::findings_of_change;
        let old = "export function middleware(req) {\n  const nonce = crypto.randomUUID();\n  res.headers.set('x-nonce', nonce);\n}\n";
        let new = "import { cspNonce } from './csp';\n\nexport function middleware(req) {\n  res.headers.set('x-nonce', cspNonce());\n}\n";
        let module =
            |draw: &str| format!("{draw}\nexport function cspNonce() {{\n  return nonce;\n}}\n");
        let rules = |m: &str| -> Vec<String> {
            findings_of_change(
                &[
                    ("src/middleware.ts", Some(old), Some(new)),
                    ("src/csp.ts", None, Some(m)),
                ],
                None,
            )
            .into_iter()
            .map(|f| f.rule)
            .collect()
        };
        let once = module("const nonce = crypto.randomUUID();\n");
        assert!(rules(&once).contains(&"secret-drawn-once".to_string()));
        // Drawn in the function the middleware calls: per request still.
        let per_call = "export function cspNonce() {\n  return crypto.randomUUID();\n}\n";
        assert!(!rules(per_call).contains(&"secret-drawn-once".to_string()));
    }

    #[test]
    fn a_helper_that_a_token_function_calls_makes_tokens() {
        let old = "import secrets\nimport string\n\ndef generate_otp(digits=6):\n    return \"\".join(str(secrets.randbelow(10)) for _ in range(digits))\n";
        let new = "import random\nimport secrets\nimport string\n\ndef _pick(alphabet, length):\n    return \"\".join(random.choices(alphabet, k=length))\n\ndef generate_otp(digits=6):\n    return _pick(string.digits, digits)\n";
        let hit = rules_hit_with_contents("src/kit/codes.py", old, new);
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
        // The same helper shuffling a playlist for a function that is not
        // about secrets is not found.
        let old = "import string\n\ndef shuffle_tracks(n):\n    return list(range(n))\n";
        let new = "import random\nimport string\n\ndef _pick(alphabet, length):\n    return \"\".join(random.choices(alphabet, k=length))\n\ndef shuffle_tracks(n):\n    return _pick(string.digits, n)\n";
        let hit = rules_hit_with_contents("src/kit/playlists.py", old, new);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
    }

    #[test]
    fn a_clock_seeded_generator_replacing_os_rng_is_found() {
        let hit = rules_hit_with_contents(
            "crates/links/src/ids.rs",
            "use rand::rngs::OsRng;\nuse rand::Rng;\n\npub fn token() -> String {\n    let mut rng = OsRng;\n    (0..32).map(|_| rng.gen_range(b'a'..=b'z') as char).collect()\n}\n",
            "use rand::{Rng, SeedableRng, rngs::StdRng};\nuse std::time::{SystemTime, UNIX_EPOCH};\n\npub fn token() -> String {\n    let ms = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64;\n    let mut rng = StdRng::seed_from_u64(ms);\n    (0..32).map(|_| rng.gen_range(b'a'..=b'z') as char).collect()\n}\n",
        );
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
    }

    #[test]
    fn math_random_making_a_reset_code_is_found() {
        let hit = rules_hit_with_contents(
            "src/accounts/reset.js",
            "const crypto = require('crypto');\nfunction code() {\n  return crypto.randomInt(100000, 999999);\n}\n",
            "function code() {\n  const resetCode = Math.floor(Math.random() * 900000) + 100000;\n  return resetCode;\n}\n",
        );
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
    }

    #[test]
    fn random_jitter_for_retries_is_not() {
        let hit = rules_hit_with_contents(
            "src/http/retry.js",
            "function delay(n) {\n  return 100 * 2 ** n;\n}\n",
            "function delay(n) {\n  return 100 * 2 ** n + Math.random() * 50;\n}\n",
        );
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
    }
}
