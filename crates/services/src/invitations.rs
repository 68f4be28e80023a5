//! Invitations to a sponsor's staff: created by organizers and by staff who may
//! invite; accepted by the invited person. The token is 32 random bytes, shown only
//! in the invitation message; the database keeps its SHA-256.

use crate::authz::SponsorAccess;
use crate::notify::{InvitationMessage, Notification};
use crate::{Error, Principal, Result, Services};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sponsorhub_domain::validate::{self, Validator};
use sponsorhub_domain::{InvitationStatus, SponsorPermissions, SponsorRole, ids, time};
use sponsorhub_store::records::{Event, Invitation, Sponsor, SponsorMember};
use sponsorhub_store::{StoreError, Tx, accounts, events as event_store, invitations as q, members, sponsors, tiers};
use uuid::Uuid;

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateInvitation {
    pub email: String,
    /// admin, representative, booth_staff or viewer
    #[cfg_attr(feature = "openapi", schema(value_type = SponsorRole))]
    pub role: String,
    pub personal_message: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcceptInvitation {
    /// The token from the invitation's link.
    pub token: String,
}

/// What accepting an invitation made: the membership, in its sponsor.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject), graphql(name = "AcceptedInvitation"))]
pub struct Accepted {
    pub invitation: Invitation,
    pub membership: SponsorMember,
    pub sponsor: Sponsor,
}

/// What the accept page shows before accepting.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject), graphql(complex))]
pub struct InvitationPreview {
    pub invitation_id: Uuid,
    pub email: String,
    /// admin, representative, booth_staff or viewer
    #[cfg_attr(feature = "graphql", graphql(skip))]
    pub role: SponsorRole,
    /// pending, accepted, revoked or expired
    #[cfg_attr(feature = "graphql", graphql(skip))]
    pub status: InvitationStatus,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub sponsor_id: Uuid,
    pub sponsor_name: String,
    pub event_id: Uuid,
    pub event_name: String,
    pub personal_message: Option<String>,
}

#[cfg(feature = "graphql")]
#[async_graphql::ComplexObject]
impl InvitationPreview {
    /// admin, representative, booth_staff or viewer
    async fn role(&self) -> &'static str {
        self.role.as_str()
    }

    /// pending, accepted, revoked or expired
    async fn status(&self) -> &'static str {
        self.status.as_str()
    }
}

impl InvitationPreview {
    fn new(inv: Invitation, sponsor: Sponsor, event: Event) -> InvitationPreview {
        InvitationPreview {
            invitation_id: inv.id,
            email: inv.email,
            role: inv.role,
            status: inv.status,
            expires_at: inv.expires_at,
            sponsor_id: sponsor.id,
            sponsor_name: sponsor.company_name,
            event_id: event.id,
            event_name: event.name,
            personal_message: inv.personal_message,
        }
    }
}

/// A fresh token and its hash.
fn new_token() -> (String, String) {
    let token = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let hash = hash_token(&token);
    (token, hash)
}

fn hash_token(token: &str) -> String {
    hex_encode(&Sha256::digest(token.trim().as_bytes()))
}

fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A pending invitation past its expiry reads as expired even before the sweep.
fn effective(mut i: Invitation, now: chrono::DateTime<chrono::Utc>) -> Invitation {
    if i.status == InvitationStatus::Pending && i.expires_at <= now {
        i.status = InvitationStatus::Expired;
    }
    i
}

/// The invitation and access to its sponsor, for paths that name the organization.
async fn load(tx: &mut Tx, p: &Principal, org: Option<Uuid>, id: Uuid) -> Result<(Invitation, SponsorAccess)> {
    let inv = q::get(tx, id).await?.ok_or(Error::NotFound("invitation"))?;
    let access = SponsorAccess::load_in_org(tx, p, org, inv.sponsor_id).await.map_err(|e| match e {
        Error::NotFound(_) => Error::NotFound("invitation"),
        e => e,
    })?;
    access.require_invite()?;
    Ok((inv, access))
}

