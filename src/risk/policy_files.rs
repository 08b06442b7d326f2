//! Files that decide who approves what: countersign's own policy and rules,
//! CODEOWNERS, and branch protection. A change to any of them changes who may approve what, so it is
//! critical, and these findings cannot be silenced. Two exceptions are
//! medium, still never silenced: a CODEOWNERS change that only adds owners
//! for paths the default owners held (a new directory gets its team), and a
//! branch protection change that only renames a required check after the CI
//! job the same change renames.

use super::lang::Lang;
use super::{ChangeView, FileView, Finding, Severity};

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
    // A page that documents branch protection (`docs/branch-protection.md`)
    // decides nothing; a config or a script that applies it does.
    let prose = [".md", ".rst", ".txt", ".adoc", ".html"]
        .iter()
        .any(|e| name.ends_with(e));
    if lower == ".github/settings.yml"
        || lower.starts_with(".github/rulesets/")
        || !prose && (name.contains("branch-protection") || name.contains("branch_protection"))
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

/// The quoted strings of a line, and the line with each replaced by `""`.
fn strings_of(line: &str) -> (Vec<String>, String) {
    static QUOTED: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#""([^"\\]*)"|'([^'\\]*)'"#).expect("a valid regex")
    });
    let strings = QUOTED
        .captures_iter(line)
        .filter_map(|c| c.get(1).or_else(|| c.get(2)))
        .map(|m| m.as_str().to_string())
        .collect();
    (
        strings,
        QUOTED.replace_all(line.trim(), "\"\"").into_owned(),
    )
}

/// A CI job's id or name on a line: `  lint:` or `name: lint`.
fn names_job(line: &str, job: &str) -> bool {
    let t = line.trim();
    t == format!("{job}:")
        || t.strip_prefix("name:")
            .is_some_and(|n| n.trim().trim_matches(['"', '\'']) == job)
}

/// A branch protection change that only renames required status checks,
/// each after a CI job the same change renames (`lint` → `static-checks`):
/// the old name and the new one, or `None`.
fn required_check_renamed(f: &FileView<'_>, change: &ChangeView<'_>) -> Option<(String, String)> {
    let lines = |side: &[super::Line<'_>]| -> (Vec<String>, Vec<String>) {
        let mut strings = Vec::new();
        let mut shapes = Vec::new();
        for l in side
            .iter()
            .filter(|l| !l.text.trim().is_empty() && !f.class.is_comment(l.text))
        {
            let (s, shape) = strings_of(l.text);
            strings.extend(s);
            shapes.push(shape);
        }
        shapes.sort();
        (strings, shapes)
    };
    let (old, old_shape) = lines(&f.removed);
    let (new, new_shape) = lines(&f.added);
    if old_shape != new_shape || old_shape.is_empty() {
        return None; // something besides the values changed
    }
    let gone: Vec<&String> = old.iter().filter(|s| !new.contains(s)).collect();
    let came: Vec<&String> = new.iter().filter(|s| !old.contains(s)).collect();
    let ([g], [c]) = (gone.as_slice(), came.as_slice()) else {
        return None;
    };
    let ci = || change.files.iter().filter(|x| x.class.ci);
    let renamed = ci().any(|x| x.removed.iter().any(|l| names_job(l.text, g)))
        && ci().any(|x| x.added.iter().any(|l| names_job(l.text, c)));
    renamed.then(|| (g.to_string(), c.to_string()))
}

/// Flags gate files, and branch-protection resources inside Terraform.
pub fn check(f: &FileView<'_>, change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    let paths = [f.file.path.minus.as_deref(), f.file.path.plus.as_deref()];
    if let Some((rule, msg)) = paths.iter().flatten().find_map(|p| gate_kind(p)) {
        if rule == "gate-branch-protection"
            && let Some((old, new)) = required_check_renamed(f, change)
        {
            out.push(Finding::added(
                rule,
                Severity::Medium,
                f.path,
                f.added.first().map(|l| l.no),
                format!(
                    "Renames the required check `{}` to `{}`, after the CI job this change renames: what must pass and who approves stay the same.",
                    crate::sanitize::escape_line(&old),
                    crate::sanitize::escape_line(&new)
                ),
            ));
            return;
        }
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
            None if rule == "gate-codeowners"
                && same_path
                && f
                    .old_text()
                    .zip(f.new_text())
                    .is_some_and(|(o, n)| codeowners::same_owners(o, n)) =>
            {
                out.push(Finding::added(
                    rule,
                    Severity::Medium,
                    f.path,
                    None,
                    "Rewrites or reorders CODEOWNERS without changing any path's owners: the same reviews are required.",
                ))
            }
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
    use crate::risk::testkit::{diff_of, rules_hit};
    use crate::risk::{Contents, RuleSet, Severity, findings};

    #[test]
    fn a_required_check_renamed_after_its_job_is_medium() {
        let bp_old = "resource \"github_branch_protection\" \"main\" {\n  required_status_checks {\n    contexts = [\"lint\", \"test\"]\n  }\n}\n";
        let ci_old = "jobs:\n  lint:\n    runs-on: ubuntu-latest\n  test:\n    needs: lint\n";
        let level = |bp_new: &str, ci_new: &str| {
            let mut d = diff_of(
                "infra/github/branch_protection.tf",
                Some(bp_old),
                Some(bp_new),
            );
            d.files
                .extend(diff_of(".github/workflows/ci.yml", Some(ci_old), Some(ci_new)).files);
            findings(&d, &Contents::new(), &RuleSet::builtin())
                .into_iter()
                .filter(|f| f.rule == "gate-branch-protection")
                .map(|f| f.severity)
                .max()
        };
        let ci_renamed = ci_old.replace("lint", "static-checks");
        let bp_renamed = bp_old.replace("\"lint\"", "\"static-checks\"");
        assert_eq!(level(&bp_renamed, &ci_renamed), Some(Severity::Medium));
        // The check renamed to a job that the change does not create: critical.
        assert_eq!(level(&bp_renamed, ci_old), Some(Severity::Critical));
        // A check dropped, or reviews changed with it: critical.
        let dropped = bp_old.replace("\"lint\", ", "");
        assert_eq!(level(&dropped, &ci_renamed), Some(Severity::Critical));
        let reviews = bp_renamed.replace("  }\n}", "  }\n  enforce_admins = false\n}");
        assert_eq!(level(&reviews, &ci_renamed), Some(Severity::Critical));
        // The renamed job gutted: the change still alarms, through the CI rules.
        let ci_steps = "jobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm run lint\n  test:\n    needs: lint\n";
        let gutted = "jobs:\n  static-checks:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ok\n  test:\n    needs: static-checks\n";
        let mut d = diff_of(
            "infra/github/branch_protection.tf",
            Some(bp_old),
            Some(&bp_renamed),
        );
        d.files
            .extend(diff_of(".github/workflows/ci.yml", Some(ci_steps), Some(gutted)).files);
        let top = findings(&d, &Contents::new(), &RuleSet::builtin())
            .into_iter()
            .map(|f| f.severity)
            .max();
        assert!(top >= Some(Severity::High), "{top:?}");
    }

    #[test]
    fn a_page_about_branch_protection_is_no_gate() {
        assert!(super::gate_kind("docs/branch-protection.md").is_none());
        assert!(super::gate_kind("infra/github/branch_protection.tf").is_some());
        assert!(super::gate_kind(".github/branch-protection.yml").is_some());
        assert!(super::gate_kind("scripts/apply-branch-protection.sh").is_some());
    }

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
