//! Uploaded sponsor logos (table `sponsor_logos`), one per sponsor.

use crate::sql::Sql;
use crate::{Result, Tx, bind_args, on_tx};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A stored logo, bytes and all.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Logo {
    pub sponsor_id: Uuid,
    pub content_type: String,
    pub content: Vec<u8>,
    pub sha256: String,
    pub updated_at: DateTime<Utc>,
}

/// A logo's version (its content hash), without the bytes.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LogoVersion {
    pub sponsor_id: Uuid,
    pub sha256: String,
}

/// Stores the sponsor's logo, replacing the one before.
pub async fn put(tx: &mut Tx, logo: &Logo) -> Result<()> {
    let sql = "INSERT INTO sponsor_logos (sponsor_id, content_type, content, sha256, byte_size, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (sponsor_id) DO UPDATE SET content_type = excluded.content_type, content = excluded.content,
            sha256 = excluded.sha256, byte_size = excluded.byte_size, updated_at = excluded.updated_at";
    let size = i32::try_from(logo.content.len()).unwrap_or(i32::MAX);
    on_tx!(tx, c => sqlx::query(sql)
        .bind(logo.sponsor_id).bind(&logo.content_type).bind(&logo.content).bind(&logo.sha256).bind(size)
        .bind(logo.updated_at)
        .execute(c).await?.rows_affected());
    Ok(())
}

/// Removes the sponsor's logo; whether there was one.
pub async fn delete(tx: &mut Tx, sponsor: Uuid) -> Result<bool> {
    let sql = "DELETE FROM sponsor_logos WHERE sponsor_id = $1";
    Ok(on_tx!(tx, c => sqlx::query(sql).bind(sponsor).execute(c).await?.rows_affected()) > 0)
}

/// The sponsor's logo with its bytes.
pub async fn get(tx: &mut Tx, sponsor: Uuid) -> Result<Option<Logo>> {
    let sql = "SELECT sponsor_id, content_type, content, sha256, updated_at FROM sponsor_logos WHERE sponsor_id = $1";
    Ok(on_tx!(tx, c => sqlx::query_as::<_, Logo>(sql).bind(sponsor).fetch_optional(c).await?))
}

/// The logo versions of the sponsors `ids` that have one: one query for a page.
pub async fn versions(tx: &mut Tx, ids: &[Uuid]) -> Result<Vec<LogoVersion>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new("SELECT sponsor_id, sha256 FROM sponsor_logos WHERE sponsor_id IN ");
    let list = q.in_list(ids);
    q.push(&list);
    let Sql { text, args } = q;
    Ok(on_tx!(tx, c => bind_args!(sqlx::query_as::<_, LogoVersion>(sqlx::AssertSqlSafe(text.clone())), args.clone())
        .fetch_all(c).await?))
}

/// The logo versions of the event's sponsors that have one.
pub async fn versions_for_event(tx: &mut Tx, event: Uuid) -> Result<Vec<LogoVersion>> {
    let sql = "SELECT g.sponsor_id, g.sha256 FROM sponsor_logos g JOIN sponsors s ON s.id = g.sponsor_id
        WHERE s.event_id = $1";
    Ok(on_tx!(tx, c => sqlx::query_as::<_, LogoVersion>(sql).bind(event).fetch_all(c).await?))
}
