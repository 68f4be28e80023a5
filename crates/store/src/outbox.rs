//! The e-mail outbox (`email_outbox`) and the pending lead notifications
//! (`lead_notifications`) that are folded into digest e-mails.
//!
//! An e-mail row is written in the transaction of the change that causes it; a
//! worker claims due rows (a lease: `status = 'sending'` until `claimed_until`),
//! delivers them outside any transaction and records the outcome. `attempts` grows
//! by one with each claim and fences the outcome: a worker whose lease ran out and
//! was taken over cannot overwrite the newer claim's result.

use crate::db::HeldWrite;
use crate::records::JsonColumn;
use crate::{Backend, Result, Tx, on_tx};
use chrono::{DateTime, Utc};
use sponsorhub_domain::{EmailKind, LeadReason, OutboxStatus};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct OutboxEmail {
    pub id: Uuid,
    /// invitation or lead_digest
    #[sqlx(try_from = "String")]
    pub kind: EmailKind,
    pub sponsor_id: Option<Uuid>,
    pub recipients: JsonColumn<Vec<String>>,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    /// pending, sending, sent or failed
    #[sqlx(try_from = "String")]
    pub status: OutboxStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub claimed_until: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, kind, sponsor_id, recipients, subject, text_body, html_body, status, attempts, \
    next_attempt_at, claimed_until, last_error, sent_at, created_at, updated_at";

/// Claimable: pending and due, or claimed by a worker whose lease ran out. `$1` is
/// now, `$pending` and `$sending` the bound statuses.
fn claimable(pending: usize, sending: usize) -> String {
    format!("(status = ${pending} AND next_attempt_at <= $1) OR (status = ${sending} AND claimed_until <= $1)")
}

/// Queues an e-mail (pending, due at `next_attempt_at`).
pub async fn insert(tx: &mut Tx, e: &OutboxEmail) -> Result<()> {
    let sql = "INSERT INTO email_outbox (id, kind, sponsor_id, recipients, subject, text_body, html_body, status,
            attempts, next_attempt_at, claimed_until, last_error, sent_at, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)";
    on_tx!(tx, c => sqlx::query(sql)
        .bind(e.id).bind(e.kind.as_str()).bind(e.sponsor_id).bind(&e.recipients).bind(&e.subject).bind(&e.text_body)
        .bind(&e.html_body).bind(e.status.as_str()).bind(e.attempts).bind(e.next_attempt_at).bind(e.claimed_until)
        .bind(&e.last_error).bind(e.sent_at).bind(e.created_at).bind(e.updated_at)
        .execute(c).await?.rows_affected());
    Ok(())
}

/// Whether any e-mail is claimable now (a cheap read before taking the writer).
pub async fn any_due(tx: &mut Tx, now: DateTime<Utc>) -> Result<bool> {
    let sql = format!("SELECT EXISTS (SELECT 1 FROM email_outbox WHERE {})", claimable(2, 3));
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, bool>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(now).bind(OutboxStatus::Pending.as_str()).bind(OutboxStatus::Sending.as_str()).fetch_one(c).await?))
}

