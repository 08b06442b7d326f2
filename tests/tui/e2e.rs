//! End-to-end: the real binary in a tmux session of 120×40; keys are sent with
//! `send-keys` and the screen is polled with `capture-pane` until the expected
//! text shows (never a bare sleep). Without tmux they fail, naming it.

use std::process::Command;

use crate::support::repo;
use crate::tmux::Tmux;

const BIN: &str = env!("CARGO_BIN_EXE_countersign");

#[test]
fn open_the_most_risky_change_move_around_and_quit() {
    let (r, _) = repo();
    let cmd = format!("{BIN} -C {}", r.path().display());
    let t = Tmux::start("review", &r.path(), &cmd);
    t.wait_for("Pending 3");
    // Every row's statistics are in when the last one shows its +/−, and the
    // order is final once the decision pass (after every row) shows approvals.
    t.wait_for("Fix the README");
    t.wait_for("+1 −1");
    let s = t.wait_for("0/2");
    // The first row of the table is the most risky; its id is the third column.
    let lines: Vec<&str> = s.lines().collect();
    let header = lines.iter().position(|l| l.starts_with("RISK")).unwrap();
    let first = lines[header + 1];
    let id = first.split_whitespace().nth(2).unwrap().to_string();
    t.keys(&["Enter"]);
    let s = t.wait_for("@@ ");
    assert!(s.lines().next().unwrap().contains(&id), "{s}");
    t.keys(&["G"]);
    t.keys(&["g", "/"]);
    t.text("pub fn");
    t.keys(&["Enter"]);
    t.wait_for("matches; n/N to move");
    t.keys(&["n", "]", "}", "j", "j", "t"]);
    t.wait_for("[side by side]");
    t.keys(&["?"]);
    t.wait_for("Keys (Esc closes)");
    t.keys(&["q"]);
    t.keys(&["Escape"]); // clears the search
    t.wait_for("search cleared");
    t.keys(&["q"]);
    t.wait_for("Pending 3");
    t.keys(&["q"]);
    t.wait_for("[exit=0]");
}

#[test]
fn the_demo_opens_straight_into_the_queue() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    let cmd = format!("{BIN} demo --dir {}", demo.display());
    let t = Tmux::start("demo", dir.path(), &cmd);
    t.wait_for("Pending");
    t.wait_for("RISK");
    t.keys(&["Enter"]);
    t.wait_for("@@");
    t.keys(&["]", "}", "j", "j", "Escape"]);
    t.wait_for("Pending");
    t.keys(&["C-c"]);
    t.wait_for("[exit=0]");
}

#[test]
fn resize_and_too_small() {
    let (r, _) = repo();
    let cmd = format!("{BIN} -C {}", r.path().display());
    let t = Tmux::start("resize", &r.path(), &cmd);
    t.wait_for("Pending 3");
    let st = Command::new("tmux")
        .args(["-L", &t.socket, "resize-window", "-x", "40", "-y", "8"])
        .status()
        .unwrap();
    assert!(st.success());
    t.wait_for("terminal too small");
    Command::new("tmux")
        .args(["-L", &t.socket, "resize-window", "-x", "120", "-y", "40"])
        .status()
        .unwrap();
    t.wait_for("Pending 3");
    t.keys(&["q"]);
    t.wait_for("[exit=0]");
}

