//! Token buckets in the database (PostgreSQL): one row per limit and key.

use crate::{Result, Tx, on_tx};
use chrono::{DateTime, Utc};

const TAKE: &str = "INSERT INTO rate_limits (bucket, tokens, updated_at) VALUES ($1, $2::float8 - 1, $4)
    ON CONFLICT (bucket) DO UPDATE SET
      tokens = GREATEST(LEAST($2::float8, rate_limits.tokens
               + EXTRACT(EPOCH FROM ($4 - rate_limits.updated_at)) * $3::float8) - 1, -1),
      updated_at = $4
    RETURNING tokens";

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
    let left: f64 = on_tx!(tx, c => sqlx::query_scalar::<_, f64>(TAKE)
        .bind(bucket).bind(capacity).bind(per_second).bind(now).fetch_one(c).await?);
    Ok((left < 0.0).then(|| (-left) / per_second))
}

/// [`take`] as one statement of its own, committed without waiting for the
/// WAL's flush (PostgreSQL; `None` on SQLite, whose limits live in memory): the
/// bucket's row is locked for that statement alone, not for a use case's whole
/// transaction, so one caller's requests do not queue behind each other's
/// commits. A crash may forget the last tokens taken, which costs nothing worth
/// a flush (docs/DECISIONS.md, "Rate limits on PostgreSQL").
pub async fn take_now(
    store: &crate::Store,
    bucket: &str,
    capacity: f64,
    per_second: f64,
    now: DateTime<Utc>,
) -> Result<Option<Option<f64>>> {
    let Some(pool) = store.volatile_pool() else { return Ok(None) };
    store.count_query();
    let left: f64 = sqlx::query_scalar::<_, f64>(TAKE)
        .bind(bucket)
        .bind(capacity)
        .bind(per_second)
        .bind(now)
        .fetch_one(pool)
        .await?;
    Ok(Some((left < 0.0).then(|| (-left) / per_second)))
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
        sqlx::query_scalar::<_, f64>(TAKE).bind(bucket).bind(1.0).bind(1.0).bind(now).fetch_one(&mut *t).await?;
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
