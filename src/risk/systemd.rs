//! systemd units that lose the user they run as or their sandbox. Without
//! `User=`, a service runs as root; without `NoNewPrivileges=`,
//! `ProtectSystem=` and their kin it can write anywhere. A change that
//! "fixes a permission error" by deleting `User=`, or moves the hardening
//! into a drop-in directory named for another unit (`payments.service.d/`
//! for `payments-api.service`), leaves the service running as root, and
//! nothing fails.

use std::sync::LazyLock;

use regex::Regex;

use super::{ChangeView, FileView, Finding, Severity, quote};

/// Directives that confine a service.
static HARDENING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(NoNewPrivileges|ProtectSystem|ProtectHome|PrivateTmp|PrivateDevices|CapabilityBoundingSet|ReadOnlyPaths|ReadWritePaths|RestrictAddressFamilies|ProtectKernel\w+|ProtectControlGroups|SystemCallFilter|DynamicUser|RestrictNamespaces|LockPersonality|MemoryDenyWriteExecute)\s*=").unwrap()
});
static USER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*User\s*=\s*(\S+)").unwrap());

/// A unit file: `payments-api.service`, and the unit a drop-in directory
/// applies to (`payments-api.service.d/x.conf` → `payments-api.service`).
fn unit_of(path: &str) -> Option<(String, bool)> {
    let parts: Vec<&str> = path.rsplit('/').collect();
    let name = parts.first()?;
    if name.ends_with(".service") {
        return Some((name.to_string(), false));
    }
    let dir = parts.get(1)?;
    (name.ends_with(".conf") && dir.ends_with(".service.d"))
        .then(|| (dir.trim_end_matches(".d").to_string(), true))
}

/// Whether a drop-in reaches the machine: when a packaging file of the
/// change (nfpm, a Debian `.install`, an RPM spec, a Dockerfile) installs the
/// unit, it must name the drop-in too, by file or by its directory. With no
/// such file in the change, the packaging is not in view and is trusted.
fn shipped(dropin: &str, unit_path: &str, change: &ChangeView<'_>) -> bool {
    let unit_name = unit_path.rsplit('/').next().unwrap_or(unit_path);
    let file_name = dropin.rsplit('/').next().unwrap_or(dropin);
    let dir = dropin.rsplit_once('/').map_or("", |(d, _)| d);
    let mut manifests = change.files.iter().filter(|g| {
        unit_of(g.path).is_none()
            && !g.deleted()
            && !matches!(
                g.path.rsplit('.').next(),
                Some("md" | "rst" | "txt" | "adoc")
            )
            && g.new_text_or_hunks().contains(unit_name)
    });
    let mut any = false;
    let named = manifests.any(|g| {
        any = true;
        let text = g.new_text_or_hunks();
        text.contains(file_name) || (!dir.is_empty() && text.contains(dir))
    });
    named || !any
}

