//! Analytics (issue 14, item 2), on SQLite and PostgreSQL: a seeded, known data
//! set and every figure of the sponsor's analytics and the event's report checked
//! against it, over REST and GraphQL, with who may read them.

mod common;

use common::{another_sponsor, gql, join_staff, world};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sponsorhub_testkit::{TestApp, assert_problem, dual_backend};

dual_backend!(sponsor_and_event_analytics_add_up);

fn count(list: &Value, key: &str) -> i64 {
    list.as_array().unwrap().iter().find(|c| c["key"] == key).map(|c| c["count"].as_i64().unwrap()).unwrap_or(0)
}

fn sum(points: &Value, field: &str) -> i64 {
    points.as_array().unwrap().iter().map(|p| p[field].as_i64().unwrap()).sum()
}

async fn sponsor_and_event_analytics_add_up(app: TestApp) {
    let w = world(&app).await;
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let (booth, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let (admin, _) = join_staff(&app, &w, &w.sponsor_id, "admin@ferris.io", "admin").await;
    let stranger = app.signup("stranger@else.io", "Else").await;
    let (_, budget) = app
        .post(
            &format!("/api/v1/sponsors/sponsors/{}/questions", w.sponsor_id),
            Some(&admin.token),
            json!({"kind": "single_choice", "prompt": "Budget?", "options": [{"label": "Small", "points": 0}, {"label": "Large", "points": 0}]}),
        )
        .await;

    // the data set: ada warms up then turns hot at the rep's phone; bob and cy at the booth
    let mut ids = std::collections::BTreeMap::new();
    for (token, email, kind, device) in [
        (&rep.token, "ada@corp.io", "booth_visit", Some("Phone A")),
        (&rep.token, "ada@corp.io", "demo_request", Some("Phone A")),
        (&rep.token, "ada@corp.io", "direct_request", Some("Phone A")),
        (&booth.token, "bob@corp.io", "booth_visit", None),
        (&booth.token, "cy@corp.io", "qr_scan", Some("Kiosk")),
    ] {
        let mut body = json!({"interaction_type": kind, "attendee": {"email": email}});
        if let Some(d) = device {
            body["device"] = json!(d);
        }
        let (status, lead) = app.post(&w.capture_path(), Some(token), body).await;
        assert!(status.is_success(), "{lead}");
        ids.insert(email, lead["id"].as_str().unwrap().to_string());
    }
    let lead_path = |email: &str| w.leads_path(&format!("/{}", ids[email]));
    let today = chrono::Utc::now().date_naive().to_string();
    app.patch(&lead_path("bob@corp.io"), Some(&rep.token), json!({"follow_up_status": "contacted"})).await;
    app.patch(&lead_path("bob@corp.io"), Some(&rep.token), json!({"follow_up_status": "qualified"})).await;
    app.patch(&lead_path("cy@corp.io"), Some(&rep.token), json!({"owner_user_id": booth.user_id, "due_on": today}))
        .await;
    for (email, choice) in [("ada@corp.io", "Large"), ("bob@corp.io", "Large"), ("cy@corp.io", "Small")] {
        let (status, body) = app
            .put(
                &format!("{}/answers", lead_path(email)),
                Some(&rep.token),
                json!({"answers": [{"question_id": budget["id"], "value": choice}]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    let path = format!("/api/v1/sponsors/sponsors/{}/analytics", w.sponsor_id);
    let (status, a) = app.get(&path, Some(&booth.token)).await;
    assert_eq!(status, StatusCode::OK, "{a}");
    assert_eq!((a["leads"].as_i64(), a["interactions"].as_i64()), (Some(3), Some(5)), "{a}");
    assert_eq!((sum(&a["hourly"], "leads"), sum(&a["hourly"], "interactions")), (3, 5), "{a}");
    assert_eq!((sum(&a["daily"], "leads"), sum(&a["daily"], "interactions")), (3, 5), "{a}");
    let f = &a["funnel"];
    assert_eq!((f["leads"].as_i64(), f["turned_warm"].as_i64(), f["turned_hot"].as_i64()), (Some(3), Some(1), Some(1)));
    assert!(f["avg_seconds_to_hot"].as_f64().unwrap() >= 0.0 && f["avg_seconds_to_warm"].is_number(), "{f}");
    let t = &a["by_interaction_type"];
    assert_eq!(
        [count(t, "booth_visit"), count(t, "demo_request"), count(t, "direct_request"), count(t, "qr_scan")],
        [2, 1, 1, 1]
    );
    assert_eq!(t[0]["key"], "booth_visit", "most first");
    let staff: Vec<(String, i64, i64)> = a["by_staff"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (s["name"].as_str().unwrap().to_string(), s["interactions"].as_i64().unwrap(), s["leads"].as_i64().unwrap())
        })
        .collect();
    assert_eq!(staff, [("rep".to_string(), 3, 1), ("booth".to_string(), 2, 2)]);
    let d = &a["by_device"];
    assert_eq!([count(d, "Phone A"), count(d, "Kiosk"), count(d, "(none)")], [3, 1, 1]);
    let fu = &a["follow_up"];
    assert_eq!(
        (fu["leads"].as_i64(), fu["followed_up"].as_i64(), fu["owned"].as_i64(), fu["due_today"].as_i64()),
        (Some(3), Some(1), Some(1), Some(1)),
        "{fu}"
    );
    assert_eq!([count(&fu["by_status"], "new"), count(&fu["by_status"], "qualified")], [2, 1]);
    let q = &a["questions"][0];
    assert_eq!((q["prompt"].as_str(), q["answered"].as_i64()), (Some("Budget?"), Some(3)));
    assert_eq!([count(&q["values"], "Large"), count(&q["values"], "Small")], [2, 1]);
    assert_eq!(a["peak_hours"].as_array().unwrap().len(), 24);
    assert_eq!(a["peak_hours"].as_array().unwrap().iter().map(|c| c["count"].as_i64().unwrap()).sum::<i64>(), 5);

    // who may read them
    let (viewer, _) = join_staff(&app, &w, &w.sponsor_id, "viewer@ferris.io", "viewer").await;
    let (status, _) = app.get(&path, Some(&viewer.token)).await;
    assert_eq!(status, StatusCode::OK, "viewers view leads");
    let (status, body) = app.get(&path, Some(&stranger.token)).await;
    assert_problem(status, &body, 404);

    // the event's report: per sponsor and per tier
    let crab = another_sponsor(&app, &w, "Crab Corp").await;
    let (crab_rep, _) = join_staff(&app, &w, &crab, "rep@crab.io", "representative").await;
    let (status, _) = app
        .post(
            &format!("/api/v1/sponsors/events/{}/sponsors/{crab}/capture-lead", w.event_id),
            Some(&crab_rep.token),
            json!({"interaction_type": "booth_visit", "attendee": {"email": "ada@corp.io"}}),
        )
        .await;
    assert!(status.is_success());
    let event_path = format!("/api/v1/organizations/{}/events/{}/analytics", w.organizer.org_id, w.event_id);
    let (status, body) = app.get(&event_path, Some(&admin.token)).await;
    assert_problem(status, &body, 404);
    let (status, r) = app.get(&event_path, Some(&w.organizer.token)).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let line = |l: &Value| {
        (
            l["name"].as_str().unwrap().to_string(),
            l["leads"].as_i64().unwrap(),
            l["hot_leads"].as_i64().unwrap(),
            l["interactions"].as_i64().unwrap(),
            l["active_staff"].as_i64().unwrap(),
            l["followed_up"].as_i64().unwrap(),
        )
    };
    let sponsors: Vec<_> = r["sponsors"].as_array().unwrap().iter().map(line).collect();
    assert_eq!(sponsors, [("Ferris Inc".to_string(), 3, 1, 5, 2, 1), ("Crab Corp".to_string(), 1, 0, 1, 1, 0)], "{r}");
    assert_eq!(r["sponsors"][0]["follow_up_rate"], 0.333);
    assert_eq!(r["sponsors"][0]["tier_name"], "Gold");
    assert_eq!(line(&r["total"]), ("RustConf".to_string(), 4, 1, 6, 3, 1));
    let tiers: Vec<_> = r["tiers"].as_array().unwrap().iter().map(line).collect();
    assert_eq!(tiers, [("Gold".to_string(), 3, 1, 5, 2, 1), ("No tier".to_string(), 1, 0, 1, 1, 0)], "{r}");

    // GraphQL
    let out = gql(
        &app,
        &booth.token,
        "query($s: ID!) { sponsorAnalytics(sponsorId: $s) { leads funnel { turnedHot } byStaff { name interactions } } }",
        json!({"s": w.sponsor_id}),
    )
    .await;
    assert_eq!(out["data"]["sponsorAnalytics"]["funnel"]["turnedHot"], 1, "{out}");
    assert_eq!(out["data"]["sponsorAnalytics"]["byStaff"][0]["name"], "rep", "{out}");
    let out = gql(
        &app,
        &w.organizer.token,
        "query($e: ID!) { eventAnalytics(eventId: $e) { total { leads } tiers { name hotLeads } } }",
        json!({"e": w.event_id}),
    )
    .await;
    assert_eq!(out["data"]["eventAnalytics"]["total"]["leads"], 4, "{out}");
    app.stop().await;
}
