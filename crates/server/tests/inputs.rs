//! Input that used to slip through, on SQLite and PostgreSQL: NUL characters in
//! text (a 500 on PostgreSQL), a redirect target that leaves the site through a
//! TAB, an `Origin: null` cookie write, browser-facing pages without their security
//! headers, and GraphQL aliases that multiply the work of one query.

mod common;

use common::{join_staff, world};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, ORIGIN, REFERER};
use serde_json::{Value, json};
use sponsorhub_testkit::{TestApp, dual_backend};

dual_backend!(
    nul_characters_are_refused_with_a_4xx,
    redirects_stay_on_this_site,
    cookie_writes_with_origin_null_are_refused,
    browser_pages_carry_their_security_headers,
    graphql_cost_counts_aliases_and_introspection_works,
);

fn browser() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn nul_characters_are_refused_with_a_4xx(app: TestApp) {
    let w = world(&app).await;
    let (booth, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let (status, _) = app.post("/api/v1/auth/login", None, json!({"email": "a\u{0}b@x.io", "password": "x"})).await;
    assert!(status.is_client_error(), "login: {status}");
    let (status, body) = app.get(&w.leads_path("?search=a%00b"), Some(&w.organizer.token)).await;
    assert!(status.is_client_error(), "lead search: {status} {body}");
    let path = w.org_path(&format!("/events/{}/sponsors?search=a%00b", w.event_id));
    let (status, body) = app.get(&path, Some(&w.organizer.token)).await;
    assert!(status.is_client_error(), "sponsor search: {status} {body}");
    let (status, body) = app
        .post(
            &w.capture_path(),
            Some(&booth.token),
            json!({"interaction_type": "qr_scan", "attendee": {"email": "x@y.io", "name": "N\u{0}ul"}}),
        )
        .await;
    assert!(status.is_client_error(), "capture: {status} {body}");
    let q = "query($s: ID!) { sponsorLeads(sponsorId: $s, filters: {search: \"a\\u0000b\"}) { items { id } } }";
    let res = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(&w.organizer.token)
        .json(&json!({"query": q, "variables": {"s": w.sponsor_id}}))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    let code = body["errors"][0]["extensions"]["code"].as_str().unwrap_or_default().to_string();
    assert!(code != "INTERNAL_SERVER_ERROR" && !code.is_empty(), "graphql search: {body}");
}

async fn redirects_stay_on_this_site(app: TestApp) {
    app.signup("ada@acme.test", "Acme").await;
    let web = browser();
    for next in ["/\t/evil.example/x", "//evil.example", "/\\evil.example", "https://evil.example/"] {
        let res = web.get(app.url("/login")).send().await.unwrap();
        let pre = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("sponsorhub_pre="))
            .map(|v| v.split(';').next().unwrap().to_string())
            .unwrap();
        let html = res.text().await.unwrap();
        let at = html.find(r#"name="_csrf" value=""#).unwrap() + r#"name="_csrf" value=""#.len();
        let csrf = html[at..at + html[at..].find('"').unwrap()].to_string();
        let res = web
            .post(app.url("/login"))
            .header(COOKIE, &pre)
            .header(ORIGIN, app.server.url())
            .form(&[
                ("email", "ada@acme.test"),
                ("password", "correct horse battery"),
                ("next", next),
                ("_csrf", &csrf),
            ])
            .send()
            .await
            .unwrap();
        assert!(res.status().is_redirection(), "{next:?}: {}", res.status());
        let to = res.headers()[LOCATION].to_str().unwrap().to_string();
        assert!(to.starts_with('/') && !to.starts_with("//") && !to.contains("evil"), "{next:?} went to {to}");
    }
}

async fn cookie_writes_with_origin_null_are_refused(app: TestApp) {
    let organizer = app.signup("olivia@acme.test", "Acme Events").await;
    let cookie = format!("sponsorhub_session={}", organizer.token);
    let path = format!("/api/v1/organizations/{}/events", organizer.org_id);
    let res = browser()
        .post(app.url(&path))
        .header(COOKIE, &cookie)
        .header(ORIGIN, "null")
        .header(REFERER, format!("{}/events", app.server.url()))
        .json(&json!({"name": "Sneaky"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

async fn browser_pages_carry_their_security_headers(app: TestApp) {
    for path in ["/graphql", "/api/docs/", "/login"] {
        let res = browser().get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let h = res.headers();
        let csp = h.get("content-security-policy").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src"), "{path}: {csp}");
        // WebAssembly may compile (the badge scanner's reader); JavaScript may not eval.
        assert!(!csp.split([' ', ';']).any(|t| t == "'unsafe-eval'"), "{path}: {csp}");
        assert!(!csp.contains("script-src 'self' 'unsafe-inline'"), "{path}: {csp}");
        assert_eq!(h.get("x-content-type-options").map(|v| v.to_str().unwrap()), Some("nosniff"), "{path}");
        assert!(h.contains_key("referrer-policy"), "{path}");
    }
}

async fn graphql_cost_counts_aliases_and_introspection_works(app: TestApp) {
    let w = world(&app).await;
    // 660 aliases of one root field: refused before it runs
    let fields: String = (0..660)
        .map(|i| format!("a{i}: publicEventSponsors(eventId: \"{}\") {{ sponsors {{ id }} }} ", w.event_id))
        .collect();
    let before = app.server.state.services.store.queries_executed();
    let res =
        app.client.post(app.url("/graphql")).json(&json!({"query": format!("{{ {fields} }}")})).send().await.unwrap();
    let body: Value = res.json().await.unwrap();
    assert!(
        body["errors"].is_array() && body["data"].is_null(),
        "{}",
        &body.to_string()[..200.min(body.to_string().len())]
    );
    assert!(app.server.state.services.store.queries_executed() - before < 10, "the query ran");
    // a handful of aliases is fine
    let few: String = (0..3)
        .map(|i| format!("a{i}: publicEventSponsors(eventId: \"{}\") {{ sponsors {{ id }} }} ", w.event_id))
        .collect();
    let res =
        app.client.post(app.url("/graphql")).json(&json!({"query": format!("{{ {few} }}")})).send().await.unwrap();
    let body: Value = res.json().await.unwrap();
    assert!(body.get("errors").is_none(), "{body}");
    // GraphiQL's introspection query
    let introspection = include_str!("introspection.graphql");
    let res = app.client.post(app.url("/graphql")).json(&json!({"query": introspection})).send().await.unwrap();
    let body: Value = res.json().await.unwrap();
    assert!(body.get("errors").is_none(), "introspection: {}", body["errors"]);
    assert!(body["data"]["__schema"]["types"].as_array().is_some_and(|t| t.len() > 20));
}
