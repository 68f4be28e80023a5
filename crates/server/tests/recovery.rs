//! After a crash: the Idempotency-Key claim of a request that was in flight when its
//! process died is released at once (the process no longer beats), not after the
//! minute a claim otherwise lives; a claim of a live process still answers 409.

mod common;

use common::{join_staff, world};
use reqwest::StatusCode;
use serde_json::json;
use sponsorhub_services::capture::{CaptureLead, IdempotencyKey};
use sponsorhub_testkit::{Backend, TestApp, dual_backend};
use sqlx::Connection;
use uuid::Uuid;

dual_backend!(a_dead_processs_claim_is_released_at_once);

/// Writes the claim a process left when it died mid-request.
async fn leave_claim(app: &TestApp, user: Uuid, key: &IdempotencyKey, instance: Uuid) {
    let url = app.config().database_url;
    let sql = "INSERT INTO idempotency_keys (user_id, idempotency_key, request_hash, created_at, instance_id)
               VALUES ($1, $2, $3, $4, $5)";
    let now = chrono::Utc::now();
    match app.backend {
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
            sqlx::query(sql)
                .bind(user)
                .bind(&key.key)
                .bind(key.fingerprint())
                .bind(now)
                .bind(instance)
                .execute(&mut c)
                .await
                .unwrap();
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
            sqlx::query(sql)
                .bind(user)
                .bind(&key.key)
                .bind(key.fingerprint())
                .bind(now)
                .bind(instance)
                .execute(&mut c)
                .await
                .unwrap();
        }
    }
}

async fn a_dead_processs_claim_is_released_at_once(app: TestApp) {
    let w = world(&app).await;
    let (booth, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let user: Uuid = booth.user_id.parse().unwrap();
    let (event, sponsor): (Uuid, Uuid) = (w.event_id.parse().unwrap(), w.sponsor_id.parse().unwrap());
    let body = json!({"interaction_type": "qr_scan", "attendee": {"email": "ada@corp.io"}});
    let input: CaptureLead = serde_json::from_value(body.clone()).unwrap();
    let send = |key: &'static str| {
        app.client
            .post(app.url(&w.capture_path()))
            .bearer_auth(&booth.token)
            .header("idempotency-key", key)
            .json(&body)
            .send()
    };

    // a process that died (it never beat, or stopped): its claim goes at once
    let dead = IdempotencyKey::new("k-dead".into(), event, sponsor, &input);
    leave_claim(&app, user, &dead, Uuid::now_v7()).await;
    let res = send("k-dead").await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());

    // a claim of this live process is a request still running: 409
    let live = IdempotencyKey::new("k-live".into(), event, sponsor, &input);
    leave_claim(&app, user, &live, app.server.state.services.instance_id).await;
    let res = send("k-live").await.unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
}
