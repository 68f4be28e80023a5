//! The `/events` namespace: the connect middleware that checks the token, and the
//! `sponsor.leads.join` / `sponsor.leads.leave` events. Generic over the adapter, so
//! the same code runs on the in-process adapter and on the PostgreSQL one. Who may
//! join is a service decision (`live::open_lead_feed`); this file only parses,
//! answers, and acts when a live grant ends.

use super::payloads::{Ack, HandshakeAuth, RoomRequest};
use socketioxide::SocketIo;
use socketioxide::adapter::Adapter;
use socketioxide::extract::{AckSender, Extension, SocketRef, State, TryData};
use socketioxide::socket::Sid;
use sponsorhub_services::live::{self, LiveGrant, LiveHook};
use sponsorhub_services::{Error, Principal, Services, accounts};
use std::fmt;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// The socket.io namespace of the lead feed.
pub const NAMESPACE: &str = "/events";

/// The room of a sponsor's lead feed.
pub fn sponsor_room(sponsor_id: Uuid) -> String {
    format!("sponsor:{sponsor_id}")
}

/// The room of a sponsor's messages (`message.new`), for its staff who may read them.
pub fn messages_room(sponsor_id: Uuid) -> String {
    format!("sponsor:{sponsor_id}:messages")
}

/// A user's own room, joined on connect: the attendee's `message.new`.
pub fn user_room(user_id: Uuid) -> String {
    format!("user:{user_id}")
}

/// The room every socket of one instance joins on connect when rooms span
/// instances (the PostgreSQL adapter), so that an emit can leave this
/// instance's sockets out: they get it first, without the NOTIFY's round trip
/// (`Gateway::relay`).
pub fn instance_room(instance_id: Uuid) -> String {
    format!("instance:{instance_id}")
}

/// This instance's room, when rooms span instances; `None` in process.
#[derive(Clone)]
pub struct InstanceRoom(pub Option<String>);

/// The authenticated user of a socket, kept in the socket's extensions.
#[derive(Clone)]
pub struct Caller(pub Principal);

/// What a socket's live grant is for.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum GrantKey {
    /// The connection: the socket disconnects when it ends.
    Session,
    /// A joined lead feed (`sponsor.leads.join`).
    Leads(Uuid),
    /// A joined message room (`sponsor.messages.join`).
    Messages(Uuid),
}

/// The live grants a socket holds (`services::live`): its session, which
/// disconnects the socket when it ends, and one per joined sponsor feed or
/// message room, which makes the socket leave the room when it ends. Each is a
/// callback in the instance's registry, with no task of its own, all in one
/// short list: a socket holds a few (docs/PERFORMANCE.md, "Memory per socket").
#[derive(Clone)]
pub struct Grants(Arc<Mutex<Vec<(GrantKey, LiveHook)>>>);

impl Default for Grants {
    /// Room for the session's grant and one feed's, what a dashboard holds.
    fn default() -> Self {
        Grants(Arc::new(Mutex::new(Vec::with_capacity(2))))
    }
}

impl Grants {
    /// Runs `on_end` when `grant` ends, unless replaced or cancelled first.
    /// The hooks are dropped outside this lock: a hook's callback may
    /// disconnect the socket, whose handler takes it.
    fn watch(&self, key: GrantKey, grant: LiveGrant, on_end: impl FnOnce() + Send + 'static) {
        let hook = grant.on_end(on_end);
        let old = {
            let mut grants = self.0.lock().expect("grants lock");
            match grants.iter_mut().find(|(k, _)| *k == key) {
                Some((_, held)) => Some(std::mem::replace(held, hook)),
                None => {
                    grants.push((key, hook));
                    None
                }
            }
        };
        drop(old);
    }

    fn cancel(&self, key: GrantKey) {
        let gone = {
            let mut grants = self.0.lock().expect("grants lock");
            grants.iter().position(|(k, _)| *k == key).map(|at| grants.swap_remove(at))
        };
        drop(gone);
    }

    /// Whether the grant held for `key` is still live.
    fn holds_live(&self, key: GrantKey) -> bool {
        self.0.lock().expect("grants lock").iter().any(|(k, hook)| *k == key && hook.is_live())
    }

    fn cancel_all(&self) {
        let gone = std::mem::take(&mut *self.0.lock().expect("grants lock"));
        drop(gone);
    }
}

/// The socket `sid` of the `/events` namespace, if it is still connected. A
/// grant's callback finds its socket again by id rather than holding it: the
/// instance's registry of grants never keeps a socket alive, so a socket that
/// goes without its disconnect handler (one that closes while it connects)
/// takes its grants with it.
fn socket_of<A: Adapter>(io: &SocketIo<A>, sid: Sid) -> Option<SocketRef<A>> {
    io.of(NAMESPACE)?.get_socket(sid)
}

