//! The attendee withdraws from a sponsor, or from the whole event, and what the
//! sponsors held on them is erased (docs/DECISIONS.md, "Withdrawal and erasure").

use crate::extract::{Caller, Json, Path};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;
use axum::extract::State;
use sponsorhub_services::erasure::{self, Withdrawal};
use uuid::Uuid;

/// The caller (an attendee of the event) withdraws from the sponsor: their
/// consent to it is withdrawn and the sponsor's lead on them erased at once (its
/// anonymous counts stay in the analytics); the sponsor is told by e-mail,
/// without the caller's details. Withdrawing from a sponsor that holds nothing
/// is no error (`lead_erased: false`).
#[utoipa::path(post, path = "/api/v1/events/{event_id}/my-data/sponsors/{sponsor_id}/withdraw", tag = "attendees",
    security(("bearer" = [])),
    params(("event_id" = Uuid, Path), ("sponsor_id" = Uuid, Path)),
    responses(
        (status = 200, body = Withdrawal),
        (status = 404, description = "Not an attendee of the event, or no such sponsor in it", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn withdraw_from_sponsor(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((event_id, sponsor_id)): Path<(Uuid, Uuid)>,
) -> Result<Json<Withdrawal>, ApiError> {
    Ok(Json(erasure::withdraw_from_sponsor(&s.services, &p, event_id, sponsor_id).await?))
}

/// The caller's erasure request for the whole event: every sponsor holding a
/// lead on them or their consent is withdrawn from, as one sponsor is.
#[utoipa::path(post, path = "/api/v1/events/{event_id}/my-data/erase", tag = "attendees",
    security(("bearer" = [])),
    params(("event_id" = Uuid, Path)),
    responses(
        (status = 200, body = Withdrawal),
        (status = 404, description = "The caller is not an attendee of the event", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn erase_my_event_data(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(event_id): Path<Uuid>,
) -> Result<Json<Withdrawal>, ApiError> {
    Ok(Json(erasure::erase_my_event_data(&s.services, &p, event_id).await?))
}
