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
#[derive(Debug, Clone, Default)]
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
    // JSON as text on PostgreSQL too, so both readers parse it borrowed
    let json = match backend {
        Backend::Sqlite => "user_fields, tags, points_by_type",
        Backend::Postgres => "user_fields::text, tags::text, points_by_type::text",
    };
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
        "id, sponsor_id, user_name, user_company, user_email, user_title, user_phone, user_country, \
         intent_score, intent_level, follow_up_status, follow_up_notes, contact_notes, is_starred, is_archived, \
         first_interaction_at, last_interaction_at, interaction_count, consent_basis, {json}, \
         (SELECT u.name FROM users u WHERE u.id = sponsor_leads.consent_by_user_id) AS captured_by, \
         {answers} AS answers"
    )
}

/// Where an export's rows go. The reader hands it every row, borrowed, on the
/// reader's own thread (a blocking thread on SQLite, which reuses one row's
/// buffers for the next), and sends what each `chunk` rows became to the writer's
/// side: so a CSV is written where the rows are read, and no row is built on one
/// thread and freed on another (docs/PERFORMANCE.md, "Writing where the rows are read").
pub trait ExportSink: Send + 'static {
    /// What a chunk of rows becomes.
    type Chunk: Send + 'static;
    /// Takes one row; `false` stops the export (the sink keeps why).
    fn row(&mut self, row: &ExportRow) -> bool;
    /// What the rows since the last call became.
    fn take(&mut self) -> Self::Chunk;
}

/// A sink that keeps the rows themselves, `chunk` at a time.
#[derive(Default)]
pub struct Rows(Vec<ExportRow>);

impl ExportSink for Rows {
    type Chunk = Vec<ExportRow>;
    fn row(&mut self, row: &ExportRow) -> bool {
        self.0.push(row.clone());
        true
    }
    fn take(&mut self) -> Vec<ExportRow> {
        std::mem::take(&mut self.0)
    }
}

/// Streams the leads of `scope` in one query through `sink`, sending what each
/// `chunk` rows became to `out`; stops early when `out` is closed or the sink
/// says so, and hands the sink back. One statement reads them all, so the export
/// is one consistent snapshot.
///
/// On SQLite the statement runs on a connection of its own (rusqlite, on a
/// blocking thread) rather than through sqlx, whose worker thread hands every row
/// over a channel: that hop was most of an export's time (docs/PERFORMANCE.md,
/// "One query per export").
pub async fn stream<S: ExportSink>(
    store: &Store,
    scope: ExportScope<'_>,
    chunk: usize,
    mut sink: S,
    out: mpsc::Sender<S::Chunk>,
) -> Result<S> {
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
        return tokio::task::spawn_blocking(move || sqlite::stream(&file, busy, q, chunk, sink, &out))
            .await
            .map_err(|e| StoreError::Unavailable(format!("the export's reader stopped: {e}")))?;
    }
    let mut tx = store.read().await?;
    let Sql { text, args } = q;
    tx.count_query();
    let crate::TxConn::Postgres(c) = &mut tx.conn else {
        return Err(StoreError::Database(sqlx::Error::Protocol("a SQLite export reads through rusqlite".into())));
    };
    // The planner's estimate for the per-row subqueries passes the JIT's
    // threshold, and compiling cost more than half the query's time
    // (docs/PERFORMANCE.md, "Writing where the rows are read").
    sqlx::query("SET LOCAL jit = off").execute(&mut **c).await?;
    {
        let mut rows = bind_args!(sqlx::query(sqlx::AssertSqlSafe(text)), args).fetch(&mut **c);
        // one row whose buffers every row reuses
        let mut row = ExportRow::default();
        let mut pending = 0;
        while let Some(r) = rows.try_next().await? {
            postgres::fill(&r, &mut row)?;
            if !sink.row(&row) {
                return Ok(sink);
            }
            pending += 1;
            if pending >= chunk {
                pending = 0;
                if out.send(sink.take()).await.is_err() {
                    return Ok(sink);
                }
            }
        }
        if pending > 0 {
            let _ = out.send(sink.take()).await;
        }
    }
    Ok(sink)
}

