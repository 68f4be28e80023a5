//! Badges as pictures: the QR code of a badge code, as SVG (pages) and PNG (mail,
//! printing from other tools). The `qrcode` crate encodes; nothing here knows the
//! QR format.

use crate::attendees::{self, Attendee};
use crate::{Principal, Result, Services};
use serde::Deserialize;
use uuid::Uuid;

/// The QR code of a badge code (error correction M).
fn qr(code: &str) -> qrcode::QrCode {
    qrcode::QrCode::with_error_correction_level(code.as_bytes(), qrcode::EcLevel::M)
        .expect("a badge code fits a QR code")
}

/// The QR code of a badge code, as an inline SVG element (no XML declaration),
/// labelled for screen readers.
pub fn qr_svg(code: &str) -> String {
    let svg = qr(code).render::<qrcode::render::svg::Color>().min_dimensions(240, 240).build();
    let svg = svg.find("<svg").map_or(svg.as_str(), |i| &svg[i..]).to_string();
    svg.replacen("<svg ", "<svg role=\"img\" aria-label=\"Badge QR code\" ", 1)
}

/// The QR code of a badge code as a PNG picture, at least 480 pixels wide.
pub fn qr_png(code: &str) -> Vec<u8> {
    let img = qr(code).render::<image::Luma<u8>>().min_dimensions(480, 480).build();
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).expect("PNG encodes in memory");
    png
}

/// The attendee's current badge code, for organizers; 404 while revoked.
async fn valid_code(svc: &Services, p: &Principal, org: Option<Uuid>, event_id: Uuid, id: Uuid) -> Result<String> {
    let a = attendees::get_attendee(svc, p, org, event_id, id).await?;
    a.badge_code.ok_or(crate::Error::NotFound("badge"))
}

/// The attendee's badge QR code as SVG, for organizers; 404 while revoked.
pub async fn attendee_badge_svg(
    svc: &Services,
    p: &Principal,
    org: Option<Uuid>,
    event_id: Uuid,
    id: Uuid,
) -> Result<String> {
    Ok(qr_svg(&valid_code(svc, p, org, event_id, id).await?))
}

/// The attendee's badge QR code as PNG, for organizers; 404 while revoked.
pub async fn attendee_badge_png(
    svc: &Services,
    p: &Principal,
    org: Option<Uuid>,
    event_id: Uuid,
    id: Uuid,
) -> Result<Vec<u8>> {
    Ok(qr_png(&valid_code(svc, p, org, event_id, id).await?))
}

/// An attendee's own badge, as their badge page shows it.
#[derive(Debug, Clone)]
pub struct MyBadge {
    pub event: crate::events::PublicEvent,
    pub attendee: Attendee,
    /// The QR code as SVG; `None` while the badge is revoked.
    pub qr_svg: Option<String>,
    /// The event's consent rule and text, and the attendee's choice per sponsor.
    pub consents: crate::consents::MyConsents,
}

/// The caller's own badge in the event and its QR code.
pub async fn my_badge(svc: &Services, p: &Principal, event_id: Uuid) -> Result<MyBadge> {
    let attendee = attendees::my_badge(svc, p, event_id).await?;
    let event = crate::events::public_event(svc, event_id).await?;
    let qr_svg = attendee.badge_code.as_deref().map(qr_svg);
    let consents = crate::consents::my_consents(svc, p, event_id).await?;
    Ok(MyBadge { event, attendee, qr_svg, consents })
}

/// How badges are laid out for printing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BadgeLayout {
    /// One badge per A6 page.
    #[default]
    A6,
    /// Eight labels (2 × 4) per A4 page.
    Labels,
}

/// At most this many badges in one PDF; larger events print in batches.
pub const MAX_PDF_BADGES: usize = 2000;

