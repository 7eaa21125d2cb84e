//! Settings, read once at start-up from `PASSERELLE_*` environment variables.
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

/// A setting that did not parse.
#[derive(Debug, thiserror::Error)]
#[error("{name}={value} is not valid: {expected}")]
pub struct ConfigError {
    name: &'static str,
    value: String,
    expected: &'static str,
}

/// An on/off setting.
fn switch(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: bool,
) -> Result<bool, ConfigError> {
    match lookup(name).as_deref() {
        None => Ok(default),
        Some("on" | "true" | "1") => Ok(true),
        Some("off" | "false" | "0") => Ok(false),
        Some(other) => Err(ConfigError {
            name,
            value: other.to_owned(),
            expected: "on or off",
        }),
    }
}

impl Config {
    /// Reads the environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        fn parse<T: std::str::FromStr>(
            lookup: &impl Fn(&str) -> Option<String>,
            name: &'static str,
            default: T,
            expected: &'static str,
        ) -> Result<T, ConfigError> {
            match lookup(name) {
                None => Ok(default),
                Some(value) => value.trim().parse().map_err(|_| ConfigError {
                    name,
                    value,
                    expected,
                }),
            }
        }
        let log_format = match lookup("PASSERELLE_LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError {
                    name: "PASSERELLE_LOG_FORMAT",
                    value: other.to_owned(),
                    expected: "text or json",
                });
            }
        };
        let demo = switch(&lookup, "PASSERELLE_DEMO", true)?;
        let nearest_max_m: f64 = parse(
            &lookup,
            "PASSERELLE_NEAREST_MAX_M",
            30.0,
            "a distance in metres",
        )?;
        if !(0.0..=10_000.0).contains(&nearest_max_m) {
            return Err(ConfigError {
                name: "PASSERELLE_NEAREST_MAX_M",
                value: nearest_max_m.to_string(),
                expected: "a distance between 0 and 10000 metres",
            });
        }
        let reload_ms: u64 = parse(
            &lookup,
            "PASSERELLE_RELOAD_INTERVAL_MS",
            2000,
            "a duration in milliseconds",
        )?;
        if reload_ms == 0 {
            return Err(ConfigError {
                name: "PASSERELLE_RELOAD_INTERVAL_MS",
                value: "0".into(),
                expected: "a duration of at least 1 millisecond",
            });
        }
        // The sender of every mail and the ORGANIZER of every invitation:
        // checked like any other address, so that a bad one stops the start
        // rather than every invitation.
        let organizer_email = match lookup("PASSERELLE_ORGANIZER_EMAIL") {
            None => "reunions@passerelle.local".to_owned(),
            Some(value) => crate::validate::email(&value).map_err(|_| ConfigError {
                name: "PASSERELLE_ORGANIZER_EMAIL",
                value,
                expected: "an e-mail address such as reunions@example.org",
            })?,
        };
        // Empty counts as unset, as for the SMTP URL.
        let metrics_bind = match lookup("PASSERELLE_METRICS_BIND") {
            Some(value) if !value.trim().is_empty() => {
                Some(value.trim().parse().map_err(|_| ConfigError {
                    name: "PASSERELLE_METRICS_BIND",
                    value,
                    expected: "an address such as 127.0.0.1:9090",
                })?)
            }
            _ => None,
        };
        Ok(Self {
            database_url: lookup("PASSERELLE_DATABASE_URL")
                .unwrap_or_else(|| "sqlite://passerelle.db".to_owned()),
            bind: parse(
                &lookup,
                "PASSERELLE_BIND",
                SocketAddr::from(([127, 0, 0, 1], 8080)),
                "an address such as 127.0.0.1:8080",
            )?,
            metrics_bind,
            log_format,
            nearest_max_m,
            body_limit: parse(&lookup, "PASSERELLE_BODY_LIMIT", 1 << 20, "a size in bytes")?,
            import_body_limit: parse(
                &lookup,
                "PASSERELLE_IMPORT_BODY_LIMIT",
                64 << 20,
                "a size in bytes",
            )?,
            reload_interval: std::time::Duration::from_millis(reload_ms),
            proposal_ttl: chrono::Duration::hours(parse(
                &lookup,
                "PASSERELLE_PROPOSAL_TTL_HOURS",
                72,
                "a whole number of hours",
            )?),
            link_ttl: chrono::Duration::days(parse(
                &lookup,
                "PASSERELLE_LINK_TTL_DAYS",
                365,
                "a whole number of days",
            )?),
            public_url: lookup("PASSERELLE_PUBLIC_URL")
                .unwrap_or_else(|| "http://127.0.0.1:8080".to_owned())
                .trim_end_matches('/')
                .to_owned(),
            organizer_email,
            smtp_url: lookup("PASSERELLE_SMTP_URL").filter(|u| !u.is_empty()),
            smtp_ca_file: lookup("PASSERELLE_SMTP_CA_FILE")
                .filter(|p| !p.is_empty())
                .map(Into::into),
            retention_months: parse(
                &lookup,
                "PASSERELLE_RETENTION_MONTHS",
                12,
                "a whole number of months",
            )?,
            limits: crate::limits::LimitSettings {
                enabled: switch(&lookup, "PASSERELLE_RATE_LIMIT", true)?,
                writes_per_ip_per_minute: parse(
                    &lookup,
                    "PASSERELLE_RATE_LIMIT_WRITES_PER_MINUTE",
                    20,
                    "a whole number",
                )?,
                reads_per_ip_per_minute: parse(
                    &lookup,
                    "PASSERELLE_RATE_LIMIT_READS_PER_MINUTE",
                    600,
                    "a whole number",
                )?,
                per_email_per_hour: parse(
                    &lookup,
                    "PASSERELLE_RATE_LIMIT_PER_EMAIL_PER_HOUR",
                    10,
                    "a whole number",
                )?,
                trust_proxy: switch(&lookup, "PASSERELLE_TRUST_PROXY", false)?,
            },
            demo,
            session_idle: chrono::Duration::minutes(i64::from(parse::<u32>(
                &lookup,
                "PASSERELLE_SESSION_IDLE_MINUTES",
                30,
                "a whole number of minutes",
            )?)),
            form_min_seconds: i64::from(parse::<u32>(
                &lookup,
                "PASSERELLE_FORM_MIN_SECONDS",
                3,
                "a whole number of seconds",
            )?),
        })
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_run_on_embedded_sqlite() {
        let c = config(&[]).unwrap();
        assert_eq!(c.database_url, "sqlite://passerelle.db");
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(c.nearest_max_m, 30.0);
        assert!(c.demo);
        assert_eq!(c.metrics_bind, None, "no metrics unless asked for");
    }

    #[test]
    fn bad_values_name_the_variable() {
        let err = config(&[("PASSERELLE_BIND", "nowhere")]).unwrap_err();
        assert!(err.to_string().starts_with("PASSERELLE_BIND=nowhere"));
        assert!(config(&[("PASSERELLE_LOG_FORMAT", "xml")]).is_err());
        let err =
            config(&[("PASSERELLE_ORGANIZER_EMAIL", "Réunions <r@example.org>")]).unwrap_err();
        assert!(err.to_string().starts_with("PASSERELLE_ORGANIZER_EMAIL="));
        let err = config(&[("PASSERELLE_METRICS_BIND", "9090")]).unwrap_err();
        assert!(err.to_string().starts_with("PASSERELLE_METRICS_BIND=9090"));
        let c = config(&[("PASSERELLE_METRICS_BIND", "127.0.0.1:9091")]).unwrap();
        assert_eq!(c.metrics_bind.unwrap().to_string(), "127.0.0.1:9091");
        assert!(config(&[("PASSERELLE_NEAREST_MAX_M", "-3")]).is_err());
    }
}
