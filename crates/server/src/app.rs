//! Builds the application once, for the binary and for every test: state, router,
//! middleware, and the listener with graceful shutdown.

use crate::config::Config;
use crate::email::Mailer;
use crate::problem::ApiError;
use crate::realtime::Gateway;
use crate::rest;
pub use crate::state::AppState;
use anyhow::Context;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::HeaderName;
use sponsorhub_services::Services;
use sponsorhub_services::auth::TokenService;
use sponsorhub_store::{Store, StoreOptions};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use utoipa_swagger_ui::SwaggerUi;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// A logo upload's body: the file (at most 1 MiB) and room for a multipart
/// form's other fields and boundaries.
pub const LOGO_BODY_BYTES: usize = sponsorhub_services::logos::MAX_BYTES + 64 * 1024;
/// A booth content upload's body: the file (at most 20 MiB) and room for the
/// portal form's other fields and boundaries.
pub const CONTENT_BODY_BYTES: usize = sponsorhub_services::content::MAX_BYTES + 64 * 1024;

/// The most a request's body may hold: 1 MiB, 16 MiB for an attendee import
/// job (REST, and the console's upload form), 1 MiB and 64 KiB for a logo
/// upload (REST, and the console's sponsor form that carries one), 20 MiB and
/// 64 KiB for a booth content file (REST, and the portal's booth page editor).
fn body_limit(req: &Request) -> usize {
    use axum::http::Method;
    let path = req.uri().path();
    if req.method() == Method::POST && path.ends_with("/attendees/imports") {
        sponsorhub_services::imports::MAX_BYTES
    } else if req.method() == Method::POST
        && ((path.starts_with("/api/v1/sponsors/sponsors/") && path.ends_with("/booth/content"))
            || (path.starts_with("/portal/sponsors/") && path.ends_with("/booth-page/content")))
    {
        CONTENT_BODY_BYTES
    } else if (req.method() == Method::PUT && path.starts_with("/api/v1/sponsors/sponsors/") && path.ends_with("/logo"))
        || (req.method() == Method::POST
            && path.starts_with("/events/")
            && path.ends_with("/edit")
            && path.contains("/sponsors/"))
    {
        LOGO_BODY_BYTES
    } else {
        MAX_BODY_BYTES
    }
}

/// The most of a refused body that is read (and thrown away) before its 413,
/// and how long that may take; past either the answer goes at once and the
/// connection closes under the client (docs/DECISIONS.md, "An oversized body
/// is read before its 413").
const DRAIN_BYTES: u64 = 64 * 1024 * 1024;
const DRAIN_TIME: std::time::Duration = std::time::Duration::from_secs(10);

/// Holds every body to [`body_limit`]: 413 before the handler when
/// Content-Length says more, else the body stops at the limit (extractors
/// answer 413). A body refused by its Content-Length is read to its end first
/// (up to [`DRAIN_BYTES`] in [`DRAIN_TIME`]) unless the client waits for
/// `100 Continue`: a client that writes its whole body before it reads would
/// otherwise have the connection reset under its write and never see the 413.
async fn limit_body(req: Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::response::IntoResponse;
    use http_body_util::BodyExt;
    let limit = body_limit(&req);
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(declared) = declared.filter(|&n| n > limit as u64) {
        // as hyper decides it: HTTP/1.1 or later, the last Expect header
        let waits_to_send = req.version() >= axum::http::Version::HTTP_11
            && req
                .headers()
                .get_all(axum::http::header::EXPECT)
                .iter()
                .next_back()
                .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
        if !waits_to_send && declared <= DRAIN_BYTES {
            let mut body = req.into_body();
            let drain = async { while let Some(Ok(_)) = body.frame().await {} };
            let _ = tokio::time::timeout(DRAIN_TIME, drain).await;
        }
        return axum::http::StatusCode::PAYLOAD_TOO_LARGE.into_response();
    }
    let (parts, body) = req.into_parts();
    let body = axum::body::Body::new(http_body_util::Limited::new(body, limit));
    next.run(Request::from_parts(parts, body)).await
}

