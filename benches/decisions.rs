//! Benchmarks of signed decisions (issue 3):
//! - `audit` verifying 10,000 decisions (target < 2 s), and the same
//!   verification record by record with `ssh-keygen -Y verify` for comparison;
//! - `check` over a range of 500 AI-assisted commits (target < 1 s).
//!
//! Run: `cargo bench --bench decisions`. Figures: docs/decisions-benchmarks.md.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::LazyLock;

use countersign::audit::{self, Filter};
use countersign::config::RepoConfig;
use countersign::decision::record::RiskField;
use countersign::decision::{
    Decision, Record, Signer, generate_ed25519, parse_line, write_policy_files,
};
use countersign::git::Repo;

fn main() {
    // As the binary does: objects are not re-hashed on every read.
    countersign::git::configure_process();
    divan::main();
}

const REVIEWERS: usize = 4;
const AUDIT_COMMITS: usize = 2_500; // x 4 reviewers = 10,000 decisions
const CHECK_COMMITS: usize = 500;

struct Fixture {
    dir: tempfile::TempDir,
    /// (reviewer principal, private key file)
    keys: Vec<(String, PathBuf)>,
}

fn git(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> String {
    let mut c = Command::new("git");
    c.current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(s) = stdin {
        input.write_all(s).unwrap();
    }
    drop(input);
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn blob(out: &mut String, path: &str, content: &str) {
    out.push_str(&format!(
        "M 100644 inline {path}\ndata {}\n{content}\n",
        content.len()
    ));
}

/// A repository whose first commit holds the policy for `REVIEWERS` seniors,
/// followed by `commits` commits on `branch` (from `main`'s tip) built with
/// fast-import, each with an AI trailer.
fn fixture(commits: usize, branch: &str) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    git(p, &["init", "-q", "-b", "main"], None);
    git(p, &["config", "user.email", "dev@example.com"], None);
    git(p, &["config", "user.name", "Dev"], None);
    let mut keys = Vec::new();
    let mut seniors = Vec::new();
    for i in 0..REVIEWERS {
        let k = generate_ed25519(&format!("r{i}")).unwrap();
        let file = p.join(format!(".git/key{i}"));
        std::fs::write(&file, &k.private_openssh).unwrap();
        let who = format!("reviewer{i}@example.com");
        seniors.push((who.clone(), k.public_line));
        keys.push((who, file));
    }
    let stage = tempfile::tempdir().unwrap();
    write_policy_files(stage.path(), &seniors, false).unwrap();
    let read = |f: &str| std::fs::read_to_string(stage.path().join(f)).unwrap();
    let mut s = String::new();
    s.push_str("commit refs/heads/main\nmark :1\ncommitter Dev <dev@example.com> 1700000000 +0000\ndata 6\npolicy\n");
    blob(
        &mut s,
        ".countersign/policy.toml",
        &read(".countersign/policy.toml"),
    );
    blob(
        &mut s,
        ".countersign/allowed_signers",
        &read(".countersign/allowed_signers"),
    );
    for i in 0..commits {
        let msg = format!("change {i}\n\nAssisted-by: Claude Code\n");
        s.push_str(&format!(
            "commit refs/heads/{branch}\nmark :{}\ncommitter Dev <dev@example.com> {} +0000\ndata {}\n{msg}from :{}\n",
            i + 2,
            1_700_000_100 + i,
            msg.len(),
            i + 1
        ));
        blob(
            &mut s,
            &format!("src/f{}.rs", i % 50),
            &format!("pub fn f{i}() -> u32 {{ {i} }}\n"),
        );
    }
    git(p, &["fast-import", "--quiet"], Some(s.as_bytes()));
    git(p, &["checkout", "-q", "-f", "main"], None);
    Fixture { dir, keys }
}

fn signer(file: &Path) -> Signer {
    let pk = ssh_key::PrivateKey::from_openssh(std::fs::read_to_string(file).unwrap()).unwrap();
    Signer::from_private_key(pk, "bench")
}

/// 10,000 decisions: each of the 2,500 commits approved by 4 reviewers.
static AUDIT: LazyLock<Fixture> = LazyLock::new(|| {
    let f = fixture(AUDIT_COMMITS, "work");
    let repo = Repo::open_exact(f.dir.path()).unwrap();
    let ids: Vec<String> = git(
        f.dir.path(),
        &["rev-list", "--reverse", "--parents", "work"],
        None,
    )
    .lines()
    .map(str::to_string)
    .collect();
    let root = ids[0].split(' ').next().unwrap().to_string();
    let signers: Vec<(String, Signer)> =
        f.keys.iter().map(|(w, k)| (w.clone(), signer(k))).collect();
    let mut items = Vec::new();
    for line in &ids[1..] {
        let mut it = line.split(' ');
        let (head, base) = (it.next().unwrap(), it.next().unwrap());
        for (who, s) in &signers {
            let mut r = Record {
                v: 1,
                repo: root.clone(),
                change: head[..8].to_string(),
                base: base.into(),
                head: head.into(),
                tree: repo.tree_of(head).unwrap(),
                patch_id: Some("0".repeat(40)),
                decision: Decision::Approve,
                reviewer: who.clone(),
                key: s.fingerprint(),
                at: "2026-01-02T03:04:05Z".into(),
                risk: RiskField {
                    level: "low".into(),
                    score: 3,
                },
                comment: "reviewed".into(),
                remarks: Vec::new(),
                sig: String::new(),
            };
            r.sig = s.sign(r.payload().as_bytes()).unwrap();
            items.push((head.to_string(), r.to_line()));
        }
    }
    repo.append_note_lines(&items).unwrap();
    f
});

#[divan::bench(sample_count = 5)]
fn audit_10000_decisions(b: divan::Bencher) {
    let f = &*AUDIT;
    b.bench(|| {
        let repo = Repo::open_exact(f.dir.path()).unwrap();
        let trust = countersign::trust::TrustRoot::load(&repo, None).unwrap();
        let a = audit::run(&repo, &trust, &Filter::default()).unwrap();
        assert_eq!(
            a.summary.valid,
            AUDIT_COMMITS * REVIEWERS,
            "{:?}",
            a.summary.by_status
        );
        a.summary.valid
    });
}

/// The same verification with OpenSSH, one `ssh-keygen -Y verify` per record,
/// on the first 200 records (multiply by 50 for 10,000).
#[divan::bench(sample_count = 2)]
fn ssh_keygen_verify_200_records(b: divan::Bencher) {
    let f = &*AUDIT;
    let repo = Repo::open_exact(f.dir.path()).unwrap();
    let notes = repo.all_notes().unwrap();
    let work = tempfile::tempdir().unwrap();
    let mut jobs = Vec::new();
    for (i, line) in notes
        .iter()
        .flat_map(|(_, n)| {
            String::from_utf8_lossy(n)
                .lines()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .take(200)
        .enumerate()
    {
        let p = parse_line(&line).unwrap();
        let sig = work.path().join(format!("{i}.sig"));
        std::fs::write(&sig, &p.record.sig).unwrap();
        jobs.push((p.record.reviewer.clone(), sig, p.payload));
    }
    let signers = f.dir.path().join(".countersign/allowed_signers");
    b.bench(|| {
        for (who, sig, payload) in &jobs {
            let mut child = Command::new("ssh-keygen")
                .args(["-q", "-Y", "verify", "-f"])
                .arg(&signers)
                .args(["-I", who, "-n", "countersign", "-s"])
                .arg(sig)
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(payload.as_bytes())
                .unwrap();
            assert!(child.wait().unwrap().success());
        }
    });
}

/// A 500-commit AI-assisted change, queued and approved by one senior.
static CHECK: LazyLock<Fixture> = LazyLock::new(|| {
    let f = fixture(CHECK_COMMITS, "feat");
    let repo = Repo::open_exact(f.dir.path()).unwrap();
    let cfg = RepoConfig::defaults();
    let sub = countersign::git::submit(
        &repo,
        &cfg,
        &countersign::git::SubmitRequest {
            rev: "feat",
            ..Default::default()
        },
    )
    .unwrap();
    let trust = countersign::trust::TrustRoot::load(&repo, None).unwrap();
    let change = trust.find_change(&repo, &sub.id).unwrap();
    let s = signer(&f.keys[0].1);
    match countersign::deciding::decide(
        &repo,
        &trust,
        &change,
        None,
        countersign::deciding::Judgement {
            decision: Decision::Approve,
            comment: "ok",
            remarks: &[],
        },
        &s,
    )
    .unwrap()
    {
        countersign::deciding::Decided::Recorded { .. } => {}
        other => panic!("{other:?}"),
    }
    f
});

fn clear_cache(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir.join(".git/countersign"));
}

#[divan::bench(sample_count = 10)]
fn check_500_commits_cold(b: divan::Bencher) {
    let f = &*CHECK;
    b.with_inputs(|| clear_cache(f.dir.path()))
        .bench_values(|()| {
            let repo = Repo::open_exact(f.dir.path()).unwrap();
            let r = countersign::gate::check(
                &repo,
                &countersign::trust::TrustRoot::load(&repo, None).unwrap(),
                "main..feat",
            )
            .unwrap();
            assert!(r.ok && r.changes.len() == 1, "{r:?}");
        });
}

#[divan::bench(sample_count = 10)]
fn check_500_commits_warm(b: divan::Bencher) {
    let f = &*CHECK;
    b.bench(|| {
        let repo = Repo::open_exact(f.dir.path()).unwrap();
        let r = countersign::gate::check(
            &repo,
            &countersign::trust::TrustRoot::load(&repo, None).unwrap(),
            "main..feat",
        )
        .unwrap();
        assert!(r.ok);
    });
}

/// The same range with nothing queued: 500 unqueued AI commits, refused.
#[divan::bench(sample_count = 10)]
fn check_500_unqueued_commits(b: divan::Bencher) {
    static BARE: LazyLock<Fixture> = LazyLock::new(|| fixture(CHECK_COMMITS, "feat"));
    let f = &*BARE;
    b.bench(|| {
        let repo = Repo::open_exact(f.dir.path()).unwrap();
        let r = countersign::gate::check(
            &repo,
            &countersign::trust::TrustRoot::load(&repo, None).unwrap(),
            "main..feat",
        )
        .unwrap();
        assert!(!r.ok);
    });
}
