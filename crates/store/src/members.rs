//! Sponsor staff: the `sponsor_users` table.

use crate::records::SponsorMember;
use crate::{Result, Tx, on_tx};
use chrono::{DateTime, Utc};
use sponsorhub_domain::{SponsorPermissions, SponsorRole};
use uuid::Uuid;

/// A member's columns, of `sponsor_users m` and `users u`.
pub(crate) const COLUMNS: &str = "m.id, m.sponsor_id, m.user_id, u.email AS user_email, u.name AS user_name, m.role,
    m.can_view_leads, m.can_export_leads, m.can_message_attendees, m.can_manage_booth, m.can_invite_others,
    m.is_active, m.joined_at, m.last_active_at, m.created_at, m.updated_at";
const FROM: &str = "FROM sponsor_users m JOIN users u ON u.id = m.user_id";

/// One [`SponsorMember`] from the columns from `$b` on of a row of [`crate::direct`]
/// (SQLite, in place) or [`crate::pgrow`] (PostgreSQL): the same reading for both.
macro_rules! member_at {
    ($r:expr, $b:expr) => {
        SponsorMember {
            id: uuid($r, $b)?,
            sponsor_id: uuid($r, $b + 1)?,
            user_id: uuid($r, $b + 2)?,
            user_email: string($r, $b + 3)?,
            user_name: string($r, $b + 4)?,
            role: parsed($r, $b + 5)?,
            can_view_leads: get($r, $b + 6)?,
            can_export_leads: get($r, $b + 7)?,
            can_message_attendees: get($r, $b + 8)?,
            can_manage_booth: get($r, $b + 9)?,
            can_invite_others: get($r, $b + 10)?,
            is_active: get($r, $b + 11)?,
            joined_at: time($r, $b + 12)?,
            last_active_at: opt_time($r, $b + 13)?,
            created_at: time($r, $b + 14)?,
            updated_at: time($r, $b + 15)?,
        }
    };
}

row_readers!(SponsorMember, member_at);

/// The user's membership of the sponsor, active or not.
pub async fn find(tx: &mut Tx, sponsor: Uuid, user: Uuid) -> Result<Option<SponsorMember>> {
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE m.sponsor_id = $1 AND m.user_id = $2");
    if let Some(c) = tx.direct().await? {
        return crate::direct::query_opt(c, &sql, &[sponsor.into(), user.into()], read);
    }
    Ok(
        on_tx!(tx, c => sqlx::query_as::<_, SponsorMember>(sqlx::AssertSqlSafe(sql.clone())).bind(sponsor).bind(user).fetch_optional(c).await?),
    )
}

pub async fn get(tx: &mut Tx, id: Uuid) -> Result<Option<SponsorMember>> {
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE m.id = $1");
    Ok(
        on_tx!(tx, c => sqlx::query_as::<_, SponsorMember>(sqlx::AssertSqlSafe(sql.clone())).bind(id).fetch_optional(c).await?),
    )
}

/// The sponsor's staff, active first, then by joining time.
pub async fn list(tx: &mut Tx, sponsor: Uuid, include_inactive: bool) -> Result<Vec<SponsorMember>> {
    let sql = format!(
        "SELECT {COLUMNS} {FROM} WHERE m.sponsor_id = $1 AND ($2 OR m.is_active = TRUE) ORDER BY m.is_active DESC, m.joined_at, m.id"
    );
    Ok(
        on_tx!(tx, c => sqlx::query_as::<_, SponsorMember>(sqlx::AssertSqlSafe(sql.clone())).bind(sponsor).bind(include_inactive).fetch_all(c).await?),
    )
}

/// The active staff of these sponsors, in one query (the live grants' check:
/// callers bound the list).
pub async fn active_of_sponsors(tx: &mut Tx, sponsors: &[Uuid]) -> Result<Vec<SponsorMember>> {
    if sponsors.is_empty() {
        return Ok(Vec::new());
    }
    let crate::sql::Sql { text, args } = crate::sql::Sql::ending_in(
        format!("SELECT {COLUMNS} {FROM} WHERE m.is_active = TRUE AND m.sponsor_id IN "),
        sponsors,
    );
    Ok(
        on_tx!(tx, c => crate::bind_args!(sqlx::query_as::<_, SponsorMember>(sqlx::AssertSqlSafe(text.clone())), args.clone()).fetch_all(c).await?),
    )
}

