//! Qualification questions of a sponsor's booth, the answers staff give on leads,
//! and why a lead has its score (docs/DECISIONS.md, "Qualification questions").
//! Sponsor admins and organizers define the questions; staff who capture answer
//! at capture, staff who follow leads up answer later on the lead. An answer's
//! points add to the intent score, under the same cap of 100.

use crate::authz::SponsorAccess;
use crate::notify::{IntentChange, Notification};
use crate::{Error, Principal, Result, Services};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sponsorhub_domain::qualification::{self, ChoiceOption, QuestionKind};
use sponsorhub_domain::scoring::{self, IntentLevel, InteractionType};
use sponsorhub_domain::validate::{self, FieldError, Validator};
use sponsorhub_domain::{ids, time};
use sponsorhub_store::records::{Answer, Interaction, JsonColumn, Lead, Question};
use sponsorhub_store::{Tx, leads, questions as q};
use std::collections::BTreeMap;
use uuid::Uuid;

/// At most this many questions a booth asks.
pub const MAX_QUESTIONS: usize = 30;

/// A new question.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateQuestion {
    /// text, single_choice, multiple_choice or rating
    #[cfg_attr(feature = "openapi", schema(value_type = QuestionKind))]
    pub kind: String,
    /// 1 to 300 characters.
    pub prompt: String,
    /// Default false.
    pub required: Option<bool>,
    /// A choice question's 2 to 20 options, each with 0 to 50 points.
    pub options: Option<Vec<ChoiceOption>>,
    /// What a text answer, or each star of a rating, adds to the score (0 to 50).
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 50))]
    pub points: Option<i32>,
    /// Where it goes in the order (default: last).
    pub position: Option<i32>,
}

/// Changes to a question; absent fields stay. Its kind cannot change.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateQuestion {
    pub prompt: Option<String>,
    pub required: Option<bool>,
    /// Replaces the options; answers given keep the points they were given.
    pub options: Option<Vec<ChoiceOption>>,
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 50))]
    pub points: Option<i32>,
    pub position: Option<i32>,
}

/// One answer as staff send it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnswerInput {
    pub question_id: Uuid,
    /// Text, an option's label, a list of labels, or a number of stars (1 to 5);
    /// `null` removes the answer.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub value: serde_json::Value,
}

/// An answer on a lead, with its question.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeadAnswer {
    pub question_id: Uuid,
    pub prompt: String,
    #[cfg_attr(feature = "openapi", schema(value_type = QuestionKind))]
    pub kind: QuestionKind,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub value: serde_json::Value,
    pub points: i32,
    pub answered_by_user_id: Option<Uuid>,
    pub answered_at: DateTime<Utc>,
}

/// Points of one interaction type on a lead.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
pub struct TypePoints {
    pub interaction_type: String,
    pub count: i32,
    /// Their own points, without the repeat bonus.
    pub points: i32,
}

/// Points of one answer on a lead.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
pub struct AnswerPoints {
    pub question_id: Uuid,
    pub prompt: String,
    pub points: i32,
}

/// Why a lead has its score: the interactions by type, the repeat bonus, the
/// answers, their total, and what the cap cut.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
pub struct ScoreBreakdown {
    pub interactions: Vec<TypePoints>,
    /// 5 points for every interaction after the first.
    pub repeat_bonus: i32,
    pub answers: Vec<AnswerPoints>,
    /// Everything above, before the cap.
    pub total: i32,
    /// The most a score can be (100).
    pub cap: i32,
    /// What the cap cut from the total.
    pub capped: i32,
    /// The lead's score: the total, at most the cap.
    pub score: i32,
}

fn prompt(v: &mut Validator, raw: &str) -> Option<String> {
    v.check(validate::text("prompt", raw, 1, 300))
}

fn shape(v: &mut Validator, kind: QuestionKind, options: &[ChoiceOption], points: i32) -> Option<Vec<ChoiceOption>> {
    match qualification::check_shape(kind, options, points) {
        Ok(o) => Some(o),
        Err(errors) => {
            for e in errors {
                v.push(&e.field, e.message);
            }
            None
        }
    }
}

