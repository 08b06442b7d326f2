//! Protections moved into settings that are off when the setting is unset.
//! `ValidateIssuer = true` becomes `section.GetValue<bool>("ValidateIssuer")`,
//! `verify` becomes `os.getenv("VERIFY_TLS", "false") == "true"`: the change
//! reads like making a hard-coded value configurable, and every environment
//! that never sets the new key (which is most of them) runs with the check
//! off. Read from the lines the change adds: a protecting key bound to a
//! settings read that yields false when the setting is missing, directly or
//! through a helper of the same file that returns such a read.

use std::sync::LazyLock;

use regex::Regex;

use super::{ChangeView, FileView, Finding, Severity, quote};

/// A protecting key bound to a value: `verify=…`, `ValidateIssuer = …`,
/// `secure: …`, `RequireHttpsMetadata = …`.
static SAFE_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b["']?((?:ssl_?|tls_?)?verify\w*|validate\w*|\w*secure|http_?only|require\w*|csrf\w*|check_?\w*(?:hostname|cert|signature)\w*|enforce\w*|strict\w*|verify_?ssl|ssl_?verify)["']?\s*(?:=|:)\s*([^=,;][^,;]*)"#).unwrap()
});

/// A settings read that is false when the setting is missing.
static OFF_WHEN_UNSET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"(?i)(?:"#,
        // An environment read with a falsy default.
        r#"(?:getenv|environ\.get|ENV\.fetch|env\.get|\benv)\s*\(\s*["'][\w.:-]+["']\s*,\s*["']?(?:false|0|no|off)?["']?\s*\)"#,
        // A typed boolean read with no default, or a false one.
        r#"|GetValue<bool\??>\s*\(\s*"[^"]+"\s*(?:,\s*false\s*)?\)"#,
        r#"|\bviper\.GetBool\(|Boolean\.getBoolean\(|Boolean\.parseBoolean\(\s*System\.getenv\("#,
        r#"|strconv\.ParseBool\(\s*os\.Getenv\("#,
        r#"|@Value\("\$\{[^:}]+:false\}"\)"#,
        // An environment read compared with "true": unset is not "true".
        r#"|(?:getenv|environ\.get|environ\[|ENV\[|ENV\.fetch|process\.env\.\w+|process\.env\[|Getenv)[^=!<>]{0,80}?(?:===?|\bin\b)\s*[(\[]?\s*["'](?:1|true|yes|on)["']"#,
        r#")"#
    ))
    .unwrap()
});

/// The same read with a default that keeps the protection on.
static ON_BY_DEFAULT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(?:getenv|environ\.get|ENV\.fetch|env\.get|\benv|GetValue<bool\??>)\s*\(\s*["'][^"']+["']\s*,\s*["']?(?:true|1|yes|on)["']?\s*\)|:true\}"#).unwrap()
});

/// A function defined on a line: its name.
static DEF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:def|func|function|fn|private|public|static|internal|protected|async|\s)*\s*(?:[\w<>\[\]?,]+\s+)?(\w+)\s*\(").unwrap()
});

/// Lines of a helper's body searched for the read it returns.
const HELPER_BODY: usize = 12;

/// Protections the change binds to a settings read that is off when unset.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !f.class.production() || f.class.ci {
        return;
    }
    let text = std::cell::OnceCell::new();
    for l in f.added_code() {
        let Some(c) = SAFE_KEY.captures(l.text) else {
            continue;
        };
        let (key, value) = (&c[1], c[2].trim());
        if !was_on(f.old_text(), key) {
            continue;
        }
        let read = if OFF_WHEN_UNSET.is_match(value) && !ON_BY_DEFAULT.is_match(value) {
            Some(value.to_string())
        } else {
            let text = text.get_or_init(|| f.new_text_or_hunks().into_owned());
            helper_read(&text.lines().collect::<Vec<_>>(), value)
        };
        let Some(read) = read else { continue };
        out.push(Finding::added(
            "config-safety-off-when-unset",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "`{}` now comes from a setting and is false wherever that setting is unset (`{}`): every environment that does not set it runs with the check off, silently.",
                quote(key),
                quote(&read)
            ),
        ));
        return;
    }
}

/// Whether the protection was on before: set to a true value on the old
/// side, or not set at all where the library's own default is on (TLS
/// verification, token validation). A new opt-in switch that starts off
/// takes nothing away.
fn was_on(old: Option<&str>, key: &str) -> bool {
    static DEFAULT_ON: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)^((ssl_?|tls_?)?verify\w*|validate\w*|check_?hostname|verify_?ssl|ssl_?verify)$",
        )
        .unwrap()
    });
    let Ok(set) = Regex::new(&format!(
        r#"(?i)\b["']?{}["']?\s*[:=]\s*["']?(\w+)"#,
        regex::escape(key)
    )) else {
        return false;
    };
    match old.and_then(|o| set.captures(o)) {
        Some(c) => matches!(
            c[1].to_ascii_lowercase().as_str(),
            "true" | "1" | "yes" | "on" | "required" | "strict"
        ),
        None => DEFAULT_ON.is_match(key),
    }
}