/// Approve the most risky demo change (the demo ships a senior key) and see the
/// decision in `countersign audit --json`.
#[test]
fn approve_in_the_demo_and_see_it_in_audit() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    let cmd = format!("{BIN} demo --dir {}", demo.display());
    let t = Tmux::start("approve", dir.path(), &cmd);
    t.wait_for("RISK");
    t.wait_for("0/");
    t.keys(&["Enter"]);
    t.wait_for("@@");
    // With the risk engine, n moves to the first finding; without it, it says why.
    t.wait_for_any(&["findings", "risk analysis is not available"]);
    t.keys(&["n"]);
    t.wait_for_any(&[
        "finding 1/",
        "risk analysis is not available",
        "no findings",
    ]);
    t.keys(&["a"]);
    // No file was marked viewed (v): the dialog asks first.
    t.wait_for("not marked viewed");
    t.keys(&["y"]);
    // The stage line, not the header: the key lookup can finish (and the
    // header name the signer) before `y` is read, while the dialog still asks
    // about unviewed files.
    let s = t.wait_for_any(&["Type its id", "Comment ("]);
    // The signer shows once the key is looked up (off the UI thread).
    t.wait_for("signing as");
    let id = s
        .lines()
        .find_map(|l| l.split("Approve ").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the dialog names the change")
        .to_string();
    if s.contains("Type its id") {
        t.text(&id);
        t.keys(&["Enter"]);
        t.wait_for("Comment");
    }
    t.text("reviewed in the e2e test");
    t.keys(&["Enter"]);
    t.wait_for("recorded and verified");
    // Closing the result goes back to the queue, which shows the decision: the
    // change is approved, or (a critical one needs two seniors) has 1 of 2.
    t.keys(&["Enter"]);
    t.wait_for_any(&["Approved 1", "1/2"]);
    t.keys(&["q"]);
    t.wait_for("[exit=0]");
    let out = Command::new(BIN)
        .args(["-C", &demo.display().to_string(), "audit", "--json"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("reviewed in the e2e test"), "{text}");
    assert!(text.contains(&id), "{text}");
    assert!(text.contains("\"valid\""), "{text}");
}

/// Reject with a comment (required), then open the audit screen and see it.
#[test]
fn reject_with_a_comment_and_open_the_audit_screen() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    let cmd = format!("{BIN} demo --dir {}", demo.display());
    let t = Tmux::start("reject", dir.path(), &cmd);
    t.wait_for("RISK");
    t.wait_for("0/");
    t.keys(&["G", "r"]);
    let s = t.wait_for_any(&["Type its id", "Why is it rejected?"]);
    // The signer shows once the key is looked up (off the UI thread).
    t.wait_for("signing as");
    if s.contains("Type its id") {
        let id = s
            .lines()
            .find_map(|l| l.split("Reject ").nth(1))
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap()
            .to_string();
        t.text(&id);
        t.keys(&["Enter"]);
    }
    t.wait_for("Why is it rejected?");
    t.keys(&["Enter"]);
    t.wait_for("a rejection needs a comment");
    t.text("no tests for the new path");
    t.keys(&["Enter"]);
    t.wait_for("recorded and verified");
    t.keys(&["Enter"]);
    t.wait_for("Rejected 1");
    t.keys(&["A"]);
    t.wait_for("countersign · audit");
    t.wait_for("no tests for the new path");
    t.wait_for("1 valid");
    // Open the decision: the change as it was reviewed.
    t.keys(&["Enter"]);
    t.wait_for("as reviewed by you@shopfront.example");
    t.wait_for("@@ ");
    t.keys(&["q"]);
    t.wait_for("countersign · audit");
    t.keys(&["q"]);
    t.wait_for("Pending");
    t.keys(&["q"]);
    t.wait_for("[exit=0]");
}

/// Keys as in lazygit and gitui: Esc never quits from the queue (it clears a
/// kept filter, then says which key quits); the filter selects its best match,
/// so `a` acts on the row the user filtered for; `q` quits.
#[test]
fn esc_clears_the_filter_and_never_quits_q_quits() {
    let (r, ids) = repo();
    let readme = &ids[2];
    let cmd = format!("{BIN} -C {}", r.path().display());
    let t = Tmux::start("esckeys", &r.path(), &cmd);
    t.wait_for("Pending 3");
    t.wait_for("0/2");
    t.keys(&["Escape"]);
    let s = t.wait_for("press q to quit");
    assert!(s.contains("Pending 3"), "Esc did not quit: {s}");
    // Filter for the least risky change and keep the filter.
    t.keys(&["/"]);
    t.text("fix readme");
    t.keys(&["Enter"]);
    t.keys(&["a"]);
    let s = t.wait_for(&format!("Approve {readme}"));
    assert!(s.contains("Fix the README"), "{s}");
    t.keys(&["Escape"]); // cancels the dialog
    // The filter line shows under the dialog too: wait for the dialog to
    // close, or two Escapes in a row may reach the app as one Alt+Esc.
    t.wait_gone(&format!("Approve {readme}"));
    t.wait_for("fix readme");
    t.keys(&["Escape"]); // clears the kept filter
    let s = t.wait_for("filter cleared");
    assert!(s.contains("Let the debug token through"), "{s}");
    assert!(s.contains("Add billing rules"), "{s}");
    t.keys(&["Escape"]);
    t.wait_for("press q to quit");
    t.keys(&["q"]);
    t.wait_for("[exit=0]");
}
