//! Requisitions for meetings: signatures, thresholds and reminders.

use async_trait::async_trait;
use charter_domain::MemberId;
use charter_model::{MeetingId, RequisitionId};
use chrono::{DateTime, NaiveDate, Utc};

use crate::*;

/// Requisitions for meetings: signatures, thresholds and reminders.
#[async_trait]
pub trait RequisitionStore: Send + Sync {
    /// Opens a requisition, signed by its opener when given.
    async fn open_requisition(
        &self,
        r: &NewRequisition,
        event: &NewEvent,
    ) -> StoreResult<RequisitionId>;

    /// Every requisition, newest first, with its signature count.
    async fn requisitions(&self) -> StoreResult<Vec<RequisitionRecord>>;

    async fn requisition(&self, id: RequisitionId) -> StoreResult<Option<RequisitionRecord>>;

    async fn has_signed(&self, id: RequisitionId, member: MemberId) -> StoreResult<bool>;

    /// Adds a signature; `Conflict` if already signed, `Stale` once a meeting answers it.
    async fn sign_requisition(
        &self,
        id: RequisitionId,
        member: MemberId,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Records that the threshold was reached (once; later calls change nothing and return false).
    async fn requisition_reached(
        &self,
        id: RequisitionId,
        clause: &str,
        call_by: NaiveDate,
        event: &NewEvent,
    ) -> StoreResult<bool>;

    /// Links the meeting called in answer; `Stale` unless reached and not yet answered.
    async fn answer_requisition(
        &self,
        id: RequisitionId,
        meeting: MeetingId,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Writes to those who must call a reached requisition's meeting that it is overdue:
    /// queues `letters` and records `event.at` as the last time they were written to, with
    /// `event`, in one transaction — only while that last time is still `last` (so two
    /// timetables running at once write once), the threshold is reached and no meeting
    /// answers it. Returns whether it wrote; when it did not, nothing is written. `NotFound`
    /// without the requisition.
    async fn remind_requisition(
        &self,
        id: RequisitionId,
        last: Option<DateTime<Utc>>,
        letters: &[Letter],
        event: &NewEvent,
    ) -> StoreResult<bool>;
}
