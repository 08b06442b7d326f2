//! The error that means "bad input": the user named something that does not
//! exist or gave a malformed file. The CLI prints it on one line and exits 2.

use std::fmt;

/// Bad input from the user: an unknown id, a path that is not a repository, a
/// malformed file. Its message names the problem and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadInput(pub String);

impl BadInput {
    pub fn new(msg: impl Into<String>) -> Self {
        BadInput(msg.into())
    }
}

impl fmt::Display for BadInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadInput {}

/// Shorthand for returning bad input from a function returning `anyhow::Result`.
#[macro_export]
macro_rules! bad_input {
    ($($arg:tt)*) => {
        return Err($crate::error::BadInput::new(format!($($arg)*)).into())
    };
}
