//! The socket.io gateway (`/socket.io/`, namespace `/events`) seen by the stock
//! JavaScript client (socket.io-client 4): authentication, who may join a sponsor's
//! room, the lead events after commit (and none for a rolled-back capture), the end
//! of a revoked member's feed, and two instances sharing rooms through PostgreSQL.

mod common;

use common::sio::{Clients, Via, WAIT};
use common::{World, another_sponsor, join_staff, world};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sponsorhub_testkit::{Backend, TestApp, dual_backend};
use sqlx::Connection;
use std::time::Duration;

dual_backend!(
    connections_need_a_valid_token,
    joining_needs_permission_to_read_the_leads,
    a_capture_reaches_the_sponsor_room,
    an_intent_change_carries_the_previous_and_new_level,
    a_failed_capture_emits_nothing,
    staff_changes_reach_every_open_dashboard,
    a_revoked_member_stops_receiving,
    joining_in_the_connect_callback_is_answered,
    a_socket_ends_when_its_token_expires,
    the_grant_check_reads_every_sponsor_at_once,
    feeds_wait_their_turn_to_open_in_a_small_state,
    a_join_decided_after_its_socket_closed_leaves_nothing,
);

/// Long enough for an event that was going to come to have come.
const QUIET: Duration = Duration::from_millis(500);

async fn capture(app: &TestApp, w: &World, token: &str, kind: &str, attendee: Value) -> (StatusCode, Value) {
    app.post(&w.capture_path(), Some(token), json!({"interaction_type": kind, "attendee": attendee})).await
}

fn expired_token() -> String {
    let exp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() - 3600;
    jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &json!({"sub": "someone", "email": "someone@example.com", "exp": exp}),
        &jsonwebtoken::EncodingKey::from_secret(sponsorhub_testkit::TEST_JWT_SECRET.as_bytes()),
    )
    .unwrap()
}

async fn connections_need_a_valid_token(app: TestApp) {
    let url = app.server.url();
    let mut c = Clients::start();

    let err = c.connect("none", &url, None, Via::Auth).await.expect_err("no token must be refused");
    assert!(err.contains("unauthorized"), "{err}");
    let err = c.connect("garbage", &url, Some("not-a-jwt"), Via::Auth).await.expect_err("a bad token must be refused");
    assert!(err.contains("unauthorized"), "{err}");
    let forged = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &json!({"sub": "mallory", "email": "mallory@example.com", "exp": 4_000_000_000u64}),
        &jsonwebtoken::EncodingKey::from_secret(b"another-secret-that-is-32-bytes-long!!"),
    )
    .unwrap();
    c.connect("forged", &url, Some(&forged), Via::Auth).await.expect_err("a token signed with another key");
    c.connect("expired", &url, Some(&expired_token()), Via::Header).await.expect_err("an expired token");
    c.connect("bad-header", &url, Some("not-a-jwt"), Via::Header).await.expect_err("a bad token in the header");

    // a valid token, in the handshake's auth or in the Authorization header
    let ada = app.signup("ada@example.com", "Ada Org").await;
    c.connect("auth", &url, Some(&ada.token), Via::Auth).await.expect("a valid token in auth");
    c.connect("header", &url, Some(&ada.token), Via::Header).await.expect("a valid token in the header");
    // a platform token for a user never seen before works too
    let platform = app.platform_token("platform-user-7", "p7@platform.io", None);
    c.connect("platform", &url, Some(&platform), Via::Auth).await.expect("a platform token");
}

