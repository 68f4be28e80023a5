//! GraphQL for what REST had alone (issue 16), on SQLite and PostgreSQL: a
//! booth's content items (listed, renamed, removed; uploads stay REST), the
//! staff's presence at the booth, and an event's service tokens (listed,
//! issued with the secret shown once, revoked), each refused to the wrong
//! caller with the `extensions.code` of the REST outcome.

mod common;

use common::{another_sponsor, join_staff, world};
use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use serde_json::{Value, json};
use sponsorhub_testkit::{TestApp, dual_backend};

dual_backend!(booth_content_items_over_graphql, booth_presence_over_graphql, service_tokens_over_graphql,);

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// Runs a GraphQL request as `token`: `data` and the first error's code.
async fn gql(app: &TestApp, token: &str, query: &str, variables: Value) -> (Value, Option<String>) {
    let body = common::gql(app, token, query, variables).await;
    let code = body["errors"][0]["extensions"]["code"].as_str().map(str::to_string);
    (body["data"].clone(), code)
}

async fn ok(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    let (data, code) = gql(app, token, query, variables).await;
    assert_eq!(code, None, "{query}: {data}");
    data
}

async fn refused(app: &TestApp, token: &str, query: &str, variables: Value, code: &str) {
    let (data, got) = gql(app, token, query, variables).await;
    assert_eq!(got.as_deref(), Some(code), "{query}: {data}");
}

