//! The decision dialog's state: confirm the id of a critical change, type the
//! comment (required to reject), give the key's passphrase when it needs one,
//! then sign and show the result or the error.

use ratatui_textarea::TextArea;

use super::backend::{Decision, SignRequest, SignerInfo};
use super::keys::{Key, KeyCode};

/// Where the dialog is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// Approving something not (fully) looked at: `y` to go on. Says why.
    Unseen(String),
    /// A critical change: type its id first.
    ConfirmId,
    Comment,
    Passphrase,
    Signing,
    /// The decision was recorded; the message says so.
    Done(String),
    /// The change moved after it was displayed: nothing was signed; `R`
    /// reloads, any other key closes.
    Moved(String),
}

/// What the dialog wants after a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialogAction {
    None,
    Close,
    Sign(SignRequest),
    /// Close, leave the review and reload the queue (the change moved).
    Reload,
}

/// The decision dialog.
#[derive(Debug, Clone)]
pub struct DialogModel {
    pub decision: Decision,
    pub change_id: String,
    /// The head commit that was displayed: the only one this dialog signs.
    pub head: String,
    pub title: String,
    pub level: String,
    pub stage: Stage,
    /// `None` while the key is being looked up.
    pub signer: Option<Result<SignerInfo, String>>,
    pub confirm: TextArea<'static>,
    pub comment: TextArea<'static>,
    pub passphrase: TextArea<'static>,
    pub error: Option<String>,
    /// Remarks written in the review, signed with the decision.
    pub remarks: Vec<crate::decision::Remark>,
    /// The stage to go on to after [`Stage::Unseen`].
    resume: Option<Stage>,
}

impl DialogModel {
    pub fn new(decision: Decision, change_id: &str, title: &str, level: &str) -> DialogModel {
        let critical = level == "critical";
        let mut comment = TextArea::default();
        comment.set_placeholder_text(match decision {
            Decision::Approve => "comment (optional)",
            Decision::Reject => "why is it rejected? (required)",
        });
        let mut confirm = TextArea::default();
        confirm.set_placeholder_text(format!("type {change_id} to go on"));
        let mut passphrase = TextArea::default();
        passphrase.set_mask_char('•');
        DialogModel {
            decision,
            change_id: change_id.to_string(),
            head: String::new(),
            title: title.to_string(),
            level: level.to_string(),
            stage: if critical {
                Stage::ConfirmId
            } else {
                Stage::Comment
            },
            signer: None,
            confirm,
            comment,
            passphrase,
            error: None,
            remarks: Vec::new(),
            resume: None,
        }
    }

    /// The dialog for the head that was displayed (see [`DialogModel::head`]).
    pub fn with_head(mut self, head: &str) -> DialogModel {
        self.head = head.to_string();
        self
    }

    /// Asks first (`y` goes on, Esc cancels): the reviewer is about to approve
    /// something they have not (fully) looked at; `why` says what.
    pub fn ask_first(&mut self, why: String) {
        let next = std::mem::replace(&mut self.stage, Stage::Unseen(why));
        self.resume = Some(next);
    }

    /// The comment as typed.
    pub fn comment_text(&self) -> String {
        self.comment.lines().join("\n").trim().to_string()
    }

    /// Handles a key. `sign`/`cancel` say whether the key is bound to those
    /// commands (Enter and Esc by default).
    pub fn key(&mut self, key: Key, sign: bool, cancel: bool) -> DialogAction {
        if let Stage::Done(_) = self.stage {
            return DialogAction::Close;
        }
        if let Stage::Moved(_) = self.stage {
            return if matches!(key.code, KeyCode::Char('R') | KeyCode::Char('r')) {
                DialogAction::Reload
            } else {
                DialogAction::Close
            };
        }
        if self.stage == Stage::Signing {
            return DialogAction::None;
        }
        if cancel {
            return DialogAction::Close;
        }
        if let Stage::Unseen(_) = self.stage {
            match key.code {
                KeyCode::Char('y' | 'Y') => {
                    self.stage = self.resume.take().unwrap_or(Stage::Comment);
                    self.error = None;
                }
                KeyCode::Char('n' | 'N') => return DialogAction::Close,
                _ => self.error = Some("press y to go on, or Esc to cancel".into()),
            }
            return DialogAction::None;
        }
        if sign {
            return self.enter();
        }
        // Alt-Enter: a new line in the comment.
        if key.code == KeyCode::Enter && self.stage == Stage::Comment {
            self.comment.insert_newline();
            return DialogAction::None;
        }
        let input = key.to_textarea();
        match self.stage {
            Stage::ConfirmId => {
                self.confirm.input(input);
            }
            Stage::Comment => {
                self.comment.input(input);
            }
            Stage::Passphrase => {
                self.passphrase.input(input);
            }
            _ => {}
        }
        self.error = None;
        DialogAction::None
    }

