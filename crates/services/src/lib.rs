//! The service layer: one function per use case. This is the only place that checks
//! permissions, validates input, opens the transaction and decides what to publish
//! after commit. REST, GraphQL and the web UI all call these functions.

pub mod accounts;
pub mod auth;
pub mod error;
pub mod events;
pub mod pagination;
pub mod principal;
pub mod rate_limit;

pub use error::{Error, Result};
pub use principal::Principal;

use auth::TokenService;
use rate_limit::RateLimiter;
use sponsorhub_store::Store;
use std::sync::Arc;
use std::time::Duration;

/// Limits of the use cases, configurable (DESIGN.md §5).
#[derive(Debug, Clone)]
pub struct Limits {
    /// Login attempts per e-mail address per minute.
    pub logins_per_email_per_minute: u32,
    /// Login attempts per client address per minute.
    pub logins_per_client_per_minute: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { logins_per_email_per_minute: 10, logins_per_client_per_minute: 30 }
    }
}

/// Everything a use case needs: the store, the token service, the rate limiters.
/// Built once at start and shared by every adapter.
#[derive(Clone)]
pub struct Services {
    pub store: Store,
    pub tokens: Arc<TokenService>,
    pub limits: Limits,
    pub(crate) login_limiter: Arc<RateLimiter>,
}

impl Services {
    pub fn new(store: Store, tokens: TokenService, limits: Limits) -> Services {
        Services {
            store,
            tokens: Arc::new(tokens),
            limits,
            login_limiter: Arc::new(RateLimiter::new(Duration::from_secs(60))),
        }
    }
}
