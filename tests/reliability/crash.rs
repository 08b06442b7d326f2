//! Crashes: `approve` and `sync` killed with SIGKILL at random points. The
//! repository is never corrupt (`git fsck`), a note holds the whole new record
//! or none of it, and the next run works without manual repair.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::{
    Rng, audit_all_valid, changes, cs, cs_cmd, decide, fsck, git, note_lines, ok, seed, size,
};
use crate::kit::Team;

/// Every line of every note parses as a whole record; returns how many lines
/// carry `comment`.
fn whole_records(dir: &Path, comment: &str) -> usize {
    let mut n = 0;
    for (annotated, line) in note_lines(dir) {
        let rec = countersign::decision::parse_line(&line)
            .unwrap_or_else(|e| panic!("half a record in the note of {annotated} ({e}): {line:?}"));
        if rec.record.comment == comment {
            n += 1;
        }
    }
    n
}

/// How long a run of `f` takes, the median of 5, in microseconds.
fn median_micros(mut f: impl FnMut()) -> u64 {
    let mut t: Vec<u64> = (0..5)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_micros() as u64
        })
        .collect();
    t.sort_unstable();
    t[2]
}

#[test]
fn approve_killed_at_random_points() {
    let kills = size("CS_REL_KILLS", 20);
    let seed = seed("approve_killed");
    let mut rng = Rng::new(seed);
    let team = Team::new(&["alice"]);
    let ids = changes(&team, 5);
    let dir = team.repo.path();
    let key = team.key("alice");
    let mut warm = 0;
    let typical = median_micros(|| {
        warm += 1;
        ok(
            &decide(dir, &key, true, &ids[0].0, &format!("warm {warm}")),
            "warm-up",
        );
    });
    let mut expected = warm;
    let (mut written, mut not_written, mut locks_left) = (0, 0, 0);
    let started = Instant::now();
    for i in 0..kills {
        let id = &ids[rng.below(ids.len() as u64) as usize].0;
        let approve = rng.coin();
        // Anywhere from before start-up to a little after a typical run.
        let delay = Duration::from_micros(rng.below(typical * 3 / 2 + 1));
        let comment = format!("killed {i}");
        let verb = if approve { "approve" } else { "reject" };
        let mut child = cs_cmd(
            dir,
            &["--key", key.to_str().unwrap(), verb, id, "-m", &comment],
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        child.wait().unwrap();
        if dir.join(".git/refs/notes/countersign.lock").exists() {
            locks_left += 1;
        }
        fsck(
            dir,
            &format!("after kill {i} (seed {seed}, delay {delay:?})"),
        );
        match whole_records(dir, &comment) {
            0 => not_written += 1,
            1 => {
                written += 1;
                expected += 1;
            }
            k => panic!("kill {i}: the record is there {k} times"),
        }
        // The next run works, with no repair in between.
        let next = format!("after kill {i}");
        ok(&decide(dir, &key, !approve, id, &next), &next);
        assert_eq!(whole_records(dir, &next), 1, "{next}");
        expected += 1;
    }
    audit_all_valid(dir, expected, "after the kills");
    println!(
        "approve_killed: {kills} SIGKILLs at random delays 0..{} us (typical run {typical} us) in {:.1} s: record whole {written}, absent {not_written}, half-written 0; stale notes locks left by a kill {locks_left}; fsck clean after every kill; next run succeeded {kills}/{kills}; audit: {expected} valid",
        typical * 3 / 2,
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn a_stale_notes_lock_does_not_block_decisions() {
    // What a writer killed between taking the ref lock and renaming it leaves.
    let team = Team::new(&["alice"]);
    let ids = changes(&team, 1);
    let dir = team.repo.path();
    ok(
        &decide(dir, &team.key("alice"), true, &ids[0].0, "first"),
        "first",
    );
    let lock = dir.join(".git/refs/notes/countersign.lock");
    let f = std::fs::File::create(&lock).unwrap();
    f.set_modified(std::time::SystemTime::now() - Duration::from_secs(60))
        .unwrap();
    drop(f);
    // The lock is never released by anyone else: only clearing it lets the
    // decision through (how fast is for benches/, not for a test).
    ok(
        &decide(dir, &team.key("alice"), false, &ids[0].0, "second"),
        "with a stale lock",
    );
    assert!(!lock.exists(), "the stale lock is gone");
    assert_eq!(whole_records(dir, "second"), 1);
    fsck(dir, "after clearing a stale lock");
}

/// Whether a `*.lock` file is anywhere under `dir`.
fn has_lock(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| {
            let p = e.path();
            if p.is_dir() {
                has_lock(&p)
            } else {
                p.extension().is_some_and(|x| x == "lock")
            }
        })
}

/// The live processes of process group `pgrp`: (pid, parent, command line).
fn group(pgrp: u32) -> Vec<(u32, u32, String)> {
    let mut out = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for e in dir.flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // pid (comm) state ppid pgrp ...; comm may hold spaces and parens.
        let Some(rest) = stat.rsplit_once(')').map(|x| x.1) else {
            continue;
        };
        let f: Vec<&str> = rest.split_whitespace().collect();
        if f.len() < 3 || f[0] == "Z" || f[2].parse::<u32>().ok() != Some(pgrp) {
            continue;
        }
        let ppid = f[1].parse().unwrap_or(0);
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline"))
            .map(|b| String::from_utf8_lossy(&b).replace('\0', " "))
            .unwrap_or_default();
        out.push((pid, ppid, cmdline));
    }
    out
}

/// SIGKILLs the client side of a sync: countersign (the group leader) and its
/// git children, but not the server half of the local transport
/// (`receive-pack`, `upload-pack` and what they run), which on a real remote
/// is another machine and sees the connection drop instead. Repeats until no
/// client process is left (a child spawned while we looked is caught on the
/// next pass), then waits until the server processes have finished too.
fn kill_client_side(leader: u32) {
    loop {
        let procs = group(leader);
        let mut server: Vec<u32> = procs
            .iter()
            .filter(|p| p.2.contains("receive-pack") || p.2.contains("upload-pack"))
            .map(|p| p.0)
            .collect();
        loop {
            let more: Vec<u32> = procs
                .iter()
                .filter(|p| server.contains(&p.1) && !server.contains(&p.0))
                .map(|p| p.0)
                .collect();
            if more.is_empty() {
                break;
            }
            server.extend(more);
        }
        let client: Vec<u32> = procs
            .iter()
            .map(|p| p.0)
            .filter(|p| !server.contains(p))
            .collect();
        if client.is_empty() {
            break;
        }
        for pid in client {
            // SAFETY: kill(2) only sends a signal; no memory is touched.
            unsafe {
                libc::kill(pid as i32, libc::SIGKILL);
            }
        }
    }
}

/// Waits until no process of the group is alive (the server half finishing
/// after its client vanished); polls /proc, the state under test.
fn wait_group_gone(leader: u32) {
    let until = Instant::now() + Duration::from_secs(30);
    while !group(leader).is_empty() {
        assert!(
            Instant::now() < until,
            "processes of group {leader} still alive after 30 s"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn sync_killed_mid_fetch_and_mid_push() {
    let kills = size("CS_REL_SYNC_KILLS", 20);
    let seed = seed("sync_killed");
    let mut rng = Rng::new(seed);
    let team = Team::new(&["alice", "bob"]);
    let ids = changes(&team, 5);
    let srv = tempfile::tempdir().unwrap();
    ok(
        &git(srv.path(), &["init", "-q", "--bare", "-b", "main", "."]),
        "init bare",
    );
    let a = team.repo.path();
    ok(
        &git(
            a,
            &["remote", "add", "origin", srv.path().to_str().unwrap()],
        ),
        "remote add",
    );
    ok(
        &git(a, &["push", "-q", "origin", "refs/heads/*:refs/heads/*"]),
        "push",
    );
    ok(&cs(a, &["sync"]), "first sync");
    let bdir = tempfile::tempdir().unwrap();
    let b = bdir.path();
    ok(
        &git(b, &["clone", "-q", srv.path().to_str().unwrap(), "."]),
        "clone",
    );
    ok(&cs(b, &["sync"]), "clone's first sync");
    let (ka, kb) = (team.key("alice"), team.key("bob"));
    let mut n = 0;
    let typical = median_micros(|| {
        n += 1;
        ok(
            &decide(a, &ka, true, &ids[0].0, &format!("warm a {n}")),
            "warm",
        );
        ok(
            &decide(b, &kb, true, &ids[0].0, &format!("warm b {n}")),
            "warm",
        );
        ok(&cs(b, &["sync"]), "warm sync b");
        ok(&cs(a, &["sync"]), "warm sync a");
    });
    // `typical` covers two decisions and two syncs; a sync alone is about a third.
    let window = typical / 2 + 1;
    let mut expected = 2 * n;
    let (mut nothing, mut fetched_only, mut pushed, mut locks_left) = (0, 0, 0, 0);
    let started = Instant::now();
    for i in 0..kills {
        // Bob decides and syncs, so Alice's sync has something to fetch and
        // merge; Alice decides, so it has something to push.
        let id = &ids[rng.below(ids.len() as u64) as usize].0;
        let (cb, ca) = (format!("bob {i}"), format!("alice {i}"));
        ok(&decide(b, &kb, rng.coin(), id, &cb), &cb);
        ok(&cs(b, &["sync"]), "bob's sync");
        ok(&decide(a, &ka, rng.coin(), id, &ca), &ca);
        expected += 2;
        let delay = Duration::from_micros(rng.below(window));
        let mut child = cs_cmd(a, &["sync"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        kill_client_side(child.id());
        child.wait().unwrap();
        wait_group_gone(child.id());
        if has_lock(&a.join(".git/refs")) {
            locks_left += 1;
        }
        let what = format!("sync killed at {i} (seed {seed}, delay {delay:?})");
        fsck(a, &what);
        fsck(srv.path(), &format!("remote, {what}"));
        let got_bob = whole_records(a, &cb) == 1;
        let remote_has = {
            let tip = git(srv.path(), &["rev-parse", "refs/notes/countersign"]);
            let tip = String::from_utf8_lossy(&tip.stdout).trim().to_string();
            let local = git(a, &["rev-parse", "refs/notes/countersign"]);
            tip == String::from_utf8_lossy(&local.stdout).trim()
        };
        match (got_bob, remote_has) {
            (_, true) => pushed += 1,
            (true, false) => fetched_only += 1,
            (false, false) => nothing += 1,
        }
        // The next sync works without repair, and both decisions travel.
        ok(&cs(a, &["sync"]), &format!("the sync after {what}"));
        ok(&cs(b, &["sync"]), "bob's sync after");
        for dir in [a, b] {
            assert_eq!(whole_records(dir, &ca), 1, "{ca} in {}", dir.display());
            assert_eq!(whole_records(dir, &cb), 1, "{cb} in {}", dir.display());
        }
    }
    for dir in [a, b] {
        audit_all_valid(dir, expected, "after the killed syncs");
        fsck(dir, "at the end");
    }
    fsck(srv.path(), "the remote at the end");
    println!(
        "sync_killed: {kills} SIGKILLs of countersign sync and its git children at random delays 0..{window} us in {:.1} s: killed before the merge {nothing}, after fetch+merge but before the push landed {fetched_only}, after the push {pushed}; kills that left a stale ref lock {locks_left}; fsck clean (local and remote) after every kill; next sync succeeded {kills}/{kills}; audit: {expected} valid in both clones",
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn a_stale_fetch_lock_does_not_block_sync() {
    // What a `git fetch` killed while updating sync's private refs leaves.
    let team = Team::new(&["alice", "bob"]);
    let ids = changes(&team, 1);
    let srv = tempfile::tempdir().unwrap();
    ok(
        &git(srv.path(), &["init", "-q", "--bare", "-b", "main", "."]),
        "init bare",
    );
    let a = team.repo.path();
    ok(
        &git(
            a,
            &["remote", "add", "origin", srv.path().to_str().unwrap()],
        ),
        "remote add",
    );
    ok(
        &git(a, &["push", "-q", "origin", "refs/heads/*:refs/heads/*"]),
        "push",
    );
    ok(
        &decide(a, &team.key("alice"), true, &ids[0].0, "alice"),
        "alice",
    );
    ok(&cs(a, &["sync"]), "first sync");
    let bdir = tempfile::tempdir().unwrap();
    let b = bdir.path();
    ok(
        &git(b, &["clone", "-q", srv.path().to_str().unwrap(), "."]),
        "clone",
    );
    ok(&cs(b, &["sync"]), "clone's first sync");
    ok(&decide(b, &team.key("bob"), false, &ids[0].0, "bob"), "bob");
    ok(&cs(b, &["sync"]), "bob's sync");
    let lock = a.join(".git/refs/countersign-sync/origin/notes/countersign.lock");
    std::fs::create_dir_all(lock.parent().unwrap()).unwrap();
    let f = std::fs::File::create(&lock).unwrap();
    f.set_modified(std::time::SystemTime::now() - Duration::from_secs(60))
        .unwrap();
    drop(f);
    ok(&cs(a, &["sync"]), "sync with a stale fetch lock");
    assert!(!lock.exists(), "the stale lock is gone");
    assert_eq!(whole_records(a, "bob"), 1, "bob's decision arrived");
    fsck(a, "after clearing a stale fetch lock");
}
