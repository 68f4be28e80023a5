//! E-mail through a durable outbox: the messages (rendered from the templates in
//! `templates/email/`, compiled in; HTML escapes everything it is given), their
//! queueing in the transaction of the change that causes them, the folding of
//! pending lead notifications into digests, and the claim / complete / retry logic
//! a delivery worker drives. Delivery itself (SMTP, files) is the server's.

use crate::notify::InvitationMessage;
use crate::{Error, Result, Services};
use askama::Template;
use chrono::{DateTime, Utc};
use sponsorhub_domain::{EmailKind, IntentLevel, OutboxStatus, SponsorRole, ids, time};
use sponsorhub_store::outbox::{self, LeadNotification, OutboxEmail};
use sponsorhub_store::records::{JsonColumn, Lead};
use sponsorhub_store::{Tx, accounts, events as event_store, leads, members, sponsors};
use std::collections::BTreeMap;
use std::time::Duration;
use uuid::Uuid;

pub use sponsorhub_store::outbox::OutboxEmail as Email;

mod render;
pub use render::*;

/// How the outbox is worked, configurable (docs/ARCHITECTURE.md, "E-mail").
#[derive(Debug, Clone)]
pub struct EmailSettings {
    /// A sponsor's lead notifications wait this long after the first one, and go
    /// out together as one digest.
    pub lead_digest_window: Duration,
    /// Unread messages wait this long for their reader (who reads them live or
    /// on the page meanwhile gets no e-mail), then go out as one notice per
    /// recipient.
    pub message_digest_window: Duration,
    /// Attempts before an e-mail is `failed`.
    pub max_attempts: i32,
    /// Wait after the first failed attempt; doubled after each further one.
    pub backoff_base: Duration,
    /// Longest wait between attempts.
    pub backoff_max: Duration,
    /// How long a worker holds the e-mails it claimed; after that another may take
    /// them (the first is presumed dead).
    pub lease: Duration,
    /// E-mails claimed at once.
    pub batch_size: i64,
    /// Sent e-mails are forgotten after this long, failed ones after four times it.
    pub retention: Duration,
}

