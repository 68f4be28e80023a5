//! Analytics of a sponsor and of an event (docs/DECISIONS.md, "Analytics").

use crate::extract::{Caller, Json, Path};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;
use axum::extract::State;
use sponsorhub_services::analytics::{self, EventAnalytics, SponsorAnalytics};
use uuid::Uuid;

/// The sponsor's analytics: leads and interactions over time, the intent funnel,
/// interactions by type, staff member and device, follow-up progress, answer
/// distributions and peak hours (`sponsor:leads:read`).
#[utoipa::path(get, path = "/api/v1/sponsors/sponsors/{sponsor_id}/analytics", tag = "leads",
    security(("bearer" = [])),
    params(("sponsor_id" = Uuid, Path)),
    responses(
        (status = 200, body = SponsorAnalytics),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn sponsor_analytics(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(sponsor_id): Path<Uuid>,
) -> Result<Json<SponsorAnalytics>, ApiError> {
    Ok(Json(analytics::sponsor_analytics(&s.services, &p, sponsor_id).await?))
}

/// The event's report per sponsor and per tier: leads, hot leads, interactions,
/// active staff and follow-up rate (the event's organizers).
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/events/{event_id}/analytics", tag = "events",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path), ("event_id" = Uuid, Path)),
    responses(
        (status = 200, body = EventAnalytics),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn event_analytics(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, event_id)): Path<(Uuid, Uuid)>,
) -> Result<Json<EventAnalytics>, ApiError> {
    Ok(Json(analytics::event_analytics(&s.services, &p, Some(org_id), event_id).await?))
}
