//! How every live channel stops when access ends (docs/ARCHITECTURE.md, "Live
//! channels"). socket.io rooms, the web UI's server-sent events and GraphQL
//! subscriptions each hold a [`LiveGrant`] for as long as they deliver; a grant ends
//!
//! - when the token it was opened with expires,
//! - when the caller's right to the sponsor's leads goes: taken off the staff, view
//!   leads withdrawn, organization role lowered, whether on this instance or another
//!   (the watcher re-decides every grant with [`crate::authz`] from the database
//!   every [`CHECK_EVERY`], and at once on an in-process `AccessRevoked`).
//!
//! The channel then stops delivering: it leaves the room, ends the stream or
//! completes the subscription. One mechanism, one rule.

use crate::authz::SponsorAccess;
use crate::notify::Notification;
use crate::{Principal, Result, Services};
use chrono::{DateTime, Utc};
use sponsorhub_domain::OrgRole;
use sponsorhub_store::{accounts, members, sponsors};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, watch};
use uuid::Uuid;

/// How often the watcher re-decides every open grant: well inside the 2 s in which
/// a feed must stop.
pub const CHECK_EVERY: Duration = Duration::from_millis(750);

/// What a sponsor grant delivers: its leads, or its message threads (the
/// `read_messages` capability decides those: docs/DECISIONS.md, "Messaging").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Feed {
    Leads,
    Messages,
}

struct Entry {
    feed: Feed,
    user: Uuid,
    /// The sponsor whose leads the grant delivers; `None` for a connection's session.
    sponsor: Option<Uuid>,
    expires_at: Option<DateTime<Utc>>,
    end: Ending,
}

/// How a grant's end reaches its holder.
enum Ending {
    /// A holder that waits for it ([`LiveGrant::ended`]: a stream, a subscription).
    Watched(watch::Sender<bool>),
    /// A holder with no task of its own ([`LiveGrant::on_end`]: a socket): called
    /// once, after the registry's lock is released, and the entry goes.
    Called(Option<Box<dyn FnOnce() + Send>>),
}

/// How many feeds of this instance decide their opening at once; the others
/// wait their turn in a small state (docs/PERFORMANCE.md, "Memory per socket").
const OPENING_AT_ONCE: usize = 16;

/// How long a feed waits for its turn before it is refused with a 503, as long
/// as the store's pools wait for a connection.
const TURN_WAIT: Duration = Duration::from_secs(10);

/// The open grants of this instance.
pub struct LiveRegistry {
    next: AtomicU64,
    entries: Mutex<HashMap<u64, Entry>>,
    /// Turns to decide a feed's opening: [`OPENING_AT_ONCE`].
    opening: tokio::sync::Semaphore,
}

impl Default for LiveRegistry {
    fn default() -> Self {
        LiveRegistry {
            next: AtomicU64::default(),
            entries: Mutex::default(),
            opening: tokio::sync::Semaphore::new(OPENING_AT_ONCE),
        }
    }
}

impl LiveRegistry {
    fn open(self: &Arc<Self>, p: &Principal, sponsor: Option<Uuid>) -> LiveGrant {
        self.open_feed(p, sponsor, Feed::Leads)
    }

    fn open_feed(self: &Arc<Self>, p: &Principal, sponsor: Option<Uuid>, feed: Feed) -> LiveGrant {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let (end, rx) = watch::channel(false);
        let entry = Entry { feed, user: p.user_id, sponsor, expires_at: p.expires_at, end: Ending::Watched(end) };
        self.entries.lock().expect("live registry lock").insert(id, entry);
        LiveGrant { capabilities: Default::default(), id, rx, registry: self.clone() }
    }

    /// Ends the grants that match: a watched one says so to its holder, a called
    /// one leaves the registry and its callback runs once the lock is released
    /// (a callback may drop other grants, which takes the lock).
    fn end(&self, matches: impl Fn(&Entry) -> bool) {
        let mut calls = Vec::new();
        self.entries.lock().expect("live registry lock").retain(|_, e| {
            if !matches(e) {
                return true;
            }
            match &mut e.end {
                Ending::Watched(tx) => {
                    tx.send_replace(true);
                    true
                }
                Ending::Called(call) => {
                    calls.extend(call.take());
                    false
                }
            }
        });
        for call in calls {
            // one callback's panic must not stop the others, nor the watcher
            if std::panic::catch_unwind(std::panic::AssertUnwindSafe(call)).is_err() {
                tracing::error!("a live grant's callback panicked");
            }
        }
    }

