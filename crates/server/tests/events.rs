//! Events of an organization, over HTTP, on SQLite and PostgreSQL.

use reqwest::StatusCode;
use serde_json::json;
use sponsorhub_testkit::{TestApp, assert_problem, dual_backend};

dual_backend!(
    create_list_get_update,
    list_pages_with_a_cursor,
    another_organizations_event_is_missing,
    invalid_events_are_refused,
);

async fn create_list_get_update(app: TestApp) {
    let a = app.signup("org@example.com", "Acme").await;
    let events = format!("/api/v1/organizations/{}/events", a.org_id);
    let (status, e) = app
        .post(
            &events,
            Some(&a.token),
            json!({"name": "RustConf 2026", "description": "Talks", "starts_at": "2026-09-01T09:00:00Z",
                   "ends_at": "2026-09-03T18:00:00+02:00", "timezone": "Europe/Berlin", "venue": "Hall 4"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{e}");
    assert_eq!(e["slug"], "rustconf-2026");
    assert_eq!(e["ends_at"], "2026-09-03T16:00:00Z");
    let id = e["id"].as_str().unwrap();

    let (status, list) = app.get(&events, Some(&a.token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0], e);
    assert_eq!(list["next_cursor"], json!(null));

    let one = format!("{events}/{id}");
    let (status, got) = app.get(&one, Some(&a.token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got, e);

    let (status, patched) = app.patch(&one, Some(&a.token), json!({"name": "RustConf", "venue": null})).await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["name"], "RustConf");
    assert_eq!(patched["venue"], json!(null));
    assert_eq!(patched["description"], "Talks");
    let (_, got) = app.get(&one, Some(&a.token)).await;
    assert_eq!(got, patched);

    // a second event cannot take the first one's slug
    let (status, body) = app.post(&events, Some(&a.token), json!({"name": "Other", "slug": "rustconf-2026"})).await;
    assert_problem(status, &body, 409);
}

async fn list_pages_with_a_cursor(app: TestApp) {
    let a = app.signup("pager@example.com", "Pager").await;
    let events = format!("/api/v1/organizations/{}/events", a.org_id);
    for i in 0..5 {
        let (status, _) = app.post(&events, Some(&a.token), json!({"name": format!("Event {i}")})).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let mut names = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("{events}?limit=2&cursor={c}"),
            None => format!("{events}?limit=2"),
        };
        let (status, page) = app.get(&path, Some(&a.token)).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        for e in page["items"].as_array().unwrap() {
            names.push(e["name"].as_str().unwrap().to_string());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(names, ["Event 0", "Event 1", "Event 2", "Event 3", "Event 4"]);

    let (status, body) = app.get(&format!("{events}?cursor=garbage!"), Some(&a.token)).await;
    assert_problem(status, &body, 400);
    let (status, body) = app.get(&format!("{events}?limit=201"), Some(&a.token)).await;
    assert_problem(status, &body, 422);
}

async fn another_organizations_event_is_missing(app: TestApp) {
    let a = app.signup("a@example.com", "A").await;
    let b = app.signup("b@example.com", "B").await;
    let (_, e) =
        app.post(&format!("/api/v1/organizations/{}/events", a.org_id), Some(&a.token), json!({"name": "A's"})).await;
    let one = format!("/api/v1/organizations/{}/events/{}", a.org_id, e["id"].as_str().unwrap());

    let (status, body) = app.get(&one, Some(&b.token)).await;
    assert_problem(status, &body, 404);
    let (status, body) = app.patch(&one, Some(&b.token), json!({"name": "mine now"})).await;
    assert_problem(status, &body, 404);
    let (status, body) = app.get(&format!("/api/v1/organizations/{}/events", a.org_id), Some(&b.token)).await;
    assert_problem(status, &body, 404);
    let (status, body) =
        app.post(&format!("/api/v1/organizations/{}/events", a.org_id), Some(&b.token), json!({"name": "x"})).await;
    assert_problem(status, &body, 404);
    // and A's event through B's organization is missing too
    let through_b = format!("/api/v1/organizations/{}/events/{}", b.org_id, e["id"].as_str().unwrap());
    let (status, body) = app.get(&through_b, Some(&b.token)).await;
    assert_problem(status, &body, 404);
    // a malformed id is a 400, not a 500
    let (status, body) =
        app.get(&format!("/api/v1/organizations/{}/events/not-a-uuid", a.org_id), Some(&a.token)).await;
    assert_problem(status, &body, 400);
}

async fn invalid_events_are_refused(app: TestApp) {
    let a = app.signup("v@example.com", "V").await;
    let events = format!("/api/v1/organizations/{}/events", a.org_id);
    let (status, body) = app
        .post(&events, Some(&a.token), json!({"name": "", "slug": "Bad Slug", "starts_at": "2026-09-02T00:00:00Z", "ends_at": "2026-09-01T00:00:00Z"}))
        .await;
    assert_problem(status, &body, 422);
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["name", "slug", "ends_at"]);

    let (status, body) = app.post(&events, Some(&a.token), json!({"name": "x", "starts_at": "yesterday"})).await;
    assert_problem(status, &body, 422);
    assert_eq!(body["errors"][0]["field"], "starts_at");
}
