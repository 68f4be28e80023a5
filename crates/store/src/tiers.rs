//! Sponsor tiers of an event.

use crate::records::Tier;
use crate::{Result, Tx, on_tx};
use uuid::Uuid;

const COLUMNS: &str = "id, organization_id, event_id, name, description, display_order, color, benefits, \
                       max_representatives, price_cents, currency, is_active, created_at, updated_at";

/// Inserts the tier; with `skip_existing`, a tier of the same name in the event is
/// left alone and `false` returned.
pub async fn insert(tx: &mut Tx, t: &Tier, skip_existing: bool) -> Result<bool> {
    let sql = if skip_existing {
        "INSERT INTO sponsor_tiers (id, organization_id, event_id, name, description, display_order, color, benefits,
             max_representatives, price_cents, currency, is_active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         ON CONFLICT (event_id, name) DO NOTHING"
    } else {
        "INSERT INTO sponsor_tiers (id, organization_id, event_id, name, description, display_order, color, benefits,
             max_representatives, price_cents, currency, is_active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
    };
    let n = on_tx!(tx, c => sqlx::query(sql)
        .bind(t.id).bind(t.organization_id).bind(t.event_id).bind(&t.name).bind(&t.description)
        .bind(t.display_order).bind(&t.color).bind(&t.benefits).bind(t.max_representatives)
        .bind(t.price_cents).bind(&t.currency).bind(t.is_active).bind(t.created_at).bind(t.updated_at)
        .execute(c).await?.rows_affected());
    Ok(n == 1)
}

pub async fn update(tx: &mut Tx, t: &Tier) -> Result<()> {
    let sql = "UPDATE sponsor_tiers SET name = $2, description = $3, display_order = $4, color = $5, benefits = $6,
               max_representatives = $7, price_cents = $8, currency = $9, is_active = $10, updated_at = $11
               WHERE id = $1";
    on_tx!(tx, c => sqlx::query(sql)
        .bind(t.id).bind(&t.name).bind(&t.description).bind(t.display_order).bind(&t.color).bind(&t.benefits)
        .bind(t.max_representatives).bind(t.price_cents).bind(&t.currency).bind(t.is_active).bind(t.updated_at)
        .execute(c).await?.rows_affected());
    Ok(())
}

pub async fn delete(tx: &mut Tx, id: Uuid) -> Result<()> {
    on_tx!(tx, c => sqlx::query("DELETE FROM sponsor_tiers WHERE id = $1").bind(id).execute(c).await?.rows_affected());
    Ok(())
}

/// The tier, if it belongs to `org`.
pub async fn get(tx: &mut Tx, org: Uuid, id: Uuid) -> Result<Option<Tier>> {
    let sql = format!("SELECT {COLUMNS} FROM sponsor_tiers WHERE organization_id = $1 AND id = $2");
    Ok(
        on_tx!(tx, c => sqlx::query_as::<_, Tier>(sqlx::AssertSqlSafe(sql.clone())).bind(org).bind(id).fetch_optional(c).await?),
    )
}

/// The tier by id alone (the caller's access is decided by the service).
pub async fn get_any(tx: &mut Tx, id: Uuid) -> Result<Option<Tier>> {
    let sql = format!("SELECT {COLUMNS} FROM sponsor_tiers WHERE id = $1");
    Ok(on_tx!(tx, c => sqlx::query_as::<_, Tier>(sqlx::AssertSqlSafe(sql.clone())).bind(id).fetch_optional(c).await?))
}

/// The event's tiers in display order.
pub async fn list_for_event(tx: &mut Tx, event: Uuid) -> Result<Vec<Tier>> {
    let sql = format!("SELECT {COLUMNS} FROM sponsor_tiers WHERE event_id = $1 ORDER BY display_order, id");
    Ok(on_tx!(tx, c => sqlx::query_as::<_, Tier>(sqlx::AssertSqlSafe(sql.clone())).bind(event).fetch_all(c).await?))
}

/// How many sponsors (archived ones too) are in the tier.
pub async fn sponsor_count(tx: &mut Tx, id: Uuid) -> Result<i64> {
    let sql = "SELECT COUNT(*) FROM sponsors WHERE tier_id = $1";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(sql).bind(id).fetch_one(c).await?))
}
