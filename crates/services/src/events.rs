//! Events of an organization, which sponsors hang off.

use crate::authz::{require_member, require_organizer};
use crate::pagination::{self, Page};
use crate::{Error, Principal, Result, Services};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};
use sponsorhub_domain::validate::{self, Validator};
use sponsorhub_domain::{ConsentRule, HallAccess, ids, time};
use sponsorhub_store::records::{Event, JsonColumn, SharedFields};
use sponsorhub_store::{StoreError, events as q};
use uuid::Uuid;

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateEvent {
    pub name: String,
    /// Derived from the name when absent.
    pub slug: Option<String>,
    pub description: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    /// IANA time zone name; `UTC` when absent.
    pub timezone: Option<String>,
    pub venue: Option<String>,
    /// What sponsors receive of an attendee beyond name and company (default:
    /// nothing more).
    pub shared_attendee_fields: Option<SharedFields>,
    /// What counts as an attendee's consent: badge_scan (default; presenting the
    /// badge) or opt_in (per sponsor).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<ConsentRule>))]
    pub consent_rule: Option<String>,
    /// The consent text shown to attendees (at most 2,000 characters).
    pub consent_text: Option<String>,
    /// Who sees the expo hall (sponsor directory and booth pages): public
    /// (default, anyone) or attendees (the event's signed-in people only).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<HallAccess>))]
    pub hall_access: Option<String>,
    /// Days after the event's end when its leads' personal data is erased, 0 to
    /// 3650 (default: none, kept).
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 3650))]
    pub retention_days: Option<i32>,
}

/// Fields to change; absent fields stay, `null` clears an optional field.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateEvent {
    pub name: Option<String>,
    pub slug: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<DateTime<Utc>>))]
    pub starts_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<DateTime<Utc>>))]
    pub ends_at: Option<Option<DateTime<Utc>>>,
    pub timezone: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub venue: Option<Option<String>>,
    /// Replaces what sponsors receive of an attendee beyond name and company.
    pub shared_attendee_fields: Option<SharedFields>,
    /// badge_scan or opt_in. Leads recorded before keep the consent they have.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<ConsentRule>))]
    pub consent_rule: Option<String>,
    /// A new consent text raises `consent_text_version`; `null` clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub consent_text: Option<Option<String>>,
    /// public or attendees: who sees the expo hall (sponsor directory and booth
    /// pages).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<HallAccess>))]
    pub hall_access: Option<String>,
    /// Days after the event's end when its leads' personal data is erased, 0 to
    /// 3650; `null`: kept (docs/DECISIONS.md, "Retention").
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i32>, minimum = 0, maximum = 3650))]
    pub retention_days: Option<Option<i32>>,
}

/// The retention period: 0 to 3650 days after the event's end.
fn check_retention(days: Option<i32>) -> std::result::Result<Option<i32>, validate::FieldError> {
    match days {
        Some(d) if !(0..=3650).contains(&d) => {
            Err(validate::FieldError::new("retention_days", "must be from 0 to 3650 days"))
        }
        d => Ok(d),
    }
}

/// Tells an absent field (`None`) from an explicit `null` (`Some(None)`).
pub fn double_option<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

fn check_dates(v: &mut Validator, starts: Option<DateTime<Utc>>, ends: Option<DateTime<Utc>>) {
    if let (Some(s), Some(e)) = (starts, ends)
        && e < s
    {
        v.push("ends_at", "must not be before the start");
    }
}

/// The custom fields named in the sharing settings: at most 20 names of 1 to 50
/// characters.
fn check_shared(v: &mut Validator, shared: &SharedFields) -> Option<SharedFields> {
    let names = v.check(if shared.custom_fields.len() > 20 {
        Err(validate::FieldError::new("shared_attendee_fields.custom_fields", "at most 20 fields"))
    } else {
        shared
            .custom_fields
            .iter()
            .map(|n| validate::text("shared_attendee_fields.custom_fields", n, 1, 50))
            .collect::<std::result::Result<Vec<_>, _>>()
    })?;
    Some(SharedFields { custom_fields: names, ..shared.clone() })
}

