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

/// Where an archive entry says its link points (`hdr.Linkname`,
/// `member.linkname`, `entry.link_name()`).
static LINK_TARGET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b\w+\s*\.\s*(Linkname|linkname|linkpath|link_name\s*\(|LinkName|getLinkName\s*\()",
    )
    .expect("a valid regex")
});

/// A link made on disk.
static MAKES_LINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(os\.Symlink|os\.Link|os\.symlink|os\.link|fs\.symlinkSync|fs\.symlink|fs\.promises\.symlink|fs::symlink|Files\.createSymbolicLink|Files\.createLink|File\.symlink|FileUtils\.ln_s|symlink)\s*\(")
        .expect("a valid regex")
});

/// A link's target tested before it is made: absolute, climbing out,
/// resolved against the destination.
static LINK_CHECKED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)link\w*.*(IsAbs|IsLocal|isAbsolute|is_absolute|\bisabs\b|HasPrefix|startsWith|starts_with|start_with|is_relative_to|commonpath|EvalSymlinks|realpath|"\.\."|'\.\.'|ParentDir)|(IsAbs|IsLocal|isAbsolute|is_absolute|\bisabs\b|EvalSymlinks|realpath)\s*\([^)]*link"#)
        .expect("a valid regex")
});

/// Extraction code that starts making the links an archive names, where
/// they point unchecked: an entry `lib -> /etc/cron.d` followed by a file
/// `lib/job` writes through the link, outside the destination, however well
/// the entries' own names are checked.
fn links_unchecked(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let new = f.new_text_or_hunks();
    if !ARCHIVE.is_match(&new) || !f.added_code().any(|l| MAKES_LINK.is_match(l.text)) {
        return;
    }
    let Some(named) = f.added_code().find(|l| LINK_TARGET.is_match(l.text)) else {
        return;
    };
    if f.removed_code().any(|l| MAKES_LINK.is_match(l.text))
        || new
            .lines()
            .any(|x| LINK_CHECKED.is_match(x) && !f.class.is_comment(x))
    {
        return;
    }
    out.push(Finding::added(
        "archive-link-escapes",
        Severity::High,
        f.path,
        Some(named.no),
        format!(
            "Makes the links the archive names (`{}`) without checking where they point: an entry `lib -> /etc/cron.d` followed by a file `lib/job` writes through the link, outside the destination.",
            quote(named.text.trim())
        ),
    ));
}

/// Extraction code whose guard is gone while entries are still written,
/// or that starts making the links entries name.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs || f.file.binary {
        return;
    }
    links_unchecked(f, out);
    if !ARCHIVE.is_match(&f.removed_text) {
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
    fn links_made_where_the_archive_says_are_found_unless_their_target_is_checked() {
        let old = "func ExtractTarGz(r io.Reader, dest string) error {\n\ttr := tar.NewReader(r)\n\tfor {\n\t\thdr, err := tr.Next()\n\t\tif err != nil {\n\t\t\treturn err\n\t\t}\n\t\ttarget, err := safeJoin(dest, hdr.Name)\n\t\tif err != nil {\n\t\t\treturn err\n\t\t}\n\t\tswitch hdr.Typeflag {\n\t\tcase tar.TypeReg:\n\t\t\tif err := writeFile(target, tr); err != nil {\n\t\t\t\treturn err\n\t\t\t}\n\t\tdefault:\n\t\t\tcontinue\n\t\t}\n\t}\n}\n";
        let new = old.replace(
            "\t\tdefault:",
            "\t\tcase tar.TypeSymlink:\n\t\t\tif err := os.Symlink(hdr.Linkname, target); err != nil {\n\t\t\t\treturn err\n\t\t\t}\n\t\tdefault:",
        );
        let rule = "archive-link-escapes".to_string();
        assert!(rules_hit_with_contents("internal/util/archive.go", old, &new).contains(&rule));
        let checked = new.replace(
            "\t\t\tif err := os.Symlink",
            "\t\t\tif filepath.IsAbs(hdr.Linkname) || !filepath.IsLocal(hdr.Linkname) {\n\t\t\t\treturn errUnsafeLink\n\t\t\t}\n\t\t\tif err := os.Symlink",
        );
        assert!(
            !rules_hit_with_contents("internal/util/archive.go", old, &checked).contains(&rule)
        );
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
