//! Frozen rolls for meetings and ballots, and challenges to them.

use async_trait::async_trait;
use charter_domain::{MemberId, UnitId};
use charter_model::{RollChallengeId, RollId};

use crate::*;

/// Frozen rolls for meetings and ballots, and challenges to them.
#[async_trait]
pub trait RollStore: Send + Sync {
    /// Freezes a roll: its lines (in any order, one per member), the reasons they index,
    /// and per-branch counts, all in one transaction with `event`. Returns the roll's id.
    async fn freeze_roll(
        &self,
        roll: &NewRoll,
        reasons: &[RollReason],
        entries: &[NewRollEntry],
        event: &NewEvent,
    ) -> StoreResult<RollId>;

    /// Every roll, newest first.
    async fn rolls(&self) -> StoreResult<Vec<RollRecord>>;

    async fn roll(&self, id: RollId) -> StoreResult<Option<RollRecord>>;

    /// Eligible and excluded counts per branch as the roll stands.
    async fn roll_counts(&self, roll: RollId) -> StoreResult<Vec<RollBranchCount>>;

    /// One member's line; `access` is written in the same transaction when the line is
    /// read by someone else.
    async fn roll_entry(
        &self,
        roll: RollId,
        member: MemberId,
        access: Option<&AccessContext>,
    ) -> StoreResult<Option<RollEntryRecord>>;

    /// A page of lines with names, in member id order, within `query.scope`; every member
    /// on the page is logged under `access`.
    async fn roll_names(
        &self,
        roll: RollId,
        query: &RollQuery,
        access: &AccessContext,
    ) -> StoreResult<Page<RollNameRecord>>;

    /// The frozen lines in canonical order (member id, branch, eligible as frozen), to
    /// recompute the frozen hash. When the lines leave the system (`access` given), every
    /// member listed is logged in the same transaction.
    async fn roll_frozen_lines(
        &self,
        roll: RollId,
        access: Option<&AccessContext>,
    ) -> StoreResult<Vec<(MemberId, UnitId, bool)>>;

    /// Lodges a challenge to a member's exclusion. `Conflict` if the member is on the roll
    /// or already has an open challenge on it; `NotFound` if they are not listed at all.
    async fn lodge_challenge(
        &self,
        challenge: &NewChallenge,
        event: &NewEvent,
    ) -> StoreResult<RollChallengeId>;

    /// A roll's challenges, oldest first.
    async fn challenges(&self, roll: RollId) -> StoreResult<Vec<ChallengeRecord>>;

    async fn challenge(&self, id: RollChallengeId) -> StoreResult<Option<ChallengeRecord>>;

    /// Decides an open challenge: upheld puts the member on the roll (their frozen line is
    /// kept), and the roll's hash moves on to `decision.new_hash`. `Stale` if the challenge
    /// is no longer open or the roll's hash is not `decision.expected_hash`.
    async fn decide_challenge(
        &self,
        id: RollChallengeId,
        decision: &ChallengeDecision,
        event: &NewEvent,
    ) -> StoreResult<()>;
}
