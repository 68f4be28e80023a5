//! Rate limiting per key, with `governor` (GCRA: a burst of the quota, then one
//! more every minute / quota), kept in process memory. Keys are hashed to a fixed
//! size before they are stored, and keys not seen for a window are forgotten by
//! [`RateLimiter::sweep`] (the janitor runs it), so memory stays bounded whatever
//! callers send.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use sha2::{Digest, Sha256};
use sponsorhub_store::rate_limits::Take;
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateLimiter {
    inner: DefaultKeyedRateLimiter<[u8; 32]>,
    clock: DefaultClock,
}

impl RateLimiter {
    /// `per_minute` requests a minute per key (at least one).
    pub fn per_minute(per_minute: u32) -> Self {
        let quota = Quota::per_minute(NonZeroU32::new(per_minute.max(1)).expect("at least one"));
        RateLimiter { inner: governor::RateLimiter::keyed(quota), clock: DefaultClock::default() }
    }

    /// Counts one request for `key`. `Err(seconds)` when the key is over its quota,
    /// with the seconds until the next request may pass.
    pub fn hit(&self, key: &str) -> Result<(), u64> {
        let k: [u8; 32] = Sha256::digest(key.as_bytes()).into();
        self.inner.check_key(&k).map_err(|not_until| not_until.wait_time_from(self.clock.now()).as_secs().max(1))
    }

    /// Forgets keys whose quota has fully recovered.
    pub fn sweep(&self) {
        self.inner.retain_recent();
        self.inner.shrink_to_fit();
    }

    /// Keys remembered now.
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }
}

/// One limit of the service: in the database on PostgreSQL, where every instance
/// shares its buckets, and in process memory on SQLite (one instance).
pub struct Limit {
    name: &'static str,
    per_minute: u32,
    local: RateLimiter,
    /// How many tokens a take from the database asks for at once ([`lease_size`]).
    lease: u32,
    /// Tokens taken from the database and not handed out yet, by bucket.
    leases: Mutex<HashMap<[u8; 32], Lease>>,
    /// Held by the one request that takes a lease from the database: the others
    /// that found none wait for it and use it, rather than each take one.
    taking: tokio::sync::Mutex<()>,
}

/// Tokens an instance took from a shared bucket for requests still to come.
struct Lease {
    left: u32,
    until: Instant,
}

/// How long tokens taken ahead stay usable: past that they are dropped, and the
/// caller's quota is short by them until the bucket refills.
pub const LEASE_FOR: Duration = Duration::from_secs(1);
/// At most this many tokens are taken ahead at once.
pub const LEASE_MAX: u32 = 100;
/// Leases held at once at most; past that they are all dropped.
const LEASES_HELD_MAX: usize = 100_000;

/// How many tokens an instance takes from a shared bucket at once: a tenth of a
/// second's quota, at most [`LEASE_MAX`], so one at a time for the quotas of
/// people (30 captures a minute) and many for a quota that high callers
/// (an integration) approach (docs/DECISIONS.md, "Rate limits on PostgreSQL").
pub fn lease_size(per_minute: u32) -> u32 {
    (per_minute / 600).clamp(1, LEASE_MAX)
}

/// A bucket's row in the database: its hash, in hex.
fn row_of(bucket: &[u8; 32]) -> String {
    bucket.iter().map(|b| format!("{b:02x}")).collect()
}

impl Limit {
    pub fn new(name: &'static str, per_minute: u32) -> Limit {
        let per_minute = per_minute.max(1);
        Limit {
            name,
            per_minute,
            local: RateLimiter::per_minute(per_minute),
            lease: lease_size(per_minute),
            leases: Mutex::new(HashMap::new()),
            taking: tokio::sync::Mutex::new(()),
        }
    }

    fn bucket(&self, key: &str) -> [u8; 32] {
        Sha256::digest(format!("{}\n{key}", self.name).as_bytes()).into()
    }

    /// Counts one request for `key`; 429 (`RateLimited`) when over the limit.
    /// On PostgreSQL the bucket's row is taken by one statement of its own that
    /// does not wait for the WAL's flush, and a high quota's tokens are taken up
    /// to [`lease_size`] at a time, the rest handed out from memory for
    /// [`LEASE_FOR`] (docs/DECISIONS.md, "Rate limits on PostgreSQL").
    pub async fn hit(&self, store: &sponsorhub_store::Store, key: &str) -> crate::Result<()> {
        let bucket = self.bucket(key);
        // One take of a lease at a time: requests that find none wait for it, so
        // an instance holds at most one lease of a bucket (a burst of misses
        // would otherwise take one each).
        let _taking = if self.lease > 1 && store.backend() == sponsorhub_store::Backend::Postgres {
            if self.take_leased(&bucket) {
                return Ok(());
            }
            let taking = self.taking.lock().await;
            if self.take_leased(&bucket) {
                return Ok(());
            }
            Some(taking)
        } else {
            None
        };
        let per_second = f64::from(self.per_minute) / 60.0;
        let now = sponsorhub_domain::time::now();
        let taken = sponsorhub_store::rate_limits::take_now(
            store,
            &row_of(&bucket),
            f64::from(self.per_minute),
            per_second,
            self.lease,
            now,
        )
        .await?;
        match taken {
            None => self.local.hit(key).map_err(|retry_after_secs| crate::Error::RateLimited { retry_after_secs }),
            Some(Take::Granted(n)) => {
                if n > 1 {
                    self.keep(bucket, n - 1);
                }
                Ok(())
            }
            Some(Take::Wait(wait)) => Err(crate::Error::RateLimited { retry_after_secs: (wait.ceil() as u64).max(1) }),
        }
    }

