//! A recursive delete whose path a stray space split in two:
//! `rm -rf $(DESTDIR)$(SHAREDIR) /doc/$(NAME)` deletes the whole share
//! directory, then `/doc/…` from the root. The pieces are ordinary words, so
//! a rule that knows system paths misses it; what gives it away is a word
//! that starts at the root with a directory no system has (`/doc`), right
//! after a path that does not end in a slash. Commands continued over several
//! lines (`\` at the end) are read whole, so a system path on a continuation
//! line (`rm -rf \` … `/usr \`) is found as if written on one.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// Directories at the root of a Unix or macOS system.
const ROOT_DIRS: &[&str] = &[
    "bin",
    "boot",
    "dev",
    "etc",
    "home",
    "lib",
    "lib32",
    "lib64",
    "libx32",
    "media",
    "mnt",
    "opt",
    "proc",
    "root",
    "run",
    "sbin",
    "srv",
    "sys",
    "tmp",
    "usr",
    "var",
    "nix",
    "snap",
    "Applications",
    "Library",
    "System",
    "Users",
    "Volumes",
    "private",
    "cores",
    "workspace",
    "app",
    "data",
    "build",
    "src",
    "code",
    "github",
    "config",
    "out",
];

/// System directories whose deletion wipes the machine.
const SYSTEM_DIRS: &[&str] = &[
    "usr",
    "lib",
    "lib32",
    "lib64",
    "bin",
    "sbin",
    "etc",
    "var",
    "opt",
    "boot",
    "home",
    "root",
    "srv",
    "System",
    "Library",
    "Applications",
];

/// `rm` with a recursive flag, and the words after it.
static RM_RECURSIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[\s;&|(`])(?:sudo\s+)?rm\s+((?:-[a-zA-Z-]+\s+)*-(?:[a-zA-Z]*[rR][a-zA-Z]*|-recursive)\s+(?:-[a-zA-Z-]+\s+)*)(.*)").unwrap()
});

/// A logical line: its first physical line number, the numbers it spans and
/// its text with the continuations joined.
struct Logical {
    lines: Vec<u32>,
    text: String,
}

/// Joins lines that end in a backslash with the next one.
fn logical_lines<'a>(lines: impl Iterator<Item = (u32, &'a str)>) -> Vec<Logical> {
    let mut out: Vec<Logical> = Vec::new();
    let mut open = false;
    for (no, text) in lines {
        let trimmed = text.trim_end();
        let (body, continues) = match trimmed.strip_suffix('\\') {
            Some(b) => (b, true),
            None => (trimmed, false),
        };
        match out.last_mut() {
            Some(last) if open && last.lines.last().is_some_and(|l| l + 1 == no) => {
                last.lines.push(no);
                last.text.push(' ');
                last.text.push_str(body.trim());
            }
            _ => out.push(Logical {
                lines: vec![no],
                text: body.trim().to_string(),
            }),
        }
        open = continues;
    }
    out
}

/// The words a recursive `rm` deletes, quotes stripped, up to the end of
/// the command.
fn rm_targets(text: &str) -> Option<Vec<String>> {
    let c = RM_RECURSIVE.captures(text)?;
    let rest = c.get(2)?.as_str();
    let end = command_end(rest);
    Some(
        rest[..end]
            .split_whitespace()
            .map(|w| w.trim_matches(['"', '\'']).to_string())
            .filter(|w| !w.is_empty() && !w.starts_with('-'))
            .collect(),
    )
}

/// Where a command ends: a separator, a redirection or a comment outside
/// any `$(…)`/`${…}` (a Make variable holds parentheses of its own).
fn command_end(rest: &str) -> usize {
    let mut depth = 0usize;
    let bytes = rest.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'(' | b'{' if i > 0 && bytes[i - 1] == b'$' => depth += 1,
            b')' | b'}' if depth > 0 => depth -= 1,
            b';' | b'|' | b'&' | b')' | b'#' | b'>' | b'`' if depth == 0 => return i,
            _ => {}
        }
    }
    rest.len()
}

/// The first directory of an absolute word (`/doc/$(NAME)` → `doc`).
fn first_dir(word: &str) -> Option<&str> {
    let rest = word.strip_prefix('/')?;
    Some(rest.split('/').next().unwrap_or(""))
}

/// A pair of words that reads as one path split by a space: a path
/// expression not ending in a slash, then a word at the root whose first
/// directory no system has.
fn split_pair(targets: &[String]) -> Option<(&str, &str)> {
    targets.windows(2).find_map(|p| {
        let (head, tail) = (p[0].as_str(), p[1].as_str());
        let dir = first_dir(tail)?;
        let path_like = head.contains(['$', '/']) && !head.ends_with('/') && !head.ends_with('*');
        let unknown_root = !dir.is_empty() && !ROOT_DIRS.contains(&dir) && !dir.starts_with('*');
        (path_like && unknown_root).then_some((head, tail))
    })
}

/// A whole system directory among the words (`/usr`, `/lib/`).
fn system_dir(targets: &[String]) -> Option<&str> {
    targets.iter().map(String::as_str).find(|w| {
        first_dir(w).is_some_and(|d| {
            SYSTEM_DIRS.contains(&d) && w.trim_end_matches('/').matches('/').count() == 1
        })
    })
}

