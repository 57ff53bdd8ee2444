//! Records of accounts: links sent by email (invitations, password resets, email
//! confirmations), two-factor sign-in and the organisation's account policy.
//!
//! A link's token is never stored: a letter carrying a link is queued without it, and the
//! sender mints a token when it delivers the letter ([`LinkMint`]), keeping only its hash.

use crate::AccountLinkId;
use charter_domain::{LinkPurpose, MemberId};
use chrono::{DateTime, Utc};

/// The letter queued for each member a link is issued to. Its body is `greeting`, the
/// member's first name, then `body`; the body holds the place where the sender puts the link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkLetter {
    pub subject: String,
    pub greeting: String,
    pub body: String,
}

/// A request to issue links: what they are for, who asked, and the letter that carries them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRequest {
    pub purpose: LinkPurpose,
    /// The member or officer who asked; `None` for the signed-out reset form.
    pub requested_by: Option<MemberId>,
    /// A number chosen at random for this request, naming its rows in bulk statements.
    pub batch: i64,
    /// How long a token minted for the link works, counted from when its letter is sent.
    pub valid_for: chrono::Duration,
    pub letter: LinkLetter,
}

/// A token minted for a link as its letter is sent: only its hash is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkMint {
    pub link: AccountLinkId,
    pub token_hash: String,
    /// When the letter goes: the token works for the link's lifetime from then.
    pub minted_at: DateTime<Utc>,
}

/// A link as stored: never its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountLinkRecord {
    pub id: AccountLinkId,
    pub member: MemberId,
    pub purpose: LinkPurpose,
    /// The address an email change confirms.
    pub new_email: Option<String>,
    pub requested_by: Option<MemberId>,
    pub requested_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub used_at: Option<DateTime<Utc>>,
}

/// A member's two-factor sign-in: the TOTP secret (base32), whether it was confirmed with a
/// first code, and the time step of the last code accepted.
#[derive(Clone, PartialEq, Eq)]
pub struct TwoFactorRecord {
    pub member: MemberId,
    pub secret: String,
    pub created_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub last_step: Option<i64>,
    /// Recovery codes not yet used.
    pub recovery_codes_left: i64,
}

/// Never prints the secret.
impl std::fmt::Debug for TwoFactorRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwoFactorRecord")
            .field("member", &self.member)
            .field("secret", &"<secret>")
            .field("created_at", &self.created_at)
            .field("confirmed_at", &self.confirmed_at)
            .field("last_step", &self.last_step)
            .field("recovery_codes_left", &self.recovery_codes_left)
            .finish()
    }
}

/// The organisation's account policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AccountPolicy {
    /// Office holders must sign in with a second factor before using their powers.
    pub two_factor_required: bool,
}
