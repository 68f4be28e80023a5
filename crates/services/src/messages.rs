//! Messaging between a sponsor's staff and the event's attendees
//! (docs/DECISIONS.md, "Messaging"): one thread per sponsor and attendee, opened
//! by staff who may message (`can_message_attendees`) with a lead who consented
//! under the event's rule; the attendee answers, lists their threads and may
//! block the sponsor. Unread counts per side; e-mail notices of what stays
//! unread go out in a digest (`email::digest_due_messages`).

use crate::authz::{self, SponsorAccess};
use crate::notify::{MessageEvent, Notification};
use crate::pagination::{self, Page};
use crate::{Error, Principal, Result, Services};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sponsorhub_domain::{ids, time};
use sponsorhub_store::messages::{self as q, Message, Thread};
use sponsorhub_store::{Tx, accounts, attendees, leads, members, outbox, sponsors};
use uuid::Uuid;

/// The longest message, in characters.
pub const MAX_BODY_CHARS: usize = 2000;

/// Which side of a thread a caller is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Staff,
    Attendee,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Staff => "staff",
            Side::Attendee => "attendee",
        }
    }

    fn other(self) -> Side {
        match self {
            Side::Staff => Side::Attendee,
            Side::Attendee => Side::Staff,
        }
    }
}

/// A thread as one side sees it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThreadView {
    pub id: Uuid,
    pub event_id: Uuid,
    pub sponsor_id: Uuid,
    pub sponsor_name: String,
    /// The attendee's account.
    pub attendee_user_id: Uuid,
    pub attendee_name: String,
    pub created_at: DateTime<Utc>,
    pub last_message_at: DateTime<Utc>,
    /// The newest message's text.
    pub last_message: Option<String>,
    /// Messages from the other side the caller's side has not read.
    pub unread: i32,
    /// The attendee blocked the sponsor: nobody writes in it any more.
    pub blocked: bool,
}

impl ThreadView {
    fn of(t: Thread, side: Side) -> ThreadView {
        ThreadView {
            id: t.id,
            event_id: t.event_id,
            sponsor_id: t.sponsor_id,
            sponsor_name: t.sponsor_name,
            attendee_user_id: t.attendee_user_id,
            attendee_name: t.attendee_name,
            created_at: t.created_at,
            last_message_at: t.last_message_at,
            last_message: t.last_body,
            unread: match side {
                Side::Staff => t.staff_unread,
                Side::Attendee => t.attendee_unread,
            },
            blocked: t.blocked,
        }
    }
}

/// One message.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageView {
    pub id: Uuid,
    pub thread_id: Uuid,
    /// Who wrote it: the sponsor's staff or the attendee.
    pub sender_side: Side,
    /// As the reader sees it: staff members by first name to attendees.
    pub sender_name: String,
    /// Written by the reader's side.
    pub mine: bool,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl MessageView {
    fn of(m: Message, reader: Side) -> MessageView {
        let side = if m.sender_side == "staff" { Side::Staff } else { Side::Attendee };
        let name = m.sender_name.unwrap_or_default();
        MessageView {
            id: m.id,
            thread_id: m.thread_id,
            sender_side: side,
            sender_name: match (side, reader) {
                (Side::Staff, Side::Attendee) => crate::presence::shown_name(&name),
                _ => name,
            },
            mine: side == reader,
            body: m.body,
            created_at: m.created_at,
        }
    }
}

/// A page of threads, and the caller's side's unread messages in all of them.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThreadPage {
    pub items: Vec<ThreadView>,
    pub next_cursor: Option<String>,
    /// Unread messages of every thread of the list, not only this page's.
    pub unread_total: i64,
}

/// A thread and a page of its messages, newest first.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessagePage {
    pub thread: ThreadView,
    pub items: Vec<MessageView>,
    /// The cursor of older messages.
    pub next_cursor: Option<String>,
}

