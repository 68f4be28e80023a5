//! The organizer console's service tokens page (`/events/{id}/service-tokens`),
//! black-box over HTTP on SQLite and PostgreSQL: the list, issuing a token with
//! its secret shown once, a bad name kept at its field, revoking, CSRF, and
//! who may see the page.

mod common;

use common::{join_staff, world};
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, COOKIE, LOCATION};
use serde_json::json;
use sponsorhub_testkit::{TestApp, dual_backend};

dual_backend!(organizers_issue_list_and_revoke_service_tokens_on_the_console);

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

fn csrf_of(html: &str) -> String {
    let at = html.find(r#"name="_csrf" value=""#).expect("a form with a CSRF token");
    let rest = &html[at + r#"name="_csrf" value=""#.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

async fn page(app: &TestApp, path: &str, token: &str) -> (StatusCode, String) {
    let res =
        no_redirects().get(app.url(path)).header(COOKIE, format!("sponsorhub_session={token}")).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

async fn post(app: &TestApp, path: &str, token: &str, form: &[(&str, &str)]) -> reqwest::Response {
    no_redirects()
        .post(app.url(path))
        .header(COOKIE, format!("sponsorhub_session={token}"))
        .form(form)
        .send()
        .await
        .unwrap()
}

/// The text between `<input id="st-secret"` and its end: the shown secret.
fn shown_secret(html: &str) -> String {
    let at = html.find(r#"id="st-secret""#).expect("the secret's field");
    let rest = &html[at..];
    let v = rest.find(r#"value=""#).unwrap() + r#"value=""#.len();
    rest[v..v + rest[v..].find('"').unwrap()].to_string()
}

async fn organizers_issue_list_and_revoke_service_tokens_on_the_console(app: TestApp) {
    let w = world(&app).await;
    let org = w.organizer.token.as_str();
    let path = format!("/events/{}/service-tokens", w.event_id);

    // the event page links it; the page starts empty
    let (_, event_page) = page(&app, &format!("/events/{}", w.event_id), org).await;
    assert!(event_page.contains(&format!(r#"href="{path}""#)), "the event page links the tokens page: {event_page}");
    let (status, html) = page(&app, &path, org).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("No service tokens yet."));
    let csrf = csrf_of(&html);

    // without the CSRF token: refused, nothing issued
    let res = post(&app, &path, org, &[("name", "Forged")]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // a name too long: the message at the field, what was typed kept
    let long = "x".repeat(101);
    let res = post(&app, &path, org, &[("_csrf", &csrf), ("name", &long)]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"id="st-name-error""#), "the error at the field");
    assert!(html.contains(&format!(r#"value="{long}""#)), "the input kept");
    assert!(!html.contains("st-secret"));
    let res = post(&app, &path, org, &[("_csrf", &csrf), ("name", "  ")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // issued: the secret on this answer, not cached, and never again
    let res = post(&app, &path, org, &[("_csrf", &csrf), ("name", "Platform sessions")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers().get(CACHE_CONTROL).map(|v| v.to_str().unwrap()), Some("no-store"));
    let html = res.text().await.unwrap();
    assert!(html.contains("it is shown only this once"), "the copy hint");
    assert!(html.contains("data-copy"), "a copy button");
    let secret = shown_secret(&html);
    assert!(secret.starts_with("shs_") && secret.len() > 40, "{secret}");
    let (_, html) = page(&app, &path, org).await;
    assert!(!html.contains(&secret), "shown once only");
    assert!(html.contains("Platform sessions") && html.contains("Never") && html.contains("Active"), "listed");

    // the secret works for the platform; the page then shows it used
    let (status, _) = app
        .post(
            &format!("/api/v1/organizations/{}/events/{}/attendees", w.organizer.org_id, w.event_id),
            Some(org),
            json!({"name": "Ada", "email": "ada@visitors.io"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let report = format!("/api/v1/sponsors/events/{}/session-attendance", w.event_id);
    let body =
        json!({"sponsor_id": w.sponsor_id, "attendee": {"email": "ada@visitors.io"}, "session_title": "Keynote"});
    let (status, _) = app.post(&report, Some(&secret), body.clone()).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, html) = page(&app, &path, org).await;
    assert!(!html.contains("Never"), "last used shown");

    // others: the sponsor's staff find no such event, a member of the organization may not
    let (staff, _) = join_staff(&app, &w, &w.sponsor_id, "admin@ferris.io", "admin").await;
    let (status, _) = page(&app, &path, &staff.token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, staff_html) = page(&app, "/portal", &staff.token).await;
    let res = post(&app, &path, &staff.token, &[("_csrf", &csrf_of(&staff_html)), ("name", "Mine")]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // revoke (the button asks first); then the platform is refused
    let id = {
        let (_, list) = app
            .get(
                &format!("/api/v1/organizations/{}/events/{}/service-tokens", w.organizer.org_id, w.event_id),
                Some(org),
            )
            .await;
        list["items"][0]["id"].as_str().unwrap().to_string()
    };
    let (_, html) = page(&app, &path, org).await;
    assert!(
        html.contains(&format!(r#"action="{path}/{id}/revoke" data-confirm="Revoke Platform sessions?"#)),
        "a confirmation"
    );
    let res = post(&app, &format!("{path}/{id}/revoke"), &staff.token, &[("_csrf", &csrf_of(&staff_html))]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "no such event for the sponsor's staff");
    let (status, _) = app.post(&report, Some(&secret), body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "not revoked by staff");
    let res = post(&app, &format!("{path}/{id}/revoke"), org, &[("_csrf", &csrf)]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers().get(LOCATION).map(|v| v.to_str().unwrap()), Some(path.as_str()));
    // the flash rides in a cookie to the page redirected to
    let flash = res.headers().get(reqwest::header::SET_COOKIE).unwrap().to_str().unwrap();
    let flash = flash.split(';').next().unwrap().to_string();
    let res = no_redirects()
        .get(app.url(&path))
        .header(COOKIE, format!("sponsorhub_session={org}; {flash}"))
        .send()
        .await
        .unwrap();
    let html = res.text().await.unwrap();
    assert!(html.contains("Revoked Platform sessions"), "the flash");
    assert!(html.contains("Revoked ") && !html.contains(&format!("{id}/revoke")), "revoked, no button");
    let (status, _) = app.post(&report, Some(&secret), body).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}
