//! Events of an organization.

use crate::records::Event;
use crate::{Result, Tx, on_tx};
use uuid::Uuid;

pub(crate) const COLUMNS: &str = "id, organization_id, name, slug, description, starts_at, ends_at, timezone, venue, \
                       shared_attendee_fields, consent_rule, consent_text, consent_text_version, hall_access, retention_days, created_at, updated_at";

/// One [`Event`] from the columns from `$b` on of a row of [`crate::direct`]
/// (SQLite, in place) or [`crate::pgrow`] (PostgreSQL): the same reading for both.
macro_rules! event_at {
    ($r:expr, $b:expr) => {
        Event {
            id: uuid($r, $b)?,
            organization_id: uuid($r, $b + 1)?,
            name: string($r, $b + 2)?,
            slug: string($r, $b + 3)?,
            description: opt_string($r, $b + 4)?,
            starts_at: opt_time($r, $b + 5)?,
            ends_at: opt_time($r, $b + 6)?,
            timezone: string($r, $b + 7)?,
            venue: opt_string($r, $b + 8)?,
            shared_attendee_fields: json($r, $b + 9)?,
            consent_rule: parsed($r, $b + 10)?,
            consent_text: opt_string($r, $b + 11)?,
            consent_text_version: get($r, $b + 12)?,
            hall_access: parsed($r, $b + 13)?,
            retention_days: get($r, $b + 14)?,
            created_at: time($r, $b + 15)?,
            updated_at: time($r, $b + 16)?,
        }
    };
}

row_readers!(Event, event_at);

pub async fn insert(tx: &mut Tx, e: &Event) -> Result<()> {
    tx.writes_access();
    let sql = "INSERT INTO events (id, organization_id, name, slug, description, starts_at, ends_at, timezone, venue, created_at, updated_at, shared_attendee_fields,
                                   consent_rule, consent_text, consent_text_version, hall_access, retention_days)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)";
    on_tx!(tx, c => sqlx::query(sql)
        .bind(e.id).bind(e.organization_id).bind(&e.name).bind(&e.slug).bind(&e.description)
        .bind(e.starts_at).bind(e.ends_at).bind(&e.timezone).bind(&e.venue).bind(e.created_at).bind(e.updated_at)
        .bind(&e.shared_attendee_fields).bind(e.consent_rule.as_str()).bind(&e.consent_text)
        .bind(e.consent_text_version).bind(e.hall_access.as_str()).bind(e.retention_days)
        .execute(c).await?.rows_affected());
    Ok(())
}

/// Writes every mutable column of the event back.
pub async fn update(tx: &mut Tx, e: &Event) -> Result<()> {
    tx.writes_access();
    let sql = "UPDATE events SET name = $3, slug = $4, description = $5, starts_at = $6, ends_at = $7,
               timezone = $8, venue = $9, updated_at = $10, shared_attendee_fields = $11,
               consent_rule = $12, consent_text = $13, consent_text_version = $14, hall_access = $15,
               retention_days = $16
               WHERE organization_id = $1 AND id = $2";
    on_tx!(tx, c => sqlx::query(sql)
        .bind(e.organization_id).bind(e.id).bind(&e.name).bind(&e.slug).bind(&e.description)
        .bind(e.starts_at).bind(e.ends_at).bind(&e.timezone).bind(&e.venue).bind(e.updated_at)
        .bind(&e.shared_attendee_fields).bind(e.consent_rule.as_str()).bind(&e.consent_text)
        .bind(e.consent_text_version).bind(e.hall_access.as_str()).bind(e.retention_days)
        .execute(c).await?.rows_affected());
    Ok(())
}

/// The event, if it belongs to `org`.
pub async fn get(tx: &mut Tx, org: Uuid, id: Uuid) -> Result<Option<Event>> {
    let sql = format!("SELECT {COLUMNS} FROM events WHERE organization_id = $1 AND id = $2");
    Ok(
        on_tx!(tx, c => sqlx::query_as::<_, Event>(sqlx::AssertSqlSafe(sql.clone())).bind(org).bind(id).fetch_optional(c).await?),
    )
}

/// A page of the organization's events in creation order, after the id `after`.
pub async fn list(tx: &mut Tx, org: Uuid, after: Option<Uuid>, limit: i64) -> Result<Vec<Event>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM events WHERE organization_id = $1 AND ($2 IS NULL OR id > $2) ORDER BY id LIMIT $3"
    );
    Ok(
        on_tx!(tx, c => sqlx::query_as::<_, Event>(sqlx::AssertSqlSafe(sql.clone())).bind(org).bind(after).bind(limit).fetch_all(c).await?),
    )
}

/// The events with these ids (any organization: the caller has been checked).
pub async fn get_many(tx: &mut Tx, ids: &[Uuid]) -> Result<Vec<Event>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let crate::sql::Sql { text, args } =
        crate::sql::Sql::ending_in(format!("SELECT {COLUMNS} FROM events WHERE id IN "), ids);
    Ok(
        on_tx!(tx, c => crate::bind_args!(sqlx::query_as::<_, Event>(sqlx::AssertSqlSafe(text.clone())), args.clone()).fetch_all(c).await?),
    )
}

/// The event by id alone (the caller's access is decided by the service).
pub async fn get_any(tx: &mut Tx, id: Uuid) -> Result<Option<Event>> {
    let sql = format!("SELECT {COLUMNS} FROM events WHERE id = $1");
    if let Some(c) = tx.direct().await? {
        return crate::direct::query_opt(c, &sql, &[id.into()], read);
    }
    Ok(on_tx!(tx, c => sqlx::query_as::<_, Event>(sqlx::AssertSqlSafe(sql.clone())).bind(id).fetch_optional(c).await?))
}

/// Whether this account is one of the event's people: an attendee of it (by the
/// platform id the account came from, or its e-mail address), a member of its
/// organization, or active staff of one of its sponsors.
pub async fn is_insider(tx: &mut Tx, event: Uuid, user: Uuid, email: &str) -> Result<bool> {
    let sql = "SELECT 1 FROM events e WHERE e.id = $1 AND (
            EXISTS (SELECT 1 FROM attendees a WHERE a.event_id = e.id AND (a.platform_user_id = $2 OR a.email = $3))
            OR EXISTS (SELECT 1 FROM organization_members m
                       WHERE m.organization_id = e.organization_id AND m.user_id = $2)
            OR EXISTS (SELECT 1 FROM sponsor_users su JOIN sponsors s ON s.id = su.sponsor_id
                       WHERE s.event_id = e.id AND su.user_id = $2 AND su.is_active))";
    let found: Option<i32> =
        on_tx!(tx, c => sqlx::query_scalar(sql).bind(event).bind(user).bind(email).fetch_optional(c).await?);
    Ok(found.is_some())
}
