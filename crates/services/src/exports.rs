//! Lead export as CSV or XLSX (docs/DECISIONS.md, "Lead export"): a sponsor's
//! leads with every filter of the lead list, or (organizers) every lead of an
//! event with a column naming the sponsor. Leads are read in pages of [`PAGE`],
//! each page with its interaction points, answers and capturers in three more
//! queries, and written as they come: CSV is streamed to the caller with back
//! pressure (at most two pages in flight); XLSX is written row by row to a
//! temporary file in rust_xlsxwriter's constant-memory mode, then streamed.
//! Memory stays flat whatever the number of leads. Every export is recorded.

use crate::authz::{SponsorAccess, event_of_org};
use crate::leads::{LeadQuery, parse_filter};
use crate::{Error, Principal, Result, Services};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sponsorhub_domain::scoring::InteractionType;
use sponsorhub_domain::{ids, time, validate};
use sponsorhub_store::leads::{LeadFilter, LeadPosition, LeadSort};
use sponsorhub_store::records::{Answer, JsonColumn, Lead, LeadExport, Question};
use sponsorhub_store::{events, exports as q, leads, questions, sponsors};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::mpsc;
use uuid::Uuid;

/// Leads read per page.
pub const PAGE: i64 = 500;

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
enum Cell {
    Text(String),
    Int(i64),
    Bool(bool),
    Time(DateTime<Utc>),
    Empty,
}

fn text(s: &Option<String>) -> Cell {
    s.as_ref().map_or(Cell::Empty, |s| Cell::Text(s.clone()))
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

    fn row(&self, l: &Lead, page: &PageData) -> Vec<Cell> {
        let mut r = Vec::new();
        if let Some(names) = &self.sponsors {
            r.push(names.get(&l.sponsor_id).map_or(Cell::Empty, |n| Cell::Text(n.clone())));
        }
        for f in [&l.user_name, &l.user_company, &l.user_email, &l.user_title, &l.user_phone, &l.user_country] {
            r.push(text(f));
        }
        for name in &self.custom {
            r.push(match l.user_fields.0.get(name) {
                Some(serde_json::Value::String(s)) => Cell::Text(s.clone()),
                Some(serde_json::Value::Null) | None => Cell::Empty,
                Some(v) => Cell::Text(v.to_string()),
            });
        }
        r.push(Cell::Int(i64::from(l.intent_score)));
        r.push(Cell::Text(l.intent_level.as_str().into()));
        r.push(Cell::Text(l.follow_up_status.as_str().into()));
        r.push(Cell::Text(l.tags.0.join(", ")));
        r.push(text(&l.follow_up_notes));
        r.push(text(&l.contact_notes));
        r.push(Cell::Bool(l.is_starred));
        r.push(Cell::Bool(l.is_archived));
        r.push(Cell::Time(l.first_interaction_at));
        r.push(Cell::Time(l.last_interaction_at));
        r.push(Cell::Int(i64::from(l.interaction_count)));
        for t in InteractionType::ALL {
            r.push(page.points.get(&(l.id, t.as_str())).map_or(Cell::Int(0), |p| Cell::Int(*p)));
        }
        let answer_text = |a: &Answer| match &a.value.0 {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Array(items) => items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                .collect::<Vec<_>>()
                .join(", "),
            v => v.to_string(),
        };
        if self.sponsors.is_some() {
            let mut all: Vec<String> = page
                .answers
                .iter()
                .filter(|((lead, _), _)| *lead == l.id)
                .map(|((_, q), a)| format!("{}: {}", page.prompts.get(q).map_or("?", String::as_str), answer_text(a)))
                .collect();
            all.sort();
            r.push(if all.is_empty() { Cell::Empty } else { Cell::Text(all.join("; ")) });
        } else {
            for q in &self.questions {
                r.push(page.answers.get(&(l.id, q.id)).map_or(Cell::Empty, |a| Cell::Text(answer_text(a))));
            }
        }
        r.push(text(&l.consent_basis));
        r.push(l.consent_by_user_id.and_then(|u| page.names.get(&u)).map_or(Cell::Empty, |n| Cell::Text(n.clone())));
        r
    }
}

