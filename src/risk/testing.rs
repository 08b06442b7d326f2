//! Weakened tests: tests deleted (and none added), tests skipped or marked
//! expected-to-fail, a focused test (`.only`) that silently disables the rest of
//! the suite, assertions removed or replaced by weaker ones, and coverage
//! thresholds lowered.

use std::sync::LazyLock;

use regex::Regex;

use super::lang::Lang;
use super::{ChangeView, FileView, Finding, Severity, quote};

static TEST_DEF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(^\s*(async\s+)?def\s+test_?\w*\s*\(|#\[(tokio::)?test\]|^\s*func\s+Test\w+\s*\(|^\s*(x|f)?(it|test|specify|scenario)(\.(skip|only|todo|concurrent|failing))?\s*\(\s*["'`]|^\s*(it|test)(\.(skip|only|concurrent))?\.each\b(.*[)`]\s*\(\s*["'`]|\s*`\s*$)|^\s*@Test\b|^\s*\[(Fact|Test|Theory|TestMethod)\b|^\s*(x|f)?(it|test|specify|scenario)\s+["'].*\bdo\s*$|^\s*fn\s+test_\w+|^\s*func\s+test\w+\s*\(\s*\)|^\s*TEST(_F|_P)?\s*\()"#).unwrap()
});
static FOCUS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(describe|it|test|context|suite)\.only\s*\(|^\s*(fit|fdescribe|fcontext)\s*\(|\bfocus:\s*true\b|@pytest\.mark\.only\b").unwrap()
});
static SKIP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(@pytest\.mark\.(skip|skipif|xfail)\b|@unittest\.(skip|expectedFailure)|pytest\.skip\(|\b(describe|it|test|context)\.(skip|todo)\s*\(|^\s*(xit|xdescribe|xtest|xcontext)\s*\(|\bt\.Skip(f|Now)?\(|#\[ignore\b|@Ignore\b|@Disabled\b|\[Ignore\b|Skip\s*=\s*"|\.skip\(\s*true|@skip\b|XCTSkip)"#).unwrap()
});
/// A test's name: its first quoted string, else the name after `def`/`fn`/`func`.
static TEST_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"["'`]([^"'`]{2,})["'`]|\b(?:def|fn|func)\s+(\w+)"#).unwrap());
/// RSpec's and Jasmine's bare `skip`/`pending`: only in Ruby and JavaScript.
static SKIP_BARE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^\s*(skip|pending)\s*(\(|["'])"#).unwrap());
static ASSERTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\bassert\w*[!(\s]|\bexpect\s*\(|\bexpect\s*\{|\.should\b|\bself\.assert\w+\(|\bAssert\.\w+\(|\brequire\.\w+\(|\bt\.(Error|Errorf|Fatal|Fatalf|Fail)\(|\bXCTAssert\w*\(|\bEXPECT_\w+\(|\bASSERT_\w+\(|\bverify\s*\(|\.to(Be|Equal|Have|Throw|Match|Contain)\w*\()").unwrap()
});
static WEAK_ASSERTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\.toBeDefined\(\)|\.toBeTruthy\(\)|\.not\.toBeNull\(\)|\bassert\s+True\b|\bassertTrue\(\s*True\s*\)|expect\(\s*true\s*\)|assert!\(\s*true\s*\)|\bassert\s+\w+\s+is\s+not\s+None\s*$|assert_eq!\(\s*1\s*,\s*1\s*\)|assertNotNull\()").unwrap()
});
static COVERAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b(fail[_-]?under|minimum|cov-fail-under|coverage[_-]?threshold|min(imum)?[_-]?coverage|branches|lines|functions|statements|threshold|target|min_coverage_percentage)["']?\s*[:=]?\s*["']?(\d+(?:\.\d+)?)%?"#).unwrap()
});

/// A stub the tests install for a function by name: the function's name.
static STUB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:monkeypatch\.setattr|patch\.object|mocker\.patch\.object|(?:jest|vi)\.spyOn|sinon\.stub|spyOn)\s*\(\s*(?:[\w]+\.)*(\w+)\s*,\s*["'](\w+)["']|(?:monkeypatch\.setattr|mocker\.patch|mock\.patch|\bpatch)\s*\(\s*["'](?:[\w]+\.)*(\w+)\.(\w+)["']"#).unwrap()
});

/// Tests that stub out the very function they call and assert on: a
/// fixture replaces `compute_refund_amount` with a precomputed answer and
/// the test then asserts that `compute_refund_amount(invoice)` returns it.
/// The code under test no longer runs, so whatever it gets wrong passes.
/// Read change-wide: the stub often sits in a shared fixture file, the call
/// in the test, the function in the code the change also touches.
fn subject_stubbed(change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    let tests = || change.files.iter().filter(|f| f.class.test_like());
    for f in tests() {
        for l in f.added_code() {
            let Some((module, name)) = STUB.captures(l.text).and_then(|c| {
                let module = c.get(1).or(c.get(3))?.as_str();
                let name = c.get(2).or(c.get(4))?.as_str();
                Some((module, name))
            }) else {
                continue;
            };
            // Defined in the code of the change, and replaced in the module
            // that defines it (`refunds.compute_refund_amount` in
            // `refunds.py`): the code under test. Replaced where another
            // module imported it, it is that module's dependency.
            let def = [
                format!("def {name}("),
                format!("function {name}("),
                format!("fn {name}("),
                format!("func {name}("),
            ];
            let defined = change
                .files
                .iter()
                .filter(|g| g.class.production())
                .any(|g| {
                    let stem = g.path.rsplit('/').next().unwrap_or(g.path);
                    let stem = stem.split('.').next().unwrap_or(stem);
                    stem == module
                        && g.new_text()
                            .is_some_and(|t| def.iter().any(|d| t.contains(d.as_str())))
                });
            if !defined {
                continue;
            }
            // Called straight from a test the change touches, not through
            // the stub line itself.
            let call = format!("{name}(");
            let called = tests().any(|g| {
                let mut in_test = false;
                g.new_text().is_some_and(|t| {
                    t.lines().any(|x| {
                        if TEST_DEF.is_match(x) {
                            in_test = true;
                        } else if super::code::starts_function(x) {
                            in_test = false;
                        }
                        in_test
                            && x.contains(&call)
                            && !STUB.is_match(x)
                            && !g.class.is_comment(x)
                            && !x.contains("\"\"\"")
                    })
                })
            });
            if !called {
                continue;
            }
            out.push(Finding::added(
                "test-subject-stubbed",
                Severity::High,
                f.path,
                Some(l.no),
                format!(
                    "Stubs out `{name}`, which the tests call and assert on: they now check the stub's answer, not the code, so anything `{name}` gets wrong passes."
                ),
            ));
            return;
        }
    }
}

fn coverage_file(path: &str) -> bool {
    let n = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    n.contains("cov")
        || n.contains("jest")
        || n.contains("vitest")
        || n.contains("nyc")
        || n.contains("karma")
        || matches!(
            n.as_str(),
            "pyproject.toml"
                | "setup.cfg"
                | "tox.ini"
                | "package.json"
                | "makefile"
                | "pytest.ini"
                | "build.gradle"
                | "pom.xml"
                | "build.gradle.kts"
        )
        || super::lang::FileClass::of(path).ci
}

/// Tests removed from one file (definitions removed and not re-added).
fn removed_tests(f: &FileView<'_>) -> Vec<u32> {
    if !f.class.test {
        return Vec::new();
    }
    let added = f.added.iter().filter(|l| TEST_DEF.is_match(l.text)).count();
    let removed: Vec<u32> = f
        .removed
        .iter()
        .filter(|l| TEST_DEF.is_match(l.text))
        .map(|l| l.no)
        .collect();
    if removed.len() > added {
        removed[added..].to_vec()
    } else {
        Vec::new()
    }
}

/// True when line `no` (new side) sits in a test that the change itself adds:
/// the nearest test definition above it is an added line.
fn in_new_test(f: &FileView<'_>, no: u32) -> bool {
    if f.created() {
        return true;
    }
    let mut n = no;
    while n > 0 {
        let Some(text) = f.new_lines.get(&n) else {
            return false;
        };
        if TEST_DEF.is_match(text) {
            // New when its definition is added and its name was nowhere before
            // (an `it(` turned `it.skip(` is the same test, skipped).
            let name = TEST_NAME
                .captures(text)
                .and_then(|c| c.get(1).or_else(|| c.get(2)))
                .map(|m| m.as_str());
            return f.added.iter().any(|l| l.no == n)
                && name.is_some_and(|name| !f.removed.iter().any(|l| l.text.contains(name)));
        }
        n -= 1;
    }
    false
}

/// The names the change retires: identifiers and quoted values (ten
/// letters or more once case and separators are dropped) written in the
/// removed lines of production code, schemas and configuration, and
/// nowhere in what that code reads like after the change. A debug header, a
/// deprecated field, a legacy endpoint.
fn retired_names(change: &ChangeView<'_>) -> Vec<(String, String)> {
    static NAME: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"[A-Za-z][A-Za-z0-9_-]{7,}"#).unwrap());
    let code: Vec<&FileView<'_>> = change
        .files
        .iter()
        .filter(|g| !g.class.test_like() && !g.class.docs)
        .collect();
    // A protobuf `reserved "webhook_secret";` keeps the name only so that
    // nobody reuses it.
    let after: String = code
        .iter()
        .flat_map(|g| {
            g.new_text_or_hunks()
                .lines()
                .filter(|l| !l.trim_start().starts_with("reserved "))
                .map(squash)
                .collect::<Vec<_>>()
        })
        .collect::<Vec<_>>()
        .join(" ");
    let mut out: Vec<(String, String)> = Vec::new();
    for g in &code {
        for l in &g.removed {
            // Compound names only (`webhook_secret`, `X-Debug-Skip`,
            // `skipGate`): a plain word is prose, not a feature.
            for m in NAME.find_iter(l.text).filter(|m| compound(m.as_str())) {
                let key = squash(m.as_str());
                if key.len() >= 10 && !after.contains(&key) && !out.iter().any(|(k, _)| *k == key) {
                    out.push((key, m.as_str().to_string()));
                }
            }
        }
    }
    out
}

/// A name made of several words: joined by `_` or `-`, or in camel case.
fn compound(name: &str) -> bool {
    name.trim_matches(['_', '-']).contains(['_', '-'])
        || name
            .as_bytes()
            .windows(2)
            .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
}

/// Lowercase letters and digits only: `X-Debug-Skip-Gate`, `debug_skip_gate`
/// and `GetDebugSkipGate()` share `debugskipgate`.
fn squash(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A name the change retires that the given removed test lines use: the
/// tests of a feature removed with them, not checks dropped from code that
/// still runs.
fn retired_with_feature<'t>(
    lines: impl Iterator<Item = &'t str>,
    retired: &[(String, String)],
) -> Option<String> {
    if retired.is_empty() {
        return None;
    }
    let text = squash(&lines.collect::<Vec<_>>().join(" "));
    retired
        .iter()
        .find(|(k, _)| text.contains(k.as_str()))
        .map(|(_, name)| name.clone())
}

/// Per-file test rules.
/// A Go test's check on its own set-up (`cert, err := tls.LoadX509KeyPair(…)`
/// then `if err != nil { t.Fatalf(…) }`) removed together with the set-up
/// it checked: the fixture went, not a check on the code under test.
fn setup_check_removed_with_its_setup(f: &FileView<'_>, no: u32) -> bool {
    static SETUP_FAILURE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*(?:t\.(?:Fatal|Fatalf)\(|require\.NoError\(\s*t\s*,\s*err\s*\))").unwrap()
    });
    static ERR_GUARD: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*if\s+(?:err\s*!=\s*nil|!)").unwrap());
    let gone = |n: u32| f.removed.iter().find(|l| l.no == n).map(|l| l.text);
    let Some(text) = gone(no) else { return false };
    if !SETUP_FAILURE.is_match(text) {
        return false;
    }
    // `require.NoError(t, err)` right under the call it checks;
    // `t.Fatalf` inside an `if` right under it.
    let assigns = |t: &str| t.contains(":=") || t.contains(" = ");
    if text.trim_start().starts_with("require.") {
        return no > 1 && gone(no - 1).is_some_and(assigns);
    }
    no > 2
        && gone(no - 1).is_some_and(|t| ERR_GUARD.is_match(t))
        && gone(no - 2).is_some_and(assigns)
}

pub fn check(f: &FileView<'_>, change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    // A build file's JaCoCo rules (`minimum = "0.80".toBigDecimal()`).
    let build_file = [".gradle", ".gradle.kts", "pom.xml"]
        .iter()
        .any(|e| f.path.ends_with(e))
        && f.new_text_or_hunks().contains("jacoco");
    if coverage_file(f.path) || build_file {
        coverage(f, out);
    }
    let code = !matches!(
        f.class.lang,
        Lang::Markdown | Lang::Json | Lang::Yaml | Lang::Toml | Lang::Other | Lang::Sql
    );
    if !f.class.test || f.class.docs || !code {
        return;
    }
    for l in f.added_code() {
        if let Some(m) = FOCUS.find(l.text) {
            out.push(Finding::added(
                "test-focused",
                Severity::High,
                f.path,
                Some(l.no),
                format!("Focuses the suite on one test ({}): every other test in this file is silently skipped, in CI too.", quote(m.as_str())),
            ));
        } else if in_new_test(f, l.no) {
            // A skip inside a test this change adds checks nothing less than before.
            continue;
        } else if let Some(m) = SKIP.find(l.text).or_else(|| {
            matches!(
                f.class.lang,
                super::lang::Lang::Ruby | super::lang::Lang::JavaScript
            )
            .then(|| SKIP_BARE.find(l.text))
            .flatten()
        }) {
            out.push(Finding::added(
                "test-skipped",
                Severity::Medium,
                f.path,
                Some(l.no),
                format!("Skips a test or expects it to fail ({}): whatever it checked is no longer checked.", quote(m.as_str())),
            ));
        }
    }
    if f.deleted() {
        return; // counted by check_change
    }
    let added_asserts: Vec<&str> = f
        .added
        .iter()
        .filter(|l| ASSERTION.is_match(l.text))
        .map(|l| l.text.trim())
        .collect();
    // Assertions that moved to another test file are not removed.
    let added_elsewhere: Vec<&str> = change
        .files
        .iter()
        .filter(|g| g.class.test && g.path != f.path)
        .flat_map(|g| g.added.iter())
        .filter(|l| ASSERTION.is_match(l.text))
        .map(|l| l.text.trim())
        .collect();
    let removed: Vec<_> = f
        .removed_code()
        .filter(|l| {
            ASSERTION.is_match(l.text)
                && !added_asserts.contains(&l.text.trim())
                && !added_elsewhere.contains(&l.text.trim())
                && !setup_check_removed_with_its_setup(f, l.no)
        })
        .collect();
    let weak_added: Vec<_> = f
        .added
        .iter()
        .filter(|l| WEAK_ASSERTION.is_match(l.text))
        .collect();
    let strong_added = added_asserts.len() - weak_added.len().min(added_asserts.len());
    if !removed.is_empty() && removed.len() > strong_added {
        let first = removed[0];
        let retired =
            retired_with_feature(f.removed.iter().map(|l| l.text), &retired_names(change));
        out.push(Finding::removed(
            "test-assertions-removed",
            if retired.is_some() {
                Severity::Low
            } else if strong_added == 0
                && added_elsewhere.is_empty()
                && !removed.iter().all(|l| in_test_setup(f, l.no))
            {
                Severity::High
            } else {
                Severity::Medium
            },
            f.path,
            Some(first.no),
            match retired {
                Some(what) => format!(
                    "Removes {} assertion{} about {}, which the change also removes from the code.",
                    removed.len(),
                    if removed.len() == 1 { "" } else { "s" },
                    quote(&what)
                ),
                None => format!(
                    "Removes {} assertion{} and adds {}: the tests still pass, but they check less than before.",
                    removed.len(),
                    if removed.len() == 1 { "" } else { "s" },
                    if strong_added == 0 { "none back".to_string() } else { format!("only {strong_added}") }
                ),
            },
        ));
    }
    if !removed.is_empty()
        && let Some(w) = weak_added.first()
    {
        out.push(Finding::added(
                "test-assertion-weakened",
                Severity::Medium,
                f.path,
                Some(w.no),
                format!("Replaces a precise assertion with a weaker one ({}): it passes for wrong values too.", quote(w.text)),
            ));
    }
}

fn coverage(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let value = |t: &str| -> Option<(String, f64)> {
        let c = COVERAGE.captures(t)?;
        Some((c[1].to_ascii_lowercase(), c[3].parse().ok()?))
    };
    let removed: Vec<(u32, String, f64)> = f
        .removed
        .iter()
        .filter_map(|l| value(l.text).map(|(k, v)| (l.no, k, v)))
        .collect();
    if removed.is_empty() {
        return;
    }
    let added: Vec<(u32, String, f64)> = f
        .added
        .iter()
        .filter_map(|l| value(l.text).map(|(k, v)| (l.no, k, v)))
        .collect();
    for (no, key, new) in &added {
        if let Some((_, _, old)) = removed.iter().find(|(_, k, _)| k == key)
            && new < old
            && *old <= 100.0
        {
            out.push(Finding::added(
                    "test-coverage-lowered",
                    Severity::High,
                    f.path,
                    Some(*no),
                    format!("Lowers the coverage gate ({key}) from {old} to {new}: code that is not tested at all can now pass CI."),
                ));
            return;
        }
    }
    if added.is_empty() && removed.iter().any(|(_, k, _)| k.contains("fail")) {
        let (no, key, old) = &removed[0];
        out.push(Finding::removed(
            "test-coverage-lowered",
            Severity::High,
            f.path,
            Some(*no),
            format!("Removes the coverage gate ({key} {old}): code that is not tested at all can now pass CI."),
        ));
    }
}

/// The name a test file and the file it tests share: `test_refunds.py`,
/// `refunds_test.go`, `Refunds.test.ts`, `RefundsTest.java` → `refunds`.
pub fn test_stem(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.split('.').next().unwrap_or(name).to_ascii_lowercase();
    let stem = stem.strip_prefix("test_").unwrap_or(&stem);
    let stem = stem
        .strip_suffix("_test")
        .or_else(|| stem.strip_suffix("_spec"))
        .or_else(|| stem.strip_suffix("tests"))
        .or_else(|| stem.strip_suffix("test"))
        .or_else(|| stem.strip_suffix("spec"))
        .unwrap_or(stem);
    stem.trim_end_matches(['_', '-']).to_string()
}

/// Change-level test rules: tests deleted while none are added anywhere, and
/// tests weakened in the same change that edits the code they test (the usual
/// way to make a failing check pass).
/// Whether an old line sits in a test's set-up rather than in a test: a
/// pytest fixture or `conftest.py`, `setUp`, `beforeEach`, `@BeforeEach`.
/// An assertion there checks the set-up worked, not the code under test.
fn in_test_setup(f: &FileView<'_>, no: u32) -> bool {
    static SETUP: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(@pytest\.fixture|\bdef setUp\b|\bbeforeEach\s*\(|\bbeforeAll\s*\(|@Before(Each|All)?\b|\bbefore\s*(\(:each\)|do)|\[SetUp\]|\[OneTimeSetUp\])").unwrap()
    });
    if f.path.ends_with("conftest.py") {
        return true;
    }
    let Some(old) = f.old_text() else {
        return false;
    };
    let lines: Vec<&str> = old.lines().collect();
    let at = (no as usize).saturating_sub(1).min(lines.len());
    // The nearest function head above the line, and the lines just above it.
    let Some(head) = lines[..at]
        .iter()
        .rposition(|l| super::code::starts_function(l) || SETUP.is_match(l))
    else {
        return false;
    };
    lines[head.saturating_sub(2)..=head]
        .iter()
        .any(|l| SETUP.is_match(l))
}

pub fn check_change(change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    subject_stubbed(change, out);
    // Production code changed in the same change, by normalised file stem.
    let code_stems: Vec<String> = change
        .files
        .iter()
        .filter(|f| {
            f.class.production()
                && !f.class.ci
                && !matches!(
                    f.class.lang,
                    Lang::Markdown | Lang::Yaml | Lang::Json | Lang::Toml | Lang::Other
                )
                && !f.added.is_empty()
        })
        .map(|f| test_stem(f.path))
        .collect();
    for x in out.iter_mut() {
        if matches!(
            x.rule.as_str(),
            "test-skipped" | "test-assertion-weakened" | "test-assertions-removed"
        ) && x.severity == Severity::Medium
            && code_stems.contains(&test_stem(&x.path))
        {
            x.severity = Severity::High;
            x.message
                .push_str(" It comes with changes to the code under test.");
        }
    }
    // A change of tests alone (a cleanup, a flaky test dropped) weakens the
    // suite but ships no new behaviour past it: worth a look, not an alarm.
    // Beside a change to the code, a lost check is what lets that change
    // through.
    let code_changed = change.files.iter().any(|f| {
        f.class.production()
            && !f.class.ci
            && f.class.lang != Lang::Markdown
            && (!f.added.is_empty() || !f.removed.is_empty())
    });
    // Tests of sessions, tokens, payments and the like stay an alarm: the
    // next change to that code has nothing to catch it.
    // Named for what they test (`session_expiry_spec.rb`), not for where
    // they sit (`billing/tests/conftest.py`).
    let guards_critical = |path: &str| {
        let name = path.rsplit('/').next().unwrap_or(path);
        super::behaviour::CRITICAL_CODE.is_match(name)
    };
    if !code_changed {
        for x in out.iter_mut().filter(|x| {
            x.rule == "test-assertions-removed"
                && x.severity > Severity::Medium
                && !guards_critical(&x.path)
        }) {
            x.severity = Severity::Medium;
            x.message.push_str(" Only tests change here.");
        }
    }
    let added_anywhere = change
        .files
        .iter()
        .filter(|f| f.class.test)
        .map(|f| f.added.iter().filter(|l| TEST_DEF.is_match(l.text)).count())
        .sum::<usize>();
    let net_removed: Vec<(&str, Vec<u32>, bool)> = change
        .files
        .iter()
        .map(|f| (f.path, removed_tests(f), f.deleted()))
        .filter(|(_, r, _)| !r.is_empty())
        .collect();
    let total: usize = net_removed.iter().map(|(_, r, _)| r.len()).sum();
    if total == 0 {
        return;
    }
    let removed_defs_total: usize = change
        .files
        .iter()
        .filter(|f| f.class.test)
        .map(|f| {
            f.removed
                .iter()
                .filter(|l| TEST_DEF.is_match(l.text))
                .count()
        })
        .sum();
    // Tests that moved between files are not deleted.
    if added_anywhere >= removed_defs_total {
        return;
    }
    // Tests deleted together with the code they tested are not a weakening.
    let code_deleted = change.files.iter().any(|f| {
        f.deleted() && f.class.production() && !f.class.ci && f.class.lang != Lang::Markdown
    });
    // Or together with the feature they tested (a field, a header, an
    // endpoint the change retires).
    let retired = retired_names(change);
    let feature_retired = retired_with_feature(
        change
            .files
            .iter()
            .filter(|f| net_removed.iter().any(|(p, _, _)| *p == f.path))
            .flat_map(|f| f.removed.iter().map(|l| l.text)),
        &retired,
    );
    let gone_with_code = code_deleted || feature_retired.is_some();
    for (path, lines, deleted) in net_removed {
        let severity = if gone_with_code {
            Severity::Low
        } else if added_anywhere == 0 && (code_changed || guards_critical(path)) {
            Severity::High
        } else {
            Severity::Medium
        };
        out.push(Finding::removed(
            "test-deleted",
            severity,
            path,
            if deleted {
                None
            } else {
                lines.first().copied()
            },
            format!(
                "Deletes {} test{}{}: whatever they guarded is no longer checked.",
                lines.len(),
                if lines.len() == 1 { "" } else { "s" },
                if added_anywhere == 0 {
                    " and adds none"
                } else {
                    ""
                }
            ),
        ));
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn tests_rewritten_as_a_table_are_no_tests_deleted() {
        let old = "describe(\"auth\", () => {\n  it(\"rejects listing\", async () => {\n    await request(app).get(\"/p\").expect(401);\n  });\n\n  it(\"rejects delete\", async () => {\n    await request(app).delete(\"/p/1\").expect(401);\n  });\n});\n";
        let table = "const routes = [[\"get\", \"/p\"], [\"delete\", \"/p/1\"]];\n\ndescribe(\"auth\", () => {\n  it.each(routes)(\"%s %s rejects\", async (m, p) => {\n    await request(app)[m](p).expect(401);\n  });\n});\n";
        use crate::risk::testkit::findings_with_contents;
        let deleted = |new: &str| {
            findings_with_contents("test/auth.test.ts", old, new)
                .into_iter()
                .find(|f| f.rule == "test-deleted")
                .map(|f| f.message)
        };
        // A table-driven test is a test added, not "adds none".
        let adds_none = |m: Option<String>| m.is_some_and(|m| m.contains("adds none"));
        assert!(!adds_none(deleted(table)));
        let tagged = table.replace("it.each(routes)(", "test.each`\n  m | p\n`(");
        assert!(!adds_none(deleted(&tagged)));
        // Both gone, nothing in their place.
        let none = "describe(\"auth\", () => {});\n";
        assert!(adds_none(deleted(none)));
    }

    #[test]
    fn tests_deleted_with_the_field_they_checked_are_low() {
        use crate::risk::Severity;
        use crate::risk::testkit::findings_of_change;
        let proto_old = "message Account {\n  string id = 1;\n  string webhook_secret = 4 [deprecated = true];\n}\n";
        let proto_new = "message Account {\n  string id = 1;\n  reserved 4;\n  reserved \"webhook_secret\";\n}\n";
        let test_old = "func TestGet(t *testing.T) {\n\tif got := get(); got == nil {\n\t\tt.Fatal(\"nil\")\n\t}\n}\n\nfunc TestNoSecret(t *testing.T) {\n\tif got := resp.GetWebhookSecret(); got != \"\" {\n\t\tt.Fatalf(\"leaked %q\", got)\n\t}\n}\n";
        let test_new = "func TestGet(t *testing.T) {\n\tif got := get(); got == nil {\n\t\tt.Fatal(\"nil\")\n\t}\n}\n";
        let sev = |proto_new: &str| {
            findings_of_change(
                &[
                    ("api/account.proto", Some(proto_old), Some(proto_new)),
                    (
                        "internal/server/account_test.go",
                        Some(test_old),
                        Some(test_new),
                    ),
                ],
                None,
            )
            .into_iter()
            .find(|f| f.rule == "test-deleted")
            .map(|f| f.severity)
        };
        assert_eq!(sev(proto_new), Some(Severity::Low));
        // The field still there: its test deleted is a weaker suite.
        assert_eq!(
            sev(&proto_old.replace("id = 1", "id = 1;\n  string name = 2")),
            Some(Severity::High)
        );
    }

    #[test]
    fn tests_retired_with_the_feature_they_checked_are_no_weakened_suite() {
        use crate::risk::Severity;
        use crate::risk::testkit::findings_of_change;
        let code_old = "def dispatch(request):\n    if request.headers.get(\"X-Debug-Skip-Gate\") == \"1\":\n        return allow()\n    return gate(request)\n";
        let code_new = "def dispatch(request):\n    return gate(request)\n";
        let test_old = "def test_gate():\n    assert gate_of(\"1.0\") == 426\n\ndef test_debug_header_skips():\n    r = get(headers={\"X-Debug-Skip-Gate\": \"1\"})\n    assert r.status_code != 426\n";
        let test_new = "def test_gate():\n    assert gate_of(\"1.0\") == 426\n";
        let sev = |code_new: &str| {
            findings_of_change(
                &[
                    ("api/gate.py", Some(code_old), Some(code_new)),
                    ("tests/test_gate.py", Some(test_old), Some(test_new)),
                ],
                None,
            )
            .into_iter()
            .find(|f| f.rule == "test-assertions-removed")
            .map(|f| f.severity)
        };
        assert_eq!(sev(code_new), Some(Severity::Low));
        // The feature still in the code: its test dropped is a weaker suite.
        assert!(sev(&code_old.replace("== \"1\"", "== \"yes\"")) >= Some(Severity::Medium));
    }
    use crate::risk::testkit::rules_hit;

    const SPEC: &str = "describe(\"cart\", () => {\n  it(\"adds\", () => {\n    expect(add(1, 2)).toBe(3);\n  });\n});\n";

    #[test]
    fn a_skip_in_a_new_test_is_not_a_weakened_check() {
        let old = "def test_csv():\n    assert export_csv([]) == ''\n";
        let new = format!(
            "{old}\n\ndef test_s3():\n    if not online():\n        pytest.skip('offline')\n    assert upload(b'x')\n"
        );
        assert!(rules_hit("tests/test_export.py", Some(old), Some(&new)).is_empty());
        // The same skip in a test that was there before is one.
        let skipped = old.replace(
            "def test_csv():\n",
            "def test_csv():\n    pytest.skip('flaky')\n",
        );
        assert_eq!(
            rules_hit("tests/test_export.py", Some(old), Some(&skipped)),
            vec!["test-skipped"]
        );
    }

    #[test]
    fn focus_skip_and_deleted_tests() {
        assert_eq!(
            rules_hit(
                "src/cart.test.ts",
                Some(SPEC),
                Some(&SPEC.replace("it(", "it.only("))
            ),
            vec!["test-focused"]
        );
        assert_eq!(
            rules_hit(
                "src/cart.test.ts",
                Some(SPEC),
                Some(&SPEC.replace("it(", "it.skip("))
            ),
            vec!["test-skipped"]
        );
        let hit = rules_hit("src/cart.test.ts", Some(SPEC), None);
        assert_eq!(hit, vec!["test-deleted"]);
        // The same text outside a test file is not a test.
        assert!(
            rules_hit(
                "src/cart.ts",
                Some(SPEC),
                Some(&SPEC.replace("it(", "it.only("))
            )
            .is_empty()
        );
    }

    #[test]
    fn an_assertion_dropped_from_a_fixture_is_not_a_weakened_test() {
        let old = "import pytest\n\n@pytest.fixture\ndef logged_in(client, user):\n    resp = client.post(\"/login\", data={\"email\": user.email})\n    assert resp.status_code == 302\n    return client\n\ndef test_profile(logged_in):\n    assert logged_in.get(\"/me\").status_code == 200\n";
        let fixture = old.replace("    assert resp.status_code == 302\n", "");
        // Beside a change to the code under test.
        let view_old = "def me(request):\n    return render(request, \"me.html\")\n";
        let view_new = "def me(request):\n    return render(request, \"profile.html\")\n";
        let severity = |new: &str, view: &str| {
            crate::risk::testkit::findings_of_change(
                &[
                    ("tests/test_profile.py", Some(old), Some(new)),
                    ("app/accounts.py", Some(view_old), Some(view)),
                ],
                None,
            )
            .into_iter()
            .find(|f| f.rule == "test-assertions-removed")
            .map(|f| f.severity)
        };
        let high = |new: &str| severity(new, view_new) == Some(crate::risk::Severity::High);
        assert!(!high(&fixture));
        // The test's own assertion is what it claims: removing it is high.
        let test = old.replace(
            "    assert logged_in.get(\"/me\").status_code == 200\n",
            "    logged_in.get(\"/me\")\n",
        );
        assert!(high(&test));
        // With only tests changing, it is worth a look, not an alarm.
        assert_eq!(
            severity(&test, view_old),
            Some(crate::risk::Severity::Medium)
        );
        // Unless they are the tests of sessions, tokens or payments.
        let deleted = |path: &str| {
            crate::risk::testkit::findings_of_change(&[(path, Some(old), None)], None)
                .into_iter()
                .find(|f| f.rule == "test-deleted")
                .map(|f| f.severity)
        };
        assert_eq!(
            deleted("tests/test_profile.py"),
            Some(crate::risk::Severity::Medium)
        );
        assert_eq!(
            deleted("spec/services/session_expiry_spec.rb"),
            Some(crate::risk::Severity::High)
        );
    }

    #[test]
    fn assertions_removed_and_coverage_lowered() {
        let old = "def test_total():\n    assert total([1, 2]) == 3\n    assert total([]) == 0\n";
        let new = "def test_total():\n    total([1, 2])\n";
        assert_eq!(
            rules_hit("tests/test_total.py", Some(old), Some(new)),
            vec!["test-assertions-removed"]
        );
        assert_eq!(
            rules_hit(
                "jest.config.js",
                Some("coverageThreshold: { global: { lines: 90 } },\n"),
                Some("coverageThreshold: { global: { lines: 70 } },\n")
            ),
            vec!["test-coverage-lowered"]
        );
        assert!(
            rules_hit(
                "setup.cfg",
                Some("fail_under = 80\n"),
                Some("fail_under = 85\n")
            )
            .is_empty()
        );
    }
}

#[cfg(test)]
mod stem_tests {
    use super::test_stem;

    #[test]
    fn tests_and_code_share_a_stem() {
        for p in [
            "tests/test_refunds.py",
            "pkg/refunds_test.go",
            "src/Refunds.test.ts",
            "src/RefundsTest.java",
            "spec/refunds_spec.rb",
            "app/refunds.py",
        ] {
            assert_eq!(test_stem(p), "refunds", "{p}");
        }
    }
}
