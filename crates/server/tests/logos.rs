//! Uploaded sponsor logos over HTTP, on SQLite and PostgreSQL: the type told from
//! the content, SVG sanitized, the size limit, who may upload, the public URL and
//! its headers, the fallback to the logo URL, and the console's edit form.

mod common;

use common::{another_sponsor, join_staff, world};
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, COOKIE, ETAG, IF_NONE_MATCH, LOCATION};
use serde_json::{Value, json};
use sponsorhub_testkit::{TestApp, assert_problem, dual_backend};

dual_backend!(
    a_png_is_served_back_byte_identical_with_its_type,
    the_content_decides_the_type_not_the_name_or_declared_type,
    svg_is_stored_without_scripts_or_handlers,
    too_big_and_not_an_image_are_refused,
    only_those_who_edit_the_profile_upload,
    removing_the_upload_falls_back_to_the_logo_url,
    the_console_form_uploads_and_keeps_what_was_typed,
);

const PNG: &[u8] = include_bytes!("../../../e2e/fixtures/logo.png");

fn logo_path(sponsor: &str) -> String {
    format!("/api/v1/sponsors/sponsors/{sponsor}/logo")
}

/// PUTs `bytes` as the logo with this declared Content-Type.
async fn upload(app: &TestApp, token: &str, sponsor: &str, bytes: Vec<u8>, declared: &str) -> (StatusCode, Value) {
    let res = app
        .client
        .put(app.url(&logo_path(sponsor)))
        .bearer_auth(token)
        .header(CONTENT_TYPE, declared)
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The path (and query) of a logo URL the API answered.
fn local(url: &Value) -> String {
    let url = url.as_str().expect("a logo URL");
    let at = url.find("/media/").expect("a URL of this server");
    url[at..].to_string()
}

async fn fetch(app: &TestApp, path: &str) -> reqwest::Response {
    app.client.get(app.url(path)).send().await.unwrap()
}

async fn a_png_is_served_back_byte_identical_with_its_type(app: TestApp) {
    let w = world(&app).await;
    let (status, s) = upload(&app, &w.organizer.token, &w.sponsor_id, PNG.to_vec(), "image/png").await;
    assert_eq!(status, StatusCode::OK, "{s}");
    let url = local(&s["logo_url"]);
    assert!(url.starts_with(&format!("/media/sponsors/{}/logo?v=", w.sponsor_id)), "{url}");

    // Public: no credentials needed.
    let res = fetch(&app, &url).await;
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers().clone();
    assert_eq!(h[CONTENT_TYPE], "image/png");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h[CACHE_CONTROL].to_str().unwrap().contains("max-age=31536000"), "{:?}", h[CACHE_CONTROL]);
    let etag = h[ETAG].to_str().unwrap().to_string();
    assert_eq!(res.bytes().await.unwrap().as_ref(), PNG, "byte for byte");

    // Revalidation by ETag; a URL of another version is not cached for long.
    let res = app.client.get(app.url(&url)).header(IF_NONE_MATCH, &etag).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    let stale = fetch(&app, &format!("/media/sponsors/{}/logo?v=0000", w.sponsor_id)).await;
    assert_eq!(stale.status(), StatusCode::OK);
    assert_eq!(stale.headers()[CACHE_CONTROL], "public, no-cache");

    // The sponsor's JSON, the list, and the public directory carry it.
    let (_, got) = app.get(&w.org_path(&format!("/sponsors/{}", w.sponsor_id)), Some(&w.organizer.token)).await;
    assert_eq!(got["logo_url"], s["logo_url"]);
    let (_, list) = app.get(&w.org_path(&format!("/events/{}/sponsors", w.event_id)), Some(&w.organizer.token)).await;
    assert_eq!(list["items"][0]["logo_url"], s["logo_url"]);
    let page = fetch(&app, &format!("/directory/{}", w.event_id)).await.text().await.unwrap();
    assert!(page.contains(&url.replace('&', "&amp;")), "the directory shows the uploaded logo");
    let page = fetch(&app, &format!("/directory/{}/sponsors/{}", w.event_id, w.sponsor_id)).await.text().await.unwrap();
    assert!(page.contains(&url), "the sponsor's directory page shows it");

    // Another sponsor has none.
    let other = another_sponsor(&app, &w, "Gopher GmbH").await;
    assert_eq!(fetch(&app, &format!("/media/sponsors/{other}/logo")).await.status(), StatusCode::NOT_FOUND);
}

