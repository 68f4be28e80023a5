//! Booth pages (docs/DECISIONS.md, "Booth pages"): what a sponsor shows attendees
//! about its booth — the hall, a Markdown description, opening hours, links and a
//! demo video — written by staff who manage the booth and by organizers, and read
//! by anyone on the event's public sponsor pages. The Markdown is rendered by
//! pulldown-cmark and sanitized by ammonia when it is saved; pages show only the
//! stored, sanitized HTML.

use crate::authz::SponsorAccess;
use crate::{Error, Principal, Result, Services};
use chrono::{DateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use sponsorhub_domain::scoring::InteractionType;
use sponsorhub_domain::time;
use sponsorhub_domain::validate::{self, FieldError, Validator};
use sponsorhub_store::booths::{self as q, Booth, BoothLink, OpeningHours};
use sponsorhub_store::records::JsonColumn;
use uuid::Uuid;

/// The longest description, in characters of Markdown.
pub const MAX_DESCRIPTION: usize = 20_000;
/// At most this many days of opening hours.
pub const MAX_HOURS: usize = 31;
/// At most this many links.
pub const MAX_LINKS: usize = 10;

/// A booth page as written (`PUT` replaces the whole page).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BoothInput {
    /// The hall or area the booth stands in.
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub hall: Option<String>,
    /// Markdown (CommonMark with tables and strikethrough); raw HTML shows as text.
    #[cfg_attr(feature = "openapi", schema(max_length = 20000))]
    pub description: Option<String>,
    /// When the booth is open, per day.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 31))]
    pub opening_hours: Vec<OpeningHours>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 10))]
    pub links: Vec<BoothLink>,
    /// An http(s) link to the demo video.
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub demo_video_url: Option<String>,
}

/// A booth page as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BoothView {
    pub sponsor_id: Uuid,
    pub hall: Option<String>,
    /// The Markdown as written.
    pub description: Option<String>,
    /// The Markdown rendered to sanitized HTML.
    pub description_html: Option<String>,
    pub opening_hours: Vec<OpeningHours>,
    pub links: Vec<BoothLink>,
    pub demo_video_url: Option<String>,
    /// `null` until the page is first written.
    pub updated_at: Option<DateTime<Utc>>,
}

impl BoothView {
    fn of(sponsor: Uuid, b: Option<Booth>) -> BoothView {
        match b {
            Some(b) => BoothView {
                sponsor_id: b.sponsor_id,
                hall: b.hall,
                description: b.description_md,
                description_html: b.description_html,
                opening_hours: b.opening_hours.0,
                links: b.links.0,
                demo_video_url: b.demo_video_url,
                updated_at: Some(b.updated_at),
            },
            None => BoothView {
                sponsor_id: sponsor,
                hall: None,
                description: None,
                description_html: None,
                opening_hours: Vec::new(),
                links: Vec::new(),
                demo_video_url: None,
                updated_at: None,
            },
        }
    }

    /// Whether anything is written on the page.
    pub fn is_empty(&self) -> bool {
        self.updated_at.is_none()
            || (self.hall.is_none()
                && self.description.is_none()
                && self.opening_hours.is_empty()
                && self.links.is_empty()
                && self.demo_video_url.is_none())
    }
}

/// Markdown to HTML that is safe to show: raw HTML in the Markdown becomes text,
/// and ammonia's allowlist keeps only harmless tags, with links to http(s) and
/// mail addresses only, opened without referrer.
pub fn render_markdown(md: &str) -> String {
    use pulldown_cmark::{Event, Options, Parser, html};
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events = Parser::new_ext(md, opts).map(|e| match e {
        Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
        e => e,
    });
    let mut raw = String::new();
    html::push_html(&mut raw, events);
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto"].into())
        .link_rel(Some("noopener noreferrer nofollow ugc"))
        .rm_tags(["img"])
        .clean(&raw)
        .to_string()
}

fn hhmm(field: &str, raw: &str) -> std::result::Result<NaiveTime, FieldError> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M").map_err(|_| FieldError::new(field, "must be a time as HH:MM"))
}

