//! Bad input: one clear line on stderr, exit 2, never a panic.

use crate::support::{TestRepo, run_in};

#[test]
fn not_a_repository() {
    let dir = tempfile::tempdir().unwrap();
    let err = run_in(dir.path(), &["queue"]).bad_input().to_string();
    assert!(err.contains("is not in a git repository"), "{err}");
    let missing = dir.path().join("missing");
    let err = run_in(dir.path(), &["-C", missing.to_str().unwrap(), "queue"])
        .bad_input()
        .to_string();
    assert!(err.contains("no such directory"), "{err}");
}

#[test]
fn unknown_id_and_revision() {
    let r = TestRepo::new();
    assert!(
        r.cs(&["show", "zzzzzzzz"])
            .bad_input()
            .contains("no pending change 'zzzzzzzz'")
    );
    assert!(
        r.cs(&["submit", "no-such-branch"])
            .bad_input()
            .contains("unknown revision 'no-such-branch'")
    );
    assert!(
        r.cs(&["scan", "main..nope"])
            .bad_input()
            .contains("unknown revision 'nope'")
    );
}

#[test]
fn repository_without_main_names_the_fix() {
    let r = TestRepo::empty();
    r.git(&["checkout", "-q", "-b", "trunk"]);
    r.write("a.txt", "a\n");
    r.commit_all("first");
    r.write("a.txt", "b\n");
    r.commit_all("second\n\nAssisted-by: Claude");
    let err = r.cs(&["submit", "HEAD"]).bad_input().to_string();
    assert!(
        err.contains("no branch 'main'") && err.contains("--base"),
        "{err}"
    );
    let id = r
        .cs(&["submit", "HEAD", "--base", "HEAD~1"])
        .ok()
        .trim()
        .to_string();
    assert!(r.cs(&["show", "--color=never", &id]).ok().contains("+b"));
}

#[test]
fn nothing_to_review() {
    let r = TestRepo::new();
    assert!(
        r.cs(&["submit", "main"])
            .bad_input()
            .contains("nothing to review")
    );
}

#[test]
fn broken_repo_config_is_named() {
    let r = TestRepo::new();
    r.write(".countersign/config.toml", "target = [\n");
    let err = r.cs(&["queue"]).bad_input().to_string();
    assert!(err.contains(".countersign/config.toml"), "{err}");
}

#[test]
fn huge_and_binary_files_are_shown_safely() {
    let r = TestRepo::new();
    r.git(&["checkout", "-q", "-b", "huge"]);
    // A 50 MB binary file and a 12 MB single-line text file.
    let mut blob = vec![0u8; 50 * 1024 * 1024];
    blob[1] = 7;
    r.write_bytes("assets/model.bin", &blob);
    r.write("min.js", &"x".repeat(12 * 1024 * 1024));
    r.commit_all("huge files\n\nAssisted-by: Claude");
    let id = r.cs(&["submit", "huge"]).ok().trim().to_string();
    let out = r.cs(&["show", "--color=always", &id]);
    let text = out.ok();
    assert!(text.contains("binary file, not shown"), "binary marked");
    assert!(text.contains("more bytes]"), "long line cut");
    assert!(
        text.len() < 1024 * 1024,
        "output stays small: {}",
        text.len()
    );
}

#[test]
fn the_console_without_a_terminal_says_what_to_use() {
    let r = TestRepo::new();
    let err = r.cs(&["tui"]).bad_input().to_string();
    assert!(
        err.contains("needs a terminal") && err.contains("countersign queue"),
        "{err}"
    );
}