/// Connects and migrates the database and builds the services.
pub async fn build_state(config: &Config) -> anyhow::Result<AppState> {
    if config.database_url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("creating the data dir {}", config.data_dir.display()))?;
    }
    let store = Store::connect(
        &config.database_url,
        &StoreOptions {
            max_connections: config.db_max_connections,
            sqlite_wal_restart_pages: config.sqlite_wal_restart_pages,
            ..Default::default()
        },
    )
    .await
    .context("connecting to the database")?;
    store.migrate().await.context("migrating the database")?;
    let tokens = TokenService::new(config.token_config()?)?;
    let badge_secret = config.badge_secret().context("reading the badge secret")?;
    let objects = sponsorhub_services::objects::Objects::open(&config.objects).context("opening the object store")?;
    let services =
        Services::new(store, tokens, config.limits.clone(), config.public_url.clone(), badge_secret, objects)
            .with_email_settings(config.email.settings.clone())
            .with_webhook_settings(config.webhooks.settings.clone());
    let mailer = Arc::new(Mailer::from_config(config).context("configuring e-mail")?);
    let graphql = crate::graphql::schema(services.clone());
    let realtime = Gateway::start(&services, config).await.context("starting the real-time gateway")?;
    // PostgreSQL's connections are opened and readied for captures before the
    // first request (docs/PERFORMANCE.md, "Connections ready before the first
    // capture"); a failure here costs only speed.
    let warm_up = sponsorhub_services::capture::warm_up(&services);
    match tokio::time::timeout(std::time::Duration::from_secs(10), warm_up).await {
        Ok(Ok(0)) => {}
        Ok(Ok(n)) => tracing::info!(connections = n, "database connections readied for captures"),
        Ok(Err(e)) => tracing::warn!(error = %e, "could not ready the database connections for captures"),
        Err(_) => tracing::warn!("readying the database connections for captures took over 10 s; given up"),
    }
    let shutdown = Arc::new(tokio::sync::watch::Sender::new(false));
    let draining = Arc::new(std::sync::atomic::AtomicBool::new(false));
    Ok(AppState { services, config: Arc::new(config.clone()), mailer, graphql, realtime, shutdown, draining })
}

/// The whole HTTP surface.
pub fn build_router(state: AppState) -> Router {
    let (api, openapi) = rest::router().split_for_parts();
    let openapi = Arc::new(rest::document(openapi));
    let openapi_json = {
        let doc = openapi.clone();
        move || async move { axum::Json(doc.as_ref().clone()) }
    };
    let realtime = state.realtime.clone();
    let state_for_drain = state.clone();
    let app = api
        .route("/api/openapi.json", axum::routing::get(openapi_json))
        .merge(crate::graphql::router())
        .merge(SwaggerUi::new("/api/docs").config(utoipa_swagger_ui::Config::from("/api/openapi.json")))
        .merge(crate::web::router(&state))
        .fallback(not_found)
        .with_state(state);
    realtime
        .attach(app)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // Every body, whatever reads it (GraphQL's extractor streams it itself):
        // at most 1 MiB (attendee import jobs 16 MiB), refused early when
        // Content-Length says more.
        .layer(axum::middleware::from_fn(limit_body))
        .layer(axum::middleware::map_response(crate::problem::problem_for_bare_errors))
        .layer(axum::middleware::map_response(browser_headers))
        .layer(axum::middleware::map_response_with_state(state_for_drain, close_while_draining))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    // Only method, path and request id: never headers (tokens) or bodies (passwords).
                    let id = req.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request.id = %id)
                })
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// What every answer tells a browser, unless its handler said otherwise: no
/// sniffing, no framing, no referrer to other sites (invitation links carry
/// tokens), and for HTML (Swagger UI, GraphiQL sets its own) a policy that loads
/// only this site's scripts.
async fn browser_headers(mut res: axum::response::Response) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    let html = res.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    let h = res.headers_mut();
    h.entry(header::X_CONTENT_TYPE_OPTIONS).or_insert(HeaderValue::from_static("nosniff"));
    h.entry(header::REFERRER_POLICY).or_insert(HeaderValue::from_static("same-origin"));
    h.entry(header::X_FRAME_OPTIONS).or_insert(HeaderValue::from_static("DENY"));
    if html {
        h.entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
             connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ));
    }
    res
}

/// While the server drains before stopping, every answer closes its connection.
async fn close_while_draining(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut res: axum::response::Response,
) -> axum::response::Response {
    if state.is_draining() {
        res.headers_mut().insert(axum::http::header::CONNECTION, axum::http::HeaderValue::from_static("close"));
    }
    res
}

