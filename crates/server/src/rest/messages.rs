//! Messaging between a sponsor's staff and attendees (docs/DECISIONS.md,
//! "Messaging"): the staff side under the sponsor, the attendee side under the event.

use crate::extract::{Caller, Json, Path, Query};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use sponsorhub_services::messages::{
    self, BlockState, MessageInput, MessagePage, NewThreadInput, PageQuery, Sent, ThreadPage, ThreadView,
};
use uuid::Uuid;

/// The sponsor's threads with attendees, the latest active first, with the
/// staff side's unread counts (staff who may message, organizers).
#[utoipa::path(get, path = "/api/v1/sponsors/sponsors/{sponsor_id}/threads", tag = "messages",
    security(("bearer" = [])),
    params(("sponsor_id" = Uuid, Path), PageQuery),
    responses(
        (status = 200, body = ThreadPage),
        (status = 400, description = "A cursor this service did not issue", body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn sponsor_threads(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(sponsor_id): Path<Uuid>,
    Query(q): Query<PageQuery>,
) -> Result<Json<ThreadPage>, ApiError> {
    Ok(Json(messages::sponsor_threads(&s.services, &p, sponsor_id, q).await?))
}

/// Writes to one of the sponsor's leads (staff with `can_message_attendees`):
/// the lead's attendee must have consented under the event's rule and not
/// blocked the sponsor. Opens the thread unless it exists.
#[utoipa::path(post, path = "/api/v1/sponsors/sponsors/{sponsor_id}/threads", tag = "messages",
    security(("bearer" = [])),
    params(("sponsor_id" = Uuid, Path)),
    request_body = NewThreadInput,
    responses(
        (status = 201, body = Sent),
        (status = 403, description = "No right to message, or an attendee who may not be messaged", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn start_thread(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(sponsor_id): Path<Uuid>,
    Json(input): Json<NewThreadInput>,
) -> Result<(StatusCode, Json<Sent>), ApiError> {
    Ok((StatusCode::CREATED, Json(messages::start_thread(&s.services, &p, sponsor_id, input).await?)))
}

/// A page of one of the sponsor's threads, newest messages first.
#[utoipa::path(get, path = "/api/v1/sponsors/sponsors/{sponsor_id}/threads/{thread_id}/messages", tag = "messages",
    security(("bearer" = [])),
    params(("sponsor_id" = Uuid, Path), ("thread_id" = Uuid, Path), PageQuery),
    responses(
        (status = 200, body = MessagePage),
        (status = 400, description = "A cursor this service did not issue", body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn sponsor_messages(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((sponsor_id, thread_id)): Path<(Uuid, Uuid)>,
    Query(q): Query<PageQuery>,
) -> Result<Json<MessagePage>, ApiError> {
    Ok(Json(messages::sponsor_messages(&s.services, &p, sponsor_id, thread_id, q).await?))
}

/// Staff write in one of the sponsor's threads.
#[utoipa::path(post, path = "/api/v1/sponsors/sponsors/{sponsor_id}/threads/{thread_id}/messages", tag = "messages",
    security(("bearer" = [])),
    params(("sponsor_id" = Uuid, Path), ("thread_id" = Uuid, Path)),
    request_body = MessageInput,
    responses(
        (status = 201, body = Sent),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn staff_send(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((sponsor_id, thread_id)): Path<(Uuid, Uuid)>,
    Json(input): Json<MessageInput>,
) -> Result<(StatusCode, Json<Sent>), ApiError> {
    Ok((StatusCode::CREATED, Json(messages::staff_send(&s.services, &p, sponsor_id, thread_id, input).await?)))
}

/// The staff side read the thread: its unread count drops to zero.
#[utoipa::path(post, path = "/api/v1/sponsors/sponsors/{sponsor_id}/threads/{thread_id}/read", tag = "messages",
    security(("bearer" = [])),
    params(("sponsor_id" = Uuid, Path), ("thread_id" = Uuid, Path)),
    responses(
        (status = 200, body = ThreadView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn staff_read(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((sponsor_id, thread_id)): Path<(Uuid, Uuid)>,
) -> Result<Json<ThreadView>, ApiError> {
    Ok(Json(messages::staff_read(&s.services, &p, sponsor_id, thread_id).await?))
}

/// The caller's threads with the event's sponsors (blocked sponsors' hidden),
/// the latest active first, with their unread counts.
#[utoipa::path(get, path = "/api/v1/events/{event_id}/threads", tag = "messages",
    security(("bearer" = [])),
    params(("event_id" = Uuid, Path), PageQuery),
    responses(
        (status = 200, body = ThreadPage),
        (status = 400, description = "A cursor this service did not issue", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The caller is not an attendee of the event", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn my_threads(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(event_id): Path<Uuid>,
    Query(q): Query<PageQuery>,
) -> Result<Json<ThreadPage>, ApiError> {
    Ok(Json(messages::my_threads(&s.services, &p, event_id, q).await?))
}

/// A page of one of the caller's threads, newest messages first.
#[utoipa::path(get, path = "/api/v1/events/{event_id}/threads/{thread_id}/messages", tag = "messages",
    security(("bearer" = [])),
    params(("event_id" = Uuid, Path), ("thread_id" = Uuid, Path), PageQuery),
    responses(
        (status = 200, body = MessagePage),
        (status = 400, description = "A cursor this service did not issue", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not the caller's thread, or the sponsor is blocked", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn my_messages(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((event_id, thread_id)): Path<(Uuid, Uuid)>,
    Query(q): Query<PageQuery>,
) -> Result<Json<MessagePage>, ApiError> {
    Ok(Json(messages::my_messages(&s.services, &p, event_id, thread_id, q).await?))
}

/// The attendee answers in their thread.
#[utoipa::path(post, path = "/api/v1/events/{event_id}/threads/{thread_id}/messages", tag = "messages",
    security(("bearer" = [])),
    params(("event_id" = Uuid, Path), ("thread_id" = Uuid, Path)),
    request_body = MessageInput,
    responses(
        (status = 201, body = Sent),
        (status = 404, description = "Not the caller's thread, or the sponsor is blocked", body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn attendee_send(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((event_id, thread_id)): Path<(Uuid, Uuid)>,
    Json(input): Json<MessageInput>,
) -> Result<(StatusCode, Json<Sent>), ApiError> {
    Ok((StatusCode::CREATED, Json(messages::attendee_send(&s.services, &p, event_id, thread_id, input).await?)))
}

/// The attendee read their thread.
#[utoipa::path(post, path = "/api/v1/events/{event_id}/threads/{thread_id}/read", tag = "messages",
    security(("bearer" = [])),
    params(("event_id" = Uuid, Path), ("thread_id" = Uuid, Path)),
    responses(
        (status = 200, body = ThreadView),
        (status = 404, description = "Not the caller's thread, or the sponsor is blocked", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn attendee_read(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((event_id, thread_id)): Path<(Uuid, Uuid)>,
) -> Result<Json<ThreadView>, ApiError> {
    Ok(Json(messages::attendee_read(&s.services, &p, event_id, thread_id).await?))
}

/// The caller blocks one of the event's sponsors: no messages either way, the
/// thread hidden from them (until they unblock).
#[utoipa::path(put, path = "/api/v1/events/{event_id}/blocks/{sponsor_id}", tag = "messages",
    security(("bearer" = [])),
    params(("event_id" = Uuid, Path), ("sponsor_id" = Uuid, Path)),
    responses(
        (status = 200, body = BlockState),
        (status = 404, description = "Not an attendee of the event, or no such sponsor", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn block_sponsor(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((event_id, sponsor_id)): Path<(Uuid, Uuid)>,
) -> Result<Json<BlockState>, ApiError> {
    Ok(Json(messages::set_block(&s.services, &p, event_id, sponsor_id, true).await?))
}

/// The caller unblocks the sponsor.
#[utoipa::path(delete, path = "/api/v1/events/{event_id}/blocks/{sponsor_id}", tag = "messages",
    security(("bearer" = [])),
    params(("event_id" = Uuid, Path), ("sponsor_id" = Uuid, Path)),
    responses(
        (status = 200, body = BlockState),
        (status = 404, description = "Not an attendee of the event, or no such sponsor", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn unblock_sponsor(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((event_id, sponsor_id)): Path<(Uuid, Uuid)>,
) -> Result<Json<BlockState>, ApiError> {
    Ok(Json(messages::set_block(&s.services, &p, event_id, sponsor_id, false).await?))
}
