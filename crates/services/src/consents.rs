//! An attendee's consent to each sponsor of their event (docs/DECISIONS.md,
//! "Consent"). Where the event's rule is opt_in, staff capture an attendee only
//! after the attendee shared their details with that sponsor here; withdrawing
//! stops further captures.

use crate::{Error, Principal, Result, Services};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sponsorhub_domain::time;
use sponsorhub_store::records::{AttendeeConsent, AttendeeRow};
use sponsorhub_store::{Tx, attendees, consents as q, events, sponsors};
use uuid::Uuid;

/// One sponsor of the event, and whether the attendee shares their details with it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
pub struct SponsorConsent {
    pub sponsor_id: Uuid,
    pub sponsor_name: String,
    /// The attendee opted in to this sponsor.
    pub shared: bool,
    /// When they did.
    pub given_at: Option<DateTime<Utc>>,
    /// The version of the consent text they were shown.
    pub text_version: Option<i32>,
}

/// The event's consent rule and text, and the attendee's choice for each sponsor.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
pub struct MyConsents {
    pub event_id: Uuid,
    /// badge_scan (presenting the badge is consent) or opt_in (per sponsor, here).
    #[cfg_attr(feature = "openapi", schema(value_type = sponsorhub_domain::ConsentRule))]
    pub consent_rule: String,
    pub consent_text: Option<String>,
    pub consent_text_version: i32,
    /// Every active sponsor of the event, featured first, then by name.
    pub sponsors: Vec<SponsorConsent>,
}

/// The caller's attendee record in the event (as their badge finds it); anyone
/// else's is missing.
async fn me(tx: &mut Tx, p: &Principal, event_id: Uuid) -> Result<AttendeeRow> {
    attendees::of_user(tx, event_id, p.user_id, &p.email.to_lowercase()).await?.ok_or(Error::NotFound("attendee"))
}

/// The caller's consents in the event.
pub async fn my_consents(svc: &Services, p: &Principal, event_id: Uuid) -> Result<MyConsents> {
    let mut tx = svc.store.read().await?;
    let me = me(&mut tx, p, event_id).await?;
    let event = events::get_any(&mut tx, event_id).await?.ok_or(Error::NotFound("attendee"))?;
    let given = q::of_attendee(&mut tx, me.id).await?;
    let sponsors = sponsors::list_public(&mut tx, event_id)
        .await?
        .into_iter()
        .map(|s| {
            let c = given.iter().find(|c| c.sponsor_id == s.id);
            SponsorConsent {
                sponsor_id: s.id,
                sponsor_name: s.company_name,
                shared: c.is_some(),
                given_at: c.map(|c| c.given_at),
                text_version: c.map(|c| c.text_version),
            }
        })
        .collect();
    Ok(MyConsents {
        event_id,
        consent_rule: event.consent_rule.as_str().to_string(),
        consent_text: event.consent_text,
        consent_text_version: event.consent_text_version,
        sponsors,
    })
}

/// The caller shares their details with the sponsor (under the event's current
/// consent text); giving it again renews it.
#[tracing::instrument(skip_all, fields(event.id = %event_id, sponsor.id = %sponsor_id))]
pub async fn give(svc: &Services, p: &Principal, event_id: Uuid, sponsor_id: Uuid) -> Result<SponsorConsent> {
    let mut tx = svc.store.write().await?;
    let me = me(&mut tx, p, event_id).await?;
    let sponsor = sponsors::get(&mut tx, sponsor_id)
        .await?
        .filter(|s| s.event_id == event_id && !s.is_archived)
        .ok_or(Error::NotFound("sponsor"))?;
    let event = events::get_any(&mut tx, event_id).await?.ok_or(Error::NotFound("sponsor"))?;
    let c = AttendeeConsent {
        attendee_id: me.id,
        sponsor_id,
        event_id,
        given_at: time::now(),
        text_version: event.consent_text_version,
    };
    q::give(&mut tx, &c).await?;
    tx.commit().await?;
    Ok(SponsorConsent {
        sponsor_id,
        sponsor_name: sponsor.company_name,
        shared: true,
        given_at: Some(c.given_at),
        text_version: Some(c.text_version),
    })
}

/// The caller stops sharing their details with the sponsor: where the event asks
/// for an opt-in, staff can no longer capture them. Withdrawing what was not
/// given is no error.
#[tracing::instrument(skip_all, fields(event.id = %event_id, sponsor.id = %sponsor_id))]
pub async fn withdraw(svc: &Services, p: &Principal, event_id: Uuid, sponsor_id: Uuid) -> Result<()> {
    let mut tx = svc.store.write().await?;
    let me = me(&mut tx, p, event_id).await?;
    sponsors::get(&mut tx, sponsor_id).await?.filter(|s| s.event_id == event_id).ok_or(Error::NotFound("sponsor"))?;
    q::withdraw(&mut tx, me.id, sponsor_id).await?;
    tx.commit().await?;
    Ok(())
}
