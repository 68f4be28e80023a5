//! Rows as the service layer sees them. Secrets (password hashes, token hashes) never
//! appear in these records; the queries that need them return them separately.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sponsorhub_domain::qualification::{ChoiceOption, QuestionKind};
use sponsorhub_domain::{
    CaptureSource, ConsentRule, FollowUpStatus, HallAccess, IntentLevel, InteractionType, InvitationStatus, OrgRole,
    SponsorRole,
};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
pub struct Organization {
    pub id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

/// A user's membership in an organization, with the organization's name.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject), graphql(complex))]
pub struct OrgMembership {
    pub organization_id: Uuid,
    pub organization_name: String,
    /// OWNER, ADMIN or MEMBER
    #[sqlx(try_from = "String")]
    #[cfg_attr(feature = "graphql", graphql(skip))]
    pub role: OrgRole,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject), graphql(complex))]
pub struct Event {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub slug: String,
    pub description: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub timezone: String,
    pub venue: Option<String>,
    /// What the event's sponsors receive of an attendee they capture, beyond the
    /// name and company they always receive.
    #[cfg_attr(feature = "graphql", graphql(skip))]
    #[cfg_attr(feature = "openapi", schema(value_type = SharedFields))]
    pub shared_attendee_fields: JsonColumn<SharedFields>,
    /// What counts as an attendee's consent to a sponsor receiving their details:
    /// badge_scan (presenting the badge) or opt_in (per sponsor).
    #[sqlx(try_from = "String")]
    #[cfg_attr(feature = "graphql", graphql(skip))]
    pub consent_rule: ConsentRule,
    /// The consent text attendees are shown.
    pub consent_text: Option<String>,
    /// Rises with every change of the consent text; each lead records the version
    /// its attendee was shown.
    pub consent_text_version: i32,
    /// Who may see the event's expo hall: public (anyone) or attendees (the
    /// event's signed-in people only).
    #[sqlx(try_from = "String")]
    #[cfg_attr(feature = "graphql", graphql(skip))]
    pub hall_access: HallAccess,
    /// Days after the event's end when its leads' personal data is erased
    /// (docs/DECISIONS.md, "Retention"); none: kept.
    pub retention_days: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The attendee fields an event's sponsors receive beyond name and company (each
/// off unless turned on).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
#[serde(default)]
pub struct SharedFields {
    pub email: bool,
    pub phone: bool,
    pub title: bool,
    pub country: bool,
    /// The custom fields shared, by name.
    pub custom_fields: Vec<String>,
}

/// JSON columns: `jsonb` on PostgreSQL, checked text on SQLite.
pub use sqlx::types::Json as JsonColumn;

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject), graphql(complex, name = "SponsorTier"))]
pub struct Tier {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub event_id: Uuid,
    pub name: String,
    pub description: Option<String>,
    /// Lower comes first.
    pub display_order: i32,
    /// `#RRGGBB`
    pub color: Option<String>,
    #[cfg_attr(feature = "graphql", graphql(skip))]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub benefits: JsonColumn<Vec<String>>,
    /// Active representatives a sponsor of this tier may have.
    pub max_representatives: i32,
    pub price_cents: Option<i64>,
    pub currency: String,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject), graphql(complex, name = "SponsorProfile"))]
pub struct Sponsor {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub event_id: Uuid,
    pub tier_id: Option<Uuid>,
    pub company_name: String,
    pub company_description: Option<String>,
    pub company_website: Option<String>,
    pub company_logo_url: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub booth_number: Option<String>,
    pub booth_description: Option<String>,
    /// Network name → URL, e.g. `{"linkedin": "https://..."}`.
    #[cfg_attr(feature = "graphql", graphql(skip))]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub social_links: JsonColumn<serde_json::Map<String, serde_json::Value>>,
    pub is_featured: bool,
    pub is_archived: bool,
    pub archived_at: Option<DateTime<Utc>>,
    pub lead_capture_enabled: bool,
    pub lead_notification_email: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A sponsor's active representatives and leads.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, sqlx::FromRow)]
pub struct SponsorCounts {
    pub sponsor_id: Uuid,
    pub representative_count: i64,
    pub lead_count: i64,
}

/// A member of a sponsor's staff (a `sponsor_users` row with the user's name and e-mail).
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject), graphql(complex, name = "SponsorUser"))]
pub struct SponsorMember {
    pub id: Uuid,
    pub sponsor_id: Uuid,
    pub user_id: Uuid,
    pub user_email: String,
    pub user_name: String,
    /// admin, representative, booth_staff or viewer
    #[sqlx(try_from = "String")]
    #[cfg_attr(feature = "graphql", graphql(skip))]
    pub role: SponsorRole,
    pub can_view_leads: bool,
    pub can_export_leads: bool,
    pub can_message_attendees: bool,
    pub can_manage_booth: bool,
    pub can_invite_others: bool,
    pub is_active: bool,
    pub joined_at: DateTime<Utc>,
    pub last_active_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject), graphql(complex, name = "SponsorInvitation"))]
