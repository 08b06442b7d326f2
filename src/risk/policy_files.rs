//! Files that decide who approves what: countersign's own policy and rules,
//! CODEOWNERS, and branch protection. A change to any of them changes who may approve what, so it is
//! critical, and these findings cannot be silenced. The one exception is a
//! CODEOWNERS change that only adds owners for paths the default owners held
//! (a new directory gets its team): medium, still never silenced.

use super::lang::Lang;
use super::{FileView, Finding, Severity};

mod codeowners;

/// True for files this module reads in full (CODEOWNERS, to tell rules only
/// added from rules changed).
pub fn wants_contents(path: &str) -> bool {
    gate_kind(path).is_some_and(|(rule, _)| rule == "gate-codeowners")
}

/// What kind of gate file a path is, if any.
pub fn gate_kind(path: &str) -> Option<(&'static str, &'static str)> {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    if lower.starts_with(".countersign/") {
        return Some((
            "gate-countersign",
            "Changes countersign's own policy or rules: this decides who must approve what, so it needs an approval made under the old rules.",
        ));
    }
    if name == "codeowners" {
        return Some((
            "gate-codeowners",
            "Changes CODEOWNERS: this decides whose review is required, including for this change.",
        ));
    }
    if lower == ".github/settings.yml"
        || lower.starts_with(".github/rulesets/")
        || name.contains("branch-protection")
        || name.contains("branch_protection")
        || lower == ".gitlab/protected_branches.yml"
        || lower == ".github/branch_protection.yml"
    {
        return Some((
            "gate-branch-protection",
            "Changes branch protection: this decides what may be merged without review.",
        ));
    }
    None
}

/// Flags gate files, and branch-protection resources inside Terraform.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let paths = [f.file.path.minus.as_deref(), f.file.path.plus.as_deref()];
    if let Some((rule, msg)) = paths.iter().flatten().find_map(|p| gate_kind(p)) {
        let same_path = f.file.path.minus == f.file.path.plus;
        let added = match (rule, f.old_text(), f.new_text()) {
            ("gate-codeowners", Some(old), Some(new)) if same_path => {
                codeowners::only_new_owners(old, new)
            }
            _ => None,
        };
        match added {
            Some(patterns) => out.push(Finding::added(
                rule,
                Severity::Medium,
                f.path,
                f.added
                    .iter()
                    .find(|l| !l.text.trim_start().starts_with('#') && !l.text.trim().is_empty())
                    .map(|l| l.no),
                format!(
                    "Adds CODEOWNERS rules for {} without removing, reordering or overriding an existing rule: only paths the default owners held change hands.",
                    crate::sanitize::escape_line(&patterns.join(", "))
                ),
            )),
            None => out.push(Finding::added(rule, Severity::Critical, f.path, None, msg)),
        }
        return;
    }
    let bp = |t: &str| {
        t.contains("github_branch_protection")
            || t.contains("github_repository_ruleset")
            || t.contains("gitlab_branch_protection")
            || t.contains("required_pull_request_reviews")
            || t.contains("required_approving_review_count")
            || t.contains("enforce_admins")
    };
    let iac = matches!(f.class.lang, Lang::Hcl | Lang::Yaml | Lang::Json) || f.class.infra;
    if f.class.docs || f.class.test_like() || !iac {
        return;
    }
    if let Some(l) = f.added.iter().chain(&f.removed).find(|l| bp(l.text)) {
        let side_added = f.added.iter().any(|a| std::ptr::eq(a.text, l.text));
        let msg =
            "Changes branch protection in code: this decides what may be merged without review.";
        out.push(if side_added {
            Finding::added(
                "gate-branch-protection",
                Severity::Critical,
                f.path,
                Some(l.no),
                msg,
            )
        } else {
            Finding::removed(
                "gate-branch-protection",
                Severity::Critical,
                f.path,
                Some(l.no),
                msg,
            )
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit;

    #[test]
    fn the_gate_is_always_critical() {
        assert_eq!(
            rules_hit(".countersign/policy.toml", Some("a = 1\n"), Some("a = 2\n")),
            vec!["gate-countersign"]
        );
        assert_eq!(
            rules_hit("docs/CODEOWNERS", None, Some("* @x\n")),
            vec!["gate-codeowners"]
        );
        assert_eq!(
            rules_hit(".github/settings.yml", Some("x: 1\n"), None),
            vec!["gate-branch-protection"]
        );
        let tf = "resource \"github_branch_protection\" \"main\" {\n  required_approving_review_count = 2\n}\n";
        assert!(
            rules_hit(
                "infra/github/main.tf",
                Some(tf),
                Some(&tf.replace('2', "0"))
            )
            .contains(&"gate-branch-protection".to_string())
        );
        assert!(rules_hit("src/codeowners_parser.rs", Some("x\n"), Some("y\n")).is_empty());
    }
}
