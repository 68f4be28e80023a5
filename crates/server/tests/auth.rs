//! Accounts and bearer tokens, over HTTP, on SQLite and PostgreSQL.

use jsonwebtoken::{EncodingKey, Header, encode};
use reqwest::StatusCode;
use serde_json::json;
use sponsorhub_testkit::{TEST_JWT_SECRET, TestApp, assert_problem, dual_backend};

dual_backend!(
    signup_login_me,
    duplicate_signup_is_a_conflict,
    invalid_signup_lists_every_bad_field,
    wrong_password_and_unknown_email_look_the_same,
    login_is_rate_limited_per_email,
    bad_tokens_are_refused,
    platform_tokens_create_their_identity,
);

async fn signup_login_me(app: TestApp) {
    let a = app.signup("Ada@Example.com", "Acme Events").await;
    assert_eq!(a.email, "ada@example.com");

    let (status, body) = app
        .post("/api/v1/auth/login", None, json!({"email": "ADA@example.com", "password": "correct horse battery"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["organization"]["id"], json!(a.org_id));
    assert!(body["expires_in"].as_u64().unwrap() > 0);
    let token = body["access_token"].as_str().unwrap();

    let (status, me) = app.get("/api/v1/auth/me", Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["user"]["id"], json!(a.user_id));
    assert!(me["user"].get("password_hash").is_none());
    assert_eq!(
        me["organizations"],
        json!([{"organization_id": a.org_id, "organization_name": "Acme Events", "role": "OWNER"}])
    );
}

async fn duplicate_signup_is_a_conflict(app: TestApp) {
    app.signup("bob@example.com", "One").await;
    let (status, body) = app
        .post(
            "/api/v1/auth/signup",
            None,
            json!({"email": "BOB@example.com", "password": "another password", "name": "Bob", "organization_name": "Two"}),
        )
        .await;
    assert_problem(status, &body, 409);
}

async fn invalid_signup_lists_every_bad_field(app: TestApp) {
    let (status, body) = app
        .post(
            "/api/v1/auth/signup",
            None,
            json!({"email": "nope", "password": "short", "name": " ", "organization_name": "X"}),
        )
        .await;
    assert_problem(status, &body, 422);
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["email", "password", "name"]);

    let (status, body) = app.post("/api/v1/auth/signup", None, json!({"email": "a@b.io"})).await;
    assert_problem(status, &body, 422);
    assert_eq!(body["errors"][0]["field"], "password");
    let (status, body) = app
        .post(
            "/api/v1/auth/signup",
            None,
            json!({"email": "a@b.io", "password": "long enough", "name": "A", "organization_name": " "}),
        )
        .await;
    assert_problem(status, &body, 422);
    assert_eq!(body["errors"][0]["field"], "organization_name");

    // without an organization: an account that organizes nothing (staff joining a team)
    let (status, body) = app
        .post("/api/v1/auth/signup", None, json!({"email": "staff@b.io", "password": "long enough", "name": "Staff"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(body["organization"].is_null(), "{body}");
    let (status, me) = app.get("/api/v1/auth/me", Some(body["access_token"].as_str().unwrap())).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["organizations"], json!([]), "{me}");
}

async fn wrong_password_and_unknown_email_look_the_same(app: TestApp) {
    app.signup("cy@example.com", "Cy Org").await;
    let (s1, wrong_pw) =
        app.post("/api/v1/auth/login", None, json!({"email": "cy@example.com", "password": "not the password"})).await;
    let (s2, unknown) = app
        .post("/api/v1/auth/login", None, json!({"email": "nobody@example.com", "password": "not the password"}))
        .await;
    assert_problem(s1, &wrong_pw, 401);
    assert_problem(s2, &unknown, 401);
    assert_eq!(wrong_pw, unknown);
}

async fn login_is_rate_limited_per_email(app: TestApp) {
    app.signup("dee@example.com", "Dee Org").await;
    let attempt = json!({"email": "dee@example.com", "password": "wrong password!"});
    for _ in 0..10 {
        let (status, _) = app.post("/api/v1/auth/login", None, attempt.clone()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, headers, body) = app.send(reqwest::Method::POST, "/api/v1/auth/login", None, Some(attempt)).await;
    assert_problem(status, &body, 429);
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
}

fn sign(claims: serde_json::Value, secret: &str) -> String {
    encode(&Header::default(), &claims, &EncodingKey::from_secret(secret.as_bytes())).unwrap()
}

async fn bad_tokens_are_refused(app: TestApp) {
    let now = chrono_now();
    let good_claims = json!({"sub": "u-1", "email": "u1@example.com", "exp": now + 600});
    let (status, _) = app.get("/api/v1/auth/me", Some(&sign(good_claims.clone(), TEST_JWT_SECRET))).await;
    assert_eq!(status, StatusCode::OK);

    let cases = [
        ("no token", None),
        ("other secret", Some(sign(good_claims, "some-other-secret-of-at-least-32-bytes!!"))),
        ("expired", Some(sign(json!({"sub": "u-1", "email": "u1@example.com", "exp": now - 3600}), TEST_JWT_SECRET))),
        ("no exp", Some(sign(json!({"sub": "u-1", "email": "u1@example.com"}), TEST_JWT_SECRET))),
        ("not yet valid", Some(sign(json!({"sub": "u-1", "email": "u1@example.com", "exp": now + 7200, "nbf": now + 3600}), TEST_JWT_SECRET))),
        ("malformed", Some("definitely.not.a-jwt".to_string())),
        ("alg none", Some("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ1LTEiLCJlbWFpbCI6InUxQGV4YW1wbGUuY29tIiwiZXhwIjo5OTk5OTk5OTk5fQ.".to_string())),
    ];
    for (what, token) in cases {
        let (status, headers, body) = app.send(reqwest::Method::GET, "/api/v1/auth/me", token.as_deref(), None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {body}");
        assert_eq!(headers["content-type"], "application/problem+json", "{what}");
        assert_problem(status, &body, 401);
    }
}

async fn platform_tokens_create_their_identity(app: TestApp) {
    // A token from the surrounding platform: ids that are not UUIDs, an organization
    // and a role this service has never seen.
    let token = sign(
        json!({"sub": "platform-user-7", "email": "Org.Admin@Platform.io", "name": "Pat", "orgId": "org_42", "role": "ADMIN", "exp": chrono_now() + 600}),
        TEST_JWT_SECRET,
    );
    let (status, me) = app.get("/api/v1/auth/me", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["user"]["email"], "org.admin@platform.io");
    assert_eq!(me["organizations"][0]["role"], "ADMIN");
    let org = me["organizations"][0]["organization_id"].as_str().unwrap().to_string();

    // The ADMIN may create events in that organization right away.
    let (status, event) = app
        .post(&format!("/api/v1/organizations/{org}/events"), Some(&token), json!({"name": "Platform Summit"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{event}");

    // A token without `iat` cannot tell it is newer than the membership: no change.
    let undated = sign(
        json!({"sub": "platform-user-7", "email": "org.admin@platform.io", "orgId": "org_42", "role": "MEMBER", "exp": chrono_now() + 600}),
        TEST_JWT_SECRET,
    );
    let (_, me_undated) = app.get("/api/v1/auth/me", Some(&undated)).await;
    assert_eq!(me_undated["organizations"][0]["role"], "ADMIN");
    // The same identity again is the same user; a role change in a token issued
    // after the membership last changed is applied.
    let member = sign(
        json!({"sub": "platform-user-7", "email": "org.admin@platform.io", "orgId": "org_42", "role": "MEMBER", "iat": chrono_now() + 2, "exp": chrono_now() + 600}),
        TEST_JWT_SECRET,
    );
    let (status, me2) = app.get("/api/v1/auth/me", Some(&member)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me2["user"]["id"], me["user"]["id"]);
    let (status, body) =
        app.post(&format!("/api/v1/organizations/{org}/events"), Some(&member), json!({"name": "Nope"})).await;
    assert_problem(status, &body, 403);
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}
