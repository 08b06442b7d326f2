//! A script step whose failure stopped the script and now only warns. Under
//! `set -e` a bare `kubectl rollout status …` or smoke test is a gate: when
//! it fails, nothing after it runs. Wrapped in `if ! …; then warn …; fi`, or
//! given `|| true` / `|| echo …`, the script goes on to switch traffic,
//! publish or delete whatever the check was there to protect. The same for a
//! step that said so itself (`… || exit 1`, `if ! …; then exit 1; fi`).

use std::sync::LazyLock;

use regex::Regex;

use super::lang::Lang;
use super::{FileView, Finding, Severity, quote};

/// `set -e`, `set -euo pipefail`, `set -o errexit`, a `bash -e` shebang.
static ERREXIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^\s*(set\s+-[a-zA-Z]*e[a-zA-Z]*\b|set\s+-o\s+errexit\b|#!.*\s-[a-zA-Z]*e[a-zA-Z]*\s*$)").unwrap()
});

/// What leaves the script or function on failure.
static STOPS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(exit\s+(\$\w+|[1-9]\d*)|exit\s*$|return\s+[1-9]|die\b|fail\b|fatal\b|abort\b|false\b|kill\s+\$\$|rollback\w*|undo\b)").unwrap()
});

/// Commands that only say something.
static SAYS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(echo|printf|log\w*|warn\w*|info\w*|notice\w*|note\w*|msg\w*|say\w*|report\w*|notify\w*|annotate\w*|true|:|>&2|logger)\b").unwrap()
});

/// A step that checks something before the script acts on it.
static GATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(rollout\s+status|\bsmoke|health|\bverify|\bvalidat|\bcheck\b|--check\b|\bwait\b|\bready\b|readiness|\btests?\b|pytest|\bprobe|sha\d*sum|\bgpg\b|cosign|\bassert|terraform\s+plan|curl\s[^|]*(\s-[a-zA-Z]*f[a-zA-Z]*\b|--fail))").unwrap()
});

/// A step that changes what runs or what is kept.
static ACTS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(kubectl\s+(\S+\s+)*(apply|patch|scale|delete|set|replace|rollout\s+(restart|undo)|label)\b|helm\s+(upgrade|install|rollback)|terraform\s+apply|\baws\s|\bgcloud\s|\baz\s|docker\s+push|\bpublish|\bupload|\bgit\s+push|\brsync\b|\bscp\b|systemctl\s+(restart|start|reload)|\bmv\s|\bln\s+-s|\brm\s+-|\bdeploy|\brelease|\bpromote|\bswitch|\bcutover|\bswap\b)").unwrap()
});

/// A logical command, whitespace collapsed, a trailing `;` dropped.
fn norm(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_end_matches(';')
        .trim()
        .to_string()
}

/// The steps of a script whose failure stops it, normalised: bare commands
/// under `set -e`, commands with `|| exit …`, and those tested by an
/// `if ! …; then` whose block stops.
fn stopping_steps(text: &str) -> Vec<String> {
    let errexit = ERREXIT.is_match(text);
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut depth = 0usize;
    for (i, raw) in lines.iter().enumerate() {
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if let Some(cmd) = negated_if(l) {
            if block_after(&lines, i).iter().any(|b| STOPS.is_match(b)) {
                out.push(norm(cmd));
            }
        } else if let Some((cmd, rest)) = l.split_once("||") {
            if STOPS.is_match(rest) {
                out.push(norm(cmd));
            }
        } else if errexit && depth == 0 && !l.contains("&&") && !l.ends_with('\\') {
            out.push(norm(l));
        }
        // Inside a function body or a block, a bare line is not the
        // script's own gate (a function may be called with `|| true`).
        depth += l.matches('{').count() + usize::from(l.ends_with(" then") || l.ends_with(" do"));
        depth = depth.saturating_sub(
            l.matches('}').count() + usize::from(l == "fi" || l == "done" || l.starts_with("fi ")),
        );
    }
    out
}

/// `if ! cmd; then` → `cmd`.
fn negated_if(l: &str) -> Option<&str> {
    let rest = l.strip_prefix("if ! ").or_else(|| l.strip_prefix("if !"))?;
    let cmd = rest
        .strip_suffix("then")
        .map(|r| r.trim_end().trim_end_matches(';'))
        .unwrap_or(rest);
    Some(cmd.trim())
}

/// The lines of the `if` block opening at `at`, up to its `else`/`elif`/`fi`.
fn block_after<'a>(lines: &[&'a str], at: usize) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    for l in lines.iter().skip(at + 1) {
        let t = l.trim();
        if t.starts_with("if ") {
            depth += 1;
        }
        if depth == 0 && (t == "fi" || t.starts_with("else") || t.starts_with("elif ")) {
            break;
        }
        if t == "fi" {
            depth = depth.saturating_sub(1);
        }
        out.push(t);
    }
    out
}

