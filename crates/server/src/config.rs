//! Runtime configuration, shared by the binary (which fills it from flags and the
//! environment) and the tests (which fill it directly).

use anyhow::Context;
use sponsorhub_services::Limits;
use sponsorhub_services::auth::{SigningKey, TokenConfig};
use sponsorhub_services::email::EmailSettings;
use sponsorhub_services::objects::ObjectStoreConfig;
use sponsorhub_services::webhooks::WebhookSettings;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Clone)]
pub struct Config {
    /// Address to listen on (`SPONSORHUB_BIND`).
    pub bind: SocketAddr,
    /// `sqlite://...` or `postgres://...` (`DATABASE_URL`); default: SQLite in the data dir.
    pub database_url: String,
    /// Where the SQLite file, the generated JWT secret and the mail outbox live.
    pub data_dir: PathBuf,
    /// The address users reach the service at, for links in e-mails.
    pub public_url: String,
    pub jwt: JwtConfig,
    pub limits: Limits,
    pub db_max_connections: u32,
    /// SQLite: pages of WAL past which the writer starts it over
    /// (`StoreOptions::sqlite_wal_restart_pages`).
    pub sqlite_wal_restart_pages: u32,
    pub email: EmailConfig,
    pub webhooks: WebhookConfig,
    pub realtime: RealtimeConfig,
    /// Proxies whose `X-Forwarded-For` names the client (`SPONSORHUB_TRUSTED_PROXIES`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// After the shutdown signal, how long requests are still accepted (answered
    /// with `Connection: close`, `/readyz` failing) before the listener closes and
    /// the requests in flight finish (`SPONSORHUB_SHUTDOWN_DRAIN_MS`).
    pub shutdown_drain: Duration,
    /// The key badge codes are derived with (`SPONSORHUB_BADGE_SECRET`, at least 32
    /// bytes); generated and kept in the data dir when absent. Every instance
    /// needs the same one (docs/DECISIONS.md, "Attendees and badges").
    pub badge_secret: Option<String>,
    /// Where uploaded files (booth content) are kept (`SPONSORHUB_OBJECT_STORE` and
    /// the `SPONSORHUB_S3_*` settings); default: `<data dir>/objects`.
    pub objects: ObjectStoreConfig,
}

/// The socket.io gateway (`/socket.io/`, namespace `/events`).
#[derive(Clone, Debug)]
pub struct RealtimeConfig {
    /// How rooms span instances (`SPONSORHUB_REALTIME_ADAPTER`).
    pub adapter: RealtimeAdapter,
    /// Prefix of the PostgreSQL NOTIFY channels (`SPONSORHUB_REALTIME_CHANNEL`):
    /// instances on the same database with the same prefix share their rooms.
    pub channel_prefix: String,
    /// How long a look that found no other instance on the channels is trusted
    /// (emits to other instances are then left out), and how long an instance
    /// waits after it starts listening before it serves (docs/DECISIONS.md, "No
    /// NOTIFY when no other instance listens").
    pub peers_trusted: std::time::Duration,
}

impl Default for RealtimeConfig {
    fn default() -> Self {
        RealtimeConfig {
            adapter: RealtimeAdapter::Auto,
            channel_prefix: "sponsorhub".into(),
            peers_trusted: std::time::Duration::from_secs(1),
        }
    }
}

/// Where socket.io rooms live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RealtimeAdapter {
    /// PostgreSQL LISTEN/NOTIFY when the database is PostgreSQL, else in process.
    Auto,
    /// In this process only: one instance.
    Local,
    /// PostgreSQL LISTEN/NOTIFY on the database of `database_url`: several instances.
    Postgres,
}

impl std::str::FromStr for RealtimeAdapter {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(RealtimeAdapter::Auto),
            "local" => Ok(RealtimeAdapter::Local),
            "postgres" | "postgresql" => Ok(RealtimeAdapter::Postgres),
            other => Err(format!("unknown real-time adapter {other:?}: use auto, local or postgres")),
        }
    }
}

impl fmt::Display for RealtimeAdapter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RealtimeAdapter::Auto => "auto",
            RealtimeAdapter::Local => "local",
            RealtimeAdapter::Postgres => "postgres",
        })
    }
}

