//! The REST API under /api/v1, one file per resource. Every route is registered
//! through utoipa-axum, so /api/openapi.json cannot drift from the router.

pub mod analytics;
pub mod attendees;
pub mod auth;
pub mod booths;
pub mod consents;
pub mod events;
pub mod exports;
pub mod health;
pub mod invitations;
pub mod leads;
pub mod list;
pub mod members;
pub mod messages;
pub mod my_data;
pub mod presence;
pub mod questions;
pub mod service_tokens;
pub mod sponsors;
pub mod tiers;
pub mod webhooks;

use crate::problem::{Problem, ProblemFieldError};
use crate::state::AppState;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sponsorhub API",
        description = "Sponsor tiers, sponsors, invitations, representatives and leads of events. \
                       Errors are RFC 9457 problem details (application/problem+json).",
        license(name = "Apache-2.0")
    ),
    modifiers(&BearerAuth),
    components(schemas(
        Problem,
        ProblemFieldError,
        sponsorhub_services::leads::LeadSortName,
        sponsorhub_services::capture::BulkCapture,
        sponsorhub_services::badges::BadgeLayout,
        sponsorhub_services::exports::ExportFormat
    )),
    tags(
        (name = "auth", description = "Sign-up, login and the caller's profile"),
        (name = "events", description = "Events of an organization"),
        (name = "tiers", description = "Sponsor tiers of an event"),
        (name = "sponsors", description = "Sponsors of an event"),
        (name = "invitations", description = "Invitations to a sponsor's staff"),
        (name = "representatives", description = "A sponsor's staff and their permissions"),
        (name = "leads", description = "Leads, their statistics and lead capture"),
        (name = "attendees", description = "Attendees of an event and their badges"),
        (name = "messages", description = "Messages between a sponsor's staff and attendees"),
        (name = "webhooks", description = "Webhook endpoints of a sponsor or an event, and their deliveries"),
        (name = "health", description = "Liveness and readiness")
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
    }
}

/// Every REST route, with the OpenAPI document describing them.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(auth::signup))
        .routes(routes!(auth::login))
        .routes(routes!(auth::me))
        .routes(routes!(events::create_event, events::list_events))
        .routes(routes!(events::get_event, events::update_event))
        .routes(routes!(tiers::create_tier, tiers::list_tiers))
        .routes(routes!(tiers::create_default_tiers))
        .routes(routes!(tiers::get_tier, tiers::update_tier, tiers::delete_tier))
        .routes(routes!(sponsors::create_sponsor, sponsors::list_sponsors))
        .routes(routes!(sponsors::get_sponsor, sponsors::update_sponsor, sponsors::archive_sponsor))
        .routes(routes!(sponsors::restore_sponsor))
        .routes(routes!(sponsors::upload_logo, sponsors::remove_logo))
        .routes(routes!(invitations::create_invitation, invitations::list_invitations))
        .routes(routes!(invitations::revoke_invitation))
        .routes(routes!(invitations::resend_invitation))
        .routes(routes!(invitations::accept_invitation))
        .routes(routes!(members::list_members))
        .routes(routes!(members::update_member, members::remove_member))
        .routes(routes!(members::my_sponsors))
        .routes(routes!(leads::list_leads))
        .routes(routes!(leads::lead_stats))
        .routes(routes!(exports::export_leads))
        .routes(routes!(exports::list_exports))
        .routes(routes!(exports::export_event_leads))
        .routes(routes!(leads::get_lead, leads::update_lead))
        .routes(routes!(leads::add_note))
        .routes(routes!(leads::bulk_update))
        .routes(routes!(leads::capture_lead))
        .routes(routes!(leads::capture_bulk))
        .routes(routes!(service_tokens::session_attendance))
        .routes(routes!(service_tokens::issue_service_token, service_tokens::list_service_tokens))
        .routes(routes!(service_tokens::revoke_service_token))
        .routes(routes!(attendees::create_attendee, attendees::list_attendees))
        .routes(routes!(attendees::upsert_attendees))
        .routes(routes!(attendees::get_attendee, attendees::update_attendee, attendees::delete_attendee))
        .routes(routes!(attendees::reissue_badge))
        .routes(routes!(attendees::revoke_badge))
        .routes(routes!(attendees::badge_svg))
        .routes(routes!(attendees::badge_png))
        .routes(routes!(attendees::my_badge))
        .routes(routes!(attendees::badges_pdf))
        .routes(routes!(attendees::import_attendees))
        .routes(routes!(attendees::start_import))
        .routes(routes!(attendees::get_import))
        .routes(routes!(consents::my_consents))
        .routes(routes!(consents::my_event_data))
        .routes(routes!(my_data::withdraw_from_sponsor))
        .routes(routes!(my_data::erase_my_event_data))
        .routes(routes!(questions::list_questions, questions::create_question))
        .routes(routes!(questions::update_question, questions::delete_question))
        .routes(routes!(questions::answer_lead))
        .routes(routes!(booths::get_booth, booths::put_booth))
        .routes(routes!(presence::get_presence, presence::put_presence))
        .routes(routes!(booths::list_content, booths::add_content))
        .routes(routes!(booths::rename_content, booths::remove_content))
        .routes(routes!(booths::content_file))
        .routes(routes!(consents::give_consent, consents::withdraw_consent))
        .routes(routes!(messages::sponsor_threads, messages::start_thread))
        .routes(routes!(messages::sponsor_messages, messages::staff_send))
        .routes(routes!(messages::staff_read))
        .routes(routes!(messages::my_threads))
        .routes(routes!(messages::my_messages, messages::attendee_send))
        .routes(routes!(messages::attendee_read))
        .routes(routes!(messages::block_sponsor, messages::unblock_sponsor))
        .routes(routes!(analytics::sponsor_analytics))
        .routes(routes!(analytics::event_analytics))
        .routes(routes!(webhooks::list_sponsor_webhooks, webhooks::create_sponsor_webhook))
        .routes(routes!(webhooks::update_sponsor_webhook, webhooks::delete_sponsor_webhook))
        .routes(routes!(webhooks::ping_sponsor_webhook))
        .routes(routes!(webhooks::sponsor_webhook_deliveries))
        .routes(routes!(webhooks::replay_sponsor_webhook_delivery))
        .routes(routes!(webhooks::list_event_webhooks, webhooks::create_event_webhook))
        .routes(routes!(webhooks::update_event_webhook, webhooks::delete_event_webhook))
        .routes(routes!(webhooks::ping_event_webhook))
        .routes(routes!(webhooks::event_webhook_deliveries))
        .routes(routes!(webhooks::replay_event_webhook_delivery))
}

