//! Wire contracts: the field numbers of protobuf messages and enums, and the
//! field ids of Thrift structs. On the wire a field is its number, not its
//! name, so a change that sorts the fields "for readability" and renumbers
//! them, gives a removed field's number to a new one, or changes the type
//! behind a number, makes every producer and consumer built before it (and
//! every stored payload) read values into the wrong fields, silently.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity};

/// True for files this module reads in full (fields are scoped by the
/// message around them, which a hunk may not show).
pub fn wants_contents(path: &str) -> bool {
    path.ends_with(".proto") || path.ends_with(".thrift")
}

/// A message, enum or struct opening: `message Payment {`.
static SCOPE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(message|enum|struct|union|exception)\s+(\w+)\s*\{").unwrap()
});
/// A protobuf field: `optional int64 amount_minor = 3;`, `map<string, string> labels = 9 [...]`.
static PROTO_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:optional\s+|required\s+|repeated\s+)?([\w.]+(?:<[^>]*>)?)\s+(\w+)\s*=\s*(\d+)\s*[;\[]").unwrap()
});
/// A protobuf enum value: `PAYMENT_STATUS_SETTLED = 2;`.
static ENUM_VALUE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(\w+)\s*=\s*(-?\d+)\s*[;\[]").unwrap());
/// A Thrift field: `3: required i64 amountMinor,`.
static THRIFT_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(\d+)\s*:\s*(?:required\s+|optional\s+)?([\w.]+(?:<[^>]*>)?)\s+(\w+)").unwrap()
});
/// `reserved 4, 7 to 9;`, `reserved "old_name";`.
static RESERVED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*reserved\s+([^;]*);").unwrap());

/// One field of a scope: its number, type (empty for enum values) and line.
#[derive(Debug, Clone)]
struct Field {
    number: i64,
    kind: String,
    line: u32,
}

/// Scope → field name → field, plus the numbers each scope reserves.
#[derive(Debug, Default)]
struct Contract {
    fields: BTreeMap<String, BTreeMap<String, Field>>,
    reserved: BTreeMap<String, Vec<(i64, i64)>>,
}

fn read(text: &str) -> Contract {
    let mut c = Contract::default();
    let mut stack: Vec<(String, bool)> = Vec::new();
    for (line, no) in text.lines().zip(1u32..) {
        let code = line.split("//").next().unwrap_or("");
        if let Some(m) = SCOPE.captures(code) {
            let parent = stack.last().map(|s| s.0.clone());
            let name = match parent {
                Some(p) => format!("{p}.{}", &m[2]),
                None => m[2].to_string(),
            };
            stack.push((name, &m[1] == "enum"));
        } else if let Some((scope, is_enum)) = stack.last() {
            let entry = |c: &mut Contract, name: &str, number: i64, kind: &str| {
                c.fields.entry(scope.clone()).or_default().insert(
                    name.to_string(),
                    Field {
                        number,
                        kind: kind.to_string(),
                        line: no,
                    },
                );
            };
            if let Some(r) = RESERVED.captures(code) {
                let ranges = c.reserved.entry(scope.clone()).or_default();
                for part in r[1].split(',') {
                    let part = part.trim();
                    let (a, b) = part.split_once(" to ").unwrap_or((part, part));
                    if let (Ok(a), Ok(b)) = (
                        a.trim().parse(),
                        b.trim().replace("max", "536870911").parse(),
                    ) {
                        ranges.push((a, b));
                    }
                }
            } else if *is_enum {
                if let Some(m) = ENUM_VALUE.captures(code)
                    && let Ok(n) = m[2].parse()
                {
                    entry(&mut c, &m[1], n, "");
                }
            } else if let Some(m) = PROTO_FIELD.captures(code)
                && !matches!(&m[1], "option" | "reserved")
                && let Ok(n) = m[3].parse()
            {
                entry(&mut c, &m[2], n, &m[1]);
            } else if let Some(m) = THRIFT_FIELD.captures(code)
                && let Ok(n) = m[1].parse()
            {
                entry(&mut c, &m[3], n, &m[2]);
            }
        }
        for _ in 0..code.matches('}').count() {
            stack.pop();
        }
    }
    c
}

