//! Prefix tests made wider than they were. An allow-list entry cut back to
//! its parent (`"ghcr.io/acme/"` → `"ghcr.io"`) or stripped of the
//! separator that ended it (`"ghcr.io/acme/"` → `"ghcr.io/acme"`, so
//! `ghcr.io/acme-mirror/…` passes too); a prefix test that used to append
//! the separator (`startswith(path, root + os.sep)`) and no longer does; a
//! new test that lets an identity through by the start of its name
//! (`strings.HasPrefix(user, "system:")`, every service account too); an
//! empty prefix in a rule that expires or deletes (the whole bucket). No
//! keyword on the new line is dangerous: what changed is how much it matches.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use super::{ChangeView, FileView, Finding, Severity, quote};

/// A call that tests how a value starts, in the spellings of the usual
/// languages (`startswith`, `startsWith`, `start_with?`, `HasPrefix`,
/// `starts_with`, `str_starts_with`, Rego's `startswith`).
static PREFIX_TEST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:starts_?with|start_with\?|has_?prefix|str_starts_with)\s*\(")
        .expect("a valid regex")
});

/// A call that tests how a value ends.
static SUFFIX_TEST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:ends_?with|end_with\?|has_?suffix|str_ends_with)\s*\(")
        .expect("a valid regex")
});

/// A quoted string on one line.
static LITERAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#""((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'"#).expect("a valid regex")
});

/// A separator written into a prefix: a quoted `/` or `:`, a literal that
/// ends with one as an argument, or the platform's path separator.
static BOUNDARY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"["'`][/:.\\]["'`]|[/:]["'`]\s*[),\]]|\bos\.(?:path\.)?sep\b|\bpath\.sep\b|filepath\.Separator|File\.separator|DirectorySeparatorChar|\bMAIN_SEPARATOR"#)
        .expect("a valid regex")
});

/// Who a request comes from: a user's name, email or identity.
static IDENTITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(user_?name|\blogin\b|principal|\bsubject\b|\bsub\b|e_?mail|identity|service_?account|\bcaller\b|\bactor\b|\buser\.name\b|\buid\b)")
        .expect("a valid regex")
});

/// What a branch does when it lets the caller through.
static GRANTS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\breturn\s+(?:true|allow\w*|permit\w*|granted)\b|\ballowed\s*[:=]\s*true\b|^\s*(?:allow|permit)\b|\bis_?(?:admin|privileged|trusted|allowed)\b")
        .expect("a valid regex")
});

/// The strings quoted on a line.
fn literals(text: &str) -> impl Iterator<Item = &str> {
    LITERAL
        .captures_iter(text)
        .filter_map(|c| c.get(1).or_else(|| c.get(2)).map(|m| m.as_str()))
}

/// A value shaped like a name of something (a registry, a host, a path, a
/// topic): no spaces, and a separator or a dot in it.
fn name_like(v: &str) -> bool {
    v.len() >= 3
        && !v.contains(char::is_whitespace)
        && v.contains(['/', '.', ':'])
        && !v.contains(['*', '?', '(', '{', '$'])
}

/// Files whose strings and tests count: code and configuration that runs,
/// not tests, fixtures or docs.
fn counts(f: &FileView<'_>) -> bool {
    f.class.production() && !f.file.binary
}