/// E-mail: where it goes and how the outbox worker runs.
#[derive(Clone)]
pub struct EmailConfig {
    /// `SMTP_URL`: `smtp://user:pass@host:port` (STARTTLS as `smtp_starttls` says)
    /// or `smtps://...` (TLS from the first byte). Absent: each e-mail is written as
    /// an `.eml` file into `<data dir>/outbox/` and logged.
    pub smtp_url: Option<String>,
    /// STARTTLS on `smtp://` (`SPONSORHUB_SMTP_STARTTLS`).
    pub smtp_starttls: StartTls,
    /// Longest wait for the SMTP server in one command.
    pub smtp_timeout: Duration,
    /// The `From:` of every e-mail (`SPONSORHUB_EMAIL_FROM`).
    pub from: String,
    /// Whether this instance runs the delivery worker (`SPONSORHUB_EMAIL_WORKER`);
    /// several instances may, on one PostgreSQL.
    pub worker: bool,
    /// How often an idle worker looks for due e-mails.
    pub poll_interval: Duration,
    /// Attempts, backoff, lease, batch size and the lead digest window.
    pub settings: EmailSettings,
}

/// Webhooks: whether this instance delivers them, and how.
#[derive(Clone)]
pub struct WebhookConfig {
    /// Whether this instance runs the delivery worker (`SPONSORHUB_WEBHOOK_WORKER`).
    pub worker: bool,
    /// How often an idle worker looks for due deliveries.
    pub poll_interval: Duration,
    /// Private targets (`SPONSORHUB_WEBHOOK_ALLOW_PRIVATE`), attempts, backoff,
    /// the failures that disable an endpoint, lease, batch, timeout.
    pub settings: WebhookSettings,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig { worker: true, poll_interval: Duration::from_secs(1), settings: WebhookSettings::default() }
    }
}

/// STARTTLS on a `smtp://` connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartTls {
    /// Plain text throughout (a trusted local relay only).
    Off,
    /// Upgrade when the server offers it.
    Opportunistic,
    /// Refuse to send unless the connection is upgraded.
    Required,
}

impl std::str::FromStr for StartTls {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "off" | "none" | "false" | "no" => Ok(StartTls::Off),
            "opportunistic" | "auto" => Ok(StartTls::Opportunistic),
            "required" | "on" | "true" | "yes" => Ok(StartTls::Required),
            other => Err(format!("{other:?}: want off, opportunistic or required")),
        }
    }
}

impl fmt::Display for StartTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StartTls::Off => "off",
            StartTls::Opportunistic => "opportunistic",
            StartTls::Required => "required",
        })
    }
}

impl Default for EmailConfig {
    fn default() -> Self {
        EmailConfig {
            smtp_url: None,
            smtp_starttls: StartTls::Opportunistic,
            smtp_timeout: Duration::from_secs(30),
            from: "Sponsorhub <sponsorhub@localhost>".into(),
            worker: true,
            poll_interval: Duration::from_secs(1),
            settings: EmailSettings::default(),
        }
    }
}

#[derive(Clone)]
pub struct JwtConfig {
    /// HS256 secret (`SPONSORHUB_JWT_SECRET`); generated and kept in the data dir when absent.
    pub secret: Option<String>,
    /// RS256 public key PEM file: verify platform tokens with it instead of HS256.
    pub public_key_file: Option<PathBuf>,
    /// RS256 private key PEM file, to mint tokens when RS256 is configured.
    pub private_key_file: Option<PathBuf>,
    pub issuer: Option<String>,
    pub audience: Option<String>,
    pub ttl: Duration,
}

impl Default for JwtConfig {
    fn default() -> Self {
        JwtConfig {
            secret: None,
            public_key_file: None,
            private_key_file: None,
            issuer: None,
            audience: None,
            ttl: Duration::from_secs(24 * 3600),
        }
    }
}

