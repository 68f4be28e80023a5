//! Sponsor tiers of an event: organizers write, organization members read.

use crate::authz::{event_of_org, require_member, require_organizer};
use crate::{Error, Principal, Result, Services};
use serde::Deserialize;
use sponsorhub_domain::validate::{self, FieldError, Validator};
use sponsorhub_domain::{ids, time};
use sponsorhub_store::records::{JsonColumn, Tier};
use sponsorhub_store::{StoreError, Tx, tiers as q};
use uuid::Uuid;

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateTier {
    pub name: String,
    pub description: Option<String>,
    /// Lower comes first; default 0.
    #[serde(default, deserialize_with = "crate::json::opt_int")]
    pub display_order: Option<i32>,
    /// `#RRGGBB`
    pub color: Option<String>,
    #[serde(default)]
    pub benefits: Vec<String>,
    /// Default 5.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1000))]
    #[serde(default, deserialize_with = "crate::json::opt_int")]
    pub max_representatives: Option<i32>,
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    #[serde(default, deserialize_with = "crate::json::opt_int")]
    pub price_cents: Option<i64>,
    /// ISO 4217 code; default USD.
    pub currency: Option<String>,
    pub is_active: Option<bool>,
}

/// Fields to change; absent fields stay, `null` clears an optional one.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateTier {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::events::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::json::opt_int")]
    pub display_order: Option<i32>,
    #[serde(default, deserialize_with = "crate::events::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub color: Option<Option<String>>,
    pub benefits: Option<Vec<String>>,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1000))]
    #[serde(default, deserialize_with = "crate::json::opt_int")]
    pub max_representatives: Option<i32>,
    #[serde(default, deserialize_with = "crate::json::patch_int")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>, minimum = 0))]
    pub price_cents: Option<Option<i64>>,
    pub currency: Option<String>,
    pub is_active: Option<bool>,
}

fn benefits(raw: &[String]) -> Result<Vec<String>, FieldError> {
    if raw.len() > 30 {
        return Err(FieldError::new("benefits", "at most 30 benefits"));
    }
    raw.iter().map(|b| validate::text("benefits", b, 1, 300)).collect()
}

fn max_reps(n: i32) -> Result<i32, FieldError> {
    if (1..=1000).contains(&n) { Ok(n) } else { Err(FieldError::new("max_representatives", "must be 1 to 1000")) }
}

fn price(n: Option<i64>) -> Result<Option<i64>, FieldError> {
    match n {
        Some(p) if p < 0 => Err(FieldError::new("price_cents", "must not be negative")),
        p => Ok(p),
    }
}

fn currency(c: &str) -> Result<String, FieldError> {
    let c = c.trim().to_ascii_uppercase();
    if c.len() == 3 && c.chars().all(|ch| ch.is_ascii_alphabetic()) {
        Ok(c)
    } else {
        Err(FieldError::new("currency", "must be a three-letter currency code"))
    }
}

fn name_taken(e: StoreError) -> Error {
    match e {
        StoreError::Unique(_) => Error::Conflict("the event has a tier of this name already".into()),
        e => e.into(),
    }
}

/// The tier, for a member of its organization (an organizer, when `organizer`).
async fn tier_of_org(tx: &mut Tx, p: &Principal, org: Option<Uuid>, id: Uuid, organizer: bool) -> Result<Tier> {
    let found = q::get_any(tx, id).await?;
    let tier = found.filter(|t| org.is_none_or(|o| o == t.organization_id)).ok_or(Error::NotFound("tier"))?;
    require_member(tx, p, tier.organization_id, "tier").await?;
    if organizer {
        require_organizer(tx, p, tier.organization_id, "tier").await?;
    }
    Ok(tier)
}

#[tracing::instrument(skip_all, fields(event.id = %event))]
pub async fn create_tier(
    svc: &Services,
    p: &Principal,
    org: Option<Uuid>,
    event: Uuid,
    input: CreateTier,
) -> Result<Tier> {
    let mut v = Validator::new();
    let name = v.check(validate::text("name", &input.name, 1, 100));
    let description = v.check(validate::optional_text("description", input.description.as_deref(), 2000));
    let color = v.check(input.color.as_deref().map(|c| validate::color("color", c)).transpose());
    let benefits = v.check(benefits(&input.benefits));
    let max_representatives = v.check(max_reps(input.max_representatives.unwrap_or(5)));
    let price_cents = v.check(price(input.price_cents));
    let currency = v.check(currency(input.currency.as_deref().unwrap_or("USD")));
    v.finish()?;

    let mut tx = svc.store.write().await?;
    let org = event_of_org(&mut tx, p, org, event, true).await?.organization_id;
    let now = time::now();
    let tier = Tier {
        id: ids::new_id(),
        organization_id: org,
        event_id: event,
        name: name.unwrap(),
        description: description.unwrap(),
        display_order: input.display_order.unwrap_or(0),
        color: color.unwrap(),
        benefits: JsonColumn(benefits.unwrap()),
        max_representatives: max_representatives.unwrap(),
        price_cents: price_cents.unwrap(),
        currency: currency.unwrap(),
        is_active: input.is_active.unwrap_or(true),
        created_at: now,
        updated_at: now,
    };
    q::insert(&mut tx, &tier, false).await.map_err(name_taken)?;
    tx.commit().await?;
    Ok(tier)
}

