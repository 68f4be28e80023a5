//! The the tier wizard.

use super::*;

pub struct TierItem {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub color: String,
    pub order: i32,
    pub max_representatives: i32,
    pub price: String,
    pub currency: String,
    pub benefits: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "tiers.html")]
struct TiersPage {
    ctx: Ctx,
    event: EventItem,
    tiers: Vec<TierItem>,
}

pub async fn tiers_page(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(event_id): Path<Uuid>,
) -> Result<Response, WebError> {
    let svc = &s.services;
    let event = events::get_event(svc, &p, None, event_id).await?;
    let tiers = tiers::list_tiers(svc, &p, None, event_id)
        .await?
        .into_iter()
        .map(|t| TierItem {
            id: t.id,
            name: t.name,
            description: t.description.unwrap_or_default(),
            color: t.color.unwrap_or_else(|| "#94a3b8".into()),
            order: t.display_order,
            max_representatives: t.max_representatives,
            price: t.price_cents.map(|c| format!("{}.{:02}", c / 100, c % 100)).unwrap_or_default(),
            currency: t.currency,
            benefits: t.benefits.0.join("\n"),
            active: t.is_active,
        })
        .collect();
    Ok(html(&TiersPage { ctx, event: EventItem::of(&event), tiers }))
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn create_default_tiers(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(event_id): Path<Uuid>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, WebError> {
    let back = format!("/events/{event_id}/tiers");
    Ok(match tiers::create_default_tiers(&s.services, &p, None, event_id).await {
        Ok((_, true)) => ctx.success(&back, "Created Platinum, Gold, Silver and Bronze. Adjust them below."),
        Ok((_, false)) => ctx.success(&back, "The default tiers exist already."),
        Err(e) => ctx.refused(&back, e),
    })
}

#[derive(Deserialize, Default)]
pub struct TierForm {
    name: Option<String>,
    description: Option<String>,
    color: Option<String>,
    display_order: Option<String>,
    max_representatives: Option<String>,
    price: Option<String>,
    currency: Option<String>,
    benefits: Option<String>,
    is_active: Option<String>,
}

/// Form text → numbers; a bad number is a field error like the service's own.
fn number<T: std::str::FromStr>(field: &str, raw: &Option<String>) -> Result<Option<T>, Error> {
    match opt(raw) {
        None => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| Error::invalid(field, "must be a whole number")),
    }
}

fn cents(raw: &Option<String>) -> Result<Option<i64>, Error> {
    let Some(v) = opt(raw) else { return Ok(None) };
    let bad = || Error::invalid("price_cents", "must be an amount like 5000 or 5000.00");
    let (units, frac) = v.split_once('.').unwrap_or((&v, ""));
    if frac.len() > 2 || units.is_empty() {
        return Err(bad());
    }
    let units: i64 = units.replace(',', "").parse().map_err(|_| bad())?;
    let frac: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().map_err(|_| bad())? };
    units.checked_mul(100).and_then(|u| u.checked_add(frac)).map(Some).ok_or_else(bad)
}

fn benefits(raw: &Option<String>) -> Vec<String> {
    raw.as_deref().unwrap_or("").lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

pub async fn create_tier(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(event_id): Path<Uuid>,
    CsrfForm(form): CsrfForm<TierForm>,
) -> Result<Response, WebError> {
    let back = format!("/events/{event_id}/tiers");
    let result = async {
        let input = CreateTier {
            name: form.name.clone().unwrap_or_default(),
            description: opt(&form.description),
            display_order: number("display_order", &form.display_order)?,
            color: opt(&form.color),
            benefits: benefits(&form.benefits),
            max_representatives: number("max_representatives", &form.max_representatives)?,
            price_cents: cents(&form.price)?,
            currency: opt(&form.currency),
            is_active: Some(true),
        };
        tiers::create_tier(&s.services, &p, None, event_id, input).await
    }
    .await;
    Ok(match result {
        Ok(t) => ctx.success(&back, format!("Added the {} tier.", t.name)),
        Err(e) => ctx.refused(&back, e),
    })
}

pub async fn update_tier(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path((event_id, tier_id)): Path<(Uuid, Uuid)>,
    CsrfForm(form): CsrfForm<TierForm>,
) -> Result<Response, WebError> {
    let back = format!("/events/{event_id}/tiers");
    let result = async {
        let input = UpdateTier {
            name: form.name.clone(),
            description: Some(opt(&form.description)),
            display_order: number("display_order", &form.display_order)?,
            color: Some(opt(&form.color)),
            benefits: Some(benefits(&form.benefits)),
            max_representatives: number("max_representatives", &form.max_representatives)?,
            price_cents: Some(cents(&form.price)?),
            currency: opt(&form.currency),
            is_active: Some(checked(&form.is_active)),
        };
        tiers::update_tier(&s.services, &p, None, tier_id, input).await
    }
    .await;
    Ok(match result {
        Ok(t) => ctx.success(&back, format!("Saved the {} tier.", t.name)),
        Err(e) => ctx.refused(&back, e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_parse_to_cents() {
        assert_eq!(cents(&Some("5000".into())).unwrap(), Some(500_000));
        assert_eq!(cents(&Some("12.5".into())).unwrap(), Some(1250));
        assert_eq!(cents(&Some("  ".into())).unwrap(), None);
        assert!(cents(&Some("1.234".into())).is_err());
        assert!(cents(&Some("abc".into())).is_err());
    }
}
