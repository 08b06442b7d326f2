//! Interop with plain OpenSSH, both ways, for ed25519, ECDSA and RSA keys.

use std::process::Command;

use crate::kit::{Team, email, run_with_stdin};

/// A record written by countersign verifies with `ssh-keygen -Y verify` on the
/// canonical payload, which `jq -cjS 'del(.sig)'` reproduces from the note.
fn countersign_record_verifies_with_ssh_keygen(kind: &str) {
    let t = Team::with_keys(&[("alice", kind)]);
    let id = t.ai_change("feat", "a.txt", "a\n");
    t.approve("alice", &id).ok();
    let line = t.note("feat").lines().next().unwrap().to_string();
    let parsed = countersign::decision::parse_line(&line).unwrap();
    // The armor is laid out as ssh-keygen writes it: 70-column lines, LF, a
    // final newline.
    let sig = &parsed.record.sig;
    assert!(sig.starts_with("-----BEGIN SSH SIGNATURE-----\n"));
    assert!(sig.ends_with("\n-----END SSH SIGNATURE-----\n"));
    assert!(sig.lines().all(|l| l.len() <= 70) && !sig.contains('\r'));
    assert_eq!(sig.lines().nth(1).unwrap().len(), 70);
    let dir = t.keys.path();
    std::fs::write(dir.join("sig"), &parsed.record.sig).unwrap();
    let signers = t.repo.path().join(".countersign/allowed_signers");
    let verify = |payload: &[u8]| {
        run_with_stdin(
            Command::new("ssh-keygen")
                .args(["-Y", "verify", "-f"])
                .arg(&signers)
                .args(["-I", &email("alice"), "-n", "countersign", "-s"])
                .arg(dir.join("sig")),
            payload,
        )
    };
    let (code, out, err) = verify(parsed.payload.as_bytes());
    assert_eq!(code, 0, "{out} {err}");
    assert!(
        out.contains("Good \"countersign\" signature for alice@example.com"),
        "{out}"
    );
    // The auditor's way: jq reproduces the payload byte for byte.
    let (code, jq, err) = run_with_stdin(
        Command::new("jq").args(["-cjS", "del(.sig)"]),
        line.as_bytes(),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(jq, parsed.payload);
    // One changed byte and OpenSSH refuses it too.
    let tampered = parsed.payload.replace("looks right", "looks wrong");
    let (code, _, _) = verify(tampered.as_bytes());
    assert_ne!(code, 0);
}

#[test]
fn ed25519_record_verifies_with_ssh_keygen() {
    countersign_record_verifies_with_ssh_keygen("ed25519");
}

#[test]
fn ecdsa_record_verifies_with_ssh_keygen() {
    countersign_record_verifies_with_ssh_keygen("ecdsa");
}

#[test]
fn rsa_record_verifies_with_ssh_keygen() {
    countersign_record_verifies_with_ssh_keygen("rsa");
}

/// A record whose `sig` was made by `ssh-keygen -Y sign`, written with the
/// git CLI, counts in countersign.
fn ssh_keygen_signature_verifies_in_countersign(kind: &str) {
    let t = Team::with_keys(&[("alice", kind), ("bob", "ed25519")]);
    let id = t.ai_change("feat", "a.txt", "a\n");
    let mut rec = t.template("bob", &id);
    rec.reviewer = email("alice");
    let fp = Command::new("ssh-keygen")
        .args(["-l", "-E", "sha256", "-f"])
        .arg(t.key("alice"))
        .output()
        .unwrap();
    rec.key = String::from_utf8_lossy(&fp.stdout)
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_string();
    let (code, sig, err) = run_with_stdin(
        Command::new("ssh-keygen")
            .args(["-q", "-Y", "sign", "-n", "countersign", "-f"])
            .arg(t.key("alice")),
        rec.payload().as_bytes(),
    );
    assert_eq!(code, 0, "{err}");
    rec.sig = sig;
    let head = t.head("feat");
    t.repo.git(&[
        "notes",
        "--ref=countersign",
        "add",
        "-m",
        &rec.to_line(),
        &head,
    ]);
    let v = t.check_json("main..feat");
    assert_eq!(v["ok"], true, "{v}");
    let (code, audit) = t.audit();
    assert_eq!(code, 0);
    assert_eq!(audit["decisions"][0]["status"], "valid");
}

#[test]
fn ssh_keygen_ed25519_signature_verifies_in_countersign() {
    ssh_keygen_signature_verifies_in_countersign("ed25519");
}

#[test]
fn ssh_keygen_ecdsa_signature_verifies_in_countersign() {
    ssh_keygen_signature_verifies_in_countersign("ecdsa");
}

#[test]
fn ssh_keygen_rsa_signature_verifies_in_countersign() {
    ssh_keygen_signature_verifies_in_countersign("rsa");
}

#[test]
fn the_demo_key_helpers_make_a_working_policy() {
    use countersign::decision::{generate_ed25519, write_policy_files};
    let dir = tempfile::tempdir().unwrap();
    let k = generate_ed25519("demo@example.com").unwrap();
    std::fs::write(dir.path().join("id"), &k.private_openssh).unwrap();
    let written = write_policy_files(
        dir.path(),
        &[("demo@example.com".to_string(), k.public_line.clone())],
        false,
    )
    .unwrap();
    assert_eq!(written.len(), 2);
    // ssh-keygen signs with the generated private key (it wants mode 0600),
    // and verifies against the generated allowed_signers.
    let (code, sig, err) = run_with_stdin(
        Command::new("ssh-keygen")
            .args(["-q", "-Y", "sign", "-n", "countersign", "-f"])
            .arg({
                let p = dir.path().join("id");
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
                }
                p
            }),
        b"payload",
    );
    assert_eq!(code, 0, "{err}");
    std::fs::write(dir.path().join("sig"), sig).unwrap();
    let (code, out, err) = run_with_stdin(
        Command::new("ssh-keygen")
            .args(["-Y", "verify", "-f"])
            .arg(dir.path().join(".countersign/allowed_signers"))
            .args(["-I", "demo@example.com", "-n", "countersign", "-s"])
            .arg(dir.path().join("sig")),
        b"payload",
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        write_policy_files(dir.path(), &[], false).is_err(),
        "no overwrite"
    );
}

