//! Webhook endpoints and their deliveries (docs/DECISIONS.md, "Webhooks").
//!
//! A delivery row is written in the transaction of the change it tells of, one per
//! subscribed endpoint, by a single `INSERT ... SELECT`; the worker claims due rows
//! with a lease (as the e-mail outbox does), posts them outside any transaction
//! and records the outcome. `attempts` grows with each claim and fences the
//! outcome against a worker whose lease ran out.

use crate::db::HeldWrite;
use crate::{Backend, Result, Tx, on_tx};
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookEndpoint {
    pub id: Uuid,
    pub event_id: Uuid,
    /// `null` for an organizer's endpoint that hears of every sponsor of the event.
    pub sponsor_id: Option<Uuid>,
    pub url: String,
    /// The subscribed event types, between commas (see `event_types`).
    #[serde(skip)]
    pub events: String,
    /// Never answered: shown once, when the endpoint is created.
    #[serde(skip)]
    pub secret: String,
    pub description: Option<String>,
    pub is_enabled: bool,
    pub disabled_reason: Option<String>,
    pub consecutive_failures: i32,
    pub created_by_user_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl WebhookEndpoint {
    /// The subscribed event types.
    pub fn event_types(&self) -> Vec<String> {
        self.events.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect()
    }
}

/// `lead.created,lead.updated` as stored: ",lead.created,lead.updated,".
pub fn events_column(types: &[String]) -> String {
    format!(",{},", types.join(","))
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDelivery {
    /// The message's id (the `webhook-id` header), the same on every retry.
    pub message_id: Uuid,
    pub endpoint_id: Uuid,
    pub event_type: String,
    /// The JSON body sent.
    pub payload: String,
    /// pending, sending, delivered or failed
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    #[serde(skip)]
    pub claimed_until: Option<DateTime<Utc>>,
    /// The HTTP status of the last attempt, if it got an answer.
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const ENDPOINT_COLUMNS: &str = "id, event_id, sponsor_id, url, events, secret, description, is_enabled, \
    disabled_reason, consecutive_failures, created_by_user_id, created_at, updated_at";
const DELIVERY_COLUMNS: &str = "message_id, endpoint_id, event_type, payload, status, attempts, next_attempt_at, \
    claimed_until, last_status_code, last_error, delivered_at, created_at, updated_at";

/// Whether an enabled endpoint hears of the sponsor's leads (the sponsor's own or
/// its event's), as [`crate::sponsors::capture_context`] tells it in place.
pub async fn any_listening(tx: &mut Tx, event: Uuid, sponsor: Uuid) -> Result<bool> {
    let sql = "SELECT EXISTS (SELECT 1 FROM webhook_endpoints WHERE is_enabled = TRUE
                   AND (sponsor_id = $1 OR (sponsor_id IS NULL AND event_id = $2)))";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, bool>(sql).bind(sponsor).bind(event).fetch_one(c).await?))
}

// Every write that creates, changes, disables or deletes an endpoint counts as a
// write of access (`Tx::writes_access`): a capture's remembered context, which
// says whether any endpoint listens, is read again after it (docs/DECISIONS.md,
// "The capture's context remembered"). Recording a delivery's outcome does not.

pub async fn insert_endpoint(tx: &mut Tx, e: &WebhookEndpoint) -> Result<()> {
    tx.writes_access();
    let sql = format!(
        "INSERT INTO webhook_endpoints ({ENDPOINT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
    );
    on_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
        .bind(e.id).bind(e.event_id).bind(e.sponsor_id).bind(&e.url).bind(&e.events).bind(&e.secret)
        .bind(&e.description).bind(e.is_enabled).bind(&e.disabled_reason).bind(e.consecutive_failures)
        .bind(e.created_by_user_id).bind(e.created_at).bind(e.updated_at)
        .execute(c).await?.rows_affected());
    Ok(())
}

/// Writes back url, events, description and the enabled state.
pub async fn update_endpoint(tx: &mut Tx, e: &WebhookEndpoint) -> Result<()> {
    let sql = "UPDATE webhook_endpoints SET url = $2, events = $3, description = $4, is_enabled = $5,
            disabled_reason = $6, consecutive_failures = $7, updated_at = $8 WHERE id = $1";
    tx.writes_access();
    on_tx!(tx, c => sqlx::query(sql).bind(e.id).bind(&e.url).bind(&e.events).bind(&e.description)
        .bind(e.is_enabled).bind(&e.disabled_reason).bind(e.consecutive_failures).bind(e.updated_at)
        .execute(c).await?.rows_affected());
    Ok(())
}

pub async fn delete_endpoint(tx: &mut Tx, id: Uuid) -> Result<()> {
    tx.writes_access();
    on_tx!(tx, c => sqlx::query("DELETE FROM webhook_endpoints WHERE id = $1").bind(id).execute(c).await?.rows_affected());
    Ok(())
}

pub async fn get_endpoint(tx: &mut Tx, id: Uuid) -> Result<Option<WebhookEndpoint>> {
    let sql = format!("SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = $1");
    Ok(on_tx!(tx, c => sqlx::query_as::<_, WebhookEndpoint>(sqlx::AssertSqlSafe(sql.clone())).bind(id)
        .fetch_optional(c).await?))
}

/// A sponsor's endpoints (`Some`), or an event's own (`None`), oldest first.
pub async fn list_endpoints(tx: &mut Tx, event: Uuid, sponsor: Option<Uuid>) -> Result<Vec<WebhookEndpoint>> {
    let sql = format!(
        "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints
         WHERE event_id = $1 AND (sponsor_id = $2 OR ($2 IS NULL AND sponsor_id IS NULL)) ORDER BY id LIMIT 100"
    );
    Ok(on_tx!(tx, c => sqlx::query_as::<_, WebhookEndpoint>(sqlx::AssertSqlSafe(sql.clone())).bind(event).bind(sponsor)
        .fetch_all(c).await?))
}

/// How many endpoints a sponsor (or an event) has.
pub async fn count_endpoints(tx: &mut Tx, event: Uuid, sponsor: Option<Uuid>) -> Result<i64> {
    let sql = "SELECT COUNT(*) FROM webhook_endpoints
               WHERE event_id = $1 AND (sponsor_id = $2 OR ($2 IS NULL AND sponsor_id IS NULL))";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(sql).bind(event).bind(sponsor).fetch_one(c).await?))
}

/// Queues the message for every enabled endpoint subscribed to `event_type`: the
/// sponsor's own (when `sponsor` is set) and the event's. One statement, nothing
/// read back: on PostgreSQL it is sent with the transaction's next statement. `lead` names the lead the
/// message is about, so that its erasure deletes the message.
#[allow(clippy::too_many_arguments)]
pub async fn enqueue(
    tx: &mut Tx,
    message_id: Uuid,
    event: Uuid,
    sponsor: Option<Uuid>,
    lead: Option<Uuid>,
    event_type: &str,
    payload: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let sql = "INSERT INTO webhook_deliveries (message_id, endpoint_id, event_type, payload, status, attempts,
            next_attempt_at, created_at, updated_at, lead_id)
        SELECT $1, id, $2, $3, 'pending', 0, $4, $4, $4, $8 FROM webhook_endpoints
        WHERE is_enabled = TRUE AND events LIKE $5
          AND (sponsor_id = $6 OR (sponsor_id IS NULL AND event_id = $7))";
    let like = format!("%,{event_type},%");
    if let Some(c) = tx.direct().await? {
        use crate::direct::opt;
        // SQLite prepares a statement again whenever the pattern bound to a LIKE
        // changes (its LIKE optimization depends on it): the same test as a
        // substring, which it does not (`events` holds lowercase names only).
        let sql = sql.replace("events LIKE $5", "instr(events, $5) > 0");
        let needle = format!(",{event_type},");
        let args = [
            message_id.into(),
            event_type.into(),
            payload.into(),
            now.into(),
            (&needle).into(),
            opt(sponsor),
            event.into(),
            opt(lead),
        ];
        crate::direct::execute(c, &sql, &args)?;
        return Ok(());
    }
    // Sent with the capture's other trailing rows (docs/PERFORMANCE.md, "Fewer
    // round trips on PostgreSQL"); on a new lead, held on its insert ("A new
    // lead in one statement").
    let sql = if tx.holding_if_new() {
        std::borrow::Cow::Owned(sql.replace("FROM webhook_endpoints", "FROM webhook_endpoints, new_lead"))
    } else {
        std::borrow::Cow::Borrowed(sql)
    };
    tx.defer(&sql, HeldWrite::Insert("webhook_deliveries"), |a| {
        use sqlx::Arguments;
        a.add(message_id)?;
        a.add(event_type)?;
        a.add(payload)?;
        a.add(now)?;
        a.add(&like)?;
        a.add(sponsor)?;
        a.add(event)?;
        a.add(lead)
    })
    .await
}

