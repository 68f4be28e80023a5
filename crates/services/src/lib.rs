//! The service layer: one function per use case. This is the only place that checks
//! permissions, validates input, opens the transaction and decides what to publish
//! after commit. REST, GraphQL and the web UI all call these functions.

pub mod accounts;
pub mod allocator;
pub mod analytics;
pub mod attendees;
pub mod auth;
pub mod authz;
pub mod badges;
pub mod booths;
pub mod capture;
pub mod consents;
pub mod content;
pub mod contract;
pub mod email;
pub mod erasure;
pub mod error;
pub mod events;
pub mod exports;
pub mod health;
pub mod imports;
pub mod instances;
pub mod invitations;
pub mod json;
pub mod leads;
pub mod live;
pub mod logos;
pub mod members;
pub mod messages;
pub mod my_data;
pub mod notify;
pub mod objects;
pub mod pagination;
pub mod presence;
pub mod principal;
pub mod questions;
pub mod rate_limit;
pub mod service_tokens;
pub mod sponsors;
pub mod tiers;
pub mod webhooks;

pub use error::{Error, Result};
pub use principal::Principal;

use auth::TokenService;
use rate_limit::Limit;
use sponsorhub_store::Store;
use std::sync::Arc;
use std::time::Duration;

/// Limits of the use cases, configurable (README, "Configuration").
#[derive(Debug, Clone)]
pub struct Limits {
    /// Login attempts per e-mail address per minute.
    pub logins_per_email_per_minute: u32,
    /// Login attempts per client address per minute.
    pub logins_per_client_per_minute: u32,
    /// Invitations (created or resent) per user per minute.
    pub invitations_per_minute: u32,
    /// Lead captures per user per minute.
    pub captures_per_minute: u32,
    /// Sign-ups per client address per minute.
    pub signups_per_client_per_minute: u32,
    /// Messages (staff or attendee) per sender per minute.
    pub messages_per_minute: u32,
    /// How long an invitation stays acceptable.
    pub invitation_ttl: chrono::Duration,
    /// How long idempotency keys are remembered.
    pub idempotency_retention: chrono::Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            logins_per_email_per_minute: 10,
            logins_per_client_per_minute: 30,
            invitations_per_minute: 10,
            captures_per_minute: 30,
            signups_per_client_per_minute: 10,
            messages_per_minute: 20,
            invitation_ttl: chrono::Duration::days(7),
            idempotency_retention: chrono::Duration::hours(24),
        }
    }
}

/// The claims of a token that were applied: user, organization and role, e-mail, `iat`.
pub(crate) type IdentityKey = (uuid::Uuid, Option<(uuid::Uuid, sponsorhub_domain::OrgRole)>, String, Option<i64>);

/// Everything a use case needs: the store, the token service, the rate limiters.
/// Built once at start and shared by every adapter.
#[derive(Clone)]
pub struct Services {
    pub store: Store,
    pub tokens: Arc<TokenService>,
    pub limits: Limits,
    /// How e-mail is queued and retried.
    pub email: email::EmailSettings,
    /// How webhooks are delivered and retried, and where they may go.
    pub webhooks: webhooks::WebhookSettings,
    pub notifier: notify::Notifier,
    /// Where uploaded files (booth content) are kept.
    pub objects: objects::Objects,
    /// The open grants of this instance's live channels.
    pub live: Arc<live::LiveRegistry>,
    /// Where users reach the service: the base of links in messages.
    pub public_url: String,
    /// This process, among the service's processes (`instances`).
    pub instance_id: uuid::Uuid,
    /// The key badge codes are derived with (`attendees`).
    pub(crate) badge_secret: Arc<Vec<u8>>,
    pub(crate) login_email_limiter: Arc<Limit>,
    pub(crate) login_client_limiter: Arc<Limit>,
    pub(crate) signup_limiter: Arc<Limit>,
    pub(crate) invite_limiter: Arc<Limit>,
    pub(crate) capture_limiter: Arc<Limit>,
    pub(crate) message_limiter: Arc<Limit>,
    /// Bounds the argon2 hashes that run at once (sign-up, login): each takes
    /// ~19 MiB and a core for a while.
    pub(crate) hashing: Arc<tokio::sync::Semaphore>,
    /// Bounds the lead exports that run at once: each holds a read connection for
    /// as long as its file takes to download (docs/DECISIONS.md, "Lead export").
    pub(crate) exports: Arc<tokio::sync::Semaphore>,
    /// Identities whose rows were checked lately (see `accounts::authenticate`).
    pub(crate) known_identities: Arc<rate_limit::RecentMap<IdentityKey, String>>,
    /// Captures' contexts read lately (`capture`).
    pub(crate) capture_contexts: Arc<capture::CaptureContexts>,
    /// Rows written so far by the import jobs this process runs (`imports`).
    pub(crate) import_progress: Arc<std::sync::Mutex<std::collections::HashMap<uuid::Uuid, i32>>>,
}

impl Services {
    pub fn new(
        store: Store,
        tokens: TokenService,
        limits: Limits,
        public_url: String,
        badge_secret: Vec<u8>,
        objects: objects::Objects,
    ) -> Services {
        let limit = |name, n| Arc::new(Limit::new(name, n));
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        Services {
            store,
            tokens: Arc::new(tokens),
            login_email_limiter: limit("login-email", limits.logins_per_email_per_minute),
            login_client_limiter: limit("login-client", limits.logins_per_client_per_minute),
            signup_limiter: limit("signup-client", limits.signups_per_client_per_minute),
            invite_limiter: limit("invitations", limits.invitations_per_minute),
            capture_limiter: limit("captures", limits.captures_per_minute),
            message_limiter: limit("messages", limits.messages_per_minute),
            limits,
            email: email::EmailSettings::default(),
            webhooks: webhooks::WebhookSettings::default(),
            notifier: notify::Notifier::default(),
            objects,
            live: Arc::default(),
            public_url,
            instance_id: sponsorhub_domain::ids::new_id(),
            badge_secret: Arc::new(badge_secret),
            hashing: Arc::new(tokio::sync::Semaphore::new(cores * 2)),
            exports: Arc::new(tokio::sync::Semaphore::new(exports::MAX_RUNNING)),
            known_identities: Arc::new(rate_limit::RecentMap::new(Duration::from_secs(300), 100_000)),
            capture_contexts: Arc::default(),
            import_progress: Arc::default(),
        }
    }

    /// Forgets rate-limit keys that have recovered, in memory and (PostgreSQL) in
    /// the database (the janitor calls it).
    pub async fn sweep_rate_limits(&self) -> Result<()> {
        if self.store.backend() == sponsorhub_store::Backend::Postgres {
            let mut tx = self.store.write().await?;
            sponsorhub_store::rate_limits::sweep(&mut tx, sponsorhub_domain::time::now() - chrono::Duration::hours(1))
                .await?;
            tx.commit().await?;
        }
        self.sweep_memory();
        Ok(())
    }

    fn sweep_memory(&self) {
        for l in [
            &self.login_email_limiter,
            &self.login_client_limiter,
            &self.signup_limiter,
            &self.invite_limiter,
            &self.capture_limiter,
            &self.message_limiter,
        ] {
            l.sweep();
        }
    }

    /// The same services with these e-mail settings.
    pub fn with_email_settings(mut self, settings: email::EmailSettings) -> Services {
        self.email = settings;
        self
    }

    /// The same services with these webhook settings.
    pub fn with_webhook_settings(mut self, settings: webhooks::WebhookSettings) -> Services {
        self.webhooks = settings;
        self
    }
}
