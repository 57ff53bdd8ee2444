//! Wire formats for the organisation's structure.

use charter_app::structure::{UnitPage, UnitSummary};
use charter_model::{BodyRecord, Mandate, OfficeRecord, UnitRecord};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Unit {
    pub id: i64,
    pub parent_id: Option<i64>,
    /// national, region or branch.
    pub kind: String,
    pub name: String,
    pub slug: String,
    /// Active, lapsed and suspended members.
    pub members: u64,
    pub applicants: u64,
    pub active: u64,
    pub lapsed: u64,
    pub suspended: u64,
    pub expelled: u64,
    pub resigned: u64,
    pub paid_up: u64,
    /// Paid-up members as a share of members, in whole per cent.
    pub paid_up_percent: u64,
    /// The day it closed; a closed unit is kept, and offered in no picker.
    pub closed_on: Option<NaiveDate>,
    /// The unit it was merged into, when it closed by a merge.
    pub merged_into_id: Option<i64>,
}

impl From<UnitSummary> for Unit {
    fn from(s: UnitSummary) -> Self {
        let percent = s.paid_up_percent();
        let UnitSummary { unit, stats } = s;
        Unit {
            id: unit.id.0,
            parent_id: unit.parent.map(|p| p.0),
            kind: unit.kind.as_str().to_string(),
            name: unit.name,
            slug: unit.slug,
            members: stats.members(),
            applicants: stats.applicant,
            active: stats.active,
            lapsed: stats.lapsed,
            suspended: stats.suspended,
            expelled: stats.expelled,
            resigned: stats.resigned,
            paid_up: stats.paid_up,
            paid_up_percent: percent,
            closed_on: unit.closed_on,
            merged_into_id: unit.merged_into.map(|u| u.0),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UnitRef {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub slug: String,
}

impl From<UnitRecord> for UnitRef {
    fn from(u: UnitRecord) -> Self {
        UnitRef {
            id: u.id.0,
            kind: u.kind.as_str().to_string(),
            name: u.name,
            slug: u.slug,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Officer {
    pub office_id: i64,
    pub kind: String,
    pub title: String,
    pub holder_id: Option<i64>,
    pub holder_name: Option<String>,
    pub term_starts_on: Option<NaiveDate>,
    /// The term's last day: the office confers nothing the day after.
    pub term_ends_on: Option<NaiveDate>,
    /// The decision the holding came from: founding, election, motion (an appointment
    /// adopted at a properly convened meeting) or record (brought in from before Charter).
    pub mandate: Option<String>,
    /// The election whose result it is, for `election`.
    pub election_id: Option<i64>,
    /// The appointment motion adopted, for `motion`.
    pub motion_id: Option<i64>,
    /// The constitution's clause the holding was made under.
    pub clause: Option<String>,
}

impl From<OfficeRecord> for Officer {
    fn from(o: OfficeRecord) -> Self {
        Officer {
            office_id: o.id.0,
            kind: o.kind.as_str().to_string(),
            title: o.kind.title().to_string(),
            holder_id: o.holder.map(|m| m.0),
            holder_name: o.holder_name,
            term_starts_on: o.term.map(|t| t.starts_on),
            term_ends_on: o.term.and_then(|t| t.ends_on),
            mandate: o.mandate.map(|m| m.as_str().to_string()),
            election_id: match o.mandate {
                Some(Mandate::Election(e)) => Some(e.0),
                _ => None,
            },
            motion_id: match o.mandate {
                Some(Mandate::Motion(m)) => Some(m.0),
                _ => None,
            },
            clause: o.clause,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SeatHolder {
    pub member_id: i64,
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub how: String,
}

#[derive(Serialize, ToSchema)]
pub struct Body {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub seats: u32,
    pub filled_by: String,
    pub holders: Vec<SeatHolder>,
}

impl From<BodyRecord> for Body {
    fn from(b: BodyRecord) -> Self {
        Body {
            id: b.id.0,
            name: b.name,
            kind: b.kind,
            seats: b.seats,
            filled_by: b.filled_by,
            holders: b
                .holders
                .into_iter()
                .map(|h| SeatHolder {
                    member_id: h.member.0,
                    name: h.name,
                    starts_on: h.term.starts_on,
                    ends_on: h.term.ends_on,
                    how: h.how,
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UnitDetail {
    pub unit: Unit,
    /// From the national unit down to the parent.
    pub ancestors: Vec<UnitRef>,
    pub children: Vec<Unit>,
    pub officers: Vec<Officer>,
    pub bodies: Vec<Body>,
    /// Whether the viewer may list this unit's members.
    pub may_view_members: bool,
}

impl From<UnitPage> for UnitDetail {
    fn from(p: UnitPage) -> Self {
        UnitDetail {
            unit: p.summary.into(),
            ancestors: p.ancestors.into_iter().map(Into::into).collect(),
            children: p.children.into_iter().map(Into::into).collect(),
            officers: p.offices.into_iter().map(Into::into).collect(),
            bodies: p.bodies.into_iter().map(Into::into).collect(),
            may_view_members: p.may_view_members,
        }
    }
}
