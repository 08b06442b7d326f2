//! Controller filters that guard fewer actions. `before_action
//! :require_admin` guards every action of a Rails controller;
//! `before_action :require_admin, only: [:destroy]` guards one, and every
//! other action, including the ones the same change adds, runs without it.
//! The same with Laravel's `$this->middleware('auth')->only([...])` and
//! an `except:` list that grows.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// A filter registration: the filter's name and the rest of the line.
static FILTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:^|[^\w])(?:before_action|before_filter|prepend_before_action)\s+:(\w+)(.*)|->middleware\(\s*['"]([\w:.,-]+)['"]\s*\)(.*)"#).unwrap()
});
/// Filters that guard: authentication, authorisation, ownership.
static GUARDING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(auth|admin|require|ensure|verify|check|login|permission|owner|access|role|can|signed|csrf|throttle)").unwrap()
});
static ONLY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:only:\s*|->only\(\s*)(\[[^\]]*\]|%i\[[^\]]*\]|:\w+|'[^']*'|\x22[^\x22]*\x22)")
        .unwrap()
});
static EXCEPT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:except:\s*|->except\(\s*)(\[[^\]]*\]|%i\[[^\]]*\]|:\w+|'[^']*'|\x22[^\x22]*\x22)",
    )
    .unwrap()
});
static ACTION: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\w+").unwrap());

/// Which actions a registration covers: every one (`None` in `only`), a
/// list, and the actions it leaves out.
#[derive(Debug, PartialEq)]
struct Scope {
    only: Option<BTreeSet<String>>,
    except: BTreeSet<String>,
}

fn actions(list: &str) -> BTreeSet<String> {
    ACTION
        .find_iter(list)
        .map(|m| m.as_str().to_string())
        .filter(|a| a != "i")
        .collect()
}

fn scope_of(rest: &str) -> Scope {
    Scope {
        only: ONLY.captures(rest).map(|c| actions(&c[1])),
        except: EXCEPT
            .captures(rest)
            .map(|c| actions(&c[1]))
            .unwrap_or_default(),
    }
}

/// Guarding filters whose registration the change narrows.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !f.class.production() {
        return;
    }
    let registrations = |lines: &mut dyn Iterator<Item = &super::Line<'_>>| {
        lines
            .filter_map(|l| {
                let c = FILTER.captures(l.text)?;
                let name = c.get(1).or(c.get(3))?.as_str().to_string();
                let rest = c.get(2).or(c.get(4)).map_or("", |m| m.as_str()).to_string();
                Some((name, scope_of(&rest), l.no))
            })
            .collect::<Vec<_>>()
    };
    let old = registrations(&mut f.removed_code());
    if old.is_empty() {
        return;
    }
    for (name, now, line) in registrations(&mut f.added_code()) {
        if !GUARDING.is_match(&name) {
            continue;
        }
        let Some((_, was, _)) = old.iter().find(|(n, _, _)| *n == name) else {
            continue;
        };
        let lost: Vec<String> = match (&was.only, &now.only) {
            (None, Some(_)) => vec!["every action not listed".to_string()],
            (Some(a), Some(b)) => a.difference(b).cloned().collect(),
            _ => Vec::new(),
        };
        let excepted: Vec<String> = now.except.difference(&was.except).cloned().collect();
        if lost.is_empty() && excepted.is_empty() {
            continue;
        }
        let what = lost
            .into_iter()
            .chain(excepted)
            .collect::<Vec<_>>()
            .join(", ");
        out.push(Finding::added(
            "auth-filter-narrowed",
            Severity::High,
            f.path,
            Some(line),
            format!(
                "`{}` now guards fewer actions (`{}`): {what} run without it, including any action the change adds.",
                quote(&name),
                quote(
                    f.added
                        .iter()
                        .find(|l| l.no == line)
                        .map_or("", |l| l.text.trim())
                )
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit;

    fn hit(old: &str, new: &str) -> bool {
        rules_hit(
            "app/controllers/admin/reports_controller.rb",
            Some(old),
            Some(new),
        )
        .contains(&"auth-filter-narrowed".to_string())
    }

    #[test]
    fn a_guarding_filter_scoped_to_fewer_actions_is_found() {
        let old = "class ReportsController < ApplicationController\n  before_action :require_admin\n\n  def index; end\nend\n";
        assert!(hit(
            old,
            &old.replace(":require_admin", ":require_admin, only: [:destroy]")
        ));
        let listed = old.replace(
            ":require_admin",
            ":require_admin, only: %i[index show destroy]",
        );
        assert!(hit(
            &listed,
            &old.replace(":require_admin", ":require_admin, only: %i[destroy]")
        ));
        assert!(hit(
            old,
            &old.replace(":require_admin", ":require_admin, except: [:export]")
        ));
        // Laravel: a middleware registered in the constructor, then limited.
        let php = "<?php\nclass InvoiceController extends Controller\n{\n    public function __construct()\n    {\n        $this->middleware('auth');\n    }\n}\n";
        let limited = php.replace(
            "->middleware('auth');",
            "->middleware('auth')->only(['destroy']);",
        );
        assert!(
            rules_hit(
                "app/Http/Controllers/InvoiceController.php",
                Some(php),
                Some(&limited)
            )
            .contains(&"auth-filter-narrowed".to_string())
        );
    }

    #[test]
    fn a_filter_that_guards_as_much_or_more_is_quiet() {
        let listed = "class ReportsController < ApplicationController\n  before_action :require_admin, only: %i[index]\nend\n";
        assert!(!hit(
            listed,
            &listed.replace("%i[index]", "%i[index export]")
        ));
        let all = listed.replace(", only: %i[index]", "");
        assert!(!hit(listed, &all));
        // A filter made the parent's default, skipped here for the actions
        // that serve people not signed in yet: `skip_before_action` is not a
        // registration of the filter, and `destroy` is still guarded.
        let sessions = "class SessionsController < ApplicationController\n  before_action :authenticate_user!, only: :destroy\nend\n";
        assert!(!hit(
            sessions,
            &sessions.replace(
                "before_action :authenticate_user!, only: :destroy",
                "skip_before_action :authenticate_user!, only: %i[new create]"
            )
        ));
        // A filter that loads a record guards nothing.
        let load = "class A < ApplicationController\n  before_action :set_report\nend\n";
        assert!(!hit(
            load,
            &load.replace(":set_report", ":set_report, only: [:show]")
        ));
    }
}
