//! Webhook endpoints of a sponsor (its admins, organizers) and of a whole event
//! (organizers), their delivery log, test pings and replays
//! (docs/DECISIONS.md, "Webhooks").

use crate::extract::{Caller, Json, Path, Query};
use crate::problem::{ApiError, Problem};
use crate::rest::list::Items;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use sponsorhub_services::webhooks::{self, CreateWebhook, CreatedWebhook, Scope, UpdateWebhook, Webhook};
use sponsorhub_store::webhooks::WebhookDelivery;
use utoipa::IntoParams;
use uuid::Uuid;

/// A page of the delivery log.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DeliveryQuery {
    /// The `message_id` of the last delivery of the previous page.
    pub before: Option<Uuid>,
}

/// The endpoints (at most 10). (sponsor admins and organizers).
#[utoipa::path(get, path = "/api/v1/sponsors/sponsors/{sponsor_id}/webhooks", tag = "webhooks",
    security(("bearer" = [])),
    params(("sponsor_id" = Uuid, Path)),
    responses(
        (status = 200, body = Items<Webhook>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_sponsor_webhooks(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(sponsor_id): Path<Uuid>,
) -> Result<Json<Items<Webhook>>, ApiError> {
    let scope = Scope::Sponsor(sponsor_id);
    Ok(Json(webhooks::list(&s.services, &p, scope).await?.into()))
}

/// Registers an endpoint; the answer holds its signing `secret`, shown this once. (sponsor admins and organizers).
#[utoipa::path(post, path = "/api/v1/sponsors/sponsors/{sponsor_id}/webhooks", tag = "webhooks",
    security(("bearer" = [])),
    params(("sponsor_id" = Uuid, Path)),
    request_body = CreateWebhook,
    responses(
        (status = 201, body = CreatedWebhook),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "10 endpoints already", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_sponsor_webhook(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(sponsor_id): Path<Uuid>,
    Json(input): Json<CreateWebhook>,
) -> Result<(StatusCode, Json<CreatedWebhook>), ApiError> {
    let scope = Scope::Sponsor(sponsor_id);
    Ok((StatusCode::CREATED, Json(webhooks::create(&s.services, &p, scope, input).await?)))
}

/// Changes an endpoint's URL, events or description, or enables it again (`is_enabled: true`). (sponsor admins and organizers).
#[utoipa::path(patch, path = "/api/v1/sponsors/sponsors/{sponsor_id}/webhooks/{webhook_id}", tag = "webhooks",
    security(("bearer" = [])),
    params(("sponsor_id" = Uuid, Path), ("webhook_id" = Uuid, Path)),
    request_body = UpdateWebhook,
    responses(
        (status = 200, body = Webhook),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_sponsor_webhook(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((sponsor_id, webhook_id)): Path<(Uuid, Uuid)>,
    Json(input): Json<UpdateWebhook>,
) -> Result<Json<Webhook>, ApiError> {
    let scope = Scope::Sponsor(sponsor_id);
    Ok(Json(webhooks::update(&s.services, &p, scope, webhook_id, input).await?))
}

/// Deletes an endpoint and its delivery log. (sponsor admins and organizers).
#[utoipa::path(delete, path = "/api/v1/sponsors/sponsors/{sponsor_id}/webhooks/{webhook_id}", tag = "webhooks",
    security(("bearer" = [])),
    params(("sponsor_id" = Uuid, Path), ("webhook_id" = Uuid, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_sponsor_webhook(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((sponsor_id, webhook_id)): Path<(Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    let scope = Scope::Sponsor(sponsor_id);
    webhooks::delete(&s.services, &p, scope, webhook_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Queues a `webhook.test` message to the endpoint. (sponsor admins and organizers).
#[utoipa::path(post, path = "/api/v1/sponsors/sponsors/{sponsor_id}/webhooks/{webhook_id}/test", tag = "webhooks",
    security(("bearer" = [])),
    params(("sponsor_id" = Uuid, Path), ("webhook_id" = Uuid, Path)),
    responses(
        (status = 202, body = WebhookDelivery),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn ping_sponsor_webhook(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((sponsor_id, webhook_id)): Path<(Uuid, Uuid)>,
) -> Result<(StatusCode, Json<WebhookDelivery>), ApiError> {
    let scope = Scope::Sponsor(sponsor_id);
    Ok((StatusCode::ACCEPTED, Json(webhooks::ping(&s.services, &p, scope, webhook_id).await?)))
}

/// The endpoint's delivery log, newest first, 50 a page (`before`: the last `message_id` seen). (sponsor admins and organizers).
#[utoipa::path(get, path = "/api/v1/sponsors/sponsors/{sponsor_id}/webhooks/{webhook_id}/deliveries", tag = "webhooks",
    security(("bearer" = [])),
    params(("sponsor_id" = Uuid, Path), ("webhook_id" = Uuid, Path), DeliveryQuery),
    responses(
        (status = 200, body = Items<WebhookDelivery>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn sponsor_webhook_deliveries(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((sponsor_id, webhook_id)): Path<(Uuid, Uuid)>,
    Query(q): Query<DeliveryQuery>,
) -> Result<Json<Items<WebhookDelivery>>, ApiError> {
    let scope = Scope::Sponsor(sponsor_id);
    Ok(Json(webhooks::deliveries(&s.services, &p, scope, webhook_id, q.before).await?.into()))
}

/// Sends a logged message again, with its id (the endpoint must be enabled). (sponsor admins and organizers).
#[utoipa::path(post, path = "/api/v1/sponsors/sponsors/{sponsor_id}/webhooks/{webhook_id}/deliveries/{message_id}/replay", tag = "webhooks",
    security(("bearer" = [])),
    params(("sponsor_id" = Uuid, Path), ("webhook_id" = Uuid, Path), ("message_id" = Uuid, Path)),
    responses(
        (status = 202, body = WebhookDelivery),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The endpoint is disabled", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn replay_sponsor_webhook_delivery(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((sponsor_id, webhook_id, message_id)): Path<(Uuid, Uuid, Uuid)>,
) -> Result<(StatusCode, Json<WebhookDelivery>), ApiError> {
    let scope = Scope::Sponsor(sponsor_id);
    Ok((StatusCode::ACCEPTED, Json(webhooks::replay(&s.services, &p, scope, webhook_id, message_id).await?)))
}

/// The endpoints (at most 10). (organizers; every sponsor's leads of the event).
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/events/{event_id}/webhooks", tag = "webhooks",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path), ("event_id" = Uuid, Path)),
    responses(
        (status = 200, body = Items<Webhook>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_event_webhooks(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, event_id)): Path<(Uuid, Uuid)>,
) -> Result<Json<Items<Webhook>>, ApiError> {
    let scope = Scope::Event { org: org_id, event: event_id };
    Ok(Json(webhooks::list(&s.services, &p, scope).await?.into()))
}

/// Registers an endpoint; the answer holds its signing `secret`, shown this once. (organizers; every sponsor's leads of the event).
#[utoipa::path(post, path = "/api/v1/organizations/{org_id}/events/{event_id}/webhooks", tag = "webhooks",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path), ("event_id" = Uuid, Path)),
    request_body = CreateWebhook,
    responses(
        (status = 201, body = CreatedWebhook),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "10 endpoints already", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_event_webhook(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, event_id)): Path<(Uuid, Uuid)>,
    Json(input): Json<CreateWebhook>,
) -> Result<(StatusCode, Json<CreatedWebhook>), ApiError> {
    let scope = Scope::Event { org: org_id, event: event_id };
    Ok((StatusCode::CREATED, Json(webhooks::create(&s.services, &p, scope, input).await?)))
}

/// Changes an endpoint's URL, events or description, or enables it again (`is_enabled: true`). (organizers; every sponsor's leads of the event).
#[utoipa::path(patch, path = "/api/v1/organizations/{org_id}/events/{event_id}/webhooks/{webhook_id}", tag = "webhooks",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path), ("event_id" = Uuid, Path), ("webhook_id" = Uuid, Path)),
    request_body = UpdateWebhook,
    responses(
        (status = 200, body = Webhook),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_event_webhook(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, event_id, webhook_id)): Path<(Uuid, Uuid, Uuid)>,
    Json(input): Json<UpdateWebhook>,
) -> Result<Json<Webhook>, ApiError> {
    let scope = Scope::Event { org: org_id, event: event_id };
    Ok(Json(webhooks::update(&s.services, &p, scope, webhook_id, input).await?))
}

/// Deletes an endpoint and its delivery log. (organizers; every sponsor's leads of the event).
#[utoipa::path(delete, path = "/api/v1/organizations/{org_id}/events/{event_id}/webhooks/{webhook_id}", tag = "webhooks",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path), ("event_id" = Uuid, Path), ("webhook_id" = Uuid, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_event_webhook(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, event_id, webhook_id)): Path<(Uuid, Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    let scope = Scope::Event { org: org_id, event: event_id };
    webhooks::delete(&s.services, &p, scope, webhook_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Queues a `webhook.test` message to the endpoint. (organizers; every sponsor's leads of the event).
#[utoipa::path(post, path = "/api/v1/organizations/{org_id}/events/{event_id}/webhooks/{webhook_id}/test", tag = "webhooks",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path), ("event_id" = Uuid, Path), ("webhook_id" = Uuid, Path)),
    responses(
        (status = 202, body = WebhookDelivery),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn ping_event_webhook(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, event_id, webhook_id)): Path<(Uuid, Uuid, Uuid)>,
) -> Result<(StatusCode, Json<WebhookDelivery>), ApiError> {
    let scope = Scope::Event { org: org_id, event: event_id };
    Ok((StatusCode::ACCEPTED, Json(webhooks::ping(&s.services, &p, scope, webhook_id).await?)))
}

/// The endpoint's delivery log, newest first, 50 a page (`before`: the last `message_id` seen). (organizers; every sponsor's leads of the event).
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/events/{event_id}/webhooks/{webhook_id}/deliveries", tag = "webhooks",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path), ("event_id" = Uuid, Path), ("webhook_id" = Uuid, Path), DeliveryQuery),
    responses(
        (status = 200, body = Items<WebhookDelivery>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn event_webhook_deliveries(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, event_id, webhook_id)): Path<(Uuid, Uuid, Uuid)>,
    Query(q): Query<DeliveryQuery>,
) -> Result<Json<Items<WebhookDelivery>>, ApiError> {
    let scope = Scope::Event { org: org_id, event: event_id };
    Ok(Json(webhooks::deliveries(&s.services, &p, scope, webhook_id, q.before).await?.into()))
}

/// Sends a logged message again, with its id (the endpoint must be enabled). (organizers; every sponsor's leads of the event).
#[utoipa::path(post, path = "/api/v1/organizations/{org_id}/events/{event_id}/webhooks/{webhook_id}/deliveries/{message_id}/replay", tag = "webhooks",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path), ("event_id" = Uuid, Path), ("webhook_id" = Uuid, Path), ("message_id" = Uuid, Path)),
    responses(
        (status = 202, body = WebhookDelivery),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The endpoint is disabled", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn replay_event_webhook_delivery(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((org_id, event_id, webhook_id, message_id)): Path<(Uuid, Uuid, Uuid, Uuid)>,
) -> Result<(StatusCode, Json<WebhookDelivery>), ApiError> {
    let scope = Scope::Event { org: org_id, event: event_id };
    Ok((StatusCode::ACCEPTED, Json(webhooks::replay(&s.services, &p, scope, webhook_id, message_id).await?)))
}
