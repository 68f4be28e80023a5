//! Connection pools and transactions for both backends.

use crate::Result;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::SqliteConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Postgres, Sqlite, Transaction};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Pool sizing. The defaults suit a small machine.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Connections of the PostgreSQL pool, and of SQLite's read pool.
    pub max_connections: u32,
    /// How long a SQLite writer waits for the file lock before "database is locked".
    pub sqlite_busy_timeout: Duration,
    /// `synchronous=FULL` instead of NORMAL on SQLite (durable across power loss, slower).
    pub sqlite_synchronous_full: bool,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            max_connections: 16,
            sqlite_busy_timeout: Duration::from_secs(5),
            sqlite_synchronous_full: false,
        }
    }
}

enum Pools {
    /// SQLite has one writer at a time even in WAL mode, so writes go through a
    /// one-connection pool (waiting in the pool, not on the file lock) and reads
    /// through a separate pool that WAL lets run beside the writer.
    Sqlite {
        writer: SqlitePool,
        reader: SqlitePool,
        /// The database file, for the reads that bypass the pools (exports).
        file: std::path::PathBuf,
        busy_timeout: Duration,
    },
    Postgres(PgPool),
}

/// Handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pools: Arc<Pools>,
    /// Statements run through [`on_tx!`]: lets tests prove a use case costs a fixed
    /// number of queries (no N+1).
    queries: Arc<AtomicU64>,
}

/// One use case's transaction. Dropped without [`Tx::commit`], it rolls back.
pub struct Tx {
    pub conn: TxConn,
    queries: Arc<AtomicU64>,
}

/// The backend-specific transaction inside a [`Tx`].
pub enum TxConn {
    /// A read on SQLite (the read pool).
    Sqlite(Transaction<'static, Sqlite>),
    /// A write on SQLite: the one writer connection, in a transaction of our own.
    SqliteWriter(SqliteWrite),
    Postgres(Transaction<'static, Postgres>),
}

/// The SQLite writer connection inside a write transaction (`BEGIN` ... `COMMIT`).
/// A write is acknowledged only after its `COMMIT` returned. Whatever fails (a
/// statement, the commit, the rollback after a dropped transaction), the connection
/// never goes back to the pool in a state we cannot vouch for: after a failed
/// commit, or a rollback that does not succeed, it is closed and the pool opens a
/// fresh one (SQLite may roll a transaction back by itself on a full disk or an I/O
/// error, and a connection left inside a transaction would swallow every later
/// write; docs/ARCHITECTURE.md, "Choices worth knowing").
pub struct SqliteWrite {
    conn: Option<PoolConnection<Sqlite>>,
}

impl SqliteWrite {
    async fn begin(pool: &SqlitePool) -> Result<SqliteWrite> {
        let mut conn = pool.acquire().await?;
        if let Err(e) = sqlx::query("BEGIN").execute(&mut *conn).await {
            conn.close().await.ok();
            return Err(e.into());
        }
        Ok(SqliteWrite { conn: Some(conn) })
    }

    #[doc(hidden)]
    pub fn conn(&mut self) -> &mut SqliteConnection {
        self.conn.as_mut().expect("an open write transaction")
    }

    async fn commit(mut self) -> Result<()> {
        let mut conn = self.conn.take().expect("an open write transaction");
        match sqlx::query("COMMIT").execute(&mut *conn).await {
            Ok(_) => {
                crate::health::note_write_ok();
                Ok(())
            }
            Err(e) => {
                // Not committed: make sure nothing of it lingers, and never reuse
                // this connection.
                let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                conn.close().await.ok();
                Err(e.into())
            }
        }
    }
}

impl Drop for SqliteWrite {
    fn drop(&mut self) {
        let Some(mut conn) = self.conn.take() else { return };
        // Dropped without commit: roll back before the connection serves anyone
        // else (the pool cannot hand it out while this task holds it).
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => {
                rt.spawn(async move {
                    if sqlx::query("ROLLBACK").execute(&mut *conn).await.is_err() {
                        conn.close().await.ok();
                    }
                });
            }
            Err(_) => drop(conn.detach()),
        }
    }
}

/// Runs the same sqlx code on whichever backend `$tx` holds: `$conn` is bound to
/// `&mut SqliteConnection` or `&mut PgConnection` and `$body` is compiled for both.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {{
        let tx: &mut $crate::Tx = $tx;
        tx.count_query();
        match &mut tx.conn {
            $crate::TxConn::Sqlite(t) => {
                let $conn = &mut **t;
                $body
            }
            $crate::TxConn::SqliteWriter(w) => {
                let $conn = w.conn();
                $body
            }
            $crate::TxConn::Postgres(t) => {
                let $conn = &mut **t;
                $body
            }
        }
    }};
}

impl Tx {
    pub fn backend(&self) -> Backend {
        match self.conn {
            TxConn::Sqlite(_) | TxConn::SqliteWriter(_) => Backend::Sqlite,
            TxConn::Postgres(_) => Backend::Postgres,
        }
    }

    #[doc(hidden)]
    pub fn count_query(&self) {
        self.queries.fetch_add(1, Ordering::Relaxed);
    }

    pub async fn commit(self) -> Result<()> {
        match self.conn {
            TxConn::Sqlite(t) => t.commit().await?,
            TxConn::SqliteWriter(w) => w.commit().await?,
            TxConn::Postgres(t) => {
                t.commit().await?;
                crate::health::note_write_ok();
            }
        }
        Ok(())
    }
}

