//! Attendees of an event and their badges (organizers).

use crate::extract::{Caller, Json, Path, Query};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sponsorhub_services::attendees::{
    self, Attendee, AttendeeInput, AttendeeQuery, ImportReport, UpdateAttendee, UpsertResult,
};
use sponsorhub_services::badges::{self, BadgeLayout};
use sponsorhub_services::imports::{self, ImportJobView};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A page of attendees.
#[derive(Serialize, ToSchema)]
pub struct AttendeePage {
    pub items: Vec<Attendee>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// Attendees to create or update, matched by platform id, else by e-mail address.
#[derive(Deserialize, ToSchema)]
pub struct BulkAttendees {
    /// At most 1,000.
    #[schema(max_items = 1000)]
    pub attendees: Vec<AttendeeInput>,
}

/// Add an attendee to the event, with a new badge (organizers).
#[utoipa::path(post, path = "/api/v1/organizations/{org_id}/events/{event_id}/attendees", tag = "attendees",
    security(("bearer" = [])), request_body = AttendeeInput,
    params(("org_id" = Uuid, Path), ("event_id" = Uuid, Path)),
    responses(
        (status = 201, body = Attendee),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another attendee has this platform id or e-mail address", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_attendee(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, event_id)): Path<(Uuid, Uuid)>,
    Json(input): Json<AttendeeInput>,
) -> Result<(StatusCode, Json<Attendee>), ApiError> {
    Ok((StatusCode::CREATED, Json(attendees::create_attendee(&s.services, &p, Some(org_id), event_id, input).await?)))
}

/// The event's attendees in the order they were added; `search` matches part of
/// the name, e-mail address or company (organizers).
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/events/{event_id}/attendees", tag = "attendees",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path), ("event_id" = Uuid, Path), AttendeeQuery),
    responses(
        (status = 200, body = AttendeePage),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_attendees(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, event_id)): Path<(Uuid, Uuid)>,
    Query(q): Query<AttendeeQuery>,
) -> Result<Json<AttendeePage>, ApiError> {
    let page = attendees::list_attendees(&s.services, &p, Some(org_id), event_id, q).await?;
    Ok(Json(AttendeePage { items: page.items, next_cursor: page.next_cursor }))
}

/// Create or update many attendees at once, all or nothing: an invalid item
/// refuses the request with every error naming its item (organizers).
#[utoipa::path(post, path = "/api/v1/organizations/{org_id}/events/{event_id}/attendees/bulk", tag = "attendees",
    security(("bearer" = [])), request_body = BulkAttendees,
    params(("org_id" = Uuid, Path), ("event_id" = Uuid, Path)),
    responses(
        (status = 200, body = UpsertResult),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Two attendees would share a platform id or e-mail address", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn upsert_attendees(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, event_id)): Path<(Uuid, Uuid)>,
    Json(input): Json<BulkAttendees>,
) -> Result<Json<UpsertResult>, ApiError> {
    Ok(Json(attendees::upsert_attendees(&s.services, &p, Some(org_id), event_id, input.attendees).await?))
}

/// One attendee, with the current badge code (organizers).
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/events/{event_id}/attendees/{attendee_id}", tag = "attendees",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path), ("event_id" = Uuid, Path), ("attendee_id" = Uuid, Path)),
    responses(
        (status = 200, body = Attendee),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_attendee(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, event_id, id)): Path<(Uuid, Uuid, Uuid)>,
) -> Result<Json<Attendee>, ApiError> {
    Ok(Json(attendees::get_attendee(&s.services, &p, Some(org_id), event_id, id).await?))
}

/// Change an attendee; absent fields stay, `null` clears an optional one
/// (organizers).
#[utoipa::path(patch, path = "/api/v1/organizations/{org_id}/events/{event_id}/attendees/{attendee_id}", tag = "attendees",
    security(("bearer" = [])), request_body = UpdateAttendee,
    params(("org_id" = Uuid, Path), ("event_id" = Uuid, Path), ("attendee_id" = Uuid, Path)),
    responses(
        (status = 200, body = Attendee),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_attendee(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, event_id, id)): Path<(Uuid, Uuid, Uuid)>,
    Json(input): Json<UpdateAttendee>,
) -> Result<Json<Attendee>, ApiError> {
    Ok(Json(attendees::update_attendee(&s.services, &p, Some(org_id), event_id, id, input).await?))
}

