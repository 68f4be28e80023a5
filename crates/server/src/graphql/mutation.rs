//! Mutations (names from the reference report).

use super::inputs::*;
use super::types::{CaptureResult, LeadNode, LeadQualification};
use super::{Gql, principal, services, uuid};
use async_graphql::{Context, ID, Object, Result};
use sponsorhub_services::attendees::{Attendee, UpsertResult};
use sponsorhub_services::capture::{self, IdempotencyKey};
use sponsorhub_services::consents::SponsorConsent;
use sponsorhub_services::invitations::{AcceptInvitation, Accepted};
use sponsorhub_services::leads::UpdateLead;
use sponsorhub_services::sponsors::{SponsorView, UpdateSponsor};
use sponsorhub_services::{attendees, consents, events, invitations, leads, members, questions, sponsors, tiers};
use sponsorhub_store::records::{Event, Invitation, LeadNote, Question, SponsorMember, Tier};

pub struct MutationRoot;

#[Object]
impl MutationRoot {
    async fn create_sponsor_tier(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
        input: CreateSponsorTierInput,
    ) -> Result<Tier> {
        tiers::create_tier(services(ctx), principal(ctx)?, None, uuid(&event_id)?, input.into()).await.gql()
    }

    /// Platinum, Gold, Silver and Bronze; existing ones are kept. Returns all the event's tiers.
    async fn create_default_sponsor_tiers(&self, ctx: &Context<'_>, event_id: ID) -> Result<Vec<Tier>> {
        Ok(tiers::create_default_tiers(services(ctx), principal(ctx)?, None, uuid(&event_id)?).await.gql()?.0)
    }

    async fn update_sponsor_tier(&self, ctx: &Context<'_>, id: ID, input: UpdateSponsorTierInput) -> Result<Tier> {
        tiers::update_tier(services(ctx), principal(ctx)?, None, uuid(&id)?, input.into()).await.gql()
    }

    /// Deletes a tier no sponsor is in.
    async fn delete_sponsor_tier(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        tiers::delete_tier(services(ctx), principal(ctx)?, None, uuid(&id)?).await.gql()?;
        Ok(true)
    }

    /// Adds an attendee to the event, with a new badge (organizers).
    async fn create_attendee(&self, ctx: &Context<'_>, event_id: ID, input: EventAttendeeInput) -> Result<Attendee> {
        attendees::create_attendee(services(ctx), principal(ctx)?, None, uuid(&event_id)?, input.into()).await.gql()
    }

    /// Creates or updates attendees (matched by platform id, else e-mail address),
    /// all or nothing (organizers).
    async fn upsert_attendees(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
        attendees: Vec<EventAttendeeInput>,
    ) -> Result<UpsertResult> {
        let items = attendees.into_iter().map(Into::into).collect();
        attendees::upsert_attendees(services(ctx), principal(ctx)?, None, uuid(&event_id)?, items).await.gql()
    }

    async fn update_attendee(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
        id: ID,
        input: UpdateEventAttendeeInput,
    ) -> Result<Attendee> {
        let (event, id) = (uuid(&event_id)?, uuid(&id)?);
        attendees::update_attendee(services(ctx), principal(ctx)?, None, event, id, input.into()).await.gql()
    }

    /// Removes an attendee; their badge stops working.
    async fn delete_attendee(&self, ctx: &Context<'_>, event_id: ID, id: ID) -> Result<bool> {
        attendees::delete_attendee(services(ctx), principal(ctx)?, None, uuid(&event_id)?, uuid(&id)?).await.gql()?;
        Ok(true)
    }

    /// A new badge code for the attendee; the old one stops working at once.
    async fn reissue_attendee_badge(&self, ctx: &Context<'_>, event_id: ID, id: ID) -> Result<Attendee> {
        attendees::reissue_badge(services(ctx), principal(ctx)?, None, uuid(&event_id)?, uuid(&id)?).await.gql()
    }

    /// Revokes the attendee's badge until a new one is issued.
    async fn revoke_attendee_badge(&self, ctx: &Context<'_>, event_id: ID, id: ID) -> Result<Attendee> {
        attendees::revoke_badge(services(ctx), principal(ctx)?, None, uuid(&event_id)?, uuid(&id)?).await.gql()
    }

    /// Who sees the event's expo hall (organizers): public (anyone) or attendees
    /// (the event's signed-in attendees, organizers and sponsors' staff).
    async fn set_event_hall_access(&self, ctx: &Context<'_>, event_id: ID, hall_access: String) -> Result<Event> {
        events::set_hall_access(services(ctx), principal(ctx)?, uuid(&event_id)?, &hall_access).await.gql()
    }

    /// How many days after the event's end its leads' personal data is erased
    /// (0 to 3650; null: kept). Organizers.
    async fn set_event_retention(&self, ctx: &Context<'_>, event_id: ID, retention_days: Option<i32>) -> Result<Event> {
        events::set_retention(services(ctx), principal(ctx)?, uuid(&event_id)?, retention_days).await.gql()
    }

