//! The review console shows analyzer findings in the gutter like the engine's
//! own, and `o` shows the results the change did not introduce.

use std::sync::Arc;

use countersign::config::UserConfig;
use countersign::ui::backend::GitBackend;
use countersign::ui::harness::Harness;

use crate::local::NEW_APP;
use crate::{OLD_APP, change, repo_with, require};

#[test]
fn the_console_marks_the_new_finding_and_o_shows_the_old_ones() {
    let bandit = require("bandit");
    // The console's process has no venv on PATH: the command names the program.
    let config = format!(
        "[[analyzer]]\nname = \"bandit\"\ncommand = [\"{}\", \"-q\", \"-f\", \"sarif\", \"-o\", \"{{out}}\", \"--exit-zero\", \"{{files}}\"]\nfiles = [\"*.py\"]\n",
        bandit.display()
    );
    let r = repo_with(&[
        (".countersign/analyzers.toml", &config),
        ("app.py", OLD_APP),
    ]);
    change(&r, "fetch", &[("app.py", NEW_APP)]);
    let user = UserConfig::default();
    let backend = GitBackend::open(r.path(), &user, None).unwrap();
    let mut h = Harness::new(Arc::new(backend), &user, 140, 40, 0);
    h.settle();
    h.press("enter");
    let s = h.screen();
    assert!(
        s.contains("bandit B501"),
        "the new finding is on screen:\n{s}"
    );
    assert!(!s.contains("bandit B602"), "old findings are hidden:\n{s}");
    h.press("o");
    let s = h.screen();
    assert!(s.contains("bandit B602"), "o shows the old ones:\n{s}");
    h.press("o");
    let s = h.screen();
    assert!(!s.contains("bandit B602"), "o hides them again:\n{s}");
    assert!(s.contains("bandit B501"), "{s}");
}
