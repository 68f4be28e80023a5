//! Lead export as CSV or XLSX (docs/DECISIONS.md, "Lead export"): a sponsor's
//! leads with every filter of the lead list, or (organizers) every lead of an
//! event with a column naming the sponsor. One query reads them all (answers and
//! the capturer's name folded into each row), streamed in
//! chunks of [`CHUNK`] and written as they come: CSV is streamed to the caller with
//! back pressure (at most two chunks in flight); XLSX is written row by row to a
//! temporary file in rust_xlsxwriter's constant-memory mode, then streamed.
//! Memory stays flat whatever the number of leads. Every export is recorded.

use crate::authz::{SponsorAccess, event_of_org};
use crate::leads::{LeadQuery, parse_filter};
use crate::{Error, Principal, Result, Services};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sponsorhub_domain::scoring::InteractionType;
use sponsorhub_domain::{ids, time, validate};
use sponsorhub_store::exports::{ExportRow, ExportScope};
use sponsorhub_store::leads::{LeadFilter, LeadSort};
use sponsorhub_store::records::{JsonColumn, LeadExport, Question};
use sponsorhub_store::{events, exports as q, questions, sponsors};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use uuid::Uuid;

/// Leads handed from the query to the writer at a time.
pub const CHUNK: usize = 500;

/// Exports that may run at once on one instance; one more is refused with 429.
pub const MAX_RUNNING: usize = 4;

/// How long a download may stall (the client reading nothing) before the export
/// stops and gives its database connection back.
const STALL: Duration = Duration::from_secs(120);

/// The file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// RFC 4180, UTF-8.
    #[default]
    Csv,
    /// An Excel workbook.
    Xlsx,
}

impl ExportFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// The filters of a sponsor's export: those of the lead list, without paging.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct ExportQuery {
    /// csv (default) or xlsx
    #[cfg_attr(feature = "openapi", param(value_type = Option<ExportFormat>))]
    pub format: Option<ExportFormat>,
    /// Start a CSV file with a byte-order mark, for Excel (default false).
    pub bom: Option<bool>,
    /// hot, warm or cold
    #[cfg_attr(feature = "openapi", param(value_type = Option<sponsorhub_domain::IntentLevel>))]
    pub intent_level: Option<String>,
    /// new, contacted, qualified, not_interested or converted
    #[cfg_attr(feature = "openapi", param(value_type = Option<sponsorhub_domain::FollowUpStatus>))]
    pub follow_up_status: Option<String>,
    pub is_starred: Option<bool>,
    /// Include archived leads (default false).
    pub include_archived: Option<bool>,
    /// Part of the attendee's name, e-mail or company.
    pub search: Option<String>,
    /// Only leads scoring at least this.
    #[cfg_attr(feature = "openapi", param(minimum = 0, maximum = 100))]
    pub min_score: Option<i32>,
    /// Only leads changed at or after this time.
    pub updated_since: Option<DateTime<Utc>>,
    /// `last_interaction` (default), `score` or `created`.
    #[cfg_attr(feature = "openapi", param(value_type = Option<crate::leads::LeadSortName>))]
    pub sort: Option<String>,
    /// Only these leads: comma-separated ids (hyphenated), at most 200.
    #[cfg_attr(
        feature = "openapi",
        param(
            pattern = "^$|^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(,[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}){0,199}$"
        )
    )]
    pub ids: Option<String>,
}

/// The ids of a selection, as the export's `ids` names them.
pub fn parse_ids(raw: Option<&str>) -> Result<Option<Vec<Uuid>>> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else { return Ok(None) };
    let ids = raw
        .split(',')
        .map(|s| Uuid::parse_str(s.trim()))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|_| Error::invalid("ids", "must be lead ids separated by commas"))?;
    if ids.len() > crate::leads::MAX_BULK {
        return Err(Error::invalid("ids", format!("at most {} leads", crate::leads::MAX_BULK)));
    }
    Ok(Some(ids))
}

impl ExportQuery {
    /// The lead list's query these filters make.
    pub fn leads(&self) -> LeadQuery {
        LeadQuery {
            intent_level: self.intent_level.clone(),
            follow_up_status: self.follow_up_status.clone(),
            is_starred: self.is_starred,
            include_archived: self.include_archived,
            search: self.search.clone(),
            min_score: self.min_score,
            updated_since: self.updated_since,
            sort: self.sort.clone(),
            limit: None,
            cursor: None,
        }
    }
}

