//! The the leads dashboard.

use super::*;

#[derive(Deserialize, Default, Clone)]
pub struct LeadsFilter {
    intent_level: Option<String>,
    status: Option<String>,
    starred: Option<String>,
    archived: Option<String>,
    search: Option<String>,
    sort: Option<String>,
    cursor: Option<String>,
}

pub struct StatCard {
    pub label: &'static str,
    pub value: String,
    pub key: &'static str,
}

#[derive(Template)]
#[template(path = "leads.html")]
struct LeadsPage {
    ctx: Ctx,
    csrf: String,
    nav: SponsorNav,
    sponsor_id: Uuid,
    stats: Vec<StatCard>,
    rows: Vec<LeadRow>,
    intent_level: String,
    status: String,
    starred: bool,
    archived: bool,
    search: String,
    sort: String,
    statuses: Vec<&'static str>,
    next_href: Option<String>,
    prev_href: Option<String>,
    /// Matching leads, and the positions of the page's first and last rows.
    total: i64,
    /// "1,000+": a search counts up to there.
    total_capped: bool,
    first: i64,
    last: i64,
    /// The export of what the filters show (staff who may export, organizers),
    /// ending in `&`: the format follows.
    export_href: Option<String>,
    filtered: bool,
    follow_up: bool,
}

/// One row of the table, as the dashboard and the live feed render it.
#[derive(Template)]
#[template(path = "lead_row.html")]
struct LeadRowPartial<'a> {
    row: &'a LeadRow,
    csrf: &'a str,
    sponsor_id: Uuid,
    /// The star button (following leads up); a plain star otherwise.
    follow_up: bool,
}

fn stat_cards(st: &leads::LeadStats) -> Vec<StatCard> {
    let level = |k: &str| st.by_intent_level.get(k).copied().unwrap_or(0).to_string();
    vec![
        // the table's default leaves archived leads out, and so does its total
        StatCard { label: "Leads", value: (st.total - st.archived).to_string(), key: "total" },
        StatCard { label: "Hot", value: level(IntentLevel::Hot.as_str()), key: IntentLevel::Hot.as_str() },
        StatCard { label: "Warm", value: level(IntentLevel::Warm.as_str()), key: IntentLevel::Warm.as_str() },
        StatCard { label: "Cold", value: level(IntentLevel::Cold.as_str()), key: IntentLevel::Cold.as_str() },
        StatCard { label: "Average score", value: format!("{:.1}", st.average_score), key: "average" },
        StatCard { label: "Captured today", value: st.captured_today.to_string(), key: "today" },
        StatCard { label: "Starred", value: st.starred.to_string(), key: "starred" },
    ]
}

pub async fn leads(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(sponsor_id): Path<Uuid>,
    Query(f): Query<LeadsFilter>,
) -> Result<Response, WebError> {
    let svc = &s.services;
    let nav = sponsor_nav(&s, &p, sponsor_id, "leads").await?;
    let query = LeadQuery {
        intent_level: opt(&f.intent_level),
        follow_up_status: opt(&f.status),
        is_starred: checked(&f.starred).then_some(true),
        include_archived: Some(checked(&f.archived)),
        search: opt(&f.search),
        sort: opt(&f.sort),
        limit: Some(50),
        cursor: opt(&f.cursor),
        ..Default::default()
    };
    let page = leads::list_leads(svc, &p, sponsor_id, query).await?;
    let stats = leads::lead_stats(svc, &p, sponsor_id).await?;
    let filters = [
        ("intent_level", opt(&f.intent_level)),
        ("status", opt(&f.status)),
        ("starred", checked(&f.starred).then(|| "1".to_string())),
        ("archived", checked(&f.archived).then(|| "1".to_string())),
        ("search", opt(&f.search)),
        ("sort", opt(&f.sort)),
    ];
    let query_string: String =
        filters.iter().filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={}&", urlencode(v)))).collect();
    let href = |c: &String| format!("/portal/sponsors/{sponsor_id}/leads?{query_string}cursor={}", urlencode(c));
    let next_href = page.next_cursor.as_ref().map(href);
    let prev_href = page.prev_cursor.as_ref().map(href);
    // The export takes what the filters show, in the API's names.
    let export_query: String = [
        ("intent_level", opt(&f.intent_level)),
        ("follow_up_status", opt(&f.status)),
        ("is_starred", checked(&f.starred).then(|| "true".to_string())),
        ("include_archived", checked(&f.archived).then(|| "true".to_string())),
        ("search", opt(&f.search)),
        ("sort", opt(&f.sort)),
    ]
    .iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={}&", urlencode(v))))
    .collect();
    let export_href =
        nav.caps.export_leads.then(|| format!("/api/v1/sponsors/sponsors/{sponsor_id}/leads/export?{export_query}"));
    Ok(html(&LeadsPage {
        export_href,
        csrf: ctx.csrf.clone(),
        ctx,
        sponsor_id,
        stats: stat_cards(&stats),
        rows: page.items.iter().map(LeadRow::of).collect(),
        intent_level: opt(&f.intent_level).unwrap_or_default(),
        status: opt(&f.status).unwrap_or_default(),
        starred: checked(&f.starred),
        archived: checked(&f.archived),
        search: opt(&f.search).unwrap_or_default(),
        sort: opt(&f.sort).unwrap_or_default(),
        statuses: view::statuses(),
        next_href,
        prev_href,
        total: page.total,
        total_capped: page.total_capped,
        first: page.first,
        last: page.first + page.items.len() as i64 - 1,
        filtered: filters.iter().any(|(k, v)| *k != "sort" && v.is_some()),
        follow_up: nav.caps.follow_up_leads,
        nav,
    }))
}

