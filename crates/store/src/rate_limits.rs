//! Token buckets in the database (PostgreSQL): one row per limit and key.

use crate::{Result, Tx, on_tx};
use chrono::{DateTime, Utc};

/// Takes up to `$5` tokens from bucket `$1` (created full with `$2`, refilled at
/// `$3` a second up to `$2`) at `$4`: as many as are whole in it, up to `$5`, or
/// none when not one is. `granted` says how many were taken: what the bucket had
/// and has cannot tell it apart (docs/DECISIONS.md, "Rate limits on PostgreSQL").
const TAKE: &str = "INSERT INTO rate_limits (bucket, tokens, updated_at, granted)
    VALUES ($1, $2::float8 - LEAST($5::float8, FLOOR($2::float8)), $4, LEAST($5::float8, FLOOR($2::float8)))
    ON CONFLICT (bucket) DO UPDATE SET (tokens, granted, updated_at) = (
      SELECT CASE WHEN a >= 1 THEN a - LEAST($5::float8, FLOOR(a)) ELSE GREATEST(a - 1, -1) END,
             CASE WHEN a >= 1 THEN LEAST($5::float8, FLOOR(a)) ELSE 0 END,
             $4
      FROM (SELECT LEAST($2::float8, rate_limits.tokens
              + EXTRACT(EPOCH FROM ($4 - rate_limits.updated_at)) * $3::float8) AS a) refilled)
    RETURNING tokens, granted";

/// What a take of a bucket gave.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Take {
    /// This many tokens (at least one): the request passes, and may keep the rest.
    Granted(u32),
    /// None: the seconds until one will be there.
    Wait(f64),
}

impl Take {
    fn of((left, granted): (f64, f64), per_second: f64) -> Take {
        if granted >= 1.0 { Take::Granted(granted as u32) } else { Take::Wait((-left).max(0.0) / per_second) }
    }
}

/// Takes one token from `bucket` (created full), refilled at `per_second` up to
/// `capacity`. `None` when a token was there; else the seconds until one will be.
/// A refused request leaves the bucket at -1 at most, so a flood does not push the
/// next token further away.
pub async fn take(
    tx: &mut Tx,
    bucket: &str,
    capacity: f64,
    per_second: f64,
    now: DateTime<Utc>,
) -> Result<Option<f64>> {
    let row: (f64, f64) = on_tx!(tx, c => sqlx::query_as::<_, (f64, f64)>(TAKE)
        .bind(bucket).bind(capacity).bind(per_second).bind(now).bind(1.0).fetch_one(c).await?);
    Ok(match Take::of(row, per_second) {
        Take::Granted(_) => None,
        Take::Wait(wait) => Some(wait),
    })
}

/// Takes up to `at_most` tokens (at least one, or none) as one statement of its
/// own, committed without waiting for the WAL's flush (PostgreSQL; `None` on
/// SQLite, whose limits live in memory): the bucket's row is locked for that
/// statement alone, not for a use case's whole transaction, so one caller's
/// requests do not queue behind each other's commits. A crash may forget the
/// last tokens taken, which costs nothing worth a flush (docs/DECISIONS.md,
/// "Rate limits on PostgreSQL").
pub async fn take_now(
    store: &crate::Store,
    bucket: &str,
    capacity: f64,
    per_second: f64,
    at_most: u32,
    now: DateTime<Utc>,
) -> Result<Option<Take>> {
    let Some(pool) = store.volatile_pool() else { return Ok(None) };
    store.count_query();
    let row: (f64, f64) = sqlx::query_as(TAKE)
        .bind(bucket)
        .bind(capacity)
        .bind(per_second)
        .bind(now)
        .bind(f64::from(at_most.max(1)))
        .fetch_one(pool)
        .await?;
    Ok(Some(Take::of(row, per_second)))
}

/// Readies every connection of the pool [`take_now`] uses (PostgreSQL; nothing
/// on SQLite): each takes a token from a bucket of its own inside a transaction
/// that is rolled back, so that the statement is prepared and the backend has
/// read its catalogs before the first request needs it. Holds every connection
/// while it runs, so that each is readied. Returns how many were.
pub async fn warm_up(store: &crate::Store, now: DateTime<Utc>) -> Result<usize> {
    let Some(pool) = store.volatile_pool() else { return Ok(0) };
    let mut held = Vec::new();
    for i in 0..pool.options().get_max_connections() {
        let mut t = pool.begin().await?;
        // a bucket each, of this start alone: two uncommitted takes of one
        // bucket would wait for each other, here or on another instance
        let bucket = format!("warm-up {i} {}", sponsorhub_domain::new_id());
        sqlx::query_as::<_, (f64, f64)>(TAKE)
            .bind(bucket)
            .bind(1.0)
            .bind(1.0)
            .bind(now)
            .bind(1.0)
            .fetch_one(&mut *t)
            .await?;
        held.push(t);
    }
    // each rolls back as it drops
    Ok(held.len())
}

/// Forgets buckets untouched since `before` (they are full again).
pub async fn sweep(tx: &mut Tx, before: DateTime<Utc>) -> Result<u64> {
    let sql = "DELETE FROM rate_limits WHERE updated_at < $1";
    Ok(on_tx!(tx, c => sqlx::query(sql).bind(before).execute(c).await?.rows_affected()))
}
