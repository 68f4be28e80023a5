//! The attendee side of the expo hall (issue 16), on SQLite and PostgreSQL, over
//! HTTP: an event's hall public or for its own people only, on the web pages and
//! GraphQL; refused to strangers and to other events' people; which staff are at
//! the booth now; a booth opened by an attendee who shared their details as a
//! visit; session attendance from the platform with an event service token.

mod common;

use common::{gql, join_staff, world};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION};
use serde_json::{Value, json};
use sponsorhub_testkit::{TestApp, assert_problem, dual_backend};

dual_backend!(
    an_attendees_only_hall_is_for_the_events_people,
    staff_say_they_are_at_the_booth,
    opening_a_booth_is_a_visit_once_shared,
    the_platform_reports_session_attendance,
);

fn event_path(w: &common::World) -> String {
    format!("/api/v1/organizations/{}/events/{}", w.organizer.org_id, w.event_id)
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// A page as someone (a session cookie) or nobody sees it: status, Location, body.
async fn page(app: &TestApp, path: &str, token: Option<&str>) -> (StatusCode, Option<String>, String) {
    let mut req = no_redirects().get(app.url(path));
    if let Some(t) = token {
        req = req.header(COOKIE, format!("sponsorhub_session={t}"));
    }
    let res = req.send().await.unwrap();
    let location = res.headers().get(LOCATION).map(|l| l.to_str().unwrap().to_string());
    (res.status(), location, res.text().await.unwrap())
}

const DIRECTORY: &str = "query($e: ID!) { publicEventSponsors(eventId: $e) { sponsors { companyName } } }";

/// The GraphQL directory as someone (bearer) or nobody asks for it.
async fn directory_gql(app: &TestApp, w: &common::World, token: Option<&str>) -> Value {
    match token {
        Some(t) => gql(app, t, DIRECTORY, json!({"e": w.event_id})).await,
        None => {
            let body = json!({"query": DIRECTORY, "variables": {"e": w.event_id}});
            let res = app.client.post(app.url("/graphql")).json(&body).send().await.unwrap();
            assert_eq!(res.status(), 200);
            res.json().await.unwrap()
        }
    }
}

fn error_code(answer: &Value) -> &str {
    answer["errors"][0]["extensions"]["code"].as_str().unwrap_or_else(|| panic!("an error: {answer}"))
}

async fn an_attendees_only_hall_is_for_the_events_people(app: TestApp) {
    let w = world(&app).await;
    let org = Some(w.organizer.token.as_str());
    let (status, _) = app
        .post(&format!("{}/attendees", event_path(&w)), org, json!({"name": "Ada", "email": "ada@visitors.io"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let ada = app.signup("ada@visitors.io", "Ada's own").await;
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    // the organizer of another event, who is no attendee of this one
    let eve = app.signup("eve@other-events.io", "Other Events").await;
    let hall = format!("/directory/{}", w.event_id);
    let booth = format!("/directory/{}/sponsors/{}", w.event_id, w.sponsor_id);

    // public by default: anyone sees the hall and the booth
    let (_, event) = app.get(&event_path(&w), org).await;
    assert_eq!(event["hall_access"], "public", "{event}");
    let (status, _, html) = page(&app, &hall, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Ferris Inc"));
    let answer = directory_gql(&app, &w, None).await;
    assert_eq!(answer["data"]["publicEventSponsors"][0]["sponsors"][0]["companyName"], "Ferris Inc", "{answer}");

    // a value outside the set is named at its field; only organizers change it
    let (status, body) = app.patch(&event_path(&w), org, json!({"hall_access": "everyone"})).await;
    assert_problem(status, &body, 422);
    assert_eq!(body["errors"][0]["field"], "hall_access", "{body}");
    let (status, body) = app.patch(&event_path(&w), Some(&eve.token), json!({"hall_access": "attendees"})).await;
    assert_problem(status, &body, 404);
    let (status, event) = app.patch(&event_path(&w), org, json!({"hall_access": "attendees"})).await;
    assert_eq!(status, StatusCode::OK, "{event}");
    assert_eq!(event["hall_access"], "attendees");

    // nobody signed in: to the sign-in page, and back here after it
    for path in [&hall, &booth] {
        let (status, location, _) = page(&app, path, None).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(location.as_deref(), Some(format!("/login?next={path}").as_str()));
    }
    let answer = directory_gql(&app, &w, None).await;
    assert_eq!(error_code(&answer), "UNAUTHENTICATED");
    assert_eq!(answer["data"], json!(null), "{answer}");

    // the event's attendee, its sponsor's staff and its organizer see it
    for who in [&ada, &rep, &w.organizer] {
        let (status, _, html) = page(&app, &booth, Some(&who.token)).await;
        assert_eq!(status, StatusCode::OK, "{}", who.email);
        assert!(html.contains("Ferris Inc"));
        let (status, _, _) = page(&app, &hall, Some(&who.token)).await;
        assert_eq!(status, StatusCode::OK, "{}", who.email);
        let answer = directory_gql(&app, &w, Some(&who.token)).await;
        assert_eq!(answer["data"]["publicEventSponsors"][0]["sponsors"][0]["companyName"], "Ferris Inc");
    }
    // someone signed in who is not the event's: as if there were no such event
    for path in [&hall, &booth] {
        let (status, _, html) = page(&app, path, Some(&eve.token)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(!html.contains("Ferris Inc"));
    }
    let answer = directory_gql(&app, &w, Some(&eve.token)).await;
    assert_eq!(error_code(&answer), "NOT_FOUND");
    // nor may they ask the sponsor for anything there: nothing is recorded
    let (_, _, html) = page(&app, "/events", Some(&eve.token)).await;
    let form = [("_csrf", csrf_of(&html)), ("kind", "demo_request".into()), ("share", "true".into())];
    let res = no_redirects()
        .post(app.url(&format!("{booth}/interest")))
        .header(COOKIE, format!("sponsorhub_session={}", eve.token))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let (_, leads) = app.get(&w.leads_path(""), org).await;
    assert_eq!(leads["items"], json!([]), "{leads}");

    // GraphQL: organizers set it, others are refused
    let set = "mutation($e: ID!, $a: String!) { setEventHallAccess(eventId: $e, hallAccess: $a) { hallAccess } }";
    let answer = gql(&app, &eve.token, set, json!({"e": w.event_id, "a": "public"})).await;
    assert_eq!(error_code(&answer), "NOT_FOUND");
    let answer = gql(&app, &rep.token, set, json!({"e": w.event_id, "a": "public"})).await;
    assert_eq!(error_code(&answer), "NOT_FOUND", "staff are not the organization's: {answer}");
    let answer = gql(&app, &w.organizer.token, set, json!({"e": w.event_id, "a": "nobody"})).await;
    assert_eq!(error_code(&answer), "BAD_USER_INPUT");
    let answer = gql(&app, &w.organizer.token, set, json!({"e": w.event_id, "a": "public"})).await;
    assert_eq!(answer["data"]["setEventHallAccess"]["hallAccess"], "public", "{answer}");
    let (status, _, _) = page(&app, &booth, None).await;
    assert_eq!(status, StatusCode::OK, "public again");

    // the console's event page: the choice shown, a bad one kept at its field
    let edit = format!("/events/{}/edit", w.event_id);
    let (status, _, html) = page(&app, &edit, org).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"name="hall_access" value="public" checked"#), "the current choice");
    let csrf = csrf_of(&html);
    let form = [
        ("_csrf", csrf.as_str()),
        ("name", "RustConf 2026"),
        ("timezone", "UTC"),
        ("consent_rule", "badge_scan"),
        ("hall_access", "friends"),
    ];
    let cookie = format!("sponsorhub_session={}", w.organizer.token);
    let res = no_redirects().post(app.url(&edit)).header(COOKIE, &cookie).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("must be one of: public, attendees"), "the message at the field");
    assert!(html.contains(r#"value="RustConf 2026""#), "the input kept");
    let form = [
        ("_csrf", csrf.as_str()),
        ("name", "RustConf 2026"),
        ("timezone", "UTC"),
        ("consent_rule", "badge_scan"),
        ("hall_access", "attendees"),
    ];
    let res = no_redirects().post(app.url(&edit)).header(COOKIE, &cookie).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, event) = app.get(&event_path(&w), org).await;
    assert_eq!(event["hall_access"], "attendees");
    app.stop().await;
}

async fn staff_say_they_are_at_the_booth(app: TestApp) {
    let w = world(&app).await;
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let (viewer, _) = join_staff(&app, &w, &w.sponsor_id, "viewer@ferris.io", "viewer").await;
    let crab = common::another_sponsor(&app, &w, "Crab Co").await;
    let (crab_admin, _) = join_staff(&app, &w, &crab, "admin@crab.io", "admin").await;
    let presence = format!("/api/v1/sponsors/sponsors/{}/booth/presence", w.sponsor_id);
    let booth = format!("/directory/{}/sponsors/{}", w.event_id, w.sponsor_id);

    // nobody at the booth yet
    let (status, mine) = app.get(&presence, Some(&rep.token)).await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_eq!(mine["at_booth"], false);
    assert_eq!(mine["staff_at_booth"], json!([]));
    let (_, _, html) = page(&app, &booth, None).await;
    assert!(!html.contains("At the booth now"));

    // staff mark themselves, each for themselves; the mark lapses in 4 hours
    let (status, mine) = app.put(&presence, Some(&rep.token), json!({"at_booth": true})).await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_eq!(mine["at_booth"], true);
    let until: chrono::DateTime<chrono::Utc> = mine["until"].as_str().unwrap().parse().unwrap();
    let minutes = (until - chrono::Utc::now()).num_minutes();
    assert!((235..=240).contains(&minutes), "about 4 hours: {minutes} minutes");
    assert_eq!(mine["staff_at_booth"], json!(["rep"]));
    let (status, _) = app.put(&presence, Some(&viewer.token), json!({"at_booth": true})).await;
    assert_eq!(status, StatusCode::OK, "viewers stand at the booth too");
    // the public page shows first names, never an e-mail address
    let (_, _, html) = page(&app, &booth, None).await;
    assert!(html.contains("At the booth now") && html.contains("rep, viewer"), "{html}");
    assert!(!html.contains("rep@ferris.io") && !html.contains("viewer@ferris.io"));

    // outsiders and organizers who are not on the staff are refused; bad bodies too
    let (status, body) = app.put(&presence, Some(&crab_admin.token), json!({"at_booth": true})).await;
    assert_problem(status, &body, 404);
    let (status, body) = app.put(&presence, Some(&w.organizer.token), json!({"at_booth": true})).await;
    assert_problem(status, &body, 403);
    let (status, body) = app.put(&presence, None, json!({"at_booth": true})).await;
    assert_problem(status, &body, 401);
    let (status, body) = app.put(&presence, Some(&rep.token), json!({"at_booth": "yes"})).await;
    assert!(status.is_client_error(), "{status} {body}");

    // leaving, and a mark that lapsed, show nobody
    let (status, mine) = app.put(&presence, Some(&viewer.token), json!({"at_booth": false})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mine["at_booth"], false);
    assert_eq!(mine["staff_at_booth"], json!(["rep"]));
    {
        let store = &app.server.state.services.store;
        let mut tx = store.write().await.unwrap();
        let lapsed = chrono::Utc::now() - chrono::Duration::minutes(1);
        let sponsor = w.sponsor_id.parse().unwrap();
        sponsorhub_store::presence::set(&mut tx, sponsor, rep.user_id.parse().unwrap(), lapsed).await.unwrap();
        tx.commit().await.unwrap();
    }
    let (_, mine) = app.get(&presence, Some(&rep.token)).await;
    assert_eq!(mine["at_booth"], false, "lapsed: {mine}");
    let (_, _, html) = page(&app, &booth, None).await;
    assert!(!html.contains("At the booth now"));

    // the portal's home: the button, then the time it lapses
    let (_, _, html) = page(&app, "/portal", Some(&rep.token)).await;
    assert!(html.contains("I&#39;m at the booth") || html.contains("I'm at the booth"), "{html}");
    let csrf = csrf_of(&html);
    let res = no_redirects()
        .post(app.url(&format!("/portal/sponsors/{}/presence", w.sponsor_id)))
        .header(COOKIE, format!("sponsorhub_session={}", rep.token))
        .form(&[("_csrf", csrf.as_str()), ("at_booth", "true")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, _, html) = page(&app, "/portal", Some(&rep.token)).await;
    assert!(html.contains("Attendees see you at the booth until"), "{html}");
    let (_, _, html) = page(&app, &booth, None).await;
    assert!(html.contains("At the booth now"));
    app.stop().await;
}

/// The kinds of interaction of the sponsor's leads, sorted, per lead e-mail.
async fn interactions_of(app: &TestApp, w: &common::World, token: &str, email: &str) -> Vec<String> {
    let (_, leads) = app.get(&w.leads_path(""), Some(token)).await;
    let Some(lead) = leads["items"].as_array().unwrap().iter().find(|l| l["user_email"] == email) else {
        return Vec::new();
    };
    let (_, detail) = app.get(&w.leads_path(&format!("/{}", lead["id"].as_str().unwrap())), Some(token)).await;
    let mut kinds: Vec<String> = detail["interactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["interaction_type"].as_str().unwrap().to_string())
        .collect();
    kinds.sort();
    kinds
}

async fn opening_a_booth_is_a_visit_once_shared(app: TestApp) {
    let w = world(&app).await;
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let booth = format!("/directory/{}/sponsors/{}", w.event_id, w.sponsor_id);
    let ada = app.signup("ada@visitors.io", "Ada's own").await;

    // before sharing anything: opening records nothing
    let (status, _, html) = page(&app, &booth, Some(&ada.token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(interactions_of(&app, &w, &rep.token, "ada@visitors.io").await, Vec::<String>::new());
    // staff typed Bob in: his account's lead, but he shared nothing himself
    let bob = app.signup("bob@visitors.io", "Bob's own").await;
    let (status, _) = app
        .post(
            &w.capture_path(),
            Some(&rep.token),
            json!({"interaction_type": "qr_scan", "attendee": {"email": "bob@visitors.io", "name": "Bob"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _, _) = page(&app, &booth, Some(&bob.token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        interactions_of(&app, &w, &rep.token, "bob@visitors.io").await,
        ["qr_scan"],
        "no visit without his consent"
    );

    // Ada shares her details with a request
    let form = [("_csrf", csrf_of(&html)), ("kind", "direct_request".into()), ("share", "true".into())];
    let res = no_redirects()
        .post(app.url(&format!("{booth}/interest")))
        .header(COOKIE, format!("sponsorhub_session={}", ada.token))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(interactions_of(&app, &w, &rep.token, "ada@visitors.io").await, ["direct_request"]);

    // now opening the page is a visit: once, however many open at once
    let opens = (0..4).map(|_| page(&app, &booth, Some(&ada.token)));
    for (status, _, _) in futures_util::future::join_all(opens).await {
        assert_eq!(status, StatusCode::OK);
    }
    assert_eq!(interactions_of(&app, &w, &rep.token, "ada@visitors.io").await, ["booth_visit", "direct_request"]);
    // and not again within the hour
    let (status, _, _) = page(&app, &booth, Some(&ada.token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(interactions_of(&app, &w, &rep.token, "ada@visitors.io").await, ["booth_visit", "direct_request"]);
    let (_, leads) = app.get(&w.leads_path(""), Some(&rep.token)).await;
    let lead = leads["items"].as_array().unwrap().iter().find(|l| l["user_email"] == "ada@visitors.io").unwrap();
    assert_eq!(lead["interaction_count"], 2);
    assert_eq!(lead["consent_basis"], "attendee");
    // another sponsor's page is another sponsor's visit: nothing shared there
    let crab = common::another_sponsor(&app, &w, "Crab Co").await;
    let (status, _, _) = page(&app, &format!("/directory/{}/sponsors/{crab}", w.event_id), Some(&ada.token)).await;
    assert_eq!(status, StatusCode::OK);
    let (_, crab_leads) = app.get(&format!("/api/v1/sponsors/sponsors/{crab}/leads"), Some(&w.organizer.token)).await;
    assert_eq!(crab_leads["items"], json!([]), "{crab_leads}");
    app.stop().await;
}

async fn the_platform_reports_session_attendance(app: TestApp) {
    let w = world(&app).await;
    let org = Some(w.organizer.token.as_str());
    let tokens = format!("{}/service-tokens", event_path(&w));
    let report = format!("/api/v1/sponsors/events/{}/session-attendance", w.event_id);
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    for (name, email, platform_id) in [("Ada", "ada@visitors.io", "p-ada"), ("Bea", "bea@visitors.io", "p-bea")] {
        let body = json!({"name": name, "email": email, "platform_id": platform_id});
        let (status, _) = app.post(&format!("{}/attendees", event_path(&w)), org, body).await;
        assert_eq!(status, StatusCode::CREATED);
    }

    // organizers issue a token; its secret is shown once, and listed never
    let (status, body) = app.post(&tokens, Some(&rep.token), json!({"name": "Platform"})).await;
    assert_problem(status, &body, 404);
    let (status, body) = app.post(&tokens, org, json!({"name": ""})).await;
    assert_problem(status, &body, 422);
    assert_eq!(body["errors"][0]["field"], "name");
    let (status, issued) = app.post(&tokens, org, json!({"name": "Platform sessions"})).await;
    assert_eq!(status, StatusCode::CREATED, "{issued}");
    let secret = issued["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("shs_") && secret.len() > 40, "{secret}");
    let (_, list) = app.get(&tokens, org).await;
    assert_eq!(list["items"][0]["name"], "Platform sessions");
    assert!(!list.to_string().contains(&secret[4..]), "no secret in the list: {list}");
    assert!(list["items"][0].get("token_hash").is_none());

    // the platform reports Ada at a session of the sponsor
    let attended = |attendee: Value| json!({"sponsor_id": w.sponsor_id, "attendee": attendee, "session_title": "Rust in production"});
    let (status, receipt) = app.post(&report, Some(&secret), attended(json!({"platform_id": "p-ada"}))).await;
    assert_eq!(status, StatusCode::CREATED, "{receipt}");
    assert_eq!(receipt["interaction_type"], "session_attendance");
    assert_eq!(receipt["points"], 15);
    let (_, leads) = app.get(&w.leads_path(""), Some(&rep.token)).await;
    let lead = &leads["items"][0];
    assert_eq!(lead["user_name"], "Ada", "{leads}");
    assert_eq!(lead["consent_basis"], "badge_scan", "the event's rule: as a badge at the session's door");
    let (_, detail) = app.get(&w.leads_path(&format!("/{}", lead["id"].as_str().unwrap())), Some(&rep.token)).await;
    let interaction = &detail["interactions"][0];
    assert_eq!(interaction["metadata"]["session_title"], "Rust in production", "{detail}");
    assert_eq!(interaction["captured_by_user_id"], json!(null), "nobody on the staff captured it");
    // by e-mail address too
    let (status, _) = app.post(&report, Some(&secret), attended(json!({"email": "BEA@visitors.io"}))).await;
    assert_eq!(status, StatusCode::CREATED);

    // no token, a wrong one, an account's token: 401; nothing recorded
    let (status, body) = app.post(&report, None, attended(json!({"platform_id": "p-ada"}))).await;
    assert_problem(status, &body, 401);
    let (status, body) = app.post(&report, Some("shs_not-a-token"), attended(json!({"platform_id": "p-ada"}))).await;
    assert_problem(status, &body, 401);
    let (status, body) = app.post(&report, org, attended(json!({"platform_id": "p-ada"}))).await;
    assert_problem(status, &body, 401);
    // another event's token finds no such event
    let (_, other) =
        app.post(&format!("/api/v1/organizations/{}/events", w.organizer.org_id), org, json!({"name": "Other"})).await;
    let other_tokens =
        format!("/api/v1/organizations/{}/events/{}/service-tokens", w.organizer.org_id, other["id"].as_str().unwrap());
    let (_, other_issued) = app.post(&other_tokens, org, json!({"name": "Other platform"})).await;
    let other_secret = other_issued["secret"].as_str().unwrap();
    let (status, body) = app.post(&report, Some(other_secret), attended(json!({"platform_id": "p-ada"}))).await;
    assert_problem(status, &body, 404);
    // bad reports are named at their fields
    let (status, body) = app.post(&report, Some(&secret), attended(json!({"email": "nobody@visitors.io"}))).await;
    assert_problem(status, &body, 422);
    assert_eq!(body["errors"][0]["field"], "attendee", "{body}");
    let (status, body) = app
        .post(&report, Some(&secret), json!({"sponsor_id": w.sponsor_id, "attendee": {}, "session_title": ""}))
        .await;
    assert_problem(status, &body, 422);
    let mut fields: Vec<&str> =
        body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    fields.sort();
    assert_eq!(fields, ["attendee", "session_title"], "{body}");
    let (status, body) = app
        .post(
            &report,
            Some(&secret),
            json!({"sponsor_id": other["id"], "attendee": {"platform_id": "p-ada"}, "session_title": "x"}),
        )
        .await;
    assert_problem(status, &body, 404);
    let (_, stats) = app.get(&w.leads_path("/stats"), org).await;
    assert_eq!(stats["total"], 2, "{stats}");

    // under opt_in, only an attendee who opted in to the sponsor
    let (status, _) = app.patch(&event_path(&w), org, json!({"consent_rule": "opt_in"})).await;
    assert_eq!(status, StatusCode::OK);
    let crab = common::another_sponsor(&app, &w, "Crab Co").await;
    let to_crab = json!({"sponsor_id": crab, "attendee": {"platform_id": "p-bea"}, "session_title": "Crabs"});
    let (status, body) = app.post(&report, Some(&secret), to_crab.clone()).await;
    assert_problem(status, &body, 422);
    assert_eq!(body["errors"][0]["field"], "attendee");
    let bea = app.signup("bea@visitors.io", "Bea's own").await;
    let (status, _) =
        app.put(&format!("/api/v1/events/{}/sponsors/{crab}/consent", w.event_id), Some(&bea.token), json!({})).await;
    assert!(status.is_success(), "{status}");
    let (status, _) = app.post(&report, Some(&secret), to_crab.clone()).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, crab_leads) = app.get(&format!("/api/v1/sponsors/sponsors/{crab}/leads"), org).await;
    assert_eq!(crab_leads["items"][0]["consent_basis"], "opt_in", "{crab_leads}");

    // a revoked token stops at once
    let id = issued["id"].as_str().unwrap();
    let (status, revoked) = app.delete(&format!("{tokens}/{id}"), org).await;
    assert_eq!(status, StatusCode::OK);
    assert!(revoked["revoked_at"].is_string());
    let (status, body) = app.post(&report, Some(&secret), to_crab).await;
    assert_problem(status, &body, 401);
    app.stop().await;
}

fn csrf_of(html: &str) -> String {
    let at = html.find(r#"name="_csrf" value=""#).expect("a form with a CSRF token");
    let rest = &html[at + r#"name="_csrf" value=""#.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}
