//! Reading the settings: one `PASSERELLE_*` environment variable (or the
//! matching option) per setting, with its default and its check, so that
//! `passerelle serve --help` lists them all.
use std::ffi::OsStr;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::builder::TypedValueParser;
use clap::error::ErrorKind;
use clap::{Arg, ArgAction, Args, Command, FromArgMatches};
use passerelle_app::config::{Config, LogFormat};
use passerelle_app::limits::LimitSettings;

/// The settings as read, before they become the application's [`Config`].
///
/// Each option `--some-name` reads `PASSERELLE_SOME_NAME` when it is not
/// given; the options are global, so every command reads the same ones.
/// Optional settings take `std::option::Option` (not a bare `Option`, which
/// clap would read as "may be absent"): an empty variable counts as unset,
/// as it always has, so their parsers see the empty value and say `None`.
#[derive(Args, Clone, Debug)]
#[command(next_help_heading = "Settings (each option also reads the variable shown)")]
pub struct Settings {
    /// `sqlite://FILE` or `postgres://user@host/db`.
    #[arg(
        long,
        global = true,
        env = "PASSERELLE_DATABASE_URL",
        hide_env_values = true,
        default_value = "sqlite://passerelle.db"
    )]
    pub database_url: String,
    /// Address to listen on.
    #[arg(long, global = true, env = "PASSERELLE_BIND", default_value = "127.0.0.1:8080",
          value_parser = check(address, "an address such as 127.0.0.1:8080"))]
    pub bind: SocketAddr,
    /// Address of a second listener that serves only `GET /metrics`, e.g.
    /// 127.0.0.1:9090; unset, the metrics are not served (the public
    /// listener never serves them).
    #[arg(long, global = true, env = "PASSERELLE_METRICS_BIND", default_value = "",
          hide_default_value = true,
          value_parser = check(metrics_address, "an address such as 127.0.0.1:9090"))]
    pub metrics_bind: std::option::Option<SocketAddr>,
    /// `text`, or `json` for one JSON object per line.
    #[arg(long, global = true, env = "PASSERELLE_LOG_FORMAT", default_value = "text",
          value_parser = check(log_format, "text or json"))]
    pub log_format: LogFormat,
    /// Tracing filter, such as `debug` (a span and a line per request);
    /// unset or not understood: `info,geo=error` for `serve`,
    /// `warn,geo=error` for the other commands.
    #[arg(long, global = true, env = "PASSERELLE_LOG")]
    pub log: Option<String>,
    /// A point in a gap between sectors takes the nearest sector within this
    /// many metres.
    #[arg(long, global = true, env = "PASSERELLE_NEAREST_MAX_M", default_value = "30",
          allow_negative_numbers = true,
          value_parser = check(metres, "a distance between 0 and 10000 metres"))]
    pub nearest_max_m: f64,
    /// Request body limit, in bytes.
    #[arg(long, global = true, env = "PASSERELLE_BODY_LIMIT", default_value = "1048576",
          value_parser = check(number::<usize>, "a size in bytes"))]
    pub body_limit: usize,
    /// Body limit of map imports, in bytes.
    #[arg(long, global = true, env = "PASSERELLE_IMPORT_BODY_LIMIT", default_value = "67108864",
          value_parser = check(number::<usize>, "a size in bytes"))]
    pub import_body_limit: usize,
    /// Load the demo town into an empty database at `serve` (`on` or `off`).
    #[arg(long, global = true, env = "PASSERELLE_DEMO", default_value = "on",
          action = ArgAction::Set,
          value_parser = check(switch, "on or off"))]
    pub demo: bool,
    /// How often a server checks for imports made by other processes, in
    /// milliseconds.
    #[arg(long, global = true, env = "PASSERELLE_RELOAD_INTERVAL_MS", default_value = "2000",
          value_parser = check(milliseconds, "a duration of at least 1 millisecond"))]
    pub reload_interval_ms: u64,
    /// A referent's time to answer a proposal, in hours, before it expires
    /// and the family is matched again.
    #[arg(long, global = true, env = "PASSERELLE_PROPOSAL_TTL_HOURS", default_value = "72",
          allow_negative_numbers = true,
          value_parser = check(number::<i64>, "a whole number of hours"))]
    pub proposal_ttl_hours: i64,
    /// Validity of private links, in days.
    #[arg(long, global = true, env = "PASSERELLE_LINK_TTL_DAYS", default_value = "365",
          allow_negative_numbers = true,
          value_parser = check(number::<i64>, "a whole number of days"))]
    pub link_ttl_days: i64,
    /// Base of links in messages: the address people reach the service at.
    #[arg(long, global = true, env = "PASSERELLE_PUBLIC_URL",
          default_value = "http://127.0.0.1:8080",
          value_parser = check(public_url, "an address such as https://passerelle.example.org"))]
    pub public_url: String,
    /// Sender of mail and ORGANIZER of invitations.
    #[arg(long, global = true, env = "PASSERELLE_ORGANIZER_EMAIL",
          default_value = "reunions@passerelle.local",
          value_parser = check(email, "an e-mail address such as reunions@example.org"))]
    pub organizer_email: String,
    /// Where mail goes: `smtp://host:port` or `smtps://user:password@host`;
    /// unset, mail waits in the outbox.
    #[arg(long, global = true, env = "PASSERELLE_SMTP_URL", hide_env_values = true,
          default_value = "", hide_default_value = true,
          value_parser = check(optional(text), "an SMTP URL"))]
    pub smtp_url: std::option::Option<String>,
    /// PEM file of extra certificate authorities trusted for the SMTP
    /// server's TLS (a private relay); unset, only the public ones.
    #[arg(long, global = true, env = "PASSERELLE_SMTP_CA_FILE", default_value = "",
          hide_default_value = true, value_parser = check(optional(path), "a file"))]
    pub smtp_ca_file: std::option::Option<PathBuf>,
    /// Closed requests, past registrations and sent mail are anonymised or
    /// deleted after this many months.
    #[arg(long, global = true, env = "PASSERELLE_RETENTION_MONTHS", default_value = "12",
          value_parser = check(number::<u32>, "a whole number of months"))]
    pub retention_months: u32,
    /// Rate limits (`on` or `off`, for load tests).
    #[arg(long, global = true, env = "PASSERELLE_RATE_LIMIT", default_value = "on",
          action = ArgAction::Set,
          value_parser = check(switch, "on or off"))]
    pub rate_limit: bool,
    /// Public form submissions per client IP and minute.
    #[arg(long, global = true, env = "PASSERELLE_RATE_LIMIT_WRITES_PER_MINUTE",
          default_value = "20", value_parser = check(number::<u32>, "a whole number"))]
    pub rate_limit_writes_per_minute: u32,
    /// Lookups and other reads per client IP and minute.
    #[arg(long, global = true, env = "PASSERELLE_RATE_LIMIT_READS_PER_MINUTE",
          default_value = "600", value_parser = check(number::<u32>, "a whole number"))]
    pub rate_limit_reads_per_minute: u32,
    /// Form submissions per e-mail address and hour.
    #[arg(long, global = true, env = "PASSERELLE_RATE_LIMIT_PER_EMAIL_PER_HOUR",
          default_value = "10", value_parser = check(number::<u32>, "a whole number"))]
    pub rate_limit_per_email_per_hour: u32,
    /// Take the client address from the last `X-Forwarded-For` hop, behind a
    /// proxy (`on` or `off`).
    #[arg(long, global = true, env = "PASSERELLE_TRUST_PROXY", default_value = "off",
          action = ArgAction::Set,
          value_parser = check(switch, "on or off"))]
    pub trust_proxy: bool,
    /// A web session unused this many minutes ends.
    #[arg(long, global = true, env = "PASSERELLE_SESSION_IDLE_MINUTES", default_value = "30",
          value_parser = check(number::<u32>, "a whole number of minutes"))]
    pub session_idle_minutes: u32,
    /// Public forms sent sooner than this many seconds after they were shown
    /// are taken for robots (0 turns the time check off; the honeypot stays).
    #[arg(long, global = true, env = "PASSERELLE_FORM_MIN_SECONDS", default_value = "3",
          value_parser = check(number::<u32>, "a whole number of seconds"))]
    pub form_min_seconds: u32,
}

