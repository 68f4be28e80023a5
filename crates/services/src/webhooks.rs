//! Webhooks (docs/DECISIONS.md, "Webhooks"): endpoints registered by sponsor
//! admins (a sponsor's leads) and organizers (every sponsor of an event), messages
//! queued in the transaction of the change they tell of, signed per Standard
//! Webhooks (HMAC-SHA256 over id, timestamp and body), delivered with retries and
//! backoff by a worker (the HTTP call is the server's), a delivery log, replay, a
//! test ping, and an endpoint disabled after repeated failures, its creator told
//! by e-mail.

use crate::authz::{SponsorAccess, event_of_org};
use crate::email::{Rendered, one_line};
use crate::{Error, Principal, Result, Services};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sponsorhub_domain::validate::{self, Validator};
use sponsorhub_domain::{EmailKind, IntentLevel, ids, time};
use sponsorhub_store::records::Lead;
use sponsorhub_store::webhooks::{self as q, ClaimedDelivery, WebhookDelivery, WebhookEndpoint};
use sponsorhub_store::{Tx, accounts, members, outbox};
use std::net::IpAddr;
use std::time::Duration;
use uuid::Uuid;

/// The event types an endpoint may subscribe to.
pub const EVENT_TYPES: [&str; 4] = ["lead.created", "lead.updated", "lead.intent_changed", "lead.exported"];
/// What a test ping is sent as (not subscribable: it goes to the one endpoint).
pub const PING: &str = "webhook.test";
/// Endpoints per sponsor, and per event for organizers.
pub const MAX_ENDPOINTS: i64 = 10;

/// How deliveries are made, configurable.
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// Deliver to loopback, private and link-local addresses, and over plain
    /// http (`SPONSORHUB_WEBHOOK_ALLOW_PRIVATE=true`: tests, a closed network).
    pub allow_private: bool,
    /// Attempts per message before it is `failed`.
    pub max_attempts: i32,
    /// The wait after the first failed attempt; doubled after each, at most `backoff_max`.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// Failed attempts in a row (over all of an endpoint's messages) that disable it.
    pub disable_after: i32,
    /// How long a claim holds before another worker may take the delivery.
    pub lease: Duration,
    /// Deliveries claimed at once.
    pub batch_size: i64,
    /// Time allowed for a receiver's answer.
    pub timeout: Duration,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings {
            allow_private: false,
            max_attempts: 8,
            backoff_base: Duration::from_secs(10),
            backoff_max: Duration::from_secs(3600),
            disable_after: 20,
            lease: Duration::from_secs(120),
            batch_size: 20,
            timeout: Duration::from_secs(10),
        }
    }
}

// ---------------------------------------------------------------- pure rules

/// Whether an address is one a webhook may go to: not loopback, private, link-local,
/// shared (CGNAT), multicast, documentation, benchmarking, reserved or unspecified,
/// also when an IPv6 address embeds an IPv4 one.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_unspecified()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || (o[0] == 192 && o[1] == 0 && o[2] == 0)
                || (o[0] == 198 && (18..20).contains(&o[1]))
                || o[0] >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            // NAT64 (64:ff9b::/96) carries an IPv4 address in its last 32 bits
            if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
                let v4 = std::net::Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
                return is_public(IpAddr::V4(v4));
            }
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] == 0x2001 && s[1] == 0x0db8)
                || s[..6] == [0, 0, 0, 0, 0, 0])
        }
    }
}

