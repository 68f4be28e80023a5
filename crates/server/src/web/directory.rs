//! The public sponsor directory of an event, grouped by tier: what attendees see.

use super::view::{FieldErrors, urlencode};
use super::{CsrfForm, Ctx, SignedIn, WebError, html};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use sponsorhub_services::content::{self, ContentItemView, DownloadOffer};
use sponsorhub_services::events::{self, PublicEvent};
use sponsorhub_services::sponsors::{self, DirectoryGroup, PublicSponsor, PublicTier};
use uuid::Uuid;

#[derive(Template)]
#[template(path = "directory.html")]
struct DirectoryPage {
    ctx: Ctx,
    event: PublicEvent,
    groups: Vec<DirectoryGroup>,
    /// Every tier with sponsors, for the filter: (id, name).
    tiers: Vec<(String, String)>,
    search: String,
    tier: String,
    filtered: bool,
}

impl DirectoryPage {
    /// `Sep 8, 2026 – Sep 10, 2026 · Montréal`, as much as is known.
    fn when_where(&self) -> String {
        let d = |t: &chrono::DateTime<chrono::Utc>| t.format("%b %-d, %Y").to_string();
        let dates = match (&self.event.starts_at, &self.event.ends_at) {
            (Some(s), Some(e)) if s.date_naive() != e.date_naive() => Some(format!("{} – {}", d(s), d(e))),
            (Some(s), _) => Some(d(s)),
            _ => None,
        };
        [dates, self.event.venue.clone()].into_iter().flatten().collect::<Vec<_>>().join(" · ")
    }
}

#[derive(Deserialize, Default)]
pub struct DirectoryQuery {
    search: Option<String>,
    tier: Option<String>,
}

pub async fn directory(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(event_id): Path<Uuid>,
    Query(q): Query<DirectoryQuery>,
) -> Result<Response, WebError> {
    let viewer = ctx.user.as_ref();
    let event = events::hall_event(&s.services, viewer, event_id).await.map_err(|e| sign_in(&ctx, e))?;
    let tiers = sponsors::public_directory(&s.services, viewer, event_id)
        .await?
        .into_iter()
        .filter_map(|g| g.tier.map(|t| (t.id.to_string(), t.name)))
        .collect();
    let search = q.search.unwrap_or_default();
    let tier = q.tier.unwrap_or_default();
    let tier_id = tier.parse::<Uuid>().ok();
    let groups = sponsors::search_directory(&s.services, viewer, event_id, Some(&search), tier_id).await?;
    let filtered = !search.trim().is_empty() || tier_id.is_some();
    Ok(html(&DirectoryPage { ctx, event, groups, tiers, search, tier, filtered }))
}

/// A hall for attendees only asks a stranger to sign in, and comes back here.
fn sign_in(ctx: &Ctx, e: sponsorhub_services::Error) -> WebError {
    match e {
        sponsorhub_services::Error::Unauthenticated(_) => WebError::SignIn(ctx.path.clone()),
        e => e.into(),
    }
}

#[derive(Template)]
#[template(path = "directory_sponsor.html")]
struct SponsorDetailPage {
    ctx: Ctx,
    event: PublicEvent,
    tier: Option<PublicTier>,
    sponsor: PublicSponsor,
    booth: sponsorhub_services::booths::BoothView,
    /// The signed-in caller shared their details with the sponsor already.
    shared: bool,
    /// The first names of the staff at the booth now.
    at_booth: Vec<String>,
    /// The files to download.
    content: Vec<ContentItemView>,
    /// A refused request of the attendee's, at its field.
    errors: FieldErrors,
}

impl SponsorDetailPage {
    /// The sign-in link that comes back here.
    fn sign_in_href(&self) -> String {
        format!("/login?next={}", urlencode(&self.ctx.path))
    }
}

/// One sponsor's page in the directory: its listing and its booth page.
pub async fn directory_sponsor(
    State(s): State<AppState>,
    ctx: Ctx,
    Path((event_id, sponsor_id)): Path<(Uuid, Uuid)>,
) -> Result<Response, WebError> {
    detail(&s, ctx, event_id, sponsor_id, FieldErrors::default()).await
}

