//! Uploaded files served publicly: a sponsor's logo at
//! `/media/sponsors/{sponsor_id}/logo?v=<version>` (docs/DECISIONS.md, "Sponsor
//! logos"). The version in the URL changes with the content, so a URL that names
//! the current version is cached for a year; any other is revalidated by ETag.

use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sponsorhub_services::{Error, logos};
use uuid::Uuid;

#[derive(Deserialize, Default)]
pub struct LogoQuery {
    v: Option<String>,
}

/// The sponsor's uploaded logo with its stored type; SVG under a policy that
/// loads nothing and runs nothing, should it be opened as a document.
pub async fn sponsor_logo(
    State(s): State<AppState>,
    Path(sponsor_id): Path<Uuid>,
    Query(q): Query<LogoQuery>,
    headers: HeaderMap,
) -> Response {
    let logo = match logos::public_logo(&s.services, sponsor_id).await {
        Ok(logo) => logo,
        Err(Error::NotFound(_)) => return StatusCode::NOT_FOUND.into_response(),
        Err(Error::Unavailable { .. }) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "reading a logo");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let etag = format!("\"{}\"", logo.sha256);
    let current = q.v.as_deref() == Some(logos::version(&logo.sha256));
    let cache = if current { "public, max-age=31536000, immutable" } else { "public, no-cache" };
    let mut h = HeaderMap::new();
    h.insert(ETAG, HeaderValue::from_str(&etag).expect("hex digits"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(axum::http::header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; sandbox"),
    );
    let fresh = headers
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if fresh {
        return (StatusCode::NOT_MODIFIED, h).into_response();
    }
    let content_type = HeaderValue::from_str(&logo.content_type).unwrap_or(HeaderValue::from_static("image/png"));
    h.insert(CONTENT_TYPE, content_type);
    (h, logo.content).into_response()
}
