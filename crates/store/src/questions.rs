//! Qualification questions of a sponsor's booth and the answers on its leads.

use crate::records::{Answer, JsonColumn, Question};
use crate::sql::Sql;
use crate::{Result, Tx, bind_args, on_tx};
use chrono::{DateTime, Utc};
use uuid::Uuid;

const COLUMNS: &str =
    "id, sponsor_id, position, kind, prompt, required, options, points, is_archived, created_at, updated_at";
const ANSWER_COLUMNS: &str = "lead_id, question_id, sponsor_id, value, points, answered_by_user_id, answered_at";

pub async fn insert(tx: &mut Tx, q: &Question) -> Result<()> {
    let sql = "INSERT INTO qualification_questions (id, sponsor_id, position, kind, prompt, required, options, points,
                   is_archived, created_at, updated_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
    on_tx!(tx, c => sqlx::query(sql)
        .bind(q.id).bind(q.sponsor_id).bind(q.position).bind(q.kind.as_str()).bind(&q.prompt).bind(q.required)
        .bind(&q.options).bind(q.points).bind(q.is_archived).bind(q.created_at).bind(q.updated_at)
        .execute(c).await?.rows_affected());
    Ok(())
}

/// Writes every mutable column back.
pub async fn update(tx: &mut Tx, q: &Question) -> Result<()> {
    let sql = "UPDATE qualification_questions SET position = $2, prompt = $3, required = $4, options = $5,
                   points = $6, is_archived = $7, updated_at = $8
               WHERE id = $1";
    on_tx!(tx, c => sqlx::query(sql)
        .bind(q.id).bind(q.position).bind(&q.prompt).bind(q.required).bind(&q.options).bind(q.points)
        .bind(q.is_archived).bind(q.updated_at)
        .execute(c).await?.rows_affected());
    Ok(())
}

/// The sponsor's question, archived or not.
pub async fn get(tx: &mut Tx, sponsor: Uuid, id: Uuid) -> Result<Option<Question>> {
    let sql = format!("SELECT {COLUMNS} FROM qualification_questions WHERE sponsor_id = $1 AND id = $2");
    Ok(on_tx!(tx, c => sqlx::query_as::<_, Question>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(sponsor).bind(id).fetch_optional(c).await?))
}

/// The sponsor's questions in their order; archived ones too when asked.
pub async fn list(tx: &mut Tx, sponsor: Uuid, archived: bool) -> Result<Vec<Question>> {
    let filter = if archived { "" } else { " AND is_archived = FALSE" };
    let sql =
        format!("SELECT {COLUMNS} FROM qualification_questions WHERE sponsor_id = $1{filter} ORDER BY position, id");
    Ok(on_tx!(tx, c => sqlx::query_as::<_, Question>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(sponsor).fetch_all(c).await?))
}

/// Answers the question on the lead, or replaces the answer.
pub async fn put_answer(tx: &mut Tx, a: &Answer) -> Result<()> {
    let sql = "INSERT INTO lead_answers (lead_id, question_id, sponsor_id, value, points, answered_by_user_id,
                   answered_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7)
               ON CONFLICT (lead_id, question_id)
               DO UPDATE SET value = $4, points = $5, answered_by_user_id = $6, answered_at = $7";
    on_tx!(tx, c => sqlx::query(sql)
        .bind(a.lead_id).bind(a.question_id).bind(a.sponsor_id).bind(&a.value).bind(a.points)
        .bind(a.answered_by_user_id).bind(a.answered_at)
        .execute(c).await?.rows_affected());
    Ok(())
}

pub async fn delete_answer(tx: &mut Tx, lead: Uuid, question: Uuid) -> Result<()> {
    let sql = "DELETE FROM lead_answers WHERE lead_id = $1 AND question_id = $2";
    on_tx!(tx, c => sqlx::query(sql).bind(lead).bind(question).execute(c).await?.rows_affected());
    Ok(())
}

/// The lead's answers.
pub async fn answers(tx: &mut Tx, lead: Uuid) -> Result<Vec<Answer>> {
    let sql = format!("SELECT {ANSWER_COLUMNS} FROM lead_answers WHERE lead_id = $1 ORDER BY question_id");
    Ok(on_tx!(tx, c => sqlx::query_as::<_, Answer>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(lead).fetch_all(c).await?))
}

/// The points of the lead's interactions and of its answers: what its score is
/// made of before the cap.
pub async fn points_of(tx: &mut Tx, lead: Uuid) -> Result<(i64, i64)> {
    let sql = "SELECT (SELECT COALESCE(SUM(points), 0) FROM sponsor_lead_interactions WHERE lead_id = $1),
                      (SELECT COALESCE(SUM(points), 0) FROM lead_answers WHERE lead_id = $1)";
    Ok(on_tx!(tx, c => sqlx::query_as::<_, (i64, i64)>(sql).bind(lead).fetch_one(c).await?))
}

/// One answer with its question's prompt.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PromptedAnswer {
    pub lead_id: Uuid,
    pub prompt: String,
    pub value: JsonColumn<serde_json::Value>,
    pub answered_at: DateTime<Utc>,
}

/// The answers of these leads with their questions' prompts, in the booth's
/// order of its questions: one query for them all.
pub async fn answers_of(tx: &mut Tx, leads: &[Uuid]) -> Result<Vec<PromptedAnswer>> {
    if leads.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(
        "SELECT a.lead_id, q.prompt, a.value, a.answered_at FROM lead_answers a
         JOIN qualification_questions q ON q.id = a.question_id WHERE a.lead_id IN ",
    );
    let list = q.in_list(leads);
    q.push(&list).push(" ORDER BY a.lead_id, q.position, q.id");
    let Sql { text, args } = q;
    Ok(on_tx!(tx, c => bind_args!(sqlx::query_as::<_, PromptedAnswer>(sqlx::AssertSqlSafe(text.clone())), args.clone())
        .fetch_all(c).await?))
}
