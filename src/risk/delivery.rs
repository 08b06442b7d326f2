//! Delivery: pipelines that deploy to production, and the knobs that decide how
//! a system behaves under stress — timeouts, retries, rate limits, pool sizes and
//! feature-flag defaults — changed from one value to another. Pattern-shaped
//! delivery rules (continue-on-error, skipped checks, --force, rm -rf on a
//! variable) are data in assets/rules.toml.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

static PROD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b(prod|production|prd|live)\b").unwrap());
static DEPLOY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(deploy|release|rollout|publish|promote|terraform\s+apply|kubectl\s+apply|helm\s+upgrade|environment\s*:|cdk\s+deploy|serverless\s+deploy|gcloud\s+run|aws\s+ecs\s+update-service|argocd\s+app\s+sync)").unwrap()
});
static KNOB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)^\s*["']?([\w.-]*(timeout|deadline|retries|retry|max_attempts|maxattempts|attempts|backoff|ttl|rate_?limit|max_?conn\w*|pool_?size|concurrency|max_?workers|circuit\w*|threshold)[\w.-]*)["']?\s*(:=|=|:|,)\s*(.+?)\s*[,;]?\s*$"#).unwrap()
});
static FLAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)^\s*["']?([\w.-]*(enable|enabled|disable|disabled|flag|feature|toggle|rollout|kill_?switch|use_new|experiment)[\w.-]*)["']?\s*(:=|=|:|,)\s*["']?(true|false|on|off|yes|no|0|1|\d{1,3}%?)["']?\s*[,;)]?\s*$"#).unwrap()
});

static AUXILIARY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(codecov|coveralls|coverage|upload|report|notify|notification|slack|cache|artifact|sonar|benchmark|bench|docs|nightly|experimental|canary|preview|comment|label|stale|welcome)").unwrap()
});
static CHECK_COMMAND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b((npm|yarn|pnpm|bun)\s+(run\s+)?(test|lint|check|typecheck)\b|pytest|go\s+(test|vet)\b|cargo\s+(test|clippy|nextest)|mvn\s+[^\n]*\b(test|verify)\b|gradlew?\s+[^\n]*\b(test|check|build)\b|rspec|phpunit|jest|vitest|tox\b|make\s+(test|check|lint)|dotnet\s+test|golangci-lint|eslint|ruff|mypy|flake8|rubocop|semgrep|trivy|snyk|codeql|bandit|gosec)").unwrap()
});

/// Checks of style and form: linters, formatters, type checkers.
static STYLE_CHECK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(lint|ruff|flake8|rubocop|clippy|mypy|typecheck|eslint)").unwrap()
});

/// True when a script runs tests, linters or scanners.
pub(crate) fn runs_checks(script: &str) -> bool {
    CHECK_COMMAND.is_match(script)
}

static RM_VAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\brm\s+(-[a-zA-Z-]+\s+)*-[a-zA-Z]*[rR][a-zA-Z]*\s+(-[a-zA-Z-]+\s+)*["']?\$\{?(\w+)(:\?)?[^}\s"']*\}?["']?(/|\s|$|\*|")|shutil\.rmtree\(\s*([a-z_]+)\s*\)|FileUtils\.rm_rf\(\s*([a-z_]+)"#).unwrap()
});
static RM_ROOT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"\brm\s+-[a-zA-Z]*[rR][a-zA-Z]*\s+(--no-preserve-root\s+)?["']?/(\*)?["']?\s*($|;|&)"#,
    )
    .unwrap()
});

fn shell_like(path: &str) -> bool {
    let n = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    [".sh", ".bash", ".zsh", ".mk", ".yml", ".yaml", ".py", ".rb"]
        .iter()
        .any(|e| n.ends_with(e))
        || n.starts_with("dockerfile")
        || [
            "makefile",
            "jenkinsfile",
            "justfile",
            "package.json",
            "taskfile",
        ]
        .iter()
        .any(|m| n.starts_with(m))
}

/// `rm -rf` on a path that starts with a variable, unless the variable is
/// guarded (`${VAR:?}`) or was just made by `mktemp`.
fn rm_rf(f: &FileView<'_>, out: &mut Vec<Finding>) {
    for l in f.added_code() {
        if let Some(m) = RM_ROOT.find(l.text) {
            out.push(Finding::added(
                "shell-rm-rf-variable",
                Severity::Critical,
                f.path,
                Some(l.no),
                format!(
                    "Deletes everything from the root of the file system ({}).",
                    quote(m.as_str())
                ),
            ));
            continue;
        }
        let Some(c) = RM_VAR.captures(l.text) else {
            continue;
        };
        let var = c
            .get(3)
            .or(c.get(6))
            .or(c.get(7))
            .map_or("", |m| m.as_str());
        let text = f.new_text_or_hunks();
        if super::shell_vars::guard(&text, var, f.class.ci, l.no).is_some() {
            continue;
        }
        out.push(Finding::added(
            "shell-rm-rf-variable",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "Deletes recursively on a path that starts with a variable ({}): if it is empty or wrong, this wipes the wrong tree, or /.",
                quote(c.get(0).map_or("", |m| m.as_str()))
            ),
        ));
    }
}

