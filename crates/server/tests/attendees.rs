//! Attendees of an event and their badges (issue 13, first slice), on SQLite and
//! PostgreSQL: organizers manage attendees (create, list with search and pages,
//! get, change, delete, bulk upsert all or nothing); each has a badge code that
//! staff capture by, which can be revoked and re-issued.

mod common;

use common::{another_sponsor, gql, join_staff, world};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sponsorhub_testkit::{TestApp, assert_problem, dual_backend};

dual_backend!(
    organizers_manage_attendees,
    staff_capture_by_badge,
    bulk_upsert_is_all_or_nothing,
    over_graphql,
    badges_are_qr_codes_their_attendees_can_open,
    sponsors_receive_the_fields_the_organizer_shares,
    printable_badges_read_back,
    csv_imports_preview_every_bad_row_and_write_all_or_nothing,
);

fn attendees_path(w: &common::World, rest: &str) -> String {
    format!("/api/v1/organizations/{}/events/{}/attendees{rest}", w.organizer.org_id, w.event_id)
}

async fn organizers_manage_attendees(app: TestApp) {
    let w = world(&app).await;
    let org = Some(w.organizer.token.as_str());
    let (status, ada) = app
        .post(
            &attendees_path(&w, ""),
            org,
            json!({"name": "Ada Lovelace", "email": "Ada@Example.com", "company": "Analytical Engines",
                   "platform_id": "att-1", "custom_fields": {"diet": "vegan", "vip": true}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ada}");
    assert_eq!(ada["email"], "ada@example.com");
    assert_eq!(ada["custom_fields"]["vip"], true);
    let code = ada["badge_code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 32, "128 bits in hex: {code}");
    let id = ada["id"].as_str().unwrap().to_string();

    // the same e-mail address twice in one event is refused; without any key too
    let (status, body) =
        app.post(&attendees_path(&w, ""), org, json!({"name": "Ada 2", "email": "ada@example.com"})).await;
    assert_problem(status, &body, 409);
    let (status, body) = app.post(&attendees_path(&w, ""), org, json!({"name": "Nobody"})).await;
    assert_problem(status, &body, 422);
    assert_eq!(body["errors"][0]["field"], "email", "{body}");

    for i in 0..4 {
        let (status, b) = app
            .post(&attendees_path(&w, ""), org, json!({"name": format!("Guest {i}"), "email": format!("g{i}@corp.io")}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{b}");
    }
    // pages in creation order, and search
    let (status, page) = app.get(&attendees_path(&w, "?limit=3"), org).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["items"].as_array().unwrap().len(), 3);
    assert_eq!(page["items"][0]["name"], "Ada Lovelace");
    let cursor = page["next_cursor"].as_str().unwrap();
    let (_, rest) = app.get(&attendees_path(&w, &format!("?limit=3&cursor={cursor}")), org).await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 2);
    assert!(rest["next_cursor"].is_null());
    let (_, found) = app.get(&attendees_path(&w, "?search=ANALYTICAL"), org).await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1, "{found}");

    // change, get, delete
    let (status, changed) =
        app.patch(&attendees_path(&w, &format!("/{id}")), org, json!({"title": "Countess", "company": null})).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["title"], "Countess");
    assert!(changed["company"].is_null());
    assert_eq!(changed["badge_code"], code.as_str(), "the badge stays");
    let (status, got) = app.get(&attendees_path(&w, &format!("/{id}")), org).await;
    assert_eq!((status, got["title"].clone()), (StatusCode::OK, json!("Countess")));

    // only organizers: the sponsor's staff get 404 (not members of the organization)
    let (admin, _) = join_staff(&app, &w, &w.sponsor_id, "admin@ferris.io", "admin").await;
    let (status, body) = app.get(&attendees_path(&w, ""), Some(&admin.token)).await;
    assert_problem(status, &body, 404);
    let (status, body) =
        app.post(&attendees_path(&w, ""), Some(&admin.token), json!({"name": "X", "email": "x@y.io"})).await;
    assert_problem(status, &body, 404);

    let (status, _) = app.delete(&attendees_path(&w, &format!("/{id}")), org).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = app.get(&attendees_path(&w, &format!("/{id}")), org).await;
    assert_problem(status, &body, 404);
    app.stop().await;
}

async fn capture(app: &TestApp, w: &common::World, token: &str, code: &str) -> (StatusCode, Value) {
    app.post(&w.capture_path(), Some(token), json!({"interaction_type": "qr_scan", "badge_code": code})).await
}

async fn lead_count(app: &TestApp, w: &common::World) -> i64 {
    let (_, stats) = app.get(&w.leads_path("/stats"), Some(&w.organizer.token)).await;
    stats["total"].as_i64().unwrap()
}

async fn staff_capture_by_badge(app: TestApp) {
    let w = world(&app).await;
    let org = Some(w.organizer.token.as_str());
    let (_, frank) = app
        .post(
            &attendees_path(&w, ""),
            org,
            json!({"name": "Frank Badge", "email": "frank@corp.io", "company": "Corp", "phone": "+49 30 1234"}),
        )
        .await;
    let code = frank["badge_code"].as_str().unwrap().to_string();
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let (booth, member) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let (status, body) =
        app.patch(&w.org_path(&format!("/sponsor-users/{member}")), org, json!({"can_view_leads": false})).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // a scan makes the lead with the attendee's name and company; on SQLite each
    // scan runs wholly in place on the writer (docs/PERFORMANCE.md, "A capture in
    // place on SQLite's writer")
    let store = &app.server.state.services.store;
    let in_place = store.writes_in_place();
    let (status, lead) = capture(&app, &w, &rep.token, &code).await;
    assert_eq!(status, StatusCode::CREATED, "{lead}");
    assert_eq!(lead["user_name"], "Frank Badge");
    assert_eq!(lead["user_company"], "Corp");
    assert!(lead["user_email"].is_null(), "the e-mail address is not shared by default: {lead}");
    // a second scan (lower case, as a keyboard wedge may type it) adds an interaction
    let (status, again) = capture(&app, &w, &rep.token, &format!(" {} ", code.to_lowercase())).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["id"], lead["id"]);
    assert_eq!(again["interaction_count"], 2);
    let expected = if app.backend == sponsorhub_testkit::Backend::Sqlite { 2 } else { 0 };
    assert_eq!(store.writes_in_place() - in_place, expected, "two scans, each wholly in place");
    // staff without view-leads get the receipt, naming who was scanned
    let (status, receipt) = capture(&app, &w, &booth.token, &code).await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    assert_eq!(receipt["shared"]["name"], "Frank Badge", "{receipt}");
    assert_eq!(receipt["created"], false);
    assert_eq!(lead_count(&app, &w).await, 1);

    // unknown, revoked, and another event's badges record nothing
    let (status, body) = capture(&app, &w, &rep.token, "0123456789ABCDEF0123456789ABCDEF").await;
    assert_problem(status, &body, 422);
    assert_eq!(body["errors"][0]["field"], "badge_code", "{body}");
    let frank_path = attendees_path(&w, &format!("/{}", frank["id"].as_str().unwrap()));
    let (status, revoked) = app.post(&format!("{frank_path}/badge/revoke"), org, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{revoked}");
    assert!(revoked["badge_code"].is_null());
    let (status, body) = capture(&app, &w, &rep.token, &code).await;
    assert_problem(status, &body, 422);
    let (status, reissued) = app.post(&format!("{frank_path}/badge/reissue"), org, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{reissued}");
    let new_code = reissued["badge_code"].as_str().unwrap();
    assert_ne!(new_code, code);
    let (status, body) = capture(&app, &w, &rep.token, &code).await;
    assert_problem(status, &body, 422);
    let (status, third) = capture(&app, &w, &rep.token, new_code).await;
    assert_eq!(status, StatusCode::OK, "{third}");
    assert_eq!(third["interaction_count"], 4, "the same attendee's lead");

    let (status, other_event) =
        app.post(&format!("/api/v1/organizations/{}/events", w.organizer.org_id), org, json!({"name": "Other"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, stranger) = app
        .post(
            &format!(
                "/api/v1/organizations/{}/events/{}/attendees",
                w.organizer.org_id,
                other_event["id"].as_str().unwrap()
            ),
            org,
            json!({"name": "Stranger", "email": "s@x.io"}),
        )
        .await;
    let (status, body) = capture(&app, &w, &rep.token, stranger["badge_code"].as_str().unwrap()).await;
    assert_problem(status, &body, 422);
    // an attendee who opted out of badge scanning cannot be captured by it
    let (status, out) = app.patch(&frank_path, org, json!({"scan_opt_out": true})).await;
    assert_eq!((status, out["scan_opt_out"].clone()), (StatusCode::OK, json!(true)), "{out}");
    let (status, body) = capture(&app, &w, &rep.token, new_code).await;
    assert_problem(status, &body, 422);
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("opted out of badge scanning"), "{body}");
    let (_, lead_now) = app.get(&w.leads_path(&format!("/{}", lead["id"].as_str().unwrap())), Some(&rep.token)).await;
    assert_eq!(lead_now["interaction_count"], 4, "nothing recorded");
    let (status, _) = app.patch(&frank_path, org, json!({"scan_opt_out": false})).await;
    assert_eq!(status, StatusCode::OK);
    // a badge and typed details at once are refused
    let (status, body) = app
        .post(
            &w.capture_path(),
            Some(&rep.token),
            json!({"interaction_type": "qr_scan", "badge_code": new_code, "attendee": {"email": "a@b.io"}}),
        )
        .await;
    assert_problem(status, &body, 422);
    assert_eq!(lead_count(&app, &w).await, 1);

    // another sponsor's scan of the same badge is that sponsor's own lead
    let other = another_sponsor(&app, &w, "Crab Co").await;
    let (crab, _) = join_staff(&app, &w, &other, "rep@crab.io", "representative").await;
    let path = format!("/api/v1/sponsors/events/{}/sponsors/{other}/capture-lead", w.event_id);
    let (status, theirs) =
        app.post(&path, Some(&crab.token), json!({"interaction_type": "booth_visit", "badge_code": new_code})).await;
    assert_eq!(status, StatusCode::CREATED, "{theirs}");
    assert_ne!(theirs["id"], lead["id"]);
    app.stop().await;
}

async fn bulk_upsert_is_all_or_nothing(app: TestApp) {
    let w = world(&app).await;
    let org = Some(w.organizer.token.as_str());
    let bulk = attendees_path(&w, "/bulk");
    let (status, body) = app
        .post(
            &bulk,
            org,
            json!({"attendees": [
                {"name": "One", "email": "one@corp.io"},
                {"name": "", "email": "two@corp.io"},
                {"name": "Three", "email": "not-an-address"},
            ]}),
        )
        .await;
    assert_problem(status, &body, 422);
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["attendees[1].name", "attendees[2].email"], "{body}");
    let (_, page) = app.get(&attendees_path(&w, ""), org).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 0, "nothing written");

    let (status, done) = app
        .post(
            &bulk,
            org,
            json!({"attendees": [
                {"name": "One", "email": "one@corp.io", "platform_id": "p1"},
                {"name": "Two", "email": "two@corp.io"},
            ]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!((done["created"].clone(), done["updated"].clone()), (json!(2), json!(0)));
    let one_code = done["attendees"][0]["badge_code"].clone();
    // matched by platform id (a new address), else by e-mail address
    let (status, again) = app
        .post(
            &bulk,
            org,
            json!({"attendees": [
                {"name": "One Renamed", "email": "one@new.io", "platform_id": "p1"},
                {"name": "Two", "email": "TWO@corp.io", "ticket_type": "VIP"},
                {"name": "Four", "email": "four@corp.io"},
            ]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!((again["created"].clone(), again["updated"].clone()), (json!(1), json!(2)));
    assert_eq!(again["attendees"][0]["email"], "one@new.io");
    assert_eq!(again["attendees"][0]["badge_code"], one_code, "an update keeps the badge");
    assert_eq!(again["attendees"][1]["ticket_type"], "VIP");
    let (_, page) = app.get(&attendees_path(&w, ""), org).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 3);
    app.stop().await;
}

async fn over_graphql(app: TestApp) {
    let w = world(&app).await;
    let org = w.organizer.token.as_str();
    let ev = json!(w.event_id);
    let made = gql(
        &app,
        org,
        "mutation($e: ID!) { upsertAttendees(eventId: $e, attendees: [
            {name: \"Grace\", email: \"grace@navy.mil\", company: \"Navy\", customFields: {rank: \"RADM\"}},
            {name: \"Alan\", platformId: \"p-7\"}]) { created updated attendees { id name badgeCode customFields } } }",
        json!({"e": ev}),
    )
    .await;
    assert!(made["errors"].is_null(), "{made}");
    let grace = &made["data"]["upsertAttendees"]["attendees"][0];
    assert_eq!(grace["customFields"]["rank"], "RADM");
    let code = grace["badgeCode"].as_str().unwrap();

    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let captured = gql(
        &app,
        &rep.token,
        "mutation($e: ID!, $s: ID!, $c: String!) { captureLead(eventId: $e, sponsorId: $s,
            input: {interactionType: \"qr_scan\", badgeCode: $c}) { created lead { userName userCompany } } }",
        json!({"e": ev, "s": w.sponsor_id, "c": code}),
    )
    .await;
    assert!(captured["errors"].is_null(), "{captured}");
    assert_eq!(captured["data"]["captureLead"]["lead"]["userName"], "Grace");

    let id = grace["id"].clone();
    let revoked = gql(
        &app,
        org,
        "mutation($e: ID!, $i: ID!) { revokeAttendeeBadge(eventId: $e, id: $i) { badgeCode } }",
        json!({"e": ev, "i": id}),
    )
    .await;
    assert!(revoked["data"]["revokeAttendeeBadge"]["badgeCode"].is_null(), "{revoked}");
    let listed = gql(
        &app,
        org,
        "query($e: ID!) { attendees(eventId: $e, search: \"alan\") { items { name platformId } nextCursor } }",
        json!({"e": ev}),
    )
    .await;
    assert_eq!(listed["data"]["attendees"]["items"], json!([{"name": "Alan", "platformId": "p-7"}]), "{listed}");
    // staff are not the organization's members: the event is missing to them
    let refused =
        gql(&app, &rep.token, "query($e: ID!) { attendees(eventId: $e) { items { name } } }", json!({"e": ev})).await;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "NOT_FOUND", "{refused}");
    app.stop().await;
}

/// Decodes the one QR code of a PNG picture.
fn decode_qr(png: &[u8]) -> String {
    let img = image::load_from_memory_with_format(png, image::ImageFormat::Png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the picture");
    grids[0].decode().unwrap().1
}

async fn badges_are_qr_codes_their_attendees_can_open(app: TestApp) {
    let w = world(&app).await;
    let org = Some(w.organizer.token.as_str());
    let (_, made) = app
        .post(
            &attendees_path(&w, "/bulk"),
            org,
            json!({"attendees": [
                {"name": "Edsger Dijkstra", "email": "edsger@tue.nl", "company": "TU/e"},
                {"name": "Barbara Liskov", "platform_id": "plat-42"},
            ]}),
        )
        .await;
    let edsger = &made["attendees"][0];
    let barbara = &made["attendees"][1];
    let path = attendees_path(&w, &format!("/{}", edsger["id"].as_str().unwrap()));

    // organizers: the QR as PNG decodes to the badge code; as SVG it is an image
    let res =
        app.client.get(app.url(&format!("{path}/badge.png"))).bearer_auth(&w.organizer.token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/png");
    let png = res.bytes().await.unwrap();
    assert_eq!(decode_qr(&png), edsger["badge_code"].as_str().unwrap());
    let res =
        app.client.get(app.url(&format!("{path}/badge.svg"))).bearer_auth(&w.organizer.token).send().await.unwrap();
    assert_eq!(res.headers()["content-type"], "image/svg+xml");
    assert!(res.text().await.unwrap().starts_with("<svg "));

    // the attendee, signed up with the badge's address, opens their own badge
    let me = app.signup("edsger@tue.nl", "Edsger's").await;
    let (status, mine) = app.get(&format!("/api/v1/events/{}/my-badge", w.event_id), Some(&me.token)).await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_eq!(mine["badge_code"], edsger["badge_code"]);
    let page = app
        .client
        .get(app.url(&format!("/badge/{}", w.event_id)))
        .header(reqwest::header::COOKIE, format!("sponsorhub_session={}", me.token))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains("Edsger Dijkstra") && page.contains("<svg role=\"img\""), "{page}");
    assert!(page.contains(edsger["badge_code"].as_str().unwrap()));
    // a platform token for the attendee's platform id finds theirs
    let platform = app.platform_token("plat-42", "barbara@mit.edu", None);
    let (status, hers) = app.get(&format!("/api/v1/events/{}/my-badge", w.event_id), Some(&platform)).await;
    assert_eq!(status, StatusCode::OK, "{hers}");
    assert_eq!(hers["badge_code"], barbara["badge_code"]);
    // anyone else has none
    let (status, body) = app.get(&format!("/api/v1/events/{}/my-badge", w.event_id), org).await;
    assert_problem(status, &body, 404);
    // the sponsor's staff cannot fetch badges
    let (admin, _) = join_staff(&app, &w, &w.sponsor_id, "admin@ferris.io", "admin").await;
    let res = app.client.get(app.url(&format!("{path}/badge.png"))).bearer_auth(&admin.token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // revoked: no picture, and the attendee's page says so
    let (status, _) = app.post(&format!("{path}/badge/revoke"), org, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let res =
        app.client.get(app.url(&format!("{path}/badge.png"))).bearer_auth(&w.organizer.token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let page = app
        .client
        .get(app.url(&format!("/badge/{}", w.event_id)))
        .header(reqwest::header::COOKIE, format!("sponsorhub_session={}", me.token))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("has been revoked") && !page.contains("<svg role"), "{page}");
    app.stop().await;
}

async fn sponsors_receive_the_fields_the_organizer_shares(app: TestApp) {
    let w = world(&app).await;
    let org = Some(w.organizer.token.as_str());
    let event_path = format!("/api/v1/organizations/{}/events/{}", w.organizer.org_id, w.event_id);
    let (_, ada) = app
        .post(
            &attendees_path(&w, ""),
            org,
            json!({"name": "Ada", "email": "ada@corp.io", "company": "Corp", "title": "CTO", "phone": "+1 555",
                   "country": "UK", "custom_fields": {"diet": "vegan", "shirt": "M"}}),
        )
        .await;
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;

    // the organizer shares the e-mail address, the phone and one custom field
    let (status, event) = app
        .patch(
            &event_path,
            org,
            json!({"shared_attendee_fields": {"email": true, "phone": true, "custom_fields": ["diet"]}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{event}");
    assert_eq!(event["shared_attendee_fields"]["custom_fields"], json!(["diet"]));
    let (status, lead) = capture(&app, &w, &rep.token, ada["badge_code"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::CREATED, "{lead}");
    assert_eq!(lead["user_email"], "ada@corp.io");
    assert_eq!(lead["user_phone"], "+1 555");
    assert_eq!(lead["user_fields"], json!({"diet": "vegan"}));
    assert!(lead["user_title"].is_null() && lead["user_country"].is_null(), "{lead}");
    assert_eq!(lead["attendee_id"], ada["id"]);
    // lists and GraphQL carry the same
    let (_, list) = app.get(&w.leads_path(""), Some(&rep.token)).await;
    assert_eq!(list["items"][0]["user_fields"], json!({"diet": "vegan"}), "{list}");
    let q = gql(
        &app,
        &rep.token,
        "query($s: ID!) { sponsorLeads(sponsorId: $s) { items { userPhone userFields } } }",
        json!({"s": w.sponsor_id}),
    )
    .await;
    assert_eq!(q["data"]["sponsorLeads"]["items"][0]["userFields"], json!({"diet": "vegan"}), "{q}");

    // a bad setting is refused at its field
    let (status, body) = app.patch(&event_path, org, json!({"shared_attendee_fields": {"custom_fields": [""]}})).await;
    assert_problem(status, &body, 422);
    assert_eq!(body["errors"][0]["field"], "shared_attendee_fields.custom_fields", "{body}");
    app.stop().await;
}

/// Runs a poppler tool (installed by scripts/test) and fails loudly without it.
fn poppler(tool: &str, args: &[&str]) -> std::process::Output {
    let out = std::process::Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} is missing ({e}): ./scripts/test installs Debian's poppler-utils"));
    assert!(out.status.success(), "{tool}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

/// Every QR code on every page of the PDF, page by page.
fn qr_codes_of_pdf(pdf: &[u8]) -> Vec<Vec<String>> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("badges.pdf");
    std::fs::write(&file, pdf).unwrap();
    let prefix = dir.path().join("page");
    poppler("pdftoppm", &["-r", "150", "-gray", "-png", file.to_str().unwrap(), prefix.to_str().unwrap()]);
    let mut pages: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "png"))
        .collect();
    pages.sort();
    pages
        .iter()
        .map(|p| {
            let img = image::open(p).unwrap().to_luma8();
            let mut prepared = rqrr::PreparedImage::prepare(img);
            let mut codes: Vec<String> = prepared.detect_grids().iter().map(|g| g.decode().unwrap().1).collect();
            codes.sort();
            codes
        })
        .collect()
}

async fn printable_badges_read_back(app: TestApp) {
    let w = world(&app).await;
    let org = Some(w.organizer.token.as_str());
    let (_, made) = app
        .post(
            &attendees_path(&w, "/bulk"),
            org,
            json!({"attendees": [
                {"name": "Grace Hopper", "email": "grace@navy.mil", "company": "US Navy"},
                {"name": "Maximiliane Wilhelmina Josephine von Lichtenstein-Hohenzollern", "email": "max@example.de"},
                {"name": "Revoked Person", "email": "gone@example.com"},
            ]}),
        )
        .await;
    let code = |i: usize| made["attendees"][i]["badge_code"].as_str().unwrap().to_string();
    let gone = made["attendees"][2]["id"].as_str().unwrap();
    let (status, _) = app.post(&attendees_path(&w, &format!("/{gone}/badge/revoke")), org, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let fetch = |query: String, token: String| {
        let url = app.url(&attendees_path(&w, &format!("/badges.pdf{query}")));
        let client = app.client.clone();
        async move { client.get(url).bearer_auth(token).send().await.unwrap() }
    };

    // A6: a page per valid badge, each QR decodable to its code, the names printed
    let res = fetch(String::new(), w.organizer.token.clone()).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let pdf = res.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    assert_eq!(qr_codes_of_pdf(&pdf), vec![vec![code(0)], vec![code(1)]]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("b.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let text = String::from_utf8(poppler("pdftotext", &[file.to_str().unwrap(), "-"]).stdout).unwrap();
    assert!(text.contains("Grace Hopper") && text.contains("US Navy") && text.contains("RustConf"), "{text}");
    assert!(!text.contains("Revoked Person"), "{text}");

    // labels: both on one A4 page; a chosen one alone
    let res = fetch("?layout=labels".into(), w.organizer.token.clone()).await;
    let mut both = vec![code(0), code(1)];
    both.sort();
    assert_eq!(qr_codes_of_pdf(&res.bytes().await.unwrap()), vec![both]);
    let first = made["attendees"][0]["id"].as_str().unwrap();
    let res = fetch(format!("?ids={first}"), w.organizer.token.clone()).await;
    assert_eq!(qr_codes_of_pdf(&res.bytes().await.unwrap()), vec![vec![code(0)]]);
    let res = fetch("?ids=not-an-id".into(), w.organizer.token.clone()).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // the sponsor's staff cannot print badges
    let (admin, _) = join_staff(&app, &w, &w.sponsor_id, "admin@ferris.io", "admin").await;
    let res = fetch(String::new(), admin.token.clone()).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    app.stop().await;
}

async fn import(app: &TestApp, w: &common::World, csv: &str, dry_run: bool) -> (StatusCode, Value) {
    let res = app
        .client
        .post(app.url(&attendees_path(w, &format!("/import?dry_run={dry_run}"))))
        .bearer_auth(&w.organizer.token)
        .header("content-type", "text/csv")
        .body(csv.to_string())
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap())
}

async fn csv_imports_preview_every_bad_row_and_write_all_or_nothing(app: TestApp) {
    let w = world(&app).await;
    let org = Some(w.organizer.token.as_str());
    // a BOM, as Excel writes it; quoted commas; an extra column; two bad rows
    let bad = "\u{feff}Name,Email,Company,Diet\n\
               Ada Lovelace,ada@corp.io,\"Engines, Ltd\",vegan\n\
               ,nobody@corp.io,Corp,\n\
               Bob,not-an-address,Corp,\n\
               Carol,carol@corp.io,,\n";
    let (status, preview) = import(&app, &w, bad, true).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!((preview["rows"].clone(), preview["valid"].clone()), (json!(4), json!(2)), "{preview}");
    let errors: Vec<(i64, &str)> = preview["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_i64().unwrap(), e["column"].as_str().unwrap()))
        .collect();
    assert_eq!(errors, [(3, "name"), (4, "email")], "{preview}");
    assert_eq!(preview["imported"], false);
    // importing it writes nothing
    let (status, body) = import(&app, &w, bad, false).await;
    assert_problem(status, &body, 422);
    assert_eq!(body["errors"][0]["field"], "rows[3].name", "{body}");
    let (_, page) = app.get(&attendees_path(&w, ""), org).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 0, "nothing half written");

    // fixed, with semicolons as European spreadsheets write them
    let good = "name;email;company;diet\nAda Lovelace;ada@corp.io;Engines;vegan\nCarol;carol@corp.io;;\n";
    let (status, done) = import(&app, &w, good, false).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!((done["created"].clone(), done["imported"].clone()), (json!(2), json!(true)), "{done}");
    let (_, page) = app.get(&attendees_path(&w, "?search=ada"), org).await;
    assert_eq!(page["items"][0]["custom_fields"], json!({"diet": "vegan"}), "{page}");
    assert!(page["items"][0]["badge_code"].is_string());
    // again: matched by address, updated
    let (_, again) = import(&app, &w, good, false).await;
    assert_eq!((again["created"].clone(), again["updated"].clone()), (json!(0), json!(2)), "{again}");

    // not CSV, not UTF-8, no usable header
    let res = app
        .client
        .post(app.url(&attendees_path(&w, "/import")))
        .bearer_auth(&w.organizer.token)
        .header("content-type", "application/json")
        .body("[]")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let res = app
        .client
        .post(app.url(&attendees_path(&w, "/import")))
        .bearer_auth(&w.organizer.token)
        .header("content-type", "text/csv")
        .body(b"name,email\n\xe9t\xe9,a@b.io\n".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (status, body) = import(&app, &w, "first,last\nA,B\n", true).await;
    assert_problem(status, &body, 422);
    app.stop().await;
}
