//! Analytics (docs/DECISIONS.md, "Analytics"): what the transactions that capture
//! and follow leads up add to the hourly rollup, and the reports read from it: a
//! sponsor's (leads and interactions over time, the intent funnel, interactions by
//! type, staff and device, follow-up progress, answer distributions, peak hours)
//! and an event's (per sponsor and per tier).

use crate::authz::{SponsorAccess, event_of_org};
use crate::{Principal, Result, Services};
use chrono::{DateTime, Duration, DurationRound, Timelike, Utc};
use serde::Serialize;
use sponsorhub_domain::{IntentLevel, time};
use sponsorhub_store::analytics::{self as q, Activity};
use sponsorhub_store::records::Lead;
use sponsorhub_store::{Tx, questions, sponsors, tiers};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// The kinds of the rollup that are not interaction types.
pub const NEW_LEAD: &str = "lead";
pub const TURNED_WARM: &str = "warm";
pub const TURNED_HOT: &str = "hot";
pub const FOLLOWED_UP: &str = "followed_up";

/// At most this many hourly points (two weeks), and daily ones (a year).
const MAX_HOURS: i64 = 14 * 24;
const MAX_DAYS: i64 = 366;

fn hour_of(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(Duration::hours(1)).unwrap_or(t)
}

/// What a capture adds, in its transaction: the interaction (by type, staff
/// member and device), a new lead, and the levels the lead reached.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn captured(
    tx: &mut Tx,
    lead: &Lead,
    interaction_type: &'static str,
    staff: Uuid,
    device: Option<&str>,
    created: bool,
    level_before: Option<IntentLevel>,
    at: DateTime<Utc>,
) -> Result<()> {
    let base = Activity {
        sponsor_id: lead.sponsor_id,
        event_id: lead.event_id,
        hour: hour_of(at),
        kind: interaction_type,
        staff_id: staff,
        device: device.unwrap_or("").to_string(),
        n: 1,
        seconds: 0,
    };
    let mut rows = vec![base.clone()];
    if created {
        rows.push(Activity { kind: NEW_LEAD, ..base.clone() });
    }
    rows.extend(reached(lead, if created { Some(IntentLevel::Cold) } else { level_before }, &base, at));
    q::record(tx, &rows).await?;
    Ok(())
}

/// The levels a lead reached since `before` (warm, hot), with the time since its
/// first interaction.
fn reached(lead: &Lead, before: Option<IntentLevel>, base: &Activity, at: DateTime<Utc>) -> Vec<Activity> {
    let Some(before) = before else { return Vec::new() };
    let rank = |l: IntentLevel| match l {
        IntentLevel::Cold => 0,
        IntentLevel::Warm => 1,
        IntentLevel::Hot => 2,
    };
    let seconds = (at - lead.first_interaction_at).num_seconds().max(0);
    let mut out = Vec::new();
    if rank(before) < 1 && rank(lead.intent_level) >= 1 {
        out.push(Activity { kind: TURNED_WARM, seconds, device: String::new(), ..base.clone() });
    }
    if rank(before) < 2 && rank(lead.intent_level) >= 2 {
        out.push(Activity { kind: TURNED_HOT, seconds, device: String::new(), ..base.clone() });
    }
    out
}

/// What answers that moved a lead's level add.
pub(crate) async fn level_moved(
    tx: &mut Tx,
    lead: &Lead,
    before: IntentLevel,
    staff: Uuid,
    at: DateTime<Utc>,
) -> Result<()> {
    let base = Activity {
        sponsor_id: lead.sponsor_id,
        event_id: lead.event_id,
        hour: hour_of(at),
        kind: TURNED_WARM,
        staff_id: staff,
        device: String::new(),
        n: 1,
        seconds: 0,
    };
    q::record(tx, &reached(lead, Some(before), &base, at)).await?;
    Ok(())
}

/// A lead's status left `new` for the first time (its `followed_up_at` was set).
pub(crate) async fn followed_up(tx: &mut Tx, lead: &Lead, staff: Uuid, at: DateTime<Utc>) -> Result<()> {
    let row = Activity {
        sponsor_id: lead.sponsor_id,
        event_id: lead.event_id,
        hour: hour_of(at),
        kind: FOLLOWED_UP,
        staff_id: staff,
        device: String::new(),
        n: 1,
        seconds: 0,
    };
    q::record(tx, &[row]).await?;
    Ok(())
}

