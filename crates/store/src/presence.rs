//! Which of a sponsor's staff are at its booth now (table `booth_presence`): one
//! row per staff member who said so, until it lapses.

use crate::{Result, Tx, on_tx};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// The staff member is at the booth until `until` (replaces an earlier mark).
pub async fn set(tx: &mut Tx, sponsor: Uuid, user: Uuid, until: DateTime<Utc>) -> Result<()> {
    let sql = "INSERT INTO booth_presence (sponsor_id, user_id, available_until) VALUES ($1, $2, $3)
        ON CONFLICT (sponsor_id, user_id) DO UPDATE SET available_until = excluded.available_until";
    on_tx!(tx, c => sqlx::query(sql).bind(sponsor).bind(user).bind(until).execute(c).await?.rows_affected());
    Ok(())
}

/// The staff member left the booth.
pub async fn clear(tx: &mut Tx, sponsor: Uuid, user: Uuid) -> Result<()> {
    let sql = "DELETE FROM booth_presence WHERE sponsor_id = $1 AND user_id = $2";
    on_tx!(tx, c => sqlx::query(sql).bind(sponsor).bind(user).execute(c).await?.rows_affected());
    Ok(())
}

/// Until when the user is at each sponsor's booth, for the marks not lapsed at `now`.
pub async fn of_user(tx: &mut Tx, user: Uuid, now: DateTime<Utc>) -> Result<Vec<(Uuid, DateTime<Utc>)>> {
    let sql = "SELECT sponsor_id, available_until FROM booth_presence WHERE user_id = $1 AND available_until > $2";
    Ok(on_tx!(tx, c => sqlx::query_as::<_, (Uuid, DateTime<Utc>)>(sql).bind(user).bind(now).fetch_all(c).await?))
}

/// The names of the sponsor's active staff at its booth at `now`, by name.
pub async fn names_at_booth(tx: &mut Tx, sponsor: Uuid, now: DateTime<Utc>) -> Result<Vec<String>> {
    let sql = "SELECT u.name FROM booth_presence p
        JOIN sponsor_users m ON m.sponsor_id = p.sponsor_id AND m.user_id = p.user_id AND m.is_active = TRUE
        JOIN users u ON u.id = p.user_id
        WHERE p.sponsor_id = $1 AND p.available_until > $2
        ORDER BY u.name, u.id";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, String>(sql).bind(sponsor).bind(now).fetch_all(c).await?))
}
