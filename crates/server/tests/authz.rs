//! Every sponsor endpoint, walked as callers who must not get through: an organizer
//! of another organization, a booth_staff member, a viewer, a member of another
//! sponsor of the same event, and an anonymous caller. Each answer's exact status is
//! checked, on SQLite and PostgreSQL.

mod common;

use common::{another_sponsor, join_staff, world};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sponsorhub_testkit::{TestApp, dual_backend, next_invitation_token};

dual_backend!(every_endpoint_refuses_the_right_callers, grants_never_exceed_what_the_granter_holds);

/// Expected status per caller: other organizer, booth_staff, viewer, other sponsor's member, anonymous.
type Expect = [u16; 5];

async fn every_endpoint_refuses_the_right_callers(app: TestApp) {
    let w = world(&app).await;
    let outsider = app.signup("owner@other-org.io", "Other Org").await;
    let (booth, booth_member_id) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let (viewer, _) = join_staff(&app, &w, &w.sponsor_id, "viewer@ferris.io", "viewer").await;
    let (_admin, _) = join_staff(&app, &w, &w.sponsor_id, "admin@ferris.io", "admin").await;
    let other_sponsor = another_sponsor(&app, &w, "Rival Ltd").await;
    let (rival, _) = join_staff(&app, &w, &other_sponsor, "admin@rival.io", "admin").await;

    // objects to aim at
    let mut rx = app.notifications();
    let (_, inv) = app
        .post(
            &w.org_path(&format!("/sponsors/{}/invitations", w.sponsor_id)),
            Some(&w.organizer.token),
            json!({"email": "later@ferris.io", "role": "viewer"}),
        )
        .await;
    let inv_id = inv["id"].as_str().unwrap().to_string();
    let inv_token = next_invitation_token(&mut rx).await;
    let (_, lead) = app
        .post(
            &w.capture_path(),
            Some(&booth.token),
            json!({"interaction_type": "booth_visit", "attendee": {"email": "lead@corp.io"}}),
        )
        .await;
    let lead_id = lead["id"].as_str().unwrap().to_string();
    let tier = w.tier_id("Silver");
    let ev = &w.event_id;
    let sp = &w.sponsor_id;

    const NF: u16 = 404;
    const FB: u16 = 403;
    const UA: u16 = 401;
    let capture_for_other = json!({"interaction_type": "qr_scan", "attendee": {"email": "someone@corp.io"}});
    let cases: Vec<(Method, String, Value, Expect)> = vec![
        // tiers and sponsor lists hang off the organization: sponsor staff are outsiders there
        (
            Method::POST,
            w.org_path(&format!("/events/{ev}/sponsor-tiers")),
            json!({"name": "Diamond"}),
            [NF, NF, NF, NF, UA],
        ),
        (Method::POST, w.org_path(&format!("/events/{ev}/sponsor-tiers/defaults")), json!({}), [NF, NF, NF, NF, UA]),
        (Method::GET, w.org_path(&format!("/events/{ev}/sponsor-tiers")), Value::Null, [NF, NF, NF, NF, UA]),
        (Method::GET, w.org_path(&format!("/sponsor-tiers/{tier}")), Value::Null, [NF, NF, NF, NF, UA]),
        (Method::PATCH, w.org_path(&format!("/sponsor-tiers/{tier}")), json!({"name": "Tin"}), [NF, NF, NF, NF, UA]),
        (Method::DELETE, w.org_path(&format!("/sponsor-tiers/{tier}")), Value::Null, [NF, NF, NF, NF, UA]),
        (
            Method::POST,
            w.org_path(&format!("/events/{ev}/sponsors")),
            json!({"company_name": "Sneaky"}),
            [NF, NF, NF, NF, UA],
        ),
        (Method::GET, w.org_path(&format!("/events/{ev}/sponsors")), Value::Null, [NF, NF, NF, NF, UA]),
        // the sponsor itself: its staff know it
        (Method::GET, w.org_path(&format!("/sponsors/{sp}")), Value::Null, [NF, 200, 200, NF, UA]),
        (Method::PATCH, w.org_path(&format!("/sponsors/{sp}")), json!({"booth_number": "Z9"}), [NF, FB, FB, NF, UA]),
        (Method::PATCH, w.org_path(&format!("/sponsors/{sp}")), json!({"is_featured": true}), [NF, FB, FB, NF, UA]),
        (Method::DELETE, w.org_path(&format!("/sponsors/{sp}")), Value::Null, [NF, FB, FB, NF, UA]),
        (Method::POST, w.org_path(&format!("/sponsors/{sp}/restore")), json!({}), [NF, FB, FB, NF, UA]),
        (
            Method::POST,
            w.org_path(&format!("/sponsors/{sp}/invitations")),
            json!({"email": "n@x.io", "role": "viewer"}),
            [NF, FB, FB, NF, UA],
        ),
        (Method::GET, w.org_path(&format!("/sponsors/{sp}/invitations")), Value::Null, [NF, FB, FB, NF, UA]),
        (Method::DELETE, w.org_path(&format!("/invitations/{inv_id}")), Value::Null, [NF, FB, FB, NF, UA]),
        (Method::POST, w.org_path(&format!("/invitations/{inv_id}/resend")), json!({}), [NF, FB, FB, NF, UA]),
        (
            Method::POST,
            "/api/v1/sponsors/sponsor-invitations/accept".into(),
            json!({"token": inv_token}),
            [FB, FB, FB, FB, UA],
        ),
        (Method::GET, w.org_path(&format!("/sponsors/{sp}/users")), Value::Null, [NF, 200, 200, NF, UA]),
        (
            Method::PATCH,
            w.org_path(&format!("/sponsor-users/{booth_member_id}")),
            json!({"role": "admin"}),
            [NF, FB, FB, NF, UA],
        ),
        (Method::DELETE, w.org_path(&format!("/sponsor-users/{booth_member_id}")), Value::Null, [NF, FB, FB, NF, UA]),
        (Method::GET, "/api/v1/sponsors/my-sponsors".into(), Value::Null, [200, 200, 200, 200, UA]),
        (Method::GET, w.leads_path(""), Value::Null, [NF, 200, 200, NF, UA]),
        (Method::GET, w.leads_path("/stats"), Value::Null, [NF, 200, 200, NF, UA]),
        (Method::GET, w.leads_path(&format!("/{lead_id}")), Value::Null, [NF, 200, 200, NF, UA]),
        (Method::PATCH, w.leads_path(&format!("/{lead_id}")), json!({"is_starred": true}), [NF, 200, FB, NF, UA]),
        (Method::POST, w.capture_path(), capture_for_other, [NF, 201, FB, NF, UA]),
        // an attendee recording their own interaction: anyone signed in
        (Method::POST, w.capture_path(), json!({"interaction_type": "content_view"}), [201, 201, 201, 201, UA]),
    ];
    let callers: [Option<&str>; 5] =
        [Some(&outsider.token), Some(&booth.token), Some(&viewer.token), Some(&rival.token), None];
    let names = ["other organizer", "booth_staff", "viewer", "other sponsor's member", "anonymous"];
    let mut failures = Vec::new();
    for (method, path, body, expect) in &cases {
        for (i, caller) in callers.iter().enumerate() {
            let body = if body.is_null() { None } else { Some(body.clone()) };
            let (status, headers, answer) = app.send(method.clone(), path, *caller, body).await;
            if status.as_u16() != expect[i] {
                failures.push(format!("{method} {path} as {}: {status}, want {} ({answer})", names[i], expect[i]));
            }
            if !status.is_success() && headers["content-type"] != "application/problem+json" {
                failures.push(format!("{method} {path} as {}: not problem+json", names[i]));
            }
        }
    }
    assert!(failures.is_empty(), "{} wrong answers:\n{}", failures.len(), failures.join("\n"));

    // and nothing the refused calls tried took effect
    let (_, s) = app.get(&w.org_path(&format!("/sponsors/{sp}")), Some(&w.organizer.token)).await;
    assert_eq!(
        (s["is_featured"].as_bool(), s["is_archived"].as_bool(), s["booth_number"].as_str()),
        (Some(false), Some(false), None)
    );
    let (_, m) = app.get(&w.org_path(&format!("/sponsors/{sp}/users")), Some(&w.organizer.token)).await;
    let booth_row = m["items"].as_array().unwrap().iter().find(|u| u["id"] == json!(booth_member_id)).unwrap().clone();
    assert_eq!(booth_row["role"], "booth_staff");
    let status = app.get(&w.org_path(&format!("/sponsor-tiers/{tier}")), Some(&w.organizer.token)).await.0;
    assert_eq!(status, StatusCode::OK);
}

