//! The attendee's own data (issue 16, item 5, its first part), on SQLite and
//! PostgreSQL: an attendee sees which sponsors hold a lead on them and everything
//! each holds; nobody sees anyone else's.

mod common;

use common::{another_sponsor, join_staff, world};
use reqwest::StatusCode;
use serde_json::json;
use sponsorhub_testkit::{TestApp, assert_problem, dual_backend};

dual_backend!(attendees_see_what_each_sponsor_holds_on_them);

async fn attendees_see_what_each_sponsor_holds_on_them(app: TestApp) {
    let w = world(&app).await;
    let org = Some(w.organizer.token.as_str());
    let attendees = format!("/api/v1/organizations/{}/events/{}/attendees", w.organizer.org_id, w.event_id);
    let (_, ada) = app.post(&attendees, org, json!({"name": "Ada", "email": "ada@x.io"})).await;
    let (_, bob) = app.post(&attendees, org, json!({"name": "Bob", "email": "bob@x.io"})).await;
    let ada_me = app.signup("ada@x.io", "Ada").await;
    let bob_me = app.signup("bob@x.io", "Bob").await;
    let mine = format!("/api/v1/events/{}/my-data", w.event_id);

    // nothing held yet
    let (status, data) = app.get(&mine, Some(&ada_me.token)).await;
    assert_eq!(status, StatusCode::OK, "{data}");
    assert_eq!(data["sponsors"], json!([]));

    // two sponsors scan Ada; the first asks a question and writes a note
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let other = another_sponsor(&app, &w, "Crab Corp").await;
    let (crab, _) = join_staff(&app, &w, &other, "crab@crab.io", "representative").await;
    let (status, q) = app
        .post(
            &format!("/api/v1/sponsors/sponsors/{}/questions", w.sponsor_id),
            org,
            json!({"kind": "text", "prompt": "Use case?"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{q}");
    let (status, lead) = app
        .post(
            &w.capture_path(),
            Some(&rep.token),
            json!({"interaction_type": "qr_scan", "badge_code": ada["badge_code"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{lead}");
    let lead_path = w.leads_path(&format!("/{}", lead["id"].as_str().unwrap()));
    let (status, _) = app
        .put(
            &format!("{lead_path}/answers"),
            Some(&rep.token),
            json!({"answers": [{"question_id": q["id"], "value": "SSO"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.post(&format!("{lead_path}/notes"), Some(&rep.token), json!({"body": "Wants SSO."})).await;
    assert_eq!(status, StatusCode::CREATED);
    let crab_capture = format!("/api/v1/sponsors/events/{}/sponsors/{other}/capture-lead", w.event_id);
    let (status, _) = app
        .post(&crab_capture, Some(&crab.token), json!({"interaction_type": "qr_scan", "badge_code": ada["badge_code"]}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // and one sponsor scans Bob
    let (status, _) = app
        .post(
            &w.capture_path(),
            Some(&rep.token),
            json!({"interaction_type": "qr_scan", "badge_code": bob["badge_code"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    let (status, data) = app.get(&mine, Some(&ada_me.token)).await;
    assert_eq!(status, StatusCode::OK, "{data}");
    let held = data["sponsors"].as_array().unwrap();
    let names: Vec<&str> = held.iter().map(|s| s["sponsor_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Crab Corp", "Ferris Inc"], "both sponsors, by name: {data}");
    let ferris = &held[1];
    assert_eq!(ferris["name"], "Ada");
    assert_eq!(ferris["consent_basis"], "badge_scan");
    assert_eq!(ferris["interactions"][0]["interaction_type"], "qr_scan");
    assert_eq!(
        ferris["answers"],
        json!([{"question": "Use case?", "value": "SSO", "answered_at": ferris["answers"][0]["answered_at"]}])
    );
    assert_eq!(ferris["notes"][0]["body"], "Wants SSO.");
    assert_eq!(held[0]["answers"], json!([]), "each sponsor's own: {data}");
    assert!(!data.to_string().contains("Bob"), "nothing of anyone else's: {data}");

    // Bob sees his one sponsor; staff are no attendees of the event
    let (_, data) = app.get(&mine, Some(&bob_me.token)).await;
    assert_eq!(data["sponsors"].as_array().unwrap().len(), 1, "{data}");
    assert!(!data.to_string().contains("Ada") && !data.to_string().contains("SSO"), "{data}");
    let (status, body) = app.get(&mine, Some(&rep.token)).await;
    assert_problem(status, &body, 404);
    let (status, _) = app.get(&mine, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}
