//! What lead exports read, and the record of each export.

use crate::leads::{LeadFilter, LeadSort};
use crate::records::{JsonColumn, LeadExport};
use crate::sql::{Arg, Sql};
use crate::{Backend, Result, Store, StoreError, Tx, bind_args, on_tx};
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use tokio::sync::mpsc;
use uuid::Uuid;

/// One exported lead: the lead's own columns (its points per interaction type
/// among them), the name of whoever captured it, and its answers folded into one
/// column, so that the whole export is one query (docs/PERFORMANCE.md, "Exporting 100,000 leads").
#[derive(Debug, sqlx::FromRow)]
pub struct ExportRow {
    pub id: Uuid,
    pub sponsor_id: Uuid,
    pub user_name: Option<String>,
    pub user_company: Option<String>,
    pub user_email: Option<String>,
    pub user_title: Option<String>,
    pub user_phone: Option<String>,
    pub user_country: Option<String>,
    pub user_fields: JsonColumn<serde_json::Map<String, serde_json::Value>>,
    pub intent_score: i32,
    pub intent_level: String,
    pub follow_up_status: String,
    pub tags: JsonColumn<Vec<String>>,
    pub follow_up_notes: Option<String>,
    pub contact_notes: Option<String>,
    pub is_starred: bool,
    pub is_archived: bool,
    pub first_interaction_at: DateTime<Utc>,
    pub last_interaction_at: DateTime<Utc>,
    pub interaction_count: i32,
    pub consent_basis: Option<String>,
    /// The points of its interactions per interaction type.
    pub points_by_type: JsonColumn<std::collections::BTreeMap<String, i64>>,
    /// The name of the staff member who captured the lead.
    pub captured_by: Option<String>,
    /// A JSON array of `[question id, answer]` pairs; `None` or `[]` without any.
    pub answers: Option<String>,
}

/// Which leads an export reads.
pub enum ExportScope<'a> {
    /// A sponsor's leads matching the lead list's filters, in its order.
    Sponsor { id: Uuid, filter: &'a LeadFilter, sort: LeadSort },
    /// Every lead of an event, in id order.
    Event { id: Uuid, include_archived: bool },
}

fn export_columns(backend: Backend) -> String {
    let answers = match backend {
        Backend::Sqlite => {
            "(SELECT json_group_array(json_array(lower(hex(a.question_id)), json(a.value))) FROM lead_answers a
              WHERE a.lead_id = sponsor_leads.id)"
        }
        Backend::Postgres => {
            "(SELECT json_agg(json_build_array(a.question_id, a.value))::text FROM lead_answers a
              WHERE a.lead_id = sponsor_leads.id)"
        }
    };
    format!(
        "id, sponsor_id, user_name, user_company, user_email, user_title, user_phone, user_country, user_fields, \
         intent_score, intent_level, follow_up_status, tags, follow_up_notes, contact_notes, is_starred, is_archived, \
         first_interaction_at, last_interaction_at, interaction_count, consent_basis, points_by_type, \
         (SELECT u.name FROM users u WHERE u.id = sponsor_leads.consent_by_user_id) AS captured_by, \
         {answers} AS answers"
    )
}

/// Streams the leads of `scope` in one query, sending them to `out` in chunks of
/// `chunk`; stops early when `out` is closed. One statement reads them all, so the
/// export is one consistent snapshot.
///
/// On SQLite the statement runs on a connection of its own (rusqlite, on a
/// blocking thread) rather than through sqlx, whose worker thread hands every row
/// over a channel: that hop was most of an export's time (docs/PERFORMANCE.md,
/// "One query per export").
pub async fn stream(
    store: &Store,
    scope: ExportScope<'_>,
    chunk: usize,
    out: mpsc::Sender<Vec<ExportRow>>,
) -> Result<()> {
    let columns = export_columns(store.backend());
    let q = match scope {
        ExportScope::Sponsor { id, filter, sort } => {
            let mut q = crate::leads::filtered(&columns, id, filter);
            q.push(match sort {
                LeadSort::Score => " ORDER BY intent_score DESC, id DESC",
                LeadSort::LastInteraction => " ORDER BY last_interaction_at DESC, id DESC",
                LeadSort::Created => " ORDER BY id DESC",
            });
            q
        }
        ExportScope::Event { id, include_archived } => {
            let mut q = Sql::new(format!("SELECT {columns} FROM sponsor_leads WHERE event_id = "));
            let p = q.arg(Arg::Uuid(id));
            q.push(&p);
            if !include_archived {
                q.push(" AND is_archived = FALSE");
            }
            q.push(" ORDER BY id");
            q
        }
    };
    if let Some((file, busy)) = store.sqlite_file() {
        store.count_query();
        let file = file.to_path_buf();
        return tokio::task::spawn_blocking(move || sqlite::stream(&file, busy, q, chunk, &out))
            .await
            .map_err(|e| StoreError::Unavailable(format!("the export's reader stopped: {e}")))?;
    }
    let mut tx = store.read().await?;
    let Sql { text, args } = q;
    on_tx!(&mut tx, c => {
        let mut rows = bind_args!(sqlx::query_as::<_, ExportRow>(sqlx::AssertSqlSafe(text.clone())), args.clone()).fetch(c);
        let mut buf = Vec::with_capacity(chunk);
        while let Some(row) = rows.try_next().await? {
            buf.push(row);
            if buf.len() >= chunk && out.send(std::mem::replace(&mut buf, Vec::with_capacity(chunk))).await.is_err() {
                return Ok(());
            }
        }
        if !buf.is_empty() {
            let _ = out.send(buf).await;
        }
    });
    Ok(())
}

