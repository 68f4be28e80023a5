//! The attendee's own data (docs/DECISIONS.md, "The attendee's own data"): which
//! sponsors of an event hold a lead on the caller, and everything each holds:
//! the details it received, its interactions, answers, score, follow-up state,
//! tags, notes and the messages with its staff. Read in a fixed number of
//! queries whatever the sponsors.

use crate::{Error, Principal, Result, Services};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sponsorhub_store::records::Lead;
use sponsorhub_store::{attendees, consents, leads, questions, sponsors};
use std::collections::HashMap;
use uuid::Uuid;

/// One interaction a sponsor recorded.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeldInteraction {
    /// booth_visit, content_download, qr_scan, …
    pub interaction_type: String,
    pub occurred_at: DateTime<Utc>,
    /// How it was recorded: badge_scan, manual, business_card, content, meeting or api.
    pub source: String,
}

/// One answer to a sponsor's qualification question.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeldAnswer {
    pub question: String,
    /// Text, a label, a list of labels, or a number of stars.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub value: serde_json::Value,
    pub answered_at: DateTime<Utc>,
}

/// A note the sponsor's staff wrote on the lead.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeldNote {
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// One message between the sponsor's staff and the caller (docs/DECISIONS.md,
/// "Messaging").
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeldMessage {
    /// Who wrote it: `staff` or `attendee` (the caller).
    pub sender_side: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// What one sponsor holds on the caller.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SponsorHolding {
    pub sponsor_id: Uuid,
    pub sponsor_name: String,
    /// The caller shares their details with this sponsor (an opt-in they gave).
    pub shared: bool,
    /// The details the sponsor received (only those it holds).
    pub name: Option<String>,
    pub email: Option<String>,
    pub company: Option<String>,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub country: Option<String>,
    /// The event's custom fields the sponsor received.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub custom_fields: serde_json::Map<String, serde_json::Value>,
    /// On what the sponsor holds it: badge_scan, opt_in, attendee, staff_entry.
    pub consent_basis: Option<String>,
    pub intent_score: i32,
    pub intent_level: String,
    pub follow_up_status: String,
    pub tags: Vec<String>,
    pub first_interaction_at: DateTime<Utc>,
    pub last_interaction_at: DateTime<Utc>,
    /// Newest first.
    pub interactions: Vec<HeldInteraction>,
    pub answers: Vec<HeldAnswer>,
    /// Newest first.
    pub notes: Vec<HeldNote>,
    /// The messages between the sponsor's staff and the caller, oldest first.
    pub messages: Vec<HeldMessage>,
}

/// Every sponsor of the event holding a lead on the caller.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyData {
    pub event_id: Uuid,
    pub event_name: String,
    /// By sponsor name.
    pub sponsors: Vec<SponsorHolding>,
}

/// What the sponsors of the event hold on the caller, an attendee of it (404 to
/// anyone else). Leads are the caller's by their account: the one the capture
/// found or made for their badge or e-mail address.
pub async fn my_data(svc: &Services, p: &Principal, event_id: Uuid) -> Result<MyData> {
    let mut tx = svc.store.read().await?;
    let me = attendees::of_user(&mut tx, event_id, p.user_id, &p.email.to_lowercase())
        .await?
        .ok_or(Error::NotFound("attendee"))?;
    let held: Vec<Lead> = leads::of_user(&mut tx, event_id, p.user_id).await?;
    let ids: Vec<Uuid> = held.iter().map(|l| l.id).collect();
    let mut interactions: HashMap<Uuid, Vec<HeldInteraction>> = HashMap::new();
    for i in leads::interactions_of(&mut tx, &ids).await? {
        interactions.entry(i.lead_id).or_default().push(HeldInteraction {
            interaction_type: i.interaction_type.as_str().to_string(),
            occurred_at: i.occurred_at,
            source: i.source.as_str().to_string(),
        });
    }
    let mut answers: HashMap<Uuid, Vec<HeldAnswer>> = HashMap::new();
    for a in questions::answers_of(&mut tx, &ids).await? {
        answers.entry(a.lead_id).or_default().push(HeldAnswer {
            question: a.prompt,
            value: a.value.0,
            answered_at: a.answered_at,
        });
    }
    let mut notes: HashMap<Uuid, Vec<HeldNote>> = HashMap::new();
    for n in leads::notes_of(&mut tx, &ids).await? {
        notes.entry(n.lead_id).or_default().push(HeldNote { body: n.body, created_at: n.created_at });
    }
    let mut messages: HashMap<Uuid, Vec<HeldMessage>> = HashMap::new();
    for (sponsor, m) in sponsorhub_store::messages::all_of_attendee(&mut tx, p.user_id, event_id).await? {
        messages.entry(sponsor).or_default().push(HeldMessage {
            sender_side: m.sender_side,
            body: m.body,
            created_at: m.created_at,
        });
    }
    let all = sponsors::SponsorFilter { include_archived: true, ..Default::default() };
    let names: HashMap<Uuid, String> = if held.is_empty() {
        HashMap::new()
    } else {
        sponsors::list_for_event(&mut tx, event_id, &all, None, 100_000)
            .await?
            .into_iter()
            .map(|s| (s.id, s.company_name))
            .collect()
    };
    let shared: Vec<Uuid> = consents::of_attendee(&mut tx, me.id).await?.into_iter().map(|c| c.sponsor_id).collect();
    let mut sponsors: Vec<SponsorHolding> = held
        .into_iter()
        .map(|l| SponsorHolding {
            sponsor_id: l.sponsor_id,
            sponsor_name: names.get(&l.sponsor_id).cloned().unwrap_or_default(),
            shared: shared.contains(&l.sponsor_id),
            name: l.user_name,
            email: l.user_email,
            company: l.user_company,
            title: l.user_title,
            phone: l.user_phone,
            country: l.user_country,
            custom_fields: l.user_fields.0,
            consent_basis: l.consent_basis,
            intent_score: l.intent_score,
            intent_level: l.intent_level.as_str().to_string(),
            follow_up_status: l.follow_up_status.as_str().to_string(),
            tags: l.tags.0,
            first_interaction_at: l.first_interaction_at,
            last_interaction_at: l.last_interaction_at,
            interactions: interactions.remove(&l.id).unwrap_or_default(),
            answers: answers.remove(&l.id).unwrap_or_default(),
            notes: notes.remove(&l.id).unwrap_or_default(),
            messages: messages.remove(&l.sponsor_id).unwrap_or_default(),
        })
        .collect();
    sponsors.sort_by_key(|s| s.sponsor_name.to_lowercase());
    let event_name = sponsorhub_store::events::get_any(&mut tx, event_id).await?.map(|e| e.name).unwrap_or_default();
    Ok(MyData { event_id, event_name, sponsors })
}
