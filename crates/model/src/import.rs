//! Bringing a register in (`charter import`): a whole batch — units, members with their status
//! and payment histories, updates to members already in the register, offices and past office
//! holdings — checked by the app and written by the store's `ImportStore::import_register` in one
//! transaction, so an import is either all there or not there at all.
//!
//! Rows of the batch refer to each other by position (a branch created in the same batch has
//! no id yet), or to records already in the register by id.

use charter_domain::{
    MemberChanges, MemberId, MemberStatus, NewMember, OfficeId, OfficeKind, Payment, UnitId,
    UnitKind,
};
use chrono::NaiveDate;

use crate::{MemberRecord, StatusChangeInput, Term};

/// A unit already in the register, or one created by the same batch (index into
/// [`ImportBatch::units`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnitRef {
    Existing(UnitId),
    New(usize),
}

/// A member already in the register, or one created by the same batch (index into
/// [`ImportBatch::members`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MemberRef {
    Existing(MemberId),
    New(usize),
}

/// An office already in the register, or one created by the same batch (index into
/// [`ImportBatch::offices`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OfficeRef {
    Existing(OfficeId),
    New(usize),
}

/// A region or branch to create. A parent that is `New` comes earlier in the batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportUnit {
    pub parent: UnitRef,
    pub kind: UnitKind,
    pub name: String,
    pub slug: String,
}

/// A member to create with their whole history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportMember {
    /// The member number to keep from the old register; `None` takes the next free number.
    pub number: Option<MemberId>,
    /// The member's details. Their branch is `branch`: `member.branch` is not read.
    pub member: NewMember,
    pub branch: UnitRef,
    /// Oldest first: the first has no `from` and is dated on joining; the last one's `to` is
    /// `member.status`.
    pub history: Vec<StatusChangeInput>,
    pub payments: Vec<Payment>,
}

/// A move of a member already in the register to another branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportMove {
    pub from: UnitId,
    pub to: UnitRef,
    pub effective_on: NaiveDate,
    pub reason: String,
}

/// Changes to a member already in the register (`charter import --update`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportUpdate {
    pub member: MemberId,
    /// The status the changes were checked against: the write is refused (`Stale`) if the
    /// member's status is no longer this.
    pub expected_status: MemberStatus,
    /// Contact details and dues plan (an import never sets `email`).
    pub changes: MemberChanges,
    pub moved: Option<ImportMove>,
    /// Status changes to append, oldest first, each `from` the one before (the first from
    /// `expected_status`).
    pub history: Vec<StatusChangeInput>,
    /// Payments to add; paid-up-until is recomputed over all the member's payments.
    pub payments: Vec<Payment>,
}

/// An office to create in a unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOffice {
    pub unit: UnitRef,
    pub kind: OfficeKind,
}

/// A past holding of an office, kept as a record of the organisation's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportTerm {
    pub office: OfficeRef,
    pub member: MemberRef,
    /// Always ended: imported holdings grant no power today.
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Where the holding came from: "offices.csv, imported 2026-12-01".
    pub imported_from: String,
}

/// Everything one import writes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportBatch {
    pub units: Vec<ImportUnit>,
    pub members: Vec<ImportMember>,
    pub updates: Vec<ImportUpdate>,
    pub offices: Vec<ImportOffice>,
    pub terms: Vec<ImportTerm>,
}

impl ImportBatch {
    /// Rows the store writes, for progress reports: one per unit, member, update, office,
    /// term, status change and payment.
    pub fn rows(&self) -> u64 {
        let members: usize = self
            .members
            .iter()
            .map(|m| 1 + m.history.len() + m.payments.len())
            .sum();
        let updates: usize = self
            .updates
            .iter()
            .map(|u| 1 + u.history.len() + u.payments.len())
            .sum();
        (self.units.len() + members + updates + self.offices.len() + self.terms.len()) as u64
    }
}

/// The ids the register gave what a batch created, in batch order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportWritten {
    pub units: Vec<UnitId>,
    pub members: Vec<MemberId>,
    pub offices: Vec<OfficeId>,
}

/// A member already in the register that an import row names, with what an update is
/// compared against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportMatch {
    pub record: MemberRecord,
    /// Status changes oldest first: (to, effective on).
    pub history: Vec<(MemberStatus, NaiveDate)>,
    pub payments: Vec<Payment>,
}

/// A holding of an office, past or present, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeTermRecord {
    pub office: OfficeId,
    pub unit: UnitId,
    pub kind: OfficeKind,
    pub member: MemberId,
    pub member_name: String,
    pub term: Term,
    /// Set for a holding brought in by an import: the file and the day.
    pub imported_from: Option<String>,
}

/// Reports rows written so far out of the batch's [`ImportBatch::rows`].
pub type ImportProgress<'a> = &'a (dyn Fn(u64) + Send + Sync);
