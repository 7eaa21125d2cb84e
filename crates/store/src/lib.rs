//! Passerelle's storage: sea-orm entities and the queries the services run,
//! on SQLite (the embedded default) and PostgreSQL (production).
//!
//! Every multi-row write is one transaction: a failed import leaves the
//! database exactly as it was.
#![forbid(unsafe_code)]

mod accounts;
mod addresses;
pub mod entities;
mod error;
mod lists;
pub(crate) mod matching;
pub(crate) mod meetings;
mod metrics;
mod outbox;
mod privacy;
mod schools;
mod sectors;
mod states;
mod tokens;
mod versions;

use std::time::Duration;

use passerelle_migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend};

pub use accounts::{LiveSession, NewAccount, SessionOwner, StoredAccount};
pub use error::StoreError;
pub use lists::{SectorKeys, TextList};
pub use matching::{BatchOutcome, MatchingSnapshot, NewProposal, NewReferent, NewRequest};
pub use meetings::{
    MeetingChanges, MeetingRecord, NewMeeting, NewMessage, NewRegistration, Refusal, Registered,
    RegistrationOutcome,
};
pub use metrics::OutboxCounts;
pub use privacy::{ERASED, Retention};
pub use schools::{NewIps, NewSchool, SchoolFacts};
pub use sectors::{MapSummary, NewSector, StoredSector};
pub use states::{MeetingStatus, ProposalState, RegistrationStatus, RequestStatus};
pub use tokens::StoredToken;
pub use versions::{ADDRESSES, CATALOG};

/// A handle on the database; cheap to clone (it wraps a connection pool).
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
}

/// Which database engine a [`Store`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Store {
    /// Connects to `url` (`sqlite://FILE` or `postgres://…`). A SQLite file is
    /// created when missing.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, None).await
    }

    /// Connects with every table in the PostgreSQL schema `schema` (created if
    /// missing): this is how tests get a database of their own on one server.
    pub async fn connect_in_schema(url: &str, schema: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, Some(schema)).await
    }

    async fn connect_with(url: &str, schema: Option<&str>) -> Result<Self, StoreError> {
        let url = normalise_url(url)?;
        if let Some(schema) = schema {
            let admin = Database::connect(url.as_str()).await?;
            admin
                .execute_unprepared(&format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\""))
                .await?;
            admin.close().await?;
        }
        // A request waits at most this long for a PostgreSQL connection, so
        // that a database that is down gives a quick 503, not a hang; the
        // pool reconnects by itself once the server is back.
        let wait = if url.starts_with("sqlite:") {
            Duration::from_secs(5)
        } else {
            Duration::from_secs(2)
        };
        let mut options = ConnectOptions::new(url);
        options
            .sqlx_logging(false)
            .connect_timeout(wait)
            .acquire_timeout(wait)
            .map_sqlx_sqlite_opts(|o| {
                // WAL lets readers go on while an import writes; the busy
                // timeout makes concurrent writers wait instead of failing.
                o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .busy_timeout(Duration::from_secs(30))
                    .foreign_keys(true)
            });
        if let Some(schema) = schema {
            options.set_schema_search_path(schema.to_owned());
        }
        let db = Database::connect(options).await?;
        Ok(Self { db })
    }

    /// Applies the migrations that are not applied yet.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        Migrator::up(&self.db, None).await?;
        Ok(())
    }

    /// The engine behind this store.
    pub fn backend(&self) -> Backend {
        match self.db.get_database_backend() {
            DbBackend::Postgres => Backend::Postgres,
            _ => Backend::Sqlite,
        }
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.ping().await?;
        Ok(())
    }

    /// Closes the pool.
    pub async fn close(self) -> Result<(), StoreError> {
        self.db.close().await?;
        Ok(())
    }

    /// Drops a PostgreSQL schema and everything in it (test clean-up).
    pub async fn drop_schema(url: &str, schema: &str) -> Result<(), StoreError> {
        let admin = Database::connect(normalise_url(url)?).await?;
        admin
            .execute_unprepared(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
            .await?;
        admin.close().await?;
        Ok(())
    }
}

/// Accepts `sqlite:FILE`, `sqlite://FILE` and `postgres(ql)://…`; a SQLite URL
/// gets `mode=rwc` so that a fresh clone starts without creating a file first.
fn normalise_url(url: &str) -> Result<String, StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(url.to_owned());
    }
    let Some(rest) = url.strip_prefix("sqlite:") else {
        return Err(StoreError::UnsupportedUrl(
            url.split(':').next().unwrap_or_default().to_owned(),
        ));
    };
    if rest.contains("mode=") {
        return Ok(url.to_owned());
    }
    let separator = if rest.contains('?') { '&' } else { '?' };
    Ok(format!("{url}{separator}mode=rwc"))
}

#[cfg(test)]
mod tests {
    use super::normalise_url;

    #[test]
    fn sqlite_urls_create_missing_files() {
        assert_eq!(
            normalise_url("sqlite://passerelle.db").unwrap(),
            "sqlite://passerelle.db?mode=rwc"
        );
        assert_eq!(
            normalise_url("sqlite:x.db?mode=ro").unwrap(),
            "sqlite:x.db?mode=ro"
        );
        assert!(normalise_url("mysql://x").is_err());
    }
}