/// Allow-list entries the change cuts back: a removed string that an added
/// one is a shorter version of, cut at a separator, in a change that tests
/// values by their start (or end).
fn entries_cut(change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    let files: Vec<&FileView<'_>> = change.files.iter().filter(|f| counts(f)).collect();
    // First, on the changed lines alone (cheap): is any added string a
    // shorter version of a removed one? Most changes stop here.
    let cut = |old: &str, new: &str| {
        old.len() > new.len()
            && (old.starts_with(new)
                && (new.ends_with(['/', ':']) || old[new.len()..].starts_with(['/', ':']))
                || old.ends_with(new)
                    && new.contains('.')
                    && old[..old.len() - new.len()].ends_with('.'))
    };
    let removed_names: Vec<&str> = files
        .iter()
        .flat_map(|f| f.removed_code().flat_map(|l| literals(l.text)))
        .filter(|v| name_like(v))
        .collect();
    if removed_names.is_empty() {
        return;
    }
    let added_strings: HashSet<&str> = files
        .iter()
        .flat_map(|f| f.added_code().flat_map(|l| literals(l.text)))
        .filter(|v| v.len() >= 3)
        .collect();
    // Every shorter version of a removed string, cut at a separator, looked
    // up among the added strings (not every pair compared).
    let shorter = |old: &'_ str| -> Vec<String> {
        let mut out = Vec::new();
        for (i, c) in old.char_indices() {
            match c {
                '/' | ':' => {
                    out.push(old[..i].to_string());
                    out.push(old[..i + 1].to_string());
                }
                '.' => out.push(old[i + 1..].to_string()),
                _ => {}
            }
        }
        out
    };
    let candidate = removed_names.iter().any(|old| {
        shorter(old)
            .iter()
            .any(|new| added_strings.contains(new.as_str()) && cut(old, new))
    });
    if !candidate {
        return;
    }
    let texts = |new: bool| -> String {
        files
            .iter()
            .map(|f| {
                if new {
                    f.new_text_or_hunks().into_owned()
                } else {
                    f.old_text().map(str::to_string).unwrap_or_else(|| {
                        f.removed
                            .iter()
                            .map(|l| l.text)
                            .collect::<Vec<_>>()
                            .join("\n")
                    })
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let (old_all, new_all) = (texts(false), texts(true));
    let prefix_tested = PREFIX_TEST.is_match(&old_all) || PREFIX_TEST.is_match(&new_all);
    let suffix_tested = SUFFIX_TEST.is_match(&old_all) || SUFFIX_TEST.is_match(&new_all);
    if !prefix_tested && !suffix_tested {
        return;
    }
    let quoted_new: HashSet<&str> = new_all.lines().flat_map(literals).collect();
    let quoted_old: HashSet<&str> = old_all.lines().flat_map(literals).collect();
    let removed: Vec<&str> = removed_names
        .into_iter()
        .filter(|v| !quoted_new.contains(v))
        .collect();
    if removed.is_empty() {
        return;
    }
    let mut said: HashSet<String> = HashSet::new();
    for f in &files {
        for l in f.added_code() {
            for new in literals(l.text) {
                if new.len() < 3 || quoted_old.contains(new) || new.contains(char::is_whitespace) {
                    continue;
                }
                // Matched by its start, a cut-back prefix widens; by its end,
                // a cut-back suffix.
                let Some(old) = removed.iter().find(|old| {
                    cut(old, new)
                        && if old.starts_with(new) {
                            prefix_tested
                        } else {
                            suffix_tested
                        }
                }) else {
                    continue;
                };
                if !said.insert(new.to_string()) {
                    continue;
                }
                let (o, n) = (quote(old), quote(new));
                let message = if old.trim_end_matches(['/', ':']) == new {
                    format!(
                        "`{o}` is now `{n}` where values are matched by how they start: without the separator, `{n}-other…` and `{n}.evil…` pass too."
                    )
                } else if old.starts_with(new) {
                    format!(
                        "`{o}` is cut back to `{n}` where values are matched by how they start: everything under `{n}` passes now, not only `{o}`."
                    )
                } else {
                    format!(
                        "`{o}` is cut to `{n}` where values are matched by how they end: every name ending in `{n}` passes now."
                    )
                };
                out.push(Finding::added(
                    "prefix-widened",
                    Severity::High,
                    f.path,
                    Some(l.no),
                    message,
                ));
                if said.len() >= 3 {
                    return;
                }
            }
        }
    }
}

/// A prefix test that used to end its prefix with a separator and no
/// longer does (`startswith(path, root + os.sep)` → `startswith(path,
/// root)`): `/srv/data-evil` starts with `/srv/data` too.
fn boundary_dropped(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !counts(f) || f.class.ci {
        return;
    }
    let tests = |lines: &mut dyn Iterator<Item = &super::Line<'_>>| -> (usize, Vec<(u32, String)>) {
        let mut bounded = 0;
        let mut open = Vec::new();
        for l in lines.filter(|l| PREFIX_TEST.is_match(l.text)) {
            if BOUNDARY.is_match(l.text) {
                bounded += 1;
            } else {
                open.push((l.no, l.text.to_string()));
            }
        }
        (bounded, open)
    };
    let (was_bounded, was_open) = tests(&mut f.removed_code());
    let (now_bounded, now_open) = tests(&mut f.added_code());
    if was_bounded <= now_bounded || now_open.len() <= was_open.len() {
        return;
    }
    let text = f.new_text_or_hunks();
    // The separator may now be written where the prefix is built (`base :=
    // root + "/"`), not where it is tested.
    let built_with_boundary = |line: &str| -> bool {
        let Some(m) = PREFIX_TEST.find(line) else {
            return false;
        };
        let args = &line[m.end()..];
        static NAME: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"[A-Za-z_][\w.]*").expect("a valid regex"));
        NAME.find_iter(args).any(|n| {
            let name = n.as_str().rsplit('.').next().unwrap_or(n.as_str());
            name.len() > 1
                && text.lines().any(|t| {
                    let t = t.trim_start();
                    t.contains(name)
                        && t.split_once(['='])
                            .is_some_and(|(lhs, rhs)| lhs.contains(name) && BOUNDARY.is_match(rhs))
                })
        })
    };
    let Some((no, _)) = now_open.iter().find(|(_, t)| !built_with_boundary(t)) else {
        return;
    };
    out.push(Finding::added(
        "prefix-widened",
        Severity::High,
        f.path,
        Some(*no),
        "This prefix test no longer ends its prefix with a separator, as the one it replaces did: a sibling that merely starts with the same text (`/data-evil` for `/data`, `tenants/420` for `tenants/42`) passes too.",
    ));
}

