//! Protections a change takes away from secrets at rest: the secure store
//! between a token and the disk (the Keychain, Android's encrypted
//! preferences, Expo's SecureStore), and the browser storage any script on
//! the page can read. A refactor drops them as plumbing ("simplify session
//! persistence") and every line it writes looks ordinary: what is missing is
//! the store that was there.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// Stores that keep secrets encrypted at rest.
static SECURE_STORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(Keychain\w*|SecItem(Add|Update|CopyMatching)|kSecClass|EncryptedSharedPreferences|MasterKey(s)?\b|KeyStore\b|SecureStore\.|expo-secure-store|react-native-keychain|FlutterSecureStorage|flutter_secure_storage|\bkeyring\.(set|get)_password|CredentialManager|DataProtection|ProtectedData\.Protect|safeStorage\.)").unwrap()
});

/// Writes to stores that keep their values in clear: user defaults, shared
/// preferences (DataStore's `prefs[KEY] = …` too), browser and React
/// Native storage, MMKV.
static PLAIN_STORE_WRITE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(\b(UserDefaults\.standard|NSUserDefaults|defaults|userDefaults)\.set(Value|Object)?\s*\(|\.putString\s*\(|\b(localStorage|sessionStorage|AsyncStorage)\.setItem\s*\(|\bSharedPreferences\b[^\n]*\.edit\(|\bprefs\.(set|put)\w*\s*\(|Preferences\.Set\s*\(|\bCookies\.set\s*\(|\b(\w*[pP]refs|\w*[pP]references|it)\[[^\]]+\]\s*=[^=]|\bmmkv\.(encode|set)\w*\s*\()"#).unwrap()
});

/// Names of what must not be kept in clear.
static SECRET_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(token|password|passwd|secret|credential|refresh|jwt|api_?key|private_?key|session)",
    )
    .unwrap()
});

/// Secure stores replaced by plain ones, and secrets newly kept in the
/// browser's storage.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !f.class.production() || f.class.ci || f.class.infra || f.class.migration {
        return;
    }
    secure_store_replaced(f, out);
    web_storage_secret(f, out);
}

/// A token or session the change starts keeping in the browser's storage,
/// where any script on the page (one injected through XSS too) reads it.
fn web_storage_secret(f: &FileView<'_>, out: &mut Vec<Finding>) {
    static WEB_STORE_WRITE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\b(localStorage|sessionStorage)\s*(\.setItem\s*\(|\[[^\]]+\]\s*=[^=]|\.\w+\s*=[^=])"#).unwrap()
    });
    if f.removed_code().any(|l| WEB_STORE_WRITE.is_match(l.text)) {
        return;
    }
    let Some(w) = f
        .added_code()
        .find(|l| WEB_STORE_WRITE.is_match(l.text) && written_secret(f, l.text))
    else {
        return;
    };
    out.push(Finding::added(
        "sec-secret-web-storage",
        Severity::High,
        f.path,
        Some(w.no),
        format!(
            "Keeps a token or session in the browser's storage (`{}`): any script on the page reads it, an injected one too, and it outlives the tab. Keep it in memory or an httpOnly cookie.",
            quote(w.text.trim())
        ),
    ));
}

fn secure_store_replaced(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let removed_secure = f.removed_code().find(|l| SECURE_STORE.is_match(l.text));
    let Some(gone) = removed_secure else {
        return;
    };
    // Still used on the new side: a store moved, not dropped.
    if f.new_text().is_some_and(|t| SECURE_STORE.is_match(t))
        || f.added_code().any(|l| SECURE_STORE.is_match(l.text))
    {
        return;
    }
    // The write may be a line the change kept: swapping the store under it
    // is the change.
    let writes: Vec<(u32, &str)> = match f.new_text() {
        Some(t) => t.lines().zip(1..).map(|(l, n)| (n, l)).collect(),
        None => {
            let mut v: Vec<(u32, &str)> = f.new_lines.iter().map(|(n, t)| (*n, *t)).collect();
            v.sort_unstable();
            v
        }
    };
    let Some(w) = writes
        .into_iter()
        .find(|(_, t)| PLAIN_STORE_WRITE.is_match(t) && written_secret(f, t))
    else {
        return;
    };
    out.push(Finding::added(
        "sec-secret-plain-storage",
        Severity::High,
        f.path,
        Some(w.0),
        format!(
            "Keeps what the secure store held in a plain one now (`{}`; before, `{}`): it is readable in backups and on a rooted or jailbroken device.",
            quote(w.1.trim()),
            quote(gone.text.trim())
        ),
    ));
}

