//! Own accounts: sign-up, login and the caller's profile.

use crate::client::ClientAddr;
use crate::extract::{Caller, Json};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use sponsorhub_services::accounts::{self, AuthOutcome, LoginInput, Me, SignupInput};

/// Create an account and an organization it owns; returns a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/signup", tag = "auth", request_body = SignupInput, responses(
    (status = 201, body = AuthOutcome),
    (status = 409, description = "The e-mail address has an account", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "Too many sign-ups from this client", body = Problem, content_type = "application/problem+json"),
    (status = 503, description = "Busy hashing passwords; retry", body = Problem, content_type = "application/problem+json"),
))]
pub async fn signup(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Json(input): Json<SignupInput>,
) -> Result<(StatusCode, Json<AuthOutcome>), ApiError> {
    let outcome = accounts::signup(&state.services, input, &client).await?;
    Ok((StatusCode::CREATED, Json(outcome)))
}

/// Exchange e-mail and password for a bearer token (for the user's first organization).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginInput, responses(
    (status = 200, body = AuthOutcome),
    (status = 401, description = "Wrong e-mail address or password", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "Too many attempts", body = Problem, content_type = "application/problem+json"),
))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Json(input): Json<LoginInput>,
) -> Result<Json<AuthOutcome>, ApiError> {
    let outcome = accounts::login(&state.services, input, &client).await?;
    Ok(Json(outcome))
}

/// The caller and their organizations.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", security(("bearer" = [])), responses(
    (status = 200, body = Me),
    (status = 401, body = Problem, content_type = "application/problem+json"),
))]
pub async fn me(State(state): State<AppState>, Caller(p): Caller) -> Result<Json<Me>, ApiError> {
    Ok(Json(accounts::me(&state.services, &p).await?))
}