/// Units of the change that lose their user or sandbox, unless a drop-in
/// of the change for the same unit sets them again.
pub fn check(f: &FileView<'_>, change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    let Some((unit, false)) = unit_of(f.path) else {
        return;
    };
    // What drop-ins for this very unit set.
    let (dropins, unshipped): (Vec<&FileView<'_>>, Vec<&FileView<'_>>) = change
        .files
        .iter()
        .filter(|g| unit_of(g.path).is_some_and(|(u, d)| d && u == unit))
        .partition(|d| shipped(d.path, f.path, change));
    let set_again = |re: &Regex, key: &str| {
        f.added
            .iter()
            .any(|l| re.is_match(l.text) && l.text.trim_start().starts_with(key))
            || dropins.iter().any(|d| {
                d.added
                    .iter()
                    .any(|l| re.is_match(l.text) && l.text.trim_start().starts_with(key))
            })
    };
    // Drop-ins the change adds for another unit: where the settings went.
    let elsewhere = change
        .files
        .iter()
        .filter_map(|g| {
            unit_of(g.path)
                .filter(|(u, d)| *d && *u != unit)
                .map(|_| g.path)
        })
        .next();
    let gone_user = f
        .removed
        .iter()
        .find(|l| USER.captures(l.text).is_some_and(|c| &c[1] != "root"))
        .filter(|_| !set_again(&USER, "User"));
    let root_now = f
        .added
        .iter()
        .find(|l| USER.captures(l.text).is_some_and(|c| &c[1] == "root"));
    let gone_hardening: Vec<&str> = f
        .removed
        .iter()
        .filter(|l| HARDENING.is_match(l.text))
        .filter(|l| {
            let key = l.text.split('=').next().unwrap_or("").trim();
            !set_again(&HARDENING, key)
        })
        .map(|l| l.text.split('=').next().unwrap_or("").trim())
        .collect();
    if gone_user.is_none() && root_now.is_none() && gone_hardening.len() < 2 {
        return;
    }
    let mut what = Vec::new();
    if let Some(l) = gone_user.or(root_now) {
        what.push(format!("it runs as root now (`{}`)", quote(l.text.trim())));
    }
    if !gone_hardening.is_empty() {
        what.push(format!(
            "its sandbox is gone ({})",
            gone_hardening.join(", ")
        ));
    }
    let moved = match (elsewhere, unshipped.first()) {
        (_, Some(d)) => format!(
            " The drop-in `{}` that sets them is not installed: the package lists the unit but not it.",
            quote(d.path)
        ),
        (Some(p), None) => format!(
            " The drop-in `{}` applies to another unit, not {}.",
            quote(p),
            quote(&unit)
        ),
        (None, None) => String::new(),
    };
    let (line, side_removed) = match root_now {
        Some(l) => (l.no, false),
        None => (
            gone_user
                .map(|l| l.no)
                .or_else(|| {
                    f.removed
                        .iter()
                        .find(|l| HARDENING.is_match(l.text))
                        .map(|l| l.no)
                })
                .unwrap_or(1),
            true,
        ),
    };
    let message = format!("{}: {}.{moved}", quote(&unit), what.join("; "));
    out.push(if side_removed {
        Finding::removed(
            "service-runs-as-root",
            Severity::High,
            f.path,
            Some(line),
            message,
        )
    } else {
        Finding::added(
            "service-runs-as-root",
            Severity::High,
            f.path,
            Some(line),
            message,
        )
    });
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::findings_for_change;

    const UNIT: &str = "[Service]\nUser=payments\nGroup=payments\nNoNewPrivileges=true\nProtectSystem=strict\nProtectHome=true\nExecStart=/usr/bin/payments\n";

    fn hit(files: &[(&str, &str, &str)]) -> Vec<String> {
        findings_for_change(files)
            .into_iter()
            .filter(|f| f.rule == "service-runs-as-root")
            .map(|f| f.message)
            .collect()
    }

    #[test]
    fn a_unit_that_loses_its_user_and_sandbox_is_found() {
        let bare = "[Service]\nExecStart=/usr/bin/payments\n";
        let h = hit(&[("deploy/systemd/payments-api.service", UNIT, bare)]);
        assert_eq!(h.len(), 1, "{h:?}");
        assert!(
            h[0].contains("runs as root") && h[0].contains("ProtectSystem"),
            "{h:?}"
        );
        // Moved to a drop-in of another unit: still found, and said so.
        let h = hit(&[
            ("deploy/systemd/payments-api.service", UNIT, bare),
            (
                "deploy/systemd/payments.service.d/hardening.conf",
                "",
                &UNIT.replace("ExecStart=/usr/bin/payments\n", ""),
            ),
        ]);
        assert!(h.len() == 1 && h[0].contains("another unit"), "{h:?}");
    }

    #[test]
    fn settings_moved_to_the_units_own_drop_in_are_fine() {
        let bare = "[Service]\nExecStart=/usr/bin/payments\n";
        let h = hit(&[
            ("deploy/systemd/payments-api.service", UNIT, bare),
            (
                "deploy/systemd/payments-api.service.d/hardening.conf",
                "",
                &UNIT.replace("ExecStart=/usr/bin/payments\n", ""),
            ),
        ]);
        assert!(h.is_empty(), "{h:?}");
        // A package manifest of the change that installs the drop-in too,
        // by its directory, keeps it quiet.
        let dropin = UNIT.replace("ExecStart=/usr/bin/payments\n", "");
        let manifest = |contents: &str| {
            hit(&[
                ("deploy/systemd/payments-api.service", UNIT, bare),
                (
                    "deploy/systemd/payments-api.service.d/hardening.conf",
                    "",
                    &dropin,
                ),
                ("nfpm.yaml", "contents:\n", contents),
            ])
        };
        let listed = "contents:\n  - src: ./deploy/systemd/payments-api.service\n    dst: /lib/systemd/system/payments-api.service\n  - src: ./deploy/systemd/payments-api.service.d\n    dst: /etc/systemd/system/payments-api.service.d\n";
        assert!(manifest(listed).is_empty());
        // The manifest ships the unit and an empty drop-in directory only:
        // the settings never reach the machine.
        let unlisted = "contents:\n  - src: ./deploy/systemd/payments-api.service\n    dst: /lib/systemd/system/payments-api.service\n  - dst: /etc/systemd/system/payments-api.service.d\n    type: dir\n";
        let h = manifest(unlisted);
        assert!(h.len() == 1 && h[0].contains("not installed"), "{h:?}");
        // One directive relaxed is not a lost sandbox.
        let one = UNIT.replace("ProtectHome=true\n", "");
        assert!(hit(&[("deploy/systemd/payments-api.service", UNIT, &one)]).is_empty());
    }
}
