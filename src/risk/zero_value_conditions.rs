//! A GORM condition written as a struct with a zero value in it.
//! `Where(&Subscription{Status: "trialing", AutoConvert: false})` does not
//! filter on `auto_convert`: GORM leaves zero-valued fields (`false`, `0`,
//! `""`, `nil`) out of struct conditions, so the query matches every row
//! the other fields match. Inside an update or a delete that is a bulk
//! write to rows the author meant to spare. A map (`map[string]any{…}`) or
//! a string condition keeps the zero value.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// A struct condition: the call and the struct literal's fields.
static STRUCT_CONDITION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^\s*|\.)(Where|Or|Not|First|Find|Take|Last|FirstOrCreate|FirstOrInit)\(\s*(?:&\w+\s*,\s*)?&?(\w+(?:\.\w+)?)\{([^{}]*)\}")
        .expect("a valid regex")
});

/// A field given a zero value: `AutoConvert: false`, `Count: 0`, `Name: ""`.
static ZERO_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:^|,)\s*(\w+)\s*:\s*(false|0|0\.0|""|nil)\s*(?:,|$)"#).expect("a valid regex")
});

/// Calls that write the rows a chain selects.
static WRITES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)(?:^\s*|\.)(Updates?|UpdateColumns?|Delete)\(").expect("a valid regex")
});

/// Reports a struct condition the change adds with a zero-valued field.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !f.path.ends_with(".go") || f.class.test_like() || f.class.vendored {
        return;
    }
    // Line numbers index the whole new file; without it, the line alone.
    let lines: Vec<&str> = f
        .new_text()
        .map(|t| t.lines().collect())
        .unwrap_or_default();
    for l in f.added_code() {
        let Some(c) = STRUCT_CONDITION.captures(l.text) else {
            continue;
        };
        // Fields named after the struct (`Where(&User{Age: 0}, "Age")`) are
        // queried with their zero values.
        let after = l.text[c.get(0).map_or(0, |m| m.end())..].trim_start();
        if after
            .strip_prefix(',')
            .is_some_and(|r| r.trim_start().starts_with(['"', '`']))
        {
            continue;
        }
        let zero: Vec<String> = ZERO_FIELD
            .captures_iter(&c[3])
            .map(|z| format!("{}: {}", &z[1], &z[2]))
            .collect();
        if zero.is_empty() {
            continue;
        }
        // The statement the condition is part of: its chain, both ways.
        let at = (l.no as usize).saturating_sub(1);
        let mut start = at;
        while start > 0
            && lines
                .get(start - 1)
                .is_some_and(|p| p.trim_end().ends_with('.'))
        {
            start -= 1;
        }
        let mut end = at;
        while end + 1 < lines.len()
            && end < at + 12
            && lines.get(end).is_some_and(|p| p.trim_end().ends_with('.'))
        {
            end += 1;
        }
        let chain = lines
            .get(start..=end)
            .filter(|s| s.iter().any(|x| x.contains(&c[0])))
            .map(|s| s.join("\n"))
            .unwrap_or_else(|| l.text.to_string());
        let writes = WRITES.is_match(&chain);
        out.push(Finding::added(
            "query-condition-zero-value-dropped",
            if writes { Severity::High } else { Severity::Medium },
            f.path,
            Some(l.no),
            format!(
                "`{}` in a struct condition on {} is ignored: GORM leaves zero values out of struct conditions, so the query {} every row the other fields match. Use a map or a string condition to keep it.",
                quote(&zero.join(", ")),
                quote(&c[2]),
                if writes { "writes" } else { "reads" }
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::Severity;
    use crate::risk::testkit::findings_with_contents;

    const PATH: &str = "internal/catalog/store/listings.go";
    const OLD: &str = "package store\n\nimport \"gorm.io/gorm\"\n\nfunc (s *Store) ExpireTrials(now time.Time) (int64, error) {\n\tres := s.db.\n\t\tModel(&Subscription{}).\n\t\tWhere(\"status = ?\", StatusTrialing).\n\t\tWhere(\"auto_convert = ?\", false).\n\t\tUpdates(map[string]any{\"status\": StatusExpired})\n\treturn res.RowsAffected, res.Error\n}\n";

    fn worst(new: &str) -> Option<Severity> {
        findings_with_contents(PATH, OLD, new)
            .iter()
            .filter(|f| f.rule == "query-condition-zero-value-dropped")
            .map(|f| f.severity)
            .max()
    }

    #[test]
    fn a_zero_value_in_a_struct_condition_is_no_condition() {
        let structs = OLD.replace(
            "\t\tWhere(\"status = ?\", StatusTrialing).\n\t\tWhere(\"auto_convert = ?\", false).\n",
            "\t\tWhere(&Subscription{Status: StatusTrialing, AutoConvert: false}).\n",
        );
        assert_eq!(
            worst(&structs),
            Some(Severity::High),
            "an update over every trial"
        );
        // The same fields with a true value are kept.
        assert_eq!(
            worst(&structs.replace("AutoConvert: false", "AutoConvert: true")),
            None
        );
        // A map keeps its zero values.
        let map = structs.replace(
            "Where(&Subscription{Status: StatusTrialing, AutoConvert: false})",
            "Where(map[string]any{\"status\": StatusTrialing, \"auto_convert\": false})",
        );
        assert_eq!(worst(&map), None);
        // A read loses the filter too, but writes nothing.
        let read = structs.replace(
            "\t\tUpdates(map[string]any{\"status\": StatusExpired})\n",
            "\t\tFind(&subs)\n",
        );
        assert_eq!(
            worst(&read),
            Some(Severity::Medium),
            "{:?}",
            findings_with_contents(PATH, OLD, &read)
        );
        // Fields named after the struct are queried, zero or not.
        let named = structs.replace(
            "AutoConvert: false})",
            "AutoConvert: false}, \"Status\", \"AutoConvert\")",
        );
        assert_eq!(worst(&named), None);
        // Zero counts and empty strings are zero values too.
        assert!(worst(&structs.replace("AutoConvert: false", "Attempts: 0")).is_some());
        assert!(worst(&structs.replace("AutoConvert: false", "Note: \"\"")).is_some());
    }
}