/// Uploads a PDF to the sponsor's booth over REST (the only way files arrive).
async fn upload(app: &TestApp, token: &str, sponsor: &str, file_name: &str) -> Value {
    let res = app
        .client
        .post(app.url(&format!("/api/v1/sponsors/sponsors/{sponsor}/booth/content")))
        .query(&[("file_name", file_name)])
        .bearer_auth(token)
        .header(CONTENT_TYPE, "application/octet-stream")
        .body(PDF.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

const LIST: &str = "query($s: ID!) { boothContentItems(sponsorId: $s) { id sponsorId title fileName contentType byteSize downloadUrl } }";
const RENAME: &str =
    "mutation($s: ID!, $i: ID!, $t: String!) { renameBoothContentItem(sponsorId: $s, id: $i, title: $t) { id title } }";
const REMOVE: &str = "mutation($s: ID!, $i: ID!) { removeBoothContentItem(sponsorId: $s, id: $i) }";

async fn booth_content_items_over_graphql(app: TestApp) {
    let w = world(&app).await;
    let (admin, _) = join_staff(&app, &w, &w.sponsor_id, "admin@ferris.io", "admin").await;
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let crab = another_sponsor(&app, &w, "Crab Co").await;
    let (crab_admin, _) = join_staff(&app, &w, &crab, "admin@crab.io", "admin").await;
    let item = upload(&app, &admin.token, &w.sponsor_id, "brochure.pdf").await;
    let id = item["id"].as_str().unwrap();
    let s = json!({"s": w.sponsor_id});

    // the sponsor's staff and the organizers list them, as over REST
    for who in [&admin, &rep, &w.organizer] {
        let data = ok(&app, &who.token, LIST, s.clone()).await;
        let items = data["boothContentItems"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{}: {data}", who.email);
        assert_eq!(items[0]["id"], id);
        assert_eq!(
            (items[0]["fileName"].as_str(), items[0]["contentType"].as_str()),
            (Some("brochure.pdf"), Some("application/pdf"))
        );
        assert_eq!(items[0]["byteSize"], PDF.len());
        let url = items[0]["downloadUrl"].as_str().unwrap();
        assert!(url.ends_with(&format!("/directory/{}/sponsors/{}/content/{id}", w.event_id, w.sponsor_id)), "{url}");
    }
    // another sponsor's staff: as if there were no such sponsor
    refused(&app, &crab_admin.token, LIST, s.clone(), "NOT_FOUND").await;

    // staff who manage the booth and organizers rename; a representative may not
    let v = |t: &str| json!({"s": w.sponsor_id, "i": id, "t": t});
    refused(&app, &rep.token, RENAME, v("Mine now"), "FORBIDDEN").await;
    refused(&app, &crab_admin.token, RENAME, v("Mine now"), "NOT_FOUND").await;
    refused(&app, &admin.token, RENAME, v(""), "BAD_USER_INPUT").await;
    let data = ok(&app, &admin.token, RENAME, v("The 2026 brochure")).await;
    assert_eq!(data["renameBoothContentItem"]["title"], "The 2026 brochure");
    let data = ok(&app, &w.organizer.token, RENAME, v("Brochure")).await;
    assert_eq!(data["renameBoothContentItem"]["title"], "Brochure");
    // the item through another sponsor is missing
    let wrong = json!({"s": crab, "i": id, "t": "x"});
    refused(&app, &crab_admin.token, RENAME, wrong, "NOT_FOUND").await;

    // remove: the same rule; then it is gone, and gone again is NOT_FOUND
    let v = json!({"s": w.sponsor_id, "i": id});
    refused(&app, &rep.token, REMOVE, v.clone(), "FORBIDDEN").await;
    let data = ok(&app, &admin.token, REMOVE, v.clone()).await;
    assert_eq!(data["removeBoothContentItem"], true);
    refused(&app, &admin.token, REMOVE, v, "NOT_FOUND").await;
    let data = ok(&app, &admin.token, LIST, s).await;
    assert_eq!(data["boothContentItems"], json!([]));
    let res = app
        .client
        .get(app.url(&format!("/api/v1/sponsors/sponsors/{}/booth/content/{id}/file", w.sponsor_id)))
        .bearer_auth(&admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "the file went with it");
    app.stop().await;
}

const MINE: &str = "query($s: ID!) { myBoothPresence(sponsorId: $s) { sponsorId atBooth until staffAtBooth } }";
const SET: &str =
    "mutation($s: ID!, $a: Boolean!) { setBoothPresence(sponsorId: $s, atBooth: $a) { atBooth until staffAtBooth } }";

async fn booth_presence_over_graphql(app: TestApp) {
    let w = world(&app).await;
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let crab = another_sponsor(&app, &w, "Crab Co").await;
    let (crab_admin, _) = join_staff(&app, &w, &crab, "admin@crab.io", "admin").await;
    let s = json!({"s": w.sponsor_id});

    let data = ok(&app, &rep.token, MINE, s.clone()).await;
    assert_eq!(data["myBoothPresence"]["atBooth"], false, "{data}");
    assert_eq!(data["myBoothPresence"]["until"], json!(null));
    let data = ok(&app, &rep.token, SET, json!({"s": w.sponsor_id, "a": true})).await;
    assert_eq!(data["setBoothPresence"]["atBooth"], true, "{data}");
    assert!(data["setBoothPresence"]["until"].is_string());
    assert_eq!(data["setBoothPresence"]["staffAtBooth"], json!(["rep"]), "the first word of the name: {data}");
    // REST says the same
    let (status, rest) =
        app.get(&format!("/api/v1/sponsors/sponsors/{}/booth/presence", w.sponsor_id), Some(&rep.token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rest["at_booth"], true, "{rest}");
    let data = ok(&app, &rep.token, SET, json!({"s": w.sponsor_id, "a": false})).await;
    assert_eq!(
        (data["setBoothPresence"]["atBooth"].as_bool(), data["setBoothPresence"]["staffAtBooth"].clone()),
        (Some(false), json!([]))
    );

    // organizers off the staff may not stand at the booth; other sponsors' staff find no sponsor
    refused(&app, &w.organizer.token, SET, json!({"s": w.sponsor_id, "a": true}), "FORBIDDEN").await;
    refused(&app, &w.organizer.token, MINE, s.clone(), "FORBIDDEN").await;
    refused(&app, &crab_admin.token, SET, json!({"s": w.sponsor_id, "a": true}), "NOT_FOUND").await;
    refused(&app, &crab_admin.token, MINE, s, "NOT_FOUND").await;
    app.stop().await;
}

const TOKENS: &str =
    "query($e: ID!) { eventServiceTokens(eventId: $e) { id eventId name createdAt lastUsedAt revokedAt } }";
const ISSUE: &str = "mutation($e: ID!, $n: String!) { issueEventServiceToken(eventId: $e, name: $n) { id eventId name createdAt secret } }";
const REVOKE: &str = "mutation($e: ID!, $i: ID!) { revokeEventServiceToken(eventId: $e, id: $i) { id revokedAt } }";

async fn service_tokens_over_graphql(app: TestApp) {
    let w = world(&app).await;
    let (admin, _) = join_staff(&app, &w, &w.sponsor_id, "admin@ferris.io", "admin").await;
    let outsider = app.signup("eve@other-events.io", "Other Events").await;
    let e = json!({"e": w.event_id});
    let org = w.organizer.token.as_str();

    // organizers issue one; the secret is in that answer only
    refused(&app, &admin.token, ISSUE, json!({"e": w.event_id, "n": "Platform"}), "NOT_FOUND").await;
    refused(&app, &outsider.token, ISSUE, json!({"e": w.event_id, "n": "Platform"}), "NOT_FOUND").await;
    refused(&app, org, ISSUE, json!({"e": w.event_id, "n": ""}), "BAD_USER_INPUT").await;
    let data = ok(&app, org, ISSUE, json!({"e": w.event_id, "n": "Platform sessions"})).await;
    let issued = &data["issueEventServiceToken"];
    let secret = issued["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("shs_") && secret.len() > 40, "{secret}");
    assert_eq!(
        (issued["name"].as_str(), issued["eventId"].as_str()),
        (Some("Platform sessions"), Some(w.event_id.as_str()))
    );
    let id = issued["id"].as_str().unwrap().to_string();

    // listed without the secret, for organizers only
    let data = ok(&app, org, TOKENS, e.clone()).await;
    let list = &data["eventServiceTokens"];
    assert_eq!(list[0]["id"], id.as_str(), "{data}");
    assert_eq!((list[0]["lastUsedAt"].clone(), list[0]["revokedAt"].clone()), (json!(null), json!(null)));
    assert!(!data.to_string().contains(&secret[4..]), "no secret in the list");
    refused(&app, &admin.token, TOKENS, e.clone(), "NOT_FOUND").await;

    // the platform uses it; then it shows when it was last used
    let (status, _) = app
        .post(
            &format!("/api/v1/organizations/{}/events/{}/attendees", w.organizer.org_id, w.event_id),
            Some(org),
            json!({"name": "Ada", "email": "ada@visitors.io"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let report = format!("/api/v1/sponsors/events/{}/session-attendance", w.event_id);
    let body =
        json!({"sponsor_id": w.sponsor_id, "attendee": {"email": "ada@visitors.io"}, "session_title": "Keynote"});
    let (status, receipt) = app.post(&report, Some(&secret), body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{receipt}");
    let data = ok(&app, org, TOKENS, e.clone()).await;
    assert!(data["eventServiceTokens"][0]["lastUsedAt"].is_string(), "{data}");

    // revoke: organizers only; an unknown id is NOT_FOUND; the token stops at once
    let v = json!({"e": w.event_id, "i": id});
    refused(&app, &admin.token, REVOKE, v.clone(), "NOT_FOUND").await;
    refused(&app, org, REVOKE, json!({"e": w.event_id, "i": w.sponsor_id}), "NOT_FOUND").await;
    let data = ok(&app, org, REVOKE, v).await;
    assert!(data["revokeEventServiceToken"]["revokedAt"].is_string(), "{data}");
    let (status, _) = app.post(&report, Some(&secret), body).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}
