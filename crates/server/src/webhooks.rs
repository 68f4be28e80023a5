//! The webhook delivery worker (docs/DECISIONS.md, "Webhooks"): claims due
//! deliveries, posts each signed per Standard Webhooks, and records the outcome
//! through the services, which retry, fail and disable by their rules.
//!
//! Where a delivery may go is checked at the moment of sending, on the addresses
//! the host resolves to (a name that resolved to a public address when it was
//! registered may point at 127.0.0.1 later): a resolver of our own drops private
//! ones, literal addresses are checked before the request, and redirects are not
//! followed.

use futures_util::future::join_all;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use sponsorhub_services::Services;
use sponsorhub_services::webhooks::{self, Outcome};
use sponsorhub_store::webhooks::ClaimedDelivery;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// A running worker.
pub struct Worker {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Worker {
    /// Stops after the batch in hand (each request is bounded by the timeout).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if let Err(e) = self.task.await {
            tracing::error!(error = %e, "webhook worker ended abnormally");
        }
    }
}

/// Resolves names with the system resolver and keeps only the addresses a
/// webhook may go to.
struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = format!("{}:0", name.as_str());
            let found: Vec<SocketAddr> = tokio::net::lookup_host(host).await?.collect();
            let public: Vec<SocketAddr> = found.into_iter().filter(|a| webhooks::is_public(a.ip())).collect();
            if public.is_empty() {
                return Err("the host resolves to no public address".into());
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

/// The HTTP client deliveries use.
pub fn client(settings: &webhooks::WebhookSettings) -> reqwest::Client {
    let mut b = reqwest::Client::builder()
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Sponsorhub-Webhooks/", env!("CARGO_PKG_VERSION")));
    if !settings.allow_private {
        b = b.dns_resolver(Arc::new(PublicOnly)).https_only(true);
    }
    b.build().expect("the webhook HTTP client builds")
}

pub fn spawn_worker(services: Services, poll: Duration) -> Worker {
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(run(services, poll, stopped));
    Worker { stop, task }
}

async fn run(svc: Services, poll: Duration, mut stopped: watch::Receiver<bool>) {
    let http = client(&svc.webhooks);
    loop {
        if *stopped.borrow() {
            break;
        }
        let mut more = false;
        match webhooks::claim_batch(&svc).await {
            Ok(batch) => {
                more = batch.len() as i64 >= svc.webhooks.batch_size;
                // The batch goes out at once: one slow receiver does not hold up the others.
                join_all(batch.iter().map(|d| async {
                    let outcome = deliver(&http, &svc, d).await;
                    if let Err(e) = webhooks::record(&svc, d, outcome).await {
                        tracing::warn!(error = %e, webhook.id = %d.endpoint_id, "recording a webhook attempt failed");
                    }
                }))
                .await;
            }
            Err(e) => tracing::warn!(error = %e, "claiming webhook deliveries failed"),
        }
        if more {
            continue;
        }
        tokio::select! {
            _ = tokio::time::sleep(poll) => {}
            _ = stopped.changed() => {}
        }
    }
}

/// One attempt: the signed POST and what came of it.
async fn deliver(http: &reqwest::Client, svc: &Services, d: &ClaimedDelivery) -> Outcome {
    let failed = |error: String| Outcome::Failed { status: None, error };
    if !svc.webhooks.allow_private {
        let literal = reqwest::Url::parse(&d.url).ok().and_then(|u| match u.host() {
            Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
            _ => None,
        });
        if literal.is_some_and(|ip| !webhooks::is_public(ip)) {
            return failed("the address is not a public one".into());
        }
    }
    let id = webhooks::message_header_id(d.message_id);
    let timestamp = sponsorhub_domain::time::now().timestamp();
    let signature = match webhooks::sign(&d.secret, &id, timestamp, d.payload.as_bytes()) {
        Ok(s) => s,
        Err(e) => return failed(e.to_string()),
    };
    let sent = http
        .post(&d.url)
        .header("content-type", "application/json")
        .header("webhook-id", &id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(d.payload.clone())
        .send()
        .await;
    match sent {
        Ok(res) if res.status().is_success() => Outcome::Delivered { status: res.status().as_u16() },
        Ok(res) => {
            let status = res.status();
            Outcome::Failed { status: Some(status.as_u16()), error: format!("the receiver answered {status}") }
        }
        // The error's chain names the cause (refused, timed out, no public address).
        Err(e) => {
            let mut msg = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                msg.push_str(": ");
                msg.push_str(&s.to_string());
                source = s.source();
            }
            failed(msg)
        }
    }
}
