//! Attendees of an event and their badges.

use crate::records::AttendeeRow;
use crate::sql::{Arg, Sql, like_pattern};
use crate::{Result, Tx, bind_args, on_tx};
use uuid::Uuid;

const COLUMNS: &str = "id, organization_id, event_id, platform_id, platform_user_id, name, email, company, title, phone, country, \
                       ticket_type, custom_fields, badge_generation, badge_hash, created_at, updated_at, scan_opt_out";

/// A row of [`COLUMNS`], read in place on SQLite's writer ([`crate::direct`]).
fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<AttendeeRow> {
    use crate::direct::{json, opt_string, opt_uuid, string, time, uuid};
    Ok(AttendeeRow {
        id: uuid(r, 0)?,
        organization_id: uuid(r, 1)?,
        event_id: uuid(r, 2)?,
        platform_id: opt_string(r, 3)?,
        platform_user_id: opt_uuid(r, 4)?,
        name: string(r, 5)?,
        email: opt_string(r, 6)?,
        company: opt_string(r, 7)?,
        title: opt_string(r, 8)?,
        phone: opt_string(r, 9)?,
        country: opt_string(r, 10)?,
        ticket_type: opt_string(r, 11)?,
        custom_fields: json(r, 12)?,
        badge_generation: r.get(13)?,
        badge_hash: opt_string(r, 14)?,
        created_at: time(r, 15)?,
        updated_at: time(r, 16)?,
        scan_opt_out: r.get(17)?,
    })
}

pub async fn insert(tx: &mut Tx, a: &AttendeeRow) -> Result<()> {
    let sql = "INSERT INTO attendees (id, organization_id, event_id, platform_id, name, email, company, title, phone,
               country, ticket_type, custom_fields, badge_generation, badge_hash, created_at, updated_at, platform_user_id,
               scan_opt_out)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)";
    on_tx!(tx, c => sqlx::query(sql)
        .bind(a.id).bind(a.organization_id).bind(a.event_id).bind(&a.platform_id).bind(&a.name).bind(&a.email)
        .bind(&a.company).bind(&a.title).bind(&a.phone).bind(&a.country).bind(&a.ticket_type)
        .bind(&a.custom_fields).bind(a.badge_generation).bind(&a.badge_hash).bind(a.created_at).bind(a.updated_at)
        .bind(a.platform_user_id).bind(a.scan_opt_out)
        .execute(c).await?.rows_affected());
    Ok(())
}

/// Writes every mutable column back, the badge's included.
pub async fn update(tx: &mut Tx, a: &AttendeeRow) -> Result<()> {
    let sql = "UPDATE attendees SET platform_id = $3, name = $4, email = $5, company = $6, title = $7, phone = $8,
               country = $9, ticket_type = $10, custom_fields = $11, badge_generation = $12, badge_hash = $13,
               updated_at = $14, platform_user_id = $15, scan_opt_out = $16
               WHERE event_id = $1 AND id = $2";
    on_tx!(tx, c => sqlx::query(sql)
        .bind(a.event_id).bind(a.id).bind(&a.platform_id).bind(&a.name).bind(&a.email).bind(&a.company)
        .bind(&a.title).bind(&a.phone).bind(&a.country).bind(&a.ticket_type).bind(&a.custom_fields)
        .bind(a.badge_generation).bind(&a.badge_hash).bind(a.updated_at).bind(a.platform_user_id)
        .bind(a.scan_opt_out)
        .execute(c).await?.rows_affected());
    Ok(())
}

pub async fn delete(tx: &mut Tx, event: Uuid, id: Uuid) -> Result<bool> {
    let n = on_tx!(tx, c => sqlx::query("DELETE FROM attendees WHERE event_id = $1 AND id = $2")
        .bind(event).bind(id).execute(c).await?.rows_affected());
    Ok(n > 0)
}

