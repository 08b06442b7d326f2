//! A safe default dropped from an option read. `options.fetch(:rollout,
//! "0.05")` becomes `options[:rollout]`, `kwargs.get("dry_run", True)`
//! becomes `kwargs.get("dry_run")`, `opts.rollout ?? 0.05` becomes
//! `opts.rollout`: every caller that does not pass the option now gets
//! nothing, which the tool it goes to reads as "all of it" (a store rollout
//! to 100 %, a real run instead of a dry one). Such lines ride along with a
//! refactor that moves the call into a shared helper.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// Options whose missing value means the unsafe side.
static SAFETY_OPTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(rollout\w*|\w*percent\w*|canary\w*|\w*fraction|dry_?run|confirm\w*|max_?\w+|\w*limit|batch_?size|timeout\w*|staged\w*)$").unwrap()
});
/// The options whose default is the one that keeps a release or a run small.
static STAGING_OPTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(rollout\w*|\w*percent\w*|canary\w*|\w*fraction|dry_?run|confirm\w*|staged\w*)$",
    )
    .unwrap()
});
/// A read with a default: `fetch(:k, d)`, `get("k", d)`, `getOrDefault("k", d)`.
static WITH_DEFAULT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\b(?:fetch|get|getOrDefault|get_or|GetValueOrDefault|getenv)\s*\(\s*[:"']?(\w+)["']?\s*,\s*([^),]+)\)|\.(\w+)\s*(?:\?\?|\|\|)\s*([\w."']+)"#).unwrap()
});

/// A reader of the option `key` in a form that yields nothing when it is
/// missing: `[:k]`, `["k"]`, `.get("k")`, `.k` (not followed by `??`, `||`,
/// `(`); built once per option.
fn read_without_default(key: &str) -> Option<impl Fn(&str) -> bool> {
    let k = regex::escape(key);
    let re = Regex::new(&format!(
        r#"\[\s*[:"']?{k}["']?\s*\]|\bget\s*\(\s*["']{k}["']\s*\)|\.{k}\b\s*(?:$|[,)\]}};])"#
    ))
    .ok()?;
    Some(move |line: &str| {
        re.is_match(line) && !line.contains("??") && !line.contains("||") && !line.contains(" or ")
    })
}

/// Defaults of safety options the change's removed lines had and its added
/// lines read without.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs || f.class.vendored {
        return;
    }
    let mut seen: Vec<String> = Vec::new();
    for r in &f.removed {
        for c in WITH_DEFAULT.captures_iter(r.text) {
            let (Some(key), Some(default)) = (c.get(1).or(c.get(3)), c.get(2).or(c.get(4))) else {
                continue;
            };
            let (key, default) = (key.as_str(), default.as_str().trim());
            if !SAFETY_OPTION.is_match(key) || seen.iter().any(|s| s == key) {
                continue;
            }
            // The default written again somewhere the change adds.
            let restated = f
                .added
                .iter()
                .any(|a| a.text.contains(key) && a.text.contains(default));
            if restated {
                continue;
            }
            let Some(reads) = read_without_default(key) else {
                continue;
            };
            let Some(a) = f.added_code().find(|a| reads(a.text)) else {
                continue;
            };
            seen.push(key.to_string());
            out.push(Finding::added(
                "option-default-dropped",
                if STAGING_OPTION.is_match(key) {
                    Severity::High
                } else {
                    Severity::Medium
                },
                f.path,
                Some(a.no),
                format!(
                    "Reads `{}` without its default (`{}` before): a caller that does not pass it now sends nothing, which means all of it (a full rollout, a real run, no limit) where it meant {}.",
                    quote(key),
                    quote(default),
                    quote(default)
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::Severity;
    use crate::risk::testkit::findings_of_change;

    fn level(path: &str, old: &str, new: &str) -> Option<Severity> {
        findings_of_change(&[(path, Some(old), Some(new))], None)
            .into_iter()
            .find(|f| f.rule == "option-default-dropped")
            .map(|f| f.severity)
    }

    #[test]
    fn a_rollout_read_without_its_default_is_found() {
        let old = "lane :production do |options|\n  upload_to_play_store(\n    track: \"production\",\n    rollout: options.fetch(:rollout, \"0.05\")\n  )\nend\n";
        let new = "lane :production do |options|\n  ship(track: \"production\", rollout: options[:rollout])\nend\n";
        assert_eq!(level("fastlane/Fastfile", old, new), Some(Severity::High));
        let py_old = "def run(**kwargs):\n    dry_run = kwargs.get(\"dry_run\", True)\n    purge(dry_run=dry_run)\n";
        let py_new = "def run(**kwargs):\n    purge(dry_run=kwargs.get(\"dry_run\"))\n";
        assert_eq!(
            level("tools/purge.py", py_old, py_new),
            Some(Severity::High)
        );
    }

    #[test]
    fn a_default_kept_or_moved_or_a_harmless_option_is_not() {
        let old = "lane :production do |options|\n  upload_to_play_store(rollout: options.fetch(:rollout, \"0.05\"))\nend\n";
        // The default moved into the helper's signature line.
        let moved =
            "lane :production do |options|\n  ship(rollout: options[:rollout] || \"0.05\")\nend\n";
        assert_eq!(level("fastlane/Fastfile", old, moved), None);
        // A required option now (fetch without a default raises when missing).
        let required =
            "lane :production do |options|\n  ship(rollout: options.fetch(:rollout))\nend\n";
        assert_eq!(level("fastlane/Fastfile", old, required), None);
        // A display option.
        let theme_old =
            "def render(opts):\n    return page(theme=opts.get(\"theme\", \"light\"))\n";
        let theme_new = "def render(opts):\n    return page(theme=opts.get(\"theme\"))\n";
        assert_eq!(level("app/render.py", theme_old, theme_new), None);
    }
}