/// The options of an organizer's export of an event.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct EventExportQuery {
    /// csv (default) or xlsx
    #[cfg_attr(feature = "openapi", param(value_type = Option<ExportFormat>))]
    pub format: Option<ExportFormat>,
    /// Start a CSV file with a byte-order mark, for Excel (default false).
    pub bom: Option<bool>,
    /// Include archived leads (default false).
    pub include_archived: Option<bool>,
}

/// An export on its way: the file's name and type, and its bytes as they come.
pub struct ExportFile {
    pub file_name: String,
    pub format: ExportFormat,
    /// Chunks of the file, in order; an `Err` ends the file early.
    pub body: mpsc::Receiver<std::io::Result<Vec<u8>>>,
}

/// One cell of an exported row.
#[derive(Debug, Clone, PartialEq)]
enum Cell<'a> {
    Text(&'a str),
    Owned(String),
    Int(i64),
    Bool(bool),
    Time(DateTime<Utc>),
    Empty,
}

fn text(s: &Option<String>) -> Cell<'_> {
    s.as_deref().map_or(Cell::Empty, Cell::Text)
}

/// A text cell as a spreadsheet may not read it as a formula (OWASP's CSV
/// injection): one starting with `=`, `+`, `-`, `@`, a tab or a carriage return
/// gets a leading apostrophe.
pub fn neutralize(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}").into() } else { s.into() }
}

/// What the columns are.
struct Plan {
    /// The event-wide export names each lead's sponsor.
    sponsors: Option<HashMap<Uuid, String>>,
    /// The custom fields the event shares.
    custom: Vec<String>,
    /// The booth's questions (a sponsor's export); the event-wide export has one
    /// column of all answers.
    questions: Vec<Question>,
    /// Every question's prompt, for the event-wide export's answers column.
    prompts: HashMap<Uuid, String>,
}

impl Plan {
    fn header(&self) -> Vec<String> {
        let mut h: Vec<String> = Vec::new();
        if self.sponsors.is_some() {
            h.push("Sponsor".into());
        }
        h.extend(["Name", "Company", "E-mail", "Title", "Phone", "Country"].map(String::from));
        h.extend(self.custom.iter().cloned());
        h.extend(
            [
                "Score",
                "Level",
                "Status",
                "Tags",
                "Follow-up notes",
                "Contact notes",
                "Starred",
                "Archived",
                "First interaction",
                "Last interaction",
                "Interactions",
            ]
            .map(String::from),
        );
        h.extend(InteractionType::ALL.iter().map(|t| format!("Points: {}", t.as_str())));
        if self.sponsors.is_some() {
            h.push("Answers".into());
        } else {
            h.extend(self.questions.iter().map(|q| q.prompt.clone()));
        }
        h.extend(["Consent basis", "Captured by"].map(String::from));
        h
    }

    /// The lead's cells, in the header's order, handed to `cell` one by one.
    fn row<'a>(&'a self, l: &'a ExportRow, mut cell: impl FnMut(Cell<'a>)) {
        if let Some(names) = &self.sponsors {
            cell(names.get(&l.sponsor_id).map_or(Cell::Empty, |n| Cell::Text(n)));
        }
        for f in [&l.user_name, &l.user_company, &l.user_email, &l.user_title, &l.user_phone, &l.user_country] {
            cell(text(f));
        }
        for name in &self.custom {
            cell(match l.user_fields.0.get(name) {
                Some(serde_json::Value::String(s)) => Cell::Text(s),
                Some(serde_json::Value::Null) | None => Cell::Empty,
                Some(v) => Cell::Owned(v.to_string()),
            });
        }
        cell(Cell::Int(i64::from(l.intent_score)));
        cell(Cell::Text(&l.intent_level));
        cell(Cell::Text(&l.follow_up_status));
        cell(match l.tags.0.as_slice() {
            [] => Cell::Empty,
            [one] => Cell::Text(one),
            many => Cell::Owned(many.join(", ")),
        });
        cell(text(&l.follow_up_notes));
        cell(text(&l.contact_notes));
        cell(Cell::Bool(l.is_starred));
        cell(Cell::Bool(l.is_archived));
        cell(Cell::Time(l.first_interaction_at));
        cell(Cell::Time(l.last_interaction_at));
        cell(Cell::Int(i64::from(l.interaction_count)));
        for t in InteractionType::ALL {
            cell(Cell::Int(l.points_by_type.0.get(t.as_str()).copied().unwrap_or(0)));
        }
        let answers: Vec<(Uuid, serde_json::Value)> = match l.answers.as_deref() {
            None | Some("[]") => Vec::new(),
            Some(json) => serde_json::from_str::<Vec<(Uuid, serde_json::Value)>>(json).unwrap_or_default(),
        };
        if self.sponsors.is_some() {
            let mut all: Vec<String> = answers
                .iter()
                .map(|(q, a)| format!("{}: {}", self.prompts.get(q).map_or("?", String::as_str), answer_text(a)))
                .collect();
            all.sort();
            cell(if all.is_empty() { Cell::Empty } else { Cell::Owned(all.join("; ")) });
        } else {
            for q in &self.questions {
                cell(
                    answers
                        .iter()
                        .find(|(id, _)| *id == q.id)
                        .map_or(Cell::Empty, |(_, a)| Cell::Owned(answer_text(a))),
                );
            }
        }
        cell(text(&l.consent_basis));
        cell(text(&l.captured_by));
    }
}

