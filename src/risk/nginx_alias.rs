//! nginx's off-by-slash: a `location /static {` (no trailing slash) served
//! with `alias /srv/app/static/;` (with one). nginx replaces the location's
//! prefix with the alias, so `/static../.env` becomes
//! `/srv/app/static/../.env`: every file one directory up is served.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

static LOCATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*location\s+(?:\^~\s+)?(/[^\s{]*[^/\s{])\s*\{").unwrap());
static ALIAS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*alias\s+(\S*/)\s*;").unwrap());

/// An nginx configuration file, by its name or directory.
pub(crate) fn nginx(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.ends_with(".conf")
        || name == "nginx.conf"
        || path.contains("nginx/")
        || name.ends_with(".nginx")
}

/// nginx alias rules for one file.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !nginx(f.path) || f.class.docs || f.class.test_like() {
        return;
    }
    let text = f.new_text_or_hunks();
    let lines: Vec<&str> = text.lines().collect();
    for (i, l) in lines.iter().enumerate() {
        let Some(loc) = LOCATION.captures(l) else {
            continue;
        };
        // The alias in the block's first lines.
        let Some((j, alias)) = lines[i + 1..(i + 8).min(lines.len())]
            .iter()
            .enumerate()
            .take_while(|(_, b)| !b.trim_start().starts_with('}'))
            .find_map(|(k, b)| ALIAS.captures(b).map(|c| (i + 1 + k, c[1].to_string())))
        else {
            continue;
        };
        let no = [i as u32 + 1, j as u32 + 1];
        if !f.added.iter().any(|a| no.contains(&a.no)) {
            continue;
        }
        out.push(Finding::added(
            "nginx-alias-traversal",
            Severity::High,
            f.path,
            Some(no[0]),
            format!(
                "`location {}` has no trailing slash but its alias `{}` does: a request for `{}../` reads the directory above the alias, with whatever secrets sit there.",
                quote(&loc[1]),
                quote(&alias),
                quote(&loc[1])
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents;

    #[test]
    fn a_location_without_slash_aliased_to_a_directory_is_found() {
        let rule = "nginx-alias-traversal".to_string();
        let old = "server {\n    location /static/ {\n        alias /srv/app/static/;\n    }\n}\n";
        let new =
            "server {\n    location /static {\n        alias /srv/app/current/static/;\n    }\n}\n";
        assert!(rules_hit_with_contents("deploy/nginx/site.conf", old, new).contains(&rule));
        // Both with the slash, or both without: nothing escapes.
        let both = new.replace("location /static {", "location /static/ {");
        assert!(!rules_hit_with_contents("deploy/nginx/site.conf", old, &both).contains(&rule));
        let neither = new.replace("static/;", "static;");
        assert!(!rules_hit_with_contents("deploy/nginx/site.conf", old, &neither).contains(&rule));
    }
}
