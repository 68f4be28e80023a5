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

/// A pooled PostgreSQL connection is not pinged on every acquire, only after it
/// sat idle for a second (docs/DECISIONS.md, "Pooled connections pinged only after
/// a second idle"): connections that died while idle (a database restart, a
/// proxy's idle cut) are found out and replaced, in both pools, before a use
/// case runs on them.
#[tokio::test]
async fn postgres_connections_that_died_idle_are_replaced() {
    use sponsorhub_store::{Store, StoreOptions, rate_limits};
    let url = sponsorhub_testkit::fresh_postgres_schema().await;
    let store = Store::connect(&url, &StoreOptions { max_connections: 4, ..Default::default() }).await.unwrap();
    store.migrate().await.unwrap();
    let now = chrono::Utc::now();
    rate_limits::take_now(&store, "t", 10.0, 1.0, 1, now).await.unwrap().expect("a PostgreSQL bucket");

    // a connection goes back to its pool in the background (sqlx tests it first)
    let mut pids = Vec::new();
    for _ in 0..100 {
        pids = store.postgres_idle_backend_pids().await.unwrap();
        if pids.len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(pids.len() >= 2, "a connection in each pool: {pids:?}");
    // back in the pools (tested on the way) before they are ended
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
    for pid in &pids {
        let ended: bool =
            sqlx::query_scalar("SELECT pg_terminate_backend($1, 5000)").bind(pid).fetch_one(&mut admin).await.unwrap();
        assert!(ended, "backend {pid} ended");
    }
    tokio::time::sleep(sponsorhub_store::POSTGRES_PING_AFTER_IDLE + std::time::Duration::from_millis(300)).await;

    for _ in 0..pids.len() {
        let tx = store.write().await.expect("a live connection after the old ones died");
        tx.commit().await.unwrap();
        rate_limits::take_now(&store, "t", 10.0, 1.0, 1, now).await.expect("a live bucket connection");
    }
    let fresh = store.postgres_idle_backend_pids().await.unwrap();
    assert!(fresh.iter().all(|p| !pids.contains(p)), "dead connections left the pools: {pids:?} {fresh:?}");
}

/// A transaction PostgreSQL ended to break a deadlock, or for a conflict with a
/// concurrent one (`serialization_failure`), did nothing and would succeed if
/// sent again: the caller gets 503 with Retry-After, not a 500
/// (docs/DECISIONS.md, "Limits").
#[tokio::test]
async fn postgres_deadlocks_and_conflicts_are_retried_later_not_failed() {
    use sponsorhub_services::Error;
    use sponsorhub_store::StoreError;
    let url = sponsorhub_testkit::fresh_postgres_schema().await;
    let (mut a, mut b) =
        (sqlx::PgConnection::connect(&url).await.unwrap(), sqlx::PgConnection::connect(&url).await.unwrap());
    sqlx::query("CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL)").execute(&mut a).await.unwrap();
    sqlx::query("INSERT INTO t VALUES (1, 0), (2, 0)").execute(&mut a).await.unwrap();
    let retry_later = |e: sqlx::Error| {
        let code = e.as_database_error().and_then(|d| d.code()).map(|c| c.to_string());
        (
            code,
            matches!(Error::from(StoreError::from(e)), Error::Unavailable { retry_after_secs } if retry_after_secs > 0),
        )
    };

    // a deadlock: each holds the row the other wants
    for (c, id) in [(&mut a, 1), (&mut b, 2)] {
        sqlx::query("BEGIN").execute(&mut *c).await.unwrap();
        sqlx::query("UPDATE t SET v = 1 WHERE id = $1").bind(id).execute(&mut *c).await.unwrap();
    }
    let (first, second) = tokio::join!(
        sqlx::query("UPDATE t SET v = 2 WHERE id = 2").execute(&mut a),
        sqlx::query("UPDATE t SET v = 2 WHERE id = 1").execute(&mut b),
    );
    let ended = first.err().or(second.err()).expect("PostgreSQL ends one of the two");
    assert_eq!(retry_later(ended), (Some("40P01".into()), true));
    for c in [&mut a, &mut b] {
        sqlx::query("ROLLBACK").execute(&mut *c).await.unwrap();
    }

    // a conflict: a repeatable-read transaction updates a row changed since its snapshot
    sqlx::query("BEGIN ISOLATION LEVEL REPEATABLE READ").execute(&mut a).await.unwrap();
    sqlx::query("SELECT v FROM t WHERE id = 1").execute(&mut a).await.unwrap();
    sqlx::query("UPDATE t SET v = 3 WHERE id = 1").execute(&mut b).await.unwrap();
    let err = sqlx::query("UPDATE t SET v = 4 WHERE id = 1").execute(&mut a).await.unwrap_err();
    assert_eq!(retry_later(err), (Some("40001".into()), true));
    sqlx::query("ROLLBACK").execute(&mut a).await.unwrap();
}
