//! Attacks on the gate (the threat model in THREAT-MODEL.md): each test plays
//! the gated party — an AI agent that can push its own branches, any
//! `refs/countersign/*` and `refs/notes/*` ref, write any file in its change
//! and set any author, date or trailer — against the real binary on real
//! repositories, and asserts that the attack fails: the gate refuses, says
//! why, and the decisions are not changed. One binary.

#[allow(dead_code)]
#[path = "../foundation/support.rs"]
mod support;

#[allow(dead_code)]
#[path = "../decisions/kit.rs"]
mod kit;

#[allow(dead_code)]
mod common;

mod base;
mod binary;
mod gated;
mod hook;
mod landed;
mod notes;
mod own_config;
mod seeing;
mod self_approval;
mod time;
