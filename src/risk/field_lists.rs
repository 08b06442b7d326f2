//! A serializer or model form that stops listing the fields it accepts:
//! Django REST framework's and Django's `Meta.fields = [...]` turned into
//! `exclude = [...]` or `fields = "__all__"`, Rails' `permit(:a, :b)` into
//! `permit!`. Every other column of the model (`is_staff`, `is_superuser`,
//! `role`, `tenant_id`, and whatever is added later) becomes writable by
//! whoever can send the form.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// An explicit list of fields.
static LISTED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"^\s*fields\s*=\s*[\[(]"#).unwrap());
/// Every field, or every field but some.
static OPEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"^\s*(fields\s*=\s*["']__all__["']|exclude\s*=\s*[\[(]|params\.permit!|\.permit!\s*$)"#,
    )
    .unwrap()
});

pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs || f.class.migration {
        return;
    }
    if !f.path.ends_with(".py") && !f.path.ends_with(".rb") {
        return;
    }
    let Some(l) = f.added_code().find(|l| OPEN.is_match(l.text)) else {
        return;
    };
    // The change replaced a list: a new form written this way is a choice
    // for a reviewer, not a protection lost.
    if !f
        .removed_code()
        .any(|r| LISTED.is_match(r.text) || r.text.contains(".permit("))
    {
        return;
    }
    out.push(Finding::added(
        "field-allowlist-dropped",
        Severity::High,
        f.path,
        Some(l.no),
        format!(
            "Accepts every field of the model but those named (`{}`) where it listed the ones it accepts: columns such as `is_staff`, `role` or `tenant_id`, and any added later, can now be written by whoever sends the form.",
            quote(l.text.trim())
        ),
    ));
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents;

    #[test]
    fn a_field_list_turned_into_an_exclusion_is_found() {
        let rule = "field-allowlist-dropped".to_string();
        let old = "class ProfileSerializer(serializers.ModelSerializer):\n    class Meta:\n        model = User\n        fields = [\"display_name\", \"avatar\", \"locale\"]\n        read_only_fields = [\"email\"]\n";
        let hit = |new: &str| rules_hit_with_contents("accounts/serializers.py", old, new);
        let exclude = old.replace(
            "        fields = [\"display_name\", \"avatar\", \"locale\"]\n",
            "        exclude = [\"password\", \"last_login\"]\n",
        );
        assert!(hit(&exclude).contains(&rule));
        let all = old.replace("[\"display_name\", \"avatar\", \"locale\"]", "\"__all__\"");
        assert!(hit(&all).contains(&rule));
        // A field added to the list is no list dropped.
        let more = old.replace("\"locale\"]", "\"locale\", \"timezone\"]");
        assert!(!hit(&more).contains(&rule));
    }
}
