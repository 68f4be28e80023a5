//! Idempotency keys: the first answer to a request, kept to replay to its retries.

use crate::{Result, Tx, on_tx};
use chrono::{DateTime, Utc};
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredKey {
    pub request_hash: String,
    /// `None` while the first request is still running.
    pub response_status: Option<i32>,
    pub response_body: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub async fn find(tx: &mut Tx, user: Uuid, key: &str) -> Result<Option<StoredKey>> {
    let sql = "SELECT request_hash, response_status, response_body, created_at FROM idempotency_keys
               WHERE user_id = $1 AND idempotency_key = $2";
    Ok(on_tx!(tx, c => sqlx::query_as::<_, StoredKey>(sql).bind(user).bind(key).fetch_optional(c).await?))
}

/// Claims the key for a request about to run; `false` when someone holds it already.
pub async fn claim(tx: &mut Tx, user: Uuid, key: &str, hash: &str, now: DateTime<Utc>) -> Result<bool> {
    let sql = "INSERT INTO idempotency_keys (user_id, idempotency_key, request_hash, created_at)
               VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, idempotency_key) DO NOTHING";
    let n =
        on_tx!(tx, c => sqlx::query(sql).bind(user).bind(key).bind(hash).bind(now).execute(c).await?.rows_affected());
    Ok(n == 1)
}

/// Takes over a claim abandoned by a request that never finished (a crash).
pub async fn reclaim(
    tx: &mut Tx,
    user: Uuid,
    key: &str,
    stale_before: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let sql = "UPDATE idempotency_keys SET created_at = $4
               WHERE user_id = $1 AND idempotency_key = $2 AND response_status IS NULL AND created_at < $3";
    let n = on_tx!(tx, c => sqlx::query(sql).bind(user).bind(key).bind(stale_before).bind(now).execute(c).await?.rows_affected());
    Ok(n == 1)
}

/// Records the answer (in the same transaction as the work it answers for).
pub async fn complete(tx: &mut Tx, user: Uuid, key: &str, status: i32, body: &str) -> Result<()> {
    let sql = "UPDATE idempotency_keys SET response_status = $3, response_body = $4
               WHERE user_id = $1 AND idempotency_key = $2";
    on_tx!(tx, c => sqlx::query(sql).bind(user).bind(key).bind(status).bind(body).execute(c).await?.rows_affected());
    Ok(())
}

/// Gives the key up after a failed request, so a retry can run.
pub async fn release(tx: &mut Tx, user: Uuid, key: &str) -> Result<()> {
    let sql = "DELETE FROM idempotency_keys WHERE user_id = $1 AND idempotency_key = $2 AND response_status IS NULL";
    on_tx!(tx, c => sqlx::query(sql).bind(user).bind(key).execute(c).await?.rows_affected());
    Ok(())
}

/// Forgets keys older than `before`; returns how many.
pub async fn purge(tx: &mut Tx, before: DateTime<Utc>) -> Result<u64> {
    let sql = "DELETE FROM idempotency_keys WHERE created_at < $1";
    Ok(on_tx!(tx, c => sqlx::query(sql).bind(before).execute(c).await?.rows_affected()))
}