/// The attendee, if it belongs to the event.
pub async fn get(tx: &mut Tx, event: Uuid, id: Uuid) -> Result<Option<AttendeeRow>> {
    let sql = format!("SELECT {COLUMNS} FROM attendees WHERE event_id = $1 AND id = $2");
    Ok(on_tx!(tx, c => sqlx::query_as::<_, AttendeeRow>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(event).bind(id).fetch_optional(c).await?))
}

/// The event's attendee with this platform id.
pub async fn by_platform_id(tx: &mut Tx, event: Uuid, platform_id: &str) -> Result<Option<AttendeeRow>> {
    let sql = format!("SELECT {COLUMNS} FROM attendees WHERE event_id = $1 AND platform_id = $2");
    if let Some(c) = tx.direct().await? {
        return crate::direct::query_opt(c, &sql, &[event.into(), platform_id.into()], read);
    }
    Ok(on_tx!(tx, c => sqlx::query_as::<_, AttendeeRow>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(event).bind(platform_id).fetch_optional(c).await?))
}

/// The event's attendee with this (lowercased) e-mail address.
pub async fn by_email(tx: &mut Tx, event: Uuid, email: &str) -> Result<Option<AttendeeRow>> {
    let sql = format!("SELECT {COLUMNS} FROM attendees WHERE event_id = $1 AND email = $2");
    if let Some(c) = tx.direct().await? {
        return crate::direct::query_opt(c, &sql, &[event.into(), email.into()], read);
    }
    Ok(on_tx!(tx, c => sqlx::query_as::<_, AttendeeRow>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(event).bind(email).fetch_optional(c).await?))
}

/// The attendee whose current badge code hashes to `hash` (any event: the caller
/// compares the event).
pub async fn by_badge_hash(tx: &mut Tx, hash: &str) -> Result<Option<AttendeeRow>> {
    let sql = format!("SELECT {COLUMNS} FROM attendees WHERE badge_hash = $1");
    if let Some(c) = tx.direct().await? {
        return crate::direct::query_opt(c, &sql, &[hash.into()], read);
    }
    Ok(on_tx!(tx, c => sqlx::query_as::<_, AttendeeRow>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(hash).fetch_optional(c).await?))
}

/// A page of the event's attendees in creation order after `after`; `search`
/// (lowercase) matches part of the name, e-mail address or company.
pub async fn list(
    tx: &mut Tx,
    event: Uuid,
    search: Option<&str>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<AttendeeRow>> {
    let mut q = Sql::new(format!("SELECT {COLUMNS} FROM attendees WHERE event_id = "));
    let p = q.arg(Arg::Uuid(event));
    q.push(&p);
    if let Some(s) = search {
        let p = q.arg(Arg::Text(like_pattern(s)));
        q.push(" AND (LOWER(name) LIKE ").push(&p).push(" ESCAPE '\\' OR email LIKE ").push(&p);
        q.push(" ESCAPE '\\' OR LOWER(company) LIKE ").push(&p).push(" ESCAPE '\\')");
    }
    if let Some(after) = after {
        let p = q.arg(Arg::Uuid(after));
        q.push(" AND id > ").push(&p);
    }
    let p = q.arg(Arg::I64(limit));
    q.push(" ORDER BY id LIMIT ").push(&p);
    let Sql { text, args } = q;
    Ok(on_tx!(tx, c => bind_args!(sqlx::query_as::<_, AttendeeRow>(sqlx::AssertSqlSafe(text.clone())), args.clone())
        .fetch_all(c).await?))
}

/// The event's attendee who is this account: by the platform id the account came
/// from, else by the account's e-mail address.
pub async fn of_user(tx: &mut Tx, event: Uuid, user: Uuid, email: &str) -> Result<Option<AttendeeRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM attendees WHERE event_id = $1 AND (platform_user_id = $2 OR email = $3)
         ORDER BY CASE WHEN platform_user_id = $2 THEN 0 ELSE 1 END LIMIT 1"
    );
    Ok(on_tx!(tx, c => sqlx::query_as::<_, AttendeeRow>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(event).bind(user).bind(email).fetch_optional(c).await?))
}
