//! The verbatim patch-id of every kind of change equals git's.

use crate::support::TestRepo;

/// Submits `branch` and returns (id, base, head, patch_id) from `queue --json`.
fn queued(r: &TestRepo, branch: &str) -> (String, String, String, Option<String>) {
    let id = r.cs(&["submit", branch]).ok().trim().to_string();
    let q = r.cs(&["queue", "--json"]).json();
    let row = q
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id.as_str())
        .unwrap_or_else(|| panic!("{id} not in queue: {q}"))
        .clone();
    (
        id,
        row["base"].as_str().unwrap().to_string(),
        row["head"].as_str().unwrap().to_string(),
        row["patch_id"].as_str().map(str::to_string),
    )
}

fn assert_same_as_git(r: &TestRepo, branch: &str) {
    let (_, base, head, ours) = queued(r, branch);
    let theirs = r.git_patch_id(&base, &head);
    assert!(theirs.is_some(), "git computed a patch-id for {branch}");
    assert_eq!(ours, theirs, "patch-id of {branch}");
}

#[test]
fn modifications_additions_deletions_and_no_newline() {
    let r = TestRepo::new();
    r.write("src/lib.rs", "fn a() {}\nfn b() {}\nfn c() {}\n");
    r.write("old.txt", "going away\n");
    r.commit_all("base files");
    r.git(&["checkout", "-q", "-b", "feat"]);
    r.write("src/lib.rs", "fn a() {}\nfn b() { todo!() }\nfn c() {}");
    r.git(&["rm", "-q", "old.txt"]);
    r.write("new.txt", "hello\n");
    r.commit_all("edit");
    assert_same_as_git(&r, "feat");
}

#[test]
fn whitespace_only_change_has_its_own_id() {
    let r = TestRepo::new();
    r.write("app.py", "def f():\n    return 1\n");
    r.commit_all("base");
    r.git(&["checkout", "-q", "-b", "indent"]);
    r.write("app.py", "def f():\n\treturn 1\n");
    r.commit_all("tabs");
    r.git(&["checkout", "-q", "main"]);
    r.git(&["checkout", "-q", "-b", "value"]);
    r.write("app.py", "def f():\n    return 2\n");
    r.commit_all("value");
    let (_, _, _, a) = queued(&r, "indent");
    let (_, _, _, b) = queued(&r, "value");
    assert_ne!(a, b);
    assert_same_as_git(&r, "indent");
}

#[test]
fn renames_exact_and_similar() {
    let r = TestRepo::new();
    let body: String = (0..40).map(|i| format!("line {i}\n")).collect();
    r.write("a/one.txt", &body);
    r.write("a/two.txt", &body.replace("line", "row"));
    r.commit_all("base");
    r.git(&["checkout", "-q", "-b", "mv"]);
    std::fs::create_dir(r.path().join("b")).unwrap();
    r.git(&["mv", "a/one.txt", "b/one.txt"]);
    r.git(&["mv", "a/two.txt", "b/two.txt"]);
    r.write(
        "b/two.txt",
        &body
            .replace("line", "row")
            .replace("row 7\n", "row seven\n"),
    );
    r.commit_all("move");
    assert_same_as_git(&r, "mv");
    let q = r
        .cs(&["show", "--color=never", &queued(&r, "mv").0])
        .ok()
        .to_string();
    assert!(
        q.contains("a/one.txt → b/one.txt (renamed, 100% similar)"),
        "{q}"
    );
    assert!(q.contains("a/two.txt → b/two.txt (renamed, 9"), "{q}");
}

#[test]
fn binary_files_and_mode_changes() {
    let r = TestRepo::new();
    r.write_bytes("logo.png", &[0x89, b'P', b'N', b'G', 0, 1, 2, 3]);
    r.write("run.sh", "#!/bin/sh\necho hi\n");
    r.commit_all("base");
    r.git(&["checkout", "-q", "-b", "bin"]);
    r.write_bytes("logo.png", &[0x89, b'P', b'N', b'G', 0, 9, 9, 9, 9]);
    r.write_bytes("data.bin", &[0, 0, 0, 1]);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        r.path().join("run.sh"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    r.commit_all("binary and mode");
    assert_same_as_git(&r, "bin");
    let id = queued(&r, "bin").0;
    let out = r.cs(&["show", "--color=never", &id]).ok().to_string();
    assert!(out.contains("binary file, not shown"), "{out}");
    assert!(out.contains("mode 100644 → 100755"), "{out}");
}

#[test]
fn non_utf8_paths_and_contents() {
    let r = TestRepo::new();
    r.git(&["config", "core.quotepath", "true"]);
    r.commit_all("base");
    r.git(&["checkout", "-q", "-b", "latin1"]);
    use std::os::unix::ffi::OsStrExt;
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
    std::fs::write(r.path().join(name), b"na\xefve\n").unwrap();
    r.commit_all("latin-1 name and content");
    assert_same_as_git(&r, "latin1");
    let id = queued(&r, "latin1").0;
    let out = r.cs(&["show", "--color=never", &id]).ok().to_string();
    assert!(out.contains("caf\u{fffd}.txt"), "{out}");
    assert!(out.contains("+na\u{fffd}ve"), "{out}");
}

#[test]
fn clean_rebase_keeps_the_patch_id_and_an_amend_changes_it() {
    let r = TestRepo::new();
    r.write("a.txt", "1\n2\n3\n");
    r.write("b.txt", "x\n");
    r.commit_all("base");
    r.git(&["checkout", "-q", "-b", "feat"]);
    r.write("a.txt", "1\ntwo\n3\n");
    r.commit_all("edit a");
    let (id, _, head1, before) = queued(&r, "feat");
    r.git(&["checkout", "-q", "main"]);
    r.write("b.txt", "y\n");
    r.commit_all("main moves on");
    r.git(&["checkout", "-q", "feat"]);
    r.git(&["rebase", "-q", "main"]);
    let (id2, _, head2, after) = queued(&r, "feat");
    assert_eq!(id, id2, "re-submitting the branch keeps its id");
    assert_ne!(head1, head2);
    assert_eq!(before, after, "a clean rebase keeps the verbatim patch-id");
    r.write("a.txt", "1\ntwo \n3\n");
    r.git(&["commit", "-q", "-a", "--amend", "--no-edit"]);
    let (id3, _, _, amended) = queued(&r, "feat");
    assert_eq!(id, id3);
    assert_ne!(before, amended, "a trailing space is a different patch");
}

#[test]
fn merge_commit_head() {
    let r = TestRepo::new();
    r.git(&["checkout", "-q", "-b", "side"]);
    r.write("side.txt", "side\n");
    r.commit_all("side");
    r.git(&["checkout", "-q", "-b", "feat", "main"]);
    r.write("feat.txt", "feat\n");
    r.commit_all("feat");
    r.git(&["merge", "-q", "--no-ff", "-m", "merge side", "side"]);
    assert_same_as_git(&r, "feat");
}
