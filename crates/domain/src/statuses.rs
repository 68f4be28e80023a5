//! The status columns' values: each a closed set, mirrored by a CHECK constraint.

use crate::roles::UnknownValue;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }
        }

        impl crate::validate::ClosedSet for $name {
            const NAMES: &'static [&'static str] = &[$($s),+];
        }

        impl FromStr for $name {
            type Err = UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s { $($s => Ok($name::$variant),)+ _ => Err(UnknownValue(s.to_string())) }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum!(
    /// Where the sponsor's staff stand with a lead.
    FollowUpStatus {
        New => "new",
        Contacted => "contacted",
        Qualified => "qualified",
        NotInterested => "not_interested",
        Converted => "converted",
    }
);

string_enum!(
    /// Life of an invitation: pending until accepted, revoked or expired.
    InvitationStatus {
        Pending => "pending",
        Accepted => "accepted",
        Revoked => "revoked",
        Expired => "expired",
    }
);

string_enum!(
    /// Life of a queued e-mail: pending until a worker claims it (sending, under a
    /// lease), then sent, or failed after its last attempt.
    OutboxStatus {
        Pending => "pending",
        Sending => "sending",
        Sent => "sent",
        Failed => "failed",
    }
);

string_enum!(
    /// Why a lead is in a sponsor's digest: new, or turned hot.
    LeadReason {
        New => "new",
        TurnedHot => "hot",
    }
);

string_enum!(
    /// What a queued e-mail is.
    EmailKind {
        Invitation => "invitation",
        LeadDigest => "lead_digest",
    }
);

string_enum!(
    /// How an interaction was captured.
    CaptureSource {
        BadgeScan => "badge_scan",
        Manual => "manual",
        BusinessCard => "business_card",
        Content => "content",
        Meeting => "meeting",
        Api => "api",
    }
);

crate::try_from_string!(FollowUpStatus, InvitationStatus, OutboxStatus, LeadReason, EmailKind, CaptureSource);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for s in FollowUpStatus::ALL {
            assert_eq!(s.as_str().parse::<FollowUpStatus>().unwrap(), *s);
        }
        for s in InvitationStatus::ALL {
            assert_eq!(s.as_str().parse::<InvitationStatus>().unwrap(), *s);
        }
        assert!("done".parse::<FollowUpStatus>().is_err());
    }
}
