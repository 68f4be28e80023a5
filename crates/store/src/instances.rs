//! The running processes of the service, each with a heartbeat.

use crate::{Result, Tx, on_tx};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Records this process (or its next heartbeat).
pub async fn beat(tx: &mut Tx, id: Uuid, now: DateTime<Utc>) -> Result<()> {
    let sql = "INSERT INTO service_instances (id, started_at, heartbeat_at) VALUES ($1, $2, $2)
               ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at";
    on_tx!(tx, c => sqlx::query(sql).bind(id).bind(now).execute(c).await?.rows_affected());
    Ok(())
}

/// Forgets this process (a graceful stop) and those silent since `before`.
pub async fn forget(tx: &mut Tx, id: Uuid, before: DateTime<Utc>) -> Result<u64> {
    let sql = "DELETE FROM service_instances WHERE id = $1 OR heartbeat_at < $2";
    Ok(on_tx!(tx, c => sqlx::query(sql).bind(id).bind(before).execute(c).await?.rows_affected()))
}

/// Whether a connection whose `application_name` starts with `group` is open
/// on the server now, other than those named `own`: one statement on the
/// small pool of the rate-limit buckets, which use cases do not fill, so that
/// the answer comes at once under load (on PostgreSQL; `true` on SQLite,
/// which has no other instance to tell).
pub async fn others_connected(store: &crate::Store, group: &str, own: &str) -> Result<bool> {
    let Some(pool) = store.volatile_pool() else { return Ok(true) };
    let sql = "SELECT EXISTS (SELECT 1 FROM pg_stat_activity
               WHERE datname = current_database()
                 AND starts_with(application_name, $1) AND application_name <> $2)";
    // not counted in `Store::queries_executed`: no use case's statement
    Ok(sqlx::query_scalar::<_, bool>(sql).bind(group).bind(own).fetch_one(pool).await?)
}
