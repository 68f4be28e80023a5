//! The organizer console: events, the tier setup wizard, and per event the sponsor
//! management page (stats, tier tabs, sponsor cards, add sponsor, featured toggle,
//! archive and restore, invitations).

use super::view::{self, FieldErrors, checked, opt};
use super::{CsrfForm, Ctx, SignedIn, WebError, html, local_path};
use crate::app::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use sponsorhub_domain::InvitationStatus;
use sponsorhub_domain::validate::FieldError;
use sponsorhub_services::events::{self, CreateEvent};
use sponsorhub_services::invitations::{self, CreateInvitation};
use sponsorhub_services::sponsors::{self, CreateSponsor, SponsorQuery, SponsorView, UpdateSponsor};
use sponsorhub_services::tiers::{self, CreateTier, UpdateTier};
use sponsorhub_services::{Error, Principal, Services, accounts, members};
use sponsorhub_store::records::{Event, Tier};
use uuid::Uuid;

// ---------------------------------------------------------------- events

pub struct EventItem {
    pub id: Uuid,
    pub name: String,
    pub dates: String,
    pub venue: String,
}

impl EventItem {
    fn of(e: &Event) -> EventItem {
        EventItem { id: e.id, name: e.name.clone(), dates: dates(e), venue: e.venue.clone().unwrap_or_default() }
    }
}

fn dates(e: &Event) -> String {
    let d = |t: &DateTime<Utc>| t.format("%b %-d, %Y").to_string();
    match (&e.starts_at, &e.ends_at) {
        (Some(s), Some(t)) if s.date_naive() == t.date_naive() => d(s),
        (Some(s), Some(t)) => format!("{} – {}", d(s), d(t)),
        (Some(s), None) => d(s),
        _ => "Dates to be announced".into(),
    }
}

pub struct OrgEvents {
    pub id: Uuid,
    pub name: String,
    pub organizer: bool,
    pub events: Vec<EventItem>,
}

#[derive(Deserialize, Default, Clone)]
pub struct EventForm {
    #[serde(default)]
    organization_id: String,
    #[serde(default)]
    name: String,
    venue: Option<String>,
    starts_on: Option<String>,
    ends_on: Option<String>,
    description: Option<String>,
}

#[derive(Template)]
#[template(path = "events.html")]
struct EventsPage {
    ctx: Ctx,
    orgs: Vec<OrgEvents>,
    form: EventForm,
    errors: FieldErrors,
}

impl EventsPage {
    fn organizer_orgs(&self) -> Vec<&OrgEvents> {
        self.orgs.iter().filter(|o| o.organizer).collect()
    }
}