pub struct Invitation {
    pub id: Uuid,
    pub sponsor_id: Uuid,
    pub email: String,
    /// admin, representative, booth_staff or viewer
    #[sqlx(try_from = "String")]
    #[cfg_attr(feature = "graphql", graphql(skip))]
    pub role: SponsorRole,
    /// pending, accepted, revoked or expired
    #[sqlx(try_from = "String")]
    #[cfg_attr(feature = "graphql", graphql(skip))]
    pub status: InvitationStatus,
    pub personal_message: Option<String>,
    pub invited_by_user_id: Option<Uuid>,
    pub accepted_by_user_id: Option<Uuid>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject), graphql(complex, name = "LeadRecord"))]
pub struct Lead {
    pub id: Uuid,
    pub sponsor_id: Uuid,
    pub event_id: Uuid,
    /// The attendee.
    pub user_id: Uuid,
    pub user_name: Option<String>,
    pub user_email: Option<String>,
    pub user_company: Option<String>,
    pub user_title: Option<String>,
    pub user_phone: Option<String>,
    pub user_country: Option<String>,
    /// The attendee's custom fields the organizer shares with sponsors.
    #[cfg_attr(feature = "graphql", graphql(skip))]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub user_fields: JsonColumn<serde_json::Map<String, serde_json::Value>>,
    /// The event's attendee, when the lead came from their badge.
    pub attendee_id: Option<Uuid>,
    /// 0 to 100
    pub intent_score: i32,
    /// hot (70-100), warm (40-69) or cold (0-39)
    #[sqlx(try_from = "String")]
    #[cfg_attr(feature = "graphql", graphql(skip))]
    pub intent_level: IntentLevel,
    pub interaction_count: i32,
    pub first_interaction_at: DateTime<Utc>,
    pub last_interaction_at: DateTime<Utc>,
    /// new, contacted, qualified, not_interested or converted
    #[sqlx(try_from = "String")]
    #[cfg_attr(feature = "graphql", graphql(skip))]
    pub follow_up_status: FollowUpStatus,
    pub follow_up_notes: Option<String>,
    pub contact_notes: Option<String>,
    #[cfg_attr(feature = "graphql", graphql(skip))]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub tags: JsonColumn<Vec<String>>,
    pub is_starred: bool,
    pub is_archived: bool,
    pub followed_up_at: Option<DateTime<Utc>>,
    pub followed_up_by_user_id: Option<Uuid>,
    /// On what basis the lead holds the attendee's details: badge_scan, opt_in,
    /// attendee (their own interaction) or staff_entry; `null` for a lead recorded
    /// before consent was kept.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<sponsorhub_domain::ConsentBasis>))]
    pub consent_basis: Option<String>,
    /// When the consent was given: the scan, the opt-in, or the first interaction.
    pub consent_at: Option<DateTime<Utc>>,
    /// Who captured the lead when the consent was recorded.
    pub consent_by_user_id: Option<Uuid>,
    /// The version of the event's consent text the attendee was shown.
    pub consent_text_version: Option<i32>,
    /// Who on the sponsor's staff follows the lead up.
    pub owner_user_id: Option<Uuid>,
    /// The day the follow-up is due (the owner is reminded that morning).
    pub due_on: Option<chrono::NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The points of its interactions per interaction type, kept by each capture
    /// (exports read them; docs/PERFORMANCE.md, "Exporting 100,000 leads").
    #[serde(skip)]
    #[cfg_attr(feature = "graphql", graphql(skip))]
    pub points_by_type: JsonColumn<std::collections::BTreeMap<String, i64>>,
}

