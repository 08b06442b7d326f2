//! The CI assets: the pre-receive hook against a real bare repository, and the
//! GitHub Actions job's script run in a real clone.

use std::path::Path;
use std::process::{Command, Output};

use crate::kit::Team;
use crate::support::bin;

fn git_in(dir: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("COUNTERSIGN", bin())
        .env("COUNTERSIGN_CONFIG", dir.join("none.toml"))
        .output()
        .unwrap()
}

fn ok(o: Output) -> String {
    assert!(
        o.status.success(),
        "{} {}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn asset(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/ci")
        .join(name)
}

/// A bare server repository; `hook` installs the pre-receive hook.
fn server(hook: bool) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    ok(git_in(
        d.path(),
        &["init", "-q", "--bare", "-b", "main", "."],
    ));
    if hook {
        let dst = d.path().join("hooks/pre-receive");
        std::fs::copy(asset("pre-receive"), &dst).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dst, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
    d
}

#[test]
fn pre_receive_refuses_unapproved_ai_pushes_and_accepts_approved_ones() {
    let t = Team::new(&["alice"]);
    let srv = server(true);
    let remote = srv.path().to_str().unwrap();
    let w = t.repo.path();
    ok(git_in(w, &["remote", "add", "origin", remote]));
    ok(git_in(w, &["push", "-q", "origin", "main"]));
    let id = t.ai_change("feat", "a.txt", "a\n");

    let refused = git_in(w, &["push", "origin", "feat"]);
    assert!(
        !refused.status.success(),
        "an unapproved AI change was accepted"
    );
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("push to refs/heads/feat refused"), "{err}");
    assert!(err.contains("NOT APPROVED"), "{err}");
    let on_server = git_in(
        srv.path(),
        &["rev-parse", "--verify", "-q", "refs/heads/feat"],
    );
    assert!(!on_server.status.success(), "the ref must not move");

    t.approve("alice", &id).ok();
    // Decisions first (the hook lets notes through), then the code.
    ok(git_in(
        w,
        &["push", "-q", "origin", "refs/notes/countersign"],
    ));
    ok(git_in(w, &["push", "-q", "origin", "feat"]));
    // Fast-forwarding main to the approved change is accepted too.
    ok(git_in(w, &["push", "-q", "origin", "feat:main"]));
    assert_eq!(
        ok(git_in(srv.path(), &["rev-parse", "main"])).trim(),
        t.head("feat")
    );
    // A further unapproved AI commit on main is refused.
    t.repo.git(&["checkout", "-q", "feat"]);
    t.repo.write("b.txt", "b\n");
    t.repo.commit_all("more\n\nGenerated-by: Copilot");
    let refused = git_in(w, &["push", "origin", "feat:main"]);
    assert!(!refused.status.success());
}