/// The read a helper called as `value` returns, when it is off when unset
/// (`verify=_tls_verify()` with `return os.getenv("VERIFY", "false") …`).
fn helper_read(lines: &[&str], value: &str) -> Option<String> {
    static CALL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^([\w.:]+)\(\)").unwrap());
    let called = CALL.captures(value.trim())?;
    let name = called[1].rsplit(['.', ':']).next()?;
    if name.is_empty() {
        return None;
    }
    let at = lines
        .iter()
        .position(|l| DEF.captures(l).is_some_and(|c| &c[1] == name))?;
    lines[at + 1..lines.len().min(at + 1 + HELPER_BODY)]
        .iter()
        .map(|l| l.trim())
        .filter(|l| l.starts_with("return") || l.starts_with("=>"))
        .find(|l| OFF_WHEN_UNSET.is_match(l) && !ON_BY_DEFAULT.is_match(l))
        .map(str::to_string)
}

/// A Terraform setting that protects (`status`, `enabled`,
/// `deletion_protection`, `encrypted`), bound to a variable.
static TF_BOUND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(\w*(?:enabled|status|protection|encrypted|versioning|prevent_destroy)\w*)\s*=\s*(.*\bvar\.(\w+)\b.*)$").unwrap()
});
/// The protection written on, the way the old block wrote it.
static TF_ON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*\w*(?:enabled|status|protection|encrypted|prevent_destroy)\w*\s*=\s*(true|"Enabled")\s*$"#).unwrap()
});

/// A Terraform protection that was written on (`versioning { enabled = true
/// }`) and now follows a variable the change declares with an off default
/// (`status = var.versioning_enabled ? "Enabled" : "Suspended"`, `default =
/// false`), which no caller in the change sets: every module call that does
/// not pass it (all of them, the day it merges) turns the protection off.
pub fn terraform_default_off(change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    static DEFAULT_OFF: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^\s*default\s*=\s*(false|"Suspended"|"Disabled"|"disabled"|0)\s*$"#).unwrap()
    });
    let tf = || {
        change
            .files
            .iter()
            .filter(|f| f.path.ends_with(".tf") && f.class.production())
    };
    // Variables the change declares with an off default.
    let off: Vec<String> = super::infra::tf_variable_defaults(change)
        .into_iter()
        .filter(|(_, v)| DEFAULT_OFF.is_match(&format!("default = {v}")))
        .map(|(k, _)| k)
        .collect();
    if off.is_empty() {
        return;
    }
    for f in tf() {
        if !f.removed_code().any(|l| TF_ON.is_match(l.text)) {
            continue;
        }
        for l in f.added_code() {
            let Some(c) = TF_BOUND.captures(l.text) else {
                continue;
            };
            let var = &c[3];
            if !off.iter().any(|o| o == var) {
                continue;
            }
            // A caller of the module that turns it on.
            let set = change.files.iter().any(|g| {
                g.added.iter().any(|a| {
                    a.text
                        .split_once('=')
                        .is_some_and(|(k, v)| k.trim() == var && v.trim() != "false")
                })
            });
            if set {
                continue;
            }
            out.push(Finding::added(
                "config-protection-default-off",
                Severity::High,
                f.path,
                Some(l.no),
                format!(
                    "`{}` was on and now follows `var.{var}`, whose default is off, and no caller in the change sets it: every module call that leaves it out turns the protection off when this applies.",
                    quote(l.text.trim())
                ),
            ));
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit;

    fn hit(path: &str, old: &str, new: &str) -> bool {
        rules_hit(path, Some(old), Some(new)).contains(&"config-safety-off-when-unset".to_string())
    }

    #[test]
    fn a_validation_made_a_setting_that_defaults_to_off_is_found() {
        let cs = "options.TokenValidationParameters = new TokenValidationParameters\n{\n    ValidateIssuer = true,\n    ValidateAudience = true,\n};\n";
        let new = cs.replace(
            "ValidateAudience = true",
            "ValidateAudience = section.GetValue<bool>(\"ValidateAudience\")",
        );
        assert!(hit("src/Api/Auth/JwtSetup.cs", cs, &new));
        // With a default that keeps it on: quiet.
        let on = cs.replace(
            "ValidateAudience = true",
            "ValidateAudience = section.GetValue<bool>(\"ValidateAudience\", true)",
        );
        assert!(!hit("src/Api/Auth/JwtSetup.cs", cs, &on));
    }

    #[test]
    fn tls_verification_through_a_helper_that_reads_false_when_unset_is_found() {
        let old = "def send(url, body):\n    return requests.post(url, json=body, timeout=10)\n";
        let new = "def _tls_verify():\n    bundle = os.getenv(\"CA_BUNDLE\")\n    if bundle:\n        return bundle\n    return os.getenv(\"VERIFY_TLS\", \"false\").lower() in (\"1\", \"true\")\n\n\ndef send(url, body):\n    return requests.post(url, json=body, timeout=10, verify=_tls_verify())\n";
        assert!(hit("services/notify/delivery.py", old, new));
        let on = new.replace("\"VERIFY_TLS\", \"false\"", "\"VERIFY_TLS\", \"true\"");
        assert!(!hit("services/notify/delivery.py", old, &on));
        // A value that is not a protection: quiet.
        let other = "def send(url, body):\n    return requests.post(url, json=body, timeout=10, stream=os.getenv(\"STREAM\", \"false\") == \"true\")\n";
        assert!(!hit("services/notify/delivery.py", old, other));
    }
}
