//! Leads of a sponsor, and lead capture.

use crate::extract::{Caller, Json, Path, Query};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sponsorhub_services::Error;
use sponsorhub_services::capture::{self, CaptureLead, CaptureReceipt, IdempotencyKey};
use sponsorhub_services::leads::{self, LeadDetail, LeadQuery, LeadStats, UpdateLead};
use sponsorhub_store::records::Lead;
use uuid::Uuid;

/// The sponsor's leads, filtered, sorted and paged (`sponsor:leads:read`).
#[utoipa::path(get, path = "/api/v1/sponsors/sponsors/{sponsor_id}/leads", tag = "leads",
    security(("bearer" = [])),
    params(("sponsor_id" = Uuid, Path), LeadQuery),
    responses(
        (status = 200, body = leads::LeadPage),
        (status = 400, description = "A cursor of another sort", body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_leads(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(sponsor_id): Path<Uuid>,
    Query(q): Query<LeadQuery>,
) -> Result<Json<leads::LeadPage>, ApiError> {
    Ok(Json(leads::list_leads(&s.services, &p, sponsor_id, q).await?))
}

/// Lead statistics of the sponsor (`sponsor:leads:read`).
#[utoipa::path(get, path = "/api/v1/sponsors/sponsors/{sponsor_id}/leads/stats", tag = "leads",
    security(("bearer" = [])),
    params(("sponsor_id" = Uuid, Path)),
    responses(
        (status = 200, body = LeadStats),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn lead_stats(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(sponsor_id): Path<Uuid>,
) -> Result<Json<LeadStats>, ApiError> {
    Ok(Json(leads::lead_stats(&s.services, &p, sponsor_id).await?))
}

/// One lead with its interaction history (`sponsor:leads:read`).
#[utoipa::path(get, path = "/api/v1/sponsors/sponsors/{sponsor_id}/leads/{lead_id}", tag = "leads",
    security(("bearer" = [])),
    params(("sponsor_id" = Uuid, Path), ("lead_id" = Uuid, Path)),
    responses(
        (status = 200, body = LeadDetail),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_lead(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((sponsor_id, lead_id)): Path<(Uuid, Uuid)>,
) -> Result<Json<LeadDetail>, ApiError> {
    Ok(Json(leads::get_lead(&s.services, &p, Some(sponsor_id), lead_id).await?))
}

/// Follow a lead up: status, notes, tags, star, archive (organizers, and staff who
/// view leads other than viewers). A status change records who and when.
#[utoipa::path(patch, path = "/api/v1/sponsors/sponsors/{sponsor_id}/leads/{lead_id}", tag = "leads",
    security(("bearer" = [])), request_body = UpdateLead,
    params(("sponsor_id" = Uuid, Path), ("lead_id" = Uuid, Path)),
    responses(
        (status = 200, body = Lead),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_lead(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((sponsor_id, lead_id)): Path<(Uuid, Uuid)>,
    Json(input): Json<UpdateLead>,
) -> Result<Json<Lead>, ApiError> {
    Ok(Json(leads::update_lead(&s.services, &p, Some(sponsor_id), lead_id, input).await?))
}

/// What a capture answers: the lead for staff who may view leads (and organizers),
/// a receipt for everyone else.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum CaptureAnswer {
    Lead(Box<Lead>),
    Receipt(CaptureReceipt),
}

/// Record an interaction of an attendee with a sponsor. Without `attendee`, the
/// caller records their own interaction and gets a receipt of what they shared and
/// with whom; with it, the sponsor's staff capture that attendee and get the lead
/// (a receipt when they may not view leads). 201 for a new lead, 200 for an update. An `Idempotency-Key`
/// header makes a retry answer like the first request without counting again.
#[utoipa::path(post, path = "/api/v1/sponsors/events/{event_id}/sponsors/{sponsor_id}/capture-lead", tag = "leads",
    security(("bearer" = [])), request_body = CaptureLead,
    params(
        ("event_id" = Uuid, Path), ("sponsor_id" = Uuid, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe; kept 24 hours"),
    ),
    responses(
        (status = 201, description = "A new lead", body = CaptureAnswer),
        (status = 200, description = "The attendee's lead, updated", body = CaptureAnswer),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Sponsor archived, lead capture off, or the same Idempotency-Key in flight", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or the Idempotency-Key used with another request", body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn capture_lead(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((event_id, sponsor_id)): Path<(Uuid, Uuid)>,
    headers: HeaderMap,
    Json(input): Json<CaptureLead>,
) -> Result<Response, ApiError> {
    let key = match headers.get("idempotency-key") {
        Some(v) => Some(IdempotencyKey::new(
            v.to_str().map_err(|_| Error::BadRequest("the Idempotency-Key must be visible ASCII".into()))?.to_string(),
            event_id,
            sponsor_id,
            &input,
        )),
        None => None,
    };
    let outcome = capture::capture_lead(&s.services, &p, event_id, sponsor_id, input, key).await?;
    let status = if outcome.created { StatusCode::CREATED } else { StatusCode::OK };
    let answer = match outcome.lead {
        Some(lead) => CaptureAnswer::Lead(Box::new(lead)),
        None => CaptureAnswer::Receipt(outcome.receipt),
    };
    let mut response = (status, Json(answer)).into_response();
    if outcome.replayed {
        response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(response)
}

/// Queued captures from an offline device.
#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct BulkCaptures {
    /// At most 500, each a `BulkCapture`. A malformed item gets its own problem in
    /// the answer and the others are recorded, so any object is taken here.
    #[schema(max_items = 500, value_type = Vec<Object>)]
    pub captures: Vec<serde_json::Map<String, serde_json::Value>>,
}

/// What became of one queued capture.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct BulkCaptureResult {
    pub idempotency_key: String,
    /// The status the capture would have answered alone: 201 new lead, 200 lead
    /// updated, or the problem's status.
    pub status: u16,
    /// The lead, when the capture was recorded (or had been: a replay).
    pub lead_id: Option<Uuid>,
    /// Why it was not recorded.
    pub problem: Option<Problem>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct BulkCaptureAnswer {
    /// One per capture, in the order sent.
    pub results: Vec<BulkCaptureResult>,
}

/// Record captures a device queued while offline, up to 500, each with its own
/// `idempotency_key` and `occurred_at` (the device's time): each is recorded (or
/// refused) on its own, a replayed key never counts twice, and the answer lists
/// every item's outcome in order.
#[utoipa::path(post, path = "/api/v1/sponsors/events/{event_id}/sponsors/{sponsor_id}/capture-leads/bulk", tag = "leads",
    security(("bearer" = [])), request_body = BulkCaptures,
    params(("event_id" = Uuid, Path), ("sponsor_id" = Uuid, Path)),
    responses(
        (status = 200, body = BulkCaptureAnswer),
    ))]
pub async fn capture_bulk(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((event_id, sponsor_id)): Path<(Uuid, Uuid)>,
    Json(input): Json<BulkCaptures>,
) -> Result<Json<BulkCaptureAnswer>, ApiError> {
    let outcomes = capture::capture_bulk(&s.services, &p, event_id, sponsor_id, input.captures).await?;
    let results = outcomes
        .into_iter()
        .map(|(idempotency_key, r)| match r {
            Ok(o) => BulkCaptureResult {
                idempotency_key,
                status: if o.created { 201 } else { 200 },
                lead_id: Some(o.receipt.lead_id),
                problem: None,
            },
            Err(e) => {
                let problem = ApiError::from(e).into_problem();
                BulkCaptureResult { idempotency_key, status: problem.status, lead_id: None, problem: Some(problem) }
            }
        })
        .collect();
    Ok(Json(BulkCaptureAnswer { results }))
}

/// A note to add to a lead.
#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct NoteInput {
    /// 1 to 10,000 characters.
    pub body: String,
}

/// Adds an entry to the lead's notes (staff who follow leads up); the lead's
/// `follow_up_notes` then shows it as the latest.
#[utoipa::path(post, path = "/api/v1/sponsors/sponsors/{sponsor_id}/leads/{lead_id}/notes", tag = "leads",
    security(("bearer" = [])),
    params(("sponsor_id" = Uuid, Path), ("lead_id" = Uuid, Path)),
    request_body = NoteInput,
    responses(
        (status = 201, body = sponsorhub_store::records::LeadNote),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn add_note(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((sponsor_id, lead_id)): Path<(Uuid, Uuid)>,
    Json(input): Json<NoteInput>,
) -> Result<(StatusCode, Json<sponsorhub_store::records::LeadNote>), ApiError> {
    let note = leads::add_note(&s.services, &p, Some(sponsor_id), lead_id, &input.body).await?;
    Ok((StatusCode::CREATED, Json(note)))
}

/// One change to many of the sponsor's leads (staff who follow leads up): a
/// status, an owner, a tag added, starred or archived. All or nothing.
#[utoipa::path(post, path = "/api/v1/sponsors/sponsors/{sponsor_id}/leads/bulk", tag = "leads",
    security(("bearer" = [])),
    params(("sponsor_id" = Uuid, Path)),
    request_body = leads::BulkLeadUpdate,
    responses(
        (status = 200, body = leads::BulkLeadResult),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn bulk_update(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(sponsor_id): Path<Uuid>,
    Json(input): Json<leads::BulkLeadUpdate>,
) -> Result<Json<leads::BulkLeadResult>, ApiError> {
    Ok(Json(leads::bulk_update(&s.services, &p, sponsor_id, input).await?))
}
