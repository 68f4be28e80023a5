//! Booth pages (table `sponsor_booths`), one per sponsor.

use crate::records::JsonColumn;
use crate::{Result, Tx, on_tx};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// When the booth is open on one day of the event (times in the event's zone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpeningHours {
    /// The day, YYYY-MM-DD.
    pub day: chrono::NaiveDate,
    /// HH:MM
    pub opens: String,
    /// HH:MM, after `opens`
    pub closes: String,
}

/// A link on the booth page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BoothLink {
    pub label: String,
    /// http or https
    pub url: String,
}

/// A sponsor's booth page.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Booth {
    pub sponsor_id: Uuid,
    pub hall: Option<String>,
    pub description_md: Option<String>,
    /// `description_md` rendered and sanitized when it was saved.
    pub description_html: Option<String>,
    pub opening_hours: JsonColumn<Vec<OpeningHours>>,
    pub links: JsonColumn<Vec<BoothLink>>,
    pub demo_video_url: Option<String>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str =
    "sponsor_id, hall, description_md, description_html, opening_hours, links, demo_video_url, updated_at";

/// The sponsor's booth page, if one was written.
pub async fn get(tx: &mut Tx, sponsor: Uuid) -> Result<Option<Booth>> {
    let sql = format!("SELECT {COLUMNS} FROM sponsor_booths WHERE sponsor_id = $1");
    Ok(
        on_tx!(tx, c => sqlx::query_as::<_, Booth>(sqlx::AssertSqlSafe(sql.clone())).bind(sponsor).fetch_optional(c).await?),
    )
}

/// Writes the booth page, replacing the one before.
pub async fn put(tx: &mut Tx, b: &Booth) -> Result<()> {
    let sql = "INSERT INTO sponsor_booths (sponsor_id, hall, description_md, description_html, opening_hours, links,
            demo_video_url, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT (sponsor_id) DO UPDATE SET hall = excluded.hall, description_md = excluded.description_md,
            description_html = excluded.description_html, opening_hours = excluded.opening_hours,
            links = excluded.links, demo_video_url = excluded.demo_video_url, updated_at = excluded.updated_at";
    on_tx!(tx, c => sqlx::query(sql)
        .bind(b.sponsor_id).bind(&b.hall).bind(&b.description_md).bind(&b.description_html)
        .bind(&b.opening_hours).bind(&b.links).bind(&b.demo_video_url).bind(b.updated_at)
        .execute(c).await?.rows_affected());
    Ok(())
}
