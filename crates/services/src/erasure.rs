//! Withdrawal, erasure and retention (docs/DECISIONS.md, "Withdrawal and
//! erasure", "Retention"). An attendee withdraws from one sponsor, or from every
//! sponsor of the event at once; an event's retention period runs out. Either way
//! each lead goes through [`erase_lead_in_tx`]: the lead and everything recorded
//! about the person on it go, the analytics rollups (anonymous counts) stay, and
//! dashboards drop it live.

use crate::email::{self, Rendered, leads_url, one_line};
use crate::notify::Notification;
use crate::{Error, Principal, Result, Services};
use askama::Template;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use sponsorhub_domain::{EmailKind, time};
use sponsorhub_store::erasure as q;
use sponsorhub_store::outbox;
use sponsorhub_store::records::{AttendeeRow, Lead, Sponsor};
use sponsorhub_store::{Tx, attendees, consents, events, leads, members, sponsors, webhooks};
use uuid::Uuid;

/// Sponsor admins are warned this long before their leads are erased.
pub const WARNING_BEFORE: Duration = Duration::days(7);
/// Leads erased per transaction in a retention run.
const RETENTION_BATCH: i64 = 200;

/// One lead erased.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErasedLead {
    pub lead_id: Uuid,
    pub sponsor_id: Uuid,
    pub erased_at: DateTime<Utc>,
}

/// Erases one lead in the caller's transaction: the lead row with its link to
/// the attendee, the details the sponsor received, its interactions, answers,
/// notes, tags, follow-up and owner (the rows go, `ON DELETE CASCADE`), its
/// pending lead notifications, and every webhook message about it, queued or
/// logged. The sponsor's counters lose it; the analytics rollups
/// (`lead_activity`, `lead_activity_totals`) keep its anonymous counts. `None`
/// when the lead was gone already (another erasure got there first).
///
/// Every erasure path goes through here: whatever else is kept about a lead's
/// person is erased here too.
pub async fn erase_lead_in_tx(tx: &mut Tx, lead: &Lead, now: DateTime<Utc>) -> Result<Option<ErasedLead>> {
    if !leads::delete(tx, lead).await? {
        return Ok(None);
    }
    webhooks::forget_lead(tx, lead.id).await?;
    // the messages with the person go too (docs/DECISIONS.md, "Messaging")
    sponsorhub_store::messages::delete_thread(tx, lead.sponsor_id, lead.user_id).await?;
    Ok(Some(ErasedLead { lead_id: lead.id, sponsor_id: lead.sponsor_id, erased_at: now }))
}

/// Tells the live feeds, after commit.
fn announce(svc: &Services, erased: &[ErasedLead]) {
    for e in erased {
        svc.notifier.publish(Notification::LeadErased {
            lead_id: e.lead_id,
            sponsor_id: e.sponsor_id,
            erased_at: e.erased_at,
        });
    }
}

/// What a withdrawal did at one sponsor.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WithdrawnSponsor {
    pub sponsor_id: Uuid,
    pub sponsor_name: String,
    /// The sponsor held a lead on the caller, and it is erased.
    pub lead_erased: bool,
}

/// What a withdrawal did: the caller's consent to each sponsor named is
/// withdrawn, and each one's lead on them erased.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Withdrawal {
    pub event_id: Uuid,
    pub erased_at: DateTime<Utc>,
    pub sponsors: Vec<WithdrawnSponsor>,
}

/// The caller's attendee record in the event; anyone else's is missing.
async fn me(tx: &mut Tx, p: &Principal, event_id: Uuid) -> Result<AttendeeRow> {
    attendees::of_user(tx, event_id, p.user_id, &p.email.to_lowercase()).await?.ok_or(Error::NotFound("attendee"))
}

