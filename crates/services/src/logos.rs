//! Uploaded sponsor logos (docs/DECISIONS.md, "Sponsor logos"): the type is told
//! from the content, never from a file name or a declared type; SVG is rewritten
//! by an allowlist sanitizer before it is stored; the bytes live in the database
//! so every instance serves them, at a URL that names their version.

use crate::authz::SponsorAccess;
use crate::sponsors::{SponsorView, view};
use crate::{Error, Principal, Result, Services};
use sha2::{Digest, Sha256};
use sponsorhub_domain::time;
use sponsorhub_domain::validate::FieldError;
use sponsorhub_store::logos::{self as q, Logo};
use uuid::Uuid;

/// The largest logo file: 1 MiB.
pub const MAX_BYTES: usize = 1024 * 1024;

/// The form and body field a logo's errors name.
pub const FIELD: &str = "logo";

/// A checked logo: its content type and the bytes to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedLogo {
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// Tells the image type from the content and sanitizes SVG: a PNG, JPEG or WebP
/// file is kept byte for byte; an SVG document is rewritten without scripts,
/// event handlers, foreign objects or references to other sites.
pub fn check(bytes: &[u8]) -> std::result::Result<CheckedLogo, FieldError> {
    if bytes.is_empty() {
        return Err(FieldError::new(FIELD, "choose an image file"));
    }
    if bytes.len() > MAX_BYTES {
        return Err(FieldError::new(FIELD, "must be at most 1 MB"));
    }
    let raster = match image::guess_format(bytes) {
        Ok(image::ImageFormat::Png) => Some("image/png"),
        Ok(image::ImageFormat::Jpeg) => Some("image/jpeg"),
        Ok(image::ImageFormat::WebP) => Some("image/webp"),
        _ => None,
    };
    if let Some(content_type) = raster {
        return Ok(CheckedLogo { content_type, bytes: bytes.to_vec() });
    }
    if !looks_like_svg(bytes) {
        return Err(FieldError::new(FIELD, "must be a PNG, JPEG, WebP or SVG image"));
    }
    let broken = || FieldError::new(FIELD, "is not a well-formed SVG image");
    let mut filter = svg_hush::Filter::new();
    // Embedded raster images (data: URLs of PNG, JPEG, GIF, WebP) stay; any other
    // data: URL goes.
    filter.set_data_url_filter(svg_hush::data_url_filter::allow_standard_images);
    let mut out = Vec::with_capacity(bytes.len());
    filter.filter(bytes, &mut out).map_err(|_| broken())?;
    // The sanitizer drops a root element that is not SVG's: nothing useful left.
    if !looks_like_svg(&out) {
        return Err(broken());
    }
    if out.len() > MAX_BYTES {
        return Err(FieldError::new(FIELD, "must be at most 1 MB"));
    }
    Ok(CheckedLogo { content_type: "image/svg+xml", bytes: out })
}

/// Whether the first element of this (XML) text is `<svg`, after a byte order
/// mark, blanks, an XML declaration, processing instructions, comments and a
/// doctype.
fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let text = String::from_utf8_lossy(head);
    let mut rest = text.trim_start_matches('\u{feff}').trim_start();
    loop {
        let skip = if rest.starts_with("<?") {
            rest.find("?>").map(|i| i + 2)
        } else if rest.starts_with("<!--") {
            rest.find("-->").map(|i| i + 3)
        } else if rest.starts_with("<!DOCTYPE") || rest.starts_with("<!doctype") {
            rest.find('>').map(|i| i + 1)
        } else {
            break;
        };
        match skip {
            Some(n) => rest = rest[n..].trim_start(),
            None => return false,
        }
    }
    rest.starts_with("<svg") && rest[4..].starts_with(|c: char| c.is_whitespace() || c == '>' || c == '/')
}

/// The public URL of a sponsor's uploaded logo of this version (content hash).
pub fn logo_url(base: &str, sponsor: Uuid, sha256: &str) -> String {
    format!("{}/media/sponsors/{sponsor}/logo?v={}", base.trim_end_matches('/'), version(sha256))
}

