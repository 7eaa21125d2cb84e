//! The crate's error type, and its one mapping to `application/problem+json`.
use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use passerelle_store::StoreError;
use problem_details::ProblemDetails;

/// The `Retry-After` of a 503 answer, in seconds.
pub const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 5;

/// Everything a service or handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request is malformed: a parameter is missing or not a number.
    #[error("{0}")]
    BadRequest(String),
    /// The thing asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The input is well-formed but its content is refused (an invalid map).
    #[error("{0}")]
    Invalid(String),
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

impl Error {
    /// The HTTP status this error answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Error::Conflict(_) | Error::Store(StoreError::MapExists { .. }) => StatusCode::CONFLICT,
            Error::Store(StoreError::TokenNameTaken(_) | StoreError::AccountExists(_)) => {
                StatusCode::CONFLICT
            }
            Error::Unauthorized | Error::InvalidToken => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Error::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Error::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Error::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Error::Store(e) if e.is_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
            Error::Io { .. } | Error::Store(_) | Error::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }
}

/// Why a request failed on the server's side, carried by its response to
/// the layer that logs it with the route (`http::observe`): the cause goes
/// to the log, never to the client.
#[derive(Clone, Debug)]
pub struct Failure(pub String);

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        let cause = status.is_server_error().then(|| Failure(self.to_string()));
        let detail = if cause.is_some() {
            match status {
                StatusCode::SERVICE_UNAVAILABLE => Error::Unavailable.to_string(),
                _ => "une erreur inattendue s'est produite".to_owned(),
            }
        } else {
            self.to_string()
        };
        let mut response = ProblemDetails::from_status_code(status)
            .with_detail(detail)
            .into_response();
        if let Some(cause) = cause {
            response.extensions_mut().insert(cause);
        }
        if let Error::TooManyRequests(seconds) = &self {
            response
                .headers_mut()
                .insert(http::header::RETRY_AFTER, http::HeaderValue::from(*seconds));
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            // The pool reconnects by itself; a few seconds is a fair wait.
            response.headers_mut().insert(
                http::header::RETRY_AFTER,
                http::HeaderValue::from(UNAVAILABLE_RETRY_AFTER_SECS),
            );
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                http::header::WWW_AUTHENTICATE,
                http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

impl From<JsonRejection> for Error {
    fn from(rejection: JsonRejection) -> Self {
        // Well-formed JSON of the wrong shape is content the server refuses
        // (422); anything else is a malformed request (400).
        if rejection.status() == StatusCode::UNPROCESSABLE_ENTITY {
            Error::Invalid(rejection.body_text())
        } else {
            Error::BadRequest(rejection.body_text())
        }
    }
}

impl From<QueryRejection> for Error {
    fn from(rejection: QueryRejection) -> Self {
        Error::BadRequest(rejection.body_text())
    }
}

impl From<PathRejection> for Error {
    fn from(rejection: PathRejection) -> Self {
        Error::BadRequest(rejection.body_text())
    }
}

impl From<BytesRejection> for Error {
    fn from(rejection: BytesRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Error::PayloadTooLarge("the request body is larger than this endpoint accepts".into())
        } else {
            Error::BadRequest(rejection.body_text())
        }
    }
}
