//! No panic on any note content: records with multi-byte text where a byte
//! slice would cut a character, invalid UTF-8, NULs, huge and odd values,
//! signed by a real senior or not, and a queue ref with hostile trailers. Every
//! command that reads them answers (exit 0, 1 or 2), none panics.

use crate::common::{forge_pending_ref, no_panic};
use crate::kit::Team;

/// `rec` edited by `edit`, re-signed with alice's key when `sign`.
fn variant(
    t: &Team,
    rec: &countersign::decision::Record,
    edit: &dyn Fn(&mut serde_json::Value),
    sign: bool,
) -> Vec<u8> {
    let mut v = serde_json::to_value(rec).unwrap();
    edit(&mut v);
    if sign {
        let mut rec: countersign::decision::Record = serde_json::from_value(v).unwrap();
        t.sign_with(&t.key("alice"), &mut rec).into_bytes()
    } else {
        serde_json::to_string(&v).unwrap().into_bytes()
    }
}

/// Eleven ASCII bytes then a two-byte character: byte 12 is inside it.
fn cut12(tail: &str) -> String {
    format!("aaaaaaaaaaa\u{e9}{tail}")
}

#[test]
fn no_note_content_makes_any_command_panic() {
    let t = Team::new(&["alice", "bob"]);
    let id = t.ai_change("feat", "a.txt", "a\n");
    let rec = t.template("alice", &id);
    let set = |k: &'static str, val: serde_json::Value| {
        move |v: &mut serde_json::Value| v[k] = val.clone()
    };
    let mut lines: Vec<Vec<u8>> = Vec::new();
    // Validly signed records with hostile fields.
    for (k, val) in [
        ("head", serde_json::json!(cut12(&"b".repeat(28)))),
        ("head", serde_json::json!("\u{e9}")),
        ("head", serde_json::json!("")),
        ("base", serde_json::json!(cut12("\u{202e}"))),
        ("tree", serde_json::json!(cut12("x"))),
        ("change", serde_json::json!(cut12("\u{1b}[2J"))),
        ("patch_id", serde_json::json!(cut12("\u{200b}"))),
        ("repo", serde_json::json!(cut12("r"))),
        ("reviewer", serde_json::json!(cut12("@example.com"))),
        ("key", serde_json::json!(cut12("SHA256:"))),
        (
            "comment",
            serde_json::json!("\u{1b}]52;c;ZXZpbA==\u{7}\u{202e}\r\u{0}".repeat(500)),
        ),
        ("at", serde_json::json!("9999-12-31T23:59:59Z")),
        ("at", serde_json::json!("0001-01-01T00:00:00+14:00")),
        (
            "at",
            serde_json::json!("2026-01-01T00:00:00.123456789-23:59"),
        ),
    ] {
        lines.push(variant(&t, &rec, &set(k, val.clone()), true));
        lines.push(variant(&t, &rec, &set(k, val), false));
    }
    lines.push(variant(
        &t,
        &rec,
        &|v| v["risk"] = serde_json::json!({"level": cut12("\u{1f4a5}"), "score": 255}),
        true,
    ));
    // Unsigned oddities.
    let long = "\u{e9}".repeat(33_000);
    for raw in [
        format!("{{\"v\":1,\"comment\":\"{long}\"}}"),
        long.clone(),
        format!("\u{feff}{}", "[".repeat(10_000)),
        "{\"v\":1e999,\"sig\":\"x\"}".to_string(),
        "{\"v\":-1,\"sig\":\"x\",\"risk\":{\"score\":300}}".to_string(),
        "{\"sig\":\"\\ud800\",\"head\":\"\\udfff\"}".to_string(),
        "{\"sig\":{\"nested\":[1,2,{\"x\":null}]}}".to_string(),
        "\r\r\r".to_string(),
        "null".to_string(),
        "\"\u{e9}\"".to_string(),
    ] {
        lines.push(raw.into_bytes());
    }
    lines.push(b"{\"v\":1,\"comment\":\"bad \xff\xfe utf8\",\"sig\":\"\x00\"}".to_vec());
    lines.push(b"\xc3".to_vec());
    let mut note = Vec::new();
    for l in &lines {
        note.extend_from_slice(l);
        note.push(b'\n');
    }
    let blob = t
        .repo
        .git_output(&["hash-object", "-w", "--stdin"], Some(&note));
    assert!(blob.status.success());
    let blob = String::from_utf8_lossy(&blob.stdout).trim().to_string();
    let head = t.head("feat");
    t.repo.git(&[
        "notes",
        "--ref=countersign",
        "add",
        "-f",
        "-C",
        &blob,
        &head,
    ]);
    // The same lines on main's note (a commit that is no change at all).
    t.repo.git(&[
        "notes",
        "--ref=countersign",
        "add",
        "-f",
        "-C",
        &blob,
        "main",
    ]);
    // A queue ref with hostile trailers beside it.
    let evil_id = format!("x{}", cut12("\u{202e}"));
    forge_pending_ref(&t, &evil_id, &head, &cut12("\u{e9}"));

    let runs: Vec<Vec<&str>> = vec![
        vec!["check", "main..feat"],
        vec!["check", "--json", "main..feat"],
        vec!["check", "feat"],
        vec!["check", "main"],
        vec!["audit"],
        vec!["audit", "--json"],
        vec!["audit", "--csv"],
        vec!["audit", "--landed", "main~1..main"],
        vec!["audit", "--landed", "main~1..feat", "--json"],
        vec!["queue"],
        vec!["queue", "--all", "--json"],
        vec!["show", &id],
        vec!["feedback", &id],
        vec!["feedback", &id, "--json"],
        vec!["history", &id],
        vec!["show", &evil_id],
        vec!["history", &evil_id],
    ];
    for args in &runs {
        let r = t.cs_env(args, &[]);
        no_panic(&r, &args.join(" "));
        assert!(
            [0, 1, 2].contains(&r.code),
            "{args:?} exited {}: {}",
            r.code,
            r.stderr
        );
    }
    // The console reads the same notes (queue states, the audit screen).
    let cmd = format!(
        "{} -C {}",
        env!("CARGO_BIN_EXE_countersign"),
        t.repo.path().display()
    );
    let config = t.keys.path().join("console.toml");
    std::fs::write(&config, "").unwrap();
    let tm = crate::seeing::Tmux::start(t.repo.path(), &cmd, &config);
    tm.wait_for("Pending");
    tm.keys(&["A"]);
    let s = tm.wait_for("countersign · audit");
    assert!(!s.contains('\u{202e}'), "{s}");
    tm.keys(&["q"]);
    tm.wait_for("Pending");
    tm.keys(&["q"]);
    let s = tm.wait_for("[exit=");
    assert!(s.contains("[exit=0]") && !s.contains("panicked"), "{s}");
    // The audit reports the bad lines rather than passing them.
    let (code, audit) = t.audit();
    assert_eq!(code, 1, "{audit}");
    // Approving on top of such a note still works, and counts.
    t.approve("bob", &id).ok();
    let v = t.check_json("main..feat");
    assert!(v["changes"][0]["approvals"].as_u64().unwrap() >= 1, "{v}");
}
