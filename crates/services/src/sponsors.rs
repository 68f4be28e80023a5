//! Sponsors of an event: organizers create, list, change, archive and restore them;
//! a sponsor's own staff who manage the booth edit its profile and booth fields.

use crate::authz::SponsorAccess;
use crate::authz::event_of_org;
use crate::pagination::{self, Page};
use crate::{Error, Principal, Result, Services};
use serde::{Deserialize, Serialize};
use sponsorhub_domain::validate::{self, FieldError, Validator};
use sponsorhub_domain::{ids, time};
use sponsorhub_store::records::{JsonColumn, Sponsor, SponsorCounts, Tier};
use sponsorhub_store::sponsors::SponsorFilter;
use sponsorhub_store::{Tx, logos as logo_store, sponsors as q, tiers};
use std::collections::HashMap;
use uuid::Uuid;

/// A sponsor with its tier and counts, as lists and detail views show it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject), graphql(name = "Sponsor"))]
pub struct SponsorView {
    #[serde(flatten)]
    #[cfg_attr(feature = "graphql", graphql(flatten))]
    pub sponsor: Sponsor,
    pub tier: Option<Tier>,
    /// Active staff members.
    pub representative_count: i64,
    pub lead_count: i64,
    /// The logo to show: the uploaded one (a versioned URL of this server), else
    /// `company_logo_url`.
    pub logo_url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateSponsor {
    pub company_name: String,
    pub tier_id: Option<Uuid>,
    pub company_description: Option<String>,
    pub company_website: Option<String>,
    pub company_logo_url: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub booth_number: Option<String>,
    pub booth_description: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub social_links: Option<serde_json::Map<String, serde_json::Value>>,
    pub is_featured: Option<bool>,
    /// Default true.
    pub lead_capture_enabled: Option<bool>,
    pub lead_notification_email: Option<String>,
}

/// Fields to change; absent fields stay, `null` clears an optional one. Organizers
/// may change everything; staff who manage the booth only the profile, booth and
/// notification fields.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateSponsor {
    #[serde(default, deserialize_with = "crate::events::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Uuid>))]
    pub tier_id: Option<Option<Uuid>>,
    pub is_featured: Option<bool>,
    pub lead_capture_enabled: Option<bool>,
    pub company_name: Option<String>,
    #[serde(default, deserialize_with = "crate::events::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub company_description: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::events::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub company_website: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::events::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub company_logo_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::events::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub contact_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::events::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub contact_email: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::events::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub contact_phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::events::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub booth_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::events::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub booth_description: Option<Option<String>>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub social_links: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default, deserialize_with = "crate::events::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub lead_notification_email: Option<Option<String>>,
}

/// Filters of the sponsor list.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct SponsorQuery {
    pub tier_id: Option<Uuid>,
    pub is_featured: Option<bool>,
    /// Include archived sponsors (default false).
    pub include_archived: Option<bool>,
    /// Part of the company name.
    pub search: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

fn social_links(
    raw: &serde_json::Map<String, serde_json::Value>,
) -> Result<serde_json::Map<String, serde_json::Value>, FieldError> {
    if raw.len() > 20 {
        return Err(FieldError::new("social_links", "at most 20 links"));
    }
    for (k, v) in raw {
        let ok = (1..=50).contains(&k.len()) && v.as_str().is_some_and(|u| validate::url("social_links", u).is_ok());
        if !ok {
            return Err(FieldError::new("social_links", "must map network names to http(s) URLs"));
        }
    }
    Ok(raw.clone())
}

/// The tier must be one of the event's.
async fn check_tier(tx: &mut Tx, org: Uuid, event: Uuid, tier: Option<Uuid>) -> Result<()> {
    if let Some(t) = tier {
        let found = tiers::get(tx, org, t).await?;
        if found.is_none_or(|t| t.event_id != event) {
            return Err(Error::invalid("tier_id", "is not a tier of this event"));
        }
    }
    Ok(())
}