/// A variable that a script deletes whole (`rm -rf "${PREFIX:?}"`) whose
/// default the change sets to a directory the system shares
/// (`PREFIX="${VECTORD_PREFIX:-/usr/local}"`, where it was `/opt/vectord`):
/// `:?` guards against empty, not against `/usr/local`, and every run now
/// wipes what other software installed there.
fn rm_rf_default_shared(f: &FileView<'_>, out: &mut Vec<Finding>) {
    static WHOLE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\brm\s+(-[a-zA-Z-]+\s+)*-[a-zA-Z]*[rR][a-zA-Z]*\s+(-[a-zA-Z-]+\s+)*"?\$\{?(\w+)(:\?[^}"]*)?\}?"?\s*(;|&|\||$)"#).unwrap()
    });
    static SHARED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^(/|/usr|/usr/local|/opt|/var|/var/lib|/etc|/home|/srv|/lib|/usr/lib|/bin|/usr/bin|/usr/share|/tmp|\$HOME|\$\{HOME\}|~)/?$"#).unwrap()
    });
    let default_of = |t: &str, var: &str| -> Option<String> {
        let t = t.trim();
        let rest = t
            .strip_prefix(&format!("{var}="))
            .or_else(|| t.strip_prefix(&format!("export {var}=")))
            .or_else(|| t.strip_prefix(&format!(": \"${{{var}:=")))?;
        let rest = rest.trim_matches('"');
        let value = match rest.find(":-").or_else(|| rest.find(":=")) {
            Some(at) if rest.starts_with("${") => &rest[at + 2..],
            _ => rest,
        };
        Some(value.trim_end_matches(['}', '"']).to_string())
    };
    let Some(text) = f.new_text() else {
        return;
    };
    if !text.contains("rm ") || !f.added.iter().any(|a| a.text.contains('=')) {
        return;
    }
    for (no, l) in text.lines().enumerate() {
        if !l.contains("rm ") {
            continue;
        }
        let Some(c) = WHOLE.captures(l) else {
            continue;
        };
        let var = &c[3];
        let Some((at, now)) = f
            .added_code()
            .find_map(|a| default_of(a.text, var).map(|d| (a.no, d)))
        else {
            continue;
        };
        let was = f.removed_code().find_map(|r| default_of(r.text, var));
        if !SHARED.is_match(&now) || was.as_ref().is_none_or(|w| SHARED.is_match(w)) {
            continue;
        }
        out.push(Finding::added(
            "shell-rm-rf-variable",
            Severity::Critical,
            f.path,
            Some(at),
            format!(
                "`{var}` now defaults to {} (before: {}), and line {} deletes it whole (`{}`): every run wipes what other software keeps there.",
                quote(&now),
                quote(was.as_deref().unwrap_or("")),
                no + 1,
                quote(l.trim())
            ),
        ));
        return;
    }
}

/// A make variable standing for a tool (`$(GO)`, `${NPM}`).
static TOOL_VARIABLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\$[({]([A-Za-z]\w*)[)}]").unwrap());

/// The check commands that the targets a CI file's added lines invoke
/// (`make vet`, `just lint`, `npm run lint`) run, read from the task files
/// of the change: a command moved behind a target still runs.
fn commands_of_invoked_targets(f: &FileView<'_>, change: &super::ChangeView<'_>) -> Vec<String> {
    static INVOKED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(?:make|just|task|(?:npm|pnpm|yarn)\s+run|yarn)\s+(?:-\S+\s+)*([\w:.-]+)")
            .unwrap()
    });
    let targets: Vec<&str> = f
        .added_code()
        .flat_map(|l| INVOKED.captures_iter(l.text))
        .filter_map(|c| c.get(1).map(|m| m.as_str()))
        .collect();
    if targets.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for g in change.files.iter().filter(|g| g.path != f.path) {
        let Some(text) = g.new_text() else { continue };
        let lines: Vec<&str> = text.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            let t = l.trim_start();
            // `vet:` (make, just), `"lint": "eslint ."` (package.json).
            let defines = targets.iter().any(|name| {
                t.strip_prefix(*name).is_some_and(|r| r.starts_with(':'))
                    || t.strip_prefix(&format!("\"{name}\""))
                        .is_some_and(|r| r.trim_start().starts_with(':'))
            });
            if !defines {
                continue;
            }
            // The target's own line and its recipe: the indented lines below
            // (a package.json script is its one line).
            let recipe = std::iter::once(*l).chain(
                lines[i + 1..]
                    .iter()
                    .take_while(|r| {
                        !t.starts_with('"') && (r.starts_with('\t') || r.starts_with("  "))
                    })
                    .copied(),
            );
            // `$(GO) vet ./...` runs `go vet`.
            out.extend(recipe.filter_map(|r| {
                let r = TOOL_VARIABLE
                    .replace_all(r, |c: &regex::Captures<'_>| c[1].to_ascii_lowercase());
                CHECK_COMMAND
                    .find(&r)
                    .map(|m| m.as_str().to_ascii_lowercase())
            }));
        }
    }
    out
}