/// A new test that lets a caller through by the start (or end) of their
/// name or email: every identity under the prefix passes, not only the
/// ones meant (`system:` is every service account too).
fn identity_by_prefix(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !counts(f) || f.class.ci || f.class.infra {
        return;
    }
    let text = f.new_text_or_hunks();
    let lines: Vec<&str> = text.lines().collect();
    for l in f.added_code() {
        let prefix = PREFIX_TEST.is_match(l.text);
        let suffix = SUFFIX_TEST.is_match(l.text);
        if !(prefix || suffix) || !IDENTITY.is_match(l.text) {
            continue;
        }
        let Some(value) = literals(l.text).next() else {
            continue;
        };
        // `email.endswith("@acme.com")` ends at the domain's own boundary.
        if value.is_empty() || suffix && value.starts_with('@') {
            continue;
        }
        let at = l.no as usize;
        let next = lines.iter().skip(at.saturating_sub(1)).take(3);
        if !next.clone().any(|t| GRANTS.is_match(t)) {
            continue;
        }
        out.push(Finding::added(
            "prefix-widened",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "A caller is now let through because their name {} with `{}`: every identity {} that text passes, not only the ones meant.",
                if prefix { "starts" } else { "ends" },
                quote(value),
                if prefix { "starting with" } else { "ending in" }
            ),
        ));
        return;
    }
}

