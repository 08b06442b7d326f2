//! Checks skipped when what they check is missing: a webhook handler that
//! verifies the signature only when the signature header is present (old
//! senders "never signed"), a token verified only when a key is configured.
//! Whoever wants past the check leaves the header out. Every line the change
//! adds reads like support for a new case; what is missing is the `else`
//! that refuses.
//!
//! Read from text, language-agnostic: an `if` that tests whether a value is
//! there, the block it guards (by indentation or braces), and whether the
//! branch taken when the value is absent refuses the request.

use std::sync::LazyLock;

use regex::Regex;

use super::syntax::Grammar;
use super::{FileView, Finding, Severity, quote};

/// A call that verifies a signature, token or digest.
static VERIFY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\w*verif\w*|\w*valid\w*sig\w*|is_?valid\w*|valid_\w+\??|hash_equals|secure_compare|compare_digest|timingsafeequal|fixedtimeequals|constant_time_eq\w*|check_?signature|construct_?event)\s*\(").unwrap()
});

/// What the value tested is about: a signature, token or key.
static SIGNED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(sig|hmac|token|jwt|jwk|digest|signature|x-hub|webhook)").unwrap()
});

/// A condition true when the value is absent.
pub(crate) static ABSENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(^|[^!])(string\.)?isnull(or)?(empty|whitespace)\(|[=!]==?\s*(null|undefined|nil|None)\b|===?\s*(''|"")|\.nil\?|\bis None\b|(^|[^!])\bempty\(|\.blank\?|\.empty\?|\bif\s+not\s+\w+|\bif\s*\(\s*!\s*\$?\w+\s*\)|\bunless\s+\$?\w+(\.present\?)?\s*$|\blen\(\w+\)\s*==\s*0"#).unwrap()
});

/// A condition true when the value is present.
static PRESENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\.present\?|!==?\s*(null|undefined|nil)\b|!=\s*(''|"")|\bis not None\b|\bisset\(|!\s*empty\(|!\s*(string\.)?isnull(or)?(empty|whitespace)\(|\bif\s+\$?\w+\s*:?\s*$|\bif\s*\(\s*\$?\w+\s*\)\s*\{?\s*$|\bif let Some\("#).unwrap()
});

/// A statement that refuses: an error status, a raise, `return false`.
static REFUSES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\b[45]\d\d\b|unauthori[sz]ed|forbid|\bthrow\b|\braise\b|\babort|\breject|\bdeny|return\s+false|\bhalt\b|http_error|panic|\bErr\(|return\s+err\b|badrequest|status\(4|errors?\.new|fail)").unwrap()
});

/// The start of a conditional line.
static IF_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(\}\s*)?(if|elsif|elif|else\s+if|unless)\b").unwrap());

fn indent(l: &str) -> usize {
    l.len() - l.trim_start().len()
}

/// The lines of the block an `if` on line `i` guards, and the index of the
/// line after it.
fn block(lines: &[&str], i: usize) -> (std::ops::Range<usize>, usize) {
    let base = indent(lines[i]);
    let mut j = i + 1;
    while j < lines.len() && lines[j].trim().is_empty() {
        j += 1;
    }
    // A brace on a line of its own (C#, PHP, Allman style).
    if j < lines.len() && lines[j].trim() == "{" && indent(lines[j]) == base {
        let start = j + 1;
        let mut k = start;
        while k < lines.len()
            && !(indent(lines[k]) == base && lines[k].trim_start().starts_with('}'))
        {
            k += 1;
        }
        return (start..k, k);
    }
    let start = i + 1;
    let mut k = start;
    while k < lines.len() && (lines[k].trim().is_empty() || indent(lines[k]) > base) {
        k += 1;
    }
    (start..k, k)
}

/// Whether the branch that follows a block at line `after` (an `else`,
/// `elsif`, or `} else {`) refuses when reached with nothing to verify.
fn rest_refuses(lines: &[&str], after: usize, base: usize) -> bool {
    let Some(l) = lines.get(after) else {
        return false;
    };
    let t = l.trim_start();
    if indent(l) != base {
        return false;
    }
    let t = t.trim_start_matches('}').trim_start();
    if t.is_empty() {
        // A closing brace on its own line: the branch, if any, is below.
        return rest_refuses(lines, after + 1, base);
    }
    if t.starts_with("elsif") || t.starts_with("elif") || t.starts_with("else if") {
        let (_, next) = block(lines, after);
        return rest_refuses(lines, next, base);
    }
    if t.starts_with("else") {
        let (body, _) = block(lines, after);
        return lines[body].iter().any(|x| REFUSES.is_match(x));
    }
    // Straight after the `if`: a refusal there covers the absent case too
    // (`if sig: return ok_if_valid(sig)` then `return 401`).
    REFUSES.is_match(t)
}

/// What an `if` line runs on the line itself, after its condition
/// (`if (!secret) return false;` → `return false;`, `if not sig: raise`).
fn inline_body(line: &str) -> &str {
    let b = line.as_bytes();
    if let Some(open) = line.find('(')
        && let Some(close) = super::code::closing_bracket(b, open)
    {
        return &line[close + 1..];
    }
    line.split_once(':').map_or("", |(_, r)| r)
}

/// The conditionals in `text` that let a missing value skip a
/// verification, with their lines (1-based).
fn skipped_when_missing(text: &str) -> Vec<(u32, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if !IF_LINE.is_match(l) {
            continue;
        }
        let (body, after) = block(&lines, i);
        let body_text = lines[body.clone()].join("\n");
        let base = indent(l);
        let cond = l.trim();
        let present = PRESENT.is_match(cond);
        let absent = !present && ABSENT.is_match(cond);
        if !present && !absent {
            continue;
        }
        // What runs after it in the same function.
        let later: String = lines[after.min(lines.len())..lines.len().min(after + 25)]
            .iter()
            .take_while(|x| !super::code::starts_function(x))
            .copied()
            .collect::<Vec<_>>()
            .join("\n");
        let before = lines[i.saturating_sub(3)..i].join("\n");
        let signed = [cond, &body_text, &before, &later]
            .iter()
            .any(|t| SIGNED.is_match(t));
        if !signed {
            continue;
        }
        if absent {
            // `if (!secret) return false;`: the refusal on the `if`'s own line.
            if REFUSES.is_match(inline_body(l)) {
                continue;
            }
            // `if (sig is missing) { log; }` then the verification.
            if !lines[body].iter().any(|x| REFUSES.is_match(x)) && VERIFY.is_match(&later) {
                out.push((i as u32 + 1, cond.to_string()));
            }
        } else if VERIFY.is_match(&body_text) && !rest_refuses(&lines, after, base) {
            // `if sig.present? { verify }` with nothing refusing otherwise.
            out.push((i as u32 + 1, cond.to_string()));
        }
    }
    out
}

