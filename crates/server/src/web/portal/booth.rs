//! The booth capture.

use super::answers::{self, QuestionField};
use super::*;
use sponsorhub_services::questions;

#[derive(Deserialize, Default, Clone)]
pub struct CaptureForm {
    code: Option<String>,
    email: Option<String>,
    name: Option<String>,
    company: Option<String>,
    title: Option<String>,
    #[serde(default)]
    interaction_type: String,
    note: Option<String>,
    /// The answers to the booth's questions (`q.…` fields).
    #[serde(flatten)]
    answers: answers::Values,
}

#[derive(Template)]
#[template(path = "capture.html")]
struct CapturePage {
    ctx: Ctx,
    nav: SponsorNav,
    form: CaptureForm,
    errors: FieldErrors,
    kinds: Vec<(&'static str, String, i32)>,
    questions: Vec<QuestionField>,
}

fn kinds() -> Vec<(&'static str, String, i32)> {
    InteractionType::ALL.iter().map(|k| (k.as_str(), view::label(k.as_str()), k.points())).collect()
}

pub async fn capture_page(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(sponsor_id): Path<Uuid>,
) -> Result<Response, WebError> {
    let nav = sponsor_nav(&s, &p, sponsor_id, "capture").await?;
    if !nav.caps.capture_leads {
        return Err(Error::Forbidden(
            "only the sponsor's booth staff, representatives and admins capture leads".into(),
        )
        .into());
    }
    let asked = questions::list_questions(&s.services, &p, sponsor_id).await?;
    let form = CaptureForm { interaction_type: "booth_visit".into(), ..Default::default() };
    let errors = FieldErrors::default();
    let questions = answers::fields(&asked, &form.answers, &errors);
    Ok(html(&CapturePage { ctx, nav, form, errors, kinds: kinds(), questions }))
}

pub async fn capture(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(sponsor_id): Path<Uuid>,
    CsrfForm(form): CsrfForm<CaptureForm>,
) -> Result<Response, WebError> {
    let back = format!("/portal/sponsors/{sponsor_id}/capture");
    let sponsor = sponsors::get_sponsor(&s.services, &p, None, sponsor_id).await?.sponsor;
    let mut metadata = serde_json::Map::new();
    metadata.insert("source".into(), "web capture form".into());
    if let Some(n) = opt(&form.note) {
        metadata.insert("note".into(), n.into());
    }
    // A scanned or typed badge code names the attendee; otherwise what staff typed
    // does (both at once is refused at the field).
    let typed = [&form.email, &form.name, &form.company, &form.title].iter().any(|f| opt(f).is_some());
    let badge_code = opt(&form.code);
    let attendee = (badge_code.is_none() || typed).then(|| Attendee {
        user_id: None,
        name: opt(&form.name),
        email: opt(&form.email),
        company: opt(&form.company),
        title: opt(&form.title),
    });
    let source = if badge_code.is_some() { "badge_scan" } else { "manual" };
    let given = answers::inputs(&form.answers);
    let input = CaptureLead {
        interaction_type: form.interaction_type.clone(),
        attendee,
        source: Some(source.into()),
        device: None,
        occurred_at: None,
        badge_code,
        metadata: Some(serde_json::Value::Object(metadata)),
        // Answers only when staff gave one: a bare scan is not held up by the
        // required questions (docs/DECISIONS.md, "Qualification questions").
        answers: given.iter().any(|a| !a.value.is_null()).then(|| given.clone()),
    };
    match capture::capture_lead(&s.services, &p, sponsor.event_id, sponsor_id, input, None).await {
        Ok(o) => {
            let what = if o.created { "new lead" } else { "seen before: lead updated" };
            let message = match &o.lead {
                Some(l) => {
                    let who = l.user_name.clone().or(l.user_email.clone()).unwrap_or_else(|| "the attendee".into());
                    let who = match l.user_company.as_deref() {
                        Some(c) => format!("{who} ({c})"),
                        None => who,
                    };
                    format!("Captured {who}: score {} ({}), {what}.", l.intent_score, l.intent_level)
                }
                None => {
                    let who = o.receipt.shared.as_ref().and_then(|d| d.name.clone());
                    let who = who.map(|n| format!(" {n}")).unwrap_or_default();
                    format!(
                        "Recorded{who}: {} (+{} points), {what}.",
                        view::label(o.receipt.interaction_type.as_str()),
                        o.receipt.points
                    )
                }
            };
            Ok(ctx.success(&back, message))
        }
        Err(Error::Invalid(fields)) => {
            let nav = sponsor_nav(&s, &p, sponsor_id, "capture").await?;
            let asked = questions::list_questions(&s.services, &p, sponsor_id).await?;
            let errors = FieldErrors(answers::errors_at_fields(&given, fields));
            let questions = answers::fields(&asked, &form.answers, &errors);
            let mut res = html(&CapturePage { ctx, nav, form, errors, kinds: kinds(), questions });
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Ok(ctx.refused(&back, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_interaction_type_is_offered() {
        assert_eq!(kinds().len(), InteractionType::ALL.len());
        assert_eq!(view::roles().len(), sponsorhub_domain::SponsorRole::ALL.len());
    }
}