impl Config {
    /// The embedded default: SQLite under `data_dir`, listening on 127.0.0.1:8080.
    pub fn embedded(data_dir: impl Into<PathBuf>) -> Config {
        let data_dir = data_dir.into();
        Config {
            bind: "127.0.0.1:8080".parse().expect("literal address"),
            database_url: sqlite_url(&data_dir),
            objects: ObjectStoreConfig::Local { dir: data_dir.join("objects") },
            data_dir,
            public_url: "http://127.0.0.1:8080".into(),
            jwt: JwtConfig::default(),
            limits: Limits::default(),
            db_max_connections: 16,
            sqlite_wal_restart_pages: 50_000,
            email: EmailConfig::default(),
            webhooks: WebhookConfig::default(),
            realtime: RealtimeConfig::default(),
            trusted_proxies: Vec::new(),
            shutdown_drain: Duration::from_millis(1000),
            badge_secret: None,
        }
    }

    /// Where e-mails are written when no SMTP server is configured.
    pub fn outbox_dir(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }

    /// The token configuration, reading key files and creating the HS256 secret file
    /// in the data dir on first start when no secret is configured.
    pub fn token_config(&self) -> anyhow::Result<TokenConfig> {
        let key = match &self.jwt.public_key_file {
            Some(public) => SigningKey::Rs256 {
                public_pem: std::fs::read(public).with_context(|| format!("reading {}", public.display()))?,
                private_pem: match &self.jwt.private_key_file {
                    Some(p) => Some(std::fs::read(p).with_context(|| format!("reading {}", p.display()))?),
                    None => None,
                },
            },
            None => SigningKey::Hs256 {
                secret: match &self.jwt.secret {
                    Some(s) => s.as_bytes().to_vec(),
                    None => stored_secret(&self.data_dir, "jwt-secret")?.into_bytes(),
                },
            },
        };
        Ok(TokenConfig { key, issuer: self.jwt.issuer.clone(), audience: self.jwt.audience.clone(), ttl: self.jwt.ttl })
    }

    /// The key of badge codes: the configured one, else `<data_dir>/badge-secret`.
    pub fn badge_secret(&self) -> anyhow::Result<Vec<u8>> {
        match &self.badge_secret {
            Some(s) => {
                anyhow::ensure!(s.len() >= 32, "SPONSORHUB_BADGE_SECRET must be at least 32 bytes");
                Ok(s.as_bytes().to_vec())
            }
            None => Ok(stored_secret(&self.data_dir, "badge-secret")?.into_bytes()),
        }
    }
}

/// `sqlite://<dir>/sponsorhub.db`
pub fn sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}", data_dir.join("sponsorhub.db").display())
}

/// A secret kept in `<data_dir>/<name>` (the JWT secret, the badge secret), made on
/// first use (readable by the owner only), so it survives restarts without any setup.
fn stored_secret(data_dir: &Path, name: &str) -> anyhow::Result<String> {
    let path = data_dir.join(name);
    if let Ok(s) = std::fs::read_to_string(&path) {
        let s = s.trim().to_string();
        anyhow::ensure!(s.len() >= 32, "{} holds a secret shorter than 32 bytes", path.display());
        return Ok(s);
    }
    std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
    let secret = hex::encode(rand::random::<[u8; 32]>());
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    use std::io::Write;
    let mut file = options.open(&path).with_context(|| format!("creating {}", path.display()))?;
    file.write_all(secret.as_bytes())?;
    Ok(secret)
}

