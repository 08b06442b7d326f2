//! Reliability under many reviewers and crashes (issue 6, parts 1 and 2): real
//! processes, real keys, real SIGKILLs. Sizes come from the environment so the
//! same tests run short in `cargo test` and full size from
//! `scripts/reliability.sh`; every random choice comes from a printed seed
//! (`CS_REL_SEED=<n>` replays a run). One binary.

#[allow(dead_code)]
#[path = "../foundation/support.rs"]
mod support;

#[allow(dead_code)]
#[path = "../decisions/kit.rs"]
mod kit;

mod common;

mod concurrent;
mod crash;
