//! The object store that holds uploaded files (booth content items): a
//! directory under the data dir by default, or S3-compatible storage shared by
//! every instance (docs/DECISIONS.md, "Booth pages"). Keys are made by the
//! services and never shown; failures of the store answer 503 (nothing half
//! done shows), a missing object 404.

use crate::{Error, Result};
use bytes::Bytes;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Where uploaded files go.
#[derive(Clone, PartialEq, Eq)]
pub enum ObjectStoreConfig {
    /// A directory on this machine (one instance, or a shared file system).
    Local { dir: PathBuf },
    /// An S3-compatible bucket, shared by every instance.
    S3(S3Config),
}

/// An S3-compatible bucket and how to reach it.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct S3Config {
    pub bucket: String,
    /// Keys are put under this prefix of the bucket (`s3://bucket/prefix`).
    pub prefix: Option<String>,
    /// The service's address, for storage other than AWS (`https://s3.example.com`).
    pub endpoint: Option<String>,
    pub region: Option<String>,
    /// Without keys, the usual AWS environment (`AWS_ACCESS_KEY_ID`, ..., instance
    /// credentials) is used.
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    /// Allow a plain-http endpoint (a local test server).
    pub allow_http: bool,
}

impl ObjectStoreConfig {
    /// Reads `SPONSORHUB_OBJECT_STORE`'s value: empty for `default_dir`, a path or
    /// `file:///path` for a directory, `s3://bucket[/prefix]` for S3 (the other S3
    /// settings are filled in by the caller).
    pub fn parse(raw: Option<&str>, default_dir: PathBuf) -> std::result::Result<ObjectStoreConfig, String> {
        let raw = raw.map(str::trim).unwrap_or_default();
        if raw.is_empty() {
            return Ok(ObjectStoreConfig::Local { dir: default_dir });
        }
        if let Some(rest) = raw.strip_prefix("s3://") {
            let (bucket, prefix) = match rest.split_once('/') {
                Some((b, p)) => (b, Some(p.trim_matches('/').to_string()).filter(|p| !p.is_empty())),
                None => (rest, None),
            };
            if bucket.is_empty() {
                return Err(format!("{raw:?}: name the bucket, as in s3://my-bucket"));
            }
            return Ok(ObjectStoreConfig::S3(S3Config { bucket: bucket.to_string(), prefix, ..S3Config::default() }));
        }
        if let Some(path) = raw.strip_prefix("file://") {
            return Ok(ObjectStoreConfig::Local { dir: PathBuf::from(path) });
        }
        if raw.contains("://") {
            return Err(format!("{raw:?}: use a directory, file:///dir or s3://bucket"));
        }
        Ok(ObjectStoreConfig::Local { dir: PathBuf::from(raw) })
    }
}

