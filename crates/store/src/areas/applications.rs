//! Applications to join, officers' decisions on them, and resignations.

use async_trait::async_trait;
use charter_domain::{MemberId, MemberStatus, UnitId};
use charter_model::ApplicationId;
use chrono::{DateTime, Utc};

use crate::*;

/// Applications to join, officers' decisions on them, and resignations.
#[async_trait]
pub trait ApplicationStore: Send + Sync {
    /// Records an application from the join form in one transaction: the applicant as a
    /// member with status applicant (their first status change carries `event.reason`), the
    /// application, `to_applicant` queued to the applicant's address, the letters to the
    /// branch's officers, and `event`. Returns the application's and the applicant's ids.
    /// `Conflict` on `email` when the address is already registered, writing nothing;
    /// `NotFound` when the member's branch is not a branch.
    async fn submit_application(
        &self,
        application: &NewApplication,
        to_applicant: &NoticeText,
        to_officers: &[Letter],
        event: &NewEvent,
    ) -> StoreResult<(ApplicationId, MemberId)>;

    /// Someone used the address of `member`, who is already registered (to apply, or as the
    /// new address of another membership): queues `letter` to them with `event`, unless a
    /// letter of the same subject was queued to them after `quiet_since` (so nobody can use
    /// it to flood anyone's inbox). Returns whether it queued one; when it did not, nothing
    /// is written.
    async fn queue_quiet_letter(
        &self,
        member: MemberId,
        letter: &Letter,
        quiet_since: DateTime<Utc>,
        event: &NewEvent,
    ) -> StoreResult<bool>;

    /// Applications of applicants in `query.scope`; each applicant listed is logged as read
    /// under `access` in the same transaction.
    async fn applications(
        &self,
        query: &ApplicationQuery,
        access: &AccessContext,
    ) -> StoreResult<Vec<ApplicationRecord>>;

    /// One application; `access` is written in the same transaction when given.
    async fn application(
        &self,
        id: ApplicationId,
        access: Option<&AccessContext>,
    ) -> StoreResult<Option<ApplicationRecord>>;

    /// Decides a pending application, once. Acceptance moves the applicant from applicant to
    /// active (compare-and-set, with a status change naming the decider, the day and the
    /// reason) and records `decision.on` as their join date; with `invitation`, it also
    /// issues the new member an invitation link whose letter welcomes them (as
    /// [`AccountStore::invite_members`] does). `letters` are queued, unless that invitation was
    /// issued, and `event` is written, all in the same transaction. `Stale` if the application
    /// was already decided or the applicant is no longer an applicant; `NotFound` without the
    /// application.
    async fn decide_application(
        &self,
        id: ApplicationId,
        decision: &ApplicationDecision,
        letters: &[Letter],
        invitation: Option<&LinkRequest>,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// A member resigns: their status moves from `expected` to resigned (compare-and-set,
    /// with `change` as its history), the offices and seats they hold end the day before
    /// `change.effective_on`, every session of theirs ends, and `letter` is queued, with
    /// `event`, in one transaction. `Stale` if the status is no longer `expected`.
    async fn resign(
        &self,
        member: MemberId,
        expected: MemberStatus,
        change: &StatusChangeInput,
        letter: &Letter,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// A member's home branch and status, to decide what their session may reach.
    async fn member_standing(
        &self,
        member: MemberId,
    ) -> StoreResult<Option<(UnitId, MemberStatus)>>;
}
