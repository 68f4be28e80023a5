//! The attendee's messages with the event's sponsors (docs/DECISIONS.md,
//! "Messaging"): their threads with unread counts, one thread with the answer
//! form and a live feed, and the button that blocks a sponsor.

use super::auth::Empty;
use super::portal::message_event;
use super::view::{self, FieldErrors};
use super::{CsrfForm, Ctx, SignedIn, WebError, html, redirect};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::response::sse::{Event, KeepAlive, Sse};
use serde::Deserialize;
use sponsorhub_services::messages::{self, MessageInput, MessageView, PageQuery, ThreadView};
use sponsorhub_services::notify::Notification;
use sponsorhub_services::{Error, Principal};
use std::convert::Infallible;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;
use uuid::Uuid;

#[derive(Deserialize, Default)]
pub struct ThreadQuery {
    thread: Option<Uuid>,
}

#[derive(Deserialize, Default)]
pub struct BodyForm {
    #[serde(default)]
    body: String,
}

#[derive(Template)]
#[template(path = "my_messages.html")]
struct MyMessagesPage {
    ctx: Ctx,
    event_id: Uuid,
    threads: Vec<ThreadView>,
    unread_total: i64,
    thread: Option<ThreadView>,
    items: Vec<MessageView>,
    can_write: bool,
    post_url: String,
    live_url: String,
    body: String,
    errors: FieldErrors,
}

impl MyMessagesPage {
    fn when(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        view::when(t)
    }

    fn is_open(&self, id: &Uuid) -> bool {
        self.thread.as_ref().is_some_and(|t| t.id == *id)
    }

    fn new_lead_id(&self) -> Option<Uuid> {
        None
    }
}

async fn page(
    s: &AppState,
    ctx: Ctx,
    p: &Principal,
    event_id: Uuid,
    thread: Option<Uuid>,
    body: String,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let svc = &s.services;
    let list = messages::my_threads(svc, p, event_id, PageQuery { limit: Some(100), cursor: None }).await?;
    let mut view = MyMessagesPage {
        ctx,
        event_id,
        threads: list.items,
        unread_total: list.unread_total,
        thread: None,
        items: Vec::new(),
        can_write: false,
        post_url: String::new(),
        live_url: String::new(),
        body,
        errors,
    };
    if let Some(thread) = thread {
        let read = messages::attendee_read(svc, p, event_id, thread).await?;
        let page = messages::my_messages(svc, p, event_id, thread, PageQuery::default()).await?;
        view.items = page.items.into_iter().rev().collect();
        view.can_write = true;
        view.post_url = format!("/messages/{event_id}/{thread}");
        view.live_url = format!("/messages/{event_id}/{thread}/live");
        for t in view.threads.iter_mut().filter(|t| t.id == thread) {
            view.unread_total -= i64::from(t.unread);
            t.unread = 0;
        }
        view.thread = Some(read);
    }
    Ok(html(&view))
}

pub async fn my_messages(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(event_id): Path<Uuid>,
    Query(q): Query<ThreadQuery>,
) -> Result<Response, WebError> {
    page(&s, ctx, &p, event_id, q.thread, String::new(), FieldErrors::default()).await
}

/// The attendee answers in their thread.
pub async fn answer(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path((event_id, thread)): Path<(Uuid, Uuid)>,
    CsrfForm(form): CsrfForm<BodyForm>,
) -> Result<Response, WebError> {
    let back = format!("/messages/{event_id}?thread={thread}");
    let input = MessageInput { body: form.body.clone() };
    match messages::attendee_send(&s.services, &p, event_id, thread, input).await {
        Ok(_) => Ok(redirect(&back)),
        Err(Error::Invalid(fields)) => {
            let mut res = page(&s, ctx, &p, event_id, Some(thread), form.body, FieldErrors(fields)).await?;
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Ok(ctx.refused(&back, e)),
    }
}

/// The attendee blocks the sponsor: no more messages either way, the thread hidden.
pub async fn block(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path((event_id, sponsor_id)): Path<(Uuid, Uuid)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, WebError> {
    let back = format!("/messages/{event_id}");
    Ok(match messages::set_block(&s.services, &p, event_id, sponsor_id, true).await {
        Ok(_) => ctx.success(&back, "Blocked: this sponsor can no longer write to you."),
        Err(e) => ctx.refused(&back, e),
    })
}

/// The live feed of one of the caller's threads: each new message as JSON.
pub async fn thread_feed(
    State(s): State<AppState>,
    SignedIn(_ctx, p): SignedIn,
    Path((event_id, thread)): Path<(Uuid, Uuid)>,
) -> Result<Sse<impl tokio_stream::Stream<Item = Result<Event, Infallible>>>, WebError> {
    let rx = s.services.notifier.subscribe();
    let mut grant = messages::open_my_thread_feed(&s.services, &p, event_id, thread).await?;
    let stream = BroadcastStream::new(rx).filter_map(move |n| match n {
        Ok(Notification::MessageNew(m)) if m.thread_id == thread => Some(Ok(message_event(&m, true))),
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
