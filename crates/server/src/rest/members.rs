//! A sponsor's staff ("representatives").

use crate::extract::{Caller, Json, Path};
use crate::problem::{ApiError, Problem};
use crate::rest::list::Items;
use crate::state::AppState;
use axum::extract::State;
use sponsorhub_services::members::{self, MySponsor, UpdateMember};
use sponsorhub_store::records::SponsorMember;
use uuid::Uuid;

/// The sponsor's active staff (organization members and the staff).
#[utoipa::path(get, path = "/api/v1/sponsors/organizations/{org_id}/sponsors/{sponsor_id}/users", tag = "representatives",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path), ("sponsor_id" = Uuid, Path)),
    responses((status = 200, body = Items<SponsorMember>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_members(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, sponsor_id)): Path<(Uuid, Uuid)>,
) -> Result<Json<Items<SponsorMember>>, ApiError> {
    Ok(Json(members::list_members(&s.services, &p, Some(org_id), sponsor_id).await?.into()))
}

/// Change a member's role or permission flags (organizers and sponsor admins). A new
/// role resets the flags to its defaults; flags sent with it apply on top.
#[utoipa::path(patch, path = "/api/v1/sponsors/organizations/{org_id}/sponsor-users/{sponsor_user_id}", tag = "representatives",
    security(("bearer" = [])), request_body = UpdateMember,
    params(("org_id" = Uuid, Path), ("sponsor_user_id" = Uuid, Path)),
    responses(
        (status = 200, body = SponsorMember),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It would leave the sponsor without an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_member(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, id)): Path<(Uuid, Uuid)>,
    Json(input): Json<UpdateMember>,
) -> Result<Json<SponsorMember>, ApiError> {
    Ok(Json(members::update_member(&s.services, &p, Some(org_id), id, input).await?))
}

/// Take someone off the sponsor's staff (deactivates; their captured leads stay theirs).
#[utoipa::path(delete, path = "/api/v1/sponsors/organizations/{org_id}/sponsor-users/{sponsor_user_id}", tag = "representatives",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path), ("sponsor_user_id" = Uuid, Path)),
    responses(
        (status = 200, description = "The deactivated member", body = SponsorMember),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The sponsor's last admin", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn remove_member(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, id)): Path<(Uuid, Uuid)>,
) -> Result<Json<SponsorMember>, ApiError> {
    Ok(Json(members::remove_member(&s.services, &p, Some(org_id), id).await?))
}

/// The caller's sponsor memberships, with sponsor, event, role and permissions.
#[utoipa::path(get, path = "/api/v1/sponsors/my-sponsors", tag = "leads",
    security(("bearer" = [])),
    responses((status = 200, body = Items<MySponsor>), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn my_sponsors(State(s): State<AppState>, Caller(p): Caller) -> Result<Json<Items<MySponsor>>, ApiError> {
    Ok(Json(members::my_sponsors(&s.services, &p).await?.into()))
}