/// An unknown path: problem+json for API clients, the 404 page for browsers.
async fn not_found(headers: axum::http::HeaderMap) -> axum::response::Response {
    use axum::response::IntoResponse;
    let wants_html =
        headers.get(axum::http::header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/html"));
    if wants_html { crate::web::not_found_page() } else { ApiError::not_found().into_response() }
}

/// A server started on its own task.
pub struct RunningServer {
    pub addr: SocketAddr,
    pub state: AppState,
    shutdown: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets requests in flight finish, closes the pools.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.shutdown.send(());
        self.task.await??;
        self.state.services.store.close().await;
        Ok(())
    }
}

/// Builds the app and serves it on `config.bind` (port 0 picks a free port).
pub async fn start(config: Config) -> anyhow::Result<RunningServer> {
    let listener =
        tokio::net::TcpListener::bind(config.bind).await.with_context(|| format!("binding {}", config.bind))?;
    start_on(listener, config).await
}

/// Builds the app and serves it on a listener bound already (so a caller can put the
/// listener's address into `config.public_url` first).
pub async fn start_on(listener: tokio::net::TcpListener, config: Config) -> anyhow::Result<RunningServer> {
    let state = build_state(&config).await?;
    let addr = listener.local_addr()?;
    let (shutdown, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, state.clone(), async {
        let _ = rx.await;
    }));
    Ok(RunningServer { addr, state, shutdown, task })
}

/// Serves until `shutdown` resolves, then drains requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if let Err(e) = sponsorhub_services::instances::start(&state.services).await {
        tracing::warn!(error = %e, "could not register this instance");
    }
    let heartbeat = tokio::spawn(sponsorhub_services::instances::beat(state.services.clone()));
    let services = state.services.clone();
    let janitor = tokio::spawn(janitor(state.services.clone()));
    let worker = state.config.email.worker.then(|| {
        crate::email::spawn_worker(state.services.clone(), state.mailer.clone(), state.config.email.poll_interval)
    });
    let webhook_worker = state
        .config
        .webhooks
        .worker
        .then(|| crate::webhooks::spawn_worker(state.services.clone(), state.config.webhooks.poll_interval));
    // Subscribed before the first request is served: nothing committed is missed.
    let notifier = &state.services.notifier;
    let relay = tokio::spawn(state.realtime.clone().relay(notifier.subscribe(), notifier.subscribe()));
    // Every live channel's grant is re-decided here (services::live).
    let live_watch = tokio::spawn(sponsorhub_services::live::watch(state.services.clone()));
    let gateway = state.realtime.clone();
    let stopping = state.shutdown.clone();
    let draining = state.draining.clone();
    let drain = state.config.shutdown_drain;
    let app = build_router(state);
    let served = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async move {
            shutdown.await;
            // First drain: keep answering, each answer closing its connection and
            // readiness failing, so that clients and load balancers move off
            // before the listener closes (a request sent on an idle keep-alive
            // connection as it closes would get no answer at all).
            draining.store(true, std::sync::atomic::Ordering::Relaxed);
            tokio::time::sleep(drain).await;
            stopping.send_replace(true);
            // Sockets (long-polling requests among them) end now, not at their timeout.
            gateway.close().await;
        })
        .await;
    janitor.abort();
    heartbeat.abort();
    // After the requests in flight: their e-mails are queued; the worker finishes
    // the one in hand and gives the rest of its batch back.
    if let Some(worker) = worker {
        worker.stop().await;
    }
    if let Some(worker) = webhook_worker {
        worker.stop().await;
    }
    relay.abort();
    live_watch.abort();
    if let Err(e) = sponsorhub_services::instances::stop(&services).await {
        tracing::warn!(error = %e, "could not unregister this instance");
    }
    served
}

/// Housekeeping on a timer: forgets expired idempotency keys and old e-mails.
async fn janitor(services: Services) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
    let mut minutes = 0u64;
    loop {
        every.tick().await;
        // Rate-limit keys that recovered are forgotten every minute: memory stays
        // bounded whatever keys callers send.
        if let Err(e) = services.sweep_rate_limits().await {
            tracing::warn!(error = %e, "rate-limit sweep failed");
        }
        minutes += 1;
        if minutes % 10 != 1 {
            continue;
        }
        match sponsorhub_services::capture::purge_idempotency_keys(&services).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(keys = n, "forgot expired idempotency keys"),
            Err(e) => tracing::warn!(error = %e, "idempotency key sweep failed"),
        }
        match sponsorhub_services::email::purge(&services).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(emails = n, "forgot old sent and failed e-mails"),
            Err(e) => tracing::warn!(error = %e, "outbox sweep failed"),
        }
    }
}
