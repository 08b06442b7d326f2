//! Benchmarks of the risk engine, with their targets:
//!
//! * the findings and score of a 5,000-line change: under 100 ms, from the
//!   hunks alone and from full files with their syntax trees;
//! * the blast radius of a change in a generated 20,000-file repository: under
//!   1 s cold (no countersign cache), under 50 ms cached.
//!
//! Run: `cargo bench --bench risk`. Figures are in docs/risk-benchmarks.md.

use std::collections::HashMap;
use std::sync::LazyLock;

use countersign::diff::{Diff, DiffLine, FileDiff, FileStatus, Hunk, LineKind, MinusPlus};
use countersign::git::Repo;
use countersign::git::build::Person;
use countersign::risk::{self, RuleSet};

fn main() {
    // As the binary does: objects are not re-hashed on every read.
    countersign::git::configure_process();
    divan::main();
}

/// Lines of realistic code in several languages, some of them risky.
const SNIPPETS: &[(&str, &[&str])] = &[
    (
        "services/payments/src/charge.py",
        &[
            "def charge(customer, amount_cents, currency=\"EUR\"):",
            "    client = ProcessorClient(timeout=10)",
            "    resp = client.authorize(amount_cents, currency, customer.token)",
            "    if resp.status != \"approved\":",
            "        raise PaymentDeclined(resp.reason)",
            "    log.info(\"charged %s %d\", customer.id, amount_cents)",
            "    return resp",
            "",
        ],
    ),
    (
        "web/src/components/Cart.tsx",
        &[
            "export function Cart({ items, onCheckout }: Props) {",
            "  const total = items.reduce((sum, i) => sum + i.price * i.qty, 0);",
            "  const [busy, setBusy] = useState(false);",
            "  return (",
            "    <section className={styles.cart}>",
            "      {items.map((i) => <CartRow key={i.sku} item={i} />)}",
            "      <Button disabled={busy} onClick={() => onCheckout(total)}>Pay</Button>",
            "    </section>",
            "  );",
            "}",
        ],
    ),
    (
        "crates/core/src/ledger.rs",
        &[
            "pub fn post(&mut self, entry: Entry) -> Result<PostingId, LedgerError> {",
            "    let id = self.next_id();",
            "    self.check_balance(&entry)?;",
            "    let _ = self.journal.write(&entry);",
            "    self.entries.insert(id, entry);",
            "    Ok(id)",
            "}",
        ],
    ),
    (
        "infra/prod/main.tf",
        &[
            "resource \"aws_instance\" \"worker\" {",
            "  ami           = data.aws_ami.base.id",
            "  instance_type = \"m6i.large\"",
            "  tags          = local.tags",
            "}",
        ],
    ),
    (
        "db/migrations/0099_orders.sql",
        &[
            "ALTER TABLE orders ADD COLUMN note TEXT;",
            "CREATE INDEX orders_note_idx ON orders (note);",
            "UPDATE orders SET note = '' WHERE note IS NULL;",
        ],
    ),
];

fn big_diff(lines: usize) -> Diff {
    let mut files = Vec::new();
    let mut made = 0;
    let mut n = 0;
    while made < lines {
        let (path, snippet) = SNIPPETS[n % SNIPPETS.len()];
        let path = format!(
            "{}/{n}/{}",
            path.rsplit_once('/').unwrap().0,
            path.rsplit_once('/').unwrap().1
        );
        let mut hunk_lines = Vec::new();
        for i in 0..100 {
            let text = snippet[i % snippet.len()].to_string();
            let kind = if i % 3 == 0 {
                LineKind::Removed
            } else {
                LineKind::Added
            };
            hunk_lines.push(DiffLine {
                kind,
                old_no: (kind == LineKind::Removed).then_some(i as u32 + 1),
                new_no: (kind == LineKind::Added).then_some(i as u32 + 1),
                content: text,
                no_newline: false,
                invalid_utf8: false,
            });
        }
        made += hunk_lines.len();
        files.push(FileDiff {
            path: MinusPlus::new(Some(path.clone()), Some(path)),
            status: FileStatus::Modified,
            mode: MinusPlus::new(Some(0o100644), Some(0o100644)),
            blob: MinusPlus::new(String::new(), String::new()),
            similarity: None,
            binary: false,
            size: MinusPlus::new(0, 0),
            additions: 67,
            deletions: 33,
            hunks: vec![Hunk {
                old_start: 1,
                old_lines: 100,
                new_start: 1,
                new_lines: 100,
                section: String::new(),
                lines: hunk_lines,
            }],
        });
        n += 1;
    }
    Diff { files }
}

static DIFF_5000: LazyLock<Diff> = LazyLock::new(|| big_diff(5000));
static RULES: LazyLock<RuleSet> = LazyLock::new(RuleSet::builtin);

/// Findings and score of a 5,000-line change (target: under 100 ms).
#[divan::bench(sample_count = 20)]
fn report_5000_lines() -> u8 {
    let diff = &*DIFF_5000;
    let found = risk::findings(diff, &HashMap::new(), &RULES);
    risk::report(
        found,
        risk::Blast::default(),
        diff.additions() + diff.deletions(),
    )
    .score
}

