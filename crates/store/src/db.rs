//! Connection pools and transactions for both backends.

use crate::Result;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::SqliteConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Postgres, Sqlite, Transaction};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

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
    /// Pages of SQLite WAL past which the writer, right after acknowledging a
    /// batch, checkpoints so that the WAL starts over (docs/PERFORMANCE.md, "The
    /// WAL starts over seldom, just after a checkpointer's pass").
    pub sqlite_wal_restart_pages: u32,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            max_connections: 16,
            sqlite_busy_timeout: Duration::from_secs(5),
            sqlite_synchronous_full: false,
            sqlite_wal_restart_pages: 50_000,
        }
    }
}

enum Pools {
    /// SQLite has one writer at a time even in WAL mode, so writes go through a
    /// one-connection pool (waiting in the pool, not on the file lock) and reads
    /// through a separate pool that WAL lets run beside the writer.
    Sqlite {
        writer: Arc<SqliteWriter>,
        reader: SqlitePool,
        /// The database file, for the reads that bypass the pools (exports).
        file: std::path::PathBuf,
        busy_timeout: Duration,
    },
    Postgres {
        pool: PgPool,
        /// Connections whose commits do not wait for the WAL's flush
        /// (`synchronous_commit=off`), for writes that may be lost in a crash
        /// without harm: the rate-limit buckets (docs/DECISIONS.md, "Rate limits on
        /// PostgreSQL"). Opened when first used.
        volatile: PgPool,
    },
}

/// Handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pools: Arc<Pools>,
    /// Statements run through [`on_tx!`]: lets tests prove a use case costs a fixed
    /// number of queries (no N+1).
    queries: Arc<AtomicU64>,
    /// Write transactions committed on SQLite whose every statement ran in place
    /// ([`Tx::direct`]), for tests.
    in_place: Arc<AtomicU64>,
    /// Committed transactions that wrote a sponsor, an event, a staff
    /// membership or a webhook endpoint ([`Store::access_writes`]).
    access_writes: Arc<AtomicU64>,
    /// Use cases on PostgreSQL committed by one statement of their own, with no
    /// `BEGIN` ([`Tx::insert_deciding`]), for tests.
    alone: Arc<AtomicU64>,
}

/// One use case's transaction. Dropped without [`Tx::commit`], it rolls back.
pub struct Tx {
    pub conn: TxConn,
    queries: Arc<AtomicU64>,
    in_place: Arc<AtomicU64>,
    deferred: Deferred,
    /// Committed transactions of the store that wrote who may do what
    /// ([`Store::access_writes`]), and whether this one did.
    access_writes: Arc<AtomicU64>,
    writes_access: bool,
    alone: Arc<AtomicU64>,
    /// The use case committed by a statement of its own ([`Tx::insert_deciding`]):
    /// nothing more may be sent.
    settled: bool,
}

/// Writes on PostgreSQL whose outcome nothing reads back, held to be sent as one
/// statement (a data-modifying `WITH`) just before the transaction's next
/// statement or its commit: one round trip for the rows a capture writes after
/// its lead (docs/PERFORMANCE.md, "Fewer round trips on PostgreSQL").
#[derive(Default)]
struct Deferred {
    /// Each statement, its placeholders numbered after the ones before it.
    parts: Vec<String>,
    args: sqlx::postgres::PgArguments,
    /// The tables written by the writes held. A write that may change rows
    /// already there (an update, an upsert) of a table held is sent after the
    /// writes held, never beside them: one statement must not update a row
    /// twice, and its parts do not see each other's rows.
    tables: Vec<&'static str>,
    /// Writes are being held on a new lead ([`Tx::hold_if_new`]): each reads
    /// the `new_lead` part of the statement that inserts it.
    if_new: bool,
    /// Some write held reads `new_lead`: only [`Tx::insert_deciding`] may send it.
    held_if_new: bool,
}

/// What a write held for later ([`Tx::defer`]) does to its table.
#[derive(Clone, Copy, Debug)]
pub(crate) enum HeldWrite {
    /// Adds rows only.
    Insert(&'static str),
    /// May change rows already there: an update, or an insert `ON CONFLICT ...
    /// DO UPDATE`.
    Rewrite(&'static str),
}

/// `sql` with each placeholder `$n` numbered `$n+offset`, outside quoted text.
fn renumber(sql: &str, offset: usize) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '\'' {
            quoted = !quoted;
        } else if c == '$' && !quoted && chars.peek().is_some_and(char::is_ascii_digit) {
            let mut n = 0usize;
            while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
                n = n * 10 + d as usize;
                chars.next();
            }
            out.push_str(&(n + offset).to_string());
        }
    }
    out
}

