//! Recognising AI-assisted commits from their messages (`Assisted-by:`,
//! `Generated-by:`, `AI-Assisted: true`, or a `Co-authored-by:` naming a known
//! AI tool), and naming the tool.
//!
//! Trailers are read with git's own rules (`git interpret-trailers`): the
//! trailer block is the last paragraph (never the title), comment lines (`#`)
//! and a trailing `# Conflicts:` block are ignored, a paragraph counts as
//! trailers when all its lines are, or a quarter of them with a known key
//! among them, and indented lines continue the trailer above. For AI marks a
//! reviewer expects more than git: a mark on a line of its own in any
//! paragraph of the body (above a `Signed-off-by:` paragraph, inside a
//! `<details>` block) counts too.

use crate::config::AiDetection;

/// Keys git itself writes; a paragraph holding one is a trailer block when a
/// quarter of its lines are trailers (git's `git_generated_prefixes`, plus
/// the keys AI tools and countersign write).
const KNOWN_KEYS: &[&str] = &[
    "Signed-off-by",
    "Co-authored-by",
    "Assisted-by",
    "Generated-by",
    "AI-Assisted",
    "Countersign-Change",
];

/// Where `line`'s key ends, when it reads `Key: value` as git's
/// `find_separator` accepts it (letters, digits and `-`, then optional
/// blanks, then `:`); the index of the `:`.
fn separator(line: &str) -> Option<usize> {
    let mut blank_seen = false;
    for (i, c) in line.char_indices() {
        if c == ':' {
            return (i > 0).then_some(i);
        }
        if !blank_seen && (c.is_ascii_alphanumeric() || c == '-') {
            continue;
        }
        if i != 0 && (c == ' ' || c == '\t') {
            blank_seen = true;
            continue;
        }
        return None;
    }
    None
}

/// `Key: value` of a line, when it is one.
fn key_value(line: &str) -> Option<(String, String)> {
    let sep = separator(line)?;
    Some((
        line[..sep].trim().to_string(),
        line[sep + 1..].trim().to_string(),
    ))
}

fn is_comment(line: &str) -> bool {
    line.starts_with('#')
}

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// The lines of `message` without what git ignores at its end: blank lines,
/// comment lines and an old-style `Conflicts:` block (git's
/// `ignored_log_message_bytes`).
fn without_ignored_end(message: &str) -> Vec<&str> {
    let lines: Vec<&str> = message.lines().collect();
    let mut keep = lines.len();
    let mut in_conflicts = false;
    let mut start_of_ignored: Option<usize> = None;
    for (i, line) in lines.iter().enumerate() {
        if is_comment(line) || line.is_empty() {
            start_of_ignored.get_or_insert(i);
        } else if *line == "Conflicts:" {
            in_conflicts = true;
            start_of_ignored.get_or_insert(i);
        } else if in_conflicts && line.starts_with('\t') {
            // a path in the old conflicts block
        } else {
            start_of_ignored = None;
            in_conflicts = false;
        }
    }
    if let Some(s) = start_of_ignored {
        keep = s;
    }
    lines[..keep].to_vec()
}

/// Parses the trailers of a commit message with git's rules (see the module
/// documentation): `(key, value)` pairs of the trailer block, continuation
/// lines joined with a space.
pub fn parse_trailers(message: &str) -> Vec<(String, String)> {
    let lines = without_ignored_end(message);
    // The title paragraph (up to the first blank line) is never trailers.
    let title_end = lines
        .iter()
        .position(|l| is_blank(l))
        .unwrap_or(lines.len());
    let mut block_start = None;
    let (mut trailer_lines, mut non_trailer_lines, mut continuation) = (0, 0, 0);
    let mut recognised = false;
    let mut only_blank_so_far = true;
    for i in (title_end..lines.len()).rev() {
        let line = lines[i];
        if is_comment(line) {
            continue;
        }
        if is_blank(line) {
            if only_blank_so_far {
                continue;
            }
            let enough = (recognised && trailer_lines * 3 >= non_trailer_lines)
                || (trailer_lines > 0 && non_trailer_lines == 0);
            block_start = enough.then_some(i + 1);
            break;
        }
        only_blank_so_far = false;
        if line.starts_with([' ', '\t']) {
            continuation += 1;
            continue;
        }
        match key_value(line) {
            Some((key, _)) => {
                trailer_lines += 1;
                continuation = 0;
                if KNOWN_KEYS.iter().any(|k| k.eq_ignore_ascii_case(&key)) {
                    recognised = true;
                }
            }
            None => {
                non_trailer_lines += 1 + continuation;
                continuation = 0;
            }
        }
    }
    let Some(start) = block_start else {
        return Vec::new();
    };
    let mut out: Vec<(String, String)> = Vec::new();
    let mut last_was_trailer = false;
    for line in &lines[start..] {
        if is_comment(line) {
            continue;
        }
        if line.starts_with([' ', '\t']) && last_was_trailer {
            if let Some((_, value)) = out.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
            continue;
        }
        match key_value(line) {
            Some(kv) => {
                out.push(kv);
                last_was_trailer = true;
            }
            None => last_was_trailer = false,
        }
    }
    out
}