impl Settings {
    /// The application's settings.
    pub fn config(&self) -> Config {
        Config {
            database_url: self.database_url.clone(),
            bind: self.bind,
            metrics_bind: self.metrics_bind,
            log_format: self.log_format,
            nearest_max_m: self.nearest_max_m,
            body_limit: self.body_limit,
            import_body_limit: self.import_body_limit,
            reload_interval: std::time::Duration::from_millis(self.reload_interval_ms),
            proposal_ttl: chrono::Duration::hours(self.proposal_ttl_hours),
            link_ttl: chrono::Duration::days(self.link_ttl_days),
            public_url: self.public_url.clone(),
            organizer_email: self.organizer_email.clone(),
            smtp_url: self.smtp_url.clone(),
            smtp_ca_file: self.smtp_ca_file.clone(),
            retention_months: self.retention_months,
            limits: LimitSettings {
                enabled: self.rate_limit,
                writes_per_ip_per_minute: self.rate_limit_writes_per_minute,
                reads_per_ip_per_minute: self.rate_limit_reads_per_minute,
                per_email_per_hour: self.rate_limit_per_email_per_hour,
                trust_proxy: self.trust_proxy,
            },
            demo: self.demo,
            session_idle: chrono::Duration::minutes(i64::from(self.session_idle_minutes)),
            form_min_seconds: i64::from(self.form_min_seconds),
        }
    }
}