/// The backend-specific transaction inside a [`Tx`].
pub enum TxConn {
    /// A read on SQLite (the read pool).
    Sqlite(Transaction<'static, Sqlite>),
    /// A write on SQLite: the one writer connection, in a transaction of our own.
    SqliteWriter(SqliteWrite),
    Postgres(Transaction<'static, Postgres>),
    /// A write on PostgreSQL whose `BEGIN` waits for its first statement
    /// ([`Store::write_lazily`]); `None` only if that `BEGIN` failed.
    PostgresLater(Option<PoolConnection<Postgres>>),
}

/// SQLite's one writer, with group commit (docs/PERFORMANCE.md, "Group commit on
/// SQLite"): the write transactions that queue for the writer while one runs share
/// one database transaction, each inside a savepoint of its own. A use case's
/// `commit` releases its savepoint and waits until the shared transaction has
/// committed; the last of the queue (or the one that finds the batch full or old)
/// commits it for all. A use case that fails rolls back to its savepoint and leaves
/// the others' work in place. Whatever fails in the batch itself (a savepoint that
/// vanished because SQLite rolled the transaction back, the `COMMIT`), every use
/// case of the batch gets the error and nothing of it is acknowledged; the
/// connection is then closed, never reused (docs/ARCHITECTURE.md, "Choices worth
/// knowing").
pub(crate) struct SqliteWriter {
    pool: SqlitePool,
    /// The open batch, if any; holding the lock is holding the writer.
    batch: Arc<tokio::sync::Mutex<Option<Batch>>>,
    /// Write transactions waiting for the writer: while there are some, a finished
    /// one leaves the batch open for them.
    waiting: AtomicUsize,
    batches: AtomicU64,
    /// Batches committed, which the checkpointer watches for.
    commits: AtomicU64,
    /// How long a write waits for the writer before it gives up (503).
    acquire_timeout: Duration,
    /// The connection between two batches, kept out of the pool with its handle
    /// and its in-place statements, so that the next batch begins without a hop
    /// and prepares nothing again. Touched only by who holds the writer.
    idle: std::sync::Mutex<Option<Idle>>,
    /// Times the handle was taken from sqlx's worker, for tests.
    handle_takes: AtomicU64,
    /// Set by the checkpointer when the WAL has passed the restart threshold:
    /// the writer checkpoints after acknowledging its next batch.
    restart_wanted: AtomicBool,
    /// Those checkpoints of the writer that copied the whole WAL, so that the
    /// next batch starts it over; for tests.
    wal_restarts: AtomicU64,
}

/// The writer's connection between batches (fields in the order they must drop).
struct Idle {
    direct: Option<Direct>,
    conn: PoolConnection<Sqlite>,
}

impl Drop for SqliteWriter {
    fn drop(&mut self) {
        // A pool connection dropped outside a runtime panics (it spawns its
        // return to the pool): there, the kept connection is closed instead.
        if tokio::runtime::Handle::try_current().is_err()
            && let Some(Idle { direct, conn }) = self.idle.get_mut().ok().and_then(Option::take)
        {
            drop(direct);
            drop(conn.detach());
        }
    }
}

/// At most this many use cases in one batch, and at most this long from its first
/// statement to its commit, so that a steady queue still commits often.
const BATCH_MAX_MEMBERS: usize = 128;
const BATCH_MAX_AGE: Duration = Duration::from_millis(10);
/// A use case waiting for its batch's commit this long checks that the batch is
/// not orphaned (the one meant to commit it went away) and commits it itself.
const BATCH_WAIT_CHECK: Duration = Duration::from_millis(20);

type BatchOutcome = Option<std::result::Result<(), String>>;

struct Batch {
    id: u64,
    /// The connection's handle taken from sqlx's worker thread for statements run
    /// in place (docs/PERFORMANCE.md, "A capture in place on SQLite's writer").
    /// Declared before `conn`, so it is dropped (its statements finalized, the
    /// handle given back) before the connection.
    direct: Option<Direct>,
    conn: PoolConnection<Sqlite>,
    /// Use cases that released their savepoint and wait for the commit.
    members: usize,
    opened: std::time::Instant,
    done: tokio::sync::watch::Sender<BatchOutcome>,
}

/// The writer connection's handle, held away from sqlx's worker thread, and a
/// rusqlite connection on it (which does not own it). While it is held, sqlx
/// cannot run a statement on the connection (its worker waits for the handle):
/// every way to the sqlx connection ([`Batch::sqlx`]) gives it back first.
struct Direct {
    /// Dropped first: its cached statements are finalized while the handle is held.
    conn: rusqlite::Connection,
    _handle: sqlx::sqlite::LockedSqliteHandle<'static>,
}

impl Batch {
    /// The connection for sqlx: gives the handle back to sqlx's worker if it was taken.
    fn sqlx(&mut self) -> &mut SqliteConnection {
        self.direct = None;
        &mut self.conn
    }

    /// The connection for statements run in place: takes the handle from sqlx's
    /// worker (one hop), unless it is held already.
    #[allow(unsafe_code)] // one of two exceptions (docs/DECISIONS.md, "Unsafe code")
    async fn direct(&mut self) -> Result<&rusqlite::Connection> {
        if self.direct.is_none() {
            let mut handle = self.conn.lock_handle().await?;
            let raw = handle.as_raw_handle();
            // SAFETY: the guard borrows the connection only to reach its worker's
            // mutex, which lives in an `Arc` shared with the worker thread, so it
            // outlives any move of `conn`; and `direct` is dropped before `conn`
            // (field order, and `sqlx()`/`into_conn()`), so the guard never
            // outlives the connection it came from.
            let handle: sqlx::sqlite::LockedSqliteHandle<'static> = unsafe { std::mem::transmute(handle) };
            // SAFETY: the handle stays open and ours while `handle` is held, and
            // the rusqlite connection is dropped before it (field order).
            let conn = unsafe { rusqlite::Connection::from_handle(raw.as_ptr()) }.map_err(crate::direct::failed)?;
            self.direct = Some(Direct { conn, _handle: handle });
        }
        Ok(&self.direct.as_ref().expect("taken above").conn)
    }

    /// Runs statements with no arguments and no rows (`SAVEPOINT`, `COMMIT`, ...)
    /// where the connection is now: in place if its handle is held, else through
    /// sqlx, so the batch's own statements never add a hop.
    async fn exec(&mut self, sql: &'static str) -> Result<()> {
        if let Some(d) = &self.direct {
            return crate::direct::batch(&d.conn, sql);
        }
        sqlx::raw_sql(sql).execute(&mut *self.conn).await?;
        Ok(())
    }

    /// The connection, the handle given back (to close or detach it), and the
    /// members' outcome.
    fn into_parts(mut self) -> (PoolConnection<Sqlite>, tokio::sync::watch::Sender<BatchOutcome>) {
        self.direct = None;
        let Batch { conn, done, .. } = self;
        (conn, done)
    }
}

/// Counts a task waiting for the writer for as long as it waits (a cancelled
/// request stops counting too).
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl SqliteWriter {
    fn new(pool: SqlitePool, acquire_timeout: Duration) -> SqliteWriter {
        SqliteWriter {
            acquire_timeout,
            pool,
            batch: Arc::new(tokio::sync::Mutex::new(None)),
            waiting: AtomicUsize::new(0),
            batches: AtomicU64::new(0),
            commits: AtomicU64::new(0),
            idle: std::sync::Mutex::new(None),
            handle_takes: AtomicU64::new(0),
            restart_wanted: AtomicBool::new(false),
            wal_restarts: AtomicU64::new(0),
        }
    }

    /// Keeps a connection whose transaction ended cleanly for the next batch,
    /// unless the pool is closing (which waits for it to come back).
    fn keep(&self, b: Batch) {
        if self.pool.is_closed() {
            return drop(b);
        }
        let Batch { direct, conn, .. } = b;
        *self.idle.lock().expect("idle lock") = Some(Idle { direct, conn });
    }

    /// Gives the kept connection back to the pool (to migrate or close it).
    fn release_idle(&self) {
        let idle = self.idle.lock().expect("idle lock").take();
        drop(idle);
    }

    /// Commits the open batch (if any) and tells its members.
    async fn commit_batch(&self, guard: &mut Option<Batch>) {
        let Some(mut b) = guard.take() else { return };
        match b.exec("COMMIT").await {
            Ok(()) => {
                crate::health::note_write_ok();
                self.commits.fetch_add(1, Ordering::Relaxed);
                b.done.send_replace(Some(Ok(())));
                if self.restart_wanted.swap(false, Ordering::Relaxed) {
                    self.checkpoint_to_restart(&mut b).await;
                }
                self.keep(b);
            }
            // Noted as a storage failure (for /readyz) as any other.
            Err(e) => Self::fail(b, e.to_string()).await,
        }
    }

    /// Copies what is left of the WAL into the database while the writer is held
    /// and its batch already answered, just after a pass of the checkpointer
    /// (which asked for it), so little is left: the next batch then starts the WAL
    /// over (docs/PERFORMANCE.md, "The WAL starts over seldom, just after a
    /// checkpointer's pass"). `PASSIVE`: if the checkpointer is copying just now,
    /// it gives up at once, and the checkpointer asks again after its pass.
    async fn checkpoint_to_restart(&self, b: &mut Batch) {
        let done: Result<Checkpoint> = match &b.direct {
            Some(d) => Checkpoint::run(&d.conn, Checkpoint::PASSIVE).map_err(crate::direct::failed),
            None => sqlx::query_as(Checkpoint::PASSIVE)
                .fetch_one(b.sqlx())
                .await
                .map(|(busy, log, copied)| Checkpoint { busy, log, copied })
                .map_err(Into::into),
        };
        match done {
            Ok(c) if c.whole() => {
                self.wal_restarts.fetch_add(1, Ordering::Relaxed);
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "the writer's SQLite checkpoint failed; the checkpointer asks again"),
        }
    }

    /// The batch is lost: roll back whatever is left of it, close its connection,
    /// tell its members.
    async fn fail(mut b: Batch, why: String) {
        tracing::error!(error = %why, members = b.members, "a SQLite write batch failed; nothing of it was committed");
        let _ = b.exec("ROLLBACK").await;
        let (conn, done) = b.into_parts();
        conn.close().await.ok();
        done.send_replace(Some(Err(why)));
    }

    /// A use case is done with the writer: commit the batch now, unless others
    /// wait to join it and it is neither full nor old.
    async fn finish(&self, mut guard: tokio::sync::OwnedMutexGuard<Option<Batch>>) {
        let leave_open = guard.as_ref().is_some_and(|b| {
            b.members > 0
                && self.waiting.load(Ordering::SeqCst) > 0
                && b.members < BATCH_MAX_MEMBERS
                && b.opened.elapsed() < BATCH_MAX_AGE
        });
        if !leave_open {
            if guard.as_ref().is_some_and(|b| b.members == 0) {
                // Nothing to keep (every use case rolled back): end it quietly.
                let mut b = guard.take().expect("checked");
                if b.exec("ROLLBACK").await.is_err() {
                    let (conn, done) = b.into_parts();
                    conn.close().await.ok();
                    done.send_replace(Some(Ok(())));
                } else {
                    b.done.send_replace(Some(Ok(())));
                    self.keep(b);
                }
            } else {
                self.commit_batch(&mut guard).await;
            }
        }
    }
}

/// How often the checkpointer looks for new commits while there are some. While
/// the WAL keeps starting over by itself (a pass finds a moment with no batch,
/// copies all, and the next batch starts the WAL over, syncing its new header
/// on the writer's path), every [`CHECKPOINT_EVERY`], so that those restarts
/// stay few; once the WAL has grown past [`CHECKPOINT_FAST_PAST`] pages (writes
/// that never pause), every [`CHECKPOINT_FAST_EVERY`], so that a pass copies
/// only what a few batches wrote and little is left for the writer when it
/// starts the WAL over. With nothing written it looks less and less often, down
/// to once each [`CHECKPOINT_IDLE_EVERY`] (docs/PERFORMANCE.md, "The WAL starts
/// over seldom, just after a checkpointer's pass").
const CHECKPOINT_EVERY: Duration = Duration::from_millis(25);
const CHECKPOINT_FAST_EVERY: Duration = Duration::from_millis(5);
const CHECKPOINT_FAST_PAST: i64 = 4_000;
const CHECKPOINT_IDLE_EVERY: Duration = Duration::from_millis(200);
/// After this long with no write, a WAL file longer than [`WAL_KEPT_BYTES`]
/// (what a long burst of writes left) is cut back to nothing.
const WAL_TRIM_AFTER: Duration = Duration::from_secs(1);
const WAL_KEPT_BYTES: u64 = 4 << 20;
/// The highest restart threshold taken (4 GB of WAL at 4 KB pages); twice it, the
/// writer's own net, stays within what SQLite's pragma reads.
const MAX_WAL_RESTART_PAGES: u32 = 1_000_000;

/// Checkpoints the WAL of a SQLite store on a thread and connection of its own,
/// `PASSIVE` (it never waits for the writer or blocks it), soon after each
/// commit, until the store's writer is gone: so the copying of WAL pages into the
/// database is done off the writer, which every write waits for. A pass that
/// finds no batch beside it copies the whole WAL, and the next batch starts it
/// over. Under a steady stream of batches that never happens, so once the WAL
/// has passed `restart_pages` the checkpointer asks the writer to copy the rest
/// itself, right after its next batch is answered (`restart_wanted`). After a
/// second with no write it cuts a long WAL file back (`TRUNCATE`, which waits
/// for nobody: a reader or a writer there, and it tries again later).
fn spawn_checkpointer(
    file: std::path::PathBuf,
    busy: Duration,
    restart_pages: u32,
    writer: std::sync::Weak<SqliteWriter>,
) {
    let run = move || {
        use rusqlite::OpenFlags;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = match rusqlite::Connection::open_with_flags(&file, flags) {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, pages = restart_pages.saturating_mul(2), "no SQLite checkpointer: the writer checkpoints by itself, past twice the restart threshold");
                return;
            }
        };
        conn.busy_timeout(busy).ok();
        let mut wal = file.clone().into_os_string();
        wal.push("-wal");
        let (mut seen, mut every, mut last_write, mut trimmed) = (0, CHECKPOINT_EVERY, Instant::now(), true);
        loop {
            std::thread::sleep(every);
            let Some(w) = writer.upgrade() else { return };
            let commits = w.commits.load(Ordering::Relaxed);
            drop(w);
            if commits == seen {
                every = (every * 2).min(CHECKPOINT_IDLE_EVERY);
                if !trimmed && last_write.elapsed() >= WAL_TRIM_AFTER {
                    trimmed = std::fs::metadata(&wal).map_or(true, |m| m.len() <= WAL_KEPT_BYTES)
                        || writer.upgrade().is_some_and(|w| trim_wal(&w, &conn, busy));
                }
                continue;
            }
            (seen, every, last_write, trimmed) = (commits, CHECKPOINT_EVERY, Instant::now(), false);
            match Checkpoint::run(&conn, Checkpoint::PASSIVE) {
                Ok(Checkpoint { log, .. }) => {
                    if log >= CHECKPOINT_FAST_PAST {
                        every = CHECKPOINT_FAST_EVERY;
                    }
                    if log >= i64::from(restart_pages)
                        && let Some(w) = writer.upgrade()
                    {
                        w.restart_wanted.store(true, Ordering::Relaxed);
                    }
                }
                Err(e) => tracing::warn!(error = %e, "a SQLite checkpoint failed; the next one tries again"),
            }
        }
    };
    if let Err(e) = std::thread::Builder::new().name("sqlite-checkpoint".into()).spawn(run) {
        tracing::warn!(error = %e, pages = restart_pages.saturating_mul(2), "no SQLite checkpointer: the writer checkpoints by itself, past twice the restart threshold");
    }
}