async fn detail(
    s: &AppState,
    ctx: Ctx,
    event_id: Uuid,
    sponsor_id: Uuid,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let (page, content) = content::booth_page(&s.services, ctx.user.as_ref(), event_id, sponsor_id)
        .await
        .map_err(|e| sign_in(&ctx, e))?;
    let sponsorhub_services::booths::BoothPage { event, tier, sponsor, booth, shared, at_booth, .. } = page;
    let failed = errors.any();
    let mut res = html(&SponsorDetailPage { ctx, event, tier, sponsor, booth, shared, at_booth, content, errors });
    if failed {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

#[derive(Deserialize)]
pub struct InterestForm {
    #[serde(default)]
    kind: String,
    share: Option<String>,
}

/// A signed-in attendee asks for a demo, to be contacted, or to watch the demo.
pub async fn booth_interest(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path((event_id, sponsor_id)): Path<(Uuid, Uuid)>,
    CsrfForm(form): CsrfForm<InterestForm>,
) -> Result<Response, WebError> {
    let back = format!("/directory/{event_id}/sponsors/{sponsor_id}");
    let share = super::view::checked(&form.share);
    match sponsorhub_services::booths::attendee_interest(&s.services, &p, event_id, sponsor_id, &form.kind, share).await
    {
        Ok(i) => match i.demo_video_url {
            Some(video) => Ok(super::redirect(&video)),
            None => Ok(ctx.success(
                &back,
                format!("{} has your request and your name and e-mail address.", i.receipt.sponsor_name),
            )),
        },
        Err(sponsorhub_services::Error::Invalid(fields)) => {
            let ctx = Ctx { path: back.clone(), ..ctx };
            detail(&s, ctx, event_id, sponsor_id, FieldErrors(fields)).await
        }
        Err(e) => Ok(ctx.refused(&back, e)),
    }
}

#[derive(Template)]
#[template(path = "content_download.html")]
struct DownloadPage {
    ctx: Ctx,
    offer: DownloadOffer,
}

/// A file of a booth page. Anonymous visitors get the file at once, and nothing
/// is recorded; a signed-in visitor gets a small form first (GET records
/// nothing): the download, and the box to share their details with the
/// sponsor unless they do already.
pub async fn content_item(
    State(s): State<AppState>,
    ctx: Ctx,
    Path((event_id, sponsor_id, item_id)): Path<(Uuid, Uuid, Uuid)>,
) -> Result<Response, WebError> {
    match ctx.user.as_ref() {
        None => {
            let d = content::public_download(&s.services, None, event_id, sponsor_id, item_id, false)
                .await
                .map_err(|e| sign_in(&ctx, e))?;
            Ok(crate::attachment::attachment(&d.item.content_type, &d.item.file_name, d.bytes))
        }
        Some(p) => {
            let offer = content::download_offer(&s.services, p, event_id, sponsor_id, item_id)
                .await
                .map_err(|e| sign_in(&ctx, e))?;
            Ok(html(&DownloadPage { ctx, offer }))
        }
    }
}

#[derive(Deserialize)]
pub struct DownloadForm {
    share: Option<String>,
}

/// A signed-in visitor downloads a file: with the box ticked, or having shared
/// their details before, the download is an interaction of their lead.
pub async fn download_content_item(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path((event_id, sponsor_id, item_id)): Path<(Uuid, Uuid, Uuid)>,
    CsrfForm(form): CsrfForm<DownloadForm>,
) -> Result<Response, WebError> {
    let back = format!("/directory/{event_id}/sponsors/{sponsor_id}");
    let share = super::view::checked(&form.share);
    match content::public_download(&s.services, Some(&p), event_id, sponsor_id, item_id, share).await {
        Ok(d) => Ok(crate::attachment::attachment(&d.item.content_type, &d.item.file_name, d.bytes)),
        Err(e) => Ok(ctx.refused(&back, e)),
    }
}
