//! An event's attendees: the list, printable badges, and imports of CSV or XLSX
//! files as jobs with their progress.

use super::*;
use axum::extract::Multipart;
use axum::http::HeaderMap;
use sponsorhub_services::attendees::{self, AttendeeQuery, ImportReport};
use sponsorhub_services::imports::{self, ImportJobView};

pub struct AttendeeItem {
    pub name: String,
    pub email: String,
    pub company: String,
    pub ticket_type: String,
    pub badge: &'static str,
}

pub struct ImportItem {
    pub file_name: String,
    pub status: String,
    pub percent: i32,
    pub processed: i32,
    pub total: i32,
    pub created: i32,
    pub updated: i32,
    pub error: String,
    pub when: String,
}

impl ImportItem {
    fn of(j: ImportJobView) -> ImportItem {
        ImportItem {
            file_name: j.job.file_name.unwrap_or_else(|| "Upload".into()),
            status: j.job.status,
            percent: j.percent,
            processed: j.job.processed_rows,
            total: j.job.total_rows,
            created: j.job.created_count,
            updated: j.job.updated_count,
            error: j.job.error.unwrap_or_default(),
            when: view::when(&j.job.created_at),
        }
    }
}

/// One bad cell of a file, as the page lists it.
pub struct RowProblem {
    pub row: i32,
    pub column: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "attendees.html")]
struct AttendeesPage {
    ctx: Ctx,
    event: EventItem,
    org_id: Uuid,
    items: Vec<AttendeeItem>,
    search: String,
    next: Option<String>,
    imports: Vec<ImportItem>,
    /// An import is running: the page refreshes itself.
    running: bool,
    /// A file checked without importing it.
    preview: Option<ImportReport>,
    /// What was wrong with the file uploaded.
    file_error: Option<String>,
    problems: Vec<RowProblem>,
}

#[derive(Deserialize, Default)]
pub struct AttendeesQuery {
    search: Option<String>,
    cursor: Option<String>,
}

pub async fn attendees_page(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(event_id): Path<Uuid>,
    Query(q): Query<AttendeesQuery>,
) -> Result<Response, WebError> {
    page(&s, ctx, &p, event_id, q, Outcome::default()).await
}

#[derive(Default)]
struct Outcome {
    preview: Option<ImportReport>,
    file_error: Option<String>,
    problems: Vec<RowProblem>,
}

async fn page(
    s: &AppState,
    ctx: Ctx,
    p: &Principal,
    event_id: Uuid,
    q: AttendeesQuery,
    outcome: Outcome,
) -> Result<Response, WebError> {
    let svc = &s.services;
    let event = events::get_event(svc, p, None, event_id).await?;
    let search = opt(&q.search);
    let query = AttendeeQuery { search: search.clone(), limit: Some(50), cursor: opt(&q.cursor) };
    // The imports first: when one shows as finished, the list read after it holds
    // its attendees (read the other way round, a job finishing in between showed
    // as done over a list without them, and the page stopped refreshing).
    let imports: Vec<ImportItem> =
        imports::recent(svc, p, None, event_id).await?.into_iter().map(ImportItem::of).collect();
    let list = attendees::list_attendees(svc, p, None, event_id, query).await?;
    let items = list
        .items
        .into_iter()
        .map(|a| AttendeeItem {
            name: a.name,
            email: a.email.unwrap_or_default(),
            company: a.company.unwrap_or_default(),
            ticket_type: a.ticket_type.unwrap_or_default(),
            badge: if a.scan_opt_out {
                "Opted out of scanning"
            } else if a.badge_code.is_some() {
                "Valid"
            } else {
                "Revoked"
            },
        })
        .collect();
    let running = imports.iter().any(|i| i.status == "running");
    let failed = outcome.file_error.is_some() || !outcome.problems.is_empty();
    let mut res = html(&AttendeesPage {
        ctx,
        org_id: event.organization_id,
        event: EventItem::of(&event),
        items,
        search: search.unwrap_or_default(),
        next: list.next_cursor,
        imports,
        running,
        preview: outcome.preview,
        file_error: outcome.file_error,
        problems: outcome.problems,
    });
    if failed {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

/// The upload form: `_csrf`, `file`, and `check_only` for a preview.
pub async fn import_attendees(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(event_id): Path<Uuid>,
    headers: HeaderMap,
    mut form: Multipart,
) -> Result<Response, WebError> {
    let (mut csrf, mut check_only, mut file, mut file_name) = (String::new(), false, Vec::new(), None);
    while let Some(field) = form.next_field().await.map_err(|_| WebError::BadForm)? {
        match field.name().unwrap_or_default() {
            "_csrf" => csrf = field.text().await.map_err(|_| WebError::BadForm)?,
            "check_only" => check_only = true,
            "file" => {
                file_name = field.file_name().map(str::to_string);
                file = field.bytes().await.map_err(|_| WebError::BadForm)?.to_vec();
            }
            _ => {}
        }
    }
    match crate::session::csrf_key(&headers) {
        Some(key) if crate::session::csrf_ok(key, &csrf) => {}
        _ => return Err(WebError::Csrf),
    }
    let q = AttendeesQuery::default();
    if file.is_empty() {
        let outcome = Outcome { file_error: Some("Choose a CSV or XLSX file.".into()), ..Outcome::default() };
        return page(&s, ctx, &p, event_id, q, outcome).await;
    }
    let back = format!("/events/{event_id}/attendees");
    if check_only {
        return match attendees::import_file(&s.services, &p, None, event_id, file, true).await {
            Ok(report) => page(&s, ctx, &p, event_id, q, Outcome { preview: Some(report), ..Outcome::default() }).await,
            Err(Error::Invalid(fields)) => page(&s, ctx, &p, event_id, q, refused(fields)).await,
            Err(e) => Ok(ctx.refused(&back, e)),
        };
    }
    match imports::start(&s.services, &p, None, event_id, file_name, file).await {
        Ok(job) => Ok(ctx.success(&back, format!("Importing {} attendees.", job.job.total_rows))),
        Err(Error::Invalid(fields)) => page(&s, ctx, &p, event_id, q, refused(fields)).await,
        Err(e) => Ok(ctx.refused(&back, e)),
    }
}

/// A refused file's errors: each bad row (`rows[<line>].<column>`) in the list,
/// anything about the file itself at the file field.
fn refused(fields: Vec<FieldError>) -> Outcome {
    let mut outcome = Outcome::default();
    for f in fields {
        let row = f.field.strip_prefix("rows[").and_then(|r| r.split_once("]."));
        match row.and_then(|(n, c)| n.parse::<i32>().ok().map(|n| (n, c))) {
            Some((row, column)) => {
                outcome.problems.push(RowProblem { row, column: column.to_string(), message: f.message })
            }
            None => outcome.file_error = Some(f.message),
        }
    }
    if outcome.file_error.is_none() {
        outcome.file_error = Some(format!(
            "Nothing was imported: {} {} to fix.",
            outcome.problems.len(),
            if outcome.problems.len() == 1 { "problem" } else { "problems" }
        ));
    }
    outcome
}
