//! What erasure and retention read and write besides the leads themselves
//! (docs/DECISIONS.md, "Withdrawal and erasure", "Retention").

use crate::{Result, Tx, on_tx};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// An event whose organizer set a retention period, and its end.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct RetentionEvent {
    pub id: Uuid,
    pub name: String,
    pub ends_at: DateTime<Utc>,
    pub retention_days: i32,
}

/// Every event with an end and a retention period (a partial index holds them).
pub async fn retention_events(tx: &mut Tx) -> Result<Vec<RetentionEvent>> {
    let sql = "SELECT id, name, ends_at, retention_days FROM events
               WHERE retention_days IS NOT NULL AND ends_at IS NOT NULL ORDER BY ends_at";
    Ok(on_tx!(tx, c => sqlx::query_as::<_, RetentionEvent>(sql).fetch_all(c).await?))
}

/// The sponsors of the event holding at least one lead, with how many.
pub async fn sponsors_with_leads(tx: &mut Tx, event: Uuid) -> Result<Vec<(Uuid, i64)>> {
    let sql = "SELECT sponsor_id, COUNT(*) FROM sponsor_leads WHERE event_id = $1 GROUP BY sponsor_id";
    Ok(on_tx!(tx, c => sqlx::query_as::<_, (Uuid, i64)>(sql).bind(event).fetch_all(c).await?))
}

/// Marks the sponsor's admins as warned of the erasure at `deadline`; `false`
/// when they already were (another instance, or an earlier run, got there first).
pub async fn claim_warning(tx: &mut Tx, sponsor: Uuid, deadline: DateTime<Utc>, now: DateTime<Utc>) -> Result<bool> {
    let sql = "INSERT INTO retention_warnings (sponsor_id, deadline, created_at) VALUES ($1, $2, $3)
               ON CONFLICT (sponsor_id, deadline) DO NOTHING";
    let n = on_tx!(tx, c => sqlx::query(sql).bind(sponsor).bind(deadline).bind(now).execute(c).await?.rows_affected());
    Ok(n == 1)
}
