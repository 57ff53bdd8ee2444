//! Powers come from offices, scoped to the unit the office belongs to. Deny by default:
//! an actor may do something only when an office they hold grants it for that unit.

use crate::ids::{MemberId, UnitId};
use crate::structure::UnitTree;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OfficeKind {
    Chair,
    Secretary,
    Treasurer,
    MembershipOfficer,
    DataProtectionOfficer,
    /// The independent scrutineer of ballots. The office carries no standing power: its
    /// holder audits ballots only where the constitution's ballot clause names it (see
    /// [`Actor::named_office`]), and so holds nothing over the register or meetings.
    Scrutineer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Power {
    /// See members' personal data (every read is logged).
    ViewMembers,
    /// Change members' contact details and home branch.
    EditMembers,
    /// Change a member's status (admit, suspend, expel…).
    ChangeStatus,
    /// Record dues payments.
    RecordDues,
    /// Record and verify affiliations.
    VerifyAffiliations,
    /// Read the log of who read whose data.
    ViewAccessLog,
    /// Export the register in bulk.
    ExportMembers,
    /// Freeze rolls for meetings and ballots, and decide challenges to them.
    ManageRolls,
    /// Call meetings of the unit's bodies, record attendance and votes, publish decisions.
    CallMeetings,
    /// Establish, rename, merge and close the units below. The app honours it only when held
    /// over the national unit: regions and branches are set up by national officers.
    ManageStructure,
}

impl OfficeKind {
    pub const ALL: [OfficeKind; 6] = [
        OfficeKind::Chair,
        OfficeKind::Secretary,
        OfficeKind::Treasurer,
        OfficeKind::MembershipOfficer,
        OfficeKind::DataProtectionOfficer,
        OfficeKind::Scrutineer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OfficeKind::Chair => "chair",
            OfficeKind::Secretary => "secretary",
            OfficeKind::Treasurer => "treasurer",
            OfficeKind::MembershipOfficer => "membership-officer",
            OfficeKind::DataProtectionOfficer => "data-protection-officer",
            OfficeKind::Scrutineer => "scrutineer",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            OfficeKind::Chair => "Chair",
            OfficeKind::Secretary => "Secretary",
            OfficeKind::Treasurer => "Treasurer",
            OfficeKind::MembershipOfficer => "Membership officer",
            OfficeKind::DataProtectionOfficer => "Data protection officer",
            OfficeKind::Scrutineer => "Scrutineer",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    /// What each office may do within its unit. The chair presides (calls meetings, records
    /// their votes) but does not run the register, so a chair alone cannot read members'
    /// personal data.
    pub fn powers(self) -> &'static [Power] {
        use Power::*;
        match self {
            OfficeKind::Chair => &[CallMeetings, ManageStructure],
            OfficeKind::Secretary => &[
                ViewMembers,
                EditMembers,
                ChangeStatus,
                VerifyAffiliations,
                ManageRolls,
                CallMeetings,
                ManageStructure,
            ],
            OfficeKind::Treasurer => &[ViewMembers, RecordDues],
            OfficeKind::MembershipOfficer => &[
                ViewMembers,
                EditMembers,
                ChangeStatus,
                RecordDues,
                VerifyAffiliations,
                ManageRolls,
            ],
            OfficeKind::DataProtectionOfficer => &[ViewMembers, ViewAccessLog, ExportMembers],
            OfficeKind::Scrutineer => &[],
        }
    }
}

/// An office an actor holds today, with the unit it is scoped to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldOffice {
    pub kind: OfficeKind,
    pub unit: UnitId,
    pub unit_name: String,
}

/// Someone signed in: who they are and which offices they hold right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub member: MemberId,
    pub home_branch: UnitId,
    pub offices: Vec<HeldOffice>,
}

impl Actor {
    /// The first office that grants `power` over `unit`, naming the authority used.
    pub fn authority(&self, power: Power, unit: UnitId, tree: &UnitTree) -> Option<&HeldOffice> {
        self.offices
            .iter()
            .find(|o| o.kind.powers().contains(&power) && tree.is_within(unit, o.unit))
    }