impl Store {
    /// Connects to `url`: `sqlite://path/to/file.db` (created if missing) or
    /// `postgres://...`. Does not migrate; call [`Store::migrate`].
    pub async fn connect(url: &str, opts: &StoreOptions) -> Result<Store> {
        let pools = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let connect = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(opts.max_connections)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(connect)
                .await?;
            Pools::Postgres(pool)
        } else if url.starts_with("sqlite:") {
            let connect = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(if opts.sqlite_synchronous_full {
                    SqliteSynchronous::Full
                } else {
                    SqliteSynchronous::Normal
                })
                .foreign_keys(true)
                .busy_timeout(opts.sqlite_busy_timeout);
            // Longer than busy_timeout: a writer waiting in the pool should outlast one
            // waiting on the lock, never the other way round.
            let acquire = opts.sqlite_busy_timeout + Duration::from_secs(10);
            let writer = SqlitePoolOptions::new()
                .max_connections(1)
                .acquire_timeout(acquire)
                .connect_with(connect.clone())
                .await?;
            let reader = SqlitePoolOptions::new()
                .max_connections(opts.max_connections.max(2))
                .acquire_timeout(acquire)
                .connect_with(connect.clone().read_only(true))
                .await?;
            let file = connect.get_filename().to_path_buf();
            Pools::Sqlite { writer, reader, file, busy_timeout: opts.sqlite_busy_timeout }
        } else {
            return Err(sqlx::Error::Configuration(
                format!("unsupported database URL scheme (want sqlite:// or postgres://): {}", redact_url(url)).into(),
            )
            .into());
        };
        Ok(Store { pools: Arc::new(pools), queries: Arc::new(AtomicU64::new(0)) })
    }

    pub fn backend(&self) -> Backend {
        match &*self.pools {
            Pools::Sqlite { .. } => Backend::Sqlite,
            Pools::Postgres(_) => Backend::Postgres,
        }
    }

    /// A SQLite store's file and busy timeout, for a read on a connection of its
    /// own outside the pools (docs/PERFORMANCE.md, "One query per export").
    pub(crate) fn sqlite_file(&self) -> Option<(&std::path::Path, Duration)> {
        match &*self.pools {
            Pools::Sqlite { file, busy_timeout, .. } => Some((file, *busy_timeout)),
            Pools::Postgres(_) => None,
        }
    }

    /// Counts a statement run outside [`on_tx!`].
    pub(crate) fn count_query(&self) {
        self.queries.fetch_add(1, Ordering::Relaxed);
    }

    /// Applies the pending versioned migrations of this backend.
    pub async fn migrate(&self) -> Result<()> {
        match &*self.pools {
            Pools::Sqlite { writer, .. } => SQLITE_MIGRATIONS.run(writer).await?,
            Pools::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// Statements run so far through this store's transactions.
    pub fn queries_executed(&self) -> u64 {
        self.queries.load(Ordering::Relaxed)
    }

    fn tx(&self, conn: TxConn) -> Tx {
        Tx { conn, queries: self.queries.clone() }
    }

    /// A transaction for a use case that only reads.
    pub async fn read(&self) -> Result<Tx> {
        Ok(self.tx(match &*self.pools {
            Pools::Sqlite { reader, .. } => TxConn::Sqlite(reader.begin().await?),
            Pools::Postgres(pool) => TxConn::Postgres(pool.begin().await?),
        }))
    }

    /// A transaction for a use case that writes.
    pub async fn write(&self) -> Result<Tx> {
        Ok(self.tx(match &*self.pools {
            // The single writer connection makes a deferred BEGIN safe: no other
            // writer can take the lock between our first read and first write.
            Pools::Sqlite { writer, .. } => TxConn::SqliteWriter(SqliteWrite::begin(writer).await?),
            Pools::Postgres(pool) => TxConn::Postgres(pool.begin().await?),
        }))
    }

    /// Checks that the database answers (for /readyz).
    pub async fn ping(&self) -> Result<()> {
        match &*self.pools {
            Pools::Sqlite { reader, .. } => sqlx::query("SELECT 1").execute(reader).await?.rows_affected(),
            Pools::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await?.rows_affected(),
        };
        Ok(())
    }

    /// Checks that the database takes writes (for /readyz): no storage failure
    /// since the last committed write, and a small write commits now.
    pub async fn check_writable(&self, now: chrono::DateTime<chrono::Utc>) -> Result<()> {
        if let Some(why) = crate::health::recent_failure() {
            return Err(crate::StoreError::Unavailable(why));
        }
        let mut tx = self.write().await?;
        let sql = "INSERT INTO service_probe (id, checked_at) VALUES (1, $1)
                   ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at";
        crate::on_tx!(&mut tx, c => sqlx::query(sql).bind(now).execute(c).await?.rows_affected());
        tx.commit().await
    }

    pub async fn close(&self) {
        match &*self.pools {
            Pools::Sqlite { writer, reader, .. } => {
                reader.close().await;
                writer.close().await;
            }
            Pools::Postgres(pool) => pool.close().await,
        }
    }
}

/// The URL with any password replaced by `***`, for logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(super::redact_url("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(super::redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(super::redact_url("sqlite://data/x.db"), "sqlite://data/x.db");
    }
}
