//! Enums stored by position. A Rails array enum (`enum status: [:pending,
//! :active]`) writes each value's index to the database; JPA's
//! `@Enumerated(EnumType.ORDINAL)`, EF Core and protobuf-less wire formats
//! store a member's ordinal the same way. A value inserted before the end,
//! or the members reordered, changes what every stored number means: rows
//! written as `active` read back as the new value, nothing migrates them,
//! and the code that bills or grants by status acts on the wrong rows.

use std::sync::LazyLock;

use regex::Regex;

use super::lang::Lang;
use super::{FileView, Finding, Severity, quote};

/// A Rails array enum: `enum status: [...]`, `enum :status, [...]`,
/// `enum status: %i[...]`.
static RAILS_ARRAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^\s*enum\s+:?(\w+)\s*(?::|,)\s*(?:\[([^\]]*)\]|%i\[([^\]]*)\])")
        .expect("a valid regex")
});
/// An enum block whose members take their numbers from their position:
/// Java, Kotlin (`enum class`), C#, TypeScript, C.
static BLOCK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\benum\s+(?:class\s+)?(\w+)\s*(?::\s*[\w.]+\s*)?\{([^}]*)\}")
        .expect("a valid regex")
});
/// What says the numbers are what is stored or sent.
static PERSISTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(EnumType\.ORDINAL|\.ordinal\(\)|(^|[/._-])(models?|entit(y|ies)|domain|schema|db|persistence|dto|events?|messages?|wire|protocol)/)")
        .expect("a valid regex")
});

/// The members of one enum, in order.
#[derive(Debug, PartialEq)]
struct Positional {
    name: String,
    members: Vec<String>,
    rails: bool,
}

fn rails_members(list: &str) -> Vec<String> {
    list.split([',', ' ', '\n', '\t'])
        .map(|m| m.trim().trim_start_matches(':').trim_matches(['"', '\'']))
        .filter(|m| !m.is_empty())
        .map(str::to_string)
        .collect()
}

