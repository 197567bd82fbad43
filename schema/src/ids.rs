//! Identifiers and timestamps, generated in Rust so that both backends store the same values.

/// A new UUID v7 as text: time-ordered, so keyset pagination by id follows creation order.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The current time as naive UTC, microsecond precision (what PostgreSQL keeps), so a value
/// read back equals the value written on both backends.
pub fn now() -> chrono::NaiveDateTime {
    let now = chrono::Utc::now().naive_utc();
    let micros = now.and_utc().timestamp_micros();
    chrono::DateTime::from_timestamp_micros(micros)
        .map(|t| t.naive_utc())
        .unwrap_or(now)
}
