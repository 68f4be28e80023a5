//! The short version of `bench/crash`: a few kill -9 cycles of the binary under
//! capture load on SQLite and on PostgreSQL, then every acknowledged capture stored
//! exactly once, replays identical, scores equal to the sum of their interactions.
//! (The long run, 200+ cycles a database, is `bench/crash`; figures in
//! docs/PERFORMANCE.md.)

use std::process::Command;

fn crash(backend: &str) {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let out = Command::new(format!("{root}/bench/crash"))
        .args(["6", backend])
        .env("BIN", env!("CARGO_BIN_EXE_sponsorhub"))
        .output()
        .expect("run bench/crash");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "bench/crash {backend}:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let line = stdout.lines().find(|l| l.starts_with(backend)).expect("a result line");
    let figures: serde_json::Value = serde_json::from_str(line.split_once(' ').unwrap().1).unwrap();
    assert!(figures["acknowledged"].as_u64().unwrap() > 0, "{line}");
    for k in ["lost", "duplicated", "replay_mismatch", "score_mismatch"] {
        assert_eq!(figures[k], 0, "{line}");
    }
}

#[test]
fn kill_9_under_load_loses_nothing_on_sqlite() {
    crash("sqlite");
}

#[test]
fn kill_9_under_load_loses_nothing_on_postgres() {
    crash("postgres");
}
