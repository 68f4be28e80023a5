//! Attendee import jobs.

use crate::records::ImportJob;
use crate::{Result, Tx, on_tx};
use chrono::{DateTime, Utc};
use uuid::Uuid;

const COLUMNS: &str = "id, organization_id, event_id, created_by_user_id, file_name, status, total_rows, \
    processed_rows, created_count, updated_count, error, created_at, updated_at, finished_at";

pub async fn insert(tx: &mut Tx, j: &ImportJob) -> Result<()> {
    let sql = "INSERT INTO import_jobs (id, organization_id, event_id, created_by_user_id, file_name, status,
                   total_rows, processed_rows, created_count, updated_count, error, created_at, updated_at, finished_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";
    on_tx!(tx, c => sqlx::query(sql)
        .bind(j.id).bind(j.organization_id).bind(j.event_id).bind(j.created_by_user_id).bind(&j.file_name)
        .bind(&j.status).bind(j.total_rows).bind(j.processed_rows).bind(j.created_count).bind(j.updated_count)
        .bind(&j.error).bind(j.created_at).bind(j.updated_at).bind(j.finished_at)
        .execute(c).await?.rows_affected());
    Ok(())
}

/// The rows written so far (the job's heartbeat too).
pub async fn set_progress(tx: &mut Tx, id: Uuid, rows: i32, now: DateTime<Utc>) -> Result<()> {
    let sql = "UPDATE import_jobs SET processed_rows = $2, updated_at = $3 WHERE id = $1";
    on_tx!(tx, c => sqlx::query(sql).bind(id).bind(rows).bind(now).execute(c).await?.rows_affected());
    Ok(())
}

/// How many attendees the import created and updated.
pub async fn set_counts(tx: &mut Tx, id: Uuid, created: i32, updated: i32) -> Result<()> {
    let sql = "UPDATE import_jobs SET created_count = $2, updated_count = $3 WHERE id = $1";
    on_tx!(tx, c => sqlx::query(sql).bind(id).bind(created).bind(updated).execute(c).await?.rows_affected());
    Ok(())
}

/// Ends the job: `done`, or `failed` with why.
pub async fn finish(tx: &mut Tx, id: Uuid, error: Option<&str>, now: DateTime<Utc>) -> Result<()> {
    let status = if error.is_some() { "failed" } else { "done" };
    let sql = "UPDATE import_jobs SET status = $2, error = $3, updated_at = $4, finished_at = $4 WHERE id = $1";
    on_tx!(tx, c => sqlx::query(sql).bind(id).bind(status).bind(error).bind(now).execute(c).await?.rows_affected());
    Ok(())
}

/// The event's job.
pub async fn get(tx: &mut Tx, event: Uuid, id: Uuid) -> Result<Option<ImportJob>> {
    let sql = format!("SELECT {COLUMNS} FROM import_jobs WHERE event_id = $1 AND id = $2");
    Ok(on_tx!(tx, c => sqlx::query_as::<_, ImportJob>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(event).bind(id).fetch_optional(c).await?))
}

/// The event's latest jobs, newest first.
pub async fn recent(tx: &mut Tx, event: Uuid, limit: i64) -> Result<Vec<ImportJob>> {
    let sql =
        format!("SELECT {COLUMNS} FROM import_jobs WHERE event_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2");
    Ok(on_tx!(tx, c => sqlx::query_as::<_, ImportJob>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(event).bind(limit).fetch_all(c).await?))
}
