//! Logging with `tracing`: text for people, JSON for machines. Log lines
//! carry route templates and counts, never personal data.
use tracing_subscriber::EnvFilter;

use passerelle_app::config::LogFormat;

/// Installs the global subscriber, filtered by `filter` (`PASSERELLE_LOG`)
/// when it is given and understood. Commands other than `serve` log warnings
/// only by default, so that their own output stays readable.
pub fn init(format: LogFormat, filter: Option<&str>, serving: bool) {
    // geo's validation warns about rings it reads without a winding order,
    // which is every ring of an official map: noise for the operator.
    let default = if serving {
        "info,geo=error"
    } else {
        "warn,geo=error"
    };
    let filter = filter
        .and_then(|filter| EnvFilter::try_new(filter).ok())
        .unwrap_or_else(|| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}
