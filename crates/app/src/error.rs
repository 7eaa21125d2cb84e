//! The application's error type. The HTTP and web layers map each variant to
//! a status and to words; the application only says what went wrong.
use passerelle_store::StoreError;

use crate::invalid::FieldError;

/// Everything a service or handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request is malformed: a parameter is missing or not a number.
    #[error("{0}")]
    BadRequest(String),
    /// The thing asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// Fields of a form or body whose values are refused, each with its
    /// stable code; the edges put them into words.
    #[error("invalid input: {}", codes(.0))]
    Invalid(Vec<FieldError>),
    /// A file or body is well-formed but its content is refused (an invalid
    /// map, a CSV line); the sentence names the place.
    #[error("{0}")]
    Refused(String),
    /// The request conflicts with what is stored.
    #[error("{0}")]
    Conflict(String),
    /// No valid credentials.
    #[error("cette action demande un jeton d'organisateur (Authorization: Bearer …)")]
    Unauthorized,
    /// An `Authorization` header that names no live token, on any endpoint.
    #[error(
        "l'en-tête Authorization ne donne pas de jeton valide (Bearer suivi d'un jeton connu et non révoqué) : corrigez-le ou retirez-le"
    )]
    InvalidToken,
    /// Valid credentials without the right role.
    #[error("{0}")]
    Forbidden(String),
    /// The route exists, not with this method.
    #[error("cette méthode HTTP n'est pas acceptée ici")]
    MethodNotAllowed,
    /// The body is larger than allowed.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// A rate limit was hit; retry after this many seconds.
    #[error("trop de demandes : réessayez dans {0} secondes")]
    TooManyRequests(u64),
    /// The database does not answer.
    #[error("la base de données ne répond pas ; réessayez dans un instant")]
    Unavailable,
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A bug or an unexpected failure.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<FieldError> for Error {
    fn from(error: FieldError) -> Self {
        Error::Invalid(vec![error])
    }
}

impl From<Vec<FieldError>> for Error {
    fn from(errors: Vec<FieldError>) -> Self {
        Error::Invalid(errors)
    }
}

/// `first_name: length, email: email`, for logs and tests.
fn codes(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.problem.code()))
        .collect::<Vec<_>>()
        .join(", ")
}