/// A text column into `dst`, keeping its buffer.
fn set_text(dst: &mut Option<String>, src: Option<&str>) {
    match (src, dst.as_mut()) {
        (None, _) => *dst = None,
        (Some(t), Some(d)) => {
            d.clear();
            d.push_str(t);
        }
        (Some(t), None) => *dst = Some(t.to_owned()),
    }
}

fn set_required(dst: &mut String, src: &str) {
    dst.clear();
    dst.push_str(src);
}

/// The custom fields; `{}` (most leads') is not parsed.
fn set_fields(dst: &mut serde_json::Map<String, serde_json::Value>, text: &str) -> serde_json::Result<()> {
    match text {
        "{}" => dst.clear(),
        _ => *dst = serde_json::from_str(text)?,
    }
    Ok(())
}

/// The tags into `dst`, reusing its strings.
fn set_tags(dst: &mut Vec<String>, text: &str) -> serde_json::Result<()> {
    if text == "[]" {
        dst.clear();
        return Ok(());
    }
    let tags: Vec<Text<'_>> = serde_json::from_str(text)?;
    dst.truncate(tags.len());
    for (n, t) in tags.iter().enumerate() {
        match dst.get_mut(n) {
            Some(d) => set_required(d, &t.0),
            None => dst.push(t.0.to_string()),
        }
    }
    Ok(())
}

/// The points per interaction type into `dst`, reusing its keys: the types
/// are few and the same from lead to lead.
fn set_points(dst: &mut std::collections::BTreeMap<String, i64>, text: &str) -> serde_json::Result<()> {
    let parsed = match text {
        "{}" => Vec::new(),
        text => serde_json::from_str::<PointsList<'_>>(text)?.0,
    };
    dst.retain(|k, _| parsed.iter().any(|(p, _)| p == k));
    for (k, v) in parsed {
        match dst.get_mut(k.as_ref()) {
            Some(d) => *d = v,
            None => {
                dst.insert(k.into_owned(), v);
            }
        }
    }
    Ok(())
}

/// A JSON string, borrowed from the column's text unless it has escapes
/// (serde's own `Cow<str>` always copies).
struct Text<'a>(std::borrow::Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for Text<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> std::result::Result<Self::Value, E> {
                Ok(Text(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
                Ok(Text(std::borrow::Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

/// A JSON object of points read as its list of pairs, the keys borrowed.
struct PointsList<'a>(Vec<(std::borrow::Cow<'a, str>, i64)>);

impl<'de> serde::Deserialize<'de> for PointsList<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Pairs;
        impl<'de> serde::de::Visitor<'de> for Pairs {
            type Value = PointsList<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of points per interaction type")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> std::result::Result<Self::Value, A::Error> {
                let mut pairs = Vec::with_capacity(m.size_hint().unwrap_or(4));
                while let Some((k, v)) = m.next_entry::<Text<'de>, i64>()? {
                    pairs.push((k.0, v));
                }
                Ok(PointsList(pairs))
            }
        }
        d.deserialize_map(Pairs)
    }
}

/// The PostgreSQL side of [`stream`]: sqlx's rows, read borrowed into one row.
mod postgres {
    use super::ExportRow;
    use sqlx::Row;
    use sqlx::postgres::PgRow;

    fn json(i: usize, r: serde_json::Result<()>) -> sqlx::Result<()> {
        r.map_err(|e| sqlx::Error::ColumnDecode { index: i.to_string(), source: Box::new(e) })
    }

