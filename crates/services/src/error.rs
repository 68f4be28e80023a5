//! The outcomes of a use case that are not success. Adapters map each variant to
//! their wire form (HTTP status and problem+json, GraphQL error code).

use sponsorhub_domain::validate::FieldError;
use sponsorhub_store::StoreError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No credentials, or credentials that do not check out.
    #[error("{0}")]
    Unauthenticated(String),
    /// A known caller who may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// Missing, or belonging to another organization: the two look the same.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request conflicts with the current state.
    #[error("{0}")]
    Conflict(String),
    /// The thing existed but is no longer usable (an expired invitation).
    #[error("{0}")]
    Gone(String),
    /// The request is malformed (not a field problem: a bad cursor, say).
    #[error("{0}")]
    BadRequest(String),
    /// One or more fields are invalid.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// Too many requests; retry after this many seconds.
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    /// The storage cannot take the request now (disk full, read-only, busy past the
    /// timeout, unreachable): nothing was done; retry after this many seconds.
    #[error("the service cannot store data right now; retry later")]
    Unavailable { retry_after_secs: u64 },
    /// Anything else: logged in full, shown to the client as a bare 500.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl Error {
    pub fn invalid(field: &str, message: impl Into<String>) -> Error {
        Error::Invalid(vec![FieldError::new(field, message)])
    }
}

impl From<Vec<FieldError>> for Error {
    fn from(errors: Vec<FieldError>) -> Self {
        Error::Invalid(errors)
    }
}

/// How long a client should wait before retrying after a storage failure.
pub const STORAGE_RETRY_SECS: u64 = 5;

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(why) => {
                tracing::warn!(error = %why, "storage unavailable");
                Error::Unavailable { retry_after_secs: STORAGE_RETRY_SECS }
            }
            StoreError::InvalidText(_) => Error::BadRequest(
                "text must not contain NUL (\\u0000) or other characters that cannot be stored".into(),
            ),
            e => Error::Internal(anyhow::Error::new(e)),
        }
    }
}
