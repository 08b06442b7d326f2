//! A resource or trust policy whose principal goes from one role to a whole
//! AWS account. `arn:aws:iam::111122223333:role/etl-reader` lets that role
//! in; `111122223333` (or `arn:aws:iam::111122223333:root`) lets in every
//! user and role the other account's administrators allow, so whoever runs
//! anything there reads the bucket. It tends to arrive inside a tidy-up
//! ("express the policy as a policy document", "one list of cross-account
//! readers") where the list is filled with account ids in another file.

use std::sync::LazyLock;

use regex::Regex;

use super::{ChangeView, FileView, Finding, Severity, quote};

/// A principal naming one role or user of an account.
static ROLE_ARN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"arn:aws:iam::[^:\s]*:(role|user|assumed-role)/").expect("a valid regex")
});

/// Where a policy names its principals: HCL `identifiers = …` or `AWS = …`,
/// JSON `"AWS": …`.
static PRINCIPAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*(identifiers|AWS|"AWS")\s*[=:]\s*(?P<v>.+?)\s*,?\s*$"#)
        .expect("a valid regex")
});

/// A value that stands for a whole account: a bare account id, the
/// account's `:root`, or a name that says account (and not role).
fn whole_account(v: &str) -> bool {
    static ID: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(^|[\["'\s,])\d{12}(["'\s,\]]|$)|:root\b|(?i)(^|[^a-z])(accounts?_?ids?|accounts)([^a-z_]|$)"#).expect("a valid regex")
    });
    ID.is_match(v) && !ROLE_ARN.is_match(v) && !v.to_ascii_lowercase().contains("role")
}

/// Looks for a policy file whose principal became a whole account.
pub fn check(f: &FileView<'_>, change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    let tf_or_json =
        f.path.ends_with(".tf") || f.path.ends_with(".json") || f.path.ends_with(".tf.json");
    if !tf_or_json || f.class.test_like() || f.class.docs || f.added.is_empty() {
        return;
    }
    let removed_role = || {
        change
            .files
            .iter()
            .flat_map(|g| &g.removed)
            .any(|l| ROLE_ARN.is_match(l.text))
    };
    for l in &f.added {
        let Some(c) = PRINCIPAL.captures(l.text) else {
            continue;
        };
        let v = c.name("v").map_or("", |m| m.as_str());
        // `identifiers = var.readers`: what the list holds is set where the
        // module is used, often in another file of the change.
        let fed = v.strip_prefix("var.").map(|name| {
            let name = name.trim_end_matches(',').trim();
            change.files.iter().flat_map(|g| &g.added).find(|a| {
                a.text
                    .trim_start()
                    .strip_prefix(name)
                    .is_some_and(|rest| rest.trim_start().starts_with('='))
                    && whole_account(a.text.split_once('=').map_or("", |(_, r)| r))
            })
        });
        let account = whole_account(v) || fed.flatten().is_some();
        if account && removed_role() {
            out.push(Finding::added(
                "iam-principal-whole-account",
                Severity::High,
                f.path,
                Some(l.no),
                format!(
                    "The policy's principal is now a whole account ({}) where it named one role: every user and role that account's administrators allow can use it.",
                    quote(
                        fed.flatten()
                            .map_or(l.text.trim(), |a| a.text.trim())
                    )
                ),
            ));
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::findings_of_change;

    fn found(files: &[(&str, Option<&str>, Option<&str>)]) -> bool {
        findings_of_change(files, None)
            .iter()
            .any(|f| f.rule == "iam-principal-whole-account")
    }

    const OLD: &str = "resource \"aws_s3_bucket_policy\" \"lake\" {\n  bucket = aws_s3_bucket.lake.id\n  policy = jsonencode({\n    Statement = [{\n      Effect = \"Allow\"\n      Principal = {\n        AWS = \"arn:aws:iam::${var.analytics_account_id}:role/${var.reader_role}\"\n      }\n      Action = [\"s3:GetObject\"]\n    }]\n  })\n}\n";

    #[test]
    fn a_role_principal_replaced_by_an_account_is_found() {
        let direct = OLD.replace(
            "\"arn:aws:iam::${var.analytics_account_id}:role/${var.reader_role}\"",
            "var.analytics_account_id",
        );
        assert!(found(&[(
            "modules/lake/policy.tf",
            Some(OLD),
            Some(&direct)
        )]));
        // Through a list the environment fills with account ids.
        let doc = "data \"aws_iam_policy_document\" \"lake\" {\n  statement {\n    actions = [\"s3:GetObject\"]\n    principals {\n      type        = \"AWS\"\n      identifiers = var.cross_account_readers\n    }\n  }\n}\n";
        let env_old = "module \"lake\" {\n  analytics_account_id = local.accounts.analytics\n  reader_role          = \"etl-reader\"\n}\n";
        let env_new =
            "module \"lake\" {\n  cross_account_readers = [local.accounts.analytics]\n}\n";
        assert!(found(&[
            ("modules/lake/policy.tf", Some(OLD), Some(doc)),
            ("envs/prod/lake.tf", Some(env_old), Some(env_new)),
        ]));
    }

    #[test]
    fn a_role_kept_in_a_rewritten_policy_is_not() {
        let doc = "data \"aws_iam_policy_document\" \"lake\" {\n  statement {\n    actions = [\"s3:GetObject\"]\n    principals {\n      type        = \"AWS\"\n      identifiers = var.cross_account_readers\n    }\n  }\n}\n";
        let env_old = "module \"lake\" {\n  analytics_account_id = local.accounts.analytics\n  reader_role          = \"etl-reader\"\n}\n";
        let env_roles = "module \"lake\" {\n  cross_account_readers = [\"arn:aws:iam::${local.accounts.analytics}:role/etl-reader\"]\n}\n";
        assert!(!found(&[
            ("modules/lake/policy.tf", Some(OLD), Some(doc)),
            ("envs/prod/lake.tf", Some(env_old), Some(env_roles)),
        ]));
        // An account principal where none named a role before: not this.
        let acct = "resource \"aws_kms_key_policy\" \"k\" {\n  policy = jsonencode({\n    Statement = [{\n      Principal = {\n        AWS = \"arn:aws:iam::${data.aws_caller_identity.current.account_id}:root\"\n      }\n    }]\n  })\n}\n";
        assert!(!found(&[("kms.tf", None, Some(acct))]));
    }
}
