//! git's allowed_signers format (ssh-keygen(1), "ALLOWED SIGNERS"): one key a
//! line, `principals [options] keytype base64-key [comment]`. Principals are a
//! comma-separated list of patterns (`*`, `?`, `!negation`); options are
//! `namespaces="a,b"`, `valid-after=`, `valid-before=` (`YYYYMMDD[HHMM[SS]][Z]`)
//! and `cert-authority`, which countersign refuses with a clear message (list
//! each reviewer's own key instead). A broken line is skipped and reported;
//! it never hides the valid lines.

use ssh_key::PublicKey;
use ssh_key::public::KeyData;

/// One line of an allowed_signers file.
#[derive(Debug, Clone)]
pub struct Entry {
    /// 1-based line number.
    pub line: usize,
    pub principals: Vec<String>,
    /// Namespace patterns; `None` allows every namespace.
    pub namespaces: Option<Vec<String>>,
    /// Seconds since the epoch.
    pub valid_after: Option<i64>,
    pub valid_before: Option<i64>,
    pub key: PublicKey,
}

/// A parsed allowed_signers file.
#[derive(Debug, Clone, Default)]
pub struct AllowedSigners {
    pub entries: Vec<Entry>,
    /// One message per refused line ("<origin>:<line>: why").
    pub errors: Vec<String>,
}

/// Why a key may not sign for a principal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignerProblem {
    /// Not listed for this principal (or not for this namespace).
    Unknown(String),
    /// Listed, but `at` is outside its validity window.
    Expired(String),
}

impl AllowedSigners {
    /// Parses a file; `origin` names it in messages.
    pub fn parse(text: &str, origin: &str) -> AllowedSigners {
        let mut out = AllowedSigners::default();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match parse_entry(line, i + 1) {
                Ok(e) => out.entries.push(e),
                Err(why) => out.errors.push(format!("{origin}:{}: {why}", i + 1)),
            }
        }
        out
    }

    /// The principals (patterns) listed for a key.
    pub fn principals_for(&self, key: &KeyData) -> Vec<String> {
        self.entries
            .iter()
            .filter(|e| e.key.key_data() == key)
            .flat_map(|e| e.principals.iter().cloned())
            .collect()
    }

    /// Whether `key` may sign in `namespace` as `principal` at time `at`
    /// (seconds since the epoch), with the same rules as `ssh-keygen -Y verify`.
    pub fn check(
        &self,
        principal: &str,
        key: &KeyData,
        namespace: &str,
        at: i64,
    ) -> Result<(), SignerProblem> {
        let mut expired: Option<String> = None;
        let mut wrong_ns: Option<String> = None;
        let mut key_listed_for_others = false;
        for e in self.entries.iter().filter(|e| e.key.key_data() == key) {
            if !match_list(principal, &e.principals) {
                key_listed_for_others = true;
                continue;
            }
            if let Some(ns) = &e.namespaces
                && !match_list(namespace, ns)
            {
                wrong_ns = Some(format!(
                    "line {}: the key is allowed only for namespaces {}",
                    e.line,
                    ns.join(",")
                ));
                continue;
            }
            if let Some(after) = e.valid_after
                && at < after
            {
                expired = Some(format!(
                    "line {}: the key is valid only after {}, the decision is dated {}",
                    e.line,
                    fmt_time(after),
                    fmt_time(at)
                ));
                continue;
            }
            if let Some(before) = e.valid_before
                && at > before
            {
                expired = Some(format!(
                    "line {}: the key expired at {}, the decision is dated {}",
                    e.line,
                    fmt_time(before),
                    fmt_time(at)
                ));
                continue;
            }
            return Ok(());
        }
        if let Some(why) = expired {
            return Err(SignerProblem::Expired(why));
        }
        if let Some(why) = wrong_ns {
            return Err(SignerProblem::Unknown(why));
        }
        if key_listed_for_others {
            return Err(SignerProblem::Unknown(format!(
                "the key is not listed for principal {principal:?}"
            )));
        }
        Err(SignerProblem::Unknown(format!(
            "the key is not in allowed_signers (principal {principal:?})"
        )))
    }
}