/// Tiers, counts and logos for a page of sponsors: three queries, whatever the
/// page size.
async fn views(svc: &Services, tx: &mut Tx, sponsors: Vec<Sponsor>) -> Result<Vec<SponsorView>> {
    let ids: Vec<Uuid> = sponsors.iter().map(|s| s.id).collect();
    let counts: HashMap<Uuid, SponsorCounts> =
        q::counts(tx, &ids).await?.into_iter().map(|c| (c.sponsor_id, c)).collect();
    let logos: HashMap<Uuid, String> =
        logo_store::versions(tx, &ids).await?.into_iter().map(|l| (l.sponsor_id, l.sha256)).collect();
    // A page nearly always holds one event's sponsors: one query for its tiers.
    let event_ids: std::collections::BTreeSet<Uuid> = sponsors.iter().map(|s| s.event_id).collect();
    let mut tiers_by_id: HashMap<Uuid, Tier> = HashMap::new();
    for e in event_ids {
        for t in tiers::list_for_event(tx, e).await? {
            tiers_by_id.insert(t.id, t);
        }
    }
    Ok(sponsors
        .into_iter()
        .map(|s| {
            let c = counts.get(&s.id).copied().unwrap_or_default();
            SponsorView {
                logo_url: resolved_logo(&svc.public_url, &s, logos.get(&s.id)),
                tier: s.tier_id.and_then(|t| tiers_by_id.get(&t).cloned()),
                representative_count: c.representative_count,
                lead_count: c.lead_count,
                sponsor: s,
            }
        })
        .collect())
}

pub(crate) async fn view(svc: &Services, tx: &mut Tx, sponsor: Sponsor) -> Result<SponsorView> {
    Ok(views(svc, tx, vec![sponsor]).await?.pop().expect("one view per sponsor"))
}

/// The logo a sponsor shows: its upload (of version `sha256`) wins over its URL.
fn resolved_logo(base: &str, s: &Sponsor, sha256: Option<&String>) -> Option<String> {
    match sha256 {
        Some(sha) => Some(crate::logos::logo_url(base, s.id, sha)),
        None => s.company_logo_url.clone(),
    }
}

#[tracing::instrument(skip_all, fields(event.id = %event))]
pub async fn create_sponsor(
    svc: &Services,
    p: &Principal,
    org: Option<Uuid>,
    event: Uuid,
    input: CreateSponsor,
) -> Result<SponsorView> {
    let mut v = Validator::new();
    let company_name = v.check(validate::text("company_name", &input.company_name, 1, 200));
    let company_description =
        v.check(validate::optional_text("company_description", input.company_description.as_deref(), 5000));
    let company_website = v.check(validate::optional_url("company_website", input.company_website.as_deref()));
    let company_logo_url = v.check(validate::optional_url("company_logo_url", input.company_logo_url.as_deref()));
    let contact_name = v.check(validate::optional_text("contact_name", input.contact_name.as_deref(), 200));
    let contact_email = v.check(validate::optional_email("contact_email", input.contact_email.as_deref()));
    let contact_phone = v.check(validate::optional_text("contact_phone", input.contact_phone.as_deref(), 50));
    let booth_number = v.check(validate::optional_text("booth_number", input.booth_number.as_deref(), 50));
    let booth_description =
        v.check(validate::optional_text("booth_description", input.booth_description.as_deref(), 2000));
    let links = v.check(social_links(&input.social_links.unwrap_or_default()));
    let notify = v.check(validate::optional_email("lead_notification_email", input.lead_notification_email.as_deref()));
    v.finish()?;

    let mut tx = svc.store.write().await?;
    let org = event_of_org(&mut tx, p, org, event, true).await?.organization_id;
    check_tier(&mut tx, org, event, input.tier_id).await?;
    let now = time::now();
    let sponsor = Sponsor {
        id: ids::new_id(),
        organization_id: org,
        event_id: event,
        tier_id: input.tier_id,
        company_name: company_name.unwrap(),
        company_description: company_description.unwrap(),
        company_website: company_website.unwrap(),
        company_logo_url: company_logo_url.unwrap(),
        contact_name: contact_name.unwrap(),
        contact_email: contact_email.unwrap(),
        contact_phone: contact_phone.unwrap(),
        booth_number: booth_number.unwrap(),
        booth_description: booth_description.unwrap(),
        social_links: JsonColumn(links.unwrap()),
        is_featured: input.is_featured.unwrap_or(false),
        is_archived: false,
        archived_at: None,
        lead_capture_enabled: input.lead_capture_enabled.unwrap_or(true),
        lead_notification_email: notify.unwrap(),
        created_at: now,
        updated_at: now,
    };
    q::insert(&mut tx, &sponsor).await?;
    let view = view(svc, &mut tx, sponsor).await?;
    tx.commit().await?;
    tracing::info!(sponsor.id = %view.sponsor.id, "sponsor created");
    Ok(view)
}

