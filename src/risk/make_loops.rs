//! Loops in Makefile recipes that stop stopping. Make runs each recipe line
//! and stops at the first that fails; a shell `for` loop folded into one
//! line fails only when its last iteration does. Three deploy lines turned
//! into `for svc in $(SERVICES); do ./deploy.sh $$svc; done` carry on past a
//! failed deploy, and the release that follows tags a half-rolled version.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// A loop opened in a recipe: `for svc in $(SERVICES); do \`.
static LOOP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\t@?-?\s*(set -e\w*\s*;\s*)?(for|while)\b").unwrap());
/// What makes a loop stop at a failure.
static STOPS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\|\|\s*(exit|return|false)\b|\bset\s+-\w*e|&&\s*\\?\s*$|\bset\s+-o\s+errexit)")
        .unwrap()
});
/// The command a loop body runs (its first word, a script or a tool).
static COMMAND: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*([./\w-]+(?:\.sh)?)\b").unwrap());

/// Whether a path is a Makefile (whose texts the analysis loads).
pub(crate) fn makefile(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name == "Makefile" || name == "GNUmakefile" || name.ends_with(".mk")
}

/// A recipe loop the change adds that runs, without stopping at a failure,
/// a command the Makefile used to run on recipe lines of its own.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !makefile(f.path) {
        return;
    }
    let (Some(old), Some(new)) = (f.old_text(), f.new_text()) else {
        return;
    };
    // Commands the old file ran as recipe lines: make stopped at their failure.
    let own_lines: Vec<String> = old
        .lines()
        .filter(|l| l.starts_with('\t') && !LOOP.is_match(l))
        .filter_map(|l| COMMAND.captures(l.trim_start_matches(['\t', '@', '-'])))
        .map(|c| c[1].to_string())
        .filter(|c| !matches!(c.as_str(), "echo" | "printf" | "cd" | "true" | ":"))
        .collect();
    let lines: Vec<&str> = new.lines().collect();
    for l in f.added_code().filter(|l| LOOP.is_match(l.text)) {
        let at = (l.no as usize).saturating_sub(1);
        // The loop: its line and the continued lines up to `done`.
        let body: Vec<&str> = lines
            .get(at..)
            .unwrap_or_default()
            .iter()
            .take_while(|x| x.starts_with('\t'))
            .scan(false, |ended, x| {
                if *ended {
                    return None;
                }
                *ended = !x.trim_end().ends_with('\\') || x.contains("done");
                Some(*x)
            })
            .collect();
        if body.iter().any(|x| STOPS.is_match(x)) {
            continue;
        }
        let Some(run) = body.iter().skip(1).find_map(|x| {
            COMMAND
                .captures(x.trim_start_matches(['\t', '@', '-']))
                .map(|c| c[1].to_string())
                .filter(|c| own_lines.contains(c))
        }) else {
            continue;
        };
        out.push(Finding::added(
            "make-loop-ignores-failure",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "Runs `{}` in a shell loop that does not stop when it fails: make stopped at the first failing recipe line, a loop fails only when its last iteration does, so what comes next runs after a failure. Add `|| exit 1`.",
                quote(&run)
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents;

    #[test]
    fn a_recipe_loop_that_carries_on_past_a_failed_deploy_is_found() {
        let rule = "make-loop-ignores-failure".to_string();
        let old = "SERVICES := api worker\n\ndeploy-api:\n\t./scripts/deploy.sh api $(ENV)\n\ndeploy-worker:\n\t./scripts/deploy.sh worker $(ENV)\n\ndeploy: deploy-api deploy-worker\n";
        let new = "SERVICES := api worker\n\ndeploy:\n\t@for svc in $(SERVICES); do \\\n\t\techo \"deploying $$svc\"; \\\n\t\t./scripts/deploy.sh $$svc $(ENV); \\\n\tdone\n";
        assert!(rules_hit_with_contents("Makefile", old, new).contains(&rule));
        // Stopping at the first failure: quiet.
        let stops = new.replace("$(ENV); \\", "$(ENV) || exit 1; \\");
        assert!(!rules_hit_with_contents("Makefile", old, &stops).contains(&rule));
        let set_e = new.replace("@for svc", "@set -e; for svc");
        assert!(!rules_hit_with_contents("Makefile", old, &set_e).contains(&rule));
        // A loop over a command that never stopped make before (a new lint
        // loop): not a stop taken away.
        let lint = "SERVICES := api worker\n\nlint:\n\t@for svc in $(SERVICES); do \\\n\t\tgolangci-lint run ./services/$$svc; \\\n\tdone\n";
        assert!(!rules_hit_with_contents("Makefile", old, lint).contains(&rule));
    }
}
