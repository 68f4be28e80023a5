//! Oversized and hostile input at every entry point (REST, GraphQL over HTTP and
//! WebSocket, socket.io, web forms): each is refused with a 413 or another 4xx, and
//! the server's memory stays bounded (the server runs in this test process, so its
//! resident set is ours).

mod common;

use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sponsorhub_testkit::{Backend, TestApp};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// Resident memory of this process, in MB.
fn rss_mb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    kb / 1024
}

/// A body over the limit is refused: a 413 problem+json, or (when the server
/// answered before the client finished writing) the connection cut short.
fn assert_refused(res: Result<reqwest::Response, reqwest::Error>, what: &str) {
    match res {
        Ok(res) => {
            assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE, "{what}");
            let ct = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_string());
            assert_eq!(ct.as_deref(), Some("application/problem+json"), "{what}");
        }
        Err(e) => assert!(e.is_request() || e.is_body(), "{what}: {e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_and_messages_are_refused_with_bounded_memory() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| c.limits.signups_per_client_per_minute = 10).await;
    let before = rss_mb();
    let big = "x".repeat(8 * 1024 * 1024);
    let over = "x".repeat(1024 * 1024 + 100);

    // GraphQL over HTTP: JSON and multipart, unauthenticated
    for pad in [&over, &big] {
        let body = format!("{{\"query\": \"{{ __typename }}\", \"variables\": {{\"pad\": \"{pad}\"}}}}");
        let res =
            app.client.post(app.url("/graphql")).header("content-type", "application/json").body(body).send().await;
        assert_refused(res, "a GraphQL JSON body over 1 MiB");
    }
    let form = reqwest::multipart::Form::new()
        .text("operations", r#"{"query": "{ __typename }"}"#)
        .text("map", "{}")
        .part("0", reqwest::multipart::Part::bytes(big.clone().into_bytes()).file_name("x.bin"));
    let res = app.client.post(app.url("/graphql")).multipart(form).send().await;
    assert_refused(res, "a GraphQL multipart body of 8 MiB");
    // several at once, streamed without a Content-Length
    let sends = (0..6).map(|_| {
        // one static megabyte, sent 32 times: the client allocates nothing
        static CHUNK: [u8; 1024 * 1024] = [b' '; 1024 * 1024];
        let stream = futures_util::stream::iter((0..32).map(|_| Ok::<_, std::io::Error>(&CHUNK[..])));
        app.client
            .post(app.url("/graphql"))
            .header("content-type", "application/json")
            .body(reqwest::Body::wrap_stream(stream))
            .send()
    });
    // refused as the body passes the limit: a 413, or the connection cut short
    for res in futures_util::future::join_all(sends).await.into_iter().flatten() {
        assert!(res.status().is_client_error(), "{}", res.status());
    }

    // REST and web forms
    let res =
        app.client.post(app.url("/api/v1/auth/login")).header("content-type", "application/json").body(over.clone());
    assert_refused(res.send().await, "a REST body over 1 MiB");
    let res = app
        .client
        .post(app.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("email={over}"))
        .send()
        .await;
    assert_refused(res, "a web form over 1 MiB");

    // socket.io: an 8 MiB CONNECT before authentication, over long-polling
    let res = app.client.get(app.url("/socket.io/?EIO=4&transport=polling")).send().await.unwrap();
    let open = res.text().await.unwrap();
    let sid = open.split("\"sid\":\"").nth(1).and_then(|s| s.split('"').next()).expect("an engine.io sid").to_string();
    let connect = format!("40/events,{{\"token\":\"{over}\"}}");
    let res =
        app.client.post(app.url(&format!("/socket.io/?EIO=4&transport=polling&sid={sid}"))).body(connect).send().await;
    match res {
        Ok(res) => assert!(res.status().is_client_error(), "a 1 MiB CONNECT: {}", res.status()),
        Err(e) => assert!(e.is_request() || e.is_body(), "{e}"),
    }

    // graphql-ws: a 2 MiB message closes the socket
    let mut req = app.url("/graphql/ws").replace("http://", "ws://").into_client_request().unwrap();
    req.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    let huge = json!({"type": "connection_init", "payload": {"pad": "x".repeat(2 * 1024 * 1024)}});
    let _ = ws.send(Message::Text(huge.to_string().into())).await;
    let next = tokio::time::timeout(std::time::Duration::from_secs(5), ws.next()).await.expect("an answer");
    assert!(
        matches!(next, None | Some(Err(_)) | Some(Ok(Message::Close(_)))),
        "the socket is closed, not served: {next:?}"
    );

    // login: 300 distinct 1 MB e-mail addresses from one client
    let one_mb = "y".repeat(1024 * 1024 - 200);
    let mut limited = 0;
    for i in 0..300 {
        let body = json!({"email": format!("{i}{one_mb}@x.io"), "password": "whatever"});
        let (status, _) = app.post("/api/v1/auth/login", None, body).await;
        assert!(status == StatusCode::UNAUTHORIZED || status == StatusCode::TOO_MANY_REQUESTS, "{status}");
        limited += usize::from(status == StatusCode::TOO_MANY_REQUESTS);
    }
    assert!(limited >= 260, "the client limit stops the flood: {limited}");

    let after_bodies = rss_mb();
    eprintln!("resident memory: {before} MB before, {after_bodies} MB after the bodies, messages and logins");
    assert!(after_bodies.saturating_sub(before) <= 64, "resident memory grew from {before} MB to {after_bodies} MB");

    // sign-up: 60 at once from one client; the client limit answers before hashing
    let signups = (0..60).map(|i| {
        app.post(
            "/api/v1/auth/signup",
            None,
            json!({"email": format!("flood{i}@x.io"), "password": "correct horse battery", "name": "F", "organization_name": "F"}),
        )
    });
    let answers: Vec<(StatusCode, Value)> = futures_util::future::join_all(signups).await;
    let created = answers.iter().filter(|(s, _)| *s == StatusCode::CREATED).count();
    let refused = answers.iter().filter(|(s, _)| *s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!((created, refused), (10, 50), "{answers:?}");

    // argon2 takes 19 MiB a hash, at most two hashes a core at once; each block
    // goes back to the system when its hash ends (docs/DECISIONS.md, "Unsafe
    // code"): 96 to 172 MB stayed before
    let after = rss_mb();
    eprintln!("resident memory: {after} MB after the sign-ups");
    assert!(
        after.saturating_sub(after_bodies) <= 32,
        "sign-ups took resident memory from {after_bodies} MB to {after} MB"
    );
    app.stop().await;
}