/// Claims up to `limit` due e-mails until `lease_until`, oldest due first, counting
/// an attempt for each. On PostgreSQL rows another worker is claiming are skipped
/// (`FOR UPDATE SKIP LOCKED`), so instances sharing the database never claim one
/// row twice; SQLite has one writer, which serializes claims already.
pub async fn claim(
    tx: &mut Tx,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<OutboxEmail>> {
    let lock = if tx.backend() == Backend::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
    let sql = format!(
        "UPDATE email_outbox SET status = $5, attempts = attempts + 1, claimed_until = $2, updated_at = $1
         WHERE id IN (SELECT id FROM email_outbox WHERE {}
                      ORDER BY next_attempt_at, id LIMIT $3{lock})
         RETURNING {COLUMNS}",
        claimable(4, 5)
    );
    let mut rows = on_tx!(tx, c => sqlx::query_as::<_, OutboxEmail>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(now).bind(lease_until).bind(limit).bind(OutboxStatus::Pending.as_str())
        .bind(OutboxStatus::Sending.as_str()).fetch_all(c).await?);
    rows.sort_by_key(|a| (a.next_attempt_at, a.id));
    Ok(rows)
}

/// Records a delivery; `false` when the claim (`attempts`) is no longer the current one.
pub async fn mark_sent(tx: &mut Tx, id: Uuid, attempts: i32, now: DateTime<Utc>) -> Result<bool> {
    let sql = "UPDATE email_outbox SET status = $4, sent_at = $3, claimed_until = NULL, last_error = NULL,
            updated_at = $3
        WHERE id = $1 AND attempts = $2 AND status = $5";
    let n = on_tx!(tx, c => sqlx::query(sql).bind(id).bind(attempts).bind(now)
        .bind(OutboxStatus::Sent.as_str()).bind(OutboxStatus::Sending.as_str()).execute(c).await?.rows_affected());
    Ok(n == 1)
}

/// What is kept of a delivered (or finally failed) e-mail that carried a secret.
pub const SCRUBBED_BODY: &str = "(not kept: this message carried a secret link, and it has been delivered or given up)";

/// Drops the bodies of an e-mail that carried a secret (an invitation's token),
/// once they are no longer needed for a retry; subject and recipients stay.
pub async fn scrub_bodies(tx: &mut Tx, id: Uuid) -> Result<()> {
    let sql = "UPDATE email_outbox SET text_body = $2, html_body = $2 WHERE id = $1";
    on_tx!(tx, c => sqlx::query(sql).bind(id).bind(SCRUBBED_BODY).execute(c).await?.rows_affected());
    Ok(())
}

/// Records a failed attempt: pending again at `retry_at`, or `failed` when `retry_at`
/// is `None` (out of attempts).
pub async fn mark_attempt_failed(
    tx: &mut Tx,
    id: Uuid,
    attempts: i32,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let status = if retry_at.is_some() { OutboxStatus::Pending } else { OutboxStatus::Failed };
    let sql = "UPDATE email_outbox SET status = $6,
            next_attempt_at = COALESCE($4, next_attempt_at), claimed_until = NULL, last_error = $3, updated_at = $5
        WHERE id = $1 AND attempts = $2 AND status = $7";
    let n = on_tx!(tx, c => sqlx::query(sql)
        .bind(id).bind(attempts).bind(error).bind(retry_at).bind(now).bind(status.as_str())
        .bind(OutboxStatus::Sending.as_str())
        .execute(c).await?.rows_affected());
    Ok(n == 1)
}

/// Gives a claimed e-mail back unattempted (a worker stopping): pending, due now,
/// and the attempt its claim counted is taken back.
pub async fn release(tx: &mut Tx, id: Uuid, attempts: i32, now: DateTime<Utc>) -> Result<bool> {
    let sql = "UPDATE email_outbox SET status = $4, attempts = attempts - 1, claimed_until = NULL,
            next_attempt_at = $3, updated_at = $3
        WHERE id = $1 AND attempts = $2 AND status = $5";
    let n = on_tx!(tx, c => sqlx::query(sql).bind(id).bind(attempts).bind(now)
        .bind(OutboxStatus::Pending.as_str()).bind(OutboxStatus::Sending.as_str()).execute(c).await?.rows_affected());
    Ok(n == 1)
}

pub async fn get(tx: &mut Tx, id: Uuid) -> Result<Option<OutboxEmail>> {
    let sql = format!("SELECT {COLUMNS} FROM email_outbox WHERE id = $1");
    Ok(
        on_tx!(tx, c => sqlx::query_as::<_, OutboxEmail>(sqlx::AssertSqlSafe(sql.clone())).bind(id).fetch_optional(c).await?),
    )
}

/// The newest e-mails, optionally about one sponsor (operators and tests).
pub async fn recent(tx: &mut Tx, sponsor: Option<Uuid>, limit: i64) -> Result<Vec<OutboxEmail>> {
    let sql =
        format!("SELECT {COLUMNS} FROM email_outbox WHERE ($1 IS NULL OR sponsor_id = $1) ORDER BY id DESC LIMIT $2");
    Ok(on_tx!(tx, c => sqlx::query_as::<_, OutboxEmail>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(sponsor).bind(limit).fetch_all(c).await?))
}

/// Forgets sent e-mails older than `sent_before` and failed ones older than
/// `failed_before`; returns how many.
pub async fn purge(tx: &mut Tx, sent_before: DateTime<Utc>, failed_before: DateTime<Utc>) -> Result<u64> {
    let sql = "DELETE FROM email_outbox
               WHERE (status = $3 AND sent_at < $1) OR (status = $4 AND updated_at < $2)";
    Ok(on_tx!(tx, c => sqlx::query(sql).bind(sent_before).bind(failed_before)
        .bind(OutboxStatus::Sent.as_str()).bind(OutboxStatus::Failed.as_str()).execute(c).await?.rows_affected()))
}

/// A lead to tell its sponsor about.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct LeadNotification {
    pub lead_id: Uuid,
    /// new or hot
    #[sqlx(try_from = "String")]
    pub reason: LeadReason,
    pub created_at: DateTime<Utc>,
}