async fn events_view(
    s: &AppState,
    ctx: Ctx,
    p: &Principal,
    form: EventForm,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let me = accounts::me(&s.services, p).await?;
    let mut orgs = Vec::new();
    for m in me.organizations {
        let page = events::list_events(&s.services, p, m.organization_id, None, Some(200)).await?;
        orgs.push(OrgEvents {
            id: m.organization_id,
            name: m.organization_name,
            organizer: m.role.is_organizer(),
            events: page.items.iter().map(EventItem::of).collect(),
        });
    }
    let failed = errors.any();
    let mut res = html(&EventsPage { ctx, orgs, form, errors });
    if failed {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

pub async fn events(State(s): State<AppState>, SignedIn(ctx, p): SignedIn) -> Result<Response, WebError> {
    events_view(&s, ctx, &p, EventForm::default(), FieldErrors::default()).await
}

fn date(field: &str, raw: &Option<String>, errors: &mut Vec<FieldError>) -> Option<DateTime<Utc>> {
    let raw = opt(raw)?;
    match NaiveDate::parse_from_str(&raw, "%Y-%m-%d") {
        Ok(d) => Some(d.and_hms_opt(0, 0, 0).expect("midnight").and_utc()),
        Err(_) => {
            errors.push(FieldError::new(field, "must be a date (YYYY-MM-DD)"));
            None
        }
    }
}

pub async fn create_event(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    CsrfForm(form): CsrfForm<EventForm>,
) -> Result<Response, WebError> {
    let mut errors = Vec::new();
    let starts_at = date("starts_at", &form.starts_on, &mut errors);
    let ends_at = date("ends_at", &form.ends_on, &mut errors);
    let org = match form.organization_id.parse::<Uuid>() {
        Ok(o) => Some(o),
        Err(_) => {
            errors.push(FieldError::new("organization_id", "choose an organization"));
            None
        }
    };
    if let (true, Some(org)) = (errors.is_empty(), org) {
        let input = CreateEvent {
            name: form.name.clone(),
            slug: None,
            description: opt(&form.description),
            starts_at,
            ends_at,
            timezone: None,
            venue: opt(&form.venue),
        };
        match events::create_event(&s.services, &p, org, input).await {
            Ok(e) => return Ok(ctx.success(&format!("/events/{}/tiers", e.id), format!("Created {}.", e.name))),
            Err(Error::Invalid(f)) => errors = f,
            Err(Error::Conflict(m)) => errors = vec![FieldError::new("name", m)],
            Err(e) => return Err(e.into()),
        }
    }
    events_view(&s, ctx, &p, form, FieldErrors(errors)).await
}

// ---------------------------------------------------------------- the sponsor management page

pub struct SponsorCard {
    pub id: Uuid,
    pub name: String,
    pub initials: String,
    pub website: String,
    pub description: String,
    pub contact: String,
    pub booth: String,
    pub tier_name: String,
    pub tier_color: String,
    pub featured: bool,
    pub archived: bool,
    pub representatives: i64,
    pub leads: i64,
}

impl SponsorCard {
    fn of(v: &SponsorView) -> SponsorCard {
        let s = &v.sponsor;
        let initials: String = s
            .company_name
            .split_whitespace()
            .filter_map(|w| w.chars().next())
            .take(2)
            .flat_map(char::to_uppercase)
            .collect();
        let contact = match (&s.contact_name, &s.contact_email) {
            (Some(n), Some(e)) => format!("{n} · {e}"),
            (Some(n), None) => n.clone(),
            (None, Some(e)) => e.clone(),
            (None, None) => String::new(),
        };
        SponsorCard {
            id: s.id,
            name: s.company_name.clone(),
            initials,
            website: s.company_website.clone().unwrap_or_default(),
            description: s.company_description.clone().unwrap_or_default(),
            contact,
            booth: s.booth_number.clone().unwrap_or_default(),
            tier_name: v.tier.as_ref().map(|t| t.name.clone()).unwrap_or_default(),
            tier_color: v.tier.as_ref().and_then(|t| t.color.clone()).unwrap_or_else(|| "#94a3b8".into()),
            featured: s.is_featured,
            archived: s.is_archived,
            representatives: v.representative_count,
            leads: v.lead_count,
        }
    }
}

pub struct Tab {
    pub label: String,
    pub href: String,
    pub count: usize,
    pub active: bool,
    pub color: String,
}

pub struct Stat {
    pub label: &'static str,
    pub value: String,
    pub hint: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct SponsorForm {
    #[serde(default)]
    company_name: String,
    tier_id: Option<String>,
    company_website: Option<String>,
    contact_name: Option<String>,
    contact_email: Option<String>,
    booth_number: Option<String>,
    company_description: Option<String>,
    is_featured: Option<String>,
}

#[derive(Template)]
#[template(path = "event.html")]
struct EventPage {
    ctx: Ctx,
    event: EventItem,
    organizer: bool,
    tiers: Vec<Tier>,
    stats: Vec<Stat>,
    tabs: Vec<Tab>,
    cards: Vec<SponsorCard>,
    /// Where forms on this page send the browser back to.
    back: String,
    archived_view: bool,
    form: SponsorForm,
    errors: FieldErrors,
    roles: [view::RoleOption; 4],
}

#[derive(Deserialize, Default)]
pub struct EventQuery {
    tier: Option<Uuid>,
    view: Option<String>,
}

/// Every sponsor of the event (archived too), page by page.
async fn all_sponsors(s: &Services, p: &Principal, event: Uuid) -> Result<Vec<SponsorView>, Error> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let query = SponsorQuery { include_archived: Some(true), limit: Some(200), cursor, ..Default::default() };
        let page = sponsors::list_sponsors(s, p, None, event, query).await?;
        out.extend(page.items);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(out),
        }
    }
}

async fn is_organizer(s: &Services, p: &Principal, org: Uuid) -> Result<bool, Error> {
    let me = accounts::me(s, p).await?;
    // Only decides which controls to show; the services enforce the rule itself.
    Ok(me.organizations.iter().any(|o| o.organization_id == org && o.role.is_organizer()))
}

