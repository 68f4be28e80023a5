//! What every adapter's handlers share, in a module of its own so that adapters do
//! not depend on the application's assembly (`app.rs`).

use crate::config::Config;
use crate::email::Mailer;
use crate::realtime::Gateway;
use sponsorhub_services::Services;
use std::sync::Arc;

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub config: Arc<Config>,
    pub graphql: crate::graphql::SponsorhubSchema,
    /// Where the outbox worker delivers e-mail.
    pub mailer: Arc<Mailer>,
    /// The socket.io gateway (`/socket.io/`, namespace `/events`).
    pub realtime: Gateway,
    /// Turns true when the server starts shutting down: long-lived responses (the
    /// web UI's live feed) end then, so the graceful shutdown does not wait on them.
    pub shutdown: Arc<tokio::sync::watch::Sender<bool>>,
    /// True from the shutdown signal on: answers carry `Connection: close` and
    /// `/readyz` fails, while requests are still accepted for the drain period.
    pub draining: Arc<std::sync::atomic::AtomicBool>,
}

impl AppState {
    pub fn is_draining(&self) -> bool {
        self.draining.load(std::sync::atomic::Ordering::Relaxed)
    }
}