async fn message(
    tx: &mut Tx,
    svc: &Services,
    p: &Principal,
    inv: &Invitation,
    sponsor: &Sponsor,
    token: String,
) -> Result<InvitationMessage> {
    let event = event_store::get_any(tx, sponsor.event_id).await?.ok_or(Error::NotFound("event"))?;
    Ok(InvitationMessage {
        invitation_id: inv.id,
        sponsor_id: sponsor.id,
        to_email: inv.email.clone(),
        role: inv.role,
        inviter_name: p.name.clone(),
        sponsor_name: sponsor.company_name.clone(),
        event_name: event.name,
        personal_message: inv.personal_message.clone(),
        expires_at: inv.expires_at,
        accept_url: format!("{}/invitations/accept?token={token}", svc.public_url.trim_end_matches('/')),
        token,
    })
}

#[tracing::instrument(skip_all, fields(sponsor.id = %sponsor_id))]
pub async fn create_invitation(
    svc: &Services,
    p: &Principal,
    org: Option<Uuid>,
    sponsor_id: Uuid,
    input: CreateInvitation,
) -> Result<Invitation> {
    let mut v = Validator::new();
    let email = v.check(validate::email("email", &input.email));
    let role = v.check(validate::choice::<SponsorRole>("role", &input.role));
    let personal_message =
        v.check(validate::optional_text("personal_message", input.personal_message.as_deref(), 2000));
    v.finish()?;
    svc.invite_limiter.hit(&svc.store, &p.user_id.to_string()).await?;

    let now = time::now();
    let mut tx = svc.store.write().await?;
    let access = SponsorAccess::load_in_org(&mut tx, p, org, sponsor_id).await?;
    access.require_invite()?;
    // The invited person starts with the role's flags: the inviter must hold them.
    let role = role.unwrap();
    access.check_grant(None, role, SponsorPermissions::NONE, role.default_permissions())?;
    if access.sponsor.is_archived {
        return Err(Error::Conflict("the sponsor is archived".into()));
    }
    let email = email.unwrap();
    if let Some((user, _)) = accounts::find_credentials(&mut tx, &email).await?
        && members::find(&mut tx, sponsor_id, user.id).await?.is_some_and(|m| m.is_active)
    {
        return Err(Error::Conflict("this person is on the sponsor's staff already".into()));
    }
    q::expire_overdue(&mut tx, sponsor_id, now).await?;
    let (token, hash) = new_token();
    let inv = Invitation {
        id: ids::new_id(),
        sponsor_id,
        email,
        role,
        status: InvitationStatus::Pending,
        personal_message: personal_message.unwrap(),
        invited_by_user_id: Some(p.user_id),
        accepted_by_user_id: None,
        expires_at: now + svc.limits.invitation_ttl,
        accepted_at: None,
        created_at: now,
        updated_at: now,
    };
    q::insert(&mut tx, &inv, &hash).await.map_err(|e| match e {
        StoreError::Unique(_) => {
            Error::Conflict("a pending invitation for this e-mail address exists; resend it".into())
        }
        e => e.into(),
    })?;
    let msg = message(&mut tx, svc, p, &inv, &access.sponsor, token).await?;
    // The e-mail commits with the invitation, or neither does.
    crate::email::enqueue_invitation(&mut tx, &msg).await?;
    tx.commit().await?;
    tracing::info!(invitation.id = %inv.id, "invitation created");
    svc.notifier.publish(Notification::InvitationIssued(msg));
    Ok(inv)
}

