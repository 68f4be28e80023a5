//! Sponsors of an event.

use crate::extract::{Caller, Json, Path, Query};
use crate::problem::{ApiError, Problem};
use crate::rest::list::Items;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use sponsorhub_services::logos;
use sponsorhub_services::sponsors::{self, CreateSponsor, SponsorQuery, SponsorView, UpdateSponsor};
use uuid::Uuid;

/// Add a sponsor to the event, optionally in a tier (organizers).
#[utoipa::path(post, path = "/api/v1/sponsors/organizations/{org_id}/events/{event_id}/sponsors", tag = "sponsors",
    security(("bearer" = [])), request_body = CreateSponsor,
    params(("org_id" = Uuid, Path), ("event_id" = Uuid, Path)),
    responses(
        (status = 201, body = SponsorView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_sponsor(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, event_id)): Path<(Uuid, Uuid)>,
    Json(input): Json<CreateSponsor>,
) -> Result<(StatusCode, Json<SponsorView>), ApiError> {
    Ok((StatusCode::CREATED, Json(sponsors::create_sponsor(&s.services, &p, Some(org_id), event_id, input).await?)))
}

/// The event's sponsors with their tier and counts (organization members).
#[utoipa::path(get, path = "/api/v1/sponsors/organizations/{org_id}/events/{event_id}/sponsors", tag = "sponsors",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path), ("event_id" = Uuid, Path), SponsorQuery),
    responses((status = 200, body = Items<SponsorView>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_sponsors(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, event_id)): Path<(Uuid, Uuid)>,
    Query(q): Query<SponsorQuery>,
) -> Result<Json<Items<SponsorView>>, ApiError> {
    Ok(Json(sponsors::list_sponsors(&s.services, &p, Some(org_id), event_id, q).await?.into()))
}

/// One sponsor with its tier and the counts of active representatives and leads
/// (organization members and the sponsor's staff).
#[utoipa::path(get, path = "/api/v1/sponsors/organizations/{org_id}/sponsors/{sponsor_id}", tag = "sponsors",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path), ("sponsor_id" = Uuid, Path)),
    responses((status = 200, body = SponsorView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_sponsor(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, sponsor_id)): Path<(Uuid, Uuid)>,
) -> Result<Json<SponsorView>, ApiError> {
    Ok(Json(sponsors::get_sponsor(&s.services, &p, Some(org_id), sponsor_id).await?))
}

/// Change a sponsor. Organizers: everything. The sponsor's staff who manage the
/// booth: company profile, booth and lead notification fields.
#[utoipa::path(patch, path = "/api/v1/sponsors/organizations/{org_id}/sponsors/{sponsor_id}", tag = "sponsors",
    security(("bearer" = [])), request_body = UpdateSponsor,
    params(("org_id" = Uuid, Path), ("sponsor_id" = Uuid, Path)),
    responses(
        (status = 200, body = SponsorView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_sponsor(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, sponsor_id)): Path<(Uuid, Uuid)>,
    Json(input): Json<UpdateSponsor>,
) -> Result<Json<SponsorView>, ApiError> {
    Ok(Json(sponsors::update_sponsor(&s.services, &p, Some(org_id), sponsor_id, input).await?))
}

/// Archive a sponsor (organizers). Its staff and leads stay; restore brings it back.
#[utoipa::path(delete, path = "/api/v1/sponsors/organizations/{org_id}/sponsors/{sponsor_id}", tag = "sponsors",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path), ("sponsor_id" = Uuid, Path)),
    responses(
        (status = 200, description = "The archived sponsor", body = SponsorView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn archive_sponsor(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, sponsor_id)): Path<(Uuid, Uuid)>,
) -> Result<Json<SponsorView>, ApiError> {
    Ok(Json(sponsors::set_archived(&s.services, &p, Some(org_id), sponsor_id, true).await?))
}

/// Restore an archived sponsor (organizers).
#[utoipa::path(post, path = "/api/v1/sponsors/organizations/{org_id}/sponsors/{sponsor_id}/restore", tag = "sponsors",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path), ("sponsor_id" = Uuid, Path)),
    responses(
        (status = 200, body = SponsorView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn restore_sponsor(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, sponsor_id)): Path<(Uuid, Uuid)>,
) -> Result<Json<SponsorView>, ApiError> {
    Ok(Json(sponsors::set_archived(&s.services, &p, Some(org_id), sponsor_id, false).await?))
}

/// Upload the sponsor's logo: the file itself as the body, a PNG, JPEG, WebP or
/// SVG image of at most 1 MiB. Its type is told from the content (the declared
/// type and any file name are ignored); SVG is sanitized (no scripts, event
/// handlers, foreign objects or references to other sites) before it is stored.
/// The uploaded logo wins over `company_logo_url`; the answer's `logo_url` is
/// its public, versioned address. Organizers, and the sponsor's staff who edit
/// its profile.
#[utoipa::path(put, path = "/api/v1/sponsors/sponsors/{sponsor_id}/logo", tag = "sponsors",
    security(("bearer" = [])),
    request_body(content = String, content_type = "application/octet-stream",
        description = "The image file: PNG, JPEG, WebP or SVG, at most 1 MiB (any Content-Type: the content decides)"),
    params(("sponsor_id" = Uuid, Path)),
    responses(
        (status = 200, body = SponsorView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than 1 MiB and a little", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a PNG, JPEG, WebP or well-formed SVG image, or larger than 1 MiB", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn upload_logo(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(sponsor_id): Path<Uuid>,
    body: axum::body::Body,
) -> Result<Json<SponsorView>, ApiError> {
    let bytes = ApiError::read_body(body, crate::app::LOGO_BODY_BYTES, "a logo is at most 1 MiB").await?;
    Ok(Json(logos::upload_logo(&s.services, &p, None, sponsor_id, &bytes).await?))
}

/// Remove the sponsor's uploaded logo: `company_logo_url`, if set, shows again.
/// Same permission as the upload.
#[utoipa::path(delete, path = "/api/v1/sponsors/sponsors/{sponsor_id}/logo", tag = "sponsors",
    security(("bearer" = [])),
    params(("sponsor_id" = Uuid, Path)),
    responses(
        (status = 200, body = SponsorView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn remove_logo(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(sponsor_id): Path<Uuid>,
) -> Result<Json<SponsorView>, ApiError> {
    Ok(Json(logos::remove_logo(&s.services, &p, None, sponsor_id).await?))
}
