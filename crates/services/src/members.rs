//! A sponsor's staff ("representatives"): listed by organizers and the staff,
//! managed by organizers and sponsor admins. A sponsor never loses its last admin.

use crate::authz::{self, SponsorAccess, SponsorCapabilities};
use crate::notify::Notification;
use crate::{Error, Principal, Result, Services};
use serde::{Deserialize, Serialize};
use sponsorhub_domain::validate::{self, Validator};
use sponsorhub_domain::{SponsorRole, time};
use sponsorhub_store::records::{Event, Sponsor, SponsorMember};
use sponsorhub_store::{Tx, accounts, events as event_store, members as q, sponsors};
use uuid::Uuid;

/// Role and permission changes. A new role resets the flags to its defaults; flags
/// sent beside it (or alone) then apply on top.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateMember {
    /// admin, representative, booth_staff or viewer
    #[cfg_attr(feature = "openapi", schema(value_type = Option<SponsorRole>))]
    pub role: Option<String>,
    pub can_view_leads: Option<bool>,
    pub can_export_leads: Option<bool>,
    pub can_message_attendees: Option<bool>,
    pub can_manage_booth: Option<bool>,
    pub can_invite_others: Option<bool>,
}

/// One of the caller's sponsor memberships.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
pub struct MySponsor {
    pub membership: SponsorMember,
    pub sponsor: Sponsor,
    pub event: Event,
    /// What the caller may do with this sponsor.
    pub capabilities: SponsorCapabilities,
}

async fn load(tx: &mut Tx, p: &Principal, org: Option<Uuid>, id: Uuid) -> Result<(SponsorMember, SponsorAccess)> {
    let member = q::get(tx, id).await?.ok_or(Error::NotFound("sponsor user"))?;
    let access = SponsorAccess::load_in_org(tx, p, org, member.sponsor_id).await.map_err(|e| match e {
        Error::NotFound(_) => Error::NotFound("sponsor user"),
        e => e,
    })?;
    access.require_team_admin()?;
    Ok((member, access))
}

/// Refuses a change that would leave the sponsor without an active admin.
async fn keep_an_admin(tx: &mut Tx, before: &SponsorMember, after: &SponsorMember) -> Result<()> {
    let was_admin = before.is_active && before.role == SponsorRole::Admin;
    let still_admin = after.is_active && after.role == SponsorRole::Admin;
    if was_admin && !still_admin && q::count_active_admins(tx, before.sponsor_id).await? <= 1 {
        return Err(Error::Conflict("a sponsor keeps at least one admin: make someone else admin first".into()));
    }
    Ok(())
}

/// The sponsor's active staff (organizers and the staff themselves).
pub async fn list_members(
    svc: &Services,
    p: &Principal,
    org: Option<Uuid>,
    sponsor_id: Uuid,
) -> Result<Vec<SponsorMember>> {
    let mut tx = svc.store.read().await?;
    SponsorAccess::load_in_org(&mut tx, p, org, sponsor_id).await?;
    Ok(q::list(&mut tx, sponsor_id, false).await?)
}

#[tracing::instrument(skip_all, fields(sponsor_user.id = %id))]
pub async fn update_member(
    svc: &Services,
    p: &Principal,
    org: Option<Uuid>,
    id: Uuid,
    input: UpdateMember,
) -> Result<SponsorMember> {
    let mut v = Validator::new();
    let role = v.check(input.role.as_deref().map(|r| validate::choice::<SponsorRole>("role", r)).transpose());
    v.finish()?;
    let mut tx = svc.store.write().await?;
    let (before, access) = load(&mut tx, p, org, id).await?;
    if !before.is_active {
        return Err(Error::Conflict("this person has left the sponsor's staff; invite them again".into()));
    }
    let mut m = before.clone();
    if let Some(role) = role.flatten() {
        let d = role.default_permissions();
        m.role = role;
        m.can_view_leads = d.can_view_leads;
        m.can_export_leads = d.can_export_leads;
        m.can_message_attendees = d.can_message_attendees;
        m.can_manage_booth = d.can_manage_booth;
        m.can_invite_others = d.can_invite_others;
    }
    let flags = [
        (&mut m.can_view_leads, input.can_view_leads),
        (&mut m.can_export_leads, input.can_export_leads),
        (&mut m.can_message_attendees, input.can_message_attendees),
        (&mut m.can_manage_booth, input.can_manage_booth),
        (&mut m.can_invite_others, input.can_invite_others),
    ];
    for (flag, new) in flags {
        if let Some(n) = new {
            *flag = n;
        }
    }
    access.check_grant(Some(&before), m.role, authz::flags_of(&before), authz::flags_of(&m))?;
    keep_an_admin(&mut tx, &before, &m).await?;
    m.updated_at = time::now();
    q::update(&mut tx, &m).await?;
    tx.commit().await?;
    if before.can_view_leads && !m.can_view_leads {
        svc.notifier.publish(Notification::AccessRevoked { sponsor_id: m.sponsor_id, user_id: m.user_id });
    }
    Ok(m)
}

/// Takes the person off the sponsor's staff. The row stays (deactivated), so the
/// leads they captured remain attributed to them.
#[tracing::instrument(skip_all, fields(sponsor_user.id = %id))]
pub async fn remove_member(svc: &Services, p: &Principal, org: Option<Uuid>, id: Uuid) -> Result<SponsorMember> {
    let mut tx = svc.store.write().await?;
    let (before, _) = load(&mut tx, p, org, id).await?;
    let mut m = before.clone();
    if m.is_active {
        m.is_active = false;
        keep_an_admin(&mut tx, &before, &m).await?;
        m.updated_at = time::now();
        q::update(&mut tx, &m).await?;
    }
    tx.commit().await?;
    if before.is_active {
        svc.notifier.publish(Notification::AccessRevoked { sponsor_id: m.sponsor_id, user_id: m.user_id });
    }
    Ok(m)
}

/// The caller's active sponsor memberships, each with its sponsor, event and what
/// the caller may do there.
pub async fn my_sponsors(svc: &Services, p: &Principal) -> Result<Vec<MySponsor>> {
    let mut tx = svc.store.read().await?;
    let memberships = q::of_user(&mut tx, p.user_id).await?;
    let sponsors = sponsors::of_member(&mut tx, p.user_id).await?;
    let event_ids: Vec<Uuid> = sponsors.iter().map(|s| s.event_id).collect();
    let events = event_store::get_many(&mut tx, &event_ids).await?;
    let org_roles = accounts::memberships_of(&mut tx, p.user_id).await?;
    Ok(memberships
        .into_iter()
        .filter_map(|m| {
            let sponsor = sponsors.iter().find(|s| s.id == m.sponsor_id)?.clone();
            let event = events.iter().find(|e| e.id == sponsor.event_id)?.clone();
            let org_role = org_roles.iter().find(|o| o.organization_id == sponsor.organization_id).map(|o| o.role);
            let access =
                SponsorAccess { caller: p.user_id, sponsor: sponsor.clone(), org_role, member: Some(m.clone()) };
            Some(MySponsor { capabilities: access.capabilities(), membership: m, sponsor, event })
        })
        .collect())
}
