//! The sponsor's messages with attendees (docs/DECISIONS.md, "Messaging"): the
//! threads with their unread counts, one thread with its send form, a new
//! thread with a lead, and the thread's live feed (server-sent events).

use super::*;
use sponsorhub_services::messages::{self, MessageInput, MessageView, NewThreadInput, PageQuery, ThreadView};

#[derive(Deserialize, Default)]
pub struct MessagesQuery {
    thread: Option<Uuid>,
    lead: Option<Uuid>,
}

#[derive(Deserialize, Default, Clone)]
pub struct BodyForm {
    #[serde(default)]
    body: String,
    lead_id: Option<Uuid>,
}

#[derive(Template)]
#[template(path = "messages.html")]
struct MessagesPage {
    ctx: Ctx,
    nav: SponsorNav,
    threads: Vec<ThreadView>,
    unread_total: i64,
    /// The open thread, its messages oldest first.
    thread: Option<ThreadView>,
    items: Vec<MessageView>,
    /// A new thread with this lead.
    new_lead: Option<Uuid>,
    can_write: bool,
    post_url: String,
    live_url: String,
    body: String,
    errors: FieldErrors,
}

impl MessagesPage {
    fn when(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        view::when(t)
    }

    fn is_open(&self, id: &Uuid) -> bool {
        self.thread.as_ref().is_some_and(|t| t.id == *id)
    }

    fn new_lead_id(&self) -> Option<Uuid> {
        self.new_lead
    }
}

async fn page(
    s: &AppState,
    ctx: Ctx,
    p: &Principal,
    sponsor_id: Uuid,
    q: MessagesQuery,
    body: String,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let svc = &s.services;
    let nav = sponsor_nav(s, p, sponsor_id, "messages").await?;
    let list = messages::sponsor_threads(svc, p, sponsor_id, PageQuery { limit: Some(100), cursor: None }).await?;
    let mut view = MessagesPage {
        ctx,
        can_write: nav.caps.message_attendees,
        nav,
        threads: list.items,
        unread_total: list.unread_total,
        thread: None,
        items: Vec::new(),
        new_lead: None,
        post_url: String::new(),
        live_url: String::new(),
        body,
        errors,
    };
    if let Some(thread) = q.thread {
        let read = messages::staff_read(svc, p, sponsor_id, thread).await?;
        let page = messages::sponsor_messages(svc, p, sponsor_id, thread, PageQuery::default()).await?;
        view.items = page.items.into_iter().rev().collect();
        view.can_write &= !read.blocked;
        view.post_url = format!("/portal/sponsors/{sponsor_id}/messages/{thread}");
        view.live_url = format!("/portal/sponsors/{sponsor_id}/messages/{thread}/live");
        for t in view.threads.iter_mut().filter(|t| t.id == thread) {
            view.unread_total -= i64::from(t.unread);
            t.unread = 0;
        }
        view.thread = Some(read);
    } else if let Some(lead) = q.lead {
        match messages::may_message_lead(svc, p, sponsor_id, lead).await? {
            Some(Some(thread)) => {
                return Ok(super::super::redirect(&format!("/portal/sponsors/{sponsor_id}/messages?thread={thread}")));
            }
            Some(None) => {
                view.new_lead = Some(lead);
                view.post_url = format!("/portal/sponsors/{sponsor_id}/messages/start");
            }
            None => {
                return Err(Error::Forbidden(
                    "this lead cannot be messaged: they have not agreed, or blocked you".into(),
                )
                .into());
            }
        }
    }
    Ok(html(&view))
}

pub async fn messages_page(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(sponsor_id): Path<Uuid>,
    Query(q): Query<MessagesQuery>,
) -> Result<Response, WebError> {
    page(&s, ctx, &p, sponsor_id, q, String::new(), FieldErrors::default()).await
}

async fn refused(
    s: &AppState,
    ctx: Ctx,
    p: &Principal,
    sponsor_id: Uuid,
    q: MessagesQuery,
    form: BodyForm,
    errors: Vec<sponsorhub_domain::validate::FieldError>,
) -> Result<Response, WebError> {
    let mut res = page(s, ctx, p, sponsor_id, q, form.body, FieldErrors(errors)).await?;
    *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(res)
}

/// Staff write in a thread.
pub async fn send_message(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path((sponsor_id, thread)): Path<(Uuid, Uuid)>,
    CsrfForm(form): CsrfForm<BodyForm>,
) -> Result<Response, WebError> {
    let back = format!("/portal/sponsors/{sponsor_id}/messages?thread={thread}");
    let input = MessageInput { body: form.body.clone() };
    match messages::staff_send(&s.services, &p, sponsor_id, thread, input).await {
        Ok(_) => Ok(super::super::redirect(&back)),
        Err(Error::Invalid(fields)) => {
            let q = MessagesQuery { thread: Some(thread), lead: None };
            refused(&s, ctx, &p, sponsor_id, q, form, fields).await
        }
        Err(e) => Ok(ctx.refused(&back, e)),
    }
}

/// Staff write to a lead for the first time.
pub async fn start_thread(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(sponsor_id): Path<Uuid>,
    CsrfForm(form): CsrfForm<BodyForm>,
) -> Result<Response, WebError> {
    let Some(lead) = form.lead_id else { return Err(WebError::BadForm) };
    let back = format!("/portal/sponsors/{sponsor_id}/messages?lead={lead}");
    let input = NewThreadInput { lead_id: lead, body: form.body.clone() };
    match messages::start_thread(&s.services, &p, sponsor_id, input).await {
        Ok(sent) => {
            Ok(super::super::redirect(&format!("/portal/sponsors/{sponsor_id}/messages?thread={}", sent.thread.id)))
        }
        Err(Error::Invalid(fields)) => {
            let q = MessagesQuery { thread: None, lead: Some(lead) };
            refused(&s, ctx, &p, sponsor_id, q, form, fields).await
        }
        Err(e) => Ok(ctx.refused(&back, e)),
    }
}

/// The live feed of one thread: each new message as JSON, for staff who may
/// read the sponsor's messages; it ends with their right (a live grant).
pub async fn thread_feed(
    State(s): State<AppState>,
    SignedIn(_ctx, p): SignedIn,
    Path((sponsor_id, thread)): Path<(Uuid, Uuid)>,
) -> Result<Sse<impl tokio_stream::Stream<Item = Result<Event, Infallible>>>, WebError> {
    let rx = s.services.notifier.subscribe();
    let mut grant = live::open_message_feed(&s.services, &p, sponsor_id).await?;
    let stream = BroadcastStream::new(rx).filter_map(move |n| match n {
        Ok(Notification::MessageNew(m)) if m.thread_id == thread => Some(Ok(message_event(&m, false))),
        _ => None,
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

/// A `message.new` event of a thread's live feed, as `to_attendee` or the staff see it.
pub fn message_event(m: &sponsorhub_services::notify::MessageEvent, to_attendee: bool) -> Event {
    let name = if to_attendee && m.sender_side == "staff" {
        sponsorhub_services::presence::shown_name(&m.sender_name)
    } else {
        m.sender_name.clone()
    };
    let mine = (m.sender_side == "attendee") == to_attendee;
    let data = serde_json::json!({
        "id": m.message_id,
        "body": m.body,
        "senderName": name,
        "mine": mine,
        "at": view::when(&m.created_at),
    });
    Event::default().event("message.new").data(data.to_string())
}
