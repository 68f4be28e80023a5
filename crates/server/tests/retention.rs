//! Retention (issue 16, item 6), on SQLite and PostgreSQL, on a clock the test
//! controls: organizers set how many days after the event's end leads' personal
//! data is kept; sponsor admins are warned 7 days before, once, however many
//! runs; at the deadline every lead of the event is erased and the analytics
//! counts stay; events without retention keep theirs.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{another_sponsor, gql, join_staff, world};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sponsorhub_domain::EmailKind;
use sponsorhub_services::erasure::{RetentionRun, run_retention};
use sponsorhub_testkit::{TestApp, assert_problem, dual_backend};

dual_backend!(leads_are_erased_after_retention);

fn counts(a: &Value) -> Value {
    json!({
        "leads": a["leads"],
        "interactions": a["interactions"],
        "by_type": a["by_interaction_type"],
        "by_staff": a["by_staff"],
        "funnel": a["funnel"],
        "hourly": a["hourly"],
        "daily": a["daily"],
    })
}

async fn warnings(app: &TestApp) -> Vec<sponsorhub_store::outbox::OutboxEmail> {
    let svc = &app.server.state.services;
    let mut tx = svc.store.read().await.unwrap();
    let rows = sponsorhub_store::outbox::recent(&mut tx, None, 1000).await.unwrap();
    rows.into_iter().filter(|r| r.kind == EmailKind::RetentionWarning).collect()
}

async fn run(app: &TestApp, now: DateTime<Utc>) -> RetentionRun {
    run_retention(&app.server.state.services, now).await.unwrap()
}

