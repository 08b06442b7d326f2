//! `os.Exit` called from a goroutine of a function that cleans up with
//! `defer`. `os.Exit` ends the process at once: no deferred call runs, so
//! the `defer w.Close()` that flushes a buffer, fsyncs or writes a file's
//! footer never happens, and what it held is lost on every shutdown.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

static EXIT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\bos\.Exit\s*\(").unwrap());
/// A deferred call that saves or releases something.
static CLEANUP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(Close|Flush|Sync|Commit|Shutdown|Stop|Wait|Unlock|Release|Drain)\s*\(").unwrap()
});

/// Reports an `os.Exit` the change puts in a goroutine whose function
/// defers a cleanup.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !f.path.ends_with(".go") || f.class.test_like() || f.class.vendored {
        return;
    }
    let Some(new) = f.new_text() else { return };
    let lines: Vec<&str> = new.lines().collect();
    for l in f.added_code().filter(|l| EXIT.is_match(l.text)) {
        let i = l.no as usize - 1;
        // The goroutine it is in, then the function that starts it.
        let Some(go) = (0..i)
            .rev()
            .take(30)
            .find(|&j| lines[j].trim_start().starts_with("go func"))
        else {
            continue;
        };
        let Some(func) = (0..go).rev().find(|&j| lines[j].starts_with("func ")) else {
            continue;
        };
        let Some(deferred) = lines[func..go]
            .iter()
            .enumerate()
            .filter(|(_, t)| t.trim_start().starts_with("defer "))
            .find_map(|(k, _)| {
                // `defer x.Close()` or a deferred closure that closes.
                lines[func + k..go]
                    .iter()
                    .take(5)
                    .find(|t| CLEANUP.is_match(t))
                    .map(|t| t.trim())
            })
        else {
            continue;
        };
        out.push(Finding::added(
            "exit-skips-deferred-cleanup",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "`{}` in a goroutine ends the process without running the deferred `{}` of the function that started it: whatever it flushes, syncs or closes is lost on every shutdown. Cancel the context and let the function return instead.",
                quote(l.text.trim()),
                quote(deferred.trim_start_matches("defer ")),
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents as rules;

    const OLD: &str = "package main\n\nfunc run() error {\n\tw, err := segment.Open(dir)\n\tif err != nil {\n\t\treturn err\n\t}\n\tdefer w.Close()\n\tgo func() {\n\t\t<-ctx.Done()\n\t\tln.Close()\n\t}()\n\treturn serve(ln, w)\n}\n";

    #[test]
    fn exiting_from_a_goroutine_past_a_deferred_close_is_found() {
        let new = OLD.replace("\t\tln.Close()\n", "\t\tln.Close()\n\t\tos.Exit(0)\n");
        assert!(
            rules("cmd/ingestd/main.go", OLD, &new)
                .contains(&"exit-skips-deferred-cleanup".to_string())
        );
    }

    #[test]
    fn exiting_where_nothing_is_deferred_is_not() {
        let old = OLD.replace("\tdefer w.Close()\n", "");
        let new = old.replace("\t\tln.Close()\n", "\t\tln.Close()\n\t\tos.Exit(0)\n");
        assert!(
            !rules("cmd/ingestd/main.go", &old, &new)
                .contains(&"exit-skips-deferred-cleanup".to_string())
        );
    }
}
