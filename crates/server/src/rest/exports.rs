//! Lead export as CSV or XLSX, and the record of exports (docs/DECISIONS.md,
//! "Lead export").

use crate::extract::{Caller, Json, Path, Query};
use crate::problem::{ApiError, Problem};
use crate::rest::list::Items;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use sponsorhub_services::exports::{self, EventExportQuery, ExportFile, ExportQuery};
use sponsorhub_store::records::LeadExport;
use uuid::Uuid;

/// The file as a streamed download.
fn download(f: ExportFile) -> Response {
    let stream = tokio_stream::wrappers::ReceiverStream::new(f.body);
    let mut res = Body::from_stream(stream).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(f.format.content_type()));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", f.file_name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// The sponsor's leads as a file, with the lead list's filters: CSV (RFC 4180,
/// UTF-8, `bom=true` for Excel; cells that a spreadsheet would read as a formula
/// start with an apostrophe) or XLSX (header row, frozen, with an auto-filter;
/// dates as dates). Streamed. Staff with `can_export_leads` and organizers.
#[utoipa::path(get, path = "/api/v1/sponsors/sponsors/{sponsor_id}/leads/export", tag = "leads",
    security(("bearer" = [])),
    params(("sponsor_id" = Uuid, Path), ExportQuery),
    responses(
        (status = 200, description = "The file", content(
            (String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn export_leads(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(sponsor_id): Path<Uuid>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let (format, bom) = (q.format.unwrap_or_default(), q.bom.unwrap_or(false));
    let ids = exports::parse_ids(q.ids.as_deref())?;
    Ok(download(exports::export_sponsor(&s.services, &p, sponsor_id, q.leads(), ids, format, bom).await?))
}

/// Every export of the sponsor's leads, newest first (the last 100): who, when,
/// which filters, how many rows. Sponsor admins and organizers.
#[utoipa::path(get, path = "/api/v1/sponsors/sponsors/{sponsor_id}/leads/exports", tag = "leads",
    security(("bearer" = [])),
    params(("sponsor_id" = Uuid, Path)),
    responses(
        (status = 200, body = Items<LeadExport>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_exports(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(sponsor_id): Path<Uuid>,
) -> Result<Json<Items<LeadExport>>, ApiError> {
    Ok(Json(exports::list_sponsor_exports(&s.services, &p, sponsor_id).await?.into()))
}

/// Every lead of the event as one file, a column naming each lead's sponsor
/// (organizers).
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/events/{event_id}/leads/export", tag = "leads",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path), ("event_id" = Uuid, Path), EventExportQuery),
    responses(
        (status = 200, description = "The file", content(
            (String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn export_event_leads(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, event_id)): Path<(Uuid, Uuid)>,
    Query(q): Query<EventExportQuery>,
) -> Result<Response, ApiError> {
    let (format, bom, archived) =
        (q.format.unwrap_or_default(), q.bom.unwrap_or(false), q.include_archived.unwrap_or(false));
    Ok(download(exports::export_event(&s.services, &p, Some(org_id), event_id, archived, format, bom).await?))
}