/// A step of the new script that goes on when it fails, only saying so:
/// its command and the line it is on.
fn soft_steps(text: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, raw) in lines.iter().enumerate() {
        let l = raw.trim();
        if l.starts_with('#') {
            continue;
        }
        if let Some(cmd) = negated_if(l) {
            let block = block_after(&lines, i);
            let says_only = block
                .iter()
                .filter(|b| !b.is_empty() && !b.starts_with('#'))
                .all(|b| SAYS.is_match(b))
                && block.iter().any(|b| !b.is_empty());
            if says_only {
                out.push((norm(cmd), i));
            }
        } else if let Some((cmd, rest)) = l.split_once("||") {
            let rest = rest.trim().trim_start_matches('{').trim();
            if !cmd.trim().is_empty() && SAYS.is_match(rest) && !STOPS.is_match(rest) {
                out.push((norm(cmd), i));
            }
        }
    }
    out
}

/// Reports a gate step the change lets fail while the script goes on to act.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.lang != Lang::Shell || f.class.test_like() || f.class.docs || f.class.vendored {
        return;
    }
    let (Some(old), Some(new)) = (f.old_text(), f.new_text()) else {
        return;
    };
    failure_ends_in_success(f, old, new, out);
    let before = stopping_steps(old);
    if before.is_empty() {
        return;
    }
    let added: Vec<u32> = f.added_code().map(|l| l.no).collect();
    let lines: Vec<&str> = new.lines().collect();
    for (cmd, i) in soft_steps(new) {
        let no = i as u32 + 1;
        if !added.contains(&no) || cmd.is_empty() {
            continue;
        }
        // The old step, maybe now wrapped (`retry 3 20 ./smoke-test.sh …`).
        let Some(step) = before
            .iter()
            .filter(|b| b.len() >= 6)
            .find(|b| cmd.contains(b.as_str()))
        else {
            continue;
        };
        if !GATE.is_match(step) {
            continue;
        }
        let Some(next) = lines
            .iter()
            .skip(i + 1)
            .map(|l| l.trim())
            .find(|l| !l.starts_with('#') && ACTS.is_match(l))
        else {
            continue;
        };
        if out
            .iter()
            .any(|x| x.line == Some(no) && x.severity >= Severity::High)
        {
            continue;
        }
        out.push(Finding::added(
            "shell-gate-only-warns",
            Severity::High,
            f.path,
            Some(no),
            format!(
                "When `{}` fails the script now says so and goes on (to `{}`); before, the failure stopped it there.",
                quote(step),
                quote(next)
            ),
        ));
    }
}

/// What leaves with a failure status: `exit 1`, `exit "$rc"`, `return 1`.
static EXITS_FAILING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\b(exit|return)\s+("?\$\{?\w+|[1-9]\d*)|\bdie\b|\bfatal\b"#).unwrap()
});

/// Steps whose work is what the script is for: a backup, a dump, a copy.
static PROTECTS_DATA: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(backup|dump|snapshot|replicat|restore|archive|export|rsync|\bsync\b|upload|\bcopy\b|\bcp\b)").unwrap()
});

/// Commands that only tidy up: letting them fail is the usual choice.
static TIDIES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(rm|rmdir|unlink|kill|pkill|umount|docker\s+(rm|stop|kill)|true|:|echo|printf|log\w*|warn\w*)\b").unwrap()
});