/// What `PRAGMA wal_checkpoint` answers: whether it gave up (another checkpoint
/// or, past `PASSIVE`, a writer or reader in the way), the WAL's frames, and
/// how many of them are in the database now.
struct Checkpoint {
    busy: i64,
    log: i64,
    copied: i64,
}

impl Checkpoint {
    const PASSIVE: &'static str = "PRAGMA wal_checkpoint(PASSIVE)";

    fn run(conn: &rusqlite::Connection, sql: &str) -> rusqlite::Result<Checkpoint> {
        conn.query_row(sql, [], |r| Ok(Checkpoint { busy: r.get(0)?, log: r.get(1)?, copied: r.get(2)? }))
    }

    /// Every frame of the WAL copied: the next write transaction starts it over.
    fn whole(&self) -> bool {
        self.busy == 0 && self.log == self.copied
    }
}

/// Cuts the WAL's file to nothing, holding the store's writer, so that no batch
/// is open meanwhile: a `TRUNCATE` rewrites the WAL's header, and a batch that
/// had begun reading before it would then be refused its first write
/// (`SQLITE_BUSY_SNAPSHOT`). The pages not yet copied (a reader's old snapshot
/// may have held the last pass back) are copied first without the writer, so
/// that what is done holding it is the cut alone. Nothing waits: with a batch
/// open, or a reader in the WAL, it tells it did not, and it is tried again later.
fn trim_wal(writer: &SqliteWriter, conn: &rusqlite::Connection, busy: Duration) -> bool {
    if !Checkpoint::run(conn, Checkpoint::PASSIVE).is_ok_and(|c| c.whole()) {
        return false;
    }
    let Ok(batch) = writer.batch.try_lock() else { return false };
    if batch.is_some() {
        return false;
    }
    conn.busy_timeout(Duration::ZERO).ok();
    let done = Checkpoint::run(conn, "PRAGMA wal_checkpoint(TRUNCATE)");
    conn.busy_timeout(busy).ok();
    drop(batch);
    match done {
        Ok(c) => c.busy == 0,
        Err(e) => {
            tracing::warn!(error = %e, "cutting the SQLite WAL back failed; it is tried again");
            false
        }
    }
}

