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

use crate::two_factor::NEEDS_ENROLMENT;
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

pub(crate) fn verify_password(password: &str, hash: &str) -> bool {
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

/// The shortest new password, in characters.
pub const MIN_PASSWORD: usize = 12;
/// The longest new password, in characters.
pub const MAX_PASSWORD: usize = 200;

pub fn validate_new_password(password: &str) -> Result<(), AppError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD {
        return Err(AppError::invalid(
            "password",
            format!("password must have at least {MIN_PASSWORD} characters"),
        ));
    }
    if n > MAX_PASSWORD {
        return Err(AppError::invalid(
            "password",
            format!("password must have at most {MAX_PASSWORD} characters"),
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
    /// The member and their powers. An office holder who must enrol in two-factor sign-in
    /// first has no powers until they do.
    pub actor: Actor,
    pub access: SignIn,
    /// The organisation requires two-factor sign-in of office holders and this one has not
    /// enrolled: they are sent to enrol before using their offices.
    pub must_enrol_two_factor: bool,
}

/// The cookie value handed to the browser; only its hash is stored.
pub struct SessionToken(pub SecretString);

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A fresh random token (256 bits, URL-safe): links and sessions carry it, the store its hash.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Verifies a password off the async threads (argon2id takes tens of milliseconds).
pub(crate) async fn verify_password_blocking(
    password: &SecretString,
    hash: String,
) -> Result<bool, AppError> {
    let pw = password.clone();
    tokio::task::spawn_blocking(move || verify_password(pw.expose_secret(), &hash))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
}

impl App {
    /// Checks email and password and opens a session. A resigned member cannot sign in (their
    /// record remains for the history); a suspended or expelled member, or an applicant, gets
    /// a session restricted to their own record ([`SignIn::OwnRecordOnly`]). A member who
    /// signs in with a second factor gets a session that waits for their code
    /// (`second_factor_pending`): it carries them only after [`App::verify_second_factor`].
    pub async fn sign_in(
        &self,
        email: &str,
        password: SecretString,
    ) -> Result<(SessionToken, SessionRecord), AppError> {
        let member = self.check_credentials(email, &password).await?.member;
        let pending = self.two_factor_on(member).await?;
        let token = random_token();
        let now = self.clock.now();
        let record = SessionRecord {
            token_hash: token_hash(&token),
            member,
            csrf_token: random_token(),
            created_at: now,
            expires_at: now + Duration::hours(self.settings.session_hours),
            second_factor_pending: pending,
        };
        self.store.create_session(&record).await?;
        Ok((SessionToken(SecretString::from(token)), record))
    }

    /// The actor for someone acting from the command line as a named member
    /// (`charter unit … --as EMAIL`): their email, password and (when they sign in with a
    /// second factor) a current code. It carries only that member's powers, checked as on
    /// the web, and is refused, as a session would be, to an office holder who must enrol in
    /// two-factor sign-in first.
    pub async fn authenticate(
        &self,
        email: &str,
        password: &SecretString,
        code: Option<&str>,
    ) -> Result<Actor, AppError> {
        let member = self.check_credentials(email, password).await?.member;
        if self.two_factor_on(member).await? {
            let code = code.ok_or_else(|| {
                AppError::invalid(
                    "code",
                    "this member signs in with a second factor: give a current code",
                )
            })?;
            self.check_second_factor(member, code).await?;
        }
        let (actor, _, must_enrol) = self.actor_under_policy(member).await?;
        if must_enrol {
            return Err(AppError::Forbidden(NEEDS_ENROLMENT.into()));
        }
        Ok(actor)
    }

    /// Checks email and password (a dummy hash for unknown emails, so timing tells nothing);
    /// refuses resigned members.
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
        let ok = verify_password_blocking(password, hash).await?;
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

    /// The session for a cookie token, if valid, unexpired and past its second factor, with
    /// its actor and what it may reach. Decided afresh on every request from the member's
    /// status today, so a suspension restricts a session already open and a resignation
    /// ends it.
    pub async fn session(&self, token: &str) -> Result<Option<SignedIn>, AppError> {
        let Some(record) = self.live_session(token).await? else {
            return Ok(None);
        };
        if record.second_factor_pending {
            return Ok(None);
        }
        let (actor, status, must_enrol_two_factor) =
            match self.actor_under_policy(record.member).await {
                Ok(a) => a,
                Err(AppError::Unauthenticated) => return Ok(None),
                Err(e) => return Err(e),
            };
        let access = status.sign_in();
        if access == SignIn::Closed {
            self.store.delete_session(&record.token_hash).await?;
            return Ok(None);
        }
        Ok(Some(SignedIn {
            record,
            actor,
            access,
            must_enrol_two_factor,
        }))
    }

    /// A session waiting for its second factor, if the token opens one.
    pub async fn pending_session(&self, token: &str) -> Result<Option<SessionRecord>, AppError> {
        Ok(self
            .live_session(token)
            .await?
            .filter(|r| r.second_factor_pending))
    }

    async fn live_session(&self, token: &str) -> Result<Option<SessionRecord>, AppError> {
        let hash = token_hash(token);
        let Some(session) = self.store.session(&hash).await? else {
            return Ok(None);
        };
        if session.expires_at <= self.clock.now() {
            self.store.delete_session(&hash).await?;
            return Ok(None);
        }
        Ok(Some(session))
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
