//! Integration tests of the risk engine: the labelled corpus (recall and false
//! alarms on real repositories), repository rules, the `risk` command, the queue
//! ordering and the blast radius on real git history.

mod cli;
mod corpus;
mod engine;
#[path = "../foundation/support.rs"]
#[allow(dead_code)]
mod support;