fn slug_taken(e: StoreError) -> Error {
    match e {
        StoreError::Unique(_) => Error::Conflict("another event of this organization has this slug".into()),
        e => e.into(),
    }
}

#[tracing::instrument(skip_all, fields(organization.id = %org))]
pub async fn create_event(svc: &Services, p: &Principal, org: Uuid, input: CreateEvent) -> Result<Event> {
    let mut v = Validator::new();
    let name = v.check(validate::text("name", &input.name, 1, 200));
    let slug = match &input.slug {
        Some(s) => v.check(validate::slug("slug", s)),
        None => name.as_deref().map(validate::slugify),
    };
    let description = v.check(validate::optional_text("description", input.description.as_deref(), 10_000));
    let timezone = v.check(validate::timezone("timezone", input.timezone.as_deref().unwrap_or("UTC")));
    let venue = v.check(validate::optional_text("venue", input.venue.as_deref(), 500));
    let shared = check_shared(&mut v, &input.shared_attendee_fields.unwrap_or_default());
    let consent_rule =
        v.check(input.consent_rule.as_deref().map(|r| validate::choice::<ConsentRule>("consent_rule", r)).transpose());
    let consent_text = v.check(validate::optional_text("consent_text", input.consent_text.as_deref(), 2_000));
    let hall_access =
        v.check(input.hall_access.as_deref().map(|r| validate::choice::<HallAccess>("hall_access", r)).transpose());
    let retention_days = v.check(check_retention(input.retention_days));
    check_dates(&mut v, input.starts_at, input.ends_at);
    v.finish()?;

    let mut tx = svc.store.write().await?;
    require_organizer(&mut tx, p, org, "organization").await?;
    let now = time::now();
    let event = Event {
        id: ids::new_id(),
        organization_id: org,
        name: name.unwrap(),
        slug: slug.unwrap(),
        description: description.unwrap(),
        starts_at: input.starts_at,
        ends_at: input.ends_at,
        timezone: timezone.unwrap(),
        venue: venue.unwrap(),
        shared_attendee_fields: JsonColumn(shared.unwrap_or_default()),
        consent_rule: consent_rule.flatten().unwrap_or(ConsentRule::BadgeScan),
        consent_text: consent_text.flatten(),
        consent_text_version: 1,
        hall_access: hall_access.flatten().unwrap_or(HallAccess::Public),
        retention_days: retention_days.flatten(),
        created_at: now,
        updated_at: now,
    };
    q::insert(&mut tx, &event).await.map_err(slug_taken)?;
    tx.commit().await?;
    tracing::info!(event.id = %event.id, "event created");
    Ok(event)
}

