//! The the team.

use super::*;

pub struct TeamMember {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub role: String,
    pub role_label: String,
    pub joined: String,
    pub flags: Vec<(&'static str, &'static str, bool)>,
    pub me: bool,
}

#[derive(Template)]
#[template(path = "team.html")]
struct TeamPage {
    ctx: Ctx,
    nav: SponsorNav,
    members: Vec<TeamMember>,
    /// Change others' roles and flags, take them off the team.
    manage: bool,
    /// Invite, with the pending invitations.
    invite: bool,
    invitations: Vec<InvitationItem>,
    roles: [view::RoleOption; 4],
    invite_roles: Vec<view::RoleOption>,
    /// The role checked at first: representative when offered, else the highest.
    default_role: &'static str,
    back: String,
    draft: view::InviteDraft,
}

pub async fn team(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(sponsor_id): Path<Uuid>,
) -> Result<Response, WebError> {
    team_page(&s, ctx, &p, sponsor_id, view::InviteDraft::default()).await
}

/// The team page; its invitation form shows `draft`.
async fn team_page(
    s: &AppState,
    ctx: Ctx,
    p: &Principal,
    sponsor_id: Uuid,
    draft: view::InviteDraft,
) -> Result<Response, WebError> {
    let svc = &s.services;
    let nav = sponsor_nav(s, p, sponsor_id, "team").await?;
    let list = members::list_members(svc, p, None, sponsor_id).await?;
    let (manage, invite) = (nav.caps.manage_team, nav.caps.invite_staff);
    let invitations = if invite {
        invitation_items(
            invitations::list_invitations(svc, p, None, sponsor_id, Some(InvitationStatus::Pending.as_str())).await?,
        )
    } else {
        Vec::new()
    };
    // The roles offered: all to those who manage the team (a change is checked by
    // the service); to those who only invite, the ones they may invite at.
    let invite_roles: Vec<_> =
        view::roles().into_iter().filter(|r| nav.caps.invite_roles.iter().any(|g| g.as_str() == r.0)).collect();
    let members = list
        .into_iter()
        .map(|m| TeamMember {
            id: m.id,
            me: m.user_id == p.user_id,
            role_label: view::label(m.role.as_str()),
            flags: vec![
                ("can_view_leads", "View leads", m.can_view_leads),
                ("can_export_leads", "Export leads", m.can_export_leads),
                ("can_message_attendees", "Message attendees", m.can_message_attendees),
                ("can_manage_booth", "Manage booth", m.can_manage_booth),
                ("can_invite_others", "Invite others", m.can_invite_others),
            ],
            name: m.user_name,
            email: m.user_email,
            role: m.role.as_str().to_string(),
            joined: view::when(&m.joined_at),
        })
        .collect();
    Ok(html(&TeamPage {
        ctx,
        nav,
        members,
        manage,
        invite,
        invitations,
        roles: view::roles(),
        default_role: invite_roles
            .iter()
            .find(|r| r.0 == SponsorRole::Representative.as_str())
            .or(invite_roles.first())
            .map(|r| r.0)
            .unwrap_or_default(),
        invite_roles,
        back: format!("/portal/sponsors/{sponsor_id}/team"),
        draft,
    }))
}

pub async fn invite(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(sponsor_id): Path<Uuid>,
    CsrfForm(form): CsrfForm<InviteForm>,
) -> Result<Response, WebError> {
    let back = format!("/portal/sponsors/{sponsor_id}/team");
    match send_invitation(&s, &ctx, &p, sponsor_id, form, &back).await {
        Ok(res) => Ok(res),
        Err(draft) => {
            let mut res = team_page(&s, ctx, &p, sponsor_id, draft).await?;
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
    }
}

#[derive(Deserialize)]
pub struct MemberForm {
    role: Option<String>,
    current_role: Option<String>,
    can_view_leads: Option<String>,
    can_export_leads: Option<String>,
    can_message_attendees: Option<String>,
    can_manage_booth: Option<String>,
    can_invite_others: Option<String>,
}

pub async fn update_member(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path((sponsor_id, member_id)): Path<(Uuid, Uuid)>,
    CsrfForm(form): CsrfForm<MemberForm>,
) -> Result<Response, WebError> {
    let back = format!("/portal/sponsors/{sponsor_id}/team");
    // A new role brings its default permissions; otherwise the boxes as ticked.
    let input = if opt(&form.role).is_some() && opt(&form.role) != opt(&form.current_role) {
        UpdateMember { role: opt(&form.role), ..Default::default() }
    } else {
        UpdateMember {
            role: None,
            can_view_leads: Some(checked(&form.can_view_leads)),
            can_export_leads: Some(checked(&form.can_export_leads)),
            can_message_attendees: Some(checked(&form.can_message_attendees)),
            can_manage_booth: Some(checked(&form.can_manage_booth)),
            can_invite_others: Some(checked(&form.can_invite_others)),
        }
    };
    Ok(match members::update_member(&s.services, &p, None, member_id, input).await {
        Ok(m) => ctx.success(&back, format!("Saved {}'s role and permissions.", m.user_name)),
        Err(e) => ctx.refused(&back, e),
    })
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn remove_member(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path((sponsor_id, member_id)): Path<(Uuid, Uuid)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, WebError> {
    let back = format!("/portal/sponsors/{sponsor_id}/team");
    Ok(match members::remove_member(&s.services, &p, None, member_id).await {
        Ok(m) => ctx.success(&back, format!("{} is no longer on the team.", m.user_name)),
        Err(e) => ctx.refused(&back, e),
    })
}
