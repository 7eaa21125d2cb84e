//! The crate's one error type.

use thiserror::Error;

/// Everything that can go wrong in this crate.
///
/// ```
/// use passerelle_matching::{Instance, MatchingError};
///
/// let err = Instance::parse("1 1\n1\n1\n0 5 3\n").unwrap_err();
/// assert!(matches!(err, MatchingError::Parse { line: 4, .. }));
/// assert_eq!(err.to_string(), "line 4: referent 5 out of range (K = 1)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MatchingError {
    /// The instance text is malformed; `line` is 1-based.
    #[error("line {line}: {problem}")]
    Parse {
        /// 1-based line number.
        line: usize,
        /// What is wrong on that line.
        problem: String,
    },
    /// An instance built in code, or generator parameters, are out of range.
    #[error("invalid input: {0}")]
    Invalid(String),
}
