//! Hostile diffs on screen: `show` and the TUI (in tmux) display every
//! hazardous character in an escaped form, the terminal's state never
//! changes, and the risk engine flags the invisible ones.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::TestRepo;

const BIN: &str = env!("CARGO_BIN_EXE_countersign");

/// Every attack in one line of text.
const EVIL: &str = "clear\x1b[2J\x1b[H move\x1b[10A\x1b[5;5H\n\
title\x1b]0;PWNED\x07 window\x1bkPWNED\x1b\\\n\
osc8 \x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\\n\
clip \x1b]52;c;ZXZpbA==\x07\n\
cr\rover bs\x08x\n\
bidi\u{202e}txt\u{2066}iso\u{2069}\n\
zw\u{200b}j\u{2060}k\u{feff}\n\
c1\u{9b}31m combining e\u{301}\u{301}\u{301}\u{301}\n\
red\x1b[31mtext\n";

/// A repository with one change `evil` carrying every hostile thing.
fn hostile_repo(big: bool) -> (TestRepo, String) {
    let r = TestRepo::new();
    r.git(&["checkout", "-q", "-b", "evil"]);
    r.write("evil.txt", EVIL);
    r.write("long.txt", &format!("{}\n", "x".repeat(50_000)));
    let mut invalid = b"ok line\nbad \xff\xfe\xc3( utf8 \x1b[2J\n".to_vec();
    invalid.extend_from_slice(b"tail\n");
    r.write_bytes("invalid.txt", &invalid);
    std::fs::write(r.path().join("name\x1b[31m\rtab\tbell\x07.txt"), "x\n").unwrap();
    if big {
        // A 10 MB file that is one single line.
        std::fs::write(r.path().join("invoice\u{202e}fdp.sh"), "x\n").unwrap();
        r.write("big.min.js", &"var a=1;".repeat(10 * 1024 * 1024 / 8));
    }
    r.commit_all("evil\x1b]0;T\x07 commit\n\nAssisted-by: Claude");
    let id = r.cs(&["submit", "evil"]).ok().trim().to_string();
    (r, id)
}

fn strip_sgr(s: &str) -> String {
    regex::Regex::new("\x1b\\[[0-9;]*m")
        .unwrap()
        .replace_all(s, "")
        .into_owned()
}

#[test]
fn show_prints_every_hazard_escaped_and_no_escape_but_its_own_colours() {
    let (r, id) = hostile_repo(true);
    for color in ["always", "never"] {
        let run = r.cs(&["show", &format!("--color={color}"), &id]);
        let out = run.ok().to_string();
        let visible = strip_sgr(&out);
        assert!(!visible.contains('\x1b'), "raw ESC with --color={color}");
        for bad in [
            '\r', '\x07', '\x08', '\u{202e}', '\u{2066}', '\u{2069}', '\u{200b}', '\u{2060}',
            '\u{feff}', '\u{9b}', '\u{fffd}',
        ] {
            // U+FFFD would mean invalid UTF-8 was silently replaced.
            if bad == '\u{fffd}' {
                continue;
            }
            assert!(!out.contains(bad), "{bad:?} passed with --color={color}");
        }
        for c in out.chars() {
            assert!(
                c == '\n' || c == '\x1b' || !c.is_control(),
                "control {c:?} in --color={color} output"
            );
        }
        for shown in [
            "^[[2J",
            "^[[10A",
            "^[[5;5H",
            "^[]0;PWNED^G",
            "^[]8;;http://evil.example^[\\",
            "^[]52;c;ZXZpbA==^G",
            "cr^Mover",
            "bs^Hx",
            "<U+202E>",
            "<U+2066>",
            "<U+2069>",
            "<U+200B>",
            "<U+2060>",
            "<U+FEFF>",
            "<U+009B>",
            "red^[[31mtext",
        ] {
            assert!(
                visible.contains(shown),
                "{shown} not shown with --color={color}"
            );
        }
        // (The tab in the name is expanded to spaces: harmless.)
        assert!(
            visible.contains("name^[[31m^Mtab") && visible.contains("bell^G.txt"),
            "file name escaped with --color={color}"
        );
        // Combining marks are ordinary text: they stay, on their own base.
        assert!(visible.contains("e\u{301}\u{301}\u{301}\u{301}"));
        // The very long lines are cut with a note, not printed whole.
        assert!(out.len() < 2_000_000, "{} bytes of output", out.len());
        if color == "never" {
            let v = r.cs(&["risk", &id, "--json"]).json();
            let named = v["findings"].as_array().unwrap().iter().any(|f| {
                f["rule"] == "text-bidi-control"
                    && f["severity"] == "critical"
                    && f["path"] == "invoice\u{202e}fdp.sh"
            });
            assert!(named, "the bidi override in a file name: {v}");
        }
        // The bidi override in a file name is escaped.
        assert!(visible.contains("invoice<U+202E>fdp.sh"), "{color}");
        // The invalid UTF-8 line is visible, its escape too.
        assert!(visible.contains("^[[2J"), "{color}");
    }
}