/// Remove an attendee; their badge stops working, sponsors keep their leads
/// (organizers).
#[utoipa::path(delete, path = "/api/v1/organizations/{org_id}/events/{event_id}/attendees/{attendee_id}", tag = "attendees",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path), ("event_id" = Uuid, Path), ("attendee_id" = Uuid, Path)),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_attendee(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, event_id, id)): Path<(Uuid, Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    attendees::delete_attendee(&s.services, &p, Some(org_id), event_id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Issue a new badge code; the old one stops working at once (organizers).
#[utoipa::path(post, path = "/api/v1/organizations/{org_id}/events/{event_id}/attendees/{attendee_id}/badge/reissue", tag = "attendees",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path), ("event_id" = Uuid, Path), ("attendee_id" = Uuid, Path)),
    responses(
        (status = 200, body = Attendee),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn reissue_badge(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, event_id, id)): Path<(Uuid, Uuid, Uuid)>,
) -> Result<Json<Attendee>, ApiError> {
    Ok(Json(attendees::reissue_badge(&s.services, &p, Some(org_id), event_id, id).await?))
}

/// Revoke the badge: scans of it record nothing until a new one is issued
/// (organizers).
#[utoipa::path(post, path = "/api/v1/organizations/{org_id}/events/{event_id}/attendees/{attendee_id}/badge/revoke", tag = "attendees",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path), ("event_id" = Uuid, Path), ("attendee_id" = Uuid, Path)),
    responses(
        (status = 200, body = Attendee),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn revoke_badge(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, event_id, id)): Path<(Uuid, Uuid, Uuid)>,
) -> Result<Json<Attendee>, ApiError> {
    Ok(Json(attendees::revoke_badge(&s.services, &p, Some(org_id), event_id, id).await?))
}

/// The attendee's badge as a QR code (SVG), for organizers; 404 while revoked.
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/events/{event_id}/attendees/{attendee_id}/badge.svg", tag = "attendees",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path), ("event_id" = Uuid, Path), ("attendee_id" = Uuid, Path)),
    responses(
        (status = 200, description = "The QR code", content_type = "image/svg+xml", body = String),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such attendee, or the badge is revoked", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn badge_svg(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, event_id, id)): Path<(Uuid, Uuid, Uuid)>,
) -> Result<Response, ApiError> {
    let svg = badges::attendee_badge_svg(&s.services, &p, Some(org_id), event_id, id).await?;
    Ok(([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "private, no-store")], svg).into_response())
}

