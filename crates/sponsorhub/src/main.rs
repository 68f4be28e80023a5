//! The `sponsorhub` binary: `serve` (the default), `migrate`, `token` and `seed`.

mod seed;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use sponsorhub_domain::{OrgRole, ids};
use sponsorhub_server::Config;
use sponsorhub_server::config::{
    EmailConfig, JwtConfig, RealtimeAdapter, RealtimeConfig, StartTls, WebhookConfig, sqlite_url,
};
use sponsorhub_services::Limits;
use sponsorhub_services::auth::TokenService;
use sponsorhub_services::email::EmailSettings;
use sponsorhub_services::objects::ObjectStoreConfig;
use sponsorhub_services::webhooks::WebhookSettings;
use sponsorhub_store::{Store, StoreOptions};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Parser)]
#[command(name = "sponsorhub", version, about = "Sponsorship service for events: tiers, sponsors, staff, live leads")]
struct Cli {
    #[command(flatten)]
    settings: Settings,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print a signed bearer token (for scripts, admins and tests).
    Token(TokenArgs),
    /// Create an organizer, an event with the default tiers, sponsors and a booth
    /// staff member on every sponsor; print their ids and tokens as shell variables.
    Seed {
        /// How many sponsors.
        #[arg(long, default_value_t = 20)]
        sponsors: usize,
    },
}

#[derive(Args)]
struct TokenArgs {
    /// User id (a UUID, or any platform id: it is mapped to a stable UUID).
    #[arg(long)]
    user: Option<String>,
    #[arg(long)]
    email: String,
    #[arg(long)]
    name: Option<String>,
    /// Organization id the token is for.
    #[arg(long)]
    org: Option<String>,
    /// Role in that organization: OWNER, ADMIN or MEMBER.
    #[arg(long, default_value_t = OrgRole::Member)]
    role: OrgRole,
    /// Lifetime in seconds (default: the configured token lifetime).
    #[arg(long)]
    ttl: Option<u64>,
}