async fn event_view(
    s: &AppState,
    ctx: Ctx,
    p: &Principal,
    event_id: Uuid,
    q: EventQuery,
    form: SponsorForm,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let svc = &s.services;
    let event = events::get_event(svc, p, None, event_id).await?;
    let organizer = is_organizer(svc, p, event.organization_id).await?;
    let tiers = tiers::list_tiers(svc, p, None, event_id).await?;
    let all = all_sponsors(svc, p, event_id).await?;
    let active: Vec<&SponsorView> = all.iter().filter(|v| !v.sponsor.is_archived).collect();
    let archived_view = q.view.as_deref() == Some("archived");

    let reps: i64 = active.iter().map(|v| v.representative_count).sum();
    let leads: i64 = active.iter().map(|v| v.lead_count).sum();
    let featured = active.iter().filter(|v| v.sponsor.is_featured).count();
    let stats = vec![
        Stat {
            label: "Sponsors",
            value: active.len().to_string(),
            hint: format!("{} archived", all.len() - active.len()),
        },
        Stat { label: "Featured", value: featured.to_string(), hint: "shown first in the directory".into() },
        Stat { label: "Representatives", value: reps.to_string(), hint: "active staff accounts".into() },
        Stat { label: "Leads", value: leads.to_string(), hint: "captured across sponsors".into() },
    ];

    let base = format!("/events/{event_id}");
    let mut tabs = vec![Tab {
        label: "All".into(),
        href: base.clone(),
        count: active.len(),
        active: q.tier.is_none() && !archived_view,
        color: String::new(),
    }];
    for t in &tiers {
        tabs.push(Tab {
            label: t.name.clone(),
            href: format!("{base}?tier={}", t.id),
            count: active.iter().filter(|v| v.sponsor.tier_id == Some(t.id)).count(),
            active: q.tier == Some(t.id) && !archived_view,
            color: t.color.clone().unwrap_or_default(),
        });
    }
    tabs.push(Tab {
        label: "Archived".into(),
        href: format!("{base}?view=archived"),
        count: all.len() - active.len(),
        active: archived_view,
        color: String::new(),
    });

    // The cards: the service filters by tier; the archived tab shows archived ones.
    let cards: Vec<SponsorCard> = if archived_view {
        all.iter().filter(|v| v.sponsor.is_archived).map(SponsorCard::of).collect()
    } else if let Some(tier) = q.tier {
        let query = SponsorQuery { tier_id: Some(tier), limit: Some(200), ..Default::default() };
        sponsors::list_sponsors(svc, p, None, event_id, query).await?.items.iter().map(SponsorCard::of).collect()
    } else {
        active.iter().map(|v| SponsorCard::of(v)).collect()
    };
    let back = match (archived_view, q.tier) {
        (true, _) => format!("{base}?view=archived"),
        (false, Some(t)) => format!("{base}?tier={t}"),
        _ => base,
    };
    let failed = errors.any();
    let mut res = html(&EventPage {
        ctx,
        event: EventItem::of(&event),
        organizer,
        tiers,
        stats,
        tabs,
        cards,
        back,
        archived_view,
        form,
        errors,
        roles: view::roles(),
    });
    if failed {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

pub async fn event_page(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(event_id): Path<Uuid>,
    Query(q): Query<EventQuery>,
) -> Result<Response, WebError> {
    event_view(&s, ctx, &p, event_id, q, SponsorForm::default(), FieldErrors::default()).await
}

pub async fn create_sponsor(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(event_id): Path<Uuid>,
    CsrfForm(form): CsrfForm<SponsorForm>,
) -> Result<Response, WebError> {
    let tier_id = match opt(&form.tier_id) {
        None => None,
        Some(t) => match t.parse::<Uuid>() {
            Ok(t) => Some(t),
            Err(_) => {
                let errors = FieldErrors(vec![FieldError::new("tier_id", "choose one of the event's tiers")]);
                return event_view(&s, ctx, &p, event_id, EventQuery::default(), form, errors).await;
            }
        },
    };
    let input = CreateSponsor {
        company_name: form.company_name.clone(),
        tier_id,
        company_description: opt(&form.company_description),
        company_website: opt(&form.company_website),
        company_logo_url: None,
        contact_name: opt(&form.contact_name),
        contact_email: opt(&form.contact_email),
        contact_phone: None,
        booth_number: opt(&form.booth_number),
        booth_description: None,
        social_links: None,
        is_featured: Some(checked(&form.is_featured)),
        lead_capture_enabled: None,
        lead_notification_email: None,
    };
    match sponsors::create_sponsor(&s.services, &p, None, event_id, input).await {
        Ok(v) => Ok(ctx.success(&format!("/events/{event_id}"), format!("Added {}.", v.sponsor.company_name))),
        Err(Error::Invalid(f)) => event_view(&s, ctx, &p, event_id, EventQuery::default(), form, FieldErrors(f)).await,
        Err(e) => Ok(ctx.refused(&format!("/events/{event_id}"), e)),
    }
}

#[derive(Deserialize)]
pub struct ToggleForm {
    value: Option<String>,
    back: Option<String>,
}

pub async fn set_featured(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path((event_id, sponsor_id)): Path<(Uuid, Uuid)>,
    CsrfForm(form): CsrfForm<ToggleForm>,
) -> Result<Response, WebError> {
    let back = back_to(&form.back, event_id);
    let featured = form.value.as_deref() == Some("true");
    let input = UpdateSponsor { is_featured: Some(featured), ..Default::default() };
    Ok(match sponsors::update_sponsor(&s.services, &p, None, sponsor_id, input).await {
        Ok(v) if featured => ctx.success(&back, format!("{} is featured.", v.sponsor.company_name)),
        Ok(v) => ctx.success(&back, format!("{} is no longer featured.", v.sponsor.company_name)),
        Err(e) => ctx.refused(&back, e),
    })
}

fn back_to(back: &Option<String>, event_id: Uuid) -> String {
    match back {
        Some(b) => local_path(Some(b)),
        None => format!("/events/{event_id}"),
    }
}

pub async fn archive(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path((event_id, sponsor_id)): Path<(Uuid, Uuid)>,
    CsrfForm(form): CsrfForm<ToggleForm>,
) -> Result<Response, WebError> {
    let back = back_to(&form.back, event_id);
    Ok(match sponsors::set_archived(&s.services, &p, None, sponsor_id, true).await {
        Ok(v) => ctx.success(&back, format!("Archived {}. Its leads and staff are kept.", v.sponsor.company_name)),
        Err(e) => ctx.refused(&back, e),
    })
}

pub async fn restore(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path((event_id, sponsor_id)): Path<(Uuid, Uuid)>,
    CsrfForm(form): CsrfForm<ToggleForm>,
) -> Result<Response, WebError> {
    let back = back_to(&form.back, event_id);
    Ok(match sponsors::set_archived(&s.services, &p, None, sponsor_id, false).await {
        Ok(v) => ctx.success(&back, format!("Restored {}.", v.sponsor.company_name)),
        Err(e) => ctx.refused(&back, e),
    })
}

#[derive(Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub role: String,
    pub personal_message: Option<String>,
    pub back: Option<String>,
}

/// Sends an invitation to a sponsor's staff (organizers, and sponsor admins from the
/// team page).
pub async fn send_invitation(
    s: &AppState,
    ctx: &Ctx,
    p: &Principal,
    sponsor_id: Uuid,
    form: InviteForm,
    back: &str,
) -> Response {
    let input = CreateInvitation { email: form.email, role: form.role, personal_message: opt(&form.personal_message) };
    match invitations::create_invitation(&s.services, p, None, sponsor_id, input).await {
        Ok(inv) => ctx.success(
            back,
            format!("Invitation sent to {} as {}.", inv.email, view::label(inv.role.as_str()).to_lowercase()),
        ),
        Err(e) => ctx.refused(back, e),
    }
}

pub async fn invite(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path((event_id, sponsor_id)): Path<(Uuid, Uuid)>,
    CsrfForm(form): CsrfForm<InviteForm>,
) -> Result<Response, WebError> {
    let back = back_to(&form.back, event_id);
    Ok(send_invitation(&s, &ctx, &p, sponsor_id, form, &back).await)
}

// ---------------------------------------------------------------- one sponsor, for organizers

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
    }))
}