/// A message sent, and its thread after it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Sent {
    pub thread: ThreadView,
    pub message: MessageView,
}

/// Staff start (or continue) the thread with one of the sponsor's leads.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewThreadInput {
    /// The lead whose attendee to write to.
    pub lead_id: Uuid,
    /// Plain text, 1 to 2000 characters (trimmed).
    pub body: String,
}

/// A message in an existing thread.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MessageInput {
    /// Plain text, 1 to 2000 characters (trimmed).
    pub body: String,
}

/// A page of a list: `limit` (1-200, default 50) and the `cursor` of the
/// previous page.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The body of a message: plain text, 1 to 2000 characters, no control
/// characters but line breaks and tabs (so no NUL), trimmed (the contract's
/// `Rule::Text`, like a note's).
pub fn check_body(raw: &str) -> Result<String> {
    sponsorhub_domain::validate::text("body", raw, 1, MAX_BODY_CHARS).map_err(|e| Error::Invalid(vec![e]))
}

// ---------------------------------------------------------------- staff side

/// The sponsor for a caller who may read its threads (404 outside, 403 without
/// the right).
async fn staff_reader(tx: &mut Tx, p: &Principal, sponsor: Uuid) -> Result<SponsorAccess> {
    let access = SponsorAccess::load(tx, p, sponsor).await?;
    access.require_read_messages()?;
    Ok(access)
}

/// The sponsor's thread, for a caller who may read them; another sponsor's is missing.
async fn staff_thread(tx: &mut Tx, sponsor: Uuid, thread: Uuid) -> Result<Thread> {
    q::get_thread(tx, thread).await?.filter(|t| t.sponsor_id == sponsor).ok_or(Error::NotFound("thread"))
}

/// The sponsor's threads, the latest active first, with the staff side's unread counts.
pub async fn sponsor_threads(svc: &Services, p: &Principal, sponsor: Uuid, page: PageQuery) -> Result<ThreadPage> {
    let limit = pagination::limit(page.limit)?;
    let after = pagination::decode::<(DateTime<Utc>, Uuid)>(page.cursor.as_deref())?;
    let mut tx = svc.store.read().await?;
    staff_reader(&mut tx, p, sponsor).await?;
    let rows = q::threads_of_sponsor(&mut tx, sponsor, after, limit + 1).await?;
    let unread_total = q::unread_of_sponsor(&mut tx, sponsor).await?;
    Ok(thread_page(rows, limit, Side::Staff, unread_total))
}

fn thread_page(rows: Vec<Thread>, limit: u32, side: Side, unread_total: i64) -> ThreadPage {
    let Page { items, next_cursor } = pagination::page(rows, limit, |t| (t.last_message_at, t.id));
    ThreadPage { items: items.into_iter().map(|t| ThreadView::of(t, side)).collect(), next_cursor, unread_total }
}

/// A page of one of the sponsor's threads, newest messages first.
pub async fn sponsor_messages(
    svc: &Services,
    p: &Principal,
    sponsor: Uuid,
    thread: Uuid,
    page: PageQuery,
) -> Result<MessagePage> {
    let limit = pagination::limit(page.limit)?;
    let before = pagination::decode::<Uuid>(page.cursor.as_deref())?;
    let mut tx = svc.store.read().await?;
    staff_reader(&mut tx, p, sponsor).await?;
    let t = staff_thread(&mut tx, sponsor, thread).await?;
    message_page(&mut tx, t, before, limit, Side::Staff).await
}

async fn message_page(tx: &mut Tx, t: Thread, before: Option<Uuid>, limit: u32, side: Side) -> Result<MessagePage> {
    let rows = q::messages_of(tx, t.id, before, limit + 1).await?;
    let Page { items, next_cursor } = pagination::page(rows, limit, |m| m.id);
    Ok(MessagePage {
        thread: ThreadView::of(t, side),
        items: items.into_iter().map(|m| MessageView::of(m, side)).collect(),
        next_cursor,
    })
}