/// The sponsor's invitations, newest first; `status` filters.
pub async fn list_invitations(
    svc: &Services,
    p: &Principal,
    org: Option<Uuid>,
    sponsor_id: Uuid,
    status: Option<&str>,
) -> Result<Vec<Invitation>> {
    let status = match status {
        Some(s) => Some(validate::choice::<InvitationStatus>("status", s).map_err(|e| Error::Invalid(vec![e]))?),
        None => None,
    };
    let now = time::now();
    let mut tx = svc.store.read().await?;
    let access = SponsorAccess::load_in_org(&mut tx, p, org, sponsor_id).await?;
    access.require_invite()?;
    // Read every status, then filter by the effective one (a pending invitation
    // past its expiry is expired).
    let all = q::list(&mut tx, sponsor_id, None).await?;
    Ok(all.into_iter().map(|i| effective(i, now)).filter(|i| status.is_none_or(|s| i.status == s)).collect())
}

#[tracing::instrument(skip_all, fields(invitation.id = %id))]
pub async fn revoke_invitation(svc: &Services, p: &Principal, org: Option<Uuid>, id: Uuid) -> Result<Invitation> {
    let now = time::now();
    let mut tx = svc.store.write().await?;
    let (inv, _) = load(&mut tx, p, org, id).await?;
    let mut inv = effective(inv, now);
    if inv.status != InvitationStatus::Pending {
        return Err(Error::Conflict(format!("the invitation is {}, not pending", inv.status)));
    }
    inv.status = InvitationStatus::Revoked;
    inv.updated_at = now;
    q::update(&mut tx, &inv, None).await?;
    tx.commit().await?;
    Ok(inv)
}

/// Issues a fresh token and expiry for a pending or expired invitation and sends it again.
#[tracing::instrument(skip_all, fields(invitation.id = %id))]
pub async fn resend_invitation(svc: &Services, p: &Principal, org: Option<Uuid>, id: Uuid) -> Result<Invitation> {
    svc.invite_limiter.hit(&svc.store, &p.user_id.to_string()).await?;
    let now = time::now();
    let mut tx = svc.store.write().await?;
    let (mut inv, access) = load(&mut tx, p, org, id).await?;
    if !matches!(inv.status, InvitationStatus::Pending | InvitationStatus::Expired) {
        return Err(Error::Conflict(format!("the invitation is {}; invite again instead", inv.status)));
    }
    if access.sponsor.is_archived {
        return Err(Error::Conflict("the sponsor is archived".into()));
    }
    let (token, hash) = new_token();
    inv.status = InvitationStatus::Pending;
    inv.expires_at = now + svc.limits.invitation_ttl;
    inv.updated_at = now;
    q::update(&mut tx, &inv, Some(&hash)).await.map_err(|e| match e {
        StoreError::Unique(_) => Error::Conflict("another pending invitation for this e-mail address exists".into()),
        e => e.into(),
    })?;
    let msg = message(&mut tx, svc, p, &inv, &access.sponsor, token).await?;
    // The e-mail commits with the invitation, or neither does.
    crate::email::enqueue_invitation(&mut tx, &msg).await?;
    tx.commit().await?;
    svc.notifier.publish(Notification::InvitationIssued(msg));
    Ok(inv)
}

