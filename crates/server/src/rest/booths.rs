//! A sponsor's booth page (docs/DECISIONS.md, "Booth pages").

use crate::extract::{Caller, Json, Path};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;
use axum::extract::State;
use sponsorhub_services::booths::{self, BoothInput, BoothView};
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
