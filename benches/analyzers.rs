//! The cost of an analyzed change: the risk report of a Python change with the
//! real bandit configured in `.countersign/analyzers.toml` (installed by
//! `.ci/analyzers` into target/analyzers), uncached (bandit runs on the base and
//! the head) and cached (the second look at the change). Targets: cached under
//! 50 ms; uncached is the tool's own time (two bandit runs, side by side).
//!
//! Run: `cargo bench --bench analyzers`. Figures are in BENCHMARKS.md.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

use countersign::analyzers::{AnalysisOptions, analysed_report};
use countersign::git::Repo;

fn main() {
    // As the binary does: objects are not re-hashed on every read.
    countersign::git::configure_process();
    divan::main();
}

struct Fixture {
    _dir: tempfile::TempDir,
    path: PathBuf,
    base: String,
    head: String,
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Ada")
        .env("GIT_AUTHOR_EMAIL", "ada@example.com")
        .env("GIT_COMMITTER_NAME", "Ada")
        .env("GIT_COMMITTER_EMAIL", "ada@example.com")
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// 40 Python modules of 60 lines; the change edits 5 of them and adds a
/// finding to one.
static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let bandit = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/analyzers/bin/bandit");
    assert!(
        bandit.is_file(),
        "bandit is not installed: run .ci/analyzers first"
    );
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().to_path_buf();
    git(&p, &["init", "-q", "-b", "main"]);
    std::fs::create_dir_all(p.join(".countersign")).unwrap();
    std::fs::write(
        p.join(".countersign/analyzers.toml"),
        format!(
            "[[analyzer]]\nname = \"bandit\"\ncommand = [\"{}\", \"-q\", \"-f\", \"sarif\", \"-o\", \"{{out}}\", \"--exit-zero\", \"{{files}}\"]\nfiles = [\"*.py\"]\n",
            bandit.display()
        ),
    )
    .unwrap();
    let module = |i: usize, extra: &str| {
        let mut s = String::from("import subprocess\nimport json\n\n");
        for f in 0..19 {
            s.push_str(&format!(
                "def f{i}_{f}(x):\n    y = json.dumps(x)\n    return subprocess.call(['echo', y])\n"
            ));
        }
        s.push_str(extra);
        s
    };
    std::fs::create_dir_all(p.join("app")).unwrap();
    for i in 0..40 {
        std::fs::write(p.join(format!("app/m{i}.py")), module(i, "")).unwrap();
    }
    git(&p, &["add", "-A"]);
    git(&p, &["commit", "-q", "-m", "base"]);
    let base = git(&p, &["rev-parse", "HEAD"]);
    for i in 0..5 {
        let extra = if i == 0 {
            "\ndef risky(c):\n    return subprocess.call(c, shell=True)\n"
        } else {
            "\n# touched\n"
        };
        std::fs::write(p.join(format!("app/m{i}.py")), module(i, extra)).unwrap();
    }
    git(&p, &["commit", "-q", "-am", "change"]);
    let head = git(&p, &["rev-parse", "HEAD"]);
    Fixture {
        _dir: dir,
        path: p,
        base,
        head,
    }
});

fn analysed(f: &Fixture) -> usize {
    let repo = Repo::open_exact(&f.path.join(".git")).unwrap();
    let diff = repo.diff(&f.base, &f.head).unwrap().diff;
    let r = analysed_report(
        &repo,
        &f.base,
        &f.head,
        &diff,
        AnalysisOptions { run_local: true },
    )
    .unwrap();
    assert!(
        r.report.findings.iter().any(|x| x.rule == "bandit B602"),
        "bandit ran and found the new B602"
    );
    r.report.findings.len()
}

/// Bandit on the base and the head (nothing cached but the tool's version).
#[divan::bench(sample_count = 5, sample_size = 1)]
fn uncached(bencher: divan::Bencher) {
    let f = &*FIXTURE;
    let log = f.path.join(".git/countersign/cache/analyzers.log");
    bencher
        .with_inputs(|| {
            // Keep the version entries: they are keyed by the program file.
            if let Ok(text) = std::fs::read_to_string(&log) {
                let kept: String = text
                    .lines()
                    .filter(|l| l.starts_with("version-"))
                    .map(|l| format!("{l}\n"))
                    .collect();
                let _ = std::fs::write(&log, kept);
            }
        })
        .bench_values(|()| analysed(f));
}

/// The second look at the same change.
#[divan::bench(sample_count = 20)]
fn cached(bencher: divan::Bencher) {
    let f = &*FIXTURE;
    analysed(f);
    bencher.bench(|| analysed(f));
}
