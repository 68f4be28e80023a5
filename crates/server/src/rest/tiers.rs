//! Sponsor tiers of an event.

use crate::extract::{Caller, Json, Path};
use crate::problem::{ApiError, Problem};
use crate::rest::list::Items;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use sponsorhub_services::tiers::{self, CreateTier, UpdateTier};
use sponsorhub_store::records::Tier;
use uuid::Uuid;

/// Create a tier (organizers of the event's organization).
#[utoipa::path(post, path = "/api/v1/sponsors/organizations/{org_id}/events/{event_id}/sponsor-tiers", tag = "tiers",
    security(("bearer" = [])), request_body = CreateTier,
    params(("org_id" = Uuid, Path), ("event_id" = Uuid, Path)),
    responses(
        (status = 201, body = Tier),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A tier of this name exists", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_tier(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, event_id)): Path<(Uuid, Uuid)>,
    Json(input): Json<CreateTier>,
) -> Result<(StatusCode, Json<Tier>), ApiError> {
    Ok((StatusCode::CREATED, Json(tiers::create_tier(&s.services, &p, Some(org_id), event_id, input).await?)))
}

/// Create the default tiers (Platinum, Gold, Silver, Bronze); existing ones are kept.
/// 201 when any was created, 200 when all existed. Answers with all the event's tiers.
#[utoipa::path(post, path = "/api/v1/sponsors/organizations/{org_id}/events/{event_id}/sponsor-tiers/defaults", tag = "tiers",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path), ("event_id" = Uuid, Path)),
    responses(
        (status = 201, body = Items<Tier>),
        (status = 200, description = "Every default tier existed already", body = Items<Tier>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_default_tiers(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, event_id)): Path<(Uuid, Uuid)>,
) -> Result<(StatusCode, Json<Items<Tier>>), ApiError> {
    let (all, created) = tiers::create_default_tiers(&s.services, &p, Some(org_id), event_id).await?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(all.into())))
}

/// The event's tiers in display order (organization members).
#[utoipa::path(get, path = "/api/v1/sponsors/organizations/{org_id}/events/{event_id}/sponsor-tiers", tag = "tiers",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path), ("event_id" = Uuid, Path)),
    responses((status = 200, body = Items<Tier>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_tiers(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, event_id)): Path<(Uuid, Uuid)>,
) -> Result<Json<Items<Tier>>, ApiError> {
    Ok(Json(tiers::list_tiers(&s.services, &p, Some(org_id), event_id).await?.into()))
}

/// One tier (organization members).
#[utoipa::path(get, path = "/api/v1/sponsors/organizations/{org_id}/sponsor-tiers/{tier_id}", tag = "tiers",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path), ("tier_id" = Uuid, Path)),
    responses((status = 200, body = Tier), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_tier(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, tier_id)): Path<(Uuid, Uuid)>,
) -> Result<Json<Tier>, ApiError> {
    Ok(Json(tiers::get_tier(&s.services, &p, Some(org_id), tier_id).await?))
}

/// Change a tier (organizers).
#[utoipa::path(patch, path = "/api/v1/sponsors/organizations/{org_id}/sponsor-tiers/{tier_id}", tag = "tiers",
    security(("bearer" = [])), request_body = UpdateTier,
    params(("org_id" = Uuid, Path), ("tier_id" = Uuid, Path)),
    responses(
        (status = 200, body = Tier),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_tier(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, tier_id)): Path<(Uuid, Uuid)>,
    Json(input): Json<UpdateTier>,
) -> Result<Json<Tier>, ApiError> {
    Ok(Json(tiers::update_tier(&s.services, &p, Some(org_id), tier_id, input).await?))
}

/// Delete a tier no sponsor is in (organizers); 409 while sponsors use it.
#[utoipa::path(delete, path = "/api/v1/sponsors/organizations/{org_id}/sponsor-tiers/{tier_id}", tag = "tiers",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path), ("tier_id" = Uuid, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Sponsors are in this tier", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_tier(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, tier_id)): Path<(Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    tiers::delete_tier(&s.services, &p, Some(org_id), tier_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