    /// Takes a grant's entry out; what it held is dropped by the caller, once
    /// the lock is released (a callback holds a socket, whose drop may drop
    /// other grants).
    fn remove(&self, id: u64) -> Option<Entry> {
        self.entries.lock().expect("live registry lock").remove(&id)
    }

    /// Waits for a turn to decide a feed's opening ([`OPENING_AT_ONCE`] at once).
    async fn turn(&self) -> Result<tokio::sync::SemaphorePermit<'_>> {
        match tokio::time::timeout(TURN_WAIT, self.opening.acquire()).await {
            Ok(permit) => Ok(permit.expect("the semaphore is never closed")),
            Err(_) => Err(crate::Error::Unavailable { retry_after_secs: crate::error::STORAGE_RETRY_SECS }),
        }
    }

    /// Takes every turn until the guard drops, for tests.
    #[doc(hidden)]
    pub async fn take_every_turn(&self) -> tokio::sync::SemaphorePermit<'_> {
        self.opening.acquire_many(OPENING_AT_ONCE as u32).await.expect("the semaphore is never closed")
    }

    /// How many grants are open (for tests and metrics).
    pub fn open_count(&self) -> usize {
        self.entries.lock().expect("live registry lock").len()
    }
}

/// The right of one live channel to go on delivering. Dropping it closes it.
pub struct LiveGrant {
    /// What the caller could do with the sponsor when the grant opened (a feed
    /// renders controls by it; the grant ends if the right to read goes).
    pub capabilities: crate::authz::SponsorCapabilities,
    id: u64,
    rx: watch::Receiver<bool>,
    registry: Arc<LiveRegistry>,
}

impl LiveGrant {
    /// Resolves when the grant ends (token expired, access gone).
    pub async fn ended(&mut self) {
        let _ = self.rx.wait_for(|ended| *ended).await;
    }

    pub fn is_live(&self) -> bool {
        !*self.rx.borrow()
    }

    /// Hands the grant's end to `on_end`, called once when the grant ends (at
    /// once if it has ended already), with no task or channel waiting for it:
    /// what a socket does, which holds a grant per feed for as long as it is
    /// connected (docs/PERFORMANCE.md, "Memory per socket"). The grant lasts as
    /// long as the [`LiveHook`].
    pub fn on_end(self, on_end: impl FnOnce() + Send + 'static) -> LiveHook {
        let hook = LiveHook { id: self.id, registry: self.registry.clone() };
        let ended = {
            let mut entries = self.registry.entries.lock().expect("live registry lock");
            match entries.get_mut(&self.id) {
                Some(e) if self.is_live() => {
                    e.end = Ending::Called(Some(Box::new(on_end)));
                    None
                }
                _ => Some(on_end),
            }
        };
        // the entry is no longer watched: dropping the grant leaves it to the hook
        drop(self);
        if let Some(on_end) = ended {
            on_end();
        }
        hook
    }
}

impl Drop for LiveGrant {
    fn drop(&mut self) {
        let mut entries = self.registry.entries.lock().expect("live registry lock");
        if entries.get(&self.id).is_some_and(|e| matches!(e.end, Ending::Watched(_))) {
            let gone = entries.remove(&self.id);
            drop(entries);
            drop(gone);
        }
    }
}

/// A grant whose end calls back ([`LiveGrant::on_end`]). Dropping it closes it.
pub struct LiveHook {
    id: u64,
    registry: Arc<LiveRegistry>,
}

impl LiveHook {
    /// Whether the grant has not ended (its callback not called).
    pub fn is_live(&self) -> bool {
        self.registry.entries.lock().expect("live registry lock").contains_key(&self.id)
    }
}

impl Drop for LiveHook {
    fn drop(&mut self) {
        let gone = self.registry.remove(self.id);
        drop(gone);
    }
}

/// Opens a live feed of a sponsor's leads for a caller with `sponsor:leads:read`
/// (404 for a sponsor they have no relation to, 403 without the right).
/// The grant carries what the caller may do with the sponsor when it opened.
pub async fn open_lead_feed(svc: &Services, p: &Principal, sponsor_id: Uuid) -> Result<LiveGrant> {
    open_sponsor_feed(svc, p, sponsor_id, Feed::Leads).await
}

