//! An event's report for its organizers: per sponsor and per tier, leads, hot
//! leads, interactions, active staff and follow-up rate, with a chart of leads per
//! sponsor (its data as a table).

use super::*;
use crate::web::charts::{self, Chart};
use sponsorhub_services::analytics::{self, ReportLine};

pub struct ReportRow {
    pub name: String,
    pub tier: String,
    pub sponsors: i64,
    pub leads: i64,
    pub hot_leads: i64,
    pub interactions: i64,
    pub active_staff: i64,
    pub follow_up_rate: String,
}

impl ReportRow {
    fn of(l: &ReportLine) -> ReportRow {
        ReportRow {
            name: l.name.clone(),
            tier: l.tier_name.clone().unwrap_or_default(),
            sponsors: l.sponsors,
            leads: l.leads,
            hot_leads: l.hot_leads,
            interactions: l.interactions,
            active_staff: l.active_staff,
            follow_up_rate: l.follow_up_rate.map(|r| format!("{:.0} %", r * 100.0)).unwrap_or_else(|| "–".into()),
        }
    }
}

#[derive(Template)]
#[template(path = "event_analytics.html")]
struct EventAnalyticsPage {
    ctx: Ctx,
    event: EventItem,
    total: ReportRow,
    sponsors: Vec<ReportRow>,
    tiers: Vec<ReportRow>,
    chart: Chart,
}

pub async fn event_analytics_page(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(event_id): Path<Uuid>,
) -> Result<Response, WebError> {
    let svc = &s.services;
    let report = analytics::event_analytics(svc, &p, None, event_id).await?;
    let event = events::get_event(svc, &p, None, event_id).await?;
    let bars: Vec<(String, f64)> = report.sponsors.iter().take(30).map(|l| (l.name.clone(), l.leads as f64)).collect();
    Ok(html(&EventAnalyticsPage {
        ctx,
        event: EventItem::of(&event),
        total: ReportRow::of(&report.total),
        sponsors: report.sponsors.iter().map(ReportRow::of).collect(),
        tiers: report.tiers.iter().map(ReportRow::of).collect(),
        chart: charts::bars("sponsor-leads", "Leads per sponsor", &bars, "leads"),
    }))
}
