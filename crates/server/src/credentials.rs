//! The one parser of bearer credentials, for every adapter: REST (`extract::Caller`),
//! GraphQL over HTTP and graphql-ws, and the socket.io handshake. The scheme is
//! matched case-insensitively (RFC 9110 §11.1); surrounding spaces are ignored.

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;

/// What a request's `Authorization` header holds.
#[derive(Debug, PartialEq, Eq)]
pub enum Authorization<'a> {
    Absent,
    Bearer(&'a str),
    /// Present, but not a usable bearer token.
    Other,
}

/// The token of an `Authorization` value such as `Bearer abc`.
pub fn bearer_of(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The request's `Authorization` header.
pub fn authorization(headers: &HeaderMap) -> Authorization<'_> {
    match headers.get(AUTHORIZATION) {
        None => Authorization::Absent,
        Some(h) => match h.to_str().ok().and_then(bearer_of) {
            Some(token) => Authorization::Bearer(token),
            None => Authorization::Other,
        },
    }
}

/// The bearer token of the request, if it carries one.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    match authorization(headers) {
        Authorization::Bearer(t) => Some(t),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_in_any_case_and_nothing_else() {
        assert_eq!(bearer_of("Bearer abc"), Some("abc"));
        assert_eq!(bearer_of("bearer  abc "), Some("abc"));
        assert_eq!(bearer_of("BEARER abc"), Some("abc"));
        assert_eq!(bearer_of("Basic abc"), None);
        assert_eq!(bearer_of("Bearer "), None);
        assert_eq!(bearer_of("abc"), None);
        let mut h = HeaderMap::new();
        assert_eq!(authorization(&h), Authorization::Absent);
        h.insert(AUTHORIZATION, "Basic x".parse().unwrap());
        assert_eq!(authorization(&h), Authorization::Other);
        h.insert(AUTHORIZATION, "Bearer t".parse().unwrap());
        assert_eq!(bearer(&h), Some("t"));
    }
}