/// Deletes every message about the lead, queued or logged, to every endpoint (an
/// erasure: their payloads hold the lead's personal data); returns how many.
pub async fn forget_lead(tx: &mut Tx, lead: Uuid) -> Result<u64> {
    let sql = "DELETE FROM webhook_deliveries WHERE lead_id = $1";
    Ok(on_tx!(tx, c => sqlx::query(sql).bind(lead).execute(c).await?.rows_affected()))
}

/// Queues one message for one endpoint (a test ping).
pub async fn enqueue_to(
    tx: &mut Tx,
    message_id: Uuid,
    endpoint: Uuid,
    event_type: &str,
    payload: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let sql = "INSERT INTO webhook_deliveries (message_id, endpoint_id, event_type, payload, status, attempts,
            next_attempt_at, created_at, updated_at) VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5, $5)";
    on_tx!(tx, c => sqlx::query(sql).bind(message_id).bind(endpoint).bind(event_type).bind(payload).bind(now)
        .execute(c).await?.rows_affected());
    Ok(())
}

/// A claimed delivery with where and how to send it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClaimedDelivery {
    pub message_id: Uuid,
    pub endpoint_id: Uuid,
    pub payload: String,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    pub url: String,
    pub secret: String,
}

/// Whether any delivery is claimable now (a cheap read before taking the writer).
pub async fn any_due(tx: &mut Tx, now: DateTime<Utc>) -> Result<bool> {
    let sql = "SELECT EXISTS (SELECT 1 FROM webhook_deliveries
               WHERE (status = 'pending' AND next_attempt_at <= $1) OR (status = 'sending' AND claimed_until <= $1))";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, bool>(sql).bind(now).fetch_one(c).await?))
}

