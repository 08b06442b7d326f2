//! Text that is not what it looks like: Unicode bidi controls that reorder code
//! on screen (Trojan Source), invisible characters, identifiers that mix Latin
//! with look-alike Cyrillic or Greek letters, and raw control characters. The
//! character classes come from `crate::sanitize`, the one list of them.

use crate::sanitize::{Hazard, hazard};

use super::{FileView, Finding, Severity};

/// The script of a letter, as far as look-alikes go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    Cyrillic,
    Greek,
    Armenian,
    Cherokee,
    FullwidthLatin,
    Other,
}

fn script(c: char) -> Script {
    match c {
        'a'..='z' | 'A'..='Z' => Script::Latin,
        '\u{0400}'..='\u{052f}' | '\u{1c80}'..='\u{1c8f}' | '\u{a640}'..='\u{a69f}' => {
            Script::Cyrillic
        }
        '\u{0370}'..='\u{03ff}' | '\u{1f00}'..='\u{1fff}' => Script::Greek,
        '\u{0530}'..='\u{058f}' => Script::Armenian,
        '\u{13a0}'..='\u{13ff}' => Script::Cherokee,
        '\u{ff21}'..='\u{ff3a}' | '\u{ff41}'..='\u{ff5a}' => Script::FullwidthLatin,
        _ => Script::Other,
    }
}

/// The first identifier in `line` that mixes Latin letters with letters of a
/// look-alike script, and the first foreign letter in it.
pub fn mixed_script_identifier(line: &str) -> Option<(String, char)> {
    let mut word = String::new();
    let check = |w: &str| -> Option<(String, char)> {
        let has_latin = w.chars().any(|c| script(c) == Script::Latin);
        let foreign = w
            .chars()
            .find(|c| !matches!(script(*c), Script::Latin | Script::Other));
        match (has_latin, foreign) {
            (true, Some(c)) => Some((w.to_string(), c)),
            // A lone full-width identifier is as deceptive as a mixed one.
            (false, Some(c)) if script(c) == Script::FullwidthLatin => Some((w.to_string(), c)),
            _ => None,
        }
    };
    for c in line.chars() {
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            if let Some(hit) = check(&word) {
                return Some(hit);
            }
            word.clear();
        }
    }
    check(&word)
}

/// A bidi control, invisible or control character in a file name makes the
/// name shown to a reviewer differ from the file git writes (`evil\u{202e}txt.sh`).
fn check_path(f: &FileView<'_>, out: &mut Vec<Finding>) {
    // A bidi control first: it is the one that can reorder what is shown.
    let hidden = |want: Option<Hazard>| {
        f.path.chars().find_map(|c| {
            hazard(c)
                .filter(|h| want.is_none_or(|w| w == *h))
                .map(|h| (c, h))
        })
    };
    let Some((c, h)) = hidden(Some(Hazard::Bidi)).or_else(|| hidden(None)) else {
        return;
    };
    let (rule, severity, what) = match h {
        Hazard::Bidi => (
            "text-bidi-control",
            Severity::Critical,
            "bidirectional control",
        ),
        Hazard::Invisible => ("text-invisible-char", Severity::High, "invisible character"),
        Hazard::Control => ("text-control-char", Severity::High, "control character"),
    };
    out.push(Finding::added(
        rule,
        severity,
        f.path,
        None,
        format!(
            "The file name contains the {what} U+{:04X}: the name a reviewer sees is not the file that lands in the repository.",
            c as u32
        ),
    ));
}

fn is_emoji_context(line: &str, idx: usize) -> bool {
    // A zero-width joiner between pictographs builds one emoji: not hidden code.
    let before = line[..idx].chars().next_back();
    let after = line[idx..].chars().nth(1);
    let pict = |c: Option<char>| c.is_some_and(|c| (c as u32) >= 0x2000 && !c.is_ascii());
    pict(before) && pict(after)
}

/// A zero-width (non-)joiner between two letters of a script that writes
/// with it (Persian, Arabic, the Indic scripts, Sinhala, …): `می‌خواهم`
/// needs it to be spelled right, in a translation or a string.
fn joins_script_letters(text: &str, i: usize) -> bool {
    let joining = |c: char| {
        matches!(c as u32,
                0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF
                | 0xFE70..=0xFEFF | 0x0900..=0x0DFF | 0x0F00..=0x0FFF | 0x1000..=0x109F
                | 0x1780..=0x17FF | 0x0590..=0x05FF)
    };
    let before = text[..i].chars().next_back();
    let after = text[i..].chars().nth(1);
    before.is_some_and(joining) && after.is_some_and(joining)
}

