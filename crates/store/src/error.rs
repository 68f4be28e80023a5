//! Store errors: the few database outcomes a use case must tell apart.

use sqlx::error::ErrorKind;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint refused the write (a concurrent or repeated create).
    #[error("unique constraint violated: {0}")]
    Unique(String),
    /// A foreign key refused the write (the referenced row is gone or still used).
    #[error("foreign key violated: {0}")]
    ForeignKey(String),
    /// A CHECK constraint refused the value.
    #[error("check constraint violated: {0}")]
    Check(String),
    #[error(transparent)]
    Database(sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            // PostgreSQL names the constraint; SQLite only says which columns.
            let what = db.constraint().map(str::to_string).unwrap_or_else(|| db.message().to_string());
            match db.kind() {
                ErrorKind::UniqueViolation => return StoreError::Unique(what),
                ErrorKind::ForeignKeyViolation => return StoreError::ForeignKey(what),
                ErrorKind::CheckViolation => return StoreError::Check(what),
                _ => {}
            }
        }
        StoreError::Database(e)
    }
}