impl Default for EmailSettings {
    fn default() -> Self {
        EmailSettings {
            lead_digest_window: Duration::from_secs(60),
            message_digest_window: Duration::from_secs(600),
            max_attempts: 5,
            backoff_base: Duration::from_secs(30),
            backoff_max: Duration::from_secs(3600),
            lease: Duration::from_secs(900),
            batch_size: 20,
            retention: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

/// At most this many leads are listed in one digest; the rest are counted.
const DIGEST_MAX_LEADS: usize = 50;

/// Why a lead is in a digest (the `reason` of its notification).
pub use sponsorhub_domain::LeadReason;

fn to_chrono(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// The wait before attempt `attempts + 1`, after `attempts` failed ones:
/// `base * 2^(attempts - 1)`, at most `max`.
pub fn backoff(attempts: i32, base: Duration, max: Duration) -> Duration {
    let exp = attempts.saturating_sub(1).clamp(0, 30) as u32;
    base.saturating_mul(1u32 << exp).min(max)
}

pub(crate) fn new_email(
    kind: EmailKind,
    sponsor: Option<Uuid>,
    recipients: Vec<String>,
    r: Rendered,
    now: DateTime<Utc>,
) -> OutboxEmail {
    OutboxEmail {
        id: ids::new_id(),
        kind,
        sponsor_id: sponsor,
        recipients: JsonColumn(recipients),
        subject: r.subject,
        text_body: r.text,
        html_body: r.html,
        status: OutboxStatus::Pending,
        attempts: 0,
        next_attempt_at: now,
        claimed_until: None,
        last_error: None,
        sent_at: None,
        created_at: now,
        updated_at: now,
    }
}

/// Queues the invitation e-mail in the invitation's own transaction, so it is sent
/// exactly when the invitation commits. The accept link (the token in clear) lives
/// only in this row's bodies.
pub async fn enqueue_invitation(tx: &mut Tx, m: &InvitationMessage) -> Result<Uuid> {
    let email = new_email(
        EmailKind::Invitation,
        Some(m.sponsor_id),
        vec![m.to_email.clone()],
        render_invitation(m)?,
        time::now(),
    );
    outbox::insert(tx, &email).await?;
    Ok(email.id)
}

/// Records that the sponsor should hear about this lead (inside the capture's
/// transaction: one INSERT). The worker folds it into the next digest.
pub async fn record_lead_notification(
    tx: &mut Tx,
    sponsor: Uuid,
    lead: Uuid,
    reason: LeadReason,
    now: DateTime<Utc>,
) -> Result<()> {
    outbox::insert_lead_notification(tx, sponsor, lead, reason, now).await?;
    Ok(())
}

/// Folds the pending lead notifications of every sponsor whose oldest one is older
/// than the digest window into one e-mail each; returns how many e-mails it queued.
pub async fn digest_due_leads(svc: &Services) -> Result<usize> {
    let cutoff = time::now() - to_chrono(svc.email.lead_digest_window);
    let due = {
        let mut tx = svc.store.read().await?;
        outbox::sponsors_with_due_notifications(&mut tx, cutoff, 100).await?
    };
    let mut queued = 0;
    for sponsor in due {
        // One transaction per sponsor: taking its notifications and queueing its
        // e-mail commit together, or neither does.
        let mut tx = svc.store.write().await?;
        let taken = outbox::take_lead_notifications(&mut tx, sponsor).await?;
        if taken.is_empty() {
            continue; // another worker took them
        }
        if digest(&mut tx, svc, sponsor, &taken).await? {
            queued += 1;
        }
        tx.commit().await?;
    }
    Ok(queued)
}

/// Queues, once per owner and day, the reminder of the open leads due today (UTC)
/// that each lead owner follows up; returns how many e-mails it queued. Safe with
/// several instances: the first to record an owner's day sends it, the others skip.
pub async fn remind_due_follow_ups(svc: &Services) -> Result<usize> {
    let now = time::now();
    let day = now.date_naive();
    let owners = {
        let mut tx = svc.store.read().await?;
        leads::owners_due(&mut tx, day, 100).await?
    };
    let mut queued = 0;
    for owner in owners {
        // One transaction per owner: the day's mark and the e-mail commit together.
        let mut tx = svc.store.write().await?;
        if !leads::claim_reminder(&mut tx, owner, day, now).await? {
            continue; // another worker queued it
        }
        let Some(user) = accounts::get_user(&mut tx, owner).await? else { continue };
        let due = leads::due_of_owner(&mut tx, owner, day, 1000).await?;
        if due.is_empty() {
            tx.commit().await?; // nothing left (changed meanwhile): the day is done
            continue;
        }
        let mut names: BTreeMap<Uuid, String> = BTreeMap::new();
        let mut items = Vec::with_capacity(due.len().min(DIGEST_MAX_LEADS));
        for lead in due.iter().take(DIGEST_MAX_LEADS) {
            let name = match names.get(&lead.sponsor_id) {
                Some(name) => name.clone(),
                None => {
                    let name =
                        sponsors::get(&mut tx, lead.sponsor_id).await?.map(|s| s.company_name).unwrap_or_default();
                    names.insert(lead.sponsor_id, name.clone());
                    name
                }
            };
            items.push((lead.clone(), name));
        }
        let rendered = render_follow_up_reminder(&svc.public_url, &user.name, day, &items, due.len())?;
        let sponsor = (names.len() == 1).then(|| due[0].sponsor_id);
        let email = new_email(EmailKind::FollowUpReminder, sponsor, vec![user.email], rendered, now);
        outbox::insert(&mut tx, &email).await?;
        tx.commit().await?;
        queued += 1;
    }
    Ok(queued)
}

/// Queues the digest of `taken` for the sponsor; `false` when there is nobody to
/// tell or nothing left to tell (leads deleted since).
async fn digest(tx: &mut Tx, svc: &Services, sponsor_id: Uuid, taken: &[LeadNotification]) -> Result<bool> {
    let Some(sponsor) = sponsors::get(tx, sponsor_id).await? else { return Ok(false) };
    let recipients = match sponsor.lead_notification_email.as_deref().map(str::trim) {
        Some(e) if !e.is_empty() => vec![e.to_string()],
        _ => members::admin_emails(tx, sponsor_id).await?,
    };
    if recipients.is_empty() {
        tracing::info!(sponsor.id = %sponsor_id, leads = taken.len(), "no lead notification address nor admin: digest dropped");
        return Ok(false);
    }
    // One line per lead: hot wins over new; remember a lead both new and hot.
    let mut by_lead: BTreeMap<Uuid, (LeadReason, bool)> = BTreeMap::new();
    for n in taken {
        let reason = n.reason;
        let entry = by_lead.entry(n.lead_id).or_insert((reason, false));
        if reason == LeadReason::TurnedHot {
            entry.1 |= entry.0 == LeadReason::New;
            entry.0 = LeadReason::TurnedHot;
        } else if entry.0 == LeadReason::TurnedHot {
            entry.1 = true;
        }
    }
    let ids: Vec<Uuid> = by_lead.keys().copied().collect();
    let mut items: Vec<(Lead, LeadReason, bool)> = leads::get_many(tx, &ids)
        .await?
        .into_iter()
        .filter(|l| l.sponsor_id == sponsor_id)
        .filter_map(|l| by_lead.get(&l.id).map(|(r, n)| (l, *r, *n)))
        .collect();
    if items.is_empty() {
        return Ok(false);
    }
    // Hot first, then by score, then newest.
    items.sort_by(|a, b| {
        (b.1 == LeadReason::TurnedHot, b.0.intent_score, b.0.id).cmp(&(
            a.1 == LeadReason::TurnedHot,
            a.0.intent_score,
            a.0.id,
        ))
    });
    let event_name = event_store::get_any(tx, sponsor.event_id).await?.map(|e| e.name).unwrap_or_default();
    let rendered = render_lead_digest(&svc.public_url, sponsor_id, &sponsor.company_name, &event_name, &items)?;
    let email = new_email(EmailKind::LeadDigest, Some(sponsor_id), recipients, rendered, time::now());
    outbox::insert(tx, &email).await?;
    tracing::info!(sponsor.id = %sponsor_id, email.id = %email.id, leads = items.len(), "lead digest queued");
    Ok(true)
}

/// Claims the next batch of due e-mails for this worker (empty when none is due).
pub async fn claim_batch(svc: &Services) -> Result<Vec<OutboxEmail>> {
    let now = time::now();
    {
        // A read first, so an idle worker never takes SQLite's writer.
        let mut tx = svc.store.read().await?;
        if !outbox::any_due(&mut tx, now).await? {
            return Ok(Vec::new());
        }
    }
    let mut tx = svc.store.write().await?;
    let claimed = outbox::claim(&mut tx, now, now + to_chrono(svc.email.lease), svc.email.batch_size.max(1)).await?;
    tx.commit().await?;
    Ok(claimed)
}

/// Records the delivery of a claimed e-mail.
pub async fn complete(svc: &Services, e: &OutboxEmail) -> Result<()> {
    let mut tx = svc.store.write().await?;
    let current = outbox::mark_sent(&mut tx, e.id, e.attempts, time::now()).await?;
    if carries_secret(e) {
        outbox::scrub_bodies(&mut tx, e.id).await?;
    }
    tx.commit().await?;
    if !current {
        tracing::warn!(email.id = %e.id, "e-mail sent after its lease ran out (another worker may send it too)");
    }
    Ok(())
}

/// An invitation's bodies hold its token in clear: they are kept only until the
/// message is delivered or given up (docs/DECISIONS.md, "E-mail").
fn carries_secret(e: &OutboxEmail) -> bool {
    e.kind == EmailKind::Invitation
}

/// What became of a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// Tried again at this time.
    RetryAt(DateTime<Utc>),
    /// Out of attempts: the e-mail is `failed`.
    Failed,
}

/// Records a failed attempt: retried after the backoff, or `failed` once it has had
/// its attempts (or at once when `permanent`: trying again cannot help).
pub async fn fail(svc: &Services, e: &OutboxEmail, error: &str, permanent: bool) -> Result<AfterFailure> {
    let now = time::now();
    let outcome = if permanent || e.attempts >= svc.email.max_attempts {
        AfterFailure::Failed
    } else {
        AfterFailure::RetryAt(now + to_chrono(backoff(e.attempts, svc.email.backoff_base, svc.email.backoff_max)))
    };
    let retry_at = match outcome {
        AfterFailure::RetryAt(t) => Some(t),
        AfterFailure::Failed => None,
    };
    let error: String = error.chars().take(1000).collect();
    let mut tx = svc.store.write().await?;
    let current = outbox::mark_attempt_failed(&mut tx, e.id, e.attempts, &error, retry_at, now).await?;
    if current && outcome == AfterFailure::Failed && carries_secret(e) {
        outbox::scrub_bodies(&mut tx, e.id).await?;
    }
    tx.commit().await?;
    Ok(outcome)
}

/// Gives claimed e-mails back unattempted (the worker is stopping).
pub async fn release(svc: &Services, emails: &[OutboxEmail]) -> Result<()> {
    if emails.is_empty() {
        return Ok(());
    }
    let now = time::now();
    let mut tx = svc.store.write().await?;
    for e in emails {
        outbox::release(&mut tx, e.id, e.attempts, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Forgets sent e-mails past the retention, and failed ones past four times it.
pub async fn purge(svc: &Services) -> Result<u64> {
    let now = time::now();
    let keep = to_chrono(svc.email.retention);
    let mut tx = svc.store.write().await?;
    let n = outbox::purge(&mut tx, now - keep, now - keep * 4).await?;
    tx.commit().await?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invitation(personal: Option<&str>) -> InvitationMessage {
        InvitationMessage {
            invitation_id: Uuid::nil(),
            sponsor_id: Uuid::nil(),
            to_email: "dana@ferris.example".into(),
            role: SponsorRole::BoothStaff,
            inviter_name: "Ada".into(),
            sponsor_name: "Ferris & Sons <Ltd>".into(),
            event_name: "RustConf".into(),
            personal_message: personal.map(str::to_string),
            expires_at: DateTime::parse_from_rfc3339("2026-12-02T15:04:00Z").unwrap().with_timezone(&Utc),
            accept_url: "https://hub.example/invitations/accept?token=abc_DEF-123".into(),
            token: "abc_DEF-123".into(),
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let base = Duration::from_secs(30);
        let max = Duration::from_secs(3600);
        assert_eq!(backoff(1, base, max), Duration::from_secs(30));
        assert_eq!(backoff(2, base, max), Duration::from_secs(60));
        assert_eq!(backoff(3, base, max), Duration::from_secs(120));
        assert_eq!(backoff(10, base, max), max);
        assert_eq!(backoff(1000, base, max), max);
        assert_eq!(backoff(0, base, max), base);
    }

    #[test]
    fn invitation_has_every_detail_and_escapes_html() {
        let r = render_invitation(&invitation(Some("<script>alert(1)</script>\nSee you & bring snacks"))).unwrap();
        assert_eq!(r.subject, "Ada invited you to join Ferris & Sons <Ltd> at RustConf");
        for part in [&r.text, &r.html] {
            assert!(part.contains("https://hub.example/invitations/accept?token=abc_DEF-123"), "{part}");
            assert!(part.contains("booth staff"));
            assert!(part.contains("Wednesday 2 December 2026, 15:04 UTC"));
            assert!(part.contains("RustConf"));
        }
        assert!(r.text.contains("<script>alert(1)</script>\nSee you & bring snacks"));
        assert!(r.text.contains("Ferris & Sons <Ltd>"));
        assert!(!r.html.contains("<script>"), "{}", r.html);
        assert!(r.html.contains("&#60;script&#62;") || r.html.contains("&lt;script&gt;"), "{}", r.html);
        assert!(!r.html.contains("<Ltd>"));
    }

    #[test]
    fn invitation_without_personal_message() {
        let r = render_invitation(&invitation(None)).unwrap();
        assert!(!r.text.contains("wrote:"));
        assert!(!r.html.contains("wrote:"));
    }

    #[test]
    fn subjects_are_one_line() {
        assert_eq!(one_line(" a\r\nBcc: x@y \t"), "a  Bcc: x@y");
    }
}
