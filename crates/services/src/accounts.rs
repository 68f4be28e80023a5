//! Accounts: sign-up, login, the caller's profile, and turning a bearer token into a
//! [`Principal`] (creating the local rows of a platform identity on first use).

use crate::{Error, IdentityKey, Principal, Result, Services};
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use serde::{Deserialize, Serialize};
use sponsorhub_domain::validate::{self, Validator};
use sponsorhub_domain::{OrgRole, ids, time};
use sponsorhub_store::accounts as q;
use sponsorhub_store::records::{OrgMembership, Organization, User};
use std::sync::LazyLock;
use uuid::Uuid;

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignupInput {
    pub email: String,
    pub password: String,
    pub name: String,
    /// The organization the account owns, for the events it organizes. Leave it
    /// out for an account without one (sponsor staff joining by invitation).
    pub organization_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginInput {
    pub email: String,
    pub password: String,
}

/// A fresh bearer token and who it is for.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthOutcome {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the token expires.
    pub expires_in: u64,
    pub user: User,
    /// The organization the token is for (the user's first one), if any.
    pub organization: Option<Organization>,
}

/// The caller and the organizations they belong to.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub user: User,
    pub organizations: Vec<OrgMembership>,
}

/// A valid argon2id hash of a random password: login verifies against it when the
/// e-mail is unknown, so a wrong e-mail costs the same time as a wrong password.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_password_blocking("dummy password that never matches"));

fn hash_password_blocking(password: &str) -> String {
    Argon2::default().hash_password(password.as_bytes()).expect("argon2 hashing").to_string()
}

fn verify_password_blocking(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

type HashJob = Box<dyn FnOnce() + Send>;

/// The threads argon2 runs on: two a core (as many as the `hashing` permits let
/// run at once), and always the same ones.
static HASH_WORKERS: LazyLock<std::sync::mpsc::Sender<HashJob>> = LazyLock::new(|| {
    crate::allocator::map_large_blocks();
    let (tx, rx) = std::sync::mpsc::channel::<HashJob>();
    let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
    let n = std::thread::available_parallelism().map_or(2, |n| n.get()) * 2;
    for i in 0..n {
        let rx = rx.clone();
        std::thread::Builder::new()
            .name(format!("argon2-{i}"))
            .spawn(move || {
                loop {
                    let job = rx.lock().map(|r| r.recv());
                    match job {
                        Ok(Ok(job)) => job(),
                        _ => return,
                    }
                }
            })
            .expect("a hashing thread starts");
    }
    tx
});

/// Argon2 is deliberately slow: run it off the async workers, on the hashing threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    HASH_WORKERS
        .send(Box::new(move || {
            let _ = tx.send(f());
        }))
        .map_err(|_| Error::Internal(anyhow::anyhow!("the hashing threads stopped")))?;
    rx.await.map_err(|e| Error::Internal(e.into()))
}

/// Creates a user (and, when named, an organization they own), and signs them in. Limited per
/// client address; an address taken is refused before any hashing, and hashes run
/// a bounded number at a time.
#[tracing::instrument(skip_all)]
pub async fn signup(svc: &Services, input: SignupInput, client: &str) -> Result<AuthOutcome> {
    svc.signup_limiter.hit(&svc.store, client).await?;
    let mut v = Validator::new();
    let email = v.check(validate::email("email", &input.email));
    let password = v.check(validate::password("password", &input.password));
    let name = v.check(validate::text("name", &input.name, 1, 200));
    let org_name = input.organization_name.as_deref().map(|o| v.check(validate::text("organization_name", o, 1, 200)));
    v.finish()?;
    let (email, password, name, org_name) = (email.unwrap(), password.unwrap(), name.unwrap(), org_name.flatten());

    let taken = || Error::Conflict("an account with this e-mail address exists already".into());
    {
        let mut tx = svc.store.read().await?;
        if q::find_credentials(&mut tx, &email).await?.is_some() {
            return Err(taken());
        }
    }
    let hash = hash(svc, password).await?;
    let now = time::now();
    let mut tx = svc.store.write().await?;
    let user = match q::insert_user(&mut tx, ids::new_id(), &email, &name, Some(&hash), now).await {
        Ok(u) => u,
        Err(sponsorhub_store::StoreError::Unique(_)) => return Err(taken()),
        Err(e) => return Err(e.into()),
    };
    let org = match org_name {
        Some(org_name) => {
            let org = q::insert_organization(&mut tx, ids::new_id(), &org_name, now).await?;
            q::upsert_membership(&mut tx, org.id, user.id, OrgRole::Owner, now).await?;
            Some(org)
        }
        None => None,
    };
    tx.commit().await?;
    tracing::info!(user.id = %user.id, organization.id = ?org.as_ref().map(|o| o.id), "signed up");

    let access_token =
        svc.tokens.issue(user.id, &user.email, &user.name, org.as_ref().map(|o| (o.id, OrgRole::Owner)))?;
    Ok(AuthOutcome {
        access_token,
        token_type: "Bearer",
        expires_in: svc.tokens.ttl().as_secs(),
        user,
        organization: org,
    })
}

