//! The per-IP rate limits as middleware, for the API and the pages alike.
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use passerelle_app::{AppState, Error};

use crate::auth::Authenticated;
use crate::client::check_ip;
use crate::error::ApiError;

/// Rate-limits API calls by client IP, except those of a token that
/// authenticated (organisers' scripts): [`crate::auth::identify`] runs
/// first and has already answered any other `Authorization` header.
pub async fn by_ip(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    if request.extensions().get::<Authenticated>().is_none() {
        check_ip(&state, &request)?;
    }
    Ok(next.run(request).await)
}

/// Rate-limits page requests by client IP, whatever their headers: pages
/// are for people, whose sessions are cookies; tokens are for the API.
pub async fn pages_by_ip(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, Error> {
    check_ip(&state, &request)?;
    Ok(next.run(request).await)
}
