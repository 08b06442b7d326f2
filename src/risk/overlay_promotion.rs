//! A manifest moved from a non-production overlay into the shared base.
//! Kustomize renders `base/` into every overlay, production included: a job
//! that only staging ran (refreshing its database from a snapshot, seeding
//! test data, wiping a bucket) now runs in production too, against
//! production's database, because the names it uses resolve there as well.

use std::sync::LazyLock;

use regex::Regex;

use super::{ChangeView, Finding, Severity, quote};

/// An overlay that is not production, by its directory.
static NON_PROD_OVERLAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(^|/)(overlays|envs?|environments)/(staging|stage|stg|dev|develop|development|qa|test|sandbox|preview|demo|local)/").unwrap()
});
/// What a job does that destroys data where it runs.
static DESTRUCTIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\bdrop\s+(database|schema|table)\b|\bdropdb\b|pg_restore\b[^\n]*--clean|--clean\b|\btruncate\b|\brm\s+-rf\b|\bflushall\b|\bdelete\s+from\b|\bs3\s+rm\b|--recursive\b|\breset\b|\bseed\b|\bwipe\b)").unwrap()
});

/// Flags a manifest the change deletes from a non-production overlay and
/// creates, by the same file name, under a `base` directory.
pub fn check(change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    let name = |p: &str| p.rsplit('/').next().unwrap_or(p).to_string();
    for from in change
        .files
        .iter()
        .filter(|f| f.new_text().is_none() && NON_PROD_OVERLAY.is_match(f.path))
    {
        let Some(to) = change.files.iter().find(|f| {
            f.old_text().is_none()
                && f.path.contains("base/")
                && !NON_PROD_OVERLAY.is_match(f.path)
                && name(f.path) == name(from.path)
        }) else {
            continue;
        };
        let text = to.new_text().unwrap_or("");
        let destructive = DESTRUCTIVE.find(text).map(|m| m.as_str().to_string());
        out.push(Finding::added(
            "k8s-moved-to-base",
            if destructive.is_some() { Severity::High } else { Severity::Medium },
            to.path,
            Some(1),
            format!(
                "Moves `{}` from the overlay `{}` into the base every overlay renders: production now runs it too{}.",
                quote(&name(to.path)),
                quote(from.path.rsplit_once('/').map_or("", |(d, _)| d)),
                match destructive {
                    Some(d) => format!(", and it destroys data where it runs (`{}`)", quote(&d)),
                    None => String::new(),
                }
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::Severity;
    use crate::risk::testkit::findings_of_change;

    const JOB: &str = "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: db-refresh\nspec:\n  schedule: \"0 3 * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n            - name: refresh\n              image: tools:1.2\n              command: [\"sh\", \"-c\", \"pg_restore --clean -d $DATABASE_URL /snap/latest.dump\"]\n";

    fn severity(from: &str, to: &str, text: &str) -> Option<Severity> {
        findings_of_change(&[(from, Some(text), None), (to, None, Some(text))], None)
            .iter()
            .find(|f| f.rule == "k8s-moved-to-base")
            .map(|f| f.severity)
    }

    #[test]
    fn a_staging_job_moved_into_base_is_found() {
        let (from, to) = (
            "deploy/k8s/overlays/staging/cronjob-db-refresh.yaml",
            "deploy/k8s/base/cronjob-db-refresh.yaml",
        );
        assert_eq!(severity(from, to, JOB), Some(Severity::High));
        let harmless = JOB.replace(
            "pg_restore --clean -d $DATABASE_URL /snap/latest.dump",
            "echo ok",
        );
        assert_eq!(severity(from, to, &harmless), Some(Severity::Medium));
    }

    #[test]
    fn a_move_between_bases_or_out_of_production_is_not() {
        assert_eq!(
            severity(
                "deploy/k8s/overlays/production/job.yaml",
                "deploy/k8s/base/job.yaml",
                JOB
            ),
            None
        );
        assert_eq!(
            severity(
                "deploy/k8s/overlays/staging/job.yaml",
                "deploy/k8s/overlays/qa/job.yaml",
                JOB
            ),
            None
        );
    }
}
