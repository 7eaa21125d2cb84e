use sea_orm::DbErr;

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
    #[error("no such {0}")]
    NotFound(&'static str),
    #[error("not possible in state `{0}`")]
    WrongState(String),
    #[error("a matching batch is already running")]
    BatchRunning,
}

impl StoreError {
    /// True when the database could not be reached (as opposed to a query
    /// that failed): the HTTP layer answers 503 for these.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            StoreError::Db(DbErr::Conn(_) | DbErr::ConnectionAcquire(_))
        )
    }
}