async fn joining_needs_permission_to_read_the_leads(app: TestApp) {
    let url = app.server.url();
    let w = world(&app).await;
    let (booth, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let (blind, blind_id) = join_staff(&app, &w, &w.sponsor_id, "blind@ferris.io", "representative").await;
    let (status, body) = app
        .patch(
            &w.org_path(&format!("/sponsor-users/{blind_id}")),
            Some(&w.organizer.token),
            json!({"can_view_leads": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let other = another_sponsor(&app, &w, "Crab Corp").await;
    let (crab, _) = join_staff(&app, &w, &other, "staff@crab.io", "admin").await;
    let stranger = app.signup("organizer@other-events.io", "Other Events").await;

    let mut c = Clients::start();
    for (id, token) in [
        ("organizer", &w.organizer.token),
        ("booth", &booth.token),
        ("blind", &blind.token),
        ("crab", &crab.token),
        ("stranger", &stranger.token),
    ] {
        c.connected(id, &url, token).await;
    }

    c.joined("organizer", &w.sponsor_id).await;
    c.joined("booth", &w.sponsor_id).await;
    for id in ["blind", "crab", "stranger"] {
        let ack = c.join(id, &w.sponsor_id).await;
        assert_eq!(ack["success"], json!(false), "{id} must not join: {ack}");
        assert!(ack["error"].as_str().is_some_and(|e| !e.is_empty()), "{ack}");
    }
    // another sponsor's staff, and an organizer of another organization, see the
    // sponsor as missing; a member without view-leads is told why
    assert!(c.join("stranger", &w.sponsor_id).await["error"].as_str().unwrap().contains("not found"));
    assert!(c.join("crab", &w.sponsor_id).await["error"].as_str().unwrap().contains("not found"));
    assert!(c.join("blind", &w.sponsor_id).await["error"].as_str().unwrap().contains("view leads"));
    // crab's staff may join their own sponsor's room
    c.joined("crab", &other).await;

    // malformed requests get an answer, not silence
    let ack = c.emit("booth", "sponsor.leads.join", json!({"sponsorId": "nope"})).await;
    assert_eq!(ack["success"], json!(false), "{ack}");
    let ack = c.emit("booth", "sponsor.leads.join", json!("hello")).await;
    assert_eq!(ack["success"], json!(false), "{ack}");
    let ack = c.join("booth", &uuid_like_missing()).await;
    assert_eq!(ack["success"], json!(false), "{ack}");

    // leaving: acknowledged, and the feed stops
    let ack = c.emit("booth", "sponsor.leads.leave", json!({"sponsorId": w.sponsor_id})).await;
    assert_eq!(ack, json!({"success": true}));
    let (status, _) = capture(&app, &w, &booth.token, "booth_visit", json!({"email": "x@corp.io"})).await;
    assert_eq!(status, StatusCode::CREATED);
    c.next("organizer", "lead.captured.new").await;
    c.nothing("booth", QUIET).await;
    c.nothing("blind", Duration::ZERO).await;
    c.nothing("stranger", Duration::ZERO).await;
}

fn uuid_like_missing() -> String {
    "01900000-0000-7000-8000-000000000000".into()
}

async fn a_capture_reaches_the_sponsor_room(app: TestApp) {
    let url = app.server.url();
    let w = world(&app).await;
    let (booth, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let other = another_sponsor(&app, &w, "Crab Corp").await;
    let (crab, _) = join_staff(&app, &w, &other, "staff@crab.io", "admin").await;

    let mut c = Clients::start();
    c.connected("organizer", &url, &w.organizer.token).await;
    c.connected("booth", &url, &booth.token).await;
    c.connected("crab", &url, &crab.token).await;
    c.connected("idle", &url, &booth.token).await; // connected, never joined
    c.joined("organizer", &w.sponsor_id).await;
    c.joined("booth", &w.sponsor_id).await;
    c.joined("crab", &other).await;

    let attendee =
        json!({"user_id": "platform-ada", "name": "Ada", "email": "ada@corp.io", "company": "Corp", "title": "CTO"});
    let (status, lead) = capture(&app, &w, &booth.token, "booth_visit", attendee).await;
    assert_eq!(status, StatusCode::CREATED, "{lead}");

    for id in ["organizer", "booth"] {
        let got = c.next(id, "lead.captured.new").await;
        // the lead, camelCase, as the REST API answered it
        assert_eq!(got["id"], lead["id"]);
        assert_eq!(got["sponsorId"], json!(w.sponsor_id));
        assert_eq!(got["eventId"], json!(w.event_id));
        assert_eq!(got["userId"], lead["user_id"]);
        assert_eq!(got["userName"], "Ada");
        assert_eq!(got["userEmail"], "ada@corp.io");
        assert_eq!(got["userCompany"], "Corp");
        assert_eq!(got["userTitle"], "CTO");
        assert_eq!(got["intentScore"], 10);
        assert_eq!(got["intentLevel"], "cold");
        assert_eq!(got["interactionCount"], 1);
        assert_eq!(got["followUpStatus"], "new");
        assert_eq!(got["isStarred"], false);
        assert_eq!(got["isArchived"], false);
        assert_eq!(got["tags"], json!([]));
        assert_eq!(got["createdAt"], lead["created_at"]);
        assert_eq!(got["updatedAt"], lead["updated_at"], "updatedAt lets a dashboard resume with updated_since");
        assert_eq!(got["lastInteractionAt"], lead["last_interaction_at"]);
        let snake: Vec<&String> = got.as_object().unwrap().keys().filter(|k| k.contains('_')).collect();
        assert!(snake.is_empty(), "socket.io payloads are camelCase: {snake:?}");
    }
    // a first capture is not an intent change
    c.nothing("organizer", QUIET).await;
    c.nothing("idle", Duration::ZERO).await;
    c.nothing("crab", Duration::ZERO).await;

    // the catch-up path after a reconnect: the list since the last updatedAt seen
    let since = lead["updated_at"].as_str().unwrap().replace('+', "%2B");
    let (status, page) = app.get(&w.leads_path(&format!("?updated_since={since}")), Some(&booth.token)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["items"][0]["id"], lead["id"]);
}

async fn an_intent_change_carries_the_previous_and_new_level(app: TestApp) {
    let url = app.server.url();
    let w = world(&app).await;
    let (booth, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let mut c = Clients::start();
    c.connected("dashboard", &url, &w.organizer.token).await;
    c.joined("dashboard", &w.sponsor_id).await;

    // 30: cold; then 35 + 5 (repeat) = 70: hot
    let ada = json!({"email": "ada@corp.io"});
    let (status, first) = capture(&app, &w, &booth.token, "demo_request", ada.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let new = c.next("dashboard", "lead.captured.new").await;
    assert_eq!((new["intentScore"].as_i64(), new["intentLevel"].as_str()), (Some(30), Some("cold")));

    let (status, second) = capture(&app, &w, &booth.token, "direct_request", ada.clone()).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    let change = c.next("dashboard", "lead.intent.updated").await;
    assert_eq!(
        change,
        json!({
            "leadId": first["id"],
            "sponsorId": w.sponsor_id,
            "intentScore": 70,
            "intentLevel": "hot",
            "previousIntentLevel": "cold",
            "interactionCount": 2,
            "updatedAt": second["updated_at"],
        })
    );
    // an update is not a new lead
    c.nothing("dashboard", QUIET).await;

    // a score that changes within a level is announced too
    let (_, third) = capture(&app, &w, &booth.token, "content_view", ada).await;
    let change = c.next("dashboard", "lead.intent.updated").await;
    assert_eq!((change["intentScore"].as_i64(), change["intentLevel"].as_str()), (Some(80), Some("hot")));
    assert_eq!(change["previousIntentLevel"], "hot");
    assert_eq!(change["updatedAt"], third["updated_at"]);
}

/// Makes every insert of an interaction fail inside the capture's transaction,
/// after the lead was written: the transaction rolls back.
async fn break_interactions(app: &TestApp, broken: bool) {
    let url = &app.server.state.config.database_url;
    let sql = match (app.backend, broken) {
        (Backend::Sqlite, true) => {
            "CREATE TRIGGER fail_interactions BEFORE INSERT ON sponsor_lead_interactions \
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;"
        }
        (Backend::Sqlite, false) => "DROP TRIGGER fail_interactions;",
        (Backend::Postgres, true) => {
            "CREATE FUNCTION fail_interactions() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$; \
             CREATE TRIGGER fail_interactions BEFORE INSERT ON sponsor_lead_interactions \
             FOR EACH ROW EXECUTE FUNCTION fail_interactions();"
        }
        (Backend::Postgres, false) => "DROP TRIGGER fail_interactions ON sponsor_lead_interactions;",
    };
    match app.backend {
        Backend::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
            sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
            conn.close().await.unwrap();
        }
        Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
            conn.close().await.unwrap();
        }
    }
}

async fn a_failed_capture_emits_nothing(app: TestApp) {
    let url = app.server.url();
    let w = world(&app).await;
    let (booth, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let mut c = Clients::start();
    c.connected("dashboard", &url, &w.organizer.token).await;
    c.joined("dashboard", &w.sponsor_id).await;

    // rolled back after the lead was written
    break_interactions(&app, true).await;
    let (status, body) = capture(&app, &w, &booth.token, "booth_visit", json!({"email": "ghost@corp.io"})).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    break_interactions(&app, false).await;
    // refused before any write
    let (status, _) = capture(&app, &w, &booth.token, "teleport", json!({"email": "ghost@corp.io"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let sponsor = w.org_path(&format!("/sponsors/{}", w.sponsor_id));
    app.patch(&sponsor, Some(&w.organizer.token), json!({"lead_capture_enabled": false})).await;
    let (status, _) = capture(&app, &w, &booth.token, "booth_visit", json!({"email": "ghost@corp.io"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    app.patch(&sponsor, Some(&w.organizer.token), json!({"lead_capture_enabled": true})).await;
    c.nothing("dashboard", QUIET).await;

    // nothing was recorded, and the next good capture is the first event to arrive
    let (_, leads) = app.get(&w.leads_path(""), Some(&booth.token)).await;
    assert_eq!(leads["items"], json!([]), "the failed capture was rolled back");
    let (status, _) = capture(&app, &w, &booth.token, "booth_visit", json!({"email": "real@corp.io"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let got = c.next("dashboard", "lead.captured.new").await;
    assert_eq!(got["userEmail"], "real@corp.io");
    assert_eq!(got["interactionCount"], 1);
}

async fn staff_changes_reach_every_open_dashboard(app: TestApp) {
    let url = app.server.url();
    let w = world(&app).await;
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let mut c = Clients::start();
    c.connected("one", &url, &w.organizer.token).await;
    c.connected("two", &url, &rep.token).await;
    c.joined("one", &w.sponsor_id).await;
    c.joined("two", &w.sponsor_id).await;

    let (_, lead) = capture(&app, &w, &rep.token, "booth_visit", json!({"email": "ada@corp.io"})).await;
    let id = lead["id"].as_str().unwrap();
    c.next("one", "lead.captured.new").await;
    c.next("two", "lead.captured.new").await;

    let changes = [
        json!({"is_starred": true}),
        json!({"follow_up_status": "contacted", "follow_up_notes": "called, send the deck"}),
        json!({"is_archived": true}),
    ];
    for change in changes {
        let (status, updated) = app.patch(&w.leads_path(&format!("/{id}")), Some(&rep.token), change.clone()).await;
        assert_eq!(status, StatusCode::OK, "{updated}");
        for dash in ["one", "two"] {
            let got = c.next(dash, "lead.updated").await;
            assert_eq!(got["id"], json!(id));
            assert_eq!(got["isStarred"], updated["is_starred"]);
            assert_eq!(got["followUpStatus"], updated["follow_up_status"]);
            assert_eq!(got["followUpNotes"], updated["follow_up_notes"]);
            assert_eq!(got["isArchived"], updated["is_archived"]);
            assert_eq!(got["updatedAt"], updated["updated_at"]);
        }
    }
    // a refused change announces nothing
    let (status, _) =
        app.patch(&w.leads_path(&format!("/{id}")), Some(&rep.token), json!({"follow_up_status": "bogus"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    c.nothing("one", QUIET).await;
}

async fn a_revoked_member_stops_receiving(app: TestApp) {
    let url = app.server.url();
    let w = world(&app).await;
    let (leaving, leaving_id) = join_staff(&app, &w, &w.sponsor_id, "leaving@ferris.io", "booth_staff").await;
    let (muted, muted_id) = join_staff(&app, &w, &w.sponsor_id, "muted@ferris.io", "representative").await;
    let (booth, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;

    let mut c = Clients::start();
    c.connected("organizer", &url, &w.organizer.token).await;
    c.connected("leaving", &url, &leaving.token).await;
    c.connected("leaving-tab-2", &url, &leaving.token).await;
    c.connected("muted", &url, &muted.token).await;
    for id in ["organizer", "leaving", "leaving-tab-2", "muted"] {
        c.joined(id, &w.sponsor_id).await;
    }
    capture(&app, &w, &booth.token, "booth_visit", json!({"email": "one@corp.io"})).await;
    for id in ["organizer", "leaving", "leaving-tab-2", "muted"] {
        c.next(id, "lead.captured.new").await;
    }

    // one is taken off the staff, the other loses view-leads
    let (status, body) =
        app.delete(&w.org_path(&format!("/sponsor-users/{leaving_id}")), Some(&w.organizer.token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .patch(
            &w.org_path(&format!("/sponsor-users/{muted_id}")),
            Some(&w.organizer.token),
            json!({"can_view_leads": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    capture(&app, &w, &booth.token, "booth_visit", json!({"email": "two@corp.io"})).await;
    let got = c.next("organizer", "lead.captured.new").await;
    assert_eq!(got["userEmail"], "two@corp.io");
    c.nothing("leaving", QUIET).await;
    c.nothing("leaving-tab-2", Duration::ZERO).await;
    c.nothing("muted", Duration::ZERO).await;
    // and they cannot come back in
    assert_eq!(c.join("leaving", &w.sponsor_id).await["success"], json!(false));
    assert_eq!(c.join("muted", &w.sponsor_id).await["success"], json!(false));
}

async fn joining_in_the_connect_callback_is_answered(app: TestApp) {
    let url = app.server.url();
    let w = world(&app).await;
    let mut c = Clients::start();
    // many at once, so that the join often arrives right behind the CONNECT packet
    let ids: Vec<String> = (0..100).map(|i| format!("dash-{i}")).collect();
    for id in &ids {
        c.send_connect_and_join(id, &url, &w.organizer.token, &w.sponsor_id);
    }
    for id in &ids {
        assert_eq!(c.join_ack(id).await, json!({"success": true}), "{id}");
    }
    let (status, _) = capture(&app, &w, &w.organizer.token, "booth_visit", Value::Null).await;
    assert_eq!(status, StatusCode::CREATED);
    for id in &ids {
        c.next(id, "lead.captured.new").await;
    }
}

/// Two instances on one PostgreSQL database: a capture made through A reaches a
/// dashboard connected to B, and a revocation made through A ends a feed on B.
/// This instance's sockets get an emit without waiting for the NOTIFY that
/// takes it to other instances, and get it when that NOTIFY fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn this_instances_sockets_do_not_wait_for_other_instances() {
    let app = TestApp::spawn(Backend::Postgres).await;
    assert_eq!(app.server.state.realtime.adapter_name(), "postgres");
    let w = world(&app).await;
    let (booth, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let mut c = Clients::start();
    c.connected("dashboard", &app.server.url(), &w.organizer.token).await;
    c.joined("dashboard", &w.sponsor_id).await;

    // another instance listens, so the emit to it is sent (and fails), not
    // left out (docs/DECISIONS.md, "No NOTIFY when no other instance listens")
    let peer = app.spawn_peer().await;
    let skipped = app.server.state.realtime.emits_skipped();
    app.server.state.realtime.cut_off_other_instances().await;
    let (status, lead) = capture(&app, &w, &booth.token, "demo_request", json!({"email": "ada@corp.io"})).await;
    assert_eq!(status, StatusCode::CREATED, "{lead}");
    let got = c.next("dashboard", "lead.captured.new").await;
    assert_eq!(got["id"], lead["id"]);
    c.nothing("dashboard", QUIET).await;
    assert_eq!(app.server.state.realtime.emits_skipped(), skipped, "the emit to the peer was tried");
    drop(c);
    peer.stop().await.expect("stop the peer");
    app.stop().await;
}

/// An instance alone on its NOTIFY channels sends no NOTIFY for its emits
/// (docs/DECISIONS.md, "No NOTIFY when no other instance listens"); a second
/// instance that starts is seen before it serves: a dashboard that joins on it
/// at once gets the first instance's next capture; once it stops, the first
/// is alone again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_notify_while_no_other_instance_listens() {
    // a trust longer than a peer's own start takes without its wait, so that a
    // peer that did not wait would serve while A still trusted a look that
    // missed it
    let trusted = Duration::from_millis(1500);
    let a = TestApp::spawn_with(Backend::Postgres, |c| c.realtime.peers_trusted = trusted).await;
    let w = world(&a).await;
    let (booth, _) = join_staff(&a, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let skipped = || a.server.state.realtime.emits_skipped();
    assert!(left_out_soon(&a, &w, &booth.token, "alone").await, "an instance alone leaves its emits out");
    // and this instance's sockets still get every capture
    let mut c = Clients::start();
    c.connected("on-a", &a.server.url(), &w.organizer.token).await;
    c.joined("on-a", &w.sponsor_id).await;
    let (status, lead) = capture(&a, &w, &booth.token, "qr_scan", json!({"email": "here@corp.io"})).await;
    assert_eq!(status, StatusCode::CREATED, "{lead}");
    assert_eq!(c.next("on-a", "lead.captured.new").await["id"], lead["id"]);

    let started = std::time::Instant::now();
    let b = a.spawn_peer().await;
    assert!(started.elapsed() >= trusted, "B waited {:?} before it served", started.elapsed());
    c.connected("on-b", &b.url(), &w.organizer.token).await;
    c.joined("on-b", &w.sponsor_id).await;
    let before = skipped();
    let (status, lead) = capture(&a, &w, &booth.token, "qr_scan", json!({"email": "seen@corp.io"})).await;
    assert_eq!(status, StatusCode::CREATED, "{lead}");
    assert_eq!(c.next("on-b", "lead.captured.new").await["id"], lead["id"], "B was seen before it served");
    assert_eq!(skipped(), before, "nothing left out while B listens");

    drop(c);
    b.stop().await.expect("stop B");
    assert!(left_out_soon(&a, &w, &booth.token, "again").await, "alone again after B stopped");
    a.stop().await;
}

/// Captures new leads through `app` until one of its emits to other instances
/// is left out (the instance's look may not have ended yet), at most 40;
/// whether one was.
async fn left_out_soon(app: &TestApp, w: &World, token: &str, tag: &str) -> bool {
    let skipped = || app.server.state.realtime.emits_skipped();
    for n in 0..40 {
        let before = skipped();
        let (status, lead) = capture(app, w, token, "qr_scan", json!({"email": format!("{tag}{n}@corp.io")})).await;
        assert_eq!(status, StatusCode::CREATED, "{lead}");
        // the relay runs after the answer: a moment for it
        tokio::time::sleep(Duration::from_millis(50)).await;
        if skipped() > before {
            return true;
        }
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_rooms_through_postgres() {
    let a = TestApp::spawn(Backend::Postgres).await;
    let b = a.spawn_peer().await;
    assert_eq!(a.server.state.realtime.adapter_name(), "postgres");
    assert_eq!(b.state.realtime.adapter_name(), "postgres");
    // a NOTIFY's commit does not wait for the WAL's flush (docs/PERFORMANCE.md)
    assert_eq!(a.server.state.realtime.adapter_setting("synchronous_commit").await.as_deref(), Some("off"));
    let w = world(&a).await;
    let (booth, booth_id) = join_staff(&a, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;

    let mut c = Clients::start();
    c.connected("on-b", &b.url(), &w.organizer.token).await;
    c.connected("staff-on-b", &b.url(), &booth.token).await;
    c.connected("on-a", &a.server.url(), &w.organizer.token).await;
    for id in ["on-b", "staff-on-b", "on-a"] {
        c.joined(id, &w.sponsor_id).await;
    }

    let (status, lead) = capture(&a, &w, &booth.token, "demo_request", json!({"email": "ada@corp.io"})).await;
    assert_eq!(status, StatusCode::CREATED, "{lead}");
    for id in ["on-b", "staff-on-b", "on-a"] {
        let got = c.next(id, "lead.captured.new").await;
        assert_eq!(got["id"], lead["id"], "{id}");
        assert_eq!(got["updatedAt"], lead["updated_at"]);
    }
    // once each: the sockets on A get it first without the NOTIFY, the adapter
    // takes it to B's and leaves A's out
    for id in ["on-b", "staff-on-b", "on-a"] {
        c.nothing(id, QUIET).await;
    }
    let (status, _) = capture(&a, &w, &booth.token, "direct_request", json!({"email": "ada@corp.io"})).await;
    assert_eq!(status, StatusCode::OK);
    for id in ["on-b", "staff-on-b", "on-a"] {
        let change = c.next(id, "lead.intent.updated").await;
        assert_eq!(
            (change["previousIntentLevel"].as_str(), change["intentLevel"].as_str()),
            (Some("cold"), Some("hot"))
        );
    }

    // revoked through A: within 2 s the socket on B leaves the room (B's live
    // grants are re-decided from the database) and is told so
    let (status, _) = a.delete(&w.org_path(&format!("/sponsor-users/{booth_id}")), Some(&w.organizer.token)).await;
    assert_eq!(status, StatusCode::OK);
    let closed = c.next("staff-on-b", "sponsor.leads.closed").await;
    assert_eq!(closed["sponsorId"], w.sponsor_id.as_str());
    let (rep, _) = join_staff(&a, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    capture(&a, &w, &rep.token, "booth_visit", json!({"email": "bob@corp.io"})).await;
    assert_eq!(c.next("on-b", "lead.captured.new").await["userEmail"], "bob@corp.io");
    c.nothing("staff-on-b", QUIET).await;

    drop(c);
    b.stop().await.expect("stop B");
    a.stop().await;
}

async fn a_socket_ends_when_its_token_expires(app: TestApp) {
    let url = app.server.url();
    let w = world(&app).await;
    let (booth, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    // the organizer's identity, in a token that expires in two seconds
    let exp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 2;
    let short = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &json!({"sub": w.organizer.user_id, "email": w.organizer.email, "orgId": w.organizer.org_id, "role": "OWNER", "exp": exp}),
        &jsonwebtoken::EncodingKey::from_secret(sponsorhub_testkit::TEST_JWT_SECRET.as_bytes()),
    )
    .unwrap();
    let mut c = Clients::start();
    c.connected("short", &url, &short).await;
    c.joined("short", &w.sponsor_id).await;
    c.connected("long", &url, &w.organizer.token).await;
    c.joined("long", &w.sponsor_id).await;

    // within a few seconds of its expiry the server closes the short-lived socket
    c.next("short", "disconnect").await;
    capture(&app, &w, &booth.token, "booth_visit", json!({"email": "after@corp.io"})).await;
    let got = c.next("long", "lead.captured.new").await;
    assert_eq!(got["userEmail"], "after@corp.io");
    c.nothing("short", QUIET).await;
}

/// The check that re-decides every open feed (docs/ARCHITECTURE.md, "Real time
/// (socket.io)") reads all the sponsors with open feeds at once: three queries
/// for three sponsors, as for one. A member taken off the staff by another
/// instance (here: by hand in the database, so no in-process notice ends the
/// feed) loses their feed at the next check; the others stay open.
async fn the_grant_check_reads_every_sponsor_at_once(app: TestApp) {
    use sponsorhub_services::live;
    let w = world(&app).await;
    let svc = &app.server.state.services;
    let (staff, staff_member) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let others = [another_sponsor(&app, &w, "Crab Co").await, another_sponsor(&app, &w, "Shell Ltd").await];
    let organizer = sponsorhub_services::accounts::authenticate(svc, &w.organizer.token).await.unwrap();
    let mut feeds = Vec::new();
    for sponsor in [&w.sponsor_id].into_iter().chain(others.iter()) {
        feeds.push(live::open_lead_feed(svc, &organizer, sponsor.parse().unwrap()).await.unwrap());
    }
    let staff = sponsorhub_services::accounts::authenticate(svc, &staff.token).await.unwrap();
    let staff_feed = live::open_lead_feed(svc, &staff, w.sponsor_id.parse().unwrap()).await.unwrap();

    // a background worker's statement may fall inside a check: the fewest of a few
    let mut fewest = u64::MAX;
    for _ in 0..5 {
        let before = svc.store.queries_executed();
        live::check_grants(svc).await.unwrap();
        fewest = fewest.min(svc.store.queries_executed() - before);
    }
    assert_eq!(fewest, 3, "one query each for the sponsors, their staff and their organizations' members");
    assert!(staff_feed.is_live() && feeds.iter().all(|f| f.is_live()));

    let sql = "UPDATE sponsor_users SET is_active = FALSE WHERE id = $1";
    let id: uuid::Uuid = staff_member.parse().unwrap();
    let url = app.config().database_url;
    match app.backend {
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
            sqlx::query(sql).bind(id).execute(&mut c).await.unwrap();
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
            sqlx::query(sql).bind(id).execute(&mut c).await.unwrap();
        }
    }
    live::check_grants(svc).await.unwrap();
    assert!(!staff_feed.is_live(), "the member taken off the staff lost the feed");
    assert!(feeds.iter().all(|f| f.is_live()), "the organizer's feeds stay open");
}

/// At a connect storm thousands of dashboards join at once, and each join waits
/// for the read pool: it waits its turn holding a few bytes, and only the feeds
/// being decided hold their queries' state (docs/PERFORMANCE.md, "Memory per
/// socket"). Many more than may decide at once all open.
async fn feeds_wait_their_turn_to_open_in_a_small_state(app: TestApp) {
    use sponsorhub_services::live;
    let w = world(&app).await;
    let svc = &app.server.state.services;
    let organizer = sponsorhub_services::accounts::authenticate(svc, &w.organizer.token).await.unwrap();
    let sponsor: uuid::Uuid = w.sponsor_id.parse().unwrap();

    let lead_feed = live::open_lead_feed(svc, &organizer, sponsor);
    let message_feed = live::open_message_feed(svc, &organizer, sponsor);
    let (leads, messages) = (std::mem::size_of_val(&lead_feed), std::mem::size_of_val(&message_feed));
    assert!(leads <= 512 && messages <= 512, "a waiting feed holds {leads} and {messages} bytes");
    drop((lead_feed, message_feed));

    // while every turn is taken a feed waits, and it opens once one is free
    let every_turn = svc.live.take_every_turn().await;
    let mut waiting = Box::pin(live::open_lead_feed(svc, &organizer, sponsor));
    assert!(tokio::time::timeout(QUIET, &mut waiting).await.is_err(), "the feed waited for a turn");
    drop(every_turn);
    assert!(waiting.await.unwrap().is_live());

    let feeds = futures_util::future::join_all((0..100).map(|_| live::open_lead_feed(svc, &organizer, sponsor))).await;
    assert!(feeds.iter().all(|f| f.as_ref().is_ok_and(|g| g.is_live())), "every feed opened");
    let stranger = another_sponsor(&app, &w, "Crab Co").await;
    let staff = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await.0;
    let staff = sponsorhub_services::accounts::authenticate(svc, &staff.token).await.unwrap();
    let refused = live::open_lead_feed(svc, &staff, stranger.parse().unwrap()).await;
    assert!(refused.is_err(), "a turn does not skip the decision");
}

/// A join waits for its turn and the database; if the socket closes meanwhile,
/// the grant it then opens must not outlive the socket (it would keep the
/// socket in memory until the token expires, and any client could repeat it).
async fn a_join_decided_after_its_socket_closed_leaves_nothing(app: TestApp) {
    let url = app.server.url();
    let w = world(&app).await;
    let svc = &app.server.state.services;
    let mut c = Clients::start();
    c.connected("gone", &url, &w.organizer.token).await;
    assert_eq!(svc.live.open_count(), 1, "the socket's session");

    let every_turn = svc.live.take_every_turn().await;
    let join = c.emit("gone", "sponsor.leads.join", json!({ "sponsorId": w.sponsor_id }));
    assert!(tokio::time::timeout(QUIET, join).await.is_err(), "the join waits for a turn");
    c.close("gone").await;
    let until = tokio::time::Instant::now() + WAIT;
    while svc.live.open_count() > 0 && tokio::time::Instant::now() < until {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(svc.live.open_count(), 0, "the closed socket's session went");

    // the join is decided now, for a socket that is gone
    drop(every_turn);
    tokio::time::sleep(QUIET).await;
    assert_eq!(svc.live.open_count(), 0, "no grant outlives its socket");
}
