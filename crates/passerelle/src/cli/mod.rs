//! The `passerelle` command line.
mod input;
mod lookup_csv;
mod progress;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use passerelle_app::AppState;
use passerelle_app::Error;
use passerelle_app::access::{Caller, Role};
use passerelle_app::config::Config;

use crate::config::Settings;
use passerelle_app::school_year::SchoolYear;
use passerelle_app::{self as services, sectors::ImportOptions};

/// Passerelle: collège sectors, referent parents and neighbourhood meetings.
#[derive(Parser, Debug)]
#[command(name = "passerelle", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    settings: Settings,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Runs the HTTP service (PASSERELLE_BIND, default 127.0.0.1:8080).
    Serve,
    /// Applies the database migrations.
    Migrate,
    /// Imports official data, each file in one transaction.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Finds the sector of every row of a CSV with `lon` and `lat` columns.
    Lookup {
        /// Input CSV (`,` or `;` separated).
        #[arg(long)]
        csv: PathBuf,
        /// Output CSV; default: standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        /// School year such as 2024-2025; default: the current one.
        #[arg(long)]
        year: Option<SchoolYear>,
    },
    /// Manages API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Manages the accounts of admins and organizers.
    #[command(subcommand)]
    Account(AccountCommand),
    /// Periodic chores, safe from cron: expires unanswered proposals, queues
    /// meeting reminders, applies the retention period.
    Maintenance {
        /// Runs as of this instant (RFC 3339, e.g. 2027-08-05T10:00:00+02:00)
        /// instead of now.
        #[arg(long)]
        now: Option<String>,
    },
    /// Pairs hesitant parents with referents.
    #[command(subcommand)]
    Matching(MatchingCommand),
}

#[derive(Subcommand, Debug)]
enum MatchingCommand {
    /// Expires overdue proposals and re-optimises every pending one.
    Run,
    /// Solves an explicit instance file (`R K`, capacities, `M`, then `i j cost`
    /// lines) and prints `{"matched", "cost", "assignments"}`.
    Solve { file: PathBuf },
}

#[derive(Subcommand, Debug)]
enum ImportCommand {
    /// A GeoJSON FeatureCollection of collège sectors.
    Sectors {
        file: PathBuf,
        /// Territory name, e.g. `paris` or `lille`.
        #[arg(long)]
        territory: String,
        /// School year such as 2024-2025.
        #[arg(long)]
        year: SchoolYear,
        /// Feature property holding the UAI(s) (a string or a list).
        #[arg(long, default_value = "uais")]
        uai_property: String,
        /// Swap out an existing map of that territory and year.
        #[arg(long)]
        replace: bool,
    },
    /// The national geolocation list of establishments (CSV).
    Schools { file: PathBuf },
    /// The DEPP social position index of collèges (CSV).
    Ips { file: PathBuf },
    /// The Ministry's school-holiday calendar (iCalendar); replaces the previous one.
    Holidays { file: PathBuf },
    /// One département's national address base (BAN CSV, `.csv` or `.csv.gz`);
    /// replaces that département.
    Addresses { file: PathBuf },
    /// An address-range carte scolaire (`fr-en-carte-scolaire-colleges-publics`).
    CarteScolaire {
        file: PathBuf,
        /// School year such as 2024-2025.
        #[arg(long)]
        year: SchoolYear,
    },
}

#[derive(Subcommand, Debug)]
enum TokenCommand {
    /// Creates a token and prints it once.
    Create {
        #[arg(long)]
        role: String,
        #[arg(long)]
        name: String,
        /// Limits an organizer's token to a sector (its key: the UAIs of its
        /// collèges joined with `+`); repeat for several.
        #[arg(long = "sector")]
        sectors: Vec<String>,
    },
    /// Revokes a token by name.
    Revoke {
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand, Debug)]
enum AccountCommand {
    /// Creates an account; the password is read from PASSERELLE_PASSWORD or
    /// from the first line of standard input.
    Create {
        #[arg(long)]
        email: String,
        /// `admin` or `organizer`.
        #[arg(long)]
        role: String,
        /// Limits an organizer to a sector (its key: the UAIs of its
        /// collèges joined with `+`); repeat for several.
        #[arg(long = "sector")]
        sectors: Vec<String>,
    },
    /// Sets a new password (read like `create`'s) and ends every session.
    Password {
        #[arg(long)]
        email: String,
    },
    /// Disables an account and ends every session.
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Ends every session of an account.
    RevokeSessions {
        #[arg(long)]
        email: String,
    },
    /// Lists the accounts.
    List,
}

