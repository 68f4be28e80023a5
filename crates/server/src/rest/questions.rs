//! A booth's qualification questions and the answers on its leads
//! (docs/DECISIONS.md, "Qualification questions").

use crate::extract::{Caller, Json, Path};
use crate::problem::{ApiError, Problem};
use crate::rest::list::Items;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use sponsorhub_services::leads::LeadDetail;
use sponsorhub_services::questions::{self, AnswerInput, CreateQuestion, UpdateQuestion};
use sponsorhub_store::records::Question;
use utoipa::ToSchema;
use uuid::Uuid;

/// The booth's questions in their order (the sponsor's staff and organizers).
#[utoipa::path(get, path = "/api/v1/sponsors/sponsors/{sponsor_id}/questions", tag = "leads",
    security(("bearer" = [])),
    params(("sponsor_id" = Uuid, Path)),
    responses(
        (status = 200, body = Items<Question>),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_questions(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(sponsor_id): Path<Uuid>,
) -> Result<Json<Items<Question>>, ApiError> {
    let items = questions::list_questions(&s.services, &p, sponsor_id).await?;
    Ok(Json(Items { items, next_cursor: None }))
}

/// Adds a question to the booth (sponsor admins and organizers; at most 30).
#[utoipa::path(post, path = "/api/v1/sponsors/sponsors/{sponsor_id}/questions", tag = "leads",
    security(("bearer" = [])),
    params(("sponsor_id" = Uuid, Path)),
    request_body = CreateQuestion,
    responses(
        (status = 201, body = Question),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The booth asks 30 questions already", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_question(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(sponsor_id): Path<Uuid>,
    Json(input): Json<CreateQuestion>,
) -> Result<(StatusCode, Json<Question>), ApiError> {
    Ok((StatusCode::CREATED, Json(questions::create_question(&s.services, &p, sponsor_id, input).await?)))
}

/// Changes a question (sponsor admins and organizers); its kind stays.
#[utoipa::path(patch, path = "/api/v1/sponsors/sponsors/{sponsor_id}/questions/{question_id}", tag = "leads",
    security(("bearer" = [])),
    params(("sponsor_id" = Uuid, Path), ("question_id" = Uuid, Path)),
    request_body = UpdateQuestion,
    responses(
        (status = 200, body = Question),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_question(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((sponsor_id, id)): Path<(Uuid, Uuid)>,
    Json(input): Json<UpdateQuestion>,
) -> Result<Json<Question>, ApiError> {
    Ok(Json(questions::update_question(&s.services, &p, sponsor_id, id, input).await?))
}

/// Deletes a question: no longer asked; the answers given stay and count.
#[utoipa::path(delete, path = "/api/v1/sponsors/sponsors/{sponsor_id}/questions/{question_id}", tag = "leads",
    security(("bearer" = [])),
    params(("sponsor_id" = Uuid, Path), ("question_id" = Uuid, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_question(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((sponsor_id, id)): Path<(Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    questions::delete_question(&s.services, &p, sponsor_id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Answers to record on a lead.
#[derive(Deserialize, ToSchema)]
pub struct LeadAnswers {
    /// At most 30; a `null` value removes that answer.
    #[schema(max_items = 30)]
    pub answers: Vec<AnswerInput>,
}

/// Answers qualification questions on a lead (staff who follow leads up); every
/// required question must be answered afterwards. The score follows.
#[utoipa::path(put, path = "/api/v1/sponsors/sponsors/{sponsor_id}/leads/{lead_id}/answers", tag = "leads",
    security(("bearer" = [])),
    params(("sponsor_id" = Uuid, Path), ("lead_id" = Uuid, Path)),
    request_body = LeadAnswers,
    responses(
        (status = 200, body = LeadDetail),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn answer_lead(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path((sponsor_id, lead_id)): Path<(Uuid, Uuid)>,
    Json(input): Json<LeadAnswers>,
) -> Result<Json<LeadDetail>, ApiError> {
    Ok(Json(questions::answer(&s.services, &p, Some(sponsor_id), lead_id, input.answers).await?))
}
