//! Pure rules of Sponsorhub: identifiers, roles, permissions, scoring and validated
//! inputs. Nothing in this crate does IO, so every rule here is unit-tested directly.

pub mod ids;
pub mod qualification;
pub mod roles;
pub mod scoring;
pub mod statuses;
pub mod time;
pub mod validate;

pub use ids::new_id;
pub use roles::{OrgRole, SponsorPermissions, SponsorRole};
pub use scoring::{IntentLevel, InteractionType};
pub use statuses::{
    CaptureSource, ConsentBasis, ConsentRule, EmailKind, FollowUpStatus, HallAccess, InvitationStatus, LeadReason,
    OutboxStatus,
};
