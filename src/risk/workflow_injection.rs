//! GitHub Actions expressions that carry text an outsider writes (a pull
//! request's title, body or branch name, an issue comment, a commit
//! message) expanded straight into a `run:` script. The runner substitutes
//! the text before the shell parses it, so a title holding `"; curl … | sh;
//! "` runs its own commands in the job, with its token and secrets. Passed
//! through `env:` and quoted as `"$TITLE"`, the same text is only data.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// Event fields whose text someone outside the repository chooses.
static UNTRUSTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\$\{\{\s*github\.(head_ref|event\.(pull_request|issue|comment|review|review_comment|discussion|discussion_comment|head_commit|commits|workflow_run|pages)\b[\w.\[\]*]*\.(title|body|message|name|email|label|ref|head_ref|page_name|head_branch))\b[^}]*\}\}").unwrap()
});
static RUN_KEY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\s*)(?:-\s+)?run\s*:\s*(.*)$").unwrap());

fn is_workflow(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    (path.contains(".github/workflows/") && (name.ends_with(".yml") || name.ends_with(".yaml")))
        || name == "action.yml"
        || name == "action.yaml"
}

/// Workflow rules for one file.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !is_workflow(f.path) || f.added.is_empty() {
        return;
    }
    let added: HashSet<u32> = f.added.iter().map(|l| l.no).collect();
    let text = f.new_text_or_hunks();
    // The indentation of the `run:` key whose block script we are in.
    let mut block: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        let no = i as u32 + 1;
        let indent = line.len() - line.trim_start().len();
        let script = if let Some(c) = RUN_KEY.captures(line) {
            let rest = c[2].trim();
            block = rest
                .starts_with(['|', '>'])
                .then(|| c[1].len() + usize::from(line.trim_start().starts_with('-')) * 2);
            !rest.starts_with(['|', '>']) && !rest.is_empty()
        } else {
            match block {
                Some(k) if line.trim().is_empty() || indent > k => true,
                Some(_) => {
                    block = None;
                    false
                }
                None => false,
            }
        };
        if !script || !added.contains(&no) {
            continue;
        }
        if let Some(m) = UNTRUSTED.find(line) {
            out.push(Finding::added(
                "ci-expression-injection",
                Severity::High,
                f.path,
                Some(no),
                format!(
                    "Expands `{}` straight into a shell script: whoever writes that text (a pull request's title, a branch name, a comment) can end the string and run commands in this job, with its token and secrets. Pass it through `env:` and use the variable, quoted.",
                    quote(m.as_str())
                ),
            ));
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents;

    const OLD: &str = "on: pull_request_target\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n";

    #[test]
    fn an_outsiders_text_expanded_into_a_script_is_found() {
        let rule = "ci-expression-injection".to_string();
        let block = format!(
            "{OLD}      - name: Check title\n        run: |\n          title=\"${{{{ github.event.pull_request.title }}}}\"\n          echo \"$title\"\n"
        );
        assert!(rules_hit_with_contents(".github/workflows/pr.yml", OLD, &block).contains(&rule));
        let inline = format!("{OLD}      - run: echo ${{{{ github.head_ref }}}}\n");
        assert!(rules_hit_with_contents(".github/workflows/pr.yml", OLD, &inline).contains(&rule));
    }

    #[test]
    fn the_same_text_through_env_or_in_a_condition_is_data() {
        let rule = "ci-expression-injection".to_string();
        let via_env = format!(
            "{OLD}      - name: Check title\n        env:\n          TITLE: ${{{{ github.event.pull_request.title }}}}\n        run: |\n          echo \"$TITLE\"\n"
        );
        assert!(
            !rules_hit_with_contents(".github/workflows/pr.yml", OLD, &via_env).contains(&rule)
        );
        let condition = format!(
            "{OLD}      - if: contains(github.event.pull_request.title, 'WIP') && ${{{{ github.event.pull_request.title }}}}\n        run: exit 1\n"
        );
        assert!(
            !rules_hit_with_contents(".github/workflows/pr.yml", OLD, &condition).contains(&rule)
        );
        // The pull request's number is a number.
        let number =
            format!("{OLD}      - run: echo ${{{{ github.event.pull_request.number }}}}\n");
        assert!(!rules_hit_with_contents(".github/workflows/pr.yml", OLD, &number).contains(&rule));
    }
}