/// Checks a booth page; the errors name each field (`links[2].url`).
pub fn check(sponsor: Uuid, input: &BoothInput) -> std::result::Result<Booth, Vec<FieldError>> {
    let mut v = Validator::new();
    let hall = v.check(validate::optional_text("hall", input.hall.as_deref(), 100));
    let description = v.check(validate::optional_text("description", input.description.as_deref(), MAX_DESCRIPTION));
    let demo = v.check(validate::optional_url("demo_video_url", input.demo_video_url.as_deref()));
    if input.opening_hours.len() > MAX_HOURS {
        v.check::<()>(Err(FieldError::new("opening_hours", format!("at most {MAX_HOURS} days"))));
    }
    let mut hours = Vec::new();
    for (i, h) in input.opening_hours.iter().enumerate().take(MAX_HOURS) {
        let opens = v.check(hhmm(&format!("opening_hours[{i}].opens"), &h.opens));
        let closes = v.check(hhmm(&format!("opening_hours[{i}].closes"), &h.closes));
        if let (Some(o), Some(c)) = (opens, closes) {
            if c <= o {
                v.check::<()>(Err(FieldError::new(&format!("opening_hours[{i}].closes"), "must be after it opens")));
            } else if hours.iter().any(|x: &OpeningHours| x.day == h.day) {
                v.check::<()>(Err(FieldError::new(&format!("opening_hours[{i}].day"), "is listed twice")));
            } else {
                hours.push(OpeningHours {
                    day: h.day,
                    opens: o.format("%H:%M").to_string(),
                    closes: c.format("%H:%M").to_string(),
                });
            }
        }
    }
    hours.sort_by_key(|h| h.day);
    if input.links.len() > MAX_LINKS {
        v.check::<()>(Err(FieldError::new("links", format!("at most {MAX_LINKS} links"))));
    }
    let mut links = Vec::new();
    for (i, l) in input.links.iter().enumerate().take(MAX_LINKS) {
        let label = v.check(validate::text(&format!("links[{i}].label"), &l.label, 1, 80));
        let url = v.check(validate::url(&format!("links[{i}].url"), &l.url));
        if let (Some(label), Some(url)) = (label, url) {
            links.push(BoothLink { label, url });
        }
    }
    v.finish()?;
    let description = description.flatten();
    Ok(Booth {
        sponsor_id: sponsor,
        hall: hall.flatten(),
        description_html: description.as_deref().map(render_markdown),
        description_md: description,
        opening_hours: JsonColumn(hours),
        links: JsonColumn(links),
        demo_video_url: demo.flatten(),
        updated_at: time::now(),
    })
}

/// The sponsor's booth page, for its staff and the organizers.
pub async fn get_booth(svc: &Services, p: &Principal, sponsor: Uuid) -> Result<BoothView> {
    let mut tx = svc.store.read().await?;
    SponsorAccess::load(&mut tx, p, sponsor).await?;
    Ok(BoothView::of(sponsor, q::get(&mut tx, sponsor).await?))
}

/// Writes the sponsor's booth page: staff who manage the booth, and organizers.
#[tracing::instrument(skip_all, fields(sponsor.id = %sponsor))]
pub async fn put_booth(svc: &Services, p: &Principal, sponsor: Uuid, input: BoothInput) -> Result<BoothView> {
    let mut tx = svc.store.write().await?;
    let access = SponsorAccess::load(&mut tx, p, sponsor).await?;
    access.require_edit_profile()?;
    let booth = check(sponsor, &input).map_err(Error::Invalid)?;
    q::put(&mut tx, &booth).await?;
    tx.commit().await?;
    Ok(BoothView::of(sponsor, Some(booth)))
}

/// What the event's public page of one sponsor shows: the event, the sponsor's
/// tier and listing, and its booth page.
pub struct BoothPage {
    pub event: crate::events::PublicEvent,
    pub tier: Option<crate::sponsors::PublicTier>,
    pub sponsor: crate::sponsors::PublicSponsor,
    pub booth: BoothView,
    /// The signed-in caller shared their details with the sponsor already.
    pub shared: bool,
    /// The first names of the staff at the booth now.
    pub at_booth: Vec<String>,
}

/// Whether this person shared their details with the sponsor themselves: the
/// sponsor's lead on them records the attendee's own consent.
pub(crate) async fn has_shared(tx: &mut sponsorhub_store::Tx, sponsor: Uuid, user: Uuid) -> Result<bool> {
    let basis = sponsorhub_store::leads::consent_basis_of(tx, sponsor, user).await?;
    Ok(matches!(basis, Some(Some(b)) if b == sponsorhub_domain::ConsentBasis::Attendee.as_str()))
}

