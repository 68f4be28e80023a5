//! The one lead.

use super::answers::{self, QuestionField};
use super::*;
use sponsorhub_services::questions;

pub struct InteractionItem {
    pub kind: String,
    /// The points that counted (after the score's cap).
    pub points: i32,
    /// What it was worth, when the cap cut it.
    pub worth: Option<i32>,
    pub when: String,
    /// How, by whom, on which device.
    pub how: String,
    pub details: String,
}

#[derive(Template)]
#[template(path = "lead.html")]
struct LeadPage {
    ctx: Ctx,
    nav: SponsorNav,
    row: LeadRow,
    first_seen: String,
    follow_up_notes: String,
    contact_notes: String,
    tags: String,
    tag_list: Vec<String>,
    followed_up: String,
    interactions: Vec<InteractionItem>,
    statuses: Vec<&'static str>,
    follow_up: bool,
    questions: Vec<QuestionField>,
    answer_errors: bool,
    /// The staff a lead may be given to: (user id, name, chosen).
    owners: Vec<(Uuid, String, bool)>,
    due_on: String,
    notes: Vec<(String, String, String)>,
    breakdown: Vec<(String, String)>,
    score_total: i32,
    score_capped: i32,
    /// The follow-up form's status, star and archive as shown (the lead's, or
    /// what was sent when a save was refused), and its errors at their fields.
    status_value: String,
    starred_value: bool,
    archived_value: bool,
    fu_errors: FieldErrors,
    /// A refused note's text and error.
    note_body: String,
    note_error: Option<String>,
    /// The caller may write to this lead (docs/DECISIONS.md, "Messaging").
    may_message: bool,
}

/// What a refused form sent, shown again with its errors.
enum Refused {
    Answers(answers::Values, FieldErrors),
    FollowUp(Box<LeadForm>, FieldErrors),
    Note(String, String),
}

pub async fn lead(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path((sponsor_id, lead_id)): Path<(Uuid, Uuid)>,
) -> Result<Response, WebError> {
    lead_page(&s, ctx, &p, sponsor_id, lead_id, None).await
}

/// The service's fields as the follow-up form names them.
fn follow_up_errors(fields: Vec<sponsorhub_domain::validate::FieldError>) -> FieldErrors {
    FieldErrors(
        fields
            .into_iter()
            .map(|mut f| {
                if f.field == "owner_user_id" {
                    f.field = "owner".into();
                } else if f.field.starts_with("tags[") {
                    f.field = "tags".into();
                } else if f.field == "follow_up_status" {
                    f.field = "status".into();
                }
                f
            })
            .collect(),
    )
}

