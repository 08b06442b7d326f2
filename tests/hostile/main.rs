//! Hostile input (issue 6, sections 3–5): diffs crafted to lie on the
//! reviewer's screen, malformed and oversized repositories and records, fuzzed
//! parsers, and the trust boundaries of the gate. One binary.
//!
//! The proptest cases run with modest counts here; `scripts/fuzz.sh` runs
//! them with `PROPTEST_CASES` in the hundreds of thousands.

#[allow(dead_code)]
#[path = "../foundation/support.rs"]
mod support;

#[allow(dead_code)]
#[path = "../decisions/kit.rs"]
mod kit;

mod fuzz;
mod hazards;
mod repos;
mod screen;
mod trust;
