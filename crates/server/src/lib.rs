//! HTTP adapters of Sponsorhub: they parse input, build the Principal, call a service
//! function and map its outcome to the wire. Nothing else: permission checks and
//! queries live in `sponsorhub-services`. `web` is the server-rendered UI over the
//! same service functions.

pub mod app;
pub mod attachment;
pub mod client;
pub mod config;
pub mod credentials;
pub mod email;
pub mod extract;
pub mod graphql;
pub mod problem;
pub mod realtime;
pub mod rest;
pub mod session;
pub mod state;
pub mod web;
pub mod webhooks;

pub use app::{AppState, RunningServer, build_router, start, start_on};
pub use config::Config;