#[test]
fn a_key_held_by_ssh_agent_signs_through_ssh_keygen() {
    let t = Team::new(&["alice"]);
    // A copy of the public key with no private key beside it, so ssh-keygen
    // can only sign through the agent.
    let only = t.keys.path().join("agent-only");
    std::fs::create_dir(&only).unwrap();
    let public = only.join("alice.pub").to_str().unwrap().to_string();
    std::fs::copy(format!("{}.pub", t.key("alice").display()), &public).unwrap();
    let id = t.ai_change("feat", "a.txt", "a\n");
    // `ssh-agent <command>` runs the command under a fresh agent and ends
    // with it: the private key is loaded into the agent only.
    let out = Command::new("ssh-agent")
        .args([
            "sh",
            "-c",
            "ssh-add -q \"$1\" && \"$2\" --key \"$3\" approve \"$4\"",
            "sh",
        ])
        .arg(t.key("alice"))
        .arg(crate::support::bin())
        .arg(&public)
        .arg(&id)
        .current_dir(t.repo.path())
        .env("COUNTERSIGN_CONFIG", t.repo.path().join("none.toml"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("as alice@example.com"), "{stdout}");
    assert_eq!(t.check_json("main..feat")["ok"], true);
    // Without the agent, signing fails with a clear message and writes nothing.
    let id2 = t.ai_change("feat2", "b.txt", "b\n");
    let r = t.cs_env(
        &["--key", &public, "approve", &id2],
        &[("SSH_AUTH_SOCK", "/nonexistent.sock")],
    );
    assert!(r.bad_input().contains("ssh-agent"), "{}", r.stderr);
    assert!(t.note("feat2").is_empty());
}
