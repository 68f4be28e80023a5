//! Storage failures, on a real small filesystem: the SQLite data directory on a
//! 3 MB tmpfs (mounted by the test; the suite runs as root). Captures run until the
//! disk is full; every capture answered 2xx must be there after a restart, every
//! failure is a 503 problem with Retry-After, `/readyz` says the database cannot
//! take writes, and once space is freed writes succeed and stay.

mod common;

use common::{join_staff, world};
use reqwest::StatusCode;
use serde_json::json;
use sponsorhub_testkit::{Backend, TestApp};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A tmpfs of `size` mounted on a fresh folder; unmounted on drop.
struct SmallDisk {
    path: PathBuf,
    _parent: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> SmallDisk {
        let parent = tempfile::tempdir().unwrap();
        let path = parent.path().join("data");
        std::fs::create_dir(&path).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&path)
            .output()
            .expect("run mount");
        assert!(
            out.status.success(),
            "mounting a tmpfs needs root (the suite runs as root): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        SmallDisk { path, _parent: parent }
    }

    /// Fills the disk, leaving about `leave` bytes free.
    fn fill(&self, leave: u64) -> PathBuf {
        let filler = self.path.join("filler");
        let free = fs_free(&self.path);
        let size = free.saturating_sub(leave);
        std::fs::write(&filler, vec![0u8; size as usize]).ok();
        filler
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

fn fs_free(path: &Path) -> u64 {
    let out = Command::new("df").args(["-B1", "--output=avail"]).arg(path).output().unwrap();
    String::from_utf8_lossy(&out.stdout).lines().nth(1).unwrap().trim().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_loses_no_acknowledged_write() {
    let disk = SmallDisk::mount("3m");
    let dir = disk.path.clone();
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.data_dir = dir.clone();
        c.database_url = sponsorhub_server::config::sqlite_url(&dir);
        c.limits.captures_per_minute = 100_000;
    })
    .await;
    let w = world(&app).await;
    let (booth, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let (status, _) = app.get("/readyz", None).await;
    assert_eq!(status, StatusCode::OK);

    let filler = disk.fill(64 * 1024);
    let mut acknowledged = Vec::new();
    let mut failures = 0;
    let big = "x".repeat(3000);
    for i in 0..400 {
        let email = format!("a{i}@corp.io");
        let (status, headers, body) = app
            .send(
                reqwest::Method::POST,
                &w.capture_path(),
                Some(&booth.token),
                Some(json!({"interaction_type": "booth_visit", "attendee": {"email": email}, "metadata": {"n": i, "pad": big}})),
            )
            .await;
        if status.is_success() {
            acknowledged.push(email);
        } else {
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "a storage failure is a 503: {body}");
            assert!(headers.contains_key("retry-after"), "{headers:?}");
            assert_eq!(headers["content-type"], "application/problem+json");
            failures += 1;
            if failures >= 20 {
                break;
            }
        }
    }
    assert!(failures > 0, "the disk never filled up ({} captures)", acknowledged.len());
    let (status, body) = app.get("/readyz", None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "readyz while the disk is full: {body}");

    // Space again: writes succeed, and stay.
    std::fs::remove_file(&filler).unwrap();
    for i in 0..5 {
        let email = format!("after{i}@corp.io");
        let (status, body) = app
            .post(
                &w.capture_path(),
                Some(&booth.token),
                json!({"interaction_type": "qr_scan", "attendee": {"email": email}}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        acknowledged.push(email);
    }
    let (status, _) = app.get("/readyz", None).await;
    assert_eq!(status, StatusCode::OK);

    // After a restart every acknowledged capture is there.
    let app = app.restart_with(|_| {}).await;
    let (_, stats) = app.get(&w.leads_path("/stats"), Some(&w.organizer.token)).await;
    assert_eq!(stats["total"], json!(acknowledged.len()), "{stats}");
    for email in acknowledged.iter().step_by(7).chain(acknowledged.last()) {
        let (_, page) = app.get(&w.leads_path(&format!("?search={email}")), Some(&w.organizer.token)).await;
        assert_eq!(page["items"].as_array().map(Vec::len), Some(1), "{email}: {page}");
    }
    app.stop().await;
}
