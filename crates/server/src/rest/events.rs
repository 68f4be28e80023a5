//! Events of an organization.

use crate::extract::{Caller, Json, Path, Query};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use sponsorhub_services::events::{self, CreateEvent, UpdateEvent};
use sponsorhub_store::records::Event;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A page of events.
#[derive(Serialize, ToSchema)]
pub struct EventPage {
    pub items: Vec<Event>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct PageParams {
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Create an event (organization owners and admins).
#[utoipa::path(post, path = "/api/v1/organizations/{org_id}/events", tag = "events",
    security(("bearer" = [])), request_body = CreateEvent,
    params(("org_id" = Uuid, Path)),
    responses(
        (status = 201, body = Event),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A member but not an owner or admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a member of this organization", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The slug is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_event(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(org_id): Path<Uuid>,
    Json(input): Json<CreateEvent>,
) -> Result<(StatusCode, Json<Event>), ApiError> {
    let event = events::create_event(&state.services, &p, org_id, input).await?;
    Ok((StatusCode::CREATED, Json(event)))
}

/// List the organization's events (members), oldest first.
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/events", tag = "events",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path), PageParams),
    responses(
        (status = 200, body = EventPage),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_events(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(org_id): Path<Uuid>,
    Query(page): Query<PageParams>,
) -> Result<Json<EventPage>, ApiError> {
    let page = events::list_events(&state.services, &p, org_id, page.cursor.as_deref(), page.limit).await?;
    Ok(Json(EventPage { items: page.items, next_cursor: page.next_cursor }))
}

/// One event (members).
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/events/{event_id}", tag = "events",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path), ("event_id" = Uuid, Path)),
    responses(
        (status = 200, body = Event),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_event(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path((org_id, event_id)): Path<(Uuid, Uuid)>,
) -> Result<Json<Event>, ApiError> {
    Ok(Json(events::get_event(&state.services, &p, Some(org_id), event_id).await?))
}

/// Change an event (organization owners and admins). Absent fields stay; `null`
/// clears an optional one.
#[utoipa::path(patch, path = "/api/v1/organizations/{org_id}/events/{event_id}", tag = "events",
    security(("bearer" = [])), request_body = UpdateEvent,
    params(("org_id" = Uuid, Path), ("event_id" = Uuid, Path)),
    responses(
        (status = 200, body = Event),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_event(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path((org_id, event_id)): Path<(Uuid, Uuid)>,
    Json(input): Json<UpdateEvent>,
) -> Result<Json<Event>, ApiError> {
    Ok(Json(events::update_event(&state.services, &p, org_id, event_id, input).await?))
}
