//! The ORM set to alter the database schema itself when the application
//! starts (`spring.jpa.hibernate.ddl-auto: update`, TypeORM `synchronize:
//! true`, Sequelize `sync({ alter: true })`). Outside a developer's own
//! database this changes production tables on every deploy, with no
//! migration to review, order or roll back, and it hides the schema drift
//! that `validate` would have refused to start on. A profile that only a
//! developer or a test runs (`on-profile: dev`, `application-test.yml`) may
//! do it.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// A setting that makes the ORM change the schema to match the code.
static ALTERS_SCHEMA: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(\bddl[-_.]?auto["']?\s*[:=]\s*["']?update\b|\bhbm2ddl\.auto["']?\s*[:=]\s*["']?update\b|\bgenerate[-_]ddl["']?\s*[:=]\s*["']?true\b|\bsynchronize["']?\s*:\s*true\b|\.sync\(\s*\{[^}]*\balter\s*:\s*true)"#).unwrap()
});
/// A file or profile a developer or a test runs on a database of its own.
static OWN_DATABASE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(^|[-_./])(dev|develop|development|local|test|tests|testing|ci|e2e|it|h2|docker-compose[\w.-]*)([-_./]|$)").unwrap()
});
/// The profile a YAML document or a properties file activates.
static PROFILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*(?:on-profile|profiles|spring\.config\.activate\.on-profile|spring\.profiles)\s*[:=]\s*["']?([\w,\s-]+)"#).unwrap()
});

/// The profiles named by the `---`-separated YAML document holding line
/// `no` (1-based) of `text`.
fn document_profiles(text: &str, no: u32) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let at = (no as usize).saturating_sub(1).min(lines.len());
    let start = lines[..at]
        .iter()
        .rposition(|l| l.trim_end() == "---")
        .map_or(0, |i| i + 1);
    let end = lines[at..]
        .iter()
        .position(|l| l.trim_end() == "---")
        .map_or(lines.len(), |i| at + i);
    lines[start..end]
        .iter()
        .filter_map(|l| PROFILE.captures(l))
        .flat_map(|c| {
            c[1].split(',')
                .map(|p| p.trim().to_ascii_lowercase())
                .collect::<Vec<_>>()
        })
        .filter(|p| !p.is_empty())
        .collect()
}

/// Reports an ORM setting, new in this change, that alters the schema at
/// start outside a developer's or a test's profile.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs || OWN_DATABASE.is_match(f.path) {
        return;
    }
    let Some(l) = f.added_code().find(|l| ALTERS_SCHEMA.is_match(l.text)) else {
        return;
    };
    let text = f.new_text_or_hunks();
    let profiles = document_profiles(&text, l.no);
    if !profiles.is_empty() && profiles.iter().all(|p| OWN_DATABASE.is_match(p)) {
        return;
    }
    out.push(Finding::added(
        "schema-altered-on-start",
        Severity::High,
        f.path,
        Some(l.no),
        format!(
            "The ORM now alters the database schema itself when the application starts (`{}`): production tables change on every deploy with no migration to review or roll back, and schema drift no longer stops the start.",
            quote(l.text.trim())
        ),
    ));
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit;

    const RULE: &str = "schema-altered-on-start";

    const SPRING: &str = "spring:\n  jpa:\n    hibernate:\n      ddl-auto: validate\n\n---\nspring:\n  config:\n    activate:\n      on-profile: dev\n  jpa:\n    show-sql: true\n";

    #[test]
    fn a_shared_profile_that_updates_the_schema_is_found() {
        let new = SPRING.replace("ddl-auto: validate", "ddl-auto: update");
        let hit = rules_hit(
            "src/main/resources/application.yml",
            Some(SPRING),
            Some(&new),
        );
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
        // TypeORM and Sequelize say it their way.
        let orm =
            "export default new DataSource({\n  type: 'postgres',\n  synchronize: false,\n});\n";
        let hit = rules_hit(
            "src/data-source.ts",
            Some(orm),
            Some(&orm.replace("synchronize: false", "synchronize: true")),
        );
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
        let seq = "await sequelize.authenticate();\n";
        let hit = rules_hit(
            "src/db.js",
            Some(seq),
            Some(&format!("{seq}await sequelize.sync({{ alter: true }});\n")),
        );
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
    }

    #[test]
    fn a_developer_profile_or_file_may_update_its_own_schema() {
        // In the dev document of the same file.
        let new = SPRING.replace(
            "    show-sql: true\n",
            "    show-sql: true\n    hibernate:\n      ddl-auto: update\n",
        );
        let hit = rules_hit(
            "src/main/resources/application.yml",
            Some(SPRING),
            Some(&new),
        );
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
        // In a file of a developer's profile.
        let props = "spring.datasource.url=jdbc:h2:mem:app\n";
        let hit = rules_hit(
            "src/main/resources/application-local.properties",
            Some(props),
            Some(&format!("{props}spring.jpa.hibernate.ddl-auto=update\n")),
        );
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
        // Validation kept, or turned on: nothing.
        let hit = rules_hit(
            "src/main/resources/application.yml",
            Some(&SPRING.replace("validate", "none")),
            Some(SPRING),
        );
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
    }
}
