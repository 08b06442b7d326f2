//! The command registry: one table per screen naming every command, its default
//! keys and its help text. Key handling, the help overlay and the status-bar hints
//! all read it, so help cannot go stale (as in gitui). The user config overrides
//! keys by command name (`[keys] approve = "ctrl-a"`, several keys separated by
//! spaces).

use std::collections::{BTreeMap, HashMap};

use super::keys::Key;

/// Where a command applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Screen {
    Queue,
    Review,
    Audit,
    Dialog,
    Help,
}

impl Screen {
    pub const ALL: [Screen; 5] = [
        Screen::Queue,
        Screen::Review,
        Screen::Audit,
        Screen::Dialog,
        Screen::Help,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Screen::Queue => "Queue",
            Screen::Review => "Review",
            Screen::Audit => "Audit",
            Screen::Dialog => "Decision dialog",
            Screen::Help => "Help",
        }
    }
}

/// Everything a key can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cmd {
    Down,
    Up,
    HalfDown,
    HalfUp,
    PageDown,
    PageUp,
    Top,
    Bottom,
    Open,
    Back,
    Quit,
    Filter,
    NextTab,
    PrevTab,
    Sort,
    ReverseSort,
    Reload,
    NextFile,
    PrevFile,
    NextHunk,
    PrevHunk,
    NextFinding,
    PrevFinding,
    ToggleSplit,
    /// Show or hide analyzer results the change did not introduce.
    ToggleAllResults,
    Collapse,
    Left,
    Right,
    Focus,
    Approve,
    Reject,
    Audit,
    DecisionFilter,
    Help,
    Sign,
    Cancel,
    Remark,
    Viewed,
    Interdiff,
}

/// One entry of a screen's registry.
#[derive(Debug, Clone, Copy)]
pub struct CommandInfo {
    pub cmd: Cmd,
    /// The name used in the user config's `[keys]` table.
    pub name: &'static str,
    pub help: &'static str,
    pub keys: &'static [&'static str],
    /// Shown in the status-bar hints.
    pub hint: bool,
}

const fn c(
    cmd: Cmd,
    name: &'static str,
    keys: &'static [&'static str],
    help: &'static str,
    hint: bool,
) -> CommandInfo {
    CommandInfo {
        cmd,
        name,
        help,
        keys,
        hint,
    }
}

const MOVE: [CommandInfo; 8] = [
    c(Cmd::Down, "down", &["j", "down"], "move down", false),
    c(Cmd::Up, "up", &["k", "up"], "move up", false),
    c(
        Cmd::HalfDown,
        "half_down",
        &["ctrl-d"],
        "half a page down",
        false,
    ),
    c(Cmd::HalfUp, "half_up", &["ctrl-u"], "half a page up", false),
    c(
        Cmd::PageDown,
        "page_down",
        &["pagedown", "ctrl-f"],
        "a page down",
        false,
    ),
    c(
        Cmd::PageUp,
        "page_up",
        &["pageup", "ctrl-b"],
        "a page up",
        false,
    ),
    c(Cmd::Top, "top", &["g", "home"], "go to the top", false),
    c(
        Cmd::Bottom,
        "bottom",
        &["G", "end"],
        "go to the bottom",
        false,
    ),
];

const QUEUE: &[CommandInfo] = &[
    MOVE[0],
    MOVE[1],
    MOVE[2],
    MOVE[3],
    MOVE[4],
    MOVE[5],
    MOVE[6],
    MOVE[7],
    c(
        Cmd::Open,
        "open",
        &["enter"],
        "review the selected change",
        true,
    ),
    c(
        Cmd::Filter,
        "filter",
        &["/"],
        "fuzzy filter (Enter keeps, Esc clears)",
        true,
    ),
    c(
        Cmd::NextTab,
        "next_tab",
        &["tab"],
        "next tab: pending, approved, rejected, stale",
        true,
    ),
    c(
        Cmd::PrevTab,
        "prev_tab",
        &["backtab"],
        "previous tab",
        false,
    ),
    c(Cmd::Sort, "sort", &["s"], "sort by the next column", true),
    c(
        Cmd::ReverseSort,
        "reverse_sort",
        &["S"],
        "reverse the sort order",
        false,
    ),
    c(
        Cmd::Reload,
        "reload",
        &["R", "ctrl-r"],
        "reload the queue",
        false,
    ),
    c(
        Cmd::Approve,
        "approve",
        &["a"],
        "approve the selected change",
        true,
    ),
    c(
        Cmd::Reject,
        "reject",
        &["r"],
        "reject the selected change",
        true,
    ),
    c(Cmd::Audit, "audit", &["A"], "open the audit screen", true),
    c(
        Cmd::Interdiff,
        "since_review",
        &["i"],
        "what changed since the revision last decided on",
        false,
    ),
    c(Cmd::Help, "help", &["?"], "show every key", true),
    c(
        Cmd::Back,
        "clear_filter",
        &["esc"],
        "clear the filter (Esc never quits)",
        false,
    ),
    c(Cmd::Quit, "quit", &["q"], "quit", true),
];

