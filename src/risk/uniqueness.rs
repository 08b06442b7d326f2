//! A uniqueness a schema or model declares, dropped from the declaration
//! that keeps the rest: `t.index ["idempotency_key"], …, unique: true` in
//! `schema.rb` without `unique: true`, `models.EmailField(unique=True)`
//! without it, Prisma's `@unique`, JPA's `@Column(unique = true)`. The
//! schema dump and the model say what the database enforces; a migration
//! that drops and re-creates the index without the flag shows up there as
//! one line losing a word. Duplicates then go in unchallenged: the same
//! payment taken twice, two accounts for one email.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// A declaration that values must be unique.
static UNIQUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(\bunique["']?\s*(:|=>?)\s*(true|True)\b|@unique\b|\.unique\(\s*\)|\bunique\s+(index|key|constraint)\b|\bunique\s*\(|\bUniqueConstraint\b|@@unique\b|\bunique\s*,?\s*$)"#).unwrap()
});
/// The names a declaration is about: quoted names and identifiers.
static NAMES: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"[A-Za-z_][\w]{2,}"#).unwrap());

/// Whether `new` declares the same thing as `old`, word for word but for
/// the uniqueness: the same names in the same order once the unique marker
/// is taken out.
fn same_declaration(old: &str, new: &str) -> bool {
    let words = |t: &str| -> Vec<String> {
        let t = UNIQUE.replace_all(t, " ");
        NAMES
            .find_iter(&t)
            .map(|m| m.as_str().to_ascii_lowercase())
            .filter(|w| w != "true")
            .collect()
    };
    let (a, b) = (words(old), words(new));
    !a.is_empty() && a == b
}

pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs || f.class.vendored {
        return;
    }
    for (gone, came) in f.replacements() {
        for g in gone.iter().filter(|l| UNIQUE.is_match(&l.content)) {
            if f.class.is_comment(&g.content) {
                continue;
            }
            let Some(c) = came
                .iter()
                .find(|c| !UNIQUE.is_match(&c.content) && same_declaration(&g.content, &c.content))
            else {
                continue;
            };
            out.push(Finding::added(
                "schema-unique-dropped",
                Severity::High,
                f.path,
                c.new_no,
                format!(
                    "No longer declares `{}` unique (`{}` before): the database stops refusing duplicates, the same payment taken twice or two accounts for one email, and code that relied on the refusal (find-or-create, an idempotency key) quietly double-acts.",
                    quote(c.content.trim()),
                    quote(g.content.trim())
                ),
            ));
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents;

    const RULE: &str = "schema-unique-dropped";

    #[test]
    fn a_declaration_that_loses_its_uniqueness_is_found() {
        let old = "  create_table \"payments\" do |t|\n    t.string \"idempotency_key\", null: false\n    t.index [\"idempotency_key\"], name: \"index_payments_on_idempotency_key\", unique: true\n  end\n";
        let new = old.replace(", unique: true\n", "\n");
        assert!(rules_hit_with_contents("db/schema.rb", old, &new).contains(&RULE.to_string()));
        let py_old = "class Account(models.Model):\n    email = models.EmailField(max_length=254, unique=True)\n";
        let py_new =
            "class Account(models.Model):\n    email = models.EmailField(max_length=254)\n";
        assert!(
            rules_hit_with_contents("accounts/models.py", py_old, py_new)
                .contains(&RULE.to_string())
        );
        let prisma_old = "model User {\n  id    Int    @id\n  email String @unique\n}\n";
        let prisma_new = "model User {\n  id    Int    @id\n  email String\n}\n";
        assert!(
            rules_hit_with_contents("prisma/schema.prisma", prisma_old, prisma_new)
                .contains(&RULE.to_string())
        );
    }

    #[test]
    fn a_unique_declaration_kept_or_moved_is_not() {
        let old = "class Account(models.Model):\n    email = models.EmailField(max_length=254, unique=True)\n";
        // The same field made longer, still unique.
        let wider = old.replace("254", "320");
        assert!(
            !rules_hit_with_contents("accounts/models.py", old, &wider).contains(&RULE.to_string())
        );
        // A different line written in its place: not the same declaration.
        let other = "class Account(models.Model):\n    handle = models.SlugField(max_length=64)\n";
        assert!(
            !rules_hit_with_contents("accounts/models.py", old, other).contains(&RULE.to_string())
        );
    }
}
