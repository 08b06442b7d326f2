//! Recognising AI-assisted commits from the trailers of their messages
//! (`Assisted-by:`, `Generated-by:`, `AI-Assisted: true`, or a `Co-authored-by:`
//! naming a known AI tool), and naming the tool.

use crate::config::AiDetection;

/// Parses the trailers of a commit message: `Key: value` lines of its last
/// paragraph (as `git interpret-trailers` does, without continuation lines).
pub fn parse_trailers(message: &str) -> Vec<(String, String)> {
    let paragraphs: Vec<&str> = message
        .trim_end()
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .collect();
    if paragraphs.len() < 2 {
        return Vec::new();
    }
    let last = paragraphs[paragraphs.len() - 1];
    let mut out = Vec::new();
    for line in last.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let key = key.trim();
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            continue;
        }
        out.push((key.to_string(), value.trim().to_string()));
    }
    out
}

/// The AI tool a commit message declares, if any: `Some(tool name)` for an
/// AI-assisted commit (the name may be "AI" when no tool is named).
pub fn ai_tool(message: &str, ai: &AiDetection) -> Option<String> {
    for (key, value) in parse_trailers(message) {
        if ai.trailers.iter().any(|t| t.eq_ignore_ascii_case(&key)) {
            let lower = value.to_ascii_lowercase();
            if matches!(lower.as_str(), "false" | "no" | "0" | "none" | "") {
                continue;
            }
            if matches!(lower.as_str(), "true" | "yes" | "1") {
                return Some("AI".to_string());
            }
            return Some(known_tool(&value, ai).unwrap_or_else(|| name_part(&value)));
        }
        let is_coauthor = ai
            .coauthor_trailers
            .iter()
            .any(|t| t.eq_ignore_ascii_case(&key));
        if is_coauthor && let Some(tool) = coauthor_tool(&value, ai) {
            return Some(tool);
        }
    }
    None
}

/// The name before an `<email>`.
fn name_part(value: &str) -> String {
    value.split('<').next().unwrap_or(value).trim().to_string()
}

/// The first known tool whose name appears as words in `value`.
fn known_tool(value: &str, ai: &AiDetection) -> Option<String> {
    let words = normalise(value);
    ai.tools
        .iter()
        .find(|t| contains_words(&words, &normalise(t)))
        .cloned()
}

/// A co-author is an AI tool when its name is (or starts with) a known tool's
/// name and its address looks like a bot's, or its address is a known AI one.
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
    for tool in &ai.tools {
        let t = normalise(tool);
        let exact = name == t || name.trim_end_matches(" bot") == t;
        let prefix = name.starts_with(&format!("{t} "));
        if exact || (prefix && (bot_address || ai_address)) {
            return Some(tool.clone());
        }
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

fn contains_words(haystack: &str, needle: &str) -> bool {
    let padded = format!(" {haystack} ");
    padded.contains(&format!(" {needle} "))
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
            tool("fix\n\nAssisted-by: Claude\n\nSigned-off-by: A <a@b>"),
            None
        );
        assert_eq!(
            tool("fix the Claude integration\n\nSigned-off-by: A <a@b>"),
            None
        );
    }
}