/// Printed at start: every setting, secrets masked.
impl fmt::Display for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mask = |o: &Option<String>| if o.is_some() { "***" } else { "(generated, kept in the data dir)" };
        writeln!(f, "bind            = {}", self.bind)?;
        writeln!(f, "database_url    = {}", sponsorhub_store::redact_url(&self.database_url))?;
        writeln!(f, "data_dir        = {}", self.data_dir.display())?;
        writeln!(f, "public_url      = {}", self.public_url)?;
        match &self.jwt.public_key_file {
            Some(p) => writeln!(f, "jwt             = RS256, public key {}", p.display())?,
            None => writeln!(f, "jwt             = HS256, secret {}", mask(&self.jwt.secret))?,
        }
        writeln!(f, "jwt.issuer      = {}", self.jwt.issuer.as_deref().unwrap_or("(not checked)"))?;
        writeln!(f, "jwt.audience    = {}", self.jwt.audience.as_deref().unwrap_or("(not checked)"))?;
        writeln!(f, "jwt.ttl         = {}s", self.jwt.ttl.as_secs())?;
        writeln!(
            f,
            "login limits    = {}/min per e-mail, {}/min per client",
            self.limits.logins_per_email_per_minute, self.limits.logins_per_client_per_minute
        )?;
        writeln!(
            f,
            "limits          = {} invitations/min, {} captures/min per user",
            self.limits.invitations_per_minute, self.limits.captures_per_minute
        )?;
        writeln!(f, "invitation ttl  = {} days", self.limits.invitation_ttl.num_days())?;
        let e = &self.email;
        match &e.smtp_url {
            Some(url) if url.starts_with("smtps:") => {
                writeln!(f, "email           = SMTP {} (TLS)", sponsorhub_store::redact_url(url))?
            }
            Some(url) => writeln!(
                f,
                "email           = SMTP {} (STARTTLS {})",
                sponsorhub_store::redact_url(url),
                e.smtp_starttls
            )?,
            None => writeln!(f, "email           = .eml files in {}", self.outbox_dir().display())?,
        }
        writeln!(f, "email.from      = {}", e.from)?;
        let s = &e.settings;
        if e.worker {
            writeln!(
                f,
                "email.worker    = every {}ms, {} per batch, {} attempts, backoff {}s to {}s, lease {}s",
                e.poll_interval.as_millis(),
                s.batch_size,
                s.max_attempts,
                s.backoff_base.as_secs_f64(),
                s.backoff_max.as_secs_f64(),
                s.lease.as_secs_f64()
            )?;
        } else {
            writeln!(f, "email.worker    = off (another instance delivers)")?;
        }
        writeln!(f, "lead digest     = {}s window", s.lead_digest_window.as_secs_f64())?;
        writeln!(f, "message digest  = {}s window", s.message_digest_window.as_secs_f64())?;
        writeln!(f, "objects         = {}", self.objects)?;
        let w = &self.webhooks;
        if w.worker {
            writeln!(
                f,
                "webhooks        = every {}ms, {} attempts, backoff {}s to {}s, off after {} failures{}",
                w.poll_interval.as_millis(),
                w.settings.max_attempts,
                w.settings.backoff_base.as_secs_f64(),
                w.settings.backoff_max.as_secs_f64(),
                w.settings.disable_after,
                if w.settings.allow_private { ", private addresses allowed" } else { "" }
            )?;
        } else {
            writeln!(f, "webhooks        = worker off (another instance delivers)")?;
        }
        write!(
            f,
            "realtime        = adapter {}, channel prefix {}",
            self.realtime.adapter, self.realtime.channel_prefix
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_password_is_masked() {
        let mut c = Config::embedded("/tmp/x");
        c.email.smtp_url = Some("smtp://mailer:s3cr%40t@mail.example:587".into());
        c.email.smtp_starttls = StartTls::Required;
        let shown = c.to_string();
        assert!(shown.contains("smtp://mailer:***@mail.example:587"), "{shown}");
        assert!(!shown.contains("s3cr"), "{shown}");
        c.email.smtp_url = Some("smtps://mailer:hunter2@mail.example".into());
        let shown = c.to_string();
        assert!(shown.contains("(TLS)") && !shown.contains("hunter2"), "{shown}");
        c.email.smtp_url = None;
        assert!(c.to_string().contains(".eml files in /tmp/x/outbox"));
        assert!(c.to_string().contains("objects         = directory /tmp/x/objects"));
        c.objects = ObjectStoreConfig::S3(sponsorhub_services::objects::S3Config {
            bucket: "booths".into(),
            access_key_id: Some("AKIAEXAMPLE".into()),
            secret_access_key: Some("wJalrXUtnFEMI".into()),
            ..Default::default()
        });
        let shown = c.to_string();
        assert!(shown.contains("s3://booths") && !shown.contains("wJalrXUtnFEMI"), "{shown}");
    }
}
