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