/// Staff write to one of the sponsor's leads: the thread with the lead's
/// attendee is opened unless it exists.
#[tracing::instrument(skip_all, fields(sponsor.id = %sponsor))]
pub async fn start_thread(svc: &Services, p: &Principal, sponsor: Uuid, input: NewThreadInput) -> Result<Sent> {
    let body = check_body(&input.body)?;
    let mut tx = svc.store.write().await?;
    let access = SponsorAccess::load(&mut tx, p, sponsor).await?;
    access.require_message_attendees()?;
    let lead = leads::get(&mut tx, sponsor, input.lead_id).await?.ok_or(Error::NotFound("lead"))?;
    authz::require_messageable(&mut tx, &access.sponsor, lead.user_id).await?;
    svc.message_limiter.hit_in(&mut tx, &p.user_id.to_string()).await?;
    let now = time::now();
    let id = q::open_thread(&mut tx, ids::new_id(), access.sponsor.event_id, sponsor, lead.user_id, now).await?;
    send(svc, tx, p, id, Side::Staff, body).await
}

/// Staff write in one of the sponsor's threads.
#[tracing::instrument(skip_all, fields(sponsor.id = %sponsor, thread.id = %thread))]
pub async fn staff_send(
    svc: &Services,
    p: &Principal,
    sponsor: Uuid,
    thread: Uuid,
    input: MessageInput,
) -> Result<Sent> {
    let body = check_body(&input.body)?;
    let mut tx = svc.store.write().await?;
    let access = staff_reader(&mut tx, p, sponsor).await?;
    let t = staff_thread(&mut tx, sponsor, thread).await?;
    access.require_message_attendees()?;
    authz::require_messageable(&mut tx, &access.sponsor, t.attendee_user_id).await?;
    svc.message_limiter.hit_in(&mut tx, &p.user_id.to_string()).await?;
    send(svc, tx, p, t.id, Side::Staff, body).await
}

/// The staff side read the thread (its unread count drops to zero).
pub async fn staff_read(svc: &Services, p: &Principal, sponsor: Uuid, thread: Uuid) -> Result<ThreadView> {
    let mut tx = svc.store.write().await?;
    let access = staff_reader(&mut tx, p, sponsor).await?;
    let t = staff_thread(&mut tx, sponsor, thread).await?;
    // Organizers only look: their reading leaves the staff's unread count alone.
    if access.capabilities().message_attendees {
        q::mark_read(&mut tx, t.id, Side::Staff.as_str()).await?;
    }
    let t = staff_thread(&mut tx, sponsor, thread).await?;
    tx.commit().await?;
    Ok(ThreadView::of(t, Side::Staff))
}

/// What the caller may do in the sponsor's messages: read them, write, and
/// the sponsor's unread total (the portal's navigation shows it).
#[derive(Debug, Clone, Serialize)]
pub struct StaffInbox {
    pub may_write: bool,
    pub unread_total: i64,
}

/// The staff side's unread total, for a caller who may read the threads.
pub async fn staff_inbox(svc: &Services, p: &Principal, sponsor: Uuid) -> Result<StaffInbox> {
    let mut tx = svc.store.read().await?;
    let access = staff_reader(&mut tx, p, sponsor).await?;
    Ok(StaffInbox {
        may_write: access.capabilities().message_attendees,
        unread_total: q::unread_of_sponsor(&mut tx, sponsor).await?,
    })
}