/// Every `Key: value` line of the body (below the subject), comment lines
/// left out: where reviewers also write AI marks.
fn body_marks(message: &str) -> impl Iterator<Item = (String, String)> + '_ {
    message
        .lines()
        .skip(1)
        .filter(|l| !is_comment(l))
        .filter_map(|l| key_value(l.trim()))
}

/// The AI tool a commit message declares, if any: `Some(tool name)` for an
/// AI-assisted commit (the name may be "AI" when no tool is named). The
/// trailer block is read first, then every line of the body.
pub fn ai_tool(message: &str, ai: &AiDetection) -> Option<String> {
    parse_trailers(message)
        .into_iter()
        .chain(body_marks(message))
        .find_map(|(key, value)| mark_tool(&key, &value, ai))
}

/// The tool one `key: value` mark names, when it is an AI mark.
fn mark_tool(key: &str, value: &str, ai: &AiDetection) -> Option<String> {
    if ai.trailers.iter().any(|t| t.eq_ignore_ascii_case(key)) {
        let lower = value.to_ascii_lowercase();
        if matches!(lower.as_str(), "false" | "no" | "0" | "none" | "") {
            return None;
        }
        if matches!(lower.as_str(), "true" | "yes" | "1") {
            return Some("AI".to_string());
        }
        return Some(known_tool(value, ai).unwrap_or_else(|| name_part(value)));
    }
    let is_coauthor = ai
        .coauthor_trailers
        .iter()
        .any(|t| t.eq_ignore_ascii_case(key));
    if is_coauthor {
        return coauthor_tool(value, ai);
    }
    None
}

/// The name before an `<email>`.
fn name_part(value: &str) -> String {
    value.split('<').next().unwrap_or(value).trim().to_string()
}

/// The known tool a name speaks of: of the tools whose names appear as words
/// in `value`, the longest, and of those the one named last, so a product wins
/// over its vendor ("OpenAI Codex" is Codex, "GitHub Copilot" stays whole).
fn known_tool(value: &str, ai: &AiDetection) -> Option<String> {
    let words = normalise(value);
    ai.tools
        .iter()
        .filter_map(|t| {
            let t_words = normalise(t);
            let at = word_position(&words, &t_words)?;
            Some((t_words.split(' ').count(), at, t))
        })
        .max_by_key(|(len, at, _)| (*len, *at))
        .map(|(_, _, t)| t.clone())
}

/// A co-author is an AI tool when its name is a known tool's name, or names
/// one and its address looks like a bot's or is a known AI address.
fn coauthor_tool(value: &str, ai: &AiDetection) -> Option<String> {
    let name = normalise(&name_part(value));
    let email = value
        .split_once('<')
        .map(|(_, e)| e.trim_end_matches('>').to_ascii_lowercase())
        .unwrap_or_default();
    let bot_address = email.contains("noreply") || email.contains("bot") || email.is_empty();
    let ai_address = ai
        .emails
        .iter()
        .any(|d| email.contains(&d.to_ascii_lowercase()));
    if let Some(tool) = ai.tools.iter().find(|t| {
        let t = normalise(t);
        name == t || name.trim_end_matches(" bot") == t
    }) {
        return Some(tool.clone());
    }
    let named = known_tool(&name_part(value), ai);
    if named.is_some() && (bot_address || ai_address) {
        return named;
    }
    if ai_address {
        return Some(known_tool(value, ai).unwrap_or_else(|| name_part(value)));
    }
    None
}

/// Lowercases and turns punctuation into single spaces.
fn normalise(s: &str) -> String {
    let mapped: String = s
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                ' '
            }
        })
        .collect();
    mapped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Where `needle`'s words start among `haystack`'s words (both normalised).
