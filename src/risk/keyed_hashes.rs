//! A keyed hash replaced by a plain one. An HMAC (`hmac.new(key, …)`,
//! `createHmac`, `hmac.New`, `Mac.getInstance("HmacSHA256")`) can only be
//! computed by whoever holds the key; a plain digest (`sha256(value)`) by
//! anyone. Pseudonymous ids become reversible by hashing candidate values
//! (every email, every phone number), and a signature becomes forgeable.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// A keyed hash being computed.
static KEYED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(\bhmac\.new\s*\(|\bhmac\.digest\s*\(|\bcreateHmac\s*\(|\bhmac\.New\s*\(|Mac\.getInstance\s*\(\s*"Hmac|\bOpenSSL::HMAC\b|\bHMAC(SHA\d+)?\s*[(<.]|\bHmac::<|\bhash_hmac\s*\(|\bblake2b\s*\([^)]*\bkey\s*=)"#)
        .expect("a valid regex")
});
/// A plain digest being computed.
static PLAIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(\bhashlib\.(sha\d+|md5|blake2[bs]|sha3_\d+)\s*\(|\bcreateHash\s*\(|\bsha\d+\.(Sum\d+|New)\s*\(|\bmd5\.(Sum|New)\s*\(|MessageDigest\.getInstance\s*\(|\bDigest::(SHA\d+|MD5)\b|\bSha\d+::(digest|new)\b|\bhash\s*\(\s*['"](sha\d+|md5)['"])"#)
        .expect("a valid regex")
});

/// A run of replaced lines that computed a keyed hash and now computes a
/// plain one, with no keyed hash left in the new lines.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !f.class.production() || f.class.ci || f.class.infra {
        return;
    }
    for (gone, came) in f.replacements() {
        let keyed = gone
            .iter()
            .find(|l| KEYED.is_match(&l.content) && !f.class.is_comment(&l.content));
        let Some(keyed) = keyed else { continue };
        if came.iter().any(|l| KEYED.is_match(&l.content)) {
            continue;
        }
        let Some(plain) = came
            .iter()
            .find(|l| PLAIN.is_match(&l.content) && !f.class.is_comment(&l.content))
        else {
            continue;
        };
        out.push(Finding::added(
            "sec-keyed-hash-dropped",
            Severity::High,
            f.path,
            plain.new_no,
            format!(
                "`{}` replaces the keyed `{}`: without the key anyone can compute the same digest, so pseudonymous ids can be reversed by hashing candidate values and signatures can be forged.",
                quote(plain.content.trim()),
                quote(keyed.content.trim())
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents;

    const RULE: &str = "sec-keyed-hash-dropped";

    #[test]
    fn an_hmac_replaced_by_a_plain_digest_is_found_in_each_language() {
        for (path, old, new) in [
            (
                "analytics/pseudonymise.py",
                "def _digest(value):\n    return hmac.new(_key(), value.encode(), hashlib.sha256).hexdigest()\n",
                "def _digest(value):\n    return hashlib.sha256(value.encode()).hexdigest()\n",
            ),
            (
                "src/ids.ts",
                "export const pseudo = (v: string) =>\n  createHmac('sha256', KEY).update(v).digest('hex');\n",
                "export const pseudo = (v: string) =>\n  createHash('sha256').update(v).digest('hex');\n",
            ),
            (
                "internal/ids/ids.go",
                "func Pseudo(v string) string {\n\tm := hmac.New(sha256.New, key)\n\tm.Write([]byte(v))\n\treturn hex.EncodeToString(m.Sum(nil))\n}\n",
                "func Pseudo(v string) string {\n\ts := sha256.Sum256([]byte(v))\n\treturn hex.EncodeToString(s[:])\n}\n",
            ),
        ] {
            let hit = rules_hit_with_contents(path, old, new);
            assert!(hit.contains(&RULE.to_string()), "{path}: {hit:?}");
        }
    }

    #[test]
    fn an_hmac_kept_beside_a_new_checksum_is_not() {
        let old = "def sign(body):\n    return hmac.new(KEY, body, hashlib.sha256).hexdigest()\n";
        let new = "def sign(body):\n    etag = hashlib.sha256(body).hexdigest()\n    return hmac.new(KEY, body, hashlib.sha256).hexdigest(), etag\n";
        let hit = rules_hit_with_contents("app/signing.py", old, new);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
        // In a test, a fixture may hash however it likes.
        let hit = rules_hit_with_contents(
            "tests/test_ids.py",
            "X = hmac.new(K, b'a', hashlib.sha256).hexdigest()\n",
            "X = hashlib.sha256(b'a').hexdigest()\n",
        );
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
    }
}
