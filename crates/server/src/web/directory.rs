//! The public sponsor directory of an event, grouped by tier: what attendees see.

use super::{Ctx, WebError, html};
use crate::state::AppState;
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

pub async fn directory(State(s): State<AppState>, ctx: Ctx, Path(event_id): Path<Uuid>) -> Result<Response, WebError> {
    let event = events::public_event(&s.services, event_id).await?;
    let groups = sponsors::public_directory(&s.services, event_id).await?;
    Ok(html(&DirectoryPage { ctx, event, groups }))
}
