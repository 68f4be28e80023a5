//! Liveness and readiness probes.

use crate::problem::ApiError;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, body = Health)))]
pub async fn healthz() -> axum::Json<Health> {
    axum::Json(Health { status: "ok" })
}

/// The database answers and takes writes (no storage failure since the last
/// committed write, and a probe write commits).
#[utoipa::path(get, path = "/readyz", tag = "health", responses(
    (status = 200, body = Health),
    (status = 503, body = crate::problem::Problem, content_type = "application/problem+json")
))]
pub async fn readyz(State(state): State<AppState>) -> Result<axum::Json<Health>, ApiError> {
    if state.is_draining() {
        return Err(
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "not-ready", "the server is shutting down").retry_after(1)
        );
    }
    match sponsorhub_services::health::ready(&state.services).await {
        Ok(()) => Ok(axum::Json(Health { status: "ready" })),
        Err(why) => {
            tracing::warn!(error = %why, "readiness check failed");
            Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "not-ready", why)
                .retry_after(sponsorhub_services::error::STORAGE_RETRY_SECS))
        }
    }
}
