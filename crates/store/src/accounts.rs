//! Users, organizations and organization memberships.

use crate::StoreError;
use crate::db::HeldWrite;
use crate::records::{OrgMembership, Organization, User};
use crate::{Result, Tx, on_tx};
use chrono::{DateTime, Utc};
use sponsorhub_domain::OrgRole;
use uuid::Uuid;

pub async fn insert_user(
    tx: &mut Tx,
    id: Uuid,
    email: &str,
    name: &str,
    password_hash: Option<&str>,
    now: DateTime<Utc>,
) -> Result<User> {
    let sql = "INSERT INTO users (id, email, name, password_hash, identity_iat, created_at, updated_at)
               VALUES ($1, $2, $3, $4, $6, $5, $5)
               RETURNING id, email, name, created_at";
    Ok(on_tx!(tx, c => sqlx::query_as::<_, User>(sql)
        .bind(id).bind(email).bind(name).bind(password_hash).bind(now).bind(now.timestamp())
        .fetch_one(c).await?))
}

/// Creates the user unless a user with this id or e-mail exists; returns whether a
/// row was inserted.
pub async fn insert_user_if_absent(tx: &mut Tx, id: Uuid, email: &str, name: &str, now: DateTime<Utc>) -> Result<bool> {
    let sql = "INSERT INTO users (id, email, name, password_hash, created_at, updated_at)
               VALUES ($1, $2, $3, NULL, $4, $4) ON CONFLICT DO NOTHING";
    if let Some(c) = tx.direct().await? {
        return Ok(crate::direct::execute(c, sql, &[id.into(), email.into(), name.into(), now.into()])? == 1);
    }
    let done =
        on_tx!(tx, c => sqlx::query(sql).bind(id).bind(email).bind(name).bind(now).execute(c).await?.rows_affected());
    Ok(done == 1)
}

/// Makes sure a user row exists (a lead's attendee without an account): in
/// place on SQLite's writer; held on PostgreSQL, to go with the lead's own
/// statement (docs/PERFORMANCE.md, "The account row with the lead").
pub async fn ensure_user(tx: &mut Tx, id: Uuid, email: &str, name: &str, now: DateTime<Utc>) -> Result<()> {
    let sql = "INSERT INTO users (id, email, name, password_hash, created_at, updated_at)
               VALUES ($1, $2, $3, NULL, $4, $4) ON CONFLICT DO NOTHING";
    if tx.backend() == crate::Backend::Postgres {
        return tx
            .defer(sql, HeldWrite::Insert("users"), |a| {
                use sqlx::Arguments;
                a.add(id)?;
                a.add(email)?;
                a.add(name)?;
                a.add(now)
            })
            .await;
    }
    insert_user_if_absent(tx, id, email, name, now).await.map(|_| ())
}

pub async fn get_user(tx: &mut Tx, id: Uuid) -> Result<Option<User>> {
    let sql = "SELECT id, email, name, created_at FROM users WHERE id = $1";
    Ok(on_tx!(tx, c => sqlx::query_as::<_, User>(sql).bind(id).fetch_optional(c).await?))
}

/// The user with this (lowercased) e-mail and their password hash, if any.
pub async fn find_credentials(tx: &mut Tx, email: &str) -> Result<Option<(User, Option<String>)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: User,
        password_hash: Option<String>,
    }
    let sql = "SELECT id, email, name, created_at, password_hash FROM users WHERE email = $1";
    if let Some(c) = tx.direct().await? {
        use crate::direct::{opt_string, string, time, uuid};
        let read = |r: &rusqlite::Row<'_>| {
            let user = User { id: uuid(r, 0)?, email: string(r, 1)?, name: string(r, 2)?, created_at: time(r, 3)? };
            Ok((user, opt_string(r, 4)?))
        };
        return crate::direct::query_opt(c, sql, &[email.into()], read);
    }
    let row = on_tx!(tx, c => sqlx::query_as::<_, Row>(sql).bind(email).fetch_optional(c).await?);
    Ok(row.map(|r| (r.user, r.password_hash)))
}

pub async fn insert_organization(tx: &mut Tx, id: Uuid, name: &str, now: DateTime<Utc>) -> Result<Organization> {
    let sql = "INSERT INTO organizations (id, name, created_at, updated_at) VALUES ($1, $2, $3, $3)
               RETURNING id, name, created_at";
    Ok(on_tx!(tx, c => sqlx::query_as::<_, Organization>(sql).bind(id).bind(name).bind(now).fetch_one(c).await?))
}

pub async fn insert_organization_if_absent(tx: &mut Tx, id: Uuid, name: &str, now: DateTime<Utc>) -> Result<()> {
    let sql = "INSERT INTO organizations (id, name, created_at, updated_at) VALUES ($1, $2, $3, $3)
               ON CONFLICT (id) DO NOTHING";
    on_tx!(tx, c => sqlx::query(sql).bind(id).bind(name).bind(now).execute(c).await?.rows_affected());
    Ok(())
}

/// Sets the user's role in the organization, creating the membership if needed.
pub async fn upsert_membership(tx: &mut Tx, org: Uuid, user: Uuid, role: OrgRole, now: DateTime<Utc>) -> Result<()> {
    let sql = "INSERT INTO organization_members (organization_id, user_id, role, created_at, updated_at)
               VALUES ($1, $2, $3, $4, $4)
               ON CONFLICT (organization_id, user_id) DO UPDATE SET role = excluded.role, updated_at = excluded.updated_at";
    on_tx!(tx, c => sqlx::query(sql).bind(org).bind(user).bind(role.as_str()).bind(now).execute(c).await?.rows_affected());
    Ok(())
}