/// Delivery rules for one file.
pub fn check(f: &FileView<'_>, change: &super::ChangeView<'_>, out: &mut Vec<Finding>) {
    if f.class.ci {
        if f.deleted() {
            // Moving CI elsewhere (Travis to Actions) keeps the checks.
            let replaced = change
                .files
                .iter()
                .any(|g| g.class.ci && !g.deleted() && !g.added.is_empty());
            // A workflow that ran only linters and formatters: style stops
            // being enforced, tests and scanners still run where they ran.
            let ran: Vec<String> = f
                .removed
                .iter()
                .filter_map(|l| CHECK_COMMAND.find(l.text))
                .map(|m| m.as_str().to_ascii_lowercase())
                .collect();
            let style_only = !ran.is_empty() && ran.iter().all(|c| STYLE_CHECK.is_match(c));
            out.push(Finding::removed(
                "ci-check-removed",
                if replaced {
                    Severity::Low
                } else if style_only {
                    Severity::Medium
                } else {
                    Severity::High
                },
                f.path,
                None,
                if style_only {
                    "Deletes a CI pipeline that ran linters or formatters: style and lint rules stop guarding merges (tests and scanners are not in it)."
                } else {
                    "Deletes a CI pipeline definition: every check it ran stops guarding merges."
                },
            ));
            return;
        }
        // continue-on-error / allow_failure: high unless the step only reports.
        for l in f.added_code() {
            let t = l.text.trim();
            let switch = ["continue-on-error", "allow_failure"].iter().any(|k| {
                t.strip_prefix(k)
                    .and_then(|r| r.trim_start().strip_prefix(':'))
                    .is_some_and(|v| v.trim().trim_matches(['"', '\'']) == "true")
            });
            if !switch {
                continue;
            }
            // The step or job this line belongs to: back up to the first line
            // indented less than it.
            let indent = |t: &str| t.len() - t.trim_start().len();
            let mine = indent(l.text);
            let mut around = false;
            for n in (l.no.saturating_sub(15)..l.no).rev() {
                let Some(t) = f.new_lines.get(&n) else { break };
                if AUXILIARY.is_match(t) {
                    around = true;
                }
                if !t.trim().is_empty() && indent(t) < mine {
                    break;
                }
            }
            out.push(Finding::added(
                "ci-ignore-failure",
                if around { Severity::Medium } else { Severity::High },
                f.path,
                Some(l.no),
                if around {
                    format!("Lets a reporting step fail quietly ({}): fine for uploads and notifications, as long as nothing it guards depends on it.", quote(t))
                } else {
                    format!("Lets a failing step pass ({}): the pipeline goes green while whatever this step checks is broken.", quote(t))
                },
            ));
        }
        let mut kept: Vec<String> = f
            .added
            .iter()
            .filter_map(|l| {
                CHECK_COMMAND
                    .find(l.text)
                    .map(|m| m.as_str().to_ascii_lowercase())
            })
            .collect();
        kept.extend(commands_of_invoked_targets(f, change));
        // A key of that name (a matrix entry's `tox: 'py3.14,py3.14t'`)
        // configures a run; it is not the command.
        let as_command = |t: &str| -> Option<String> {
            CHECK_COMMAND
                .find_iter(t)
                .find(|m| {
                    !t[m.end()..]
                        .trim_start_matches(['"', '\''])
                        .starts_with(':')
                })
                .map(|m| m.as_str().to_ascii_lowercase())
        };
        if let Some((l, m)) = f
            .removed_code()
            .filter_map(|l| as_command(l.text).map(|m| (l, m)))
            .find(|(_, m)| !kept.contains(m))
        {
            out.push(Finding::removed(
                "ci-check-removed",
                Severity::High,
                f.path,
                Some(l.no),
                format!("Stops running `{m}` in CI: what it checked can now merge broken."),
            ));
        }
    }
    if f.class.ci && !f.deleted() {
        let context_prod = f
            .file
            .hunks
            .iter()
            .flat_map(|h| &h.lines)
            .any(|l| PROD.is_match(&l.content))
            || f.path.to_ascii_lowercase().contains("prod")
            || f.new_text().is_some_and(|t| PROD.is_match(t));
        let deploys = f.added.iter().any(|l| DEPLOY.is_match(l.text))
            || f.path.to_ascii_lowercase().contains("deploy")
            || f.path.to_ascii_lowercase().contains("release");
        if context_prod
            && deploys
            && let Some(l) = f
                .added_code()
                .find(|l| !COSMETIC.is_match(l.text) && !key_renamed(f, l.text))
        {
            out.push(Finding::added(
                    "ci-deploys-to-production",
                    Severity::Medium,
                    f.path,
                    Some(l.no),
                    "Changes a pipeline that deploys to production: what it runs reaches users with no further review.",
                ));
        }
    }
    if f.class.ci && !f.deleted() {
        inherited_secrets(f, out);
        deploys_after_failure(f, out);
    }
    if !f.class.docs && !f.class.test_like() && !f.class.vendored && shell_like(f.path) {
        rm_rf(f, out);
        rm_rf_default_shared(f, out);
    }
    if !f.class.production() || f.class.lang == super::lang::Lang::Markdown {
        return;
    }
    knobs(f, out);
}

/// A condition that runs a deploying job or step whatever came before it
/// (`if: always() && github.ref == 'refs/heads/main'`, Azure's `condition:
/// always()`, GitLab's `when: always`): a build whose tests failed still
/// ships. Quiet when the condition also asks for success (`!failure()`,
/// `needs.test.result == 'success'`) or the block deploys nothing (a test
/// report uploaded whatever happened).
fn deploys_after_failure(f: &FileView<'_>, out: &mut Vec<Finding>) {
    static ALWAYS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^\s*-?\s*(?:if|condition)\s*:.*(?:^|[^!\w])always\(\)|^\s*-?\s*when\s*:\s*always\s*$",
        )
        .unwrap()
    });
    static ASKS_SUCCESS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"!\s*failure\(\)|\bsuccess\(\)|succeeded\(\)|result\s*==\s*['"]success['"]|!\s*contains\([^)]*['"]failure['"]"#).unwrap()
    });
    static AFTERMATH: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(report|result|artifact|coverage|junit|summary|notify|slack|cache|clean-?up|remove|\brm\s|delete|revoke|logout|teardown|tear down|destroy)").unwrap()
    });
    let Some(text) = f.new_text() else {
        return;
    };
    let lines: Vec<&str> = text.lines().collect();
    let indent = |l: &str| l.len() - l.trim_start().len();
    for l in &f.added {
        if !ALWAYS.is_match(l.text) || ASKS_SUCCESS.is_match(l.text) {
            continue;
        }
        let at = (l.no as usize).saturating_sub(1);
        if lines.get(at).is_none_or(|t| t.trim() != l.text.trim()) {
            continue;
        }
        // The block the condition belongs to: a step (`- name: …`) or the
        // job whose key holds it.
        let own = indent(lines[at]);
        let item = lines[at].trim_start().starts_with('-');
        let head = if item {
            at
        } else {
            match (0..at)
                .rev()
                .find(|&i| !lines[i].trim().is_empty() && indent(lines[i]) < own)
            {
                Some(i) => i,
                None => continue,
            }
        };
        let depth = indent(lines[head]);
        let step = lines[head].trim_start().starts_with('-');
        let end = (head + 1..lines.len())
            .find(|&i| {
                !lines[i].trim().is_empty()
                    && (indent(lines[i]) < depth
                        || indent(lines[i]) == depth
                            && (step || !lines[i].trim_start().starts_with('-')))
            })
            .unwrap_or(lines.len());
        // Reports, notifications and uploads of results are what always()
        // is for: their names do not make the block a deploy.
        // An action's version (`re-actors/alls-green@release/v1`) says
        // nothing of what it does.
        static ACTION_REF: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"@[\w./-]+").unwrap());
        let block = lines[head..end]
            .iter()
            .filter(|t| !AFTERMATH.is_match(t))
            .map(|t| ACTION_REF.replace_all(t, ""))
            .collect::<Vec<_>>()
            .join("\n");
        // A GitHub job that needs nothing has nothing to fail before it.
        let waits = step || !f.path.starts_with(".github/") || block.contains("needs:");
        if !waits || !DEPLOY.is_match(&block) || ASKS_SUCCESS.is_match(&block) {
            continue;
        }
        let name = lines[head]
            .trim()
            .trim_start_matches("- ")
            .trim_end_matches(':')
            .to_string();
        out.push(Finding::added(
            "ci-deploys-after-failure",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "`{}` now runs whatever happened before it (`{}`): a build whose tests or earlier steps failed still deploys.",
                super::quote(&name),
                super::quote(l.text.trim())
            ),
        ));
    }
}

