//! Fixed-window rate limiting per key.
//!
//! Kept in process memory: correct for the single-instance default. With several
//! instances each instance counts on its own, so the effective limit is per instance.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateLimiter {
    window: Duration,
    counters: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    pub fn new(window: Duration) -> Self {
        RateLimiter { window, counters: Mutex::new(HashMap::new()) }
    }

    /// Counts one hit for `key`. `Err(seconds)` when the window's `limit` is used up,
    /// with the seconds until it resets.
    pub fn hit(&self, key: &str, limit: u32) -> Result<(), u64> {
        let now = Instant::now();
        let mut counters = self.counters.lock().expect("rate limiter lock");
        if counters.len() > 100_000 {
            let window = self.window;
            counters.retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        let entry = counters.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= limit {
            let left = self.window.saturating_sub(now.duration_since(entry.0));
            return Err(left.as_secs().max(1));
        }
        entry.1 += 1;
        Ok(())
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
        let r = RateLimiter::new(Duration::from_secs(60));
        assert!(r.hit("a", 2).is_ok());
        assert!(r.hit("a", 2).is_ok());
        let retry = r.hit("a", 2).unwrap_err();
        assert!((1..=60).contains(&retry));
        assert!(r.hit("b", 2).is_ok());
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