/// The same change with both sides of every file loaded in full (each file is
/// 400 lines of context around the hunk), as `analyse_change` loads them, and a
/// message that promises a refactor: the syntax trees of 100 files, the
/// function-by-function comparison and the intent check.
static FULL_5000: LazyLock<(Diff, risk::Contents)> = LazyLock::new(|| {
    let diff = big_diff(5000);
    let mut contents = risk::Contents::new();
    for f in &diff.files {
        let path = f.display_path().to_string();
        let (mut old, mut new) = (String::new(), String::new());
        for l in f.hunks.iter().flat_map(|h| &h.lines) {
            let side = if l.kind == LineKind::Removed {
                &mut old
            } else {
                &mut new
            };
            side.push_str(&l.content);
            side.push('\n');
        }
        let snippet = SNIPPETS
            .iter()
            .find(|(p, _)| path.ends_with(p.rsplit_once('/').unwrap().1))
            .map(|(_, s)| s.join("\n"))
            .unwrap_or_default();
        for _ in 0..(400 / 8) {
            old.push_str(&snippet);
            old.push('\n');
            new.push_str(&snippet);
            new.push('\n');
        }
        contents.insert(path, MinusPlus::new(Some(old), Some(new)));
    }
    (diff, contents)
});

/// Findings and score of a 5,000-line change read from full files with their
/// syntax trees, and a refactor message to check (target: under 100 ms).
#[divan::bench(sample_count = 20)]
fn report_5000_lines_full_files() -> u8 {
    let (diff, contents) = &*FULL_5000;
    let found = risk::findings_with_message(
        diff,
        contents,
        &RULES,
        Some("refactor: tidy the services (no behaviour change)"),
    );
    risk::report(
        found,
        risk::Blast::default(),
        diff.additions() + diff.deletions(),
    )
    .score
}

/// A generated repository of 20,000 files in 40 services, whose shared session
/// module is imported by 500 files; the change edits it and nine other files.
struct BigRepo {
    dir: tempfile::TempDir,
    base: String,
    diff: Diff,
}

impl BigRepo {
    fn open(&self) -> Repo {
        Repo::open_exact(&self.dir.path().join(".git")).unwrap()
    }
}

static BIG: LazyLock<BigRepo> = LazyLock::new(|| {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repo::init(dir.path(), "main").unwrap();
    let who = Person {
        name: "Gen".into(),
        email: "gen@example.com".into(),
        time: 1_700_000_000,
    };
    let mut files: Vec<(String, Option<Vec<u8>>)> = Vec::with_capacity(20_000);
    files.push((
        "lib/auth/session.ts".into(),
        Some(b"export function requireUser(req) { return req.user; }\n".to_vec()),
    ));
    for i in 1..20_000 {
        let svc = i % 40;
        let path = format!(
            "services/svc{svc:02}/src/mod{:03}/file{i:05}.ts",
            (i / 40) % 50
        );
        let mut body = String::new();
        if i % 40 == 0 {
            body.push_str("import { requireUser } from \"../../../../lib/auth/session\";\n");
        }
        body.push_str(&format!(
            "import {{ helper{} }} from \"./file{:05}\";\n\n",
            (i + 7) % 20_000,
            (i + 7) % 20_000
        ));
        for l in 0..40 {
            body.push_str(&format!("export function f{i}_{l}(order: Order): number {{ return order.total * {l} + helper(order.items.length); }}\n"));
        }
        files.push((path, Some(body.into_bytes())));
    }
    let base = repo
        .commit_files("main", None, &files, &who, "generated")
        .unwrap();
    // Pack the objects, as in any real clone.
    let _ = std::process::Command::new("git")
        .args(["-C", dir.path().to_str().unwrap(), "gc", "-q"])
        .status();
    let mut change: Vec<(String, Option<Vec<u8>>)> = vec![(
        "lib/auth/session.ts".into(),
        Some(b"export function requireUser(req) { return req.user ?? null; }\n".to_vec()),
    )];
    for i in 1..10 {
        let path = format!(
            "services/svc{:02}/src/mod{:03}/file{i:05}.ts",
            i % 40,
            (i / 40) % 50
        );
        change.push((
            path,
            Some(format!("export const changed{i} = true;\n").into_bytes()),
        ));
    }
    let head = repo
        .commit_files(
            "change",
            Some(&base),
            &change,
            &Person {
                time: 1_700_000_100,
                ..who
            },
            "change",
        )
        .unwrap();
    let diff = repo.diff(&base, &head).unwrap().diff;
    BigRepo { dir, base, diff }
});

/// Blast radius with no countersign cache (target: under 1 s).
#[divan::bench(sample_count = 5, sample_size = 1)]
fn blast_20000_files_cold(bencher: divan::Bencher) {
    let b = &*BIG;
    let repo = b.open();
    // 499 importers of the session module, and the neighbours of the other nine files.
    let dependents = risk::blast_for(&repo, &b.diff, &b.base, &RULES, false)
        .unwrap()
        .dependents;
    assert!((499..530).contains(&dependents), "{dependents}");
    bencher.bench_local(|| {
        risk::blast_for(&repo, &b.diff, &b.base, &RULES, false)
            .unwrap()
            .dependents
    });
}

/// Blast radius from the cache (target: under 50 ms).
#[divan::bench(sample_count = 20)]
fn blast_20000_files_cached(bencher: divan::Bencher) {
    let b = &*BIG;
    let repo = b.open();
    risk::blast_for(&repo, &b.diff, &b.base, &RULES, true).unwrap();
    bencher.bench_local(|| {
        risk::blast_for(&repo, &b.diff, &b.base, &RULES, true)
            .unwrap()
            .dependents
    });
}