/// The `run: |` block of the step named `name` in the workflow file.
fn workflow_step_script(yaml: &str, name: &str) -> String {
    let lines: Vec<&str> = yaml.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim() == format!("- name: {name}"))
        .expect("the step exists");
    let run = start
        + lines[start..]
            .iter()
            .position(|l| l.trim() == "run: |")
            .expect("the step has a run block");
    let indent = |l: &str| l.len() - l.trim_start().len();
    let base = indent(lines[run + 1]);
    lines[run + 1..]
        .iter()
        .take_while(|l| l.trim().is_empty() || indent(l) >= base)
        .map(|l| l.get(base..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_github_actions_job_gates_a_clone() {
    let yaml = std::fs::read_to_string(asset("github-actions.yml")).unwrap();
    assert!(yaml.contains("fetch-depth: 0"), "full history is needed");
    let script = workflow_step_script(&yaml, "countersign check");
    assert!(script.contains("countersign check"), "{script}");

    let t = Team::new(&["alice"]);
    let srv = server(false);
    let w = t.repo.path();
    ok(git_in(
        w,
        &["remote", "add", "origin", srv.path().to_str().unwrap()],
    ));
    let id = t.ai_change("feat", "a.txt", "a\n");
    ok(git_in(w, &["push", "-q", "origin", "main", "feat"]));
    let base = t.head("main");
    let head = t.head("feat");

    let ci = tempfile::tempdir().unwrap();
    ok(git_in(
        ci.path(),
        &["clone", "-q", srv.path().to_str().unwrap(), "."],
    ));
    let path = format!(
        "{}:{}",
        bin().parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let job = |cs_base: &str| {
        Command::new("sh")
            .args(["-e", "-c", &script])
            .current_dir(ci.path())
            .env("PATH", &path)
            .env("CS_BASE", cs_base)
            .env("CS_HEAD", &head)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("COUNTERSIGN_CONFIG", ci.path().join("none.toml"))
            .output()
            .unwrap()
    };
    let r = job(&base);
    assert_eq!(
        r.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    assert!(String::from_utf8_lossy(&r.stdout).contains("NOT APPROVED"));
    // A push event for a new branch has an all-zero `before`: the job still
    // gates it (a job that skipped the check would exit 0 here).
    let r = job("0000000000000000000000000000000000000000");
    assert_eq!(
        r.status.code(),
        Some(1),
        "{} {}",
        String::from_utf8_lossy(&r.stdout),
        String::from_utf8_lossy(&r.stderr)
    );
    assert!(String::from_utf8_lossy(&r.stdout).contains("NOT APPROVED"));

    t.approve("alice", &id).ok();
    t.cs_env(&["sync"], &[]).ok();
    let r = job(&base);
    assert!(
        r.status.success(),
        "{} {}",
        String::from_utf8_lossy(&r.stdout),
        String::from_utf8_lossy(&r.stderr)
    );
    // And passes it once approved.
    let r = job("0000000000000000000000000000000000000000");
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stdout));
    assert!(
        String::from_utf8_lossy(&r.stdout).contains("approved"),
        "{}",
        String::from_utf8_lossy(&r.stdout)
    );
}

#[test]
fn pre_receive_keeps_decisions_append_only() {
    let t = Team::new(&["alice", "bob"]);
    let srv = server(true);
    let w = t.repo.path();
    ok(git_in(
        w,
        &["remote", "add", "origin", srv.path().to_str().unwrap()],
    ));
    ok(git_in(w, &["push", "-q", "origin", "main"]));
    let id = t.ai_change("feat", "a.txt", "a\n");
    t.reject("bob", &id, "unsafe").ok();
    ok(git_in(
        w,
        &["push", "-q", "origin", "refs/notes/countersign"],
    ));
    let shared = t.head("refs/notes/countersign");
    // Rewrite: a new notes history without bob's reject, force-pushed.
    let head = t.head("feat");
    t.repo.git(&["update-ref", "-d", "refs/notes/countersign"]);
    t.approve("alice", &id).ok();
    let forced = git_in(w, &["push", "-f", "origin", "refs/notes/countersign"]);
    assert!(
        !forced.status.success(),
        "a rewrite of the notes was accepted"
    );
    assert!(
        String::from_utf8_lossy(&forced.stderr).contains("non-fast-forward"),
        "{}",
        String::from_utf8_lossy(&forced.stderr)
    );
    // A fast-forward whose note lost the reject line.
    t.repo
        .git(&["update-ref", "refs/notes/countersign", &shared]);
    t.repo.git(&["notes", "--ref=countersign", "remove", &head]);
    let dropped = git_in(w, &["push", "origin", "refs/notes/countersign"]);
    assert!(!dropped.status.success());
    assert!(String::from_utf8_lossy(&dropped.stderr).contains("drops a line"));
    let deleted = git_in(w, &["push", "origin", ":refs/notes/countersign"]);
    assert!(!deleted.status.success());
    assert_eq!(
        ok(git_in(srv.path(), &["rev-parse", "refs/notes/countersign"])).trim(),
        shared,
        "the server's decisions are untouched"
    );
    // Appending is accepted, and sync only appends.
    t.repo
        .git(&["update-ref", "refs/notes/countersign", &shared]);
    t.approve("alice", &id).ok();
    let cs = bin();
    t.cs_env(&["sync"], &[("COUNTERSIGN", cs.to_str().unwrap())])
        .ok();
    let note = ok(git_in(
        srv.path(),
        &["notes", "--ref=countersign", "show", &head],
    ));
    assert!(
        note.contains("unsafe") && note.contains("approve"),
        "{note}"
    );
}
