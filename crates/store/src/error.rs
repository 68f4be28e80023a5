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
    /// Text the database cannot store (PostgreSQL refuses NUL characters).
    #[error("text the database cannot store: {0}")]
    InvalidText(String),
    /// The storage cannot take the request now (disk full, read-only, I/O error,
    /// busy past the timeout, the database unreachable): retry later.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Database(sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// SQLite result codes (primary, the low byte of an extended code) that mean the
/// storage, not the request, failed: BUSY, LOCKED, NOMEM, READONLY, IOERR, CORRUPT,
/// FULL, CANTOPEN, PROTOCOL.
const SQLITE_UNAVAILABLE: [i64; 9] = [5, 6, 7, 8, 10, 11, 13, 14, 15];

/// PostgreSQL SQLSTATE classes and codes of the same kind: insufficient resources
/// (53), operator intervention (57), connection exceptions (08), a read-only
/// transaction (25006), a system error (58).
fn pg_unavailable(code: &str) -> bool {
    ["53", "57", "08", "58"].iter().any(|c| code.starts_with(c)) || code == "25006"
}

fn unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            if db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().is_some() {
                pg_unavailable(&code)
            } else {
                code.parse::<i64>().is_ok_and(|n| SQLITE_UNAVAILABLE.contains(&(n & 0xff)))
            }
        }
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed => true,
        _ => false,
    }
}

/// PostgreSQL ended the transaction to break a deadlock (40P01) or for a
/// conflict with a concurrent one (40001): it did nothing, and sent again it
/// would succeed. Not a storage failure: readiness does not hear of it.
fn ended_for_another(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db)
        if matches!(db.code().as_deref(), Some("40P01" | "40001"))
            && db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().is_some())
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if ended_for_another(&e) {
            return StoreError::Unavailable(e.to_string());
        }
        if unavailable(&e) {
            let what = e.to_string();
            crate::health::note_failure(&what);
            return StoreError::Unavailable(what);
        }
        if let sqlx::Error::Database(db) = &e
            && matches!(db.code().as_deref(), Some("22021" | "22P05"))
            && db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().is_some()
        {
            return StoreError::InvalidText(db.message().to_string());
        }
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
