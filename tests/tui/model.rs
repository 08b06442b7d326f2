//! The model without a screen: input and job results in, state out.

use std::sync::Arc;

use countersign::decision::RemarkSide;
use countersign::ui::app::{Layer, View};
use countersign::ui::dialog::Stage;
use countersign::ui::jobs::{Output, Request};
use countersign::ui::keys::{Input, Key, KeyCode};

use crate::support::{Script, real, repo, scripted, select, signer};

#[test]
fn results_for_a_closed_review_are_dropped() {
    let (r, _) = repo();
    let mut h = real(&r, 100, 30);
    h.settle();
    h.app.handle(Input::Key(Key::plain(KeyCode::Enter)));
    let stale = h.app.take_requests();
    assert_eq!(stale.len(), 1, "one diff request");
    h.app.handle(Input::Key(Key::char('q')));
    assert!(h.app.stack.is_empty());
    let changed = h.app.apply(Output::Diff {
        token: 1,
        result: Ok(Arc::new(Default::default())),
    });
    assert!(!changed, "no redraw for a closed review");
    assert!(h.app.stack.is_empty());
}

#[test]
fn highlights_of_files_off_screen_do_not_redraw() {
    let (r, ids) = repo();
    let mut h = real(&r, 100, 12);
    h.settle();
    let row = h
        .app
        .queue
        .visible
        .iter()
        .position(|i| h.app.queue.rows[*i].entry.change.id == ids[0])
        .unwrap();
    for _ in 0..row {
        h.press("j");
    }
    h.press("enter G");
    h.draw();
    let token = h.app.review().unwrap().token;
    // At the bottom of a 12-row screen, the first file is out of sight.
    let off = h.app.apply(Output::Highlight {
        token,
        file: 0,
        hunks: Arc::new(Vec::new()),
    });
    assert!(!off);
    let on = h.app.apply(Output::Highlight {
        token,
        file: 2,
        hunks: Arc::new(Vec::new()),
    });
    assert!(on);
}

#[test]
fn mouse_wheel_scrolls_the_diff_and_the_queue() {
    let (r, ids) = repo();
    let mut h = real(&r, 100, 20);
    h.settle();
    h.app.handle(Input::Wheel(3));
    assert_eq!(h.app.queue.selected, 2);
    h.app.handle(Input::Wheel(-3));
    assert_eq!(h.app.queue.selected, 0);
    select(&mut h, &ids[1]);
    h.press("enter");
    h.draw();
    h.app.handle(Input::Wheel(3));
    let rv = h.app.review().unwrap();
    assert_eq!(rv.top, 3);
    assert!(h.screen().contains("rule_"));
}

#[test]
fn pasted_comment_is_sanitised_and_ctrl_c_quits_from_a_dialog() {
    let (r, ids) = repo();
    let script = Script {
        signer: signer(false),
        ..Default::default()
    };
    let mut h = scripted(&r, script, 100, 30);
    select(&mut h, &ids[2]);
    // Not opened in the review: the dialog asks first.
    h.press("a y");
    h.app
        .handle(Input::Paste("fine\x1b[2J by me\u{202e}".into()));
    let Some(Layer::Dialog(d)) = h.app.layers.last() else {
        panic!("dialog open");
    };
    assert_eq!(d.comment_text(), "fine[2J by me");
    h.app.handle(Input::Key(Key::ctrl('c')));
    assert!(h.app.quit);
}

#[test]
fn a_decision_reloads_the_queue() {
    let (r, ids) = repo();
    let script = Script {
        signer: signer(false),
        ..Default::default()
    };
    let loads = script.loads.clone();
    let recorded = script.recorded.clone();
    let mut h = scripted(&r, script, 100, 30);
    select(&mut h, &ids[2]);
    let before = loads.load(std::sync::atomic::Ordering::SeqCst);
    assert!(before >= 1, "the queue was loaded once to start");
    h.press("a y enter");
    h.settle();
    assert_eq!(recorded.lock().unwrap().len(), 1, "one decision signed");
    assert_eq!(
        loads.load(std::sync::atomic::Ordering::SeqCst),
        before + 1,
        "the decision reloaded the queue"
    );
    assert!(!h.app.queue.loading);
    assert_eq!(h.app.queue.loaded(), 3);
    let s = h.screen();
    assert!(s.contains("recorded and verified"), "{s}");
    assert!(matches!(h.app.stack.last(), None | Some(View::Audit(_))));
}