/// The document as served: the router's, with the common answers and the input
/// rules of the validators added.
pub fn document(mut openapi: utoipa::openapi::OpenApi) -> serde_json::Value {
    document_common_answers(&mut openapi);
    let mut doc = serde_json::to_value(&openapi).expect("the OpenAPI document serializes");
    document_input_rules(&mut doc);
    doc
}

/// States in the schemas what the validators accept (`services::contract`): the
/// patterns and lengths of text fields, the free-text query parameters, the
/// `Idempotency-Key` header, and the capture's "a user id or an e-mail address".
/// Works on the JSON form, which can hold `anyOf` beside `properties`.
fn document_input_rules(doc: &mut serde_json::Value) {
    use sponsorhub_domain::validate::Rule;
    use sponsorhub_services::contract::{
        BODY_RULES, DATE_FIELDS, DATE_PATTERN, DATE_TIME_FIELDS, DATE_TIME_PARAMS, DATE_TIME_PATTERN,
        IDEMPOTENCY_KEY_PATTERN, QUERY_RULES, UUID_FIELDS, UUID_PATTERN,
    };
    fn merge(slot: &mut serde_json::Value, extra: serde_json::Value) {
        if let (Some(slot), serde_json::Value::Object(extra)) = (slot.as_object_mut(), extra) {
            slot.extend(extra);
        }
    }
    for (schema, property, rule) in BODY_RULES {
        let slot = doc
            .pointer_mut(&format!("/components/schemas/{schema}/properties/{property}"))
            .unwrap_or_else(|| panic!("{schema}.{property} is not in the OpenAPI document"));
        merge(slot, rule.json_schema());
    }
    for (fields, pattern) in
        [(DATE_TIME_FIELDS, DATE_TIME_PATTERN), (DATE_FIELDS, DATE_PATTERN), (UUID_FIELDS, UUID_PATTERN)]
    {
        for (schema, property) in fields {
            let slot = doc
                .pointer_mut(&format!("/components/schemas/{schema}/properties/{property}"))
                .unwrap_or_else(|| panic!("{schema}.{property} is not in the OpenAPI document"));
            merge(slot, serde_json::json!({"pattern": pattern}));
        }
    }
    // Staff name the attendee by a platform id or an e-mail address (not blank).
    let attendee = doc.pointer_mut("/components/schemas/Attendee").expect("Attendee is documented");
    let mut by_id = Rule::Text { max: 200 }.json_schema();
    merge(&mut by_id, serde_json::json!({"type": "string"}));
    let mut by_email = Rule::Email.json_schema();
    merge(&mut by_email, serde_json::json!({"type": "string"}));
    merge(
        attendee,
        serde_json::json!({"anyOf": [
            {"required": ["user_id"], "properties": {"user_id": by_id}},
            {"required": ["email"], "properties": {"email": by_email}},
        ]}),
    );
    // An attendee needs an e-mail address or a platform id (not blank).
    let mut by_platform = Rule::Text { max: 200 }.json_schema();
    merge(&mut by_platform, serde_json::json!({"type": "string"}));
    let mut by_email = Rule::Email.json_schema();
    merge(&mut by_email, serde_json::json!({"type": "string"}));
    let input = doc.pointer_mut("/components/schemas/AttendeeInput").expect("AttendeeInput is documented");
    merge(
        input,
        serde_json::json!({"anyOf": [
            {"required": ["platform_id"], "properties": {"platform_id": by_platform}},
            {"required": ["email"], "properties": {"email": by_email}},
        ]}),
    );
    let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) else { return };
    for item in paths.values_mut().filter_map(|i| i.as_object_mut()) {
        for op in item.values_mut() {
            let Some(params) = op.get_mut("parameters").and_then(|p| p.as_array_mut()) else { continue };
            for param in params {
                let name = param.get("name").and_then(|n| n.as_str()).unwrap_or_default().to_string();
                let Some(schema) = param.get_mut("schema") else { continue };
                if let Some((_, rule)) = QUERY_RULES.iter().find(|(n, _)| *n == name) {
                    merge(schema, rule.json_schema());
                }
                if DATE_TIME_PARAMS.contains(&name.as_str()) {
                    merge(schema, serde_json::json!({"pattern": DATE_TIME_PATTERN}));
                }
                if name == "Idempotency-Key" {
                    merge(schema, serde_json::json!({"pattern": IDEMPOTENCY_KEY_PATTERN}));
                }
            }
        }
    }
}

