//! What a shell script (or a Makefile recipe) guarantees about a variable
//! before it deletes with it: that it is never empty, never `/`, or always a
//! path under a fixed tail. `rm -rf "$DIR"` is a disaster only when `DIR` can
//! be empty or wrong; the script around it often rules that out, and the
//! rules that read deletions ask here rather than each keeping a list.

/// Variables a CI runner always sets to its own workspace.
pub const CI_WORKSPACE: &[&str] = &[
    "CI_PROJECT_DIR",
    "CI_BUILDS_DIR",
    "GITHUB_WORKSPACE",
    "RUNNER_TEMP",
    "WORKSPACE",
    "BUILD_SOURCESDIRECTORY",
    "AGENT_TEMPDIRECTORY",
    "CIRCLE_WORKING_DIRECTORY",
    "BITBUCKET_CLONE_DIR",
    "BUILDKITE_BUILD_CHECKOUT_PATH",
    "CODEBUILD_SRC_DIR",
];

/// A line that refuses a value: it stops the script or the function
/// (`exit 1`, `return 1`, a `die`/`fail` helper, `false`) or skips the value
/// in a loop (`continue`, `break`).
static REFUSES: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"\b(exit\s+[1-9]|return\s+[1-9]|die\b|fail\b|false\s*;|continue\b|break\b)")
        .expect("a valid regex")
});

/// The ways a script writes `var`: `$V`, `${V}`, and Make's `$(V)`.
fn spellings(var: &str) -> [String; 3] {
    [
        format!("${var}"),
        format!("${{{var}}}"),
        format!("$({var})"),
    ]
}

/// How far a script keeps a variable from deleting the wrong thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Guard {
    /// Never empty (`${VAR:?}`, `[ -n "$VAR" ] || exit`), but it may still
    /// be any path the caller passes.
    NonEmpty,
    /// Always a place the script picked: a `case` of allowed values, a
    /// directory it made with `mktemp`, a path with a fixed tail, children
    /// listed by `find DIR -mindepth 1`, a CI runner's workspace.
    Bounded,
}

/// What the script (`text`, the file after the change) makes sure of for
/// `var` before the deletion on `line` (1-based) runs, if anything: only
/// what is written before it counts (or, inside a function, before the
/// function is first called). `ci` says the file is a pipeline, where the
/// runner's variables are set. A function's argument (`$1`) is as safe as
/// the least safe value any call passes.
pub fn guard(text: &str, var: &str, ci: bool, line: u32) -> Option<Guard> {
    guard_at(text, var, ci, line, 0)
}