fn word_position(haystack: &str, needle: &str) -> Option<usize> {
    let padded = format!(" {haystack} ");
    let at = padded.find(&format!(" {needle} "))?;
    Some(padded[..at].matches(' ').count())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RepoConfig;

    fn tool(msg: &str) -> Option<String> {
        ai_tool(msg, &RepoConfig::defaults().ai)
    }

    #[test]
    fn recognises_each_trailer_kind() {
        assert_eq!(
            tool("fix\n\nAssisted-by: Claude Code <x@y>").as_deref(),
            Some("Claude Code")
        );
        assert_eq!(
            tool("fix\n\nGenerated-by: GitHub Copilot").as_deref(),
            Some("GitHub Copilot")
        );
        assert_eq!(tool("fix\n\nAI-Assisted: true").as_deref(), Some("AI"));
        assert_eq!(
            tool("fix\n\nCo-authored-by: Claude <noreply@anthropic.com>").as_deref(),
            Some("Claude")
        );
        assert_eq!(
            tool("fix\n\nCo-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>")
                .as_deref(),
            Some("Copilot")
        );
        assert_eq!(
            tool("fix\n\nAssisted-by: some-new-agent").as_deref(),
            Some("some-new-agent")
        );
    }

    #[test]
    fn humans_and_prose_are_not_ai() {
        assert_eq!(
            tool("fix\n\nCo-authored-by: Devin Smith <devin@example.com>"),
            None
        );
        assert_eq!(tool("fix\n\nAI-Assisted: false"), None);
        assert_eq!(
            tool("Assisted-by: Claude"),
            None,
            "a subject line is not a trailer"
        );
        assert_eq!(
            tool("fix the Claude integration\n\nSigned-off-by: A <a@b>"),
            None
        );
    }

    fn trailers(msg: &str) -> Vec<(String, String)> {
        parse_trailers(msg)
    }

    fn kv(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// Fixtures checked against `git interpret-trailers --parse` (git 2.47).
    #[test]
    fn trailer_block_as_git_reads_it() {
        // The last paragraph, comment lines and a conflicts block ignored.
        assert_eq!(
            trailers(
                "Merge branch 'x'\n\nAssisted-by: Claude Code\n\n# Conflicts:\n#\tsrc/a.rs\n#\tsrc/b.rs\n"
            ),
            kv(&[("Assisted-by", "Claude Code")])
        );
        assert_eq!(
            trailers("fix\n\nbody\n\nSigned-off-by: A <a@b>\nConflicts:\n\tsrc/a.rs\n"),
            kv(&[("Signed-off-by", "A <a@b>")])
        );
        // Continuation lines join the trailer above.
        assert_eq!(
            trailers("fix\n\nReviewed-by: A very\n  long name\nAcked-by: B"),
            kv(&[("Reviewed-by", "A very long name"), ("Acked-by", "B")])
        );
        // A quarter of trailers with a known key makes a block; without one it
        // does not.
        assert_eq!(
            trailers("fix\n\nsome prose line\nmore prose\nSigned-off-by: A <a@b>"),
            kv(&[("Signed-off-by", "A <a@b>")])
        );
        assert_eq!(
            trailers("fix\n\nsome prose line\nmore prose\nFoo: bar"),
            kv(&[])
        );
        // The title is never a trailer block; blanks before the colon are allowed.
        assert_eq!(trailers("Fixes: #12\n"), kv(&[]));
        assert_eq!(trailers("fix\n\nFixes : #12\n"), kv(&[("Fixes", "#12")]));
    }

    #[test]
    fn marks_in_any_paragraph_and_inside_details() {
        assert_eq!(
            tool("fix\n\nAssisted-by: Claude\n\nSigned-off-by: A <a@b>").as_deref(),
            Some("Claude")
        );
        assert_eq!(
            tool("Fix parsing\n\nAI-assisted: yes\n\nSigned-off-by: A <a@b>\n").as_deref(),
            Some("AI")
        );
        assert_eq!(
            tool(
                "Add plot (#123)\n\n* add plot\n\n<details>\n<summary>Agent notes</summary>\n\nCo-authored-by: Claude <noreply@anthropic.com>\n</details>\n\nCo-authored-by: Jane <jane@example.com>"
            )
            .as_deref(),
            Some("Claude")
        );
        assert_eq!(
            tool("Merge branch 'feat'\n\nGenerated-by: Cursor\n\n# Conflicts:\n#\tlib/a.py\n")
                .as_deref(),
            Some("Cursor")
        );
        // A commented-out mark is not a mark.
        assert_eq!(tool("fix\n\n# Assisted-by: Claude\n"), None);
    }

    #[test]
    fn products_win_over_vendors() {
        assert_eq!(
            tool("fix\n\nCo-authored-by: OpenAI Codex <codex@openai.com>").as_deref(),
            Some("Codex")
        );
        assert_eq!(
            tool("fix\n\nAssisted-by: OpenAI Codex").as_deref(),
            Some("Codex")
        );
        assert_eq!(
            tool("fix\n\nCo-authored-by: Claude Opus 4.1 <noreply@anthropic.com>").as_deref(),
            Some("Claude")
        );
        assert_eq!(
            tool("fix\n\nAssisted-by: GitHub Copilot (gpt-5)").as_deref(),
            Some("GitHub Copilot")
        );
        assert_eq!(
            tool("fix\n\nGenerated-by: Google Gemini").as_deref(),
            Some("Gemini")
        );
    }

    #[test]
    fn the_tool_list_is_configurable() {
        let mut ai = RepoConfig::defaults().ai;
        ai.tools.push("Acme Coder".into());
        assert_eq!(
            ai_tool("fix\n\nCo-authored-by: Acme Coder <bot@acme.dev>", &ai).as_deref(),
            Some("Acme Coder")
        );
        ai.trailers = vec!["Made-with".into()];
        assert_eq!(ai_tool("fix\n\nAssisted-by: Claude", &ai), None);
        assert_eq!(
            ai_tool("fix\n\nMade-with: Claude", &ai).as_deref(),
            Some("Claude")
        );
    }
}
