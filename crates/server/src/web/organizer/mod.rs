//! The organizer console: events, the tier setup wizard, and per event the sponsor
//! management page (stats, tier tabs, sponsor cards, add sponsor, featured toggle,
//! archive and restore, invitations).

use super::view::{self, FieldErrors, checked, opt};
use super::{CsrfForm, Ctx, SignedIn, WebError, html, local_path};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use sponsorhub_domain::InvitationStatus;
use sponsorhub_domain::validate::FieldError;
use sponsorhub_services::events::{self, CreateEvent};
use sponsorhub_services::invitations::{self, CreateInvitation};
use sponsorhub_services::sponsors::{self, CreateSponsor, SponsorQuery, SponsorView, UpdateSponsor};
use sponsorhub_services::tiers::{self, CreateTier, UpdateTier};
use sponsorhub_services::{Error, Principal, Services, accounts, members};
use sponsorhub_store::records::{Event, Tier};
use uuid::Uuid;

mod analytics_page;
mod attendees_page;
mod event;
mod event_edit;
mod events_page;
mod service_tokens_page;
mod sponsor;
mod tier_wizard;
pub use analytics_page::*;
pub use attendees_page::*;
pub use event::*;
pub use event_edit::*;
pub use events_page::*;
pub use service_tokens_page::*;
pub use sponsor::*;
pub use tier_wizard::*;