/// The password of an account command: never an argument, which other
/// users of the machine could read in the process list.
fn read_password() -> Result<String, Error> {
    if let Ok(password) = std::env::var("PASSERELLE_PASSWORD") {
        return Ok(password);
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).map_err(|e| {
        Error::BadRequest(format!("cannot read the password from standard input: {e}"))
    })?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// `None` when no sector was given: every sector.
fn sector_list(sectors: Vec<String>) -> Option<Vec<String>> {
    (!sectors.is_empty()).then_some(sectors)
}

async fn run_account(state: &AppState, command: AccountCommand) -> Result<(), Error> {
    use services::accounts;
    match command {
        AccountCommand::Create {
            email,
            role,
            sectors,
        } => {
            let role: Role = role.parse()?;
            let password = read_password()?;
            accounts::create(state, &email, role, &password, sector_list(sectors)).await?;
            eprintln!("account `{email}` ({role}) created");
        }
        AccountCommand::Password { email } => {
            let password = read_password()?;
            accounts::set_password(state, &email, &password).await?;
            eprintln!("password of `{email}` changed; its sessions are ended");
        }
        AccountCommand::Disable { email } => {
            accounts::disable(state, &email).await?;
            eprintln!("account `{email}` disabled; its sessions are ended");
        }
        AccountCommand::RevokeSessions { email } => {
            let ended = accounts::revoke_sessions(state, &email).await?;
            eprintln!("{ended} session(s) of `{email}` ended");
        }
        AccountCommand::List => {
            for a in accounts::list(state, &Caller::console()).await? {
                let sectors = a.sectors.map_or_else(
                    || "*".to_owned(),
                    |s| s.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(" "),
                );
                let status = if a.disabled { "disabled" } else { "active" };
                println!("{}\t{}\t{}\t{}", a.email, a.role, status, sectors);
            }
        }
    }
    Ok(())
}

/// Runs the command line; errors end as one line on stderr and exit code 1.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // A bad setting is one line, like every other error; help, version
        // and usage mistakes are clap's to show.
        Err(e) if e.kind() == clap::error::ErrorKind::ValueValidation => {
            return fail(&crate::config::one_line(e));
        }
        Err(e) => e.exit(),
    };
    let config = cli.settings.config();
    crate::telemetry::init(
        config.log_format,
        cli.settings.log.as_deref(),
        matches!(cli.command, Command::Serve),
    );
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => return fail(&e.to_string()),
    };
    match runtime.block_on(run(cli, config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Error::Invalid(errors)) => fail(&passerelle_words::api_field_errors(&errors)),
        Err(e) => fail(&e.to_string()),
    }
}

fn fail(message: &str) -> ExitCode {
    // One readable line, whatever the error holds.
    eprintln!("error: {}", message.replace('\n', " "));
    ExitCode::FAILURE
}

fn read(path: &PathBuf) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })
}

async fn run(cli: Cli, config: Config) -> Result<(), Error> {
    // Solving a file needs no database.
    if let Command::Matching(MatchingCommand::Solve { file }) = &cli.command {
        return solve(file);
    }
    // A bad instant is refused before the database is touched.
    let maintenance_now = match &cli.command {
        Command::Maintenance { now: Some(text) } => Some(instant(text)?),
        _ => None,
    };
    let serve = matches!(cli.command, Command::Serve);
    let demo = config.demo && serve;
    let state = AppState::open(config).await?;
    match cli.command {
        Command::Serve => {
            if demo && services::demo::load_if_empty(&state).await? {
                tracing::info!("empty database: the demo town was loaded");
            }
            crate::serve::run(state).await
        }
        Command::Migrate => {
            eprintln!("migrations applied");
            Ok(())
        }
        Command::Import(import) => run_import(&state, import).await,
        Command::Lookup { csv, out, year } => {
            let summary = lookup_csv::run(&state, &csv, out.as_deref(), year)?;
            eprintln!("{summary}");
            Ok(())
        }
        Command::Account(command) => run_account(&state, command).await,
        Command::Token(TokenCommand::Create {
            role,
            name,
            sectors,
        }) => {
            let role: Role = role.parse()?;
            let secret =
                services::tokens::create(&state, &name, role, sector_list(sectors)).await?;
            println!("{secret}");
            eprintln!("token `{name}` ({role}) created: keep it now, it will not be shown again");
            Ok(())
        }
        Command::Maintenance { .. } => {
            let now = maintenance_now.unwrap_or_else(chrono::Utc::now);
            let done = services::privacy::maintenance(&state, now).await?;
            eprintln!(
                "maintenance done: {} proposal(s) expired, {} reminder(s), {} request(s) and {} registration(s) anonymised, {} message(s) deleted",
                done.expired_proposals,
                done.reminders,
                done.retention.requests,
                done.retention.registrations,
                done.retention.messages
            );
            Ok(())
        }
        Command::Matching(MatchingCommand::Run) => {
            let report = services::matching::run_batch(&state).await?;
            eprintln!(
                "matching done: {} kept, {} new, {} superseded, {} expired",
                report.kept, report.created, report.superseded, report.expired
            );
            Ok(())
        }
        Command::Matching(MatchingCommand::Solve { .. }) => unreachable!("handled above"),
        Command::Token(TokenCommand::Revoke { name }) => {
            services::tokens::revoke(&state, &name).await?;
            eprintln!("token `{name}` revoked");
            Ok(())
        }
    }
}

