//! A destructive job whose dry run stops being the default. A purge task
//! that deleted nothing unless told to (`dry_run = ENV["CONFIRM"] != "yes"`,
//! `--dry-run` defaulting to true, `dry_run: true`) is rewritten, often
//! extracted into a service, with the switch defaulting off (`dry_run:
//! false`, `dry_run=False`) and nothing left that asks for confirmation:
//! every scheduled or casual run that relied on the old default now deletes
//! for real.

use std::sync::LazyLock;

use regex::Regex;

use super::{ChangeView, FileView, Finding, Severity, quote};

/// A dry-run switch defaulting off.
static OFF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(dry_?run|dry-run)\b['\x22]?\s*(?::|=|,\s*default\s*=)\s*(false|False)\b")
        .expect("a valid regex")
});

/// A dry-run switch on unless something confirms the run: `dry_run = true`,
/// `dry_run = ENV["CONFIRM"] != "yes"`, `dry_run = not args.apply`,
/// `--dry-run` defaulting to true, or a confirming flag the run needs.
static ON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\b(dry_?run|dry-run)\b['\x22]?\s*(?::|=|,\s*default\s*=)\s*(true\b|.*(!=|!==|\bnot\b|!\s*\w|unless)\s*.*(confirm|apply|execute|force|yes|commit))|\bunless\s+.*confirm|['\x22]--(confirm|apply|execute|no-dry-run)['\x22])")
        .expect("a valid regex")
});

/// What the job does when it runs for real.
static DESTRUCTIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(destroy\w*|delete\w*|purge\w*|drop\w*|truncate\w*|remove\w*|unlink|rmtree|rm_rf|erase\w*)\b")
        .expect("a valid regex")
});

/// Reports a dry-run switch the change adds defaulting off where the code
/// it removes defaulted to a dry run, and nothing added still does.
pub fn check(f: &FileView<'_>, change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    if !f.class.production() || f.class.test_like() || f.class.docs {
        return;
    }
    let Some(l) = f.added_code().find(|l| OFF.is_match(l.text)) else {
        return;
    };
    if !f.new_text().is_some_and(|t| DESTRUCTIVE.is_match(t)) {
        return;
    }
    let code = |g: &&FileView<'_>| !g.class.test_like() && !g.class.docs;
    let was_on = change
        .files
        .iter()
        .filter(code)
        .flat_map(|g| g.removed_code())
        .find(|r| ON.is_match(r.text));
    let Some(was) = was_on else {
        return;
    };
    let still_on = change
        .files
        .iter()
        .filter(code)
        .flat_map(|g| g.added_code())
        .any(|a| ON.is_match(a.text));
    if still_on {
        return;
    }
    out.push(Finding::added(
        "destructive-run-by-default",
        Severity::High,
        f.path,
        Some(l.no),
        format!(
            "`{}` makes a real run the default where the removed code ran dry unless confirmed (`{}`): every run that relied on that default now deletes.",
            quote(l.text.trim()),
            quote(was.text.trim())
        ),
    ));
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::findings_of_change;

    const TASK: &str = "lib/tasks/accounts.rake";
    const SERVICE: &str = "app/services/accounts/inactive_purger.rb";
    const TASK_OLD: &str = "task purge_inactive: :environment do\n  dry_run = ENV[\"CONFIRM\"] != \"yes\"\n  Account.inactive.find_each do |a|\n    next if dry_run\n    a.destroy!\n  end\nend\n";
    const TASK_NEW: &str = "task purge_inactive: :environment do\n  Accounts::InactivePurger.new(cutoff: 540.days.ago).call\nend\n";
    const SERVICE_NEW: &str = "module Accounts\n  class InactivePurger\n    def initialize(cutoff:, dry_run: false)\n      @cutoff = cutoff\n      @dry_run = dry_run\n    end\n\n    def call\n      Account.inactive.find_each do |a|\n        next if @dry_run\n        a.destroy!\n      end\n    end\n  end\nend\n";

    fn fires(task_new: &str, service_new: &str) -> bool {
        findings_of_change(
            &[
                (TASK, Some(TASK_OLD), Some(task_new)),
                (SERVICE, None, Some(service_new)),
            ],
            None,
        )
        .iter()
        .any(|f| f.rule == "destructive-run-by-default")
    }

    #[test]
    fn a_purge_that_stops_running_dry_by_default_is_found() {
        assert!(fires(TASK_NEW, SERVICE_NEW));
        // The default kept: a dry run unless told.
        assert!(!fires(
            TASK_NEW,
            &SERVICE_NEW.replace("dry_run: false", "dry_run: true")
        ));
        // The task still asks for confirmation and passes it on.
        let confirmed = TASK_NEW.replace(
            "new(cutoff: 540.days.ago)",
            "new(cutoff: 540.days.ago, dry_run: ENV[\"CONFIRM\"] != \"yes\")",
        );
        assert!(!fires(&confirmed, SERVICE_NEW));
        // A switch that deletes nothing either way is no purge.
        let harmless = SERVICE_NEW.replace("a.destroy!", "a.touch");
        assert!(!fires(TASK_NEW, &harmless));
    }
}