/// Why a connection was refused: sent to the client as `connect_error`.
#[derive(Debug)]
pub struct Refused(String);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Connect middleware: the token from the handshake's `auth: { token }`, or else an
/// `Authorization: Bearer` header, checked by the same service function as the
/// REST API's. Without a valid one the client gets `connect_error` and no socket.
pub(super) async fn authenticate<A: Adapter>(
    s: SocketRef<A>,
    io: SocketIo<A>,
    TryData(auth): TryData<HandshakeAuth>,
    State(svc): State<Services>,
    State(here): State<InstanceRoom>,
) -> Result<(), Refused> {
    let from_auth = auth.ok().and_then(|a| a.token).map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
    let from_header = || crate::credentials::bearer(&s.req_parts().headers).map(str::to_string);
    let Some(token) = from_auth.or_else(from_header) else {
        return Err(Refused(
            "unauthorized: send a token in the handshake (auth: { token }) or an Authorization: Bearer header".into(),
        ));
    };
    match accounts::authenticate(&svc, &token).await {
        Ok(principal) => {
            // Everything the socket needs is set up here, before the server sends
            // the CONNECT packet: socketioxide runs the connect handler on a task of
            // its own afterwards, so a client that emits `sponsor.leads.join` as soon
            // as it is connected (what dashboards do) could otherwise beat the
            // registration of the event handlers and never get its ack.
            let grants = Grants::default();
            let sid = s.id;
            grants.watch(GrantKey::Session, live::open_session(&svc, &principal), move || {
                // (a socket not in the namespace yet is caught by `on_connect`)
                if let Some(socket) = socket_of(&io, sid) {
                    tracing::info!(socket.id = %sid, "token expired: closing its socket");
                    let _ = socket.disconnect();
                }
            });
            s.extensions.insert(grants);
            // the caller's own messages as an attendee, for as long as the session lasts
            s.join(user_room(principal.user_id));
            if let Some(room) = here.0 {
                s.join(room);
            }
            s.extensions.insert(Caller(principal));
            s.on("sponsor.leads.join", on_join::<A>);
            s.on("sponsor.leads.leave", on_leave::<A>);
            s.on("sponsor.messages.join", on_messages_join::<A>);
            s.on("sponsor.messages.leave", on_messages_leave::<A>);
            s.on_disconnect(async |s: SocketRef<A>| {
                if let Some(g) = s.extensions.get::<Grants>() {
                    g.cancel_all();
                }
            });
            Ok(())
        }
        Err(Error::Internal(e)) => {
            tracing::error!(error = format!("{e:#}"), "socket.io token check failed");
            Err(Refused("the token could not be checked; retry later".into()))
        }
        Err(e) => Err(Refused(format!("unauthorized: {e}"))),
    }
}

/// A connected socket: [`authenticate`] has set it up already.
/// A session that ended while the socket connected (its token expiring in that
/// moment) found no socket to close yet: it is closed now.
pub(super) async fn on_connect<A: Adapter>(s: SocketRef<A>, Extension(caller): Extension<Caller>) {
    if !s.extensions.get::<Grants>().is_some_and(|g| g.holds_live(GrantKey::Session)) {
        tracing::info!(socket.id = %s.id, "token expired while connecting: closing its socket");
        let _ = s.disconnect();
        return;
    }
    tracing::debug!(socket.id = %s.id, user.id = %caller.0.user_id, "socket.io client connected");
}

/// Puts the socket in a sponsor feed's room (`room` of the sponsor) for as long
/// as `grant` lasts; when it ends the socket leaves and receives `closed {
/// sponsorId }`. The room first, then the grant: a grant ended already calls
/// back at once and takes the socket out again. A join decided while its socket
/// disconnected (the disconnect handler has cleared the socket's grants
/// already) drops the new grant and the room at once.
fn enter_feed<A: Adapter>(
    s: &SocketRef<A>,
    io: SocketIo<A>,
    grant: LiveGrant,
    key: GrantKey,
    room: fn(Uuid) -> String,
    closed: &'static str,
) {
    let (GrantKey::Leads(sponsor_id) | GrantKey::Messages(sponsor_id)) = key else { return };
    s.join(room(sponsor_id));
    let sid = s.id;
    let grants = s.extensions.get::<Grants>().unwrap_or_default();
    grants.watch(key, grant, move || {
        if let Some(socket) = socket_of(&io, sid) {
            socket.leave(room(sponsor_id));
            let _ = socket.emit(closed, &serde_json::json!({ "sponsorId": sponsor_id }));
        }
    });
    if !s.connected() {
        grants.cancel(key);
        s.leave(room(sponsor_id));
    }
}