#[test]
fn viewed_files_are_kept_across_restarts_and_approving_asks_until_all_are() {
    let (r, ids) = repo();
    let mut h = real(&r, 120, 30);
    select(&mut h, &ids[0]);
    h.press("enter");
    assert!(h.screen().contains("0 of 3 files viewed"));
    h.press("v");
    let s = h.screen();
    assert!(s.contains("1 of 3 files viewed"), "{s}");
    // A new console on the same repository: the mark is still there.
    let mut h = real(&r, 120, 30);
    select(&mut h, &ids[0]);
    h.press("enter");
    let s = h.screen();
    assert!(s.contains("1 of 3 files viewed"), "{s}");
    assert_eq!(h.app.review().unwrap().viewed.len(), 1);
    // Approving now asks first and says why.
    h.press("a");
    let Some(Layer::Dialog(d)) = h.app.layers.last() else {
        panic!("dialog open");
    };
    assert!(
        matches!(&d.stage, Stage::Unseen(why) if why.contains("2 of 3 files are not marked viewed")),
        "{:?}",
        d.stage
    );
    // Any key but y keeps asking; Esc leaves without deciding.
    h.press("enter");
    assert!(
        matches!(h.app.layers.last(), Some(Layer::Dialog(d)) if matches!(d.stage, Stage::Unseen(_)))
    );
    h.press("esc");
    assert!(h.app.layers.is_empty());
    // `v` moves on to the next file: from the second file, two presses view the rest.
    h.press("g ] v v");
    let s = h.screen();
    assert!(s.contains("3 of 3 files viewed"), "{s}");
    h.press("a");
    let Some(Layer::Dialog(d)) = h.app.layers.last() else {
        panic!("dialog open");
    };
    assert!(!matches!(d.stage, Stage::Unseen(_)), "{:?}", d.stage);
}

#[test]
fn a_on_the_queue_asks_first_unless_the_change_was_opened() {
    let (r, ids) = repo();
    let script = Script {
        signer: signer(false),
        ..Default::default()
    };
    let mut h = scripted(&r, script, 100, 30);
    select(&mut h, &ids[2]);
    h.press("a");
    assert!(
        matches!(h.app.layers.last(), Some(Layer::Dialog(d)) if matches!(&d.stage, Stage::Unseen(w) if w.contains("not opened"))),
    );
    h.press("n");
    assert!(h.app.layers.is_empty(), "n cancels");
    // Rejecting never asks: saying no needs no full read.
    h.press("r");
    assert!(matches!(h.app.layers.last(), Some(Layer::Dialog(d)) if d.stage == Stage::Comment));
    h.press("esc");
    // Opened (and every file viewed) in the review: `a` on the queue goes straight on.
    h.press("enter v q a");
    assert!(matches!(h.app.layers.last(), Some(Layer::Dialog(d)) if d.stage == Stage::Comment),);
}

#[test]
fn remarks_written_in_the_review_are_signed_with_the_decision() {
    let (r, ids) = repo();
    let script = Script {
        signer: signer(false),
        ..Default::default()
    };
    let mut h = scripted(&r, script, 100, 30);
    select(&mut h, &ids[2]);
    h.press("enter");
    // The README change: context `# shop` (new 1), ``, `-A web shop.` (old 3), `+…`.
    h.press("g j j c");
    assert!(h.screen().contains("remark on README.md:1"));
    h.type_text("say what the shop sells");
    h.press("enter");
    let s = h.screen();
    assert!(s.contains("✎ your remark: say what the shop sells"), "{s}");
    h.press("j j j c");
    assert!(h.screen().contains("remark on README.md:old:3"));
    // Hidden characters never get into a remark.
    h.app
        .handle(Input::Paste("keep \u{202e}this\x1b[2J".into()));
    h.press("enter");
    // `c` on a line with a remark edits it (the text comes back).
    h.press("g j j c");
    assert_eq!(
        h.app
            .review()
            .unwrap()
            .remark_input
            .as_ref()
            .unwrap()
            .value(),
        "say what the shop sells"
    );
    h.press("enter");
    let drafts = h.app.review().unwrap().drafts();
    assert_eq!(drafts.len(), 2, "{drafts:?}");
    // Leave the review undecided: the remarks wait; approve from the queue.
    h.press("v q a");
    let Some(Layer::Dialog(d)) = h.app.layers.last() else {
        panic!("dialog open");
    };
    assert_eq!(d.remarks.len(), 2);
    let s = h.screen();
    assert!(s.contains("2 remark(s) on lines"), "{s}");
    assert!(s.contains("README.md:old:3 keep this[2J"), "{s}");
    h.app.handle(Input::Key(Key::plain(KeyCode::Enter)));
    let req = h
        .app
        .take_requests()
        .into_iter()
        .find_map(|r| match r {
            Request::Sign(req) => Some(req),
            _ => None,
        })
        .expect("a sign request");
    let at: Vec<(String, RemarkSide, u32, String)> = req
        .remarks
        .iter()
        .map(|m| (m.path.clone(), m.side, m.line, m.text.clone()))
        .collect();
    assert_eq!(
        at,
        vec![
            (
                "README.md".into(),
                RemarkSide::New,
                1,
                "say what the shop sells".into()
            ),
            (
                "README.md".into(),
                RemarkSide::Old,
                3,
                "keep this[2J".into()
            ),
        ]
    );
    h.run(Request::Sign(req));
    h.settle();
    assert!(
        h.app.drafts.is_empty(),
        "signed remarks are no drafts any more"
    );
}