pub(crate) fn fmt_time(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| t.to_string())
}

/// Splits off the first field of `s`: a token up to unquoted whitespace.
fn take_field(s: &str) -> (String, &str) {
    let mut in_quote = false;
    let mut end = s.len();
    for (i, c) in s.char_indices() {
        match c {
            '"' => in_quote = !in_quote,
            c if c.is_whitespace() && !in_quote => {
                end = i;
                break;
            }
            _ => {}
        }
    }
    (s[..end].to_string(), s[end..].trim_start())
}

fn is_key_type(s: &str) -> bool {
    s.starts_with("ssh-")
        || s.starts_with("ecdsa-sha2-")
        || s.starts_with("sk-ssh-")
        || s.starts_with("sk-ecdsa-")
        || s.starts_with("rsa-sha2-")
}

fn parse_entry(line: &str, no: usize) -> Result<Entry, String> {
    let (principals, rest) = take_field(line);
    let principals = principals.trim_matches('"');
    if principals.is_empty() || rest.is_empty() {
        return Err("expected `principals [options] keytype key`".into());
    }
    let (next, after) = take_field(rest);
    let (options, key_text) = if is_key_type(&next) {
        (String::new(), rest)
    } else {
        (next, after)
    };
    let mut e = Entry {
        line: no,
        principals: principals
            .split(',')
            .map(|p| p.trim().to_string())
            .collect(),
        namespaces: None,
        valid_after: None,
        valid_before: None,
        key: {
            let mut parts = key_text.split_whitespace();
            let kind = parts.next().unwrap_or("");
            let data = parts.next().unwrap_or("");
            PublicKey::from_openssh(&format!("{kind} {data}"))
                .map_err(|err| format!("not a valid public key ({err})"))?
        },
    };
    for opt in split_options(&options) {
        let (name, value) = match opt.split_once('=') {
            Some((n, v)) => (
                n.to_ascii_lowercase(),
                Some(v.trim_matches('"').to_string()),
            ),
            None => (opt.to_ascii_lowercase(), None),
        };
        match (name.as_str(), value) {
            ("cert-authority", _) => {
                return Err(
                    "cert-authority (certificate) lines are not supported by countersign; list each reviewer's own public key"
                        .into(),
                );
            }
            ("namespaces", Some(v)) => {
                e.namespaces = Some(v.split(',').map(|s| s.trim().to_string()).collect())
            }
            ("valid-after", Some(v)) => e.valid_after = Some(parse_ssh_time(&v)?),
            ("valid-before", Some(v)) => e.valid_before = Some(parse_ssh_time(&v)?),
            (other, _) => return Err(format!("unknown option {other:?}")),
        }
    }
    Ok(e)
}

