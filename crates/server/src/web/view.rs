//! Small presentation helpers shared by the pages: labels, dates, field errors and
//! the lead row, which the dashboard and the live feed render alike.

use chrono::{DateTime, Utc};
use sponsorhub_domain::validate::FieldError;
use sponsorhub_domain::{FollowUpStatus, IntentLevel, SponsorRole};
use sponsorhub_store::records::Lead;
use uuid::Uuid;

/// `booth_staff` → `Booth staff`, `attendee.email` → `Attendee email`.
pub fn label(raw: &str) -> String {
    let text = raw.replace(['_', '.'], " ");
    // initialisms keep their capitals: "qr_scan" is "QR scan"
    let words: Vec<String> = text
        .split(' ')
        .map(|w| match w {
            "qr" | "Qr" => "QR".to_string(),
            "url" => "URL".to_string(),
            other => other.to_string(),
        })
        .collect();
    super::capitalize(&words.join(" "))
}

/// `Nov 25, 2026 14:03 UTC`
pub fn when(t: &DateTime<Utc>) -> String {
    t.format("%b %-d, %Y %H:%M UTC").to_string()
}

/// `Nov 25, 14:03`
pub fn short_when(t: &DateTime<Utc>) -> String {
    t.format("%b %-d, %H:%M").to_string()
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The invalid fields of a form, as the service reported them.
#[derive(Debug, Clone, Default)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    /// The message for `field`, if it is invalid (that field only: `attendee` is
    /// not `attendee.email`, which the form shows at its own input).
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }
}

/// What an invitation form shows: empty, or what was sent with the service's
/// errors at their fields after a refusal.
#[derive(Default)]
pub struct InviteDraft {
    pub email: String,
    pub role: String,
    pub message: String,
    pub errors: FieldErrors,
}

impl InviteDraft {
    /// Whether `role` is the one to check: the sent one, else the default.
    pub fn checks(&self, role: &str, default_role: &str) -> bool {
        if self.role.is_empty() { role == default_role } else { role == self.role }
    }
}

/// An empty form text field as absent.
pub fn opt(s: &Option<String>) -> Option<String> {
    s.as_ref().map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// A checkbox: present (any value) means checked.
pub fn checked(s: &Option<String>) -> bool {
    s.as_deref().is_some_and(|v| v != "false" && v != "0")
}

/// One row of the leads table.
#[derive(Debug, Clone)]
pub struct LeadRow {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub company: String,
    pub title: String,
    pub score: i32,
    pub level: String,
    pub status: String,
    pub status_label: String,
    pub interactions: i32,
    pub last_seen: String,
    /// RFC 3339, for the `<time>` element.
    pub last_seen_iso: String,
    pub starred: bool,
    pub archived: bool,
}

impl LeadRow {
    pub fn of(l: &Lead) -> LeadRow {
        LeadRow {
            id: l.id,
            name: l.user_name.clone().or_else(|| l.user_email.clone()).unwrap_or_else(|| "Attendee".into()),
            email: l.user_email.clone().unwrap_or_default(),
            company: l.user_company.clone().unwrap_or_default(),
            title: l.user_title.clone().unwrap_or_default(),
            score: l.intent_score,
            level: l.intent_level.as_str().to_string(),
            status: l.follow_up_status.as_str().to_string(),
            status_label: label(l.follow_up_status.as_str()),
            interactions: l.interaction_count,
            last_seen: short_when(&l.last_interaction_at),
            last_seen_iso: l.last_interaction_at.to_rfc3339(),
            starred: l.is_starred,
            archived: l.is_archived,
        }
    }

    pub fn level_label(&self) -> String {
        label(&self.level)
    }
}

/// A role: its value, its name and what it may do.
pub type RoleOption = (&'static str, &'static str, &'static str);

/// The roles a sponsor's staff can have, with what each may do.
pub fn roles() -> [RoleOption; 4] {
    SponsorRole::ALL.map(|r| {
        let (name, does) = match r {
            SponsorRole::Admin => ("Admin", "Everything, including the team and booth settings"),
            SponsorRole::Representative => ("Representative", "Views, follows up and exports leads"),
            SponsorRole::BoothStaff => ("Booth Staff", "Captures and views leads at the booth"),
            SponsorRole::Viewer => ("Viewer", "Views leads only"),
        };
        (r.as_str(), name, does)
    })
}

/// The follow-up statuses, in their order.
pub fn statuses() -> Vec<&'static str> {
    FollowUpStatus::ALL.iter().map(|s| s.as_str()).collect()
}

/// The intent levels, hottest first.
pub fn levels() -> Vec<&'static str> {
    IntentLevel::ALL.iter().map(|l| l.as_str()).collect()
}

/// The role an invitation form starts with.
pub fn default_invite_role() -> &'static str {
    SponsorRole::Representative.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_urls() {
        assert_eq!(label("booth_staff"), "Booth staff");
        assert_eq!(label("attendee.email"), "Attendee email");
        assert_eq!(urlencode("/invitations/accept?token=a b&c"), "/invitations/accept%3Ftoken%3Da%20b%26c");
    }
}
