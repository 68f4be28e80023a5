//! Who makes a request.

use sponsorhub_domain::OrgRole;
use uuid::Uuid;

/// The authenticated caller, built by an adapter from a bearer token or the session
/// cookie and handed to every use case.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: Uuid,
    pub email: String,
    pub name: String,
    /// The organization the token was issued for, with the role it states.
    pub org: Option<(Uuid, OrgRole)>,
    /// When the credentials expire (the token's `exp`): long-lived connections
    /// (sockets) end then. `None` for callers inside the process (the seed command).
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
}
