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
