//! Rate limits across instances and behind proxies: instances on one PostgreSQL
//! database share their buckets (N instances do not allow N times the limit), and
//! the client address comes from `X-Forwarded-For` only behind a trusted proxy.

use reqwest::StatusCode;
use serde_json::json;
use sponsorhub_testkit::{Backend, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_on_one_postgres_share_their_limits() {
    let a = TestApp::spawn_with(Backend::Postgres, |c| c.limits.logins_per_email_per_minute = 4).await;
    let b = a.spawn_peer().await;
    a.signup("ada@acme.test", "Acme").await;
    let login = |base: String| {
        let client = a.client.clone();
        async move {
            client
                .post(format!("{base}/api/v1/auth/login"))
                .json(&json!({"email": "ada@acme.test", "password": "wrong password"}))
                .send()
                .await
                .unwrap()
        }
    };
    for i in 0..4 {
        let base = if i % 2 == 0 { a.server.url() } else { b.url() };
        assert_eq!(login(base).await.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    for base in [a.server.url(), b.url()] {
        let res = login(base.clone()).await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "the fifth attempt on {base}");
        assert!(res.headers().contains_key("retry-after"));
    }
    b.stop().await.unwrap();
    a.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_addresses_count_only_behind_trusted_proxies() {
    // Without trusted proxies the header is ignored: every request is 127.0.0.1.
    let app = TestApp::spawn_with(Backend::Sqlite, |c| c.limits.logins_per_client_per_minute = 3).await;
    let attempt = |app: &TestApp, i: usize| {
        app.client
            .post(app.url("/api/v1/auth/login"))
            .header("x-forwarded-for", format!("203.0.113.{i}"))
            .json(&json!({"email": format!("u{i}@acme.test"), "password": "wrong password"}))
            .send()
    };
    let mut statuses = Vec::new();
    for i in 0..4 {
        statuses.push(attempt(&app, i).await.unwrap().status());
    }
    assert_eq!(statuses.last(), Some(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    app.stop().await;

    // Behind a trusted proxy each forwarded client has its own bucket.
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.limits.logins_per_client_per_minute = 3;
        c.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
    })
    .await;
    for i in 0..6 {
        assert_eq!(attempt(&app, i).await.unwrap().status(), StatusCode::UNAUTHORIZED, "client {i}");
    }
    app.stop().await;
}
