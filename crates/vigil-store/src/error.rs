use vigil_core::ApiError;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite reported an error.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A migration failed; the database was left at its previous version.
    #[error("database migration failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    /// The database was written by a newer Vigil; this binary refuses to touch it.
    #[error(
        "the database has schema version {found}, newer than this Vigil understands \
         ({supported}); install a newer Vigil or point it at another data directory"
    )]
    TooNew {
        /// The version found in the file.
        found: i64,
        /// The newest version this binary knows.
        supported: i64,
    },
    /// The batch this write was part of could not be committed; the write did not happen.
    #[error("the change could not be committed to the database")]
    CommitFailed,
    /// The writer thread could not be started.
    #[error("cannot start the database writer thread: {0}")]
    Thread(std::io::Error),
    /// The writer thread has stopped (the engine is shutting down).
    #[error("the store is closed")]
    Closed,
    /// A request-level failure decided inside a transaction (not found, conflict...).
    #[error("{0}")]
    Api(#[from] ApiError),
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Api(api) => api,
            StoreError::Closed => ApiError::unavailable("the engine is stopping"),
            other => ApiError::internal(other.to_string()),
        }
    }
}
