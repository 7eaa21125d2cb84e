//! Bearer-token authentication of the API (scripts); people use the web
//! pages' sessions instead. The header is read once per call, by
//! [`identify`]; the extractors and the limits read what it found.
use axum::extract::{FromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::request::Parts;
use passerelle_app::access::{Caller, Role};
use passerelle_app::{AppState, Error, tokens};

use crate::error::ApiError;

/// The caller of a token that authenticated, in the request's extensions.
#[derive(Clone, Debug)]
pub struct Authenticated(pub Caller);

/// Reads the `Authorization` header of an API call. A token that
/// authenticates puts its caller in the request's extensions. Any other
/// header is never served: it counts against its IP's allowance like an
/// anonymous call and is answered 401 (429 past the allowance), so that a
/// made-up header lifts nothing and no call goes through with a typo.
pub async fn identify(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    if !request.headers().contains_key(http::header::AUTHORIZATION) {
        return Ok(next.run(request).await);
    }
    if let Some(secret) = bearer(request.headers()) {
        match tokens::authenticate(&state, secret).await {
            Ok(caller) => {
                request.extensions_mut().insert(Authenticated(caller));
                return Ok(next.run(request).await);
            }
            Err(Error::Unauthorized) => {}
            Err(e) => return Err(e.into()),
        }
    }
    crate::client::check_ip(&state, &request)?;
    Err(Error::InvalidToken.into())
}

/// The secret of an `Authorization: Bearer …` header, if it has one.
fn bearer(headers: &http::HeaderMap) -> Option<&str> {
    headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// A caller whose token has the organizer role (or admin), with the sectors
/// it is limited to.
pub struct Organizer(pub Caller);

impl FromRequestParts<AppState> for Organizer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, ApiError> {
        let Authenticated(caller) = parts
            .extensions
            .get::<Authenticated>()
            .cloned()
            .ok_or(Error::Unauthorized)?;
        caller.require(Role::Organizer)?;
        Ok(Organizer(caller))
    }
}