// ---------------------------------------------------------------- the tier wizard

pub struct TierItem {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub color: String,
    pub order: i32,
    pub max_representatives: i32,
    pub price: String,
    pub currency: String,
    pub benefits: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "tiers.html")]
struct TiersPage {
    ctx: Ctx,
    event: EventItem,
    tiers: Vec<TierItem>,
}

pub async fn tiers_page(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(event_id): Path<Uuid>,
) -> Result<Response, WebError> {
    let svc = &s.services;
    let event = events::get_event(svc, &p, None, event_id).await?;
    let tiers = tiers::list_tiers(svc, &p, None, event_id)
        .await?
        .into_iter()
        .map(|t| TierItem {
            id: t.id,
            name: t.name,
            description: t.description.unwrap_or_default(),
            color: t.color.unwrap_or_else(|| "#94a3b8".into()),
            order: t.display_order,
            max_representatives: t.max_representatives,
            price: t.price_cents.map(|c| format!("{}.{:02}", c / 100, c % 100)).unwrap_or_default(),
            currency: t.currency,
            benefits: t.benefits.0.join("\n"),
            active: t.is_active,
        })
        .collect();
    Ok(html(&TiersPage { ctx, event: EventItem::of(&event), tiers }))
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn create_default_tiers(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(event_id): Path<Uuid>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, WebError> {
    let back = format!("/events/{event_id}/tiers");
    Ok(match tiers::create_default_tiers(&s.services, &p, None, event_id).await {
        Ok((_, true)) => ctx.success(&back, "Created Platinum, Gold, Silver and Bronze. Adjust them below."),
        Ok((_, false)) => ctx.success(&back, "The default tiers exist already."),
        Err(e) => ctx.refused(&back, e),
    })
}

#[derive(Deserialize, Default)]
pub struct TierForm {
    name: Option<String>,
    description: Option<String>,
    color: Option<String>,
    display_order: Option<String>,
    max_representatives: Option<String>,
    price: Option<String>,
    currency: Option<String>,
    benefits: Option<String>,
    is_active: Option<String>,
}

/// Form text → numbers; a bad number is a field error like the service's own.
fn number<T: std::str::FromStr>(field: &str, raw: &Option<String>) -> Result<Option<T>, Error> {
    match opt(raw) {
        None => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| Error::invalid(field, "must be a whole number")),
    }
}

fn cents(raw: &Option<String>) -> Result<Option<i64>, Error> {
    let Some(v) = opt(raw) else { return Ok(None) };
    let bad = || Error::invalid("price_cents", "must be an amount like 5000 or 5000.00");
    let (units, frac) = v.split_once('.').unwrap_or((&v, ""));
    if frac.len() > 2 || units.is_empty() {
        return Err(bad());
    }
    let units: i64 = units.replace(',', "").parse().map_err(|_| bad())?;
    let frac: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().map_err(|_| bad())? };
    units.checked_mul(100).and_then(|u| u.checked_add(frac)).map(Some).ok_or_else(bad)
}

