//! Patch-ids bind all content: for binary files the full blob ids
//! (`git diff --full-index base head | git patch-id --verbatim`), so a binary
//! swapped for another whose abbreviated id is the same is not approved.

use std::collections::HashMap;

use sha1::{Digest, Sha1};

use crate::common::refused;
use crate::kit::{Team, reasons};

/// `git diff --full-index base head | git patch-id --verbatim`, first field.
fn full_index_patch_id(t: &Team, base: &str, head: &str) -> String {
    let diff = t
        .repo
        .git_output(&["diff", "--full-index", base, head], None);
    assert!(diff.status.success());
    let out = t
        .repo
        .git_output(&["patch-id", "--verbatim"], Some(&diff.stdout));
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .expect("git prints a patch-id")
        .to_string()
}

/// A binary blob (it has NUL bytes) numbered `n` of family `tag`.
fn blob(tag: &[u8], n: u32) -> Vec<u8> {
    let mut b = b"\x7fELF\x00\x00".to_vec();
    b.extend_from_slice(tag);
    b.extend_from_slice(&n.to_le_bytes());
    b.extend_from_slice(b"\x00\x01\x02");
    b
}

/// git's blob id of `data`.
fn blob_id(data: &[u8]) -> [u8; 20] {
    let mut h = Sha1::new();
    h.update(format!("blob {}\0", data.len()).as_bytes());
    h.update(data);
    h.finalize().into()
}

/// The first 28 bits (seven hex digits) of an id.
fn short(id: &[u8; 20]) -> u32 {
    (u32::from(id[0]) << 20)
        | (u32::from(id[1]) << 12)
        | (u32::from(id[2]) << 4)
        | (u32::from(id[3]) >> 4)
}

/// A good and an evil binary whose blob ids agree in their first seven hex
/// digits (a birthday search over 2^16 good blobs: about 4,000 evil tries).
fn colliding_pair() -> (Vec<u8>, Vec<u8>) {
    let mut good = HashMap::new();
    for n in 0..(1u32 << 16) {
        good.insert(short(&blob_id(&blob(b"good", n))), n);
    }
    for n in 0.. {
        let evil = blob(b"evil", n);
        if let Some(g) = good.get(&short(&blob_id(&evil))) {
            return (blob(b"good", *g), evil);
        }
    }
    unreachable!()
}

#[test]
fn a_binary_changes_patch_id_binds_the_full_blob_ids() {
    let t = Team::new(&["alice", "bob"]);
    t.repo.write_bytes("tool.bin", &blob(b"v1", 1));
    t.repo.commit_all("add the tool");
    t.repo.git(&["checkout", "-q", "-b", "feat", "main"]);
    t.repo.write_bytes("tool.bin", &blob(b"v2", 2));
    t.repo.write_bytes("logo.png", &blob(b"png", 3));
    t.repo
        .commit_all("new tool and logo\n\nAssisted-by: Claude Code");
    t.repo.git(&["checkout", "-q", "main"]);
    let id = t.repo.cs(&["submit", "feat"]).ok().trim().to_string();
    t.approve("alice", &id).ok();
    let rec = t.records("feat").pop().unwrap();
    let want = full_index_patch_id(&t, "main", "feat");
    assert_eq!(
        rec.patch_id.as_deref(),
        Some(want.as_str()),
        "binary patch-id"
    );
    // Text keeps the value it always had (the same with and without --full-index).
    let text = Team::new(&["alice"]);
    let tid = text.ai_change("feat", "a.txt", "a\nb\n");
    text.approve("alice", &tid).ok();
    let trec = text.records("feat").pop().unwrap();
    assert_eq!(
        trec.patch_id.as_deref(),
        Some(full_index_patch_id(&text, "main", "feat").as_str())
    );
    assert_eq!(trec.patch_id, text.repo.git_patch_id("main", "feat"));
}

#[test]
fn a_binary_swapped_for_one_with_the_same_short_id_is_not_approved() {
    let (good, evil) = colliding_pair();
    let (gid, eid) = (blob_id(&good), blob_id(&evil));
    assert_ne!(gid, eid);
    assert_eq!(short(&gid), short(&eid), "seven hex digits agree");

    let t = Team::new(&["alice", "bob"]);
    t.repo.git(&["checkout", "-q", "-b", "feat", "main"]);
    t.repo.write_bytes("bin/helper", &good);
    t.repo
        .commit_all("add the helper binary\n\nAssisted-by: Claude Code");
    t.repo.git(&["checkout", "-q", "main"]);
    let id = t.repo.cs(&["submit", "feat"]).ok().trim().to_string();
    t.approve("alice", &id).ok();
    t.approve("bob", &id).ok();
    assert_eq!(t.check_json("main..feat")["ok"], true);
    let approved = t.head("feat");

    // The agent amends the change: same path, same mode, the evil binary.
    t.repo.git(&["checkout", "-q", "feat"]);
    t.repo.write_bytes("bin/helper", &evil);
    t.repo.git(&["add", "-A"]);
    t.repo.git(&[
        "commit",
        "-q",
        "--amend",
        "-m",
        "add the helper binary\n\nAssisted-by: Claude Code",
    ]);
    t.repo.git(&["checkout", "-q", "main"]);
    assert_ne!(t.head("feat"), approved);
    // Resubmitted, the earlier approvals do not carry over.
    let again = t.repo.cs(&["submit", "feat"]).ok().trim().to_string();
    assert_eq!(again, id, "the same change, a new revision");
    let v = refused(&t, &["main..feat"]);
    assert_eq!(v["changes"][0]["approvals"], 0, "{v}");
    // Nor do the approvals copied onto the new head.
    for line in t.note(&approved).lines() {
        t.append_line("feat", line);
    }
    let v = refused(&t, &["main..feat"]);
    assert_eq!(v["changes"][0]["approvals"], 0, "{v}");
    let r = reasons(&v);
    assert!(r.contains("stale") || r.contains("replayed"), "{v}");
}