/// Records a pending lead notification (inside the capture's transaction).
pub async fn insert_lead_notification(
    tx: &mut Tx,
    sponsor: Uuid,
    lead: Uuid,
    reason: LeadReason,
    now: DateTime<Utc>,
) -> Result<()> {
    let sql = format!(
        "INSERT INTO lead_notifications (id, sponsor_id, lead_id, reason, created_at) {}",
        crate::sql::rows_if_new(tx.holding_if_new(), 1, 5)
    );
    if let Some(c) = tx.direct().await? {
        let args =
            [sponsorhub_domain::new_id().into(), sponsor.into(), lead.into(), reason.as_str().into(), now.into()];
        crate::direct::execute(c, &sql, &args)?;
        return Ok(());
    }
    // Sent with the capture's other trailing rows (docs/PERFORMANCE.md, "Fewer
    // round trips on PostgreSQL").
    tx.defer(&sql, HeldWrite::Insert("lead_notifications"), |a| {
        use sqlx::Arguments;
        a.add(sponsorhub_domain::new_id())?;
        a.add(sponsor)?;
        a.add(lead)?;
        a.add(reason.as_str())?;
        a.add(now)
    })
    .await
}

/// Sponsors whose oldest pending lead notification is at or before `cutoff`.
pub async fn sponsors_with_due_notifications(tx: &mut Tx, cutoff: DateTime<Utc>, limit: i64) -> Result<Vec<Uuid>> {
    let sql = "SELECT sponsor_id FROM lead_notifications GROUP BY sponsor_id HAVING MIN(created_at) <= $1
               ORDER BY MIN(created_at) LIMIT $2";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, Uuid>(sql).bind(cutoff).bind(limit).fetch_all(c).await?))
}

/// Takes (deletes and returns) every pending lead notification of the sponsor. On
/// PostgreSQL a concurrent taker waits for this transaction and then finds none,
/// so one digest holds each notification.
pub async fn take_lead_notifications(tx: &mut Tx, sponsor: Uuid) -> Result<Vec<LeadNotification>> {
    let sql = "DELETE FROM lead_notifications WHERE sponsor_id = $1 RETURNING lead_id, reason, created_at";
    let mut rows = on_tx!(tx, c => sqlx::query_as::<_, LeadNotification>(sql).bind(sponsor).fetch_all(c).await?);
    rows.sort_by_key(|n| n.created_at);
    Ok(rows)
}
