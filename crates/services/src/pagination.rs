//! Keyset pagination: `limit` and an opaque cursor (docs/ARCHITECTURE.md, "Choices worth knowing").

use crate::{Error, Result};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Serialize, de::DeserializeOwned};

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

/// A page of results and the cursor of the next one.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// The requested page size: default 50, 1..=200 allowed.
pub fn limit(requested: Option<u32>) -> Result<u32> {
    match requested {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(Error::invalid("limit", format!("must be between 1 and {MAX_LIMIT}"))),
    }
}

/// Encodes a position as an opaque cursor.
pub fn encode<K: Serialize>(key: &K) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).expect("cursor keys serialize"))
}

/// Decodes a cursor made by [`encode`]; anything else is a 400.
pub fn decode<K: DeserializeOwned>(cursor: Option<&str>) -> Result<Option<K>> {
    let Some(c) = cursor.filter(|c| !c.is_empty()) else { return Ok(None) };
    URL_SAFE_NO_PAD
        .decode(c)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .map(Some)
        .ok_or_else(|| Error::BadRequest("the cursor is not one this service issued".into()))
}

/// Builds a page from `limit + 1` fetched rows: the extra row only says that more exist.
pub fn page<T, K: Serialize>(mut rows: Vec<T>, limit: u32, key: impl Fn(&T) -> K) -> Page<T> {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = if more { rows.last().map(|last| encode(&key(last))) } else { None };
    Page { items: rows, next_cursor }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let c = encode(&(42, "x"));
        assert_eq!(decode::<(i32, String)>(Some(&c)).unwrap(), Some((42, "x".to_string())));
        assert!(decode::<(i32, String)>(Some("!!")).is_err());
        assert_eq!(decode::<i32>(None).unwrap(), None);
    }

    #[test]
    fn limits() {
        assert_eq!(limit(None).unwrap(), 50);
        assert!(limit(Some(0)).is_err());
        assert!(limit(Some(201)).is_err());
        let p = page(vec![1, 2, 3], 2, |x| *x);
        assert_eq!(p.items, vec![1, 2]);
        assert_eq!(p.next_cursor, Some(encode(&2)));
        assert_eq!(page(vec![1, 2], 2, |x| *x).next_cursor, None);
    }
}
