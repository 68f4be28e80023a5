//! Test support: [`TestApp`] starts the real application on a free port, on a fresh
//! SQLite file or a fresh PostgreSQL schema, and talks HTTP to it. [`dual_backend!`]
//! turns one async test function into a SQLite test and a PostgreSQL test.
//!
//! PostgreSQL is taken from `SPONSORHUB_TEST_DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/sponsorhub_test`). A missing PostgreSQL fails
//! the PostgreSQL tests: it is never a skip.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sponsorhub_server::{Config, RunningServer};
use sqlx::Connection;
use std::net::SocketAddr;
use tempfile::TempDir;

pub use reqwest;
pub use serde_json;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const TEST_JWT_SECRET: &str = "test-secret-that-is-at-least-32-bytes-long";

/// Base URL of the PostgreSQL database the tests make their schemas in.
pub fn postgres_base_url() -> String {
    std::env::var("SPONSORHUB_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/sponsorhub_test".into())
}

/// Makes the test database if needed and a fresh schema in it; returns a URL whose
/// connections use that schema.
pub async fn fresh_postgres_schema() -> String {
    let base = postgres_base_url();
    let (server, db) = base.rsplit_once('/').expect("database URL with a database name");
    let db = db.split('?').next().unwrap_or(db).to_string();
    let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres"))
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {server} is required for the PostgreSQL tests: {e}"));
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(&db)
        .fetch_one(&mut admin)
        .await
        .expect("query pg_database");
    if !exists {
        // Tests run in parallel processes: another one may create it first.
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{db}\""))).execute(&mut admin).await;
    }
    admin.close().await.ok();
    let schema = format!("t_{}", uuid::Uuid::now_v7().simple());
    let mut conn = sqlx::PgConnection::connect(&base).await.expect("connect to the test database");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&mut conn)
        .await
        .expect("create schema");
    conn.close().await.ok();
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}options=-c%20search_path%3D{schema}")
}

/// A fresh database URL for `backend`, with the folder that holds it (SQLite).
pub async fn fresh_database(backend: Backend) -> (String, TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = match backend {
        Backend::Sqlite => sponsorhub_server::config::sqlite_url(dir.path()),
        Backend::Postgres => fresh_postgres_schema().await,
    };
    (url, dir)
}

/// A signed-up account: its token, user and organization.
#[derive(Debug, Clone)]
pub struct Account {
    pub token: String,
    pub user_id: String,
    pub org_id: String,
    pub email: String,
}

