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