/// An answer as a cell's text: choices joined with commas.
fn answer_text(a: &serde_json::Value) -> String {
    match a {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(", "),
        v => v.to_string(),
    }
}

/// Which leads an export reads.
enum Source {
    Sponsor { id: Uuid, filter: LeadFilter, sort: LeadSort },
    Event { id: Uuid, include_archived: bool },
}

impl Source {
    fn scope(&self) -> ExportScope<'_> {
        match self {
            Source::Sponsor { id, filter, sort } => ExportScope::Sponsor { id: *id, filter, sort: *sort },
            Source::Event { id, include_archived } => {
                ExportScope::Event { id: *id, include_archived: *include_archived }
            }
        }
    }
}

/// A place among the exports that may run at once, or 429.
fn admit(svc: &Services) -> Result<tokio::sync::OwnedSemaphorePermit> {
    svc.exports.clone().try_acquire_owned().map_err(|_| Error::RateLimited { retry_after_secs: 10 })
}

/// A sponsor's leads as a file (organizers, and staff who may export leads),
/// with the lead list's filters and order.
#[tracing::instrument(skip_all, fields(sponsor.id = %sponsor_id))]
pub async fn export_sponsor(
    svc: &Services,
    p: &Principal,
    sponsor_id: Uuid,
    query: LeadQuery,
    ids: Option<Vec<Uuid>>,
    format: ExportFormat,
    bom: bool,
) -> Result<ExportFile> {
    let (mut filter, sort) = parse_filter(&query)?;
    filter.ids = ids.clone();
    let mut tx = svc.store.read().await?;
    let access = SponsorAccess::load(&mut tx, p, sponsor_id).await?;
    access.require_export()?;
    let sponsor = access.sponsor.clone();
    let event = events::get_any(&mut tx, sponsor.event_id).await?.ok_or(Error::NotFound("sponsor"))?;
    let plan = Plan {
        sponsors: None,
        custom: event.shared_attendee_fields.0.custom_fields.clone(),
        questions: questions::list(&mut tx, sponsor_id, true).await?,
        prompts: HashMap::new(),
    };
    drop(tx);
    let permit = admit(svc)?;
    let mut filters = serde_json::to_value(&query).unwrap_or_default();
    if let (Some(ids), Some(map)) = (&ids, filters.as_object_mut()) {
        map.insert("ids".into(), serde_json::json!(ids));
    }
    let file_name = format!(
        "leads-{}-{}.{}",
        validate::slugify(&sponsor.company_name),
        time::now().format("%Y-%m-%d"),
        format.as_str()
    );
    let record = record_of(p, event.id, Some(sponsor_id), format, filters);
    let source = Source::Sponsor { id: sponsor_id, filter, sort };
    Ok(start(svc, permit, plan, source, format, bom, record, file_name))
}

