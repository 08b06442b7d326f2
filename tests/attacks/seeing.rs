//! Seeing is signing: a decision binds the head the reviewer saw. The CLI
//! takes `--head <sha>` and refuses when the change has moved; the console
//! passes the head it displayed, so a head pushed while the senior reads the
//! diff is not signed (checked under tmux with the real binary).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::{refused, said};
use crate::kit::Team;

const BIN: &str = env!("CARGO_BIN_EXE_countersign");

/// A change `feat` with one harmless commit; returns (id, head).
fn change(t: &Team) -> (String, String) {
    let id = t.ai_change("feat", "a.txt", "harmless = 1\n");
    (id, t.head("feat"))
}

/// The agent pushes one more commit to `feat` and resubmits it; returns the
/// new head.
fn move_change(t: &Team, id: &str) -> String {
    t.repo.git(&["checkout", "-q", "feat"]);
    t.repo.write("b.txt", "sneaky = 2\n");
    t.repo.commit_all("more\n\nAssisted-by: Claude Code");
    t.repo.git(&["checkout", "-q", "main"]);
    let again = t.repo.cs(&["submit", "feat"]).ok().trim().to_string();
    assert_eq!(again, id, "the same change, a new revision");
    t.head("feat")
}

#[test]
fn approve_with_a_head_that_moved_signs_nothing() {
    let t = Team::new(&["alice", "bob"]);
    let (id, seen) = change(&t);
    let moved = move_change(&t, &id);
    let k = t.key("alice");
    for (verb, extra) in [("approve", vec!["-m", "ok"]), ("reject", vec!["-m", "no"])] {
        let mut args = vec!["--key", k.to_str().unwrap(), verb, &id, "--head", &seen];
        args.extend(extra);
        let r = t.cs_env(&args, &[]);
        assert_ne!(r.code, 0, "{verb} signed a head the reviewer did not see");
        assert!(
            r.stderr.contains("moved"),
            "{verb}: says the change moved: {}",
            said(&r)
        );
        assert!(
            t.note(&moved).is_empty(),
            "{verb}: nothing written on the new head"
        );
        assert!(
            t.note(&seen).is_empty(),
            "{verb}: nothing written on the old head"
        );
    }
    // An abbreviated or bogus --head is no way around it.
    let r = t.cs_env(
        &[
            "--key",
            k.to_str().unwrap(),
            "approve",
            &id,
            "--head",
            &seen[..8],
            "-m",
            "ok",
        ],
        &[],
    );
    assert_ne!(r.code, 0, "{}", said(&r));
    assert!(t.note(&moved).is_empty());
    refused(&t, &["main..feat"]);
    // With the head it now has, the decision is recorded on it.
    let r = t.cs_env(
        &[
            "--key",
            k.to_str().unwrap(),
            "approve",
            &id,
            "--head",
            &moved,
            "-m",
            "ok",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}", said(&r));
    assert_eq!(t.records("feat").len(), 1);
    assert_eq!(t.records("feat")[0].head, moved);
}

/// A tmux server of our own; a missing tmux is a failure that names it.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    pub fn start(dir: &Path, cmd: &str, config: &Path) -> Tmux {
        let v = Command::new("tmux").arg("-V").output();
        assert!(
            v.is_ok_and(|o| o.status.success()),
            "tmux is not installed: the console attacks need it (apt-get install tmux; .ci/run installs it)"
        );
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let socket = format!("cs-attacks-{}-{n}", std::process::id());
        let shell = format!(
            "COUNTERSIGN_CONFIG={} GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null {cmd}; echo \"[exit=$?]\"; sleep 60",
            config.display()
        );
        let st = Command::new("tmux")
            .args(["-L", &socket, "-f", "/dev/null", "new-session", "-d"])
            .args(["-x", "140", "-y", "40"])
            .args(["-c", &dir.display().to_string(), &shell])
            .status()
            .unwrap();
        assert!(st.success());
        Tmux { socket }
    }

    pub fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn wait_for_any(&self, texts: &[&str]) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let s = self.screen();
            if texts.iter().any(|t| s.contains(t)) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for one of {texts:?}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn wait_for(&self, text: &str) -> String {
        self.wait_for_any(&[text])
    }

    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            let st = Command::new("tmux")
                .args(["-L", &self.socket, "send-keys", k])
                .status()
                .unwrap();
            assert!(st.success());
        }
    }

    pub fn text(&self, text: &str) {
        let st = Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", "-l", text])
            .status()
            .unwrap();
        assert!(st.success());
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
fn the_console_does_not_sign_a_head_pushed_while_the_senior_reads_the_diff() {
    let t = Team::new(&["alice", "bob"]);
    let (id, seen) = change(&t);
    let config = t.keys.path().join("alice-config.toml");
    std::fs::write(
        &config,
        format!("key = {:?}\n", t.key("alice").display().to_string()),
    )
    .unwrap();
    let cmd = format!("{BIN} -C {}", t.repo.path().display());
    let tm = Tmux::start(t.repo.path(), &cmd, &config);
    tm.wait_for("Pending 1");
    tm.keys(&["Enter"]);
    tm.wait_for("@@ ");
    let s = tm.wait_for("harmless = 1");
    assert!(!s.contains("sneaky"), "{s}");
    // While alice reads, the agent pushes another commit to the change.
    let moved = move_change(&t, &id);
    // She marks the file she read as viewed (else approving asks first).
    tm.keys(&["v"]);
    tm.wait_for("1 of 1 files viewed");
    tm.keys(&["a"]);
    // The stage line decides: the header can name the signer before the
    // dialog reaches the stage that follows it.
    let s = tm.wait_for_any(&["Type its id", "Comment ("]);
    if s.contains("Type its id") {
        tm.text(&id);
        tm.keys(&["Enter"]);
    }
    tm.wait_for("Comment");
    tm.text("read every line");
    tm.keys(&["Enter"]);
    let s = tm.wait_for_any(&["recorded and verified", "moved"]);
    assert!(
        !s.contains("recorded and verified"),
        "the console signed a head alice never saw:\n{s}"
    );
    assert!(
        s.contains("moved"),
        "the dialog says the change moved:\n{s}"
    );
    assert!(t.note(&moved).is_empty(), "nothing signed on the new head");
    assert!(t.note(&seen).is_empty(), "nothing signed at all");
    refused(&t, &["main..feat"]);
    tm.keys(&["Escape", "Escape", "q", "q"]);
}