/// Reports recursive deletes the change writes with a path split in two,
/// and system directories on a continuation line of a recursive delete.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs || f.class.vendored {
        return;
    }
    let new_text = f.new_text_or_hunks();
    // `rm -rf`, `rm -r`, `rm --recursive`: nothing to read without one.
    if !new_text.contains("rm -") {
        return;
    }
    let added: Vec<u32> = f.added_code().map(|l| l.no).collect();
    let new_lines = logical_lines(new_text.lines().enumerate().map(|(i, l)| (i as u32 + 1, l)));
    let old_pairs: Vec<(String, String)> = f
        .old_text()
        .filter(|t| t.contains("rm -"))
        .map(|t| logical_lines(t.lines().enumerate().map(|(i, l)| (i as u32 + 1, l))))
        .unwrap_or_default()
        .iter()
        .filter_map(|l| rm_targets(&l.text))
        .filter_map(|t| split_pair(&t).map(|(a, b)| (a.to_string(), b.to_string())))
        .collect();
    for l in &new_lines {
        if !l.text.contains("rm -")
            || l.text.trim_start().starts_with('#')
            || !l.lines.iter().any(|n| added.contains(n))
        {
            continue;
        }
        let Some(targets) = rm_targets(&l.text) else {
            continue;
        };
        if let Some((head, tail)) = split_pair(&targets) {
            if old_pairs.iter().any(|(a, b)| a == head && b == tail) {
                continue;
            }
            let at = line_of(f, l, tail);
            out.push(Finding::added(
                "shell-rm-path-split",
                Severity::Critical,
                f.path,
                Some(at),
                format!(
                    "A space splits this path in two: `rm` deletes `{}` whole, then `{}` from the root; `{}{}` was surely meant.",
                    quote(head),
                    quote(tail),
                    quote(head),
                    quote(tail)
                ),
            ));
        }
        // The one-line pattern rule reads a physical line; a system path on
        // a continuation line of the command is the same disaster.
        if l.lines.len() > 1
            && let Some(dir) = system_dir(&targets)
        {
            let at = line_of(f, l, dir);
            let rm_line = l.lines[0];
            if at != rm_line
                && !out
                    .iter()
                    .any(|x| x.rule == "shell-rm-system-path" && x.line == Some(at))
            {
                out.push(Finding::added(
                    "shell-rm-system-path",
                    Severity::Critical,
                    f.path,
                    Some(at),
                    format!(
                        "Deletes a whole system directory (`{}`, continuing the `rm` of line {rm_line}): a stray space or an empty variable here wipes the machine it runs on.",
                        quote(dir)
                    ),
                ));
            }
        }
    }
}

/// The physical line of a logical one that holds `word`, added ones first.
fn line_of(f: &FileView<'_>, l: &Logical, word: &str) -> u32 {
    f.added_code()
        .find(|a| l.lines.contains(&a.no) && a.text.contains(word))
        .map(|a| a.no)
        .unwrap_or(l.lines[0])
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::findings_of_change;

    fn hit(path: &str, old: &str, new: &str) -> Vec<String> {
        findings_of_change(&[(path, Some(old), Some(new))], None)
            .into_iter()
            .map(|x| x.rule)
            .collect()
    }

    const OLD: &str =
        "uninstall:\n\trm -f $(DESTDIR)$(BINDIR)/$(NAME)\n\trm -rf $(DESTDIR)$(SHAREDIR)/$(NAME)\n";

    #[test]
    fn a_path_split_by_a_space_on_a_continuation_line_is_found() {
        let new = "uninstall:\n\trm -f $(DESTDIR)$(BINDIR)/$(NAME)\n\trm -rf $(DESTDIR)$(SHAREDIR)/$(NAME) \\\n\t       $(DESTDIR)$(SHAREDIR) /doc/$(NAME)\n";
        assert!(hit("Makefile", OLD, new).contains(&"shell-rm-path-split".to_string()));
        // The same in a shell script, on one line.
        let sh_old = "#!/bin/sh\nrm -rf \"$PREFIX/share/acme\"\n";
        let sh_new = "#!/bin/sh\nrm -rf \"$PREFIX/share\" /acme\n";
        assert!(
            hit("scripts/uninstall.sh", sh_old, sh_new)
                .contains(&"shell-rm-path-split".to_string())
        );
        // Written right: nothing.
        let right = new.replace("$(SHAREDIR) /doc", "$(SHAREDIR)/doc");
        assert!(!hit("Makefile", OLD, &right).contains(&"shell-rm-path-split".to_string()));
        // Two paths, the second a real place at the root: nothing.
        let two = "#!/bin/sh\nrm -rf \"$STATE_DIR\" /var/lib/acme /tmp/acme\n";
        assert!(
            !hit("scripts/uninstall.sh", sh_old, two).contains(&"shell-rm-path-split".to_string())
        );
        // Not recursive: a file at most.
        let plain = "#!/bin/sh\nrm -f \"$PREFIX/share\" /acme\n";
        assert!(
            !hit("scripts/uninstall.sh", sh_old, plain)
                .contains(&"shell-rm-path-split".to_string())
        );
    }

    #[test]
    fn a_system_directory_on_a_continuation_line_is_found() {
        let old = "#!/bin/sh\nrm -rf \\\n  \"$PREFIX/lib/acme\" \\\n  \"$PREFIX/share/acme\"\n";
        let new = "#!/bin/sh\nrm -rf \\\n  \"$PREFIX/lib/acme\" \\\n  /usr /lib/acme-helper\n";
        let h = hit("install.sh", old, new);
        assert!(h.contains(&"shell-rm-system-path".to_string()), "{h:?}");
        // A deeper path there: nothing.
        let deep = new.replace("/usr /lib/acme-helper", "/usr/lib/acme-helper");
        assert!(!hit("install.sh", old, &deep).contains(&"shell-rm-system-path".to_string()));
    }
}
