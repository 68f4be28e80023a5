//! Where e-mail goes: an SMTP server through lettre (STARTTLS or TLS over rustls,
//! with AUTH when the URL carries credentials), or, with no SMTP configured, one
//! RFC 5322 `.eml` file per e-mail in `<data dir>/outbox/`.

use crate::config::{Config, StartTls};
use anyhow::Context;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sponsorhub_services::email::Email;
use std::path::PathBuf;

/// A delivery that did not happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    pub message: String,
    /// Trying again cannot help (an address that does not parse).
    pub permanent: bool,
}

impl SendError {
    fn transient(message: impl Into<String>) -> SendError {
        SendError { message: message.into(), permanent: false }
    }
    fn permanent(message: impl Into<String>) -> SendError {
        SendError { message: message.into(), permanent: true }
    }
}

pub enum Transport {
    Smtp { mailer: AsyncSmtpTransport<Tokio1Executor>, described: String },
    Files { dir: PathBuf },
}

/// The transport and the headers every message shares.
pub struct Mailer {
    pub transport: Transport,
    from: Mailbox,
    /// The right-hand side of Message-IDs (the public URL's host).
    id_domain: String,
}

impl Mailer {
    pub fn from_config(config: &Config) -> anyhow::Result<Mailer> {
        let from: Mailbox = config
            .email
            .from
            .parse()
            .with_context(|| format!("SPONSORHUB_EMAIL_FROM {:?} is not an address", config.email.from))?;
        let id_domain = url::Url::parse(&config.public_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| "sponsorhub.localhost".into());
        let transport = match &config.email.smtp_url {
            Some(url) => smtp(url, config.email.smtp_starttls, config.email.smtp_timeout)?,
            None => Transport::Files { dir: config.outbox_dir() },
        };
        Ok(Mailer { transport, from, id_domain })
    }

    pub fn describe(&self) -> String {
        match &self.transport {
            Transport::Smtp { described, .. } => described.clone(),
            Transport::Files { dir } => format!(".eml files in {}", dir.display()),
        }
    }

    /// The e-mail as a MIME message: multipart/alternative, text then HTML, with a
    /// Message-ID made of the outbox id (the same on every attempt).
    pub fn message(&self, e: &Email) -> Result<Message, SendError> {
        let mut b = Message::builder()
            .from(self.from.clone())
            .subject(e.subject.clone())
            .message_id(Some(format!("<{}@{}>", e.id, self.id_domain)))
            .date(e.created_at.into());
        if e.recipients.0.is_empty() {
            return Err(SendError::permanent("no recipients"));
        }
        for r in &e.recipients.0 {
            let to: Mailbox = r.parse().map_err(|err| SendError::permanent(format!("recipient {r:?}: {err}")))?;
            b = b.to(to);
        }
        b.multipart(MultiPart::alternative_plain_html(e.text_body.clone(), e.html_body.clone()))
            .map_err(|err| SendError::permanent(format!("building the message: {err}")))
    }

    /// Delivers one e-mail.
    pub async fn send(&self, e: &Email) -> Result<(), SendError> {
        let message = self.message(e)?;
        match &self.transport {
            Transport::Smtp { mailer, .. } => {
                mailer.send(message).await.map_err(|err| SendError::transient(err.to_string()))?;
                tracing::info!(email.id = %e.id, email.kind = %e.kind, to = ?e.recipients.0, "e-mail sent over SMTP");
            }
            Transport::Files { dir } => {
                let path = write_eml(dir, e, &message.formatted())
                    .await
                    .map_err(|err| SendError::transient(format!("{err:#}")))?;
                tracing::info!(
                    email.id = %e.id, email.kind = %e.kind, to = ?e.recipients.0, subject = %e.subject,
                    path = %path.display(), "e-mail written (no SMTP configured)"
                );
            }
        }
        Ok(())
    }
}

/// Writes `<dir>/<outbox id>.eml` through a temporary file, so a reader never sees
/// half a message and a second attempt replaces rather than duplicates.
async fn write_eml(dir: &std::path::Path, e: &Email, bytes: &[u8]) -> anyhow::Result<PathBuf> {
    tokio::fs::create_dir_all(dir).await.with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join(format!("{}.eml", e.id));
    let tmp = dir.join(format!(".{}.eml.tmp", e.id));
    tokio::fs::write(&tmp, bytes).await.with_context(|| format!("writing {}", tmp.display()))?;
    tokio::fs::rename(&tmp, &path).await.with_context(|| format!("renaming to {}", path.display()))?;
    Ok(path)
}

/// An SMTP transport from `smtp://[user:pass@]host[:port]` or `smtps://...`.
fn smtp(raw: &str, starttls: StartTls, timeout: std::time::Duration) -> anyhow::Result<Transport> {
    let url = url::Url::parse(raw).map_err(|e| anyhow::anyhow!("SMTP_URL does not parse: {e}"))?;
    let host = url.host_str().filter(|h| !h.is_empty()).context("SMTP_URL has no host")?.to_string();
    // A bracketed IPv6 literal connects without its brackets.
    let connect_host = host.trim_start_matches('[').trim_end_matches(']').to_string();
    let tls_params = || TlsParameters::new(connect_host.clone()).context("TLS settings for SMTP");
    let (tls, port, described) = match url.scheme() {
        "smtps" => (Tls::Wrapper(tls_params()?), url.port().unwrap_or(465), "TLS".to_string()),
        "smtp" => {
            let tls = match starttls {
                StartTls::Off => Tls::None,
                StartTls::Opportunistic => Tls::Opportunistic(tls_params()?),
                StartTls::Required => Tls::Required(tls_params()?),
            };
            (tls, url.port().unwrap_or(25), format!("STARTTLS {starttls}"))
        }
        other => anyhow::bail!("SMTP_URL scheme {other:?}: want smtp:// or smtps://"),
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(connect_host)
        .port(port)
        .tls(tls)
        .timeout(Some(timeout));
    if !url.username().is_empty() {
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|c| c.into_owned())
                .context("SMTP_URL credentials are not valid percent-encoded UTF-8")
        };
        let password = decode(url.password().unwrap_or(""))?;
        builder = builder.credentials(Credentials::new(decode(url.username())?, password));
    }
    let mut shown = url.clone();
    if shown.password().is_some() {
        let _ = shown.set_password(Some("***"));
    }
    Ok(Transport::Smtp { mailer: builder.build(), described: format!("SMTP {shown} ({described})") })
}
