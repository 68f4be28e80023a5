//! Attendee files (issue 13, item 1), on SQLite and PostgreSQL: XLSX workbooks
//! beside CSV, and large files imported as a job whose progress is what is
//! committed; a file with bad rows is refused whole, each bad row reported.

mod common;

use common::{join_staff, world};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sponsorhub_testkit::{TestApp, assert_problem, dual_backend};
use std::time::{Duration, Instant};

dual_backend!(xlsx_workbooks_import_like_csv, large_files_import_as_a_job_with_progress);

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn attendees_path(w: &common::World, rest: &str) -> String {
    format!("/api/v1/organizations/{}/events/{}/attendees{rest}", w.organizer.org_id, w.event_id)
}

async fn upload(app: &TestApp, token: &str, path: &str, content_type: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let res = app
        .client
        .post(app.url(path))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn workbook(rows: &[&[&str]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            // numbers as numbers, as a spreadsheet keeps a phone number typed in
            match cell.parse::<f64>() {
                Ok(n) => sheet.write_number(r as u32, c as u16, n).unwrap(),
                Err(_) => sheet.write_string(r as u32, c as u16, *cell).unwrap(),
            };
        }
    }
    wb.save_to_buffer().unwrap()
}

async fn xlsx_workbooks_import_like_csv(app: TestApp) {
    let w = world(&app).await;
    let org = w.organizer.token.as_str();
    let bad = workbook(&[
        &["Name", "E-mail", "Phone", "Diet"],
        &["Grace Hopper", "grace@navy.mil", "4930123456", "none"],
        &["", "nameless@x.io", "", ""],
        &["Alan", "not-an-address", "", ""],
    ]);
    // the E-mail column is not "email": refused for want of an address column
    let (status, body) = upload(&app, org, &attendees_path(&w, "/import?dry_run=true"), XLSX, bad).await;
    assert_problem(status, &body, 422);
    assert_eq!(body["errors"][0]["field"], "file", "{body}");
    let bad = workbook(&[
        &["Name", "Email", "Phone", "Diet"],
        &["Grace Hopper", "grace@navy.mil", "4930123456", "none"],
        &["", "nameless@x.io", "", ""],
        &["Alan", "not-an-address", "", ""],
    ]);
    let (status, preview) = upload(&app, org, &attendees_path(&w, "/import?dry_run=true"), XLSX, bad.clone()).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    let errors: Vec<(i64, &str)> = preview["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_i64().unwrap(), e["column"].as_str().unwrap()))
        .collect();
    assert_eq!(errors, [(3, "name"), (4, "email")], "{preview}");
    // the type comes from the content, whatever the header says
    let (status, body) = upload(&app, org, &attendees_path(&w, "/import"), "application/octet-stream", bad).await;
    assert_problem(status, &body, 422);
    let good =
        workbook(&[&["Name", "Email", "Phone", "Diet"], &["Grace Hopper", "grace@navy.mil", "4930123456", "none"]]);
    let (status, done) = upload(&app, org, &attendees_path(&w, "/import"), XLSX, good).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["created"], 1);
    let (_, page) = app.get(&attendees_path(&w, "?search=grace"), Some(org)).await;
    let grace = &page["items"][0];
    assert_eq!(
        (grace["phone"].clone(), grace["custom_fields"].clone()),
        (json!("4930123456"), json!({"diet": "none"})),
        "{grace}"
    );
    // a zip that is no workbook
    let (status, body) = upload(&app, org, &attendees_path(&w, "/import"), XLSX, b"PK\x03\x04garbage".to_vec()).await;
    assert_problem(status, &body, 422);
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("XLSX"), "{body}");
    app.stop().await;
}

async fn large_files_import_as_a_job_with_progress(app: TestApp) {
    let w = world(&app).await;
    let org = w.organizer.token.as_str();
    let jobs = attendees_path(&w, "/imports");
    // 2,500 rows: three chunks
    let mut csv = String::from("platform_id,name,email,company\n");
    for i in 0..2_500 {
        csv.push_str(&format!("p-{i},Attendee {i},a{i}@corp.io,Corp {}\n", i % 7));
    }
    // two bad rows: refused whole, both reported, nothing written
    let mut bad = csv.clone();
    bad.push_str(",No Id,,Corp\nX,Bad Mail,bad@,Corp\n");
    let (status, body) = upload(&app, org, &jobs, "text/csv", bad.into_bytes()).await;
    assert_problem(status, &body, 422);
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["rows[2502].email", "rows[2503].email"], "{body}");
    let (_, page) = app.get(&attendees_path(&w, "?limit=1"), Some(org)).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 0, "nothing written");

    // staff may not import; another organization's event is missing
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let (status, body) = upload(&app, &rep.token, &jobs, "text/csv", csv.clone().into_bytes()).await;
    assert!(status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN, "{status} {body}");

    let (status, job) =
        upload(&app, org, &format!("{jobs}?file_name=attendees.csv"), "text/csv", csv.clone().into_bytes()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    assert_eq!((job["total_rows"].clone(), job["file_name"].clone()), (json!(2500), json!("attendees.csv")));
    let path = format!("{jobs}/{}", job["id"].as_str().unwrap());
    let started = Instant::now();
    let done = loop {
        let (status, now) = app.get(&path, Some(org)).await;
        assert_eq!(status, StatusCode::OK, "{now}");
        let processed = now["processed_rows"].as_i64().unwrap();
        assert!(processed % 1000 == 0 || processed == 2500, "progress moves by committed chunks: {now}");
        if now["status"] != "running" {
            break now;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "the import did not end: {now}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(
        (done["processed_rows"].clone(), done["created_count"].clone(), done["percent"].clone()),
        (json!(2500), json!(2500), json!(100))
    );
    let (_, page) = app.get(&attendees_path(&w, "?search=attendee%202499"), Some(org)).await;
    assert_eq!(page["items"][0]["platform_id"], "p-2499", "{page}");
    // again: every row updated, none doubled
    let (_, job) = upload(&app, org, &jobs, "text/csv", csv.into_bytes()).await;
    let path = format!("{jobs}/{}", job["id"].as_str().unwrap());
    let again = loop {
        let (_, now) = app.get(&path, Some(org)).await;
        if now["status"] != "running" {
            break now;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!((again["created_count"].clone(), again["updated_count"].clone()), (json!(0), json!(2500)), "{again}");

    // more than 16 MiB is refused before it is read: the answer comes on the
    // headers alone
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let url = reqwest::Url::parse(&app.url(&jobs)).unwrap();
    let mut tcp = tokio::net::TcpStream::connect((url.host_str().unwrap(), url.port().unwrap())).await.unwrap();
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {org}\r\nContent-Type: text/csv\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        url.path(),
        17 * 1024 * 1024
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 64];
    let n = tcp.read(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]).to_string();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    app.stop().await;
}
