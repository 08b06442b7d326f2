//! Driving the real binary in a tmux session of 120×40: keys are sent with
//! `send-keys` and the screen is polled with `capture-pane` until the expected
//! text shows (never a bare sleep as synchronisation). Shared by the console's
//! end-to-end tests and the review-loop tests.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// A tmux server of its own with one session.
pub struct Tmux {
    /// The tmux server's socket name (`tmux -L <socket>`).
    pub socket: String,
}

impl Tmux {
    /// Starts `cmd` in a new detached session; fails, naming tmux, without it.
    pub fn start(name: &str, dir: &Path, cmd: &str) -> Tmux {
        Self::start_with_config(name, dir, cmd, None)
    }

    /// Like `start`, with a user config file holding `config`.
    pub fn start_with_config(name: &str, dir: &Path, cmd: &str, config_text: Option<&str>) -> Tmux {
        let v = Command::new("tmux").arg("-V").output();
        assert!(
            v.is_ok_and(|o| o.status.success()),
            "tmux is not installed: these end-to-end tests need it (apt-get install tmux; .ci/run installs it)"
        );
        let socket = format!("cs-e2e-{name}-{}", std::process::id());
        let config = dir.join("user-config.toml");
        if let Some(text) = config_text {
            std::fs::write(&config, text).unwrap();
        }
        let shell = format!(
            "COUNTERSIGN_CONFIG={} {cmd}; echo \"[exit=$?]\"; sleep 60",
            config.display()
        );
        let st = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                "120",
                "-y",
                "40",
            ])
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

    /// Polls the screen until `done` holds of it (30 s at most).
    fn wait_until(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let s = self.screen();
            if done(&s) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the screen contains `text`.
    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?}"), |s| s.contains(text))
    }

    /// Waits until the screen contains one of `texts`.
    pub fn wait_for_any(&self, texts: &[&str]) -> String {
        self.wait_until(&format!("one of {texts:?}"), |s| {
            texts.iter().any(|t| s.contains(t))
        })
    }

    /// Waits until `text` is no longer on the screen (a dialog closed).
    pub fn wait_gone(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?} to go"), |s| !s.contains(text))
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
