//! Sandboxed frames. `allow-scripts` with `allow-same-origin` lets a framed
//! page of the embedding origin remove its own sandbox (the pattern rule
//! `sec-iframe-sandbox-void`). Put on a frame that had no sandbox at all, the
//! same attribute takes nothing away: everything else it leaves out (top
//! navigation, forms, downloads) is now blocked where before nothing was.
//! The two tokens need not share a line: a sandbox assembled from a list
//! (`const SANDBOX = ["allow-scripts", "allow-same-origin"].join(" ")`)
//! voids it just the same.

use super::{ChangeView, FileView, Finding, Severity, Side};

/// The pattern rule this module refines.
const VOID: &str = "sec-iframe-sandbox-void";

/// The tokens that, together, void a sandbox.
const SCRIPTS: &str = "allow-scripts";
const SAME_ORIGIN: &str = "allow-same-origin";

/// Reports a sandbox whose two voiding tokens the change brings together on
/// separate lines (a list of flags, a constant joined into the attribute):
/// the pattern rule reads one line and misses it.
pub fn assembled_sandbox(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs || f.class.vendored || out.iter().any(|x| x.rule == VOID)
    {
        return;
    }
    let Some(new) = f.new_text() else { return };
    let both = |t: &str| {
        let lower = t.to_ascii_lowercase();
        lower.contains("sandbox") && lower.contains(SCRIPTS) && lower.contains(SAME_ORIGIN)
    };
    if !both(new) || f.old_text().is_some_and(both) {
        return;
    }
    // The token the change added (the second of the pair, as a rule).
    let Some(l) = f.added_code().find(|l| {
        let lower = l.text.to_ascii_lowercase();
        lower.contains(SAME_ORIGIN) || lower.contains(SCRIPTS)
    }) else {
        return;
    };
    out.push(Finding::added(
        VOID,
        Severity::High,
        f.path,
        Some(l.no),
        format!(
            "The sandbox now gets both `{SCRIPTS}` and `{SAME_ORIGIN}` (assembled over several lines, here `{}`): together they let the framed page remove its own sandbox.",
            super::quote(l.text.trim())
        ),
    ));
}

/// Drops the void-sandbox finding from a file whose frames had no sandbox
/// before the change, when no file of the change takes a sandbox away (a
/// frame moved into a new component keeps its old sandbox to compare with).
pub fn first_sandbox(f: &FileView<'_>, change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    if !out.iter().any(|x| x.rule == VOID) {
        return;
    }
    let Some(old) = f.old_text() else { return };
    let lower = old.to_ascii_lowercase();
    let unsandboxed_frame = lower.contains("iframe") && !lower.contains("sandbox");
    let sandbox_removed = change.files.iter().any(|g| {
        g.removed
            .iter()
            .any(|l| l.text.to_ascii_lowercase().contains("sandbox"))
    });
    if unsandboxed_frame && !sandbox_removed {
        out.retain(|x| !(x.rule == VOID && x.side == Side::New));
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::findings_of_change;

    fn void(files: &[(&str, &str, &str)]) -> bool {
        let files: Vec<_> = files
            .iter()
            .map(|(p, o, n)| (*p, (!o.is_empty()).then_some(*o), Some(*n)))
            .collect();
        findings_of_change(&files, None)
            .iter()
            .any(|x| x.rule == super::VOID)
    }

    #[test]
    fn a_first_sandbox_on_a_frame_is_not_a_void_one() {
        let old = "<iframe src=\"{{ embed_url }}\" allow=\"fullscreen\"></iframe>\n";
        let new = "<iframe src=\"{{ embed_url }}\" sandbox=\"allow-scripts allow-same-origin allow-popups\" allow=\"fullscreen\"></iframe>\n";
        assert!(!void(&[("app/views/embeds/_video.html.erb", old, new)]));
        // A sandbox loosened: found.
        let strict = new.replace(" allow-same-origin", "");
        assert!(void(&[("app/views/embeds/_video.html.erb", &strict, new)]));
        // A new component whose frame had a stricter sandbox in the file it
        // came from: found.
        let parent_old = "<iframe srcDoc={html} sandbox=\"allow-scripts\" />\n";
        let parent_new = "<PreviewFrame html={html} />\n";
        let frame = "export const PreviewFrame = ({ html }) => <iframe srcDoc={html} sandbox=\"allow-scripts allow-same-origin\" />;\n";
        assert!(void(&[
            ("src/Preview.tsx", parent_old, parent_new),
            ("src/PreviewFrame.tsx", "", frame),
        ]));
        // A new file with a void sandbox on user HTML: found.
        assert!(void(&[("src/PreviewFrame.tsx", "", frame)]));
    }

    #[test]
    fn a_sandbox_assembled_from_a_list_is_read_whole() {
        let old = "const FLAGS = [\n  \"allow-scripts\",\n].join(\" \");\nexport const P = ({ html }) => <iframe srcDoc={html} sandbox={FLAGS} />;\n";
        let new = old.replace(
            "  \"allow-scripts\",\n",
            "  \"allow-scripts\",\n  \"allow-same-origin\",\n",
        );
        assert!(void(&[("src/Preview.tsx", old, &new)]));
        // Another token added to the list: nothing.
        let forms = old.replace(
            "  \"allow-scripts\",\n",
            "  \"allow-scripts\",\n  \"allow-forms\",\n",
        );
        assert!(!void(&[("src/Preview.tsx", old, &forms)]));
        // Both tokens already there before: the change did not bring them together.
        assert!(!void(&[(
            "src/Preview.tsx",
            &new,
            &format!("{new}// tidy\n")
        )]));
    }
}