/// The event's sponsors with tiers and counts (organization members).
pub async fn list_sponsors(
    svc: &Services,
    p: &Principal,
    org: Option<Uuid>,
    event: Uuid,
    query: SponsorQuery,
) -> Result<Page<SponsorView>> {
    validate::optional_text("search", query.search.as_deref(), 200).map_err(|e| Error::Invalid(vec![e]))?;
    let limit = pagination::limit(query.limit)?;
    let after: Option<Uuid> = pagination::decode(query.cursor.as_deref())?;
    let filter = SponsorFilter {
        tier_id: query.tier_id,
        is_featured: query.is_featured,
        include_archived: query.include_archived.unwrap_or(false),
        search: query.search.map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty()),
    };
    let mut tx = svc.store.read().await?;
    event_of_org(&mut tx, p, org, event, false).await?;
    let rows = q::list_for_event(&mut tx, event, &filter, after, i64::from(limit) + 1).await?;
    let page = pagination::page(rows, limit, |s| s.id);
    Ok(Page { items: views(svc, &mut tx, page.items).await?, next_cursor: page.next_cursor })
}

/// One sponsor with tier and counts: organization members and the sponsor's staff.
pub async fn get_sponsor(svc: &Services, p: &Principal, org: Option<Uuid>, id: Uuid) -> Result<SponsorView> {
    let mut tx = svc.store.read().await?;
    let access = SponsorAccess::load_in_org(&mut tx, p, org, id).await?;
    view(svc, &mut tx, access.sponsor).await
}

/// The sponsor and what the caller may do with it (404 for a sponsor they have no
/// relation to): what a page about the sponsor shows controls for.
pub async fn sponsor_capabilities(
    svc: &Services,
    p: &Principal,
    id: Uuid,
) -> Result<(Sponsor, crate::authz::SponsorCapabilities)> {
    let mut tx = svc.store.read().await?;
    let access = SponsorAccess::load(&mut tx, p, id).await?;
    let caps = access.capabilities();
    Ok((access.sponsor, caps))
}

pub async fn update_sponsor(
    svc: &Services,
    p: &Principal,
    org: Option<Uuid>,
    id: Uuid,
    input: UpdateSponsor,
) -> Result<SponsorView> {
    update_sponsor_and_logo(svc, p, org, id, input, LogoChange::Keep).await
}

/// What a sponsor edit does with the uploaded logo.
#[derive(Debug, Clone, Default)]
pub enum LogoChange {
    #[default]
    Keep,
    /// A new file (checked as [`crate::logos::check`] does).
    Upload(Vec<u8>),
    /// Back to the logo URL.
    Remove,
}

