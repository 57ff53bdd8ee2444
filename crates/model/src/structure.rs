//! Records for changing the organisation's structure after the founding: units established
//! with the bodies and offices the constitution gives their level, renamed, merged and closed;
//! and where each office holding came from.

use crate::{ElectionId, MotionId};
use charter_domain::{MemberId, OfficeId, OfficeKind, UnitId, UnitKind};
use chrono::NaiveDate;

use crate::Term;

/// The decision an office holding came from. Every holding names one, so a unit's page can
/// show why its officers hold office.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mandate {
    /// The founding of the organisation (`charter init`), under the constitution's founding
    /// clause.
    Founding,
    /// The result of this election.
    Election(ElectionId),
    /// This appointment motion, adopted by a binding decision of a properly convened meeting.
    Motion(MotionId),
    /// A holding recorded from before Charter kept the register (the demo, an import).
    Record,
}

impl Mandate {
    pub fn as_str(self) -> &'static str {
        match self {
            Mandate::Founding => "founding",
            Mandate::Election(_) => "election",
            Mandate::Motion(_) => "motion",
            Mandate::Record => "record",
        }
    }

    /// Decodes the stored kind with its election and motion ids; `None` for text not written
    /// by the store or a kind missing its id.
    pub fn decode(kind: &str, election: Option<i64>, motion: Option<i64>) -> Option<Mandate> {
        match (kind, election, motion) {
            ("founding", _, _) => Some(Mandate::Founding),
            ("election", Some(e), _) => Some(Mandate::Election(ElectionId(e))),
            ("motion", _, Some(m)) => Some(Mandate::Motion(MotionId(m))),
            ("record", _, _) => Some(Mandate::Record),
            _ => None,
        }
    }
}

/// A body a new unit has from the start, as the constitution establishes it at its level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitBody {
    pub name: String,
    /// The constitution's key for the body (`branch-meeting`, `branch-committee`…).
    pub kind: String,
    pub seats: u32,
    /// How seats are filled, in words.
    pub filled_by: String,
}

/// A region or branch to establish, with its bodies and (vacant) offices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUnit {
    pub parent: UnitId,
    pub kind: UnitKind,
    pub name: String,
    pub slug: String,
    pub bodies: Vec<UnitBody>,
    pub offices: Vec<OfficeKind>,
}

/// A unit merged into another of its kind: its members (and for a region its branches) move
/// to `into`, and it closes on `on`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitMerge {
    pub from: UnitId,
    pub into: UnitId,
    pub on: NaiveDate,
    pub moved_by: Option<MemberId>,
    /// Kept on each member's move in their branch history.
    pub reason: String,
}

/// What a merge did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Merged {
    /// Members whose home moved.
    pub members: u64,
    /// Child units that moved under the surviving unit.
    pub children: u64,
}

/// The appointment an appointment motion proposes, fixed when it is proposed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAppointment {
    pub office: OfficeId,
    pub member: MemberId,
    pub term: Term,
    /// The clause of the constitution that fills the office by appointment.
    pub clause: String,
}

/// What a discipline motion proposes: that `member` be suspended or expelled, under the
/// clause that names the body deciding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStatusMotion {
    pub member: MemberId,
    /// `Suspended` or `Expelled`: nothing else is decided this way.
    pub to: charter_domain::MemberStatus,
    pub clause: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentRecord {
    pub motion: MotionId,
    pub office: OfficeId,
    pub office_kind: OfficeKind,
    pub unit: UnitId,
    pub unit_name: String,
    pub member: MemberId,
    pub member_name: String,
    pub term: Term,
    pub clause: String,
}
