//! Wire formats of accounts: invitations, password resets and changes, email changes and
//! two-factor sign-in. Requests holding secrets are not `Debug`, so none can reach a log.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationRequest {
    /// The member to invite: they get a letter with a single-use link to choose a password.
    pub member_id: i64,
}

#[derive(Serialize, ToSchema)]
pub struct InvitationQueued {
    pub member_id: i64,
}

#[derive(Serialize, ToSchema)]
pub struct InvitationsQueued {
    /// Members in the caller's scope without a password when the run began.
    pub found: usize,
    /// Members invited.
    pub invited: usize,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    #[schema(example = "member@example.org")]
    pub email: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordWithLink {
    /// The token from the link in the letter (the last part of `/set-password/{token}`).
    pub token: String,
    #[schema(format = Password)]
    pub password: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    #[schema(format = Password)]
    pub current_password: String,
    #[schema(format = Password)]
    pub new_password: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailChangeRequest {
    pub email: String,
    #[schema(format = Password)]
    pub current_password: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailConfirmation {
    /// The token from the link sent to the new address.
    pub token: String,
    /// The member's password: needed when an officer proposed the address.
    #[schema(format = Password)]
    pub password: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    /// Six digits from the authenticator app, or an unused recovery code.
    pub code: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordOnly {
    #[schema(format = Password)]
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TwoFactorState {
    pub on: bool,
    /// Enrolment started and waits for its first code.
    pub pending: bool,
    pub recovery_codes_left: i64,
    /// The organisation requires it of office holders.
    pub required_of_officers: bool,
    /// Required of the caller and not yet on: their offices wait.
    pub must_enrol: bool,
}

impl From<charter_app::two_factor::TwoFactorStatus> for TwoFactorState {
    fn from(s: charter_app::two_factor::TwoFactorStatus) -> Self {
        TwoFactorState {
            on: s.on,
            pending: s.pending,
            recovery_codes_left: s.recovery_codes_left,
            required_of_officers: s.required_of_officers,
            must_enrol: s.must_enrol,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TwoFactorEnrolment {
    /// The secret, base32, for typing into an authenticator app.
    pub secret: String,
    /// The same as an `otpauth://totp/…` address.
    pub otpauth_uri: String,
}

#[derive(Serialize, ToSchema)]
pub struct RecoveryCodes {
    /// One-time codes for signing in without the device; shown only now.
    pub recovery_codes: Vec<String>,
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountPolicyBody {
    /// Office holders must sign in with a second factor before using their offices.
    pub two_factor_required: bool,
}