/// Changes the sponsor's fields and its uploaded logo together, in one
/// transaction (the console's edit form): every field's error, the logo's
/// included, comes back at once, and nothing is saved unless all are right.
#[tracing::instrument(skip_all, fields(sponsor.id = %id))]
pub async fn update_sponsor_and_logo(
    svc: &Services,
    p: &Principal,
    org: Option<Uuid>,
    id: Uuid,
    input: UpdateSponsor,
    logo: LogoChange,
) -> Result<SponsorView> {
    // Checked (an SVG rewritten) before the write transaction begins.
    let checked_logo = match &logo {
        LogoChange::Upload(bytes) => Some(crate::logos::check(bytes)),
        _ => None,
    };
    let mut tx = svc.store.write().await?;
    let access = SponsorAccess::load_in_org(&mut tx, p, org, id).await?;
    let organizer_only = input.tier_id.is_some() || input.is_featured.is_some() || input.lead_capture_enabled.is_some();
    if organizer_only {
        access.require_organizer()?;
    } else {
        access.require_edit_profile()?;
    }
    let mut s = access.sponsor;

    let mut v = Validator::new();
    let checked_logo = checked_logo.and_then(|r| v.check(r));
    v.set(&mut s.company_name, input.company_name.as_deref().map(|n| validate::text("company_name", n, 1, 200)));
    let opt_text = |field: &'static str, val: &Option<Option<String>>, max: usize| {
        val.as_ref().map(|x| validate::optional_text(field, x.as_deref(), max))
    };
    v.set(&mut s.company_description, opt_text("company_description", &input.company_description, 5000));
    v.set(&mut s.contact_name, opt_text("contact_name", &input.contact_name, 200));
    v.set(&mut s.contact_phone, opt_text("contact_phone", &input.contact_phone, 50));
    v.set(&mut s.booth_number, opt_text("booth_number", &input.booth_number, 50));
    v.set(&mut s.booth_description, opt_text("booth_description", &input.booth_description, 2000));
    v.set(
        &mut s.company_website,
        input.company_website.as_ref().map(|x| validate::optional_url("company_website", x.as_deref())),
    );
    v.set(
        &mut s.company_logo_url,
        input.company_logo_url.as_ref().map(|x| validate::optional_url("company_logo_url", x.as_deref())),
    );
    v.set(
        &mut s.contact_email,
        input.contact_email.as_ref().map(|x| validate::optional_email("contact_email", x.as_deref())),
    );
    v.set(
        &mut s.lead_notification_email,
        input
            .lead_notification_email
            .as_ref()
            .map(|x| validate::optional_email("lead_notification_email", x.as_deref())),
    );
    if let Some(links) = &input.social_links
        && let Some(l) = v.check(social_links(links))
    {
        s.social_links = JsonColumn(l);
    }
    v.finish()?;
    if let Some(tier) = input.tier_id {
        check_tier(&mut tx, s.organization_id, s.event_id, tier).await?;
        s.tier_id = tier;
    }
    if let Some(f) = input.is_featured {
        s.is_featured = f;
    }
    if let Some(l) = input.lead_capture_enabled {
        s.lead_capture_enabled = l;
    }
    s.updated_at = time::now();
    q::update(&mut tx, &s).await?;
    match (logo, checked_logo) {
        (LogoChange::Upload(_), Some(checked)) => logo_store::put(&mut tx, &crate::logos::row(s.id, checked)).await?,
        (LogoChange::Remove, _) => {
            logo_store::delete(&mut tx, s.id).await?;
        }
        _ => {}
    }
    let view = view(svc, &mut tx, s).await?;
    tx.commit().await?;
    Ok(view)
}

