//! The real-time gateway (docs/ARCHITECTURE.md, "Real time"): socket.io v4 at `/socket.io/`, namespace
//! `/events`, rooms `sponsor:{sponsorId}`.
//!
//! The use cases publish a [`Notification`] after their transaction commits; the
//! relay task of each instance turns the ones of its own process into room emits.
//! Rooms span instances through the socket.io adapter: in process on the embedded
//! default, or PostgreSQL LISTEN/NOTIFY (`socketioxide-postgres`) when the database
//! is PostgreSQL, so a capture made through instance A reaches a dashboard connected
//! to instance B. Delivery is at most once: every payload carries the lead's
//! `updatedAt`, and a dashboard that reconnects catches up through the lead list's
//! `updated_since` filter.

pub mod handlers;
pub mod payloads;

use crate::config::{Config, RealtimeAdapter};
use anyhow::Context;
use axum::Router;
use handlers::{InstanceRoom, NAMESPACE, instance_room, messages_room, sponsor_room, user_room};
use payloads::{ErasedPayload, IntentPayload, LeadPayload};
use socketioxide::SocketIo;
use socketioxide::adapter::{Adapter, Emitter, LocalAdapter};
use socketioxide::handler::ConnectHandler;
use socketioxide::layer::SocketIoLayer;
use socketioxide_postgres::drivers::sqlx::sqlx_client::PgPool;
use socketioxide_postgres::drivers::sqlx::sqlx_client::postgres::PgConnectOptions;
use socketioxide_postgres::{PostgresAdapterConfig, PostgresAdapterCtr, SqlxAdapter};
use sponsorhub_services::Services;
use sponsorhub_services::notify::Notification;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::broadcast;

/// The socket.io adapter over PostgreSQL LISTEN/NOTIFY.
type PgAdapter = SqlxAdapter<Emitter>;

/// The largest socket.io message (engine.io payload) a client may send.
pub const MAX_SOCKET_PAYLOAD: u64 = 64 * 1024;

/// The socket.io server of one instance; cheap to clone.
#[derive(Clone)]
pub struct Gateway {
    inner: Inner,
}

#[derive(Clone)]
enum Inner {
    /// Rooms in this process only (the single-instance default).
    Local { io: SocketIo<LocalAdapter>, layer: SocketIoLayer<LocalAdapter> },
    /// Rooms across every instance on the same PostgreSQL database and channel
    /// prefix; `here` is this instance's room ([`instance_room`]).
    Postgres { io: SocketIo<PgAdapter>, layer: SocketIoLayer<PgAdapter>, pool: PgPool, here: String, peers: Arc<Peers> },
}

/// Whether other instances listen on this instance's NOTIFY channels, as last
/// seen (docs/DECISIONS.md, "No NOTIFY when no other instance listens"): an emit
/// to other instances is left out only while a look that started less than
/// `trusted` ago found none. An instance starting waits `trusted` after its own
/// adapter's connections are open before it serves, so every look that could
/// have missed it has lapsed by the time one of its sockets joins a room.
struct Peers {
    services: Services,
    prefix: String,
    trusted: Duration,
    /// When the last look that found no other instance started.
    alone_since: std::sync::Mutex<Option<Instant>>,
    /// Emits to other instances left out, for tests.
    skipped: AtomicU64,
}

impl Peers {
    fn alone(&self) -> bool {
        let since = *self.alone_since.lock().expect("not poisoned");
        since.is_some_and(|at| at.elapsed() < self.trusted)
    }

