//! Queries (names from the reference report).

use super::inputs::LeadFilters;
use super::types::{LeadNode, LeadPage, LeadQualification, SponsorStats};
use super::{Gql, principal, services, uuid, viewer};
use async_graphql::{Context, ID, Object, Result};
use sponsorhub_services::attendees::{Attendee, AttendeeQuery};
use sponsorhub_services::consents::MyConsents;
use sponsorhub_services::invitations::InvitationPreview;
use sponsorhub_services::members::MySponsor;
use sponsorhub_services::sponsors::{DirectoryGroup, SponsorQuery, SponsorView};
use sponsorhub_services::{attendees, consents, events, invitations, leads, members, questions, sponsors, tiers};
use sponsorhub_store::records::{Event, Interaction, Invitation, Question, SponsorMember, Tier};

pub struct QueryRoot;

/// A page of attendees; pass `nextCursor` as `after` for the next.
#[derive(async_graphql::SimpleObject)]
pub struct AttendeePage {
    pub items: Vec<Attendee>,
    pub next_cursor: Option<String>,
}

#[Object]
impl QueryRoot {
    /// The event's sponsor tiers in display order.
    async fn event_sponsor_tiers(&self, ctx: &Context<'_>, event_id: ID) -> Result<Vec<Tier>> {
        tiers::list_tiers(services(ctx), principal(ctx)?, None, uuid(&event_id)?).await.gql()
    }

    async fn sponsor_tier(&self, ctx: &Context<'_>, id: ID) -> Result<Tier> {
        tiers::get_tier(services(ctx), principal(ctx)?, None, uuid(&id)?).await.gql()
    }

