use std::time::{SystemTime, UNIX_EPOCH};

/// Wall-clock time in unix milliseconds, the unit of every stored timestamp.
///
/// A clock before 1970 (a broken CMOS battery) reads as 0 rather than failing the caller.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