/// Every lead of the event, a column naming its sponsor (organizers).
#[tracing::instrument(skip_all, fields(event.id = %event_id))]
pub async fn export_event(
    svc: &Services,
    p: &Principal,
    org: Option<Uuid>,
    event_id: Uuid,
    include_archived: bool,
    format: ExportFormat,
    bom: bool,
) -> Result<ExportFile> {
    let mut tx = svc.store.read().await?;
    let event = event_of_org(&mut tx, p, org, event_id, true).await?;
    let all = sponsors::SponsorFilter { include_archived: true, ..Default::default() };
    let names = sponsors::list_for_event(&mut tx, event_id, &all, None, 100_000)
        .await?
        .into_iter()
        .map(|s| (s.id, s.company_name))
        .collect();
    let plan = Plan {
        sponsors: Some(names),
        custom: event.shared_attendee_fields.0.custom_fields.clone(),
        questions: Vec::new(),
        prompts: q::event_prompts(&mut tx, event_id).await?.into_iter().collect(),
    };
    drop(tx);
    let permit = admit(svc)?;
    let file_name =
        format!("leads-{}-{}.{}", validate::slugify(&event.name), time::now().format("%Y-%m-%d"), format.as_str());
    let filters = serde_json::json!({ "include_archived": include_archived });
    let record = record_of(p, event_id, None, format, filters);
    let source = Source::Event { id: event_id, include_archived };
    Ok(start(svc, permit, plan, source, format, bom, record, file_name))
}

fn record_of(
    p: &Principal,
    event: Uuid,
    sponsor: Option<Uuid>,
    f: ExportFormat,
    filters: serde_json::Value,
) -> LeadExport {
    LeadExport {
        id: ids::new_id(),
        event_id: event,
        sponsor_id: sponsor,
        user_id: p.user_id,
        user_name: None,
        format: f.as_str().into(),
        filters: JsonColumn(filters),
        row_count: 0,
        completed: false,
        created_at: time::now(),
    }
}

/// Starts the task that reads the leads and writes the file.
#[allow(clippy::too_many_arguments)]
fn start(
    svc: &Services,
    permit: tokio::sync::OwnedSemaphorePermit,
    plan: Plan,
    source: Source,
    format: ExportFormat,
    bom: bool,
    mut record: LeadExport,
    file_name: String,
) -> ExportFile {
    let (tx, rx) = mpsc::channel::<std::io::Result<Vec<u8>>>(2);
    let svc = svc.clone();
    tokio::spawn(async move {
        let plan = Arc::new(plan);
        let outcome = match format {
            ExportFormat::Csv => write_csv(&svc, plan, source, bom, &tx).await,
            ExportFormat::Xlsx => write_xlsx(plan, read(&svc, source), &tx).await,
        };
        drop(permit);
        match outcome {
            Ok((rows, completed)) => {
                record.row_count = rows;
                record.completed = completed;
            }
            Err(e) => {
                tracing::warn!(error = %e, "a lead export stopped");
                let _ = tx.send(Err(std::io::Error::other(e.to_string()))).await;
            }
        }
        let saved = async {
            let mut w = svc.store.write().await?;
            q::record(&mut w, &record).await?;
            let now = sponsorhub_domain::time::now();
            crate::webhooks::leads_exported(&mut w, record.event_id, record.sponsor_id, &record, now).await?;
            w.commit().await?;
            Ok::<_, Error>(())
        };
        if let Err(e) = saved.await {
            tracing::error!(error = %e, "a lead export could not be recorded");
        }
    });
    ExportFile { file_name, format, body: rx }
}

/// The leads of the export in chunks, read by one query in a task of its own, one
/// chunk ahead of the writer (at most two wait, so memory stays flat). The query
/// ends when the receiver is dropped.
fn read(svc: &Services, source: Source) -> mpsc::Receiver<Result<Vec<ExportRow>>> {
    let (tx, rx) = mpsc::channel(2);
    let svc = svc.clone();
    tokio::spawn(async move {
        let scope = source.scope();
        let (rows, mut from_store) = mpsc::channel(2);
        let forward = async {
            while let Some(chunk) = from_store.recv().await {
                if tx.send(Ok(chunk)).await.is_err() {
                    break;
                }
            }
        };
        let (streamed, ()) = tokio::join!(q::stream(&svc.store, scope, CHUNK, q::Rows::default(), rows), forward);
        if let Err(e) = streamed {
            let _ = tx.send(Err(e.into())).await;
        }
    });
    rx
}