/// What one page of leads needs beside the leads.
#[derive(Default)]
struct PageData {
    points: HashMap<(Uuid, &'static str), i64>,
    answers: HashMap<(Uuid, Uuid), Answer>,
    names: HashMap<Uuid, String>,
    /// Question prompts, for the event-wide export's answers column.
    prompts: HashMap<Uuid, String>,
}

/// Which leads an export reads, page by page.
enum Source {
    Sponsor { id: Uuid, filter: LeadFilter, sort: LeadSort },
    Event { id: Uuid, include_archived: bool },
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
    };
    drop(tx);
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
    Ok(start(svc, plan, Source::Sponsor { id: sponsor_id, filter, sort }, format, bom, record, file_name))
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
    };
    drop(tx);
    let file_name =
        format!("leads-{}-{}.{}", validate::slugify(&event.name), time::now().format("%Y-%m-%d"), format.as_str());
    let filters = serde_json::json!({ "include_archived": include_archived });
    let record = record_of(p, event_id, None, format, filters);
    Ok(start(svc, plan, Source::Event { id: event_id, include_archived }, format, bom, record, file_name))
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
fn start(
    svc: &Services,
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
        let (plan, source) = (Arc::new(plan), Arc::new(source));
        let outcome = match format {
            ExportFormat::Csv => write_csv(&svc, plan, source, bom, &tx).await,
            ExportFormat::Xlsx => write_xlsx(&svc, plan, source, &tx).await,
        };
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

/// The next page of leads after `after`, with what its rows need.
async fn page(
    svc: &Services,
    plan: &Plan,
    source: &Source,
    after: Option<&LeadPosition>,
) -> Result<(Vec<Lead>, PageData)> {
    let mut tx = svc.store.read().await?;
    let rows = match source {
        Source::Sponsor { id, filter, sort } => {
            leads::list(&mut tx, *id, filter, *sort, after.map(|a| (a, leads::Direction::After)), PAGE).await?
        }
        Source::Event { id, include_archived } => {
            let after = match after {
                Some(LeadPosition::Created(id)) => Some(*id),
                _ => None,
            };
            leads::list_event(&mut tx, *id, *include_archived, after, PAGE).await?
        }
    };
    let ids: Vec<Uuid> = rows.iter().map(|l| l.id).collect();
    let mut data = PageData::default();
    for (lead, kind, _, points) in q::points_by_type(&mut tx, &ids).await? {
        if let Ok(t) = kind.parse::<InteractionType>() {
            data.points.insert((lead, t.as_str()), points);
        }
    }
    let answers = q::answers_of(&mut tx, &ids).await?;
    if plan.sponsors.is_some() {
        let mut seen: Vec<Uuid> = answers.iter().map(|a| a.sponsor_id).collect();
        seen.sort();
        seen.dedup();
        for s in seen {
            for question in questions::list(&mut tx, s, true).await? {
                data.prompts.insert(question.id, question.prompt);
            }
        }
    }
    data.answers = answers.into_iter().map(|a| ((a.lead_id, a.question_id), a)).collect();
    let mut users: Vec<Uuid> = rows.iter().filter_map(|l| l.consent_by_user_id).collect();
    users.sort();
    users.dedup();
    data.names = q::user_names(&mut tx, &users).await?.into_iter().collect();
    Ok((rows, data))
}

/// The pages of the export, read one ahead of the writer: a task fetches the next
/// page while the previous one is written (at most two wait, so memory stays flat).
fn prefetch(svc: &Services, plan: Arc<Plan>, source: Arc<Source>) -> mpsc::Receiver<Result<(Vec<Lead>, PageData)>> {
    let (tx, rx) = mpsc::channel(2);
    let svc = svc.clone();
    tokio::spawn(async move {
        let mut after = None;
        loop {
            let fetched = page(&svc, &plan, &source, after.as_ref()).await;
            let (more, next) = match &fetched {
                Ok((leads, _)) => ((leads.len() as i64) == PAGE, leads.last().map(|l| position(&source, l))),
                Err(_) => (false, None),
            };
            if tx.send(fetched).await.is_err() || !more {
                break;
            }
            after = next;
        }
    });
    rx
}

fn position(source: &Source, l: &Lead) -> LeadPosition {
    match source {
        Source::Sponsor { sort, .. } => LeadPosition::of(*sort, l),
        Source::Event { .. } => LeadPosition::Created(l.id),
    }
}

/// CSV, page by page onto the channel. Answers the rows written and whether the
/// file was finished (the caller may stop reading).
async fn write_csv(
    svc: &Services,
    plan: Arc<Plan>,
    source: Arc<Source>,
    bom: bool,
    out: &mpsc::Sender<std::io::Result<Vec<u8>>>,
) -> Result<(i32, bool)> {
    let csv_error = |e: csv::Error| Error::Internal(e.into());
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record(plan.header().iter().map(|h| neutralize(h).into_owned())).map_err(csv_error)?;
    let mut head = if bom { "\u{feff}".as_bytes().to_vec() } else { Vec::new() };
    head.extend(w.into_inner().map_err(|e| Error::Internal(anyhow::anyhow!("{e}")))?);
    if out.send(Ok(head)).await.is_err() {
        return Ok((0, false));
    }
    let mut rows = 0i32;
    let mut pages = prefetch(svc, plan.clone(), source);
    while let Some(fetched) = pages.recv().await {
        let (leads, data) = fetched?;
        if leads.is_empty() {
            break;
        }
        let mut w = csv::WriterBuilder::new().from_writer(Vec::with_capacity(leads.len() * 256));
        for l in &leads {
            let cells = plan.row(l, &data).into_iter().map(|c| match c {
                Cell::Text(s) => neutralize(&s).into_owned(),
                Cell::Int(i) => i.to_string(),
                Cell::Bool(b) => b.to_string(),
                Cell::Time(t) => t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                Cell::Empty => String::new(),
            });
            w.write_record(cells).map_err(csv_error)?;
        }
        let chunk = w.into_inner().map_err(|e| Error::Internal(anyhow::anyhow!("{e}")))?;
        rows += i32::try_from(leads.len()).unwrap_or(i32::MAX);
        if out.send(Ok(chunk)).await.is_err() {
            return Ok((rows, false));
        }
    }
    Ok((rows, true))
}

/// XLSX: pages go to a blocking thread that writes the workbook in constant
/// memory to a temporary file; the file is then sent in chunks.
async fn write_xlsx(
    svc: &Services,
    plan: Arc<Plan>,
    source: Arc<Source>,
    out: &mpsc::Sender<std::io::Result<Vec<u8>>>,
) -> Result<(i32, bool)> {
    let (pages, mut receiver) = mpsc::channel::<Vec<Vec<Cell>>>(2);
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
        while let Some(rows) = receiver.blocking_recv() {
            for cells in rows {
                r += 1;
                for (c, cell) in cells.into_iter().enumerate() {
                    let c = c as u16;
                    match cell {
                        Cell::Text(s) => sheet.write_string(r, c, s).map(|_| ()),
                        Cell::Int(i) => sheet.write_number(r, c, i as f64).map(|_| ()),
                        Cell::Bool(b) => sheet.write_boolean(r, c, b).map(|_| ()),
                        Cell::Time(t) => sheet.write_datetime_with_format(r, c, t.naive_utc(), &date).map(|_| ()),
                        Cell::Empty => Ok(()),
                    }
                    .map_err(fail)?;
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
    let mut fetched_pages = prefetch(svc, plan.clone(), source);
    while let Some(fetched) = fetched_pages.recv().await {
        let (leads, data) = fetched?;
        if leads.is_empty() {
            break;
        }
        rows += i32::try_from(leads.len()).unwrap_or(i32::MAX);
        let cells: Vec<Vec<Cell>> = leads.iter().map(|l| plan.row(l, &data)).collect();
        if pages.send(cells).await.is_err() {
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
        if out.send(Ok(chunk)).await.is_err() {
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
