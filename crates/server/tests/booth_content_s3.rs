//! Booth content in S3-compatible storage, on SQLite and PostgreSQL: moto in
//! server mode (installed by `scripts/setup-test-tools`; missing, the test
//! fails) on a free port, a fresh bucket, the server pointed at it; a file
//! uploaded through the API lands in the bucket under a random key, comes back
//! byte for byte from this instance and from a second one sharing the bucket,
//! and is deleted from the bucket with its item.

mod common;

use common::world;
use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use serde_json::Value;
use sponsorhub_services::objects::{ObjectStoreConfig, S3Config};
use sponsorhub_testkit::{Backend, TestApp};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// moto's S3 server on a port of its own, stopped when dropped.
struct Moto {
    endpoint: String,
    child: Child,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Moto {
    async fn start() -> Moto {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
        let setup =
            Command::new(format!("{root}/scripts/setup-test-tools")).output().expect("run scripts/setup-test-tools");
        assert!(setup.status.success(), "setup-test-tools: {}", String::from_utf8_lossy(&setup.stderr));
        let python = String::from_utf8(setup.stdout).unwrap().trim().to_string();
        let moto_server = python.replace("/bin/python", "/bin/moto_server");
        assert!(std::path::Path::new(&moto_server).exists(), "moto_server is not installed at {moto_server}");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(&moto_server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto_server");
        let moto = Moto { endpoint: format!("http://127.0.0.1:{port}"), child };
        let client = reqwest::Client::new();
        for _ in 0..200 {
            if client.get(&moto.endpoint).send().await.is_ok() {
                return moto;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("moto_server did not answer on {} within 20 s", moto.endpoint);
    }

    /// Makes a bucket (moto takes unsigned requests).
    async fn create_bucket(&self, name: &str) {
        let res = reqwest::Client::new().put(format!("{}/{name}", self.endpoint)).send().await.unwrap();
        assert!(res.status().is_success(), "creating the bucket: {}", res.status());
    }

    /// The keys in the bucket.
    async fn keys(&self, bucket: &str) -> Vec<String> {
        let res = reqwest::Client::new().get(format!("{}/{bucket}?list-type=2", self.endpoint)).send().await.unwrap();
        assert!(res.status().is_success());
        let xml = res.text().await.unwrap();
        xml.split("<Key>").skip(1).map(|k| k[..k.find("</Key>").unwrap()].to_string()).collect()
    }
}

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn content_lives_in_s3_on_sqlite() {
    content_lives_in_s3(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn content_lives_in_s3_on_postgres() {
    content_lives_in_s3(Backend::Postgres).await;
}

async fn content_lives_in_s3(backend: Backend) {
    let moto = Moto::start().await;
    let bucket = format!("booths-{}", uuid::Uuid::now_v7().simple());
    moto.create_bucket(&bucket).await;
    let endpoint = moto.endpoint.clone();
    let b = bucket.clone();
    let app = TestApp::spawn_with(backend, move |c| {
        c.objects = ObjectStoreConfig::S3(S3Config {
            bucket: b,
            prefix: Some("sponsorhub".into()),
            endpoint: Some(endpoint),
            region: Some("us-east-1".into()),
            access_key_id: Some("testing".into()),
            secret_access_key: Some("testing".into()),
            allow_http: true,
        });
    })
    .await;
    let w = world(&app).await;
    let path = format!("/api/v1/sponsors/sponsors/{}/booth/content", w.sponsor_id);

    // A 3 MB file, so it is more than one buffer's worth.
    let mut bytes = PDF.to_vec();
    bytes.extend((0..3_000_000u32).map(|i| (i % 251) as u8));
    let res = app
        .client
        .post(app.url(&path))
        .query(&[("file_name", "deck.pdf")])
        .bearer_auth(&w.organizer.token)
        .header(CONTENT_TYPE, "application/pdf")
        .body(bytes.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let item: Value = res.json().await.unwrap();
    let id = item["id"].as_str().unwrap().to_string();

    // In the bucket, under the prefix, at a random key; nothing in the data dir.
    let keys = moto.keys(&bucket).await;
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert!(keys[0].starts_with(&format!("sponsorhub/booth-content/{}/", w.sponsor_id)), "{keys:?}");
    assert!(!keys[0].contains(&id), "{keys:?}");
    assert!(!app.data_dir.path().join("objects").exists(), "the local directory is not used");

    // Back byte for byte: the staff's download, and the public link.
    let res =
        app.client.get(app.url(&format!("{path}/{id}/file"))).bearer_auth(&w.organizer.token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().as_ref(), bytes.as_slice());
    let public = format!("/directory/{}/sponsors/{}/content/{id}", w.event_id, w.sponsor_id);
    let res = app.client.get(app.url(&public)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[CONTENT_TYPE], "application/pdf");
    assert_eq!(res.bytes().await.unwrap().as_ref(), bytes.as_slice());

    // A second instance on the same database and bucket serves it too.
    let peer = app.spawn_peer().await;
    let res = reqwest::get(format!("{}{public}", peer.url())).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().as_ref(), bytes.as_slice());

    // Removed: gone from the bucket.
    let (status, _) = app.delete(&format!("{path}/{id}"), Some(&w.organizer.token)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(moto.keys(&bucket).await, Vec::<String>::new());
    let res = app.client.get(app.url(&public)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    peer.stop().await.unwrap();
    app.stop().await;
}