    /// The caller (an attendee of the event) shares their details with the sponsor.
    async fn share_details_with_sponsor(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
        sponsor_id: ID,
    ) -> Result<SponsorConsent> {
        consents::give(services(ctx), principal(ctx)?, uuid(&event_id)?, uuid(&sponsor_id)?).await.gql()
    }

    /// The caller stops sharing their details with the sponsor.
    async fn withdraw_consent(&self, ctx: &Context<'_>, event_id: ID, sponsor_id: ID) -> Result<bool> {
        consents::withdraw(services(ctx), principal(ctx)?, uuid(&event_id)?, uuid(&sponsor_id)?).await.gql()?;
        Ok(true)
    }

    async fn create_sponsor(&self, ctx: &Context<'_>, event_id: ID, input: CreateSponsorInput) -> Result<SponsorView> {
        sponsors::create_sponsor(services(ctx), principal(ctx)?, None, uuid(&event_id)?, input.into()).await.gql()
    }

    async fn update_sponsor(&self, ctx: &Context<'_>, id: ID, input: UpdateSponsorInput) -> Result<SponsorView> {
        sponsors::update_sponsor(services(ctx), principal(ctx)?, None, uuid(&id)?, input.into()).await.gql()
    }

    async fn archive_sponsor(&self, ctx: &Context<'_>, id: ID) -> Result<SponsorView> {
        sponsors::set_archived(services(ctx), principal(ctx)?, None, uuid(&id)?, true).await.gql()
    }

    async fn restore_sponsor(&self, ctx: &Context<'_>, id: ID) -> Result<SponsorView> {
        sponsors::set_archived(services(ctx), principal(ctx)?, None, uuid(&id)?, false).await.gql()
    }

    async fn set_sponsor_featured(&self, ctx: &Context<'_>, id: ID, featured: bool) -> Result<SponsorView> {
        let change = UpdateSponsor { is_featured: Some(featured), ..Default::default() };
        sponsors::update_sponsor(services(ctx), principal(ctx)?, None, uuid(&id)?, change).await.gql()
    }

    async fn create_sponsor_invitation(
        &self,
        ctx: &Context<'_>,
        sponsor_id: ID,
        input: CreateSponsorInvitationInput,
    ) -> Result<Invitation> {
        invitations::create_invitation(services(ctx), principal(ctx)?, None, uuid(&sponsor_id)?, input.into())
            .await
            .gql()
    }

    async fn resend_sponsor_invitation(&self, ctx: &Context<'_>, id: ID) -> Result<Invitation> {
        invitations::resend_invitation(services(ctx), principal(ctx)?, None, uuid(&id)?).await.gql()
    }

    async fn revoke_sponsor_invitation(&self, ctx: &Context<'_>, id: ID) -> Result<Invitation> {
        invitations::revoke_invitation(services(ctx), principal(ctx)?, None, uuid(&id)?).await.gql()
    }

    async fn accept_sponsor_invitation(&self, ctx: &Context<'_>, token: String) -> Result<Accepted> {
        invitations::accept_invitation(services(ctx), principal(ctx)?, AcceptInvitation { token }).await.gql()
    }

    async fn update_sponsor_user_permissions(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateSponsorUserPermissionsInput,
    ) -> Result<SponsorMember> {
        members::update_member(services(ctx), principal(ctx)?, None, uuid(&id)?, input.into()).await.gql()
    }

    async fn remove_sponsor_user(&self, ctx: &Context<'_>, id: ID) -> Result<SponsorMember> {
        members::remove_member(services(ctx), principal(ctx)?, None, uuid(&id)?).await.gql()
    }

    /// Adds a qualification question to the booth (sponsor admins, organizers).
    async fn create_qualification_question(
        &self,
        ctx: &Context<'_>,
        sponsor_id: ID,
        input: CreateQuestionInput,
    ) -> Result<Question> {
        questions::create_question(services(ctx), principal(ctx)?, uuid(&sponsor_id)?, input.into()).await.gql()
    }

    /// Changes a qualification question (sponsor admins, organizers).
    async fn update_qualification_question(
        &self,
        ctx: &Context<'_>,
        sponsor_id: ID,
        id: ID,
        input: UpdateQuestionInput,
    ) -> Result<Question> {
        questions::update_question(services(ctx), principal(ctx)?, uuid(&sponsor_id)?, uuid(&id)?, input.into())
            .await
            .gql()
    }

    /// Deletes a qualification question: no longer asked; answers given stay.
    async fn delete_qualification_question(&self, ctx: &Context<'_>, sponsor_id: ID, id: ID) -> Result<bool> {
        questions::delete_question(services(ctx), principal(ctx)?, uuid(&sponsor_id)?, uuid(&id)?).await.gql()?;
        Ok(true)
    }

    /// Answers qualification questions on a lead; the score follows.
    async fn answer_lead_questions(
        &self,
        ctx: &Context<'_>,
        lead_id: ID,
        answers: Vec<LeadAnswerInput>,
    ) -> Result<LeadQualification> {
        let answers = answers.into_iter().map(LeadAnswerInput::into_input).collect();
        Ok(questions::answer(services(ctx), principal(ctx)?, None, uuid(&lead_id)?, answers).await.gql()?.into())
    }