/// Withdraws the caller's consent to the sponsor and erases its lead on them,
/// telling the sponsor (in the transaction, through the outbox).
async fn withdraw_in_tx(
    tx: &mut Tx,
    svc: &Services,
    me: &AttendeeRow,
    user: Uuid,
    sponsor: &Sponsor,
    event_name: &str,
    now: DateTime<Utc>,
) -> Result<(WithdrawnSponsor, Option<ErasedLead>)> {
    consents::withdraw(tx, me.id, sponsor.id).await?;
    let erased = match leads::find_for_update(tx, sponsor.id, user).await? {
        Some(lead) => erase_lead_in_tx(tx, &lead, now).await?,
        None => None,
    };
    if erased.is_some() {
        tell_sponsor(tx, svc, sponsor, event_name, now).await?;
    }
    let done = WithdrawnSponsor {
        sponsor_id: sponsor.id,
        sponsor_name: sponsor.company_name.clone(),
        lead_erased: erased.is_some(),
    };
    Ok((done, erased))
}

/// The caller (an attendee of the event) withdraws from one sponsor: their
/// consent to it is withdrawn and its lead on them erased at once. Withdrawing
/// from a sponsor holding nothing is no error. 404 for anyone not an attendee,
/// and for a sponsor of another event.
#[tracing::instrument(skip_all, fields(event.id = %event_id, sponsor.id = %sponsor_id))]
pub async fn withdraw_from_sponsor(
    svc: &Services,
    p: &Principal,
    event_id: Uuid,
    sponsor_id: Uuid,
) -> Result<Withdrawal> {
    let now = time::now();
    let mut tx = svc.store.write().await?;
    let me = me(&mut tx, p, event_id).await?;
    let sponsor = sponsors::get(&mut tx, sponsor_id)
        .await?
        .filter(|s| s.event_id == event_id)
        .ok_or(Error::NotFound("sponsor"))?;
    let event_name = events::get_any(&mut tx, event_id).await?.map(|e| e.name).unwrap_or_default();
    let (done, erased) = withdraw_in_tx(&mut tx, svc, &me, p.user_id, &sponsor, &event_name, now).await?;
    tx.commit().await?;
    announce(svc, erased.as_slice());
    tracing::info!(erased = erased.is_some(), "attendee withdrew from a sponsor");
    Ok(Withdrawal { event_id, erased_at: now, sponsors: vec![done] })
}

/// The caller's erasure request for the whole event: every sponsor holding a
/// lead on them, or their consent, is withdrawn from as by
/// [`withdraw_from_sponsor`], in one transaction. Their attendee record (the
/// organizer's registration, their badge) stays (docs/DECISIONS.md).
#[tracing::instrument(skip_all, fields(event.id = %event_id))]
pub async fn erase_my_event_data(svc: &Services, p: &Principal, event_id: Uuid) -> Result<Withdrawal> {
    let now = time::now();
    let mut tx = svc.store.write().await?;
    let me = me(&mut tx, p, event_id).await?;
    let mut ids: Vec<Uuid> = leads::of_user(&mut tx, event_id, p.user_id).await?.iter().map(|l| l.sponsor_id).collect();
    ids.extend(consents::of_attendee(&mut tx, me.id).await?.iter().map(|c| c.sponsor_id));
    ids.sort();
    ids.dedup();
    let event_name = events::get_any(&mut tx, event_id).await?.map(|e| e.name).unwrap_or_default();
    let mut done = Vec::with_capacity(ids.len());
    let mut erased = Vec::new();
    for id in ids {
        let Some(sponsor) = sponsors::get(&mut tx, id).await?.filter(|s| s.event_id == event_id) else { continue };
        let (d, e) = withdraw_in_tx(&mut tx, svc, &me, p.user_id, &sponsor, &event_name, now).await?;
        done.push(d);
        erased.extend(e);
    }
    tx.commit().await?;
    announce(svc, &erased);
    tracing::info!(sponsors = done.len(), erased = erased.len(), "attendee erased their event data");
    done.sort_by_key(|s| s.sponsor_name.to_lowercase());
    Ok(Withdrawal { event_id, erased_at: now, sponsors: done })
}

// ---------------------------------------------------------------- e-mails

