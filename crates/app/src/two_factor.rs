//! Two-factor sign-in with time-based one-time codes (TOTP, RFC 6238), and the
//! organisation's policy requiring it of office holders.
//!
//! The secret is made here from 20 random bytes and shown to the member once, as an
//! `otpauth://` address and a QR code for their authenticator app; it is never logged. A
//! code's time step is accepted once (the store keeps the last one accepted), so a code seen
//! over someone's shoulder cannot be used again. Ten one-time recovery codes are shown at
//! enrolment and kept only as SHA-256 hashes.

use charter_domain::{Actor, MemberId, MemberStatus, Power, UnitKind};
use charter_store::{AccountPolicy, SessionRecord};
use rand::RngCore;
use secrecy::SecretString;
use serde_json::json;
use sha2::{Digest, Sha256};
use totp_rs::{Builder, Secret, Totp};

use crate::auth::token_hash;
use crate::{App, AppError, event_actor};

/// Why an office holder's powers wait.
pub const NEEDS_ENROLMENT: &str = "the organisation requires office holders to sign in with a second factor: turn on two-factor sign-in from My membership before using your offices";

const RECOVERY_CODES: usize = 10;
const STEP_SECONDS: u64 = 30;

/// What the enrolment page shows: the secret for typing in, and the same as an
/// `otpauth://` address and a QR code. Not `Debug`, so it cannot reach a log line.
pub struct Enrolment {
    pub secret: String,
    pub uri: String,
    /// An SVG image of the QR code for `uri`.
    pub qr_svg: String,
}

/// A member's two-factor sign-in as their page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TwoFactorStatus {
    pub on: bool,
    /// Enrolment was started and waits for its first code.
    pub pending: bool,
    pub recovery_codes_left: i64,
    /// The organisation requires it of office holders.
    pub required_of_officers: bool,
    /// Required of this member (they hold an office) and not yet on.
    pub must_enrol: bool,
}

fn issuer(org: &str) -> String {
    // The otpauth format separates issuer and account with ':'.
    org.replace(':', " ").trim().to_string()
}

fn totp(secret_base32: &str, issuer: &str, account: &str) -> Result<Totp, AppError> {
    let secret = Secret::try_from_base32(secret_base32)
        .map_err(|_| AppError::Internal("a stored two-factor secret does not decode".into()))?;
    Builder::new()
        .with_secret(secret)
        .with_account_name(account.replace(':', " "))
        .with_issuer(Some(issuer.to_string()))
        .with_skew(1)
        .with_step_duration(STEP_SECONDS)
        .build()
        .map_err(|e| AppError::Internal(format!("two-factor code generator: {e}")))
}

/// A recovery code: 16 base32 characters in groups of four (80 random bits).
fn recovery_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A recovery code as it is hashed: dashes and spaces dropped, upper case.
fn recovery_hash(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_uppercase();
    hex::encode(Sha256::digest(normal.as_bytes()))
}

