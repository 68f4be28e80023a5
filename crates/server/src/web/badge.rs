//! An attendee's own badge: the QR code staff scan at the booths.

use super::{SignedIn, WebError, html};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use sponsorhub_services::badges::{self, MyBadge};
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