/// Claims up to `limit` due deliveries of enabled endpoints until `lease_until`,
/// counting an attempt for each (PostgreSQL skips rows another worker is claiming).
pub async fn claim(
    tx: &mut Tx,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<ClaimedDelivery>> {
    let lock = if tx.backend() == Backend::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
    let due = "(status = 'pending' AND next_attempt_at <= $1) OR (status = 'sending' AND claimed_until <= $1)";
    let sql = format!(
        "SELECT endpoint_id, message_id FROM webhook_deliveries WHERE {due}
         ORDER BY next_attempt_at, message_id LIMIT $2{lock}"
    );
    let keys = on_tx!(tx, c => sqlx::query_as::<_, (Uuid, Uuid)>(sqlx::AssertSqlSafe(sql.clone())).bind(now).bind(limit)
        .fetch_all(c).await?);
    let mut claimed = Vec::with_capacity(keys.len());
    for (endpoint, message) in keys {
        let sql = "UPDATE webhook_deliveries SET status = 'sending', attempts = attempts + 1, claimed_until = $3,
                updated_at = $4
            WHERE endpoint_id = $1 AND message_id = $2
            RETURNING message_id, endpoint_id, payload, attempts, created_at,
                (SELECT url FROM webhook_endpoints e WHERE e.id = endpoint_id) AS url,
                (SELECT secret FROM webhook_endpoints e WHERE e.id = endpoint_id) AS secret";
        let row = on_tx!(tx, c => sqlx::query_as::<_, ClaimedDelivery>(sql).bind(endpoint).bind(message)
            .bind(lease_until).bind(now).fetch_one(c).await?);
        claimed.push(row);
    }
    Ok(claimed)
}

/// Records a delivered attempt and resets the endpoint's failure count; `false`
/// when the claim is no longer the current one.
pub async fn mark_delivered(
    tx: &mut Tx,
    endpoint: Uuid,
    message: Uuid,
    attempts: i32,
    status_code: i32,
    now: DateTime<Utc>,
) -> Result<bool> {
    let sql = "UPDATE webhook_deliveries SET status = 'delivered', delivered_at = $4, claimed_until = NULL,
            last_status_code = $5, last_error = NULL, updated_at = $4
        WHERE endpoint_id = $1 AND message_id = $2 AND attempts = $3 AND status = 'sending'";
    let n = on_tx!(tx, c => sqlx::query(sql).bind(endpoint).bind(message).bind(attempts).bind(now).bind(status_code)
        .execute(c).await?.rows_affected());
    if n == 1 {
        let sql = "UPDATE webhook_endpoints SET consecutive_failures = 0 WHERE id = $1 AND consecutive_failures <> 0";
        on_tx!(tx, c => sqlx::query(sql).bind(endpoint).execute(c).await?.rows_affected());
    }
    Ok(n == 1)
}

/// Records a failed attempt: retried at `retry_at`, or `failed` when `None`.
/// Returns the endpoint's failures in a row, or `None` when the claim is stale.
#[allow(clippy::too_many_arguments)]
pub async fn mark_failed(
    tx: &mut Tx,
    endpoint: Uuid,
    message: Uuid,
    attempts: i32,
    status_code: Option<i32>,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Option<i32>> {
    let status = if retry_at.is_some() { "pending" } else { "failed" };
    let sql = "UPDATE webhook_deliveries SET status = $4, next_attempt_at = COALESCE($5, next_attempt_at),
            claimed_until = NULL, last_status_code = $6, last_error = $7, updated_at = $8
        WHERE endpoint_id = $1 AND message_id = $2 AND attempts = $3 AND status = 'sending'";
    let n = on_tx!(tx, c => sqlx::query(sql).bind(endpoint).bind(message).bind(attempts).bind(status).bind(retry_at)
        .bind(status_code).bind(error).bind(now).execute(c).await?.rows_affected());
    if n != 1 {
        return Ok(None);
    }
    let sql = "UPDATE webhook_endpoints SET consecutive_failures = consecutive_failures + 1 WHERE id = $1
               RETURNING consecutive_failures";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i32>(sql).bind(endpoint).fetch_optional(c).await?))
}

/// Disables the endpoint (when it is enabled); `true` when this call did. Its
/// pending deliveries fail with the reason, to be replayed once it is enabled again.
pub async fn disable(tx: &mut Tx, endpoint: Uuid, reason: &str, now: DateTime<Utc>) -> Result<bool> {
    let sql = "UPDATE webhook_endpoints SET is_enabled = FALSE, disabled_reason = $2, updated_at = $3
               WHERE id = $1 AND is_enabled = TRUE";
    let n = on_tx!(tx, c => sqlx::query(sql).bind(endpoint).bind(reason).bind(now).execute(c).await?.rows_affected());
    if n == 1 {
        tx.writes_access();
        let sql = "UPDATE webhook_deliveries SET status = 'failed', last_error = $2, updated_at = $3
                   WHERE endpoint_id = $1 AND status = 'pending'";
        on_tx!(tx, c => sqlx::query(sql).bind(endpoint).bind(reason).bind(now).execute(c).await?.rows_affected());
    }
    Ok(n == 1)
}

/// The endpoint's deliveries, newest first, before `before` (a message id).
pub async fn deliveries(tx: &mut Tx, endpoint: Uuid, before: Option<Uuid>, limit: i64) -> Result<Vec<WebhookDelivery>> {
    let sql = format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE endpoint_id = $1 AND ($2 IS NULL OR message_id < $2)
         ORDER BY message_id DESC LIMIT $3"
    );
    Ok(
        on_tx!(tx, c => sqlx::query_as::<_, WebhookDelivery>(sqlx::AssertSqlSafe(sql.clone())).bind(endpoint).bind(before)
        .bind(limit).fetch_all(c).await?),
    )
}

pub async fn delivery(tx: &mut Tx, endpoint: Uuid, message: Uuid) -> Result<Option<WebhookDelivery>> {
    let sql = format!("SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE endpoint_id = $1 AND message_id = $2");
    Ok(
        on_tx!(tx, c => sqlx::query_as::<_, WebhookDelivery>(sqlx::AssertSqlSafe(sql.clone())).bind(endpoint).bind(message)
        .fetch_optional(c).await?),
    )
}

/// Sends a delivery again: pending now, attempts from zero (same message id).
pub async fn replay(tx: &mut Tx, endpoint: Uuid, message: Uuid, now: DateTime<Utc>) -> Result<bool> {
    let sql = "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = $3,
            claimed_until = NULL, delivered_at = NULL, updated_at = $3
        WHERE endpoint_id = $1 AND message_id = $2 AND status <> 'sending'";
    let n = on_tx!(tx, c => sqlx::query(sql).bind(endpoint).bind(message).bind(now).execute(c).await?.rows_affected());
    Ok(n == 1)
}
