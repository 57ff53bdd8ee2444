//! What the engine is told about a member. The store computes these from the register for a
//! date; the engine never reads anything itself.

use charter_domain::{MemberId, MemberStatus, OfficeKind, UnitId, is_paid_up};
use chrono::NaiveDate;

use crate::words::{Forum, Key};

/// A member of another organisation, as recorded in the register.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Affiliation {
    pub organisation: String,
    /// True once an officer has checked it (who and when stay in the register).
    pub verified: bool,
}

/// One member as the register knows them on the date asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberFacts {
    pub member: MemberId,
    pub status: MemberStatus,
    /// The last day dues cover (`charter_domain::paid_up_until`); the constitution in force
    /// supplies the grace period.
    pub paid_up_until: Option<NaiveDate>,
    pub joined_on: NaiveDate,
    pub affiliations: Vec<Affiliation>,
    pub home_branch: UnitId,
    pub home_region: Option<UnitId>,
    /// Offices held on the date.
    pub offices: Vec<OfficeKind>,
    /// Bodies on which the member holds a seat on the date.
    pub seats: Vec<Key>,
}

impl MemberFacts {
    pub fn is_paid_up(&self, on: NaiveDate, grace_days: u32) -> bool {
        is_paid_up(self.paid_up_until, on, grace_days)
    }
}

/// Everything a condition may depend on besides the member: the date, the grace period of
/// the version in force, and the meeting or ballot asked about.
#[derive(Debug, Clone, Copy)]
pub struct Env<'a> {
    pub on: NaiveDate,
    pub grace_days: u32,
    pub forum: &'a Forum,
}