/// Every setting, from a flag or the environment.
#[derive(Args)]
struct Settings {
    /// Address to listen on.
    #[arg(long, env = "SPONSORHUB_BIND", default_value = "127.0.0.1:8080", global = true)]
    bind: SocketAddr,
    /// Folder for the SQLite file, the generated JWT secret and the mail outbox.
    #[arg(long, env = "SPONSORHUB_DATA_DIR", default_value = "data", global = true)]
    data_dir: PathBuf,
    /// sqlite://... or postgres://...; default: SQLite in the data dir.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    database_url: Option<String>,
    /// Address users reach the service at (for links in e-mails).
    #[arg(long, env = "SPONSORHUB_PUBLIC_URL", global = true)]
    public_url: Option<String>,
    /// HS256 secret for bearer tokens (at least 32 bytes); generated and kept in the data dir when absent.
    #[arg(long, env = "SPONSORHUB_JWT_SECRET", global = true, hide_env_values = true)]
    jwt_secret: Option<String>,
    /// The key badge codes are derived from (at least 32 bytes; the same on every
    /// instance); generated and kept in the data dir when absent.
    #[arg(long, env = "SPONSORHUB_BADGE_SECRET", global = true, hide_env_values = true)]
    badge_secret: Option<String>,
    /// RS256 public key (PEM file) to verify the platform's tokens with, instead of HS256.
    #[arg(long, env = "SPONSORHUB_JWT_PUBLIC_KEY_FILE", global = true)]
    jwt_public_key_file: Option<PathBuf>,
    /// RS256 private key (PEM file) to mint tokens with, when RS256 is used.
    #[arg(long, env = "SPONSORHUB_JWT_PRIVATE_KEY_FILE", global = true)]
    jwt_private_key_file: Option<PathBuf>,
    /// Required `iss` claim, when set.
    #[arg(long, env = "SPONSORHUB_JWT_ISSUER", global = true)]
    jwt_issuer: Option<String>,
    /// Required `aud` claim, when set.
    #[arg(long, env = "SPONSORHUB_JWT_AUDIENCE", global = true)]
    jwt_audience: Option<String>,
    /// Lifetime of the tokens this service mints, in seconds.
    #[arg(long, env = "SPONSORHUB_TOKEN_TTL_SECS", default_value_t = 86_400, global = true)]
    token_ttl_secs: u64,
    /// Login attempts per e-mail address per minute.
    #[arg(long, env = "SPONSORHUB_LOGIN_LIMIT_PER_EMAIL", default_value_t = 10, global = true)]
    login_limit_per_email: u32,
    /// Login attempts per client address per minute.
    #[arg(long, env = "SPONSORHUB_LOGIN_LIMIT_PER_CLIENT", default_value_t = 30, global = true)]
    login_limit_per_client: u32,
    /// Invitations (created or resent) per user per minute.
    #[arg(long, env = "SPONSORHUB_INVITATION_LIMIT", default_value_t = 10, global = true)]
    invitation_limit: u32,
    /// Lead captures per user per minute.
    #[arg(long, env = "SPONSORHUB_CAPTURE_LIMIT", default_value_t = 30, global = true)]
    capture_limit: u32,
    /// Days an invitation stays acceptable.
    #[arg(long, env = "SPONSORHUB_INVITATION_TTL_DAYS", default_value_t = 7, global = true)]
    invitation_ttl_days: i64,
    /// Database pool size.
    #[arg(long, env = "SPONSORHUB_DB_MAX_CONNECTIONS", default_value_t = 16, global = true)]
    db_max_connections: u32,
    /// SQLite: pages of WAL past which the writer starts it over under writes
    /// that never pause (4 KB each; docs/DECISIONS.md, "Group commit").
    #[arg(long, env = "SPONSORHUB_SQLITE_WAL_RESTART_PAGES", default_value_t = 50_000, value_parser = clap::value_parser!(u32).range(100..=1_000_000), global = true)]
    sqlite_wal_restart_pages: u32,
    /// SMTP server: smtp://user:pass@host:port (STARTTLS per --smtp-starttls) or
    /// smtps://user:pass@host:port (TLS). Absent: e-mails are written as .eml files
    /// into <data dir>/outbox/.
    #[arg(long, env = "SMTP_URL", global = true, hide_env_values = true)]
    smtp_url: Option<String>,
    /// STARTTLS on smtp:// URLs: off, opportunistic or required.
    #[arg(long, env = "SPONSORHUB_SMTP_STARTTLS", default_value = "opportunistic", global = true)]
    smtp_starttls: StartTls,
    /// Longest wait for one SMTP command, in seconds.
    #[arg(long, env = "SPONSORHUB_SMTP_TIMEOUT_SECS", default_value_t = 30, global = true)]
    smtp_timeout_secs: u64,
    /// The From: of every e-mail.
    #[arg(long, env = "SPONSORHUB_EMAIL_FROM", default_value = "Sponsorhub <sponsorhub@localhost>", global = true)]
    email_from: String,
    /// Run the e-mail delivery worker in this instance (several may, on one PostgreSQL).
    #[arg(long, env = "SPONSORHUB_EMAIL_WORKER", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    email_worker: bool,
    /// How often an idle e-mail worker looks for due e-mails, in milliseconds.
    #[arg(long, env = "SPONSORHUB_EMAIL_POLL_MS", default_value_t = 1000, global = true)]
    email_poll_ms: u64,
    /// Delivery attempts before an e-mail is marked failed.
    #[arg(long, env = "SPONSORHUB_EMAIL_MAX_ATTEMPTS", default_value_t = 5, global = true)]
    email_max_attempts: u16,
    /// Wait after a failed attempt, in seconds; doubled after each further one.
    #[arg(long, env = "SPONSORHUB_EMAIL_BACKOFF_SECS", default_value_t = 30, global = true)]
    email_backoff_secs: u64,
    /// Longest wait between attempts, in seconds.
    #[arg(long, env = "SPONSORHUB_EMAIL_BACKOFF_MAX_SECS", default_value_t = 3600, global = true)]
    email_backoff_max_secs: u64,
    /// How long a worker holds the e-mails it claimed before another may take them, in
    /// seconds (keep it above batch size × SMTP timeout).
    #[arg(long, env = "SPONSORHUB_EMAIL_LEASE_SECS", default_value_t = 900, global = true)]
    email_lease_secs: u64,
    /// E-mails a worker claims at once.
    #[arg(long, env = "SPONSORHUB_EMAIL_BATCH_SIZE", default_value_t = 20, global = true)]
    email_batch_size: u16,
    /// Run the webhook delivery worker in this instance (several may, on one PostgreSQL).
    #[arg(long, env = "SPONSORHUB_WEBHOOK_WORKER", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    webhook_worker: bool,
    /// Let webhooks go to loopback, private and link-local addresses, and over plain
    /// http (tests, a closed network). Off: https to public addresses only.
    #[arg(long, env = "SPONSORHUB_WEBHOOK_ALLOW_PRIVATE", default_value_t = false, action = clap::ArgAction::Set, global = true)]
    webhook_allow_private: bool,
    /// A sponsor's lead notifications within this many seconds go out as one digest.
    #[arg(long, env = "SPONSORHUB_LEAD_DIGEST_SECS", default_value_t = 60, global = true)]
    lead_digest_secs: u64,
    /// Unread messages older than this many seconds are told by e-mail (one
    /// notice per recipient); who reads them meanwhile gets none.
    #[arg(long, env = "SPONSORHUB_MESSAGE_DIGEST_SECS", default_value_t = 600, global = true)]
    message_digest_secs: u64,
    /// How socket.io rooms span instances: auto (PostgreSQL LISTEN/NOTIFY when the
    /// database is PostgreSQL, else in process), local, or postgres.
    #[arg(long, env = "SPONSORHUB_REALTIME_ADAPTER", default_value = "auto", global = true)]
    realtime_adapter: RealtimeAdapter,
    /// Prefix of the PostgreSQL NOTIFY channels: instances on one database with the
    /// same prefix share their socket.io rooms.
    #[arg(long, env = "SPONSORHUB_REALTIME_CHANNEL", default_value = "sponsorhub", global = true)]
    realtime_channel: String,
    /// Proxies (CIDRs, comma separated) whose X-Forwarded-For names the client.
    #[arg(long, env = "SPONSORHUB_TRUSTED_PROXIES", value_delimiter = ',', global = true)]
    trusted_proxies: Vec<ipnet::IpNet>,
    /// After SIGTERM, how long to keep answering (each answer closing its
    /// connection) before the listener closes, in milliseconds.
    #[arg(long, env = "SPONSORHUB_SHUTDOWN_DRAIN_MS", default_value_t = 1000, global = true)]
    shutdown_drain_ms: u64,
    /// Sign-ups per client address per minute.
    #[arg(long, env = "SPONSORHUB_SIGNUP_LIMIT_PER_CLIENT", default_value_t = 10, global = true)]
    signup_limit_per_client: u32,
    /// Where uploaded files (booth content) are kept: a directory (default
    /// `<data dir>/objects`; `file:///dir` also reads as one) or `s3://bucket[/prefix]`,
    /// shared by every instance.
    #[arg(long, env = "SPONSORHUB_OBJECT_STORE", global = true)]
    object_store: Option<String>,
    /// The S3-compatible service's address, for storage other than AWS.
    #[arg(long, env = "SPONSORHUB_S3_ENDPOINT", global = true)]
    s3_endpoint: Option<String>,
    /// The bucket's region (AWS: from AWS_DEFAULT_REGION / AWS_REGION when absent).
    #[arg(long, env = "SPONSORHUB_S3_REGION", global = true)]
    s3_region: Option<String>,
    /// The access key; without it the AWS environment's credentials are used.
    #[arg(long, env = "SPONSORHUB_S3_ACCESS_KEY_ID", global = true, hide_env_values = true)]
    s3_access_key_id: Option<String>,
    #[arg(long, env = "SPONSORHUB_S3_SECRET_ACCESS_KEY", global = true, hide_env_values = true)]
    s3_secret_access_key: Option<String>,
    /// Allow a plain-http S3 endpoint (a test server on a closed network).
    #[arg(long, env = "SPONSORHUB_S3_ALLOW_HTTP", default_value_t = false, action = clap::ArgAction::Set, global = true)]
    s3_allow_http: bool,
}