/// Printable badges of the event's attendees (all, or those named), in the order
/// they were added; revoked badges are left out. Organizers only.
pub async fn badges_pdf(
    svc: &Services,
    p: &Principal,
    org: Option<Uuid>,
    event_id: Uuid,
    chosen: Option<Vec<Uuid>>,
    layout: BadgeLayout,
) -> Result<Vec<u8>> {
    let mut tx = svc.store.read().await?;
    let event = crate::authz::event_of_org(&mut tx, p, org, event_id, true).await?;
    let mut rows = Vec::new();
    match chosen {
        Some(ids) => {
            if ids.len() > MAX_PDF_BADGES {
                return Err(crate::Error::invalid("ids", format!("at most {MAX_PDF_BADGES} badges a file")));
            }
            for id in ids {
                rows.push(
                    sponsorhub_store::attendees::get(&mut tx, event_id, id)
                        .await?
                        .ok_or(crate::Error::NotFound("attendee"))?,
                );
            }
        }
        None => {
            let mut after = None;
            loop {
                let page = sponsorhub_store::attendees::list(&mut tx, event_id, None, after, 500).await?;
                after = page.last().map(|a| a.id);
                let done = page.len() < 500;
                rows.extend(page);
                if rows.len() > MAX_PDF_BADGES {
                    return Err(crate::Error::invalid(
                        "ids",
                        format!("the event has more than {MAX_PDF_BADGES} attendees: choose them by id, in batches"),
                    ));
                }
                if done {
                    break;
                }
            }
        }
    }
    drop(tx);
    let badges: Vec<PrintedBadge> = rows
        .into_iter()
        .filter(|a| a.badge_hash.is_some())
        .map(|a| PrintedBadge {
            code: attendees::badge_code(&svc.badge_secret, a.id, a.badge_generation),
            name: a.name,
            company: a.company,
        })
        .collect();
    let event_name = event.name;
    tokio::task::spawn_blocking(move || render_pdf(&event_name, &badges, layout))
        .await
        .map_err(|e| crate::Error::Internal(e.into()))?
}

struct PrintedBadge {
    name: String,
    company: Option<String>,
    code: String,
}

/// DejaVu Sans, embedded (subset into each PDF by krilla).
fn fonts() -> (krilla::text::Font, krilla::text::Font) {
    let regular = krilla::text::Font::new(dejavu::sans::regular().into(), 0).expect("DejaVu Sans parses");
    let bold = krilla::text::Font::new(dejavu::sans::bold().into(), 0).expect("DejaVu Sans Bold parses");
    (regular, bold)
}

/// DejaVu Sans' metrics (regular, bold), parsed once.
static FACES: std::sync::LazyLock<(ttf_parser::Face<'static>, ttf_parser::Face<'static>)> =
    std::sync::LazyLock::new(|| {
        let parse = |data| ttf_parser::Face::parse(data, 0).expect("DejaVu Sans parses");
        (parse(dejavu::sans::regular()), parse(dejavu::sans::bold()))
    });

/// The width of `text` at `size` points in DejaVu Sans (bold or not).
fn text_width(text: &str, size: f32, bold: bool) -> f32 {
    let face = if bold { &FACES.1 } else { &FACES.0 };
    let units: u32 = text
        .chars()
        .map(|c| face.glyph_index(c).and_then(|g| face.glyph_hor_advance(g)).unwrap_or(face.units_per_em() / 2))
        .map(u32::from)
        .sum();
    units as f32 * size / f32::from(face.units_per_em())
}

/// The largest size up to `max` at which `text` fits `width`, and the text,
/// shortened with an ellipsis when even `min` is too large.
fn fit(text: &str, width: f32, max: f32, min: f32, bold: bool) -> (f32, String) {
    let mut size = max;
    while size > min && text_width(text, size, bold) > width {
        size -= 0.5;
    }
    // Too long even at the smallest size: drop characters and end with an ellipsis.
    let mut chars: Vec<char> = text.chars().collect();
    let mut t = text.to_string();
    while text_width(&t, size, bold) > width && chars.len() > 1 {
        chars.pop();
        t = chars.iter().collect::<String>().trim_end().to_string() + "…";
    }
    (size, t)
}

