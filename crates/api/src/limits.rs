//! Abuse protection of public endpoints: rate limits per client IP and per
//! e-mail address, set by environment variables and disabled with
//! `PASSERELLE_RATE_LIMIT=off` (for load tests).
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::Error;
use crate::state::AppState;

/// The limits in force.
#[derive(Clone)]
pub struct Limits {
    writes_per_ip: Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>,
    reads_per_ip: Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>,
    per_email: Option<Arc<DefaultKeyedRateLimiter<String>>>,
    trust_proxy: bool,
}

/// The numbers, from the configuration.
#[derive(Clone, Copy, Debug)]
pub struct LimitSettings {
    pub enabled: bool,
    /// Public form submissions per client IP and minute.
    pub writes_per_ip_per_minute: u32,
    /// Lookups and other reads per client IP and minute.
    pub reads_per_ip_per_minute: u32,
    /// Form submissions per e-mail address and hour.
    pub per_email_per_hour: u32,
    /// Take the client IP from the last `X-Forwarded-For` hop (behind a proxy).
    pub trust_proxy: bool,
}

fn limiter<K: std::hash::Hash + Eq + Clone>(
    quota: Option<Quota>,
) -> Option<Arc<DefaultKeyedRateLimiter<K>>> {
    quota.map(|q| Arc::new(RateLimiter::keyed(q)))
}

impl Limits {
    /// Limiters for `settings`; a zero disables that limit.
    pub fn new(settings: LimitSettings) -> Self {
        let on = |n: u32, per: fn(NonZeroU32) -> Quota| {
            settings
                .enabled
                .then_some(())
                .and(NonZeroU32::new(n))
                .map(per)
        };
        Self {
            writes_per_ip: limiter(on(settings.writes_per_ip_per_minute, Quota::per_minute)),
            reads_per_ip: limiter(on(settings.reads_per_ip_per_minute, Quota::per_minute)),
            per_email: limiter(on(settings.per_email_per_hour, Quota::per_hour)),
            trust_proxy: settings.trust_proxy,
        }
    }

    /// Counts one submission from `email`.
    pub fn check_email(&self, email: &str) -> Result<(), Error> {
        let Some(limiter) = &self.per_email else {
            return Ok(());
        };
        limiter
            .check_key(&email.trim().to_lowercase())
            .map_err(|not_until| too_many(not_until.wait_time_from(DefaultClock::default().now())))
    }

    /// Forgets keys that are back to full allowance (bounded memory).
    pub fn shrink(&self) {
        if let Some(l) = &self.writes_per_ip {
            l.retain_recent();
        }
        if let Some(l) = &self.reads_per_ip {
            l.retain_recent();
        }
        if let Some(l) = &self.per_email {
            l.retain_recent();
        }
    }
}

fn too_many(wait: std::time::Duration) -> Error {
    Error::TooManyRequests(wait.as_secs().max(1))
}

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

impl Limits {
    /// Counts one request of `request`'s client IP: writes (form
    /// submissions) tightly, reads (lookups, search) loosely.
    fn check_ip(&self, request: &Request) -> Result<(), Error> {
        let limiter = if request.method() == http::Method::GET {
            &self.reads_per_ip
        } else {
            &self.writes_per_ip
        };
        let Some(limiter) = limiter else {
            return Ok(());
        };
        let ip = client_ip(request, self.trust_proxy);
        limiter
            .check_key(&ip)
            .map_err(|not_until| too_many(not_until.wait_time_from(DefaultClock::default().now())))
    }
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
) -> Result<Response, Error> {
    if request.headers().contains_key(http::header::AUTHORIZATION) {
        let authenticated = match bearer(request.headers()) {
            Some(secret) => match crate::services::tokens::authenticate(&state, secret).await {
                Ok(_) => true,
                Err(Error::Unauthorized) => false,
                Err(e) => return Err(e),
            },
            None => false,
        };
        if authenticated {
            return Ok(next.run(request).await);
        }
        state.limits.check_ip(&request)?;
        return Err(Error::InvalidToken);
    }
    state.limits.check_ip(&request)?;
    Ok(next.run(request).await)
}

/// Rate-limits page requests by client IP, whatever their headers: pages
/// are for people, whose sessions are cookies; tokens are for the API.
pub async fn pages_by_ip(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, Error> {
    state.limits.check_ip(&request)?;
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