    /// The event's sponsors, with tier and counts; one page (default 50, at most 200).
    #[allow(clippy::too_many_arguments)]
    async fn event_sponsors(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
        tier_id: Option<ID>,
        is_featured: Option<bool>,
        include_archived: Option<bool>,
        search: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Vec<SponsorView>> {
        let query = SponsorQuery {
            tier_id: tier_id.as_ref().map(uuid).transpose()?,
            is_featured,
            include_archived,
            search,
            limit: first.map(|f| u32::try_from(f).unwrap_or(0)),
            cursor: after,
        };
        let page =
            sponsors::list_sponsors(services(ctx), principal(ctx)?, None, uuid(&event_id)?, query).await.gql()?;
        Ok(page.items)
    }

    /// One sponsor, with its tier and counts.
    async fn sponsor(&self, ctx: &Context<'_>, id: ID) -> Result<SponsorView> {
        sponsors::get_sponsor(services(ctx), principal(ctx)?, None, uuid(&id)?).await.gql()
    }

    /// The same as `sponsor`: the tier is always included.
    async fn sponsor_with_tier(&self, ctx: &Context<'_>, id: ID) -> Result<SponsorView> {
        sponsors::get_sponsor(services(ctx), principal(ctx)?, None, uuid(&id)?).await.gql()
    }

    /// The caller's sponsor memberships.
    async fn my_sponsors(&self, ctx: &Context<'_>) -> Result<Vec<MySponsor>> {
        members::my_sponsors(services(ctx), principal(ctx)?).await.gql()
    }

    /// The sponsor's active staff.
    async fn sponsor_users(&self, ctx: &Context<'_>, sponsor_id: ID) -> Result<Vec<SponsorMember>> {
        members::list_members(services(ctx), principal(ctx)?, None, uuid(&sponsor_id)?).await.gql()
    }

    async fn sponsor_invitations(
        &self,
        ctx: &Context<'_>,
        sponsor_id: ID,
        status: Option<String>,
    ) -> Result<Vec<Invitation>> {
        invitations::list_invitations(services(ctx), principal(ctx)?, None, uuid(&sponsor_id)?, status.as_deref())
            .await
            .gql()
    }

    /// The sponsor's analytics (who may view its leads).
    async fn sponsor_analytics(
        &self,
        ctx: &Context<'_>,
        sponsor_id: ID,
    ) -> Result<sponsorhub_services::analytics::SponsorAnalytics> {
        sponsorhub_services::analytics::sponsor_analytics(services(ctx), principal(ctx)?, uuid(&sponsor_id)?)
            .await
            .gql()
    }

    /// The event's report per sponsor and per tier (its organizers).
    async fn event_analytics(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
    ) -> Result<sponsorhub_services::analytics::EventAnalytics> {
        sponsorhub_services::analytics::event_analytics(services(ctx), principal(ctx)?, None, uuid(&event_id)?)
            .await
            .gql()
    }

    /// The sponsor's leads, filtered, sorted and paged.
    async fn sponsor_leads(
        &self,
        ctx: &Context<'_>,
        sponsor_id: ID,
        filters: Option<LeadFilters>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<LeadPage> {
        let query = filters.unwrap_or_default().into_query(first, after);
        let (svc, p) = (services(ctx), principal(ctx)?);
        let page = leads::list_leads(svc, p, uuid(&sponsor_id)?, query).await.gql()?;
        // When the page's histories are asked for, load them all in one service call
        // now rather than one per lead.
        let mut histories = if ctx.look_ahead().field("items").field("interactions").exists() {
            let ids: Vec<uuid::Uuid> = page.items.iter().map(|l| l.id).collect();
            Some(leads::interactions_of(svc, p, &ids).await.gql()?)
        } else {
            None
        };
        let items = page
            .items
            .into_iter()
            .map(|lead| LeadNode {
                prefetched: histories.as_mut().map(|h| h.remove(&lead.id).unwrap_or_default()),
                lead,
            })
            .collect();
        Ok(LeadPage {
            items,
            next_cursor: page.next_cursor,
            prev_cursor: page.prev_cursor,
            total: page.total,
            total_capped: page.total_capped,
            first: page.first,
        })
    }

    async fn sponsor_lead(&self, ctx: &Context<'_>, id: ID) -> Result<LeadNode> {
        let detail = leads::get_lead(services(ctx), principal(ctx)?, None, uuid(&id)?).await.gql()?;
        Ok(detail.lead.into())
    }

    /// A lead with its answers to the booth's qualification questions and why it
    /// has its score.
    async fn lead_qualification(&self, ctx: &Context<'_>, lead_id: ID) -> Result<LeadQualification> {
        Ok(leads::get_lead(services(ctx), principal(ctx)?, None, uuid(&lead_id)?).await.gql()?.into())
    }

    /// The booth's qualification questions in their order (the sponsor's staff and
    /// organizers).
    async fn qualification_questions(&self, ctx: &Context<'_>, sponsor_id: ID) -> Result<Vec<Question>> {
        questions::list_questions(services(ctx), principal(ctx)?, uuid(&sponsor_id)?).await.gql()
    }

    /// A lead's interactions, newest first.
    async fn lead_interactions(&self, ctx: &Context<'_>, lead_id: ID) -> Result<Vec<Interaction>> {
        let detail = leads::get_lead(services(ctx), principal(ctx)?, None, uuid(&lead_id)?).await.gql()?;
        Ok(detail.interactions)
    }

    async fn sponsor_stats(&self, ctx: &Context<'_>, sponsor_id: ID) -> Result<SponsorStats> {
        Ok(leads::lead_stats(services(ctx), principal(ctx)?, uuid(&sponsor_id)?).await.gql()?.into())
    }

    /// The attendee view: the event's sponsors grouped by tier, public fields only.
    /// No sign-in needed, unless the event's hall is for its attendees only
    /// (`hallAccess`): then UNAUTHENTICATED without sign-in, NOT_FOUND for
    /// people who are not the event's.
    async fn public_event_sponsors(&self, ctx: &Context<'_>, event_id: ID) -> Result<Vec<DirectoryGroup>> {
        sponsors::public_directory(services(ctx), viewer(ctx), uuid(&event_id)?).await.gql()
    }

    /// What an invitation offers (sponsor, event, role, expiry), for the accept page.
    /// The token is the secret: no sign-in needed.
    async fn invitation_preview(&self, ctx: &Context<'_>, token: String) -> Result<InvitationPreview> {
        invitations::preview_invitation(services(ctx), &token).await.gql()
    }

    /// Pending invitations to the caller's e-mail address.
    async fn my_invitations(&self, ctx: &Context<'_>) -> Result<Vec<InvitationPreview>> {
        invitations::my_invitations(services(ctx), principal(ctx)?).await.gql()
    }

    async fn event(&self, ctx: &Context<'_>, id: ID) -> Result<Event> {
        events::get_event(services(ctx), principal(ctx)?, None, uuid(&id)?).await.gql()
    }

    /// The event's attendees in the order they were added; `search` matches part of
    /// the name, e-mail address or company (organizers).
    async fn attendees(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
        search: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<AttendeePage> {
        let query = AttendeeQuery { search, limit: first.map(|f| u32::try_from(f).unwrap_or(0)), cursor: after };
        let page =
            attendees::list_attendees(services(ctx), principal(ctx)?, None, uuid(&event_id)?, query).await.gql()?;
        Ok(AttendeePage { items: page.items, next_cursor: page.next_cursor })
    }

    /// One attendee of the event, with the current badge code (organizers).
    async fn attendee(&self, ctx: &Context<'_>, event_id: ID, id: ID) -> Result<Attendee> {
        attendees::get_attendee(services(ctx), principal(ctx)?, None, uuid(&event_id)?, uuid(&id)?).await.gql()
    }

    /// The event's consent rule and text, and for each sponsor whether the caller (an
    /// attendee of the event) shares their details with it.
    async fn my_consents(&self, ctx: &Context<'_>, event_id: ID) -> Result<MyConsents> {
        consents::my_consents(services(ctx), principal(ctx)?, uuid(&event_id)?).await.gql()
    }

    /// Events of an organization (default: the one the token is for), oldest first.
    async fn events(
        &self,
        ctx: &Context<'_>,
        organization_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Vec<Event>> {
        let p = principal(ctx)?;
        let org = match &organization_id {
            Some(id) => uuid(id)?,
            None => p.org.map(|(id, _)| id).ok_or_else(|| {
                super::to_gql(sponsorhub_services::Error::invalid("organizationId", "the token names no organization"))
            })?,
        };
        let limit = first.map(|f| u32::try_from(f).unwrap_or(0));
        Ok(events::list_events(services(ctx), p, org, after.as_deref(), limit).await.gql()?.items)
    }

    /// The booth's downloadable content items, oldest first (the sponsor's staff
    /// and the organizers). Files are uploaded over REST only
    /// (`POST /api/v1/sponsors/sponsors/{sponsor}/booth/content`, the raw file as
    /// the body); GraphQL lists, renames and removes them.
    async fn booth_content_items(
        &self,
        ctx: &Context<'_>,
        sponsor_id: ID,
    ) -> Result<Vec<sponsorhub_services::content::ContentItemView>> {
        sponsorhub_services::content::list_content(services(ctx), principal(ctx)?, uuid(&sponsor_id)?).await.gql()
    }

    /// Whether the caller (the sponsor's active staff) is at its booth now, and
    /// who is (as REST `GET .../booth/presence`).
    async fn my_booth_presence(
        &self,
        ctx: &Context<'_>,
        sponsor_id: ID,
    ) -> Result<sponsorhub_services::presence::Presence> {
        sponsorhub_services::presence::my_presence(services(ctx), principal(ctx)?, uuid(&sponsor_id)?).await.gql()
    }

    /// The event's service tokens, newest first, without their secrets (its
    /// organizers).
    async fn event_service_tokens(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
    ) -> Result<Vec<sponsorhub_store::service_tokens::ServiceToken>> {
        sponsorhub_services::service_tokens::list(services(ctx), principal(ctx)?, None, uuid(&event_id)?).await.gql()
    }
}
