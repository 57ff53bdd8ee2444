//! The organisation's structure: units, offices and their holders, bodies and their seats.

use async_trait::async_trait;
use charter_domain::{MemberId, OfficeId, OfficeKind, UnitId, UnitKind};
use charter_model::MotionId;
use chrono::NaiveDate;

use crate::*;

/// The organisation's structure: units, offices and their holders, bodies and their seats.
#[async_trait]
pub trait StructureStore: Send + Sync {
    async fn create_unit(
        &self,
        parent: Option<UnitId>,
        kind: UnitKind,
        name: &str,
        slug: &str,
        event: &NewEvent,
    ) -> StoreResult<UnitId>;

    async fn units(&self) -> StoreResult<Vec<UnitRecord>>;

    /// Establishes a region or branch under an open `parent`, with the bodies and vacant
    /// offices given, in one transaction with `event`. `NotFound` without the parent, `Stale`
    /// if it is closed, `Conflict` (field `name`) if the slug is taken.
    async fn establish_unit(&self, unit: &NewUnit, event: &NewEvent) -> StoreResult<UnitId>;

    /// Renames an open unit; its slug (and so its addresses) stays. `Stale` if it is closed.
    async fn rename_unit(&self, unit: UnitId, name: &str, event: &NewEvent) -> StoreResult<()>;

    /// Merges `m.from` into `m.into`: every member whose home is `from` moves, each move kept
    /// in their branch history with `m.reason`; `from`'s open children move under `into`;
    /// `from`'s office terms and seats end the day before `m.on`; `from` closes on `m.on`,
    /// marked as merged into `into`. `Stale` if either is closed.
    async fn merge_unit(&self, m: &UnitMerge, event: &NewEvent) -> StoreResult<Merged>;

    /// Closes a unit on `on`, ending its office terms and seats the day before. `Conflict`
    /// (field `unit`) while members (applicants, active, lapsed or suspended) have it as
    /// their home or an open unit lies under it; `Stale` if already closed.
    async fn close_unit(&self, unit: UnitId, on: NaiveDate, event: &NewEvent) -> StoreResult<()>;

    /// Puts `member` in `office` for a term by the founding or an election's result, naming
    /// it; the previous holder's open term ends the day before. A motion's appointment is
    /// never made here: it takes effect only in the transaction deciding the motion
    /// (`decide_motion`), so `Mandate::Motion` is refused with `Conflict` (field `mandate`).
    async fn take_office(
        &self,
        office: OfficeId,
        member: MemberId,
        term: Term,
        mandate: Mandate,
        clause: Option<&str>,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Proposes an appointment motion: the motion and the appointment it would make, in one
    /// transaction. Adopting it (`decide_motion` with state `adopted`) appoints the member for
    /// the term in that same transaction, the holding naming the motion; any other outcome
    /// appoints nobody.
    async fn propose_appointment(
        &self,
        motion: &NewMotion,
        appointment: &NewAppointment,
        event: &NewEvent,
    ) -> StoreResult<MotionId>;

    /// The appointment an appointment motion proposes.
    async fn motion_appointment(&self, motion: MotionId) -> StoreResult<Option<AppointmentRecord>>;

    /// Proposes a motion to suspend or expel a member: the motion and what it would do, in
    /// one transaction. Adopting it (`decide_motion` with state `adopted`) changes the
    /// member's status in that same transaction — through the state machine, with history,
    /// ending their sessions — and any other outcome changes nothing.
    async fn propose_status_motion(
        &self,
        motion: &NewMotion,
        change: &NewStatusMotion,
        event: &NewEvent,
    ) -> StoreResult<MotionId>;

    /// What a discipline motion proposes.
    async fn motion_status_change(&self, motion: MotionId) -> StoreResult<Option<NewStatusMotion>>;

    /// Member counts per branch (status breakdown and paid-up count as of `paid_up_cutoff`:
    /// paid up means `paid_up_until >= paid_up_cutoff`).
    async fn branch_stats(&self, paid_up_cutoff: NaiveDate) -> StoreResult<Vec<BranchStats>>;

    async fn create_office(
        &self,
        unit: UnitId,
        kind: OfficeKind,
        event: &NewEvent,
    ) -> StoreResult<OfficeId>;

    /// Puts `member` in `office` for a term; the previous holder's open term ends the day
    /// before. The holding is recorded as brought in from the record (`Mandate::Record`: the
    /// demo, an import); the app fills offices only through `take_office` and appointment
    /// motions.
    async fn appoint(
        &self,
        office: OfficeId,
        member: MemberId,
        term: Term,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Offices (with their holder on `on`, if any), optionally only those of one unit.
    async fn offices(&self, unit: Option<UnitId>, on: NaiveDate) -> StoreResult<Vec<OfficeRecord>>;

    /// Offices `member` holds on `on`: the source of every power they have.
    async fn offices_held(&self, member: MemberId, on: NaiveDate)
    -> StoreResult<Vec<OfficeRecord>>;

    async fn create_body(
        &self,
        body: &NewBody,
        event: &NewEvent,
    ) -> StoreResult<charter_domain::BodyId>;

    async fn fill_seat(
        &self,
        body: charter_domain::BodyId,
        member: MemberId,
        term: Term,
        how: &str,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Bodies with their current seat holders on `on`, optionally only those of one unit.
    async fn bodies(&self, unit: Option<UnitId>, on: NaiveDate) -> StoreResult<Vec<BodyRecord>>;
}
