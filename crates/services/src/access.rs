//! Who may do what with a sponsor (DESIGN.md §3), decided from the Principal and
//! the database, for every adapter alike.

use crate::{Error, Principal, Result};
use sponsorhub_domain::OrgRole;
use sponsorhub_store::records::{Sponsor, SponsorMember};
use sponsorhub_store::{Tx, accounts, members, sponsors};
use uuid::Uuid;

/// A sponsor and the caller's relation to it.
pub struct SponsorAccess {
    pub sponsor: Sponsor,
    /// The caller's role in the sponsor's (organizer) organization.
    pub org_role: Option<OrgRole>,
    /// The caller's active membership of the sponsor's staff.
    pub member: Option<SponsorMember>,
}

impl SponsorAccess {
    /// Loads the sponsor for a caller who has some relation to it: a member of its
    /// organization or of its staff. Anyone else sees it as missing.
    pub async fn load(tx: &mut Tx, p: &Principal, sponsor_id: Uuid) -> Result<SponsorAccess> {
        let sponsor = sponsors::get(tx, sponsor_id).await?.ok_or(Error::NotFound("sponsor"))?;
        let org_role = accounts::membership_role(tx, sponsor.organization_id, p.user_id)
            .await?
            .and_then(|r| r.parse::<OrgRole>().ok());
        let member = members::find(tx, sponsor_id, p.user_id).await?.filter(|m| m.is_active);
        if org_role.is_none() && member.is_none() {
            return Err(Error::NotFound("sponsor"));
        }
        Ok(SponsorAccess { sponsor, org_role, member })
    }

    /// Like [`SponsorAccess::load`]; when the request names the organization (REST
    /// paths do), a sponsor of another organization is missing.
    pub async fn load_in_org(tx: &mut Tx, p: &Principal, org: Option<Uuid>, sponsor_id: Uuid) -> Result<SponsorAccess> {
        let access = SponsorAccess::load(tx, p, sponsor_id).await?;
        if org.is_some_and(|org| access.sponsor.organization_id != org) {
            return Err(Error::NotFound("sponsor"));
        }
        Ok(access)
    }

    /// OWNER or ADMIN of the sponsor's organization.
    pub fn is_organizer(&self) -> bool {
        self.org_role.is_some_and(OrgRole::is_organizer)
    }

    pub fn require_organizer(&self) -> Result<()> {
        if self.is_organizer() {
            Ok(())
        } else {
            Err(Error::Forbidden("only the event's organizers may do this".into()))
        }
    }

    /// An organizer, or an active staff member for whom `flag` holds.
    pub fn allows(&self, flag: impl Fn(&SponsorMember) -> bool) -> bool {
        self.is_organizer() || self.member.as_ref().is_some_and(flag)
    }

    /// [`SponsorAccess::allows`], or 403 naming `what`.
    pub fn require(&self, what: &str, flag: impl Fn(&SponsorMember) -> bool) -> Result<()> {
        if self.allows(flag) { Ok(()) } else { Err(Error::Forbidden(format!("you may not {what} for this sponsor"))) }
    }

    /// `sponsor:leads:read`: an organizer, or an active member who may view leads.
    pub fn require_leads_read(&self) -> Result<()> {
        self.require("view leads", |m| m.can_view_leads)
    }

    /// Following leads up (status, notes, tags, star, archive): an organizer, or an
    /// active member who may view leads and is not a read-only viewer.
    pub fn require_leads_write(&self) -> Result<()> {
        self.require("follow leads up", |m| m.can_view_leads && m.role != "viewer")
    }

    /// Managing the staff: an organizer, or a sponsor admin.
    pub fn require_team_admin(&self) -> Result<()> {
        self.require("manage the team", |m| m.role == "admin")
    }
}
