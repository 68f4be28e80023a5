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

/// A set whose members are forgotten after `ttl` (and all at once past `capacity`):
/// a bounded in-process memo of facts that are cheap to check again.
pub struct RecentSet<K> {
    ttl: Duration,
    capacity: usize,
    entries: Mutex<HashMap<K, Instant>>,
}

impl<K: std::hash::Hash + Eq + Clone> RecentSet<K> {
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        RecentSet { ttl, capacity, entries: Mutex::new(HashMap::new()) }
    }

    pub fn contains(&self, k: &K) -> bool {
        let entries = self.entries.lock().expect("recent set lock");
        entries.get(k).is_some_and(|at| at.elapsed() < self.ttl)
    }

    pub fn insert(&self, k: K) {
        let mut entries = self.entries.lock().expect("recent set lock");
        if entries.len() >= self.capacity {
            entries.clear();
        }
        entries.insert(k, Instant::now());
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
    fn recent_sets_forget() {
        let s = RecentSet::new(Duration::from_millis(20), 2);
        s.insert(1);
        assert!(s.contains(&1) && !s.contains(&2));
        std::thread::sleep(Duration::from_millis(30));
        assert!(!s.contains(&1));
        s.insert(2);
        s.insert(3);
        s.insert(4); // past capacity: starts over
        assert!(s.contains(&4) && !s.contains(&2));
    }
}
