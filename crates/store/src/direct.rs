//! Statements run in place on SQLite's writer connection, through rusqlite, with
//! no hop to sqlx's worker thread (docs/PERFORMANCE.md, "A capture in place on
//! SQLite's writer"). The store functions of the capture path use it when their
//! transaction holds the writer ([`crate::Tx::direct`]); the same SQL runs
//! through sqlx everywhere else. Values are encoded as sqlx encodes them for
//! SQLite, so rows written either way read and compare the same: ids as 16-byte
//! blobs, times as RFC 3339 text, JSON as text, booleans as integers.

use crate::{Result, StoreError};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rusqlite::types::{ToSqlOutput, Type, ValueRef};
use rusqlite::{Connection, Row, Statement, ToSql};
use serde::Serialize;
use uuid::Uuid;

/// A value bound to a statement.
pub(crate) enum P<'a> {
    Null,
    Int(i64),
    Text(&'a str),
    Owned(String),
    Id([u8; 16]),
}

impl ToSql for P<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            P::Null => ValueRef::Null,
            P::Int(i) => ValueRef::Integer(*i),
            P::Text(s) => ValueRef::Text(s.as_bytes()),
            P::Owned(s) => ValueRef::Text(s.as_bytes()),
            P::Id(b) => ValueRef::Blob(b),
        }))
    }
}

impl From<Uuid> for P<'_> {
    fn from(v: Uuid) -> Self {
        P::Id(*v.as_bytes())
    }
}

impl From<i64> for P<'_> {
    fn from(v: i64) -> Self {
        P::Int(v)
    }
}

impl From<i32> for P<'_> {
    fn from(v: i32) -> Self {
        P::Int(v.into())
    }
}

impl From<i16> for P<'_> {
    fn from(v: i16) -> Self {
        P::Int(v.into())
    }
}

impl From<bool> for P<'_> {
    fn from(v: bool) -> Self {
        P::Int(v.into())
    }
}

impl<'a> From<&'a str> for P<'a> {
    fn from(v: &'a str) -> Self {
        P::Text(v)
    }
}

impl<'a> From<&'a String> for P<'a> {
    fn from(v: &'a String) -> Self {
        P::Text(v)
    }
}

impl From<DateTime<Utc>> for P<'_> {
    fn from(v: DateTime<Utc>) -> Self {
        // as sqlx writes times to SQLite, so that they compare as text
        P::Owned(v.to_rfc3339_opts(SecondsFormat::AutoSi, false))
    }
}

impl From<NaiveDate> for P<'_> {
    fn from(v: NaiveDate) -> Self {
        P::Owned(v.format("%F").to_string())
    }
}

impl<'a, T: Serialize> From<&'a crate::records::JsonColumn<T>> for P<'a> {
    fn from(v: &'a crate::records::JsonColumn<T>) -> Self {
        // sqlx's own encoding of `Json` (which cannot fail for these types)
        P::Owned(serde_json::to_string(&v.0).unwrap_or_else(|_| "null".into()))
    }
}

/// `None` as NULL.
pub(crate) fn opt<'a, T: Into<P<'a>>>(v: Option<T>) -> P<'a> {
    v.map_or(P::Null, Into::into)
}

/// Binds `$n` to `args[n - 1]`: SQLite numbers `$n` parameters where they first
/// appear, which is not always `n`.
fn bind(st: &mut Statement<'_>, args: &[P<'_>]) -> Result<()> {
    for i in 1..=st.parameter_count() {
        let n = st.parameter_name(i).and_then(|name| name.strip_prefix('$')).and_then(|n| n.parse::<usize>().ok());
        let arg = n.and_then(|n| args.get(n.wrapping_sub(1))).ok_or_else(|| {
            StoreError::Database(sqlx::Error::Protocol(format!("statement parameter {i} has no argument")))
        })?;
        st.raw_bind_parameter(i, arg).map_err(failed)?;
    }
    Ok(())
}