/// Hands a chunk of the file to the caller; `false` when the caller went away or
/// read nothing for [`STALL`].
async fn send(out: &mpsc::Sender<std::io::Result<Vec<u8>>>, chunk: Vec<u8>) -> bool {
    matches!(tokio::time::timeout(STALL, out.send(Ok(chunk))).await, Ok(Ok(())))
}

/// The CSV writer, run by the reader on its own thread for every row
/// (docs/PERFORMANCE.md, "Writing where the rows are read"): each chunk of
/// rows becomes bytes there, with the number of rows in it.
struct CsvSink {
    plan: Arc<Plan>,
    w: csv::Writer<Vec<u8>>,
    int: itoa::Buffer,
    rows: i32,
    failed: Option<csv::Error>,
}

impl q::ExportSink for CsvSink {
    type Chunk = (Vec<u8>, i32);

    fn row(&mut self, l: &ExportRow) -> bool {
        let Self { plan, w, int, failed, .. } = self;
        plan.row(l, |c| {
            let written = match c {
                Cell::Text(s) => w.write_field(neutralize(s).as_bytes()),
                Cell::Owned(s) => w.write_field(neutralize(&s).as_bytes()),
                Cell::Int(i) => w.write_field(int.format(i)),
                Cell::Bool(b) => w.write_field(if b { "true" } else { "false" }),
                // RFC 3339 in UTC to the second (chrono's own writer for it)
                Cell::Time(t) => w.write_field(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                Cell::Empty => w.write_field(""),
            };
            if let Err(e) = written {
                failed.get_or_insert(e);
            }
        });
        if let Err(e) = w.write_record(None::<&[u8]>) {
            failed.get_or_insert(e);
        }
        self.rows += 1;
        self.failed.is_none()
    }

    fn take(&mut self) -> (Vec<u8>, i32) {
        let bytes = match std::mem::replace(&mut self.w, chunk_writer()).into_inner() {
            Ok(bytes) => bytes,
            Err(e) => {
                self.failed.get_or_insert(e.into_error().into());
                Vec::new()
            }
        };
        (bytes, std::mem::take(&mut self.rows))
    }
}

fn chunk_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().from_writer(Vec::with_capacity(CHUNK * 256))
}

/// CSV, chunk by chunk onto the channel, written by the reader (`CsvSink`).
/// Answers the rows sent and whether the file was finished (the caller may stop
/// reading).
async fn write_csv(
    svc: &Services,
    plan: Arc<Plan>,
    source: Source,
    bom: bool,
    out: &mpsc::Sender<std::io::Result<Vec<u8>>>,
) -> Result<(i32, bool)> {
    let csv_error = |e: csv::Error| Error::Internal(e.into());
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record(plan.header().iter().map(|h| neutralize(h).into_owned())).map_err(csv_error)?;
    let mut head = if bom { "\u{feff}".as_bytes().to_vec() } else { Vec::new() };
    head.extend(w.into_inner().map_err(|e| Error::Internal(anyhow::anyhow!("{e}")))?);
    if !send(out, head).await {
        return Ok((0, false));
    }
    let sink = CsvSink { plan, w: chunk_writer(), int: itoa::Buffer::new(), rows: 0, failed: None };
    // at most two chunks wait between the reader and the caller
    let (chunks_in, mut chunks) = mpsc::channel::<(Vec<u8>, i32)>(2);
    let forward = async move {
        let mut rows = 0i32;
        while let Some((bytes, n)) = chunks.recv().await {
            if !send(out, bytes).await {
                // dropping `chunks` stops the reader
                return (rows, false);
            }
            rows = rows.saturating_add(n);
        }
        (rows, true)
    };
    let (read, (rows, finished)) = tokio::join!(q::stream(&svc.store, source.scope(), CHUNK, sink, chunks_in), forward);
    if let Some(e) = read?.failed {
        return Err(csv_error(e));
    }
    Ok((rows, finished))
}