    /// Hands out one token taken ahead for `bucket`, if one is left and not expired.
    fn take_leased(&self, bucket: &[u8; 32]) -> bool {
        let mut leases = self.leases.lock().expect("leases lock");
        match leases.get_mut(bucket) {
            Some(l) if l.left > 0 && l.until > Instant::now() => {
                l.left -= 1;
                true
            }
            _ => false,
        }
    }

    /// Keeps `n` tokens taken ahead for `bucket`, for [`LEASE_FOR`]: only a
    /// request that found none takes a lease, so what was kept before is spent
    /// or expired.
    fn keep(&self, bucket: [u8; 32], n: u32) {
        let mut leases = self.leases.lock().expect("leases lock");
        if leases.len() >= LEASES_HELD_MAX {
            leases.clear();
        }
        leases.insert(bucket, Lease { left: n, until: Instant::now() + LEASE_FOR });
    }

    /// [`Limit::hit`] inside a write transaction of the caller's (no commit of its
    /// own): a refused request's transaction is rolled back by its caller.
    pub async fn hit_in(&self, tx: &mut sponsorhub_store::Tx, key: &str) -> crate::Result<()> {
        if tx.backend() != sponsorhub_store::Backend::Postgres {
            return self.local.hit(key).map_err(|retry_after_secs| crate::Error::RateLimited { retry_after_secs });
        }
        let per_second = f64::from(self.per_minute) / 60.0;
        let now = sponsorhub_domain::time::now();
        match sponsorhub_store::rate_limits::take(
            tx,
            &row_of(&self.bucket(key)),
            f64::from(self.per_minute),
            per_second,
            now,
        )
        .await?
        {
            None => Ok(()),
            Some(wait) => Err(crate::Error::RateLimited { retry_after_secs: (wait.ceil() as u64).max(1) }),
        }
    }

    /// Forgets recovered keys of the in-process limiter, and expired leases.
    pub fn sweep(&self) {
        self.local.sweep();
        let now = Instant::now();
        self.leases.lock().expect("leases lock").retain(|_, l| l.until > now);
    }
}

/// A map whose entries are forgotten after `ttl` (and all at once past `capacity`):
/// a bounded in-process memo of facts that are cheap to check again.
pub struct RecentMap<K, V> {
    ttl: Duration,
    capacity: usize,
    entries: Mutex<HashMap<K, (Instant, V)>>,
}

impl<K: std::hash::Hash + Eq + Clone, V: Clone> RecentMap<K, V> {
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        RecentMap { ttl, capacity, entries: Mutex::new(HashMap::new()) }
    }

    pub fn get(&self, k: &K) -> Option<V> {
        let entries = self.entries.lock().expect("recent map lock");
        entries.get(k).filter(|(at, _)| at.elapsed() < self.ttl).map(|(_, v)| v.clone())
    }

    pub fn insert(&self, k: K, v: V) {
        let mut entries = self.entries.lock().expect("recent map lock");
        if entries.len() >= self.capacity {
            entries.clear();
        }
        entries.insert(k, (Instant::now(), v));
    }

    /// Forgets every entry whose key matches.
    pub fn forget(&self, matches: impl Fn(&K) -> bool) {
        self.entries.lock().expect("recent map lock").retain(|k, _| !matches(k));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_past_the_limit_per_key() {
        let r = RateLimiter::per_minute(2);
        assert!(r.hit("a").is_ok());
        assert!(r.hit("a").is_ok());
        let retry = r.hit("a").unwrap_err();
        assert!((1..=60).contains(&retry));
        assert!(r.hit("b").is_ok());
        // keys are stored hashed: a megabyte of key costs 32 bytes
        assert!(r.hit(&"x".repeat(1 << 20)).is_ok());
        assert_eq!(r.len(), 3);
    }

    #[test]
    fn recent_maps_forget() {
        let s = RecentMap::new(Duration::from_millis(20), 2);
        s.insert(1, "a");
        assert_eq!(s.get(&1), Some("a"));
        assert_eq!(s.get(&2), None);
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(s.get(&1), None);
        s.insert(2, "b");
        s.insert(3, "c");
        s.insert(4, "d"); // past capacity: starts over
        assert!(s.get(&4).is_some() && s.get(&2).is_none());
        s.forget(|k| *k == 4);
        assert!(s.get(&4).is_none());
    }
}
