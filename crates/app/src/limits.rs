//! Abuse protection: how many submissions a client IP or an e-mail address
//! may make. The numbers come from the configuration; a zero, or
//! `PASSERELLE_RATE_LIMIT=off` (for load tests), lifts a limit. The HTTP
//! layers find the client IP; this module only counts.
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::Error;

/// The limits in force.
#[derive(Clone)]
pub struct Limits {
    writes_per_ip: Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>,
    reads_per_ip: Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>,
    per_email: Option<Arc<DefaultKeyedRateLimiter<String>>>,
    settings: LimitSettings,
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

/// What a request does, for the per-IP allowance it counts against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Lookups, searches, pages: counted loosely.
    Read,
    /// Form submissions and other writes: counted tightly.
    Write,
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
            settings,
        }
    }

    /// The settings these limits were made from.
    pub fn settings(&self) -> LimitSettings {
        self.settings
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

    /// Counts one request of the client `ip`.
    pub fn check_ip(&self, ip: IpAddr, access: Access) -> Result<(), Error> {
        let limiter = match access {
            Access::Read => &self.reads_per_ip,
            Access::Write => &self.writes_per_ip,
        };
        let Some(limiter) = limiter else {
            return Ok(());
        };
        limiter
            .check_key(&ip)
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
