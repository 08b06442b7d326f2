//! Snapshot tests of every screen, drawn on ratatui's TestBackend from a real
//! temporary git repository.

use countersign::ui::app::{Layer, View};
use countersign::ui::backend::Decision;
use countersign::ui::dialog::Stage;
use insta::assert_snapshot;

use crate::support::{self, Script, findings, real, repo, scripted, select, signer};

#[test]
fn queue_first_frame_comes_before_the_data() {
    let (r, _) = repo();
    let mut h = real(&r, 120, 16);
    // Nothing has run yet: the frame shows progress.
    assert_snapshot!(h.screen());
}

#[test]
fn queue_most_risky_first() {
    let (r, ids) = repo();
    let mut h = real(&r, 120, 16);
    h.settle();
    let s = h.screen();
    assert!(s.find("Add billing rules").unwrap() < s.find("Fix the README").unwrap());
    assert!(s.contains(&ids[0]));
    assert_snapshot!(s);
}

#[test]
fn queue_fuzzy_filter_sort_and_tabs() {
    let (r, _) = repo();
    let mut h = real(&r, 120, 14);
    h.settle();
    h.press("/");
    h.type_text("readme");
    assert_snapshot!("queue_filtered", h.screen());
    h.press("esc s s");
    assert_snapshot!("queue_sorted_by_size", h.screen());
    h.press("tab");
    assert_snapshot!("queue_approved_tab_empty", h.screen());
}

#[test]
fn review_unified_with_escapes_binary_and_bidi() {
    let (r, ids) = repo();
    let mut h = real(&r, 120, 40);
    h.settle();
    // Open the auth change (the second row once the queue is sorted by risk).
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
    h.press("enter");
    let s = h.screen();
    assert!(s.contains("^[[2J"), "escape sequence shown: {s}");
    assert!(s.contains("<U+202E>"), "bidi control shown: {s}");
    assert!(s.contains("binary file"), "{s}");
    assert!(
        s.contains("risk analysis is not available yet") || s.contains("findings"),
        "{s}"
    );
    assert_snapshot!(s);
}

fn open_auth(h: &mut countersign::ui::harness::Harness, id: &str) {
    h.settle();
    let row = h
        .app
        .queue
        .visible
        .iter()
        .position(|i| h.app.queue.rows[*i].entry.change.id == id)
        .unwrap();
    for _ in 0..row {
        h.press("j");
    }
    h.press("enter");
}

#[test]
fn review_side_by_side() {
    let (r, ids) = repo();
    let mut h = real(&r, 140, 30);
    open_auth(&mut h, &ids[0]);
    h.press("] ] t");
    assert_snapshot!(h.screen());
}

#[test]
fn review_findings_in_gutter_and_inline() {
    let (r, ids) = repo();
    let script = Script {
        findings: findings(),
        ..Default::default()
    };
    let mut h = scripted(&r, script, 120, 30);
    open_auth(&mut h, &ids[0]);
    h.press("n");
    assert_snapshot!("review_first_finding", h.screen());
    h.press("n");
    assert_snapshot!("review_second_finding", h.screen());
    // On the line itself, the panel shows its worst finding.
    h.press("k");
    let s = h.screen();
    assert!(s.contains("critical auth-bypass src/auth.rs:5:"), "{s}");
}

#[test]
fn review_navigation_search_collapse_and_scroll() {
    let (r, ids) = repo();
    let mut h = real(&r, 100, 20);
    open_auth(&mut h, &ids[1]);
    h.press("} G");
    assert_snapshot!("review_bottom", h.screen());
    h.press("g /");
    h.type_text("rule_17");
    h.press("enter");
    assert_snapshot!("review_search", h.screen());
    h.press("esc z");
    assert_snapshot!("review_collapsed", h.screen());
    h.press("z l l");
    assert_snapshot!("review_scrolled_right", h.screen());
}

#[test]
fn review_file_list_focus_and_jump() {
    let (r, ids) = repo();
    let mut h = real(&r, 120, 24);
    open_auth(&mut h, &ids[0]);
    h.press("tab j j enter");
    let rv = h.app.review().unwrap();
    assert_eq!(rv.current_file(), Some(2));
    assert_snapshot!(h.screen());
}

