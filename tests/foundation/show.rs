//! `show` output: snapshots with and without colour, and hostile text.

use crate::support::TestRepo;

fn sample() -> (TestRepo, String) {
    let r = TestRepo::new();
    r.write(
        "src/pay.rs",
        "/// Charges a card.\npub fn charge(amount: u64) -> Result<(), Error> {\n    let timeout = 30;\n    gateway::post(amount, timeout)\n}\n",
    );
    r.commit_all("base");
    r.git(&["checkout", "-q", "-b", "feat"]);
    r.write(
        "src/pay.rs",
        "/// Charges a card.\npub fn charge(amount: u64) -> Result<(), Error> {\n    let timeout = 300;\n    let _ = gateway::post(amount, timeout);\n    Ok(())\n}\n",
    );
    r.write("notes.md", "Raise the timeout.\n");
    r.commit_all("Raise the gateway timeout\n\nAssisted-by: Claude Code");
    let id = r.cs(&["submit", "feat"]).ok().trim().to_string();
    (r, id)
}

#[test]
fn show_plain_snapshot() {
    let (r, id) = sample();
    let out = r.cs(&["show", "--color=never", &id]).ok().to_string();
    assert!(!out.contains('\x1b'));
    insta::assert_snapshot!("show_plain", out.replace(&id, "<id>"));
}

#[test]
fn show_color_snapshot_has_syntax_and_word_emphasis() {
    let (r, id) = sample();
    let out = r.cs(&["show", "--color=always", &id]).ok().to_string();
    // The changed word "300" sits on the emphasis background of the dark theme.
    assert!(
        out.contains("\x1b[48;2;31;107;54m"),
        "plus emphasis background"
    );
    assert!(
        out.contains("\x1b[48;2;128;38;44m"),
        "minus emphasis background"
    );
    insta::assert_snapshot!(
        "show_color",
        out.replace(&id, "<id>").replace('\x1b', "\\e")
    );
}

/// `show <id>` with its stdout on a real pseudo-terminal (openpty), with
/// NO_COLOR set to `no_color` or unset; returns what the terminal received.
fn show_on_a_terminal(r: &TestRepo, id: &str, no_color: Option<&str>) -> String {
    use std::io::Read;
    use std::os::fd::FromRawFd;
    let (mut master, mut slave) = (0, 0);
    // SAFETY: openpty writes two new descriptors; the null arguments are allowed.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(rc, 0, "openpty failed");
    // SAFETY: both descriptors were just opened and are owned here only.
    let (master, slave) = unsafe {
        (
            std::fs::File::from_raw_fd(master),
            std::fs::File::from_raw_fd(slave),
        )
    };
    let mut cmd = std::process::Command::new(crate::support::bin());
    cmd.current_dir(r.path())
        .args(["show", id])
        .env("COUNTERSIGN_CONFIG", r.path().join("no-user-config.toml"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .stdout(slave);
    match no_color {
        Some(v) => cmd.env("NO_COLOR", v),
        None => cmd.env_remove("NO_COLOR"),
    };
    let mut child = cmd.spawn().unwrap();
    drop(cmd); // our copy of the terminal's slave side
    let mut out = Vec::new();
    let mut master = master;
    let mut buf = [0u8; 65536];
    // Read until the child closes the terminal (EIO on Linux).
    while let Ok(n) = master.read(&mut buf) {
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
    }
    assert!(child.wait().unwrap().success());
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn auto_colour_is_off_for_pipes_and_no_color() {
    let (r, id) = sample();
    // A pipe: no colour.
    assert!(!r.cs(&["show", &id]).ok().contains('\x1b'));
    // A terminal: colour, unless NO_COLOR is set (to anything but "").
    let tty = show_on_a_terminal(&r, &id, None);
    assert!(
        tty.contains("Raise the timeout"),
        "the diff reached the terminal: {tty:?}"
    );
    assert!(tty.contains("\x1b["), "a terminal gets colour: {tty:?}");
    let plain = show_on_a_terminal(&r, &id, Some("1"));
    assert!(plain.contains("Raise the timeout"), "{plain:?}");
    assert!(
        !plain.contains('\x1b'),
        "NO_COLOR=1 on a terminal: {plain:?}"
    );
    let empty = show_on_a_terminal(&r, &id, Some(""));
    assert!(
        empty.contains("\x1b["),
        "an empty NO_COLOR is unset: {empty:?}"
    );
}

#[test]
fn hostile_text_never_reaches_the_terminal() {
    let r = TestRepo::new();
    r.git(&["checkout", "-q", "-b", "evil"]);
    let evil = "clear\x1b[2J\x1b[H move\x1b[10A osc8 \x1b]8;;http://x\x07link\x1b]8;;\x07 \
                clip \x1b]52;c;ZXZpbA==\x07 cr\rover bs\x08x bidi\u{202e}txt\u{2066}iso\u{2069} \
                zw\u{200b}j c1\u{9b}31m\n";
    r.write("evil.txt", evil);
    std::fs::write(r.path().join("name\x1b[31m.txt"), "x\n").unwrap();
    r.commit_all("evil\n\nAssisted-by: Claude");
    let id = r.cs(&["submit", "evil"]).ok().trim().to_string();
    let re = regex::Regex::new("\x1b\\[[0-9;]*m").unwrap();
    for color in ["always", "never"] {
        let out = r
            .cs(&["show", &format!("--color={color}"), &id])
            .ok()
            .to_string();
        // Every ESC left is one of our own colour sequences.
        let visible = re.replace_all(&out, "").to_string();
        assert!(!visible.contains('\x1b'), "raw ESC in {color} output");
        for bad in [
            '\r', '\x07', '\x08', '\u{202e}', '\u{2066}', '\u{200b}', '\u{9b}',
        ] {
            assert!(
                !out.contains(bad),
                "{bad:?} passed through with --color={color}"
            );
        }
        for shown in [
            "^[[2J", "^M", "^G", "^H", "<U+202E>", "<U+2066>", "<U+200B>", "<U+009B>",
        ] {
            assert!(
                visible.contains(shown),
                "{shown} shown with --color={color}"
            );
        }
        assert!(visible.contains("name^[[31m.txt"), "file name escaped");
    }
}