type Guard = tokio::sync::OwnedMutexGuard<Option<Batch>>;

/// The writer held by a task. Dropped while it still holds an open batch (the task
/// was dropped unfinished, as at a runtime's shutdown), it ends the batch at once:
/// the connection is closed, which rolls its transaction back, and the members are
/// told; so no batch is ever left open with nobody to end it.
struct Held(Option<Guard>);

impl Held {
    fn batch(&mut self) -> &mut Batch {
        self.0.as_mut().and_then(|g| g.as_mut()).expect("an open batch")
    }

    fn take(mut self) -> Guard {
        self.0.take().expect("the writer held")
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Some(mut guard) = self.0.take()
            && let Some(b) = guard.take()
        {
            tracing::error!(members = b.members, "a SQLite write batch was abandoned; nothing of it was committed");
            let (conn, done) = b.into_parts();
            drop(conn.detach());
            done.send_replace(Some(Err("the write batch was abandoned".into())));
        }
    }
}

impl SqliteWriter {
    /// Takes the writer and opens this use case's savepoint (in the open batch, or
    /// a new one). With `alone`, or when the open batch is old, the batch is
    /// committed first: a long transaction (an import) does not hold up the
    /// answers of those before it.
    async fn open(&self, alone: bool) -> Result<Held> {
        let guard = {
            self.waiting.fetch_add(1, Ordering::SeqCst);
            let _waiting = Waiting(&self.waiting);
            tokio::time::timeout(self.acquire_timeout, self.batch.clone().lock_owned())
                .await
                .map_err(|_| crate::StoreError::from(sqlx::Error::PoolTimedOut))?
        };
        let mut held = Held(Some(guard));
        let guard = held.0.as_mut().expect("the writer held");
        if guard.as_ref().is_some_and(|b| b.members > 0 && (alone || b.opened.elapsed() >= BATCH_MAX_AGE)) {
            self.commit_batch(guard).await;
        }
        if guard.is_none() {
            let idle = self.idle.lock().expect("idle lock").take();
            let (direct, conn) = match idle {
                Some(Idle { direct, conn }) => (direct, conn),
                None => (None, self.pool.acquire().await?),
            };
            let (done, _) = tokio::sync::watch::channel(None);
            let mut b = Batch { id: 0, direct, conn, members: 0, opened: std::time::Instant::now(), done };
            if let Err(e) = b.exec("BEGIN").await {
                let (conn, _) = b.into_parts();
                conn.close().await.ok();
                return Err(e);
            }
            b.id = self.batches.fetch_add(1, Ordering::Relaxed);
            **guard = Some(b);
        }
        if let Err(e) = held.batch().exec("SAVEPOINT w").await {
            let b = held.0.as_mut().and_then(|g| g.take()).expect("an open batch");
            Self::fail(b, e.to_string()).await;
            return Err(e);
        }
        Ok(held)
    }

    /// Rolls a use case back to its savepoint, then lets the batch go on.
    async fn undo(&self, mut held: Held) {
        let b = held.batch();
        if let Err(e) = b.exec("ROLLBACK TO w; RELEASE w").await {
            let b = held.0.as_mut().and_then(|g| g.take()).expect("an open batch");
            Self::fail(b, e.to_string()).await;
        }
        self.finish(held.take()).await;
    }

    /// Releases a use case's savepoint, counts it in, then lets the batch go on.
    async fn release(&self, mut held: Held) {
        let b = held.batch();
        match b.exec("RELEASE w").await {
            Ok(()) => b.members += 1,
            Err(e) => {
                // The savepoint is gone: SQLite rolled the whole transaction back.
                let b = held.0.as_mut().and_then(|g| g.take()).expect("an open batch");
                Self::fail(b, e.to_string()).await;
            }
        }
        self.finish(held.take()).await;
    }
}

/// A write on SQLite: the writer held, inside a savepoint of the open batch. A write
/// is acknowledged only after the batch's `COMMIT` returned. Taking the writer,
/// releasing or rolling back the savepoint and committing run on tasks of their
/// own, so a request dropped midway (its client went away) never leaves the batch
/// half done for the others in it.
pub struct SqliteWrite {
    writer: Arc<SqliteWriter>,
    held: Option<Held>,
    /// Statements of this use case ran in place, and through sqlx.
    ran_in_place: bool,
    ran_through_sqlx: bool,
}

impl SqliteWrite {
    async fn begin(writer: &Arc<SqliteWriter>, alone: bool) -> Result<SqliteWrite> {
        let (send, receive) = tokio::sync::oneshot::channel();
        let w = writer.clone();
        tokio::spawn(async move {
            match w.open(alone).await {
                Ok(held) => {
                    if let Err(Ok(held)) = send.send(Ok(held)) {
                        // The caller went away meanwhile.
                        w.undo(held).await;
                    }
                }
                Err(e) => drop(send.send(Err(e))),
            }
        });
        let held =
            receive.await.map_err(|_| crate::StoreError::Unavailable("the writer could not be taken".into()))??;
        Ok(SqliteWrite { writer: writer.clone(), held: Some(held), ran_in_place: false, ran_through_sqlx: false })
    }