/// Shown at start: never the secret key.
impl fmt::Display for ObjectStoreConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ObjectStoreConfig::Local { dir } => write!(f, "directory {}", dir.display()),
            ObjectStoreConfig::S3(s) => {
                write!(f, "s3://{}", s.bucket)?;
                if let Some(p) = &s.prefix {
                    write!(f, "/{p}")?;
                }
                if let Some(e) = &s.endpoint {
                    write!(f, " at {e}")?;
                }
                if let Some(r) = &s.region {
                    write!(f, ", region {r}")?;
                }
                match (&s.access_key_id, &s.secret_access_key) {
                    (Some(id), Some(_)) => write!(f, ", key {id} (secret ***)")?,
                    _ => write!(f, ", credentials from the AWS environment")?,
                }
                if s.allow_http {
                    write!(f, ", plain http allowed")?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Debug for ObjectStoreConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// The open object store.
#[derive(Clone)]
pub struct Objects {
    store: Arc<dyn ObjectStore>,
}

impl fmt::Debug for Objects {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Objects({})", self.store)
    }
}

impl Objects {
    /// Opens the configured store (a directory is created when missing). Nothing
    /// is sent to S3 here: a wrong bucket shows at the first upload.
    pub fn open(config: &ObjectStoreConfig) -> anyhow::Result<Objects> {
        use anyhow::Context;
        let store: Arc<dyn ObjectStore> = match config {
            ObjectStoreConfig::Local { dir } => {
                std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
                let fs = object_store::local::LocalFileSystem::new_with_prefix(dir)
                    .with_context(|| format!("opening {}", dir.display()))?
                    .with_automatic_cleanup(true);
                Arc::new(fs)
            }
            ObjectStoreConfig::S3(s) => {
                use object_store::aws::AmazonS3Builder;
                let mut b = AmazonS3Builder::from_env()
                    .with_bucket_name(&s.bucket)
                    // path-style requests (`endpoint/bucket/key`): what every
                    // S3-compatible server understands
                    .with_virtual_hosted_style_request(false)
                    .with_allow_http(s.allow_http)
                    // a store that does not answer fails the request in seconds,
                    // not minutes
                    .with_retry(object_store::RetryConfig {
                        max_retries: 3,
                        retry_timeout: Duration::from_secs(15),
                        ..Default::default()
                    });
                if let Some(e) = &s.endpoint {
                    b = b.with_endpoint(e);
                }
                if let Some(r) = &s.region {
                    b = b.with_region(r);
                }
                if let (Some(id), Some(secret)) = (&s.access_key_id, &s.secret_access_key) {
                    b = b.with_access_key_id(id).with_secret_access_key(secret);
                }
                let s3 = b.build().context("configuring the S3 object store")?;
                match &s.prefix {
                    Some(p) => Arc::new(object_store::prefix::PrefixStore::new(s3, p.as_str())),
                    None => Arc::new(s3),
                }
            }
        };
        Ok(Objects { store })
    }

    /// An object store in memory (tests of the services alone).
    pub fn in_memory() -> Objects {
        Objects { store: Arc::new(object_store::memory::InMemory::new()) }
    }

    pub(crate) async fn put(&self, key: &str, bytes: Bytes) -> Result<()> {
        self.store.put(&ObjectPath::from(key), PutPayload::from(bytes)).await.map_err(failed("storing"))?;
        Ok(())
    }

    pub(crate) async fn get(&self, key: &str) -> Result<Bytes> {
        let got = self.store.get(&ObjectPath::from(key)).await.map_err(failed("reading"))?;
        got.bytes().await.map_err(failed("reading"))
    }

    pub(crate) async fn delete(&self, key: &str) -> Result<()> {
        match self.store.delete(&ObjectPath::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(failed("deleting")(e)),
        }
    }
}

/// A missing object is not found; anything else means the store cannot serve now.
fn failed(what: &'static str) -> impl Fn(object_store::Error) -> Error {
    move |e| match e {
        object_store::Error::NotFound { .. } => Error::NotFound("file"),
        e => {
            tracing::warn!(error = %e, "object store failed {what} a file");
            Error::Unavailable { retry_after_secs: crate::error::STORAGE_RETRY_SECS }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setting_names_a_directory_or_a_bucket() {
        let d = PathBuf::from("/data/objects");
        assert_eq!(ObjectStoreConfig::parse(None, d.clone()).unwrap(), ObjectStoreConfig::Local { dir: d.clone() });
        assert_eq!(
            ObjectStoreConfig::parse(Some(" "), d.clone()).unwrap(),
            ObjectStoreConfig::Local { dir: d.clone() }
        );
        assert_eq!(
            ObjectStoreConfig::parse(Some("file:///srv/files"), d.clone()).unwrap(),
            ObjectStoreConfig::Local { dir: "/srv/files".into() }
        );
        let ObjectStoreConfig::S3(s) = ObjectStoreConfig::parse(Some("s3://booths/prod/"), d.clone()).unwrap() else {
            panic!("s3")
        };
        assert_eq!((s.bucket.as_str(), s.prefix.as_deref()), ("booths", Some("prod")));
        assert!(ObjectStoreConfig::parse(Some("s3://"), d.clone()).is_err());
        assert!(ObjectStoreConfig::parse(Some("gs://x"), d).is_err());
    }

    #[test]
    fn the_secret_is_never_shown() {
        let c = ObjectStoreConfig::S3(S3Config {
            bucket: "b".into(),
            access_key_id: Some("AKIA1".into()),
            secret_access_key: Some("hunter2".into()),
            ..S3Config::default()
        });
        let shown = format!("{c} {c:?}");
        assert!(shown.contains("AKIA1") && !shown.contains("hunter2"), "{shown}");
    }
}
