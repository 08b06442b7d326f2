//! Integration tests of the foundation: real repositories in temp dirs, the
//! built binary run as a user runs it, patch-ids checked against real git.

mod bad_input;
mod patch_id;
mod queue;
mod show;
mod support;