/// A qualification question of a sponsor's booth (docs/DECISIONS.md,
/// "Qualification questions").
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject), graphql(complex, name = "QualificationQuestion"))]
pub struct Question {
    pub id: Uuid,
    pub sponsor_id: Uuid,
    /// The order staff see the questions in, lowest first.
    pub position: i32,
    /// text, single_choice, multiple_choice or rating
    #[sqlx(try_from = "String")]
    #[cfg_attr(feature = "graphql", graphql(skip))]
    pub kind: QuestionKind,
    pub prompt: String,
    /// Answers given must include it.
    pub required: bool,
    /// A choice question's options and their points.
    #[cfg_attr(feature = "graphql", graphql(skip))]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<ChoiceOption>))]
    pub options: JsonColumn<Vec<ChoiceOption>>,
    /// What a text answer, or each star of a rating, adds to the score.
    pub points: i32,
    /// Deleted: no longer asked; the answers given stay.
    pub is_archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The answer to one question on one lead.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Answer {
    pub lead_id: Uuid,
    pub question_id: Uuid,
    pub sponsor_id: Uuid,
    /// Text, an option's label, a list of labels, or a number of stars.
    pub value: JsonColumn<serde_json::Value>,
    /// What it added to the score when it was given.
    pub points: i32,
    pub answered_by_user_id: Option<Uuid>,
    pub answered_at: DateTime<Utc>,
}

/// An attendee import running as a job: its progress is what is committed.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportJob {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub event_id: Uuid,
    pub created_by_user_id: Option<Uuid>,
    pub file_name: Option<String>,
    /// running, done or failed
    pub status: String,
    /// Data rows in the file.
    pub total_rows: i32,
    /// Rows written so far.
    pub processed_rows: i32,
    pub created_count: i32,
    pub updated_count: i32,
    /// Why it failed.
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// One entry of a lead's notes.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject), graphql(name = "LeadNote"))]
pub struct LeadNote {
    pub id: Uuid,
    pub lead_id: Uuid,
    pub sponsor_id: Uuid,
    pub author_user_id: Option<Uuid>,
    /// The author's name (read with the note).
    #[sqlx(default)]
    pub author_name: Option<String>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// One lead export: who took which leads, when, in what form.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeadExport {
    pub id: Uuid,
    pub event_id: Uuid,
    /// `null` for an organizer's export of the whole event.
    pub sponsor_id: Option<Uuid>,
    pub user_id: Uuid,
    /// The name of who exported (read with the record).
    #[sqlx(default)]
    pub user_name: Option<String>,
    /// csv or xlsx
    pub format: String,
    /// The filters of the export, as given.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub filters: JsonColumn<serde_json::Value>,
    pub row_count: i32,
    /// The file was written to its end (false: the download stopped half way).
    pub completed: bool,
    pub created_at: DateTime<Utc>,
}

/// An attendee's opt-in to one sponsor (events whose consent rule is opt_in).
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct AttendeeConsent {
    pub attendee_id: Uuid,
    pub sponsor_id: Uuid,
    pub event_id: Uuid,
    pub given_at: DateTime<Utc>,
    pub text_version: i32,
}

/// One recorded interaction of an attendee with a sponsor.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject), graphql(complex, name = "LeadInteraction"))]
pub struct Interaction {
    pub id: Uuid,
    pub lead_id: Uuid,
    pub sponsor_id: Uuid,
    /// booth_visit, content_download, content_view, demo_watched, demo_request,
    /// direct_request, qr_scan or session_attendance
    #[sqlx(try_from = "String")]
    #[cfg_attr(feature = "graphql", graphql(skip))]
    pub interaction_type: InteractionType,
    /// Points this interaction is worth (its own points plus any repeat bonus).
    pub points: i32,
    /// The points that counted: what the score rose by, after its cap of 100.
    pub counted_points: i32,
    pub captured_by_user_id: Option<Uuid>,
    /// The name of who captured it (read with the interaction; not stored on it).
    #[sqlx(default)]
    pub captured_by_name: Option<String>,
    /// badge_scan, manual, business_card, content, meeting or api
    #[sqlx(try_from = "String")]
    #[cfg_attr(feature = "graphql", graphql(skip))]
    pub source: CaptureSource,
    /// The name of the device it was captured on, as the device gave it.
    pub device: Option<String>,
    #[cfg_attr(feature = "graphql", graphql(skip))]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub metadata: JsonColumn<serde_json::Value>,
    /// When it happened: the capturing device's time for captures sent later.
    pub occurred_at: DateTime<Utc>,
}

/// GraphQL resolvers for the JSON columns, which have no GraphQL type of their own,
/// and for the closed sets.
#[cfg(feature = "graphql")]
mod graphql_json {
    use super::*;

