//! Editing an event (its organizers): name, dates, venue, time zone, description,
//! how attendees consent to share their details with sponsors, who sees the
//! expo hall, and how long leads' personal data is kept after the end.

use super::*;
use sponsorhub_domain::validate::FieldError;
use sponsorhub_services::events::UpdateEvent;

#[derive(Deserialize, Default, Clone)]
pub struct EventEditForm {
    #[serde(default)]
    name: String,
    venue: Option<String>,
    starts_on: Option<String>,
    ends_on: Option<String>,
    #[serde(default)]
    timezone: String,
    description: Option<String>,
    #[serde(default)]
    consent_rule: String,
    consent_text: Option<String>,
    #[serde(default)]
    hall_access: String,
    /// Days after the end; empty: kept.
    retention_days: Option<String>,
}

#[derive(Template)]
#[template(path = "event_edit.html")]
struct EventEditPage {
    ctx: Ctx,
    event: EventItem,
    form: EventEditForm,
    errors: FieldErrors,
}

fn form_of(e: &Event) -> EventEditForm {
    EventEditForm {
        name: e.name.clone(),
        venue: e.venue.clone(),
        starts_on: e.starts_at.map(|d| d.format("%Y-%m-%d").to_string()),
        ends_on: e.ends_at.map(|d| d.format("%Y-%m-%d").to_string()),
        timezone: e.timezone.clone(),
        description: e.description.clone(),
        consent_rule: e.consent_rule.as_str().to_string(),
        consent_text: e.consent_text.clone(),
        hall_access: e.hall_access.as_str().to_string(),
        retention_days: e.retention_days.map(|d| d.to_string()),
    }
}

pub async fn edit_event_page(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(event_id): Path<Uuid>,
) -> Result<Response, WebError> {
    let event = events::get_event(&s.services, &p, None, event_id).await?;
    Ok(html(&EventEditPage {
        ctx,
        event: EventItem::of(&event),
        form: form_of(&event),
        errors: FieldErrors::default(),
    }))
}

pub async fn edit_event(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(event_id): Path<Uuid>,
    CsrfForm(form): CsrfForm<EventEditForm>,
) -> Result<Response, WebError> {
    let event = events::get_event(&s.services, &p, None, event_id).await?;
    let mut errors: Vec<FieldError> = Vec::new();
    let starts_at = date("starts_at", &form.starts_on, &mut errors);
    let ends_at = date("ends_at", &form.ends_on, &mut errors);
    let retention_days = match form.retention_days.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        None => None,
        Some(d) => match d.parse::<i32>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.push(FieldError::new("retention_days", "must be a whole number of days"));
                None
            }
        },
    };
    let result = if errors.is_empty() {
        let input = UpdateEvent {
            name: Some(form.name.clone()),
            description: Some(opt(&form.description)),
            starts_at: Some(starts_at),
            ends_at: Some(ends_at),
            timezone: Some(form.timezone.clone()),
            venue: Some(opt(&form.venue)),
            consent_rule: Some(form.consent_rule.clone()),
            consent_text: Some(opt(&form.consent_text)),
            hall_access: (!form.hall_access.is_empty()).then(|| form.hall_access.clone()),
            retention_days: Some(retention_days),
            ..Default::default()
        };
        events::update_event(&s.services, &p, event.organization_id, event_id, input).await
    } else {
        Err(Error::Invalid(errors))
    };
    match result {
        Ok(e) => Ok(ctx.success(&format!("/events/{event_id}"), format!("Saved {}.", e.name))),
        Err(Error::Invalid(fields)) => {
            // the dates are the form's own fields
            let fields = fields
                .into_iter()
                .map(|mut f| {
                    f.field = match f.field.as_str() {
                        "starts_at" => "starts_on".into(),
                        "ends_at" => "ends_on".into(),
                        _ => f.field,
                    };
                    f
                })
                .collect();
            let mut res = html(&EventEditPage { ctx, event: EventItem::of(&event), form, errors: FieldErrors(fields) });
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Ok(ctx.refused(&format!("/events/{event_id}/edit"), e)),
    }
}