    /// One change to many of the sponsor's leads; answers how many changed.
    async fn bulk_update_sponsor_leads(
        &self,
        ctx: &Context<'_>,
        sponsor_id: ID,
        input: BulkLeadUpdateInput,
    ) -> Result<i32> {
        Ok(leads::bulk_update(services(ctx), principal(ctx)?, uuid(&sponsor_id)?, input.into()).await.gql()?.updated)
    }

    /// Adds an entry to the lead's notes.
    async fn add_lead_note(&self, ctx: &Context<'_>, lead_id: ID, body: String) -> Result<LeadNote> {
        leads::add_note(services(ctx), principal(ctx)?, None, uuid(&lead_id)?, &body).await.gql()
    }

    async fn update_sponsor_lead(&self, ctx: &Context<'_>, id: ID, input: UpdateSponsorLeadInput) -> Result<LeadNode> {
        Ok(leads::update_lead(services(ctx), principal(ctx)?, None, uuid(&id)?, input.into()).await.gql()?.into())
    }

    async fn star_sponsor_lead(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(default = true)] starred: bool,
    ) -> Result<LeadNode> {
        let change = UpdateLead { is_starred: Some(starred), ..Default::default() };
        Ok(leads::update_lead(services(ctx), principal(ctx)?, None, uuid(&id)?, change).await.gql()?.into())
    }

    async fn archive_sponsor_lead(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(default = true)] archived: bool,
    ) -> Result<LeadNode> {
        let change = UpdateLead { is_archived: Some(archived), ..Default::default() };
        Ok(leads::update_lead(services(ctx), principal(ctx)?, None, uuid(&id)?, change).await.gql()?.into())
    }

    /// Records an interaction (see the REST capture-lead endpoint). An
    /// `idempotencyKey` makes a retry answer like the first call.
    async fn capture_lead(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
        sponsor_id: ID,
        input: CaptureLeadInput,
        idempotency_key: Option<String>,
    ) -> Result<CaptureResult> {
        let (event_id, sponsor_id) = (uuid(&event_id)?, uuid(&sponsor_id)?);
        let input: sponsorhub_services::capture::CaptureLead = input.into();
        let key = idempotency_key.map(|key| IdempotencyKey::new(key, event_id, sponsor_id, &input));
        let outcome =
            capture::capture_lead(services(ctx), principal(ctx)?, event_id, sponsor_id, input, key).await.gql()?;
        Ok(CaptureResult {
            created: outcome.created,
            replayed: outcome.replayed,
            lead: outcome.lead.map(Into::into),
            receipt: outcome.receipt,
        })
    }

    /// Renames a booth content item (staff who manage the booth, and organizers).
    /// Uploads stay REST: `POST /api/v1/sponsors/sponsors/{sponsor}/booth/content`.
    async fn rename_booth_content_item(
        &self,
        ctx: &Context<'_>,
        sponsor_id: ID,
        id: ID,
        title: String,
    ) -> Result<sponsorhub_services::content::ContentItemView> {
        let (sponsor, item) = (uuid(&sponsor_id)?, uuid(&id)?);
        sponsorhub_services::content::rename_content(services(ctx), principal(ctx)?, sponsor, item, &title).await.gql()
    }

    /// Removes a booth content item and its file (staff who manage the booth, and
    /// organizers).
    async fn remove_booth_content_item(&self, ctx: &Context<'_>, sponsor_id: ID, id: ID) -> Result<bool> {
        let (sponsor, item) = (uuid(&sponsor_id)?, uuid(&id)?);
        sponsorhub_services::content::remove_content(services(ctx), principal(ctx)?, sponsor, item).await.gql()?;
        Ok(true)
    }

    /// The caller (the sponsor's active staff) says they are at its booth (for
    /// the next 4 hours) or not any more (as REST `PUT .../booth/presence`).
    async fn set_booth_presence(
        &self,
        ctx: &Context<'_>,
        sponsor_id: ID,
        at_booth: bool,
    ) -> Result<sponsorhub_services::presence::Presence> {
        let input = sponsorhub_services::presence::PresenceInput { at_booth };
        sponsorhub_services::presence::set_presence(services(ctx), principal(ctx)?, uuid(&sponsor_id)?, input)
            .await
            .gql()
    }

    /// Issues a service token for the event (its organizers). The answer is the
    /// only time its `secret` is shown: only its hash is kept.
    async fn issue_event_service_token(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
        name: String,
    ) -> Result<sponsorhub_services::service_tokens::IssuedServiceToken> {
        let input = sponsorhub_services::service_tokens::NewServiceToken { name };
        sponsorhub_services::service_tokens::issue(services(ctx), principal(ctx)?, None, uuid(&event_id)?, input)
            .await
            .gql()
    }

    /// Revokes one of the event's service tokens at once (its organizers).
    async fn revoke_event_service_token(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
        id: ID,
    ) -> Result<sponsorhub_store::service_tokens::ServiceToken> {
        let (event, token) = (uuid(&event_id)?, uuid(&id)?);
        sponsorhub_services::service_tokens::revoke(services(ctx), principal(ctx)?, None, event, token).await.gql()
    }
}
