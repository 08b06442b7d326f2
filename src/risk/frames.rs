//! Sandboxed frames. `allow-scripts` with `allow-same-origin` lets a framed
//! page of the embedding origin remove its own sandbox (the pattern rule
//! `sec-iframe-sandbox-void`). Put on a frame that had no sandbox at all, the
//! same attribute takes nothing away: everything else it leaves out (top
//! navigation, forms, downloads) is now blocked where before nothing was.

use super::{ChangeView, FileView, Finding, Side};

/// The pattern rule this module refines.
const VOID: &str = "sec-iframe-sandbox-void";

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
}
