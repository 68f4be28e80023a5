//! What a use case announces after its transaction commits. The real-time gateway
//! and the e-mail sender subscribe; a rolled-back use case announces nothing.

use chrono::{DateTime, Utc};
use sponsorhub_domain::{IntentLevel, SponsorRole};
use sponsorhub_store::records::Lead;
use std::fmt;
use tokio::sync::broadcast;
use uuid::Uuid;

#[derive(Clone, Debug)]
pub enum Notification {
    /// An invitation was created or resent: the e-mail to send.
    InvitationIssued(InvitationMessage),
    /// A lead was captured for the first time.
    LeadCaptured { lead: Lead },
    /// A capture changed an existing lead's score.
    LeadIntentUpdated(IntentChange),
    /// Staff changed a lead (status, notes, tags, star, archive).
    LeadUpdated { lead: Lead },
    /// A staff member may no longer read the sponsor's leads (removed from the
    /// staff, or their view-leads permission turned off): their live feed stops.
    AccessRevoked { sponsor_id: Uuid, user_id: Uuid },
    /// A message was written in a thread between a sponsor and an attendee
    /// (docs/DECISIONS.md, "Messaging").
    MessageNew(MessageEvent),
    /// A lead's personal data was erased (the attendee withdrew, or the event's
    /// retention ran out): dashboards drop it (docs/DECISIONS.md, "Withdrawal and
    /// erasure").
    LeadErased { lead_id: Uuid, sponsor_id: Uuid, erased_at: DateTime<Utc> },
}

impl Notification {
    /// The sponsor whose room this belongs in, if any.
    pub fn sponsor_id(&self) -> Uuid {
        match self {
            Notification::InvitationIssued(m) => m.sponsor_id,
            Notification::LeadCaptured { lead } | Notification::LeadUpdated { lead } => lead.sponsor_id,
            Notification::LeadIntentUpdated(c) => c.sponsor_id,
            Notification::AccessRevoked { sponsor_id, .. } => *sponsor_id,
            Notification::MessageNew(m) => m.sponsor_id,
            Notification::LeadErased { sponsor_id, .. } => *sponsor_id,
        }
    }
}

/// A message written, for the sponsor's staff who may read the threads and for
/// the attendee.
#[derive(Clone, Debug, PartialEq)]
pub struct MessageEvent {
    pub message_id: Uuid,
    pub thread_id: Uuid,
    pub sponsor_id: Uuid,
    pub sponsor_name: String,
    pub event_id: Uuid,
    pub attendee_user_id: Uuid,
    /// `staff` or `attendee`.
    pub sender_side: &'static str,
    /// The sender's full name (attendees are shown a staff member's first name).
    pub sender_name: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct IntentChange {
    pub lead_id: Uuid,
    pub sponsor_id: Uuid,
    pub intent_score: i32,
    pub intent_level: IntentLevel,
    pub previous_intent_level: IntentLevel,
    pub interaction_count: i32,
    pub updated_at: DateTime<Utc>,
}

/// The invitation e-mail to deliver. Its accept link holds the token in clear, so
/// it is never logged (Debug leaves it out); the only copy kept is the rendered
/// e-mail in the outbox, which must reach the invited person.
#[derive(Clone)]
pub struct InvitationMessage {
    pub invitation_id: Uuid,
    pub sponsor_id: Uuid,
    pub to_email: String,
    pub role: SponsorRole,
    pub inviter_name: String,
    pub sponsor_name: String,
    pub event_name: String,
    pub personal_message: Option<String>,
    pub expires_at: DateTime<Utc>,
    /// `<public url>/invitations/accept?token=...`
    pub accept_url: String,
    /// The token alone (what the accept endpoint takes).
    pub token: String,
}

impl fmt::Debug for InvitationMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InvitationMessage")
            .field("invitation_id", &self.invitation_id)
            .field("sponsor_id", &self.sponsor_id)
            .field("to_email", &self.to_email)
            .field("role", &self.role)
            .field("expires_at", &self.expires_at)
            .field("accept_url", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// Fan-out of notifications to the subscribers in this process.
#[derive(Clone)]
pub struct Notifier {
    tx: broadcast::Sender<Notification>,
}

impl Default for Notifier {
    fn default() -> Self {
        Notifier { tx: broadcast::channel(4096).0 }
    }
}

impl Notifier {
    pub fn subscribe(&self) -> broadcast::Receiver<Notification> {
        self.tx.subscribe()
    }

    /// Announces a committed change. Nobody listening is fine.
    pub fn publish(&self, n: Notification) {
        let _ = self.tx.send(n);
    }
}
