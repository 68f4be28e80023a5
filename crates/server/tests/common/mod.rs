//! A small world for the sponsor API tests: an organizer with an event, default
//! tiers and a sponsor, and helpers to put people on the sponsor's staff.
#![allow(dead_code)]

pub mod sio;

use reqwest::StatusCode;
use serde_json::{Value, json};
use sponsorhub_testkit::{Account, TestApp, next_invitation_token};

pub struct World {
    pub organizer: Account,
    pub event_id: String,
    /// Platinum, Gold, Silver, Bronze
    pub tiers: Vec<Value>,
    pub sponsor_id: String,
}

impl World {
    pub fn org_path(&self, rest: &str) -> String {
        format!("/api/v1/sponsors/organizations/{}{rest}", self.organizer.org_id)
    }

    pub fn tier_id(&self, name: &str) -> String {
        self.tiers.iter().find(|t| t["name"] == name).unwrap()["id"].as_str().unwrap().to_string()
    }

    pub fn capture_path(&self) -> String {
        format!("/api/v1/sponsors/events/{}/sponsors/{}/capture-lead", self.event_id, self.sponsor_id)
    }

    pub fn leads_path(&self, rest: &str) -> String {
        format!("/api/v1/sponsors/sponsors/{}/leads{rest}", self.sponsor_id)
    }
}

/// An organizer, an event with the default tiers, and a Gold sponsor.
pub async fn world(app: &TestApp) -> World {
    let organizer = app.signup("organizer@acme-events.io", "Acme Events").await;
    let (status, event) = app
        .post(
            &format!("/api/v1/organizations/{}/events", organizer.org_id),
            Some(&organizer.token),
            json!({"name": "RustConf"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{event}");
    let event_id = event["id"].as_str().unwrap().to_string();
    let base = format!("/api/v1/sponsors/organizations/{}/events/{event_id}", organizer.org_id);
    let (status, tiers) = app.post(&format!("{base}/sponsor-tiers/defaults"), Some(&organizer.token), json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{tiers}");
    let tiers = tiers["items"].as_array().unwrap().clone();
    let gold = tiers.iter().find(|t| t["name"] == "Gold").unwrap()["id"].clone();
    let (status, sponsor) = app
        .post(
            &format!("{base}/sponsors"),
            Some(&organizer.token),
            json!({"company_name": "Ferris Inc", "tier_id": gold}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{sponsor}");
    World { organizer, event_id, tiers, sponsor_id: sponsor["id"].as_str().unwrap().to_string() }
}

/// Another sponsor of the same event.
pub async fn another_sponsor(app: &TestApp, w: &World, name: &str) -> String {
    let (status, s) = app
        .post(
            &w.org_path(&format!("/events/{}/sponsors", w.event_id)),
            Some(&w.organizer.token),
            json!({"company_name": name}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{s}");
    s["id"].as_str().unwrap().to_string()
}

/// Signs `email` up, invites them to `sponsor` with `role` and accepts: returns the
/// account and the sponsor_users id.
pub async fn join_staff(app: &TestApp, w: &World, sponsor: &str, email: &str, role: &str) -> (Account, String) {
    let mut rx = app.notifications();
    let (status, inv) = app
        .post(
            &w.org_path(&format!("/sponsors/{sponsor}/invitations")),
            Some(&w.organizer.token),
            json!({"email": email, "role": role}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{inv}");
    let token = next_invitation_token(&mut rx).await;
    let account = app.signup(email, &format!("{email} org")).await;
    let (status, accepted) =
        app.post("/api/v1/sponsors/sponsor-invitations/accept", Some(&account.token), json!({"token": token})).await;
    assert_eq!(status, StatusCode::OK, "{accepted}");
    (account, accepted["membership"]["id"].as_str().unwrap().to_string())
}

/// A GraphQL request over HTTP with a bearer token; the answer must be 200.
pub async fn gql(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    let res = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(token)
        .json(&json!({"query": query, "variables": variables}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}
