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
    // Real sizes, read from the blobs (libgit2 reports 0 for binary files).
    assert!(
        out.contains("binary file, not shown (8 → 9 bytes)"),
        "{out}"
    );
    assert!(
        out.contains("binary file, not shown (added, 4 bytes)"),
        "{out}"
    );
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

/// Runs git in `dir` with the user's global and system config kept out,
/// feeding `stdin`; panics naming the command when git fails.
fn git_in(dir: &std::path::Path, args: &[&str], stdin: Option<&[u8]>) -> Vec<u8> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("git is needed for this test (git {args:?}): {e}"));
    let mut input = child.stdin.take().unwrap();
    if let Some(data) = stdin {
        input.write_all(data).unwrap();
    }
    drop(input);
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// `git diff --full-index base head | git patch-id --verbatim` in `dir`.
fn git_verbatim_patch_id(dir: &std::path::Path, base: &str, head: &str) -> Option<String> {
    let diff = git_in(dir, &["diff", "--full-index", base, head], None);
    let out = git_in(dir, &["patch-id", "--verbatim"], Some(&diff));
    String::from_utf8_lossy(&out)
        .split_whitespace()
        .next()
        .map(str::to_string)
}

/// Compares countersign's patch-id of `parent..commit` with git's for every
/// commit of `dir`'s history reachable from HEAD (first parent for merges);
/// returns (commits compared, mismatches).
fn compare_history(dir: &std::path::Path, max: usize) -> (usize, Vec<String>) {
    let repo = countersign::git::Repo::open(Some(dir)).unwrap();
    let list = git_in(dir, &["rev-list", "--parents", "HEAD"], None);
    let mut compared = 0;
    let mut mismatches = Vec::new();
    for line in String::from_utf8_lossy(&list).lines().take(max) {
        let ids: Vec<&str> = line.split_whitespace().collect();
        let [commit, parent, ..] = ids.as_slice() else {
            continue; // a root commit has nothing to diff against
        };
        let ours = repo.diff(parent, commit).unwrap().patch_id;
        let theirs = git_verbatim_patch_id(dir, parent, commit);
        compared += 1;
        if ours != theirs {
            mismatches.push(format!("{parent}..{commit}: ours {ours:?}, git {theirs:?}"));
        }
    }
    (compared, mismatches)
}

