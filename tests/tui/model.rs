//! The model without a screen: input and job results in, state out.

use std::sync::Arc;

use countersign::ui::app::{Layer, View};
use countersign::ui::jobs::Output;
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
    let mut h = scripted(&r, script, 100, 30);
    select(&mut h, &ids[2]);
    h.press("a y enter");
    assert!(h.app.queue.loading || h.app.queue.loaded() == 3);
    let s = h.screen();
    assert!(s.contains("recorded and verified"), "{s}");
    assert!(matches!(h.app.stack.last(), None | Some(View::Audit(_))));
}
