//! Sponsors of an event.

use crate::direct;
use crate::records::{Sponsor, SponsorCounts};
use crate::sql::{Arg, Sql, like_pattern};
use crate::{Result, Tx, bind_args, on_tx};
use uuid::Uuid;

const COLUMNS: &str = "s.id, s.organization_id, s.event_id, s.tier_id, s.company_name, s.company_description, \
    s.company_website, s.company_logo_url, s.contact_name, s.contact_email, s.contact_phone, s.booth_number, \
    s.booth_description, s.social_links, s.is_featured, s.is_archived, s.archived_at, s.lead_capture_enabled, \
    s.lead_notification_email, s.created_at, s.updated_at";

/// One [`Sponsor`] from the columns from `$b` on of a row of [`crate::direct`]
/// (SQLite, in place) or [`crate::pgrow`] (PostgreSQL): the same reading for both.
macro_rules! sponsor_at {
    ($r:expr, $b:expr) => {
        Sponsor {
            id: uuid($r, $b)?,
            organization_id: uuid($r, $b + 1)?,
            event_id: uuid($r, $b + 2)?,
            tier_id: opt_uuid($r, $b + 3)?,
            company_name: string($r, $b + 4)?,
            company_description: opt_string($r, $b + 5)?,
            company_website: opt_string($r, $b + 6)?,
            company_logo_url: opt_string($r, $b + 7)?,
            contact_name: opt_string($r, $b + 8)?,
            contact_email: opt_string($r, $b + 9)?,
            contact_phone: opt_string($r, $b + 10)?,
            booth_number: opt_string($r, $b + 11)?,
            booth_description: opt_string($r, $b + 12)?,
            social_links: json($r, $b + 13)?,
            is_featured: get($r, $b + 14)?,
            is_archived: get($r, $b + 15)?,
            archived_at: opt_time($r, $b + 16)?,
            lead_capture_enabled: get($r, $b + 17)?,
            lead_notification_email: opt_string($r, $b + 18)?,
            created_at: time($r, $b + 19)?,
            updated_at: time($r, $b + 20)?,
        }
    };
}

row_readers!(Sponsor, sponsor_at);

pub async fn insert(tx: &mut Tx, s: &Sponsor) -> Result<()> {
    tx.writes_access();
    let sql = "INSERT INTO sponsors (id, organization_id, event_id, tier_id, company_name, company_description,
            company_website, company_logo_url, contact_name, contact_email, contact_phone, booth_number,
            booth_description, social_links, is_featured, is_archived, archived_at, lead_capture_enabled,
            lead_notification_email, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)";
    on_tx!(tx, c => sqlx::query(sql)
        .bind(s.id).bind(s.organization_id).bind(s.event_id).bind(s.tier_id).bind(&s.company_name)
        .bind(&s.company_description).bind(&s.company_website).bind(&s.company_logo_url).bind(&s.contact_name)
        .bind(&s.contact_email).bind(&s.contact_phone).bind(&s.booth_number).bind(&s.booth_description)
        .bind(&s.social_links).bind(s.is_featured).bind(s.is_archived).bind(s.archived_at)
        .bind(s.lead_capture_enabled).bind(&s.lead_notification_email).bind(s.created_at).bind(s.updated_at)
        .execute(c).await?.rows_affected());
    Ok(())
}

/// Writes every mutable column back.
pub async fn update(tx: &mut Tx, s: &Sponsor) -> Result<()> {
    tx.writes_access();
    let sql = "UPDATE sponsors SET tier_id = $2, company_name = $3, company_description = $4, company_website = $5,
            company_logo_url = $6, contact_name = $7, contact_email = $8, contact_phone = $9, booth_number = $10,
            booth_description = $11, social_links = $12, is_featured = $13, is_archived = $14, archived_at = $15,
            lead_capture_enabled = $16, lead_notification_email = $17, updated_at = $18
        WHERE id = $1";
    on_tx!(tx, c => sqlx::query(sql)
        .bind(s.id).bind(s.tier_id).bind(&s.company_name).bind(&s.company_description).bind(&s.company_website)
        .bind(&s.company_logo_url).bind(&s.contact_name).bind(&s.contact_email).bind(&s.contact_phone)
        .bind(&s.booth_number).bind(&s.booth_description).bind(&s.social_links).bind(s.is_featured)
        .bind(s.is_archived).bind(s.archived_at).bind(s.lead_capture_enabled).bind(&s.lead_notification_email)
        .bind(s.updated_at)
        .execute(c).await?.rows_affected());
    Ok(())
}

/// The sponsor by id alone (the caller's access is decided by the service).
pub async fn get(tx: &mut Tx, id: Uuid) -> Result<Option<Sponsor>> {
    let sql = format!("SELECT {COLUMNS} FROM sponsors s WHERE s.id = $1");
    if let Some(c) = tx.direct().await? {
        return direct::query_opt(c, &sql, &[id.into()], read);
    }
    Ok(
        on_tx!(tx, c => sqlx::query_as::<_, Sponsor>(sqlx::AssertSqlSafe(sql.clone())).bind(id).fetch_optional(c).await?),
    )
}