    #[doc(hidden)]
    pub fn conn(&mut self) -> &mut SqliteConnection {
        self.ran_through_sqlx = true;
        self.held.as_mut().expect("an open write transaction").batch().sqlx()
    }

    async fn direct(&mut self) -> Result<&rusqlite::Connection> {
        self.ran_in_place = true;
        let b = self.held.as_mut().expect("an open write transaction").batch();
        if b.direct.is_none() {
            self.writer.handle_takes.fetch_add(1, Ordering::Relaxed);
        }
        b.direct().await
    }

    async fn commit(mut self) -> Result<()> {
        let mut held = self.held.take().expect("an open write transaction");
        let b = held.batch();
        let batch_id = b.id;
        let mut done = b.done.subscribe();
        let writer = self.writer.clone();
        tokio::spawn(async move { writer.release(held).await });
        loop {
            if let Some(outcome) = done.borrow_and_update().clone() {
                return outcome.map_err(crate::StoreError::Unavailable);
            }
            match tokio::time::timeout(BATCH_WAIT_CHECK, done.changed()).await {
                Ok(Ok(())) => continue,
                Ok(Err(_)) => {
                    return Err(crate::StoreError::Unavailable("the write batch ended without an outcome".into()));
                }
                Err(_) => {
                    // Nobody committed it yet: if the batch is still open and
                    // nobody holds the writer, commit it now.
                    if let Ok(guard) = self.writer.batch.clone().try_lock_owned()
                        && guard.as_ref().is_some_and(|b| b.id == batch_id && b.members > 0)
                    {
                        let writer = self.writer.clone();
                        tokio::spawn(async move {
                            let mut held = Held(Some(guard));
                            writer.commit_batch(held.0.as_mut().expect("the writer held")).await;
                        });
                    }
                }
            }
        }
    }
}

impl Drop for SqliteWrite {
    fn drop(&mut self) {
        let Some(held) = self.held.take() else { return };
        // Dropped without commit: roll back to the savepoint before the writer
        // serves anyone else (nobody can take it while it is held). Without a
        // runtime, `held` ends the batch as it drops.
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            let writer = self.writer.clone();
            rt.spawn(async move { writer.undo(held).await });
        }
    }
}

/// Runs the same sqlx code on whichever backend `$tx` holds: `$conn` is bound to
/// `&mut SqliteConnection` or `&mut PgConnection` and `$body` is compiled for both.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {{
        let tx: &mut $crate::Tx = $tx;
        tx.flush().await?;
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
            $crate::TxConn::PostgresLater(_) => unreachable!("the flush begins the transaction"),
        }
    }};
}

impl Tx {
    /// Holds a write whose outcome nothing reads back, on PostgreSQL, to be sent
    /// with the others held before the next statement or the commit ([`Deferred`]);
    /// `bind` adds its values in the order of its placeholders; `write` says
    /// which table it writes and how. Only for PostgreSQL transactions.
    pub(crate) async fn defer(
        &mut self,
        sql: &str,
        write: HeldWrite,
        bind: impl FnOnce(&mut sqlx::postgres::PgArguments) -> std::result::Result<(), sqlx::error::BoxDynError>,
    ) -> Result<()> {
        if self.settled {
            return Err(settled());
        }
        if self.deferred.if_new && !sql.contains("new_lead") {
            return Err(sqlx::Error::Protocol("a write held on a new lead that does not read `new_lead`".into()).into());
        }
        if !matches!(self.conn, TxConn::Postgres(_) | TxConn::PostgresLater(_)) {
            // SQLite's writes run in place ([`Tx::direct`]); a read transaction writes nothing.
            return Err(sqlx::Error::Protocol("a write held for later outside a PostgreSQL transaction".into()).into());
        }
        let table = match write {
            HeldWrite::Insert(table) => table,
            HeldWrite::Rewrite(table) => {
                if self.deferred.tables.contains(&table) {
                    self.flush().await?;
                }
                table
            }
        };
        self.deferred.tables.push(table);
        self.deferred.held_if_new |= self.deferred.if_new;
        let offset = sqlx::Arguments::len(&self.deferred.args);
        bind(&mut self.deferred.args).map_err(sqlx::Error::Encode)?;
        self.deferred.parts.push(renumber(sql, offset));
        Ok(())
    }

    /// While `on`, each write held ([`Tx::defer`]) happens only if the next
    /// [`Tx::insert_deciding`] inserts its row: its SQL reads the one-row part
    /// `new_lead` of that statement (`... FROM new_lead`, see
    /// [`crate::sql::rows_if_new`]), and nothing else may send it.
    pub(crate) fn hold_if_new(&mut self, on: bool) {
        self.deferred.if_new = on;
    }

    /// Whether writes are held on a new lead now ([`Tx::hold_if_new`]).
    pub(crate) fn holding_if_new(&self) -> bool {
        self.deferred.if_new
    }

    /// Runs `sql`, an `INSERT ... ON CONFLICT DO NOTHING` of one row, on
    /// PostgreSQL, with the writes held so far carried along as its
    /// data-modifying `WITH` parts: one round trip for all (docs/PERFORMANCE.md,
    /// "The account row with the lead", "A new lead in one statement"). The
    /// writes held on its row ([`Tx::hold_if_new`]) read its part `new_lead`,
    /// one row when it inserted, none when the row was there. All parts of one
    /// statement see the same snapshot, so the writes held go first, as
    /// [`Tx::flush`], when they write a table in `touches` (the tables the
    /// statement reads or writes; writes held on its row cannot, and are
    /// refused); foreign keys are checked at the statement's end and do see
    /// them. The insert runs first; the parts it does not feed
    /// run after it, in the order they were held, so the insert locks its row
    /// before the carried writes lock theirs: callers carry only writes whose
    /// rows no other use case locks in the opposite order.
    ///
    /// `alone`: when nothing has been sent yet in a transaction begun lazily
    /// ([`Store::write_lazily`]), the statement runs with no `BEGIN`, committed
    /// on its own: the caller promises that if it inserts, the use case writes
    /// nothing more (the transaction then refuses any statement and its commit
    /// sends none), and that if it does not, the writes held before it (not on
    /// it) may stand alone. Returns whether it inserted.
    pub(crate) async fn insert_deciding(
        &mut self,
        sql: &str,
        touches: &[&str],
        alone: bool,
        bind: impl FnOnce(&mut sqlx::postgres::PgArguments) -> std::result::Result<(), sqlx::error::BoxDynError>,
    ) -> Result<bool> {
        if self.settled {
            return Err(settled());
        }
        if self.deferred.tables.iter().any(|t| touches.contains(t)) {
            self.flush().await?;
        }
        self.deferred.if_new = false;
        let Deferred { parts, mut args, .. } = std::mem::take(&mut self.deferred);
        let offset = sqlx::Arguments::len(&args);
        bind(&mut args).map_err(sqlx::Error::Encode)?;
        // In reverse, as in [`Tx::flush`]: they run in the order they were held,
        // after the insert, which the final `SELECT` runs first.
        let mut ctes = vec![format!("new_lead AS ({} RETURNING 1)", renumber(sql, offset))];
        ctes.extend(parts.iter().enumerate().rev().map(|(i, p)| format!("w{i} AS ({p})")));
        let sql = format!("WITH {} SELECT count(*) FROM new_lead", ctes.join(", "));
        let query = sqlx::query_scalar_with::<_, i64, _>(sqlx::AssertSqlSafe(sql), args);
        self.count_query();
        let inserted = match &mut self.conn {
            TxConn::PostgresLater(Some(c)) if alone => {
                // `fetch_one` reads up to the server's ReadyForQuery, which follows
                // the commit of a statement outside a transaction: the use case is
                // durable when it returns.
                let n = query.fetch_one(&mut **c).await?;
                if n == 1 {
                    self.settled = true;
                    self.alone.fetch_add(1, Ordering::Relaxed);
                }
                n == 1
            }
            _ => {
                self.begun().await?;
                let TxConn::Postgres(t) = &mut self.conn else {
                    return Err(sqlx::Error::Protocol("an insert deciding a use case outside PostgreSQL".into()).into());
                };
                query.fetch_one(&mut **t).await? == 1
            }
        };
        Ok(inserted)
    }

