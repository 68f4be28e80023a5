//! Every authorization decision of the services, in one place (docs/ARCHITECTURE.md,
//! "Authorization"):
//!
//! - the organization level: member, organizer (OWNER or ADMIN);
//! - the sponsor level: an active staff member's role and flags, what they may do
//!   ([`SponsorCapabilities`]) and what they may grant ([`SponsorAccess::check_grant`]:
//!   nobody grants what they do not hold, nobody changes their own role or flags);
//! - the expo hall: public, or for the event's own people ([`require_hall_viewer`]);
//! - the attendee's rights over their own interactions (a receipt, never the
//!   sponsor's follow-up data: [`LeadView`]);
//! - the tenancy rule: outside the organization, or off the sponsor's staff, things
//!   are missing (404); inside, a missing right is refused (403).
//!
//! Adapters never decide: they ask a service, which asks this module, and render
//! the [`SponsorCapabilities`] it answers with.

use crate::{Error, Principal, Result};
use serde::Serialize;
use sponsorhub_domain::{HallAccess, OrgRole, SponsorPermissions, SponsorRole};
use sponsorhub_store::records::{Event, Sponsor, SponsorMember};
use sponsorhub_store::{Tx, accounts, events as event_store, members, sponsors};
use uuid::Uuid;

// ---------------------------------------------------------------- organization level

/// The caller's role in `org`, or `None` when not a member (who must then see the
/// organization's objects as missing).
pub async fn org_role(tx: &mut Tx, p: &Principal, org: Uuid) -> Result<Option<OrgRole>> {
    Ok(accounts::membership_role(tx, org, p.user_id).await?)
}

/// The caller's role in `org`; a non-member sees the organization as missing.
pub async fn require_member(tx: &mut Tx, p: &Principal, org: Uuid, what: &'static str) -> Result<OrgRole> {
    org_role(tx, p, org).await?.ok_or(Error::NotFound(what))
}

/// Like [`require_member`], and the member must be an OWNER or ADMIN.
pub async fn require_organizer(tx: &mut Tx, p: &Principal, org: Uuid, what: &'static str) -> Result<OrgRole> {
    let role = require_member(tx, p, org, what).await?;
    if role.is_organizer() {
        Ok(role)
    } else {
        Err(Error::Forbidden("only the organization's owners and admins may do this".into()))
    }
}

/// The event, for a caller who is a member of its organization (an organizer, when
/// `organizer`). When the request names the organization, an event of another one
/// is missing; a non-member sees the event as missing either way.
pub async fn event_of_org(
    tx: &mut Tx,
    p: &Principal,
    org: Option<Uuid>,
    event: Uuid,
    organizer: bool,
) -> Result<Event> {
    let found = event_store::get_any(tx, event).await?;
    let event = found.filter(|e| org.is_none_or(|o| o == e.organization_id)).ok_or(Error::NotFound("event"))?;
    if organizer {
        require_organizer(tx, p, event.organization_id, "event").await?;
    } else {
        require_member(tx, p, event.organization_id, "event").await?;
    }
    Ok(event)
}

// ---------------------------------------------------------------- the expo hall

/// May `viewer` (signed in or not) see the event's expo hall, its sponsor
/// directory and booth pages (docs/DECISIONS.md, "Booth pages")? A public hall:
/// anyone. An attendees-only hall: the event's own people (its attendees, the
/// members of its organization, its sponsors' active staff); nobody signed in
/// must sign in (401), anyone else sees the event as missing (404).
pub async fn require_hall_viewer(tx: &mut Tx, viewer: Option<&Principal>, event: &Event) -> Result<()> {
    match (event.hall_access, viewer) {
        (HallAccess::Public, _) => Ok(()),
        (HallAccess::Attendees, None) => {
            Err(Error::Unauthenticated("sign in to see this event's sponsors: they are for its attendees".into()))
        }
        (HallAccess::Attendees, Some(p)) => {
            if event_store::is_insider(tx, event.id, p.user_id, &p.email).await? {
                Ok(())
            } else {
                Err(Error::NotFound("event"))
            }
        }
    }
}

// ---------------------------------------------------------------- sponsor level