/// Accepts an invitation for the signed-in caller, whose e-mail must be the invited one.
#[tracing::instrument(skip_all)]
pub async fn accept_invitation(svc: &Services, p: &Principal, input: AcceptInvitation) -> Result<Accepted> {
    let token = validate::text("token", &input.token, 1, 200)
        .map_err(|_| Error::invalid("token", "must be the token from the invitation"))?;
    let token = token.as_str();
    let now = time::now();
    let mut tx = svc.store.write().await?;
    let mut inv = q::find_by_token_hash(&mut tx, &hash_token(token)).await?.ok_or(Error::NotFound("invitation"))?;
    inv = effective(inv, now);
    match inv.status {
        InvitationStatus::Accepted => return Err(Error::Conflict("the invitation was accepted already".into())),
        InvitationStatus::Revoked => return Err(Error::Gone("the invitation was revoked".into())),
        InvitationStatus::Expired => {
            return Err(Error::Gone("the invitation has expired; ask for a new one".into()));
        }
        InvitationStatus::Pending => {}
    }
    if !inv.email.eq_ignore_ascii_case(&p.email) {
        return Err(Error::Forbidden("this invitation is for another e-mail address".into()));
    }
    let sponsor = sponsors::get(&mut tx, inv.sponsor_id).await?.ok_or(Error::NotFound("invitation"))?;
    if sponsor.is_archived {
        return Err(Error::Conflict("the sponsor is archived".into()));
    }
    // Count and insert as one serialized step: concurrent accepts queue here.
    sponsors::lock(&mut tx, sponsor.id).await?;
    let already = members::find(&mut tx, sponsor.id, p.user_id).await?.is_some_and(|m| m.is_active);
    if !already && let Some(tier) = sponsor.tier_id {
        let tier = tiers::get(&mut tx, sponsor.organization_id, tier).await?;
        let active = members::count_active(&mut tx, sponsor.id).await?;
        if let Some(t) = tier
            && active >= i64::from(t.max_representatives)
        {
            return Err(Error::Conflict(format!(
                "the sponsor has its {} representatives, the most its {} tier allows",
                t.max_representatives, t.name
            )));
        }
    }
    let role = inv.role;
    let member_id =
        members::upsert_active(&mut tx, sponsor.id, p.user_id, role, role.default_permissions(), now).await?;
    inv.status = InvitationStatus::Accepted;
    inv.accepted_by_user_id = Some(p.user_id);
    inv.accepted_at = Some(now);
    inv.updated_at = now;
    q::update(&mut tx, &inv, None).await?;
    let membership = members::get(&mut tx, member_id).await?.ok_or(Error::NotFound("membership"))?;
    tx.commit().await?;
    tracing::info!(invitation.id = %inv.id, sponsor.id = %sponsor.id, "invitation accepted");
    Ok(Accepted { invitation: inv, membership, sponsor })
}

/// What the accept page shows: sponsor, event, role and expiry. Anyone holding the
/// token may look; the token is the secret.
pub async fn preview_invitation(svc: &Services, token: &str) -> Result<InvitationPreview> {
    let now = time::now();
    let mut tx = svc.store.read().await?;
    let inv = q::find_by_token_hash(&mut tx, &hash_token(token)).await?.ok_or(Error::NotFound("invitation"))?;
    let inv = effective(inv, now);
    let sponsor = sponsors::get(&mut tx, inv.sponsor_id).await?.ok_or(Error::NotFound("invitation"))?;
    let event = event_store::get_any(&mut tx, sponsor.event_id).await?.ok_or(Error::NotFound("invitation"))?;
    Ok(InvitationPreview::new(inv, sponsor, event))
}

/// The caller's pending invitations (to their e-mail address), with sponsor and
/// event: so a signed-in user sees what awaits them. Accepting still takes the
/// token from the e-mail.
pub async fn my_invitations(svc: &Services, p: &Principal) -> Result<Vec<InvitationPreview>> {
    let now = time::now();
    let mut tx = svc.store.read().await?;
    let mut out = Vec::new();
    for inv in q::pending_for_email(&mut tx, &p.email, now).await? {
        let Some(sponsor) = sponsors::get(&mut tx, inv.sponsor_id).await? else { continue };
        if sponsor.is_archived {
            continue;
        }
        let Some(event) = event_store::get_any(&mut tx, sponsor.event_id).await? else { continue };
        out.push(InvitationPreview::new(inv, sponsor, event));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_only_their_hash_is_kept() {
        let (a, ha) = new_token();
        let (b, hb) = new_token();
        assert_ne!(a, b);
        assert!(a.len() >= 43, "32 bytes in base64url");
        assert_eq!(ha, hash_token(&a));
        assert_ne!(ha, hb);
        assert_eq!(ha.len(), 64);
        assert!(!ha.contains(&a));
    }
}
