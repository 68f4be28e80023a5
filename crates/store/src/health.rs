//! What the process has seen of its storage lately: a storage failure (disk full,
//! read-only, I/O error, the database unreachable) since the last committed write
//! makes the service not ready until a write commits again. One process, one
//! database: the state is the process's.

use std::sync::Mutex;

static LAST_FAILURE: Mutex<Option<String>> = Mutex::new(None);

/// A storage failure happened (called where the error is classified).
pub fn note_failure(what: &str) {
    *LAST_FAILURE.lock().unwrap_or_else(|e| e.into_inner()) = Some(what.to_string());
}

/// A write committed: storage takes writes again.
pub fn note_write_ok() {
    let mut last = LAST_FAILURE.lock().unwrap_or_else(|e| e.into_inner());
    if last.is_some() {
        *last = None;
    }
}

/// The last storage failure since the last committed write, if any.
pub fn recent_failure() -> Option<String> {
    LAST_FAILURE.lock().unwrap_or_else(|e| e.into_inner()).clone()
}