/// Archives (DELETE) or restores a sponsor (organizers). Archiving is idempotent; its
/// leads and staff stay.
#[tracing::instrument(skip_all, fields(sponsor.id = %id, archived))]
pub async fn set_archived(
    svc: &Services,
    p: &Principal,
    org: Option<Uuid>,
    id: Uuid,
    archived: bool,
) -> Result<SponsorView> {
    let mut tx = svc.store.write().await?;
    let access = SponsorAccess::load_in_org(&mut tx, p, org, id).await?;
    access.require_organizer()?;
    let mut s = access.sponsor;
    if s.is_archived != archived {
        let now = time::now();
        s.is_archived = archived;
        s.archived_at = archived.then_some(now);
        s.updated_at = now;
        q::update(&mut tx, &s).await?;
    }
    let view = view(svc, &mut tx, s).await?;
    tx.commit().await?;
    Ok(view)
}

/// A sponsor as attendees see it: public fields only.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
#[cfg_attr(feature = "graphql", graphql(complex))]
pub struct PublicSponsor {
    pub id: Uuid,
    pub company_name: String,
    pub company_description: Option<String>,
    pub company_website: Option<String>,
    pub company_logo_url: Option<String>,
    /// The logo to show: the uploaded one, else `company_logo_url`.
    pub logo_url: Option<String>,
    pub booth_number: Option<String>,
    pub booth_description: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    #[cfg_attr(feature = "graphql", graphql(skip))]
    pub social_links: serde_json::Map<String, serde_json::Value>,
    pub is_featured: bool,
}

#[cfg(feature = "graphql")]
#[async_graphql::ComplexObject]
impl PublicSponsor {
    /// Network name → URL.
    async fn social_links(&self) -> async_graphql::Json<&serde_json::Map<String, serde_json::Value>> {
        async_graphql::Json(&self.social_links)
    }
}

/// A tier as attendees see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
pub struct PublicTier {
    pub id: Uuid,
    pub name: String,
    pub color: Option<String>,
    pub display_order: i32,
}

/// One tier's sponsors in the public directory; `tier` is null for sponsors
/// without a tier, listed last.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
pub struct DirectoryGroup {
    pub tier: Option<PublicTier>,
    pub sponsors: Vec<PublicSponsor>,
}

/// The attendee view of an event's sponsors, grouped by tier in display order,
/// featured sponsors first; archived sponsors are left out. No sign-in needed
/// unless the event's hall is for its attendees only
/// ([`crate::authz::require_hall_viewer`]).
pub async fn public_directory(svc: &Services, viewer: Option<&Principal>, event: Uuid) -> Result<Vec<DirectoryGroup>> {
    search_directory(svc, viewer, event, None, None).await
}

/// The directory narrowed to sponsors whose name, description or booth contains
/// `search` (any case), and to one tier; the groups left empty go.
pub async fn search_directory(
    svc: &Services,
    viewer: Option<&Principal>,
    event: Uuid,
    search: Option<&str>,
    tier: Option<Uuid>,
) -> Result<Vec<DirectoryGroup>> {
    let search = search.map(|q| q.trim().to_lowercase()).filter(|q| !q.is_empty() && q.chars().count() <= 100);
    let mut groups = directory(svc, viewer, event).await?;
    for g in &mut groups {
        if tier.is_some() && g.tier.as_ref().map(|t| t.id) != tier {
            g.sponsors.clear();
        }
        if let Some(q) = &search {
            g.sponsors.retain(|s| {
                [Some(&s.company_name), s.company_description.as_ref(), s.booth_number.as_ref()]
                    .into_iter()
                    .flatten()
                    .any(|t| t.to_lowercase().contains(q.as_str()))
            });
        }
    }
    groups.retain(|g| !g.sponsors.is_empty());
    Ok(groups)
}

/// One sponsor of the directory, with its tier (archived sponsors are missing).
pub async fn public_sponsor(
    svc: &Services,
    viewer: Option<&Principal>,
    event: Uuid,
    sponsor: Uuid,
) -> Result<(Option<PublicTier>, PublicSponsor)> {
    directory(svc, viewer, event)
        .await?
        .into_iter()
        .find_map(|g| g.sponsors.into_iter().find(|s| s.id == sponsor).map(|s| (g.tier.clone(), s)))
        .ok_or(Error::NotFound("sponsor"))
}

