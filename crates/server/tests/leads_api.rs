//! Lead capture, scoring, the lead list and follow-up, over HTTP, on SQLite and
//! PostgreSQL.

mod common;

use common::{join_staff, world};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sponsorhub_testkit::{TestApp, assert_problem, dual_backend};

dual_backend!(
    capture_scores_and_deduplicates,
    attendees_record_their_own_interactions,
    capture_is_refused_when_it_must_be,
    concurrent_captures_of_one_attendee_lose_nothing,
    idempotency_key_replays_the_first_answer,
    captures_are_rate_limited,
    lead_list_filters_sorts_and_pages,
    follow_up_star_archive_and_stats,
    a_capture_costs_a_fixed_number_of_statements,
    a_remembered_capture_context_follows_changes_at_once,
    a_captured_lead_reads_back_as_written,
    writes_held_for_later_reach_reads_and_commits,
    the_capture_context_reads_as_its_records_do,
    a_new_lead_in_one_statement_writes_all_that_follows_it,
);

async fn capture(app: &TestApp, path: &str, token: &str, kind: &str, attendee: Value) -> (StatusCode, Value) {
    app.post(
        path,
        Some(token),
        json!({"interaction_type": kind, "attendee": attendee, "metadata": {"device": "scanner-1"}}),
    )
    .await
}