/// The function a line is in, and the line (1-based) it is first called on.
fn enclosing_function<'t>(lines: &[&'t str], line: u32) -> Option<(&'t str, u32)> {
    let above = (line as usize).min(lines.len());
    let (def_at, name) = lines[..above].iter().enumerate().rev().find_map(|(i, t)| {
        let t = t.trim_start();
        let t = t.strip_prefix("function ").unwrap_or(t);
        let (name, rest) = t.split_once(['(', ' '])?;
        let defines = rest.trim_start().starts_with(')') && t.contains('{')
            || t.starts_with(name) && rest.trim_start().starts_with('{');
        (defines
            && !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .then_some((i, name))
    })?;
    let called = lines
        .iter()
        .enumerate()
        .skip(def_at + 1)
        .find(|(_, t)| calls(t, name))
        .map_or(lines.len() as u32, |(i, _)| i as u32 + 1);
    Some((name, called))
}

/// True when a line calls the shell function `name` (at its start, or after
/// `&&`, `||`, `;` or `then`/`do`).
fn calls(t: &str, name: &str) -> bool {
    let t = t.trim_start();
    let t = ["then ", "do ", "else "]
        .iter()
        .find_map(|k| t.strip_prefix(k))
        .unwrap_or(t);
    t.strip_prefix(name).is_some_and(|r| {
        r.is_empty() || r.starts_with([' ', ';']) && !r.trim_start().starts_with('(')
    })
}

fn guard_at(text: &str, var: &str, ci: bool, line: u32, depth: u8) -> Option<Guard> {
    if var.is_empty() {
        return None;
    }
    if ci && CI_WORKSPACE.contains(&var) {
        return Some(Guard::Bounded);
    }
    let lines: Vec<&str> = text.lines().collect();
    let function = enclosing_function(&lines, line);
    // Lines up to the deletion; inside a function, up to its first call.
    let cut = function.map_or(line, |(_, called)| called.max(line));
    let before: Vec<&str> = lines.iter().take(cut as usize).copied().collect();
    let forms = spellings(var);
    let quoted = |f: &str| [format!("\"{f}\""), f.to_string()];
    // A `case` on the variable whose body (read to its `esac`, even past
    // the deletion inside one of its arms) refuses some value (`*) exit
    // 1`): a case that lets every value through picks nothing.
    let allow_list = before.iter().enumerate().any(|(i, t)| {
        t.trim_start().starts_with("case ")
            && t.contains(" in")
            && forms
                .iter()
                .any(|f| t.contains(f.as_str()) || t.contains(&format!("${{{var}:")))
            && lines[i..]
                .iter()
                .take_while(|b| !b.trim_start().starts_with("esac"))
                .any(|b| REFUSES.is_match(b))
    });
    let assigned: Vec<&str> = before
        .iter()
        .filter_map(|t| {
            let t = t
                .trim_start()
                .trim_start_matches("local ")
                .trim_start_matches("readonly ")
                .trim_start_matches("export ");
            t.strip_prefix(var)
                .and_then(|r| r.strip_prefix('='))
                .map(|v| v.trim().trim_matches(['"', '\'']))
        })
        .collect();
    let made_here = assigned
        .iter()
        .any(|v| v.starts_with("$(mktemp") || v.starts_with("`mktemp"))
        || before
            .iter()
            .any(|t| t.contains(&format!("{var} = tempfile.mkdtemp")));
    // `DATA_DIR="${REPO_ROOT}/.data/pg"`, `OUT=/srv/app/cache`: even with
    // the variable before it empty, never `/` or a whole tree.
    let fixed_tail = assigned.iter().any(|v| {
        let tail = v.rsplit('}').next().unwrap_or(v);
        let tail = if v.starts_with('$') && !v.starts_with("${") {
            v.split_once('/').map_or("", |(_, t)| t)
        } else {
            tail
        };
        !v.is_empty()
            && !v.contains("$(")
            && !tail.contains('$')
            && tail.trim_matches('/').len() >= 2
            && !tail.contains('*')
    });
    // Read one by one from `find DIR -mindepth 1`: children of a directory.
    let children = before.iter().any(|t| t.contains("-mindepth 1"))
        && before.iter().any(|t| {
            t.contains("read ") && t.trim_end().ends_with(&format!(" {var}; do"))
                || t.contains(&format!("read -r {var}"))
                || t.contains(&format!("-d '' {var}"))
        });
    if allow_list || made_here || fixed_tail || children {
        return Some(Guard::Bounded);
    }
    // `target="${WORKSPACE_DIR:?}/${1:?}"`: every part aborts when empty;
    // as bounded as the variable it starts from.
    let all_required = assigned.iter().find_map(|v| {
        let expansions = v.matches('$').count();
        let parts: Vec<&str> = v
            .split("${")
            .skip(1)
            .filter_map(|e| e.split_once('}').map(|(inside, _)| inside))
            .collect();
        (expansions > 0 && parts.len() == expansions && parts.iter().all(|i| i.contains(":?")))
            .then(|| parts[0].split(':').next().unwrap_or(""))
    });
    if let Some(root) = all_required {
        let bounded = starts_with_expansion(&assigned, root)
            && depth < 2
            && guard_at(text, root, ci, line, depth + 1) == Some(Guard::Bounded);
        return Some(if bounded {
            Guard::Bounded
        } else {
            Guard::NonEmpty
        });
    }
    let checked = before.iter().any(|t| {
        forms.iter().any(|f| {
            quoted(f)
                .iter()
                .any(|q| t.contains(&format!("-z {q}")) || t.contains(&format!("-n {q}")))
        })
    }) || before.iter().any(|t| t.contains(&format!("${{{var}:?")));
    let positional = var.len() == 1 && var.as_bytes()[0].is_ascii_digit();
    let passed = (depth < 2 && positional)
        .then(|| function.and_then(|(name, _)| argument_guard(&lines, text, name, var, ci, depth)))
        .flatten();
    passed.or(checked.then_some(Guard::NonEmpty))
}

/// True when the value a variable was assigned starts with an expansion
/// (nothing written before the root it names).
fn starts_with_expansion(assigned: &[&str], root: &str) -> bool {
    assigned
        .iter()
        .any(|v| v.starts_with(&format!("${{{root}")))
}

/// `$1` inside the shell function `name`: the least safe of what every call
/// passes in that position, or `None` when it is never called or one call
/// passes something unguarded.
fn argument_guard(
    lines: &[&str],
    text: &str,
    name: &str,
    var: &str,
    ci: bool,
    depth: u8,
) -> Option<Guard> {
    let pos: usize = var.parse().ok()?;
    let args: Vec<(u32, Vec<&str>)> = lines
        .iter()
        .enumerate()
        .filter(|(_, t)| calls(t, name))
        .map(|(i, t)| {
            let t = t.trim_start();
            let at = t.find(name).unwrap_or(0) + name.len();
            (i as u32 + 1, t[at..].split_whitespace().collect())
        })
        .collect();
    if args.is_empty() {
        return None;
    }
    args.iter()
        .map(|(at, a)| {
            let a = a.get(pos - 1)?.trim_end_matches(';').trim_matches('"');
            let inner = a
                .strip_prefix("${")
                .and_then(|r| r.split_once('}'))
                .map(|(i, _)| i);
            match inner {
                Some(i) if i.contains(":?") => {
                    let root = i.split(':').next().unwrap_or("");
                    Some(
                        guard_at(text, root, ci, *at, depth + 1)
                            .filter(|g| *g == Guard::Bounded)
                            .unwrap_or(Guard::NonEmpty),
                    )
                }
                Some(i) => guard_at(text, i, ci, *at, depth + 1),
                None => a
                    .strip_prefix('$')
                    .filter(|n| n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
                    .and_then(|n| guard_at(text, n, ci, *at, depth + 1)),
            }
        })
        .collect::<Option<Vec<Guard>>>()
        .and_then(|g| g.into_iter().min())
}

#[cfg(test)]
mod tests {
    use super::Guard::{Bounded, NonEmpty};
    use super::guard;

    #[test]
    fn what_makes_a_variable_safe_to_delete_with() {
        // The deletion is the text's last line.
        let g = |text: &str, var: &str| guard(text, var, false, text.lines().count() as u32);
        assert_eq!(g("rm -rf \"${OUT:?}\"/*\n", "OUT"), Some(NonEmpty));
        assert_eq!(
            g("[ -n \"$OUT\" ] || exit 1\nrm -rf \"$OUT\"\n", "OUT"),
            Some(NonEmpty)
        );
        assert_eq!(g("T=$(mktemp -d)\nrm -rf \"$T\"\n", "T"), Some(Bounded));
        assert_eq!(
            g("D=\"${ROOT}/.data/pg\"\nrm -rf \"$D\"\n", "D"),
            Some(Bounded)
        );
        let allowed = "case \"$W\" in\n  /srv/ci/*) ;;\n  *) exit 1 ;;\nesac\n";
        assert_eq!(
            g(
                &format!("{allowed}t=\"${{W:?}}/${{1:?}}\"\nrm -rf -- \"$t\"\n"),
                "t"
            ),
            Some(Bounded)
        );
        assert_eq!(
            g("t=\"${W:?}/${1:?}\"\nrm -rf -- \"$t\"\n", "t"),
            Some(NonEmpty)
        );
        // Make: a recipe that refuses an empty value first.
        assert_eq!(
            g(
                "\t@test -n \"$(BUILD_DIR)\" || exit 1\n\trm -rf ./$(BUILD_DIR)\n",
                "BUILD_DIR"
            ),
            Some(NonEmpty)
        );
        // A function's argument, passed children of a directory only.
        let script = "remove() {\n  rm -rf -- \"$1\"\n}\nfind \"$R\" -mindepth 1 -print0 |\n  while IFS= read -r -d '' entry; do\n    remove \"$entry\"\n  done\n";
        assert_eq!(guard(script, "1", false, 2), Some(Bounded));
        // … and one call that passes a raw argument: not safe.
        let raw = format!("{script}remove \"$2\"\n");
        assert_eq!(guard(&raw, "1", false, 2), None);
        // A case that lets every value through picks nothing.
        let open_case = "case \"$W\" in\n  *) ;;\nesac\nrm -rf -- \"$W\"\n";
        assert_eq!(g(open_case, "W"), None);
        // Assigned or checked only after the deletion: not safe.
        assert_eq!(
            guard("rm -rf \"${ROOT}/\"*\nROOT=/opt/agent\n", "ROOT", false, 1),
            None
        );
        // From an argument, or built from an unchecked variable: not safe.
        assert_eq!(g("DIR=\"$1\"\nrm -rf \"$DIR\"\n", "DIR"), None);
        assert_eq!(g("DIR=\"${PREFIX}\"\nrm -rf \"$DIR\"/\n", "DIR"), None);
        assert_eq!(
            g("target=\"${ROOT:?}/$name\"\nrm -rf \"$target\"\n", "target"),
            None
        );
        assert_eq!(g("rm -rf \"$BUILD_DIR/\"*\n", "BUILD_DIR"), None);
        assert_eq!(
            guard("rm -rf \"$CI_PROJECT_DIR/x\"\n", "CI_PROJECT_DIR", true, 1),
            Some(Bounded)
        );
        assert_eq!(
            guard("rm -rf \"$CI_PROJECT_DIR/x\"\n", "CI_PROJECT_DIR", false, 1),
            None
        );
    }
}
