//! Rate limiting per key, with `governor` (GCRA: a burst of the quota, then one
//! more every minute / quota), kept in process memory. Keys are hashed to a fixed
//! size before they are stored, and keys not seen for a window are forgotten by
//! [`RateLimiter::sweep`] (the janitor runs it), so memory stays bounded whatever
//! callers send.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use sha2::{Digest, Sha256};
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