/// The settings given by `vars`, `(name, value)` pairs of `PASSERELLE_*`
/// variables, the others taking their defaults: the process environment is
/// not read. For tests, which must not change the environment they share.
pub fn from_vars(vars: &[(&str, &str)]) -> Result<Config, String> {
    let command = Settings::augment_args(Command::new("passerelle"))
        .mut_args(|arg| arg.env(None::<&str>))
        .no_binary_name(true);
    let mut args = Vec::new();
    for (name, value) in vars {
        let arg = command
            .get_arguments()
            .find(|arg| variable(arg) == *name)
            .ok_or_else(|| format!("{name} is not a setting"))?;
        let long = arg.get_long().expect("every setting has a long option");
        // `--name=value`, so that a value starting with `-` stays a value.
        args.push(format!("--{long}={value}"));
    }
    let matches = command.try_get_matches_from(args).map_err(one_line)?;
    Settings::from_arg_matches(&matches)
        .map(|settings| settings.config())
        .map_err(one_line)
}

/// A settings error as one line: which variable holds what, and what it
/// should hold (clap adds the usage and a hint on further lines).
pub fn one_line(error: clap::Error) -> String {
    let text = error.to_string();
    let first = text.lines().next().unwrap_or_default();
    first.strip_prefix("error: ").unwrap_or(first).to_owned()
}

/// The variable of a setting: `PASSERELLE_` and its option's name, which
/// the test below holds every `env` to.
fn variable(arg: &Arg) -> String {
    format!(
        "PASSERELLE_{}",
        arg.get_long()
            .unwrap_or_default()
            .to_uppercase()
            .replace('-', "_")
    )
}

/// A value parser that answers a bad value with
/// `PASSERELLE_NAME=value is not valid: <expected>`.
fn check<T>(
    parse: impl Fn(&str) -> Option<T> + Send + Sync + 'static,
    expected: &'static str,
) -> Check<T> {
    Check {
        parse: Arc::new(parse),
        expected,
    }
}