/// What a caller may do with one sponsor: the answer every adapter renders (the
/// web UI shows only these controls; REST, GraphQL and the live channels are
/// refused the rest by the services).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
pub struct SponsorCapabilities {
    /// An OWNER or ADMIN of the sponsor's organization.
    pub organizer: bool,
    /// The caller's role on the sponsor's staff, if they are on it.
    #[cfg_attr(feature = "graphql", graphql(skip))]
    #[serde(skip)]
    pub staff_role: Option<SponsorRole>,
    /// Read the lead list, statistics, lead detail and the live feeds.
    pub view_leads: bool,
    /// Change a lead's status, notes, tags, star and archive flag.
    pub follow_up_leads: bool,
    /// Record other attendees' interactions (booth staff at work).
    pub capture_leads: bool,
    /// Invite people onto the staff (at most at one's own role and flags).
    pub invite_staff: bool,
    /// Change others' roles and flags, and take people off the staff.
    pub manage_team: bool,
    /// Edit the sponsor's profile (description, website, logo, booth, contact).
    pub edit_profile: bool,
    /// Tier, featured flag, lead capture switch, archive and restore.
    pub manage_listing: bool,
    /// Define the booth's qualification questions (sponsor admins, organizers).
    pub manage_questions: bool,
    /// Register the sponsor's webhook endpoints, read their delivery log, replay
    /// (sponsor admins, organizers).
    pub manage_webhooks: bool,
    pub export_leads: bool,
    /// Write to the sponsor's consenting leads and answer them (staff with
    /// `can_message_attendees`; organizers only read: docs/DECISIONS.md,
    /// "Messaging").
    pub message_attendees: bool,
    /// Read the sponsor's message threads (staff who may message, organizers).
    pub read_messages: bool,
    /// Say they are at the booth now, or not (active staff, each for themselves).
    pub stand_at_booth: bool,
    /// The roles the caller may invite at (at most their own, and only roles
    /// whose default flags they hold); empty without `invite_staff`.
    #[cfg_attr(feature = "graphql", graphql(skip))]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<SponsorRole>))]
    pub invite_roles: Vec<SponsorRole>,
}

/// Which of a lead a caller is shown after recording an interaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadView {
    /// The whole lead, follow-up data included: staff who view leads, organizers.
    Full,
    /// A receipt: what was recorded, with whom, and what the caller shared.
    Receipt,
}

/// A sponsor and the caller's relation to it.
pub struct SponsorAccess {
    /// The caller's user id.
    pub caller: Uuid,
    pub sponsor: Sponsor,
    /// The caller's role in the sponsor's (organizer) organization.
    pub org_role: Option<OrgRole>,
    /// The caller's active membership of the sponsor's staff.
    pub member: Option<SponsorMember>,
}

/// Whether a staff member is still told by e-mail of the messages waiting in
/// the sponsor's threads: while they are active staff who may write to attendees.
pub fn told_of_messages(m: &SponsorMember) -> bool {
    m.is_active && m.can_message_attendees
}

/// A membership's flags.
pub fn flags_of(m: &SponsorMember) -> SponsorPermissions {
    SponsorPermissions {
        can_view_leads: m.can_view_leads,
        can_export_leads: m.can_export_leads,
        can_message_attendees: m.can_message_attendees,
        can_manage_booth: m.can_manage_booth,
        can_invite_others: m.can_invite_others,
    }
}

impl SponsorAccess {
    /// Loads the sponsor for a caller who has some relation to it: a member of its
    /// organization or of its staff. Anyone else sees it as missing.
    pub async fn load(tx: &mut Tx, p: &Principal, sponsor_id: Uuid) -> Result<SponsorAccess> {
        let sponsor = sponsors::get(tx, sponsor_id).await?.ok_or(Error::NotFound("sponsor"))?;
        SponsorAccess::of(tx, p, sponsor).await
    }

