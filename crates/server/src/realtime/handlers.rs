//! The `/events` namespace: the connect middleware that checks the token, and the
//! `sponsor.leads.join` / `sponsor.leads.leave` events. Generic over the adapter, so
//! the same code runs on the in-process adapter and on the PostgreSQL one. Who may
//! join is a service decision (`leads::authorize_lead_feed`); this file only parses
//! and answers.

use super::payloads::{Ack, HandshakeAuth, RoomRequest};
use axum::http::header::AUTHORIZATION;
use socketioxide::adapter::Adapter;
use socketioxide::extract::{AckSender, Extension, SocketRef, State, TryData};
use sponsorhub_services::{Error, Principal, Services, accounts, leads};
use std::fmt;
use uuid::Uuid;

/// The socket.io namespace of the lead feed.
pub const NAMESPACE: &str = "/events";

/// The room of a sponsor's lead feed.
pub fn sponsor_room(sponsor_id: Uuid) -> String {
    format!("sponsor:{sponsor_id}")
}

/// Every socket of a user joins this room, so that a change of their access can
/// reach all of them, on whichever instance they are connected.
pub fn user_room(user_id: Uuid) -> String {
    format!("user:{user_id}")
}

/// The authenticated user of a socket, kept in the socket's extensions.
#[derive(Clone)]
pub struct Caller(pub Principal);

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
    TryData(auth): TryData<HandshakeAuth>,
    State(svc): State<Services>,
) -> Result<(), Refused> {
    let from_auth = auth.ok().and_then(|a| a.token).map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
    let from_header = || {
        s.req_parts()
            .headers
            .get(AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
    };
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
            s.join(user_room(principal.user_id));
            s.extensions.insert(Caller(principal));
            s.on("sponsor.leads.join", on_join::<A>);
            s.on("sponsor.leads.leave", on_leave::<A>);
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
pub(super) async fn on_connect<A: Adapter>(s: SocketRef<A>, Extension(caller): Extension<Caller>) {
    tracing::debug!(socket.id = %s.id, user.id = %caller.0.user_id, "socket.io client connected");
}

fn parse_sponsor(req: Result<RoomRequest, impl fmt::Display>) -> Result<Uuid, String> {
    let req = req.map_err(|_| "send { sponsorId }".to_string())?;
    req.sponsor_id.trim().parse::<Uuid>().map_err(|_| "sponsorId must be a UUID".to_string())
}

/// `sponsor.leads.join { sponsorId }`: joins `sponsor:{sponsorId}` for a caller with
/// `sponsor:leads:read` on it; answers `{ success, error? }`.
async fn on_join<A: Adapter>(
    s: SocketRef<A>,
    TryData(req): TryData<RoomRequest>,
    ack: AckSender<A>,
    Extension(caller): Extension<Caller>,
    State(svc): State<Services>,
) {
    let answer = match parse_sponsor(req) {
        Err(e) => Ack::refused(e),
        Ok(sponsor_id) => match leads::authorize_lead_feed(&svc, &caller.0, sponsor_id).await {
            Ok(()) => {
                s.join(sponsor_room(sponsor_id));
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
            s.leave(sponsor_room(sponsor_id));
            Ack::ok()
        }
    };
    let _ = ack.send(&answer);
}
