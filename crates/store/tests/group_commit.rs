//! Group commit on SQLite (docs/PERFORMANCE.md, "Group commit on SQLite"): write
//! transactions that queue while one runs share its `COMMIT`, each in a savepoint,
//! so one that fails leaves the others' rows in place; none is acknowledged before
//! the shared commit.

use sponsorhub_store::{Store, StoreOptions, Tx, accounts, on_tx};
use std::time::Duration;

/// A store on a SQLite file of its own, in a directory the test removes.
/// `on_tx!` in a function that does not return the store's `Result` (it sends the
/// transaction's held writes first, which may fail).
macro_rules! in_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        (async { Ok::<_, sponsorhub_store::StoreError>(on_tx!($tx, $c => $body)) }).await.unwrap()
    };
}

async fn open(opts: &StoreOptions) -> (Store, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("sponsorhub-group-commit-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::connect(&format!("sqlite://{}/t.db", dir.display()), opts).await.unwrap();
    (store, dir)
}

/// A store with the project's schema.
async fn migrated(opts: &StoreOptions) -> (Store, std::path::PathBuf) {
    let (store, dir) = open(opts).await;
    store.migrate().await.unwrap();
    (store, dir)
}

/// A store with one table, `t`.
async fn store() -> (Store, std::path::PathBuf) {
    let (store, dir) = open(&StoreOptions::default()).await;
    let mut tx = store.write().await.unwrap();
    in_tx!(&mut tx, c => sqlx::query("CREATE TABLE t (n INTEGER PRIMARY KEY)").execute(c).await.unwrap().rows_affected());
    tx.commit().await.unwrap();
    (store, dir)
}

async fn insert(tx: &mut Tx, n: i64) -> Result<(), sqlx::Error> {
    in_tx!(tx, c => sqlx::query("INSERT INTO t (n) VALUES ($1)").bind(n).execute(c).await.map(|_| ()))
}

async fn rows(store: &Store) -> Vec<i64> {
    let mut tx = store.read().await.unwrap();
    in_tx!(&mut tx, c => sqlx::query_scalar("SELECT n FROM t ORDER BY n").fetch_all(c).await.unwrap())
}

/// The rows of `big` ([`write_blobs`]), read in `tx`.
async fn blobs(tx: &mut Tx) -> i64 {
    in_tx!(tx, c => sqlx::query_scalar("SELECT count(*) FROM big").fetch_one(c).await.unwrap())
}

/// A table `big` of `n` rows of 16 KB, written in one transaction.
async fn write_blobs(store: &Store, n: usize) {
    let mut tx = store.write().await.unwrap();
    in_tx!(&mut tx, c => sqlx::query("CREATE TABLE big (b BLOB)").execute(c).await.unwrap().rows_affected());
    for _ in 0..n {
        in_tx!(&mut tx, c => sqlx::query("INSERT INTO big (b) VALUES (randomblob(16000))").execute(c).await.unwrap().rows_affected());
    }
    tx.commit().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_writes_share_one_commit_and_a_failed_one_leaves_the_others() {
    let (store, dir) = store().await;
    let before = store.write_batches().unwrap();
    // One write holds the writer while twenty queue behind it.
    let mut first = store.write().await.unwrap();
    insert(&mut first, 0).await.unwrap();
    let mut tasks = Vec::new();
    for n in 1..=20i64 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = store.write().await?;
            match n {
                // a statement that fails (the key is taken): the use case gives up
                7 => {
                    insert(&mut tx, 1).await.map(|_| ()).ok();
                    insert(&mut tx, 0).await?;
                    unreachable!("0 is taken")
                }
                // a use case that writes, then drops its transaction
                13 => {
                    insert(&mut tx, 13).await?;
                    drop(tx);
                    Ok(false)
                }
                _ => {
                    insert(&mut tx, n).await?;
                    tx.commit().await?;
                    Ok::<bool, sponsorhub_store::StoreError>(true)
                }
            }
        }));
    }
    for _ in 0..500 {
        if store.writers_waiting() == 20 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(store.writers_waiting(), 20, "the twenty writes queue for the writer");
    // Not committed yet: a reader does not see it.
    assert!(rows(&store).await.is_empty());
    first.commit().await.unwrap();
    let mut committed = 1;
    for (i, t) in tasks.into_iter().enumerate() {
        match t.await.unwrap() {
            Ok(true) => committed += 1,
            Ok(false) => assert_eq!(i + 1, 13),
            Err(_) => assert_eq!(i + 1, 7),
        }
    }
    assert_eq!(committed, 19);
    let expected: Vec<i64> = (0..=20).filter(|n| *n != 7 && *n != 13).collect();
    // Task 7's first row (1) failed as well: 1 belongs to task 1 alone.
    assert_eq!(rows(&store).await, expected, "every committed write, nothing of the failed ones");
    let batches = store.write_batches().unwrap() - before;
    assert!(batches < 19, "19 commits in {batches} batches: queued writes share a commit");
    store.close().await;
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_alone_commits_at_once() {
    let (store, dir) = store().await;
    let mut tx = store.write().await.unwrap();
    insert(&mut tx, 5).await.unwrap();
    tx.commit().await.unwrap();
    // Acknowledged means committed: a reader on another connection sees it.
    assert_eq!(rows(&store).await, vec![5]);
    // A dropped write leaves nothing, and the writer serves the next one.
    let mut tx = store.write().await.unwrap();
    insert(&mut tx, 6).await.unwrap();
    drop(tx);
    let mut tx = store.write().await.unwrap();
    insert(&mut tx, 7).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(rows(&store).await, vec![5, 7]);
    store.close().await;
    std::fs::remove_dir_all(dir).ok();
}

/// A request dropped while it waits for the writer, or while it holds it, leaves
/// neither the batch half done nor the writer taken: the others commit, and the
/// store closes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_requests_leave_nothing_behind() {
    let (store, dir) = store().await;
    let mut first = store.write().await.unwrap();
    insert(&mut first, 1).await.unwrap();
    // One waits for the writer and is dropped while it waits...
    let waiting = {
        let store = store.clone();
        tokio::spawn(async move {
            let mut tx = store.write().await.unwrap();
            insert(&mut tx, 2).await.unwrap();
            tx.commit().await.unwrap();
        })
    };
    // ...one takes it after and is dropped while it holds it...
    let holding = {
        let store = store.clone();
        tokio::spawn(async move {
            let mut tx = store.write().await.unwrap();
            insert(&mut tx, 3).await.unwrap();
            std::future::pending::<()>().await;
        })
    };
    let last = {
        let store = store.clone();
        tokio::spawn(async move {
            let mut tx = store.write().await.unwrap();
            insert(&mut tx, 4).await.unwrap();
            tx.commit().await.unwrap();
        })
    };
    for _ in 0..500 {
        if store.writers_waiting() == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(store.writers_waiting(), 3);
    waiting.abort();
    // Past the batch's 10 ms, so the first commits at once: had it left its batch
    // open, its answer would wait for the one that holds the writer next, which
    // here holds it until it is dropped (docs/DECISIONS.md, "Group commit").
    tokio::time::sleep(Duration::from_millis(20)).await;
    tokio::time::timeout(Duration::from_secs(10), first.commit()).await.expect("the first commits").unwrap();
    for _ in 0..500 {
        // the first's batch went on to the one holding it; the last one waits
        if store.writers_waiting() <= 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    holding.abort();
    tokio::time::timeout(Duration::from_secs(10), last).await.expect("the last write commits").unwrap();
    assert_eq!(rows(&store).await, vec![1, 4], "what was acknowledged, nothing of the dropped ones");
    tokio::time::timeout(Duration::from_secs(10), store.close()).await.expect("the store closes");
    std::fs::remove_dir_all(dir).ok();
}

/// A long write (an import) taken with `write_alone` commits the batch before it
/// first: those in it are answered without waiting for the long one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_alone_does_not_hold_up_the_batch_before_it() {
    let (store, dir) = store().await;
    let mut first = store.write().await.unwrap();
    insert(&mut first, 1).await.unwrap();
    let (started, is_started) = tokio::sync::oneshot::channel();
    let (finish, may_finish) = tokio::sync::oneshot::channel::<()>();
    let long = {
        let store = store.clone();
        tokio::spawn(async move {
            let mut tx = store.write_alone().await.unwrap();
            insert(&mut tx, 2).await.unwrap();
            started.send(()).unwrap();
            may_finish.await.unwrap();
            tx.commit().await.unwrap();
        })
    };
    // (polled without sleeping: the first's batch must still be young, under
    // the 10 ms after which it would commit at once anyway)
    for _ in 0..1_000_000 {
        if store.writers_waiting() == 1 {
            break;
        }
        tokio::task::yield_now().await;
    }
    assert_eq!(store.writers_waiting(), 1);
    // The long one waits for the writer, so the first leaves its batch open...
    tokio::time::timeout(Duration::from_secs(10), first.commit())
        .await
        .expect("the first write is answered while the long one still runs")
        .unwrap();
    is_started.await.unwrap();
    assert_eq!(rows(&store).await, vec![1], "committed before the long one");
    finish.send(()).unwrap();
    long.await.unwrap();
    assert_eq!(rows(&store).await, vec![1, 2]);
    store.close().await;
    std::fs::remove_dir_all(dir).ok();
}

/// The WAL is checkpointed off the writer (docs/PERFORMANCE.md, "Checkpoints off
/// the writer"): committed pages reach the database file within moments, though
/// the writer itself would checkpoint only past 1,000 pages of WAL (these are
/// about 200).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checkpointer_copies_the_wal_into_the_database() {
    let (store, dir) = store().await;
    let file = dir.join("t.db");
    let size = || std::fs::metadata(&file).unwrap().len();
    let before = size();
    write_blobs(&store, 50).await;
    let started = std::time::Instant::now();
    while size() < before + 700_000 && started.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(size() >= before + 700_000, "the database file holds the 800 KB written: {before} → {}", size());
    // SQLite's own checkpoint at the writer's commits is only a net, at twice the
    // pages past which the checkpointer asks the writer to start the WAL over
    // (docs/PERFORMANCE.md, "The WAL starts over seldom, just after a
    // checkpointer's pass")
    let mut tx = store.write().await.unwrap();
    let threshold: i64 =
        in_tx!(&mut tx, c => sqlx::query_scalar("PRAGMA wal_autocheckpoint").fetch_one(c).await.unwrap());
    assert_eq!(threshold, 100_000);
    tx.commit().await.unwrap();
    store.close().await;
    std::fs::remove_dir_all(dir).ok();
}