/// Reads one setting's text; `None` when it is not valid.
type Parse<T> = Arc<dyn Fn(&str) -> Option<T> + Send + Sync>;

#[derive(Clone)]
struct Check<T> {
    parse: Parse<T>,
    expected: &'static str,
}

impl<T: Clone + Send + Sync + 'static> TypedValueParser for Check<T> {
    type Value = T;

    fn parse_ref(
        &self,
        _command: &Command,
        arg: Option<&Arg>,
        value: &OsStr,
    ) -> Result<T, clap::Error> {
        value.to_str().and_then(|v| (self.parse)(v)).ok_or_else(|| {
            let name = arg.map(variable).unwrap_or_default();
            clap::Error::raw(
                ErrorKind::ValueValidation,
                format!(
                    "{name}={} is not valid: {}\n",
                    value.to_string_lossy().escape_debug(),
                    self.expected
                ),
            )
        })
    }
}

/// Empty counts as unset; anything else must parse.
fn optional<T>(
    parse: impl Fn(&str) -> Option<T> + Send + Sync + 'static,
) -> impl Fn(&str) -> Option<std::option::Option<T>> + Send + Sync + 'static {
    move |value| {
        if value.is_empty() {
            Some(None)
        } else {
            parse(value).map(Some)
        }
    }
}

fn number<T: std::str::FromStr>(value: &str) -> Option<T> {
    value.trim().parse().ok()
}

fn address(value: &str) -> Option<SocketAddr> {
    number(value)
}

/// Blank counts as unset, as for the other optional settings.
fn metrics_address(value: &str) -> Option<std::option::Option<SocketAddr>> {
    if value.trim().is_empty() {
        Some(None)
    } else {
        address(value).map(Some)
    }
}

fn switch(value: &str) -> Option<bool> {
    match value {
        "on" | "true" | "1" => Some(true),
        "off" | "false" | "0" => Some(false),
        _ => None,
    }
}

fn log_format(value: &str) -> Option<LogFormat> {
    match value {
        "text" => Some(LogFormat::Text),
        "json" => Some(LogFormat::Json),
        _ => None,
    }
}

fn metres(value: &str) -> Option<f64> {
    number(value).filter(|m| (0.0..=10_000.0).contains(m))
}

fn milliseconds(value: &str) -> Option<u64> {
    number(value).filter(|&ms| ms > 0)
}

fn public_url(value: &str) -> Option<String> {
    Some(value.trim_end_matches('/').to_owned())
}

/// The sender of every mail and the ORGANIZER of every invitation: checked
/// like any other address, so that a bad one stops the start rather than
/// every invitation.
fn email(value: &str) -> Option<String> {
    passerelle_app::validate::email(value).ok()
}

fn text(value: &str) -> Option<String> {
    Some(value.to_owned())
}