/// Reports a step that stopped a `set -e` script and now only counts its
/// failure, where the script still ends with success: whatever watches its
/// exit status (cron mail, a health-check ping, a CI job) hears that all
/// went well.
fn failure_ends_in_success(f: &FileView<'_>, old: &str, new: &str, out: &mut Vec<Finding>) {
    let tests_a_step = |t: &str| negated_if(t.trim()).is_some();
    if !f.added.iter().any(|l| tests_a_step(l.text))
        || !ERREXIT.is_match(old)
        || !ERREXIT.is_match(new)
    {
        return;
    }
    let old_steps: Vec<String> = old
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.contains("||") && !l.contains("&&"))
        .filter(|l| !l.starts_with("if ") && !l.starts_with("local ") && !l.ends_with('{'))
        .map(norm)
        .collect();
    let lines: Vec<&str> = new.lines().collect();
    for (i, raw) in lines.iter().enumerate() {
        let no = i as u32 + 1;
        if !f.added_at(no) {
            continue;
        }
        let Some(cmd) = negated_if(raw.trim()).map(norm) else {
            continue;
        };
        if cmd.len() < 6 || TIDIES.is_match(&cmd) || !old_steps.contains(&cmd) {
            continue;
        }
        let block = block_after(&lines, i);
        if block
            .iter()
            .any(|b| STOPS.is_match(b) && !b.starts_with("continue"))
        {
            continue;
        }
        if lines[i + 1..].iter().any(|l| EXITS_FAILING.is_match(l)) {
            continue;
        }
        let protects = PROTECTS_DATA.is_match(&cmd) || PROTECTS_DATA.is_match(f.path);
        out.push(Finding::added(
            "shell-failure-ends-in-success",
            if protects { Severity::High } else { Severity::Medium },
            f.path,
            Some(no),
            format!(
                "When `{}` fails the script now notes it and goes on, and still ends with success; before, the failure stopped it with an error: whatever watches its exit status hears that all went well.",
                quote(&cmd)
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::findings_of_change;

    fn hit(old: &str, new: &str) -> bool {
        findings_of_change(&[("deploy/cutover.sh", Some(old), Some(new))], None)
            .iter()
            .any(|x| x.rule == "shell-gate-only-warns")
    }

    const OLD: &str = "#!/usr/bin/env bash\nset -euo pipefail\nkubectl rollout status deployment/api-green --timeout=600s\n./smoke-test.sh http://api-green:8080\nkubectl patch svc api -p '{\"spec\":{\"selector\":{\"color\":\"green\"}}}'\nkubectl scale deployment/api-blue --replicas=0\n";

    #[test]
    fn a_gate_that_now_only_warns_before_the_switch_is_found() {
        let warned = OLD.replace(
            "./smoke-test.sh http://api-green:8080\n",
            "if ! retry 3 20 ./smoke-test.sh http://api-green:8080; then\n  warn \"smoke test failed; continuing\"\nfi\n",
        );
        assert!(hit(OLD, &warned));
        let ored = OLD.replace(
            "--timeout=600s\n",
            "--timeout=600s || echo \"rollout slow; continuing\"\n",
        );
        assert!(hit(OLD, &ored));
        // An explicit exit before, `|| true` now.
        let explicit = "#!/bin/sh\n./verify.sh || exit 1\naws s3 sync dist/ s3://site/\n";
        assert!(hit(explicit, &explicit.replace("|| exit 1", "|| true")));
    }

    const BACKUP: &str = "#!/usr/bin/env bash\nset -euo pipefail\n\nbackup_db() {\n  pg_dump -Fc -f \"$OUT/$1.dump\" \"$1\"\n  aws s3 cp \"$OUT/$1.dump\" \"s3://backups/$1.dump\"\n}\n\nfor db in $(databases); do\n  backup_db \"$db\"\ndone\ncurl -fsS \"$HEALTHCHECK_URL\"\nlog \"all backups completed\"\n";

    fn ends_in_success(new: &str) -> bool {
        findings_of_change(&[("ops/backup/nightly.sh", Some(BACKUP), Some(new))], None)
            .iter()
            .any(|x| {
                x.rule == "shell-failure-ends-in-success"
                    && x.severity >= crate::risk::Severity::High
            })
    }

    #[test]
    fn a_backup_that_now_counts_failures_and_ends_in_success_is_found() {
        let counted = BACKUP.replace(
            "  backup_db \"$db\"\n",
            "  if ! backup_db \"$db\"; then\n    log \"backup of $db failed; continuing\"\n    failed=$((failed + 1))\n  fi\n",
        );
        assert!(ends_in_success(&counted));
        // The cousin: the same, and the script exits non-zero at the end.
        let reported = counted.replace(
            "log \"all backups completed\"\n",
            "if ((failed)); then\n  log \"$failed backups failed\"\n  exit 1\nfi\n",
        );
        assert!(!ends_in_success(&reported));
        // Stops right there, with a message first.
        let stops = BACKUP.replace(
            "  backup_db \"$db\"\n",
            "  if ! backup_db \"$db\"; then\n    log \"backup of $db failed\"\n    exit 1\n  fi\n",
        );
        assert!(!ends_in_success(&stops));
    }

    #[test]
    fn a_gate_that_still_stops_or_a_cleanup_made_soft_is_not() {
        // Still stops, with a message first.
        let stops = OLD.replace(
            "./smoke-test.sh http://api-green:8080\n",
            "if ! ./smoke-test.sh http://api-green:8080; then\n  warn \"smoke test failed\"\n  exit 1\nfi\n",
        );
        assert!(!hit(OLD, &stops));
        // A cleanup step made soft: not a gate.
        let old =
            "#!/bin/bash\nset -e\ndocker rm -f api-old\ndocker run -d --name api api:latest\n";
        assert!(!hit(old, &old.replace("api-old\n", "api-old || true\n")));
        // A gate made soft with nothing after it to protect.
        let last =
            "#!/bin/bash\nset -e\nkubectl apply -f k8s/\nkubectl rollout status deployment/api\n";
        assert!(!hit(
            last,
            &last.replace("deployment/api\n", "deployment/api || echo slow\n")
        ));
    }
}
