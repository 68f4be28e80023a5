//! Which staff are at the booth now (docs/DECISIONS.md, "Booth pages"): each
//! active staff member marks themselves at the booth, or leaving it; a mark
//! lapses by itself [`LAPSES_AFTER_HOURS`] hours later. The event's booth page
//! shows the first names of those at the booth, never an e-mail address.

use crate::authz::SponsorAccess;
use crate::{Principal, Result, Services};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sponsorhub_domain::time;
use sponsorhub_store::presence as q;
use std::collections::HashMap;
use uuid::Uuid;

/// A mark "at the booth" lapses this many hours after it was made.
pub const LAPSES_AFTER_HOURS: i64 = 4;

/// Whether the caller is at the sponsor's booth.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PresenceInput {
    /// true: at the booth now (for the next 4 hours); false: not (any more).
    pub at_booth: bool,
}

/// The caller's presence at the booth, and who is there.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject), graphql(name = "BoothPresence"))]
pub struct Presence {
    pub sponsor_id: Uuid,
    /// The caller is at the booth now.
    pub at_booth: bool,
    /// When the caller's mark lapses (null when not at the booth).
    pub until: Option<DateTime<Utc>>,
    /// The first names of the staff at the booth now, as attendees see them.
    pub staff_at_booth: Vec<String>,
}

/// How attendees see a staff member's name: the first word of it; a name that
/// is an e-mail address (a platform token without a name) shows as "A team
/// member".
pub fn shown_name(name: &str) -> String {
    match name.split_whitespace().next() {
        Some(first) if !name.contains('@') => first.to_string(),
        _ => "A team member".to_string(),
    }
}

/// The shown names of the sponsor's staff at the booth now.
pub async fn staff_at_booth(tx: &mut sponsorhub_store::Tx, sponsor: Uuid) -> Result<Vec<String>> {
    Ok(q::names_at_booth(tx, sponsor, time::now()).await?.iter().map(|n| shown_name(n)).collect())
}

async fn presence_of(tx: &mut sponsorhub_store::Tx, p: &Principal, sponsor: Uuid) -> Result<Presence> {
    let until = q::of_user(tx, p.user_id, time::now()).await?.into_iter().find(|(s, _)| *s == sponsor).map(|(_, u)| u);
    Ok(Presence {
        sponsor_id: sponsor,
        at_booth: until.is_some(),
        until,
        staff_at_booth: staff_at_booth(tx, sponsor).await?,
    })
}

/// The caller's presence at the sponsor's booth (its active staff).
pub async fn my_presence(svc: &Services, p: &Principal, sponsor: Uuid) -> Result<Presence> {
    let mut tx = svc.store.read().await?;
    SponsorAccess::load(&mut tx, p, sponsor).await?.require_stand_at_booth()?;
    presence_of(&mut tx, p, sponsor).await
}

/// The caller marks themselves at the sponsor's booth (for the next
/// [`LAPSES_AFTER_HOURS`] hours) or not: active staff only, each for themselves.
#[tracing::instrument(skip_all, fields(sponsor.id = %sponsor))]
pub async fn set_presence(svc: &Services, p: &Principal, sponsor: Uuid, input: PresenceInput) -> Result<Presence> {
    let mut tx = svc.store.write().await?;
    SponsorAccess::load(&mut tx, p, sponsor).await?.require_stand_at_booth()?;
    if input.at_booth {
        q::set(&mut tx, sponsor, p.user_id, time::now() + Duration::hours(LAPSES_AFTER_HOURS)).await?;
    } else {
        q::clear(&mut tx, sponsor, p.user_id).await?;
    }
    let presence = presence_of(&mut tx, p, sponsor).await?;
    tx.commit().await?;
    Ok(presence)
}

/// Until when the caller is at each sponsor's booth (the portal's home).
pub async fn my_marks(svc: &Services, p: &Principal) -> Result<HashMap<Uuid, DateTime<Utc>>> {
    let mut tx = svc.store.read().await?;
    Ok(q::of_user(&mut tx, p.user_id, time::now()).await?.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::shown_name;

    #[test]
    fn attendees_see_a_first_name_never_an_address() {
        assert_eq!(shown_name("Grace Brewster Hopper"), "Grace");
        assert_eq!(shown_name("  ada  "), "ada");
        assert_eq!(shown_name("grace@navy.mil"), "A team member");
        assert_eq!(shown_name(""), "A team member");
    }
}