/// Under writes that never pause, a pass of the checkpointer never finds the WAL
/// quiet enough to copy all of it, so the WAL would not start over before the
/// writer's own net: past the restart threshold the checkpointer asks the writer,
/// which copies the rest right after answering a batch, and the WAL starts over
/// (docs/PERFORMANCE.md, "The WAL starts over seldom, just after a
/// checkpointer's pass"). Writes in place and through sqlx both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_its_threshold_the_wal_starts_over_under_steady_writes() {
    let opts = StoreOptions { sqlite_wal_restart_pages: 16, ..StoreOptions::default() };
    let (store, dir) = migrated(&opts).await;
    let restarts = || store.wal_restarts().unwrap();
    assert_eq!(restarts(), 0);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut tasks = Vec::new();
    for t in 0..4 {
        let (store, stop) = (store.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let mut tx = store.write().await.unwrap();
                let id = uuid::Uuid::now_v7();
                let email = format!("u{t}-{n}@x.io");
                if t % 2 == 0 {
                    accounts::insert_user_if_absent(&mut tx, id, &email, "U", chrono::Utc::now()).await.unwrap();
                } else {
                    in_tx!(&mut tx, c => sqlx::query("CREATE TABLE IF NOT EXISTS big (b BLOB)").execute(c).await.unwrap().rows_affected());
                    in_tx!(&mut tx, c => sqlx::query("INSERT INTO big (b) VALUES (randomblob(8000))").execute(c).await.unwrap().rows_affected());
                }
                tx.commit().await.unwrap();
                n += 1;
            }
            n
        }));
    }
    let started = std::time::Instant::now();
    while restarts() < 3 && started.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut written = 0;
    for t in tasks {
        written += t.await.unwrap();
    }
    assert!(restarts() >= 3, "the writer started the WAL over {} times in {written} writes", restarts());
    // nothing was lost on the way
    let mut tx = store.read().await.unwrap();
    let (users, blobs): (i64, i64) = in_tx!(&mut tx, c => sqlx::query_as(
        "SELECT (SELECT count(*) FROM users WHERE email LIKE 'u%@x.io'), (SELECT count(*) FROM big)"
    ).fetch_one(c).await.unwrap());
    assert_eq!((users + blobs) as u64, written);
    drop(tx);
    store.close().await;
    std::fs::remove_dir_all(dir).ok();
}