/// An instant given on the command line, with its offset.
fn instant(text: &str) -> Result<chrono::DateTime<chrono::Utc>, Error> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| {
            Error::BadRequest(format!(
                "--now `{text}` is not an RFC 3339 instant such as 2027-08-05T10:00:00+02:00: {e}"
            ))
        })
}

/// Solves an instance file; the timings go to stderr as one JSON line, for
/// the benchmark scripts.
fn solve(file: &PathBuf) -> Result<(), Error> {
    let started = std::time::Instant::now();
    let bytes = read(file)?;
    let read_s = started.elapsed().as_secs_f64();
    let instance = passerelle_matching_instances::parse_bytes(&bytes)
        .map_err(|e| Error::Refused(format!("{}: {e}", file.display())))?;
    drop(bytes);
    let parse_s = started.elapsed().as_secs_f64() - read_s;
    let solving = std::time::Instant::now();
    let solution = passerelle_matching::solve_instance(&instance);
    let solve_s = solving.elapsed().as_secs_f64();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    serde_json::to_writer(&mut out, &solution).map_err(anyhow::Error::from)?;
    std::io::Write::write_all(&mut out, b"\n").map_err(anyhow::Error::from)?;
    std::io::Write::flush(&mut out).map_err(anyhow::Error::from)?;
    eprintln!(
        "{}",
        serde_json::json!({
            "read_s": read_s,
            "parse_s": parse_s,
            "solve_s": solve_s,
            "peak_rss_mib": peak_rss_mib(),
        })
    );
    Ok(())
}

/// Peak resident memory of this process (Linux), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

async fn run_import(state: &AppState, import: ImportCommand) -> Result<(), Error> {
    let bar = progress::Terminal::new();
    match import {
        ImportCommand::Sectors {
            file,
            territory,
            year,
            uai_property,
            replace,
        } => {
            let options = ImportOptions {
                territory,
                school_year: year,
                uai_property,
                replace,
            };
            let report =
                services::sectors::import_map(state, input::read_map(&file)?, &options, &bar)
                    .await?;
            eprintln!(
                "imported {} sectors for {} {}{}{}",
                report.sectors,
                report.territory,
                report.school_year,
                if report.replaced {
                    " (replaced the previous map)"
                } else {
                    ""
                },
                if report.unknown_uais.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; {} UAI(s) not in the collège list yet: import it with `passerelle import schools`",
                        report.unknown_uais.len()
                    )
                }
            );
        }
        ImportCommand::Schools { file } => {
            let n =
                services::schools::import_schools(state, input::read_text(&file)?, &bar).await?;
            eprintln!("imported {n} establishments");
        }
        ImportCommand::Addresses { file } => {
            let report =
                services::addresses::import_addresses(state, input::read_text(&file)?, &bar)
                    .await?;
            eprintln!(
                "imported {} addresses of département {}",
                report.rows, report.department
            );
        }
        ImportCommand::CarteScolaire { file, year } => {
            let report =
                services::addresses::import_carte(state, input::read_text(&file)?, year).await?;
            eprintln!(
                "imported {} rows for {} communes and {} collèges ({year}); {} shared range(s), {} contradiction(s)",
                report.rows,
                report.communes,
                report.colleges,
                report.shared.len(),
                report.conflicts.len()
            );
            for c in &report.conflicts {
                eprintln!(
                    "  contradiction: commune {} « {} », lines {}: collèges {}",
                    c.citycode,
                    c.street,
                    c.lines
                        .iter()
                        .map(u64::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                    c.uais.join(", ")
                );
            }
        }
        ImportCommand::Holidays { file } => {
            let report = services::holidays::import(state, input::read_text(&file)?).await?;
            eprintln!(
                "imported {} holiday periods; {} event(s) skipped, {} repaired",
                report.periods,
                report.skipped.len(),
                report.repaired.len()
            );
            for line in report
                .skipped
                .iter()
                .map(|s| format!("skipped {s}"))
                .chain(report.repaired.iter().map(|s| format!("repaired {s}")))
            {
                eprintln!("  {line}");
            }
        }
        ImportCommand::Ips { file } => {
            let n = services::schools::import_ips(state, input::read_text(&file)?, &bar).await?;
            eprintln!("imported {n} IPS rows");
        }
    }
    Ok(())
}
