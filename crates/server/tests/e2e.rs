//! End to end through a real browser: Debian's headless Chromium, driven by
//! playwright-core (e2e/flows.mjs), against the app started on a free port. The
//! organizer flow (tiers → sponsor → invitation), the representative flow (the
//! e-mailed link → sign up → accept → the leads dashboard) and the live flow (a
//! capture through the REST API shows on the open dashboard within a second).
//!
//! `./scripts/test` installs Chromium (apt) and playwright-core (npm, e2e/). With
//! `SPONSORHUB_SCREENSHOTS=1` the run refreshes the PNGs in docs/screenshots/.

use serde_json::{Value, json};
use sponsorhub_services::notify::Notification;
use sponsorhub_testkit::{Backend, TestApp};
use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("workspace root")
}

fn chromium() -> String {
    std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into())
}

/// Chromium and the e2e packages must be there: a missing one fails, it is not a skip.
fn preflight(root: &Path) {
    assert!(
        Path::new(&chromium()).exists(),
        "{} is missing: ./scripts/test installs Debian's chromium and chromium-driver",
        chromium()
    );
    assert!(
        root.join("e2e/node_modules/playwright-core").exists(),
        "e2e/node_modules is missing: ./scripts/test runs `npm install` in e2e/"
    );
}

/// Runs one flow of e2e/flows.mjs and returns the JSON it prints last.
async fn flow(root: &Path, base: &str, args: &[&str], env: &[(&str, String)]) -> Value {
    let mut cmd = Command::new("node");
    cmd.arg(root.join("e2e/flows.mjs")).arg(base).args(args).current_dir(root).env("CHROMIUM", chromium());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let name = args[0].to_string();
    let out = tokio::task::spawn_blocking(move || cmd.output()).await.unwrap().expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("flow {name}:\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "the {name} flow failed ({}); stdout: {stdout}", out.status);
    let last = stdout.lines().last().unwrap_or("null");
    serde_json::from_str(last).unwrap_or_else(|e| panic!("flow {name} printed no JSON result ({e}): {stdout}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_flows() {
    let root = workspace();
    preflight(&root);
    let app = TestApp::spawn_public(Backend::Sqlite).await;
    let base = app.server.url();
    let tmp = tempfile::tempdir().unwrap();
    let shots = if std::env::var_os("SPONSORHUB_SCREENSHOTS").is_some() {
        root.join("docs/screenshots")
    } else {
        tmp.path().to_path_buf()
    };
    let shots_env = ("SCREENSHOTS", shots.display().to_string());
    let mut mail = app.notifications();

    // 1. The organizer: sign up, event, tier wizard, sponsors, featured, archive,
    //    tier tabs, and the invitation dialog (sent, then resent).
    let organizer = flow(&root, &base, &["organizer"], std::slice::from_ref(&shots_env)).await;
    let event_id = organizer["eventId"].as_str().expect("event id").to_string();
    let sponsor_id = organizer["sponsorId"].as_str().expect("sponsor id").to_string();

    // The link the e-mail carries: the latest message for the invited address.
    let mut link = None;
    while let Ok(n) = mail.try_recv() {
        if let Notification::InvitationIssued(m) = n {
            assert_eq!(m.to_email, "remy@ferris.test");
            assert_eq!(m.role.as_str(), "representative");
            assert_eq!(m.sponsor_name, "Ferris Inc");
            assert!(m.personal_message.as_deref().is_some_and(|t| t.contains("Welcome aboard")));
            link = Some(m.accept_url);
        }
    }
    let link = link.expect("the organizer flow sent an invitation");
    assert!(link.starts_with(&format!("{base}/invitations/accept?token=")), "{link}");

    // 2. The representative: the link, sign-up through it, accept, the dashboard.
    flow(&root, &base, &["representative", &link], std::slice::from_ref(&shots_env)).await;

    // 3. Live: the representative's dashboard is open; booth captures go through the
    //    REST API with a staff bearer token.
    let (status, login) = app
        .post("/api/v1/auth/login", None, json!({"email": "remy@ferris.test", "password": "correct horse battery"}))
        .await;
    assert_eq!(status, 200, "{login}");
    let token = login["access_token"].as_str().unwrap().to_string();
    let live = flow(&root, &base, &["live", &event_id, &sponsor_id], &[shots_env, ("STAFF_TOKEN", token)]).await;
    eprintln!("live updates: new lead in {} ms, intent change in {} ms", live["newLeadMs"], live["intentMs"]);

    // 4. A viewer and a booth-staff member see only the controls they may use.
    let (status, organizer_login) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "olivia@acme-events.test", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(status, 200, "{organizer_login}");
    let organizer_token = organizer_login["access_token"].as_str().unwrap().to_string();
    let org_id = organizer_login["organization"]["id"].as_str().unwrap().to_string();
    for (email, role) in [("vera@ferris.test", "viewer"), ("bo@ferris.test", "booth_staff")] {
        let mut mail = app.notifications();
        let (status, inv) = app
            .post(
                &format!("/api/v1/sponsors/organizations/{org_id}/sponsors/{sponsor_id}/invitations"),
                Some(&organizer_token),
                json!({"email": email, "role": role}),
            )
            .await;
        assert_eq!(status, 201, "{inv}");
        let token = sponsorhub_testkit::next_invitation_token(&mut mail).await;
        let account = app.signup(email, &format!("{role} org")).await;
        let (status, accepted) = app
            .post("/api/v1/sponsors/sponsor-invitations/accept", Some(&account.token), json!({"token": token}))
            .await;
        assert_eq!(status, 200, "{accepted}");
    }
    flow(&root, &base, &["controls", &sponsor_id], &[]).await;

    // 5. Scanning: an attendee's badge, shown to the fake camera, becomes the lead.
    let (status, katherine) = app
        .post(
            &format!("/api/v1/organizations/{org_id}/events/{event_id}/attendees"),
            Some(&organizer_token),
            json!({"name": "Katherine Johnson", "company": "NASA", "email": "katherine@nasa.test"}),
        )
        .await;
    assert_eq!(status, 201, "{katherine}");
    let png = app
        .client
        .get(app.url(&format!(
            "/api/v1/organizations/{org_id}/events/{event_id}/attendees/{}/badge.png",
            katherine["id"].as_str().unwrap()
        )))
        .bearer_auth(&organizer_token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let video = tmp.path().join("badge.mjpeg");
    write_fake_video(&png, &video);
    let video_env = ("FAKE_VIDEO", video.display().to_string());
    let shots_env = ("SCREENSHOTS", shots.display().to_string());
    flow(&root, &base, &["scan", &sponsor_id, "Katherine Johnson"], &[video_env, shots_env]).await;
    let (_, leads) = app
        .get(&format!("/api/v1/sponsors/sponsors/{sponsor_id}/leads?search=katherine"), Some(&organizer_token))
        .await;
    assert_eq!(leads["items"][0]["interaction_count"], 2, "two scans, each recorded once: {leads}");

    // 6. Attendees: a file with two bad rows is refused with both reported; the
    //    fixed one imports as a job the page follows.
    flow(&root, &base, &["import", &event_id], &[("SCREENSHOTS", shots.display().to_string())]).await;
    let (_, page) = app
        .get(
            &format!("/api/v1/organizations/{org_id}/events/{event_id}/attendees?search=grace"),
            Some(&organizer_token),
        )
        .await;
    assert_eq!(page["items"][0]["company"], "Navy", "{page}");

    // 7. Offline: three badges scanned without a network, each recorded once
    //    when it is back.
    let mut codes = Vec::new();
    for (name, email) in [
        ("Mary Jackson", "mary@nasa.test"),
        ("Dorothy Vaughan", "dorothy@nasa.test"),
        ("Annie Easley", "annie@nasa.test"),
    ] {
        let (status, a) = app
            .post(
                &format!("/api/v1/organizations/{org_id}/events/{event_id}/attendees"),
                Some(&organizer_token),
                json!({"name": name, "company": "NASA Lewis", "email": email}),
            )
            .await;
        assert_eq!(status, 201, "{a}");
        codes.push(a["badge_code"].as_str().unwrap().to_string());
    }
    let mut args = vec!["offline", sponsor_id.as_str()];
    args.extend(codes.iter().map(String::as_str));
    flow(&root, &base, &args, &[("SCREENSHOTS", shots.display().to_string())]).await;
    let (_, leads) = app
        .get(&format!("/api/v1/sponsors/sponsors/{sponsor_id}/leads?search=nasa%20lewis"), Some(&organizer_token))
        .await;
    let counts: Vec<i64> =
        leads["items"].as_array().unwrap().iter().map(|l| l["interaction_count"].as_i64().unwrap()).collect();
    assert_eq!(counts, [1, 1, 1], "three scans, each recorded once: {leads}");

    // 8. Paging: past 50 leads the dashboard pages both ways, with a count.
    let (status, login) = app
        .post("/api/v1/auth/login", None, json!({"email": "remy@ferris.test", "password": "correct horse battery"}))
        .await;
    assert_eq!(status, 200, "{login}");
    let staff = login["access_token"].as_str().unwrap().to_string();
    for i in 0..55 {
        let (status, body) = app
            .post(
                &format!("/api/v1/sponsors/events/{event_id}/sponsors/{sponsor_id}/capture-lead"),
                Some(&staff),
                json!({"interaction_type": "booth_visit", "attendee": {"email": format!("visitor{i}@crowd.test"), "name": format!("Visitor {i}")}}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let (_, page) = app.get(&format!("/api/v1/sponsors/sponsors/{sponsor_id}/leads?limit=1"), Some(&staff)).await;
    let total = page["total"].as_i64().expect("a count");
    assert!(total > 55, "{page}");
    flow(&root, &base, &["paging", &sponsor_id, &total.to_string()], &[]).await;

    // 9. An attendee asks for a demo on the sponsor's page; the lead appears live.
    flow(&root, &base, &["attendee", &event_id, &sponsor_id], &[]).await;

    // 10. axe-core on the pages the flows above do not photograph.
    flow(&root, &base, &["a11y", &event_id, &sponsor_id], &[]).await;
    app.stop().await;
}

/// Withdrawal in the browser (docs/DECISIONS.md, "Withdrawal and erasure"): the
/// sponsor's dashboard is open with an attendee's lead on it; the attendee
/// withdraws on their my-data page; the row leaves the dashboard without a reload.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdrawal_in_the_browser() {
    let root = workspace();
    preflight(&root);
    let app = TestApp::spawn_public(Backend::Sqlite).await;
    let base = app.server.url();
    let tmp = tempfile::tempdir().unwrap();
    let shots = if std::env::var_os("SPONSORHUB_SCREENSHOTS").is_some() {
        root.join("docs/screenshots")
    } else {
        tmp.path().to_path_buf()
    };
    let organizer = app.signup("olga@fair.test", "Fair Events").await;
    let org = Some(organizer.token.as_str());
    let (status, event) = app
        .post(&format!("/api/v1/organizations/{}/events", organizer.org_id), org, json!({"name": "Data Days"}))
        .await;
    assert_eq!(status, 201, "{event}");
    let event_id = event["id"].as_str().unwrap().to_string();
    let base_path = format!("/api/v1/sponsors/organizations/{}", organizer.org_id);
    let (status, sponsor) =
        app.post(&format!("{base_path}/events/{event_id}/sponsors"), org, json!({"company_name": "Ferris Inc"})).await;
    assert_eq!(status, 201, "{sponsor}");
    let sponsor_id = sponsor["id"].as_str().unwrap().to_string();
    let mut mail = app.notifications();
    let (status, inv) = app
        .post(
            &format!("{base_path}/sponsors/{sponsor_id}/invitations"),
            org,
            json!({"email": "rep@ferris.test", "role": "representative"}),
        )
        .await;
    assert_eq!(status, 201, "{inv}");
    let token = sponsorhub_testkit::next_invitation_token(&mut mail).await;
    let rep = app.signup("rep@ferris.test", "Rep").await;
    let (status, _) =
        app.post("/api/v1/sponsors/sponsor-invitations/accept", Some(&rep.token), json!({"token": token})).await;
    assert_eq!(status, 200);
    let (status, ada) = app
        .post(
            &format!("/api/v1/organizations/{}/events/{event_id}/attendees", organizer.org_id),
            org,
            json!({"name": "Ada Lovelace", "email": "ada@engines.test", "company": "Analytical Engines"}),
        )
        .await;
    assert_eq!(status, 201, "{ada}");
    let attendee = app.signup("ada@engines.test", "Ada").await;
    let (status, lead) = app
        .post(
            &format!("/api/v1/sponsors/events/{event_id}/sponsors/{sponsor_id}/capture-lead"),
            Some(&rep.token),
            json!({"interaction_type": "qr_scan", "badge_code": ada["badge_code"]}),
        )
        .await;
    assert_eq!(status, 201, "{lead}");

    let env = [
        ("SCREENSHOTS", shots.display().to_string()),
        ("STAFF_TOKEN", rep.token.clone()),
        ("ATTENDEE_TOKEN", attendee.token.clone()),
    ];
    let out = flow(&root, &base, &["withdraw", &event_id, &sponsor_id], &env).await;
    assert_eq!(out["gone"], true, "{out}");
    let (_, leads) = app.get(&format!("/api/v1/sponsors/sponsors/{sponsor_id}/leads"), Some(&rep.token)).await;
    assert_eq!(leads["items"], json!([]), "{leads}");
    app.stop().await;
}

/// A message round trip in the browser (docs/DECISIONS.md, "Messaging"): the
/// representative writes from the lead page, the attendee sees the next message
/// live and answers, and the representative's open conversation shows it live.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_in_the_browser() {
    let root = workspace();
    preflight(&root);
    let app = TestApp::spawn_public(Backend::Sqlite).await;
    let base = app.server.url();
    let tmp = tempfile::tempdir().unwrap();
    let shots = if std::env::var_os("SPONSORHUB_SCREENSHOTS").is_some() {
        root.join("docs/screenshots")
    } else {
        tmp.path().to_path_buf()
    };
    let organizer = app.signup("olga@fair.test", "Fair Events").await;
    let org = Some(organizer.token.as_str());
    let (status, event) = app
        .post(&format!("/api/v1/organizations/{}/events", organizer.org_id), org, json!({"name": "Data Days"}))
        .await;
    assert_eq!(status, 201, "{event}");
    let event_id = event["id"].as_str().unwrap().to_string();
    let base_path = format!("/api/v1/sponsors/organizations/{}", organizer.org_id);
    let (status, sponsor) =
        app.post(&format!("{base_path}/events/{event_id}/sponsors"), org, json!({"company_name": "Ferris Inc"})).await;
    assert_eq!(status, 201, "{sponsor}");
    let sponsor_id = sponsor["id"].as_str().unwrap().to_string();
    let mut mail = app.notifications();
    let (status, inv) = app
        .post(
            &format!("{base_path}/sponsors/{sponsor_id}/invitations"),
            org,
            json!({"email": "rep@ferris.test", "role": "representative"}),
        )
        .await;
    assert_eq!(status, 201, "{inv}");
    let token = sponsorhub_testkit::next_invitation_token(&mut mail).await;
    let rep = app.signup("rep@ferris.test", "Rep").await;
    let (status, _) =
        app.post("/api/v1/sponsors/sponsor-invitations/accept", Some(&rep.token), json!({"token": token})).await;
    assert_eq!(status, 200);
    let (status, ada) = app
        .post(
            &format!("/api/v1/organizations/{}/events/{event_id}/attendees", organizer.org_id),
            org,
            json!({"name": "Ada Lovelace", "email": "ada@engines.test", "company": "Analytical Engines"}),
        )
        .await;
    assert_eq!(status, 201, "{ada}");
    let attendee = app.signup("ada@engines.test", "Ada").await;
    let (status, lead) = app
        .post(
            &format!("/api/v1/sponsors/events/{event_id}/sponsors/{sponsor_id}/capture-lead"),
            Some(&rep.token),
            json!({"interaction_type": "qr_scan", "badge_code": ada["badge_code"]}),
        )
        .await;
    assert_eq!(status, 201, "{lead}");

    let lead_id = lead["id"].as_str().unwrap().to_string();
    let env = [
        ("SCREENSHOTS", shots.display().to_string()),
        ("STAFF_TOKEN", rep.token.clone()),
        ("ATTENDEE_TOKEN", attendee.token.clone()),
    ];
    let out = flow(&root, &base, &["messages", &event_id, &sponsor_id, &lead_id], &env).await;
    assert_eq!(out["roundTrip"], true, "{out}");
    let (_, threads) = app.get(&format!("/api/v1/sponsors/sponsors/{sponsor_id}/threads"), Some(&rep.token)).await;
    assert_eq!(threads["items"][0]["last_message"], "Tuesday works, see you then.", "{threads}");
    app.stop().await;
}

/// An MJPEG file (JPEG frames one after another, as Chromium's fake camera plays
/// them) of the badge's QR code on a white 640x480 picture.
fn write_fake_video(png: &[u8], path: &Path) {
    let qr = image::load_from_memory_with_format(png, image::ImageFormat::Png).unwrap().to_luma8();
    let qr = image::imageops::resize(&qr, 360, 360, image::imageops::FilterType::Nearest);
    let mut frame = image::GrayImage::from_pixel(640, 480, image::Luma([255]));
    image::imageops::overlay(&mut frame, &qr, 140, 60);
    let rgb = image::DynamicImage::ImageLuma8(frame).to_rgb8();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90).encode_image(&rgb).unwrap();
    std::fs::write(path, jpeg.repeat(30)).unwrap();
}

/// Expo hall to lead in the browser (docs/DECISIONS.md, "Booth pages"): the
/// sponsor's dashboard is open in one browser context; an attendee in another
/// opens the expo hall, the sponsor's booth page and a content item (uploaded
/// over REST here), ticks "Share my name and e-mail address with <sponsor>" and
/// downloads it; the `content_download` lead appears live on the dashboard.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expo_hall_download_in_the_browser() {
    let root = workspace();
    preflight(&root);
    let app = TestApp::spawn_public(Backend::Sqlite).await;
    let base = app.server.url();
    let tmp = tempfile::tempdir().unwrap();
    let shots = if std::env::var_os("SPONSORHUB_SCREENSHOTS").is_some() {
        root.join("docs/screenshots")
    } else {
        tmp.path().to_path_buf()
    };
    let organizer = app.signup("otto@expo.test", "Expo Events").await;
    let org = Some(organizer.token.as_str());
    let (status, event) = app
        .post(&format!("/api/v1/organizations/{}/events", organizer.org_id), org, json!({"name": "Expo Days"}))
        .await;
    assert_eq!(status, 201, "{event}");
    let event_id = event["id"].as_str().unwrap().to_string();
    let base_path = format!("/api/v1/sponsors/organizations/{}", organizer.org_id);
    for name in ["Ferris Inc", "Crab Co"] {
        let (status, sponsor) =
            app.post(&format!("{base_path}/events/{event_id}/sponsors"), org, json!({"company_name": name})).await;
        assert_eq!(status, 201, "{sponsor}");
    }
    let (_, sponsors) = app.get(&format!("{base_path}/events/{event_id}/sponsors"), org).await;
    let sponsor_id = sponsors["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["company_name"] == "Ferris Inc")
        .map(|s| s["id"].as_str().unwrap().to_string())
        .expect("Ferris Inc");
    let mut mail = app.notifications();
    let (status, inv) = app
        .post(
            &format!("{base_path}/sponsors/{sponsor_id}/invitations"),
            org,
            json!({"email": "rep@ferris.test", "role": "representative"}),
        )
        .await;
    assert_eq!(status, 201, "{inv}");
    let token = sponsorhub_testkit::next_invitation_token(&mut mail).await;
    let rep = app.signup("rep@ferris.test", "Rep").await;
    let (status, _) =
        app.post("/api/v1/sponsors/sponsor-invitations/accept", Some(&rep.token), json!({"token": token})).await;
    assert_eq!(status, 200);
    // a content item on the booth page, uploaded over REST by the organizer
    let pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec();
    let res = app
        .client
        .post(app.url(&format!("/api/v1/sponsors/sponsors/{sponsor_id}/booth/content")))
        .query(&[("file_name", "ferris-whitepaper.pdf"), ("title", "The Ferris whitepaper")])
        .bearer_auth(&organizer.token)
        .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
        .body(pdf)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let (status, _) = app
        .post(
            &format!("/api/v1/organizations/{}/events/{event_id}/attendees", organizer.org_id),
            org,
            json!({"name": "Grace Hopper", "email": "grace@navy.test", "company": "US Navy"}),
        )
        .await;
    assert_eq!(status, 201);
    let attendee = app.signup("grace@navy.test", "Grace Hopper").await;

    let env = [
        ("SCREENSHOTS", shots.display().to_string()),
        ("STAFF_TOKEN", rep.token.clone()),
        ("ATTENDEE_TOKEN", attendee.token.clone()),
        ("ATTENDEE_NAME", "grace@navy.test".to_string()),
    ];
    let args = ["expo-download", &event_id, &sponsor_id, "Ferris Inc", "The Ferris whitepaper"];
    let out = flow(&root, &base, &args, &env).await;
    assert_eq!(
        (out["appeared"].as_bool(), out["downloaded"].as_str()),
        (Some(true), Some("ferris-whitepaper.pdf")),
        "{out}"
    );
    // the sponsor holds one lead on her: a content_download with her consent
    let (_, leads) = app.get(&format!("/api/v1/sponsors/sponsors/{sponsor_id}/leads"), Some(&rep.token)).await;
    assert_eq!(leads["items"].as_array().unwrap().len(), 1, "{leads}");
    let lead_id = leads["items"][0]["id"].as_str().unwrap();
    let (_, lead) = app.get(&format!("/api/v1/sponsors/sponsors/{sponsor_id}/leads/{lead_id}"), Some(&rep.token)).await;
    assert_eq!(lead["interactions"][0]["interaction_type"], "content_download", "{lead}");
    assert_eq!(lead["consent_basis"], "attendee", "{lead}");
    app.stop().await;
}
