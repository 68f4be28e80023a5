//! Attendees' opt-ins to sponsors (docs/DECISIONS.md, "Consent").

use crate::records::AttendeeConsent;
use crate::{Result, Tx, on_tx};
use uuid::Uuid;

const COLUMNS: &str = "attendee_id, sponsor_id, event_id, given_at, text_version";

/// Records the opt-in, or renews it (time and text version) when it exists.
pub async fn give(tx: &mut Tx, c: &AttendeeConsent) -> Result<()> {
    let sql = "INSERT INTO attendee_consents (attendee_id, sponsor_id, event_id, given_at, text_version)
               VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (attendee_id, sponsor_id) DO UPDATE SET given_at = $4, text_version = $5";
    on_tx!(tx, x => sqlx::query(sql)
        .bind(c.attendee_id).bind(c.sponsor_id).bind(c.event_id).bind(c.given_at).bind(c.text_version)
        .execute(x).await?.rows_affected());
    Ok(())
}

/// Withdraws the opt-in; `true` when there was one.
pub async fn withdraw(tx: &mut Tx, attendee: Uuid, sponsor: Uuid) -> Result<bool> {
    let sql = "DELETE FROM attendee_consents WHERE attendee_id = $1 AND sponsor_id = $2";
    let n = on_tx!(tx, x => sqlx::query(sql).bind(attendee).bind(sponsor).execute(x).await?.rows_affected());
    Ok(n == 1)
}

/// The attendee's opt-in to the sponsor, if any.
pub async fn get(tx: &mut Tx, attendee: Uuid, sponsor: Uuid) -> Result<Option<AttendeeConsent>> {
    let sql = format!("SELECT {COLUMNS} FROM attendee_consents WHERE attendee_id = $1 AND sponsor_id = $2");
    if let Some(c) = tx.direct().await? {
        use crate::direct::{time, uuid};
        let read = |r: &rusqlite::Row<'_>| {
            Ok(AttendeeConsent {
                attendee_id: uuid(r, 0)?,
                sponsor_id: uuid(r, 1)?,
                event_id: uuid(r, 2)?,
                given_at: time(r, 3)?,
                text_version: r.get(4)?,
            })
        };
        return crate::direct::query_opt(c, &sql, &[attendee.into(), sponsor.into()], read);
    }
    Ok(on_tx!(tx, x => sqlx::query_as::<_, AttendeeConsent>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(attendee).bind(sponsor).fetch_optional(x).await?))
}

/// Every opt-in of the attendee (at most one per sponsor of their event).
pub async fn of_attendee(tx: &mut Tx, attendee: Uuid) -> Result<Vec<AttendeeConsent>> {
    let sql = format!("SELECT {COLUMNS} FROM attendee_consents WHERE attendee_id = $1 ORDER BY sponsor_id");
    Ok(on_tx!(tx, x => sqlx::query_as::<_, AttendeeConsent>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(attendee).fetch_all(x).await?))
}
