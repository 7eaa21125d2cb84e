//! The per-IP rate limits as middleware, for the API and the pages alike.
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use passerelle_app::limits::Access;
use passerelle_app::{AppState, Error};

use crate::auth::Authenticated;
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
pub(crate) fn check_ip(state: &AppState, request: &Request) -> Result<(), Error> {
    let access = if request.method() == http::Method::GET {
        Access::Read
    } else {
        Access::Write
    };
    let ip = client_ip(request, state.limits.settings().trust_proxy);
    state.limits.check_ip(ip, access)
}

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
