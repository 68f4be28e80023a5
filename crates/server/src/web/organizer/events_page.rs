//! The events.

use super::*;

pub struct EventItem {
    pub id: Uuid,
    pub name: String,
    pub dates: String,
    pub venue: String,
}

impl EventItem {
    pub(super) fn of(e: &Event) -> EventItem {
        EventItem { id: e.id, name: e.name.clone(), dates: dates(e), venue: e.venue.clone().unwrap_or_default() }
    }
}

fn dates(e: &Event) -> String {
    let d = |t: &DateTime<Utc>| t.format("%b %-d, %Y").to_string();
    match (&e.starts_at, &e.ends_at) {
        (Some(s), Some(t)) if s.date_naive() == t.date_naive() => d(s),
        (Some(s), Some(t)) => format!("{} – {}", d(s), d(t)),
        (Some(s), None) => d(s),
        _ => "Dates to be announced".into(),
    }
}

pub struct OrgEvents {
    pub id: Uuid,
    pub name: String,
    pub organizer: bool,
    pub events: Vec<EventItem>,
}

#[derive(Deserialize, Default, Clone)]
pub struct EventForm {
    #[serde(default)]
    organization_id: String,
    #[serde(default)]
    name: String,
    venue: Option<String>,
    starts_on: Option<String>,
    ends_on: Option<String>,
    description: Option<String>,
}

/// A sponsor team the person is on, listed beside their events (so someone who
/// organizes and staffs a booth sees every place after signing in).
pub struct TeamPlace {
    pub id: Uuid,
    pub name: String,
    pub event_name: String,
    pub role: String,
}

#[derive(Template)]
#[template(path = "events.html")]
struct EventsPage {
    ctx: Ctx,
    orgs: Vec<OrgEvents>,
    teams: Vec<TeamPlace>,
    form: EventForm,
    errors: FieldErrors,
}

impl EventsPage {
    fn organizer_orgs(&self) -> Vec<&OrgEvents> {
        self.orgs.iter().filter(|o| o.organizer).collect()
    }
}

async fn events_view(
    s: &AppState,
    ctx: Ctx,
    p: &Principal,
    form: EventForm,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let me = accounts::me(&s.services, p).await?;
    let mut orgs = Vec::new();
    for m in me.organizations {
        let page = events::list_events(&s.services, p, m.organization_id, None, Some(200)).await?;
        orgs.push(OrgEvents {
            id: m.organization_id,
            name: m.organization_name,
            organizer: m.role.is_organizer(),
            events: page.items.iter().map(EventItem::of).collect(),
        });
    }
    let teams = members::my_sponsors(&s.services, p)
        .await?
        .into_iter()
        .map(|m| TeamPlace {
            id: m.sponsor.id,
            name: m.sponsor.company_name,
            event_name: m.event.name,
            role: m.capabilities.staff_role.map(|r| view::label(r.as_str())).unwrap_or_default(),
        })
        .collect();
    let failed = errors.any();
    let mut res = html(&EventsPage { ctx, orgs, teams, form, errors });
    if failed {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

pub async fn events(State(s): State<AppState>, SignedIn(ctx, p): SignedIn) -> Result<Response, WebError> {
    events_view(&s, ctx, &p, EventForm::default(), FieldErrors::default()).await
}

pub(super) fn date(field: &str, raw: &Option<String>, errors: &mut Vec<FieldError>) -> Option<DateTime<Utc>> {
    let raw = opt(raw)?;
    match NaiveDate::parse_from_str(&raw, "%Y-%m-%d") {
        Ok(d) => Some(d.and_hms_opt(0, 0, 0).expect("midnight").and_utc()),
        Err(_) => {
            errors.push(FieldError::new(field, "must be a date (YYYY-MM-DD)"));
            None
        }
    }
}

pub async fn create_event(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    CsrfForm(form): CsrfForm<EventForm>,
) -> Result<Response, WebError> {
    let mut errors = Vec::new();
    let starts_at = date("starts_at", &form.starts_on, &mut errors);
    let ends_at = date("ends_at", &form.ends_on, &mut errors);
    let org = match form.organization_id.parse::<Uuid>() {
        Ok(o) => Some(o),
        Err(_) => {
            errors.push(FieldError::new("organization_id", "choose an organization"));
            None
        }
    };
    if let (true, Some(org)) = (errors.is_empty(), org) {
        let input = CreateEvent {
            name: form.name.clone(),
            slug: None,
            description: opt(&form.description),
            starts_at,
            ends_at,
            timezone: None,
            venue: opt(&form.venue),
            shared_attendee_fields: None,
            consent_rule: None,
            consent_text: None,
            hall_access: None,
            retention_days: None,
        };
        match events::create_event(&s.services, &p, org, input).await {
            Ok(e) => return Ok(ctx.success(&format!("/events/{}/tiers", e.id), format!("Created {}.", e.name))),
            Err(Error::Invalid(f)) => errors = f,
            Err(Error::Conflict(m)) => errors = vec![FieldError::new("name", m)],
            Err(e) => return Err(e.into()),
        }
    }
    events_view(&s, ctx, &p, form, FieldErrors(errors)).await
}
