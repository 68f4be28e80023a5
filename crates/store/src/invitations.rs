//! Invitations to a sponsor's staff. Only the token's hash is stored.

use crate::records::Invitation;
use crate::{Result, Tx, on_tx};
use chrono::{DateTime, Utc};
use sponsorhub_domain::InvitationStatus;
use uuid::Uuid;

const COLUMNS: &str = "id, sponsor_id, email, role, status, personal_message, invited_by_user_id, \
    accepted_by_user_id, expires_at, accepted_at, created_at, updated_at";
const COLUMNS_I: &str = "i.id, i.sponsor_id, i.email, i.role, i.status, i.personal_message, i.invited_by_user_id, \
    i.accepted_by_user_id, i.expires_at, i.accepted_at, i.created_at, i.updated_at";

pub async fn insert(tx: &mut Tx, i: &Invitation, token_hash: &str) -> Result<()> {
    let sql = "INSERT INTO sponsor_invitations (id, sponsor_id, email, role, token_hash, status, personal_message,
            invited_by_user_id, accepted_by_user_id, expires_at, accepted_at, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
    on_tx!(tx, c => sqlx::query(sql)
        .bind(i.id).bind(i.sponsor_id).bind(&i.email).bind(i.role.as_str()).bind(token_hash).bind(i.status.as_str())
        .bind(&i.personal_message).bind(i.invited_by_user_id).bind(i.accepted_by_user_id).bind(i.expires_at)
        .bind(i.accepted_at).bind(i.created_at).bind(i.updated_at)
        .execute(c).await?.rows_affected());
    Ok(())
}

pub async fn get(tx: &mut Tx, id: Uuid) -> Result<Option<Invitation>> {
    let sql = format!("SELECT {COLUMNS} FROM sponsor_invitations WHERE id = $1");
    Ok(
        on_tx!(tx, c => sqlx::query_as::<_, Invitation>(sqlx::AssertSqlSafe(sql.clone())).bind(id).fetch_optional(c).await?),
    )
}

pub async fn find_by_token_hash(tx: &mut Tx, hash: &str) -> Result<Option<Invitation>> {
    let sql = format!("SELECT {COLUMNS} FROM sponsor_invitations WHERE token_hash = $1");
    Ok(
        on_tx!(tx, c => sqlx::query_as::<_, Invitation>(sqlx::AssertSqlSafe(sql.clone())).bind(hash).fetch_optional(c).await?),
    )
}

/// The sponsor's invitations, newest first, optionally of one status.
pub async fn list(tx: &mut Tx, sponsor: Uuid, status: Option<&str>) -> Result<Vec<Invitation>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM sponsor_invitations WHERE sponsor_id = $1 AND ($2 IS NULL OR status = $2)
         ORDER BY id DESC"
    );
    Ok(
        on_tx!(tx, c => sqlx::query_as::<_, Invitation>(sqlx::AssertSqlSafe(sql.clone())).bind(sponsor).bind(status).fetch_all(c).await?),
    )
}

/// Pending invitations addressed to this (lowercased) e-mail, newest first.
pub async fn pending_for_email(tx: &mut Tx, email: &str, now: DateTime<Utc>) -> Result<Vec<Invitation>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM sponsor_invitations WHERE email = $1 AND status = $3 AND expires_at > $2
         ORDER BY id DESC"
    );
    Ok(
        on_tx!(tx, c => sqlx::query_as::<_, Invitation>(sqlx::AssertSqlSafe(sql.clone())).bind(email).bind(now).bind(InvitationStatus::Pending.as_str()).fetch_all(c).await?),
    )
}

/// Marks the sponsor's pending invitations that are past their expiry as expired.
pub async fn expire_overdue(tx: &mut Tx, sponsor: Uuid, now: DateTime<Utc>) -> Result<()> {
    let sql = "UPDATE sponsor_invitations SET status = $3, updated_at = $2
               WHERE sponsor_id = $1 AND status = $4 AND expires_at <= $2";
    on_tx!(tx, c => sqlx::query(sql).bind(sponsor).bind(now).bind(InvitationStatus::Expired.as_str())
        .bind(InvitationStatus::Pending.as_str()).execute(c).await?.rows_affected());
    Ok(())
}

/// Writes status, acceptance and expiry back, and the token hash when given (resend).
pub async fn update(tx: &mut Tx, i: &Invitation, new_token_hash: Option<&str>) -> Result<()> {
    let sql = "UPDATE sponsor_invitations SET status = $2, accepted_by_user_id = $3, accepted_at = $4,
            expires_at = $5, updated_at = $6, token_hash = COALESCE($7, token_hash)
        WHERE id = $1";
    on_tx!(tx, c => sqlx::query(sql)
        .bind(i.id).bind(i.status.as_str()).bind(i.accepted_by_user_id).bind(i.accepted_at).bind(i.expires_at)
        .bind(i.updated_at).bind(new_token_hash)
        .execute(c).await?.rows_affected());
    Ok(())
}

/// The pending (unexpired) invitations of every sponsor of the event, oldest
/// first: one query for the whole event.
pub async fn pending_of_event(tx: &mut Tx, event: Uuid, now: DateTime<Utc>) -> Result<Vec<Invitation>> {
    let sql = format!(
        "SELECT {COLUMNS_I} FROM sponsor_invitations i JOIN sponsors s ON s.id = i.sponsor_id
         WHERE s.event_id = $1 AND i.status = $3 AND i.expires_at > $2 ORDER BY i.sponsor_id, i.id"
    );
    Ok(
        on_tx!(tx, c => sqlx::query_as::<_, Invitation>(sqlx::AssertSqlSafe(sql.clone())).bind(event).bind(now).bind(InvitationStatus::Pending.as_str()).fetch_all(c).await?),
    )
}