async fn capture_scores_and_deduplicates(app: TestApp) {
    let w = world(&app).await;
    let (staff, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let ada =
        json!({"user_id": "platform-ada", "name": "Ada", "email": "ada@corp.io", "company": "Corp", "title": "CTO"});

    let (status, lead) = capture(&app, &w.capture_path(), &staff.token, "booth_visit", ada.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{lead}");
    assert_eq!(
        (lead["intent_score"].as_i64(), lead["intent_level"].as_str(), lead["interaction_count"].as_i64()),
        (Some(10), Some("cold"), Some(1))
    );
    assert_eq!((lead["user_company"].as_str(), lead["follow_up_status"].as_str()), (Some("Corp"), Some("new")));

    // second interaction: same lead, 30 + 5 repeat bonus
    let (status, lead2) =
        capture(&app, &w.capture_path(), &staff.token, "demo_request", json!({"user_id": "platform-ada"})).await;
    assert_eq!(status, StatusCode::OK, "{lead2}");
    assert_eq!(lead2["id"], lead["id"]);
    assert_eq!(
        (lead2["intent_score"].as_i64(), lead2["intent_level"].as_str(), lead2["interaction_count"].as_i64()),
        (Some(45), Some("warm"), Some(2))
    );
    assert_eq!(lead2["user_name"], "Ada", "absent details keep their value");

    // 45 + 40 = 85: hot; then capped at 100
    let (_, lead3) =
        capture(&app, &w.capture_path(), &staff.token, "direct_request", json!({"email": "ADA@corp.io"})).await;
    assert_eq!((lead3["intent_score"].as_i64(), lead3["intent_level"].as_str()), (Some(85), Some("hot")));
    let (_, lead4) =
        capture(&app, &w.capture_path(), &staff.token, "demo_watched", json!({"user_id": "platform-ada"})).await;
    assert_eq!((lead4["intent_score"].as_i64(), lead4["interaction_count"].as_i64()), (Some(100), Some(4)));

    // the history keeps every interaction, newest first, with points and who captured it
    let (status, detail) =
        app.get(&w.leads_path(&format!("/{}", lead["id"].as_str().unwrap())), Some(&staff.token)).await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    let kinds: Vec<&str> =
        detail["interactions"].as_array().unwrap().iter().map(|i| i["interaction_type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["demo_watched", "direct_request", "demo_request", "booth_visit"]);
    let points: Vec<i64> =
        detail["interactions"].as_array().unwrap().iter().map(|i| i["points"].as_i64().unwrap()).collect();
    assert_eq!(points, [25, 40, 35, 10]);
    assert_eq!(detail["interactions"][3]["captured_by_user_id"], json!(staff.user_id));
    assert_eq!(detail["interactions"][3]["metadata"], json!({"device": "scanner-1"}));

    // a second attendee is a second lead
    let (status, _) =
        capture(&app, &w.capture_path(), &staff.token, "qr_scan", json!({"email": "bob@corp.io", "name": "Bob"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, s) = app.get(&w.org_path(&format!("/sponsors/{}", w.sponsor_id)), Some(&w.organizer.token)).await;
    assert_eq!(s["lead_count"], 2);
}

async fn attendees_record_their_own_interactions(app: TestApp) {
    let w = world(&app).await;
    let attendee = app.platform_token("attendee-1", "visitor@corp.io", None);
    // the attendee gets a receipt: what they shared, with whom, what was recorded
    let (status, receipt) =
        app.post(&w.capture_path(), Some(&attendee), json!({"interaction_type": "content_download"})).await;
    assert_eq!(status, StatusCode::CREATED, "{receipt}");
    assert_eq!(
        (receipt["shared"]["email"].as_str(), receipt["sponsor_name"].as_str(), receipt["points"].as_i64()),
        (Some("visitor@corp.io"), Some("Ferris Inc"), Some(15))
    );
    let (status, again) =
        app.post(&w.capture_path(), Some(&attendee), json!({"interaction_type": "content_view"})).await;
    assert_eq!(
        (status, again["lead_id"].clone(), again["created"].as_bool()),
        (StatusCode::OK, receipt["lead_id"].clone(), Some(false))
    );
    // the sponsor's side: one lead, scored 15 + 10
    let lead_path = w.leads_path(&format!("/{}", receipt["lead_id"].as_str().unwrap()));
    let (_, lead) = app.get(&lead_path, Some(&w.organizer.token)).await;
    assert_eq!((lead["user_email"].as_str(), lead["intent_score"].as_i64()), (Some("visitor@corp.io"), Some(25)));
    // attendees do not see the sponsor's leads
    let (status, body) = app.get(&w.leads_path(""), Some(&attendee)).await;
    assert_problem(status, &body, 404);

    // an event whose hall is for its attendees only takes no self-recorded
    // interaction from someone who may not see the hall (docs/DECISIONS.md,
    // "Booth pages")
    let event_path = format!("/api/v1/organizations/{}/events/{}", w.organizer.org_id, w.event_id);
    let (status, event) = app.patch(&event_path, Some(&w.organizer.token), json!({"hall_access": "attendees"})).await;
    assert_eq!(status, StatusCode::OK, "{event}");
    let stranger = app.platform_token("stranger-1", "stranger@elsewhere.io", None);
    for kind in ["content_download", "demo_request", "booth_visit"] {
        let (status, body) = app.post(&w.capture_path(), Some(&stranger), json!({"interaction_type": kind})).await;
        assert_problem(status, &body, 404);
    }
    let q = "mutation($e: ID!, $s: ID!) { captureLead(eventId: $e, sponsorId: $s, input: {interactionType: \"content_view\"}) { receipt { leadId } } }";
    let answer = common::gql(&app, &stranger, q, json!({"e": w.event_id, "s": w.sponsor_id})).await;
    assert_eq!(answer["errors"][0]["extensions"]["code"], "NOT_FOUND", "{answer}");
    let (_, leads) = app.get(&w.leads_path(""), Some(&w.organizer.token)).await;
    assert_eq!(leads["items"].as_array().unwrap().len(), 1, "only the first attendee's lead: {leads}");
    // once the organizer registers them as the event's attendee, they may
    let (status, _) = app
        .post(
            &format!("{event_path}/attendees"),
            Some(&w.organizer.token),
            json!({"name": "Stranger", "email": "stranger@elsewhere.io"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, receipt) =
        app.post(&w.capture_path(), Some(&stranger), json!({"interaction_type": "content_download"})).await;
    assert_eq!(status, StatusCode::CREATED, "{receipt}");
    // the first attendee is no registered attendee either: refused now too
    let (status, body) =
        app.post(&w.capture_path(), Some(&attendee), json!({"interaction_type": "content_view"})).await;
    assert_problem(status, &body, 404);
}

async fn capture_is_refused_when_it_must_be(app: TestApp) {
    let w = world(&app).await;
    let (staff, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let (viewer, _) = join_staff(&app, &w, &w.sponsor_id, "viewer@ferris.io", "viewer").await;
    let a = json!({"email": "x@corp.io"});
    let (status, body) = capture(&app, &w.capture_path(), &staff.token, "teleport", a.clone()).await;
    assert_problem(status, &body, 422);
    assert_eq!(body["errors"][0]["field"], "interaction_type");
    let (status, body) = capture(&app, &w.capture_path(), &staff.token, "booth_visit", json!({"name": "No id"})).await;
    assert_problem(status, &body, 422);
    let (status, body) = app
        .post(&w.capture_path(), Some(&staff.token), json!({"interaction_type": "booth_visit", "metadata": [1]}))
        .await;
    assert_problem(status, &body, 422);
    let (status, body) = app.post(&w.capture_path(), Some(&staff.token), json!({"attendee": a})).await;
    assert_problem(status, &body, 422);
    let (status, body) = capture(&app, &w.capture_path(), &viewer.token, "booth_visit", a.clone()).await;
    assert_problem(status, &body, 403);
    let (status, body) = capture(&app, &w.capture_path(), &w.organizer.token, "booth_visit", a.clone()).await;
    assert_problem(status, &body, 403);
    // the sponsor through another event is missing
    let (_, other_event) = app
        .post(
            &format!("/api/v1/organizations/{}/events", w.organizer.org_id),
            Some(&w.organizer.token),
            json!({"name": "Other"}),
        )
        .await;
    let wrong = format!(
        "/api/v1/sponsors/events/{}/sponsors/{}/capture-lead",
        other_event["id"].as_str().unwrap(),
        w.sponsor_id
    );
    let (status, body) = capture(&app, &wrong, &staff.token, "booth_visit", a.clone()).await;
    assert_problem(status, &body, 404);

    let sponsor = w.org_path(&format!("/sponsors/{}", w.sponsor_id));
    app.patch(&sponsor, Some(&w.organizer.token), json!({"lead_capture_enabled": false})).await;
    let (status, body) = capture(&app, &w.capture_path(), &staff.token, "booth_visit", a.clone()).await;
    assert_problem(status, &body, 409);
    app.patch(&sponsor, Some(&w.organizer.token), json!({"lead_capture_enabled": true})).await;
    app.delete(&sponsor, Some(&w.organizer.token)).await;
    let (status, body) = capture(&app, &w.capture_path(), &staff.token, "booth_visit", a.clone()).await;
    assert_problem(status, &body, 409);
    // nothing of the refused captures was recorded
    let (_, leads) = app.get(&w.leads_path("?include_archived=true"), Some(&staff.token)).await;
    assert_eq!(leads["items"], json!([]));
}

async fn concurrent_captures_of_one_attendee_lose_nothing(app: TestApp) {
    let w = world(&app).await;
    let (staff, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    const N: usize = 8;
    let mut tasks = Vec::new();
    for i in 0..N {
        let url = app.url(&w.capture_path());
        let client = app.client.clone();
        let token = staff.token.clone();
        tasks.push(tokio::spawn(async move {
            let res = client
                .post(url)
                .bearer_auth(token)
                .json(&json!({"interaction_type": "content_view", "attendee": {"email": "rush@corp.io", "name": format!("Rush {i}")}}))
                .send()
                .await
                .unwrap();
            res.status()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), N - 1, "{statuses:?}");
    let (_, leads) = app.get(&w.leads_path(""), Some(&staff.token)).await;
    let items = leads["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    // 5 for the first view, 5 + 5 for each repeat
    assert_eq!(items[0]["interaction_count"].as_i64(), Some(N as i64));
    assert_eq!(items[0]["intent_score"].as_i64(), Some(5 + 10 * (N as i64 - 1)));
    let (_, detail) =
        app.get(&w.leads_path(&format!("/{}", items[0]["id"].as_str().unwrap())), Some(&staff.token)).await;
    assert_eq!(detail["interactions"].as_array().unwrap().len(), N);
}

async fn idempotency_key_replays_the_first_answer(app: TestApp) {
    let w = world(&app).await;
    let (staff, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let body = json!({"interaction_type": "qr_scan", "attendee": {"email": "retry@corp.io"}});
    let send = |key: &'static str, body: Value| {
        let req = app
            .client
            .post(app.url(&w.capture_path()))
            .bearer_auth(&staff.token)
            .header("idempotency-key", key)
            .json(&body);
        async move {
            let res = req.send().await.unwrap();
            let replayed = res.headers().contains_key("idempotent-replayed");
            (res.status(), replayed, res.json::<Value>().await.unwrap())
        }
    };
    let (s1, r1, first) = send("scan-0001", body.clone()).await;
    assert_eq!((s1, r1), (StatusCode::CREATED, false));
    let (s2, r2, second) = send("scan-0001", body.clone()).await;
    assert_eq!((s2, r2), (StatusCode::CREATED, true), "the retry gets the first status");
    assert_eq!(first, second, "and the first body");
    // the same key with another body: 422
    let (s3, _, problem) =
        send("scan-0001", json!({"interaction_type": "booth_visit", "attendee": {"email": "retry@corp.io"}})).await;
    assert_problem(s3, &problem, 422);
    // a new key counts again
    let (s4, _, again) = send("scan-0002", body.clone()).await;
    assert_eq!((s4, again["interaction_count"].as_i64()), (StatusCode::OK, Some(2)));
    // a failed request does not burn its key
    let (s5, _, _) =
        send("scan-0003", json!({"interaction_type": "nope", "attendee": {"email": "retry@corp.io"}})).await;
    assert_eq!(s5, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, _, lead) = send("scan-0002", body).await;
    assert_eq!(lead["interaction_count"].as_i64(), Some(2), "still counted once");
    let (_, headers, _) = app.send(Method::GET, &w.leads_path(""), Some(&staff.token), None).await;
    assert!(headers.contains_key("x-request-id"));

    // the same key sent several times at once: one capture; the others replay it or
    // are told it is in flight (409), never counted again
    let racing = json!({"interaction_type": "booth_visit", "attendee": {"email": "race@corp.io"}});
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let req = app
            .client
            .post(app.url(&w.capture_path()))
            .bearer_auth(&staff.token)
            .header("idempotency-key", "race-key")
            .json(&racing);
        tasks.push(tokio::spawn(async move { req.send().await.unwrap().status() }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert!(statuses.iter().all(|s| *s == StatusCode::CREATED || *s == StatusCode::CONFLICT), "{statuses:?}");
    assert!(statuses.contains(&StatusCode::CREATED));
    let (_, race) = app.get(&w.leads_path("?search=race"), Some(&staff.token)).await;
    assert_eq!(race["items"][0]["interaction_count"].as_i64(), Some(1), "{statuses:?}");
}

async fn captures_are_rate_limited(app: TestApp) {
    let w = world(&app).await;
    let attendee = app.platform_token("eager-1", "eager@corp.io", None);
    for _ in 0..29 {
        let (status, _) =
            app.post(&w.capture_path(), Some(&attendee), json!({"interaction_type": "content_view"})).await;
        assert!(status.is_success());
    }
    // Every attempt counts, one refused for another reason too, on both databases
    // (docs/DECISIONS.md, "Rate limits on PostgreSQL").
    let elsewhere = w.capture_path().replace(&w.sponsor_id, &uuid::Uuid::new_v4().to_string());
    let (status, _) = app.post(&elsewhere, Some(&attendee), json!({"interaction_type": "content_view"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, headers, body) = app
        .send(Method::POST, &w.capture_path(), Some(&attendee), Some(json!({"interaction_type": "content_view"})))
        .await;
    assert_problem(status, &body, 429);
    assert!(headers.contains_key("retry-after"));
}

async fn lead_list_filters_sorts_and_pages(app: TestApp) {
    let w = world(&app).await;
    let (staff, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "representative").await;
    // scores: cold 10, warm 45 (Acme), hot 85
    for (email, company, kinds) in [
        ("cold@a.io", "Alpha", vec!["booth_visit"]),
        ("warm@acme.io", "Acme", vec!["booth_visit", "demo_request"]),
        ("hot@b.io", "Beta", vec!["booth_visit", "demo_request", "direct_request"]),
    ] {
        for k in kinds {
            let (status, _) =
                capture(&app, &w.capture_path(), &staff.token, k, json!({"email": email, "company": company})).await;
            assert!(status.is_success());
        }
    }
    let emails = |v: &Value| -> Vec<String> {
        v["items"].as_array().unwrap().iter().map(|l| l["user_email"].as_str().unwrap().to_string()).collect()
    };
    let t = Some(staff.token.as_str());
    let (status, by_score) = app.get(&w.leads_path("?sort=score"), t).await;
    assert_eq!(status, StatusCode::OK, "{by_score}");
    assert_eq!(emails(&by_score), ["hot@b.io", "warm@acme.io", "cold@a.io"]);
    let (_, recent) = app.get(&w.leads_path(""), t).await;
    assert_eq!(emails(&recent), ["hot@b.io", "warm@acme.io", "cold@a.io"]);
    let (_, newest) = app.get(&w.leads_path("?sort=created"), t).await;
    assert_eq!(emails(&newest), ["hot@b.io", "warm@acme.io", "cold@a.io"]);
    let (_, hot) = app.get(&w.leads_path("?intent_level=hot"), t).await;
    assert_eq!(emails(&hot), ["hot@b.io"]);
    let (_, min) = app.get(&w.leads_path("?min_score=40&sort=score"), t).await;
    assert_eq!(emails(&min), ["hot@b.io", "warm@acme.io"]);
    let (_, found) = app.get(&w.leads_path("?search=ACME"), t).await;
    assert_eq!(emails(&found), ["warm@acme.io"]);

    // pages of one, by score
    let mut seen = Vec::new();
    let mut path = w.leads_path("?sort=score&limit=1");
    loop {
        let (status, page) = app.get(&path, t).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        seen.extend(emails(&page));
        match page["next_cursor"].as_str() {
            Some(c) => path = w.leads_path(&format!("?sort=score&limit=1&cursor={c}")),
            None => break,
        }
    }
    assert_eq!(seen, ["hot@b.io", "warm@acme.io", "cold@a.io"]);

    // and back again, each page with the count and its place in the list, by every sort
    for sort in ["score", "created", "last_interaction"] {
        let mut path = w.leads_path(&format!("?sort={sort}&limit=1"));
        let mut forward = Vec::new();
        let last;
        loop {
            let (_, page) = app.get(&path, t).await;
            assert_eq!(page["total"], 3, "{page}");
            assert_eq!(page["first"], forward.len() + 1, "{page}");
            assert_eq!(page["prev_cursor"].is_null(), forward.is_empty(), "{page}");
            forward.extend(emails(&page));
            match page["next_cursor"].as_str() {
                Some(c) => path = w.leads_path(&format!("?sort={sort}&limit=1&cursor={c}")),
                None => {
                    last = page;
                    break;
                }
            }
        }
        assert_eq!(forward.len(), 3, "{sort}");
        let mut backward = emails(&last);
        let mut page = last;
        while let Some(c) = page["prev_cursor"].as_str() {
            let (_, prev) = app.get(&w.leads_path(&format!("?sort={sort}&limit=1&cursor={c}")), t).await;
            assert_eq!(prev["first"], 3 - backward.len(), "{prev}");
            assert!(prev["next_cursor"].is_string(), "{prev}");
            backward.splice(0..0, emails(&prev));
            page = prev;
        }
        assert_eq!(backward, forward, "{sort}");
    }
    // a previous page of two from the end keeps the order of the list
    let (_, two) = app.get(&w.leads_path("?sort=score&limit=2"), t).await;
    let (_, end) = app
        .get(&w.leads_path(&format!("?sort=score&limit=2&cursor={}", two["next_cursor"].as_str().unwrap())), t)
        .await;
    assert_eq!(emails(&end), ["cold@a.io"]);
    assert_eq!(end["first"], 3);
    let (_, back) = app
        .get(&w.leads_path(&format!("?sort=score&limit=2&cursor={}", end["prev_cursor"].as_str().unwrap())), t)
        .await;
    assert_eq!(emails(&back), ["hot@b.io", "warm@acme.io"]);
    assert_eq!((back["first"].clone(), back["prev_cursor"].clone()), (json!(1), Value::Null));
    let (_, hot_only) = app.get(&w.leads_path("?intent_level=hot"), t).await;
    assert_eq!(hot_only["total"], 1);

    let (_, page) = app.get(&w.leads_path("?sort=score&limit=1"), t).await;
    let (status, body) =
        app.get(&w.leads_path(&format!("?sort=created&cursor={}", page["next_cursor"].as_str().unwrap())), t).await;
    assert_problem(status, &body, 400);

    // updated_since: only what changed after a moment
    let (_, all) = app.get(&w.leads_path(""), t).await;
    let mark = all["items"][0]["updated_at"].as_str().unwrap().to_string();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let cold_id = all["items"][2]["id"].as_str().unwrap();
    app.patch(&w.leads_path(&format!("/{cold_id}")), t, json!({"is_starred": true})).await;
    let since = mark.replace('+', "%2B");
    let (status, changed) = app.get(&w.leads_path(&format!("?updated_since={since}")), t).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    let mut changed = emails(&changed);
    changed.sort();
    assert_eq!(changed, ["cold@a.io", "hot@b.io"]);

    for bad in ["?intent_level=lukewarm", "?sort=random", "?min_score=101", "?follow_up_status=done"] {
        let (status, body) = app.get(&w.leads_path(bad), t).await;
        assert_problem(status, &body, 422);
    }
}

async fn follow_up_star_archive_and_stats(app: TestApp) {
    let w = world(&app).await;
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let t = Some(rep.token.as_str());
    let (_, a) = capture(&app, &w.capture_path(), &rep.token, "demo_request", json!({"email": "a@corp.io"})).await;
    let (_, _b) = capture(&app, &w.capture_path(), &rep.token, "booth_visit", json!({"email": "b@corp.io"})).await;
    capture(&app, &w.capture_path(), &rep.token, "direct_request", json!({"email": "a@corp.io"})).await;
    let a_path = w.leads_path(&format!("/{}", a["id"].as_str().unwrap()));

    let (status, lead) = app
        .patch(&a_path, t, json!({"follow_up_status": "contacted", "follow_up_notes": "Call Tuesday", "tags": ["vip", "vip", "q4"], "is_starred": true}))
        .await;
    assert_eq!(status, StatusCode::OK, "{lead}");
    assert_eq!(lead["follow_up_status"], "contacted");
    assert_eq!(lead["followed_up_by_user_id"], json!(rep.user_id));
    assert!(lead["followed_up_at"].is_string());
    assert_eq!(lead["tags"], json!(["vip", "q4"]));
    let (status, body) = app.patch(&a_path, t, json!({"follow_up_status": "done"})).await;
    assert_problem(status, &body, 422);

    let (_, starred) = app.get(&w.leads_path("?is_starred=true"), t).await;
    assert_eq!(starred["items"].as_array().unwrap().len(), 1);
    let (_, contacted) = app.get(&w.leads_path("?follow_up_status=contacted"), t).await;
    assert_eq!(contacted["items"].as_array().unwrap().len(), 1);

    let (status, stats) = app.get(&w.leads_path("/stats"), t).await;
    assert_eq!(status, StatusCode::OK, "{stats}");
    assert_eq!(stats["total"], 2);
    assert_eq!(stats["by_intent_level"], json!({"hot": 1, "warm": 0, "cold": 1}));
    assert_eq!(stats["by_follow_up_status"]["contacted"], 1);
    assert_eq!(stats["by_follow_up_status"]["new"], 1);
    assert_eq!(stats["starred"], 1);
    assert_eq!(stats["average_score"], json!(40.0)); // (70 + 10) / 2
    assert_eq!(stats["captured_today"], 2);
    assert_eq!(stats["by_interaction_type"], json!({"booth_visit": 1, "demo_request": 1, "direct_request": 1}));

    let (_, archived) = app.patch(&a_path, t, json!({"is_archived": true})).await;
    assert_eq!(archived["is_archived"], true);
    let (_, visible) = app.get(&w.leads_path(""), t).await;
    assert_eq!(visible["items"].as_array().unwrap().len(), 1);
    let (_, all) = app.get(&w.leads_path("?include_archived=true"), t).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    let (_, stats) = app.get(&w.leads_path("/stats"), t).await;
    assert_eq!(stats["archived"], 1);
}

/// On PostgreSQL a capture's rate-limit bucket (one row per caller, shared by
/// every instance) is taken by a statement of its own before its transaction: a
/// capture that waits for a lead's row holds nothing that the same caller's next
/// capture needs, so a scanner's or a service token's captures do not queue
/// behind each other's transactions (docs/DECISIONS.md, "Rate limits on
/// PostgreSQL").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_capture_does_not_hold_up_the_same_callers_next_postgres() {
    use sqlx::Connection;
    let app = TestApp::spawn(sponsorhub_testkit::Backend::Postgres).await;
    let w = world(&app).await;
    let (staff, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let (status, _) = capture(&app, &w.capture_path(), &staff.token, "qr_scan", json!({"email": "ada@corp.io"})).await;
    assert_eq!(status, StatusCode::CREATED);
    // Another session holds Ada's lead.
    let mut other = sqlx::PgConnection::connect(&app.config().database_url).await.unwrap();
    sqlx::query("BEGIN").execute(&mut other).await.unwrap();
    let sponsor: uuid::Uuid = w.sponsor_id.parse().unwrap();
    let held = sqlx::query("SELECT id FROM sponsor_leads WHERE sponsor_id = $1 FOR UPDATE")
        .bind(sponsor)
        .fetch_all(&mut other)
        .await
        .unwrap();
    assert_eq!(held.len(), 1);
    // Ada's next capture waits for her lead...
    let req = app.client.post(app.url(&w.capture_path())).bearer_auth(&staff.token).json(&json!({
        "interaction_type": "booth_visit", "attendee": {"email": "ada@corp.io"}
    }));
    let blocked = tokio::spawn(async move { req.send().await.unwrap().status() });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(!blocked.is_finished(), "Ada's capture waits for her lead's row");
    // ...while the same caller captures Bob.
    let bob = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        capture(&app, &w.capture_path(), &staff.token, "qr_scan", json!({"email": "bob@corp.io"})),
    )
    .await
    .expect("Bob's capture does not wait for Ada's");
    assert_eq!(bob.0, StatusCode::CREATED, "{}", bob.1);
    assert!(!blocked.is_finished());
    sqlx::query("ROLLBACK").execute(&mut other).await.unwrap();
    assert_eq!(blocked.await.unwrap(), StatusCode::OK);
}

/// A lead written by a capture (on SQLite in place on the writer, through
/// rusqlite: docs/PERFORMANCE.md, "A capture in place on SQLite's writer") reads
/// back through sqlx field for field as it was answered, and a repeat capture,
/// which reads the lead the same way, keeps what it does not change.
async fn a_captured_lead_reads_back_as_written(app: TestApp) {
    let w = world(&app).await;
    let (staff, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let same = |answered: &Value, read: &Value| {
        let fields = answered.as_object().expect("a lead");
        assert!(fields.len() > 20, "{answered}");
        for (k, v) in fields {
            assert_eq!(&read[k], v, "{k}: answered {answered}, read {read}");
        }
    };
    let ada =
        json!({"user_id": "platform-ada", "name": "Ada Ł", "email": "ada@corp.io", "company": "Corp", "title": "CTO"});
    let (status, first) = capture(&app, &w.capture_path(), &staff.token, "qr_scan", ada).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let lead_path = w.leads_path(&format!("/{}", first["id"].as_str().unwrap()));
    let (_, read) = app.get(&lead_path, Some(&w.organizer.token)).await;
    same(&first, &read);

    let (status, second) = capture(
        &app,
        &w.capture_path(),
        &staff.token,
        "demo_request",
        json!({"user_id": "platform-ada", "company": "Other"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(
        (&second["created_at"], &second["first_interaction_at"], &second["user_title"], &second["user_company"]),
        (&first["created_at"], &first["first_interaction_at"], &json!("CTO"), &json!("Other"))
    );
    assert_eq!(
        (second["interaction_count"].as_i64(), second["consent_at"].clone()),
        (Some(2), first["consent_at"].clone())
    );
    let (_, read) = app.get(&lead_path, Some(&w.organizer.token)).await;
    same(&second, &read);
}

/// A caller's captures read their context (the sponsor, its event, the caller's
/// membership) once and use it again for a moment (docs/DECISIONS.md, "The
/// capture's context remembered"), but a change to any of the three counts from
/// the next capture on: capture turned off, the event asking for an opt-in, the
/// caller made a viewer, taken off the staff.
async fn a_remembered_capture_context_follows_changes_at_once(app: TestApp) {
    let w = world(&app).await;
    let (staff, member) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let org = Some(w.organizer.token.as_str());
    let ada = json!({"email": "ada@corp.io", "name": "Ada"});
    let path = w.capture_path();
    let scan = || capture(&app, &path, &staff.token, "qr_scan", ada.clone());
    for _ in 0..2 {
        let (status, body) = scan().await;
        assert!(status.is_success(), "{status} {body}");
    }
    let sponsor = w.org_path(&format!("/sponsors/{}", w.sponsor_id));
    let event = format!("/api/v1/organizations/{}/events/{}", w.organizer.org_id, w.event_id);
    let membership = w.org_path(&format!("/sponsor-users/{member}"));
    // each change, the answer it brings to the next capture, and its undoing
    let changes = [
        (&sponsor, json!({"lead_capture_enabled": false}), 409, json!({"lead_capture_enabled": true})),
        (
            &event,
            json!({"consent_rule": "opt_in", "consent_text": "I share."}),
            422,
            json!({"consent_rule": "badge_scan"}),
        ),
        (&membership, json!({"role": "viewer"}), 403, json!({"role": "booth_staff"})),
    ];
    for (path, change, refused, undo) in changes {
        let (status, body) = app.patch(path, org, change.clone()).await;
        assert_eq!(status, StatusCode::OK, "{change}: {body}");
        let (status, body) = scan().await;
        assert_problem(status, &body, refused);
        let (status, body) = app.patch(path, org, undo.clone()).await;
        assert_eq!(status, StatusCode::OK, "{undo}: {body}");
        let (status, body) = scan().await;
        assert!(status.is_success(), "after {undo}: {status} {body}");
    }
    let (status, body) = app.delete(&membership, org).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // no longer on the staff, the caller does not know the sponsor
    let (status, body) = scan().await;
    assert_problem(status, &body, 404);
}

/// A capture's statements are counted (docs/PERFORMANCE.md, "Lead capture"): a
/// new lead and a repeat each cost a fixed, small number, whatever the data.
async fn a_capture_costs_a_fixed_number_of_statements(app: TestApp) {
    let w = world(&app).await;
    let (staff, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let store = &app.server.state.services.store;
    let queries = || store.queries_executed();
    // The counter counts every statement of the app, so a background worker's
    // (the e-mail outbox's, every second) may fall inside a capture, and the
    // first capture reads the context the others remember: a round whose costs
    // differ is measured again, with other attendees.
    let mut rounds = Vec::new();
    for round in 0..5 {
        let mut costs = Vec::new();
        for (i, who) in ["ada", "ada", "bob", "bob"].iter().enumerate() {
            let kind = if i % 2 == 0 { "qr_scan" } else { "demo_request" };
            let (before, in_place, alone) = (queries(), store.writes_in_place(), store.committed_alone());
            let email = format!("{who}{round}@corp.io");
            let attendee = json!({"user_id": format!("ext-{email}"), "name": "A", "email": email});
            let (status, body) = capture(&app, &w.capture_path(), &staff.token, kind, attendee).await;
            assert!(status.is_success(), "{body}");
            costs.push((queries() - before, store.committed_alone() - alone));
            // On SQLite every statement of the capture runs in place on the
            // writer, with no hop to sqlx's worker thread (docs/PERFORMANCE.md, "A
            // capture in place on SQLite's writer"); a store function of the
            // capture path without its in-place form shows here.
            let expected = u64::from(app.backend == sponsorhub_testkit::Backend::Sqlite);
            assert_eq!(store.writes_in_place() - in_place, expected, "capture {i}: ran wholly in place");
        }
        let consistent = (costs[0], costs[1]) == (costs[2], costs[3]);
        rounds.push(costs);
        if consistent {
            break;
        }
    }
    let costs = rounds.last().expect("a round");
    let ((new, new_alone), (repeat, repeat_alone)) = (costs[2], costs[3]);
    assert_eq!((costs[0].0, costs[1].0), (new, repeat), "the same cost for every lead, in one round of {rounds:?}");
    eprintln!("statements: new lead {new}, repeat {repeat} ({:?})", app.backend);
    // A new lead: the sponsor with its event and the caller's membership (one
    // query, remembered from the caller's capture before: docs/DECISIONS.md,
    // "The capture's context remembered"), the attendee's account row, the lead, its counters, its e-mail
    // notice, the interaction, the analytics rollup (with its totals), and no webhook message while no endpoint listens (the context
    // tells: docs/PERFORMANCE.md, "No webhook message while no endpoint
    // listens"); a repeat adds the lead's lock and update. On
    // PostgreSQL the rows after the lead go as one statement (docs/PERFORMANCE.md,
    // "Fewer round trips on PostgreSQL"), the account row goes with the lead's
    // own and a repeat's update with the rows after it ("The account row with
    // the lead"), a new lead's rows after it go with the lead's too, committed
    // on their own with no BEGIN or COMMIT ("A new lead in one statement"), and
    // the rate-limit bucket is one more, of its own; on SQLite it is in memory.
    let (new_at_most, repeat_at_most, new_alone_expected) = match app.backend {
        sponsorhub_testkit::Backend::Sqlite => (6, 8, 0),
        sponsorhub_testkit::Backend::Postgres => (2, 4, 1),
    };
    assert!(new <= new_at_most, "a new lead's capture: {new} statements");
    assert!(repeat <= repeat_at_most, "a repeat capture: {repeat} statements");
    assert_eq!((new_alone, repeat_alone), (new_alone_expected, 0), "captures committed alone, in {rounds:?}");
}

/// PostgreSQL holds the writes a capture makes after its lead and sends them as
/// one statement before the transaction's next one or its commit
/// (docs/PERFORMANCE.md, "Fewer round trips on PostgreSQL"): a read in the same
/// transaction sees them, a rollback drops them, and two upserts of one table go
/// one after the other (one statement may not update a row twice).
async fn writes_held_for_later_reach_reads_and_commits(app: TestApp) {
    use sponsorhub_store::analytics::{self, Activity};
    let w = world(&app).await;
    let store = &app.server.state.services.store;
    let sponsor: uuid::Uuid = w.sponsor_id.parse().unwrap();
    let row = |n| Activity {
        sponsor_id: sponsor,
        event_id: w.event_id.parse().unwrap(),
        hour: chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
        kind: "qr_scan",
        staff_id: uuid::Uuid::nil(),
        device: "Phone".into(),
        n,
        seconds: 0,
    };
    let counted = |rows: Vec<analytics::ActivityRow>| rows.iter().map(|r| r.n).sum::<i64>();

    let mut tx = store.write().await.unwrap();
    analytics::record(&mut tx, &[row(1)]).await.unwrap();
    analytics::record(&mut tx, &[row(2)]).await.unwrap();
    assert_eq!(counted(analytics::of_sponsor(&mut tx, sponsor).await.unwrap()), 3, "read in the same transaction");
    analytics::record(&mut tx, &[row(4)]).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    assert_eq!(counted(analytics::of_sponsor(&mut tx, sponsor).await.unwrap()), 7, "committed");
    // the totals beside the rollup (by triggers on SQLite, held with it on
    // PostgreSQL: docs/DECISIONS.md, "Analytics"), each upsert counted once
    let totals = analytics::interaction_totals(&mut tx, sponsor).await.unwrap();
    assert_eq!(totals, [("qr_scan".to_string(), 7)], "the totals");
    drop(tx);

    let mut tx = store.write().await.unwrap();
    analytics::record(&mut tx, &[row(100)]).await.unwrap();
    drop(tx);
    let mut tx = store.read().await.unwrap();
    assert_eq!(counted(analytics::of_sponsor(&mut tx, sponsor).await.unwrap()), 7, "rolled back");
    drop(tx);

    // the rollup and a webhook message: two statements on SQLite (in place), one on
    // PostgreSQL
    let before = store.queries_executed();
    let mut tx = store.write().await.unwrap();
    analytics::record(&mut tx, &[row(1)]).await.unwrap();
    let (event, now) = (w.event_id.parse().unwrap(), chrono::Utc::now());
    let id = uuid::Uuid::new_v4();
    sponsorhub_store::webhooks::enqueue(&mut tx, id, event, Some(sponsor), None, "lead.created", "{}", now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let expected = if app.backend == sponsorhub_testkit::Backend::Postgres { 1 } else { 2 };
    assert_eq!(store.queries_executed() - before, expected);
}

/// The capture's context (the sponsor, its event and the caller's membership in
/// one query) reads each record as its own query does, field for field, with a
/// membership and without, in place on SQLite's writer and on PostgreSQL.
async fn the_capture_context_reads_as_its_records_do(app: TestApp) {
    use sponsorhub_store::{events, members, sponsors};
    let w = world(&app).await;
    let (staff, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let store = &app.server.state.services.store;
    let (event, sponsor): (uuid::Uuid, uuid::Uuid) = (w.event_id.parse().unwrap(), w.sponsor_id.parse().unwrap());
    let user: uuid::Uuid = staff.user_id.parse().unwrap();
    for who in [user, uuid::Uuid::new_v4()] {
        let mut tx = store.write().await.unwrap();
        let (s, e, m, webhooks) =
            sponsors::capture_context(&mut tx, event, sponsor, who).await.unwrap().expect("the sponsor");
        assert!(!webhooks, "no endpoint listens");
        assert_eq!(Some(s.clone()), sponsors::get(&mut tx, sponsor).await.unwrap());
        assert_eq!(Some(e.clone()), events::get_any(&mut tx, event).await.unwrap());
        assert_eq!(m, members::find(&mut tx, sponsor, who).await.unwrap());
        assert_eq!(m.is_some(), who == user);
        let elsewhere = sponsors::capture_context(&mut tx, uuid::Uuid::new_v4(), sponsor, who).await.unwrap();
        assert!(elsewhere.is_none(), "a sponsor of another event");
        tx.commit().await.unwrap();
        // and in a read (on SQLite, one record at a time)
        let mut tx = store.read().await.unwrap();
        let read = sponsors::capture_context(&mut tx, event, sponsor, who).await.unwrap().expect("the sponsor");
        assert_eq!((read.0, read.1, read.2, read.3), (s, e, m, webhooks));
    }
}

/// Held writes run in the order they were held, as they did one by one, so their
/// rows are locked in that order and two use cases never lock the same rows in
/// opposite orders (docs/PERFORMANCE.md, "Fewer round trips on PostgreSQL"):
/// PostgreSQL runs the parts of a data-modifying `WITH` last first, so the store
/// lists them in reverse. Rows of a heap table land in the order inserted.
/// An edit of a lead (its follow-up, a note, answers) that runs while another
/// transaction changes the lead (a capture counting an interaction) keeps that
/// change: the edit reads the lead only once the other has committed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_beside_a_capture_loses_nothing_postgres() {
    use sqlx::Connection;
    let app = TestApp::spawn(sponsorhub_testkit::Backend::Postgres).await;
    let w = world(&app).await;
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let (status, lead) = capture(&app, &w.capture_path(), &rep.token, "qr_scan", json!({"email": "ada@corp.io"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let id: uuid::Uuid = lead["id"].as_str().unwrap().parse().unwrap();
    let path = w.leads_path(&format!("/{id}"));
    let mut expected = lead["interaction_count"].as_i64().unwrap();

    for edit in [
        (Method::PATCH, path.clone(), json!({"follow_up_status": "contacted"})),
        (Method::POST, format!("{path}/notes"), json!({"body": "Call Tuesday"})),
    ] {
        // another transaction counts 100 interactions on the lead, not yet committed
        let mut other = sqlx::PgConnection::connect(&app.config().database_url).await.unwrap();
        sqlx::query("BEGIN").execute(&mut other).await.unwrap();
        sqlx::query("UPDATE sponsor_leads SET interaction_count = interaction_count + 100 WHERE id = $1")
            .bind(id)
            .execute(&mut other)
            .await
            .unwrap();
        let req = app.client.request(edit.0.clone(), app.url(&edit.1)).bearer_auth(&rep.token).json(&edit.2);
        let edited = tokio::spawn(async move { req.send().await.unwrap().status() });
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        sqlx::query("COMMIT").execute(&mut other).await.unwrap();
        let status = edited.await.unwrap();
        assert!(status.is_success(), "{} {}: {status}", edit.0, edit.1);
        expected += 100;
        let (_, now) = app.get(&path, Some(&rep.token)).await;
        assert_eq!(now["interaction_count"].as_i64(), Some(expected), "after {} {}", edit.0, edit.1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn held_writes_run_in_the_order_held() {
    use sponsorhub_domain::LeadReason;
    let app = TestApp::spawn(sponsorhub_testkit::Backend::Postgres).await;
    let w = world(&app).await;
    let (staff, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let (status, lead) =
        capture(&app, &w.capture_path(), &staff.token, "qr_scan", json!({"email": "ada@corp.io"})).await;
    assert_eq!(status, StatusCode::CREATED, "{lead}");
    let id = lead.get("lead_id").or(lead.get("id")).and_then(Value::as_str);
    let lead: uuid::Uuid = id.unwrap_or_else(|| panic!("{lead}")).parse().unwrap();
    let sponsor: uuid::Uuid = w.sponsor_id.parse().unwrap();
    // not due for a digest for a day, so the e-mail worker leaves them
    let later = chrono::Utc::now() + chrono::Duration::days(1);
    let store = &app.server.state.services.store;
    let mut tx = store.write().await.unwrap();
    for reason in [LeadReason::TurnedHot, LeadReason::New, LeadReason::New] {
        sponsorhub_store::outbox::insert_lead_notification(&mut tx, sponsor, lead, reason, later).await.unwrap();
    }
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    let sql = "SELECT reason FROM lead_notifications WHERE lead_id = $1 AND created_at = $2 ORDER BY ctid";
    let read = async {
        Ok::<Vec<String>, sponsorhub_store::StoreError>(sponsorhub_store::on_tx!(&mut tx, c =>
            sqlx::query_scalar(sql).bind(lead).bind(later).fetch_all(c).await?))
    };
    let order = read.await.unwrap();
    assert_eq!(order, ["hot", "new", "new"]);
}

/// On PostgreSQL every connection of both pools is readied for captures before
/// the first request: each has the capture's statements prepared (the context
/// query, the lead's insert, the writes held for the commit; the rate-limit
/// bucket's on the other pool), and nothing of the warm-up's made-up records
/// stays (docs/PERFORMANCE.md, "Connections ready before the first capture").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_connections_are_ready_for_captures_at_start() {
    let app = TestApp::spawn(sponsorhub_testkit::Backend::Postgres).await;
    let size = app.config().db_max_connections as usize;
    let store = &app.server.state.services.store;
    // a background task (the heartbeat, a worker) may hold a connection a moment
    let mut found = Default::default();
    for _ in 0..100 {
        found = store.postgres_idle_prepared_statements().await.unwrap();
        if found[0].len() == size && found[1].len() == size.div_ceil(4) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let [pool, buckets] = found;
    assert_eq!(pool.len(), size, "every connection of the pool is open");
    for statements in &pool {
        let without_webhooks = statements
            .iter()
            .any(|s| s.contains("INSERT INTO sponsor_leads") && !s.contains("INSERT INTO webhook_deliveries"));
        assert!(without_webhooks, "a new lead's statement with no webhook message is prepared: {statements:#?}");
        for part in [
            "FROM sponsors s JOIN events e",
            "INSERT INTO sponsor_leads",
            "INSERT INTO sponsor_lead_interactions",
            // with an endpoint listening, and without
            "INSERT INTO webhook_deliveries",
            "INSERT INTO idempotency_keys",
            "UPDATE idempotency_keys",
        ] {
            assert!(statements.iter().any(|s| s.contains(part)), "{part:?} is prepared: {statements:#?}");
        }
    }
    assert_eq!(buckets.len(), size.div_ceil(4), "every connection of the buckets' pool is open");
    for statements in &buckets {
        assert!(statements.iter().any(|s| s.contains("INSERT INTO rate_limits")), "{statements:#?}");
    }

    let mut tx = store.read().await.unwrap();
    let left = async {
        Ok::<i64, sponsorhub_store::StoreError>(sponsorhub_store::on_tx!(&mut tx, c =>
            sqlx::query_scalar("SELECT (SELECT count(*) FROM users WHERE email LIKE '%warm-up.invalid')
                + (SELECT count(*) FROM organizations WHERE name LIKE 'warm-up%')
                + (SELECT count(*) FROM events) + (SELECT count(*) FROM sponsors)
                + (SELECT count(*) FROM idempotency_keys)
                + (SELECT count(*) FROM sponsor_leads) + (SELECT count(*) FROM rate_limits)
                + (SELECT count(*) FROM webhook_endpoints)")
                .fetch_one(c).await?))
    };
    assert_eq!(left.await.unwrap(), 0, "the warm-up left nothing behind");
    drop(tx);

    // and captures go on as ever
    let w = world(&app).await;
    let (staff, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let (status, lead) =
        capture(&app, &w.capture_path(), &staff.token, "qr_scan", json!({"email": "ada@corp.io"})).await;
    assert_eq!(status, StatusCode::CREATED, "{lead}");
}

/// On PostgreSQL a new lead with nothing after it (no answers, no key) is one
/// statement committed on its own (docs/PERFORMANCE.md, "A new lead in one
/// statement"): every row that follows a new lead is there, once; a repeat of
/// the same attendee, whose insert finds the lead, adds none of them and runs
/// in a transaction; a new lead with a key to complete runs in one, as
/// everything does on SQLite.
async fn a_new_lead_in_one_statement_writes_all_that_follows_it(app: TestApp) {
    use sponsorhub_store::{analytics, leads, webhooks};
    let w = world(&app).await;
    let (admin, _) = join_staff(&app, &w, &w.sponsor_id, "admin@ferris.io", "admin").await;
    let store = &app.server.state.services.store;
    let sponsor: uuid::Uuid = w.sponsor_id.parse().unwrap();
    let hooks = format!("/api/v1/sponsors/sponsors/{}/webhooks", w.sponsor_id);
    let body = json!({"url": "https://hooks.example.com/in", "events": ["lead.created", "lead.updated"]});
    let (status, hook) = app.post(&hooks, Some(&admin.token), body).await;
    assert_eq!(status, StatusCode::CREATED, "{hook}");
    let endpoint: uuid::Uuid = hook["id"].as_str().unwrap().parse().unwrap();
    let attendee = |who: &str| json!({"user_id": format!("ext-{who}"), "name": who, "email": format!("{who}@corp.io")});
    // the first capture reads the context; the next ones remember it
    let (status, body) = capture(&app, &w.capture_path(), &admin.token, "qr_scan", attendee("ada")).await;
    assert!(status.is_success(), "{body}");

    // A new lead: committed alone on PostgreSQL once the context is remembered,
    // which a stalled machine may let lapse (half a second) before the next
    // capture: then another attendee is tried.
    let expected = u64::from(app.backend == sponsorhub_testkit::Backend::Postgres);
    let mut tries = Vec::new();
    let (bob, lead) = loop {
        let bob = format!("bob{}", tries.len());
        let alone = store.committed_alone();
        let (status, lead) = capture(&app, &w.capture_path(), &admin.token, "demo_request", attendee(&bob)).await;
        assert_eq!(status, StatusCode::CREATED, "{lead}");
        tries.push(store.committed_alone() - alone);
        if tries.last() == Some(&expected) || tries.len() == 3 {
            break (bob, lead);
        }
    };
    assert_eq!(tries.last(), Some(&expected), "a new lead committed alone, in {tries:?}");
    let news = 2 + tries.len() as i64; // ada, the bobs, cy
    let alone = store.committed_alone();
    let (status, again) = capture(&app, &w.capture_path(), &admin.token, "qr_scan", attendee(&bob)).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(store.committed_alone(), alone, "a repeat is a transaction");
    let (status, _) = capture(&app, &w.capture_path(), &admin.token, "qr_scan", attendee("cy")).await;
    assert_eq!(status, StatusCode::CREATED);

    let lead_id: uuid::Uuid = lead["id"].as_str().unwrap().parse().unwrap();
    let mut tx = store.read().await.unwrap();
    let interactions = leads::interactions(&mut tx, lead_id).await.unwrap();
    let kinds: Vec<&str> = interactions.iter().map(|i| i.interaction_type.as_str()).collect();
    assert_eq!(kinds.len(), 2, "the new lead's interaction and the repeat's: {kinds:?}");
    assert!(kinds.contains(&"demo_request") && kinds.contains(&"qr_scan"), "{kinds:?}");
    let counted: i64 = leads::counts(&mut tx, sponsor).await.unwrap().iter().map(|c| c.n).sum();
    assert_eq!(counted, news, "each lead counted once");
    let scored: i64 = leads::counts(&mut tx, sponsor).await.unwrap().iter().map(|c| c.score_sum).sum();
    let (_, list) = app.get(&w.leads_path(""), Some(&admin.token)).await;
    let listed: i64 = list["items"].as_array().unwrap().iter().map(|l| l["intent_score"].as_i64().unwrap()).sum();
    assert_eq!(scored, listed, "the counters' scores are the leads': {list}");
    let activity = analytics::of_sponsor(&mut tx, sponsor).await.unwrap();
    let of_kind = |k: &str| activity.iter().filter(|r| r.kind == k).map(|r| r.n).sum::<i64>();
    let tried = news - 2;
    assert_eq!((of_kind("lead"), of_kind("qr_scan"), of_kind("demo_request")), (news, 3, tried), "{activity:?}");
    let sent = webhooks::deliveries(&mut tx, endpoint, None, 50).await.unwrap();
    let created = sent.iter().filter(|d| d.event_type == "lead.created").count() as i64;
    let updated = sent.iter().filter(|d| d.event_type == "lead.updated").count();
    assert_eq!((created, updated), (news, 1), "webhook messages");
    drop(tx);
    // the e-mail notices of new leads, pending for the digest (a minute's
    // window), read and put back (rolled back)
    let mut tx = store.write().await.unwrap();
    let notices = sponsorhub_store::outbox::take_lead_notifications(&mut tx, sponsor).await.unwrap();
    drop(tx);
    let new_notices = notices.iter().filter(|n| n.reason.as_str() == "new").collect::<Vec<_>>();
    assert_eq!(new_notices.len() as i64, news, "one e-mail notice per new lead");
    assert!(new_notices.iter().any(|n| n.lead_id == lead_id), "the lead committed alone has its notice");

    // a new lead with a key to complete: the key's answer is stored in the
    // lead's transaction, and a retry replays it
    let alone = store.committed_alone();
    let send = || {
        app.client
            .post(app.url(&w.capture_path()))
            .bearer_auth(&admin.token)
            .header("idempotency-key", "scan-dee")
            .json(&json!({"interaction_type": "qr_scan", "attendee": attendee("dee")}))
            .send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let retry = send().await.unwrap();
    assert!(retry.headers().contains_key("idempotent-replayed"));
    assert_eq!(retry.json::<Value>().await.unwrap(), first, "the stored answer");
    assert_eq!(store.committed_alone(), alone, "a key to complete: not alone");
}
