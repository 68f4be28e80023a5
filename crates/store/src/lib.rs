//! The store: the two database backends (SQLite embedded, PostgreSQL), their
//! migrations and every query, one module per group of tables.
//!
//! Each query is written once. A use case opens one [`Tx`] (read or write), and the
//! [`on_tx!`] macro expands the same sqlx code for whichever backend the transaction
//! runs on; only where the SQL dialects differ does a query branch on the backend.

/// The readers of a record whose columns `$at!(row, first column)` reads: the same
/// reading for SQLite's rows in place ([`direct`]) and PostgreSQL's ([`pgrow`]),
/// from any column on (docs/ARCHITECTURE.md, "Fewer round trips on PostgreSQL").
macro_rules! row_readers {
    ($record:ty, $at:ident) => {
        /// A row of the columns, read in place on SQLite's writer ([`crate::direct`]).
        fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<$record> {
            read_at(r, 0)
        }

        /// The columns from `b` on of a row read in place on SQLite's writer.
        pub(crate) fn read_at(r: &rusqlite::Row<'_>, b: usize) -> rusqlite::Result<$record> {
            use crate::direct::*;
            Ok($at!(r, b))
        }

        /// The columns from `b` on of a PostgreSQL row.
        pub(crate) fn read_pg_at(r: &sqlx::postgres::PgRow, b: usize) -> sqlx::Result<$record> {
            use crate::pgrow::*;
            Ok($at!(r, b))
        }
    };
}

mod db;
mod direct;
pub mod error;
pub mod health;
mod pgrow;
pub mod records;
pub mod sql;

pub mod accounts;
pub mod analytics;
pub mod attendees;
pub mod booths;
pub mod consents;
pub mod content;
pub mod erasure;
pub mod events;
pub mod exports;
pub mod idempotency;
pub mod imports;
pub mod instances;
pub mod invitations;
pub mod leads;
pub mod logos;
pub mod members;
pub mod messages;
pub mod outbox;
pub mod presence;
pub mod questions;
pub mod rate_limits;
pub mod service_tokens;
pub mod sponsors;
pub mod tiers;
pub mod webhooks;

pub use db::{Backend, POSTGRES_PING_AFTER_IDLE, Store, StoreOptions, Tx, TxConn, postgres_pool_options, redact_url};
pub use error::StoreError;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