/// The members of an enum block, or `None` when any has an explicit value
/// (`ACTIVE = 2`), a constructor argument list aside.
fn block_members(body: &str) -> Option<Vec<String>> {
    // Java: the constants end at the first `;`, then come fields and methods.
    let constants = body.split(';').next().unwrap_or(body);
    let mut out = Vec::new();
    for raw in constants.split(',') {
        let item: String = raw
            .lines()
            .map(|l| l.split("//").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join(" ");
        let item = item.trim();
        // Annotations and attributes before a member (`@Deprecated`, `[Obsolete]`).
        let item = item
            .split_whitespace()
            .filter(|w| !w.starts_with('@') && !w.starts_with('['))
            .collect::<Vec<_>>()
            .join(" ");
        if item.is_empty() {
            continue;
        }
        if item.contains('=') {
            return None;
        }
        let name: String = item
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if name.is_empty() {
            return None;
        }
        out.push(name);
    }
    (out.len() >= 2).then_some(out)
}

fn positional(text: &str, lang: Lang) -> Vec<Positional> {
    let mut out = Vec::new();
    if lang == Lang::Ruby {
        for c in RAILS_ARRAY.captures_iter(text) {
            let list = c.get(2).or(c.get(3)).map_or("", |m| m.as_str());
            out.push(Positional {
                name: c[1].to_string(),
                members: rails_members(list),
                rails: true,
            });
        }
        return out;
    }
    for c in BLOCK.captures_iter(text) {
        if let Some(members) = block_members(&c[2]) {
            out.push(Positional {
                name: c[1].to_string(),
                members,
                rails: false,
            });
        }
    }
    out
}

/// The first member both sides keep whose position moved, with its old and
/// new index.
fn shifted(old: &[String], new: &[String]) -> Option<(String, usize, usize)> {
    old.iter().enumerate().find_map(|(i, m)| {
        let j = new.iter().position(|n| n == m)?;
        (i != j).then(|| (m.clone(), i, j))
    })
}

/// Enum rules for one file.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !matches!(
        f.class.lang,
        Lang::Ruby | Lang::Jvm | Lang::CSharp | Lang::JavaScript | Lang::C
    ) || f.class.test_like()
        || f.class.docs
    {
        return;
    }
    let (Some(old), Some(new)) = (f.old_text(), f.new_text()) else {
        return;
    };
    if !new.contains("enum") {
        return;
    }
    let before = positional(old, f.class.lang);
    if before.is_empty() {
        return;
    }
    for e in positional(new, f.class.lang) {
        let Some(was) = before.iter().find(|b| b.name == e.name) else {
            continue;
        };
        let Some((member, i, j)) = shifted(&was.members, &e.members) else {
            continue;
        };
        let stored = e.rails || PERSISTED.is_match(f.path) || PERSISTED.is_match(new);
        let line = f
            .added
            .iter()
            .find(|l| l.text.contains(&e.name) || l.text.contains(&member))
            .or(f.added.first())
            .map(|l| l.no);
        out.push(Finding::added(
            "enum-ordinal-shifted",
            if stored {
                Severity::High
            } else {
                Severity::Medium
            },
            f.path,
            line,
            format!(
                "`{}` takes its numbers from the order of its values, and `{}` moves from {i} to {j}: {}",
                quote(&e.name),
                quote(&member),
                if stored {
                    "every value already stored or sent as a number now reads as another one, and nothing converts it."
                } else {
                    "anything that stored or sent the number now reads another value."
                }
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents;

    fn shifted(path: &str, old: &str, new: &str) -> bool {
        rules_hit_with_contents(path, old, new).contains(&"enum-ordinal-shifted".to_string())
    }

    #[test]
    fn a_value_inserted_into_a_rails_array_enum_shifts_the_stored_numbers() {
        let old = "class Subscription < ApplicationRecord\n  enum status: [:pending, :active, :past_due, :canceled]\nend\n";
        let inserted = old.replace(":pending, :active", ":pending, :trialing, :active");
        assert!(shifted("app/models/subscription.rb", old, &inserted));
        let rails7 = "class Subscription < ApplicationRecord\n  enum :status, %i[pending active canceled]\nend\n";
        assert!(shifted(
            "app/models/subscription.rb",
            rails7,
            &rails7.replace("pending active", "active pending")
        ));
        // Appended at the end: every stored number keeps its meaning.
        let appended = old.replace(":canceled]", ":canceled, :trialing]");
        assert!(!shifted("app/models/subscription.rb", old, &appended));
        // A hash enum names its numbers.
        let hash = "class Subscription < ApplicationRecord\n  enum status: { pending: 0, active: 1 }\nend\n";
        let hash_new = hash.replace("pending: 0, ", "pending: 0, trialing: 2, ");
        assert!(!shifted("app/models/subscription.rb", hash, &hash_new));
    }

    #[test]
    fn an_ordinal_enum_reordered_is_found_explicit_values_are_not() {
        let java = "package shop.orders.model;\n\npublic enum OrderStatus {\n    PLACED,\n    PAID,\n    SHIPPED;\n\n    public boolean open() { return this != SHIPPED; }\n}\n";
        let inserted = java.replace("    PAID,\n", "    AUTHORIZED,\n    PAID,\n");
        assert!(shifted(
            "src/main/java/shop/orders/model/OrderStatus.java",
            java,
            &inserted
        ));
        let appended = java.replace("    SHIPPED;", "    SHIPPED,\n    RETURNED;");
        assert!(!shifted(
            "src/main/java/shop/orders/model/OrderStatus.java",
            java,
            &appended
        ));
        // EF Core stores an enum as its number: a domain project's enum is stored.
        let status = "namespace Shop.Domain.Orders;\n\npublic enum OrderStatus\n{\n    Pending,\n    Paid,\n    Shipped,\n}\n";
        let failed = status.replace("    Paid,\n", "    Paid,\n    PaymentFailed,\n");
        let high = crate::risk::testkit::findings_with_contents(
            "src/Shop.Domain/Orders/OrderStatus.cs",
            status,
            &failed,
        )
        .iter()
        .any(|f| f.rule == "enum-ordinal-shifted" && f.severity == crate::risk::Severity::High);
        assert!(high);
        let cs = "namespace Shop.Domain;\n\npublic enum Tier\n{\n    Free = 0,\n    Pro = 1,\n}\n";
        let cs_new = cs.replace("    Free = 0,\n", "    Trial = 2,\n    Free = 0,\n");
        assert!(!shifted("src/Shop.Domain/Tier.cs", cs, &cs_new));
    }
}
