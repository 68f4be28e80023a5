//! Organization roles, sponsor roles and the permissions a sponsor role grants.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Role of a user in an organization (the event organizer's side).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum OrgRole {
    Owner,
    Admin,
    Member,
}

impl OrgRole {
    pub fn as_str(self) -> &'static str {
        match self {
            OrgRole::Owner => "OWNER",
            OrgRole::Admin => "ADMIN",
            OrgRole::Member => "MEMBER",
        }
    }

    /// Organizers manage events, tiers, sponsors and invitations.
    pub fn is_organizer(self) -> bool {
        matches!(self, OrgRole::Owner | OrgRole::Admin)
    }
}

impl fmt::Display for OrgRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OrgRole {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "OWNER" => Ok(OrgRole::Owner),
            "ADMIN" => Ok(OrgRole::Admin),
            "MEMBER" => Ok(OrgRole::Member),
            _ => Err(UnknownValue(s.to_string())),
        }
    }
}

/// A string that names none of the known values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown value `{0}`")]
pub struct UnknownValue(pub String);

/// Role of a user on a sponsor's staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SponsorRole {
    Admin,
    Representative,
    BoothStaff,
    Viewer,
}

impl SponsorRole {
    pub const ALL: [SponsorRole; 4] =
        [SponsorRole::Admin, SponsorRole::Representative, SponsorRole::BoothStaff, SponsorRole::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            SponsorRole::Admin => "admin",
            SponsorRole::Representative => "representative",
            SponsorRole::BoothStaff => "booth_staff",
            SponsorRole::Viewer => "viewer",
        }
    }

    /// The permission flags a new member with this role starts with (DESIGN.md §3).
    pub fn default_permissions(self) -> SponsorPermissions {
        let all = |v| SponsorPermissions {
            can_view_leads: true,
            can_export_leads: v,
            can_message_attendees: v,
            can_manage_booth: v,
            can_invite_others: v,
        };
        match self {
            SponsorRole::Admin => all(true),
            SponsorRole::Representative => {
                SponsorPermissions { can_export_leads: true, can_message_attendees: true, ..all(false) }
            }
            SponsorRole::BoothStaff | SponsorRole::Viewer => all(false),
        }
    }
}

impl fmt::Display for SponsorRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SponsorRole {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SponsorRole::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| UnknownValue(s.to_string()))
    }
}

/// What a sponsor member may do. Starts from the role's defaults and can be changed
/// flag by flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SponsorPermissions {
    pub can_view_leads: bool,
    pub can_export_leads: bool,
    pub can_message_attendees: bool,
    pub can_manage_booth: bool,
    pub can_invite_others: bool,
}

impl crate::validate::ClosedSet for SponsorRole {
    const NAMES: &'static [&'static str] = &["admin", "representative", "booth_staff", "viewer"];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_permissions_follow_the_design_table() {
        let a = SponsorRole::Admin.default_permissions();
        assert!(a.can_view_leads && a.can_export_leads && a.can_message_attendees);
        assert!(a.can_manage_booth && a.can_invite_others);
        let r = SponsorRole::Representative.default_permissions();
        assert!(r.can_view_leads && r.can_export_leads && r.can_message_attendees);
        assert!(!r.can_manage_booth && !r.can_invite_others);
        for role in [SponsorRole::BoothStaff, SponsorRole::Viewer] {
            let p = role.default_permissions();
            assert!(p.can_view_leads);
            assert!(!p.can_export_leads && !p.can_message_attendees);
            assert!(!p.can_manage_booth && !p.can_invite_others);
        }
    }

    #[test]
    fn roles_round_trip_through_strings() {
        for r in SponsorRole::ALL {
            assert_eq!(r.as_str().parse::<SponsorRole>().unwrap(), r);
        }
        assert!("owner".parse::<SponsorRole>().is_err());
        assert_eq!("admin".parse::<OrgRole>().unwrap(), OrgRole::Admin);
        assert!(OrgRole::Owner.is_organizer() && !OrgRole::Member.is_organizer());
    }
}
