//! What each input field accepts, as the validators of this crate check it, for
//! the OpenAPI document (docs/DECISIONS.md, "The API contract"). Every entry names
//! the validator's own [`Rule`], so the schema and the check are one statement;
//! the contract test (schemathesis) sends what the schema allows and what it
//! forbids and fails when the server disagrees.

use sponsorhub_domain::validate::Rule;

/// `(schema, property, rule)` for every validated text or list field of the
/// request bodies.
pub const BODY_RULES: &[(&str, &str, Rule)] = &[
    // accounts::signup
    ("SignupInput", "email", Rule::Email),
    ("SignupInput", "password", Rule::Password),
    ("SignupInput", "name", Rule::Text { max: 200 }),
    ("SignupInput", "organization_name", Rule::Text { max: 200 }),
    // events::create_event / update_event
    ("CreateEvent", "name", Rule::Text { max: 200 }),
    ("CreateEvent", "slug", Rule::Slug),
    ("CreateEvent", "description", Rule::OptionalText { max: 10_000 }),
    ("CreateEvent", "timezone", Rule::Timezone),
    ("CreateEvent", "venue", Rule::OptionalText { max: 500 }),
    ("CreateEvent", "consent_text", Rule::OptionalText { max: 2000 }),
    ("UpdateEvent", "name", Rule::Text { max: 200 }),
    ("UpdateEvent", "slug", Rule::Slug),
    ("UpdateEvent", "description", Rule::OptionalText { max: 10_000 }),
    ("UpdateEvent", "timezone", Rule::Timezone),
    ("UpdateEvent", "venue", Rule::OptionalText { max: 500 }),
    ("UpdateEvent", "consent_text", Rule::OptionalText { max: 2000 }),
    // tiers::create_tier / update_tier
    ("CreateTier", "name", Rule::Text { max: 100 }),
    ("CreateTier", "description", Rule::OptionalText { max: 2000 }),
    ("CreateTier", "color", Rule::Color),
    ("CreateTier", "currency", Rule::Currency),
    ("CreateTier", "benefits", Rule::TextList { items: 30, max: 300 }),
    ("UpdateTier", "name", Rule::Text { max: 100 }),
    ("UpdateTier", "description", Rule::OptionalText { max: 2000 }),
    ("UpdateTier", "color", Rule::Color),
    ("UpdateTier", "currency", Rule::Currency),
    ("UpdateTier", "benefits", Rule::TextList { items: 30, max: 300 }),
    // sponsors::create_sponsor / update_sponsor
    ("CreateSponsor", "company_name", Rule::Text { max: 200 }),
    ("CreateSponsor", "company_description", Rule::OptionalText { max: 5000 }),
    ("CreateSponsor", "company_website", Rule::OptionalUrl),
    ("CreateSponsor", "company_logo_url", Rule::OptionalUrl),
    ("CreateSponsor", "contact_name", Rule::OptionalText { max: 200 }),
    ("CreateSponsor", "contact_email", Rule::OptionalEmail),
    ("CreateSponsor", "contact_phone", Rule::OptionalText { max: 50 }),
    ("CreateSponsor", "booth_number", Rule::OptionalText { max: 50 }),
    ("CreateSponsor", "booth_description", Rule::OptionalText { max: 2000 }),
    ("CreateSponsor", "lead_notification_email", Rule::OptionalEmail),
    ("UpdateSponsor", "company_name", Rule::Text { max: 200 }),
    ("UpdateSponsor", "company_description", Rule::OptionalText { max: 5000 }),
    ("UpdateSponsor", "company_website", Rule::OptionalUrl),
    ("UpdateSponsor", "company_logo_url", Rule::OptionalUrl),
    ("UpdateSponsor", "contact_name", Rule::OptionalText { max: 200 }),
    ("UpdateSponsor", "contact_email", Rule::OptionalEmail),
    ("UpdateSponsor", "contact_phone", Rule::OptionalText { max: 50 }),
    ("UpdateSponsor", "booth_number", Rule::OptionalText { max: 50 }),
    ("UpdateSponsor", "booth_description", Rule::OptionalText { max: 2000 }),
    ("UpdateSponsor", "lead_notification_email", Rule::OptionalEmail),
    // invitations::create_invitation
    ("CreateInvitation", "email", Rule::Email),
    ("CreateInvitation", "personal_message", Rule::OptionalText { max: 2000 }),
    ("AcceptInvitation", "token", Rule::Text { max: 200 }),
    // leads::update_lead
    ("UpdateLead", "follow_up_notes", Rule::OptionalText { max: 10_000 }),
    ("UpdateLead", "contact_notes", Rule::OptionalText { max: 10_000 }),
    ("UpdateLead", "tags", Rule::TextList { items: 50, max: 50 }),
    ("NoteInput", "body", Rule::Text { max: 10_000 }),
    // messages::start_thread / staff_send / attendee_send
    ("NewThreadInput", "body", Rule::Text { max: 2000 }),
    ("MessageInput", "body", Rule::Text { max: 2000 }),
    ("BulkLeadUpdate", "add_tag", Rule::Text { max: 50 }),
    // attendees::create_attendee / upsert_attendees / update_attendee
    ("AttendeeInput", "platform_id", Rule::OptionalText { max: 200 }),
    ("AttendeeInput", "name", Rule::Text { max: 200 }),
    ("AttendeeInput", "email", Rule::OptionalEmail),
    ("AttendeeInput", "company", Rule::OptionalText { max: 200 }),
    ("AttendeeInput", "title", Rule::OptionalText { max: 200 }),
    ("AttendeeInput", "phone", Rule::OptionalText { max: 50 }),
    ("AttendeeInput", "country", Rule::OptionalText { max: 100 }),
    ("AttendeeInput", "ticket_type", Rule::OptionalText { max: 100 }),
    ("AttendeeInput", "custom_fields", Rule::ScalarMap),
    ("UpdateAttendee", "custom_fields", Rule::ScalarMap),
    ("UpdateAttendee", "platform_id", Rule::OptionalText { max: 200 }),
    ("UpdateAttendee", "name", Rule::Text { max: 200 }),
    ("UpdateAttendee", "email", Rule::OptionalEmail),
    ("UpdateAttendee", "company", Rule::OptionalText { max: 200 }),
    ("UpdateAttendee", "title", Rule::OptionalText { max: 200 }),
    ("UpdateAttendee", "phone", Rule::OptionalText { max: 50 }),
    ("UpdateAttendee", "country", Rule::OptionalText { max: 100 }),
    ("UpdateAttendee", "ticket_type", Rule::OptionalText { max: 100 }),
    // service_tokens: issued by organizers, and the platform's session attendance
    ("NewServiceToken", "name", Rule::Text { max: 100 }),
    ("SessionAttendance", "session_title", Rule::Text { max: 300 }),
    ("PlatformAttendee", "platform_id", Rule::OptionalText { max: 200 }),
    ("PlatformAttendee", "email", Rule::OptionalEmail),
    // events: what sponsors receive of attendees
    ("SharedFields", "custom_fields", Rule::TextList { items: 20, max: 50 }),
    // capture::capture_lead
    ("Attendee", "user_id", Rule::OptionalText { max: 200 }),
    ("Attendee", "name", Rule::OptionalText { max: 200 }),
    ("Attendee", "email", Rule::OptionalEmail),
    ("Attendee", "company", Rule::OptionalText { max: 200 }),
    ("Attendee", "title", Rule::OptionalText { max: 200 }),
    ("CaptureLead", "badge_code", Rule::OptionalText { max: 100 }),
    ("CaptureLead", "device", Rule::OptionalText { max: 100 }),
    // questions::create_question / update_question
    ("CreateQuestion", "prompt", Rule::Text { max: 300 }),
    ("UpdateQuestion", "prompt", Rule::Text { max: 300 }),
    ("ChoiceOption", "label", Rule::Text { max: 100 }),
    // booths::put_booth
    ("BoothInput", "hall", Rule::OptionalText { max: 100 }),
    ("BoothInput", "description", Rule::OptionalText { max: 20_000 }),
    ("BoothInput", "demo_video_url", Rule::OptionalUrl),
    ("BoothLink", "label", Rule::Text { max: 80 }),
    ("BoothLink", "url", Rule::Url),
    // content::rename_content
    ("RenameContentItem", "title", Rule::Text { max: 200 }),
    // webhooks::create / update
    ("CreateWebhook", "description", Rule::OptionalText { max: 200 }),
    ("UpdateWebhook", "description", Rule::OptionalText { max: 200 }),
];

