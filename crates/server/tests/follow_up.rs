//! Follow-up (issue 14, item 3, first part), on SQLite and PostgreSQL: a lead's
//! owner on the staff and its due day; notes as a history of entries.

mod common;

use common::{gql, join_staff, world};
use reqwest::StatusCode;
use serde_json::json;
use sponsorhub_testkit::{TestApp, assert_problem, dual_backend};

dual_backend!(
    leads_get_an_owner_a_due_day_and_a_history_of_notes,
    many_leads_change_at_once,
    owners_get_one_reminder_on_the_day,
);

async fn leads_get_an_owner_a_due_day_and_a_history_of_notes(app: TestApp) {
    let w = world(&app).await;
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let (booth, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let (viewer, _) = join_staff(&app, &w, &w.sponsor_id, "viewer@ferris.io", "viewer").await;
    let stranger = app.signup("stranger@else.io", "Else").await;
    let (_, lead) = app
        .post(
            &w.capture_path(),
            Some(&rep.token),
            json!({"interaction_type": "booth_visit", "attendee": {"email": "a@x.io"}}),
        )
        .await;
    let path = w.leads_path(&format!("/{}", lead["id"].as_str().unwrap()));

    // an owner from the staff and a due day; nobody else
    let (status, body) =
        app.patch(&path, Some(&rep.token), json!({"owner_user_id": booth.user_id, "due_on": "2026-12-03"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["owner_user_id"].as_str(), body["due_on"].as_str()),
        (Some(booth.user_id.as_str()), Some("2026-12-03"))
    );
    let (status, body) = app.patch(&path, Some(&rep.token), json!({"owner_user_id": stranger.user_id})).await;
    assert_problem(status, &body, 422);
    assert_eq!(body["errors"][0]["field"], "owner_user_id", "{body}");
    let (status, body) = app.patch(&path, Some(&rep.token), json!({"due_on": "tomorrow"})).await;
    assert!(status.is_client_error(), "{status} {body}");
    let (_, body) = app.patch(&path, Some(&rep.token), json!({"owner_user_id": null, "due_on": null})).await;
    assert!(body["owner_user_id"].is_null() && body["due_on"].is_null(), "{body}");

    // notes: entries with author and time, newest first; the field shows the latest
    let notes = format!("{path}/notes");
    let (status, first) = app.post(&notes, Some(&rep.token), json!({"body": "Wants SSO."})).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["author_name"], "rep");
    let (status, _) = app.patch(&path, Some(&rep.token), json!({"follow_up_notes": "Call on Tuesday."})).await;
    assert_eq!(status, StatusCode::OK);
    let (_, detail) = app.get(&path, Some(&rep.token)).await;
    let bodies: Vec<&str> = detail["notes"].as_array().unwrap().iter().map(|n| n["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["Call on Tuesday.", "Wants SSO."], "{detail}");
    assert_eq!(detail["follow_up_notes"], "Call on Tuesday.");
    let (status, body) = app.post(&notes, Some(&rep.token), json!({"body": "  "})).await;
    assert_problem(status, &body, 422);
    let (status, body) = app.post(&notes, Some(&viewer.token), json!({"body": "mine"})).await;
    assert_problem(status, &body, 403);
    let (status, body) = app.post(&notes, Some(&stranger.token), json!({"body": "mine"})).await;
    assert_problem(status, &body, 404);

    // GraphQL
    let out = gql(
        &app,
        &rep.token,
        "mutation($l: ID!, $o: ID!) { addLeadNote(leadId: $l, body: \"Sent the deck.\") { body authorName }
           updateSponsorLead(id: $l, input: {ownerUserId: $o, dueOn: \"2026-12-04\"}) { ownerUserId dueOn } }",
        json!({"l": lead["id"], "o": rep.user_id}),
    )
    .await;
    assert_eq!(out["data"]["addLeadNote"]["body"], "Sent the deck.", "{out}");
    assert_eq!(out["data"]["updateSponsorLead"]["dueOn"], "2026-12-04", "{out}");
    app.stop().await;
}

async fn many_leads_change_at_once(app: TestApp) {
    let w = world(&app).await;
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let (viewer, _) = join_staff(&app, &w, &w.sponsor_id, "viewer@ferris.io", "viewer").await;
    let mut ids = Vec::new();
    for email in ["a@x.io", "b@x.io", "c@x.io"] {
        let (_, lead) = app
            .post(
                &w.capture_path(),
                Some(&rep.token),
                json!({"interaction_type": "booth_visit", "attendee": {"email": email}}),
            )
            .await;
        ids.push(lead["id"].as_str().unwrap().to_string());
    }
    let other = common::another_sponsor(&app, &w, "Crab Co").await;
    let (crab, _) = join_staff(&app, &w, &other, "rep@crab.io", "representative").await;
    let capture = format!("/api/v1/sponsors/events/{}/sponsors/{other}/capture-lead", w.event_id);
    let (_, theirs) = app
        .post(&capture, Some(&crab.token), json!({"interaction_type": "booth_visit", "attendee": {"email": "z@x.io"}}))
        .await;
    let bulk = w.leads_path("/bulk");

    let (status, out) = app
        .post(&bulk, Some(&rep.token), json!({"lead_ids": [ids[0], ids[1]], "follow_up_status": "contacted", "add_tag": "expo", "is_starred": true, "owner_user_id": rep.user_id}))
        .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["updated"], 2);
    let (_, page) = app.get(&w.leads_path("?is_starred=true"), Some(&rep.token)).await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    for l in items {
        assert_eq!((l["follow_up_status"].clone(), l["tags"].clone()), (json!("contacted"), json!(["expo"])), "{l}");
        assert_eq!(l["owner_user_id"].as_str(), Some(rep.user_id.as_str()));
    }
    // all or nothing: another sponsor's lead in the list changes none
    let (status, body) =
        app.post(&bulk, Some(&rep.token), json!({"lead_ids": [ids[2], theirs["id"]], "is_archived": true})).await;
    assert_problem(status, &body, 422);
    assert_eq!(body["errors"][0]["field"], "lead_ids[1]", "{body}");
    let (_, page) = app.get(&w.leads_path(""), Some(&rep.token)).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 3, "nothing archived");
    let (status, body) = app.post(&bulk, Some(&rep.token), json!({"lead_ids": []})).await;
    assert_problem(status, &body, 422);
    let (status, body) = app.post(&bulk, Some(&viewer.token), json!({"lead_ids": [ids[2]], "is_starred": true})).await;
    assert_problem(status, &body, 403);

    // GraphQL
    let out = gql(
        &app,
        &rep.token,
        "mutation($s: ID!, $l: [ID!]!) { bulkUpdateSponsorLeads(sponsorId: $s, input: {leadIds: $l, isArchived: true}) }",
        json!({"s": w.sponsor_id, "l": [ids[2]]}),
    )
    .await;
    assert_eq!(out["data"]["bulkUpdateSponsorLeads"], 1, "{out}");

    // the dashboard: tick rows, choose an action
    let web = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let cookie = format!("sponsorhub_session={}", rep.token);
    let html = web
        .get(app.url(&w.leads_path("").replace("/api/v1/sponsors/sponsors", "/portal/sponsors")))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(&format!(r#"name="lead" value="{}" form="bulk""#, ids[0])), "{html}");
    let at = html.find(r#"name="_csrf" value=""#).unwrap() + r#"name="_csrf" value=""#.len();
    let csrf = &html[at..at + html[at..].find('"').unwrap()];
    let form = [
        ("_csrf", csrf),
        ("lead", ids[0].as_str()),
        ("lead", ids[1].as_str()),
        ("action", "status:qualified"),
        ("tag", ""),
    ];
    let res = web
        .post(app.url(&format!("/portal/sponsors/{}/leads/bulk", w.sponsor_id)))
        .header("cookie", &cookie)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get(&w.leads_path("?follow_up_status=qualified"), Some(&rep.token)).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 2, "{page}");
    // "export them": to the export of the selection
    let form = [("_csrf", csrf), ("lead", ids[1].as_str()), ("action", "export")];
    let res = web
        .post(app.url(&format!("/portal/sponsors/{}/leads/bulk", w.sponsor_id)))
        .header("cookie", &cookie)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()["location"].to_str().unwrap().to_string();
    assert!(to.ends_with(&format!("ids={}", ids[1])), "{to}");
    let res = web.get(app.url(&to)).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let csv = res.text().await.unwrap();
    assert_eq!(csv.trim_start_matches('\u{feff}').lines().count(), 2, "a header and the one lead: {csv}");
    app.stop().await;
}

/// The day's reminder: one e-mail per owner with the open leads due today, queued
/// once however many workers run at the same time.
async fn owners_get_one_reminder_on_the_day(app: TestApp) {
    use sponsorhub_domain::EmailKind;
    let w = world(&app).await;
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let (booth, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let today = chrono::Utc::now().date_naive();
    let tomorrow = today.succ_opt().unwrap();
    let mut ids = std::collections::BTreeMap::new();
    for (email, owner, due, extra) in [
        ("due@x.io", &booth.user_id, today, json!({})),
        ("done@x.io", &booth.user_id, today, json!({"follow_up_status": "converted"})),
        ("later@x.io", &booth.user_id, tomorrow, json!({})),
        ("shelved@x.io", &booth.user_id, today, json!({"is_archived": true})),
        ("reps@x.io", &rep.user_id, today, json!({})),
    ] {
        let (_, lead) = app
            .post(
                &w.capture_path(),
                Some(&rep.token),
                json!({"interaction_type": "booth_visit", "attendee": {"email": email}}),
            )
            .await;
        let path = w.leads_path(&format!("/{}", lead["id"].as_str().unwrap()));
        let mut change = json!({"owner_user_id": owner, "due_on": due.to_string()});
        change.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        let (status, body) = app.patch(&path, Some(&rep.token), change).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        ids.insert(email, lead["id"].as_str().unwrap().to_string());
    }

    // several workers at once (the app's own is running too): one e-mail per owner
    let svc = &app.server.state.services;
    let runs =
        futures_util::future::join_all((0..4).map(|_| sponsorhub_services::email::remind_due_follow_ups(svc))).await;
    for r in &runs {
        assert!(r.is_ok(), "{r:?}");
    }
    let reminders = || async {
        let mut tx = svc.store.read().await.unwrap();
        let rows = sponsorhub_store::outbox::recent(&mut tx, None, 1000).await.unwrap();
        rows.into_iter().filter(|r| r.kind == EmailKind::FollowUpReminder).collect::<Vec<_>>()
    };
    let rows = reminders().await;
    assert_eq!(rows.len(), 2, "{:?}", rows.iter().map(|r| &r.recipients.0).collect::<Vec<_>>());
    let to_booth = rows.iter().find(|r| r.recipients.0 == ["booth@ferris.io"]).expect("the booth's reminder");
    assert!(to_booth.text_body.contains("due@x.io"), "{}", to_booth.text_body);
    assert!(to_booth.text_body.contains(&ids["due@x.io"]), "links the lead");
    for absent in ["done@x.io", "later@x.io", "shelved@x.io", "reps@x.io"] {
        assert!(!to_booth.text_body.contains(absent), "{absent} is not due: {}", to_booth.text_body);
    }
    assert_eq!(to_booth.subject, "Follow up today: due@x.io");
    assert!(to_booth.html_body.contains("due@x.io"));
    let to_rep = rows.iter().find(|r| r.recipients.0 == ["rep@ferris.io"]).expect("the rep's reminder");
    assert!(to_rep.text_body.contains("reps@x.io") && !to_rep.text_body.contains("due@x.io"));
    // a later run the same day sends nothing more
    assert_eq!(sponsorhub_services::email::remind_due_follow_ups(svc).await.unwrap(), 0);
    assert_eq!(reminders().await.len(), 2);
    app.stop().await;
}