/// Runs a statement that returns no rows; answers the rows it changed.
pub(crate) fn execute(c: &Connection, sql: &str, args: &[P<'_>]) -> Result<u64> {
    let mut st = c.prepare_cached(sql).map_err(failed)?;
    bind(&mut st, args)?;
    Ok(st.raw_execute().map_err(failed)? as u64)
}

/// The first row of a query, if any, read by `read`.
pub(crate) fn query_opt<T>(
    c: &Connection,
    sql: &str,
    args: &[P<'_>],
    read: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Option<T>> {
    let mut st = c.prepare_cached(sql).map_err(failed)?;
    bind(&mut st, args)?;
    let mut rows = st.raw_query();
    match rows.next().map_err(failed)? {
        Some(r) => Ok(Some(read(r).map_err(failed)?)),
        None => Ok(None),
    }
}

/// Runs statements with no arguments (`SAVEPOINT`, `COMMIT`, ...).
pub(crate) fn batch(c: &Connection, sql: &str) -> Result<()> {
    c.execute_batch(sql).map_err(failed)
}

/// A rusqlite error as the store tells them apart (as [`StoreError`] does sqlx's).
pub(crate) fn failed(e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode::*;
    let what = e.to_string();
    if let Some(code) = e.sqlite_error() {
        match code.extended_code {
            // SQLITE_CONSTRAINT_UNIQUE, _PRIMARYKEY
            2067 | 1555 => return StoreError::Unique(what),
            // SQLITE_CONSTRAINT_FOREIGNKEY
            787 => return StoreError::ForeignKey(what),
            // SQLITE_CONSTRAINT_CHECK
            275 => return StoreError::Check(what),
            _ => {}
        }
    }
    match e.sqlite_error_code() {
        Some(
            DatabaseBusy
            | DatabaseLocked
            | OutOfMemory
            | ReadOnly
            | SystemIoFailure
            | DatabaseCorrupt
            | DiskFull
            | CannotOpen
            | FileLockingProtocolFailed,
        ) => {
            crate::health::note_failure(&what);
            StoreError::Unavailable(what)
        }
        _ => StoreError::Database(sqlx::Error::Protocol(format!("SQLite: {what}"))),
    }
}

// ---------------------------------------------------------------- reading rows

pub(crate) fn conversion(i: usize, t: Type, e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, t, e.into())
}

pub(crate) fn text<'r>(r: &'r Row<'_>, i: usize) -> rusqlite::Result<Option<&'r str>> {
    match r.get_ref(i)? {
        ValueRef::Null => Ok(None),
        v => Ok(Some(v.as_str()?)),
    }
}

pub(crate) fn get<T: rusqlite::types::FromSql>(r: &Row<'_>, i: usize) -> rusqlite::Result<T> {
    r.get(i)
}

pub(crate) fn string(r: &Row<'_>, i: usize) -> rusqlite::Result<String> {
    Ok(r.get_ref(i)?.as_str()?.to_string())
}

pub(crate) fn opt_string(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<String>> {
    Ok(text(r, i)?.map(str::to_string))
}

pub(crate) fn time(r: &Row<'_>, i: usize) -> rusqlite::Result<DateTime<Utc>> {
    match r.get_ref(i)? {
        // as sqlx writes them; anything else through rusqlite's own reading
        ValueRef::Text(t) => match std::str::from_utf8(t).ok().and_then(|t| DateTime::parse_from_rfc3339(t).ok()) {
            Some(t) => Ok(t.with_timezone(&Utc)),
            None => r.get(i),
        },
        _ => r.get(i),
    }
}

pub(crate) fn opt_time(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    match r.get_ref(i)? {
        ValueRef::Null => Ok(None),
        _ => time(r, i).map(Some),
    }
}

pub(crate) fn uuid(r: &Row<'_>, i: usize) -> rusqlite::Result<Uuid> {
    match r.get_ref(i)? {
        ValueRef::Blob(b) => Uuid::from_slice(b).map_err(|e| conversion(i, Type::Blob, e)),
        v => Err(rusqlite::Error::InvalidColumnType(i, "uuid".into(), v.data_type())),
    }
}

pub(crate) fn opt_uuid(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<Uuid>> {
    match r.get_ref(i)? {
        ValueRef::Null => Ok(None),
        _ => uuid(r, i).map(Some),
    }
}

pub(crate) fn opt_date(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<NaiveDate>> {
    text(r, i)?.map(|t| NaiveDate::parse_from_str(t, "%F").map_err(|e| conversion(i, Type::Text, e))).transpose()
}

/// A JSON column.
pub(crate) fn json<T: serde::de::DeserializeOwned>(
    r: &Row<'_>,
    i: usize,
) -> rusqlite::Result<crate::records::JsonColumn<T>> {
    let t = r.get_ref(i)?.as_str()?;
    serde_json::from_str(t).map(sqlx::types::Json).map_err(|e| conversion(i, Type::Text, e))
}

/// A closed set stored as its name.
pub(crate) fn parsed<T: std::str::FromStr>(r: &Row<'_>, i: usize) -> rusqlite::Result<T>
where
    T::Err: std::fmt::Display,
{
    let t = r.get_ref(i)?.as_str()?;
    t.parse().map_err(|e: T::Err| conversion(i, Type::Text, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraint_errors_are_told_apart_as_sqlx_ones_are() {
        let c = Connection::open_in_memory().unwrap();
        batch(
            &c,
            "PRAGMA foreign_keys = ON;
             CREATE TABLE p (id INTEGER PRIMARY KEY);
             CREATE TABLE t (n INTEGER UNIQUE CHECK (n < 10), p INTEGER REFERENCES p (id))",
        )
        .unwrap();
        execute(&c, "INSERT INTO t (n) VALUES ($1)", &[1i64.into()]).unwrap();
        let e = execute(&c, "INSERT INTO t (n) VALUES ($1)", &[1i64.into()]).unwrap_err();
        assert!(matches!(e, StoreError::Unique(_)), "{e:?}");
        let e = execute(&c, "INSERT INTO t (n) VALUES ($1)", &[11i64.into()]).unwrap_err();
        assert!(matches!(e, StoreError::Check(_)), "{e:?}");
        let e = execute(&c, "INSERT INTO t (n, p) VALUES ($1, $2)", &[2i64.into(), 7i64.into()]).unwrap_err();
        assert!(matches!(e, StoreError::ForeignKey(_)), "{e:?}");
    }

    #[test]
    fn parameters_bind_by_their_number_wherever_they_stand() {
        let c = Connection::open_in_memory().unwrap();
        let id = Uuid::now_v7();
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-29T09:30:00.123456Z").unwrap().to_utc();
        let read = |r: &Row<'_>| {
            Ok((string(r, 0)?, uuid(r, 1)?, time(r, 2)?, opt_uuid(r, 3)?, text(r, 2)?.map(str::to_string)))
        };
        let row = query_opt(&c, "SELECT $3, $1, $2, $4", &[id.into(), at.into(), "x".into(), opt::<Uuid>(None)], read)
            .unwrap()
            .unwrap();
        // times as sqlx writes them: RFC 3339 with the offset spelled out
        assert_eq!(row, ("x".into(), id, at, None, Some("2026-11-29T09:30:00.123456+00:00".into())));
        let e = query_opt(&c, "SELECT $2", &[id.into()], |_| Ok(())).unwrap_err();
        assert!(e.to_string().contains("no argument"), "{e}");
    }
}