// ---------------------------------------------------------------- the reports

/// A count under a name.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject), graphql(name = "AnalyticsCount"))]
pub struct Count {
    pub key: String,
    pub count: i64,
}

/// New leads and interactions in one hour or day.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
pub struct TimePoint {
    /// The hour's or day's start (UTC).
    pub at: DateTime<Utc>,
    pub leads: i64,
    pub interactions: i64,
}

/// How many leads warmed up, and how fast.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
pub struct Funnel {
    pub leads: i64,
    /// Leads that reached warm (or went straight to hot).
    pub turned_warm: i64,
    pub turned_hot: i64,
    /// Average time from a lead's first interaction to warm, and to hot, in seconds.
    pub avg_seconds_to_warm: Option<f64>,
    pub avg_seconds_to_hot: Option<f64>,
}

/// A staff member's captures.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
pub struct StaffActivity {
    pub user_id: Uuid,
    pub name: String,
    pub interactions: i64,
    /// New leads they captured.
    pub leads: i64,
}

/// Where the follow-up stands (archived leads left out).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
pub struct FollowUpProgress {
    pub leads: i64,
    /// Leads per status: new, contacted, qualified, not_interested, converted.
    pub by_status: Vec<Count>,
    /// Leads whose status ever left `new`.
    pub followed_up: i64,
    /// Leads with an owner.
    pub owned: i64,
    /// Open leads due today, and due before today.
    pub due_today: i64,
    pub overdue: i64,
}

/// How a qualification question was answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
pub struct AnswerDistribution {
    pub question_id: Uuid,
    pub prompt: String,
    /// text, single_choice, multiple_choice or rating
    pub kind: String,
    /// Leads that answered.
    pub answered: i64,
    /// Per option (choices), per star (ratings); empty for text questions.
    pub values: Vec<Count>,
}

/// A sponsor's analytics.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
pub struct SponsorAnalytics {
    pub sponsor_id: Uuid,
    pub generated_at: DateTime<Utc>,
    pub leads: i64,
    pub interactions: i64,
    /// Per hour during the event (its start to its end, when anything happened
    /// in it; otherwise the last three days with activity, at least 12 hours), at
    /// most 14 days.
    pub hourly: Vec<TimePoint>,
    /// Per day, from the first day with activity to the last (at least a week).
    pub daily: Vec<TimePoint>,
    pub funnel: Funnel,
    pub by_interaction_type: Vec<Count>,
    pub by_staff: Vec<StaffActivity>,
    /// Interactions per capture device (`(none)` when not named).
    pub by_device: Vec<Count>,
    pub follow_up: FollowUpProgress,
    pub questions: Vec<AnswerDistribution>,
    /// Interactions per hour of the day (UTC), 24 entries "00:00" to "23:00".
    pub peak_hours: Vec<Count>,
}

/// The series between `from` and `to` (inclusive) in steps of `step`.
fn series(
    points: &BTreeMap<DateTime<Utc>, (i64, i64)>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    step: Duration,
    max: i64,
) -> Vec<TimePoint> {
    let mut out = Vec::new();
    let mut at = from;
    while at <= to && (out.len() as i64) < max {
        let next = at + step;
        let (leads, interactions) = points.range(at..next).fold((0, 0), |(l, i), (_, (pl, pi))| (l + pl, i + pi));
        out.push(TimePoint { at, leads, interactions });
        at = next;
    }
    out
}