fn benefits(raw: &Option<String>) -> Vec<String> {
    raw.as_deref().unwrap_or("").lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

pub async fn create_tier(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(event_id): Path<Uuid>,
    CsrfForm(form): CsrfForm<TierForm>,
) -> Result<Response, WebError> {
    let back = format!("/events/{event_id}/tiers");
    let result = async {
        let input = CreateTier {
            name: form.name.clone().unwrap_or_default(),
            description: opt(&form.description),
            display_order: number("display_order", &form.display_order)?,
            color: opt(&form.color),
            benefits: benefits(&form.benefits),
            max_representatives: number("max_representatives", &form.max_representatives)?,
            price_cents: cents(&form.price)?,
            currency: opt(&form.currency),
            is_active: Some(true),
        };
        tiers::create_tier(&s.services, &p, None, event_id, input).await
    }
    .await;
    Ok(match result {
        Ok(t) => ctx.success(&back, format!("Added the {} tier.", t.name)),
        Err(e) => ctx.refused(&back, e),
    })
}

pub async fn update_tier(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path((event_id, tier_id)): Path<(Uuid, Uuid)>,
    CsrfForm(form): CsrfForm<TierForm>,
) -> Result<Response, WebError> {
    let back = format!("/events/{event_id}/tiers");
    let result = async {
        let input = UpdateTier {
            name: form.name.clone(),
            description: Some(opt(&form.description)),
            display_order: number("display_order", &form.display_order)?,
            color: Some(opt(&form.color)),
            benefits: Some(benefits(&form.benefits)),
            max_representatives: number("max_representatives", &form.max_representatives)?,
            price_cents: Some(cents(&form.price)?),
            currency: opt(&form.currency),
            is_active: Some(checked(&form.is_active)),
        };
        tiers::update_tier(&s.services, &p, None, tier_id, input).await
    }
    .await;
    Ok(match result {
        Ok(t) => ctx.success(&back, format!("Saved the {} tier.", t.name)),
        Err(e) => ctx.refused(&back, e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_parse_to_cents() {
        assert_eq!(cents(&Some("5000".into())).unwrap(), Some(500_000));
        assert_eq!(cents(&Some("12.5".into())).unwrap(), Some(1250));
        assert_eq!(cents(&Some("  ".into())).unwrap(), None);
        assert!(cents(&Some("1.234".into())).is_err());
        assert!(cents(&Some("abc".into())).is_err());
    }
}
