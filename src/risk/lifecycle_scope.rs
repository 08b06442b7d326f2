//! An object-expiration rule of a bucket whose scope widens to the whole
//! bucket. S3 lifecycle rules (`aws_s3_bucket_lifecycle_configuration`'s
//! `rule`, the older `lifecycle_rule`) expire only the objects their filter
//! selects (`filter { prefix = "scratch/" }`); a rule with an empty
//! `filter {}` or none selects every object. A tidy-up that folds a
//! short expiration meant for scratch files into the bucket-wide rule
//! (the one that aborts multipart uploads) expires the backups beside them:
//! S3 applies the shortest expiration that matches.

use std::sync::LazyLock;

use regex::Regex;

use super::lang::Lang;
use super::{FileView, Finding, Severity};

static RULE_OPEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(rule|lifecycle_rule)\s*\{").expect("a valid regex"));
static EXPIRATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*expiration\s*\{").expect("a valid regex"));
/// What narrows a rule: a non-empty prefix, tags, a size bound.
static SCOPED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*(prefix\s*=\s*("[^"]+"|[a-z_]\w*\.)|tags?\s*[{=]|and\s*\{|object_size_(greater|less)_than\s*=)"#)
        .expect("a valid regex")
});

/// One lifecycle rule: where its expiration is, and whether a filter
/// narrows it.
struct Rule {
    expiration: Option<usize>,
    scoped: bool,
    id: String,
}

fn rules(text: &str) -> Vec<Rule> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if !RULE_OPEN.is_match(lines[i]) {
            i += 1;
            continue;
        }
        let mut depth = 0i32;
        let mut rule = Rule {
            expiration: None,
            scoped: false,
            id: String::new(),
        };
        let mut j = i;
        while j < lines.len() {
            let l = lines[j];
            depth += l.matches('{').count() as i32 - l.matches('}').count() as i32;
            if EXPIRATION.is_match(l) && rule.expiration.is_none() {
                rule.expiration = Some(j + 1);
            }
            if SCOPED.is_match(l) {
                rule.scoped = true;
            }
            if let Some(v) = l.trim().strip_prefix("id")
                && let Some(v) = v.trim_start().strip_prefix('=')
            {
                rule.id = v.trim().trim_matches('"').to_string();
            }
            if depth <= 0 && j > i {
                break;
            }
            j += 1;
        }
        out.push(rule);
        i = j + 1;
    }
    out
}

/// Reports an expiration the change puts in a rule that selects every
/// object, where before only rules narrowed by a filter expired anything.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.lang != Lang::Hcl || f.class.test_like() {
        return;
    }
    let (Some(old), Some(new)) = (f.old_text(), f.new_text()) else {
        return;
    };
    if !new.contains("expiration") {
        return;
    }
    let before = rules(old);
    let scoped_before = before.iter().any(|r| r.expiration.is_some() && r.scoped);
    let whole_before = before.iter().any(|r| r.expiration.is_some() && !r.scoped);
    if !scoped_before || whole_before {
        return;
    }
    let Some((rule, line)) = rules(new).into_iter().find_map(|r| {
        let line = r.expiration?;
        (!r.scoped).then_some((r, line))
    }) else {
        return;
    };
    out.push(Finding::added(
        "lifecycle-expiration-whole-bucket",
        Severity::High,
        f.path,
        Some(line as u32),
        format!(
            "An object expiration now sits in a lifecycle rule{} with no filter, so it applies to every object in the bucket; before, only rules narrowed by a prefix or tags expired anything. S3 applies the shortest expiration that matches: whatever else the bucket keeps expires with it.",
            if rule.id.is_empty() {
                String::new()
            } else {
                format!(" (`{}`)", super::quote(&rule.id))
            }
        ),
    ));
}
