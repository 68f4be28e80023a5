//! Messaging between a sponsor's staff and attendees (issue 16, item 4), on SQLite
//! and PostgreSQL: who may write to whom, blocks, rate limits, unread counts,
//! pagination, and `message.new` over socket.io.

mod common;

use common::sio::Clients;
use common::{World, another_sponsor, join_staff, world};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sponsorhub_testkit::{Account, TestApp, assert_problem, dual_backend};

dual_backend!(
    staff_and_attendees_write_to_each_other,
    nobody_outside_the_rules_is_reached,
    opt_in_events_need_the_attendees_opt_in,
    blocking_stops_messages_both_ways,
    senders_are_rate_limited,
    messages_arrive_live_on_socket_io,
);

/// Ada, an attendee with an account, captured by a representative of the
/// world's sponsor: answers with the representative, Ada and her lead id.
async fn ada_as_lead(app: &TestApp, w: &World) -> (Account, Account, String) {
    let (rep, ada, lead, _) = ada_as_lead_of(app, w).await;
    (rep, ada, lead)
}

/// [`ada_as_lead`], with the representative's membership id.
async fn ada_as_lead_of(app: &TestApp, w: &World) -> (Account, Account, String, String) {
    let org = Some(w.organizer.token.as_str());
    let attendees = format!("/api/v1/organizations/{}/events/{}/attendees", w.organizer.org_id, w.event_id);
    let (status, ada) = app.post(&attendees, org, json!({"name": "Ada Lovelace", "email": "ada@x.io"})).await;
    assert_eq!(status, StatusCode::CREATED, "{ada}");
    let ada_me = app.signup("ada@x.io", "Ada Lovelace").await;
    let (rep, member) = join_staff(app, w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let (status, lead) = app
        .post(
            &w.capture_path(),
            Some(&rep.token),
            json!({"interaction_type": "qr_scan", "badge_code": ada["badge_code"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{lead}");
    (rep, ada_me, lead["id"].as_str().unwrap().to_string(), member)
}

fn threads(w: &World) -> String {
    format!("/api/v1/sponsors/sponsors/{}/threads", w.sponsor_id)
}

fn my_threads(w: &World) -> String {
    format!("/api/v1/events/{}/threads", w.event_id)
}

async fn staff_and_attendees_write_to_each_other(app: TestApp) {
    let w = world(&app).await;
    let (rep, ada, lead) = ada_as_lead(&app, &w).await;

    // staff write first: the thread opens
    let (status, sent) =
        app.post(&threads(&w), Some(&rep.token), json!({"lead_id": lead, "body": "  Hello Ada!  "})).await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    let thread = sent["thread"]["id"].as_str().unwrap().to_string();
    assert_eq!(sent["message"]["body"], "Hello Ada!", "trimmed");
    assert_eq!(sent["message"]["sender_side"], "staff");
    assert_eq!(sent["message"]["mine"], true);
    // a second start with the same lead continues the one thread
    let (status, again) =
        app.post(&threads(&w), Some(&rep.token), json!({"lead_id": lead, "body": "Still there?"})).await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    assert_eq!(again["thread"]["id"], json!(thread), "one thread per sponsor and attendee");

    // Ada sees it, with two unread, the staff member by first name
    let (status, mine) = app.get(&my_threads(&w), Some(&ada.token)).await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_eq!(mine["items"].as_array().unwrap().len(), 1, "{mine}");
    assert_eq!(mine["items"][0]["sponsor_name"], "Ferris Inc");
    assert_eq!(mine["items"][0]["unread"], 2);
    assert_eq!(mine["items"][0]["last_message"], "Still there?");
    assert_eq!(mine["unread_total"], 2);
    let ada_msgs = format!("{}/{thread}/messages", my_threads(&w));
    let (status, page) = app.get(&ada_msgs, Some(&ada.token)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let bodies: Vec<&str> = page["items"].as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["Still there?", "Hello Ada!"], "newest first");
    assert_eq!(page["items"][0]["mine"], false);
    let shown = page["items"][0]["sender_name"].as_str().unwrap();
    assert!(
        !shown.is_empty() && !shown.contains('@') && !shown.contains(' '),
        "a first name, never an address: {shown}"
    );

    // she reads it: her unread count drops, the staff's is untouched
    let (status, read) = app.post(&format!("{}/{thread}/read", my_threads(&w)), Some(&ada.token), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(read["unread"], 0);
    let (_, mine) = app.get(&my_threads(&w), Some(&ada.token)).await;
    assert_eq!(mine["unread_total"], 0);

    // she answers; the staff side counts one unread
    let (status, answer) = app.post(&ada_msgs, Some(&ada.token), json!({"body": "Hi! Tell me more."})).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(answer["message"]["sender_side"], "attendee");
    let (status, list) = app.get(&threads(&w), Some(&rep.token)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["items"][0]["attendee_name"], "ada", "the account's name (testkit signs up by the address)");
    assert_eq!(list["items"][0]["unread"], 1);
    assert_eq!(list["unread_total"], 1);
    let staff_msgs = format!("{}/{thread}/messages", threads(&w));
    let (status, read) = app.post(&format!("{}/{thread}/read", threads(&w)), Some(&rep.token), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    let (_, list) = app.get(&threads(&w), Some(&rep.token)).await;
    assert_eq!(list["unread_total"], 0);

    // keyset pages of messages, and of threads
    for i in 0..3 {
        let (status, _) = app.post(&staff_msgs, Some(&rep.token), json!({"body": format!("n{i}")})).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (status, first) = app.get(&format!("{staff_msgs}?limit=2"), Some(&rep.token)).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let ids = |p: &Value| {
        p["items"].as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    assert_eq!(ids(&first), ["n2", "n1"]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, second) = app.get(&format!("{staff_msgs}?limit=2&cursor={cursor}"), Some(&rep.token)).await;
    assert_eq!(ids(&second), ["n0", "Hi! Tell me more."]);
    let mut seen = 0;
    let mut cursor: Option<String> = None;
    loop {
        let page = format!("{}?limit=1{}", threads(&w), cursor.map(|c| format!("&cursor={c}")).unwrap_or_default());
        let (status, p) = app.get(&page, Some(&rep.token)).await;
        assert_eq!(status, StatusCode::OK, "{p}");
        seen += p["items"].as_array().unwrap().len();
        match p["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, 1);
    let (status, body) = app.get(&format!("{staff_msgs}?cursor=garbage"), Some(&rep.token)).await;
    assert_problem(status, &body, 400);

    // bodies: blank, too long, NUL are refused at the field
    for bad in [json!(""), json!("   "), json!("x".repeat(2001)), json!("a\u{0}b")] {
        let (status, body) = app.post(&staff_msgs, Some(&rep.token), json!({ "body": bad })).await;
        assert_problem(status, &body, 422);
        assert_eq!(body["errors"][0]["field"], "body", "{body}");
    }
    let (status, _) = app.post(&staff_msgs, Some(&rep.token), json!({"body": "é".repeat(2000)})).await;
    assert_eq!(status, StatusCode::CREATED);

    // the organizer reads, but does not write as the sponsor
    let org = Some(w.organizer.token.as_str());
    let (status, _) = app.get(&staff_msgs, org).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app.post(&staff_msgs, org, json!({"body": "From the organizer"})).await;
    assert_problem(status, &body, 403);
}

async fn nobody_outside_the_rules_is_reached(app: TestApp) {
    let w = world(&app).await;
    let (rep, ada, lead) = ada_as_lead(&app, &w).await;
    let (status, sent) = app.post(&threads(&w), Some(&rep.token), json!({"lead_id": lead, "body": "Hello"})).await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    let thread = sent["thread"]["id"].as_str().unwrap().to_string();
    let staff_msgs = format!("{}/{thread}/messages", threads(&w));

    // another sponsor's staff: the sponsor, its threads and its leads are missing
    let other = another_sponsor(&app, &w, "Crab Corp").await;
    let (crab, _) = join_staff(&app, &w, &other, "crab@crab.io", "admin").await;
    for (status, body) in [
        app.get(&threads(&w), Some(&crab.token)).await,
        app.get(&staff_msgs, Some(&crab.token)).await,
        app.post(&staff_msgs, Some(&crab.token), json!({"body": "psst"})).await,
        app.post(&threads(&w), Some(&crab.token), json!({"lead_id": lead, "body": "psst"})).await,
    ] {
        assert_problem(status, &body, 404);
    }
    // nor through their own sponsor's path: Ada's lead and thread are not theirs
    let crab_threads = format!("/api/v1/sponsors/sponsors/{other}/threads");
    let (status, body) = app.post(&crab_threads, Some(&crab.token), json!({"lead_id": lead, "body": "psst"})).await;
    assert_problem(status, &body, 404);
    let (status, body) = app.get(&format!("{crab_threads}/{thread}/messages"), Some(&crab.token)).await;
    assert_problem(status, &body, 404);
    let (status, body) =
        app.post(&format!("{crab_threads}/{thread}/messages"), Some(&crab.token), json!({"body": "psst"})).await;
    assert_problem(status, &body, 404);

    // a member of the sponsor without can_message_attendees: 403
    let (booth, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    for (status, body) in [
        app.get(&threads(&w), Some(&booth.token)).await,
        app.get(&staff_msgs, Some(&booth.token)).await,
        app.post(&staff_msgs, Some(&booth.token), json!({"body": "hi"})).await,
        app.post(&threads(&w), Some(&booth.token), json!({"lead_id": lead, "body": "hi"})).await,
    ] {
        assert_problem(status, &body, 403);
    }

    // another attendee: Ada's thread is missing for them
    let org = Some(w.organizer.token.as_str());
    let attendees = format!("/api/v1/organizations/{}/events/{}/attendees", w.organizer.org_id, w.event_id);
    let (_, _bob) = app.post(&attendees, org, json!({"name": "Bob", "email": "bob@x.io"})).await;
    let bob = app.signup("bob@x.io", "Bob").await;
    let ada_msgs = format!("{}/{thread}/messages", my_threads(&w));
    let (status, body) = app.get(&ada_msgs, Some(&bob.token)).await;
    assert_problem(status, &body, 404);
    let (status, body) = app.post(&ada_msgs, Some(&bob.token), json!({"body": "me too"})).await;
    assert_problem(status, &body, 404);
    let (status, mine) = app.get(&my_threads(&w), Some(&bob.token)).await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_eq!(mine["items"], json!([]));
    // someone who is not an attendee of the event at all
    let stranger = app.signup("stranger@x.io", "Stranger").await;
    let (status, body) = app.get(&my_threads(&w), Some(&stranger.token)).await;
    assert_problem(status, &body, 404);
    // and Ada cannot read her thread under another event's path
    let (status, body) = app.get(&format!("/api/v1/events/{other}/threads/{thread}/messages"), Some(&ada.token)).await;
    assert_problem(status, &body, 404);
    // a lead id that is not the sponsor's
    let (status, body) =
        app.post(&threads(&w), Some(&rep.token), json!({"lead_id": uuid::Uuid::now_v7(), "body": "hi"})).await;
    assert_problem(status, &body, 404);
}

async fn opt_in_events_need_the_attendees_opt_in(app: TestApp) {
    let w = world(&app).await;
    let org = Some(w.organizer.token.as_str());
    let event_path = format!("/api/v1/organizations/{}/events/{}", w.organizer.org_id, w.event_id);
    let (status, _) = app.patch(&event_path, org, json!({"consent_rule": "opt_in", "consent_text": "I share."})).await;
    assert_eq!(status, StatusCode::OK);
    let attendees = format!("/api/v1/organizations/{}/events/{}/attendees", w.organizer.org_id, w.event_id);
    let (_, grace) = app.post(&attendees, org, json!({"name": "Grace", "email": "grace@x.io"})).await;
    let grace_me = app.signup("grace@x.io", "Grace").await;
    let consent = format!("/api/v1/events/{}/sponsors/{}/consent", w.event_id, w.sponsor_id);
    let (status, _) = app.put(&consent, Some(&grace_me.token), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let (status, lead) = app
        .post(
            &w.capture_path(),
            Some(&rep.token),
            json!({"interaction_type": "qr_scan", "badge_code": grace["badge_code"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{lead}");
    let (status, sent) =
        app.post(&threads(&w), Some(&rep.token), json!({"lead_id": lead["id"], "body": "Thanks for visiting"})).await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    let thread = sent["thread"]["id"].as_str().unwrap().to_string();

    // she withdraws her consent: staff may no longer write to her
    let (status, _) = app.delete(&consent, Some(&grace_me.token)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) =
        app.post(&format!("{}/{thread}/messages", threads(&w)), Some(&rep.token), json!({"body": "Hello?"})).await;
    assert_problem(status, &body, 403);
    assert!(body["detail"].as_str().unwrap().contains("not agreed"), "{body}");
    let (status, body) =
        app.post(&threads(&w), Some(&rep.token), json!({"lead_id": lead["id"], "body": "Hello?"})).await;
    assert_problem(status, &body, 403);
}

async fn blocking_stops_messages_both_ways(app: TestApp) {
    let w = world(&app).await;
    let (rep, ada, lead) = ada_as_lead(&app, &w).await;
    let (_, sent) = app.post(&threads(&w), Some(&rep.token), json!({"lead_id": lead, "body": "Hello"})).await;
    let thread = sent["thread"]["id"].as_str().unwrap().to_string();
    let block = format!("/api/v1/events/{}/blocks/{}", w.event_id, w.sponsor_id);
    let (status, b) = app.put(&block, Some(&ada.token), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{b}");
    assert_eq!(b["blocked"], true);

    // staff cannot write, by thread or by lead; the staff list marks it blocked
    let staff_msgs = format!("{}/{thread}/messages", threads(&w));
    let (status, body) = app.post(&staff_msgs, Some(&rep.token), json!({"body": "Hello?"})).await;
    assert_problem(status, &body, 403);
    let (status, body) = app.post(&threads(&w), Some(&rep.token), json!({"lead_id": lead, "body": "Hello?"})).await;
    assert_problem(status, &body, 403);
    let (_, list) = app.get(&threads(&w), Some(&rep.token)).await;
    assert_eq!(list["items"][0]["blocked"], true);
    // the thread is hidden from Ada, and she cannot write in it either
    let (_, mine) = app.get(&my_threads(&w), Some(&ada.token)).await;
    assert_eq!(mine["items"], json!([]));
    assert_eq!(mine["unread_total"], 0, "a blocked sponsor's unread messages do not count");
    let ada_msgs = format!("{}/{thread}/messages", my_threads(&w));
    let (status, body) = app.post(&ada_msgs, Some(&ada.token), json!({"body": "hi"})).await;
    assert_problem(status, &body, 404);
    // blocking a sponsor of another event, or none, is a 404
    let (status, body) = app
        .put(&format!("/api/v1/events/{}/blocks/{}", w.event_id, uuid::Uuid::now_v7()), Some(&ada.token), json!({}))
        .await;
    assert_problem(status, &body, 404);

    // unblocked, it all comes back
    let (status, b) = app.delete(&block, Some(&ada.token)).await;
    assert_eq!(status, StatusCode::OK, "{b}");
    let (_, mine) = app.get(&my_threads(&w), Some(&ada.token)).await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    let (status, _) = app.post(&staff_msgs, Some(&rep.token), json!({"body": "Welcome back"})).await;
    assert_eq!(status, StatusCode::CREATED);
}

async fn senders_are_rate_limited(app: TestApp) {
    let w = world(&app).await;
    let (rep, ada, lead) = ada_as_lead(&app, &w).await;
    let (status, sent) = app.post(&threads(&w), Some(&rep.token), json!({"lead_id": lead, "body": "m0"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let thread = sent["thread"]["id"].as_str().unwrap().to_string();
    let staff_msgs = format!("{}/{thread}/messages", threads(&w));
    for i in 1..20 {
        let (status, body) = app.post(&staff_msgs, Some(&rep.token), json!({"body": format!("m{i}")})).await;
        assert_eq!(status, StatusCode::CREATED, "message {i}: {body}");
    }
    let res = app
        .client
        .post(app.url(&staff_msgs))
        .bearer_auth(&rep.token)
        .json(&json!({"body": "one too many"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().get("retry-after").is_some());
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    // the limit is the sender's: Ada still answers
    let (status, _) = app
        .post(&format!("{}/{thread}/messages", my_threads(&w)), Some(&ada.token), json!({"body": "Slow down!"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // nothing of the refused message was kept
    let (_, page) = app.get(&format!("{staff_msgs}?limit=200"), Some(&rep.token)).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 21);
}

async fn messages_arrive_live_on_socket_io(app: TestApp) {
    let url = app.server.url();
    let w = world(&app).await;
    let (rep, ada, lead, member) = ada_as_lead_of(&app, &w).await;
    let (booth, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let other = another_sponsor(&app, &w, "Crab Corp").await;
    let (crab, _) = join_staff(&app, &w, &other, "crab@crab.io", "admin").await;

    let mut c = Clients::start();
    c.connected("rep", &url, &rep.token).await;
    c.connected("ada", &url, &ada.token).await;
    c.connected("booth", &url, &booth.token).await;
    c.connected("crab", &url, &crab.token).await;
    let ack = c.emit("rep", "sponsor.messages.join", json!({"sponsorId": w.sponsor_id})).await;
    assert_eq!(ack["success"], true, "{ack}");
    // without the right to read messages, or another sponsor's: refused
    let ack = c.emit("booth", "sponsor.messages.join", json!({"sponsorId": w.sponsor_id})).await;
    assert_eq!(ack["success"], false, "{ack}");
    let ack = c.emit("crab", "sponsor.messages.join", json!({"sponsorId": w.sponsor_id})).await;
    assert_eq!(ack["success"], false, "{ack}");
    assert!(ack["error"].as_str().unwrap().contains("not found"), "{ack}");

    let (status, sent) = app.post(&threads(&w), Some(&rep.token), json!({"lead_id": lead, "body": "Hello Ada"})).await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    let thread = sent["thread"]["id"].as_str().unwrap().to_string();
    let got = c.next("ada", "message.new").await;
    assert_eq!(got["threadId"], json!(thread));
    assert_eq!(got["body"], "Hello Ada");
    assert_eq!(got["senderSide"], "staff");
    let shown = got["senderName"].as_str().unwrap();
    assert!(!shown.is_empty() && !shown.contains('@') && !shown.contains(' '), "a first name: {shown}");
    assert_eq!(got["sponsorName"], "Ferris Inc");
    assert!(got["updatedAt"].is_string());
    let snake: Vec<&String> = got.as_object().unwrap().keys().filter(|k| k.contains('_')).collect();
    assert!(snake.is_empty(), "socket.io payloads are camelCase: {snake:?}");
    let got = c.next("rep", "message.new").await;
    assert_eq!(got["id"], sent["message"]["id"]);

    // Ada answers: the staff room hears it
    let (status, _) =
        app.post(&format!("{}/{thread}/messages", my_threads(&w)), Some(&ada.token), json!({"body": "Hi!"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let got = c.next("rep", "message.new").await;
    assert_eq!(got["body"], "Hi!");
    assert_eq!(got["senderSide"], "attendee");
    assert_eq!(got["senderName"], "ada");
    let _ = c.next("ada", "message.new").await; // her own, to her other tabs
    c.nothing("booth", std::time::Duration::from_millis(300)).await;
    c.nothing("crab", std::time::Duration::ZERO).await;

    // the right goes: the socket leaves the room and is told
    let (status, body) = app
        .patch(
            &w.org_path(&format!("/sponsor-users/{member}")),
            Some(&w.organizer.token),
            json!({"can_message_attendees": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let closed = c.next("rep", "sponsor.messages.closed").await;
    assert_eq!(closed["sponsorId"], json!(w.sponsor_id));
}

dual_backend!(the_messages_pages_work_without_and_with_live_updates);

fn session(a: &Account) -> String {
    format!("sponsorhub_session={}", a.token)
}

/// A signed-in GET: the status and the page.
async fn page(app: &TestApp, a: &Account, path: &str) -> (StatusCode, String) {
    let res = app.client.get(app.url(path)).header("cookie", session(a)).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"_csrf\" value=\"").expect("a form with a CSRF token") + 20;
    html[at..].split('"').next().unwrap().to_string()
}

/// A form POST with the page's CSRF token, not following redirects.
async fn submit(app: &TestApp, a: &Account, from: &str, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let (_, html) = page(app, a, from).await;
    let mut form: Vec<(String, String)> = vec![("_csrf".into(), csrf_of(&html))];
    form.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    client
        .post(app.url(path))
        .header("cookie", session(a))
        .header("origin", app.url(""))
        .form(&form)
        .send()
        .await
        .unwrap()
}

async fn the_messages_pages_work_without_and_with_live_updates(app: TestApp) {
    let w = world(&app).await;
    let (rep, ada, lead) = ada_as_lead(&app, &w).await;
    let (booth, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let lead_page = format!("/portal/sponsors/{}/leads/{lead}", w.sponsor_id);
    let messages = format!("/portal/sponsors/{}/messages", w.sponsor_id);

    // the lead page offers "Message" to who may write, and only to them
    let (status, html) = page(&app, &rep, &lead_page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("{messages}?lead={lead}")), "a Message button");
    let (status, html) = page(&app, &booth, &lead_page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("?lead="), "no Message button without can_message_attendees");
    let (status, _) = page(&app, &booth, &messages).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // a blank message: the form again, the error at the field
    let new = format!("{messages}?lead={lead}");
    let res = submit(&app, &rep, &new, &format!("{messages}/start"), &[("lead_id", &lead), ("body", "  ")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("m-body-error") && html.contains("must not be empty"), "{html}");
    let res =
        submit(&app, &rep, &new, &format!("{messages}/start"), &[("lead_id", &lead), ("body", "Hello <Ada>")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()["location"].to_str().unwrap().to_string();
    let thread = to.split("thread=").nth(1).unwrap().to_string();
    let (status, html) = page(&app, &rep, &to).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("Hello <Ada>") && html.contains("Hello &"), "escaped");
    // a too-long answer keeps what was typed
    let long = "x".repeat(2001);
    let res = submit(&app, &rep, &to, &format!("{messages}/{thread}"), &[("body", &long)]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains(&long));

    // Ada: the badge page links her messages; the list shows the sponsor and one unread
    let (_, badge) = page(&app, &ada, &format!("/badge/{}", w.event_id)).await;
    let mine = format!("/messages/{}", w.event_id);
    assert!(badge.contains(&mine), "the badge page links the messages");
    let (status, html) = page(&app, &ada, &mine).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Ferris Inc") && html.contains("data-unread>1<"), "{html}");

    // her open thread hears the next staff message live
    let feed =
        app.client.get(app.url(&format!("{mine}/{thread}/live"))).header("cookie", session(&ada)).send().await.unwrap();
    assert_eq!(feed.status(), StatusCode::OK);
    let mut feed = feed;
    let (status, _) =
        app.post(&format!("{}/{thread}/messages", threads(&w)), Some(&rep.token), json!({"body": "Live hello"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let mut got = String::new();
    while !got.contains("Live hello") {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), feed.chunk()).await.unwrap().unwrap();
        got.push_str(&String::from_utf8_lossy(&chunk.expect("the feed goes on")));
    }
    assert!(got.contains("event: message.new"), "{got}");

    // she answers from the page; the staff see it
    let open = format!("{mine}?thread={thread}");
    let res = submit(&app, &ada, &open, &format!("{mine}/{thread}"), &[("body", "Thanks!")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&app, &rep, &to).await;
    assert!(html.contains("Thanks!"));
    // nobody else's thread opens
    let (status, _) = page(&app, &booth, &format!("/messages/{}?thread={thread}", w.event_id)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // she blocks the sponsor: the conversation is gone from her page
    let res = submit(&app, &ada, &open, &format!("{mine}/block/{}", w.sponsor_id), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&app, &ada, &mine).await;
    assert!(!html.contains("Ferris Inc"), "hidden after the block");
}

dual_backend!(the_attendees_data_shows_messages_and_withdrawal_deletes_them);

async fn the_attendees_data_shows_messages_and_withdrawal_deletes_them(app: TestApp) {
    let w = world(&app).await;
    let (rep, ada, lead) = ada_as_lead(&app, &w).await;
    let (status, sent) = app.post(&threads(&w), Some(&rep.token), json!({"lead_id": lead, "body": "Hello Ada"})).await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    let thread = sent["thread"]["id"].as_str().unwrap().to_string();
    let (status, _) =
        app.post(&format!("{}/{thread}/messages", my_threads(&w)), Some(&ada.token), json!({"body": "Hi"})).await;
    assert_eq!(status, StatusCode::CREATED);

    // what the sponsor holds includes the messages, oldest first
    let mine = format!("/api/v1/events/{}/my-data", w.event_id);
    let (status, data) = app.get(&mine, Some(&ada.token)).await;
    assert_eq!(status, StatusCode::OK, "{data}");
    let held = &data["sponsors"][0]["messages"];
    assert_eq!(held[0]["body"], "Hello Ada", "{data}");
    assert_eq!(held[0]["sender_side"], "staff");
    assert_eq!(held[1]["body"], "Hi");
    assert_eq!(held[1]["sender_side"], "attendee");

    // withdrawing from the sponsor deletes the thread on both sides
    let withdraw = format!("/api/v1/events/{}/my-data/sponsors/{}/withdraw", w.event_id, w.sponsor_id);
    let (status, body) = app.post(&withdraw, Some(&ada.token), json!({})).await;
    assert!(status.is_success(), "{status} {body}");
    let (_, list) = app.get(&threads(&w), Some(&rep.token)).await;
    assert_eq!(list["items"], json!([]), "{list}");
    let (_, list) = app.get(&my_threads(&w), Some(&ada.token)).await;
    assert_eq!(list["items"], json!([]), "{list}");
    let (status, body) = app.get(&format!("{}/{thread}/messages", threads(&w)), Some(&rep.token)).await;
    assert_problem(status, &body, 404);
    let (_, data) = app.get(&mine, Some(&ada.token)).await;
    assert_eq!(data["sponsors"], json!([]), "{data}");
}

dual_backend!(unread_messages_are_told_by_e_mail_once);

async fn notices(app: &TestApp) -> Vec<sponsorhub_store::outbox::OutboxEmail> {
    let svc = &app.server.state.services;
    let mut tx = svc.store.read().await.unwrap();
    let rows = sponsorhub_store::outbox::recent(&mut tx, None, 1000).await.unwrap();
    rows.into_iter().filter(|r| r.kind == sponsorhub_domain::EmailKind::MessageDigest).collect()
}

/// The e-mail notice of unread messages, run on a clock the test moves past the
/// notice window (600 s by default): once per recipient, no message text in it,
/// none for who read in time.
async fn unread_messages_are_told_by_e_mail_once(app: TestApp) {
    let w = world(&app).await;
    let (rep, ada, lead) = ada_as_lead(&app, &w).await;
    let svc = app.server.state.services.clone();
    let later = |minutes: i64| sponsorhub_domain::time::now() + chrono::Duration::minutes(minutes);
    let digest = |minutes: i64| {
        let svc = svc.clone();
        async move { sponsorhub_services::messages::digest_due_messages(&svc, later(minutes)).await.unwrap() }
    };

    for body in ["Hello Ada!", "Still there?"] {
        let (status, sent) = app.post(&threads(&w), Some(&rep.token), json!({"lead_id": lead, "body": body})).await;
        assert_eq!(status, StatusCode::CREATED, "{sent}");
    }
    // within the window nothing goes out
    assert_eq!(digest(0).await, 0);
    assert!(notices(&app).await.is_empty());
    // past it: one notice to Ada, even with two workers at once
    let (a, b) = tokio::join!(digest(11), digest(11));
    assert_eq!(a + b, 1, "one e-mail, whichever worker queued it");
    let sent = notices(&app).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].recipients.0, ["ada@x.io"]);
    assert_eq!(sent[0].subject, "2 unread messages from Ferris Inc");
    assert!(sent[0].text_body.contains(&format!("/messages/{}", w.event_id)), "{}", sent[0].text_body);
    for part in [&sent[0].text_body, &sent[0].html_body] {
        assert!(!part.contains("Hello Ada") && !part.contains("Still there"), "no message text: {part}");
    }
    assert_eq!(digest(11).await, 0, "told once");

    // Ada answers twice; the representative reads one in time, then not the next
    let (_, mine) = app.get(&my_threads(&w), Some(&ada.token)).await;
    let thread = mine["items"][0]["id"].as_str().unwrap().to_string();
    let ada_msgs = format!("{}/{thread}/messages", my_threads(&w));
    let (status, _) = app.post(&ada_msgs, Some(&ada.token), json!({"body": "Tell me more"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = app.post(&format!("{}/{thread}/read", threads(&w)), Some(&rep.token), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(digest(11).await, 0, "read in time: no e-mail");
    let (status, _) = app.post(&ada_msgs, Some(&ada.token), json!({"body": "Hello?"})).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(digest(11).await, 1);
    let sent = notices(&app).await;
    let to_rep = sent.iter().find(|e| e.recipients.0 == ["rep@ferris.io"]).expect("the representative's notice");
    assert_eq!(to_rep.subject, "1 unread message from Ferris Inc");
    assert!(to_rep.text_body.contains(&format!("/portal/sponsors/{}/messages", w.sponsor_id)), "{}", to_rep.text_body);

    // blocked: the attendee hears nothing more of the sponsor
    let (status, _) = app.post(&threads(&w), Some(&rep.token), json!({"lead_id": lead, "body": "One more"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) =
        app.put(&format!("/api/v1/events/{}/blocks/{}", w.event_id, w.sponsor_id), Some(&ada.token), json!({})).await;
    assert!(status.is_success(), "{body}");
    assert_eq!(digest(11).await, 0, "no notice of a blocked sponsor");
}