/// Opens a live feed of a sponsor's messages (`message.new`) for a caller who
/// may read its threads (404 for a sponsor they have no relation to, 403
/// without the right); it ends when that right goes.
pub async fn open_message_feed(svc: &Services, p: &Principal, sponsor_id: Uuid) -> Result<LiveGrant> {
    open_sponsor_feed(svc, p, sponsor_id, Feed::Messages).await
}

/// Decides a sponsor feed on one of the instance's turns: the caller's access,
/// the right the feed requires, then the grant with the caller's capabilities.
async fn open_sponsor_feed(svc: &Services, p: &Principal, sponsor_id: Uuid, feed: Feed) -> Result<LiveGrant> {
    let _turn = svc.live.turn().await?;
    Box::pin(async {
        let mut tx = svc.store.read().await?;
        let access = SponsorAccess::load(&mut tx, p, sponsor_id).await?;
        match feed {
            Feed::Leads => access.require_leads_read()?,
            Feed::Messages => access.require_read_messages()?,
        }
        let mut grant = svc.live.open_feed(p, Some(sponsor_id), feed);
        grant.capabilities = access.capabilities();
        Ok(grant)
    })
    .await
}

/// A connection's own grant: it ends when the token expires.
pub fn open_session(svc: &Services, p: &Principal) -> LiveGrant {
    svc.live.open(p, None)
}

/// Re-decides every open grant of this instance, every [`CHECK_EVERY`] and on each
/// in-process `AccessRevoked`, until the notifier closes. One per instance.
pub async fn watch(svc: Services) {
    let mut revocations = svc.notifier.subscribe();
    let mut tick = tokio::time::interval(CHECK_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                if let Err(e) = check_grants(&svc).await {
                    tracing::warn!(error = %e, "live grant check failed; retrying");
                }
            }
            n = revocations.recv() => match n {
                Ok(Notification::AccessRevoked { sponsor_id, user_id }) => {
                    // message feeds are decided again by the next sweep: losing
                    // view-leads leaves the right to read messages
                    svc.live.end(|e| e.user == user_id && e.sponsor == Some(sponsor_id) && e.feed == Feed::Leads);
                }
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    }
}

/// Sponsors decided by one round of the check's queries.
const CHECK_CHUNK: usize = 500;

