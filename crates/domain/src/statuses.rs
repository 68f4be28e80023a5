//! The status columns' values: each a closed set, mirrored by a CHECK constraint.

use serde::{Deserialize, Serialize};

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

        impl std::str::FromStr for $name {
            type Err = crate::roles::UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s { $($s => Ok($name::$variant),)+ _ => Err(crate::roles::UnknownValue(s.to_string())) }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use string_enum;

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
        FollowUpReminder => "follow_up_reminder",
        WebhookDisabled => "webhook_disabled",
        LeadsErased => "leads_erased",
        RetentionWarning => "retention_warning",
        MessageDigest => "message_digest",
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

string_enum!(
    /// What an event takes as an attendee's consent to a sponsor receiving their
    /// details (docs/DECISIONS.md, "Consent"): presenting the badge to be scanned
    /// (badge_scan), or an opt-in per sponsor without which a scan records nothing
    /// (opt_in).
    ConsentRule {
        BadgeScan => "badge_scan",
        OptIn => "opt_in",
    }
);

string_enum!(
    /// On what ground a lead holds the attendee's details: a badge presented at an
    /// event whose rule is badge_scan, an opt-in to this sponsor, the attendee's
    /// own interaction (signed in), or details the attendee gave to staff, who
    /// typed them (staff_entry).
    ConsentBasis {
        BadgeScan => "badge_scan",
        OptIn => "opt_in",
        Attendee => "attendee",
        StaffEntry => "staff_entry",
    }
);

string_enum!(
    /// Who may see an event's expo hall (its sponsor directory and booth pages;
    /// docs/DECISIONS.md, "Booth pages"): anyone (public, the default), or only
    /// signed-in people of the event (attendees): its attendees, its organizers
    /// and its sponsors' staff.
    HallAccess {
        Public => "public",
        Attendees => "attendees",
    }
);

crate::try_from_string!(
    HallAccess,
    FollowUpStatus,
    InvitationStatus,
    OutboxStatus,
    LeadReason,
    EmailKind,
    CaptureSource,
    ConsentRule,
    ConsentBasis
);

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
