//! A Python lambda made in a loop that reads the loop's variable. Closures
//! look a name up when they run, not when they are made, so every lambda
//! built by `[lambda: f(x) for x in xs]` (or appended in a `for` loop) sees
//! the last `x`: n tasks that all do the last one's work, silently. Binding
//! the value as a default (`lambda x=x: f(x)`) or `functools.partial` fixes
//! it.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

static LAMBDA: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\blambda\b([^:]*):(.*)").unwrap());
static FOR_CLAUSE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bfor\s+([\w\s,()]+?)\s+in\b").unwrap());
static WORD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[A-Za-z_]\w*").unwrap());

/// The names a `for` target binds: `i, (start, stop)` → i, start, stop.
fn targets(t: &str) -> Vec<&str> {
    WORD.find_iter(t)
        .map(|m| m.as_str())
        .filter(|w| *w != "_")
        .collect()
}

/// Reports the first lambda an added line makes in a loop over a name it
/// reads.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !f.path.ends_with(".py") || f.class.test_like() || f.class.vendored {
        return;
    }
    let Some(new) = f.new_text() else { return };
    let lines: Vec<&str> = new.lines().collect();
    let indent = |t: &str| t.len() - t.trim_start().len();
    for l in f.added_code() {
        let Some(c) = LAMBDA.captures(l.text) else {
            continue;
        };
        let params: Vec<&str> = c[1].split(',').map(|p| p.trim()).collect();
        // A parameter with a default binds the value now.
        let bound: Vec<&str> = params
            .iter()
            .map(|p| {
                p.split('=')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .trim_start_matches('*')
            })
            .collect();
        let body = c[2].split(" for ").next().unwrap_or("");
        let reads =
            |name: &str| !bound.contains(&name) && WORD.find_iter(body).any(|m| m.as_str() == name);
        let i = l.no as usize - 1;
        if i >= lines.len() {
            continue;
        }
        // A comprehension: a `for` clause after the lambda, in its statement.
        let tail: String = std::iter::once(&c[2])
            .chain(lines[i + 1..].iter().take(3).copied())
            .collect::<Vec<&str>>()
            .join(" ");
        let comprehension = FOR_CLAUSE.captures(&tail).map(|m| {
            targets(&m[1])
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<_>>()
        });
        // A loop around the line that stores the lambda for later.
        let stored = l.text.contains(".append(") || l.text.contains("] =");
        let enclosing = stored
            .then(|| {
                lines[..i]
                    .iter()
                    .rev()
                    .take(8)
                    .find(|t| indent(t) < indent(l.text) && t.trim_start().starts_with("for "))
                    .and_then(|t| FOR_CLAUSE.captures(t))
                    .map(|m| {
                        targets(&m[1])
                            .into_iter()
                            .map(str::to_string)
                            .collect::<Vec<_>>()
                    })
            })
            .flatten();
        let Some(var) = comprehension
            .into_iter()
            .chain(enclosing)
            .flatten()
            .find(|v| reads(v))
        else {
            continue;
        };
        out.push(Finding::added(
            "closure-late-binding",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "`{}` is made in a loop over `{}` and reads it when it runs, not when it is made: every one of them sees the loop's last value. Bind it now (`lambda {}={}: …`) or use `functools.partial`.",
                quote(l.text.trim()),
                quote(&var),
                var,
                var
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents as rules;

    const OLD: &str = "def map_blocks(func, array, bounds):\n    tasks = {}\n    for i, (start, stop) in enumerate(bounds):\n        tasks[i] = (func, array[start:stop])\n    return tasks\n";

    #[test]
    fn lambdas_made_in_a_comprehension_over_their_variables_are_found() {
        let new = "def map_blocks(func, array, bounds):\n    tasks = {\n        i: (lambda: func(array[start:stop]),)\n        for i, (start, stop) in enumerate(bounds)\n    }\n    return tasks\n";
        assert!(rules("pkg/blocks.py", OLD, new).contains(&"closure-late-binding".to_string()));
        let looped = "def map_blocks(func, array, bounds):\n    tasks = []\n    for start, stop in bounds:\n        tasks.append(lambda: func(array[start:stop]))\n    return tasks\n";
        assert!(rules("pkg/blocks.py", OLD, looped).contains(&"closure-late-binding".to_string()));
    }

    #[test]
    fn values_bound_as_defaults_or_not_read_are_not() {
        let bound = "def map_blocks(func, array, bounds):\n    tasks = {\n        i: (lambda start=start, stop=stop: func(array[start:stop]),)\n        for i, (start, stop) in enumerate(bounds)\n    }\n    return tasks\n";
        assert!(!rules("pkg/blocks.py", OLD, bound).contains(&"closure-late-binding".to_string()));
        let sorted = "def map_blocks(func, array, bounds):\n    return sorted((b for b in bounds), key=lambda b: b[0])\n";
        assert!(!rules("pkg/blocks.py", OLD, sorted).contains(&"closure-late-binding".to_string()));
    }
}
