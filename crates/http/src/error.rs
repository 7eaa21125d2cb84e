//! The one mapping of the application's errors to HTTP: a status, and an
//! `application/problem+json` body.
use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use passerelle_app::Error;
use passerelle_app::StoreError;
use passerelle_app::invalid::FieldError;
use passerelle_words::{api_field_error, api_field_errors};
use problem_details::ProblemDetails;
use serde::Serialize;

/// The `Retry-After` of a 503 answer, in seconds.
pub const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 5;

/// An application error on its way to an HTTP answer. Handlers return it;
/// `?` turns any application error into one.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        Self(error)
    }
}

/// The HTTP status `error` answers with.
pub fn status(error: &Error) -> StatusCode {
    match error {
        Error::BadRequest(_) => StatusCode::BAD_REQUEST,
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        Error::Invalid(_) | Error::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
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

/// Why a request failed on the server's side, carried by its response to
/// the layer that logs it with the route (`observe`): the cause goes to the
/// log, never to the client.
#[derive(Clone, Debug)]
pub struct Failure(pub String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let error = self.0;
        let status = status(&error);
        let cause = status.is_server_error().then(|| Failure(error.to_string()));
        let detail = if cause.is_some() {
            match status {
                StatusCode::SERVICE_UNAVAILABLE => Error::Unavailable.to_string(),
                _ => "une erreur inattendue s'est produite".to_owned(),
            }
        } else if let Error::Invalid(errors) = &error {
            api_field_errors(errors)
        } else {
            error.to_string()
        };
        let problem = ProblemDetails::from_status_code(status).with_detail(detail);
        let mut response = match &error {
            Error::Invalid(errors) => problem
                .with_extensions(Fields {
                    errors: errors.iter().map(FieldProblem::from).collect(),
                })
                .into_response(),
            _ => problem.into_response(),
        };
        if let Some(cause) = cause {
            response.extensions_mut().insert(cause);
        }
        if let Error::TooManyRequests(seconds) = &error {
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

/// The `errors` member of a 422 about fields.
#[derive(Serialize)]
struct Fields {
    errors: Vec<FieldProblem>,
}

/// One refused field: its name, the stable code and its parameters, and
/// the same in French words.
#[derive(Serialize)]
struct FieldProblem {
    field: &'static str,
    code: String,
    params: serde_json::Map<String, serde_json::Value>,
    detail: String,
}

impl From<&FieldError> for FieldProblem {
    fn from(error: &FieldError) -> Self {
        let mut params = match serde_json::to_value(&error.problem) {
            Ok(serde_json::Value::Object(map)) => map,
            _ => serde_json::Map::new(),
        };
        params.remove("code");
        Self {
            field: error.field,
            code: error.problem.code(),
            params,
            detail: api_field_error(error),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        // Well-formed JSON of the wrong shape is content the server refuses
        // (422); anything else is a malformed request (400).
        Self(if rejection.status() == StatusCode::UNPROCESSABLE_ENTITY {
            Error::Refused(rejection.body_text())
        } else {
            Error::BadRequest(rejection.body_text())
        })
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self(Error::BadRequest(rejection.body_text()))
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        Self(Error::BadRequest(rejection.body_text()))
    }
}

impl From<BytesRejection> for ApiError {
    fn from(rejection: BytesRejection) -> Self {
        Self(if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Error::PayloadTooLarge("the request body is larger than this endpoint accepts".into())
        } else {
            Error::BadRequest(rejection.body_text())
        })
    }
}
