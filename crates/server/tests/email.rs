//! E-mail through the outbox, against a real SMTP server (aiosmtpd, started here
//! from `tests/support/smtp_sink.py`; `scripts/setup-test-tools` installs it):
//! what arrives (recipients, subject, text and HTML parts, an accept link that
//! accepts), lead digests, a worker stopped mid-batch, a dead worker's lease, a
//! refusing server, several workers on one PostgreSQL, and `.eml` files when no
//! SMTP server is configured.

mod common;

use common::{join_staff, world};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sponsorhub_server::Config;
use sponsorhub_services::email as outbox_rules;
use sponsorhub_store::outbox::{self, OutboxEmail};
use sponsorhub_testkit::{Backend, TestApp};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PUBLIC_URL: &str = "https://hub.example.test";

/// Runs `async fn name(Backend)` on SQLite and on PostgreSQL.
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
    invitation_arrives_with_both_parts_and_its_link_accepts,
    without_smtp_each_email_is_an_eml_file,
    leads_arrive_as_digests,
    a_worker_stopped_mid_batch_sends_each_email_once,
    a_dead_workers_claims_are_taken_over_after_the_lease,
    a_refusing_server_leaves_emails_retried_then_failed,
);

// ---------------------------------------------------------------------------
// The SMTP sink

/// The SMTP server process and what it has seen so far.
struct SmtpSink {
    port: u16,
    events: Arc<Mutex<Vec<Value>>>,
    child: std::process::Child,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl SmtpSink {
    /// Starts the sink with these options (see smtp_sink.py).
    async fn start(args: &[&str]) -> SmtpSink {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
        let setup = std::process::Command::new(format!("{root}/scripts/setup-test-tools"))
            .output()
            .expect("run scripts/setup-test-tools");
        assert!(setup.status.success(), "setup-test-tools: {}", String::from_utf8_lossy(&setup.stderr));
        let python = String::from_utf8(setup.stdout).unwrap().trim().to_string();
        let mut child = std::process::Command::new(python)
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/smtp_sink.py"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the SMTP sink");
        let stdout = child.stdout.take().unwrap();
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel::<Value>();
        std::thread::spawn(move || {
            let mut ready = Some(ready_tx);
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let event: Value = serde_json::from_str(&line).expect("a JSON line");
                match ready.take() {
                    Some(tx) => {
                        let _ = tx.send(event);
                    }
                    None => sink.lock().unwrap().push(event),
                }
            }
        });
        let ready = tokio::time::timeout(Duration::from_secs(20), ready_rx)
            .await
            .expect("the SMTP sink starts within 20 s")
            .expect("the sink says it is ready");
        assert_eq!(ready["event"], "ready", "{ready}");
        let port = ready["port"].as_u64().unwrap() as u16;
        SmtpSink { port, events, child }
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    fn of_kind(&self, event: &str) -> Vec<Value> {
        self.events.lock().unwrap().iter().filter(|e| e["event"] == event).cloned().collect()
    }

    fn messages(&self) -> Vec<Value> {
        self.of_kind("message")
    }

    fn messages_to(&self, address: &str) -> Vec<Value> {
        self.messages().into_iter().filter(|m| m["rcpt_tos"].as_array().unwrap().iter().any(|r| r == address)).collect()
    }