/// Documents the answers every operation can give besides its own, so that the
/// document tells the truth about them: 401 (operations behind a bearer token),
/// 400 for a malformed body, path or query and 413 / 415 for bodies, 422 for
/// query parameters out of range, 429 where limits apply, and 503 when the
/// storage cannot take the request (everything but the liveness probe).
fn document_common_answers(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::{Operation, ParameterIn};
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let problem = |description: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/problem+json",
                    ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build(),
                )
                .build(),
        )
    };
    let add = |op: &mut Operation, code: &str, description: &str| {
        op.responses.responses.entry(code.to_string()).or_insert_with(|| problem(description));
    };
    for (path, item) in openapi.paths.paths.iter_mut() {
        let ops = [item.get.as_mut(), item.put.as_mut(), item.post.as_mut(), item.delete.as_mut(), item.patch.as_mut()];
        for op in ops.into_iter().flatten() {
            let params = op.parameters.clone().unwrap_or_default();
            let has = |kind: ParameterIn| {
                params.iter().any(|p| matches!(p, RefOr::T(p) if std::mem::discriminant(&p.parameter_in) == std::mem::discriminant(&kind)))
            };
            if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                add(op, "401", "No valid credentials");
            }
            if op.request_body.is_some() {
                add(op, "400", "The body is not valid JSON, or a path id or query parameter is malformed");
                add(op, "413", "The body is larger than 1 MiB");
                add(op, "415", "The body is not application/json");
                add(op, "422", "Invalid fields");
            }
            if has(ParameterIn::Path) || has(ParameterIn::Query) {
                add(op, "400", "A path id or query parameter is malformed");
            }
            if has(ParameterIn::Query) {
                add(op, "422", "A query parameter is out of range");
            }
            if path != "/healthz" {
                add(op, "503", "The storage cannot take the request now; retry after Retry-After seconds");
            }
        }
    }
}
