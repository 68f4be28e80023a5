//! The browser session (docs/ARCHITECTURE.md, "The web UI"): a cookie holding a bearer token minted by the
//! token service, CSRF tokens for forms, and the Origin check that protects
//! cookie-authenticated API calls. Bearer-token calls need neither.
//!
//! - `sponsorhub_session`: the token (HttpOnly, SameSite=Lax, Secure on https). The
//!   database keeps nothing of it.
//! - `sponsorhub_pre`: a random value for visitors without a session, so the login
//!   and sign-up forms carry a CSRF token too.
//! - A form's CSRF token is HMAC-SHA256 keyed with the session cookie (or the pre
//!   cookie) over a fixed label: only a page of this site, which can read neither
//!   cookie but receives the token inside the HTML, can send it back.

use axum::http::header::{COOKIE, HOST, ORIGIN, REFERER};
use axum::http::{HeaderMap, HeaderValue, Method};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const SESSION_COOKIE: &str = "sponsorhub_session";
pub const PRE_COOKIE: &str = "sponsorhub_pre";
pub const FLASH_COOKIE: &str = "sponsorhub_flash";
/// The hidden form field that carries the CSRF token.
pub const CSRF_FIELD: &str = "_csrf";

/// The value of cookie `name`, from every `Cookie` header of the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"'))
        .filter(|v| !v.is_empty())
}

/// The session token from the cookie, if the request carries one.
pub fn session_token(headers: &HeaderMap) -> Option<&str> {
    cookie(headers, SESSION_COOKIE)
}

/// What the CSRF token of this browser is derived from: the session cookie, or the
/// pre-session cookie of a visitor who is not signed in.
pub fn csrf_key(headers: &HeaderMap) -> Option<&str> {
    session_token(headers).or_else(|| cookie(headers, PRE_COOKIE))
}

fn mac(key: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(b"sponsorhub form v1");
    mac
}

/// The CSRF token for forms of a browser whose key is `key`.
pub fn csrf_token(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(mac(key).finalize().into_bytes())
}

/// Checks a submitted CSRF token in constant time.
pub fn csrf_ok(key: &str, token: &str) -> bool {
    match URL_SAFE_NO_PAD.decode(token.trim()) {
        Ok(bytes) => mac(key).verify_slice(&bytes).is_ok(),
        Err(_) => false,
    }
}

/// A fresh random value for the pre-session cookie.
pub fn random_value() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// `Set-Cookie` for `name=value`: HttpOnly, SameSite=Lax, Path=/, Secure when the
/// service is reached over https; `max_age` None makes a browser-session cookie.
pub fn set_cookie(name: &str, value: &str, max_age: Option<u64>, secure: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(secs) = max_age {
        c.push_str(&format!("; Max-Age={secs}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).expect("cookie values are base64url or JWTs")
}

/// `Set-Cookie` that removes `name`.
pub fn clear_cookie(name: &str, secure: bool) -> HeaderValue {
    set_cookie(name, "", Some(0), secure)
}

/// Cookies get the Secure flag when the public URL is https.
pub fn secure(public_url: &str) -> bool {
    public_url.trim().to_ascii_lowercase().starts_with("https://")
}

/// `scheme://host[:port]` of a URL, lowercased.
fn origin_of(url: &str) -> Option<String> {
    let url = url.trim();
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    if authority.is_empty() {
        return None;
    }
    Some(format!("{}://{}", scheme.to_ascii_lowercase(), authority.to_ascii_lowercase()))
}

/// Does an unsafe request come from a page of this service? Its `Origin` (or, when
/// a browser sends none, its `Referer`) must be the public URL's origin or name the
/// host the request was sent to. A request that shows neither is refused.
pub fn same_origin(headers: &HeaderMap, public_url: &str) -> bool {
    // An Origin header decides when present: `null` (a sandboxed frame, a data:
    // URL, some redirects) is no origin of ours, and never falls back to Referer.
    let claimed = match headers.get(ORIGIN) {
        Some(o) => o.to_str().ok().filter(|o| *o != "null").and_then(origin_of),
        None => headers.get(REFERER).and_then(|v| v.to_str().ok()).and_then(origin_of),
    };
    let Some(claimed) = claimed else { return false };
    if origin_of(public_url).is_some_and(|o| o == claimed) {
        return true;
    }
    let host = headers.get(HOST).and_then(|v| v.to_str().ok()).map(str::to_ascii_lowercase);
    match (host, claimed.split_once("://")) {
        (Some(host), Some((_, authority))) => host == authority,
        _ => false,
    }
}

/// GET, HEAD and OPTIONS change nothing; every other method needs the Origin check
/// when the session cookie authenticates it.
pub fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn cookies_are_found_in_any_cookie_header() {
        let h = headers(&[("cookie", "a=1; sponsorhub_pre=xyz"), ("cookie", "sponsorhub_session=tok")]);
        assert_eq!(cookie(&h, "a"), Some("1"));
        assert_eq!(session_token(&h), Some("tok"));
        assert_eq!(csrf_key(&h), Some("tok"), "the session wins over the pre-session cookie");
        assert_eq!(cookie(&h, "missing"), None);
    }

    #[test]
    fn csrf_tokens_bind_to_their_key() {
        let t = csrf_token("key-one");
        assert!(csrf_ok("key-one", &t));
        assert!(!csrf_ok("key-two", &t));
        assert!(!csrf_ok("key-one", ""));
        assert!(!csrf_ok("key-one", "not base64 !"));
    }

    #[test]
    fn cookies_are_secure_behind_https() {
        assert!(secure("https://sponsors.example.com"));
        assert!(!secure("http://127.0.0.1:8080"));
        let c = set_cookie(SESSION_COOKIE, "tok", Some(60), true);
        assert_eq!(c, "sponsorhub_session=tok; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure");
    }

    #[test]
    fn origin_must_be_the_public_url_or_the_host() {
        let public = "https://sponsors.example.com";
        assert!(same_origin(&headers(&[("origin", "https://sponsors.example.com")]), public));
        assert!(same_origin(&headers(&[("origin", "http://127.0.0.1:3000"), ("host", "127.0.0.1:3000")]), public));
        assert!(same_origin(&headers(&[("referer", "https://sponsors.example.com/events/1")]), public));
        assert!(!same_origin(
            &headers(&[("origin", "https://evil.example"), ("host", "sponsors.example.com")]),
            public
        ));
        assert!(!same_origin(&headers(&[("origin", "null"), ("host", "sponsors.example.com")]), public));
        assert!(!same_origin(&headers(&[("host", "sponsors.example.com")]), public), "neither Origin nor Referer");
    }

    #[test]
    fn an_origin_of_null_never_falls_back_to_the_referer() {
        let h = headers(&[("origin", "null"), ("referer", "http://127.0.0.1:8080/portal"), ("host", "127.0.0.1:8080")]);
        assert!(!same_origin(&h, "http://127.0.0.1:8080"));
        let h = headers(&[("referer", "http://127.0.0.1:8080/portal"), ("host", "127.0.0.1:8080")]);
        assert!(same_origin(&h, "http://127.0.0.1:8080"));
    }
}
