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

/// Claims the key for a request about to run in process `instance`; `false` when
/// someone holds it already.
pub async fn claim(tx: &mut Tx, user: Uuid, key: &str, hash: &str, instance: Uuid, now: DateTime<Utc>) -> Result<bool> {
    let sql = "INSERT INTO idempotency_keys (user_id, idempotency_key, request_hash, created_at, instance_id)
               VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, idempotency_key) DO NOTHING";
    let n = on_tx!(tx, c => sqlx::query(sql).bind(user).bind(key).bind(hash).bind(now).bind(instance)
        .execute(c).await?.rows_affected());
    Ok(n == 1)
}

/// Takes over a claim abandoned by a request that never finished: its process
/// stopped beating (`dead_before`: its last heartbeat is older, or it is gone), or
/// the claim is older than `stale_before` whatever its process.
pub async fn reclaim(
    tx: &mut Tx,
    user: Uuid,
    key: &str,
    instance: Uuid,
    stale_before: DateTime<Utc>,
    dead_before: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let sql = "UPDATE idempotency_keys SET created_at = $4, instance_id = $6
               WHERE user_id = $1 AND idempotency_key = $2 AND response_status IS NULL
                 AND (created_at < $3 OR NOT EXISTS (
                      SELECT 1 FROM service_instances i
                      WHERE i.id = idempotency_keys.instance_id AND i.heartbeat_at >= $5))";
    let n = on_tx!(tx, c => sqlx::query(sql).bind(user).bind(key).bind(stale_before).bind(now).bind(dead_before)
        .bind(instance).execute(c).await?.rows_affected());
    Ok(n == 1)
}

/// Releases every unanswered claim (at start-up on SQLite, where this process is
/// the only one: a claim left is a crashed request's); returns how many.
pub async fn release_all_unanswered(tx: &mut Tx) -> Result<u64> {
    let sql = "DELETE FROM idempotency_keys WHERE response_status IS NULL";
    Ok(on_tx!(tx, c => sqlx::query(sql).execute(c).await?.rows_affected()))
}

/// Records the answer (in the same transaction as the work it answers for).
pub async fn complete(tx: &mut Tx, user: Uuid, key: &str, status: i32, body: &str) -> Result<()> {
    let sql = "UPDATE idempotency_keys SET response_status = $3, response_body = $4
               WHERE user_id = $1 AND idempotency_key = $2";
    if let Some(c) = tx.direct().await? {
        crate::direct::execute(c, sql, &[user.into(), key.into(), status.into(), body.into()])?;
        return Ok(());
    }
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