fn path(value: &str) -> Option<PathBuf> {
    Some(value.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_option_reads_its_variable() {
        let command = Settings::augment_args(Command::new("passerelle"));
        for arg in command.get_arguments() {
            let env = arg.get_env().map(|e| e.to_string_lossy().into_owned());
            assert_eq!(env, Some(variable(arg)), "{arg}");
        }
    }

    #[test]
    fn defaults_run_on_embedded_sqlite() {
        let c = from_vars(&[]).unwrap();
        assert_eq!(c.database_url, "sqlite://passerelle.db");
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(c.nearest_max_m, 30.0);
        assert!(c.demo);
        assert!(c.limits.enabled);
        assert!(!c.limits.trust_proxy);
        assert_eq!(c.metrics_bind, None, "no metrics unless asked for");
        assert_eq!(c.smtp_url, None);
        assert_eq!(c.smtp_ca_file, None);
        assert_eq!(c.log_format, LogFormat::Text);
        assert_eq!(c.body_limit, 1 << 20);
        assert_eq!(c.import_body_limit, 64 << 20);
        assert_eq!(c.reload_interval, std::time::Duration::from_secs(2));
        assert_eq!(c.proposal_ttl, chrono::Duration::hours(72));
        assert_eq!(c.link_ttl, chrono::Duration::days(365));
        assert_eq!(c.public_url, "http://127.0.0.1:8080");
        assert_eq!(c.organizer_email, "reunions@passerelle.local");
        assert_eq!(c.retention_months, 12);
        assert_eq!(c.limits.writes_per_ip_per_minute, 20);
        assert_eq!(c.limits.reads_per_ip_per_minute, 600);
        assert_eq!(c.limits.per_email_per_hour, 10);
        assert_eq!(c.session_idle, chrono::Duration::minutes(30));
        assert_eq!(c.form_min_seconds, 3);
    }

    #[test]
    fn values_are_read_as_before() {
        let c = from_vars(&[
            ("PASSERELLE_DEMO", "off"),
            ("PASSERELLE_RATE_LIMIT", "0"),
            ("PASSERELLE_TRUST_PROXY", "true"),
            ("PASSERELLE_BIND", " 0.0.0.0:80 "),
            ("PASSERELLE_METRICS_BIND", " "),
            ("PASSERELLE_SMTP_URL", ""),
            ("PASSERELLE_PUBLIC_URL", "https://example.org/"),
            ("PASSERELLE_LOG_FORMAT", "json"),
        ])
        .unwrap();
        assert!(!c.demo);
        assert!(!c.limits.enabled);
        assert!(c.limits.trust_proxy);
        assert_eq!(c.bind.to_string(), "0.0.0.0:80");
        assert_eq!(c.metrics_bind, None, "blank counts as unset");
        assert_eq!(c.smtp_url, None, "empty counts as unset");
        assert_eq!(c.public_url, "https://example.org");
        assert_eq!(c.log_format, LogFormat::Json);
    }

    #[test]
    fn bad_values_name_the_variable() {
        let err = from_vars(&[("PASSERELLE_BIND", "nowhere")]).unwrap_err();
        assert_eq!(
            err,
            "PASSERELLE_BIND=nowhere is not valid: an address such as 127.0.0.1:8080"
        );
        assert!(from_vars(&[("PASSERELLE_LOG_FORMAT", "xml")]).is_err());
        let err =
            from_vars(&[("PASSERELLE_ORGANIZER_EMAIL", "Réunions <r@example.org>")]).unwrap_err();
        assert!(err.starts_with("PASSERELLE_ORGANIZER_EMAIL="), "{err}");
        let err = from_vars(&[("PASSERELLE_METRICS_BIND", "9090")]).unwrap_err();
        assert!(err.starts_with("PASSERELLE_METRICS_BIND=9090"), "{err}");
        let c = from_vars(&[("PASSERELLE_METRICS_BIND", "127.0.0.1:9091")]).unwrap();
        assert_eq!(c.metrics_bind.unwrap().to_string(), "127.0.0.1:9091");
        let err = from_vars(&[("PASSERELLE_NEAREST_MAX_M", "-3")]).unwrap_err();
        assert!(err.starts_with("PASSERELLE_NEAREST_MAX_M=-3"), "{err}");
        let err = from_vars(&[("PASSERELLE_RELOAD_INTERVAL_MS", "0")]).unwrap_err();
        assert!(err.starts_with("PASSERELLE_RELOAD_INTERVAL_MS=0"), "{err}");
        let err = from_vars(&[("PASSERELLE_RATE_LIMIT", "maybe")]).unwrap_err();
        assert_eq!(err, "PASSERELLE_RATE_LIMIT=maybe is not valid: on or off");
        let err = from_vars(&[("PASSERELLE_NO_SUCH", "1")]).unwrap_err();
        assert_eq!(err, "PASSERELLE_NO_SUCH is not a setting");
    }
}