/// Every commit of this repository's own history: a real, varied history
/// (renames, moves, binary files, Rust/TOML/Markdown edits) that CI clones in
/// full. A missing or shallow history fails loudly instead of passing on
/// nothing.
#[test]
fn equals_git_on_every_commit_of_this_repository() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    assert!(
        dir.join(".git").exists(),
        "{} has no .git: this test compares patch-ids on the project's own history; run it in a git clone",
        dir.display()
    );
    let shallow = git_in(dir, &["rev-parse", "--is-shallow-repository"], None);
    assert_eq!(
        String::from_utf8_lossy(&shallow).trim(),
        "false",
        "the clone at {} is shallow; fetch the full history (git fetch --unshallow) to compare every commit",
        dir.display()
    );
    let (compared, mismatches) = compare_history(dir, usize::MAX);
    eprintln!(
        "patch-id agreement with git on this repository: {}/{compared}",
        compared - mismatches.len()
    );
    assert!(
        compared >= 10,
        "only {compared} commits to compare: the history is not all there"
    );
    assert!(
        mismatches.is_empty(),
        "{} of {compared} patch-ids differ from git's:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

/// An insertion whose placement is ambiguous: git's indent heuristic (its
/// default) places it differently from plain xdiff, and the patch-id with it.
#[test]
fn indent_heuristic_as_git_places_hunks() {
    let r = TestRepo::new();
    r.write(
        "app.py",
        "def main():\n    if x:\n        a()\n\n    if y:\n        b()\n",
    );
    r.write("list.txt", "1\n2\na\n\nb\n3\n4\n");
    r.commit_all("base");
    r.git(&["checkout", "-q", "-b", "ins"]);
    // A new block that starts like the block after it: plain xdiff slides
    // the hunk down to "    if y:\n+        c()", git's default keeps blocks whole.
    r.write(
        "app.py",
        "def main():\n    if x:\n        a()\n\n    if y:\n        c()\n\n    if y:\n        b()\n",
    );
    // git's own test case (t4061).
    r.write("list.txt", "1\n2\na\n\nb\na\n\nb\n3\n4\n");
    r.commit_all("insert blocks");
    let plain = r.git_output(
        &[
            "diff",
            "--full-index",
            "--no-indent-heuristic",
            "main",
            "ins",
        ],
        None,
    );
    let plain_id = r.git_output(&["patch-id", "--verbatim"], Some(&plain.stdout));
    let default_id = r.git_patch_id("main", "ins").unwrap();
    assert!(
        !String::from_utf8_lossy(&plain_id.stdout).starts_with(&default_id),
        "the case must be one where the heuristic moves the hunk"
    );
    assert_same_as_git(&r, "ins");
}

/// `.gitattributes` as git applies it: `binary` and `-diff` make a text file
/// binary (its patch-id binds the full blob ids), `diff=<driver>` without a
/// configured driver leaves it text.
#[test]
fn gitattributes_binary_no_diff_and_unconfigured_driver() {
    let r = TestRepo::new();
    r.write(
        ".gitattributes",
        "composer.lock binary\n*.snap -diff\n*.md diff=markdown\n*.foo diff=nosuchdriver\n",
    );
    r.write("composer.lock", "{\n  \"a\": 1\n}\n");
    r.write("ui.snap", "snapshot 1\n");
    r.write("doc.md", "# Title\n\ntext\n");
    r.write("x.foo", "one\ntwo\n");
    r.commit_all("base");
    r.git(&["checkout", "-q", "-b", "attrs"]);
    r.write("composer.lock", "{\n  \"a\": 2\n}\n");
    r.write("ui.snap", "snapshot 2\n");
    r.write("doc.md", "# Title\n\nmore text\n");
    r.write("x.foo", "one\nthree\n");
    r.commit_all("edit all four");
    let diff = r.git(&["diff", "--full-index", "main", "attrs"]);
    assert!(
        diff.contains("Binary files a/composer.lock and b/composer.lock differ"),
        "{diff}"
    );
    assert!(
        diff.contains("Binary files a/ui.snap and b/ui.snap differ"),
        "{diff}"
    );
    assert!(diff.contains("+three"), "{diff}");
    assert_same_as_git(&r, "attrs");
    let id = queued(&r, "attrs").0;
    let out = r.cs(&["show", "--color=never", &id]).ok().to_string();
    assert!(
        out.contains("binary file, not shown (13 → 13 bytes)"),
        "{out}"
    );
    assert!(out.contains("+three"), "{out}");
}

/// A binary change binds the full blob ids: two binary changes whose ids
/// agree on the first seven hex digits would share git's default patch-id,
/// not this one. Here: the id moves with every byte of a binary file.
#[test]
fn binary_patch_id_binds_full_blob_ids() {
    let r = TestRepo::new();
    r.write_bytes("blob.bin", &[0, 1, 2, 3]);
    r.commit_all("base");
    let mut ids = std::collections::HashSet::new();
    for (i, branch) in ["b1", "b2", "b3"].iter().enumerate() {
        r.git(&["checkout", "-q", "-b", branch, "main"]);
        r.write_bytes("blob.bin", &[0, 1, 2, 3, i as u8]);
        r.commit_all("binary edit");
        let (_, base, head, ours) = queued(&r, branch);
        let diff = r.git(&["diff", "--full-index", &base, &head]);
        let index_line = diff.lines().find(|l| l.starts_with("index ")).unwrap();
        assert_eq!(
            index_line.len(),
            "index ".len() + 40 + 2 + 40 + " 100644".len()
        );
        assert_eq!(ours, r.git_patch_id(&base, &head));
        ids.insert(ours);
    }
    assert_eq!(ids.len(), 3);
}

/// Renames as git detects them by default (renames, not copies): a copy
/// with an edit is a new file, a file moved with half its lines changed is a
/// rename or not exactly when git says so.
#[test]
fn renames_and_copies_as_git_detects_them() {
    let r = TestRepo::new();
    let body: String = (0..60).map(|i| format!("value = {i} * factor\n")).collect();
    r.write("src/calc.py", &body);
    r.write("src/other.py", &body.replace("value", "other"));
    r.write("src/gone.py", &body.replace("value", "gone"));
    r.commit_all("base");
    r.git(&["checkout", "-q", "-b", "moves"]);
    // A copy with an edit (git diff shows a new file by default).
    r.write(
        "src/calc_copy.py",
        &body.replace("value = 3 ", "value = 33 "),
    );
    // A move with about half of its lines changed, on either side of 50 %.
    let half: String = (0..60)
        .map(|i| {
            if i % 2 == 0 {
                format!("other = {i} * factor\n")
            } else {
                format!("changed line {i}\n")
            }
        })
        .collect();
    std::fs::create_dir_all(r.path().join("lib")).unwrap();
    r.git(&["mv", "src/other.py", "lib/other.py"]);
    r.write("lib/other.py", &half);
    let most: String = (0..60)
        .map(|i| {
            if i % 3 == 0 {
                format!("gone = {i} * factor\n")
            } else {
                format!("rewritten {i}\n")
            }
        })
        .collect();
    r.git(&["mv", "src/gone.py", "lib/gone.py"]);
    r.write("lib/gone.py", &most);
    r.commit_all("copy and moves");
    assert_same_as_git(&r, "moves");
}

/// Generated histories for the corner cases, compared commit by commit with
/// the same comparison as this repository's own history.
#[test]
fn generated_history_equals_git_commit_by_commit() {
    let r = TestRepo::new();
    r.write(".gitattributes", "*.bin binary\n");
    for step in 0..12 {
        let lines: String = (0..(20 + step * 3))
            .map(|i| format!("{}line {i}\n", "    ".repeat(i % 3)))
            .collect();
        r.write("src/a.py", &lines);
        r.write_bytes(&format!("data{}.bin", step % 3), &[step as u8; 40]);
        if step % 4 == 3 {
            // A rename with an edit; the next step writes src/a.py anew.
            r.git(&["add", "-A"]);
            r.git(&["mv", "src/a.py", &format!("src/moved{step}.py")]);
            r.write(&format!("src/moved{step}.py"), &format!("{lines}tail\n"));
        }
        r.commit_all(&format!("step {step}"));
    }
    let (compared, mismatches) = compare_history(r.path(), usize::MAX);
    assert_eq!(compared, 12);
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// The same comparison on any repository, for figures on real histories:
/// `CS_PATCH_ID_REPO=/path/to/clone cargo test --release --test foundation
/// equals_git_on_another_repository -- --ignored --nocapture`
/// (`CS_PATCH_ID_MAX` limits the number of commits, newest first).
#[test]
#[ignore = "needs CS_PATCH_ID_REPO, a clone of a real repository"]
fn equals_git_on_another_repository() {
    let dir = std::env::var_os("CS_PATCH_ID_REPO")
        .expect("set CS_PATCH_ID_REPO to the path of a git clone");
    let dir = std::path::Path::new(&dir);
    let max: usize = std::env::var("CS_PATCH_ID_MAX")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(usize::MAX);
    let (compared, mismatches) = compare_history(dir, max);
    eprintln!(
        "patch-id agreement with git on {}: {}/{compared}",
        dir.display(),
        compared - mismatches.len()
    );
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
