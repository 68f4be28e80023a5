//! Organization roles, sponsor roles and the permissions a sponsor role grants.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Role of a user in an organization (the event organizer's side).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

    /// Admin above representative above booth staff above viewer: a grant may not
    /// reach above the granter's own role (docs/ARCHITECTURE.md, "Authorization").
    pub fn rank(self) -> u8 {
        match self {
            SponsorRole::Admin => 3,
            SponsorRole::Representative => 2,
            SponsorRole::BoothStaff => 1,
            SponsorRole::Viewer => 0,
        }
    }

    /// May staff in this role record other attendees' interactions?
    pub fn captures_leads(self) -> bool {
        self != SponsorRole::Viewer
    }

    /// The permission flags a new member with this role starts with (docs/ARCHITECTURE.md).
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

impl SponsorPermissions {
    /// Every flag held: what an organizer holds.
    pub const ALL: SponsorPermissions = SponsorPermissions {
        can_view_leads: true,
        can_export_leads: true,
        can_message_attendees: true,
        can_manage_booth: true,
        can_invite_others: true,
    };

    /// Each flag by its name.
    pub fn named(self) -> [(&'static str, bool); 5] {
        [
            ("can_view_leads", self.can_view_leads),
            ("can_export_leads", self.can_export_leads),
            ("can_message_attendees", self.can_message_attendees),
            ("can_manage_booth", self.can_manage_booth),
            ("can_invite_others", self.can_invite_others),
        ]
    }

    /// The flags set here and not in `before`: what a change grants.
    pub fn granted_beyond(self, before: SponsorPermissions) -> Vec<&'static str> {
        self.named()
            .into_iter()
            .zip(before.named())
            .filter(|((_, now), (_, was))| *now && !*was)
            .map(|((n, _), _)| n)
            .collect()
    }

    /// The flags set here that `holder` lacks.
    pub fn not_held_by(self, holder: SponsorPermissions) -> Vec<&'static str> {
        self.named()
            .into_iter()
            .zip(holder.named())
            .filter(|((_, want), (_, has))| *want && !*has)
            .map(|((n, _), _)| n)
            .collect()
    }

    /// No flag at all.
    pub const NONE: SponsorPermissions = SponsorPermissions {
        can_view_leads: false,
        can_export_leads: false,
        can_message_attendees: false,
        can_manage_booth: false,
        can_invite_others: false,
    };
}

impl crate::validate::ClosedSet for SponsorRole {
    const NAMES: &'static [&'static str] = &["admin", "representative", "booth_staff", "viewer"];
}

/// Every closed set is read from its text column: `TryFrom<String>` lets the store
/// decode a column straight into the domain's enum.
#[macro_export]
macro_rules! try_from_string {
    ($($t:ty),+) => {
        $(
            impl TryFrom<String> for $t {
                type Error = $crate::roles::UnknownValue;
                fn try_from(s: String) -> Result<Self, Self::Error> {
                    s.parse()
                }
            }
        )+
    };
}

try_from_string!(OrgRole, SponsorRole);

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
    fn grants_are_measured_against_what_is_held() {
        let booth = SponsorRole::BoothStaff.default_permissions();
        let rep = SponsorRole::Representative.default_permissions();
        assert_eq!(rep.not_held_by(booth), vec!["can_export_leads", "can_message_attendees"]);
        assert!(booth.not_held_by(rep).is_empty());
        assert_eq!(rep.granted_beyond(booth), vec!["can_export_leads", "can_message_attendees"]);
        assert!(booth.granted_beyond(rep).is_empty(), "taking away grants nothing");
        assert!(SponsorPermissions::ALL.not_held_by(SponsorPermissions::ALL).is_empty());
        assert!(SponsorRole::Admin.rank() > SponsorRole::Representative.rank());
        assert!(SponsorRole::BoothStaff.rank() > SponsorRole::Viewer.rank());
        assert!(!SponsorRole::Viewer.captures_leads() && SponsorRole::BoothStaff.captures_leads());
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
