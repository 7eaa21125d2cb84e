use sea_orm::{DbErr, RuntimeErr, SqlxError};

/// What can go wrong in storage.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error("unsupported database URL scheme `{0}`: use sqlite:// or postgres://")]
    UnsupportedUrl(String),
    #[error(
        "a sector map for territory `{territory}` and school year {school_year} already exists; pass --replace to swap it"
    )]
    MapExists {
        territory: String,
        school_year: String,
    },
    #[error("a token named `{0}` already exists")]
    TokenNameTaken(String),
    #[error("an account for `{0}` already exists")]
    AccountExists(String),
    #[error("no such {0}")]
    NotFound(&'static str),
    #[error("not possible in state `{0}`")]
    WrongState(String),
    /// A stored value that the code cannot read: a bug or a hand edit.
    #[error("stored data is not readable: {0}")]
    Corrupt(String),
    #[error("a matching batch is already running")]
    BatchRunning,
    #[error("the data changed while the batch ran; run it again")]
    SnapshotStale,
}

impl StoreError {
    /// True when the database could not be reached (as opposed to a query
    /// that failed): the HTTP layer answers 503 for these.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Db(DbErr::Conn(_) | DbErr::ConnectionAcquire(_)) => true,
            // A pooled connection that breaks mid-query (the server stopped).
            StoreError::Db(
                DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)),
            ) => lost_connection(e),
            _ => false,
        }
    }
}

fn lost_connection(error: &SqlxError) -> bool {
    match error {
        SqlxError::Io(_)
        | SqlxError::Tls(_)
        | SqlxError::Protocol(_)
        | SqlxError::PoolTimedOut
        | SqlxError::PoolClosed
        | SqlxError::WorkerCrashed => true,
        // SQLSTATE classes 08 (connection exception) and 57P (shutdown).
        SqlxError::Database(e) => e
            .code()
            .is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
        _ => false,
    }
}