/// The sponsors with these ids, in one query (the live grants' check: callers
/// bound the list).
pub async fn get_many(tx: &mut Tx, ids: &[Uuid]) -> Result<Vec<Sponsor>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let crate::sql::Sql { text, args } =
        crate::sql::Sql::ending_in(format!("SELECT {COLUMNS} FROM sponsors s WHERE s.id IN "), ids);
    Ok(
        on_tx!(tx, c => crate::bind_args!(sqlx::query_as::<_, Sponsor>(sqlx::AssertSqlSafe(text.clone())), args.clone()).fetch_all(c).await?),
    )
}

/// What a capture needs to know first, in one query (docs/PERFORMANCE.md, "Fewer
/// round trips on PostgreSQL"): the event's sponsor, the event, the user's
/// membership of the sponsor, active or not, and whether any enabled webhook
/// endpoint hears of the sponsor's leads (its own, or its event's:
/// docs/PERFORMANCE.md, "No webhook message while no endpoint listens"). `None`
/// when the sponsor is not the event's.
pub async fn capture_context(
    tx: &mut Tx,
    event: Uuid,
    sponsor: Uuid,
    user: Uuid,
) -> Result<Option<(Sponsor, crate::records::Event, Option<crate::records::SponsorMember>, bool)>> {
    use crate::{events, members};
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let event_columns: Vec<String> = events::COLUMNS.split(", ").map(|c| format!("e.{c}")).collect();
        format!(
            "SELECT {COLUMNS}, {}, {}, {WEBHOOKS} FROM sponsors s JOIN events e ON e.id = s.event_id
             LEFT JOIN sponsor_users m ON m.sponsor_id = s.id AND m.user_id = $3
             LEFT JOIN users u ON u.id = m.user_id
             WHERE s.id = $1 AND s.event_id = $2",
            event_columns.join(", "),
            members::COLUMNS
        )
    });
    // The columns of the event, then of the membership, then whether endpoints
    // listen, follow the sponsor's.
    const EVENT_AT: usize = 21;
    const MEMBER_AT: usize = EVENT_AT + 17;
    static WEBHOOKS_AT: std::sync::LazyLock<usize> =
        std::sync::LazyLock::new(|| MEMBER_AT + members::COLUMNS.split(',').count());
    let args = [sponsor.into(), event.into(), user.into()];
    if let Some(c) = tx.direct().await? {
        return direct::query_opt(c, &SQL, &args, |r| {
            let member = match r.get_ref(MEMBER_AT)? {
                rusqlite::types::ValueRef::Null => None,
                _ => Some(members::read_at(r, MEMBER_AT)?),
            };
            Ok((read_at(r, 0)?, events::read_at(r, EVENT_AT)?, member, r.get::<_, bool>(*WEBHOOKS_AT)?))
        });
    }
    if tx.backend() != crate::Backend::Postgres {
        // A read on SQLite: one record at a time.
        let Some(s) = get(tx, sponsor).await?.filter(|s| s.event_id == event) else { return Ok(None) };
        let Some(e) = events::get_any(tx, event).await? else { return Ok(None) };
        let member = members::find(tx, sponsor, user).await?;
        let webhooks = crate::webhooks::any_listening(tx, event, sponsor).await?;
        return Ok(Some((s, e, member, webhooks)));
    }
    tx.flush().await?;
    tx.count_query();
    let crate::TxConn::Postgres(t) = &mut tx.conn else { unreachable!("PostgreSQL above") };
    let row = sqlx::query(sqlx::AssertSqlSafe(SQL.as_str()))
        .bind(sponsor)
        .bind(event)
        .bind(user)
        .fetch_optional(&mut **t)
        .await?;
    let Some(r) = row else { return Ok(None) };
    let member = match sqlx::Row::try_get::<Option<Uuid>, _>(&r, MEMBER_AT)? {
        None => None,
        Some(_) => Some(members::read_pg_at(&r, MEMBER_AT)?),
    };
    let webhooks = sqlx::Row::try_get::<bool, _>(&r, *WEBHOOKS_AT)?;
    Ok(Some((read_pg_at(&r, 0)?, events::read_pg_at(&r, EVENT_AT)?, member, webhooks)))
}

/// Whether an enabled webhook endpoint hears of the sponsor's leads: one of the
/// sponsor's own, or one of its event's (`sponsor_id` null). Both tests match a
/// partial index of `webhook_endpoints`.
const WEBHOOKS: &str = "(EXISTS (SELECT 1 FROM webhook_endpoints w
        WHERE w.sponsor_id = s.id AND w.is_enabled = TRUE)
    OR EXISTS (SELECT 1 FROM webhook_endpoints w
        WHERE w.event_id = s.event_id AND w.sponsor_id IS NULL AND w.is_enabled = TRUE))";

