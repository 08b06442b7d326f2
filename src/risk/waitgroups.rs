//! Go's `sync.WaitGroup` counted from inside the goroutine it waits for:
//! `wg.Add(1)` must run before `go func() { … }()`, not as the goroutine's
//! first line, or `wg.Wait()` can return before the goroutine has started
//! (staticcheck's SA2000). A loop-variable cleanup or a refactor moves the
//! line inside the closure and every line still reads as correct.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, lang::Lang, quote};

/// A WaitGroup declared or received: `var wg sync.WaitGroup`,
/// `wg := &sync.WaitGroup{}`, a field or parameter `wg *sync.WaitGroup`.
static DECLARED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(\w+)\s*(?::=\s*&?sync\.WaitGroup\s*\{|\*?sync\.WaitGroup\b)").unwrap()
});
static ADD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b(\w+)\.Add\s*\(").unwrap());

/// `wg.Add(…)` lines the change writes inside a `go func` literal.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.lang != Lang::Go || !f.class.production() {
        return;
    }
    if !f.added_code().any(|l| ADD.is_match(l.text)) {
        return;
    }
    let Some(new) = f.new_text() else { return };
    let groups: HashSet<&str> = DECLARED
        .captures_iter(new)
        .filter_map(|c| c.get(1).map(|m| m.as_str()))
        .collect();
    let added: HashSet<u32> = f.added.iter().map(|l| l.no).collect();
    // One entry per open brace: whether a `go func` literal opened it.
    let mut open: Vec<bool> = Vec::new();
    for (i, line) in new.lines().enumerate() {
        let no = i as u32 + 1;
        let code = line.split("//").next().unwrap_or("");
        if open.contains(&true)
            && added.contains(&no)
            && let Some(c) = ADD.captures(code)
            && groups.contains(&c[1])
        {
            out.push(Finding::added(
                "waitgroup-add-in-goroutine",
                Severity::High,
                f.path,
                Some(no),
                format!(
                    "`{}` now runs inside the goroutine it counts: `Wait()` can return before the goroutine has started, so the work is treated as done while it still runs. Call `Add` before the `go` statement.",
                    quote(code.trim())
                ),
            ));
        }
        let go = code.contains("go func");
        for ch in code.chars() {
            match ch {
                '{' => open.push(go),
                '}' => {
                    open.pop();
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents as rules;

    const RULE: &str = "waitgroup-add-in-goroutine";

    #[test]
    fn add_moved_into_the_goroutine_is_found_and_add_before_it_is_not() {
        let old = "package consumer\n\nimport \"sync\"\n\nfunc (c *Consumer) handle(batch []Message) {\n\tvar wg sync.WaitGroup\n\tfor _, m := range batch {\n\t\twg.Add(1)\n\t\tgo func(m Message) {\n\t\t\tdefer wg.Done()\n\t\t\tc.process(m)\n\t\t}(m)\n\t}\n\twg.Wait()\n\tc.commit(batch)\n}\n";
        let new = old
            .replace(
                "\t\twg.Add(1)\n\t\tgo func(m Message) {\n",
                "\t\tgo func() {\n\t\t\twg.Add(1)\n",
            )
            .replace("\t\t}(m)\n", "\t\t}()\n");
        let hit = rules("internal/consumer/batch.go", old, &new);
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
        // The loop variable dropped, Add still before the goroutine.
        let fine = old
            .replace("go func(m Message) {", "go func() {")
            .replace("\t\t}(m)\n", "\t\t}()\n");
        let hit = rules("internal/consumer/batch.go", old, &fine);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
        // Another type's Add inside a goroutine (a counter) is not a WaitGroup.
        let counter = old.replace(
            "\t\t\tdefer wg.Done()\n",
            "\t\t\tdefer wg.Done()\n\t\t\tprocessed.Add(1)\n",
        );
        let hit = rules("internal/consumer/batch.go", old, &counter);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
    }
}