    /// Looks again every half of `trusted`, for ever; a failed look counts as
    /// finding others. A `trusted` of zero trusts no look: nothing is left out.
    async fn watch(&self) {
        if self.trusted.is_zero() {
            return std::future::pending().await;
        }
        loop {
            let started = Instant::now();
            let others = sponsorhub_services::instances::others_listening(&self.services, &self.prefix).await;
            *self.alone_since.lock().expect("not poisoned") = matches!(others, Ok(false)).then_some(started);
            tokio::time::sleep(self.trusted / 2).await;
        }
    }
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

impl Gateway {
    /// Builds the socket.io server and registers `/events`. On PostgreSQL this
    /// starts listening on the adapter's channels before it returns.
    pub async fn start(services: &Services, config: &Config) -> anyhow::Result<Gateway> {
        let postgres = match config.realtime.adapter {
            RealtimeAdapter::Auto => is_postgres(&config.database_url),
            RealtimeAdapter::Local => false,
            RealtimeAdapter::Postgres => {
                anyhow::ensure!(
                    is_postgres(&config.database_url),
                    "the postgres real-time adapter needs DATABASE_URL=postgres://..."
                );
                true
            }
        };
        // Every packet, CONNECT and its auth included, is bounded before anything
        // reads it: 64 KiB a message, a small buffer of pending packets per socket.
        // A socket's WebSocket read buffer starts at 256 bytes, not socketioxide's
        // 4 KiB: dashboards send small joins, and a larger frame grows it
        // (docs/PERFORMANCE.md, "Memory per socket").
        let builder = SocketIo::builder()
            .max_payload(MAX_SOCKET_PAYLOAD)
            .max_buffer_size(128)
            .ws_read_buffer_size(WS_READ_BUFFER)
            .with_state(services.clone())
            .with_state(InstanceRoom(postgres.then(|| instance_room(services.instance_id))));
        let inner = if postgres {
            // A pool of its own: NOTIFYs never wait behind use-case transactions, and
            // the LISTEN connection is opened with the same options (search_path).
            // The adapter sends a room's NOTIFY before it writes to the room's local
            // sockets, and a NOTIFY is a transaction: its commit need not wait for
            // the WAL's flush, since delivery is at most once anyway
            // (docs/DECISIONS.md, "The socket.io adapter's NOTIFYs do not wait ...").
            // Named, so that each instance sees whether another listens on the same
            // channels ([`Peers`]).
            let prefix = &config.realtime.channel_prefix;
            let connect = PgConnectOptions::from_str(&config.database_url)
                .context("parsing DATABASE_URL for the socket.io adapter")?
                .options([("synchronous_commit", "off")])
                .application_name(&sponsorhub_services::instances::listener_name(prefix, services.instance_id));
            let pool = sponsorhub_store::postgres_pool_options()
                .max_connections(4)
                .connect_with(connect)
                .await
                .context("connecting the socket.io adapter to PostgreSQL")?;
            let adapter = PostgresAdapterCtr::new_with_sqlx_config(
                pool.clone(),
                PostgresAdapterConfig::new().with_prefix(config.realtime.channel_prefix.clone()),
            );
            let (layer, io) = builder.with_adapter::<PgAdapter>(adapter).build_layer();
            io.ns(NAMESPACE, handlers::on_connect::<PgAdapter>.with(handlers::authenticate::<PgAdapter>))
                .await
                .context("starting the socket.io PostgreSQL adapter (LISTEN/NOTIFY)")?;
            // Listening now: the others' looks that may have missed this instance
            // lapse before it serves ([`Peers`]).
            let trusted = config.realtime.peers_trusted;
            tokio::time::sleep(trusted).await;
            let peers = Arc::new(Peers {
                services: services.clone(),
                prefix: prefix.clone(),
                trusted,
                alone_since: std::sync::Mutex::new(None),
                skipped: AtomicU64::new(0),
            });
            Inner::Postgres { io, layer, pool, here: instance_room(services.instance_id), peers }
        } else {
            let (layer, io) = builder.build_layer();
            io.ns(NAMESPACE, handlers::on_connect::<LocalAdapter>.with(handlers::authenticate::<LocalAdapter>));
            Inner::Local { io, layer }
        };
        Ok(Gateway { inner })
    }

    /// `local` or `postgres`: how rooms span instances.
    pub fn adapter_name(&self) -> &'static str {
        match &self.inner {
            Inner::Local { .. } => "local",
            Inner::Postgres { .. } => "postgres",
        }
    }