/// Field numbers changed, reused or retyped.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !wants_contents(f.path) || f.class.test_like() {
        return;
    }
    let (Some(old), Some(new)) = (f.old_text(), f.new_text()) else {
        return;
    };
    let (old, new) = (read(old), read(new));
    let mut found: Vec<Finding> = Vec::new();
    for (scope, now) in &new.fields {
        let Some(was) = old.fields.get(scope) else {
            continue;
        };
        for (name, field) in now {
            let what = if field.kind.is_empty() {
                "enum value"
            } else {
                "field"
            };
            match was.get(name) {
                Some(before) if before.number != field.number => found.push(Finding::added(
                    "wire-field-renumbered",
                    Severity::High,
                    f.path,
                    Some(field.line),
                    format!(
                        "`{scope}.{name}` is {what} {} on the wire now (before: {}): everything built or stored before this change reads it, and whatever now has {}, as the wrong {what}.",
                        field.number, before.number, before.number
                    ),
                )),
                Some(before)
                    if !field.kind.is_empty()
                        && before.kind != field.kind
                        && !compatible(&before.kind, &field.kind) =>
                {
                    found.push(Finding::added(
                        "wire-field-retyped",
                        Severity::High,
                        f.path,
                        Some(field.line),
                        format!(
                            "`{scope}.{name}` (number {}) changes type from `{}` to `{}`: old readers and stored payloads decode it wrongly or not at all.",
                            field.number, before.kind, field.kind
                        ),
                    ))
                }
                Some(_) => {}
                None => {
                    // A new name on a number an old field had, which this
                    // change removed.
                    if let Some((old_name, _)) = was
                        .iter()
                        .find(|(n, b)| b.number == field.number && !now.contains_key(*n))
                    {
                        found.push(Finding::added(
                            "wire-field-renumbered",
                            Severity::High,
                            f.path,
                            Some(field.line),
                            format!(
                                "`{scope}.{name}` takes number {}, which was `{old_name}`: data written as `{old_name}` is read as `{name}`. Reserve the old number and use a new one.",
                                field.number
                            ),
                        ));
                    }
                }
            }
        }
        // Fields removed without reserving their number.
        for (name, before) in was {
            if now.contains_key(name) || now.values().any(|x| x.number == before.number) {
                continue;
            }
            let reserved = new
                .reserved
                .get(scope)
                .is_some_and(|r| r.iter().any(|(a, b)| (*a..=*b).contains(&before.number)));
            if !reserved && !before.kind.is_empty() {
                found.push(Finding::removed(
                    "wire-field-removed-unreserved",
                    Severity::Medium,
                    f.path,
                    Some(before.line),
                    format!(
                        "`{scope}.{name}` (number {}) is removed without `reserved {}`: a later field can take the number and read old data as its own.",
                        before.number, before.number
                    ),
                ));
            }
        }
    }
    // One finding per scope and rule is enough to say what happened.
    let mut seen = std::collections::HashSet::new();
    for x in found {
        let scope = x
            .message
            .split('`')
            .nth(1)
            .and_then(|s| s.rsplit_once('.'))
            .map(|s| s.0.to_string());
        if seen.insert((x.rule.clone(), scope)) {
            out.push(x);
        }
    }
}

/// Types that share a wire encoding (protobuf varints of the same sign
/// handling, Thrift's nothing).
fn compatible(a: &str, b: &str) -> bool {
    let varint = ["int32", "int64", "uint32", "uint64", "bool"];
    let zigzag = ["sint32", "sint64"];
    let fixed32 = ["fixed32", "sfixed32", "float"];
    let fixed64 = ["fixed64", "sfixed64", "double"];
    let bytes = ["string", "bytes"];
    [&varint[..], &zigzag, &fixed32, &fixed64, &bytes]
        .iter()
        .any(|g| g.contains(&a) && g.contains(&b))
}

#[cfg(test)]
mod tests {

    use crate::risk::testkit::findings_with_contents;

    const OLD: &str = "syntax = \"proto3\";\n\nmessage Payment {\n  string id = 1;\n  int64 amount_minor = 2;\n  string currency = 3;\n  string customer_id = 4;\n  enum Status {\n    STATUS_UNSPECIFIED = 0;\n    STATUS_SETTLED = 1;\n  }\n  Status status = 5;\n}\n";

    fn rules(new: &str) -> Vec<String> {
        findings_with_contents("proto/payments/v1/payment.proto", OLD, new)
            .into_iter()
            .map(|f| f.rule)
            .collect()
    }

    #[test]
    fn fields_sorted_by_name_and_renumbered_are_found() {
        let sorted = "syntax = \"proto3\";\n\nmessage Payment {\n  int64 amount_minor = 1;\n  string currency = 2;\n  string customer_id = 3;\n  string id = 4;\n  enum Status {\n    STATUS_UNSPECIFIED = 0;\n    STATUS_SETTLED = 1;\n  }\n  Status status = 5;\n}\n";
        assert!(rules(sorted).contains(&"wire-field-renumbered".to_string()));
    }

    #[test]
    fn a_removed_number_given_to_a_new_field_and_a_type_change_are_found() {
        let reused = OLD.replace("string customer_id = 4;", "string merchant_id = 4;");
        assert!(rules(&reused).contains(&"wire-field-renumbered".to_string()));
        let retyped = OLD.replace("int64 amount_minor = 2;", "string amount_minor = 2;");
        assert!(rules(&retyped).contains(&"wire-field-retyped".to_string()));
        let widened = OLD.replace("int64 amount_minor = 2;", "uint64 amount_minor = 2;");
        assert!(!rules(&widened).contains(&"wire-field-retyped".to_string()));
    }

    #[test]
    fn fields_added_reordered_or_removed_with_a_reservation_are_quiet() {
        let added = OLD.replace(
            "  Status status = 5;\n",
            "  Status status = 5;\n  string note = 6;\n",
        );
        assert!(rules(&added).is_empty(), "{:?}", rules(&added));
        let moved = OLD.replace(
            "  string id = 1;\n  int64 amount_minor = 2;\n",
            "  int64 amount_minor = 2;\n  string id = 1;\n",
        );
        assert!(rules(&moved).is_empty(), "{:?}", rules(&moved));
        let reserved = OLD.replace("  string customer_id = 4;\n", "  reserved 4;\n");
        assert!(rules(&reserved).is_empty(), "{:?}", rules(&reserved));
        let dropped = OLD.replace("  string customer_id = 4;\n", "");
        assert!(rules(&dropped).contains(&"wire-field-removed-unreserved".to_string()));
    }

    #[test]
    fn thrift_ids_are_read_the_same_way() {
        let old = "struct Payment {\n  1: required string id,\n  2: required i64 amountMinor,\n  3: optional string currency,\n}\n";
        let new = "struct Payment {\n  1: required i64 amountMinor,\n  2: optional string currency,\n  3: required string id,\n}\n";
        let hit: Vec<String> = findings_with_contents("idl/payment.thrift", old, new)
            .into_iter()
            .map(|f| f.rule)
            .collect();
        assert!(
            hit.contains(&"wire-field-renumbered".to_string()),
            "{hit:?}"
        );
    }
}