/// `secrets: inherit` added to a job that calls a reusable workflow of
/// another repository: every secret of this one goes to code its owners do
/// not review. A workflow of the same repository (`uses: ./.github/…`) is
/// reviewed here and gets the secrets the calling workflow had.
fn inherited_secrets(f: &FileView<'_>, out: &mut Vec<Finding>) {
    static INHERIT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^(\s*)secrets\s*:\s*inherit\s*$").unwrap());
    static USES: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"^\s*uses\s*:\s*["']?([^"'\s#]+)"#).unwrap());
    let Some(text) = f.new_text() else {
        return;
    };
    let lines: Vec<&str> = text.lines().collect();
    let indent = |l: &str| l.len() - l.trim_start().len();
    for l in &f.added {
        let Some(c) = INHERIT.captures(l.text) else {
            continue;
        };
        let depth = c[1].len();
        let at = (l.no as usize).saturating_sub(1);
        if lines.get(at).is_none_or(|t| t.trim() != l.text.trim()) {
            continue;
        }
        // The job's own keys: the lines around it at the same indentation,
        // up to the line that opens the job.
        let within = |t: &&&str| t.trim().is_empty() || indent(t) >= depth;
        let before = lines[..at].iter().rev().take_while(within);
        let after = lines[at + 1..].iter().take_while(within);
        let called: Option<String> = before
            .chain(after)
            .filter(|t| indent(t) == depth)
            .find_map(|t| USES.captures(t).map(|c| c[1].to_string()));
        if called.as_deref().is_some_and(|u| u.starts_with("./")) {
            continue;
        }
        out.push(Finding::added(
            "ci-secrets-exposed",
            Severity::High,
            f.path,
            Some(l.no),
            match called {
                Some(u) => format!(
                    "Hands every secret of this repository to `{}` (secrets: inherit): whoever can change that workflow can read them all.",
                    super::quote(&u)
                ),
                None => "Hands every secret of this repository to the called workflow (secrets: inherit): whoever can change it can read them all.".to_string(),
            },
        ));
    }
}

/// Lines that change what a pipeline is called or pinned to, or take
/// rights away from its token, not what it runs: names, action pins,
/// `permissions:` narrowed to `read` or `none`.
static COSMETIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*-?\s*(uses|name|description)\s*:|^\s*(with|steps|permissions)\s*:\s*$|^\s*permissions\s*:\s*(read-all|\{\s*\})\s*$|^\s*[a-z-]+\s*:\s*(read|none)\s*$"#).unwrap()
});

/// A block's key renamed in place (`ship:` → `deploy-production:`): a
/// removed line opening a block at the same indentation.
fn key_renamed(f: &FileView<'_>, line: &str) -> bool {
    static KEY: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(\s*)[\w.-]+:\s*$").unwrap());
    let Some(c) = KEY.captures(line) else {
        return false;
    };
    let indent = c[1].len();
    f.removed
        .iter()
        .any(|r| KEY.captures(r.text).is_some_and(|k| k[1].len() == indent))
}
static SECURITY_SWITCH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)^\s*["']?([\w.-]*(auth|csrf|xsrf|rate_?limit|ssl|tls|verify|verification|encrypt|audit|mfa|2fa|otp|captcha|waf|firewall|https|hsts|secure|sanitiz|validat|signature|permission|acl|rbac)[\w.-]*)["']?\s*(:=|=|:)\s*["']?(true|false|on|off|yes|no|enabled|disabled|1|0)["']?\s*[,;]?\s*$"#).unwrap()
});
static HASH_COST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b([\w.]*(rounds|cost|iterations|work_?factor|salt_?rounds|log_?rounds|memory_?cost|time_?cost|key_?length|min_?length|password_?length)\w*)["']?\s*(:=|=|:|\()\s*(\d+)"#).unwrap()
});

fn off(v: &str) -> bool {
    matches!(
        v.to_ascii_lowercase().as_str(),
        "false" | "off" | "no" | "disabled" | "0"
    )
}

/// Security switches turned off and password-hashing costs lowered.
fn protections(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let removed_switch: Vec<(String, String)> = f
        .removed_code()
        .filter_map(|l| {
            SECURITY_SWITCH
                .captures(l.text)
                .map(|c| (c[1].to_ascii_lowercase(), c[4].to_string()))
        })
        .collect();
    for l in f.added_code() {
        if let Some(c) = SECURITY_SWITCH.captures(l.text) {
            let (key, new) = (c[1].to_ascii_lowercase(), c[4].to_string());
            if let Some((_, old)) = removed_switch.iter().find(|(k, _)| *k == key)
                && !off(old)
                && off(&new)
                && !super::structured::tls_upgrade_in_scheme(f, &key)
            {
                out.push(Finding::added(
                    "config-protection-off",
                    Severity::High,
                    f.path,
                    Some(l.no),
                    format!("Switches off `{}` (was {}, now {}): a protection that was on in this environment is gone.", quote(&key), quote(old), quote(&new)),
                ));
            }
        }
        if let Some(c) = HASH_COST.captures(l.text) {
            let (key, new) = (c[1].to_ascii_lowercase(), c[4].parse::<u64>().unwrap_or(0));
            // The values the change removes for that key, those at the added
            // line's indentation (the same place in a nested config) if any.
            // One equal to the new value is that line edited (a comment added
            // to a test environment's `cost: 4`), not a cost lowered.
            let indent = |t: &str| t.len() - t.trim_start().len();
            let removed: Vec<(bool, u64)> = f
                .removed_code()
                .filter_map(|r| {
                    let c = HASH_COST.captures(r.text)?;
                    let value = c[4].parse::<u64>().ok()?;
                    c[1].eq_ignore_ascii_case(&key)
                        .then_some((indent(r.text) == indent(l.text), value))
                })
                .collect();
            let here = removed.iter().any(|(same, _)| *same);
            let olds: Vec<u64> = removed
                .iter()
                .filter(|(same, _)| *same || !here)
                .map(|(_, v)| *v)
                .collect();
            if let Some(&old) = olds.first()
                && !olds.contains(&new)
                && new < old
            {
                out.push(Finding::added(
                    "sec-strength-lowered",
                    Severity::High,
                    f.path,
                    Some(l.no),
                    format!("Lowers `{}` from {old} to {new}: passwords or keys become cheaper to guess.", quote(&key)),
                ));
            }
        }
    }
}

