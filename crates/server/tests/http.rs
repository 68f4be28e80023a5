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

    // a wrongly typed field is named, not its value
    let res = app
        .client
        .post(&url)
        .header("content-type", "application/json")
        .body(r#"{"email": 1.5, "password": "x", "name": "n", "organization_name": "o"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "email", "{body}");

    // A client that writes its whole body before it reads (reqwest, curl, a
    // browser's fetch) is told 413, not reset under its write: the server reads
    // an oversized body it was told the length of before it answers. Big bodies
    // and repeats, because a reset is a race the small body sometimes won.
    for size in [1024 * 1024 + 10, 4 * 1024 * 1024, 12 * 1024 * 1024] {
        for _ in 0..3 {
            let huge = format!("{{\"email\": \"{}\"}}", "x".repeat(size));
            let res = app.client.post(&url).header("content-type", "application/json").body(huge).send().await;
            let res = res.unwrap_or_else(|e| panic!("a {size}-byte body is answered, not cut off: {e:?}"));
            assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
            let body: serde_json::Value = res.json().await.unwrap();
            assert_problem(StatusCode::PAYLOAD_TOO_LARGE, &body, 413);
        }
    }

    // A client that waits for `100 Continue` before its body is told 413 at
    // once, not invited to send what would be thrown away.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = reqwest::Url::parse(&url).unwrap();
    let mut tcp = tokio::net::TcpStream::connect((addr.host_str().unwrap(), addr.port().unwrap())).await.unwrap();
    let head = format!(
        "POST /api/v1/auth/signup HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nexpect: 100-continue\r\n\r\n",
        addr.authority(),
        4 * 1024 * 1024
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 512];
    let n = tokio::time::timeout(std::time::Duration::from_secs(5), tcp.read(&mut answer))
        .await
        .expect("an answer without the body")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
}

async fn openapi_document_and_docs_page(app: TestApp) {
    let (status, doc) = app.get("/api/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    let o = "/api/v1/sponsors/organizations/{org_id}";
    let expected: Vec<(&str, String)> = vec![
        ("post", "/api/v1/auth/signup".into()),
        ("post", "/api/v1/auth/login".into()),
        ("get", "/api/v1/auth/me".into()),
        ("post", "/api/v1/organizations/{org_id}/events".into()),
        ("get", "/api/v1/organizations/{org_id}/events".into()),
        ("get", "/api/v1/organizations/{org_id}/events/{event_id}".into()),
        ("patch", "/api/v1/organizations/{org_id}/events/{event_id}".into()),
        ("post", format!("{o}/events/{{event_id}}/sponsor-tiers")),
        ("post", format!("{o}/events/{{event_id}}/sponsor-tiers/defaults")),
        ("get", format!("{o}/events/{{event_id}}/sponsor-tiers")),
        ("get", format!("{o}/sponsor-tiers/{{tier_id}}")),
        ("patch", format!("{o}/sponsor-tiers/{{tier_id}}")),
        ("delete", format!("{o}/sponsor-tiers/{{tier_id}}")),
        ("post", format!("{o}/events/{{event_id}}/sponsors")),
        ("get", format!("{o}/events/{{event_id}}/sponsors")),
        ("get", format!("{o}/sponsors/{{sponsor_id}}")),
        ("patch", format!("{o}/sponsors/{{sponsor_id}}")),
        ("delete", format!("{o}/sponsors/{{sponsor_id}}")),
        ("post", format!("{o}/sponsors/{{sponsor_id}}/restore")),
        ("post", format!("{o}/sponsors/{{sponsor_id}}/invitations")),
        ("get", format!("{o}/sponsors/{{sponsor_id}}/invitations")),
        ("delete", format!("{o}/invitations/{{invitation_id}}")),
        ("post", format!("{o}/invitations/{{invitation_id}}/resend")),
        ("post", "/api/v1/sponsors/sponsor-invitations/accept".into()),
        ("get", format!("{o}/sponsors/{{sponsor_id}}/users")),
        ("patch", format!("{o}/sponsor-users/{{sponsor_user_id}}")),
        ("delete", format!("{o}/sponsor-users/{{sponsor_user_id}}")),
        ("get", "/api/v1/sponsors/my-sponsors".into()),
        ("get", "/api/v1/sponsors/sponsors/{sponsor_id}/leads".into()),
        ("get", "/api/v1/sponsors/sponsors/{sponsor_id}/leads/stats".into()),
        ("get", "/api/v1/sponsors/sponsors/{sponsor_id}/leads/{lead_id}".into()),
        ("patch", "/api/v1/sponsors/sponsors/{sponsor_id}/leads/{lead_id}".into()),
        ("post", "/api/v1/sponsors/events/{event_id}/sponsors/{sponsor_id}/capture-lead".into()),
        ("get", "/healthz".into()),
        ("get", "/readyz".into()),
    ];
    for (method, path) in &expected {
        let op = &paths.get(path.as_str()).unwrap_or_else(|| panic!("missing path {path}"))[method];
        assert!(op.is_object(), "missing {method} {path}");
        // every operation says what it answers with
        let responses = op["responses"].as_object().unwrap();
        let success =
            responses.iter().find(|(code, _)| code.starts_with('2')).unwrap_or_else(|| panic!("{method} {path}"));
        if success.0 != "204" {
            assert!(
                success.1["content"]["application/json"]["schema"].is_object(),
                "no response schema: {method} {path}"
            );
        }
        // and what it takes, when it takes a body
        let takes_body = matches!(*method, "post" | "patch")
            && !path.ends_with("/defaults")
            && !path.ends_with("/restore")
            && !path.ends_with("/resend");
        if takes_body {
            assert!(
                op["requestBody"]["content"]["application/json"]["schema"].is_object(),
                "no request schema: {method} {path}"
            );
        }
    }
    for schema in ["Event", "Tier", "SponsorView", "Invitation", "SponsorMember", "Lead", "LeadStats", "Problem"] {
        assert!(doc["components"]["schemas"][schema].is_object(), "schema {schema}");
    }

    let res = app.client.get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("swagger"));
}
