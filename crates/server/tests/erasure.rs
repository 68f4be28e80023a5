//! Withdrawal and erasure (issue 16, item 5), on SQLite and PostgreSQL: an
//! attendee withdraws from one sponsor, or from the whole event, and the lead's
//! personal data is gone at once from lists, details, exports, webhooks and live
//! feeds, the analytics counts stay, and the sponsor is told without the
//! attendee's details.

mod common;

use common::sio::{Clients, Via};
use common::{another_sponsor, gql, join_staff, world};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION};
use serde_json::{Value, json};
use sponsorhub_domain::EmailKind;
use sponsorhub_testkit::{TestApp, assert_problem, dual_backend};
use std::time::{Duration, Instant};

dual_backend!(withdrawing_from_a_sponsor_erases_its_lead, erasing_the_whole_event, the_my_data_page_withdraws);

async fn download(app: &TestApp, token: &str, path: &str) -> String {
    let res = app.client.get(app.url(path)).bearer_auth(token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    String::from_utf8(res.bytes().await.unwrap().to_vec()).unwrap()
}

/// The analytics numbers that count leads and interactions (what must survive).
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

async fn erasure_emails(app: &TestApp) -> Vec<sponsorhub_store::outbox::OutboxEmail> {
    let svc = &app.server.state.services;
    let mut tx = svc.store.read().await.unwrap();
    let rows = sponsorhub_store::outbox::recent(&mut tx, None, 1000).await.unwrap();
    rows.into_iter().filter(|r| r.kind == EmailKind::LeadsErased).collect()
}

async fn withdrawing_from_a_sponsor_erases_its_lead(app: TestApp) {
    let w = world(&app).await;
    let org = Some(w.organizer.token.as_str());
    let attendees = format!("/api/v1/organizations/{}/events/{}/attendees", w.organizer.org_id, w.event_id);
    let (_, ada) = app.post(&attendees, org, json!({"name": "Ada Lovelace", "email": "ada@x.io"})).await;
    let (_, bob) = app.post(&attendees, org, json!({"name": "Bob Byron", "email": "bob@x.io"})).await;
    let ada_me = app.signup("ada@x.io", "Ada").await;
    let (admin, _) = join_staff(&app, &w, &w.sponsor_id, "admin@ferris.io", "admin").await;
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let other = another_sponsor(&app, &w, "Crab Corp").await;
    let (crab, _) = join_staff(&app, &w, &other, "crab@crab.io", "representative").await;

    // a webhook hears of Ferris's leads
    let hooks = format!("/api/v1/sponsors/sponsors/{}/webhooks", w.sponsor_id);
    let (status, hook) = app
        .post(
            &hooks,
            Some(&admin.token),
            json!({"url": "https://hooks.example.com/in", "events": ["lead.created", "lead.updated"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{hook}");
    let log = format!("{hooks}/{}/deliveries", hook["id"].as_str().unwrap());

    // Ada shares her details with Ferris, is scanned, answers, gets a note; Bob too
    let consent = format!("/api/v1/events/{}/sponsors/{}/consent", w.event_id, w.sponsor_id);
    let (status, _) = app.put(&consent, Some(&ada_me.token), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, q) = app
        .post(
            &format!("/api/v1/sponsors/sponsors/{}/questions", w.sponsor_id),
            org,
            json!({"kind": "text", "prompt": "Use case?"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{q}");
    let scan = |badge: &Value| json!({"interaction_type": "qr_scan", "badge_code": badge["badge_code"]});
    let (status, lead) = app.post(&w.capture_path(), Some(&rep.token), scan(&ada)).await;
    assert_eq!(status, StatusCode::CREATED, "{lead}");
    let ada_lead = lead["id"].as_str().unwrap().to_string();
    let lead_path = w.leads_path(&format!("/{ada_lead}"));
    let (status, _) = app
        .put(
            &format!("{lead_path}/answers"),
            Some(&rep.token),
            json!({"answers": [{"question_id": q["id"], "value": "Secret plans"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) =
        app.post(&format!("{lead_path}/notes"), Some(&rep.token), json!({"body": "Ada wants SSO."})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = app.post(&w.capture_path(), Some(&rep.token), scan(&bob)).await;
    assert_eq!(status, StatusCode::CREATED);
    let crab_capture = format!("/api/v1/sponsors/events/{}/sponsors/{other}/capture-lead", w.event_id);
    let (status, _) = app.post(&crab_capture, Some(&crab.token), scan(&ada)).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, logged) = app.get(&log, Some(&admin.token)).await;
    assert!(logged.to_string().contains("Ada Lovelace"), "the webhook log holds Ada's lead: {logged}");

    let analytics = format!("/api/v1/sponsors/sponsors/{}/analytics", w.sponsor_id);
    let (_, before) = app.get(&analytics, Some(&rep.token)).await;
    let event_report = format!("/api/v1/organizations/{}/events/{}/analytics", w.organizer.org_id, w.event_id);
    let (_, report_before) = app.get(&event_report, org).await;

    // the dashboard is live on socket.io
    let mut c = Clients::start();
    c.connect("rep", &app.server.url(), Some(&rep.token), Via::Auth).await.unwrap();
    c.joined("rep", &w.sponsor_id).await;

    // who may withdraw: attendees of the event only, from its sponsors only
    let withdraw = format!("/api/v1/events/{}/my-data/sponsors/{}/withdraw", w.event_id, w.sponsor_id);
    let (status, p) = app.post(&withdraw, Some(&rep.token), json!({})).await;
    assert_problem(status, &p, 404);
    let (status, _) = app.post(&withdraw, None, json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let stranger = app.signup("mallory@else.io", "Else").await;
    let (status, p) = app.post(&withdraw, Some(&stranger.token), json!({})).await;
    assert_problem(status, &p, 404);
    let elsewhere = app.signup("org2@else.io", "Other Org").await;
    let (status, other_event) = app
        .post(
            &format!("/api/v1/organizations/{}/events", elsewhere.org_id),
            Some(&elsewhere.token),
            json!({"name": "Elsewhere"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{other_event}");
    let (status, p) = app
        .post(
            &format!(
                "/api/v1/events/{}/my-data/sponsors/{}/withdraw",
                other_event["id"].as_str().unwrap(),
                w.sponsor_id
            ),
            Some(&ada_me.token),
            json!({}),
        )
        .await;
    assert_problem(status, &p, 404);
    assert_eq!(erasure_emails(&app).await.len(), 0);

    // Ada withdraws from Ferris
    let (status, done) = app.post(&withdraw, Some(&ada_me.token), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(
        done["sponsors"],
        json!([{"sponsor_id": w.sponsor_id, "sponsor_name": "Ferris Inc", "lead_erased": true}])
    );
    let live = c.next("rep", "lead.erased").await;
    assert_eq!(live["leadId"], ada_lead.as_str(), "{live}");
    assert_eq!(live["sponsorId"], w.sponsor_id.as_str());
    // ids only (a random id's hex may well contain "ada": look for Ada herself)
    let keys: Vec<&String> = live.as_object().expect("an object").keys().collect();
    assert_eq!(keys, ["erasedAt", "leadId", "sponsorId"], "no personal data on the wire: {live}");
    let wire = live.to_string();
    assert!(!wire.contains("Ada") && !wire.contains("ada@x.io"), "no personal data on the wire: {live}");

    // gone from the detail, the list, GraphQL, the exports and the webhook log
    let (status, p) = app.get(&lead_path, Some(&rep.token)).await;
    assert_problem(status, &p, 404);
    let (status, list) = app.get(&w.leads_path(""), Some(&rep.token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    assert!(!list.to_string().contains("Ada Lovelace") && list.to_string().contains("Bob Byron"), "{list}");
    let page = gql(
        &app,
        &rep.token,
        "query($s: ID!) { sponsorLeads(sponsorId: $s) { items { userName } } }",
        json!({"s": w.sponsor_id}),
    )
    .await;
    assert!(page.get("errors").is_none(), "{page}");
    assert!(!page.to_string().contains("Ada Lovelace") && page.to_string().contains("Bob Byron"), "{page}");
    let csv = download(&app, &rep.token, &format!("/api/v1/sponsors/sponsors/{}/leads/export", w.sponsor_id)).await;
    assert!(!csv.contains("Lovelace") && csv.contains("Bob Byron"), "{csv}");
    let event_csv = download(
        &app,
        &w.organizer.token,
        &format!("/api/v1/organizations/{}/events/{}/leads/export", w.organizer.org_id, w.event_id),
    )
    .await;
    assert_eq!(event_csv.matches("Ada Lovelace").count(), 1, "only Crab's lead on Ada is left: {event_csv}");
    let (_, logged) = app.get(&log, Some(&admin.token)).await;
    assert!(!logged.to_string().contains("Lovelace"), "nothing of Ada's left to deliver or replay: {logged}");
    assert!(logged.to_string().contains("Bob Byron"), "{logged}");

    // the analytics counts are the same; the consent is withdrawn
    let (_, after) = app.get(&analytics, Some(&rep.token)).await;
    assert_eq!(counts(&after), counts(&before), "before {before}\nafter {after}");
    let (_, report_after) = app.get(&event_report, org).await;
    assert_eq!(report_after["total"], report_before["total"]);
    let (_, consents) = app.get(&format!("/api/v1/events/{}/consents", w.event_id), Some(&ada_me.token)).await;
    let ferris = consents["sponsors"].as_array().unwrap().iter().find(|s| s["sponsor_id"] == w.sponsor_id.as_str());
    assert_eq!(ferris.unwrap()["shared"], false, "{consents}");

    // what Ada sees: Crab alone
    let (_, mine) = app.get(&format!("/api/v1/events/{}/my-data", w.event_id), Some(&ada_me.token)).await;
    let names: Vec<&str> =
        mine["sponsors"].as_array().unwrap().iter().map(|s| s["sponsor_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Crab Corp"], "{mine}");

    // Ferris's admins are told, without Ada's details
    let mails = erasure_emails(&app).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].recipients.0, ["admin@ferris.io"]);
    for part in [&mails[0].subject, &mails[0].text_body, &mails[0].html_body] {
        assert!(part.contains("Ferris Inc"), "{part}");
        for secret in ["Ada", "ada@x.io", "Lovelace", "Secret plans", "SSO", &ada_lead] {
            assert!(!part.contains(secret), "{secret} in {part}");
        }
    }

    // a second withdrawal erases nothing more and tells nobody; a scan makes a new lead
    let (status, done) = app.post(&withdraw, Some(&ada_me.token), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(done["sponsors"][0]["lead_erased"], false);
    assert_eq!(erasure_emails(&app).await.len(), 1);
    c.nothing("rep", Duration::from_millis(200)).await;
    let (status, again) = app.post(&w.capture_path(), Some(&rep.token), scan(&ada)).await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    assert_ne!(again["id"], ada_lead.as_str());
    assert_eq!(again["interaction_count"], 1, "a new lead, nothing of the old one: {again}");
    app.stop().await;
}

async fn erasing_the_whole_event(app: TestApp) {
    let w = world(&app).await;
    let org = Some(w.organizer.token.as_str());
    // the event asks for an opt-in
    let (status, e) = app
        .patch(
            &format!("/api/v1/organizations/{}/events/{}", w.organizer.org_id, w.event_id),
            org,
            json!({"consent_rule": "opt_in"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{e}");
    let attendees = format!("/api/v1/organizations/{}/events/{}/attendees", w.organizer.org_id, w.event_id);
    let (_, ada) = app.post(&attendees, org, json!({"name": "Ada", "email": "ada@x.io"})).await;
    let (_, bob) = app.post(&attendees, org, json!({"name": "Bob", "email": "bob@x.io"})).await;
    let ada_me = app.signup("ada@x.io", "Ada").await;
    let bob_me = app.signup("bob@x.io", "Bob").await;
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "admin").await;
    let other = another_sponsor(&app, &w, "Crab Corp").await;
    let (crab, _) = join_staff(&app, &w, &other, "crab@crab.io", "admin").await;
    let third = another_sponsor(&app, &w, "Shell Ltd").await;
    let crab_capture = format!("/api/v1/sponsors/events/{}/sponsors/{other}/capture-lead", w.event_id);
    let scan = |badge: &Value| json!({"interaction_type": "qr_scan", "badge_code": badge["badge_code"]});
    for (me, badge) in [(&ada_me, &ada), (&bob_me, &bob)] {
        for s in [&w.sponsor_id, &other, &third] {
            let path = format!("/api/v1/events/{}/sponsors/{s}/consent", w.event_id);
            assert_eq!(app.put(&path, Some(&me.token), json!({})).await.0, StatusCode::OK);
        }
        assert_eq!(app.post(&w.capture_path(), Some(&rep.token), scan(badge)).await.0, StatusCode::CREATED);
        assert_eq!(app.post(&crab_capture, Some(&crab.token), scan(badge)).await.0, StatusCode::CREATED);
    }

    let erase = format!("/api/v1/events/{}/my-data/erase", w.event_id);
    let (status, p) = app.post(&erase, Some(&rep.token), json!({})).await;
    assert_problem(status, &p, 404);
    let (status, done) = app.post(&erase, Some(&ada_me.token), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    let told: Vec<(&str, bool)> = done["sponsors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["sponsor_name"].as_str().unwrap(), s["lead_erased"].as_bool().unwrap()))
        .collect();
    assert_eq!(told, [("Crab Corp", true), ("Ferris Inc", true), ("Shell Ltd", false)], "{done}");

    // nothing of Ada's anywhere; Bob's untouched
    let (_, mine) = app.get(&format!("/api/v1/events/{}/my-data", w.event_id), Some(&ada_me.token)).await;
    assert_eq!(mine["sponsors"], json!([]));
    let (_, bobs) = app.get(&format!("/api/v1/events/{}/my-data", w.event_id), Some(&bob_me.token)).await;
    assert_eq!(bobs["sponsors"].as_array().unwrap().len(), 2, "{bobs}");
    let (_, consents) = app.get(&format!("/api/v1/events/{}/consents", w.event_id), Some(&ada_me.token)).await;
    assert!(consents["sponsors"].as_array().unwrap().iter().all(|s| s["shared"] == false), "{consents}");
    for (token, sponsor) in [(&rep.token, &w.sponsor_id), (&crab.token, &other)] {
        let (_, list) = app.get(&format!("/api/v1/sponsors/sponsors/{sponsor}/leads"), Some(token)).await;
        assert!(!list.to_string().contains("\"Ada\"") && list.to_string().contains("\"Bob\""), "{list}");
    }
    // one notice to each sponsor that held a lead; her badge still works, but under
    // opt_in a scan needs her consent again
    let mails = erasure_emails(&app).await;
    let mut to: Vec<&str> = mails.iter().map(|m| m.recipients.0[0].as_str()).collect();
    to.sort();
    assert_eq!(to, ["crab@crab.io", "rep@ferris.io"]);
    let (status, p) = app.post(&w.capture_path(), Some(&rep.token), scan(&ada)).await;
    assert_problem(status, &p, 422);
    app.stop().await;
}

fn csrf_of(html: &str) -> String {
    let at = html.find(r#"name="_csrf" value=""#).expect("a form with a CSRF token");
    let rest = &html[at + r#"name="_csrf" value=""#.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

async fn read_until(res: &mut reqwest::Response, buf: &mut String, what: &str, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while !buf.contains(what) {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, res.chunk()).await {
            Ok(Ok(Some(chunk))) => buf.push_str(&String::from_utf8_lossy(&chunk)),
            _ => return false,
        }
    }
    true
}

async fn the_my_data_page_withdraws(app: TestApp) {
    let w = world(&app).await;
    let org = Some(w.organizer.token.as_str());
    let attendees = format!("/api/v1/organizations/{}/events/{}/attendees", w.organizer.org_id, w.event_id);
    let (_, ada) = app.post(&attendees, org, json!({"name": "Ada Lovelace", "email": "ada@x.io"})).await;
    let ada_me = app.signup("ada@x.io", "Ada").await;
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let (status, lead) = app
        .post(
            &w.capture_path(),
            Some(&rep.token),
            json!({"interaction_type": "qr_scan", "badge_code": ada["badge_code"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{lead}");
    let web = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let cookie = format!("sponsorhub_session={}", ada_me.token);
    let page = format!("/my-data/{}", w.event_id);

    // the badge page links the page; the page shows the sponsor and what it holds
    let badge = web.get(app.url(&format!("/badge/{}", w.event_id))).header(COOKIE, &cookie).send().await.unwrap();
    assert!(badge.text().await.unwrap().contains(&format!("href=\"{page}\"")));
    let res = web.get(app.url(&page)).header(COOKIE, &cookie).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Ferris Inc") && html.contains("Ada Lovelace") && html.contains("Withdraw and erase"),
        "{html}"
    );
    let csrf = csrf_of(&html);
    // nobody else's page
    let res = web.get(app.url(&page)).header(COOKIE, format!("sponsorhub_session={}", rep.token)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // the sponsor's dashboard feed is open
    let mut feed = web
        .get(app.url(&format!("/portal/sponsors/{}/events", w.sponsor_id)))
        .header(COOKIE, format!("sponsorhub_session={}", rep.token))
        .send()
        .await
        .unwrap();
    assert_eq!(feed.status(), StatusCode::OK);

    // the button: without the CSRF token refused, with it withdrawn
    let withdraw = format!("{page}/sponsors/{}/withdraw", w.sponsor_id);
    let res = web.post(app.url(&withdraw)).header(COOKIE, &cookie).form(&[("x", "y")]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res =
        web.post(app.url(&withdraw)).header(COOKIE, &cookie).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(res.headers()[LOCATION].to_str().unwrap().starts_with(&page));
    let mut buf = String::new();
    assert!(read_until(&mut feed, &mut buf, "event: lead.erased", Duration::from_secs(2)).await, "{buf}");
    assert!(buf.contains(lead["id"].as_str().unwrap()) && !buf.contains("Lovelace"), "{buf}");
    let html = web.get(app.url(&page)).header(COOKIE, &cookie).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("No sponsor of this event holds any data on you"), "{html}");
    assert!(!html.contains("Lovelace"));

    // the whole-event button answers too, with nothing left to erase
    let res = web
        .post(app.url(&format!("{page}/erase")))
        .header(COOKIE, &cookie)
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // the organizer's event form: retention days, a bad value kept at its field
    let ocookie = format!("sponsorhub_session={}", w.organizer.token);
    let edit = format!("/events/{}/edit", w.event_id);
    let html = web.get(app.url(&edit)).header(COOKIE, &ocookie).send().await.unwrap().text().await.unwrap();
    let ocsrf = csrf_of(&html);
    let form = |days: &'static str| {
        vec![
            ("_csrf", ocsrf.clone()),
            ("name", "RustConf".to_string()),
            ("timezone", "UTC".to_string()),
            ("consent_rule", "badge_scan".to_string()),
            ("hall_access", "public".to_string()),
            ("retention_days", days.to_string()),
        ]
    };
    for bad in ["soon", "4000"] {
        let res = web.post(app.url(&edit)).header(COOKIE, &ocookie).form(&form(bad)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        let html = res.text().await.unwrap();
        assert!(html.contains("ev-retention_days-error") && html.contains(&format!("value=\"{bad}\"")), "{html}");
    }
    let res = web.post(app.url(&edit)).header(COOKIE, &ocookie).form(&form("90")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, e) = app.get(&format!("/api/v1/organizations/{}/events/{}", w.organizer.org_id, w.event_id), org).await;
    assert_eq!(e["retention_days"], 90, "{e}");
    app.stop().await;
}
