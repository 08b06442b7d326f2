//! The real terminal: raw mode, the alternate screen, mouse and bracketed paste
//! on; everything restored on exit, on error and on panic.

use std::io::{self, Stdout};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Restores the terminal when dropped.
pub struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

/// Puts the terminal back as it was. Safe to call more than once.
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}

/// Enters the UI mode and installs a panic hook that restores the terminal first.
pub fn setup() -> anyhow::Result<(Term, Guard)> {
    let previous = std::panic::take_hook();
    let ui_thread = std::thread::current().id();
    std::panic::set_hook(Box::new(move |info| {
        // A panic in a background job is caught and reported by the runner; one
        // on the UI thread ends the program, so the terminal comes back first.
        if std::thread::current().id() == ui_thread {
            restore();
            previous(info);
        }
    }));
    enable_raw_mode()?;
    let guard = Guard;
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste
    )?;
    let term = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    Ok((term, guard))
}

/// A crossterm event as model input (`None` for events the model ignores;
/// resizes are handled by the runner).
pub fn to_input(ev: crossterm::event::Event) -> Option<super::keys::Input> {
    use super::keys::{Input, Key, KeyCode};
    use crossterm::event::{Event, KeyEventKind, KeyModifiers, MouseEventKind};
    match ev {
        Event::Key(k) if k.kind != KeyEventKind::Release => {
            use crossterm::event::KeyCode as C;
            let code = match k.code {
                C::Char(c) => KeyCode::Char(c),
                C::Enter => KeyCode::Enter,
                C::Esc => KeyCode::Esc,
                C::Tab => KeyCode::Tab,
                C::BackTab => KeyCode::BackTab,
                C::Backspace => KeyCode::Backspace,
                C::Delete => KeyCode::Delete,
                C::Up => KeyCode::Up,
                C::Down => KeyCode::Down,
                C::Left => KeyCode::Left,
                C::Right => KeyCode::Right,
                C::Home => KeyCode::Home,
                C::End => KeyCode::End,
                C::PageUp => KeyCode::PageUp,
                C::PageDown => KeyCode::PageDown,
                C::F(n) => KeyCode::F(n),
                _ => return None,
            };
            let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
            let code = match code {
                KeyCode::Char(c) if ctrl => KeyCode::Char(c.to_ascii_lowercase()),
                c => c,
            };
            Some(Input::Key(Key {
                code,
                ctrl,
                alt: k.modifiers.contains(KeyModifiers::ALT),
            }))
        }
        Event::Mouse(m) => match m.kind {
            MouseEventKind::ScrollDown => Some(Input::Wheel(3)),
            MouseEventKind::ScrollUp => Some(Input::Wheel(-3)),
            _ => None,
        },
        Event::Paste(s) => Some(Input::Paste(s)),
        _ => None,
    }
}
