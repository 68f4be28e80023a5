//! Invitations to a sponsor's staff.

use crate::extract::{Caller, Json, Path, Query};
use crate::problem::{ApiError, Problem};
use crate::rest::list::Items;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use sponsorhub_services::invitations::{self, AcceptInvitation, Accepted, CreateInvitation};
use sponsorhub_store::records::Invitation;
use utoipa::IntoParams;
use uuid::Uuid;

#[derive(Deserialize, IntoParams)]
pub struct StatusFilter {
    /// pending, accepted, revoked or expired
    #[param(value_type = Option<sponsorhub_domain::InvitationStatus>)]
    pub status: Option<String>,
}

/// Invite someone to the sponsor's staff by e-mail, with a role (organizers, and
/// staff who may invite). The e-mail carries a single-use link valid for 7 days.
#[utoipa::path(post, path = "/api/v1/sponsors/organizations/{org_id}/sponsors/{sponsor_id}/invitations", tag = "invitations",
    security(("bearer" = [])), request_body = CreateInvitation,
    params(("org_id" = Uuid, Path), ("sponsor_id" = Uuid, Path)),
    responses(
        (status = 201, body = Invitation),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Pending invitation or member exists", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_invitation(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, sponsor_id)): Path<(Uuid, Uuid)>,
    Json(input): Json<CreateInvitation>,
) -> Result<(StatusCode, Json<Invitation>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(invitations::create_invitation(&s.services, &p, Some(org_id), sponsor_id, input).await?),
    ))
}

/// The sponsor's invitations, newest first.
#[utoipa::path(get, path = "/api/v1/sponsors/organizations/{org_id}/sponsors/{sponsor_id}/invitations", tag = "invitations",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path), ("sponsor_id" = Uuid, Path), StatusFilter),
    responses(
        (status = 200, body = Items<Invitation>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_invitations(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, sponsor_id)): Path<(Uuid, Uuid)>,
    Query(f): Query<StatusFilter>,
) -> Result<Json<Items<Invitation>>, ApiError> {
    Ok(Json(
        invitations::list_invitations(&s.services, &p, Some(org_id), sponsor_id, f.status.as_deref()).await?.into(),
    ))
}

/// Revoke a pending invitation.
#[utoipa::path(delete, path = "/api/v1/sponsors/organizations/{org_id}/invitations/{invitation_id}", tag = "invitations",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path), ("invitation_id" = Uuid, Path)),
    responses(
        (status = 200, description = "The revoked invitation", body = Invitation),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not pending", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn revoke_invitation(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, invitation_id)): Path<(Uuid, Uuid)>,
) -> Result<Json<Invitation>, ApiError> {
    Ok(Json(invitations::revoke_invitation(&s.services, &p, Some(org_id), invitation_id).await?))
}

/// Send a pending or expired invitation again, with a fresh link and expiry.
#[utoipa::path(post, path = "/api/v1/sponsors/organizations/{org_id}/invitations/{invitation_id}/resend", tag = "invitations",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path), ("invitation_id" = Uuid, Path)),
    responses(
        (status = 200, body = Invitation),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Accepted or revoked", body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn resend_invitation(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, invitation_id)): Path<(Uuid, Uuid)>,
) -> Result<Json<Invitation>, ApiError> {
    Ok(Json(invitations::resend_invitation(&s.services, &p, Some(org_id), invitation_id).await?))
}

/// Accept an invitation as the signed-in user, whose e-mail must be the invited one.
#[utoipa::path(post, path = "/api/v1/sponsors/sponsor-invitations/accept", tag = "invitations",
    security(("bearer" = [])), request_body = AcceptInvitation,
    responses(
        (status = 200, body = Accepted),
        (status = 403, description = "Invitation for another e-mail address", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Accepted already, or the tier's representatives are full", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "Expired or revoked", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn accept_invitation(
    State(s): State<AppState>,
    Caller(p): Caller,
    Json(input): Json<AcceptInvitation>,
) -> Result<Json<Accepted>, ApiError> {
    Ok(Json(invitations::accept_invitation(&s.services, &p, input).await?))
}
