//! Passwords (argon2id) and sessions. Session tokens are stored only as hashes.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use charter_domain::{Actor, Email, SignIn};
use charter_store::SessionRecord;
use chrono::Duration;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use crate::{App, AppError};

/// Hashes a password with argon2id at the library's defaults (OWASP's minimum parameters).
pub fn hash_password(password: &str) -> Result<String, AppError> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| AppError::Internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(e.to_string()))
}

fn verify_password(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash verified for unknown emails, so sign-in takes as long whether or not the account exists.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password("not-a-real-password").unwrap_or_default())
}

pub fn validate_new_password(password: &str) -> Result<(), AppError> {
    let n = password.chars().count();
    if n < 12 {
        return Err(AppError::invalid(
            "password",
            "password must have at least 12 characters",
        ));
    }
    if n > 200 {
        return Err(AppError::invalid(
            "password",
            "password must have at most 200 characters",
        ));
    }
    Ok(())
}

/// A valid session: who it is, the offices they act with, and what it may reach. Pages and
/// API routes refuse a session whose `access` is not [`SignIn::Member`] unless they are
/// about the member's own record (see `charter_web::session`).
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub record: SessionRecord,
    pub actor: Actor,
    pub access: SignIn,
}

/// The cookie value handed to the browser; only its hash is stored.
pub struct SessionToken(pub SecretString);

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

impl App {
    /// Checks email and password and opens a session. A resigned member cannot sign in (their
    /// record remains for the history); a suspended or expelled member, or an applicant, gets
    /// a session restricted to their own record ([`SignIn::OwnRecordOnly`]).
    pub async fn sign_in(
        &self,
        email: &str,
        password: SecretString,
    ) -> Result<(SessionToken, SessionRecord), AppError> {
        let creds = self.check_credentials(email, &password).await?;
        let token = random_token();
        let now = self.clock.now();
        let record = SessionRecord {
            token_hash: token_hash(&token),
            member: creds.member,
            csrf_token: random_token(),
            created_at: now,
            expires_at: now + Duration::hours(self.settings.session_hours),
        };
        self.store.create_session(&record).await?;
        Ok((SessionToken(SecretString::from(token)), record))
    }

    /// The actor for an officer's email and password, without opening a session: the
    /// operator's commands that act as a named officer (`charter unit … --as EMAIL`) carry
    /// only that officer's powers, checked as on the web.
    pub async fn authenticate(
        &self,
        email: &str,
        password: &SecretString,
    ) -> Result<Actor, AppError> {
        let creds = self.check_credentials(email, password).await?;
        self.actor(creds.member).await
    }

    /// Checks email and password (a dummy hash for unknown emails, so timing tells nothing);
    /// refuses expelled and resigned members.
    async fn check_credentials(
        &self,
        email: &str,
        password: &SecretString,
    ) -> Result<charter_store::Credentials, AppError> {
        let email = Email::parse(email).map_err(|e| AppError::invalid("email", e))?;
        if password.expose_secret().is_empty() {
            return Err(AppError::invalid("password", "password is required"));
        }
        let creds = self.store.credentials(email.as_str()).await?;
        let hash = creds
            .as_ref()
            .and_then(|c| c.password_hash.clone())
            .unwrap_or_else(|| dummy_hash().to_string());
        let pw = password.expose_secret().to_string();
        let ok = tokio::task::spawn_blocking(move || verify_password(&pw, &hash))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let creds = match creds {
            Some(c) if ok && c.password_hash.is_some() => c,
            _ => return Err(AppError::BadCredentials),
        };
        if creds.status.sign_in() == SignIn::Closed {
            return Err(AppError::Forbidden(format!(
                "this membership is {}; signing in is closed",
                creds.status
            )));
        }
        Ok(creds)
    }

    /// The session for a cookie token, if valid and unexpired, with its actor and what it
    /// may reach. Decided afresh on every request from the member's status today, so a
    /// suspension restricts a session already open and a resignation ends it.
    pub async fn session(&self, token: &str) -> Result<Option<SignedIn>, AppError> {
        let hash = token_hash(token);
        let Some(session) = self.store.session(&hash).await? else {
            return Ok(None);
        };
        if session.expires_at <= self.clock.now() {
            self.store.delete_session(&hash).await?;
            return Ok(None);
        }
        let (actor, status) = match self.actor_and_status(session.member).await {
            Ok(found) => found,
            Err(AppError::Unauthenticated) => return Ok(None),
            Err(e) => return Err(e),
        };
        let access = status.sign_in();
        if access == SignIn::Closed {
            self.store.delete_session(&hash).await?;
            return Ok(None);
        }
        Ok(Some(SignedIn {
            record: session,
            actor,
            access,
        }))
    }

    pub async fn sign_out(&self, token: &str) -> Result<(), AppError> {
        self.store.delete_session(&token_hash(token)).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_are_argon2id() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong horse battery", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn the_dummy_hash_costs_what_a_real_one_does() {
        // Unknown emails verify against this hash, so its algorithm and parameters must match
        // a real member's or sign-in timing would tell who has an account.
        let real = hash_password("correct horse battery").unwrap();
        let params = |h: &str| {
            let parsed = PasswordHash::new(h).unwrap();
            (parsed.algorithm.to_string(), parsed.params.to_string())
        };
        assert_eq!(params(dummy_hash()), params(&real));
        assert!(!verify_password("anything", dummy_hash()));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(validate_new_password("short").is_err());
        assert!(validate_new_password("long enough password").is_ok());
    }
}
