//! Uploaded files handed out as downloads (booth content items, REST and web
//! alike): always an attachment, of the type the content was found to be, never
//! sniffed, never run as a document of this site.

use axum::http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_SECURITY_POLICY, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

/// The file as a download named `file_name`.
pub fn attachment(content_type: &str, file_name: &str, bytes: axum::body::Bytes) -> Response {
    let mut h = HeaderMap::new();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_str(content_type).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(CONTENT_DISPOSITION, disposition(file_name));
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    (h, axum::body::Body::from(bytes)).into_response()
}

/// `attachment; filename="<ASCII stand-in>"; filename*=UTF-8''<percent-encoded>`
/// (RFC 6266): every browser gets the real name, and the plain one has no quote,
/// backslash or non-ASCII character to break the header.
pub fn disposition(file_name: &str) -> HeaderValue {
    let plain: String = file_name
        .chars()
        .map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' })
        .collect();
    let mut encoded = String::new();
    for b in file_name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    HeaderValue::from_str(&format!("attachment; filename=\"{plain}\"; filename*=UTF-8''{encoded}"))
        .unwrap_or(HeaderValue::from_static("attachment"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_quoted_safely() {
        assert_eq!(
            disposition("Brochure 2026.pdf"),
            "attachment; filename=\"Brochure 2026.pdf\"; filename*=UTF-8''Brochure%202026.pdf"
        );
        assert_eq!(
            disposition("Prés\"entation\\.pdf"),
            "attachment; filename=\"Pr_s_entation_.pdf\"; filename*=UTF-8''Pr%C3%A9s%22entation%5C.pdf"
        );
    }
}
