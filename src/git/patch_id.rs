//! The verbatim patch-id of a patch text: the value `git patch-id --verbatim`
//! prints for the same input. Unlike `--stable`, whitespace is kept, because in
//! Python, YAML or a Makefile whitespace is code. This follows git's
//! `builtin/patch-id.c` line for line (with `stable` and `verbatim` set), so an
//! approval can be carried across a rebase that leaves the patch byte for byte
//! the same, exactly when git would say the patch is the same.

use sha1::{Digest, Sha1};

/// Computes the verbatim patch-id of `patch` (the output of `git diff base head`).
/// Returns `None` for an empty patch, where git prints nothing.
pub fn verbatim_patch_id(patch: &[u8]) -> Option<String> {
    let mut result = [0u8; 20];
    let mut ctx = Sha1::new();
    let mut patchlen = 0usize;
    let mut before: i64 = -1;
    let mut after: i64 = -1;
    let mut diff_is_binary = false;
    let mut pre_oid: Vec<u8> = Vec::new();
    let mut post_oid: Vec<u8> = Vec::new();

    for line in split_lines_inclusive(patch) {
        // "\ No newline at end of file" lines are hashed as they are.
        if line.starts_with(b"\\ ") && line.len() > 12 {
            ctx.update(line);
            continue;
        }
        // Ignore anything before the first "diff " line (commit messages).
        if patchlen == 0 && !line.starts_with(b"diff ") {
            continue;
        }
        if before == -1 {
            if line.starts_with(b"GIT binary patch") || line.starts_with(b"Binary files") {
                diff_is_binary = true;
                before = 0;
                ctx.update(&pre_oid);
                ctx.update(&post_oid);
                flush_one_hunk(&mut result, &mut ctx);
                continue;
            } else if let Some(rest) = line.strip_prefix(b"index ") {
                if let Some(dots) = find(rest, b"..") {
                    let after_dots = &rest[dots + 2..];
                    let end = find(after_dots, b" ").unwrap_or_else(|| {
                        after_dots.len() - usize::from(after_dots.ends_with(b"\n"))
                    });
                    pre_oid = rest[..dots].to_vec();
                    post_oid = after_dots[..end].to_vec();
                }
                continue;
            } else if line.starts_with(b"--- ") {
                before = 1;
                after = 1;
            } else if !line.first().is_some_and(|c| c.is_ascii_alphabetic()) {
                break;
            }
        }
        if diff_is_binary {
            if line.starts_with(b"diff ") {
                diff_is_binary = false;
                before = -1;
            }
            continue;
        }
        if before == 0 && after == 0 {
            if line.starts_with(b"@@ -") {
                if let Some((b, a)) = scan_hunk_header(line) {
                    before = b;
                    after = a;
                }
                continue;
            }
            if !line.starts_with(b"diff ") {
                break;
            }
            flush_one_hunk(&mut result, &mut ctx);
            before = -1;
            after = -1;
        }
        match line.first() {
            Some(b'-') => before -= 1,
            Some(b'+') => after -= 1,
            Some(b' ') => {
                before -= 1;
                after -= 1;
            }
            _ => {}
        }
        patchlen += line.len();
        ctx.update(line);
    }
    flush_one_hunk(&mut result, &mut ctx);
    (patchlen > 0).then(|| result.iter().map(|b| format!("{b:02x}")).collect())
}

/// Adds the digest of the current context into `result` (a 20-byte sum with
/// carry), and restarts the context: the sum makes the id independent of the
/// order of files.
fn flush_one_hunk(result: &mut [u8; 20], ctx: &mut Sha1) {
    let hash = std::mem::take(ctx).finalize();
    let mut carry: u16 = 0;
    for (r, h) in result.iter_mut().zip(hash.iter()) {
        carry += u16::from(*r) + u16::from(*h);
        *r = carry as u8;
        carry >>= 8;
    }
}

/// Reads the old and new line counts of a `@@ -a,b +c,d @@` header.
fn scan_hunk_header(line: &[u8]) -> Option<(i64, i64)> {
    let rest = line.get(4..)?;
    let (before, rest) = read_range(rest)?;
    let rest = rest.strip_prefix(b" +")?;
    let (after, _) = read_range(rest)?;
    Some((before, after))
}

/// Reads `start[,count]` and returns the count (1 when absent) and the rest.
fn read_range(s: &[u8]) -> Option<(i64, &[u8])> {
    let digits = s.iter().take_while(|c| c.is_ascii_digit()).count();
    if s.get(digits) == Some(&b',') {
        let rest = &s[digits + 1..];
        let n = rest.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        let count = std::str::from_utf8(&rest[..n]).ok()?.parse().ok()?;
        Some((count, &rest[n..]))
    } else if digits == 0 {
        None
    } else {
        Some((1, &s[digits..]))
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn split_lines_inclusive(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    data.split_inclusive(|&b| b == b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_patch_has_no_id() {
        assert_eq!(verbatim_patch_id(b""), None);
    }

    #[test]
    fn whitespace_changes_the_id() {
        let a = b"diff --git a/x b/x\nindex 1..2 100644\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n";
        let b = b"diff --git a/x b/x\nindex 1..2 100644\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+ b\n";
        assert_ne!(verbatim_patch_id(a), verbatim_patch_id(b));
    }

    #[test]
    fn file_order_does_not_matter() {
        let f1 = "diff --git a/x b/x\nindex 1..2 100644\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n";
        let f2 = "diff --git a/y b/y\nindex 3..4 100644\n--- a/y\n+++ b/y\n@@ -1 +1 @@\n-c\n+d\n";
        let one = verbatim_patch_id(format!("{f1}{f2}").as_bytes());
        let two = verbatim_patch_id(format!("{f2}{f1}").as_bytes());
        assert_eq!(one, two);
        assert!(one.is_some());
    }
}
