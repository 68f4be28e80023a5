//! The sponsor's analytics: server-rendered SVG charts, each with its data as a
//! table (the text alternative), refreshed live while the dashboard feed runs.

use super::*;
use crate::web::charts::{self, Chart};
use sponsorhub_services::analytics::{self, SponsorAnalytics};

/// A chart with what the page says beside it.
pub struct ChartCard {
    pub chart: Chart,
    /// One line under the title (the chart's summary, or more).
    pub note: String,
    /// The table's column head for the values.
    pub value_head: &'static str,
}

#[derive(Template)]
#[template(path = "analytics.html")]
struct AnalyticsPage {
    ctx: Ctx,
    nav: SponsorNav,
    cards: Vec<ChartCard>,
    generated: String,
}

#[derive(Template)]
#[template(path = "_analytics_charts.html")]
struct AnalyticsCharts {
    cards: Vec<ChartCard>,
    generated: String,
}

#[derive(Deserialize, Default)]
pub struct AnalyticsQuery {
    /// `charts`: only the charts (the live refresh).
    part: Option<String>,
}

fn card(chart: Chart, value_head: &'static str) -> ChartCard {
    ChartCard { note: chart.summary(), chart, value_head }
}

fn minutes(secs: Option<f64>) -> String {
    match secs {
        None => "–".into(),
        Some(s) if s < 90.0 => format!("{s:.0} s"),
        Some(s) if s < 5400.0 => format!("{:.0} min", s / 60.0),
        Some(s) => format!("{:.1} h", s / 3600.0),
    }
}

/// The charts of the analytics, in the page's order.
pub fn cards(a: &SponsorAnalytics) -> Vec<ChartCard> {
    let f = |n: i64| n as f64;
    let mut out = Vec::new();
    let multi_day = a.hourly.first().zip(a.hourly.last()).is_some_and(|(x, y)| x.at.date_naive() != y.at.date_naive());
    let labels: Vec<String> = a
        .hourly
        .iter()
        .map(|p| if multi_day { p.at.format("%a %H:00").to_string() } else { p.at.format("%H:00").to_string() })
        .collect();
    out.push(card(
        charts::timeline(
            "hourly",
            "Leads and interactions per hour (UTC)",
            &labels,
            &[
                ("leads".into(), a.hourly.iter().map(|p| f(p.leads)).collect()),
                ("interactions".into(), a.hourly.iter().map(|p| f(p.interactions)).collect()),
            ],
        ),
        "Leads, interactions",
    ));
    let days: Vec<String> = a.daily.iter().map(|p| p.at.format("%a %-d %b").to_string()).collect();
    out.push(card(
        charts::timeline(
            "daily",
            "Leads and interactions per day",
            &days,
            &[
                ("leads".into(), a.daily.iter().map(|p| f(p.leads)).collect()),
                ("interactions".into(), a.daily.iter().map(|p| f(p.interactions)).collect()),
            ],
        ),
        "Leads, interactions",
    ));
    let mut funnel = card(
        charts::bars(
            "funnel",
            "Intent funnel",
            &[
                ("Leads".into(), f(a.funnel.leads)),
                ("Turned warm".into(), f(a.funnel.turned_warm)),
                ("Turned hot".into(), f(a.funnel.turned_hot)),
            ],
            "leads",
        ),
        "Leads",
    );
    funnel.note = format!(
        "{} On average {} from the first interaction to warm, {} to hot.",
        funnel.note,
        minutes(a.funnel.avg_seconds_to_warm),
        minutes(a.funnel.avg_seconds_to_hot)
    );
    out.push(funnel);
    let named = |v: &[analytics::Count], label: fn(&str) -> String| -> Vec<(String, f64)> {
        v.iter().map(|c| (label(&c.key), f(c.count))).collect()
    };
    out.push(card(
        charts::bars("types", "Interactions by type", &named(&a.by_interaction_type, view::label), "interactions"),
        "Interactions",
    ));
    let staff: Vec<(String, f64)> = a.by_staff.iter().map(|s| (s.name.clone(), f(s.interactions))).collect();
    out.push(card(charts::bars("staff", "Captures per staff member", &staff, "interactions"), "Interactions"));
    out.push(card(
        charts::bars("devices", "Captures per device", &named(&a.by_device, |s| s.to_string()), "interactions"),
        "Interactions",
    ));
    let mut follow = card(
        charts::bars("follow-up", "Follow-up progress", &named(&a.follow_up.by_status, view::label), "leads"),
        "Leads",
    );
    follow.note = format!(
        "{} {} followed up so far; {} with an owner; {} due today, {} overdue.",
        follow.note, a.follow_up.followed_up, a.follow_up.owned, a.follow_up.due_today, a.follow_up.overdue
    );
    out.push(follow);
    let hours: Vec<String> = a.peak_hours.iter().map(|c| c.key.clone()).collect();
    out.push(card(
        charts::timeline(
            "peak",
            "Peak booth hours (UTC)",
            &hours,
            &[("interactions".into(), a.peak_hours.iter().map(|c| f(c.count)).collect())],
        ),
        "Interactions",
    ));
    for (i, q) in a.questions.iter().enumerate() {
        if q.kind == "text" {
            continue;
        }
        let mut c = card(
            charts::bars(&format!("question-{i}"), &q.prompt, &named(&q.values, |s| s.to_string()), "answers"),
            "Answers",
        );
        c.note = format!("{} answered. {}", q.answered, c.note);
        out.push(c);
    }
    out
}

pub async fn analytics_page(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(sponsor_id): Path<Uuid>,
    Query(q): Query<AnalyticsQuery>,
) -> Result<Response, WebError> {
    let a = analytics::sponsor_analytics(&s.services, &p, sponsor_id).await?;
    let generated = a.generated_at.format("%H:%M:%S UTC").to_string();
    if q.part.as_deref() == Some("charts") {
        return Ok(html(&AnalyticsCharts { cards: cards(&a), generated }));
    }
    let nav = sponsor_nav(&s, &p, sponsor_id, "analytics").await?;
    Ok(html(&AnalyticsPage { ctx, nav, cards: cards(&a), generated }))
}