async fn directory(svc: &Services, viewer: Option<&Principal>, event: Uuid) -> Result<Vec<DirectoryGroup>> {
    let mut tx = svc.store.read().await?;
    let found = sponsorhub_store::events::get_any(&mut tx, event).await?.ok_or(Error::NotFound("event"))?;
    crate::authz::require_hall_viewer(&mut tx, viewer, &found).await?;
    let tiers = tiers::list_for_event(&mut tx, event).await?;
    let sponsors = q::list_public(&mut tx, event).await?;
    let logos: HashMap<Uuid, String> =
        logo_store::versions_for_event(&mut tx, event).await?.into_iter().map(|l| (l.sponsor_id, l.sha256)).collect();
    let public = |s: &Sponsor| PublicSponsor {
        logo_url: resolved_logo(&svc.public_url, s, logos.get(&s.id)),
        id: s.id,
        company_name: s.company_name.clone(),
        company_description: s.company_description.clone(),
        company_website: s.company_website.clone(),
        company_logo_url: s.company_logo_url.clone(),
        booth_number: s.booth_number.clone(),
        booth_description: s.booth_description.clone(),
        social_links: s.social_links.0.clone(),
        is_featured: s.is_featured,
    };
    let mut groups: Vec<DirectoryGroup> = tiers
        .iter()
        .filter(|t| t.is_active)
        .map(|t| DirectoryGroup {
            tier: Some(PublicTier {
                id: t.id,
                name: t.name.clone(),
                color: t.color.clone(),
                display_order: t.display_order,
            }),
            sponsors: sponsors.iter().filter(|s| s.tier_id == Some(t.id)).map(public).collect(),
        })
        .filter(|g| !g.sponsors.is_empty())
        .collect();
    let listed: std::collections::HashSet<Uuid> = groups.iter().flat_map(|g| g.sponsors.iter().map(|s| s.id)).collect();
    let rest: Vec<PublicSponsor> = sponsors.iter().filter(|s| !listed.contains(&s.id)).map(public).collect();
    if !rest.is_empty() {
        groups.push(DirectoryGroup { tier: None, sponsors: rest });
    }
    Ok(groups)
}

/// One sponsor's people and leads, as the organizer's event page shows them.
#[derive(Debug, Clone, Default)]
pub struct SponsorTeam {
    /// Active staff, in the order they joined.
    pub members: Vec<sponsorhub_store::records::SponsorMember>,
    /// Invitations not yet accepted and not expired.
    pub pending_invitations: Vec<sponsorhub_store::records::Invitation>,
    /// Leads, archived ones out (the lead counters).
    pub lead_count: i64,
}

/// Every sponsor's team, pending invitations and lead count for the event's
/// organizers: three queries for the whole event, whatever its number of
/// sponsors. Sponsors with none of these are absent from the map.
pub async fn event_teams(
    svc: &Services,
    p: &Principal,
    org: Option<Uuid>,
    event: Uuid,
) -> Result<HashMap<Uuid, SponsorTeam>> {
    let mut tx = svc.store.read().await?;
    event_of_org(&mut tx, p, org, event, true).await?;
    let members = sponsorhub_store::members::active_of_event(&mut tx, event).await?;
    let pending = sponsorhub_store::invitations::pending_of_event(&mut tx, event, time::now()).await?;
    let leads = q::lead_totals_of_event(&mut tx, event).await?;
    let mut teams: HashMap<Uuid, SponsorTeam> = HashMap::new();
    for m in members {
        teams.entry(m.sponsor_id).or_default().members.push(m);
    }
    for i in pending {
        teams.entry(i.sponsor_id).or_default().pending_invitations.push(i);
    }
    for (sponsor, n) in leads {
        teams.entry(sponsor).or_default().lead_count = n;
    }
    Ok(teams)
}
