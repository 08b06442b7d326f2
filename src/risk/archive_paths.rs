//! Archive extraction that stops keeping entries inside the destination
//! ("zip slip"). An entry's name comes from whoever built the archive; a
//! name like `pkg/../../../.bashrc` joined to the destination writes outside
//! it. Libraries guard against it (`tar`'s `unpack_in`, Python's
//! `filter="data"`), and hand-written extractors check the joined path
//! against the destination. A change that swaps the guarded call for a plain
//! one, to strip a leading directory or flatten the layout, drops the guard
//! without a word.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// What keeps an entry inside the destination.
static CONTAINED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(\bunpack_in\s*\(|\bfilter\s*=\s*["'](data|tar)["']|filepath\.IsLocal|\bis_relative_to\s*\(|\bcommonpath\s*\(|\bsafe_join\s*\(|Component::ParentDir|\benclosed_name\s*\(|\bsanitized_name\s*\(|\.startsWith\(\s*\w*(dest|target|root|base|out)\w*|\bHasPrefix\([^)]*\b\w*(dest|target|root|base)\w*|\bstarts_with\(\s*&?\w*(dest|target|root|base)\w*|\bstart_with\?\s*\(?\s*\w*(dest|target|root|base)\w*)"#)
        .expect("a valid regex")
});

/// An entry written to a path built from its own name.
static ENTRY_WRITE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(\.unpack\s*\(|\.extractall\s*\(|\.extract\s*\(|\b(join|Join|resolve|File|Combine)\s*\([^)]*\b(entry|member|hdr|header|ze|zip_?entry|zipEntry|info|relative|stripped)\w*(\.(name|Name|getName\(\)|path\(\)|filename|FullName))?\b)"#)
        .expect("a valid regex")
});

/// Words of archive code.
static ARCHIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(tar|zip|archive|tarfile|zipfile|unpack\w*|extract\w*)\b")
        .expect("a valid regex")
});

/// Extraction code whose guard is gone while entries are still written.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs || f.file.binary || !ARCHIVE.is_match(&f.removed_text) {
        return;
    }
    let Some(guard) = f.removed_code().find(|l| CONTAINED.is_match(l.text)) else {
        return;
    };
    let new = f.new_text_or_hunks();
    if new
        .lines()
        .any(|x| CONTAINED.is_match(x) && !f.class.is_comment(x))
    {
        return;
    }
    let Some(write) = f.added_code().find(|l| ENTRY_WRITE.is_match(l.text)) else {
        return;
    };
    out.push(Finding::added(
        "archive-entry-escapes",
        Severity::High,
        f.path,
        Some(write.no),
        format!(
            "Archive entries are no longer kept inside the destination: `{}` is gone and `{}` writes where the entry's own name points, so an entry named `../../.ssh/authorized_keys` lands outside it.",
            quote(guard.text.trim()),
            quote(write.text.trim())
        ),
    ));
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents;

    fn hit(path: &str, old: &str, new: &str) -> bool {
        rules_hit_with_contents(path, old, new).contains(&"archive-entry-escapes".to_string())
    }

    #[test]
    fn an_unpack_in_replaced_by_unpack_at_a_joined_path_is_found() {
        let old = "for entry in archive.entries()? {\n    let mut entry = entry?;\n    let path = entry.path()?.into_owned();\n    let unpacked = entry.unpack_in(dest)?;\n    if !unpacked {\n        continue;\n    }\n}\n";
        let new = "for entry in archive.entries()? {\n    let mut entry = entry?;\n    let path = entry.path()?.into_owned();\n    let relative: PathBuf = path.components().skip(strip).collect();\n    let target = dest.join(&relative);\n    entry.unpack(&target)?;\n}\n";
        assert!(hit("src/archive.rs", old, new));
        // The stripped path checked for `..` before the write: still guarded.
        let checked = new.replace(
            "    let target",
            "    if relative.components().any(|c| c == Component::ParentDir) {\n        continue;\n    }\n    let target",
        );
        assert!(!hit("src/archive.rs", old, &checked));
    }

    #[test]
    fn pythons_data_filter_dropped_is_found_and_a_renamed_argument_is_not() {
        let old = "import tarfile\n\ndef install(bundle, dest):\n    with tarfile.open(bundle) as tar:\n        tar.extractall(dest, filter=\"data\")\n";
        assert!(hit(
            "tools/install.py",
            old,
            &old.replace(", filter=\"data\"", "")
        ));
        assert!(!hit(
            "tools/install.py",
            old,
            &old.replace("extractall(dest,", "extractall(path=dest,")
        ));
    }
}