/// Takes the socket out of a feed: the grant before the room. With a join of
/// the same feed running beside this (socketioxide runs each event on a task
/// of its own), the other order could end with the socket in the room and its
/// grant dropped, so that no revocation would take it out.
fn leave_feed<A: Adapter>(s: &SocketRef<A>, key: GrantKey, room: String) {
    if let Some(g) = s.extensions.get::<Grants>() {
        g.cancel(key);
    }
    s.leave(room);
}

fn parse_sponsor(req: Result<RoomRequest, impl fmt::Display>) -> Result<Uuid, String> {
    let req = req.map_err(|_| "send { sponsorId }".to_string())?;
    req.sponsor_id.trim().parse::<Uuid>().map_err(|_| "sponsorId must be a UUID".to_string())
}

/// `sponsor.leads.join { sponsorId }`: joins `sponsor:{sponsorId}` for a caller with
/// `sponsor:leads:read` on it; answers `{ success, error? }`. When the access ends
/// the socket leaves the room and receives `sponsor.leads.closed { sponsorId }`.
async fn on_join<A: Adapter>(
    s: SocketRef<A>,
    TryData(req): TryData<RoomRequest>,
    ack: AckSender<A>,
    io: SocketIo<A>,
    Extension(caller): Extension<Caller>,
    State(svc): State<Services>,
) {
    let answer = match parse_sponsor(req) {
        Err(e) => Ack::refused(e),
        Ok(sponsor_id) => match live::open_lead_feed(&svc, &caller.0, sponsor_id).await {
            Ok(grant) => {
                enter_feed(&s, io, grant, GrantKey::Leads(sponsor_id), sponsor_room, "sponsor.leads.closed");
                tracing::debug!(socket.id = %s.id, sponsor.id = %sponsor_id, "joined the lead feed");
                Ack::ok()
            }
            Err(Error::Internal(e)) => {
                tracing::error!(error = format!("{e:#}"), "sponsor.leads.join failed");
                Ack::refused("internal error; retry later")
            }
            Err(e) => Ack::refused(e.to_string()),
        },
    };
    let _ = ack.send(&answer);
}

/// `sponsor.leads.leave { sponsorId }`: leaves the room; always allowed.
async fn on_leave<A: Adapter>(s: SocketRef<A>, TryData(req): TryData<RoomRequest>, ack: AckSender<A>) {
    let answer = match parse_sponsor(req) {
        Err(e) => Ack::refused(e),
        Ok(sponsor_id) => {
            leave_feed(&s, GrantKey::Leads(sponsor_id), sponsor_room(sponsor_id));
            Ack::ok()
        }
    };
    let _ = ack.send(&answer);
}

/// `sponsor.messages.join { sponsorId }`: joins the sponsor's message room for a
/// caller who may read its threads (`live::open_message_feed`); answers
/// `{ success, error? }`. When that right ends the socket leaves the room and
/// receives `sponsor.messages.closed { sponsorId }`.
async fn on_messages_join<A: Adapter>(
    s: SocketRef<A>,
    TryData(req): TryData<RoomRequest>,
    ack: AckSender<A>,
    io: SocketIo<A>,
    Extension(caller): Extension<Caller>,
    State(svc): State<Services>,
) {
    let answer = match parse_sponsor(req) {
        Err(e) => Ack::refused(e),
        Ok(sponsor_id) => match live::open_message_feed(&svc, &caller.0, sponsor_id).await {
            Ok(grant) => {
                enter_feed(&s, io, grant, GrantKey::Messages(sponsor_id), messages_room, "sponsor.messages.closed");
                Ack::ok()
            }
            Err(Error::Internal(e)) => {
                tracing::error!(error = format!("{e:#}"), "sponsor.messages.join failed");
                Ack::refused("internal error; retry later")
            }
            Err(e) => Ack::refused(e.to_string()),
        },
    };
    let _ = ack.send(&answer);
}

/// `sponsor.messages.leave { sponsorId }`: leaves the room; always allowed.
async fn on_messages_leave<A: Adapter>(s: SocketRef<A>, TryData(req): TryData<RoomRequest>, ack: AckSender<A>) {
    let answer = match parse_sponsor(req) {
        Err(e) => Ack::refused(e),
        Ok(sponsor_id) => {
            leave_feed(&s, GrantKey::Messages(sponsor_id), messages_room(sponsor_id));
            Ack::ok()
        }
    };
    let _ = ack.send(&answer);
}
