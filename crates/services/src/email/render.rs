//! The messages: subject, text and HTML parts rendered from the templates in
//! `templates/email/` (compiled in; HTML escapes everything it is given).

use super::*;

/// Header-safe text: control characters (CR, LF, ...) become spaces.
pub fn one_line(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_string()
}

fn role_phrase(role: SponsorRole) -> &'static str {
    match role {
        SponsorRole::Admin => "an admin",
        SponsorRole::Representative => "a representative",
        SponsorRole::BoothStaff => "booth staff",
        SponsorRole::Viewer => "a viewer",
    }
}

fn when(t: DateTime<Utc>) -> String {
    t.format("%A %-d %B %Y, %H:%M UTC").to_string()
}

#[derive(Template)]
#[template(path = "email/invitation.txt")]
struct InvitationText<'a> {
    inviter_name: &'a str,
    sponsor_name: &'a str,
    event_name: &'a str,
    role: &'a str,
    personal_message: Option<&'a str>,
    accept_url: &'a str,
    expires: &'a str,
    to_email: &'a str,
}

#[derive(Template)]
#[template(path = "email/invitation.html")]
struct InvitationHtml<'a> {
    subject: &'a str,
    inviter_name: &'a str,
    sponsor_name: &'a str,
    event_name: &'a str,
    role: &'a str,
    personal_message: Option<&'a str>,
    accept_url: &'a str,
    expires: &'a str,
    to_email: &'a str,
}

/// Subject, text part and HTML part.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

fn render_err(e: askama::Error) -> Error {
    Error::Internal(anyhow::anyhow!("rendering an e-mail template: {e}"))
}

/// The invitation e-mail: inviter, sponsor, event, role, personal message, expiry
/// and the accept link.
pub fn render_invitation(m: &InvitationMessage) -> Result<Rendered> {
    let subject = one_line(&format!("{} invited you to join {} at {}", m.inviter_name, m.sponsor_name, m.event_name));
    let expires = when(m.expires_at);
    let role = role_phrase(m.role);
    let text = InvitationText {
        inviter_name: &m.inviter_name,
        sponsor_name: &m.sponsor_name,
        event_name: &m.event_name,
        role,
        personal_message: m.personal_message.as_deref(),
        accept_url: &m.accept_url,
        expires: &expires,
        to_email: &m.to_email,
    }
    .render()
    .map_err(render_err)?;
    let html = InvitationHtml {
        subject: &subject,
        inviter_name: &m.inviter_name,
        sponsor_name: &m.sponsor_name,
        event_name: &m.event_name,
        role,
        personal_message: m.personal_message.as_deref(),
        accept_url: &m.accept_url,
        expires: &expires,
        to_email: &m.to_email,
    }
    .render()
    .map_err(render_err)?;
    Ok(Rendered { subject, text, html })
}

/// One lead line of a digest.
struct DigestLead {
    name: String,
    company: Option<String>,
    what: &'static str,
    level: &'static str,
    color: &'static str,
    score: i32,
    interactions: i32,
    url: String,
}

#[derive(Template)]
#[template(path = "email/lead_digest.txt")]
struct DigestText<'a> {
    headline: &'a str,
    leads: &'a [DigestLead],
    more: usize,
    sponsor_name: &'a str,
    event_name: &'a str,
    dashboard_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/lead_digest.html")]
struct DigestHtml<'a> {
    subject: &'a str,
    headline: &'a str,
    leads: &'a [DigestLead],
    more: usize,
    sponsor_name: &'a str,
    event_name: &'a str,
    dashboard_url: &'a str,
}

/// Where a sponsor's staff see a lead, and all of them.
pub fn lead_url(public_url: &str, sponsor: Uuid, lead: Uuid) -> String {
    format!("{}/portal/sponsors/{sponsor}/leads/{lead}", public_url.trim_end_matches('/'))
}

pub fn leads_url(public_url: &str, sponsor: Uuid) -> String {
    format!("{}/portal/sponsors/{sponsor}/leads", public_url.trim_end_matches('/'))
}