/// What a burst of writes left in the WAL file is cut back after a second with no
/// write (SQLite itself never shortens the file): a WAL kept at its longest would
/// hold up to the restart threshold's pages on disk for good.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_wal_is_cut_back_when_writes_pause() {
    let (store, dir) = store().await;
    let wal = dir.join("t.db-wal");
    write_blobs(&store, 400).await;
    let size = || std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert!(size() > 4 << 20, "the WAL holds the 6.4 MB written: {} bytes", size());
    let started = std::time::Instant::now();
    while size() > 4 << 20 && started.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(size() <= 4 << 20, "the WAL file was cut back: {} bytes", size());
    let mut tx = store.read().await.unwrap();
    assert_eq!(blobs(&mut tx).await, 400);
    drop(tx);
    store.close().await;
    std::fs::remove_dir_all(dir).ok();
}

/// Cutting the WAL back never comes between a batch's first read and its first
/// write: it rewrites the WAL's header, and SQLite refuses a write to a
/// transaction that began reading before that (`SQLITE_BUSY_SNAPSHOT`), which
/// would fail the use case. A write that reads, then waits past the second after
/// which a long WAL is cut back, still writes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cutting_the_wal_back_never_fails_an_open_write() {
    let (store, dir) = store().await;
    write_blobs(&store, 400).await;
    // all of it copied (as the checkpointer does too), so the next read uses the
    // database file and does not keep the WAL from being cut
    let side = rusqlite::Connection::open(dir.join("t.db")).unwrap();
    let all_copied = || {
        let (busy, log, copied): (i64, i64, i64) =
            side.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap();
        busy == 0 && log == copied
    };
    let started = std::time::Instant::now();
    while !all_copied() && started.elapsed() < Duration::from_secs(5) {
        // the checkpointer is copying just now
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(all_copied(), "the WAL copied into the database");
    drop(side);
    let mut tx = store.write().await.unwrap();
    assert_eq!(blobs(&mut tx).await, 400);
    tokio::time::sleep(Duration::from_millis(1_800)).await;
    insert(&mut tx, 1).await.expect("the open write still writes");
    tx.commit().await.unwrap();
    assert_eq!(rows(&store).await, vec![1]);
    store.close().await;
    std::fs::remove_dir_all(dir).ok();
}

