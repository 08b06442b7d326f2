//! `risk <id> [--json]` and the queue, run as a user runs them.