    /// [`SponsorAccess::load`] for a sponsor read already.
    pub async fn of(tx: &mut Tx, p: &Principal, sponsor: Sponsor) -> Result<SponsorAccess> {
        let org_role = org_role(tx, p, sponsor.organization_id).await?;
        let member = members::find(tx, sponsor.id, p.user_id).await?.filter(|m| m.is_active);
        if org_role.is_none() && member.is_none() {
            return Err(Error::NotFound("sponsor"));
        }
        Ok(SponsorAccess { caller: p.user_id, sponsor, org_role, member })
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

    /// The staff role, when the caller is on the staff.
    fn staff_role(&self) -> Option<SponsorRole> {
        self.member.as_ref().map(|m| m.role)
    }

    /// What the caller holds: everything for an organizer, else the staff role and flags.
    fn held(&self) -> Option<(SponsorRole, SponsorPermissions)> {
        if self.is_organizer() {
            return Some((SponsorRole::Admin, SponsorPermissions::ALL));
        }
        let m = self.member.as_ref()?;
        Some((self.staff_role()?, flags_of(m)))
    }

    /// Everything the caller may do with this sponsor.
    pub fn capabilities(&self) -> SponsorCapabilities {
        let organizer = self.is_organizer();
        let role = self.staff_role();
        let flags = self.member.as_ref().map(flags_of).unwrap_or(SponsorPermissions::NONE);
        let admin = role == Some(SponsorRole::Admin);
        let invite_staff = organizer || flags.can_invite_others;
        let invite_roles = match self.held() {
            Some((own, held)) if invite_staff => SponsorRole::ALL
                .into_iter()
                .filter(|r| r.rank() <= own.rank() && r.default_permissions().not_held_by(held).is_empty())
                .collect(),
            _ => Vec::new(),
        };
        SponsorCapabilities {
            organizer,
            staff_role: role,
            view_leads: organizer || flags.can_view_leads,
            follow_up_leads: organizer || (flags.can_view_leads && role.is_some_and(|r| r != SponsorRole::Viewer)),
            capture_leads: role.is_some_and(SponsorRole::captures_leads),
            invite_staff,
            manage_team: organizer || admin,
            edit_profile: organizer || flags.can_manage_booth,
            manage_listing: organizer,
            manage_questions: organizer || admin,
            manage_webhooks: organizer || admin,
            export_leads: organizer || flags.can_export_leads,
            message_attendees: flags.can_message_attendees,
            read_messages: organizer || flags.can_message_attendees,
            stand_at_booth: role.is_some(),
            invite_roles,
        }
    }

    pub fn require_organizer(&self) -> Result<()> {
        if self.is_organizer() {
            Ok(())
        } else {
            Err(Error::Forbidden("only the event's organizers may do this".into()))
        }
    }

    fn require(&self, allowed: bool, what: &str) -> Result<()> {
        if allowed { Ok(()) } else { Err(Error::Forbidden(format!("you may not {what} for this sponsor"))) }
    }

    /// `sponsor:leads:read`: an organizer, or an active member who may view leads.
    pub fn require_leads_read(&self) -> Result<()> {
        self.require(self.capabilities().view_leads, "view leads")
    }

    /// Following leads up (status, notes, tags, star, archive): an organizer, or an
    /// active member who may view leads and is not a read-only viewer.
    pub fn require_leads_write(&self) -> Result<()> {
        self.require(self.capabilities().follow_up_leads, "follow leads up")
    }

    /// Managing the staff: an organizer, or a sponsor admin.
    pub fn require_team_admin(&self) -> Result<()> {
        self.require(self.capabilities().manage_team, "manage the team")
    }

    /// Creating, listing, resending and revoking invitations.
    pub fn require_invite(&self) -> Result<()> {
        self.require(self.capabilities().invite_staff, "manage invitations")
    }

    /// Lead export (`can_export_leads`, organizers).
    pub fn require_export(&self) -> Result<()> {
        self.require(self.capabilities().export_leads, "export leads")
    }

    /// Reading the sponsor's message threads.
    pub fn require_read_messages(&self) -> Result<()> {
        self.require(self.capabilities().read_messages, "read the messages")
    }

    /// Writing to attendees as the sponsor (docs/DECISIONS.md, "Messaging").
    pub fn require_message_attendees(&self) -> Result<()> {
        self.require(self.capabilities().message_attendees, "message attendees")
    }

    /// The booth's qualification questions.
    pub fn require_manage_questions(&self) -> Result<()> {
        self.require(self.capabilities().manage_questions, "manage the qualification questions")
    }

    /// The sponsor's webhook endpoints.
    pub fn require_manage_webhooks(&self) -> Result<()> {
        self.require(self.capabilities().manage_webhooks, "manage the webhooks")
    }

    /// Marking oneself at the booth: the sponsor's active staff (an organizer
    /// who is not on it does not stand at the booth).
    pub fn require_stand_at_booth(&self) -> Result<()> {
        if self.capabilities().stand_at_booth {
            Ok(())
        } else {
            Err(Error::Forbidden("only the sponsor's staff say they are at its booth".into()))
        }
    }

    /// The sponsor's profile fields.
    pub fn require_edit_profile(&self) -> Result<()> {
        self.require(self.capabilities().edit_profile, "edit the sponsor's profile")
    }

    /// Nobody grants what they do not hold: `role` at most the granter's own, and
    /// every flag that `after` sets beyond `before` held by the granter (organizers
    /// hold everything). `target` is the membership changed, if any: nobody changes
    /// their own role or flags.
    pub fn check_grant(
        &self,
        target: Option<&SponsorMember>,
        role: SponsorRole,
        before: SponsorPermissions,
        after: SponsorPermissions,
    ) -> Result<()> {
        if target.is_some_and(|t| t.user_id == self.caller) {
            return Err(Error::Forbidden("nobody changes their own role or permissions".into()));
        }
        let (own_role, own_flags) =
            self.held().ok_or_else(|| Error::Forbidden("you hold no role on this sponsor's staff".into()))?;
        if role.rank() > own_role.rank() {
            return Err(Error::Forbidden(format!("you may grant at most your own role ({own_role}), not {role}")));
        }
        let missing: Vec<_> =
            after.granted_beyond(before).into_iter().filter(|f| after.not_held_by(own_flags).contains(f)).collect();
        if !missing.is_empty() {
            return Err(Error::Forbidden(format!("you may not grant {}, which you do not hold", missing.join(", "))));
        }
        Ok(())
    }

    /// What a caller who records an interaction for someone else is shown.
    pub fn capture_view(&self) -> LeadView {
        if self.capabilities().view_leads { LeadView::Full } else { LeadView::Receipt }
    }
}

/// May the caller record other attendees' interactions with this sponsor (an
/// active staff member who is not a viewer)? Answers with what they may then see.
/// The fast path of a capture: no query for staff who capture and view leads.
///
/// `member` is the caller's membership of the sponsor, read with the sponsor
/// (`sponsors::capture_context`, docs/PERFORMANCE.md, "Fewer round trips on
/// PostgreSQL"); a membership of anyone else, or of another sponsor, counts as none.
pub async fn staff_capture(
    tx: &mut Tx,
    p: &Principal,
    sponsor: &Sponsor,
    member: Option<SponsorMember>,
) -> Result<LeadView> {
    let member = member.filter(|m| m.is_active && m.user_id == p.user_id && m.sponsor_id == sponsor.id);
    match member {
        Some(m) if m.can_view_leads && m.role.captures_leads() => Ok(LeadView::Full),
        Some(m) if m.role.captures_leads() => {
            // An organizer who is also on the staff without view-leads still sees it all.
            let org_role = org_role(tx, p, sponsor.organization_id).await?;
            Ok(SponsorAccess { caller: p.user_id, sponsor: sponsor.clone(), org_role, member: Some(m) }.capture_view())
        }
        Some(_) => Err(Error::Forbidden("viewers may not capture leads".into())),
        None => {
            // Tell a known sponsor (organizers) from one the caller has no relation to.
            SponsorAccess::of(tx, p, sponsor.clone()).await?;
            Err(Error::Forbidden("only the sponsor's staff capture other attendees".into()))
        }
    }
}

// ---------------------------------------------------------------- messaging

/// May the sponsor's staff write to this attendee (docs/DECISIONS.md,
/// "Messaging")? The attendee must be a lead of the sponsor, must have consented
/// under the event's rule (an opt-in to this sponsor where the event asks for
/// one; the lead itself where presenting the badge is consent), and must not
/// have blocked the sponsor. Refusals are 403: the caller knows the lead.
pub async fn require_messageable(tx: &mut Tx, sponsor: &Sponsor, attendee_user: Uuid) -> Result<()> {
    use sponsorhub_domain::ConsentRule;
    use sponsorhub_store::{attendees, consents, messages};
    if !messages::is_lead(tx, sponsor.id, attendee_user).await? {
        return Err(Error::Forbidden("only the sponsor's leads can be messaged".into()));
    }
    let event = event_store::get_any(tx, sponsor.event_id).await?.ok_or(Error::NotFound("event"))?;
    if event.consent_rule == ConsentRule::OptIn {
        let email = accounts::get_user(tx, attendee_user).await?.map(|u| u.email).unwrap_or_default();
        let consented = match attendees::of_user(tx, event.id, attendee_user, &email.to_lowercase()).await? {
            Some(a) => consents::get(tx, a.id, sponsor.id).await?.is_some(),
            None => false,
        };
        if !consented {
            return Err(Error::Forbidden(
                "this attendee has not agreed to share their details with the sponsor".into(),
            ));
        }
    }
    if messages::is_blocked(tx, sponsor.id, attendee_user).await? {
        return Err(Error::Forbidden("this attendee does not accept messages from the sponsor".into()));
    }
    Ok(())
}