async fn leads_are_erased_after_retention(app: TestApp) {
    let w = world(&app).await;
    let org = Some(w.organizer.token.as_str());
    let event_path = format!("/api/v1/organizations/{}/events/{}", w.organizer.org_id, w.event_id);
    let (admin, _) = join_staff(&app, &w, &w.sponsor_id, "admin@ferris.io", "admin").await;
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let other = another_sponsor(&app, &w, "Crab Corp").await;
    let (crab, _) = join_staff(&app, &w, &other, "boss@crab.io", "admin").await;
    let stranger = app.signup("mallory@else.io", "Else").await;

    // who may set it, and what
    let (status, p) = app.patch(&event_path, Some(&stranger.token), json!({"retention_days": 30})).await;
    assert_problem(status, &p, 404);
    let (status, p) = app.patch(&event_path, org, json!({"retention_days": 3651})).await;
    assert_problem(status, &p, 422);
    assert_eq!(p["errors"][0]["field"], "retention_days", "{p}");
    let (status, p) = app.patch(&event_path, org, json!({"retention_days": -1})).await;
    assert_problem(status, &p, 422);
    let (status, e) = app
        .patch(
            &event_path,
            org,
            json!({"starts_at": "2030-03-10T08:00:00Z", "ends_at": "2030-03-12T18:00:00Z", "retention_days": 30}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{e}");
    assert_eq!(e["retention_days"], 30);
    let ends: DateTime<Utc> = "2030-03-12T18:00:00Z".parse().unwrap();
    let deadline = ends + Duration::days(30);

    // GraphQL sets it too (organizers only)
    let set = "mutation($e: ID!, $d: Int) { setEventRetention(eventId: $e, retentionDays: $d) { retentionDays } }";
    let denied = gql(&app, &rep.token, set, json!({"e": w.event_id, "d": 5})).await;
    assert!(denied.get("errors").is_some(), "{denied}");
    let set_back = gql(&app, &w.organizer.token, set, json!({"e": w.event_id, "d": 30})).await;
    assert_eq!(set_back["data"]["setEventRetention"]["retentionDays"], 30, "{set_back}");

    // leads of both sponsors; and an event without retention with a lead
    let capture = |sponsor: &str| format!("/api/v1/sponsors/events/{}/sponsors/{sponsor}/capture-lead", w.event_id);
    for email in ["ada@x.io", "bob@x.io"] {
        let (status, l) = app
            .post(
                &capture(&w.sponsor_id),
                Some(&rep.token),
                json!({"interaction_type": "qr_scan", "attendee": {"email": email, "name": "Someone"}}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{l}");
        let (status, _) = app
            .post(
                &capture(&other),
                Some(&crab.token),
                json!({"interaction_type": "demo_request", "attendee": {"email": email}}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let kept = world_elsewhere(&app, &w).await;

    let analytics = format!("/api/v1/sponsors/sponsors/{}/analytics", w.sponsor_id);
    let (_, before) = app.get(&analytics, Some(&rep.token)).await;
    let report = format!("{event_path}/analytics");
    let (_, report_before) = app.get(&report, org).await;

    // before the warning window: nothing
    assert_eq!(run(&app, deadline - Duration::days(7) - Duration::seconds(1)).await, RetentionRun::default());
    assert!(warnings(&app).await.is_empty());

    // at the deadline minus 7 days, four runs at once warn each sponsor once
    let at = deadline - Duration::days(7);
    let svc = &app.server.state.services;
    let runs = futures_util::future::join_all((0..4).map(|_| run_retention(svc, at))).await;
    let warned: usize = runs.iter().map(|r| r.as_ref().unwrap().warned).sum();
    assert_eq!(warned, 2, "{runs:?}");
    assert_eq!(run(&app, at + Duration::hours(1)).await, RetentionRun::default(), "warned once");
    let mails = warnings(&app).await;
    let mut to: Vec<&str> = mails.iter().map(|m| m.recipients.0[0].as_str()).collect();
    to.sort();
    assert_eq!(to, ["admin@ferris.io", "boss@crab.io"]);
    let ferris = mails.iter().find(|m| m.recipients.0[0] == "admin@ferris.io").unwrap();
    assert!(ferris.text_body.contains("Thursday 11 April 2030"), "the deadline: {}", ferris.text_body);
    assert!(ferris.text_body.contains("2 leads") && !ferris.text_body.contains("ada@x.io"), "{}", ferris.text_body);

    // just before the deadline the leads are all there
    assert_eq!(run(&app, deadline - Duration::seconds(1)).await.erased, 0);
    let (_, list) = app.get(&w.leads_path(""), Some(&rep.token)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);

    // at the deadline they go, every sponsor's; the counts stay; once
    assert_eq!(run(&app, deadline).await, RetentionRun { warned: 0, erased: 4 });
    let (_, list) = app.get(&w.leads_path(""), Some(&rep.token)).await;
    assert_eq!(list["items"], json!([]), "{list}");
    let (_, crab_list) = app.get(&format!("/api/v1/sponsors/sponsors/{other}/leads"), Some(&crab.token)).await;
    assert_eq!(crab_list["items"], json!([]), "{crab_list}");
    let (_, after) = app.get(&analytics, Some(&rep.token)).await;
    assert_eq!(counts(&after), counts(&before), "before {before}\nafter {after}");
    let (_, report_after) = app.get(&report, org).await;
    assert_eq!(report_after["total"], report_before["total"]);
    assert_eq!(run(&app, deadline + Duration::days(1)).await, RetentionRun::default());

    // the event without retention keeps its lead
    let (_, list) = app.get(&kept.0, Some(&kept.1)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    let _ = admin;
    app.stop().await;
}

/// Another event of the organization, ended long ago, without retention, and
/// its sponsor's lead: (the lead list's path, a token that reads it).
async fn world_elsewhere(app: &TestApp, w: &common::World) -> (String, String) {
    let (status, e) = app
        .post(
            &format!("/api/v1/organizations/{}/events", w.organizer.org_id),
            Some(&w.organizer.token),
            json!({"name": "Old Fair", "starts_at": "2020-01-01T00:00:00Z", "ends_at": "2020-01-02T00:00:00Z"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{e}");
    let event = e["id"].as_str().unwrap();
    let (status, s) = app
        .post(
            &w.org_path(&format!("/events/{event}/sponsors")),
            Some(&w.organizer.token),
            json!({"company_name": "Oldies"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{s}");
    let sponsor = s["id"].as_str().unwrap();
    let (staff, _) = join_staff(app, w, sponsor, "old@oldies.io", "representative").await;
    let (status, l) = app
        .post(
            &format!("/api/v1/sponsors/events/{event}/sponsors/{sponsor}/capture-lead"),
            Some(&staff.token),
            json!({"interaction_type": "qr_scan", "attendee": {"email": "old@x.io"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{l}");
    (format!("/api/v1/sponsors/sponsors/{sponsor}/leads"), staff.token.clone())
}