/// Flags hidden and deceptive characters on added lines and in the file's name.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    check_path(f, out);
    // Minified text where sources are expected is skipped by every other
    // check: say so, rather than report nothing.
    if let Some(no) = f.minified {
        out.push(Finding::added(
            "text-minified-unreviewed",
            Severity::Medium,
            f.path,
            Some(no),
            "Adds minified or generated text (a line of thousands of characters) to a file whose path does not mark it as built: no check reads it and no reviewer will. Build it from sources in CI, or keep it under a `dist/` or `vendor/` path.".to_string(),
        ));
    }
    for l in &f.added {
        let text = l.text.strip_suffix('\r').unwrap_or(l.text);
        let mut bidi = None;
        let mut invisible = None;
        let mut control = None;
        for (i, c, h) in text
            .char_indices()
            .filter_map(|(i, c)| hazard(c).map(|h| (i, c, h)))
        {
            match h {
                Hazard::Bidi => bidi = bidi.or(Some(c)),
                Hazard::Invisible => {
                    let harmless = (c == '\u{feff}' && i == 0 && l.no == 1)
                        || (c == '\u{200d}' && is_emoji_context(text, i))
                        || (matches!(c, '\u{200c}' | '\u{200d}') && joins_script_letters(text, i))
                        || (c == '\u{ad}' && f.class.docs);
                    if !harmless {
                        invisible = invisible.or(Some(c));
                    }
                }
                Hazard::Control => {
                    if c != '\u{c}' {
                        control = control.or(Some(c));
                    }
                }
            }
        }
        if let Some(c) = bidi {
            out.push(Finding::added(
                "text-bidi-control",
                Severity::Critical,
                f.path,
                Some(l.no),
                format!(
                    "Contains the invisible bidirectional control U+{:04X}: the code shown to a reviewer is not the order the compiler reads it in (Trojan Source).",
                    c as u32
                ),
            ));
        }
        // Look-alikes in test data are usually the point of the test.
        let high = if f.class.test_like() {
            Severity::Medium
        } else {
            Severity::High
        };
        if let Some(c) = invisible {
            out.push(Finding::added(
                "text-invisible-char",
                high,
                f.path,
                Some(l.no),
                format!(
                    "Contains the invisible character U+{:04X}: two names that look identical here can be different identifiers or strings.",
                    c as u32
                ),
            ));
        }
        if let Some(c) = control {
            out.push(Finding::added(
                "text-control-char",
                high,
                f.path,
                Some(l.no),
                format!(
                    "Contains the raw control character U+{:04X}: it can rewrite what a terminal shows, hiding the rest of the line.",
                    c as u32
                ),
            ));
        }
        if !f.class.docs
            && let Some((word, c)) = mixed_script_identifier(text)
        {
            out.push(Finding::added(
                    "text-mixed-script",
                    high,
                    f.path,
                    Some(l.no),
                    format!(
                        "'{}' mixes Latin with a look-alike letter (U+{:04X}): it reads like a familiar name but is a different identifier.",
                        crate::sanitize::escape_line(&word),
                        c as u32
                    ),
                ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixed_scripts_are_caught_but_plain_words_are_not() {
        // Cyrillic 'а' (U+0430) inside a Latin name.
        assert!(mixed_script_identifier("if is_\u{430}dmin(user):").is_some());
        assert!(mixed_script_identifier("msg = 'Привет, мир'").is_none());
        assert!(mixed_script_identifier("let x = café;").is_none());
        assert!(mixed_script_identifier("αβγ = 1").is_none());
    }
}

#[cfg(test)]
mod more_tests {
    use crate::risk::testkit::rules_hit;

    #[test]
    fn minified_text_outside_built_paths_is_named_not_analysed() {
        let line = format!("var a=Math.random().toString(36);{}\n", "x=1;".repeat(900));
        let hit = rules_hit(
            "static/app.js",
            Some("var b=1;\n"),
            Some(&format!("var b=1;\n{line}")),
        );
        assert_eq!(hit, vec!["text-minified-unreviewed"]);
        let hit = rules_hit(
            "web/dist/app.js",
            Some("var b=1;\n"),
            Some(&format!("var b=1;\n{line}")),
        );
        assert!(hit.is_empty(), "{hit:?}");
    }

    #[test]
    fn hidden_text_is_flagged_and_emoji_are_not() {
        assert_eq!(
            rules_hit("a.js", None, Some("if (ok /*\u{202e} } \u{2066}*/) {\n")),
            vec!["text-bidi-control"]
        );
        assert_eq!(
            rules_hit("a.py", None, Some("pass\u{200b}word = 1\n")),
            vec!["text-invisible-char"]
        );
        assert_eq!(
            rules_hit("a.sh", None, Some("echo \u{1b}[2Jhi\n")),
            vec!["text-control-char"]
        );
        assert!(rules_hit("a.ts", None, Some("const s = \"👩\u{200d}💻\";\n")).is_empty());
        // Persian and Hindi spell words with zero-width joiners; between
        // Latin letters one hides a difference.
        assert!(
            rules_hit(
                "locales/fa.json",
                None,
                Some("  \"want\": \"می\u{200c}خواهم\",\n")
            )
            .is_empty()
        );
        assert!(rules_hit("locales/hi.json", None, Some("  \"k\": \"क्\u{200d}ष\",\n")).is_empty());
        assert_eq!(
            rules_hit("a.py", None, Some("is\u{200c}admin = True\n")),
            vec!["text-invisible-char"]
        );
        assert!(rules_hit("win.bat", None, Some("echo hi\r\n")).is_empty());
    }
}