async fn the_content_decides_the_type_not_the_name_or_declared_type(app: TestApp) {
    let w = world(&app).await;
    let (status, s) = upload(&app, &w.organizer.token, &w.sponsor_id, PNG.to_vec(), "image/svg+xml").await;
    assert_eq!(status, StatusCode::OK, "{s}");
    let res = fetch(&app, &local(&s["logo_url"])).await;
    assert_eq!(res.headers()[CONTENT_TYPE], "image/png", "declared as SVG, stored as what it is");
    assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);

    // A JPEG and a WebP, declared as anything. (A PNG named logo.svg goes
    // through the console's form in the last test.)
    let jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00".to_vec();
    let (status, s) = upload(&app, &w.organizer.token, &w.sponsor_id, jpeg.clone(), "text/plain").await;
    assert_eq!(status, StatusCode::OK, "{s}");
    let res = fetch(&app, &local(&s["logo_url"])).await;
    assert_eq!(res.headers()[CONTENT_TYPE], "image/jpeg");
    let webp = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
        .to_vec();
    let (status, s) = upload(&app, &w.organizer.token, &w.sponsor_id, webp, "application/octet-stream").await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(fetch(&app, &local(&s["logo_url"])).await.headers()[CONTENT_TYPE], "image/webp");
}

async fn svg_is_stored_without_scripts_or_handlers(app: TestApp) {
    let w = world(&app).await;
    let svg = r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 64 64" onload="alert('x')">
  <script>alert(document.cookie)</script>
  <foreignObject width="10" height="10"><body xmlns="http://www.w3.org/1999/xhtml"><iframe src="https://evil.example/"/></body></foreignObject>
  <image href="https://tracker.example/pixel.png" width="1" height="1"/>
  <a href="javascript:alert(1)"><circle cx="32" cy="32" r="20" fill="#b7410e" onclick="alert(2)"/></a>
  <text x="8" y="60">Ferris</text>
</svg>"##;
    let (status, s) = upload(&app, &w.organizer.token, &w.sponsor_id, svg.as_bytes().to_vec(), "image/svg+xml").await;
    assert_eq!(status, StatusCode::OK, "{s}");
    let res = fetch(&app, &local(&s["logo_url"])).await;
    assert_eq!(res.headers()[CONTENT_TYPE], "image/svg+xml");
    assert_eq!(res.headers()[CONTENT_SECURITY_POLICY], "default-src 'none'; style-src 'unsafe-inline'; sandbox");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    let stored = res.text().await.unwrap();
    assert!(stored.contains("<circle") && stored.contains("Ferris"), "the drawing stays: {stored}");
    for gone in [
        "<script",
        "alert",
        "onload",
        "onclick",
        "foreignObject",
        "iframe",
        "javascript:",
        "evil.example",
        "tracker.example",
    ] {
        assert!(!stored.contains(gone), "{gone} must be gone: {stored}");
    }

    // Not well-formed: refused, not stored half.
    let (status, body) = upload(
        &app,
        &w.organizer.token,
        &w.sponsor_id,
        b"<svg xmlns=\"http://www.w3.org/2000/svg\"><g>".to_vec(),
        "image/svg+xml",
    )
    .await;
    assert_problem(status, &body, 422);
    assert_eq!(body["errors"][0]["field"], "logo", "{body}");
}

async fn too_big_and_not_an_image_are_refused(app: TestApp) {
    let w = world(&app).await;
    // 1.1 MB: a PNG head and padding.
    let mut big = PNG.to_vec();
    big.resize(1_100_000, 0);
    let (status, body) = upload(&app, &w.organizer.token, &w.sponsor_id, big, "image/png").await;
    assert_problem(status, &body, 422);
    assert_eq!(body["errors"][0]["field"], "logo", "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("1 MB"), "{body}");

    let (status, body) =
        upload(&app, &w.organizer.token, &w.sponsor_id, b"just some notes, not a logo\n".to_vec(), "image/png").await;
    assert_problem(status, &body, 422);
    assert_eq!(body["errors"][0]["field"], "logo", "{body}");
    let (status, body) = upload(&app, &w.organizer.token, &w.sponsor_id, Vec::new(), "image/png").await;
    assert_problem(status, &body, 422);

    // Far past the limit: the body limit answers before anything reads it (and
    // closes the connection: a client of its own). The client may still be
    // writing the body when the answer and the close come: then it sees the
    // connection closed under its write, never another answer.
    let sent = reqwest::Client::new()
        .put(app.url(&logo_path(&w.sponsor_id)))
        .bearer_auth(&w.organizer.token)
        .body(vec![0u8; 3 * 1024 * 1024])
        .send()
        .await;
    match sent {
        Ok(res) => assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE),
        Err(e) => assert!(e.is_request() && !e.is_timeout(), "refused by closing the connection: {e:?}"),
    }

    // Nothing was stored.
    let (_, got) = app.get(&w.org_path(&format!("/sponsors/{}", w.sponsor_id)), Some(&w.organizer.token)).await;
    assert_eq!(got["logo_url"], Value::Null, "{got}");
}