    /// Pasted text goes into the current field.
    pub fn paste(&mut self, text: &str) {
        let clean: String = text
            .chars()
            .filter(|c| *c == '\n' || crate::sanitize::hazard(*c).is_none())
            .collect();
        match self.stage {
            Stage::ConfirmId => {
                self.confirm.insert_str(clean.replace('\n', ""));
            }
            Stage::Comment => {
                self.comment.insert_str(clean);
            }
            Stage::Passphrase => {
                self.passphrase.insert_str(clean.replace('\n', ""));
            }
            _ => {}
        }
    }

    fn enter(&mut self) -> DialogAction {
        match self.stage {
            Stage::ConfirmId => {
                let typed = self.confirm.lines().join("");
                if typed.trim() == self.change_id {
                    self.stage = Stage::Comment;
                    self.error = None;
                } else {
                    self.error = Some(format!(
                        "this change is critical: type its id, {}, to go on",
                        self.change_id
                    ));
                }
                DialogAction::None
            }
            Stage::Comment => {
                if self.decision == Decision::Reject && self.comment_text().is_empty() {
                    self.error = Some("a rejection needs a comment: say why".into());
                    return DialogAction::None;
                }
                match &self.signer {
                    None => {
                        self.error = Some("still looking up the signing key…".into());
                        DialogAction::None
                    }
                    Some(Err(e)) => {
                        self.error = Some(format!("cannot sign: {e}"));
                        DialogAction::None
                    }
                    Some(Ok(s)) if s.needs_passphrase => {
                        self.stage = Stage::Passphrase;
                        self.error = None;
                        DialogAction::None
                    }
                    Some(Ok(_)) => self.sign(None),
                }
            }
            Stage::Passphrase => {
                let p = self.passphrase.lines().join("");
                self.sign(Some(p))
            }
            _ => DialogAction::None,
        }
    }

    fn sign(&mut self, passphrase: Option<String>) -> DialogAction {
        self.stage = Stage::Signing;
        self.error = None;
        DialogAction::Sign(SignRequest {
            change_id: self.change_id.clone(),
            head: self.head.clone(),
            decision: self.decision,
            comment: self.comment_text(),
            remarks: self.remarks.clone(),
            passphrase,
        })
    }

    /// Signing finished.
    pub fn signed(&mut self, result: Result<String, String>) {
        match result {
            Ok(msg) => self.stage = Stage::Done(msg),
            Err(e) if e.contains(super::backend::MOVED) => {
                self.error = None;
                self.stage = Stage::Moved(e);
            }
            Err(e) => {
                let had_passphrase = !self.passphrase.is_empty();
                self.passphrase = {
                    let mut t = TextArea::default();
                    t.set_mask_char('•');
                    t
                };
                self.stage = if had_passphrase {
                    Stage::Passphrase
                } else {
                    Stage::Comment
                };
                self.error = Some(e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            ctrl: false,
            alt: false,
        }
    }

    #[test]
    fn signs_only_the_displayed_head_and_offers_a_reload_when_it_moved() {
        let mut d = DialogModel::new(Decision::Approve, "abcd2345", "t", "low").with_head("h1");
        let DialogAction::Sign(req) = d.sign(None) else {
            panic!("no sign request");
        };
        assert_eq!(req.head, "h1");
        d.signed(Err(format!(
            "{}: abcd2345 has moved since you opened it",
            super::super::backend::MOVED
        )));
        assert!(matches!(d.stage, Stage::Moved(_)), "{:?}", d.stage);
        assert_eq!(d.key(key('R'), false, false), DialogAction::Reload);
        assert_eq!(d.key(key('x'), false, false), DialogAction::Close);
        // Any other error goes back to the comment, as before.
        let mut d = DialogModel::new(Decision::Approve, "abcd2345", "t", "low");
        d.sign(None);
        d.signed(Err("your key is not allowed".into()));
        assert_eq!(d.stage, Stage::Comment);
    }
}