/// The writer keeps its connection between batches, its handle and statements
/// with it (docs/PERFORMANCE.md, "Checkpoints off the writer"): write after write
/// of statements run in place takes the handle from sqlx's worker once, until a
/// statement through sqlx takes it back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_writer_keeps_its_connection_between_batches() {
    let (store, dir) = migrated(&StoreOptions::default()).await;
    let now = chrono::Utc::now();
    let takes = || store.handle_takes().unwrap();
    let before = takes();
    for n in 0..5 {
        let mut tx = store.write().await.unwrap();
        let id = uuid::Uuid::now_v7();
        assert!(accounts::insert_user_if_absent(&mut tx, id, &format!("u{n}@x.io"), "U", now).await.unwrap());
        tx.commit().await.unwrap();
    }
    assert!(store.write_batches().unwrap() >= 5, "five commits, each its own batch");
    assert_eq!(takes() - before, 1, "the handle was taken once for five batches");
    assert_eq!(store.writes_in_place(), 5);
    // a statement through sqlx gives it back; the next in place takes it again
    let mut tx = store.write().await.unwrap();
    in_tx!(&mut tx, c => sqlx::query("SELECT 1").execute(c).await.unwrap().rows_affected());
    tx.commit().await.unwrap();
    let mut tx = store.write().await.unwrap();
    accounts::insert_user_if_absent(&mut tx, uuid::Uuid::now_v7(), "v@x.io", "V", now).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(takes() - before, 2);
    store.close().await;
    std::fs::remove_dir_all(dir).ok();
}

/// Closing the store while a write outlasts the wait for the writer still ends:
/// the write's connection, which the writer would keep for the next batch, goes
/// back to the closing pool (a review found the close waiting for it forever).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_waits_for_no_kept_connection() {
    let opts = StoreOptions { sqlite_busy_timeout: Duration::from_millis(10), ..StoreOptions::default() };
    let (store, dir) = migrated(&opts).await;
    let mut tx = store.write().await.unwrap();
    accounts::insert_user_if_absent(&mut tx, uuid::Uuid::now_v7(), "u@x.io", "U", chrono::Utc::now()).await.unwrap();
    let closing = tokio::spawn({
        let store = store.clone();
        async move { store.close().await }
    });
    // the close gives up waiting for the writer (after 10 s), then the write commits
    tokio::time::sleep(opts.sqlite_busy_timeout + Duration::from_millis(10_500)).await;
    assert!(!closing.is_finished(), "the close waits for the write's connection");
    tx.commit().await.unwrap();
    tokio::time::timeout(Duration::from_secs(30), closing).await.expect("the store closes").unwrap();
    std::fs::remove_dir_all(dir).ok();
}