#[test]
fn help_overlay_lists_the_registry() {
    let (r, _) = repo();
    let mut h = real(&r, 100, 40);
    h.settle();
    h.press("?");
    let s = h.screen();
    for c in countersign::ui::commands::registry(countersign::ui::commands::Screen::Queue) {
        assert!(s.contains(c.help), "help lists {}: {s}", c.name);
    }
    assert_snapshot!(s);
}

#[test]
fn user_keys_change_keys_and_help() {
    let (r, _) = repo();
    let mut user = support::user();
    user.keys.insert("approve".into(), "ctrl-a".into());
    user.keys.insert("bogus".into(), "x".into());
    let b = countersign::ui::backend::GitBackend::open(&r.path(), &user, None).unwrap();
    let mut h = countersign::ui::harness::Harness::new(std::sync::Arc::new(b), &user, 100, 40, 0);
    let s = h.screen();
    assert!(s.contains("no command named 'bogus'"), "{s}");
    h.settle();
    h.press("?");
    let s = h.screen();
    assert!(s.contains("Ctrl-a"), "{s}");
}

#[test]
fn dialog_approve_sign_and_done() {
    let (r, ids) = repo();
    let script = Script {
        signer: signer(false),
        level: Some("high".into()),
        ..Default::default()
    };
    let recorded = script.recorded.clone();
    let mut h = scripted(&r, script, 100, 30);
    select(&mut h, &ids[2]);
    h.press("a");
    // Approving from the queue a change not opened in the review asks first.
    assert_snapshot!("dialog_approve_unseen", h.screen());
    h.press("y");
    assert_snapshot!("dialog_approve", h.screen());
    h.type_text("LGTM");
    assert!(recorded.lock().unwrap().is_empty(), "nothing signed yet");
    h.press("enter");
    assert_snapshot!("dialog_done", h.screen());
    {
        let rec = recorded.lock().unwrap();
        assert_eq!(rec.len(), 1, "signed once");
        assert_eq!(rec[0].change_id, ids[2], "the selected change");
        let shown = h
            .app
            .queue
            .rows
            .iter()
            .find(|r| r.entry.change.id == ids[2])
            .map(|r| r.entry.change.head.clone())
            .unwrap();
        assert_eq!(rec[0].head, shown, "the head the reviewer was shown");
        assert_eq!(rec[0].decision, Decision::Approve);
        assert_eq!(rec[0].comment, "LGTM");
        assert_eq!(rec[0].passphrase, None, "an unencrypted key");
    }
    let Some(Layer::Dialog(d)) = h.app.layers.last() else {
        panic!("dialog open")
    };
    assert!(matches!(d.stage, Stage::Done(_)));
    h.press("enter");
    assert!(h.app.layers.is_empty());
}

#[test]
fn dialog_reject_needs_a_comment() {
    let (r, ids) = repo();
    let script = Script {
        signer: signer(false),
        ..Default::default()
    };
    let recorded = script.recorded.clone();
    let mut h = scripted(&r, script, 100, 30);
    select(&mut h, &ids[1]);
    h.press("r enter");
    assert_snapshot!(h.screen());
    assert!(
        recorded.lock().unwrap().is_empty(),
        "no reject without a comment"
    );
    h.type_text("breaks checkout");
    h.press("enter");
    let rec = recorded.lock().unwrap();
    assert_eq!(rec.len(), 1);
    assert_eq!(rec[0].change_id, ids[1]);
    assert_eq!(rec[0].decision, Decision::Reject);
    assert_eq!(rec[0].comment, "breaks checkout");
}

#[test]
fn dialog_critical_change_asks_for_its_id_then_passphrase() {
    let (r, ids) = repo();
    let script = Script {
        signer: signer(true),
        findings: findings(),
        wrong_passphrase: true,
        ..Default::default()
    };
    let recorded = script.recorded.clone();
    let mut h = scripted(&r, script, 100, 30);
    open_auth(&mut h, &ids[0]);
    // No file is marked viewed: asked first, then the id of a critical change.
    h.press("a y");
    assert_snapshot!("dialog_critical_confirm", h.screen());
    h.type_text("nope");
    h.press("enter");
    assert_snapshot!("dialog_critical_wrong_id", h.screen());
    h.press("ctrl-u");
    // Clear the field: select all isn't bound; delete what was typed.
    for _ in 0..4 {
        h.press("backspace");
    }
    h.type_text(&ids[0]);
    h.press("enter");
    h.type_text("checked with the team");
    h.press("enter");
    assert_snapshot!("dialog_passphrase", h.screen());
    h.type_text("wrong");
    h.press("enter");
    assert_snapshot!("dialog_wrong_passphrase", h.screen());
    assert!(
        recorded.lock().unwrap().is_empty(),
        "nothing signed with the wrong passphrase"
    );
    h.type_text("right");
    h.press("enter");
    let s = h.screen();
    assert!(s.contains("recorded and verified"), "{s}");
    let rec = recorded.lock().unwrap();
    assert_eq!(rec.len(), 1, "signed once");
    assert_eq!(rec[0].change_id, ids[0], "the critical change");
    assert_eq!(rec[0].decision, Decision::Approve);
    assert_eq!(rec[0].comment, "checked with the team");
    assert_eq!(rec[0].passphrase.as_deref(), Some("right"));
}