/// Serializes this transaction with every other that locks the same sponsor until
/// it ends: a row lock on PostgreSQL; on SQLite the one writer connection
/// serializes all writes already.
pub async fn lock(tx: &mut Tx, id: Uuid) -> Result<()> {
    tx.flush().await?;
    if let crate::TxConn::Postgres(t) = &mut tx.conn {
        sqlx::query("SELECT id FROM sponsors WHERE id = $1 FOR UPDATE").bind(id).fetch_optional(&mut **t).await?;
    }
    Ok(())
}

/// Filters of the event's sponsor list.
#[derive(Debug, Clone, Default)]
pub struct SponsorFilter {
    pub tier_id: Option<Uuid>,
    pub is_featured: Option<bool>,
    pub include_archived: bool,
    /// Lowercased; matched anywhere in the company name.
    pub search: Option<String>,
}

/// A page of the event's sponsors in creation order, after the id `after`.
pub async fn list_for_event(
    tx: &mut Tx,
    event: Uuid,
    f: &SponsorFilter,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Sponsor>> {
    let mut q = Sql::new(format!("SELECT {COLUMNS} FROM sponsors s WHERE s.event_id = "));
    let p = q.arg(Arg::Uuid(event));
    q.push(&p);
    if !f.include_archived {
        q.push(" AND s.is_archived = FALSE");
    }
    if let Some(tier) = f.tier_id {
        let p = q.arg(Arg::Uuid(tier));
        q.push(" AND s.tier_id = ").push(&p);
    }
    if let Some(featured) = f.is_featured {
        let p = q.arg(Arg::Bool(featured));
        q.push(" AND s.is_featured = ").push(&p);
    }
    if let Some(search) = &f.search {
        let p = q.arg(Arg::Text(like_pattern(search)));
        q.push(" AND LOWER(s.company_name) LIKE ").push(&p).push(" ESCAPE '\\'");
    }
    if let Some(after) = after {
        let p = q.arg(Arg::Uuid(after));
        q.push(" AND s.id > ").push(&p);
    }
    let p = q.arg(Arg::I64(limit));
    q.push(" ORDER BY s.id LIMIT ").push(&p);
    let Sql { text, args } = q;
    Ok(on_tx!(tx, c => bind_args!(sqlx::query_as::<_, Sponsor>(sqlx::AssertSqlSafe(text.clone())), args.clone())
        .fetch_all(c).await?))
}

/// Active representatives and leads of each of the sponsors `ids`: one query for a
/// whole page.
pub async fn counts(tx: &mut Tx, ids: &[Uuid]) -> Result<Vec<SponsorCounts>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(
        "SELECT s.id AS sponsor_id,
           (SELECT COUNT(*) FROM sponsor_users u WHERE u.sponsor_id = s.id AND u.is_active = TRUE) AS representative_count,
           (SELECT COUNT(*) FROM sponsor_leads l WHERE l.sponsor_id = s.id) AS lead_count
         FROM sponsors s WHERE s.id IN ",
    );
    let list = q.in_list(ids);
    q.push(&list);
    let Sql { text, args } = q;
    Ok(on_tx!(tx, c => bind_args!(sqlx::query_as::<_, SponsorCounts>(sqlx::AssertSqlSafe(text.clone())), args.clone())
        .fetch_all(c).await?))
}

/// Every active (non-archived) sponsor of the event, for the public directory.
pub async fn list_public(tx: &mut Tx, event: Uuid) -> Result<Vec<Sponsor>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM sponsors s WHERE s.event_id = $1 AND s.is_archived = FALSE
         ORDER BY s.is_featured DESC, s.company_name, s.id"
    );
    Ok(on_tx!(tx, c => sqlx::query_as::<_, Sponsor>(sqlx::AssertSqlSafe(sql.clone())).bind(event).fetch_all(c).await?))
}

/// The sponsors the user is an active member of.
pub async fn of_member(tx: &mut Tx, user: Uuid) -> Result<Vec<Sponsor>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM sponsors s JOIN sponsor_users u ON u.sponsor_id = s.id
         WHERE u.user_id = $1 AND u.is_active = TRUE ORDER BY s.id"
    );
    Ok(on_tx!(tx, c => sqlx::query_as::<_, Sponsor>(sqlx::AssertSqlSafe(sql.clone())).bind(user).fetch_all(c).await?))
}

/// Leads per sponsor of the event from the lead counters (`lead_counts`), archived
/// leads out: (sponsor, leads). One query for the whole event; sponsors without
/// leads are absent.
pub async fn lead_totals_of_event(tx: &mut Tx, event: Uuid) -> Result<Vec<(Uuid, i64)>> {
    let sql = "SELECT c.sponsor_id, CAST(COALESCE(SUM(c.n), 0) AS BIGINT) FROM lead_counts c
         JOIN sponsors s ON s.id = c.sponsor_id
         WHERE s.event_id = $1 AND c.is_archived = FALSE GROUP BY c.sponsor_id";
    Ok(on_tx!(tx, c => sqlx::query_as::<_, (Uuid, i64)>(sql).bind(event).fetch_all(c).await?))
}