    /// Sends `BEGIN` if the transaction was begun lazily and has not yet.
    async fn begun(&mut self) -> Result<()> {
        if self.settled {
            return Err(settled());
        }
        if let TxConn::PostgresLater(c) = &mut self.conn {
            let c = c.take().ok_or_else(|| sqlx::Error::Protocol("a transaction whose BEGIN failed".into()))?;
            self.conn = TxConn::Postgres(sqlx::Transaction::begin(c, None).await?);
        }
        Ok(())
    }

    /// Sends the writes held ([`Tx::defer`]), as one statement ([`on_tx!`] does
    /// before each statement, and the commit), the transaction's `BEGIN` first if
    /// it waits ([`Store::write_lazily`]): for a transaction that will be rolled
    /// back after its writes went out (a warm-up), and for tests.
    pub async fn flush(&mut self) -> Result<()> {
        self.begun().await?;
        if self.deferred.parts.is_empty() {
            return Ok(());
        }
        if self.deferred.held_if_new {
            return Err(sqlx::Error::Protocol("writes held on a new lead sent without its insert".into()).into());
        }
        // the writes held from now on are still held on a new lead, if they were
        let if_new = self.deferred.if_new;
        let Deferred { mut parts, args, .. } = std::mem::take(&mut self.deferred);
        self.deferred.if_new = if_new;
        let sql = if parts.len() == 1 {
            parts.pop().expect("one part")
        } else {
            // PostgreSQL runs a statement's data-modifying `WITH` parts last first
            // (an implementation's order, not a promise): listed in reverse they
            // run in the order they were held, so the rows are locked in the order
            // of the calls, as they were when each went alone, and no two use cases
            // lock the same rows in opposite orders.
            let ctes: Vec<String> = parts.iter().enumerate().rev().map(|(i, p)| format!("w{i} AS ({p})")).collect();
            format!("WITH {} SELECT 1", ctes.join(", "))
        };
        self.count_query();
        let TxConn::Postgres(t) = &mut self.conn else { unreachable!("deferred writes are PostgreSQL's") };
        sqlx::query_with(sqlx::AssertSqlSafe(sql), args).execute(&mut **t).await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self.conn {
            TxConn::Sqlite(_) | TxConn::SqliteWriter(_) => Backend::Sqlite,
            TxConn::Postgres(_) | TxConn::PostgresLater(_) => Backend::Postgres,
        }
    }

    /// On SQLite's writer, its connection for statements run in place, with no hop
    /// to sqlx's worker thread (the store functions of the capture path,
    /// [`crate::direct`]); `None` elsewhere, where sqlx runs the same SQL. Counts
    /// the statement as [`on_tx!`] does.
    pub(crate) async fn direct(&mut self) -> Result<Option<&rusqlite::Connection>> {
        match &mut self.conn {
            TxConn::SqliteWriter(w) => {
                self.queries.fetch_add(1, Ordering::Relaxed);
                Ok(Some(w.direct().await?))
            }
            _ => Ok(None),
        }
    }

    /// [`Store::access_writes`] now.
    pub fn access_writes(&self) -> u64 {
        self.access_writes.load(Ordering::SeqCst)
    }

    /// Notes that this transaction writes a sponsor, an event, a staff
    /// membership or a webhook endpoint: its commit counts in
    /// [`Store::access_writes`].
    pub(crate) fn writes_access(&mut self) {
        self.writes_access = true;
    }

    #[doc(hidden)]
    pub fn count_query(&self) {
        self.queries.fetch_add(1, Ordering::Relaxed);
    }

    pub async fn commit(self) -> Result<()> {
        let access = self.writes_access.then(|| self.access_writes.clone());
        let committed = self.commit_inner().await;
        if let Some(access) = access {
            // After the commit, or a commit whose outcome is unknown: a memo
            // filled before it may be stale from now on.
            access.fetch_add(1, Ordering::SeqCst);
        }
        committed
    }

    async fn commit_inner(self) -> Result<()> {
        match self.conn {
            TxConn::Sqlite(t) => t.commit().await?,
            TxConn::SqliteWriter(w) => {
                let all_in_place = w.ran_in_place && !w.ran_through_sqlx;
                w.commit().await?;
                if all_in_place {
                    self.in_place.fetch_add(1, Ordering::Relaxed);
                }
            }
            TxConn::PostgresLater(Some(_)) if self.deferred.parts.is_empty() => {
                // Nothing was sent but a statement of its own, or nothing at all:
                // nothing to commit.
                if self.settled {
                    crate::health::note_write_ok();
                }
            }
            TxConn::Postgres(_) | TxConn::PostgresLater(_) => {
                let mut tx = self;
                tx.flush().await?;
                let TxConn::Postgres(t) = tx.conn else { unreachable!("matched above") };
                t.commit().await?;
                crate::health::note_write_ok();
            }
        }
        Ok(())
    }
}

/// The error of a statement sent after its use case committed alone.
fn settled() -> crate::StoreError {
    sqlx::Error::Protocol("a statement after the use case committed on its own".into()).into()
}

/// How long a pooled PostgreSQL connection may sit idle before it is pinged on
/// its way out of the pool.
pub const POSTGRES_PING_AFTER_IDLE: Duration = Duration::from_secs(1);

