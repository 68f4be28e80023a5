//! E-mail delivery: the outbox worker and its transports. What to send, and the
//! outbox rules (claim, retry with backoff, give up), are the services'
//! (`sponsorhub_services::email`); this adapter moves bytes to SMTP or to files.

pub mod transport;
pub mod worker;

pub use transport::{Mailer, SendError, Transport};
pub use worker::{Worker, spawn_worker};
