//! The crate's one error type.

use thiserror::Error;

/// Everything that can go wrong in this crate.
///
/// ```
/// use passerelle_matching::{Edge, Instance, MatchingError};
///
/// let err = Instance::new(1, vec![1], vec![Edge { request: 0, referent: 5, cost: 3 }]).unwrap_err();
/// assert!(matches!(err, MatchingError::Invalid(_)));
/// assert_eq!(err.to_string(), "invalid input: edge 0 5 out of range (R = 1, K = 1)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MatchingError {
    /// An instance built in code, or generator parameters, are out of range.
    #[error("invalid input: {0}")]
    Invalid(String),
}
