//! The sponsor portal: my sponsors, the leads dashboard with its live feed, lead
//! detail and follow-up, the team page and the booth capture form.

use super::organizer::{InvitationItem, InviteForm, invitation_items, send_invitation};
use super::view::{self, FieldErrors, LeadRow, checked, opt, urlencode};
use super::{CsrfForm, Ctx, SignedIn, WebError, html, local_path};
use crate::app::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::response::sse::{Event, KeepAlive, Sse};
use serde::Deserialize;
use sponsorhub_domain::scoring::InteractionType;
use sponsorhub_domain::{IntentLevel, InvitationStatus, SponsorRole};
use sponsorhub_services::authz::SponsorCapabilities;
use sponsorhub_services::capture::{self, Attendee, CaptureLead};
use sponsorhub_services::leads::{self, LeadQuery, UpdateLead};
use sponsorhub_services::members::{self, UpdateMember};
use sponsorhub_services::notify::Notification;
use sponsorhub_services::{Error, Principal, events, invitations, live, sponsors};
use sponsorhub_store::records::Lead;
use std::convert::Infallible;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;
use uuid::Uuid;

/// The sponsor a portal page is about, and what the caller may do there: every page
/// shows only the controls the capabilities allow (the services refuse the rest).
pub struct SponsorNav {
    pub id: Uuid,
    pub name: String,
    pub event_name: String,
    pub event_id: Uuid,
    /// The caller's role on the staff, or "Organizer".
    pub role: String,
    pub caps: SponsorCapabilities,
    /// `leads`, `team` or `capture`
    pub current: &'static str,
}

impl SponsorNav {
    pub fn show_team(&self) -> bool {
        self.caps.manage_team || self.caps.invite_staff
    }
}

async fn sponsor_nav(
    s: &AppState,
    p: &Principal,
    sponsor_id: Uuid,
    current: &'static str,
) -> Result<SponsorNav, Error> {
    let svc = &s.services;
    let (sponsor, caps) = sponsors::sponsor_capabilities(svc, p, sponsor_id).await?;
    let event = events::public_event(svc, sponsor.event_id).await?;
    let role = match caps.staff_role {
        Some(r) => view::label(r.as_str()),
        None => "Organizer".to_string(),
    };
    Ok(SponsorNav {
        id: sponsor.id,
        name: sponsor.company_name,
        event_name: event.name,
        event_id: event.id,
        role,
        caps,
        current,
    })
}

// ---------------------------------------------------------------- my sponsors

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

// ---------------------------------------------------------------- the leads dashboard

#[derive(Deserialize, Default, Clone)]
pub struct LeadsFilter {
    intent_level: Option<String>,
    status: Option<String>,
    starred: Option<String>,
    archived: Option<String>,
    search: Option<String>,
    sort: Option<String>,
    cursor: Option<String>,
}

pub struct StatCard {
    pub label: &'static str,
    pub value: String,
    pub key: &'static str,
}

#[derive(Template)]
#[template(path = "leads.html")]
struct LeadsPage {
    ctx: Ctx,
    csrf: String,
    nav: SponsorNav,
    sponsor_id: Uuid,
    stats: Vec<StatCard>,
    rows: Vec<LeadRow>,
    intent_level: String,
    status: String,
    starred: bool,
    archived: bool,
    search: String,
    sort: String,
    statuses: Vec<&'static str>,
    next_href: Option<String>,
    filtered: bool,
    follow_up: bool,
}

/// One row of the table, as the dashboard and the live feed render it.
#[derive(Template)]
#[template(path = "lead_row.html")]
struct LeadRowPartial<'a> {
    row: &'a LeadRow,
    csrf: &'a str,
    sponsor_id: Uuid,
    /// The star button (following leads up); a plain star otherwise.
    follow_up: bool,
}

fn stat_cards(st: &leads::LeadStats) -> Vec<StatCard> {
    let level = |k: &str| st.by_intent_level.get(k).copied().unwrap_or(0).to_string();
    vec![
        StatCard { label: "Total leads", value: st.total.to_string(), key: "total" },
        StatCard { label: "Hot", value: level(IntentLevel::Hot.as_str()), key: IntentLevel::Hot.as_str() },
        StatCard { label: "Warm", value: level(IntentLevel::Warm.as_str()), key: IntentLevel::Warm.as_str() },
        StatCard { label: "Cold", value: level(IntentLevel::Cold.as_str()), key: IntentLevel::Cold.as_str() },
        StatCard { label: "Average score", value: format!("{:.1}", st.average_score), key: "average" },
        StatCard { label: "Captured today", value: st.captured_today.to_string(), key: "today" },
        StatCard { label: "Starred", value: st.starred.to_string(), key: "starred" },
    ]
}

