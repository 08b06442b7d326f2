//! Many reviewers at once: processes deciding in parallel in one repository,
//! and clones deciding on the same changes and syncing through a bare remote
//! in random order. Afterwards every decision is present exactly once, every
//! signature verifies and `git fsck` is clean.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use crate::common::{
    Rng, audit_all_valid, changes, cs, decide, fsck, git, note_lines, ok, seed, size,
};
use crate::kit::Team;

/// Counts the lines carrying `comment` exactly; every line must be a record.
fn comment_counts(dir: &Path) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for (annotated, line) in note_lines(dir) {
        let rec = countersign::decision::parse_line(&line)
            .unwrap_or_else(|e| panic!("a broken line in the note of {annotated}: {e}: {line}"));
        *counts.entry(rec.record.comment.clone()).or_insert(0) += 1;
    }
    counts
}

#[test]
fn many_processes_decide_in_one_repository() {
    let procs = size("CS_REL_PROCS", 8);
    let n = size("CS_REL_CHANGES", 20);
    let seed = seed("many_processes");
    let names: Vec<String> = (0..procs).map(|p| format!("r{p}")).collect();
    let team = Team::new(&names.iter().map(String::as_str).collect::<Vec<_>>());
    let ids = changes(&team, n);
    let dir = team.repo.path();
    let started = Instant::now();
    // Each process is one reviewer deciding every change, in its own random
    // order, approve or reject at random; all run at once.
    let expected: Vec<Vec<(String, bool, String)>> = (0..procs)
        .map(|p| {
            let mut rng = Rng::new(seed ^ (p as u64 + 1).wrapping_mul(0x1000_0001));
            let mut order: Vec<usize> = (0..n).collect();
            rng.shuffle(&mut order);
            order
                .into_iter()
                .map(|i| {
                    let id = ids[i].0.clone();
                    let comment = format!("p{p} on {id}");
                    (id, rng.coin(), comment)
                })
                .collect()
        })
        .collect();
    std::thread::scope(|s| {
        for (p, plan) in expected.iter().enumerate() {
            let key = team.key(&names[p]);
            s.spawn(move || {
                for (id, approve, comment) in plan {
                    ok(&decide(dir, &key, *approve, id, comment), comment);
                }
            });
        }
    });
    let took = started.elapsed();
    let counts = comment_counts(dir);
    let total = procs * n;
    for plan in &expected {
        for (_, _, comment) in plan {
            assert_eq!(
                counts.get(comment),
                Some(&1),
                "{comment} must be present exactly once"
            );
        }
    }
    assert_eq!(counts.values().sum::<usize>(), total, "no other lines");
    audit_all_valid(dir, total, "one repository");
    fsck(dir, "one repository");
    let approvals = expected.iter().flatten().filter(|d| d.1).count();
    println!(
        "many_processes: {procs} processes x {n} changes = {total} decisions ({approvals} approvals, {} rejections) in {:.1} s; present exactly once: {total}; lost: 0; duplicated: 0; audit valid: {total}; fsck clean",
        total - approvals,
        took.as_secs_f64()
    );
}

