//! Which staff are at a sponsor's booth now (docs/DECISIONS.md, "Booth pages").

use crate::extract::{Caller, Json, Path};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;
use axum::extract::State;
use sponsorhub_services::presence::{self, Presence, PresenceInput};
use uuid::Uuid;

/// Whether the caller (on the sponsor's staff) is at its booth, and who is.
#[utoipa::path(get, path = "/api/v1/sponsors/sponsors/{sponsor_id}/booth/presence", tag = "sponsors",
    security(("bearer" = [])),
    params(("sponsor_id" = Uuid, Path)),
    responses(
        (status = 200, body = Presence),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_presence(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(sponsor_id): Path<Uuid>,
) -> Result<Json<Presence>, ApiError> {
    Ok(Json(presence::my_presence(&s.services, &p, sponsor_id).await?))
}

/// The caller marks themselves at the booth (for the next 4 hours) or leaving it;
/// the sponsor's page shows the first names of the staff at the booth.
#[utoipa::path(put, path = "/api/v1/sponsors/sponsors/{sponsor_id}/booth/presence", tag = "sponsors",
    security(("bearer" = [])),
    params(("sponsor_id" = Uuid, Path)),
    request_body = PresenceInput,
    responses(
        (status = 200, body = Presence),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn put_presence(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(sponsor_id): Path<Uuid>,
    Json(input): Json<PresenceInput>,
) -> Result<Json<Presence>, ApiError> {
    Ok(Json(presence::set_presence(&s.services, &p, sponsor_id, input).await?))
}