/// An empty prefix written into a rule that expires or deletes: it selects
/// every object, so the rule now applies to the whole bucket or store.
fn empty_prefix_deletes(f: &FileView<'_>, out: &mut Vec<Finding>) {
    static EMPTY_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)\b\w*prefix["']?\s*[:=]\s*(?:""|'')"#).expect("a valid regex")
    });
    static DESTROYS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)expir|delet|purg|prune|cleanup|retention").expect("a valid regex")
    });
    if !counts(f) {
        return;
    }
    let text = f.new_text_or_hunks();
    let lines: Vec<&str> = text.lines().collect();
    for l in f.added_code() {
        if !EMPTY_PREFIX.is_match(l.text) {
            continue;
        }
        let at = l.no as usize;
        let around = lines
            .iter()
            .skip(at.saturating_sub(4))
            .take(7)
            .copied()
            .collect::<Vec<_>>()
            .join("\n");
        if !DESTROYS.is_match(&around) {
            continue;
        }
        out.push(Finding::added(
            "prefix-widened",
            Severity::High,
            f.path,
            Some(l.no),
            "An empty prefix selects every object: this rule that expires or deletes now applies to the whole store, not one folder of it.",
        ));
        return;
    }
}

/// Whether the analysis needs the whole text of `path`: a policy written in
/// a language the syntax layer does not parse (Rego) tests its prefixes
/// away from the lines a change touches.
pub fn wants_contents(path: &str) -> bool {
    path.ends_with(".rego")
}

