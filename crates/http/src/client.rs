//! Who is asking, as far as the limits care: the client's IP, and the
//! allowance each request counts against. Below both the token check and
//! the limits middleware, which each count a request.
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request};
use passerelle_app::limits::Access;
use passerelle_app::{AppState, Error};

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
