//! CODEOWNERS read as ordered rules (the last matching rule decides a path's
//! owners), to tell a change that only gives a new directory its owners from
//! one that moves, removes, reorders or overrides a rule.

use std::collections::BTreeSet;

/// One rule: its pattern and owners, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    pattern: String,
    owners: BTreeSet<String>,
}

/// The rules of a CODEOWNERS text, in order (`None` when it has GitLab
/// sections, whose rules are read per section).
fn rules(text: &str) -> Option<Vec<Rule>> {
    let mut out = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if t.starts_with('[') || t.starts_with("^[") {
            return None;
        }
        let mut words = t.split_whitespace();
        let pattern = words.next()?.to_string();
        let owners = words
            .take_while(|w| !w.starts_with('#'))
            .map(str::to_ascii_lowercase)
            .collect();
        out.push(Rule { pattern, owners });
    }
    Some(out)
}

/// A pattern that names one path from the root, without wildcards.
fn anchored_literal(p: &str) -> Option<String> {
    let anchored = p.starts_with('/') || p.trim_end_matches('/').contains('/');
    let literal = !p.contains(['*', '?', '[', ']', '!', '\\']);
    (anchored && literal).then(|| p.trim_matches('/').to_string())
}

/// A pattern every path matches: the default owners.
fn catch_all(p: &str) -> bool {
    matches!(p, "*" | "**" | "/*" | "/**" | "**/*")
}

/// True when `inner` is `outer` or a path below it.
fn within(inner: &str, outer: &str) -> bool {
    inner == outer || inner.starts_with(&format!("{outer}/"))
}

/// Paths whose owners decide the gate itself; a rule over them is never a
/// mere addition.
fn covers_gate(p: &str) -> bool {
    let p = p.to_ascii_lowercase();
    [
        ".github",
        ".gitlab",
        ".gitlab-ci.yml",
        ".countersign",
        ".circleci",
        "codeowners",
        "docs/codeowners",
    ]
    .iter()
    .any(|g| within(g, &p) || p.ends_with("codeowners"))
}

/// When `new` only adds rules to `old` (every old rule kept, in order) and
/// each added rule names a literal path from the root, has owners, covers no
/// gate file, and gives no path of an old rule it now overrides (other than
/// the catch-all default) to someone that rule did not list — any one owner
/// may approve, so more owners is less protection: the added patterns. Otherwise `None`: the change needs the gate's full attention.
pub fn only_new_owners(old: &str, new: &str) -> Option<Vec<String>> {
    let (old, new) = (rules(old)?, rules(new)?);
    // Old rules, in order, as a subsequence of the new ones.
    let mut old_at = Vec::with_capacity(old.len());
    let mut i = 0;
    for (j, r) in new.iter().enumerate() {
        if i < old.len() && old[i] == *r {
            old_at.push(j);
            i += 1;
        }
    }
    if i < old.len() || new.len() == old.len() {
        return None;
    }
    let mut added = Vec::new();
    for (j, r) in new.iter().enumerate() {
        if old_at.contains(&j) {
            continue;
        }
        let p = anchored_literal(&r.pattern)?;
        if p.is_empty() || r.owners.is_empty() || covers_gate(&p) {
            return None;
        }
        // Old rules above the new one are the ones it overrides where both
        // match.
        for (k, o) in old.iter().enumerate() {
            if old_at[k] > j || catch_all(&o.pattern) || r.owners.is_subset(&o.owners) {
                continue;
            }
            let shares_paths = match anchored_literal(&o.pattern) {
                Some(q) => within(&p, &q) || within(&q, &p),
                None => true,
            };
            if shares_paths {
                return None;
            }
        }
        added.push(r.pattern.clone());
    }
    Some(added)
}

/// Globs matching what a CODEOWNERS pattern matches (gitignore rules: a
/// leading or inner `/` anchors it at the root, a trailing `/` names a
/// directory, `*` stays within one path segment).
fn matcher(pattern: &str) -> Option<globset::GlobSet> {
    let p = pattern.trim();
    let anchored = p.starts_with('/') || p.trim_end_matches('/').contains('/');
    let dir = p.ends_with('/');
    let p = p.trim_matches('/');
    if p.is_empty() {
        return None;
    }
    let base = if anchored {
        p.to_string()
    } else {
        format!("**/{p}")
    };
    let mut b = globset::GlobSetBuilder::new();
    let glob = |g: &str| {
        globset::GlobBuilder::new(g)
            .literal_separator(true)
            .build()
            .ok()
    };
    if !dir {
        b.add(glob(&base)?);
    }
    b.add(glob(&format!("{base}/**"))?);
    b.build().ok()
}

/// The owners the last matching rule gives `path` (none: nobody's review
/// is required).
fn owners_of<'r>(
    rules: &'r [(Rule, globset::GlobSet)],
    path: &str,
) -> Option<&'r BTreeSet<String>> {
    rules
        .iter()
        .rev()
        .find(|(_, m)| m.is_match(path))
        .map(|(r, _)| &r.owners)
}