pub async fn sponsor_analytics(svc: &Services, p: &Principal, sponsor_id: Uuid) -> Result<SponsorAnalytics> {
    let mut tx = svc.store.read().await?;
    let access = SponsorAccess::load(&mut tx, p, sponsor_id).await?;
    access.require_leads_read()?;
    let now = time::now();
    let rows = q::of_sponsor(&mut tx, sponsor_id).await?;
    // Follow-up from the counters and the due-day index, not from every lead.
    let open: Vec<_> =
        sponsorhub_store::leads::counts(&mut tx, sponsor_id).await?.into_iter().filter(|c| !c.is_archived).collect();
    let (due_today, overdue) = sponsorhub_store::leads::due_counts(&mut tx, sponsor_id, now.date_naive()).await?;
    let status = |s: &str| open.iter().filter(|c| c.follow_up_status == s).map(|c| c.n).sum::<i64>();
    let answers = q::answer_counts(&mut tx, sponsor_id).await?;
    let asked = questions::list(&mut tx, sponsor_id, true).await?;
    let event = sponsorhub_store::events::get_any(&mut tx, access.sponsor.event_id).await?;

    let interaction = |k: &str| !matches!(k, NEW_LEAD | TURNED_WARM | TURNED_HOT | FOLLOWED_UP);
    let mut per_hour: BTreeMap<DateTime<Utc>, (i64, i64)> = BTreeMap::new();
    let (mut by_type, mut by_device): (BTreeMap<String, i64>, BTreeMap<String, i64>) = Default::default();
    let mut by_staff: HashMap<Uuid, (i64, i64)> = HashMap::new();
    let mut peak = [0i64; 24];
    let (mut leads, mut interactions, mut followed) = (0, 0, 0);
    let (mut warm, mut warm_secs, mut hot, mut hot_secs) = (0, 0, 0, 0);
    for r in &rows {
        match r.kind.as_str() {
            NEW_LEAD => {
                leads += r.n;
                per_hour.entry(r.hour).or_default().0 += r.n;
                if !r.staff_id.is_nil() {
                    by_staff.entry(r.staff_id).or_default().1 += r.n;
                }
            }
            TURNED_WARM => (warm, warm_secs) = (warm + r.n, warm_secs + r.seconds),
            TURNED_HOT => (hot, hot_secs) = (hot + r.n, hot_secs + r.seconds),
            FOLLOWED_UP => followed += r.n,
            k if interaction(k) => {
                interactions += r.n;
                per_hour.entry(r.hour).or_default().1 += r.n;
                *by_type.entry(k.to_string()).or_default() += r.n;
                let device = if r.device.is_empty() { "(none)".to_string() } else { r.device.clone() };
                *by_device.entry(device).or_default() += r.n;
                if !r.staff_id.is_nil() {
                    by_staff.entry(r.staff_id).or_default().0 += r.n;
                }
                peak[r.hour.hour() as usize] += r.n;
            }
            _ => {}
        }
    }

    // Hourly during the event when something happened in it; otherwise the last
    // three days with activity (at least the last 12 hours of it).
    let first = per_hour.keys().next().copied();
    let last = per_hour.keys().next_back().copied();
    let window = event.as_ref().and_then(|e| e.starts_at.zip(e.ends_at)).filter(|(s, e)| e >= s);
    let hourly = match (window, first, last) {
        (Some((s, e)), Some(_), Some(_)) if per_hour.range(hour_of(s)..=hour_of(e)).next().is_some() => {
            series(&per_hour, hour_of(s), hour_of(e), Duration::hours(1), MAX_HOURS)
        }
        (_, Some(f), Some(l)) => {
            let from = f.max(l - Duration::hours(71)).min(l - Duration::hours(11));
            series(&per_hour, from, l, Duration::hours(1), MAX_HOURS)
        }
        _ => Vec::new(),
    };
    // Daily from the first to the last day with activity, at least a week.
    let day = |t: DateTime<Utc>| t.duration_trunc(Duration::days(1)).unwrap_or(t);
    let daily = match (first, last) {
        (Some(f), Some(l)) => {
            let (f, l) = (day(f), day(l));
            let from = f.max(l - Duration::days(MAX_DAYS - 1)).min(l - Duration::days(6));
            series(&per_hour, from, l, Duration::days(1), MAX_DAYS)
        }
        _ => Vec::new(),
    };

    let names: HashMap<Uuid, String> =
        q::user_names(&mut tx, &by_staff.keys().copied().collect::<Vec<_>>()).await?.into_iter().collect();
    let mut staff: Vec<StaffActivity> = by_staff
        .into_iter()
        .map(|(user_id, (interactions, leads))| StaffActivity {
            name: names.get(&user_id).cloned().unwrap_or_else(|| "(former staff)".into()),
            user_id,
            interactions,
            leads,
        })
        .collect();
    staff.sort_by(|a, b| b.interactions.cmp(&a.interactions).then(a.name.cmp(&b.name)));

    let avg = |secs: i64, n: i64| (n > 0).then(|| (secs as f64 / n as f64 * 10.0).round() / 10.0);
    let counts = |m: BTreeMap<String, i64>| {
        let mut v: Vec<Count> = m.into_iter().map(|(key, count)| Count { key, count }).collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
        v
    };

    // Answers: per option for choices (a multiple choice's value lists several),
    // per star for ratings; text answers are only counted.
    let mut per_question: HashMap<Uuid, (i64, BTreeMap<String, i64>)> = HashMap::new();
    for (question, value, n) in answers {
        let entry = per_question.entry(question).or_default();
        entry.0 += n;
        match serde_json::from_str::<serde_json::Value>(&value).unwrap_or_default() {
            serde_json::Value::Array(items) => {
                for i in items {
                    if let Some(s) = i.as_str() {
                        *entry.1.entry(s.to_string()).or_default() += n;
                    }
                }
            }
            serde_json::Value::Number(x) => *entry.1.entry(format!("{x} ★")).or_default() += n,
            serde_json::Value::String(s) if s.len() <= 100 => *entry.1.entry(s).or_default() += n,
            _ => {}
        }
    }
    let questions = asked
        .into_iter()
        .filter_map(|qn| {
            let found = per_question.remove(&qn.id);
            if qn.is_archived && found.is_none() {
                return None;
            }
            let (answered, values) = found.unwrap_or_default();
            let kind = qn.kind.as_str().to_string();
            let values = if kind == "text" { Vec::new() } else { counts(values) };
            Some(AnswerDistribution { question_id: qn.id, prompt: qn.prompt, kind, answered, values })
        })
        .collect();

    Ok(SponsorAnalytics {
        sponsor_id,
        generated_at: now,
        leads,
        interactions,
        hourly,
        daily,
        funnel: Funnel {
            leads,
            turned_warm: warm,
            turned_hot: hot,
            avg_seconds_to_warm: avg(warm_secs, warm),
            avg_seconds_to_hot: avg(hot_secs, hot),
        },
        by_interaction_type: counts(by_type),
        by_staff: staff,
        by_device: counts(by_device),
        follow_up: FollowUpProgress {
            leads: open.iter().map(|c| c.n).sum(),
            by_status: ["new", "contacted", "qualified", "not_interested", "converted"]
                .into_iter()
                .map(|k| Count { key: k.into(), count: status(k) })
                .collect(),
            followed_up: followed,
            owned: open.iter().filter(|c| c.owned).map(|c| c.n).sum(),
            due_today,
            overdue,
        },
        questions,
        peak_hours: peak.iter().enumerate().map(|(h, n)| Count { key: format!("{h:02}:00"), count: *n }).collect(),
    })
}