/// The SQLite side of [`stream`]: rusqlite on a read-only connection of its own.
mod sqlite {
    use super::ExportRow;
    use crate::records::JsonColumn;
    use crate::sql::{Arg, Sql};
    use crate::{Result, StoreError};
    use chrono::{DateTime, SecondsFormat, Utc};
    use rusqlite::types::{Type, ValueRef};
    use rusqlite::{OpenFlags, Row};
    use std::path::Path;
    use std::time::Duration;
    use tokio::sync::mpsc;

    fn failed(e: rusqlite::Error) -> StoreError {
        use rusqlite::ErrorCode::*;
        match e.sqlite_error_code() {
            Some(
                DatabaseBusy | DatabaseLocked | OutOfMemory | ReadOnly | SystemIoFailure | DatabaseCorrupt | DiskFull
                | CannotOpen,
            ) => StoreError::Unavailable(e.to_string()),
            _ => StoreError::Database(sqlx::Error::Protocol(format!("export read: {e}"))),
        }
    }

    pub(super) fn stream(
        file: &Path,
        busy: Duration,
        q: Sql,
        chunk: usize,
        out: &mpsc::Sender<Vec<ExportRow>>,
    ) -> Result<()> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = rusqlite::Connection::open_with_flags(file, flags).map_err(failed)?;
        conn.busy_timeout(busy).map_err(failed)?;
        let mut stmt = conn.prepare(&q.text).map_err(failed)?;
        for (n, arg) in q.args.iter().enumerate() {
            // `$n` is a named parameter to SQLite, numbered where it first appears.
            let Some(i) = stmt.parameter_index(&format!("${}", n + 1)).map_err(failed)? else { continue };
            match arg {
                Arg::Uuid(v) => stmt.raw_bind_parameter(i, &v.as_bytes()[..]),
                Arg::Text(v) => stmt.raw_bind_parameter(i, v),
                Arg::Bool(v) => stmt.raw_bind_parameter(i, v),
                Arg::I32(v) => stmt.raw_bind_parameter(i, v),
                Arg::I64(v) => stmt.raw_bind_parameter(i, v),
                // as sqlx writes times to SQLite, so that they compare as text
                Arg::Time(v) => stmt.raw_bind_parameter(i, v.to_rfc3339_opts(SecondsFormat::AutoSi, false)),
            }
            .map_err(failed)?;
        }
        let mut rows = stmt.raw_query();
        let mut buf = Vec::with_capacity(chunk);
        while let Some(r) = rows.next().map_err(failed)? {
            buf.push(row(r).map_err(failed)?);
            if buf.len() >= chunk && out.blocking_send(std::mem::replace(&mut buf, Vec::with_capacity(chunk))).is_err()
            {
                return Ok(());
            }
        }
        if !buf.is_empty() {
            let _ = out.blocking_send(buf);
        }
        Ok(())
    }

    fn conversion(i: usize, t: Type, e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
        rusqlite::Error::FromSqlConversionFailure(i, t, Box::new(e))
    }

    fn json<T: serde::de::DeserializeOwned>(r: &Row<'_>, i: usize) -> rusqlite::Result<JsonColumn<T>> {
        let text = r.get_ref(i)?.as_str()?;
        serde_json::from_str(text).map(JsonColumn).map_err(|e| conversion(i, Type::Text, e))
    }

    fn time(r: &Row<'_>, i: usize) -> rusqlite::Result<DateTime<Utc>> {
        match r.get_ref(i)? {
            // as sqlx writes them; anything else through rusqlite's own reading
            ValueRef::Text(t) => match std::str::from_utf8(t).ok().and_then(|t| DateTime::parse_from_rfc3339(t).ok()) {
                Some(t) => Ok(t.with_timezone(&Utc)),
                None => r.get(i),
            },
            _ => r.get(i),
        }
    }

    fn uuid(r: &Row<'_>, i: usize) -> rusqlite::Result<uuid::Uuid> {
        match r.get_ref(i)? {
            ValueRef::Blob(b) => uuid::Uuid::from_slice(b).map_err(|e| conversion(i, Type::Blob, e)),
            v => Err(rusqlite::Error::InvalidColumnType(i, "uuid".into(), v.data_type())),
        }
    }

    /// A row of the export's columns (`export_columns`), in their order.
    fn row(r: &Row<'_>) -> rusqlite::Result<ExportRow> {
        Ok(ExportRow {
            id: uuid(r, 0)?,
            sponsor_id: uuid(r, 1)?,
            user_name: r.get(2)?,
            user_company: r.get(3)?,
            user_email: r.get(4)?,
            user_title: r.get(5)?,
            user_phone: r.get(6)?,
            user_country: r.get(7)?,
            user_fields: json(r, 8)?,
            intent_score: r.get(9)?,
            intent_level: r.get(10)?,
            follow_up_status: r.get(11)?,
            tags: json(r, 12)?,
            follow_up_notes: r.get(13)?,
            contact_notes: r.get(14)?,
            is_starred: r.get(15)?,
            is_archived: r.get(16)?,
            first_interaction_at: time(r, 17)?,
            last_interaction_at: time(r, 18)?,
            interaction_count: r.get(19)?,
            consent_basis: r.get(20)?,
            points_by_type: json(r, 21)?,
            captured_by: r.get(22)?,
            answers: r.get(23)?,
        })
    }
}

