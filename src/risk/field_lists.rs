//! A serializer or model form that stops listing the fields it accepts:
//! Django REST framework's and Django's `Meta.fields = [...]` turned into
//! `exclude = [...]` or `fields = "__all__"`, Rails' `permit(:a, :b)` into
//! `permit!`. Every other column of the model (`is_staff`, `is_superuser`,
//! `role`, `tenant_id`, and whatever is added later) becomes writable by
//! whoever can send the form.

use std::sync::LazyLock;

use regex::Regex;

use super::{ChangeView, FileView, Finding, Severity, quote};

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

/// Rails strong parameters built from the model's schema (`permit(*User.
/// column_names)`, a helper that maps `model.columns` into `permit(...)`)
/// where the change removes a written-out `permit(:name, :email)`: every
/// column, `admin`, `role` and `plan` among them, becomes writable.
pub fn schema_permits(change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    static SCHEMA: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(column_names|attribute_names|columns_hash)\b|\.columns\b").unwrap()
    });
    static LISTED_PERMIT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\.permit\(\s*:\w+").unwrap());
    let ruby =
        |f: &&FileView<'_>| f.path.ends_with(".rb") && !f.class.test_like() && !f.class.migration;
    let Some((f, l)) = change.files.iter().filter(ruby).find_map(|f| {
        let code: Vec<_> = f.added_code().collect();
        code.iter()
            .any(|l| l.text.contains(".permit("))
            .then_some(())?;
        code.iter()
            .find(|l| SCHEMA.is_match(l.text))
            .map(|l| (f, *l))
    }) else {
        return;
    };
    let listed_gone = change
        .files
        .iter()
        .filter(ruby)
        .flat_map(|g| g.removed_code())
        .any(|r| LISTED_PERMIT.is_match(r.text));
    if listed_gone {
        out.push(Finding::added(
            "field-allowlist-dropped",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "Permits the request fields from the model's own columns ({}) where controllers listed the ones they accept: `admin`, `role`, `plan` and any column added later can now be written by whoever sends the form.",
                quote(l.text.trim())
            ),
        ));
    }
}

/// `select *`, on its own line or before its `from`.
static SELECT_ALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bselect\s+(?:\w+\.)?\*\s*(?:$|from\s+([\w.\x22`]+))").unwrap()
});
static FROM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\s*from\s+([\w.\x22`]+)").unwrap());
/// Where a query's rows leave the company: a partner's bucket, an unload,
/// a feed or a file sent on.
static OUTBOUND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(partner|vendor|third[-_ ]?party|copy\s+into\s+@|\bunload\b|outbound|sftp|data[-_ ]?shar|\bfeed\b)").unwrap()
});
static SELECT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)\bselect\b").unwrap());

/// A query whose rows go to another company, written out column by column
/// before and now `select *` from a table the old query read: every column
/// of it (emails, names, birth dates, and whatever is added later) is sent.
pub fn check_change(change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    for f in change
        .files
        .iter()
        .filter(|f| f.class.production() || f.class.migration)
    {
        // Queries are text inside the code: string lines count.
        let mut candidates = f
            .added
            .iter()
            .filter(|l| !f.class.is_comment(l.text))
            .filter_map(|l| Some((l, SELECT_ALL.captures(l.text)?)))
            .peekable();
        if candidates.peek().is_none()
            || !OUTBOUND.is_match(f.path) && !OUTBOUND.is_match(&f.new_text_or_hunks())
        {
            continue;
        }
        for (l, c) in candidates {
            let table = c.get(1).map(|m| m.as_str().to_string()).or_else(|| {
                (l.no + 1..=l.no + 3)
                    .filter_map(|n| f.new_lines.get(&n))
                    .find_map(|t| FROM.captures(t).map(|c| c[1].to_string()))
            });
            let Some(table) = table else {
                continue;
            };
            let name = table.trim_matches(['"', '`']);
            let name = name.rsplit('.').next().unwrap_or(name).to_ascii_lowercase();
            if name.len() < 3 {
                continue;
            }
            let listed_before = change.files.iter().any(|x| {
                x.old_text().is_some_and(|t| {
                    t.to_ascii_lowercase().contains(&name)
                        && (x.deleted() || !x.removed.is_empty())
                        && SELECT.is_match(t)
                        && !t.lines().any(|line| SELECT_ALL.is_match(line))
                })
            });
            if !listed_before {
                continue;
            }
            out.push(Finding::added(
                "export-columns-unlisted",
                Severity::High,
                f.path,
                Some(l.no),
                format!(
                    "Sends every column of `{}` where the old query listed the ones agreed (`{}`): personal data the recipient was never meant to have, and every column added later, leaves with it.",
                    quote(&table),
                    quote(l.text.trim())
                ),
            ));
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents;

    #[test]
    fn strong_parameters_from_the_schema_are_found_where_a_list_was_removed() {
        use crate::risk::testkit::findings_of_change;
        let found = |files: &[(&str, Option<&str>, Option<&str>)]| {
            findings_of_change(files, None)
                .iter()
                .any(|f| f.rule == "field-allowlist-dropped")
        };
        let ctrl_old = "class ProfilesController < ApplicationController\n  def user_params\n    params.require(:user).permit(:name, :email, :time_zone)\n  end\nend\n";
        let ctrl_new = "class ProfilesController < ApplicationController\n  include PermittedAttributes\n\n  def user_params\n    permitted_attributes(User, except: %w[encrypted_password])\n  end\nend\n";
        let helper = "module PermittedAttributes\n  def permitted_attributes(model, except: [])\n    names = model.column_names - %w[id created_at updated_at] - except\n    params.require(model.model_name.param_key).permit(*names)\n  end\nend\n";
        let c = "app/controllers/profiles_controller.rb";
        let h = "app/controllers/concerns/permitted_attributes.rb";
        assert!(found(&[
            (c, Some(ctrl_old), Some(ctrl_new)),
            (h, None, Some(helper))
        ]));
        // A new helper without a written-out list removed: a choice, not a loss.
        assert!(!found(&[(h, None, Some(helper))]));
        // A list reworded: still a list.
        let reworded = ctrl_old.replace(":time_zone", ":time_zone, :locale");
        assert!(!found(&[(c, Some(ctrl_old), Some(&reworded))]));
    }

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
