//! Constitution versions, amendments and the register facts its rules read.

use async_trait::async_trait;
use charter_domain::MemberId;
use charter_model::{AmendmentId, ConstitutionVersionId, HistoricalEntryId, MeetingId, MotionId};
use chrono::NaiveDate;

use crate::*;

/// Constitution versions, amendments and the register facts its rules read.
#[async_trait]
pub trait ConstitutionStore: Send + Sync {
    /// Records the founding version. Refused with `Conflict` if any version exists: after
    /// the founding, versions come only from adopted amendments.
    async fn found_constitution(
        &self,
        version: &NewConstitutionVersion,
        event: &NewEvent,
    ) -> StoreResult<ConstitutionVersionId>;

    /// Every adopted version, oldest effective date first.
    async fn constitution_versions(&self) -> StoreResult<Vec<ConstitutionVersionRecord>>;

    async fn constitution_version(
        &self,
        id: ConstitutionVersionId,
    ) -> StoreResult<Option<ConstitutionVersionRecord>>;

    async fn propose_amendment(
        &self,
        amendment: &NewAmendment,
        event: &NewEvent,
    ) -> StoreResult<AmendmentId>;

    /// Every amendment, oldest first.
    async fn amendments(&self) -> StoreResult<Vec<AmendmentRecord>>;

    async fn amendment(&self, id: AmendmentId) -> StoreResult<Option<AmendmentRecord>>;

    /// Attempts to adopt amendments, oldest first; only those of `amendment` when given.
    async fn amendment_attempts(
        &self,
        amendment: Option<AmendmentId>,
    ) -> StoreResult<Vec<AmendmentAttemptRecord>>;

    /// Proposes a motion putting `amendment` to a meeting, in one transaction with its link.
    /// Deciding it goes through `decide_amendment_motion`, never `decide_motion`.
    async fn propose_amendment_motion(
        &self,
        motion: &NewMotion,
        amendment: AmendmentId,
        event: &NewEvent,
    ) -> StoreResult<MotionId>;

    /// The amendment a motion puts, if it puts one.
    async fn motion_amendment(&self, motion: MotionId) -> StoreResult<Option<AmendmentId>>;

    /// Decides a motion putting an amendment (as `decide_motion`) and records the attempt in
    /// the same transaction: when `decision.version` is given the attempt bound, the
    /// amendment becomes "adopted" and the version is recorded; otherwise it becomes
    /// "refused". `Stale` if the motion was decided or the amendment adopted already.
    async fn decide_amendment_motion(
        &self,
        motion: MotionId,
        outcome: &MotionOutcome,
        event: &NewEvent,
        decision: &AmendmentDecision,
    ) -> StoreResult<()>;

    /// Keeps one officer's entry of a historical meeting's decision on an amendment.
    async fn add_historical_entry(
        &self,
        entry: &NewHistoricalEntry,
        event: &NewEvent,
    ) -> StoreResult<HistoricalEntryId>;

    /// Every entry of historical meetings on `amendment`, oldest first.
    async fn historical_entries(
        &self,
        amendment: AmendmentId,
    ) -> StoreResult<Vec<HistoricalEntryRecord>>;

    /// Writes a historical meeting two officers' entries agree on, with its motion decided
    /// and the decision on the amendment, in one transaction; every waiting entry of the
    /// amendment then names the meeting. `Stale` if either agreeing entry already made a
    /// meeting or the amendment was adopted. Returns the meeting's and the motion's ids.
    async fn record_historical_meeting(
        &self,
        meeting: &NewHistoricalMeeting,
    ) -> StoreResult<(MeetingId, MotionId)>;

    /// The facts the constitution engine needs about every member on `on`, in member order.
    async fn member_facts(&self, on: NaiveDate) -> StoreResult<Vec<MemberFactsRecord>>;

    /// The same for one member; `access` is written in the same transaction when given.
    async fn member_facts_of(
        &self,
        member: MemberId,
        on: NaiveDate,
        access: Option<&AccessContext>,
    ) -> StoreResult<Option<MemberFactsRecord>>;
}
