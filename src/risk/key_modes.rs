//! Secrets made readable by everyone on the machine. A private key, a
//! credentials file or a directory of them written with a mode that lets
//! "other" read (`0644`, `o=rX`, `a+r`) hands them to every local user and
//! every process, a compromised web worker or a monitoring agent included.
//! The change that does it rarely says so: it "lets the exporter read the
//! certificate" with a recursive mode over the whole TLS directory, or
//! writes a generated key with the default `0644`.

use std::sync::LazyLock;

use regex::Regex;

use super::lang::Lang;
use super::{FileView, Finding, Severity, quote};

/// Where a mode is set: a `chmod`, an Ansible/Salt `mode:`, Chef and
/// Puppet `mode '…'`/`mode => '…'`, Terraform's `file_permission`, a
/// Dockerfile `--chmod=`, and the chmod calls of Python, Node, Go and Java.
static MODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?x)
        \bchmod\s+(?:-[A-Za-z]+\s+)*(?P<a>[0-7]{3,4}|[ugoa]*[=+][rwxXst,ugoa=+-]*)\b
        | ^\s*-?\s*(?:mode|file_permission|directory_permission)\s*(?::|=>|=)?\s*["']?(?P<b>0?[0-7]{3,4}|[ugoa,=+rwxXst-]+)["']?\s*,?\s*$
        | --chmod=(?P<c>[0-7]{3,4}|[ugoa,=+rwxXst-]+)
        | \b(?:os\.chmod|fs\.chmod(?:Sync)?|os\.Chmod|os\.WriteFile|ioutil\.WriteFile|\.chmod)\s*\(.*?\b0[oO]?(?P<d>[0-7]{3,4})\b
        | \bPosixFilePermissions\.fromString\(\s*"(?P<e>[rwx-]{9})"
        "#,
    )
    .expect("a valid regex")
});

/// Names of secret material: private keys, keystores, credentials, tokens.
static KEYISH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(priv(ate)?[_-]?key|privkey|private|secret|credential|passw|id_(rsa|ed25519|ecdsa|dsa)\b|\.(key|p12|pfx|jks|keystore)\b|[_-]key\b|key[_-]?(file|path|pem)|\.env\b|token|htpasswd|shadow|kubeconfig)")
        .expect("a valid regex")
});

/// Directories that hold keys next to certificates.
static KEY_DIR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(^|[^a-z])(tls|ssl|pki|keys|secrets)([^a-z]|$)").expect("a valid regex")
});

/// A mode applied to everything under a directory.
static RECURSIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\brecurse\s*(:|=>|=)\s*(true|yes)\b|\brecursive\s+true\b|\bchmod\s+(-\w*R\w*\s+|--recursive\b))")
        .expect("a valid regex")
});

/// Whether a mode lets users other than the owner and group read or write.
fn other_can_read(mode: &str) -> bool {
    let m = mode.trim_start_matches(['0', 'o', 'O']);
    if !m.is_empty() && m.len() <= 4 && m.chars().all(|c| ('0'..='7').contains(&c)) {
        return m
            .chars()
            .last()
            .and_then(|c| c.to_digit(8))
            .is_some_and(|o| o & 6 != 0);
    }
    if mode.len() == 9 && mode.chars().all(|c| "rwx-".contains(c)) {
        return mode[6..8] != *"--";
    }
    mode.split(',').any(|clause| {
        let Some(i) = clause.find(['=', '+']) else {
            return false;
        };
        let (who, what) = clause.split_at(i);
        (who.contains('o') || who.contains('a') || who.is_empty() && clause.starts_with('+'))
            && what[1..].contains(['r', 'w'])
    })
}

/// The lines a setting belongs to: the nearest less indented line above it
/// (the task, resource or block header) and everything indented at least
/// as deep below it.
fn block<'t>(lines: &[&'t str], at: usize) -> Vec<&'t str> {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let own = indent(lines[at]);
    let mut start = at;
    while start > 0 {
        start -= 1;
        if !lines[start].trim().is_empty() && indent(lines[start]) < own {
            break;
        }
    }
    let mut end = at + 1;
    while end < lines.len() && (lines[end].trim().is_empty() || indent(lines[end]) >= own) {
        end += 1;
    }
    lines[start..end].to_vec()
}