    /// The first office of `kind` this actor holds over `unit`: for what the constitution
    /// grants an office by naming it (the scrutineer of ballots) rather than by its powers.
    pub fn named_office(
        &self,
        kind: OfficeKind,
        unit: UnitId,
        tree: &UnitTree,
    ) -> Option<&HeldOffice> {
        self.offices
            .iter()
            .find(|o| o.kind == kind && tree.is_within(unit, o.unit))
    }

    pub fn may(&self, power: Power, unit: UnitId, tree: &UnitTree) -> bool {
        self.authority(power, unit, tree).is_some()
    }

    /// Units at which this actor holds `power` (the roots of their scope).
    pub fn scope_roots(&self, power: Power) -> Vec<UnitId> {
        self.offices
            .iter()
            .filter(|o| o.kind.powers().contains(&power))
            .map(|o| o.unit)
            .collect()
    }

    pub fn holds_any_office(&self) -> bool {
        !self.offices.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::structure::UnitKind;

    fn tree() -> UnitTree {
        UnitTree::new([
            (UnitId(1), None, UnitKind::National),
            (UnitId(2), Some(UnitId(1)), UnitKind::Region),
            (UnitId(3), Some(UnitId(2)), UnitKind::Branch),
            (UnitId(4), Some(UnitId(2)), UnitKind::Branch),
        ])
    }

    fn actor(offices: &[(OfficeKind, i64)]) -> Actor {
        Actor {
            member: MemberId(1),
            home_branch: UnitId(3),
            offices: offices
                .iter()
                .map(|(k, u)| HeldOffice {
                    kind: *k,
                    unit: UnitId(*u),
                    unit_name: String::new(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_branch_secretary_has_powers_only_in_their_branch() {
        let t = tree();
        let a = actor(&[(OfficeKind::Secretary, 3)]);
        assert!(a.may(Power::EditMembers, UnitId(3), &t));
        assert!(!a.may(Power::EditMembers, UnitId(4), &t));
        assert!(!a.may(Power::RecordDues, UnitId(3), &t));
    }

    #[test]
    fn a_plain_member_has_no_powers() {
        let t = tree();
        let a = actor(&[]);
        for p in [Power::ViewMembers, Power::EditMembers, Power::ExportMembers] {
            assert!(!a.may(p, UnitId(3), &t));
        }
    }

    #[test]
    fn regional_and_national_offices_reach_down_the_tree() {
        let t = tree();
        let regional = actor(&[(OfficeKind::MembershipOfficer, 2)]);
        assert!(regional.may(Power::ViewMembers, UnitId(4), &t));
        assert!(!regional.may(Power::ViewMembers, UnitId(1), &t));
        let chair = actor(&[(OfficeKind::Chair, 1)]);
        assert!(!chair.may(Power::ViewMembers, UnitId(3), &t));
    }

    #[test]
    fn a_scrutineer_holds_no_standing_power() {
        let t = tree();
        let s = actor(&[(OfficeKind::Scrutineer, 1)]);
        for p in [
            Power::ViewMembers,
            Power::CallMeetings,
            Power::ManageRolls,
            Power::ExportMembers,
        ] {
            assert!(!s.may(p, UnitId(3), &t));
        }
        assert!(
            s.named_office(OfficeKind::Scrutineer, UnitId(3), &t)
                .is_some()
        );
        let regional = actor(&[(OfficeKind::Scrutineer, 2)]);
        assert!(
            regional
                .named_office(OfficeKind::Scrutineer, UnitId(1), &t)
                .is_none()
        );
        assert!(
            regional
                .named_office(OfficeKind::Secretary, UnitId(3), &t)
                .is_none()
        );
        assert_eq!(
            OfficeKind::parse("scrutineer"),
            Some(OfficeKind::Scrutineer)
        );
    }
}