    /// A setting of the adapter's PostgreSQL connections (`None` on the local
    /// adapter), for tests.
    #[doc(hidden)]
    pub async fn adapter_setting(&self, name: &str) -> Option<String> {
        let Inner::Postgres { pool, .. } = &self.inner else { return None };
        socketioxide_postgres::drivers::sqlx::sqlx_client::query_scalar("SELECT current_setting($1)")
            .bind(name)
            .fetch_one(pool)
            .await
            .ok()
    }

    /// Emits to other instances left out because none listened (0 on the
    /// local adapter), for tests.
    #[doc(hidden)]
    pub fn emits_skipped(&self) -> u64 {
        match &self.inner {
            Inner::Local { .. } => 0,
            Inner::Postgres { peers, .. } => peers.skipped.load(Ordering::Relaxed),
        }
    }

    /// Closes the adapter's NOTIFY pool, so that every emit to other instances
    /// fails from now on (nothing on the local adapter), for tests.
    #[doc(hidden)]
    pub async fn cut_off_other_instances(&self) {
        if let Inner::Postgres { pool, .. } = &self.inner {
            pool.close().await;
        }
    }

    /// Serves `/socket.io/` in front of `router`.
    pub fn attach<S: Clone + Send + Sync + 'static>(&self, router: Router<S>) -> Router<S> {
        let router = match &self.inner {
            Inner::Local { layer, .. } => router.layer(layer.clone()),
            Inner::Postgres { layer, .. } => router.layer(layer.clone()),
        };
        // added after the socket.io layer, so it runs before it
        router.layer(axum::middleware::map_request(own_head))
    }

    /// Forwards this process's notifications to the rooms until the notifier
    /// closes, from two subscriptions of it (the second is dropped in process).
    /// Subscribe before serving so that nothing committed is missed.
    ///
    /// Across instances the adapter sends a room's NOTIFY before it writes to
    /// this instance's sockets, so each delivery here waited for a round trip to
    /// PostgreSQL, and the next notification for all of them. Instead, this
    /// instance's sockets get each emit at once (`local`), and a second loop on
    /// its own subscription sends it to the other instances' sockets (every
    /// socket but this instance's): docs/DECISIONS.md, "This instance's sockets
    /// first".
    pub async fn relay(self, here: broadcast::Receiver<Notification>, elsewhere: broadcast::Receiver<Notification>) {
        match &self.inner {
            Inner::Local { io, .. } => {
                drop(elsewhere);
                forward(here, |n| deliver(io, n, Scope::All)).await
            }
            Inner::Postgres { io, here: room, peers, .. } => {
                let forwards = async {
                    tokio::join!(
                        forward(here, |n| deliver(io, n, Scope::Here)),
                        forward(elsewhere, |n| async {
                            // No NOTIFY while no other instance listens.
                            if peers.alone() {
                                peers.skipped.fetch_add(1, Ordering::Relaxed);
                            } else {
                                deliver(io, n, Scope::Elsewhere(room)).await;
                            }
                        }),
                    )
                };
                tokio::select! {
                    _ = forwards => {}
                    () = peers.watch() => {}
                }
            }
        }
    }

    /// Disconnects every client (so that long-polling requests end) and stops the
    /// adapter.
    pub async fn close(&self) {
        match &self.inner {
            Inner::Local { io, .. } => io.close().await,
            Inner::Postgres { io, pool, .. } => {
                io.close().await;
                pool.close().await;
            }
        }
    }
}

/// The read buffer a socket's WebSocket starts with.
const WS_READ_BUFFER: usize = 256;

/// The headers a socket.io request keeps past [`own_head`]: the WebSocket
/// key engineioxide answers the upgrade with, a polling request's content
/// type, and the bearer token the connect handler may read.
const KEPT_HEADERS: [axum::http::HeaderName; 3] =
    [axum::http::header::AUTHORIZATION, axum::http::header::SEC_WEBSOCKET_KEY, axum::http::header::CONTENT_TYPE];