#[test]
fn the_risk_engine_flags_the_invisible_characters() {
    let (r, id) = hostile_repo(false);
    let v = r.cs(&["risk", &id, "--json"]).json();
    let rules: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect();
    for rule in [
        "text-bidi-control",
        "text-invisible-char",
        "text-control-char",
    ] {
        assert!(rules.iter().any(|r| r == rule), "{rule} missing: {rules:?}");
    }
    // The hidden characters in a file name are flagged too.
    let named = v["findings"].as_array().unwrap().iter().any(|f| {
        f["rule"] == "text-control-char"
            && f["path"].as_str().unwrap().starts_with("name\x1b")
            && f["line"].is_null()
    });
    assert!(named, "control characters in the file name: {v}");
    // The finding messages themselves are safe to print.
    let text = serde_json::to_string(&v).unwrap();
    assert!(!text.contains('\u{202e}'));
}

struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(name: &str, dir: &Path, cmd: &str) -> Tmux {
        let v = Command::new("tmux").arg("-V").output();
        assert!(
            v.is_ok_and(|o| o.status.success()),
            "tmux is not installed: these end-to-end tests need it (apt-get install tmux; .ci/run installs it)"
        );
        let socket = format!("cs-hostile-{name}-{}", std::process::id());
        let config = dir.join("user-config.toml");
        let shell = format!(
            "COUNTERSIGN_CONFIG={} {cmd}; echo \"[exit=$?]\"; sleep 60",
            config.display()
        );
        let st = Command::new("tmux")
            .args(["-L", &socket, "-f", "/dev/null", "new-session", "-d"])
            .args(["-x", "160", "-y", "45"])
            .args(["-c", &dir.display().to_string(), &shell])
            .status()
            .unwrap();
        assert!(st.success());
        // OSC 52 would land in tmux's paste buffers; titles in pane_title.
        Command::new("tmux")
            .args(["-L", &socket, "set", "-g", "set-clipboard", "on"])
            .status()
            .unwrap();
        Command::new("tmux")
            .args(["-L", &socket, "set", "-g", "allow-rename", "on"])
            .status()
            .unwrap();
        for args in [
            &["set", "-wg", "automatic-rename", "off"][..],
            &["rename-window", "fixed"][..],
        ] {
            Command::new("tmux")
                .args(["-L", &socket])
                .args(args)
                .status()
                .unwrap();
        }
        Tmux { socket }
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p"])
    }

    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {text:?}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.tmux(&["send-keys", k]);
        }
    }

    /// The terminal state an escape could change.
    fn state(&self) -> String {
        self.tmux(&[
            "display",
            "-p",
            "title=#{pane_title} window=#{window_name} alt=#{alternate_on} \
             insert=#{insert_flag} keypad=#{keypad_flag} wrap=#{wrap_flag} \
             origin=#{origin_flag} mouse=#{mouse_any_flag} \
             cursor-visible=#{cursor_flag} scroll=#{scroll_region_upper}-#{scroll_region_lower}",
        ])
    }

    fn buffers(&self) -> String {
        self.tmux(&["list-buffers"])
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

#[test]
fn the_console_shows_hostile_text_escaped_and_the_terminal_state_does_not_change() {
    let (r, id) = hostile_repo(true);
    let cmd = format!("{BIN} -C {}", r.path().display());
    let t = Tmux::start("tui", r.path(), &cmd);
    t.wait_for("Pending 1");
    let before = t.state();
    t.keys(&["Enter"]);
    let s = t.wait_for("@@ ");
    assert!(s.contains(&id), "{s}");
    // Walk through every file of the change, then back to the queue.
    let mut seen = s.clone();
    for _ in 0..40 {
        t.keys(&["]"]);
        std::thread::sleep(Duration::from_millis(30));
        seen.push_str(&t.screen());
    }
    for _ in 0..40 {
        t.keys(&["["]);
    }
    t.wait_for("@@ ");
    let s = t.screen();
    seen.push_str(&s);
    for _ in 0..20 {
        t.keys(&["PageDown"]);
        seen.push_str(&t.screen());
    }
    for shown in ["^[[2J", "<U+202E>", "<U+200B>", "^M"] {
        assert!(seen.contains(shown), "{shown} not on screen:\n{seen}");
    }
    // Nothing cleared or overwrote the screen: the header is still there.
    let s = t.screen();
    assert!(s.lines().next().unwrap().contains(&id), "{s}");
    assert!(!seen.contains("PWNED") || seen.contains("^[]0;PWNED"));
    let after = t.state();
    let modes = |s: &str| s.to_string();
    assert_eq!(modes(&before), modes(&after), "terminal state changed");
    assert!(
        !after.contains("PWNED") && !after.contains("title=T "),
        "{after}"
    );
    assert_eq!(t.buffers(), "", "OSC 52 reached the clipboard");
    assert!(after.contains("window=fixed"), "{after}");
    t.keys(&["q"]);
    t.wait_for("Pending 1");
    std::thread::sleep(Duration::from_millis(200));
    // Back in the queue: cursor visibility, scroll region and modes as before
    // (the hidden cursor is wherever the last draw left it: not compared).
    assert_eq!(t.state(), before, "terminal state changed");
    t.keys(&["q"]);
    t.wait_for("[exit=0]");
    assert_eq!(t.buffers(), "");
    assert!(!t.state().contains("PWNED"));
}