/// How long a request waits for a free hashing slot before it is told to retry.
const HASHING_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// A permit of the bounded argon2 pool, or 503 when it stays busy.
async fn hashing_permit(svc: &Services) -> Result<tokio::sync::OwnedSemaphorePermit> {
    match tokio::time::timeout(HASHING_WAIT, svc.hashing.clone().acquire_owned()).await {
        Ok(Ok(permit)) => Ok(permit),
        _ => Err(Error::Unavailable { retry_after_secs: 5 }),
    }
}

async fn hash(svc: &Services, password: String) -> Result<String> {
    let permit = hashing_permit(svc).await?;
    blocking(move || {
        let h = hash_password_blocking(&password);
        drop(permit);
        h
    })
    .await
}

/// Checks e-mail and password. A wrong password and an unknown e-mail get the same
/// answer; attempts are limited per e-mail and per client address.
#[tracing::instrument(skip_all)]
pub async fn login(svc: &Services, input: LoginInput, client: &str) -> Result<AuthOutcome> {
    // The client first: a flood of distinct e-mail addresses from one client is
    // stopped before any of them is remembered.
    svc.login_client_limiter.hit(&svc.store, client).await?;
    let email = input.email.trim().to_lowercase();
    if email.len() > 254 || input.password.len() > 1024 {
        return Err(Error::Unauthenticated("wrong e-mail address or password".into()));
    }
    svc.login_email_limiter.hit(&svc.store, &email).await?;

    // Everything login needs in one read, then the slow hash check with no
    // connection held.
    let mut tx = svc.store.read().await?;
    let found = q::find_credentials(&mut tx, &email).await?;
    let (user, hash) = match found {
        Some((user, Some(hash))) => (Some(user), hash),
        _ => (None, DUMMY_HASH.clone()),
    };
    let (membership, organization) = match &user {
        Some(u) => match q::memberships_of(&mut tx, u.id).await?.into_iter().next() {
            Some(m) => {
                let org = q::get_organization(&mut tx, m.organization_id).await?;
                (Some(m), org)
            }
            None => (None, None),
        },
        None => (None, None),
    };
    drop(tx);

    let password = input.password;
    let permit = hashing_permit(svc).await?;
    let matches = blocking(move || {
        let ok = verify_password_blocking(&password, &hash);
        drop(permit);
        ok
    })
    .await?;
    let user = match (user, matches) {
        (Some(user), true) => user,
        _ => return Err(Error::Unauthenticated("wrong e-mail address or password".into())),
    };
    let org = membership.map(|m| (m.organization_id, m.role));
    let access_token = svc.tokens.issue(user.id, &user.email, &user.name, org)?;
    tracing::info!(user.id = %user.id, "logged in");
    Ok(AuthOutcome { access_token, token_type: "Bearer", expires_in: svc.tokens.ttl().as_secs(), user, organization })
}

/// The caller's profile and organizations.
pub async fn me(svc: &Services, p: &Principal) -> Result<Me> {
    let mut tx = svc.store.read().await?;
    let user = q::get_user(&mut tx, p.user_id).await?.ok_or(Error::NotFound("user"))?;
    let organizations = q::memberships_of(&mut tx, p.user_id).await?;
    Ok(Me { user, organizations })
}