const REVIEW: &[CommandInfo] = &[
    MOVE[0],
    MOVE[1],
    MOVE[2],
    MOVE[3],
    MOVE[4],
    MOVE[5],
    MOVE[6],
    MOVE[7],
    c(Cmd::NextFile, "next_file", &["]"], "next file", true),
    c(Cmd::PrevFile, "prev_file", &["["], "previous file", false),
    c(Cmd::NextHunk, "next_hunk", &["}"], "next hunk", true),
    c(Cmd::PrevHunk, "prev_hunk", &["{"], "previous hunk", false),
    c(
        Cmd::NextFinding,
        "next_finding",
        &["n"],
        "next finding (next match while searching)",
        true,
    ),
    c(
        Cmd::PrevFinding,
        "prev_finding",
        &["N"],
        "previous finding (previous match while searching)",
        false,
    ),
    c(Cmd::Filter, "search", &["/"], "search in the diff", true),
    c(
        Cmd::ToggleSplit,
        "toggle_split",
        &["t"],
        "unified / side-by-side",
        true,
    ),
    c(
        Cmd::ToggleAllResults,
        "toggle_all_results",
        &["o"],
        "show or hide analyzer results the change did not introduce",
        false,
    ),
    c(
        Cmd::Collapse,
        "collapse",
        &["z", "space"],
        "collapse or expand the current file",
        false,
    ),
    c(
        Cmd::Left,
        "scroll_left",
        &["h", "left"],
        "scroll left",
        false,
    ),
    c(
        Cmd::Right,
        "scroll_right",
        &["l", "right"],
        "scroll right",
        false,
    ),
    c(
        Cmd::Focus,
        "focus_files",
        &["tab"],
        "switch between the file list and the diff",
        false,
    ),
    c(
        Cmd::Open,
        "open",
        &["enter"],
        "in the file list: jump to the file",
        false,
    ),
    c(
        Cmd::Remark,
        "remark",
        &["c"],
        "write a remark on this line (signed with your next decision)",
        true,
    ),
    c(
        Cmd::Viewed,
        "viewed",
        &["v"],
        "mark the file viewed (again: not viewed)",
        true,
    ),
    c(
        Cmd::Interdiff,
        "since_review",
        &["i"],
        "what changed since the revision last decided on",
        true,
    ),
    c(Cmd::Approve, "approve", &["a"], "approve this change", true),
    c(Cmd::Reject, "reject", &["r"], "reject this change", true),
    c(Cmd::Audit, "audit", &["A"], "open the audit screen", false),
    c(Cmd::Help, "help", &["?"], "show every key", true),
    c(Cmd::Back, "back", &["q", "esc"], "back to the queue", true),
];

const AUDIT: &[CommandInfo] = &[
    MOVE[0],
    MOVE[1],
    MOVE[2],
    MOVE[3],
    MOVE[4],
    MOVE[5],
    MOVE[6],
    MOVE[7],
    c(
        Cmd::Open,
        "open",
        &["enter"],
        "open the change as it was reviewed",
        true,
    ),
    c(
        Cmd::Filter,
        "filter",
        &["/"],
        "filter by reviewer, change, date or comment",
        true,
    ),
    c(
        Cmd::DecisionFilter,
        "decision_filter",
        &["d"],
        "show approvals, rejections or both",
        true,
    ),
    c(
        Cmd::Reload,
        "reload",
        &["R", "ctrl-r"],
        "reload the decisions",
        false,
    ),
    c(Cmd::Help, "help", &["?"], "show every key", true),
    c(Cmd::Back, "back", &["q", "esc"], "back", true),
];

const DIALOG: &[CommandInfo] = &[
    c(
        Cmd::Sign,
        "sign",
        &["enter"],
        "sign and record the decision",
        true,
    ),
    c(Cmd::Cancel, "cancel", &["esc"], "cancel", true),
];

const HELP: &[CommandInfo] = &[
    MOVE[0],
    MOVE[1],
    c(
        Cmd::Back,
        "close_help",
        &["esc", "q", "?"],
        "close help",
        true,
    ),
];

/// The registry of a screen.
pub fn registry(screen: Screen) -> &'static [CommandInfo] {
    match screen {
        Screen::Queue => QUEUE,
        Screen::Review => REVIEW,
        Screen::Audit => AUDIT,
        Screen::Dialog => DIALOG,
        Screen::Help => HELP,
    }
}

/// The keys in force: defaults with the user's overrides applied.
#[derive(Debug, Clone)]
pub struct Keymap {
    lookup: HashMap<(Screen, Key), Cmd>,
    keys: HashMap<(Screen, Cmd), Vec<Key>>,
}

