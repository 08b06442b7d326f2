//! Driving the console without a terminal: jobs run synchronously and frames
//! are drawn on ratatui's `TestBackend`. Used by the snapshot tests and the
//! benchmarks.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::app::App;
use super::backend::Backend;
use super::commands::Keymap;
use super::hl::{Highlighter, Theme};
use super::jobs::{Request, execute};
use super::keys::{Input, Key};
use super::style::Styles;
use super::view;
use crate::config::UserConfig;

/// A console on a test terminal.
pub struct Harness {
    pub app: App,
    pub backend: Arc<dyn Backend>,
    pub highlighter: Highlighter,
    pub styles: Styles,
    pub terminal: Terminal<TestBackend>,
}

impl Harness {
    /// A console of `width`×`height` with the user's settings; `now` fixes ages.
    pub fn new(
        backend: Arc<dyn Backend>,
        user: &UserConfig,
        width: u16,
        height: u16,
        now: i64,
    ) -> Harness {
        let theme = Theme::load(user.theme.as_deref()).expect("built-in theme");
        let (keymap, warnings) = Keymap::new(&user.keys);
        let mut app = App::new(keymap, backend.identity(), warnings);
        app.now = now;
        Harness {
            app,
            backend,
            highlighter: Highlighter::new(&theme),
            styles: Styles::from_theme(&theme),
            terminal: Terminal::new(TestBackend::new(width, height)).expect("test terminal"),
        }
    }

    /// Runs every requested job (and the jobs they request) to completion.
    pub fn settle(&mut self) {
        loop {
            let reqs = self.app.take_requests();
            if reqs.is_empty() {
                return;
            }
            for r in reqs {
                self.run(r);
            }
        }
    }

    /// Runs one request now.
    pub fn run(&mut self, r: Request) {
        let cancel = AtomicBool::new(false);
        let mut outs = Vec::new();
        execute(r, &*self.backend, &self.highlighter, &cancel, &mut |o| {
            outs.push(o)
        });
        for o in outs {
            self.app.apply(o);
        }
    }

    /// Presses keys given by name, separated by spaces (`"j j enter"`), then settles.
    pub fn press(&mut self, keys: &str) {
        for k in keys.split_whitespace() {
            let key = Key::parse(k).unwrap_or_else(|| panic!("unknown key {k}"));
            self.app.handle(Input::Key(key));
            self.settle();
        }
    }

    /// Types text character by character.
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.app.handle(Input::Key(Key::char(c)));
        }
        self.settle();
    }

    /// Draws a frame.
    pub fn draw(&mut self) {
        super::visible_hl::prepare(&mut self.app, &self.highlighter);
        let (app, st) = (&mut self.app, &self.styles);
        self.terminal
            .draw(|f| view::draw(f, app, st))
            .expect("draw");
    }

    /// Draws a frame and returns the screen as text (trailing spaces trimmed).
    pub fn screen(&mut self) -> String {
        self.draw();
        let buf = self.terminal.backend().buffer().clone();
        let mut out = String::new();
        for y in 0..buf.area.height {
            let mut line = String::new();
            let mut skip = 0;
            for x in 0..buf.area.width {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                let s = buf[(x, y)].symbol();
                skip = unicode_width::UnicodeWidthStr::width(s).saturating_sub(1);
                line.push_str(s);
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    /// Resizes the test terminal.
    pub fn resize(&mut self, width: u16, height: u16) {
        self.terminal.backend_mut().resize(width, height);
    }
}
