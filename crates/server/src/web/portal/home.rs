//! The my sponsors.

use super::*;

pub struct MySponsorItem {
    pub id: Uuid,
    pub name: String,
    pub event_name: String,
    pub role: String,
    pub booth: String,
    pub admin: bool,
    pub capture: bool,
    /// On the staff: may say they are at the booth.
    pub stand_at_booth: bool,
    /// At the booth until this time (UTC, HH:MM), when they said so.
    pub at_booth_until: Option<String>,
}

pub struct PendingItem {
    pub sponsor_name: String,
    pub event_name: String,
    pub role: String,
}

#[derive(Template)]
#[template(path = "portal.html")]
struct PortalPage {
    ctx: Ctx,
    sponsors: Vec<MySponsorItem>,
    pending: Vec<PendingItem>,
}

pub async fn home(State(s): State<AppState>, SignedIn(ctx, p): SignedIn) -> Result<Response, WebError> {
    let mine = members::my_sponsors(&s.services, &p).await?;
    let pending = invitations::my_invitations(&s.services, &p).await?;
    let marks = sponsorhub_services::presence::my_marks(&s.services, &p).await?;
    let sponsors = mine
        .into_iter()
        .map(|m| MySponsorItem {
            id: m.sponsor.id,
            name: m.sponsor.company_name,
            event_name: m.event.name,
            role: m.capabilities.staff_role.map(|r| view::label(r.as_str())).unwrap_or_default(),
            booth: m.sponsor.booth_number.unwrap_or_default(),
            admin: m.capabilities.manage_team || m.capabilities.invite_staff,
            capture: m.capabilities.capture_leads,
            stand_at_booth: m.capabilities.stand_at_booth,
            at_booth_until: marks.get(&m.sponsor.id).map(|t| t.format("%H:%M UTC").to_string()),
        })
        .collect();
    let pending = pending
        .into_iter()
        .map(|i| PendingItem {
            sponsor_name: i.sponsor_name,
            event_name: i.event_name,
            role: view::label(i.role.as_str()),
        })
        .collect();
    Ok(html(&PortalPage { ctx, sponsors, pending }))
}

#[derive(Deserialize)]
pub struct PresenceForm {
    #[serde(default)]
    at_booth: String,
}

/// A staff member says they are at the booth now, or leaving it.
pub async fn set_presence(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(sponsor_id): Path<Uuid>,
    CsrfForm(form): CsrfForm<PresenceForm>,
) -> Result<Response, WebError> {
    let at_booth = form.at_booth == "true";
    let input = sponsorhub_services::presence::PresenceInput { at_booth };
    match sponsorhub_services::presence::set_presence(&s.services, &p, sponsor_id, input).await {
        Ok(_) if at_booth => Ok(ctx.success(
            "/portal",
            format!(
                "Attendees see you at the booth for the next {} hours.",
                sponsorhub_services::presence::LAPSES_AFTER_HOURS
            ),
        )),
        Ok(_) => Ok(ctx.success("/portal", "Attendees no longer see you at the booth.".to_string())),
        Err(e) => Ok(ctx.refused("/portal", e)),
    }
}