/// One sponsor's line, or one tier's, of an event's report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
pub struct ReportLine {
    /// The sponsor's id (sponsor lines) or the tier's (tier lines; `null` for
    /// sponsors without a tier).
    pub id: Option<Uuid>,
    pub name: String,
    /// The sponsor's tier (sponsor lines).
    pub tier_name: Option<String>,
    /// How many sponsors (tier lines: those of the tier; sponsor lines: 1).
    pub sponsors: i64,
    pub leads: i64,
    /// Leads that turned hot.
    pub hot_leads: i64,
    pub interactions: i64,
    /// Staff members who captured or followed up something.
    pub active_staff: i64,
    /// Leads followed up (their status left `new`).
    pub followed_up: i64,
    /// followed_up / leads, 0 to 1 (`null` without leads).
    pub follow_up_rate: Option<f64>,
}

/// An event's report: per sponsor and per tier, and the whole event.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
pub struct EventAnalytics {
    pub event_id: Uuid,
    pub generated_at: DateTime<Utc>,
    pub total: ReportLine,
    /// Most leads first.
    pub sponsors: Vec<ReportLine>,
    /// In the tiers' display order; sponsors without a tier last.
    pub tiers: Vec<ReportLine>,
}

fn line(id: Option<Uuid>, name: String, tier_name: Option<String>) -> ReportLine {
    ReportLine {
        id,
        name,
        tier_name,
        sponsors: 0,
        leads: 0,
        hot_leads: 0,
        interactions: 0,
        active_staff: 0,
        followed_up: 0,
        follow_up_rate: None,
    }
}

fn add(to: &mut ReportLine, from: &ReportLine) {
    to.sponsors += from.sponsors;
    to.leads += from.leads;
    to.hot_leads += from.hot_leads;
    to.interactions += from.interactions;
    to.active_staff += from.active_staff;
    to.followed_up += from.followed_up;
}

