//! The review console's tests: snapshots of every screen (TestBackend) and
//! end-to-end runs of the real binary in tmux.

mod e2e;
mod memory;
mod model;
mod snapshots;
mod support;
mod tmux;