async fn only_those_who_edit_the_profile_upload(app: TestApp) {
    let w = world(&app).await;
    let (admin, _) = join_staff(&app, &w, &w.sponsor_id, "boss@ferris.io", "admin").await;
    let (staff, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let other = another_sponsor(&app, &w, "Gopher GmbH").await;
    let (gopher, _) = join_staff(&app, &w, &other, "admin@gopher.io", "admin").await;

    // The sponsor's admin (who manages the booth) may.
    let (status, s) = upload(&app, &admin.token, &w.sponsor_id, PNG.to_vec(), "image/png").await;
    assert_eq!(status, StatusCode::OK, "{s}");
    // Its booth staff may not: 403.
    let (status, body) = upload(&app, &staff.token, &w.sponsor_id, PNG.to_vec(), "image/png").await;
    assert_problem(status, &body, 403);
    let (status, body) = app.delete(&logo_path(&w.sponsor_id), Some(&staff.token)).await;
    assert_problem(status, &body, 403);
    // Another sponsor's staff do not see this sponsor at all: 404.
    let (status, body) = upload(&app, &gopher.token, &w.sponsor_id, PNG.to_vec(), "image/png").await;
    assert_problem(status, &body, 404);
    let (status, body) = app.delete(&logo_path(&w.sponsor_id), Some(&gopher.token)).await;
    assert_problem(status, &body, 404);
    // Nobody signed in: 401.
    let res = app.client.put(app.url(&logo_path(&w.sponsor_id))).body(PNG.to_vec()).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // The logo is still the admin's.
    let (_, got) = app.get(&w.org_path(&format!("/sponsors/{}", w.sponsor_id)), Some(&w.organizer.token)).await;
    assert_eq!(got["logo_url"], s["logo_url"]);
}

async fn removing_the_upload_falls_back_to_the_logo_url(app: TestApp) {
    let w = world(&app).await;
    let one = w.org_path(&format!("/sponsors/{}", w.sponsor_id));
    let (status, s) =
        app.patch(&one, Some(&w.organizer.token), json!({"company_logo_url": "https://cdn.ferris.io/logo.png"})).await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(s["logo_url"], "https://cdn.ferris.io/logo.png", "a logo URL alone shows");

    let (status, s) = upload(&app, &w.organizer.token, &w.sponsor_id, PNG.to_vec(), "image/png").await;
    assert_eq!(status, StatusCode::OK, "{s}");
    let uploaded = local(&s["logo_url"]);
    assert_eq!(s["company_logo_url"], "https://cdn.ferris.io/logo.png", "the URL is kept");
    let page = fetch(&app, &format!("/directory/{}", w.event_id)).await.text().await.unwrap();
    assert!(page.contains(&uploaded) && !page.contains("cdn.ferris.io"), "the upload wins over the URL");

    let (status, s) = app.delete(&logo_path(&w.sponsor_id), Some(&w.organizer.token)).await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(s["logo_url"], "https://cdn.ferris.io/logo.png", "back to the URL");
    assert_eq!(fetch(&app, &uploaded).await.status(), StatusCode::NOT_FOUND);
    let page = fetch(&app, &format!("/directory/{}", w.event_id)).await.text().await.unwrap();
    assert!(page.contains("https://cdn.ferris.io/logo.png"));
    // Removing again changes nothing.
    let (status, _) = app.delete(&logo_path(&w.sponsor_id), Some(&w.organizer.token)).await;
    assert_eq!(status, StatusCode::OK);
}

fn csrf_of(html: &str) -> String {
    let at = html.find(r#"name="_csrf" value=""#).expect("a form with a CSRF token");
    let rest = &html[at + r#"name="_csrf" value=""#.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// The console's sponsor form as the browser sends it, with `logo` as a file part.
fn edit_form(csrf: &str, name: &str, website: &str, logo: Option<(Vec<u8>, &str, &str)>) -> reqwest::multipart::Form {
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf.to_string())
        .text("company_name", name.to_string())
        .text("tier_id", "")
        .text("company_website", website.to_string())
        .text("company_logo_url", "")
        .text("booth_number", "B12")
        .text("company_description", "Crabs, at scale.");
    let part = match logo {
        Some((bytes, file, declared)) => {
            reqwest::multipart::Part::bytes(bytes).file_name(file.to_string()).mime_str(declared).unwrap()
        }
        None => reqwest::multipart::Part::bytes(Vec::new()).file_name("").mime_str("application/octet-stream").unwrap(),
    };
    form.part("logo", part)
}

async fn the_console_form_uploads_and_keeps_what_was_typed(app: TestApp) {
    let w = world(&app).await;
    let web = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let cookie = format!("sponsorhub_session={}", w.organizer.token);
    let page_path = format!("/events/{}/sponsors/{}", w.event_id, w.sponsor_id);
    let html = web.get(app.url(&page_path)).header(COOKIE, &cookie).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(r#"enctype="multipart/form-data""#) && html.contains(r#"name="logo" type="file""#));
    let csrf = csrf_of(&html);
    let edit = app.url(&format!("{page_path}/edit"));

    // A text file: the page again, 422, the error at the file field, the rest kept.
    let form = edit_form(
        &csrf,
        "Ferris Incorporated",
        "https://ferris.io",
        Some((b"hello".to_vec(), "logo.png", "image/png")),
    );
    let res = web.post(&edit).header(COOKIE, &cookie).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(
        html.contains(r#"id="se-logo-error""#) && html.contains("must be a PNG, JPEG, WebP or SVG image"),
        "{html}"
    );
    assert!(html.contains(r#"value="Ferris Incorporated""#) && html.contains(r#"value="https://ferris.io""#));
    let (_, got) = app.get(&w.org_path(&format!("/sponsors/{}", w.sponsor_id)), Some(&w.organizer.token)).await;
    assert_eq!(got["company_name"], "Ferris Inc", "nothing saved");

    // A PNG named logo.svg and declared image/svg+xml: saved, stored as a PNG.
    let form =
        edit_form(&csrf, "Ferris Incorporated", "https://ferris.io", Some((PNG.to_vec(), "logo.svg", "image/svg+xml")));
    let res = web.post(&edit).header(COOKIE, &cookie).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    assert_eq!(res.headers()[LOCATION], page_path.as_str());
    let (_, got) = app.get(&w.org_path(&format!("/sponsors/{}", w.sponsor_id)), Some(&w.organizer.token)).await;
    assert_eq!(got["company_name"], "Ferris Incorporated");
    let url = local(&got["logo_url"]);
    let res = fetch(&app, &url).await;
    assert_eq!(res.headers()[CONTENT_TYPE], "image/png");
    assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);
    let html = web.get(app.url(&page_path)).header(COOKIE, &cookie).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(&url.replace('&', "&amp;")), "the console shows the uploaded logo");
    let html = web.get(app.url(&format!("/events/{}", w.event_id))).header(COOKIE, &cookie).send().await.unwrap();
    assert!(html.text().await.unwrap().contains(&url), "and the event page's card");

    // Saving without a file keeps the logo; ticking "remove" drops it.
    let form = edit_form(&csrf, "Ferris Incorporated", "https://ferris.io", None);
    let res = web.post(&edit).header(COOKIE, &cookie).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, got) = app.get(&w.org_path(&format!("/sponsors/{}", w.sponsor_id)), Some(&w.organizer.token)).await;
    assert_eq!(local(&got["logo_url"]), url);
    let form = edit_form(&csrf, "Ferris Incorporated", "https://ferris.io", None).text("remove_logo", "true");
    let res = web.post(&edit).header(COOKIE, &cookie).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, got) = app.get(&w.org_path(&format!("/sponsors/{}", w.sponsor_id)), Some(&w.organizer.token)).await;
    assert_eq!(got["logo_url"], Value::Null);

    // A forged CSRF token: refused.
    let form =
        edit_form("forged", "Ferris Incorporated", "https://ferris.io", Some((PNG.to_vec(), "logo.png", "image/png")));
    let res = web.post(&edit).header(COOKIE, &cookie).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}
