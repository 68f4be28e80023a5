//! One clock for the whole service.

use chrono::{DateTime, SubsecRound, Utc};

/// Now, truncated to microseconds: PostgreSQL keeps microseconds, so a value read back
/// equals the value written on both backends.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}
