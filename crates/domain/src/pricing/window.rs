//! Validity windows, one reading of `starts_at`/`ends_at` for price lists and promotions alike.

use chrono::{DateTime, Utc};

/// `starts_at <= now < ends_at`, open ends allowed.
pub(super) fn in_window(
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    starts_at.is_none_or(|s| s <= now) && ends_at.is_none_or(|e| now < e)
}