const ROLES: [&str; 4] = ["admin", "representative", "booth_staff", "viewer"];
const FLAGS: [&str; 5] =
    ["can_view_leads", "can_export_leads", "can_message_attendees", "can_manage_booth", "can_invite_others"];

/// Every inviter role × invited role, every flag granted by a sponsor admin with and
/// without it, and everyone's attempt to change their own role and flags: nobody
/// grants what they do not hold (docs/DECISIONS.md, "Who may do what").
async fn grants_never_exceed_what_the_granter_holds(app: TestApp) {
    let mut w = world(&app).await;
    // a sponsor without a tier: no seat limit for the staff below
    w.sponsor_id = another_sponsor(&app, &w, "Matrix Ltd").await;
    let org = w.organizer.token.clone();
    let member_path = |id: &str| w.org_path(&format!("/sponsor-users/{id}"));
    let invite_path = w.org_path(&format!("/sponsors/{}/invitations", w.sponsor_id));

    // one inviter per role, each allowed to invite
    let mut staff = Vec::new();
    for role in ROLES {
        let (account, id) = join_staff(&app, &w, &w.sponsor_id, &format!("{role}@matrix.io"), role).await;
        let (status, body) = app.patch(&member_path(&id), Some(&org), json!({"can_invite_others": true})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        staff.push((role, account, id));
    }
    // inviter role -> the roles they may invite at (each role's defaults are held
    // by the same or a higher role, plus the invite flag given above)
    let allowed = |inviter: &str, invited: &str| {
        let rank = |r: &str| ROLES.len() - ROLES.iter().position(|x| *x == r).unwrap();
        rank(invited) <= rank(inviter)
    };
    let mut wrong = Vec::new();
    for (inviter, account, _) in &staff {
        for invited in ROLES {
            let (status, body) = app
                .post(
                    &invite_path,
                    Some(&account.token),
                    json!({"email": format!("{inviter}-{invited}@new.io"), "role": invited}),
                )
                .await;
            let want = if allowed(inviter, invited) { StatusCode::CREATED } else { StatusCode::FORBIDDEN };
            if status != want {
                wrong.push(format!("{inviter} inviting a {invited}: {status} {body}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    // a sponsor admin grants every flag they hold, and none they lack
    let (_, admin, admin_id) = &staff[0];
    let (_, _, booth_id) = &staff[2];
    for flag in FLAGS {
        let (status, body) = app.patch(&member_path(booth_id), Some(&admin.token), json!({flag: true})).await;
        assert_eq!(status, StatusCode::OK, "admin granting {flag}: {body}");
        let (status, _) = app.patch(&member_path(booth_id), Some(&admin.token), json!({flag: false})).await;
        assert_eq!(status, StatusCode::OK, "admin withdrawing {flag}");
    }
    for flag in FLAGS {
        let (status, _) = app.patch(&member_path(admin_id), Some(&org), json!({flag: false})).await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = app.patch(&member_path(booth_id), Some(&admin.token), json!({flag: true})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "admin without {flag} granting it: {body}");
        assert!(body["detail"].as_str().unwrap().contains(flag), "{body}");
        let (status, _) = app.patch(&member_path(admin_id), Some(&org), json!({flag: true})).await;
        assert_eq!(status, StatusCode::OK);
    }

    // nobody changes their own role or flags, whatever their role
    for (role, account, id) in &staff {
        for change in [json!({"role": "admin"}), json!({"can_export_leads": true}), json!({"can_view_leads": false})] {
            let (status, body) = app.patch(&member_path(id), Some(&account.token), change.clone()).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{role} changing themselves with {change}: {body}");
        }
    }
    // only admins and organizers change others
    for (role, account, _) in &staff[1..] {
        let (status, _) = app.patch(&member_path(admin_id), Some(&account.token), json!({"role": "viewer"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role} changing the admin");
    }
    let (status, _) = app.patch(&member_path(booth_id), Some(&org), json!({"role": "admin"})).await;
    assert_eq!(status, StatusCode::OK, "organizers hold everything");
}
