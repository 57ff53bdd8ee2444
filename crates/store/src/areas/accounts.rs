//! Accounts: passwords, sessions, links by email and two-factor sign-in.

use async_trait::async_trait;
use charter_domain::MemberId;
use charter_model::AccountLinkId;
use chrono::{DateTime, Utc};

use crate::*;

/// Accounts: passwords, sessions, links by email and two-factor sign-in.
#[async_trait]
pub trait AccountStore: Send + Sync {
    async fn credentials(&self, email: &str) -> StoreResult<Option<Credentials>>;

    async fn set_password(&self, member: MemberId, password_hash: &str) -> StoreResult<()>;

    async fn create_session(&self, session: &SessionRecord) -> StoreResult<()>;

    async fn session(&self, token_hash: &str) -> StoreResult<Option<SessionRecord>>;

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;

    /// Marks a session's second factor as checked; false if there is no such session.
    async fn complete_second_factor(&self, token_hash: &str) -> StoreResult<bool>;

    /// Members in `scope` with no password whose status lets them sign in
    /// ([`charter_domain::SIGN_IN_STATUSES`]), in id order.
    async fn members_without_password(&self, scope: &MemberScope) -> StoreResult<Vec<MemberId>>;

    /// Issues an invitation to each of `members` who, as the transaction sees them, has no
    /// password and may sign in: their link (re)issued with no working token, an earlier
    /// letter for it not yet sent withdrawn, one letter queued (sent with a fresh token), and
    /// `event` written naming the members invited (subject `member:<id>` for one, else
    /// `members` with their ids in the payload). In bulk statements, one transaction.
    /// Returns the members invited, in id order.
    async fn invite_members(
        &self,
        members: &[MemberId],
        request: &LinkRequest,
        event: &NewEvent,
    ) -> StoreResult<Vec<MemberId>>;

    /// Issues a password reset to the member whose email is `email`, if there is one whose
    /// status lets them sign in and no reset was issued to them after `not_since` (so
    /// requests from others cannot keep replacing the link a member was just sent). The same
    /// statements run whether or not the address is known; `event` is written (subject
    /// `member:<id>`) only when a link was issued. Says nothing about what it found.
    async fn request_password_reset(
        &self,
        email: &str,
        request: &LinkRequest,
        not_since: DateTime<Utc>,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Proposes `new_email` for `member`: the email-change link (re)issued with a letter to
    /// the new address, and `notice` to the member's current address when given. `Conflict`
    /// on `email` if another member has that address; `NotFound` without the member.
    async fn propose_email_change(
        &self,
        member: MemberId,
        new_email: &str,
        request: &LinkRequest,
        notice: Option<&NoticeText>,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// The member's email change waiting for confirmation, if any (used or not).
    async fn email_change(&self, member: MemberId) -> StoreResult<Option<AccountLinkRecord>>;

    /// The link a token (by its hash) opens, if it is one.
    async fn account_link(&self, token_hash: &str) -> StoreResult<Option<AccountLinkRecord>>;

    /// Stores the hashes of tokens minted as their letters are sent, replacing any earlier
    /// token, for links not yet used. Returns the links minted with their purpose.
    async fn mint_link_tokens(
        &self,
        mints: &[LinkMint],
    ) -> StoreResult<Vec<(AccountLinkId, charter_domain::LinkPurpose)>>;

    /// Uses a password link: `Stale` unless it still has `token_hash`, is unused and
    /// unexpired at `event.at`. Sets the password, ends every session of the member, and
    /// clears every other password link of theirs. Returns the member.
    async fn use_password_link(
        &self,
        link: AccountLinkId,
        token_hash: &str,
        password_hash: &str,
        event: &NewEvent,
    ) -> StoreResult<MemberId>;

    /// Confirms an email change as [`AccountStore::use_password_link`] uses a link: the member's
    /// address becomes the new one (`Conflict` on `email` if another member has it by now)
    /// and `notice` goes to the old address. Password links sent to the old address stop
    /// working.
    async fn confirm_email_change(
        &self,
        link: AccountLinkId,
        token_hash: &str,
        notice: &NoticeText,
        event: &NewEvent,
    ) -> StoreResult<MemberId>;

    /// A member changes their password: every other session ends (`keep`, a session's
    /// token hash, stays) and any password link of theirs stops working.
    async fn change_password(
        &self,
        member: MemberId,
        password_hash: &str,
        keep: Option<&str>,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// The member's two-factor sign-in, confirmed or pending.
    async fn two_factor(&self, member: MemberId) -> StoreResult<Option<TwoFactorRecord>>;

    /// Starts enrolment with a new secret, replacing a pending one; `Conflict` on `code` if
    /// two-factor sign-in is already confirmed.
    async fn begin_two_factor(
        &self,
        member: MemberId,
        secret: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Confirms a pending enrolment with the first code's time step and the recovery codes'
    /// hashes. `Stale` unless pending with `secret`.
    async fn confirm_two_factor(
        &self,
        member: MemberId,
        secret: &str,
        step: i64,
        recovery_hashes: &[String],
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Accepts a code's time step for a confirmed enrolment only if it is later than every
    /// step accepted before, so a code is never accepted twice.
    async fn accept_totp_step(&self, member: MemberId, step: i64) -> StoreResult<bool>;

    /// Uses a recovery code (by its hash), once.
    async fn use_recovery_code(
        &self,
        member: MemberId,
        code_hash: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<bool>;

    /// Turns two-factor sign-in off for the member, with its recovery codes.
    async fn remove_two_factor(&self, member: MemberId, event: &NewEvent) -> StoreResult<()>;

    async fn account_policy(&self) -> StoreResult<AccountPolicy>;

    async fn set_account_policy(&self, policy: &AccountPolicy, event: &NewEvent)
    -> StoreResult<()>;
}