/// The page of an active sponsor of the event, for whoever may see the event's
/// hall (anyone, unless it is for attendees only); with the caller, whether they
/// shared their details with the sponsor before.
pub async fn booth_page(svc: &Services, caller: Option<&Principal>, event: Uuid, sponsor: Uuid) -> Result<BoothPage> {
    let public_event = crate::events::hall_event(svc, caller, event).await?;
    let (tier, listing) = crate::sponsors::public_sponsor(svc, caller, event, sponsor).await?;
    let mut tx = svc.store.read().await?;
    let booth = BoothView::of(sponsor, q::get(&mut tx, sponsor).await?);
    let shared = match caller {
        Some(p) => has_shared(&mut tx, sponsor, p.user_id).await?,
        None => false,
    };
    let at_booth = crate::presence::staff_at_booth(&mut tx, sponsor).await?;
    // Opening the page is a visit only for who shared their details with the
    // sponsor themselves (their consent is on the lead); the first check here
    // spares most openings a write, the capture decides under the lead's lock.
    if let Some(p) = caller.filter(|_| shared) {
        let window = chrono::Duration::minutes(VISIT_EVERY_MINUTES);
        let since = time::now() - window;
        let kind = InteractionType::BoothVisit.as_str();
        if !sponsorhub_store::leads::interacted_since(&mut tx, sponsor, p.user_id, kind, since).await? {
            drop(tx);
            match crate::capture::record_booth_visit(svc, p, event, sponsor, window).await {
                Ok(_) | Err(Error::RateLimited { .. }) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(BoothPage { event: public_event, tier, sponsor: listing, booth, shared, at_booth })
}

/// A signed-in attendee who shares their details with the sponsor is recorded
/// visiting its booth page at most once in this many minutes.
pub const VISIT_EVERY_MINUTES: i64 = 60;

/// What a signed-in attendee may ask for on a booth page: each becomes their own
/// interaction with the sponsor, through the capture service.
pub const ATTENDEE_ACTIONS: [InteractionType; 3] =
    [InteractionType::DemoRequest, InteractionType::DirectRequest, InteractionType::DemoWatched];

/// What came of an attendee's request on a booth page.
pub struct Interest {
    pub receipt: crate::capture::CaptureReceipt,
    /// Where a request to watch the demo goes next.
    pub demo_video_url: Option<String>,
}

/// A signed-in attendee asks for a demo, asks to be contacted, or watches the
/// demo on a sponsor's booth page: with their consent to share their name and
/// e-mail address (`share`, asked the first time and recorded on the lead as the
/// attendee's own), it is their own capture, scored like any other.
#[tracing::instrument(skip_all, fields(sponsor.id = %sponsor))]
pub async fn attendee_interest(
    svc: &Services,
    p: &Principal,
    event: Uuid,
    sponsor: Uuid,
    kind: &str,
    share: bool,
) -> Result<Interest> {
    let kind =
        kind.parse::<InteractionType>().ok().filter(|k| ATTENDEE_ACTIONS.contains(k)).ok_or_else(|| {
            Error::invalid("interaction_type", "must be demo_request, direct_request or demo_watched")
        })?;
    // Only an active sponsor of the event, as the public page shows it.
    let (_, listing) = crate::sponsors::public_sponsor(svc, Some(p), event, sponsor).await?;
    // Asked the first time; once shared, the lead records it.
    let shared_before = {
        let mut tx = svc.store.read().await?;
        has_shared(&mut tx, sponsor, p.user_id).await?
    };
    if !share && !shared_before {
        return Err(Error::invalid(
            "share",
            format!("tick the box to share your name and e-mail address with {}", listing.company_name),
        ));
    }
    let input = crate::capture::CaptureLead {
        interaction_type: kind.as_str().to_string(),
        attendee: None,
        badge_code: None,
        source: None,
        device: None,
        occurred_at: None,
        metadata: Some(serde_json::json!({ "from": "booth_page" })),
        answers: None,
    };
    let outcome = crate::capture::capture_lead(svc, p, event, sponsor, input, None).await?;
    let demo_video_url = if kind == InteractionType::DemoWatched {
        let mut tx = svc.store.read().await?;
        q::get(&mut tx, sponsor).await?.and_then(|b| b.demo_video_url)
    } else {
        None
    };
    Ok(Interest { receipt: outcome.receipt, demo_video_url })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_rendered_and_sanitized() {
        let html = render_markdown(
            "# Hi\n\n**bold** [site](https://x.io) [bad](javascript:alert(1))\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>",
        );
        assert!(html.contains("<strong>bold</strong>"), "{html}");
        assert!(html.contains("href=\"https://x.io\""), "{html}");
        assert!(html.contains("rel=\"noopener noreferrer nofollow ugc\""), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "raw HTML shows as text: {html}");
    }

    #[test]
    fn hours_and_links_are_checked_at_their_fields() {
        let input = BoothInput {
            opening_hours: vec![OpeningHours {
                day: chrono::NaiveDate::from_ymd_opt(2026, 9, 8).unwrap(),
                opens: "17:00".into(),
                closes: "09:00".into(),
            }],
            links: vec![BoothLink { label: "Docs".into(), url: "ftp://x".into() }],
            ..Default::default()
        };
        let errors = check(Uuid::nil(), &input).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["opening_hours[0].closes", "links[0].url"]);
    }
}
