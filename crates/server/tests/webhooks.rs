//! Webhooks (issue 14, item 4), on SQLite and PostgreSQL, against a receiver this
//! test starts: Standard Webhooks signatures checked here with an HMAC of our own,
//! the subscribed events and only those, the delivery log, a test ping, retries
//! with backoff, an endpoint disabled after repeated failures with its creator told
//! by e-mail, a replay with the same message id, an organizer's endpoint for every
//! sponsor of the event, and private addresses refused unless configured.

mod common;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::{another_sponsor, join_staff, world};
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sponsorhub_domain::EmailKind;
use sponsorhub_testkit::{Backend, TestApp, assert_problem};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

macro_rules! both_backends {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name(sponsorhub_testkit::Backend::Sqlite).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name(sponsorhub_testkit::Backend::Postgres).await;
                }
            }
        )+
    };
}

both_backends!(
    deliveries_are_signed_retried_disabled_and_replayed,
    an_organizer_endpoint_hears_every_sponsor,
    private_addresses_are_refused_by_default,
    an_endpoint_hears_of_captures_from_its_first_moment,
);

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    id: String,
    timestamp: String,
    signature: String,
    body: Value,
    raw: Bytes,
}

/// An HTTP receiver on a free port: records every request, and answers 500 while
/// `failing` is set.
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
    failing: Arc<AtomicBool>,
}