static ANY_BOOL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)^\s*["']?([\w.-]+)["']?\s*(:=|=|:|,)\s*(["']?)(true|false|on|off|yes|no)["']?\s*[,;)]?\s*$"#).unwrap()
});
static DEV_CONFIG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(^|[/._-])(dev|development|local|test|testing|ci|example|sample)([/._-]|$)")
        .unwrap()
});

fn flag_file(path: &str) -> bool {
    let l = path.to_ascii_lowercase();
    [
        "flag",
        "feature",
        "toggle",
        "experiment",
        "rollout",
        "launchdarkly",
        "unleash",
    ]
    .iter()
    .any(|m| l.contains(m))
}

fn knobs(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if DEV_CONFIG.is_match(f.path) {
        return; // development and test settings do not reach users
    }
    let before = out.len();
    protections(f, out);
    if flag_file(f.path) {
        let parse = |t: &str| {
            ANY_BOOL
                .captures(t)
                .map(|c| (c[1].to_ascii_lowercase(), c[4].to_ascii_lowercase()))
        };
        let removed: Vec<(String, String)> =
            f.removed_code().filter_map(|l| parse(l.text)).collect();
        for l in f.added_code() {
            let Some((key, new)) = parse(l.text) else {
                continue;
            };
            if let Some((_, old)) = removed.iter().find(|(k, _)| *k == key)
                && *old != new
            {
                let prod = PROD.is_match(f.path);
                out.push(Finding::added(
                    "config-flag-default-changed",
                    if prod { Severity::High } else { Severity::Medium },
                    f.path,
                    Some(l.no),
                    format!(
                        "Flips the default of the flag `{}` from {old} to {new}{}: every user gets the other code path at once, without a gradual rollout.",
                        quote(&key),
                        if prod { " in production" } else { "" }
                    ),
                ));
                return;
            }
        }
    }
    let parse = |re: &Regex, t: &str| -> Option<(String, String)> {
        let c = re.captures(t)?;
        Some((
            c[1].to_ascii_lowercase(),
            c[4].trim()
                .trim_matches(|c| c == '"' || c == '\'')
                .to_string(),
        ))
    };
    let mut flagged = 0;
    for (re, rule, what) in [
        (&*KNOB, "config-limit-changed", "timeout, retry or limit"),
        (
            &*FLAG,
            "config-flag-default-changed",
            "feature-flag default",
        ),
    ] {
        let removed: Vec<(String, String)> =
            f.removed_code().filter_map(|l| parse(re, l.text)).collect();
        if removed.is_empty() {
            continue;
        }
        for l in f.added_code() {
            if out[before..]
                .iter()
                .any(|x| x.line == Some(l.no) && x.path == f.path)
            {
                continue; // one finding per line is enough
            }
            let Some((key, new)) = parse(re, l.text) else {
                continue;
            };
            if key.contains("coverage") {
                continue; // the tests rules judge coverage gates
            }
            let Some((_, old)) = removed.iter().find(|(k, _)| *k == key) else {
                continue;
            };
            if *old == new || flagged >= 3 {
                continue;
            }
            flagged += 1;
            let prod = PROD.is_match(f.path);
            // A flag file, or a key that says it is a flag: not every
            // `enabled` is a feature (a disruption budget switched on is not).
            let flag_like = FLAG_FILE.is_match(f.path) || FLAG_FILE.is_match(&key);
            if rule == "config-limit-changed"
                && key.contains("timeout")
                && unbounded(&new)
                && !unbounded(old)
            {
                out.push(Finding::added(
                    "client-timeout-removed",
                    Severity::High,
                    f.path,
                    Some(l.no),
                    format!(
                        "`{}` goes from {} to {}, which means no timeout at all: a caller that hangs now waits forever and holds its thread, connection and request while it does.",
                        quote(&key),
                        quote(old),
                        quote(&new)
                    ),
                ));
                continue;
            }
            if rule == "config-limit-changed"
                && let Some(factor) = unit_factor(old, &new)
            {
                out.push(Finding::added(
                    "config-unit-changed",
                    Severity::High,
                    f.path,
                    Some(l.no),
                    format!(
                        "`{}` goes from {} to {}, exactly {factor}: if that is a change of unit, every reader that still converts it (or assumes the old unit) is off by {factor}.",
                        quote(&key),
                        quote(old),
                        quote(&new)
                    ),
                ));
                continue;
            }
            out.push(Finding::added(
                rule,
                if prod && flag_like && rule == "config-flag-default-changed" { Severity::High } else { Severity::Medium },
                f.path,
                Some(l.no),
                format!(
                    "Changes the {what} `{}` from {} to {}: behaviour under load or failure changes for every caller.",
                    quote(&key),
                    quote(old),
                    quote(&new)
                ),
            ));
        }
    }
}

/// Paths and keys of feature flags.
static FLAG_FILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(flag|feature|toggle|experiment|rollout|launchdarkly|unleash|flipper)")
        .unwrap()
});

