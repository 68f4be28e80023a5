//! The sponsor portal: my sponsors, the leads dashboard with its live feed, lead
//! detail and follow-up, the team page and the booth capture form.

use super::organizer::{InvitationItem, InviteForm, invitation_items, send_invitation};
use super::view::{self, FieldErrors, LeadRow, checked, opt, urlencode};
use super::{CsrfForm, Ctx, SignedIn, WebError, html, local_path};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::response::sse::{Event, KeepAlive, Sse};
use serde::Deserialize;
use sponsorhub_domain::scoring::InteractionType;
use sponsorhub_domain::{IntentLevel, InvitationStatus, SponsorRole};
use sponsorhub_services::authz::SponsorCapabilities;
use sponsorhub_services::capture::{self, Attendee, CaptureLead};
use sponsorhub_services::leads::{self, LeadQuery, UpdateLead};
use sponsorhub_services::members::{self, UpdateMember};
use sponsorhub_services::notify::Notification;
use sponsorhub_services::{Error, Principal, events, invitations, live, sponsors};
use sponsorhub_store::records::Lead;
use std::convert::Infallible;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;
use uuid::Uuid;

/// The sponsor a portal page is about, and what the caller may do there: every page
/// shows only the controls the capabilities allow (the services refuse the rest).
pub struct SponsorNav {
    pub id: Uuid,
    pub name: String,
    pub event_name: String,
    pub event_id: Uuid,
    /// The caller's role on the staff, or "Organizer".
    pub role: String,
    pub caps: SponsorCapabilities,
    /// `leads`, `team`, `capture` or `questions`
    pub current: &'static str,
}

impl SponsorNav {
    pub fn show_team(&self) -> bool {
        self.caps.manage_team || self.caps.invite_staff
    }
}

async fn sponsor_nav(
    s: &AppState,
    p: &Principal,
    sponsor_id: Uuid,
    current: &'static str,
) -> Result<SponsorNav, Error> {
    let svc = &s.services;
    let (sponsor, caps) = sponsors::sponsor_capabilities(svc, p, sponsor_id).await?;
    let event = events::public_event(svc, sponsor.event_id).await?;
    let role = match caps.staff_role {
        Some(r) => view::label(r.as_str()),
        None => "Organizer".to_string(),
    };
    Ok(SponsorNav {
        id: sponsor.id,
        name: sponsor.company_name,
        event_name: event.name,
        event_id: event.id,
        role,
        caps,
        current,
    })
}

mod analytics_page;
mod answers;
mod booth;
mod booth_page;
mod dashboard;
mod home;
mod lead;
mod messages_page;
mod questions_page;
mod team;
pub use analytics_page::*;
pub use booth::*;
pub use booth_page::*;
pub use dashboard::*;
pub use home::*;
pub use lead::*;
pub use messages_page::*;
pub use questions_page::*;
pub use team::*;