impl Settings {
    fn into_config(self) -> anyhow::Result<Config> {
        let mut objects = ObjectStoreConfig::parse(self.object_store.as_deref(), self.data_dir.join("objects"))
            .map_err(|e| anyhow::anyhow!("SPONSORHUB_OBJECT_STORE: {e}"))?;
        if let ObjectStoreConfig::S3(s3) = &mut objects {
            let set = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
            s3.endpoint = set(self.s3_endpoint);
            s3.region = set(self.s3_region);
            s3.access_key_id = set(self.s3_access_key_id);
            s3.secret_access_key = set(self.s3_secret_access_key);
            s3.allow_http = self.s3_allow_http;
            anyhow::ensure!(
                s3.access_key_id.is_some() == s3.secret_access_key.is_some(),
                "set both SPONSORHUB_S3_ACCESS_KEY_ID and SPONSORHUB_S3_SECRET_ACCESS_KEY, or neither"
            );
        }
        Ok(Config {
            objects,
            bind: self.bind,
            database_url: self.database_url.unwrap_or_else(|| sqlite_url(&self.data_dir)),
            public_url: self.public_url.unwrap_or_else(|| format!("http://{}", self.bind)),
            data_dir: self.data_dir,
            jwt: JwtConfig {
                secret: self.jwt_secret,
                public_key_file: self.jwt_public_key_file,
                private_key_file: self.jwt_private_key_file,
                issuer: self.jwt_issuer,
                audience: self.jwt_audience,
                ttl: Duration::from_secs(self.token_ttl_secs),
            },
            limits: Limits {
                logins_per_email_per_minute: self.login_limit_per_email,
                logins_per_client_per_minute: self.login_limit_per_client,
                invitations_per_minute: self.invitation_limit,
                captures_per_minute: self.capture_limit,
                signups_per_client_per_minute: self.signup_limit_per_client,
                invitation_ttl: chrono::Duration::days(self.invitation_ttl_days.max(1)),
                ..Limits::default()
            },
            db_max_connections: self.db_max_connections,
            sqlite_wal_restart_pages: self.sqlite_wal_restart_pages,
            email: EmailConfig {
                smtp_url: self.smtp_url.filter(|u| !u.trim().is_empty()),
                smtp_starttls: self.smtp_starttls,
                smtp_timeout: Duration::from_secs(self.smtp_timeout_secs.max(1)),
                from: self.email_from,
                worker: self.email_worker,
                poll_interval: Duration::from_millis(self.email_poll_ms.max(10)),
                settings: EmailSettings {
                    lead_digest_window: Duration::from_secs(self.lead_digest_secs),
                    message_digest_window: Duration::from_secs(self.message_digest_secs),
                    max_attempts: i32::from(self.email_max_attempts.max(1)),
                    backoff_base: Duration::from_secs(self.email_backoff_secs),
                    backoff_max: Duration::from_secs(self.email_backoff_max_secs.max(self.email_backoff_secs)),
                    lease: Duration::from_secs(self.email_lease_secs.max(10)),
                    batch_size: i64::from(self.email_batch_size.max(1)),
                    ..EmailSettings::default()
                },
            },
            webhooks: WebhookConfig {
                worker: self.webhook_worker,
                settings: WebhookSettings { allow_private: self.webhook_allow_private, ..WebhookSettings::default() },
                ..WebhookConfig::default()
            },
            realtime: RealtimeConfig {
                adapter: self.realtime_adapter,
                channel_prefix: self.realtime_channel,
                ..RealtimeConfig::default()
            },
            trusted_proxies: self.trusted_proxies,
            shutdown_drain: Duration::from_millis(self.shutdown_drain_ms),
            badge_secret: self.badge_secret,
        })
    }
}