/// XLSX: chunks go to a blocking thread that writes the workbook in constant
/// memory to a temporary file; the file is then sent in chunks.
async fn write_xlsx(
    plan: Arc<Plan>,
    mut chunks: mpsc::Receiver<Result<Vec<ExportRow>>>,
    out: &mpsc::Sender<std::io::Result<Vec<u8>>>,
) -> Result<(i32, bool)> {
    let (pages, mut receiver) = mpsc::channel::<Vec<ExportRow>>(2);
    let header = plan.header();
    let writer = tokio::task::spawn_blocking(move || -> Result<std::fs::File> {
        use rust_xlsxwriter::{Format, Workbook};
        let fail = |e: rust_xlsxwriter::XlsxError| Error::Internal(e.into());
        let mut book = Workbook::new();
        let sheet = book.add_worksheet_with_constant_memory().map_err(fail)?;
        sheet.set_name("Leads").map_err(fail)?;
        sheet.set_freeze_panes(1, 0).map_err(fail)?;
        let bold = Format::new().set_bold();
        let date = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
        for (c, h) in header.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, h, &bold).map_err(fail)?;
        }
        let mut r: u32 = 0;
        while let Some(leads) = receiver.blocking_recv() {
            for l in &leads {
                r += 1;
                let mut c: u16 = 0;
                let mut failed = None;
                plan.row(l, |cell| {
                    let written = match cell {
                        Cell::Text(s) => sheet.write_string(r, c, s).map(|_| ()),
                        Cell::Owned(s) => sheet.write_string(r, c, s).map(|_| ()),
                        Cell::Int(i) => sheet.write_number(r, c, i as f64).map(|_| ()),
                        Cell::Bool(b) => sheet.write_boolean(r, c, b).map(|_| ()),
                        Cell::Time(t) => sheet.write_datetime_with_format(r, c, t.naive_utc(), &date).map(|_| ()),
                        Cell::Empty => Ok(()),
                    };
                    if let Err(e) = written {
                        failed.get_or_insert(e);
                    }
                    c += 1;
                });
                if let Some(e) = failed {
                    return Err(fail(e));
                }
            }
        }
        let last_col = header.len().saturating_sub(1) as u16;
        sheet.autofilter(0, 0, r, last_col).map_err(fail)?;
        let mut file = tempfile::tempfile().map_err(|e| Error::Internal(e.into()))?;
        {
            let mut w = std::io::BufWriter::new(&mut file);
            book.save_to_writer(&mut w).map_err(fail)?;
            std::io::Write::flush(&mut w).map_err(|e| Error::Internal(e.into()))?;
        }
        Ok(file)
    });
    let mut rows = 0i32;
    while let Some(chunk) = chunks.recv().await {
        let leads = chunk?;
        rows += i32::try_from(leads.len()).unwrap_or(i32::MAX);
        if pages.send(leads).await.is_err() {
            break;
        }
    }
    drop(pages);
    let mut file = writer.await.map_err(|e| Error::Internal(e.into()))??;
    // Sent in chunks of 64 KiB, read on a blocking thread each.
    use std::io::{Read, Seek};
    file.rewind().map_err(|e| Error::Internal(e.into()))?;
    let mut file = Some(file);
    loop {
        let mut f = file.take().expect("the file");
        let (f, chunk) = tokio::task::spawn_blocking(move || {
            let mut buf = vec![0u8; 64 * 1024];
            let n = f.read(&mut buf);
            (
                f,
                n.map(|n| {
                    buf.truncate(n);
                    buf
                }),
            )
        })
        .await
        .map_err(|e| Error::Internal(e.into()))?;
        let chunk = chunk.map_err(|e| Error::Internal(e.into()))?;
        if chunk.is_empty() {
            break;
        }
        if !send(out, chunk).await {
            return Ok((rows, false));
        }
        file = Some(f);
    }
    Ok((rows, true))
}

/// The sponsor's exports, newest first (sponsor admins and organizers).
pub async fn list_sponsor_exports(svc: &Services, p: &Principal, sponsor_id: Uuid) -> Result<Vec<LeadExport>> {
    let mut tx = svc.store.read().await?;
    let access = SponsorAccess::load(&mut tx, p, sponsor_id).await?;
    access.require_team_admin()?;
    Ok(q::list(&mut tx, access.sponsor.event_id, Some(sponsor_id), 100).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralized() {
        for bad in ["=SUM(A1)", "+1", "-2+3", "@cmd", "\tx", "\ry"] {
            assert!(neutralize(bad).starts_with('\''), "{bad:?}");
        }
        for fine in ["Ada", "a=b", " =x", ""] {
            assert_eq!(neutralize(fine), fine);
        }
    }
}
