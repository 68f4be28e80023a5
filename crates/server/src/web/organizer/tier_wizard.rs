//! The the tier wizard.

use super::*;
use sponsorhub_domain::validate::FieldError;

/// A tier's form: the stored tier, or what was sent when a save was refused.
pub struct TierItem {
    pub id: Uuid,
    /// The heading: the stored name, whatever the form holds.
    pub title: String,
    pub name: String,
    pub description: String,
    pub color: String,
    pub order: String,
    pub max_representatives: String,
    pub price: String,
    pub currency: String,
    pub benefits: String,
    pub active: bool,
    pub errors: FieldErrors,
}

impl TierItem {
    /// The form as sent, with its errors (the price's at `price`, a benefit's at `benefits`).
    fn refused(mut self, form: TierForm, fields: Vec<FieldError>) -> TierItem {
        self.name = form.name.unwrap_or_default();
        self.description = form.description.unwrap_or_default();
        self.color = form.color.unwrap_or(self.color);
        self.order = form.display_order.unwrap_or_default();
        self.max_representatives = form.max_representatives.unwrap_or_default();
        self.price = form.price.unwrap_or_default();
        self.currency = form.currency.unwrap_or_default();
        self.benefits = form.benefits.unwrap_or_default();
        self.active = checked(&form.is_active);
        self.errors = FieldErrors(
            fields
                .into_iter()
                .map(|mut f| {
                    if f.field == "price_cents" {
                        f.field = "price".into();
                    } else if f.field.starts_with("benefits[") {
                        f.field = "benefits".into();
                    }
                    f
                })
                .collect(),
        );
        self
    }
}

/// The form for a new tier, empty or as sent.
pub struct NewTier {
    pub form: TierItem,
    pub open: bool,
}

#[derive(Template)]
#[template(path = "tiers.html")]
struct TiersPage {
    ctx: Ctx,
    event: EventItem,
    tiers: Vec<TierItem>,
    new_tier: NewTier,
}

pub async fn tiers_page(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(event_id): Path<Uuid>,
) -> Result<Response, WebError> {
    tiers_view(&s, ctx, &p, event_id, None).await
}

/// The tier wizard; `refused` is a form sent back with its errors: a tier's (its
/// id) or the new tier's (`None`).
async fn tiers_view(
    s: &AppState,
    ctx: Ctx,
    p: &Principal,
    event_id: Uuid,
    refused: Option<(Option<Uuid>, TierForm, Vec<FieldError>)>,
) -> Result<Response, WebError> {
    let svc = &s.services;
    let event = events::get_event(svc, p, None, event_id).await?;
    let mut refused = refused;
    let mut tiers = Vec::new();
    for t in tiers::list_tiers(svc, p, None, event_id).await? {
        let item = TierItem {
            id: t.id,
            title: t.name.clone(),
            name: t.name,
            description: t.description.unwrap_or_default(),
            color: t.color.unwrap_or_else(|| "#94a3b8".into()),
            order: t.display_order.to_string(),
            max_representatives: t.max_representatives.to_string(),
            price: t.price_cents.map(|c| format!("{}.{:02}", c / 100, c % 100)).unwrap_or_default(),
            currency: t.currency,
            benefits: t.benefits.0.join("\n"),
            active: t.is_active,
            errors: FieldErrors::default(),
        };
        tiers.push(match refused.take_if(|r| r.0 == Some(t.id)) {
            Some((_, form, fields)) => item.refused(form, fields),
            None => item,
        });
    }
    let blank = TierItem {
        id: Uuid::nil(),
        title: String::new(),
        name: String::new(),
        description: String::new(),
        color: "#6366f1".into(),
        order: String::new(),
        max_representatives: "2".into(),
        price: String::new(),
        currency: String::new(),
        benefits: String::new(),
        active: true,
        errors: FieldErrors::default(),
    };
    let new_tier = match refused.take_if(|r| r.0.is_none()) {
        Some((_, form, fields)) => NewTier { form: blank.refused(form, fields), open: true },
        None => NewTier { open: tiers.is_empty(), form: blank },
    };
    let failed = new_tier.form.errors.any() || tiers.iter().any(|t| t.errors.any());
    let mut res = html(&TiersPage { ctx, event: EventItem::of(&event), tiers, new_tier });
    if failed {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
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

#[derive(Deserialize, Default, Clone)]
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
    match result {
        Ok(t) => Ok(ctx.success(&back, format!("Added the {} tier.", t.name))),
        Err(Error::Invalid(fields)) => tiers_view(&s, ctx, &p, event_id, Some((None, form, fields))).await,
        Err(e) => Ok(ctx.refused(&back, e)),
    }
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
    match result {
        Ok(t) => Ok(ctx.success(&back, format!("Saved the {} tier.", t.name))),
        Err(Error::Invalid(fields)) => tiers_view(&s, ctx, &p, event_id, Some((Some(tier_id), form, fields))).await,
        Err(e) => Ok(ctx.refused(&back, e)),
    }
}

/// Deletes a tier (its organizers); the service refuses one that sponsors hold.
pub async fn delete_tier(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path((event_id, tier_id)): Path<(Uuid, Uuid)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, WebError> {
    let back = format!("/events/{event_id}/tiers");
    Ok(match tiers::delete_tier(&s.services, &p, None, tier_id).await {
        Ok(()) => ctx.success(&back, "Deleted the tier."),
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