/// Draws one badge with its top-left corner at (x, y) in a box `w` × `h`.
fn draw_badge(
    s: &mut krilla::surface::Surface<'_>,
    fonts: &(krilla::text::Font, krilla::text::Font),
    event: &str,
    b: &PrintedBadge,
    (x, y, w, h): (f32, f32, f32, f32),
) {
    use krilla::geom::{PathBuilder, Point, Rect};
    use krilla::text::TextDirection;
    let margin = w * 0.08;
    let inner = w - 2.0 * margin;
    let (es, et) = fit(event, inner, 11.0, 7.0, false);
    s.draw_text(Point::from_xy(x + margin, y + margin + es), fonts.0.clone(), es, &et, false, TextDirection::Auto);
    let (ns, nt) = fit(&b.name, inner, h * 0.07, 9.0, true);
    let name_y = y + margin + es + 10.0 + ns;
    s.draw_text(Point::from_xy(x + margin, name_y), fonts.1.clone(), ns, &nt, false, TextDirection::Auto);
    let mut below = name_y;
    if let Some(c) = &b.company {
        let (cs, ct) = fit(c, inner, h * 0.045, 7.0, false);
        below += 6.0 + cs;
        s.draw_text(Point::from_xy(x + margin, below), fonts.0.clone(), cs, &ct, false, TextDirection::Auto);
    }
    // The QR code as vector squares, centred in the space left, code beneath.
    let qr = qr(&b.code);
    let n = qr.width();
    let space = (y + h - margin - 14.0) - (below + 10.0);
    let side = space.min(inner).max(40.0);
    let module = side / n as f32;
    let (qx, qy) = (x + (w - side) / 2.0, below + 10.0 + (space - side).max(0.0) / 2.0);
    let mut pb = PathBuilder::new();
    for (i, c) in qr.to_colors().iter().enumerate() {
        if *c == qrcode::Color::Dark
            && let Some(r) = Rect::from_xywh(qx + (i % n) as f32 * module, qy + (i / n) as f32 * module, module, module)
        {
            pb.push_rect(r);
        }
    }
    if let Some(path) = pb.finish() {
        s.draw_path(&path);
    }
    let (cs, ct) = fit(&b.code, inner, 7.0, 5.0, false);
    let cw = text_width(&ct, cs, false);
    s.draw_text(
        Point::from_xy(x + (w - cw) / 2.0, qy + side + 10.0),
        fonts.0.clone(),
        cs,
        &ct,
        false,
        TextDirection::Auto,
    );
}

fn render_pdf(event: &str, badges: &[PrintedBadge], layout: BadgeLayout) -> Result<Vec<u8>> {
    use krilla::page::PageSettings;
    let fonts = fonts();
    let mut doc = krilla::Document::new();
    // A PDF needs a page: an event without badges prints one blank page.
    let per_page = match layout {
        BadgeLayout::A6 => 1,
        BadgeLayout::Labels => 8,
    };
    let chunks: Vec<&[PrintedBadge]> = if badges.is_empty() { vec![&[]] } else { badges.chunks(per_page).collect() };
    for chunk in chunks {
        let (pw, ph) = match layout {
            BadgeLayout::A6 => (297.64, 419.53),
            BadgeLayout::Labels => (595.28, 841.89),
        };
        let mut page = doc.start_page_with(PageSettings::from_wh(pw, ph).expect("page size"));
        let mut s = page.surface();
        for (i, b) in chunk.iter().enumerate() {
            let cell = match layout {
                BadgeLayout::A6 => (0.0, 0.0, pw, ph),
                BadgeLayout::Labels => {
                    let (cw, ch) = ((pw - 40.0) / 2.0, (ph - 40.0) / 4.0);
                    (20.0 + (i % 2) as f32 * cw, 20.0 + (i / 2) as f32 * ch, cw, ch)
                }
            };
            draw_badge(&mut s, &fonts, event, b, cell);
        }
        s.finish();
        page.finish();
    }
    doc.finish().map_err(|e| crate::Error::Internal(anyhow::anyhow!("writing the badge PDF: {e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_shrink_then_shorten_to_fit() {
        let (size, t) = fit("Ada", 200.0, 20.0, 9.0, true);
        assert_eq!((size, t.as_str()), (20.0, "Ada"));
        let long = "Maximiliane Wilhelmina Josephine von Lichtenstein-Hohenzollern";
        let (size, t) = fit(long, 200.0, 20.0, 9.0, true);
        assert!(size >= 9.0 && text_width(&t, size, true) <= 200.0);
        assert!(t.ends_with('…') && t.len() < long.len(), "{t}");
        let (_, t) = fit("W", 1.0, 10.0, 9.0, false);
        assert_eq!(t, "W", "one character is as short as it gets");
    }
}