/// Whether a timeout's value means "wait forever": .NET's
/// `Timeout.InfiniteTimeSpan`, `Infinity`, a null, 0 or -1 (no limit for
/// most clients).
fn unbounded(value: &str) -> bool {
    let v = value.trim().trim_end_matches([';', ',']).trim();
    let lower = v.to_ascii_lowercase();
    lower.contains("infinite")
        || lower.contains("infinity")
        || matches!(
            lower.as_str(),
            "none" | "null" | "nil" | "0" | "-1" | "0s" | "0ms"
        )
}

/// The factor between two values when it is one of a unit conversion
/// (× or ÷ 60, 1,000, 3,600, 86,400) and both are more than 1.
fn unit_factor(old: &str, new: &str) -> Option<&'static str> {
    let num = |v: &str| -> Option<f64> { v.trim().replace('_', "").parse().ok() };
    let (a, b) = (num(old)?, num(new)?);
    if a <= 1.0 || b <= 1.0 {
        return None;
    }
    let (hi, lo, up) = if b > a { (b, a, true) } else { (a, b, false) };
    let ratio = hi / lo;
    [
        (60.0, "60 times", "a sixtieth"),
        (1000.0, "1,000 times", "a thousandth"),
        (3600.0, "3,600 times", "a 3,600th"),
        (86400.0, "86,400 times", "an 86,400th"),
    ]
    .iter()
    .find(|(f, _, _)| (ratio - f).abs() < 1e-9)
    .map(|(_, more, less)| if up { *more } else { *less })
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit;

    #[test]
    fn a_deploy_workflow_only_renamed_pinned_and_narrowed_is_no_production_change() {
        use crate::risk::testkit::rules_hit_with_contents;
        let old = "on:\n  push:\n    branches: [main]\njobs:\n  ship:\n    environment: production\n    steps:\n      - uses: actions/checkout@v4\n      - run: ./deploy.sh production\n";
        let new = "on:\n  push:\n    branches: [main]\npermissions:\n  contents: read\njobs:\n  deploy-production:\n    environment: production\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683\n      - run: ./deploy.sh production\n";
        let hit = rules_hit_with_contents(".github/workflows/deploy.yml", old, new);
        assert!(
            !hit.contains(&"ci-deploys-to-production".to_string()),
            "{hit:?}"
        );
        let runs_more = new.replace(
            "./deploy.sh production",
            "./deploy.sh production --skip-migrations-check",
        );
        let hit = rules_hit_with_contents(".github/workflows/deploy.yml", old, &runs_more);
        assert!(
            hit.contains(&"ci-deploys-to-production".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn a_limit_multiplied_by_a_unit_factor_is_a_unit_change() {
        let hit = |old: &str, new: &str| {
            rules_hit(
                "config/auth.yaml",
                Some(&format!("tokens:\n  access_ttl: {old}\n")),
                Some(&format!("tokens:\n  access_ttl: {new}\n")),
            )
        };
        assert!(hit("15", "900").contains(&"config-unit-changed".to_string()));
        assert!(hit("30000", "30").contains(&"config-unit-changed".to_string()));
        assert!(!hit("15", "30").contains(&"config-unit-changed".to_string()));
        assert!(!hit("1", "60").contains(&"config-unit-changed".to_string()));
    }

    #[test]
    fn rm_rf_on_a_variable_unless_guarded_or_made_by_mktemp() {
        let hit = |body: &str| {
            rules_hit(
                "scripts/x.sh",
                Some("#!/bin/sh\n"),
                Some(&format!("#!/bin/sh\n{body}\n")),
            )
        };
        assert!(hit("rm -rf \"$OUT_DIR\"/*").contains(&"shell-rm-rf-variable".to_string()));
        assert!(hit("rm -rf ${BUILD}").contains(&"shell-rm-rf-variable".to_string()));
        assert!(hit("rm -rf \"${OUT_DIR:?}\"/*").is_empty());
        assert!(hit("T=$(mktemp -d)\nrm -rf \"$T\"").is_empty());
        // A fixed tail under a variable root, children listed by find, a
        // variable the script checks: quiet.
        assert!(
            hit("DATA_DIR=\"${REPO_ROOT}/.data/postgres\"\nrm -rf -- \"${DATA_DIR}\"").is_empty()
        );
        let found = hit(
            "find \"$ROOT\" -mindepth 1 -maxdepth 1 -type d -print0 |\n  while IFS= read -r -d '' dir; do\n    rm -rf -- \"$dir\"\n  done",
        );
        assert!(
            !found.contains(&"shell-rm-rf-variable".to_string()),
            "{found:?}"
        );
        assert!(hit("[ -n \"$OUT\" ] || exit 1\nrm -rf \"$OUT\"").is_empty());
        // A variable from an argument, or a bare root variable: found.
        assert!(!hit("DIR=\"$1\"\nrm -rf \"$DIR\"").is_empty());
        assert!(!hit("DIR=\"${PREFIX}\"\nrm -rf \"$DIR\"/").is_empty());
        assert!(hit("rm -rf ./dist build/").is_empty());
        // In a pipeline, the runner's workspace variable is always set …
        let ci = |cmd: &str| {
            rules_hit(
                ".gitlab-ci.yml",
                Some("job:\n  script:\n    - make\n"),
                Some(&format!("job:\n  script:\n    - make\n    - {cmd}\n")),
            )
        };
        assert!(ci("rm -rf \"$CI_PROJECT_DIR/.cache\"").is_empty());
        assert!(ci("rm -rf \"${GITHUB_WORKSPACE}/dist\"").is_empty());
        // … a variable of the pipeline's own is not.
        assert!(ci("rm -rf \"$BUILD_DIR/\"*").contains(&"shell-rm-rf-variable".to_string()));
        assert!(hit("echo ok\n# rm -rf $HOME").is_empty());
    }

    #[test]
    fn flag_flips_in_production_are_high_and_dev_settings_are_ignored() {
        let f = crate::risk::findings(
            &crate::risk::testkit::diff_of(
                "config/prod/flags.yaml",
                Some("new_checkout: false\n"),
                Some("new_checkout: true\n"),
            ),
            &crate::risk::Contents::new(),
            &crate::risk::RuleSet::builtin(),
        );
        assert_eq!(f[0].rule, "config-flag-default-changed");
        assert_eq!(f[0].severity, crate::risk::Severity::High);
        assert!(
            rules_hit(
                "config/development.yml",
                Some("timeout: 5\n"),
                Some("timeout: 50\n")
            )
            .is_empty()
        );
        assert_eq!(
            rules_hit(
                "services/api/config.py",
                Some("REQUEST_TIMEOUT = 5\n"),
                Some("REQUEST_TIMEOUT = 60\n")
            ),
            vec!["config-limit-changed"]
        );
    }

    #[test]
    fn a_matrix_key_named_after_a_tool_is_not_its_command() {
        let old = "jobs:\n  tests:\n    strategy:\n      matrix:\n        include:\n          - {python: '3.14', tox: 'py3.14,py3.14t'}\n          - {python: '3.12'}\n    steps:\n      - run: uv run tox run -e ${{ matrix.tox || format('py{0}', matrix.python) }}\n";
        let split = old.replace(
            "          - {python: '3.14', tox: 'py3.14,py3.14t'}\n",
            "          - {python: '3.14'}\n          - {python: '3.14t'}\n",
        );
        let hit = |new: &str| {
            rules_hit(".github/workflows/tests.yaml", Some(old), Some(new))
                .contains(&"ci-check-removed".to_string())
        };
        assert!(!hit(&split));
        // The step that runs it, removed: found.
        let gone = old.replace(
            "      - run: uv run tox run -e ${{ matrix.tox || format('py{0}', matrix.python) }}\n",
            "      - run: uv build\n",
        );
        assert!(hit(&gone));
    }

    #[test]
    fn removing_the_test_step_from_ci_is_caught() {
        let old = "jobs:\n  t:\n    steps:\n      - run: npm ci\n      - run: npm test\n";
        let new = "jobs:\n  t:\n    steps:\n      - run: npm ci\n";
        assert!(
            rules_hit(".github/workflows/ci.yml", Some(old), Some(new))
                .contains(&"ci-check-removed".to_string())
        );
        assert_eq!(
            rules_hit(".github/workflows/ci.yml", Some(old), None),
            vec!["ci-check-removed"]
        );
        // A pipeline of linters deleted: worth a look; one that ran tests
        // or a scanner: an alarm.
        let sev = |old: &str| {
            crate::risk::testkit::findings_of_change(
                &[(".github/workflows/lint.yml", Some(old), None)],
                None,
            )
            .into_iter()
            .find(|f| f.rule == "ci-check-removed")
            .map(|f| f.severity)
        };
        let lint = "name: Lint\njobs:\n  ruff:\n    steps:\n      - run: pip install ruff\n      - run: |\n          ruff format --check\n          ruff check\n";
        assert_eq!(sev(lint), Some(crate::risk::Severity::Medium));
        assert_eq!(sev(old), Some(crate::risk::Severity::High));
        let scan = format!("{lint}      - run: semgrep --config auto\n");
        assert_eq!(sev(&scan), Some(crate::risk::Severity::High));
    }

    #[test]
    fn protections_switched_off_and_weaker_hashing() {
        assert_eq!(
            rules_hit(
                "services/api/settings.py",
                Some("RATE_LIMIT_ENABLED = True\n"),
                Some("RATE_LIMIT_ENABLED = False\n")
            ),
            vec!["config-protection-off"]
        );
        assert!(
            rules_hit(
                "services/api/settings.py",
                Some("RATE_LIMIT_ENABLED = False\n"),
                Some("RATE_LIMIT_ENABLED = True\n")
            )
            .iter()
            .all(|r| r != "config-protection-off")
        );
        assert_eq!(
            rules_hit(
                "app/auth/hash.js",
                Some("const SALT_ROUNDS = 12;\n"),
                Some("const SALT_ROUNDS = 4;\n")
            ),
            vec!["sec-strength-lowered"]
        );
        // The production cost replaced and the test environment's low cost
        // only given a comment: nothing lowered.
        let old = "security:\n  hashers:\n    User:\n      algorithm: bcrypt\n      cost: 13\nwhen@test:\n  security:\n    hashers:\n      User:\n        cost: 4\n";
        let new = "security:\n  hashers:\n    User:\n      algorithm: auto\nwhen@test:\n  security:\n    hashers:\n      User:\n        cost: 4 # lowest for bcrypt\n";
        let hit = rules_hit("config/packages/security.yaml", Some(old), Some(new));
        assert!(!hit.iter().any(|r| r == "sec-strength-lowered"), "{hit:?}");
        let lowered = new.replace("algorithm: auto", "algorithm: bcrypt\n      cost: 4");
        let hit = rules_hit("config/packages/security.yaml", Some(old), Some(&lowered));
        assert!(hit.iter().any(|r| r == "sec-strength-lowered"), "{hit:?}");
    }

    #[test]
    fn bumping_an_action_in_a_production_pipeline_is_not_an_alarm() {
        let old = "name: deploy-production\njobs:\n  deploy:\n    steps:\n      - uses: actions/checkout@v3\n      - run: ./deploy.sh production\n";
        assert!(
            rules_hit(
                ".github/workflows/deploy.yml",
                Some(old),
                Some(&old.replace("@v3", "@v4"))
            )
            .is_empty()
        );
        let new = old.replace(
            "./deploy.sh production",
            "./deploy.sh production --skip-smoke-tests",
        );
        assert!(
            rules_hit(".github/workflows/deploy.yml", Some(old), Some(&new))
                .contains(&"ci-deploys-to-production".to_string())
        );
    }

    #[test]
    fn ignoring_failures_is_high_except_for_reporting_steps() {
        let old = "jobs:\n  test:\n    steps:\n      - name: Unit tests\n        run: npm test\n      - name: Upload coverage\n        uses: codecov/codecov-action@v4\n";
        let tests_soft = old.replace(
            "run: npm test\n",
            "run: npm test\n        continue-on-error: true\n",
        );
        let f = crate::risk::findings(
            &crate::risk::testkit::diff_of(
                ".github/workflows/ci.yml",
                Some(old),
                Some(&tests_soft),
            ),
            &crate::risk::Contents::new(),
            &crate::risk::RuleSet::builtin(),
        );
        assert_eq!(
            (f[0].rule.as_str(), f[0].severity),
            ("ci-ignore-failure", crate::risk::Severity::High)
        );
        let upload_soft = format!("{old}        continue-on-error: true\n");
        let f = crate::risk::findings(
            &crate::risk::testkit::diff_of(
                ".github/workflows/ci.yml",
                Some(old),
                Some(&upload_soft),
            ),
            &crate::risk::Contents::new(),
            &crate::risk::RuleSet::builtin(),
        );
        assert_eq!(f[0].severity, crate::risk::Severity::Medium);
        let cleanup = format!("{old}      - run: pkill -f mock-server || true\n");
        assert!(rules_hit(".github/workflows/ci.yml", Some(old), Some(&cleanup)).is_empty());
        // Read with the whole file, as a real analysis does: the step decides,
        // not a generic safety switch.
        let full = |new: &str| {
            crate::risk::testkit::findings_with_contents(".github/workflows/ci.yml", old, new)
                .into_iter()
                .map(|f| (f.rule, f.severity))
                .max_by_key(|(_, s)| *s)
        };
        assert_eq!(
            full(&upload_soft).map(|(_, s)| s),
            Some(crate::risk::Severity::Medium)
        );
        assert_eq!(
            full(&tests_soft),
            Some(("ci-ignore-failure".to_string(), crate::risk::Severity::High))
        );
    }

    #[test]
    fn secrets_inherited_by_a_workflow_of_this_repository_are_not_handed_out() {
        use crate::risk::testkit::rules_hit_with_contents;
        let old = "on: push\njobs:\n  deploy:\n    uses: ./.github/workflows/_deploy.yml\n    with:\n      environment: production\n";
        let caller = |uses: &str| {
            format!(
                "on: push\njobs:\n  deploy:\n    uses: {uses}\n    with:\n      environment: production\n    secrets: inherit\n"
            )
        };
        let local = rules_hit_with_contents(
            ".github/workflows/deploy.yml",
            old,
            &caller("./.github/workflows/_deploy.yml"),
        );
        assert!(
            !local.contains(&"ci-secrets-exposed".to_string()),
            "{local:?}"
        );
        // Another repository's workflow gets every secret of this one.
        let remote = rules_hit_with_contents(
            ".github/workflows/deploy.yml",
            old,
            &caller("some-vendor/actions/.github/workflows/deploy.yml@v2"),
        );
        assert!(
            remote.contains(&"ci-secrets-exposed".to_string()),
            "{remote:?}"
        );
    }

    #[test]
    fn a_deploy_that_runs_whatever_failed_before_it_is_found() {
        use crate::risk::testkit::rules_hit_with_contents;
        let old = "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n      - uses: mikepenz/action-junit-report@v4\n        if: always()\n  deploy:\n    needs: [test]\n    if: github.ref == 'refs/heads/main'\n    environment: production\n    steps:\n      - run: ./deploy.sh production\n";
        let hit = |new: &str| rules_hit_with_contents(".github/workflows/ci.yml", old, new);
        let always = old.replace(
            "    if: github.ref == 'refs/heads/main'",
            "    if: always() && github.ref == 'refs/heads/main'",
        );
        assert!(hit(&always).contains(&"ci-deploys-after-failure".to_string()));
        // Skipped jobs tolerated, failed ones not: still gated on success.
        let tolerant = old.replace(
            "    if: github.ref == 'refs/heads/main'",
            "    if: ${{ !failure() && !cancelled() && github.ref == 'refs/heads/main' }}",
        );
        assert!(!hit(&tolerant).contains(&"ci-deploys-after-failure".to_string()));
        // A test report uploaded whatever happened deploys nothing; nor
        // does removing the release key the build decoded.
        let report = old.replace(
            "      - run: make test\n",
            "      - run: make test\n      - uses: actions/upload-artifact@v4\n        if: always()\n      - name: Remove keystore\n        if: always()\n        run: rm -f \"$RUNNER_TEMP/release.keystore\"\n",
        );
        assert!(!hit(&report).contains(&"ci-deploys-after-failure".to_string()));
        // The job that sums up the others' results for branch protection.
        let gate = old.replace(
            "  deploy:\n",
            "  check:\n    if: always()\n    needs: [test]\n    runs-on: ubuntu-latest\n    steps:\n      - uses: re-actors/alls-green@release/v1\n        with:\n          jobs: ${{ toJSON(needs) }}\n  deploy:\n",
        );
        assert!(!hit(&gate).contains(&"ci-deploys-after-failure".to_string()));
    }

    #[test]
    fn a_variable_deleted_whole_that_now_defaults_to_a_shared_directory_is_critical() {
        use crate::risk::testkit::findings_with_contents;
        let script = |default: &str| {
            format!(
                "#!/usr/bin/env bash\nset -euo pipefail\nPREFIX=\"${{APP_PREFIX:-{default}}}\"\n\nremove_previous() {{\n  if [ -d \"$PREFIX\" ]; then\n    rm -rf \"${{PREFIX:?}}\"\n  fi\n}}\n\nremove_previous\ninstall -d \"$PREFIX/bin\"\n"
            )
        };
        let wiped = |from: &str, to: &str| {
            findings_with_contents("scripts/install.sh", &script(from), &script(to))
                .iter()
                .any(|f| {
                    f.severity == crate::risk::Severity::Critical
                        && f.message.contains("defaults to")
                })
        };
        assert!(wiped("/opt/app", "/usr/local"));
        assert!(wiped("/opt/app", "$HOME"));
        // A directory of its own, under a shared one: still the app's.
        assert!(!wiped("/opt/app", "/usr/local/app"));
        assert!(!wiped("/opt/app", "/srv/app"));
    }
}
