//! socket.io clients for the tests: the stock JavaScript client (socket.io-client,
//! installed by `npm ci` in `crates/server/tests/js`), driven through `driver.mjs`
//! over stdin/stdout. Several sockets live in one Node process, named by an id.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::Duration;
use tokio::sync::mpsc;

/// How long an expected event may take.
pub const WAIT: Duration = Duration::from_secs(10);

fn js_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/js")
}

/// How the token travels in the handshake.
#[derive(Clone, Copy)]
pub enum Via {
    /// `io(url, { auth: { token } })`
    Auth,
    /// `extraHeaders: { Authorization: "Bearer ..." }`
    Header,
}

pub struct Clients {
    child: Child,
    stdin: ChildStdin,
    rx: mpsc::UnboundedReceiver<Value>,
    /// Lines received but not asked for yet.
    backlog: Vec<Value>,
    next_req: u64,
}

impl Drop for Clients {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Clients {
    pub fn start() -> Clients {
        let dir = js_dir();
        assert!(
            dir.join("node_modules/socket.io-client").is_dir(),
            "socket.io-client is not installed: run `npm ci` in {} (./scripts/test does)",
            dir.display()
        );
        let mut child = Command::new("node")
            .arg(dir.join("driver.mjs"))
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start node (Node.js 20 is needed for the socket.io tests)");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::unbounded_channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                match serde_json::from_str::<Value>(&line) {
                    Ok(v) => {
                        if tx.send(v).is_err() {
                            break;
                        }
                    }
                    Err(_) => eprintln!("driver: {line}"),
                }
            }
        });
        Clients { child, stdin, rx, backlog: Vec::new(), next_req: 0 }
    }

    fn send(&mut self, cmd: Value) {
        writeln!(self.stdin, "{cmd}").expect("write to the socket.io driver");
        self.stdin.flush().unwrap();
    }

    /// The next line for which `pred` holds, waiting at most `wait`; lines that do
    /// not match stay for later questions.
    async fn take(&mut self, wait: Duration, pred: impl Fn(&Value) -> bool) -> Option<Value> {
        if let Some(i) = self.backlog.iter().position(&pred) {
            return Some(self.backlog.remove(i));
        }
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(v)) if pred(&v) => return Some(v),
                Ok(Some(v)) => self.backlog.push(v),
                Ok(None) => panic!("the socket.io driver exited"),
                Err(_) => return None,
            }
        }
    }

    /// Opens socket `id` on `/events` of `base_url`; `Ok` on connect, `Err(message)`
    /// on `connect_error`.
    pub async fn connect(&mut self, id: &str, base_url: &str, token: Option<&str>, via: Via) -> Result<(), String> {
        let via = match via {
            Via::Auth => "auth",
            Via::Header => "header",
        };
        self.send(json!({"op": "connect", "id": id, "url": base_url, "token": token, "via": via}));
        let v = self
            .take(WAIT, |v| v["id"] == id && (v["event"] == "connect" || v["event"] == "connect_error"))
            .await
            .unwrap_or_else(|| panic!("socket {id}: neither connect nor connect_error"));
        if v["event"] == "connect" { Ok(()) } else { Err(v["message"].as_str().unwrap_or_default().to_string()) }
    }

    /// Opens socket `id` (without waiting) and has the client emit
    /// `sponsor.leads.join` from its connect callback, at once, as dashboards do
    /// (over WebSocket only: the tightest timing).
    pub fn send_connect_and_join(&mut self, id: &str, base_url: &str, token: &str, sponsor_id: &str) {
        self.send(json!({
            "op": "connect", "id": id, "url": base_url, "token": token,
            "joinOnConnect": sponsor_id, "transports": ["websocket"],
        }));
    }

    /// The ack of the join sent by [`Clients::send_connect_and_join`].
    pub async fn join_ack(&mut self, id: &str) -> Value {
        self.take(WAIT + WAIT, |v| v["id"] == id && v["event"] == "join_ack")
            .await
            .unwrap_or_else(|| panic!("socket {id}: no join_ack"))["data"]
            .clone()
    }

    /// Like [`Clients::connect`], and it must succeed.
    pub async fn connected(&mut self, id: &str, base_url: &str, token: &str) {
        self.connect(id, base_url, Some(token), Via::Auth).await.unwrap_or_else(|e| panic!("socket {id} refused: {e}"));
    }

    /// Emits `event` with `data` on socket `id` and returns the server's ack.
    pub async fn emit(&mut self, id: &str, event: &str, data: Value) -> Value {
        self.next_req += 1;
        let req = self.next_req;
        self.send(json!({"op": "emit", "id": id, "req": req, "event": event, "data": data}));
        let v = self
            .take(WAIT, |v| v["id"] == id && v["req"] == req)
            .await
            .unwrap_or_else(|| panic!("socket {id}: no answer to {event}"));
        assert!(v.get("error").is_none(), "socket {id}: {event} got no ack: {v}");
        v["ack"].clone()
    }

    /// `sponsor.leads.join { sponsorId }`: the ack.
    pub async fn join(&mut self, id: &str, sponsor_id: &str) -> Value {
        self.emit(id, "sponsor.leads.join", json!({"sponsorId": sponsor_id})).await
    }

    /// Joins, and the join must succeed.
    pub async fn joined(&mut self, id: &str, sponsor_id: &str) {
        let ack = self.join(id, sponsor_id).await;
        assert_eq!(ack, json!({"success": true}), "socket {id} could not join sponsor {sponsor_id}");
    }

    /// The next `event` received by socket `id`: its data.
    pub async fn next(&mut self, id: &str, event: &str) -> Value {
        self.take(WAIT, |v| v["id"] == id && v["event"] == event)
            .await
            .unwrap_or_else(|| panic!("socket {id}: no {event} within {WAIT:?}"))["data"]
            .clone()
    }

    /// Asserts that socket `id` receives no lead event within `wait`.
    pub async fn nothing(&mut self, id: &str, wait: Duration) {
        let got =
            self.take(wait, |v| v["id"] == id && v["event"].as_str().is_some_and(|e| e.starts_with("lead."))).await;
        assert!(got.is_none(), "socket {id} received {}", got.unwrap());
    }

    /// The next `event` of socket `id` within `wait`, if one comes: its data.
    pub async fn try_next(&mut self, id: &str, event: &str, wait: Duration) -> Option<Value> {
        self.take(wait, |v| v["id"] == id && v["event"] == event).await.map(|v| v["data"].clone())
    }

    pub async fn close(&mut self, id: &str) {
        self.send(json!({"op": "close", "id": id}));
        self.take(WAIT, |v| v["id"] == id && v["event"] == "closed").await;
    }
}