/// The version a logo URL carries: the first 16 hex digits of its hash.
pub fn version(sha256: &str) -> &str {
    &sha256[..sha256.len().min(16)]
}

/// The logo row for checked bytes.
pub(crate) fn row(sponsor: Uuid, logo: CheckedLogo) -> Logo {
    let sha256 = Sha256::digest(&logo.bytes).iter().map(|b| format!("{b:02x}")).collect();
    Logo {
        sponsor_id: sponsor,
        content_type: logo.content_type.to_string(),
        content: logo.bytes,
        sha256,
        updated_at: time::now(),
    }
}

/// Uploads (replaces) the sponsor's logo: organizers and staff who edit the
/// sponsor's profile. The answer carries the new `logo_url`.
#[tracing::instrument(skip_all, fields(sponsor.id = %sponsor, bytes = bytes.len()))]
pub async fn upload_logo(
    svc: &Services,
    p: &Principal,
    org: Option<Uuid>,
    sponsor: Uuid,
    bytes: &[u8],
) -> Result<SponsorView> {
    let checked = check(bytes).map_err(|e| Error::Invalid(vec![e]))?;
    let mut tx = svc.store.write().await?;
    let access = SponsorAccess::load_in_org(&mut tx, p, org, sponsor).await?;
    access.require_edit_profile()?;
    q::put(&mut tx, &row(sponsor, checked)).await?;
    let v = view(svc, &mut tx, access.sponsor).await?;
    tx.commit().await?;
    tracing::info!("sponsor logo uploaded");
    Ok(v)
}

/// Removes the sponsor's uploaded logo (if any): its logo URL, if it has one,
/// shows again.
#[tracing::instrument(skip_all, fields(sponsor.id = %sponsor))]
pub async fn remove_logo(svc: &Services, p: &Principal, org: Option<Uuid>, sponsor: Uuid) -> Result<SponsorView> {
    let mut tx = svc.store.write().await?;
    let access = SponsorAccess::load_in_org(&mut tx, p, org, sponsor).await?;
    access.require_edit_profile()?;
    q::delete(&mut tx, sponsor).await?;
    let v = view(svc, &mut tx, access.sponsor).await?;
    tx.commit().await?;
    Ok(v)
}

/// The sponsor's uploaded logo, public (no sign-in): what the logo URL serves.
pub async fn public_logo(svc: &Services, sponsor: Uuid) -> Result<Logo> {
    let mut tx = svc.store.read().await?;
    q::get(&mut tx, sponsor).await?.ok_or(Error::NotFound("logo"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn the_content_decides_the_type() {
        assert_eq!(check(PNG).unwrap().content_type, "image/png");
        assert_eq!(check(b"\xff\xd8\xff\xe0\0\x10JFIF").unwrap().content_type, "image/jpeg");
        assert_eq!(check(b"RIFF\x10\0\0\0WEBPVP8 ").unwrap().content_type, "image/webp");
        assert_eq!(check(b"hello, world").unwrap_err().message, "must be a PNG, JPEG, WebP or SVG image");
        assert_eq!(check(b"").unwrap_err().message, "choose an image file");
        assert_eq!(check(&vec![0u8; MAX_BYTES + 1]).unwrap_err().message, "must be at most 1 MB");
    }

    #[test]
    fn svg_is_sanitized() {
        let svg = br#"<?xml version="1.0"?><!-- c --><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)" viewBox="0 0 10 10"><script>alert(2)</script><foreignObject><div>x</div></foreignObject><image href="https://evil.example/t.png"/><rect width="10" height="10" fill="red"/></svg>"#;
        let out = String::from_utf8(check(svg).unwrap().bytes).unwrap();
        assert!(out.contains("<rect"), "{out}");
        for bad in ["script", "onload", "alert", "foreignObject", "evil.example"] {
            assert!(!out.contains(bad), "{bad} in {out}");
        }
        assert_eq!(
            check(b"<svg xmlns=\"http://www.w3.org/2000/svg\"><g></svg>").unwrap_err().message,
            "is not a well-formed SVG image"
        );
        assert_eq!(check(b"<html><svg></svg></html>").unwrap_err().message, "must be a PNG, JPEG, WebP or SVG image");
    }
}
