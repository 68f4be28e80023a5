//! An attendee's consent to each sponsor of their event (docs/DECISIONS.md, "Consent").

use crate::extract::{Caller, Json, Path};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use sponsorhub_services::consents::{self, MyConsents, SponsorConsent};
use sponsorhub_services::my_data::{self, MyData};
use uuid::Uuid;

/// The event's consent rule and text, and for each sponsor whether the caller (an
/// attendee of the event) shares their details with it.
#[utoipa::path(get, path = "/api/v1/events/{event_id}/consents", tag = "attendees",
    security(("bearer" = [])),
    params(("event_id" = Uuid, Path)),
    responses(
        (status = 200, body = MyConsents),
        (status = 404, description = "The caller is not an attendee of the event", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn my_consents(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(event_id): Path<Uuid>,
) -> Result<Json<MyConsents>, ApiError> {
    Ok(Json(consents::my_consents(&s.services, &p, event_id).await?))
}

/// The caller shares their details with the sponsor, under the event's current
/// consent text: where the event asks for an opt-in, the sponsor's staff may then
/// scan their badge.
#[utoipa::path(put, path = "/api/v1/events/{event_id}/sponsors/{sponsor_id}/consent", tag = "attendees",
    security(("bearer" = [])),
    params(("event_id" = Uuid, Path), ("sponsor_id" = Uuid, Path)),
    responses(
        (status = 200, body = SponsorConsent),
        (status = 404, description = "Not an attendee of the event, or no such sponsor", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn give_consent(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((event_id, sponsor_id)): Path<(Uuid, Uuid)>,
) -> Result<Json<SponsorConsent>, ApiError> {
    Ok(Json(consents::give(&s.services, &p, event_id, sponsor_id).await?))
}

/// The caller stops sharing their details with the sponsor.
#[utoipa::path(delete, path = "/api/v1/events/{event_id}/sponsors/{sponsor_id}/consent", tag = "attendees",
    security(("bearer" = [])),
    params(("event_id" = Uuid, Path), ("sponsor_id" = Uuid, Path)),
    responses(
        (status = 204, description = "Withdrawn (or never given)"),
        (status = 404, description = "Not an attendee of the event, or no such sponsor", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn withdraw_consent(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((event_id, sponsor_id)): Path<(Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    consents::withdraw(&s.services, &p, event_id, sponsor_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What the event's sponsors hold on the caller, an attendee of the event: for
/// each sponsor with a lead on them, the details it received, its interactions,
/// answers, score, follow-up state, tags and notes.
#[utoipa::path(get, path = "/api/v1/events/{event_id}/my-data", tag = "attendees",
    security(("bearer" = [])),
    params(("event_id" = Uuid, Path)),
    responses(
        (status = 200, body = MyData),
        (status = 404, description = "The caller is not an attendee of the event", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn my_event_data(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(event_id): Path<Uuid>,
) -> Result<Json<MyData>, ApiError> {
    Ok(Json(my_data::my_data(&s.services, &p, event_id).await?))
}