/// Options for every PostgreSQL pool of the service: a connection is pinged on
/// its way out of the pool only when it sat idle for more than
/// [`POSTGRES_PING_AFTER_IDLE`], not on every acquire as sqlx does by default,
/// which cost a round trip per pool per capture (docs/DECISIONS.md, "Pooled
/// connections pinged only after a second idle"). A connection that fails its
/// ping is closed and the pool hands out another or opens one.
pub fn postgres_pool_options() -> PgPoolOptions {
    PgPoolOptions::new().test_before_acquire(false).before_acquire(|conn, meta| {
        Box::pin(async move {
            if meta.idle_for > POSTGRES_PING_AFTER_IDLE {
                sqlx::Connection::ping(conn).await?;
            }
            Ok(true)
        })
    })
}

impl Store {
    /// Connects to `url`: `sqlite://path/to/file.db` (created if missing) or
    /// `postgres://...`. Does not migrate; call [`Store::migrate`].
    pub async fn connect(url: &str, opts: &StoreOptions) -> Result<Store> {
        let pools = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let connect = PgConnectOptions::from_str(url)?;
            let volatile = postgres_pool_options()
                .max_connections(opts.max_connections.div_ceil(4).max(1))
                .acquire_timeout(Duration::from_secs(10))
                .connect_lazy_with(connect.clone().options([("synchronous_commit", "off")]));
            let pool = postgres_pool_options()
                .max_connections(opts.max_connections)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(connect)
                .await?;
            Pools::Postgres { pool, volatile }
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
            // The writer keeps its savepoints' journals in memory, and leaves the WAL's
            // copying to the checkpointer, which asks it to finish the job at
            // `sqlite_wal_restart_pages`; SQLite's own checkpoint at the writer's
            // commits stays as a net, at twice that (docs/PERFORMANCE.md,
            // "The WAL starts over seldom, just after a checkpointer's pass").
            let restart_pages = opts.sqlite_wal_restart_pages.clamp(1, MAX_WAL_RESTART_PAGES);
            let writer = SqlitePoolOptions::new()
                .max_connections(1)
                .acquire_timeout(acquire)
                .connect_with(
                    connect
                        .clone()
                        .pragma("temp_store", "memory")
                        .pragma("wal_autocheckpoint", (restart_pages.saturating_mul(2)).to_string()),
                )
                .await?;
            let reader = SqlitePoolOptions::new()
                .max_connections(opts.max_connections.max(2))
                .acquire_timeout(acquire)
                .connect_with(connect.clone().read_only(true))
                .await?;
            let file = connect.get_filename().to_path_buf();
            let writer = Arc::new(SqliteWriter::new(writer, acquire));
            spawn_checkpointer(file.clone(), opts.sqlite_busy_timeout, restart_pages, Arc::downgrade(&writer));
            Pools::Sqlite { writer, reader, file, busy_timeout: opts.sqlite_busy_timeout }
        } else {
            return Err(sqlx::Error::Configuration(
                format!("unsupported database URL scheme (want sqlite:// or postgres://): {}", redact_url(url)).into(),
            )
            .into());
        };
        Ok(Store {
            pools: Arc::new(pools),
            queries: Arc::new(AtomicU64::new(0)),
            in_place: Arc::new(AtomicU64::new(0)),
            access_writes: Arc::new(AtomicU64::new(0)),
            alone: Arc::new(AtomicU64::new(0)),
        })
    }

    pub fn backend(&self) -> Backend {
        match &*self.pools {
            Pools::Sqlite { .. } => Backend::Sqlite,
            Pools::Postgres { .. } => Backend::Postgres,
        }
    }

    /// A SQLite store's file and busy timeout, for a read on a connection of its
    /// own outside the pools (docs/PERFORMANCE.md, "One query per export").
    pub(crate) fn sqlite_file(&self) -> Option<(&std::path::Path, Duration)> {
        match &*self.pools {
            Pools::Sqlite { file, busy_timeout, .. } => Some((file, *busy_timeout)),
            Pools::Postgres { .. } => None,
        }
    }

    /// How many connections PostgreSQL's pool of use cases holds at most; `None`
    /// on SQLite.
    pub fn postgres_pool_size(&self) -> Option<u32> {
        match &*self.pools {
            Pools::Sqlite { .. } => None,
            Pools::Postgres { pool, .. } => Some(pool.options().get_max_connections()),
        }
    }

    /// PostgreSQL's pool of connections that commit without waiting for the
    /// WAL's flush (see [`Pools::Postgres`]).
    pub(crate) fn volatile_pool(&self) -> Option<&PgPool> {
        match &*self.pools {
            Pools::Sqlite { .. } => None,
            Pools::Postgres { volatile, .. } => Some(volatile),
        }
    }

    /// The backend process ids of the PostgreSQL connections idle in the pools
    /// (both), for tests that end them from outside.
    #[doc(hidden)]
    pub async fn postgres_idle_backend_pids(&self) -> Result<Vec<i32>> {
        let Pools::Postgres { pool, volatile } = &*self.pools else { return Ok(Vec::new()) };
        let mut held = Vec::new();
        for p in [pool, volatile] {
            while let Some(c) = p.try_acquire() {
                held.push(c);
            }
        }
        let mut pids = Vec::new();
        for c in &mut held {
            pids.push(sqlx::query_scalar::<_, i32>("SELECT pg_backend_pid()").fetch_one(&mut **c).await?);
        }
        Ok(pids)
    }

    /// The statements prepared on each connection idle in PostgreSQL's pools:
    /// the use cases' pool's first, then the pool of [`Store::volatile_pool`]'s.
    /// For tests (the warm-up at start).
    #[doc(hidden)]
    pub async fn postgres_idle_prepared_statements(&self) -> Result<[Vec<Vec<String>>; 2]> {
        let Pools::Postgres { pool, volatile } = &*self.pools else { return Ok([Vec::new(), Vec::new()]) };
        let mut out = [Vec::new(), Vec::new()];
        for (p, found) in [pool, volatile].into_iter().zip(&mut out) {
            let mut held = Vec::new();
            while let Some(c) = p.try_acquire() {
                held.push(c);
            }
            for c in &mut held {
                found.push(
                    sqlx::query_scalar::<_, String>("SELECT statement FROM pg_prepared_statements")
                        .persistent(false)
                        .fetch_all(&mut **c)
                        .await?,
                );
            }
        }
        Ok(out)
    }

    /// Counts a statement run outside [`on_tx!`].
    pub(crate) fn count_query(&self) {
        self.queries.fetch_add(1, Ordering::Relaxed);
    }

    /// Applies the pending versioned migrations of this backend.
    pub async fn migrate(&self) -> Result<()> {
        match &*self.pools {
            Pools::Sqlite { writer, .. } => {
                // The writer's connection goes back to the pool for the migrations:
                // an open batch commits first, a kept connection is given back.
                let mut held = Held(Some(writer.batch.clone().lock_owned().await));
                writer.commit_batch(held.0.as_mut().expect("the writer held")).await;
                writer.release_idle();
                SQLITE_MIGRATIONS.run(&writer.pool).await?;
                drop(held);
            }
            Pools::Postgres { pool, .. } => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// Statements run so far through this store's transactions.
    pub fn queries_executed(&self) -> u64 {
        self.queries.load(Ordering::Relaxed)
    }

    /// Write transactions committed on SQLite whose every statement ran in place,
    /// none through sqlx's worker thread (docs/PERFORMANCE.md, "A capture in place
    /// on SQLite's writer"); always 0 on PostgreSQL.
    pub fn writes_in_place(&self) -> u64 {
        self.in_place.load(Ordering::Relaxed)
    }

    /// Use cases on PostgreSQL committed by one statement of their own, with no
    /// `BEGIN` or `COMMIT` ([`Tx::insert_deciding`]); always 0 on SQLite.
    pub fn committed_alone(&self) -> u64 {
        self.alone.load(Ordering::Relaxed)
    }

    /// How many transactions of this store that wrote a sponsor, an event, a
    /// staff membership or a webhook endpoint have committed: a memo of those
    /// records read before a change of this count may be stale (the capture's
    /// context, docs/DECISIONS.md, "The capture's context remembered").
    pub fn access_writes(&self) -> u64 {
        self.access_writes.load(Ordering::SeqCst)
    }

    fn tx(&self, conn: TxConn) -> Tx {
        Tx {
            conn,
            queries: self.queries.clone(),
            in_place: self.in_place.clone(),
            deferred: Deferred::default(),
            access_writes: self.access_writes.clone(),
            writes_access: false,
            alone: self.alone.clone(),
            settled: false,
        }
    }

    /// A transaction for a use case that only reads.
    pub async fn read(&self) -> Result<Tx> {
        Ok(self.tx(match &*self.pools {
            Pools::Sqlite { reader, .. } => TxConn::Sqlite(reader.begin().await?),
            Pools::Postgres { pool, .. } => TxConn::Postgres(pool.begin().await?),
        }))
    }

    /// A transaction for a use case that writes.
    pub async fn write(&self) -> Result<Tx> {
        Ok(self.tx(match &*self.pools {
            // The single writer connection makes a deferred BEGIN safe: no other
            // writer can take the lock between our first read and first write.
            Pools::Sqlite { writer, .. } => TxConn::SqliteWriter(SqliteWrite::begin(writer, false).await?),
            Pools::Postgres { pool, .. } => TxConn::Postgres(pool.begin().await?),
        }))
    }

    /// A transaction for a use case that writes and may be one statement: on
    /// PostgreSQL its `BEGIN` waits for its first statement, and an insert sent
    /// first with `alone` ([`Tx::insert_deciding`]) commits on its own
    /// (docs/PERFORMANCE.md, "A new lead in one statement"). On SQLite, as
    /// [`Store::write`].
    pub async fn write_lazily(&self) -> Result<Tx> {
        Ok(self.tx(match &*self.pools {
            Pools::Sqlite { writer, .. } => TxConn::SqliteWriter(SqliteWrite::begin(writer, false).await?),
            Pools::Postgres { pool, .. } => TxConn::PostgresLater(Some(pool.acquire().await?)),
        }))
    }

    /// A transaction for a use case that writes much, or for long (an import): on
    /// SQLite the batch open before it commits first, so that the answers of the
    /// use cases in it do not wait for this one (docs/ARCHITECTURE.md, "Choices
    /// worth knowing").
    pub async fn write_alone(&self) -> Result<Tx> {
        Ok(self.tx(match &*self.pools {
            Pools::Sqlite { writer, .. } => TxConn::SqliteWriter(SqliteWrite::begin(writer, true).await?),
            Pools::Postgres { pool, .. } => TxConn::Postgres(pool.begin().await?),
        }))
    }

    /// SQLite's write batches begun so far (each one `BEGIN` ... `COMMIT` shared by
    /// the use cases that queued meanwhile); `None` on PostgreSQL.
    pub fn write_batches(&self) -> Option<u64> {
        match &*self.pools {
            Pools::Sqlite { writer, .. } => Some(writer.batches.load(Ordering::Relaxed)),
            Pools::Postgres { .. } => None,
        }
    }

    /// Times SQLite's writer took its connection's handle from sqlx's worker to
    /// run statements in place; `None` on PostgreSQL.
    pub fn handle_takes(&self) -> Option<u64> {
        match &*self.pools {
            Pools::Sqlite { writer, .. } => Some(writer.handle_takes.load(Ordering::Relaxed)),
            Pools::Postgres { .. } => None,
        }
    }

    /// Times SQLite's writer, asked by the checkpointer, copied the whole WAL
    /// after a batch so that the next one starts it over; `None` on PostgreSQL.
    pub fn wal_restarts(&self) -> Option<u64> {
        match &*self.pools {
            Pools::Sqlite { writer, .. } => Some(writer.wal_restarts.load(Ordering::Relaxed)),
            Pools::Postgres { .. } => None,
        }
    }

    /// Write transactions waiting for SQLite's writer now (0 on PostgreSQL).
    pub fn writers_waiting(&self) -> usize {
        match &*self.pools {
            Pools::Sqlite { writer, .. } => writer.waiting.load(Ordering::SeqCst),
            Pools::Postgres { .. } => 0,
        }
    }

    /// Checks that the database answers (for /readyz).
    pub async fn ping(&self) -> Result<()> {
        match &*self.pools {
            Pools::Sqlite { reader, .. } => sqlx::query("SELECT 1").execute(reader).await?.rows_affected(),
            Pools::Postgres { pool, .. } => sqlx::query("SELECT 1").execute(pool).await?.rows_affected(),
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
                // Marked closed at once, so no batch from now on keeps the
                // connection out of the pool (`keep`), which the close waits for.
                let closing = writer.pool.close();
                // An open batch (its members waiting) commits before the pool closes.
                if let Ok(guard) = tokio::time::timeout(writer.acquire_timeout, writer.batch.clone().lock_owned()).await
                {
                    let mut held = Held(Some(guard));
                    writer.commit_batch(held.0.as_mut().expect("the writer held")).await;
                    writer.release_idle();
                }
                closing.await;
            }
            Pools::Postgres { pool, volatile } => {
                volatile.close().await;
                pool.close().await;
            }
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

    #[test]
    fn renumbers_placeholders_outside_quotes() {
        assert_eq!(super::renumber("VALUES ($1, $2, '$1', $10)", 3), "VALUES ($4, $5, '$1', $13)");
        assert_eq!(super::renumber("a = $1 AND b = 'it''s $2' OR c = $2", 0), "a = $1 AND b = 'it''s $2' OR c = $2");
        assert_eq!(super::renumber("SELECT $ || $9", 1), "SELECT $ || $10");
    }
}
