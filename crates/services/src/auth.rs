//! Bearer tokens (docs/ARCHITECTURE.md, "Choices worth knowing": identity): JWTs with the claims of the surrounding platform's
//! identity service, so its tokens work unchanged. The algorithm is fixed by
//! configuration, never taken from the token.

use crate::{Error, Result};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use sponsorhub_domain::OrgRole;
use std::time::Duration;
use uuid::Uuid;

/// The claims of a Sponsorhub / platform token.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Claims {
    pub sub: String,
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    pub exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
    /// `sponsorhub` on the tokens this service mints: they carry no authority over
    /// roles or identities (the database is the truth for those).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub src: Option<String>,
}

/// The `src` claim of the tokens this service mints.
pub const MINTED_SRC: &str = "sponsorhub";

impl Claims {
    /// Minted by this service (at sign-up or login), not by the platform.
    pub fn is_minted(&self) -> bool {
        self.src.as_deref() == Some(MINTED_SRC)
    }
}

/// How tokens are signed and checked.
pub enum SigningKey {
    /// HS256 with a shared secret: verifies and mints.
    Hs256 { secret: Vec<u8> },
    /// RS256 with the platform's public key (verification only), and optionally a
    /// private key to mint tokens ourselves.
    Rs256 { public_pem: Vec<u8>, private_pem: Option<Vec<u8>> },
}

pub struct TokenConfig {
    pub key: SigningKey,
    pub issuer: Option<String>,
    pub audience: Option<String>,
    /// Lifetime of the tokens we mint.
    pub ttl: Duration,
}

pub struct TokenService {
    decoding: DecodingKey,
    encoding: Option<EncodingKey>,
    algorithm: Algorithm,
    validation: Validation,
    issuer: Option<String>,
    audience: Option<String>,
    ttl: Duration,
}

impl TokenService {
    pub fn new(config: TokenConfig) -> anyhow::Result<TokenService> {
        let (algorithm, decoding, encoding) = match &config.key {
            SigningKey::Hs256 { secret } => {
                anyhow::ensure!(secret.len() >= 32, "the JWT secret must be at least 32 bytes");
                (Algorithm::HS256, DecodingKey::from_secret(secret), Some(EncodingKey::from_secret(secret)))
            }
            SigningKey::Rs256 { public_pem, private_pem } => (
                Algorithm::RS256,
                DecodingKey::from_rsa_pem(public_pem)?,
                private_pem.as_deref().map(EncodingKey::from_rsa_pem).transpose()?,
            ),
        };
        let mut validation = Validation::new(algorithm);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = 30;
        validation.set_required_spec_claims(&["exp", "sub"]);
        match &config.issuer {
            Some(iss) => validation.set_issuer(&[iss]),
            None => validation.iss = None,
        }
        match &config.audience {
            Some(aud) => validation.set_audience(&[aud]),
            None => validation.validate_aud = false,
        }
        Ok(TokenService {
            decoding,
            encoding,
            algorithm,
            validation,
            issuer: config.issuer,
            audience: config.audience,
            ttl: config.ttl,
        })
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Checks signature, then `exp`/`nbf`, then `iss`/`aud` when configured.
    pub fn verify(&self, token: &str) -> Result<Claims> {
        decode::<Claims>(token, &self.decoding, &self.validation).map(|data| data.claims).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind as K;
            let why = match e.kind() {
                K::ExpiredSignature => "the token has expired",
                K::ImmatureSignature => "the token is not valid yet",
                K::InvalidSignature => "the token's signature does not match",
                K::InvalidAlgorithm => "the token is signed with another algorithm",
                K::InvalidIssuer | K::InvalidAudience => "the token was issued for another service",
                K::MissingRequiredClaim(_) => "the token lacks a required claim",
                _ => "the token is malformed",
            };
            Error::Unauthenticated(why.to_string())
        })
    }

    /// Mints a token for a user, optionally for an organization with a role.
    pub fn issue(&self, user: Uuid, email: &str, name: &str, org: Option<(Uuid, OrgRole)>) -> Result<String> {
        self.issue_with_ttl(user, email, name, org, self.ttl)
    }

    pub fn issue_with_ttl(
        &self,
        user: Uuid,
        email: &str,
        name: &str,
        org: Option<(Uuid, OrgRole)>,
        ttl: Duration,
    ) -> Result<String> {
        self.sign(user, email, name, org, ttl, Some(MINTED_SRC))
    }

    /// Mints a token as the surrounding platform would (no `src` claim): its
    /// identity and organization role are applied like a platform token's. For the
    /// operator's `sponsorhub token` command, never for sign-up or login.
    pub fn issue_platform_token(
        &self,
        user: Uuid,
        email: &str,
        name: &str,
        org: Option<(Uuid, OrgRole)>,
        ttl: Duration,
    ) -> Result<String> {
        self.sign(user, email, name, org, ttl, None)
    }

    fn sign(
        &self,
        user: Uuid,
        email: &str,
        name: &str,
        org: Option<(Uuid, OrgRole)>,
        ttl: Duration,
        src: Option<&str>,
    ) -> Result<String> {
        let key = self.encoding.as_ref().ok_or_else(|| {
            Error::Internal(anyhow::anyhow!("no private key is configured, so this service cannot mint tokens"))
        })?;
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user.to_string(),
            email: email.to_string(),
            name: Some(name.to_string()),
            org_id: org.map(|(id, _)| id.to_string()),
            role: org.map(|(_, r)| r.as_str().to_string()),
            exp: now + ttl.as_secs() as i64,
            iat: Some(now),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            src: src.map(str::to_string),
        };
        encode(&Header::new(self.algorithm), &claims, key).map_err(|e| Error::Internal(e.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(secret: &str) -> TokenService {
        TokenService::new(TokenConfig {
            key: SigningKey::Hs256 { secret: secret.as_bytes().to_vec() },
            issuer: None,
            audience: None,
            ttl: Duration::from_secs(3600),
        })
        .unwrap()
    }

    #[test]
    fn minted_tokens_verify_and_foreign_ones_do_not() {
        let a = service("a-secret-of-at-least-thirty-two-bytes!!");
        let b = service("another-secret-of-at-least-32-bytes!!!!");
        let id = Uuid::now_v7();
        let t = a.issue(id, "x@y.io", "X", Some((id, OrgRole::Admin))).unwrap();
        let c = a.verify(&t).unwrap();
        assert_eq!(c.sub, id.to_string());
        assert_eq!(c.role.as_deref(), Some("ADMIN"));
        assert!(b.verify(&t).is_err());
        assert!(a.verify("not.a.token").is_err());
        let expired = a.issue_with_ttl(id, "x@y.io", "X", None, Duration::ZERO).unwrap();
        // exp = now, leeway 30 s: still fine; a token from the past is not.
        assert!(a.verify(&expired).is_ok());
    }

    #[test]
    fn alg_none_is_refused() {
        let a = service("a-secret-of-at-least-thirty-two-bytes!!");
        // {"alg":"none","typ":"JWT"} . {"sub":"x","email":"e","exp":9999999999} . (empty)
        let token = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4IiwiZW1haWwiOiJlIiwiZXhwIjo5OTk5OTk5OTk5fQ.";
        assert!(a.verify(token).is_err());
    }
}
