//! The per-IP rate limits as middleware, for the API and the pages alike.
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use passerelle_app::limits::Access;
use passerelle_app::{AppState, Error};

use crate::error::ApiError;

/// The client IP: the connection's, or the last hop of `X-Forwarded-For`
/// when a trusted proxy sets it.
fn client_ip(request: &Request, trust_proxy: bool) -> IpAddr {
    let forwarded = trust_proxy
        .then(|| request.headers().get("x-forwarded-for"))
        .flatten()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|v| v.trim().parse().ok());
    forwarded
        .or_else(|| {
            request
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip())
        })
        .unwrap_or(IpAddr::from([127, 0, 0, 1]))
}

/// Counts one request against its client IP's allowance: writes (form
/// submissions) tightly, reads (lookups, search) loosely.
fn check_ip(state: &AppState, request: &Request) -> Result<(), Error> {
    let access = if request.method() == http::Method::GET {
        Access::Read
    } else {
        Access::Write
    };
    let ip = client_ip(request, state.limits.settings().trust_proxy);
    state.limits.check_ip(ip, access)
}

/// Rate-limits API calls by client IP. A call with a bearer token that
/// authenticates is not limited (organisers' scripts). A call with an
/// `Authorization` header that does not authenticate is never served: it
/// counts against its IP's allowance like any other call and is answered
/// 401 (or 429 past the allowance), so that a made-up header lifts nothing.
pub async fn by_ip(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    if request.headers().contains_key(http::header::AUTHORIZATION) {
        let authenticated = match bearer(request.headers()) {
            Some(secret) => match passerelle_app::tokens::authenticate(&state, secret).await {
                Ok(_) => true,
                Err(Error::Unauthorized) => false,
                Err(e) => return Err(e.into()),
            },
            None => false,
        };
        if authenticated {
            return Ok(next.run(request).await);
        }
        check_ip(&state, &request)?;
        return Err(Error::InvalidToken.into());
    }
    check_ip(&state, &request)?;
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

/// The secret of an `Authorization: Bearer …` header, if it has one. Here,
/// below the API's handlers, because the limits read it too.
pub(crate) fn bearer(headers: &http::HeaderMap) -> Option<&str> {
    headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|s| !s.is_empty())
}
