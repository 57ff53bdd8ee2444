//! The membership register: members, their status, dues, affiliations and transfers.

use async_trait::async_trait;
use charter_domain::{MemberChanges, MemberId, MemberStatus, NewMember, Payment, UnitId};
use charter_model::AffiliationId;
use chrono::NaiveDate;

use crate::*;

/// The membership register: members, their status, dues, affiliations and transfers.
#[async_trait]
pub trait RegisterStore: Send + Sync {
    async fn add_member(
        &self,
        member: &NewMember,
        password_hash: Option<&str>,
        event: &NewEvent,
    ) -> StoreResult<MemberId>;

    /// Loads many members with their histories in one transaction (demo organisation, bulk
    /// seeding). One event describes the whole batch.
    async fn seed_members(
        &self,
        members: &[SeedMember],
        event: &NewEvent,
    ) -> StoreResult<Vec<MemberId>>;

    /// The home branch of a member (to decide authority before reading anything personal).
    async fn member_branch(&self, member: MemberId) -> StoreResult<Option<UnitId>>;

    /// A member with all their history. `access` is written in the same transaction when given.
    async fn member(
        &self,
        member: MemberId,
        access: Option<&AccessContext>,
    ) -> StoreResult<Option<MemberDetail>>;

    /// One page of the directory. Each member returned is logged as read under `access`.
    async fn search_members(
        &self,
        query: &MemberQuery,
        access: Option<&AccessContext>,
    ) -> StoreResult<Page<MemberSummary>>;

    async fn update_member(
        &self,
        member: MemberId,
        changes: &MemberChanges,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Moves a member from `expected` to `to`, and ends every session of theirs: what a
    /// session reaches and the powers it carries come from the status, so none outlives a
    /// change of it. Fails with `Stale` if the status is no longer `expected`, so two
    /// officers acting at once cannot skip the state machine.
    async fn change_status(
        &self,
        member: MemberId,
        expected: MemberStatus,
        change: &StatusChangeInput,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Records a payment and recomputes paid-up-until; returns the new paid-up-until.
    async fn record_payment(
        &self,
        member: MemberId,
        payment: &Payment,
        recorded_by: Option<MemberId>,
        event: &NewEvent,
    ) -> StoreResult<Option<NaiveDate>>;

    async fn add_affiliation(
        &self,
        member: MemberId,
        organisation: &str,
        since: Option<NaiveDate>,
        event: &NewEvent,
    ) -> StoreResult<AffiliationId>;

    async fn verify_affiliation(
        &self,
        member: MemberId,
        affiliation: AffiliationId,
        verified_by: MemberId,
        on: NaiveDate,
        event: &NewEvent,
    ) -> StoreResult<()>;

    async fn transfer_member(
        &self,
        member: MemberId,
        move_: &BranchMoveInput,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Every member in scope, for export. `access` is logged per member exported.
    async fn export_members(
        &self,
        scope: &MemberScope,
        access: &AccessContext,
    ) -> StoreResult<Vec<MemberRecord>>;
}