/// Splits `a,b="x,y",c` on commas outside quotes.
fn split_options(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_quote = false;
    for c in s.chars() {
        match c {
            '"' => {
                in_quote = !in_quote;
                cur.push(c);
            }
            ',' if !in_quote => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out.into_iter().filter(|o| !o.is_empty()).collect()
}

/// Parses ssh-keygen's `YYYYMMDD[HHMM[SS]][Z]` (local time without `Z`).
pub fn parse_ssh_time(s: &str) -> Result<i64, String> {
    use chrono::{NaiveDate, NaiveDateTime, TimeZone};
    let bad = || format!("{s:?} is not a time of the form YYYYMMDD[HHMM[SS]][Z]");
    let (digits, utc) = match s.strip_suffix(['Z', 'z']) {
        Some(d) => (d, true),
        None => (s, false),
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) || ![8, 12, 14].contains(&digits.len()) {
        return Err(bad());
    }
    let n = |a: usize, b: usize| digits.get(a..b).map_or(Ok(0), |x| x.parse::<u32>());
    let date = NaiveDate::from_ymd_opt(
        n(0, 4).map_err(|_| bad())? as i32,
        n(4, 6).map_err(|_| bad())?,
        n(6, 8).map_err(|_| bad())?,
    )
    .ok_or_else(bad)?;
    let time: NaiveDateTime = date
        .and_hms_opt(
            n(8, 10).map_err(|_| bad())?,
            n(10, 12).map_err(|_| bad())?,
            n(12, 14).map_err(|_| bad())?,
        )
        .ok_or_else(bad)?;
    if utc {
        Ok(time.and_utc().timestamp())
    } else {
        chrono::Local
            .from_local_datetime(&time)
            .earliest()
            .map(|t| t.timestamp())
            .ok_or_else(bad)
    }
}

/// ssh's `match_pattern_list`: false if any `!pattern` matches, else true if any
/// pattern matches.
pub fn match_list(s: &str, patterns: &[String]) -> bool {
    let mut matched = false;
    for p in patterns {
        if let Some(neg) = p.strip_prefix('!') {
            if match_pattern(s.as_bytes(), neg.as_bytes()) {
                return false;
            }
        } else if match_pattern(s.as_bytes(), p.as_bytes()) {
            matched = true;
        }
    }
    matched
}

/// `*` matches any run, `?` any one byte; everything else literally.
pub fn match_pattern(s: &[u8], p: &[u8]) -> bool {
    let (mut si, mut pi) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        // A `*` in the pattern is always a wildcard, even facing a literal `*`
        // in the subject (checked first, or `**` would not match `*`).
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, si));
            pi += 1;
        } else if pi < p.len() && (p[pi] == b'?' || p[pi] == s[si]) {
            si += 1;
            pi += 1;
        } else if let Some((sp, ss)) = star {
            pi = sp + 1;
            si = ss + 1;
            star = Some((sp, ss + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";

    #[test]
    fn patterns_match_like_ssh() {
        assert!(match_pattern(b"alice@example.com", b"*@example.com"));
        assert!(match_pattern(b"ab", b"a?"));
        assert!(!match_pattern(b"abc", b"a?"));
        assert!(match_list("a@x", &["*@x".into()]));
        assert!(!match_list("a@x", &["*@x".into(), "!a@*".into()]));
        // A literal star in the subject still meets a wildcard (found by the
        // reference-matcher property in tests/hostile/fuzz.rs).
        assert!(match_pattern(b"**", b"*"));
        assert!(match_pattern(b"*x@example.com", b"*@example.com"));
    }

    #[test]
    fn options_and_quotes_parse() {
        let text = format!(
            "# team\n\"alice@x,bob@x\" namespaces=\"git,countersign\",valid-after=20250101Z,valid-before=20300101000000Z {KEY} alice\ncarol@x {KEY}\n"
        );
        let a = AllowedSigners::parse(&text, "as");
        assert!(a.errors.is_empty(), "{:?}", a.errors);
        assert_eq!(a.entries.len(), 2);
        let e = &a.entries[0];
        assert_eq!(e.principals, vec!["alice@x", "bob@x"]);
        assert_eq!(e.namespaces.as_ref().unwrap(), &vec!["git", "countersign"]);
        assert_eq!(e.valid_after, Some(1735689600));
        let k = e.key.key_data().clone();
        assert!(a.check("bob@x", &k, "countersign", 1_800_000_000).is_ok());
        assert!(matches!(
            a.check("alice@x", &k, "countersign", 1_700_000_000),
            Err(SignerProblem::Expired(_))
        ));
        assert!(a.check("carol@x", &k, "anything", 1).is_ok());
        assert!(matches!(
            a.check("dave@x", &k, "countersign", 1_800_000_000),
            Err(SignerProblem::Unknown(_))
        ));
    }

    #[test]
    fn cert_authority_and_junk_are_refused_but_keep_the_rest() {
        let text = format!("*@x cert-authority {KEY}\nnonsense\nok@x {KEY}\n");
        let a = AllowedSigners::parse(&text, "f");
        assert_eq!(a.entries.len(), 1);
        assert_eq!(a.errors.len(), 2);
        assert!(a.errors[0].contains("cert-authority"), "{:?}", a.errors);
        assert!(a.errors[0].starts_with("f:1:"));
    }
}
