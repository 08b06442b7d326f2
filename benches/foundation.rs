//! Foundation benchmarks (targets from the foundation issue):
//! - `queue --json` over 2,000 pending changes: under 1 s (cold: no cache).
//! - `show --color=always` of a large real change (syn 1 → syn 2, the crates'
//!   sources from the cargo registry): lines per second; compare with delta.
//!
//! - `scan` (issue 11): a re-scan of 1,000 already-queued AI-assisted commits
//!   under 1 s; a first scan of 100,000 commits under 2 s.
//!
//! - the cold queue of 100 real changes (issue 11): under 5 s on 2 cores,
//!   measured on this project's own history (its 100 largest commits, each
//!   queued against its parent) with the real binary, so that nothing a
//!   process remembers carries over from one sample to the next.
//!
//! Run: `cargo bench --bench foundation`

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use countersign::config::RepoConfig;
use countersign::git::Repo;
use countersign::git::build::Person;
use countersign::highlight::Highlighter;
use countersign::show::{RenderOptions, render_files};
use countersign::theme::Theme;

fn main() {
    // As the binary does: objects are not re-hashed on every read.
    countersign::git::configure_process();
    divan::main();
}

fn person(t: i64) -> Person {
    Person {
        name: "Bench Author".into(),
        email: "bench@example.com".into(),
        time: 1_700_000_000 + t,
    }
}

/// A repository with 2,000 pending AI-assisted changes, built once.
fn queue_repo() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repo::init(dir.path(), "main").unwrap();
        let files: Vec<_> = (0..50)
            .map(|i| {
                (
                    format!("src/mod{i}.rs"),
                    Some(format!("pub fn f{i}() {{}}\n").into_bytes()),
                )
            })
            .collect();
        let main = repo
            .commit_files("main", None, &files, &person(0), "base\n")
            .unwrap();
        for n in 0..2000 {
            let edit = vec![(
                format!("src/mod{}.rs", n % 50),
                Some(format!("pub fn f() {{ let v = {n}; }}\n").into_bytes()),
            )];
            let msg = format!("change {n}\n\nAssisted-by: Claude Code\n");
            repo.commit_files(&format!("ai/{n}"), Some(&main), &edit, &person(n), &msg)
                .unwrap();
        }
        let out = countersign::git::scan(&repo, &RepoConfig::defaults(), None).unwrap();
        assert_eq!(out.queued.len(), 2000);
        dir
    })
    .path()
}

#[divan::bench(sample_count = 5)]
fn queue_2000_cold(bencher: divan::Bencher) {
    let path = queue_repo();
    bencher.bench_local(|| {
        let _ = std::fs::remove_dir_all(path.join(".git/countersign/cache"));
        let repo = Repo::open(Some(path)).unwrap();
        let cfg = repo.load_config().unwrap();
        let q = countersign::queue::load(&repo, &cfg).unwrap();
        assert_eq!(q.len(), 2000);
        serde_json::to_string(&q).unwrap().len()
    });
}

#[divan::bench(sample_count = 10)]
fn queue_2000_warm(bencher: divan::Bencher) {
    let path = queue_repo();
    let repo = Repo::open(Some(path)).unwrap();
    let cfg = repo.load_config().unwrap();
    countersign::queue::load(&repo, &cfg).unwrap();
    bencher.bench_local(|| {
        serde_json::to_string(&countersign::queue::load(&repo, &cfg).unwrap())
            .unwrap()
            .len()
    });
}

