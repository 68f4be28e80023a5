//! Readiness: the database answers and takes writes.

use crate::Services;
use sponsorhub_domain::time;

/// `Ok` when the service can serve reads and writes; else why not.
pub async fn ready(svc: &Services) -> Result<(), String> {
    svc.store.ping().await.map_err(|e| format!("the database does not answer: {e}"))?;
    svc.store.check_writable(time::now()).await.map_err(|e| format!("the database cannot take writes: {e}"))
}