    /// A row of the export's columns (`export_columns`), in their order, into `l`.
    pub(super) fn fill(r: &PgRow, l: &mut ExportRow) -> sqlx::Result<()> {
        l.id = r.try_get(0)?;
        l.sponsor_id = r.try_get(1)?;
        super::set_text(&mut l.user_name, r.try_get(2)?);
        super::set_text(&mut l.user_company, r.try_get(3)?);
        super::set_text(&mut l.user_email, r.try_get(4)?);
        super::set_text(&mut l.user_title, r.try_get(5)?);
        super::set_text(&mut l.user_phone, r.try_get(6)?);
        super::set_text(&mut l.user_country, r.try_get(7)?);
        l.intent_score = r.try_get(8)?;
        super::set_required(&mut l.intent_level, r.try_get(9)?);
        super::set_required(&mut l.follow_up_status, r.try_get(10)?);
        super::set_text(&mut l.follow_up_notes, r.try_get(11)?);
        super::set_text(&mut l.contact_notes, r.try_get(12)?);
        l.is_starred = r.try_get(13)?;
        l.is_archived = r.try_get(14)?;
        l.first_interaction_at = r.try_get(15)?;
        l.last_interaction_at = r.try_get(16)?;
        l.interaction_count = r.try_get(17)?;
        super::set_text(&mut l.consent_basis, r.try_get(18)?);
        json(19, super::set_fields(&mut l.user_fields.0, r.try_get(19)?))?;
        json(20, super::set_tags(&mut l.tags.0, r.try_get(20)?))?;
        json(21, super::set_points(&mut l.points_by_type.0, r.try_get(21)?))?;
        super::set_text(&mut l.captured_by, r.try_get(22)?);
        super::set_text(&mut l.answers, r.try_get(23)?);
        Ok(())
    }
}

/// The SQLite side of [`stream`]: rusqlite on a read-only connection of its own.
mod sqlite {
    use super::{ExportRow, ExportSink, set_fields, set_points, set_required, set_tags, set_text};
    use crate::direct::{conversion, text, time, uuid};
    use crate::sql::{Arg, Sql};
    use crate::{Result, StoreError};
    use chrono::SecondsFormat;
    use rusqlite::types::Type;
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

    pub(super) fn stream<S: ExportSink>(
        file: &Path,
        busy: Duration,
        q: Sql,
        chunk: usize,
        mut sink: S,
        out: &mpsc::Sender<S::Chunk>,
    ) -> Result<S> {
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
        // one row whose buffers every row reuses
        let mut row = ExportRow::default();
        let mut pending = 0;
        while let Some(r) = rows.next().map_err(failed)? {
            fill(r, &mut row).map_err(failed)?;
            if !sink.row(&row) {
                return Ok(sink);
            }
            pending += 1;
            if pending >= chunk {
                pending = 0;
                if out.blocking_send(sink.take()).is_err() {
                    return Ok(sink);
                }
            }
        }
        if pending > 0 {
            let _ = out.blocking_send(sink.take());
        }
        Ok(sink)
    }

    fn required<'r>(r: &'r Row<'_>, i: usize) -> rusqlite::Result<&'r str> {
        Ok(r.get_ref(i)?.as_str()?)
    }

    fn json(i: usize, r: serde_json::Result<()>) -> rusqlite::Result<()> {
        r.map_err(|e| conversion(i, Type::Text, e))
    }

    /// A row of the export's columns (`export_columns`), in their order, into
    /// `l`, whose strings keep their buffers from row to row.
    fn fill(r: &Row<'_>, l: &mut ExportRow) -> rusqlite::Result<()> {
        l.id = uuid(r, 0)?;
        l.sponsor_id = uuid(r, 1)?;
        set_text(&mut l.user_name, text(r, 2)?);
        set_text(&mut l.user_company, text(r, 3)?);
        set_text(&mut l.user_email, text(r, 4)?);
        set_text(&mut l.user_title, text(r, 5)?);
        set_text(&mut l.user_phone, text(r, 6)?);
        set_text(&mut l.user_country, text(r, 7)?);
        l.intent_score = r.get(8)?;
        set_required(&mut l.intent_level, required(r, 9)?);
        set_required(&mut l.follow_up_status, required(r, 10)?);
        set_text(&mut l.follow_up_notes, text(r, 11)?);
        set_text(&mut l.contact_notes, text(r, 12)?);
        l.is_starred = r.get(13)?;
        l.is_archived = r.get(14)?;
        l.first_interaction_at = time(r, 15)?;
        l.last_interaction_at = time(r, 16)?;
        l.interaction_count = r.get(17)?;
        set_text(&mut l.consent_basis, text(r, 18)?);
        json(19, set_fields(&mut l.user_fields.0, required(r, 19)?))?;
        json(20, set_tags(&mut l.tags.0, required(r, 20)?))?;
        json(21, set_points(&mut l.points_by_type.0, required(r, 21)?))?;
        set_text(&mut l.captured_by, text(r, 22)?);
        set_text(&mut l.answers, text(r, 23)?);
        Ok(())
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
