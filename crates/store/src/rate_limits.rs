//! Token buckets in the database (PostgreSQL): one row per limit and key.

use crate::{Result, Tx, on_tx};
use chrono::{DateTime, Utc};

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
    let sql = "INSERT INTO rate_limits (bucket, tokens, updated_at) VALUES ($1, $2::float8 - 1, $4)
               ON CONFLICT (bucket) DO UPDATE SET
                 tokens = GREATEST(LEAST($2::float8, rate_limits.tokens
                          + EXTRACT(EPOCH FROM ($4 - rate_limits.updated_at)) * $3::float8) - 1, -1),
                 updated_at = $4
               RETURNING tokens";
    let left: f64 = on_tx!(tx, c => sqlx::query_scalar::<_, f64>(sql)
        .bind(bucket).bind(capacity).bind(per_second).bind(now).fetch_one(c).await?);
    Ok((left < 0.0).then(|| (-left) / per_second))
}

/// Forgets buckets untouched since `before` (they are full again).
pub async fn sweep(tx: &mut Tx, before: DateTime<Utc>) -> Result<u64> {
    let sql = "DELETE FROM rate_limits WHERE updated_at < $1";
    Ok(on_tx!(tx, c => sqlx::query(sql).bind(before).execute(c).await?.rows_affected()))
}