fn six_digits(code: &str) -> Option<String> {
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    (digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

fn wrong_code() -> AppError {
    AppError::invalid(
        "code",
        "that code is not right, or was used already: wait for the next one from your app",
    )
}

impl App {
    /// The account policy, cached until it changes here.
    pub async fn account_policy(&self) -> Result<AccountPolicy, AppError> {
        if let Some(p) = *self.policy.read().await {
            return Ok(p);
        }
        let p = self.store.account_policy().await?;
        *self.policy.write().await = Some(p);
        Ok(p)
    }

    pub(crate) async fn two_factor_on(&self, member: MemberId) -> Result<bool, AppError> {
        Ok(self
            .store
            .two_factor(member)
            .await?
            .is_some_and(|t| t.confirmed_at.is_some()))
    }

    /// The member's actor under the account policy: an office holder who must enrol in
    /// two-factor sign-in first holds no powers until they do (and the flag says so).
    pub(crate) async fn actor_under_policy(
        &self,
        member: MemberId,
    ) -> Result<(Actor, MemberStatus, bool), AppError> {
        let (mut actor, status) = self.actor_and_status(member).await?;
        if actor.offices.is_empty() || !self.account_policy().await?.two_factor_required {
            return Ok((actor, status, false));
        }
        if self.two_factor_on(member).await? {
            return Ok((actor, status, false));
        }
        actor.offices.clear();
        Ok((actor, status, true))
    }

    /// The member's two-factor sign-in, for their page. `holds_office` is whether they hold
    /// an office today (their actor may have had its offices held back).
    pub async fn two_factor_status(&self, actor: &Actor) -> Result<TwoFactorStatus, AppError> {
        let record = self.store.two_factor(actor.member).await?;
        let required = self.account_policy().await?.two_factor_required;
        let on = record.as_ref().is_some_and(|t| t.confirmed_at.is_some());
        let holds_office = !self
            .store
            .offices_held(actor.member, self.today())
            .await?
            .is_empty();
        Ok(TwoFactorStatus {
            on,
            pending: record.as_ref().is_some_and(|t| t.confirmed_at.is_none()),
            recovery_codes_left: record.map_or(0, |t| t.recovery_codes_left),
            required_of_officers: required,
            must_enrol: required && holds_office && !on,
        })
    }

    async fn enrolment_for(&self, member: MemberId, secret: &str) -> Result<Enrolment, AppError> {
        let org = issuer(&self.organisation_name_for_codes().await?);
        let (_, _, email) = self
            .store
            .member_contacts(&[member])
            .await?
            .into_iter()
            .next()
            .ok_or(AppError::Unauthenticated)?;
        let t = totp(secret, &org, &email)?;
        let uri = t
            .to_url()
            .map_err(|e| AppError::Internal(format!("otpauth address: {e}")))?;
        let qr_svg = qrcode::QrCode::new(uri.as_bytes())
            .map_err(|e| AppError::Internal(format!("QR code: {e}")))?
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(220, 220)
            .dark_color(qrcode::render::svg::Color("#000000"))
            .light_color(qrcode::render::svg::Color("#ffffff"))
            .build();
        Ok(Enrolment {
            secret: secret.to_string(),
            uri,
            qr_svg,
        })
    }

    async fn organisation_name_for_codes(&self) -> Result<String, AppError> {
        Ok(self
            .store
            .units()
            .await?
            .into_iter()
            .find(|u| u.kind == UnitKind::National)
            .map_or_else(|| "Charter".to_string(), |u| u.name))
    }

    /// Starts enrolment with a new secret (replacing one not yet confirmed).
    pub async fn begin_two_factor(&self, actor: &Actor) -> Result<Enrolment, AppError> {
        let mut bytes = [0u8; 20];
        rand::rng().fill_bytes(&mut bytes);
        let secret = Secret::from(bytes.to_vec()).to_base32();
        self.store
            .begin_two_factor(actor.member, &secret, self.clock.now())
            .await?;
        self.enrolment_for(actor.member, &secret).await
    }

    /// The enrolment waiting for its first code, to show again.
    pub async fn pending_two_factor(&self, actor: &Actor) -> Result<Option<Enrolment>, AppError> {
        match self.store.two_factor(actor.member).await? {
            Some(t) if t.confirmed_at.is_none() => {
                Ok(Some(self.enrolment_for(actor.member, &t.secret).await?))
            }
            _ => Ok(None),
        }
    }

    /// The step of a current code for `secret`, if it is one.
    fn code_step(&self, secret: &str, code: &str) -> Result<Option<i64>, AppError> {
        let Some(code) = six_digits(code) else {
            return Ok(None);
        };
        let t = totp(secret, "Charter", "member")?;
        let now = u64::try_from(self.clock.now().timestamp()).unwrap_or(0);
        Ok(t.check(&code, now).and_then(|s| i64::try_from(s).ok()))
    }

    /// Confirms enrolment with the first code from the member's app; returns the recovery
    /// codes, shown this once.
    pub async fn confirm_two_factor(
        &self,
        actor: &Actor,
        code: &str,
    ) -> Result<Vec<String>, AppError> {
        let record = self
            .store
            .two_factor(actor.member)
            .await?
            .filter(|t| t.confirmed_at.is_none())
            .ok_or_else(|| {
                AppError::invalid("code", "start setting up two-factor sign-in first")
            })?;
        let step = self
            .code_step(&record.secret, code)?
            .ok_or_else(wrong_code)?;
        let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| recovery_code()).collect();
        let hashes: Vec<String> = codes.iter().map(|c| recovery_hash(c)).collect();
        let event = self.event(
            event_actor(actor, None),
            "account.two_factor_on",
            format!("member:{}", actor.member.0),
            json!({ "member": actor.member.0 }),
            "two-factor sign-in turned on",
        );
        self.store
            .confirm_two_factor(actor.member, &record.secret, step, &hashes, &event)
            .await
            .map_err(crate::error::stale_is_conflict("code"))?;
        Ok(codes)
    }

    /// Turns two-factor sign-in off, with the member's password; refused while the
    /// organisation requires it of an office they hold.
    pub async fn turn_off_two_factor(
        &self,
        actor: &Actor,
        password: &SecretString,
    ) -> Result<(), AppError> {
        self.check_password(actor, password).await?;
        let holds_office = !self
            .store
            .offices_held(actor.member, self.today())
            .await?
            .is_empty();
        if holds_office && self.account_policy().await?.two_factor_required {
            return Err(AppError::Conflict {
                field: "two_factor".into(),
                message:
                    "the organisation requires two-factor sign-in of office holders, so it stays on"
                        .into(),
            });
        }
        let event = self.event(
            event_actor(actor, None),
            "account.two_factor_off",
            format!("member:{}", actor.member.0),
            json!({ "member": actor.member.0 }),
            "two-factor sign-in turned off",
        );
        self.store.remove_two_factor(actor.member, &event).await?;
        Ok(())
    }

    /// Checks a current code (or an unused recovery code) for a member who signs in with a
    /// second factor; each is accepted once.
    pub(crate) async fn check_second_factor(
        &self,
        member: MemberId,
        code: &str,
    ) -> Result<(), AppError> {
        let record = self
            .store
            .two_factor(member)
            .await?
            .filter(|t| t.confirmed_at.is_some())
            .ok_or_else(wrong_code)?;
        if let Some(step) = self.code_step(&record.secret, code)? {
            return if self.store.accept_totp_step(member, step).await? {
                Ok(())
            } else {
                Err(wrong_code())
            };
        }
        if self
            .store
            .use_recovery_code(member, &recovery_hash(code), self.clock.now())
            .await?
        {
            return Ok(());
        }
        Err(wrong_code())
    }

    /// Completes a sign-in waiting for its second factor: the session then carries the
    /// member. Returns the session.
    pub async fn verify_second_factor(
        &self,
        session_token: &str,
        code: &str,
    ) -> Result<SessionRecord, AppError> {
        let mut record = self
            .pending_session(session_token)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        self.check_second_factor(record.member, code).await?;
        self.store
            .complete_second_factor(&token_hash(session_token))
            .await?;
        record.second_factor_pending = false;
        Ok(record)
    }

    /// Whether `actor` may set the account policy: an office that may edit members at the
    /// national unit.
    pub async fn may_set_account_policy(&self, actor: &Actor) -> Result<bool, AppError> {
        let tree = self.tree().await?;
        Ok(actor
            .scope_roots(Power::EditMembers)
            .iter()
            .any(|u| tree.kind(*u) == Some(UnitKind::National)))
    }

    /// A national officer (one who may edit members organisation-wide) requires office
    /// holders to sign in with a second factor, or stops requiring it. Recorded as a
    /// governance event.
    pub async fn set_two_factor_required(
        &self,
        actor: &Actor,
        required: bool,
    ) -> Result<(), AppError> {
        let tree = self.tree().await?;
        let national = self
            .store
            .units()
            .await?
            .into_iter()
            .find(|u| u.kind == UnitKind::National)
            .ok_or(AppError::NotFound("organisation"))?;
        let office = actor
            .authority(Power::EditMembers, national.id, &tree)
            .cloned()
            .ok_or_else(|| {
                AppError::Forbidden(
                    "only a national officer who may edit members sets the account policy".into(),
                )
            })?;
        let event = self.event(
            event_actor(actor, Some(&office)),
            "accounts.two_factor_required",
            "organisation".into(),
            json!({ "required": required }),
            if required {
                "office holders must sign in with a second factor"
            } else {
                "office holders no longer must sign in with a second factor"
            },
        );
        let policy = AccountPolicy {
            two_factor_required: required,
        };
        self.store.set_account_policy(&policy, &event).await?;
        *self.policy.write().await = Some(policy);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_hash_however_they_are_typed() {
        let code = recovery_code();
        assert_eq!(code.len(), 19, "{code}");
        assert_eq!(recovery_hash(&code), recovery_hash(&code.to_lowercase()));
        assert_eq!(recovery_hash(&code), recovery_hash(&code.replace('-', " ")));
        assert_ne!(recovery_hash(&code), recovery_hash(&recovery_code()));
    }

    #[test]
    fn codes_are_six_digits() {
        assert_eq!(six_digits("123 456").as_deref(), Some("123456"));
        assert_eq!(six_digits("12345"), None);
        assert_eq!(six_digits("abcdef"), None);
    }

    #[test]
    fn the_generator_matches_rfc_6238() {
        // RFC 6238, appendix B: SHA-1 with the ASCII secret "12345678901234567890".
        let secret = Secret::from(b"12345678901234567890".to_vec()).to_base32();
        let t = totp(&secret, "Test", "a@example.org").unwrap();
        assert_eq!(t.generate(59).to_string(), "287082");
        assert_eq!(t.check("287082", 59), Some(1));
        assert!(
            t.to_url()
                .unwrap()
                .starts_with("otpauth://totp/Test:a%40example.org?")
        );
    }
}