/// May the caller write to this lead now (the lead page's "Message" button)?
/// Answers with the thread already open with the lead's attendee, if any.
pub async fn may_message_lead(
    svc: &Services,
    p: &Principal,
    sponsor: Uuid,
    lead: Uuid,
) -> Result<Option<Option<Uuid>>> {
    let mut tx = svc.store.read().await?;
    let access = SponsorAccess::load(&mut tx, p, sponsor).await?;
    if !access.capabilities().message_attendees {
        return Ok(None);
    }
    let Some(lead) = leads::get(&mut tx, sponsor, lead).await? else { return Ok(None) };
    match authz::require_messageable(&mut tx, &access.sponsor, lead.user_id).await {
        Ok(()) => Ok(Some(q::thread_between(&mut tx, sponsor, lead.user_id).await?.map(|t| t.id))),
        Err(Error::Forbidden(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------- attendee side

/// The caller's thread in the event; anyone else's, a blocked sponsor's, or
/// another event's is missing.
async fn own_thread(tx: &mut Tx, p: &Principal, event: Uuid, thread: Uuid) -> Result<Thread> {
    q::get_thread(tx, thread)
        .await?
        .filter(|t| t.event_id == event && t.attendee_user_id == p.user_id && !t.blocked)
        .ok_or(Error::NotFound("thread"))
}

/// The caller must be an attendee of the event (404 otherwise).
async fn require_attendee(tx: &mut Tx, p: &Principal, event: Uuid) -> Result<()> {
    attendees::of_user(tx, event, p.user_id, &p.email.to_lowercase()).await?.ok_or(Error::NotFound("attendee"))?;
    Ok(())
}

/// The caller's threads in the event (blocked sponsors' hidden), the latest
/// active first, with the caller's unread counts.
pub async fn my_threads(svc: &Services, p: &Principal, event: Uuid, page: PageQuery) -> Result<ThreadPage> {
    let limit = pagination::limit(page.limit)?;
    let after = pagination::decode::<(DateTime<Utc>, Uuid)>(page.cursor.as_deref())?;
    let mut tx = svc.store.read().await?;
    require_attendee(&mut tx, p, event).await?;
    let rows = q::threads_of_attendee(&mut tx, p.user_id, event, after, limit + 1).await?;
    let unread_total = q::unread_of_attendee(&mut tx, p.user_id, event).await?;
    Ok(thread_page(rows, limit, Side::Attendee, unread_total))
}

/// A page of one of the caller's threads, newest messages first.
pub async fn my_messages(
    svc: &Services,
    p: &Principal,
    event: Uuid,
    thread: Uuid,
    page: PageQuery,
) -> Result<MessagePage> {
    let limit = pagination::limit(page.limit)?;
    let before = pagination::decode::<Uuid>(page.cursor.as_deref())?;
    let mut tx = svc.store.read().await?;
    let t = own_thread(&mut tx, p, event, thread).await?;
    message_page(&mut tx, t, before, limit, Side::Attendee).await
}

/// The attendee answers in their thread.
#[tracing::instrument(skip_all, fields(event.id = %event, thread.id = %thread))]
pub async fn attendee_send(
    svc: &Services,
    p: &Principal,
    event: Uuid,
    thread: Uuid,
    input: MessageInput,
) -> Result<Sent> {
    let body = check_body(&input.body)?;
    let mut tx = svc.store.write().await?;
    let t = own_thread(&mut tx, p, event, thread).await?;
    svc.message_limiter.hit_in(&mut tx, &p.user_id.to_string()).await?;
    send(svc, tx, p, t.id, Side::Attendee, body).await
}

/// Opens the live feed of one of the caller's threads (their messages page):
/// their own thread only, for as long as their session lasts.
pub async fn open_my_thread_feed(
    svc: &Services,
    p: &Principal,
    event: Uuid,
    thread: Uuid,
) -> Result<crate::live::LiveGrant> {
    let mut tx = svc.store.read().await?;
    own_thread(&mut tx, p, event, thread).await?;
    Ok(crate::live::open_session(svc, p))
}

/// The attendee read their thread.
pub async fn attendee_read(svc: &Services, p: &Principal, event: Uuid, thread: Uuid) -> Result<ThreadView> {
    let mut tx = svc.store.write().await?;
    let t = own_thread(&mut tx, p, event, thread).await?;
    q::mark_read(&mut tx, t.id, Side::Attendee.as_str()).await?;
    let t = own_thread(&mut tx, p, event, thread).await?;
    tx.commit().await?;
    Ok(ThreadView::of(t, Side::Attendee))
}

/// A sponsor the attendee blocked, or not.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BlockState {
    pub sponsor_id: Uuid,
    pub blocked: bool,
}

/// The attendee blocks (or unblocks) one of the event's sponsors: while
/// blocked, no message goes either way and the thread is hidden from them.
#[tracing::instrument(skip_all, fields(event.id = %event, sponsor.id = %sponsor))]
pub async fn set_block(svc: &Services, p: &Principal, event: Uuid, sponsor: Uuid, blocked: bool) -> Result<BlockState> {
    let mut tx = svc.store.write().await?;
    require_attendee(&mut tx, p, event).await?;
    sponsors::get(&mut tx, sponsor).await?.filter(|s| s.event_id == event).ok_or(Error::NotFound("sponsor"))?;
    if blocked {
        q::block(&mut tx, sponsor, p.user_id, event, time::now()).await?;
    } else {
        q::unblock(&mut tx, sponsor, p.user_id).await?;
    }
    tx.commit().await?;
    Ok(BlockState { sponsor_id: sponsor, blocked })
}

/// Whether the caller blocked the sponsor (their badge page's button).
pub async fn is_blocked(svc: &Services, p: &Principal, sponsor: Uuid) -> Result<bool> {
    let mut tx = svc.store.read().await?;
    Ok(q::is_blocked(&mut tx, sponsor, p.user_id).await?)
}

// ---------------------------------------------------------------- both

/// Appends the message in the caller's transaction, keeps the other side's
/// e-mail notice, commits.
async fn send(svc: &Services, mut tx: Tx, p: &Principal, thread: Uuid, side: Side, body: String) -> Result<Sent> {
    let now = time::now();
    let m = Message {
        id: ids::new_id(),
        thread_id: thread,
        sender_side: side.as_str().to_string(),
        sender_user_id: Some(p.user_id),
        sender_name: None,
        body,
        created_at: now,
    };
    q::append(&mut tx, &m).await?;
    let t = q::get_thread(&mut tx, thread).await?.ok_or(Error::NotFound("thread"))?;
    let recipient = match side.other() {
        Side::Attendee => Some(t.attendee_user_id),
        Side::Staff => t.last_staff_user_id,
    };
    if let Some(r) = recipient {
        q::notice(&mut tx, thread, side.other().as_str(), r, now).await?;
    }
    tx.commit().await?;
    svc.notifier.publish(Notification::MessageNew(MessageEvent {
        message_id: m.id,
        thread_id: t.id,
        sponsor_id: t.sponsor_id,
        sponsor_name: t.sponsor_name.clone(),
        event_id: t.event_id,
        attendee_user_id: t.attendee_user_id,
        sender_side: side.as_str(),
        sender_name: p.name.clone(),
        body: m.body.clone(),
        created_at: m.created_at,
    }));
    let m = Message { sender_name: Some(p.name.clone()), ..m };
    Ok(Sent { thread: ThreadView::of(t, side), message: MessageView::of(m, side) })
}

// ---------------------------------------------------------------- e-mail notices

/// One line of a message notice: where the unread messages wait.
#[derive(Debug, Clone, PartialEq)]
pub struct NoticeLine {
    /// The sponsor (to an attendee), or the sponsor whose attendees wrote (to staff).
    pub from: String,
    pub unread: i32,
    pub url: String,
}

#[derive(askama::Template)]
#[template(path = "email/message_digest.txt")]
struct NoticeText<'a> {
    name: &'a str,
    lines: &'a [NoticeLine],
}

#[derive(askama::Template)]
#[template(path = "email/message_digest.html")]
struct NoticeHtml<'a> {
    subject: &'a str,
    name: &'a str,
    lines: &'a [NoticeLine],
}

/// The notice of unread messages: who is waiting and where, never what they
/// wrote (docs/DECISIONS.md, "Messaging").
pub fn render_notice(name: &str, lines: &[NoticeLine]) -> Result<crate::email::Rendered> {
    use askama::Template;
    let total: i32 = lines.iter().map(|l| l.unread).sum();
    let subject = crate::email::one_line(&match lines {
        [one] => format!("{} unread message{} from {}", total, if total == 1 { "" } else { "s" }, one.from),
        _ => format!("{total} unread messages on Sponsorhub"),
    });
    let failed = |e: askama::Error| Error::Internal(e.into());
    let text = NoticeText { name, lines }.render().map_err(failed)?;
    let html = NoticeHtml { subject: &subject, name, lines }.render().map_err(failed)?;
    Ok(crate::email::Rendered { subject, text, html })
}

/// Tells each recipient whose messages stayed unread past the notice window
/// (`SPONSORHUB_MESSAGE_DIGEST_SECS`) by one e-mail, through the outbox: their
/// notices older than the window are taken and the e-mail queued in one
/// transaction, so several workers never send it twice. Who read the thread
/// meanwhile has no notice left; a blocked sponsor's thread and staff who may
/// no longer write are left out. Answers how many e-mails it queued.
pub async fn digest_due_messages(svc: &Services, now: DateTime<Utc>) -> Result<usize> {
    let window = chrono::Duration::from_std(svc.email.message_digest_window).unwrap_or(chrono::Duration::MAX);
    let Some(cutoff) = now.checked_sub_signed(window) else { return Ok(0) };
    let due = {
        let mut tx = svc.store.read().await?;
        q::recipients_due(&mut tx, cutoff, 100).await?
    };
    let mut queued = 0;
    for recipient in due {
        let mut tx = svc.store.write().await?;
        let taken = q::take_notices(&mut tx, recipient, cutoff).await?;
        if taken.is_empty() {
            continue; // another worker took them
        }
        let Some(user) = accounts::get_user(&mut tx, recipient).await? else {
            tx.commit().await?;
            continue;
        };
        let mut lines: Vec<NoticeLine> = Vec::new();
        for (thread, side) in taken {
            let Some(t) = q::get_thread(&mut tx, thread).await? else { continue };
            let (unread, url) = if side == Side::Attendee.as_str() {
                if t.blocked {
                    continue;
                }
                (t.attendee_unread, format!("{}/messages/{}", svc.public_url, t.event_id))
            } else {
                let member = members::find(&mut tx, t.sponsor_id, recipient).await?;
                if !member.as_ref().is_some_and(authz::told_of_messages) {
                    continue;
                }
                (t.staff_unread, format!("{}/portal/sponsors/{}/messages", svc.public_url, t.sponsor_id))
            };
            if unread == 0 {
                continue;
            }
            match lines.iter_mut().find(|l| l.url == url) {
                Some(l) => l.unread += unread,
                None => lines.push(NoticeLine { from: t.sponsor_name.clone(), unread, url }),
            }
        }
        if !lines.is_empty() {
            let rendered = render_notice(&user.name, &lines)?;
            let email = crate::email::new_email(
                sponsorhub_domain::EmailKind::MessageDigest,
                None,
                vec![user.email.clone()],
                rendered,
                now,
            );
            outbox::insert(&mut tx, &email).await?;
            queued += 1;
        }
        tx.commit().await?;
    }
    Ok(queued)
}

#[cfg(test)]
mod tests {
    use super::check_body;

    #[test]
    fn bodies_are_trimmed_and_bounded() {
        assert_eq!(check_body("  hi \n").unwrap(), "hi");
        assert!(check_body("   ").is_err());
        assert!(check_body("a\0b").is_err());
        assert!(check_body(&"é".repeat(2000)).is_ok());
        assert!(check_body(&"é".repeat(2001)).is_err());
    }
}
