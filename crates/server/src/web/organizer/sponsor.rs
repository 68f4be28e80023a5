//! The one sponsor, for organizers.

use super::*;

pub struct MemberItem {
    pub name: String,
    pub email: String,
    pub role: String,
    pub joined: String,
}

pub struct InvitationItem {
    pub id: Uuid,
    pub email: String,
    pub role: String,
    /// Still pending (revocable); else expired (only resent).
    pub pending: bool,
    pub expires: String,
    pub sent: String,
}

#[derive(Template)]
#[template(path = "sponsor.html")]
struct SponsorPage {
    ctx: Ctx,
    event: EventItem,
    card: SponsorCard,
    members: Vec<MemberItem>,
    invitations: Vec<InvitationItem>,
    may_invite: bool,
    back: String,
    roles: [view::RoleOption; 4],
    draft: view::InviteDraft,
}

pub fn invitation_items(list: Vec<sponsorhub_store::records::Invitation>) -> Vec<InvitationItem> {
    list.into_iter()
        .map(|i| InvitationItem {
            id: i.id,
            email: i.email,
            role: view::label(i.role.as_str()),
            pending: i.status == InvitationStatus::Pending,
            expires: view::when(&i.expires_at),
            sent: view::when(&i.updated_at),
        })
        .collect()
}

pub async fn sponsor_page(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path((event_id, sponsor_id)): Path<(Uuid, Uuid)>,
) -> Result<Response, WebError> {
    sponsor_view(&s, ctx, &p, event_id, sponsor_id, view::InviteDraft::default()).await
}

/// The sponsor's page; its invitation form shows `draft`.
pub(super) async fn sponsor_view(
    s: &AppState,
    ctx: Ctx,
    p: &Principal,
    event_id: Uuid,
    sponsor_id: Uuid,
    draft: view::InviteDraft,
) -> Result<Response, WebError> {
    let svc = &s.services;
    let event = events::get_event(svc, &p, None, event_id).await?;
    let sponsor = sponsors::get_sponsor(svc, &p, None, sponsor_id).await?;
    if sponsor.sponsor.event_id != event_id {
        return Err(Error::NotFound("sponsor").into());
    }
    let members = members::list_members(svc, &p, None, sponsor_id)
        .await?
        .into_iter()
        .map(|m| MemberItem {
            name: m.user_name,
            email: m.user_email,
            role: view::label(m.role.as_str()),
            joined: view::when(&m.joined_at),
        })
        .collect();
    // Who may manage invitations is the service's call: a refusal hides the section.
    let (may_invite, invitations) = match invitations::list_invitations(svc, &p, None, sponsor_id, None).await {
        Ok(list) => (
            true,
            invitation_items(
                list.into_iter()
                    .filter(|i| matches!(i.status, InvitationStatus::Pending | InvitationStatus::Expired))
                    .collect(),
            ),
        ),
        Err(Error::Forbidden(_)) => (false, Vec::new()),
        Err(e) => return Err(e.into()),
    };
    Ok(html(&SponsorPage {
        ctx,
        event: EventItem::of(&event),
        card: SponsorCard::of(&sponsor),
        members,
        invitations,
        may_invite,
        back: format!("/events/{event_id}/sponsors/{sponsor_id}"),
        roles: view::roles(),
        draft,
    }))
}