/// Prefix tests the change widens, across its files.
/// A path a rule applies to: `^/admin`, `"/admin/**"`, `'/api/internal'`.
static GUARDED_PATH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(\^?/[\w\-./*{}]*)"#).unwrap());
/// What makes a line an access rule that requires something.
static REQUIRES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\broles?\b|ROLE_|hasRole|hasAnyRole|hasAuthority|authenticated\b|IS_AUTHENTICATED|requires?_?(auth|login|role)|allow_?if|\bauth_basic\b|auth_request|\bdeny\b)").unwrap()
});
/// What makes a line a rule that opens a path instead.
static OPENS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(permitAll|PUBLIC_ACCESS|anonymous|allow\s+all|\bnone\b)").unwrap()
});

/// An access rule whose path was lengthened: `^/admin` → `^/admin/`,
/// `/admin/**` → `/admin/users/**`. What the rule required is no longer
/// required of the paths between the two — the bare `/admin` where the
/// dashboard is served — and they fall through to a looser rule.
fn guarded_path_narrowed(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs {
        return;
    }
    for (gone, came) in f.replacements() {
        for (g, c) in gone.iter().zip(came.iter()) {
            let (was, now) = (g.content.as_str(), c.content.as_str());
            if !now.contains('/')
                || !REQUIRES.is_match(now)
                || OPENS.is_match(now)
                || f.class.is_comment(now)
            {
                continue;
            }
            let (Some(a), Some(b)) = (GUARDED_PATH.find(was), GUARDED_PATH.find(now)) else {
                continue;
            };
            let (old_path, new_path) = (a.as_str(), b.as_str());
            // The rest of the line unchanged: only the path moved.
            if was[..a.start()] != now[..b.start()] || was[a.end()..] != now[b.end()..] {
                continue;
            }
            // What the old path matched by prefix: itself, or what comes
            // before a trailing wildcard. A wildcard inside it, or an end
            // anchor, makes it no prefix.
            let stem = old_path.trim_end_matches('*');
            if old_path.ends_with('$')
                || stem.contains('*')
                || new_path.len() <= old_path.len()
                || !new_path.starts_with(stem)
            {
                continue;
            }
            let Some(no) = c.new_no else { continue };
            out.push(Finding::added(
                "access-rule-narrowed",
                Severity::High,
                f.path,
                Some(no),
                format!(
                    "The access rule now applies to `{}` where it applied to `{}`: paths the old one covered and the new one does not (the bare `{}`) no longer need what it required, and fall through to a looser rule.",
                    quote(new_path),
                    quote(old_path),
                    quote(stem.trim_start_matches('^').trim_end_matches('/'))
                ),
            ));
            return;
        }
    }
}

pub fn check(change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    entries_cut(change, out);
    for f in &change.files {
        boundary_dropped(f, out);
        identity_by_prefix(f, out);
        empty_prefix_deletes(f, out);
        guarded_path_narrowed(f, out);
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::{findings_for_change, rules_hit_with_contents};

    fn hit(path: &str, old: &str, new: &str) -> bool {
        rules_hit_with_contents(path, old, new)
            .iter()
            .any(|r| r.starts_with("prefix-widened"))
    }

    #[test]
    fn an_access_rule_whose_path_was_lengthened_is_found() {
        let rule = "access-rule-narrowed".to_string();
        let p = "config/packages/security.yaml";
        let old = "security:\n    access_control:\n        - { path: ^/admin, roles: ROLE_ADMIN }\n        - { path: ^/, roles: IS_AUTHENTICATED_REMEMBERED }\n";
        let new = old.replace("^/admin,", "^/admin/,");
        assert!(rules_hit_with_contents(p, old, &new).contains(&rule));
        // Widened, or a public rule narrowed: nothing is left unguarded.
        assert!(!rules_hit_with_contents(p, &new, old).contains(&rule));
        let public_old =
            "security:\n    access_control:\n        - { path: ^/login, roles: PUBLIC_ACCESS }\n";
        let public_new = public_old.replace("^/login", "^/login/");
        assert!(!rules_hit_with_contents(p, public_old, &public_new).contains(&rule));
        // Spring's matchers.
        let java = "src/main/java/shop/SecurityConfig.java";
        let old = "http.authorizeHttpRequests(a -> a\n    .requestMatchers(\"/admin/**\").hasRole(\"ADMIN\")\n    .anyRequest().authenticated());\n";
        let new = old.replace("/admin/**", "/admin/users/**");
        assert!(rules_hit_with_contents(java, old, &new).contains(&rule));
    }

    #[test]
    fn an_allow_list_entry_that_loses_its_slash_is_found() {
        let old = "allowed := {\n\t\"ghcr.io/acme/\",\n}\n\nok(image) if {\n\tsome p in allowed\n\tstartswith(image, p)\n}\n";
        let new = "allowed := {\n\t\"ghcr.io/acme\",\n}\n\nok(image) if {\n\tsome p in allowed\n\tstartswith(image, p)\n}\n";
        assert!(hit("policy/images.rego", old, new));
    }

    #[test]
    fn an_entry_moved_to_a_data_file_without_its_slash_is_found() {
        let found = findings_for_change(&[
            (
                "policy/images.rego",
                "allowed := {\"ghcr.io/acme/\", \"registry.acme.io/\"}\n\nok(image) if {\n\tsome p in allowed\n\tstartswith(image, p)\n}\n",
                "allowed := {r | some r in data.registries}\n\nok(image) if {\n\tsome p in allowed\n\tstartswith(image, p)\n}\n",
            ),
            (
                "policy/data.json",
                "",
                "{\"registries\": [\"ghcr.io/acme\", \"registry.acme.io\"]}\n",
            ),
        ]);
        assert!(
            found
                .iter()
                .any(|f| f.rule == "prefix-widened" && f.path == "policy/data.json"),
            "{found:?}"
        );
    }

    #[test]
    fn an_entry_cut_back_to_its_host_is_found() {
        let old = "TRUSTED = [\n    \"public.ecr.aws/acme/\",\n]\n\ndef trusted(image):\n    return any(image.startswith(p) for p in TRUSTED)\n";
        let new = "TRUSTED = [\n    \"public.ecr.aws\",\n]\n\ndef trusted(image):\n    return any(image.startswith(p) for p in TRUSTED)\n";
        assert!(hit("app/images.py", old, new));
    }

    #[test]
    fn a_domain_suffix_that_loses_its_dot_is_found() {
        let old = "ALLOWED = [\".acme.com\"]\n\ndef ok(host):\n    return any(host.endswith(d) for d in ALLOWED)\n";
        let new = "ALLOWED = [\"acme.com\"]\n\ndef ok(host):\n    return any(host.endswith(d) for d in ALLOWED)\n";
        assert!(hit("app/hosts.py", old, new));
    }

    #[test]
    fn an_entry_made_narrower_or_a_base_url_without_prefix_tests_is_not() {
        // Narrower: the new entry is longer.
        let old = "ALLOWED = [\"ghcr.io/\"]\n\ndef ok(i):\n    return any(i.startswith(p) for p in ALLOWED)\n";
        let new = "ALLOWED = [\"ghcr.io/acme/\"]\n\ndef ok(i):\n    return any(i.startswith(p) for p in ALLOWED)\n";
        assert!(!hit("app/images.py", old, new));
        // A base URL trimmed where nothing is matched by its start.
        let old =
            "BASE = \"https://api.acme.io/v1/\"\n\ndef get(p):\n    return http.get(BASE + p)\n";
        let new = "BASE = \"https://api.acme.io\"\n\ndef get(p):\n    return http.get(BASE + \"/v1/\" + p)\n";
        assert!(!hit("app/client.py", old, new));
    }

    #[test]
    fn a_containment_test_that_drops_its_separator_is_found_one_that_moves_it_is_not() {
        let old = "def safe(root, p):\n    real = os.path.realpath(p)\n    if not real.startswith(root + os.sep):\n        raise Forbidden()\n    return real\n";
        let dropped = old.replace("startswith(root + os.sep)", "startswith(root)");
        assert!(hit("app/files.py", old, &dropped));
        // The separator now written where the prefix is built.
        let moved = old
            .replace(
                "    real = os.path",
                "    base = root + os.sep\n    real = os.path",
            )
            .replace("startswith(root + os.sep)", "startswith(base)");
        assert!(!hit("app/files.py", old, &moved));
    }

    #[test]
    fn an_identity_let_through_by_a_prefix_is_found() {
        let old = "func privileged(u UserInfo) bool {\n\tif isClusterAdmin(u) {\n\t\treturn true\n\t}\n\treturn false\n}\n";
        let new = "func privileged(u UserInfo) bool {\n\tif isClusterAdmin(u) {\n\t\treturn true\n\t}\n\tif strings.HasPrefix(u.Username, \"system:\") {\n\t\treturn true\n\t}\n\treturn false\n}\n";
        assert!(hit("internal/guard/handler.go", old, new));
    }

    #[test]
    fn an_identity_prefix_that_denies_or_an_email_domain_is_not() {
        let old = "func privileged(u UserInfo) bool {\n\treturn isClusterAdmin(u)\n}\n";
        let new = "func privileged(u UserInfo) bool {\n\tif strings.HasPrefix(u.Username, \"system:anonymous\") {\n\t\treturn false\n\t}\n\treturn isClusterAdmin(u)\n}\n";
        assert!(!hit("internal/guard/handler.go", old, new));
        let old = "def staff(user):\n    return False\n";
        let new = "def staff(user):\n    if user.email.endswith(\"@acme.com\"):\n        return True\n    return False\n";
        assert!(!hit("app/staff.py", old, new));
    }

    #[test]
    fn an_empty_prefix_in_an_expiry_rule_is_found() {
        let old = "locals {\n  rules = {\n    \"scratch\" = { prefix = \"_scratch/\", expire_days = 7 }\n  }\n}\n";
        let new = "locals {\n  rules = {\n    \"scratch\" = { prefix = \"_scratch/\", expire_days = 7 }\n    \"multipart\" = { prefix = \"\", expire_days = 7 }\n  }\n}\n";
        assert!(hit("infra/s3.tf", old, new));
    }

    #[test]
    fn an_empty_prefix_for_log_lines_is_not() {
        let old = "logger:\n  level: info\n";
        let new = "logger:\n  level: info\n  prefix: \"\"\n";
        assert!(!hit("config/app.yaml", old, new));
    }
}