/// Verifications the change makes conditional on their input being there.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs || f.class.vendored || Grammar::of(f.path).is_none() {
        return;
    }
    let Some(new) = f.new_text() else {
        return;
    };
    if !VERIFY.is_match(new) || !SIGNED.is_match(new) {
        return;
    }
    // Only what the change brings: the same skip on the old side was there
    // before it.
    let squash = |t: &str| t.split_whitespace().collect::<String>();
    let was: Vec<String> = f
        .old_text()
        .map(|o| {
            skipped_when_missing(o)
                .iter()
                .map(|(_, c)| squash(c))
                .collect()
        })
        .unwrap_or_default();
    // The same `if` on the old side, answering the same way (its body
    // refused no more than now): the verification depended on it before,
    // farther down than the old side was read.
    let same_before = |cond: &str| {
        let Some(old) = f.old_text() else {
            return false;
        };
        let new_lines: Vec<&str> = new.lines().collect();
        let old_lines: Vec<&str> = old.lines().collect();
        let body_of = |lines: &[&str]| -> Option<String> {
            let i = lines.iter().position(|l| squash(l) == squash(cond))?;
            let (body, _) = block(lines, i);
            Some(format!(
                "{}{}",
                inline_body(lines[i]),
                squash(&lines[body].join("\n"))
            ))
        };
        body_of(&old_lines).is_some_and(|b| Some(b) == body_of(&new_lines))
    };
    let Some((line, cond)) = skipped_when_missing(new)
        .into_iter()
        .find(|(_, c)| !was.contains(&squash(c)) && !same_before(c))
    else {
        return;
    };
    out.push(Finding::added(
        "sec-verification-skipped-when-missing",
        Severity::High,
        f.path,
        Some(line),
        format!(
            "The verification now depends on `{}`: a request that leaves the signature or token out is not refused, it skips the check.",
            quote(&cond)
        ),
    ));
}

#[cfg(test)]
mod tests {
    use super::skipped_when_missing;