/// The live feed of the dashboard: server-sent events from the notifier, for callers
/// who may read the sponsor's leads. New and changed leads come as rendered table
/// rows; score changes as their numbers. The stream holds a live grant
/// (`services::live`) and ends with it, or when the server shuts down; the browser
/// then reconnects (and is sent to log in, or refused).
pub async fn feed(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(sponsor_id): Path<Uuid>,
) -> Result<Sse<impl tokio_stream::Stream<Item = Result<Event, Infallible>>>, WebError> {
    // Subscribe first: nothing committed after the check is missed.
    let rx = s.services.notifier.subscribe();
    let mut grant = live::open_lead_feed(&s.services, &p, sponsor_id).await?;
    let csrf = ctx.csrf;
    let follow_up = grant.capabilities.follow_up_leads;
    let stream = BroadcastStream::new(rx).filter_map(move |n| {
        let event = match n {
            Ok(n) if n.sponsor_id() != sponsor_id => None,
            Ok(Notification::LeadCaptured { lead }) => {
                row_event("lead.captured.new", &lead, &csrf, sponsor_id, follow_up)
            }
            Ok(Notification::LeadUpdated { lead }) => row_event("lead.updated", &lead, &csrf, sponsor_id, follow_up),
            Ok(Notification::LeadIntentUpdated(c)) => {
                let data = serde_json::json!({
                    "leadId": c.lead_id,
                    "intentScore": c.intent_score,
                    "intentLevel": c.intent_level,
                    "intentLabel": view::label(c.intent_level.as_str()),
                    "previousIntentLevel": c.previous_intent_level,
                    "interactionCount": c.interaction_count,
                    "lastSeen": view::short_when(&c.updated_at),
                });
                Some(Event::default().event("lead.intent.updated").data(data.to_string()))
            }
            Ok(Notification::LeadErased { lead_id, .. }) => {
                Some(Event::default().event("lead.erased").data(serde_json::json!({ "id": lead_id }).to_string()))
            }
            Ok(_) => None,
            // Missed notifications: the page reloads its data.
            Err(_) => Some(Event::default().event("resync").data("{}")),
        };
        event.map(Ok)
    });
    let mut stopping = s.shutdown.subscribe();
    let stream = futures_util::StreamExt::take_until(stream, async move {
        tokio::select! {
            _ = stopping.wait_for(|stop| *stop) => {}
            _ = grant.ended() => {}
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

fn row_event(name: &'static str, lead: &Lead, csrf: &str, sponsor_id: Uuid, follow_up: bool) -> Option<Event> {
    let row = LeadRow::of(lead);
    let html = match (LeadRowPartial { row: &row, csrf, sponsor_id, follow_up }).render() {
        Ok(h) => h,
        Err(e) => {
            tracing::error!(error = %e, "lead row failed to render");
            return None;
        }
    };
    let data = serde_json::json!({
        "id": lead.id,
        "name": row.name,
        "html": html,
        "intentLevel": lead.intent_level,
        "status": lead.follow_up_status,
        "starred": lead.is_starred,
        "archived": lead.is_archived,
        "text": format!("{} {} {}", row.name, row.email, row.company).to_lowercase(),
    });
    Some(Event::default().event(name).data(data.to_string()))
}

/// The dashboard's bulk form: the leads ticked (`lead`, repeated), an `action`
/// and a `tag` to add.
pub async fn bulk_leads(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(sponsor_id): Path<Uuid>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let back = format!("/portal/sponsors/{sponsor_id}/leads");
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_string()).filter(|v| !v.is_empty());
    let lead_ids: Vec<Uuid> =
        pairs.iter().filter(|(n, _)| n == "lead").filter_map(|(_, v)| Uuid::parse_str(v).ok()).collect();
    if lead_ids.is_empty() {
        return Ok(ctx.refused(&back, Error::invalid("lead_ids", "select at least one lead")));
    }
    let action = get("action").unwrap_or_default();
    if action == "export" {
        // The download itself: the export endpoint, with the selection.
        let ids: Vec<String> = lead_ids.iter().map(Uuid::to_string).collect();
        let to = format!(
            "/api/v1/sponsors/sponsors/{sponsor_id}/leads/export?format=csv&bom=true&include_archived=true&ids={}",
            ids.join(",")
        );
        return Ok(axum::response::IntoResponse::into_response(axum::response::Redirect::to(&to)));
    }
    let mut input = leads::BulkLeadUpdate { lead_ids, add_tag: get("tag"), ..Default::default() };
    match action.as_str() {
        "star" => input.is_starred = Some(true),
        "unstar" => input.is_starred = Some(false),
        "archive" => input.is_archived = Some(true),
        "restore" => input.is_archived = Some(false),
        a => input.follow_up_status = a.strip_prefix("status:").map(str::to_string),
    }
    Ok(match leads::bulk_update(&s.services, &p, sponsor_id, input).await {
        Ok(r) => {
            ctx.success(&back, format!("Updated {} {}.", r.updated, if r.updated == 1 { "lead" } else { "leads" }))
        }
        Err(e) => ctx.refused(&back, e),
    })
}