    #[async_graphql::ComplexObject]
    impl Tier {
        async fn benefits(&self) -> &[String] {
            &self.benefits.0
        }
    }

    #[async_graphql::ComplexObject]
    impl Sponsor {
        /// Network name → URL.
        async fn social_links(&self) -> async_graphql::Json<&serde_json::Map<String, serde_json::Value>> {
            async_graphql::Json(&self.social_links.0)
        }
    }

    #[async_graphql::ComplexObject]
    impl Event {
        /// What the event's sponsors receive of an attendee beyond name and company.
        async fn shared_attendee_fields(&self) -> &SharedFields {
            &self.shared_attendee_fields.0
        }

        /// badge_scan (presenting the badge is consent) or opt_in (per sponsor)
        async fn consent_rule(&self) -> &'static str {
            self.consent_rule.as_str()
        }

        /// public (anyone sees the expo hall) or attendees (the event's signed-in
        /// attendees, organizers and sponsors' staff only)
        async fn hall_access(&self) -> &'static str {
            self.hall_access.as_str()
        }
    }

    /// One option of a choice question and what choosing it adds to the score.
    #[derive(async_graphql::SimpleObject)]
    pub struct QuestionOption {
        pub label: String,
        pub points: i32,
    }

    #[async_graphql::ComplexObject]
    impl Question {
        /// text, single_choice, multiple_choice or rating
        async fn kind(&self) -> &'static str {
            self.kind.as_str()
        }

        /// A choice question's options and their points.
        async fn options(&self) -> Vec<QuestionOption> {
            self.options.0.iter().map(|o| QuestionOption { label: o.label.clone(), points: o.points }).collect()
        }
    }

    #[async_graphql::ComplexObject]
    impl Lead {
        async fn tags(&self) -> &[String] {
            &self.tags.0
        }

        /// The attendee's custom fields the organizer shares with sponsors.
        async fn user_fields(&self) -> async_graphql::Json<&serde_json::Map<String, serde_json::Value>> {
            async_graphql::Json(&self.user_fields.0)
        }

        /// hot (70-100), warm (40-69) or cold (0-39)
        async fn intent_level(&self) -> &'static str {
            self.intent_level.as_str()
        }

        /// new, contacted, qualified, not_interested or converted
        async fn follow_up_status(&self) -> &'static str {
            self.follow_up_status.as_str()
        }
    }

    #[async_graphql::ComplexObject]
    impl Interaction {
        async fn metadata(&self) -> async_graphql::Json<&serde_json::Value> {
            async_graphql::Json(&self.metadata.0)
        }

        /// booth_visit, content_download, content_view, demo_watched, demo_request,
        /// direct_request, qr_scan or session_attendance
        async fn interaction_type(&self) -> &'static str {
            self.interaction_type.as_str()
        }

        /// badge_scan, manual, business_card, content, meeting or api
        async fn source(&self) -> &'static str {
            self.source.as_str()
        }
    }

    // The closed sets travel as the domain's enums; GraphQL keeps showing their
    // text, as the REST API does.
    #[async_graphql::ComplexObject]
    impl OrgMembership {
        /// OWNER, ADMIN or MEMBER
        async fn role(&self) -> &'static str {
            self.role.as_str()
        }
    }

    #[async_graphql::ComplexObject]
    impl SponsorMember {
        /// admin, representative, booth_staff or viewer
        async fn role(&self) -> &'static str {
            self.role.as_str()
        }
    }

    #[async_graphql::ComplexObject]
    impl Invitation {
        /// admin, representative, booth_staff or viewer
        async fn role(&self) -> &'static str {
            self.role.as_str()
        }

        /// pending, accepted, revoked or expired
        async fn status(&self) -> &'static str {
            self.status.as_str()
        }
    }
}

/// An attendee of an event, as stored (the API's view adds the badge code).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AttendeeRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub event_id: Uuid,
    pub platform_id: Option<String>,
    /// The account the platform id names (`ids::external_id`).
    pub platform_user_id: Option<Uuid>,
    pub name: String,
    pub email: Option<String>,
    pub company: Option<String>,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub country: Option<String>,
    pub ticket_type: Option<String>,
    pub custom_fields: JsonColumn<serde_json::Map<String, serde_json::Value>>,
    /// Raised at each re-issue: the code is derived from it.
    pub badge_generation: i32,
    /// SHA-256 (hex) of the current badge code; `None` when the badge is revoked.
    pub badge_hash: Option<String>,
    /// The attendee opted out of badge scanning.
    pub scan_opt_out: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