/// A clone of this project's own repository with its 100 largest non-merge
/// commits (by files changed) queued, each against its first parent; `None`
/// outside a git checkout (a source tarball).
fn real_changes_repo() -> Option<&'static Path> {
    use std::process::Command;
    static DIR: OnceLock<Option<tempfile::TempDir>> = OnceLock::new();
    let git = |dir: &Path, args: &[&str]| -> Option<String> {
        let out = Command::new("git")
            .current_dir(dir)
            .args(args)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    };
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().ok()?;
        let here = env!("CARGO_MANIFEST_DIR");
        git(dir.path(), &["clone", "--quiet", "--no-local", here, "."])?;
        let mut sized: Vec<(usize, String)> = git(
            dir.path(),
            &["log", "--no-merges", "--format=%H", "HEAD", "--", "."],
        )?
        .lines()
        .filter_map(|c| {
            let files = git(
                dir.path(),
                &["diff-tree", "--no-commit-id", "-r", "--name-only", c],
            )?;
            let parent = git(
                dir.path(),
                &["rev-parse", "--verify", "--quiet", &format!("{c}^")],
            )?;
            Some((files.lines().count(), format!("{c} {}", parent.trim())))
        })
        .collect();
        sized.sort_by_key(|s| std::cmp::Reverse(s.0));
        sized.truncate(100);
        let repo = Repo::open(Some(dir.path())).ok()?;
        let cfg = RepoConfig::defaults();
        for (_, pair) in &sized {
            let (head, base) = pair.split_once(' ')?;
            countersign::git::submit(
                &repo,
                &cfg,
                &countersign::git::SubmitRequest {
                    rev: head,
                    base: Some(base),
                    title: None,
                    tool: Some("bench"),
                    at: None,
                },
            )
            .ok()?;
        }
        eprintln!(
            "queue_100_real_changes_cold: {} changes of this repository, {}–{} files each",
            sized.len(),
            sized.last().map_or(0, |s| s.0),
            sized.first().map_or(0, |s| s.0)
        );
        Some(dir)
    })
    .as_ref()
    .map(|d| d.path())
}

#[divan::bench(sample_count = 5)]
fn queue_100_real_changes_cold(bencher: divan::Bencher) {
    let Some(path) = real_changes_repo() else {
        eprintln!("queue_100_real_changes_cold: not a git checkout; nothing to measure");
        return;
    };
    bencher.bench_local(|| {
        let _ = std::fs::remove_dir_all(path.join(".git/countersign/cache"));
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_countersign"))
            .current_dir(path)
            .args(["queue", "--json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout.len()
    });
}

/// The registry source directory of a crate version, if cargo downloaded it.
fn registry_crate(name: &str) -> Option<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
    let src = home.join("registry/src");
    std::fs::read_dir(src).ok()?.flatten().find_map(|index| {
        let p = index.path().join(name);
        p.is_dir().then_some(p)
    })
}

fn read_tree(root: &Path) -> Vec<(String, Option<Vec<u8>>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.push((rel, Some(std::fs::read(&p).unwrap())));
            }
        }
    }
    out
}

/// A repository whose one change is syn 1.0.109 → syn 2.x (tens of thousands
/// of diff lines of real Rust), or None when those sources are not on disk.
pub fn big_change() -> Option<&'static (tempfile::TempDir, String, String)> {
    static BIG: OnceLock<Option<(tempfile::TempDir, String, String)>> = OnceLock::new();
    BIG.get_or_init(|| {
        let v1 = registry_crate("syn-1.0.109")?;
        let v2 = std::fs::read_dir(v1.parent()?)
            .ok()?
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("syn-2."))
            })
            .max()?;
        let dir = tempfile::tempdir().unwrap();
        let repo = Repo::init(dir.path(), "main").unwrap();
        let old = read_tree(&v1.join("src"));
        let base = repo
            .commit_files("main", None, &old, &person(0), "syn 1\n")
            .unwrap();
        let mut edits: Vec<_> = old.iter().map(|(p, _)| (p.clone(), None)).collect();
        let new = read_tree(&v2.join("src"));
        edits.retain(|(p, _)| !new.iter().any(|(q, _)| q == p));
        edits.extend(new);
        let head = repo
            .commit_files("syn2", Some(&base), &edits, &person(1), "syn 2\n")
            .unwrap();
        Some((dir, base, head))
    })
    .as_ref()
}