pub async fn leads(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(sponsor_id): Path<Uuid>,
    Query(f): Query<LeadsFilter>,
) -> Result<Response, WebError> {
    let svc = &s.services;
    let nav = sponsor_nav(&s, &p, sponsor_id, "leads").await?;
    let query = LeadQuery {
        intent_level: opt(&f.intent_level),
        follow_up_status: opt(&f.status),
        is_starred: checked(&f.starred).then_some(true),
        include_archived: Some(checked(&f.archived)),
        search: opt(&f.search),
        sort: opt(&f.sort),
        limit: Some(50),
        cursor: opt(&f.cursor),
        ..Default::default()
    };
    let page = leads::list_leads(svc, &p, sponsor_id, query).await?;
    let stats = leads::lead_stats(svc, &p, sponsor_id).await?;
    let filters = [
        ("intent_level", opt(&f.intent_level)),
        ("status", opt(&f.status)),
        ("starred", checked(&f.starred).then(|| "1".to_string())),
        ("archived", checked(&f.archived).then(|| "1".to_string())),
        ("search", opt(&f.search)),
        ("sort", opt(&f.sort)),
    ];
    let query_string: String =
        filters.iter().filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={}&", urlencode(v)))).collect();
    let next_href = page
        .next_cursor
        .as_ref()
        .map(|c| format!("/portal/sponsors/{sponsor_id}/leads?{query_string}cursor={}", urlencode(c)));
    Ok(html(&LeadsPage {
        csrf: ctx.csrf.clone(),
        ctx,
        sponsor_id,
        stats: stat_cards(&stats),
        rows: page.items.iter().map(LeadRow::of).collect(),
        intent_level: opt(&f.intent_level).unwrap_or_default(),
        status: opt(&f.status).unwrap_or_default(),
        starred: checked(&f.starred),
        archived: checked(&f.archived),
        search: opt(&f.search).unwrap_or_default(),
        sort: opt(&f.sort).unwrap_or_default(),
        statuses: view::statuses(),
        next_href,
        filtered: filters.iter().any(|(k, v)| *k != "sort" && v.is_some()),
        follow_up: nav.caps.follow_up_leads,
        nav,
    }))
}