pub async fn list_events(
    svc: &Services,
    p: &Principal,
    org: Uuid,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> Result<Page<Event>> {
    let limit = pagination::limit(limit)?;
    let after: Option<Uuid> = pagination::decode(cursor)?;
    let mut tx = svc.store.read().await?;
    require_member(&mut tx, p, org, "organization").await?;
    let rows = q::list(&mut tx, org, after, i64::from(limit) + 1).await?;
    Ok(pagination::page(rows, limit, |e| e.id))
}

pub async fn get_event(svc: &Services, p: &Principal, org: Option<Uuid>, id: Uuid) -> Result<Event> {
    let mut tx = svc.store.read().await?;
    crate::authz::event_of_org(&mut tx, p, org, id, false).await
}

#[tracing::instrument(skip_all, fields(organization.id = %org, event.id = %id))]
pub async fn update_event(svc: &Services, p: &Principal, org: Uuid, id: Uuid, input: UpdateEvent) -> Result<Event> {
    let mut tx = svc.store.write().await?;
    require_member(&mut tx, p, org, "event").await?;
    let mut event = q::get(&mut tx, org, id).await?.ok_or(Error::NotFound("event"))?;
    require_organizer(&mut tx, p, org, "event").await?;

    let mut v = Validator::new();
    v.set(&mut event.name, input.name.as_deref().map(|n| validate::text("name", n, 1, 200)));
    v.set(&mut event.slug, input.slug.as_deref().map(|s| validate::slug("slug", s)));
    v.set(
        &mut event.description,
        input.description.as_ref().map(|d| validate::optional_text("description", d.as_deref(), 10_000)),
    );
    v.set(&mut event.timezone, input.timezone.as_deref().map(|tz| validate::timezone("timezone", tz)));
    v.set(&mut event.venue, input.venue.as_ref().map(|d| validate::optional_text("venue", d.as_deref(), 500)));
    if let Some(s) = input.starts_at {
        event.starts_at = s;
    }
    if let Some(e) = input.ends_at {
        event.ends_at = e;
    }
    if let Some(shared) = &input.shared_attendee_fields
        && let Some(shared) = check_shared(&mut v, shared)
    {
        event.shared_attendee_fields = JsonColumn(shared);
    }
    v.set(
        &mut event.consent_rule,
        input.consent_rule.as_deref().map(|r| validate::choice::<ConsentRule>("consent_rule", r)),
    );
    v.set(
        &mut event.hall_access,
        input.hall_access.as_deref().map(|r| validate::choice::<HallAccess>("hall_access", r)),
    );
    v.set(&mut event.retention_days, input.retention_days.map(check_retention));
    let before = event.consent_text.clone();
    v.set(
        &mut event.consent_text,
        input.consent_text.as_ref().map(|t| validate::optional_text("consent_text", t.as_deref(), 2_000)),
    );
    if event.consent_text != before {
        event.consent_text_version += 1;
    }
    check_dates(&mut v, event.starts_at, event.ends_at);
    v.finish()?;

    event.updated_at = time::now();
    q::update(&mut tx, &event).await.map_err(slug_taken)?;
    tx.commit().await?;
    Ok(event)
}

/// What attendees may know of an event: enough to head its public sponsor directory.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PublicEvent {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub venue: Option<String>,
}

/// Sets who sees the event's expo hall (organizers; GraphQL names the event by
/// id alone).
#[tracing::instrument(skip_all, fields(event.id = %id))]
pub async fn set_hall_access(svc: &Services, p: &Principal, id: Uuid, hall_access: &str) -> Result<Event> {
    let access = validate::choice::<HallAccess>("hall_access", hall_access).map_err(|e| Error::Invalid(vec![e]))?;
    let mut tx = svc.store.write().await?;
    let mut event = crate::authz::event_of_org(&mut tx, p, None, id, true).await?;
    event.hall_access = access;
    event.updated_at = time::now();
    q::update(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(event)
}

/// Sets how many days after the event's end its leads' personal data is erased
/// (`None`: kept; organizers; GraphQL names the event by id alone).
#[tracing::instrument(skip_all, fields(event.id = %id))]
pub async fn set_retention(svc: &Services, p: &Principal, id: Uuid, retention_days: Option<i32>) -> Result<Event> {
    let days = check_retention(retention_days).map_err(|e| Error::Invalid(vec![e]))?;
    let mut tx = svc.store.write().await?;
    let mut event = crate::authz::event_of_org(&mut tx, p, None, id, true).await?;
    event.retention_days = days;
    event.updated_at = time::now();
    q::update(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(event)
}

/// The face of an event's expo hall, for whoever may see it
/// ([`crate::authz::require_hall_viewer`]: anyone when the hall is public).
pub async fn hall_event(svc: &Services, viewer: Option<&Principal>, id: Uuid) -> Result<PublicEvent> {
    let mut tx = svc.store.read().await?;
    let e = sponsorhub_store::events::get_any(&mut tx, id).await?.ok_or(Error::NotFound("event"))?;
    crate::authz::require_hall_viewer(&mut tx, viewer, &e).await?;
    Ok(public_of(e))
}

/// The face of an event for a caller already admitted to it (an attendee's own
/// badge page, the sponsor portal); the expo hall asks [`hall_event`].
pub async fn public_event(svc: &Services, id: Uuid) -> Result<PublicEvent> {
    let mut tx = svc.store.read().await?;
    let e = sponsorhub_store::events::get_any(&mut tx, id).await?.ok_or(Error::NotFound("event"))?;
    Ok(public_of(e))
}

fn public_of(e: Event) -> PublicEvent {
    PublicEvent {
        id: e.id,
        name: e.name,
        description: e.description,
        starts_at: e.starts_at,
        ends_at: e.ends_at,
        venue: e.venue,
    }
}
