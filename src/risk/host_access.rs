//! Who can get onto a host, and as whom, read from the files that decide it:
//! sshd's configuration and Ansible's user tasks. A `Match` block added in
//! the middle of `sshd_config` captures every line below it, so the
//! hardening written after it no longer applies to anyone else; an Ansible
//! `user` task that sets `groups` without `append: true` replaces each
//! user's supplementary groups (sudo, adm, wheel) with its list.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// sshd settings that keep people out or limit what they can do.
static SSHD_HARDENING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(PermitRootLogin|PasswordAuthentication|PermitEmptyPasswords|KbdInteractiveAuthentication|ChallengeResponseAuthentication|PubkeyAuthentication|AuthenticationMethods|AllowGroups|AllowUsers|DenyGroups|DenyUsers|MaxAuthTries|MaxSessions|AllowTcpForwarding|AllowAgentForwarding|AllowStreamLocalForwarding|X11Forwarding|PermitTunnel|PermitUserEnvironment|GatewayPorts|LoginGraceTime|ClientAliveInterval|ClientAliveCountMax)\b").unwrap()
});
static MATCH: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)^\s*Match\s+\S").unwrap());

/// sshd's configuration is read whole: which block a line falls in depends
/// on every `Match` above it.
pub fn wants_contents(path: &str) -> bool {
    is_sshd_config(path)
}

fn is_sshd_config(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.starts_with("sshd_config") || path.contains("sshd_config.d/")
}

/// Hardening lines that applied to everyone and now sit below a `Match`
/// block the change adds: sshd reads every line after `Match` as part of
/// it, until the next `Match`, so they apply only to its users.
fn sshd_match_captures_globals(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let Some(m) = f.added_code().find(|l| MATCH.is_match(l.text)) else {
        return;
    };
    let (Some(old), Some(new)) = (f.old_text(), f.new_text()) else {
        return;
    };
    // What applied to everyone before: the lines above the first `Match`.
    let global: Vec<&str> = old
        .lines()
        .take_while(|l| !MATCH.is_match(l))
        .filter(|l| SSHD_HARDENING.is_match(l))
        .map(str::trim)
        .collect();
    let captured: Vec<&str> = new
        .lines()
        .skip(m.no as usize)
        .take_while(|l| !MATCH.is_match(l))
        .map(str::trim)
        .filter(|l| global.contains(l))
        .collect();
    if captured.is_empty() {
        return;
    }
    out.push(Finding::added(
        "sshd-match-captures-settings",
        Severity::High,
        f.path,
        Some(m.no),
        format!(
            "`{}` now comes before {} (`{}`{}): sshd applies every line after a `Match` to that match alone, so everyone else falls back to sshd's defaults for them.",
            quote(m.text.trim()),
            if captured.len() == 1 {
                "a setting that applied to everyone".to_string()
            } else {
                format!("{} settings that applied to everyone", captured.len())
            },
            quote(captured[0]),
            if captured.len() > 1 { ", …" } else { "" }
        ),
    ));
}

static USER_MODULE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*-?\s*(ansible\.builtin\.user|user)\s*:\s*$").unwrap());
static GROUPS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*groups\s*:\s*\S").unwrap());
static APPEND: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\s*append\s*:\s*(true|yes|on)\b").unwrap());

/// An Ansible `user` task the change gives `groups` without `append: true`:
/// the module replaces the user's supplementary groups with the list, so
/// existing users lose sudo, adm or wheel on every host it runs on.
fn ansible_groups_replaced(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !matches!(f.class.lang, super::lang::Lang::Yaml) {
        return;
    }
    let Some(new) = f.new_text() else { return };
    let lines: Vec<&str> = new.lines().collect();
    let indent = |l: &str| l.len() - l.trim_start().len();
    for l in f.added_code().filter(|l| GROUPS.is_match(l.text)) {
        let at = l.no as usize - 1;
        if at >= lines.len() {
            continue;
        }
        let own = indent(l.text);
        // The key it sits under: the module.
        let parent = (0..at)
            .rev()
            .map(|i| lines[i])
            .find(|x| !x.trim().is_empty() && indent(x) < own);
        if !parent.is_some_and(|p| USER_MODULE.is_match(p)) {
            continue;
        }
        // The module's arguments: the lines at the same depth around it.
        let first = (0..at)
            .rev()
            .take_while(|&i| lines[i].trim().is_empty() || indent(lines[i]) >= own)
            .last()
            .unwrap_or(at);
        let args = lines[first..]
            .iter()
            .take_while(|x| x.trim().is_empty() || indent(x) >= own);
        if args.into_iter().any(|a| APPEND.is_match(a)) {
            continue;
        }
        out.push(Finding::added(
            "ansible-groups-replaced",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "Sets `{}` on a `user` task without `append: true`: Ansible replaces each user's supplementary groups with this list, so existing users lose sudo, adm or wheel wherever it runs.",
                quote(l.text.trim())
            ),
        ));
        return;
    }
}

pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs {
        return;
    }
    if is_sshd_config(f.path) {
        sshd_match_captures_globals(f, out);
    }
    if f.added.iter().any(|l| GROUPS.is_match(l.text)) {
        ansible_groups_replaced(f, out);
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents;

    const SSHD: &str = "Port 22\nHostKey /etc/ssh/ssh_host_ed25519_key\nSubsystem sftp internal-sftp\n\nPermitRootLogin no\nPasswordAuthentication no\nAllowGroups staff\nMaxAuthTries 3\n";

    #[test]
    fn a_match_block_added_above_the_hardening_is_found() {
        let rule = "sshd-match-captures-settings".to_string();
        let new = SSHD.replace(
            "Subsystem sftp internal-sftp\n",
            "Subsystem sftp internal-sftp\n\nMatch User backup\n    ForceCommand internal-sftp\n    ChrootDirectory /srv/backup\n",
        );
        assert!(rules_hit_with_contents("etc/ssh/sshd_config", SSHD, &new).contains(&rule));
        // At the end of the file, where a `Match` belongs, nothing is captured.
        let at_end = format!("{SSHD}\nMatch User backup\n    ForceCommand internal-sftp\n");
        assert!(!rules_hit_with_contents("etc/ssh/sshd_config", SSHD, &at_end).contains(&rule));
    }

    const TASKS: &str = "- name: Create ops users\n  ansible.builtin.user:\n    name: \"{{ item }}\"\n    shell: /bin/bash\n  loop: \"{{ ops_users }}\"\n";

    #[test]
    fn groups_set_without_append_on_a_user_task_are_found() {
        let rule = "ansible-groups-replaced".to_string();
        let add = |extra: &str| {
            format!(
                "{TASKS}\n- name: Let ops users read journals\n  ansible.builtin.user:\n    name: \"{{{{ item }}}}\"\n    groups: systemd-journal\n{extra}  loop: \"{{{{ ops_users }}}}\"\n"
            )
        };
        let hit = |new: &str| rules_hit_with_contents("roles/users/tasks/main.yml", TASKS, new);
        assert!(hit(&add("")).contains(&rule));
        assert!(!hit(&add("    append: true\n")).contains(&rule));
        // `groups` of another module (a group's own task) is not it.
        let group = format!(
            "{TASKS}\n- name: Groups\n  ansible.builtin.group:\n    name: ops\n    groups: x\n"
        );
        assert!(!hit(&group).contains(&rule));
    }
}
