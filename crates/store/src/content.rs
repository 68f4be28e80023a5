//! Downloadable content items of a booth page (table `booth_content_items`): the
//! metadata; the bytes live in the object store under `object_key`.

use crate::{Result, Tx, on_tx};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// One content item of a sponsor's booth.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ContentItem {
    pub id: Uuid,
    pub sponsor_id: Uuid,
    pub title: String,
    pub file_name: String,
    pub content_type: String,
    pub byte_size: i64,
    pub sha256: String,
    /// Where the bytes are in the object store: random, never shown.
    pub object_key: String,
    pub created_by_user_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, sponsor_id, title, file_name, content_type, byte_size, sha256, object_key, \
    created_by_user_id, created_at, updated_at";

/// Adds an item (its object is stored already).
pub async fn insert(tx: &mut Tx, item: &ContentItem) -> Result<()> {
    let sql = "INSERT INTO booth_content_items (id, sponsor_id, title, file_name, content_type, byte_size, sha256,
            object_key, created_by_user_id, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
    on_tx!(tx, c => sqlx::query(sql)
        .bind(item.id).bind(item.sponsor_id).bind(&item.title).bind(&item.file_name).bind(&item.content_type)
        .bind(item.byte_size).bind(&item.sha256).bind(&item.object_key).bind(item.created_by_user_id)
        .bind(item.created_at).bind(item.updated_at)
        .execute(c).await?.rows_affected());
    Ok(())
}

/// The sponsor's items, in the order they were added.
pub async fn list(tx: &mut Tx, sponsor: Uuid) -> Result<Vec<ContentItem>> {
    let sql = format!("SELECT {COLUMNS} FROM booth_content_items WHERE sponsor_id = $1 ORDER BY created_at, id");
    Ok(on_tx!(tx, c => sqlx::query_as::<_, ContentItem>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(sponsor).fetch_all(c).await?))
}

/// How many items the sponsor has.
pub async fn count(tx: &mut Tx, sponsor: Uuid) -> Result<i64> {
    let sql = "SELECT COUNT(*) FROM booth_content_items WHERE sponsor_id = $1";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(sql).bind(sponsor).fetch_one(c).await?))
}

/// One item of the sponsor (an item of another sponsor is not found).
pub async fn get(tx: &mut Tx, sponsor: Uuid, id: Uuid) -> Result<Option<ContentItem>> {
    let sql = format!("SELECT {COLUMNS} FROM booth_content_items WHERE sponsor_id = $1 AND id = $2");
    Ok(on_tx!(tx, c => sqlx::query_as::<_, ContentItem>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(sponsor).bind(id).fetch_optional(c).await?))
}

/// Renames an item of the sponsor; whether there was one.
pub async fn rename(tx: &mut Tx, sponsor: Uuid, id: Uuid, title: &str, at: DateTime<Utc>) -> Result<bool> {
    let sql = "UPDATE booth_content_items SET title = $3, updated_at = $4 WHERE sponsor_id = $1 AND id = $2";
    Ok(on_tx!(tx, c => sqlx::query(sql).bind(sponsor).bind(id).bind(title).bind(at).execute(c).await?.rows_affected())
        > 0)
}

/// Removes an item of the sponsor: the object key to delete after commit, if
/// there was one.
pub async fn delete(tx: &mut Tx, sponsor: Uuid, id: Uuid) -> Result<Option<String>> {
    let sql = "DELETE FROM booth_content_items WHERE sponsor_id = $1 AND id = $2 RETURNING object_key";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, String>(sql).bind(sponsor).bind(id).fetch_optional(c).await?))
}
