//! Captures a device queued while offline (issue 13, item 8), and what each
//! interaction records (item 7: source, device, who, the points that counted), on
//! SQLite and PostgreSQL.

mod common;

use common::{join_staff, world};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sponsorhub_testkit::{TestApp, assert_problem, dual_backend};

dual_backend!(queued_captures_count_once_in_any_order, interactions_say_how_and_what_counted);

async fn attendee(app: &TestApp, w: &common::World, name: &str, email: &str) -> Value {
    let path = format!("/api/v1/organizations/{}/events/{}/attendees", w.organizer.org_id, w.event_id);
    let (status, a) = app.post(&path, Some(&w.organizer.token), json!({"name": name, "email": email})).await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    a
}

fn bulk_path(w: &common::World) -> String {
    format!("/api/v1/sponsors/events/{}/sponsors/{}/capture-leads/bulk", w.event_id, w.sponsor_id)
}

fn ago(minutes: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::minutes(minutes)).to_rfc3339()
}

async fn queued_captures_count_once_in_any_order(app: TestApp) {
    let w = world(&app).await;
    let ada = attendee(&app, &w, "Ada", "ada@corp.io").await;
    let code = ada["badge_code"].as_str().unwrap();
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let (late, early) = (ago(10), ago(60));
    let captures = json!({"captures": [
        {"idempotency_key": "k1", "occurred_at": late, "interaction_type": "qr_scan", "badge_code": code, "device": "Phone A"},
        {"idempotency_key": "k2", "occurred_at": early, "interaction_type": "booth_visit", "badge_code": code},
        {"idempotency_key": "k1", "occurred_at": late, "interaction_type": "qr_scan", "badge_code": code, "device": "Phone A"},
        {"idempotency_key": "k4", "occurred_at": late, "interaction_type": "qr_scan", "badge_code": "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"},
        {"idempotency_key": "k5", "interaction_type": "qr_scan", "badge_code": code},
        {"idempotency_key": "k6", "occurred_at": ago(-60), "interaction_type": "qr_scan", "badge_code": code},
        {"idempotency_key": "k7", "occurred_at": late, "interaction_type": 5, "badge_code": code},
    ]});
    let (status, answer) = app.post(&bulk_path(&w), Some(&rep.token), captures.clone()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let results = answer["results"].as_array().unwrap();
    let statuses: Vec<(&str, i64)> =
        results.iter().map(|r| (r["idempotency_key"].as_str().unwrap(), r["status"].as_i64().unwrap())).collect();
    assert_eq!(
        statuses,
        [("k1", 201), ("k2", 200), ("k1", 201), ("k4", 422), ("k5", 422), ("k6", 422), ("k7", 422)],
        "{answer}"
    );
    assert_eq!(results[0]["lead_id"], results[1]["lead_id"]);
    assert_eq!(results[2]["lead_id"], results[0]["lead_id"], "a replay names the same lead");
    assert_eq!(results[3]["problem"]["errors"][0]["field"], "badge_code", "{answer}");
    assert_eq!(results[4]["problem"]["errors"][0]["field"], "occurred_at", "{answer}");
    assert_eq!(results[5]["problem"]["errors"][0]["field"], "occurred_at", "{answer}");
    assert_eq!(results[6]["problem"]["errors"][0]["field"], "captures[6]", "a malformed item alone: {answer}");

    // the whole queue again (the device did not hear the answer): nothing counts twice
    let (status, again) = app.post(&bulk_path(&w), Some(&rep.token), captures).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    let lead_id = results[0]["lead_id"].as_str().unwrap();
    let (_, lead) = app.get(&w.leads_path(&format!("/{lead_id}")), Some(&rep.token)).await;
    assert_eq!(lead["interaction_count"], 2, "{lead}");
    // the earliest device time is the first interaction, the latest the last
    let t = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    let close = |a: chrono::DateTime<chrono::FixedOffset>, b: &str| {
        (a - chrono::DateTime::parse_from_rfc3339(b).unwrap()).num_milliseconds().abs() < 2
    };
    assert!(close(t(&lead["first_interaction_at"]), &early), "{lead}");
    assert!(close(t(&lead["last_interaction_at"]), &late), "{lead}");

    // too many at once is refused whole
    let many: Vec<Value> = (0..501)
        .map(|i| json!({"idempotency_key": format!("m{i}"), "occurred_at": late, "interaction_type": "qr_scan", "badge_code": code}))
        .collect();
    let (status, body) = app.post(&bulk_path(&w), Some(&rep.token), json!({"captures": many})).await;
    assert_problem(status, &body, 422);
    app.stop().await;
}

async fn interactions_say_how_and_what_counted(app: TestApp) {
    let w = world(&app).await;
    let ada = attendee(&app, &w, "Ada", "ada@corp.io").await;
    let code = ada["badge_code"].as_str().unwrap();
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    // 35, then 40 and 40 with the repeat bonus: the third meets the cap of 100
    let mut lead = Value::Null;
    for device in ["Phone A", "Phone B", "Tablet"] {
        let (status, l) = app
            .post(
                &w.capture_path(),
                Some(&rep.token),
                json!({"interaction_type": "direct_request", "badge_code": code, "device": device}),
            )
            .await;
        assert!(status.is_success(), "{l}");
        lead = l;
    }
    assert_eq!(lead["intent_score"], 100);
    let (_, detail) = app.get(&w.leads_path(&format!("/{}", lead["id"].as_str().unwrap())), Some(&rep.token)).await;
    let history = detail["interactions"].as_array().unwrap();
    let counted: Vec<(i64, i64)> =
        history.iter().map(|i| (i["points"].as_i64().unwrap(), i["counted_points"].as_i64().unwrap())).collect();
    assert_eq!(counted, [(40, 25), (40, 40), (35, 35)], "newest first: {detail}");
    assert_eq!(history[0]["source"], "badge_scan");
    assert_eq!(history[0]["device"], "Tablet");
    assert_eq!(history[0]["captured_by_name"], json!("rep"), "{detail}");

    // typed captures default to api, and a source can be named; a bad one is refused
    let (status, typed) = app
        .post(
            &w.capture_path(),
            Some(&rep.token),
            json!({"interaction_type": "booth_visit", "attendee": {"email": "bob@corp.io"}, "source": "business_card"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{typed}");
    let (_, detail) = app.get(&w.leads_path(&format!("/{}", typed["id"].as_str().unwrap())), Some(&rep.token)).await;
    assert_eq!(detail["interactions"][0]["source"], "business_card");
    let (status, body) = app
        .post(
            &w.capture_path(),
            Some(&rep.token),
            json!({"interaction_type": "booth_visit", "attendee": {"email": "bob@corp.io"}, "source": "telepathy"}),
        )
        .await;
    assert_problem(status, &body, 422);

    // the lead page shows who, how, on which device, and what the cap cut
    let page = app
        .client
        .get(app.url(&format!("/portal/sponsors/{}/leads/{}", w.sponsor_id, lead["id"].as_str().unwrap())))
        .header(reqwest::header::COOKIE, format!("sponsorhub_session={}", rep.token))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("+25") && page.contains("worth 40"), "{page}");
    assert!(page.contains("on Tablet") && page.contains("by rep"), "{page}");
    app.stop().await;
}