fn main() -> anyhow::Result<()> {
    // before any thread: the allocator's arenas are per thread
    let arenas_capped = sponsorhub_services::allocator::cap_arenas();
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(run(arenas_capped))
}

async fn run(arenas_capped: bool) -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    if !arenas_capped {
        tracing::warn!("the allocator refused an arena cap: idle sockets may hold more memory");
    }
    let config = cli.settings.into_config()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => migrate(&config).await,
        Command::Token(args) => token(&config, args),
        Command::Seed { sponsors } => {
            let s = seed::seed(&config, sponsors).await?;
            println!("ORG={}", s.organization_id);
            println!("EVENT={}", s.event_id);
            println!("SPONSORS=\"{}\"", s.sponsor_ids.join(" "));
            println!("ORGANIZER_TOKEN={}", s.organizer_token);
            println!("TOKEN={}", s.staff_token);
            Ok(())
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    tracing::info!("configuration:\n{config}");
    let state = sponsorhub_server::app::build_state(&config).await?;
    let listener =
        tokio::net::TcpListener::bind(config.bind).await.with_context(|| format!("binding {}", config.bind))?;
    tracing::info!(
        address = %listener.local_addr()?,
        backend = state.services.store.backend().name(),
        realtime = state.realtime.adapter_name(),
        "listening"
    );
    let store = state.services.store.clone();
    sponsorhub_server::app::serve(listener, state, shutdown_signal()).await?;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}

async fn migrate(config: &Config) -> anyhow::Result<()> {
    if config.database_url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir)?;
    }
    let store = Store::connect(&config.database_url, &StoreOptions::default()).await?;
    store.migrate().await?;
    store.close().await;
    println!("migrated {}", sponsorhub_store::redact_url(&config.database_url));
    Ok(())
}

fn token(config: &Config, args: TokenArgs) -> anyhow::Result<()> {
    let tokens = TokenService::new(config.token_config()?)?;
    let user = args.user.as_deref().map(ids::external_id).unwrap_or_else(ids::new_id);
    let org = match &args.org {
        Some(org) => Some((ids::external_id(org), args.role)),
        None => None,
    };
    let name = args.name.clone().unwrap_or_else(|| args.email.clone());
    let ttl = args.ttl.map(Duration::from_secs).unwrap_or(config.jwt.ttl);
    let token = tokens.issue_platform_token(user, &args.email, &name, org, ttl).map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("{token}");
    Ok(())
}