fn when(t: DateTime<Utc>) -> String {
    t.format("%A %-d %B %Y, %H:%M UTC").to_string()
}

fn render_err(e: askama::Error) -> Error {
    Error::Internal(anyhow::anyhow!("rendering an e-mail template: {e}"))
}

#[derive(Template)]
#[template(path = "email/leads_erased.txt")]
struct ErasedText<'a> {
    sponsor_name: &'a str,
    event_name: &'a str,
    when: &'a str,
    leads_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/leads_erased.html")]
struct ErasedHtml<'a> {
    subject: &'a str,
    sponsor_name: &'a str,
    event_name: &'a str,
    when: &'a str,
    leads_url: &'a str,
}

/// The sponsor's notice that an attendee withdrew and their lead is erased:
/// never whose.
pub fn render_leads_erased(
    public_url: &str,
    sponsor: &Sponsor,
    event_name: &str,
    at: DateTime<Utc>,
) -> Result<Rendered> {
    let subject = one_line(&format!("An attendee withdrew from {}: their lead is erased", sponsor.company_name));
    let url = leads_url(public_url, sponsor.id);
    let w = when(at);
    let (sponsor_name, leads_url) = (sponsor.company_name.as_str(), url.as_str());
    let text = ErasedText { sponsor_name, event_name, when: &w, leads_url }.render().map_err(render_err)?;
    let html =
        ErasedHtml { subject: &subject, sponsor_name, event_name, when: &w, leads_url }.render().map_err(render_err)?;
    Ok(Rendered { subject, text, html })
}

/// Queues the withdrawal notice to the sponsor's lead notification address, else
/// its active admins (nobody: logged, nothing queued).
async fn tell_sponsor(
    tx: &mut Tx,
    svc: &Services,
    sponsor: &Sponsor,
    event_name: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let recipients = match sponsor.lead_notification_email.as_deref().map(str::trim) {
        Some(e) if !e.is_empty() => vec![e.to_string()],
        _ => members::admin_emails(tx, sponsor.id).await?,
    };
    if recipients.is_empty() {
        tracing::info!(sponsor.id = %sponsor.id, "no lead notification address nor admin: erasure notice dropped");
        return Ok(());
    }
    let rendered = render_leads_erased(&svc.public_url, sponsor, event_name, now)?;
    let email = email::new_email(EmailKind::LeadsErased, Some(sponsor.id), recipients, rendered, now);
    outbox::insert(tx, &email).await?;
    Ok(())
}

// ---------------------------------------------------------------- retention

#[derive(Template)]
#[template(path = "email/retention_warning.txt")]
struct WarningText<'a> {
    count: i64,
    retention_days: i32,
    sponsor_name: &'a str,
    event_name: &'a str,
    deadline: &'a str,
    leads_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/retention_warning.html")]
struct WarningHtml<'a> {
    subject: &'a str,
    count: i64,
    retention_days: i32,
    sponsor_name: &'a str,
    event_name: &'a str,
    deadline: &'a str,
    leads_url: &'a str,
}

/// The warning to a sponsor's admins that its leads' personal data is erased at
/// `deadline`.
pub fn render_retention_warning(
    public_url: &str,
    sponsor: &Sponsor,
    event: &q::RetentionEvent,
    count: i64,
    deadline: DateTime<Utc>,
) -> Result<Rendered> {
    let subject = one_line(&format!(
        "{}: leads' personal data is erased on {}",
        sponsor.company_name,
        deadline.format("%-d %B %Y")
    ));
    let url = leads_url(public_url, sponsor.id);
    let d = when(deadline);
    let (sponsor_name, event_name, leads_url) = (sponsor.company_name.as_str(), event.name.as_str(), url.as_str());
    let retention_days = event.retention_days;
    let text = WarningText { count, retention_days, sponsor_name, event_name, deadline: &d, leads_url }
        .render()
        .map_err(render_err)?;
    let html =
        WarningHtml { subject: &subject, count, retention_days, sponsor_name, event_name, deadline: &d, leads_url }
            .render()
            .map_err(render_err)?;
    Ok(Rendered { subject, text, html })
}

