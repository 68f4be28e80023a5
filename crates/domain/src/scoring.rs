//! Lead intent scoring (docs/DECISIONS.md, "Scoring"): points per interaction, a repeat bonus, a cap
//! at 100 and three intent levels.

use crate::roles::UnknownValue;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

pub const MAX_SCORE: i32 = 100;
/// Bonus for every interaction after the first one of the same attendee.
pub const REPEAT_VISIT_BONUS: i32 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InteractionType {
    BoothVisit,
    ContentDownload,
    ContentView,
    DemoWatched,
    DemoRequest,
    DirectRequest,
    QrScan,
    SessionAttendance,
}

impl InteractionType {
    pub const ALL: [InteractionType; 8] = [
        InteractionType::BoothVisit,
        InteractionType::ContentDownload,
        InteractionType::ContentView,
        InteractionType::DemoWatched,
        InteractionType::DemoRequest,
        InteractionType::DirectRequest,
        InteractionType::QrScan,
        InteractionType::SessionAttendance,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InteractionType::BoothVisit => "booth_visit",
            InteractionType::ContentDownload => "content_download",
            InteractionType::ContentView => "content_view",
            InteractionType::DemoWatched => "demo_watched",
            InteractionType::DemoRequest => "demo_request",
            InteractionType::DirectRequest => "direct_request",
            InteractionType::QrScan => "qr_scan",
            InteractionType::SessionAttendance => "session_attendance",
        }
    }

    pub fn points(self) -> i32 {
        match self {
            InteractionType::BoothVisit => 10,
            InteractionType::ContentDownload => 15,
            InteractionType::ContentView => 5,
            InteractionType::DemoWatched => 20,
            InteractionType::DemoRequest => 30,
            InteractionType::DirectRequest => 35,
            InteractionType::QrScan => 10,
            InteractionType::SessionAttendance => 15,
        }
    }
}

impl FromStr for InteractionType {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        InteractionType::ALL.into_iter().find(|t| t.as_str() == s).ok_or_else(|| UnknownValue(s.to_string()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IntentLevel {
    Cold,
    Warm,
    Hot,
}

impl IntentLevel {
    /// Hottest first, as dashboards list them.
    pub const ALL: [IntentLevel; 3] = [IntentLevel::Hot, IntentLevel::Warm, IntentLevel::Cold];

    pub fn from_score(score: i32) -> IntentLevel {
        match score {
            s if s >= 70 => IntentLevel::Hot,
            s if s >= 40 => IntentLevel::Warm,
            _ => IntentLevel::Cold,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            IntentLevel::Cold => "cold",
            IntentLevel::Warm => "warm",
            IntentLevel::Hot => "hot",
        }
    }
}

impl FromStr for IntentLevel {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [IntentLevel::Cold, IntentLevel::Warm, IntentLevel::Hot]
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| UnknownValue(s.to_string()))
    }
}

/// Points an interaction adds to a lead: its own points, plus the repeat bonus when
/// the attendee has interacted with this sponsor before.
pub fn points_for(kind: InteractionType, is_repeat: bool) -> i32 {
    kind.points() + if is_repeat { REPEAT_VISIT_BONUS } else { 0 }
}

/// The score after adding `points` to `current`, capped at [`MAX_SCORE`].
pub fn add_points(current: i32, points: i32) -> i32 {
    (current.max(0) + points.max(0)).min(MAX_SCORE)
}

impl crate::validate::ClosedSet for InteractionType {
    const NAMES: &'static [&'static str] = &[
        "booth_visit",
        "content_download",
        "content_view",
        "demo_watched",
        "demo_request",
        "direct_request",
        "qr_scan",
        "session_attendance",
    ];
}

impl crate::validate::ClosedSet for IntentLevel {
    const NAMES: &'static [&'static str] = &["hot", "warm", "cold"];
}

crate::try_from_string!(IntentLevel, InteractionType);

impl std::fmt::Display for IntentLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for InteractionType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_match_the_reference_table() {
        let expected = [10, 15, 5, 20, 30, 35, 10, 15];
        for (t, p) in InteractionType::ALL.into_iter().zip(expected) {
            assert_eq!(t.points(), p, "{t:?}");
            assert_eq!(t.as_str().parse::<InteractionType>().unwrap(), t);
        }
        assert!("repeat_visit".parse::<InteractionType>().is_err());
        use crate::validate::ClosedSet;
        let names: Vec<&str> = InteractionType::ALL.iter().map(|t| t.as_str()).collect();
        assert_eq!(names, InteractionType::NAMES);
    }

    #[test]
    fn repeat_bonus_and_cap() {
        assert_eq!(points_for(InteractionType::BoothVisit, false), 10);
        assert_eq!(points_for(InteractionType::BoothVisit, true), 15);
        assert_eq!(add_points(90, 35), 100);
        assert_eq!(add_points(0, 30), 30);
    }

    #[test]
    fn levels_have_the_documented_boundaries() {
        assert_eq!(IntentLevel::from_score(0), IntentLevel::Cold);
        assert_eq!(IntentLevel::from_score(39), IntentLevel::Cold);
        assert_eq!(IntentLevel::from_score(40), IntentLevel::Warm);
        assert_eq!(IntentLevel::from_score(69), IntentLevel::Warm);
        assert_eq!(IntentLevel::from_score(70), IntentLevel::Hot);
        assert_eq!(IntentLevel::from_score(100), IntentLevel::Hot);
    }
}