fn rate(l: &mut ReportLine) {
    l.follow_up_rate = (l.leads > 0).then(|| ((l.followed_up as f64 / l.leads as f64) * 1000.0).round() / 1000.0);
}

pub async fn event_analytics(
    svc: &Services,
    p: &Principal,
    org: Option<Uuid>,
    event_id: Uuid,
) -> Result<EventAnalytics> {
    let mut tx = svc.store.read().await?;
    let event = event_of_org(&mut tx, p, org, event_id, true).await?;
    let filter = sponsors::SponsorFilter { include_archived: true, ..Default::default() };
    let all = sponsors::list_for_event(&mut tx, event.id, &filter, None, 10_000).await?;
    let tier_list = tiers::list_for_event(&mut tx, event.id).await?;
    let kinds = q::of_event(&mut tx, event.id).await?;
    let staff: HashMap<Uuid, i64> = q::active_staff(&mut tx, event.id).await?.into_iter().collect();

    let tier_names: HashMap<Uuid, String> = tier_list.iter().map(|t| (t.id, t.name.clone())).collect();
    let mut lines: HashMap<Uuid, ReportLine> = all
        .iter()
        .map(|s| {
            let tier = s.tier_id.and_then(|t| tier_names.get(&t).cloned());
            let mut l = line(Some(s.id), s.company_name.clone(), tier);
            l.sponsors = 1;
            l.active_staff = staff.get(&s.id).copied().unwrap_or(0);
            (s.id, l)
        })
        .collect();
    let interaction = |k: &str| !matches!(k, NEW_LEAD | TURNED_WARM | TURNED_HOT | FOLLOWED_UP);
    for k in kinds {
        let Some(l) = lines.get_mut(&k.sponsor_id) else { continue };
        match k.kind.as_str() {
            NEW_LEAD => l.leads += k.n,
            TURNED_HOT => l.hot_leads += k.n,
            FOLLOWED_UP => l.followed_up += k.n,
            TURNED_WARM => {}
            other if interaction(other) => l.interactions += k.n,
            _ => {}
        }
    }
    let mut total = line(None, event.name.clone(), None);
    let mut per_tier: BTreeMap<(usize, Option<Uuid>), ReportLine> = BTreeMap::new();
    for s in &all {
        let l = &lines[&s.id];
        add(&mut total, l);
        let position = s.tier_id.and_then(|t| tier_list.iter().position(|x| x.id == t)).unwrap_or(usize::MAX);
        let tier_id = s.tier_id.filter(|_| position != usize::MAX);
        let entry = per_tier.entry((position, tier_id)).or_insert_with(|| {
            let name = tier_id.and_then(|t| tier_names.get(&t).cloned()).unwrap_or_else(|| "No tier".into());
            line(tier_id, name, None)
        });
        add(entry, l);
    }
    rate(&mut total);
    let mut sponsors: Vec<ReportLine> = lines.into_values().collect();
    for l in &mut sponsors {
        rate(l);
    }
    sponsors.sort_by(|a, b| b.leads.cmp(&a.leads).then(a.name.cmp(&b.name)));
    let tiers = per_tier
        .into_values()
        .map(|mut l| {
            rate(&mut l);
            l
        })
        .collect();
    Ok(EventAnalytics { event_id: event.id, generated_at: time::now(), total, sponsors, tiers })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_fill_empty_buckets() {
        let t0 = "2026-11-28T10:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let mut m = BTreeMap::new();
        m.insert(t0, (1, 2));
        m.insert(t0 + Duration::hours(2), (0, 5));
        let s = series(&m, t0, t0 + Duration::hours(3), Duration::hours(1), 100);
        let v: Vec<(i64, i64)> = s.iter().map(|p| (p.leads, p.interactions)).collect();
        assert_eq!(v, [(1, 2), (0, 0), (0, 5), (0, 0)]);
        let d = series(&m, t0.duration_trunc(Duration::days(1)).unwrap(), t0, Duration::days(1), 100);
        assert_eq!((d.len(), d[0].leads, d[0].interactions), (1, 1, 7));
        assert_eq!(series(&m, t0, t0 + Duration::days(30), Duration::hours(1), 5).len(), 5);
    }
}