/// The prompts of every question of the event's sponsors (archived ones too).
pub async fn event_prompts(tx: &mut Tx, event: Uuid) -> Result<Vec<(Uuid, String)>> {
    let sql = "SELECT q.id, q.prompt FROM qualification_questions q JOIN sponsors s ON s.id = q.sponsor_id
               WHERE s.event_id = $1";
    Ok(on_tx!(tx, c => sqlx::query_as::<_, (Uuid, String)>(sql).bind(event).fetch_all(c).await?))
}

pub async fn record(tx: &mut Tx, e: &LeadExport) -> Result<()> {
    let sql = "INSERT INTO lead_exports (id, event_id, sponsor_id, user_id, format, filters, row_count, completed, created_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    on_tx!(tx, c => sqlx::query(sql)
        .bind(e.id).bind(e.event_id).bind(e.sponsor_id).bind(e.user_id).bind(&e.format).bind(&e.filters)
        .bind(e.row_count).bind(e.completed).bind(e.created_at)
        .execute(c).await?.rows_affected());
    Ok(())
}

/// The sponsor's exports (or, with `None`, the event's own), newest first.
pub async fn list(tx: &mut Tx, event: Uuid, sponsor: Option<Uuid>, limit: i64) -> Result<Vec<LeadExport>> {
    let cols = "x.id, x.event_id, x.sponsor_id, x.user_id, u.name AS user_name, x.format, x.filters, x.row_count, \
                x.completed, x.created_at";
    let sql = match sponsor {
        Some(_) => format!(
            "SELECT {cols} FROM lead_exports x LEFT JOIN users u ON u.id = x.user_id
             WHERE x.sponsor_id = $1 ORDER BY x.created_at DESC, x.id DESC LIMIT $2"
        ),
        None => format!(
            "SELECT {cols} FROM lead_exports x LEFT JOIN users u ON u.id = x.user_id
             WHERE x.event_id = $1 AND x.sponsor_id IS NULL ORDER BY x.created_at DESC, x.id DESC LIMIT $2"
        ),
    };
    let key = sponsor.unwrap_or(event);
    Ok(on_tx!(tx, c => sqlx::query_as::<_, LeadExport>(sqlx::AssertSqlSafe(sql.clone())).bind(key).bind(limit)
        .fetch_all(c).await?))
}
