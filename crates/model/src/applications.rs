//! Records of joining and leaving: applications from the public join form and the officers'
//! decisions on them, and the letters queued with them in the same transaction.

use crate::ApplicationId;
use charter_domain::{ApplicationState, DuesPlan, MemberId, MemberStatus, NewMember, UnitId};
use chrono::{DateTime, NaiveDate, Utc};

use crate::MemberScope;

/// One letter for the outbox, with its own text: to `address`, about `member` when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub member: Option<MemberId>,
    pub address: String,
    pub subject: String,
    pub body: String,
}

/// An application as the join form gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApplication {
    /// The applicant as the register will hold them: status applicant, joined on the day.
    pub member: NewMember,
    /// The statement the applicant agreed to, word for word.
    pub consent: String,
    /// The constitution's clause that set the form, when one did.
    pub clause: Option<String>,
}

/// An application with its applicant's details as the register holds them now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationRecord {
    pub id: ApplicationId,
    pub member: MemberId,
    pub branch: UnitId,
    pub branch_name: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub postcode: String,
    pub dues_plan: DuesPlan,
    /// The applicant's status in the register today.
    pub status: MemberStatus,
    pub state: ApplicationState,
    pub consent: String,
    pub clause: Option<String>,
    pub submitted_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<MemberId>,
    pub decided_by_name: Option<String>,
    pub reason: Option<String>,
}

/// Which applications to list: those of applicants in `scope`, in `state` when given,
/// pending first then newest first, at most `limit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationQuery {
    pub scope: MemberScope,
    pub state: Option<ApplicationState>,
    pub limit: u32,
}

/// An officer's decision on a pending application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationDecision {
    /// Accepted or refused.
    pub state: ApplicationState,
    pub reason: String,
    pub by: MemberId,
    /// The day an accepted applicant becomes active (and is recorded as joining).
    pub on: NaiveDate,
}