/// The lead e-mail: each lead (name, company, intent, why it is here, its link).
/// `items` are the leads with their reasons, in the order to list them.
pub fn render_lead_digest(
    public_url: &str,
    sponsor_id: Uuid,
    sponsor_name: &str,
    event_name: &str,
    items: &[(Lead, LeadReason, bool)],
) -> Result<Rendered> {
    let lines: Vec<DigestLead> = items
        .iter()
        .take(DIGEST_MAX_LEADS)
        .map(|(l, reason, also_new)| {
            let level = match l.intent_level {
                IntentLevel::Hot => (l.intent_level.as_str(), "#dc2626"),
                IntentLevel::Warm => (l.intent_level.as_str(), "#d97706"),
                IntentLevel::Cold => (l.intent_level.as_str(), "#2563eb"),
            };
            DigestLead {
                name: l.user_name.clone().or_else(|| l.user_email.clone()).unwrap_or_else(|| "An attendee".into()),
                company: l.user_company.clone(),
                what: match (reason, also_new) {
                    (LeadReason::TurnedHot, true) => "new lead, now hot",
                    (LeadReason::TurnedHot, false) => "turned hot",
                    (LeadReason::New, _) => "new lead",
                },
                level: level.0,
                color: level.1,
                score: l.intent_score,
                interactions: l.interaction_count,
                url: lead_url(public_url, sponsor_id, l.id),
            }
        })
        .collect();
    let more = items.len().saturating_sub(lines.len());
    let hot = items.iter().filter(|(_, r, _)| *r == LeadReason::TurnedHot).count();
    let new = items.len() - hot;
    let subject = one_line(&match (items, new, hot) {
        ([(l, LeadReason::New, _)], _, _) => format!("New lead for {sponsor_name}: {}", lead_name(l)),
        ([(l, LeadReason::TurnedHot, _)], _, _) => format!("Hot lead for {sponsor_name}: {}", lead_name(l)),
        (_, _, 0) => format!("{new} new leads for {sponsor_name}"),
        (_, 0, _) => format!("{hot} hot leads for {sponsor_name}"),
        _ => format!("{new} new and {hot} hot leads for {sponsor_name}"),
    });
    let headline = match items.len() {
        1 => format!("{sponsor_name} has a lead to look at from {event_name}:"),
        n => format!("{sponsor_name} has {n} leads to look at from {event_name}:"),
    };
    let dashboard_url = leads_url(public_url, sponsor_id);
    let text = DigestText {
        headline: &headline,
        leads: &lines,
        more,
        sponsor_name,
        event_name,
        dashboard_url: &dashboard_url,
    }
    .render()
    .map_err(render_err)?;
    let html = DigestHtml {
        subject: &subject,
        headline: &headline,
        leads: &lines,
        more,
        sponsor_name,
        event_name,
        dashboard_url: &dashboard_url,
    }
    .render()
    .map_err(render_err)?;
    Ok(Rendered { subject, text, html })
}

fn lead_name(l: &Lead) -> String {
    l.user_name.clone().or_else(|| l.user_email.clone()).unwrap_or_else(|| "an attendee".into())
}

/// One lead of a follow-up reminder.
struct ReminderLead {
    name: String,
    company: Option<String>,
    sponsor: String,
    status: &'static str,
    level: &'static str,
    score: i32,
    url: String,
}

#[derive(Template)]
#[template(path = "email/follow_up_reminder.txt")]
struct ReminderText<'a> {
    owner_name: &'a str,
    leads: &'a [ReminderLead],
    more: usize,
    day: &'a str,
}

#[derive(Template)]
#[template(path = "email/follow_up_reminder.html")]
struct ReminderHtml<'a> {
    subject: &'a str,
    owner_name: &'a str,
    leads: &'a [ReminderLead],
    more: usize,
    day: &'a str,
}

/// The day's reminder to a lead owner: each lead due (name, company, sponsor,
/// status, intent, link). `leads` pairs each lead with its sponsor's name; `total`
/// counts all that are due, listed or not.
pub fn render_follow_up_reminder(
    public_url: &str,
    owner_name: &str,
    day: chrono::NaiveDate,
    leads: &[(Lead, String)],
    total: usize,
) -> Result<Rendered> {
    let lines: Vec<ReminderLead> = leads
        .iter()
        .take(DIGEST_MAX_LEADS)
        .map(|(l, sponsor)| ReminderLead {
            name: lead_name(l),
            company: l.user_company.clone(),
            sponsor: sponsor.clone(),
            status: l.follow_up_status.as_str(),
            level: l.intent_level.as_str(),
            score: l.intent_score,
            url: lead_url(public_url, l.sponsor_id, l.id),
        })
        .collect();
    let more = total.saturating_sub(lines.len());
    let subject = one_line(&match (leads, total) {
        ([(l, _)], 1) => format!("Follow up today: {}", lead_name(l)),
        _ => format!("{total} leads to follow up today"),
    });
    let day = day.format("%A %-d %B %Y").to_string();
    let text = ReminderText { owner_name, leads: &lines, more, day: &day }.render().map_err(render_err)?;
    let html =
        ReminderHtml { subject: &subject, owner_name, leads: &lines, more, day: &day }.render().map_err(render_err)?;
    Ok(Rendered { subject, text, html })
}