/// One pass: expired tokens end; every (sponsor, user) pair is decided again by
/// `authz` from the database: three queries for every [`CHECK_CHUNK`] sponsors
/// with open feeds (the sponsors, their active staff, their organizations'
/// members), however many feeds are open.
#[doc(hidden)]
pub async fn check_grants(svc: &Services) -> Result<()> {
    let now = chrono::Utc::now();
    svc.live.end(|e| e.expires_at.is_some_and(|exp| exp <= now));
    let mut wanted: HashMap<Uuid, HashSet<(Uuid, Feed)>> = HashMap::new();
    for e in svc.live.entries.lock().expect("live registry lock").values() {
        if let Some(s) = e.sponsor {
            wanted.entry(s).or_default().insert((e.user, e.feed));
        }
    }
    if wanted.is_empty() {
        return Ok(());
    }
    let mut lost: HashSet<(Uuid, Uuid, Feed)> = HashSet::new();
    let mut tx = svc.store.read().await?;
    let ids: Vec<Uuid> = wanted.keys().copied().collect();
    for chunk in ids.chunks(CHECK_CHUNK) {
        let found: HashMap<Uuid, _> =
            sponsors::get_many(&mut tx, chunk).await?.into_iter().map(|s| (s.id, s)).collect();
        let staff: HashMap<(Uuid, Uuid), _> = members::active_of_sponsors(&mut tx, chunk)
            .await?
            .into_iter()
            .map(|m| ((m.sponsor_id, m.user_id), m))
            .collect();
        let orgs: Vec<Uuid> = found.values().map(|s| s.organization_id).collect::<HashSet<_>>().into_iter().collect();
        let roles: HashMap<(Uuid, Uuid), OrgRole> = accounts::membership_roles_in(&mut tx, &orgs)
            .await?
            .into_iter()
            .map(|(org, user, role)| ((org, user), role))
            .collect();
        for sponsor_id in chunk {
            let users = &wanted[sponsor_id];
            let Some(sponsor) = found.get(sponsor_id) else {
                lost.extend(users.iter().map(|&(u, f)| (*sponsor_id, u, f)));
                continue;
            };
            for &(user, feed) in users {
                let access = SponsorAccess {
                    caller: user,
                    sponsor: sponsor.clone(),
                    org_role: roles.get(&(sponsor.organization_id, user)).copied(),
                    member: staff.get(&(*sponsor_id, user)).cloned(),
                };
                let caps = access.capabilities();
                let may = match feed {
                    Feed::Leads => caps.view_leads,
                    Feed::Messages => caps.read_messages,
                };
                let reads = (access.org_role.is_some() || access.member.is_some()) && may;
                if !reads {
                    lost.insert((*sponsor_id, user, feed));
                }
            }
        }
    }
    drop(tx);
    if !lost.is_empty() {
        svc.live.end(|e| e.sponsor.is_some_and(|s| lost.contains(&(s, e.user, e.feed))));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    fn caller() -> Principal {
        Principal { user_id: Uuid::new_v4(), email: "a@b.test".into(), name: "A".into(), org: None, expires_at: None }
    }

    fn counter() -> (Arc<AtomicUsize>, impl FnOnce() + Send + 'static) {
        let calls = Arc::new(AtomicUsize::new(0));
        let c = calls.clone();
        (calls, move || {
            c.fetch_add(1, Ordering::SeqCst);
        })
    }

    #[test]
    fn a_hook_is_called_once_when_its_grant_ends_and_leaves_the_registry() {
        let registry = Arc::new(LiveRegistry::default());
        let sponsor = Uuid::new_v4();
        let (calls, on_end) = counter();
        let hook = registry.open(&caller(), Some(sponsor)).on_end(on_end);
        let other = registry.open(&caller(), Some(Uuid::new_v4()));
        assert_eq!(registry.open_count(), 2);
        assert_eq!(calls.load(Ordering::SeqCst), 0);
        registry.end(|e| e.sponsor == Some(sponsor));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(registry.open_count(), 1, "the ended hook's entry is gone, the other grant stays");
        assert!(other.is_live());
        registry.end(|e| e.sponsor == Some(sponsor));
        drop(hook);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(registry.open_count(), 1);
    }

    #[test]
    fn a_dropped_hook_is_never_called() {
        let registry = Arc::new(LiveRegistry::default());
        let (calls, on_end) = counter();
        let hook = registry.open(&caller(), None).on_end(on_end);
        assert_eq!(registry.open_count(), 1);
        drop(hook);
        assert_eq!(registry.open_count(), 0);
        registry.end(|_| true);
        assert_eq!(calls.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn a_grant_ended_before_its_hook_calls_at_once() {
        let registry = Arc::new(LiveRegistry::default());
        let (calls, on_end) = counter();
        let grant = registry.open(&caller(), None);
        registry.end(|_| true);
        assert!(!grant.is_live());
        let hook = grant.on_end(on_end);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(registry.open_count(), 0);
        drop(hook);
    }

    #[test]
    fn a_panicking_callback_stops_no_other() {
        let registry = Arc::new(LiveRegistry::default());
        let (calls, on_end) = counter();
        let first = registry.open(&caller(), None).on_end(|| panic!("a callback's bug"));
        let second = registry.open(&caller(), None).on_end(on_end);
        assert!(first.is_live() && second.is_live());
        registry.end(|_| true);
        assert_eq!(calls.load(Ordering::SeqCst), 1, "the other callback ran");
        assert!(!first.is_live() && !second.is_live());
        assert_eq!(registry.open_count(), 0);
    }

    #[test]
    fn a_callback_may_drop_other_hooks() {
        // a socket's session hook disconnects it, and the socket's other hooks go
        // with it: the registry's lock is not held while a callback runs
        let registry = Arc::new(LiveRegistry::default());
        let feed = Arc::new(Mutex::new(Some(registry.open(&caller(), Some(Uuid::new_v4())).on_end(|| {}))));
        let held = feed.clone();
        let session = registry.open(&caller(), None).on_end(move || drop(held.lock().expect("lock").take()));
        assert_eq!(registry.open_count(), 2);
        registry.end(|e| e.sponsor.is_none());
        assert!(feed.lock().expect("lock").is_none());
        assert_eq!(registry.open_count(), 0);
        drop(session);
    }
}
