//! Integration tests of signed decisions, the gate, sync, the audit and the CI
//! assets, on real git repositories with real ssh-keygen keys. One binary.

#[allow(dead_code)]
#[path = "../foundation/support.rs"]
mod support;

mod kit;

#[allow(dead_code)]
#[path = "../tui/tmux.rs"]
mod tmux;

mod attacks;
mod ci;
mod flow;
mod interop;
mod review_loop;
mod sync;
mod trust;