#[test]
fn dialog_without_a_key_says_so() {
    let (r, ids) = repo();
    let mut h = real(&r, 100, 30);
    select(&mut h, &ids[2]);
    h.press("a y enter");
    let s = h.screen();
    assert!(s.contains("cannot sign: no signing key"), "{s}");
    h.press("esc");
    assert!(h.app.layers.is_empty());
}

#[test]
fn audit_screen_lists_and_filters_decisions() {
    let (r, _) = repo();
    let mut h = scripted(&r, Script::default(), 120, 16);
    h.settle();
    h.press("A");
    assert_snapshot!("audit_all", h.screen());
    h.press("d");
    assert_snapshot!("audit_approvals", h.screen());
    h.press("d d /");
    h.type_text("lee@example");
    assert_snapshot!("audit_filtered", h.screen());
}

#[test]
fn audit_screen_without_decisions_says_so() {
    let (r, _) = repo();
    let mut h = real(&r, 100, 12);
    h.settle();
    h.press("A");
    let s = h.screen();
    assert!(s.contains("no decisions recorded yet"), "{s}");
    h.press("q");
    assert!(matches!(h.app.stack.last(), None | Some(View::Review(_))));
}

#[test]
fn too_small_terminal_says_so() {
    let (r, _) = repo();
    let mut h = real(&r, 40, 8);
    h.settle();
    assert_snapshot!(h.screen());
    h.resize(100, 20);
    assert!(h.screen().contains("Pending 3"));
}

/// Dialog text wraps at the box's edge: a long result is read in full, not
/// cut at the border.
#[test]
fn dialog_wraps_a_long_result() {
    let (r, ids) = repo();
    let message = "approved j2arke34: recorded and verified; now approved (2/2 approvals at risk high); the queue reloads to show its new state";
    let script = Script {
        signer: signer(false),
        level: Some("high".into()),
        outcome: Some(message.into()),
        ..Default::default()
    };
    let mut h = scripted(&r, script, 64, 30);
    select(&mut h, &ids[2]);
    // Not opened in the review: `y` answers the question asked first.
    h.press("a y");
    h.type_text("LGTM");
    h.press("enter");
    let s = h.screen();
    let joined: String = s
        .lines()
        .filter_map(|l| l.split('│').nth(1))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        joined.contains("the queue reloads to show its new state"),
        "{s}"
    );
    // Only the dialog: at 64 columns the queue's fixed columns behind it do
    // not fit, and how ratatui's solver shares out the shortfall varies from
    // run to run.
    let dialog: Vec<&str> = s
        .lines()
        .skip_while(|l| !l.starts_with('╭'))
        .take_while(|l| !l.starts_with('╰'))
        .collect();
    assert_snapshot!("dialog_done_wrapped", dialog.join("\n"));
}

/// AGE is the age of the change (its head's author date), not of the scan or
/// submission that queued it.
#[test]
fn queue_age_is_the_age_of_the_change() {
    let (r, _) = repo();
    let real =
        countersign::ui::backend::GitBackend::open(&r.path(), &support::user(), None).unwrap();
    // Ten days after the commits were written (the queue refs were written
    // today, years later).
    let now = 1_700_000_000 + 10 * 86_400;
    let mut h = countersign::ui::harness::Harness::new(
        std::sync::Arc::new(support::Scripted { real, script: None }),
        &support::user(),
        120,
        16,
        now,
    );
    h.settle();
    let s = h.screen();
    let rows: Vec<&str> = s.lines().filter(|l| l.contains(" pending")).collect();
    assert_eq!(rows.len(), 3, "{s}");
    for row in rows {
        assert!(row.contains(" 9d ") || row.contains(" 10d "), "{row}\n{s}");
    }
}