/// Checks an endpoint URL: https (http too when private targets are allowed), a
/// host, no credentials, at most 2,000 characters; a literal or obviously local
/// host must be public unless allowed. Names are checked again at each delivery,
/// on the addresses they resolve to.
pub fn check_url(field: &str, raw: &str, allow_private: bool) -> std::result::Result<String, validate::FieldError> {
    let err = |m: &str| validate::FieldError::new(field, m);
    let t = raw.trim();
    if t.is_empty() || t.len() > 2000 {
        return Err(err("must be an https URL of at most 2,000 characters"));
    }
    let u = url::Url::parse(t).map_err(|_| err("must be an https URL such as https://crm.example.com/hooks"))?;
    match u.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err(err("must use https")),
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err(err("must not hold a user name or password"));
    }
    let host = match u.host() {
        Some(h) => h,
        None => return Err(err("must name a host")),
    };
    if !allow_private {
        let public = match host {
            url::Host::Ipv4(ip) => is_public(IpAddr::V4(ip)),
            url::Host::Ipv6(ip) => is_public(IpAddr::V6(ip)),
            url::Host::Domain(d) => {
                let d = d.trim_end_matches('.').to_ascii_lowercase();
                !(d == "localhost"
                    || d.ends_with(".localhost")
                    || d.ends_with(".local")
                    || d.ends_with(".internal")
                    || !d.contains('.'))
            }
        };
        if !public {
            return Err(err("must be a public address, not a loopback, private or local one"));
        }
    }
    Ok(u.to_string())
}

/// A new signing secret: `whsec_` + base64 of 32 random bytes.
pub fn new_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    format!("whsec_{}", STANDARD.encode(bytes))
}

/// The `webhook-signature` header of Standard Webhooks: `v1,` + base64 of
/// HMAC-SHA256, keyed with the secret's decoded bytes, over `{id}.{timestamp}.{body}`.
pub fn sign(secret: &str, message_id: &str, timestamp: i64, body: &[u8]) -> Result<String> {
    let key = STANDARD
        .decode(secret.trim_start_matches("whsec_"))
        .map_err(|_| Error::Internal(anyhow::anyhow!("a stored webhook secret is not base64")))?;
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).expect("HMAC takes keys of any length");
    mac.update(message_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())))
}

/// The `webhook-id` of a message.
pub fn message_header_id(message: Uuid) -> String {
    format!("msg_{}", message.simple())
}

/// The wait before attempt `attempts + 1`, after `attempts` failed ones.
pub fn backoff(attempts: i32, s: &WebhookSettings) -> Duration {
    crate::email::backoff(attempts, s.backoff_base, s.backoff_max)
}

// ---------------------------------------------------------------- the messages

#[derive(Serialize)]
struct Envelope<'a, T: Serialize> {
    #[serde(rename = "type")]
    kind: &'a str,
    timestamp: DateTime<Utc>,
    data: T,
}

fn envelope<T: Serialize>(kind: &str, now: DateTime<Utc>, data: T) -> Result<String> {
    serde_json::to_string(&Envelope { kind, timestamp: now, data })
        .map_err(|e| Error::Internal(anyhow::anyhow!("serializing a webhook payload: {e}")))
}

/// What a change to a lead tells the endpoints, in the change's transaction:
/// `lead.created` for a new lead; otherwise `lead.updated`, and
/// `lead.intent_changed` too when the intent level moved (`previous_level`).
pub(crate) async fn lead_changed(
    tx: &mut Tx,
    lead: &Lead,
    created: bool,
    previous_level: Option<IntentLevel>,
    now: DateTime<Utc>,
) -> Result<()> {
    let kind = if created { "lead.created" } else { "lead.updated" };
    let body = envelope(kind, now, lead)?;
    q::enqueue(tx, ids::new_id(), lead.event_id, Some(lead.sponsor_id), Some(lead.id), kind, &body, now).await?;
    if let Some(before) = previous_level.filter(|l| *l != lead.intent_level) {
        #[derive(Serialize)]
        struct Change<'a> {
            previous_intent_level: IntentLevel,
            #[serde(flatten)]
            lead: &'a Lead,
        }
        let body = envelope("lead.intent_changed", now, Change { previous_intent_level: before, lead })?;
        q::enqueue(
            tx,
            ids::new_id(),
            lead.event_id,
            Some(lead.sponsor_id),
            Some(lead.id),
            "lead.intent_changed",
            &body,
            now,
        )
        .await?;
    }
    Ok(())
}

/// `lead.exported`, in the transaction that records the export.
pub(crate) async fn leads_exported<T: Serialize>(
    tx: &mut Tx,
    event: Uuid,
    sponsor: Option<Uuid>,
    export: &T,
    now: DateTime<Utc>,
) -> Result<()> {
    let body = envelope("lead.exported", now, export)?;
    q::enqueue(tx, ids::new_id(), event, sponsor, None, "lead.exported", &body, now).await?;
    Ok(())
}

