//! The REST API under /api/v1, one file per resource. Every route is registered
//! through utoipa-axum, so /api/openapi.json cannot drift from the router.

pub mod auth;
pub mod events;
pub mod health;

use crate::app::AppState;
use crate::problem::{Problem, ProblemFieldError};
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
    components(schemas(Problem, ProblemFieldError)),
    tags(
        (name = "auth", description = "Sign-up, login and the caller's profile"),
        (name = "events", description = "Events of an organization"),
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
}
