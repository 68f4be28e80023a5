//! An attendee's own badge: the QR code staff scan at the booths.

use super::{SignedIn, WebError, html};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use sponsorhub_services::badges::{self, MyBadge};
use sponsorhub_services::consents;
use uuid::Uuid;

#[derive(Template)]
#[template(path = "my_badge.html")]
struct BadgePage {
    ctx: super::Ctx,
    badge: MyBadge,
}

pub async fn my_badge(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(event_id): Path<Uuid>,
) -> Result<Response, WebError> {
    let badge = badges::my_badge(&s.services, &p, event_id).await?;
    Ok(html(&BadgePage { ctx, badge }))
}

#[derive(Deserialize)]
pub struct ConsentForm {
    /// `share` or `withdraw`.
    action: String,
}

/// The attendee shares their details with a sponsor, or stops (docs/DECISIONS.md, "Consent").
pub async fn consent(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path((event_id, sponsor_id)): Path<(Uuid, Uuid)>,
    super::CsrfForm(form): super::CsrfForm<ConsentForm>,
) -> Result<Response, WebError> {
    let back = format!("/badge/{event_id}");
    Ok(if form.action == "withdraw" {
        match consents::withdraw(&s.services, &p, event_id, sponsor_id).await {
            Ok(()) => ctx.success(&back, "You no longer share your details with this sponsor."),
            Err(e) => ctx.refused(&back, e),
        }
    } else {
        match consents::give(&s.services, &p, event_id, sponsor_id).await {
            Ok(c) => ctx.success(&back, format!("You share your details with {}.", c.sponsor_name)),
            Err(e) => ctx.refused(&back, e),
        }
    })
}