/// The live feed of the dashboard: server-sent events from the notifier, for callers
/// who may read the sponsor's leads. New and changed leads come as rendered table
/// rows; score changes as their numbers. The stream holds a live grant
/// (`services::live`) and ends with it, or when the server shuts down; the browser
/// then reconnects (and is sent to log in, or refused).
pub async fn feed(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(sponsor_id): Path<Uuid>,
) -> Result<Sse<impl tokio_stream::Stream<Item = Result<Event, Infallible>>>, WebError> {
    // Subscribe first: nothing committed after the check is missed.
    let rx = s.services.notifier.subscribe();
    let mut grant = live::open_lead_feed(&s.services, &p, sponsor_id).await?;
    let csrf = ctx.csrf;
    let follow_up = grant.capabilities.follow_up_leads;
    let stream = BroadcastStream::new(rx).filter_map(move |n| {
        let event = match n {
            Ok(n) if n.sponsor_id() != sponsor_id => None,
            Ok(Notification::LeadCaptured { lead }) => {
                row_event("lead.captured.new", &lead, &csrf, sponsor_id, follow_up)
            }
            Ok(Notification::LeadUpdated { lead }) => row_event("lead.updated", &lead, &csrf, sponsor_id, follow_up),
            Ok(Notification::LeadIntentUpdated(c)) => {
                let data = serde_json::json!({
                    "leadId": c.lead_id,
                    "intentScore": c.intent_score,
                    "intentLevel": c.intent_level,
                    "intentLabel": view::label(c.intent_level.as_str()),
                    "previousIntentLevel": c.previous_intent_level,
                    "interactionCount": c.interaction_count,
                    "lastSeen": view::short_when(&c.updated_at),
                });
                Some(Event::default().event("lead.intent.updated").data(data.to_string()))
            }
            Ok(_) => None,
            // Missed notifications: the page reloads its data.
            Err(_) => Some(Event::default().event("resync").data("{}")),
        };
        event.map(Ok)
    });
    let mut stopping = s.shutdown.subscribe();
    let stream = futures_util::StreamExt::take_until(stream, async move {
        tokio::select! {
            _ = stopping.wait_for(|stop| *stop) => {}
            _ = grant.ended() => {}
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

fn row_event(name: &'static str, lead: &Lead, csrf: &str, sponsor_id: Uuid, follow_up: bool) -> Option<Event> {
    let row = LeadRow::of(lead);
    let html = match (LeadRowPartial { row: &row, csrf, sponsor_id, follow_up }).render() {
        Ok(h) => h,
        Err(e) => {
            tracing::error!(error = %e, "lead row failed to render");
            return None;
        }
    };
    let data = serde_json::json!({
        "id": lead.id,
        "name": row.name,
        "html": html,
        "intentLevel": lead.intent_level,
        "status": lead.follow_up_status,
        "starred": lead.is_starred,
        "archived": lead.is_archived,
        "text": format!("{} {} {}", row.name, row.email, row.company).to_lowercase(),
    });
    Some(Event::default().event(name).data(data.to_string()))
}

// ---------------------------------------------------------------- one lead

pub struct InteractionItem {
    pub kind: String,
    pub points: i32,
    pub when: String,
    pub details: String,
}

#[derive(Template)]
#[template(path = "lead.html")]
struct LeadPage {
    ctx: Ctx,
    nav: SponsorNav,
    row: LeadRow,
    first_seen: String,
    follow_up_notes: String,
    contact_notes: String,
    tags: String,
    tag_list: Vec<String>,
    followed_up: String,
    interactions: Vec<InteractionItem>,
    statuses: Vec<&'static str>,
    follow_up: bool,
}

pub async fn lead(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path((sponsor_id, lead_id)): Path<(Uuid, Uuid)>,
) -> Result<Response, WebError> {
    let nav = sponsor_nav(&s, &p, sponsor_id, "leads").await?;
    let detail = leads::get_lead(&s.services, &p, Some(sponsor_id), lead_id).await?;
    let l = &detail.lead;
    let interactions = detail
        .interactions
        .iter()
        .map(|i| InteractionItem {
            kind: view::label(i.interaction_type.as_str()),
            points: i.points,
            when: view::when(&i.occurred_at),
            details: match i.metadata.0.as_object() {
                Some(m) if !m.is_empty() => m
                    .iter()
                    .map(|(k, v)| {
                        format!("{}: {}", view::label(k), v.as_str().map(str::to_string).unwrap_or(v.to_string()))
                    })
                    .collect::<Vec<_>>()
                    .join(" · "),
                _ => String::new(),
            },
        })
        .collect();
    Ok(html(&LeadPage {
        ctx,
        row: LeadRow::of(l),
        first_seen: view::when(&l.first_interaction_at),
        follow_up_notes: l.follow_up_notes.clone().unwrap_or_default(),
        contact_notes: l.contact_notes.clone().unwrap_or_default(),
        tags: l.tags.0.join(", "),
        tag_list: l.tags.0.clone(),
        followed_up: l.followed_up_at.as_ref().map(view::when).unwrap_or_default(),
        interactions,
        statuses: view::statuses(),
        follow_up: nav.caps.follow_up_leads,
        nav,
    }))
}

#[derive(Deserialize)]
pub struct LeadForm {
    status: Option<String>,
    follow_up_notes: Option<String>,
    contact_notes: Option<String>,
    tags: Option<String>,
    starred: Option<String>,
    archived: Option<String>,
}

pub async fn update_lead(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path((sponsor_id, lead_id)): Path<(Uuid, Uuid)>,
    CsrfForm(form): CsrfForm<LeadForm>,
) -> Result<Response, WebError> {
    let back = format!("/portal/sponsors/{sponsor_id}/leads/{lead_id}");
    let tags: Vec<String> = form
        .tags
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    let input = UpdateLead {
        follow_up_status: opt(&form.status),
        follow_up_notes: Some(opt(&form.follow_up_notes)),
        contact_notes: Some(opt(&form.contact_notes)),
        tags: Some(tags),
        is_starred: Some(checked(&form.starred)),
        is_archived: Some(checked(&form.archived)),
    };
    Ok(match leads::update_lead(&s.services, &p, Some(sponsor_id), lead_id, input).await {
        Ok(_) => ctx.success(&back, "Saved."),
        Err(e) => ctx.refused(&back, e),
    })
}

#[derive(Deserialize)]
pub struct StarForm {
    value: Option<String>,
    back: Option<String>,
}

pub async fn toggle_star(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path((sponsor_id, lead_id)): Path<(Uuid, Uuid)>,
    CsrfForm(form): CsrfForm<StarForm>,
) -> Result<Response, WebError> {
    let back = match &form.back {
        Some(b) => local_path(Some(b)),
        None => format!("/portal/sponsors/{sponsor_id}/leads"),
    };
    let starred = form.value.as_deref() == Some("true");
    let input = UpdateLead { is_starred: Some(starred), ..Default::default() };
    Ok(match leads::update_lead(&s.services, &p, Some(sponsor_id), lead_id, input).await {
        Ok(l) => {
            let who = l.user_name.or(l.user_email).unwrap_or_else(|| "the lead".into());
            ctx.success(&back, if starred { format!("Starred {who}.") } else { format!("Unstarred {who}.") })
        }
        Err(e) => ctx.refused(&back, e),
    })
}

// ---------------------------------------------------------------- the team

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
}

pub async fn team(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(sponsor_id): Path<Uuid>,
) -> Result<Response, WebError> {
    let svc = &s.services;
    let nav = sponsor_nav(&s, &p, sponsor_id, "team").await?;
    let list = members::list_members(svc, &p, None, sponsor_id).await?;
    let (manage, invite) = (nav.caps.manage_team, nav.caps.invite_staff);
    let invitations = if invite {
        invitation_items(
            invitations::list_invitations(svc, &p, None, sponsor_id, Some(InvitationStatus::Pending.as_str())).await?,
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
    }))
}

pub async fn invite(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(sponsor_id): Path<Uuid>,
    CsrfForm(form): CsrfForm<InviteForm>,
) -> Result<Response, WebError> {
    let back = format!("/portal/sponsors/{sponsor_id}/team");
    Ok(send_invitation(&s, &ctx, &p, sponsor_id, form, &back).await)
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

// ---------------------------------------------------------------- booth capture

#[derive(Deserialize, Default, Clone)]
pub struct CaptureForm {
    code: Option<String>,
    email: Option<String>,
    name: Option<String>,
    company: Option<String>,
    title: Option<String>,
    #[serde(default)]
    interaction_type: String,
    note: Option<String>,
}

#[derive(Template)]
#[template(path = "capture.html")]
struct CapturePage {
    ctx: Ctx,
    nav: SponsorNav,
    form: CaptureForm,
    errors: FieldErrors,
    kinds: Vec<(&'static str, String, i32)>,
}

fn kinds() -> Vec<(&'static str, String, i32)> {
    InteractionType::ALL.iter().map(|k| (k.as_str(), view::label(k.as_str()), k.points())).collect()
}

pub async fn capture_page(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(sponsor_id): Path<Uuid>,
) -> Result<Response, WebError> {
    let nav = sponsor_nav(&s, &p, sponsor_id, "capture").await?;
    if !nav.caps.capture_leads {
        return Err(Error::Forbidden(
            "only the sponsor's booth staff, representatives and admins capture leads".into(),
        )
        .into());
    }
    let form = CaptureForm { interaction_type: "booth_visit".into(), ..Default::default() };
    Ok(html(&CapturePage { ctx, nav, form, errors: FieldErrors::default(), kinds: kinds() }))
}

pub async fn capture(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(sponsor_id): Path<Uuid>,
    CsrfForm(form): CsrfForm<CaptureForm>,
) -> Result<Response, WebError> {
    let back = format!("/portal/sponsors/{sponsor_id}/capture");
    let sponsor = sponsors::get_sponsor(&s.services, &p, None, sponsor_id).await?.sponsor;
    let mut metadata = serde_json::Map::new();
    metadata.insert("source".into(), "web capture form".into());
    if let Some(n) = opt(&form.note) {
        metadata.insert("note".into(), n.into());
    }
    let input = CaptureLead {
        interaction_type: form.interaction_type.clone(),
        attendee: Some(Attendee {
            user_id: opt(&form.code),
            name: opt(&form.name),
            email: opt(&form.email),
            company: opt(&form.company),
            title: opt(&form.title),
        }),
        metadata: Some(serde_json::Value::Object(metadata)),
    };
    match capture::capture_lead(&s.services, &p, sponsor.event_id, sponsor_id, input, None).await {
        Ok(o) => {
            let what = if o.created { "new lead" } else { "lead updated" };
            let message = match &o.lead {
                Some(l) => {
                    let who = l.user_name.clone().or(l.user_email.clone()).unwrap_or_else(|| "the attendee".into());
                    format!("Captured {who}: score {} ({}), {what}.", l.intent_score, l.intent_level)
                }
                None => format!(
                    "Recorded: {} (+{} points), {what}.",
                    view::label(o.receipt.interaction_type.as_str()),
                    o.receipt.points
                ),
            };
            Ok(ctx.success(&back, message))
        }
        Err(Error::Invalid(fields)) => {
            let nav = sponsor_nav(&s, &p, sponsor_id, "capture").await?;
            let mut res = html(&CapturePage { ctx, nav, form, errors: FieldErrors(fields), kinds: kinds() });
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Ok(ctx.refused(&back, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_interaction_type_is_offered() {
        assert_eq!(kinds().len(), InteractionType::ALL.len());
        assert_eq!(view::roles().len(), sponsorhub_domain::SponsorRole::ALL.len());
    }
}
