//! What every endpoint shares: problem+json errors, body limit, request ids, health,
//! the OpenAPI document and its docs page.

use reqwest::StatusCode;
use sponsorhub_testkit::{TestApp, assert_problem, dual_backend};

dual_backend!(health_and_readiness, bad_bodies_get_problems, openapi_document_and_docs_page);

async fn health_and_readiness(app: TestApp) {
    let (status, body) = app.get("/healthz", None).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("ok")));
    let (status, headers, body) = app.send(reqwest::Method::GET, "/readyz", None, None).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("ready")));
    assert!(headers.contains_key("x-request-id"));
    let (status, body) = app.get("/no/such/route", None).await;
    assert_problem(status, &body, 404);
}

async fn bad_bodies_get_problems(app: TestApp) {
    let url = app.url("/api/v1/auth/signup");
    let res = app.client.post(&url).header("content-type", "application/json").body("{not json").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.headers()["content-type"], "application/problem+json");

    let res = app.client.post(&url).body("{}").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let huge = format!("{{\"email\": \"{}\"}}", "x".repeat(1024 * 1024 + 10));
    let res = app.client.post(&url).header("content-type", "application/json").body(huge).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_problem(StatusCode::PAYLOAD_TOO_LARGE, &body, 413);
}

async fn openapi_document_and_docs_page(app: TestApp) {
    let (status, doc) = app.get("/api/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/auth/signup",
        "/api/v1/auth/login",
        "/api/v1/auth/me",
        "/api/v1/organizations/{org_id}/events",
        "/api/v1/organizations/{org_id}/events/{event_id}",
        "/healthz",
        "/readyz",
    ] {
        assert!(paths.contains_key(p), "missing {p}");
    }
    assert!(doc["components"]["schemas"]["Event"].is_object());
    assert!(doc["paths"]["/api/v1/organizations/{org_id}/events"]["post"]["requestBody"].is_object());

    let res = app.client.get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("swagger"));
}