/// The running application and an HTTP client for it.
pub struct TestApp {
    pub server: RunningServer,
    pub client: reqwest::Client,
    pub backend: Backend,
    pub data_dir: TempDir,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        TestApp::spawn_with(backend, |_| {}).await
    }

    /// Starts the app with the test configuration, changed by `tweak`.
    pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let (url, dir) = fresh_database(backend).await;
        let mut config = Config::embedded(dir.path());
        config.database_url = url;
        config.bind = SocketAddr::from(([127, 0, 0, 1], 0));
        config.jwt.secret = Some(TEST_JWT_SECRET.into());
        // one badge secret for every instance of a test, as production needs
        config.badge_secret = Some(TEST_JWT_SECRET.into());
        config.db_max_connections = 5;
        // Every test signs many people up from 127.0.0.1.
        config.limits.signups_per_client_per_minute = 10_000;
        // Tests stop their apps at once.
        config.shutdown_drain = std::time::Duration::ZERO;
        // Tests share one PostgreSQL database: each app (and its peers) gets its own
        // NOTIFY channels, so their socket.io rooms stay apart.
        config.realtime.channel_prefix = format!("sponsorhub-test-{}", uuid::Uuid::now_v7().simple());
        // Each app on PostgreSQL waits this long before it serves, so that its
        // peers see it listen (docs/DECISIONS.md, "No NOTIFY when no other
        // instance listens"): short for tests, which start many.
        config.realtime.peers_trusted = std::time::Duration::from_millis(150);
        tweak(&mut config);
        let server = sponsorhub_server::start(config).await.expect("start the app");
        TestApp { server, client: reqwest::Client::new(), backend, data_dir: dir }
    }

    /// Like [`TestApp::spawn`], with the public URL (the base of e-mailed links) set
    /// to the address the app really listens on, as a browser test needs.
    pub async fn spawn_public(backend: Backend) -> TestApp {
        let (url, dir) = fresh_database(backend).await;
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await.expect("bind");
        let addr = listener.local_addr().expect("local address");
        let mut config = Config::embedded(dir.path());
        config.database_url = url;
        config.bind = addr;
        config.public_url = format!("http://{addr}");
        config.jwt.secret = Some(TEST_JWT_SECRET.into());
        // one badge secret for every instance of a test, as production needs
        config.badge_secret = Some(TEST_JWT_SECRET.into());
        config.db_max_connections = 5;
        config.limits.signups_per_client_per_minute = 10_000;
        // The browser flows page through more leads than one person captures in a minute.
        config.limits.captures_per_minute = 10_000;
        config.shutdown_drain = std::time::Duration::ZERO;
        let server = sponsorhub_server::start_on(listener, config).await.expect("start the app");
        TestApp { server, client: reqwest::Client::new(), backend, data_dir: dir }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.server.url(), path)
    }

    /// A second instance of the application on the same database, configuration and
    /// real-time channels, on its own free port: what a deployment of several
    /// instances behind a load balancer runs.
    pub async fn spawn_peer(&self) -> RunningServer {
        let mut config = self.server.state.config.as_ref().clone();
        config.bind = SocketAddr::from(([127, 0, 0, 1], 0));
        sponsorhub_server::start(config).await.expect("start a second instance")
    }

    /// Sends a request with an optional bearer token and JSON body; returns the status,
    /// the response headers and the body as JSON (`Value::Null` when empty).
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.expect("body");
        let value =
            if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        (status, headers, value)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let (s, _, v) = self.send(Method::GET, path, token, None).await;
        (s, v)
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        let (s, _, v) = self.send(Method::POST, path, token, Some(body)).await;
        (s, v)
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        let (s, _, v) = self.send(Method::PATCH, path, token, Some(body)).await;
        (s, v)
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        let (s, _, v) = self.send(Method::PUT, path, token, Some(body)).await;
        (s, v)
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let (s, _, v) = self.send(Method::DELETE, path, token, None).await;
        (s, v)
    }

    /// Signs up a new account (user + organization it owns).
    pub async fn signup(&self, email: &str, org_name: &str) -> Account {
        let (status, body) = self
            .post(
                "/api/v1/auth/signup",
                None,
                json!({"email": email, "password": "correct horse battery", "name": email.split('@').next().unwrap(), "organization_name": org_name}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "signup failed: {body}");
        Account {
            token: body["access_token"].as_str().unwrap().to_string(),
            user_id: body["user"]["id"].as_str().unwrap().to_string(),
            org_id: body["organization"]["id"].as_str().unwrap().to_string(),
            email: body["user"]["email"].as_str().unwrap().to_string(),
        }
    }

    pub async fn stop(self) {
        self.server.stop().await.expect("graceful stop");
    }

    /// The configuration the app runs with (database URL, data dir, settings).
    pub fn config(&self) -> Config {
        (*self.server.state.config).clone()
    }

    /// Stops the app gracefully and starts it again on the same database and data
    /// dir, with the configuration changed by `tweak` (a new port).
    pub async fn restart_with(self, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = self.config();
        tweak(&mut config);
        self.server.stop().await.expect("graceful stop");
        let server = sponsorhub_server::start(config).await.expect("restart the app");
        TestApp { server, client: self.client, backend: self.backend, data_dir: self.data_dir }
    }
}

/// Runs an async test function `fn(TestApp)` once on SQLite and once on PostgreSQL:
/// `dual_backend!(signup_then_login);` makes `signup_then_login::sqlite` and
/// `signup_then_login::postgres`.
#[macro_export]
macro_rules! dual_backend {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let app = $crate::TestApp::spawn($crate::Backend::Sqlite).await;
                    super::$name(app).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    let app = $crate::TestApp::spawn($crate::Backend::Postgres).await;
                    super::$name(app).await;
                }
            }
        )+
    };
}

/// Asserts a problem+json answer with `status`.
pub fn assert_problem(status: StatusCode, body: &Value, want: u16) {
    assert_eq!(status.as_u16(), want, "unexpected answer: {body}");
    assert_eq!(body["status"], json!(want), "not a problem body: {body}");
    assert!(body["type"].is_string() && body["title"].is_string() && body["detail"].is_string(), "{body}");
}

impl TestApp {
    /// Notifications published from now on (invitation messages, lead events).
    pub fn notifications(&self) -> tokio::sync::broadcast::Receiver<sponsorhub_services::notify::Notification> {
        self.server.state.services.notifier.subscribe()
    }

    /// A bearer token for any identity, as the surrounding platform would issue it.
    pub fn platform_token(&self, sub: &str, email: &str, org: Option<(&str, &str)>) -> String {
        let exp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 3600;
        let mut claims = json!({"sub": sub, "email": email, "name": email.split('@').next().unwrap(), "exp": exp});
        if let Some((org, role)) = org {
            claims["orgId"] = json!(org);
            claims["role"] = json!(role);
        }
        jsonwebtoken::encode(
            &jsonwebtoken::Header::default(),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(TEST_JWT_SECRET.as_bytes()),
        )
        .unwrap()
    }
}

/// Waits for the next invitation message and returns its token.
pub async fn next_invitation_token(
    rx: &mut tokio::sync::broadcast::Receiver<sponsorhub_services::notify::Notification>,
) -> String {
    loop {
        let n = tokio::time::timeout(std::time::Duration::from_secs(5), rx.recv())
            .await
            .expect("an invitation message within 5 s")
            .expect("notification channel open");
        if let sponsorhub_services::notify::Notification::InvitationIssued(m) = n {
            return m.token;
        }
    }
}
