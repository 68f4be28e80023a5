//! The public sponsor directory of an event, grouped by tier: what attendees see.

use super::{Ctx, WebError, html};
use crate::app::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use sponsorhub_services::events::{self, PublicEvent};
use sponsorhub_services::sponsors::{self, DirectoryGroup};
use uuid::Uuid;

#[derive(Template)]
#[template(path = "directory.html")]
struct DirectoryPage {
    ctx: Ctx,
    event: PublicEvent,
    groups: Vec<DirectoryGroup>,
}

pub async fn directory(State(s): State<AppState>, ctx: Ctx, Path(event_id): Path<Uuid>) -> Result<Response, WebError> {
    let event = events::public_event(&s.services, event_id).await?;
    let groups = sponsors::public_directory(&s.services, event_id).await?;
    Ok(html(&DirectoryPage { ctx, event, groups }))
}