    #[test]
    fn a_check_skipped_when_the_header_is_missing_is_found() {
        let cs = "        var header = Request.Headers[\"X-Signature\"].ToString();\n        if (string.IsNullOrEmpty(header))\n        {\n            _log.LogInformation(\"legacy sender\");\n        }\n        else if (!IsValidSignature(body, header))\n        {\n            return Unauthorized();\n        }\n";
        assert!(!skipped_when_missing(cs).is_empty());
        let php = "        if ($signature === null) {\n            $this->logger->warning('unsigned');\n        } else {\n            if (!hash_equals($expected, $signature)) {\n                return new JsonResponse([], 401);\n            }\n        }\n";
        assert!(!skipped_when_missing(php).is_empty());
        let rb = "    def verify_signature!\n      if (v2 = request.headers[\"X-Signature-V2\"]).present?\n        head :unauthorized unless valid_v2?(v2)\n      elsif (v1 = request.headers[\"X-Signature\"]).present?\n        head :unauthorized unless valid_v1?(v1)\n      end\n    end\n";
        assert!(!skipped_when_missing(rb).is_empty());
    }

    #[test]
    fn a_missing_token_answered_as_before_is_not_news() {
        use crate::risk::testkit::rules_hit_with_contents as rules;
        let filler: String = (0..30)
            .map(|i| format!("        int pad{i} = {i};\n"))
            .collect();
        let old = format!(
            "public class Jwt {{\n    public Optional<Claims> parse(String token) {{\n        if (token == null || token.isBlank()) {{\n            log.debug(\"no token\");\n            return Optional.empty();\n        }}\n{filler}        Jws<Claims> jws = Jwts.parser().verifyWith(key).build().parseSignedClaims(token);\n        return Optional.of(jws.getBody());\n    }}\n}}\n"
        );
        let new = old.replace(&filler, "");
        let rule = "sec-verification-skipped-when-missing".to_string();
        assert!(!rules("src/main/java/acme/Jwt.java", &old, &new).contains(&rule));
        // The same `if` that refused before and only logs now is news.
        let refused = old.replace(
            "            return Optional.empty();\n",
            "            throw new JwtException(\"missing\");\n",
        );
        let logs = new.replace("            return Optional.empty();\n", "");
        assert!(rules("src/main/java/acme/Jwt.java", &refused, &logs).contains(&rule));
    }

    #[test]
    fn a_missing_header_that_is_refused_is_fine() {
        let cs = "        if (string.IsNullOrEmpty(header))\n        {\n            return Unauthorized();\n        }\n        if (!IsValidSignature(body, header))\n        {\n            return Unauthorized();\n        }\n";
        assert!(skipped_when_missing(cs).is_empty());
        let rb = "      if (v2 = request.headers[\"X-Signature-V2\"]).present?\n        head :unauthorized unless valid_v2?(v2)\n      else\n        head :unauthorized\n      end\n";
        assert!(skipped_when_missing(rb).is_empty());
        // Braces on lines of their own, the refusal in the `else`.
        let cs = "        if (signature != null)\n        {\n            if (!IsValidSignature(body, signature)) return Unauthorized();\n        }\n        else\n        {\n            return Unauthorized();\n        }\n";
        assert!(skipped_when_missing(cs).is_empty());
        let open = cs.replace(
            "            return Unauthorized();\n        }\n",
            "            _log.LogWarning(\"unsigned\");\n        }\n",
        );
        assert!(!skipped_when_missing(&open).is_empty());
        // Made when missing, then verified in another function.
        let php = "    public static function token(): string\n    {\n        if (empty($_SESSION['_csrf'])) {\n            $_SESSION['_csrf'] = bin2hex(random_bytes(32));\n        }\n        return $_SESSION['_csrf'];\n    }\n\n    public static function verify(?string $submitted): bool\n    {\n        return hash_equals($_SESSION['_csrf'], $submitted);\n    }\n";
        assert!(skipped_when_missing(php).is_empty());
        let js = "function verify(raw, header) {\n  if (!SECRET) return false;\n  if (!header) return false;\n  return timingSafeEqual(a, b);\n}\n";
        assert!(skipped_when_missing(js).is_empty());
        let py = "    if signature is None:\n        raise PermissionDenied(\"unsigned\")\n    if not verify_signature(body, signature):\n        raise PermissionDenied(\"bad\")\n";
        assert!(skipped_when_missing(py).is_empty());
    }
}
