//! The the sponsor management page.

use super::*;

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
    /// The logo to show (uploaded, else its URL); empty: the initials.
    pub logo: String,
    /// For organizers: the team (name, role), pending invitations (e-mail,
    /// role); `leads` then comes from the lead counters, archived leads out.
    pub team: Vec<(String, String)>,
    pub pending: Vec<(String, String)>,
}

impl SponsorCard {
    pub(super) fn of(v: &SponsorView) -> SponsorCard {
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
            logo: v.logo_url.clone().unwrap_or_default(),
            team: Vec::new(),
            pending: Vec::new(),
        }
    }

    /// Adds what the organizer's event page shows of the sponsor's people.
    fn with_team(mut self, teams: &std::collections::HashMap<Uuid, sponsors::SponsorTeam>) -> SponsorCard {
        let Some(t) = teams.get(&self.id) else {
            self.leads = 0;
            return self;
        };
        self.team = t.members.iter().map(|m| (m.user_name.clone(), view::label(m.role.as_str()))).collect();
        self.pending = t.pending_invitations.iter().map(|i| (i.email.clone(), view::label(i.role.as_str()))).collect();
        self.leads = t.lead_count;
        self
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
    draft: view::InviteDraft,
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
    // Organizers see each sponsor's team, pending invitations and lead count.
    let cards = if organizer {
        let teams = sponsors::event_teams(svc, p, None, event_id).await?;
        cards.into_iter().map(|c| c.with_team(&teams)).collect()
    } else {
        cards
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
        draft: view::InviteDraft::default(),
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
) -> Result<Response, view::InviteDraft> {
    let input = CreateInvitation {
        email: form.email.clone(),
        role: form.role.clone(),
        personal_message: opt(&form.personal_message),
    };
    match invitations::create_invitation(&s.services, p, None, sponsor_id, input).await {
        Ok(inv) => Ok(ctx.success(
            back,
            format!("Invitation sent to {} as {}.", inv.email, view::label(inv.role.as_str()).to_lowercase()),
        )),
        // Invalid fields: the caller shows its form again with what was typed.
        Err(Error::Invalid(fields)) => Err(view::InviteDraft {
            email: form.email,
            role: form.role,
            message: form.personal_message.unwrap_or_default(),
            errors: FieldErrors(fields),
        }),
        Err(e) => Ok(ctx.refused(back, e)),
    }
}

pub async fn invite(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path((event_id, sponsor_id)): Path<(Uuid, Uuid)>,
    CsrfForm(form): CsrfForm<InviteForm>,
) -> Result<Response, WebError> {
    let back = back_to(&form.back, event_id);
    match send_invitation(&s, &ctx, &p, sponsor_id, form, &back).await {
        Ok(res) => Ok(res),
        // shown again on the sponsor's page, whose form holds what was typed
        Err(draft) => {
            let forms = SponsorForms { invite: draft, ..Default::default() };
            sponsor_view(&s, ctx, &p, event_id, sponsor_id, forms).await
        }
    }
}