/// The attendee's badge as a QR code (PNG, 480 pixels or more), for organizers;
/// 404 while revoked.
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/events/{event_id}/attendees/{attendee_id}/badge.png", tag = "attendees",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path), ("event_id" = Uuid, Path), ("attendee_id" = Uuid, Path)),
    responses(
        (status = 200, description = "The QR code", content_type = "image/png", body = Vec<u8>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such attendee, or the badge is revoked", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn badge_png(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, event_id, id)): Path<(Uuid, Uuid, Uuid)>,
) -> Result<Response, ApiError> {
    let png = badges::attendee_badge_png(&s.services, &p, Some(org_id), event_id, id).await?;
    Ok(([(header::CONTENT_TYPE, "image/png"), (header::CACHE_CONTROL, "private, no-store")], png).into_response())
}

/// The caller's own attendee record in the event, with their badge code: the
/// attendee their platform id names, else the one with their e-mail address.
#[utoipa::path(get, path = "/api/v1/events/{event_id}/my-badge", tag = "attendees",
    security(("bearer" = [])),
    params(("event_id" = Uuid, Path)),
    responses(
        (status = 200, body = Attendee),
        (status = 404, description = "The caller is not an attendee of the event", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn my_badge(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(event_id): Path<Uuid>,
) -> Result<Json<Attendee>, ApiError> {
    Ok(Json(attendees::my_badge(&s.services, &p, event_id).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct BadgePdfParams {
    /// `a6` (one badge a page, the default) or `labels` (eight a page on A4).
    pub layout: Option<BadgeLayout>,
    /// Comma-separated attendee ids (hyphenated form); all the event's attendees
    /// when absent or empty (at most 2,000 a file).
    #[param(
        pattern = "^$|^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(,[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})*$"
    )]
    pub ids: Option<String>,
}

/// Printable badges as PDF (organizers): every attendee with a valid badge, or
/// those named, with name, company and QR code.
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/events/{event_id}/attendees/badges.pdf", tag = "attendees",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path), ("event_id" = Uuid, Path), BadgePdfParams),
    responses(
        (status = 200, description = "The badges", content_type = "application/pdf", body = Vec<u8>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn badges_pdf(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, event_id)): Path<(Uuid, Uuid)>,
    Query(q): Query<BadgePdfParams>,
) -> Result<Response, ApiError> {
    let bad = || sponsorhub_services::Error::invalid("ids", "must be attendee ids separated by commas");
    let ids = match q.ids.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(list) => Some(
            list.split(',')
                .map(|id| if id.len() == 36 { Uuid::parse_str(id).map_err(|_| bad()) } else { Err(bad()) })
                .collect::<Result<Vec<_>, _>>()?,
        ),
    };
    let layout = q.layout.unwrap_or_default();
    let pdf = badges::badges_pdf(&s.services, &p, Some(org_id), event_id, ids, layout).await?;
    let disposition = "attachment; filename=\"badges.pdf\"";
    Ok(([(header::CONTENT_TYPE, "application/pdf"), (header::CONTENT_DISPOSITION, disposition)], pdf).into_response())
}

#[derive(Deserialize, IntoParams)]
pub struct ImportParams {
    /// Check the file and report every bad row without writing anything.
    pub dry_run: Option<bool>,
}

/// The content types an attendee file may come as; which it is, is read from
/// the file itself.
fn check_file_type(headers: &axum::http::HeaderMap) -> Result<(), ApiError> {
    let ok = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|t| t.trim_start().to_ascii_lowercase())
        .is_some_and(|t| {
            t.starts_with("text/csv")
                || t.starts_with("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
                || t.starts_with("application/octet-stream")
        });
    if ok {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "send the file as text/csv or as an XLSX workbook",
        ))
    }
}

/// Import attendees from a CSV file (UTF-8, comma or semicolon separated) or an
/// XLSX workbook (its first sheet), told apart by the content: a header row
/// (platform_id, name, email, company, title, phone, country, ticket_type; other
/// columns become custom fields), matched by platform id, else e-mail address.
/// `dry_run=true` previews: every bad row is reported and nothing written. An
/// import writes every row or, when any row has a problem, none (422, each error
/// naming `rows[<line>].<column>`). At most 20,000 rows and 1 MiB; larger files
/// go through `.../attendees/imports`.
#[utoipa::path(post, path = "/api/v1/organizations/{org_id}/events/{event_id}/attendees/import", tag = "attendees",
    security(("bearer" = [])),
    request_body(content = String, content_type = "text/csv", description = "The CSV file (or an XLSX workbook as application/vnd.openxmlformats-officedocument.spreadsheetml.sheet)"),
    params(("org_id" = Uuid, Path), ("event_id" = Uuid, Path), ImportParams),
    responses(
        (status = 200, body = ImportReport),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Two rows would share a platform id or e-mail address", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn import_attendees(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, event_id)): Path<(Uuid, Uuid)>,
    Query(q): Query<ImportParams>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<ImportReport>, ApiError> {
    check_file_type(&headers)?;
    let dry_run = q.dry_run.unwrap_or(false);
    Ok(Json(attendees::import_file(&s.services, &p, Some(org_id), event_id, body.to_vec(), dry_run).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct ImportJobParams {
    /// The file's name, to show with the import.
    #[param(max_length = 200)]
    pub file_name: Option<String>,
}

/// Import attendees from a large CSV or XLSX file (up to 100,000 rows and 16 MiB)
/// as a job: the file is checked whole first (any bad row: 422, nothing written,
/// at most 500 errors listed), then written in chunks while
/// `.../attendees/imports/{import_id}` reports the progress.
#[utoipa::path(post, path = "/api/v1/organizations/{org_id}/events/{event_id}/attendees/imports", tag = "attendees",
    security(("bearer" = [])),
    request_body(content = String, content_type = "text/csv", description = "The CSV file (or an XLSX workbook)"),
    params(("org_id" = Uuid, Path), ("event_id" = Uuid, Path), ImportJobParams),
    responses(
        (status = 202, description = "The import runs", body = ImportJobView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "More than 16 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn start_import(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, event_id)): Path<(Uuid, Uuid)>,
    Query(q): Query<ImportJobParams>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<ImportJobView>), ApiError> {
    check_file_type(&headers)?;
    let file = axum::body::to_bytes(body, imports::MAX_BYTES).await.map_err(|_| {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large", "an import file is at most 16 MiB")
    })?;
    let job = imports::start(&s.services, &p, Some(org_id), event_id, q.file_name, file.to_vec()).await?;
    Ok((StatusCode::ACCEPTED, Json(job)))
}

/// An import job's progress (organizers).
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/events/{event_id}/attendees/imports/{import_id}", tag = "attendees",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path), ("event_id" = Uuid, Path), ("import_id" = Uuid, Path)),
    responses(
        (status = 200, body = ImportJobView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_import(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, event_id, id)): Path<(Uuid, Uuid, Uuid)>,
) -> Result<Json<ImportJobView>, ApiError> {
    Ok(Json(imports::get(&s.services, &p, Some(org_id), event_id, id).await?))
}
