//! A PostgreSQL row read by column number, for a query that joins several
//! records into one row (the capture's context, `sponsors::capture_context`).
//! The same names as [`crate::direct`]'s readers of SQLite rows, so that one
//! record's reading is written once for both (docs/PERFORMANCE.md, "Fewer round
//! trips on PostgreSQL").

use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::postgres::PgRow;
use uuid::Uuid;

pub(crate) fn get<'r, T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>>(
    r: &'r PgRow,
    i: usize,
) -> sqlx::Result<T> {
    r.try_get(i)
}

pub(crate) fn string(r: &PgRow, i: usize) -> sqlx::Result<String> {
    r.try_get(i)
}

pub(crate) fn opt_string(r: &PgRow, i: usize) -> sqlx::Result<Option<String>> {
    r.try_get(i)
}

pub(crate) fn time(r: &PgRow, i: usize) -> sqlx::Result<DateTime<Utc>> {
    r.try_get(i)
}

pub(crate) fn opt_time(r: &PgRow, i: usize) -> sqlx::Result<Option<DateTime<Utc>>> {
    r.try_get(i)
}

pub(crate) fn uuid(r: &PgRow, i: usize) -> sqlx::Result<Uuid> {
    r.try_get(i)
}

pub(crate) fn opt_uuid(r: &PgRow, i: usize) -> sqlx::Result<Option<Uuid>> {
    r.try_get(i)
}

/// A JSON column.
pub(crate) fn json<T: serde::de::DeserializeOwned>(r: &PgRow, i: usize) -> sqlx::Result<crate::records::JsonColumn<T>> {
    r.try_get(i)
}

/// A closed set stored as its name.
pub(crate) fn parsed<T: std::str::FromStr>(r: &PgRow, i: usize) -> sqlx::Result<T>
where
    T::Err: std::fmt::Display,
{
    let t: &str = r.try_get(i)?;
    t.parse().map_err(|e: T::Err| sqlx::Error::ColumnDecode { index: i.to_string(), source: e.to_string().into() })
}