/// The user's active memberships (for "my sponsors").
pub async fn of_user(tx: &mut Tx, user: Uuid) -> Result<Vec<SponsorMember>> {
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE m.user_id = $1 AND m.is_active = TRUE ORDER BY m.sponsor_id");
    Ok(
        on_tx!(tx, c => sqlx::query_as::<_, SponsorMember>(sqlx::AssertSqlSafe(sql.clone())).bind(user).fetch_all(c).await?),
    )
}

pub async fn count_active(tx: &mut Tx, sponsor: Uuid) -> Result<i64> {
    let sql = "SELECT COUNT(*) FROM sponsor_users WHERE sponsor_id = $1 AND is_active = TRUE";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(sql).bind(sponsor).fetch_one(c).await?))
}

pub async fn count_active_admins(tx: &mut Tx, sponsor: Uuid) -> Result<i64> {
    let sql = "SELECT COUNT(*) FROM sponsor_users WHERE sponsor_id = $1 AND is_active = TRUE AND role = $2";
    Ok(
        on_tx!(tx, c => sqlx::query_scalar::<_, i64>(sql).bind(sponsor).bind(SponsorRole::Admin.as_str()).fetch_one(c).await?),
    )
}

/// Makes the user an active member with `role` and `perms`: a new row, or the
/// reactivation of a former member's row.
pub async fn upsert_active(
    tx: &mut Tx,
    sponsor: Uuid,
    user: Uuid,
    role: SponsorRole,
    p: SponsorPermissions,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    tx.writes_access();
    let sql = "INSERT INTO sponsor_users (id, sponsor_id, user_id, role, can_view_leads, can_export_leads,
            can_message_attendees, can_manage_booth, can_invite_others, is_active, joined_at, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, TRUE, $10, $10, $10)
        ON CONFLICT (sponsor_id, user_id) DO UPDATE SET role = excluded.role,
            can_view_leads = excluded.can_view_leads, can_export_leads = excluded.can_export_leads,
            can_message_attendees = excluded.can_message_attendees, can_manage_booth = excluded.can_manage_booth,
            can_invite_others = excluded.can_invite_others, is_active = TRUE, joined_at = excluded.joined_at,
            updated_at = excluded.updated_at
        RETURNING id";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, Uuid>(sql)
        .bind(sponsorhub_domain::new_id()).bind(sponsor).bind(user).bind(role.as_str())
        .bind(p.can_view_leads).bind(p.can_export_leads).bind(p.can_message_attendees)
        .bind(p.can_manage_booth).bind(p.can_invite_others).bind(now)
        .fetch_one(c).await?))
}

/// Writes role, permission flags and the active flag back.
pub async fn update(tx: &mut Tx, m: &SponsorMember) -> Result<()> {
    tx.writes_access();
    let sql = "UPDATE sponsor_users SET role = $2, can_view_leads = $3, can_export_leads = $4,
            can_message_attendees = $5, can_manage_booth = $6, can_invite_others = $7, is_active = $8, updated_at = $9
        WHERE id = $1";
    on_tx!(tx, c => sqlx::query(sql)
        .bind(m.id).bind(m.role.as_str()).bind(m.can_view_leads).bind(m.can_export_leads).bind(m.can_message_attendees)
        .bind(m.can_manage_booth).bind(m.can_invite_others).bind(m.is_active).bind(m.updated_at)
        .execute(c).await?.rows_affected());
    Ok(())
}

/// The e-mail addresses of the sponsor's active admins (who get its lead e-mails
/// when it names no address of its own).
pub async fn admin_emails(tx: &mut Tx, sponsor: Uuid) -> Result<Vec<String>> {
    let sql = "SELECT u.email FROM sponsor_users m JOIN users u ON u.id = m.user_id
               WHERE m.sponsor_id = $1 AND m.is_active = TRUE AND m.role = $2 ORDER BY u.email";
    Ok(
        on_tx!(tx, c => sqlx::query_scalar::<_, String>(sql).bind(sponsor).bind(SponsorRole::Admin.as_str()).fetch_all(c).await?),
    )
}

/// The active staff of every sponsor of the event: one query for the whole event.
pub async fn active_of_event(tx: &mut Tx, event: Uuid) -> Result<Vec<SponsorMember>> {
    let sql = format!(
        "SELECT {COLUMNS} {FROM} JOIN sponsors s ON s.id = m.sponsor_id WHERE s.event_id = $1 AND m.is_active = TRUE
         ORDER BY m.sponsor_id, m.joined_at, m.id"
    );
    Ok(
        on_tx!(tx, c => sqlx::query_as::<_, SponsorMember>(sqlx::AssertSqlSafe(sql.clone())).bind(event).fetch_all(c).await?),
    )
}
