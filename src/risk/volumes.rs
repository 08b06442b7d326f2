//! A named volume a Compose service mounts, renamed (`pgdata:/var/lib/
//! postgresql/data` → `postgres_data:/var/lib/postgresql/data`): Compose
//! creates the new name empty on the next `up`, and the service starts on
//! no data while the old volume sits unused.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// A short-syntax mount of a named volume: `- name:/path[:ro]`.
static NAMED_MOUNT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^\s*-\s*["']?([A-Za-z0-9][\w.-]*):(/[^:"'\s]*)"#).unwrap());

/// Whether a path names a Compose file.
fn compose_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    name.contains("compose") && (name.ends_with(".yml") || name.ends_with(".yaml"))
}

/// Reports the first mount whose volume the change renames, unless the new
/// volume keeps the old one's name (`name: pgdata`) or is external.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !compose_file(f.path) || f.class.test_like() || super::non_production(f.path).is_some() {
        return;
    }
    let mounts = |lines: &mut dyn Iterator<Item = &super::Line<'_>>| -> Vec<(String, String, u32)> {
        lines
            .filter_map(|l| {
                let c = NAMED_MOUNT.captures(l.text)?;
                Some((c[1].to_string(), c[2].to_string(), l.no))
            })
            .collect()
    };
    let before = mounts(&mut f.removed_code());
    let after = mounts(&mut f.added_code());
    let new_text = f.new_text_or_hunks();
    for (new_name, path, no) in &after {
        let Some((old_name, ..)) = before
            .iter()
            .find(|(name, p, _)| p == path && name != new_name)
        else {
            continue;
        };
        // The new key still points at the old volume.
        let keeps = Regex::new(&format!(
            r#"(?m)^\s*name\s*:\s*["']?[\w${{}}:-]*{}["']?\s*$"#,
            regex::escape(old_name)
        ))
        .is_ok_and(|re| re.is_match(&new_text));
        if keeps || new_text.contains("external: true") {
            continue;
        }
        out.push(Finding::added(
            "compose-volume-renamed",
            Severity::High,
            f.path,
            Some(*no),
            format!(
                "Mounts `{}` at {} where `{}` was: Compose creates the new volume empty on the next `up`, so the service starts without its data (keep the data with `name: {}` under the new key).",
                quote(new_name),
                quote(path),
                quote(old_name),
                quote(old_name)
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit;

    const RULE: &str = "compose-volume-renamed";

    fn compose(volume: &str, extra: &str) -> String {
        format!(
            "services:\n  db:\n    image: postgres:15\n    volumes:\n      - {volume}:/var/lib/postgresql/data\nvolumes:\n  {volume}:{extra}\n"
        )
    }

    #[test]
    fn a_data_volume_renamed_is_found() {
        let hit = rules_hit(
            "docker-compose.prod.yml",
            Some(&compose("pgdata", "")),
            Some(&compose("postgres_data", "")),
        );
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
    }

    #[test]
    fn a_rename_that_keeps_the_volume_or_a_dev_stack_is_not() {
        let kept = compose("postgres_data", "\n    name: pgdata");
        let hit = rules_hit(
            "docker-compose.prod.yml",
            Some(&compose("pgdata", "")),
            Some(&kept),
        );
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
        let hit = rules_hit(
            "docker-compose.dev.yml",
            Some(&compose("pgdata", "")),
            Some(&compose("postgres_data", "")),
        );
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
        // A bind mount moved is no named volume.
        let bind = |p: &str| format!("services:\n  web:\n    volumes:\n      - {p}:/app/media\n");
        let hit = rules_hit(
            "docker-compose.yml",
            Some(&bind("./media")),
            Some(&bind("./uploads")),
        );
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
    }
}