#[divan::bench(sample_count = 5)]
fn show_big_change_color(bencher: divan::Bencher) {
    let Some((dir, base, head)) = big_change() else {
        eprintln!("syn sources not in the cargo registry; skipping");
        return;
    };
    let repo = Repo::open(Some(dir.path())).unwrap();
    let theme = Theme::load(None).unwrap();
    let hl = Highlighter::new(&theme);
    let lines = repo.diff(base, head).unwrap().diff.line_count();
    eprintln!("big change: {lines} diff lines");
    bencher
        .counter(divan::counter::ItemsCount::new(lines))
        .bench_local(|| {
            let d = repo.diff(base, head).unwrap();
            render_files(
                &d.diff.files,
                &RenderOptions {
                    color: true,
                    theme: &theme,
                    highlighter: Some(&hl),
                    marks: &[],
                },
            )
            .len()
        });
}

/// A repository whose branch `feat` holds `n` commits on top of `main`, built
/// with `git fast-import`; every `every`-th commit carries an AI trailer, the
/// others are plain (so each AI commit is a run of its own).
fn history_repo(n: usize, every: usize) -> tempfile::TempDir {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let st = Command::new("git")
        .current_dir(dir.path())
        .args(["init", "-q", "-b", "main"])
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .status()
        .unwrap();
    assert!(st.success());
    let mut s = String::from(
        "commit refs/heads/main\nmark :1\ncommitter A <a@example.com> 1700000000 +0000\ndata 5\ninit\nM 644 inline README\ndata 6\nhello\n\n",
    );
    for i in 0..n {
        let msg = if i % every == 0 {
            format!(
                "AI change {i}\n\nSome words about it.\n\nAssisted-by: Claude Code\nSigned-off-by: A <a@example.com>\n"
            )
        } else {
            format!(
                "Human change {i}\n\nSome words about it.\n\nSigned-off-by: A <a@example.com>\n"
            )
        };
        let content = format!("line {i}\n");
        let from = if i == 0 {
            "from :1\n".to_string()
        } else {
            String::new()
        };
        s.push_str(&format!(
            "commit refs/heads/feat\ncommitter A <a@example.com> {} +0000\ndata {}\n{msg}{from}M 644 inline f{}.txt\ndata {}\n{content}\n",
            1_700_000_100 + i,
            msg.len(),
            i % 100,
            content.len()
        ));
    }
    let mut child = Command::new("git")
        .current_dir(dir.path())
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
    dir
}

/// Removes every pending ref (a queue never scanned).
fn clear_queue(repo: &Repo) {
    for id in countersign::git::list_changes(repo, &RepoConfig::defaults())
        .unwrap()
        .iter()
        .map(|c| c.id.clone())
    {
        countersign::git::changes::drop_change(repo, &id).unwrap();
    }
}

/// `scan main..feat` over 2,000 commits whose 1,000 AI-assisted ones are
/// already queued: nothing new, so the time is the walk plus the check.
/// Target < 1 s (was 64-100 s on 900 real commits: one revision walk per
/// queued change and run).
#[divan::bench(sample_count = 5)]
fn rescan_1000_queued(bencher: divan::Bencher) {
    let dir = history_repo(2000, 2);
    let repo = Repo::open(Some(dir.path())).unwrap();
    let cfg = RepoConfig::defaults();
    let first = countersign::git::scan(&repo, &cfg, Some("main..feat")).unwrap();
    assert_eq!(first.queued.len(), 1000);
    bencher.bench_local(|| {
        let again = countersign::git::scan(&repo, &cfg, Some("main..feat")).unwrap();
        assert_eq!(again.already_queued, 1000);
        assert!(again.queued.is_empty());
    });
}

/// Plain `scan` (every local branch not on main) of 100,000 commits, one in
/// a thousand AI-assisted, into an empty queue. Target < 2 s.
#[divan::bench(sample_count = 3)]
fn first_scan_100000_commits(bencher: divan::Bencher) {
    let dir = history_repo(100_000, 1000);
    let repo = Repo::open(Some(dir.path())).unwrap();
    let cfg = RepoConfig::defaults();
    bencher
        .with_inputs(|| clear_queue(&repo))
        .bench_local_values(|()| {
            let out = countersign::git::scan(&repo, &cfg, None).unwrap();
            assert_eq!(out.commits, 100_000);
            assert_eq!(out.queued.len(), 100);
        });
}