// ---------------------------------------------------------------- endpoints

/// Whose endpoints: a sponsor's, or an event's own (its organizers').
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    Sponsor(Uuid),
    Event { org: Uuid, event: Uuid },
}

/// An endpoint as its managers see it (never its secret).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Webhook {
    pub id: Uuid,
    pub event_id: Uuid,
    /// `null` for an organizer's endpoint for every sponsor of the event.
    pub sponsor_id: Option<Uuid>,
    pub url: String,
    /// lead.created, lead.updated, lead.intent_changed, lead.exported
    pub events: Vec<String>,
    pub description: Option<String>,
    pub is_enabled: bool,
    /// Why it was disabled (repeated failures), until it is enabled again.
    pub disabled_reason: Option<String>,
    /// Failed attempts in a row.
    pub consecutive_failures: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<WebhookEndpoint> for Webhook {
    fn from(e: WebhookEndpoint) -> Self {
        Webhook {
            events: e.event_types(),
            id: e.id,
            event_id: e.event_id,
            sponsor_id: e.sponsor_id,
            url: e.url,
            description: e.description,
            is_enabled: e.is_enabled,
            disabled_reason: e.disabled_reason,
            consecutive_failures: e.consecutive_failures,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

/// A new endpoint, with its signing secret: the only time it is shown.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedWebhook {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// `whsec_` + base64: verify each delivery's `webhook-signature` with it.
    pub secret: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateWebhook {
    /// https URL that receives the deliveries (POST, JSON).
    pub url: String,
    /// One or more of lead.created, lead.updated, lead.intent_changed, lead.exported.
    pub events: Vec<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhook {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    /// Empty text clears it.
    pub description: Option<String>,
    /// `true` enables a disabled endpoint again (its failure count starts over).
    pub is_enabled: Option<bool>,
}

fn check_events(v: &mut Validator, events: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if events.is_empty() || events.len() > EVENT_TYPES.len() {
        v.push("events", "must name 1 to 4 event types");
    }
    for (i, e) in events.iter().enumerate() {
        if !EVENT_TYPES.contains(&e.as_str()) {
            v.push(&format!("events[{i}]"), format!("must be one of {}", EVENT_TYPES.join(", ")));
        } else if !out.contains(e) {
            out.push(e.clone());
        }
    }
    out
}

/// Loads the scope for a caller who may manage its webhooks: (event, sponsor).
async fn authorize(tx: &mut Tx, p: &Principal, scope: Scope) -> Result<(Uuid, Option<Uuid>)> {
    match scope {
        Scope::Sponsor(id) => {
            let access = SponsorAccess::load(tx, p, id).await?;
            access.require_manage_webhooks()?;
            Ok((access.sponsor.event_id, Some(id)))
        }
        Scope::Event { org, event } => {
            let e = event_of_org(tx, p, Some(org), event, true).await?;
            Ok((e.id, None))
        }
    }
}

/// The endpoint, when it belongs to the scope (else missing).
async fn endpoint_in(tx: &mut Tx, p: &Principal, scope: Scope, id: Uuid) -> Result<WebhookEndpoint> {
    let (event, sponsor) = authorize(tx, p, scope).await?;
    q::get_endpoint(tx, id)
        .await?
        .filter(|e| e.event_id == event && e.sponsor_id == sponsor)
        .ok_or(Error::NotFound("webhook"))
}

#[tracing::instrument(skip_all)]
pub async fn create(svc: &Services, p: &Principal, scope: Scope, input: CreateWebhook) -> Result<CreatedWebhook> {
    let mut v = Validator::new();
    let url = v.check(check_url("url", &input.url, svc.webhooks.allow_private));
    let events = check_events(&mut v, &input.events);
    let description = v.check(validate::optional_text("description", input.description.as_deref(), 200));
    v.finish()?;
    let mut tx = svc.store.write().await?;
    let (event, sponsor) = authorize(&mut tx, p, scope).await?;
    if q::count_endpoints(&mut tx, event, sponsor).await? >= MAX_ENDPOINTS {
        return Err(Error::Conflict(format!("at most {MAX_ENDPOINTS} webhook endpoints; delete one first")));
    }
    let now = time::now();
    let secret = new_secret();
    let endpoint = WebhookEndpoint {
        id: ids::new_id(),
        event_id: event,
        sponsor_id: sponsor,
        url: url.expect("checked"),
        events: q::events_column(&events),
        secret: secret.clone(),
        description: description.flatten(),
        is_enabled: true,
        disabled_reason: None,
        consecutive_failures: 0,
        created_by_user_id: Some(p.user_id),
        created_at: now,
        updated_at: now,
    };
    q::insert_endpoint(&mut tx, &endpoint).await?;
    tx.commit().await?;
    Ok(CreatedWebhook { webhook: endpoint.into(), secret })
}

pub async fn list(svc: &Services, p: &Principal, scope: Scope) -> Result<Vec<Webhook>> {
    let mut tx = svc.store.read().await?;
    let (event, sponsor) = authorize(&mut tx, p, scope).await?;
    Ok(q::list_endpoints(&mut tx, event, sponsor).await?.into_iter().map(Webhook::from).collect())
}

pub async fn get(svc: &Services, p: &Principal, scope: Scope, id: Uuid) -> Result<Webhook> {
    let mut tx = svc.store.read().await?;
    Ok(endpoint_in(&mut tx, p, scope, id).await?.into())
}

#[tracing::instrument(skip_all, fields(webhook.id = %id))]
pub async fn update(svc: &Services, p: &Principal, scope: Scope, id: Uuid, input: UpdateWebhook) -> Result<Webhook> {
    let mut v = Validator::new();
    let url = input.url.as_deref().map(|u| v.check(check_url("url", u, svc.webhooks.allow_private)));
    let events = input.events.as_deref().map(|e| check_events(&mut v, e));
    let description =
        input.description.as_deref().map(|d| v.check(validate::optional_text("description", Some(d), 200)));
    v.finish()?;
    let mut tx = svc.store.write().await?;
    let mut e = endpoint_in(&mut tx, p, scope, id).await?;
    if let Some(Some(url)) = url {
        e.url = url;
    }
    if let Some(events) = events {
        e.events = q::events_column(&events);
    }
    if let Some(Some(d)) = description {
        e.description = d;
    }
    if let Some(enabled) = input.is_enabled {
        if enabled && !e.is_enabled {
            e.consecutive_failures = 0;
            e.disabled_reason = None;
        }
        if !enabled && e.is_enabled {
            e.disabled_reason = Some("disabled by hand".into());
        }
        e.is_enabled = enabled;
    }
    e.updated_at = time::now();
    q::update_endpoint(&mut tx, &e).await?;
    tx.commit().await?;
    Ok(e.into())
}

#[tracing::instrument(skip_all, fields(webhook.id = %id))]
pub async fn delete(svc: &Services, p: &Principal, scope: Scope, id: Uuid) -> Result<()> {
    let mut tx = svc.store.write().await?;
    endpoint_in(&mut tx, p, scope, id).await?;
    q::delete_endpoint(&mut tx, id).await?;
    tx.commit().await?;
    Ok(())
}

/// Queues a `webhook.test` message to the endpoint (enabled or not: a ping is how
/// one checks a receiver before enabling it again). Answers with the delivery.
#[tracing::instrument(skip_all, fields(webhook.id = %id))]
pub async fn ping(svc: &Services, p: &Principal, scope: Scope, id: Uuid) -> Result<WebhookDelivery> {
    let mut tx = svc.store.write().await?;
    let e = endpoint_in(&mut tx, p, scope, id).await?;
    let now = time::now();
    let message = ids::new_id();
    #[derive(Serialize)]
    struct Ping {
        webhook_id: Uuid,
        message: &'static str,
    }
    let body = envelope(PING, now, Ping { webhook_id: e.id, message: "This is a test delivery from Sponsorhub." })?;
    q::enqueue_to(&mut tx, message, e.id, PING, &body, now).await?;
    let d = q::delivery(&mut tx, e.id, message).await?.ok_or(Error::NotFound("delivery"))?;
    tx.commit().await?;
    Ok(d)
}

/// The endpoint's delivery log, newest first, 50 a page before `before`.
pub async fn deliveries(
    svc: &Services,
    p: &Principal,
    scope: Scope,
    id: Uuid,
    before: Option<Uuid>,
) -> Result<Vec<WebhookDelivery>> {
    let mut tx = svc.store.read().await?;
    let e = endpoint_in(&mut tx, p, scope, id).await?;
    Ok(q::deliveries(&mut tx, e.id, before, 50).await?)
}

/// Sends a logged message again (same id: receivers that saw it can tell).
#[tracing::instrument(skip_all, fields(webhook.id = %id))]
pub async fn replay(svc: &Services, p: &Principal, scope: Scope, id: Uuid, message: Uuid) -> Result<WebhookDelivery> {
    let mut tx = svc.store.write().await?;
    let e = endpoint_in(&mut tx, p, scope, id).await?;
    if !e.is_enabled {
        return Err(Error::Conflict("the endpoint is disabled; enable it first".into()));
    }
    q::delivery(&mut tx, e.id, message).await?.ok_or(Error::NotFound("delivery"))?;
    if !q::replay(&mut tx, e.id, message, time::now()).await? {
        return Err(Error::Conflict("the delivery is being sent right now".into()));
    }
    let d = q::delivery(&mut tx, e.id, message).await?.ok_or(Error::NotFound("delivery"))?;
    tx.commit().await?;
    Ok(d)
}

// ---------------------------------------------------------------- the worker's rules

/// Claims a batch of due deliveries (none when nothing is due: one cheap read).
pub async fn claim_batch(svc: &Services) -> Result<Vec<ClaimedDelivery>> {
    let now = time::now();
    {
        let mut tx = svc.store.read().await?;
        if !q::any_due(&mut tx, now).await? {
            return Ok(Vec::new());
        }
    }
    let lease = now + chrono::Duration::from_std(svc.webhooks.lease).unwrap_or(chrono::Duration::MAX);
    let mut tx = svc.store.write().await?;
    let batch = q::claim(&mut tx, now, lease, svc.webhooks.batch_size).await?;
    tx.commit().await?;
    Ok(batch)
}

/// How an attempt went.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// A 2xx answer.
    Delivered { status: u16 },
    /// Another answer, or none (`status` then `None`).
    Failed { status: Option<u16>, error: String },
}

/// Records an attempt's outcome: delivered; or retried after the backoff, failed
/// after the last attempt, and the endpoint disabled (its creator told, in the
/// same transaction) once its failures in a row reach the limit.
pub async fn record(svc: &Services, d: &ClaimedDelivery, outcome: Outcome) -> Result<()> {
    let now = time::now();
    let mut tx = svc.store.write().await?;
    match outcome {
        Outcome::Delivered { status } => {
            q::mark_delivered(&mut tx, d.endpoint_id, d.message_id, d.attempts, i32::from(status), now).await?;
        }
        Outcome::Failed { status, error } => {
            let error: String = error.chars().take(500).collect();
            let retry_at = (d.attempts < svc.webhooks.max_attempts).then(|| {
                now + chrono::Duration::from_std(backoff(d.attempts, &svc.webhooks)).unwrap_or(chrono::Duration::MAX)
            });
            let failures = q::mark_failed(
                &mut tx,
                d.endpoint_id,
                d.message_id,
                d.attempts,
                status.map(i32::from),
                &error,
                retry_at,
                now,
            )
            .await?;
            if failures.is_some_and(|n| n >= svc.webhooks.disable_after) {
                let reason = format!(
                    "disabled after {} failed attempts in a row; the last: {error}",
                    svc.webhooks.disable_after
                );
                if q::disable(&mut tx, d.endpoint_id, &reason, now).await? {
                    tell_disabled(&mut tx, svc, d.endpoint_id, &reason, now).await?;
                }
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Queues the e-mail that tells an endpoint's creator (else the sponsor's admins)
/// that it was disabled.
async fn tell_disabled(tx: &mut Tx, svc: &Services, endpoint: Uuid, reason: &str, now: DateTime<Utc>) -> Result<()> {
    let Some(e) = q::get_endpoint(tx, endpoint).await? else { return Ok(()) };
    let mut to = Vec::new();
    if let Some(user) = e.created_by_user_id
        && let Some(u) = accounts::get_user(tx, user).await?
    {
        to.push(u.email);
    }
    if to.is_empty()
        && let Some(sponsor) = e.sponsor_id
    {
        to = members::admin_emails(tx, sponsor).await?;
    }
    if to.is_empty() {
        tracing::info!(webhook.id = %endpoint, "a disabled webhook has nobody to tell");
        return Ok(());
    }
    let manage = match e.sponsor_id {
        Some(s) => format!("{}/api/v1/sponsors/sponsors/{s}/webhooks/{}", svc.public_url.trim_end_matches('/'), e.id),
        None => format!("{}/events/{}", svc.public_url.trim_end_matches('/'), e.event_id),
    };
    let r = render_disabled(&e.url, reason, &manage);
    let email = outbox::OutboxEmail {
        id: ids::new_id(),
        kind: EmailKind::WebhookDisabled,
        sponsor_id: e.sponsor_id,
        recipients: sponsorhub_store::records::JsonColumn(to),
        subject: r.subject,
        text_body: r.text,
        html_body: r.html,
        status: sponsorhub_domain::OutboxStatus::Pending,
        attempts: 0,
        next_attempt_at: now,
        claimed_until: None,
        last_error: None,
        sent_at: None,
        created_at: now,
        updated_at: now,
    };
    outbox::insert(tx, &email).await?;
    Ok(())
}

fn render_disabled(url: &str, reason: &str, manage: &str) -> Rendered {
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    let subject = one_line(&format!("Webhook disabled: {url}"));
    let text = format!(
        "Sponsorhub stopped sending to your webhook endpoint\n\n  {url}\n\n{reason}.\n\n\
         Messages that were waiting are kept in its delivery log. Once the receiver works, enable the endpoint \
         again (PATCH it with {{\"is_enabled\": true}}), send a test ping, and replay what it missed:\n{manage}\n\n-- \n\
         Sponsorhub. You get this e-mail because you registered this endpoint.\n"
    );
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title></head>\
         <body style=\"font-family:Helvetica,Arial,sans-serif;color:#1f2933;\"><p>Sponsorhub stopped sending to your \
         webhook endpoint <strong>{}</strong>.</p><p>{}.</p><p>Messages that were waiting are kept in its delivery \
         log. Once the receiver works, enable the endpoint again, send a test ping, and replay what it missed: \
         <a href=\"{}\">{}</a></p><p style=\"color:#6b7280;font-size:13px;\">You get this e-mail because you \
         registered this endpoint.</p></body></html>",
        esc(&subject),
        esc(url),
        esc(reason),
        esc(manage),
        esc(manage)
    );
    Rendered { subject, text, html }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_follow_standard_webhooks() {
        // The example of the Standard Webhooks specification's reference libraries.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let sig = sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, br#"{"test": 2432232314}"#).unwrap();
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn only_public_addresses() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "64:ff9b::a00:1",
            "224.0.0.1",
            "240.0.0.1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["93.184.216.34", "2606:4700::1111", "1.1.1.1"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn urls() {
        assert!(check_url("url", "https://crm.example.com/hook", false).is_ok());
        for bad in [
            "http://crm.example.com/hook",
            "https://127.0.0.1/x",
            "https://localhost/x",
            "https://u:p@x.example.com/",
            "https://intranet/x",
            "ftp://x.example.com",
            "https://[::1]/",
            "not a url",
        ] {
            assert!(check_url("url", bad, false).is_err(), "{bad}");
        }
        assert!(check_url("url", "http://127.0.0.1:8080/x", true).is_ok());
    }

    #[test]
    fn secrets_are_fresh_and_base64() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        assert_eq!(STANDARD.decode(a.trim_start_matches("whsec_")).unwrap().len(), 32);
    }
}