/// What a retention run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetentionRun {
    /// Warning e-mails queued (one per sponsor and deadline).
    pub warned: usize,
    /// Leads erased.
    pub erased: usize,
}

/// When the event's leads are erased: its end plus its retention period.
pub fn deadline_of(ends_at: DateTime<Utc>, retention_days: i32) -> DateTime<Utc> {
    ends_at + Duration::days(i64::from(retention_days))
}

/// The retention job at `now` (the worker passes the clock; tests their own):
/// for every event with a retention period, once `now` is within
/// [`WARNING_BEFORE`] of its deadline each sponsor holding leads has its admins
/// warned, once (claimed in the e-mail's transaction, so several instances or
/// runs never send it twice); once the deadline has passed, every lead of the
/// event is erased through [`erase_lead_in_tx`], a batch per transaction.
pub async fn run_retention(svc: &Services, now: DateTime<Utc>) -> Result<RetentionRun> {
    let due = {
        let mut tx = svc.store.read().await?;
        q::retention_events(&mut tx).await?
    };
    let mut run = RetentionRun::default();
    for event in due {
        let deadline = deadline_of(event.ends_at, event.retention_days);
        if now >= deadline {
            run.erased += erase_event_leads(svc, &event, now).await?;
        } else if now >= deadline - WARNING_BEFORE {
            run.warned += warn_sponsors(svc, &event, deadline, now).await?;
        }
    }
    if run != RetentionRun::default() {
        tracing::info!(warned = run.warned, erased = run.erased, "retention run");
    }
    Ok(run)
}

async fn erase_event_leads(svc: &Services, event: &q::RetentionEvent, now: DateTime<Utc>) -> Result<usize> {
    let mut total = 0;
    loop {
        let mut tx = svc.store.write().await?;
        let batch = leads::of_event_for_update(&mut tx, event.id, RETENTION_BATCH).await?;
        let mut erased = Vec::with_capacity(batch.len());
        for lead in &batch {
            erased.extend(erase_lead_in_tx(&mut tx, lead, now).await?);
        }
        tx.commit().await?;
        announce(svc, &erased);
        total += erased.len();
        if (batch.len() as i64) < RETENTION_BATCH {
            break;
        }
    }
    if total > 0 {
        tracing::info!(event.id = %event.id, erased = total, "retention: leads erased");
    }
    Ok(total)
}

async fn warn_sponsors(
    svc: &Services,
    event: &q::RetentionEvent,
    deadline: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<usize> {
    let holding = {
        let mut tx = svc.store.read().await?;
        q::sponsors_with_leads(&mut tx, event.id).await?
    };
    let mut queued = 0;
    for (sponsor_id, count) in holding {
        // One transaction per sponsor: the claim and the e-mail commit together.
        let mut tx = svc.store.write().await?;
        if !q::claim_warning(&mut tx, sponsor_id, deadline, now).await? {
            continue; // warned already (another instance, or an earlier run)
        }
        let Some(sponsor) = sponsors::get(&mut tx, sponsor_id).await? else { continue };
        let mut recipients = members::admin_emails(&mut tx, sponsor_id).await?;
        if recipients.is_empty()
            && let Some(e) = sponsor.lead_notification_email.as_deref().map(str::trim).filter(|e| !e.is_empty())
        {
            recipients.push(e.to_string());
        }
        if recipients.is_empty() {
            tracing::info!(sponsor.id = %sponsor_id, "no admin nor lead notification address: retention warning dropped");
            tx.commit().await?;
            continue;
        }
        let rendered = render_retention_warning(&svc.public_url, &sponsor, event, count, deadline)?;
        let email = email::new_email(EmailKind::RetentionWarning, Some(sponsor_id), recipients, rendered, now);
        outbox::insert(&mut tx, &email).await?;
        tx.commit().await?;
        queued += 1;
    }
    Ok(queued)
}
