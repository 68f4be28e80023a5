//! Consent (issue 13, item 5), on SQLite and PostgreSQL: each lead records its
//! consent (basis, time, who captured it, the text version); where the event asks
//! for an opt-in, staff capture only attendees who shared their details with their
//! sponsor, over the API, GraphQL and the badge page.

mod common;

use common::{gql, join_staff, world};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION};
use serde_json::{Value, json};
use sponsorhub_testkit::{TestApp, assert_problem, dual_backend};

dual_backend!(leads_record_their_consent, opt_in_events_capture_only_who_opted_in);

fn attendees_path(w: &common::World) -> String {
    format!("/api/v1/organizations/{}/events/{}/attendees", w.organizer.org_id, w.event_id)
}

async fn scan(app: &TestApp, w: &common::World, token: &str, code: &str) -> (StatusCode, Value) {
    app.post(&w.capture_path(), Some(token), json!({"interaction_type": "qr_scan", "badge_code": code})).await
}

async fn lead_count(app: &TestApp, w: &common::World) -> i64 {
    let (_, stats) = app.get(&w.leads_path("/stats"), Some(&w.organizer.token)).await;
    stats["total"].as_i64().unwrap()
}

async fn leads_record_their_consent(app: TestApp) {
    let w = world(&app).await;
    let org = Some(w.organizer.token.as_str());
    let (_, ada) = app.post(&attendees_path(&w), org, json!({"name": "Ada", "email": "ada@x.io"})).await;
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;

    // badge_scan is the default rule: presenting the badge is the consent
    let (status, lead) = scan(&app, &w, &rep.token, ada["badge_code"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::CREATED, "{lead}");
    assert_eq!(lead["consent_basis"], "badge_scan");
    assert_eq!(lead["consent_by_user_id"].as_str(), Some(rep.user_id.as_str()));
    assert_eq!(lead["consent_text_version"], 1);
    assert!(lead["consent_at"].is_string(), "{lead}");
    // typed details are the attendee's own, given to staff
    let (status, typed) = app
        .post(
            &w.capture_path(),
            Some(&rep.token),
            json!({"interaction_type": "booth_visit", "attendee": {"email": "walkin@y.io", "name": "Walk In"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{typed}");
    assert_eq!(typed["consent_basis"], "staff_entry");
    // an attendee's own interaction is theirs
    let me = app.signup("self@z.io", "Self").await;
    let (status, receipt) =
        app.post(&w.capture_path(), Some(&me.token), json!({"interaction_type": "demo_request"})).await;
    assert_eq!(status, StatusCode::CREATED, "{receipt}");
    let (_, own) = app.get(&w.leads_path(&format!("/{}", receipt["lead_id"].as_str().unwrap())), org).await;
    assert_eq!(own["consent_basis"], "attendee", "{own}");
    // the first consent stays with the lead
    let (_, again) = scan(&app, &w, &rep.token, ada["badge_code"].as_str().unwrap()).await;
    assert_eq!(again["consent_at"], lead["consent_at"]);

    // a new consent text raises its version; the same text does not
    let event_path = format!("/api/v1/organizations/{}/events/{}", w.organizer.org_id, w.event_id);
    let (status, event) =
        app.patch(&event_path, org, json!({"consent_text": "Sponsors you let scan get your name."})).await;
    assert_eq!(status, StatusCode::OK, "{event}");
    assert_eq!((event["consent_rule"].clone(), event["consent_text_version"].clone()), (json!("badge_scan"), json!(2)));
    let (_, event) = app.patch(&event_path, org, json!({"consent_text": "Sponsors you let scan get your name."})).await;
    assert_eq!(event["consent_text_version"], 2);
    let (status, body) = app.patch(&event_path, org, json!({"consent_rule": "whenever"})).await;
    assert_problem(status, &body, 422);
    assert_eq!(body["errors"][0]["field"], "consent_rule", "{body}");
    app.stop().await;
}

async fn opt_in_events_capture_only_who_opted_in(app: TestApp) {
    let w = world(&app).await;
    let org = Some(w.organizer.token.as_str());
    let event_path = format!("/api/v1/organizations/{}/events/{}", w.organizer.org_id, w.event_id);
    let (status, event) =
        app.patch(&event_path, org, json!({"consent_rule": "opt_in", "consent_text": "I share my details."})).await;
    assert_eq!(status, StatusCode::OK, "{event}");
    let version = event["consent_text_version"].as_i64().unwrap();
    let (_, grace) = app.post(&attendees_path(&w), org, json!({"name": "Grace", "email": "grace@x.io"})).await;
    let code = grace["badge_code"].as_str().unwrap().to_string();
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;

    // without her opt-in, neither her badge nor her typed address records anything
    let (status, body) = scan(&app, &w, &rep.token, &code).await;
    assert_problem(status, &body, 422);
    assert_eq!(body["errors"][0]["field"], "badge_code", "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("Grace has not agreed"), "{body}");
    let typed = json!({"interaction_type": "booth_visit", "attendee": {"email": "grace@x.io"}});
    let (status, body) = app.post(&w.capture_path(), Some(&rep.token), typed.clone()).await;
    assert_problem(status, &body, 422);
    assert_eq!(body["errors"][0]["field"], "attendee", "{body}");
    let stranger = json!({"interaction_type": "booth_visit", "attendee": {"email": "nobody@x.io"}});
    let (status, body) = app.post(&w.capture_path(), Some(&rep.token), stranger).await;
    assert_problem(status, &body, 422);
    assert_eq!(lead_count(&app, &w).await, 0);

    // Grace signs up and opts in to Ferris Inc on her badge page
    let me = app.signup("grace@x.io", "Grace's").await;
    let consents = format!("/api/v1/events/{}/consents", w.event_id);
    let (status, mine) = app.get(&consents, Some(&me.token)).await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_eq!(
        (mine["consent_rule"].clone(), mine["consent_text"].clone()),
        (json!("opt_in"), json!("I share my details."))
    );
    assert_eq!(mine["sponsors"][0]["sponsor_id"].as_str(), Some(w.sponsor_id.as_str()));
    assert_eq!(mine["sponsors"][0]["shared"], false);
    let web = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = web
        .get(app.url(&format!("/badge/{}", w.event_id)))
        .header(COOKIE, format!("sponsorhub_session={}", me.token))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Share my details with Ferris Inc"), "{html}");
    let at = html.find(r#"name="_csrf" value=""#).unwrap() + r#"name="_csrf" value=""#.len();
    let csrf = &html[at..at + html[at..].find('"').unwrap()];
    let res = web
        .post(app.url(&format!("/badge/{}/consent/{}", w.event_id, w.sponsor_id)))
        .header(COOKIE, format!("sponsorhub_session={}", me.token))
        .form(&[("_csrf", csrf), ("action", "share")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[LOCATION], format!("/badge/{}", w.event_id));
    let (_, mine) = app.get(&consents, Some(&me.token)).await;
    assert_eq!(
        (mine["sponsors"][0]["shared"].clone(), mine["sponsors"][0]["text_version"].clone()),
        (json!(true), json!(version))
    );

    // now the scan records her, with the opt-in as the consent
    let (status, lead) = scan(&app, &w, &rep.token, &code).await;
    assert_eq!(status, StatusCode::CREATED, "{lead}");
    assert_eq!(lead["consent_basis"], "opt_in");
    assert_eq!(lead["consent_text_version"], version);
    assert_eq!(lead["consent_at"], mine["sponsors"][0]["given_at"]);
    let (status, _) = app.post(&w.capture_path(), Some(&rep.token), typed).await;
    assert_eq!(status, StatusCode::OK);

    // she withdraws (over GraphQL): later scans record nothing
    let out = gql(
        &app,
        &me.token,
        "mutation($e: ID!, $s: ID!) { withdrawConsent(eventId: $e, sponsorId: $s) }",
        json!({"e": w.event_id, "s": w.sponsor_id}),
    )
    .await;
    assert_eq!(out["data"]["withdrawConsent"], true, "{out}");
    let (status, body) = scan(&app, &w, &rep.token, &code).await;
    assert_problem(status, &body, 422);
    let out = gql(
        &app,
        &me.token,
        "mutation($e: ID!, $s: ID!) { shareDetailsWithSponsor(eventId: $e, sponsorId: $s) { shared textVersion } }",
        json!({"e": w.event_id, "s": w.sponsor_id}),
    )
    .await;
    assert_eq!(out["data"]["shareDetailsWithSponsor"]["shared"], true, "{out}");
    let out = gql(
        &app,
        &me.token,
        "query($e: ID!) { myConsents(eventId: $e) { consentRule sponsors { shared } } }",
        json!({"e": w.event_id}),
    )
    .await;
    assert_eq!(out["data"]["myConsents"]["sponsors"][0]["shared"], true, "{out}");
    let (status, _) = scan(&app, &w, &rep.token, &code).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) =
        app.delete(&format!("/api/v1/events/{}/sponsors/{}/consent", w.event_id, w.sponsor_id), Some(&me.token)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = scan(&app, &w, &rep.token, &code).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // only attendees of the event have consents; only the event's sponsors take them
    let outsider = app.signup("out@x.io", "Outside").await;
    let (status, body) = app.get(&consents, Some(&outsider.token)).await;
    assert_problem(status, &body, 404);
    let give = |sponsor: &str| format!("/api/v1/events/{}/sponsors/{sponsor}/consent", w.event_id);
    let (status, body) = app.put(&give(&w.sponsor_id), Some(&outsider.token), json!({})).await;
    assert_problem(status, &body, 404);
    let (status, body) = app.put(&give("00000000-0000-4000-8000-000000000000"), Some(&me.token), json!({})).await;
    assert_problem(status, &body, 404);
    app.stop().await;
}