/// The user's role in the organization, if a member.
pub async fn membership_role(tx: &mut Tx, org: Uuid, user: Uuid) -> Result<Option<OrgRole>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(try_from = "String")]
        role: OrgRole,
    }
    let sql = "SELECT role FROM organization_members WHERE organization_id = $1 AND user_id = $2";
    let row = on_tx!(tx, c => sqlx::query_as::<_, Row>(sql).bind(org).bind(user).fetch_optional(c).await?);
    Ok(row.map(|r| r.role))
}

/// What a token's identity is known as: the user's e-mail and when a token last
/// set it, and their membership of `org` (when given and a member) with the time
/// it last changed. The one read that tells whether a token changes anything.
#[derive(Debug, Clone)]
pub struct IdentityState {
    pub email: String,
    pub identity_iat: Option<i64>,
    pub role: Option<OrgRole>,
    pub role_changed_at: Option<DateTime<Utc>>,
}

pub async fn identity_state(tx: &mut Tx, user: Uuid, org: Option<Uuid>) -> Result<Option<IdentityState>> {
    let sql = "SELECT u.email, u.identity_iat, m.role, m.updated_at AS role_changed_at FROM users u
               LEFT JOIN organization_members m ON m.user_id = u.id AND m.organization_id = $2
               WHERE u.id = $1";
    #[derive(sqlx::FromRow)]
    struct Row {
        email: String,
        identity_iat: Option<i64>,
        role: Option<String>,
        role_changed_at: Option<DateTime<Utc>>,
    }
    let row = on_tx!(tx, c => sqlx::query_as::<_, Row>(sql).bind(user).bind(org).fetch_optional(c).await?);
    row.map(|r| {
        let role = r.role.map(|s| s.parse::<OrgRole>()).transpose().map_err(|e| StoreError::Check(e.to_string()))?;
        Ok(IdentityState { email: r.email, identity_iat: r.identity_iat, role, role_changed_at: r.role_changed_at })
    })
    .transpose()
}

/// Sets the e-mail and name a verified token states, and its `iat`. `Unique` when
/// the e-mail belongs to another user.
pub async fn set_identity(
    tx: &mut Tx,
    user: Uuid,
    email: &str,
    name: &str,
    iat: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    let sql = "UPDATE users SET email = $2, name = $3, identity_iat = $4, updated_at = $5 WHERE id = $1";
    on_tx!(tx, c => sqlx::query(sql).bind(user).bind(email).bind(name).bind(iat).bind(now).execute(c).await?.rows_affected());
    Ok(())
}

/// Adds the membership unless one exists; returns whether it was added.
pub async fn insert_membership_if_absent(
    tx: &mut Tx,
    org: Uuid,
    user: Uuid,
    role: OrgRole,
    now: DateTime<Utc>,
) -> Result<bool> {
    let sql = "INSERT INTO organization_members (organization_id, user_id, role, created_at, updated_at)
               VALUES ($1, $2, $3, $4, $4) ON CONFLICT (organization_id, user_id) DO NOTHING";
    let n = on_tx!(tx, c => sqlx::query(sql).bind(org).bind(user).bind(role.as_str()).bind(now).execute(c).await?.rows_affected());
    Ok(n == 1)
}

/// Every member of the organization with their role.
/// The members of these organizations with their roles, as (organization,
/// user, role), in one query (the live grants' check: callers bound the list).
pub async fn membership_roles_in(tx: &mut Tx, orgs: &[Uuid]) -> Result<Vec<(Uuid, Uuid, OrgRole)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        organization_id: Uuid,
        user_id: Uuid,
        #[sqlx(try_from = "String")]
        role: OrgRole,
    }
    if orgs.is_empty() {
        return Ok(Vec::new());
    }
    let crate::sql::Sql { text, args } = crate::sql::Sql::ending_in(
        "SELECT organization_id, user_id, role FROM organization_members WHERE organization_id IN ",
        orgs,
    );
    let rows = on_tx!(tx, c => crate::bind_args!(sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(text.clone())), args.clone()).fetch_all(c).await?);
    Ok(rows.into_iter().map(|r| (r.organization_id, r.user_id, r.role)).collect())
}

pub async fn membership_roles(tx: &mut Tx, org: Uuid) -> Result<Vec<(Uuid, OrgRole)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        user_id: Uuid,
        #[sqlx(try_from = "String")]
        role: OrgRole,
    }
    let sql = "SELECT user_id, role FROM organization_members WHERE organization_id = $1";
    let rows = on_tx!(tx, c => sqlx::query_as::<_, Row>(sql).bind(org).fetch_all(c).await?);
    Ok(rows.into_iter().map(|r| (r.user_id, r.role)).collect())
}

/// The organizations the user belongs to, oldest membership first.
pub async fn memberships_of(tx: &mut Tx, user: Uuid) -> Result<Vec<OrgMembership>> {
    let sql = "SELECT m.organization_id, o.name AS organization_name, m.role
               FROM organization_members m JOIN organizations o ON o.id = m.organization_id
               WHERE m.user_id = $1 ORDER BY m.created_at, m.organization_id";
    Ok(on_tx!(tx, c => sqlx::query_as::<_, OrgMembership>(sql).bind(user).fetch_all(c).await?))
}

pub async fn get_organization(tx: &mut Tx, id: Uuid) -> Result<Option<Organization>> {
    let sql = "SELECT id, name, created_at FROM organizations WHERE id = $1";
    Ok(on_tx!(tx, c => sqlx::query_as::<_, Organization>(sql).bind(id).fetch_optional(c).await?))
}
