//! The binary on the embedded default: serves /healthz within seconds with no setup,
//! stops cleanly on SIGTERM and keeps its data (and its generated JWT secret) across
//! restarts. Also `sponsorhub token`.

use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

struct Server {
    child: Child,
    base: String,
}

impl Server {
    /// Starts `sponsorhub` (no subcommand: serve) in `dir` with nothing configured but the port.
    async fn start(dir: &std::path::Path, port: u16) -> Server {
        let child = Command::new(env!("CARGO_BIN_EXE_sponsorhub"))
            .current_dir(dir)
            .env_remove("DATABASE_URL")
            .env_remove("SPONSORHUB_JWT_SECRET")
            .env_remove("SPONSORHUB_DATA_DIR")
            .env("SPONSORHUB_BIND", format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start sponsorhub");
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        loop {
            if let Ok(r) = reqwest::get(format!("{base}/healthz")).await
                && r.status().is_success()
            {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "no /healthz within 10 s");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Server { child, base }
    }

    fn stop(mut self) {
        let status = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status().unwrap();
        assert!(status.success());
        let code = self.child.wait().unwrap();
        assert!(code.success(), "exit after SIGTERM: {code:?}");
    }
}

async fn post(url: String, token: Option<&str>, body: Value) -> (u16, Value) {
    let mut r = reqwest::Client::new().post(url).json(&body);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let res = r.send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
}

async fn get(url: String, token: &str) -> (u16, Value) {
    let res = reqwest::Client::new().get(url).bearer_auth(token).send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn runs_on_the_embedded_default_and_keeps_data_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let s = Server::start(dir.path(), port).await;
    let (status, signup) = post(
        format!("{}/api/v1/auth/signup", s.base),
        None,
        json!({"email": "keep@example.com", "password": "correct horse battery", "name": "Keep", "organization_name": "Keepers"}),
    )
    .await;
    assert_eq!(status, 201, "{signup}");
    let token = signup["access_token"].as_str().unwrap().to_string();
    let org = signup["organization"]["id"].as_str().unwrap().to_string();
    let (status, _) =
        post(format!("{}/api/v1/organizations/{org}/events", s.base), Some(&token), json!({"name": "Kept"})).await;
    assert_eq!(status, 201);
    s.stop();

    assert!(dir.path().join("data/sponsorhub.db").exists());
    assert!(dir.path().join("data/jwt-secret").exists());

    let s = Server::start(dir.path(), port).await;
    // the old token still verifies: the generated secret was kept
    let (status, events) = get(format!("{}/api/v1/organizations/{org}/events", s.base), &token).await;
    assert_eq!(status, 200, "{events}");
    assert_eq!(events["items"][0]["name"], "Kept");
    let (status, _) = post(
        format!("{}/api/v1/auth/login", s.base),
        None,
        json!({"email": "keep@example.com", "password": "correct horse battery"}),
    )
    .await;
    assert_eq!(status, 200);
    s.stop();
}

#[tokio::test]
async fn token_command_mints_a_token_the_server_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sponsorhub"))
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .env("SPONSORHUB_JWT_SECRET", "a-secret-for-the-token-command-test-32b")
        .args(["token", "--user", "ext-user-1", "--email", "ops@example.com", "--org", "ext-org-1", "--role", "ADMIN"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert_eq!(token.split('.').count(), 3);

    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_sponsorhub"))
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .env("SPONSORHUB_JWT_SECRET", "a-secret-for-the-token-command-test-32b")
        .env("SPONSORHUB_BIND", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let s = Server { child, base: format!("http://127.0.0.1:{port}") };
    let started = Instant::now();
    let me = loop {
        if let Ok(r) = reqwest::Client::new().get(format!("{}/api/v1/auth/me", s.base)).bearer_auth(&token).send().await
        {
            break r.json::<Value>().await.unwrap();
        }
        assert!(started.elapsed() < Duration::from_secs(10));
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(me["user"]["email"], "ops@example.com");
    assert_eq!(me["organizations"][0]["role"], "ADMIN");
    s.stop();
}

/// SIGTERM under load: every request the server accepted gets its answer (the drain
/// keeps answering, each answer closing its connection, before the listener
/// closes), and every write it acknowledged is there after a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_under_load_leaves_no_request_unanswered() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    // SPONSORHUB_SHUTDOWN_DRAIN_MS is left at its default (DRAIN_MS below)
    let s = Server::start(dir.path(), port).await;
    let (status, signup) = post(
        format!("{}/api/v1/auth/signup", s.base),
        None,
        json!({"email": "load@example.com", "password": "correct horse battery", "name": "Load", "organization_name": "Loaders"}),
    )
    .await;
    assert_eq!(status, 201, "{signup}");
    let token = signup["access_token"].as_str().unwrap().to_string();
    let org = signup["organization"]["id"].as_str().unwrap().to_string();
    let url = format!("{}/api/v1/organizations/{org}/events", s.base);

    let stop = Arc::new(AtomicBool::new(false));
    // When SIGTERM was sent, in ms since `t0` (0 before): a request sent before the
    // drain ends must be answered; a connection refused or reset as the listener
    // closes after the drain never reached the server.
    let t0 = Instant::now();
    let sigterm_at = Arc::new(std::sync::atomic::AtomicU64::new(u64::MAX));
    const DRAIN_MS: u64 = 1000;
    let (created, answered, refused, lost) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    let mut tasks = Vec::new();
    for worker in 0..8 {
        let (url, token, stop, sigterm_at) = (url.clone(), token.clone(), stop.clone(), sigterm_at.clone());
        let (created, answered, refused, lost) = (created.clone(), answered.clone(), refused.clone(), lost.clone());
        tasks.push(tokio::spawn(async move {
            // one client each: its keep-alive connections are reused between requests
            let client = reqwest::Client::new();
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let started = t0.elapsed().as_millis() as u64;
                let res =
                    client.post(&url).bearer_auth(&token).json(&json!({"name": format!("w{worker}-{i}")})).send().await;
                match res {
                    Ok(r) => {
                        answered.fetch_add(1, Ordering::Relaxed);
                        if r.status() == 201 {
                            created.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    // the listener has closed: the request was never sent
                    Err(e) if e.is_connect() => {
                        refused.fetch_add(1, Ordering::Relaxed);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    // sent before the drain ended (with a margin): it had to be answered
                    Err(e) if started + 100 < sigterm_at.load(Ordering::Relaxed).saturating_add(DRAIN_MS) => {
                        eprintln!("no answer to a request sent {started} ms in: {e:?}");
                        lost.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(_) => {
                        refused.fetch_add(1, Ordering::Relaxed);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = answered.load(Ordering::Relaxed);
    let Server { mut child, .. } = s;
    sigterm_at.store(t0.elapsed().as_millis() as u64, Ordering::Relaxed);
    assert!(Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap().success());
    tokio::time::sleep(Duration::from_millis(2500)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    let code = child.wait().unwrap();
    assert!(code.success(), "exit after SIGTERM: {code:?}");
    let (answered, lost, refused) =
        (answered.load(Ordering::Relaxed), lost.load(Ordering::Relaxed), refused.load(Ordering::Relaxed));
    assert_eq!(lost, 0, "requests sent and never answered ({answered} answered, {refused} refused at connect)");
    assert!(answered > before, "the drain kept answering after SIGTERM");

    let s = Server::start(dir.path(), port).await;
    let mut names = 0;
    let mut cursor: Option<String> = None;
    loop {
        let page_url = match &cursor {
            Some(c) => format!("{url}?limit=200&cursor={c}").replace(&format!("127.0.0.1:{port}"), &s.base[7..]),
            None => format!("{}/api/v1/organizations/{org}/events?limit=200", s.base),
        };
        let (status, page) = get(page_url, &token).await;
        assert_eq!(status, 200, "{page}");
        names += page["items"].as_array().unwrap().len();
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(names, created.load(Ordering::Relaxed), "every acknowledged event is there");
    s.stop();
}