/// The default tier set of the reference platform.
fn default_tiers() -> [(&'static str, &'static str, &'static str, i32, &'static [&'static str]); 4] {
    [
        (
            "Platinum",
            "#E5E4E2",
            "Top billing across the event",
            10,
            &[
                "Largest booth in the main hall",
                "Logo on the main stage and all event materials",
                "Keynote speaking slot",
                "Unlimited lead capture and export",
                "Featured in the sponsor directory",
            ],
        ),
        (
            "Gold",
            "#FFD700",
            "Premium visibility",
            6,
            &["Large booth", "Logo on event materials", "Session speaking slot", "Lead capture and export"],
        ),
        ("Silver", "#C0C0C0", "Solid presence", 4, &["Standard booth", "Logo on the event website", "Lead capture"]),
        ("Bronze", "#CD7F32", "Entry-level sponsorship", 2, &["Table-top booth", "Listing in the sponsor directory"]),
    ]
}

/// Creates Platinum, Gold, Silver and Bronze for the event; tiers of those names
/// that exist are left alone, so calling twice duplicates nothing. Returns all the
/// event's tiers and whether any was created.
#[tracing::instrument(skip_all, fields(event.id = %event))]
pub async fn create_default_tiers(
    svc: &Services,
    p: &Principal,
    org: Option<Uuid>,
    event: Uuid,
) -> Result<(Vec<Tier>, bool)> {
    let mut tx = svc.store.write().await?;
    let org = event_of_org(&mut tx, p, org, event, true).await?.organization_id;
    let now = time::now();
    let mut created = false;
    for (order, (name, color, description, max, benefits)) in default_tiers().into_iter().enumerate() {
        let tier = Tier {
            id: ids::new_id(),
            organization_id: org,
            event_id: event,
            name: name.into(),
            description: Some(description.into()),
            display_order: order as i32 + 1,
            color: Some(color.into()),
            benefits: JsonColumn(benefits.iter().map(|b| b.to_string()).collect()),
            max_representatives: max,
            price_cents: None,
            currency: "USD".into(),
            is_active: true,
            created_at: now,
            updated_at: now,
        };
        created |= q::insert(&mut tx, &tier, true).await?;
    }
    let tiers = q::list_for_event(&mut tx, event).await?;
    tx.commit().await?;
    Ok((tiers, created))
}

/// The event's tiers in display order (organization members).
pub async fn list_tiers(svc: &Services, p: &Principal, org: Option<Uuid>, event: Uuid) -> Result<Vec<Tier>> {
    let mut tx = svc.store.read().await?;
    event_of_org(&mut tx, p, org, event, false).await?;
    Ok(q::list_for_event(&mut tx, event).await?)
}

pub async fn get_tier(svc: &Services, p: &Principal, org: Option<Uuid>, id: Uuid) -> Result<Tier> {
    let mut tx = svc.store.read().await?;
    tier_of_org(&mut tx, p, org, id, false).await
}

#[tracing::instrument(skip_all, fields(tier.id = %id))]
pub async fn update_tier(
    svc: &Services,
    p: &Principal,
    org: Option<Uuid>,
    id: Uuid,
    input: UpdateTier,
) -> Result<Tier> {
    let mut tx = svc.store.write().await?;
    let mut tier = tier_of_org(&mut tx, p, org, id, true).await?;

    let mut v = Validator::new();
    v.set(&mut tier.name, input.name.as_deref().map(|n| validate::text("name", n, 1, 100)));
    v.set(
        &mut tier.description,
        input.description.as_ref().map(|d| validate::optional_text("description", d.as_deref(), 2000)),
    );
    v.set(&mut tier.color, input.color.as_ref().map(|c| c.as_deref().map(|c| validate::color("color", c)).transpose()));
    if let Some(b) = &input.benefits
        && let Some(b) = v.check(benefits(b))
    {
        tier.benefits = JsonColumn(b);
    }
    v.set(&mut tier.max_representatives, input.max_representatives.map(max_reps));
    v.set(&mut tier.price_cents, input.price_cents.map(price));
    v.set(&mut tier.currency, input.currency.as_deref().map(currency));
    v.finish()?;
    if let Some(o) = input.display_order {
        tier.display_order = o;
    }
    if let Some(a) = input.is_active {
        tier.is_active = a;
    }
    tier.updated_at = time::now();
    q::update(&mut tx, &tier).await.map_err(name_taken)?;
    tx.commit().await?;
    Ok(tier)
}

/// Deletes a tier no sponsor uses (archived sponsors count: restoring one needs its tier).
#[tracing::instrument(skip_all, fields(tier.id = %id))]
pub async fn delete_tier(svc: &Services, p: &Principal, org: Option<Uuid>, id: Uuid) -> Result<()> {
    let mut tx = svc.store.write().await?;
    tier_of_org(&mut tx, p, org, id, true).await?;
    let used = q::sponsor_count(&mut tx, id).await?;
    if used > 0 {
        return Err(Error::Conflict(format!("{used} sponsor(s) are in this tier; move them first")));
    }
    q::delete(&mut tx, id).await.map_err(|e| match e {
        StoreError::ForeignKey(_) => Error::Conflict("sponsors are in this tier; move them first".into()),
        e => e.into(),
    })?;
    tx.commit().await?;
    Ok(())
}
