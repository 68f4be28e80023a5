//! What the socket.io clients receive: camelCase, as the reference platform's
//! dashboards expect (REST stays snake_case). Every payload carries the lead's
//! `updatedAt`, so a dashboard that reconnects knows where to resume with the lead
//! list's `updated_since` filter (socket delivery is at most once).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sponsorhub_domain::{FollowUpStatus, IntentLevel};
use sponsorhub_services::notify::IntentChange;
use sponsorhub_store::records::Lead;
use uuid::Uuid;

/// `lead.captured.new` and `lead.updated`: the whole lead.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeadPayload {
    pub id: Uuid,
    pub sponsor_id: Uuid,
    pub event_id: Uuid,
    pub user_id: Uuid,
    pub user_name: Option<String>,
    pub user_email: Option<String>,
    pub user_company: Option<String>,
    pub user_title: Option<String>,
    pub intent_score: i32,
    pub intent_level: IntentLevel,
    pub interaction_count: i32,
    pub first_interaction_at: DateTime<Utc>,
    pub last_interaction_at: DateTime<Utc>,
    pub follow_up_status: FollowUpStatus,
    pub follow_up_notes: Option<String>,
    pub contact_notes: Option<String>,
    pub tags: Vec<String>,
    pub is_starred: bool,
    pub is_archived: bool,
    pub followed_up_at: Option<DateTime<Utc>>,
    pub followed_up_by_user_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Lead> for LeadPayload {
    fn from(l: &Lead) -> Self {
        LeadPayload {
            id: l.id,
            sponsor_id: l.sponsor_id,
            event_id: l.event_id,
            user_id: l.user_id,
            user_name: l.user_name.clone(),
            user_email: l.user_email.clone(),
            user_company: l.user_company.clone(),
            user_title: l.user_title.clone(),
            intent_score: l.intent_score,
            intent_level: l.intent_level,
            interaction_count: l.interaction_count,
            first_interaction_at: l.first_interaction_at,
            last_interaction_at: l.last_interaction_at,
            follow_up_status: l.follow_up_status,
            follow_up_notes: l.follow_up_notes.clone(),
            contact_notes: l.contact_notes.clone(),
            tags: l.tags.0.clone(),
            is_starred: l.is_starred,
            is_archived: l.is_archived,
            followed_up_at: l.followed_up_at,
            followed_up_by_user_id: l.followed_up_by_user_id,
            created_at: l.created_at,
            updated_at: l.updated_at,
        }
    }
}

/// `lead.erased`: the lead's personal data was erased (docs/DECISIONS.md,
/// "Withdrawal and erasure"); a dashboard drops it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErasedPayload {
    pub lead_id: Uuid,
    pub sponsor_id: Uuid,
    pub erased_at: DateTime<Utc>,
}

/// `message.new`: a message between a sponsor's staff and an attendee
/// (docs/DECISIONS.md, "Messaging"), to the sponsor's message room and to the
/// attendee's own room.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessagePayload {
    pub id: Uuid,
    pub thread_id: Uuid,
    pub sponsor_id: Uuid,
    pub sponsor_name: String,
    pub event_id: Uuid,
    /// `staff` or `attendee`.
    pub sender_side: &'static str,
    /// Staff members appear to attendees by first name.
    pub sender_name: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl MessagePayload {
    /// The payload as `to_attendee` (or the sponsor's staff) see it.
    pub fn of(m: &sponsorhub_services::notify::MessageEvent, to_attendee: bool) -> MessagePayload {
        let sender_name = if to_attendee && m.sender_side == "staff" {
            sponsorhub_services::presence::shown_name(&m.sender_name)
        } else {
            m.sender_name.clone()
        };
        MessagePayload {
            id: m.message_id,
            thread_id: m.thread_id,
            sponsor_id: m.sponsor_id,
            sponsor_name: m.sponsor_name.clone(),
            event_id: m.event_id,
            sender_side: m.sender_side,
            sender_name,
            body: m.body.clone(),
            created_at: m.created_at,
            updated_at: m.created_at,
        }
    }
}

/// `lead.intent.updated`: a capture changed an existing lead's score.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IntentPayload {
    pub lead_id: Uuid,
    pub sponsor_id: Uuid,
    pub intent_score: i32,
    pub intent_level: IntentLevel,
    pub previous_intent_level: IntentLevel,
    pub interaction_count: i32,
    pub updated_at: DateTime<Utc>,
}

impl From<&IntentChange> for IntentPayload {
    fn from(c: &IntentChange) -> Self {
        IntentPayload {
            lead_id: c.lead_id,
            sponsor_id: c.sponsor_id,
            intent_score: c.intent_score,
            intent_level: c.intent_level,
            previous_intent_level: c.previous_intent_level,
            interaction_count: c.interaction_count,
            updated_at: c.updated_at,
        }
    }
}

/// The body of `sponsor.leads.join` and `sponsor.leads.leave`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoomRequest {
    pub sponsor_id: String,
}

/// The acknowledgement of `sponsor.leads.join` / `sponsor.leads.leave`.
#[derive(Debug, Clone, Serialize)]
pub struct Ack {
    pub success: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Ack {
    pub fn ok() -> Ack {
        Ack { success: true, error: None }
    }

    pub fn refused(error: impl Into<String>) -> Ack {
        Ack { success: false, error: Some(error.into()) }
    }
}

/// The handshake's `auth` object (`io(url, { auth: { token } })`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct HandshakeAuth {
    pub token: Option<String>,
}
