//! GraphQL input types and their conversion to the service inputs. Nullable
//! fields use MaybeUndefined: absent leaves a value, null clears it.

use async_graphql::{ID, InputObject, Json, MaybeUndefined};
use chrono::{DateTime, Utc};
use sponsorhub_services::capture::{Attendee, CaptureLead};
use sponsorhub_services::invitations::CreateInvitation;
use sponsorhub_services::leads::{LeadQuery, UpdateLead};
use sponsorhub_services::members::UpdateMember;
use sponsorhub_services::sponsors::{CreateSponsor, UpdateSponsor};
use sponsorhub_services::tiers::{CreateTier, UpdateTier};
use uuid::Uuid;

/// absent → None (keep), null → Some(None) (clear), value → Some(Some(v)).
fn patch<T>(m: MaybeUndefined<T>) -> Option<Option<T>> {
    match m {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

#[derive(InputObject)]
pub struct CreateSponsorTierInput {
    pub name: String,
    pub description: Option<String>,
    pub display_order: Option<i32>,
    pub color: Option<String>,
    #[graphql(default)]
    pub benefits: Vec<String>,
    pub max_representatives: Option<i32>,
    pub price_cents: Option<i64>,
    pub currency: Option<String>,
    pub is_active: Option<bool>,
}

impl From<CreateSponsorTierInput> for CreateTier {
    fn from(i: CreateSponsorTierInput) -> Self {
        CreateTier {
            name: i.name,
            description: i.description,
            display_order: i.display_order,
            color: i.color,
            benefits: i.benefits,
            max_representatives: i.max_representatives,
            price_cents: i.price_cents,
            currency: i.currency,
            is_active: i.is_active,
        }
    }
}

#[derive(InputObject)]
pub struct UpdateSponsorTierInput {
    pub name: Option<String>,
    #[graphql(default)]
    pub description: MaybeUndefined<String>,
    pub display_order: Option<i32>,
    #[graphql(default)]
    pub color: MaybeUndefined<String>,
    pub benefits: Option<Vec<String>>,
    pub max_representatives: Option<i32>,
    #[graphql(default)]
    pub price_cents: MaybeUndefined<i64>,
    pub currency: Option<String>,
    pub is_active: Option<bool>,
}

impl From<UpdateSponsorTierInput> for UpdateTier {
    fn from(i: UpdateSponsorTierInput) -> Self {
        UpdateTier {
            name: i.name,
            description: patch(i.description),
            display_order: i.display_order,
            color: patch(i.color),
            benefits: i.benefits,
            max_representatives: i.max_representatives,
            price_cents: patch(i.price_cents),
            currency: i.currency,
            is_active: i.is_active,
        }
    }
}

#[derive(InputObject)]
pub struct CreateSponsorInput {
    pub company_name: String,
    pub tier_id: Option<Uuid>,
    pub company_description: Option<String>,
    pub company_website: Option<String>,
    pub company_logo_url: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub booth_number: Option<String>,
    pub booth_description: Option<String>,
    pub social_links: Option<Json<serde_json::Map<String, serde_json::Value>>>,
    pub is_featured: Option<bool>,
    pub lead_capture_enabled: Option<bool>,
    pub lead_notification_email: Option<String>,
}

impl From<CreateSponsorInput> for CreateSponsor {
    fn from(i: CreateSponsorInput) -> Self {
        CreateSponsor {
            company_name: i.company_name,
            tier_id: i.tier_id,
            company_description: i.company_description,
            company_website: i.company_website,
            company_logo_url: i.company_logo_url,
            contact_name: i.contact_name,
            contact_email: i.contact_email,
            contact_phone: i.contact_phone,
            booth_number: i.booth_number,
            booth_description: i.booth_description,
            social_links: i.social_links.map(|j| j.0),
            is_featured: i.is_featured,
            lead_capture_enabled: i.lead_capture_enabled,
            lead_notification_email: i.lead_notification_email,
        }
    }
}

#[derive(InputObject, Default)]
pub struct UpdateSponsorInput {
    #[graphql(default)]
    pub tier_id: MaybeUndefined<Uuid>,
    pub is_featured: Option<bool>,
    pub lead_capture_enabled: Option<bool>,
    pub company_name: Option<String>,
    #[graphql(default)]
    pub company_description: MaybeUndefined<String>,
    #[graphql(default)]
    pub company_website: MaybeUndefined<String>,
    #[graphql(default)]
    pub company_logo_url: MaybeUndefined<String>,
    #[graphql(default)]
    pub contact_name: MaybeUndefined<String>,
    #[graphql(default)]
    pub contact_email: MaybeUndefined<String>,
    #[graphql(default)]
    pub contact_phone: MaybeUndefined<String>,
    #[graphql(default)]
    pub booth_number: MaybeUndefined<String>,
    #[graphql(default)]
    pub booth_description: MaybeUndefined<String>,
    pub social_links: Option<Json<serde_json::Map<String, serde_json::Value>>>,
    #[graphql(default)]
    pub lead_notification_email: MaybeUndefined<String>,
}

impl From<UpdateSponsorInput> for UpdateSponsor {
    fn from(i: UpdateSponsorInput) -> Self {
        UpdateSponsor {
            tier_id: patch(i.tier_id),
            is_featured: i.is_featured,
            lead_capture_enabled: i.lead_capture_enabled,
            company_name: i.company_name,
            company_description: patch(i.company_description),
            company_website: patch(i.company_website),
            company_logo_url: patch(i.company_logo_url),
            contact_name: patch(i.contact_name),
            contact_email: patch(i.contact_email),
            contact_phone: patch(i.contact_phone),
            booth_number: patch(i.booth_number),
            booth_description: patch(i.booth_description),
            social_links: i.social_links.map(|j| j.0),
            lead_notification_email: patch(i.lead_notification_email),
        }
    }
}

#[derive(InputObject)]
pub struct CreateSponsorInvitationInput {
    pub email: String,
    /// admin, representative, booth_staff or viewer
    pub role: String,
    pub personal_message: Option<String>,
}

impl From<CreateSponsorInvitationInput> for CreateInvitation {
    fn from(i: CreateSponsorInvitationInput) -> Self {
        CreateInvitation { email: i.email, role: i.role, personal_message: i.personal_message }
    }
}

#[derive(InputObject)]
pub struct UpdateSponsorUserPermissionsInput {
    pub role: Option<String>,
    pub can_view_leads: Option<bool>,
    pub can_export_leads: Option<bool>,
    pub can_message_attendees: Option<bool>,
    pub can_manage_booth: Option<bool>,
    pub can_invite_others: Option<bool>,
}

impl From<UpdateSponsorUserPermissionsInput> for UpdateMember {
    fn from(i: UpdateSponsorUserPermissionsInput) -> Self {
        UpdateMember {
            role: i.role,
            can_view_leads: i.can_view_leads,
            can_export_leads: i.can_export_leads,
            can_message_attendees: i.can_message_attendees,
            can_manage_booth: i.can_manage_booth,
            can_invite_others: i.can_invite_others,
        }
    }
}

#[derive(InputObject, Default)]
pub struct UpdateSponsorLeadInput {
    pub follow_up_status: Option<String>,
    #[graphql(default)]
    pub follow_up_notes: MaybeUndefined<String>,
    #[graphql(default)]
    pub contact_notes: MaybeUndefined<String>,
    pub tags: Option<Vec<String>>,
    pub is_starred: Option<bool>,
    pub is_archived: Option<bool>,
    /// Who on the sponsor's staff follows the lead up; null: nobody.
    #[graphql(default)]
    pub owner_user_id: MaybeUndefined<ID>,
    /// The day the follow-up is due; null clears it.
    #[graphql(default)]
    pub due_on: MaybeUndefined<chrono::NaiveDate>,
}

impl From<UpdateSponsorLeadInput> for UpdateLead {
    fn from(i: UpdateSponsorLeadInput) -> Self {
        UpdateLead {
            follow_up_status: i.follow_up_status,
            follow_up_notes: patch(i.follow_up_notes),
            contact_notes: patch(i.contact_notes),
            tags: i.tags,
            is_starred: i.is_starred,
            is_archived: i.is_archived,
            // A malformed id names nobody on the staff: the service refuses it.
            owner_user_id: patch(i.owner_user_id).map(|o| o.map(|id| Uuid::parse_str(&id).unwrap_or_default())),
            due_on: patch(i.due_on),
        }
    }
}

/// Filters and order of a lead list.
#[derive(InputObject, Default)]
pub struct LeadFilters {
    pub intent_level: Option<String>,
    pub follow_up_status: Option<String>,
    pub is_starred: Option<bool>,
    pub include_archived: Option<bool>,
    pub search: Option<String>,
    pub min_score: Option<i32>,
    pub updated_since: Option<DateTime<Utc>>,
    /// last_interaction (default), score or created
    pub sort: Option<String>,
}

impl LeadFilters {
    pub fn into_query(self, first: Option<i32>, after: Option<String>) -> LeadQuery {
        LeadQuery {
            intent_level: self.intent_level,
            follow_up_status: self.follow_up_status,
            is_starred: self.is_starred,
            include_archived: self.include_archived,
            search: self.search,
            min_score: self.min_score,
            updated_since: self.updated_since,
            sort: self.sort,
            // out-of-range values reach the service, which answers with a field error
            limit: first.map(|f| u32::try_from(f).unwrap_or(0)),
            cursor: after,
        }
    }
}

#[derive(InputObject)]
pub struct AttendeeInput {
    pub user_id: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub company: Option<String>,
    pub title: Option<String>,
}

#[derive(InputObject)]
pub struct CaptureLeadInput {
    pub interaction_type: String,
    /// Absent (and no badge code): the caller records their own interaction.
    pub attendee: Option<AttendeeInput>,
    /// The attendee's badge code, as scanned (instead of `attendee`).
    pub badge_code: Option<String>,
    /// badge_scan, manual, business_card, content, meeting or api.
    pub source: Option<String>,
    /// The capturing device's name.
    pub device: Option<String>,
    pub metadata: Option<Json<serde_json::Value>>,
    /// Answers to the booth's qualification questions.
    pub answers: Option<Vec<LeadAnswerInput>>,
}

/// One answer to a qualification question.
#[derive(InputObject)]
pub struct LeadAnswerInput {
    pub question_id: ID,
    /// Text, an option's label, a list of labels, or a number of stars (1 to 5);
    /// `null` removes the answer.
    pub value: Option<Json<serde_json::Value>>,
}

impl LeadAnswerInput {
    /// The service's form; a malformed question id is no question of the booth.
    pub fn into_input(self) -> sponsorhub_services::questions::AnswerInput {
        sponsorhub_services::questions::AnswerInput {
            question_id: uuid::Uuid::parse_str(&self.question_id).unwrap_or_default(),
            value: self.value.map(|j| j.0).unwrap_or(serde_json::Value::Null),
        }
    }
}

/// A new qualification question.
#[derive(InputObject)]
pub struct CreateQuestionInput {
    /// text, single_choice, multiple_choice or rating
    pub kind: String,
    pub prompt: String,
    pub required: Option<bool>,
    pub options: Option<Vec<QuestionOptionInput>>,
    /// What a text answer, or each star of a rating, adds to the score.
    pub points: Option<i32>,
    pub position: Option<i32>,
}

/// Changes to a qualification question; absent fields stay.
#[derive(InputObject)]
pub struct UpdateQuestionInput {
    pub prompt: Option<String>,
    pub required: Option<bool>,
    pub options: Option<Vec<QuestionOptionInput>>,
    pub points: Option<i32>,
    pub position: Option<i32>,
}

/// An option of a choice question.
#[derive(InputObject)]
pub struct QuestionOptionInput {
    pub label: String,
    pub points: Option<i32>,
}

fn options(o: Option<Vec<QuestionOptionInput>>) -> Option<Vec<sponsorhub_domain::qualification::ChoiceOption>> {
    o.map(|o| {
        o.into_iter()
            .map(|o| sponsorhub_domain::qualification::ChoiceOption { label: o.label, points: o.points.unwrap_or(0) })
            .collect()
    })
}

impl From<CreateQuestionInput> for sponsorhub_services::questions::CreateQuestion {
    fn from(i: CreateQuestionInput) -> Self {
        sponsorhub_services::questions::CreateQuestion {
            kind: i.kind,
            prompt: i.prompt,
            required: i.required,
            options: options(i.options),
            points: i.points,
            position: i.position,
        }
    }
}

impl From<UpdateQuestionInput> for sponsorhub_services::questions::UpdateQuestion {
    fn from(i: UpdateQuestionInput) -> Self {
        sponsorhub_services::questions::UpdateQuestion {
            prompt: i.prompt,
            required: i.required,
            options: options(i.options),
            points: i.points,
            position: i.position,
        }
    }
}

impl From<CaptureLeadInput> for CaptureLead {
    fn from(i: CaptureLeadInput) -> Self {
        CaptureLead {
            interaction_type: i.interaction_type,
            attendee: i.attendee.map(|a| Attendee {
                user_id: a.user_id,
                name: a.name,
                email: a.email,
                company: a.company,
                title: a.title,
            }),
            badge_code: i.badge_code,
            source: i.source,
            device: i.device,
            occurred_at: None,
            metadata: i.metadata.map(|j| j.0),
            answers: i.answers.map(|a| a.into_iter().map(LeadAnswerInput::into_input).collect()),
        }
    }
}

/// An attendee of an event, as organizers send it.
#[derive(InputObject)]
pub struct EventAttendeeInput {
    pub platform_id: Option<String>,
    pub name: String,
    pub email: Option<String>,
    pub company: Option<String>,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub country: Option<String>,
    pub ticket_type: Option<String>,
    pub custom_fields: Option<Json<serde_json::Map<String, serde_json::Value>>>,
    /// The attendee opted out of badge scanning.
    pub scan_opt_out: Option<bool>,
}

impl From<EventAttendeeInput> for sponsorhub_services::attendees::AttendeeInput {
    fn from(i: EventAttendeeInput) -> Self {
        sponsorhub_services::attendees::AttendeeInput {
            platform_id: i.platform_id,
            name: i.name,
            email: i.email,
            company: i.company,
            title: i.title,
            phone: i.phone,
            country: i.country,
            ticket_type: i.ticket_type,
            custom_fields: i.custom_fields.map(|j| j.0),
            scan_opt_out: i.scan_opt_out,
        }
    }
}

/// Changes to an attendee: absent fields stay, null clears an optional one.
#[derive(InputObject, Default)]
pub struct UpdateEventAttendeeInput {
    pub platform_id: MaybeUndefined<String>,
    pub name: Option<String>,
    pub email: MaybeUndefined<String>,
    pub company: MaybeUndefined<String>,
    pub title: MaybeUndefined<String>,
    pub phone: MaybeUndefined<String>,
    pub country: MaybeUndefined<String>,
    pub ticket_type: MaybeUndefined<String>,
    /// Replaces all custom fields.
    pub custom_fields: Option<Json<serde_json::Map<String, serde_json::Value>>>,
    /// The attendee opted out of badge scanning (or back in).
    pub scan_opt_out: Option<bool>,
}

impl From<UpdateEventAttendeeInput> for sponsorhub_services::attendees::UpdateAttendee {
    fn from(i: UpdateEventAttendeeInput) -> Self {
        sponsorhub_services::attendees::UpdateAttendee {
            platform_id: patch(i.platform_id),
            name: i.name,
            email: patch(i.email),
            company: patch(i.company),
            title: patch(i.title),
            phone: patch(i.phone),
            country: patch(i.country),
            ticket_type: patch(i.ticket_type),
            custom_fields: i.custom_fields.map(|j| j.0),
            scan_opt_out: i.scan_opt_out,
        }
    }
}

/// One change to many leads of a sponsor.
#[derive(InputObject)]
pub struct BulkLeadUpdateInput {
    pub lead_ids: Vec<ID>,
    pub follow_up_status: Option<String>,
    #[graphql(default)]
    pub owner_user_id: MaybeUndefined<ID>,
    pub add_tag: Option<String>,
    pub is_starred: Option<bool>,
    pub is_archived: Option<bool>,
}

impl From<BulkLeadUpdateInput> for sponsorhub_services::leads::BulkLeadUpdate {
    fn from(i: BulkLeadUpdateInput) -> Self {
        // Malformed ids name no lead of the sponsor: the service refuses them.
        let id = |s: &ID| Uuid::parse_str(s).unwrap_or_default();
        sponsorhub_services::leads::BulkLeadUpdate {
            lead_ids: i.lead_ids.iter().map(id).collect(),
            follow_up_status: i.follow_up_status,
            owner_user_id: patch(i.owner_user_id).map(|o| o.map(|s| id(&s))),
            add_tag: i.add_tag,
            is_starred: i.is_starred,
            is_archived: i.is_archived,
        }
    }
}