/// Whether a write names a secret, or writes under a key whose value does
/// (`forKey: sessionKey` with `let sessionKey = "session.current"`).
fn written_secret(f: &FileView<'_>, line: &str) -> bool {
    static NAME: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[A-Za-z_][A-Za-z0-9_]*").unwrap());
    if SECRET_NAME.is_match(line) {
        return true;
    }
    let text = f.new_text_or_hunks();
    NAME.find_iter(line).any(|m| {
        text.lines().any(|t| {
            t.split_once('=').is_some_and(|(lhs, rhs)| {
                NAME.find_iter(lhs).any(|x| x.as_str() == m.as_str())
                    && rhs.trim_start().starts_with(['"', '\''])
                    && SECRET_NAME.is_match(rhs)
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_for_change as rules;

    #[test]
    fn a_session_newly_kept_in_local_storage_is_found_and_a_theme_is_not() {
        let old = "let current = null;\nexport function set(s) {\n  current = s;\n}\n";
        let new = "let current = null;\nexport function set(session) {\n  current = session;\n  localStorage.setItem(KEY, JSON.stringify(session));\n}\n";
        let hit = rules(&[("src/auth/store.ts", old, new)]);
        assert!(
            hit.contains(&"sec-secret-web-storage".to_string()),
            "{hit:?}"
        );
        let theme = new.replace("session", "theme");
        let hit = rules(&[("src/ui/theme.ts", old, &theme)]);
        assert!(
            !hit.contains(&"sec-secret-web-storage".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn a_token_moved_from_the_keychain_to_user_defaults_is_found() {
        let old = "final class SessionStore {\n    private let keychain = KeychainWrapper(service: \"app\")\n    private let tokenKey = \"session.tokens\"\n    func save(_ data: Data) throws {\n        try keychain.set(data, forKey: tokenKey)\n    }\n}\n";
        let new = "final class SessionStore {\n    private let defaults = UserDefaults.standard\n    private let sessionKey = \"session.current\"\n    func save(_ data: Data) throws {\n        defaults.set(data, forKey: sessionKey)\n    }\n}\n";
        let hit = rules(&[("ios/App/Auth/SessionStore.swift", old, new)]);
        assert!(
            hit.contains(&"sec-secret-plain-storage".to_string()),
            "{hit:?}"
        );
        // Android: encrypted preferences swapped for plain ones.
        let old = "val prefs = EncryptedSharedPreferences.create(ctx, \"auth\", key, AES256_SIV, AES256_GCM)\nprefs.edit().putString(\"refresh_token\", token).apply()\n";
        let new = "val prefs = ctx.getSharedPreferences(\"auth\", Context.MODE_PRIVATE)\nprefs.edit().putString(\"refresh_token\", token).apply()\n";
        let hit = rules(&[("app/src/main/java/com/acme/auth/TokenStore.kt", old, new)]);
        assert!(
            hit.contains(&"sec-secret-plain-storage".to_string()),
            "{hit:?}"
        );
        // A theme preference written where the keychain code was removed
        // as dead: no secret.
        let old = "let keychain = KeychainWrapper(service: \"app\")\n";
        let new = "defaults.set(theme, forKey: \"ui.theme\")\n";
        let hit = rules(&[("ios/App/Settings.swift", old, new)]);
        assert!(
            !hit.contains(&"sec-secret-plain-storage".to_string()),
            "{hit:?}"
        );
    }
}