/// `(query parameter, rule)` for the free-text query parameters (`search` of the
/// sponsor and lead lists, a content file's title).
pub const QUERY_RULES: &[(&str, Rule)] = &[
    ("search", Rule::OptionalText { max: 200 }),
    // content::add_content (its `file_name` is checked as a file name: the
    // import's optional parameter of that name is free text)
    ("title", Rule::OptionalText { max: 200 }),
];

/// The `Idempotency-Key` header: 1 to 255 visible ASCII characters
/// (`capture::capture_lead` checks the same).
pub const IDEMPOTENCY_KEY_PATTERN: &str = "^[!-~]{1,255}$";

/// RFC 3339 date-times as the schemas state them: what `chrono` parses, less its
/// leniencies (a space for `T`, lower case, `UTC`) and less 29 February, which a
/// pattern cannot tell from an impossible date.
pub const DATE_TIME_PATTERN: &str = concat!(
    "^[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)",
    "|02-(?:0[1-9]|1[0-9]|2[0-8]))T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,9})?",
    "(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$"
);

/// `(schema, property)` of the date-time fields of request bodies.
pub const DATE_TIME_FIELDS: &[(&str, &str)] = &[
    ("CreateEvent", "starts_at"),
    ("CreateEvent", "ends_at"),
    ("UpdateEvent", "starts_at"),
    ("UpdateEvent", "ends_at"),
];

/// Query parameters that are date-times.
pub const DATE_TIME_PARAMS: &[&str] = &["updated_since"];

/// Dates (`YYYY-MM-DD`) as the schemas state them, less 29 February as above.
pub const DATE_PATTERN: &str = concat!(
    "^[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)",
    "|02-(?:0[1-9]|1[0-9]|2[0-8]))$"
);

/// `(schema, property)` of the date fields of request bodies.
pub const DATE_FIELDS: &[(&str, &str)] = &[("UpdateLead", "due_on")];

/// Ids in request bodies, in their hyphenated form.
pub const UUID_PATTERN: &str = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

/// `(schema, property)` of the id fields of request bodies that the schema
/// otherwise leaves a bare string.
pub const UUID_FIELDS: &[(&str, &str)] = &[("UpdateLead", "owner_user_id"), ("BulkLeadUpdate", "owner_user_id")];
