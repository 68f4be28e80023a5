//! The outbox worker: a task that folds due lead notifications into digests,
//! queues the day's follow-up reminders and the notices of unread messages,
//! claims due e-mails and delivers them one by one, recording each outcome at once.
//!
//! Stopping is graceful: the e-mail being sent finishes and is recorded, the rest
//! of the claimed batch goes back to `pending`, so nothing is sent twice or lost.
//! A worker that dies instead leaves its claims to run out (the lease), after which
//! another worker takes them.

use super::transport::Mailer;
use sponsorhub_services::Services;
use sponsorhub_services::email::{self, AfterFailure, Email};
use sponsorhub_services::notify::Notification;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// A running worker.
pub struct Worker {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Worker {
    /// Asks the worker to stop after the e-mail in hand, and waits for it.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if let Err(e) = self.task.await {
            tracing::error!(error = %e, "e-mail worker ended abnormally");
        }
    }
}

/// Starts the worker on its own task. It wakes every `poll`, and at once when an
/// invitation is issued in this process.
pub fn spawn_worker(services: Services, mailer: Arc<Mailer>, poll: Duration) -> Worker {
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(run(services, mailer, poll, stopped));
    Worker { stop, task }
}

async fn run(svc: Services, mailer: Arc<Mailer>, poll: Duration, mut stopped: watch::Receiver<bool>) {
    tracing::info!(transport = %mailer.describe(), "e-mail worker started");
    let mut wake = svc.notifier.subscribe();
    loop {
        if *stopped.borrow() {
            break;
        }
        let mut more = false;
        match email::digest_due_leads(&svc).await {
            Ok(n) => more |= n > 0,
            Err(e) => tracing::warn!(error = %e, "folding lead notifications failed"),
        }
        match email::remind_due_follow_ups(&svc).await {
            Ok(n) => more |= n > 0,
            Err(e) => tracing::warn!(error = %e, "queueing follow-up reminders failed"),
        }
        match sponsorhub_services::messages::digest_due_messages(&svc, sponsorhub_domain::time::now()).await {
            Ok(n) => more |= n > 0,
            Err(e) => tracing::warn!(error = %e, "queueing message notices failed"),
        }
        // docs/DECISIONS.md, "Retention": warnings and erasures on the real clock
        match sponsorhub_services::erasure::run_retention(&svc, sponsorhub_domain::time::now()).await {
            Ok(r) => more |= r.warned > 0,
            Err(e) => tracing::warn!(error = %e, "the retention run failed"),
        }
        match email::claim_batch(&svc).await {
            Ok(batch) => {
                more |= batch.len() as i64 >= svc.email.batch_size;
                deliver(&svc, &mailer, batch, &stopped).await;
            }
            Err(e) => tracing::warn!(error = %e, "claiming e-mails failed"),
        }
        if more {
            continue;
        }
        tokio::select! {
            _ = tokio::time::sleep(poll) => {}
            _ = stopped.changed() => {}
            _ = invitation_issued(&mut wake) => {}
        }
    }
    tracing::info!("e-mail worker stopped");
}

/// Resolves when an invitation e-mail was queued in this process (or never).
async fn invitation_issued(rx: &mut broadcast::Receiver<Notification>) {
    loop {
        match rx.recv().await {
            Ok(Notification::InvitationIssued(_)) | Err(broadcast::error::RecvError::Lagged(_)) => return,
            Ok(_) => {}
            Err(broadcast::error::RecvError::Closed) => std::future::pending::<()>().await,
        }
    }
}

async fn deliver(svc: &Services, mailer: &Mailer, batch: Vec<Email>, stopped: &watch::Receiver<bool>) {
    for (i, e) in batch.iter().enumerate() {
        if *stopped.borrow() {
            let rest = &batch[i..];
            match email::release(svc, rest).await {
                Ok(()) => tracing::info!(released = rest.len(), "e-mail worker stopping: unsent e-mails released"),
                Err(err) => {
                    tracing::warn!(error = %err, "releasing e-mails failed; they wait for their lease to run out")
                }
            }
            return;
        }
        match mailer.send(e).await {
            Ok(()) => record_sent(svc, e).await,
            Err(err) => match email::fail(svc, e, &err.message, err.permanent).await {
                Ok(AfterFailure::RetryAt(at)) => tracing::warn!(
                    email.id = %e.id, attempt = e.attempts, retry_at = %at, error = %err.message,
                    "e-mail not delivered; will retry"
                ),
                Ok(AfterFailure::Failed) => tracing::error!(
                    email.id = %e.id, attempts = e.attempts, error = %err.message,
                    "e-mail not delivered; giving up"
                ),
                Err(db) => tracing::warn!(email.id = %e.id, error = %db, "recording a failed delivery failed"),
            },
        }
    }
}

/// Records a delivery, insisting a little: an unrecorded delivery would be repeated
/// once the lease runs out.
async fn record_sent(svc: &Services, e: &Email) {
    for attempt in 1..=5 {
        match email::complete(svc, e).await {
            Ok(()) => return,
            Err(err) if attempt < 5 => {
                tracing::warn!(email.id = %e.id, error = %err, "recording a delivery failed; retrying");
                tokio::time::sleep(Duration::from_millis(200 * attempt)).await;
            }
            Err(err) => tracing::error!(email.id = %e.id, error = %err, "recording a delivery failed"),
        }
    }
}
