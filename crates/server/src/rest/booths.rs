//! A sponsor's booth page and its downloadable content items
//! (docs/DECISIONS.md, "Booth pages").

use crate::extract::{Caller, Json, Path, Query};
use crate::problem::{ApiError, Problem};
use crate::rest::list::Items;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use sponsorhub_services::booths::{self, BoothInput, BoothView};
use sponsorhub_services::content::{self, ContentItemView, NewContent, RenameContentItem};
use utoipa::IntoParams;
use uuid::Uuid;

/// The sponsor's booth page (its staff and organizers).
#[utoipa::path(get, path = "/api/v1/sponsors/sponsors/{sponsor_id}/booth", tag = "sponsors",
    security(("bearer" = [])),
    params(("sponsor_id" = Uuid, Path)),
    responses(
        (status = 200, body = BoothView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_booth(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(sponsor_id): Path<Uuid>,
) -> Result<Json<BoothView>, ApiError> {
    Ok(Json(booths::get_booth(&s.services, &p, sponsor_id).await?))
}

/// Writes the whole booth page (staff who manage the booth, and organizers): the
/// Markdown description is rendered and sanitized as it is saved.
#[utoipa::path(put, path = "/api/v1/sponsors/sponsors/{sponsor_id}/booth", tag = "sponsors",
    security(("bearer" = [])),
    params(("sponsor_id" = Uuid, Path)),
    request_body = BoothInput,
    responses(
        (status = 200, body = BoothView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn put_booth(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(sponsor_id): Path<Uuid>,
    Json(input): Json<BoothInput>,
) -> Result<Json<BoothView>, ApiError> {
    Ok(Json(booths::put_booth(&s.services, &p, sponsor_id, input).await?))
}

/// The booth page's content items, in the order they were added (its staff and
/// organizers).
#[utoipa::path(get, path = "/api/v1/sponsors/sponsors/{sponsor_id}/booth/content", tag = "sponsors",
    security(("bearer" = [])),
    params(("sponsor_id" = Uuid, Path)),
    responses(
        (status = 200, body = Items<ContentItemView>),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_content(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(sponsor_id): Path<Uuid>,
) -> Result<Json<Items<ContentItemView>>, ApiError> {
    Ok(Json(content::list_content(&s.services, &p, sponsor_id).await?.into()))
}

#[derive(Deserialize, IntoParams)]
pub struct NewContentParams {
    /// The name the file downloads as (a path is cut to its last part; an
    /// extension that does not fit the content gets the right one added).
    #[param(max_length = 200)]
    pub file_name: String,
    /// What attendees read; the file's name without its extension when absent.
    #[param(max_length = 200)]
    pub title: Option<String>,
}

/// Adds a file to the booth page (staff who manage the booth, and organizers):
/// the file itself as the body, at most 20 MiB. Its type is told from the
/// content (the declared type is ignored; the name's extension only tells Word,
/// Excel and PowerPoint files from other ZIP or OLE2 containers): PDF, PNG,
/// JPEG, GIF, WebP, Word, Excel, PowerPoint, OpenDocument, ZIP, CSV or plain
/// text; HTML, SVG, XML, scripts and programs are refused. At most 50 a booth.
#[utoipa::path(post, path = "/api/v1/sponsors/sponsors/{sponsor_id}/booth/content", tag = "sponsors",
    security(("bearer" = [])),
    request_body(content = String, content_type = "application/octet-stream",
        description = "The file, at most 20 MiB (any Content-Type: the content decides)"),
    params(("sponsor_id" = Uuid, Path), NewContentParams),
    responses(
        (status = 201, body = ContentItemView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than 20 MiB and a little", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a file type offered for download, larger than 20 MiB, a bad name or title, or the booth has 50 files", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn add_content(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(sponsor_id): Path<Uuid>,
    Query(q): Query<NewContentParams>,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<ContentItemView>), ApiError> {
    let bytes = ApiError::read_body(body, crate::app::CONTENT_BODY_BYTES, "a content file is at most 20 MiB").await?;
    let input = NewContent { title: q.title, file_name: q.file_name, bytes };
    Ok((StatusCode::CREATED, Json(content::add_content(&s.services, &p, sponsor_id, input).await?)))
}

/// Renames a content item (staff who manage the booth, and organizers).
#[utoipa::path(patch, path = "/api/v1/sponsors/sponsors/{sponsor_id}/booth/content/{item_id}", tag = "sponsors",
    security(("bearer" = [])),
    params(("sponsor_id" = Uuid, Path), ("item_id" = Uuid, Path)),
    request_body = RenameContentItem,
    responses(
        (status = 200, body = ContentItemView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn rename_content(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((sponsor_id, item_id)): Path<(Uuid, Uuid)>,
    Json(input): Json<RenameContentItem>,
) -> Result<Json<ContentItemView>, ApiError> {
    Ok(Json(content::rename_content(&s.services, &p, sponsor_id, item_id, &input.title).await?))
}

/// Removes a content item and its file (staff who manage the booth, and
/// organizers).
#[utoipa::path(delete, path = "/api/v1/sponsors/sponsors/{sponsor_id}/booth/content/{item_id}", tag = "sponsors",
    security(("bearer" = [])),
    params(("sponsor_id" = Uuid, Path), ("item_id" = Uuid, Path)),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn remove_content(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((sponsor_id, item_id)): Path<(Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    content::remove_content(&s.services, &p, sponsor_id, item_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A content item's file, as an attachment (its staff and organizers; records
/// nothing).
#[utoipa::path(get, path = "/api/v1/sponsors/sponsors/{sponsor_id}/booth/content/{item_id}/file", tag = "sponsors",
    security(("bearer" = [])),
    params(("sponsor_id" = Uuid, Path), ("item_id" = Uuid, Path)),
    responses(
        (status = 200, description = "The file, with the type it was found to be", content(
            (Vec<u8> = "application/pdf"),
            (Vec<u8> = "image/png"),
            (Vec<u8> = "image/jpeg"),
            (Vec<u8> = "image/gif"),
            (Vec<u8> = "image/webp"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
            (Vec<u8> = "application/vnd.oasis.opendocument.text"),
            (Vec<u8> = "application/vnd.oasis.opendocument.spreadsheet"),
            (Vec<u8> = "application/vnd.oasis.opendocument.presentation"),
            (Vec<u8> = "application/msword"),
            (Vec<u8> = "application/vnd.ms-excel"),
            (Vec<u8> = "application/vnd.ms-powerpoint"),
            (Vec<u8> = "application/zip"),
            (Vec<u8> = "text/csv"),
            (Vec<u8> = "text/plain"),
        )),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn content_file(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((sponsor_id, item_id)): Path<(Uuid, Uuid)>,
) -> Result<Response, ApiError> {
    let d = content::staff_download(&s.services, &p, sponsor_id, item_id).await?;
    Ok(crate::attachment::attachment(&d.item.content_type, &d.item.file_name, d.bytes))
}