/// The booth's questions in their order (everyone on the staff, and organizers).
pub async fn list_questions(svc: &Services, p: &Principal, sponsor_id: Uuid) -> Result<Vec<Question>> {
    let mut tx = svc.store.read().await?;
    SponsorAccess::load(&mut tx, p, sponsor_id).await?;
    Ok(q::list(&mut tx, sponsor_id, false).await?)
}

/// The lead with its answers, and the booth's questions to answer: the lead page.
pub async fn lead_with_questions(
    svc: &Services,
    p: &Principal,
    sponsor_id: Uuid,
    lead_id: Uuid,
) -> Result<(crate::leads::LeadDetail, Vec<Question>)> {
    let mut tx = svc.store.read().await?;
    let lead = crate::leads::lead_for(&mut tx, p, Some(sponsor_id), lead_id, false).await?;
    let detail = crate::leads::detail(&mut tx, lead).await?;
    let asked = q::list(&mut tx, sponsor_id, false).await?;
    Ok((detail, asked))
}

/// Moves a question one place up (or down) in the booth's order, swapping it with
/// its neighbour (sponsor admins and organizers).
pub async fn move_question(svc: &Services, p: &Principal, sponsor_id: Uuid, id: Uuid, up: bool) -> Result<()> {
    let mut tx = svc.store.write().await?;
    SponsorAccess::load(&mut tx, p, sponsor_id).await?.require_manage_questions()?;
    let mut asked = q::list(&mut tx, sponsor_id, false).await?;
    let at = asked.iter().position(|q| q.id == id).ok_or(Error::NotFound("question"))?;
    let other = if up { at.checked_sub(1) } else { Some(at + 1).filter(|o| *o < asked.len()) };
    let Some(other) = other else { return Ok(()) };
    // Positions may repeat (set by hand): number them all in the new order.
    asked.swap(at, other);
    let now = time::now();
    for (i, question) in asked.iter_mut().enumerate() {
        let position = i32::try_from(i).unwrap_or(i32::MAX) + 1;
        if question.position != position {
            question.position = position;
            question.updated_at = now;
            q::update(&mut tx, question).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Adds a question (sponsor admins and organizers).
#[tracing::instrument(skip_all, fields(sponsor.id = %sponsor_id))]
pub async fn create_question(
    svc: &Services,
    p: &Principal,
    sponsor_id: Uuid,
    input: CreateQuestion,
) -> Result<Question> {
    let mut v = Validator::new();
    let kind = v.check(validate::choice::<QuestionKind>("kind", &input.kind));
    let text = prompt(&mut v, &input.prompt);
    let points = input.points.unwrap_or(0);
    let options = kind.and_then(|k| shape(&mut v, k, input.options.as_deref().unwrap_or_default(), points));
    v.finish()?;

    let mut tx = svc.store.write().await?;
    SponsorAccess::load(&mut tx, p, sponsor_id).await?.require_manage_questions()?;
    let existing = q::list(&mut tx, sponsor_id, false).await?;
    if existing.len() >= MAX_QUESTIONS {
        return Err(Error::Conflict(format!("a booth asks at most {MAX_QUESTIONS} questions")));
    }
    let last = existing.iter().map(|q| q.position).max().unwrap_or(0);
    let now = time::now();
    let question = Question {
        id: ids::new_id(),
        sponsor_id,
        position: input.position.unwrap_or(last.saturating_add(1)),
        kind: kind.expect("checked"),
        prompt: text.expect("checked"),
        required: input.required.unwrap_or(false),
        options: JsonColumn(options.expect("checked")),
        points,
        is_archived: false,
        created_at: now,
        updated_at: now,
    };
    q::insert(&mut tx, &question).await?;
    tx.commit().await?;
    Ok(question)
}

/// Changes a question (sponsor admins and organizers).
#[tracing::instrument(skip_all, fields(sponsor.id = %sponsor_id, question.id = %id))]
pub async fn update_question(
    svc: &Services,
    p: &Principal,
    sponsor_id: Uuid,
    id: Uuid,
    input: UpdateQuestion,
) -> Result<Question> {
    let mut tx = svc.store.write().await?;
    let access = SponsorAccess::load(&mut tx, p, sponsor_id).await?;
    let mut question =
        q::get(&mut tx, sponsor_id, id).await?.filter(|q| !q.is_archived).ok_or(Error::NotFound("question"))?;
    access.require_manage_questions()?;
    let mut v = Validator::new();
    if let Some(t) = input.prompt.as_deref().and_then(|t| prompt(&mut v, t)) {
        question.prompt = t;
    }
    let options = input.options.unwrap_or_else(|| question.options.0.clone());
    let points = input.points.unwrap_or(question.points);
    if let Some(o) = shape(&mut v, question.kind, &options, points) {
        question.options = JsonColumn(o);
        question.points = points;
    }
    v.finish()?;
    if let Some(r) = input.required {
        question.required = r;
    }
    if let Some(pos) = input.position {
        question.position = pos;
    }
    question.updated_at = time::now();
    q::update(&mut tx, &question).await?;
    tx.commit().await?;
    Ok(question)
}

/// Deletes a question: it is no longer asked; answers given stay on their leads
/// and keep counting (sponsor admins and organizers).
#[tracing::instrument(skip_all, fields(sponsor.id = %sponsor_id, question.id = %id))]
pub async fn delete_question(svc: &Services, p: &Principal, sponsor_id: Uuid, id: Uuid) -> Result<()> {
    let mut tx = svc.store.write().await?;
    let access = SponsorAccess::load(&mut tx, p, sponsor_id).await?;
    let mut question =
        q::get(&mut tx, sponsor_id, id).await?.filter(|q| !q.is_archived).ok_or(Error::NotFound("question"))?;
    access.require_manage_questions()?;
    question.is_archived = true;
    question.updated_at = time::now();
    q::update(&mut tx, &question).await?;
    tx.commit().await?;
    Ok(())
}

/// Answers questions on a lead (staff who follow leads up), and answers with the
/// lead as it now is.
#[tracing::instrument(skip_all, fields(lead.id = %lead_id))]
pub async fn answer(
    svc: &Services,
    p: &Principal,
    sponsor_id: Option<Uuid>,
    lead_id: Uuid,
    answers: Vec<AnswerInput>,
) -> Result<crate::leads::LeadDetail> {
    let mut tx = svc.store.write().await?;
    let mut lead = crate::leads::lead_for(&mut tx, p, sponsor_id, lead_id, true).await?;
    let before = (lead.intent_score, lead.intent_level);
    let now = time::now();
    apply(&mut tx, &mut lead, &answers, p.user_id, now).await?;
    crate::webhooks::lead_changed(&mut tx, &lead, false, Some(before.1), now).await?;
    crate::analytics::level_moved(&mut tx, &lead, before.1, p.user_id, now).await?;
    let detail = crate::leads::detail(&mut tx, lead).await?;
    tx.commit().await?;
    svc.notifier.publish(changed(&detail.lead, before));
    Ok(detail)
}

/// What open dashboards hear of a lead whose score may have moved.
pub(crate) fn changed(lead: &Lead, (score, level): (i32, IntentLevel)) -> Notification {
    if lead.intent_score == score {
        return Notification::LeadUpdated { lead: lead.clone() };
    }
    Notification::LeadIntentUpdated(IntentChange {
        lead_id: lead.id,
        sponsor_id: lead.sponsor_id,
        intent_score: lead.intent_score,
        intent_level: lead.intent_level,
        previous_intent_level: level,
        interaction_count: lead.interaction_count,
        updated_at: lead.updated_at,
    })
}

/// Records the answers on the lead in the caller's transaction and scores it
/// again: every answer checked against its question (fields `answers[<i>]…`),
/// `null` removing one, and every required question answered afterwards. Writes
/// the lead back.
pub(crate) async fn apply(
    tx: &mut Tx,
    lead: &mut Lead,
    inputs: &[AnswerInput],
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<()> {
    if inputs.len() > MAX_QUESTIONS {
        return Err(Error::invalid("answers", format!("at most {MAX_QUESTIONS} answers")));
    }
    let counted = leads::Counted::of(lead);
    let asked = q::list(tx, lead.sponsor_id, false).await?;
    let mut answered: Vec<Uuid> = q::answers(tx, lead.id).await?.into_iter().map(|a| a.question_id).collect();
    let mut errors: Vec<FieldError> = Vec::new();
    let mut writes: Vec<(Uuid, Option<(serde_json::Value, i32)>)> = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let field = format!("answers[{i}].value");
        let Some(question) = asked.iter().find(|q| q.id == input.question_id) else {
            errors.push(FieldError::new(&format!("answers[{i}].question_id"), "is not a question of this booth"));
            continue;
        };
        if writes.iter().any(|(id, _)| *id == question.id) {
            errors.push(FieldError::new(&format!("answers[{i}].question_id"), "is answered twice"));
            continue;
        }
        if input.value.is_null() {
            answered.retain(|id| *id != question.id);
            writes.push((question.id, None));
            continue;
        }
        match qualification::check_answer(&field, question.kind, &question.options.0, question.points, &input.value) {
            Ok(v) => {
                answered.push(question.id);
                writes.push((question.id, Some(v)));
            }
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        for question in asked.iter().filter(|q| q.required && !answered.contains(&q.id)) {
            // At the answer that cleared it, if one did.
            let field = match inputs.iter().position(|i| i.question_id == question.id) {
                Some(i) => format!("answers[{i}].value"),
                None => "answers".to_string(),
            };
            errors.push(FieldError::new(&field, format!("\u{201c}{}\u{201d} needs an answer", question.prompt)));
        }
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    for (question_id, write) in writes {
        match write {
            Some((value, points)) => {
                let a = Answer {
                    lead_id: lead.id,
                    question_id,
                    sponsor_id: lead.sponsor_id,
                    value: JsonColumn(value),
                    points,
                    answered_by_user_id: Some(by),
                    answered_at: now,
                };
                q::put_answer(tx, &a).await?;
            }
            None => q::delete_answer(tx, lead.id, question_id).await?,
        }
    }
    let (interactions, answers) = q::points_of(tx, lead.id).await?;
    let total = i32::try_from(interactions + answers).unwrap_or(i32::MAX);
    lead.intent_score = scoring::add_points(0, total);
    lead.intent_level = IntentLevel::from_score(lead.intent_score);
    lead.updated_at = now;
    leads::update(tx, counted, lead).await?;
    Ok(())
}

/// The lead's answers with their questions (archived ones too), in the booth's order.
pub(crate) async fn answers_of(tx: &mut Tx, lead: &Lead) -> Result<Vec<LeadAnswer>> {
    let given = q::answers(tx, lead.id).await?;
    if given.is_empty() {
        return Ok(Vec::new());
    }
    let questions = q::list(tx, lead.sponsor_id, true).await?;
    Ok(questions
        .into_iter()
        .filter_map(|question| {
            let a = given.iter().find(|a| a.question_id == question.id)?;
            Some(LeadAnswer {
                question_id: question.id,
                prompt: question.prompt,
                kind: question.kind,
                value: a.value.0.clone(),
                points: a.points,
                answered_by_user_id: a.answered_by_user_id,
                answered_at: a.answered_at,
            })
        })
        .collect())
}

/// Why the lead has its score, from its interactions and answers.
pub fn breakdown(lead: &Lead, interactions: &[Interaction], answers: &[LeadAnswer]) -> ScoreBreakdown {
    let mut by_type: BTreeMap<&'static str, (i32, i32)> = BTreeMap::new();
    let mut bonus = 0;
    for i in interactions {
        let own = i.interaction_type.points();
        let e = by_type.entry(i.interaction_type.as_str()).or_default();
        e.0 += 1;
        e.1 += own;
        bonus += (i.points - own).max(0);
    }
    let interactions: Vec<TypePoints> = InteractionType::ALL
        .iter()
        .filter_map(|t| {
            by_type.get(t.as_str()).map(|(count, points)| TypePoints {
                interaction_type: t.as_str().to_string(),
                count: *count,
                points: *points,
            })
        })
        .collect();
    let answers: Vec<AnswerPoints> = answers
        .iter()
        .map(|a| AnswerPoints { question_id: a.question_id, prompt: a.prompt.clone(), points: a.points })
        .collect();
    let total =
        interactions.iter().map(|t| t.points).sum::<i32>() + bonus + answers.iter().map(|a| a.points).sum::<i32>();
    ScoreBreakdown {
        interactions,
        repeat_bonus: bonus,
        answers,
        total,
        cap: scoring::MAX_SCORE,
        capped: (total - scoring::MAX_SCORE).max(0),
        score: lead.intent_score,
    }
}
