//! This process among the service's processes: a row with a heartbeat, so that
//! what a process leaves unfinished when it dies (an idempotency claim of a request
//! in flight) is released as soon as it stops beating, not after a timeout of the
//! request's own (docs/ARCHITECTURE.md, "The sponsor API": Idempotency-Key).

use crate::{Result, Services};
use sponsorhub_domain::time;
use sponsorhub_store::{Backend, idempotency, instances};
use std::time::Duration;

/// How often a process beats.
pub const BEAT_EVERY: Duration = Duration::from_secs(5);

/// A process silent for this long is dead.
pub fn dead_after() -> chrono::Duration {
    chrono::Duration::seconds(20)
}

/// At start: this process beats once; on SQLite, where it is the only process, the
/// unanswered claims of an earlier run are released. Returns how many were.
pub async fn start(svc: &Services) -> Result<u64> {
    let now = time::now();
    let mut tx = svc.store.write().await?;
    instances::beat(&mut tx, svc.instance_id, now).await?;
    instances::forget(&mut tx, uuid::Uuid::nil(), now - dead_after() * 10).await?;
    let released =
        if svc.store.backend() == Backend::Sqlite { idempotency::release_all_unanswered(&mut tx).await? } else { 0 };
    tx.commit().await?;
    if released > 0 {
        tracing::info!(claims = released, "released idempotency claims of requests that never finished");
    }
    Ok(released)
}

/// Beats every [`BEAT_EVERY`] until the task is stopped.
pub async fn beat(svc: Services) {
    let mut tick = tokio::time::interval(BEAT_EVERY);
    loop {
        tick.tick().await;
        let outcome = async {
            let mut tx = svc.store.write().await?;
            instances::beat(&mut tx, svc.instance_id, time::now()).await?;
            tx.commit().await
        }
        .await;
        if let Err(e) = outcome {
            tracing::warn!(error = %e, "instance heartbeat failed");
        }
    }
}

/// At a graceful stop: this process is gone.
pub async fn stop(svc: &Services) -> Result<()> {
    let now = time::now();
    let mut tx = svc.store.write().await?;
    instances::forget(&mut tx, svc.instance_id, now - dead_after() * 10).await?;
    tx.commit().await?;
    Ok(())
}

/// The `application_name` that every instance sharing the socket.io NOTIFY
/// channels of `prefix` starts its adapter connections' names with: a digest
/// of the prefix, which may be longer than a name holds (63 bytes).
pub fn listener_group(prefix: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(prefix.as_bytes());
    let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("sponsorhub-rt:{hex}:")
}

/// The `application_name` of this instance's socket.io adapter connections.
pub fn listener_name(prefix: &str, instance: uuid::Uuid) -> String {
    format!("{}{}", listener_group(prefix), instance.simple())
}

/// Whether another instance's socket.io adapter listens on the channels of
/// `prefix` now: one of its connections is open (docs/DECISIONS.md, "No
/// NOTIFY when no other instance listens").
pub async fn others_listening(svc: &Services, prefix: &str) -> Result<bool> {
    let (group, own) = (listener_group(prefix), listener_name(prefix, svc.instance_id));
    Ok(instances::others_connected(&svc.store, &group, &own).await?)
}
