//! The web UI without a browser, on SQLite and PostgreSQL: the session cookie, CSRF
//! on forms, the Origin check on cookie-authenticated API calls, error pages, the
//! live lead feed (server-sent events) and the public directory.

mod common;

use common::{another_sponsor, join_staff, world};
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, ORIGIN, SET_COOKIE};
use reqwest::{Client, StatusCode};
use serde_json::json;
use sponsorhub_testkit::{TestApp, dual_backend};
use std::time::{Duration, Instant};

dual_backend!(
    sessions_and_csrf,
    cookie_api_calls_need_this_origin,
    pages_map_service_outcomes,
    live_feed_streams_captures_and_changes,
    dashboard_pages_both_ways_with_a_count,
    refused_lead_forms_keep_what_was_typed,
    event_page_shows_each_sponsors_team_invitations_and_leads,
    a_person_with_several_places_lands_on_a_list_of_them,
);

fn browser() -> Client {
    Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// `name=value` of a Set-Cookie header for `name`, with its attributes.
fn set_cookie(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_string)
}

fn cookie_value(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().split_once('=').unwrap().1.to_string()
}

/// The CSRF token a page's forms carry.
fn csrf_of(html: &str) -> String {
    let at = html.find(r#"name="_csrf" value=""#).expect("a form with a CSRF token");
    let rest = &html[at + r#"name="_csrf" value=""#.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

async fn sessions_and_csrf(app: TestApp) {
    let web = browser();
    // A visitor gets the pre-session cookie, and the login form a token bound to it.
    let res = web.get(app.url("/login")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()[CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    assert!(res.headers().contains_key("content-security-policy"));
    let pre = set_cookie(&res, "sponsorhub_pre").expect("pre-session cookie");
    assert!(pre.contains("HttpOnly") && pre.contains("SameSite=Lax"), "{pre}");
    let login_page = res.text().await.unwrap();
    assert!(login_page.contains("Sponsorhub runs the sponsorship side of your event"), "it says what it is");
    let pre_cookie = format!("sponsorhub_pre={}", cookie_value(&pre));
    let csrf = csrf_of(&login_page);

    let form = [
        ("name", "Olivia"),
        ("email", "olivia@acme.test"),
        ("password", "correct horse battery"),
        ("organization_name", "Acme Events"),
        ("next", "/events"),
    ];
    // Without the token, or with another browser's, the form is refused.
    let res = web.post(app.url("/signup")).header(COOKIE, &pre_cookie).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("Form expired"));
    let mut with_csrf = form.to_vec();
    with_csrf.push(("_csrf", &csrf));
    let res = web
        .post(app.url("/signup"))
        .header(COOKIE, "sponsorhub_pre=someone-else")
        .form(&with_csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Nothing was created by the refused forms.
    let (status, _) = app
        .post("/api/v1/auth/login", None, json!({"email": "olivia@acme.test", "password": "correct horse battery"}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // With it: the account, and the session cookie.
    let res = web.post(app.url("/signup")).header(COOKIE, &pre_cookie).form(&with_csrf).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[LOCATION], "/events");
    let session = set_cookie(&res, "sponsorhub_session").expect("session cookie");
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age="] {
        assert!(session.contains(attr), "{attr} missing in {session}");
    }
    assert!(!session.contains("Secure"), "http public URL: no Secure flag");
    let cookie = format!("sponsorhub_session={}", cookie_value(&session));

    // Signed in: pages render; forms carry a token bound to the session now.
    let res = web.get(app.url("/events")).header(COOKIE, &cookie).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("Acme Events") && html.contains("New event"));
    let csrf = csrf_of(&html);
    let res = web.post(app.url("/logout")).header(COOKIE, &cookie).form(&[("_csrf", "forged")]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "a POST without a valid token is refused");

    // Signed out: pages send the visitor to the login page and back.
    let res = web.get(app.url("/events")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[LOCATION], "/login?next=/events");

    // The stylesheet and script come from the binary, and set no cookie.
    for (path, kind) in [("/assets/app.css", "text/css"), ("/assets/app.js", "text/javascript")] {
        let res = web.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers()[CONTENT_TYPE].to_str().unwrap().starts_with(kind));
        assert!(res.headers().get(SET_COOKIE).is_none(), "{path} sets a cookie");
    }

    // Wrong password: the form again, with a message and no cookie.
    let res = web.get(app.url("/login")).send().await.unwrap();
    let pre2 = format!("sponsorhub_pre={}", cookie_value(&set_cookie(&res, "sponsorhub_pre").unwrap()));
    let login_csrf = csrf_of(&res.text().await.unwrap());
    let res = web
        .post(app.url("/login"))
        .header(COOKIE, &pre2)
        .form(&[("_csrf", login_csrf.as_str()), ("email", "olivia@acme.test"), ("password", "wrong password")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(set_cookie(&res, "sponsorhub_session").is_none());
    assert!(res.text().await.unwrap().contains("Wrong e-mail address or password."));

    // Log out: the cookie is cleared.
    let res = web.post(app.url("/logout")).header(COOKIE, &cookie).form(&[("_csrf", csrf)]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let cleared = set_cookie(&res, "sponsorhub_session").unwrap();
    assert!(cleared.starts_with("sponsorhub_session=;") && cleared.contains("Max-Age=0"), "{cleared}");
    app.stop().await;
}

async fn cookie_api_calls_need_this_origin(app: TestApp) {
    let organizer = app.signup("olivia@acme.test", "Acme Events").await;
    // The session cookie holds a token minted by the token service, like this one.
    let cookie = format!("sponsorhub_session={}", organizer.token);
    let web = browser();
    let path = format!("/api/v1/organizations/{}/events", organizer.org_id);

    // Reads need no Origin.
    let res = web.get(app.url("/api/v1/auth/me")).header(COOKIE, &cookie).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    // Writes need this site's Origin (or Referer).
    let body = json!({"name": "RustConf"});
    let res = web.post(app.url(&path)).header(COOKIE, &cookie).json(&body).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "no Origin");
    let res = web
        .post(app.url(&path))
        .header(COOKIE, &cookie)
        .header(ORIGIN, "https://evil.example")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "another site's Origin");
    let res = web
        .post(app.url(&path))
        .header(COOKIE, &cookie)
        .header(ORIGIN, app.server.url())
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED, "this site's Origin");
    let res = web
        .post(app.url(&path))
        .header(COOKIE, &cookie)
        .header("referer", app.url("/events"))
        .json(&json!({"name": "EuroRust"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED, "this site's Referer");

    // Bearer calls need no Origin, even beside a cookie.
    let res = web
        .post(app.url(&path))
        .header(COOKIE, "sponsorhub_session=garbage")
        .bearer_auth(&organizer.token)
        .json(&json!({"name": "RustWeek"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);

    // GraphQL: the cookie counts only from this site.
    let query = json!({"query": "{ mySponsors { sponsor { id } } }"});
    let res = web.post(app.url("/graphql")).header(COOKIE, &cookie).json(&query).send().await.unwrap();
    let v: serde_json::Value = res.json().await.unwrap();
    assert_eq!(v["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{v}");
    let res = web
        .post(app.url("/graphql"))
        .header(COOKIE, &cookie)
        .header(ORIGIN, app.server.url())
        .json(&query)
        .send()
        .await
        .unwrap();
    let v: serde_json::Value = res.json().await.unwrap();
    assert!(v["errors"].is_null() && v["data"]["mySponsors"].is_array(), "{v}");
    app.stop().await;
}

async fn pages_map_service_outcomes(app: TestApp) {
    let w = world(&app).await;
    let (staff, _) = join_staff(&app, &w, &w.sponsor_id, "viewer@ferris.io", "viewer").await;
    let (blind, blind_id) = join_staff(&app, &w, &w.sponsor_id, "blind@ferris.io", "viewer").await;
    let (status, _) = app
        .patch(
            &w.org_path(&format!("/sponsor-users/{blind_id}")),
            Some(&w.organizer.token),
            json!({"can_view_leads": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let stranger = app.signup("stranger@elsewhere.io", "Elsewhere").await;
    let web = browser();
    let get =
        |token: &str, path: &str| web.get(app.url(path)).header(COOKIE, format!("sponsorhub_session={token}")).send();

    // The organizer's sponsor management page, with the sponsor's card.
    let res = get(&w.organizer.token, &format!("/events/{}", w.event_id)).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    for text in ["Ferris Inc", "Gold", "Add sponsor", "Invite representative", "Platinum"] {
        assert!(html.contains(text), "{text} missing");
    }
    // Another organization's event, and a missing one: the 404 page.
    for path in [format!("/events/{}", w.event_id), format!("/events/{}", uuid_like())] {
        let res = get(&stranger.token, &path).await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        let page = res.text().await.unwrap();
        assert!(page.contains("Not found"));
        assert!(
            page.contains(r#"<nav class="mainnav""#) && page.contains(r#"href="/portal""#),
            "error pages keep the navigation"
        );
    }
    // Unknown paths: the 404 page for browsers, problem+json for API clients.
    let res = web.get(app.url("/no/such/page")).header("accept", "text/html").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.headers()[CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    let (status, body) = app.get("/no/such/page", None).await;
    assert_eq!((status, body["status"].as_i64()), (StatusCode::NOT_FOUND, Some(404)));

    // The start page: organizers go to their events, staff to the portal.
    let res = get(&w.organizer.token, "/").await.unwrap();
    assert_eq!(res.headers()[LOCATION], "/events");
    let res = get(&staff.token, "/").await.unwrap();
    assert_eq!(res.headers()[LOCATION], "/portal");

    // A viewer sees the leads dashboard, without the capture tab.
    let res = get(&staff.token, &format!("/portal/sponsors/{}/leads", w.sponsor_id)).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("No leads yet"));
    assert!(!html.contains(">Capture<"), "viewers get no capture tab");
    // The team page of a viewer is read-only; a stranger's is missing.
    let res = get(&staff.token, &format!("/portal/sponsors/{}/team", w.sponsor_id)).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(!res.text().await.unwrap().contains("Invite a team member"));
    let res = get(&stranger.token, &format!("/portal/sponsors/{}/leads", w.sponsor_id)).await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Staff without the view-leads permission: the 403 page, in the service's words.
    let res = get(&blind.token, &format!("/portal/sponsors/{}/leads", w.sponsor_id)).await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let html = res.text().await.unwrap();
    assert!(html.contains("Not allowed") && html.contains("You may not view leads for this sponsor."), "{html}");

    // A form with invalid fields comes back with the service's field errors.
    let page = get(&w.organizer.token, &format!("/events/{}", w.event_id)).await.unwrap().text().await.unwrap();
    let res = web
        .post(app.url(&format!("/events/{}/sponsors", w.event_id)))
        .header(COOKIE, format!("sponsorhub_session={}", w.organizer.token))
        .form(&[("_csrf", csrf_of(&page).as_str()), ("company_name", ""), ("company_website", "not a url")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"data-open="true""#), "the dialog opens again");
    assert!(html.matches("field-error").count() >= 2, "both fields are marked");

    // The invitation page: a bad token is a 404 page; the public directory needs no sign-in.
    let res = web.get(app.url("/invitations/accept?token=nope")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = web.get(app.url(&format!("/directory/{}", w.event_id))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("Ferris Inc") && html.contains("Gold") && html.contains("RustConf"));
    app.stop().await;
}

fn uuid_like() -> String {
    "0190c0de-0000-7000-8000-000000000000".into()
}

/// Reads the event stream until `what` shows up, at most `within`.
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

async fn live_feed_streams_captures_and_changes(app: TestApp) {
    let w = world(&app).await;
    let (staff, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let stranger = app.signup("stranger@elsewhere.io", "Elsewhere").await;
    let feed = format!("/portal/sponsors/{}/events", w.sponsor_id);

    // Only those who may read the sponsor's leads get the feed.
    let res = browser()
        .get(app.url(&feed))
        .header(COOKIE, format!("sponsorhub_session={}", stranger.token))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    let mut res = browser()
        .get(app.url(&feed))
        .header(COOKIE, format!("sponsorhub_session={}", staff.token))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()[CONTENT_TYPE].to_str().unwrap().starts_with("text/event-stream"));
    let mut buf = String::new();

    let t0 = Instant::now();
    let (status, lead) = app
        .post(
            &w.capture_path(),
            Some(&staff.token),
            json!({"interaction_type": "booth_visit", "attendee": {"email": "ada@corp.io", "name": "Ada <script>"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{lead}");
    assert!(read_until(&mut res, &mut buf, "event: lead.captured.new", Duration::from_secs(1)).await, "{buf}");
    assert!(read_until(&mut res, &mut buf, "\n\n", Duration::from_secs(1)).await);
    assert!(t0.elapsed() < Duration::from_secs(1));
    assert!(buf.contains(lead["id"].as_str().unwrap()));
    let data = buf.lines().find_map(|l| l.strip_prefix("data: ")).expect("a data line");
    let data: serde_json::Value = serde_json::from_str(data).unwrap();
    let row = data["html"].as_str().unwrap();
    assert!(row.contains("Ada &#60;script&#62;") && !row.contains("<script>"), "the row is escaped: {row}");
    assert_eq!(data["intentLevel"], "cold");

    // A second interaction: the score change.
    buf.clear();
    app.post(
        &w.capture_path(),
        Some(&staff.token),
        json!({"interaction_type": "demo_request", "attendee": {"email": "ada@corp.io"}}),
    )
    .await;
    assert!(read_until(&mut res, &mut buf, "event: lead.intent.updated", Duration::from_secs(1)).await, "{buf}");
    assert!(read_until(&mut res, &mut buf, "\n\n", Duration::from_secs(1)).await);
    assert!(buf.contains(r#""intentScore":45"#) && buf.contains(r#""intentLevel":"warm""#), "{buf}");

    // A follow-up change by someone else: the new row.
    buf.clear();
    let (status, _) = app
        .patch(
            &w.leads_path(&format!("/{}", lead["id"].as_str().unwrap())),
            Some(&w.organizer.token),
            json!({"is_starred": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(read_until(&mut res, &mut buf, "event: lead.updated", Duration::from_secs(1)).await, "{buf}");

    // Another sponsor's leads never reach this feed.
    buf.clear();
    let other = common::another_sponsor(&app, &w, "Crab Labs").await;
    let (staff2, _) = join_staff(&app, &w, &other, "booth@crab.io", "booth_staff").await;
    let path = format!("/api/v1/sponsors/events/{}/sponsors/{other}/capture-lead", w.event_id);
    let (status, _) = app
        .post(&path, Some(&staff2.token), json!({"interaction_type": "qr_scan", "attendee": {"email": "bob@corp.io"}}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(!read_until(&mut res, &mut buf, "lead.captured.new", Duration::from_millis(500)).await, "{buf}");

    // Shutting down ends the open feed instead of waiting for it.
    tokio::time::timeout(Duration::from_secs(5), app.stop()).await.expect("a graceful stop despite the open feed");
    drop(res);
}

async fn dashboard_pages_both_ways_with_a_count(app: TestApp) {
    let w = world(&app).await;
    let at = (chrono::Utc::now() - chrono::Duration::minutes(5)).to_rfc3339();
    let captures: Vec<serde_json::Value> = (0..55)
        .map(|i| {
            serde_json::json!({"idempotency_key": format!("k{i}"), "occurred_at": at, "interaction_type": "booth_visit",
                "attendee": {"email": format!("a{i}@corp.io")}})
        })
        .collect();
    let bulk = format!("/api/v1/sponsors/events/{}/sponsors/{}/capture-leads/bulk", w.event_id, w.sponsor_id);
    // two of the staff, as a capture rate limit holds per person
    for (n, part) in captures.chunks(28).enumerate() {
        let (rep, _) = join_staff(&app, &w, &w.sponsor_id, &format!("rep{n}@ferris.io"), "representative").await;
        let (status, body) = app.post(&bulk, Some(&rep.token), serde_json::json!({"captures": part})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body["results"].as_array().unwrap().iter().all(|r| r["status"] == 201), "{body}");
    }
    // one archived lead counts only when archived leads are shown
    let (_, list) = app.get(&w.leads_path("?limit=1"), Some(&w.organizer.token)).await;
    let archived = list["items"][0]["id"].as_str().unwrap().to_string();
    app.patch(
        &w.leads_path(&format!("/{archived}")),
        Some(&w.organizer.token),
        serde_json::json!({"is_archived": true}),
    )
    .await;

    let web = browser();
    let get = |path: String| {
        web.get(app.url(&path)).header("cookie", format!("sponsorhub_session={}", w.organizer.token)).send()
    };
    let href_of = |html: &str, rel: &str| -> Option<String> {
        let at = html.find(&format!("rel=\"{rel}\" href=\""))?;
        let rest = &html[at + rel.len() + 13..];
        Some(rest[..rest.find('"').unwrap()].replace("&amp;", "&"))
    };
    let first = get(format!("/portal/sponsors/{}/leads", w.sponsor_id)).await.unwrap().text().await.unwrap();
    assert!(first.contains("Leads 1–50 of 54"), "the count leaves the archived lead out");
    assert!(href_of(&first, "prev").is_none(), "no previous page on the first");
    let second = get(href_of(&first, "next").expect("a next page")).await.unwrap().text().await.unwrap();
    assert!(second.contains("Leads 51–54 of 54"));
    assert!(href_of(&second, "next").is_none(), "no next page on the last");
    let back = get(href_of(&second, "prev").expect("a previous page")).await.unwrap().text().await.unwrap();
    assert!(back.contains("Leads 1–50 of 54"));
    assert!(href_of(&back, "prev").is_none() && href_of(&back, "next").is_some());
    let all = get(format!("/portal/sponsors/{}/leads?archived=1", w.sponsor_id)).await.unwrap().text().await.unwrap();
    assert!(all.contains("Leads 1–50 of 55"));
    // the leads card counts what the table shows: archived leads left out
    let card = first.split("data-stat=\"total\"").nth(1).expect("the leads card");
    assert!(card[..card.find("</div>").unwrap()].contains(">54<"), "{card:.200}");

    // the interaction types' labels keep their initialisms; the tab icon exists
    let (booth, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let capture = web
        .get(app.url(&format!("/portal/sponsors/{}/capture", w.sponsor_id)))
        .header("cookie", format!("sponsorhub_session={}", booth.token))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(capture.contains("QR scan") && !capture.contains("Qr scan"));
    let icon = web.get(app.url("/favicon.ico")).send().await.unwrap();
    assert_eq!(icon.status(), StatusCode::OK);
    assert_eq!(icon.headers()[CONTENT_TYPE], "image/svg+xml");
}

async fn refused_lead_forms_keep_what_was_typed(app: TestApp) {
    let w = world(&app).await;
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let (status, lead) = app
        .post(
            &w.capture_path(),
            Some(&rep.token),
            json!({"interaction_type": "booth_visit", "attendee": {"email": "a@x.io"}}),
        )
        .await;
    assert!(status.is_success(), "{lead}");
    let page = format!("/portal/sponsors/{}/leads/{}", w.sponsor_id, lead["id"].as_str().unwrap());
    let web = browser();
    let cookie = format!("sponsorhub_session={}", rep.token);
    let html = web.get(app.url(&page)).header(COOKIE, &cookie).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&html);

    // 51 tags and long contact notes: refused, with the notes and tags still there
    let notes = "Met at the booth; wants SSO. ".repeat(300);
    let tags: Vec<String> = (0..51).map(|i| format!("t{i}")).collect();
    let form = [
        ("_csrf", csrf.as_str()),
        ("status", "contacted"),
        ("owner", ""),
        ("due_on", ""),
        ("follow_up_notes", ""),
        ("contact_notes", notes.as_str()),
        ("tags", &tags.join(", ")),
        ("starred", "true"),
    ];
    let res = web.post(app.url(&page)).header(COOKIE, &cookie).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains(notes.trim_end()), "the contact notes are kept");
    assert!(html.contains("t50"), "the tags are kept");
    let at = html.find(r#"id="l-tags-error""#).expect("the error at the tags field");
    assert!(html[at..at + 200].contains("50"), "{}", &html[at..at + 200]);
    assert!(html.contains(r#"<option value="contacted" selected>"#), "the chosen status stays");
    let (_, stored) = app.get(&w.leads_path(&format!("/{}", lead["id"].as_str().unwrap())), Some(&rep.token)).await;
    assert_eq!(stored["follow_up_status"], "new", "nothing was saved");

    // a bad due day: the same
    let form = [("_csrf", csrf.as_str()), ("status", "new"), ("due_on", "soon"), ("contact_notes", "keep me")];
    let res = web.post(app.url(&page)).header(COOKIE, &cookie).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("keep me") && html.contains(r#"id="l-due-error""#));

    // a blank note: its error at the field
    let res = web
        .post(app.url(&format!("{page}/notes")))
        .header(COOKIE, &cookie)
        .form(&[("_csrf", csrf.as_str()), ("body", "   ")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains(r#"id="n-body-error""#));
}

/// The organizer's event page: each sponsor's team with roles, its pending
/// invitations and its lead count (archived leads out), at a number of queries
/// that does not grow with the sponsors.
async fn event_page_shows_each_sponsors_team_invitations_and_leads(app: TestApp) {
    let w = world(&app).await;
    let web = browser();
    let cookie = format!("sponsorhub_session={}", w.organizer.token);
    let page = format!("/events/{}", w.event_id);
    let queries = || app.server.state.services.store.queries_executed();
    let load = || async {
        let res = web.get(app.url(&page)).header(COOKIE, &cookie).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        res.text().await.unwrap()
    };
    let before = queries();
    load().await;
    let one_sponsor = queries() - before;

    let (booth, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    join_staff(&app, &w, &w.sponsor_id, "boss@ferris.io", "admin").await;
    let (status, inv) = app
        .post(
            &w.org_path(&format!("/sponsors/{}/invitations", w.sponsor_id)),
            Some(&w.organizer.token),
            json!({"email": "later@ferris.io", "role": "viewer"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{inv}");
    for email in ["ada@corp.io", "grace@corp.io", "linus@corp.io"] {
        let (status, lead) = app
            .post(
                &w.capture_path(),
                Some(&booth.token),
                json!({"interaction_type": "qr_scan", "attendee": {"email": email}}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{lead}");
    }
    let (_, leads) = app.get(&w.leads_path(""), Some(&booth.token)).await;
    let archived = leads["items"][0]["id"].as_str().unwrap();
    let (status, body) =
        app.patch(&w.leads_path(&format!("/{archived}")), Some(&booth.token), json!({"is_archived": true})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for name in ["Gopher GmbH", "Duke AG", "Tux Ltd"] {
        let other = another_sponsor(&app, &w, name).await;
        join_staff(
            &app,
            &w,
            &other,
            &format!("rep@{}.io", name.split(' ').next().unwrap().to_lowercase()),
            "representative",
        )
        .await;
    }

    let before = queries();
    let html = load().await;
    assert_eq!(queries() - before, one_sponsor, "one query per kind, whatever the number of sponsors");
    let ferris = &html[html.find(r#"data-sponsor="Ferris Inc""#).expect("Ferris's card")..];
    let ferris = &ferris[..ferris.find("</li>\n  \n  <li").unwrap_or(ferris.len())];
    assert!(ferris.contains(r#"aria-label="Team of Ferris Inc""#), "{ferris}");
    assert!(ferris.contains("<span>booth</span> <span class=\"badge\">Booth staff</span>"), "{ferris}");
    assert!(ferris.contains("<span>boss</span> <span class=\"badge\">Admin</span>"), "{ferris}");
    assert!(ferris.contains("<span>later@ferris.io</span> <span class=\"badge\">Viewer</span>"), "{ferris}");
    assert!(ferris.contains("<span data-lead-count><strong>2</strong> leads</span>"), "archived lead out: {ferris}");
    let gopher = &html[html.find(r#"data-sponsor="Gopher GmbH""#).expect("Gopher's card")..];
    assert!(gopher.contains("<span>rep</span>"), "{gopher}");
    assert!(gopher.contains("<span data-lead-count><strong>0</strong> leads</span>"));
}

/// After sign-in (`/`), someone on two sponsors' teams lands on the portal that
/// lists both; an organizer who is also on a sponsor's team lands on the events
/// page, which lists their events and their sponsor teams.
async fn a_person_with_several_places_lands_on_a_list_of_them(app: TestApp) {
    let w = world(&app).await;
    let other = another_sponsor(&app, &w, "Gopher GmbH").await;
    let web = browser();
    let landing = |token: String| {
        let web = web.clone();
        let app = &app;
        async move {
            let cookie = format!("sponsorhub_session={token}");
            let res = web.get(app.url("/")).header(COOKIE, &cookie).send().await.unwrap();
            assert!(res.status().is_redirection(), "{}", res.status());
            let to = res.headers()[LOCATION].to_str().unwrap().to_string();
            let page = web.get(app.url(&to)).header(COOKIE, &cookie).send().await.unwrap();
            assert_eq!(page.status(), StatusCode::OK);
            (to, page.text().await.unwrap())
        }
    };

    // On two sponsors' teams (signed up from an invitation: no organization).
    let mut rx = app.notifications();
    for sponsor in [&w.sponsor_id, &other] {
        let (status, inv) = app
            .post(
                &w.org_path(&format!("/sponsors/{sponsor}/invitations")),
                Some(&w.organizer.token),
                json!({"email": "remy@crew.io", "role": "representative"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{inv}");
    }
    let tokens = [
        sponsorhub_testkit::next_invitation_token(&mut rx).await,
        sponsorhub_testkit::next_invitation_token(&mut rx).await,
    ];
    let (status, remy) = app
        .post(
            "/api/v1/auth/signup",
            None,
            json!({"email": "remy@crew.io", "password": "correct horse battery", "name": "Remy"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{remy}");
    let remy = remy["access_token"].as_str().unwrap().to_string();
    for t in tokens {
        let (status, body) =
            app.post("/api/v1/sponsors/sponsor-invitations/accept", Some(&remy), json!({"token": t})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (to, html) = landing(remy).await;
    assert_eq!(to, "/portal");
    assert!(html.contains("Ferris Inc") && html.contains("Gopher GmbH"), "{html}");

    // Organizer of the event and on Gopher's team.
    let mut rx = app.notifications();
    let (status, _) = app
        .post(
            &w.org_path(&format!("/sponsors/{other}/invitations")),
            Some(&w.organizer.token),
            json!({"email": w.organizer.email, "role": "admin"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let t = sponsorhub_testkit::next_invitation_token(&mut rx).await;
    let (status, body) =
        app.post("/api/v1/sponsors/sponsor-invitations/accept", Some(&w.organizer.token), json!({"token": t})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (to, html) = landing(w.organizer.token.clone()).await;
    assert_eq!(to, "/events");
    assert!(html.contains(&format!("href=\"/events/{}\"", w.event_id)), "the event: {html}");
    let teams = &html[html.find("Sponsor teams you are on").expect("the teams section")..];
    assert!(
        teams.contains(&format!("href=\"/portal/sponsors/{other}/leads\"")) && teams.contains("Gopher GmbH"),
        "{teams}"
    );
}