impl Keymap {
    /// Builds the keymap. Returns it with a warning for each override that names
    /// no command or no key.
    pub fn new(overrides: &BTreeMap<String, String>) -> (Keymap, Vec<String>) {
        let mut warnings = Vec::new();
        let mut parsed: HashMap<&str, Vec<Key>> = HashMap::new();
        for (name, spec) in overrides {
            let known = Screen::ALL
                .iter()
                .any(|s| registry(*s).iter().any(|c| c.name == name));
            if !known {
                warnings.push(format!("config [keys]: no command named '{name}'"));
                continue;
            }
            let mut keys = Vec::new();
            for k in spec.split_whitespace() {
                match Key::parse(k) {
                    Some(key) => keys.push(key),
                    None => warnings.push(format!("config [keys] {name}: unknown key '{k}'")),
                }
            }
            if !keys.is_empty() {
                parsed.insert(name.as_str(), keys);
            }
        }
        let mut map = Keymap {
            lookup: HashMap::new(),
            keys: HashMap::new(),
        };
        for screen in Screen::ALL {
            for info in registry(screen) {
                let keys = match parsed.get(info.name) {
                    Some(k) => k.clone(),
                    None => info.keys.iter().filter_map(|k| Key::parse(k)).collect(),
                };
                for k in &keys {
                    map.lookup.entry((screen, *k)).or_insert(info.cmd);
                }
                map.keys.insert((screen, info.cmd), keys);
            }
        }
        (map, warnings)
    }

    /// The defaults.
    pub fn defaults() -> Keymap {
        Self::new(&BTreeMap::new()).0
    }

    /// The command a key runs on a screen.
    pub fn command(&self, screen: Screen, key: Key) -> Option<Cmd> {
        self.lookup.get(&(screen, key)).copied()
    }

    /// The keys of a command on a screen.
    pub fn keys(&self, screen: Screen, cmd: Cmd) -> &[Key] {
        self.keys.get(&(screen, cmd)).map_or(&[], Vec::as_slice)
    }

    /// The keys of a command, shown as "j/↓".
    pub fn keys_label(&self, screen: Screen, cmd: Cmd) -> String {
        self.keys(screen, cmd)
            .iter()
            .map(Key::to_string)
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The status-bar hints of a screen: "Enter open · / filter · …".
    pub fn hints(&self, screen: Screen) -> Vec<(String, &'static str)> {
        registry(screen)
            .iter()
            .filter(|c| c.hint)
            .filter_map(|c| {
                let k = self.keys(screen, c.cmd).first()?;
                Some((k.to_string(), c.name))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::keys::KeyCode;

    #[test]
    fn defaults_match_the_issue() {
        let k = Keymap::defaults();
        assert_eq!(k.command(Screen::Queue, Key::char('j')), Some(Cmd::Down));
        assert_eq!(
            k.command(Screen::Queue, Key::ctrl('d')),
            Some(Cmd::HalfDown)
        );
        assert_eq!(k.command(Screen::Queue, Key::char('q')), Some(Cmd::Quit));
        assert_eq!(
            k.command(Screen::Review, Key::char(']')),
            Some(Cmd::NextFile)
        );
        assert_eq!(
            k.command(Screen::Review, Key::char('}')),
            Some(Cmd::NextHunk)
        );
        assert_eq!(
            k.command(Screen::Review, Key::char('N')),
            Some(Cmd::PrevFinding)
        );
        assert_eq!(
            k.command(Screen::Review, Key::char('t')),
            Some(Cmd::ToggleSplit)
        );
        assert_eq!(k.command(Screen::Review, Key::char('A')), Some(Cmd::Audit));
        assert_eq!(
            k.command(Screen::Dialog, Key::plain(KeyCode::Enter)),
            Some(Cmd::Sign)
        );
    }

    #[test]
    fn overrides_replace_defaults_and_bad_ones_warn() {
        let mut o = BTreeMap::new();
        o.insert("approve".to_string(), "ctrl-a Y".to_string());
        o.insert("nope".to_string(), "x".to_string());
        o.insert("reject".to_string(), "notakey".to_string());
        let (k, warnings) = Keymap::new(&o);
        assert_eq!(k.command(Screen::Queue, Key::ctrl('a')), Some(Cmd::Approve));
        assert_eq!(
            k.command(Screen::Review, Key::char('Y')),
            Some(Cmd::Approve)
        );
        assert_eq!(k.command(Screen::Queue, Key::char('a')), None);
        assert_eq!(k.command(Screen::Queue, Key::char('r')), Some(Cmd::Reject));
        assert_eq!(warnings.len(), 2, "{warnings:?}");
    }
}

#[cfg(test)]
mod doc_tests {
    use super::*;

    #[test]
    fn docs_name_every_command() {
        let doc = include_str!("../../README.md");
        for s in Screen::ALL {
            for c in registry(s) {
                assert!(
                    doc.contains(&format!("`{}`", c.name)),
                    "the README's key section lacks {}",
                    c.name
                );
            }
        }
    }
}
