//! Event service tokens and what the platform reports with them
//! (docs/DECISIONS.md, "Booth pages"): an event's organizers issue a token for
//! the surrounding platform, which then reports that an attendee attended a
//! session of a sponsor; that becomes a `session_attendance` of the sponsor's
//! lead, through the capture service, with the consent the event's rule allows.
//! A token is 32 random bytes, shown once; only its SHA-256 is kept, and it is
//! never logged.

use crate::capture::{CaptureReceipt, PlatformAttendee};
use crate::{Error, Principal, Result, Services};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sponsorhub_domain::validate::{self, Validator};
use sponsorhub_domain::{ids, time};
use sponsorhub_store::service_tokens::{self as q, ServiceToken};
use uuid::Uuid;

/// What every service token starts with, so a leaked one is recognizable.
pub const PREFIX: &str = "shs_";

/// A token to issue.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewServiceToken {
    /// What it is for (1 to 100 characters).
    pub name: String,
}

/// A token just issued: the only time its secret is shown.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject), graphql(name = "IssuedEventServiceToken"))]
pub struct IssuedServiceToken {
    #[serde(flatten)]
    #[cfg_attr(feature = "graphql", graphql(flatten))]
    pub token: ServiceToken,
    /// Send it as `Authorization: Bearer <secret>`. Shown once; only its hash is kept.
    pub secret: String,
}

fn hash(secret: &str) -> String {
    Sha256::digest(secret.trim().as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Issues a service token for the event (its organizers).
#[tracing::instrument(skip_all, fields(event.id = %event))]
pub async fn issue(
    svc: &Services,
    p: &Principal,
    org: Option<Uuid>,
    event: Uuid,
    input: NewServiceToken,
) -> Result<IssuedServiceToken> {
    let name = validate::text("name", &input.name, 1, 100).map_err(|e| Error::Invalid(vec![e]))?;
    let mut tx = svc.store.write().await?;
    crate::authz::event_of_org(&mut tx, p, org, event, true).await?;
    let secret = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>()));
    let token = ServiceToken {
        id: ids::new_id(),
        event_id: event,
        name,
        created_by_user_id: Some(p.user_id),
        created_at: time::now(),
        last_used_at: None,
        revoked_at: None,
    };
    q::insert(&mut tx, &token, &hash(&secret)).await?;
    tx.commit().await?;
    tracing::info!(service_token.id = %token.id, "service token issued");
    Ok(IssuedServiceToken { token, secret })
}

/// The event's service tokens, without secrets (its organizers).
pub async fn list(svc: &Services, p: &Principal, org: Option<Uuid>, event: Uuid) -> Result<Vec<ServiceToken>> {
    let mut tx = svc.store.read().await?;
    crate::authz::event_of_org(&mut tx, p, org, event, true).await?;
    Ok(q::list(&mut tx, event).await?)
}

/// Revokes one of the event's tokens at once (its organizers).
#[tracing::instrument(skip_all, fields(event.id = %event, service_token.id = %id))]
pub async fn revoke(svc: &Services, p: &Principal, org: Option<Uuid>, event: Uuid, id: Uuid) -> Result<ServiceToken> {
    let mut tx = svc.store.write().await?;
    crate::authz::event_of_org(&mut tx, p, org, event, true).await?;
    let token = q::revoke(&mut tx, event, id, time::now()).await?.ok_or(Error::NotFound("service token"))?;
    tx.commit().await?;
    Ok(token)
}

/// The platform's report that an attendee attended a session of a sponsor.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionAttendance {
    /// A sponsor of the event.
    pub sponsor_id: Uuid,
    /// The event's attendee: by platform id, else by e-mail address.
    pub attendee: PlatformAttendee,
    /// The session's title (1 to 300 characters).
    pub session_title: String,
    /// When they attended; default now, at most 5 minutes ahead.
    pub occurred_at: Option<DateTime<Utc>>,
}

/// The event's token this bearer secret is, or 401; a token of another event
/// finds no such event (404).
async fn event_token(svc: &Services, secret: &str, event: Uuid) -> Result<ServiceToken> {
    let mut tx = svc.store.write().await?;
    let token = q::use_by_hash(&mut tx, &hash(secret), time::now())
        .await?
        .ok_or_else(|| Error::Unauthenticated("the service token is not valid, or it was revoked".into()))?;
    if token.event_id != event {
        return Err(Error::NotFound("event"));
    }
    tx.commit().await?;
    Ok(token)
}

/// Records the platform's report of a session attended (a bearer service token of
/// the event): a `session_attendance` of the sponsor's lead on the attendee.
#[tracing::instrument(skip_all, fields(event.id = %event))]
pub async fn record_session_attendance(
    svc: &Services,
    secret: &str,
    event: Uuid,
    input: SessionAttendance,
) -> Result<CaptureReceipt> {
    let mut v = Validator::new();
    let title = v.check(validate::text("session_title", &input.session_title, 1, 300));
    let platform_id =
        v.check(validate::optional_text("attendee.platform_id", input.attendee.platform_id.as_deref(), 200)).flatten();
    let email = v.check(validate::optional_email("attendee.email", input.attendee.email.as_deref())).flatten();
    if platform_id.is_none() && email.is_none() {
        v.push("attendee", "needs a platform id or an e-mail address");
    }
    let now = time::now();
    if input.occurred_at.is_some_and(|t| t > now + Duration::minutes(5)) {
        v.push("occurred_at", "must not be in the future");
    }
    let token = event_token(svc, secret, event).await?;
    v.finish()?;
    let platform = Principal {
        user_id: token.id,
        email: String::new(),
        name: format!("{} (platform)", token.name),
        org: None,
        expires_at: None,
    };
    let attendee = PlatformAttendee { platform_id, email };
    let metadata = serde_json::json!({ "session_title": title.expect("checked"), "service_token_id": token.id });
    let at = input.occurred_at.map_or(now, |t| t.min(now));
    crate::capture::capture_for_platform(svc, &platform, event, input.sponsor_id, attendee, metadata, at).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_hash_of_a_secret_is_kept() {
        let h = hash("shs_abc");
        assert_eq!(h.len(), 64);
        assert!(!h.contains("abc"));
        assert_eq!(h, hash(" shs_abc "));
    }
}