/// Modes the change sets that open secret material to every local user.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like()
        || f.class.docs
        || f.file.binary
        || !(f.added_text.contains("mod") || f.added_text.contains("ermission"))
    {
        return;
    }
    let text = f.new_text_or_hunks();
    // Kubernetes sets modes inside a container, where 0644 is the default.
    if f.class.lang == Lang::Yaml && text.contains("apiVersion:") {
        return;
    }
    let lines: Vec<&str> = text.lines().collect();
    let from_file = f.new_text().is_some();
    for l in &f.added {
        if f.class.is_comment(l.text) {
            continue;
        }
        let Some(c) = MODE.captures(l.text) else {
            continue;
        };
        let mode = ["a", "b", "c", "d", "e"]
            .iter()
            .find_map(|n| c.name(n))
            .map_or("", |m| m.as_str());
        if !other_can_read(mode) || f.removed.iter().any(|r| r.text.trim() == l.text.trim()) {
            continue;
        }
        // The target: the line itself for a command or call, the whole
        // task or resource for a setting.
        let at = (l.no as usize).checked_sub(1).filter(|i| *i < lines.len());
        let scope = match (c.name("b"), from_file, at) {
            (Some(_), true, Some(i)) => block(&lines, i).join("\n"),
            _ => l.text.to_string(),
        };
        let recursive = RECURSIVE.is_match(&scope);
        let keyish = KEYISH.is_match(&scope.replace(mode, ""));
        if !(keyish || recursive && KEY_DIR.is_match(&scope)) {
            continue;
        }
        let target = scope
            .lines()
            .find(|x| {
                let t = x.trim_start().trim_start_matches("- ");
                ["path:", "dest:", "filename", "name:"]
                    .iter()
                    .any(|k| t.starts_with(k))
                    && (KEYISH.is_match(x) || KEY_DIR.is_match(x))
            })
            .map_or(l.text.trim(), str::trim);
        let how = if recursive {
            ", on everything under it"
        } else {
            ""
        };
        out.push(Finding::added(
            "secret-readable-by-all",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "`{}` sets mode `{}` on `{}`{how}: private keys and credentials there become readable by every user and process on the machine.",
                quote(l.text.trim()),
                quote(mode),
                quote(target)
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents;

    const RULE: &str = "secret-readable-by-all";

    fn hit(path: &str, old: &str, new: &str) -> bool {
        rules_hit_with_contents(path, old, new).contains(&RULE.to_string())
    }

    #[test]
    fn a_recursive_mode_that_lets_others_read_a_tls_directory_is_found() {
        let old = "- name: Install key\n  ansible.builtin.copy:\n    dest: \"{{ tls_dir }}/privkey.pem\"\n    mode: \"0640\"\n";
        let task = "\n- name: Let the exporter read certificates\n  ansible.builtin.file:\n    path: \"{{ payments_tls_dir }}\"\n    state: directory\n    recurse: true\n    mode: \"u=rwX,g=rX,o=rX\"\n";
        assert!(hit("roles/api/tasks/tls.yml", old, &format!("{old}{task}")));
        // The same task giving "other" nothing, or without recursion on a
        // directory, stays quiet.
        let closed = task.replace("o=rX", "o=");
        assert!(!hit(
            "roles/api/tasks/tls.yml",
            old,
            &format!("{old}{closed}")
        ));
        let flat = task.replace("    recurse: true\n", "");
        assert!(!hit(
            "roles/api/tasks/tls.yml",
            old,
            &format!("{old}{flat}")
        ));
    }

    #[test]
    fn a_private_key_written_readable_by_all_is_found_a_certificate_is_not() {
        assert!(hit(
            "deploy/install.sh",
            "set -e\n",
            "set -e\nchmod 644 /etc/app/private/server.key\n"
        ));
        assert!(hit(
            "infra/keys.tf",
            "",
            "resource \"local_file\" \"deploy_key\" {\n  content         = tls_private_key.deploy.private_key_pem\n  filename        = \"${path.module}/deploy_id_rsa\"\n  file_permission = \"0644\"\n}\n"
        ));
        assert!(hit(
            "tools/keygen.py",
            "import os\n",
            "import os\nos.chmod(key_path, 0o644)\n"
        ));
        // Certificates are public; an owner-only key is fine.
        assert!(!hit(
            "deploy/install.sh",
            "set -e\n",
            "set -e\nchmod 644 /etc/ssl/certs/fullchain.pem\nchmod 600 /etc/app/private/server.key\n"
        ));
        assert!(!hit(
            "infra/keys.tf",
            "",
            "resource \"local_file\" \"deploy_key\" {\n  content         = tls_private_key.deploy.private_key_pem\n  filename        = \"${path.module}/deploy_id_rsa\"\n  file_permission = \"0600\"\n}\n"
        ));
    }
}
