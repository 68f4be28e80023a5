//! Extractors that answer bad input with problem+json instead of axum's plain text,
//! and the one that turns a bearer token (or the session cookie) into the caller.

use crate::credentials::{self, Authorization};
use crate::problem::ApiError;
use crate::session;
use crate::state::AppState;
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::request::Parts;
use sponsorhub_services::{Error, Principal, accounts};

/// `axum::Json` with problem+json rejections.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);

impl<T: serde::Serialize> axum::response::IntoResponse for Json<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}

/// `axum::extract::Path` with problem+json rejections.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

/// `axum::extract::Query` with problem+json rejections.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

/// The authenticated caller: from an `Authorization: Bearer` token, or else from the
/// web UI's session cookie. A cookie-authenticated request that may change something
/// must come from a page of this service (Origin / Referer check, docs/ARCHITECTURE.md, "The web UI": CSRF);
/// bearer-token calls need no such check. Rejects with 401 when there are no valid
/// credentials, 403 when the Origin check fails.
pub struct Caller(pub Principal);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match credentials::authorization(&parts.headers) {
            Authorization::Bearer(token) => Ok(Caller(accounts::authenticate(&state.services, token).await?)),
            Authorization::Other => {
                Err(Error::Unauthenticated("the Authorization header is not a Bearer token".into()).into())
            }
            Authorization::Absent => {
                let Some(token) = session::session_token(&parts.headers) else {
                    return Err(Error::Unauthenticated("sign in: send an Authorization: Bearer token".into()).into());
                };
                if !session::is_safe(&parts.method) && !session::same_origin(&parts.headers, &state.config.public_url) {
                    return Err(Error::Forbidden(
                        "a request authenticated by the session cookie must come from this site (Origin check)".into(),
                    )
                    .into());
                }
                Ok(Caller(accounts::authenticate(&state.services, token).await?))
            }
        }
    }
}

/// The bearer secret of a service (an event's service token, which the service
/// checks): only from an `Authorization: Bearer` header, never a cookie; 401
/// without one.
pub struct ServiceBearer(pub String);

impl FromRequestParts<AppState> for ServiceBearer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, Self::Rejection> {
        match credentials::authorization(&parts.headers) {
            Authorization::Bearer(token) => Ok(ServiceBearer(token.to_string())),
            _ => Err(Error::Unauthenticated("send the event's service token as Authorization: Bearer".into()).into()),
        }
    }
}
