//! The OpenAPI document against the server's behaviour: schemathesis (installed by
//! `scripts/setup-test-tools`) runs its checks over every operation of the started
//! server, path ids pinned to real objects, with a fixed seed and a bounded number
//! of examples. No server error, no undocumented status, no answer outside its
//! schema, content type or headers.
//!
//! Left out for now, and listed in docs/DECISIONS.md ("The API contract"):
//! `positive_data_acceptance` (the schema does not yet state every rule the
//! server enforces: enums of text fields, ranges, formats) and
//! `negative_data_rejection`; and `use_after_free`, because DELETE on a sponsor
//! archives it (restorable, its leads and staff kept: docs/DECISIONS.md, "Objects"),
//! so what hangs off it stays readable.

mod common;

use common::{join_staff, world};
use serde_json::json;
use sponsorhub_testkit::{Backend, TestApp};
use std::process::Command;

fn schemathesis() -> String {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let setup =
        Command::new(format!("{root}/scripts/setup-test-tools")).output().expect("run scripts/setup-test-tools");
    assert!(setup.status.success(), "setup-test-tools: {}", String::from_utf8_lossy(&setup.stderr));
    let python = String::from_utf8(setup.stdout).unwrap().trim().to_string();
    python.replace("/bin/python", "/bin/schemathesis")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_keeps_its_openapi_contract() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.limits.captures_per_minute = 100_000;
        c.limits.invitations_per_minute = 100_000;
        c.limits.logins_per_client_per_minute = 100_000;
        c.limits.logins_per_email_per_minute = 100_000;
    })
    .await;
    let w = world(&app).await;
    let (booth, member) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let (_, lead) = app
        .post(
            &w.capture_path(),
            Some(&booth.token),
            json!({"interaction_type": "qr_scan", "attendee": {"email": "ada@corp.io"}}),
        )
        .await;
    let (_, inv) = app
        .post(
            &w.org_path(&format!("/sponsors/{}/invitations", w.sponsor_id)),
            Some(&w.organizer.token),
            json!({"email": "later@ferris.io", "role": "viewer"}),
        )
        .await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("schemathesis.toml");
    std::fs::write(
        &config,
        format!(
            "[parameters]\n\"path.org_id\" = \"{}\"\n\"path.event_id\" = \"{}\"\n\"path.sponsor_id\" = \"{}\"\n\
             \"path.tier_id\" = \"{}\"\n\"path.invitation_id\" = \"{}\"\n\"path.sponsor_user_id\" = \"{}\"\n\
             \"path.lead_id\" = \"{}\"\n",
            w.organizer.org_id,
            w.event_id,
            w.sponsor_id,
            w.tier_id("Bronze"),
            inv["id"].as_str().unwrap(),
            member,
            lead["id"].as_str().unwrap(),
        ),
    )
    .unwrap();
    let url = app.url("/api/openapi.json");
    let workdir = dir.path().to_path_buf();
    let token = format!("Authorization: Bearer {}", w.organizer.token);
    let run = tokio::task::spawn_blocking(move || {
        Command::new(schemathesis())
            .args(["--config-file", config.to_str().unwrap(), "run", &url, "-H", &token])
            .args([
                "--checks",
                "all",
                "--exclude-checks",
                "positive_data_acceptance,negative_data_rejection,use_after_free",
            ])
            .args(["--seed", "4242", "--max-examples", "8", "--phases", "coverage,fuzzing,stateful"])
            .args(["--request-timeout", "10", "--workers", "1", "--generation-database", "none", "--no-color"])
            .args(["--continue-on-failure", "--max-time", "60"])
            .env("SCHEMATHESIS_HOOKS", "")
            // its cache and reports stay out of the work tree
            .current_dir(&workdir)
            .output()
            .expect("run schemathesis")
    })
    .await
    .unwrap();
    let out = String::from_utf8_lossy(&run.stdout);
    let tail: String = out.lines().rev().take(80).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n");
    assert!(run.status.success(), "schemathesis found failures:\n{out}\n{}", String::from_utf8_lossy(&run.stderr));
    eprintln!("{tail}");
    drop(dir);
    app.stop().await;
}
