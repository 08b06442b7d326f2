//! A Jinja `Environment` built without `autoescape`. Jinja's default is
//! off, so an environment written from scratch (a "shared" one replacing
//! per-module ones that called `select_autoescape`) renders every variable
//! into HTML as it is: stored cross-site scripting in emails and pages.

use std::sync::LazyLock;

use regex::Regex;

use super::code::closing_bracket;
use super::{ChangeView, FileView, Finding, Severity};

static ENVIRONMENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(jinja2\.)?(Sandboxed)?Environment\s*\(").unwrap());

/// Reports an environment the change builds without autoescaping, where
/// the change took autoescaping away or the templates are HTML.
/// A Markdown renderer set to pass raw HTML through (markdown-it's `html:
/// true`, remark's `allowDangerousHtml`, marked's `sanitize: false`) where
/// the change removes one that escaped it (`html: false`), in this file or
/// another: a renderer shared by staff docs and user comments makes every
/// comment a place to store a script.
fn markdown_html_on(f: &FileView<'_>, change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    static HTML_ON: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(html\s*:\s*true|allowDangerousHtml\s*:\s*true|sanitize\s*:\s*false|escapeHtml\s*:\s*false|skipHtml\s*:\s*false)\b").unwrap()
    });
    static HTML_OFF: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"\b(html\s*:\s*false|sanitize\s*:\s*true|escapeHtml\s*:\s*true|skipHtml\s*:\s*true)\b",
        )
        .unwrap()
    });
    if !f.class.production() {
        return;
    }
    let Some(on) = f.added_code().find(|l| HTML_ON.is_match(l.text)) else {
        return;
    };
    let escaped_before = change
        .files
        .iter()
        .any(|x| x.class.production() && x.removed_code().any(|l| HTML_OFF.is_match(l.text)));
    let still_escaped = change
        .files
        .iter()
        .any(|x| x.class.production() && x.added_code().any(|l| HTML_OFF.is_match(l.text)));
    if !escaped_before || still_escaped {
        return;
    }
    out.push(Finding::added(
        "xss-markdown-html-on",
        Severity::High,
        f.path,
        Some(on.no),
        format!(
            "Renders Markdown with raw HTML passed through (`{}`) where the change removes a renderer that escaped it: text that was shown as written (a user's comment) can now carry a script.",
            super::quote(on.text.trim())
        ),
    ));
}

pub fn check(f: &FileView<'_>, change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    markdown_html_on(f, change, out);
    if !f.path.ends_with(".py") || f.class.test_like() || f.class.vendored {
        return;
    }
    let Some(new) = f.new_text() else { return };
    if !new.contains("jinja2") {
        return;
    }
    // Autoescaping the change removed, in this file or another.
    let removed_escaping = change.files.iter().any(|x| {
        x.removed_code()
            .any(|l| l.text.contains("select_autoescape") || l.text.contains("autoescape=True"))
    });
    let html = new.contains(".html") || new.contains("html_body") || new.contains("text/html");
    for m in ENVIRONMENT.find_iter(new) {
        let start = m.end() - 1;
        let Some(close) = closing_bracket(new.as_bytes(), start) else {
            continue;
        };
        let first = new[..m.start()].matches('\n').count() as u32 + 1;
        let last = new[..close].matches('\n').count() as u32 + 1;
        // The change wrote the call or its arguments.
        if !(first..=last).any(|n| f.added_at(n)) || new[start..close].contains("autoescape") {
            continue;
        }
        if !removed_escaping && !html {
            continue;
        }
        out.push(Finding::added(
            "sec-xss-sink",
            Severity::High,
            f.path,
            Some(first),
            format!(
                "Builds a Jinja `Environment` without `autoescape`, and Jinja's default is off: every variable is rendered into the HTML as it is, so text a user wrote runs as script.{}",
                if removed_escaping {
                    " The code it replaces escaped (`select_autoescape`)."
                } else {
                    ""
                }
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::findings_of_change;

    #[test]
    fn a_shared_environment_without_autoescape_is_found() {
        let old = "from jinja2 import Environment, PackageLoader, select_autoescape\n\nenv = Environment(\n    loader=PackageLoader(\"app\"),\n    autoescape=select_autoescape([\"html\"]),\n)\n";
        let new = "from jinja2 import Environment, PackageLoader\n\nenv = Environment(\n    loader=PackageLoader(\"app\"),\n    trim_blocks=True,\n)\n";
        let hit = findings_of_change(&[("app/render.py", Some(old), Some(new))], None);
        assert!(hit.iter().any(|f| f.rule == "sec-xss-sink"), "{hit:?}");
        let kept = new.replace(
            "    trim_blocks=True,\n",
            "    trim_blocks=True,\n    autoescape=select_autoescape([\"html\"]),\n",
        );
        let hit = findings_of_change(&[("app/render.py", Some(old), Some(&kept))], None);
        assert!(!hit.iter().any(|f| f.rule == "sec-xss-sink"), "{hit:?}");
    }
}