/// Verifies a bearer token and returns its Principal. The rows of an identity the
/// platform names follow its tokens (docs/ARCHITECTURE.md, "Identity"):
///
/// - a user this service has not seen is created on first use;
/// - the user's e-mail and name come from their own sign-up or from a verified
///   platform token, the latest token (`iat`) winning, so an older token never
///   writes back an old address;
/// - a platform token's organization role creates a missing membership, and changes
///   an existing one only if the token was issued after the membership last changed;
/// - tokens minted by this service carry no authority over any of it.
///
/// The Principal's e-mail is the stored one. Known identities cost one read, or
/// none when the same claims were applied lately.
pub async fn authenticate(svc: &Services, token: &str) -> Result<Principal> {
    let claims = svc.tokens.verify(token)?;
    let user_id = ids::external_id(&claims.sub);
    let expires_at = chrono::DateTime::from_timestamp(claims.exp, 0);
    let email = validate::email("email", &claims.email)
        .map_err(|_| Error::Unauthenticated("the token's email claim is not an e-mail address".into()))?;
    let name = claims.name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| email.clone());
    let org = match (&claims.org_id, &claims.role) {
        (Some(org), Some(role)) => Some((
            ids::external_id(org),
            role.parse::<OrgRole>()
                .map_err(|_| Error::Unauthenticated("the token's role claim is not OWNER, ADMIN or MEMBER".into()))?,
        )),
        (Some(_), None) => return Err(Error::Unauthenticated("the token names an organization but no role".into())),
        _ => None,
    };

    // These very claims were applied lately: the rows are as they make them.
    let memo_key: IdentityKey = (user_id, org, email.clone(), claims.iat);
    if let Some(stored_email) = svc.known_identities.get(&memo_key) {
        return Ok(Principal { user_id, email: stored_email, name, org, expires_at });
    }
    let mut tx = svc.store.read().await?;
    let state = q::identity_state(&mut tx, user_id, org.map(|(id, _)| id)).await?;
    drop(tx);
    let stored_email = if claims.is_minted() {
        // Our own tokens name accounts that exist; they change nothing.
        state.map(|s| s.email).ok_or_else(|| Error::Unauthenticated("the token's account no longer exists".into()))?
    } else {
        let identity = Identity { user: user_id, email: &email, name: &name, org, iat: claims.iat };
        match state {
            Some(s) if !identity.changes(&s) => s.email,
            _ => provision(svc, &identity).await?,
        }
    };
    svc.known_identities.insert(memo_key, stored_email.clone());
    Ok(Principal { user_id, email: stored_email, name, org, expires_at })
}

/// What a verified platform token says of its subject.
struct Identity<'a> {
    user: Uuid,
    email: &'a str,
    name: &'a str,
    org: Option<(Uuid, OrgRole)>,
    iat: Option<i64>,
}

impl Identity<'_> {
    /// Issued after `at`, which it may therefore overrule.
    fn newer_than(&self, at: Option<i64>) -> bool {
        match (self.iat, at) {
            (_, None) => true,
            (Some(iat), Some(at)) => iat > at,
            (None, Some(_)) => false,
        }
    }

    fn sets_email(&self, s: &q::IdentityState) -> bool {
        s.email != self.email && self.newer_than(s.identity_iat)
    }

    fn sets_role(&self, s: &q::IdentityState) -> bool {
        match (self.org, &s.role) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some((_, want)), Some(have)) => *have != want && self.newer_than(s.role_changed_at.map(|t| t.timestamp())),
        }
    }

    fn changes(&self, s: &q::IdentityState) -> bool {
        self.sets_email(s) || self.sets_role(s)
    }
}

/// Applies a platform token's identity; returns the user's e-mail afterwards.
async fn provision(svc: &Services, id: &Identity<'_>) -> Result<String> {
    let now = time::now();
    let mut tx = svc.store.write().await?;
    // Read again under the write lock: another request may have changed the rows.
    let state = match q::identity_state(&mut tx, id.user, id.org.map(|(o, _)| o)).await? {
        Some(s) => s,
        None => {
            if !q::insert_user_if_absent(&mut tx, id.user, id.email, id.name, now).await? {
                // The e-mail belongs to another account of ours: do not merge identities.
                return Err(Error::Unauthenticated("the token's e-mail address belongs to another account".into()));
            }
            q::set_identity(&mut tx, id.user, id.email, id.name, id.iat.unwrap_or(0), now).await?;
            q::identity_state(&mut tx, id.user, id.org.map(|(o, _)| o))
                .await?
                .ok_or_else(|| Error::Internal(anyhow::anyhow!("user vanished while provisioning")))?
        }
    };
    let mut email = state.email.clone();
    if id.sets_email(&state) {
        match q::set_identity(&mut tx, id.user, id.email, id.name, id.iat.unwrap_or(0), now).await {
            Ok(()) => email = id.email.to_string(),
            Err(sponsorhub_store::StoreError::Unique(_)) => {
                return Err(Error::Unauthenticated("the token's e-mail address belongs to another account".into()));
            }
            Err(e) => return Err(e.into()),
        }
        svc.known_identities.forget(|k| k.0 == id.user);
    }
    if let Some((org_id, role)) = id.org {
        if state.role.is_none() {
            q::insert_organization_if_absent(&mut tx, org_id, &format!("Organization {org_id}"), now).await?;
            q::insert_membership_if_absent(&mut tx, org_id, id.user, role, now).await?;
        } else if id.sets_role(&state) {
            q::upsert_membership(&mut tx, org_id, id.user, role, now).await?;
            svc.known_identities.forget(|k| k.0 == id.user);
        }
    }
    tx.commit().await?;
    tracing::info!(user.id = %id.user, "applied a platform token's identity");
    Ok(email)
}