/// The lead page; with the answers form's values and errors after a refused save.
async fn lead_page(
    s: &AppState,
    ctx: Ctx,
    p: &Principal,
    sponsor_id: Uuid,
    lead_id: Uuid,
    refused: Option<Refused>,
) -> Result<Response, WebError> {
    let nav = sponsor_nav(s, p, sponsor_id, "leads").await?;
    let (detail, asked) = questions::lead_with_questions(&s.services, p, sponsor_id, lead_id).await?;
    let (answers_refused, follow_up_refused, note_refused) = match refused {
        Some(Refused::Answers(v, e)) => (Some((v, e)), None, None),
        Some(Refused::FollowUp(f, e)) => (None, Some((f, e)), None),
        Some(Refused::Note(b, e)) => (None, None, Some((b, e))),
        None => (None, None, None),
    };
    let answer_errors = answers_refused.is_some();
    let (values, errors) =
        answers_refused.unwrap_or_else(|| (answers::values_of(&asked, &detail.answers), FieldErrors::default()));
    let questions = answers::fields(&asked, &values, &errors);
    let b = &detail.score_breakdown;
    let mut breakdown: Vec<(String, String)> = b
        .interactions
        .iter()
        .map(|t| (format!("{} × {}", view::label(&t.interaction_type), t.count), format!("+{}", t.points)))
        .collect();
    if b.repeat_bonus > 0 {
        breakdown.push(("Repeat bonus".into(), format!("+{}", b.repeat_bonus)));
    }
    breakdown.extend(b.answers.iter().map(|a| (a.prompt.clone(), format!("+{}", a.points))));
    let (score_total, score_capped) = (b.total, b.capped);
    let l = &detail.lead;
    let chosen_owner = match &follow_up_refused {
        Some((f, _)) => opt(&f.owner).and_then(|o| Uuid::parse_str(&o).ok()),
        None => l.owner_user_id,
    };
    let owners = members::list_members(&s.services, p, None, sponsor_id)
        .await?
        .into_iter()
        .map(|m| (m.user_id, m.user_name, chosen_owner == Some(m.user_id)))
        .collect();
    let notes = detail
        .notes
        .iter()
        .map(|n| (n.author_name.clone().unwrap_or_else(|| "Someone".into()), view::when(&n.created_at), n.body.clone()))
        .collect();
    let interactions = detail
        .interactions
        .iter()
        .map(|i| InteractionItem {
            kind: view::label(i.interaction_type.as_str()),
            points: i.counted_points,
            worth: (i.counted_points != i.points).then_some(i.points),
            when: view::when(&i.occurred_at),
            how: [
                Some(view::label(i.source.as_str())),
                i.captured_by_name.as_ref().map(|n| format!("by {n}")),
                i.device.as_ref().map(|d| format!("on {d}")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" "),
            details: match i.metadata.0.as_object() {
                Some(m) if !m.is_empty() => m
                    .iter()
                    .map(|(k, v)| {
                        format!("{}: {}", view::label(k), v.as_str().map(str::to_string).unwrap_or(v.to_string()))
                    })
                    .collect::<Vec<_>>()
                    .join(" · "),
                _ => String::new(),
            },
        })
        .collect();
    let (note_body, note_error) = match note_refused {
        Some((b, e)) => (b, Some(e)),
        None => (String::new(), None),
    };
    // After a refused save, the form shows what was sent; otherwise the lead.
    let (status_value, starred_value, archived_value, contact_notes, tags, due_on, fu_errors) = match follow_up_refused
    {
        Some((f, e)) => (
            f.status.clone().unwrap_or_default(),
            checked(&f.starred),
            checked(&f.archived),
            f.contact_notes.clone().unwrap_or_default(),
            f.tags.clone().unwrap_or_default(),
            f.due_on.clone().unwrap_or_default(),
            e,
        ),
        None => (
            l.follow_up_status.as_str().to_string(),
            l.is_starred,
            l.is_archived,
            l.contact_notes.clone().unwrap_or_default(),
            l.tags.0.join(", "),
            l.due_on.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default(),
            FieldErrors::default(),
        ),
    };
    let refused_status = fu_errors.any() || note_error.is_some();
    let may_message =
        sponsorhub_services::messages::may_message_lead(&s.services, p, sponsor_id, lead_id).await?.is_some();
    let mut res = html(&LeadPage {
        ctx,
        may_message,
        row: LeadRow::of(l),
        first_seen: view::when(&l.first_interaction_at),
        follow_up_notes: l.follow_up_notes.clone().unwrap_or_default(),
        contact_notes,
        tags,
        tag_list: l.tags.0.clone(),
        followed_up: l.followed_up_at.as_ref().map(view::when).unwrap_or_default(),
        interactions,
        statuses: view::statuses(),
        follow_up: nav.caps.follow_up_leads,
        questions,
        answer_errors,
        owners,
        due_on,
        notes,
        breakdown,
        score_total,
        score_capped,
        nav,
        status_value,
        starred_value,
        archived_value,
        fu_errors,
        note_body,
        note_error,
    });
    if refused_status {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

/// Saves the answers of the lead page's qualification form; a refused save shows
/// the page again with what was chosen and each error at its question.
pub async fn answer_lead(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path((sponsor_id, lead_id)): Path<(Uuid, Uuid)>,
    CsrfForm(values): CsrfForm<answers::Values>,
) -> Result<Response, WebError> {
    let back = format!("/portal/sponsors/{sponsor_id}/leads/{lead_id}");
    let inputs = answers::inputs(&values);
    match questions::answer(&s.services, &p, Some(sponsor_id), lead_id, inputs.clone()).await {
        Ok(d) => {
            Ok(ctx.success(&back, format!("Answers saved: score {} ({}).", d.lead.intent_score, d.lead.intent_level)))
        }
        Err(Error::Invalid(fields)) => {
            let errors = FieldErrors(answers::errors_at_fields(&inputs, fields));
            let mut res = lead_page(&s, ctx, &p, sponsor_id, lead_id, Some(Refused::Answers(values, errors))).await?;
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Ok(ctx.refused(&back, e)),
    }
}

#[derive(Deserialize, Clone)]
pub struct LeadForm {
    status: Option<String>,
    owner: Option<String>,
    due_on: Option<String>,
    follow_up_notes: Option<String>,
    contact_notes: Option<String>,
    tags: Option<String>,
    starred: Option<String>,
    archived: Option<String>,
}

pub async fn update_lead(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path((sponsor_id, lead_id)): Path<(Uuid, Uuid)>,
    CsrfForm(form): CsrfForm<LeadForm>,
) -> Result<Response, WebError> {
    let back = format!("/portal/sponsors/{sponsor_id}/leads/{lead_id}");
    let tags: Vec<String> = form
        .tags
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    let due_on = match opt(&form.due_on) {
        None => None,
        Some(d) => match chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                let errors = FieldErrors(vec![sponsorhub_domain::validate::FieldError::new(
                    "due_on",
                    "must be a date (YYYY-MM-DD)",
                )]);
                let refused = Refused::FollowUp(Box::new(form), errors);
                return lead_page(&s, ctx, &p, sponsor_id, lead_id, Some(refused)).await;
            }
        },
    };
    let owner = opt(&form.owner).map(|o| Uuid::parse_str(&o).unwrap_or_default());
    let input = UpdateLead {
        owner_user_id: form.owner.is_some().then_some(owner),
        due_on: form.due_on.is_some().then_some(due_on),
        follow_up_status: opt(&form.status),
        follow_up_notes: Some(opt(&form.follow_up_notes)),
        contact_notes: Some(opt(&form.contact_notes)),
        tags: Some(tags),
        is_starred: Some(checked(&form.starred)),
        is_archived: Some(checked(&form.archived)),
    };
    match leads::update_lead(&s.services, &p, Some(sponsor_id), lead_id, input).await {
        Ok(_) => Ok(ctx.success(&back, "Saved.")),
        Err(Error::Invalid(fields)) => {
            let refused = Refused::FollowUp(Box::new(form), follow_up_errors(fields));
            lead_page(&s, ctx, &p, sponsor_id, lead_id, Some(refused)).await
        }
        Err(e) => Ok(ctx.refused(&back, e)),
    }
}

#[derive(Deserialize)]
pub struct NoteForm {
    body: String,
}

/// Adds an entry to the lead's notes.
pub async fn add_note(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path((sponsor_id, lead_id)): Path<(Uuid, Uuid)>,
    CsrfForm(form): CsrfForm<NoteForm>,
) -> Result<Response, WebError> {
    let back = format!("/portal/sponsors/{sponsor_id}/leads/{lead_id}");
    match leads::add_note(&s.services, &p, Some(sponsor_id), lead_id, &form.body).await {
        Ok(_) => Ok(ctx.success(&back, "Note added.")),
        Err(Error::Invalid(fields)) => {
            let message = fields.first().map(|f| f.message.clone()).unwrap_or_default();
            lead_page(&s, ctx, &p, sponsor_id, lead_id, Some(Refused::Note(form.body, message))).await
        }
        Err(e) => Ok(ctx.refused(&back, e)),
    }
}

#[derive(Deserialize)]
pub struct StarForm {
    value: Option<String>,
    back: Option<String>,
}

pub async fn toggle_star(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path((sponsor_id, lead_id)): Path<(Uuid, Uuid)>,
    CsrfForm(form): CsrfForm<StarForm>,
) -> Result<Response, WebError> {
    let back = match &form.back {
        Some(b) => local_path(Some(b)),
        None => format!("/portal/sponsors/{sponsor_id}/leads"),
    };
    let starred = form.value.as_deref() == Some("true");
    let input = UpdateLead { is_starred: Some(starred), ..Default::default() };
    Ok(match leads::update_lead(&s.services, &p, Some(sponsor_id), lead_id, input).await {
        Ok(l) => {
            let who = l.user_name.or(l.user_email).unwrap_or_else(|| "the lead".into());
            ctx.success(&back, if starred { format!("Starred {who}.") } else { format!("Unstarred {who}.") })
        }
        Err(e) => ctx.refused(&back, e),
    })
}