/// A socket.io request's head cut down to what is read past this point: its
/// URI and [`KEPT_HEADERS`], copied out of the HTTP connection's read buffer,
/// and of its extensions hyper's upgrade handle alone. engineioxide keeps a
/// socket's request head for the socket's whole life, and hyper hands the URI
/// and header values out as slices of that buffer (16 KiB once grown); axum
/// keeps a clone of the URI in the extensions (`OriginalUri`), tower-http one
/// of the `x-request-id` header (`RequestId`). Without the copies every open
/// socket kept the whole buffer alive; the header map, grown for the request
/// id's header, and the extensions were a kilobyte each more
/// (docs/PERFORMANCE.md, "Memory per socket"). The layers in front of this
/// one (the trace span, the request id) have read what they need already.
async fn own_head(mut req: axum::extract::Request) -> axum::extract::Request {
    let path = req.uri().path();
    if path != "/socket.io" && !path.starts_with("/socket.io/") {
        return req;
    }
    if let Ok(uri) = axum::http::Uri::try_from(req.uri().to_string()) {
        *req.uri_mut() = uri;
    }
    // a map of just the size kept: a WebSocket's head keeps its key alone
    let count = KEPT_HEADERS.iter().map(|name| req.headers().get_all(name).iter().count()).sum();
    let mut kept = axum::http::HeaderMap::with_capacity(count);
    for name in KEPT_HEADERS {
        for value in req.headers().get_all(&name) {
            if let Ok(mut copy) = axum::http::HeaderValue::from_bytes(value.as_bytes()) {
                copy.set_sensitive(value.is_sensitive());
                kept.append(name.clone(), copy);
            }
        }
    }
    *req.headers_mut() = kept;
    let upgrade = req.extensions_mut().remove::<hyper::upgrade::OnUpgrade>();
    *req.extensions_mut() = axum::http::Extensions::new();
    if let Some(upgrade) = upgrade {
        req.extensions_mut().insert(upgrade);
    }
    req
}

