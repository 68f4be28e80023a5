//! RFC 9457 problem details: every error the HTTP API answers with.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sponsorhub_domain::validate::FieldError;
use sponsorhub_services::Error;
use utoipa::ToSchema;

/// A problem+json body.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The invalid fields, for validation problems (422).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<ProblemFieldError>)]
    pub errors: Vec<FieldError>,
}

/// One invalid field.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ProblemFieldError {
    pub field: String,
    pub message: String,
}

/// An error on its way to becoming a problem+json response.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    slug: &'static str,
    detail: String,
    errors: Vec<FieldError>,
    retry_after: Option<u64>,
}

impl ApiError {
    /// The same answer with a `Retry-After` header.
    pub fn retry_after(self, secs: u64) -> ApiError {
        ApiError { retry_after: Some(secs), ..self }
    }

    pub fn new(status: StatusCode, slug: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError { status, slug, detail: detail.into(), errors: Vec::new(), retry_after: None }
    }

    /// Reads a raw request body (an uploaded file) of at most `limit` bytes; a
    /// longer one is 413 with `too_large` as the detail.
    pub async fn read_body(
        body: axum::body::Body,
        limit: usize,
        too_large: &str,
    ) -> Result<axum::body::Bytes, ApiError> {
        axum::body::to_bytes(body, limit)
            .await
            .map_err(|_| ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large", too_large))
    }

    pub fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not-found", "no such resource")
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        match e {
            Error::Unauthenticated(d) => ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", d),
            Error::Forbidden(d) => ApiError::new(StatusCode::FORBIDDEN, "forbidden", d),
            Error::NotFound(what) => ApiError::new(StatusCode::NOT_FOUND, "not-found", format!("{what} not found")),
            Error::Conflict(d) => ApiError::new(StatusCode::CONFLICT, "conflict", d),
            Error::Gone(d) => ApiError::new(StatusCode::GONE, "gone", d),
            Error::BadRequest(d) => ApiError::new(StatusCode::BAD_REQUEST, "bad-request", d),
            Error::Invalid(errors) => ApiError {
                errors,
                ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "validation", "one or more fields are invalid")
            },
            Error::RateLimited { retry_after_secs } => ApiError {
                retry_after: Some(retry_after_secs),
                ..ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate-limited", "too many requests; retry later")
            },
            Error::Unavailable { retry_after_secs } => ApiError {
                retry_after: Some(retry_after_secs),
                ..ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "storage-unavailable",
                    "the service cannot store data right now; nothing was changed; retry later",
                )
            },
            Error::Internal(e) => {
                // The whole chain goes to the log, nothing of it to the client.
                tracing::error!(error = ?e, "internal error");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the server failed to answer this request")
            }
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::JsonDataError(e) => {
                // serde says which field and why, e.g. "missing field `email`"
                let detail = e.body_text();
                let field = field_of(&detail);
                ApiError {
                    errors: vec![FieldError::new(&field, clean_serde_message(&detail))],
                    ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "validation", "one or more fields are invalid")
                }
            }
            JsonRejection::JsonSyntaxError(_) => {
                ApiError::new(StatusCode::BAD_REQUEST, "malformed-body", "the body is not valid JSON")
            }
            JsonRejection::MissingJsonContentType(_) => ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "send the body as application/json",
            ),
            r if r.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body-too-large",
                "the body is larger than allowed: 1 MiB, 16 MiB for an attendee import file, 1 MiB and 64 KiB for a logo",
            ),
            r => ApiError::new(StatusCode::BAD_REQUEST, "malformed-body", r.body_text()),
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(_: PathRejection) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "malformed-path", "an id in the path is not a valid UUID")
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "malformed-query", r.body_text())
    }
}

/// The field a serde message names ("missing field `email`", "... at line 1 column 9"
/// with a path prefix "name: invalid type").
pub fn field_of(message: &str) -> String {
    // serde_path_to_error puts the path of the bad value first ("starts_at: ...").
    let after = message.rsplit("target type: ").next().unwrap_or(message);
    if let Some((path, _)) = after.split_once(": ")
        && !path.contains(' ')
        && !path.is_empty()
    {
        return path.to_string();
    }
    // A field missing or unknown at the top level names itself in backticks.
    for kind in ["missing field `", "unknown field `"] {
        if let Some(start) = after.find(kind)
            && let Some(len) = after[start + kind.len()..].find('`')
        {
            return after[start + kind.len()..start + kind.len() + len].to_string();
        }
    }
    "body".to_string()
}

pub fn clean_serde_message(message: &str) -> String {
    let m = message.rsplit("target type: ").next().unwrap_or(message);
    let m = match m.split_once(": ") {
        Some((path, rest)) if !path.contains(' ') => rest,
        _ => m,
    };
    match m.find(" at line ") {
        Some(i) => m[..i].to_string(),
        None => m.to_string(),
    }
}

/// Answers that a layer made without a body of ours (a body over the limit refused
/// by its length, a method the route does not take) become problem+json too.
pub async fn problem_for_bare_errors(res: Response) -> Response {
    let ours = res.headers().get(header::CONTENT_TYPE).is_some_and(|v| v == "application/problem+json");
    if ours {
        return res;
    }
    match res.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body-too-large",
            "the body is larger than allowed: 1 MiB, 16 MiB for an attendee import file, 1 MiB and 64 KiB for a logo",
        )
        .into_response(),
        StatusCode::METHOD_NOT_ALLOWED => {
            let allow = res.headers().get(header::ALLOW).cloned();
            let mut problem = ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "this path does not take that method",
            )
            .into_response();
            if let Some(allow) = allow {
                problem.headers_mut().insert(header::ALLOW, allow);
            }
            problem
        }
        _ => res,
    }
}

impl ApiError {
    /// The problem+json body of this error, for answers that carry several (the
    /// bulk capture's per-item results).
    pub fn into_problem(self) -> Problem {
        Problem {
            kind: format!("urn:sponsorhub:problem:{}", self.slug),
            title: self.status.canonical_reason().unwrap_or("Error").to_string(),
            status: self.status.as_u16(),
            detail: self.detail,
            errors: self.errors,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, retry_after) = (self.status, self.retry_after);
        let body = self.into_problem();
        let mut response = (status, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Some(secs) = retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrongly_typed_field_is_named_not_its_value() {
        let m = "Failed to deserialize the JSON body into the target type: interaction_type: invalid type: floating point `1.5`, expected a string at line 1 column 24";
        assert_eq!(field_of(m), "interaction_type");
        let m = "Failed to deserialize the JSON body into the target type: attendee.email: invalid type: boolean `false`, expected a string at line 1 column 9";
        assert_eq!(field_of(m), "attendee.email");
        let m = "Failed to deserialize the JSON body into the target type: invalid type: sequence, expected struct X at line 1 column 0";
        assert_eq!(field_of(m), "body");
    }

    #[test]
    fn serde_messages_name_their_field() {
        assert_eq!(
            field_of(
                "Failed to deserialize the JSON body into the target type: missing field `email` at line 1 column 2"
            ),
            "email"
        );
        assert_eq!(
            field_of(
                "Failed to deserialize the JSON body into the target type: starts_at: input contains invalid characters at line 1 column 30"
            ),
            "starts_at"
        );
        assert_eq!(
            clean_serde_message(
                "Failed to deserialize the JSON body into the target type: missing field `name` at line 1 column 12"
            ),
            "missing field `name`"
        );
        assert_eq!(
            clean_serde_message(
                "Failed to deserialize the JSON body into the target type: starts_at: input contains invalid characters at line 1 column 30"
            ),
            "input contains invalid characters"
        );
    }
}