    /// Waits until `done` holds for the messages received (up to `secs`).
    async fn wait_for(&self, secs: u64, what: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let messages = self.messages();
            if done(&messages) {
                return messages;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}; received: {:#?}", summary(&messages));
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

fn summary(messages: &[Value]) -> Vec<(Value, Value)> {
    messages.iter().map(|m| (m["rcpt_tos"].clone(), m["subject"].clone())).collect()
}

// ---------------------------------------------------------------------------
// Helpers

/// Fast intervals, so retries and digests happen within a test's patience.
fn fast(config: &mut Config) {
    config.public_url = PUBLIC_URL.into();
    config.email.poll_interval = Duration::from_millis(50);
    config.email.settings.backoff_base = Duration::from_millis(100);
    config.email.settings.backoff_max = Duration::from_millis(400);
    config.email.settings.lead_digest_window = Duration::from_millis(300);
}

async fn spawn(backend: Backend, tweak: impl FnOnce(&mut Config)) -> TestApp {
    TestApp::spawn_with(backend, |c| {
        fast(c);
        tweak(c);
    })
    .await
}

/// Every e-mail of the outbox, newest first.
async fn outbox_rows(app: &TestApp) -> Vec<OutboxEmail> {
    let mut tx = app.server.state.services.store.read().await.unwrap();
    outbox::recent(&mut tx, None, 1000).await.unwrap()
}

async fn wait_rows(app: &TestApp, secs: u64, what: &str, done: impl Fn(&[OutboxEmail]) -> bool) -> Vec<OutboxEmail> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let rows = outbox_rows(app).await;
        if done(&rows) {
            return rows;
        }
        let states: Vec<_> = rows.iter().map(|r| (r.kind, r.status, r.attempts)).collect();
        assert!(Instant::now() < deadline, "timed out waiting for {what}; outbox: {states:?}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn invite(app: &TestApp, w: &common::World, email: &str, message: Option<&str>) -> Value {
    let (status, inv) = app
        .post(
            &w.org_path(&format!("/sponsors/{}/invitations", w.sponsor_id)),
            Some(&w.organizer.token),
            json!({"email": email, "role": "representative", "personal_message": message}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{inv}");
    inv
}

/// The accept link in a text part, and the token in it.
fn accept_link(text: &str) -> (String, String) {
    let start = text.find(&format!("{PUBLIC_URL}/invitations/accept?token=")).expect("an accept link in the text");
    let link: String = text[start..].chars().take_while(|c| !c.is_whitespace()).collect();
    let token = link.split_once("token=").unwrap().1.to_string();
    (link, token)
}

/// Each recipient and how many e-mails it got.
fn per_recipient(messages: &[Value]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for m in messages {
        for r in m["rcpt_tos"].as_array().unwrap() {
            *counts.entry(r.as_str().unwrap().to_string()).or_insert(0) += 1;
        }
    }
    counts
}

// ---------------------------------------------------------------------------
// The tests

async fn invitation_arrives_with_both_parts_and_its_link_accepts(backend: Backend) {
    let sink = SmtpSink::start(&[]).await;
    let app = spawn(backend, |c| c.email.smtp_url = Some(sink.url())).await;
    let w = world(&app).await;
    let note = "<script>alert('hi')</script> See you at booth 7 & bring badges";
    let inv = invite(&app, &w, "dana@ferris.example", Some(note)).await;

    let got = sink.wait_for(10, "the invitation", |m| m.len() == 1).await;
    let m = &got[0];
    assert_eq!(m["rcpt_tos"], json!(["dana@ferris.example"]));
    assert_eq!(m["to"], json!(["dana@ferris.example"]));
    assert_eq!(m["from"], "Sponsorhub <sponsorhub@localhost>");
    assert_eq!(m["subject"], "organizer invited you to join Ferris Inc at RustConf");
    assert_eq!(m["content_type"], "multipart/alternative");
    assert!(m["message_id"].as_str().unwrap().ends_with("@hub.example.test>"), "{}", m["message_id"]);
    let text = m["text"].as_str().expect("a text part");
    let html = m["html"].as_str().expect("an HTML part");
    for part in [text, html] {
        for detail in ["organizer", "Ferris Inc", "RustConf", "a representative", "dana@ferris.example", "UTC"] {
            assert!(part.contains(detail), "{detail:?} missing from:\n{part}");
        }
    }
    // the personal message: as written in text, escaped in HTML
    assert!(text.contains(note), "{text}");
    assert!(!html.contains("<script>"), "{html}");
    assert!(
        html.contains("&#60;script&#62;alert(&#39;hi&#39;)&#60;/script&#62;") || html.contains("&lt;script&gt;"),
        "{html}"
    );
    assert!(html.contains("booth 7 &#38; bring badges") || html.contains("booth 7 &amp; bring badges"), "{html}");

    // the link in both parts; followed, it accepts the invitation for that address
    let (link, first_token) = accept_link(text);
    assert!(html.contains(&format!("href=\"{link}\"")), "{html}");
    let row =
        wait_rows(&app, 5, "the invitation marked sent", |r| r.len() == 1 && r[0].status.as_str() == "sent").await;
    assert_eq!((row[0].kind.as_str(), row[0].attempts), ("invitation", 1));
    // once delivered, the stored message no longer holds the token
    for body in [&row[0].text_body, &row[0].html_body] {
        assert!(!body.contains(&first_token) && !body.contains("token="), "{body}");
    }

    // a resend mails a new link; the first one no longer works
    let invitation_id = inv["id"].as_str().unwrap();
    let (status, body) = app
        .post(&w.org_path(&format!("/invitations/{invitation_id}/resend")), Some(&w.organizer.token), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let got = sink.wait_for(10, "the resent invitation", |m| m.len() == 2).await;
    let (_, token) = accept_link(got[1]["text"].as_str().unwrap());
    assert_ne!(token, first_token);

    let dana = app.signup("dana@ferris.example", "Dana's org").await;
    let (status, body) =
        app.post("/api/v1/sponsors/sponsor-invitations/accept", Some(&dana.token), json!({"token": first_token})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, accepted) =
        app.post("/api/v1/sponsors/sponsor-invitations/accept", Some(&dana.token), json!({"token": token})).await;
    assert_eq!(status, StatusCode::OK, "{accepted}");
    assert_eq!(accepted["membership"]["role"], "representative");
    assert_eq!(accepted["sponsor"]["id"], json!(w.sponsor_id));
    app.stop().await;
}

async fn without_smtp_each_email_is_an_eml_file(backend: Backend) {
    let app = spawn(backend, |_| {}).await;
    let w = world(&app).await;
    invite(&app, &w, "erin@ferris.example", Some("Welcome <aboard>")).await;
    let rows = wait_rows(&app, 10, "the e-mail written", |r| r.len() == 1 && r[0].status.as_str() == "sent").await;
    let path = app.data_dir.path().join("outbox").join(format!("{}.eml", rows[0].id));
    let eml = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    for header in [
        "To: erin@ferris.example",
        "From: Sponsorhub <sponsorhub@localhost>",
        "Subject: organizer invited you to join Ferris Inc at RustConf",
        "Message-ID: <",
        "Date: ",
        "MIME-Version: 1.0",
        "Content-Type: multipart/alternative",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Type: text/html; charset=utf-8",
    ] {
        assert!(eml.contains(header), "{header:?} missing from:\n{eml}");
    }
    assert!(eml.contains("\r\n"), "RFC 5322 lines end in CRLF");
    // nothing else in the folder: no temporary files left behind
    let files: Vec<_> = std::fs::read_dir(app.data_dir.path().join("outbox")).unwrap().collect();
    assert_eq!(files.len(), 1);
    app.stop().await;
}

async fn capture(app: &TestApp, w: &common::World, sponsor: &str, token: &str, kind: &str, who: Value) -> Value {
    let path = format!("/api/v1/sponsors/events/{}/sponsors/{sponsor}/capture-lead", w.event_id);
    let (status, lead) = app.post(&path, Some(token), json!({"interaction_type": kind, "attendee": who})).await;
    assert!(status.is_success(), "{status}: {lead}");
    lead
}

async fn leads_arrive_as_digests(backend: Backend) {
    let sink = SmtpSink::start(&[]).await;
    let app = spawn(backend, |c| {
        c.email.smtp_url = Some(sink.url());
        c.email.settings.lead_digest_window = Duration::from_millis(2500);
    })
    .await;
    let w = world(&app).await;
    let (status, body) = app
        .patch(
            &w.org_path(&format!("/sponsors/{}", w.sponsor_id)),
            Some(&w.organizer.token),
            json!({"lead_notification_email": "leads@ferris.example"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (staff, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.example", "booth_staff").await;

    // three new leads within the window: one e-mail naming the three
    let ada = capture(
        &app,
        &w,
        &w.sponsor_id,
        &staff.token,
        "booth_visit",
        json!({"email": "ada@corp.io", "name": "Ada Lovelace", "company": "<b>Evil & Co</b>"}),
    )
    .await;
    capture(&app, &w, &w.sponsor_id, &staff.token, "qr_scan", json!({"email": "bob@corp.io", "name": "Bob"})).await;
    capture(&app, &w, &w.sponsor_id, &staff.token, "content_download", json!({"email": "cy@corp.io"})).await;
    let got = sink.wait_for(10, "the digest", |_| !sink.messages_to("leads@ferris.example").is_empty()).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let digests = sink.messages_to("leads@ferris.example");
    assert_eq!(digests.len(), 1, "one digest, not one e-mail per lead: {:#?}", summary(&got));
    let d = &digests[0];
    assert_eq!(d["rcpt_tos"], json!(["leads@ferris.example"]));
    assert_eq!(d["subject"], "3 new leads for Ferris Inc");
    let (text, html) = (d["text"].as_str().unwrap(), d["html"].as_str().unwrap());
    let ada_link = format!("{PUBLIC_URL}/portal/sponsors/{}/leads/{}", w.sponsor_id, ada["id"].as_str().unwrap());
    for part in [text, html] {
        for s in ["Ada Lovelace", "Bob", "cy@corp.io", "cold", "new lead", "RustConf", &ada_link] {
            assert!(part.contains(s), "{s:?} missing from:\n{part}");
        }
    }
    assert!(text.contains("<b>Evil & Co</b>"), "{text}");
    assert!(!html.contains("<b>Evil"), "company names are escaped in HTML: {html}");
    assert!(html.contains("&#60;b&#62;Evil &#38; Co&#60;/b&#62;") || html.contains("&lt;b&gt;Evil &amp; Co"), "{html}");

    // Ada turns hot (10 + 35 + 40 = 85): a second e-mail, about her alone; the
    // warm step in between tells nobody
    capture(&app, &w, &w.sponsor_id, &staff.token, "demo_request", json!({"email": "ada@corp.io"})).await;
    let hot = capture(&app, &w, &w.sponsor_id, &staff.token, "direct_request", json!({"email": "ada@corp.io"})).await;
    assert_eq!(hot["intent_level"], "hot");
    sink.wait_for(10, "the hot lead e-mail", |_| sink.messages_to("leads@ferris.example").len() == 2).await;
    let d = &sink.messages_to("leads@ferris.example")[1];
    assert_eq!(d["subject"], "Hot lead for Ferris Inc: Ada Lovelace");
    assert!(d["text"].as_str().unwrap().contains("turned hot, hot (85/100"), "{}", d["text"]);
    assert!(d["html"].as_str().unwrap().contains(&ada_link));

    // a sponsor without a lead address: its admins hear of its leads
    let other = common::another_sponsor(&app, &w, "Crab Corp").await;
    join_staff(&app, &w, &other, "boss@crab.example", "admin").await;
    let (other_staff, _) = join_staff(&app, &w, &other, "desk@crab.example", "booth_staff").await;
    capture(&app, &w, &other, &other_staff.token, "booth_visit", json!({"email": "dee@corp.io", "name": "Dee"})).await;
    let is_dee = |m: &Value| m["subject"] == "New lead for Crab Corp: Dee";
    sink.wait_for(10, "the admin's e-mail", |m| m.iter().any(is_dee)).await;
    let mails = sink.messages_to("boss@crab.example");
    let lead_mail = mails.iter().find(|m| is_dee(m)).expect("the lead e-mail to the admin");
    assert_eq!(lead_mail["rcpt_tos"], json!(["boss@crab.example"]), "admins only, not booth staff");
    assert!(sink.messages_to("desk@crab.example").iter().all(|m| m["subject"] != "New lead for Crab Corp: Dee"));
    app.stop().await;
}

async fn a_worker_stopped_mid_batch_sends_each_email_once(backend: Backend) {
    // queue six invitations while no worker runs
    let app = spawn(backend, |c| c.email.worker = false).await;
    let w = world(&app).await;
    let people: Vec<String> = (1..=6).map(|i| format!("person{i}@ferris.example")).collect();
    for p in &people {
        invite(&app, &w, p, None).await;
    }
    assert!(outbox_rows(&app).await.iter().all(|r| r.status.as_str() == "pending"));

    // a worker takes all six in one batch from a slow server; stop it after two
    let slow = SmtpSink::start(&["--delay-ms", "300"]).await;
    let app = app
        .restart_with(|c| {
            c.email.worker = true;
            c.email.smtp_url = Some(slow.url());
            c.email.settings.batch_size = 10;
        })
        .await;
    slow.wait_for(15, "two deliveries", |m| m.len() >= 2).await;
    let app = app.restart_with(|c| c.email.worker = false).await;
    let sent_before = slow.messages().len();
    assert!((2..6).contains(&sent_before), "stopped mid-batch, after {sent_before} e-mails");
    let rows = outbox_rows(&app).await;
    let sent = rows.iter().filter(|r| r.status.as_str() == "sent").count();
    assert_eq!(sent, sent_before, "each delivered e-mail is recorded as sent");
    for r in rows.iter().filter(|r| r.status.as_str() != "sent") {
        assert_eq!((r.status.as_str(), r.attempts), ("pending", 0), "the unsent rest was given back");
    }

    // a new worker sends the rest, and nothing twice
    let app = app
        .restart_with(|c| {
            c.email.worker = true;
            c.email.smtp_url = Some(slow.url());
        })
        .await;
    wait_rows(&app, 20, "all sent", |r| r.iter().all(|r| r.status.as_str() == "sent")).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let counts = per_recipient(&slow.messages());
    assert_eq!(counts.keys().cloned().collect::<Vec<_>>(), people, "every invitation delivered");
    assert!(counts.values().all(|&n| n == 1), "each exactly once: {counts:?}");
    assert!(outbox_rows(&app).await.iter().all(|r| r.attempts == 1));
    app.stop().await;
}

async fn a_dead_workers_claims_are_taken_over_after_the_lease(backend: Backend) {
    let app = spawn(backend, |c| {
        c.email.worker = false;
        c.email.settings.lease = Duration::from_secs(2);
    })
    .await;
    let w = world(&app).await;
    invite(&app, &w, "fay@ferris.example", None).await;
    // a worker claims the e-mail and dies before sending it
    let claimed = outbox_rules::claim_batch(&app.server.state.services).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!((claimed[0].status.as_str(), claimed[0].attempts), ("sending", 1));
    let claimed_at = Instant::now();

    let sink = SmtpSink::start(&[]).await;
    let app = app
        .restart_with(|c| {
            c.email.worker = true;
            c.email.smtp_url = Some(sink.url());
        })
        .await;
    sink.wait_for(10, "the e-mail, once the lease ran out", |m| m.len() == 1).await;
    assert!(claimed_at.elapsed() >= Duration::from_millis(1900), "not before the lease ran out");
    let rows = wait_rows(&app, 5, "sent", |r| r[0].status.as_str() == "sent").await;
    assert_eq!(rows[0].attempts, 2, "the dead worker's claim counts as an attempt");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.messages().len(), 1);
    app.stop().await;
}

async fn a_refusing_server_leaves_emails_retried_then_failed(backend: Backend) {
    let sink = SmtpSink::start(&["--refuse", "554"]).await;
    let app = spawn(backend, |c| {
        c.email.smtp_url = Some(sink.url());
        c.email.settings.max_attempts = 3;
        c.email.settings.backoff_base = Duration::from_millis(300);
    })
    .await;
    let w = world(&app).await;
    // timed from before the invitation: its first attempt may start at once
    let started = Instant::now();
    invite(&app, &w, "gus@ferris.example", None).await;

    // the API answers while the worker retries
    let mut answered = 0;
    loop {
        let t = Instant::now();
        let (status, body) =
            app.get(&w.org_path(&format!("/sponsors/{}", w.sponsor_id)), Some(&w.organizer.token)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(t.elapsed() < Duration::from_secs(2), "the API stays responsive");
        answered += 1;
        let rows = outbox_rows(&app).await;
        if rows[0].status.as_str() == "failed" {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "the e-mail should fail within 20 s: {rows:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(answered > 3);
    let rows = outbox_rows(&app).await;
    assert_eq!((rows[0].status.as_str(), rows[0].attempts), ("failed", 3));
    assert!(rows[0].last_error.as_deref().unwrap_or("").contains("554"), "{:?}", rows[0].last_error);
    // the sink's events reach the test through a pipe and a thread of their own:
    // the last may trail the service's record of the refusal it answered
    let deadline = Instant::now() + Duration::from_secs(5);
    while sink.of_kind("refused").len() < 3 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(sink.of_kind("refused").len(), 3, "three attempts reached the server");
    assert!(sink.messages().is_empty());
    // backoff: the second wait is twice the first (300 ms, then 600 ms). The service
    // times waits by the wall clock, this test by a monotonic one: allow them to
    // disagree by a little on a loaded machine.
    assert!(started.elapsed() >= Duration::from_millis(850), "{:?}", started.elapsed());
    // a failed e-mail stays failed
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.of_kind("refused").len(), 3);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_refuses_at_first_gets_the_email_on_a_retry() {
    let sink = SmtpSink::start(&["--refuse-first", "2"]).await;
    let app = spawn(Backend::Sqlite, |c| c.email.smtp_url = Some(sink.url())).await;
    let w = world(&app).await;
    invite(&app, &w, "hal@ferris.example", None).await;
    sink.wait_for(10, "the e-mail on the third attempt", |m| m.len() == 1).await;
    assert_eq!(sink.of_kind("refused").len(), 2);
    let rows = wait_rows(&app, 5, "sent", |r| r[0].status.as_str() == "sent").await;
    assert_eq!(rows[0].attempts, 3);
    assert_eq!(rows[0].last_error, None);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_auth_with_the_credentials_of_the_url() {
    let sink = SmtpSink::start(&["--auth", "mailer:s3cret pass"]).await;
    let url = format!("smtp://mailer:s3cret%20pass@127.0.0.1:{}", sink.port);
    let app = spawn(Backend::Sqlite, |c| {
        c.email.smtp_url = Some(url.clone());
        c.email.smtp_starttls = sponsorhub_server::config::StartTls::Off;
    })
    .await;
    let shown = app.config().to_string();
    assert!(shown.contains("smtp://mailer:***@127.0.0.1") && !shown.contains("s3cret"), "{shown}");
    let w = world(&app).await;
    invite(&app, &w, "ivy@ferris.example", None).await;
    sink.wait_for(10, "the e-mail", |m| m.len() == 1).await;
    let auth = sink.of_kind("auth");
    assert!(!auth.is_empty() && auth.iter().all(|a| a["ok"] == true && a["login"] == "mailer"), "{auth:?}");
    app.stop().await;
}

/// Several instances run the worker on one PostgreSQL: every e-mail is sent once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_workers_on_one_postgres_send_each_email_once() {
    let app = spawn(Backend::Postgres, |c| {
        c.email.worker = false;
        c.limits.invitations_per_minute = 100;
    })
    .await;
    let w = world(&app).await;
    let people: Vec<String> = (1..=20).map(|i| format!("crew{i:02}@ferris.example")).collect();
    for p in &people {
        invite(&app, &w, p, None).await;
    }
    let sink = SmtpSink::start(&["--delay-ms", "40"]).await;
    let mut config = app.config();
    config.email.worker = true;
    config.email.smtp_url = Some(sink.url());
    config.email.settings.batch_size = 1;
    config.email.poll_interval = Duration::from_millis(10);
    let mut others = Vec::new();
    for _ in 0..4 {
        others.push(sponsorhub_server::start(config.clone()).await.expect("another instance"));
    }
    wait_rows(&app, 30, "all sent", |r| r.iter().all(|r| r.status.as_str() == "sent")).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let counts = per_recipient(&sink.messages());
    assert_eq!(counts.keys().cloned().collect::<Vec<_>>(), people);
    assert!(counts.values().all(|&n| n == 1), "each exactly once: {counts:?}");
    assert!(outbox_rows(&app).await.iter().all(|r| r.attempts == 1));
    for o in others {
        o.stop().await.unwrap();
    }
    app.stop().await;
}
