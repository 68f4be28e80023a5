//! Event service tokens (table `event_service_tokens`): what the surrounding
//! platform authenticates with when it reports to an event. Only each token's
//! SHA-256 is kept; the query that finds a token by it returns no hash.

use crate::{Result, Tx, on_tx};
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

/// A service token of an event, without its secret.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject), graphql(name = "EventServiceToken"))]
pub struct ServiceToken {
    pub id: Uuid,
    pub event_id: Uuid,
    /// What the organizer called it ("Platform sessions").
    pub name: String,
    pub created_by_user_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    /// The last request it authenticated.
    pub last_used_at: Option<DateTime<Utc>>,
    /// Revoked tokens authenticate nothing.
    pub revoked_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, event_id, name, created_by_user_id, created_at, last_used_at, revoked_at";

pub async fn insert(tx: &mut Tx, t: &ServiceToken, token_hash: &str) -> Result<()> {
    let sql = "INSERT INTO event_service_tokens (id, event_id, name, token_hash, created_by_user_id, created_at)
        VALUES ($1, $2, $3, $4, $5, $6)";
    on_tx!(tx, c => sqlx::query(sql)
        .bind(t.id).bind(t.event_id).bind(&t.name).bind(token_hash).bind(t.created_by_user_id).bind(t.created_at)
        .execute(c).await?.rows_affected());
    Ok(())
}

/// The event's tokens, newest first.
pub async fn list(tx: &mut Tx, event: Uuid) -> Result<Vec<ServiceToken>> {
    let sql = format!("SELECT {COLUMNS} FROM event_service_tokens WHERE event_id = $1 ORDER BY id DESC");
    Ok(
        on_tx!(tx, c => sqlx::query_as::<_, ServiceToken>(sqlx::AssertSqlSafe(sql.clone())).bind(event).fetch_all(c).await?),
    )
}

/// Revokes the event's token; `None` when it has no such token.
pub async fn revoke(tx: &mut Tx, event: Uuid, id: Uuid, now: DateTime<Utc>) -> Result<Option<ServiceToken>> {
    let sql = format!(
        "UPDATE event_service_tokens SET revoked_at = COALESCE(revoked_at, $3) WHERE event_id = $1 AND id = $2
         RETURNING {COLUMNS}"
    );
    Ok(on_tx!(tx, c => sqlx::query_as::<_, ServiceToken>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(event).bind(id).bind(now).fetch_optional(c).await?))
}

/// The token not revoked whose hash this is, marked used at `now`.
pub async fn use_by_hash(tx: &mut Tx, token_hash: &str, now: DateTime<Utc>) -> Result<Option<ServiceToken>> {
    let sql = format!(
        "UPDATE event_service_tokens SET last_used_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL
         RETURNING {COLUMNS}"
    );
    Ok(on_tx!(tx, c => sqlx::query_as::<_, ServiceToken>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(token_hash).bind(now).fetch_optional(c).await?))
}
