//! Lead export (issue 14, item 1), on SQLite and PostgreSQL: CSV and XLSX with the
//! lead list's filters, the shared fields, points per interaction type, answers,
//! consent and capturer; formulas neutralized; who may export; every export
//! recorded; the organizer's export of a whole event.

mod common;

use common::{another_sponsor, join_staff, world};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sponsorhub_testkit::{TestApp, assert_problem, dual_backend};
use std::time::{Duration, Instant};

dual_backend!(sponsors_export_their_leads_as_csv_and_xlsx, organizers_export_an_event);

async fn download(app: &TestApp, token: &str, path: &str) -> (StatusCode, String, Vec<u8>) {
    let res = app.client.get(app.url(path)).bearer_auth(token).send().await.unwrap();
    let status = res.status();
    let kind = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (status, kind, res.bytes().await.unwrap().to_vec())
}

fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes);
    r.records().map(|rec| rec.unwrap().iter().map(str::to_string).collect()).collect()
}

fn col(rows: &[Vec<String>], name: &str) -> usize {
    rows[0].iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}: {:?}", rows[0]))
}

async fn sponsors_export_their_leads_as_csv_and_xlsx(app: TestApp) {
    let w = world(&app).await;
    let org = w.organizer.token.as_str();
    let event_path = format!("/api/v1/organizations/{}/events/{}", w.organizer.org_id, w.event_id);
    let (status, _) = app
        .patch(&event_path, Some(org), json!({"shared_attendee_fields": {"email": true, "custom_fields": ["diet"]}}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, ada) = app
        .post(&format!("{event_path}/attendees"), Some(org), json!({"name": "Ada", "email": "ada@x.io", "company": "Engines", "custom_fields": {"diet": "vegan", "secret": "no"}}))
        .await;
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let (booth, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let (_, q) = app
        .post(
            &format!("/api/v1/sponsors/sponsors/{}/questions", w.sponsor_id),
            Some(org),
            json!({"kind": "text", "prompt": "Use case"}),
        )
        .await;
    // Ada: scanned twice and a demo request; answered; hot
    for kind in ["qr_scan", "qr_scan", "demo_request", "direct_request"] {
        let (status, _) = app
            .post(
                &w.capture_path(),
                Some(&rep.token),
                json!({"interaction_type": kind, "badge_code": ada["badge_code"]}),
            )
            .await;
        assert!(status.is_success());
    }
    let (_, leads) = app.get(&w.leads_path("?search=ada"), Some(&rep.token)).await;
    let ada_lead = leads["items"][0]["id"].as_str().unwrap().to_string();
    let (status, _) = app
        .put(
            &w.leads_path(&format!("/{ada_lead}/answers")),
            Some(&rep.token),
            json!({"answers": [{"question_id": q["id"], "value": "SSO"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) =
        app.patch(&w.leads_path(&format!("/{ada_lead}")), Some(&rep.token), json!({"tags": ["vip", "sso"]})).await;
    assert_eq!(status, StatusCode::OK);
    // a typed lead whose name a spreadsheet would run as a formula
    let (status, _) = app
        .post(&w.capture_path(), Some(&rep.token), json!({"interaction_type": "booth_visit", "attendee": {"email": "evil@x.io", "name": "=HYPERLINK(\"http://x\")"}}))
        .await;
    assert_eq!(status, StatusCode::CREATED);

    let export = format!("/api/v1/sponsors/sponsors/{}/leads/export", w.sponsor_id);
    // who may: staff with can_export_leads and organizers; other staff 403; outsiders 404
    let (status, _, body) = download(&app, &booth.token, &export).await;
    assert_problem(status, &serde_json::from_slice(&body).unwrap(), 403);
    let stranger = app.signup("stranger@else.io", "Else").await;
    let (status, _, body) = download(&app, &stranger.token, &export).await;
    assert_problem(status, &serde_json::from_slice(&body).unwrap(), 404);

    let (status, kind, body) = download(&app, &rep.token, &format!("{export}?sort=score")).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    assert_eq!(kind, "text/csv; charset=utf-8");
    let rows = csv_rows(&body);
    assert_eq!(rows.len(), 3, "a header and two leads: {rows:?}");
    for name in [
        "Name",
        "Company",
        "E-mail",
        "diet",
        "Score",
        "Level",
        "Status",
        "Tags",
        "Starred",
        "First interaction",
        "Interactions",
        "Points: qr_scan",
        "Points: demo_request",
        "Use case",
        "Consent basis",
        "Captured by",
    ] {
        col(&rows, name);
    }
    assert!(!rows[0].iter().any(|h| h == "secret"), "custom fields the event does not share stay out");
    let ada_row = &rows[1];
    assert_eq!(ada_row[col(&rows, "Name")], "Ada");
    assert_eq!(ada_row[col(&rows, "diet")], "vegan");
    assert_eq!(ada_row[col(&rows, "Score")], "100");
    assert_eq!(ada_row[col(&rows, "Level")], "hot");
    assert_eq!(ada_row[col(&rows, "Interactions")], "4");
    assert_eq!(ada_row[col(&rows, "Points: qr_scan")], "25", "10, then 10 + 5");
    assert_eq!(ada_row[col(&rows, "Use case")], "SSO");
    assert_eq!(ada_row[col(&rows, "Consent basis")], "badge_scan");
    assert_eq!(ada_row[col(&rows, "Captured by")], "rep", "the capturer's name");
    assert!(ada_row[col(&rows, "First interaction")].ends_with('Z'));
    assert_eq!(ada_row[col(&rows, "Tags")], "vip, sso");
    assert_eq!(rows[2][col(&rows, "Name")], "'=HYPERLINK(\"http://x\")", "neutralized");
    // nothing of Ada's row carries over into the next (the SQLite reader reuses
    // one row's buffers)
    for (column, empty) in
        [("diet", ""), ("Tags", ""), ("Use case", ""), ("Points: qr_scan", "0"), ("Points: booth_visit", "10")]
    {
        assert_eq!(rows[2][col(&rows, column)], empty, "{column} of the second lead: {:?}", rows[2]);
    }
    // the list's filters apply; a BOM for Excel on request
    let (_, _, body) = download(&app, &rep.token, &format!("{export}?intent_level=hot&bom=true")).await;
    assert!(body.starts_with("\u{feff}".as_bytes()));
    assert_eq!(csv_rows(&body[3..]).len(), 2, "Ada alone is hot");
    // filters that bind text, numbers and times (the SQLite export reads on a
    // connection of its own, binding them as sqlx would)
    let (_, _, body) = download(&app, &rep.token, &format!("{export}?search=ADA&min_score=50")).await;
    assert_eq!(csv_rows(&body).len(), 2, "Ada alone matches");
    let past = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let (_, _, body) = download(&app, &rep.token, &format!("{export}?updated_since={past}")).await;
    assert_eq!(csv_rows(&body).len(), 3, "both leads changed in the last hour");
    let future = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let (_, _, body) = download(&app, &rep.token, &format!("{export}?updated_since={future}")).await;
    assert_eq!(csv_rows(&body).len(), 1, "the header alone");
    let (status, _, body) = download(&app, &rep.token, &format!("{export}?intent_level=boiling")).await;
    assert_problem(status, &serde_json::from_slice(&body).unwrap(), 422);
    // a selection: only the leads named
    let (status, _, body) = download(&app, &rep.token, &format!("{export}?ids={ada_lead}")).await;
    assert_eq!(status, StatusCode::OK);
    let picked = csv_rows(&body);
    assert_eq!((picked.len(), picked[1][col(&picked, "Name")].as_str()), (2, "Ada"));
    let (status, _, body) = download(&app, &rep.token, &format!("{export}?ids=ada")).await;
    assert_problem(status, &serde_json::from_slice(&body).unwrap(), 422);

    // XLSX: a header row, dates as dates
    let (status, kind, body) = download(&app, org, &format!("{export}?format=xlsx&sort=score")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kind, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(body)).unwrap();
    let sheet = book.worksheet_range("Leads").unwrap();
    let header: Vec<String> = sheet.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(header, rows[0], "the same columns as the CSV");
    assert_eq!(sheet.height(), 3);
    let first = header.iter().position(|h| h == "First interaction").unwrap();
    assert!(matches!(sheet.get((1, first)), Some(Data::DateTime(_))), "{:?}", sheet.get((1, first)));
    let score = header.iter().position(|h| h == "Score").unwrap();
    assert_eq!(sheet.get((1, score)), Some(&Data::Float(100.0)));

    // every export is recorded, for sponsor admins and organizers
    let exports = format!("/api/v1/sponsors/sponsors/{}/leads/exports", w.sponsor_id);
    let (status, body) = app.get(&exports, Some(&rep.token)).await;
    assert_problem(status, &body, 403);
    let started = Instant::now();
    let list = loop {
        let (status, list) = app.get(&exports, Some(org)).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        if list["items"].as_array().unwrap().len() >= 7 || started.elapsed() > Duration::from_secs(10) {
            break list;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 7, "{list}");
    let xlsx = items.iter().find(|e| e["format"] == "xlsx").unwrap();
    assert_eq!((xlsx["row_count"].clone(), xlsx["completed"].clone()), (json!(2), json!(true)));
    let hot = items.iter().find(|e| e["filters"]["intent_level"] == "hot").unwrap();
    assert_eq!((hot["row_count"].clone(), hot["user_name"].clone()), (json!(1), json!("rep")), "{hot}");

    // the dashboard's Export buttons take what its filters show; staff who may
    // not export have none
    let page = |token: String| {
        app.client
            .get(app.url(&format!("/portal/sponsors/{}/leads?intent_level=hot&sort=score", w.sponsor_id)))
            .header("cookie", format!("sponsorhub_session={token}"))
            .send()
    };
    let html = page(rep.token.clone()).await.unwrap().text().await.unwrap();
    let href = format!("{export}?intent_level=hot&#38;sort=score&#38;format=xlsx");
    assert!(html.contains(&href), "{href} in {html}");
    let html = page(booth.token.clone()).await.unwrap().text().await.unwrap();
    assert!(!html.contains("Export CSV"));
    // the link works with the session cookie
    let res = app
        .client
        .get(app.url(&format!("{export}?intent_level=hot&format=csv")))
        .header("cookie", format!("sponsorhub_session={}", rep.token))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    app.stop().await;
}

async fn organizers_export_an_event(app: TestApp) {
    let w = world(&app).await;
    let org = w.organizer.token.as_str();
    let other = another_sponsor(&app, &w, "Crab Co").await;
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let (crab, _) = join_staff(&app, &w, &other, "rep@crab.io", "representative").await;
    let capture = |sponsor: &str| format!("/api/v1/sponsors/events/{}/sponsors/{sponsor}/capture-lead", w.event_id);
    for (token, sponsor, email) in
        [(&rep.token, &w.sponsor_id, "a@x.io"), (&crab.token, &other, "b@x.io"), (&crab.token, &other, "c@x.io")]
    {
        let (status, _) = app
            .post(
                &capture(sponsor),
                Some(token),
                json!({"interaction_type": "booth_visit", "attendee": {"email": email}}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    // one answer, shown with its question's prompt in the event-wide column
    let (_, q) = app
        .post(
            &format!("/api/v1/sponsors/sponsors/{other}/questions"),
            Some(org),
            json!({"kind": "text", "prompt": "Budget"}),
        )
        .await;
    let (_, leads) =
        app.get(&format!("/api/v1/sponsors/sponsors/{other}/leads?search=b%40x.io"), Some(&crab.token)).await;
    let lead = leads["items"][0]["id"].as_str().unwrap().to_string();
    let (status, _) = app
        .put(
            &format!("/api/v1/sponsors/sponsors/{other}/leads/{lead}/answers"),
            Some(&crab.token),
            json!({"answers": [{"question_id": q["id"], "value": "10k"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let export = format!("/api/v1/organizations/{}/events/{}/leads/export", w.organizer.org_id, w.event_id);
    let (status, _, body) = download(&app, &rep.token, &export).await;
    let problem: Value = serde_json::from_slice(&body).unwrap();
    assert!(status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN, "{status} {problem}");
    let (status, _, body) = download(&app, org, &export).await;
    assert_eq!(status, StatusCode::OK);
    let rows = csv_rows(&body);
    assert_eq!(rows[0][0], "Sponsor");
    let mut sponsors: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    sponsors.sort();
    assert_eq!(sponsors, ["Crab Co", "Crab Co", "Ferris Inc"]);
    let answers = col(&rows, "Answers");
    let mut given: Vec<&str> = rows[1..].iter().map(|r| r[answers].as_str()).collect();
    given.sort();
    assert_eq!(given, ["", "", "Budget: 10k"]);
    app.stop().await;
}
