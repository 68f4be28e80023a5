//! Booth pages over HTTP, on SQLite and PostgreSQL: who reads and writes them,
//! the Markdown rendered and sanitized, the checks at each field, the public
//! sponsor page showing them, and the portal's editor keeping what was typed.

mod common;

use common::{another_sponsor, join_staff, world};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION};
use serde_json::json;
use sponsorhub_testkit::{TestApp, assert_problem, dual_backend};

dual_backend!(
    staff_who_manage_the_booth_write_its_page,
    the_public_page_shows_the_booth,
    the_editor_keeps_what_was_typed,
    attendees_ask_for_a_demo_and_become_leads,
);

fn booth_path(sponsor: &str) -> String {
    format!("/api/v1/sponsors/sponsors/{sponsor}/booth")
}

async fn staff_who_manage_the_booth_write_its_page(app: TestApp) {
    let w = world(&app).await;
    let (admin, _) = join_staff(&app, &w, &w.sponsor_id, "admin@ferris.io", "admin").await;
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let other = another_sponsor(&app, &w, "Crab Co").await;
    let (crab, _) = join_staff(&app, &w, &other, "admin@crab.io", "admin").await;

    // nothing written yet: an empty page
    let (status, empty) = app.get(&booth_path(&w.sponsor_id), Some(&rep.token)).await;
    assert_eq!(status, StatusCode::OK, "{empty}");
    assert_eq!(empty["updated_at"], json!(null));
    assert_eq!(empty["links"], json!([]));

    let page = json!({
        "hall": "Hall B",
        "description": "# Ferris\n\n**Memory safe** tooling. [Docs](https://docs.ferris.io) [x](javascript:alert(1))\n\n<script>alert(1)</script>",
        "opening_hours": [
            {"day": "2026-09-09", "opens": "10:00", "closes": "16:00"},
            {"day": "2026-09-08", "opens": "9:00", "closes": "17:30"}
        ],
        "links": [{"label": "Careers", "url": "https://ferris.io/jobs"}],
        "demo_video_url": "https://video.ferris.io/demo"
    });
    // a representative does not manage the booth; another sponsor's admin is an outsider
    let (status, body) = app.put(&booth_path(&w.sponsor_id), Some(&rep.token), page.clone()).await;
    assert_problem(status, &body, 403);
    let (status, body) = app.put(&booth_path(&w.sponsor_id), Some(&crab.token), page.clone()).await;
    assert_problem(status, &body, 404);
    let (status, body) = app.put(&booth_path(&w.sponsor_id), None, page.clone()).await;
    assert_problem(status, &body, 401);

    let (status, saved) = app.put(&booth_path(&w.sponsor_id), Some(&admin.token), page.clone()).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let html = saved["description_html"].as_str().unwrap();
    assert!(html.contains("<h1>Ferris</h1>") && html.contains("<strong>Memory safe</strong>"), "{html}");
    assert!(html.contains(r#"href="https://docs.ferris.io""#), "{html}");
    assert!(!html.contains("javascript:") && !html.contains("<script"), "{html}");
    assert_eq!(saved["description"], page["description"], "the Markdown is kept as written");
    // hours sorted by day, times as HH:MM
    assert_eq!(saved["opening_hours"][0], json!({"day": "2026-09-08", "opens": "09:00", "closes": "17:30"}));
    // organizers write it too, and everyone on the staff reads it
    let (status, _) = app.put(&booth_path(&w.sponsor_id), Some(&w.organizer.token), page.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let (status, read) = app.get(&booth_path(&w.sponsor_id), Some(&rep.token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["hall"], "Hall B");
    let (status, body) = app.get(&booth_path(&w.sponsor_id), Some(&crab.token)).await;
    assert_problem(status, &body, 404);

    // each bad value is named at its field, and nothing is written
    let bad = json!({
        "hall": "x".repeat(101),
        "description": "fine",
        "opening_hours": [{"day": "2026-09-08", "opens": "17:00", "closes": "09:00"}],
        "links": [{"label": "Docs", "url": "ftp://docs"}],
        "demo_video_url": "not a url"
    });
    let (status, body) = app.put(&booth_path(&w.sponsor_id), Some(&admin.token), bad).await;
    assert_problem(status, &body, 422);
    let mut fields: Vec<&str> =
        body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    fields.sort();
    assert_eq!(fields, ["demo_video_url", "hall", "links[0].url", "opening_hours[0].closes"], "{body}");
    let (_, read) = app.get(&booth_path(&w.sponsor_id), Some(&rep.token)).await;
    assert_eq!(read["hall"], "Hall B", "the refused page changed nothing");
    app.stop().await;
}

async fn the_public_page_shows_the_booth(app: TestApp) {
    let w = world(&app).await;
    let page = json!({
        "hall": "Hall B",
        "description": "Come see **the demo**.\n\n<img src=x onerror=alert(1)>",
        "opening_hours": [{"day": "2026-09-08", "opens": "09:00", "closes": "17:00"}],
        "links": [{"label": "Careers", "url": "https://ferris.io/jobs"}],
        "demo_video_url": "https://video.ferris.io/demo"
    });
    let (status, _) = app.put(&booth_path(&w.sponsor_id), Some(&w.organizer.token), page).await;
    assert_eq!(status, StatusCode::OK);
    let res =
        app.client.get(app.url(&format!("/directory/{}/sponsors/{}", w.event_id, w.sponsor_id))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("<strong>the demo</strong>"), "the rendered Markdown");
    assert!(!html.contains("<img src=x"), "raw HTML is shown as text, never run");
    assert!(html.contains("Hall B") && html.contains("09:00") && html.contains("17:00"));
    assert!(html.contains(r#"href="https://ferris.io/jobs""#) && html.contains("Demo video"));
    assert!(html.contains("Sign in</a> to ask"), "signed out: a way to sign in, no form");
    app.stop().await;
}

async fn the_editor_keeps_what_was_typed(app: TestApp) {
    let w = world(&app).await;
    let (admin, _) = join_staff(&app, &w, &w.sponsor_id, "admin@ferris.io", "admin").await;
    let web = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let cookie = format!("sponsorhub_session={}", admin.token);
    let path = format!("/portal/sponsors/{}/booth-page", w.sponsor_id);
    let html = web.get(app.url(&path)).header(COOKIE, &cookie).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&html);
    let description = "Long **notes** ".repeat(200);
    let form = [
        ("_csrf", csrf.as_str()),
        ("hall", "Hall C"),
        ("description", description.as_str()),
        ("hours", "2026-09-08 09:00-17:00\nsometime"),
        ("links", "Docs | https://docs.ferris.io"),
        ("demo_video_url", ""),
    ];
    let res = web.post(app.url(&path)).header(COOKIE, &cookie).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("line 2: write a day and two times"), "the error names the line");
    assert!(html.contains("Long **notes** Long"), "the description is kept");
    assert!(html.contains("Docs | https://docs.ferris.io"), "the links are kept");
    // a link the service refuses is named by its line too
    let form = [
        ("_csrf", csrf.as_str()),
        ("hall", "Hall C"),
        ("description", "Hi"),
        ("hours", ""),
        ("links", "Docs | https://docs.ferris.io\nBad | ftp://x"),
        ("demo_video_url", ""),
    ];
    let res = web.post(app.url(&path)).header(COOKIE, &cookie).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("line 2: must be an http(s) URL"));
    let form = [
        ("_csrf", csrf.as_str()),
        ("hall", "Hall C"),
        ("description", "Hi"),
        ("hours", "2026-09-08 09:00-17:00"),
        ("links", "Docs | https://docs.ferris.io"),
        ("demo_video_url", ""),
    ];
    let res = web.post(app.url(&path)).header(COOKIE, &cookie).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[LOCATION], path.as_str());
    let (_, read) = app.get(&booth_path(&w.sponsor_id), Some(&admin.token)).await;
    assert_eq!(read["hall"], "Hall C");
    assert_eq!(read["links"][0]["url"], "https://docs.ferris.io");
    app.stop().await;
}

fn csrf_of(html: &str) -> String {
    let at = html.find(r#"name="_csrf" value=""#).expect("a form with a CSRF token");
    let rest = &html[at + r#"name="_csrf" value=""#.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

async fn attendees_ask_for_a_demo_and_become_leads(app: TestApp) {
    let w = world(&app).await;
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let page = json!({"demo_video_url": "https://video.ferris.io/demo"});
    let (status, _) = app.put(&booth_path(&w.sponsor_id), Some(&w.organizer.token), page).await;
    assert_eq!(status, StatusCode::OK);
    let ada = app.signup("ada@visitors.io", "Ada's own").await;
    let web = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let cookie = format!("sponsorhub_session={}", ada.token);
    let path = format!("/directory/{}/sponsors/{}", w.event_id, w.sponsor_id);
    let html = web.get(app.url(&path)).header(COOKIE, &cookie).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Share my name and e-mail address with Ferris Inc"), "signed in: the form");
    let csrf = csrf_of(&html);
    let post = |form: Vec<(&'static str, String)>| {
        web.post(app.url(&format!("{path}/interest"))).header(COOKIE, &cookie).form(&form).send()
    };

    // without the consent: nothing recorded, the question at its box
    let res = post(vec![("_csrf", csrf.clone()), ("kind", "demo_request".into())]).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("tick the box to share your name and e-mail address with Ferris Inc"));
    let (_, leads) = app.get(&w.leads_path(""), Some(&rep.token)).await;
    assert_eq!(leads["items"], json!([]), "nothing recorded: {leads}");
    // only the attendee's own kinds of interaction
    let res = post(vec![("_csrf", csrf.clone()), ("kind", "qr_scan".into()), ("share", "true".into())]).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // with it: a lead of the attendee's own, with the request
    let res =
        post(vec![("_csrf", csrf.clone()), ("kind", "demo_request".into()), ("share", "true".into())]).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[LOCATION], path.as_str());
    let (_, leads) = app.get(&w.leads_path(""), Some(&rep.token)).await;
    let lead = &leads["items"][0];
    assert_eq!(lead["user_email"], "ada@visitors.io", "{leads}");
    assert_eq!(lead["consent_basis"], "attendee");
    assert_eq!(lead["interaction_count"], 1);
    // shared once: the page says so and asks no more (and opening it is now a
    // visit: tests/expo_hall.rs)
    let html = web.get(app.url(&path)).header(COOKIE, &cookie).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("You share your name and e-mail address with Ferris Inc"));
    assert!(!html.contains(r#"name="share""#));
    // watching the demo adds to the same lead, then goes to the video
    let res = post(vec![("_csrf", csrf.clone()), ("kind", "demo_watched".into())]).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[LOCATION], "https://video.ferris.io/demo");
    let (_, leads) = app.get(&w.leads_path(""), Some(&rep.token)).await;
    assert_eq!(leads["items"].as_array().unwrap().len(), 1);
    assert_eq!(leads["items"][0]["interaction_count"], 3);
    let id = leads["items"][0]["id"].as_str().unwrap();
    let (_, detail) = app.get(&w.leads_path(&format!("/{id}")), Some(&rep.token)).await;
    let mut kinds: Vec<&str> =
        detail["interactions"].as_array().unwrap().iter().map(|i| i["interaction_type"].as_str().unwrap()).collect();
    kinds.sort();
    assert_eq!(kinds, ["booth_visit", "demo_request", "demo_watched"], "{detail}");
    // signed out: no request at all
    let res = web.post(app.url(&format!("{path}/interest"))).form(&[("kind", "demo_request")]).send().await.unwrap();
    assert!(res.status().is_redirection() || res.status().is_client_error(), "{}", res.status());
    app.stop().await;
}