impl Receiver {
    async fn start() -> Receiver {
        let got = Arc::new(Mutex::new(Vec::new()));
        let failing = Arc::new(AtomicBool::new(false));
        let (g, f) = (got.clone(), failing.clone());
        let app = Router::new().route(
            "/hook",
            post(move |headers: HeaderMap, body: Bytes| {
                let (g, f) = (g.clone(), f.clone());
                async move {
                    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
                    g.lock().unwrap().push(Received {
                        id: h("webhook-id"),
                        timestamp: h("webhook-timestamp"),
                        signature: h("webhook-signature"),
                        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
                        raw: body,
                    });
                    if f.load(Ordering::SeqCst) { AxumStatus::INTERNAL_SERVER_ERROR } else { AxumStatus::NO_CONTENT }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver { url, got, failing }
    }

    fn of_type(&self, kind: &str) -> Vec<Received> {
        self.got.lock().unwrap().iter().filter(|r| r.body["type"] == kind).cloned().collect()
    }

    async fn wait(&self, what: &str, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let got = self.got.lock().unwrap().clone();
            if done(&got) {
                return got;
            }
            let types: Vec<_> = got.iter().map(|r| r.body["type"].clone()).collect();
            assert!(Instant::now() < deadline, "timed out waiting for {what}; got {types:?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// The signature as Standard Webhooks defines it, computed here independently.
fn verify(secret: &str, r: &Received) {
    let key = STANDARD.decode(secret.strip_prefix("whsec_").expect("whsec_ prefix")).unwrap();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{}.{}.", r.id, r.timestamp).as_bytes());
    mac.update(&r.raw);
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    assert_eq!(r.signature, expected, "signature of {}", r.id);
    let ts: i64 = r.timestamp.parse().unwrap();
    assert!((chrono::Utc::now().timestamp() - ts).abs() < 60, "a fresh timestamp");
    assert!(r.id.starts_with("msg_"));
}

async fn spawn(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |c| {
        c.webhooks.poll_interval = Duration::from_millis(30);
        c.webhooks.settings.allow_private = true;
        c.webhooks.settings.backoff_base = Duration::from_millis(50);
        c.webhooks.settings.backoff_max = Duration::from_millis(200);
        c.webhooks.settings.max_attempts = 3;
        c.webhooks.settings.disable_after = 4;
    })
    .await
}

async fn capture(app: &TestApp, w: &common::World, token: &str, kind: &str, email: &str) -> Value {
    let (status, lead) =
        app.post(&w.capture_path(), Some(token), json!({"interaction_type": kind, "attendee": {"email": email}})).await;
    assert!(status.is_success(), "{lead}");
    lead
}

async fn deliveries_are_signed_retried_disabled_and_replayed(backend: Backend) {
    let app = spawn(backend).await;
    let w = world(&app).await;
    let rx = Receiver::start().await;
    let (admin, _) = join_staff(&app, &w, &w.sponsor_id, "admin@ferris.io", "admin").await;
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let stranger = app.signup("stranger@else.io", "Else").await;
    let hooks = format!("/api/v1/sponsors/sponsors/{}/webhooks", w.sponsor_id);

    // who may register, and what
    let body = json!({"url": rx.url, "events": ["lead.created", "lead.intent_changed", "lead.exported"]});
    let (status, p) = app.post(&hooks, Some(&rep.token), body.clone()).await;
    assert_problem(status, &p, 403);
    let (status, p) = app.post(&hooks, Some(&stranger.token), body.clone()).await;
    assert_problem(status, &p, 404);
    let (status, p) =
        app.post(&hooks, Some(&admin.token), json!({"url": "ftp://x.example.com", "events": ["lead.created"]})).await;
    assert_problem(status, &p, 422);
    assert_eq!(p["errors"][0]["field"], "url", "{p}");
    let (status, p) = app.post(&hooks, Some(&admin.token), json!({"url": rx.url, "events": ["lead.deleted"]})).await;
    assert_problem(status, &p, 422);
    assert_eq!(p["errors"][0]["field"], "events[0]", "{p}");
    let (status, hook) = app.post(&hooks, Some(&admin.token), body).await;
    assert_eq!(status, StatusCode::CREATED, "{hook}");
    let secret = hook["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    let hook_id = hook["id"].as_str().unwrap().to_string();
    let (_, list) = app.get(&hooks, Some(&admin.token)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert!(list["items"][0].get("secret").is_none(), "the secret is shown once: {list}");
    assert!(!list.to_string().contains(&secret));

    // lead.created, signed; then the lead turns warm: lead.intent_changed
    let lead = capture(&app, &w, &rep.token, "booth_visit", "ada@corp.io").await;
    let got = rx.wait("lead.created", |g| !g.is_empty()).await;
    verify(&secret, &got[0]);
    assert_eq!(got[0].body["type"], "lead.created");
    assert_eq!(got[0].body["data"]["id"], lead["id"]);
    let mut level = lead["intent_level"].as_str().unwrap().to_string();
    while level == "cold" {
        level = capture(&app, &w, &rep.token, "demo_request", "ada@corp.io").await["intent_level"]
            .as_str()
            .unwrap()
            .to_string();
    }
    let changed = rx.wait("lead.intent_changed", |g| g.iter().any(|r| r.body["type"] == "lead.intent_changed")).await;
    let change = changed.iter().find(|r| r.body["type"] == "lead.intent_changed").unwrap();
    verify(&secret, change);
    assert_eq!(change.body["data"]["previous_intent_level"], "cold");
    assert_eq!(change.body["data"]["intent_level"], level.as_str());
    // lead.updated is not subscribed: a follow-up change sends nothing
    app.patch(
        &w.leads_path(&format!("/{}", lead["id"].as_str().unwrap())),
        Some(&rep.token),
        json!({"is_starred": true}),
    )
    .await;

    // lead.exported once the download ends
    let csv = reqwest::Client::new()
        .get(app.url(&w.leads_path("/export?format=csv")))
        .bearer_auth(&admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    csv.text().await.unwrap();
    let got = rx.wait("lead.exported", |g| g.iter().any(|r| r.body["type"] == "lead.exported")).await;
    let exported = got.iter().find(|r| r.body["type"] == "lead.exported").unwrap();
    verify(&secret, exported);
    assert_eq!(exported.body["data"]["row_count"], 1);
    assert!(rx.of_type("lead.updated").is_empty(), "not subscribed");

    // the test ping, and the delivery log
    let (status, ping) = app.post(&format!("{hooks}/{hook_id}/test"), Some(&admin.token), json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{ping}");
    rx.wait("the ping", |g| g.iter().any(|r| r.body["type"] == "webhook.test")).await;
    // The receiver answers before the worker records the delivery: the log may
    // show the ping as still sending for a moment.
    let mut log = json!(null);
    for _ in 0..50 {
        let (status, got) = app.get(&format!("{hooks}/{hook_id}/deliveries"), Some(&admin.token)).await;
        assert_eq!(status, StatusCode::OK, "{got}");
        log = got;
        if log["items"].as_array().unwrap().iter().all(|d| d["status"] != "sending") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let items = log["items"].as_array().unwrap();
    assert!(items.len() >= 4, "{log}");
    assert!(items.iter().all(|d| d["status"] == "delivered" && d["last_status_code"] == 204), "{log}");
    let (status, p) = app.get(&format!("{hooks}/{hook_id}/deliveries"), Some(&rep.token)).await;
    assert_problem(status, &p, 403);

    // a failing receiver: 3 attempts of one message, with backoff; then failed
    rx.failing.store(true, Ordering::SeqCst);
    let before = rx.got.lock().unwrap().len();
    let bob = capture(&app, &w, &rep.token, "booth_visit", "bob@corp.io").await;
    let got = rx.wait("three attempts", |g| g[before..].len() >= 3).await;
    let attempts: Vec<&Received> = got[before..].iter().collect();
    assert!(attempts.iter().all(|r| r.id == attempts[0].id), "retries keep the message id");
    assert_eq!(attempts[0].body["data"]["id"], bob["id"]);
    let failed_message = {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let (_, log) = app.get(&format!("{hooks}/{hook_id}/deliveries"), Some(&admin.token)).await;
            let first = log["items"][0].clone();
            if first["status"] == "failed" {
                assert_eq!((first["attempts"].as_i64(), first["last_status_code"].as_i64()), (Some(3), Some(500)));
                break first["message_id"].as_str().unwrap().to_string();
            }
            assert!(Instant::now() < deadline, "the delivery never failed: {log}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    // one more failure in a row disables the endpoint, and its creator hears of it
    capture(&app, &w, &rep.token, "booth_visit", "cy@corp.io").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let disabled = loop {
        let (_, list) = app.get(&hooks, Some(&admin.token)).await;
        if list["items"][0]["is_enabled"] == false {
            break list["items"][0].clone();
        }
        assert!(Instant::now() < deadline, "never disabled: {list}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(disabled["disabled_reason"].as_str().unwrap().contains("4 failed attempts"), "{disabled}");
    let mail = {
        let mut tx = app.server.state.services.store.read().await.unwrap();
        sponsorhub_store::outbox::recent(&mut tx, None, 100).await.unwrap()
    };
    let told = mail.iter().find(|m| m.kind == EmailKind::WebhookDisabled).expect("the creator is told");
    assert_eq!(told.recipients.0, ["admin@ferris.io"]);
    assert!(told.text_body.contains(&rx.url), "{}", told.text_body);
    // nothing goes to a disabled endpoint
    let count = rx.got.lock().unwrap().len();
    capture(&app, &w, &rep.token, "booth_visit", "dee@corp.io").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(rx.got.lock().unwrap().len(), count, "a disabled endpoint gets nothing");
    let (status, p) =
        app.post(&format!("{hooks}/{hook_id}/deliveries/{failed_message}/replay"), Some(&admin.token), json!({})).await;
    assert_problem(status, &p, 409);

    // enabled again, the failed message is replayed with its id
    rx.failing.store(false, Ordering::SeqCst);
    let (status, body) =
        app.patch(&format!("{hooks}/{hook_id}"), Some(&admin.token), json!({"is_enabled": true})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!((body["is_enabled"].as_bool(), body["consecutive_failures"].as_i64()), (Some(true), Some(0)));
    let (status, d) =
        app.post(&format!("{hooks}/{hook_id}/deliveries/{failed_message}/replay"), Some(&admin.token), json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{d}");
    let header_id = attempts[0].id.clone();
    let got = rx.wait("the replay", |g| g[count..].iter().any(|r| r.id == header_id)).await;
    verify(&secret, got[count..].iter().find(|r| r.id == header_id).unwrap());
    let (status, _) = app.delete(&format!("{hooks}/{hook_id}"), Some(&admin.token)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, list) = app.get(&hooks, Some(&admin.token)).await;
    assert!(list["items"].as_array().unwrap().is_empty());
    app.stop().await;
}

async fn an_organizer_endpoint_hears_every_sponsor(backend: Backend) {
    let app = spawn(backend).await;
    let w = world(&app).await;
    let rx = Receiver::start().await;
    let other = another_sponsor(&app, &w, "Crab Corp").await;
    let (admin, _) = join_staff(&app, &w, &w.sponsor_id, "admin@ferris.io", "admin").await;
    let (crab, _) = join_staff(&app, &w, &other, "rep@crab.io", "representative").await;
    let (ferris, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let hooks = format!("/api/v1/organizations/{}/events/{}/webhooks", w.organizer.org_id, w.event_id);
    let body = json!({"url": rx.url, "events": ["lead.created"]});
    let (status, p) = app.post(&hooks, Some(&admin.token), body.clone()).await;
    assert_problem(status, &p, 404);
    let (status, hook) = app.post(&hooks, Some(&w.organizer.token), body).await;
    assert_eq!(status, StatusCode::CREATED, "{hook}");
    assert!(hook["sponsor_id"].is_null());
    let secret = hook["secret"].as_str().unwrap().to_string();
    capture(&app, &w, &ferris.token, "booth_visit", "ada@corp.io").await;
    let (status, lead) = app
        .post(
            &format!("/api/v1/sponsors/events/{}/sponsors/{other}/capture-lead", w.event_id),
            Some(&crab.token),
            json!({"interaction_type": "booth_visit", "attendee": {"email": "bob@corp.io"}}),
        )
        .await;
    assert!(status.is_success(), "{lead}");
    let got = rx.wait("both sponsors' leads", |g| g.len() >= 2).await;
    let mut sponsors: Vec<String> = got.iter().map(|r| r.body["data"]["sponsor_id"].as_str().unwrap().into()).collect();
    sponsors.sort();
    let mut expected = vec![w.sponsor_id.clone(), other.clone()];
    expected.sort();
    assert_eq!(sponsors, expected);
    for r in &got {
        verify(&secret, r);
    }
    // the sponsor's own list does not show the organizer's endpoint
    let (_, own) = app.get(&format!("/api/v1/sponsors/sponsors/{}/webhooks", w.sponsor_id), Some(&admin.token)).await;
    assert!(own["items"].as_array().unwrap().is_empty(), "{own}");
    app.stop().await;
}

async fn private_addresses_are_refused_by_default(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app).await;
    let hooks = format!("/api/v1/sponsors/sponsors/{}/webhooks", w.sponsor_id);
    for url in [
        "http://127.0.0.1:9/hook",
        "https://127.0.0.1/hook",
        "https://10.0.0.8/hook",
        "https://localhost/hook",
        "https://[::1]/hook",
        "https://169.254.169.254/latest",
    ] {
        let (status, p) =
            app.post(&hooks, Some(&w.organizer.token), json!({"url": url, "events": ["lead.created"]})).await;
        assert_problem(status, &p, 422);
        assert_eq!(p["errors"][0]["field"], "url", "{url}: {p}");
    }
    let (status, hook) = app
        .post(
            &hooks,
            Some(&w.organizer.token),
            json!({"url": "https://crm.example.com/hook", "events": ["lead.created"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{hook}");
    app.stop().await;
}

/// A capture builds no webhook message while no enabled endpoint listens, which
/// its remembered context tells (docs/PERFORMANCE.md, "No webhook message while
/// no endpoint listens"); an endpoint created or enabled on this instance hears
/// of the very next capture all the same, a sponsor's and an event's: every
/// write of an endpoint makes the remembered contexts read again.
async fn an_endpoint_hears_of_captures_from_its_first_moment(backend: Backend) {
    let app = spawn(backend).await;
    let w = world(&app).await;
    let rx = Receiver::start().await;
    let other = another_sponsor(&app, &w, "Crab Corp").await;
    let (admin, _) = join_staff(&app, &w, &w.sponsor_id, "admin@ferris.io", "admin").await;
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let (crab, _) = join_staff(&app, &w, &other, "rep@crab.io", "representative").await;
    let crab_capture = |email: &'static str| {
        let (app, token, path) =
            (&app, crab.token.clone(), format!("/api/v1/sponsors/events/{}/sponsors/{other}/capture-lead", w.event_id));
        async move {
            let (status, lead) = app
                .post(&path, Some(&token), json!({"interaction_type": "booth_visit", "attendee": {"email": email}}))
                .await;
            assert!(status.is_success(), "{lead}");
            lead["id"].as_str().unwrap().to_string()
        }
    };
    let created_for = |id: String| {
        let rx = &rx;
        async move {
            rx.wait(&format!("lead.created of {id}"), |g| {
                g.iter().any(|r| r.body["type"] == "lead.created" && r.body["data"]["id"] == id.as_str())
            })
            .await;
        }
    };
    // the contexts are read, with no endpoint anywhere, and remembered
    capture(&app, &w, &rep.token, "booth_visit", "ada@corp.io").await;
    crab_capture("ada@corp.io").await;

    // a sponsor's endpoint, created: the next capture is told at once
    let hooks = format!("/api/v1/sponsors/sponsors/{}/webhooks", w.sponsor_id);
    let (status, hook) = app.post(&hooks, Some(&admin.token), json!({"url": rx.url, "events": ["lead.created"]})).await;
    assert_eq!(status, StatusCode::CREATED, "{hook}");
    let hook = format!("{hooks}/{}", hook["id"].as_str().unwrap());
    let bob = capture(&app, &w, &rep.token, "booth_visit", "bob@corp.io").await;
    created_for(bob["id"].as_str().unwrap().to_string()).await;

    // disabled, it hears nothing; enabled again, the next capture at once
    let (status, body) = app.patch(&hook, Some(&admin.token), json!({"is_enabled": false})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    capture(&app, &w, &rep.token, "booth_visit", "cy@corp.io").await;
    let (status, body) = app.patch(&hook, Some(&admin.token), json!({"is_enabled": true})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let dee = capture(&app, &w, &rep.token, "booth_visit", "dee@corp.io").await;
    created_for(dee["id"].as_str().unwrap().to_string()).await;
    assert!(
        !rx.of_type("lead.created").iter().any(|r| r.body["data"]["user_email"] == "cy@corp.io"),
        "nothing while disabled"
    );

    // the event's endpoint, created by the organizer: the other sponsor's next
    // capture, whose context was remembered with none, is told at once
    let event_hooks = format!("/api/v1/organizations/{}/events/{}/webhooks", w.organizer.org_id, w.event_id);
    let (status, hook) =
        app.post(&event_hooks, Some(&w.organizer.token), json!({"url": rx.url, "events": ["lead.created"]})).await;
    assert_eq!(status, StatusCode::CREATED, "{hook}");
    let lead = crab_capture("eve@corp.io").await;
    created_for(lead).await;
    app.stop().await;
}
