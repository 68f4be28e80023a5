//! The reference report's backend checklist and the rules around it, over HTTP, on
//! SQLite and PostgreSQL.

mod common;

use common::{another_sponsor, join_staff, world};
use reqwest::StatusCode;
use serde_json::json;
use sponsorhub_testkit::{TestApp, assert_problem, dual_backend, next_invitation_token};

dual_backend!(
    default_tiers_are_created_once_and_listed_in_order,
    tiers_can_be_changed_and_deleted_only_when_unused,
    sponsors_are_created_listed_filtered_archived_and_restored,
    sponsor_staff_edit_only_the_profile,
    invitation_is_sent_and_accepted,
    invitation_rules,
    accepting_respects_the_tiers_representative_limit,
    representatives_are_managed_and_a_sponsor_keeps_an_admin,
    my_sponsors_lists_memberships,
);

async fn default_tiers_are_created_once_and_listed_in_order(app: TestApp) {
    let w = world(&app).await;
    let names: Vec<&str> = w.tiers.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Platinum", "Gold", "Silver", "Bronze"]);
    assert_eq!(w.tiers[0]["color"], "#E5E4E2");
    assert!(w.tiers[0]["benefits"].as_array().unwrap().len() >= 3);
    assert!(w.tiers[0]["max_representatives"].as_i64().unwrap() > w.tiers[3]["max_representatives"].as_i64().unwrap());

    let defaults = w.org_path(&format!("/events/{}/sponsor-tiers/defaults", w.event_id));
    let (status, again) = app.post(&defaults, Some(&w.organizer.token), json!({})).await;
    assert_eq!(status, StatusCode::OK, "nothing new the second time");
    assert_eq!(again["items"].as_array().unwrap().len(), 4);

    let (status, created) = app
        .post(
            &w.org_path(&format!("/events/{}/sponsor-tiers", w.event_id)),
            Some(&w.organizer.token),
            json!({"name": "Startup", "display_order": 0, "color": "#00aa00", "benefits": ["Demo table"], "max_representatives": 1, "price_cents": 50000}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["color"], "#00AA00");
    let (status, list) =
        app.get(&w.org_path(&format!("/events/{}/sponsor-tiers", w.event_id)), Some(&w.organizer.token)).await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = list["items"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Startup", "Platinum", "Gold", "Silver", "Bronze"]);

    let (status, body) = app
        .post(
            &w.org_path(&format!("/events/{}/sponsor-tiers", w.event_id)),
            Some(&w.organizer.token),
            json!({"name": "Gold"}),
        )
        .await;
    assert_problem(status, &body, 409);
    let (status, body) = app
        .post(
            &w.org_path(&format!("/events/{}/sponsor-tiers", w.event_id)),
            Some(&w.organizer.token),
            json!({"name": "X", "color": "gold", "max_representatives": 0}),
        )
        .await;
    assert_problem(status, &body, 422);
    assert_eq!(body["errors"].as_array().unwrap().len(), 2);
}

async fn tiers_can_be_changed_and_deleted_only_when_unused(app: TestApp) {
    let w = world(&app).await;
    let gold = w.org_path(&format!("/sponsor-tiers/{}", w.tier_id("Gold")));
    let (status, t) =
        app.patch(&gold, Some(&w.organizer.token), json!({"max_representatives": 2, "description": null})).await;
    assert_eq!(status, StatusCode::OK, "{t}");
    assert_eq!(t["max_representatives"], 2);
    assert_eq!(t["description"], json!(null));
    let (status, got) = app.get(&gold, Some(&w.organizer.token)).await;
    assert_eq!((status, &got), (StatusCode::OK, &t));

    // Gold has Ferris Inc: not deletable; Bronze is unused.
    let (status, body) = app.delete(&gold, Some(&w.organizer.token)).await;
    assert_problem(status, &body, 409);
    let bronze = w.org_path(&format!("/sponsor-tiers/{}", w.tier_id("Bronze")));
    let (status, _) = app.delete(&bronze, Some(&w.organizer.token)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = app.get(&bronze, Some(&w.organizer.token)).await;
    assert_problem(status, &body, 404);
}

async fn sponsors_are_created_listed_filtered_archived_and_restored(app: TestApp) {
    let w = world(&app).await;
    let base = w.org_path(&format!("/events/{}/sponsors", w.event_id));
    let tok = Some(w.organizer.token.as_str());
    let (status, acme) = app
        .post(
            &base,
            tok,
            json!({"company_name": "Acme Robotics", "tier_id": w.tier_id("Platinum"), "is_featured": true,
                   "company_website": "https://acme.example", "booth_number": "A1",
                   "social_links": {"linkedin": "https://linkedin.com/company/acme"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{acme}");
    assert_eq!(acme["tier"]["name"], "Platinum");
    assert_eq!(acme["representative_count"], 0);
    assert_eq!(acme["lead_count"], 0);
    let acme_id = acme["id"].as_str().unwrap();

    let (status, all) = app.get(&base, tok).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    let (_, featured) = app.get(&format!("{base}?is_featured=true"), tok).await;
    assert_eq!(featured["items"][0]["id"], json!(acme_id));
    assert_eq!(featured["items"].as_array().unwrap().len(), 1);
    let (_, gold) = app.get(&format!("{base}?tier_id={}", w.tier_id("Gold")), tok).await;
    assert_eq!(gold["items"][0]["company_name"], "Ferris Inc");
    let (_, found) = app.get(&format!("{base}?search=ROBOT"), tok).await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    let (_, none) = app.get(&format!("{base}?search=%25"), tok).await;
    assert_eq!(none["items"].as_array().unwrap().len(), 0, "LIKE wildcards are literal");
    let (_, page) = app.get(&format!("{base}?limit=1"), tok).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let (_, page2) = app.get(&format!("{base}?limit=1&cursor={}", page["next_cursor"].as_str().unwrap()), tok).await;
    assert_eq!(page2["items"].as_array().unwrap().len(), 1);
    assert_ne!(page["items"][0]["id"], page2["items"][0]["id"]);

    let one = w.org_path(&format!("/sponsors/{acme_id}"));
    let (status, changed) = app
        .patch(&one, tok, json!({"is_featured": false, "tier_id": w.tier_id("Silver"), "lead_capture_enabled": false, "booth_number": null}))
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!((changed["is_featured"].as_bool(), changed["tier"]["name"].as_str()), (Some(false), Some("Silver")));
    assert_eq!(changed["booth_number"], json!(null));
    let (status, body) = app.patch(&one, tok, json!({"tier_id": "0190a000-0000-7000-8000-000000000000"})).await;
    assert_problem(status, &body, 422);

    let (status, archived) = app.delete(&one, tok).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(archived["is_archived"], true);
    assert!(archived["archived_at"].is_string());
    let (_, active) = app.get(&base, tok).await;
    assert_eq!(active["items"].as_array().unwrap().len(), 1);
    let (_, with_archived) = app.get(&format!("{base}?include_archived=true"), tok).await;
    assert_eq!(with_archived["items"].as_array().unwrap().len(), 2);
    let (status, restored) = app.post(&format!("{one}/restore"), tok, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((restored["is_archived"].as_bool(), &restored["archived_at"]), (Some(false), &json!(null)));
}

async fn sponsor_staff_edit_only_the_profile(app: TestApp) {
    let w = world(&app).await;
    let (admin, _) = join_staff(&app, &w, &w.sponsor_id, "boss@ferris.io", "admin").await;
    let (staff, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let one = w.org_path(&format!("/sponsors/{}", w.sponsor_id));
    let (status, s) = app
        .patch(&one, Some(&admin.token), json!({"company_description": "Crabs <3", "booth_number": "B7", "lead_notification_email": "Leads@Ferris.io"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(s["booth_number"], "B7");
    assert_eq!(s["lead_notification_email"], "leads@ferris.io");
    assert_eq!(s["representative_count"], 2);
    let (status, body) = app.patch(&one, Some(&admin.token), json!({"is_featured": true})).await;
    assert_problem(status, &body, 403);
    let (status, body) = app.patch(&one, Some(&staff.token), json!({"booth_number": "C1"})).await;
    assert_problem(status, &body, 403);
    let (status, got) = app.get(&one, Some(&staff.token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got["booth_number"], "B7");
}

async fn invitation_is_sent_and_accepted(app: TestApp) {
    let w = world(&app).await;
    let mut rx = app.notifications();
    let invitations = w.org_path(&format!("/sponsors/{}/invitations", w.sponsor_id));
    let (status, inv) = app
        .post(
            &invitations,
            Some(&w.organizer.token),
            json!({"email": "Rep@Ferris.io", "role": "representative", "personal_message": "Welcome aboard"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{inv}");
    assert_eq!((inv["email"].as_str(), inv["status"].as_str()), (Some("rep@ferris.io"), Some("pending")));
    assert!(inv.get("token").is_none() && inv.get("token_hash").is_none(), "no secret in the answer: {inv}");

    // the message to send names the recipient and carries the accept link
    let msg = loop {
        if let sponsorhub_services::notify::Notification::InvitationIssued(m) = rx.recv().await.unwrap() {
            break m;
        }
    };
    assert_eq!(msg.to_email, "rep@ferris.io");
    assert_eq!((msg.sponsor_name.as_str(), msg.event_name.as_str()), ("Ferris Inc", "RustConf"));
    assert!(msg.accept_url.ends_with(&format!("/invitations/accept?token={}", msg.token)));
    assert!(msg.token.len() >= 43);
    assert!(!format!("{msg:?}").contains(&msg.token), "Debug must not show the token");

    let rep = app.signup("rep@ferris.io", "Rep's own org").await;
    let (status, accepted) =
        app.post("/api/v1/sponsors/sponsor-invitations/accept", Some(&rep.token), json!({"token": msg.token})).await;
    assert_eq!(status, StatusCode::OK, "{accepted}");
    let m = &accepted["membership"];
    assert_eq!((m["role"].as_str(), m["user_id"].as_str()), (Some("representative"), Some(rep.user_id.as_str())));
    assert_eq!(
        (
            m["can_view_leads"].as_bool(),
            m["can_export_leads"].as_bool(),
            m["can_manage_booth"].as_bool(),
            m["can_invite_others"].as_bool()
        ),
        (Some(true), Some(true), Some(false), Some(false))
    );
    assert_eq!(accepted["invitation"]["status"], "accepted");

    let (status, list) = app.get(&format!("{invitations}?status=accepted"), Some(&w.organizer.token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let (_, pending) = app.get(&format!("{invitations}?status=pending"), Some(&w.organizer.token)).await;
    assert_eq!(pending["items"].as_array().unwrap().len(), 0);
    let (status, body) = app.get(&format!("{invitations}?status=bogus"), Some(&w.organizer.token)).await;
    assert_problem(status, &body, 422);

    // single use
    let (status, body) =
        app.post("/api/v1/sponsors/sponsor-invitations/accept", Some(&rep.token), json!({"token": msg.token})).await;
    assert_problem(status, &body, 409);
}

async fn invitation_rules(app: TestApp) {
    let w = world(&app).await;
    let invitations = w.org_path(&format!("/sponsors/{}/invitations", w.sponsor_id));
    let tok = Some(w.organizer.token.as_str());
    let mut rx = app.notifications();
    let accept = "/api/v1/sponsors/sponsor-invitations/accept";

    let (status, inv) = app.post(&invitations, tok, json!({"email": "a@ferris.io", "role": "viewer"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let first_token = next_invitation_token(&mut rx).await;
    // one pending invitation per e-mail (case-insensitive)
    let (status, body) = app.post(&invitations, tok, json!({"email": "A@FERRIS.io", "role": "admin"})).await;
    assert_problem(status, &body, 409);
    let (status, body) = app.post(&invitations, tok, json!({"email": "x@ferris.io", "role": "owner"})).await;
    assert_problem(status, &body, 422);

    // the wrong person cannot accept
    let stranger = app.signup("stranger@else.io", "Else").await;
    let (status, body) = app.post(accept, Some(&stranger.token), json!({"token": first_token})).await;
    assert_problem(status, &body, 403);
    let (status, body) = app.post(accept, Some(&stranger.token), json!({"token": "no-such-token"})).await;
    assert_problem(status, &body, 404);

    // resend: a fresh token; the old one is dead
    let inv_id = inv["id"].as_str().unwrap();
    let (status, resent) = app.post(&w.org_path(&format!("/invitations/{inv_id}/resend")), tok, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{resent}");
    let second_token = next_invitation_token(&mut rx).await;
    assert_ne!(first_token, second_token);
    let a = app.signup("a@ferris.io", "A org").await;
    let (status, body) = app.post(accept, Some(&a.token), json!({"token": first_token})).await;
    assert_problem(status, &body, 404);

    // revoked: 410
    let (status, revoked) = app.delete(&w.org_path(&format!("/invitations/{inv_id}")), tok).await;
    assert_eq!((status, revoked["status"].as_str()), (StatusCode::OK, Some("revoked")));
    let (status, body) = app.post(accept, Some(&a.token), json!({"token": second_token})).await;
    assert_problem(status, &body, 410);
    let (status, body) = app.delete(&w.org_path(&format!("/invitations/{inv_id}")), tok).await;
    assert_problem(status, &body, 409);
}

async fn accepting_respects_the_tiers_representative_limit(app: TestApp) {
    let w = world(&app).await;
    // Bronze allows two representatives
    let s = w.org_path(&format!("/sponsors/{}", w.sponsor_id));
    let (status, _) = app.patch(&s, Some(&w.organizer.token), json!({"tier_id": w.tier_id("Bronze")})).await;
    assert_eq!(status, StatusCode::OK);
    join_staff(&app, &w, &w.sponsor_id, "one@ferris.io", "admin").await;
    join_staff(&app, &w, &w.sponsor_id, "two@ferris.io", "booth_staff").await;
    let mut rx = app.notifications();
    let (status, _) = app
        .post(
            &w.org_path(&format!("/sponsors/{}/invitations", w.sponsor_id)),
            Some(&w.organizer.token),
            json!({"email": "three@ferris.io", "role": "viewer"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let token = next_invitation_token(&mut rx).await;
    let three = app.signup("three@ferris.io", "Three").await;
    let (status, body) =
        app.post("/api/v1/sponsors/sponsor-invitations/accept", Some(&three.token), json!({"token": token})).await;
    assert_problem(status, &body, 409);
    let (_, s) = app.get(&s, Some(&w.organizer.token)).await;
    assert_eq!(s["representative_count"], 2);
}

async fn representatives_are_managed_and_a_sponsor_keeps_an_admin(app: TestApp) {
    let w = world(&app).await;
    let (admin, admin_id) = join_staff(&app, &w, &w.sponsor_id, "boss@ferris.io", "admin").await;
    let (_rep, rep_id) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let users = w.org_path(&format!("/sponsors/{}/users", w.sponsor_id));
    let (status, list) = app.get(&users, Some(&admin.token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    assert_eq!(list["items"][0]["user_email"], "boss@ferris.io");

    // the sponsor admin changes the representative: new role resets flags, a flag on top
    let rep = w.org_path(&format!("/sponsor-users/{rep_id}"));
    let (status, m) = app.patch(&rep, Some(&admin.token), json!({"role": "viewer", "can_export_leads": true})).await;
    assert_eq!(status, StatusCode::OK, "{m}");
    assert_eq!(
        (m["role"].as_str(), m["can_export_leads"].as_bool(), m["can_message_attendees"].as_bool()),
        (Some("viewer"), Some(true), Some(false))
    );

    // the last admin cannot step down or be removed
    let boss = w.org_path(&format!("/sponsor-users/{admin_id}"));
    let (status, body) = app.patch(&boss, Some(&w.organizer.token), json!({"role": "representative"})).await;
    assert_problem(status, &body, 409);
    let (status, body) = app.delete(&boss, Some(&w.organizer.token)).await;
    assert_problem(status, &body, 409);
    // with a second admin, they can
    let (status, _) = app.patch(&rep, Some(&admin.token), json!({"role": "admin"})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, gone) = app.delete(&boss, Some(&w.organizer.token)).await;
    assert_eq!((status, gone["is_active"].as_bool()), (StatusCode::OK, Some(false)));
    let (_, list) = app.get(&users, Some(&w.organizer.token)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    // and the removed admin has lost access
    let (status, body) = app.get(&users, Some(&admin.token)).await;
    assert_problem(status, &body, 404);
}

async fn my_sponsors_lists_memberships(app: TestApp) {
    let w = world(&app).await;
    let other = another_sponsor(&app, &w, "Other Co").await;
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let mut rx = app.notifications();
    let (status, _) = app
        .post(
            &w.org_path(&format!("/sponsors/{other}/invitations")),
            Some(&w.organizer.token),
            json!({"email": "rep@ferris.io", "role": "booth_staff"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let token = next_invitation_token(&mut rx).await;
    let (status, _) =
        app.post("/api/v1/sponsors/sponsor-invitations/accept", Some(&rep.token), json!({"token": token})).await;
    assert_eq!(status, StatusCode::OK);

    let (status, mine) = app.get("/api/v1/sponsors/my-sponsors", Some(&rep.token)).await;
    assert_eq!(status, StatusCode::OK);
    let items = mine["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let ferris = items.iter().find(|i| i["sponsor"]["id"] == json!(w.sponsor_id)).unwrap();
    assert_eq!(ferris["membership"]["role"], "representative");
    assert_eq!(ferris["event"]["name"], "RustConf");
    let (_, none) = app.get("/api/v1/sponsors/my-sponsors", Some(&w.organizer.token)).await;
    assert_eq!(none["items"], json!([]));
}
