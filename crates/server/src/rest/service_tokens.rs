//! An event's service tokens, and what the platform reports with them: session
//! attendance (docs/DECISIONS.md, "Booth pages").

use crate::extract::{Caller, Json, Path, ServiceBearer};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use sponsorhub_services::capture::CaptureReceipt;
use sponsorhub_services::service_tokens::{self, IssuedServiceToken, NewServiceToken, SessionAttendance};
use sponsorhub_store::service_tokens::ServiceToken;
use utoipa::ToSchema;
use uuid::Uuid;

/// The event's service tokens.
#[derive(Serialize, ToSchema)]
pub struct ServiceTokenList {
    pub items: Vec<ServiceToken>,
}

/// Issue a service token for the platform (the event's organizers); its secret
/// is in this answer only.
#[utoipa::path(post, path = "/api/v1/organizations/{org_id}/events/{event_id}/service-tokens", tag = "events",
    security(("bearer" = [])), request_body = NewServiceToken,
    params(("org_id" = Uuid, Path), ("event_id" = Uuid, Path)),
    responses(
        (status = 201, body = IssuedServiceToken),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn issue_service_token(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, event_id)): Path<(Uuid, Uuid)>,
    Json(input): Json<NewServiceToken>,
) -> Result<(StatusCode, Json<IssuedServiceToken>), ApiError> {
    let issued = service_tokens::issue(&s.services, &p, Some(org_id), event_id, input).await?;
    Ok((StatusCode::CREATED, Json(issued)))
}

/// The event's service tokens, without their secrets (its organizers).
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/events/{event_id}/service-tokens", tag = "events",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path), ("event_id" = Uuid, Path)),
    responses(
        (status = 200, body = ServiceTokenList),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_service_tokens(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, event_id)): Path<(Uuid, Uuid)>,
) -> Result<Json<ServiceTokenList>, ApiError> {
    Ok(Json(ServiceTokenList { items: service_tokens::list(&s.services, &p, Some(org_id), event_id).await? }))
}

/// Revoke a service token at once (the event's organizers).
#[utoipa::path(delete, path = "/api/v1/organizations/{org_id}/events/{event_id}/service-tokens/{token_id}", tag = "events",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path), ("event_id" = Uuid, Path), ("token_id" = Uuid, Path)),
    responses(
        (status = 200, body = ServiceToken),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn revoke_service_token(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, event_id, token_id)): Path<(Uuid, Uuid, Uuid)>,
) -> Result<Json<ServiceToken>, ApiError> {
    Ok(Json(service_tokens::revoke(&s.services, &p, Some(org_id), event_id, token_id).await?))
}

/// The platform reports that an attendee attended a session of a sponsor (an
/// event service token as the bearer): a `session_attendance` of the sponsor's
/// lead, with the consent the event's rule allows.
#[utoipa::path(post, path = "/api/v1/sponsors/events/{event_id}/session-attendance", tag = "leads",
    security(("bearer" = [])), request_body = SessionAttendance,
    params(("event_id" = Uuid, Path)),
    responses(
        (status = 201, body = CaptureReceipt),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Another event's token, or no such sponsor of the event", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn session_attendance(
    State(s): State<AppState>,
    ServiceBearer(secret): ServiceBearer,
    Path(event_id): Path<Uuid>,
    Json(input): Json<SessionAttendance>,
) -> Result<(StatusCode, Json<CaptureReceipt>), ApiError> {
    let receipt = service_tokens::record_session_attendance(&s.services, &secret, event_id, input).await?;
    Ok((StatusCode::CREATED, Json(receipt)))
}