/// Runs `deliver` on each notification until the notifier closes.
async fn forward<F: Future<Output = ()>>(
    mut rx: broadcast::Receiver<Notification>,
    deliver: impl Fn(Notification) -> F,
) {
    loop {
        match rx.recv().await {
            Ok(n) => deliver(n).await,
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                // At most once: dashboards catch up with `updated_since`.
                tracing::warn!(missed, "real-time relay fell behind; notifications dropped");
            }
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}

/// Which sockets of a room an emit reaches.
#[derive(Clone, Copy)]
enum Scope<'a> {
    /// Every socket, wherever it is connected (in process: all there are).
    All,
    /// This instance's sockets, with no round trip.
    Here,
    /// Every other instance's sockets: all but those in this instance's room.
    Elsewhere(&'a str),
}

/// One notification to its room, within `scope`: lead events to `sponsor:{id}`.
/// (A revoked access ends the sockets' live grants, `services::live`, on every
/// instance.)
async fn deliver<A: Adapter>(io: &SocketIo<A>, n: Notification, scope: Scope<'_>) {
    let Some(ns) = io.of(NAMESPACE) else { return };
    let to = |room: String| {
        let to = ns.clone().to(room);
        match scope {
            Scope::All => to,
            Scope::Here => to.local(),
            Scope::Elsewhere(here) => to.except(here.to_string()),
        }
    };
    let sent = match &n {
        Notification::LeadCaptured { lead } => {
            to(sponsor_room(lead.sponsor_id)).emit("lead.captured.new", &LeadPayload::from(lead)).await
        }
        Notification::LeadIntentUpdated(change) => {
            to(sponsor_room(change.sponsor_id)).emit("lead.intent.updated", &IntentPayload::from(change)).await
        }
        Notification::LeadUpdated { lead } => {
            to(sponsor_room(lead.sponsor_id)).emit("lead.updated", &LeadPayload::from(lead)).await
        }
        Notification::LeadErased { lead_id, sponsor_id, erased_at } => {
            let payload = ErasedPayload { lead_id: *lead_id, sponsor_id: *sponsor_id, erased_at: *erased_at };
            to(sponsor_room(*sponsor_id)).emit("lead.erased", &payload).await
        }
        Notification::MessageNew(m) => {
            let (to_staff, to_attendee) =
                (payloads::MessagePayload::of(m, false), payloads::MessagePayload::of(m, true));
            let staff = to(messages_room(m.sponsor_id)).emit("message.new", &to_staff).await;
            let attendee = to(user_room(m.attendee_user_id)).emit("message.new", &to_attendee).await;
            staff.and(attendee)
        }
        Notification::AccessRevoked { .. } | Notification::InvitationIssued(_) => Ok(()),
    };
    if let Err(e) = sent {
        tracing::warn!(error = %e, sponsor.id = %n.sponsor_id(), "real-time emit failed");
    }
}

#[cfg(test)]
mod tests {
    use super::own_head;
    use axum::body::{Body, Bytes};
    use axum::extract::{OriginalUri, Request};
    use axum::http::{HeaderValue, Uri};
    use tower_http::request_id::RequestId;

    /// A request whose URI and header values are slices of one buffer, as hyper
    /// hands them out, with axum's `OriginalUri` and tower-http's `RequestId`
    /// beside them.
    fn request_sharing(buffer: &Bytes, path: &str) -> Request {
        let at = |s: &str| {
            let start = buffer.windows(s.len()).position(|w| w == s.as_bytes()).expect("in the buffer");
            buffer.slice(start..start + s.len())
        };
        let uri = Uri::from_maybe_shared(at(path)).expect("a URI");
        let mut req = Request::builder().uri(uri.clone()).body(Body::empty()).expect("a request");
        req.extensions_mut().insert(OriginalUri(uri));
        let id = HeaderValue::from_maybe_shared(at("id-7")).expect("a value");
        req.extensions_mut().insert(RequestId::new(id.clone()));
        req.extensions_mut().insert(hyper::upgrade::on(Request::new(())));
        let headers = req.headers_mut();
        headers.insert("x-request-id", id);
        headers.insert("authorization", HeaderValue::from_maybe_shared(at("Bearer abc")).expect("a value"));
        headers.insert("sec-websocket-key", HeaderValue::from_maybe_shared(at("dGhlIHNhbXBsZQ==")).expect("a value"));
        headers.append("x-many", HeaderValue::from_maybe_shared(at("one")).expect("a value"));
        headers.append("x-many", HeaderValue::from_maybe_shared(at("two")).expect("a value"));
        req
    }

    fn read_buffer(path: &str) -> Bytes {
        Bytes::from(format!(
            "GET {path} HTTP/1.1\r\nauthorization: Bearer abc\r\nsec-websocket-key: dGhlIHNhbXBsZQ==\r\nx-many: one\r\nx-many: two\r\nx-request-id: id-7\r\n"
        ))
    }

    #[tokio::test]
    async fn a_socket_request_keeps_nothing_of_the_connections_read_buffer() {
        for path in ["/socket.io/?EIO=4&transport=websocket", "/socket.io?EIO=4&transport=websocket"] {
            let buffer = read_buffer(path);
            let req = own_head(request_sharing(&buffer, path)).await;
            assert!(buffer.is_unique(), "the request for {path} still holds slices of the read buffer");
            // and it says the same as before
            assert_eq!(req.uri(), path);
            // nothing reads the extensions past this point but the upgrade
            assert!(req.extensions().get::<OriginalUri>().is_none() && req.extensions().get::<RequestId>().is_none());
            assert!(req.extensions().get::<hyper::upgrade::OnUpgrade>().is_some());
            // the headers read past this point, and no others
            assert_eq!(req.headers()["authorization"], "Bearer abc");
            assert_eq!(req.headers()["sec-websocket-key"], "dGhlIHNhbXBsZQ==");
            assert_eq!(req.headers().len(), 2, "{:?}", req.headers());
        }
    }

    #[tokio::test]
    async fn other_requests_are_left_as_they_are() {
        let path = "/api/v1/me";
        let buffer = read_buffer(path);
        let req = own_head(request_sharing(&buffer, path)).await;
        assert!(!buffer.is_unique());
        drop(req);
        assert!(buffer.is_unique());
    }
}