#[test]
fn clones_decide_and_sync_through_a_bare_remote_in_random_order() {
    let clones = size("CS_REL_CLONES", 3);
    let n = size("CS_REL_SYNC_CHANGES", 10);
    let rounds = size("CS_REL_ROUNDS", 3);
    let per_round = size("CS_REL_PER_ROUND", 3);
    let seed = seed("clones_sync");
    let mut rng = Rng::new(seed);
    let names: Vec<String> = (0..clones).map(|c| format!("k{c}")).collect();
    let team = Team::new(&names.iter().map(String::as_str).collect::<Vec<_>>());
    let ids = changes(&team, n);
    let srv = tempfile::tempdir().unwrap();
    ok(
        &git(srv.path(), &["init", "-q", "--bare", "-b", "main", "."]),
        "init bare",
    );
    let origin = team.repo.path();
    ok(
        &git(
            origin,
            &["remote", "add", "origin", srv.path().to_str().unwrap()],
        ),
        "remote add",
    );
    ok(
        &git(
            origin,
            &["push", "-q", "origin", "refs/heads/*:refs/heads/*"],
        ),
        "push",
    );
    ok(&cs(origin, &["sync"]), "first sync");
    let dirs: Vec<tempfile::TempDir> = (0..clones).map(|_| tempfile::tempdir().unwrap()).collect();
    for (c, d) in dirs.iter().enumerate() {
        ok(
            &git(
                d.path(),
                &["clone", "-q", srv.path().to_str().unwrap(), "."],
            ),
            "clone",
        );
        ok(
            &git(
                d.path(),
                &["config", "user.email", &format!("clone{c}@example.com")],
            ),
            "config",
        );
        ok(
            &git(d.path(), &["config", "user.name", &format!("Clone {c}")]),
            "config",
        );
        ok(&cs(d.path(), &["sync"]), "clone's first sync");
    }
    let started = Instant::now();
    let mut all_comments = Vec::new();
    let mut syncs = 0;
    for round in 0..rounds {
        // Each clone decides a few random changes, then all sync at once
        // (their order is whatever the scheduler makes it), then the next round.
        let mut plans: Vec<Vec<(String, bool, String)>> = Vec::new();
        for c in 0..clones {
            let mut plan = Vec::new();
            for k in 0..per_round {
                let id = ids[rng.below(n as u64) as usize].0.clone();
                let comment = format!("clone {c} round {round} #{k} on {id}");
                plan.push((id, rng.coin(), comment));
            }
            all_comments.extend(plan.iter().map(|p| p.2.clone()));
            plans.push(plan);
        }
        let mut order: Vec<usize> = (0..clones).collect();
        rng.shuffle(&mut order);
        std::thread::scope(|s| {
            for &c in &order {
                let dir = dirs[c].path();
                let key = team.key(&names[c]);
                let plan = &plans[c];
                s.spawn(move || {
                    for (id, approve, comment) in plan {
                        ok(&decide(dir, &key, *approve, id, comment), comment);
                    }
                    ok(&cs(dir, &["sync"]), &format!("sync of clone {c}"));
                });
            }
        });
        syncs += clones;
    }
    // Settle: every clone syncs twice more in a random order.
    for _ in 0..2 {
        let mut order: Vec<usize> = (0..clones).collect();
        rng.shuffle(&mut order);
        for c in order {
            ok(&cs(dirs[c].path(), &["sync"]), "settling sync");
            syncs += 1;
        }
    }
    let took = started.elapsed();
    let total = all_comments.len();
    for (c, d) in dirs.iter().enumerate() {
        let counts = comment_counts(d.path());
        for comment in &all_comments {
            assert_eq!(
                counts.get(comment),
                Some(&1),
                "clone {c}: {comment} exactly once"
            );
        }
        assert_eq!(
            counts.values().sum::<usize>(),
            total,
            "clone {c}: no other lines"
        );
        audit_all_valid(d.path(), total, &format!("clone {c}"));
        fsck(d.path(), &format!("clone {c}"));
    }
    let remote_notes = ok(
        &git(srv.path(), &["rev-parse", "refs/notes/countersign"]),
        "remote notes",
    );
    for d in &dirs {
        let mine = ok(
            &git(d.path(), &["rev-parse", "refs/notes/countersign"]),
            "notes",
        );
        assert_eq!(mine, remote_notes, "every clone ends on the remote's notes");
    }
    fsck(srv.path(), "the bare remote");
    println!(
        "clones_sync: {clones} clones x {rounds} rounds x {per_round} decisions = {total} decisions, {syncs} syncs ({clones} at once per round) in {:.1} s; present exactly once in every clone: {total}; lost: 0; duplicated: 0; audit valid; fsck clean (clones and remote)",
        took.as_secs_f64()
    );
}
