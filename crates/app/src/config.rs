//! The service's settings, as plain values. Reading them (the `PASSERELLE_*`
//! environment variables, their defaults and checks) is the binary's job:
//! `passerelle serve --help` lists them.
use std::net::SocketAddr;

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// The service's settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// `PASSERELLE_DATABASE_URL`, default `sqlite://passerelle.db`.
    pub database_url: String,
    /// `PASSERELLE_BIND`, default `127.0.0.1:8080`.
    pub bind: SocketAddr,
    /// `PASSERELLE_METRICS_BIND`: where `GET /metrics` is served, apart from
    /// the public listener; unset, the metrics are not served at all.
    pub metrics_bind: Option<SocketAddr>,
    /// `PASSERELLE_LOG_FORMAT`: `text` (default) or `json`.
    pub log_format: LogFormat,
    /// `PASSERELLE_NEAREST_MAX_M`: how far a point outside every sector may be
    /// from the nearest one, in metres (default 30).
    pub nearest_max_m: f64,
    /// `PASSERELLE_BODY_LIMIT`: request body limit in bytes (default 1 MiB).
    pub body_limit: usize,
    /// `PASSERELLE_IMPORT_BODY_LIMIT`: body limit of map imports (default 64 MiB).
    pub import_body_limit: usize,
    /// `PASSERELLE_RELOAD_INTERVAL_MS`: how often a server checks for imports
    /// made by other processes (default 2000 ms).
    pub reload_interval: std::time::Duration,
    /// `PASSERELLE_PROPOSAL_TTL_HOURS`: how long a referent has to answer a
    /// proposal before it expires and the family is matched again (default 72).
    pub proposal_ttl: chrono::Duration,
    /// `PASSERELLE_LINK_TTL_DAYS`: how long private links stay valid (default 365).
    pub link_ttl: chrono::Duration,
    /// `PASSERELLE_PUBLIC_URL`: the address people reach the service at, for
    /// links in messages (default `http://127.0.0.1:8080`).
    pub public_url: String,
    /// `PASSERELLE_ORGANIZER_EMAIL`: the ORGANIZER of invitations and the
    /// sender of messages (default `reunions@passerelle.local`).
    pub organizer_email: String,
    /// `PASSERELLE_SMTP_URL`: where mail goes, e.g. `smtp://127.0.0.1:2525`
    /// or `smtps://user:password@mail.example.org`; unset, mail waits in the outbox.
    pub smtp_url: Option<String>,
    /// `PASSERELLE_SMTP_CA_FILE`: a PEM file of certificate authorities to
    /// trust for the SMTP server's TLS, besides the usual public ones (a
    /// private relay); unset, only the public ones.
    pub smtp_ca_file: Option<std::path::PathBuf>,
    /// `PASSERELLE_RETENTION_MONTHS`: closed requests, past registrations and
    /// sent messages are anonymised or deleted after this many months (default 12).
    pub retention_months: u32,
    /// Rate limits: `PASSERELLE_RATE_LIMIT` (`on`, default, or `off`),
    /// `PASSERELLE_RATE_LIMIT_WRITES_PER_MINUTE` per IP (default 20),
    /// `PASSERELLE_RATE_LIMIT_READS_PER_MINUTE` per IP (default 600),
    /// `PASSERELLE_RATE_LIMIT_PER_EMAIL_PER_HOUR` (default 10),
    /// `PASSERELLE_TRUST_PROXY` (`on` to read `X-Forwarded-For`; default off).
    pub limits: crate::limits::LimitSettings,
    /// `PASSERELLE_DEMO`: load the demo town into an empty database (default on).
    pub demo: bool,
    /// `PASSERELLE_SESSION_IDLE_MINUTES`: a web session unused this long
    /// ends (default 30).
    pub session_idle: chrono::Duration,
    /// `PASSERELLE_FORM_MIN_SECONDS`: public forms sent sooner than this
    /// after they were shown are taken for robots (default 3; 0 turns the
    /// time check off, the honeypot stays).
    pub form_min_seconds: i64,
}

impl Config {
    /// The domain of calendar UIDs: the organizer's mail domain.
    pub fn calendar_domain(&self) -> String {
        self.organizer_email
            .rsplit_once('@')
            .map_or("passerelle.local", |(_, d)| d)
            .to_owned()
    }
}