/// When `new` gives every path the same owners as `old` (rules reordered
/// where no two of them share a path, respelled, commented, or merged into
/// one with the same owners): the rules' patterns, and paths inside and
/// next to them, are the probes. `false` when a path changes hands or a
/// text cannot be read as rules.
pub fn same_owners(old: &str, new: &str) -> bool {
    let read = |t: &str| -> Option<Vec<(Rule, globset::GlobSet)>> {
        rules(t)?
            .into_iter()
            .map(|r| {
                let m = matcher(&r.pattern)?;
                Some((r, m))
            })
            .collect()
    };
    let (Some(a), Some(b)) = (read(old), read(new)) else {
        return false;
    };
    if a.iter().map(|x| &x.0).eq(b.iter().map(|x| &x.0)) {
        return false; // nothing but comments or blank lines changed: no finding needed either way
    }
    let mut probes: Vec<String> = vec!["zz/file.txt".into(), "file.txt".into()];
    for (r, _) in a.iter().chain(&b) {
        let s = r
            .pattern
            .trim_matches('/')
            .replace("**", "a/b")
            .replace(['*', '?'], "x");
        if s.is_empty() {
            continue;
        }
        probes.push(s.clone());
        probes.push(format!("{s}/f.txt"));
        probes.push(format!("d/{s}"));
        probes.push(format!("{s}/x.sql"));
    }
    probes.iter().all(|p| owners_of(&a, p) == owners_of(&b, p))
}

#[cfg(test)]
mod same_owner_tests {
    use super::same_owners;

    const OLD: &str = "*            @acme/platform\n/api/        @acme/backend\n/web/        @acme/frontend\n/api/auth/   @acme/security\n";

    #[test]
    fn rules_reordered_without_a_path_changing_hands_keep_the_owners() {
        // Two rules over disjoint paths swapped; comments added.
        let swapped = "# owners\n*            @acme/platform\n/web/        @acme/frontend\n/api/        @acme/backend\n/api/auth/   @acme/security\n";
        assert!(same_owners(OLD, swapped));
    }

    #[test]
    fn a_reorder_that_lets_a_wider_rule_win_changes_hands() {
        // /api/ after /api/auth/: auth files go to backend.
        let wider_last = "*            @acme/platform\n/api/auth/   @acme/security\n/web/        @acme/frontend\n/api/        @acme/backend\n";
        assert!(!same_owners(OLD, wider_last));
        // An owner added to a rule: more people may approve.
        assert!(!same_owners(
            OLD,
            &OLD.replace("@acme/security", "@acme/security @me")
        ));
        // A rule dropped.
        assert!(!same_owners(
            OLD,
            &OLD.replace("/web/        @acme/frontend\n", "")
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::only_new_owners;

    const OLD: &str = "# last match wins\n*            @acme/platform\n/api/        @acme/backend\n*.sql        @acme/dba\n/api/auth/   @acme/security\n";

    fn with(line: &str, after: &str) -> String {
        OLD.replace(after, &format!("{after}{line}\n"))
    }

    #[test]
    fn a_new_directory_given_owners_is_an_addition() {
        let new = with(
            "/billing/     @acme/payments",
            "/api/        @acme/backend\n",
        );
        assert_eq!(
            only_new_owners(OLD, &new),
            Some(vec!["/billing/".to_string()])
        );
        // Right below the default owners, above every other rule.
        let new = with(
            "/mobile/      @acme/mobile",
            "*            @acme/platform\n",
        );
        assert!(only_new_owners(OLD, &new).is_some());
        // At the end, after `*.sql`, it would take mobile's .sql files from the DBAs.
        let new = format!("{OLD}/mobile/      @acme/mobile\n");
        assert_eq!(only_new_owners(OLD, &new), None);
    }

    #[test]
    fn anything_that_moves_a_path_from_its_owners_is_not() {
        // Takes a file below /api/auth/ from security (a more specific rule after it).
        let steal = format!("{OLD}/api/auth/login.py  @acme/backend\n");
        assert_eq!(only_new_owners(OLD, &steal), None);
        // A wider rule placed after the specific ones overrides them.
        assert_eq!(
            only_new_owners(OLD, &format!("{OLD}/api/  @someone\n")),
            None
        );
        // A directory under /api/ after `*.sql` takes its .sql files from the DBAs …
        assert_eq!(
            only_new_owners(OLD, &format!("{OLD}/api/reports/  @acme/backend\n")),
            None
        );
        // … and adding an approver to the DBAs' files is no safer.
        assert_eq!(
            only_new_owners(
                OLD,
                &format!("{OLD}/api/reports/  @acme/backend @acme/dba\n")
            ),
            None
        );
        // Between /api/ and *.sql, owned by a subset of /api/'s owners, it takes nothing.
        let narrowed = with(
            "/api/reports/  @acme/backend",
            "/api/        @acme/backend\n",
        );
        assert!(only_new_owners(OLD, &narrowed).is_some());
        // Wildcards, rules without owners, gate files, removals and reorders.
        assert_eq!(only_new_owners(OLD, &format!("{OLD}*.rs @me\n")), None);
        assert_eq!(only_new_owners(OLD, &format!("{OLD}/vendor/\n")), None);
        assert_eq!(only_new_owners(OLD, &format!("{OLD}/.github/ @me\n")), None);
        assert_eq!(
            only_new_owners(
                OLD,
                &OLD.replace("/api/auth/   @acme/security\n", "/x/ @a\n")
            ),
            None
        );
        let reordered = OLD.replace(
            "*.sql        @acme/dba\n/api/auth/   @acme/security\n",
            "/api/auth/   @acme/security\n*.sql        @acme/dba\n/x/ @a\n",
        );
        assert_eq!(only_new_owners(OLD, &reordered), None);
        // Owners widened on an existing rule is a changed rule.
        assert_eq!(
            only_new_owners(OLD, &OLD.replace("@acme/security", "@acme/security @me")),
            None
        );
        // Comments alone are no addition to vouch for.
        assert_eq!(only_new_owners(OLD, &format!("{OLD}# note\n")), None);
    }
}
